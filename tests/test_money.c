/* Money, rates and dates: values worked out by hand. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "sparrow/date.h"
#include "sparrow/money.h"

static void test_money_parse_format(void **state) {
  (void)state;
  int64_t v;
  char buf[32];
  assert_int_equal(sp_money_parse("100000.00", "amount", &v, NULL), SP_OK);
  assert_true(v == 10000000);
  assert_int_equal(sp_money_parse("0.5", "amount", &v, NULL), SP_OK);
  assert_true(v == 50);
  assert_int_equal(sp_money_parse("-12", "amount", &v, NULL), SP_OK);
  assert_true(v == -1200);
  sp_error err;
  assert_int_equal(sp_money_parse("1.005", "amount", &v, &err), SP_EINVAL);
  assert_string_equal(err.field, "amount");
  assert_int_equal(sp_money_parse("1e5", "amount", &v, NULL), SP_EINVAL);
  assert_int_equal(sp_money_parse("", "amount", &v, NULL), SP_EINVAL);
  assert_int_equal(sp_money_parse("12.", "amount", &v, NULL), SP_EINVAL);
  assert_int_equal(sp_money_parse("99999999999999999", "amount", &v, NULL),
                   SP_ERANGE);
  sp_money_format(888488, buf, sizeof buf);
  assert_string_equal(buf, "8884.88");
  sp_money_format(-5, buf, sizeof buf);
  assert_string_equal(buf, "-0.05");
  sp_money_format(INT64_MIN, buf, sizeof buf);
  assert_string_equal(buf, "-92233720368547758.08");
  assert_int_equal(sp_money_format(100, buf, 4), SP_ERANGE);
  assert_int_equal(sp_money_format(100, buf, 5), 4);
  assert_string_equal(buf, "1.00");
}

static void test_rate_parse(void **state) {
  (void)state;
  int64_t r;
  char buf[32];
  assert_int_equal(sp_rate_parse("12%", "rate", &r, NULL), SP_OK);
  assert_true(r == 1200000000);
  assert_int_equal(sp_rate_parse("0.02%", "rate", &r, NULL), SP_OK);
  assert_true(r == 2000000);
  assert_int_equal(sp_rate_parse("5bp", "rate", &r, NULL), SP_OK);
  assert_true(r == 5000000);
  assert_int_equal(sp_rate_parse("0.5\u2030", "rate", &r, NULL), SP_OK);
  assert_true(r == 5000000);
  assert_int_equal(sp_rate_parse("0.12", "rate", &r, NULL), SP_EINVAL);
  assert_int_equal(sp_rate_parse("12%%", "rate", &r, NULL), SP_EINVAL);
  assert_int_equal(sp_rate_parse("-1%", "rate", &r, NULL), SP_ERANGE);
  sp_rate_format_percent(1090000000, 2, buf, sizeof buf);
  assert_string_equal(buf, "10.90%");
  sp_rate_format_percent(1089500000, 2, buf, sizeof buf); /* 10.895% */
  assert_string_equal(buf, "10.90%");
  sp_rate_format_percent(2000000, 6, buf, sizeof buf); /* 0.02% a day */
  assert_string_equal(buf, "0.020000%");
  sp_rate_format_percent(-1200000000, 0, buf, sizeof buf);
  assert_string_equal(buf, "-12%");
  assert_int_equal(sp_rate_format_percent(1200000000, 2, buf, 6), SP_ERANGE);
  assert_int_equal(sp_rate_format_percent(1200000000, 2, buf, 7), 6);
}

static void test_rounding(void **state) {
  (void)state;
  /* 5/2 = 2.5, -5/2 = -2.5, 7/2 = 3.5, 7/3 = 2.33 */
  assert_true(sp_div_round(5, 2, SP_ROUND_HALF_UP) == 3);
  assert_true(sp_div_round(-5, 2, SP_ROUND_HALF_UP) == -3);
  assert_true(sp_div_round(5, 2, SP_ROUND_HALF_EVEN) == 2);
  assert_true(sp_div_round(7, 2, SP_ROUND_HALF_EVEN) == 4);
  assert_true(sp_div_round(-5, 2, SP_ROUND_HALF_EVEN) == -2);
  assert_true(sp_div_round(7, 3, SP_ROUND_HALF_UP) == 2);
  assert_true(sp_div_round(7, 3, SP_ROUND_UP) == 3);
  assert_true(sp_div_round(-7, 3, SP_ROUND_DOWN) == -2);
  assert_true(sp_div_round(-7, 3, SP_ROUND_FLOOR) == -3);
  assert_true(sp_div_round(7, -3, SP_ROUND_FLOOR) == -3);
  int64_t out;
  /* 50,000.00 at 0.02% a day for 15 days = 150.00 */
  assert_int_equal(sp_muldiv_round(5000000, 2000000 * 15, INT64_C(10000000000),
                                   SP_ROUND_HALF_UP, &out),
                   SP_OK);
  assert_true(out == 15000);
  assert_int_equal(sp_muldiv_round(INT64_MAX, 4, 1, SP_ROUND_HALF_UP, &out),
                   SP_EOVERFLOW);
}

