/* The perfect layout: every tree padded to the model's depth, for speed.
 *
 * Walking a tree node by node costs one hard-to-predict branch per level
 * (is this a leaf?). When the model is shallow (depth D <=
 * SP__TREE_PERFECT_DEPTH_MAX) every tree is instead padded to a perfect
 * binary tree of depth D, so that every walk is exactly D steps with no
 * branch: a leaf shallower than D becomes pass-through splits whose two
 * subtrees are copies of the leaf, so either way leads to its value.
 *
 * The trees are stored in groups of SP__TREE_LOCKSTEP, which
 * tree_predict.c walks together (their loads overlap). A group is laid out
 * breadth first over all its trees at once: the roots first, then, for
 * each node in order, its two children side by side. A node is 8 bytes
 * (threshold, feature, position of the left child in the group), so a
 * step is `at = node.child + went_right`; positions fit 16 bits since a
 * group holds at most 16 * 511 nodes. The default direction for missing
 * values is kept apart, in a byte array read only for rows with a missing
 * value. The last level of a group holds the leaf values.
 *
 * The layout is built once at load time from the compiled nodes. */
#include <assert.h>
#include <stdlib.h>

#include "score/tree_int.h"

#define NONE UINT32_MAX /* source of the padding trees of the last group */

/* Fills group g; source[] (one entry per position of the group) is scratch
 * holding the compiled node each position copies. */
static void build_group(sp_tree_model *model, size_t g, uint32_t *source) {
  size_t depth = (size_t)model->perfect_depth, lock = SP__TREE_LOCKSTEP;
  size_t per = lock * (((size_t)2 << depth) - 1);
  size_t inner = lock * (((size_t)1 << depth) - 1), tail = lock;
  sp__tree_split *out = model->perfect + g * per;
  uint8_t *default_left = model->perfect_default_left + g * per;
  for (size_t k = 0; k < lock; k++) {
    size_t t = g * lock + k;
    source[k] = t < model->tree_count ? model->roots[t] : NONE;
  }
  for (size_t at = 0; at < per; at++) {
    uint32_t id = source[at];
    const sp__tree_node *node = id == NONE ? NULL : &model->nodes[id];
    int leaf = node == NULL || (node->info & SP__TREE_LEAF);
    if (at >= inner) { /* the last level: no leaf is deeper than D */
      assert(leaf);
      out[at].value = node != NULL ? node->value : 0.0f;
      continue;
    }
    assert(tail + 2 <= per && tail <= UINT16_MAX);
    out[at].child = (uint16_t)tail;
    source[tail++] = leaf ? id : node->left; /* pass-through: both alike */
    source[tail++] = leaf ? id : node->left + 1;
    if (leaf)
      continue;
    out[at].value = node->value;
    out[at].feature = (uint16_t)(node->info & SP__TREE_FEATURE_MASK);
    default_left[at] = (node->info & SP__TREE_DEFAULT_LEFT) != 0;
  }
  assert(tail == per);
}

int sp__tree_perfect_build(sp_tree_model *model, sp_error *err) {
  assert(model->tree_count > 0 && model->depth_max >= 0);
  model->perfect_depth = -1;
  if (model->depth_max > SP__TREE_PERFECT_DEPTH_MAX ||
      model->feature_count > SP__TREE_PERFECT_FEATURES_MAX)
    return SP_OK;
  size_t per = SP__TREE_LOCKSTEP * (((size_t)2 << model->depth_max) - 1);
  size_t groups =
      (model->tree_count + SP__TREE_LOCKSTEP - 1) / SP__TREE_LOCKSTEP;
  model->perfect = calloc(groups * per, sizeof(sp__tree_split));
  model->perfect_default_left = calloc(groups * per, 1);
  uint32_t *source = calloc(per, sizeof(uint32_t));
  if (model->perfect == NULL || model->perfect_default_left == NULL ||
      source == NULL) {
    free(source);
    return sp_error_set(err, SP_ENOMEM, "learner.gradient_booster", NULL);
  }
  model->perfect_depth = model->depth_max;
  for (size_t g = 0; g < groups; g++)
    build_group(model, g, source);
  free(source);
  return SP_OK;
}
