/* Tree-model scoring speed: Sparrow against XGBoost's own C API.
 *
 * Usage: bench_tree MODEL.json ROWS.csv  (bench/tree.sh makes both)
 *
 * Loads the model with Sparrow and, when built with libxgboost-dev
 * (SPARROW_HAVE_XGBOOST), with XGBoost's C API too, then times, in this
 * one run and on one thread, the probability of every row:
 *   - Sparrow, one sp_tree_probability call per row;
 *   - Sparrow, sp_tree_margin_batch over all rows, then the logistic of
 *     each margin (the same probability, computed the same way);
 *   - XGBoost, XGBoosterPredictFromDMatrix over all rows at once (nthread=1;
 *     a fresh DMatrix each time, built outside the timing, because XGBoost
 *     caches predictions per DMatrix);
 *   - XGBoost, XGBoosterPredictFromDense one row per call (first rows).
 * Each is the best of several repetitions, Sparrow's and XGBoost's batch
 * runs alternating. It checks that Sparrow's two paths give the same
 * floats and that they agree with XGBoost, then prints rows per second and
 * the ratios. For information only, XGBoost's batch is then timed again
 * with nthread=2 (not a one-thread comparison). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sparrow/csv.h"
#include "sparrow/tree.h"

#ifdef SPARROW_HAVE_XGBOOST
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wstrict-prototypes"
#include <xgboost/c_api.h>
#pragma GCC diagnostic pop
#endif

#define REPEATS 11
#define COLS_MAX 256
#define ROWS_MAX 2000000
#define SINGLE_ROWS 2000 /* rows scored one call each through XGBoost */

typedef struct data {
  size_t rows, cols;
  char *names[COLS_MAX];
  float *values;
} data;

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Reads a numeric CSV with a header (empty field = NaN). */
static int read_csv(const char *path, data *d) {
  static sp_csv csv; /* large: not on the stack */
  FILE *f = fopen(path, "r");
  size_t room = 1024;
  if (f == NULL)
    return -1;
  sp_csv_init_file(&csv, f);
  if (sp_csv_next(&csv, NULL) != 1 || sp_csv_count(&csv) > COLS_MAX) {
    fclose(f);
    return -1;
  }
  d->cols = (size_t)sp_csv_count(&csv);
  for (size_t c = 0; c < d->cols; c++)
    d->names[c] = strdup(sp_csv_field(&csv, (int)c, NULL));
  d->values = malloc(room * d->cols * sizeof(float));
  while (d->values != NULL && d->rows < ROWS_MAX &&
         sp_csv_next(&csv, NULL) == 1) {
    if (d->rows == room)
      d->values = realloc(d->values, (room *= 2) * d->cols * sizeof(float));
    if (d->values == NULL || (size_t)sp_csv_count(&csv) != d->cols) {
      fclose(f);
      return -1;
    }
    for (size_t c = 0; c < d->cols; c++) {
      const char *v = sp_csv_field(&csv, (int)c, NULL);
      d->values[d->rows * d->cols + c] = v[0] == '\0' ? NAN : strtof(v, NULL);
    }
    d->rows++;
  }
  fclose(f);
  return d->values != NULL && d->rows > 0 ? 0 : -1;
}

/* Seconds to score every row once with Sparrow; probabilities into out. */
static double time_sparrow(const sp_tree_model *model, const float *rows,
                           size_t n, double *out) {
  size_t nf = sp_tree_feature_count(model);
  double start = now_s();
  for (size_t r = 0; r < n; r++)
    out[r] = sp_tree_probability(model, rows + r * nf);
  return now_s() - start;
}

/* Seconds to score every row once through the batch call; probabilities
 * into out, margins into margin (n entries). */
static double time_sparrow_batch(const sp_tree_model *model, const float *rows,
                                 size_t n, float *margin, double *out) {
  double start = now_s();
  sp_tree_margin_batch(model, rows, n, margin);
  for (size_t r = 0; r < n; r++)
    out[r] = 1.0 / (1.0 + exp(-(double)margin[r]));
  return now_s() - start;
}

/* Rows whose batch probability is not the one-row probability's float. */
static size_t count_mismatch(const double *a, const double *b, size_t n) {
  size_t bad = 0;
  for (size_t r = 0; r < n; r++)
    bad += memcmp(&a[r], &b[r], sizeof a[r]) != 0;
  return bad;
}

