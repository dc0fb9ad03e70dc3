/* sparrow demo: a synthetic micro and small enterprise lender on a fresh
 * SQLite book, then the service and its console.
 *
 * In order: a scorecard is trained on the synthetic portfolio's past
 * loans; the applicants are registered with consents and data from eight
 * sources and decided by the decision flow (demo_load.c); approved ones
 * get a revolving line at the decided limit and price; then months of
 * business days run, each with draws and repayments and a close of day,
 * while a share of borrowers (more of the riskier ones) stop paying, so
 * ageing, penalty and the five-category classification show up. The
 * ledger is checked, the portfolio printed, and `sparrow serve` started on
 * the book with the flow, printing the console's address and development
 * keys. Deterministic for a given --seed. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "book_cli.h"
#include "demo.h"
#include "sparrow/ledger.h"
#include "sparrow/money.h"
#include "sparrow/store.h"

#define N(o) (sizeof(o) / sizeof((o)[0]))

static uint64_t rng_state;
static uint32_t rnd(void) {
  rng_state = rng_state * 6364136223846793005ULL + 1442695040888963407ULL;
  return (uint32_t)(rng_state >> 33);
}

/* Who stops paying, and when: three times the firm's probability of
 * default over the run, so that a few months show every bucket. */
static void plan_delinquency(demo_line *ls, long n, int days) {
  for (long i = 0; i < n; i++) {
    double u = (double)(rnd() % 1000000) / 1e6;
    ls[i].delinquent =
        u < 3 * ls[i].pd ? 5 + (int)(rnd() % (uint32_t)(days - 5)) : 0;
  }
}

/* One business day of borrower activity. */
static int activity(sp_book *b, demo_line *bs, long n, sp_date day,
                    int day_index, long *ops, sp_error *err) {
  for (long i = 0; i < n; i++) {
    demo_line *x = &bs[i];
    int late = x->delinquent && day_index >= x->delinquent;
    sp_loan_view v;
    if (sp_loan_get(b, x->id, &v, err) != SP_OK)
      return err->code;
    if (v.closed)
      continue;
    sp_time at = sp_date_start(day) + 9 * 3600 + (sp_time)(rnd() % 28800);
    int rc = SP_OK;
    if (!late && rnd() % 15 == 0 && v.available_fen > 0) {
      int64_t amount =
          1 + (int64_t)(rnd() % (uint32_t)(v.available_fen / 2 + 1));
      rc = sp_line_draw(b, x->id, amount, at, NULL, err);
      (*ops)++;
    } else if (!late) {
      int64_t owed = v.penalty_fen + v.interest_due_fen + v.principal_due_fen;
      if (rnd() % 20 == 0)
        owed += v.principal_fen / 3;
      if (owed > v.principal_fen + v.interest_fen + v.penalty_fen)
        owed = v.principal_fen + v.interest_fen + v.penalty_fen;
      if (owed > 0) {
        rc = sp_loan_repay(b, x->id, owed, at, NULL, NULL, err);
        (*ops)++;
      }
    }
    if (rc != SP_OK)
      return rc;
  }
  return SP_OK;
}

typedef struct summary {
  long loans, lines, overdue;
  int64_t principal_fen, interest_fen, penalty_fen;
  long bucket[5], klass[5];
} summary;

static int tally(void *p, const sp_loan_view *v) {
  summary *s = p;
  int dpd = v->days_past_due;
  s->loans++;
  s->lines += v->kind == SP_LOAN_LINE;
  s->overdue += dpd > 0;
  s->principal_fen += v->principal_fen;
  s->interest_fen += v->interest_fen;
  s->penalty_fen += v->penalty_fen;
  s->bucket[dpd <= 0 ? 0 : dpd <= 30 ? 1 : dpd <= 60 ? 2 : dpd <= 90 ? 3 : 4]++;
  s->klass[v->risk_class]++;
  return SP_OK;
}

static void report(sp_book *b, const sp_ledger_totals *t) {
  summary s = {0};
  sp_book_each_loan(b, tally, &s, NULL);
  char p[32], i[32], q[32], income[32];
  sp_money_format(s.principal_fen, p, sizeof p);
  sp_money_format(s.interest_fen, i, sizeof i);
  sp_money_format(s.penalty_fen, q, sizeof q);
  sp_account a;
  sp_store *st = sp_book_store(b);
  st->ops->account_get(st, SP_ACCOUNT_INTEREST_INCOME, &a, NULL);
  sp_money_format(sp_account_balance_fen(&a), income, sizeof income);
  printf("\nportfolio: %ld loans (%ld lines, %ld term loans), %ld past due\n",
         s.loans, s.lines, s.loans - s.lines, s.overdue);
  printf("  outstanding principal %s, accrued interest %s, penalty %s\n", p, i,
         q);
  printf("  interest income to date %s\n", income);
  printf("  buckets:  M0 %ld  M1 %ld  M2 %ld  M3 %ld  M4+ %ld\n", s.bucket[0],
         s.bucket[1], s.bucket[2], s.bucket[3], s.bucket[4]);
  printf("  five-category: 正常 normal %ld  关注 special-mention %ld  次级 "
         "substandard %ld"
         "  可疑 doubtful %ld  损失 loss %ld\n",
         s.klass[0], s.klass[1], s.klass[2], s.klass[3], s.klass[4]);
  printf("  ledger: %llu accounts, %llu transfers, debits = credits, every "
         "balance "
         "equals its postings\n",
         (unsigned long long)t->accounts, (unsigned long long)t->transfers);
}

