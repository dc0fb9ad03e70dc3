/* Compiling XGBoost's trees into one flat node array.
 *
 * XGBoost saves each tree as parallel arrays indexed by node id
 * (left_children, right_children, split_indices, split_conditions,
 * default_left, sum_hessian; -1 children mark a leaf, whose value is kept in
 * split_conditions). The arrays are checked as they are read: equal
 * lengths, children in range, feature indices below num_feature, finite
 * numbers, numeric splits only. The tree is then walked breadth first from
 * node 0 with a queue, each node marked when first reached, so a cycle or
 * a shared child is an error and the walk ends after at most num_nodes
 * steps. Nodes are stored in the order they leave the queue, which puts
 * the two children of every split next to each other. */
#include <assert.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "score/tree_compile.h"

/* One tree being compiled: its JSON arrays and the walk's state. */
typedef struct tree_job {
  char path[64]; /* "learner.gradient_booster.model.trees[i]" */
  size_t node_total;
  json_t *left, *right, *feature, *condition, *default_left, *hessian;
  uint32_t *queue;  /* old node ids in breadth-first order */
  uint8_t *depth;   /* depth of each old node id once reached */
  uint8_t *reached; /* 1 once an old node id has been queued */
} tree_job;

static int member_error(sp_error *err, int code, const tree_job *job,
                        const char *member, const char *what, size_t node) {
  char field[96];
  snprintf(field, sizeof field, "%s.%s", job->path, member);
  return sp_error_set(err, code, field, "%s[%zu]: %s", field, node, what);
}

static int array_of(json_t *tree, const char *key, tree_job *job, json_t **out,
                    sp_error *err) {
  char field[96];
  snprintf(field, sizeof field, "%s.%s", job->path, key);
  *out = sp__tree_member(tree, key, JSON_ARRAY, field, err);
  if (*out == NULL)
    return SP_EINVAL;
  if (json_array_size(*out) != job->node_total)
    return sp_error_set(err, SP_EINVAL, field,
                        "%s: %zu entries, but num_nodes is %zu", field,
                        json_array_size(*out), job->node_total);
  return SP_OK;
}

static int int_at(json_t *array, size_t i, long long low, long long high,
                  long long *out) {
  json_t *v = json_array_get(array, i);
  if (!json_is_integer(v) || json_integer_value(v) < low ||
      json_integer_value(v) > high)
    return SP_ERANGE;
  *out = json_integer_value(v);
  return SP_OK;
}

static int real_at(json_t *array, size_t i, double *out) {
  json_t *v = json_array_get(array, i);
  if (!json_is_number(v) || !isfinite(json_number_value(v)))
    return SP_ERANGE;
  *out = json_number_value(v);
  return SP_OK;
}

/* Rejects categorical splits: split_type must be all 0 when present. */
static int check_numeric(json_t *tree, tree_job *job, sp_error *err) {
  json_t *types = json_object_get(tree, "split_type");
  for (size_t i = 0; types != NULL && i < json_array_size(types); i++) {
    json_t *v = json_array_get(types, i);
    if (!json_is_integer(v) || json_integer_value(v) != 0)
      return member_error(err, SP_EINVAL, job, "split_type",
                          "categorical splits are not supported", i);
  }
  json_t *cats = json_object_get(tree, "categories_nodes");
  if (cats != NULL && json_array_size(cats) != 0)
    return member_error(err, SP_EINVAL, job, "categories_nodes",
                        "categorical splits are not supported", 0);
  return SP_OK;
}

static int read_arrays(json_t *tree, tree_job *job, sp_error *err) {
  int rc = array_of(tree, "left_children", job, &job->left, err);
  if (rc == SP_OK)
    rc = array_of(tree, "right_children", job, &job->right, err);
  if (rc == SP_OK)
    rc = array_of(tree, "split_indices", job, &job->feature, err);
  if (rc == SP_OK)
    rc = array_of(tree, "split_conditions", job, &job->condition, err);
  if (rc == SP_OK)
    rc = array_of(tree, "default_left", job, &job->default_left, err);
  if (rc == SP_OK)
    rc = array_of(tree, "sum_hessian", job, &job->hessian, err);
  if (rc == SP_OK)
    rc = check_numeric(tree, job, err);
  return rc;
}

/* Reads child id of old node `node` from array (left or right) and queues
 * it, refusing ids out of range and nodes reached before. */
