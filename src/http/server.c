/* The HTTP server: libmicrohttpd glue, the request pipeline, and start and
 * stop.
 *
 * Pipeline per request: collect the body (at most SP_HTTP_BODY_MAX bytes;
 * more is drained and answered 413), route (404/405), authenticate the
 * bearer key (401) and check its role against the route (403), check the
 * body, then run the handler under the server's lock (one writer). Routes
 * that move money (with their Idempotency-Key) and credit applications go
 * through group commit (batch.c): the request is kept (conn_state.pending)
 * while its connection is suspended, and answered when the committer
 * resumes it.
 * GET /v1/portfolio is kept the same way for the portfolio's thread
 * (view.c), which reads the file beside the committer, without the lock.
 *
 * Threads: a pool of libmicrohttpd's polling threads (epoll), 2 unless
 * configured, the committer and the portfolio's thread; no thread waits
 * for the disk except those two. */
#include <arpa/inet.h>
#include <assert.h>
#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "http/http_int.h"

/* What a connection keeps from one request to the next: made when it is
 * accepted and freed when it closes, so that a request on a kept-alive
 * connection allocates none of it. */
typedef struct conn_state {
  char *body;
  size_t len, cap;
  int too_large;
  sp_jr jr; /* reads the body */
  struct timespec start;
  sp__req *pending; /* queued for a group commit, answered on resume */
  sp__req req;      /* the request under way */
} conn_state;

/* A body buffer larger than this is not kept for the next request. */
#define BODY_KEPT_BYTES 4096

static uint64_t micros_since(const struct timespec *t0) {
  struct timespec t1;
  clock_gettime(CLOCK_MONOTONIC, &t1);
  int64_t us =
      (t1.tv_sec - t0->tv_sec) * 1000000 + (t1.tv_nsec - t0->tv_nsec) / 1000;
  return us > 0 ? (uint64_t)us : 0;
}

const char *sp__arg(const sp__req *r, const char *name) {
  return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, name);
}

