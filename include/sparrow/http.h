/* The lending service over HTTP/1.1 (src/http/wire.c): borrowers, data,
 * consent, credit lines, health, metrics and an OpenAPI description.
 *
 * Requests carry "Authorization: Bearer KEY"; each route names the roles
 * that may call it (the route table below, also in /openapi.json). Bodies
 * are JSON objects of at most SP_HTTP_BODY_MAX bytes and SP_HTTP_DEPTH_MAX
 * levels; every refusal is a 4xx with {"error":{"code","field","message"}}
 * and changes nothing. Requests that move money need an Idempotency-Key
 * header: a repeated key returns the first response byte for byte, the
 * same key with another request is 409.
 *
 * Handlers run on a pool of polling threads; the book and the service
 * tables are used under one lock (one writer). Money movements
 * are group-committed: the requests waiting together share one commit,
 * and each response is sent only after its movement is durable. */
#ifndef SPARROW_HTTP_H
#define SPARROW_HTTP_H

#include <stddef.h>
#include <stdint.h>

#include "sparrow/error.h"
#include "sparrow/svc.h"

#define SP_HTTP_BODY_MAX (64 * 1024)
#define SP_HTTP_DEPTH_MAX 16
#define SP_HTTP_CONNECTIONS_MAX 1024

typedef struct sp_http_server sp_http_server;

typedef struct sp_http_config {
  const char *db_path;
  const char *host;          /* IPv4 address to listen on, e.g. "127.0.0.1" */
  uint16_t port;             /* 0: any free port (see sp_http_port) */
  const sp_keyring *keys;    /* not owned; must outlive the server */
  unsigned threads;          /* polling threads; 0: two */
  const char *monitor_rules; /* early-warning rules file, or NULL: off */
  const char *monitor_state; /* monitor snapshot file, or NULL */
  const char *flow;          /* decision flow file, or NULL: no decisions */
} sp_http_config;

/* Opens the book and service tables in cfg->db_path and starts serving. */
int sp_http_start(const sp_http_config *cfg, sp_http_server **out,
                  sp_error *err);
/* The port actually bound. */
uint16_t sp_http_port(const sp_http_server *srv);
/* Stops serving (in-flight requests finish) and closes everything. */
void sp_http_stop(sp_http_server *srv);

/* The route table. roles is a mask of SP_ROLE_BIT()s; 0 for public
 * routes (no key needed). Paths are templates: "/v1/lines/{id}". */
typedef struct sp_http_route_info {
  const char *method;
  const char *path;
  unsigned roles;
  int money; /* 1: moves money, needs an Idempotency-Key; 2: takes one */
  const char *summary;
} sp_http_route_info;
size_t sp_http_route_count(void);
const sp_http_route_info *sp_http_route_at(size_t i);

/* Finds the route for a request: its index, or -1 when no path matches,
 * or -2 when the path matches but not with this method. */
int sp_http_route_match(const char *method, const char *path);

/* The OpenAPI 3 document for the route table (malloc'd JSON; caller
 * frees), or NULL when out of memory. */
char *sp_http_openapi(void);

#endif
