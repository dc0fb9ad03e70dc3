/* Rule sets: a JSON list of rules compiled into one sp_rules, and the
 * evaluation of all of them over a feature row.
 *
 * Loading is all or nothing: every rule is checked (id, outcome, reason,
 * condition) and compiled into a pool over the set's own arrays; the first
 * error leaves *out empty and names the rule and member, keeping an
 * expression's line and column. */
#include <assert.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "rules/rule_json.h"
#include "rules/rules_int.h"

static const char *const outcome_names[] = {"decline", "refer", "flag"};

const char *sp_rules_outcome_name(sp_rule_outcome outcome) {
  assert((unsigned)outcome < 3);
  return outcome_names[outcome];
}

static sp_expr_pool pool_of(const sp_rules *rules) {
  sp_expr_pool pool = {.code = (sp_instr *)rules->code,
                       .code_cap = SP_RULES_CODE_MAX,
                       .code_len = rules->code_len,
                       .strings = (char *)rules->strings,
                       .strings_cap = SP_RULES_STRINGS_MAX,
                       .strings_len = rules->strings_len};
  return pool;
}

static int load_head(sp_rules *rs, json_t *obj, int index, sp_rule *r,
                     sp_error *err) {
  static const char *const allowed[] = {"id", "when", "outcome", "reason"};
  int rc =
      sp__rule_head(obj, index, allowed, 4, rs->rules[0].id,
                    sizeof rs->rules[0], rs->n_rules, r->id, sizeof r->id, err);
  char field[96];
  snprintf(field, sizeof field, "%s.reason", r->id);
  if (rc == SP_OK)
    rc = sp__rule_copy_string(json_object_get(obj, "reason"), field, r->reason,
                              sizeof r->reason, err);
  snprintf(field, sizeof field, "%s.outcome", r->id);
  json_t *outcome = json_object_get(obj, "outcome");
  if (rc != SP_OK)
    return rc;
  for (int i = 0; i < 3; i++) {
    if (json_is_string(outcome) &&
        strcmp(json_string_value(outcome), outcome_names[i]) == 0) {
      r->outcome = (sp_rule_outcome)i;
      return SP_OK;
    }
  }
  return sp_error_set(err, SP_EINVAL, field,
                      "%s: must be decline, refer or flag", field);
}

static int load_rule(sp_rules *rs, const sp_expr_env *env, json_t *obj,
                     int index, sp_error *err) {
  sp_rule *r = &rs->rules[rs->n_rules];
  memset(r, 0, sizeof *r);
  int rc = load_head(rs, obj, index, r, err);
  if (rc != SP_OK)
    return rc;
  sp_expr_pool pool = pool_of(rs);
  rc = sp__rule_when(json_object_get(obj, "when"), r->id, env, NULL, &pool,
                     &r->when, err);
  if (rc != SP_OK)
    return rc;
  rs->code_len = pool.code_len;
  rs->strings_len = pool.strings_len;
  rs->n_rules++;
  return SP_OK;
}

static int load_json(sp_rules *out, const sp_expr_env *env, json_t *root,
                     sp_error *err) {
  json_t *rules = json_object_get(root, "rules");
  if (!json_is_object(root) || !json_is_array(rules) ||
      json_object_size(root) != 1)
    return sp_error_set(err, SP_EINVAL, "rules",
                        "rules: expected {\"rules\": [...]}");
  if (json_array_size(rules) > SP_RULES_MAX)
    return sp_error_set(err, SP_ELIMIT, "rules", "rules: more than %d rules",
                        SP_RULES_MAX);
  out->n_features = env->schema->n_features;
  size_t i;
  json_t *obj;
  json_array_foreach(rules, i, obj) {
    int rc = load_rule(out, env, obj, (int)i, err);
    if (rc != SP_OK)
      return rc;
  }
  return SP_OK;
}

/* The document ROOT (or RC, the error that kept it from being read) into
 * OUT: all or nothing. */
static int load_root(sp_rules *out, const sp_expr_env *env, json_t *root,
                     int rc, sp_error *err) {
  out->n_rules = out->code_len = out->strings_len = out->n_features = 0;
  if (rc != SP_OK)
    return rc;
  rc = load_json(out, env, root, err);
  json_decref(root);
  if (rc != SP_OK)
    out->n_rules = out->code_len = out->strings_len = 0;
  return rc;
}

int sp_rules_load_string(sp_rules *out, const sp_expr_env *env,
                         const char *text, size_t len, sp_error *err) {
  assert(out != NULL && env != NULL && env->schema != NULL && text != NULL);
  json_t *root;
  int rc =
      sp__json_doc(text, len, NULL, SP_RULES_JSON_MAX, "rules", &root, err);
  return load_root(out, env, root, rc, err);
}

int sp_rules_load_file(sp_rules *out, const sp_expr_env *env, const char *path,
                       sp_error *err) {
  assert(out != NULL && env != NULL && path != NULL);
  json_t *root;
  int rc = sp__json_doc(NULL, 0, path, SP_RULES_JSON_MAX, "rules", &root, err);
  return load_root(out, env, root, rc, err);
}

int sp_rules_eval(const sp_rules *rules, const sp_value *row, void *user,
                  int *fired) {
  assert(rules != NULL && fired != NULL);
  assert(row != NULL || rules->n_features == 0);
  sp_expr_pool pool = pool_of(rules);
  int n = 0;
  for (int i = 0; i < rules->n_rules; i++) {
    sp_value v = sp_expr_eval(&pool, &rules->rules[i].when, row, user);
    if (v.kind == SP_VALUE_BOOL && v.boolean)
      fired[n++] = i;
  }
  assert(n <= rules->n_rules);
  return n;
}
