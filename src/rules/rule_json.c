/* What every rule file shares: the document's bounded read (the schema's
 * too), and each rule's id, members and condition (rule_json.h). */
#include "rules/rule_json.h"

#include <stdio.h>
#include <string.h>

int sp__json_doc(const char *text, size_t len, const char *path, long max,
                 const char *what, json_t **root, sp_error *err) {
  *root = NULL;
  FILE *f = text == NULL ? fopen(path, "rb") : NULL;
  long size = text != NULL ? (len > (size_t)max ? max + 1 : (long)len) : -1;
  if (f != NULL && fseek(f, 0, SEEK_END) == 0)
    size = ftell(f);
  if (size < 0 || size > max || (f != NULL && fseek(f, 0, SEEK_SET) != 0)) {
    if (f != NULL)
      fclose(f);
    return size < 0 ? sp_error_set(err, SP_EIO, what, "%s: cannot read %s",
                                   what, path)
                    : sp_error_set(err, SP_ELIMIT, what,
                                   "%s: more than %ld bytes", what, max);
  }
  json_error_t jerr;
  *root = f != NULL ? json_loadf(f, JSON_REJECT_DUPLICATES, &jerr)
                    : json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
  if (f != NULL)
    fclose(f);
  if (*root == NULL)
    return sp_error_set_at(err, SP_EPARSE, what, jerr.line, jerr.column,
                           "%s: line %d column %d: %s", what, jerr.line,
                           jerr.column, jerr.text);
  return SP_OK;
}

int sp__rule_copy_string(json_t *v, const char *field, char *out, size_t cap,
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

int sp__rule_head(json_t *obj, int index, const char *const *allowed,
                  size_t n_allowed, const char *ids, size_t stride, int n,
                  char *id, size_t id_cap, sp_error *err) {
  char field[96];
  snprintf(field, sizeof field, "rules[%d].id", index);
  if (!json_is_object(obj))
    return sp_error_set(err, SP_EINVAL, field, "rules[%d]: must be an object",
                        index);
  int rc =
      sp__rule_copy_string(json_object_get(obj, "id"), field, id, id_cap, err);
  for (int i = 0; rc == SP_OK && i < n; i++)
    if (strcmp(ids + (size_t)i * stride, id) == 0)
      return sp_error_set(err, SP_EEXISTS, field, "%s: id '%s' used twice",
                          field, id);
  const char *key;
  json_t *v;
  if (rc == SP_OK)
    json_object_foreach(obj, key, v) {
      size_t i = 0;
      while (i < n_allowed && strcmp(key, allowed[i]) != 0)
        i++;
      if (i == n_allowed)
        return sp_error_set(err, SP_EINVAL, id, "%s.%s: unknown member", id,
                            key);
    }
  return rc;
}

int sp__rule_when(json_t *when, const char *id, const sp_expr_env *env,
                  int (*check)(const char *text, sp_error *err),
                  sp_expr_pool *pool, sp_expr *out, sp_error *err) {
  char field[96];
  snprintf(field, sizeof field, "%s.when", id);
  if (!json_is_string(when))
    return sp_error_set(err, SP_EINVAL, field, "%s: must be a string", field);
  sp_error e;
  sp_error_clear(&e);
  int rc = sp_expr_compile(json_string_value(when), env, pool, out, &e);
  if (rc == SP_OK && out->type != SP_EXPR_T_BOOL)
    rc = sp_error_set_at(&e, SP_EINVAL, "", 1, 1,
                         "line 1 column 1: the condition must be true or "
                         "false");
  if (rc == SP_OK && check != NULL)
    rc = check(json_string_value(when), &e);
  if (rc != SP_OK)
    return sp_error_set_at(err, rc, field, e.line, e.column, "%s: %s", field,
                           e.message);
  return SP_OK;
}
