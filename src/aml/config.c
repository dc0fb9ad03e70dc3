/* AML configuration: the documented defaults, a JSON loader and the
 * "field=column" mapping.
 *
 * The JSON loader is table-driven: every accepted key (top level or one
 * level down, "cycle.window") is a row naming its kind and the offset of
 * its member in sp_aml_config. Any key not in the table is an error naming
 * the key, so a typo never silently falls back to a default. */
#include <assert.h>
#include <jansson.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aml/aml_int.h"
#include "sparrow/money.h"

#define CNY(x) ((int64_t)(x)*100)

static const char *const col_names[SP_AML_COL_COUNT] = {
    "id",       "time", "from_account", "to_account", "amount",
    "currency", "type", "from_kind",    "to_kind",    "cross_border"};
static const char *const gcol_names[SP_AML_GCOL_COUNT] = {
    "guarantor", "borrower", "amount", "id"};
static const char *const pattern_names[SP_AML_PATTERN_COUNT] = {
    "large_value",      "structuring",       "rapid_in_out",
    "fan_in",           "fan_out",           "cycle",
    "guarantee_circle", "guarantee_network", "loan_purpose"};

const char *sp_aml_pattern_name(sp_aml_pattern p) {
  assert((unsigned)p < SP_AML_PATTERN_COUNT);
  return pattern_names[p];
}

int sp_aml_pattern_is_guarantee(sp_aml_pattern p) {
  return p == SP_AML_GUARANTEE_CIRCLE || p == SP_AML_GUARANTEE_NETWORK;
}

int sp_aml_pattern_parse(const char *text, sp_aml_pattern *out) {
  for (int i = 0; i < SP_AML_PATTERN_COUNT; i++)
    if (text != NULL && strcmp(text, pattern_names[i]) == 0) {
      *out = (sp_aml_pattern)i;
      return SP_OK;
    }
  return SP_EINVAL;
}

void sp_aml_config_default(sp_aml_config *cfg) {
  assert(cfg != NULL);
  memset(cfg, 0, sizeof *cfg);
  for (int i = 0; i < SP_AML_COL_COUNT; i++)
    snprintf(cfg->columns[i], SP_AML_NAME_MAX, "%s", col_names[i]);
  for (int i = 0; i < SP_AML_GCOL_COUNT; i++)
    snprintf(cfg->gcolumns[i], SP_AML_NAME_MAX, "%s", gcol_names[i]);
  cfg->default_kind = SP_AML_INDIVIDUAL;
  cfg->patterns = (1u << SP_AML_PATTERN_COUNT) - 1;
  cfg->alerts_max = 1000000;
  cfg->cash_fen_min = CNY(50000);
  cfg->corporate_fen_min = CNY(2000000);
  cfg->individual_domestic_fen_min = CNY(500000);
  cfg->individual_cross_fen_min = CNY(200000);
  cfg->structuring_margin_rate = 10 * SP_RATE_PERCENT;
  cfg->structuring_count_min = 3;
  cfg->structuring_window_s = 7 * SP_DAY_S;
  cfg->rapid_window_s = SP_DAY_S;
  cfg->rapid_ratio_rate = 90 * SP_RATE_PERCENT;
  cfg->rapid_fen_min = CNY(50000);
  cfg->fan_count_min = 8;
  cfg->fan_window_s = 3 * SP_DAY_S;
  cfg->fan_fen_min = 0;
  cfg->fan_passthrough_rate = 50 * SP_RATE_PERCENT;
  cfg->fan_passthrough_window_s = 3 * SP_DAY_S;
  cfg->baseline_window_s = 35 * SP_DAY_S;
  cfg->baseline_factor = 3;
  cfg->purpose_window_s = 30 * SP_DAY_S;
  cfg->purpose_share_rate = 30 * SP_RATE_PERCENT;
  cfg->cycle_hops_min = 3;
  cfg->cycle_hops_max = 6;
  cfg->cycle_window_s = 7 * SP_DAY_S;
  cfg->cycle_tolerance_rate = 10 * SP_RATE_PERCENT;
  cfg->cycle_fen_min = 0;
  cfg->cycle_work_max = 100000;
}

