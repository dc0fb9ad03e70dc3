/* sparrow demo: a synthetic micro and small enterprise portfolio run for
 * months on a fresh SQLite book, then a portfolio summary and the ledger
 * check. Deterministic for a given --seed.
 *
 * Each enterprise gets a revolving line (daily rate by risk) or a term
 * loan (one of the four methods). Every business day some borrowers draw
 * and repay; a share of them stop paying partway through, so ageing,
 * penalty and the five-category classification show up. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "book_cli.h"
#include "sparrow/ledger.h"
#include "sparrow/money.h"
#include "sparrow/store.h"

#define N(o) (sizeof(o) / sizeof((o)[0]))

static const char *const industries[] = {
    "manufacturing", "wholesale-retail", "catering",
    "agriculture",   "technology",       "cross-border-ecommerce"};

typedef struct borrower {
  char id[24];
  int line;       /* 1 line, 0 term loan */
  int delinquent; /* stops paying after this day index (0: never) */
} borrower;

static uint64_t rng_state;
static uint32_t rnd(void) {
  rng_state = rng_state * 6364136223846793005ULL + 1442695040888963407ULL;
  return (uint32_t)(rng_state >> 33);
}

static int open_portfolio(sp_book *b, borrower *bs, int n, sp_date start,
                          sp_error *err) {
  for (int i = 0; i < n; i++) {
    borrower *x = &bs[i];
    const char *ind = industries[rnd() % N(industries)];
    snprintf(x->id, sizeof x->id, "%.4s-%05d", ind, i + 1);
    x->line = rnd() % 10 < 7;
    x->delinquent = rnd() % 100 < 6 ? 20 + (int)(rnd() % 120) : 0;
    sp_product p;
    sp_product_default(&p);
    int rc;
    if (x->line) {
      p.annual_rate =
          (int64_t)(1200000 + rnd() % 4000000) * 360; /* 0.012%..0.052% a day */
      p.per_second = rnd() % 10 == 0;
      int64_t limit = (int64_t)(50 + rnd() % 950) * 100000; /* 5,000..100,000 */
      rc = sp_line_open(b, x->id, limit, &p, start, err);
    } else {
      p.annual_rate = (int64_t)(400 + rnd() % 1400) * 1000000; /* 4%..18% */
      p.method = (sp_method)(rnd() % 4);
      p.term_months = 6 + (int32_t)(rnd() % 4) * 6;
      int64_t principal = (int64_t)(20 + rnd() % 480) * 100000;
      rc = sp_term_open(b, x->id, principal, principal / 100 * (rnd() % 2), &p,
                        start, err);
    }
    if (rc != SP_OK)
      return rc;
  }
  return SP_OK;
}

/* One business day of borrower activity. */
static int activity(sp_book *b, borrower *bs, int n, sp_date day, int day_index,
                    long *ops, sp_error *err) {
  for (int i = 0; i < n; i++) {
    borrower *x = &bs[i];
    int late = x->delinquent && day_index >= x->delinquent;
    sp_loan_view v;
    if (sp_loan_get(b, x->id, &v, err) != SP_OK)
      return err->code;
    if (v.closed)
      continue;
    sp_time at = sp_date_start(day) + 9 * 3600 + (sp_time)(rnd() % 28800);
    int rc = SP_OK;
    if (x->line && !late && rnd() % 15 == 0 && v.available_fen > 0) {
      int64_t amount =
          1 + (int64_t)(rnd() % (uint32_t)(v.available_fen / 2 + 1));
      rc = sp_line_draw(b, x->id, amount, at, NULL, err);
      (*ops)++;
    } else if (!late) {
      int64_t owed = v.penalty_fen + v.interest_due_fen + v.principal_due_fen;
      if (x->line && rnd() % 20 == 0)
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

int cmd_demo(int argc, char **argv) {
  static const cli_cmd cmd = {
      "demo",
      "Creates a fresh book, opens lines and term loans for synthetic micro "
      "and small\n"
      "enterprises, runs months of draws, repayments, delinquency and close of "
      "day,\n"
      "and prints the portfolio and the ledger check.",
      "[--db FILE] [--borrowers N] [--months N] [--seed N]"};
  cli_opt o[] = {{"db", 1, "database file, replaced (sparrow-demo.db)", 0},
                 {"borrowers", 1, "enterprises (1000)", 0},
                 {"months", 1, "months to simulate (6)", 0},
                 {"seed", 1, "random seed (1)", 0}};
  int rc = cli_parse(&cmd, argc, argv, o, N(o));
  if (rc)
    return rc == 1 ? 0 : rc;
  const char *db =
      cli_get(o, N(o), "db") ? cli_get(o, N(o), "db") : "sparrow-demo.db";
  const char *nb = cli_get(o, N(o), "borrowers"),
             *nm = cli_get(o, N(o), "months"), *ns = cli_get(o, N(o), "seed");
  int n = nb ? atoi(nb) : 1000, months = nm ? atoi(nm) : 6;
  rng_state = ns ? strtoull(ns, NULL, 10) : 1;
  if (n < 1 || n > 100000)
    return cli_usage_error(&cmd, "--borrowers: 1 to 100000");
  if (months < 1 || months > 36)
    return cli_usage_error(&cmd, "--months: 1 to 36");
  if (sp_store_remove_sqlite(db) != SP_OK)
    return cli_usage_error(&cmd, "--db: cannot replace '%s'", db);
  sp_book *b;
  sp_error err;
  if (sp_book_open(db, &b, &err) != SP_OK)
    return cli_fail(&cmd, &err);
  borrower *bs = calloc((size_t)n, sizeof *bs);
  sp_date start, end;
  sp_date_parse("2026-01-05", "start", &start, NULL);
  end = sp_date_add_months(start, months);
  printf("sparrow demo: %d enterprises, %d months from 2026-01-05, book %s\n",
         n, months, db);
  rc = bs ? open_portfolio(b, bs, n, start, &err) : SP_ENOMEM;
  long ops = 0;
  for (sp_date day = start + 1; rc == SP_OK && day <= end; day++) {
    rc = activity(b, bs, n, day, (int)(day - start), &ops, &err);
    sp_close_stats st;
    if (rc == SP_OK)
      rc = sp_book_close_day(b, day, &st, &err);
    if (rc == SP_OK && (day - start) % 30 == 0) {
      char d[11];
      sp_date_format(day, d);
      printf("  %s  closed, %ld draws and repayments so far\n", d, ops);
      fflush(stdout);
    }
  }
  sp_ledger_totals t;
  if (rc == SP_OK)
    rc = sp_ledger_verify(sp_book_store(b), &t, &err);
  if (rc == SP_OK)
    report(b, &t);
  free(bs);
  sp_book_close(b);
  if (rc != SP_OK)
    return cli_fail(&cmd, &err);
  printf("\nexplore it: sparrow line show --db %s --id <id> --format text; "
         "sparrow ledger verify --db %s\n",
         db, db);
  return 0;
}
