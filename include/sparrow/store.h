/* Storage: one small interface for every backend.
 *
 * The ledger and the loan book persist through these calls only, so a
 * PostgreSQL backend can implement the same table and pass the same tests.
 * The default backend is a SQLite file in WAL mode with synchronous=FULL:
 * a commit that returned SP_OK survives a crash or power loss. */
#ifndef SPARROW_STORE_H
#define SPARROW_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "sparrow/error.h"
#include "sparrow/ledger.h"

typedef struct sp_store_ops sp_store_ops;

/* A stored blob record: the loan book keeps its records here, keyed by a
 * number and a unique external id (e.g. "L1"). */
typedef struct sp_record {
  uint64_t no;      /* non-zero */
  const char *key;  /* unique external id, NUL-terminated */
  uint32_t kind;    /* what the blob holds */
  const void *data; /* owned by the caller on put; by the store on scan/get */
  size_t size;
} sp_record;

typedef int (*sp_account_fn)(void *ctx, const sp_account *account);
typedef int (*sp_transfer_fn)(void *ctx, const sp_transfer *transfer);
typedef int (*sp_record_fn)(void *ctx, const sp_record *record);
typedef int (*sp_state_fn)(void *ctx, uint64_t no, const void *data,
                           size_t size);

/* A record's state: the small part of it that changes often (a loan's
 * carried interest and closed-through day), at most this many bytes. */
#define SP_STORE_STATE_MAX 160

struct sp_store_ops {
  const char *name;
  void (*close)(sp_store *s);
  int (*begin)(sp_store *s, sp_error *err);
  int (*commit)(sp_store *s, sp_error *err);
  void (*rollback)(sp_store *s);
  /* Group commit: between batch_begin and batch_end every begin / commit /
   * rollback above is a savepoint inside one transaction (undone alone on
   * rollback), made durable together by batch_end(commit = 1); with
   * commit = 0, or if it fails, the whole batch is undone and the caller
   * must reload whatever it cached (e.g. reopen the book). */
  int (*batch_begin)(sp_store *s, sp_error *err);
  int (*batch_end)(sp_store *s, int commit, sp_error *err);
  int (*account_get)(sp_store *s, uint64_t id, sp_account *out, sp_error *err);
  int (*account_put)(sp_store *s, const sp_account *a, sp_error *err);
  /* Updates the four sums of a stored account (faster than put). */
  int (*account_update)(sp_store *s, const sp_account *a, sp_error *err);
  int (*account_scan)(sp_store *s, sp_account_fn fn, void *ctx, sp_error *err);
  /* Accounts with first <= id < end, in id order. */
  int (*account_scan_range)(sp_store *s, uint64_t first, uint64_t end,
                            sp_account_fn fn, void *ctx, sp_error *err);
  int (*transfer_get)(sp_store *s, uint64_t id, sp_transfer *out,
                      int *pending_state, sp_error *err);
  int (*transfer_put)(sp_store *s, const sp_transfer *t, int pending_state,
                      sp_error *err);
  int (*transfer_set_state)(sp_store *s, uint64_t id, int pending_state,
                            sp_error *err);
  int (*transfer_scan)(sp_store *s, sp_transfer_fn fn, void *ctx,
                       sp_error *err);
  /* The transfers of one owner (non-zero) in id order, daily accruals
   * (sp_loan_code 5 and 6, which close of day writes for every loan) left
   * out; read through an index, not a scan of every transfer. */
  int (*transfer_scan_owner)(sp_store *s, uint64_t owner, sp_transfer_fn fn,
                             void *ctx, sp_error *err);
  /* The transfers of one code (not a daily accrual) with time >= since, in
   * time order, read through an index. */
  int (*transfer_scan_code)(sp_store *s, uint16_t code, sp_time since,
                            sp_transfer_fn fn, void *ctx, sp_error *err);
  int (*transfer_id_max)(sp_store *s, uint64_t *out, sp_error *err);
  /* Records: get by key (SP_ENOTFOUND), put (insert or replace by no). The
   * record passed to get's callback lives until the callback returns. */
  int (*record_get)(sp_store *s, const char *key, sp_record_fn fn, void *ctx,
                    sp_error *err);
  int (*record_put)(sp_store *s, const sp_record *r, sp_error *err);
  /* The records of a kind in record-number order, from number after + 1
   * on, at most limit of them (SIZE_MAX: all; a report reads a large book
   * a window at a time). */
  int (*record_scan_from)(sp_store *s, uint32_t kind, uint64_t after,
                          size_t limit, sp_record_fn fn, void *ctx,
                          sp_error *err);
  int (*record_no_max)(sp_store *s, uint64_t *out, sp_error *err);
  /* Record states, by record number, kept apart from the records so that
   * rewriting the states of many records is cheap (SQLite: 64 to a row,
   * each changed row written once per commit). get copies the state into
   * buf (SP_STORE_STATE_MAX bytes) and sets *size, or returns
   * SP_ENOTFOUND; put takes 1..SP_STORE_STATE_MAX bytes; scan_range calls
   * fn in record-number order for records first <= no < end. */
  int (*state_get)(sp_store *s, uint64_t no, void *buf, size_t *size,
                   sp_error *err);
  int (*state_put)(sp_store *s, uint64_t no, const void *data, size_t size,
                   sp_error *err);
  int (*state_scan_range)(sp_store *s, uint64_t first, uint64_t end,
                          sp_state_fn fn, void *ctx, sp_error *err);
  /* Small named integers (e.g. the last closed business day). */
  int (*meta_get)(sp_store *s, const char *key, int64_t *out, sp_error *err);
  int (*meta_put)(sp_store *s, const char *key, int64_t value, sp_error *err);
  /* Opens a second, read-only connection to the same data, for another
   * thread: close of day loads accounts on it while this one reads loans.
   * Closed with its own close. */
  int (*open_reader)(sp_store *s, sp_store **out, sp_error *err);
  /* A read transaction: every read between read_begin and read_end sees
   * the store as one commit left it, however many commits its writer makes
   * meanwhile on another connection (a report's numbers agree with each
   * other). Not inside begin / commit or a batch. */
  int (*read_begin)(sp_store *s, sp_error *err);
  void (*read_end)(sp_store *s);
};

