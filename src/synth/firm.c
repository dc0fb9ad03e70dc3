/* One synthetic firm from (seed, set, index), and the risk its outcome is
 * drawn from.
 *
 * The firm's generator is seeded from splitmix64 over the seed, the set
 * and the index, so firms are independent of each other and of how many
 * are made. Draw order: industry, kind, the protected fields (gender
 * leaning with industry, age band), identity, features, then the outcome.
 *
 * Risk: log-odds from legitimate features only (industry, kind, age of the
 * business, tax grade, court and bureau records, electricity trend,
 * returns, a gap between invoiced and declared sales, no insured staff,
 * size) plus the firm's unobserved noise. The intercept puts the bad rate
 * of a large portfolio near 7%. */
#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "synth_int.h"

static const char *const industry_names[SP_SYNTH_INDUSTRIES] = {
    "manufacturing", "wholesale-retail", "catering",
    "agriculture",   "technology",       "cross-border-ecommerce"};
static const char *const age_band_names[SP_SYNTH_AGE_BANDS] = {
    "18-29", "30-39", "40-49", "50-59", "60+"};

const char *sp_synth_industry_name(sp_synth_industry industry) {
  assert(industry >= 0 && industry < SP_SYNTH_INDUSTRIES);
  return industry_names[industry];
}

const char *sp_synth_age_band_name(int band) {
  assert(band >= 0 && band < SP_SYNTH_AGE_BANDS);
  return age_band_names[band];
}

static uint64_t firm_seed(uint64_t seed, sp_synth_set set, long index) {
  uint64_t state = seed;
  uint64_t a = sp__synth_splitmix64(&state);
  state = a ^ ((uint64_t)set + 1) * UINT64_C(0xD1B54A32D192ED03);
  uint64_t b = sp__synth_splitmix64(&state);
  state = b ^ (uint64_t)index * UINT64_C(0x8CB92BA72F3D8DD7);
  return sp__synth_splitmix64(&state);
}

void sp_synth_firm_make(uint64_t seed, sp_synth_set set, long index,
                        sp_synth_firm *out) {
  assert(index >= 0 && index < SP_SYNTH_FIRMS_MAX);
  assert(set == SP_SYNTH_HISTORY || set == SP_SYNTH_APPLICANTS);
  static const int industry_weights[SP_SYNTH_INDUSTRIES] = {25, 25, 15,
                                                            12, 11, 12};
  static const int sole_pct[SP_SYNTH_INDUSTRIES] = {12, 40, 55, 40, 15, 20};
  static const int female_pct[SP_SYNTH_INDUSTRIES] = {20, 40, 45, 30, 25, 40};
  static const int age_weights[SP_SYNTH_AGE_BANDS] = {10, 30, 32, 20, 8};
  sp__synth_rng rng;
  sp__synth_rng_seed(&rng, firm_seed(seed, set, index));
  memset(out, 0, sizeof *out);
  snprintf(out->id, sizeof out->id, "%c%06ld",
           set == SP_SYNTH_HISTORY ? 'H' : 'A', index + 1);
  out->industry = (sp_synth_industry)sp__synth_pick(&rng, industry_weights,
                                                    SP_SYNTH_INDUSTRIES);
  out->sole_proprietor =
      (int)sp__synth_below(&rng, 100) < sole_pct[out->industry];
  out->legal_rep_gender =
      (int)sp__synth_below(&rng, 100) < female_pct[out->industry] ? 'F' : 'M';
  out->legal_rep_age_band =
      sp__synth_pick(&rng, age_weights, SP_SYNTH_AGE_BANDS);
  sp__synth_identity(&rng, out);
  sp__synth_features(&rng, out);
  double u = sp__synth_uniform(&rng);
  out->bad = set == SP_SYNTH_HISTORY && u < sp_synth_pd(out);
}

static double grade_logit(char grade) {
  switch (grade) {
  case 'A':
    return -0.9;
  case 'B':
    return 0.0;
  case 'M':
    return 0.3;
  case 'C':
    return 0.9;
  default:
    assert(grade == 'D');
    return 1.6;
  }
}

double sp_synth_pd(const sp_synth_firm *f) {
  static const double industry_logit[SP_SYNTH_INDUSTRIES] = {0.0,  0.1,  0.5,
                                                             0.35, 0.15, 0.3};
  assert(f->months_in_business > 0 && f->monthly_sales_fen > 0);
  double z = -4.5 + industry_logit[f->industry] + 0.2 * f->sole_proprietor;
  z -= 0.45 * log(f->months_in_business / 36.0);
  z += grade_logit(f->tax_credit_grade);
  z += 0.9 * fmin(f->court_enforcements_24m, 3);
  z += 0.3 * fmin(f->bureau_overdue_24m, 8);
  if (f->electricity_trend_milli != SP_SYNTH_MISSING)
    z -= 1.8 * (fmin(f->electricity_trend_milli, 2000) / 1000.0 - 1.0);
  if (f->ecommerce_return_rate_bp != SP_SYNTH_MISSING)
    z += 5.0 * (f->ecommerce_return_rate_bp / 10000.0 - 0.06);
  if (f->tax_sales_12m_fen < f->invoice_sales_12m_fen / 10 * 8)
    z += 0.7;
  if (!f->sole_proprietor && f->social_insurance_headcount == 0)
    z += 0.35;
  z -= 0.1 * log((double)f->monthly_sales_fen / 20000000.0);
  z += f->risk_noise;
  double pd = 1.0 / (1.0 + exp(-z));
  assert(pd > 0.0 && pd < 1.0);
  return pd;
}
