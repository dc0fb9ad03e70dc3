/* Day buckets of one (borrower, series): a ring of RING_CHUNKS slots, each
 * holding an 8-day chunk from the engine's chunk pool.
 *
 * Day d belongs to chunk number c = (d + DAY_BIAS) / 8, kept in slot
 * c % RING_CHUNKS. A chunk records its first day, so a slot still holding
 * an older chunk is recognised and reset in place when a later day needs
 * it, and a reader skips any chunk that is not the one it expects.
 *
 * A slot starts as a one-day entry (32 bytes) and becomes a full chunk
 * only when a second day of the same 8 needs it: sparse series, the
 * common case, then take a seventh of the memory. The entry left behind
 * is not reused. Nothing is freed: a ring holds at most RING_CHUNKS
 * chunks and as many entries, which bounds the state of a series whatever
 * its number of events. */
#include <assert.h>
#include <stdint.h>
#include <string.h>

#include "monitor/monitor_int.h"

/* Sums saturate instead of overflowing: a day or window that reaches
 * INT64_MAX fen stays there. */
static int64_t add_saturated(int64_t a, int64_t b) {
  assert(a >= 0 && b >= 0);
  return a > INT64_MAX - b ? INT64_MAX : a + b;
}

static int32_t chunk_number(sp_date day) {
  assert(day > -DAY_BIAS);
  return (int32_t)((day + DAY_BIAS) / CHUNK_DAYS);
}

static sp_date chunk_first_day(int32_t number) {
  return number * CHUNK_DAYS - DAY_BIAS;
}

static void chunk_reset(sp__chunk *c, sp_date first_day) {
  memset(c, 0, sizeof *c);
  c->first_day = first_day;
}

static void day_reset(sp__day *e, sp_date day, int64_t value) {
  e->day = day;
  e->count = 1;
  e->sum = e->min = e->max = value;
}

/* Adds value at day i of chunk c. */
static void chunk_add(sp__chunk *c, int i, int64_t value) {
  assert(i >= 0 && i < CHUNK_DAYS);
  if (c->count[i] == 0 || value < c->min[i])
    c->min[i] = value;
  if (c->count[i] == 0 || value > c->max[i])
    c->max[i] = value;
  c->sum[i] = add_saturated(c->sum[i], value);
  c->count[i]++;
}

/* Turns the one-day entry in *slot into a full chunk starting at first. */
static void promote(sp_monitor *m, uint32_t *slot, sp_date first) {
  const sp__day *e = &m->days[(*slot & ~SLOT_DAY) - 1];
  *slot = ++m->stats.chunks;
  sp__chunk *c = &m->chunks[*slot - 1];
  chunk_reset(c, first);
  int i = e->day - first;
  assert(i >= 0 && i < CHUNK_DAYS && e->count > 0);
  c->sum[i] = e->sum;
  c->min[i] = e->min;
  c->max[i] = e->max;
  c->count[i] = e->count;
}

int sp__monitor_ring_add(sp_monitor *m, sp__ring *ring, sp_date day,
                         int64_t value) {
  assert(m != NULL && ring != NULL && value >= 0);
  int32_t number = chunk_number(day);
  sp_date first = chunk_first_day(number);
  uint32_t *slot = &ring->chunk[number % RING_CHUNKS];
  if (*slot == 0) {
    if (m->stats.days >= m->cfg.chunks_max)
      return SP_EFULL;
    *slot = SLOT_DAY | ++m->stats.days;
    day_reset(&m->days[m->stats.days - 1], day, value);
    return SP_OK;
  }
  if (*slot & SLOT_DAY) {
    sp__day *e = &m->days[(*slot & ~SLOT_DAY) - 1];
    int32_t held = chunk_number(e->day);
    if (held < number || e->day == day) {
      if (held < number)
        day_reset(e, day, value);
      else {
        e->min = value < e->min ? value : e->min;
        e->max = value > e->max ? value : e->max;
        e->sum = add_saturated(e->sum, value);
        e->count++;
      }
      return SP_OK;
    }
    if (held > number)
      return SP_OK; /* older than the ring holds: the lateness forbids it */
    if (m->stats.chunks >= m->cfg.chunks_max)
      return SP_EFULL;
    promote(m, slot, first);
  }
  sp__chunk *c = &m->chunks[*slot - 1];
  if (c->first_day > first)
    return SP_OK; /* older than the ring holds: the lateness forbids it */
  if (c->first_day < first)
    chunk_reset(c, first);
  chunk_add(c, day - first, value);
  return SP_OK;
}

static void fold_chunk(const sp__chunk *c, int lo, int hi, sp__agg *acc) {
  for (int i = lo; i <= hi; i++) {
    if (c->count[i] == 0)
      continue;
    if (acc->count == 0 || c->min[i] < acc->min)
      acc->min = c->min[i];
    if (acc->count == 0 || c->max[i] > acc->max)
      acc->max = c->max[i];
    acc->sum = add_saturated(acc->sum, c->sum[i]);
    acc->count += c->count[i];
  }
}

static void fold_day(const sp__day *e, sp__agg *acc) {
  if (acc->count == 0 || e->min < acc->min)
    acc->min = e->min;
  if (acc->count == 0 || e->max > acc->max)
    acc->max = e->max;
  acc->sum = add_saturated(acc->sum, e->sum);
  acc->count += e->count;
}

void sp__monitor_ring_fold(const sp_monitor *m, const sp__ring *ring,
                           sp_date from, sp_date to, sp__agg *acc) {
  assert(m != NULL && ring != NULL && acc != NULL);
  if (from > to)
    return;
  int32_t first = chunk_number(from), last = chunk_number(to);
  assert(last - first < RING_CHUNKS);
  for (int32_t n = first; n <= last; n++) {
    uint32_t id = ring->chunk[n % RING_CHUNKS];
    if (id == 0)
      continue;
    sp_date start = chunk_first_day(n);
    if (id & SLOT_DAY) {
      const sp__day *e = &m->days[(id & ~SLOT_DAY) - 1];
      if (e->day >= from && e->day <= to && chunk_number(e->day) == n)
        fold_day(e, acc);
      continue;
    }
    const sp__chunk *c = &m->chunks[id - 1];
    if (c->first_day != start)
      continue;
    int lo = from > start ? from - start : 0;
    int hi = to < start + CHUNK_DAYS - 1 ? to - start : CHUNK_DAYS - 1;
    fold_chunk(c, lo, hi, acc);
  }
}
