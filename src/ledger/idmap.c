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
  m->slots = calloc(cap, sizeof *m->slots);
  m->gen = 1;
  m->cap = cap;
  m->count = 0;
  if (m->slots == NULL) {
    sp__idmap_free(m);
    return SP_ENOMEM;
  }
  return SP_OK;
}

void sp__idmap_free(sp__idmap *m) {
  free(m->slots);
  memset(m, 0, sizeof *m);
}

void sp__idmap_clear(sp__idmap *m) {
  if (m->count == 0)
    return;
  if (++m->gen == 0) { /* wrapped: start the generations again */
    for (size_t i = 0; i < m->cap; i++)
      m->slots[i].gen = 0;
    m->gen = 1;
  }
  m->count = 0;
}

int sp__idmap_get(const sp__idmap *m, uint64_t key, uint32_t *value) {
  assert(key != 0);
  for (size_t i = slot_of(key, m->cap);; i = (i + 1) & (m->cap - 1)) {
    const sp__idmap_slot *s = &m->slots[i];
    if (s->gen != m->gen)
      return 0;
    if (s->key == key) {
      *value = s->value;
      return 1;
    }
  }
}

static void insert(sp__idmap_slot *slots, uint32_t gen, size_t cap,
                   uint64_t key, uint32_t value, size_t *count) {
  size_t i = slot_of(key, cap);
  while (slots[i].gen == gen && slots[i].key != key)
    i = (i + 1) & (cap - 1);
  if (slots[i].gen != gen)
    (*count)++;
  slots[i] = (sp__idmap_slot){key, value, gen};
}

static int rehash(sp__idmap *m, size_t cap) {
  size_t count = 0;
  sp__idmap_slot *slots = calloc(cap, sizeof *slots);
  if (slots == NULL)
    return SP_ENOMEM;
  for (size_t i = 0; i < m->cap; i++)
    if (m->slots[i].gen == m->gen)
      insert(slots, 1, cap, m->slots[i].key, m->slots[i].value, &count);
  assert(count == m->count);
  free(m->slots);
  m->slots = slots;
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
  insert(m->slots, m->gen, m->cap, key, value, &m->count);
  return SP_OK;
}
