/* AML detectors on small hand-built streams; expected answers worked out by
 * hand from the rules in docs comments of src/aml/. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "sparrow/aml.h"

static void add(sp_aml_data *d, const char *id, const char *t, const char *f,
                const char *to, int64_t fen, sp_aml_type type) {
  sp_aml_tx tx = {0};
  tx.id = id;
  assert_int_equal(sp_time_parse(t, "time", &tx.time, NULL), SP_OK);
  tx.from_account = f, tx.to_account = to, tx.amount_fen = fen, tx.type = type;
  tx.from_kind = tx.to_kind = -1;
  assert_int_equal(sp_aml_data_add_tx(d, &tx, NULL), SP_OK);
}

static size_t count(const sp_aml_alerts *a, sp_aml_pattern p, size_t *first) {
  size_t n = 0;
  for (size_t i = 0; i < sp_aml_alerts_count(a); i++) {
    sp_aml_alert al;
    sp_aml_alerts_get(a, i, &al);
    if (al.pattern == p && n++ == 0 && first)
      *first = i;
  }
  return n;
}

static sp_aml_alerts *run(sp_aml_data *d, unsigned patterns) {
  sp_aml_config cfg;
  sp_aml_config_default(&cfg);
  cfg.patterns = patterns;
  sp_aml_alerts *a = NULL;
  assert_int_equal(sp_aml_detect(d, &cfg, &a, NULL), SP_OK);
  return a;
}

/* Cash 50,000.00 is the threshold: 49,999.99 alone is not reported, two
 * same-day withdrawals summing 50,000.00 are; a withdrawal after midnight
 * (UTC+8) belongs to the next day. */
static void test_large_value(void **state) {
  (void)state;
  sp_aml_data *d;
  assert_int_equal(sp_aml_data_new(&d), SP_OK);
  add(d, "t1", "2026-01-05T09:00:00+08:00", "A", "", 5000000, SP_AML_CASH);
  add(d, "t2", "2026-01-05T10:00:00+08:00", "B", "", 3000000, SP_AML_CASH);
  add(d, "t3", "2026-01-05T23:59:59+08:00", "B", "", 2000000, SP_AML_CASH);
  add(d, "t4", "2026-01-06T00:00:00+08:00", "C", "", 4999999, SP_AML_CASH);
  add(d, "t5", "2026-01-06T10:00:00+08:00", "D", "E", 49999999,
      SP_AML_TRANSFER); /* individual domestic: 499,999.99 < 500,000 */
  sp_aml_alerts *a = run(d, 1u << SP_AML_LARGE_VALUE);
  assert_int_equal(sp_aml_alerts_count(a), 2);
  sp_aml_alert al;
  sp_aml_alerts_get(a, 1, &al);
  assert_string_equal(sp_aml_data_account_name(d, al.accounts[0]), "B");
  assert_int_equal(al.n_items, 2);
  assert_true(al.amount_fen == 5000000);
  sp_aml_alerts_free(a);
  sp_aml_data_free(d);
}

/* X -> Y -> Z -> X within hours, amounts within 10%: one cycle of three. A
 * parallel second loop over the same accounts is the same cycle. */
