/* The HTTP/1.1 wire (src/http/wire.c, head.c): request heads parsed by
 * hand-worked examples and refused per RFC 9112, and a real server on a
 * loopback port driven over raw sockets (pipelining, bodies in pieces,
 * 100 Continue, refusals and what becomes of the connection, answers from
 * another thread, HEAD, HTTP/1.0, idle timeout, connection limit), and
 * chunked bodies decoded whole and in pieces (chunked.c). Every
 * expected answer is what the test sent, echoed, written here by hand. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "http/wire.h"

/* --- heads --- */

static void parse(const char *text, sp__head *h, char *buf, size_t cap) {
  size_t n = strlen(text);
  assert_true(n < cap);
  memcpy(buf, text, n + 1);
  sp__head_parse(buf, n, h);
}

static void test_head_values(void **state) {
  (void)state;
  char buf[1024];
  sp__head h;
  parse("GET /v1/a%20b/c?status=referred&x=1+2%21&&flag HTTP/1.1\r\n"
        "Host: 127.0.0.1\r\n"
        "authorization:   Bearer k \t\r\n"
        "Idempotency-Key: d1\r\n\r\n",
        &h, buf, sizeof buf);
  assert_int_equal(h.error, 0);
  assert_string_equal(h.method, "GET");
  assert_string_equal(h.path, "/v1/a b/c");
  assert_int_equal(h.minor, 1);
  assert_int_equal(h.keep_alive, 1);
  assert_int_equal(h.content_length, 0);
  assert_int_equal(h.n_headers, 3);
  assert_string_equal(sp__head_get(&h, "Authorization"), "Bearer k");
  assert_string_equal(sp__head_get(&h, "IDEMPOTENCY-KEY"), "d1");
  assert_null(sp__head_get(&h, "Content-Type"));
  assert_int_equal(h.n_args, 3);
  assert_string_equal(sp__head_arg(&h, "status"), "referred");
  assert_string_equal(sp__head_arg(&h, "x"), "1 2!");
  assert_string_equal(sp__head_arg(&h, "flag"), "");
  assert_null(sp__head_arg(&h, "Status"));

  parse("POST /x HTTP/1.0\r\nContent-Length: 12\r\ncontent-length: 12\r\n\r\n",
        &h, buf, sizeof buf);
  assert_int_equal(h.error, 0);
  assert_int_equal(h.minor, 0);
  assert_int_equal(h.keep_alive, 0); /* 1.0 closes unless asked */
  assert_int_equal(h.content_length, 12);
  parse("GET /x HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n", &h, buf,
        sizeof buf);
  assert_int_equal(h.keep_alive, 1);
  parse("GET /x HTTP/1.1\r\nHost: h\r\nConnection: TE, close\r\n\r\n", &h, buf,
        sizeof buf);
  assert_int_equal(h.keep_alive, 0);
  parse("PUT /x HTTP/1.1\r\nHost: h\r\nExpect: 100-Continue\r\n"
        "Content-Length: 5\r\n\r\n",
        &h, buf, sizeof buf);
  assert_int_equal(h.error, 0);
  assert_int_equal(h.expect_continue, 1);
  assert_int_equal(h.content_length, 5);
  parse("POST /x HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: Chunked\r\n\r\n", &h,
        buf, sizeof buf);
  assert_int_equal(h.error, 0);
  assert_int_equal(h.chunked, 1);
  assert_int_equal(h.content_length, 0);
}

typedef struct refusal {
  const char *text;
  int status;
  const char *code, *field;
} refusal;

