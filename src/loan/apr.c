/* Annualized rates: IRR of periodic and dated flows, Appendix J APR.
 *
 * Amounts stay integer fen throughout; only the RATE being solved for is a
 * long double. Each equation is written as a net present value from the
 * lender's side, NPV(i) = Σ amount_k × discount_k(i), with advances
 * negative and repayments positive. Because every advance comes no later
 * than the first repayment, NPV is strictly decreasing in i >= 0, so there
 * is one root when NPV(0) = Σ amount_k > 0. It is found by plain bisection
 * on [0, hi], hi being the periodic rate whose annualized value is
 * SP_RATE_MAX: deterministic, at most SOLVE_ITERATIONS halvings, stopping
 * early once the midpoint no longer differs from an end (the interval is
 * then one long double ulp wide, far finer than 1e-10 of an annual rate).
 * The root times the periods per year is converted to rate units with
 * round half up. Σ amount_k == 0 gives exactly 0 without solving. */
#include "sparrow/apr.h"

#include <assert.h>
#include <math.h>
#include <string.h>

#include "loan/apr_int.h"
#include "sparrow/money.h"

#define SOLVE_ITERATIONS 256

typedef struct periodic_ctx {
  int64_t received_fen;
  const int64_t *payments_fen;
  size_t n;
} periodic_ctx;

typedef struct dated_ctx {
  const sp_cash_flow *flows;
  size_t n;
  sp_date start;
} dated_ctx;

static long double npv_periodic(const void *ctx, long double i) {
  const periodic_ctx *c = ctx;
  long double v = 1.0L / (1.0L + i), factor = v, sum = 0.0L;
  for (size_t k = 0; k < c->n; k++) {
    sum += (long double)c->payments_fen[k] * factor;
    factor *= v;
  }
  return sum - (long double)c->received_fen;
}

static long double npv_dated(const void *ctx, long double d) {
  const dated_ctx *c = ctx;
  long double sum = 0.0L;
  for (size_t k = 0; k < c->n; k++) {
    long double days = (long double)(c->flows[k].date - c->start);
    sum += (long double)c->flows[k].amount_fen * powl(1.0L + d, -days);
  }
  return sum;
}

/* Root of a decreasing npv on [0, hi] with npv(0) > 0. */
int sp__apr_solve(sp__npv_fn npv, const void *ctx, long double hi,
                  long double *root, sp_error *err) {
  long double lo = 0.0L;
  assert(npv(ctx, lo) > 0.0L && hi > 0.0L);
  if (npv(ctx, hi) > 0.0L)
    return sp_error_set(err, SP_ERANGE, "rate",
                        "rate: the annualized rate is above 100000%%");
  for (int it = 0; it < SOLVE_ITERATIONS; it++) {
    long double mid = lo + (hi - lo) / 2.0L;
    if (mid <= lo || mid >= hi)
      break;
    if (npv(ctx, mid) > 0.0L)
      lo = mid;
    else
      hi = mid;
  }
  *root = lo + (hi - lo) / 2.0L;
  assert(*root >= 0.0L);
  return SP_OK;
}

int sp__apr_to_rate_units(long double annual, const char *field, int64_t *out,
                          sp_error *err) {
  long double units = floorl(annual * (long double)SP_RATE_ONE + 0.5L);
  if (!(units >= 0.0L) || units > 9.0e18L)
    return sp_error_set(err, SP_ERANGE, field, "%s: out of range", field);
  *out = (int64_t)units;
  return SP_OK;
}

/* Net of the flows' signs: 1 if repayments exceed advances, 0 if equal;
 * an error otherwise. */
int sp__apr_net_sign(sp_i128 advanced, sp_i128 repaid, const char *field,
                     sp_error *err) {
  if (advanced == 0)
    return sp_error_set(err, SP_EINVAL, field,
                        "%s: no money advanced to the borrower", field);
  if (repaid == 0)
    return sp_error_set(err, SP_EINVAL, field, "%s: no repayments", field);
  if (repaid < advanced)
    return sp_error_set(err, SP_EINVAL, field,
                        "%s: repayments are less than the amount advanced: "
                        "no rate >= 0",
                        field);
  return repaid > advanced ? 1 : 0;
}

