/* Feature schema: JSON → a fixed-capacity table of features.
 *
 * The JSON is parsed with jansson, then each feature object is checked
 * member by member into an sp_feature; unknown members are errors so that
 * a misspelt "protected" is not silently ignored. Category values are
 * copied into one NUL-separated text area of the schema. */
#include "sparrow/schema.h"

#include <assert.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "rules/rule_json.h"

static const char *const type_names[] = {"number", "category", "date", "flag"};
static const char *const source_names[] = {
    "tax",       "invoice", "utility",  "social_insurance", "ecommerce",
    "logistics", "customs", "judicial", "bureau",           "internal"};
#define N_TYPES ((int)(sizeof type_names / sizeof type_names[0]))
#define N_SOURCES ((int)(sizeof source_names / sizeof source_names[0]))

const char *sp_schema_type_name(sp_feature_type type) {
  assert((int)type >= 0 && (int)type < N_TYPES);
  return type_names[type];
}

const char *sp_schema_source_name(sp_feature_source source) {
  assert((int)source >= 0 && (int)source < N_SOURCES);
  return source_names[source];
}

static int name_index(const char *const *names, int n, const char *s) {
  for (int i = 0; i < n; i++)
    if (strcmp(names[i], s) == 0)
      return i;
  return -1;
}

/* A feature name must be usable in a rule: an identifier, not a keyword. */
static int is_identifier(const char *s) {
  static const char *const keywords[] = {"and",  "or",    "not",    "in",
                                         "true", "false", "missing"};
  if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || *s == '_'))
    return 0;
  for (const char *p = s; *p; p++)
    if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
          (*p >= '0' && *p <= '9') || *p == '_'))
      return 0;
  return name_index(keywords, 7, s) < 0;
}

int sp_schema_find(const sp_schema *schema, const char *name, size_t len) {
  assert(schema != NULL && name != NULL);
  for (int i = 0; i < schema->n_features; i++) {
    const char *n = schema->features[i].name;
    if (strncmp(n, name, len) == 0 && n[len] == '\0')
      return i;
  }
  return -1;
}

const char *sp_schema_value(const sp_schema *schema, int f, int i) {
  assert(f >= 0 && f < schema->n_features);
  const sp_feature *feat = &schema->features[f];
  assert(i >= 0 && i < feat->values_count);
  const char *p = schema->value_text + feat->values_at;
  for (int k = 0; k < i; k++)
    p += strlen(p) + 1;
  return p;
}

#define BAD(code, ...) sp_error_set(err, code, field, __VA_ARGS__)

static int load_values(sp_schema *s, sp_feature *f, json_t *values,
                       const char *field, sp_error *err) {
  if (f->type != SP_FEATURE_CATEGORY)
    return BAD(SP_EINVAL, "%s: values are only for categories", field);
  if (!json_is_array(values) || json_array_size(values) == 0)
    return BAD(SP_EINVAL, "%s: must be a non-empty array of strings", field);
  if (json_array_size(values) > SP_SCHEMA_VALUES_MAX)
    return BAD(SP_ELIMIT, "%s: more than %d values", field,
               SP_SCHEMA_VALUES_MAX);
  f->values_at = s->value_bytes;
  size_t i;
  json_t *v;
  json_array_foreach(values, i, v) {
    if (!json_is_string(v))
      return BAD(SP_EINVAL, "%s: must be a non-empty array of strings", field);
    size_t n = json_string_length(v);
    if (n + 1 > (size_t)(SP_SCHEMA_VALUE_BYTES - s->value_bytes))
      return BAD(SP_ELIMIT, "%s: category values exceed %d bytes", field,
                 SP_SCHEMA_VALUE_BYTES);
    memcpy(s->value_text + s->value_bytes, json_string_value(v), n + 1);
    s->value_bytes += (int)n + 1;
    f->values_count++;
  }
  return SP_OK;
}

static int load_bound(sp_feature *f, json_t *v, const char *field,
                      const char *key, sp_error *err) {
  if (f->type != SP_FEATURE_NUMBER)
    return BAD(SP_EINVAL, "%s: %s is only for numbers", field, key);
  if (!json_is_number(v))
    return BAD(SP_EINVAL, "%s: must be a number", field);
  double x = json_number_value(v);
  if (key[1] == 'i') {
    f->has_min = 1;
    f->min = x;
  } else {
    f->has_max = 1;
    f->max = x;
  }
  return SP_OK;
}

static int load_string_member(json_t *v, const char *field, char *out,
                              size_t cap, sp_error *err) {
  if (!json_is_string(v))
    return BAD(SP_EINVAL, "%s: must be a string", field);
  if (json_string_length(v) >= cap)
    return BAD(SP_ELIMIT, "%s: longer than %zu bytes", field, cap - 1);
  memcpy(out, json_string_value(v), json_string_length(v) + 1);
  return SP_OK;
}

static int load_enum(json_t *v, const char *field, const char *const *names,
                     int n, int *out, sp_error *err) {
  int i = json_is_string(v) ? name_index(names, n, json_string_value(v)) : -1;
  if (i < 0)
    return BAD(SP_EINVAL, "%s: must be one of %s, %s, ... %s", field, names[0],
               names[1], names[n - 1]);
  *out = i;
  return SP_OK;
}

