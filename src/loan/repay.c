/* Repayment: allocation of an amount over what a loan owes, in the
 * product's order (default penalty -> interest -> principal).
 *
 * A line owes its penalty, all accrued interest and its principal; any
 * amount up to the total may be repaid on any day: what is due goes first
 * in the product's order, then principal, then interest not yet billed. A term
 * loan first pays what is due (installments due on or before the day, oldest
 * first); what remains pays the current period's accrued interest and then
 * principal early, and the remaining schedule is recomputed (term.c). */
#include <assert.h>
#include <stdio.h>
#include <string.h>

#include "loan/loan_int.h"

static int64_t min64(int64_t a, int64_t b) { return a < b ? a : b; }

/* Pays installments due by `day`, oldest first: interest or principal. */
static int64_t pay_due(sp__loan *l, sp_date day, int part, int64_t amount) {
  int64_t paid = 0;
  for (int32_t i = 0; i < l->n_inst && l->inst[i].due <= day && amount > paid;
       i++) {
    sp__inst *s = &l->inst[i];
    int64_t *done = part == SP_PART_INTEREST ? &s->interest_paid_fen
                                             : &s->principal_paid_fen;
    int64_t owed =
        (part == SP_PART_INTEREST ? s->interest_fen : s->principal_fen) - *done;
    int64_t x = min64(owed, amount - paid);
    *done += x;
    paid += x;
  }
  return paid;
}

/* Returns the principal left to pay early (the caller reschedules). */
static int64_t allocate_term(sp__loan *l, sp_date day, int64_t amount,
                             const int64_t owed[3], int64_t got[3]) {
  int64_t left = amount;
  for (int k = 0; k < 3 && left > 0; k++) {
    int part = l->product.alloc[k];
    int64_t x = part == SP_PART_PENALTY ? min64(left, owed[part])
                                        : pay_due(l, day, part, left);
    got[part] += x;
    left -= x;
  }
  for (int32_t i = 0; left > 0 && i < l->n_inst; i++) {
    sp__inst *s = &l->inst[i];
    if (s->due <= day)
      continue;
    int64_t x = min64(left, s->interest_accrued_fen - s->interest_paid_fen);
    s->interest_paid_fen += x;
    got[SP_PART_INTEREST] += x;
    left -= x;
    break;
  }
  got[SP_PART_PRINCIPAL] += left;
  return left;
}

/* Lines: the product's order over what is due (penalty, billed interest,
 * principal past maturity); then principal, so that money paid between
 * bills lowers the interest; then interest accrued but not yet billed. */
static void allocate_line(sp__loan *l, sp_date day, int64_t amount,
                          const int64_t owed[3], int64_t got[3]) {
  int64_t due[3] = {owed[SP_PART_PENALTY],
                    min64(l->interest_due_fen, owed[SP_PART_INTEREST]),
                    day > l->maturity ? owed[SP_PART_PRINCIPAL] : 0};
  int64_t left = amount;
  for (int k = 0; k < 3 && left > 0; k++) {
    int part = l->product.alloc[k];
    int64_t x = min64(left, due[part]);
    got[part] += x;
    left -= x;
  }
  int64_t x = min64(left, owed[SP_PART_PRINCIPAL] - got[SP_PART_PRINCIPAL]);
  got[SP_PART_PRINCIPAL] += x;
  left -= x;
  got[SP_PART_INTEREST] += left;
  assert(got[SP_PART_INTEREST] <= owed[SP_PART_INTEREST]);
  x = min64(got[SP_PART_INTEREST], l->interest_due_fen);
  l->interest_due_fen -= x;
  if (l->interest_due_fen == 0)
    l->interest_due_date = 0;
}

static int term_all_paid(const sp__loan *l) {
  for (int32_t i = 0; i < l->n_inst; i++)
    if (l->inst[i].principal_paid_fen < l->inst[i].principal_fen ||
        l->inst[i].interest_paid_fen < l->inst[i].interest_fen)
      return 0;
  return 1;
}

