/* A JSON reader for hot paths (request bodies, stored values): parses one
 * text (RFC 8259) into a flat table of values, each followed by its members
 * or elements, with no allocation once its buffers have grown to the texts
 * it is given. The text is not changed: strings are decoded (escapes,
 * UTF-8 checked) into a buffer of the reader's, NUL-terminated.
 *
 * Refused, with the line, the column (in characters) and the byte position
 * of the offending character: anything RFC 8259 does not allow, integers
 * beyond int64 and numbers beyond a double, "\u0000", lone surrogates,
 * invalid UTF-8, a key twice in one object, and nesting deeper than asked.
 * Integers (no fraction, no exponent) are read as int64, other numbers as
 * doubles.
 *
 *   sp_jr jr;
 *   sp_jr_init(&jr);
 *   sp_jr_error e;
 *   if (sp_jr_parse(&jr, text, len, 16, &e) == SP_OK) {
 *     const sp_jr_value *o = sp_jr_root(&jr);
 *     for (const sp_jr_value *m = sp_jr_first(o); m; m = sp_jr_next(o, m))
 *       use(m->key, m->type, m->s, m->i);
 *   }
 *   sp_jr_free(&jr);
 *
 * The values stay valid until the next parse or sp_jr_free. */
#ifndef SPARROW_JR_H
#define SPARROW_JR_H

#include <stddef.h>
#include <stdint.h>

#include "sparrow/jw.h"

typedef enum sp_jr_type {
  SP_JR_NULL,
  SP_JR_FALSE,
  SP_JR_TRUE,
  SP_JR_INT,
  SP_JR_REAL,
  SP_JR_STRING,
  SP_JR_ARRAY,
  SP_JR_OBJECT
} sp_jr_type;

typedef struct sp_jr_value {
  const char *key; /* a member of an object: its key (decoded); else NULL */
  const char *s;   /* SP_JR_STRING: decoded, NUL-terminated; else NULL */
  union {
    int64_t i; /* SP_JR_INT */
    double d;  /* SP_JR_REAL */
  };
  uint32_t n;    /* string: bytes; array, object: elements or members */
  uint32_t span; /* values in its subtree, itself included */
  uint32_t at;   /* byte offset of the value (of a member: of its key) */
  sp_jr_type type;
} sp_jr_value;

typedef struct sp_jr {
  sp_jr_value *v; /* v[0] is the text's value */
  size_t n, cap;
  char *chars; /* the decoded strings */
  size_t chars_cap;
  const struct sp_jr_value **scratch; /* a large object's members, sorted
                                        to find a key given twice */
  size_t scratch_cap;
} sp_jr;

typedef struct sp_jr_error {
  char text[96];   /* what is wrong, e.g. "expected ':'" */
  int line;        /* from 1 */
  int column;      /* from 1, in characters of the line */
  size_t position; /* from 0, in bytes of the text */
} sp_jr_error;

void sp_jr_init(sp_jr *jr);
void sp_jr_free(sp_jr *jr);

/* Parses len bytes of text (not necessarily NUL-terminated) nested at
 * most max_depth arrays and objects deep. SP_OK; SP_EPARSE if the text is
 * not JSON as above, SP_ELIMIT if it is nested deeper (err says where,
 * both times); SP_ENOMEM. */
int sp_jr_parse(sp_jr *jr, const char *text, size_t len, int max_depth,
                sp_jr_error *err);

/* The text's value; NULL before a successful parse. */
const sp_jr_value *sp_jr_root(const sp_jr *jr);

/* The member of obj named key, or NULL (also if obj is not an object). */
const sp_jr_value *sp_jr_get(const sp_jr_value *obj, const char *key);

/* Writes v compact into w: strings escaped as sp_jw writes them, numbers
 * as read (reals as sp_jw_real writes them). */
void sp_jr_write(sp_jw *w, const sp_jr_value *v);

/* The first member or element of v, and the one after child: NULL when
 * there is none. */
static inline const sp_jr_value *sp_jr_first(const sp_jr_value *v) {
  return v != NULL && (v->type == SP_JR_ARRAY || v->type == SP_JR_OBJECT) &&
                 v->n > 0
             ? v + 1
             : NULL;
}

static inline const sp_jr_value *sp_jr_next(const sp_jr_value *parent,
                                            const sp_jr_value *child) {
  const sp_jr_value *next = child + child->span;
  return next < parent + parent->span ? next : NULL;
}

#endif
