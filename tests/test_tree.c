/* Tree models: XGBoost JSON import, scoring and TreeSHAP.
 *
 * Expected values come from XGBoost itself: tree_reference.py (run here
 * with Debian's /usr/bin/python3 and python3-xgboost) trains models on
 * German Credit and on Taiwan default data with 10% of values missing,
 * saves them as JSON and writes XGBoost's margins, probabilities,
 * pred_contribs and the top-3 reasons taken from those contributions.
 * Both scoring paths (the perfect layout and the node walk) are checked.
 * Random rows aimed at the models' splits (NaNs, exact thresholds and the
 * floats next to them) check that the batch (rows in blocks) gives the
 * one-row floats bit for bit, and XGBoost's output_margin, computed by
 * python3-xgboost on the same rows, checks both.
 * A hand-built one-split model checks the comparison rule, missing values
 * and SHAP by hand, and hand-broken copies of it check the errors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
// clang-format off
#include <cmocka.h>
// clang-format on
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "score/tree_int.h" /* to switch off the perfect layout */
#include "sparrow/csv.h"
#include "sparrow/tree.h"

#define ROWS_MAX 40000
#define COLS_MAX 128

/* A numeric CSV: header names and rows of floats (empty field = NaN). */
typedef struct table {
  size_t cols, rows;
  char *names[COLS_MAX];
  float *values; /* rows * cols */
} table;

/* Reads path into t with the project's CSV reader; has_header 0 means all
 * records are rows. */
static void table_read(const char *path, int has_header, table *t) {
  static sp_csv csv; /* large: not on the stack */
  FILE *f = fopen(path, "r");
  assert_non_null(f);
  memset(t, 0, sizeof *t);
  sp_csv_init_file(&csv, f);
  if (has_header) {
    assert_int_equal(sp_csv_next(&csv, NULL), 1);
    t->cols = (size_t)sp_csv_count(&csv);
    assert_true(t->cols <= COLS_MAX);
    for (size_t c = 0; c < t->cols; c++)
      t->names[c] = strdup(sp_csv_field(&csv, (int)c, NULL));
  }
  t->values = malloc(sizeof(float) * ROWS_MAX * COLS_MAX);
  assert_non_null(t->values);
  while (t->rows < ROWS_MAX && sp_csv_next(&csv, NULL) == 1) {
    size_t n = (size_t)sp_csv_count(&csv);
    if (t->cols == 0)
      t->cols = n;
    assert_int_equal(n, t->cols);
    assert_true(n <= COLS_MAX);
    for (size_t c = 0; c < n; c++) {
      const char *v = sp_csv_field(&csv, (int)c, NULL);
      t->values[t->rows * t->cols + c] = v[0] == '\0' ? NAN : strtof(v, NULL);
    }
    t->rows++;
  }
  fclose(f);
}

static void table_free(table *t) {
  for (size_t c = 0; c < t->cols; c++)
    free(t->names[c]);
  free(t->values);
}

static char ref_dir[] = "/tmp/sparrow-tree-XXXXXX";
static int have_ref;

static int setup_reference(void **state) {
  (void)state;
  const char *shared = getenv("SPARROW_SHARED");
  char cmd[512];
  if (shared == NULL) {
    fprintf(stderr, "SPARROW_SHARED unset: XGBoost comparisons skipped\n");
    return 0;
  }
  snprintf(cmd, sizeof cmd, "%s/data/german_credit.csv", shared);
  int have_data = access(cmd, R_OK) == 0;
  snprintf(cmd, sizeof cmd, "%s/data/taiwan_default.csv", shared);
  have_data = have_data && access(cmd, R_OK) == 0;
  if (!have_data) {
    fprintf(stderr,
            "german_credit.csv or taiwan_default.csv absent under "
            "%s/data: XGBoost comparisons skipped\n",
            shared);
    return 0;
  }
  if (system("/usr/bin/python3 -c 'import xgboost, pandas' 2>/dev/null") != 0) {
    fprintf(stderr, "python3-xgboost or python3-pandas missing: XGBoost "
                    "comparisons skipped\n");
    return 0;
  }
  if (mkdtemp(ref_dir) == NULL)
    return -1;
  snprintf(cmd, sizeof cmd, "/usr/bin/python3 ./tree_reference.py '%s' '%s'",
           shared, ref_dir);
  if (system(cmd) != 0)
    return -1;
  have_ref = 1;
  return 0;
}

