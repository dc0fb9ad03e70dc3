/* Internals of the tree models (src/score/tree_*.c): the compiled layout.
 *
 * All trees live in one flat node array. Each tree is laid out breadth
 * first from its root, so the two children of a split are adjacent: the
 * right child is always left + 1, and a walk touches one 12-byte node per
 * level. A leaf keeps its value where a split keeps its threshold. */
#ifndef SPARROW_TREE_INT_H
#define SPARROW_TREE_INT_H

#include <stddef.h>
#include <stdint.h>

#include "sparrow/tree.h"

#define SP__TREE_LEAF UINT32_C(0x80000000)         /* info: node is a leaf */
#define SP__TREE_DEFAULT_LEFT UINT32_C(0x40000000) /* info: NaN goes left */
#define SP__TREE_FEATURE_MASK UINT32_C(0x3fffffff) /* info: feature index */

typedef struct sp__tree_node {
  float value;   /* split threshold, or the leaf value */
  uint32_t info; /* SP__TREE_LEAF | SP__TREE_DEFAULT_LEFT | feature */
  uint32_t left; /* absolute index of the left child; right is left + 1 */
} sp__tree_node;

/* A node of the perfect layout (tree_layout.c): a split's threshold,
 * feature and the group-relative position of its left child (the right
 * child is next to it), or, on the last level, a leaf's value. */
typedef struct sp__tree_split {
  float value;      /* split threshold, or the leaf value */
  uint16_t feature; /* feature index (splits only) */
  uint16_t child;   /* position of the left child in the group */
} sp__tree_split;

/* Deepest model scored through the perfect layout; deeper models (or
 * models with more than SP__TREE_PERFECT_FEATURES_MAX features) are scored
 * by walking nodes. */
#define SP__TREE_PERFECT_DEPTH_MAX 8
#define SP__TREE_PERFECT_FEATURES_MAX UINT16_MAX

/* Trees of one row walked together through the perfect layout. */
#define SP__TREE_LOCKSTEP 16

/* One element of a TreeSHAP path (Lundberg et al. 2018, Algorithm 2). */
typedef struct sp__shap_path {
  int64_t feature; /* d: the feature split on, -1 for the root element */
  double zero;     /* z: fraction of cover flowing this way */
  double one;      /* o: 1 if the row flows this way, else 0 */
  double weight;   /* w: permutation weight */
} sp__shap_path;

struct sp_tree_model {
  size_t feature_count;
  size_t tree_count;
  size_t node_count;
  int depth_max;               /* deepest leaf over all trees (root = 0) */
  float base_margin;           /* log-odds of base_score, in float as XGBoost */
  double bias;                 /* base_margin + expected margin of every tree */
  char **feature_names;        /* feature_count strings, or NULL */
  uint32_t *roots;             /* tree_count root indices into nodes */
  sp__tree_node *nodes;        /* node_count nodes */
  double *cover;               /* node_count covers (sum_hessian) */
  float *mean;                 /* node_count cover-weighted mean leaf values */
  float *path_scratch;         /* feature_count + 1 path contributions */
  sp__shap_path *shap_scratch; /* (depth_max + 2)^2 path elements */
  /* Perfect layout, used for scoring when perfect_depth >= 0: every tree
   * padded to depth D = perfect_depth, trees in groups of
   * SP__TREE_LOCKSTEP laid out together breadth first, level by level:
   * the roots of the group's trees at positions 0 .. LOCKSTEP - 1, then
   * their children, two by two, and so on; the last level (positions from
   * LOCKSTEP * (2^D - 1)) holds the leaves. Group g starts at
   * perfect + g * LOCKSTEP * (2^(D+1) - 1); perfect_default_left is
   * parallel to perfect, 1 where a missing value goes left. The last group
   * is padded with one-leaf trees that are never added. */
  int perfect_depth;
  sp__tree_split *perfect;
  uint8_t *perfect_default_left;
};

/* Expected value of every node (model->mean, in float as XGBoost keeps
 * it) and of every tree, summed, for the SHAP bias; fills model->bias.
 * Needs nodes, cover and roots. */
int sp__tree_expectations(sp_tree_model *model, sp_error *err);

/* Builds the perfect layout when depth_max <= SP__TREE_PERFECT_DEPTH_MAX,
 * else sets perfect_depth to -1. Needs nodes and roots. */
int sp__tree_perfect_build(sp_tree_model *model, sp_error *err);

#endif
