/* Masking of personal data for roles that may not see it in full.
 *
 * Lengths count UTF-8 code points, so that a Chinese address keeps whole
 * characters. The masked form keeps the shape of the value (an ID number
 * stays 18 characters long) but none of its middle. */
#include <assert.h>
#include <string.h>

#include "sparrow/svc.h"

/* Byte length of the UTF-8 sequence starting with c (1 for bad bytes). */
static size_t seq_len(unsigned char c) {
  if (c >= 0xF0 && c < 0xF8)
    return 4;
  if (c >= 0xE0)
    return c < 0xF0 ? 3 : 1;
  if (c >= 0xC0)
    return 2;
  return 1;
}

static size_t count_points(const char *s) {
  size_t n = 0;
  for (size_t i = 0; s[i]; n++) {
    size_t k = seq_len((unsigned char)s[i]);
    for (size_t j = 0; j < k && s[i]; j++)
      i++;
  }
  return n;
}

/* Byte offset of code point number `point` in s. */
static size_t point_offset(const char *s, size_t point) {
  size_t i = 0;
  for (size_t n = 0; n < point && s[i]; n++) {
    size_t k = seq_len((unsigned char)s[i]);
    for (size_t j = 0; j < k && s[i]; j++)
      i++;
  }
  return i;
}

/* Keeps `head` leading and `tail` trailing code points, stars between
 * (`stars` of them, or as many as were hidden when stars is 0). */
static void keep_ends(const char *in, size_t head, size_t tail, size_t stars,
                      char *out, size_t cap) {
  assert(cap >= 8);
  size_t n = count_points(in), o = 0;
  if (n <= head + tail) { /* too short to show anything safely */
    size_t k = n < cap - 1 ? n : cap - 1;
    memset(out, '*', k);
    out[k] = '\0';
    return;
  }
  size_t hb = point_offset(in, head), tb = point_offset(in, n - tail);
  size_t hidden = stars ? stars : n - head - tail;
  size_t need = hb + hidden + strlen(in + tb);
  if (need + 1 > cap) {
    memset(out, '*', 4);
    out[4] = '\0';
    return;
  }
  memcpy(out, in, hb);
  o = hb;
  memset(out + o, '*', hidden);
  o += hidden;
  memcpy(out + o, in + tb, strlen(in + tb) + 1);
}

void sp_mask_id(const char *in, char *out, size_t cap) {
  keep_ends(in, 4, 4, 0, out, cap);
}

void sp_mask_phone(const char *in, char *out, size_t cap) {
  keep_ends(in, 3, 4, 0, out, cap);
}

void sp_mask_address(const char *in, char *out, size_t cap) {
  size_t n = count_points(in);
  if (n <= 6) {
    keep_ends(in, 0, 0, 0, out, cap);
    return;
  }
  size_t hb = point_offset(in, 6);
  if (hb + 5 > cap) {
    keep_ends("****", 0, 0, 0, out, cap);
    return;
  }
  memcpy(out, in, hb);
  memcpy(out + hb, "****", 5);
}