static void test_head_refusals(void **state) {
  (void)state;
  static const refusal cases[] = {
      {"GET /x HTTP/1.1\r\n\r\n", 400, "malformed_request", "Host"},
      {"GET /x HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400,
       "malformed_request", "Host"},
      {"GET /x HTTP/1.1\nHost: a\r\n\r\n", 400, "malformed_request", "headers"},
      {"GET /x HTTP/1.1\r\nHost: a\nX: y\r\n\r\n", 400, "malformed_request",
       "headers"},
      {"GET /x HTTP/1.1\r\nHost : a\r\n\r\n", 400, "malformed_request",
       "headers"},
      {"GET /x HTTP/1.1\r\nHost: a\r\nX: y\r\n z\r\n\r\n", 400,
       "malformed_request", "headers"},
      {"GET /x HTTP/1.1\r\nHost: a\r\nNoColon\r\n\r\n", 400,
       "malformed_request", "headers"},
      {"GET /x HTTP/1.1\r\nHost: a\r\nX-A: b\x01"
       "c\r\n\r\n",
       400, "malformed_request", "X-A"},
      {"GET /x HTTP/2.0\r\nHost: a\r\n\r\n", 505, "http_version_not_supported",
       "version"},
      {"GET /x HTTP/1.2\r\nHost: a\r\n\r\n", 505, "http_version_not_supported",
       "version"},
      {"GET /x HTTP/1.1x\r\nHost: a\r\n\r\n", 400, "malformed_request",
       "version"},
      {"GET /x\r\nHost: a\r\n\r\n", 400, "malformed_request", "request line"},
      {"GET  /x HTTP/1.1\r\nHost: a\r\n\r\n", 400, "malformed_request",
       "request line"},
      {"G(T /x HTTP/1.1\r\nHost: a\r\n\r\n", 400, "malformed_request",
       "method"},
      {"GET x HTTP/1.1\r\nHost: a\r\n\r\n", 400, "malformed_request", "path"},
      {"GET http://a/x HTTP/1.1\r\nHost: a\r\n\r\n", 400, "malformed_request",
       "path"},
      {"GET /a%00b HTTP/1.1\r\nHost: a\r\n\r\n", 400, "malformed_request",
       "path"},
      {"GET /a?k=%00 HTTP/1.1\r\nHost: a\r\n\r\n", 400, "malformed_request",
       "query"},
      {"GET /a?1&2&3&4&5&6&7&8&9&10&11&12&13&14&15&16&17 HTTP/1.1\r\n"
       "Host: a\r\n\r\n",
       400, "malformed_request", "query"},
      {"POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n"
       "Content-Length: 6\r\n\r\n",
       400, "malformed_request", "Content-Length"},
      {"POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: +5\r\n\r\n", 400,
       "malformed_request", "Content-Length"},
      {"POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 5, 5\r\n\r\n", 400,
       "malformed_request", "Content-Length"},
      {"POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: "
       "1234567890123456789\r\n\r\n",
       400, "malformed_request", "Content-Length"},
      {"POST /x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n"
       "\r\n",
       501, "not_implemented", "Transfer-Encoding"},
      {"POST /x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n"
       "Transfer-Encoding: chunked\r\n\r\n",
       400, "malformed_request", "Transfer-Encoding"},
      {"POST /x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n"
       "Content-Length: 5\r\n\r\n",
       400, "malformed_request", "Transfer-Encoding"},
      {"POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n"
       "Transfer-Encoding: chunked\r\n\r\n",
       400, "malformed_request", "Transfer-Encoding"},
      {"POST /x HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", 400,
       "malformed_request", "Transfer-Encoding"},
      {"POST /x HTTP/1.1\r\nHost: a\r\nExpect: 200-ok\r\n\r\n", 417,
       "expectation_failed", "Expect"},
      {"\r\n\r\n", 400, "malformed_request", "headers"},
  };
  char buf[1024];
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    sp__head h;
    parse(cases[i].text, &h, buf, sizeof buf);
    if (h.error != cases[i].status ||
        strcmp(h.error_code, cases[i].code) != 0 ||
        strcmp(h.error_field, cases[i].field) != 0)
      fail_msg("case %zu: %d %s %s, want %d %s %s", i, h.error,
               h.error_code ? h.error_code : "-",
               h.error_field ? h.error_field : "-", cases[i].status,
               cases[i].code, cases[i].field);
    assert_int_equal(h.fatal, 1);
  }
  /* 64 headers are taken, 65 refused */
  char big[2048];
  int n = snprintf(big, sizeof big, "GET / HTTP/1.1\r\n");
  for (int i = 0; i < 63; i++)
    n += snprintf(big + n, sizeof big - (size_t)n, "X-%d: v\r\n", i);
  char with64[4096], with65[4096];
  snprintf(with64, sizeof with64, "%sHost: a\r\n\r\n", big);
  snprintf(with65, sizeof with65, "%sX: v\r\nHost: a\r\n\r\n", big);
  sp__head h;
  char copy[4096];
  parse(with64, &h, copy, sizeof copy);
  assert_int_equal(h.error, 0);
  assert_int_equal(h.n_headers, 64);
  parse(with65, &h, copy, sizeof copy);
  assert_int_equal(h.error, 431);
  assert_string_equal(h.error_code, "headers_too_large");
}