static void test_cycle(void **state) {
  (void)state;
  sp_aml_data *d;
  assert_int_equal(sp_aml_data_new(&d), SP_OK);
  add(d, "c1", "2026-01-07T09:00:00", "X", "Y", 10000000, SP_AML_TRANSFER);
  add(d, "c2", "2026-01-07T10:00:00", "Y", "Z", 9800000, SP_AML_TRANSFER);
  add(d, "c3", "2026-01-07T11:00:00", "Z", "X", 9700000, SP_AML_TRANSFER);
  add(d, "c4", "2026-01-07T12:00:00", "X", "Y", 9700000, SP_AML_TRANSFER);
  add(d, "c5", "2026-01-07T13:00:00", "Y", "Z", 9700000, SP_AML_TRANSFER);
  add(d, "c6", "2026-01-07T14:00:00", "Z", "X", 9700000, SP_AML_TRANSFER);
  /* ring R -> S -> Q -> R at 10:00, 09:00, 11:00: no rotation is in time
   * order, so not a cycle */
  add(d, "n1", "2026-01-07T10:00:00", "R", "S", 100000, SP_AML_TRANSFER);
  add(d, "n2", "2026-01-07T09:00:00", "S", "Q", 100000, SP_AML_TRANSFER);
  add(d, "n3", "2026-01-07T11:00:00", "Q", "R", 100000, SP_AML_TRANSFER);
  /* amounts off by more than 10%: not a cycle */
  add(d, "m1", "2026-01-07T09:00:00", "U", "V", 100000, SP_AML_TRANSFER);
  add(d, "m2", "2026-01-07T10:00:00", "V", "W", 50000, SP_AML_TRANSFER);
  add(d, "m3", "2026-01-07T11:00:00", "W", "U", 50000, SP_AML_TRANSFER);
  sp_aml_alerts *a = run(d, 1u << SP_AML_CYCLE);
  size_t i = 0;
  assert_int_equal(count(a, SP_AML_CYCLE, &i), 1);
  sp_aml_alert al;
  sp_aml_alerts_get(a, i, &al);
  assert_int_equal(al.n_items, 3);
  uint32_t row;
  assert_string_equal(sp_aml_data_tx_id(d, al.items[0], &row), "c1");
  assert_string_equal(sp_aml_data_tx_id(d, al.items[2], &row), "c3");
  /* 2 h of a 7-day window: penalty 50 * 7200 / 604800 = 0.6, truncated
   * to 0 (the penalty is an integer division), so 100 */
  assert_int_equal(al.score, 100);
  sp_aml_alerts_free(a);
  sp_aml_data_free(d);
}

/* Eight payers to H in a day, H passes 60% on: fan-in. Seven payers: no. */
static void test_fan_in(void **state) {
  (void)state;
  sp_aml_data *d;
  assert_int_equal(sp_aml_data_new(&d), SP_OK);
  char name[8];
  for (int i = 0; i < 8; i++) {
    snprintf(name, sizeof name, "P%d", i);
    add(d, NULL, "2026-02-01T09:00:00", name, "H", 100000, SP_AML_TRANSFER);
    if (i < 7)
      add(d, NULL, "2026-02-01T09:00:00", name, "K", 100000, SP_AML_TRANSFER);
  }
  add(d, NULL, "2026-02-02T09:00:00", "H", "O", 480000, SP_AML_TRANSFER);
  sp_aml_alerts *a = run(d, 1u << SP_AML_FAN_IN);
  size_t i = 0;
  assert_int_equal(count(a, SP_AML_FAN_IN, &i), 1);
  sp_aml_alert al;
  sp_aml_alerts_get(a, i, &al);
  assert_string_equal(sp_aml_data_account_name(d, al.accounts[0]), "H");
  assert_int_equal(al.n_accounts, 9);
  assert_true(al.amount_fen == 800000);
  sp_aml_alerts_free(a);
  sp_aml_data_free(d);
}

/* A guarantees B 100, B guarantees C 50, C guarantees A 30, D guarantees A
 * 20. Circle {A,B,C}; network {A,B,C,D}; exposures by hand: A, B, C reach
 * the three circle edges = 180; D = 20 + 180 = 200. */
/* Structuring: cash threshold 50,000.00, band [45,000, 50,000) (10%
 * margin), 3 in 7 days. S: 48,000 (Jan 5), 49,000 (Jan 6), 46,000 (Jan 8)
 * -> one alert of those three; sum 143,000 >= 50,000 so score 50 + 0 + 20 =
 * 70. N: 48,000, then 44,000 (below the band), then 49,000 on Jan 20
 * (outside the window) -> nothing. */
static void test_structuring(void **state) {
  (void)state;
  sp_aml_data *d;
  assert_int_equal(sp_aml_data_new(&d), SP_OK);
  add(d, "s1", "2026-01-05T09:00:00+08:00", "S", "", 4800000, SP_AML_CASH);
  add(d, "s2", "2026-01-06T09:00:00+08:00", "S", "", 4900000, SP_AML_CASH);
  add(d, "s3", "2026-01-08T09:00:00+08:00", "S", "", 4600000, SP_AML_CASH);
  add(d, "n1", "2026-01-05T09:00:00+08:00", "N", "", 4800000, SP_AML_CASH);
  add(d, "n2", "2026-01-06T09:00:00+08:00", "N", "", 4400000, SP_AML_CASH);
  add(d, "n3", "2026-01-20T09:00:00+08:00", "N", "", 4900000, SP_AML_CASH);
  sp_aml_alerts *a = run(d, 1u << SP_AML_STRUCTURING);
  assert_int_equal(sp_aml_alerts_count(a), 1);
  sp_aml_alert al;
  sp_aml_alerts_get(a, 0, &al);
  assert_string_equal(sp_aml_data_account_name(d, al.accounts[0]), "S");
  assert_int_equal(al.n_items, 3);
  assert_int_equal(al.score, 70);
  sp_aml_alerts_free(a);
  sp_aml_data_free(d);
}

