/* Writing a scorecard as readable JSON.
 *
 *   {"format": "sparrow-scorecard", "version": 1,
 *    "scaling": {"pdo", "base_score", "base_odds", "factor", "offset"},
 *    "intercept", "base_points",
 *    "training": {"train_rows", "validation_rows", "auc_train",
 *                 "auc_validation"},
 *    "characteristics": [{"name", "type": "number" | "category",
 *      "monotone": "+" | "-" | "none", "iv", "coefficient",
 *      "bins": [{"missing": true, ...},
 *               {"low": null | x, "high": null | y, ...}   (numbers)
 *               {"levels": [...], "other": true | false, ...} (categories)
 *              each with "goods", "bads", "woe", "points"]}]}
 *
 * A range bin holds low <= x < high; null stands for an open end. Reals
 * are written with 17 significant digits, so a card reads back exactly. */
#include <assert.h>
#include <jansson.h>
#include <math.h>

#include "score/card_int.h"

static json_t *real_or_null(double v) {
  return isfinite(v) ? json_real(v) : json_null();
}

static json_t *bin_json(const card_char *c, int b) {
  const card_bin *bin = &c->bins[b];
  json_t *o = json_object();
  if (bin->kind == CARD_BIN_MISSING) {
    json_object_set_new(o, "missing", json_true());
  } else if (bin->kind == CARD_BIN_RANGE) {
    json_object_set_new(o, "low", real_or_null(bin->low));
    json_object_set_new(o, "high", real_or_null(bin->high));
  } else {
    json_t *levels = json_array();
    for (int i = 0; i < c->n_levels; i++)
      if (c->levels[i].bin == b)
        json_array_append_new(levels, json_string(c->levels[i].text));
    json_object_set_new(o, "levels", levels);
    json_object_set_new(o, "other", json_boolean(bin->is_other));
  }
  json_object_set_new(o, "goods", json_integer(bin->goods));
  json_object_set_new(o, "bads", json_integer(bin->bads));
  json_object_set_new(o, "woe", json_real(bin->woe));
  json_object_set_new(o, "points", json_real(bin->points));
  return o;
}

static json_t *char_json(const card_char *c) {
  json_t *o = json_object();
  json_object_set_new(o, "name", json_string(c->name));
  json_object_set_new(o, "type",
                      json_string(c->is_category ? "category" : "number"));
  json_object_set_new(o, "monotone",
                      json_string(c->monotone > 0   ? "+"
                                  : c->monotone < 0 ? "-"
                                                    : "none"));
  json_object_set_new(o, "iv", json_real(c->iv));
  json_object_set_new(o, "coefficient", json_real(c->slope));
  json_t *bins = json_array();
  for (int b = 0; b < c->n_bins; b++)
    json_array_append_new(bins, bin_json(c, b));
  json_object_set_new(o, "bins", bins);
  return o;
}

static json_t *card_json(const sp_card *card) {
  json_t *root = json_object(), *scaling = json_object();
  json_t *training = json_object(), *chars = json_array();
  json_object_set_new(root, "format", json_string("sparrow-scorecard"));
  json_object_set_new(root, "version", json_integer(1));
  json_object_set_new(scaling, "pdo", json_real(card->pdo));
  json_object_set_new(scaling, "base_score", json_real(card->base_score));
  json_object_set_new(scaling, "base_odds", json_real(card->base_odds));
  json_object_set_new(scaling, "factor", json_real(card->factor));
  json_object_set_new(scaling, "offset", json_real(card->offset));
  json_object_set_new(root, "scaling", scaling);
  json_object_set_new(root, "intercept", json_real(card->intercept));
  json_object_set_new(root, "base_points", json_real(card->base_points));
  json_object_set_new(training, "train_rows", json_integer(card->train_rows));
  json_object_set_new(training, "validation_rows",
                      json_integer(card->validation_rows));
  json_object_set_new(training, "auc_train", real_or_null(card->auc_train));
  json_object_set_new(training, "auc_validation",
                      real_or_null(card->auc_validation));
  json_object_set_new(root, "training", training);
  for (size_t i = 0; i < card->n_chars; i++)
    json_array_append_new(chars, char_json(&card->chars[i]));
  json_object_set_new(root, "characteristics", chars);
  return root;
}

int sp_card_write(const sp_card *card, FILE *file, sp_error *err) {
  assert(card != NULL && file != NULL);
  json_t *root = card_json(card);
  if (root == NULL)
    return sp_error_set(err, SP_ENOMEM, "out", "out of memory");
  int rc = json_dumpf(root, file,
                      JSON_INDENT(1) | JSON_PRESERVE_ORDER |
                          JSON_REAL_PRECISION(17));
  json_decref(root);
  if (rc != 0 || fputc('\n', file) == EOF)
    return sp_error_set(err, SP_EIO, "out", "write failed");
  return SP_OK;
}
