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
  m->keys = calloc(cap, sizeof *m->keys);
  m->values = malloc(cap * sizeof *m->values);
  m->cap = cap;
  m->count = 0;
  if (m->keys == NULL || m->values == NULL) {
    sp__idmap_free(m);
    return SP_ENOMEM;
  }
  return SP_OK;
}

void sp__idmap_free(sp__idmap *m) {
  free(m->keys);
  free(m->values);
  memset(m, 0, sizeof *m);
}

void sp__idmap_clear(sp__idmap *m) {
  if (m->count > 0)
    memset(m->keys, 0, m->cap * sizeof *m->keys);
  m->count = 0;
}

int sp__idmap_get(const sp__idmap *m, uint64_t key, uint32_t *value) {
  assert(key != 0);
  for (size_t i = slot_of(key, m->cap);; i = (i + 1) & (m->cap - 1)) {
    if (m->keys[i] == key) {
      *value = m->values[i];
      return 1;
    }
    if (m->keys[i] == 0)
      return 0;
  }
}

static void insert(uint64_t *keys, uint32_t *values, size_t cap, uint64_t key,
                   uint32_t value, size_t *count) {
  size_t i = slot_of(key, cap);
  while (keys[i] != 0 && keys[i] != key)
    i = (i + 1) & (cap - 1);
  if (keys[i] == 0)
    (*count)++;
  keys[i] = key;
  values[i] = value;
}

static int grow(sp__idmap *m) {
  size_t cap = m->cap * 2, count = 0;
  uint64_t *keys = calloc(cap, sizeof *keys);
  uint32_t *values = malloc(cap * sizeof *values);
  if (keys == NULL || values == NULL) {
    free(keys);
    free(values);
    return SP_ENOMEM;
  }
  for (size_t i = 0; i < m->cap; i++)
    if (m->keys[i] != 0)
      insert(keys, values, cap, m->keys[i], m->values[i], &count);
  assert(count == m->count);
  free(m->keys);
  free(m->values);
  m->keys = keys;
  m->values = values;
  m->cap = cap;
  return SP_OK;
}

int sp__idmap_put(sp__idmap *m, uint64_t key, uint32_t value) {
  assert(key != 0);
  if ((m->count + 1) * 2 > m->cap && grow(m) != SP_OK)
    return SP_ENOMEM;
  insert(m->keys, m->values, m->cap, key, value, &m->count);
  return SP_OK;
}
