/* Loading an XGBoost JSON model: the learner's members, checked one by one.
 *
 * The JSON is parsed with jansson, then read top down: the objective (only
 * binary:logistic and reg:logistic), learner_model_param (base_score,
 * num_class, num_target, num_feature), feature_names, and the gbtree's
 * trees, which tree_compile.c checks and lays out. Every error names the
 * JSON member it is about. */
#include <assert.h>
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "score/tree_compile.h"
#include "score/tree_int.h"

/* The member key of obj (named path), which must exist and be of type. */
json_t *sp__tree_member(json_t *obj, const char *key, json_type type,
                        const char *path, sp_error *err) {
  assert(key != NULL && path != NULL);
  json_t *value = json_is_object(obj) ? json_object_get(obj, key) : NULL;
  if (value == NULL) {
    sp_error_set(err, SP_EINVAL, path, "%s: missing", path);
    return NULL;
  }
  if (json_typeof(value) != type) {
    sp_error_set(err, SP_EINVAL, path, "%s: wrong JSON type", path);
    return NULL;
  }
  return value;
}

/* XGBoost writes counts as strings ("61"); reads one in [low, high]. */
static int count_member(json_t *obj, const char *key, const char *path,
                        long low, long high, long *out, sp_error *err) {
  json_t *value = sp__tree_member(obj, key, JSON_STRING, path, err);
  if (value == NULL)
    return SP_EINVAL;
  const char *text = json_string_value(value);
  char *end = NULL;
  errno = 0;
  long n = strtol(text, &end, 10);
  if (errno != 0 || end == text || *end != '\0')
    return sp_error_set(err, SP_EINVAL, path, "%s: not an integer", path);
  if (n < low || n > high)
    return sp_error_set(err, SP_ERANGE, path, "%s: %ld not in [%ld, %ld]", path,
                        n, low, high);
  *out = n;
  return SP_OK;
}

static int read_objective(json_t *learner, sp_error *err) {
  const char *path = "learner.objective";
  json_t *obj = sp__tree_member(learner, "objective", JSON_OBJECT, path, err);
  if (obj == NULL)
    return SP_EINVAL;
  path = "learner.objective.name";
  json_t *name = sp__tree_member(obj, "name", JSON_STRING, path, err);
  if (name == NULL)
    return SP_EINVAL;
  const char *text = json_string_value(name);
  if (strcmp(text, "binary:logistic") != 0 && strcmp(text, "reg:logistic") != 0)
    return sp_error_set(err, SP_EINVAL, path,
                        "%s: \"%.60s\" unsupported (binary:logistic only)",
                        path, text);
  return SP_OK;
}

/* base_score is a probability; the margin starts from its log-odds,
 * computed in float as XGBoost does. */
static int read_base_score(json_t *param, sp_tree_model *model, sp_error *err) {
  const char *path = "learner.learner_model_param.base_score";
  json_t *value = sp__tree_member(param, "base_score", JSON_STRING, path, err);
  if (value == NULL)
    return SP_EINVAL;
  const char *text = json_string_value(value);
  char *end = NULL;
  float score = strtof(text, &end);
  if (end == text || *end != '\0' || !(score > 0.0f && score < 1.0f))
    return sp_error_set(err, SP_ERANGE, path, "%s: must be in (0, 1)", path);
  model->base_margin = -logf(1.0f / score - 1.0f);
  return SP_OK;
}

static int read_model_param(json_t *learner, sp_tree_model *model,
                            sp_error *err) {
  const char *path = "learner.learner_model_param";
  json_t *param =
      sp__tree_member(learner, "learner_model_param", JSON_OBJECT, path, err);
  if (param == NULL)
    return SP_EINVAL;
  long n = 0;
  int rc = count_member(param, "num_class",
                        "learner.learner_model_param."
                        "num_class",
                        0, 1, &n, err);
  if (rc == SP_OK && json_object_get(param, "num_target") != NULL)
    rc = count_member(param, "num_target",
                      "learner.learner_model_param.num_target", 1, 1, &n, err);
  if (rc == SP_OK)
    rc = count_member(param, "num_feature",
                      "learner.learner_model_param.num_feature", 1,
                      SP_TREE_FEATURES_MAX, &n, err);
  if (rc != SP_OK)
    return rc;
  model->feature_count = (size_t)n;
  return read_base_score(param, model, err);
}

