/* Scoring with a card: the bin of each field, the points, the pd, and the
 * adverse-action reasons in words.
 *
 * A number falls in the range bin whose [low, high) holds it (the ranges
 * tile the line); a category level is found by binary search in the
 * characteristic's sorted level list, unseen levels going to its "other"
 * bin; missing values and non-numbers in a numeric characteristic go to
 * bins[0]. Nothing here allocates but sp__card_finish, which writes the
 * reason texts once. */
#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "score/card_int.h"

static int cmp_level(const void *a, const void *b) {
  return strcmp(((const card_level *)a)->text, ((const card_level *)b)->text);
}

void sp__card_char_finish(card_char *c) {
  assert(c->n_bins >= 1);
  if (c->n_levels > 1)
    qsort(c->levels, (size_t)c->n_levels, sizeof *c->levels, cmp_level);
  /* The best attribute is the best one seen in training; a card with no
   * counts at all (written by hand) takes the best of every bin. */
  double seen = -INFINITY, any = -INFINITY;
  for (int i = 0; i < c->n_bins; i++) {
    any = fmax(any, c->bins[i].points);
    if (c->bins[i].goods + c->bins[i].bads > 0)
      seen = fmax(seen, c->bins[i].points);
  }
  c->points_best = isinf(seen) ? any : seen;
}

int sp__card_bin_of(const card_char *c, const char *text) {
  double v = 0;
  sp_card_value kind = sp_card_parse_value(text, strlen(text), &v);
  if (kind == SP_CARD_MISSING)
    return 0;
  if (c->is_category) {
    card_level key = {(char *)text, 0};
    const card_level *lv = bsearch(&key, c->levels, (size_t)c->n_levels,
                                   sizeof *c->levels, cmp_level);
    return lv != NULL ? lv->bin : c->other_bin;
  }
  if (kind != SP_CARD_NUMBER || c->n_bins == 1)
    return 0;
  for (int i = 1; i + 1 < c->n_bins; i++)
    if (v < c->bins[i].high)
      return i;
  return c->n_bins - 1;
}

size_t sp_card_feature_count(const sp_card *card) { return card->n_chars; }

const char *sp_card_feature_name(const sp_card *card, size_t i) {
  assert(i < card->n_chars);
  return card->chars[i].name;
}

double sp_card_factor(const sp_card *card) { return card->factor; }
double sp_card_offset(const sp_card *card) { return card->offset; }

int sp_card_map_header(const sp_card *card, const char *const *header,
                       size_t header_count, size_t *column_of, sp_error *err) {
  assert(card != NULL && column_of != NULL);
  for (size_t i = 0; i < card->n_chars; i++) {
    size_t found = header_count;
    for (size_t h = 0; h < header_count; h++) {
      if (strcmp(header[h], card->chars[i].name) != 0)
        continue;
      if (found < header_count)
        return sp_error_set(err, SP_EINVAL, card->chars[i].name,
                            "column '%s' appears twice", header[h]);
      found = h;
    }
    if (found == header_count)
      return sp_error_set(err, SP_ENOTFOUND, card->chars[i].name,
                          "no column '%s' (a characteristic of the card)",
                          card->chars[i].name);
    column_of[i] = found;
  }
  return SP_OK;
}

sp_card_result sp_card_score_row(const sp_card *card, const size_t *column_of,
                                 const char *const *fields, size_t field_count,
                                 int *out_bins, double *out_points) {
  assert(card != NULL && column_of != NULL && fields != NULL);
  double total = card->base_points;
  for (size_t i = 0; i < card->n_chars; i++) {
    assert(column_of[i] < field_count);
    const card_char *c = &card->chars[i];
    int bin = sp__card_bin_of(c, fields[column_of[i]]);
    double points = bin >= 0 ? c->bins[bin].points : 0;
    total += points;
    if (out_bins != NULL)
      out_bins[i] = bin;
    if (out_points != NULL)
      out_points[i] = points;
  }
  sp_card_result r = {total,
                      1 / (1 + exp((total - card->offset) / card->factor))};
  return r;
}

static double gap_of(const sp_card *card, const int *bins, size_t i) {
  const card_char *c = &card->chars[i];
  double points = bins[i] >= 0 ? c->bins[bins[i]].points : 0;
  return c->points_best - points;
}

