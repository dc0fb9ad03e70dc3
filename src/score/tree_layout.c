/* The perfect layout: every tree padded to the model's depth, for speed.
 *
 * Walking a tree node by node costs one hard-to-predict branch per level
 * (is this a leaf?) and one dependent load. When the model is shallow
 * (depth D <= SP__TREE_PERFECT_DEPTH_MAX), each tree is instead stored as a
 * perfect binary tree of depth D in breadth-first order: the children of
 * split i are 2i + 1 and 2i + 2, so a split needs only its threshold and
 * feature (8 bytes; the default direction for missing values is kept
 * apart, in a byte array read only for rows with a missing value), and
 * every walk is exactly D steps with no branch. A
 * leaf shallower than D is padded with pass-through splits whose two
 * subtrees are the same copy of the leaf, so either way leads to its value.
 * tree_predict.c then walks SP__TREE_LOCKSTEP trees of one row in
 * lockstep, so their splits are interleaved: the same slot of the trees
 * of a group sits side by side, and a group fits in a few kilobytes.
 *
 * The layout is built once at load time from the compiled nodes. */
#include <assert.h>
#include <stdlib.h>

#include "score/tree_int.h"

/* Fills tree t's splits and leaves; source[] (2^(D+1) - 1 entries) is
 * scratch holding the compiled node each slot copies. */
static void build_tree(sp_tree_model *model, size_t t, uint32_t *source) {
  int depth = model->perfect_depth;
  size_t inner = ((size_t)1 << depth) - 1, leaves = inner + 1;
  size_t group = t / SP__TREE_LOCKSTEP, k = t % SP__TREE_LOCKSTEP;
  sp__tree_split *split = model->perfect + group * inner * SP__TREE_LOCKSTEP;
  uint8_t *default_left =
      model->perfect_default_left + group * inner * SP__TREE_LOCKSTEP;
  float *leaf = model->perfect_leaf + group * leaves * SP__TREE_LOCKSTEP;
  source[0] = model->roots[t];
  for (size_t slot = 0; slot < inner; slot++) {
    const sp__tree_node *node = &model->nodes[source[slot]];
    size_t at = slot * SP__TREE_LOCKSTEP + k;
    if (node->info & SP__TREE_LEAF) { /* pass-through: both sides alike */
      split[at].threshold = 0.0f;
      split[at].feature = 0;
      default_left[at] = 0;
      source[2 * slot + 1] = source[slot];
      source[2 * slot + 2] = source[slot];
      continue;
    }
    split[at].threshold = node->value;
    split[at].feature = node->info & SP__TREE_FEATURE_MASK;
    default_left[at] = (node->info & SP__TREE_DEFAULT_LEFT) != 0;
    source[2 * slot + 1] = node->left;
    source[2 * slot + 2] = node->left + 1;
  }
  for (size_t i = 0; i < leaves; i++) {
    const sp__tree_node *node = &model->nodes[source[inner + i]];
    assert(node->info & SP__TREE_LEAF); /* no leaf is deeper than D */
    leaf[i * SP__TREE_LOCKSTEP + k] = node->value;
  }
}

int sp__tree_perfect_build(sp_tree_model *model, sp_error *err) {
  assert(model->tree_count > 0 && model->depth_max >= 0);
  model->perfect_depth = -1;
  if (model->depth_max > SP__TREE_PERFECT_DEPTH_MAX)
    return SP_OK;
  int depth = model->depth_max;
  size_t inner = ((size_t)1 << depth) - 1, leaves = inner + 1;
  size_t groups =
      (model->tree_count + SP__TREE_LOCKSTEP - 1) / SP__TREE_LOCKSTEP;
  size_t splits = groups * inner * SP__TREE_LOCKSTEP + 1;
  model->perfect = calloc(splits, sizeof(sp__tree_split));
  model->perfect_default_left = calloc(splits, 1);
  model->perfect_leaf =
      calloc(groups * leaves * SP__TREE_LOCKSTEP, sizeof(float));
  uint32_t *source = calloc(inner + leaves, sizeof(uint32_t));
  if (model->perfect == NULL || model->perfect_leaf == NULL ||
      model->perfect_default_left == NULL || source == NULL) {
    free(source);
    return sp_error_set(err, SP_ENOMEM, "learner.gradient_booster", NULL);
  }
  model->perfect_depth = depth;
  for (size_t t = 0; t < model->tree_count; t++)
    build_tree(model, t, source);
  free(source);
  return SP_OK;
}