#ifdef SPARROW_HAVE_XGBOOST
#define XGB_CHECK(call)                                                        \
  do {                                                                         \
    if ((call) != 0) {                                                         \
      fprintf(stderr, "xgboost: %s\n", XGBGetLastError());                     \
      exit(1);                                                                 \
    }                                                                          \
  } while (0)

static const char *const predict_config =
    "{\"type\": 0, \"training\": false, \"iteration_begin\": 0, "
    "\"iteration_end\": 0, \"strict_shape\": false}";
static const char *const inplace_config =
    "{\"type\": 0, \"training\": false, \"iteration_begin\": 0, "
    "\"iteration_end\": 0, \"strict_shape\": false, \"missing\": NaN, "
    "\"cache_id\": 0}";

/* Sparrow's best times and results, both paths. */
typedef struct sparrow_run {
  double row_s, batch_s; /* best seconds, one call per row / batch */
  double *prob;          /* one call per row */
  double *batch_prob;    /* batch */
  float *margin;         /* batch scratch */
  size_t mismatch;       /* rows where the two paths differ */
} sparrow_run;

static void time_sparrow_both(const sp_tree_model *model, const float *rows,
                              size_t n, sparrow_run *s) {
  s->row_s = fmin(s->row_s, time_sparrow(model, rows, n, s->prob));
  s->batch_s = fmin(
      s->batch_s, time_sparrow_batch(model, rows, n, s->margin, s->batch_prob));
  s->mismatch += count_mismatch(s->prob, s->batch_prob, n);
}

/* Best seconds of XGBoost over all rows; when s is not NULL, Sparrow runs
 * alternately with it, so that both see the same machine load. */
static double time_xgb_batch(BoosterHandle booster, const sp_tree_model *model,
                             const float *rows, size_t n, double *max_diff,
                             sparrow_run *s) {
  size_t nf = sp_tree_feature_count(model);
  double best = INFINITY;
  for (int rep = 0; rep < REPEATS; rep++) {
    if (s != NULL)
      time_sparrow_both(model, rows, n, s);
    DMatrixHandle dm;
    XGB_CHECK(XGDMatrixCreateFromMat(rows, n, nf, NAN, &dm));
    const bst_ulong *shape;
    bst_ulong dim;
    const float *result;
    double start = now_s();
    XGB_CHECK(XGBoosterPredictFromDMatrix(booster, dm, predict_config, &shape,
                                          &dim, &result));
    best = fmin(best, now_s() - start);
    for (size_t r = 0; s != NULL && rep == 0 && r < n; r++)
      *max_diff = fmax(*max_diff, fabs(result[r] - s->prob[r]));
    XGB_CHECK(XGDMatrixFree(dm));
  }
  return best;
}

/* Seconds per row when XGBoost is called once per row (inplace). */
static double time_xgb_single(BoosterHandle booster, const float *rows,
                              size_t n, size_t nf) {
  double best = INFINITY;
  char array[256];
  for (int rep = 0; rep < REPEATS; rep++) {
    double start = now_s();
    for (size_t r = 0; r < n; r++) {
      snprintf(array, sizeof array,
               "{\"data\": [%zu, true], \"shape\": [1, %zu], "
               "\"typestr\": \"<f4\", \"version\": 3}",
               (size_t)(uintptr_t)(rows + r * nf), nf);
      const bst_ulong *shape;
      bst_ulong dim;
      const float *result;
      XGB_CHECK(XGBoosterPredictFromDense(booster, array, inplace_config, NULL,
                                          &shape, &dim, &result));
    }
    best = fmin(best, (now_s() - start) / (double)n);
  }
  return best;
}

