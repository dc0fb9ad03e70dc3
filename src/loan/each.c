/* Reading a whole book: the loans in loan-number order, with their day
 * states and their receivable balances laid over them.
 *
 * Everything is read from the store in order, never looked up one by one:
 * loan records after a number (a window of them for a report, all of them
 * for close of day), then the day states of the window's range of numbers,
 * then, for a report, each part's receivable accounts over the same range
 * (the accounts of a part lie together, in loan-number order:
 * SP_LOAN_ACCOUNT). A report over a million loans so costs a few thousand
 * range scans and a window's memory, and leaves the ledger's account cache
 * alone; a reader of the file (sp_book_open_readonly) needs no cache to be
 * fast, so nothing it reads outlives its read transaction. */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "loan/loan_int.h"

#define EACH_WINDOW 1024 /* loans viewed together by sp_book_each_loan */

static int collect(void *p, const sp_record *r) {
  sp__loans *ls = p;
  if (ls->n == ls->cap) {
    size_t cap = ls->cap ? ls->cap * 2 : EACH_WINDOW;
    sp__loan *v = realloc(ls->v, cap * sizeof *v);
    if (v == NULL)
      return SP_ENOMEM;
    ls->v = v;
    ls->cap = cap;
  }
  sp__loan *l = &ls->v[ls->n];
  int rc = sp__loan_decode(r->data, r->size, l);
  if (rc == SP_OK && l->no != r->no) { /* states and accounts go by l->no */
    sp__loan_free(l);
    rc = SP_ESTORE;
  }
  if (rc != SP_OK) {
    ls->bad_no = r->no;
    return rc;
  }
  ls->n++;
  ls->last_no = r->no;
  return SP_OK;
}

/* States come in loan-number order, as the loans were collected. */
static int overlay(void *p, uint64_t no, const void *data, size_t size) {
  sp__loans *ls = p;
  while (ls->at < ls->n && ls->v[ls->at].no < no)
    ls->at++;
  if (ls->at == ls->n || ls->v[ls->at].no != no)
    return SP_OK; /* a state without a loan record: not a loan's */
  if (sp__loan_state_decode(data, size, &ls->v[ls->at]) != SP_OK) {
    ls->bad_no = no;
    return SP_ESTORE;
  }
  return SP_OK;
}

int sp__loans_read(sp_store *s, uint64_t after, size_t limit, sp__loans *ls,
                   sp_error *err) {
  size_t first = ls->n;
  ls->bad_no = 0;
  int rc =
      s->ops->record_scan_from(s, SP__REC_LOAN, after, limit, collect, ls, err);
  if (rc == SP_OK && ls->n > first) {
    ls->at = first;
    rc = s->ops->state_scan_range(s, ls->v[first].no, ls->v[ls->n - 1].no + 1,
                                  overlay, ls, err);
  }
  if (rc != SP_OK && ls->bad_no != 0)
    return sp_error_set(err, rc, "db", "loan record %llu: %s",
                        (unsigned long long)ls->bad_no,
                        rc == SP_ENOMEM ? "out of memory" : "unreadable");
  if (rc == SP_ENOMEM)
    return sp_error_set(err, rc, "db", "out of memory");
  return rc;
}

void sp__loans_clear(sp__loans *ls) {
  for (size_t i = 0; i < ls->n; i++)
    sp__loan_free(&ls->v[i]);
  ls->n = 0;
}

void sp__loans_free(sp__loans *ls) {
  sp__loans_clear(ls);
  free(ls->v);
  memset(ls, 0, sizeof *ls);
}

/* A window of loans and their balances, bal[i] of ls.v[i]. */
typedef struct window {
  sp__loans ls;
  sp__balances bal[EACH_WINDOW];
  sp_alloc_part part; /* whose accounts are being read */
  size_t at;
} window;

/* Accounts come in id order, so in loan-number order within a part. */
static int put_balance(void *p, const sp_account *a) {
  window *w = p;
  uint64_t no = a->id - SP_LOAN_ACCOUNT(0, w->part);
  while (w->at < w->ls.n && w->ls.v[w->at].no < no)
    w->at++;
  if (w->at == w->ls.n || w->ls.v[w->at].no != no)
    return SP_OK;
  sp__balances *b = &w->bal[w->at];
  int64_t fen = sp_account_balance_fen(a);
  if (w->part == SP_PART_PRINCIPAL) {
    b->principal_fen = fen;
    b->pending_draws_fen = a->debits_pending_fen;
  } else if (w->part == SP_PART_INTEREST) {
    b->interest_fen = fen;
  } else {
    b->penalty_fen = fen;
  }
  return SP_OK;
}

/* The balances of the window's loans (zero for an account not stored, as
 * sp__loan_balance has them). */
static int read_balances(sp_store *s, window *w, sp_error *err) {
  assert(w->ls.n > 0 && w->ls.n <= EACH_WINDOW);
  memset(w->bal, 0, w->ls.n * sizeof w->bal[0]);
  uint64_t lo = w->ls.v[0].no, hi = w->ls.v[w->ls.n - 1].no;
  static const sp_alloc_part parts[3] = {SP_PART_PENALTY, SP_PART_INTEREST,
                                         SP_PART_PRINCIPAL};
  int rc = SP_OK;
  for (int i = 0; rc == SP_OK && i < 3; i++) {
    w->part = parts[i];
    w->at = 0;
    rc = s->ops->account_scan_range(s, SP_LOAN_ACCOUNT(lo, w->part),
                                    SP_LOAN_ACCOUNT(hi, w->part) + 1,
                                    put_balance, w, err);
  }
  return rc;
}

int sp_book_each_loan(sp_book *b, sp_loan_fn fn, void *ctx, sp_error *err) {
  window *w = calloc(1, sizeof *w);
  if (w == NULL)
    return sp_error_set(err, SP_ENOMEM, "db", "out of memory");
  uint64_t after = 0;
  int rc = SP_OK;
  /* Each window starts after the last record of the one before: the loop
   * ends, since record numbers only grow. */
  for (;;) {
    sp__loans_clear(&w->ls);
    rc = sp__loans_read(b->store, after, EACH_WINDOW, &w->ls, err);
    if (rc != SP_OK || w->ls.n == 0)
      break;
    assert(w->ls.last_no > after);
    after = w->ls.last_no;
    rc = read_balances(b->store, w, err);
    for (size_t i = 0; rc == SP_OK && i < w->ls.n; i++) {
      sp_loan_view v;
      sp__loan_view_of(&w->ls.v[i], &w->bal[i], &v);
      rc = fn(ctx, &v);
    }
    if (rc != SP_OK)
      break;
  }
  sp__loans_free(&w->ls);
  free(w);
  return rc;
}
