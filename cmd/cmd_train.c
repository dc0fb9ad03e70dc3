/* sparrow train: builds a credit scorecard from a CSV of past loans and
 * writes it as JSON, then prints the validation report (AUC, Gini, KS, a
 * calibration table by score band, PSI). The method is described at the
 * top of sparrow/scorecard.h. The card (and the split, with --split-out)
 * are written to temporary files and moved into place only when training
 * succeeded: bad input leaves no output. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "sparrow/scorecard.h"

#define N(o) (sizeof(o) / sizeof((o)[0]))

static const cli_cmd train_cmd = {
    "train",
    "Trains a credit scorecard (binning, WOE, logistic regression, points)\n"
    "on a CSV of past loans. Rows whose --target equals --bad are bad, all\n"
    "others good; rows with a blank target are dropped. A held-out share\n"
    "(--validation, chosen by --seed, not stratified) gives the report.\n"
    "--monotone x:+ makes the points never decrease as x grows (x:- never\n"
    "increase); without it bins may take any shape.",
    "--data D.csv --target COLUMN --bad VALUE --out model.json [options]"};

static int parse_double(const char *name, const char *text, double *out) {
  if (text == NULL)
    return 0;
  char *end;
  errno = 0;
  double v = strtod(text, &end);
  if (errno != 0 || end == text || *end != '\0' || !isfinite(v))
    return cli_usage_error(&train_cmd, "--%s: '%s' is not a number", name,
                           text);
  *out = v;
  return 0;
}

static int read_options(const cli_opt *o, size_t n, sp_card_options *opt) {
  sp_card_options_init(opt);
  opt->target = cli_get(o, n, "target");
  opt->bad_value = cli_get(o, n, "bad");
  opt->exclude = cli_get(o, n, "exclude");
  opt->protected_columns = cli_get(o, n, "protected");
  opt->monotone = cli_get(o, n, "monotone");
  int rc = cli_parse_seed(&train_cmd, cli_get(o, n, "seed"), &opt->seed);
  if (!rc)
    rc = parse_double("validation", cli_get(o, n, "validation"),
                      &opt->validation);
  if (!rc)
    rc = parse_double("pdo", cli_get(o, n, "pdo"), &opt->pdo);
  if (!rc)
    rc = parse_double("base-score", cli_get(o, n, "base-score"),
                      &opt->base_score);
  if (!rc)
    rc = parse_double("base-odds", cli_get(o, n, "base-odds"), &opt->base_odds);
  if (!rc)
    rc = parse_double("l2", cli_get(o, n, "l2"), &opt->l2);
  if (!rc)
    rc = parse_double("iv-min", cli_get(o, n, "iv-min"), &opt->iv_min);
  return rc;
}

/* One line naming the option the library's error is about. */
static int train_fail(const sp_error *err) {
  static const char *const options[] = {
      "target",     "bad",    "monotone",  "exclude",    "protected",
      "validation", "pdo",    "base-odds", "base-score", "l2",
      "data",       "schema", "out"};
  const char *dashes = "";
  for (size_t i = 0; i < N(options); i++)
    if (strcmp(err->field, options[i]) == 0)
      dashes = "--";
  fprintf(stderr, "sparrow train: %s%s: %s\n", dashes, err->field,
          err->message);
  return err->code == SP_EIO || err->code == SP_ENOMEM ? CLI_EXIT_FAIL
                                                       : CLI_EXIT_USAGE;
}

/* A temporary file next to path, with the usual file mode. */
static FILE *open_temp(const char *path, char *tmp, size_t cap) {
  snprintf(tmp, cap, "%s.XXXXXX", path);
  int fd = mkstemp(tmp);
  if (fd < 0)
    return NULL;
  mode_t mask = umask(0);
  umask(mask);
  fchmod(fd, 0666 & ~mask);
  FILE *f = fdopen(fd, "w");
  if (f == NULL) {
    close(fd);
    unlink(tmp);
  }
  return f;
}

static int write_split(FILE *f, const unsigned char *is_validation,
                       size_t rows) {
  fprintf(f, "row,validation\n");
  for (size_t r = 0; r < rows; r++)
    fprintf(f, "%zu,%d\n", r, is_validation[r]);
  return ferror(f) ? -1 : 0;
}

/* Writes the card and the split to temporary files, then renames both. */
static int write_outputs(const sp_card *card, const char *out,
                         const char *split_out, const unsigned char *split,
                         size_t rows, sp_error *err) {
  char tmp[4096], tmp_split[4096];
  FILE *f = open_temp(out, tmp, sizeof tmp);
  if (f == NULL)
    return sp_error_set(err, SP_EIO, "out", "cannot write next to '%s'", out);
  int rc = sp_card_write(card, f, err);
  if (fclose(f) != 0 && rc == SP_OK)
    rc = sp_error_set(err, SP_EIO, "out", "cannot write '%s'", out);
  FILE *s = rc == SP_OK && split_out
                ? open_temp(split_out, tmp_split, sizeof tmp_split)
                : NULL;
  if (rc == SP_OK && split_out &&
      (s == NULL || write_split(s, split, rows) != 0))
    rc = sp_error_set(err, SP_EIO, "split-out", "cannot write '%s'", split_out);
  if (s != NULL && fclose(s) != 0 && rc == SP_OK)
    rc = sp_error_set(err, SP_EIO, "split-out", "cannot write '%s'", split_out);
  if (rc == SP_OK && split_out && rename(tmp_split, split_out) != 0)
    rc = sp_error_set(err, SP_EIO, "split-out", "cannot write '%s'", split_out);
  if (rc == SP_OK && rename(tmp, out) != 0)
    rc = sp_error_set(err, SP_EIO, "out", "cannot write '%s'", out);
  if (rc != SP_OK) {
    unlink(tmp);
    if (s != NULL)
      unlink(tmp_split);
  }
  return rc;
}

