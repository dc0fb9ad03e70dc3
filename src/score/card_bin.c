/* Binning of one column: fine classes, merged into a few coarse bins.
 *
 * Numbers: the training rows' values are sorted and cut into about
 * fine_bins groups of equal count (never between equal values); the groups
 * are merged by sp__card_merge. Bins are half-open ranges [low, high), the
 * first open below and the last open above, so every number has a bin.
 * Categories: the training rows' levels are sorted and counted; levels
 * rarer than CARD_RARE_SHARE of the training rows are pooled into "other",
 * the groups are ordered by WOE and merged the same way. Every
 * characteristic's bins[0] holds the missing values; a category's "other"
 * bin (empty when no level was rare) takes the levels never seen. */
#include <assert.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "score/card_int.h"

#define FINE_MAX 128

typedef struct num_pair {
  double value;
  unsigned char bad;
} num_pair;

typedef struct text_pair {
  const char *text;
  unsigned char bad;
} text_pair;

static int cmp_num(const void *a, const void *b) {
  double x = ((const num_pair *)a)->value, y = ((const num_pair *)b)->value;
  return (x > y) - (x < y);
}

static int cmp_text(const void *a, const void *b) {
  return strcmp(((const text_pair *)a)->text, ((const text_pair *)b)->text);
}

static const char *cell(const card_data *d, const card_column *col, size_t i) {
  return sp_card_table_cell(d->table, d->row[i], col->column);
}

static void count(card_bin *bin, unsigned char bad) {
  if (bad)
    bin->bads++;
  else
    bin->goods++;
}

/* Cuts m sorted pairs into groups of about m / fine rows each. */
static int fine_classes(const num_pair *p, size_t m, int fine, double *low,
                        double *g, double *b) {
  size_t target = m / (size_t)fine > 0 ? m / (size_t)fine : 1, in_group = 0;
  int n = 0;
  for (size_t i = 0; i < m; i++) {
    if (i == 0 ||
        (in_group >= target && p[i].value != p[i - 1].value && n < FINE_MAX)) {
      low[n] = p[i].value;
      g[n] = b[n] = 0;
      n++;
      in_group = 0;
    }
    in_group++;
    if (p[i].bad)
      b[n - 1]++;
    else
      g[n - 1]++;
  }
  return n;
}

static int bin_numeric(const card_data *d, const card_column *col, card_char *c,
                       sp_error *err) {
  num_pair *p = malloc(sizeof *p * (d->n > 0 ? d->n : 1));
  if (p == NULL)
    return sp_error_set(err, SP_ENOMEM, c->name, "out of memory");
  size_t m = 0;
  memset(&c->bins[0], 0, sizeof c->bins[0]);
  for (size_t i = 0; i < d->n; i++) {
    if (d->valid[i])
      continue;
    double v;
    if (sp_card_parse_value(cell(d, col, i), strlen(cell(d, col, i)), &v) ==
        SP_CARD_NUMBER) {
      p[m].value = v;
      p[m++].bad = d->bad[i];
    } else {
      count(&c->bins[0], d->bad[i]);
    }
  }
  qsort(p, m, sizeof *p, cmp_num);
  double low[FINE_MAX], g[FINE_MAX], b[FINE_MAX];
  int n = fine_classes(p, m, d->options->fine_bins, low, g, b);
  free(p);
  double min_count = d->options->bin_share_min * (double)(d->goods + d->bads);
  if (n > 0)
    n = sp__card_merge(low, g, b, n, col->monotone, d->options->coarse_bins_max,
                       min_count, (double)d->goods, (double)d->bads);
  c->n_bins = 1 + n;
  for (int k = 0; k < n; k++) {
    card_bin *bin = &c->bins[1 + k];
    bin->kind = CARD_BIN_RANGE;
    bin->low = k == 0 ? -INFINITY : low[k];
    bin->high = k + 1 < n ? low[k + 1] : INFINITY;
    bin->goods = (long)g[k];
    bin->bads = (long)b[k];
  }
  return SP_OK;
}

/* Groups of a category: each common level, then the pool of rare ones. */
typedef struct level_group {
  double goods, bads, woe;
  size_t first, count; /* runs of sorted pairs; count 0 for the pool */
} level_group;

static int cmp_group(const void *a, const void *b) {
  double x = ((const level_group *)a)->woe, y = ((const level_group *)b)->woe;
  return (x > y) - (x < y);
}

