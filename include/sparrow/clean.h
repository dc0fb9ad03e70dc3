/* Data cleaning the lenders' analysts use, on an in-memory table
 * (sparrow/scorecard.h's sp_card_table):
 *
 * Tukey's fences. For a numeric column, Q1 and Q3 are the 25th and 75th
 * percentiles of its non-missing numbers by linear interpolation between
 * order statistics (position p * (n - 1) in the sorted values: numpy's
 * default, R's type 7); with IQR = Q3 - Q1 the fences are Q1 - k * IQR and
 * Q3 + k * IQR (k = 1.5 by default). A value outside them is an outlier.
 *
 * Cross-source consistency. The same quantity from two sources (e.g.
 * invoice sales against tax-declared sales) differs by
 * |a - b| / max(|a|, |b|); above the pair's tolerance the record is
 * flagged for review. A pair with a missing side is not compared; two
 * zeros agree. */
#ifndef SPARROW_CLEAN_H
#define SPARROW_CLEAN_H

#include <stddef.h>

#include "sparrow/error.h"
#include "sparrow/scorecard.h"

typedef struct sp_clean_fence {
  size_t column;
  size_t n; /* non-missing numbers */
  double q1, q3, low, high;
  size_t below, above; /* outliers each side */
} sp_clean_fence;

/* The fences of a column; SP_EINVAL naming "outliers" if it holds no
 * number. */
int sp_clean_fences(const sp_card_table *t, size_t column, double k,
                    sp_clean_fence *out, sp_error *err);

/* The value of row's cell in fence->column: -1 below, 1 above, 0 inside
 * or not a number. */
int sp_clean_outside(const sp_card_table *t, size_t row,
                     const sp_clean_fence *fence, double *value);

typedef struct sp_clean_pair {
  size_t a, b;      /* columns */
  double tolerance; /* a share: 0.2 for 20% */
  size_t flagged;
} sp_clean_pair;

/* 1 when row's a and b differ by more than the tolerance (*gap set to
 * the relative difference), else 0. */
int sp_clean_inconsistent(const sp_card_table *t, size_t row,
                          const sp_clean_pair *pair, double *gap);

#endif