/* Rapid in-and-out (window 1 day, 90%, at least 50,000): M receives
 * 100,000 from X at 10:00 and pays Y 60,000 at 12:00 and Z 35,000 at 14:00:
 * 95,000 >= 90,000 four hours later -> alert M, X, Y, Z with 3 transfers,
 * score 100 - 50 * 4 / 24 = 92 (truncated). P receives 100,000 and passes
 * on only 50,000 within the day (45,000 two days later); R sends 95,000
 * straight back to its payer: neither is an alert. */
static void test_rapid(void **state) {
  (void)state;
  sp_aml_data *d;
  assert_int_equal(sp_aml_data_new(&d), SP_OK);
  add(d, "r1", "2026-01-05T10:00:00+08:00", "X", "M", 10000000,
      SP_AML_TRANSFER);
  add(d, "r2", "2026-01-05T12:00:00+08:00", "M", "Y", 6000000, SP_AML_TRANSFER);
  add(d, "r3", "2026-01-05T14:00:00+08:00", "M", "Z", 3500000, SP_AML_TRANSFER);
  add(d, "p1", "2026-01-05T10:00:00+08:00", "Q", "P", 10000000,
      SP_AML_TRANSFER);
  add(d, "p2", "2026-01-05T11:00:00+08:00", "P", "U", 5000000, SP_AML_TRANSFER);
  add(d, "p3", "2026-01-07T11:00:00+08:00", "P", "V", 4500000, SP_AML_TRANSFER);
  add(d, "b1", "2026-01-05T10:00:00+08:00", "T", "R", 10000000,
      SP_AML_TRANSFER);
  add(d, "b2", "2026-01-05T11:00:00+08:00", "R", "T", 9500000, SP_AML_TRANSFER);
  sp_aml_alerts *a = run(d, 1u << SP_AML_RAPID_IN_OUT);
  assert_int_equal(sp_aml_alerts_count(a), 1);
  sp_aml_alert al;
  sp_aml_alerts_get(a, 0, &al);
  assert_string_equal(sp_aml_data_account_name(d, al.accounts[0]), "M");
  assert_int_equal(al.n_accounts, 4);
  assert_int_equal(al.n_items, 3);
  assert_true(al.amount_fen == 10000000);
  assert_int_equal(al.score, 92);
  sp_aml_alerts_free(a);
  sp_aml_data_free(d);
}

/* Fan-out (8 distinct payees in 3 days, at least half funded by money that
 * came in during the 3 days before): H receives 90,000 at 09:00 and pays
 * 10,000 to each of 8 payees -> alert of H + 8 accounts, 8 transfers,
 * 80,000, score 50. W pays 8 employees with nothing coming in: no alert. */
static void test_fan_out(void **state) {
  (void)state;
  sp_aml_data *d;
  assert_int_equal(sp_aml_data_new(&d), SP_OK);
  add(d, "h0", "2026-01-05T09:00:00+08:00", "F", "H", 9000000, SP_AML_TRANSFER);
  for (int i = 0; i < 8; i++) {
    char id[8], to[8], t[32], wid[8], emp[8];
    snprintf(id, sizeof id, "h%d", i + 1);
    snprintf(to, sizeof to, "P%d", i);
    snprintf(t, sizeof t, "2026-01-05T%02d:00:00+08:00", 10 + i);
    add(d, id, t, "H", to, 1000000, SP_AML_TRANSFER);
    snprintf(wid, sizeof wid, "w%d", i);
    snprintf(emp, sizeof emp, "E%d", i);
    add(d, wid, t, "W", emp, 1000000, SP_AML_TRANSFER);
  }
  sp_aml_alerts *a = run(d, 1u << SP_AML_FAN_OUT);
  assert_int_equal(sp_aml_alerts_count(a), 1);
  sp_aml_alert al;
  sp_aml_alerts_get(a, 0, &al);
  assert_string_equal(sp_aml_data_account_name(d, al.accounts[0]), "H");
  assert_int_equal(al.n_accounts, 9);
  assert_int_equal(al.n_items, 8);
  assert_true(al.amount_fen == 8000000);
  assert_int_equal(al.score, 50);
  sp_aml_alerts_free(a);
  sp_aml_data_free(d);
}

