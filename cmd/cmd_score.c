/* sparrow score: scores a CSV of applicants with a tree model (XGBoost
 * JSON, binary:logistic), writing for each row, in order: the input's
 * first column when it is not a model feature (an id), the score, the
 * probability of default and the top reasons (the features that raised
 * the probability most, by TreeSHAP).
 *
 * Score: 600 points at good:bad odds of 50:1, 20 points to double the
 * odds (score = 600 + 20 / ln 2 * (ln((1 - pd) / pd) - ln 50)), rounded.
 * Output is written to a temporary file and moved into place (or copied to
 * stdout) only when every row scored: bad input leaves no partial output.
 * A Sparrow scorecard (from `sparrow train`, recognised by its "format"
 * member) is scored by score_card.c instead: its score is its points. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "score_card.h"
#include "sparrow/csv.h"
#include "sparrow/tree.h"

#define N(o) (sizeof(o) / sizeof((o)[0]))
#define REASONS_MAX 4

typedef struct scorer {
  sp_tree_model *model;
  size_t n_features, n_columns;
  size_t *column_of;
  int id_column; /* 1 when column 0 is passed through */
  float *values, *features;
  double *contribs;
  size_t reasons[REASONS_MAX];
} scorer;

static int parse_value(const char *text, size_t len, float *out) {
  if (len == 0 || strcmp(text, "NA") == 0 || strcmp(text, "NaN") == 0) {
    *out = NAN;
    return 0;
  }
  char *end;
  float v = strtof(text, &end);
  if (end != text + len || !isfinite(v))
    return -1;
  *out = v;
  return 0;
}

static int score_row(scorer *s, sp_csv *csv, FILE *out, sp_error *err) {
  if ((size_t)sp_csv_count(csv) != s->n_columns)
    return sp_error_set_at(err, SP_EINVAL, "data", (int)sp_csv_line(csv), 0,
                           "--data: line %ld has %d fields, the header %zu",
                           sp_csv_line(csv), sp_csv_count(csv), s->n_columns);
  for (size_t f = 0; f < s->n_features; f++) {
    size_t c = s->column_of[f], len;
    const char *text = sp_csv_field(csv, (int)c, &len);
    if (parse_value(text, len, &s->values[c]) != 0)
      return sp_error_set_at(
          err, SP_EINVAL, "data", (int)sp_csv_line(csv), (int)c + 1,
          "--data: line %ld, column %zu (%s): '%s' is not "
          "a number",
          sp_csv_line(csv), c + 1, sp_tree_feature_name(s->model, f), text);
  }
  sp_tree_gather(s->model, s->column_of, s->values, s->n_columns, s->features);
  double pd = sp_tree_probability(s->model, s->features);
  double p = fmin(fmax(pd, 1e-15), 1 - 1e-15);
  long points = lround(600 + 20 / log(2.0) * (log((1 - p) / p) - log(50.0)));
  sp_tree_contributions(s->model, s->features, s->contribs);
  size_t k = sp_tree_top_reasons(s->model, s->contribs, SP_TREE_TOWARD_POSITIVE,
                                 REASONS_MAX, s->reasons);
  if (s->id_column) {
    cli_csv_field(out, sp_csv_field(csv, 0, NULL));
    fputc(',', out);
  }
  fprintf(out, "%ld,%.9g", points, pd);
  for (size_t r = 0; r < REASONS_MAX; r++) {
    fputc(',', out);
    if (r < k)
      cli_csv_field(out, sp_tree_feature_name(s->model, s->reasons[r]));
  }
  fputc('\n', out);
  return SP_OK;
}

