/* What the data sources say about a synthetic firm. One hidden quality q
 * (standard normal) moves most sources a little, so that they agree with
 * each other the way real data does, while each keeps noise of its own:
 * sales scale with industry, kind, region size and age; tax grade, social
 * insurance, electricity, returns, court and bureau records lean with q.
 * Sources that would not exist are missing (no e-commerce returns for a
 * factory without a shop). The protected fields are drawn before this (by
 * firm.c) and only reach the features through months in business (older
 * representatives run older firms), as in life. */
#include <assert.h>
#include <math.h>

#include "synth_int.h"

static double clamp(double x, double lo, double hi) {
  return x < lo ? lo : x > hi ? hi : x;
}

/* Median monthly sales in yuan, and sales per insured employee. */
static const double sales_median_yuan[SP_SYNTH_INDUSTRIES] = {
    500000, 300000, 80000, 120000, 250000, 300000};
static const double sales_per_head_yuan[SP_SYNTH_INDUSTRIES] = {
    60000, 100000, 30000, 40000, 50000, 120000};
/* Share of sales that goes through VAT invoices. */
static const double invoice_cover[SP_SYNTH_INDUSTRIES] = {0.95, 0.85, 0.55,
                                                          0.5,  0.95, 0.9};
static const double months_median_by_age[SP_SYNTH_AGE_BANDS] = {18, 40, 70, 100,
                                                                120};

static int count_events(sp__synth_rng *rng, double p, double p_more, int max) {
  int k = 0;
  while (k < max && sp__synth_uniform(rng) < p) {
    k++;
    p = p_more;
  }
  return k;
}

static void sales(sp__synth_rng *rng, sp_synth_firm *f, double q) {
  int i = f->industry;
  double m = log(months_median_by_age[f->legal_rep_age_band]) + 0.15 * q +
             0.8 * sp__synth_normal(rng);
  f->months_in_business = (int)clamp(exp(m), 1, 480);
  double yuan = sales_median_yuan[i] * (f->sole_proprietor ? 0.25 : 1.0) *
                exp(0.7 * sp__synth_normal(rng) + 0.15 * q +
                    0.1 * log(f->months_in_business / 36.0));
  yuan = clamp(yuan, 3000, 30000000);
  f->monthly_sales_fen = (int64_t)llround(yuan) * 100;
  double cover =
      clamp(invoice_cover[i] + 0.08 * sp__synth_normal(rng), 0.2, 1.05);
  f->invoice_sales_12m_fen = (int64_t)llround(yuan * 12 * cover) * 100;
  double declared = 0.97 + 0.05 * sp__synth_uniform(rng);
  double p_gap = 0.03 + (q < -1.0 ? 0.06 : 0.0);
  if (sp__synth_uniform(rng) < p_gap)
    declared = 0.35 + 0.4 * sp__synth_uniform(rng);
  f->tax_sales_12m_fen = (int64_t)llround(yuan * 12 * cover * declared) * 100;
  assert(f->monthly_sales_fen > 0 && f->tax_sales_12m_fen >= 0);
}

static void tax_and_staff(sp__synth_rng *rng, sp_synth_firm *f, double q) {
  double g = q + 0.6 * sp__synth_normal(rng);
  if (f->months_in_business < 12 && sp__synth_uniform(rng) < 0.85)
    f->tax_credit_grade = 'M'; /* newly registered: not yet graded */
  else
    f->tax_credit_grade = g > 0.5 ? 'A' : g > -1.2 ? 'B' : g > -2.2 ? 'C' : 'D';
  if (f->sole_proprietor) {
    static const int weights[4] = {40, 30, 20, 10};
    f->social_insurance_headcount = sp__synth_pick(rng, weights, 4);
    return;
  }
  double heads = (double)f->monthly_sales_fen / 100.0 /
                 sales_per_head_yuan[f->industry] *
                 exp(0.5 * sp__synth_normal(rng));
  int skips = sp__synth_uniform(rng) < clamp(0.12 - 0.05 * q, 0.02, 0.4);
  f->social_insurance_headcount = skips ? 0 : (int)clamp(round(heads), 1, 2000);
}

static void activity(sp__synth_rng *rng, sp_synth_firm *f, double q) {
  int i = f->industry;
  double p_no_meter = i == SP_SYNTH_TECHNOLOGY         ? 0.3
                      : i == SP_SYNTH_WHOLESALE_RETAIL ? 0.15
                                                       : 0.05;
  if (sp__synth_uniform(rng) < p_no_meter) {
    f->electricity_trend_milli = SP_SYNTH_MISSING;
  } else {
    double trend = exp(0.1 * q + 0.15 * sp__synth_normal(rng));
    if (sp__synth_uniform(rng) < 0.04)
      trend *= 0.5; /* a line stopped */
    f->electricity_trend_milli = (int)clamp(round(trend * 1000), 100, 5000);
  }
  double p_shop = i == SP_SYNTH_CROSS_BORDER_ECOMMERCE ? 1.0
                  : i == SP_SYNTH_WHOLESALE_RETAIL     ? 0.5
                  : i == SP_SYNTH_CATERING             ? 0.3
                                                       : 0.0;
  if (sp__synth_uniform(rng) < p_shop) {
    double z = log(0.06 / 0.94) - 0.3 * q + 0.4 * sp__synth_normal(rng);
    f->ecommerce_return_rate_bp = (int)round(10000.0 / (1.0 + exp(-z)));
  } else {
    f->ecommerce_return_rate_bp = SP_SYNTH_MISSING;
  }
  double p_trade = i == SP_SYNTH_CROSS_BORDER_ECOMMERCE ? 0.97
                   : i == SP_SYNTH_MANUFACTURING        ? 0.3
                   : i == SP_SYNTH_WHOLESALE_RETAIL     ? 0.1
                                                        : 0.0;
  f->customs_months_active =
      sp__synth_uniform(rng) < p_trade
          ? (int)clamp(round(16 + 3 * q + 5 * sp__synth_normal(rng)), 1, 24)
          : 0;
}

static void records(sp__synth_rng *rng, sp_synth_firm *f, double q) {
  f->court_enforcements_24m =
      count_events(rng, clamp(0.025 * exp(-0.9 * q), 0, 0.6), 0.4, 10);
  f->bureau_overdue_24m =
      count_events(rng, clamp(0.15 * exp(-1.1 * q), 0, 0.9), 0.6, 24);
  int green_industry = f->industry == SP_SYNTH_MANUFACTURING ||
                       f->industry == SP_SYNTH_AGRICULTURE;
  static const int green_weights[2][4] = {{3, 7, 5, 85}, {8, 12, 10, 70}};
  f->green_rating =
      "ABCN"[sp__synth_pick(rng, green_weights[green_industry], 4)];
  static const int guarantee_weights[4] = {72, 16, 6, 6};
  static const int guarantee_pcts[4] = {0, 40, 50, 80};
  f->guarantee_pct = guarantee_pcts[sp__synth_pick(rng, guarantee_weights, 4)];
}

void sp__synth_features(sp__synth_rng *rng, sp_synth_firm *f) {
  assert(f->industry >= 0 && f->industry < SP_SYNTH_INDUSTRIES);
  assert(f->legal_rep_age_band >= 0 &&
         f->legal_rep_age_band < SP_SYNTH_AGE_BANDS);
  double q = sp__synth_normal(rng);
  sales(rng, f, q);
  tax_and_staff(rng, f, q);
  activity(rng, f, q);
  records(rng, f, q);
  /* Most of q shows in the sources; the rest is risk no source sees. */
  f->risk_noise = -0.5 * q + 1.4 * sp__synth_normal(rng);
}
