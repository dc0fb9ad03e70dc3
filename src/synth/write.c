/* CSV rows of synthetic firms: features (with the outcome for the history
 * set) and identities. Money is written as yuan with two decimals from
 * fen, ratios from their integer thousandths or ten-thousandths, so every
 * byte follows from the integers and no floating point is printed. */
#include <assert.h>
#include <inttypes.h>
#include <string.h>

#include "sparrow/money.h"
#include "synth_int.h"

static const char features_header[] =
    "id,industry,monthly_sales,invoice_sales_12m,tax_sales_12m,"
    "tax_credit_grade,months_in_business,social_insurance_headcount,"
    "electricity_kwh_trend,ecommerce_return_rate,customs_months_active,"
    "court_enforcements_24m,bureau_overdue_24m,green_rating,guarantee_pct,"
    "legal_rep_gender,legal_rep_age_band,region";

static int io_result(FILE *f, sp_error *err) {
  if (ferror(f))
    return sp_error_set(err, SP_EIO, "output", "write failed");
  return SP_OK;
}

int sp_synth_write_features_header(FILE *f, int with_bad, sp_error *err) {
  fprintf(f, "%s%s\n", features_header, with_bad ? ",bad" : "");
  return io_result(f, err);
}

static void money(FILE *f, int64_t fen) {
  char buf[32];
  int n = sp_money_format(fen, buf, sizeof buf);
  assert(n > 0);
  fputs(buf, f);
  fputc(',', f);
}

/* A fraction of `one` (1000 or 10000) as a decimal, or empty if missing. */
static void fraction(FILE *f, int value, int one, int digits) {
  if (value != SP_SYNTH_MISSING) {
    assert(value >= 0);
    fprintf(f, "%d.%0*d", value / one, digits, value % one);
  }
  fputc(',', f);
}

int sp_synth_write_features_row(FILE *f, const sp_synth_firm *x, int with_bad,
                                sp_error *err) {
  fprintf(f, "%s,%s,", x->id, sp_synth_industry_name(x->industry));
  money(f, x->monthly_sales_fen);
  money(f, x->invoice_sales_12m_fen);
  money(f, x->tax_sales_12m_fen);
  fprintf(f, "%c,%d,%d,", x->tax_credit_grade, x->months_in_business,
          x->social_insurance_headcount);
  fraction(f, x->electricity_trend_milli, 1000, 3);
  fraction(f, x->ecommerce_return_rate_bp, 10000, 4);
  fprintf(f, "%d,%d,%d,%c,%d,%c,%s,%s", x->customs_months_active,
          x->court_enforcements_24m, x->bureau_overdue_24m, x->green_rating,
          x->guarantee_pct, x->legal_rep_gender,
          sp_synth_age_band_name(x->legal_rep_age_band), x->region);
  if (with_bad)
    fprintf(f, ",%d", x->bad);
  fputc('\n', f);
  return io_result(f, err);
}

/* One CSV field, quoted when it holds a comma, a quote or a line break. */
static void field(FILE *f, const char *s, int last) {
  if (strpbrk(s, ",\"\r\n") == NULL) {
    fputs(s, f);
  } else {
    fputc('"', f);
    for (; *s; s++) {
      if (*s == '"')
        fputc('"', f);
      fputc(*s, f);
    }
    fputc('"', f);
  }
  fputc(last ? '\n' : ',', f);
}

int sp_synth_write_borrowers_header(FILE *f, sp_error *err) {
  fputs("id,name,kind,credit_code,legal_rep,phone,address,industry,region\n",
        f);
  return io_result(f, err);
}

int sp_synth_write_borrowers_row(FILE *f, const sp_synth_firm *x,
                                 sp_error *err) {
  field(f, x->id, 0);
  field(f, x->name, 0);
  field(f, x->sole_proprietor ? "sole_proprietor" : "enterprise", 0);
  field(f, x->credit_code, 0);
  field(f, x->legal_rep, 0);
  field(f, x->phone, 0);
  field(f, x->address, 0);
  field(f, sp_synth_industry_name(x->industry), 0);
  field(f, x->region, 1);
  return io_result(f, err);
}
