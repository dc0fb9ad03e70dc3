/* Latency of one full credit decision (sparrow/decide.h): policy rules,
 * the model's score, limit, price and four reasons, one decision at a time
 * on one thread, each timed alone; p50, p99 and the maximum over N
 * decisions cycling through the rows of a CSV. Alongside, in the same
 * run, the model step alone (the scorecard's points, or the tree model's
 * probability without reasons) through its own public API, as the
 * baseline the rest of the decision adds to.
 * usage: bench_decide FLOW.json MODEL.json DATA.csv [N] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sparrow/csv.h"
#include "sparrow/decide.h"
#include "sparrow/scorecard.h"
#include "sparrow/tree.h"

#define COLS 64
#define ROWS_MAX 200000

static char *cell[ROWS_MAX][COLS];
static const char *header[COLS];
static size_t n_rows, n_cols;

static double now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static int cmp(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static void read_csv(const char *path) {
  static sp_csv csv;
  FILE *f = fopen(path, "r");
  sp_error err;
  if (f == NULL) {
    fprintf(stderr, "cannot open %s\n", path);
    exit(1);
  }
  sp_csv_init_file(&csv, f);
  for (long r = -1; sp_csv_next(&csv, &err) > 0 && n_rows < ROWS_MAX; r++) {
    size_t k = (size_t)sp_csv_count(&csv);
    if (k > COLS)
      exit(1);
    if (r < 0)
      n_cols = k;
    for (size_t c = 0; c < k; c++) {
      char *s = strdup(sp_csv_field(&csv, (int)c, NULL));
      if (r < 0)
        header[c] = s;
      else
        cell[n_rows][c] = s;
    }
    n_rows += r >= 0;
  }
  fclose(f);
}

static void report(const char *what, double *ns, long n) {
  qsort(ns, (size_t)n, sizeof *ns, cmp);
  printf("%-34s p50 %7.2f us  p99 %7.2f us  max %8.2f us\n", what,
         ns[n / 2] / 1e3, ns[n * 99 / 100] / 1e3, ns[n - 1] / 1e3);
}

/* The model alone, through its public API, as the baseline. */
static void model_alone(const char *path, long n, double *ns) {
  sp_error err;
  sp_card *card = NULL;
  sp_tree_model *tree = NULL;
  size_t col[COLS];
  static float x[COLS];
  static int bins[COLS];
  if (sp_card_detect_file(path) ? sp_card_load_file(path, &card, &err)
                                : sp_tree_load_file(path, &tree, &err)) {
    fprintf(stderr, "model: %s\n", err.message);
    exit(1);
  }
  if (card ? sp_card_map_header(card, header, n_cols, col, &err)
           : sp_tree_map_header(tree, header, n_cols, col, &err))
    exit(1);
  volatile double sink = 0;
  for (long i = 0; i < n; i++) {
    char *const *row = cell[i % (long)n_rows];
    double t0 = now_ns();
    if (card)
      sink += sp_card_score_row(card, col, (const char *const *)row, n_cols,
                                bins, NULL)
                  .pd;
    else {
      for (size_t f = 0; f < sp_tree_feature_count(tree); f++)
        x[f] = strtof(row[col[f]], NULL);
      sink += sp_tree_probability(tree, x);
    }
    ns[i] = now_ns() - t0;
  }
  sp_card_free(card);
  sp_tree_free(tree);
}

int main(int argc, char **argv) {
  if (argc < 4) {
    fprintf(stderr, "usage: bench_decide FLOW MODEL DATA [N]\n");
    return 2;
  }
  long n = argc > 4 ? atol(argv[4]) : 200000;
  read_csv(argv[3]);
  sp_flow *flow;
  sp_error err;
  if (sp_flow_load_file(argv[1], &flow, &err) ||
      sp_flow_bind(flow, header, n_cols, &err)) {
    fprintf(stderr, "flow: %s\n", err.message);
    return 1;
  }
  double *ns = malloc((size_t)n * sizeof *ns);
  long counts[3] = {0};
  for (long i = 0; i < n; i++) {
    sp_decision d;
    char *const *row = cell[i % (long)n_rows];
    double t0 = now_ns();
    if (sp_flow_decide(flow, (const char *const *)row, n_cols, i, &d, &err)) {
      fprintf(stderr, "decide: %s\n", err.message);
      return 1;
    }
    ns[i] = now_ns() - t0;
    counts[d.outcome]++;
  }
  printf("%ld decisions over %zu rows: approve %ld, refer %ld, decline %ld\n",
         n, n_rows, counts[0], counts[1], counts[2]);
  report("full decision", ns, n);
  model_alone(argv[2], n, ns);
  report("model step alone (baseline)", ns, n);
  sp_flow_free(flow);
  free(ns);
  return 0;
}
