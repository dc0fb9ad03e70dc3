/* Selection, fit and scaling of a scorecard.
 *
 * Candidates are taken strongest IV first; one whose WOE values (over the
 * training rows) correlate beyond corr_max with a characteristic already
 * kept is left out, and so is any below iv_min. The logistic regression is
 * then fitted on the kept WOE values; while some slope is positive (a
 * characteristic pushing against its own WOE, which only collinearity
 * produces), the one with the largest such slope is dropped and the model
 * refitted; so is one that the Cholesky factorisation finds linearly
 * dependent on the stronger ones. Points follow the scaling in
 * sparrow/scorecard.h, and every kept row is scored with the rounded points for
 * the report. */
#include <assert.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "score/card_int.h"

typedef struct selection {
  const card_data *d;
  card_char *cand;
  const unsigned char *bin_of;
  size_t n_train;
  size_t *train; /* kept-row index of each training row */
  double *woe;   /* SP_CARD_CHARS_MAX vectors of n_train WOE values */
  int kept[SP_CARD_CHARS_MAX];
  int n_kept;
} selection;

static void woe_vector(const selection *s, int c, double *v) {
  const unsigned char *bins = s->bin_of + (size_t)c * s->d->n;
  for (size_t i = 0; i < s->n_train; i++)
    v[i] = s->cand[c].bins[bins[s->train[i]]].woe;
}

static double correlation(const double *x, const double *y, size_t n) {
  double mx = 0, my = 0, sxy = 0, sxx = 0, syy = 0;
  for (size_t i = 0; i < n; i++) {
    mx += x[i];
    my += y[i];
  }
  mx /= (double)n;
  my /= (double)n;
  for (size_t i = 0; i < n; i++) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) * (x[i] - mx);
    syy += (y[i] - my) * (y[i] - my);
  }
  return sxx > 0 && syy > 0 ? sxy / sqrt(sxx * syy) : 1;
}

static int cmp_iv_desc(const void *a, const void *b, void *arg) {
  const card_char *c = arg;
  double x = c[*(const int *)a].iv, y = c[*(const int *)b].iv;
  return (x < y) - (x > y);
}

static void select_candidates(selection *s, int n) {
  int order[SP_CARD_COLUMNS_MAX];
  assert(n <= SP_CARD_COLUMNS_MAX);
  for (int i = 0; i < n; i++)
    order[i] = i;
  qsort_r(order, (size_t)n, sizeof *order, cmp_iv_desc, (void *)s->cand);
  const sp_card_options *o = s->d->options;
  for (int i = 0; i < n && s->n_kept < SP_CARD_CHARS_MAX; i++) {
    int c = order[i];
    if (s->cand[c].iv < o->iv_min)
      break;
    double *v = s->woe + (size_t)s->n_kept * s->n_train;
    woe_vector(s, c, v);
    int ok = 1;
    for (int k = 0; k < s->n_kept && ok; k++)
      ok = fabs(correlation(v, s->woe + (size_t)k * s->n_train, s->n_train)) <=
           o->corr_max;
    for (size_t r = 1; r < s->n_train && ok == 1; r++)
      ok = v[r] != v[0] ? 2 : 1; /* a constant WOE carries nothing */
    ok = ok == 2;
    if (ok)
      s->kept[s->n_kept++] = c;
  }
}

/* The position in kept of the n-th active characteristic. */
static int nth_active(const int *active, int n_kept, int n) {
  for (int j = 0; j < n_kept; j++)
    if (active[j] && n-- == 0)
      return j;
  assert(0 && "fewer active characteristics than columns");
  return 0;
}

/* Fits on the active kept characteristics, dropping wrong-signed ones and
 * ones that depend linearly on those before them (dummy columns that sum
 * to one, for example). */
static int fit(const selection *s, int *active, double *beta, sp_error *err) {
  double *x = malloc(sizeof *x * (s->n_train * (size_t)s->n_kept + 1));
  unsigned char *y = malloc(s->n_train + 1);
  int rc = x && y ? SP_OK : sp_error_set(err, SP_ENOMEM, "fit", "no memory");
  for (int round = 0; rc == SP_OK && round <= s->n_kept; round++) {
    size_t k = 0;
    for (int j = 0; j < s->n_kept; j++)
      k += active[j] != 0;
    if (k == 0) {
      rc = sp_error_set(err, SP_ERANGE, "fit",
                        "no characteristic is predictive (IV >= %g)",
                        s->d->options->iv_min);
      break;
    }
    for (size_t r = 0; r < s->n_train; r++) {
      y[r] = s->d->bad[s->train[r]];
      for (int j = 0, col = 0; j < s->n_kept; j++)
        if (active[j])
          x[r * k + (size_t)col++] = s->woe[(size_t)j * s->n_train + r];
    }
    int dependent = -1, worst = -1;
    rc = sp__card_irls(x, y, s->n_train, k, s->d->options->l2, beta, &dependent,
                       err);
    if (rc == SP_ERANGE && dependent > 0) { /* drop it and refit */
      worst = nth_active(active, s->n_kept, dependent - 1);
      rc = SP_OK;
      sp_error_clear(err);
      active[worst] = 0;
      continue;
    }
    double worst_slope = 1e-9;
    for (int j = 0, col = 1; rc == SP_OK && j < s->n_kept; j++)
      if (active[j] && beta[col++] > worst_slope) {
        worst = j;
        worst_slope = beta[col - 1];
      }
    if (rc != SP_OK || worst < 0)
      break;
    active[worst] = 0;
  }
  free(x);
  free(y);
  return rc;
}

