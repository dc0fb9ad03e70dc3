/* Close of day for the whole book.
 *
 * Every loan is read into memory once (its record, then its day state
 * over it; loans closed for good are dropped) and the receivable accounts
 * are preloaded; the two reads run at the same time, the accounts on a
 * second thread through a read-only connection. Then, day by day, each loan's
 * business day is closed (accrue.c) and its transfers are gathered into
 * batches. The ledger window is committed together with the loans it changed,
 * so each commit is consistent on its own: if the process dies mid-way, the
 * loans already committed carry their closed_through and the next run continues
 * with the others. A line's business day changes only its day state, so
 * only the state is written for it (64 to a row in the SQLite store); a
 * term loan's installments change too, so its whole record is. The book's
 * own closed_through is written with the last commit. */
#include <assert.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "loan/loan_int.h"

#define CLOSE_DAYS_MAX 3660 /* ten years in one call */
#define COMMIT_TRANSFERS (SP_LEDGER_WINDOW_MAX - SP_LEDGER_SUBMIT_MAX)

typedef struct close_ctx {
  sp_book *b;
  sp__loans ls;
  uint32_t *dirty; /* loans changed since the last commit */
  uint8_t *is_dirty;
  size_t n_dirty;
  sp_date book_day; /* written with the final commit, 0 otherwise */
} close_ctx;

/* Drops the loans closed for good: there is nothing to do for them. */
static void drop_closed(sp__loans *ls) {
  size_t kept = 0;
  for (size_t i = 0; i < ls->n; i++) {
    if (ls->v[i].closed)
      sp__loan_free(&ls->v[i]);
    else
      ls->v[kept++] = ls->v[i];
  }
  ls->n = kept;
}

static int write_dirty(void *p, sp_store *s, sp_error *err) {
  close_ctx *c = p;
  for (size_t i = 0; i < c->n_dirty; i++) {
    const sp__loan *l = &c->ls.v[c->dirty[i]];
    int rc = l->kind == SP_LOAN_LINE ? sp__loan_put_state(s, l, err)
                                     : sp__loan_put(s, l, err);
    if (rc != SP_OK)
      return rc;
  }
  if (c->book_day != 0)
    return s->ops->meta_put(s, "closed_through", c->book_day, err);
  return SP_OK;
}

static int flush(close_ctx *c, sp_transfer *batch, size_t *n, int commit,
                 sp_close_stats *st, sp_error *err) {
  int rc = SP_OK;
  if (*n > 0)
    rc = sp_ledger_submit(c->b->ledger, batch, *n, NULL, err);
  st->transfers += *n;
  *n = 0;
  if (rc == SP_OK && commit) {
    rc = sp_ledger_commit(c->b->ledger, write_dirty, c, err);
    for (size_t i = 0; i < c->n_dirty; i++)
      c->is_dirty[c->dirty[i]] = 0;
    c->n_dirty = 0;
  }
  return rc;
}

/* Submits the batch, and commits once the window holds enough. */
static int submit(close_ctx *c, sp_transfer *batch, size_t *n,
                  size_t *in_window, sp_close_stats *st, sp_error *err) {
  *in_window += *n;
  int commit = *in_window >= COMMIT_TRANSFERS;
  if (commit)
    *in_window = 0;
  return flush(c, batch, n, commit, st, err);
}

