/* The JSON reader (sparrow/jr.h): a recursive descent over the text,
 * bounded by the depth asked, pushing values onto one growing table.
 *
 * Decoded strings never take more room than their text (an escape is
 * longer than what it stands for, and the quotes make room for the NUL),
 * so the string buffer is sized once per parse to the text's length plus
 * one; a number read as a double is copied to its free end for strtod.
 *
 * Where a text is refused, the position is that of the character that
 * could not be read, as Python's json module reports it: "expected ':'"
 * at the character found instead, an unterminated string at its opening
 * quote, text after the value at its first character. */
#include "sparrow/jr.h"

#include <assert.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sparrow/error.h"

#define DEPTH_LIMIT 512 /* the most a caller may ask for (the C stack) */
#define SMALL_OBJECT 16 /* members compared pairwise; more are sorted */
#define VALUES_FIRST 64 /* the table's first size */
#define VALUES_MAX UINT32_MAX

typedef struct parser {
  sp_jr *jr;
  const char *text, *p, *end;
  char *out; /* the next free byte of jr->chars */
  int depth, max_depth;
  int rc;            /* SP_OK until the first failure */
  const char *where; /* the character that could not be read */
  char why[sizeof((sp_jr_error *)0)->text];
} parser;

void sp_jr_init(sp_jr *jr) { memset(jr, 0, sizeof *jr); }

void sp_jr_free(sp_jr *jr) {
  free(jr->v);
  free(jr->chars);
  free(jr->scratch);
  sp_jr_init(jr);
}

static int fail(parser *ps, int rc, const char *where, const char *fmt, ...) {
  if (ps->rc == SP_OK) {
    ps->rc = rc;
    ps->where = where;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(ps->why, sizeof ps->why, fmt, ap);
    va_end(ap);
  }
  return -1;
}

static int is_digit(char c) { return c >= '0' && c <= '9'; }

