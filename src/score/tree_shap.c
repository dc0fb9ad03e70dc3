/* Explaining a score: exact path-dependent TreeSHAP and reason codes.
 *
 * This is Algorithm 2 of Lundberg, Erion and Lee, "Consistent
 * Individualized Feature Attribution for Tree Ensembles" (2018). For each
 * tree, the walk keeps the path of unique features split on from the root;
 * each element carries the fraction of training cover that flows along the
 * path (zero), whether the row flows along it (one), and the weight of the
 * feature subsets of each size (weight). EXTEND adds a feature to the path,
 * UNWIND removes one (when a feature is split on again, or to read off its
 * contribution at a leaf). Covers are XGBoost's sum_hessian, as in
 * XGBoost's own pred_contribs. The bias is the base margin plus each tree's
 * expected value, the cover-weighted mean of its leaves.
 *
 * Path attribution (Saabas; XGBoost's approx_contribs) credits each split
 * on the row's own path with the change in the node's expected value:
 * O(depth) a tree instead of TreeSHAP's O(leaves * depth^2), for decisions
 * that must explain a large model within microseconds. It is accumulated
 * in float, as XGBoost does, so the two agree to float rounding.
 *
 * The recursion is bounded by the model's depth (at most SP_TREE_DEPTH_MAX)
 * and each level copies its path into its own row of scratch space sized at
 * load time, so explaining a row allocates nothing. */
#include <assert.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "score/tree_int.h"

int sp__tree_expectations(sp_tree_model *model, sp_error *err) {
  assert(model->node_count > 0 && model->tree_count > 0);
  assert(model->depth_max >= 0 && model->depth_max <= SP_TREE_DEPTH_MAX);
  size_t stride = (size_t)model->depth_max + 2;
  model->shap_scratch = calloc(stride * stride, sizeof *model->shap_scratch);
  double *mean = malloc(model->node_count * sizeof *mean);
  model->mean = malloc(model->node_count * sizeof *model->mean);
  model->path_scratch =
      malloc((model->feature_count + 1) * sizeof *model->path_scratch);
  if (mean == NULL || model->shap_scratch == NULL || model->mean == NULL ||
      model->path_scratch == NULL) {
    free(mean);
    return sp_error_set(err, SP_ENOMEM, "learner.gradient_booster", NULL);
  }
  /* Children follow their parent, so a backward pass sees them first. */
  for (size_t i = model->node_count; i-- > 0;) {
    const sp__tree_node *node = &model->nodes[i];
    if (node->info & SP__TREE_LEAF) {
      mean[i] = node->value;
      continue;
    }
    size_t left = node->left;
    assert(left > i && left + 1 < model->node_count);
    mean[i] = (mean[left] * model->cover[left] +
               mean[left + 1] * model->cover[left + 1]) /
              model->cover[i];
  }
  model->bias = model->base_margin;
  for (size_t t = 0; t < model->tree_count; t++)
    model->bias += mean[model->roots[t]];
  for (size_t i = 0; i < model->node_count; i++)
    model->mean[i] = (float)mean[i];
  free(mean);
  return SP_OK;
}

/* EXTEND: appends (feature, zero, one) to the path m of length len. */
static void path_extend(sp__shap_path *m, size_t len, double zero, double one,
                        int64_t feature) {
  m[len].feature = feature;
  m[len].zero = zero;
  m[len].one = one;
  m[len].weight = len == 0 ? 1.0 : 0.0;
  double total = (double)len + 1;
  for (size_t i = len; i-- > 0;) {
    m[i + 1].weight += one * m[i].weight * (double)(i + 1) / total;
    m[i].weight = zero * m[i].weight * (double)(len - i) / total;
  }
}

/* UNWIND: removes element k from the path m of length len (len - 1 after).
 */
static void path_unwind(sp__shap_path *m, size_t len, size_t k) {
  assert(len >= 2 && k < len);
  size_t last = len - 1;
  double one = m[k].one, zero = m[k].zero, next = m[last].weight;
  double total = (double)len;
  for (size_t j = last; j-- > 0;) {
    if (one != 0) {
      double kept = m[j].weight;
      m[j].weight = next * total / ((double)(j + 1) * one);
      next = kept - m[j].weight * zero * (double)(last - j) / total;
    } else {
      m[j].weight = m[j].weight * total / (zero * (double)(last - j));
    }
  }
  for (size_t j = k; j < last; j++) {
    m[j].feature = m[j + 1].feature;
    m[j].zero = m[j + 1].zero;
    m[j].one = m[j + 1].one;
  }
}

/* The total weight the path would have with element k unwound, without
 * changing the path. */
static double path_unwound_sum(const sp__shap_path *m, size_t len, size_t k) {
  size_t last = len - 1;
  double one = m[k].one, zero = m[k].zero, next = m[last].weight;
  double total = (double)len, sum = 0;
  for (size_t j = last; j-- > 0;) {
    if (one != 0) {
      double w = next * total / ((double)(j + 1) * one);
      sum += w;
      next = m[j].weight - w * zero * (double)(last - j) / total;
    } else {
      sum += m[j].weight * total / (zero * (double)(last - j));
    }
  }
  return sum;
}

