/* Validation metrics of a scorecard: AUC, KS, a calibration table by
 * score band and the population stability index.
 *
 * Scores follow the scorecard convention: a lower score means more risk.
 * AUC is the Mann-Whitney statistic with tied scores counting one half
 * (midranks); KS is the largest gap between the cumulative score
 * distributions of bads and goods, ties taken together. Bands are cut at
 * the training scores' deciles (repeated cut points dropped); PSI sums
 * (v - t) ln(v / t) over the bands, v and t being the validation and
 * training shares, each floored at 1e-4 so that an empty band is finite. */
#include <assert.h>
#include <math.h>
#include <stdlib.h>

#include "score/card_int.h"

#define PSI_SHARE_MIN 1e-4

typedef struct scored {
  double score;
  unsigned char bad;
} scored;

static int cmp_scored(const void *a, const void *b) {
  double x = ((const scored *)a)->score, y = ((const scored *)b)->score;
  return (x > y) - (x < y);
}

static scored *sorted_copy(const double *score, const unsigned char *is_bad,
                           size_t n) {
  scored *s = malloc(sizeof *s * (n > 0 ? n : 1));
  if (s == NULL)
    return NULL;
  for (size_t i = 0; i < n; i++) {
    s[i].score = score[i];
    s[i].bad = is_bad[i] != 0;
  }
  qsort(s, n, sizeof *s, cmp_scored);
  return s;
}

double sp_card_auc(const double *score, const unsigned char *is_bad, size_t n) {
  scored *s = sorted_copy(score, is_bad, n);
  if (s == NULL)
    return NAN;
  double rank_goods = 0, goods = 0, bads = 0;
  for (size_t i = 0, j; i < n; i = j) {
    for (j = i; j < n && s[j].score == s[i].score; j++)
      ;
    double midrank = (double)(i + 1 + j) / 2; /* ranks i+1 .. j */
    for (size_t k = i; k < j; k++) {
      if (s[k].bad) {
        bads++;
      } else {
        goods++;
        rank_goods += midrank;
      }
    }
  }
  free(s);
  if (goods == 0 || bads == 0)
    return NAN;
  return (rank_goods - goods * (goods + 1) / 2) / (goods * bads);
}

double sp_card_ks(const double *score, const unsigned char *is_bad, size_t n) {
  scored *s = sorted_copy(score, is_bad, n);
  if (s == NULL)
    return NAN;
  double goods = 0, bads = 0, ks = 0, cum_goods = 0, cum_bads = 0;
  for (size_t i = 0; i < n; i++)
    *(s[i].bad ? &bads : &goods) += 1;
  for (size_t i = 0, j; i < n; i = j) {
    for (j = i; j < n && s[j].score == s[i].score; j++)
      *(s[j].bad ? &cum_bads : &cum_goods) += 1;
    if (goods > 0 && bads > 0)
      ks = fmax(ks, fabs(cum_bads / bads - cum_goods / goods));
  }
  free(s);
  return goods > 0 && bads > 0 ? ks : NAN;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/* Band edges at the training deciles. */
static void make_bands(const double *score, const unsigned char *valid,
                       size_t n, sp_card_report *rep) {
  double *t = malloc(sizeof *t * (n > 0 ? n : 1));
  size_t m = 0;
  rep->n_bands = 1;
  rep->bands[0].score_low = -INFINITY;
  for (size_t i = 0; t != NULL && i < n; i++)
    if (!valid[i])
      t[m++] = score[i];
  if (t != NULL)
    qsort(t, m, sizeof *t, cmp_double);
  for (size_t q = 1; t != NULL && m > 0 && q < SP_CARD_BANDS_MAX; q++) {
    double cut = t[q * m / SP_CARD_BANDS_MAX];
    sp_card_band *last = &rep->bands[rep->n_bands - 1];
    if (cut > last->score_low && cut > t[0]) {
      last->score_high = cut;
      rep->bands[rep->n_bands++].score_low = cut;
    }
  }
  rep->bands[rep->n_bands - 1].score_high = INFINITY;
  free(t);
}

static sp_card_band *band_of(sp_card_report *rep, double score) {
  for (int b = 0; b + 1 < rep->n_bands; b++)
    if (score < rep->bands[b].score_high)
      return &rep->bands[b];
  return &rep->bands[rep->n_bands - 1];
}

static void fill_bands(const double *score, const double *pd,
                       const unsigned char *bad, const unsigned char *valid,
                       size_t n, sp_card_report *rep) {
  double train = 0, validation = 0;
  for (size_t i = 0; i < n; i++) {
    sp_card_band *band = band_of(rep, score[i]);
    if (!valid[i]) {
      band->train_count++;
      train++;
      continue;
    }
    band->count++;
    band->bads += bad[i] != 0;
    band->pd_predicted += pd[i];
    validation++;
  }
  rep->psi = 0;
  for (int b = 0; b < rep->n_bands; b++) {
    sp_card_band *band = &rep->bands[b];
    if (band->count > 0)
      band->pd_predicted /= (double)band->count;
    double t = fmax((double)band->train_count / fmax(train, 1), PSI_SHARE_MIN);
    double v = fmax((double)band->count / fmax(validation, 1), PSI_SHARE_MIN);
    rep->psi += (v - t) * log(v / t);
  }
}

/* AUC and KS over the rows of one side of the split. */
static void side_metrics(const double *score, const unsigned char *bad,
                         const unsigned char *valid, size_t n, int side,
                         double *auc, double *ks) {
  double *s = malloc(sizeof *s * (n > 0 ? n : 1));
  unsigned char *b = malloc(n > 0 ? n : 1);
  size_t m = 0;
  for (size_t i = 0; s != NULL && b != NULL && i < n; i++)
    if (valid[i] == side) {
      s[m] = score[i];
      b[m++] = bad[i];
    }
  *auc = s != NULL && b != NULL ? sp_card_auc(s, b, m) : NAN;
  if (ks != NULL)
    *ks = s != NULL && b != NULL ? sp_card_ks(s, b, m) : NAN;
  free(s);
  free(b);
}

void sp__card_report(const double *score, const double *pd,
                     const unsigned char *bad, const unsigned char *valid,
                     size_t n, sp_card_report *rep) {
  assert(score != NULL && pd != NULL && bad != NULL && valid != NULL);
  side_metrics(score, bad, valid, n, 0, &rep->auc_train, NULL);
  side_metrics(score, bad, valid, n, 1, &rep->auc_validation,
               &rep->ks_validation);
  rep->gini_validation = 2 * rep->auc_validation - 1;
  make_bands(score, valid, n, rep);
  fill_bands(score, pd, bad, valid, n, rep);
}