/* Reads the header, maps the model's features, prepares buffers. */
static int score_setup(scorer *s, sp_csv *csv, FILE *out, sp_error *err) {
  int rc = sp_csv_next(csv, err);
  if (rc == 0)
    return sp_error_set(err, SP_EINVAL, "data", "--data: no header");
  if (rc < 0)
    return rc;
  s->n_columns = (size_t)sp_csv_count(csv);
  s->n_features = sp_tree_feature_count(s->model);
  const char **header = calloc(s->n_columns, sizeof *header);
  s->column_of = calloc(s->n_features, sizeof *s->column_of);
  s->values = calloc(s->n_columns, sizeof *s->values);
  s->features = calloc(s->n_features, sizeof *s->features);
  s->contribs = calloc(s->n_features + 1, sizeof *s->contribs);
  if (!header || !s->column_of || !s->values || !s->features || !s->contribs) {
    free(header);
    return sp_error_set(err, SP_ENOMEM, "data", "out of memory");
  }
  for (size_t c = 0; c < s->n_columns; c++)
    header[c] = sp_csv_field(csv, (int)c, NULL);
  rc = sp_tree_map_header(s->model, header, s->n_columns, s->column_of, err);
  s->id_column = 1;
  for (size_t f = 0; rc == SP_OK && f < s->n_features; f++)
    if (s->column_of[f] == 0)
      s->id_column = 0;
  if (rc == SP_OK) {
    if (s->id_column) {
      cli_csv_field(out, header[0]);
      fputc(',', out);
    }
    fprintf(out, "score,pd,reason_1,reason_2,reason_3,reason_4\n");
  } else if (rc == SP_ENOTFOUND || rc == SP_EINVAL) {
    char msg[sizeof err->message];
    snprintf(msg, sizeof msg, "%s", err->message);
    sp_error_set(err, rc, "data", "--data: %s", msg);
  }
  free(header);
  return rc;
}

static int score_all(void *ctx, FILE *in, FILE *out, sp_error *err) {
  scorer *s = ctx;
  static sp_csv csv; /* large: not on the stack */
  sp_csv_init_file(&csv, in);
  int rc = score_setup(s, &csv, out, err);
  while (rc == SP_OK) {
    int more = sp_csv_next(&csv, err);
    if (more <= 0) {
      rc = more;
      break;
    }
    rc = score_row(s, &csv, out, err);
  }
  return rc;
}

static int card_all(void *ctx, FILE *in, FILE *out, sp_error *err) {
  return score_card_all(ctx, in, out, err);
}

int cmd_score(int argc, char **argv) {
  static const cli_cmd cmd = {
      "score",
      "Scores every row of a CSV with a model: score, probability of default "
      "(pd)\nand the top four reasons. M is an XGBoost JSON model "
      "(binary:logistic) or a\nscorecard from sparrow train; its features "
      "are matched to the CSV header\nby name.",
      "--model M --data D.csv [--out S.csv]"};
  cli_opt o[] = {
      {"model", 1, "XGBoost JSON model or sparrow train scorecard", 0},
      {"data", 1, "CSV with a header naming the model's features", 0},
      {"out", 1, "output CSV (default: standard output)", 0}};
  int rc = cli_parse(&cmd, argc, argv, o, N(o));
  static const char *const req[] = {"model", "data", NULL};
  if (rc || (rc = cli_require(&cmd, o, N(o), req)))
    return rc == 1 ? 0 : rc;
  sp_error err;
  scorer s = {0};
  sp_card *card = NULL;
  const char *model = cli_get(o, N(o), "model");
  if (sp_card_detect_file(model)) {
    if (sp_card_load_file(model, &card, &err) != SP_OK)
      return cli_usage_error(&cmd, "--model: %s", err.message);
  } else if (sp_tree_load_file(model, &s.model, &err) != SP_OK) {
    return cli_usage_error(&cmd, "--model: %s", err.message);
  }
  rc = cli_rows(cli_get(o, N(o), "data"), cli_get(o, N(o), "out"),
                card ? card_all : score_all, card ? (void *)card : &s, &err);
  sp_tree_free(s.model);
  sp_card_free(card);
  free(s.column_of);
  free(s.values);
  free(s.features);
  free(s.contribs);
  return rc == SP_OK ? 0 : cli_fail(&cmd, &err);
}
