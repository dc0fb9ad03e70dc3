/* Internals shared by apr.c and regz.c: the bisection solver and the
 * checks every annualized-rate computation makes. */
#ifndef SPARROW_LOAN_APR_INT_H
#define SPARROW_LOAN_APR_INT_H

#include <stddef.h>
#include <stdint.h>

#include "sparrow/apr.h"
#include "sparrow/error.h"
#include "sparrow/money.h"

/* Net present value of a loan's flows at a periodic rate (lender's side:
 * advances negative); strictly decreasing in rate >= 0. */
typedef long double (*sp__npv_fn)(const void *ctx, long double rate);

/* Bisection for the root of npv on [0, hi]; npv(0) must be > 0.
 * SP_ERANGE (field "rate") when npv(hi) is still > 0. */
int sp__apr_solve(sp__npv_fn npv, const void *ctx, long double hi,
                  long double *root, sp_error *err);

/* An annual rate (1.0 = 100%) to rate units, rounded half up. */
int sp__apr_to_rate_units(long double annual, const char *field, int64_t *out,
                          sp_error *err);

/* 1 if repaid > advanced (solve), 0 if equal (the rate is 0), or a
 * negative code naming field when a side is empty or repaid < advanced. */
int sp__apr_net_sign(sp_i128 advanced, sp_i128 repaid, const char *field,
                     sp_error *err);

/* Validates dated flows (count, amounts, every advance dated no later than
 * the first repayment) and returns the earliest date and the sums of the
 * advances and of the repayments. */
int sp__apr_dated_check(const sp_cash_flow *flows, size_t n, sp_date *start,
                        sp_i128 *advanced, sp_i128 *repaid, sp_error *err);

#endif
