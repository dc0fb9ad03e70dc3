/* Fan-in and fan-out: many distinct counterparties in a short window, with
 * the money passed on.
 *
 * Fan-in at hub v: v's incoming transfers (amount >= fan_fen_min) in time
 * order are scanned with a sliding window of fan_window_s, counting
 * distinct payers. When the count reaches fan_count_min, the burst is
 * extended to every incoming transfer within the window of its first one,
 * and it is an alert when the pass-through condition holds: v's outgoing
 * total in [first, last + passthrough_window] is at least
 * fan_passthrough_rate of the collected total (rate 0 disables it). This
 * is what separates a collection account from a business receiving many
 * customer payments and keeping them. Two more conditions judge the burst
 * against the hub's own history in the baseline around it (baseline.c):
 * its number of transfers must be unusual for the hub (a shop with forty
 * customers a day does not alert on forty payers), and at most half of
 * its counterparties may be recurring ones, seen on the same side outside
 * the burst within the baseline (a payroll paid to the same staff every
 * month is not a fan-out). Bursts never overlap: the scan
 * restarts after each one, alert or not. Fan-out is the mirror image:
 * outgoing transfers to distinct payees, funded by v's incoming total in
 * [first - passthrough_window, last] (a payroll paid out of a month of
 * revenue does not qualify; a deposit split at once among many does).
 *
 * Alert: accounts = hub, then the counterparties in order of first
 * appearance; transactions = the burst; amount = the burst total. Score =
 * 50 + 50 * (distinct - count_min) / count_min, capped at 100. */
#include <assert.h>
#include <stdlib.h>

#include "aml/aml_int.h"
#include "sparrow/money.h"

typedef struct fan {
  const sp_aml_data *d;
  const sp_aml_config *cfg;
  sp_aml_alerts *a;
  int fan_in;
  uint32_t *count;    /* per account: times seen in the current window */
  uint32_t *accounts; /* scratch for an alert */
  uint32_t *items;
  uint32_t *list; /* filtered entries of the hub (ranks) */
  uint8_t *mark;  /* per account: 1 in the burst, 2 also seen outside it */
} fan;

/* v's total the other way (out for fan-in) with time in [t0, t1]. */
static int64_t flow(const fan *f, uint32_t hub, sp_time t0, sp_time t1) {
  const sp_aml_data *d = f->d;
  const uint32_t *start = f->fan_in ? d->out_start : d->in_start;
  const uint32_t *list = f->fan_in ? d->out_rank : d->in_rank;
  uint32_t lo = start[hub], hi = start[hub + 1];
  while (lo < hi) {
    uint32_t mid = lo + (hi - lo) / 2;
    if (d->r_time[list[mid]] < t0)
      lo = mid + 1;
    else
      hi = mid;
  }
  int64_t sum = 0;
  for (uint32_t k = lo; k < start[hub + 1] && d->r_time[list[k]] <= t1; k++)
    sum += d->r_amount[list[k]];
  return sum;
}

static uint32_t other(const fan *f, uint32_t r) {
  return f->fan_in ? f->d->r_from[r] : f->d->r_to[r];
}

/* How many of the burst's counterparties accounts[1, n_acc) the hub also
 * dealt with (same side) outside [first, last] within the baseline. */
static uint32_t recurring(fan *f, uint32_t hub, sp_time first, sp_time last,
                          uint32_t n_acc) {
  const sp_aml_data *d = f->d;
  sp_time b = f->cfg->baseline_window_s;
  const uint32_t *start = f->fan_in ? d->in_start : d->out_start;
  const uint32_t *list = f->fan_in ? d->in_rank : d->out_rank;
  for (uint32_t x = 1; x < n_acc; x++)
    f->mark[f->accounts[x]] = 1;
  uint32_t seen = 0;
  for (uint32_t k = start[hub]; k < start[hub + 1]; k++) {
    sp_time t = d->r_time[list[k]];
    uint32_t o = other(f, list[k]);
    if (t < first - b || t > last + b || (t >= first && t <= last) ||
        o == SP_AML_NONE)
      continue;
    if (f->mark[o] == 1) {
      f->mark[o] = 2;
      seen++;
    }
  }
  for (uint32_t x = 1; x < n_acc; x++)
    f->mark[f->accounts[x]] = 0;
  return seen;
}