static sp_aml_alerts *run_cfg(sp_aml_data *d, unsigned patterns,
                              int64_t baseline_s, int32_t factor) {
  sp_aml_config cfg;
  sp_aml_config_default(&cfg);
  cfg.patterns = patterns;
  cfg.baseline_window_s = baseline_s;
  cfg.baseline_factor = factor;
  sp_aml_alerts *a = NULL;
  assert_int_equal(sp_aml_detect(d, &cfg, &a, NULL), SP_OK);
  return a;
}

static size_t alerts_with(sp_aml_data *d, unsigned patterns, int64_t baseline_s,
                          int32_t factor) {
  sp_aml_alerts *a = run_cfg(d, patterns, baseline_s, factor);
  size_t n = sp_aml_alerts_count(a);
  sp_aml_alerts_free(a);
  return n;
}

/* The account's own history as the yardstick (baseline 35 days).
 *
 * Fan-in: the data spans Jan 1 00:00 .. Mar 31 00:00 (two unrelated
 * transfers fix the ends). H gets one payment a week from a new payer on
 * Jan 4, 11, 18, 25 and Feb 8, 15, 22 (7 outside the burst), then eight
 * payers on Feb 1 09:00..16:00 and forwards 60% on Feb 2. The baseline is
 * [Jan 1 00:00, Feb 1 09:00) + (Feb 1 16:00, Mar 8 16:00]: 31 d 9 h + 35 d
 * = 66.375 days. Alert iff 8 * 66.375 >= factor * 7 * 3 (per 3-day fan
 * window), i.e. factor <= 25.28: factor 25 alerts, 26 does not.
 *
 * Fan-out: W pays the same 8 employees on Jan 10, Feb 10 and Mar 10, each
 * time funded that morning. Every payee recurs within 35 days of each
 * payroll, so none is a fan-out; with the baseline off, all three are.
 *
 * Rapid: B receives 100,000 from a new payer every day at 10:00 (Jan 1 ..
 * Mar 31) and pays 95,000 at 12:00. Each inflow has, within 35 days, about
 * 100,000 a day around it, so 100,000 is not three times the usual:
 * nothing. Off: all 90 days alert. (H's payments above, 1,000.00 each,
 * are under the 50,000.00 rapid minimum.) */