/* --- chunked bodies, decoded in place --- */

/* Decodes `raw` given all at once, or a byte more at each call when
 * `bytewise`: the step's last result, the body in `body`, in *rest what
 * follows the body's end (what is left in the buffer, then what was not
 * given), and in *kept the bytes left in the buffer. */
static int unchunk_text(const char *raw, int bytewise, size_t max,
                        sp__unchunk *u, char *body, char *rest, size_t *kept) {
  static char buf[65536];
  size_t n = strlen(raw), len = 0, given = 0;
  assert_true(n < sizeof buf);
  sp__unchunk_start(u, 0);
  int rc = 0;
  while (given < n) {
    size_t more = bytewise ? 1 : n - given;
    memcpy(buf + len, raw + given, more);
    len += more, given += more;
    rc = sp__unchunk_step(u, buf, &len, max);
    if (rc != 0)
      break;
  }
  assert_true(rc < 0 || u->out <= len);
  memcpy(body, buf, u->out);
  body[u->out] = '\0';
  size_t left = rc < 0 ? 0 : len - u->out;
  memcpy(rest, buf + u->out, left);
  strcpy(rest + left, raw + given);
  *kept = len;
  return rc;
}

static void test_unchunk(void **state) {
  (void)state;
  static const struct {
    const char *raw, *body, *rest;
  } good[] = {
      {"5\r\nhello\r\n0\r\n\r\n", "hello", ""},
      /* extensions, upper and lower case hex, a trailer field, and the
       * next request's bytes after the end */
      {"5;a=b\r\nhello\r\n6 ;x\r\n world\r\nA\r\n0123456789\r\n"
       "0\r\nX-Sum: 1\r\n\r\nGET /next",
       "hello world0123456789", "GET /next"},
      {"0000000a\r\nabcdefghij\r\n0\r\n\r\n", "abcdefghij", ""},
      {"0\r\n\r\n", "", ""},
  };
  sp__unchunk u;
  char body[16384];
  char rest[16384];
  size_t kept;
  for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
    for (int bytewise = 0; bytewise < 2; bytewise++) {
      int rc = unchunk_text(good[i].raw, bytewise, 100, &u, body, rest, &kept);
      if (rc != 1 || strcmp(body, good[i].body) != 0 ||
          strcmp(rest, good[i].rest) != 0)
        fail_msg("case %zu (bytewise %d): %d [%s] [%s]", i, bytewise, rc, body,
                 rest);
    }
  /* not ended yet: each prefix of a body asks for more */
  assert_int_equal(unchunk_text("5\r\nhel", 0, 100, &u, body, rest, &kept), 0);
  assert_int_equal(
      unchunk_text("5\r\nhello\r\n0\r\n\r", 0, 100, &u, body, rest, &kept), 0);
  static const struct {
    const char *raw;
    int status;
  } bad[] = {
      {"g\r\n", 400},               /* not hex */
      {"\r\n", 400},                /* no size */
      {"123456789\r\n", 400},       /* nine digits */
      {"5 x\r\nhello\r\n", 400},    /* after the size, not ";" */
      {"5\nhello\r\n", 400},        /* LF alone */
      {"5\r\nhelloX\r\n", 400},     /* data not followed by CRLF */
      {"5;\x01\r\nhello\r\n", 400}, /* a control byte */
      {"65\r\n", 413},              /* 101 bytes, over 100 */
      {"32\r\n", 0},                /* 50: taken, more to come */
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
    for (int bytewise = 0; bytewise < 2; bytewise++) {
      int rc = unchunk_text(bad[i].raw, bytewise, 100, &u, body, rest, &kept);
      if (bad[i].status == 0 ? rc != 0 : rc != -1 || u.status != bad[i].status)
        fail_msg("bad case %zu (bytewise %d): %d %d", i, bytewise, rc,
                 u.status);
    }
  /* two chunks of 60 are over 100 together */
  assert_int_equal(unchunk_text("3c\r\n"
                                "0123456789012345678901234567890123456789"
                                "01234567890123456789\r\n3c\r\n",
                                0, 100, &u, body, rest, &kept),
                   -1);
  assert_int_equal(u.status, 413);
  /* chunks of a byte with 998 bytes of extensions each: the buffer keeps
   * only their bytes (and, given all at once, never more than was given) */
  static char many[60 * 1005 + 1];
  for (int i = 0; i < 60; i++) {
    char *c = many + i * 1005;
    memset(c, 'e', 1005);
    memcpy(c, "1;", 2);
    memcpy(c + 1000, "\r\nb\r\n", 5);
  }
  for (int bytewise = 0; bytewise < 2; bytewise++) {
    assert_int_equal(unchunk_text(many, bytewise, 100, &u, body, rest, &kept),
                     0);
    assert_int_equal(kept, 60);
    assert_int_equal(u.out, 60);
    assert_int_equal(body[59], 'b');
  }
  /* a chunk line without its end within 1024 bytes; trailers over 8192 */
  static char raw[12000];
  memset(raw, 0, sizeof raw);
  strcpy(raw, "1;");
  memset(raw + 2, 'e', 1100);
  assert_int_equal(unchunk_text(raw, 0, 100, &u, body, rest, &kept), -1);
  assert_int_equal(u.status, 400);
  strcpy(raw, "0\r\n");
  for (int i = 0; i < 100; i++)
    strcat(raw, "X-Trailer-Field: 0123456789012345678901234567890123456789"
                "01234567890123456789012345678901234567890123\r\n");
  assert_int_equal(unchunk_text(raw, 0, 100, &u, body, rest, &kept), -1);
  assert_int_equal(u.status, 431);
}

/* --- a real server --- */

typedef struct echo {
  pthread_mutex_t mu;
  sp__conn *later[8]; /* requests for /later, answered from a thread */
  char later_body[8][64];
  int n_later;
  int opened, closed;
} echo;

static void *e_open(void *ctx) {
  echo *e = ctx;
  pthread_mutex_lock(&e->mu);
  e->opened++;
  pthread_mutex_unlock(&e->mu);
  return malloc(64); /* the connection's state: its last answer */
}

static void e_close(void *ctx, void *state) {
  echo *e = ctx;
  pthread_mutex_lock(&e->mu);
  e->closed++;
  pthread_mutex_unlock(&e->mu);
  free(state);
}

/* "METHOD PATH [BODY]", or the refusal "STATUS CODE FIELD" */
static void e_request(void *ctx, sp__conn *c, void *state, const sp__head *h,
                      const char *body, size_t len) {
  echo *e = ctx;
  char *out = malloc(256);
  int n;
  if (h->error)
    n = snprintf(out, 256, "%d %s %s", h->error, h->error_code, h->error_field);
  else
    n = snprintf(out, 256, "%s %s [%.*s]", h->method, h->path, (int)len, body);
  if (n > 255)
    n = 255; /* what fitted */
  if (!h->error && strcmp(h->path, "/later") == 0) {
    pthread_mutex_lock(&e->mu);
    snprintf(state, 64, "%s", out);
    e->later[e->n_later++] = c;
    pthread_mutex_unlock(&e->mu);
    free(out);
    return;
  }
  sp__wire_answer(c, h->error ? h->error : 200, "text/plain", NULL, out,
                  (size_t)n, 1);
}

static void e_resumed(void *ctx, sp__conn *c, void *state) {
  (void)ctx;
  char *out = strdup(state);
  sp__wire_answer(c, 201, "text/plain", "X-Later: yes\r\n", out, strlen(out),
                  1);
}

static void *resume_later(void *arg) {
  echo *e = arg;
  for (int tries = 0; tries < 2000; tries++) {
    pthread_mutex_lock(&e->mu);
    int n = e->n_later;
    pthread_mutex_unlock(&e->mu);
    if (n > 0)
      break;
    usleep(1000);
  }
  usleep(20000);
  pthread_mutex_lock(&e->mu);
  for (int i = 0; i < e->n_later; i++)
    sp__wire_resume(e->later[i]);
  e->n_later = 0;
  pthread_mutex_unlock(&e->mu);
  return NULL;
}

static sp__wire *start(echo *e, unsigned max_conns, unsigned idle_s) {
  memset(e, 0, sizeof *e);
  pthread_mutex_init(&e->mu, NULL);
  sp__wire_config cfg = {.host = "127.0.0.1",
                         .threads = 2,
                         .max_conns = max_conns,
                         .idle_s = idle_s,
                         .body_max = 10000,
                         .name = "poller",
                         .ctx = e,
                         .open = e_open,
                         .close = e_close,
                         .request = e_request,
                         .resumed = e_resumed};
  sp__wire *w = NULL;
  sp_error err;
  assert_int_equal(sp__wire_start(&cfg, &w, &err), SP_OK);
  return w;
}

/* fd connected to the wire, its reads bounded in time. */
static int connect_to(int fd, sp__wire *w) {
  struct sockaddr_in a = {.sin_family = AF_INET,
                          .sin_port = htons(sp__wire_port(w))};
  inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
  assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof a), 0);
  struct timeval tv = {5, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  return fd;
}

