/* The rules of one transfer: validation, idempotency, two-phase pending
 * transfers, balance constraints and overflow, applied to the accounts in
 * memory. Every check happens before the first change, except the
 * balance constraints, which are checked after the change and undone by
 * the caller (sp_ledger_submit) when they fail. */
#include <assert.h>
#include <stdio.h>
#include <string.h>

#include "ledger/ledger_int.h"
#include "sparrow/money.h"

#define KIND_FLAGS                                                             \
  (SP_TRANSFER_PENDING | SP_TRANSFER_POST_PENDING | SP_TRANSFER_VOID_PENDING)

/* Is a (as submitted) the same as b (as stored)? A post or void may leave
 * accounts, ledger and (for post) amount 0, meaning "as the pending". */
static int same_payload(const sp_transfer *a, const sp_transfer *b) {
  int resolves =
      (a->flags & (SP_TRANSFER_POST_PENDING | SP_TRANSFER_VOID_PENDING)) != 0;
#define SAME(f) (a->f == b->f || (resolves && a->f == 0))
  return SAME(debit_account_id) && SAME(credit_account_id) &&
         SAME(amount_fen) && SAME(ledger) && a->pending_id == b->pending_id &&
         a->owner_id == b->owner_id && a->time == b->time &&
         a->code == b->code && a->flags == b->flags;
#undef SAME
}

/* Looks an id up in the window, then in the store (only at or below the
 * committed high-water mark: a larger id cannot be there). Returns SP_OK
 * when found (with its pending state and, for window transfers, *w). */
static int find(sp_ledger *l, uint64_t id, sp_transfer *out, int *state,
                int32_t *w, sp_error *err) {
  uint32_t v;
  *w = INT32_MIN;
  if (sp__idmap_get(&l->window_index, id, &v)) {
    int32_t k = (int32_t)v;
    if (k >= 0) {
      *out = l->wtransfers[k].transfer;
      *state = l->wtransfers[k].state;
    } else {
      *out = l->wstates[-k - 1].pending;
      *state = l->wstates[-k - 1].state;
    }
    *w = k;
    return SP_OK;
  }
  if (id > l->id_max_committed)
    return SP_ENOTFOUND;
  return l->store->ops->transfer_get(l->store, id, out, state, err);
}

static int check_shape(const sp_transfer *t, size_t where, sp_error *err) {
  unsigned kind = t->flags & KIND_FLAGS;
  if (t->id == 0 || t->id > INT64_MAX)
    return sp_error_set(err, SP_EINVAL, "id",
                        "transfers[%zu].id: must be 1..2^63-1", where);
  if ((t->flags & ~KIND_FLAGS) != 0 || (kind & (kind - 1)) != 0)
    return sp_error_set(err, SP_EINVAL, "flags",
                        "transfers[%zu].flags: invalid", where);
  int resolves =
      kind == SP_TRANSFER_POST_PENDING || kind == SP_TRANSFER_VOID_PENDING;
  if (resolves != (t->pending_id != 0))
    return sp_error_set(
        err, SP_EINVAL, "pending_id",
        "transfers[%zu].pending_id: required exactly for post and void", where);
  if (t->amount_fen < 0 || (t->amount_fen == 0 && !resolves))
    return sp_error_set(err, SP_EINVAL, "amount",
                        "transfers[%zu].amount: must be positive", where);
  if (!resolves && t->debit_account_id == t->credit_account_id)
    return sp_error_set(
        err, SP_EINVAL, "credit_account_id",
        "transfers[%zu]: debit and credit accounts are the same", where);
  return SP_OK;
}

static int constraint_ok(const sp_account *a) {
  sp_i128 dp = (sp_i128)a->debits_posted_fen, cp = a->credits_posted_fen;
  if ((a->flags & SP_ACCOUNT_DEBITS_MUST_NOT_EXCEED_CREDITS) &&
      dp + a->debits_pending_fen > cp)
    return 0;
  if ((a->flags & SP_ACCOUNT_CREDITS_MUST_NOT_EXCEED_DEBITS) &&
      cp + a->credits_pending_fen > dp)
    return 0;
  return 1;
}

