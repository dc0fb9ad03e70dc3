/* Gradient-boosted tree models trained elsewhere: XGBoost JSON import,
 * scoring and TreeSHAP explanations.
 *
 * A model is loaded from the JSON that XGBoost (1.7) writes with
 * Booster.save_model("m.json"), checked member by member, and compiled into
 * one flat node array. Only binary logistic models with numeric splits are
 * accepted (objective binary:logistic or reg:logistic, one output, gbtree).
 *
 * Scoring follows XGBoost exactly: features are float32, a split sends a row
 * left when `value < threshold` in float32, a missing value (NaN) follows
 * the node's default direction, and the margin is accumulated in float32 in
 * tree order starting from the base margin. Scoring allocates nothing and
 * only reads the model, so one model may be shared by many threads.
 *
 * Contributions are exact path-dependent TreeSHAP (Lundberg et al. 2018,
 * Algorithm 2) weighted by the node covers saved in the model (sum_hessian).
 * They use scratch space owned by the model and sized at load time, so a
 * model must not be explained by two threads at once. */
#ifndef SPARROW_TREE_H
#define SPARROW_TREE_H

#include <stddef.h>
#include <stdint.h>

#include "sparrow/error.h"

#define SP_TREE_TREES_MAX 100000    /* trees in one model */
#define SP_TREE_NODES_MAX 1000000   /* nodes in one tree */
#define SP_TREE_FEATURES_MAX 100000 /* features of one model */
#define SP_TREE_DEPTH_MAX 64        /* splits on the path to a leaf */
#define SP_TREE_HEADER_MAX 100000   /* columns of a header to map */

typedef struct sp_tree_model sp_tree_model;

/* Loads an XGBoost JSON model from path into a new model (*out, freed with
 * sp_tree_free). Errors: SP_EIO (file unreadable), SP_EPARSE (not JSON;
 * line and column set), SP_EINVAL / SP_ERANGE (a member is missing, has the
 * wrong type, or is unsupported; field names the JSON member, e.g.
 * "learner.objective.name" or
 * "learner.gradient_booster.model.trees[3].left_children"), SP_ELIMIT,
 * SP_ENOMEM. */
int sp_tree_load_file(const char *path, sp_tree_model **out, sp_error *err);

/* As sp_tree_load_file, from JSON text of len bytes. */
int sp_tree_load_text(const char *text, size_t len, sp_tree_model **out,
                      sp_error *err);

/* Frees a model (NULL allowed). */
void sp_tree_free(sp_tree_model *model);

/* Number of features a row must carry, number of trees. */
size_t sp_tree_feature_count(const sp_tree_model *model);
size_t sp_tree_tree_count(const sp_tree_model *model);

/* Name of feature i (owned by the model), or NULL if the model was saved
 * without feature names. */
const char *sp_tree_feature_name(const sp_tree_model *model, size_t i);

/* Maps the model's features to the columns of a header: column_of[i] (an
 * array of sp_tree_feature_count entries) receives the header index of
 * model feature i. SP_ENOTFOUND names the first model feature absent from
 * the header; SP_EINVAL if the model has no feature names or the header
 * names a model feature twice. */
int sp_tree_map_header(const sp_tree_model *model, const char *const *header,
                       size_t header_count, size_t *column_of, sp_error *err);

/* Copies the model's features out of a row laid out as the header:
 * features[i] = values[column_of[i]]. Every column_of[i] < value_count. */
void sp_tree_gather(const sp_tree_model *model, const size_t *column_of,
                    const float *values, size_t value_count, float *features);

/* The margin (log-odds) of one row of sp_tree_feature_count features,
 * NaN meaning missing. Equal to XGBoost's output_margin bit for bit. */
float sp_tree_margin(const sp_tree_model *model, const float *features);

/* The probability of the positive class: the logistic of the margin. */
double sp_tree_probability(const sp_tree_model *model, const float *features);

/* Margins of row_count rows stored one after another (row r starts at
 * features + r * sp_tree_feature_count); out_margin has row_count entries.
 */
void sp_tree_margin_batch(const sp_tree_model *model, const float *features,
                          size_t row_count, float *out_margin);

/* Per-feature TreeSHAP contributions of one row into contribs
 * (sp_tree_feature_count + 1 entries: one per feature, then the bias, i.e.
 * the model's expected margin). They sum to the margin. Uses the model's
 * scratch space: not to be called concurrently on one model. */
void sp_tree_contributions(sp_tree_model *model, const float *features,
                           double *contribs);

/* Path attribution (Saabas), what XGBoost's pred_contribs computes with
 * approx_contribs=True: walking the row's path through each tree, every
 * split credits its feature with the change in the expected value
 * (cover-weighted mean of the leaves below) from the node to the child the
 * row takes; the bias is the base margin plus each root's expected value.
 * The contributions sum to the margin, like TreeSHAP's, but are not Shapley
 * values: a feature split on near the root may be credited with effects
 * it shares with features below. Cost: one step per level of each tree.
 * contribs as for sp_tree_contributions; same scratch rule. */
void sp_tree_contributions_path(const sp_tree_model *model,
                                const float *features, double *contribs);

/* Which way a reason pushes the score. With "bad" as the positive class,
 * adverse reasons are SP_TREE_TOWARD_POSITIVE. */
typedef enum sp_tree_direction {
  SP_TREE_TOWARD_POSITIVE = 1, /* largest positive contributions first */
  SP_TREE_TOWARD_NEGATIVE = -1 /* most negative contributions first */
} sp_tree_direction;

/* Reason codes: the indices of at most k features whose contributions
 * (from sp_tree_contributions; the bias is not a feature) push furthest in
 * direction, strongest first, ties by lower index; features contributing
 * nothing in that direction are left out. Returns how many were written
 * to out_features. */
size_t sp_tree_top_reasons(const sp_tree_model *model, const double *contribs,
                           sp_tree_direction direction, size_t k,
                           size_t *out_features);

#endif
