/* Post-loan monitor: hand-built event streams whose aggregates, lateness,
 * duplicate and rule outcomes were worked out by hand (calendar day counts
 * from a calendar: 2026-02-15 to 2026-03-31 is 44 days), plus
 * snapshot/restore checked against an uninterrupted run of the same
 * stream, and expected failures for bad rules and bad events. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sparrow/monitor.h"

static sp_monitor_rules *rules_of(const char *json) {
  sp_monitor_rules *r = malloc(sizeof *r);
  assert_non_null(r);
  sp_error err;
  int rc = sp_monitor_rules_load_string(r, json, strlen(json), &err);
  if (rc != SP_OK)
    fail_msg("rules: %s", err.message);
  return r;
}

static sp_monitor *engine(const sp_monitor_rules *r, sp_time lateness) {
  sp_monitor_config cfg;
  sp_monitor_config_default(&cfg);
  cfg.lateness_s = lateness;
  cfg.borrowers_max = 64;
  cfg.rings_max = 256;
  cfg.chunks_max = 1024;
  sp_monitor *m = NULL;
  sp_error err;
  assert_int_equal(sp_monitor_new(&m, &cfg, r, &err), SP_OK);
  return m;
}

/* Actions gathered as "rule/event" words. */
typedef struct seen {
  int n;
  char what[64][80];
  sp_monitor_action_kind kind[64];
  int64_t pct[64], amount[64];
  char value[64][64]; /* the first aggregate the rule computed */
} seen;

static void collect(const sp_monitor_action *a, void *user) {
  seen *s = user;
  assert_true(s->n < 64);
  snprintf(s->what[s->n], 80, "%s/%s", a->rule->id, a->event->id);
  s->kind[s->n] = a->rule->action;
  s->pct[s->n] = a->rule->pct;
  s->amount[s->n] = a->rule->amount_fen;
  s->value[s->n][0] = '\0';
  if (a->n_values > 0)
    snprintf(s->value[s->n], 64, "%s %s %d %d %g", a->values[0].function,
             sp_monitor_series_name(a->values[0].series), a->values[0].days,
             a->values[0].days_before, a->values[0].value);
  s->n++;
}

/* Feeds one JSON line; returns the sp_monitor_result. */
static int feed(sp_monitor *m, const char *json, seen *s) {
  sp_monitor_event ev;
  sp_error err;
  int rc = sp_monitor_event_parse_json(json, strlen(json), 1, &ev, &err);
  if (rc != SP_OK)
    fail_msg("event %s: %s", json, err.message);
  rc = sp_monitor_ingest(m, &ev, collect, s, &err);
  assert_true(rc >= 0);
  return rc;
}

static double query(sp_monitor *m, const char *borrower, const char *expr,
                    int *missing) {
  sp_value v;
  sp_error err;
  int rc = sp_monitor_query(m, borrower, expr, &v, &err);
  if (rc != SP_OK)
    fail_msg("query %s: %s", expr, err.message);
  *missing = v.kind == SP_VALUE_MISSING;
  if (v.kind == SP_VALUE_BOOL)
    return v.boolean;
  return *missing ? 0 : v.number;
}

static void expect(sp_monitor *m, const char *expr, double want) {
  int missing;
  double got = query(m, "B1", expr, &missing);
  if (missing || fabs(got - want) > 1e-6)
    fail_msg("%s = %s%g, want %g", expr, missing ? "missing " : "", got, want);
}

static void expect_missing(sp_monitor *m, const char *expr) {
  int missing;
  query(m, "B1", expr, &missing);
  if (!missing)
    fail_msg("%s: want missing", expr);
}

#define EV(id, kind, time, rest)                                               \
  "{\"id\":\"" id "\",\"borrower\":\"B1\",\"kind\":\"" kind                    \
  "\",\"time\":\"" time "\"," rest "}"

static const char *const STREAM[] = {
    EV("E5", "utility_electricity", "2026-02-15T08:00:00+08:00",
       "\"value\":1200"),
    EV("E1", "invoice_issued", "2026-03-01T10:00:00+08:00",
       "\"amount\":100000"),
    EV("E2", "invoice_issued", "2026-03-01T15:00:00+08:00", "\"amount\":50000"),
    EV("E3", "invoice_issued", "2026-03-10T09:00:00+08:00",
       "\"amount\":200000"),
    EV("E4", "invoice_issued", "2026-03-31T09:00:00+08:00", "\"amount\":30000"),
    EV("E6", "social_insurance", "2026-03-31T12:00:00+08:00", "\"value\":25"),
};
#define N_STREAM 6