struct sp_store {
  const sp_store_ops *ops;
};

/* Opens (creating if needed) a SQLite store; the schema is versioned and
 * migrated on open. */
int sp_store_open_sqlite(const char *path, sp_store **out, sp_error *err);

/* Opens a store that must already exist (for read-mostly commands). */
int sp_store_open_sqlite_existing(const char *path, sp_store **out,
                                  sp_error *err);

/* Opens a store to read beside its writer, on a connection of its own (WAL
 * lets it read while the writer commits): it creates, migrates and writes
 * nothing, and does not checkpoint the WAL when it closes; SP_ENOTFOUND
 * when there is no store at path, SP_ESTATE when the file is at another
 * schema version. sp_store_sqlite_query_only has SQLite refuse every
 * write through its connection; modules that keep tables in the same file
 * may read on it (sp_svc_open_store_reader), so that one read transaction
 * covers theirs too. */
int sp_store_open_sqlite_reader(const char *path, sp_store **out,
                                sp_error *err);
int sp_store_sqlite_query_only(sp_store *s, sp_error *err);

/* The sqlite3 connection of a SQLite store (NULL for other backends), for
 * modules that keep tables of their own in the same file and must write
 * them in the same transactions (the service tables, sparrow/svc.h). It
 * stays owned by the store. */
void *sp_store_sqlite_handle(sp_store *s);

/* Deletes a SQLite database file with its -wal and -shm companions;
 * returns SP_OK when none of them is left. */
int sp_store_remove_sqlite(const char *path);

static inline void sp_store_close(sp_store *s) {
  if (s != NULL)
    s->ops->close(s);
}
static inline int sp_store_begin(sp_store *s, sp_error *err) {
  return s->ops->begin(s, err);
}
static inline int sp_store_commit(sp_store *s, sp_error *err) {
  return s->ops->commit(s, err);
}
static inline void sp_store_rollback(sp_store *s) { s->ops->rollback(s); }

#endif
