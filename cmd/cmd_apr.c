/* sparrow apr: annualized rate of a loan's cash flows.
 *
 * Two modes:
 *  - level payments: --received, --payment, --count, --frequency give the
 *    IRR annualized rate (periodic rate x periods per year, PBoC
 *    Announcement [2021] No. 3);
 *  - dated flows: --flows F.csv with the header "date,amount", one flow per
 *    line, amount NEGATIVE for money advanced to the borrower and POSITIVE
 *    for money repaid (e.g. "2026-01-13,-6000.00"). Prints the dated IRR
 *    as a nominal annualized rate (daily rate x 365) and as an effective
 *    annual rate ((1 + daily)^365 - 1), and the Regulation Z Appendix J
 *    APR with --unit-period (monthly by default).
 * CSV errors name the line and the column (1-based, in characters). Blank
 * lines and a trailing CR are ignored. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "sparrow/apr.h"
#include "sparrow/money.h"

#define FLOWS_LINE_MAX 256

static const cli_cmd apr_cmd = {
    "apr", "annualized rate (IRR method) of a loan's cash flows",
    "--received AMOUNT --payment AMOUNT --count N [--frequency F] | "
    "--flows F.csv [--unit-period U]  [--format text|json]"};

static int64_t payments_fen[SP_APR_FLOWS_MAX];
static sp_cash_flow flows[SP_APR_FLOWS_MAX];

static int fail_csv(const char *path, const sp_error *err) {
  return cli_usage_error(&apr_cmd, "--flows: %s line %d, column %d: %s", path,
                         err->line, err->column, err->message);
}

/* Parses one "date,amount" line (without its newline) into *out. */
static int parse_flow(char *line, int line_no, sp_cash_flow *out,
                      sp_error *err) {
  char *comma = strchr(line, ',');
  if (comma == NULL)
    return sp_error_set_at(err, SP_EPARSE, "amount", line_no,
                           (int)strlen(line) + 1,
                           "expected two columns, date,amount");
  *comma = '\0';
  char *amount = comma + 1;
  int amount_col = (int)(amount - line) + 1;
  if (strchr(amount, ',') != NULL)
    return sp_error_set_at(err, SP_EPARSE, "amount", line_no,
                           amount_col + (int)(strchr(amount, ',') - amount),
                           "more than two columns");
  sp_error inner;
  if (sp_date_parse(line, "date", &out->date, &inner) != SP_OK)
    return sp_error_set_at(err, inner.code, "date", line_no, 1, "%s",
                           inner.message);
  if (sp_money_parse(amount, "amount", &out->amount_fen, &inner) != SP_OK)
    return sp_error_set_at(err, inner.code, "amount", line_no, amount_col, "%s",
                           inner.message);
  return SP_OK;
}

static void chomp(char *line) {
  size_t len = strlen(line);
  while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
    line[--len] = '\0';
}

/* Reads the flows file into flows[0..*n_out); returns 0, or
 * CLI_EXIT_USAGE after printing the error. */
static int read_flows(const char *path, size_t *n_out) {
  FILE *f = fopen(path, "r");
  if (f == NULL)
    return cli_usage_error(&apr_cmd, "--flows: cannot open '%s': %s", path,
                           strerror(errno));
  char line[FLOWS_LINE_MAX + 2];
  sp_error err;
  size_t n = 0;
  int line_no = 0, rc = 0;
  sp_error_clear(&err);
  while (rc == 0 && fgets(line, sizeof line, f) != NULL) {
    line_no++;
    if (strlen(line) > FLOWS_LINE_MAX && strchr(line, '\n') == NULL) {
      sp_error_set_at(&err, SP_ELIMIT, "line", line_no, FLOWS_LINE_MAX + 1,
                      "line longer than %d characters", FLOWS_LINE_MAX);
      rc = fail_csv(path, &err);
      break;
    }
    chomp(line);
    if (line_no == 1) {
      if (strcmp(line, "date,amount") != 0) {
        sp_error_set_at(&err, SP_EPARSE, "header", 1, 1,
                        "the header must be 'date,amount'");
        rc = fail_csv(path, &err);
      }
      continue;
    }
    if (line[0] == '\0')
      continue;
    if (n == SP_APR_FLOWS_MAX) {
      sp_error_set_at(&err, SP_ELIMIT, "flows", line_no, 1,
                      "more than %d flows", SP_APR_FLOWS_MAX);
      rc = fail_csv(path, &err);
    } else if (parse_flow(line, line_no, &flows[n++], &err) != SP_OK) {
      rc = fail_csv(path, &err);
    }
  }
  if (rc == 0 && line_no == 0) {
    sp_error_set_at(&err, SP_EPARSE, "header", 1, 1,
                    "empty file; the header must be 'date,amount'");
    rc = fail_csv(path, &err);
  }
  fclose(f);
  *n_out = n;
  return rc;
}

