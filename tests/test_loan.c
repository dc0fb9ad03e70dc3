/* The loan book: lines and term loans against a real SQLite file.
 * Expected values are worked by hand (shown in the comments) or computed
 * here by plain integer arithmetic, never read back from Sparrow. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sparrow/ledger.h"
#include "sparrow/loan.h"
#include "sparrow/store.h"

typedef struct fixture {
  char path[64];
  sp_book *book;
} fixture;

static int setup(void **state) {
  fixture *f = calloc(1, sizeof *f);
  snprintf(f->path, sizeof f->path, "/tmp/sp-loan-%d.db", (int)getpid());
  sp_store_remove_sqlite(f->path);
  assert_int_equal(sp_book_open(f->path, &f->book, NULL), SP_OK);
  *state = f;
  return 0;
}

static int teardown(void **state) {
  fixture *f = *state;
  sp_book_close(f->book);
  sp_store_remove_sqlite(f->path);
  free(f);
  return 0;
}

static void reopen(fixture *f) {
  sp_book_close(f->book);
  assert_int_equal(sp_book_open_existing(f->path, &f->book, NULL), SP_OK);
}

static sp_date D(const char *s) {
  sp_date d;
  assert_int_equal(sp_date_parse(s, "date", &d, NULL), SP_OK);
  return d;
}

static sp_time T(const char *s) {
  sp_time t;
  assert_int_equal(sp_time_parse(s, "time", &t, NULL), SP_OK);
  return t;
}

static sp_loan_view view(fixture *f, const char *id) {
  sp_loan_view v;
  assert_int_equal(sp_loan_get(f->book, id, &v, NULL), SP_OK);
  return v;
}

static void verify(fixture *f) {
  sp_error err;
  if (sp_ledger_verify(sp_book_store(f->book), NULL, &err) != SP_OK)
    fail_msg("ledger invariant: %s", err.message);
}

static sp_product daily_line(int64_t daily_rate) {
  sp_product p;
  sp_product_default(&p);
  p.annual_rate = daily_rate * 360; /* ACT/360 */
  return p;
}

/* The example: 50,000 at 0.02%/day drawn on 2026-01-01, 20,000
 * repaid 2026-01-16, the rest 2026-02-01. 50,000 * 0.0002 * 15 = 150.00;
 * 30,000 * 0.0002 * 16 = 96.00; interest 246.00. */
static void test_line_golden(void **state) {
  fixture *f = *state;
  sp_product p = daily_line(2000000);
  assert_int_equal(
      sp_line_open(f->book, "L1", 10000000, &p, D("2026-01-01"), NULL), SP_OK);
  assert_int_equal(
      sp_line_draw(f->book, "L1", 5000000, T("2026-01-01"), NULL, NULL), SP_OK);
  sp_repay_result r;
  assert_int_equal(
      sp_loan_repay(f->book, "L1", 2000000, T("2026-01-16"), NULL, &r, NULL),
      SP_OK);
  assert_true(r.principal_fen == 2000000 && r.interest_fen == 0);
  assert_true(view(f, "L1").interest_fen == 15000);
  /* Closing Jan 31 bills January's interest, Jan 31 included, due Feb 1. */
  assert_int_equal(sp_book_close_day(f->book, D("2026-01-31"), NULL, NULL),
                   SP_OK);
  assert_true(view(f, "L1").interest_due_fen == 24600);
  assert_int_equal(
      sp_loan_repay(f->book, "L1", 3024600, T("2026-02-01"), NULL, &r, NULL),
      SP_OK);
  assert_true(r.interest_fen == 24600 && r.principal_fen == 3000000);
  sp_loan_view v = view(f, "L1");
  assert_true(v.principal_fen == 0 && v.interest_fen == 0 &&
              v.interest_accrued_total_fen == 24600);
  assert_true(v.available_fen == 10000000);
  verify(f);
}

/* The loan's record bytes as stored (hex), read with SQLite directly. */
static void record_hex(fixture *f, const char *key, char *out, size_t size) {
  sqlite3 *db;
  sqlite3_stmt *st;
  assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
  assert_int_equal(sqlite3_prepare_v2(db,
                                      "SELECT hex(data) FROM records WHERE "
                                      "key = ?1",
                                      -1, &st, NULL),
                   SQLITE_OK);
  sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
  assert_int_equal(sqlite3_step(st), SQLITE_ROW);
  snprintf(out, size, "%s", (const char *)sqlite3_column_text(st, 0));
  sqlite3_finalize(st);
  sqlite3_close(db);
}

/* A movement's view of the loan after it, as read back: the golden example
 * again, 50,000 drawn, 20,000 repaid after 15 days at 0.02%/day (150.00
 * accrued), and a replayed draw showing the loan as it stands now. */
