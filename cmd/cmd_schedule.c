/* sparrow schedule: print a term loan's repayment schedule, its totals and
 * its IRR annualized rate (PBoC Announcement [2021] No. 3), where the
 * borrower receives the principal less any upfront fee.
 *
 * JSON (default): one object with the terms, "installments", the totals
 * and "irr_annualized_rate" (2 decimals) / "irr_annualized_rate_exact"
 * (6 decimals). CSV: the header period,due_date,payment,principal,
 * interest,balance, one row per installment, then a totals row
 * "total,,<payment>,<principal>,<interest>," (no IRR in CSV). Everything is
 * computed before anything is printed, so bad input prints nothing on
 * stdout. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "sparrow/apr.h"
#include "sparrow/money.h"
#include "sparrow/schedule.h"

static const cli_cmd schedule_cmd = {
    "schedule", "print a term loan's repayment schedule and its IRR rate",
    "--principal AMOUNT --annual-rate RATE --term MONTHS --method METHOD "
    "--start YYYY-MM-DD [--format json|csv] [--rounding half-up|half-even] "
    "[--fee AMOUNT]"};

typedef struct schedule_out {
  sp_schedule_terms terms;
  int64_t fee_fen;
  int n;
  int64_t total_payment_fen, total_principal_fen, total_interest_fen;
  int64_t irr_rate;
} schedule_out;

static sp_installment rows[SP_SCHEDULE_TERM_MAX];
static int64_t payments_fen[SP_SCHEDULE_TERM_MAX];

/* Names the command-line option behind a library field. */
static const char *option_of(const char *field) {
  static const char *const map[][2] = {
      {"principal_fen", "--principal"}, {"annual_rate", "--annual-rate"},
      {"term_months", "--term"},        {"start", "--start"},
      {"method", "--method"},           {"rounding", "--rounding"}};
  for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
    if (strcmp(field, map[i][0]) == 0)
      return map[i][1];
  return "--fee"; /* the IRR: received = principal - fee */
}

static int fail_library(const sp_error *err) {
  const char *msg = err->message;
  size_t len = strlen(err->field);
  if (len > 0 && strncmp(msg, err->field, len) == 0 && msg[len] == ':')
    msg += len + 2;
  return cli_usage_error(&schedule_cmd, "%s: %s", option_of(err->field), msg);
}

static int parse_term(const char *text, int32_t *out) {
  char *end = NULL;
  long v = strtol(text, &end, 10);
  if (text[0] < '0' || text[0] > '9' || *end != '\0' || v < 1 ||
      v > SP_SCHEDULE_TERM_MAX)
    return cli_usage_error(&schedule_cmd,
                           "--term: '%s' is not a number of months from 1 "
                           "to %d",
                           text, SP_SCHEDULE_TERM_MAX);
  *out = (int32_t)v;
  return 0;
}

static int parse_terms(const cli_opt *o, size_t n_opts, schedule_out *s) {
  sp_error err;
  sp_schedule_terms *t = &s->terms;
  memset(s, 0, sizeof *s);
  if (sp_money_parse(cli_get(o, n_opts, "principal"), "--principal",
                     &t->principal_fen, &err) ||
      sp_rate_parse(cli_get(o, n_opts, "annual-rate"), "--annual-rate",
                    &t->annual_rate, &err) ||
      sp_method_parse(cli_get(o, n_opts, "method"), "--method", &t->method,
                      &err) ||
      sp_date_parse(cli_get(o, n_opts, "start"), "--start", &t->start, &err))
    return cli_fail(&schedule_cmd, &err);
  if (t->principal_fen <= 0)
    return cli_usage_error(&schedule_cmd, "--principal: must be positive");
  const char *rounding = cli_get(o, n_opts, "rounding");
  t->rounding = SP_ROUND_HALF_UP;
  if (rounding != NULL &&
      sp_rounding_parse(rounding, "--rounding", &t->rounding, &err))
    return cli_fail(&schedule_cmd, &err);
  const char *fee = cli_get(o, n_opts, "fee");
  if (fee != NULL && sp_money_parse(fee, "--fee", &s->fee_fen, &err))
    return cli_fail(&schedule_cmd, &err);
  if (s->fee_fen < 0 || s->fee_fen >= t->principal_fen)
    return cli_usage_error(&schedule_cmd,
                           "--fee: must be at least 0 and less than the "
                           "principal");
  return parse_term(cli_get(o, n_opts, "term"), &t->term_months);
}

static int compute(schedule_out *s) {
  sp_error err;
  s->n = sp_schedule_build(&s->terms, rows, SP_SCHEDULE_TERM_MAX, &err);
  if (s->n < 0)
    return fail_library(&err);
  for (int i = 0; i < s->n; i++) {
    s->total_payment_fen += rows[i].payment_fen; /* the library checked */
    s->total_principal_fen += rows[i].principal_fen;
    s->total_interest_fen += rows[i].interest_fen;
    payments_fen[i] = rows[i].payment_fen;
  }
  if (sp_apr_periodic(s->terms.principal_fen - s->fee_fen, payments_fen,
                      (size_t)s->n, 12, &s->irr_rate, &err) != SP_OK)
    return fail_library(&err);
  return 0;
}