/* "90s", "15m", "24h", "7d" or a bare integer (seconds). */
static int parse_duration(const char *s, int64_t *out) {
  char *end = NULL;
  long long v = strtoll(s, &end, 10);
  if (end == s || v < 0 || v > 100000000LL)
    return SP_EINVAL;
  int64_t unit = 1;
  if (strcmp(end, "d") == 0)
    unit = SP_DAY_S;
  else if (strcmp(end, "h") == 0)
    unit = 3600;
  else if (strcmp(end, "m") == 0)
    unit = 60;
  else if (strcmp(end, "s") != 0 && end[0] != '\0')
    return SP_EINVAL;
  *out = (int64_t)v * unit;
  return SP_OK;
}

enum key_kind {
  K_MONEY,
  K_RATE,
  K_DURATION,
  K_INT,
  K_KIND,
  K_COLUMNS,
  K_GCOLUMNS,
  K_PATTERNS,
  K_UNIT
};

static const struct key {
  const char *path;
  enum key_kind kind;
  size_t offset;
} keys[] = {
#define O(m) offsetof(sp_aml_config, m)
    {"columns", K_COLUMNS, 0},
    {"guarantee_columns", K_GCOLUMNS, 0},
    {"patterns", K_PATTERNS, 0},
    {"time_unit_seconds", K_UNIT, O(time_unit_s)},
    {"default_account_kind", K_KIND, O(default_kind)},
    {"alerts_max", K_INT, O(alerts_max)},
    {"large_value.cash", K_MONEY, O(cash_fen_min)},
    {"large_value.corporate", K_MONEY, O(corporate_fen_min)},
    {"large_value.individual_domestic", K_MONEY,
     O(individual_domestic_fen_min)},
    {"large_value.individual_cross_border", K_MONEY,
     O(individual_cross_fen_min)},
    {"structuring.margin", K_RATE, O(structuring_margin_rate)},
    {"structuring.count_min", K_INT, O(structuring_count_min)},
    {"structuring.window", K_DURATION, O(structuring_window_s)},
    {"rapid_in_out.window", K_DURATION, O(rapid_window_s)},
    {"rapid_in_out.ratio", K_RATE, O(rapid_ratio_rate)},
    {"rapid_in_out.amount_min", K_MONEY, O(rapid_fen_min)},
    {"fan.count_min", K_INT, O(fan_count_min)},
    {"fan.window", K_DURATION, O(fan_window_s)},
    {"fan.amount_min", K_MONEY, O(fan_fen_min)},
    {"fan.passthrough_ratio", K_RATE, O(fan_passthrough_rate)},
    {"fan.passthrough_window", K_DURATION, O(fan_passthrough_window_s)},
    {"baseline.window", K_DURATION, O(baseline_window_s)},
    {"baseline.factor", K_INT, O(baseline_factor)},
    {"loan_purpose.window", K_DURATION, O(purpose_window_s)},
    {"loan_purpose.share", K_RATE, O(purpose_share_rate)},
    {"cycle.hops_min", K_INT, O(cycle_hops_min)},
    {"cycle.hops_max", K_INT, O(cycle_hops_max)},
    {"cycle.window", K_DURATION, O(cycle_window_s)},
    {"cycle.tolerance", K_RATE, O(cycle_tolerance_rate)},
    {"cycle.amount_min", K_MONEY, O(cycle_fen_min)},
    {"cycle.work_max", K_INT, O(cycle_work_max)},
#undef O
};