/* Writes "key":"12.34%","key_exact":"12.345678%" (JSON members). */
static void print_rate(const char *key, int64_t rate, int first) {
  char two[32], six[32];
  sp_rate_format_percent(rate, 2, two, sizeof two);
  sp_rate_format_percent(rate, 6, six, sizeof six);
  printf("%s\"%s\":\"%s\",\"%s_exact\":\"%s\"", first ? "" : ",", key, two, key,
         six);
}

static int run_flows(const cli_opt *o, size_t n_opts, int json) {
  sp_unit_period unit = SP_UNIT_MONTH;
  sp_error err;
  const char *unit_text = cli_get(o, n_opts, "unit-period");
  if (unit_text != NULL &&
      sp_unit_period_parse(unit_text, "--unit-period", &unit, &err))
    return cli_fail(&apr_cmd, &err);
  size_t n = 0;
  if (read_flows(cli_get(o, n_opts, "flows"), &n) != 0)
    return CLI_EXIT_USAGE;
  int64_t nominal, effective = -1, regz;
  int rc = sp_apr_dated(flows, n, &nominal, &effective, &err);
  if (rc == SP_ERANGE && strcmp(err.field, "effective_rate") == 0)
    rc = sp_apr_dated(flows, n, &nominal, NULL, &err); /* too large */
  if (rc != SP_OK || sp_apr_regz_dated(flows, n, unit, &regz, &err) != SP_OK)
    return cli_usage_error(&apr_cmd, "--flows: %s", err.message);
  char a[32], b[32], c[32];
  sp_rate_format_percent(nominal, 2, a, sizeof a);
  sp_rate_format_percent(effective, 2, b, sizeof b);
  sp_rate_format_percent(regz, 2, c, sizeof c);
  if (!json) {
    printf("annualized rate (IRR, daily rate x 365): %s\n", a);
    printf("effective annual rate (IRR): %s\n",
           effective < 0 ? "too large" : b);
    printf("APR (Regulation Z Appendix J, %s unit period): %s\n",
           sp_unit_period_name(unit), c);
    return CLI_EXIT_OK;
  }
  printf("{\"flows\":%zu,\"unit_period\":\"%s\",", n,
         sp_unit_period_name(unit));
  print_rate("irr_annualized_rate", nominal, 1);
  if (effective >= 0)
    print_rate("effective_annual_rate", effective, 0);
  else
    printf(",\"effective_annual_rate\":null");
  print_rate("regz_apr", regz, 0);
  printf("}\n");
  return CLI_EXIT_OK;
}

static int parse_count(const char *text, int *out) {
  char *end = NULL;
  long v = strtol(text, &end, 10);
  if (text[0] < '0' || text[0] > '9' || *end != '\0' || v < 1 ||
      v > SP_APR_FLOWS_MAX)
    return cli_usage_error(&apr_cmd,
                           "--count: '%s' is not a number of payments from "
                           "1 to %d",
                           text, SP_APR_FLOWS_MAX);
  *out = (int)v;
  return 0;
}

static int parse_positive(const cli_opt *o, size_t n_opts, const char *name,
                          int64_t *out) {
  char field[32];
  sp_error err;
  snprintf(field, sizeof field, "--%s", name);
  if (sp_money_parse(cli_get(o, n_opts, name), field, out, &err) != SP_OK)
    return cli_fail(&apr_cmd, &err);
  if (*out <= 0)
    return cli_usage_error(&apr_cmd, "%s: must be positive", field);
  return 0;
}

