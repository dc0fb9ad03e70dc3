/* Repayment schedules: exact integer arithmetic, no floating point.
 *
 * Interest of a period is round(balance * annual_rate / (12 * SP_RATE_ONE))
 * with the terms' rounding rule, formed in 128 bits and divided once (for
 * flat loans the balance is always the original principal).
 *
 * The annuity payment X is the whole-fen amount that, when the loan is
 * amortized with fen-rounded interest (b' = b + interest(b) - X), leaves the
 * final residual of smallest absolute value; ties go to the smaller X. The
 * residual is monotone (non-increasing) in X because b + interest(b) is
 * non-decreasing in b for every rounding rule, so an integer binary search
 * finds it in about 57 simulations. Two special cases:
 *  - zero rate: X = principal / n, rounded down (the last installment takes
 *    the remainder);
 *  - tiny loans (X below about n/2 fen): the nearest-residual X could drive
 *    the balance negative before the last installment; X is then lowered to
 *    the largest payment that keeps every balance before the last >= 0.
 * The last installment always takes the remaining balance as principal, so
 * principal sums to exactly principal_fen, and its payment is principal plus
 * interest. */
#include "sparrow/schedule.h"

#include <assert.h>
#include <string.h>

/* Clamp for the residual simulation: far beyond any real balance, yet
 * BIG * SP_RATE_MAX still fits in 128 bits. */
#define RESIDUAL_BIG ((sp_i128)1000000000000 * 1000000000000)

static sp_i128 interest_of(sp_i128 balance, const sp_schedule_terms *t) {
  assert(balance <= RESIDUAL_BIG && balance >= -RESIDUAL_BIG);
  return sp_div_round(balance * t->annual_rate, (sp_i128)12 * SP_RATE_ONE,
                      t->rounding);
}

/* Balance after `steps` level payments of x, clamped to +-RESIDUAL_BIG. */
static sp_i128 balance_after(const sp_schedule_terms *t, int64_t x,
                             int32_t steps) {
  sp_i128 b = t->principal_fen;
  for (int32_t k = 0; k < steps; k++) {
    b = b + interest_of(b, t) - x;
    if (b > RESIDUAL_BIG)
      return RESIDUAL_BIG;
    if (b < -RESIDUAL_BIG)
      return -RESIDUAL_BIG;
  }
  return b;
}

/* Smallest x in [lo, hi] with balance_after(x, steps) <= limit; hi must
 * satisfy it. */
static int64_t search_payment(const sp_schedule_terms *t, int64_t lo,
                              int64_t hi, int32_t steps, sp_i128 limit) {
  assert(lo <= hi && balance_after(t, hi, steps) <= limit);
  for (int guard = 0; lo < hi && guard < 128; guard++) {
    int64_t mid = lo + (hi - lo) / 2;
    if (balance_after(t, mid, steps) <= limit)
      hi = mid;
    else
      lo = mid + 1;
  }
  assert(lo == hi);
  return lo;
}

int64_t sp_schedule_annuity_payment(const sp_schedule_terms *t) {
  assert(t->principal_fen > 0 && t->term_months >= 1);
  int32_t n = t->term_months;
  if (t->annual_rate == 0)
    return t->principal_fen / n;
  /* Paying principal plus one period's interest clears the loan at once. */
  int64_t hi = (int64_t)(t->principal_fen + interest_of(t->principal_fen, t));
  int64_t x = search_payment(t, 0, hi, n, 0);
  if (x > 0) {
    sp_i128 r_hi = balance_after(t, x, n);     /* <= 0 */
    sp_i128 r_lo = balance_after(t, x - 1, n); /* > 0 */
    assert(r_hi <= 0 && r_lo > 0);
    if (r_lo <= -r_hi)
      x -= 1;
  }
  if (n > 1 && balance_after(t, x, n - 1) < 0) {
    /* Largest x keeping the balance before the last installment >= 0:
     * one less than the smallest x that makes it negative (<= -1). */
    x = search_payment(t, 0, x, n - 1, -1) - 1;
    assert(x >= 0 && balance_after(t, x, n - 1) >= 0);
  }
  return x;
}

