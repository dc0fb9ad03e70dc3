/* Synthetic micro and small enterprises: a seeded, deterministic portfolio
 * for demonstrations and tests, with the decision assets that go with it.
 *
 * Each firm is a pure function of (seed, set, index): its own xoshiro256**
 * generator is seeded from splitmix64 over the three, so any firm can be
 * made alone and the same seed always gives the same bytes. A firm has
 *   - an identity: id, a plausible Chinese name (UTF-8), kind (enterprise
 *     or sole_proprietor), an 18-character unified social credit code with
 *     valid check characters (GB 32100-2015, and GB 11714-1997 for the
 *     organisation code inside it), legal representative, phone, address,
 *     industry and a real 6-digit administrative division code (region);
 *   - multi-source features shaped by its industry and size: sales from
 *     invoices and tax returns, tax credit grade, months in business,
 *     social insurance headcount, electricity trend, e-commerce returns,
 *     customs activity, court enforcements, bureau overdue months, green
 *     rating and government guarantee share;
 *   - protected fields (legal representative's gender and age band, and the
 *     region) that are drawn in ways that correlate with legitimate
 *     features (older representatives run older firms) but never enter the
 *     risk: sp_synth_pd reads only legitimate features and the firm's own
 *     unobserved noise;
 *   - for the history set, an outcome: bad = 1 with probability
 *     sp_synth_pd(firm), for a portfolio bad rate of about 5-10%.
 * Money is int64 fen; ratios are integers in thousandths (milli) or
 * ten-thousandths (basis points) so the files are exact.
 *
 * Writers put CSV rows and the JSON assets (feature schema, policy rules,
 * decision flow; see sparrow/schema.h, sparrow/rules.h, sparrow/decide.h)
 * on a caller's FILE. Nothing here allocates. */
#ifndef SPARROW_SYNTH_H
#define SPARROW_SYNTH_H

#include <stdint.h>
#include <stdio.h>

#include "sparrow/error.h"

#define SP_SYNTH_FIRMS_MAX 1000000L /* firms in one set */

typedef enum sp_synth_industry {
  SP_SYNTH_MANUFACTURING = 0,
  SP_SYNTH_WHOLESALE_RETAIL,
  SP_SYNTH_CATERING,
  SP_SYNTH_AGRICULTURE,
  SP_SYNTH_TECHNOLOGY,
  SP_SYNTH_CROSS_BORDER_ECOMMERCE,
  SP_SYNTH_INDUSTRIES
} sp_synth_industry;

typedef enum sp_synth_set {
  SP_SYNTH_HISTORY = 0, /* past loans, with an outcome */
  SP_SYNTH_APPLICANTS   /* new applications, no outcome */
} sp_synth_set;

/* A value that a source did not report (e-commerce returns of a factory
 * without a shop, electricity of a firm whose meter is the landlord's). */
#define SP_SYNTH_MISSING (-1)

typedef struct sp_synth_firm {
  /* Identity. */
  char id[16]; /* "H000001" (history), "A000001" (applicants) */
  char name[128];
  int sole_proprietor; /* 0: enterprise */
  char credit_code[19];
  char legal_rep[32];
  char phone[12];
  char address[192];
  char region[7];
  sp_synth_industry industry;
  /* Features. */
  int64_t monthly_sales_fen;     /* verified average of the last 12 months */
  int64_t invoice_sales_12m_fen; /* VAT invoices issued */
  int64_t tax_sales_12m_fen;     /* sales declared to the tax bureau */
  char tax_credit_grade;         /* 'A' 'B' 'M' 'C' 'D' */
  int months_in_business;
  int social_insurance_headcount;
  int electricity_trend_milli;  /* kWh last 6 months / prior 6, or MISSING */
  int ecommerce_return_rate_bp; /* returns / orders, or MISSING */
  int customs_months_active;    /* of the last 24 */
  int court_enforcements_24m;
  int bureau_overdue_24m; /* months with an overdue payment, of 24 */
  char green_rating;      /* 'A' 'B' 'C', or 'N' (not rated) */
  int guarantee_pct;      /* share of the exposure guaranteed, 0..100 */
  /* Protected. */
  char legal_rep_gender;  /* 'F' or 'M' */
  int legal_rep_age_band; /* index into sp_synth_age_band_name */
  /* Outcome. */
  double risk_noise; /* unobserved part of the risk (log-odds) */
  int bad;           /* history: 0 or 1; applicants: 0 */
} sp_synth_firm;

/* Makes firm `index` (0-based, < SP_SYNTH_FIRMS_MAX) of a set. */
void sp_synth_firm_make(uint64_t seed, sp_synth_set set, long index,
                        sp_synth_firm *out);

/* The probability of default that the outcome was drawn with. Reads only
 * legitimate features and risk_noise, never the protected fields. */
double sp_synth_pd(const sp_synth_firm *firm);

const char *sp_synth_industry_name(sp_synth_industry industry);
const char *sp_synth_age_band_name(int band); /* "18-29" ... "60+" */
#define SP_SYNTH_AGE_BANDS 5

/* ---- Check characters ---- */

/* GB 32100-2015: the 18th character of a unified social credit code from
 * its first 17 (digits and the capitals of 0123456789ABCDEFGHJKLMNPQRTUWXY;
 * weights 3^i mod 31, check = (31 - sum mod 31) mod 31). 0 when a
 * character is outside that alphabet. */
char sp_synth_credit_code_check(const char *code17);
/* 1 when code is 18 characters with a correct check character. */
int sp_synth_credit_code_valid(const char *code);
/* GB 11714-1997: the 9th character of an organisation code from its first
 * 8 (digits 0-9, letters A-Z as 10-35; weights 3 7 9 10 5 8 4 2; check =
 * 11 - sum mod 11, 10 as 'X', 11 as '0'). 0 on a bad character. */
char sp_synth_org_code_check(const char *body8);

/* ---- Writers ---- */

/* Feature CSV: id, the features in schema order, then bad when with_bad.
 * Money as yuan with two decimals, a missing value as an empty field.
 * SP_EIO on a write error. */
int sp_synth_write_features_header(FILE *f, int with_bad, sp_error *err);
int sp_synth_write_features_row(FILE *f, const sp_synth_firm *firm,
                                int with_bad, sp_error *err);
/* Identity CSV: id, name, kind, credit_code, legal_rep, phone, address,
 * industry, region (the fields of sparrow/svc.h's sp_borrower). */
int sp_synth_write_borrowers_header(FILE *f, sp_error *err);
int sp_synth_write_borrowers_row(FILE *f, const sp_synth_firm *firm,
                                 sp_error *err);

/* The decision assets, as JSON text (static, NUL-terminated): the feature
 * schema of the features CSV (protected fields marked), the policy rules,
 * and a decision flow reading "schema.json", "rules.json" and
 * "card.json" beside it. */
const char *sp_synth_schema_json(void);
const char *sp_synth_rules_json(void);
const char *sp_synth_flow_json(void);

#endif