static int dial(sp__wire *w) {
  return connect_to(socket(AF_INET, SOCK_STREAM, 0), w);
}

static void say(int fd, const char *s) {
  assert_int_equal(send(fd, s, strlen(s), MSG_NOSIGNAL), (ssize_t)strlen(s));
}

/* s sent a byte at a time, each in a segment of its own. */
static void say_bytewise(int fd, const char *s) {
  for (const char *p = s; *p; p++) {
    assert_int_equal(send(fd, p, 1, MSG_NOSIGNAL), 1);
    usleep(200);
  }
}

/* One answer: its status, one header's value (or ""), and its body. */
typedef struct answer {
  int status;
  char header[64];
  char body[256];
  int closed; /* "Connection: close" */
} answer;

static int read_exact(int fd, char *buf, size_t n) {
  size_t got = 0;
  while (got < n) {
    ssize_t k = recv(fd, buf + got, n - got, 0);
    if (k <= 0)
      return -1;
    got += (size_t)k;
  }
  return 0;
}

/* Reads one answer byte by byte up to its blank line, then its body (none
 * for a HEAD). -1 when the connection ends first. */
static int hear(int fd, const char *header, int head_only, answer *a) {
  char top[2048];
  size_t n = 0;
  memset(a, 0, sizeof *a);
  while (n < 4 || memcmp(top + n - 4, "\r\n\r\n", 4) != 0) {
    if (n + 1 >= sizeof top || read_exact(fd, top + n, 1) != 0)
      return -1;
    n++;
  }
  top[n] = '\0';
  a->status = atoi(top + 9);
  assert_memory_equal(top, "HTTP/1.1 ", 9);
  const char *cl = strstr(top, "\r\nContent-Length: ");
  assert_non_null(cl);
  size_t len = (size_t)atol(cl + 18);
  assert_non_null(strstr(top, "\r\nDate: "));
  a->closed = strstr(top, "\r\nConnection: close\r\n") != NULL;
  if (header != NULL) {
    char key[80];
    snprintf(key, sizeof key, "\r\n%s: ", header);
    const char *h = strstr(top, key);
    if (h != NULL)
      sscanf(h + strlen(key), "%63[^\r]", a->header);
  }
  if (!head_only) {
    assert_true(len < sizeof a->body);
    if (read_exact(fd, a->body, len) != 0)
      return -1;
  }
  return 0;
}

