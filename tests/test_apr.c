/* Annualized rates: the Regulation Z Appendix J worked examples (published
 * APRs), the 12,000 / 12 x 1,060 example, closed forms for single-payment
 * loans, and bad inputs. */
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

#include "sparrow/apr.h"
#include "sparrow/money.h"
#include "sparrow/schedule.h"

static sp_regz_flow flows[SP_APR_FLOWS_MAX];
static sp_cash_flow dated[SP_APR_FLOWS_MAX];

static void assert_percent(int64_t rate, const char *want) {
  char buf[32];
  sp_rate_format_percent(rate, 2, buf, sizeof buf);
  assert_string_equal(buf, want);
}

/* 12,000 received, 12 monthly payments of 1,060: monthly IRR 0.908032%
 * (Python bisection gives 10.896382518% a year). */
static void test_periodic_example(void **state) {
  (void)state;
  int64_t pay[12], rate = 0;
  for (int i = 0; i < 12; i++)
    pay[i] = 106000;
  assert_int_equal(sp_apr_periodic(1200000, pay, 12, 12, &rate, NULL), SP_OK);
  assert_percent(rate, "10.90%");
  assert_true(llabs(rate - INT64_C(1089638252)) <= 1);
  /* The same payments weekly: a 52-period year. */
  assert_int_equal(sp_apr_periodic(1200000, pay, 12, 52, &rate, NULL), SP_OK);
  assert_true(llabs(rate - INT64_C(1089638252) * 52 / 12) <= 2);
}

/* A single payment one period later: i = payment / received - 1. */
static void test_periodic_single(void **state) {
  (void)state;
  int64_t pay = 108000, rate;
  assert_int_equal(sp_apr_periodic(100000, &pay, 1, 1, &rate, NULL), SP_OK);
  assert_true(rate == 800000000); /* 8% */
  assert_int_equal(sp_apr_periodic(100000, &pay, 1, 12, &rate, NULL), SP_OK);
  assert_true(rate == 9600000000); /* 96% */
}

static void expect_periodic_error(int64_t received, const int64_t *pay,
                                  size_t n, int ppy, int code,
                                  const char *field) {
  sp_error err;
  int64_t rate = -1;
  sp_error_clear(&err);
  assert_int_equal(sp_apr_periodic(received, pay, n, ppy, &rate, &err), code);
  assert_string_equal(err.field, field);
  assert_true(err.message[0] != '\0');
}

static void test_periodic_bad(void **state) {
  (void)state;
  int64_t pay[3] = {100000, 100000, 100000}, rate;
  expect_periodic_error(300000, pay, 0, 12, SP_EINVAL, "payments_fen");
  expect_periodic_error(300001, pay, 3, 12, SP_EINVAL, "payments_fen");
  expect_periodic_error(0, pay, 3, 12, SP_EINVAL, "received_fen");
  expect_periodic_error(-5, pay, 3, 12, SP_EINVAL, "received_fen");
  expect_periodic_error(200000, pay, 3, 0, SP_EINVAL, "periods_per_year");
  expect_periodic_error(1, pay, 3, 1, SP_ERANGE, "rate"); /* ~1e5 a year */
  int64_t neg[2] = {300000, -1};
  expect_periodic_error(200000, neg, 2, 12, SP_EINVAL, "payments_fen");
  /* Interest-free: payments equal to the amount received give 0. */
  assert_int_equal(sp_apr_periodic(300000, pay, 3, 12, &rate, NULL), SP_OK);
  assert_true(rate == 0);
}

/* The IRR of a fee-free annuity schedule is its nominal rate, up to the
 * fen rounding of the payments (well under 0.01% for these sizes). */
