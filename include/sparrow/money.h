/* Money and rates: exact integers only.
 *
 * An amount is an int64_t count of fen (0.01 CNY); names carry the unit
 * (`principal_fen`). A rate is an int64_t count of 1e-10 (SP_RATE_ONE is
 * 1.0, so 12% is 1,200,000,000 and 0.02% is 2,000,000); names carry
 * `_rate`. Products of amounts and rates are formed in 128 bits and divided
 * once, with an explicit rounding rule. */
#ifndef SPARROW_MONEY_H
#define SPARROW_MONEY_H

#include <stddef.h>
#include <stdint.h>

#include "sparrow/error.h"

__extension__ typedef __int128 sp_i128;

#define SP_RATE_ONE INT64_C(10000000000)            /* 1.0 in rate units */
#define SP_RATE_PERCENT INT64_C(100000000)          /* 1% in rate units */
#define SP_AMOUNT_FEN_MAX INT64_C(1000000000000000) /* 10 trillion CNY */
#define SP_RATE_MAX (1000 * SP_RATE_ONE)            /* 100,000% */

typedef enum sp_rounding {
  SP_ROUND_HALF_UP = 0, /* halves away from zero: the default */
  SP_ROUND_HALF_EVEN,   /* banker's rounding */
  SP_ROUND_DOWN,        /* toward zero */
  SP_ROUND_UP,          /* away from zero */
  SP_ROUND_FLOOR        /* toward minus infinity */
} sp_rounding;

/* num / den rounded by mode; den must not be 0. */
sp_i128 sp_div_round(sp_i128 num, sp_i128 den, sp_rounding mode);

/* a * b / den rounded, into *out_fen; SP_EOVERFLOW if it does not fit. */
int sp_muldiv_round(int64_t a, int64_t b, int64_t den, sp_rounding mode,
                    int64_t *out);

/* Parses "100000.00", "12000", "-5.5", "0.07" (at most two decimals, no
 * exponent, no thousands separator) into fen. field names the input for
 * the error. Rejects more than SP_AMOUNT_FEN_MAX in magnitude. */
int sp_money_parse(const char *text, const char *field, int64_t *out_fen,
                   sp_error *err);

/* Writes "8884.88" / "-0.05" into buf; returns the length, or a negative
 * code if cap is too small (32 bytes always suffice). */
int sp_money_format(int64_t fen, char *buf, size_t cap);

/* Parses a rate with its unit: "12%", "0.02%", "1.5bp", "0.5‰". A bare
 * number is an error: the unit must be said. */
int sp_rate_parse(const char *text, const char *field, int64_t *out_rate,
                  sp_error *err);

/* Writes a rate as a percentage with `decimals` decimals (rounded half up),
 * e.g. "12.00%" for decimals 2; returns the length or a negative code. */
int sp_rate_format_percent(int64_t rate, int decimals, char *buf, size_t cap);

/* Parses a rounding rule name: "half-up", "half-even", "down", "up",
 * "floor". */
int sp_rounding_parse(const char *text, const char *field, sp_rounding *out,
                      sp_error *err);

/* Checked int64 arithmetic for money; return SP_EOVERFLOW on overflow. */
static inline int sp_add_fen(int64_t a, int64_t b, int64_t *out) {
  return __builtin_add_overflow(a, b, out) ? SP_EOVERFLOW : SP_OK;
}
static inline int sp_sub_fen(int64_t a, int64_t b, int64_t *out) {
  return __builtin_sub_overflow(a, b, out) ? SP_EOVERFLOW : SP_OK;
}

#endif