/* Allocates, reschedules and builds the transfers; l is updated. */
static int apply_repay(sp_book *b, sp__loan *l, int64_t amount, sp_time at,
                       sp_transfer *xs, size_t *n, sp_repay_result *res,
                       sp_error *err) {
  sp_date day = sp_time_date(at);
  int64_t owed[3], got[3] = {0, 0, 0};
  for (int p = 0; p < 3; p++)
    owed[p] = sp__loan_balance(b, l, (sp_alloc_part)p);
  if (amount > owed[0] + owed[1] + owed[2]) {
    char buf[32];
    sp_money_format(owed[0] + owed[1] + owed[2], buf, sizeof buf);
    return sp_error_set(err, SP_ELIMIT, "amount",
                        "--amount: more than loan '%s' owes (%s)", l->id, buf);
  }
  if (l->kind == SP_LOAN_LINE) {
    allocate_line(l, day, amount, owed, got);
  } else {
    int64_t early = allocate_term(l, day, amount, owed, got);
    int rc = early > 0 ? sp__term_prepay(l, day, early, err) : SP_OK;
    if (rc != SP_OK)
      return rc;
    l->closed =
        term_all_paid(l) && owed[SP_PART_PENALTY] == got[SP_PART_PENALTY];
  }
  uint64_t next = sp_ledger_next_id(b->ledger);
  static const sp_loan_code codes[3] = {
      SP_CODE_REPAY_PENALTY, SP_CODE_REPAY_INTEREST, SP_CODE_REPAY_PRINCIPAL};
  for (int p = 0; p < 3; p++)
    if (got[p] > 0)
      sp__xfer(xs, n, SP__LOAN_XFER_MAX, &next, SP_ACCOUNT_CASH,
               SP_LOAN_ACCOUNT(l->no, p), got[p], l->no, at, codes[p]);
  res->penalty_fen = got[SP_PART_PENALTY];
  res->interest_fen = got[SP_PART_INTEREST];
  res->principal_fen = got[SP_PART_PRINCIPAL];
  l->interest_paid_total_fen += got[SP_PART_INTEREST];
  int64_t line_principal = owed[SP_PART_PRINCIPAL] - got[SP_PART_PRINCIPAL];
  l->days_past_due = sp__days_past_due(l, day, line_principal);
  l->risk_class = sp_risk_class_for(l->days_past_due);
  return SP_OK;
}

int sp_loan_repay(sp_book *b, const char *id, int64_t amount_fen, sp_time at,
                  const char *ref, sp_repay_result *out, sp_error *err) {
  return sp_loan_repay_view(b, id, amount_fen, at, ref, out, NULL, err);
}

int sp_loan_repay_view(sp_book *b, const char *id, int64_t amount_fen,
                       sp_time at, const char *ref, sp_repay_result *out,
                       sp_loan_view *after, sp_error *err) {
  sp_repay_result res = {0};
  sp__loan l;
  sp__ref_data req, first;
  int replayed;
  int rc = sp__op_begin(b, id, 2, amount_fen, at, ref, &l, &req, &first,
                        &replayed, err);
  if (rc != SP_OK || replayed) {
    if (replayed && out != NULL) {
      *out = first.result;
      out->replayed = 1;
    }
    if (replayed && after != NULL)
      rc = sp_loan_get(b, id, after, err);
    return rc;
  }
  sp_transfer xs[SP__LOAN_XFER_MAX];
  size_t n = 0;
  uint64_t next = sp_ledger_next_id(b->ledger);
  rc = sp__loan_catch_up(b, &l, at, xs, SP__LOAN_XFER_MAX, &n, &next, err);
  if (rc == SP_OK && l.closed)
    rc = sp_error_set(err, SP_ESTATE, "id", "--id: loan '%s' is paid off", id);
  if (rc == SP_OK)
    rc = apply_repay(b, &l, amount_fen, at, xs, &n, &res, err);
  if (rc == SP_OK)
    rc = sp_ledger_submit(b->ledger, xs, n, NULL, err);
  req.result = res;
  if (rc == SP_OK)
    rc = sp__loan_commit(b, &l, ref, &req, sizeof req, err);
  else
    sp_ledger_discard(b->ledger);
  if (rc == SP_OK && out != NULL)
    *out = res;
  if (rc == SP_OK && after != NULL)
    sp__loan_view(b, &l, after);
  sp__loan_free(&l);
  return rc;
}
