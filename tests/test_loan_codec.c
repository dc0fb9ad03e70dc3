/* The stored form of a loan record (src/loan/codec.c): the bytes of a
 * small record worked out by hand from the format's definition (zigzag,
 * then LEB128), round trips of random records, and every truncation or
 * corruption of a record refused rather than misread. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "loan/loan_int.h"

static uint64_t rng = 0x9e3779b97f4a7c15u;

static uint64_t next(void) { /* splitmix64 */
  uint64_t z = (rng += 0x9e3779b97f4a7c15u);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
  return z ^ (z >> 31);
}

/* A value of any magnitude: small ones often, the extremes sometimes. */
static int64_t any(void) {
  switch (next() % 4) {
  case 0:
    return (int64_t)(next() % 200) - 100;
  case 1:
    return next() % 2 ? INT64_MAX : INT64_MIN;
  default:
    return (int64_t)next();
  }
}

static int32_t any32(void) { return (int32_t)any(); }

static void random_loan(sp__loan *l, sp__inst *inst, int32_t n_inst) {
  memset(l, 0, sizeof *l);
  l->version = SP__LOAN_VERSION;
  l->kind = n_inst > 0 ? SP_LOAN_TERM : SP_LOAN_LINE;
  l->no = 1 + next() % INT64_MAX;
  size_t id_len = 1 + next() % SP_LOAN_ID_MAX;
  for (size_t i = 0; i < id_len; i++)
    l->id[i] = (char)('!' + next() % 90);
  l->product = (sp_product){.annual_rate = any(),
                            .daycount = (sp_daycount)(next() % 3),
                            .per_second = (int)(next() % 2),
                            .penalty_factor_bp = any(),
                            .alloc = {2, 1, 0},
                            .rounding = (sp_rounding)(next() % 5),
                            .method = (sp_method)(next() % 4),
                            .term_months = (int32_t)(next() % 601)};
  l->limit_fen = any();
  l->opened = any32();
  l->maturity = any32();
  l->closed_through = any32();
  l->bills = (int32_t)(next() % 1000);
  l->accrued_until = any();
  l->interest_total_fen = any();
  l->interest_rem = any();
  l->penalty_total_fen = any();
  l->penalty_rem = any();
  l->interest_paid_total_fen = any();
  l->fee_fen = any();
  l->annualized_rate = any();
  l->interest_due_fen = any();
  l->interest_due_date = any32();
  l->days_past_due = (int32_t)(next() % 4000);
  l->risk_class = (int32_t)(next() % 5);
  l->frozen = (int32_t)(next() % 2);
  l->closed = (int32_t)(next() % 2);
  l->n_inst = n_inst;
  l->inst = n_inst > 0 ? inst : NULL;
  for (int32_t i = 0; i < n_inst; i++)
    inst[i] =
        (sp__inst){any32(), any32(), any(), any(), any(), any(), any(), any()};
}

static void assert_same(const sp__loan *a, const sp__loan *b) {
  sp__loan x = *a, y = *b;
  x.inst = y.inst = NULL;
  assert_memory_equal(&x, &y, sizeof x);
  if (a->n_inst > 0)
    assert_memory_equal(a->inst, b->inst, (size_t)a->n_inst * sizeof *a->inst);
}

/* A line with everything zero but kind 1, no 1, id "A", annual rate 100,
 * limit -1 and n_inst 0. Zigzag maps v >= 0 to 2v and v < 0 to -2v-1, so
 * 1 -> 02, 100 -> 200 = 0xc8 0x01 in LEB128, -1 -> 01. */
static void test_bytes_by_hand(void **state) {
  (void)state;
  sp__loan l = {.version = SP__LOAN_VERSION, .kind = SP_LOAN_LINE, .no = 1};
  strcpy(l.id, "A");
  l.product.annual_rate = 100;
  l.limit_fen = -1;
  uint8_t buf[512];
  size_t n = sp__loan_encode(&l, buf);
  const uint8_t want_start[] = {2, 2, 2, 2, 'A', 0xc8, 0x01};
  assert_memory_equal(buf, want_start, sizeof want_start);
  /* then daycount..term_months (9 zeros), limit -1, 19 more zeros */
  assert_int_equal(n, sizeof want_start + 9 + 1 + 19);
  assert_int_equal(buf[sizeof want_start + 9], 0x01);
  sp__loan out;
  assert_int_equal(sp__loan_decode(buf, n, &out), SP_OK);
  assert_same(&l, &out);
}

static void test_round_trips(void **state) {
  (void)state;
  static sp__inst inst[SP_SCHEDULE_TERM_MAX];
  static uint8_t buf[65536];
  for (int k = 0; k < 2000; k++) {
    int32_t n_inst = k % 3 == 0 ? (int32_t)(next() % 40) : 0;
    if (k == 1999)
      n_inst = SP_SCHEDULE_TERM_MAX;
    sp__loan l, out;
    random_loan(&l, inst, n_inst);
    size_t n = sp__loan_encode(&l, buf);
    assert_true(n <= sp__loan_encoded_max(n_inst));
    assert_int_equal(sp__loan_decode(buf, n, &out), SP_OK);
    assert_same(&l, &out);
    sp__loan_free(&out);
  }
}

/* Every prefix of a record, a record with a byte appended, and a record
 * with one byte changed to each value: refused, or decoded to something
 * that encodes back to the same bytes (never read past the end). */
static void test_damage_refused(void **state) {
  (void)state;
  static sp__inst inst[12];
  uint8_t buf[4096], copy[4096], again[4096];
  sp__loan l, out;
  random_loan(&l, inst, 12);
  size_t n = sp__loan_encode(&l, buf);
  for (size_t len = 0; len < n; len++) {
    uint8_t *cut = malloc(len + 1); /* exact size: ASan sees overreads */
    memcpy(cut, buf, len);
    assert_int_equal(sp__loan_decode(cut, len, &out), SP_ESTORE);
    free(cut);
  }
  memcpy(copy, buf, n);
  copy[n] = 0;
  assert_int_equal(sp__loan_decode(copy, n + 1, &out), SP_ESTORE);
  for (size_t at = 0; at < n; at += 7) {
    for (int v = 0; v < 256; v += 5) {
      memcpy(copy, buf, n);
      copy[at] = (uint8_t)v;
      if (sp__loan_decode(copy, n, &out) == SP_OK) {
        size_t m = sp__loan_encode(&out, again);
        assert_int_equal(m, n);
        assert_memory_equal(again, copy, n);
        sp__loan_free(&out);
      }
    }
  }
  copy[0] = 1; /* format 1 (the raw struct) is not read */
  assert_int_equal(sp__loan_decode(copy, n, &out), SP_ESTORE);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_bytes_by_hand),
      cmocka_unit_test(test_round_trips),
      cmocka_unit_test(test_damage_refused),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