static int set_columns(sp_aml_config *cfg, json_t *v, int g, const char *path,
                       sp_error *err) {
  if (!json_is_object(v))
    return sp_error_set(err, SP_EINVAL, path, "config: %s must be an object",
                        path);
  const char *k;
  json_t *c;
  json_object_foreach(v, k, c) {
    if (!json_is_string(c))
      return sp_error_set(err, SP_EINVAL, path,
                          "config: %s.%s must be a column name", path, k);
    char spec[2 * SP_AML_NAME_MAX + 2];
    snprintf(spec, sizeof spec, "%s=%s", k, json_string_value(c));
    int rc = sp_aml_config_map(cfg, spec, g, err);
    if (rc != SP_OK)
      return rc;
  }
  return SP_OK;
}

static int set_patterns(sp_aml_config *cfg, json_t *v, sp_error *err) {
  if (!json_is_array(v))
    return sp_error_set(err, SP_EINVAL, "patterns",
                        "config: patterns must be an array of names");
  unsigned mask = 0;
  size_t i;
  json_t *p;
  json_array_foreach(v, i, p) {
    sp_aml_pattern pat;
    if (sp_aml_pattern_parse(json_string_value(p), &pat) != SP_OK)
      return sp_error_set(err, SP_EINVAL, "patterns",
                          "config: patterns[%zu]: unknown pattern", i);
    mask |= 1u << pat;
  }
  cfg->patterns = mask;
  return SP_OK;
}

static int set_scalar(sp_aml_config *cfg, const struct key *k, json_t *v,
                      sp_error *err) {
  char *base = (char *)cfg + k->offset;
  const char *s = json_string_value(v);
  int64_t i64 = 0;
  if (k->kind == K_INT || k->kind == K_UNIT) {
    if (!json_is_integer(v) || json_integer_value(v) < 0 ||
        json_integer_value(v) > 100000000)
      goto bad;
    if (k->path[0] == 'a') /* alerts_max is uint32 */
      *(uint32_t *)(void *)base = (uint32_t)json_integer_value(v);
    else if (k->kind == K_UNIT || strcmp(k->path, "cycle.work_max") == 0)
      *(int64_t *)(void *)base = json_integer_value(v);
    else
      *(int32_t *)(void *)base = (int32_t)json_integer_value(v);
    return SP_OK;
  }
  if (s == NULL)
    goto bad;
  if (k->kind == K_MONEY) {
    if (sp_money_parse(s, k->path, &i64, err) != SP_OK || i64 < 0)
      goto bad;
  } else if (k->kind == K_RATE) {
    if (sp_rate_parse(s, k->path, &i64, err) != SP_OK)
      goto bad;
  } else if (k->kind == K_DURATION) {
    if (parse_duration(s, &i64) != SP_OK)
      goto bad;
  } else {
    assert(k->kind == K_KIND);
    if (strcmp(s, "individual") == 0)
      cfg->default_kind = SP_AML_INDIVIDUAL;
    else if (strcmp(s, "corporate") == 0)
      cfg->default_kind = SP_AML_CORPORATE;
    else
      goto bad;
    return SP_OK;
  }
  *(int64_t *)(void *)base = i64;
  return SP_OK;
bad:
  return sp_error_set(err, SP_EINVAL, k->path, "config: bad value for %s",
                      k->path);
}

static int apply_key(sp_aml_config *cfg, const char *path, json_t *v,
                     sp_error *err) {
  for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
    if (strcmp(keys[i].path, path) != 0)
      continue;
    if (keys[i].kind == K_COLUMNS || keys[i].kind == K_GCOLUMNS)
      return set_columns(cfg, v, keys[i].kind == K_GCOLUMNS, path, err);
    if (keys[i].kind == K_PATTERNS)
      return set_patterns(cfg, v, err);
    return set_scalar(cfg, &keys[i], v, err);
  }
  return sp_error_set(err, SP_EINVAL, path, "config: unknown key '%s'", path);
}

static int is_section(const char *name) {
  size_t n = strlen(name);
  for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
    if (strncmp(keys[i].path, name, n) == 0 && keys[i].path[n] == '.')
      return 1;
  return 0;
}