/* A 100 Continue, before the answer. */
static void hear_continue(int fd) {
  char cont[26] = {0};
  assert_int_equal(read_exact(fd, cont, 25), 0);
  assert_string_equal(cont, "HTTP/1.1 100 Continue\r\n\r\n");
}

/* The server closed: the next read sees the end (or a reset). */
static int ended(int fd) {
  char c;
  return recv(fd, &c, 1, 0) <= 0;
}

static void test_wire_requests(void **state) {
  (void)state;
  echo e;
  sp__wire *w = start(&e, 64, 30);
  answer a;
  int fd = dial(w);
  /* two requests in one write, answered in order on one connection */
  say(fd, "POST /a HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nhello"
          "GET /b?x=1 HTTP/1.1\r\nHost: h\r\n\r\n");
  assert_int_equal(hear(fd, NULL, 0, &a), 0);
  assert_int_equal(a.status, 200);
  assert_string_equal(a.body, "POST /a [hello]");
  assert_int_equal(hear(fd, NULL, 0, &a), 0);
  assert_string_equal(a.body, "GET /b []");
  /* twenty in one write: more than a connection is given in one round
   * (8), the rest in the next rounds, in order */
  char many[2048];
  size_t at = 0;
  for (int i = 0; i < 20; i++)
    at += (size_t)snprintf(many + at, sizeof many - at,
                           "GET /p%d HTTP/1.1\r\nHost: h\r\n\r\n", i);
  say(fd, many);
  for (int i = 0; i < 20; i++) {
    char want[32];
    snprintf(want, sizeof want, "GET /p%d []", i);
    assert_int_equal(hear(fd, NULL, 0, &a), 0);
    assert_string_equal(a.body, want);
  }
  /* a head and body sent a byte at a time */
  say_bytewise(fd, "PUT /slow HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n"
                   "\r\nabc");
  assert_int_equal(hear(fd, NULL, 0, &a), 0);
  assert_string_equal(a.body, "PUT /slow [abc]");
  /* 100 Continue before the body */
  say(fd, "POST /c HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\n"
          "Content-Length: 4\r\n\r\n");
  hear_continue(fd);
  say(fd, "body");
  assert_int_equal(hear(fd, NULL, 0, &a), 0);
  assert_string_equal(a.body, "POST /c [body]");
  /* a body over the limit (10,000 here): 413, dropped, and the connection
   * goes on */
  static char big[10200];
  int n = snprintf(big, sizeof big,
                   "POST /big HTTP/1.1\r\nHost: h\r\nContent-Length: "
                   "10050\r\n\r\n");
  memset(big + n, '0', 10050);
  big[n + 10050] = '\0';
  say(fd, big);
  say(fd, "GET /after HTTP/1.1\r\nHost: h\r\n\r\n");
  assert_int_equal(hear(fd, NULL, 0, &a), 0);
  assert_int_equal(a.status, 413);
  assert_string_equal(a.body, "413 body_too_large body");
  assert_int_equal(a.closed, 0);
  assert_int_equal(hear(fd, NULL, 0, &a), 0);
  assert_string_equal(a.body, "GET /after []");
  /* a body larger than the first buffer: the head read before it is still
   * right (the buffer moved under it) */
  n = snprintf(big, sizeof big,
               "POST /long?k=v HTTP/1.1\r\nHost: h\r\nContent-Length: "
               "9000\r\n\r\n");
  memset(big + n, 'b', 9000);
  big[n + 9000] = '\0';
  say(fd, big);
  assert_int_equal(hear(fd, NULL, 0, &a), 0);
  assert_memory_equal(a.body, "POST /long [bbbb", 16);
  /* chunked bodies: in one write with the next request behind, a byte at
   * a time, and after a 100 Continue */
  say(fd, "POST /ch HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
          "3;x=y\r\nabc\r\n2\r\nde\r\n0\r\nX-T: 1\r\n\r\n"
          "GET /behind HTTP/1.1\r\nHost: h\r\n\r\n");
  assert_int_equal(hear(fd, NULL, 0, &a), 0);
  assert_int_equal(a.status, 200);
  assert_string_equal(a.body, "POST /ch [abcde]");
  assert_int_equal(hear(fd, NULL, 0, &a), 0);
  assert_string_equal(a.body, "GET /behind []");
  say_bytewise(fd, "POST /sc HTTP/1.1\r\nHost: h\r\n"
                   "Transfer-Encoding: chunked\r\n\r\n"
                   "4\r\nwxyz\r\n1\r\n!\r\n0\r\n\r\n");
  assert_int_equal(hear(fd, NULL, 0, &a), 0);
  assert_string_equal(a.body, "POST /sc [wxyz!]");
  say(fd, "POST /cc HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\n"
          "Transfer-Encoding: chunked\r\n\r\n");
  hear_continue(fd);
  say(fd, "2\r\nok\r\n0\r\n\r\n");
  assert_int_equal(hear(fd, NULL, 0, &a), 0);
  assert_string_equal(a.body, "POST /cc [ok]");
  /* many chunks of a byte with long extensions: the buffer keeps the
   * body, not the chunk lines (9,000 bytes of body in 9 MB sent) */
  say(fd, "POST /many HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n"
          "\r\n");
  static char chunk[1030];
  memset(chunk, 'e', sizeof chunk);
  memcpy(chunk, "1;", 2);
  memcpy(chunk + 1000, "\r\nb\r\n", 6);
  for (int i = 0; i < 9000; i++)
    assert_int_equal(send(fd, chunk, 1005, MSG_NOSIGNAL), 1005);
  say(fd, "0\r\n\r\n");
  assert_int_equal(hear(fd, NULL, 0, &a), 0);
  assert_memory_equal(a.body, "POST /many [bbbb", 16);
  /* HEAD: the length of the answer, not the answer */
  say(fd,
      "HEAD /h HTTP/1.1\r\nHost: h\r\n\r\nGET /g HTTP/1.1\r\nHost: h\r\n\r\n");
  assert_int_equal(hear(fd, "Content-Length", 1, &a), 0);
  assert_string_equal(a.header, "10"); /* "HEAD /h []" */
  assert_int_equal(hear(fd, NULL, 0, &a), 0);
  assert_string_equal(a.body, "GET /g []");
  /* answered from another thread, the connection reading nothing until
   * then; the request behind it waits its turn */
  pthread_t t;
  pthread_create(&t, NULL, resume_later, &e);
  say(fd, "POST /later HTTP/1.1\r\nHost: h\r\nContent-Length: 2\r\n\r\nzz"
          "GET /next HTTP/1.1\r\nHost: h\r\n\r\n");
  assert_int_equal(hear(fd, "X-Later", 0, &a), 0);
  assert_int_equal(a.status, 201);
  assert_string_equal(a.header, "yes");
  assert_string_equal(a.body, "POST /later [zz]");
  assert_int_equal(hear(fd, NULL, 0, &a), 0);
  assert_string_equal(a.body, "GET /next []");
  pthread_join(t, NULL);
  /* the client's "close" is kept */
  say(fd, "GET /bye HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n");
  assert_int_equal(hear(fd, NULL, 0, &a), 0);
  assert_int_equal(a.closed, 1);
  assert_true(ended(fd));
  close(fd);
  /* HTTP/1.0 closes unless asked to keep alive */
  fd = dial(w);
  say(fd, "GET /old HTTP/1.0\r\n\r\n");
  assert_int_equal(hear(fd, NULL, 0, &a), 0);
  assert_string_equal(a.body, "GET /old []");
  assert_true(ended(fd));
  close(fd);
  sp__wire_stop(w);
  assert_int_equal(e.opened, e.closed);
}

