/* Snapshot and restore of a monitor's whole state.
 *
 * File: a header (magic, version, rules fingerprint, counters), then the
 * used borrowers, rings, chunks and one-day entries exactly as they lie in
 * memory, then a 64-bit FNV-1a checksum of everything before it. Written to
 * "<path>.tmp", flushed, fsync'ed and renamed over path, so a crash leaves
 * either the old snapshot or the new one. Restoring rebuilds the borrower
 * table from the borrowers; the dedup slots, floors, latest times and
 * which rules are true come back with them, so events already processed
 * are recognised as duplicates or too late after a restart. */
#include <assert.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "monitor/monitor_int.h"

#define SNAP_VERSION 2u

typedef struct snap_header {
  char magic[8];
  uint32_t version;
  uint32_t n_rules;
  uint64_t fingerprint;
  uint64_t sizes; /* borrower, ring and chunk sizes, to refuse other builds */
  sp_monitor_stats stats;
} snap_header;

static uint64_t fnv(uint64_t h, const void *data, size_t len) {
  const unsigned char *p = data;
  for (size_t i = 0; i < len; i++)
    h = (h ^ p[i]) * 1099511628211ULL;
  return h;
}

static uint64_t layout(void) {
  return (uint64_t)sizeof(sp__borrower) << 40 |
         (uint64_t)sizeof(sp__ring) << 20 | sizeof(sp__chunk) << 8 |
         sizeof(sp__day);
}

static int put(FILE *f, const void *data, size_t len, uint64_t *sum) {
  *sum = fnv(*sum, data, len);
  return fwrite(data, 1, len, f) == len ? 0 : -1;
}

static int write_all(const sp_monitor *m, FILE *f) {
  snap_header h;
  memset(&h, 0, sizeof h);
  memcpy(h.magic, "SPMONSNP", 8);
  h.version = SNAP_VERSION;
  h.n_rules = (uint32_t)m->rules->n_rules;
  h.fingerprint = m->rules->fingerprint;
  h.sizes = layout();
  h.stats = m->stats;
  uint64_t sum = 1469598103934665603ULL;
  int bad = put(f, &h, sizeof h, &sum);
  bad |= put(f, m->borrowers, m->stats.borrowers * sizeof *m->borrowers, &sum);
  bad |= put(f, m->rings, m->stats.rings * sizeof *m->rings, &sum);
  bad |= put(f, m->chunks, m->stats.chunks * sizeof *m->chunks, &sum);
  bad |= put(f, m->days, m->stats.days * sizeof *m->days, &sum);
  bad |= fwrite(&sum, sizeof sum, 1, f) != 1;
  bad |= fflush(f) != 0;
  bad |= fsync(fileno(f)) != 0;
  return bad;
}

int sp_monitor_save(const sp_monitor *m, const char *path, sp_error *err) {
  assert(m != NULL && path != NULL);
  char tmp[4096];
  if (snprintf(tmp, sizeof tmp, "%s.tmp", path) >= (int)sizeof tmp)
    return sp_error_set(err, SP_EINVAL, "state", "state: path too long");
  FILE *f = fopen(tmp, "wb");
  if (f == NULL)
    return sp_error_set(err, SP_EIO, "state", "state: cannot write %s", tmp);
  int bad = write_all(m, f);
  bad |= fclose(f) != 0;
  if (bad || rename(tmp, path) != 0) {
    remove(tmp);
    return sp_error_set(err, SP_EIO, "state", "state: cannot write %s", path);
  }
  return SP_OK;
}

static int get(FILE *f, void *data, size_t len, uint64_t *sum) {
  if (fread(data, 1, len, f) != len)
    return -1;
  *sum = fnv(*sum, data, len);
  return 0;
}

static int check_header(const sp_monitor *m, const snap_header *h,
                        sp_error *err) {
  if (memcmp(h->magic, "SPMONSNP", 8) != 0 || h->version != SNAP_VERSION ||
      h->sizes != layout())
    return sp_error_set(err, SP_EPARSE, "state",
                        "state: not a snapshot of this version");
  if (h->n_rules != (uint32_t)m->rules->n_rules ||
      h->fingerprint != m->rules->fingerprint)
    return sp_error_set(err, SP_ESTATE, "state",
                        "state: made with other rules");
  if (h->stats.borrowers > m->cfg.borrowers_max ||
      h->stats.rings > m->cfg.rings_max ||
      h->stats.chunks > m->cfg.chunks_max || h->stats.days > m->cfg.chunks_max)
    return sp_error_set(err, SP_ELIMIT, "state",
                        "state: more borrowers, rings or chunks than the "
                        "capacity");
  return SP_OK;
}

static void clear(sp_monitor *m, const sp_monitor_stats *n) {
  uint32_t borrowers = n->borrowers, rings = n->rings, chunks = n->chunks;
  memset(m->days, 0, n->days * sizeof *m->days);
  memset(m->borrowers, 0, borrowers * sizeof *m->borrowers);
  memset(m->rings, 0, rings * sizeof *m->rings);
  memset(m->chunks, 0, chunks * sizeof *m->chunks);
  memset(&m->stats, 0, sizeof m->stats);
}

static int read_all(sp_monitor *m, FILE *f, sp_error *err) {
  snap_header h;
  uint64_t sum = 1469598103934665603ULL, stored = 0;
  if (get(f, &h, sizeof h, &sum) != 0)
    return sp_error_set(err, SP_EPARSE, "state", "state: truncated");
  int rc = check_header(m, &h, err);
  if (rc != SP_OK)
    return rc;
  if (get(f, m->borrowers, h.stats.borrowers * sizeof *m->borrowers, &sum) ||
      get(f, m->rings, h.stats.rings * sizeof *m->rings, &sum) ||
      get(f, m->chunks, h.stats.chunks * sizeof *m->chunks, &sum) ||
      get(f, m->days, h.stats.days * sizeof *m->days, &sum) ||
      fread(&stored, sizeof stored, 1, f) != 1 || stored != sum ||
      fgetc(f) != EOF) {
    clear(m, &h.stats);
    return sp_error_set(err, SP_EPARSE, "state", "state: damaged");
  }
  m->stats = h.stats;
  return SP_OK;
}

/* Puts every restored borrower back in the (empty) table. */
static void rebuild_table(sp_monitor *m) {
  for (uint32_t i = 0; i < m->stats.borrowers; i++) {
    uint64_t h = sp__monitor_hash(m->borrowers[i].id);
    uint64_t j = h & m->table_mask;
    while (m->table[j] != 0)
      j = (j + 1) & m->table_mask;
    m->table[j] = (h >> 32 << 32) | (i + 1);
  }
}

int sp_monitor_load(sp_monitor *m, const char *path, sp_error *err) {
  assert(m != NULL && path != NULL);
  if (m->stats.borrowers != 0 || m->stats.accepted != 0)
    return sp_error_set(err, SP_ESTATE, "state",
                        "state: the engine has already taken events");
  FILE *f = fopen(path, "rb");
  if (f == NULL)
    return sp_error_set(err, SP_ENOTFOUND, "state", "state: no file %s", path);
  int rc = read_all(m, f, err);
  fclose(f);
  if (rc == SP_OK)
    rebuild_table(m);
  return rc;
}
