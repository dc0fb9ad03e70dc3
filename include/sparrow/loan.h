/* The loan book: revolving credit lines (随借随还) and term loans, serviced
 * through the ledger.
 *
 * Each loan has three receivable accounts (principal, interest, penalty)
 * that may not go below zero; the lender has a settlement (cash) account,
 * income accounts for interest, penalty and fees, and a capital account.
 * Every money movement is a ledger transfer; every loan change is written
 * in the same store transaction as its transfers.
 *
 * Interest accrues on the end-of-day principal, day by day (or second by
 * second for per-second products), and each loan carries the sub-fen
 * remainder: the postings of any period since the loan opened sum to the
 * closed-form interest of that period, to the fen. */
#ifndef SPARROW_LOAN_H
#define SPARROW_LOAN_H

#include <stdint.h>

#include "sparrow/date.h"
#include "sparrow/error.h"
#include "sparrow/money.h"
#include "sparrow/schedule.h"

typedef struct sp_book sp_book;

#define SP_LOAN_ID_MAX 39
#define SP_LOAN_REF_MAX 63

typedef enum sp_loan_kind { SP_LOAN_LINE = 1, SP_LOAN_TERM = 2 } sp_loan_kind;

/* Five-category classification (2023 financial-asset risk rules). */
typedef enum sp_risk_class {
  SP_CLASS_NORMAL = 0,      /* 正常 */
  SP_CLASS_SPECIAL_MENTION, /* 关注 */
  SP_CLASS_SUBSTANDARD,     /* 次级: more than 90 days past due */
  SP_CLASS_DOUBTFUL,        /* 可疑: more than 270 */
  SP_CLASS_LOSS             /* 损失: more than 360 */
} sp_risk_class;

typedef enum sp_alloc_part {
  SP_PART_PENALTY = 0,
  SP_PART_INTEREST = 1,
  SP_PART_PRINCIPAL = 2
} sp_alloc_part;

/* Ledger transfer codes used by the loan book. */
typedef enum sp_loan_code {
  SP_CODE_DRAW = 1,
  SP_CODE_REPAY_PRINCIPAL = 2,
  SP_CODE_REPAY_INTEREST = 3,
  SP_CODE_REPAY_PENALTY = 4,
  SP_CODE_ACCRUE_INTEREST = 5,
  SP_CODE_ACCRUE_PENALTY = 6,
  SP_CODE_FEE = 7,
  SP_CODE_CAPITAL = 8
} sp_loan_code;

/* The lender's own accounts. */
#define SP_ACCOUNT_CASH 1
#define SP_ACCOUNT_INTEREST_INCOME 2
#define SP_ACCOUNT_PENALTY_INCOME 3
#define SP_ACCOUNT_FEE_INCOME 4
#define SP_ACCOUNT_CAPITAL 5
/* A loan's receivables: SP_LOAN_ACCOUNT(no, SP_PART_...). Each part has a
 * range of its own, so that the interest accounts of all loans lie
 * together and a close of day rewrites only their pages. */
#define SP_LOAN_ACCOUNT(no, part)                                              \
  ((UINT64_C(1) << 40) * (uint64_t)((part) + 1) + (uint64_t)(no))

typedef struct sp_product {
  int64_t annual_rate;       /* contract rate, rate units */
  sp_daycount daycount;      /* accrual basis (lines; ACT/360 default) */
  int per_second;            /* accrue by the second (按秒计息) */
  int64_t penalty_factor_bp; /* penalty rate = annual_rate * factor; 15000 */
  uint8_t alloc[3];          /* repayment order; penalty, interest, principal */
  sp_rounding rounding;
  sp_method method;    /* term loans */
  int32_t term_months; /* term loans: installments; lines: tenor */
} sp_product;

/* Defaults: ACT/360, daily accrual, penalty 1.5x, penalty -> interest ->
 * principal, half-up, annuity, 12 months. */
void sp_product_default(sp_product *p);

/* Parses an allocation order "penalty,interest,principal". */
int sp_alloc_parse(const char *text, const char *field, uint8_t out[3],
                   sp_error *err);

typedef struct sp_loan_view {
  char id[SP_LOAN_ID_MAX + 1];
  sp_loan_kind kind;
  sp_product product;
  sp_date opened, maturity;
  int64_t limit_fen;                  /* line limit; term loan principal */
  int64_t principal_fen;              /* outstanding principal */
  int64_t interest_fen;               /* accrued interest not yet paid */
  int64_t interest_due_fen;           /* of which due (billed / installments) */
  int64_t principal_due_fen;          /* principal due and unpaid */
  int64_t penalty_fen;                /* penalty not yet paid */
  int64_t available_fen;              /* lines: what may still be drawn */
  int64_t pending_draws_fen;          /* lines: drawn, awaiting the channel */
  int64_t interest_accrued_total_fen; /* all interest accrued since opening */
  int64_t interest_paid_total_fen;
  int64_t fee_fen;
  /* The annualized rate to disclose (PBoC [2021] No. 3): for term loans the
   * IRR of what was received (principal - fee) against the scheduled
   * payments, periodic rate x 12; for lines the contract annual rate
   * (simple, daily rate x basis), as interest is paid as it accrues. */
  int64_t annualized_rate;
  int32_t days_past_due;
  sp_risk_class risk_class;
  int frozen, closed;
  sp_date closed_through; /* last business day closed for this loan */
} sp_loan_view;