static const char NO_RULES[] = "{\"rules\":[]}";

static void test_aggregates(void **state) {
  (void)state;
  sp_monitor_rules *r = rules_of(NO_RULES);
  sp_monitor *m = engine(r, 2 * SP_DAY_S);
  seen s = {0};
  for (int i = 0; i < N_STREAM; i++)
    assert_int_equal(feed(m, STREAM[i], &s), SP_MONITOR_ACCEPTED);
  /* Today is 2026-03-31; 30d is 03-02..03-31, 31d is 03-01..03-31. */
  expect(m, "sum(invoice_issued, 30d)", 230000);
  expect(m, "sum(\"invoice_issued\", 30d)", 230000);
  expect(m, "sum(invoice_issued, 31d)", 380000);
  expect(m, "count(invoice_issued, 7d)", 1);
  expect(m, "count(invoice_issued, 31d)", 4);
  expect(m, "avg(invoice_issued, 31d)", 95000);
  expect(m, "min(invoice_issued, 31d)", 30000);
  expect(m, "max(invoice_issued, 31d)", 200000);
  expect(m, "avg_monthly(invoice_issued, 180d)", 380000.0 * 30 / 180);
  expect(m, "days_since(invoice_issued)", 0);
  expect(m, "days_since(utility_electricity)", 44);
  expect(m, "sum(utility_electricity, 45d)", 1200);
  expect(m, "sum(utility_electricity, 44d)", 0);
  expect(m, "sum(social_insurance, 1d)", 25);
  /* 30 days 03-02..03-31: 230000/30; the 60 before, 01-01..03-01:
   * 150000/60. */
  expect(m, "trend(invoice_issued, 30d, 60d)", (230000.0 / 30) / 2500.0);
  expect(m, "min(1, 2)", 1);
  expect(m, "max(3, 2, 7)", 7);
  expect(m,
         "sum(invoice_issued, 30d) < 0.6 * avg_monthly(invoice_issued, "
         "180d)",
         0);
  expect_missing(m, "avg(utility_electricity, 30d)");
  expect_missing(m, "min(court_filing, 30d)");
  expect_missing(m, "days_since(court_filing)");
  expect_missing(m, "trend(utility_electricity, 7d, 7d)");
  expect_missing(m, "sum(invoice_issued, 36h)");  /* not whole days */
  expect_missing(m, "sum(invoice_issued, 191d)"); /* longer than kept */
  expect(m, "sum(court_filing, 30d)", 0);
  /* A second day (03-30) in the 8 days of 03-31's one-day entry makes it
   * a full chunk; what 03-31 held must survive. */
  feed(m,
       EV("E10", "invoice_issued", "2026-03-30T10:00:00+08:00", "\"amount\":7"),
       &s);
  feed(m,
       EV("E11", "invoice_issued", "2026-03-31T11:00:00+08:00",
          "\"amount\":40000"),
       &s);
  expect(m, "sum(invoice_issued, 2d)", 70007);
  expect(m, "min(invoice_issued, 2d)", 7);
  expect(m, "min(invoice_issued, 1d)", 30000);
  expect(m, "max(invoice_issued, 1d)", 40000);
  expect(m, "count(invoice_issued, 1d)", 2);
  expect(m, "count(invoice_issued, 31d)", 6);
  expect(m, "sum(invoice_issued, 31d)", 380000 + 7 + 40000);
  sp_monitor_free(m);
  free(r);
}

