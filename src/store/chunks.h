/* Chunk rows: what 64 consecutive accounts or records keep in one row.
 *
 * Balance chunks: the four sums of 64 consecutive accounts in one row.
 * Account id `id` lives in chunk id / 64, slot id % 64. A chunk's stored
 * form is 64 slots of four little-endian int64 (debits posted, credits
 * posted, debits pending, credits pending), 2,048 bytes; a slot of an
 * account that was never written is zero. The SQLite backend gathers the
 * chunks a transaction changes in a cache (this file) and writes each one
 * once, just before the transaction commits.
 *
 * Slot chunks hold 64 short byte strings, stored as 64 slots of a length
 * byte (0: empty) and that many bytes; a transaction's writes gather in the
 * same kind of cache. They hold the states of 64 consecutive records
 * (sp_store_ops state_put), and the definitions of 64 consecutive accounts
 * (owner, ledger, kind, flags as LEB128 varints, then the name's length
 * and bytes; written once, when an account is created), so that loading a
 * million accounts reads 15,625 rows of each kind. */
#ifndef SPARROW_STORE_CHUNKS_H
#define SPARROW_STORE_CHUNKS_H

#include <stddef.h>
#include <stdint.h>

#include "ledger/idmap.h"
#include "sparrow/ledger.h"
#include "sparrow/store.h"

#define SP__CHUNK_SLOTS 64
#define SP__CHUNK_BYTES (SP__CHUNK_SLOTS * 32)

typedef struct sp__chunk {
  uint64_t no;
  int64_t sums[SP__CHUNK_SLOTS][4];
} sp__chunk;

typedef struct sp__states {
  uint64_t no;
  uint8_t len[SP__CHUNK_SLOTS]; /* 0: the record has no state */
  uint8_t data[SP__CHUNK_SLOTS][SP_STORE_STATE_MAX];
} sp__states;

#define SP__STATES_BYTES_MAX (SP__CHUNK_SLOTS * (1 + SP_STORE_STATE_MAX))
/* An account definition's encoded size at most. */
#define SP__DEF_MAX (10 + 5 + 3 + 3 + 1 + SP_ACCOUNT_NAME_MAX)

/* The chunks (sp__chunk or sp__states, each starting with its number)
 * changed in the current transaction. */
typedef struct sp__chunk_cache {
  unsigned char *items;
  size_t item_size;
  size_t n, cap;
  sp__idmap index; /* chunk number + 1 -> position in items */
} sp__chunk_cache;

static inline uint64_t sp__chunk_of(uint64_t id) {
  return id / SP__CHUNK_SLOTS;
}
static inline size_t sp__chunk_slot(uint64_t id) {
  return (size_t)(id % SP__CHUNK_SLOTS);
}

int sp__chunks_init(sp__chunk_cache *c, size_t item_size);
void sp__chunks_free(sp__chunk_cache *c);
void sp__chunks_clear(sp__chunk_cache *c);
/* The cached chunk `no`, or NULL. */
void *sp__chunks_find(sp__chunk_cache *c, uint64_t no);
/* Adds chunk `no` (all zero) to the cache; NULL when out of memory. The
 * pointer is valid until the next add or clear. */
void *sp__chunks_add(sp__chunk_cache *c, uint64_t no);
/* The i-th chunk added, i < c->n. */
void *sp__chunks_at(sp__chunk_cache *c, size_t i);

void sp__chunk_encode(const sp__chunk *k, uint8_t out[SP__CHUNK_BYTES]);
/* Returns SP_OK, or SP_ESTORE when size is not SP__CHUNK_BYTES. */
int sp__chunk_decode(const void *data, size_t size, uint64_t no,
                     sp__chunk *out);

/* An account's definition (not its sums): encode writes at most
 * SP__DEF_MAX bytes and returns how many; decode sets every field but the
 * sums, or returns SP_ESTORE. */
size_t sp__def_encode(const sp_account *a, uint8_t out[SP__DEF_MAX]);
int sp__def_decode(const uint8_t *data, size_t size, uint64_t id,
                   sp_account *a);

/* Copies slot sums into / out of an account. */
void sp__chunk_get(const sp__chunk *k, size_t slot, sp_account *a);
void sp__chunk_set(sp__chunk *k, size_t slot, const sp_account *a);

/* Writes at most SP__STATES_BYTES_MAX bytes; returns how many. */
size_t sp__states_encode(const sp__states *k, uint8_t *out);
/* Returns SP_OK, or SP_ESTORE when the bytes are not a state chunk. */
int sp__states_decode(const void *data, size_t size, uint64_t no,
                      sp__states *out);

#endif