static int check_terms(const sp_schedule_terms *t, size_t cap, sp_error *err) {
  if (t->principal_fen <= 0 || t->principal_fen > SP_AMOUNT_FEN_MAX)
    return sp_error_set(err, SP_EINVAL, "principal_fen",
                        "principal_fen: must be > 0 and at most %lld fen",
                        (long long)SP_AMOUNT_FEN_MAX);
  if (t->annual_rate < 0 || t->annual_rate > SP_RATE_MAX)
    return sp_error_set(err, SP_ERANGE, "annual_rate",
                        "annual_rate: must be between 0 and 100000%%");
  if (t->term_months < 1 || t->term_months > SP_SCHEDULE_TERM_MAX)
    return sp_error_set(err, SP_EINVAL, "term_months",
                        "term_months: must be 1 to %d months",
                        SP_SCHEDULE_TERM_MAX);
  if ((unsigned)t->method > SP_METHOD_FLAT)
    return sp_error_set(err, SP_EINVAL, "method", "method: unknown method %d",
                        (int)t->method);
  if ((unsigned)t->rounding > SP_ROUND_FLOOR)
    return sp_error_set(err, SP_EINVAL, "rounding",
                        "rounding: unknown rounding rule %d", (int)t->rounding);
  int y, m, d;
  sp_date_to_ymd(t->start, &y, &m, &d);
  if (y < SP_DATE_MIN_YEAR || y > SP_DATE_MAX_YEAR)
    return sp_error_set(err, SP_ERANGE, "start",
                        "start: year %d is outside %d..%d", y, SP_DATE_MIN_YEAR,
                        SP_DATE_MAX_YEAR);
  if (cap < (size_t)t->term_months)
    return sp_error_set(err, SP_EFULL, "out",
                        "out: room for %zu installments, %d needed", cap,
                        (int)t->term_months);
  return SP_OK;
}

/* Principal repaid in installment k (1-based) before the last one. */
static int64_t scheduled_principal(const sp_schedule_terms *t, int64_t level,
                                   int64_t interest) {
  switch (t->method) {
  case SP_METHOD_ANNUITY:
    return level - interest;
  case SP_METHOD_EQUAL_PRINCIPAL:
  case SP_METHOD_FLAT:
    return level;
  case SP_METHOD_INTEREST_FIRST:
    return 0;
  }
  assert(0 && "unknown method");
  return 0;
}

int sp_schedule_build(const sp_schedule_terms *terms, sp_installment *out,
                      size_t cap, sp_error *err) {
  assert(terms != NULL);
  int rc = check_terms(terms, cap, err);
  if (rc != SP_OK)
    return rc;
  assert(out != NULL);
  const int32_t n = terms->term_months;
  const int64_t level = terms->method == SP_METHOD_ANNUITY
                            ? sp_schedule_annuity_payment(terms)
                            : terms->principal_fen / n;
  int64_t balance = terms->principal_fen;
  sp_i128 total_payment = 0;
  for (int32_t k = 1; k <= n; k++) {
    sp_installment *row = &out[k - 1];
    int64_t base =
        terms->method == SP_METHOD_FLAT ? terms->principal_fen : balance;
    row->interest_fen = (int64_t)interest_of(base, terms);
    row->principal_fen =
        k == n ? balance : scheduled_principal(terms, level, row->interest_fen);
    row->payment_fen = row->principal_fen + row->interest_fen;
    balance -= row->principal_fen;
    assert(balance >= 0);
    row->balance_fen = balance;
    row->period = k;
    row->due_date = sp_date_add_months(terms->start, k);
    total_payment += row->payment_fen;
  }
  assert(balance == 0);
  if (total_payment > INT64_MAX)
    return sp_error_set(err, SP_EOVERFLOW, "annual_rate",
                        "annual_rate: the payments add up to more than "
                        "int64 fen");
  return n;
}

static const char *const method_names[] = {"annuity", "equal-principal",
                                           "interest-first", "flat"};

const char *sp_method_name(sp_method m) {
  assert((unsigned)m <= SP_METHOD_FLAT);
  return method_names[m];
}

int sp_method_parse(const char *text, const char *field, sp_method *out,
                    sp_error *err) {
  assert(out != NULL);
  for (int i = 0; i <= (int)SP_METHOD_FLAT; i++) {
    if (text != NULL && strcmp(text, method_names[i]) == 0) {
      *out = (sp_method)i;
      return SP_OK;
    }
  }
  return sp_error_set(err, SP_EINVAL, field,
                      "%s: unknown method '%s' (annuity, equal-principal, "
                      "interest-first, flat)",
                      field, text ? text : "");
}