static int teardown_reference(void **state) {
  (void)state;
  if (have_ref) {
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", ref_dir);
    if (system(cmd) != 0)
      return -1;
  }
  return 0;
}

static void ref_path(char *buf, size_t cap, const char *name,
                     const char *suffix) {
  snprintf(buf, cap, "%s/%s%s", ref_dir, name, suffix);
}

/* Scores every row of NAME_x.csv, compares with XGBoost's predictions,
 * then compares contributions and reasons on the first rows. */
static void compare_with_xgboost(const char *name) {
  if (!have_ref)
    skip();
  char path[256];
  sp_error err;
  sp_tree_model *model = NULL;
  ref_path(path, sizeof path, name, ".json");
  assert_int_equal(sp_tree_load_file(path, &model, &err), SP_OK);
  table x, pred, contrib, reasons;
  ref_path(path, sizeof path, name, "_x.csv");
  table_read(path, 1, &x);
  ref_path(path, sizeof path, name, "_pred.csv");
  table_read(path, 1, &pred);
  assert_int_equal(x.rows, pred.rows);
  size_t nf = sp_tree_feature_count(model), column_of[COLS_MAX];
  assert_true(nf < COLS_MAX);
  assert_int_equal(sp_tree_map_header(model, (const char *const *)x.names,
                                      x.cols, column_of, &err),
                   SP_OK);
  float *rows = malloc(sizeof(float) * nf * x.rows);
  float *margins = malloc(sizeof(float) * x.rows);
  assert_true(rows != NULL && margins != NULL);
  for (size_t r = 0; r < x.rows; r++)
    sp_tree_gather(model, column_of, x.values + r * x.cols, x.cols,
                   rows + r * nf);
  sp_tree_margin_batch(model, rows, x.rows, margins);
  double margin_diff = 0, prob_diff = 0;
  for (size_t r = 0; r < x.rows; r++) {
    float m = sp_tree_margin(model, rows + r * nf);
    assert_true(m == margins[r]);
    margin_diff = fmax(margin_diff, fabs(m - pred.values[2 * r]));
    double p = sp_tree_probability(model, rows + r * nf);
    prob_diff = fmax(prob_diff, fabs(p - pred.values[2 * r + 1]));
  }
  /* The node walk (used for deep models) must give the same floats as the
   * perfect layout. */
  assert_true(model->perfect_depth >= 0);
  int perfect_depth = model->perfect_depth;
  model->perfect_depth = -1;
  for (size_t r = 0; r < x.rows; r++)
    assert_true(sp_tree_margin(model, rows + r * nf) == margins[r]);
  model->perfect_depth = perfect_depth;
  fprintf(stderr,
          "%s: %zu rows, max |margin diff| %.3g, max |prob diff| "
          "%.3g\n",
          name, x.rows, margin_diff, prob_diff);
  assert_true(prob_diff <= 1e-6);
  assert_true(margin_diff <= 1e-6);

  ref_path(path, sizeof path, name, "_contrib.csv");
  table_read(path, 0, &contrib);
  ref_path(path, sizeof path, name, "_reasons.csv");
  table_read(path, 0, &reasons);
  assert_int_equal(contrib.cols, nf + 1);
  assert_true(contrib.rows > 0 && contrib.rows == reasons.rows);
  double phi[COLS_MAX + 1], shap_diff = 0, sum_diff = 0;
  for (size_t r = 0; r < contrib.rows; r++) {
    sp_tree_contributions(model, rows + r * nf, phi);
    double sum = 0;
    for (size_t c = 0; c <= nf; c++) {
      sum += phi[c];
      shap_diff =
          fmax(shap_diff, fabs(phi[c] - contrib.values[r * contrib.cols + c]));
    }
    sum_diff = fmax(sum_diff, fabs(sum - margins[r]));
    size_t top[3];
    size_t n = sp_tree_top_reasons(model, phi, SP_TREE_TOWARD_POSITIVE, 3, top);
    for (size_t k = 0; k < 3; k++) {
      float want = reasons.values[r * 3 + k];
      assert_true(k < n ? (float)top[k] == want : want == -1.0f);
    }
  }
  fprintf(stderr,
          "%s: %zu rows explained, max |shap diff| %.3g, max "
          "|sum - margin| %.3g\n",
          name, contrib.rows, shap_diff, sum_diff);
  assert_true(shap_diff <= 1e-5);
  assert_true(sum_diff <= 1e-5);

  /* Path attribution against XGBoost's approx_contribs, same rows. */
  table approx;
  ref_path(path, sizeof path, name, "_approx.csv");
  table_read(path, 0, &approx);
  assert_int_equal(approx.cols, nf + 1);
  assert_int_equal(approx.rows, contrib.rows);
  double path_diff = 0, path_sum_diff = 0, moved = 0;
  for (size_t r = 0; r < approx.rows; r++) {
    sp_tree_contributions_path(model, rows + r * nf, phi);
    double sum = 0;
    for (size_t c = 0; c <= nf; c++) {
      sum += phi[c];
      double want = approx.values[r * approx.cols + c];
      path_diff = fmax(path_diff, fabs(phi[c] - want));
      moved = fmax(moved, fabs(want - contrib.values[r * contrib.cols + c]));
    }
    path_sum_diff = fmax(path_sum_diff, fabs(sum - margins[r]));
  }
  fprintf(stderr,
          "%s: path attribution max |diff| %.3g, max |sum - margin| %.3g "
          "(differs from TreeSHAP by up to %.3g)\n",
          name, path_diff, path_sum_diff, moved);
  assert_true(path_diff <= 1e-5);
  assert_true(path_sum_diff <= 1e-5);
  assert_true(moved > 1e-3); /* the reference really is another method */
  table_free(&approx);
  free(rows);
  free(margins);
  table_free(&x);
  table_free(&pred);
  table_free(&contrib);
  table_free(&reasons);
  sp_tree_free(model);
}

