/* Logistic regression by Newton's method (iteratively reweighted least
 * squares) in double precision.
 *
 * Each iteration accumulates the gradient X'(y - mu) and the Hessian
 * X'WX (W = mu(1 - mu)) over the rows, adds the L2 penalty lambda to the
 * slopes (not the intercept), and solves H step = gradient by Cholesky.
 * The start is the intercept-only model (log of the bad:good odds), from
 * which Newton's method on this concave likelihood converges in a few
 * steps unless the data separate perfectly, which the WOE smoothing
 * prevents. */
#include <assert.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "score/card_int.h"

#define IRLS_ITERATIONS_MAX 100
#define IRLS_TOLERANCE 1e-10

/* Solves a x = b in place (a: p * p symmetric positive definite, only the
 * lower triangle read; b becomes x). Returns the column at which a proves
 * not positive definite (one that depends on the columns before it), or
 * -1 on success. */
static int cholesky_solve(double *a, double *b, size_t p) {
  for (size_t j = 0; j < p; j++) {
    double d = a[j * p + j];
    for (size_t k = 0; k < j; k++)
      d -= a[j * p + k] * a[j * p + k];
    if (!(d > 1e-10 * (1 + fabs(a[j * p + j]))))
      return (int)j;
    a[j * p + j] = sqrt(d);
    for (size_t i = j + 1; i < p; i++) {
      double s = a[i * p + j];
      for (size_t k = 0; k < j; k++)
        s -= a[i * p + k] * a[j * p + k];
      a[i * p + j] = s / a[j * p + j];
    }
  }
  for (size_t i = 0; i < p; i++) { /* L z = b */
    for (size_t k = 0; k < i; k++)
      b[i] -= a[i * p + k] * b[k];
    b[i] /= a[i * p + i];
  }
  for (size_t i = p; i-- > 0;) { /* L' x = z */
    for (size_t k = i + 1; k < p; k++)
      b[i] -= a[k * p + i] * b[k];
    b[i] /= a[i * p + i];
  }
  return -1;
}

/* Gradient and Hessian (lower triangle) of the penalised log-likelihood. */
static void accumulate(const double *x, const unsigned char *y, size_t n,
                       size_t k, double lambda, const double *beta, double *h,
                       double *grad, double *row) {
  size_t p = k + 1;
  memset(h, 0, sizeof *h * p * p);
  memset(grad, 0, sizeof *grad * p);
  row[0] = 1;
  for (size_t r = 0; r < n; r++) {
    memcpy(row + 1, x + r * k, sizeof *row * k);
    double eta = 0;
    for (size_t j = 0; j < p; j++)
      eta += beta[j] * row[j];
    double mu = 1 / (1 + exp(-eta)), w = mu * (1 - mu), resid = y[r] - mu;
    for (size_t i = 0; i < p; i++) {
      grad[i] += resid * row[i];
      double wi = w * row[i];
      for (size_t j = 0; j <= i; j++)
        h[i * p + j] += wi * row[j];
    }
  }
  for (size_t j = 1; j < p; j++) {
    grad[j] -= lambda * beta[j];
    h[j * p + j] += lambda;
  }
}

int sp__card_irls(const double *x, const unsigned char *y, size_t n, size_t k,
                  double lambda, double *beta, int *dependent, sp_error *err) {
  assert(x != NULL || k == 0);
  assert(y != NULL && beta != NULL && lambda >= 0);
  size_t p = k + 1, bads = 0;
  for (size_t r = 0; r < n; r++)
    bads += y[r] != 0;
  if (bads == 0 || bads == n)
    return sp_error_set(err, SP_ERANGE, "fit", "one class only");
  double *h = malloc(sizeof *h * (p * p + 2 * p + 1));
  if (h == NULL)
    return sp_error_set(err, SP_ENOMEM, "fit", "out of memory");
  double *grad = h + p * p, *row = grad + p;
  memset(beta, 0, sizeof *beta * p);
  beta[0] = log((double)bads / (double)(n - bads));
  int rc = sp_error_set(err, SP_ERANGE, "fit", "no convergence in %d steps",
                        IRLS_ITERATIONS_MAX);
  for (int it = 0; it < IRLS_ITERATIONS_MAX; it++) {
    accumulate(x, y, n, k, lambda, beta, h, grad, row);
    int column = cholesky_solve(h, grad, p);
    if (column >= 0) {
      if (dependent != NULL)
        *dependent = column;
      rc = sp_error_set(err, SP_ERANGE, "fit",
                        "singular normal equations (column %d)", column);
      break;
    }
    double change = 0;
    for (size_t j = 0; j < p; j++) {
      beta[j] += grad[j];
      change = fmax(change, fabs(grad[j]) / (1 + fabs(beta[j])));
    }
    if (!isfinite(change)) {
      rc = sp_error_set(err, SP_ERANGE, "fit", "diverged");
      break;
    }
    if (change < IRLS_TOLERANCE) {
      rc = SP_OK;
      sp_error_clear(err);
      break;
    }
  }
  free(h);
  return rc;
}
