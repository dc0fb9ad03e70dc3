/* A loan's business day: interest and penalty accrual with the carried
 * remainder, line billing, ageing and classification.
 *
 * Exact accrual. Interest over a span is principal * annual_rate * seconds
 * / (basis * 86400 * SP_RATE_ONE). A loan keeps the cumulative interest it
 * has posted (total) and the exact remainder (rem) of the cumulative
 * numerator: N = total * D + rem. Each accrual adds to N and posts
 * round(N / D) - total. So whatever the pieces (days, seconds, changes of
 * principal), the sum posted since opening is the closed-form amount of
 * the whole period rounded once, and the rounding rule (half-up,
 * half-even...) applies to that closed form.
 *
 * Term loans accrue the scheduled interest of the current installment
 * pro rata by day from its accrual start, so that the whole installment
 * interest has accrued by its due date, exactly. */
#include <assert.h>
#include <stdio.h>
#include <string.h>

#include "loan/loan_int.h"

static int64_t denominator(const sp__loan *l) {
  return (int64_t)sp_daycount_basis(l->product.daycount) * SP_DAY_S *
         SP_RATE_ONE;
}

/* Adds principal * rate * seconds to the carry (total, rem); returns the
 * fen to post now. */
static int64_t carry_add(int64_t *total, int64_t *rem, int64_t den,
                         int64_t principal_fen, int64_t rate, int64_t seconds,
                         sp_rounding rounding) {
  if (principal_fen <= 0 || rate <= 0 || seconds <= 0)
    return 0;
  sp_i128 n =
      (sp_i128)*total * den + *rem + (sp_i128)principal_fen * rate * seconds;
  sp_i128 t = sp_div_round(n, den, rounding);
  int64_t delta = (int64_t)t - *total;
  *rem = (int64_t)(n - t * den);
  *total = (int64_t)t;
  assert(delta >= 0);
  return delta;
}

static int64_t penalty_rate(const sp__loan *l) {
  return (int64_t)sp_div_round((sp_i128)l->product.annual_rate *
                                   l->product.penalty_factor_bp,
                               10000, SP_ROUND_HALF_UP);
}

/* Line interest from accrued_until to `to` on the current principal.
 * Contract interest stops after the maturity day: from then on overdue
 * principal bears penalty interest instead (the contract rate raised by
 * the penalty factor), not both. */
static void line_accrue_to(sp_book *b, sp__loan *l, sp_time to, sp_transfer *xs,
                           size_t cap, size_t *n, uint64_t *next_id) {
  sp_time stop = sp_date_start(l->maturity + 1);
  if (to > stop)
    to = stop;
  if (to <= l->accrued_until)
    return;
  int64_t principal = sp__loan_balance(b, l, SP_PART_PRINCIPAL);
  int64_t fen = carry_add(&l->interest_total_fen, &l->interest_rem,
                          denominator(l), principal, l->product.annual_rate,
                          to - l->accrued_until, l->product.rounding);
  l->accrued_until = to;
  if (fen > 0)
    sp__xfer(xs, n, cap, next_id, SP_LOAN_ACCOUNT(l->no, SP_PART_INTEREST),
             SP_ACCOUNT_INTEREST_INCOME, fen, l->no, to,
             SP_CODE_ACCRUE_INTEREST);
}

/* Term interest through the end of `day` for the installment it falls in. */
static void term_accrue_day(sp__loan *l, sp_date day, sp_transfer *xs,
                            size_t cap, size_t *n, uint64_t *next_id) {
  for (int32_t i = 0; i < l->n_inst; i++) {
    sp__inst *s = &l->inst[i];
    if (day >= s->due || day < s->accrual_start)
      continue;
    int64_t span = s->due - s->accrual_start,
            elapsed = day + 1 - s->accrual_start;
    int64_t target =
        s->accrual_base_fen +
        (int64_t)sp_div_round((sp_i128)(s->interest_fen - s->accrual_base_fen) *
                                  elapsed,
                              span, SP_ROUND_DOWN);
    int64_t fen = target - s->interest_accrued_fen;
    if (fen > 0) {
      s->interest_accrued_fen = target;
      l->interest_total_fen += fen;
      sp__xfer(xs, n, cap, next_id, SP_LOAN_ACCOUNT(l->no, SP_PART_INTEREST),
               SP_ACCOUNT_INTEREST_INCOME, fen, l->no, sp_date_start(day + 1),
               SP_CODE_ACCRUE_INTEREST);
    }
    return;
  }
}

/* Principal overdue at the end of `day`: unpaid principal due before it. */
static int64_t overdue_principal(sp_book *b, const sp__loan *l, sp_date day) {
  if (l->kind == SP_LOAN_LINE)
    return day > l->maturity ? sp__loan_balance(b, l, SP_PART_PRINCIPAL) : 0;
  int64_t sum = 0;
  for (int32_t i = 0; i < l->n_inst && l->inst[i].due < day; i++)
    sum += l->inst[i].principal_fen - l->inst[i].principal_paid_fen;
  return sum;
}

