/* sparrow clean: Tukey's fences for outliers and a cross-source
 * consistency check (see sparrow/clean.h). Writes the rows back with two
 * more columns: `review` (1 when a consistency pair disagrees beyond its
 * tolerance) and `flags` (what was found, e.g. "outlier monthly_sales >
 * 512000; invoice_sales_12m~tax_sales_12m differ 35.0%"); with --cap,
 * outliers are replaced by the fence they crossed (winsorized). --report
 * writes the fences and counts as JSON. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "sparrow/clean.h"

#define N(o) (sizeof(o) / sizeof((o)[0]))
#define LIST_MAX 64

typedef struct plan {
  sp_clean_fence fence[LIST_MAX];
  int n_fences;
  sp_clean_pair pair[LIST_MAX];
  int n_pairs;
  int cap;
} plan;

static long column_of(const sp_card_table *t, const char *name) {
  for (size_t c = 0; c < sp_card_table_columns(t); c++)
    if (strcmp(sp_card_table_name(t, c), name) == 0)
      return (long)c;
  return -1;
}

static int parse_outliers(const sp_card_table *t, char *list, double k, plan *p,
                          sp_error *err) {
  for (char *s = strtok(list, ","); s; s = strtok(NULL, ",")) {
    long c = column_of(t, s);
    if (c < 0)
      return sp_error_set(err, SP_ENOTFOUND, "outliers",
                          "--outliers: no column '%s' in --data", s);
    if (p->n_fences == LIST_MAX)
      return sp_error_set(err, SP_ELIMIT, "outliers", "--outliers: over %d",
                          LIST_MAX);
    int rc = sp_clean_fences(t, (size_t)c, k, &p->fence[p->n_fences++], err);
    if (rc != SP_OK)
      return rc;
  }
  return SP_OK;
}

/* "a~b:20%" */
static int parse_pairs(const sp_card_table *t, char *list, plan *p,
                       sp_error *err) {
  for (char *s = strtok(list, ","); s; s = strtok(NULL, ",")) {
    char *tilde = strchr(s, '~'), *colon = strrchr(s, ':'), *end = NULL;
    double pct = colon ? strtod(colon + 1, &end) : -1;
    if (!tilde || !colon || colon < tilde || end == colon + 1 ||
        strcmp(end, "%") != 0 || pct < 0 || pct > 1000)
      return sp_error_set(err, SP_EINVAL, "consistent",
                          "--consistent: COLUMN~COLUMN:PERCENT%%, e.g. "
                          "invoice_sales_12m~tax_sales_12m:20%%, not '%s'",
                          s);
    *tilde = '\0', *colon = '\0';
    long a = column_of(t, s), b = column_of(t, tilde + 1);
    if (a < 0 || b < 0)
      return sp_error_set(err, SP_ENOTFOUND, "consistent",
                          "--consistent: no column '%s' in --data",
                          a < 0 ? s : tilde + 1);
    if (p->n_pairs == LIST_MAX)
      return sp_error_set(err, SP_ELIMIT, "consistent", "--consistent: over %d",
                          LIST_MAX);
    p->pair[p->n_pairs++] = (sp_clean_pair){(size_t)a, (size_t)b, pct / 100, 0};
  }
  return SP_OK;
}

static void write_row(FILE *f, const sp_card_table *t, size_t r, plan *p) {
  char flags[2048] = "";
  size_t used = 0;
  int review = 0;
  for (size_t c = 0; c < sp_card_table_columns(t); c++) {
    const char *cell = sp_card_table_cell(t, r, c);
    char capped[64];
    for (int i = 0; i < p->n_fences; i++) {
      double v;
      int side = p->fence[i].column == c
                     ? sp_clean_outside(t, r, &p->fence[i], &v)
                     : 0;
      if (side == 0)
        continue;
      double fence = side < 0 ? p->fence[i].low : p->fence[i].high;
      used += (size_t)snprintf(flags + used, sizeof flags - used,
                               "%soutlier %s %s %.10g", used ? "; " : "",
                               sp_card_table_name(t, c), side < 0 ? "<" : ">",
                               fence);
      if (p->cap) {
        snprintf(capped, sizeof capped, "%.17g", fence);
        cell = capped;
      }
    }
    if (used >= sizeof flags)
      used = sizeof flags - 1;
    cli_csv_field(f, cell);
    fputc(',', f);
  }
  for (int i = 0; i < p->n_pairs; i++) {
    double gap;
    if (!sp_clean_inconsistent(t, r, &p->pair[i], &gap))
      continue;
    review = 1;
    p->pair[i].flagged++;
    used += (size_t)snprintf(flags + used, sizeof flags - used,
                             "%s%s~%s differ %.1f%%", used ? "; " : "",
                             sp_card_table_name(t, p->pair[i].a),
                             sp_card_table_name(t, p->pair[i].b), gap * 100);
    if (used >= sizeof flags)
      used = sizeof flags - 1;
  }
  fprintf(f, "%d,", review);
  cli_csv_field(f, flags);
  fputc('\n', f);
}