int sp_aml_config_load_json(sp_aml_config *cfg, const char *text,
                            sp_error *err) {
  assert(cfg != NULL && text != NULL);
  json_error_t jerr;
  json_t *root = json_loads(text, 0, &jerr);
  if (root == NULL)
    return sp_error_set_at(err, SP_EPARSE, "config", jerr.line, jerr.column,
                           "config: line %d, column %d: %s", jerr.line,
                           jerr.column, jerr.text);
  int rc = SP_OK;
  if (!json_is_object(root))
    rc = sp_error_set(err, SP_EINVAL, "config", "config: not a JSON object");
  const char *k;
  json_t *v;
  json_object_foreach(root, k, v) {
    if (rc != SP_OK)
      break;
    if (!is_section(k) || !json_is_object(v)) {
      rc = apply_key(cfg, k, v, err);
      continue;
    }
    const char *k2;
    json_t *v2;
    json_object_foreach(v, k2, v2) {
      char path[128];
      snprintf(path, sizeof path, "%s.%s", k, k2);
      rc = apply_key(cfg, path, v2, err);
      if (rc != SP_OK)
        break;
    }
  }
  json_decref(root);
  if (rc == SP_OK &&
      (cfg->cycle_hops_min < 2 || cfg->cycle_hops_max > SP_AML_HOPS_MAX ||
       cfg->cycle_hops_min > cfg->cycle_hops_max))
    rc = sp_error_set(err, SP_EINVAL, "cycle.hops_max",
                      "config: cycle hops must satisfy 2 <= hops_min <= "
                      "hops_max <= %d",
                      SP_AML_HOPS_MAX);
  if (rc == SP_OK && cfg->baseline_factor < 1)
    rc = sp_error_set(err, SP_EINVAL, "baseline.factor",
                      "config: baseline.factor must be at least 1");
  if (rc == SP_OK && cfg->fan_count_min < 2)
    rc = sp_error_set(err, SP_EINVAL, "fan.count_min",
                      "config: fan.count_min must be at least 2");
  return rc;
}

static int map_one(sp_aml_config *cfg, const char *item, size_t len, int g,
                   sp_error *err) {
  const char *eq = memchr(item, '=', len);
  size_t klen = eq ? (size_t)(eq - item) : 0;
  size_t vlen = eq ? len - klen - 1 : 0;
  if (eq == NULL || klen == 0 || vlen == 0 || vlen >= SP_AML_NAME_MAX)
    return sp_error_set(err, SP_EINVAL, "map",
                        "map: '%.*s' is not field=column", (int)len, item);
  const char *const *names = g ? gcol_names : col_names;
  int count = g ? SP_AML_GCOL_COUNT : SP_AML_COL_COUNT;
  for (int i = 0; i < count; i++) {
    if (strlen(names[i]) != klen || strncmp(names[i], item, klen) != 0)
      continue;
    char *dst = g ? cfg->gcolumns[i] : cfg->columns[i];
    memcpy(dst, eq + 1, vlen);
    dst[vlen] = '\0';
    if (g)
      cfg->gcolumns_mapped |= 1u << i;
    else
      cfg->columns_mapped |= 1u << i;
    return SP_OK;
  }
  return sp_error_set(err, SP_EINVAL, "map", "map: unknown field '%.*s'",
                      (int)klen, item);
}

int sp_aml_config_map(sp_aml_config *cfg, const char *spec, int g,
                      sp_error *err) {
  assert(cfg != NULL && spec != NULL);
  const char *p = spec;
  for (int guard = 0; guard < 64; guard++) {
    const char *comma = strchr(p, ',');
    size_t len = comma ? (size_t)(comma - p) : strlen(p);
    int rc = map_one(cfg, p, len, g, err);
    if (rc != SP_OK)
      return rc;
    if (comma == NULL)
      return SP_OK;
    p = comma + 1;
  }
  return sp_error_set(err, SP_ELIMIT, "map", "map: too many items");
}