static void test_german_matches_xgboost(void **state) {
  (void)state;
  compare_with_xgboost("german");
}

static void test_taiwan_missing_matches_xgboost(void **state) {
  (void)state;
  compare_with_xgboost("taiwan");
}

/* Random rows aimed at a model's splits: each value is missing, exactly a
 * threshold the model splits that feature on, the float just above or just
 * below one, or a threshold scaled by a random factor. */
#define RANDOM_ROWS 1003 /* not a multiple of any block size */

static uint32_t next_random(uint32_t *state) {
  *state = *state * 1664525u + 1013904223u; /* Numerical Recipes LCG */
  return *state >> 8;
}

static void random_rows(const sp_tree_model *model, float *rows, size_t n) {
  size_t nf = model->feature_count, count = 0;
  float *threshold = malloc(sizeof(float) * model->node_count);
  uint32_t *feature = malloc(sizeof(uint32_t) * model->node_count);
  assert_true(threshold != NULL && feature != NULL);
  for (size_t i = 0; i < model->node_count; i++)
    if (!(model->nodes[i].info & SP__TREE_LEAF)) {
      threshold[count] = model->nodes[i].value;
      feature[count++] = model->nodes[i].info & SP__TREE_FEATURE_MASK;
    }
  assert_true(count > 0);
  uint32_t state = 12345;
  for (size_t r = 0; r < n; r++)
    for (size_t f = 0; f < nf; f++) {
      /* a split on f, if the model has one: the first at or after a random
       * start */
      float t = (float)(next_random(&state) % 1000) - 500.0f;
      size_t start = next_random(&state) % count;
      for (size_t i = 0; i < count; i++)
        if (feature[(start + i) % count] == f) {
          t = threshold[(start + i) % count];
          break;
        }
      float v = t, scale = (float)(next_random(&state) % 2001) / 1000.0f;
      switch (next_random(&state) % 8) {
      case 0:
      case 1:
        v = NAN;
        break;
      case 4:
        v = nextafterf(t, INFINITY);
        break;
      case 5:
        v = nextafterf(t, -INFINITY);
        break;
      case 6:
      case 7:
        v = t * scale;
        break;
      default:
        break; /* 2, 3: exactly the threshold */
      }
      rows[r * nf + f] = v;
    }
  free(threshold);
  free(feature);
}

/* XGBoost's output_margin for rows (n rows of the model's features), from
 * the saved model at model_path, through /usr/bin/python3. */