static void print_row_json(const sp_installment *r, int last) {
  char date[11], pay[32], prin[32], intr[32], bal[32];
  sp_date_format(r->due_date, date);
  sp_money_format(r->payment_fen, pay, sizeof pay);
  sp_money_format(r->principal_fen, prin, sizeof prin);
  sp_money_format(r->interest_fen, intr, sizeof intr);
  sp_money_format(r->balance_fen, bal, sizeof bal);
  printf("{\"period\":%d,\"due_date\":\"%s\",\"payment\":\"%s\","
         "\"principal\":\"%s\",\"interest\":\"%s\",\"balance\":\"%s\"}%s",
         (int)r->period, date, pay, prin, intr, bal, last ? "" : ",");
}

static void print_json(const schedule_out *s) {
  char principal[32], rate[32], start[11], total[32], interest[32], irr[32],
      irr_exact[32], fee[32];
  sp_money_format(s->terms.principal_fen, principal, sizeof principal);
  sp_rate_format_percent(s->terms.annual_rate, 2, rate, sizeof rate);
  sp_date_format(s->terms.start, start);
  sp_money_format(s->total_payment_fen, total, sizeof total);
  sp_money_format(s->total_interest_fen, interest, sizeof interest);
  sp_money_format(s->fee_fen, fee, sizeof fee);
  sp_rate_format_percent(s->irr_rate, 2, irr, sizeof irr);
  sp_rate_format_percent(s->irr_rate, 6, irr_exact, sizeof irr_exact);
  printf("{\"method\":\"%s\",\"principal\":\"%s\",\"annual_rate\":\"%s\","
         "\"term\":%d,\"start\":\"%s\",\"fee\":\"%s\",\"installments\":[",
         sp_method_name(s->terms.method), principal, rate,
         (int)s->terms.term_months, start, fee);
  for (int i = 0; i < s->n; i++)
    print_row_json(&rows[i], i == s->n - 1);
  printf("],\"total_payment\":\"%s\",\"total_interest\":\"%s\","
         "\"irr_annualized_rate\":\"%s\",\"irr_annualized_rate_exact\":\"%s\""
         "}\n",
         total, interest, irr, irr_exact);
}

static void print_csv(const schedule_out *s) {
  char date[11], a[32], b[32], c[32], d[32];
  printf("period,due_date,payment,principal,interest,balance\n");
  for (int i = 0; i < s->n; i++) {
    const sp_installment *r = &rows[i];
    sp_date_format(r->due_date, date);
    sp_money_format(r->payment_fen, a, sizeof a);
    sp_money_format(r->principal_fen, b, sizeof b);
    sp_money_format(r->interest_fen, c, sizeof c);
    sp_money_format(r->balance_fen, d, sizeof d);
    printf("%d,%s,%s,%s,%s,%s\n", (int)r->period, date, a, b, c, d);
  }
  sp_money_format(s->total_payment_fen, a, sizeof a);
  sp_money_format(s->total_principal_fen, b, sizeof b);
  sp_money_format(s->total_interest_fen, c, sizeof c);
  printf("total,,%s,%s,%s,\n", a, b, c);
}

int cmd_schedule(int argc, char **argv) {
  cli_opt opts[] = {
      {"principal", 1, "amount lent, e.g. 100000.00", NULL},
      {"annual-rate", 1, "nominal annual rate with its unit, e.g. 12%", NULL},
      {"term", 1, "number of monthly installments, 1 to 600", NULL},
      {"method", 1, "annuity, equal-principal, interest-first or flat", NULL},
      {"start", 1, "disbursement date; installment k is due k months later",
       NULL},
      {"format", 1, "json (default) or csv (rows, then a totals row)", NULL},
      {"rounding", 1, "rounding of interest: half-up (default), half-even",
       NULL},
      {"fee", 1, "upfront fee kept from the principal (for the IRR)", NULL}};
  const size_t n_opts = sizeof opts / sizeof opts[0];
  int rc = cli_parse(&schedule_cmd, argc, argv, opts, n_opts);
  if (rc != 0)
    return rc == 1 ? CLI_EXIT_OK : rc;
  static const char *const required[] = {"principal", "annual-rate", "term",
                                         "method",    "start",       NULL};
  cli_format format;
  if (cli_require(&schedule_cmd, opts, n_opts, required) ||
      cli_parse_format(&schedule_cmd, cli_get(opts, n_opts, "format"),
                       CLI_FORMAT_JSON, &format))
    return CLI_EXIT_USAGE;
  if (format == CLI_FORMAT_TEXT)
    return cli_usage_error(&schedule_cmd, "--format: use json or csv");
  schedule_out s;
  if (parse_terms(opts, n_opts, &s) || compute(&s))
    return CLI_EXIT_USAGE;
  if (format == CLI_FORMAT_CSV)
    print_csv(&s);
  else
    print_json(&s);
  return fflush(stdout) == 0 ? CLI_EXIT_OK : CLI_EXIT_FAIL;
}