static void test_movement_views(void **state) {
  fixture *f = *state;
  sp_product p = daily_line(2000000);
  assert_int_equal(
      sp_line_open(f->book, "L1", 10000000, &p, D("2026-01-01"), NULL), SP_OK);
  sp_loan_view after;
  assert_int_equal(sp_line_draw_view(f->book, "L1", 5000000, T("2026-01-01"),
                                     "d1", &after, NULL),
                   SP_OK);
  assert_true(after.principal_fen == 5000000 && after.available_fen == 5000000);
  sp_loan_view read = view(f, "L1");
  assert_memory_equal(&after, &read, sizeof after);
  sp_repay_result r;
  assert_int_equal(sp_loan_repay_view(f->book, "L1", 2000000, T("2026-01-16"),
                                      "r1", &r, &after, NULL),
                   SP_OK);
  assert_true(after.principal_fen == 3000000 && after.interest_fen == 15000);
  read = view(f, "L1");
  assert_memory_equal(&after, &read, sizeof after);
  memset(&after, 0xff, sizeof after);
  assert_int_equal(sp_line_draw_view(f->book, "L1", 5000000, T("2026-01-01"),
                                     "d1", &after, NULL),
                   SP_OK);
  assert_true(after.principal_fen == 3000000);
  assert_memory_equal(&after, &read, sizeof after);
  verify(f);
}

/* Close of day writes a line's day state, not its record: the record's
 * bytes stay as they were, and the loan read back (after a reopen) has
 * its days closed and 50,000 * 0.0002 * 10 = 100.00 of interest. */
static void test_close_day_writes_state_only(void **state) {
  fixture *f = *state;
  sp_product p = daily_line(2000000);
  assert_int_equal(
      sp_line_open(f->book, "L1", 10000000, &p, D("2026-01-01"), NULL), SP_OK);
  assert_int_equal(
      sp_line_draw(f->book, "L1", 5000000, T("2026-01-01"), NULL, NULL), SP_OK);
  char before[1024], after[1024];
  record_hex(f, "L1", before, sizeof before);
  assert_int_equal(sp_book_close_day(f->book, D("2026-01-10"), NULL, NULL),
                   SP_OK);
  record_hex(f, "L1", after, sizeof after);
  assert_string_equal(before, after);
  reopen(f);
  sp_loan_view v = view(f, "L1");
  assert_true(v.closed_through == D("2026-01-10"));
  assert_true(v.interest_fen == 10000);
  /* A repayment writes the record and state together: both read back. */
  sp_repay_result r;
  assert_int_equal(
      sp_loan_repay(f->book, "L1", 1000000, T("2026-01-11"), NULL, &r, NULL),
      SP_OK);
  assert_true(r.principal_fen == 1000000);
  reopen(f);
  v = view(f, "L1");
  assert_true(v.principal_fen == 4000000 && v.interest_fen == 10000);
  verify(f);
}

/* Per second: 10,000.00 at 7.2% a year (ACT/360) for 6 hours:
 * 10000 * 0.072 * 21600 / (360 * 86400) = 0.50. */
static void test_line_per_second(void **state) {
  fixture *f = *state;
  sp_product p;
  sp_product_default(&p);
  p.annual_rate = 720000000;
  p.per_second = 1;
  assert_int_equal(
      sp_line_open(f->book, "S1", 10000000, &p, D("2026-01-01"), NULL), SP_OK);
  assert_int_equal(sp_line_draw(f->book, "S1", 1000000,
                                T("2026-01-01T10:00:00+08:00"), NULL, NULL),
                   SP_OK);
  sp_repay_result r;
  assert_int_equal(sp_loan_repay(f->book, "S1", 1000050,
                                 T("2026-01-01T16:00:00+08:00"), NULL, &r,
                                 NULL),
                   SP_OK);
  assert_true(r.principal_fen == 1000000 && r.interest_fen == 50);
  assert_true(view(f, "S1").interest_accrued_total_fen == 50);
  verify(f);
}

/* Half up by hand: n / d rounded, for positive n. */
static int64_t round_half_up(unsigned __int128 n, unsigned __int128 d) {
  return (int64_t)((2 * n + d) / (2 * d));
}

/* Thousands of random periods: lines of random principal and daily rate,
 * drawn on a random day (or second), closed day by day to a common date.
 * The interest posted to each line's receivable, a sum of daily (or
 * per-second) postings, equals the closed form rounded once. */
static void test_accrual_carry(void **state) {
  fixture *f = *state;
  unsigned seed = (unsigned)getpid();
  srand(seed);
  enum { LINES = 2000 };
  static int64_t principal[LINES], rate[LINES];
  static sp_time drawn[LINES];
  static int per_second[LINES];
  sp_date start = D("2026-01-01"), end = D("2026-01-29");
  sp_time end_t = sp_date_start(end + 1);
  for (int i = 0; i < LINES; i++) {
    char id[16];
    snprintf(id, sizeof id, "C%d", i);
    sp_product p;
    sp_product_default(&p);
    per_second[i] = i % 3 == 0;
    p.per_second = per_second[i];
    rate[i] = 1 + rand() % 50000000; /* up to 1.8% a day */
    p.annual_rate = rate[i] * 360;
    principal[i] = 1 + (int64_t)rand() * 97 % 100000000000LL;
    sp_date day = start + rand() % 20;
    drawn[i] = sp_date_start(day) + (per_second[i] ? rand() % 86400 : 0);
    assert_int_equal(sp_line_open(f->book, id, principal[i], &p, start, NULL),
                     SP_OK);
    assert_int_equal(
        sp_line_draw(f->book, id, principal[i], drawn[i], NULL, NULL), SP_OK);
  }
  assert_int_equal(sp_book_close_day(f->book, end, NULL, NULL), SP_OK);
  for (int i = 0; i < LINES; i++) {
    char id[16];
    snprintf(id, sizeof id, "C%d", i);
    /* Daily lines accrue on end-of-day balances, from the draw day. */
    int64_t seconds = end_t - drawn[i];
    unsigned __int128 n =
        (unsigned __int128)principal[i] * (uint64_t)rate[i] * (uint64_t)seconds;
    int64_t expect =
        round_half_up(n, (unsigned __int128)86400 * 10000000000ULL);
    sp_loan_view v = view(f, id);
    if (v.interest_fen != expect)
      fail_msg("seed %u line %d: posted %lld, closed form %lld", seed, i,
               (long long)v.interest_fen, (long long)expect);
  }
  verify(f);
}

