/* libFuzzer target for the server's HTTP/1.1 wire (src/http/wire.c and
 * head.c): any bytes sent on a real loopback connection, then the sending
 * side shut, to a wire with two polling threads whose requests are echoed,
 * some answered at once and some (path /later) after a resume. The server
 * must not crash, overrun or hit undefined behaviour (AddressSanitizer and
 * UndefinedBehaviorSanitizer cover its threads too), must close the
 * connection within seconds, and every answer it sends must be a
 * well-formed HTTP/1.1 answer whose Content-Length is the body that
 * follows. Run by `make fuzz` (FUZZ_SECONDS, 60 by default). */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "http/wire.h"

static void *f_open(void *ctx) {
  (void)ctx;
  return malloc(1);
}

static void f_close(void *ctx, void *state) {
  (void)ctx;
  free(state);
}

/* The answer to a HEAD is empty, so that every answer's Content-Length is
 * the body that follows it. */
static void answer(sp__conn *c, const sp__head *h, const char *body,
                   size_t len) {
  char *out = malloc(128);
  int n = h->error ? snprintf(out, 128, "%d %s %s", h->error, h->error_code,
                              h->error_field)
                   : snprintf(out, 128, "%s %s %zu %d", h->method, h->path, len,
                              len ? body[0] : 0);
  if (h->method != NULL && strcmp(h->method, "HEAD") == 0)
    n = 0; /* refused or not */
  sp__wire_answer(c, h->error ? h->error : 200, "text/plain", NULL, out,
                  n > 127 ? 127 : (size_t)n, 1);
}

static void f_request(void *ctx, sp__conn *c, void *state, const sp__head *h,
                      const char *body, size_t len) {
  (void)ctx, (void)state;
  if (!h->error && strcmp(h->path, "/later") == 0) {
    *(char *)state = strcmp(h->method, "HEAD") == 0 ? 'H' : 'P';
    sp__wire_resume(c); /* answered on resume */
    return;
  }
  answer(c, h, body, len);
}

static void f_resumed(void *ctx, sp__conn *c, void *state) {
  (void)ctx;
  static const sp__head head = {.method = "HEAD", .path = "/later"};
  static const sp__head post = {.method = "POST", .path = "/later"};
  answer(c, *(char *)state == 'H' ? &head : &post, "", 0);
}

static sp__wire *wire;

static void start(void) {
  sp__wire_config cfg = {.host = "127.0.0.1",
                         .threads = 2,
                         .max_conns = 16,
                         .idle_s = 30,
                         .body_max = 300,
                         .name = "poller",
                         .open = f_open,
                         .close = f_close,
                         .request = f_request,
                         .resumed = f_resumed};
  sp_error err;
  if (sp__wire_start(&cfg, &wire, &err) != SP_OK)
    abort();
}

/* Every answer well formed: "HTTP/1.1 NNN ", headers, a Content-Length,
 * and that many bytes of body (or a 100 Continue). */
static void check(const char *b, size_t n) {
  size_t at = 0;
  while (at < n) {
    const char *end = memmem(b + at, n - at, "\r\n\r\n", 4);
    if (end == NULL || memcmp(b + at, "HTTP/1.1 ", 9) != 0)
      abort();
    size_t head = (size_t)(end - (b + at)) + 4;
    if (head == 25 && memcmp(b + at, "HTTP/1.1 100 Continue", 21) == 0) {
      at += head;
      continue;
    }
    const char *cl = memmem(b + at, head, "\r\nContent-Length: ", 18);
    if (cl == NULL)
      abort();
    at += head + strtoul(cl + 18, NULL, 10);
    if (at > n)
      abort();
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (wire == NULL)
    start();
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in a = {.sin_family = AF_INET,
                          .sin_port = htons(sp__wire_port(wire))};
  inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
  if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0)
    abort();
  struct timeval tv = {5, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  size_t sent = 0;
  while (sent < size) {
    ssize_t k = send(fd, data + sent, size - sent, MSG_NOSIGNAL);
    if (k <= 0)
      break; /* closed by the server: a refusal */
    sent += (size_t)k;
  }
  shutdown(fd, SHUT_WR);
  static char got[1 << 20];
  size_t n = 0;
  for (;;) {
    ssize_t k = recv(fd, got + n, sizeof got - n, 0);
    if (k == 0)
      break;
    if (k < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK)
        abort(); /* the server neither answered nor closed */
      break;     /* reset: it closed with bytes unread */
    }
    n += (size_t)k;
    if (n == sizeof got)
      break;
  }
  close(fd);
  check(got, n);
  return 0;
}