static void xgboost_margins(const char *model_path, const float *rows, size_t n,
                            size_t nf, float *out) {
  char rows_path[256], out_path[256], cmd[2048];
  snprintf(rows_path, sizeof rows_path, "%s/random_rows.csv", ref_dir);
  snprintf(out_path, sizeof out_path, "%s/random_margin.csv", ref_dir);
  FILE *f = fopen(rows_path, "w");
  assert_non_null(f);
  for (size_t r = 0; r < n; r++)
    for (size_t c = 0; c < nf; c++)
      fprintf(f, "%.9g%c", rows[r * nf + c], c + 1 < nf ? ',' : '\n');
  assert_int_equal(fclose(f), 0);
  snprintf(cmd, sizeof cmd,
           "/usr/bin/python3 -c 'import sys, numpy as np, xgboost as xgb\n"
           "b = xgb.Booster(model_file=sys.argv[1])\n"
           "x = np.loadtxt(sys.argv[2], delimiter=\",\", dtype=np.float32, "
           "ndmin=2)\n"
           "d = xgb.DMatrix(x, missing=np.nan, feature_names=b.feature_names)\n"
           "np.savetxt(sys.argv[3], b.predict(d, output_margin=True), "
           "fmt=\"%%.9g\")' '%s' '%s' '%s'",
           model_path, rows_path, out_path);
  assert_int_equal(system(cmd), 0);
  f = fopen(out_path, "r");
  assert_non_null(f);
  for (size_t r = 0; r < n; r++)
    assert_int_equal(fscanf(f, "%f", &out[r]), 1);
  fclose(f);
}

static int same_floats(const float *a, const float *b, size_t n) {
  return memcmp(a, b, n * sizeof(float)) == 0;
}

/* The batch (blocked rows) equals one call per row bit for bit, for every
 * block remainder and start, on rows full of NaNs and exact thresholds;
 * both equal the node walk and XGBoost's own output_margin. */
static void batch_equals_one_row(const char *name) {
  if (!have_ref)
    skip();
  char path[256];
  sp_error err;
  sp_tree_model *model = NULL;
  ref_path(path, sizeof path, name, ".json");
  assert_int_equal(sp_tree_load_file(path, &model, &err), SP_OK);
  size_t nf = sp_tree_feature_count(model), n = RANDOM_ROWS;
  float *rows = malloc(sizeof(float) * nf * n), one[RANDOM_ROWS];
  float batch[RANDOM_ROWS], walk[RANDOM_ROWS], xgb[RANDOM_ROWS];
  assert_non_null(rows);
  random_rows(model, rows, n);
  assert_true(model->perfect_depth >= 0);
  for (size_t r = 0; r < n; r++)
    one[r] = sp_tree_margin(model, rows + r * nf);
  sp_tree_margin_batch(model, rows, n, batch);
  assert_true(same_floats(one, batch, n));
  for (size_t len = 0; len <= 40; len++) { /* every remainder, odd starts */
    size_t start = (len * 37) % (n - 40);
    memset(batch, 0, sizeof batch);
    sp_tree_margin_batch(model, rows + start * nf, len, batch);
    assert_true(same_floats(one + start, batch, len));
  }
  model->perfect_depth = -1; /* the node walk, one row and batch */
  for (size_t r = 0; r < n; r++)
    walk[r] = sp_tree_margin(model, rows + r * nf);
  sp_tree_margin_batch(model, rows, n, batch);
  assert_true(same_floats(one, walk, n));
  assert_true(same_floats(one, batch, n));
  xgboost_margins(path, rows, n, nf, xgb);
  size_t differ = 0;
  for (size_t r = 0; r < n; r++)
    differ += one[r] != xgb[r];
  fprintf(stderr, "%s: %zu random rows, %zu margins differ from XGBoost\n",
          name, n, differ);
  assert_int_equal(differ, 0);
  free(rows);
  sp_tree_free(model);
}

static void test_german_batch_equals_one_row(void **state) {
  (void)state;
  batch_equals_one_row("german");
}

static void test_taiwan_batch_equals_one_row(void **state) {
  (void)state;
  batch_equals_one_row("taiwan");
}

/* A one-split model by hand: feature 1 ("x") < 0.1 goes left to -0.4,
 * else right to 0.6; missing goes left; covers 10 = 8 + 2. */
