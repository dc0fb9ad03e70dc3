/* Credit scorecards: trained here from a table of past loans, saved as
 * readable JSON, and scored row by row with adverse-action reasons.
 *
 * Training (sp_card_train) takes a table of field strings whose target
 * column marks bad loans with one value (every other value is good):
 *   1. Rows whose target is blank (or NA) are dropped. The rest are split
 *      into training and validation by seeded sampling (sp_card_split; not
 *      stratified: exactly round(rows * fraction) validation rows).
 *   2. A column is numeric when at least 95% of its non-missing values
 *      parse as numbers (sp_card_parse_value: "$60,000.00 " is 60000),
 *      otherwise a category; a schema, when given, decides instead.
 *      Missing values (blank, NA, NaN, ?, N/A, null) get a bin of their
 *      own; a non-number in a numeric column counts as missing.
 *   3. Numbers are fine-classed into about 20 quantile bins; adjacent bins
 *      are then merged, always the pair whose merge loses the least
 *      information value, until at most 8 bins remain, each holding at
 *      least 2% of the training rows. With a monotone mark the bins are
 *      first merged until the WOE is ordered: "+" means the WOE (and so
 *      the points) never decrease as the value grows, "-" never increase.
 *      Without a mark the bins may take any shape (U-shaped included).
 *      Category levels seen in fewer than 1% of the training rows are
 *      pooled into an "other" bin (which also takes unseen levels); the
 *      levels are then ordered by WOE and merged the same way.
 *   4. WOE of a bin = ln((g + a*G/N)/G / ((b + a*B/N)/B)) with a = 0.5: a
 *      half observation spread at the overall bad rate, so an empty bin
 *      has WOE 0. IV = sum over bins of (g/G - b/B) * WOE (smoothed
 *      counts). Characteristics with IV below iv_min are dropped; the rest,
 *      strongest first, are kept unless their WOE correlates (|r| >
 *      corr_max) with one already kept.
 *   5. Logistic regression of bad on the WOE values, fitted by Newton's
 *      method (IRLS) in double precision, normal equations solved by
 *      Cholesky, optional L2 penalty on the slopes. A characteristic whose
 *      slope comes out positive (more WOE, more risk: a collinearity
 *      artefact) is dropped and the model refitted.
 *   6. Points: factor = pdo / ln 2, offset = base_score - factor *
 *      ln(base_odds). An attribute's points are round(-factor * slope *
 *      WOE); base points are round(offset - factor * intercept). The score
 *      is base points plus the attributes' points, and pd = 1 / (1 +
 *      exp((score - offset) / factor)), so the pd follows from the score.
 *
 * Scoring (sp_card_score_row) allocates nothing and only reads the card. */
#ifndef SPARROW_SCORECARD_H
#define SPARROW_SCORECARD_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "sparrow/error.h"
#include "sparrow/schema.h"

#define SP_CARD_ROWS_MAX 20000000L         /* rows of a training table */
#define SP_CARD_COLUMNS_MAX 512            /* columns of a training table */
#define SP_CARD_TABLE_BYTES_MAX (1L << 31) /* text of a training table */
#define SP_CARD_CHARS_MAX 256              /* characteristics of a card */
#define SP_CARD_BINS_MAX 32                /* bins of one characteristic */
#define SP_CARD_LEVELS_MAX 4096            /* named levels of one category */
#define SP_CARD_NAME_MAX 64                /* bytes of a name, NUL included */
#define SP_CARD_JSON_MAX (64L << 20)       /* bytes of a card file */
#define SP_CARD_BANDS_MAX 10               /* score bands of the report */

typedef struct sp_card sp_card;
typedef struct sp_card_table sp_card_table;

/* ---- Field values ---- */

typedef enum sp_card_value {
  SP_CARD_MISSING = 0, /* blank, NA, NaN, ?, N/A, null (any case) */
  SP_CARD_NUMBER,      /* *out set */
  SP_CARD_TEXT         /* anything else */
} sp_card_value;

/* Classifies len bytes of text. Surrounding spaces, one leading currency
 * sign ($, ¥, €, £), a sign before or after it, thousands separators and
 * a trailing % are accepted: "$60,000.00 " is 60000, "-$1,234.5" -1234.5. */
sp_card_value sp_card_parse_value(const char *text, size_t len, double *out);

/* ---- In-memory tables ---- */

/* Reads a CSV with a header (every record must have the header's field
 * count) into a new table. Errors: SP_EINVAL (cannot open), SP_EIO, SP_EPARSE /
 * SP_EINVAL with line and column, SP_ELIMIT, SP_ENOMEM. */
int sp_card_table_read_file(const char *path, sp_card_table **out,
                            sp_error *err);
int sp_card_table_read_text(const char *text, size_t len, sp_card_table **out,
                            sp_error *err);
void sp_card_table_free(sp_card_table *table);
size_t sp_card_table_rows(const sp_card_table *table);
size_t sp_card_table_columns(const sp_card_table *table);
const char *sp_card_table_name(const sp_card_table *table, size_t column);
const char *sp_card_table_cell(const sp_card_table *table, size_t row,
                               size_t column);

/* ---- Training ---- */

