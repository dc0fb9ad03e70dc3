/* Weight of evidence, information value, and the merging of adjacent bins.
 *
 * WOE of a group with g goods and b bads out of G goods and B bads is
 * ln(((g + a G/N) / G) / ((b + a B/N) / B)), a = CARD_WOE_ALPHA: half an
 * observation spread at the overall bad rate, so that an empty group has
 * WOE 0 instead of an infinity. Its IV is the difference of the same
 * smoothed shares times the WOE; a characteristic's IV is the sum.
 *
 * Merging always joins the adjacent pair whose union loses the least IV,
 * which keeps the steps that separate goods from bads best. A monotone
 * constraint is met first (only violating pairs are candidates; merging a
 * pair puts its WOE between its neighbours', so the loop ends), then the
 * count limit and the smallest-bin limit. */
#include <assert.h>
#include <math.h>

#include "score/card_int.h"

double sp__card_woe(double g, double b, double goods, double bads) {
  assert(goods > 0 && bads > 0 && g >= 0 && b >= 0);
  double n = goods + bads, a = CARD_WOE_ALPHA;
  return log(((g + a * goods / n) / goods) / ((b + a * bads / n) / bads));
}

static double group_iv(double g, double b, double goods, double bads) {
  double n = goods + bads, a = CARD_WOE_ALPHA;
  double share_good = (g + a * goods / n) / goods;
  double share_bad = (b + a * bads / n) / bads;
  return (share_good - share_bad) * log(share_good / share_bad);
}

void sp__card_woe_fill(card_char *c, double goods, double bads) {
  assert(c->n_bins >= 1 && c->n_bins <= SP_CARD_BINS_MAX);
  c->iv = 0;
  for (int i = 0; i < c->n_bins; i++) {
    card_bin *bin = &c->bins[i];
    bin->woe = sp__card_woe((double)bin->goods, (double)bin->bads, goods, bads);
    c->iv += group_iv((double)bin->goods, (double)bin->bads, goods, bads);
  }
}

static double merge_loss(const double *g, const double *b, int i, double G,
                         double B) {
  return group_iv(g[i], b[i], G, B) + group_iv(g[i + 1], b[i + 1], G, B) -
         group_iv(g[i] + g[i + 1], b[i] + b[i + 1], G, B);
}

static int merge_at(double *low, double *g, double *b, int n, int i) {
  assert(i >= 0 && i + 1 < n);
  g[i] += g[i + 1];
  b[i] += b[i + 1];
  for (int j = i + 1; j + 1 < n; j++) {
    low[j] = low[j + 1];
    g[j] = g[j + 1];
    b[j] = b[j + 1];
  }
  return n - 1;
}

/* The violating pair (WOE against the monotone direction) that loses the
 * least IV, or -1 when the groups are ordered. */
static int worst_violation(const double *g, const double *b, int n,
                           int monotone, double G, double B) {
  int best = -1;
  double best_loss = INFINITY;
  for (int i = 0; i + 1 < n; i++) {
    double step =
        sp__card_woe(g[i + 1], b[i + 1], G, B) - sp__card_woe(g[i], b[i], G, B);
    double loss = merge_loss(g, b, i, G, B);
    if (monotone * step < 0 && loss < best_loss) {
      best = i;
      best_loss = loss;
    }
  }
  return best;
}

/* The pair to merge for the size limits, or -1 when they hold. */
static int size_merge(const double *g, const double *b, int n, int max_groups,
                      double min_count, double G, double B) {
  if (n <= 1)
    return -1;
  int best = -1;
  double best_loss = INFINITY;
  if (n > max_groups) {
    for (int i = 0; i + 1 < n; i++)
      if (merge_loss(g, b, i, G, B) < best_loss) {
        best = i;
        best_loss = merge_loss(g, b, i, G, B);
      }
    return best;
  }
  int small = 0;
  for (int i = 1; i < n; i++)
    if (g[i] + b[i] < g[small] + b[small])
      small = i;
  if (g[small] + b[small] >= min_count)
    return -1;
  if (small == 0)
    return 0;
  if (small == n - 1)
    return n - 2;
  return merge_loss(g, b, small - 1, G, B) <= merge_loss(g, b, small, G, B)
             ? small - 1
             : small;
}

int sp__card_merge(double *low, double *goods, double *bads, int n,
                   int monotone, int max_groups, double min_count, double G,
                   double B) {
  assert(n >= 1 && max_groups >= 1);
  int guard = n;
  while (monotone != 0 && guard-- > 0) {
    int i = worst_violation(goods, bads, n, monotone, G, B);
    if (i < 0)
      break;
    n = merge_at(low, goods, bads, n, i);
  }
  guard = n;
  while (guard-- > 0) {
    int i = size_merge(goods, bads, n, max_groups, min_count, G, B);
    if (i < 0)
      break;
    n = merge_at(low, goods, bads, n, i);
  }
  return n;
}