/* Equal principal, 12,000.00 at 12% for 12 months from 2026-01-01: each
 * month 1,000.00 principal. Nothing is paid. Penalty 12% * 1.5 / 360 =
 * 0.05% a day on overdue principal: 1,000 for 28 days (Feb 2 - Mar 1),
 * 2,000 for 31, 3,000 for 30, 4,000 for 2 (to May 3):
 * 0.0005 * (28000 + 62000 + 90000 + 8000) = 94.00. */
static void test_overdue_ageing(void **state) {
  fixture *f = *state;
  sp_product p;
  sp_product_default(&p);
  p.annual_rate = 1200000000;
  p.method = SP_METHOD_EQUAL_PRINCIPAL;
  assert_int_equal(
      sp_term_open(f->book, "T1", 1200000, 0, &p, D("2026-01-01"), NULL),
      SP_OK);
  assert_int_equal(sp_book_close_day(f->book, D("2026-02-01"), NULL, NULL),
                   SP_OK);
  sp_loan_view v = view(f, "T1");
  assert_int_equal(v.days_past_due, 0);
  /* January: 12,000 * 1% = 120.00; and the first of period 2's 28 days,
   * floor(110.00 / 28) = 3.92. */
  assert_true(v.interest_fen == 12392);
  assert_int_equal(sp_book_close_day(f->book, D("2026-02-02"), NULL, NULL),
                   SP_OK);
  v = view(f, "T1");
  assert_int_equal(v.days_past_due, 1);
  assert_string_equal(sp_bucket_name(v.days_past_due), "M1");
  assert_int_equal(v.risk_class, SP_CLASS_SPECIAL_MENTION);
  assert_true(v.penalty_fen == 50);
  assert_int_equal(sp_book_close_day(f->book, D("2026-05-03"), NULL, NULL),
                   SP_OK);
  v = view(f, "T1");
  assert_int_equal(v.days_past_due, 91);
  assert_string_equal(sp_bucket_name(v.days_past_due), "M4+");
  assert_int_equal(v.risk_class, SP_CLASS_SUBSTANDARD);
  assert_true(v.penalty_fen == 9400);
  reopen(f);
  /* 2026-02-01 + 270 days = 2026-10-29; + 360 = 2027-01-27. */
  assert_int_equal(sp_book_close_day(f->book, D("2026-10-29"), NULL, NULL),
                   SP_OK);
  assert_int_equal(view(f, "T1").risk_class, SP_CLASS_SUBSTANDARD);
  assert_int_equal(sp_book_close_day(f->book, D("2026-10-30"), NULL, NULL),
                   SP_OK);
  assert_int_equal(view(f, "T1").risk_class, SP_CLASS_DOUBTFUL);
  assert_int_equal(sp_book_close_day(f->book, D("2027-01-27"), NULL, NULL),
                   SP_OK);
  assert_int_equal(view(f, "T1").risk_class, SP_CLASS_DOUBTFUL);
  assert_int_equal(sp_book_close_day(f->book, D("2027-01-28"), NULL, NULL),
                   SP_OK);
  v = view(f, "T1");
  assert_int_equal(v.risk_class, SP_CLASS_LOSS);
  assert_int_equal(v.days_past_due, 361);
  /* Paying everything owed brings it back to current and closes it. */
  int64_t all = v.principal_fen + v.interest_fen + v.penalty_fen;
  sp_repay_result r;
  assert_int_equal(
      sp_loan_repay(f->book, "T1", all, T("2027-01-29"), NULL, &r, NULL),
      SP_OK);
  v = view(f, "T1");
  assert_true(v.closed);
  assert_int_equal(v.days_past_due, 0);
  /* All 12 installments' interest: 1% of 12000, 11000, ... 1000 = 780.00. */
  assert_true(r.principal_fen == 1200000 &&
              v.interest_accrued_total_fen == 78000);
  verify(f);
}

/* Annuity 100,000 at 12% for 12 months from 2026-01-15 (payment 8884.88,
 * see test_schedule). Installment 1 is paid on time. On 2026-03-01, 14 of
 * the 28 days of period 2, 50,000 is paid early: the interest accrued so
 * far, floor(921.15 * 14 / 28) = 460.57, is paid first. The 11 remaining
 * installments are recomputed on 42,115.12: payment 4062.17, principal
 * 3641.02; installment 2's interest is 460.57 + 421.15 * 14 / 28 = 671.15.
 * (Values from an independent Decimal amortization.) */