static const char *const stump_format =
    "{\"learner\":{\"feature_names\":[\"a\",\"x\"],"
    "\"gradient_booster\":{\"model\":{\"gbtree_model_param\":"
    "{\"num_parallel_tree\":\"1\",\"num_trees\":\"1\"},\"tree_info\":[0],"
    "\"trees\":[{\"base_weights\":[0,0,0],\"categories_nodes\":[],"
    "\"default_left\":[1,0,0],\"id\":0,\"left_children\":%s,"
    "\"right_children\":%s,\"split_conditions\":[1E-1,-4E-1,6E-1],"
    "\"split_indices\":[1,0,0],\"split_type\":%s,"
    "\"sum_hessian\":[1E1,8E0,2E0],\"tree_param\":{\"num_deleted\":\"0\","
    "\"num_feature\":\"2\",\"num_nodes\":\"3\",\"size_leaf_vector\":\"0\"}}]},"
    "\"name\":\"gbtree\"},\"learner_model_param\":{\"base_score\":\"%s\","
    "\"num_class\":\"%s\",\"num_feature\":\"2\",\"num_target\":\"1\"},"
    "\"objective\":{\"name\":\"%s\"}},\"version\":[1,7,4]}";

typedef struct stump {
  const char *left, *right, *split_type, *base_score, *num_class, *objective;
} stump;

static const stump good_stump = {"[1,-1,-1]", "[2,-1,-1]", "[0,0,0]",
                                 "5E-1",      "0",         "binary:logistic"};

static int load_stump(const stump *s, sp_tree_model **model, sp_error *err) {
  char text[2048];
  int n = snprintf(text, sizeof text, stump_format, s->left, s->right,
                   s->split_type, s->base_score, s->num_class, s->objective);
  assert_true(n > 0 && (size_t)n < sizeof text);
  return sp_tree_load_text(text, (size_t)n, model, err);
}

static void test_stump_by_hand(void **state) {
  (void)state;
  sp_tree_model *model = NULL;
  sp_error err;
  assert_int_equal(load_stump(&good_stump, &model, &err), SP_OK);
  assert_int_equal(sp_tree_feature_count(model), 2);
  assert_int_equal(sp_tree_tree_count(model), 1);
  assert_string_equal(sp_tree_feature_name(model, 1), "x");
  float row[2] = {123.0f, 0.1f}; /* 0.1f < 0.1f is false: right */
  assert_true(sp_tree_margin(model, row) == 0.6f);
  assert_true(fabs(sp_tree_probability(model, row) - 0.6456563062257954) <
              1e-7);
  row[1] = nextafterf(0.1f, 0.0f); /* just below the threshold: left */
  assert_true(sp_tree_margin(model, row) == -0.4f);
  row[1] = NAN; /* missing: default_left */
  assert_true(sp_tree_margin(model, row) == -0.4f);
  model->perfect_depth = -1; /* the node walk agrees */
  assert_true(sp_tree_margin(model, row) == -0.4f);
  row[1] = 0.1f;
  assert_true(sp_tree_margin(model, row) == 0.6f);
  model->perfect_depth = 1;
  row[1] = NAN;
  /* Expected value (-0.4 * 8 + 0.6 * 2) / 10 = -0.2; x explains the rest. */
  double phi[3];
  sp_tree_contributions(model, row, phi);
  assert_true(fabs(phi[0]) < 1e-12);
  assert_true(fabs(phi[1] - (-0.2)) < 1e-7);
  assert_true(fabs(phi[2] - (-0.2)) < 1e-7);
  row[1] = 5.0f;
  sp_tree_contributions(model, row, phi);
  assert_true(fabs(phi[1] - 0.8) < 1e-7);
  size_t top[2];
  assert_int_equal(
      sp_tree_top_reasons(model, phi, SP_TREE_TOWARD_POSITIVE, 2, top), 1);
  assert_int_equal(top[0], 1);
  assert_int_equal(
      sp_tree_top_reasons(model, phi, SP_TREE_TOWARD_NEGATIVE, 2, top), 0);
  sp_tree_free(model);
  /* base_score 0.25: the margin starts at log(0.25 / 0.75) = -log 3. */
  stump s = good_stump;
  s.base_score = "2.5E-1";
  assert_int_equal(load_stump(&s, &model, &err), SP_OK);
  assert_true(fabs(sp_tree_margin(model, row) - (0.6 - log(3.0))) < 1e-6);
  sp_tree_free(model);
}

