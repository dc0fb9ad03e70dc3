/* The HTTP server: the request pipeline on the wire's polling threads
 * (wire.c), and start and stop.
 *
 * Pipeline per request: the wire reads the head and the body (at most
 * SP_HTTP_BODY_MAX bytes; more is answered 413), then route (404/405),
 * authenticate the bearer key (401) and check its role against the route
 * (403), check the body, then run the handler under the server's lock (one
 * writer). Routes that move money (with their Idempotency-Key) and credit
 * applications go through group commit (batch.c): the request is kept
 * (conn_state.pending), its connection reading nothing, and answered when
 * the committer resumes it.
 * GET /v1/portfolio is kept the same way for the portfolio's thread
 * (view.c), which reads the file beside the committer, without the lock.
 *
 * Threads: the polling threads (epoll), 2 unless configured, the committer,
 * the portfolio's thread and the WAL's checkpoint thread
 * (src/store/checkpoint.c); no thread waits for the disk except the last
 * three. */
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "http/http_int.h"
#include "sparrow/store.h"

/* What a connection keeps from one request to the next: made when it is
 * accepted and freed when it closes, so that a request on a kept-alive
 * connection allocates none of it. The body stays in the wire's buffer. */
typedef struct conn_state {
  sp_jr jr; /* reads the body */
  struct timespec start;
  sp__req *pending; /* queued for a group commit, answered on resume */
  sp__req req;      /* the request under way */
} conn_state;

/* A connection idle this long is closed. */
#define IDLE_S 30

/* A reader grown past this for one body is not kept for the next. */
#define BODY_KEPT_BYTES 4096

static uint64_t micros_since(const struct timespec *t0) {
  struct timespec t1;
  clock_gettime(CLOCK_MONOTONIC, &t1);
  int64_t us =
      (t1.tv_sec - t0->tv_sec) * 1000000 + (t1.tv_nsec - t0->tv_nsec) / 1000;
  return us > 0 ? (uint64_t)us : 0;
}

const char *sp__arg(const sp__req *r, const char *name) {
  return sp__head_arg(r->head, name);
}

static int authenticate(sp__req *r) {
  assert(r->route != NULL && r->resp == NULL);
  if (r->route->info.roles == 0)
    return 0;
  const char *h = sp__head_get(r->head, "Authorization");
  if (h == NULL || strncmp(h, "Bearer ", 7) != 0 ||
      sp_keyring_lookup(r->srv->keys, h + 7, &r->role) != SP_OK) {
    sp__fail(r, 401, "unauthorized", "Authorization",
             "a valid \"Authorization: Bearer KEY\" header is required");
    return -1;
  }
  if (!(r->route->info.roles & SP_ROLE_BIT(r->role))) {
    sp__fail(r, 403, "forbidden", "Authorization", "role %s may not call %s %s",
             sp_role_name(r->role), r->route->info.method, r->route->info.path);
    return -1;
  }
  return 0;
}

static int key_ok(const char *k) {
  size_t n = strlen(k);
  if (n == 0 || n > SP_IDEM_KEY_MAX)
    return 0;
  for (size_t i = 0; i < n; i++)
    if (!(k[i] >= '!' && k[i] <= '~'))
      return 0;
  return 1;
}

static void run_route(sp__req *r) {
  const char *key = NULL;
  if (r->route->info.money) {
    key = sp__head_get(r->head, "Idempotency-Key");
    if (key == NULL && r->route->info.money == 2) {
      /* optional: without one, no key's row is read or written */
    } else if (key == NULL || !key_ok(key)) {
      sp__fail(r, 400, key ? "invalid_value" : "idempotency_key_required",
               "Idempotency-Key",
               "an Idempotency-Key header of 1 to %d printable characters "
               "is required",
               SP_IDEM_KEY_MAX);
      return;
    }
  }
  if (r->route->fields != NULL && sp__parse_body(r) != 0)
    return;
  if (r->route->info.money) {
    sp__prepare(r);            /* what can be done ahead, without the lock */
    sp__money_enqueue(r, key); /* group commit, under the lock */
    return;
  }
  if (r->route->locked)
    pthread_mutex_lock(&r->srv->lock);
  if (r->srv->book == NULL)
    sp__fail(r, 503, "unavailable", "", "the book could not be reopened");
  else
    r->route->fn(r);
  if (r->route->locked && strcmp(r->method, "GET") != 0)
    sp__gen_bump_after(r); /* it may have changed what decisions read */
  if (r->route->locked)
    pthread_mutex_unlock(&r->srv->lock);
}

