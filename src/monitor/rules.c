/* Monitor rule files: JSON rules {id, when, level, action, pct, amount,
 * reason} compiled against the monitor's schema (one category feature per
 * series) and functions into one sp_monitor_rules.
 *
 * Loading is all or nothing; the first error leaves *out empty and names
 * the rule and member, keeping an expression's line and column. */
#include <assert.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "monitor/monitor_int.h"
#include "rules/rule_json.h"

static int pick(json_t *v, const char *const *names, int n, const char *field,
                sp_error *err) {
  for (int i = 0; json_is_string(v) && i < n; i++)
    if (strcmp(json_string_value(v), names[i]) == 0)
      return i;
  return sp_error_set(err, SP_EINVAL, field, "%s: must be one of %s ... %s",
                      field, names[0], names[n - 1]);
}

static int load_action(sp_monitor_rule *r, json_t *obj, sp_error *err) {
  static const char *const levels[] = {"info", "watch", "warning", "severe"};
  static const char *const actions[] = {"warn", "freeze_line", "reduce_limit",
                                        "release_limit", "open_case"};
  char field[96];
  snprintf(field, sizeof field, "%s.level", r->id);
  int i = pick(json_object_get(obj, "level"), levels, 4, field, err);
  if (i < 0)
    return i;
  r->level = (sp_monitor_level)i;
  snprintf(field, sizeof field, "%s.action", r->id);
  if ((i = pick(json_object_get(obj, "action"), actions, 5, field, err)) < 0)
    return i;
  r->action = (sp_monitor_action_kind)i;
  json_t *pct = json_object_get(obj, "pct"),
         *amt = json_object_get(obj, "amount");
  snprintf(field, sizeof field, "%s.pct", r->id);
  if ((pct != NULL) != (r->action == SP_MONITOR_REDUCE_LIMIT) ||
      (pct != NULL && (!json_is_integer(pct) || json_integer_value(pct) < 1 ||
                       json_integer_value(pct) > 100)))
    return sp_error_set(err, SP_EINVAL, field,
                        "%s: an integer 1..100, for reduce_limit only", field);
  snprintf(field, sizeof field, "%s.amount", r->id);
  if ((amt != NULL) != (r->action == SP_MONITOR_RELEASE_LIMIT) ||
      (amt != NULL && (!json_is_integer(amt) || json_integer_value(amt) < 1)))
    return sp_error_set(err, SP_EINVAL, field,
                        "%s: integer fen > 0, for release_limit only", field);
  r->pct = pct != NULL ? json_integer_value(pct) : 0;
  r->amount_fen = amt != NULL ? json_integer_value(amt) : 0;
  snprintf(field, sizeof field, "%s.reason", r->id);
  return sp__rule_copy_string(json_object_get(obj, "reason"), field, r->reason,
                              sizeof r->reason, err);
}

static int compile_when(sp_monitor_rules *rs, sp_monitor_rule *r,
                        const sp_expr_env *env, json_t *when, sp_error *err) {
  sp_expr_pool pool = {rs->code,    SP_RULES_CODE_MAX,    rs->code_len,
                       rs->strings, SP_RULES_STRINGS_MAX, rs->strings_len};
  int rc = sp__rule_when(when, r->id, env, sp__monitor_check_strings, &pool,
                         &r->when, err);
  if (rc != SP_OK)
    return rc;
  const char *text = json_string_value(when);
  rs->code_len = pool.code_len;
  rs->strings_len = pool.strings_len;
  r->inputs = sp__monitor_rule_inputs(text);
  for (size_t i = 0; text[i] != '\0'; i++)
    rs->fingerprint =
        (rs->fingerprint ^ (unsigned char)text[i]) * 1099511628211ULL;
  return SP_OK;
}

static int load_rule(sp_monitor_rules *rs, const sp_expr_env *env, json_t *obj,
                     int index, sp_error *err) {
  sp_monitor_rule *r = &rs->rules[rs->n_rules];
  memset(r, 0, sizeof *r);
  static const char *const allowed[] = {"id",  "when",   "level", "action",
                                        "pct", "amount", "reason"};
  int rc =
      sp__rule_head(obj, index, allowed, 7, rs->rules[0].id,
                    sizeof rs->rules[0], rs->n_rules, r->id, sizeof r->id, err);
  if (rc == SP_OK && (rc = load_action(r, obj, err)) == SP_OK)
    rc = compile_when(rs, r, env, json_object_get(obj, "when"), err);
  if (rc != SP_OK)
    return rc;
  rs->fingerprint ^= sp__monitor_hash(r->id) + (uint64_t)r->level * 31 +
                     (uint64_t)r->action * 977 + (uint64_t)rs->n_rules;
  rs->n_rules++;
  return SP_OK;
}

static int load_json(sp_monitor_rules *out, json_t *root, sp_error *err) {
  json_t *rules = json_object_get(root, "rules");
  if (!json_is_object(root) || !json_is_array(rules) ||
      json_object_size(root) != 1)
    return sp_error_set(err, SP_EINVAL, "rules",
                        "rules: expected {\"rules\": [...]}");
  if (json_array_size(rules) > SP_MONITOR_RULES_MAX)
    return sp_error_set(err, SP_ELIMIT, "rules", "rules: more than %d rules",
                        SP_MONITOR_RULES_MAX);
  sp_schema *schema = malloc(sizeof *schema);
  if (schema == NULL)
    return sp_error_set(err, SP_ENOMEM, "rules", "rules: out of memory");
  sp__monitor_schema(schema);
  sp_expr_env env = {.schema = schema};
  env.functions = sp__monitor_functions(&env.n_functions);
  size_t i;
  json_t *obj;
  int rc = SP_OK;
  json_array_foreach(rules, i, obj) {
    if ((rc = load_rule(out, &env, obj, (int)i, err)) != SP_OK)
      break;
  }
  free(schema);
  return rc;
}

/* The document ROOT (or RC, the error that kept it from being read) into
 * OUT: all or nothing. */
static int load_root(sp_monitor_rules *out, json_t *root, int rc,
                     sp_error *err) {
  out->n_rules = out->code_len = out->strings_len = 0;
  out->fingerprint = 1469598103934665603ULL;
  if (rc != SP_OK)
    return rc;
  rc = load_json(out, root, err);
  json_decref(root);
  if (rc != SP_OK)
    out->n_rules = out->code_len = out->strings_len = 0;
  return rc;
}

int sp_monitor_rules_load_string(sp_monitor_rules *out, const char *text,
                                 size_t len, sp_error *err) {
  assert(out != NULL && text != NULL);
  json_t *root;
  int rc =
      sp__json_doc(text, len, NULL, SP_RULES_JSON_MAX, "rules", &root, err);
  return load_root(out, root, rc, err);
}

int sp_monitor_rules_load_file(sp_monitor_rules *out, const char *path,
                               sp_error *err) {
  assert(out != NULL && path != NULL);
  json_t *root;
  int rc = sp__json_doc(NULL, 0, path, SP_RULES_JSON_MAX, "rules", &root, err);
  return load_root(out, root, rc, err);
}