/* Adds delta to *sum, refusing overflow. */
static int add(int64_t *sum, int64_t delta) {
  return __builtin_add_overflow(*sum, delta, sum) ? SP_EOVERFLOW : SP_OK;
}

/* Resolves a post/void against its pending transfer; sets the amount
 * to move and records the new state. */
static int resolve_pending(sp_ledger *l, const sp_transfer *t, sp_transfer *p,
                           int32_t *pw, int64_t *amount, size_t where,
                           sp_error *err) {
  int state = 0;
  int rc = find(l, t->pending_id, p, &state, pw, err);
  if (rc == SP_ENOTFOUND || (rc == SP_OK && !(p->flags & SP_TRANSFER_PENDING)))
    return sp_error_set(err, SP_ENOTFOUND, "pending_id",
                        "transfers[%zu].pending_id: no pending transfer %llu",
                        where, (unsigned long long)t->pending_id);
  if (rc != SP_OK)
    return rc;
  if (state != SP_PENDING_OPEN)
    return sp_error_set(
        err, SP_ESTATE, "pending_id",
        "transfers[%zu].pending_id: transfer %llu is already %s", where,
        (unsigned long long)p->id,
        state == SP_PENDING_POSTED ? "posted" : "voided");
  if ((t->debit_account_id && t->debit_account_id != p->debit_account_id) ||
      (t->credit_account_id && t->credit_account_id != p->credit_account_id) ||
      (t->ledger && t->ledger != p->ledger))
    return sp_error_set(
        err, SP_EINVAL, "pending_id",
        "transfers[%zu]: accounts differ from the pending transfer", where);
  *amount = t->amount_fen == 0 ? p->amount_fen : t->amount_fen;
  if (*amount > p->amount_fen ||
      ((t->flags & SP_TRANSFER_VOID_PENDING) && *amount != p->amount_fen))
    return sp_error_set(err, SP_EINVAL, "amount",
                        "transfers[%zu].amount: exceeds the pending amount",
                        where);
  return SP_OK;
}

static int set_pending_state(sp_ledger *l, const sp_transfer *p, int32_t pw,
                             int state, sp_error *err) {
  if (pw >= 0) {
    l->wtransfers[pw].state = state;
    return SP_OK;
  }
  if (pw != INT32_MIN) { /* already changed once in this window */
    l->wstates[-pw - 1].state = state;
    return SP_OK;
  }
  if (l->n_wstates == SP_LEDGER_WINDOW_MAX)
    return sp_error_set(err, SP_EFULL, "transfers", "commit before more");
  size_t k = l->n_wstates++;
  l->wstates[k] = (sp__wstate){.pending = *p, .state = state};
  return sp__idmap_put(&l->window_index, p->id, (uint32_t)SP__WSTATE(k)) ==
                 SP_OK
             ? SP_OK
             : sp_error_set(err, SP_ENOMEM, "transfers", "out of memory");
}

static int move(sp_account *dr, sp_account *cr, int64_t amount,
                int64_t pending_delta, int posted) {
  int rc = SP_OK;
  rc |= add(&dr->debits_pending_fen, pending_delta);
  rc |= add(&cr->credits_pending_fen, pending_delta);
  if (posted) {
    rc |= add(&dr->debits_posted_fen, amount);
    rc |= add(&cr->credits_posted_fen, amount);
  }
  return rc ? SP_EOVERFLOW : SP_OK;
}

