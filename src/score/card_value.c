/* Field values of loan tables as people actually type them: missing
 * markers, currency signs, thousands separators and stray spaces.
 *
 * The text is copied, without the decorations, into a small stack buffer
 * and handed to strtod, which must consume all of it. Nothing is
 * allocated, so scoring can call this for every field. */
#include <assert.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "score/card_int.h"

#define NUMBER_TEXT_MAX 64

static int is_space(char c) { return c == ' ' || c == '\t' || c == '\r'; }

static int is_missing(const char *s, size_t len) {
  static const char *const marks[] = {"NA",   "NaN",  "?",    "N/A",
                                      "null", "NULL", "none", "-"};
  if (len == 0)
    return 1;
  for (size_t i = 0; i < sizeof marks / sizeof marks[0]; i++)
    if (strlen(marks[i]) == len && strncasecmp(marks[i], s, len) == 0)
      return 1;
  return 0;
}

/* Length of a currency sign at s (0 when none): $, or UTF-8 ¥ € £. */
static size_t currency_len(const char *s, size_t len) {
  if (len >= 1 && s[0] == '$')
    return 1;
  if (len >= 2 && (unsigned char)s[0] == 0xC2 &&
      ((unsigned char)s[1] == 0xA5 || (unsigned char)s[1] == 0xA3))
    return 2;
  if (len >= 3 && memcmp(s, "\xE2\x82\xAC", 3) == 0)
    return 3;
  return 0;
}

/* Copies the number's characters of s into buf without the decorations;
 * returns the length, or -1 when the text cannot be a number. */
static int strip(const char *s, size_t len, char *buf) {
  size_t used = 0, i = 0;
  if (i < len && (s[i] == '-' || s[i] == '+'))
    buf[used++] = s[i++];
  i += currency_len(s + i, len - i);
  if (used == 0 && i < len && (s[i] == '-' || s[i] == '+'))
    buf[used++] = s[i++];
  if (i < len && s[len - 1] == '%')
    len--;
  for (; i < len; i++) {
    char c = s[i];
    if (c == ',') { /* a thousands separator sits between digits */
      if (i == 0 || i + 1 >= len || !(s[i - 1] >= '0' && s[i - 1] <= '9') ||
          !(s[i + 1] >= '0' && s[i + 1] <= '9'))
        return -1;
      continue;
    }
    if (used + 1 >= NUMBER_TEXT_MAX)
      return -1;
    buf[used++] = c;
  }
  buf[used] = '\0';
  return (int)used;
}

sp_card_value sp_card_parse_value(const char *text, size_t len, double *out) {
  assert(text != NULL || len == 0);
  while (len > 0 && is_space(text[0])) {
    text++;
    len--;
  }
  while (len > 0 && is_space(text[len - 1]))
    len--;
  if (is_missing(text, len))
    return SP_CARD_MISSING;
  char buf[NUMBER_TEXT_MAX];
  int n = strip(text, len, buf);
  if (n <= 0 ||
      !((buf[n - 1] >= '0' && buf[n - 1] <= '9') || buf[n - 1] == '.'))
    return SP_CARD_TEXT;
  char *end;
  double v = strtod(buf, &end);
  if (end != buf + n || !isfinite(v))
    return SP_CARD_TEXT;
  if (out != NULL)
    *out = v;
  return SP_CARD_NUMBER;
}
