/* Chunk rows: the cache of chunks a transaction changed, and the stored
 * forms of balance and slot chunks and of an account definition (see
 * chunks.h). The cache grows when a
 * transaction touches more chunks than any before it, and is reused. */
#include "store/chunks.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "sparrow/error.h"

int sp__chunks_init(sp__chunk_cache *c, size_t item_size) {
  assert(item_size >= sizeof(uint64_t));
  memset(c, 0, sizeof *c);
  c->item_size = item_size;
  return sp__idmap_init(&c->index, 256);
}

void sp__chunks_free(sp__chunk_cache *c) {
  free(c->items);
  sp__idmap_free(&c->index);
  memset(c, 0, sizeof *c);
}

void sp__chunks_clear(sp__chunk_cache *c) {
  c->n = 0;
  sp__idmap_clear(&c->index);
}

void *sp__chunks_at(sp__chunk_cache *c, size_t i) {
  assert(i < c->n);
  return c->items + i * c->item_size;
}

void *sp__chunks_find(sp__chunk_cache *c, uint64_t no) {
  uint32_t at;
  if (c->n == 0 || !sp__idmap_get(&c->index, no + 1, &at))
    return NULL;
  void *k = sp__chunks_at(c, at);
  assert(*(const uint64_t *)k == no);
  return k;
}

void *sp__chunks_add(sp__chunk_cache *c, uint64_t no) {
  assert(sp__chunks_find(c, no) == NULL);
  if (c->n == c->cap) {
    if (c->cap >= UINT32_MAX / 2)
      return NULL;
    size_t cap = c->cap ? c->cap * 2 : 16;
    unsigned char *items = realloc(c->items, cap * c->item_size);
    if (items == NULL)
      return NULL;
    c->items = items;
    c->cap = cap;
  }
  if (sp__idmap_put(&c->index, no + 1, (uint32_t)c->n) != SP_OK)
    return NULL;
  void *k = c->items + c->n++ * c->item_size;
  memset(k, 0, c->item_size);
  *(uint64_t *)k = no;
  return k;
}

void sp__chunk_encode(const sp__chunk *k, uint8_t out[SP__CHUNK_BYTES]) {
  const int64_t *v = &k->sums[0][0];
  for (size_t i = 0; i < SP__CHUNK_SLOTS * 4; i++) {
    uint64_t u = (uint64_t)v[i];
    for (size_t b = 0; b < 8; b++)
      out[8 * i + b] = (uint8_t)(u >> (8 * b));
  }
}

int sp__chunk_decode(const void *data, size_t size, uint64_t no,
                     sp__chunk *out) {
  if (size != SP__CHUNK_BYTES)
    return SP_ESTORE;
  const uint8_t *in = data;
  int64_t *v = &out->sums[0][0];
  out->no = no;
  for (size_t i = 0; i < SP__CHUNK_SLOTS * 4; i++) {
    uint64_t u = 0;
    for (size_t b = 0; b < 8; b++)
      u |= (uint64_t)in[8 * i + b] << (8 * b);
    v[i] = (int64_t)u;
  }
  return SP_OK;
}

void sp__chunk_get(const sp__chunk *k, size_t slot, sp_account *a) {
  assert(slot < SP__CHUNK_SLOTS);
  a->debits_posted_fen = k->sums[slot][0];
  a->credits_posted_fen = k->sums[slot][1];
  a->debits_pending_fen = k->sums[slot][2];
  a->credits_pending_fen = k->sums[slot][3];
}

void sp__chunk_set(sp__chunk *k, size_t slot, const sp_account *a) {
  assert(slot < SP__CHUNK_SLOTS);
  k->sums[slot][0] = a->debits_posted_fen;
  k->sums[slot][1] = a->credits_posted_fen;
  k->sums[slot][2] = a->debits_pending_fen;
  k->sums[slot][3] = a->credits_pending_fen;
}

size_t sp__states_encode(const sp__states *k, uint8_t *out) {
  uint8_t *p = out;
  for (size_t i = 0; i < SP__CHUNK_SLOTS; i++) {
    assert(k->len[i] <= SP_STORE_STATE_MAX);
    *p++ = k->len[i];
    memcpy(p, k->data[i], k->len[i]);
    p += k->len[i];
  }
  assert((size_t)(p - out) <= SP__STATES_BYTES_MAX);
  return (size_t)(p - out);
}

int sp__states_decode(const void *data, size_t size, uint64_t no,
                      sp__states *out) {
  const uint8_t *p = data, *end = p + size;
  out->no = no;
  for (size_t i = 0; i < SP__CHUNK_SLOTS; i++) {
    if (p == end || *p > SP_STORE_STATE_MAX || end - p - 1 < *p)
      return SP_ESTORE;
    out->len[i] = *p++;
    memcpy(out->data[i], p, out->len[i]);
    p += out->len[i];
  }
  return p == end ? SP_OK : SP_ESTORE;
}

static uint8_t *put_u(uint8_t *p, uint64_t v) {
  while (v >= 0x80) {
    *p++ = (uint8_t)(v | 0x80);
    v >>= 7;
  }
  *p++ = (uint8_t)v;
  return p;
}

static uint64_t get_u(const uint8_t **p, const uint8_t *end, int *bad) {
  uint64_t v = 0;
  for (int shift = 0; shift < 64 && *p < end; shift += 7) {
    uint8_t b = *(*p)++;
    v |= (uint64_t)(b & 0x7f) << shift;
    if (!(b & 0x80))
      return v;
  }
  *bad = 1;
  return 0;
}

size_t sp__def_encode(const sp_account *a, uint8_t out[SP__DEF_MAX]) {
  size_t name_len = strnlen(a->name, SP_ACCOUNT_NAME_MAX);
  uint8_t *p = out;
  p = put_u(p, a->owner_id);
  p = put_u(p, a->ledger);
  p = put_u(p, a->kind);
  p = put_u(p, a->flags);
  *p++ = (uint8_t)name_len;
  memcpy(p, a->name, name_len);
  p += name_len;
  assert((size_t)(p - out) <= SP__DEF_MAX);
  return (size_t)(p - out);
}

int sp__def_decode(const uint8_t *data, size_t size, uint64_t id,
                   sp_account *a) {
  const uint8_t *p = data, *end = data + size;
  int bad = 0;
  a->id = id;
  a->owner_id = get_u(&p, end, &bad);
  uint64_t ledger = get_u(&p, end, &bad);
  uint64_t kind = get_u(&p, end, &bad);
  uint64_t flags = get_u(&p, end, &bad);
  if (bad || p == end || ledger > UINT32_MAX || kind > UINT16_MAX ||
      flags > UINT16_MAX)
    return SP_ESTORE;
  size_t name_len = *p++;
  if (name_len > SP_ACCOUNT_NAME_MAX || (size_t)(end - p) != name_len ||
      memchr(p, '\0', name_len) != NULL)
    return SP_ESTORE;
  a->ledger = (uint32_t)ledger;
  a->kind = (uint16_t)kind;
  a->flags = (uint16_t)flags;
  memcpy(a->name, p, name_len);
  a->name[name_len] = '\0';
  return SP_OK;
}
