/* Threshold rules: PBoC large-value reports and structuring.
 *
 * Every transfer is looked at from each side that has an account: the
 * payer (direction out) and the payee (direction in). The customer's
 * category decides the threshold T (PBoC Order [2016] No. 3, Art. 5):
 *   cash (type cash), any customer                       cash_fen_min
 *   transfer, corporate account                          corporate_fen_min
 *   transfer, individual account, domestic               individual_domestic
 *   transfer, individual account, cross-border           individual_cross
 * Every type other than cash counts as a transfer. Foreign-currency rows
 * have no CNY threshold and are skipped here.
 *
 * large_value: per (account, category, direction, business day in UTC+8),
 * the transfers are summed; a sum >= T (a single transfer or cumulative)
 * gives one report with every transfer of the group. Score 100: it is a
 * mandatory report, not a suspicion grade.
 *
 * structuring: per (account, category, direction), transfers "just under"
 * T, i.e. in [T - T*margin, T), sorted by time; any window of
 * structuring_window_s holding >= count_min of them gives an alert with
 * those transfers (windows do not overlap: the scan restarts after an
 * alert). Score = 50 + 10 per transfer beyond count_min + 20 when their
 * sum reaches T (the split evaded a report), capped at 100. */
#include <assert.h>
#include <stdlib.h>

#include "aml/aml_int.h"
#include "sparrow/money.h"

typedef struct entry {
  uint32_t account;
  uint8_t category; /* 0 cash, 1 transfer, 2 individual cross-border */
  uint8_t out;      /* 1: payer side */
  int32_t day;
  uint32_t rank;
} entry;

int64_t sp__aml_threshold(const sp_aml_data *d, const sp_aml_config *cfg,
                          uint32_t tx, uint32_t account, int *category) {
  assert(tx < d->n_tx && account < d->n_accounts);
  if (d->flags[tx] & SP__AML_FOREIGN)
    return 0;
  if (d->type[tx] == SP_AML_CASH) {
    *category = 0;
    return cfg->cash_fen_min;
  }
  int kind = d->account_kind[account] >= 0 ? d->account_kind[account]
                                           : (int)cfg->default_kind;
  if (kind == SP_AML_CORPORATE) {
    *category = 1;
    return cfg->corporate_fen_min;
  }
  if (d->flags[tx] & SP__AML_CROSS) {
    *category = 2;
    return cfg->individual_cross_fen_min;
  }
  *category = 1;
  return cfg->individual_domestic_fen_min;
}

static int cmp_entry(const void *x, const void *y) {
  const entry *p = x, *q = y;
  if (p->account != q->account)
    return p->account < q->account ? -1 : 1;
  if (p->category != q->category)
    return p->category < q->category ? -1 : 1;
  if (p->out != q->out)
    return p->out < q->out ? -1 : 1;
  if (p->day != q->day)
    return p->day < q->day ? -1 : 1;
  return p->rank < q->rank ? -1 : (p->rank > q->rank);
}

/* Collects the sides of every transfer; near != 0 keeps only amounts just
 * under their threshold. *out is allocated; the caller frees it. */
static int collect(const sp_aml_data *d, const sp_aml_config *cfg, int near,
                   entry **out, size_t *n_out) {
  entry *e = malloc(((size_t)d->n_tx * 2 + 1) * sizeof *e);
  if (e == NULL)
    return SP_ENOMEM;
  size_t n = 0;
  for (uint32_t r = 0; r < d->n_tx; r++) {
    uint32_t tx = d->r_tx[r];
    uint32_t side[2] = {d->r_to[r], d->r_from[r]};
    for (int o = 0; o < 2; o++) {
      int cat = 0;
      if (side[o] == SP_AML_NONE)
        continue;
      int64_t t = sp__aml_threshold(d, cfg, tx, side[o], &cat);
      if (t <= 0)
        continue;
      int64_t low =
          t - (int64_t)sp_div_round((sp_i128)t * cfg->structuring_margin_rate,
                                    SP_RATE_ONE, SP_ROUND_HALF_UP);
      if (near && (d->r_amount[r] >= t || d->r_amount[r] < low))
        continue;
      e[n++] = (entry){side[o], (uint8_t)cat, (uint8_t)o,
                       near ? 0 : sp_time_date(d->r_time[r]), r};
    }
  }
  qsort(e, n, sizeof *e, cmp_entry);
  *out = e;
  *n_out = n;
  return SP_OK;
}

static int same_group(const entry *a, const entry *b, int by_day) {
  return a->account == b->account && a->category == b->category &&
         a->out == b->out && (!by_day || a->day == b->day);
}

static int emit(const sp_aml_data *d, sp_aml_alerts *a, int pattern, int score,
                const entry *e, size_t i, size_t j, uint32_t *items) {
  sp__aml_alert al = {0};
  al.pattern = (uint8_t)pattern;
  al.score = (uint8_t)score;
  al.time_first = d->r_time[e[i].rank];
  al.time_last = d->r_time[e[j - 1].rank];
  for (size_t k = i; k < j; k++) {
    items[k - i] = d->r_tx[e[k].rank];
    al.amount_fen += d->r_amount[e[k].rank];
  }
  return sp__aml_alert_add(a, &al, &e[i].account, NULL, 1, items,
                           (uint32_t)(j - i));
}

int sp__aml_large_value(const sp_aml_data *d, const sp_aml_config *cfg,
                        sp_aml_alerts *a) {
  entry *e = NULL;
  size_t n = 0;
  int rc = collect(d, cfg, 0, &e, &n);
  uint32_t *items = rc == SP_OK ? malloc((n + 1) * sizeof *items) : NULL;
  if (rc == SP_OK && items == NULL)
    rc = SP_ENOMEM;
  for (size_t i = 0, j; rc == SP_OK && i < n; i = j) {
    int64_t sum = 0;
    for (j = i; j < n && same_group(&e[i], &e[j], 1); j++)
      sum += d->r_amount[e[j].rank];
    int cat = 0;
    int64_t t =
        sp__aml_threshold(d, cfg, d->r_tx[e[i].rank], e[i].account, &cat);
    if (sum >= t)
      rc = emit(d, a, SP_AML_LARGE_VALUE, 100, e, i, j, items);
  }
  free(items);
  free(e);
  return rc;
}

int sp__aml_structuring(const sp_aml_data *d, const sp_aml_config *cfg,
                        sp_aml_alerts *a) {
  entry *e;
  size_t n;
  int rc = collect(d, cfg, 1, &e, &n);
  if (rc != SP_OK)
    return rc;
  uint32_t *items = malloc((n + 1) * sizeof *items);
  if (items == NULL)
    rc = SP_ENOMEM;
  size_t min = (size_t)cfg->structuring_count_min;
  for (size_t i = 0; rc == SP_OK && i < n;) {
    size_t j = i;
    int64_t sum = 0;
    while (j < n && same_group(&e[i], &e[j], 0) &&
           d->r_time[e[j].rank] - d->r_time[e[i].rank] <=
               cfg->structuring_window_s)
      sum += d->r_amount[e[j++].rank];
    if (j - i < min || min == 0) {
      i++;
      continue;
    }
    int cat = 0;
    int64_t t =
        sp__aml_threshold(d, cfg, d->r_tx[e[i].rank], e[i].account, &cat);
    int score = 50 + 10 * (int)(j - i - min) + (sum >= t ? 20 : 0);
    rc = emit(d, a, SP_AML_STRUCTURING, score > 100 ? 100 : score, e, i, j,
              items);
    i = j;
  }
  free(items);
  free(e);
  return rc;
}
