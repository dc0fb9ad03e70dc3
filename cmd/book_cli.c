/* Shared pieces of the loan-book commands. */
#include "book_cli.h"

#include <stdlib.h>
#include <string.h>

#include "sparrow/money.h"

static void money(FILE *f, const char *key, int64_t fen, int last) {
  char buf[32];
  sp_money_format(fen, buf, sizeof buf);
  fprintf(f, "\"%s\":\"%s\"%s", key, buf, last ? "" : ",");
}

void book_print_loan(FILE *f, const sp_loan_view *v, cli_format format) {
  char opened[11], maturity[11], closed[11], rate[32], daily[32];
  sp_date_format(v->opened, opened);
  sp_date_format(v->maturity, maturity);
  sp_date_format(v->closed_through, closed);
  sp_rate_format_percent(v->product.annual_rate, 4, rate, sizeof rate);
  sp_rate_format_percent(v->product.annual_rate /
                             sp_daycount_basis(v->product.daycount),
                         6, daily, sizeof daily);
  const char *kind = v->kind == SP_LOAN_LINE ? "line" : "term";
  const char *status = v->closed ? "paid-off" : v->frozen ? "frozen" : "active";
  char apr[32];
  sp_rate_format_percent(v->annualized_rate, 2, apr, sizeof apr);
  if (format == CLI_FORMAT_TEXT) {
    char b[8][32];
    int64_t amounts[8] = {v->limit_fen,         v->principal_fen,
                          v->interest_fen,      v->interest_due_fen,
                          v->principal_due_fen, v->penalty_fen,
                          v->available_fen,     v->interest_accrued_total_fen};
    for (int i = 0; i < 8; i++)
      sp_money_format(amounts[i], b[i], sizeof b[i]);
    fprintf(f,
            "%s %s (%s), opened %s, matures %s, closed through %s\n"
            "  limit %s  principal %s  interest %s (due %s)  principal due %s\n"
            "  penalty %s  available %s  interest accrued since opening %s\n"
            "  annualized rate (IRR) %s  contract rate %s (daily %s, %s)\n"
            "  days past due %d  %s  %s (%s)\n",
            kind, v->id, status, opened, maturity, closed, b[0], b[1], b[2],
            b[3], b[4], b[5], b[6], b[7], apr, rate, daily,
            sp_daycount_name(v->product.daycount), v->days_past_due,
            sp_bucket_name(v->days_past_due), sp_risk_class_name(v->risk_class),
            sp_risk_class_name_zh(v->risk_class));
    return;
  }
  fprintf(f, "{\"id\":");
  cli_json_string(f, v->id);
  fprintf(f,
          ",\"kind\":\"%s\",\"status\":\"%s\",\"opened\":\"%s\","
          "\"maturity\":\"%s\",\"closed_through\":\"%s\",",
          kind, status, opened, maturity, closed);
  money(f, "limit", v->limit_fen, 0);
  money(f, "outstanding_principal", v->principal_fen, 0);
  money(f, "accrued_interest", v->interest_fen, 0);
  money(f, "interest_due", v->interest_due_fen, 0);
  money(f, "principal_due", v->principal_due_fen, 0);
  money(f, "penalty", v->penalty_fen, 0);
  money(f, "available", v->available_fen, 0);
  money(f, "pending_draws", v->pending_draws_fen, 0);
  money(f, "interest_accrued_total", v->interest_accrued_total_fen, 0);
  money(f, "interest_paid_total", v->interest_paid_total_fen, 0);
  money(f, "fee", v->fee_fen, 0);
  fprintf(f, "\"annualized_rate_irr\":\"%s\",", apr);
  fprintf(f,
          "\"annual_rate\":\"%s\",\"daily_rate\":\"%s\",\"daycount\":\"%s\","
          "\"per_second\":%s,\"days_past_due\":%d,\"bucket\":\"%s\","
          "\"classification\":\"%s\",\"classification_zh\":\"%s\"}\n",
          rate, daily, sp_daycount_name(v->product.daycount),
          v->product.per_second ? "true" : "false", v->days_past_due,
          sp_bucket_name(v->days_past_due), sp_risk_class_name(v->risk_class),
          sp_risk_class_name_zh(v->risk_class));
}

static int fail_err(const cli_cmd *cmd, sp_error *err) {
  return cli_fail(cmd, err);
}

