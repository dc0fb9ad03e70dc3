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
 * the 16 trees of a group are walked for one row together, one level
 * at a time, with no branches, so their loads overlap instead of waiting
 * on each other; their leaves are then added in tree order as before. The
 * batch walks each group for a block of rows before moving to the next
 * group, so a group's nodes stay in the level-1 cache for the whole block;
 * each row still gets its trees in tree order, so the batch gives the same
 * floats as one call per row.
 */
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
_Static_assert(LOCKSTEP == 16, "the unroll pragmas below assume 16");

/* The perfect layout's group g (see tree_int.h). */
static inline const sp__tree_split *group_nodes(const sp_tree_model *model,
                                                size_t g) {
  size_t per = LOCKSTEP * (((size_t)2 << model->perfect_depth) - 1);
  return model->perfect + g * per;
}

/* Walks the LOCKSTEP trees of a group (nodes, with default_left parallel
 * to it) to their leaves, all of them one level at a time (fully unrolled,
 * so their loads overlap); at[k] ends as the position of tree k's leaf. A
 * step is `at = child + went_right`, with no branch. A row with no missing
 * value takes the short step, `value >= threshold` (the same as
 * `!(value < threshold)` when neither is NaN; one compare and one
 * subtract-with-borrow); otherwise a NaN (which compares false, so would
 * go right) goes right only if its split's default is not left. */
static inline void walk_group(const sp__tree_split *nodes,
                              const uint8_t *default_left, int depth,
                              const float *features, int any_missing,
                              uint32_t *at) {
  uint32_t pos[LOCKSTEP];
#pragma GCC unroll 16
  for (size_t k = 0; k < LOCKSTEP; k++)
    pos[k] = (uint32_t)k;
  for (int level = 0; level < depth; level++) {
#pragma GCC unroll 16
    for (size_t k = 0; k < LOCKSTEP; k++) {
      const sp__tree_split *node = &nodes[pos[k]];
      float value = features[node->feature];
      uint32_t right;
      if (any_missing)
        right =
            !(value < node->value) & !((value != value) & default_left[pos[k]]);
      else /* no NaN: !(value < threshold) is value >= threshold */
        right = value >= node->value;
      pos[k] = node->child + right;
    }
  }
#pragma GCC unroll 16
  for (size_t k = 0; k < LOCKSTEP; k++)
    at[k] = pos[k];
}

/* Adds the leaves of group g's trees reached by one row to *margin, in
 * tree order (as XGBoost). */
static inline void add_group(const sp_tree_model *model, size_t g,
                             const float *features, int any_missing,
                             float *margin) {
  const sp__tree_split *nodes = group_nodes(model, g);
  const uint8_t *default_left =
      model->perfect_default_left + (size_t)(nodes - model->perfect);
  uint32_t at[LOCKSTEP];
  if (any_missing)
    walk_group(nodes, default_left, model->perfect_depth, features, 1, at);
  else
    walk_group(nodes, default_left, model->perfect_depth, features, 0, at);
  size_t first = g * LOCKSTEP, count = model->tree_count - first;
  count = count < LOCKSTEP ? count : LOCKSTEP;
  float sum = *margin;
  for (size_t k = 0; k < count; k++)
    sum += nodes[at[k]].value;
  *margin = sum;
}

static int row_missing(const sp_tree_model *model, const float *features) {
  int any_missing = 0;
  for (size_t i = 0; i < model->feature_count; i++)
    any_missing |= features[i] != features[i];
  return any_missing;
}

static float margin_perfect(const sp_tree_model *model, const float *features) {
  int any_missing = row_missing(model, features);
  float margin = model->base_margin;
  size_t groups = (model->tree_count + LOCKSTEP - 1) / LOCKSTEP;
  for (size_t g = 0; g < groups; g++)
    add_group(model, g, features, any_missing, &margin);
  return margin;
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

/* Rows scored together by the batch: each group of trees is walked for
 * every row of the block before the next group, so the group's nodes are
 * read from memory once per block instead of once per row. Each row's
 * margin still receives its trees in tree order, so it is the float that
 * sp_tree_margin returns for that row. */
#define BLOCK 16

static void block_perfect(const sp_tree_model *model, const float *features,
                          size_t n, float *out_margin) {
  size_t nf = model->feature_count;
  size_t groups = (model->tree_count + LOCKSTEP - 1) / LOCKSTEP;
  float margin[BLOCK];
  int missing[BLOCK];
  assert(n <= BLOCK);
  for (size_t r = 0; r < n; r++) {
    margin[r] = model->base_margin;
    missing[r] = row_missing(model, features + r * nf);
  }
  for (size_t g = 0; g < groups; g++)
    for (size_t r = 0; r < n; r++)
      add_group(model, g, features + r * nf, missing[r], &margin[r]);
  for (size_t r = 0; r < n; r++)
    out_margin[r] = margin[r];
}

void sp_tree_margin_batch(const sp_tree_model *model, const float *features,
                          size_t row_count, float *out_margin) {
  assert(model != NULL && (row_count == 0 || (features && out_margin)));
  size_t nf = model->feature_count;
  if (model->perfect_depth < 0) {
    for (size_t r = 0; r < row_count; r++)
      out_margin[r] = sp_tree_margin(model, features + r * nf);
    return;
  }
  size_t r = 0;
  for (; r < row_count; r += BLOCK) {
    size_t n = row_count - r < BLOCK ? row_count - r : BLOCK;
    block_perfect(model, features + r * nf, n, out_margin + r);
  }
}
