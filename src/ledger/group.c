/* Group commit over one ledger.
 *
 * Callers append a request to a queue and wait. The first caller to find
 * no leader becomes the leader: it takes the whole queue (up to one
 * window), applies each request with sp_ledger_submit (so each succeeds or
 * fails on its own), commits once, and wakes every waiter. Requests that
 * arrive during that commit form the next group. Only the leader touches
 * the ledger, so the ledger itself needs no locks. */
#include <assert.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "sparrow/ledger.h"

typedef struct request {
  const sp_transfer *transfers;
  size_t n;
  int *status;
  int rc;
  int done;
  sp_error err;
  struct request *next;
} request;

struct sp_ledger_group {
  sp_ledger *ledger;
  pthread_mutex_t mu;
  pthread_cond_t cv;
  request *head, *tail;
  int leading;
};

int sp_ledger_group_open(sp_ledger *ledger, sp_ledger_group **out,
                         sp_error *err) {
  sp_ledger_group *g = calloc(1, sizeof *g);
  if (g == NULL)
    return sp_error_set(err, SP_ENOMEM, "ledger", "out of memory");
  g->ledger = ledger;
  pthread_mutex_init(&g->mu, NULL);
  pthread_cond_init(&g->cv, NULL);
  *out = g;
  return SP_OK;
}

void sp_ledger_group_close(sp_ledger_group *g) {
  if (g == NULL)
    return;
  assert(g->head == NULL && !g->leading);
  pthread_mutex_destroy(&g->mu);
  pthread_cond_destroy(&g->cv);
  free(g);
}

/* Takes requests from the queue while they fit in one window. */
static request *take(sp_ledger_group *g) {
  request *first = g->head, *last = NULL;
  size_t total = 0;
  for (request *r = g->head; r != NULL; r = r->next) {
    if (last != NULL && total + r->n > SP_LEDGER_WINDOW_MAX)
      break;
    total += r->n;
    last = r;
  }
  g->head = last->next;
  if (g->head == NULL)
    g->tail = NULL;
  last->next = NULL;
  return first;
}

/* Applies and commits a group; runs without the lock. */
static void lead(sp_ledger *l, request *group) {
  int applied = 0;
  for (request *r = group; r != NULL; r = r->next) {
    r->rc = sp_ledger_submit(l, r->transfers, r->n, r->status, &r->err);
    applied |= r->rc == SP_OK;
  }
  if (!applied)
    return;
  sp_error err;
  int rc = sp_ledger_commit(l, NULL, NULL, &err);
  if (rc == SP_OK)
    return;
  for (request *r = group; r != NULL; r = r->next)
    if (r->rc == SP_OK) {
      r->rc = rc;
      r->err = err;
    }
}

int sp_ledger_group_submit(sp_ledger_group *g, const sp_transfer *transfers,
                           size_t n, int *status, sp_error *err) {
  request me = {.transfers = transfers, .n = n, .status = status};
  pthread_mutex_lock(&g->mu);
  if (g->tail)
    g->tail->next = &me;
  else
    g->head = &me;
  g->tail = &me;
  while (!me.done) {
    if (g->leading || g->head == NULL) {
      pthread_cond_wait(&g->cv, &g->mu);
      continue;
    }
    g->leading = 1;
    request *group = take(g);
    pthread_mutex_unlock(&g->mu);
    lead(g->ledger, group);
    pthread_mutex_lock(&g->mu);
    for (request *r = group, *next; r != NULL; r = next) {
      next = r->next;
      r->done = 1;
    }
    g->leading = 0;
    pthread_cond_broadcast(&g->cv);
  }
  pthread_mutex_unlock(&g->mu);
  if (me.rc != SP_OK && err != NULL)
    *err = me.err;
  return me.rc;
}
