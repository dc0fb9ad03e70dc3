/* Exact money: rounding division in 128 bits, and decimal text <-> fen and
 * rate units. No floating point anywhere in this file. */
#include "sparrow/money.h"

#include <assert.h>
#include <stdio.h>
#include <string.h>

#include "core/digits.h"

sp_i128 sp_div_round(sp_i128 num, sp_i128 den, sp_rounding mode) {
  assert(den != 0);
  if (den < 0) {
    num = -num;
    den = -den;
  }
  sp_i128 q = num / den; /* truncates toward zero */
  sp_i128 r = num % den; /* same sign as num */
  if (r == 0)
    return q;
  int sign = num < 0 ? -1 : 1;
  sp_i128 r2 = (r < 0 ? -r : r) * 2; /* compare the remainder with den/2 */
  switch (mode) {
  case SP_ROUND_HALF_UP:
    return r2 >= den ? q + sign : q;
  case SP_ROUND_HALF_EVEN:
    if (r2 > den || (r2 == den && (q % 2) != 0))
      return q + sign;
    return q;
  case SP_ROUND_DOWN:
    return q;
  case SP_ROUND_UP:
    return q + sign;
  case SP_ROUND_FLOOR:
    return sign < 0 ? q - 1 : q;
  }
  assert(0 && "unknown rounding mode");
  return q;
}

int sp_muldiv_round(int64_t a, int64_t b, int64_t den, sp_rounding mode,
                    int64_t *out) {
  assert(out != NULL);
  assert(den != 0);
  sp_i128 v = sp_div_round((sp_i128)a * b, den, mode);
  if (v > INT64_MAX || v < INT64_MIN)
    return SP_EOVERFLOW;
  *out = (int64_t)v;
  return SP_OK;
}

/* Parses [-]digits[.digits] into an integer scaled by 10^scale, accepting
 * at most max_decimals decimals. Returns the index just past the number,
 * or -1 on malformed text, -2 on too many decimals, -3 on overflow. */
static int decimal_scan(const char *s, int scale, int max_decimals,
                        sp_i128 limit, sp_i128 *out) {
  int i = 0, neg = 0, digits = 0, decimals = 0;
  sp_i128 v = 0;
  if (s[i] == '-' || s[i] == '+')
    neg = s[i++] == '-';
  for (; s[i] >= '0' && s[i] <= '9'; i++, digits++) {
    v = v * 10 + (s[i] - '0');
    if (v > limit)
      return -3;
  }
  if (s[i] == '.') {
    i++;
    for (; s[i] >= '0' && s[i] <= '9'; i++, decimals++, digits++) {
      if (decimals >= max_decimals)
        return -2;
      v = v * 10 + (s[i] - '0');
      if (v > limit)
        return -3;
    }
    if (decimals == 0)
      return -1; /* "12." */
  }
  if (digits == 0)
    return -1;
  for (int k = decimals; k < scale; k++) {
    v *= 10;
    if (v > limit)
      return -3;
  }
  *out = neg ? -v : v;
  return i;
}

int sp_money_parse(const char *text, const char *field, int64_t *out_fen,
                   sp_error *err) {
  assert(out_fen != NULL);
  if (text == NULL || text[0] == '\0')
    return sp_error_set(err, SP_EINVAL, field, "%s: missing amount",
                        field ? field : "amount");
  sp_i128 v = 0;
  int end = decimal_scan(text, 2, 2, (sp_i128)SP_AMOUNT_FEN_MAX, &v);
  if (end == -2)
    return sp_error_set(err, SP_EINVAL, field,
                        "%s: '%s' has more than two decimals (amounts are in "
                        "fen, 0.01)",
                        field, text);
  if (end == -3)
    return sp_error_set(err, SP_ERANGE, field, "%s: '%s' is too large", field,
                        text);
  if (end < 0 || text[end] != '\0')
    return sp_error_set(err, SP_EINVAL, field,
                        "%s: '%s' is not an amount like 100000.00", field,
                        text);
  *out_fen = (int64_t)v;
  return SP_OK;
}

int sp_money_format(int64_t fen, char *buf, size_t cap) {
  assert(buf != NULL);
  uint64_t mag = fen < 0 ? (uint64_t)0 - (uint64_t)fen : (uint64_t)fen;
  char t[SP_DIGITS_MAX + 5];
  int n = 0;
  if (fen < 0)
    t[n++] = '-';
  n += sp_digits(mag / 100, t + n);
  t[n++] = '.';
  n += sp_digits_width(mag % 100, 2, t + n);
  if ((size_t)n >= cap)
    return SP_ERANGE;
  memcpy(buf, t, (size_t)n);
  buf[n] = '\0';
  return n;
}