static void skip_space(parser *ps) {
  const char *p = ps->p;
  while (p < ps->end && (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t'))
    p++;
  ps->p = p;
}

/* A new value at the table's end: its index, or -1. */
static long push(parser *ps, sp_jr_type type, const char *at, const char *key) {
  sp_jr *jr = ps->jr;
  if (jr->n == jr->cap) {
    size_t cap = jr->cap ? 2 * jr->cap : VALUES_FIRST;
    sp_jr_value *v = cap <= VALUES_MAX ? realloc(jr->v, cap * sizeof *v) : NULL;
    if (v == NULL)
      return fail(ps, SP_ENOMEM, at, "out of memory");
    jr->v = v, jr->cap = cap;
  }
  jr->v[jr->n] = (sp_jr_value){
      .key = key, .span = 1, .at = (uint32_t)(at - ps->text), .type = type};
  return (long)jr->n++;
}

/* The length of the UTF-8 sequence at p (RFC 3629: no overlong forms, no
 * surrogates, nothing above U+10FFFF), 0 if it is not one. */
static int utf8_length(const unsigned char *p, const unsigned char *end) {
  unsigned c = p[0], lo = 0x80, hi = 0xBF;
  int n;
  if (c >= 0xC2 && c <= 0xDF)
    n = 2;
  else if (c >= 0xE0 && c <= 0xEF)
    n = 3, lo = c == 0xE0 ? 0xA0 : lo, hi = c == 0xED ? 0x9F : hi;
  else if (c >= 0xF0 && c <= 0xF4)
    n = 4, lo = c == 0xF0 ? 0x90 : lo, hi = c == 0xF4 ? 0x8F : hi;
  else
    return 0;
  if (end - p < n || p[1] < lo || p[1] > hi)
    return 0;
  for (int i = 2; i < n; i++)
    if ((p[i] & 0xC0) != 0x80)
      return 0;
  return n;
}

/* Four hex digits at p as a number, or -1. */
static long hex4(const char *p, const char *end) {
  if (end - p < 4)
    return -1;
  long u = 0;
  for (int i = 0; i < 4; i++) {
    char c = p[i];
    int d = is_digit(c)            ? c - '0'
            : c >= 'a' && c <= 'f' ? c - 'a' + 10
            : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                   : -1;
    if (d < 0)
      return -1;
    u = u * 16 + d;
  }
  return u;
}

/* A \u escape at p (and the low half of a surrogate pair after it),
 * written as UTF-8 at *o; the escape's length, or -1. */
static int unicode_escape(parser *ps, const char *p, char **o) {
  long u = hex4(p + 2, ps->end);
  int len = 6;
  if (u < 0) /* at the 'u', as Python's json reports it */
    return fail(ps, SP_EPARSE, p + 1, "invalid \\u escape");
  if (u == 0)
    return fail(ps, SP_EPARSE, p, "\\u0000 is not allowed in a string");
  if (u >= 0xD800 && u <= 0xDBFF) {
    long lo = ps->end - p >= 12 && p[6] == '\\' && p[7] == 'u'
                  ? hex4(p + 8, ps->end)
                  : -1;
    if (lo < 0xDC00 || lo > 0xDFFF)
      return fail(ps, SP_EPARSE, p, "a lone surrogate \\u%04lX", u);
    u = 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00);
    len = 12;
  } else if (u >= 0xDC00 && u <= 0xDFFF)
    return fail(ps, SP_EPARSE, p, "a lone surrogate \\u%04lX", u);
  unsigned char *q = (unsigned char *)*o;
  if (u < 0x80)
    *q++ = (unsigned char)u;
  else if (u < 0x800)
    *q++ = (unsigned char)(0xC0 | u >> 6),
    *q++ = (unsigned char)(0x80 | (u & 0x3F));
  else if (u < 0x10000)
    *q++ = (unsigned char)(0xE0 | u >> 12),
    *q++ = (unsigned char)(0x80 | ((u >> 6) & 0x3F)),
    *q++ = (unsigned char)(0x80 | (u & 0x3F));
  else
    *q++ = (unsigned char)(0xF0 | u >> 18),
    *q++ = (unsigned char)(0x80 | ((u >> 12) & 0x3F)),
    *q++ = (unsigned char)(0x80 | ((u >> 6) & 0x3F)),
    *q++ = (unsigned char)(0x80 | (u & 0x3F));
  *o = (char *)q;
  return len;
}

/* The string whose opening quote is at ps->p, decoded into the string
 * buffer: its start and length in *s and *n. */
static int string(parser *ps, const char **s, uint32_t *n) {
  const char *open = ps->p, *p = open + 1, *end = ps->end;
  char *o = ps->out, *start = o;
  assert(*open == '"');
  for (;;) {
    const char *run = p;
    while (p < end && *p != '"' && *p != '\\' && (unsigned char)*p >= 0x20 &&
           (unsigned char)*p < 0x80)
      p++;
    memcpy(o, run, (size_t)(p - run));
    o += p - run;
    if (p == end)
      return fail(ps, SP_EPARSE, open, "unterminated string");
    unsigned char c = (unsigned char)*p;
    if (c == '"')
      break;
    if (c < 0x20)
      return fail(ps, SP_EPARSE, p, "control character 0x%02X in a string", c);
    if (c >= 0x80) {
      int len =
          utf8_length((const unsigned char *)p, (const unsigned char *)end);
      if (len == 0)
        return fail(ps, SP_EPARSE, p, "invalid UTF-8 in a string");
      memcpy(o, p, (size_t)len);
      o += len, p += len;
      continue;
    }
    if (p + 1 == end)
      return fail(ps, SP_EPARSE, open, "unterminated string");
    static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
    const char *e = p[1] != '\0' ? strchr(from, p[1]) : NULL;
    if (e != NULL) {
      *o++ = to[e - from];
      p += 2;
    } else if (p[1] == 'u') {
      int len = unicode_escape(ps, p, &o);
      if (len < 0)
        return -1;
      p += len;
    } else
      return fail(ps, SP_EPARSE, p, "invalid escape in a string");
  }
  *o = '\0';
  *s = start;
  *n = (uint32_t)(o - start);
  ps->out = o + 1;
  ps->p = p + 1;
  return 0;
}

static int number(parser *ps, const char *key, const char *at) {
  const char *s = ps->p, *p = s, *end = ps->end;
  int neg = *p == '-', real = 0;
  p += neg;
  if (p == end || !is_digit(*p))
    return fail(ps, SP_EPARSE, s, "expected a value");
  uint64_t mag = 0, max = (uint64_t)INT64_MAX + (uint64_t)neg;
  int over = 0;
  if (*p == '0')
    p++;
  else
    for (; p < end && is_digit(*p); p++) {
      unsigned d = (unsigned)(*p - '0');
      over |= mag > (max - d) / 10;
      mag = mag * 10 + d;
    }
  if (p + 1 < end && *p == '.' && is_digit(p[1]))
    for (real = 1, p++; p < end && is_digit(*p); p++)
      ;
  if (p < end && (*p == 'e' || *p == 'E')) {
    const char *q = p + 1;
    q += q < end && (*q == '+' || *q == '-');
    if (q < end && is_digit(*q))
      for (real = 1, p = q; p < end && is_digit(*p); p++)
        ;
  }
  long i = push(ps, real ? SP_JR_REAL : SP_JR_INT, at, key);
  if (i < 0)
    return -1;
  sp_jr_value *v = &ps->jr->v[i];
  if (!real) {
    if (over)
      return fail(ps, SP_EPARSE, s, "integer out of range");
    v->i = neg ? (int64_t)(0 - mag) : (int64_t)mag;
  } else {
    memcpy(ps->out, s, (size_t)(p - s)); /* room: see the top */
    ps->out[p - s] = '\0';
    errno = 0;
    v->d = strtod(ps->out, NULL);
    if (errno == ERANGE && isinf(v->d))
      return fail(ps, SP_EPARSE, s, "number out of range");
  }
  ps->p = p;
  return 0;
}

static int value(parser *ps, const char *key, const char *key_at);

static int by_key(const void *a, const void *b) {
  const sp_jr_value *x = *(const sp_jr_value *const *)a,
                    *y = *(const sp_jr_value *const *)b;
  int c = strcmp(x->key, y->key);
  return c ? c : (x->at > y->at) - (x->at < y->at);
}

/* Refuses the object at index o if a key comes twice: at the second of
 * the first such pair in the text. */
static int duplicates(parser *ps, long o) {
  sp_jr *jr = ps->jr;
  const sp_jr_value *obj = &jr->v[o], *dup = NULL;
  if (obj->n <= SMALL_OBJECT) {
    for (const sp_jr_value *m = sp_jr_first(obj); m && !dup;
         m = sp_jr_next(obj, m))
      for (const sp_jr_value *k = sp_jr_first(obj); k != m && !dup;
           k = sp_jr_next(obj, k))
        if (strcmp(k->key, m->key) == 0)
          dup = m;
  } else {
    if (jr->scratch_cap < obj->n) {
      const sp_jr_value **s = realloc(jr->scratch, obj->n * sizeof *s);
      if (s == NULL)
        return fail(ps, SP_ENOMEM, ps->text + obj->at, "out of memory");
      jr->scratch = s, jr->scratch_cap = obj->n;
    }
    size_t n = 0;
    for (const sp_jr_value *m = sp_jr_first(obj); m; m = sp_jr_next(obj, m))
      jr->scratch[n++] = m;
    qsort(jr->scratch, n, sizeof *jr->scratch, by_key);
    for (size_t i = 1; i < n; i++)
      if (strcmp(jr->scratch[i - 1]->key, jr->scratch[i]->key) == 0 &&
          (dup == NULL || jr->scratch[i]->at < dup->at))
        dup = jr->scratch[i];
  }
  if (dup != NULL)
    return fail(ps, SP_EPARSE, ps->text + dup->at, "duplicate key '%.40s'",
                dup->key);
  return 0;
}

/* An array or an object, its bracket at ps->p. */
static int container(parser *ps, const char *key, const char *at) {
  int object = *ps->p == '{';
  char close = object ? '}' : ']';
  long i = push(ps, object ? SP_JR_OBJECT : SP_JR_ARRAY, at, key);
  if (i < 0)
    return -1;
  if (++ps->depth > ps->max_depth)
    return fail(ps, SP_ELIMIT, ps->p, "nested deeper than %d levels",
                ps->max_depth);
  ps->p++;
  uint32_t n = 0;
  skip_space(ps);
  if (ps->p < ps->end && *ps->p == close)
    ps->p++;
  else
    for (;;) {
      const char *k = NULL, *k_at = NULL;
      skip_space(ps);
      if (object) {
        uint32_t k_len;
        if (ps->p == ps->end || *ps->p != '"')
          return fail(ps, SP_EPARSE, ps->p, "expected a key in double quotes");
        k_at = ps->p;
        if (string(ps, &k, &k_len) != 0)
          return -1;
        skip_space(ps);
        if (ps->p == ps->end || *ps->p != ':')
          return fail(ps, SP_EPARSE, ps->p, "expected ':'");
        ps->p++;
      }
      if (value(ps, k, k_at) != 0)
        return -1;
      n++;
      skip_space(ps);
      if (ps->p < ps->end && *ps->p == ',') {
        ps->p++;
        continue;
      }
      if (ps->p < ps->end && *ps->p == close) {
        ps->p++;
        break;
      }
      return fail(ps, SP_EPARSE, ps->p, "expected ',' or '%c'", close);
    }
  ps->depth--;
  sp_jr_value *v = &ps->jr->v[i];
  v->n = n;
  v->span = (uint32_t)(ps->jr->n - (size_t)i);
  return object ? duplicates(ps, i) : 0;
}

static int literal(parser *ps, const char *word, sp_jr_type type,
                   const char *key, const char *at) {
  size_t n = strlen(word);
  if ((size_t)(ps->end - ps->p) < n || memcmp(ps->p, word, n) != 0)
    return fail(ps, SP_EPARSE, ps->p, "expected a value");
  if (push(ps, type, at, key) < 0)
    return -1;
  ps->p += n;
  return 0;
}

/* The value at ps->p (after space); key and key_at if it is a member. */
static int value(parser *ps, const char *key, const char *key_at) {
  skip_space(ps);
  const char *at = key ? key_at : ps->p;
  if (ps->p == ps->end)
    return fail(ps, SP_EPARSE, ps->p, "expected a value");
  switch (*ps->p) {
  case '{':
  case '[':
    return container(ps, key, at);
  case '"': {
    const char *s;
    uint32_t n;
    if (string(ps, &s, &n) != 0)
      return -1;
    long i = push(ps, SP_JR_STRING, at, key);
    if (i < 0)
      return -1;
    ps->jr->v[i].s = s;
    ps->jr->v[i].n = n;
    return 0;
  }
  case 't':
    return literal(ps, "true", SP_JR_TRUE, key, at);
  case 'f':
    return literal(ps, "false", SP_JR_FALSE, key, at);
  case 'n':
    return literal(ps, "null", SP_JR_NULL, key, at);
  default:
    return number(ps, key, at);
  }
}

int sp_jr_parse(sp_jr *jr, const char *text, size_t len, int max_depth,
                sp_jr_error *err) {
  assert(max_depth >= 1 && max_depth <= DEPTH_LIMIT);
  parser ps = {.jr = jr,
               .text = text,
               .p = text,
               .end = text + len,
               .max_depth = max_depth,
               .rc = SP_OK};
  jr->n = 0;
  if (len >= VALUES_MAX)
    fail(&ps, SP_ELIMIT, text, "a text of 4 GiB or more");
  else if (jr->chars_cap < len + 1) {
    char *c = malloc(len + 1);
    if (c == NULL)
      fail(&ps, SP_ENOMEM, text, "out of memory");
    else
      free(jr->chars), jr->chars = c, jr->chars_cap = len + 1;
  }
  if (ps.rc == SP_OK) {
    ps.out = jr->chars;
    if (value(&ps, NULL, NULL) == 0) {
      skip_space(&ps);
      if (ps.p != ps.end)
        fail(&ps, SP_EPARSE, ps.p, "text after the value");
    }
  }
  if (ps.rc == SP_OK)
    return SP_OK;
  jr->n = 0;
  memcpy(err->text, ps.why, sizeof err->text);
  err->position = (size_t)(ps.where - text);
  err->line = 1;
  const char *line = text;
  for (const char *q = text; q < ps.where; q++)
    if (*q == '\n')
      err->line++, line = q + 1;
  err->column = 1;
  for (const char *q = line; q < ps.where; q++)
    err->column += ((unsigned char)*q & 0xC0) != 0x80;
  return ps.rc;
}

const sp_jr_value *sp_jr_root(const sp_jr *jr) {
  return jr->n > 0 ? &jr->v[0] : NULL;
}

const sp_jr_value *sp_jr_get(const sp_jr_value *obj, const char *key) {
  if (obj == NULL || obj->type != SP_JR_OBJECT)
    return NULL;
  for (const sp_jr_value *m = sp_jr_first(obj); m; m = sp_jr_next(obj, m))
    if (strcmp(m->key, key) == 0)
      return m;
  return NULL;
}

void sp_jr_write(sp_jw *w, const sp_jr_value *v) {
  switch (v->type) {
  case SP_JR_NULL:
    sp_jw_null(w);
    break;
  case SP_JR_FALSE:
  case SP_JR_TRUE:
    sp_jw_bool(w, v->type == SP_JR_TRUE);
    break;
  case SP_JR_INT:
    sp_jw_int(w, v->i);
    break;
  case SP_JR_REAL:
    sp_jw_real(w, v->d);
    break;
  case SP_JR_STRING:
    sp_jw_str(w, v->s);
    break;
  case SP_JR_ARRAY:
  case SP_JR_OBJECT: {
    int object = v->type == SP_JR_OBJECT;
    sp_jw_open(w, object ? '{' : '[');
    for (const sp_jr_value *m = sp_jr_first(v); m; m = sp_jr_next(v, m)) {
      if (object)
        sp_jw_key(w, m->key);
      sp_jr_write(w, m);
    }
    sp_jw_close(w, object ? '}' : ']');
  }
  }
}