typedef struct sp_repay_result {
  int64_t penalty_fen, interest_fen, principal_fen; /* allocation */
  int replayed; /* the ref was seen before: the first result */
} sp_repay_result;

/* Opens (creating) a book in a SQLite file. */
int sp_book_open(const char *path, sp_book **out, sp_error *err);
/* Opens an existing book; SP_ENOTFOUND naming "db" if there is none. */
int sp_book_open_existing(const char *path, sp_book **out, sp_error *err);
/* Opens a book to read beside the program that writes it, on a connection
 * of its own (sp_store_open_sqlite_reader): it writes nothing, and is
 * SP_ENOTFOUND naming "db" when the file holds no book. Its reads see the
 * file as of the latest commit, or, between sp_book_read_begin and
 * sp_book_read_end (for such a book only), as one commit left it: a
 * report's numbers then agree with each other. */
int sp_book_open_readonly(const char *path, sp_book **out, sp_error *err);
int sp_book_read_begin(sp_book *book, sp_error *err);
void sp_book_read_end(sp_book *book);
void sp_book_close(sp_book *book);

/* Lines. ref, when not NULL, is the caller's idempotency key: the same ref
 * with the same request returns the first result and changes nothing; with
 * another request it is SP_EEXISTS naming "ref". */
int sp_line_open(sp_book *b, const char *id, int64_t limit_fen,
                 const sp_product *product, sp_date date, sp_error *err);
int sp_line_draw(sp_book *b, const char *id, int64_t amount_fen, sp_time at,
                 const char *ref, sp_error *err);
/* Two-phase draw, for a disbursement channel that confirms later: the
 * amount is reserved against the limit at once (a pending transfer, id in
 * *transfer_id) and earns no interest until it is posted. Settling posts
 * it (post = 1: the money left) or voids it (post = 0: the limit is
 * released). */
int sp_line_draw_pending(sp_book *b, const char *id, int64_t amount_fen,
                         sp_time at, const char *ref, uint64_t *transfer_id,
                         sp_error *err);
int sp_line_draw_settle(sp_book *b, const char *id, uint64_t transfer_id,
                        int post, sp_time at, sp_error *err);
int sp_line_freeze(sp_book *b, const char *id, int frozen, sp_error *err);
int sp_line_set_limit(sp_book *b, const char *id, int64_t limit_fen,
                      sp_error *err);

/* Term loans: disburses principal - fee on `start`. */
int sp_term_open(sp_book *b, const char *id, int64_t principal_fen,
                 int64_t fee_fen, const sp_product *product, sp_date start,
                 sp_error *err);

/* Repays a line or a term loan. The amount is allocated in the product's
 * order over what is due; on a term loan what remains pays the current
 * period's accrued interest, then principal early, and the remaining
 * installments are recomputed on the lower principal. */
int sp_loan_repay(sp_book *b, const char *id, int64_t amount_fen, sp_time at,
                  const char *ref, sp_repay_result *out, sp_error *err);

int sp_loan_get(sp_book *b, const char *id, sp_loan_view *out, sp_error *err);

/* sp_line_draw and sp_loan_repay, with the loan as it stands after the
 * movement (as sp_loan_get shows it; for a replayed ref, as it stands now)
 * in *after, without reading it back. */
int sp_line_draw_view(sp_book *b, const char *id, int64_t amount_fen,
                      sp_time at, const char *ref, sp_loan_view *after,
                      sp_error *err);
int sp_loan_repay_view(sp_book *b, const char *id, int64_t amount_fen,
                       sp_time at, const char *ref, sp_repay_result *out,
                       sp_loan_view *after, sp_error *err);

/* The installments of a term loan as they stand (after any prepayment),
 * with what has been paid. */
typedef struct sp_installment_view {
  sp_installment due;
  int64_t principal_paid_fen, interest_paid_fen;
} sp_installment_view;
int sp_loan_installments(sp_book *b, const char *id, sp_installment_view *out,
                         size_t cap, size_t *n, sp_error *err);

/* Closes every business day after the last closed one up to `through`:
 * accrues interest and penalty, bills line interest, ages and classifies
 * every active loan, and posts it all to the ledger. */
typedef struct sp_close_stats {
  int32_t days;
  uint64_t loans;
  uint64_t transfers;
  int64_t interest_fen, penalty_fen;
} sp_close_stats;
int sp_book_close_day(sp_book *b, sp_date through, sp_close_stats *stats,
                      sp_error *err);

/* The last business day closed for the whole book (0 if none). */
sp_date sp_book_closed_through(sp_book *b);

/* Visits every loan (for reports), in loan-number order, as committed in
 * the store: reading records, states and balances a window at a time, in
 * order (memory and the ledger's account cache stay as they were). Not
 * inside a ledger window: its uncommitted work is not seen. fn's non-SP_OK
 * return ends the visit and is returned. */
typedef int (*sp_loan_fn)(void *ctx, const sp_loan_view *loan);
int sp_book_each_loan(sp_book *b, sp_loan_fn fn, void *ctx, sp_error *err);

/* The book's store (for sp_ledger_verify and reports). */
struct sp_store *sp_book_store(sp_book *b);

/* Days past due to bucket ("M0".."M4+") and class names. */
const char *sp_bucket_name(int32_t days_past_due);
sp_risk_class sp_risk_class_for(int32_t days_past_due);
const char *sp_risk_class_name(sp_risk_class c);    /* "normal" ... "loss" */
const char *sp_risk_class_name_zh(sp_risk_class c); /* "正常" ... "损失" */

#endif