int sp_rate_parse(const char *text, const char *field, int64_t *out_rate,
                  sp_error *err) {
  assert(out_rate != NULL);
  if (text == NULL || text[0] == '\0')
    return sp_error_set(err, SP_EINVAL, field, "%s: missing rate", field);
  /* Parse the number with 10 decimals of headroom, then scale by unit. */
  sp_i128 v = 0;
  int end = decimal_scan(text, 10, 10, (sp_i128)SP_RATE_MAX * 10000, &v);
  if (end == -2)
    return sp_error_set(err, SP_EINVAL, field, "%s: '%s' has too many decimals",
                        field, text);
  if (end < 0)
    return sp_error_set(err, SP_EINVAL, field,
                        "%s: '%s' is not a rate like 12%% or 0.02%%", field,
                        text);
  const char *unit = text + end;
  sp_i128 num; /* v is number * 1e10; rate units are 1e-10 */
  sp_i128 den;
  if (strcmp(unit, "%") == 0) {
    num = v;
    den = 100;
  } else if (strcmp(unit, "bp") == 0 || strcmp(unit, "bps") == 0) {
    num = v;
    den = 10000;
  } else if (strcmp(unit, "\u2030") == 0 || strcmp(unit, "permille") == 0) {
    num = v;
    den = 1000;
  } else if (unit[0] == '\0') {
    return sp_error_set(err, SP_EINVAL, field,
                        "%s: '%s' has no unit; write 12%% or 0.02%% or 5bp",
                        field, text);
  } else {
    return sp_error_set(err, SP_EINVAL, field,
                        "%s: unknown unit '%s' (use %%, bp or permille)", field,
                        unit);
  }
  if (num % den != 0)
    return sp_error_set(err, SP_EINVAL, field, "%s: '%s' is finer than 1e-10",
                        field, text);
  sp_i128 r = num / den;
  if (r < 0 || r > SP_RATE_MAX)
    return sp_error_set(err, SP_ERANGE, field,
                        "%s: '%s' is out of range (0 to 100000%%)", field,
                        text);
  *out_rate = (int64_t)r;
  return SP_OK;
}

int sp_rate_format_percent(int64_t rate, int decimals, char *buf, size_t cap) {
  assert(decimals >= 0 && decimals <= 8);
  int64_t scale = 1;
  for (int i = 0; i < decimals; i++)
    scale *= 10;
  /* percent * scale = rate * 100 * scale / SP_RATE_ONE */
  sp_i128 v =
      sp_div_round((sp_i128)rate * scale, SP_RATE_PERCENT, SP_ROUND_HALF_UP);
  int neg = v < 0;
  if (neg)
    v = -v;
  if (v / scale > (sp_i128)UINT64_MAX)
    return SP_ERANGE;
  char t[2 * SP_DIGITS_MAX + 4];
  int n = 0;
  if (neg)
    t[n++] = '-';
  n += sp_digits((uint64_t)(v / scale), t + n);
  if (decimals > 0) {
    t[n++] = '.';
    n += sp_digits_width((uint64_t)(v % scale), decimals, t + n);
  }
  t[n++] = '%';
  if ((size_t)n >= cap)
    return SP_ERANGE;
  memcpy(buf, t, (size_t)n);
  buf[n] = '\0';
  return n;
}

int sp_rounding_parse(const char *text, const char *field, sp_rounding *out,
                      sp_error *err) {
  static const struct {
    const char *name;
    sp_rounding mode;
  } names[] = {{"half-up", SP_ROUND_HALF_UP},
               {"half-even", SP_ROUND_HALF_EVEN},
               {"down", SP_ROUND_DOWN},
               {"up", SP_ROUND_UP},
               {"floor", SP_ROUND_FLOOR}};
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
    if (text != NULL && strcmp(text, names[i].name) == 0) {
      *out = names[i].mode;
      return SP_OK;
    }
  }
  return sp_error_set(err, SP_EINVAL, field,
                      "%s: unknown rounding '%s' (half-up, half-even, down, "
                      "up, floor)",
                      field, text ? text : "");
}
