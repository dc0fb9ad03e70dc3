/* Loading a scorecard written by card_json_write.c, checked member by
 * member: every error names the JSON member ("characteristics[2].bins[3]
 * .high"). The scaling's factor and offset are recomputed from pdo,
 * base_score and base_odds; the points are taken as written, so a card
 * edited by hand scores as edited. Range bins must tile the line in order;
 * a category's levels must be distinct. */
#include <assert.h>
#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "score/card_int.h"

#define PATH_MAX_BYTES 96

/* Formats a member path into out (PATH_MAX_BYTES), truncating. */
static void path_fmt(char *out, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void path_fmt(char *out, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(out, PATH_MAX_BYTES, fmt, ap);
  va_end(ap);
}

static json_t *member(json_t *obj, const char *key, int type, int optional,
                      const char *path, sp_error *err) {
  json_t *v = json_is_object(obj) ? json_object_get(obj, key) : NULL;
  if (v == NULL) {
    if (!optional)
      sp_error_set(err, SP_EINVAL, path, "%s: missing", path);
    return NULL;
  }
  if (type >= 0 && json_typeof(v) != (json_type)type &&
      !(type == JSON_REAL && json_is_integer(v))) {
    sp_error_set(err, SP_EINVAL, path, "%s: wrong JSON type", path);
    return NULL;
  }
  return v;
}

static int number(json_t *obj, const char *key, const char *prefix, double *out,
                  sp_error *err) {
  char path[PATH_MAX_BYTES];
  path_fmt(path, "%s%s%s", prefix, prefix[0] ? "." : "", key);
  json_t *v = member(obj, key, JSON_REAL, 0, path, err);
  if (v == NULL)
    return SP_EINVAL;
  *out = json_number_value(v);
  if (!isfinite(*out))
    return sp_error_set(err, SP_ERANGE, path, "%s: not finite", path);
  return SP_OK;
}

/* A bound: a number, or null for an open end (infinite when open). */
static int bound(json_t *bin, const char *key, const char *prefix, double open,
                 double *out, sp_error *err) {
  char path[PATH_MAX_BYTES];
  path_fmt(path, "%s.%s", prefix, key);
  json_t *v = member(bin, key, -1, 0, path, err);
  if (v == NULL)
    return SP_EINVAL;
  if (json_is_null(v)) {
    *out = open;
    return SP_OK;
  }
  return number(bin, key, prefix, out, err);
}

static int range_bin(json_t *jb, card_char *c, int b, const char *path,
                     sp_error *err) {
  card_bin *bin = &c->bins[b];
  bin->kind = CARD_BIN_RANGE;
  int rc = bound(jb, "low", path, -INFINITY, &bin->low, err);
  if (rc == SP_OK)
    rc = bound(jb, "high", path, INFINITY, &bin->high, err);
  if (rc != SP_OK)
    return rc;
  double want = b == 1 ? -INFINITY : c->bins[b - 1].high;
  if (bin->low != want || !(bin->high > bin->low))
    return sp_error_set(err, SP_ERANGE, path,
                        "%s: ranges must follow each other in order", path);
  return SP_OK;
}

static int level_bin(json_t *jb, card_char *c, int b, const char *path,
                     sp_error *err) {
  char p[PATH_MAX_BYTES];
  path_fmt(p, "%s.levels", path);
  json_t *levels = member(jb, "levels", JSON_ARRAY, 0, p, err);
  if (levels == NULL)
    return SP_EINVAL;
  c->bins[b].kind = CARD_BIN_LEVELS;
  path_fmt(p, "%s.other", path);
  json_t *other = member(jb, "other", -1, 1, p, err);
  if (other != NULL && !json_is_boolean(other))
    return sp_error_set(err, SP_EINVAL, p, "%s: wrong JSON type", p);
  if (other != NULL && json_is_true(other)) {
    if (c->other_bin >= 0)
      return sp_error_set(err, SP_EINVAL, p, "%s: a second other bin", p);
    c->bins[b].is_other = 1;
    c->other_bin = b;
  }
  size_t i;
  json_t *lv;
  json_array_foreach(levels, i, lv) {
    path_fmt(p, "%s.levels[%zu]", path, i);
    if (!json_is_string(lv))
      return sp_error_set(err, SP_EINVAL, p, "%s: wrong JSON type", p);
    if (c->n_levels >= SP_CARD_LEVELS_MAX)
      return sp_error_set(err, SP_ELIMIT, p, "%s: over %d levels", p,
                          SP_CARD_LEVELS_MAX);
    card_level *l = &c->levels[c->n_levels];
    if ((l->text = strdup(json_string_value(lv))) == NULL)
      return sp_error_set(err, SP_ENOMEM, p, "out of memory");
    l->bin = b;
    c->n_levels++;
  }
  return SP_OK;
}

static int read_bin(json_t *jb, card_char *c, int b, const char *path,
                    sp_error *err) {
  if (!json_is_object(jb))
    return sp_error_set(err, SP_EINVAL, path, "%s: wrong JSON type", path);
  int is_missing = json_is_true(json_object_get(jb, "missing"));
  if ((b == 0) != is_missing)
    return sp_error_set(err, SP_EINVAL, path,
                        "%s: the first bin, and only it, is \"missing\"", path);
  int rc = SP_OK;
  if (b > 0)
    rc = c->is_category ? level_bin(jb, c, b, path, err)
                        : range_bin(jb, c, b, path, err);
  double goods = 0, bads = 0;
  card_bin *bin = &c->bins[b];
  if (rc == SP_OK)
    rc = number(jb, "points", path, &bin->points, err);
  if (rc == SP_OK)
    rc = number(jb, "woe", path, &bin->woe, err);
  if (rc == SP_OK)
    rc = number(jb, "goods", path, &goods, err);
  if (rc == SP_OK)
    rc = number(jb, "bads", path, &bads, err);
  if (rc == SP_OK && (goods < 0 || bads < 0 || goods > 1e15 || bads > 1e15))
    rc = sp_error_set(err, SP_ERANGE, path, "%s: counts out of range", path);
  bin->goods = (long)goods;
  bin->bads = (long)bads;
  return rc;
}

static int read_type(json_t *jc, card_char *c, const char *path,
                     sp_error *err) {
  char p[PATH_MAX_BYTES];
  path_fmt(p, "%s.name", path);
  json_t *name = member(jc, "name", JSON_STRING, 0, p, err);
  if (name == NULL)
    return SP_EINVAL;
  if (strlen(json_string_value(name)) >= SP_CARD_NAME_MAX ||
      json_string_value(name)[0] == '\0')
    return sp_error_set(err, SP_ERANGE, p, "%s: empty or too long", p);
  snprintf(c->name, sizeof c->name, "%s", json_string_value(name));
  path_fmt(p, "%s.type", path);
  json_t *type = member(jc, "type", JSON_STRING, 0, p, err);
  if (type == NULL)
    return SP_EINVAL;
  c->is_category = strcmp(json_string_value(type), "category") == 0;
  if (!c->is_category && strcmp(json_string_value(type), "number") != 0)
    return sp_error_set(err, SP_EINVAL, p, "%s: not number or category", p);
  json_t *mono = json_object_get(jc, "monotone");
  if (json_is_string(mono))
    c->monotone = strcmp(json_string_value(mono), "+") == 0   ? 1
                  : strcmp(json_string_value(mono), "-") == 0 ? -1
                                                              : 0;
  json_t *iv = json_object_get(jc, "iv"),
         *slope = json_object_get(jc, "coefficient");
  c->iv = json_is_number(iv) ? json_number_value(iv) : 0;
  c->slope = json_is_number(slope) ? json_number_value(slope) : 0;
  return SP_OK;
}

static int read_char(json_t *jc, card_char *c, const char *path,
                     sp_error *err) {
  c->other_bin = -1;
  int rc = read_type(jc, c, path, err);
  if (rc != SP_OK)
    return rc;
  char p[PATH_MAX_BYTES];
  path_fmt(p, "%s.bins", path);
  json_t *bins = member(jc, "bins", JSON_ARRAY, 0, p, err);
  if (bins == NULL)
    return SP_EINVAL;
  size_t n = json_array_size(bins), levels = 0;
  if (n < 1 || n > SP_CARD_BINS_MAX)
    return sp_error_set(err, SP_ELIMIT, p, "%s: 1 to %d bins", p,
                        SP_CARD_BINS_MAX);
  for (size_t b = 0; b < n; b++)
    levels +=
        json_array_size(json_object_get(json_array_get(bins, b), "levels"));
  if (levels > SP_CARD_LEVELS_MAX)
    return sp_error_set(err, SP_ELIMIT, p, "%s: over %d levels", p,
                        SP_CARD_LEVELS_MAX);
  c->levels = calloc(levels + 1, sizeof *c->levels);
  if (c->levels == NULL)
    return sp_error_set(err, SP_ENOMEM, p, "out of memory");
  c->n_bins = (int)n;
  for (size_t b = 0; rc == SP_OK && b < n; b++) {
    path_fmt(p, "%s.bins[%zu]", path, b);
    rc = read_bin(json_array_get(bins, b), c, (int)b, p, err);
  }
  if (rc == SP_OK && !c->is_category && n > 1 && !isinf(c->bins[n - 1].high))
    rc = sp_error_set(err, SP_ERANGE, p, "%s.high: the last range is open", p);
  return rc;
}

static int read_scaling(json_t *root, sp_card *card, sp_error *err) {
  json_t *s = member(root, "scaling", JSON_OBJECT, 0, "scaling", err);
  if (s == NULL)
    return SP_EINVAL;
  int rc = number(s, "pdo", "scaling", &card->pdo, err);
  if (rc == SP_OK)
    rc = number(s, "base_score", "scaling", &card->base_score, err);
  if (rc == SP_OK)
    rc = number(s, "base_odds", "scaling", &card->base_odds, err);
  if (rc == SP_OK && !(card->pdo > 0))
    rc = sp_error_set(err, SP_ERANGE, "scaling.pdo", "scaling.pdo: not > 0");
  if (rc == SP_OK && !(card->base_odds > 0))
    rc = sp_error_set(err, SP_ERANGE, "scaling.base_odds",
                      "scaling.base_odds: not > 0");
  if (rc == SP_OK)
    rc = number(root, "base_points", "", &card->base_points, err);
  if (rc != SP_OK)
    return rc;
  card->factor = card->pdo / log(2.0);
  card->offset = card->base_score - card->factor * log(card->base_odds);
  json_t *v = json_object_get(root, "intercept");
  card->intercept = json_is_number(v) ? json_number_value(v) : 0;
  json_t *t = json_object_get(root, "training");
  v = json_object_get(t, "auc_train");
  card->auc_train = json_is_number(v) ? json_number_value(v) : NAN;
  v = json_object_get(t, "auc_validation");
  card->auc_validation = json_is_number(v) ? json_number_value(v) : NAN;
  return SP_OK;
}

static int check_levels(const card_char *c, const char *path, sp_error *err) {
  for (int i = 1; i < c->n_levels; i++)
    if (strcmp(c->levels[i - 1].text, c->levels[i].text) == 0)
      return sp_error_set(err, SP_EINVAL, path, "%s: level '%.40s' twice", path,
                          c->levels[i].text);
  return SP_OK;
}

static int read_card(json_t *root, sp_card *card, sp_error *err) {
  json_t *format = member(root, "format", JSON_STRING, 0, "format", err);
  if (format == NULL)
    return SP_EINVAL;
  if (strcmp(json_string_value(format), "sparrow-scorecard") != 0)
    return sp_error_set(err, SP_EINVAL, "format",
                        "format: not \"sparrow-scorecard\"");
  int rc = read_scaling(root, card, err);
  if (rc != SP_OK)
    return rc;
  json_t *chars =
      member(root, "characteristics", JSON_ARRAY, 0, "characteristics", err);
  if (chars == NULL)
    return SP_EINVAL;
  size_t n = json_array_size(chars);
  if (n < 1 || n > SP_CARD_CHARS_MAX)
    return sp_error_set(err, SP_ELIMIT, "characteristics",
                        "characteristics: 1 to %d", SP_CARD_CHARS_MAX);
  if ((card->chars = calloc(n, sizeof *card->chars)) == NULL)
    return sp_error_set(err, SP_ENOMEM, "characteristics", "out of memory");
  card->n_chars = n;
  char p[PATH_MAX_BYTES];
  for (size_t i = 0; rc == SP_OK && i < n; i++) {
    path_fmt(p, "characteristics[%zu]", i);
    if (!json_is_object(json_array_get(chars, i)))
      return sp_error_set(err, SP_EINVAL, p, "%s: wrong JSON type", p);
    rc = read_char(json_array_get(chars, i), &card->chars[i], p, err);
    for (size_t k = 0; rc == SP_OK && k < i; k++)
      if (strcmp(card->chars[k].name, card->chars[i].name) == 0)
        rc = sp_error_set(err, SP_EEXISTS, p, "%s.name: '%s' twice", p,
                          card->chars[i].name);
  }
  if (rc == SP_OK)
    rc = sp__card_finish(card, err);
  for (size_t i = 0; rc == SP_OK && i < n; i++) {
    path_fmt(p, "characteristics[%zu].bins", i);
    rc = check_levels(&card->chars[i], p, err);
  }
  return rc;
}

int sp_card_load_text(const char *text, size_t len, sp_card **out,
                      sp_error *err) {
  assert(text != NULL && out != NULL);
  *out = NULL;
  json_error_t jerr;
  json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
  if (root == NULL)
    return sp_error_set_at(err, SP_EPARSE, "model", jerr.line, jerr.column,
                           "line %d, column %d: %s", jerr.line, jerr.column,
                           jerr.text);
  sp_card *card = calloc(1, sizeof *card);
  int rc = card ? read_card(root, card, err)
                : sp_error_set(err, SP_ENOMEM, "model", "out of memory");
  json_decref(root);
  if (rc != SP_OK) {
    sp_card_free(card);
    return rc;
  }
  *out = card;
  return SP_OK;
}

/* Reads a whole file of at most SP_CARD_JSON_MAX bytes; NULL on failure. */
static char *slurp(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (f == NULL)
    return NULL;
  long size = fseek(f, 0, SEEK_END) == 0 ? ftell(f) : -1;
  char *buf =
      size >= 0 && size <= SP_CARD_JSON_MAX && fseek(f, 0, SEEK_SET) == 0
          ? malloc((size_t)size + 1)
          : NULL;
  size_t n = buf ? fread(buf, 1, (size_t)size, f) : 0;
  int bad = buf == NULL || ferror(f) || n != (size_t)size;
  fclose(f);
  if (bad) {
    free(buf);
    return NULL;
  }
  *len = n;
  return buf;
}

int sp_card_load_file(const char *path, sp_card **out, sp_error *err) {
  size_t len = 0;
  char *text = slurp(path, &len);
  if (text == NULL)
    return sp_error_set(err, SP_EIO, "model", "cannot read '%s'", path);
  int rc = sp_card_load_text(text, len, out, err);
  free(text);
  return rc;
}

int sp_card_detect_file(const char *path) {
  json_error_t jerr;
  json_t *root = json_load_file(path, 0, &jerr);
  json_t *format = json_object_get(root, "format");
  int is_card = json_is_string(format) &&
                strcmp(json_string_value(format), "sparrow-scorecard") == 0;
  json_decref(root);
  return is_card;
}

void sp_card_free(sp_card *card) {
  if (card == NULL)
    return;
  for (size_t i = 0; card->chars != NULL && i < card->n_chars; i++) {
    for (int k = 0; k < card->chars[i].n_levels; k++)
      free(card->chars[i].levels[k].text);
    free(card->chars[i].levels);
    free(card->chars[i].text[0]);
  }
  free(card->chars);
  free(card);
}
