/* A chunked request body (RFC 9112 section 7.1), decoded in place: each
 * chunk's data is moved down over the chunk lines before it as it
 * arrives, so that the body ends up whole and contiguous right after the
 * head, where a body with a Content-Length would be. Chunk extensions and
 * trailer fields are read and dropped (a server may discard trailers).
 * The raw bytes decoded are dropped from the buffer at each step, so that
 * it holds the body and what has not been decoded yet, however long the
 * chunk lines and trailers were. Strict as head.c is: lines end in CRLF, a
 * chunk size is at most 8 hex digits, a line at most SP__CHUNK_LINE_MAX bytes,
 * the trailer section at most SP__HEAD_MAX. */
#include <assert.h>
#include <string.h>

#include "http/wire.h"

enum { SIZE, DATA, DATA_END, TRAILER, DONE };

void sp__unchunk_start(sp__unchunk *u, size_t at) {
  memset(u, 0, sizeof *u);
  u->in = u->out = at;
  u->state = SIZE;
}

static int fail(sp__unchunk *u, int status, const char *why) {
  u->status = status, u->why = why;
  return -1;
}

/* "HEX[ext]" (the CRLF cut off): the size, or -1. An extension is
 * BWS ";" and then anything without a control byte but a tab. */
static int64_t size_line(const char *s, size_t n) {
  int64_t v = 0;
  size_t i = 0;
  for (int d; i < n && (d = sp__hex_digit((unsigned char)s[i])) >= 0; i++) {
    if (i == 8)
      return -1;
    v = v * 16 + d;
  }
  if (i == 0)
    return -1;
  while (i < n && (s[i] == ' ' || s[i] == '\t'))
    i++;
  if (i < n && s[i] != ';')
    return -1;
  for (; i < n; i++)
    if (((unsigned char)s[i] < ' ' && s[i] != '\t') || s[i] == 0x7f)
      return -1;
  return v;
}

/* The next line of buf[u->in, len) without its CRLF: its length; -1 if
 * it has not all come; -2 if it is malformed (u says why). */
static int64_t next_line(sp__unchunk *u, const char *buf, size_t len) {
  const char *s = buf + u->in;
  size_t have = len - u->in;
  size_t look = have < SP__CHUNK_LINE_MAX + 2 ? have : SP__CHUNK_LINE_MAX + 2;
  const char *cr = memchr(s, '\r', look);
  if (cr == NULL && memchr(s, '\n', look) == NULL &&
      look < SP__CHUNK_LINE_MAX + 2)
    return -1;
  if (cr == NULL) {
    fail(u, 400, "a chunk line does not end in CRLF within 1024 bytes");
    return -2;
  }
  size_t n = (size_t)(cr - s);
  if (n + 1 == have)
    return -1; /* the LF may come next */
  if (cr[1] != '\n' || memchr(s, '\n', n) != NULL) {
    fail(u, 400, "a chunk line does not end in CRLF");
    return -2;
  }
  return (int64_t)n;
}

static int step(sp__unchunk *u, char *buf, size_t len, size_t max) {
  assert(u->out <= u->in && u->in <= len);
  for (;;) {
    switch (u->state) {
    case DONE:
      return 1;
    case SIZE:
    case TRAILER: {
      int64_t n = next_line(u, buf, len);
      if (n == -2)
        return -1;
      if (n < 0)
        return 0;
      if (u->state == TRAILER) {
        u->trailer += (size_t)n + 2;
        if (u->trailer > SP__HEAD_MAX)
          return fail(u, 431, "the trailer fields exceed 8192 bytes");
        u->in += (size_t)n + 2;
        if (n == 0)
          u->state = DONE;
        continue;
      }
      int64_t size = size_line(buf + u->in, (size_t)n);
      if (size < 0)
        return fail(u, 400, "a chunk size is not 1 to 8 hex digits");
      if ((uint64_t)size > max - u->total)
        return fail(u, 413, "the body exceeds the limit");
      u->in += (size_t)n + 2;
      u->left = (size_t)size;
      u->state = size == 0 ? TRAILER : DATA;
      continue;
    }
    case DATA: {
      size_t n = len - u->in < u->left ? len - u->in : u->left;
      memmove(buf + u->out, buf + u->in, n);
      u->in += n, u->out += n, u->total += n, u->left -= n;
      if (u->left > 0)
        return 0;
      u->state = DATA_END;
      continue;
    }
    case DATA_END:
      if (len - u->in < 2)
        return 0;
      if (buf[u->in] != '\r' || buf[u->in + 1] != '\n')
        return fail(u, 400, "a chunk's data is not followed by CRLF");
      u->in += 2;
      u->state = SIZE;
      continue;
    }
  }
}

int sp__unchunk_step(sp__unchunk *u, char *buf, size_t *len, size_t max) {
  int rc = step(u, buf, *len, max);
  if (rc >= 0) {
    memmove(buf + u->out, buf + u->in, *len - u->in);
    *len -= u->in - u->out;
    u->in = u->out;
  }
  return rc;
}
