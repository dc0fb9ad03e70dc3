/* The double-entry ledger.
 *
 * Accounts hold four running sums (debits and credits, posted and
 * pending); a transfer moves a positive amount from a debit account to a
 * credit account atomically. Every transfer carries a client-chosen id:
 * the same id with the same payload is a replay that changes nothing, the
 * same id with another payload is rejected (SP_EEXISTS).
 *
 * Two-phase transfers: a PENDING transfer reserves the amount in the
 * pending sums (and in the balance constraints); a later POST_PENDING
 * transfer posts it (all of it, or a smaller amount) and VOID_PENDING
 * releases it. Balance constraints are account flags.
 *
 * Work is applied in memory first (sp_ledger_submit: one call is all or
 * nothing) and made durable by sp_ledger_commit, which writes every
 * transfer and every touched account of the window in one store
 * transaction. Balances are thus maintained in memory and written once
 * per account per commit, however many transfers touched them. If the
 * store fails to commit, the window is dropped and the account cache is
 * emptied, so accounts reload from the store: memory never runs ahead of
 * what is durable. */
#ifndef SPARROW_LEDGER_H
#define SPARROW_LEDGER_H

#include <stddef.h>
#include <stdint.h>

#include "sparrow/date.h"
#include "sparrow/error.h"

typedef struct sp_store sp_store;
typedef struct sp_ledger sp_ledger;

typedef enum sp_account_kind {
  SP_ACCOUNT_ASSET = 1,
  SP_ACCOUNT_LIABILITY = 2,
  SP_ACCOUNT_EQUITY = 3,
  SP_ACCOUNT_INCOME = 4,
  SP_ACCOUNT_EXPENSE = 5
} sp_account_kind;

/* Account flags: the constraint holds on posted plus pending amounts. */
#define SP_ACCOUNT_DEBITS_MUST_NOT_EXCEED_CREDITS 0x1u
#define SP_ACCOUNT_CREDITS_MUST_NOT_EXCEED_DEBITS 0x2u

#define SP_LEDGER_CNY 156u /* ISO 4217 numeric code as the ledger id */
#define SP_ACCOUNT_NAME_MAX 47

typedef struct sp_account {
  uint64_t id;       /* non-zero */
  uint64_t owner_id; /* the loan (or 0 for the lender's own accounts) */
  int64_t debits_posted_fen;
  int64_t credits_posted_fen;
  int64_t debits_pending_fen;
  int64_t credits_pending_fen;
  uint32_t ledger; /* currency; transfers only move within one ledger */
  uint16_t kind;   /* sp_account_kind */
  uint16_t flags;  /* SP_ACCOUNT_... */
  char name[SP_ACCOUNT_NAME_MAX + 1];
} sp_account;

#define SP_TRANSFER_PENDING 0x1u
#define SP_TRANSFER_POST_PENDING 0x2u
#define SP_TRANSFER_VOID_PENDING 0x4u

/* State of a pending transfer, as stored. */
typedef enum sp_pending_state {
  SP_PENDING_NONE = 0, /* not a pending transfer */
  SP_PENDING_OPEN = 1,
  SP_PENDING_POSTED = 2,
  SP_PENDING_VOIDED = 3
} sp_pending_state;

typedef struct sp_transfer {
  uint64_t id; /* client-chosen, non-zero */
  uint64_t debit_account_id;
  uint64_t credit_account_id;
  int64_t amount_fen;  /* > 0; for POST_PENDING 0 means the full amount */
  uint64_t pending_id; /* for POST_PENDING / VOID_PENDING */
  uint64_t owner_id;   /* the loan it belongs to, 0 if none */
  sp_time time;        /* business time of the movement */
  uint32_t ledger;
  uint16_t code; /* what it is for (sp_loan_code for loans) */
  uint16_t flags;
} sp_transfer;

/* Per-transfer outcome of sp_ledger_submit. */
#define SP_TRANSFER_CREATED 0
#define SP_TRANSFER_REPLAYED 1

/* Bounds. A single submit holds at most SP_LEDGER_SUBMIT_MAX transfers; a
 * window (work between commits) at most SP_LEDGER_WINDOW_MAX. */
#define SP_LEDGER_SUBMIT_MAX 8190
#define SP_LEDGER_WINDOW_MAX 65536

