/* The ledger invariant, recomputed from the store alone:
 *  - every account's four sums equal the sums of the transfers that touch
 *    it (a pending transfer counts as pending while open; a post counts as
 *    posted; a void counts for nothing);
 *  - the sum of all debits equals the sum of all credits;
 *  - every balance constraint holds;
 *  - every transfer names existing accounts of its ledger and a positive
 *    amount. */
#include <stdlib.h>
#include <string.h>

#include "ledger/idmap.h"
#include "sparrow/ledger.h"
#include "sparrow/money.h"
#include "sparrow/store.h"

typedef struct sums {
  sp_i128 dp, cp, dq, cq; /* debits/credits posted, pending */
} sums;

typedef struct verify_ctx {
  sp__idmap index;
  sp_account *accounts;
  sums *computed;
  size_t n, cap;
  sp_ledger_totals totals;
  sp_error *err;
  int failed;
} verify_ctx;

static int collect(void *p, const sp_account *a) {
  verify_ctx *v = p;
  if (v->n == v->cap) {
    size_t cap = v->cap ? v->cap * 2 : 1024;
    sp_account *na = realloc(v->accounts, cap * sizeof *na);
    if (na == NULL)
      return SP_ENOMEM;
    v->accounts = na;
    sums *nc = realloc(v->computed, cap * sizeof *nc);
    if (nc == NULL)
      return SP_ENOMEM;
    v->computed = nc;
    v->cap = cap;
  }
  v->accounts[v->n] = *a;
  memset(&v->computed[v->n], 0, sizeof(sums));
  if (sp__idmap_put(&v->index, a->id, (uint32_t)v->n) != SP_OK)
    return SP_ENOMEM;
  v->n++;
  return SP_OK;
}

static int tally(void *p, const sp_transfer *t) {
  verify_ctx *v = p;
  uint32_t d, c;
  v->totals.transfers++;
  if (!sp__idmap_get(&v->index, t->debit_account_id, &d) ||
      !sp__idmap_get(&v->index, t->credit_account_id, &c) ||
      t->amount_fen <= 0 || v->accounts[d].ledger != t->ledger ||
      v->accounts[c].ledger != t->ledger || d == c) {
    v->failed = 1;
    return sp_error_set(v->err, SP_ESTATE, "transfers",
                        "transfer %llu is malformed (accounts, ledger or "
                        "amount)",
                        (unsigned long long)t->id);
  }
  if (t->flags & SP_TRANSFER_VOID_PENDING)
    return SP_OK;
  if (t->flags & SP_TRANSFER_PENDING)
    return SP_OK; /* counted from the pending state below */
  v->computed[d].dp += t->amount_fen;
  v->computed[c].cp += t->amount_fen;
  return SP_OK;
}

/* Open pending transfers count in pending sums: a second scan that reads
 * each pending transfer's state. */
typedef struct pending_ctx {
  verify_ctx *v;
  sp_store *store;
} pending_ctx;

static int tally_pending(void *p, const sp_transfer *t) {
  pending_ctx *pc = p;
  if (!(t->flags & SP_TRANSFER_PENDING))
    return SP_OK;
  sp_transfer same;
  int state = 0;
  int rc =
      pc->store->ops->transfer_get(pc->store, t->id, &same, &state, pc->v->err);
  if (rc != SP_OK)
    return rc;
  if (state == SP_PENDING_OPEN) {
    uint32_t d, c;
    sp__idmap_get(&pc->v->index, t->debit_account_id, &d);
    sp__idmap_get(&pc->v->index, t->credit_account_id, &c);
    pc->v->computed[d].dq += t->amount_fen;
    pc->v->computed[c].cq += t->amount_fen;
  }
  return SP_OK;
}

static int compare(verify_ctx *v) {
  sp_i128 dp = 0, cp = 0, dq = 0, cq = 0;
  for (size_t i = 0; i < v->n; i++) {
    const sp_account *a = &v->accounts[i];
    const sums *s = &v->computed[i];
    if (s->dp != a->debits_posted_fen || s->cp != a->credits_posted_fen ||
        s->dq != a->debits_pending_fen || s->cq != a->credits_pending_fen)
      return sp_error_set(v->err, SP_ESTATE, "accounts",
                          "account %llu '%s': stored sums differ from its "
                          "transfers",
                          (unsigned long long)a->id, a->name);
    if (((a->flags & SP_ACCOUNT_DEBITS_MUST_NOT_EXCEED_CREDITS) &&
         s->dp + s->dq > s->cp) ||
        ((a->flags & SP_ACCOUNT_CREDITS_MUST_NOT_EXCEED_DEBITS) &&
         s->cp + s->cq > s->dp))
      return sp_error_set(v->err, SP_ESTATE, "accounts",
                          "account %llu '%s' breaks its balance constraint",
                          (unsigned long long)a->id, a->name);
    dp += s->dp;
    cp += s->cp;
    dq += s->dq;
    cq += s->cq;
  }
  if (dp != cp || dq != cq)
    return sp_error_set(v->err, SP_ESTATE, "ledger",
                        "debits and credits differ");
  v->totals.accounts = v->n;
  v->totals.debits_posted_fen = (int64_t)dp;
  v->totals.credits_posted_fen = (int64_t)cp;
  v->totals.debits_pending_fen = (int64_t)dq;
  v->totals.credits_pending_fen = (int64_t)cq;
  return SP_OK;
}

int sp_ledger_verify(sp_store *store, sp_ledger_totals *totals, sp_error *err) {
  verify_ctx v = {.err = err};
  int rc = sp__idmap_init(&v.index, 1024);
  if (rc == SP_OK)
    rc = store->ops->account_scan(store, collect, &v, err);
  if (rc == SP_ENOMEM)
    sp_error_set(err, rc, "ledger", "out of memory");
  if (rc == SP_OK)
    rc = store->ops->transfer_scan(store, tally, &v, err);
  pending_ctx pc = {.v = &v, .store = store};
  if (rc == SP_OK)
    rc = store->ops->transfer_scan(store, tally_pending, &pc, err);
  if (rc == SP_OK)
    rc = compare(&v);
  if (rc == SP_OK && totals != NULL)
    *totals = v.totals;
  sp__idmap_free(&v.index);
  free(v.accounts);
  free(v.computed);
  return rc;
}
