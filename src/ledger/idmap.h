/* A map from non-zero 64-bit ids to 32-bit values: open addressing with
 * linear probing, capacity a power of two, load kept at most one half. It
 * allocates only when it grows; lookups and inserts never allocate. A
 * slot is occupied when its generation is the map's, so clearing is O(1). */
#ifndef SPARROW_LEDGER_IDMAP_H
#define SPARROW_LEDGER_IDMAP_H

#include <stddef.h>
#include <stdint.h>

typedef struct sp__idmap {
  uint64_t *keys;
  uint32_t *values;
  uint32_t *gens; /* a slot is occupied when gens[i] == gen */
  uint32_t gen;
  size_t cap; /* power of two */
  size_t count;
} sp__idmap;

int sp__idmap_init(sp__idmap *m, size_t expected);
void sp__idmap_free(sp__idmap *m);
void sp__idmap_clear(sp__idmap *m);
/* Makes room for `expected` keys without further growth. */
int sp__idmap_reserve(sp__idmap *m, size_t expected);
/* Returns 1 and sets *value when found, else 0. */
int sp__idmap_get(const sp__idmap *m, uint64_t key, uint32_t *value);
/* Inserts or replaces; grows when needed (SP_ENOMEM on failure). */
int sp__idmap_put(sp__idmap *m, uint64_t key, uint32_t value);

#endif