/* feature_names is optional; when present it names every feature. */
static int read_feature_names(json_t *learner, sp_tree_model *model,
                              sp_error *err) {
  const char *path = "learner.feature_names";
  json_t *names = json_object_get(learner, "feature_names");
  if (names == NULL || (json_is_array(names) && json_array_size(names) == 0))
    return SP_OK;
  if (!json_is_array(names) || json_array_size(names) != model->feature_count)
    return sp_error_set(err, SP_EINVAL, path,
                        "%s: must be an array of num_feature (%zu) strings",
                        path, model->feature_count);
  model->feature_names = calloc(model->feature_count, sizeof(char *));
  if (model->feature_names == NULL)
    return sp_error_set(err, SP_ENOMEM, path, NULL);
  for (size_t i = 0; i < model->feature_count; i++) {
    json_t *name = json_array_get(names, i);
    if (!json_is_string(name))
      return sp_error_set(err, SP_EINVAL, path, "%s[%zu]: not a string", path,
                          i);
    model->feature_names[i] = strdup(json_string_value(name));
    if (model->feature_names[i] == NULL)
      return sp_error_set(err, SP_ENOMEM, path, NULL);
  }
  return SP_OK;
}

static int read_learner(json_t *root, sp_tree_model *model, sp_error *err) {
  json_t *learner =
      sp__tree_member(root, "learner", JSON_OBJECT, "learner", err);
  if (learner == NULL)
    return SP_EINVAL;
  int rc = read_objective(learner, err);
  if (rc == SP_OK)
    rc = read_model_param(learner, model, err);
  if (rc == SP_OK)
    rc = read_feature_names(learner, model, err);
  if (rc == SP_OK)
    rc = sp__tree_read_booster(learner, model, err);
  if (rc == SP_OK)
    rc = sp__tree_expectations(model, err);
  if (rc == SP_OK)
    rc = sp__tree_perfect_build(model, err);
  return rc;
}

static int load_json(json_t *root, sp_tree_model **out, sp_error *err) {
  sp_tree_model *model = calloc(1, sizeof *model);
  if (model == NULL) {
    json_decref(root);
    return sp_error_set(err, SP_ENOMEM, "model", NULL);
  }
  int rc = read_learner(root, model, err);
  json_decref(root);
  if (rc != SP_OK) {
    sp_tree_free(model);
    return rc;
  }
  *out = model;
  return SP_OK;
}

static int parse_failed(const json_error_t *jerr, sp_error *err) {
  int code =
      json_error_code(jerr) == json_error_cannot_open_file ? SP_EIO : SP_EPARSE;
  return sp_error_set_at(err, code, "json", jerr->line, jerr->column, "%s",
                         jerr->text);
}

int sp_tree_load_file(const char *path, sp_tree_model **out, sp_error *err) {
  assert(path != NULL && out != NULL);
  *out = NULL;
  json_error_t jerr;
  json_t *root = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
  if (root == NULL)
    return parse_failed(&jerr, err);
  return load_json(root, out, err);
}

int sp_tree_load_text(const char *text, size_t len, sp_tree_model **out,
                      sp_error *err) {
  assert(text != NULL && out != NULL);
  *out = NULL;
  json_error_t jerr;
  json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
  if (root == NULL)
    return parse_failed(&jerr, err);
  return load_json(root, out, err);
}

void sp_tree_free(sp_tree_model *model) {
  if (model == NULL)
    return;
  if (model->feature_names != NULL) {
    for (size_t i = 0; i < model->feature_count; i++)
      free(model->feature_names[i]);
    free(model->feature_names);
  }
  free(model->roots);
  free(model->nodes);
  free(model->cover);
  free(model->shap_scratch);
  free(model->mean);
  free(model->path_scratch);
  free(model->perfect);
  free(model->perfect_default_left);
  free(model);
}

size_t sp_tree_feature_count(const sp_tree_model *model) {
  assert(model != NULL);
  return model->feature_count;
}

size_t sp_tree_tree_count(const sp_tree_model *model) {
  assert(model != NULL);
  return model->tree_count;
}

const char *sp_tree_feature_name(const sp_tree_model *model, size_t i) {
  assert(model != NULL && i < model->feature_count);
  return model->feature_names != NULL ? model->feature_names[i] : NULL;
}