static void expect_stump_error(const stump *s, int code, const char *field) {
  sp_tree_model *model = (sp_tree_model *)1;
  sp_error err;
  sp_error_clear(&err);
  assert_int_equal(load_stump(s, &model, &err), code);
  assert_null(model);
  assert_string_equal(err.field, field);
}

#define TREE0 "learner.gradient_booster.model.trees[0]."

static void test_bad_models(void **state) {
  (void)state;
  stump s = good_stump;
  s.objective = "multi:softprob";
  expect_stump_error(&s, SP_EINVAL, "learner.objective.name");
  s = good_stump;
  s.num_class = "3";
  expect_stump_error(&s, SP_ERANGE, "learner.learner_model_param.num_class");
  s = good_stump;
  s.left = "[7,-1,-1]";
  expect_stump_error(&s, SP_ERANGE, TREE0 "left_children");
  s.left = "[1,-1]";
  expect_stump_error(&s, SP_EINVAL, TREE0 "left_children");
  s.left = "[1,1,-1]"; /* node 1 is its own child */
  s.right = "[2,2,-1]";
  expect_stump_error(&s, SP_EINVAL, TREE0 "left_children");
  s = good_stump;
  s.split_type = "[1,0,0]";
  expect_stump_error(&s, SP_EINVAL, TREE0 "split_type");
  s = good_stump;
  s.base_score = "1.5";
  expect_stump_error(&s, SP_ERANGE, "learner.learner_model_param.base_score");
}

static void test_truncated_and_missing(void **state) {
  (void)state;
  char text[2048];
  int n = snprintf(text, sizeof text, stump_format, "[1,-1,-1]", "[2,-1,-1]",
                   "[0,0,0]", "5E-1", "0", "binary:logistic");
  sp_tree_model *model = NULL;
  sp_error err;
  assert_int_equal(sp_tree_load_text(text, (size_t)n / 2, &model, &err),
                   SP_EPARSE);
  assert_null(model);
  assert_int_equal(err.line, 1);
  assert_true(err.column > 0);
  assert_int_equal(sp_tree_load_file("no-such-model.json", &model, &err),
                   SP_EIO);
  assert_int_equal(sp_tree_load_text("{}", 2, &model, &err), SP_EINVAL);
  assert_string_equal(err.field, "learner");
}

static void test_header_mapping(void **state) {
  (void)state;
  sp_tree_model *model = NULL;
  sp_error err;
  assert_int_equal(load_stump(&good_stump, &model, &err), SP_OK);
  const char *header[] = {"id", "x", "a"};
  size_t column_of[2];
  assert_int_equal(sp_tree_map_header(model, header, 3, column_of, &err),
                   SP_OK);
  assert_int_equal(column_of[0], 2);
  assert_int_equal(column_of[1], 1);
  float values[3] = {7.0f, 5.0f, 1.0f}, row[2];
  sp_tree_gather(model, column_of, values, 3, row);
  assert_true(row[0] == 1.0f && row[1] == 5.0f);
  const char *missing[] = {"a", "y"};
  assert_int_equal(sp_tree_map_header(model, missing, 2, column_of, &err),
                   SP_ENOTFOUND);
  assert_string_equal(err.field, "x");
  const char *twice[] = {"a", "x", "a"};
  assert_int_equal(sp_tree_map_header(model, twice, 3, column_of, &err),
                   SP_EINVAL);
  assert_string_equal(err.field, "a");
  sp_tree_free(model);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_stump_by_hand),
      cmocka_unit_test(test_bad_models),
      cmocka_unit_test(test_truncated_and_missing),
      cmocka_unit_test(test_header_mapping),
      cmocka_unit_test(test_german_matches_xgboost),
      cmocka_unit_test(test_taiwan_missing_matches_xgboost),
      cmocka_unit_test(test_german_batch_equals_one_row),
      cmocka_unit_test(test_taiwan_batch_equals_one_row),
  };
  return cmocka_run_group_tests(tests, setup_reference, teardown_reference);
}
