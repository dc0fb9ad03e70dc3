/* The ledger in memory: the account cache, the window of uncommitted
 * transfers, undo of a failed submit, and commit to the store.
 *
 * Memory is allocated when the ledger opens (window, undo log) and when
 * the account cache grows; applying a transfer allocates nothing unless a
 * new account enters the cache. */
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ledger/ledger_int.h"

#define UNDO_MAX (2 * SP_LEDGER_SUBMIT_MAX)
#define DIRTY_MAX (2 * SP_LEDGER_WINDOW_MAX)

int sp_ledger_open(sp_store *store, sp_ledger **out, sp_error *err) {
  assert(store != NULL && out != NULL);
  sp_ledger *l = calloc(1, sizeof *l);
  if (l == NULL)
    return sp_error_set(err, SP_ENOMEM, "ledger", "out of memory");
  l->store = store;
  l->window = 1;
  l->cap_entries = 1024;
  l->entries = malloc(l->cap_entries * sizeof *l->entries);
  l->wtransfers = malloc(SP_LEDGER_WINDOW_MAX * sizeof *l->wtransfers);
  l->wstates = malloc(SP_LEDGER_WINDOW_MAX * sizeof *l->wstates);
  l->dirty = malloc(DIRTY_MAX * sizeof *l->dirty);
  l->undo = malloc(UNDO_MAX * sizeof *l->undo);
  int rc = SP_OK;
  if (l->entries == NULL || l->wtransfers == NULL || l->wstates == NULL ||
      l->dirty == NULL || l->undo == NULL ||
      sp__idmap_init(&l->account_index, 1024) != SP_OK ||
      sp__idmap_init(&l->window_index, SP_LEDGER_WINDOW_MAX) != SP_OK)
    rc = sp_error_set(err, SP_ENOMEM, "ledger", "out of memory");
  if (rc == SP_OK)
    rc = store->ops->transfer_id_max(store, &l->id_max_committed, err);
  if (rc != SP_OK) {
    sp_ledger_close(l);
    return rc;
  }
  l->id_max = l->id_max_committed;
  *out = l;
  return SP_OK;
}

void sp_ledger_close(sp_ledger *l) {
  if (l == NULL)
    return;
  sp__idmap_free(&l->account_index);
  sp__idmap_free(&l->window_index);
  free(l->entries);
  free(l->wtransfers);
  free(l->wstates);
  free(l->dirty);
  free(l->undo);
  free(l);
}

static int entry_add(sp_ledger *l, const sp_account *a, uint32_t *out) {
  if (l->n_entries == l->cap_entries) {
    if (l->cap_entries >= UINT32_MAX / 2)
      return SP_EFULL;
    size_t cap = l->cap_entries * 2;
    sp__entry *e = realloc(l->entries, cap * sizeof *e);
    if (e == NULL)
      return SP_ENOMEM;
    l->entries = e;
    l->cap_entries = cap;
  }
  uint32_t i = (uint32_t)l->n_entries;
  if (sp__idmap_put(&l->account_index, a->id, i) != SP_OK)
    return SP_ENOMEM;
  l->entries[i] = (sp__entry){.account = *a};
  l->n_entries++;
  *out = i;
  return SP_OK;
}

int sp__ledger_entry(sp_ledger *l, uint64_t id, uint32_t *out, sp_error *err) {
  if (id == 0)
    return SP_ENOTFOUND;
  if (sp__idmap_get(&l->account_index, id, out))
    return SP_OK;
  sp_account a;
  int rc = l->store->ops->account_get(l->store, id, &a, err);
  if (rc != SP_OK)
    return rc;
  rc = entry_add(l, &a, out);
  if (rc != SP_OK)
    return sp_error_set(err, rc, "ledger", "account cache: %s",
                        sp_strerror(rc));
  l->entries[*out].stored = 1;
  return SP_OK;
}

static int preload_one(void *ctx, const sp_account *a) {
  sp_ledger *l = ctx;
  uint32_t i;
  if (sp__idmap_get(&l->account_index, a->id, &i))
    return SP_OK; /* the cached copy is as new or newer */
  int rc = entry_add(l, a, &i);
  if (rc == SP_OK)
    l->entries[i].stored = 1;
  return rc;
}

int sp_ledger_reserve(sp_ledger *l, size_t n, sp_error *err) {
  if (n > UINT32_MAX / 2)
    return sp_error_set(err, SP_EFULL, "ledger", "account cache: too many");
  if (n > l->cap_entries) {
    sp__entry *e = realloc(l->entries, n * sizeof *e);
    if (e == NULL)
      return sp_error_set(err, SP_ENOMEM, "ledger", "out of memory");
    l->entries = e;
    l->cap_entries = n;
  }
  if (sp__idmap_reserve(&l->account_index, n) != SP_OK)
    return sp_error_set(err, SP_ENOMEM, "ledger", "out of memory");
  return SP_OK;
}

int sp_ledger_preload(sp_ledger *l, sp_error *err) {
  return sp_ledger_preload_range(l, 1, (uint64_t)INT64_MAX, err);
}