static void test_lateness_and_duplicates(void **state) {
  (void)state;
  sp_monitor_rules *r = rules_of(NO_RULES);
  sp_monitor *m = engine(r, 2 * SP_DAY_S);
  seen s = {0};
  assert_int_equal(feed(m, STREAM[4], &s), SP_MONITOR_ACCEPTED); /* E4 */
  assert_int_equal(feed(m, STREAM[5], &s), SP_MONITOR_ACCEPTED); /* E6 */
  /* Latest 03-31T12:00, lateness 2 days: 03-29T12:00 is the limit. */
  assert_int_equal(feed(m,
                        EV("E7", "invoice_issued", "2026-03-30T08:00:00+08:00",
                           "\"amount\":1000"),
                        &s),
                   SP_MONITOR_ACCEPTED);
  assert_int_equal(feed(m,
                        EV("E8", "invoice_issued", "2026-03-29T11:59:59+08:00",
                           "\"amount\":5000"),
                        &s),
                   SP_MONITOR_TOO_LATE);
  assert_int_equal(feed(m,
                        EV("E9", "invoice_issued", "2026-03-29T12:00:00+08:00",
                           "\"amount\":7"),
                        &s),
                   SP_MONITOR_ACCEPTED);
  assert_int_equal(feed(m,
                        EV("E7", "invoice_issued", "2026-03-30T08:00:00+08:00",
                           "\"amount\":1000"),
                        &s),
                   SP_MONITOR_DUPLICATE);
  assert_int_equal(feed(m, STREAM[4], &s), SP_MONITOR_DUPLICATE);
  expect(m, "sum(invoice_issued, 3d)", 31007);
  expect(m, "count(invoice_issued, 3d)", 3);
  sp_monitor_stats st;
  sp_monitor_stats_get(m, &st);
  assert_int_equal(st.accepted, 4);
  assert_int_equal(st.duplicates, 2);
  assert_int_equal(st.too_late, 1);
  assert_int_equal(st.borrowers, 1);
  sp_monitor_free(m);
  free(r);
}

/* More events inside the lateness than dedup slots: the earliest is
 * forgotten and the floor rises to it, so its replay is too late, never
 * counted twice. */
static void test_dedup_floor(void **state) {
  (void)state;
  sp_monitor_rules *r = rules_of(NO_RULES);
  sp_monitor *m = engine(r, 2 * SP_DAY_S);
  seen s = {0};
  char line[256];
  for (int i = 0; i <= SP_MONITOR_DEDUP_SLOTS; i++) {
    snprintf(line, sizeof line,
             EV("D%d", "draw", "2026-03-31T10:%02d:00+08:00", "\"amount\":1"),
             i, i);
    assert_int_equal(feed(m, line, &s), SP_MONITOR_ACCEPTED);
  }
  for (int i = 0; i <= SP_MONITOR_DEDUP_SLOTS; i++) {
    snprintf(line, sizeof line,
             EV("D%d", "draw", "2026-03-31T10:%02d:00+08:00", "\"amount\":1"),
             i, i);
    assert_int_not_equal(feed(m, line, &s), SP_MONITOR_ACCEPTED);
  }
  expect(m, "count(draw, 1d)", SP_MONITOR_DEDUP_SLOTS + 1);
  sp_monitor_free(m);
  free(r);
}

/* Property under a seeded random stream full of duplicates and disorder:
 * no event id is ever accepted twice, and the buckets hold exactly the
 * accepted events. Seed printed on failure. */
static void test_exactly_once(void **state) {
  (void)state;
  enum { BORROWERS = 3, IDS = 400, EVENTS = 3000 };
  uint32_t seed = 12345, x = seed;
  static unsigned char accepted[BORROWERS][IDS];
  memset(accepted, 0, sizeof accepted);
  sp_monitor_rules *r = rules_of(NO_RULES);
  sp_monitor *m = engine(r, SP_DAY_S);
  sp_time base = sp_date_start(20513);
  int cursor[BORROWERS] = {0}, n_accepted = 0;
  sp_error err;
  for (int i = 0; i < EVENTS; i++) {
    x = x * 1103515245u + 12345u;
    int b = (int)((x >> 16) % BORROWERS);
    x = x * 1103515245u + 12345u;
    int j = cursor[b] - (int)((x >> 16) % 60) + 3;
    j = j < 0 ? 0 : j >= IDS ? IDS - 1 : j;
    cursor[b] += cursor[b] < IDS - 1 && (x >> 8) % 3 == 0;
    sp_monitor_event ev = {.kind = SP_MONITOR_DRAW, .value = 1};
    snprintf(ev.id, sizeof ev.id, "e%d-%d", b, j);
    snprintf(ev.borrower, sizeof ev.borrower, "B%d", b + 1);
    ev.time = base + (sp_time)j * 900; /* one id, one time: 15 min apart */
    int rc = sp_monitor_ingest(m, &ev, NULL, NULL, &err);
    assert_true(rc >= 0);
    if (rc == SP_MONITOR_ACCEPTED) {
      if (accepted[b][j])
        fail_msg("seed %u: %s accepted twice", seed, ev.id);
      accepted[b][j] = 1;
      n_accepted++;
    }
  }
  int total = 0;
  for (int b = 0; b < BORROWERS; b++) {
    char id[8];
    snprintf(id, sizeof id, "B%d", b + 1);
    int missing;
    total += (int)query(m, id, "count(draw, 10d)", &missing);
  }
  assert_int_equal(total, n_accepted);
  assert_true(n_accepted > 300); /* the stream is not all rejected */
  sp_monitor_stats st;
  sp_monitor_stats_get(m, &st);
  assert_true(st.duplicates > 100 && st.too_late > 0);
  sp_monitor_free(m);
  free(r);
}

