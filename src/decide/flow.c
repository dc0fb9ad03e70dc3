/* Loading a decision flow (see sparrow/decide.h): the JSON is checked
 * member by member, the files it names are loaded relative to it, and
 * scratch space for one decision is sized once. All or nothing. */
#include <jansson.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decide/decide_int.h"
#include "sparrow/money.h"

/* path relative to the flow file's directory (absolute paths kept). */
static void relative(const char *flow_path, const char *name, char *out,
                     size_t cap) {
  if (name[0] == '/') {
    snprintf(out, cap, "%s", name);
    return;
  }
  char dir[4096];
  snprintf(dir, sizeof dir, "%s", flow_path);
  snprintf(out, cap, "%s/%s", dirname(dir), name);
}

static int bad(sp_error *err, const char *field, const char *what) {
  return sp_error_set(err, SP_EINVAL, field, "flow: %s: %s", field, what);
}

static const char *str(json_t *o, const char *key) {
  return json_string_value(json_object_get(o, key));
}

static int money(json_t *o, const char *key, const char *field, int required,
                 int64_t *out, sp_error *err) {
  const char *s = str(o, key);
  if (s == NULL)
    return required ? bad(err, field, "required (a decimal string)") : SP_OK;
  if (sp_money_parse(s, field, out, err) != SP_OK || *out < 0)
    return bad(err, field, "not an amount like \"100000.00\"");
  return SP_OK;
}

static int rate(json_t *o, const char *key, const char *field, int required,
                int64_t *out, sp_error *err) {
  const char *s = str(o, key);
  if (s == NULL)
    return required ? bad(err, field, "required (a rate like \"8%\")") : SP_OK;
  if (sp_rate_parse(s, field, out, err) != SP_OK || *out < 0)
    return bad(err, field, "not a rate with its unit, like \"8%\"");
  return SP_OK;
}

static int name(json_t *o, const char *key, const char *field, char *out,
                sp_error *err) {
  const char *s = str(o, key);
  if (s == NULL || s[0] == '\0' || strlen(s) >= SP_SCHEMA_NAME_MAX)
    return bad(err, field, "required: a column name");
  snprintf(out, SP_SCHEMA_NAME_MAX, "%s", s);
  return SP_OK;
}

static int load_limit(sp_flow *f, json_t *l, sp_error *err) {
  if (!json_is_object(l))
    return bad(err, "limit", "required: an object");
  int rc = name(l, "feature", "limit.feature", f->limit_feature, err);
  if (rc == SP_OK)
    rc = rate(l, "multiple", "limit.multiple", 1, &f->multiple_rate, err);
  if (rc == SP_OK)
    rc = money(l, "max", "limit.max", 1, &f->max_fen, err);
  if (rc == SP_OK)
    rc = money(l, "min", "limit.min", 0, &f->min_fen, err);
  f->step_fen = 1;
  if (rc == SP_OK)
    rc = money(l, "step", "limit.step", 0, &f->step_fen, err);
  if (rc == SP_OK && (f->step_fen < 1 || f->min_fen > f->max_fen))
    rc = bad(err, "limit", "step must be positive and min at most max");
  return rc;
}

static int load_bands(sp_flow *f, json_t *bands, sp_error *err) {
  size_t n = json_array_size(bands);
  if (!json_is_array(bands) || n == 0 || n > SP_DECIDE_BANDS_MAX)
    return bad(err, "pricing.bands", "1 to 16 bands");
  for (size_t i = 0; i < n; i++) {
    char field[64];
    json_t *b = json_array_get(bands, i),
           *min = json_object_get(b, "score_min");
    snprintf(field, sizeof field, "pricing.bands[%zu].score_min", i);
    if (!json_is_number(min) ||
        (i > 0 && json_number_value(min) >= f->bands[i - 1].score_min))
      return bad(err, field, "a number, the bands in falling order");
    f->bands[i].score_min = json_number_value(min);
    snprintf(field, sizeof field, "pricing.bands[%zu].annual_rate", i);
    int rc = rate(b, "annual_rate", field, 1, &f->bands[i].rate, err);
    if (rc != SP_OK)
      return rc;
  }
  f->n_bands = (int)n;
  return SP_OK;
}

static int load_pricing(sp_flow *f, json_t *p, sp_error *err) {
  if (!json_is_object(p))
    return bad(err, "pricing", "required: an object");
  int rc = load_bands(f, json_object_get(p, "bands"), err);
  json_t *g = json_object_get(p, "green");
  if (rc == SP_OK && g != NULL) {
    json_t *vals = json_object_get(g, "values");
    rc = name(g, "feature", "pricing.green.feature", f->green_feature, err);
    if (rc == SP_OK)
      rc = rate(g, "discount", "pricing.green.discount", 1, &f->green_discount,
                err);
    if (rc == SP_OK && (!json_is_array(vals) || json_array_size(vals) < 1 ||
                        json_array_size(vals) > SP__FLOW_GREEN_MAX))
      rc = bad(err, "pricing.green.values", "1 to 8 strings");
    for (size_t i = 0; rc == SP_OK && i < json_array_size(vals); i++) {
      const char *v = json_string_value(json_array_get(vals, i));
      if (v == NULL || strlen(v) >= 32)
        rc = bad(err, "pricing.green.values", "1 to 8 strings");
      else
        snprintf(f->green_values[f->n_green++], 32, "%s", v);
    }
  }
  json_t *q = json_object_get(p, "guarantee");
  if (rc == SP_OK && q != NULL) {
    rc = name(q, "feature", "pricing.guarantee.feature", f->guarantee_feature,
              err);
    if (rc == SP_OK)
      rc = rate(q, "spread", "pricing.guarantee.spread", 1,
                &f->guarantee_spread, err);
  }
  if (rc == SP_OK)
    rc = rate(p, "floor", "pricing.floor", 0, &f->floor_rate, err);
  return rc;
}

