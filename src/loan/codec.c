/* The stored form of a loan record: a compact, versioned byte string.
 *
 *   byte 0      format (SP__LOAN_FORMAT)
 *   then        every field of sp__loan in a fixed order, each a varint:
 *               LEB128 of the zigzag of the value (small magnitudes of
 *               either sign take one or two bytes); the id as a length
 *               and its bytes; then n_inst installments of eight varints.
 *
 * Close of day rewrites every active loan each day, so the size of this
 * record is written to the WAL a million times a day: a line encodes in
 * about 60 bytes, against 224 for the in-memory struct. The form does not
 * depend on the compiler's struct layout, padding or byte order, and the
 * decoder checks every length against the bytes it was given.
 *
 * A loan's day state (the fields a business day changes: closed-through,
 * accrual, carried remainders, bills, days past due) is also stored on its
 * own (sp_store_ops state_put): a format byte and those fields as the same
 * varints, at most 141 bytes. When a loan has a state, its fields override
 * the record's copies: close of day rewrites only the state of a line. */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "loan/loan_int.h"

#define FORMAT 2u      /* format 1 was the raw struct; never written now */
#define VARINT_MAX 10  /* bytes of one 64-bit varint */
#define HEAD_FIELDS 40 /* upper bound on varints before the installments */
#define INST_FIELDS 8

size_t sp__loan_encoded_max(int32_t n_inst) {
  return 1 + (HEAD_FIELDS + (size_t)n_inst * INST_FIELDS) * VARINT_MAX +
         SP_LOAN_ID_MAX;
}

static uint8_t *put(uint8_t *p, int64_t v) {
  uint64_t z = ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);
  while (z >= 0x80) {
    *p++ = (uint8_t)(z | 0x80);
    z >>= 7;
  }
  *p++ = (uint8_t)z;
  return p;
}

size_t sp__loan_encode(const sp__loan *l, uint8_t *buf) {
  assert(l->n_inst >= 0 && l->n_inst <= SP_SCHEDULE_TERM_MAX);
  const sp_product *pr = &l->product;
  size_t id_len = strlen(l->id);
  uint8_t *p = buf;
  *p++ = FORMAT;
  p = put(p, l->kind);
  p = put(p, (int64_t)l->no);
  p = put(p, (int64_t)id_len);
  memcpy(p, l->id, id_len);
  p += id_len;
  const int64_t head[] = {pr->annual_rate,
                          pr->daycount,
                          pr->per_second,
                          pr->penalty_factor_bp,
                          pr->alloc[0],
                          pr->alloc[1],
                          pr->alloc[2],
                          pr->rounding,
                          pr->method,
                          pr->term_months,
                          l->limit_fen,
                          l->opened,
                          l->maturity,
                          l->closed_through,
                          l->bills,
                          l->accrued_until,
                          l->interest_total_fen,
                          l->interest_rem,
                          l->penalty_total_fen,
                          l->penalty_rem,
                          l->interest_paid_total_fen,
                          l->fee_fen,
                          l->annualized_rate,
                          l->interest_due_fen,
                          l->interest_due_date,
                          l->days_past_due,
                          l->risk_class,
                          l->frozen,
                          l->closed,
                          l->n_inst};
  static_assert(sizeof head / sizeof head[0] + 4 <= HEAD_FIELDS, "bound");
  for (size_t i = 0; i < sizeof head / sizeof head[0]; i++)
    p = put(p, head[i]);
  for (int32_t i = 0; i < l->n_inst; i++) {
    const sp__inst *s = &l->inst[i];
    const int64_t f[INST_FIELDS] = {s->due,
                                    s->accrual_start,
                                    s->principal_fen,
                                    s->interest_fen,
                                    s->principal_paid_fen,
                                    s->interest_paid_fen,
                                    s->interest_accrued_fen,
                                    s->accrual_base_fen};
    for (int k = 0; k < INST_FIELDS; k++)
      p = put(p, f[k]);
  }
  assert((size_t)(p - buf) <= sp__loan_encoded_max(l->n_inst));
  return (size_t)(p - buf);
}

typedef struct reader {
  const uint8_t *p, *end;
  int bad;
} reader;

/* Reads one varint. Only the shortest form of a value is accepted (no
 * trailing zero groups, nothing past 64 bits), so a record that decodes
 * encodes back to the same bytes. */
static int64_t get(reader *r) {
  uint64_t z = 0;
  for (int shift = 0; shift < 64 && r->p < r->end; shift += 7) {
    uint8_t b = *r->p++;
    if ((shift == 63 && b > 1) || (shift > 0 && b == 0))
      break;
    z |= (uint64_t)(b & 0x7f) << shift;
    if (!(b & 0x80))
      return (int64_t)(z >> 1) ^ -(int64_t)(z & 1);
  }
  r->bad = 1;
  return 0;
}

/* Reads a field that must lie in [lo, hi]. */
static int64_t get_in(reader *r, int64_t lo, int64_t hi) {
  int64_t v = get(r);
  if (v < lo || v > hi)
    r->bad = 1;
  return v;
}