static void test_out_of_order(void **state) {
  (void)state;
  static const int order[] = {3, 1, 4, 2, 5};
  static const char *const exprs[] = {
      "sum(invoice_issued, 30d)",   "count(invoice_issued, 31d)",
      "min(invoice_issued, 31d)",   "max(invoice_issued, 31d)",
      "days_since(invoice_issued)", "trend(invoice_issued, 10d, 20d)",
      "sum(social_insurance, 1d)"};
  sp_monitor_rules *r = rules_of(NO_RULES);
  sp_monitor *a = engine(r, SP_MONITOR_LATENESS_MAX);
  sp_monitor *b = engine(r, SP_MONITOR_LATENESS_MAX);
  seen s = {0};
  for (int i = 1; i < N_STREAM; i++)
    assert_int_equal(feed(a, STREAM[i], &s), SP_MONITOR_ACCEPTED);
  for (int i = 0; i < 5; i++)
    assert_int_equal(feed(b, STREAM[order[i]], &s), SP_MONITOR_ACCEPTED);
  for (size_t i = 0; i < sizeof exprs / sizeof exprs[0]; i++) {
    int ma, mb;
    double x = query(a, "B1", exprs[i], &ma), y = query(b, "B1", exprs[i], &mb);
    assert_int_equal(ma, mb);
    assert_true(x == y);
  }
  expect(b, "trend(invoice_issued, 10d, 20d)",
         (30000.0 / 10) / (200000.0 / 20));
  sp_monitor_free(a);
  sp_monitor_free(b);
  free(r);
}

#define RULE(id, when, action, extra)                                          \
  "{\"id\":\"" id "\",\"when\":\"" when "\",\"level\":\"warning\","            \
  "\"action\":\"" action "\"," extra "\"reason\":\"r\"}"

static void test_transition(void **state) {
  (void)state;
  sp_monitor_rules *r = rules_of(
      "{\"rules\":[" RULE("R1", "count(draw, 7d) >= 2", "warn", "") "]}");
  sp_monitor *m = engine(r, 2 * SP_DAY_S);
  seen s = {0};
  feed(m, EV("A", "draw", "2026-03-01T09:00:00+08:00", "\"amount\":1"), &s);
  feed(m, EV("B", "draw", "2026-03-01T10:00:00+08:00", "\"amount\":1"), &s);
  feed(m, EV("C", "draw", "2026-03-02T10:00:00+08:00", "\"amount\":1"), &s);
  /* 03-10: the 7 days 03-04..03-10 hold one draw: false, re-armed. */
  feed(m, EV("D", "draw", "2026-03-10T10:00:00+08:00", "\"amount\":1"), &s);
  feed(m, EV("E", "draw", "2026-03-10T11:00:00+08:00", "\"amount\":1"), &s);
  feed(m, EV("F", "draw", "2026-03-10T12:00:00+08:00", "\"amount\":1"), &s);
  assert_int_equal(s.n, 2);
  assert_string_equal(s.what[0], "R1/B");
  assert_string_equal(s.what[1], "R1/E");
  assert_string_equal(s.value[0], "count draw 7 0 2");
  /* An invoice does not re-evaluate a rule on draws, so R1 stays true
   * although its window has slid past the draws; the next draw (one in 7
   * days) makes it false, and the one after fires it again. */
  feed(m,
       EV("G", "invoice_issued", "2026-03-30T10:00:00+08:00", "\"amount\":1"),
       &s);
  feed(m, EV("H", "draw", "2026-03-31T10:00:00+08:00", "\"amount\":1"), &s);
  assert_int_equal(s.n, 2);
  feed(m, EV("I", "draw", "2026-03-31T11:00:00+08:00", "\"amount\":1"), &s);
  assert_int_equal(s.n, 3);
  assert_string_equal(s.what[2], "R1/I");
  sp_monitor_free(m);
  free(r);
}