static void test_periodic_matches_schedules(void **state) {
  (void)state;
  static sp_installment rows[SP_SCHEDULE_TERM_MAX];
  int64_t pay[SP_SCHEDULE_TERM_MAX];
  for (int k = 1; k <= 60; k++) {
    sp_schedule_terms t = {.principal_fen = 1000000 + 7919 * (int64_t)k * k,
                           .annual_rate = 15000000 * k,
                           .term_months = 3 + 5 * k,
                           .start = 20468,
                           .method = SP_METHOD_ANNUITY,
                           .rounding = SP_ROUND_HALF_UP};
    int n = sp_schedule_build(&t, rows, SP_SCHEDULE_TERM_MAX, NULL);
    assert_int_equal(n, t.term_months);
    for (int i = 0; i < n; i++)
      pay[i] = rows[i].payment_fen;
    int64_t rate;
    assert_int_equal(
        sp_apr_periodic(t.principal_fen, pay, (size_t)n, 12, &rate, NULL),
        SP_OK);
    if (llabs(rate - t.annual_rate) > SP_RATE_PERCENT / 100)
      fail_msg("loan %d: IRR %lld vs nominal %lld", k, (long long)rate,
               (long long)t.annual_rate);
  }
}

/* Level payments: n of amount, the first t0 whole periods plus f0 after. */
static size_t level(int64_t advance, int n, int64_t amount, int t0, int f_num,
                    int f_den) {
  flows[0] = (sp_regz_flow){-advance, 0, 0, 1};
  for (int k = 0; k < n; k++)
    flows[k + 1] = (sp_regz_flow){amount, t0 + k, f_num, f_den};
  return (size_t)n + 1;
}

static void expect_regz(size_t n, int64_t w_num, int64_t w_den,
                        const char *want) {
  int64_t rate;
  sp_error err;
  int rc = sp_apr_regz(flows, n, w_num, w_den, &rate, &err);
  if (rc != SP_OK)
    fail_msg("%s: %s", want, err.message);
  assert_percent(rate, want);
}

/* Every row of the Appendix J table in shared/reference. */
static void test_appendix_j_table(void **state) {
  (void)state;
  expect_regz(level(500000, 24, 23000, 1, 0, 1), 12, 1, "9.69%");
  expect_regz(level(600000, 36, 20000, 1, 19, 30), 12, 1, "11.82%");
  expect_regz(level(500000, 24, 21917, 0, 6, 15), 24, 1, "10.34%");
  expect_regz(level(1000000, 40, 38500, 1, 39, 90), 4, 1, "8.97%");
  expect_regz(level(50000, 30, 1760, 4, 4, 7), 52, 1, "14.96%");
  size_t n = level(500000, 24, 23000, 1, 0, 1);
  flows[1].amount_fen = 25000; /* (c)(2)(i): 250.00 first */
  expect_regz(n, 12, 1, "10.08%");
  /* (c)(5)(i): one 255-day unit period, i = 8%, APR = 8% x 365/255. */
  flows[0] = (sp_regz_flow){-100000, 0, 0, 1};
  flows[1] = (sp_regz_flow){108000, 1, 0, 1};
  expect_regz(2, 365, 255, "11.45%");
  int64_t rate;
  assert_int_equal(sp_apr_regz(flows, 2, 365, 255, &rate, NULL), SP_OK);
  assert_true(llabs(rate - INT64_C(1145098039)) <= 1); /* 0.08*365/255 */
}

static sp_date d(const char *text) {
  sp_date out;
  assert_int_equal(sp_date_parse(text, "date", &out, NULL), SP_OK);
  return out;
}