size_t sp_card_reasons(const sp_card *card, const int *bins, size_t k,
                       size_t *out_features) {
  assert(card != NULL && bins != NULL);
  size_t written = 0;
  for (; written < k; written++) {
    size_t best = card->n_chars;
    double best_gap = 0;
    for (size_t i = 0; i < card->n_chars; i++) {
      int taken = 0;
      for (size_t r = 0; r < written; r++)
        taken |= out_features[r] == i;
      if (!taken && gap_of(card, bins, i) > best_gap) {
        best = i;
        best_gap = gap_of(card, bins, i);
      }
    }
    if (best == card->n_chars)
      break;
    out_features[written] = best;
  }
  return written;
}

/* Words for a range bin: "under 2", "2 to under 5", "5 or more". */
static int range_text(const card_bin *bin, char *buf, size_t cap) {
  if (isinf(bin->low) && isinf(bin->high))
    return snprintf(buf, cap, "any value");
  if (isinf(bin->low))
    return snprintf(buf, cap, "under %.10g", bin->high);
  if (isinf(bin->high))
    return snprintf(buf, cap, "%.10g or more", bin->low);
  return snprintf(buf, cap, "%.10g to under %.10g", bin->low, bin->high);
}

/* Words for a levels bin: its first levels, "or other" when it has one. */
static int levels_text(const card_char *c, int bin, char *buf, size_t cap) {
  size_t used = 0;
  int shown = 0;
  buf[0] = '\0';
  for (int i = 0; i < c->n_levels && used + 1 < cap; i++) {
    if (c->levels[i].bin != bin)
      continue;
    if (shown == 3) {
      used += (size_t)snprintf(buf + used, cap - used, ", ...");
      break;
    }
    used += (size_t)snprintf(buf + used, cap - used, "%s%s", shown ? ", " : "",
                             c->levels[i].text);
    shown++;
  }
  if (c->bins[bin].is_other && used + 1 < cap)
    used += (size_t)snprintf(buf + used, cap - used, "%s",
                             shown ? " or other" : "other");
  return (int)used;
}

static int reason_format(const card_char *c, int bin, char *buf, size_t cap) {
  char what[128] = "an unseen value";
  if (bin == 0)
    snprintf(what, sizeof what, "missing");
  else if (bin > 0 && c->bins[bin].kind == CARD_BIN_RANGE)
    range_text(&c->bins[bin], what, sizeof what);
  else if (bin > 0)
    levels_text(c, bin, what, sizeof what);
  double points = bin >= 0 ? c->bins[bin].points : 0;
  return snprintf(buf, cap, "%s: %s (%+.10g points)", c->name, what,
                  points - c->points_best);
}

/* The texts are the same for every applicant: written here once, not at
 * each decision. */
static int write_texts(card_char *c, sp_error *err) {
  size_t size = 0;
  for (int b = 0; b <= c->n_bins; b++)
    size += (size_t)reason_format(c, b < c->n_bins ? b : -1, NULL, 0) + 1;
  char *at = malloc(size);
  if (at == NULL)
    return sp_error_set(err, SP_ENOMEM, "card", "out of memory");
  for (int b = 0; b <= c->n_bins; b++) {
    c->text[b] = at;
    size_t n = (size_t)reason_format(c, b < c->n_bins ? b : -1, at, size) + 1;
    assert(n <= size);
    at += n;
    size -= n;
  }
  return SP_OK;
}

int sp__card_finish(sp_card *card, sp_error *err) {
  int rc = SP_OK;
  for (size_t i = 0; i < card->n_chars; i++)
    sp__card_char_finish(&card->chars[i]);
  for (size_t i = 0; rc == SP_OK && i < card->n_chars; i++)
    rc = write_texts(&card->chars[i], err);
  return rc;
}

int sp_card_reason_text(const sp_card *card, size_t feature, int bin, char *buf,
                        size_t cap) {
  assert(feature < card->n_chars && cap > 0);
  const card_char *c = &card->chars[feature];
  assert(bin >= -1 && bin < c->n_bins && c->text[0] != NULL);
  const char *t = c->text[bin >= 0 ? bin : c->n_bins];
  size_t n = strlen(t), k = n < cap ? n : cap - 1;
  memcpy(buf, t, k);
  buf[k] = '\0';
  return (int)n;
}