static void test_actions(void **state) {
  (void)state;
  sp_monitor_rules *r = rules_of(
      "{\"rules\":[" RULE("W", "count(logistics_stuck, 1d) >= 1", "warn", "") "," RULE(
          "F", "sum(account_debit_securities, 30d) > 100", "freeze_line",
          "") "," RULE("L", "count(court_filing, 30d) >= 1", "reduce_limit",
                       "\"pct\":20,") "," RULE("P",
                                               "sum(repayment, 30d) >= 500",
                                               "release_limit",
                                               "\"amount\":100000,") "," RULE("C",
                                                                              "days_since(draw) >= 5",
                                                                              "open_case",
                                                                              "") "]}");
  sp_monitor *m = engine(r, 2 * SP_DAY_S);
  seen s = {0};
  feed(m,
       EV("1", "logistics", "2026-03-01T09:00:00+08:00",
          "\"status\":\"in_transit\""),
       &s);
  assert_int_equal(s.n, 0);
  feed(
      m,
      EV("2", "logistics", "2026-03-01T10:00:00+08:00", "\"status\":\"stuck\""),
      &s);
  feed(m,
       EV("3", "account_debit", "2026-03-01T11:00:00+08:00",
          "\"amount\":100,\"counterparty_type\":\"real_estate\""),
       &s);
  feed(m,
       EV("4", "account_debit", "2026-03-01T12:00:00+08:00",
          "\"amount\":101,\"counterparty\":\"X Sec\","
          "\"counterparty_type\":\"securities\""),
       &s);
  feed(m, EV("5", "court_filing", "2026-03-01T13:00:00+08:00", "\"amount\":0"),
       &s);
  feed(m, EV("6", "repayment", "2026-03-01T13:30:00+08:00", "\"amount\":500"),
       &s);
  feed(m, EV("7", "draw", "2026-03-01T14:00:00+08:00", "\"amount\":9"), &s);
  /* Five days later: no draw since 03-01, no stuck parcel today. */
  feed(m, EV("8", "repayment", "2026-03-06T10:00:00+08:00", "\"amount\":1"),
       &s);
  static const char *const want[] = {"W/2", "F/4", "L/5", "P/6", "C/8"};
  static const sp_monitor_action_kind kinds[] = {
      SP_MONITOR_WARN, SP_MONITOR_FREEZE_LINE, SP_MONITOR_REDUCE_LIMIT,
      SP_MONITOR_RELEASE_LIMIT, SP_MONITOR_OPEN_CASE};
  assert_int_equal(s.n, 5);
  for (int i = 0; i < 5; i++) {
    assert_string_equal(s.what[i], want[i]);
    assert_int_equal(s.kind[i], kinds[i]);
  }
  assert_int_equal(s.pct[2], 20);
  assert_string_equal(s.value[1], "sum account_debit_securities 30 0 101");
  assert_string_equal(s.value[4], "days_since draw 0 0 5");
  assert_int_equal(s.amount[3], 100000);
  sp_monitor_free(m);
  free(r);
}

#define EVB(id, b, kind, time, rest)                                           \
  "{\"id\":\"" id "\",\"borrower\":\"" b "\",\"kind\":\"" kind                 \
  "\",\"time\":\"" time "\"," rest "}"

static const char *const SNAP_STREAM[] = {
    EVB("a1", "B1", "draw", "2026-03-01T09:00:00+08:00", "\"amount\":1"),
    EVB("b1", "B2", "invoice_issued", "2026-03-01T09:00:00+08:00",
        "\"amount\":900"),
    EVB("a2", "B1", "draw", "2026-03-02T09:00:00+08:00", "\"amount\":1"),
    EVB("b2", "B2", "invoice_issued", "2026-03-03T09:00:00+08:00",
        "\"amount\":200"),
    EVB("a3", "B1", "draw", "2026-03-01T20:00:00+08:00", "\"amount\":1"),
    EVB("b3", "B2", "draw", "2026-03-03T10:00:00+08:00", "\"amount\":1"),
    EVB("a4", "B1", "draw", "2026-03-20T09:00:00+08:00", "\"amount\":1"),
    EVB("b4", "B2", "draw", "2026-03-03T11:00:00+08:00", "\"amount\":1"),
    EVB("a5", "B1", "draw", "2026-03-21T09:00:00+08:00", "\"amount\":1"),
    EVB("b5", "B2", "invoice_issued", "2026-04-20T09:00:00+08:00",
        "\"amount\":2000"),
};
#define N_SNAP 10
static const char SNAP_RULES[] =
    "{\"rules\":[" RULE("R1", "count(draw, 7d) >= 2", "warn", "") "," RULE(
        "R2", "sum(invoice_issued, 30d) > 1000", "open_case", "") "]}";

