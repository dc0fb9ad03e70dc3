/* Fairness by protected group and drift by column (see sparrow/audit.h).
 * Both read an in-memory table of field strings; nothing here decides. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sparrow/audit.h"

#define SHARE_MIN 1e-4
#define CATEGORIES_MAX 4096

static int find_column(const sp_card_table *t, const char *name) {
  for (size_t c = 0; c < sp_card_table_columns(t); c++)
    if (strcmp(sp_card_table_name(t, c), name) == 0)
      return (int)c;
  return -1;
}

static int missing_text(const char *s) {
  double x;
  return sp_card_parse_value(s, strlen(s), &x) == SP_CARD_MISSING;
}

static sp_audit_group *group_of(sp_audit_fairness *f, const char *value) {
  const char *v = missing_text(value) ? "(missing)" : value;
  for (int i = 0; i < f->n_groups; i++)
    if (strcmp(f->groups[i].value, v) == 0)
      return &f->groups[i];
  if (f->n_groups == SP_AUDIT_GROUPS_MAX)
    return NULL;
  sp_audit_group *g = &f->groups[f->n_groups++];
  memset(g, 0, sizeof *g);
  snprintf(g->value, sizeof g->value, "%s", v);
  return g;
}

static void rates(sp_audit_fairness *f) {
  f->reference = 0;
  for (int i = 0; i < f->n_groups; i++) {
    sp_audit_group *g = &f->groups[i];
    g->approval_rate = g->n ? (double)g->approved / (double)g->n : 0;
    if (g->approval_rate > f->groups[f->reference].approval_rate)
      f->reference = i;
  }
  double best = f->groups[f->reference].approval_rate;
  for (int i = 0; i < f->n_groups; i++) {
    sp_audit_group *g = &f->groups[i];
    g->air = best > 0 ? g->approval_rate / best : 1;
    g->passes = g->air >= SP_AUDIT_FOUR_FIFTHS;
  }
}

int sp_audit_fairness_of(const sp_card_table *t, const char *protected_column,
                         const char *decision_column, const char *approve_value,
                         const char *target, const char *bad_value,
                         sp_audit_fairness *out, sp_error *err) {
  int pc = find_column(t, protected_column),
      dc = find_column(t, decision_column);
  int tc = target ? find_column(t, target) : -1;
  if (pc < 0)
    return sp_error_set(err, SP_ENOTFOUND, "protected",
                        "--data: no column '%s'", protected_column);
  if (dc < 0)
    return sp_error_set(err, SP_ENOTFOUND, "decision", "--data: no column '%s'",
                        decision_column);
  if (target && tc < 0)
    return sp_error_set(err, SP_ENOTFOUND, "target", "--data: no column '%s'",
                        target);
  memset(out, 0, sizeof *out);
  for (size_t r = 0; r < sp_card_table_rows(t); r++) {
    sp_audit_group *g = group_of(out, sp_card_table_cell(t, r, (size_t)pc));
    if (g == NULL)
      return sp_error_set(err, SP_ELIMIT, "protected",
                          "--protected %s: more than %d groups",
                          protected_column, SP_AUDIT_GROUPS_MAX);
    int approved =
        strcmp(sp_card_table_cell(t, r, (size_t)dc), approve_value) == 0;
    g->n++;
    g->approved += approved;
    const char *y = tc >= 0 ? sp_card_table_cell(t, r, (size_t)tc) : "";
    if (tc < 0 || missing_text(y))
      continue;
    int is_bad = strcmp(y, bad_value) == 0;
    g->known++, g->bads += is_bad;
    g->approved_known += approved, g->approved_bads += approved && is_bad;
  }
  if (out->n_groups > 0)
    rates(out);
  return SP_OK;
}

const char *sp_audit_psi_label(double psi) {
  return psi < 0.1 ? "stable" : psi < 0.25 ? "moderate" : "significant";
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/* Numeric values of column c, sorted; their count in *n and the count of
 * non-missing cells in *present. */
static double *numbers(const sp_card_table *t, int c, size_t *n,
                       size_t *present) {
  size_t rows = sp_card_table_rows(t);
  double *v = malloc((rows ? rows : 1) * sizeof *v);
  *n = 0, *present = 0;
  for (size_t r = 0; v != NULL && r < rows; r++) {
    const char *s = sp_card_table_cell(t, r, (size_t)c);
    double x;
    if (missing_text(s))
      continue;
    (*present)++;
    if (sp_card_parse_value(s, strlen(s), &x) == SP_CARD_NUMBER)
      v[(*n)++] = x;
  }
  if (v != NULL)
    qsort(v, *n, sizeof *v, cmp_double);
  return v;
}