/* Refusals after which the request's end is unknown close the
 * connection. */
static void test_wire_refusals(void **state) {
  (void)state;
  echo e;
  sp__wire *w = start(&e, 64, 30);
  answer a;
  static const struct {
    const char *send, *body;
    int status;
  } cases[] = {
      {"POST /x HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip\r\n\r\n"
       "5\r\nhello\r\n0\r\n\r\n",
       "501 not_implemented Transfer-Encoding", 501},
      {"POST /x HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
       "5\r\nhello\r\nz\r\n",
       "400 malformed_request body", 400},
      {"POST /x HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
       "4000\r\n",
       "413 body_too_large body", 413},
      {"GET /x HTTP/1.1\r\nHost: h\r\nBad Header: v\r\n\r\n",
       "400 malformed_request headers", 400},
      {"GET /x HTTP/3.0\r\nHost: h\r\n\r\n",
       "505 http_version_not_supported version", 505},
      {"POST /x HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\n"
       "Content-Length: 10001\r\n\r\n",
       "413 body_too_large body", 413},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    int fd = dial(w);
    say(fd, cases[i].send);
    assert_int_equal(hear(fd, NULL, 0, &a), 0);
    assert_int_equal(a.status, cases[i].status);
    assert_string_equal(a.body, cases[i].body);
    assert_int_equal(a.closed, 1);
    assert_true(ended(fd));
    close(fd);
  }
  /* a head that has not ended within 8192 bytes (exactly those sent, so
   * that the server reads all before it closes) */
  int fd = dial(w);
  char head[8192];
  const char *first = "GET /x HTTP/1.1\r\nHost: h\r\n";
  memset(head, 'a', sizeof head);
  memcpy(head, first, strlen(first));
  for (size_t at = strlen(first); at + 1000 <= sizeof head; at += 1000) {
    memcpy(head + at, "X-Pad: ", 7);
    memcpy(head + at + 998, "\r\n", 2);
  }
  assert_int_equal(send(fd, head, sizeof head, MSG_NOSIGNAL),
                   (ssize_t)sizeof head);
  assert_int_equal(hear(fd, NULL, 0, &a), 0);
  assert_int_equal(a.status, 431);
  assert_string_equal(a.body, "431 headers_too_large headers");
  assert_true(ended(fd));
  close(fd);
  sp__wire_stop(w);
}

