/* Tukey's fences and cross-source consistency (see sparrow/clean.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sparrow/clean.h"

static int number_at(const sp_card_table *t, size_t row, size_t col,
                     double *out) {
  const char *s = sp_card_table_cell(t, row, col);
  return sp_card_parse_value(s, strlen(s), out) == SP_CARD_NUMBER;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/* Linear interpolation between order statistics (type 7). */
static double percentile(const double *v, size_t n, double p) {
  double pos = p * (double)(n - 1);
  size_t lo = (size_t)floor(pos);
  size_t hi = lo + 1 < n ? lo + 1 : lo;
  return v[lo] + (pos - (double)lo) * (v[hi] - v[lo]);
}

int sp_clean_fences(const sp_card_table *t, size_t column, double k,
                    sp_clean_fence *out, sp_error *err) {
  size_t rows = sp_card_table_rows(t), n = 0;
  double *v = malloc((rows ? rows : 1) * sizeof *v);
  if (v == NULL)
    return sp_error_set(err, SP_ENOMEM, "outliers", "out of memory");
  for (size_t r = 0; r < rows; r++)
    if (number_at(t, r, column, &v[n]))
      n++;
  if (n == 0) {
    free(v);
    return sp_error_set(err, SP_EINVAL, "outliers",
                        "--outliers: column '%s' holds no numbers",
                        sp_card_table_name(t, column));
  }
  qsort(v, n, sizeof *v, cmp_double);
  memset(out, 0, sizeof *out);
  out->column = column, out->n = n;
  out->q1 = percentile(v, n, 0.25);
  out->q3 = percentile(v, n, 0.75);
  double iqr = out->q3 - out->q1;
  out->low = out->q1 - k * iqr;
  out->high = out->q3 + k * iqr;
  free(v);
  for (size_t r = 0; r < rows; r++) {
    int side = sp_clean_outside(t, r, out, NULL);
    out->below += side < 0;
    out->above += side > 0;
  }
  return SP_OK;
}

int sp_clean_outside(const sp_card_table *t, size_t row,
                     const sp_clean_fence *f, double *value) {
  double x;
  if (!number_at(t, row, f->column, &x))
    return 0;
  if (value != NULL)
    *value = x;
  return x < f->low ? -1 : x > f->high ? 1 : 0;
}

int sp_clean_inconsistent(const sp_card_table *t, size_t row,
                          const sp_clean_pair *p, double *gap) {
  double a, b;
  *gap = 0;
  if (!number_at(t, row, p->a, &a) || !number_at(t, row, p->b, &b))
    return 0;
  double scale = fmax(fabs(a), fabs(b));
  if (scale == 0)
    return 0;
  *gap = fabs(a - b) / scale;
  return *gap > p->tolerance;
}