typedef struct shap_walk {
  const sp_tree_model *model;
  const float *features;
  double *phi;
  size_t stride;
} shap_walk;

static void shap_recurse(const shap_walk *walk, uint32_t j,
                         const sp__shap_path *parent, size_t len, int level,
                         double zero, double one, int64_t feature) {
  assert(level <= walk->model->depth_max && len <= (size_t)level);
  if (zero == 0 && one == 0)
    return; /* no cover and not the row's path: contributes nothing */
  sp__shap_path *m = walk->model->shap_scratch + (size_t)level * walk->stride;
  if (len > 0)
    memcpy(m, parent, len * sizeof *m);
  path_extend(m, len, zero, one, feature);
  len++;
  const sp__tree_node *node = &walk->model->nodes[j];
  if (node->info & SP__TREE_LEAF) {
    for (size_t i = 1; i < len; i++) {
      double w = path_unwound_sum(m, len, i);
      walk->phi[m[i].feature] += w * (m[i].one - m[i].zero) * node->value;
    }
    return;
  }
  uint32_t split = node->info & SP__TREE_FEATURE_MASK;
  float value = walk->features[split];
  uint32_t hot =
      node->left + (isnan(value) ? !(node->info & SP__TREE_DEFAULT_LEFT)
                                 : !(value < node->value));
  uint32_t cold = hot == node->left ? node->left + 1 : node->left;
  double in_zero = 1, in_one = 1;
  for (size_t k = 1; k < len; k++) {
    if (m[k].feature == (int64_t)split) {
      in_zero = m[k].zero;
      in_one = m[k].one;
      path_unwind(m, len, k);
      len--;
      break;
    }
  }
  const double *cover = walk->model->cover;
  shap_recurse(walk, hot, m, len, level + 1, in_zero * cover[hot] / cover[j],
               in_one, split);
  shap_recurse(walk, cold, m, len, level + 1, in_zero * cover[cold] / cover[j],
               0, split);
}

void sp_tree_contributions(sp_tree_model *model, const float *features,
                           double *contribs) {
  assert(model != NULL && features != NULL && contribs != NULL);
  memset(contribs, 0, (model->feature_count + 1) * sizeof *contribs);
  shap_walk walk = {model, features, contribs, (size_t)model->depth_max + 2};
  for (size_t t = 0; t < model->tree_count; t++)
    shap_recurse(&walk, model->roots[t], NULL, 0, 0, 1, 1, -1);
  contribs[model->feature_count] = model->bias;
}

void sp_tree_contributions_path(const sp_tree_model *model,
                                const float *features, double *contribs) {
  assert(model != NULL && features != NULL && contribs != NULL);
  float *phi = model->path_scratch;
  memset(phi, 0, (model->feature_count + 1) * sizeof *phi);
  for (size_t t = 0; t < model->tree_count; t++) {
    uint32_t j = model->roots[t];
    float before = model->mean[j];
    phi[model->feature_count] += before;
    /* Each step down a tree credits its split feature with the change in
     * the expected value; a tree is at most depth_max splits deep. */
    for (int level = 0; !(model->nodes[j].info & SP__TREE_LEAF); level++) {
      assert(level <= model->depth_max);
      const sp__tree_node *node = &model->nodes[j];
      uint32_t split = node->info & SP__TREE_FEATURE_MASK;
      float value = features[split];
      j = node->left + (isnan(value) ? !(node->info & SP__TREE_DEFAULT_LEFT)
                                     : !(value < node->value));
      phi[split] += model->mean[j] - before;
      before = model->mean[j];
    }
  }
  phi[model->feature_count] += model->base_margin;
  for (size_t i = 0; i <= model->feature_count; i++)
    contribs[i] = phi[i];
}

/* True when feature a (score sa) ranks before feature b (score sb). */
static int ranks_before(double sa, size_t a, double sb, size_t b) {
  return sa > sb || (sa == sb && a < b);
}

size_t sp_tree_top_reasons(const sp_tree_model *model, const double *contribs,
                           sp_tree_direction direction, size_t k,
                           size_t *out_features) {
  assert(model != NULL && contribs != NULL);
  assert(direction == SP_TREE_TOWARD_POSITIVE ||
         direction == SP_TREE_TOWARD_NEGATIVE);
  double sign = direction, last_score = INFINITY;
  size_t last = 0, found = 0;
  /* Each pass picks the strongest feature ranking after the last pick. */
  for (; found < k; found++) {
    size_t best = SIZE_MAX;
    double best_score = 0;
    for (size_t i = 0; i < model->feature_count; i++) {
      double score = sign * contribs[i];
      if (!(score > 0) ||
          (found > 0 && !ranks_before(last_score, last, score, i)))
        continue;
      if (best == SIZE_MAX || ranks_before(score, i, best_score, best)) {
        best = i;
        best_score = score;
      }
    }
    if (best == SIZE_MAX)
      break;
    out_features[found] = best;
    last = best;
    last_score = best_score;
  }
  return found;
}
