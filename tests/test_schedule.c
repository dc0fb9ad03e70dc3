/* Repayment schedules: golden values worked by hand, and properties of
 * random loans checked against independent computations (a long double
 * annuity formula, an independent rounding, the residual of neighbouring
 * payments). */
/* cmocka needs these first. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sparrow/schedule.h"

static sp_installment rows[SP_SCHEDULE_TERM_MAX];

static sp_schedule_terms terms_of(int64_t principal_fen, int64_t rate,
                                  int32_t n, sp_method m) {
  sp_schedule_terms t;
  memset(&t, 0, sizeof t);
  t.principal_fen = principal_fen;
  t.annual_rate = rate;
  t.term_months = n;
  assert_int_equal(sp_date_parse("2026-01-15", "start", &t.start, NULL), SP_OK);
  t.method = m;
  t.rounding = SP_ROUND_HALF_UP;
  return t;
}

static int64_t sum_principal(int n) {
  int64_t s = 0;
  for (int i = 0; i < n; i++)
    s += rows[i].principal_fen;
  return s;
}

static int64_t sum_interest(int n) {
  int64_t s = 0;
  for (int i = 0; i < n; i++)
    s += rows[i].interest_fen;
  return s;
}

/* 100,000.00 at 12% for 12 months: P r / (1 - (1+r)^-12) with r = 1%
 * is 8884.8788..., so 8884.88; first interest 1000.00. */
static void test_annuity_golden(void **state) {
  (void)state;
  sp_schedule_terms t =
      terms_of(10000000, 12 * SP_RATE_PERCENT, 12, SP_METHOD_ANNUITY);
  assert_int_equal(sp_schedule_build(&t, rows, 600, NULL), 12);
  for (int i = 0; i < 11; i++)
    assert_true(rows[i].payment_fen == 888488);
  assert_true(rows[0].interest_fen == 100000);
  assert_true(rows[0].principal_fen == 788488);
  assert_true(rows[0].balance_fen == 9211512);
  assert_true(sum_principal(12) == 10000000);
  assert_true(rows[11].balance_fen == 0);
  char buf[11];
  sp_date_format(rows[0].due_date, buf);
  assert_string_equal(buf, "2026-02-15");
  sp_date_format(rows[11].due_date, buf);
  assert_string_equal(buf, "2027-01-15");
  assert_int_equal(rows[0].period, 1);
  assert_int_equal(rows[11].period, 12);
  /* The last payment is within a few fen of the level one. */
  assert_true(llabs(rows[11].payment_fen - 888488) <= 12);
}

/* Equal principal: 8333.33 a month (8333.37 last) plus 1% of the balance:
 * first payment 9333.33; interest 1000 * (12 + 11 + ... + 1) / 12 = 6500. */
static void test_equal_principal_golden(void **state) {
  (void)state;
  sp_schedule_terms t =
      terms_of(10000000, 12 * SP_RATE_PERCENT, 12, SP_METHOD_EQUAL_PRINCIPAL);
  assert_int_equal(sp_schedule_build(&t, rows, 12, NULL), 12);
  assert_true(rows[0].payment_fen == 933333);
  assert_true(rows[1].interest_fen == 91667); /* 916.6667 */
  assert_true(rows[11].principal_fen == 833337);
  assert_true(sum_interest(12) == 650000);
  assert_true(sum_principal(12) == 10000000);
}

static void test_interest_first_golden(void **state) {
  (void)state;
  sp_schedule_terms t =
      terms_of(10000000, 12 * SP_RATE_PERCENT, 12, SP_METHOD_INTEREST_FIRST);
  assert_int_equal(sp_schedule_build(&t, rows, 12, NULL), 12);
  for (int i = 0; i < 11; i++) {
    assert_true(rows[i].payment_fen == 100000);
    assert_true(rows[i].principal_fen == 0);
    assert_true(rows[i].balance_fen == 10000000);
  }
  assert_true(rows[11].payment_fen == 10100000);
  assert_true(rows[11].balance_fen == 0);
}

static void test_flat_golden(void **state) {
  (void)state;
  sp_schedule_terms t =
      terms_of(10000000, 12 * SP_RATE_PERCENT, 12, SP_METHOD_FLAT);
  assert_int_equal(sp_schedule_build(&t, rows, 12, NULL), 12);
  for (int i = 0; i < 12; i++) {
    assert_true(rows[i].interest_fen == 100000);
    assert_true(rows[i].principal_fen == (i < 11 ? 833333 : 833337));
    assert_true(rows[i].payment_fen == rows[i].principal_fen + 100000);
  }
  assert_true(sum_interest(12) == 1200000);
}