static int authenticate(sp__req *r) {
  assert(r->route != NULL && r->resp == NULL);
  if (r->route->info.roles == 0)
    return 0;
  const char *h =
      MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "Authorization");
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
    key = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND,
                                      "Idempotency-Key");
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
static int dispatch(sp__req *r, conn_state *cs) {
  int i = sp__route_find(r->method, r->url, r->params);
  if (cs->too_large)
    sp__fail(r, 413, "body_too_large", "body", "the body exceeds %d bytes",
             SP_HTTP_BODY_MAX);
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

/* Queues r's response; its body goes to libmicrohttpd, which frees it. */
static enum MHD_Result respond(struct MHD_Connection *c, sp__req *r) {
  struct MHD_Response *resp =
      r->resp != NULL ? MHD_create_response_from_buffer(r->resp_len, r->resp,
                                                        MHD_RESPMEM_MUST_FREE)
                      : MHD_create_response_from_buffer(0, (char *)"",
                                                        MHD_RESPMEM_PERSISTENT);
  if (resp == NULL)
    return MHD_NO;
  r->resp = NULL;
  const char *type = r->route && r->route->fn == sp__h_metrics
                         ? "text/plain; version=0.0.4"
                         : "application/json";
  MHD_add_response_header(resp, "Content-Type", type);
  enum MHD_Result ok = MHD_queue_response(c, (unsigned)r->status, resp);
  MHD_destroy_response(resp);
  return ok;
}

static int append(conn_state *cs, const char *data, size_t n) {
  if (cs->too_large || cs->len + n > SP_HTTP_BODY_MAX) {
    cs->too_large = 1; /* drained, not kept */
    return 0;
  }
  if (cs->len + n > cs->cap) {
    size_t cap = cs->cap ? cs->cap * 2 : 1024; /* most bodies: malloc's cache */
    while (cap < cs->len + n)
      cap *= 2;
    char *p = realloc(cs->body, cap + 1);
    if (p == NULL)
      return -1;
    cs->body = p, cs->cap = cap;
  }
  memcpy(cs->body + cs->len, data, n);
  cs->len += n;
  return 0;
}

static void on_connection(void *cls, struct MHD_Connection *c, void **socket,
                          enum MHD_ConnectionNotificationCode code) {
  (void)cls, (void)c;
  if (code == MHD_CONNECTION_NOTIFY_STARTED) {
    *socket = calloc(1, sizeof(conn_state)); /* NULL: its requests fail */
    return;
  }
  conn_state *cs = *socket;
  if (cs != NULL) {
    free(cs->body);
    sp_jr_free(&cs->jr);
  }
  free(cs);
  *socket = NULL;
}

void sp__req_release(sp__req *r) {
  free(r->resp);
  free(r->prep.res.doc);
  free(r->job.fp);
  r->json = NULL, r->resp = NULL, r->prep.res.doc = NULL, r->job.fp = NULL;
  r->prepared = NULL;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c,
                                  const char *url, const char *method,
                                  const char *version, const char *upload,
                                  size_t *upload_size, void **state) {
  (void)version;
  conn_state *cs = *state;
  if (cs == NULL) { /* a new request */
    const union MHD_ConnectionInfo *info =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    if (info == NULL || (cs = info->socket_context) == NULL)
      return MHD_NO;
    assert(cs->pending == NULL);
    cs->len = 0, cs->too_large = 0;
    clock_gettime(CLOCK_MONOTONIC, &cs->start);
    *state = cs;
    return MHD_YES;
  }
  if (*upload_size > 0) {
    int rc = append(cs, upload, *upload_size);
    *upload_size = 0;
    return rc == 0 ? MHD_YES : MHD_NO;
  }
  int handled;
  enum MHD_Result web = sp__web_answer(c, method, url, &handled);
  if (handled)
    return web;
  sp__req *r = cs->pending;
  if (r == NULL) { /* a new request, else one resumed after its commit */
    r = &cs->req;
    *r = (sp__req){.srv = cls,
                   .conn = c,
                   .method = method,
                   .url = url,
                   .body = cs->body ? cs->body : "",
                   .body_len = cs->len,
                   .jr = &cs->jr,
                   .now = time(NULL)};
    r->route_index = dispatch(r, cs);
    if (r->queued) {
      cs->pending = r;
      return MHD_YES;
    }
  }
  cs->pending = NULL;
  if (r->resp == NULL)
    sp__fail(r, 500, "internal", "", "no response");
  enum MHD_Result ok = respond(c, r);
  sp__metrics_record(&r->srv->metrics, r->route_index, r->status,
                     micros_since(&cs->start));
  sp__req_release(r);
  return ok;
}

/* The end of a request (answered, or its connection gone). */
static void on_done(void *cls, struct MHD_Connection *c, void **state,
                    enum MHD_RequestTerminationCode code) {
  (void)cls, (void)c, (void)code;
  conn_state *cs = *state;
  if (cs != NULL) {
    if (cs->pending != NULL) /* resumed, never answered */
      sp__req_release(cs->pending);
    cs->pending = NULL;
    if (cs->cap > BODY_KEPT_BYTES) { /* and what read it */
      free(cs->body);
      cs->body = NULL, cs->cap = 0;
      sp_jr_free(&cs->jr);
    }
  }
  *state = NULL;
}

/* The book's page cache is sized for close of day (a quarter GiB); the
 * server's writes touch few pages, and SQLite walks the whole cache at
 * every commit, so it gets a small one (BENCHMARKS.md, serve). */
#define SERVE_CACHE_KIB 2048

int sp__open_stores(sp_http_server *srv, sp_error *err) {
  int rc = sp_book_open(srv->db_path, &srv->book, err);
  if (rc == SP_OK)
    rc = sp_svc_open_store(sp_book_store(srv->book), &srv->svc, err);
  if (rc == SP_OK)
    rc = sp_svc_cache_size(srv->svc, SERVE_CACHE_KIB, err);
  if (rc != SP_OK) {
    sp_svc_close(srv->svc);
    sp_book_close(srv->book);
    srv->svc = NULL, srv->book = NULL;
  }
  return rc;
}

/* Each connection's buffer for a request's headers and body pieces;
 * libmicrohttpd clears it after every request, so the default (32 KiB)
 * costs a 32 KiB memset per request (healthz: 60k/s -> 77k/s). */
#define CONN_MEMORY_BYTES 8192

/* A pool of polling threads (epoll where available); requests that wait
 * for a group commit are suspended, not waited for. */
static struct MHD_Daemon *start_daemon(sp_http_server *srv,
                                       const sp_http_config *cfg,
                                       const struct sockaddr_in *addr) {
  unsigned threads = cfg->threads ? cfg->threads : 2;
  return MHD_start_daemon(
      MHD_USE_AUTO_INTERNAL_THREAD | MHD_ALLOW_SUSPEND_RESUME, 0, NULL, NULL,
      on_request, srv, MHD_OPTION_SOCK_ADDR, addr, MHD_OPTION_THREAD_POOL_SIZE,
      threads, MHD_OPTION_NOTIFY_COMPLETED, on_done, srv,
      MHD_OPTION_NOTIFY_CONNECTION, on_connection, srv,
      MHD_OPTION_CONNECTION_LIMIT, (unsigned)SP_HTTP_CONNECTIONS_MAX,
      MHD_OPTION_CONNECTION_TIMEOUT, 30u, MHD_OPTION_CONNECTION_MEMORY_LIMIT,
      (size_t)CONN_MEMORY_BYTES, MHD_OPTION_END);
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
  struct sockaddr_in addr = {.sin_family = AF_INET,
                             .sin_port = htons(cfg->port)};
  if (inet_pton(AF_INET, cfg->host, &addr.sin_addr) != 1)
    return sp_error_set(err, SP_EINVAL, "listen",
                        "--listen: an IPv4 address and port like "
                        "127.0.0.1:8080");
  sp_http_server *srv = calloc(1, sizeof *srv);
  if (srv == NULL)
    return sp_error_set(err, SP_ENOMEM, "db", "out of memory");
  pthread_mutex_init(&srv->lock, NULL);
  pthread_mutex_init(&srv->gc_lock, NULL);
  pthread_mutex_init(&srv->view_lock, NULL);
  srv->keys = cfg->keys;
  snprintf(srv->db_path, sizeof srv->db_path, "%s", cfg->db_path);
  int rc = sp__open_stores(srv, err);
  if (rc == SP_OK && cfg->monitor_rules != NULL)
    rc = open_monitor(srv, cfg, err);
  if (rc == SP_OK && cfg->flow != NULL)
    rc = open_flow(srv, cfg->flow, err);
  if (rc == SP_OK &&
      (sp__committer_start(srv) != 0 || sp__view_start(srv) != 0))
    rc = sp_error_set(err, SP_ENOMEM, "threads", "cannot start a thread");
  if (rc == SP_OK) {
    srv->daemon = start_daemon(srv, cfg, &addr);
    if (srv->daemon == NULL)
      rc = sp_error_set(err, SP_EIO, "listen",
                        "--listen: cannot listen on %s:%u", cfg->host,
                        (unsigned)cfg->port);
  }
  if (rc != SP_OK) {
    sp_http_stop(srv);
    return rc;
  }
  const union MHD_DaemonInfo *info =
      MHD_get_daemon_info(srv->daemon, MHD_DAEMON_INFO_BIND_PORT);
  srv->port = info ? info->port : cfg->port;
  *out = srv;
  return SP_OK;
}

uint16_t sp_http_port(const sp_http_server *srv) { return srv->port; }

void sp_http_stop(sp_http_server *srv) {
  if (srv == NULL)
    return;
  sp__committer_stop(srv); /* answers every queued request first */
  sp__view_stop(srv);      /* answers whoever waits for the portfolio */
  if (srv->daemon != NULL)
    MHD_stop_daemon(srv->daemon);
  if (srv->monitor != NULL && srv->monitor_state[0] != '\0' &&
      srv->daemon != NULL)
    sp_monitor_save(srv->monitor, srv->monitor_state, NULL);
  sp__readers_fini(srv); /* the daemon's threads have freed theirs */
  sp_monitor_free(srv->monitor);
  sp_applier_free(srv->applier);
  sp_flow_free(srv->flow);
  free(srv->monitor_rules);
  sp_svc_close(srv->svc);
  sp_book_close(srv->book);
  pthread_mutex_destroy(&srv->lock);
  pthread_mutex_destroy(&srv->gc_lock);
  pthread_mutex_destroy(&srv->view_lock);
  free(srv);
}