static void test_term_prepay(void **state) {
  fixture *f = *state;
  sp_product p;
  sp_product_default(&p);
  p.annual_rate = 1200000000;
  assert_int_equal(
      sp_term_open(f->book, "T2", 10000000, 0, &p, D("2026-01-15"), NULL),
      SP_OK);
  sp_repay_result r;
  assert_int_equal(
      sp_loan_repay(f->book, "T2", 888488, T("2026-02-15"), NULL, &r, NULL),
      SP_OK);
  assert_true(r.interest_fen == 100000 && r.principal_fen == 788488);
  assert_int_equal(
      sp_loan_repay(f->book, "T2", 5046057, T("2026-03-01"), NULL, &r, NULL),
      SP_OK);
  assert_true(r.interest_fen == 46057 && r.principal_fen == 5000000);
  sp_installment_view iv[12];
  size_t n;
  assert_int_equal(sp_loan_installments(f->book, "T2", iv, 12, &n, NULL),
                   SP_OK);
  assert_int_equal(n, 12);
  assert_true(iv[1].due.interest_fen == 67115);
  assert_true(iv[1].due.principal_fen == 5000000 + 364102);
  assert_true(iv[2].due.interest_fen == 38474);
  assert_true(iv[2].due.payment_fen == 406217);
  /* Installment 2 due 2026-03-15: 3641.02 principal + 671.15 - 460.57 paid. */
  assert_int_equal(sp_loan_repay(f->book, "T2", 364102 + 21058, T("2026-03-15"),
                                 NULL, &r, NULL),
                   SP_OK);
  assert_true(r.interest_fen == 21058 && r.principal_fen == 364102);
  sp_loan_view v = view(f, "T2");
  assert_true(v.principal_fen == 4211512 - 364102);
  assert_int_equal(v.days_past_due, 0);
  verify(f);
}

/* Disclosure: a flat-fee loan of 12,000.00 at 6% flat for 12 months pays
 * 1,000.00 + 60.00 = 1,060.00 a month; the worked IRR for 12,000
 * received against 1,060 x 12 is 10.90% (vs 6% quoted). With a 200.00 fee
 * withheld the borrower receives 11,800.00: independently, 1060 * a(12, i)
 * = 11800 at i = 1.1744% a month, 14.09% a year (bisection in Python). */
static void test_disclosure(void **state) {
  fixture *f = *state;
  sp_product p;
  sp_product_default(&p);
  p.annual_rate = 600000000;
  p.method = SP_METHOD_FLAT;
  char buf[32];
  assert_int_equal(
      sp_term_open(f->book, "F1", 1200000, 0, &p, D("2026-01-01"), NULL),
      SP_OK);
  sp_rate_format_percent(view(f, "F1").annualized_rate, 2, buf, sizeof buf);
  assert_string_equal(buf, "10.90%");
  assert_int_equal(
      sp_term_open(f->book, "F2", 1200000, 20000, &p, D("2026-01-01"), NULL),
      SP_OK);
  sp_rate_format_percent(view(f, "F2").annualized_rate, 2, buf, sizeof buf);
  assert_string_equal(buf, "14.09%");
  assert_true(view(f, "F2").fee_fen == 20000);
  verify(f);
}

/* A draw that waits for the disbursement channel: 6,000.00 reserved on
 * Jan 1 (available 10,000 - 6,000 = 4,000), no interest until it is posted
 * on Jan 6; then 6,000 * 0.02% * 5 days (Jan 6-10) = 6.00. A second pending
 * draw is voided and the limit comes back. */
static void test_pending_draw(void **state) {
  fixture *f = *state;
  sp_product p = daily_line(2000000);
  sp_error err;
  assert_int_equal(
      sp_line_open(f->book, "P1", 1000000, &p, D("2026-01-01"), NULL), SP_OK);
  uint64_t t1 = 0, t2 = 0;
  assert_int_equal(sp_line_draw_pending(f->book, "P1", 600000, T("2026-01-01"),
                                        NULL, &t1, NULL),
                   SP_OK);
  sp_loan_view v = view(f, "P1");
  assert_true(v.available_fen == 400000 && v.pending_draws_fen == 600000 &&
              v.principal_fen == 0);
  assert_int_equal(
      sp_line_draw(f->book, "P1", 400001, T("2026-01-02"), NULL, &err),
      SP_ELIMIT);
  assert_int_equal(sp_book_close_day(f->book, D("2026-01-05"), NULL, NULL),
                   SP_OK);
  assert_true(view(f, "P1").interest_accrued_total_fen == 0);
  assert_int_equal(
      sp_line_draw_settle(f->book, "P1", t1, 1, T("2026-01-06"), NULL), SP_OK);
  assert_int_equal(
      sp_line_draw_settle(f->book, "P1", t1, 0, T("2026-01-06"), &err),
      SP_ESTATE);
  assert_string_equal(err.field, "transfer");
  assert_int_equal(sp_book_close_day(f->book, D("2026-01-10"), NULL, NULL),
                   SP_OK);
  v = view(f, "P1");
  assert_true(v.principal_fen == 600000 && v.interest_fen == 600);
  assert_int_equal(sp_line_draw_pending(f->book, "P1", 100000, T("2026-01-11"),
                                        NULL, &t2, NULL),
                   SP_OK);
  assert_true(view(f, "P1").available_fen == 300000);
  assert_int_equal(
      sp_line_draw_settle(f->book, "P1", t2, 0, T("2026-01-11"), NULL), SP_OK);
  v = view(f, "P1");
  assert_true(v.available_fen == 400000 && v.pending_draws_fen == 0);
  /* Only this line's pending draws can be settled. */
  assert_int_equal(
      sp_line_draw_settle(f->book, "P1", 999999, 1, T("2026-01-11"), &err),
      SP_ENOTFOUND);
  assert_string_equal(err.field, "transfer");
  /* t1 + 1 is the transfer that posted t1: not a pending draw. */
  assert_int_equal(
      sp_line_draw_settle(f->book, "P1", t1 + 1, 1, T("2026-01-11"), &err),
      SP_EINVAL);
  assert_string_equal(err.field, "transfer");
  verify(f);
}