static void test_wire_limits(void **state) {
  (void)state;
  echo e;
  sp__wire *w = start(&e, 3, 1);
  answer a;
  int fds[3];
  for (int i = 0; i < 3; i++) {
    fds[i] = dial(w);
    say(fds[i], "GET /i HTTP/1.1\r\nHost: h\r\n\r\n");
    assert_int_equal(hear(fds[i], NULL, 0, &a), 0);
  }
  /* a fourth connection over the limit of three is closed at once */
  int extra = dial(w);
  send(extra, "GET /i HTTP/1.1\r\nHost: h\r\n\r\n", 29, MSG_NOSIGNAL);
  assert_true(ended(extra));
  close(extra);
  /* idle ones are closed after a second (and at most two) */
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  assert_true(ended(fds[0]));
  clock_gettime(CLOCK_MONOTONIC, &t1);
  double s = (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
  assert_true(s >= 0.5 && s < 3.5);
  for (int i = 0; i < 3; i++)
    close(fds[i]);
  /* and the room they leave is taken again */
  usleep(100000);
  int fd = dial(w);
  say(fd, "GET /again HTTP/1.1\r\nHost: h\r\n\r\n");
  assert_int_equal(hear(fd, NULL, 0, &a), 0);
  assert_string_equal(a.body, "GET /again []");
  close(fd);
  sp__wire_stop(w);
  assert_int_equal(e.opened, e.closed);
}

/* Out of descriptors, a connection is closed at once (not left queued
 * while the polling threads wake in vain), and once descriptors are free
 * again the server goes on. */
static void test_wire_out_of_descriptors(void **state) {
  (void)state;
  echo e;
  sp__wire *w = start(&e, 64, 30);
  int fd = socket(AF_INET, SOCK_STREAM, 0); /* made while there are some */
  struct rlimit old, low;
  assert_int_equal(getrlimit(RLIMIT_NOFILE, &old), 0);
  low = old;
  low.rlim_cur = 256;
  assert_int_equal(setrlimit(RLIMIT_NOFILE, &low), 0);
  int held[256], n = 0;
  while (n < 256 && (held[n] = dup(0)) >= 0)
    n++;
  assert_true(n < 256); /* the limit was reached */
  connect_to(fd, w);
  say(fd, "GET /x HTTP/1.1\r\nHost: h\r\n\r\n");
  char c;
  ssize_t k = recv(fd, &c, 1, 0);
  int why = errno;
  close(fd);
  while (n > 0)
    close(held[--n]);
  assert_int_equal(setrlimit(RLIMIT_NOFILE, &old), 0);
  /* closed (the request unread: a reset, or an end), not a timeout */
  if (!(k == 0 || (k < 0 && why == ECONNRESET)))
    fail_msg("recv: %zd, %s", k, strerror(why));
  usleep(100000); /* the spare descriptor is taken again on the next one */
  answer an;
  fd = dial(w);
  say(fd, "GET /back HTTP/1.1\r\nHost: h\r\n\r\n");
  assert_int_equal(hear(fd, NULL, 0, &an), 0);
  assert_string_equal(an.body, "GET /back []");
  close(fd);
  sp__wire_stop(w);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_head_values),
      cmocka_unit_test(test_head_refusals),
      cmocka_unit_test(test_unchunk),
      cmocka_unit_test(test_wire_requests),
      cmocka_unit_test(test_wire_refusals),
      cmocka_unit_test(test_wire_limits),
      cmocka_unit_test(test_wire_out_of_descriptors),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