static void test_snapshot(void **state) {
  (void)state;
  sp_monitor_rules *r = rules_of(SNAP_RULES);
  char path[64];
  snprintf(path, sizeof path, "/tmp/test_monitor_%ld.snap", (long)getpid());
  seen whole = {0}, parts = {0};
  sp_monitor *m = engine(r, 2 * SP_DAY_S);
  for (int i = 0; i < N_SNAP; i++)
    feed(m, SNAP_STREAM[i], &whole);
  sp_monitor_free(m);
  /* By hand: B1 has 2 draws in 7 days at a2; B2 passes 1000 at b2; B2's
   * two draws at b4; B1 falls to one draw at a4 and is back at a5; B2's
   * invoices of March leave the window before b5, which alone is 2000 but
   * the rule never went false for B2 (only its events re-evaluate it). */
  static const char *const want[] = {"R1/a2", "R2/b2", "R1/b4", "R1/a5"};
  assert_int_equal(whole.n, 4);
  for (int i = 0; i < 4; i++)
    assert_string_equal(whole.what[i], want[i]);

  sp_error err;
  m = engine(r, 2 * SP_DAY_S);
  assert_int_equal(sp_monitor_load(m, path, &err) == SP_ENOTFOUND, 1);
  for (int i = 0; i < 5; i++)
    feed(m, SNAP_STREAM[i], &parts);
  assert_int_equal(sp_monitor_save(m, path, &err), SP_OK);
  sp_monitor_free(m);
  m = engine(r, 2 * SP_DAY_S);
  assert_int_equal(sp_monitor_load(m, path, &err), SP_OK);
  for (int i = 5; i < N_SNAP; i++)
    feed(m, SNAP_STREAM[i], &parts);
  assert_int_equal(parts.n, whole.n);
  for (int i = 0; i < whole.n; i++)
    assert_string_equal(parts.what[i], whole.what[i]);
  /* Replaying everything after the restore changes nothing. */
  sp_monitor_stats before, after;
  sp_monitor_stats_get(m, &before);
  for (int i = 0; i < N_SNAP; i++)
    assert_int_not_equal(feed(m, SNAP_STREAM[i], &parts), SP_MONITOR_ACCEPTED);
  sp_monitor_stats_get(m, &after);
  assert_int_equal(parts.n, whole.n);
  assert_int_equal(after.accepted, before.accepted);
  assert_int_equal(after.accepted, N_SNAP);
  /* A restore needs a fresh engine and the same rules. */
  assert_int_equal(sp_monitor_load(m, path, &err), SP_ESTATE);
  sp_monitor_free(m);
  sp_monitor_rules *other = rules_of(NO_RULES);
  m = engine(other, 2 * SP_DAY_S);
  assert_int_equal(sp_monitor_load(m, path, &err), SP_ESTATE);
  sp_monitor_free(m);
  /* A damaged file is refused. */
  FILE *f = fopen(path, "r+b");
  assert_non_null(f);
  fseek(f, 100, SEEK_SET);
  fputc('X', f);
  fclose(f);
  m = engine(r, 2 * SP_DAY_S);
  assert_int_equal(sp_monitor_load(m, path, &err), SP_EPARSE);
  sp_monitor_free(m);
  remove(path);
  free(other);
  free(r);
}