/* A one-month line: 10,000.00 drawn 2026-01-01 at 0.02% a day, matures
 * 2026-02-01 and is not repaid. Contract interest for the nights of Jan 1
 * to Feb 1: 32 * 2.00 = 64.00. From Feb 2 the principal is overdue and
 * bears only penalty interest, 0.02% * 1.5 = 0.03% a day: 10 days to
 * Feb 11 = 30.00; 10 days past due. */
static void test_line_maturity(void **state) {
  fixture *f = *state;
  sp_product p = daily_line(2000000);
  p.term_months = 1;
  assert_int_equal(
      sp_line_open(f->book, "M1", 1000000, &p, D("2026-01-01"), NULL), SP_OK);
  assert_int_equal(
      sp_line_draw(f->book, "M1", 1000000, T("2026-01-01"), NULL, NULL), SP_OK);
  assert_int_equal(sp_book_close_day(f->book, D("2026-02-11"), NULL, NULL),
                   SP_OK);
  sp_loan_view v = view(f, "M1");
  assert_true(v.interest_accrued_total_fen == 6400);
  assert_true(v.penalty_fen == 3000);
  assert_int_equal(v.days_past_due, 10);
  assert_true(v.available_fen == 0 && v.principal_due_fen == 1000000);
  verify(f);
}

static void test_refs_and_bad_input(void **state) {
  fixture *f = *state;
  sp_product p = daily_line(2000000);
  sp_error err;
  assert_int_equal(
      sp_line_open(f->book, "L1", 1000000, &p, D("2026-01-01"), NULL), SP_OK);
  assert_int_equal(
      sp_line_open(f->book, "L1", 1000000, &p, D("2026-01-01"), &err),
      SP_EEXISTS);
  assert_int_equal(
      sp_line_open(f->book, "bad id", 1000000, &p, D("2026-01-01"), &err),
      SP_EINVAL);
  assert_string_equal(err.field, "id");
  assert_int_equal(
      sp_line_draw(f->book, "L1", 600000, T("2026-01-02"), "k1", NULL), SP_OK);
  /* The same key again changes nothing. */
  assert_int_equal(
      sp_line_draw(f->book, "L1", 600000, T("2026-01-02"), "k1", NULL), SP_OK);
  assert_true(view(f, "L1").principal_fen == 600000);
  assert_int_equal(sp_line_draw(f->book, "L1", 1, T("2026-01-02"), "k1", &err),
                   SP_EEXISTS);
  assert_string_equal(err.field, "ref");
  /* Above the available 4,000.00. */
  assert_int_equal(
      sp_line_draw(f->book, "L1", 400001, T("2026-01-03"), NULL, &err),
      SP_ELIMIT);
  assert_string_equal(err.field, "amount");
  assert_int_equal(sp_line_draw(f->book, "L9", 1, T("2026-01-03"), NULL, &err),
                   SP_ENOTFOUND);
  assert_string_equal(err.field, "id");
  assert_int_equal(sp_line_draw(f->book, "L1", 0, T("2026-01-03"), NULL, &err),
                   SP_EINVAL);
  assert_int_equal(sp_line_freeze(f->book, "L1", 1, NULL), SP_OK);
  assert_int_equal(sp_line_draw(f->book, "L1", 1, T("2026-01-03"), NULL, &err),
                   SP_ESTATE);
  assert_int_equal(sp_line_freeze(f->book, "L1", 0, NULL), SP_OK);
  /* Repay with a key, twice: the second returns the first allocation. */
  sp_repay_result r1, r2;
  assert_int_equal(
      sp_loan_repay(f->book, "L1", 100000, T("2026-01-05"), "k2", &r1, NULL),
      SP_OK);
  assert_int_equal(
      sp_loan_repay(f->book, "L1", 100000, T("2026-01-05"), "k2", &r2, NULL),
      SP_OK);
  assert_true(r2.replayed && r2.principal_fen == r1.principal_fen);
  assert_true(view(f, "L1").principal_fen == 500000);
  /* More than is owed: 5,000.00 principal + 3.60 interest (6,000.00 for
   * Jan 2, 3 and 4 at 1.20 a day). */
  assert_int_equal(
      sp_loan_repay(f->book, "L1", 500361, T("2026-01-05"), NULL, NULL, &err),
      SP_ELIMIT);
  assert_int_equal(sp_book_close_day(f->book, D("2026-01-10"), NULL, NULL),
                   SP_OK);
  assert_int_equal(sp_line_draw(f->book, "L1", 1, T("2026-01-09"), NULL, &err),
                   SP_ESTATE);
  assert_string_equal(err.field, "date");
  /* Closing an earlier day again does nothing, and never moves the book's
   * closed-through date back. */
  assert_int_equal(sp_book_close_day(f->book, D("2026-01-05"), NULL, NULL),
                   SP_OK);
  reopen(f);
  assert_int_equal(sp_book_closed_through(f->book), D("2026-01-10"));
  verify(f);
}