/* Name, type and source first, since the other members depend on type. */
static int load_head(sp_schema *s, json_t *obj, int index, sp_feature *f,
                     sp_error *err) {
  char field[96];
  snprintf(field, sizeof field, "features[%d].name", index);
  json_t *name = json_object_get(obj, "name");
  int rc = load_string_member(name, field, f->name, sizeof f->name, err);
  if (rc != SP_OK)
    return rc;
  if (!is_identifier(f->name))
    return BAD(SP_EINVAL, "%s: '%s' is not an identifier", field, f->name);
  if (sp_schema_find(s, f->name, strlen(f->name)) >= 0)
    return BAD(SP_EEXISTS, "%s: '%s' is defined twice", field, f->name);
  int type = 0, source = 0;
  snprintf(field, sizeof field, "%s.type", f->name);
  rc = load_enum(json_object_get(obj, "type"), field, type_names, N_TYPES,
                 &type, err);
  snprintf(field, sizeof field, "%s.source", f->name);
  if (rc == SP_OK)
    rc = load_enum(json_object_get(obj, "source"), field, source_names,
                   N_SOURCES, &source, err);
  f->type = (sp_feature_type)type;
  f->source = (sp_feature_source)source;
  return rc;
}

static int load_member(sp_schema *s, sp_feature *f, const char *key, json_t *v,
                       sp_error *err) {
  char field[96];
  snprintf(field, sizeof field, "%s.%s", f->name, key);
  if (strcmp(key, "name") == 0 || strcmp(key, "type") == 0 ||
      strcmp(key, "source") == 0)
    return SP_OK;
  if (strcmp(key, "unit") == 0)
    return load_string_member(v, field, f->unit, sizeof f->unit, err);
  if (strcmp(key, "min") == 0 || strcmp(key, "max") == 0)
    return load_bound(f, v, field, key, err);
  if (strcmp(key, "values") == 0)
    return load_values(s, f, v, field, err);
  if (strcmp(key, "protected") == 0) {
    if (!json_is_boolean(v))
      return BAD(SP_EINVAL, "%s: must be true or false", field);
    f->is_protected = json_is_true(v);
    return SP_OK;
  }
  return BAD(SP_EINVAL, "%s: unknown member", field);
}

static int load_feature(sp_schema *s, json_t *obj, int index, sp_error *err) {
  char field[96];
  snprintf(field, sizeof field, "features[%d]", index);
  if (!json_is_object(obj))
    return BAD(SP_EINVAL, "%s: must be an object", field);
  sp_feature *f = &s->features[s->n_features];
  memset(f, 0, sizeof *f);
  int rc = load_head(s, obj, index, f, err);
  const char *key;
  json_t *v;
  json_object_foreach(obj, key, v) {
    if (rc == SP_OK)
      rc = load_member(s, f, key, v, err);
  }
  if (rc == SP_OK && f->has_min && f->has_max && !(f->min <= f->max))
    rc = sp_error_set(err, SP_EINVAL, f->name, "%s: min is above max", f->name);
  if (rc == SP_OK)
    s->n_features++;
  return rc;
}

static int load_json(sp_schema *out, json_t *root, sp_error *err) {
  const char *field = "features";
  json_t *features = json_object_get(root, "features");
  if (!json_is_object(root) || !json_is_array(features))
    return BAD(SP_EINVAL, "schema: \"features\" must be an array");
  if (json_object_size(root) != 1)
    return BAD(SP_EINVAL, "schema: only \"features\" is allowed at the top");
  if (json_array_size(features) > SP_SCHEMA_FEATURES_MAX)
    return BAD(SP_ELIMIT, "schema: more than %d features",
               SP_SCHEMA_FEATURES_MAX);
  memset(out, 0, sizeof *out);
  size_t i;
  json_t *obj;
  json_array_foreach(features, i, obj) {
    int rc = load_feature(out, obj, (int)i, err);
    if (rc != SP_OK)
      return rc;
  }
  return SP_OK;
}

/* The document ROOT (or RC, the error that kept it from being read) into
 * OUT: all or nothing. */
static int load_root(sp_schema *out, json_t *root, int rc, sp_error *err) {
  if (rc != SP_OK)
    return rc;
  rc = load_json(out, root, err);
  json_decref(root);
  if (rc != SP_OK)
    memset(out, 0, sizeof *out);
  return rc;
}

int sp_schema_load_string(sp_schema *out, const char *text, size_t len,
                          sp_error *err) {
  assert(out != NULL && text != NULL);
  json_t *root;
  int rc =
      sp__json_doc(text, len, NULL, SP_SCHEMA_JSON_MAX, "schema", &root, err);
  return load_root(out, root, rc, err);
}

int sp_schema_load_file(sp_schema *out, const char *path, sp_error *err) {
  assert(out != NULL && path != NULL);
  json_t *root;
  int rc =
      sp__json_doc(NULL, 0, path, SP_SCHEMA_JSON_MAX, "schema", &root, err);
  return load_root(out, root, rc, err);
}
