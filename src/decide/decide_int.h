/* Internals of the decision engine: the loaded flow. */
#ifndef SPARROW_DECIDE_INT_H
#define SPARROW_DECIDE_INT_H

#include "sparrow/decide.h"
#include "sparrow/rules.h"
#include "sparrow/schema.h"
#include "sparrow/scorecard.h"
#include "sparrow/tree.h"

#define SP__FLOW_GREEN_MAX 8
#define SP__FLOW_TEXTS_MAX 64

typedef struct sp__band {
  double score_min;
  int64_t rate;
} sp__band;

struct sp_flow {
  sp_schema schema;
  sp_rules *rules; /* NULL when the flow has none */
  sp_card *card;   /* one of card and tree */
  sp_tree_model *tree;
  double approve_min, refer_min;
  /* limit */
  char limit_feature[SP_SCHEMA_NAME_MAX];
  int64_t multiple_rate, max_fen, min_fen, step_fen;
  /* price */
  int n_bands;
  sp__band bands[SP_DECIDE_BANDS_MAX];
  char green_feature[SP_SCHEMA_NAME_MAX];
  int n_green;
  char green_values[SP__FLOW_GREEN_MAX][32];
  int64_t green_discount, guarantee_spread, floor_rate;
  char guarantee_feature[SP_SCHEMA_NAME_MAX];
  int explain_path; /* tree reasons by path attribution, not TreeSHAP */
  /* reason texts by feature name */
  int n_texts;
  char text_name[SP__FLOW_TEXTS_MAX][SP_SCHEMA_NAME_MAX];
  char text[SP__FLOW_TEXTS_MAX][SP_DECIDE_TEXT_MAX];
  /* bound to a header (sp_flow_bind) */
  int bound;
  size_t n_columns;
  size_t schema_col[SP_SCHEMA_FEATURES_MAX];
  size_t *model_col;                          /* model features */
  size_t limit_col, green_col, guarantee_col; /* SIZE_MAX: none */
  /* the columns read, each once (columns.c) */
  const char **names;
  size_t n_names, names_cap;
  /* scratch, sized at load */
  sp_value row[SP_SCHEMA_FEATURES_MAX];
  int *fired;
  int *bins;
  double *points;
  float *features;
  double *contribs;
};

/* columns.c: builds the column list (after the model is loaded). */
int sp__flow_columns(sp_flow *f);

/* decide.c: the model's score and pd of a bound row, and its reasons. */
int sp__flow_score(sp_flow *f, const char *const *fields, size_t n, long row,
                   double *score, double *pd, sp_error *err);
int sp__flow_model_reasons(sp_flow *f, char (*out)[SP_DECIDE_TEXT_MAX],
                           int cap);

#endif