static int close_all(close_ctx *c, sp_date first, sp_date through,
                     sp_close_stats *st, sp_error *err) {
  sp_transfer *batch = malloc(SP_LEDGER_SUBMIT_MAX * sizeof *batch);
  if (batch == NULL)
    return sp_error_set(err, SP_ENOMEM, "close-day", "out of memory");
  size_t n = 0, in_window = 0;
  uint64_t next = sp_ledger_next_id(c->b->ledger);
  int rc = SP_OK;
  for (sp_date day = first; rc == SP_OK && day <= through; day++) {
    for (size_t i = 0; rc == SP_OK && i < c->ls.n; i++) {
      sp__loan *l = &c->ls.v[i];
      if (l->closed_through >= day || l->opened > day)
        continue;
      size_t before = n;
      rc = sp__loan_close_one_day(c->b, l, day, batch, SP_LEDGER_SUBMIT_MAX, &n,
                                  &next, err);
      for (size_t k = before; k < n; k++)
        st->interest_fen +=
            batch[k].code == SP_CODE_ACCRUE_INTEREST ? batch[k].amount_fen : 0;
      for (size_t k = before; k < n; k++)
        st->penalty_fen +=
            batch[k].code == SP_CODE_ACCRUE_PENALTY ? batch[k].amount_fen : 0;
      if (!c->is_dirty[i]) {
        c->is_dirty[i] = 1;
        c->dirty[c->n_dirty++] = (uint32_t)i;
      }
      if (rc == SP_OK && n + SP__LOAN_XFER_MAX > SP_LEDGER_SUBMIT_MAX)
        rc = submit(c, batch, &n, &in_window, st, err);
    }
    /* A loan's next day reads balances its earlier days changed: the
     * ledger must have them all before the next day starts. */
    if (rc == SP_OK)
      rc = submit(c, batch, &n, &in_window, st, err);
    st->days++;
  }
  /* Never move the book's closed-through date backwards. */
  c->book_day = through > c->b->closed_through ? through : c->b->closed_through;
  if (rc == SP_OK)
    rc = flush(c, batch, &n, 1, st, err);
  free(batch);
  return rc;
}

/* Interest and principal receivables of every loan: two adjacent ranges.
 * Penalty accounts are read when a loan first needs one. */
typedef struct preload_job {
  sp_ledger *ledger;
  sp_store *reader;
  int rc;
  sp_error err;
} preload_job;

static void *preload_accounts(void *p) {
  preload_job *j = p;
  j->rc = sp_ledger_preload_range_from(
      j->ledger, j->reader, SP_LOAN_ACCOUNT(0, SP_PART_INTEREST),
      SP_LOAN_ACCOUNT(0, SP_PART_PRINCIPAL + 1), &j->err);
  return NULL;
}

/* Reads the open loans into c while the accounts load alongside. The
 * ledger is touched only by the preloading thread until it is joined. */
static int load(sp_book *b, close_ctx *c, sp_error *err) {
  preload_job job = {.ledger = b->ledger};
  int rc = sp_ledger_reserve(b->ledger, 3 * (b->loan_no_max + 16), err);
  if (rc == SP_OK)
    rc = b->store->ops->open_reader(b->store, &job.reader, err);
  pthread_t t;
  int threaded =
      rc == SP_OK && pthread_create(&t, NULL, preload_accounts, &job) == 0;
  if (rc == SP_OK && !threaded)
    preload_accounts(&job);
  if (rc == SP_OK)
    rc = sp__loans_read(b->store, 0, SIZE_MAX, &c->ls, err);
  if (rc == SP_OK)
    drop_closed(&c->ls);
  if (threaded)
    pthread_join(t, NULL);
  if (job.reader != NULL)
    job.reader->ops->close(job.reader);
  if (rc == SP_OK && job.rc != SP_OK) {
    if (err != NULL) /* callers may pass none */
      *err = job.err;
    rc = job.rc;
  }
  return rc;
}

int sp_book_close_day(sp_book *b, sp_date through, sp_close_stats *stats,
                      sp_error *err) {
  sp_close_stats st = {0};
  close_ctx c = {.b = b};
  int rc = load(b, &c, err);
  sp_date first = through + 1;
  for (size_t i = 0; i < c.ls.n; i++) {
    sp_date d = c.ls.v[i].closed_through + 1;
    if (d < first)
      first = d;
  }
  if (rc == SP_OK && through - first + 1 > CLOSE_DAYS_MAX)
    rc = sp_error_set(err, SP_ERANGE, "date",
                      "--date: at most %d days in one run", CLOSE_DAYS_MAX);
  c.dirty = malloc((c.ls.n + 1) * sizeof *c.dirty);
  c.is_dirty = calloc(c.ls.n + 1, 1);
  if (rc == SP_OK && (c.dirty == NULL || c.is_dirty == NULL))
    rc = sp_error_set(err, SP_ENOMEM, "close-day", "out of memory");
  if (rc == SP_OK)
    rc = close_all(&c, first, through, &st, err);
  if (rc == SP_OK && through > b->closed_through)
    b->closed_through = through;
  if (rc != SP_OK)
    sp_ledger_discard(b->ledger);
  st.loans = c.ls.n;
  sp__loans_free(&c.ls);
  free(c.dirty);
  free(c.is_dirty);
  if (stats != NULL)
    *stats = st;
  return rc;
}
