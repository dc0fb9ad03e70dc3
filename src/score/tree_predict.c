/* Scoring rows with a compiled tree model.
 *
 * Each tree is walked from its root: at a split the row goes left when its
 * value is below the threshold (both float32, as XGBoost compares) or, if
 * the value is NaN (missing), in the node's default direction. Children
 * are adjacent, so the step is `left + went_right`. The margin is summed in
 * float32 in tree order starting from the base margin, which is how
 * XGBoost's CPU predictor sums it, so the result is the same float. The
 * walks only read the model and allocate nothing.
 *
 * Shallow models are scored through the perfect layout (tree_layout.c):
 * LOCKSTEP trees of the row are walked together, one level at a time, with
 * no branches, so their loads overlap instead of waiting on each other;
 * their leaves are then added in tree order as before. */
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
    uint32_t right =
        isnan(value) ? !(info & SP__TREE_DEFAULT_LEFT) : !(value < node->value);
    node = &nodes[node->left + right];
  }
  assert(0 && "tree deeper than depth_max");
  return NAN;
}

#define LOCKSTEP SP__TREE_LOCKSTEP

/* Walks the LOCKSTEP trees of group g of the perfect layout to their
 * leaves; at[k] ends as the position of tree k's leaf in the group's leaf
 * block. A position is slot * LOCKSTEP + k (see tree_int.h), so going to
 * child 2 * slot + 2 - left is at' = 2 * at + 2 * LOCKSTEP - k -
 * left * LOCKSTEP. A row with no missing value takes the short step;
 * otherwise the split's default direction is read too (NaN compares false,
 * so `left` is 0 for a missing value until the default says otherwise). */
static inline void walk_group(const sp_tree_model *model, size_t g,
                              const float *features, int any_missing,
                              size_t *at) {
  int depth = model->perfect_depth;
  size_t inner = ((size_t)1 << depth) - 1;
  const sp__tree_split *splits = model->perfect + g * inner * LOCKSTEP;
  const uint8_t *default_left =
      model->perfect_default_left + g * inner * LOCKSTEP;
  for (size_t k = 0; k < LOCKSTEP; k++)
    at[k] = k;
  for (int level = 0; level < depth; level++) {
    for (size_t k = 0; k < LOCKSTEP; k++) {
      float value = features[splits[at[k]].feature];
      size_t left = value < splits[at[k]].threshold;
      if (any_missing)
        left |= (size_t)(value != value) & default_left[at[k]];
      at[k] = 2 * at[k] + (2 * LOCKSTEP - k) - left * LOCKSTEP;
    }
  }
  for (size_t k = 0; k < LOCKSTEP; k++)
    at[k] -= inner * LOCKSTEP;
}

static inline float margin_perfect_rows(const sp_tree_model *model,
                                        const float *features,
                                        int any_missing) {
  size_t leaves = (size_t)1 << model->perfect_depth;
  float margin = model->base_margin;
  size_t at[LOCKSTEP];
  for (size_t t = 0; t < model->tree_count; t += LOCKSTEP) {
    size_t g = t / LOCKSTEP;
    const float *values = model->perfect_leaf + g * leaves * LOCKSTEP;
    walk_group(model, g, features, any_missing, at);
    size_t count =
        model->tree_count - t < LOCKSTEP ? model->tree_count - t : LOCKSTEP;
    for (size_t k = 0; k < count; k++) /* in tree order, as XGBoost */
      margin += values[at[k]];
  }
  return margin;
}

/* Two copies of the walk, specialised by whether the row has a NaN. */
static float margin_perfect(const sp_tree_model *model, const float *features) {
  int any_missing = 0;
  for (size_t i = 0; i < model->feature_count; i++)
    any_missing |= features[i] != features[i];
  return any_missing ? margin_perfect_rows(model, features, 1)
                     : margin_perfect_rows(model, features, 0);
}

float sp_tree_margin(const sp_tree_model *model, const float *features) {
  assert(model != NULL && features != NULL);
  if (model->perfect_depth >= 0)
    return margin_perfect(model, features);
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