int sp__ledger_apply(sp_ledger *l, const sp_transfer *t, int *status,
                     size_t index, sp_error *err) {
  size_t where = index; /* formatted only into error messages */
  int rc = check_shape(t, where, err);
  if (rc != SP_OK)
    return rc;
  sp_transfer old;
  int old_state;
  int32_t ow;
  rc = find(l, t->id, &old, &old_state, &ow, err);
  if (rc == SP_OK) {
    if (!same_payload(t, &old))
      return sp_error_set(
          err, SP_EEXISTS, "id",
          "transfers[%zu].id: %llu was used for a different transfer", where,
          (unsigned long long)t->id);
    if (status)
      *status = SP_TRANSFER_REPLAYED;
    return SP_OK;
  }
  if (rc != SP_ENOTFOUND)
    return rc;

  sp_transfer stored = *t, p;
  int32_t pw = INT32_MIN;
  int64_t amount = t->amount_fen, pending_delta = 0;
  unsigned kind = t->flags & KIND_FLAGS;
  if (kind == SP_TRANSFER_POST_PENDING || kind == SP_TRANSFER_VOID_PENDING) {
    rc = resolve_pending(l, t, &p, &pw, &amount, where, err);
    if (rc != SP_OK)
      return rc;
    stored.debit_account_id = p.debit_account_id;
    stored.credit_account_id = p.credit_account_id;
    stored.ledger = p.ledger;
    stored.amount_fen = amount;
    pending_delta = -p.amount_fen;
  } else if (kind == SP_TRANSFER_PENDING) {
    pending_delta = amount;
  }

  uint32_t de, ce;
  rc = sp__ledger_entry(l, stored.debit_account_id, &de, err);
  if (rc == SP_ENOTFOUND)
    return sp_error_set(err, rc, "debit_account_id",
                        "transfers[%zu].debit_account_id: no "
                        "account %llu",
                        where, (unsigned long long)stored.debit_account_id);
  if (rc == SP_OK)
    rc = sp__ledger_entry(l, stored.credit_account_id, &ce, err);
  if (rc == SP_ENOTFOUND)
    return sp_error_set(err, rc, "credit_account_id",
                        "transfers[%zu].credit_account_id: "
                        "no account %llu",
                        where, (unsigned long long)stored.credit_account_id);
  if (rc != SP_OK)
    return rc;
  sp_account *dr = &l->entries[de].account, *cr = &l->entries[ce].account;
  if (stored.ledger == 0)
    stored.ledger = dr->ledger;
  if (dr->ledger != stored.ledger || cr->ledger != stored.ledger)
    return sp_error_set(
        err, SP_EINVAL, "ledger",
        "transfers[%zu].ledger: accounts are in different ledgers", where);

  if ((rc = sp__ledger_touch(l, de, err)) != SP_OK ||
      (rc = sp__ledger_touch(l, ce, err)) != SP_OK)
    return rc;
  /* Entries may not move from here on: no cache growth below. */
  if (move(dr, cr, amount, pending_delta,
           kind != SP_TRANSFER_PENDING && kind != SP_TRANSFER_VOID_PENDING) !=
      SP_OK)
    return sp_error_set(err, SP_EOVERFLOW, "amount",
                        "transfers[%zu].amount: overflow", where);
  if (!constraint_ok(dr) || !constraint_ok(cr))
    return sp_error_set(
        err, SP_EBALANCE, "amount",
        "transfers[%zu].amount: account '%s' would break its balance "
        "constraint",
        where, !constraint_ok(dr) ? dr->name : cr->name);

  if (pw != INT32_MIN || kind == SP_TRANSFER_POST_PENDING ||
      kind == SP_TRANSFER_VOID_PENDING) {
    rc = set_pending_state(l, &p, pw,
                           kind == SP_TRANSFER_POST_PENDING ? SP_PENDING_POSTED
                                                            : SP_PENDING_VOIDED,
                           err);
    if (rc != SP_OK)
      return rc;
  }
  size_t w = l->n_wtransfers++;
  l->wtransfers[w] = (sp__wtransfer){
      .transfer = stored,
      .state = kind == SP_TRANSFER_PENDING ? SP_PENDING_OPEN : SP_PENDING_NONE};
  if (sp__idmap_put(&l->window_index, t->id, (uint32_t)w) != SP_OK)
    return sp_error_set(err, SP_ENOMEM, "transfers", "out of memory");
  if (t->id > l->id_max)
    l->id_max = t->id;
  if (status)
    *status = SP_TRANSFER_CREATED;
  return SP_OK;
}
