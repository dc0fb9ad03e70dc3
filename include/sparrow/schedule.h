/* Repayment schedules of term loans: equal installment (等额本息), equal
 * principal (等额本金), interest first (先息后本) and flat fee.
 *
 * Months are 30/360: the monthly rate is annual_rate / 12 exactly, and
 * installment k falls due sp_date_add_months(start, k). Every amount is
 * exact integer fen; each interest amount is rounded once with the terms'
 * rounding rule, and the last installment takes whatever principal is left,
 * so the principal column always sums to exactly principal_fen. */
#ifndef SPARROW_SCHEDULE_H
#define SPARROW_SCHEDULE_H

#include <stddef.h>
#include <stdint.h>

#include "sparrow/date.h"
#include "sparrow/error.h"
#include "sparrow/money.h"

typedef enum sp_method {
  SP_METHOD_ANNUITY = 0,     /* 等额本息 equal installment */
  SP_METHOD_EQUAL_PRINCIPAL, /* 等额本金 */
  SP_METHOD_INTEREST_FIRST,  /* 先息后本: interest monthly, principal bullet
                                at the end */
  SP_METHOD_FLAT             /* flat fee: interest = principal * annual_rate /
                                12 every month on the ORIGINAL principal;
                                principal in equal parts */
} sp_method;

typedef struct sp_schedule_terms {
  int64_t principal_fen; /* > 0, <= SP_AMOUNT_FEN_MAX */
  int64_t annual_rate;   /* rate units (1e-10); monthly rate = annual_rate /
                            12, exactly (30/360 months) */
  int32_t term_months;   /* 1 .. SP_SCHEDULE_TERM_MAX (600) */
  sp_date start;         /* disbursement date; installment k is due
                            sp_date_add_months(start, k) */
  sp_method method;
  sp_rounding rounding; /* rounding of each interest amount and of the
                           annuity payment */
} sp_schedule_terms;

typedef struct sp_installment {
  int32_t period; /* 1-based */
  sp_date due_date;
  int64_t payment_fen, principal_fen, interest_fen;
  int64_t balance_fen; /* principal remaining after this installment */
} sp_installment;

#define SP_SCHEDULE_TERM_MAX 600

/* Fills out[0..term_months) and returns the count, or a negative SP_E...
 * code with err naming the field ("principal_fen", "annual_rate",
 * "term_months", "start", "method", "rounding"; "out" when cap is smaller
 * than term_months, SP_EFULL). SP_EOVERFLOW ("annual_rate") when the sum of
 * the payments would not fit in int64. The caller owns out. */
int sp_schedule_build(const sp_schedule_terms *terms, sp_installment *out,
                      size_t cap, sp_error *err);

/* "annuity", "equal-principal", "interest-first", "flat" */
int sp_method_parse(const char *text, const char *field, sp_method *out,
                    sp_error *err);
const char *sp_method_name(sp_method m);

/* The level payment of an annuity (see schedule.c for the rule), for terms
 * already accepted by sp_schedule_build. Exposed for tests and quotes. */
int64_t sp_schedule_annuity_payment(const sp_schedule_terms *terms);

#endif
