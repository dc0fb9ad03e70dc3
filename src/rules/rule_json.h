/* The parts of a rule file's JSON that every kind of rule shares: the
 * policy rules (ruleset.c) and the monitor's (monitor/rules.c); the
 * document itself read the same way for the schema (schema.c) too. Each
 * error names the member as RULE.MEMBER (rules[I].id before the id is
 * known), and a condition's error keeps its line and column. */
#ifndef SPARROW_RULES_RULE_JSON_H
#define SPARROW_RULES_RULE_JSON_H

#include <jansson.h>
#include <stddef.h>

#include "sparrow/rules.h"

/* The JSON document in TEXT (LEN bytes) or, when TEXT is NULL, in the
 * file PATH, into *ROOT: at most MAX bytes, a key given twice refused. An
 * error names WHAT (a syntax error's line and column too) and leaves *ROOT
 * NULL. */
int sp__json_doc(const char *text, size_t len, const char *path, long max,
                 const char *what, json_t **root, sp_error *err);

/* V, a non-empty string shorter than CAP bytes, copied into OUT. */
int sp__rule_copy_string(json_t *v, const char *field, char *out, size_t cap,
                         sp_error *err);

/* rules[INDEX]: an object with only the N_ALLOWED members ALLOWED, whose
 * id (copied into ID, of ID_CAP bytes) none of the N rules before it has:
 * their ids at IDS, IDS + STRIDE, ... */
int sp__rule_head(json_t *obj, int index, const char *const *allowed,
                  size_t n_allowed, const char *ids, size_t stride, int n,
                  char *id, size_t id_cap, sp_error *err);

/* The rule ID's condition, the string WHEN, compiled into POOL as OUT: a
 * true-or-false expression that CHECK (unless NULL) accepts too. */
int sp__rule_when(json_t *when, const char *id, const sp_expr_env *env,
                  int (*check)(const char *text, sp_error *err),
                  sp_expr_pool *pool, sp_expr *out, sp_error *err);

#endif
