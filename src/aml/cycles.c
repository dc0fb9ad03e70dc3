/* Cycle detection: money returning to its origin in k time-ordered hops.
 *
 * A cycle is a simple path of transfers e1 .. ek (k in hops_min..hops_max)
 * with e1 leaving account s and ek arriving back at s, every account other
 * than s visited once, where each hop comes after the previous one in
 * (time, input order) rank, all within cycle_window_s of e1, each amount
 * >= cycle_fen_min and within cycle_tolerance of the previous hop's amount.
 *
 * Search: for every start edge (in rank order) a depth-first search with
 * an explicit stack (no recursion) over the CSR out-lists; each list is in
 * rank order, so the first candidate is found by binary search (first rank
 * above the previous hop) and the scan stops at the first transfer past
 * the window. Ranks strictly increase along a path, so e1 is the earliest
 * edge and each edge sequence is found exactly once. Work per start edge
 * is bounded by cycle_work_max candidate edges; starts that hit the bound
 * are counted in sp_aml_alerts_truncated.
 *
 * Different edge sequences over the same accounts in the same cyclic order
 * are one alert: the account sequence is rotated to start at its smallest
 * account index and its 64-bit FNV-1a hash is kept in a set; the first
 * (earliest) sequence found is reported. Score = 100 - 50 * (time from
 * first to last hop) / window: 100 when the money is back at once, 50 at
 * the edge of the window. */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "aml/aml_int.h"
#include "sparrow/money.h"

typedef struct search {
  const sp_aml_data *d;
  const sp_aml_config *cfg;
  sp_aml_alerts *a;
  uint64_t *seen; /* hash set of canonical cycles, 0 = empty */
  size_t seen_cap, seen_n;
  uint32_t node[SP_AML_HOPS_MAX + 1];
  uint32_t rank[SP_AML_HOPS_MAX];
  uint32_t pos[SP_AML_HOPS_MAX + 1], end[SP_AML_HOPS_MAX + 1];
} search;

