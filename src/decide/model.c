/* The model step of a decision: a scorecard's points, or an XGBoost
 * model's probability turned into points on the same scale (600 at good:bad
 * odds of 50:1, 20 points to double the odds), and the characteristics
 * that cost the most, in the flow's words where it gives them. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decide/decide_int.h"

static int parse_float(const char *s, float *out) {
  if (s[0] == '\0' || strcmp(s, "NA") == 0 || strcmp(s, "NaN") == 0) {
    *out = NAN;
    return 0;
  }
  char *end;
  float v = strtof(s, &end);
  if (*end != '\0' || !isfinite(v))
    return -1;
  *out = v;
  return 0;
}

int sp__flow_score(sp_flow *f, const char *const *fields, size_t n, long row,
                   double *score, double *pd, sp_error *err) {
  if (f->card != NULL) {
    sp_card_result r =
        sp_card_score_row(f->card, f->model_col, fields, n, f->bins, f->points);
    *score = r.points;
    *pd = r.pd;
    return SP_OK;
  }
  size_t k = sp_tree_feature_count(f->tree);
  for (size_t i = 0; i < k; i++)
    if (parse_float(fields[f->model_col[i]], &f->features[i]) != 0)
      return sp_error_set_at(
          err, SP_EINVAL, "data", (int)row, (int)f->model_col[i] + 1,
          "--data: line %ld, column %zu (%s): not a number", row,
          f->model_col[i] + 1, sp_tree_feature_name(f->tree, i));
  double p = sp_tree_probability(f->tree, f->features);
  const double factor = 20 / log(2), offset = 600 - factor * log(50);
  *pd = p;
  *score = p <= 0 ? 1000 : p >= 1 ? 0 : offset + factor * log((1 - p) / p);
  return SP_OK;
}

static const char *text_for(const sp_flow *f, const char *feature) {
  for (int i = 0; i < f->n_texts; i++)
    if (strcmp(f->text_name[i], feature) == 0)
      return f->text[i];
  return NULL;
}

int sp__flow_model_reasons(sp_flow *f, char (*out)[SP_DECIDE_TEXT_MAX],
                           int cap) {
  size_t idx[SP_DECIDE_REASONS_MAX], k;
  /* Contributions always: they make up the score's composition too. */
  if (f->card == NULL && f->explain_path)
    sp_tree_contributions_path(f->tree, f->features, f->contribs);
  else if (f->card == NULL)
    sp_tree_contributions(f->tree, f->features, f->contribs);
  if (cap <= 0)
    return 0;
  if (f->card != NULL)
    k = sp_card_reasons(f->card, f->bins, (size_t)cap, idx);
  else
    k = sp_tree_top_reasons(f->tree, f->contribs, SP_TREE_TOWARD_POSITIVE,
                            (size_t)cap, idx);
  for (size_t i = 0; i < k; i++) {
    const char *name = f->card ? sp_card_feature_name(f->card, idx[i])
                               : sp_tree_feature_name(f->tree, idx[i]);
    const char *t = name ? text_for(f, name) : NULL;
    if (t != NULL)
      snprintf(out[i], SP_DECIDE_TEXT_MAX, "%s", t);
    else if (f->card != NULL)
      sp_card_reason_text(f->card, idx[i], f->bins[idx[i]], out[i],
                          SP_DECIDE_TEXT_MAX);
    else
      snprintf(out[i], SP_DECIDE_TEXT_MAX, "%s", name ? name : "?");
  }
  return (int)k;
}
