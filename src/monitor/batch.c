/* Ingest of a batch of events with software prefetching.
 *
 * Events are taken strictly in order, exactly as by sp_monitor_ingest one
 * at a time; the batch only lets the engine look ahead. An event's work is
 * a chain of dependent memory reads (table slot, borrower record, ring,
 * chunk), each a likely cache miss among a million borrowers. So while
 * event i is processed, the table slot of event i + 12 is prefetched, the
 * borrower record of event i + 8 (its slot now cached), the ring of event
 * i + 4 and the chunk of event i + 2: the misses of later events overlap
 * the work of the current one. A prefetch is only a hint; a guess that
 * misses (a probe that is not at the home slot, a borrower not yet known)
 * costs nothing but the hint. */
#include <assert.h>

#include "monitor/monitor_int.h"

#define AHEAD_SLOT 12
#define AHEAD_BORROWER 8
#define AHEAD_RING 4
#define AHEAD_CHUNK 2
#define WINDOW 16 /* > AHEAD_SLOT, a power of two */

static const sp__borrower *guess_borrower(const sp_monitor *m, uint64_t h) {
  uint64_t e = m->table[h & m->table_mask];
  if (e == 0 || e >> 32 != h >> 32)
    return NULL;
  return &m->borrowers[(e & 0xffffffffu) - 1];
}

static void prefetch_borrower(const sp_monitor *m, uint64_t h) {
  const sp__borrower *b = guess_borrower(m, h);
  if (b == NULL)
    return;
  const char *p = (const char *)b;
  for (size_t off = 0; off < sizeof *b; off += 64)
    __builtin_prefetch(p + off);
}

static const sp__ring *guess_ring(const sp_monitor *m, uint64_t h,
                                  const sp_monitor_event *ev) {
  const sp__borrower *b = guess_borrower(m, h);
  if (b == NULL || (unsigned)ev->kind >= SP_MONITOR_KINDS ||
      b->ring[ev->kind] == 0)
    return NULL;
  return &m->rings[b->ring[ev->kind] - 1];
}

static void prefetch_chunk(const sp_monitor *m, const sp__ring *r,
                           const sp_monitor_event *ev) {
  sp_date day = sp_time_date(ev->time);
  if (r == NULL || day <= -DAY_BIAS / 2)
    return;
  uint32_t id = r->chunk[((day + DAY_BIAS) / CHUNK_DAYS) % RING_CHUNKS];
  if (id & SLOT_DAY) {
    __builtin_prefetch(&m->days[(id & ~SLOT_DAY) - 1]);
  } else if (id != 0) {
    const char *p = (const char *)&m->chunks[id - 1];
    __builtin_prefetch(p);
    __builtin_prefetch(p + 64);
    __builtin_prefetch(p + 128);
    __builtin_prefetch(p + 192);
  }
}

static void look_ahead(const sp_monitor *m, const sp_monitor_event *evs,
                       size_t n, size_t i, uint64_t *hash) {
  if (i + AHEAD_SLOT < n) {
    uint64_t h = sp__monitor_hash(evs[i + AHEAD_SLOT].borrower);
    hash[(i + AHEAD_SLOT) % WINDOW] = h;
    __builtin_prefetch(&m->table[h & m->table_mask]);
  }
  if (i + AHEAD_BORROWER < n)
    prefetch_borrower(m, hash[(i + AHEAD_BORROWER) % WINDOW]);
  if (i + AHEAD_RING < n) {
    const sp__ring *r =
        guess_ring(m, hash[(i + AHEAD_RING) % WINDOW], &evs[i + AHEAD_RING]);
    if (r != NULL) {
      __builtin_prefetch(r);
      __builtin_prefetch((const char *)r + 64);
    }
  }
  if (i + AHEAD_CHUNK < n)
    prefetch_chunk(
        m,
        guess_ring(m, hash[(i + AHEAD_CHUNK) % WINDOW], &evs[i + AHEAD_CHUNK]),
        &evs[i + AHEAD_CHUNK]);
}

int sp_monitor_ingest_batch(sp_monitor *m, const sp_monitor_event *evs,
                            size_t n, sp_monitor_action_fn on_action,
                            void *user, size_t *done, sp_error *err) {
  assert(m != NULL && (evs != NULL || n == 0) && done != NULL);
  uint64_t hash[WINDOW];
  for (size_t i = 0; i < n && i < AHEAD_SLOT; i++)
    hash[i % WINDOW] = sp__monitor_hash(evs[i].borrower);
  for (size_t i = 0; i < n; i++) {
    look_ahead(m, evs, n, i, hash);
    int rc = sp_monitor_ingest(m, &evs[i], on_action, user, err);
    if (rc < 0) {
      *done = i;
      return rc;
    }
  }
  *done = n;
  return SP_OK;
}
