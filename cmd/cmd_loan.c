/* sparrow loan ...: term loans against a book file. */
#include <stdlib.h>
#include <string.h>

#include "book_cli.h"
#include "sparrow/money.h"

#define N(o) (sizeof(o) / sizeof((o)[0]))

static cli_opt open_opts[] = {
    {"db", 1, "database file (created if missing)", 0},
    {"id", 1, "loan id, e.g. T1", 0},
    {"principal", 1, "principal, e.g. 100000.00", 0},
    {"annual-rate", 1, "annual rate, e.g. 12% (or --daily-rate)", 0},
    {"daily-rate", 1, "daily rate, e.g. 0.05%", 0},
    {"term", 1, "number of monthly installments", 0},
    {"method", 1, "annuity, equal-principal, interest-first or flat", 0},
    {"start", 1, "disbursement date YYYY-MM-DD", 0},
    {"fee", 1, "upfront fee withheld from the disbursement (0)", 0},
    {"daycount", 1, "ACT/360 (default), ACT/365 or 30/360 (penalty basis)", 0},
    {"penalty-factor", 1, "penalty rate as a multiple of the rate (1.5)", 0},
    {"alloc", 1, "repayment order (penalty,interest,principal)", 0},
    {"rounding", 1, "half-up (default) or half-even", 0},
};

static int loan_open(const cli_cmd *cmd, int argc, char **argv) {
  cli_opt *o = open_opts;
  int rc = cli_parse(cmd, argc, argv, o, N(open_opts));
  static const char *const req[] = {"db",   "id",    "principal",
                                    "term", "start", NULL};
  if (rc || (rc = cli_require(cmd, o, N(open_opts), req)))
    return rc == 1 ? 0 : rc;
  sp_product p;
  if ((rc = book_parse_product(cmd, o, N(open_opts), &p)))
    return rc;
  sp_error err;
  int64_t principal, fee = 0;
  sp_date start;
  const char *fv = cli_get(o, N(open_opts), "fee");
  if (sp_money_parse(cli_get(o, N(open_opts), "principal"), "--principal",
                     &principal, &err) ||
      (fv && sp_money_parse(fv, "--fee", &fee, &err)) ||
      sp_date_parse(cli_get(o, N(open_opts), "start"), "--start", &start, &err))
    return cli_fail(cmd, &err);
  if (principal <= 0)
    return cli_usage_error(cmd, "--principal: must be positive");
  sp_book *b;
  if ((rc = book_open(cmd, o, N(open_opts), 1, &b)))
    return rc;
  const char *id = cli_get(o, N(open_opts), "id");
  rc = sp_term_open(b, id, principal, fee, &p, start, &err);
  return book_finish(cmd, b, id, CLI_FORMAT_JSON, rc, &err);
}

static int loan_repay(const cli_cmd *cmd, int argc, char **argv) {
  return book_move(cmd, argc, argv, 0);
}

static cli_opt sched_opts[] = {
    {"db", 1, "database file", 0},
    {"id", 1, "loan id", 0},
};

static int loan_schedule(const cli_cmd *cmd, int argc, char **argv) {
  cli_opt *o = sched_opts;
  int rc = cli_parse(cmd, argc, argv, o, N(sched_opts));
  static const char *const req[] = {"db", "id", NULL};
  if (rc || (rc = cli_require(cmd, o, N(sched_opts), req)))
    return rc == 1 ? 0 : rc;
  sp_book *b;
  if ((rc = book_open(cmd, o, N(sched_opts), 0, &b)))
    return rc;
  sp_installment_view *iv = malloc(SP_SCHEDULE_TERM_MAX * sizeof *iv);
  size_t n = 0;
  sp_error err;
  rc = iv ? sp_loan_installments(b, cli_get(o, N(sched_opts), "id"), iv,
                                 SP_SCHEDULE_TERM_MAX, &n, &err)
          : sp_error_set(&err, SP_ENOMEM, "loan", "out of memory");
  if (rc == SP_OK) {
    printf("{\"installments\":[");
    for (size_t i = 0; i < n; i++) {
      char d[11], m[6][32];
      const sp_installment *s = &iv[i].due;
      int64_t a[6] = {s->payment_fen,           s->principal_fen,
                      s->interest_fen,          s->balance_fen,
                      iv[i].principal_paid_fen, iv[i].interest_paid_fen};
      for (int k = 0; k < 6; k++)
        sp_money_format(a[k], m[k], sizeof m[k]);
      sp_date_format(s->due_date, d);
      printf("%s{\"period\":%d,\"due_date\":\"%s\",\"payment\":\"%s\","
             "\"principal\":\"%s\","
             "\"interest\":\"%s\",\"balance\":\"%s\",\"principal_paid\":\"%s\","
             "\"interest_paid\":\"%s\"}",
             i ? "," : "", s->period, d, m[0], m[1], m[2], m[3], m[4], m[5]);
    }
    printf("]}\n");
  }
  free(iv);
  sp_book_close(b);
  return rc == SP_OK ? 0 : cli_fail(cmd, &err);
}

int cmd_loan(int argc, char **argv) {
  static const book_sub subs[] = {
      {"open", loan_open, "open and disburse a term loan"},
      {"repay", loan_repay,
       "repay: what is due first, then early (reschedules)"},
      {"show", book_show, "show a loan: balances, days past due, class"},
      {"schedule", loan_schedule,
       "the installments as they stand, with payments"},
  };
  return book_dispatch("loan", subs, N(subs), argc, argv);
}