int sp_ledger_preload_range(sp_ledger *l, uint64_t first, uint64_t end,
                            sp_error *err) {
  return sp_ledger_preload_range_from(l, l->store, first, end, err);
}

int sp_ledger_preload_range_from(sp_ledger *l, sp_store *from, uint64_t first,
                                 uint64_t end, sp_error *err) {
  int rc = from->ops->account_scan_range(from, first, end, preload_one, l, err);
  if (rc == SP_ENOMEM || rc == SP_EFULL)
    return sp_error_set(err, rc, "ledger", "account cache: %s",
                        sp_strerror(rc));
  return rc;
}

int sp__ledger_touch(sp_ledger *l, uint32_t entry, sp_error *err) {
  sp__entry *e = &l->entries[entry];
  if (e->undo_submit != l->submit) {
    assert(l->n_undo < UNDO_MAX);
    l->undo[l->n_undo++] = (sp__undo){.entry = entry, .before = e->account};
    e->undo_submit = l->submit;
  }
  if (e->dirty_window != l->window) {
    if (l->n_dirty == DIRTY_MAX)
      return sp_error_set(err, SP_EFULL, "transfers",
                          "too many accounts touched before commit");
    l->dirty[l->n_dirty++] = entry;
    e->dirty_window = l->window;
  }
  return SP_OK;
}

static int account_same(const sp_account *a, const sp_account *b) {
  return a->owner_id == b->owner_id && a->ledger == b->ledger &&
         a->kind == b->kind && a->flags == b->flags &&
         strcmp(a->name, b->name) == 0;
}

int sp_ledger_create_accounts(sp_ledger *l, const sp_account *accounts,
                              size_t n, sp_error *err) {
  for (size_t i = 0; i < n; i++) {
    const sp_account *a = &accounts[i];
    if (a->id == 0 || a->id > INT64_MAX || a->kind < SP_ACCOUNT_ASSET ||
        a->kind > SP_ACCOUNT_EXPENSE || a->ledger == 0 ||
        (a->flags & ~3u) != 0 || a->debits_posted_fen ||
        a->credits_posted_fen || a->debits_pending_fen ||
        a->credits_pending_fen)
      return sp_error_set(err, SP_EINVAL, "accounts",
                          "accounts[%zu]: invalid definition", i);
    uint32_t e;
    int rc = sp__ledger_entry(l, a->id, &e, err);
    if (rc == SP_OK && !account_same(&l->entries[e].account, a))
      return sp_error_set(err, SP_EEXISTS, "accounts",
                          "accounts[%zu]: id %llu exists with another "
                          "definition",
                          i, (unsigned long long)a->id);
    if (rc != SP_OK && rc != SP_ENOTFOUND)
      return rc;
  }
  /* Checked: now add (a new account is dirty so that commit writes it).
   * New accounts need no before-image: a failure here discards the whole
   * window, as the call must leave nothing behind. */
  l->submit++;
  for (size_t i = 0; i < n; i++) {
    uint32_t e;
    if (sp__idmap_get(&l->account_index, accounts[i].id, &e))
      continue;
    int rc = entry_add(l, &accounts[i], &e);
    if (rc == SP_OK) {
      l->entries[e].undo_submit = l->submit; /* no undo entry */
      rc = sp__ledger_touch(l, e, err);
    }
    if (rc != SP_OK) {
      sp_ledger_discard(l);
      return sp_error_set(err, rc, "accounts", "accounts: %s", sp_strerror(rc));
    }
  }
  l->n_undo = 0;
  return SP_OK;
}

static void undo_submit(sp_ledger *l, size_t n_wtransfers, size_t n_wstates) {
  while (l->n_undo > 0) {
    sp__undo *u = &l->undo[--l->n_undo];
    l->entries[u->entry].account = u->before;
  }
  /* Window transfers of this submit are forgotten; their ids leave the map
   * by rebuilding it (a failed submit is rare; this keeps apply simple). */
  if (l->n_wtransfers != n_wtransfers || l->n_wstates != n_wstates) {
    /* Pending states changed by this submit inside the window roll back. */
    l->n_wtransfers = n_wtransfers;
    l->n_wstates = n_wstates;
    sp__idmap_clear(&l->window_index);
    for (size_t i = 0; i < n_wtransfers; i++)
      sp__idmap_put(&l->window_index, l->wtransfers[i].transfer.id,
                    (uint32_t)i);
    for (size_t k = 0; k < n_wstates; k++)
      sp__idmap_put(&l->window_index, l->wstates[k].pending.id,
                    (uint32_t)SP__WSTATE(k));
  }
}