static int run_level(const cli_opt *o, size_t n_opts, int json) {
  static const char *const required[] = {"received", "payment", "count", NULL};
  if (cli_require(&apr_cmd, o, n_opts, required))
    return CLI_EXIT_USAGE;
  int64_t received, payment;
  int count = 0;
  sp_unit_period freq = SP_UNIT_MONTH;
  sp_error err;
  const char *freq_text = cli_get(o, n_opts, "frequency");
  if (parse_positive(o, n_opts, "received", &received) ||
      parse_positive(o, n_opts, "payment", &payment) ||
      parse_count(cli_get(o, n_opts, "count"), &count))
    return CLI_EXIT_USAGE;
  if (freq_text != NULL &&
      sp_unit_period_parse(freq_text, "--frequency", &freq, &err))
    return cli_fail(&apr_cmd, &err);
  for (int i = 0; i < count; i++)
    payments_fen[i] = payment;
  int64_t rate;
  if (sp_apr_periodic(received, payments_fen, (size_t)count,
                      sp_unit_period_per_year(freq), &rate, &err) != SP_OK)
    return cli_usage_error(&apr_cmd, "--payment: %s", err.message);
  char two[32], a[32], b[32];
  sp_rate_format_percent(rate, 2, two, sizeof two);
  if (!json) {
    printf("annualized rate (IRR): %s\n", two);
    return CLI_EXIT_OK;
  }
  sp_money_format(received, a, sizeof a);
  sp_money_format(payment, b, sizeof b);
  printf("{\"received\":\"%s\",\"payment\":\"%s\",\"count\":%d,"
         "\"frequency\":\"%s\",",
         a, b, count, sp_unit_period_name(freq));
  print_rate("irr_annualized_rate", rate, 1);
  printf("}\n");
  return CLI_EXIT_OK;
}

int cmd_apr(int argc, char **argv) {
  cli_opt opts[] = {
      {"received", 1, "amount the borrower actually received", NULL},
      {"payment", 1, "level payment, paid at the end of each period", NULL},
      {"count", 1, "number of payments", NULL},
      {"frequency", 1,
       "monthly (default), weekly, biweekly, semimonthly, quarterly, yearly, "
       "daily",
       NULL},
      {"flows", 1, "CSV date,amount: negative = advanced, positive = repaid",
       NULL},
      {"unit-period", 1, "Appendix J unit period for --flows (monthly)", NULL},
      {"format", 1, "text (default) or json", NULL}};
  const size_t n_opts = sizeof opts / sizeof opts[0];
  int rc = cli_parse(&apr_cmd, argc, argv, opts, n_opts);
  if (rc != 0)
    return rc == 1 ? CLI_EXIT_OK : rc;
  cli_format format;
  if (cli_parse_format(&apr_cmd, cli_get(opts, n_opts, "format"),
                       CLI_FORMAT_TEXT, &format))
    return CLI_EXIT_USAGE;
  if (format == CLI_FORMAT_CSV)
    return cli_usage_error(&apr_cmd, "--format: use text or json");
  int json = format == CLI_FORMAT_JSON;
  if (cli_get(opts, n_opts, "flows") == NULL) {
    if (cli_get(opts, n_opts, "unit-period") != NULL)
      return cli_usage_error(&apr_cmd, "--unit-period: only with --flows");
    rc = run_level(opts, n_opts, json);
  } else {
    static const char *const level_only[] = {"received", "payment", "count",
                                             "frequency"};
    for (size_t i = 0; i < 4; i++)
      if (cli_get(opts, n_opts, level_only[i]) != NULL)
        return cli_usage_error(&apr_cmd, "--%s: not allowed with --flows",
                               level_only[i]);
    rc = run_flows(opts, n_opts, json);
  }
  if (rc == CLI_EXIT_OK && fflush(stdout) != 0)
    return CLI_EXIT_FAIL;
  return rc;
}