int book_parse_product(const cli_cmd *cmd, const cli_opt *o, size_t n,
                       sp_product *p) {
  sp_error err;
  sp_product_default(p);
  const char *v;
  if ((v = cli_get(o, n, "daycount")) &&
      sp_daycount_parse(v, "--daycount", &p->daycount, &err))
    return fail_err(cmd, &err);
  const char *annual = cli_get(o, n, "annual-rate"),
             *daily = cli_get(o, n, "daily-rate");
  if ((annual != NULL) == (daily != NULL))
    return cli_usage_error(cmd,
                           "--annual-rate or --daily-rate: give exactly one");
  if (annual && sp_rate_parse(annual, "--annual-rate", &p->annual_rate, &err))
    return fail_err(cmd, &err);
  if (daily) {
    int64_t d;
    if (sp_rate_parse(daily, "--daily-rate", &d, &err))
      return fail_err(cmd, &err);
    p->annual_rate = d * sp_daycount_basis(p->daycount);
  }
  p->per_second = cli_get(o, n, "per-second") != NULL;
  if ((v = cli_get(o, n, "penalty-factor"))) {
    int64_t x;
    if (sp_money_parse(v, "--penalty-factor", &x, &err) || x < 0 || x > 1000)
      return cli_usage_error(
          cmd, "--penalty-factor: a number from 0 to 10 like 1.5");
    p->penalty_factor_bp = x * 100;
  }
  if ((v = cli_get(o, n, "alloc")) &&
      sp_alloc_parse(v, "--alloc", p->alloc, &err))
    return fail_err(cmd, &err);
  if ((v = cli_get(o, n, "rounding")) &&
      sp_rounding_parse(v, "--rounding", &p->rounding, &err))
    return fail_err(cmd, &err);
  if ((v = cli_get(o, n, "method")) &&
      sp_method_parse(v, "--method", &p->method, &err))
    return fail_err(cmd, &err);
  if ((v = cli_get(o, n, "term"))) {
    char *end;
    long t = strtol(v, &end, 10);
    if (*end || end == v || t < 1 || t > SP_SCHEDULE_TERM_MAX)
      return cli_usage_error(cmd,
                             "--term: a whole number of months from 1 to %d",
                             SP_SCHEDULE_TERM_MAX);
    p->term_months = (int32_t)t;
  }
  return 0;
}

int book_open(const cli_cmd *cmd, const cli_opt *o, size_t n, int create,
              sp_book **out) {
  sp_error err;
  const char *db = cli_get(o, n, "db");
  if (db == NULL)
    return cli_usage_error(cmd, "--db: required (see --help)");
  int rc = create ? sp_book_open(db, out, &err)
                  : sp_book_open_existing(db, out, &err);
  return rc == SP_OK ? 0 : cli_fail(cmd, &err);
}

int book_dispatch(const char *group, const book_sub *subs, size_t n, int argc,
                  char **argv) {
  if (argc < 1 || strcmp(argv[0], "--help") == 0) {
    FILE *f = argc < 1 ? stderr : stdout;
    fprintf(f, "usage: sparrow %s SUBCOMMAND [OPTIONS]\n\nsubcommands:\n",
            group);
    for (size_t i = 0; i < n; i++)
      fprintf(f, "  %-10s %s\n", subs[i].name, subs[i].summary);
    return argc < 1 ? CLI_EXIT_USAGE : CLI_EXIT_OK;
  }
  for (size_t i = 0; i < n; i++) {
    if (strcmp(argv[0], subs[i].name) == 0) {
      char full[64];
      snprintf(full, sizeof full, "%s %s", group, subs[i].name);
      cli_cmd cmd = {
          .name = full, .summary = subs[i].summary, .usage = "[OPTIONS]"};
      return subs[i].run(&cmd, argc - 1, argv + 1);
    }
  }
  fprintf(stderr, "sparrow %s: unknown subcommand '%s' (see --help)\n", group,
          argv[0]);
  return CLI_EXIT_USAGE;
}

int book_finish(const cli_cmd *cmd, sp_book *b, const char *id,
                cli_format format, int rc, sp_error *err) {
  sp_loan_view v;
  if (rc == SP_OK)
    rc = sp_loan_get(b, id, &v, err);
  if (rc == SP_OK)
    book_print_loan(stdout, &v, format);
  sp_book_close(b);
  return rc == SP_OK ? 0 : cli_fail(cmd, err);
}
