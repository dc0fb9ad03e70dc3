/* US Regulation Z, Appendix J: the actuarial APR of closed-end credit.
 *
 * The general equation (b)(8) sets the amounts advanced equal to the
 * payments, each discounted over t whole unit periods at (1+i)^t and over
 * a fraction f of a unit period at simple interest (1 + f·i); APR = w·i
 * with w unit periods per year. Written as a lender's net present value
 * (advances negative) it is strictly decreasing in i when every advance
 * precedes the first payment, and apr.c's bisection solves it (the rate
 * is a long double; amounts stay fen).
 *
 * Dates become (t, f) by (b)(5): whole unit periods are counted back from
 * the later date by the calendar (months clamped to month ends), and the
 * days left over, from the beginning of the term, are divided by 30 for a
 * month, 15 for a semimonth, 90 for a quarter and 365 for a year; weeks
 * and days divide the day count by 7, 14 or 1. */
#include <assert.h>
#include <math.h>
#include <string.h>

#include "loan/apr_int.h"
#include "sparrow/apr.h"

static const struct {
  const char *name;
  int per_year;
} units[] = {{"daily", 365},      {"weekly", 52},  {"biweekly", 26},
             {"semimonthly", 24}, {"monthly", 12}, {"quarterly", 4},
             {"yearly", 1}};

#define UNIT_COUNT ((int)(sizeof units / sizeof units[0]))

int sp_unit_period_parse(const char *text, const char *field,
                         sp_unit_period *out, sp_error *err) {
  assert(out != NULL);
  for (int i = 0; i < UNIT_COUNT; i++) {
    if (text != NULL && strcmp(text, units[i].name) == 0) {
      *out = (sp_unit_period)i;
      return SP_OK;
    }
  }
  return sp_error_set(err, SP_EINVAL, field,
                      "%s: unknown period '%s' (daily, weekly, biweekly, "
                      "semimonthly, monthly, quarterly, yearly)",
                      field, text ? text : "");
}

const char *sp_unit_period_name(sp_unit_period u) {
  assert((int)u >= 0 && (int)u < UNIT_COUNT);
  return units[u].name;
}

int sp_unit_period_per_year(sp_unit_period u) {
  assert((int)u >= 0 && (int)u < UNIT_COUNT);
  return units[u].per_year;
}

/* Largest q >= 0 with date - q*step months >= start (start <= date). */
static int32_t months_back(sp_date start, sp_date date, int step) {
  int y1, m1, d1, y2, m2, d2;
  sp_date_to_ymd(start, &y1, &m1, &d1);
  sp_date_to_ymd(date, &y2, &m2, &d2);
  int32_t q = ((y2 - y1) * 12 + (m2 - m1)) / step + 1;
  for (int guard = 0; q > 0 && guard < 4; guard++) {
    if (sp_date_add_months(date, -q * step) >= start)
      break;
    q--;
  }
  assert(q >= 0 && sp_date_add_months(date, -q * step) >= start);
  return q;
}

int sp_regz_periods(sp_date start, sp_date date, sp_unit_period unit,
                    sp_regz_flow *out) {
  assert(out != NULL);
  if (date < start)
    return SP_EINVAL;
  int32_t days = date - start;
  static const int fixed[] = {1, 7, 14};
  static const int step[] = {0, 0, 0, 1, 1, 3, 12};
  static const int den[] = {1, 7, 14, 15, 30, 90, 365};
  assert((int)unit >= 0 && (int)unit < UNIT_COUNT);
  out->f_den = den[unit];
  if (unit <= SP_UNIT_BIWEEK) {
    out->t = days / fixed[unit];
    out->f_num = days % fixed[unit];
    return SP_OK;
  }
  int32_t q = months_back(start, date, step[unit]);
  sp_date anchor = sp_date_add_months(date, -q * step[unit]);
  out->t = q;
  if (unit == SP_UNIT_SEMIMONTH) {
    out->t = 2 * q;
    if (anchor - 15 >= start) {
      out->t += 1;
      anchor -= 15;
    }
  }
  out->f_num = anchor - start;
  assert(out->f_num >= 0 && out->f_num <= 2 * out->f_den);
  return SP_OK;
}

typedef struct regz_ctx {
  const sp_regz_flow *flows; /* explicit (t, f) ... */
  const sp_cash_flow *dated; /* ... or dates, converted on the fly */
  size_t n;
  sp_date start;
  sp_unit_period unit;
} regz_ctx;

static long double discounted(int64_t amount_fen, const sp_regz_flow *p,
                              long double i) {
  long double f = (long double)p->f_num / (long double)p->f_den;
  return (long double)amount_fen /
         ((1.0L + f * i) * powl(1.0L + i, (long double)p->t));
}

