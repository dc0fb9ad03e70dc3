/* Group commit for the routes that move money and for credit
 * applications.
 *
 * Each such request is queued as a job and its connection suspended, so
 * that no server thread waits for the disk. One committer thread takes the
 * queue (up to BATCH_MAX jobs) and runs it under the server's lock inside
 * one store batch: every job's book operation is a savepoint (a refused job
 * is undone alone), its Idempotency-Key row is written in the same
 * transaction (the service tables share the store's connection), and one
 * commit makes the whole batch durable. Only then are the connections
 * resumed and their responses sent; while a batch commits, the next one
 * gathers. A key repeated inside a batch finds the earlier job's row, as it
 * would after the commit.
 *
 * If the batch's commit fails, every job of the batch gets a 500 and the
 * book and service tables are reopened, so that nothing cached runs ahead
 * of the store. */
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/http_int.h"
#include "sparrow/store.h"

#define BATCH_MAX 512

/* The request as the idempotency key remembers it: the caller's role,
 * method, path and body (so another role's request with the same key is a
 * different request, 409, and never sees the first response). */
static char *fingerprint(const sp__req *r, size_t *len) {
  const char *role = sp_role_name(r->role);
  size_t head = strlen(role) + strlen(r->method) + strlen(r->url) + 3;
  char *fp = malloc(head + r->body_len + 1);
  if (fp == NULL)
    return NULL;
  snprintf(fp, head + 1, "%s %s %s\n", role, r->method, r->url);
  if (r->body_len > 0)
    memcpy(fp + head, r->body, r->body_len);
  *len = head + r->body_len;
  return fp;
}

/* Forgets what was answered ahead. */
static void drop_ahead(sp__req *r) {
  free(r->resp);
  r->resp = NULL;
  r->status = 0;
  free(r->prep.res.doc);
  r->prep.res.doc = NULL;
  r->prepared = NULL;
  r->ahead = 0;
}

/* A key already stored: its first answer (SP_OK), a 409 for another
 * request under it (SP_OK), SP_ENOTFOUND for a new key, or a storage
 * failure. */
static int replay(sp_http_server *srv, sp__job *j, sp_error *err) {
  sp__req *r = j->r;
  int status = 0;
  char *body = NULL, app[SP_SVC_ID_MAX + 1];
  size_t body_len = 0;
  int rc = sp_svc_idem_get(srv->svc, j->key, j->fp, j->fp_len, &status, &body,
                           &body_len, app, err);
  if (rc == SP_OK || rc == SP_EEXISTS)
    drop_ahead(r);
  if (rc == SP_OK && app[0] != '\0')
    return sp__application_replay(r, app, err);
  if (rc == SP_OK) {
    r->status = status, r->resp = body, r->resp_len = body_len;
    return SP_OK;
  }
  if (rc == SP_EEXISTS) {
    sp__fail(r, 409, "idempotency_key_reused", "Idempotency-Key",
             "this key was used for a different request");
    return SP_OK;
  }
  return rc;
}

/* Runs one job inside the batch; SP_OK, or a storage failure that must
 * fail the whole batch. An application decided ahead (reader.c) is stored
 * as decided if what it read still stands, else decided again here. An
 * application sent without a key has no key's row to read or write: its
 * id is what a second sending of it finds (409). */
static int run_job(sp_http_server *srv, sp__job *j, sp_error *err) {
  sp__req *r = j->r;
  int keyed = j->key[0] != '\0';
  assert(r->route->info.money && (r->ahead || r->resp == NULL));
  assert(keyed || r->route->fn == sp__h_application_post);
  if (r->ahead && !sp__gen_current(r))
    drop_ahead(r); /* decided on data that has changed since: again */
  int rc = keyed ? replay(srv, j, err) : SP_ENOTFOUND;
  if (rc != SP_ENOTFOUND)
    return rc;
  if (r->ahead) {
    if (r->prepared != NULL && (rc = sp__application_record(r, err)) != SP_OK)
      return rc;
  } else {
    char ref[SP_IDEM_KEY_MAX + 3];
    if (keyed)
      snprintf(ref, sizeof ref, "h:%s", j->key);
    r->ref = keyed ? ref : NULL;
    r->route->fn(r);
    r->ref = NULL;
  }
  if (!keyed || r->status < 200 || r->status >= 300)
    return SP_OK; /* no key; or refused: nothing remains, the key stays free */
  if (r->route->fn == sp__h_application_post) /* its answer is kept there */
    return sp_svc_idem_put_app(srv->svc, j->key, j->fp, j->fp_len, r->status,
                               sp__str(r, "id"), r->now, err);
  return sp_svc_idem_put(srv->svc, j->key, j->fp, j->fp_len, r->status, r->resp,
                         r->resp_len, r->now, err);
}

/* After a failed batch: nothing of it is durable, and the caches of the
 * book and the statements of the service tables go with the connection. */
