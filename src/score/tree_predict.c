/* Scoring rows with a compiled tree model.
 *
 * Each tree is walked from its root: at a split the row goes left when its
 * value is below the threshold (both float32, as XGBoost compares) or, if
 * the value is NaN (missing), in the node's default direction. Children
 * are adjacent, so the step is `left + went_right`. The margin is summed in
 * float32 in tree order starting from the base margin, which is how
 * XGBoost's CPU predictor sums it, so the result is the same float. The
 * walks only read the model and allocate nothing. */
#include <assert.h>
#include <math.h>

#include "score/tree_int.h"

/* The leaf value row reaches in the tree rooted at nodes[root]. The walk
 * ends at a leaf within depth_max steps (checked at load time). */
static inline float tree_leaf(const sp__tree_node *nodes, uint32_t root,
                              const float *features, int depth_max) {
  const sp__tree_node *node = &nodes[root];
  for (int step = 0; step <= depth_max; step++) {
    uint32_t info = node->info;
    if (info & SP__TREE_LEAF)
      return node->value;
    float value = features[info & SP__TREE_FEATURE_MASK];
    uint32_t right = isnan(value) ? !(info & SP__TREE_DEFAULT_LEFT)
                                  : !(value < node->value);
    node = &nodes[node->left + right];
  }
  assert(0 && "tree deeper than depth_max");
  return NAN;
}

float sp_tree_margin(const sp_tree_model *model, const float *features) {
  assert(model != NULL && features != NULL);
  const sp__tree_node *nodes = model->nodes;
  float margin = model->base_margin;
  for (size_t t = 0; t < model->tree_count; t++)
    margin += tree_leaf(nodes, model->roots[t], features, model->depth_max);
  return margin;
}

double sp_tree_probability(const sp_tree_model *model, const float *features) {
  double margin = sp_tree_margin(model, features);
  return 1.0 / (1.0 + exp(-margin));
}

void sp_tree_margin_batch(const sp_tree_model *model, const float *features,
                          size_t row_count, float *out_margin) {
  assert(model != NULL && (row_count == 0 || (features && out_margin)));
  for (size_t r = 0; r < row_count; r++)
    out_margin[r] = sp_tree_margin(model, features + r * model->feature_count);
}