int sp_apr_periodic(int64_t received_fen, const int64_t *payments_fen, size_t n,
                    int periods_per_year, int64_t *out_rate, sp_error *err) {
  assert(out_rate != NULL);
  if (received_fen <= 0 || received_fen > SP_AMOUNT_FEN_MAX)
    return sp_error_set(err, SP_EINVAL, "received_fen",
                        "received_fen: must be > 0");
  if (n == 0 || payments_fen == NULL)
    return sp_error_set(err, SP_EINVAL, "payments_fen",
                        "payments_fen: no payments");
  if (n > SP_APR_FLOWS_MAX)
    return sp_error_set(err, SP_ELIMIT, "payments_fen",
                        "payments_fen: more than %d payments",
                        SP_APR_FLOWS_MAX);
  if (periods_per_year < 1 || periods_per_year > 366)
    return sp_error_set(err, SP_EINVAL, "periods_per_year",
                        "periods_per_year: must be 1 to 366");
  sp_i128 repaid = 0;
  for (size_t k = 0; k < n; k++) {
    if (payments_fen[k] < 0 || payments_fen[k] > SP_AMOUNT_FEN_MAX)
      return sp_error_set(err, SP_EINVAL, "payments_fen",
                          "payments_fen: payment %zu is negative or too "
                          "large",
                          k + 1);
    repaid += payments_fen[k];
  }
  int sign = sp__apr_net_sign(received_fen, repaid, "payments_fen", err);
  if (sign <= 0) {
    *out_rate = 0;
    return sign;
  }
  periodic_ctx ctx = {received_fen, payments_fen, n};
  long double root = 0;
  long double hi = (long double)SP_RATE_MAX / SP_RATE_ONE / periods_per_year;
  int rc = sp__apr_solve(npv_periodic, &ctx, hi, &root, err);
  if (rc != SP_OK)
    return rc;
  return sp__apr_to_rate_units(root * periods_per_year, "rate", out_rate, err);
}

int sp__apr_dated_check(const sp_cash_flow *flows, size_t n, sp_date *start,
                        sp_i128 *advanced, sp_i128 *repaid, sp_error *err) {
  if (n == 0 || flows == NULL)
    return sp_error_set(err, SP_EINVAL, "flows", "flows: no cash flows");
  if (n > SP_APR_FLOWS_MAX)
    return sp_error_set(err, SP_ELIMIT, "flows", "flows: more than %d",
                        SP_APR_FLOWS_MAX);
  sp_date last_advance = INT32_MIN, first_repayment = INT32_MAX;
  *start = INT32_MAX;
  *advanced = *repaid = 0;
  for (size_t k = 0; k < n; k++) {
    int64_t a = flows[k].amount_fen;
    if (a > SP_AMOUNT_FEN_MAX || a < -SP_AMOUNT_FEN_MAX)
      return sp_error_set(err, SP_ERANGE, "amount",
                          "amount: flow %zu is too large", k + 1);
    if (flows[k].date < *start)
      *start = flows[k].date;
    if (a < 0 && flows[k].date > last_advance)
      last_advance = flows[k].date;
    if (a > 0 && flows[k].date < first_repayment)
      first_repayment = flows[k].date;
    *advanced += a < 0 ? -(sp_i128)a : 0;
    *repaid += a > 0 ? a : 0;
  }
  if (last_advance > first_repayment)
    return sp_error_set(err, SP_EINVAL, "date",
                        "date: an advance comes after a repayment; every "
                        "advance must precede the first repayment");
  return SP_OK;
}

int sp_apr_dated(const sp_cash_flow *flows, size_t n, int64_t *out_nominal_rate,
                 int64_t *out_effective_rate, sp_error *err) {
  assert(out_nominal_rate != NULL);
  sp_date start;
  sp_i128 advanced, repaid;
  int rc = sp__apr_dated_check(flows, n, &start, &advanced, &repaid, err);
  if (rc != SP_OK)
    return rc;
  int sign = sp__apr_net_sign(advanced, repaid, "amount", err);
  if (sign <= 0) {
    *out_nominal_rate = 0;
    if (out_effective_rate != NULL)
      *out_effective_rate = 0;
    return sign;
  }
  dated_ctx ctx = {flows, n, start};
  long double d = 0;
  rc = sp__apr_solve(npv_dated, &ctx,
                     (long double)SP_RATE_MAX / SP_RATE_ONE / 365.0L, &d, err);
  if (rc != SP_OK)
    return rc;
  rc = sp__apr_to_rate_units(d * 365.0L, "rate", out_nominal_rate, err);
  if (rc != SP_OK || out_effective_rate == NULL)
    return rc;
  return sp__apr_to_rate_units(expm1l(365.0L * log1pl(d)), "effective_rate",
                               out_effective_rate, err);
}
