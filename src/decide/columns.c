/* What a flow reads and how its score was made up: the columns a caller
 * must supply (for a service that assembles a row from stored data rather
 * than a CSV header), and each model feature's share of the last score.
 *
 * The column list is built once at load: the schema's features, then the
 * model's, then the limit, green and guarantee features, each name once. */
#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decide/decide_int.h"

static void add(sp_flow *f, const char *name) {
  if (name == NULL || name[0] == '\0')
    return;
  for (size_t i = 0; i < f->n_names; i++)
    if (strcmp(f->names[i], name) == 0)
      return;
  assert(f->n_names < f->names_cap);
  f->names[f->n_names++] = name;
}

int sp__flow_columns(sp_flow *f) {
  size_t k =
      f->card ? sp_card_feature_count(f->card) : sp_tree_feature_count(f->tree);
  f->names_cap = (size_t)f->schema.n_features + k + 3;
  f->names = calloc(f->names_cap, sizeof *f->names);
  if (f->names == NULL)
    return SP_ENOMEM;
  for (int i = 0; i < f->schema.n_features; i++)
    add(f, f->schema.features[i].name);
  for (size_t i = 0; i < k; i++)
    add(f, f->card ? sp_card_feature_name(f->card, i)
                   : sp_tree_feature_name(f->tree, i));
  add(f, f->limit_feature);
  if (f->n_green)
    add(f, f->green_feature);
  add(f, f->guarantee_feature);
  return SP_OK;
}

size_t sp_flow_column_count(const sp_flow *f) { return f->n_names; }

const char *sp_flow_column_name(const sp_flow *f, size_t i) {
  assert(i < f->n_names);
  return f->names[i];
}

int sp_flow_column_source(const sp_flow *f, size_t i) {
  assert(i < f->n_names);
  for (int j = 0; j < f->schema.n_features; j++)
    if (strcmp(f->schema.features[j].name, f->names[i]) == 0)
      return (int)f->schema.features[j].source;
  return -1;
}

size_t sp_flow_composition(const sp_flow *f, sp_decide_part *out, size_t cap) {
  size_t k =
      f->card ? sp_card_feature_count(f->card) : sp_tree_feature_count(f->tree);
  size_t n = 0;
  for (size_t i = 0; i < k && n < cap; i++, n++) {
    sp_decide_part *p = &out[n];
    if (f->card != NULL) {
      p->feature = sp_card_feature_name(f->card, i);
      p->points = f->points[i];
      sp_card_reason_text(f->card, i, f->bins[i], p->text, sizeof p->text);
    } else {
      /* A contribution to the log-odds of default, in points: 20 points
       * double the good:bad odds. */
      p->feature = sp_tree_feature_name(f->tree, i);
      p->points = -f->contribs[i] * 20 / log(2);
      snprintf(p->text, sizeof p->text, "%s (%+.1f points)",
               p->feature ? p->feature : "?", p->points);
    }
  }
  return n;
}