/* Counts the sorted levels into groups (rare ones pooled last). */
static int group_levels(const card_data *d, const text_pair *p, size_t m,
                        level_group *gr, int *n_out) {
  double rare = CARD_RARE_SHARE * (double)(d->goods + d->bads);
  int n = 0;
  level_group pool = {0, 0, 0, 0, 0};
  for (size_t i = 0, j; i < m; i = j) {
    level_group one = {0, 0, 0, i, 0};
    for (j = i; j < m && strcmp(p[j].text, p[i].text) == 0; j++)
      *(p[j].bad ? &one.bads : &one.goods) += 1;
    one.count = j - i;
    if ((double)one.count < rare || n >= SP_CARD_LEVELS_MAX) {
      pool.goods += one.goods;
      pool.bads += one.bads;
    } else {
      gr[n++] = one;
    }
  }
  gr[n++] = pool; /* the "other" group, possibly empty */
  for (int k = 0; k < n; k++)
    gr[k].woe = sp__card_woe(gr[k].goods, gr[k].bads, (double)d->goods,
                             (double)d->bads);
  qsort(gr, (size_t)n, sizeof *gr, cmp_group);
  *n_out = n;
  return SP_OK;
}

/* Turns the merged groups into bins and the common levels into the
 * characteristic's level list. */
static int make_level_bins(card_char *c, const text_pair *p,
                           const level_group *gr, int n_groups,
                           const double *low, const double *g, const double *b,
                           int n, sp_error *err) {
  int n_levels = 0;
  for (int k = 0; k < n_groups; k++)
    n_levels += gr[k].count > 0;
  c->levels = calloc((size_t)(n_levels > 0 ? n_levels : 1), sizeof *c->levels);
  if (c->levels == NULL)
    return sp_error_set(err, SP_ENOMEM, c->name, "out of memory");
  c->n_bins = 1 + n;
  for (int i = 0; i < n; i++) {
    card_bin *bin = &c->bins[1 + i];
    bin->kind = CARD_BIN_LEVELS;
    bin->goods = (long)g[i];
    bin->bads = (long)b[i];
    int end = i + 1 < n ? (int)low[i + 1] : n_groups;
    for (int k = (int)low[i]; k < end; k++) {
      if (gr[k].count == 0) {
        bin->is_other = 1;
        c->other_bin = 1 + i;
        continue;
      }
      card_level *lv = &c->levels[c->n_levels++];
      lv->text = strdup(p[gr[k].first].text);
      lv->bin = 1 + i;
      if (lv->text == NULL)
        return sp_error_set(err, SP_ENOMEM, c->name, "out of memory");
    }
  }
  return SP_OK;
}

static int bin_category(const card_data *d, card_char *c, text_pair *p,
                        size_t m, sp_error *err) {
  qsort(p, m, sizeof *p, cmp_text);
  level_group *gr = malloc(sizeof *gr * (m + 1));
  double *low = malloc(sizeof(double) * 3 * (m + 1));
  int rc = SP_OK, n_groups = 0;
  if (gr == NULL || low == NULL) {
    rc = sp_error_set(err, SP_ENOMEM, c->name, "out of memory");
    goto done;
  }
  group_levels(d, p, m, gr, &n_groups);
  double *g = low + m + 1, *b = g + m + 1;
  for (int k = 0; k < n_groups; k++) {
    low[k] = k;
    g[k] = gr[k].goods;
    b[k] = gr[k].bads;
  }
  double min_count = d->options->bin_share_min * (double)(d->goods + d->bads);
  int max_groups = d->options->coarse_bins_max;
  int n = sp__card_merge(low, g, b, n_groups, 0, max_groups, min_count,
                         (double)d->goods, (double)d->bads);
  rc = make_level_bins(c, p, gr, n_groups, low, g, b, n, err);
done:
  free(gr);
  free(low);
  return rc;
}

static int bin_category_column(const card_data *d, const card_column *col,
                               card_char *c, sp_error *err) {
  text_pair *p = malloc(sizeof *p * (d->n > 0 ? d->n : 1));
  if (p == NULL)
    return sp_error_set(err, SP_ENOMEM, c->name, "out of memory");
  size_t m = 0;
  memset(&c->bins[0], 0, sizeof c->bins[0]);
  for (size_t i = 0; i < d->n; i++) {
    if (d->valid[i])
      continue;
    const char *s = cell(d, col, i);
    if (sp_card_parse_value(s, strlen(s), NULL) == SP_CARD_MISSING) {
      count(&c->bins[0], d->bad[i]);
      continue;
    }
    p[m].text = s;
    p[m++].bad = d->bad[i];
  }
  int rc = bin_category(d, c, p, m, err);
  free(p);
  return rc;
}

int sp__card_bin_column(const card_data *d, const card_column *col,
                        card_char *c, unsigned char *bin_of, sp_error *err) {
  assert(d != NULL && col != NULL && c != NULL && bin_of != NULL);
  c->is_category = col->is_category;
  c->monotone = col->is_category ? 0 : col->monotone;
  c->other_bin = -1;
  c->bins[0].kind = CARD_BIN_MISSING;
  int rc = col->is_category ? bin_category_column(d, col, c, err)
                            : bin_numeric(d, col, c, err);
  if (rc != SP_OK)
    return rc;
  assert(c->n_bins >= 1 && c->n_bins <= SP_CARD_BINS_MAX);
  sp__card_char_finish(c);
  for (size_t i = 0; i < d->n; i++)
    bin_of[i] = (unsigned char)sp__card_bin_of(c, cell(d, col, i));
  return SP_OK;
}