/* Routes and runs a complete request; returns the route index or -1. */
static int dispatch(sp__req *r) {
  int i = sp__route_find(r->method, r->url, r->params);
  if (r->head->error != 0)
    sp__fail(r, r->head->error, r->head->error_code, r->head->error_field, "%s",
             r->head->error_message);
  else if (i == -1)
    sp__fail(r, 404, "route_not_found", "path", "no route %.100s", r->url);
  else if (i == -2)
    sp__fail(r, 405, "method_not_allowed", "method",
             "%.10s is not allowed on %.100s", r->method, r->url);
  if (r->resp != NULL)
    return i < 0 ? -1 : i;
  r->route = &sp__routes[i];
  if (r->route->fields == NULL && r->body_len > 0)
    sp__fail(r, 400, "unexpected_body", "body", "this route takes no body");
  else if (authenticate(r) == 0)
    run_route(r);
  return i;
}

/* Sends r's answer (the wire frees its body) and ends the request. */
static void respond(conn_state *cs, sp__req *r) {
  if (r->resp == NULL)
    sp__fail(r, 500, "internal", "", "no response");
  const char *type = r->route && r->route->fn == sp__h_metrics
                         ? "text/plain; version=0.0.4"
                         : "application/json";
  sp__wire_answer(r->conn, r->status, type, NULL, r->resp, r->resp_len, 1);
  r->resp = NULL;
  sp__metrics_record(&r->srv->metrics, r->route_index, r->status,
                     micros_since(&cs->start));
  if (r->body_len > BODY_KEPT_BYTES)
    sp_jr_free(&cs->jr); /* and what read it */
  sp__req_release(r);
}

static void *on_open(void *ctx) {
  (void)ctx;
  return calloc(1, sizeof(conn_state));
}

static void on_close(void *ctx, void *state) {
  (void)ctx;
  conn_state *cs = state;
  if (cs->pending != NULL) /* never answered: the server stopped */
    sp__req_release(cs->pending);
  sp_jr_free(&cs->jr);
  free(cs);
}

void sp__req_release(sp__req *r) {
  free(r->resp);
  free(r->prep.res.doc);
  free(r->job.fp);
  r->json = NULL, r->resp = NULL, r->prep.res.doc = NULL, r->job.fp = NULL;
  r->prepared = NULL;
}

static void on_request(void *ctx, sp__conn *c, void *state, const sp__head *h,
                       const char *body, size_t body_len) {
  conn_state *cs = state;
  assert(cs->pending == NULL);
  clock_gettime(CLOCK_MONOTONIC, &cs->start);
  if (h->error == 0 && sp__web_answer(c, h->method, h->path))
    return;
  sp__req *r = &cs->req;
  *r = (sp__req){.srv = ctx,
                 .conn = c,
                 .head = h,
                 .method = h->method ? h->method : "",
                 .url = h->path ? h->path : "",
                 .body = body,
                 .body_len = body_len,
                 .jr = &cs->jr,
                 .now = time(NULL)};
  r->route_index = dispatch(r);
  if (r->queued)
    cs->pending = r; /* answered when resumed */
  else
    respond(cs, r);
}

/* A request resumed after its group commit (or the portfolio's thread). */
static void on_resumed(void *ctx, sp__conn *c, void *state) {
  (void)ctx, (void)c;
  conn_state *cs = state;
  sp__req *r = cs->pending;
  assert(r != NULL);
  cs->pending = NULL;
  respond(cs, r);
}

/* The book's page cache is sized for close of day (a quarter GiB); the
 * server's writes touch few pages, and SQLite walks the whole cache at
 * every commit, so it gets a small one (BENCHMARKS.md, serve). */
#define SERVE_CACHE_KIB 2048

/* The WAL is checkpointed on a thread of its own, not in the book's
 * commits (src/store/checkpoint.c). */
static void attach_writer(sp_http_server *srv) {
  sqlite3 *db = sp_store_sqlite_handle(sp_book_store(srv->book));
  if (srv->ckpt != NULL && db != NULL)
    sp__ckpt_attach(srv->ckpt, db);
}

int sp__open_stores(sp_http_server *srv, sp_error *err) {
  int rc = sp_book_open(srv->db_path, &srv->book, err);
  if (rc == SP_OK)
    rc = sp_svc_open_store(sp_book_store(srv->book), &srv->svc, err);
  if (rc == SP_OK)
    rc = sp_svc_cache_size(srv->svc, SERVE_CACHE_KIB, err);
  if (rc == SP_OK)
    attach_writer(srv);
  if (rc != SP_OK) {
    sp_svc_close(srv->svc);
    sp_book_close(srv->book);
    srv->svc = NULL, srv->book = NULL;
  }
  return rc;
}

