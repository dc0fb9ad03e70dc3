/* sparrow decide: decides every applicant of a CSV with a decision flow
 * (sparrow/decide.h), writing for each row, in order: the input's first
 * column when it is an id (named id, or ending in _id), the --keep
 * columns (e.g. protected ones, for sparrow audit-model), then decision,
 * limit, annual_rate, score, pd, the rules that fired and reason_1..4.
 * The output appears only when every row was decided. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli.h"
#include "sparrow/csv.h"
#include "sparrow/decide.h"
#include "sparrow/money.h"

#define N(o) (sizeof(o) / sizeof((o)[0]))
#define COLUMNS_MAX 1024
#define KEEP_MAX 16

/* The --keep columns: names, then their positions in the header. */
static struct {
  char list[1024];
  const char *name[KEEP_MAX];
  size_t at[KEEP_MAX];
  int n;
} keep;

static int keep_bind(const char *const *header, size_t n, sp_error *err) {
  for (int k = 0; k < keep.n; k++) {
    size_t i = 0;
    while (i < n && strcmp(header[i], keep.name[k]) != 0)
      i++;
    if (i == n)
      return sp_error_set(err, SP_ENOTFOUND, "keep",
                          "--keep: no column '%s' in --data", keep.name[k]);
    keep.at[k] = i;
  }
  return SP_OK;
}

static void keep_write(FILE *out, const char *const *fields, size_t n) {
  for (int k = 0; k < keep.n; k++) {
    cli_csv_field(out, keep.at[k] < n ? fields[keep.at[k]] : "");
    fputc(',', out);
  }
}

static int is_id(const char *name) {
  size_t n = strlen(name);
  return strcasecmp(name, "id") == 0 ||
         (n > 3 && strcasecmp(name + n - 3, "_id") == 0);
}

static void write_row(FILE *out, const char *id, const char *const *fields,
                      size_t n, const sp_decision *d) {
  char limit[32], rate[32];
  sp_money_format(d->limit_fen, limit, sizeof limit);
  sp_rate_format_percent(d->annual_rate, 2, rate, sizeof rate);
  if (id != NULL) {
    cli_csv_field(out, id);
    fputc(',', out);
  }
  keep_write(out, fields, n);
  fprintf(out, "%s,%s,%s,%.0f,%.6f,", sp_decide_outcome_name(d->outcome), limit,
          rate, d->score, d->pd);
  char rules[SP_DECIDE_RULES_MAX * 33] = "";
  for (int i = 0; i < d->n_rules; i++) {
    strcat(rules, i ? " " : "");
    strcat(rules, d->rules_fired[i]);
  }
  cli_csv_field(out, rules);
  for (int i = 0; i < SP_DECIDE_REASONS_MAX; i++) {
    fputc(',', out);
    cli_csv_field(out, i < d->n_reasons ? d->reasons[i] : "");
  }
  fputc('\n', out);
}

static int decide_all(void *ctx, FILE *in, FILE *out, sp_error *err) {
  sp_flow *flow = ctx;
  static sp_csv csv; /* large: not on the stack */
  static const char *fields[COLUMNS_MAX];
  sp_csv_init_file(&csv, in);
  int more = sp_csv_next(&csv, err), id = 0;
  if (more <= 0)
    return more < 0 ? more
                    : sp_error_set(err, SP_EINVAL, "data", "--data: empty");
  size_t n = (size_t)sp_csv_count(&csv);
  if (n > COLUMNS_MAX)
    return sp_error_set(err, SP_ELIMIT, "data", "--data: over %d columns",
                        COLUMNS_MAX);
  for (size_t i = 0; i < n; i++)
    fields[i] = sp_csv_field(&csv, (int)i, NULL);
  int rc = sp_flow_bind(flow, fields, n, err);
  if (rc == SP_OK)
    rc = keep_bind(fields, n, err);
  id = rc == SP_OK && is_id(fields[0]);
  if (rc == SP_OK) {
    fprintf(out, "%s%s", id ? fields[0] : "", id ? "," : "");
    keep_write(out, fields, n);
    fprintf(out, "decision,limit,annual_rate,score,pd,rules,reason_1,"
                 "reason_2,reason_3,reason_4\n");
  }
  while (rc == SP_OK && (more = sp_csv_next(&csv, err)) > 0) {
    size_t k = (size_t)sp_csv_count(&csv);
    for (size_t i = 0; i < k && i < COLUMNS_MAX; i++)
      fields[i] = sp_csv_field(&csv, (int)i, NULL);
    sp_decision d;
    rc = sp_flow_decide(flow, fields, k, sp_csv_line(&csv), &d, err);
    if (rc == SP_OK)
      write_row(out, id ? fields[0] : NULL, fields, k, &d);
  }
  return rc != SP_OK ? rc : more < 0 ? more : SP_OK;
}

int cmd_decide(int argc, char **argv) {
  static const cli_cmd cmd = {
      "decide",
      "Decides every applicant of a CSV with a decision flow: policy rules, "
      "the\nmodel's score, a limit and a risk-based price, and the reasons "
      "(see\ninclude/sparrow/decide.h for the flow file).",
      "--flow F.json --data D.csv [--keep a,b] [--out O.csv]"};
  cli_opt o[] = {{"flow", 1,
                  "decision flow JSON (schema, rules, model, limit, pricing)",
                  0},
                 {"data", 1, "CSV of applicants with a header", 0},
                 {"keep", 1, "input columns to copy to the output", 0},
                 {"out", 1, "output CSV (default: standard output)", 0}};
  int rc = cli_parse(&cmd, argc, argv, o, N(o));
  static const char *const req[] = {"flow", "data", NULL};
  if (rc || (rc = cli_require(&cmd, o, N(o), req)))
    return rc == 1 ? 0 : rc;
  if (cli_get(o, N(o), "keep") != NULL) {
    snprintf(keep.list, sizeof keep.list, "%s", cli_get(o, N(o), "keep"));
    for (char *t = strtok(keep.list, ","); t && keep.n < KEEP_MAX;
         t = strtok(NULL, ","))
      keep.name[keep.n++] = t;
  }
  sp_error err;
  sp_flow *flow;
  if (sp_flow_load_file(cli_get(o, N(o), "flow"), &flow, &err) != SP_OK)
    return cli_usage_error(&cmd, "--flow: %s", err.message);
  rc = cli_rows(cli_get(o, N(o), "data"), cli_get(o, N(o), "out"), decide_all,
                flow, &err);
  sp_flow_free(flow);
  return rc == SP_OK ? 0 : cli_fail(&cmd, &err);
}