int sp_ledger_submit(sp_ledger *l, const sp_transfer *transfers, size_t n,
                     int *status, sp_error *err) {
  if (n > SP_LEDGER_SUBMIT_MAX)
    return sp_error_set(err, SP_ELIMIT, "transfers",
                        "at most %d transfers per call", SP_LEDGER_SUBMIT_MAX);
  if (l->n_wtransfers + n > SP_LEDGER_WINDOW_MAX)
    return sp_error_set(err, SP_EFULL, "transfers",
                        "commit before submitting more");
  size_t n_wtransfers = l->n_wtransfers, n_wstates = l->n_wstates;
  /* Pending states of window transfers may change: keep their before. */
  int saved_states[SP_LEDGER_SUBMIT_MAX];
  uint32_t saved_at[SP_LEDGER_SUBMIT_MAX];
  size_t n_saved = 0;
  uint64_t id_max = l->id_max;
  l->submit++;
  l->n_undo = 0;
  for (size_t i = 0; i < n; i++) {
    const sp_transfer *t = &transfers[i];
    uint32_t w;
    if ((t->flags & (SP_TRANSFER_POST_PENDING | SP_TRANSFER_VOID_PENDING)) &&
        t->pending_id != 0 &&
        sp__idmap_get(&l->window_index, t->pending_id, &w) && (int32_t)w >= 0 &&
        (int32_t)w < (int32_t)n_wtransfers) {
      saved_states[n_saved] = l->wtransfers[w].state;
      saved_at[n_saved++] = w;
    }
    int rc = sp__ledger_apply(l, t, status ? &status[i] : NULL, i, err);
    if (rc != SP_OK) {
      while (n_saved > 0) {
        n_saved--;
        l->wtransfers[saved_at[n_saved]].state = saved_states[n_saved];
      }
      undo_submit(l, n_wtransfers, n_wstates);
      l->id_max = id_max;
      return rc;
    }
  }
  l->n_undo = 0;
  return SP_OK;
}

static int write_window(sp_ledger *l, sp_error *err) {
  sp_store *s = l->store;
  int rc = SP_OK;
  for (size_t i = 0; rc == SP_OK && i < l->n_wtransfers; i++)
    rc = s->ops->transfer_put(s, &l->wtransfers[i].transfer,
                              l->wtransfers[i].state, err);
  for (size_t k = 0; rc == SP_OK && k < l->n_wstates; k++)
    rc = s->ops->transfer_set_state(s, l->wstates[k].pending.id,
                                    l->wstates[k].state, err);
  for (size_t d = 0; rc == SP_OK && d < l->n_dirty; d++) {
    const sp__entry *e = &l->entries[l->dirty[d]];
    rc = e->stored ? s->ops->account_update(s, &e->account, err)
                   : s->ops->account_put(s, &e->account, err);
  }
  return rc;
}

static void window_reset(sp_ledger *l) {
  l->n_wtransfers = 0;
  l->n_wstates = 0;
  l->n_dirty = 0;
  l->window++;
  sp__idmap_clear(&l->window_index);
}

int sp_ledger_commit(sp_ledger *l, sp_ledger_also_fn also, void *ctx,
                     sp_error *err) {
  sp_store *s = l->store;
  int rc = s->ops->begin(s, err);
  if (rc == SP_OK)
    rc = write_window(l, err);
  if (rc == SP_OK && also != NULL)
    rc = also(ctx, s, err);
  if (rc == SP_OK)
    rc = s->ops->commit(s, err);
  if (rc != SP_OK) {
    s->ops->rollback(s);
    sp_ledger_discard(l);
    return rc;
  }
  l->id_max_committed = l->id_max;
  for (size_t d = 0; d < l->n_dirty; d++)
    l->entries[l->dirty[d]].stored = 1;
  window_reset(l);
  return SP_OK;
}

void sp_ledger_discard(sp_ledger *l) {
  /* Forget every cached account: they reload from the store on use. */
  sp__idmap_clear(&l->account_index);
  l->n_entries = 0;
  l->id_max = l->id_max_committed;
  window_reset(l);
}

int sp_ledger_account(sp_ledger *l, uint64_t id, sp_account *out,
                      sp_error *err) {
  uint32_t e;
  int rc = sp__ledger_entry(l, id, &e, err);
  if (rc == SP_ENOTFOUND)
    return sp_error_set(err, rc, "account", "no account %llu",
                        (unsigned long long)id);
  if (rc == SP_OK)
    *out = l->entries[e].account;
  return rc;
}

int sp_ledger_transfer(sp_ledger *l, uint64_t id, sp_transfer *out,
                       sp_error *err) {
  uint32_t w;
  if (id != 0 && sp__idmap_get(&l->window_index, id, &w) && (int32_t)w >= 0) {
    *out = l->wtransfers[w].transfer;
    return SP_OK;
  }
  int rc = id == 0 ? SP_ENOTFOUND
                   : l->store->ops->transfer_get(l->store, id, out, NULL, err);
  if (rc == SP_ENOTFOUND)
    return sp_error_set(err, rc, "transfer", "no transfer %llu",
                        (unsigned long long)id);
  return rc;
}

uint64_t sp_ledger_next_id(const sp_ledger *l) { return l->id_max + 1; }

int64_t sp_account_balance_fen(const sp_account *a) {
  if (a->kind == SP_ACCOUNT_ASSET || a->kind == SP_ACCOUNT_EXPENSE)
    return a->debits_posted_fen - a->credits_posted_fen;
  return a->credits_posted_fen - a->debits_posted_fen;
}
