/* A JSON writer into one growing buffer: for documents written on hot
 * paths (a decision's document, an answer), without building a tree of
 * objects first. Commas are placed by the writer; keys and strings are
 * escaped; numbers are written so that they read back exactly. A failed
 * allocation is remembered and reported by sp_jw_finish.
 *
 *   sp_jw w;
 *   sp_jw_init(&w);
 *   sp_jw_open(&w, '{');
 *   sp_jw_key(&w, "limit"); sp_jw_str(&w, "144000.00");
 *   sp_jw_close(&w, '}');
 *   char *text = sp_jw_finish(&w, &len);  // malloc'd, or NULL
 */
#ifndef SPARROW_JW_H
#define SPARROW_JW_H

#include <stddef.h>
#include <stdint.h>

#define SP_JW_DEPTH 16

typedef struct sp_jw {
  char *buf;
  size_t len, cap;
  int depth;
  int failed;                   /* out of memory, or nesting too deep */
  unsigned char n[SP_JW_DEPTH]; /* values so far at each level (0, 1, 2+) */
  int after_key;                /* a key was written, its value is next */
} sp_jw;

void sp_jw_init(sp_jw *w);
/* '{' or '['; a value in its own right. */
void sp_jw_open(sp_jw *w, char bracket);
void sp_jw_close(sp_jw *w, char bracket);
void sp_jw_key(sp_jw *w, const char *key);
void sp_jw_str(sp_jw *w, const char *s);
void sp_jw_int(sp_jw *w, int64_t v);
/* A real with a decimal point or exponent (600.0), null if not finite. */
void sp_jw_real(sp_jw *w, double v);
void sp_jw_bool(sp_jw *w, int v);
void sp_jw_null(sp_jw *w);
/* A value already written as JSON text (trusted, not checked). */
void sp_jw_raw(sp_jw *w, const char *json, size_t len);
/* The text (NUL-terminated, length in *len if not NULL), owned by the
 * caller; NULL if anything failed. The writer is empty after. */
char *sp_jw_finish(sp_jw *w, size_t *len);
void sp_jw_free(sp_jw *w);

#endif