static int queue_child(tree_job *job, json_t *array, const char *member,
                       size_t node, size_t *tail, sp_error *err) {
  long long child = 0;
  if (int_at(array, node, 1, (long long)job->node_total - 1, &child) != 0)
    return member_error(err, SP_ERANGE, job, member, "child index out of range",
                        node);
  if (job->reached[child])
    return member_error(err, SP_EINVAL, job, member,
                        "node reached twice (cycle or shared child)", node);
  if (job->depth[node] + 1 > SP_TREE_DEPTH_MAX)
    return member_error(err, SP_ELIMIT, job, member, "tree too deep", node);
  assert(*tail < job->node_total);
  job->reached[child] = 1;
  job->depth[child] = (uint8_t)(job->depth[node] + 1);
  job->queue[(*tail)++] = (uint32_t)child;
  return SP_OK;
}

/* Fills out (and its cover) from old node `node`, queueing its children. */
static int compile_node(tree_job *job, size_t node, size_t *tail,
                        sp_tree_model *model, size_t out, sp_error *err) {
  long long left = 0, feature = 0, def = 0;
  double value = 0, cover = 0;
  if (int_at(job->left, node, -1, INT32_MAX, &left) != 0)
    return member_error(err, SP_ERANGE, job, "left_children",
                        "child index out of range", node);
  if (real_at(job->condition, node, &value) != 0)
    return member_error(err, SP_ERANGE, job, "split_conditions",
                        "not a finite number", node);
  if (real_at(job->hessian, node, &cover) != 0 || cover < 0)
    return member_error(err, SP_ERANGE, job, "sum_hessian",
                        "not a finite number >= 0", node);
  model->cover[out] = cover;
  model->nodes[out].value = (float)value;
  if (left == -1) {
    long long right = 0;
    if (int_at(job->right, node, -1, -1, &right) != 0)
      return member_error(err, SP_EINVAL, job, "right_children",
                          "must be -1 where left_children is -1", node);
    model->nodes[out].info = SP__TREE_LEAF;
    model->nodes[out].left = 0;
    if (job->depth[node] > model->depth_max)
      model->depth_max = job->depth[node];
    return SP_OK;
  }
  if (int_at(job->feature, node, 0, (long long)model->feature_count - 1,
             &feature) != 0)
    return member_error(err, SP_ERANGE, job, "split_indices",
                        "feature index out of range", node);
  if (int_at(job->default_left, node, 0, 1, &def) != 0)
    return member_error(err, SP_EINVAL, job, "default_left", "not 0 or 1",
                        node);
  if (!(cover > 0))
    return member_error(err, SP_ERANGE, job, "sum_hessian",
                        "a split must have a positive cover", node);
  model->nodes[out].info =
      (uint32_t)feature | (def != 0 ? SP__TREE_DEFAULT_LEFT : 0);
  model->nodes[out].left = (uint32_t)(model->node_count + *tail);
  int rc = queue_child(job, job->left, "left_children", node, tail, err);
  if (rc == SP_OK)
    rc = queue_child(job, job->right, "right_children", node, tail, err);
  return rc;
}

/* Walks the tree breadth first from node 0, appending its nodes. */
static int walk_tree(tree_job *job, sp_tree_model *model, sp_error *err) {
  size_t tail = 1;
  job->queue[0] = 0;
  job->reached[0] = 1;
  job->depth[0] = 0;
  for (size_t head = 0; head < tail; head++) {
    assert(tail <= job->node_total);
    int rc = compile_node(job, job->queue[head], &tail, model,
                          model->node_count + head, err);
    if (rc != SP_OK)
      return rc;
  }
  model->node_count += tail; /* nodes never reached (deleted) are dropped */
  return SP_OK;
}

static long node_total_of(json_t *tree, const char *path, sp_error *err) {
  char field[96];
  snprintf(field, sizeof field, "%s.tree_param", path);
  json_t *param = sp__tree_member(tree, "tree_param", JSON_OBJECT, field, err);
  if (param == NULL)
    return -1;
  snprintf(field, sizeof field, "%s.tree_param.num_nodes", path);
  json_t *n = sp__tree_member(param, "num_nodes", JSON_STRING, field, err);
  if (n == NULL)
    return -1;
  char *end = NULL;
  long total = strtol(json_string_value(n), &end, 10);
  if (*end != '\0' || total < 1 || total > SP_TREE_NODES_MAX) {
    sp_error_set(err, SP_ERANGE, field, "%s: not in [1, %d]", field,
                 SP_TREE_NODES_MAX);
    return -1;
  }
  return total;
}