static void read_head(reader *r, sp__loan *l) {
  sp_product *pr = &l->product;
  pr->annual_rate = get(r);
  pr->daycount = (sp_daycount)get_in(r, 0, 16);
  pr->per_second = (int)get_in(r, 0, 1);
  pr->penalty_factor_bp = get(r);
  for (int k = 0; k < 3; k++)
    pr->alloc[k] = (uint8_t)get_in(r, 0, 255);
  pr->rounding = (sp_rounding)get_in(r, 0, 16);
  pr->method = (sp_method)get_in(r, 0, 16);
  pr->term_months = (int32_t)get_in(r, 0, INT32_MAX);
  l->limit_fen = get(r);
  l->opened = (sp_date)get_in(r, INT32_MIN, INT32_MAX);
  l->maturity = (sp_date)get_in(r, INT32_MIN, INT32_MAX);
  l->closed_through = (sp_date)get_in(r, INT32_MIN, INT32_MAX);
  l->bills = (int32_t)get_in(r, 0, INT32_MAX);
  l->accrued_until = get(r);
  l->interest_total_fen = get(r);
  l->interest_rem = get(r);
  l->penalty_total_fen = get(r);
  l->penalty_rem = get(r);
  l->interest_paid_total_fen = get(r);
  l->fee_fen = get(r);
  l->annualized_rate = get(r);
  l->interest_due_fen = get(r);
  l->interest_due_date = (sp_date)get_in(r, INT32_MIN, INT32_MAX);
  l->days_past_due = (int32_t)get_in(r, 0, INT32_MAX);
  l->risk_class = (int32_t)get_in(r, 0, 16);
  l->frozen = (int32_t)get_in(r, 0, 1);
  l->closed = (int32_t)get_in(r, 0, 1);
  l->n_inst = (int32_t)get_in(r, 0, SP_SCHEDULE_TERM_MAX);
}

static int read_inst(reader *r, sp__loan *l) {
  if (l->n_inst == 0)
    return SP_OK;
  l->inst = malloc((size_t)l->n_inst * sizeof *l->inst);
  if (l->inst == NULL)
    return SP_ENOMEM;
  for (int32_t i = 0; i < l->n_inst; i++) {
    sp__inst *s = &l->inst[i];
    s->due = (sp_date)get_in(r, INT32_MIN, INT32_MAX);
    s->accrual_start = (sp_date)get_in(r, INT32_MIN, INT32_MAX);
    s->principal_fen = get(r);
    s->interest_fen = get(r);
    s->principal_paid_fen = get(r);
    s->interest_paid_fen = get(r);
    s->interest_accrued_fen = get(r);
    s->accrual_base_fen = get(r);
  }
  return SP_OK;
}

int sp__loan_decode(const void *data, size_t size, sp__loan *out) {
  memset(out, 0, sizeof *out);
  reader r = {.p = data, .end = (const uint8_t *)data + size};
  if (size < 1 || *r.p++ != FORMAT)
    return SP_ESTORE;
  out->version = SP__LOAN_VERSION;
  out->kind = (uint32_t)get_in(&r, SP_LOAN_LINE, SP_LOAN_TERM);
  out->no = (uint64_t)get_in(&r, 1, INT64_MAX);
  int64_t id_len = get_in(&r, 1, SP_LOAN_ID_MAX);
  if (r.bad || r.end - r.p < id_len || memchr(r.p, '\0', (size_t)id_len))
    return SP_ESTORE;
  memcpy(out->id, r.p, (size_t)id_len);
  out->id[id_len] = '\0';
  r.p += id_len;
  read_head(&r, out);
  if (r.bad)
    return SP_ESTORE;
  int rc = read_inst(&r, out);
  if (rc == SP_OK && (r.bad || r.p != r.end))
    rc = SP_ESTORE;
  if (rc != SP_OK)
    sp__loan_free(out);
  return rc;
}

#define STATE_FORMAT 1u
#define STATE_FIELDS 14

size_t sp__loan_state_encode(const sp__loan *l,
                             uint8_t buf[SP_STORE_STATE_MAX]) {
  const int64_t f[STATE_FIELDS] = {
      l->closed_through,   l->bills,
      l->accrued_until,    l->interest_total_fen,
      l->interest_rem,     l->penalty_total_fen,
      l->penalty_rem,      l->interest_paid_total_fen,
      l->interest_due_fen, l->interest_due_date,
      l->days_past_due,    l->risk_class,
      l->frozen,           l->closed};
  static_assert(1 + STATE_FIELDS * VARINT_MAX <= SP_STORE_STATE_MAX, "fits");
  uint8_t *p = buf;
  *p++ = STATE_FORMAT;
  for (size_t i = 0; i < STATE_FIELDS; i++)
    p = put(p, f[i]);
  return (size_t)(p - buf);
}

int sp__loan_state_decode(const void *data, size_t size, sp__loan *l) {
  reader r = {.p = data, .end = (const uint8_t *)data + size};
  if (size < 1 || *r.p++ != STATE_FORMAT)
    return SP_ESTORE;
  sp__loan s = *l;
  s.closed_through = (sp_date)get_in(&r, INT32_MIN, INT32_MAX);
  s.bills = (int32_t)get_in(&r, 0, INT32_MAX);
  s.accrued_until = get(&r);
  s.interest_total_fen = get(&r);
  s.interest_rem = get(&r);
  s.penalty_total_fen = get(&r);
  s.penalty_rem = get(&r);
  s.interest_paid_total_fen = get(&r);
  s.interest_due_fen = get(&r);
  s.interest_due_date = (sp_date)get_in(&r, INT32_MIN, INT32_MAX);
  s.days_past_due = (int32_t)get_in(&r, 0, INT32_MAX);
  s.risk_class = (int32_t)get_in(&r, 0, 16);
  s.frozen = (int32_t)get_in(&r, 0, 1);
  s.closed = (int32_t)get_in(&r, 0, 1);
  if (r.bad || r.p != r.end)
    return SP_ESTORE;
  *l = s;
  return SP_OK;
}