static void print_report(const sp_card_report *r, const sp_card *card) {
  printf("rows %ld (dropped for a blank target: %ld); training %ld (%ld bad), "
         "validation %ld (%ld bad)\n",
         r->rows, r->rows_dropped, r->train_rows, r->train_bads,
         r->validation_rows, r->validation_bads);
  printf("characteristics: %d candidates, %d in the card:", r->candidates,
         r->selected);
  for (size_t i = 0; i < sp_card_feature_count(card); i++)
    printf(" %s", sp_card_feature_name(card, i));
  printf("\nAUC training %.4f, validation %.4f; validation Gini %.4f, "
         "KS %.4f; PSI %.4f\n",
         r->auc_train, r->auc_validation, r->gini_validation, r->ks_validation,
         r->psi);
  printf("%-16s %9s %9s %9s %9s %9s\n", "score band", "train", "count", "bads",
         "observed", "predicted");
  for (int b = 0; b < r->n_bands; b++) {
    const sp_card_band *band = &r->bands[b];
    char range[48];
    if (isinf(band->score_low))
      snprintf(range, sizeof range, "< %.0f", band->score_high);
    else if (isinf(band->score_high))
      snprintf(range, sizeof range, ">= %.0f", band->score_low);
    else
      snprintf(range, sizeof range, "%.0f - %.0f", band->score_low,
               band->score_high);
    double observed =
        band->count > 0 ? (double)band->bads / (double)band->count : NAN;
    printf("%-16s %9ld %9ld %9ld %9.4f %9.4f\n", range, band->train_count,
           band->count, band->bads, observed, band->pd_predicted);
  }
}

static int train_run(const cli_opt *o, size_t n, const sp_card_options *opt) {
  static sp_schema schema; /* large: not on the stack */
  sp_error err;
  sp_error_clear(&err);
  sp_card_options options = *opt;
  const char *schema_path = cli_get(o, n, "schema");
  if (schema_path != NULL) {
    if (sp_schema_load_file(&schema, schema_path, &err) != SP_OK)
      return cli_usage_error(&train_cmd, "--schema: %s", err.message);
    options.schema = &schema;
  }
  sp_card_table *table = NULL;
  if (sp_card_table_read_file(cli_get(o, n, "data"), &table, &err) != SP_OK)
    return train_fail(&err);
  size_t rows = sp_card_table_rows(table);
  unsigned char *split = malloc(rows > 0 ? rows : 1);
  sp_card *card = NULL;
  sp_card_report report;
  int rc = split ? sp_card_train(table, &options, &card, &report, split, &err)
                 : sp_error_set(&err, SP_ENOMEM, "data", "out of memory");
  if (rc == SP_OK)
    rc = write_outputs(card, cli_get(o, n, "out"), cli_get(o, n, "split-out"),
                       split, rows, &err);
  if (rc == SP_OK)
    print_report(&report, card);
  sp_card_free(card);
  sp_card_table_free(table);
  free(split);
  return rc == SP_OK ? CLI_EXIT_OK : train_fail(&err);
}

int cmd_train(int argc, char **argv) {
  cli_opt o[] = {
      {"data", 1, "CSV of past loans with a header", 0},
      {"target", 1, "the outcome column", 0},
      {"bad", 1, "the target value that marks a bad loan", 0},
      {"out", 1, "where to write the scorecard (JSON)", 0},
      {"schema", 1, "feature schema (types, protected marks)", 0},
      {"exclude", 1, "columns not to use, comma-separated", 0},
      {"protected", 1, "protected columns, never used, comma-separated", 0},
      {"monotone", 1, "x:+,y:- points never fall (+) / rise (-) with x", 0},
      {"seed", 1, "seed of the validation split (default 20240601)", 0},
      {"validation", 1, "held-out share, 0 to 0.9 (default 0.3)", 0},
      {"pdo", 1, "points to double the odds (default 20)", 0},
      {"base-score", 1, "score at the base odds (default 600)", 0},
      {"base-odds", 1, "good:bad odds at the base score (default 50)", 0},
      {"l2", 1, "L2 penalty on the coefficients (default 0)", 0},
      {"iv-min", 1, "smallest information value kept (default 0.02)", 0},
      {"split-out", 1, "CSV of row,validation (0-based data rows)", 0}};
  int rc = cli_parse(&train_cmd, argc, argv, o, N(o));
  static const char *const req[] = {"data", "target", "bad", "out", NULL};
  if (rc || (rc = cli_require(&train_cmd, o, N(o), req)))
    return rc == 1 ? 0 : rc;
  sp_card_options opt;
  if ((rc = read_options(o, N(o), &opt)) != 0)
    return rc;
  return train_run(o, N(o), &opt);
}