/* Months of business: activity and a close of day for every day. */
static int simulate(sp_book *b, demo_line *ls, long n, sp_date start,
                    sp_date end, sp_error *err) {
  long ops = 0;
  int rc = SP_OK;
  plan_delinquency(ls, n, (int)(end - start));
  for (sp_date day = start + 1; rc == SP_OK && day <= end; day++) {
    rc = activity(b, ls, n, day, (int)(day - start), &ops, err);
    sp_close_stats st;
    if (rc == SP_OK)
      rc = sp_book_close_day(b, day, &st, err);
    if (rc == SP_OK && (day - start) % 30 == 0) {
      char d[11];
      sp_date_format(day, d);
      printf("  %s  closed, %ld draws and repayments so far\n", d, ops);
      fflush(stdout);
    }
  }
  return rc;
}

static int run(const demo_plan *plan, const char *db, int months,
               sp_error *err) {
  sp_book *b = NULL;
  long n_lines = 0;
  demo_line *ls = calloc((size_t)plan->applicants, sizeof *ls);
  printf("sparrow demo: book %s, files in %s\n", db, plan->dir);
  int rc = ls ? demo_train(plan, err)
              : sp_error_set(err, SP_ENOMEM, "", "out of memory");
  if (rc == SP_OK)
    rc = sp_book_open(db, &b, err);
  if (rc == SP_OK)
    rc = demo_apply(plan, b, ls, &n_lines, err);
  if (rc == SP_OK)
    rc = simulate(b, ls, n_lines, plan->start,
                  sp_date_add_months(plan->start, months), err);
  sp_ledger_totals t;
  if (rc == SP_OK)
    rc = sp_ledger_verify(sp_book_store(b), &t, err);
  if (rc == SP_OK)
    report(b, &t);
  free(ls);
  sp_book_close(b);
  return rc;
}

int cmd_demo(int argc, char **argv) {
  static const cli_cmd cmd = {
      "demo",
      "Creates a fresh book; trains a scorecard on a synthetic portfolio of "
      "micro and\n"
      "small enterprises; decides applicants on their consented multi-source "
      "data;\n"
      "opens lines for the approved; runs months of draws, repayments, "
      "delinquency and\n"
      "close of day; checks the ledger; then serves the API and the console "
      "until\n"
      "interrupted (unless --no-serve).",
      "[--db FILE] [--applicants N] [--history N] [--months N] [--seed N] "
      "[--listen HOST:PORT] [--no-serve]"};
  cli_opt o[] = {{"db", 1, "database file, replaced (sparrow-demo.db)", 0},
                 {"applicants", 1, "enterprises applying (1000)", 0},
                 {"history", 1, "past loans to train on (3000)", 0},
                 {"months", 1, "months to simulate (6)", 0},
                 {"seed", 1, "random seed (1)", 0},
                 {"listen", 1, "where to serve (127.0.0.1:8080)", 0},
                 {"no-serve", 0, "stop after the simulation", 0}};
  int rc = cli_parse(&cmd, argc, argv, o, N(o));
  if (rc)
    return rc == 1 ? 0 : rc;
  const char *db =
      cli_get(o, N(o), "db") ? cli_get(o, N(o), "db") : "sparrow-demo.db";
  const char *na = cli_get(o, N(o), "applicants"),
             *nh = cli_get(o, N(o), "history"),
             *nm = cli_get(o, N(o), "months"), *ns = cli_get(o, N(o), "seed");
  long applicants = na ? atol(na) : 1000, history = nh ? atol(nh) : 3000;
  int months = nm ? atoi(nm) : 6;
  rng_state = ns ? strtoull(ns, NULL, 10) : 1;
  if (applicants < 1 || applicants > 100000)
    return cli_usage_error(&cmd, "--applicants: 1 to 100000");
  if (history < 200 || history > 1000000)
    return cli_usage_error(&cmd, "--history: 200 to 1000000");
  if (months < 1 || months > 36)
    return cli_usage_error(&cmd, "--months: 1 to 36");
  if (sp_store_remove_sqlite(db) != SP_OK)
    return cli_usage_error(&cmd, "--db: cannot replace '%s'", db);
  char dir[4096];
  snprintf(dir, sizeof dir, "%s.files", db);
  demo_plan plan = {.dir = dir,
                    .history = history,
                    .applicants = applicants,
                    .seed = rng_state};
  sp_date_parse("2026-01-05", "start", &plan.start, NULL);
  sp_error err;
  if (run(&plan, db, months, &err) != SP_OK)
    return cli_fail(&cmd, &err);
  if (cli_get(o, N(o), "no-serve"))
    return 0;
  char flow[4200];
  snprintf(flow, sizeof flow, "%s/flow.json", dir);
  const char *listen = cli_get(o, N(o), "listen") ? cli_get(o, N(o), "listen")
                                                  : "127.0.0.1:8080";
  printf("\nserving the book: open http://%s/ in a browser and sign in with "
         "one of the keys below (Ctrl-C stops)\n",
         listen);
  fflush(stdout);
  char *args[] = {"--db",   (char *)db, "--listen", (char *)listen,
                  "--flow", flow,       NULL};
  return cmd_serve(6, args);
}