static void test_dates(void **state) {
  (void)state;
  sp_date d, e;
  char buf[11];
  assert_int_equal(sp_date_parse("1970-01-01", "date", &d, NULL), SP_OK);
  assert_int_equal(d, 0);
  assert_int_equal(sp_date_parse("2026-01-15", "date", &d, NULL), SP_OK);
  assert_int_equal(d, 20468); /* 56 years incl. 14 leap days: 56*365+14+14 */
  assert_int_equal(sp_date_weekday(d), 3); /* a Thursday */
  assert_int_equal(sp_date_parse("2026-02-29", "date", &d, NULL), SP_EINVAL);
  assert_int_equal(sp_date_parse("2024-02-29", "date", &d, NULL), SP_OK);
  assert_int_equal(sp_date_parse("2026-13-01", "date", &d, NULL), SP_EINVAL);
  assert_int_equal(sp_date_parse("2026-1-01", "date", &d, NULL), SP_EINVAL);
  sp_date_parse("2026-01-31", "date", &d, NULL);
  sp_date_format(sp_date_add_months(d, 1), buf);
  assert_string_equal(buf, "2026-02-28");
  sp_date_format(sp_date_add_months(d, 25), buf);
  assert_string_equal(buf, "2028-02-29");
  sp_date_format(sp_date_add_months(d, -2), buf);
  assert_string_equal(buf, "2025-11-30");
  /* Round trip over four centuries. */
  for (sp_date x = -25567; x < 84000; x += 17) {
    int y, m, dd;
    sp_date_to_ymd(x, &y, &m, &dd);
    assert_int_equal(sp_date_from_ymd(y, m, dd, &e), SP_OK);
    assert_int_equal(e, x);
  }
  /* Day counts: 2026-01-31 to 2026-03-31 is 59 actual days, 60 in 30/360. */
  sp_date_parse("2026-03-31", "date", &e, NULL);
  assert_int_equal(sp_daycount_days(SP_DAYCOUNT_ACT_360, d, e), 59);
  assert_int_equal(sp_daycount_days(SP_DAYCOUNT_30_360, d, e), 60);
  sp_date_parse("2026-02-28", "date", &e, NULL);
  assert_int_equal(sp_daycount_days(SP_DAYCOUNT_30_360, d, e), 28);
}

static void test_times(void **state) {
  (void)state;
  sp_time t;
  char buf[32];
  assert_int_equal(sp_time_parse("2026-01-01T00:00:00Z", "time", &t, NULL),
                   SP_OK);
  assert_true(t == INT64_C(1767225600));
  assert_int_equal(sp_time_date(t), 20454); /* 08:00 local, 2026-01-01 */
  assert_int_equal(sp_time_parse("2026-01-01T07:59:59+08:00", "t", &t, NULL),
                   SP_OK);
  assert_true(t == INT64_C(1767225600) - 1);
  assert_int_equal(sp_time_parse("2026-01-01", "t", &t, NULL), SP_OK);
  assert_true(t == INT64_C(1767225600) - 8 * 3600);
  sp_time_format(t, buf);
  assert_string_equal(buf, "2026-01-01T00:00:00+08:00");
  assert_int_equal(sp_time_parse("2026-01-01T24:00:00", "t", &t, NULL),
                   SP_EINVAL);
  assert_int_equal(sp_time_parse("2026-01-01 10:00:00", "t", &t, NULL),
                   SP_EINVAL);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_money_parse_format),
      cmocka_unit_test(test_rate_parse), cmocka_unit_test(test_rounding),
      cmocka_unit_test(test_dates), cmocka_unit_test(test_times)};
  return cmocka_run_group_tests(tests, NULL, NULL);
}
