/* Open-addressing id map; see idmap.h. */
#include "ledger/idmap.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "sparrow/error.h"

static size_t slot_of(uint64_t key, size_t cap) {
  /* Fibonacci hashing spreads sequential ids across the table. */
  return (size_t)((key * UINT64_C(11400714819323198485)) >> 32) & (cap - 1);
}

int sp__idmap_init(sp__idmap *m, size_t expected) {
  size_t cap = 64;
  while (cap < expected * 2)
    cap *= 2;
  m->keys = malloc(cap * sizeof *m->keys);
  m->values = malloc(cap * sizeof *m->values);
  m->gens = calloc(cap, sizeof *m->gens);
  m->gen = 1;
  m->cap = cap;
  m->count = 0;
  if (m->keys == NULL || m->values == NULL || m->gens == NULL) {
    sp__idmap_free(m);
    return SP_ENOMEM;
  }
  return SP_OK;
}

void sp__idmap_free(sp__idmap *m) {
  free(m->keys);
  free(m->values);
  free(m->gens);
  memset(m, 0, sizeof *m);
}

void sp__idmap_clear(sp__idmap *m) {
  if (m->count == 0)
    return;
  if (++m->gen == 0) { /* wrapped: start the generations again */
    memset(m->gens, 0, m->cap * sizeof *m->gens);
    m->gen = 1;
  }
  m->count = 0;
}

int sp__idmap_get(const sp__idmap *m, uint64_t key, uint32_t *value) {
  assert(key != 0);
  for (size_t i = slot_of(key, m->cap);; i = (i + 1) & (m->cap - 1)) {
    if (m->gens[i] != m->gen)
      return 0;
    if (m->keys[i] == key) {
      *value = m->values[i];
      return 1;
    }
  }
}

static void insert(uint64_t *keys, uint32_t *values, uint32_t *gens,
                   uint32_t gen, size_t cap, uint64_t key, uint32_t value,
                   size_t *count) {
  size_t i = slot_of(key, cap);
  while (gens[i] == gen && keys[i] != key)
    i = (i + 1) & (cap - 1);
  if (gens[i] != gen)
    (*count)++;
  gens[i] = gen;
  keys[i] = key;
  values[i] = value;
}

static int rehash(sp__idmap *m, size_t cap) {
  size_t count = 0;
  uint64_t *keys = malloc(cap * sizeof *keys);
  uint32_t *values = malloc(cap * sizeof *values);
  uint32_t *gens = calloc(cap, sizeof *gens);
  if (keys == NULL || values == NULL || gens == NULL) {
    free(keys);
    free(values);
    free(gens);
    return SP_ENOMEM;
  }
  for (size_t i = 0; i < m->cap; i++)
    if (m->gens[i] == m->gen)
      insert(keys, values, gens, 1, cap, m->keys[i], m->values[i], &count);
  assert(count == m->count);
  free(m->keys);
  free(m->values);
  free(m->gens);
  m->keys = keys;
  m->values = values;
  m->gens = gens;
  m->gen = 1;
  m->cap = cap;
  return SP_OK;
}

int sp__idmap_reserve(sp__idmap *m, size_t expected) {
  size_t cap = m->cap;
  while (cap < expected * 2)
    cap *= 2;
  return cap == m->cap ? SP_OK : rehash(m, cap);
}

int sp__idmap_put(sp__idmap *m, uint64_t key, uint32_t value) {
  assert(key != 0);
  if ((m->count + 1) * 2 > m->cap && rehash(m, m->cap * 2) != SP_OK)
    return SP_ENOMEM;
  insert(m->keys, m->values, m->gens, m->gen, m->cap, key, value, &m->count);
  return SP_OK;
}
