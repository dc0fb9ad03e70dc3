/* The JSON writer (sparrow/jw.h). */
#include "sparrow/jw.h"

#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/digits.h"

void sp_jw_init(sp_jw *w) { memset(w, 0, sizeof *w); }

void sp_jw_free(sp_jw *w) {
  free(w->buf);
  sp_jw_init(w);
}

static int reserve(sp_jw *w, size_t more) {
  if (w->failed)
    return -1;
  if (w->len + more + 1 <= w->cap)
    return 0;
  size_t cap = w->cap ? w->cap : 1024;
  while (cap < w->len + more + 1)
    cap *= 2;
  char *p = realloc(w->buf, cap);
  if (p == NULL) {
    w->failed = 1;
    return -1;
  }
  w->buf = p, w->cap = cap;
  return 0;
}

static void put(sp_jw *w, const char *s, size_t n) {
  if (reserve(w, n) == 0) {
    memcpy(w->buf + w->len, s, n);
    w->len += n;
  }
}

static void put_c(sp_jw *w, char c) {
  if (reserve(w, 1) == 0)
    w->buf[w->len++] = c;
}

/* Before any value: the comma after an earlier one in the same array or
 * object (an object's comma comes with its key). */
static void value(sp_jw *w) {
  if (w->after_key) {
    w->after_key = 0;
    return;
  }
  if (w->depth > 0) {
    if (w->n[w->depth - 1] > 0)
      put_c(w, ',');
    w->n[w->depth - 1] = 1;
  }
}

static void quoted(sp_jw *w, const char *s) {
  static const char hex[] = "0123456789abcdef";
  put_c(w, '"');
  const char *run = s;
  for (; *s; s++) {
    unsigned char c = (unsigned char)*s;
    if (c >= 0x20 && c != '"' && c != '\\')
      continue;
    put(w, run, (size_t)(s - run));
    char esc[6] = {'\\', 0};
    size_t n = 2;
    switch (c) {
    case '"':
      esc[1] = '"';
      break;
    case '\\':
      esc[1] = '\\';
      break;
    case '\n':
      esc[1] = 'n';
      break;
    case '\r':
      esc[1] = 'r';
      break;
    case '\t':
      esc[1] = 't';
      break;
    default:
      esc[1] = 'u', esc[2] = '0', esc[3] = '0', esc[4] = hex[c >> 4],
      esc[5] = hex[c & 15];
      n = 6;
    }
    put(w, esc, n);
    run = s + 1;
  }
  put(w, run, (size_t)(s - run));
  put_c(w, '"');
}

void sp_jw_open(sp_jw *w, char bracket) {
  assert(bracket == '{' || bracket == '[');
  value(w);
  if (w->depth == SP_JW_DEPTH) {
    w->failed = 1;
    return;
  }
  w->n[w->depth++] = 0;
  put_c(w, bracket);
}

void sp_jw_close(sp_jw *w, char bracket) {
  assert(bracket == '}' || bracket == ']');
  assert(!w->after_key);
  if (w->depth == 0) {
    w->failed = 1;
    return;
  }
  w->depth--;
  put_c(w, bracket);
}

void sp_jw_key(sp_jw *w, const char *key) {
  assert(w->depth > 0 && !w->after_key);
  if (w->n[w->depth - 1] > 0)
    put_c(w, ',');
  w->n[w->depth - 1] = 1;
  quoted(w, key);
  put_c(w, ':');
  w->after_key = 1;
}

void sp_jw_str(sp_jw *w, const char *s) {
  value(w);
  quoted(w, s);
}

void sp_jw_int(sp_jw *w, int64_t v) {
  char t[SP_DIGITS_MAX + 1];
  int n = sp_digits_i64(v, t);
  value(w);
  put(w, t, (size_t)n);
}

/* A real as %.17g writes it (so it reads back exactly), with ".0" after a
 * whole number (600 -> 600.0, so that it reads back as a real). Whole
 * numbers below 1e15, most of a decision's, without printf. */
void sp_jw_real(sp_jw *w, double v) {
  if (!isfinite(v)) {
    sp_jw_null(w);
    return;
  }
  char t[40];
  int n;
  if (v == trunc(v) && fabs(v) < 1e15 && !(v == 0 && signbit(v))) {
    n = sp_digits_i64((int64_t)v, t);
    t[n] = '\0';
  } else
    n = snprintf(t, sizeof t, "%.17g", v);
  if (strpbrk(t, ".eE") == NULL)
    t[n++] = '.', t[n++] = '0', t[n] = '\0';
  value(w);
  put(w, t, (size_t)n);
}

void sp_jw_bool(sp_jw *w, int v) {
  value(w);
  put(w, v ? "true" : "false", v ? 4 : 5);
}

void sp_jw_null(sp_jw *w) {
  value(w);
  put(w, "null", 4);
}

void sp_jw_raw(sp_jw *w, const char *json, size_t len) {
  value(w);
  put(w, json, len);
}

char *sp_jw_finish(sp_jw *w, size_t *len) {
  char *text = NULL;
  if (!w->failed && w->depth == 0 && reserve(w, 0) == 0) {
    w->buf[w->len] = '\0';
    text = w->buf;
    if (len != NULL)
      *len = w->len;
    w->buf = NULL;
  }
  sp_jw_free(w);
  return text;
}