/* 100.00 over 3 months at 0%: 33.33, 33.33, 33.34. Month ends clamp. */
static void test_zero_rate_and_month_ends(void **state) {
  (void)state;
  sp_schedule_terms t = terms_of(10000, 0, 3, SP_METHOD_ANNUITY);
  assert_int_equal(sp_date_parse("2026-01-31", "start", &t.start, NULL), SP_OK);
  assert_int_equal(sp_schedule_build(&t, rows, 3, NULL), 3);
  assert_true(rows[0].payment_fen == 3333 && rows[1].payment_fen == 3333);
  assert_true(rows[2].payment_fen == 3334 && rows[2].interest_fen == 0);
  char buf[11];
  sp_date_format(rows[0].due_date, buf);
  assert_string_equal(buf, "2026-02-28");
  sp_date_format(rows[1].due_date, buf);
  assert_string_equal(buf, "2026-03-31");
}

/* Independent rounding of num / den (num >= 0, den > 0). */
static __int128 ref_round(__int128 num, __int128 den, sp_rounding mode) {
  __int128 q = num / den, r = num % den;
  if (mode == SP_ROUND_HALF_UP)
    return 2 * r >= den ? q + 1 : q;
  /* half-even */
  if (2 * r > den || (2 * r == den && q % 2 == 1))
    return q + 1;
  return q;
}

/* Final balance of the independent amortization with level payment x. */
static __int128 ref_residual(const sp_schedule_terms *t, int64_t x) {
  __int128 b = t->principal_fen;
  for (int k = 0; k < t->term_months; k++) {
    __int128 i = b >= 0 ? ref_round(b * t->annual_rate,
                                    (__int128)12 * SP_RATE_ONE, t->rounding)
                        : -ref_round(-b * t->annual_rate,
                                     (__int128)12 * SP_RATE_ONE, t->rounding);
    b = b + i - x;
  }
  return b;
}

static __int128 abs128(__int128 v) { return v < 0 ? -v : v; }

static void check_annuity_payment(const sp_schedule_terms *t, int64_t x,
                                  unsigned seed) {
  long double r = (long double)t->annual_rate / 12.0L / 1e10L;
  long double p = (long double)t->principal_fen;
  long double formula = p * r / (1.0L - powl(1.0L + r, -t->term_months));
  if (fabsl((long double)x - formula) > 1.0L)
    fail_msg("seed %u: payment %lld vs formula %.4Lf", seed, (long long)x,
             formula);
  __int128 here = abs128(ref_residual(t, x));
  if (!(here < abs128(ref_residual(t, x - 1)) &&
        here <= abs128(ref_residual(t, x + 1))))
    fail_msg("seed %u: payment %lld does not minimise the residual", seed,
             (long long)x);
}

static void check_rows(const sp_schedule_terms *t, unsigned seed) {
  int64_t balance = t->principal_fen;
  for (int k = 0; k < t->term_months; k++) {
    const sp_installment *row = &rows[k];
    int64_t base = t->method == SP_METHOD_FLAT ? t->principal_fen : balance;
    __int128 want = ref_round((__int128)base * t->annual_rate,
                              (__int128)12 * SP_RATE_ONE, t->rounding);
    if (row->interest_fen != want || row->balance_fen < 0 ||
        row->payment_fen != row->principal_fen + row->interest_fen ||
        row->balance_fen != balance - row->principal_fen)
      fail_msg("seed %u: row %d is inconsistent", seed, k + 1);
    balance = row->balance_fen;
  }
  if (balance != 0 || sum_principal(t->term_months) != t->principal_fen)
    fail_msg("seed %u: principal does not sum exactly", seed);
}

static uint64_t rng_state;
static uint64_t rng(void) { /* xorshift64* */
  rng_state ^= rng_state >> 12;
  rng_state ^= rng_state << 25;
  rng_state ^= rng_state >> 27;
  return rng_state * UINT64_C(2685821657736338717);
}

static void test_random_loans(void **state) {
  (void)state;
  for (unsigned seed = 1; seed <= 1500; seed++) {
    rng_state = UINT64_C(0x9E3779B97F4A7C15) * seed;
    sp_schedule_terms t =
        terms_of(10000 + (int64_t)(rng() % UINT64_C(1000000000)),
                 (int64_t)(rng() % (uint64_t)(36 * SP_RATE_PERCENT)),
                 1 + (int32_t)(rng() % 360), (sp_method)(rng() % 4));
    if (seed % 10 == 0)
      t.annual_rate = 0;
    t.rounding = rng() % 2 ? SP_ROUND_HALF_EVEN : SP_ROUND_HALF_UP;
    sp_error err;
    if (sp_schedule_build(&t, rows, 600, &err) != t.term_months)
      fail_msg("seed %u: %s", seed, err.message);
    check_rows(&t, seed);
    if (t.method == SP_METHOD_ANNUITY && t.annual_rate > 0 && t.term_months > 1)
      check_annuity_payment(&t, rows[0].payment_fen, seed);
    if (t.method == SP_METHOD_ANNUITY && t.annual_rate == 0)
      assert_true(rows[0].payment_fen == t.principal_fen / t.term_months);
  }
}

