/* Alert list: alerts with their accounts and items in shared pools, a
 * hard cap on the count, a deterministic sort, and the public read-back.
 *
 * Order: pattern (enum order), then first time, then the first account's
 * name, then the first item, then the number of items. Detectors are
 * deterministic, so equal keys (rare) keep detector order: the sort is a
 * stable merge done by qsort_r on (key, insertion index). */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "aml/aml_int.h"

int sp__aml_alerts_init(sp_aml_alerts *a, uint32_t max) {
  memset(a, 0, sizeof *a);
  a->max = max;
  return SP_OK;
}

static int pool_grow(void **p, size_t sz, size_t *cap, size_t need) {
  if (need <= *cap)
    return SP_OK;
  size_t c = *cap ? *cap : 256;
  while (c < need)
    c *= 2;
  void *q = realloc(*p, c * sz);
  if (q == NULL)
    return SP_ENOMEM;
  *p = q;
  *cap = c;
  return SP_OK;
}

int sp__aml_alert_add(sp_aml_alerts *a, const sp__aml_alert *al,
                      const uint32_t *accounts, const int64_t *account_fen,
                      uint32_t n_acc, const uint32_t *items, uint32_t n_items) {
  assert(al->pattern < SP_AML_PATTERN_COUNT && al->score <= 100);
  if (a->n >= a->max)
    return SP_EFULL;
  if (a->n == a->cap) {
    size_t cap = a->cap;
    if (pool_grow((void **)&a->list, sizeof *a->list, &cap, a->n + 1u))
      return SP_ENOMEM;
    a->cap = (uint32_t)cap;
  }
  size_t cap_acc = a->cap_acc;
  if (pool_grow((void **)&a->acc, sizeof *a->acc, &cap_acc, a->n_acc + n_acc))
    return SP_ENOMEM;
  size_t cap_fen = a->cap_acc;
  if (pool_grow((void **)&a->acc_fen, sizeof *a->acc_fen, &cap_fen,
                a->n_acc + n_acc))
    return SP_ENOMEM;
  a->cap_acc = cap_acc < cap_fen ? cap_acc : cap_fen;
  if (pool_grow((void **)&a->items, sizeof *a->items, &a->cap_items,
                a->n_items + n_items))
    return SP_ENOMEM;
  sp__aml_alert *dst = &a->list[a->n++];
  *dst = *al;
  dst->acc_off = (uint32_t)a->n_acc;
  dst->n_acc = n_acc;
  dst->item_off = (uint32_t)a->n_items;
  dst->n_items = n_items;
  dst->has_account_fen = account_fen != NULL;
  memcpy(a->acc + a->n_acc, accounts, n_acc * sizeof *accounts);
  for (uint32_t i = 0; i < n_acc; i++)
    a->acc_fen[a->n_acc + i] = account_fen ? account_fen[i] : 0;
  memcpy(a->items + a->n_items, items, n_items * sizeof *items);
  a->n_acc += n_acc;
  a->n_items += n_items;
  return SP_OK;
}

typedef struct sort_ctx {
  const sp_aml_alerts *a;
  const sp_aml_data *d;
} sort_ctx;

static int cmp_alert(const void *x, const void *y, void *arg) {
  const sort_ctx *c = arg;
  uint32_t i = *(const uint32_t *)x, j = *(const uint32_t *)y;
  const sp__aml_alert *p = &c->a->list[i], *q = &c->a->list[j];
  if (p->pattern != q->pattern)
    return p->pattern < q->pattern ? -1 : 1;
  if (p->time_first != q->time_first)
    return p->time_first < q->time_first ? -1 : 1;
  if (p->n_acc > 0 && q->n_acc > 0) {
    int s = strcmp(sp_aml_data_account_name(c->d, c->a->acc[p->acc_off]),
                   sp_aml_data_account_name(c->d, c->a->acc[q->acc_off]));
    if (s != 0)
      return s;
  }
  if (p->n_items > 0 && q->n_items > 0 &&
      c->a->items[p->item_off] != c->a->items[q->item_off])
    return c->a->items[p->item_off] < c->a->items[q->item_off] ? -1 : 1;
  if (p->n_items != q->n_items)
    return p->n_items < q->n_items ? -1 : 1;
  return i < j ? -1 : (i > j);
}

void sp__aml_alerts_sort(sp_aml_alerts *a, const sp_aml_data *d) {
  if (a->n < 2)
    return;
  uint32_t *perm = malloc(a->n * sizeof *perm);
  sp__aml_alert *sorted = malloc(a->n * sizeof *sorted);
  if (perm == NULL || sorted == NULL) { /* leave detector order */
    free(perm);
    free(sorted);
    return;
  }
  for (uint32_t i = 0; i < a->n; i++)
    perm[i] = i;
  sort_ctx c = {a, d};
  qsort_r(perm, a->n, sizeof *perm, cmp_alert, &c);
  for (uint32_t i = 0; i < a->n; i++)
    sorted[i] = a->list[perm[i]];
  memcpy(a->list, sorted, a->n * sizeof *sorted);
  free(perm);
  free(sorted);
}

size_t sp_aml_alerts_count(const sp_aml_alerts *a) { return a ? a->n : 0; }

uint64_t sp_aml_alerts_truncated(const sp_aml_alerts *a) {
  return a ? a->truncated : 0;
}

void sp_aml_alerts_get(const sp_aml_alerts *a, size_t i, sp_aml_alert *out) {
  assert(a != NULL && i < a->n && out != NULL);
  const sp__aml_alert *p = &a->list[i];
  out->pattern = (sp_aml_pattern)p->pattern;
  out->score = p->score;
  out->time_first = p->time_first;
  out->time_last = p->time_last;
  out->amount_fen = p->amount_fen;
  out->n_accounts = p->n_acc;
  out->n_items = p->n_items;
  out->accounts = a->acc + p->acc_off;
  out->items = a->items + p->item_off;
  out->account_fen = p->has_account_fen ? a->acc_fen + p->acc_off : NULL;
}

void sp_aml_alerts_free(sp_aml_alerts *a) {
  if (a == NULL)
    return;
  free(a->list);
  free(a->acc);
  free(a->acc_fen);
  free(a->items);
  free(a);
}