/* The card of the active characteristics with slopes beta[1..]. */
static int build_card(selection *s, const int *active, const double *beta,
                      sp_card **out, sp_error *err) {
  const sp_card_options *o = s->d->options;
  sp_card *card = calloc(1, sizeof *card);
  int k = 0;
  for (int j = 0; j < s->n_kept; j++)
    k += active[j] != 0;
  if (card == NULL ||
      (card->chars = calloc((size_t)k, sizeof *card->chars)) == NULL) {
    free(card);
    return sp_error_set(err, SP_ENOMEM, "fit", "out of memory");
  }
  card->pdo = o->pdo;
  card->base_score = o->base_score;
  card->base_odds = o->base_odds;
  card->factor = o->pdo / log(2.0);
  card->offset = o->base_score - card->factor * log(o->base_odds);
  card->intercept = beta[0];
  card->base_points = round(card->offset - card->factor * beta[0]) + 0.0;
  for (int j = 0, col = 0; j < s->n_kept; j++) {
    if (!active[j])
      continue;
    card_char *ch = &card->chars[col];
    *ch = s->cand[s->kept[j]];
    s->cand[s->kept[j]].levels = NULL; /* the card owns them now */
    s->cand[s->kept[j]].n_levels = 0;
    memset(ch->text, 0, sizeof ch->text); /* sp__card_finish writes them */
    ch->slope = beta[1 + col];
    for (int b = 0; b < ch->n_bins; b++)
      ch->bins[b].points =
          round(-card->factor * ch->slope * ch->bins[b].woe) + 0.0;
    col++;
  }
  card->n_chars = (size_t)k;
  int rc = sp__card_finish(card, err);
  if (rc != SP_OK) {
    sp_card_free(card);
    return rc;
  }
  *out = card;
  return SP_OK;
}

/* Scores every kept row with the card's rounded points; fills the report. */
static int report_rows(const selection *s, const int *active,
                       const sp_card *card, sp_card_report *rep,
                       sp_error *err) {
  size_t n = s->d->n;
  double *score = malloc(sizeof *score * (2 * n + 1)), *pd = score + n;
  if (score == NULL)
    return sp_error_set(err, SP_ENOMEM, "fit", "out of memory");
  for (size_t i = 0; i < n; i++) {
    double total = card->base_points;
    for (int j = 0, col = 0; j < s->n_kept; j++) {
      if (!active[j])
        continue;
      const unsigned char *bins = s->bin_of + (size_t)s->kept[j] * n;
      total += card->chars[col++].bins[bins[i]].points;
    }
    score[i] = total;
    pd[i] = 1 / (1 + exp((total - card->offset) / card->factor));
  }
  sp__card_report(score, pd, s->d->bad, s->d->valid, n, rep);
  rep->selected = (int)card->n_chars;
  free(score);
  return SP_OK;
}

int sp__card_select_fit(const card_data *d, card_char *cand,
                        const unsigned char *bin_of, int n, sp_card **out,
                        sp_card_report *rep, sp_error *err) {
  assert(d != NULL && cand != NULL && out != NULL && n >= 0);
  selection s = {d, cand, bin_of, 0, NULL, NULL, {0}, 0};
  size_t n_train = (size_t)(d->goods + d->bads);
  int kmax = n < SP_CARD_CHARS_MAX ? n : SP_CARD_CHARS_MAX;
  s.train = malloc(sizeof *s.train * (n_train + 1));
  s.woe = malloc(sizeof *s.woe * (n_train * (size_t)kmax + 1));
  double *beta = malloc(sizeof *beta * (size_t)(kmax + 1));
  int *active = malloc(sizeof *active * (size_t)(kmax + 1));
  int rc = SP_OK;
  if (!s.train || !s.woe || !beta || !active)
    rc = sp_error_set(err, SP_ENOMEM, "fit", "out of memory");
  for (size_t i = 0; rc == SP_OK && i < d->n; i++)
    if (!d->valid[i])
      s.train[s.n_train++] = i;
  if (rc == SP_OK) {
    select_candidates(&s, n);
    for (int j = 0; j < s.n_kept; j++)
      active[j] = 1;
    rc = fit(&s, active, beta, err);
  }
  if (rc == SP_OK)
    rc = build_card(&s, active, beta, out, err);
  if (rc == SP_OK)
    rc = report_rows(&s, active, *out, rep, err);
  if (rc == SP_OK) {
    (*out)->auc_train = rep->auc_train;
    (*out)->auc_validation = rep->auc_validation;
    (*out)->train_rows = rep->train_rows;
    (*out)->validation_rows = rep->validation_rows;
  } else if (*out != NULL) {
    sp_card_free(*out);
    *out = NULL;
  }
  free(s.train);
  free(s.woe);
  free(beta);
  free(active);
  return rc;
}