static void test_regz_periods(void **state) {
  (void)state;
  sp_regz_flow p;
  assert_int_equal(
      sp_regz_periods(d("2026-01-13"), d("2026-03-01"), SP_UNIT_MONTH, &p),
      SP_OK);
  assert_true(p.t == 1 && p.f_num == 19 && p.f_den == 30);
  assert_int_equal(
      sp_regz_periods(d("2026-01-31"), d("2026-03-30"), SP_UNIT_MONTH, &p),
      SP_OK);
  assert_true(p.t == 1 && p.f_num == 28); /* back to 2026-02-28 */
  assert_int_equal(
      sp_regz_periods(d("2026-01-15"), d("2026-01-15"), SP_UNIT_MONTH, &p),
      SP_OK);
  assert_true(p.t == 0 && p.f_num == 0);
  assert_int_equal(
      sp_regz_periods(d("2026-01-10"), d("2026-02-28"), SP_UNIT_SEMIMONTH, &p),
      SP_OK);
  /* one month back: 2026-01-28; 15 days more would be 01-13 >= 01-10 */
  assert_true(p.t == 3 && p.f_num == 3 && p.f_den == 15);
  assert_int_equal(
      sp_regz_periods(d("2026-01-21"), d("2026-09-01"), SP_UNIT_QUARTER, &p),
      SP_OK);
  assert_true(p.t == 2 && p.f_num == 39 && p.f_den == 90);
  assert_int_equal(
      sp_regz_periods(d("2026-01-01"), d("2028-03-01"), SP_UNIT_YEAR, &p),
      SP_OK); /* 31 + 28 days */
  assert_true(p.t == 2 && p.f_num == 59 && p.f_den == 365);
  assert_int_equal(
      sp_regz_periods(d("2026-01-01"), d("2026-02-04"), SP_UNIT_WEEK, &p),
      SP_OK);
  assert_true(p.t == 4 && p.f_num == 6 && p.f_den == 7);
  assert_int_equal(
      sp_regz_periods(d("2026-02-01"), d("2026-01-01"), SP_UNIT_DAY, &p),
      SP_EINVAL);
}

/* Appendix J examples laid out on a calendar. */
static void test_regz_dated(void **state) {
  (void)state;
  int64_t rate;
  sp_error err;
  /* (c)(1)(ii): advanced 2026-01-13, 36 payments on the 1st from March. */
  dated[0] = (sp_cash_flow){d("2026-01-13"), -600000};
  for (int k = 0; k < 36; k++)
    dated[k + 1] =
        (sp_cash_flow){sp_date_add_months(d("2026-03-01"), k), 20000};
  assert_int_equal(sp_apr_regz_dated(dated, 37, SP_UNIT_MONTH, &rate, &err),
                   SP_OK);
  assert_percent(rate, "11.82%");
  /* (c)(1)(iv): 39 days plus a quarter to the first of 40 payments. */
  dated[0] = (sp_cash_flow){d("2026-01-21"), -1000000};
  for (int k = 0; k < 40; k++)
    dated[k + 1] =
        (sp_cash_flow){sp_date_add_months(d("2026-06-01"), 3 * k), 38500};
  assert_int_equal(sp_apr_regz_dated(dated, 41, SP_UNIT_QUARTER, &rate, &err),
                   SP_OK);
  assert_percent(rate, "8.97%");
  /* (c)(1)(v): first of 30 weekly payments 4 weeks and 4 days later;
   * flows given out of order. */
  for (int k = 0; k < 30; k++)
    dated[k] = (sp_cash_flow){d("2026-01-05") + 32 + 7 * k, 1760};
  dated[30] = (sp_cash_flow){d("2026-01-05"), -50000};
  assert_int_equal(sp_apr_regz_dated(dated, 31, SP_UNIT_WEEK, &rate, &err),
                   SP_OK);
  assert_percent(rate, "14.96%");
}

/* 1,000.00 repaid as 1,100.00 after 365 days: effective 10% exactly,
 * nominal 365 x (1.1^(1/365) - 1). */
static void test_dated_irr(void **state) {
  (void)state;
  int64_t nominal, effective;
  dated[0] = (sp_cash_flow){d("2026-01-01"), -100000};
  dated[1] = (sp_cash_flow){d("2027-01-01"), 110000};
  assert_int_equal(sp_apr_dated(dated, 2, &nominal, &effective, NULL), SP_OK);
  assert_true(llabs(effective - 1000000000) <= 1);
  long double want = 365.0L * (powl(1.1L, 1.0L / 365.0L) - 1.0L) * 1e10L;
  assert_true(fabsl((long double)nominal - want) <= 1.0L);
  /* Two advances, then a payment: 500 on day 0 and 500 on day 10,
   * 1,050 on day 100 -- check the root against the equation itself. */
  dated[0] = (sp_cash_flow){d("2026-01-01"), -50000};
  dated[1] = (sp_cash_flow){d("2026-01-11"), -50000};
  dated[2] = (sp_cash_flow){d("2026-04-11"), 105000};
  assert_int_equal(sp_apr_dated(dated, 3, &nominal, NULL, NULL), SP_OK);
  long double r = (long double)nominal / 365e10L;
  long double npv =
      -500.0L - 500.0L * powl(1 + r, -10) + 1050.0L * powl(1 + r, -100);
  assert_true(fabsl(npv) < 1e-4L);
}

