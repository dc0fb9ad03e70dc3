/* Annualized rates of a loan's cash flows: the IRR method required by PBoC
 * Announcement [2021] No. 3 (periodic and dated flows), and the US
 * Regulation Z Appendix J actuarial APR.
 *
 * Amounts are integer fen; results are rates in units of 1e-10 (see
 * money.h), rounded half up. Signs of dated flows: a NEGATIVE amount is
 * money advanced to the borrower, a POSITIVE amount is money repaid by the
 * borrower. Every advance must be dated no later than the first repayment
 * (a conventional loan), which makes the rate unique. Annualized rates
 * above SP_RATE_MAX (100,000%) are reported as SP_ERANGE. */
#ifndef SPARROW_APR_H
#define SPARROW_APR_H

#include <stddef.h>
#include <stdint.h>

#include "sparrow/date.h"
#include "sparrow/error.h"

#define SP_APR_FLOWS_MAX 10000 /* cash flows per computation */

/* Annualized rate by the IRR method (PBoC Announcement [2021] No. 3):
 * received_fen is what the borrower actually received at time 0;
 * payments_fen[k] is paid at the end of period k+1 (equal periods). Finds
 * the periodic rate i with received = Σ payment_k / (1+i)^(k+1) and returns
 * i × periods_per_year in rate units (1e-10), rounded half up.
 * Payments that add up to exactly received_fen give 0; less than that is
 * SP_EINVAL ("payments_fen": no rate >= 0). periods_per_year is 1..366. */
int sp_apr_periodic(int64_t received_fen, const int64_t *payments_fen, size_t n,
                    int periods_per_year, int64_t *out_rate, sp_error *err);

/* One dated cash flow: negative = advanced to the borrower, positive =
 * repaid. */
typedef struct sp_cash_flow {
  sp_date date;
  int64_t amount_fen;
} sp_cash_flow;

/* IRR of dated flows with a daily period: finds the daily rate d with
 * Σ amount_k / (1+d)^(days_k) = 0, days_k counted (actual days) from the
 * earliest flow's date. Returns the nominal annualized rate d × 365 in
 * *out_nominal_rate and, when out_effective_rate is not NULL, the effective
 * annual rate (1+d)^365 − 1 (SP_ERANGE, field "effective_rate", when it
 * does not fit). Flows need not be sorted. Needs at least one advance and
 * one repayment; repayments that add up to exactly the advances give 0. */
int sp_apr_dated(const sp_cash_flow *flows, size_t n, int64_t *out_nominal_rate,
                 int64_t *out_effective_rate, sp_error *err);

/* Unit periods of Appendix J, and the repayment frequencies of periodic
 * loans. Names: "daily", "weekly", "biweekly", "semimonthly", "monthly",
 * "quarterly", "yearly". */
typedef enum sp_unit_period {
  SP_UNIT_DAY = 0,
  SP_UNIT_WEEK,
  SP_UNIT_BIWEEK,
  SP_UNIT_SEMIMONTH,
  SP_UNIT_MONTH,
  SP_UNIT_QUARTER,
  SP_UNIT_YEAR
} sp_unit_period;

int sp_unit_period_parse(const char *text, const char *field,
                         sp_unit_period *out, sp_error *err);
const char *sp_unit_period_name(sp_unit_period u);
/* 365, 52, 26, 24, 12, 4, 1. */
int sp_unit_period_per_year(sp_unit_period u);

/* One flow of the Appendix J general equation, placed t whole unit periods
 * plus a fraction f = f_num / f_den (0 <= f <= 2, f_den > 0) after the
 * beginning of the term; same signs as sp_cash_flow. */
typedef struct sp_regz_flow {
  int64_t amount_fen;
  int32_t t;
  int32_t f_num, f_den;
} sp_regz_flow;

/* Appendix J actuarial APR: finds the unit-period rate i with
 * Σ amount_k / ((1 + f_k·i)(1+i)^t_k) = 0 and returns APR = w·i, where
 * w = w_num / w_den unit periods per year (12/1 for months; 365/255 for a
 * 255-day unit period). */
int sp_apr_regz(const sp_regz_flow *flows, size_t n, int64_t w_num,
                int64_t w_den, int64_t *out_rate, sp_error *err);

/* Appendix J (b)(5) time between the beginning of the term and a later
 * date: whole unit periods t counted back from the later date (calendar
 * months for month-based units, clamped to month ends), and the remaining
 * days from the beginning of the term as a fraction f = days / f_den with
 * f_den = 30 (month), 15 (semimonth), 90 (quarter), 365 (year), 7, 14 or 1
 * (days). A semimonth is half a calendar month: whole months first, then
 * one more semimonth if 15 more days fit. Fails (SP_EINVAL) if date is
 * before start. */
int sp_regz_periods(sp_date start, sp_date date, sp_unit_period unit,
                    sp_regz_flow *out);

/* Appendix J APR of dated flows (signs as sp_cash_flow), the term beginning
 * on the earliest date, with the given unit period; w is
 * sp_unit_period_per_year(unit). */
int sp_apr_regz_dated(const sp_cash_flow *flows, size_t n, sp_unit_period unit,
                      int64_t *out_rate, sp_error *err);

#endif