/* First index in list[lo, hi) holding a rank above r. */
static uint32_t first_after(const uint32_t *list, uint32_t lo, uint32_t hi,
                            uint32_t r) {
  while (lo < hi) {
    uint32_t mid = lo + (hi - lo) / 2;
    if (list[mid] <= r)
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo;
}

static uint64_t canonical_hash(const uint32_t *node, int len) {
  int m = 0;
  for (int i = 1; i < len; i++)
    if (node[i] < node[m])
      m = i;
  uint64_t h = 14695981039346656037ull ^ (uint64_t)len;
  for (int i = 0; i < len; i++) {
    uint32_t v = node[(m + i) % len];
    for (int b = 0; b < 4; b++)
      h = (h ^ ((v >> (8 * b)) & 0xffu)) * 1099511628211ull;
  }
  return h ? h : 1;
}

/* Inserts h; returns 1 if new, 0 if present, negative on no memory. */
static int seen_insert(search *s, uint64_t h) {
  if ((s->seen_n + 1) * 2 > s->seen_cap) {
    size_t cap = s->seen_cap ? s->seen_cap * 2 : 4096;
    uint64_t *t = calloc(cap, sizeof *t);
    if (t == NULL)
      return SP_ENOMEM;
    for (size_t i = 0; i < s->seen_cap; i++) {
      if (s->seen[i] == 0)
        continue;
      size_t k = s->seen[i] & (cap - 1);
      while (t[k] != 0)
        k = (k + 1) & (cap - 1);
      t[k] = s->seen[i];
    }
    free(s->seen);
    s->seen = t;
    s->seen_cap = cap;
  }
  size_t k = h & (s->seen_cap - 1);
  for (; s->seen[k] != 0; k = (k + 1) & (s->seen_cap - 1))
    if (s->seen[k] == h)
      return 0;
  s->seen[k] = h;
  s->seen_n++;
  return 1;
}

static int report(search *s, int len) {
  int fresh = seen_insert(s, canonical_hash(s->node, len));
  if (fresh <= 0)
    return fresh;
  const sp_aml_data *d = s->d;
  uint32_t items[SP_AML_HOPS_MAX];
  for (int i = 0; i < len; i++)
    items[i] = d->r_tx[s->rank[i]];
  sp__aml_alert al = {0};
  al.pattern = SP_AML_CYCLE;
  al.time_first = d->r_time[s->rank[0]];
  al.time_last = d->r_time[s->rank[len - 1]];
  al.amount_fen = d->r_amount[s->rank[0]];
  int64_t w = s->cfg->cycle_window_s;
  int64_t score = w > 0 ? 100 - 50 * (al.time_last - al.time_first) / w : 100;
  al.score = (uint8_t)(score < 50 ? 50 : score > 100 ? 100 : score);
  return sp__aml_alert_add(s->a, &al, s->node, NULL, (uint32_t)len, items,
                           (uint32_t)len);
}

static int amount_ok(const search *s, int64_t prev, int64_t cur) {
  if (cur < s->cfg->cycle_fen_min)
    return 0;
  sp_i128 diff = cur > prev ? cur - prev : prev - cur;
  return diff * SP_RATE_ONE <= (sp_i128)s->cfg->cycle_tolerance_rate * prev;
}

static void push(search *s, int depth, uint32_t node, uint32_t after) {
  const sp_aml_data *d = s->d;
  s->node[depth] = node;
  s->end[depth] = d->out_start[node + 1];
  s->pos[depth] = first_after(d->out_rank, d->out_start[node],
                              d->out_start[node + 1], after);
}

/* Depth-first search from start edge r0; depth = edges on the path. */
static int from_edge(search *s, uint32_t r0, uint64_t *truncated) {
  const sp_aml_data *d = s->d;
  const sp_aml_config *cfg = s->cfg;
  sp_time limit = d->r_time[r0] + cfg->cycle_window_s;
  int64_t work = 0;
  s->node[0] = d->r_from[r0];
  s->rank[0] = r0;
  push(s, 1, d->r_to[r0], r0);
  int depth = 1;
  while (depth > 0) {
    if (s->pos[depth] >= s->end[depth]) {
      depth--;
      continue;
    }
    uint32_t e = d->out_rank[s->pos[depth]++];
    if (d->r_time[e] > limit) {
      s->pos[depth] = s->end[depth];
      continue;
    }
    if (++work > cfg->cycle_work_max) {
      (*truncated)++;
      return SP_OK;
    }
    if (!amount_ok(s, d->r_amount[s->rank[depth - 1]], d->r_amount[e]))
      continue;
    uint32_t w = d->r_to[e];
    if (w == SP_AML_NONE)
      continue;
    if (w == s->node[0]) {
      s->rank[depth] = e;
      int rc = depth + 1 >= cfg->cycle_hops_min ? report(s, depth + 1) : 0;
      if (rc < 0)
        return rc;
      continue;
    }
    int on_path = 0;
    for (int i = 0; i <= depth; i++)
      on_path |= s->node[i] == w;
    if (on_path || depth + 1 >= cfg->cycle_hops_max)
      continue;
    s->rank[depth] = e;
    push(s, ++depth, w, e);
  }
  return SP_OK;
}

int sp__aml_cycles(const sp_aml_data *d, const sp_aml_config *cfg,
                   sp_aml_alerts *a) {
  assert(d->indexed);
  assert(cfg->cycle_hops_min >= 2 && cfg->cycle_hops_max <= SP_AML_HOPS_MAX);
  search *s = calloc(1, sizeof *s);
  if (s == NULL)
    return SP_ENOMEM;
  s->d = d, s->cfg = cfg, s->a = a;
  int rc = SP_OK;
  for (uint32_t r = 0; r < d->n_tx && rc == SP_OK; r++) {
    if (d->r_from[r] == SP_AML_NONE || d->r_to[r] == SP_AML_NONE ||
        d->r_from[r] == d->r_to[r] || d->r_amount[r] < cfg->cycle_fen_min)
      continue;
    rc = from_edge(s, r, &a->truncated);
  }
  free(s->seen);
  free(s);
  return rc;
}