static void expect_dated_error(size_t n, int code, const char *field) {
  int64_t rate;
  sp_error err;
  sp_error_clear(&err);
  assert_int_equal(sp_apr_dated(dated, n, &rate, NULL, &err), code);
  assert_string_equal(err.field, field);
  sp_error_clear(&err);
  assert_int_equal(sp_apr_regz_dated(dated, n, SP_UNIT_MONTH, &rate, &err),
                   code);
  assert_string_equal(err.field, field);
}

static void test_dated_bad(void **state) {
  (void)state;
  expect_dated_error(0, SP_EINVAL, "flows");
  dated[0] = (sp_cash_flow){d("2026-01-01"), 100000};
  dated[1] = (sp_cash_flow){d("2026-02-01"), 110000};
  expect_dated_error(2, SP_EINVAL, "amount"); /* nothing advanced */
  dated[0].amount_fen = -100000;
  dated[1].amount_fen = 90000;
  expect_dated_error(2, SP_EINVAL, "amount"); /* repaid less */
  dated[1].amount_fen = -90000;
  expect_dated_error(2, SP_EINVAL, "amount"); /* no repayment */
  dated[0] = (sp_cash_flow){d("2026-03-01"), -100000};
  dated[1] = (sp_cash_flow){d("2026-02-01"), 110000};
  expect_dated_error(2, SP_EINVAL, "date"); /* advance after repayment */
  int64_t rate;
  sp_error err;
  flows[0] = (sp_regz_flow){-100000, 0, 0, 0};
  flows[1] = (sp_regz_flow){110000, 1, 0, 1};
  assert_int_equal(sp_apr_regz(flows, 2, 12, 1, &rate, &err), SP_EINVAL);
  assert_string_equal(err.field, "flows");
  flows[0].f_den = 1;
  assert_int_equal(sp_apr_regz(flows, 2, 0, 1, &rate, &err), SP_EINVAL);
  assert_string_equal(err.field, "w");
  flows[0] = (sp_regz_flow){-100000, 2, 0, 1}; /* advanced after payment */
  assert_int_equal(sp_apr_regz(flows, 2, 12, 1, &rate, &err), SP_EINVAL);
  assert_string_equal(err.field, "flows");
}

static void test_unit_names(void **state) {
  (void)state;
  const char *names[] = {"daily",   "weekly",    "biweekly", "semimonthly",
                         "monthly", "quarterly", "yearly"};
  const int per_year[] = {365, 52, 26, 24, 12, 4, 1};
  sp_unit_period u;
  for (int i = 0; i < 7; i++) {
    assert_int_equal(sp_unit_period_parse(names[i], "f", &u, NULL), SP_OK);
    assert_string_equal(sp_unit_period_name(u), names[i]);
    assert_int_equal(sp_unit_period_per_year(u), per_year[i]);
  }
  sp_error err;
  assert_int_equal(sp_unit_period_parse("fortnightly", "--frequency", &u, &err),
                   SP_EINVAL);
  assert_string_equal(err.field, "--frequency");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_periodic_example),
      cmocka_unit_test(test_periodic_single),
      cmocka_unit_test(test_periodic_bad),
      cmocka_unit_test(test_periodic_matches_schedules),
      cmocka_unit_test(test_appendix_j_table),
      cmocka_unit_test(test_regz_periods),
      cmocka_unit_test(test_regz_dated),
      cmocka_unit_test(test_dated_irr),
      cmocka_unit_test(test_dated_bad),
      cmocka_unit_test(test_unit_names)};
  return cmocka_run_group_tests(tests, NULL, NULL);
}