/* Opens a ledger over an open store (not owned). */
int sp_ledger_open(sp_store *store, sp_ledger **out, sp_error *err);
/* Frees the ledger; uncommitted work is discarded. */
void sp_ledger_close(sp_ledger *ledger);

/* Loads every account into memory (for bulk work such as close of day);
 * otherwise accounts are read from the store on first use. */
int sp_ledger_preload(sp_ledger *ledger, sp_error *err);
/* Reserves room for n accounts in the cache, so that a bulk load does not
 * grow it step by step. */
int sp_ledger_reserve(sp_ledger *ledger, size_t n, sp_error *err);
/* Loads the accounts with first <= id < end. */
int sp_ledger_preload_range(sp_ledger *ledger, uint64_t first, uint64_t end,
                            sp_error *err);
/* The same, read through `from` (a reader of the ledger's store, see
 * sp_store_ops.open_reader), so that it may run on another thread while
 * the ledger's own thread does something that does not touch the ledger. */
int sp_ledger_preload_range_from(sp_ledger *ledger, struct sp_store *from,
                                 uint64_t first, uint64_t end, sp_error *err);

/* Creates accounts (all or nothing). An account that exists with the same
 * definition is a replay; with another definition, SP_EEXISTS. Balances
 * given must be zero. Takes effect at the next commit. */
int sp_ledger_create_accounts(sp_ledger *ledger, const sp_account *accounts,
                              size_t n, sp_error *err);

/* Applies n transfers in memory, all or nothing. status (may be NULL)
 * receives SP_TRANSFER_CREATED or SP_TRANSFER_REPLAYED per transfer. On
 * failure err names the transfer ("transfers[3].amount") and nothing of
 * the call remains applied. */
int sp_ledger_submit(sp_ledger *ledger, const sp_transfer *transfers, size_t n,
                     int *status, sp_error *err);

/* Writes the window (transfers, pending states, touched accounts) and
 * commits. `also`, when not NULL, runs inside the same store transaction
 * before commit (for the caller's own rows); its failure aborts all. */
typedef int (*sp_ledger_also_fn)(void *ctx, sp_store *store, sp_error *err);
int sp_ledger_commit(sp_ledger *ledger, sp_ledger_also_fn also, void *ctx,
                     sp_error *err);

/* Drops the uncommitted window, restoring balances as of the last commit. */
void sp_ledger_discard(sp_ledger *ledger);

/* Reads an account as the ledger sees it now (uncommitted work included). */
int sp_ledger_account(sp_ledger *ledger, uint64_t id, sp_account *out,
                      sp_error *err);

/* Looks up a committed or uncommitted transfer. */
int sp_ledger_transfer(sp_ledger *ledger, uint64_t id, sp_transfer *out,
                       sp_error *err);

/* One more than the highest transfer id seen: a convenient next id for
 * clients that number transfers sequentially (which is also the fastest
 * order for the store). */
uint64_t sp_ledger_next_id(const sp_ledger *ledger);

/* Account balance in the account's normal direction: debits - credits
 * for assets and expenses, credits - debits otherwise (posted only). */
int64_t sp_account_balance_fen(const sp_account *account);

/* Checks the committed ledger in the store: the sum of all debits equals
 * the sum of all credits (posted and pending), every account's sums equal
 * the sums of its transfers, and every constraint holds. On failure err
 * says what differs. Reports totals when the out pointers are not NULL. */
typedef struct sp_ledger_totals {
  uint64_t accounts;
  uint64_t transfers;
  int64_t debits_posted_fen;
  int64_t credits_posted_fen;
  int64_t debits_pending_fen;
  int64_t credits_pending_fen;
} sp_ledger_totals;
int sp_ledger_verify(sp_store *store, sp_ledger_totals *totals, sp_error *err);

/* Group commit: many threads submit, each waits until its own transfers
 * are durable, and one fsync serves all that arrived meanwhile. Each
 * request stays atomic and independent: one request's failure does not
 * fail another's. The ledger must not be used directly while a group is
 * open on it. */
typedef struct sp_ledger_group sp_ledger_group;
int sp_ledger_group_open(sp_ledger *ledger, sp_ledger_group **out,
                         sp_error *err);
void sp_ledger_group_close(sp_ledger_group *group);
/* Thread-safe. Returns when the transfers are committed (or failed). */
int sp_ledger_group_submit(sp_ledger_group *group, const sp_transfer *transfers,
                           size_t n, int *status, sp_error *err);

#endif