/* 0.19 over 12 months at 12%: interest rounds to 0, and the nearest-residual
 * payment (0.02) would overdraw; balances must stay >= 0. */
static void test_tiny_loan(void **state) {
  (void)state;
  sp_schedule_terms t =
      terms_of(19, 12 * SP_RATE_PERCENT, 12, SP_METHOD_ANNUITY);
  assert_int_equal(sp_schedule_build(&t, rows, 12, NULL), 12);
  check_rows(&t, 0);
  assert_true(rows[0].payment_fen == 1); /* 11 x 0.01 then 0.08 */
  assert_true(rows[11].payment_fen == 8);
}

static void test_extremes(void **state) {
  (void)state;
  sp_error err;
  sp_schedule_terms t =
      terms_of(SP_AMOUNT_FEN_MAX, SP_RATE_MAX, 600, SP_METHOD_INTEREST_FIRST);
  assert_int_equal(sp_schedule_build(&t, rows, 600, &err), SP_EOVERFLOW);
  assert_string_equal(err.field, "annual_rate");
  t.method = SP_METHOD_ANNUITY;
  assert_int_equal(sp_schedule_build(&t, rows, 600, &err), SP_EOVERFLOW);
  t = terms_of(SP_AMOUNT_FEN_MAX, 36 * SP_RATE_PERCENT, 600, SP_METHOD_ANNUITY);
  assert_int_equal(sp_schedule_build(&t, rows, 600, &err), 600);
  check_rows(&t, 0);
  t = terms_of(1, SP_RATE_MAX, 600, SP_METHOD_EQUAL_PRINCIPAL);
  assert_int_equal(sp_schedule_build(&t, rows, 600, &err), 600);
  check_rows(&t, 0);
}

static void expect_error(sp_schedule_terms t, size_t cap, int code,
                         const char *field) {
  sp_error err;
  sp_error_clear(&err);
  assert_int_equal(sp_schedule_build(&t, rows, cap, &err), code);
  assert_string_equal(err.field, field);
}

static void test_bad_terms(void **state) {
  (void)state;
  sp_schedule_terms ok =
      terms_of(10000000, 12 * SP_RATE_PERCENT, 12, SP_METHOD_ANNUITY);
  sp_schedule_terms t = ok;
  t.principal_fen = 0;
  expect_error(t, 600, SP_EINVAL, "principal_fen");
  t.principal_fen = -5;
  expect_error(t, 600, SP_EINVAL, "principal_fen");
  t.principal_fen = SP_AMOUNT_FEN_MAX + 1;
  expect_error(t, 600, SP_EINVAL, "principal_fen");
  t = ok;
  t.term_months = 0;
  expect_error(t, 600, SP_EINVAL, "term_months");
  t.term_months = 601;
  expect_error(t, 600, SP_EINVAL, "term_months");
  t = ok;
  t.annual_rate = -1;
  expect_error(t, 600, SP_ERANGE, "annual_rate");
  t = ok;
  t.method = (sp_method)7;
  expect_error(t, 600, SP_EINVAL, "method");
  t = ok;
  t.rounding = (sp_rounding)9;
  expect_error(t, 600, SP_EINVAL, "rounding");
  t = ok;
  t.start = 200000; /* year 2517 */
  expect_error(t, 600, SP_ERANGE, "start");
  expect_error(ok, 11, SP_EFULL, "out");
}

static void test_method_names(void **state) {
  (void)state;
  const char *names[] = {"annuity", "equal-principal", "interest-first",
                         "flat"};
  sp_method m;
  for (int i = 0; i < 4; i++) {
    assert_int_equal(sp_method_parse(names[i], "method", &m, NULL), SP_OK);
    assert_int_equal(m, i);
    assert_string_equal(sp_method_name(m), names[i]);
  }
  sp_error err;
  assert_int_equal(sp_method_parse("balloon", "--method", &m, &err), SP_EINVAL);
  assert_string_equal(err.field, "--method");
  assert_int_equal(sp_method_parse(NULL, "--method", &m, &err), SP_EINVAL);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_annuity_golden),
      cmocka_unit_test(test_equal_principal_golden),
      cmocka_unit_test(test_interest_first_golden),
      cmocka_unit_test(test_flat_golden),
      cmocka_unit_test(test_zero_rate_and_month_ends),
      cmocka_unit_test(test_random_loans),
      cmocka_unit_test(test_tiny_loan),
      cmocka_unit_test(test_extremes),
      cmocka_unit_test(test_bad_terms),
      cmocka_unit_test(test_method_names)};
  return cmocka_run_group_tests(tests, NULL, NULL);
}