static void test_baseline(void **state) {
  (void)state;
  sp_aml_data *d;
  char id[16], who[16], t[40];
  assert_int_equal(sp_aml_data_new(&d), SP_OK);
  add(d, NULL, "2026-01-01T00:00:00+08:00", "A", "Z", 100, SP_AML_TRANSFER);
  add(d, NULL, "2026-03-31T00:00:00+08:00", "A", "Z", 100, SP_AML_TRANSFER);
  static const char *const weekly[] = {"01-04", "01-11", "01-18", "01-25",
                                       "02-08", "02-15", "02-22"};
  for (int i = 0; i < 7; i++) {
    snprintf(t, sizeof t, "2026-%sT09:00:00+08:00", weekly[i]);
    snprintf(who, sizeof who, "Q%d", i);
    add(d, NULL, t, who, "H", 100000, SP_AML_TRANSFER);
  }
  for (int i = 0; i < 8; i++) {
    snprintf(t, sizeof t, "2026-02-01T%02d:00:00+08:00", 9 + i);
    snprintf(who, sizeof who, "P%d", i);
    add(d, NULL, t, who, "H", 100000, SP_AML_TRANSFER);
  }
  add(d, NULL, "2026-02-02T09:00:00+08:00", "H", "O", 480000, SP_AML_TRANSFER);
  assert_int_equal(alerts_with(d, 1u << SP_AML_FAN_IN, 35 * 86400, 25), 1);
  assert_int_equal(alerts_with(d, 1u << SP_AML_FAN_IN, 35 * 86400, 26), 0);

  static const char *const payroll[] = {"01-10", "02-10", "03-10"};
  for (int m = 0; m < 3; m++) {
    snprintf(t, sizeof t, "2026-%sT08:00:00+08:00", payroll[m]);
    add(d, NULL, t, "F", "W", 9000000, SP_AML_TRANSFER);
    for (int e = 0; e < 8; e++) {
      snprintf(t, sizeof t, "2026-%sT%02d:00:00+08:00", payroll[m], 10 + e);
      snprintf(who, sizeof who, "E%d", e);
      add(d, NULL, t, "W", who, 1000000, SP_AML_TRANSFER);
    }
  }
  assert_int_equal(alerts_with(d, 1u << SP_AML_FAN_OUT, 35 * 86400, 3), 0);
  assert_int_equal(alerts_with(d, 1u << SP_AML_FAN_OUT, 0, 3), 3);

  for (int day = 0; day < 90; day++) {
    sp_date date = 20454 + day; /* 2026-01-01 */
    char ds[11];
    sp_date_format(date, ds);
    snprintf(t, sizeof t, "%sT10:00:00+08:00", ds);
    snprintf(who, sizeof who, "X%d", day);
    snprintf(id, sizeof id, "in%d", day);
    add(d, id, t, who, "B", 10000000, SP_AML_TRANSFER);
    snprintf(t, sizeof t, "%sT12:00:00+08:00", ds);
    snprintf(who, sizeof who, "Y%d", day);
    snprintf(id, sizeof id, "out%d", day);
    add(d, id, t, "B", who, 9500000, SP_AML_TRANSFER);
  }
  assert_int_equal(alerts_with(d, 1u << SP_AML_RAPID_IN_OUT, 35 * 86400, 3), 0);
  assert_int_equal(alerts_with(d, 1u << SP_AML_RAPID_IN_OUT, 0, 3), 90);
  sp_aml_data_free(d);
}

/* Loan purpose (30 days, 30%): BANK lends 100,000 to each of B1..B4 on
 * Jan 5. B1 buys 40,000 of securities on Jan 6: 40% -> alert of 2
 * transfers, amount 40,000, score 50 + 50 * 0.40 = 70. B2 puts 20,000 into
 * real estate (20%, not yet) and lends 15,000 to B1, another borrower:
 * 35% -> alert of 3 transfers, amount 35,000, score 50 + 17.5 = 67. B3
 * pays its suppliers: nothing. B4 buys 50,000 of securities 31 days later:
 * outside the window, nothing. */
static void test_loan_purpose(void **state) {
  (void)state;
  sp_aml_data *d;
  assert_int_equal(sp_aml_data_new(&d), SP_OK);
  const char *b[] = {"B1", "B2", "B3", "B4"};
  for (int i = 0; i < 4; i++) {
    char id[8];
    snprintf(id, sizeof id, "d%d", i + 1);
    add(d, id, "2026-01-05T09:00:00+08:00", "BANK", b[i], 10000000,
        SP_AML_LOAN);
  }
  add(d, "x1", "2026-01-06T09:00:00+08:00", "B1", "BROKER", 4000000,
      SP_AML_SECURITIES);
  add(d, "x2", "2026-01-06T09:00:00+08:00", "B2", "DEV", 2000000,
      SP_AML_REAL_ESTATE);
  add(d, "x3", "2026-01-07T09:00:00+08:00", "B2", "B1", 1500000,
      SP_AML_TRANSFER);
  add(d, "x4", "2026-01-06T09:00:00+08:00", "B3", "SUP", 9000000,
      SP_AML_TRANSFER);
  add(d, "x5", "2026-02-05T09:00:01+08:00", "B4", "BROKER", 5000000,
      SP_AML_SECURITIES);
  sp_aml_alerts *a = run(d, 1u << SP_AML_LOAN_PURPOSE);
  assert_int_equal(sp_aml_alerts_count(a), 2);
  int seen = 0;
  for (size_t i = 0; i < 2; i++) {
    sp_aml_alert al;
    sp_aml_alerts_get(a, i, &al);
    const char *who = sp_aml_data_account_name(d, al.accounts[0]);
    assert_string_equal(sp_aml_data_account_name(d, al.accounts[1]), "BANK");
    if (strcmp(who, "B1") == 0) {
      assert_int_equal(al.n_items, 2);
      assert_true(al.amount_fen == 4000000);
      assert_int_equal(al.score, 70);
      seen |= 1;
    } else {
      assert_string_equal(who, "B2");
      assert_int_equal(al.n_items, 3);
      assert_true(al.amount_fen == 3500000);
      assert_int_equal(al.score, 67);
      seen |= 2;
    }
  }
  assert_int_equal(seen, 3);
  sp_aml_alerts_free(a);
  sp_aml_data_free(d);
}