/* The batch path takes events exactly as one-at-a-time ingest does. */
static void test_batch(void **state) {
  (void)state;
  sp_monitor_rules *r = rules_of(SNAP_RULES);
  sp_monitor_event evs[2 * N_SNAP];
  sp_error err;
  for (int i = 0; i < 2 * N_SNAP; i++) /* every event twice */
    assert_int_equal(sp_monitor_event_parse_json(
                         SNAP_STREAM[i % N_SNAP],
                         strlen(SNAP_STREAM[i % N_SNAP]), 1, &evs[i], &err),
                     SP_OK);
  seen one = {0}, many = {0};
  sp_monitor *a = engine(r, 2 * SP_DAY_S), *b = engine(r, 2 * SP_DAY_S);
  for (int i = 0; i < 2 * N_SNAP; i++)
    assert_true(sp_monitor_ingest(a, &evs[i], collect, &one, &err) >= 0);
  size_t done = 99;
  assert_int_equal(
      sp_monitor_ingest_batch(b, evs, 2 * N_SNAP, collect, &many, &done, &err),
      SP_OK);
  assert_int_equal(done, 2 * N_SNAP);
  assert_int_equal(one.n, 4);
  assert_int_equal(many.n, one.n);
  for (int i = 0; i < one.n; i++)
    assert_string_equal(many.what[i], one.what[i]);
  sp_monitor_stats sa, sb;
  sp_monitor_stats_get(a, &sa);
  sp_monitor_stats_get(b, &sb);
  assert_int_equal(sb.accepted, N_SNAP);
  assert_int_equal(sb.duplicates + sb.too_late, N_SNAP);
  assert_int_equal(sa.duplicates, sb.duplicates);
  /* A bad event stops the batch at its index. */
  evs[3].value = -1;
  sp_monitor_free(b);
  b = engine(r, 2 * SP_DAY_S);
  assert_int_equal(
      sp_monitor_ingest_batch(b, evs, 2 * N_SNAP, NULL, NULL, &done, &err),
      SP_EINVAL);
  assert_int_equal(done, 3);
  assert_string_equal(err.field, "amount");
  sp_monitor_free(a);
  sp_monitor_free(b);
  free(r);
}

static void bad_rule(const char *when, int code, const char *field, int line,
                     int column) {
  char json[1024];
  snprintf(json, sizeof json,
           "{\"rules\":[{\"id\":\"M1\",\"when\":\"%s\",\"level\":\"watch\","
           "\"action\":\"warn\",\"reason\":\"x\"}]}",
           when);
  sp_monitor_rules *r = malloc(sizeof *r);
  sp_error err;
  sp_error_clear(&err);
  int rc = sp_monitor_rules_load_string(r, json, strlen(json), &err);
  if (rc != code || strcmp(err.field, field) != 0 || err.line != line ||
      err.column != column)
    fail_msg("%s: got %d %s %d:%d (%s)", when, rc, err.field, err.line,
             err.column, err.message);
  assert_int_equal(r->n_rules, 0);
  free(r);
}