int32_t sp__days_past_due(const sp__loan *l, sp_date day,
                          int64_t line_principal_fen) {
  sp_date oldest = 0;
  if (l->kind == SP_LOAN_LINE) {
    if (l->interest_due_fen > 0 && l->interest_due_date < day)
      oldest = l->interest_due_date;
    if (line_principal_fen > 0 && l->maturity < day &&
        (oldest == 0 || l->maturity < oldest))
      oldest = l->maturity;
  } else {
    for (int32_t i = 0; i < l->n_inst && l->inst[i].due < day; i++) {
      const sp__inst *s = &l->inst[i];
      if (s->principal_paid_fen < s->principal_fen ||
          s->interest_paid_fen < s->interest_fen) {
        oldest = s->due;
        break;
      }
    }
  }
  return oldest == 0 ? 0 : day - oldest;
}

/* Bills at the close of the day before each monthly anniversary, due on
 * the anniversary; accrued_fen is today's accrual, not yet in the ledger. */
static void line_bill(sp_book *b, sp__loan *l, sp_date day,
                      int64_t accrued_fen) {
  sp_date next = sp_date_add_months(l->opened, l->bills + 1);
  if (day + 1 < next)
    return;
  l->bills++;
  int64_t owed = sp__loan_balance(b, l, SP_PART_INTEREST) + accrued_fen;
  if (owed > l->interest_due_fen) {
    if (l->interest_due_fen == 0)
      l->interest_due_date = day + 1;
    l->interest_due_fen = owed;
  }
}

int sp__loan_close_one_day(sp_book *b, sp__loan *l, sp_date day,
                           sp_transfer *xs, size_t cap, size_t *n,
                           uint64_t *next_id, sp_error *err) {
  (void)err;
  assert(day == l->closed_through + 1);
  assert(cap - *n >= 2);
  if (l->closed) {
    l->closed_through = day;
    return SP_OK;
  }
  if (l->kind == SP_LOAN_LINE) {
    size_t before = *n;
    line_accrue_to(b, l, sp_date_start(day + 1), xs, cap, n, next_id);
    line_bill(b, l, day, *n > before ? xs[before].amount_fen : 0);
  } else {
    term_accrue_day(l, day, xs, cap, n, next_id);
  }
  int64_t overdue = overdue_principal(b, l, day);
  int64_t fen =
      carry_add(&l->penalty_total_fen, &l->penalty_rem, denominator(l), overdue,
                penalty_rate(l), SP_DAY_S, l->product.rounding);
  if (fen > 0)
    sp__xfer(xs, n, cap, next_id, SP_LOAN_ACCOUNT(l->no, SP_PART_PENALTY),
             SP_ACCOUNT_PENALTY_INCOME, fen, l->no, sp_date_start(day + 1),
             SP_CODE_ACCRUE_PENALTY);
  l->days_past_due = sp__days_past_due(
      l, day,
      l->kind == SP_LOAN_LINE ? sp__loan_balance(b, l, SP_PART_PRINCIPAL) : 0);
  l->risk_class = sp_risk_class_for(l->days_past_due);
  l->closed_through = day;
  return SP_OK;
}

int sp__loan_catch_up(sp_book *b, sp__loan *l, sp_time at, sp_transfer *xs,
                      size_t cap, size_t *n, uint64_t *next_id, sp_error *err) {
  sp_date day = sp_time_date(at);
  if (day <= l->closed_through) {
    char buf[11];
    sp_date_format(l->closed_through, buf);
    return sp_error_set(err, SP_ESTATE, "date",
                        "--date: loan '%s' is closed through %s; operations "
                        "must come after it",
                        l->id, buf);
  }
  /* Days not yet closed are closed here for this loan; their transfers
   * are submitted as they come, so balances stay current. */
  while (l->closed_through + 1 < day) {
    size_t before = *n;
    int rc = sp__loan_close_one_day(b, l, l->closed_through + 1, xs, cap, n,
                                    next_id, err);
    if (rc == SP_OK && *n > before)
      rc = sp_ledger_submit(b->ledger, xs + before, *n - before, NULL, err);
    if (rc != SP_OK)
      return rc;
    *n = before; /* submitted: the buffer is free again */
  }
  if (l->kind == SP_LOAN_LINE && l->product.per_second) {
    size_t before = *n;
    line_accrue_to(b, l, at, xs, cap, n, next_id);
    if (*n > before) {
      int rc = sp_ledger_submit(b->ledger, xs + before, *n - before, NULL, err);
      *n = before;
      return rc;
    }
  }
  return SP_OK;
}