/* Evaluates the burst list[i, k) at hub; clears its counts. */
static int burst(fan *f, uint32_t hub, uint32_t i, uint32_t k,
                 uint32_t distinct) {
  const sp_aml_data *d = f->d;
  const sp_aml_config *cfg = f->cfg;
  sp__aml_alert al = {0};
  al.pattern = f->fan_in ? SP_AML_FAN_IN : SP_AML_FAN_OUT;
  al.time_first = d->r_time[f->list[i]];
  al.time_last = d->r_time[f->list[k - 1]];
  uint32_t n_acc = 1;
  f->accounts[0] = hub;
  for (uint32_t x = i; x < k; x++) {
    uint32_t r = f->list[x];
    al.amount_fen += d->r_amount[r];
    f->items[x - i] = d->r_tx[r];
    if (f->count[other(f, r)] != 0) {
      f->count[other(f, r)] = 0;
      f->accounts[n_acc++] = other(f, r);
    }
  }
  assert(n_acc == distinct + 1);
  sp_time w = cfg->fan_passthrough_window_s;
  int64_t passed = f->fan_in ? flow(f, hub, al.time_first, al.time_last + w)
                             : flow(f, hub, al.time_first - w, al.time_last);
  if ((sp_i128)passed * SP_RATE_ONE <
      (sp_i128)cfg->fan_passthrough_rate * al.amount_fen)
    return SP_OK;
  if (!sp__aml_unusual(d, cfg, hub, f->fan_in, 0, al.time_first, al.time_last,
                       cfg->fan_window_s, k - i))
    return SP_OK;
  if (cfg->baseline_window_s > 0 &&
      2 * recurring(f, hub, al.time_first, al.time_last, n_acc) > distinct)
    return SP_OK;
  int64_t score =
      50 + 50 * ((int64_t)distinct - cfg->fan_count_min) / cfg->fan_count_min;
  al.score = (uint8_t)(score > 100 ? 100 : score);
  return sp__aml_alert_add(f->a, &al, f->accounts, NULL, n_acc, f->items,
                           k - i);
}

static int hub_scan(fan *f, uint32_t hub) {
  const sp_aml_data *d = f->d;
  const uint32_t *start = f->fan_in ? d->in_start : d->out_start;
  const uint32_t *list = f->fan_in ? d->in_rank : d->out_rank;
  uint32_t n = 0;
  for (uint32_t k = start[hub]; k < start[hub + 1]; k++)
    if (d->r_amount[list[k]] >= f->cfg->fan_fen_min &&
        other(f, list[k]) != SP_AML_NONE && other(f, list[k]) != hub)
      f->list[n++] = list[k];
  uint32_t i = 0, distinct = 0;
  sp_time w = f->cfg->fan_window_s;
  for (uint32_t j = 0; j < n; j++) {
    if (f->count[other(f, f->list[j])]++ == 0)
      distinct++;
    while (d->r_time[f->list[j]] - d->r_time[f->list[i]] > w)
      if (--f->count[other(f, f->list[i++])] == 0)
        distinct--;
    if (distinct < (uint32_t)f->cfg->fan_count_min)
      continue;
    uint32_t k = j + 1;
    for (; k < n && d->r_time[f->list[k]] - d->r_time[f->list[i]] <= w; k++)
      if (f->count[other(f, f->list[k])]++ == 0)
        distinct++;
    int rc = burst(f, hub, i, k, distinct);
    if (rc != SP_OK)
      return rc;
    i = k, j = k - 1, distinct = 0;
  }
  for (; i < n; i++) /* leave the counts zero for the next hub */
    f->count[other(f, f->list[i])] = 0;
  return SP_OK;
}

int sp__aml_fan(const sp_aml_data *d, const sp_aml_config *cfg,
                sp_aml_alerts *a, int fan_in) {
  assert(d->indexed && cfg->fan_count_min >= 2);
  fan f = {d, cfg, a, fan_in, NULL, NULL, NULL, NULL, NULL};
  size_t n = (size_t)d->n_tx + 1;
  f.count = calloc((size_t)d->n_accounts + 1, sizeof *f.count);
  f.accounts = malloc(((size_t)d->n_accounts + 1) * sizeof *f.accounts);
  f.items = malloc(n * sizeof *f.items);
  f.list = malloc(n * sizeof *f.list);
  f.mark = calloc((size_t)d->n_accounts + 1, 1);
  int rc =
      f.count && f.accounts && f.items && f.list && f.mark ? SP_OK : SP_ENOMEM;
  for (uint32_t hub = 0; rc == SP_OK && hub < d->n_accounts; hub++)
    rc = hub_scan(&f, hub);
  free(f.count), free(f.accounts), free(f.items), free(f.list), free(f.mark);
  return rc;
}