static long double npv_regz(const void *ctx, long double i) {
  const regz_ctx *c = ctx;
  long double sum = 0.0L;
  for (size_t k = 0; k < c->n; k++) {
    if (c->flows != NULL) {
      sum += discounted(c->flows[k].amount_fen, &c->flows[k], i);
    } else {
      sp_regz_flow p;
      int rc = sp_regz_periods(c->start, c->dated[k].date, c->unit, &p);
      assert(rc == SP_OK);
      (void)rc;
      sum += discounted(c->dated[k].amount_fen, &p, i);
    }
  }
  return sum;
}

static int regz_solve(const regz_ctx *ctx, long double w, int64_t *out_rate,
                      sp_error *err) {
  long double i;
  long double hi = (long double)SP_RATE_MAX / SP_RATE_ONE / w;
  int rc = sp__apr_solve(npv_regz, ctx, hi, &i, err);
  if (rc != SP_OK)
    return rc;
  return sp__apr_to_rate_units(w * i, "rate", out_rate, err);
}

/* Checks explicit flows; sums advances and repayments. */
static int regz_check(const sp_regz_flow *flows, size_t n, sp_i128 *advanced,
                      sp_i128 *repaid, sp_error *err) {
  if (n == 0 || flows == NULL)
    return sp_error_set(err, SP_EINVAL, "flows", "flows: no cash flows");
  if (n > SP_APR_FLOWS_MAX)
    return sp_error_set(err, SP_ELIMIT, "flows", "flows: more than %d",
                        SP_APR_FLOWS_MAX);
  /* Times as t*f_den + f_num over f_den; compared by cross-multiplying. */
  sp_i128 adv_num = -1, adv_den = 1, pay_num = -1, pay_den = 1;
  *advanced = *repaid = 0;
  for (size_t k = 0; k < n; k++) {
    const sp_regz_flow *p = &flows[k];
    if (p->t < 0 || p->f_den <= 0 || p->f_num < 0 ||
        p->f_num > (sp_i128)2 * p->f_den)
      return sp_error_set(err, SP_EINVAL, "flows",
                          "flows: flow %zu needs t >= 0 and 0 <= f <= 2",
                          k + 1);
    if (p->amount_fen > SP_AMOUNT_FEN_MAX || p->amount_fen < -SP_AMOUNT_FEN_MAX)
      return sp_error_set(err, SP_ERANGE, "amount",
                          "amount: flow %zu is too large", k + 1);
    sp_i128 num = (sp_i128)p->t * p->f_den + p->f_num;
    if (p->amount_fen < 0 && num * adv_den > adv_num * p->f_den)
      adv_num = num, adv_den = p->f_den; /* latest advance */
    if (p->amount_fen > 0 &&
        (pay_num < 0 || num * pay_den < pay_num * p->f_den))
      pay_num = num, pay_den = p->f_den; /* earliest payment */
    *advanced += p->amount_fen < 0 ? -(sp_i128)p->amount_fen : 0;
    *repaid += p->amount_fen > 0 ? p->amount_fen : 0;
  }
  if (pay_num >= 0 && adv_num * pay_den > pay_num * adv_den)
    return sp_error_set(err, SP_EINVAL, "flows",
                        "flows: an advance comes after the first payment");
  return SP_OK;
}

int sp_apr_regz(const sp_regz_flow *flows, size_t n, int64_t w_num,
                int64_t w_den, int64_t *out_rate, sp_error *err) {
  assert(out_rate != NULL);
  if (w_num <= 0 || w_den <= 0 || w_num > 1000000 || w_den > 1000000)
    return sp_error_set(err, SP_EINVAL, "w",
                        "w: unit periods per year must be a positive "
                        "fraction (numerator and denominator <= 1000000)");
  sp_i128 advanced = 0, repaid = 0;
  int rc = regz_check(flows, n, &advanced, &repaid, err);
  if (rc != SP_OK)
    return rc;
  int sign = sp__apr_net_sign(advanced, repaid, "amount", err);
  if (sign <= 0) {
    *out_rate = 0;
    return sign;
  }
  regz_ctx ctx = {flows, NULL, n, 0, SP_UNIT_MONTH};
  return regz_solve(&ctx, (long double)w_num / (long double)w_den, out_rate,
                    err);
}

int sp_apr_regz_dated(const sp_cash_flow *flows, size_t n, sp_unit_period unit,
                      int64_t *out_rate, sp_error *err) {
  assert(out_rate != NULL);
  if ((int)unit < 0 || (int)unit >= UNIT_COUNT)
    return sp_error_set(err, SP_EINVAL, "unit_period",
                        "unit_period: unknown unit period %d", (int)unit);
  sp_date start;
  sp_i128 advanced = 0, repaid = 0;
  int rc = sp__apr_dated_check(flows, n, &start, &advanced, &repaid, err);
  if (rc != SP_OK)
    return rc;
  int sign = sp__apr_net_sign(advanced, repaid, "amount", err);
  if (sign <= 0) {
    *out_rate = 0;
    return sign;
  }
  regz_ctx ctx = {NULL, flows, n, start, unit};
  return regz_solve(&ctx, (long double)units[unit].per_year, out_rate, err);
}
