/* Rapid in-and-out: funds leaving an account within hours of arriving.
 *
 * For every incoming transfer e into account v with amount A >=
 * rapid_fen_min, v's later outgoing transfers (rank after e, time within
 * rapid_window_s of e, to any account other than e's payer, not already
 * used by an earlier alert) are added in time order until they reach
 * rapid_ratio_rate * A. If they do, that is an alert: accounts = v, the
 * payer, then the payees; transactions = e then the outgoing transfers;
 * amount = A. Score = 50 + 50 * (1 - delay / window), where delay is the
 * time from e to the outgoing transfer that completed the ratio: 100 when
 * the money leaves at once, 50 at the end of the window.
 *
 * The inflow must also be unusual for v (baseline.c): A at least
 * baseline_factor times v's usual incoming amount per rapid window in the
 * baseline around it. A company that turns a large customer payment into
 * supplier payments the same day is doing what it always does; an account
 * that is quiet and then passes 150,000 through in an afternoon is not. */
#include <assert.h>
#include <stdlib.h>

#include "aml/aml_int.h"
#include "sparrow/money.h"

typedef struct rapid {
  const sp_aml_data *d;
  const sp_aml_config *cfg;
  uint8_t *used; /* per rank: already in an alert as an outflow */
  uint32_t *accounts, *items, *ranks;
} rapid;

static int add_account(uint32_t *acc, uint32_t n, uint32_t a) {
  for (uint32_t i = 0; i < n; i++)
    if (acc[i] == a)
      return 0;
  acc[n] = a;
  return 1;
}

static int one_inflow(rapid *p, sp_aml_alerts *a, uint32_t v, uint32_t e) {
  const sp_aml_data *d = p->d;
  const sp_aml_config *cfg = p->cfg;
  sp_time limit = d->r_time[e] + cfg->rapid_window_s;
  sp_i128 goal = (sp_i128)cfg->rapid_ratio_rate * d->r_amount[e];
  uint32_t lo = d->out_start[v], hi = d->out_start[v + 1];
  while (lo < hi) { /* first outflow ranked after e */
    uint32_t mid = lo + (hi - lo) / 2;
    if (d->out_rank[mid] <= e)
      lo = mid + 1;
    else
      hi = mid;
  }
  int64_t sum = 0;
  uint32_t n = 0;
  for (uint32_t k = lo; k < d->out_start[v + 1]; k++) {
    uint32_t r = d->out_rank[k];
    if (d->r_time[r] > limit)
      break;
    if (p->used[r] || d->r_to[r] == d->r_from[e] || d->r_to[r] == SP_AML_NONE)
      continue;
    p->ranks[n++] = r;
    sum += d->r_amount[r];
    if ((sp_i128)sum * SP_RATE_ONE < goal)
      continue;
    if (!sp__aml_unusual(d, cfg, v, 1, 1, d->r_time[e], d->r_time[e],
                         cfg->rapid_window_s, d->r_amount[e]))
      return SP_OK;
    sp__aml_alert al = {0};
    al.pattern = SP_AML_RAPID_IN_OUT;
    al.time_first = d->r_time[e];
    al.time_last = d->r_time[r];
    al.amount_fen = d->r_amount[e];
    int64_t w = cfg->rapid_window_s;
    al.score =
        (uint8_t)(w > 0 ? 100 - 50 * (al.time_last - al.time_first) / w : 100);
    uint32_t n_acc = 1;
    p->accounts[0] = v;
    n_acc += add_account(p->accounts, n_acc, d->r_from[e]);
    p->items[0] = d->r_tx[e];
    for (uint32_t x = 0; x < n; x++) {
      p->used[p->ranks[x]] = 1;
      p->items[x + 1] = d->r_tx[p->ranks[x]];
      n_acc += add_account(p->accounts, n_acc, d->r_to[p->ranks[x]]);
    }
    return sp__aml_alert_add(a, &al, p->accounts, NULL, n_acc, p->items, n + 1);
  }
  return SP_OK;
}

int sp__aml_rapid(const sp_aml_data *d, const sp_aml_config *cfg,
                  sp_aml_alerts *a) {
  assert(d->indexed);
  rapid p = {d, cfg, NULL, NULL, NULL, NULL};
  size_t n = (size_t)d->n_tx + 2;
  p.used = calloc(n, 1);
  p.accounts = malloc(n * sizeof *p.accounts);
  p.items = malloc(n * sizeof *p.items);
  p.ranks = malloc(n * sizeof *p.ranks);
  int rc = p.used && p.accounts && p.items && p.ranks ? SP_OK : SP_ENOMEM;
  for (uint32_t v = 0; rc == SP_OK && v < d->n_accounts; v++)
    for (uint32_t k = d->in_start[v]; rc == SP_OK && k < d->in_start[v + 1];
         k++) {
      uint32_t e = d->in_rank[k];
      if (d->r_amount[e] >= cfg->rapid_fen_min && d->r_from[e] != SP_AML_NONE &&
          d->r_from[e] != v)
        rc = one_inflow(&p, a, v, e);
    }
  free(p.used), free(p.accounts), free(p.items), free(p.ranks);
  return rc;
}