/* Random sequences of draws, repayments (some replayed by key), two-phase
 * draws later posted or reversed (voided), and close-of-day runs over
 * lines and term loans; the ledger invariant is checked after every step,
 * and replays must change nothing. */
static void test_random_book(void **state) {
  fixture *f = *state;
  unsigned seed = (unsigned)getpid() ^ 0x5eed;
  const char *env = getenv("SPARROW_SEED");
  if (env)
    seed = (unsigned)strtoul(env, NULL, 10);
  srand(seed);
  printf("# book simulation seed %u\n", seed);
  sp_date day = D("2026-01-01");
  for (int i = 0; i < 6; i++) {
    char id[8];
    snprintf(id, sizeof id, "R%d", i);
    sp_product p;
    sp_product_default(&p);
    p.annual_rate = 100000000 + rand() % 2000000000;
    p.per_second = i == 1;
    p.method = (sp_method)(i % 4);
    p.term_months = 3 + i;
    if (i < 3)
      assert_int_equal(sp_line_open(f->book, id, 1000000, &p, day, NULL),
                       SP_OK);
    else
      assert_int_equal(
          sp_term_open(f->book, id, 1000000, 1000 * i, &p, day, NULL), SP_OK);
  }
  uint64_t pending[16];
  char pending_of[16][8];
  int n_pending = 0;
  for (int step = 0; step < 300; step++) {
    char id[8], ref[16];
    snprintf(id, sizeof id, "R%d", rand() % 6);
    snprintf(ref, sizeof ref, "r%d", rand() % 50);
    sp_time at = sp_date_start(day + 1) + rand() % 86400;
    int action = rand() % 12;
    int rc = SP_OK;
    if (action < 3) {
      rc = sp_line_draw(f->book, id, 1 + rand() % 300000, at,
                        rand() % 2 ? ref : NULL, NULL);
    } else if (action == 10 && n_pending < 16) {
      uint64_t t;
      if (sp_line_draw_pending(f->book, id, 1 + rand() % 300000, at, NULL, &t,
                               NULL) == SP_OK) {
        pending[n_pending] = t;
        snprintf(pending_of[n_pending++], 8, "%s", id);
      }
    } else if (action == 11 && n_pending > 0) {
      int k = rand() % n_pending;
      rc = sp_line_draw_settle(f->book, pending_of[k], pending[k], rand() % 2,
                               at, NULL);
      pending[k] = pending[--n_pending];
      memcpy(pending_of[k], pending_of[n_pending], 8);
    } else if (action < 7) {
      sp_loan_view before = view(f, id);
      int64_t owed =
          before.principal_fen + before.interest_fen + before.penalty_fen;
      rc = sp_loan_repay(f->book, id, 1 + rand() % (owed + 100), at,
                         rand() % 2 ? ref : NULL, NULL, NULL);
    } else if (action < 9) {
      day += 1 + rand() % 20;
      rc = sp_book_close_day(f->book, day, NULL, NULL);
      assert_int_equal(rc, SP_OK);
    } else {
      reopen(f);
    }
    (void)rc;
    sp_error err;
    if (sp_ledger_verify(sp_book_store(f->book), NULL, &err) != SP_OK)
      fail_msg("seed %u step %d: %s", seed, step, err.message);
  }
  /* Receivables in the ledger match what the loans say they are owed. */
  int64_t owed = 0;
  for (int i = 0; i < 6; i++) {
    char id[8];
    snprintf(id, sizeof id, "R%d", i);
    sp_loan_view v = view(f, id);
    assert_true(v.principal_fen >= 0 && v.interest_fen >= 0 &&
                v.penalty_fen >= 0);
    owed += v.principal_fen + v.interest_fen + v.penalty_fen;
  }
  sp_store *s = sp_book_store(f->book);
  int64_t receivable = 0;
  for (int i = 0; i < 6; i++)
    for (int part = 0; part < 3; part++) {
      sp_account a;
      assert_int_equal(
          s->ops->account_get(s, SP_LOAN_ACCOUNT(i + 1, part), &a, NULL),
          SP_OK);
      receivable += sp_account_balance_fen(&a);
    }
  assert_true(receivable == owed);
}

typedef struct seen {
  fixture *f;
  int n;
  char last[SP_LOAN_ID_MAX + 1];
  int64_t principal_fen;
} seen;

/* Every loan as sp_loan_get shows it, and after the one before. */
static int see_loan(void *ctx, const sp_loan_view *v) {
  seen *s = ctx;
  sp_loan_view got = view(s->f, v->id);
  assert_memory_equal(&got, v, sizeof got);
  char id[SP_LOAN_ID_MAX + 1];
  snprintf(id, sizeof id, "%c%d", v->id[0], s->n);
  assert_string_equal(v->id, id); /* opened in this order */
  s->n++;
  s->principal_fen += v->principal_fen;
  return SP_OK;
}