static int load_texts(sp_flow *f, json_t *t, sp_error *err) {
  const char *key;
  json_t *v;
  if (t == NULL)
    return SP_OK;
  if (!json_is_object(t) || json_object_size(t) > SP__FLOW_TEXTS_MAX)
    return bad(err, "reason_text", "an object of at most 64 texts");
  json_object_foreach(t, key, v) {
    if (!json_is_string(v) || strlen(key) >= SP_SCHEMA_NAME_MAX)
      return bad(err, "reason_text", "feature name -> text");
    snprintf(f->text_name[f->n_texts], SP_SCHEMA_NAME_MAX, "%s", key);
    snprintf(f->text[f->n_texts++], SP_DECIDE_TEXT_MAX, "%s",
             json_string_value(v));
  }
  return SP_OK;
}

/* The schema, the rules and the model, relative to the flow file. */
static int load_explain(sp_flow *f, json_t *e, sp_error *err) {
  const char *m = json_string_value(e);
  f->explain_path = 0;
  if (e == NULL || (m != NULL && strcmp(m, "treeshap") == 0))
    return SP_OK;
  if (m != NULL && strcmp(m, "path") == 0) {
    f->explain_path = 1;
    return SP_OK;
  }
  return bad(err, "explain", "\"treeshap\" (default) or \"path\"");
}

static int load_files(sp_flow *f, const char *path, json_t *root,
                      sp_error *err) {
  char file[4096];
  const char *schema = str(root, "schema"), *rules = str(root, "rules"),
             *model = str(root, "model");
  if (schema == NULL)
    return bad(err, "schema", "required: a schema file");
  if (model == NULL)
    return bad(err, "model", "required: a scorecard or XGBoost model file");
  relative(path, schema, file, sizeof file);
  int rc = sp_schema_load_file(&f->schema, file, err);
  if (rc == SP_OK && rules != NULL) {
    sp_expr_env env = {.schema = &f->schema};
    relative(path, rules, file, sizeof file);
    f->rules = malloc(sizeof *f->rules);
    rc = f->rules ? sp_rules_load_file(f->rules, &env, file, err) : SP_ENOMEM;
  }
  if (rc == SP_OK) {
    relative(path, model, file, sizeof file);
    rc = sp_card_detect_file(file) ? sp_card_load_file(file, &f->card, err)
                                   : sp_tree_load_file(file, &f->tree, err);
  }
  return rc;
}

static int scratch(sp_flow *f) {
  size_t n =
      f->card ? sp_card_feature_count(f->card) : sp_tree_feature_count(f->tree);
  f->model_col = calloc(n + 1, sizeof *f->model_col);
  f->fired = calloc(SP_RULES_MAX, sizeof *f->fired);
  f->bins = calloc(n + 1, sizeof *f->bins);
  f->points = calloc(n + 1, sizeof *f->points);
  f->features = calloc(n + 1, sizeof *f->features);
  f->contribs = calloc(n + 2, sizeof *f->contribs);
  return f->model_col && f->fired && f->bins && f->points && f->features &&
                 f->contribs
             ? SP_OK
             : SP_ENOMEM;
}

static int load(sp_flow *f, const char *path, json_t *root, sp_error *err) {
  if (!json_is_object(root))
    return bad(err, "flow", "the file must hold a JSON object");
  json_t *amin = json_object_get(root, "approve_min"),
         *rmin = json_object_get(root, "refer_min");
  if (!json_is_number(amin) || !json_is_number(rmin) ||
      json_number_value(rmin) > json_number_value(amin))
    return bad(err, "refer_min",
               "approve_min and refer_min: numbers, "
               "refer_min <= approve_min");
  f->approve_min = json_number_value(amin);
  f->refer_min = json_number_value(rmin);
  int rc = load_limit(f, json_object_get(root, "limit"), err);
  if (rc == SP_OK)
    rc = load_pricing(f, json_object_get(root, "pricing"), err);
  if (rc == SP_OK)
    rc = load_texts(f, json_object_get(root, "reason_text"), err);
  if (rc == SP_OK)
    rc = load_explain(f, json_object_get(root, "explain"), err);
  if (rc == SP_OK)
    rc = load_files(f, path, root, err);
  if (rc == SP_OK && (scratch(f) != SP_OK || sp__flow_columns(f) != SP_OK))
    rc = sp_error_set(err, SP_ENOMEM, "flow", "out of memory");
  return rc;
}

int sp_flow_load_file(const char *path, sp_flow **out, sp_error *err) {
  *out = NULL;
  json_error_t je;
  json_t *root = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
  if (root == NULL)
    return sp_error_set_at(err, SP_EPARSE, "flow", je.line, je.column,
                           "flow %s:%d:%d: %s", path, je.line, je.column,
                           je.text);
  sp_flow *f = calloc(1, sizeof *f);
  int rc = f ? load(f, path, root, err)
             : sp_error_set(err, SP_ENOMEM, "flow", "out of memory");
  json_decref(root);
  if (rc != SP_OK) {
    sp_flow_free(f);
    return rc;
  }
  *out = f;
  return SP_OK;
}

void sp_flow_free(sp_flow *f) {
  if (f == NULL)
    return;
  free(f->rules);
  sp_card_free(f->card);
  sp_tree_free(f->tree);
  free(f->names);
  free(f->model_col);
  free(f->fired);
  free(f->bins);
  free(f->points);
  free(f->features);
  free(f->contribs);
  free(f);
}

const char *sp_decide_outcome_name(sp_decide_outcome o) {
  static const char *const names[] = {"approve", "refer", "decline"};
  return (unsigned)o < 3 ? names[o] : "?";
}
