/* GET /v1/portfolio and GET /metrics, off the server's lock and off the
 * polling threads.
 *
 * Both show totals of the whole book (sp__totals), which means reading
 * every loan: about a second for a million lines. Under the server's lock
 * that second would stall every commit of the server (draws, repayments,
 * decisions); on a polling thread, every connection the thread serves; and
 * a Prometheus server scrapes the metrics every few seconds. So the totals
 * are read here, on a thread of their own, from a read-only view of the
 * file: a book opened with sp_book_open_readonly and the service tables on
 * the same connection, so that one read transaction covers the loans, the
 * ledger, the day's draws and the applications (WAL lets it read beside
 * the committer's commits). The view is opened at the first request and
 * kept; it is opened again after a failure.
 *
 * Requests wait with their connections suspended. The thread takes every
 * request waiting (of either route), reads once, answers them all and
 * resumes them;
 * requests that arrive meanwhile wait for the next computation, which then
 * answers them all: they may follow a commit the running one does not see.
 * So there is one computation at a time, a burst of requests costs at most
 * two, and the waiting list is bounded by the connections libmicrohttpd
 * accepts (SP_HTTP_CONNECTIONS_MAX).
 *
 * At stop the running computation gives up at its next few thousand
 * loans, whoever waits is answered 503, and the thread is joined before
 * the daemon stops. */
#include <assert.h>
#include <time.h>

#include "http/http_int.h"
#include "sparrow/store.h"

typedef struct view {
  sp_book *book;
  sp_svc *svc; /* on the book's connection */
} view;

static void view_close(view *v) {
  sp_svc_close(v->svc); /* first: it uses the book's connection */
  sp_book_close(v->book);
  v->svc = NULL;
  v->book = NULL;
}

/* The book and the service tables (which the server has migrated) on one
 * connection that refuses writes. */
static int view_open(const sp_http_server *srv, view *v, sp_error *err) {
  int rc = sp_book_open_readonly(srv->db_path, &v->book, err);
  if (rc == SP_OK)
    rc = sp_store_sqlite_query_only(sp_book_store(v->book), err);
  if (rc == SP_OK)
    rc = sp_svc_open_store_reader(sp_book_store(v->book), &v->svc, err);
  if (rc != SP_OK)
    view_close(v);
  return rc;
}

static int stopping(sp_http_server *srv) {
  return __atomic_load_n(&srv->view_stopping, __ATOMIC_ACQUIRE);
}

/* The book's totals for a batch of requests: SP_OK and *t, or the error
 * to answer them with. */
static int compute(sp_http_server *srv, view *v, sp__totals *t, sp_error *err) {
  int rc = v->book ? SP_OK : view_open(srv, v, err);
  if (rc != SP_OK) /* the server's file, not the caller's request */
    rc = sp_error_set(err, SP_EFULL, "", "the book cannot be read");
  if (rc == SP_OK)
    rc = sp__totals_read(v->book, v->svc, time(NULL), &srv->view_stopping, t,
                         err);
  if (rc != SP_OK && stopping(srv))
    rc = sp_error_set(err, SP_EFULL, "", "the server is stopping");
  if (rc != SP_OK)
    view_close(v); /* opened again for the next request */
  return rc;
}

/* A request's answer from the totals (NULL: they could not be read, err
 * says why): the portfolio, or the metrics (which then say the ledger is
 * not up, unless the server is stopping). */
static void reply(sp_http_server *srv, sp__req *r, const sp__totals *t,
                  const sp_error *err) {
  if (r->route->fn == sp__h_metrics && (t != NULL || !stopping(srv))) {
    size_t len = 0;
    char *text = sp__metrics_text(srv, t, &len);
    if (text == NULL)
      sp__fail(r, 500, "internal", "", "out of memory");
    else
      r->status = 200, r->resp = text, r->resp_len = len;
  } else if (t != NULL)
    sp__reply(r, 200, sp__portfolio_json(t));
  else
    sp__fail_err(r, err, NULL);
}

/* One reading for every request of the batch, each answered with it and
 * resumed: its polling thread sends the answer and frees it. */
static void answer(sp_http_server *srv, view *v, sp__req *batch) {
  sp_error err;
  sp_error_clear(&err);
  sp__totals t;
  int rc = compute(srv, v, &t, &err);
  for (sp__req *r = batch, *next; r != NULL; r = next) {
    next = r->next;
    reply(srv, r, rc == SP_OK ? &t : NULL, &err);
    sp__wire_resume(r->conn);
  }
}

static void *view_main(void *arg) {
  sp_http_server *srv = arg;
  view v = {NULL, NULL};
  pthread_mutex_lock(&srv->view_lock);
  for (;;) {
    while (srv->view_waiting == NULL && !srv->view_stopping)
      pthread_cond_wait(&srv->view_cond, &srv->view_lock);
    sp__req *batch = srv->view_waiting;
    srv->view_waiting = NULL;
    pthread_mutex_unlock(&srv->view_lock);
    if (batch == NULL)
      break; /* stopping, and nobody waits */
    answer(srv, &v, batch);
    pthread_mutex_lock(&srv->view_lock);
  }
  view_close(&v);
  return NULL;
}

int sp__view_start(sp_http_server *srv) {
  pthread_cond_init(&srv->view_cond, NULL);
  srv->view_started =
      pthread_create(&srv->view_thread, NULL, view_main, srv) == 0;
  if (srv->view_started)
    pthread_setname_np(srv->view_thread, "view");
  else
    pthread_cond_destroy(&srv->view_cond);
  return srv->view_started ? 0 : -1;
}

void sp__view_stop(sp_http_server *srv) {
  if (!srv->view_started)
    return;
  pthread_mutex_lock(&srv->view_lock);
  __atomic_store_n(&srv->view_stopping, 1, __ATOMIC_RELEASE);
  pthread_cond_signal(&srv->view_cond);
  pthread_mutex_unlock(&srv->view_lock);
  pthread_join(srv->view_thread, NULL);
  pthread_cond_destroy(&srv->view_cond);
  srv->view_started = 0;
}

void sp__view_enqueue(sp__req *r) {
  sp_http_server *srv = r->srv;
  /* Resumed on this thread, so never before this request is left to
   * wait. */
  pthread_mutex_lock(&srv->view_lock);
  int refused = srv->view_stopping;
  if (!refused) {
    r->next = srv->view_waiting;
    srv->view_waiting = r;
    r->queued = 1;
    pthread_cond_signal(&srv->view_cond);
  }
  pthread_mutex_unlock(&srv->view_lock);
  if (refused)
    sp__fail(r, 503, "unavailable", "", "the server is stopping");
}
