/* The account's own history as the yardstick for fan and rapid in-out.
 *
 * A company that collects from customers every day and pays its suppliers
 * every week looks, transfer by transfer, like a fan-in with pass-through.
 * What sets a laundering burst apart is that it is unusual for the account
 * that shows it. So a candidate alert of an account v over [first, last]
 * is compared with v's activity on the same side (incoming or outgoing)
 * in the baseline around it: [first - B, first) and (last, last + B],
 * B = baseline_window_s, both clipped to the time span of the data (so an
 * account is not judged new just because the data starts or ends near
 * the burst). With `outside` the count (or amount) there and `span` the
 * clipped length, the usual activity in a window of w seconds is
 * outside * w / max(span, w); the burst is unusual when its own count (or
 * amount) is at least baseline_factor times that. An account with no
 * history around the burst is always unusual. B = 0 turns this off.
 *
 * Everything is integer arithmetic over the time-ordered CSR lists of the
 * index; each call reads only the transfers of v inside the baseline. */
#include <assert.h>

#include "aml/aml_int.h"
#include "sparrow/money.h"

/* First position in list[lo, hi) whose time is >= t. */
static uint32_t lower(const sp_aml_data *d, const uint32_t *list, uint32_t lo,
                      uint32_t hi, sp_time t) {
  while (lo < hi) {
    uint32_t mid = lo + (hi - lo) / 2;
    if (d->r_time[list[mid]] < t)
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo;
}

int64_t sp__aml_side_total(const sp_aml_data *d, uint32_t v, int incoming,
                           int by_amount, sp_time t0, sp_time t1) {
  const uint32_t *start = incoming ? d->in_start : d->out_start;
  const uint32_t *list = incoming ? d->in_rank : d->out_rank;
  int64_t total = 0;
  if (t1 < t0)
    return 0;
  for (uint32_t k = lower(d, list, start[v], start[v + 1], t0);
       k < start[v + 1] && d->r_time[list[k]] <= t1; k++)
    total += by_amount ? d->r_amount[list[k]] : 1;
  return total;
}

int sp__aml_unusual(const sp_aml_data *d, const sp_aml_config *cfg, uint32_t v,
                    int incoming, int by_amount, sp_time first, sp_time last,
                    sp_time w, int64_t burst) {
  assert(d->indexed && d->n_tx > 0 && first <= last);
  sp_time b = cfg->baseline_window_s;
  if (b <= 0)
    return 1;
  sp_time t_min = d->r_time[0], t_max = d->r_time[d->n_tx - 1];
  sp_time lo = first - b > t_min ? first - b : t_min;
  sp_time hi = last + b < t_max ? last + b : t_max;
  int64_t outside =
      sp__aml_side_total(d, v, incoming, by_amount, lo, first - 1) +
      sp__aml_side_total(d, v, incoming, by_amount, last + 1, hi);
  if (outside == 0)
    return 1;
  sp_time span = (first > lo ? first - lo : 0) + (hi > last ? hi - last : 0);
  if (w < 1)
    w = 1;
  if (span < w)
    span = w;
  return (sp_i128)burst * span >= (sp_i128)cfg->baseline_factor * outside * w;
}