static double term(double b, double c) {
  b = fmax(b, SHARE_MIN), c = fmax(c, SHARE_MIN);
  return (c - b) * log(c / b);
}

/* Bin of a cell: 0 for missing, else 1 + #{cuts <= x}. */
static int numeric_bin(const char *s, const double *cut, int n_cuts) {
  double x;
  if (missing_text(s) ||
      sp_card_parse_value(s, strlen(s), &x) != SP_CARD_NUMBER)
    return 0;
  int k = 0;
  while (k < n_cuts && cut[k] <= x)
    k++;
  return 1 + k;
}

static double numeric_psi(const sp_card_table *b, int bc,
                          const sp_card_table *c, int cc, const double *v,
                          size_t n) {
  double cut[9];
  int n_cuts = 0;
  for (size_t k = 1; k <= 9 && n > 0; k++) {
    double x = v[k * n / 10];
    if (n_cuts == 0 || x != cut[n_cuts - 1])
      cut[n_cuts++] = x;
  }
  double nb[11] = {0}, nc[11] = {0};
  size_t rb = sp_card_table_rows(b), rc = sp_card_table_rows(c);
  for (size_t r = 0; r < rb; r++)
    nb[numeric_bin(sp_card_table_cell(b, r, (size_t)bc), cut, n_cuts)]++;
  for (size_t r = 0; r < rc; r++)
    nc[numeric_bin(sp_card_table_cell(c, r, (size_t)cc), cut, n_cuts)]++;
  double psi = 0;
  for (int k = 0; k <= n_cuts + 1; k++)
    psi += term(nb[k] / fmax((double)rb, 1), nc[k] / fmax((double)rc, 1));
  return psi;
}

/* Categories: the values of both sets, counted in each (missing as one). */
typedef struct cats {
  const char *value[CATEGORIES_MAX];
  double in[2][CATEGORIES_MAX];
  int n;
} cats;

static int count_cats(cats *k, const sp_card_table *t, int c, int side) {
  for (size_t r = 0; r < sp_card_table_rows(t); r++) {
    const char *s = sp_card_table_cell(t, r, (size_t)c);
    if (missing_text(s))
      s = "";
    int i = 0;
    while (i < k->n && strcmp(k->value[i], s) != 0)
      i++;
    if (i == k->n) {
      if (k->n == CATEGORIES_MAX)
        return -1;
      k->value[k->n++] = s;
    }
    k->in[side][i]++;
  }
  return 0;
}

int sp_audit_psi(const sp_card_table *baseline, const sp_card_table *current,
                 const char *column, double *psi, int *numeric, sp_error *err) {
  int bc = find_column(baseline, column), cc = find_column(current, column);
  if (bc < 0 || cc < 0)
    return sp_error_set(err, SP_ENOTFOUND, bc < 0 ? "baseline" : "data",
                        "%s: no column '%s'", bc < 0 ? "--baseline" : "--data",
                        column);
  size_t n, present;
  double *v = numbers(baseline, bc, &n, &present);
  if (v == NULL)
    return sp_error_set(err, SP_ENOMEM, "baseline", "out of memory");
  *numeric = present > 0 && (double)n >= 0.95 * (double)present;
  if (*numeric) {
    *psi = numeric_psi(baseline, bc, current, cc, v, n);
    free(v);
    return SP_OK;
  }
  free(v);
  cats *k = calloc(1, sizeof *k);
  if (k == NULL)
    return sp_error_set(err, SP_ENOMEM, "baseline", "out of memory");
  int rc = count_cats(k, baseline, bc, 0) || count_cats(k, current, cc, 1)
               ? sp_error_set(err, SP_ELIMIT, "data", "%s: more than %d values",
                              column, CATEGORIES_MAX)
               : SP_OK;
  double rb = fmax((double)sp_card_table_rows(baseline), 1),
         rcur = fmax((double)sp_card_table_rows(current), 1);
  *psi = 0;
  for (int i = 0; rc == SP_OK && i < k->n; i++)
    *psi += term(k->in[0][i] / rb, k->in[1][i] / rcur);
  free(k);
  return rc;
}
