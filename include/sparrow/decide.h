/* Credit decisions: policy rules, then a model's score, then a limit and
 * a risk-based price, with the reasons a borrower can be told.
 *
 * A decision flow is a JSON file (paths relative to it):
 *   {"schema": "schema.json",        features the rules may read
 *    "rules": "rules.json",          policy rules (sparrow/rules.h)
 *    "model": "card.json",           a sparrow train scorecard, or an
 *                                    XGBoost JSON model (score 600 at 50:1,
 *                                    20 points to double the odds)
 *    "approve_min": 620, "refer_min": 580,
 *    "limit": {"feature": "monthly_sales", "multiple": "300%",
 *              "max": "1000000.00", "min": "10000.00", "step": "100.00"},
 *    "pricing": {"bands": [{"score_min": 700, "annual_rate": "8%"},
 *                          {"score_min": 0, "annual_rate": "15%"}],
 *                "green": {"feature": "green_rating", "values": ["A"],
 *                          "discount": "0.5%"},
 *                "guarantee": {"feature": "guarantee_pct", "spread": "4%"},
 *                "floor": "3.85%"},
 *    "reason_text": {"PAY_0": "Recent repayment delays"},
 *    "explain": "treeshap"}          tree models' reasons: exact TreeSHAP
 *                                    (default) or "path" attribution,
 *                                    O(depth) a tree (sparrow/tree.h)
 *
 * The decision, in order:
 *   1. Rules: any decline rule that fires declines; refer rules refer;
 *      flag rules only add their reasons. Rules read the schema's
 *      features from the row's columns of the same names.
 *   2. Score: below refer_min declines, below approve_min refers.
 *   3. Limit: the feature (a money amount in the row, e.g. verified
 *      monthly sales) times the multiple, capped at max, rounded down to a
 *      multiple of step; below min declines. All in fen, exact.
 *   4. Price: the rate of the first band whose score_min the score
 *      reaches, less the green discount when the feature holds one of the
 *      values, less spread * guarantee_pct / 100 (the share of the exposure
 *      a government guarantee covers, 0..100, e.g. 40 under 40/40/20
 *      sharing), never below the floor. Rates exact in SP_RATE_ONE units.
 * A declined application gets no limit or rate (zero).
 *
 * Reasons: the reason texts of the rules that fired, then the
 * characteristics that cost the most points (a scorecard: points below the
 * characteristic's best; a tree model: the features whose TreeSHAP
 * contributions raised the probability of default most), as reason_text
 * gives them or else the scorecard's bin wording / the feature name. */
#ifndef SPARROW_DECIDE_H
#define SPARROW_DECIDE_H

#include <stddef.h>
#include <stdint.h>

#include "sparrow/error.h"

#define SP_DECIDE_REASONS_MAX 4
#define SP_DECIDE_RULES_MAX 8 /* fired rule ids kept per decision */
#define SP_DECIDE_TEXT_MAX 256
#define SP_DECIDE_BANDS_MAX 16

typedef enum sp_decide_outcome {
  SP_DECIDE_APPROVE = 0,
  SP_DECIDE_REFER,
  SP_DECIDE_DECLINE
} sp_decide_outcome;

typedef struct sp_decision {
  sp_decide_outcome outcome;
  double score, pd;
  int64_t limit_fen;   /* 0 unless approved or referred */
  int64_t annual_rate; /* SP_RATE_ONE units; 0 unless approved or referred */
  int n_rules;
  char rules_fired[SP_DECIDE_RULES_MAX][32];
  int n_reasons;
  char reasons[SP_DECIDE_REASONS_MAX][SP_DECIDE_TEXT_MAX];
} sp_decision;

typedef struct sp_flow sp_flow;

/* Loads and checks a flow, all or nothing; errors name the member
 * ("limit.multiple", "pricing.bands[1].annual_rate"), or the rule / model
 * file with its own field and line. */
int sp_flow_load_file(const char *path, sp_flow **out, sp_error *err);
void sp_flow_free(sp_flow *flow);

/* Binds the flow to a CSV header: every schema feature, model feature and
 * the limit's feature must be a column (SP_ENOTFOUND names it). */
int sp_flow_bind(sp_flow *flow, const char *const *header, size_t n,
                 sp_error *err);

/* Decides one row of fields laid out as the bound header. Errors name the
 * column, with `row` as the line. Allocates nothing. */
int sp_flow_decide(sp_flow *flow, const char *const *fields, size_t n, long row,
                   sp_decision *out, sp_error *err);

const char *sp_decide_outcome_name(sp_decide_outcome outcome);

/* The columns the flow reads (schema features, model features, the limit,
 * green and guarantee features), each once: a header with exactly these
 * binds. The source of column i is its schema feature's (an
 * sp_feature_source), or -1 for a model feature the schema does not name. */
size_t sp_flow_column_count(const sp_flow *flow);
const char *sp_flow_column_name(const sp_flow *flow, size_t i);
int sp_flow_column_source(const sp_flow *flow, size_t i);

/* How the last decision's score was made up, one part per model feature:
 * a scorecard's points for the attribute the row fell in (text: its bin
 * and the points below the characteristic's best), or a tree model's
 * contribution to the log-odds of default in points (20 points double the
 * good:bad odds; negative when it raised the probability of default), as
 * the flow's explain method computed it. Returns how many (<= cap). */
typedef struct sp_decide_part {
  const char *feature; /* owned by the flow */
  double points;
  char text[128];
} sp_decide_part;
size_t sp_flow_composition(const sp_flow *flow, sp_decide_part *out,
                           size_t cap);

#endif
