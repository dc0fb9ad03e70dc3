/* Loan book internals: the stored loan record, and the functions shared by
 * book.c (records, refs), accrue.c (a loan's business day), line.c,
 * term.c, repay.c and close_day.c. */
#ifndef SPARROW_LOAN_INT_H
#define SPARROW_LOAN_INT_H

#include "sparrow/ledger.h"
#include "sparrow/loan.h"
#include "sparrow/store.h"

#define SP__LOAN_VERSION 1u
#define SP__REC_LOAN 1u
#define SP__REC_REF 2u
/* Transfers one loan's business day or operation may need at most. */
#define SP__LOAN_XFER_MAX 4

/* One installment of a term loan as it stands. Interest accrues from
 * accrual_start (the period start, or the last prepayment) towards
 * interest_fen, starting from accrual_base_fen already accrued then. */
typedef struct sp__inst {
  sp_date due;
  sp_date accrual_start;
  int64_t principal_fen, interest_fen;
  int64_t principal_paid_fen, interest_paid_fen;
  int64_t interest_accrued_fen, accrual_base_fen;
} sp__inst;

typedef struct sp__loan {
  uint32_t version;
  uint32_t kind; /* sp_loan_kind */
  uint64_t no;
  char id[SP_LOAN_ID_MAX + 1];
  sp_product product;
  int64_t limit_fen;
  sp_date opened, maturity;
  sp_date closed_through; /* last business day closed */
  int32_t bills;          /* lines: interest bills issued */
  sp_time accrued_until;  /* interest accrued up to this moment */
  int64_t interest_total_fen, interest_rem; /* carry; see accrue.c */
  int64_t penalty_total_fen, penalty_rem;
  int64_t interest_paid_total_fen;
  int64_t fee_fen;           /* withheld at disbursement */
  int64_t annualized_rate;   /* IRR method at opening (term loans) */
  int64_t interest_due_fen;  /* lines: billed, unpaid */
  sp_date interest_due_date; /* lines: oldest unpaid bill's due date */
  int32_t days_past_due;
  int32_t risk_class;
  int32_t frozen, closed;
  int32_t n_inst;
  sp__inst *inst; /* n_inst, heap; not stored inline */
} sp__loan;

struct sp_book {
  sp_store *store;
  sp_ledger *ledger;
  uint64_t loan_no_max;
  sp_date closed_through;
  int readonly; /* opened by sp_book_open_readonly */
};

/* Record (de)serialization and lookup. */
int sp__loan_load(sp_book *b, const char *id, sp__loan *out, sp_error *err);
/* Stored form (codec.c): sp__loan_encode writes at most
 * sp__loan_encoded_max(n_inst) bytes and returns how many; decode checks
 * every length and allocates the installments. */
size_t sp__loan_encoded_max(int32_t n_inst);
size_t sp__loan_encode(const sp__loan *loan, uint8_t *buf);
int sp__loan_decode(const void *data, size_t size, sp__loan *out);
/* Writes the record and its day state. */
int sp__loan_put(sp_store *s, const sp__loan *loan, sp_error *err);
/* A loan's day state (codec.c): encode writes at most SP_STORE_STATE_MAX
 * bytes; decode overrides the state's fields of *loan (SP_ESTORE, loan
 * untouched, when the bytes are not a state). put_state writes only the
 * state, for a loan whose other fields did not change. */
size_t sp__loan_state_encode(const sp__loan *loan,
                             uint8_t buf[SP_STORE_STATE_MAX]);
int sp__loan_state_decode(const void *data, size_t size, sp__loan *loan);
int sp__loan_put_state(sp_store *s, const sp__loan *loan, sp_error *err);
void sp__loan_free(sp__loan *loan);

/* Brings a loan up to the moment `at`: closes its business days before
 * at's day, then (per-second products) accrues to `at`. Appends transfers
 * to xs (capacity cap, counted in *n; ids assigned from *next_id). */
int sp__loan_catch_up(sp_book *b, sp__loan *loan, sp_time at, sp_transfer *xs,
                      size_t cap, size_t *n, uint64_t *next_id, sp_error *err);

/* Closes one business day of one loan (see accrue.c). */
int sp__loan_close_one_day(sp_book *b, sp__loan *loan, sp_date day,
                           sp_transfer *xs, size_t cap, size_t *n,
                           uint64_t *next_id, sp_error *err);

