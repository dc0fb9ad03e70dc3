/* Decimal digits of an integer without printf (whose format parsing costs
 * more than the digits in the money, rates and decision documents the
 * server writes for every request). */
#ifndef SPARROW_CORE_DIGITS_H
#define SPARROW_CORE_DIGITS_H

#include <stdint.h>

#define SP_DIGITS_MAX 20 /* of UINT64_MAX */

/* Writes v's digits to out (no NUL); returns how many. */
static inline int sp_digits(uint64_t v, char out[SP_DIGITS_MAX]) {
  char t[SP_DIGITS_MAX];
  int n = 0;
  do {
    t[n++] = (char)('0' + v % 10);
    v /= 10;
  } while (v != 0);
  for (int i = 0; i < n; i++)
    out[i] = t[n - 1 - i];
  return n;
}

/* Exactly `width` digits of v (the lowest, zero-padded), no NUL. */
static inline void sp_digits_fixed(unsigned v, int width, char *out) {
  for (int i = width - 1; i >= 0; i--, v /= 10)
    out[i] = (char)('0' + v % 10);
}

/* A signed value: '-' first when negative (INT64_MIN too); returns how
 * many characters (no NUL). */
static inline int sp_digits_i64(int64_t v, char out[SP_DIGITS_MAX + 1]) {
  int n = 0;
  if (v < 0)
    out[n++] = '-';
  return n +
         sp_digits(v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v, out + n);
}

/* The same, at least `width` digits (zeros in front). */
static inline int sp_digits_width(uint64_t v, int width,
                                  char out[SP_DIGITS_MAX]) {
  char t[SP_DIGITS_MAX];
  int n = sp_digits(v, t), pad = width > n ? width - n : 0;
  for (int i = 0; i < pad; i++)
    out[i] = '0';
  for (int i = 0; i < n; i++)
    out[pad + i] = t[i];
  return pad + n;
}

#endif
