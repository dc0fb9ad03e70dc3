/* The HTTP server: libmicrohttpd glue, the request pipeline, and start and
 * stop.
 *
 * Pipeline per request: collect the body (at most SP_HTTP_BODY_MAX bytes;
 * more is drained and answered 413), route (404/405), authenticate the
 * bearer key (401) and check its role against the route (403), check the
 * body, then, for routes that move money, look the Idempotency-Key up
 * (replay or 409) before running the handler and store its response after.
 * The handler and the idempotency steps run under the server's lock, so
 * the book has one writer and a key cannot be used twice concurrently. */
#include <arpa/inet.h>
#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "http/http_int.h"

typedef struct conn_state {
  char *body;
  size_t len, cap;
  int too_large;
  struct timespec start;
} conn_state;

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

/* Runs a money route's handler behind its Idempotency-Key. Lock held. */
static void run_money(sp__req *r, const char *key) {
  size_t fp_len = 0;
  char *fp = fingerprint(r, &fp_len);
  if (fp == NULL) {
    sp__fail(r, 500, "internal", "", "out of memory");
    return;
  }
  sp_error err;
  sp_error_clear(&err);
  int status = 0;
  char *body = NULL;
  size_t body_len = 0;
  int rc = sp_svc_idem_get(r->srv->svc, key, fp, fp_len, &status, &body,
                           &body_len, &err);
  if (rc == SP_OK) {
    r->status = status, r->resp = body, r->resp_len = body_len;
  } else if (rc == SP_EEXISTS) {
    sp__fail(r, 409, "idempotency_key_reused", "Idempotency-Key",
             "this key was used for a different request");
  } else if (rc != SP_ENOTFOUND) {
    sp__fail_err(r, &err, NULL);
  } else {
    char ref[SP_IDEM_KEY_MAX + 3];
    snprintf(ref, sizeof ref, "h:%s", key);
    r->ref = ref;
    r->route->fn(r);
    r->ref = NULL;
    if (r->status >= 200 && r->status < 300 &&
        sp_svc_idem_put(r->srv->svc, key, fp, fp_len, r->status, r->resp,
                        r->resp_len, r->now, &err) != SP_OK) {
      /* The movement is durable and the book's ref makes a retry safe;
       * report the failure rather than an unrepeatable success. */
      free(r->resp);
      r->resp = NULL;
      sp__fail_err(r, &err, NULL);
    }
  }
  free(fp);
}

static void run_route(sp__req *r) {
  const char *key = NULL;
  if (r->route->info.money) {
    key = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND,
                                      "Idempotency-Key");
    if (key == NULL || !key_ok(key)) {
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
  if (r->route->locked)
    pthread_mutex_lock(&r->srv->lock);
  if (key != NULL)
    run_money(r, key);
  else
    r->route->fn(r);
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

static enum MHD_Result respond(struct MHD_Connection *c, sp__req *r) {
  struct MHD_Response *resp = MHD_create_response_from_buffer(
      r->resp_len, r->resp ? r->resp : (char *)"", MHD_RESPMEM_MUST_COPY);
  if (resp == NULL)
    return MHD_NO;
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
    size_t cap = cs->cap ? cs->cap * 2 : 4096;
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

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c,
                                  const char *url, const char *method,
                                  const char *version, const char *upload,
                                  size_t *upload_size, void **state) {
  (void)version;
  conn_state *cs = *state;
  if (cs == NULL) {
    if ((cs = calloc(1, sizeof *cs)) == NULL)
      return MHD_NO;
    clock_gettime(CLOCK_MONOTONIC, &cs->start);
    *state = cs;
    return MHD_YES;
  }
  if (*upload_size > 0) {
    int rc = append(cs, upload, *upload_size);
    *upload_size = 0;
    return rc == 0 ? MHD_YES : MHD_NO;
  }
  sp__req r = {.srv = cls,
               .conn = c,
               .method = method,
               .url = url,
               .body = cs->body ? cs->body : "",
               .body_len = cs->len,
               .now = time(NULL)};
  int route = dispatch(&r, cs);
  if (r.resp == NULL)
    sp__fail(&r, 500, "internal", "", "no response");
  enum MHD_Result ok = respond(c, &r);
  sp__metrics_record(&r.srv->metrics, route, r.status,
                     micros_since(&cs->start));
  json_decref(r.json);
  free(r.resp);
  return ok;
}

static void on_done(void *cls, struct MHD_Connection *c, void **state,
                    enum MHD_RequestTerminationCode code) {
  (void)cls, (void)c, (void)code;
  conn_state *cs = *state;
  if (cs != NULL) {
    free(cs->body);
    free(cs);
  }
  *state = NULL;
}

static int open_stores(sp_http_server *srv, const char *path, sp_error *err) {
  int rc = sp_book_open(path, &srv->book, err);
  if (rc == SP_OK)
    rc = sp_svc_open(path, &srv->svc, err);
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
  srv->keys = cfg->keys;
  int rc = open_stores(srv, cfg->db_path, err);
  if (rc == SP_OK) {
    unsigned threads = cfg->threads ? cfg->threads : SP_HTTP_THREADS_DEFAULT;
    srv->daemon = MHD_start_daemon(
        MHD_USE_AUTO_INTERNAL_THREAD, 0, NULL, NULL, on_request, srv,
        MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
        MHD_OPTION_THREAD_POOL_SIZE, threads, MHD_OPTION_NOTIFY_COMPLETED,
        on_done, srv, MHD_OPTION_CONNECTION_TIMEOUT, 30u, MHD_OPTION_END);
    if (srv->daemon == NULL)
      rc = sp_error_set(err, SP_EIO, "listen",
                        "--listen: cannot listen on "
                        "%s:%u",
                        cfg->host, (unsigned)cfg->port);
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
  if (srv->daemon != NULL)
    MHD_stop_daemon(srv->daemon);
  sp_svc_close(srv->svc);
  sp_book_close(srv->book);
  pthread_mutex_destroy(&srv->lock);
  free(srv);
}
