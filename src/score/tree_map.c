/* Matching a model's features to the columns of a data set by name.
 *
 * The model keeps the feature names it was trained with; a CSV header may
 * hold them in any order, among other columns. Mapping is done once per
 * header (a scan of the header per feature: models and headers are small
 * and bounded), and gathering a row is then one indexed copy. */
#include <assert.h>
#include <string.h>

#include "score/tree_int.h"

/* The index of name in header, or header_count if absent; SP_EINVAL if it
 * is there twice. */
static int find_column(const char *const *header, size_t header_count,
                       const char *name, size_t *out, sp_error *err) {
  *out = header_count;
  for (size_t c = 0; c < header_count; c++) {
    if (header[c] == NULL || strcmp(header[c], name) != 0)
      continue;
    if (*out != header_count)
      return sp_error_set(err, SP_EINVAL, name,
                          "column \"%.60s\" appears twice in the header", name);
    *out = c;
  }
  return SP_OK;
}

int sp_tree_map_header(const sp_tree_model *model, const char *const *header,
                       size_t header_count, size_t *column_of, sp_error *err) {
  assert(model != NULL && column_of != NULL);
  assert(header != NULL || header_count == 0);
  if (model->feature_names == NULL)
    return sp_error_set(err, SP_EINVAL, "learner.feature_names",
                        "the model was saved without feature names");
  if (header_count > SP_TREE_HEADER_MAX)
    return sp_error_set(err, SP_ELIMIT, "header", "more than %d columns",
                        SP_TREE_HEADER_MAX);
  for (size_t i = 0; i < model->feature_count; i++) {
    const char *name = model->feature_names[i];
    int rc = find_column(header, header_count, name, &column_of[i], err);
    if (rc != SP_OK)
      return rc;
    if (column_of[i] == header_count)
      return sp_error_set(err, SP_ENOTFOUND, name,
                          "model feature \"%.60s\" is not in the header", name);
  }
  return SP_OK;
}

void sp_tree_gather(const sp_tree_model *model, const size_t *column_of,
                    const float *values, size_t value_count, float *features) {
  assert(model != NULL && column_of != NULL && values != NULL);
  for (size_t i = 0; i < model->feature_count; i++) {
    assert(column_of[i] < value_count);
    features[i] = values[column_of[i]];
  }
  (void)value_count;
}