void sp__reopen(sp_http_server *srv) {
  sp__gen_bump(srv);
  sp_svc_close(srv->svc);
  sp_book_close(srv->book);
  srv->svc = NULL;
  srv->book = NULL;
  sp_error err;
  sp__open_stores(srv, &err); /* leaves both NULL if it fails */
}

static void run_batch(sp_http_server *srv, sp__job *batch) {
  pthread_mutex_lock(&srv->lock);
  sp_error err;
  sp_error_clear(&err);
  int rc = srv->book ? SP_OK
                     : sp_error_set(&err, SP_EFULL, "", "the book is closed");
  sp_store *store = srv->book ? sp_book_store(srv->book) : NULL;
  uint64_t n = 0;
  for (sp__job *j = batch; j != NULL; j = j->next)
    n++;
  __atomic_fetch_add(&srv->metrics.batches, 1, __ATOMIC_RELAXED);
  __atomic_fetch_add(&srv->metrics.batch_jobs, n, __ATOMIC_RELAXED);
  if (rc == SP_OK)
    rc = store->ops->batch_begin(store, &err);
  int begun = rc == SP_OK;
  for (sp__job *j = batch; rc == SP_OK && j != NULL; j = j->next)
    rc = run_job(srv, j, &err);
  if (begun) {
    int end = store->ops->batch_end(store, rc == SP_OK, &err);
    if (rc == SP_OK)
      rc = end;
  }
  if (rc != SP_OK) {
    for (sp__job *j = batch; j != NULL; j = j->next) {
      drop_ahead(j->r);
      sp__fail_err(j->r, &err, NULL);
    }
    if (begun)
      sp__reopen(srv);
  }
  pthread_mutex_unlock(&srv->lock);
}

/* Takes up to BATCH_MAX jobs off the queue. gc_lock held. */
static sp__job *take_batch(sp_http_server *srv) {
  assert(srv->queue_head != NULL);
  sp__job *batch = srv->queue_head, *last = batch;
  for (size_t n = 1; n < BATCH_MAX && last->next != NULL; n++)
    last = last->next;
  srv->queue_head = last->next;
  if (srv->queue_head == NULL)
    srv->queue_tail = NULL;
  last->next = NULL;
  return batch;
}

/* The committer: batches until stopped and the queue is empty. */
static void *committer(void *arg) {
  sp_http_server *srv = arg;
  pthread_mutex_lock(&srv->gc_lock);
  for (;;) {
    while (srv->queue_head == NULL && !srv->stopping)
      pthread_cond_wait(&srv->gc_cond, &srv->gc_lock);
    if (srv->queue_head == NULL)
      break; /* stopping, and nothing left */
    sp__job *batch = take_batch(srv);
    pthread_mutex_unlock(&srv->gc_lock);
    run_batch(srv, batch);
    /* A job is its request's: once resumed, the request may end and its
     * connection take the next, so nothing of it is read after. */
    for (sp__job *j = batch, *next; j != NULL; j = next) {
      next = j->next;
      sp__wire_resume(j->r->conn); /* its response is ready */
    }
    pthread_mutex_lock(&srv->gc_lock);
  }
  pthread_mutex_unlock(&srv->gc_lock);
  return NULL;
}

int sp__committer_start(sp_http_server *srv) {
  pthread_cond_init(&srv->gc_cond, NULL);
  srv->committer_started =
      pthread_create(&srv->committer, NULL, committer, srv) == 0;
  if (srv->committer_started)
    pthread_setname_np(srv->committer, "committer");
  return srv->committer_started ? 0 : -1;
}

void sp__committer_stop(sp_http_server *srv) {
  if (!srv->committer_started)
    return;
  pthread_mutex_lock(&srv->gc_lock);
  srv->stopping = 1;
  pthread_cond_signal(&srv->gc_cond);
  pthread_mutex_unlock(&srv->gc_lock);
  pthread_join(srv->committer, NULL);
  pthread_cond_destroy(&srv->gc_cond);
  srv->committer_started = 0;
}

void sp__money_enqueue(sp__req *r, const char *key) {
  sp_http_server *srv = r->srv;
  sp__job *job = &r->job;
  assert(job->fp == NULL);
  *job = (sp__job){.r = r};
  if (key != NULL && (job->fp = fingerprint(r, &job->fp_len)) == NULL) {
    sp__fail(r, 500, "internal", "", "out of memory");
    return;
  }
  snprintf(job->key, sizeof job->key, "%s", key ? key : "");
  /* Resumed on this thread, so never before this request is left to
   * wait (conn_state.pending). */
  pthread_mutex_lock(&srv->gc_lock);
  int stopping = srv->stopping;
  if (!stopping) {
    if (srv->queue_tail != NULL)
      srv->queue_tail->next = job;
    else
      srv->queue_head = job;
    srv->queue_tail = job;
    r->queued = 1;
    pthread_cond_signal(&srv->gc_cond);
  }
  pthread_mutex_unlock(&srv->gc_lock);
  if (stopping)
    sp__fail(r, 503, "unavailable", "", "the server is stopping");
}