typedef struct sp_card_options {
  const char *target;            /* column name; required */
  const char *bad_value;         /* the target value that marks a bad loan */
  const char *exclude;           /* comma-separated column names, or NULL */
  const char *protected_columns; /* comma-separated; never characteristics */
  const char *monotone;          /* "x:+,y:-", or NULL */
  const sp_schema *schema;       /* types and protected marks, or NULL */
  uint64_t seed;                 /* of the split */
  double validation;             /* fraction of rows held out, [0, 0.9] */
  double pdo, base_score, base_odds; /* scaling; base_odds is good:bad */
  double l2;                         /* penalty on the slopes, >= 0 */
  double iv_min;                     /* selection threshold */
  double corr_max;                   /* correlation filter */
  int fine_bins, coarse_bins_max;
  double bin_share_min; /* smallest coarse bin, share of training rows */
} sp_card_options;

/* Defaults: seed 20240601, validation 0.3, pdo 20, base score 600 at 50:1,
 * l2 0, iv_min 0.02, corr_max 0.7, 20 fine bins, 10 coarse bins, 2%. */
void sp_card_options_init(sp_card_options *options);

typedef struct sp_card_band {
  double score_low, score_high;  /* score_low <= score < score_high */
  long train_count, count, bads; /* count and bads: validation rows */
  double pd_predicted;           /* mean pd of the validation rows */
} sp_card_band;

typedef struct sp_card_report {
  long rows, rows_dropped; /* table rows; rows dropped (blank target) */
  long train_rows, train_bads, validation_rows, validation_bads;
  int candidates, selected; /* characteristics considered, kept */
  double auc_train, auc_validation, gini_validation, ks_validation;
  double psi; /* training vs validation scores, over the bands */
  int n_bands;
  sp_card_band bands[SP_CARD_BANDS_MAX];
} sp_card_report;

/* Trains a card from table (see the top of this file). *out is freed with
 * sp_card_free; report (may be NULL) is filled. is_validation (may be
 * NULL; table-rows entries) receives the split. Errors name the option:
 * "target" (unknown column), "bad" (no bad or no good rows), "monotone",
 * "exclude", "protected" (unknown column or bad spec), "schema",
 * "validation", "pdo" ...; SP_ENOMEM; SP_ERANGE "fit" when no
 * characteristic is predictive. */
int sp_card_train(const sp_card_table *table, const sp_card_options *options,
                  sp_card **out, sp_card_report *report,
                  unsigned char *is_validation, sp_error *err);

/* The split used by training: is_validation[r] = 1 for exactly
 * round(rows * fraction) of the table's rows (data rows, 0-based), chosen
 * by selection sampling (Knuth's Algorithm S) with uniforms drawn from
 * splitmix64(seed). Not stratified. */
void sp_card_split(size_t rows, uint64_t seed, double fraction,
                   unsigned char *is_validation);

/* ---- Metrics (exposed for tests) ---- */

/* Area under the ROC curve of score against is_bad, ties counting one
 * half, where a LOWER score means more risk (scorecard convention). NAN
 * when either class is empty. */
double sp_card_auc(const double *score, const unsigned char *is_bad, size_t n);
/* Kolmogorov-Smirnov statistic: max over thresholds of |F_bad - F_good|. */
double sp_card_ks(const double *score, const unsigned char *is_bad, size_t n);

/* ---- Saving and loading ---- */

/* Writes the card as JSON. SP_EIO on a write error. */
int sp_card_write(const sp_card *card, FILE *file, sp_error *err);

/* 1 when the JSON file or text is a Sparrow scorecard (top-level member
 * "format" equal to "sparrow-scorecard"), else 0. */
int sp_card_detect_file(const char *path);

/* Loads a card. Errors: SP_EIO, SP_EPARSE (line and column), SP_EINVAL /
 * SP_ERANGE naming the JSON member ("characteristics[2].bins[0].points"),
 * SP_ELIMIT, SP_ENOMEM. */
int sp_card_load_file(const char *path, sp_card **out, sp_error *err);
int sp_card_load_text(const char *text, size_t len, sp_card **out,
                      sp_error *err);
void sp_card_free(sp_card *card);

/* ---- Scoring ---- */

size_t sp_card_feature_count(const sp_card *card);
const char *sp_card_feature_name(const sp_card *card, size_t i);
/* The scaling: score = offset + factor * ln(good:bad odds). */
double sp_card_factor(const sp_card *card);
double sp_card_offset(const sp_card *card);

/* column_of[i] receives the header position of characteristic i.
 * SP_ENOTFOUND names a characteristic absent from the header; SP_EINVAL a
 * header naming one twice. */
int sp_card_map_header(const sp_card *card, const char *const *header,
                       size_t header_count, size_t *column_of, sp_error *err);

typedef struct sp_card_result {
  double points; /* the score */
  double pd;     /* probability of bad, from the score */
} sp_card_result;

/* Scores one row of field strings laid out as the header that column_of
 * was mapped from (every column_of[i] < field_count). out_bins and
 * out_points (sp_card_feature_count entries each, may be NULL) receive each
 * characteristic's bin and points. Allocates nothing. */
sp_card_result sp_card_score_row(const sp_card *card, const size_t *column_of,
                                 const char *const *fields, size_t field_count,
                                 int *out_bins, double *out_points);

/* Adverse-action reasons: the characteristics whose points fall farthest
 * below the best attribute of the same characteristic (among the bins that
 * held training rows), largest gap first (ties by lower index), gaps of
 * zero or less left out. Returns how many (<= k)
 * were written to out_features. */
size_t sp_card_reasons(const sp_card *card, const int *bins, size_t k,
                       size_t *out_features);

/* Words for a reason: "PAY_0: 2 or more (-35 points)", the points counted
 * from the characteristic's best attribute. Returns the length (as
 * snprintf). */
int sp_card_reason_text(const sp_card *card, size_t feature, int bin, char *buf,
                        size_t cap);

#endif
