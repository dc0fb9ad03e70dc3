/* One credit decision over a bound CSV row (see sparrow/decide.h): rules,
 * score, limit, price and reasons. Nothing is allocated per decision; the
 * flow's scratch space makes it single-threaded per flow. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decide/decide_int.h"
#include "sparrow/money.h"

static size_t column(const char *const *header, size_t n, const char *name) {
  for (size_t i = 0; i < n; i++)
    if (strcmp(header[i], name) == 0)
      return i;
  return SIZE_MAX;
}

static int need(size_t col, const char *name, const char *what, sp_error *err) {
  if (col != SIZE_MAX)
    return SP_OK;
  return sp_error_set(err, SP_ENOTFOUND, "data", "--data: no column '%s' (%s)",
                      name, what);
}

int sp_flow_bind(sp_flow *f, const char *const *header, size_t n,
                 sp_error *err) {
  int rc = SP_OK;
  for (int i = 0; rc == SP_OK && i < f->schema.n_features; i++) {
    f->schema_col[i] = column(header, n, f->schema.features[i].name);
    rc = need(f->schema_col[i], f->schema.features[i].name, "a schema feature",
              err);
  }
  if (rc == SP_OK)
    rc = f->card ? sp_card_map_header(f->card, header, n, f->model_col, err)
                 : sp_tree_map_header(f->tree, header, n, f->model_col, err);
  f->limit_col = column(header, n, f->limit_feature);
  if (rc == SP_OK)
    rc = need(f->limit_col, f->limit_feature, "limit.feature", err);
  f->green_col = f->n_green ? column(header, n, f->green_feature) : SIZE_MAX;
  if (rc == SP_OK && f->n_green)
    rc = need(f->green_col, f->green_feature, "pricing.green.feature", err);
  f->guarantee_col = f->guarantee_feature[0]
                         ? column(header, n, f->guarantee_feature)
                         : SIZE_MAX;
  if (rc == SP_OK && f->guarantee_feature[0])
    rc = need(f->guarantee_col, f->guarantee_feature,
              "pricing.guarantee.feature", err);
  f->n_columns = n;
  f->bound = rc == SP_OK;
  return rc;
}

static int bad_field(sp_error *err, long row, size_t col, const char *name,
                     const char *what) {
  return sp_error_set_at(err, SP_EINVAL, "data", (int)row, (int)col + 1,
                         "--data: line %ld, column %zu (%s): %s", row, col + 1,
                         name, what);
}

/* Rules over the schema's features: sets *outcome to decline / refer when
 * such a rule fires, and lists every fired rule and its reason. */
static int run_rules(sp_flow *f, const char *const *fields, long row,
                     sp_decision *d, sp_error *err) {
  for (int i = 0; i < f->schema.n_features; i++) {
    size_t c = f->schema_col[i];
    int rc = sp_schema_value_parse(&f->schema, i, fields[c], strlen(fields[c]),
                                   row, (int)c + 1, &f->row[i], err);
    if (rc != SP_OK)
      return rc;
  }
  int n = f->rules ? sp_rules_eval(f->rules, f->row, NULL, f->fired) : 0;
  for (int k = 0; k < n; k++) {
    const sp_rule *r = &f->rules->rules[f->fired[k]];
    if (r->outcome == SP_RULE_DECLINE)
      d->outcome = SP_DECIDE_DECLINE;
    else if (r->outcome == SP_RULE_REFER && d->outcome == SP_DECIDE_APPROVE)
      d->outcome = SP_DECIDE_REFER;
    if (d->n_rules < SP_DECIDE_RULES_MAX)
      snprintf(d->rules_fired[d->n_rules++], 32, "%s", r->id);
    if (d->n_reasons < SP_DECIDE_REASONS_MAX)
      snprintf(d->reasons[d->n_reasons++], SP_DECIDE_TEXT_MAX, "%s", r->reason);
  }
  return SP_OK;
}

/* limit = feature * multiple, capped, rounded down to the step; exact. */
static int limit_of(sp_flow *f, const char *const *fields, long row,
                    int64_t *out, sp_error *err) {
  int64_t base;
  sp_error e2;
  const char *text = fields[f->limit_col];
  if (sp_money_parse(text, "limit", &base, &e2) != SP_OK || base < 0)
    return bad_field(err, row, f->limit_col, f->limit_feature,
                     "not an amount like 48000.00");
  __int128 v = (__int128)base * f->multiple_rate / SP_RATE_ONE;
  int64_t limit = v > f->max_fen ? f->max_fen : (int64_t)v;
  *out = limit / f->step_fen * f->step_fen;
  return SP_OK;
}

static int64_t price(sp_flow *f, const char *const *fields, double score,
                     long row, sp_error *err, int *rc) {
  int64_t rate = f->bands[f->n_bands - 1].rate;
  for (int i = 0; i < f->n_bands; i++)
    if (score >= f->bands[i].score_min) {
      rate = f->bands[i].rate;
      break;
    }
  if (f->green_col != SIZE_MAX)
    for (int i = 0; i < f->n_green; i++)
      if (strcmp(fields[f->green_col], f->green_values[i]) == 0)
        rate -= f->green_discount;
  if (f->guarantee_col != SIZE_MAX && fields[f->guarantee_col][0] != '\0') {
    char *end;
    long pct = strtol(fields[f->guarantee_col], &end, 10);
    if (*end != '\0' || pct < 0 || pct > 100)
      *rc = bad_field(err, row, f->guarantee_col, f->guarantee_feature,
                      "a whole percentage from 0 to 100");
    else
      rate -= f->guarantee_spread * pct / 100;
  }
  return rate < f->floor_rate ? f->floor_rate : rate;
}

int sp_flow_decide(sp_flow *f, const char *const *fields, size_t n, long row,
                   sp_decision *d, sp_error *err) {
  memset(d, 0, sizeof *d);
  if (!f->bound || n != f->n_columns)
    return sp_error_set_at(err, SP_EINVAL, "data", (int)row, 0,
                           "--data: line %ld has %zu fields, the header %zu",
                           row, n, f->n_columns);
  int rc = run_rules(f, fields, row, d, err);
  if (rc == SP_OK)
    rc = sp__flow_score(f, fields, n, row, &d->score, &d->pd, err);
  if (rc != SP_OK)
    return rc;
  if (d->score < f->refer_min)
    d->outcome = SP_DECIDE_DECLINE;
  else if (d->score < f->approve_min && d->outcome == SP_DECIDE_APPROVE)
    d->outcome = SP_DECIDE_REFER;
  d->n_reasons += sp__flow_model_reasons(f, d->reasons + d->n_reasons,
                                         SP_DECIDE_REASONS_MAX - d->n_reasons);
  if (d->outcome == SP_DECIDE_DECLINE)
    return SP_OK;
  rc = limit_of(f, fields, row, &d->limit_fen, err);
  if (rc == SP_OK && d->limit_fen < f->min_fen) {
    d->outcome = SP_DECIDE_DECLINE;
    d->limit_fen = 0;
    if (d->n_reasons < SP_DECIDE_REASONS_MAX)
      snprintf(d->reasons[d->n_reasons++], SP_DECIDE_TEXT_MAX,
               "Verified sales support less than the product's minimum "
               "limit");
    return SP_OK;
  }
  if (rc == SP_OK)
    d->annual_rate = price(f, fields, d->score, row, err, &rc);
  return rc;
}
