/* Term loans: opening from a schedule, and rescheduling after an early
 * repayment of principal.
 *
 * On prepayment in installment k (due date E, period start S, prepayment
 * day D), the interest accrued so far on the old principal is paid first;
 * the remaining installments keep their due dates and are recomputed by
 * the product's method on the new principal; installment k's interest is
 * what had accrued plus the new principal's interest for the rest of the
 * period, (E - D) / (E - S) of a month. */
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "loan/loan_int.h"
#include "sparrow/apr.h"

int sp_term_open(sp_book *b, const char *id, int64_t principal_fen,
                 int64_t fee_fen, const sp_product *product, sp_date start,
                 sp_error *err) {
  if (fee_fen < 0 || fee_fen >= principal_fen)
    return sp_error_set(err, SP_EINVAL, "fee",
                        "--fee: must be at least 0 and below the principal");
  sp_installment *sched = malloc(SP_SCHEDULE_TERM_MAX * sizeof *sched);
  if (sched == NULL)
    return sp_error_set(err, SP_ENOMEM, "loan", "out of memory");
  sp_schedule_terms terms = {.principal_fen = principal_fen,
                             .annual_rate = product->annual_rate,
                             .term_months = product->term_months,
                             .start = start,
                             .method = product->method,
                             .rounding = product->rounding};
  int count = sp_schedule_build(&terms, sched, SP_SCHEDULE_TERM_MAX, err);
  sp__loan l;
  int rc = count < 0
               ? count
               : sp__loan_create(b, &l, id, SP_LOAN_TERM, product, start, err);
  if (rc != SP_OK) {
    free(sched);
    return rc;
  }
  l.limit_fen = principal_fen;
  l.n_inst = count;
  l.inst = calloc((size_t)count, sizeof *l.inst);
  if (l.inst == NULL)
    rc = sp_error_set(err, SP_ENOMEM, "loan", "out of memory");
  for (int i = 0; rc == SP_OK && i < count; i++)
    l.inst[i] =
        (sp__inst){.due = sched[i].due_date,
                   .accrual_start = i == 0 ? start : sched[i - 1].due_date,
                   .principal_fen = sched[i].principal_fen,
                   .interest_fen = sched[i].interest_fen};
  if (rc == SP_OK) {
    /* Disclosure: IRR of what the borrower receives against what it pays. */
    int64_t payments[SP_SCHEDULE_TERM_MAX];
    for (int i = 0; i < count; i++)
      payments[i] = sched[i].payment_fen;
    l.fee_fen = fee_fen;
    rc = sp_apr_periodic(principal_fen - fee_fen, payments, (size_t)count, 12,
                         &l.annualized_rate, err);
  }
  free(sched);
  if (rc == SP_OK) {
    l.maturity = l.inst[count - 1].due;
    sp_transfer xs[2];
    size_t n = 0;
    uint64_t next = sp_ledger_next_id(b->ledger);
    sp_time at = sp_date_start(start);
    sp__xfer(xs, &n, 2, &next, SP_LOAN_ACCOUNT(l.no, SP_PART_PRINCIPAL),
             SP_ACCOUNT_CASH, principal_fen, l.no, at, SP_CODE_DRAW);
    if (fee_fen > 0)
      sp__xfer(xs, &n, 2, &next, SP_ACCOUNT_CASH, SP_ACCOUNT_FEE_INCOME,
               fee_fen, l.no, at, SP_CODE_FEE);
    rc = sp_ledger_submit(b->ledger, xs, n, NULL, err);
  }
  if (rc == SP_OK)
    rc = sp__loan_commit(b, &l, NULL, NULL, 0, err);
  if (rc != SP_OK) {
    sp_ledger_discard(b->ledger);
    b->loan_no_max--;
  }
  sp__loan_free(&l);
  return rc;
}

static int current_installment(const sp__loan *l, sp_date day) {
  for (int32_t i = 0; i < l->n_inst; i++)
    if (l->inst[i].due > day)
      return i;
  return -1;
}

int sp__term_prepay(sp__loan *l, sp_date day, int64_t prepay_fen,
                    sp_error *err) {
  int k = current_installment(l, day);
  assert(k >= 0);
  sp__inst *cur = &l->inst[k];
  int64_t remaining = 0;
  for (int32_t i = k; i < l->n_inst; i++)
    remaining += l->inst[i].principal_fen - l->inst[i].principal_paid_fen;
  assert(prepay_fen > 0 && prepay_fen <= remaining);
  int64_t left = remaining - prepay_fen;
  cur->principal_paid_fen += prepay_fen;
  if (left == 0) { /* paid off: the schedule ends here */
    cur->principal_fen = cur->principal_paid_fen;
    cur->interest_fen = cur->interest_accrued_fen;
    l->n_inst = k + 1;
    return SP_OK;
  }
  sp_installment sched[SP_SCHEDULE_TERM_MAX];
  sp_schedule_terms terms = {.principal_fen = left,
                             .annual_rate = l->product.annual_rate,
                             .term_months = l->n_inst - k,
                             .start = l->opened,
                             .method = l->product.method,
                             .rounding = l->product.rounding};
  int count = sp_schedule_build(&terms, sched, SP_SCHEDULE_TERM_MAX, err);
  if (count < 0)
    return count;
  assert(count == l->n_inst - k);
  sp_date period_start = k == 0 ? l->opened : l->inst[k - 1].due;
  for (int j = 0; j < count; j++) {
    sp__inst *s = &l->inst[k + j];
    s->principal_fen =
        (j == 0 ? cur->principal_paid_fen : 0) + sched[j].principal_fen;
    if (j > 0) {
      s->interest_fen = sched[j].interest_fen;
      continue;
    }
    /* The rest of the current period on the new principal. */
    int64_t month =
        (int64_t)sp_div_round((sp_i128)left * l->product.annual_rate,
                              (sp_i128)12 * SP_RATE_ONE, l->product.rounding);
    int64_t rest =
        (int64_t)sp_div_round((sp_i128)month * (s->due - day),
                              s->due - period_start, l->product.rounding);
    s->interest_fen = s->interest_accrued_fen + rest;
    s->accrual_start = day;
    s->accrual_base_fen = s->interest_accrued_fen;
  }
  return SP_OK;
}