static int compile_tree(json_t *tree, size_t index, sp_tree_model *model,
                        sp_error *err) {
  tree_job job;
  memset(&job, 0, sizeof job);
  snprintf(job.path, sizeof job.path,
           "learner.gradient_booster.model.trees[%zu]", index);
  long total = node_total_of(tree, job.path, err);
  if (total < 0)
    return err != NULL ? err->code : SP_EINVAL;
  job.node_total = (size_t)total;
  int rc = read_arrays(tree, &job, err);
  if (rc != SP_OK)
    return rc;
  job.queue = malloc(job.node_total * sizeof *job.queue);
  job.depth = calloc(job.node_total, 1);
  job.reached = calloc(job.node_total, 1);
  if (job.queue == NULL || job.depth == NULL || job.reached == NULL)
    rc = sp_error_set(err, SP_ENOMEM, job.path, NULL);
  model->roots[index] = (uint32_t)model->node_count;
  if (rc == SP_OK)
    rc = walk_tree(&job, model, err);
  free(job.queue);
  free(job.depth);
  free(job.reached);
  return rc;
}

/* Every tree must belong to output 0 (more would mean multi-class). */
static int check_tree_info(json_t *booster, size_t tree_count, sp_error *err) {
  const char *path = "learner.gradient_booster.model.tree_info";
  json_t *info = sp__tree_member(booster, "tree_info", JSON_ARRAY, path, err);
  if (info == NULL)
    return SP_EINVAL;
  if (json_array_size(info) != tree_count)
    return sp_error_set(err, SP_EINVAL, path, "%s: %zu entries for %zu trees",
                        path, json_array_size(info), tree_count);
  for (size_t i = 0; i < tree_count; i++) {
    json_t *v = json_array_get(info, i);
    if (!json_is_integer(v) || json_integer_value(v) != 0)
      return sp_error_set(err, SP_EINVAL, path,
                          "%s[%zu]: multi-output models are not supported",
                          path, i);
  }
  return SP_OK;
}

/* Sizes the node arrays from every tree's num_nodes, then compiles. */
static int compile_trees(json_t *trees, sp_tree_model *model, sp_error *err) {
  size_t capacity = 0;
  for (size_t i = 0; i < model->tree_count; i++) {
    char path[64];
    snprintf(path, sizeof path, "learner.gradient_booster.model.trees[%zu]", i);
    long total = node_total_of(json_array_get(trees, i), path, err);
    if (total < 0)
      return err != NULL ? err->code : SP_EINVAL;
    capacity += (size_t)total;
  }
  if (capacity > UINT32_MAX / 2)
    return sp_error_set(err, SP_ELIMIT, "learner.gradient_booster.model.trees",
                        "too many nodes");
  model->roots = calloc(model->tree_count, sizeof *model->roots);
  model->nodes = calloc(capacity, sizeof *model->nodes);
  model->cover = calloc(capacity, sizeof *model->cover);
  if (model->roots == NULL || model->nodes == NULL || model->cover == NULL)
    return sp_error_set(err, SP_ENOMEM, "learner.gradient_booster", NULL);
  for (size_t i = 0; i < model->tree_count; i++) {
    int rc = compile_tree(json_array_get(trees, i), i, model, err);
    if (rc != SP_OK)
      return rc;
  }
  assert(model->node_count <= capacity);
  return SP_OK;
}

int sp__tree_read_booster(json_t *learner, sp_tree_model *model,
                          sp_error *err) {
  const char *path = "learner.gradient_booster";
  json_t *gb =
      sp__tree_member(learner, "gradient_booster", JSON_OBJECT, path, err);
  if (gb == NULL)
    return SP_EINVAL;
  json_t *name = sp__tree_member(gb, "name", JSON_STRING,
                                 "learner.gradient_booster.name", err);
  if (name == NULL)
    return SP_EINVAL;
  if (strcmp(json_string_value(name), "gbtree") != 0)
    return sp_error_set(err, SP_EINVAL, "learner.gradient_booster.name",
                        "booster \"%.40s\" unsupported (gbtree only)",
                        json_string_value(name));
  json_t *booster = sp__tree_member(gb, "model", JSON_OBJECT,
                                    "learner.gradient_booster.model", err);
  path = "learner.gradient_booster.model.trees";
  json_t *trees = booster != NULL
                      ? sp__tree_member(booster, "trees", JSON_ARRAY, path, err)
                      : NULL;
  if (trees == NULL)
    return SP_EINVAL;
  if (json_array_size(trees) < 1 || json_array_size(trees) > SP_TREE_TREES_MAX)
    return sp_error_set(err, SP_ERANGE, path, "%s: need 1 to %d trees", path,
                        SP_TREE_TREES_MAX);
  model->tree_count = json_array_size(trees);
  int rc = check_tree_info(booster, model->tree_count, err);
  return rc != SP_OK ? rc : compile_trees(trees, model, err);
}
