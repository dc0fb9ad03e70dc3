/* Training a scorecard, step by step (the steps are described at the top
 * of sparrow/scorecard.h): check the options against the table, keep the
 * rows with a target, split them, decide each column's type, bin every
 * candidate column, then hand over to card_select.c for the selection,
 * the fit and the scaling. */
#include <assert.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "score/card_int.h"

void sp_card_options_init(sp_card_options *o) {
  assert(o != NULL);
  memset(o, 0, sizeof *o);
  o->seed = 20240601;
  o->validation = 0.3;
  o->pdo = 20;
  o->base_score = 600;
  o->base_odds = 50;
  o->iv_min = 0.02;
  o->corr_max = 0.7;
  o->fine_bins = 20;
  o->coarse_bins_max = 10;
  o->bin_share_min = 0.02;
}

static uint64_t splitmix64(uint64_t *state) {
  uint64_t z = (*state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

void sp_card_split(size_t rows, uint64_t seed, double fraction,
                   unsigned char *is_validation) {
  assert(fraction >= 0 && fraction <= 1);
  assert(is_validation != NULL || rows == 0);
  uint64_t state = seed;
  size_t want = (size_t)llround((double)rows * fraction);
  /* Selection sampling (Knuth, Algorithm S): row r is taken with
   * probability (still wanted) / (rows left), which takes exactly want
   * rows, each set of them equally likely. */
  for (size_t r = 0; r < rows; r++) {
    double u = (double)(splitmix64(&state) >> 11) * 0x1.0p-53;
    int take = (double)(rows - r) * u < (double)want;
    is_validation[r] = (unsigned char)take;
    want -= (size_t)take;
  }
}

int sp__card_find_column(const sp_card_table *t, const char *name, size_t len) {
  for (size_t c = 0; c < t->columns; c++) {
    const char *s = sp_card_table_name(t, c);
    if (strlen(s) == len && strncmp(s, name, len) == 0)
      return (int)c;
  }
  return -1;
}

/* 1 when name is one of the comma-separated names in list. */
static int in_list(const char *list, const char *name) {
  size_t len = strlen(name);
  for (const char *p = list; p != NULL && *p != '\0';) {
    const char *end = strchr(p, ',');
    size_t n = end ? (size_t)(end - p) : strlen(p);
    if (n == len && strncmp(p, name, n) == 0)
      return 1;
    p = end ? end + 1 : NULL;
  }
  return 0;
}

/* Every name of a comma-separated list must be a column. */
static int check_list(const sp_card_table *t, const char *list,
                      const char *field, sp_error *err) {
  for (const char *p = list; p != NULL && *p != '\0';) {
    const char *end = strchr(p, ',');
    size_t n = end ? (size_t)(end - p) : strlen(p);
    if (sp__card_find_column(t, p, n) < 0)
      return sp_error_set(err, SP_ENOTFOUND, field, "no column '%.*s'",
                          (int)(n < 64 ? n : 64), p);
    p = end ? end + 1 : NULL;
  }
  return SP_OK;
}

/* Parses "x:+,y:-" into monotone[column]. */
static int parse_monotone(const sp_card_table *t, const char *spec,
                          int *monotone, sp_error *err) {
  for (const char *p = spec; p != NULL && *p != '\0';) {
    const char *end = strchr(p, ',');
    size_t n = end ? (size_t)(end - p) : strlen(p);
    if (n < 3 || p[n - 2] != ':' || (p[n - 1] != '+' && p[n - 1] != '-'))
      return sp_error_set(err, SP_EINVAL, "monotone",
                          "'%.*s' is not NAME:+ or NAME:-",
                          (int)(n < 64 ? n : 64), p);
    int c = sp__card_find_column(t, p, n - 2);
    if (c < 0)
      return sp_error_set(err, SP_ENOTFOUND, "monotone", "no column '%.*s'",
                          (int)(n - 2 < 64 ? n - 2 : 64), p);
    monotone[c] = p[n - 1] == '+' ? 1 : -1;
    p = end ? end + 1 : NULL;
  }
  return SP_OK;
}

static int check_options(const sp_card_options *o, sp_error *err) {
  if (o->target == NULL || o->bad_value == NULL)
    return sp_error_set(err, SP_EINVAL, o->target ? "bad" : "target",
                        "required");
  if (!(o->validation >= 0 && o->validation <= 0.9))
    return sp_error_set(err, SP_ERANGE, "validation", "must be in [0, 0.9]");
  if (!(o->pdo > 0 && isfinite(o->pdo)))
    return sp_error_set(err, SP_ERANGE, "pdo", "must be positive");
  if (!(o->base_odds > 0 && isfinite(o->base_odds)))
    return sp_error_set(err, SP_ERANGE, "base-odds", "must be positive");
  if (!isfinite(o->base_score))
    return sp_error_set(err, SP_ERANGE, "base-score", "must be finite");
  if (!(o->l2 >= 0 && isfinite(o->l2)))
    return sp_error_set(err, SP_ERANGE, "l2", "must be >= 0");
  if (o->fine_bins < 2 || o->fine_bins > 100 || o->coarse_bins_max < 2 ||
      o->coarse_bins_max > SP_CARD_BINS_MAX - 2 || !(o->bin_share_min >= 0) ||
      !(o->bin_share_min < 0.5) || !(o->corr_max > 0 && o->corr_max <= 1) ||
      !(o->iv_min >= 0))
    return sp_error_set(err, SP_ERANGE, "options",
                        "binning option out of range");
  return SP_OK;
}

/* Trimmed copy of the target text in [0, len); 0 when blank or missing. */
static int target_of(const char *s, const char **out, size_t *len) {
  size_t n = strlen(s);
  while (n > 0 && (s[0] == ' ' || s[0] == '\t')) {
    s++;
    n--;
  }
  while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
    n--;
  *out = s;
  *len = n;
  return sp_card_parse_value(s, n, NULL) != SP_CARD_MISSING;
}

/* Keeps the rows with a target, marks bads and the split, counts. */
static int prepare_rows(card_data *d, int target, const unsigned char *split,
                        sp_card_report *rep, sp_error *err) {
  const sp_card_table *t = d->table;
  size_t bad_len = strlen(d->options->bad_value), valid_rows = 0;
  long valid_bads = 0;
  for (size_t r = 0; r < t->rows; r++) {
    const char *s;
    size_t len;
    if (!target_of(sp_card_table_cell(t, r, (size_t)target), &s, &len)) {
      rep->rows_dropped++;
      continue;
    }
    size_t i = d->n++;
    d->row[i] = r;
    d->bad[i] = len == bad_len && strncmp(s, d->options->bad_value, len) == 0;
    d->valid[i] = split[r];
    if (split[r]) {
      valid_rows++;
      valid_bads += d->bad[i];
    } else {
      *(d->bad[i] ? &d->bads : &d->goods) += 1;
    }
  }
  rep->rows = (long)t->rows;
  rep->train_rows = d->goods + d->bads;
  rep->train_bads = d->bads;
  rep->validation_rows = (long)valid_rows;
  rep->validation_bads = valid_bads;
  if (d->bads == 0)
    return sp_error_set(err, SP_EINVAL, "bad",
                        "no training row of '%s' has the value '%s'",
                        d->options->target, d->options->bad_value);
  if (d->goods == 0)
    return sp_error_set(err, SP_EINVAL, "bad",
                        "every training row of '%s' has the value '%s'",
                        d->options->target, d->options->bad_value);
  return SP_OK;
}

/* Numeric when at least CARD_NUMERIC_SHARE of the non-missing values of the
 * kept rows are numbers. */
static int infer_category(const card_data *d, size_t column) {
  size_t numbers = 0, present = 0;
  for (size_t i = 0; i < d->n; i++) {
    const char *s = sp_card_table_cell(d->table, d->row[i], column);
    sp_card_value v = sp_card_parse_value(s, strlen(s), NULL);
    present += v != SP_CARD_MISSING;
    numbers += v == SP_CARD_NUMBER;
  }
  return (double)numbers < CARD_NUMERIC_SHARE * (double)present;
}

/* Decides whether column c is a candidate and of which type; 0 to skip. */
static int candidate(const card_data *d, size_t c, int target,
                     card_column *col) {
  const sp_card_options *o = d->options;
  const char *name = sp_card_table_name(d->table, c);
  if ((int)c == target || in_list(o->exclude, name) ||
      in_list(o->protected_columns, name) || strlen(name) == 0 ||
      strlen(name) >= SP_CARD_NAME_MAX)
    return 0;
  col->column = c;
  col->is_category = -1;
  if (o->schema != NULL) {
    int f = sp_schema_find(o->schema, name, strlen(name));
    if (f >= 0 && (o->schema->features[f].is_protected ||
                   o->schema->features[f].type == SP_FEATURE_DATE))
      return 0;
    if (f >= 0)
      col->is_category = o->schema->features[f].type != SP_FEATURE_NUMBER;
  }
  if (col->is_category < 0)
    col->is_category = infer_category(d, c);
  return 1;
}

static void free_levels(card_char *c) {
  for (int i = 0; i < c->n_levels; i++)
    free(c->levels[i].text);
  free(c->levels);
  c->levels = NULL;
  c->n_levels = 0;
}

/* Bins every candidate column; *n_out counts them (also on failure). */
static int bin_candidates(const card_data *d, int target, const int *monotone,
                          card_char *chars, unsigned char *bin_of, int *n_out,
                          sp_error *err) {
  int n = 0;
  *n_out = 0;
  for (size_t c = 0; c < d->table->columns; c++) {
    card_column col;
    if (!candidate(d, c, target, &col))
      continue;
    const char *name = sp_card_table_name(d->table, c);
    col.monotone = monotone[c];
    if (col.monotone != 0 && col.is_category)
      return sp_error_set(err, SP_EINVAL, "monotone",
                          "'%s' is a category: it has no order", name);
    card_char *ch = &chars[n];
    snprintf(ch->name, sizeof ch->name, "%s", name);
    int rc = sp__card_bin_column(d, &col, ch, bin_of + (size_t)n * d->n, err);
    *n_out = ++n; /* counted even when it failed: its levels are freed */
    if (rc != SP_OK)
      return rc;
    sp__card_woe_fill(ch, (double)d->goods, (double)d->bads);
  }
  return SP_OK;
}

static int train_rows(card_data *d, int target, const int *monotone,
                      sp_card **out, sp_card_report *rep, sp_error *err) {
  size_t columns = d->table->columns;
  card_char *chars = calloc(columns, sizeof *chars);
  unsigned char *bin_of = malloc(columns * (d->n > 0 ? d->n : 1));
  int n = 0, rc = SP_OK;
  if (chars == NULL || bin_of == NULL)
    rc = sp_error_set(err, SP_ENOMEM, "data", "out of memory");
  if (rc == SP_OK)
    rc = bin_candidates(d, target, monotone, chars, bin_of, &n, err);
  rep->candidates = n;
  if (rc == SP_OK)
    rc = sp__card_select_fit(d, chars, bin_of, n, out, rep, err);
  for (int i = 0; chars != NULL && i < n; i++)
    free_levels(&chars[i]);
  free(chars);
  free(bin_of);
  return rc;
}

int sp_card_train(const sp_card_table *table, const sp_card_options *o,
                  sp_card **out, sp_card_report *report,
                  unsigned char *is_validation, sp_error *err) {
  assert(table != NULL && o != NULL && out != NULL);
  sp_card_report local;
  sp_card_report *rep = report != NULL ? report : &local;
  memset(rep, 0, sizeof *rep);
  *out = NULL;
  int rc = check_options(o, err);
  if (rc != SP_OK)
    return rc;
  int target = sp__card_find_column(table, o->target, strlen(o->target));
  if (target < 0)
    return sp_error_set(err, SP_ENOTFOUND, "target", "no column '%.64s'",
                        o->target);
  if ((rc = check_list(table, o->exclude, "exclude", err)) != SP_OK ||
      (rc = check_list(table, o->protected_columns, "protected", err)) != SP_OK)
    return rc;
  size_t rows = table->rows > 0 ? table->rows : 1;
  int *monotone = calloc(table->columns, sizeof *monotone);
  unsigned char *split = is_validation ? is_validation : malloc(rows);
  card_data d = {
      table,        o, 0, malloc(sizeof(size_t) * rows), malloc(rows),
      malloc(rows), 0, 0};
  if (!monotone || !split || !d.row || !d.bad || !d.valid)
    rc = sp_error_set(err, SP_ENOMEM, "data", "out of memory");
  if (rc == SP_OK)
    rc = parse_monotone(table, o->monotone, monotone, err);
  if (rc == SP_OK) {
    sp_card_split(table->rows, o->seed, o->validation, split);
    rc = prepare_rows(&d, target, split, rep, err);
  }
  if (rc == SP_OK)
    rc = train_rows(&d, target, monotone, out, rep, err);
  free(monotone);
  if (split != is_validation)
    free(split);
  free(d.row);
  free(d.bad);
  free(d.valid);
  return rc;
}