/* The early-warning engine, and its snapshot when there is one. */
static int open_monitor(sp_http_server *srv, const sp_http_config *cfg,
                        sp_error *err) {
  srv->monitor_rules = malloc(sizeof *srv->monitor_rules);
  if (srv->monitor_rules == NULL)
    return sp_error_set(err, SP_ENOMEM, "rules", "out of memory");
  int rc =
      sp_monitor_rules_load_file(srv->monitor_rules, cfg->monitor_rules, err);
  sp_monitor_config mc;
  sp_monitor_config_default(&mc);
  if (rc == SP_OK)
    rc = sp_monitor_new(&srv->monitor, &mc, srv->monitor_rules, err);
  if (rc == SP_OK && cfg->monitor_state != NULL) {
    snprintf(srv->monitor_state, sizeof srv->monitor_state, "%s",
             cfg->monitor_state);
    rc = sp_monitor_load(srv->monitor, cfg->monitor_state, err);
    if (rc == SP_ENOTFOUND) {
      sp_error_clear(err);
      rc = SP_OK;
    }
  }
  return rc;
}

/* The decision flow and what decides applications with it. */
static int open_flow(sp_http_server *srv, const char *path, sp_error *err) {
  snprintf(srv->flow_path, sizeof srv->flow_path, "%s", path);
  int rc = sp_flow_load_file(path, &srv->flow, err);
  if (rc == SP_OK)
    rc = sp_applier_new(srv->flow, &srv->applier, err);
  if (rc == SP_OK && sp__readers_init(srv) != 0)
    rc = sp_error_set(err, SP_ENOMEM, "threads", "cannot make a thread key");
  return rc;
}

int sp_http_start(const sp_http_config *cfg, sp_http_server **out,
                  sp_error *err) {
  sp_http_server *srv = calloc(1, sizeof *srv);
  if (srv == NULL)
    return sp_error_set(err, SP_ENOMEM, "db", "out of memory");
  pthread_mutex_init(&srv->lock, NULL);
  pthread_mutex_init(&srv->gc_lock, NULL);
  pthread_mutex_init(&srv->view_lock, NULL);
  srv->keys = cfg->keys;
  snprintf(srv->db_path, sizeof srv->db_path, "%s", cfg->db_path);
  int rc = sp__open_stores(srv, err);
  if (rc == SP_OK) {
    sp__ckpt_config ckpt = SP__CKPT_DEFAULTS;
    rc = sp__ckpt_start(srv->db_path, &ckpt, &srv->lock, &srv->ckpt, err);
  }
  if (rc == SP_OK)
    attach_writer(srv);
  if (rc == SP_OK && cfg->monitor_rules != NULL)
    rc = open_monitor(srv, cfg, err);
  if (rc == SP_OK && cfg->flow != NULL)
    rc = open_flow(srv, cfg->flow, err);
  if (rc == SP_OK &&
      (sp__committer_start(srv) != 0 || sp__view_start(srv) != 0))
    rc = sp_error_set(err, SP_ENOMEM, "threads", "cannot start a thread");
  if (rc == SP_OK) {
    sp__wire_config wc = {.host = cfg->host,
                          .port = cfg->port,
                          .threads = cfg->threads ? cfg->threads : 2,
                          .max_conns = SP_HTTP_CONNECTIONS_MAX,
                          .idle_s = IDLE_S,
                          .body_max = SP_HTTP_BODY_MAX,
                          .name = "poller",
                          .ctx = srv,
                          .open = on_open,
                          .close = on_close,
                          .request = on_request,
                          .resumed = on_resumed};
    rc = sp__wire_start(&wc, &srv->wire, err);
  }
  if (rc != SP_OK) {
    sp_http_stop(srv);
    return rc;
  }
  srv->port = sp__wire_port(srv->wire);
  *out = srv;
  return SP_OK;
}

uint16_t sp_http_port(const sp_http_server *srv) { return srv->port; }

void sp_http_stop(sp_http_server *srv) {
  if (srv == NULL)
    return;
  sp__committer_stop(srv); /* answers every queued request first */
  sp__view_stop(srv);      /* answers whoever waits for the portfolio */
  sp__wire_stop(srv->wire);
  if (srv->monitor != NULL && srv->monitor_state[0] != '\0' &&
      srv->wire != NULL)
    sp_monitor_save(srv->monitor, srv->monitor_state, NULL);
  sp__readers_fini(srv); /* the polling threads have freed theirs */
  sp_monitor_free(srv->monitor);
  sp_applier_free(srv->applier);
  sp_flow_free(srv->flow);
  free(srv->monitor_rules);
  sp__ckpt_stop(srv->ckpt); /* nothing writes now */
  sp_svc_close(srv->svc);
  sp_book_close(srv->book);
  pthread_mutex_destroy(&srv->lock);
  pthread_mutex_destroy(&srv->gc_lock);
  pthread_mutex_destroy(&srv->view_lock);
  free(srv);
}