/* Balances from the ledger (uncommitted work included). */
int64_t sp__loan_balance(sp_book *b, const sp__loan *loan, sp_alloc_part part);

/* Appends one transfer. */
void sp__xfer(sp_transfer *xs, size_t *n, size_t cap, uint64_t *next_id,
              uint64_t debit, uint64_t credit, int64_t amount_fen,
              uint64_t owner, sp_time at, sp_loan_code code);

/* A loan's receivable balances (the principal account's pending draws
 * too): from the ledger (uncommitted work included), or as each.c reads
 * them from the store. */
typedef struct sp__balances {
  int64_t principal_fen, interest_fen, penalty_fen, pending_draws_fen;
} sp__balances;
void sp__loan_balances(sp_book *b, const sp__loan *l, sp__balances *out);

/* What sp_loan_get shows of a loan held in memory: with its balances from
 * the ledger, or with those given. */
void sp__loan_view(sp_book *b, const sp__loan *l, sp_loan_view *v);
void sp__loan_view_of(const sp__loan *l, const sp__balances *bal,
                      sp_loan_view *v);

/* Loans read from the store in loan-number order, each with its day state
 * over its record (each.c). */
typedef struct sp__loans {
  sp__loan *v;
  size_t n, cap;
  uint64_t last_no; /* of the last record read */
  uint64_t bad_no;  /* a record or state that would not decode */
  size_t at;        /* where the states are being laid over */
} sp__loans;
/* Appends the loan records numbered after `after` (at most limit of them)
 * to ls, with their states. */
int sp__loans_read(sp_store *s, uint64_t after, size_t limit, sp__loans *ls,
                   sp_error *err);
/* Frees the loans' installments and empties ls (keeping its room), or
 * frees it all. */
void sp__loans_clear(sp__loans *ls);
void sp__loans_free(sp__loans *ls);
/* Commits the ledger window with the loan (and the ref, when given) in the
 * same store transaction. */
int sp__loan_commit(sp_book *b, const sp__loan *loan, const char *ref,
                    const void *ref_data, size_t ref_size, sp_error *err);

/* Idempotency refs: returns SP_OK and copies the stored request/result
 * when the ref exists, SP_ENOTFOUND when it does not. */
int sp__ref_get(sp_book *b, const char *ref, void *data, size_t size,
                sp_error *err);

/* Classification helpers. */
/* Days past due at the end of `day` (lines need their principal). */
int32_t sp__days_past_due(const sp__loan *loan, sp_date day,
                          int64_t line_principal_fen);

/* Validates a loan id: 1..SP_LOAN_ID_MAX of [A-Za-z0-9_.-]. */
int sp__loan_id_check(const char *id, sp_error *err);

/* Creates a loan's three receivable accounts and numbers it. */
int sp__loan_create(sp_book *b, sp__loan *loan, const char *id, uint32_t kind,
                    const sp_product *product, sp_date date, sp_error *err);

/* Idempotent request record: what was asked and what it did. */
typedef struct sp__ref_data {
  uint32_t op; /* 1 draw, 2 repay, 3 pending draw */
  uint32_t pad;
  uint64_t loan_no;
  int64_t amount_fen;
  sp_time at;
  sp_repay_result result;
  uint64_t transfer_id; /* the draw's transfer */
} sp__ref_data;

/* Looks up ref for this request: SP_ENOTFOUND (new), SP_OK (a replay:
 * *out holds the first result) or SP_EEXISTS (another request). */
int sp__ref_check(sp_book *b, const char *ref, const sp__ref_data *req,
                  sp__ref_data *out, sp_error *err);

/* The start of a money operation (op 1 draw, 2 repay, 3 pending draw): checks
 * the amount, loads the loan into *l and looks ref up. On SP_OK with *replayed
 * == 0 the caller owns *l and proceeds; with *replayed == 1 the ref was seen
 * with this same request, *first holds what it did, and nothing is
 * loaded. */
int sp__op_begin(sp_book *b, const char *id, uint32_t op, int64_t amount_fen,
                 sp_time at, const char *ref, sp__loan *l, sp__ref_data *req,
                 sp__ref_data *first, int *replayed, sp_error *err);

/* Term loans: reschedules the installments after `day` when prepay_fen of
 * principal is paid early (see term.c). */
int sp__term_prepay(sp__loan *loan, sp_date day, int64_t prepay_fen,
                    sp_error *err);

#endif
