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

static int copy_string(json_t *v, const char *field, char *out, size_t cap,
                       sp_error *err) {
  if (!json_is_string(v) || json_string_length(v) == 0)
    return sp_error_set(err, SP_EINVAL, field, "%s: must be a non-empty string",
                        field);
  if (json_string_length(v) >= cap)
    return sp_error_set(err, SP_ELIMIT, field, "%s: longer than %zu bytes",
                        field, cap - 1);
  memcpy(out, json_string_value(v), json_string_length(v) + 1);
  return SP_OK;
}

static int pick(json_t *v, const char *const *names, int n, const char *field,
                sp_error *err) {
  for (int i = 0; json_is_string(v) && i < n; i++)
    if (strcmp(json_string_value(v), names[i]) == 0)
      return i;
  return sp_error_set(err, SP_EINVAL, field, "%s: must be one of %s ... %s",
                      field, names[0], names[n - 1]);
}

static int check_members(json_t *obj, const char *id, sp_error *err) {
  static const char *const allowed[] = {"id",  "when",   "level", "action",
                                        "pct", "amount", "reason"};
  const char *key;
  json_t *v;
  json_object_foreach(obj, key, v) {
    int ok = 0;
    for (int i = 0; i < 7; i++)
      ok |= strcmp(key, allowed[i]) == 0;
    if (!ok)
      return sp_error_set(err, SP_EINVAL, id, "%s.%s: unknown member", id, key);
  }
  return SP_OK;
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
  return copy_string(json_object_get(obj, "reason"), field, r->reason,
                     sizeof r->reason, err);
}

static int compile_when(sp_monitor_rules *rs, sp_monitor_rule *r,
                        const sp_expr_env *env, json_t *when, sp_error *err) {
  char field[96];
  snprintf(field, sizeof field, "%s.when", r->id);
  if (!json_is_string(when))
    return sp_error_set(err, SP_EINVAL, field, "%s: must be a string", field);
  sp_expr_pool pool = {rs->code,    SP_RULES_CODE_MAX,    rs->code_len,
                       rs->strings, SP_RULES_STRINGS_MAX, rs->strings_len};
  sp_error e;
  sp_error_clear(&e);
  const char *text = json_string_value(when);
  int rc = sp_expr_compile(text, env, &pool, &r->when, &e);
  if (rc == SP_OK && r->when.type != SP_EXPR_T_BOOL)
    rc = sp_error_set_at(&e, SP_EINVAL, "", 1, 1,
                         "line 1 column 1: the condition must be true or "
                         "false");
  if (rc == SP_OK)
    rc = sp__monitor_check_strings(text, &e);
  if (rc != SP_OK)
    return sp_error_set_at(err, rc, field, e.line, e.column, "%s: %s", field,
                           e.message);
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
  char field[96];
  snprintf(field, sizeof field, "rules[%d].id", index);
  if (!json_is_object(obj))
    return sp_error_set(err, SP_EINVAL, field, "rules[%d]: must be an object",
                        index);
  int rc =
      copy_string(json_object_get(obj, "id"), field, r->id, sizeof r->id, err);
  for (int i = 0; rc == SP_OK && i < rs->n_rules; i++)
    if (strcmp(rs->rules[i].id, r->id) == 0)
      return sp_error_set(err, SP_EEXISTS, field, "%s: id '%s' used twice",
                          field, r->id);
  if (rc == SP_OK && (rc = check_members(obj, r->id, err)) == SP_OK &&
      (rc = load_action(r, obj, err)) == SP_OK)
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

static int load_root(sp_monitor_rules *out, json_t *root,
                     const json_error_t *jerr, sp_error *err) {
  out->n_rules = out->code_len = out->strings_len = 0;
  out->fingerprint = 1469598103934665603ULL;
  if (root == NULL)
    return sp_error_set_at(err, SP_EPARSE, "rules", jerr->line, jerr->column,
                           "rules: line %d column %d: %s", jerr->line,
                           jerr->column, jerr->text);
  int rc = load_json(out, root, err);
  json_decref(root);
  if (rc != SP_OK)
    out->n_rules = out->code_len = out->strings_len = 0;
  return rc;
}

int sp_monitor_rules_load_string(sp_monitor_rules *out, const char *text,
                                 size_t len, sp_error *err) {
  assert(out != NULL && text != NULL);
  if (len > SP_RULES_JSON_MAX)
    return sp_error_set(err, SP_ELIMIT, "rules", "rules: more than %d bytes",
                        SP_RULES_JSON_MAX);
  json_error_t jerr;
  json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
  return load_root(out, root, &jerr, err);
}

int sp_monitor_rules_load_file(sp_monitor_rules *out, const char *path,
                               sp_error *err) {
  assert(out != NULL && path != NULL);
  FILE *f = fopen(path, "rb");
  if (f == NULL)
    return sp_error_set(err, SP_EIO, "rules", "rules: cannot read %s", path);
  json_error_t jerr;
  json_t *root = json_loadf(f, JSON_REJECT_DUPLICATES, &jerr);
  fclose(f);
  return load_root(out, root, &jerr, err);
}
