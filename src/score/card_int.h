/* Scorecard internals shared by the src/score/card_*.c files: the card's
 * layout, the table's layout and the training steps. */
#ifndef SPARROW_CARD_INT_H
#define SPARROW_CARD_INT_H

#include <stddef.h>
#include <stdint.h>

#include "sparrow/scorecard.h"

#define CARD_WOE_ALPHA 0.5   /* pseudo-observations of the WOE smoothing */
#define CARD_RARE_SHARE 0.01 /* category levels rarer than this are pooled */
#define CARD_NUMERIC_SHARE                                                     \
  0.95 /* share of numbers that makes a column numeric */

typedef enum card_bin_kind {
  CARD_BIN_MISSING = 0, /* bins[0] of every characteristic */
  CARD_BIN_RANGE,       /* low <= x < high */
  CARD_BIN_LEVELS       /* the listed levels (and unseen ones when other) */
} card_bin_kind;

typedef struct card_bin {
  card_bin_kind kind;
  int is_other; /* levels: also takes the levels not listed */
  double low, high;
  long goods, bads;
  double woe, points;
} card_bin;

typedef struct card_level {
  char *text; /* owned */
  int bin;
} card_level;

typedef struct card_char {
  char name[SP_CARD_NAME_MAX];
  int is_category;
  int monotone; /* +1, -1 or 0 */
  double iv, slope, points_best;
  int n_bins;
  card_bin bins[SP_CARD_BINS_MAX];
  int n_levels;
  card_level *levels; /* sorted by text, for bsearch */
  int other_bin;      /* bin of unseen levels, or -1 (zero points) */
  /* The reason text of each bin and, at [n_bins], of a value no bin takes:
   * written once by sp__card_finish, all in the allocation at text[0]. */
  char *text[SP_CARD_BINS_MAX + 1];
} card_char;

struct sp_card {
  size_t n_chars;
  card_char *chars;
  double intercept, base_points;
  double pdo, base_score, base_odds, factor, offset;
  double auc_train, auc_validation;
  long train_rows, validation_rows;
};

struct sp_card_table {
  size_t rows, columns;
  char *text; /* every cell, NUL-terminated */
  size_t text_used, text_cap;
  size_t *cell_at; /* rows * columns offsets into text; headers first */
  size_t cells_cap;
};

/* Training data of one column, prepared for binning. */
typedef struct card_column {
  size_t column;
  int is_category, monotone;
} card_column;

/* The training set: the rows kept, their outcome and their split. */
typedef struct card_data {
  const sp_card_table *table;
  const sp_card_options *options;
  size_t n;             /* rows kept (target not blank) */
  size_t *row;          /* table row of each kept row */
  unsigned char *bad;   /* outcome of each kept row */
  unsigned char *valid; /* 1: validation row */
  long goods, bads;     /* training totals */
} card_data;

/* card_bin.c: builds the bins of one column into c (name set by the
 * caller) and the bin of every kept row into bin_of (n entries). */
int sp__card_bin_column(const card_data *d, const card_column *col,
                        card_char *c, unsigned char *bin_of, sp_error *err);

/* card_train.c: the column called name (len bytes), or -1. */
int sp__card_find_column(const sp_card_table *t, const char *name, size_t len);

/* card_select.c: selects among the n binned candidates (their bins of
 * every kept row in bin_of, n * d->n), fits, scales and reports. Takes
 * over the level lists of the characteristics it keeps. */
int sp__card_select_fit(const card_data *d, card_char *cand,
                        const unsigned char *bin_of, int n, sp_card **out,
                        sp_card_report *rep, sp_error *err);

/* card_woe.c */
double sp__card_woe(double g, double b, double goods, double bads);
void sp__card_woe_fill(card_char *c, double goods, double bads);
/* Merges adjacent groups (arrays of n with low bounds, goods, bads) by least
 * IV loss until ordered (monotone != 0), then until at most max_groups,
 * each with at least min_count rows. Returns the new count. */
int sp__card_merge(double *low, double *goods, double *bads, int n,
                   int monotone, int max_groups, double min_count, double G,
                   double B);

/* card_irls.c: fits logit P(bad) = beta0 + sum beta_j x_j over n rows of
 * k columns (x row-major n * k), L2 lambda on the slopes. beta has k + 1
 * entries (intercept first). SP_ERANGE when the fit does not converge or
 * the system is singular; then *dependent (may be NULL) is the column
 * (1..k; 0 the intercept) that depends on those before it. */
int sp__card_irls(const double *x, const unsigned char *y, size_t n, size_t k,
                  double lambda, double *beta, int *dependent, sp_error *err);

/* card_metrics.c: fills the report's validation metrics and bands. */
void sp__card_report(const double *score, const double *pd,
                     const unsigned char *bad, const unsigned char *valid,
                     size_t n, sp_card_report *report);

/* card_score.c: finishes a card after loading or training: sorts the
 * levels, finds each characteristic's best points (sp__card_char_finish,
 * also for training's candidates) and writes the reason texts
 * (SP_ENOMEM). */
int sp__card_finish(sp_card *card, sp_error *err);
void sp__card_char_finish(card_char *c);
int sp__card_bin_of(const card_char *c, const char *text);

#endif
