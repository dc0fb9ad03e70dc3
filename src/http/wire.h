/* The HTTP/1.1 wire of the server: polling threads that accept
 * connections, read requests (head.c parses their heads), hand each
 * complete request to the server and send its answer, now or once the
 * server resumes the connection from another thread (wire.c).
 *
 * What it keeps out (each answered by the server with its error, the
 * connection then closed where the request's end cannot be found): heads
 * over SP__HEAD_MAX bytes or SP__HEADERS_MAX headers (431), malformed
 * request lines and headers (400), HTTP versions other than 1.0 and 1.1
 * (505), transfer codings other than chunked (501), bodies over the
 * configured maximum (413: with a Content-Length, the body read and
 * dropped up to SP__DRAIN_MAX bytes so the connection can go on; chunked,
 * the connection closed). A chunked body is decoded (chunked.c) and
 * handed over as a body with a Content-Length would be. */
#ifndef SPARROW_HTTP_WIRE_H
#define SPARROW_HTTP_WIRE_H

#include <stddef.h>
#include <stdint.h>

#include "sparrow/error.h"

#define SP__HEAD_MAX 8192
#define SP__HEADERS_MAX 64
#define SP__ARGS_MAX 16
#define SP__DRAIN_MAX (1024 * 1024)
#define SP__CHUNK_LINE_MAX 1024 /* a chunk size line, with extensions */

typedef struct sp__pair {
  const char *name, *value;
} sp__pair;

/* A request's head, parsed in place: every string is NUL-terminated in the
 * connection's buffer. */
typedef struct sp__head {
  const char *method;
  const char *path; /* percent-decoded, without the query */
  int minor;        /* HTTP/1.minor */
  int n_headers, n_args;
  sp__pair header[SP__HEADERS_MAX];
  sp__pair arg[SP__ARGS_MAX]; /* the query's, '+' and %XX decoded */
  int64_t content_length;     /* 0 when absent (and when chunked) */
  int chunked;                /* "Transfer-Encoding: chunked" */
  int keep_alive;             /* after this request */
  int expect_continue;        /* "Expect: 100-continue" */
  /* A refusal (0: none): its status, and the error's code, field and
   * message; `fatal` when the connection must close after the answer. */
  int error, fatal;
  const char *error_code, *error_field, *error_message;
  char note[48]; /* a message made for a refusal */
} sp__head;

/* Parses the head in buf[0..len), which ends with the empty line
 * ("\r\n\r\n"); the refusal, if any, is in h->error. */
void sp__head_parse(char *buf, size_t len, sp__head *h);
/* Sets h's refusal (the connection to close after it); returns -1. */
int sp__head_refuse(sp__head *h, int status, const char *code,
                    const char *field, const char *message);
/* A hex digit's value, or -1 (head.c; also chunk sizes). */
int sp__hex_digit(unsigned char c);
/* A header's value (names compared without case), or NULL. */
const char *sp__head_get(const sp__head *h, const char *name);
/* A query argument's value, or NULL. */
const char *sp__head_arg(const sp__head *h, const char *name);

/* A chunked body's decoding under way, in a buffer of the request: the
 * body's decoded bytes end at `out`, and the raw bytes not decoded yet
 * follow them. */
typedef struct sp__unchunk {
  size_t in, out; /* in == out between steps */
  size_t total;   /* the body's bytes so far */
  size_t left;    /* of the chunk under way */
  size_t trailer; /* bytes of trailer fields so far */
  int state;
  int status;      /* a refusal: 400, 413 or 431 */
  const char *why; /* and its message */
} sp__unchunk;

/* Begins a body whose first raw byte is at `at`. */
void sp__unchunk_start(sp__unchunk *u, size_t at);
/* Decodes what has come of buf[0, *len) and drops the raw bytes it has
 * decoded (*len less by them): 1 when the body has ended (its bytes in
 * buf[at, u->out), a next request's from there), 0 while more must come,
 * -1 for a refusal (u->status, u->why; the body's end is then
 * unknown). `max`: the most the body may hold. */
int sp__unchunk_step(sp__unchunk *u, char *buf, size_t *len, size_t max);

typedef struct sp__wire sp__wire;
typedef struct sp__conn sp__conn;

typedef struct sp__wire_config {
  const char *host; /* IPv4 */
  uint16_t port;    /* 0: any free one */
  unsigned threads;
  unsigned max_conns;
  unsigned idle_s;  /* a connection idle this long is closed */
  size_t body_max;  /* larger bodies are refused (413) */
  const char *name; /* the polling threads' name */
  void *ctx;
  /* A connection's own state (NULL: closed at once), and its end. */
  void *(*open)(void *ctx);
  void (*close)(void *ctx, void *state);
  /* A request: its head (h->error set for a refusal; then body_len is 0)
   * and its body. The server answers with sp__wire_answer, in this call
   * or after sp__wire_resume; until then the connection reads nothing
   * and the head and body stay where they are. */
  void (*request)(void *ctx, sp__conn *c, void *state, const sp__head *h,
                  const char *body, size_t body_len);
  /* The connection resumed (on its polling thread). */
  void (*resumed)(void *ctx, sp__conn *c, void *state);
} sp__wire_config;

int sp__wire_start(const sp__wire_config *cfg, sp__wire **out, sp_error *err);
uint16_t sp__wire_port(const sp__wire *w);
/* Stops the threads: resumed connections are answered first, then every
 * connection is closed. */
void sp__wire_stop(sp__wire *w);

/* Answers c's request (its polling thread only): status, Content-Type,
 * more header lines ("Name: value\r\n"..., or NULL), and the body, freed
 * once sent when `owned`. */
void sp__wire_answer(sp__conn *c, int status, const char *type,
                     const char *extra, char *body, size_t len, int owned);
/* From any thread: c's polling thread calls `resumed` for it. */
void sp__wire_resume(sp__conn *c);

#endif