static void compare_xgboost(const char *path, const sp_tree_model *model,
                            const float *rows, size_t n, sparrow_run *s) {
  size_t nf = sp_tree_feature_count(model);
  BoosterHandle booster;
  XGB_CHECK(XGBoosterCreate(NULL, 0, &booster));
  XGB_CHECK(XGBoosterLoadModel(booster, path));
  XGB_CHECK(XGBoosterSetParam(booster, "nthread", "1"));
  double diff = 0;
  double batch_s = time_xgb_batch(booster, model, rows, n, &diff, s);
  size_t single_n = n < SINGLE_ROWS ? n : SINGLE_ROWS;
  double single_s = time_xgb_single(booster, rows, single_n, nf);
  XGB_CHECK(XGBoosterSetParam(booster, "nthread", "2"));
  double two_s = time_xgb_batch(booster, model, rows, n, &diff, NULL);
  printf("sparrow, sp_tree_margin_batch:           %.0f rows/s (%.3f s)\n",
         (double)n / s->batch_s, s->batch_s);
  printf("sparrow, one row per call:               %.0f rows/s (%.3f s)\n",
         (double)n / s->row_s, s->row_s);
  printf("xgboost C API, DMatrix batch, nthread=1: %.0f rows/s (%.3f s)\n",
         (double)n / batch_s, batch_s);
  printf("xgboost C API, one row per call:         %.0f rows/s\n",
         1.0 / single_s);
  printf("xgboost C API, DMatrix batch, nthread=2: %.0f rows/s (%.3f s; "
         "information only, two threads)\n",
         (double)n / two_s, two_s);
  printf("max |probability difference|: %.3g\n", diff);
  printf("rows where batch != one-row: %zu\n", s->mismatch);
  printf("ratio sparrow batch/xgboost batch (nthread=1): %.2fx\n",
         batch_s / s->batch_s);
  printf("ratio sparrow one-row/xgboost batch (nthread=1): %.2fx\n",
         batch_s / s->row_s);
  printf("ratio sparrow one-row/xgboost per call: %.2fx\n",
         single_s * (double)n / s->row_s);
  printf("ratio sparrow batch/xgboost batch (nthread=2): %.2fx\n",
         two_s / s->batch_s);
  XGB_CHECK(XGBoosterFree(booster));
}
#endif

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: bench_tree MODEL.json ROWS.csv\n");
    return 2;
  }
  sp_tree_model *model = NULL;
  sp_error err;
  data d = {0};
  if (sp_tree_load_file(argv[1], &model, &err) != SP_OK) {
    fprintf(stderr, "%s: %s: %s\n", argv[1], err.field, err.message);
    return 2;
  }
  size_t nf = sp_tree_feature_count(model), column_of[COLS_MAX];
  if (read_csv(argv[2], &d) != 0 || nf > COLS_MAX ||
      sp_tree_map_header(model, (const char *const *)d.names, d.cols, column_of,
                         &err) != SP_OK) {
    fprintf(stderr, "%s: unreadable or does not fit the model\n", argv[2]);
    return 2;
  }
  float *rows = malloc(d.rows * nf * sizeof(float));
  sparrow_run s = {INFINITY,
                   INFINITY,
                   malloc(d.rows * sizeof(double)),
                   malloc(d.rows * sizeof(double)),
                   malloc(d.rows * sizeof(float)),
                   0};
  if (rows == NULL || s.prob == NULL || s.batch_prob == NULL ||
      s.margin == NULL)
    return 1;
  for (size_t r = 0; r < d.rows; r++)
    sp_tree_gather(model, column_of, d.values + r * d.cols, d.cols,
                   rows + r * nf);
  printf("model: %zu trees, %zu features; rows: %zu; best of %d runs\n",
         sp_tree_tree_count(model), nf, d.rows, REPEATS);
#ifdef SPARROW_HAVE_XGBOOST
  compare_xgboost(argv[1], model, rows, d.rows, &s);
#else
  for (int rep = 0; rep < REPEATS; rep++)
    time_sparrow_both(model, rows, d.rows, &s);
  printf("sparrow, sp_tree_margin_batch:           %.0f rows/s (%.3f s)\n",
         (double)d.rows / s.batch_s, s.batch_s);
  printf("sparrow, one row per call:               %.0f rows/s (%.3f s)\n",
         (double)d.rows / s.row_s, s.row_s);
  printf("rows where batch != one-row: %zu\n", s.mismatch);
  printf("xgboost C API: not built (libxgboost-dev absent)\n");
#endif
  free(rows);
  free(s.prob);
  free(s.batch_prob);
  free(s.margin);
  sp_tree_free(model);
  return 0;
}