/* sp_book_each_loan reads a window of loans at a time, with their states
 * and balances in range scans. Over more loans than a window, numbered
 * among idempotency refs (each keyed draw takes a number), with pending
 * draws, frozen lines, term loans, one paid off, and day states written by
 * close of day: each loan is visited once, in the order opened, exactly as
 * sp_loan_get shows it; a callback's refusal ends the visit. */
static void test_each_loan_windows(void **state) {
  fixture *f = *state;
  sp_store *store = sp_book_store(f->book);
  /* many loans fast: one commit (a group commit's batch) for all */
  assert_int_equal(store->ops->batch_begin(store, NULL), SP_OK);
  sp_product p = daily_line(2000000), t;
  sp_product_default(&t);
  t.annual_rate = 1200000000;
  enum { N = 2600 };
  int64_t drawn = 0;
  for (int i = 0; i < N; i++) {
    char id[16], ref[16];
    snprintf(id, sizeof id, "%c%d", i % 7 == 3 ? 'T' : 'L', i);
    snprintf(ref, sizeof ref, "d%d", i);
    if (id[0] == 'T') {
      assert_int_equal(
          sp_term_open(f->book, id, 100000 + i, 0, &t, D("2026-01-01"), NULL),
          SP_OK);
      drawn += 100000 + i;
      continue;
    }
    assert_int_equal(
        sp_line_open(f->book, id, 10000000, &p, D("2026-01-01"), NULL), SP_OK);
    if (i % 2 == 0) {
      assert_int_equal(sp_line_draw(f->book, id, 1000 + i, T("2026-01-01"),
                                    i % 4 == 0 ? ref : NULL, NULL),
                       SP_OK);
      drawn += 1000 + i;
    }
    uint64_t pending;
    if (i % 5 == 0)
      assert_int_equal(sp_line_draw_pending(f->book, id, 700, T("2026-01-01"),
                                            NULL, &pending, NULL),
                       SP_OK);
    if (i % 11 == 0)
      assert_int_equal(sp_line_freeze(f->book, id, 1, NULL), SP_OK);
  }
  assert_int_equal(store->ops->batch_end(store, 1, NULL), SP_OK);
  assert_int_equal(sp_book_close_day(f->book, D("2026-02-02"), NULL, NULL),
                   SP_OK);
  /* T3 paid off: its principal and its interest to date. */
  sp_loan_view t3 = view(f, "T3");
  assert_int_equal(
      sp_loan_repay(f->book, "T3",
                    t3.principal_fen + t3.interest_fen + t3.penalty_fen,
                    T("2026-02-03"), NULL, NULL, NULL),
      SP_OK);
  assert_true(view(f, "T3").closed);
  drawn -= 100003;
  seen s = {.f = f};
  assert_int_equal(sp_book_each_loan(f->book, see_loan, &s, NULL), SP_OK);
  assert_int_equal(s.n, N);
  assert_true(s.principal_fen == drawn);
  /* The same after a reopen: nothing of it came from the ledger's cache. */
  reopen(f);
  s = (seen){.f = f};
  assert_int_equal(sp_book_each_loan(f->book, see_loan, &s, NULL), SP_OK);
  assert_int_equal(s.n, N);
  verify(f);
}

static int refuse_third(void *ctx, const sp_loan_view *v) {
  (void)v;
  return ++*(int *)ctx == 3 ? SP_ELIMIT : SP_OK;
}

static void test_each_loan_stops(void **state) {
  fixture *f = *state;
  sp_product p = daily_line(2000000);
  for (int i = 0; i < 5; i++) {
    char id[8];
    snprintf(id, sizeof id, "L%d", i);
    assert_int_equal(
        sp_line_open(f->book, id, 10000000, &p, D("2026-01-01"), NULL), SP_OK);
  }
  int n = 0;
  assert_int_equal(sp_book_each_loan(f->book, refuse_third, &n, NULL),
                   SP_ELIMIT);
  assert_int_equal(n, 3);
}

static int add_principal(void *ctx, const sp_loan_view *v) {
  *(int64_t *)ctx += v->principal_fen;
  return SP_OK;
}

static int64_t principal_of(sp_book *b) {
  int64_t sum = 0;
  assert_int_equal(sp_book_each_loan(b, add_principal, &sum, NULL), SP_OK);
  return sum;
}

/* The file's bytes (database and WAL), to see that a reader wrote none. */
static size_t file_bytes(const char *path, const char *suffix, char *buf,
                         size_t cap) {
  char name[96];
  snprintf(name, sizeof name, "%s%s", path, suffix);
  FILE *fp = fopen(name, "rb");
  if (fp == NULL)
    return 0;
  size_t n = fread(buf, 1, cap, fp);
  fclose(fp);
  assert_true(n < cap);
  return n;
}

/* A read-only book beside the writer: it refuses a file with no book
 * (creating nothing), writes nothing when it opens, reads or closes, sees
 * one commit between sp_book_read_begin and sp_book_read_end whatever the
 * writer commits meanwhile, and, once its connection is made query-only,
 * cannot write. */