static void test_guarantees(void **state) {
  (void)state;
  sp_aml_data *d;
  assert_int_equal(sp_aml_data_new(&d), SP_OK);
  assert_int_equal(sp_aml_data_add_guarantee(d, NULL, "A", "B", 10000, NULL),
                   0);
  assert_int_equal(sp_aml_data_add_guarantee(d, NULL, "B", "C", 5000, NULL), 0);
  assert_int_equal(sp_aml_data_add_guarantee(d, NULL, "C", "A", 3000, NULL), 0);
  assert_int_equal(sp_aml_data_add_guarantee(d, NULL, "D", "A", 2000, NULL), 0);
  assert_int_equal(sp_aml_data_add_guarantee(d, NULL, "E", "F", 1000, NULL), 0);
  sp_aml_alerts *a = run(d, 3u << SP_AML_GUARANTEE_CIRCLE);
  assert_int_equal(sp_aml_alerts_count(a), 2);
  sp_aml_alert al;
  sp_aml_alerts_get(a, 0, &al);
  assert_int_equal(al.pattern, SP_AML_GUARANTEE_CIRCLE);
  assert_int_equal(al.n_accounts, 3);
  assert_true(al.amount_fen == 18000);
  sp_aml_alerts_get(a, 1, &al);
  assert_int_equal(al.pattern, SP_AML_GUARANTEE_NETWORK);
  assert_int_equal(al.n_accounts, 4);
  for (uint32_t i = 0; i < 4; i++) {
    const char *n = sp_aml_data_account_name(d, al.accounts[i]);
    assert_true(al.account_fen[i] == (strcmp(n, "D") == 0 ? 20000 : 18000));
  }
  sp_aml_alerts_free(a);
  sp_aml_data_free(d);
}

/* CSV: mapped header, rounding of a third decimal, errors with line and
 * column, a missing column named. */
static void test_csv(void **state) {
  (void)state;
  sp_aml_config cfg;
  sp_aml_config_default(&cfg);
  sp_error err;
  assert_int_equal(
      sp_aml_config_map(&cfg, "from_account=src,to_account=dst", 0, &err),
      SP_OK);
  sp_aml_data *d;
  assert_int_equal(sp_aml_data_new(&d), SP_OK);
  const char *ok = "time,src,dst,amount\r\n"
                   "2026-01-01,\"a,1\",b,1.005\n";
  assert_int_equal(sp_aml_data_read_transactions(d, &cfg, ok, strlen(ok), &err),
                   SP_OK);
  assert_int_equal(sp_aml_data_tx_count(d), 1);
  assert_string_equal(sp_aml_data_account_name(d, 0), "a,1");
  const char *bad = "time,src,dst,amount\n2026-01-01,a,b,1e5\n";
  assert_int_equal(
      sp_aml_data_read_transactions(d, &cfg, bad, strlen(bad), &err),
      SP_EINVAL);
  assert_string_equal(err.field, "amount");
  assert_int_equal(err.line, 2);
  assert_int_equal(err.column, 16);
  const char *miss = "time,src,amount\n";
  assert_int_equal(
      sp_aml_data_read_transactions(d, &cfg, miss, strlen(miss), &err),
      SP_EINVAL);
  assert_string_equal(err.field, "dst");
  assert_int_equal(
      sp_aml_config_load_json(&cfg, "{\"cycle\":{\"hopz\":3}}", &err),
      SP_EINVAL);
  assert_string_equal(err.field, "cycle.hopz");
  sp_aml_data_free(d);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_large_value), cmocka_unit_test(test_cycle),
      cmocka_unit_test(test_fan_in),      cmocka_unit_test(test_structuring),
      cmocka_unit_test(test_rapid),       cmocka_unit_test(test_fan_out),
      cmocka_unit_test(test_baseline),    cmocka_unit_test(test_loan_purpose),
      cmocka_unit_test(test_guarantees),  cmocka_unit_test(test_csv)};
  return cmocka_run_group_tests(tests, NULL, NULL);
}
