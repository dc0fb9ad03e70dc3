/* A request's head, read in place (RFC 9112): the request line, the
 * headers, the path and query decoded. Strict where leniency lets two
 * readers of one request disagree about where it ends: lines end in CRLF,
 * no folded headers, no space before a header's colon, one Content-Length
 * (or repeats of the same value), Transfer-Encoding chunked alone (501
 * for other codings) and never with a Content-Length nor in HTTP/1.0. */
#include <string.h>
#include <strings.h>

#include "http/wire.h"

static int tchar(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         (c >= '0' && c <= '9') || (c != 0 && strchr("!#$%&'*+-.^_`|~", c));
}

int sp__head_refuse(sp__head *h, int status, const char *code,
                    const char *field, const char *message) {
  h->error = status, h->fatal = 1;
  h->error_code = code, h->error_field = field, h->error_message = message;
  return -1;
}

static int malformed(sp__head *h, const char *field, const char *message) {
  return sp__head_refuse(h, 400, "malformed_request", field, message);
}

int sp__hex_digit(unsigned char c) {
  if (c >= '0' && c <= '9')
    return c - '0';
  c |= 0x20;
  return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Decodes %XX (and '+' as a space when `plus`) in s, in place; a %
 * without two hex digits stays as it is. -1 if it decodes to a NUL. */
static int decode(char *s, int plus) {
  char *o = s;
  for (const char *p = s; *p; p++) {
    int a, b;
    if (*p == '%' && (a = sp__hex_digit((unsigned char)p[1])) >= 0 &&
        (b = sp__hex_digit((unsigned char)p[2])) >= 0) {
      if ((*o++ = (char)(a * 16 + b)) == '\0')
        return -1;
      p += 2;
    } else
      *o++ = plus && *p == '+' ? ' ' : *p;
  }
  *o = '\0';
  return 0;
}

static int query(sp__head *h, char *q) {
  while (q != NULL && *q) {
    char *amp = strchr(q, '&'), *next = amp ? amp + 1 : NULL;
    if (amp)
      *amp = '\0';
    if (*q) {
      if (h->n_args == SP__ARGS_MAX)
        return malformed(h, "query", "more than 16 query arguments");
      char *eq = strchr(q, '=');
      if (eq)
        *eq = '\0';
      if (decode(q, 1) != 0 || (eq && decode(eq + 1, 1) != 0))
        return malformed(h, "query", "%00 in a query argument");
      h->arg[h->n_args++] = (sp__pair){q, eq ? eq + 1 : ""};
    }
    q = next;
  }
  return 0;
}

/* "METHOD /target HTTP/1.x" (NUL-terminated: the CRLF replaced). */
static int request_line(sp__head *h, char *line) {
  char *sp1 = strchr(line, ' ');
  if (sp1 == NULL || sp1 == line || sp1 - line > 15)
    return malformed(h, "request line",
                     "a request line is METHOD PATH "
                     "HTTP/1.1");
  for (const char *p = line; p < sp1; p++)
    if (!tchar((unsigned char)*p))
      return malformed(h, "method", "the method is not a token");
  *sp1 = '\0';
  char *target = sp1 + 1, *sp2 = strchr(target, ' ');
  if (sp2 == NULL || sp2 == target)
    return malformed(h, "request line",
                     "a request line is METHOD PATH "
                     "HTTP/1.1");
  *sp2 = '\0';
  for (const unsigned char *p = (unsigned char *)target; *p; p++)
    if (*p <= ' ' || *p >= 0x7f)
      return malformed(h, "path", "the path has a space or control byte");
  const char *v = sp2 + 1;
  if (strncmp(v, "HTTP/", 5) != 0 || !(v[5] >= '0' && v[5] <= '9') ||
      v[6] != '.' || !(v[7] >= '0' && v[7] <= '9') || v[8] != '\0')
    return malformed(h, "version", "the version is not HTTP/x.y");
  if (v[5] != '1' || v[7] > '1')
    return sp__head_refuse(h, 505, "http_version_not_supported", "version",
                           "HTTP/1.1 and HTTP/1.0 only");
  if (target[0] != '/')
    return malformed(h, "path", "the path must begin with /");
  h->method = line;
  h->minor = v[7] - '0';
  h->keep_alive = h->minor == 1;
  char *q = strchr(target, '?');
  if (q)
    *q++ = '\0';
  if (decode(target, 0) != 0)
    return malformed(h, "path", "%00 in the path");
  h->path = target;
  return query(h, q);
}

/* Does the comma-separated list `v` hold `token` (without case)? */
static int has_token(const char *v, const char *token) {
  size_t n = strlen(token);
  while (*v) {
    while (*v == ' ' || *v == '\t' || *v == ',')
      v++;
    const char *e = v;
    while (*e && *e != ',' && *e != ' ' && *e != '\t')
      e++;
    if ((size_t)(e - v) == n && strncasecmp(v, token, n) == 0)
      return 1;
    v = e;
  }
  return 0;
}

/* What the head's own headers mean for reading the request. */
static int framing(sp__head *h, const char *name, const char *value,
                   int *hosts) {
  if (strcasecmp(name, "Content-Length") == 0) {
    size_t n = strlen(value);
    if (n == 0 || n > 18 || strspn(value, "0123456789") != n)
      return malformed(h, "Content-Length", "Content-Length is not a number");
    int64_t cl = 0;
    for (size_t i = 0; i < n; i++)
      cl = cl * 10 + (value[i] - '0');
    if (h->content_length >= 0 && h->content_length != cl)
      return malformed(h, "Content-Length", "two different Content-Lengths");
    h->content_length = cl;
  } else if (strcasecmp(name, "Transfer-Encoding") == 0) {
    if (strcasecmp(value, "chunked") != 0)
      return sp__head_refuse(h, 501, "not_implemented", "Transfer-Encoding",
                             "chunked is the only transfer coding read");
    if (h->chunked)
      return malformed(h, "Transfer-Encoding", "chunked twice");
    h->chunked = 1;
  } else if (strcasecmp(name, "Connection") == 0) {
    if (has_token(value, "close"))
      h->keep_alive = 0;
    else if (has_token(value, "keep-alive"))
      h->keep_alive = 1;
  } else if (strcasecmp(name, "Expect") == 0) {
    if (strcasecmp(value, "100-continue") != 0)
      return sp__head_refuse(h, 417, "expectation_failed", "Expect",
                             "only Expect: 100-continue is understood");
    h->expect_continue = 1;
  } else if (strcasecmp(name, "Host") == 0)
    ++*hosts;
  return 0;
}

/* "Name: value" (NUL-terminated): kept, its spaces around the value
 * trimmed. */
static int header(sp__head *h, char *line, int *hosts) {
  char *colon = strchr(line, ':');
  if (colon == NULL || colon == line)
    return malformed(h, "headers", "a header is Name: value");
  for (const char *p = line; p < colon; p++)
    if (!tchar((unsigned char)*p))
      return malformed(h, "headers", "a header's name is not a token");
  *colon = '\0';
  char *v = colon + 1;
  while (*v == ' ' || *v == '\t')
    v++;
  char *end = v + strlen(v);
  while (end > v && (end[-1] == ' ' || end[-1] == '\t'))
    end--;
  *end = '\0';
  for (const unsigned char *p = (unsigned char *)v; *p; p++)
    if ((*p < ' ' && *p != '\t') || *p == 0x7f)
      return malformed(h, line, "a header's value has a control byte");
  if (h->n_headers == SP__HEADERS_MAX)
    return sp__head_refuse(h, 431, "headers_too_large", "headers",
                           "more than 64 headers");
  h->header[h->n_headers++] = (sp__pair){line, v};
  return framing(h, line, v, hosts);
}

void sp__head_parse(char *buf, size_t len, sp__head *h) {
  memset(h, 0, sizeof *h);
  h->content_length = -1;
  int hosts = 0, first = 1, ended = 0;
  size_t at = 0;
  /* line by line: each ends in CRLF, and a CR or LF elsewhere is refused */
  while (at < len) {
    char *line = buf + at, *cr = memchr(line, '\r', len - at);
    if (cr == NULL || (size_t)(cr - buf) + 1 >= len || cr[1] != '\n')
      goto bad_line;
    if (memchr(line, '\n', (size_t)(cr - line)) != NULL ||
        memchr(line, '\0', (size_t)(cr - line)) != NULL)
      goto bad_line;
    *cr = '\0';
    at = (size_t)(cr - buf) + 2;
    if (line == cr) { /* the empty line: the end */
      ended = !first;
      break;
    }
    int rc;
    if (first)
      rc = request_line(h, line);
    else if (*line == ' ' || *line == '\t')
      rc = malformed(h, "headers", "folded headers are refused");
    else
      rc = header(h, line, &hosts);
    if (rc != 0)
      return;
    first = 0;
  }
  if (!ended)
    goto bad_line;
  if (h->minor == 1 && hosts != 1) {
    malformed(h, "Host", "an HTTP/1.1 request has one Host header");
    return;
  }
  if (h->chunked && (h->content_length >= 0 || h->minor == 0)) {
    malformed(h, "Transfer-Encoding",
              h->minor == 0 ? "HTTP/1.0 has no Transfer-Encoding"
                            : "Transfer-Encoding and Content-Length together");
    return;
  }
  if (h->content_length < 0)
    h->content_length = 0;
  return;
bad_line:
  malformed(h, "headers", "a line does not end in CRLF");
}

const char *sp__head_get(const sp__head *h, const char *name) {
  for (int i = 0; i < h->n_headers; i++)
    if (strcasecmp(h->header[i].name, name) == 0)
      return h->header[i].value;
  return NULL;
}

const char *sp__head_arg(const sp__head *h, const char *name) {
  for (int i = 0; i < h->n_args; i++)
    if (strcmp(h->arg[i].name, name) == 0)
      return h->arg[i].value;
  return NULL;
}