static void test_book_readonly(void **state) {
  fixture *f = *state;
  sp_book *ro = NULL;
  sp_error err;
  char none[80];
  snprintf(none, sizeof none, "%s.none", f->path);
  assert_int_equal(sp_book_open_readonly(none, &ro, &err), SP_ENOTFOUND);
  assert_string_equal(err.field, "db");
  assert_int_equal(access(none, F_OK), -1);
  sp_store *bare;
  assert_int_equal(sp_store_open_sqlite(none, &bare, NULL), SP_OK);
  sp_store_close(bare);
  assert_int_equal(sp_book_open_readonly(none, &ro, &err), SP_ENOTFOUND);
  assert_non_null(strstr(err.message, "no book"));
  sp_store_remove_sqlite(none);

  sp_product p = daily_line(2000000);
  assert_int_equal(
      sp_line_open(f->book, "L1", 10000000, &p, D("2026-01-01"), NULL), SP_OK);
  assert_int_equal(
      sp_line_draw(f->book, "L1", 5000000, T("2026-01-01"), NULL, NULL), SP_OK);
  assert_int_equal(sp_book_open_readonly(f->path, &ro, NULL), SP_OK);
  assert_true(principal_of(ro) == 5000000);
  assert_int_equal(sp_book_read_begin(ro, NULL), SP_OK);
  assert_true(principal_of(ro) == 5000000);
  assert_int_equal(
      sp_line_draw(f->book, "L1", 1000000, T("2026-01-02"), NULL, NULL), SP_OK);
  assert_true(principal_of(f->book) == 6000000);
  assert_true(principal_of(ro) == 5000000); /* the snapshot of its begin */
  assert_true(view(f, "L1").principal_fen == 6000000);
  sp_loan_view v;
  assert_int_equal(sp_loan_get(ro, "L1", &v, NULL), SP_OK);
  assert_true(v.principal_fen == 5000000);
  sp_book_read_end(ro);
  assert_true(principal_of(ro) == 6000000);
  assert_int_equal(sp_book_read_begin(ro, NULL), SP_OK);
  assert_int_equal(sp_loan_get(ro, "L1", &v, NULL), SP_OK);
  assert_true(v.principal_fen == 6000000); /* not an account it cached */
  sp_book_read_end(ro);

  /* Query-only: a write through it fails and leaves the book as it was. */
  assert_int_equal(sp_store_sqlite_query_only(sp_book_store(ro), NULL), SP_OK);
  assert_int_equal(sp_line_draw(ro, "L1", 100, T("2026-01-03"), NULL, &err),
                   SP_ESTORE);
  sp_book_close(ro);
  assert_true(view(f, "L1").principal_fen == 6000000);

  /* Opening, reading and closing a reader changes no byte of the file,
   * even as the last connection to a WAL its writer left (as a writer that
   * died does), which SQLite would otherwise checkpoint at its close. */
  static char db[1 << 20], wal[1 << 20], after[1 << 20];
  sqlite3_db_config(sp_store_sqlite_handle(sp_book_store(f->book)),
                    SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, NULL);
  sp_book_close(f->book);
  f->book = NULL;
  size_t n = file_bytes(f->path, "", db, sizeof db);
  size_t w = file_bytes(f->path, "-wal", wal, sizeof wal);
  assert_true(w > 0);
  assert_int_equal(sp_book_open_readonly(f->path, &ro, NULL), SP_OK);
  assert_true(principal_of(ro) == 6000000);
  sp_book_close(ro);
  assert_int_equal(file_bytes(f->path, "", after, sizeof after), n);
  assert_memory_equal(db, after, n);
  assert_int_equal(file_bytes(f->path, "-wal", after, sizeof after), w);
  assert_memory_equal(wal, after, w);
  reopen(f);
  verify(f);
}

/* A reader opens only a store at this program's schema version. */
static void test_reader_schema_version(void **state) {
  fixture *f = *state;
  sqlite3 *db = sp_store_sqlite_handle(sp_book_store(f->book));
  assert_int_equal(
      sqlite3_exec(db, "PRAGMA user_version = 2", NULL, NULL, NULL), SQLITE_OK);
  sp_store *s;
  sp_error err;
  assert_int_equal(sp_store_open_sqlite_reader(f->path, &s, &err), SP_ESTATE);
  assert_string_equal(err.field, "db");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_line_golden, setup, teardown),
      cmocka_unit_test_setup_teardown(test_movement_views, setup, teardown),
      cmocka_unit_test_setup_teardown(test_close_day_writes_state_only, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_line_per_second, setup, teardown),
      cmocka_unit_test_setup_teardown(test_accrual_carry, setup, teardown),
      cmocka_unit_test_setup_teardown(test_overdue_ageing, setup, teardown),
      cmocka_unit_test_setup_teardown(test_term_prepay, setup, teardown),
      cmocka_unit_test_setup_teardown(test_disclosure, setup, teardown),
      cmocka_unit_test_setup_teardown(test_pending_draw, setup, teardown),
      cmocka_unit_test_setup_teardown(test_line_maturity, setup, teardown),
      cmocka_unit_test_setup_teardown(test_refs_and_bad_input, setup, teardown),
      cmocka_unit_test_setup_teardown(test_random_book, setup, teardown),
      cmocka_unit_test_setup_teardown(test_each_loan_windows, setup, teardown),
      cmocka_unit_test_setup_teardown(test_each_loan_stops, setup, teardown),
      cmocka_unit_test_setup_teardown(test_book_readonly, setup, teardown),
      cmocka_unit_test_setup_teardown(test_reader_schema_version, setup,
                                      teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