static void test_bad_rules(void **state) {
  (void)state;
  bad_rule("summ(draw, 30d) > 1", SP_ENOTFOUND, "M1.when", 1, 1);
  bad_rule("sum(draws, 30d) > 1", SP_ENOTFOUND, "M1.when", 1, 5);
  bad_rule("sum(\\\"draws\\\", 30d) > 1", SP_ENOTFOUND, "M1.when", 1, 5);
  bad_rule("count(draw, 7d) >=\\n  )", SP_EPARSE, "M1.when", 2, 3);
  bad_rule("sum(draw, 30d)", SP_EINVAL, "M1.when", 1, 1);
  sp_monitor_rules *r = malloc(sizeof *r);
  sp_error err;
  static const char *const cases[][2] = {
      {"{\"rules\":[" RULE("M1", "true", "reduce_limit", "") "]}", "M1.pct"},
      {"{\"rules\":[" RULE("M1", "true", "release_limit",
                           "\"amount\":-5,") "]}",
       "M1.amount"},
      {"{\"rules\":[{\"id\":\"M1\",\"when\":\"true\",\"level\":\"loud\","
       "\"action\":\"warn\",\"reason\":\"r\"}]}",
       "M1.level"},
      {"{\"rules\":[" RULE("M1", "true", "explode", "") "]}", "M1.action"},
      {"{\"rules\":[" RULE("M1", "true", "warn", "") "," RULE("M1", "true",
                                                              "warn", "") "]}",
       "rules[1].id"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    sp_error_clear(&err);
    int rc =
        sp_monitor_rules_load_string(r, cases[i][0], strlen(cases[i][0]), &err);
    assert_true(rc < 0);
    assert_string_equal(err.field, cases[i][1]);
  }
  free(r);
}

static void bad_event(const char *json, const char *field) {
  sp_monitor_event ev;
  sp_error err;
  sp_error_clear(&err);
  int rc = sp_monitor_event_parse_json(json, strlen(json), 7, &ev, &err);
  if (rc == SP_OK || strcmp(err.field, field) != 0 || err.line != 7)
    fail_msg("%s: got %d field '%s' line %d", json, rc, err.field, err.line);
}

static void test_bad_events(void **state) {
  (void)state;
  bad_event("{\"id\":\"E\",\"kind\":\"draw\",\"time\":\"2026-03-01\","
            "\"amount\":1}",
            "borrower");
  bad_event(EV("E", "draw", "2026-02-30T10:00:00+08:00", "\"amount\":1"),
            "time");
  bad_event(EV("E", "draw", "yesterday", "\"amount\":1"), "time");
  bad_event(EV("E", "draw", "2026-03-01", "\"amount\":\"1\""), "amount");
  bad_event(EV("E", "draw", "2026-03-01", "\"amount\":-1"), "amount");
  bad_event(EV("E", "draw", "2026-03-01", "\"amount\":1000000000000001"),
            "amount");
  bad_event(EV("E", "draw", "2026-03-01", "\"value\":1"), "value");
  bad_event(EV("E", "social_insurance", "2026-03-01", "\"amount\":1"),
            "amount");
  bad_event(EV("E", "logistics", "2026-03-01", "\"value\":1"), "status");
  bad_event(EV("E", "logistics", "2026-03-01", "\"status\":\"lost\""),
            "status");
  bad_event(EV("E", "draws", "2026-03-01", "\"amount\":1"), "kind");
  bad_event(EV("E", "draw", "2026-03-01", "\"amount\":1,\"colour\":\"red\""),
            "colour");
  bad_event("{\"id\":\"E\",", "line");
}

static void test_csv_events(void **state) {
  (void)state;
  static const char text[] =
      "time,kind,borrower,id,amount,value,status\n"
      "2026-03-01T10:00:00+08:00,invoice_issued,B1,E1,100000,,\n"
      "2026-03-01T11:00:00Z,logistics,B1,E2,,,stuck\n"
      "2026-03-01T11:00:00Z,logistics,B1,E3,,,\n";
  sp_csv *csv = malloc(sizeof *csv);
  sp_csv_init_buffer(csv, text, sizeof text - 1);
  sp_error err;
  sp_monitor_csv_columns cols;
  sp_monitor_event ev;
  assert_int_equal(sp_csv_next(csv, &err), 1);
  assert_int_equal(sp_monitor_csv_header(csv, &cols, &err), SP_OK);
  assert_int_equal(sp_csv_next(csv, &err), 1);
  assert_int_equal(sp_monitor_event_from_csv(csv, &cols, &ev, &err), SP_OK);
  assert_string_equal(ev.id, "E1");
  assert_string_equal(ev.borrower, "B1");
  assert_int_equal(ev.kind, SP_MONITOR_INVOICE_ISSUED);
  assert_int_equal(ev.value, 100000);
  /* 2026-03-01 is day 20513 since 1970-01-01; 10:00 at +08:00 is 02:00Z. */
  assert_int_equal(ev.time, (int64_t)20513 * 86400 + 2 * 3600);
  assert_int_equal(sp_csv_next(csv, &err), 1);
  assert_int_equal(sp_monitor_event_from_csv(csv, &cols, &ev, &err), SP_OK);
  assert_int_equal(ev.kind, SP_MONITOR_LOGISTICS);
  assert_int_equal(ev.status, SP_MONITOR_STUCK);
  assert_int_equal(ev.value, 1);
  assert_int_equal(sp_csv_next(csv, &err), 1);
  assert_int_not_equal(sp_monitor_event_from_csv(csv, &cols, &ev, &err), SP_OK);
  assert_string_equal(err.field, "status");
  assert_int_equal(err.line, 4);
  free(csv);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_aggregates),
      cmocka_unit_test(test_lateness_and_duplicates),
      cmocka_unit_test(test_dedup_floor),
      cmocka_unit_test(test_exactly_once),
      cmocka_unit_test(test_out_of_order),
      cmocka_unit_test(test_transition),
      cmocka_unit_test(test_actions),
      cmocka_unit_test(test_snapshot),
      cmocka_unit_test(test_batch),
      cmocka_unit_test(test_bad_rules),
      cmocka_unit_test(test_bad_events),
      cmocka_unit_test(test_csv_events),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
