/* Internals shared by the loader (tree_load.c) and the tree compiler
 * (tree_compile.c). */
#ifndef SPARROW_TREE_COMPILE_H
#define SPARROW_TREE_COMPILE_H

#include <jansson.h>

#include "score/tree_int.h"

/* The member key of obj (path names it in errors), which must exist and
 * be of type; NULL with err filled otherwise. */
json_t *sp__tree_member(json_t *obj, const char *key, json_type type,
                        const char *path, sp_error *err);

/* Reads learner.gradient_booster (a gbtree of one output) and compiles its
 * trees into model->roots, nodes and cover; sets tree_count, node_count,
 * depth_max. Needs model->feature_count. */
int sp__tree_read_booster(json_t *learner, sp_tree_model *model, sp_error *err);

#endif