static int write_report(const char *path, const sp_card_table *t, const plan *p,
                        sp_error *err) {
  json_t *fences = json_array(), *pairs = json_array();
  for (int i = 0; i < p->n_fences; i++) {
    const sp_clean_fence *f = &p->fence[i];
    json_array_append_new(
        fences,
        json_pack("{s:s,s:I,s:f,s:f,s:f,s:f,s:I,s:I}", "column",
                  sp_card_table_name(t, f->column), "n", (json_int_t)f->n, "q1",
                  f->q1, "q3", f->q3, "low", f->low, "high", f->high, "below",
                  (json_int_t)f->below, "above", (json_int_t)f->above));
  }
  for (int i = 0; i < p->n_pairs; i++)
    json_array_append_new(pairs,
                          json_pack("{s:s,s:s,s:f,s:I}", "a",
                                    sp_card_table_name(t, p->pair[i].a), "b",
                                    sp_card_table_name(t, p->pair[i].b),
                                    "tolerance", p->pair[i].tolerance,
                                    "flagged", (json_int_t)p->pair[i].flagged));
  json_t *o =
      json_pack("{s:I,s:o,s:o}", "rows", (json_int_t)sp_card_table_rows(t),
                "fences", fences, "consistency", pairs);
  cli_out res;
  int rc = cli_out_open(&res, path) == 0 ? SP_OK : SP_EIO;
  if (rc == SP_OK) {
    json_dumpf(o, res.f, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    fputc('\n', res.f);
    rc = cli_out_finish(&res, 1) == 0 ? SP_OK : SP_EIO;
  }
  json_decref(o);
  return rc == SP_OK ? SP_OK
                     : sp_error_set(err, SP_EIO, "report",
                                    "--report: cannot write '%s'", path);
}

static int run(const cli_opt *o, size_t n, plan *p, sp_error *err) {
  sp_card_table *t;
  int rc = sp_card_table_read_file(cli_get(o, n, "data"), &t, err);
  if (rc != SP_OK) {
    snprintf(err->field, sizeof err->field, "data");
    return rc;
  }
  static char outl[4096], cons[4096];
  snprintf(outl, sizeof outl, "%s",
           cli_get(o, n, "outliers") ? cli_get(o, n, "outliers") : "");
  snprintf(cons, sizeof cons, "%s",
           cli_get(o, n, "consistent") ? cli_get(o, n, "consistent") : "");
  const char *ks = cli_get(o, n, "k");
  char *end = NULL;
  double k = ks ? strtod(ks, &end) : 1.5;
  if (ks && (end == ks || *end || !(k > 0) || k > 100))
    rc = sp_error_set(err, SP_EINVAL, "k", "--k: a number above 0, e.g. 1.5");
  if (rc == SP_OK)
    rc = parse_outliers(t, outl, k, p, err);
  if (rc == SP_OK)
    rc = parse_pairs(t, cons, p, err);
  cli_out res;
  if (rc == SP_OK && cli_out_open(&res, cli_get(o, n, "out")) != 0)
    rc = sp_error_set(err, SP_EIO, "out", "--out: cannot write");
  if (rc == SP_OK) {
    for (size_t c = 0; c < sp_card_table_columns(t); c++) {
      cli_csv_field(res.f, sp_card_table_name(t, c));
      fputc(',', res.f);
    }
    fputs("review,flags\n", res.f);
    for (size_t r = 0; r < sp_card_table_rows(t); r++)
      write_row(res.f, t, r, p);
    if (cli_out_finish(&res, 1) != 0)
      rc = sp_error_set(err, SP_EIO, "out", "--out: cannot write");
  }
  if (rc == SP_OK && cli_get(o, n, "report"))
    rc = write_report(cli_get(o, n, "report"), t, p, err);
  sp_card_table_free(t);
  return rc;
}

int cmd_clean(int argc, char **argv) {
  static const cli_cmd cmd = {
      "clean",
      "Data cleaning: Tukey's fences flag (or, with --cap, winsorize) "
      "outliers;\n"
      "a cross-source consistency check flags records for review when two "
      "sources\n"
      "of the same quantity differ beyond a tolerance. Adds the columns "
      "review and\nflags.",
      "--data D.csv [--outliers a,b] [--k 1.5] [--cap] [--consistent "
      "a~b:20%,...] [--out O.csv] [--report R.json]"};
  cli_opt o[] = {
      {"data", 1, "CSV with a header", 0},
      {"outliers", 1, "numeric columns to fence, comma-separated", 0},
      {"k", 1, "fence width in IQRs (1.5; 3 for far outliers)", 0},
      {"cap", 0, "replace outliers by the fence they crossed", 0},
      {"consistent", 1,
       "pairs COLUMN~COLUMN:PERCENT% that must agree within PERCENT", 0},
      {"out", 1, "output CSV (default: standard output)", 0},
      {"report", 1, "fences and counts as JSON", 0}};
  int rc = cli_parse(&cmd, argc, argv, o, N(o));
  static const char *const req[] = {"data", NULL};
  if (rc || (rc = cli_require(&cmd, o, N(o), req)))
    return rc == 1 ? 0 : rc;
  if (!cli_get(o, N(o), "outliers") && !cli_get(o, N(o), "consistent"))
    return cli_usage_error(&cmd, "--outliers or --consistent: nothing to do");
  static plan p;
  p.cap = cli_get(o, N(o), "cap") != NULL;
  sp_error err;
  sp_error_clear(&err);
  return run(o, N(o), &p, &err) == SP_OK ? 0 : cli_fail(&cmd, &err);
}
