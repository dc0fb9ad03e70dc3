/* The SQLite storage backend.
 *
 * One file in WAL mode with synchronous=FULL, so that a commit that
 * returned is durable. Tables: meta (named integers), account_chunks (what
 * 64 consecutive accounts are, each written once) and balance_chunks (the
 * four sums of 64
 * consecutive accounts per row, see chunks.h: a transaction's balance
 * writes gather in a cache and each changed chunk is written once, just
 * before the commit; definitions are cached and written the same way),
 * record_states (the often rewritten part of 64 records per row, the
 * same again), transfers
 * (id is the INTEGER PRIMARY KEY: sequential ids append at the end of the
 * B-tree, the fastest insert order), and records (blobs of the loan book).
 * The schema carries a version in PRAGMA user_version and is migrated on
 * open. Every statement is prepared once and reused. A batch (group
 * commit) turns the transactions inside it into savepoints. */
#include <assert.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sparrow/store.h"
#include "store/chunks.h"
#include "store/migrate.h"
#include "store/walbuf.h"

enum {
  ST_BEGIN,
  ST_COMMIT,
  ST_ROLLBACK,
  ST_SAVEPOINT,
  ST_RELEASE,
  ST_ROLLBACK_TO,
  ST_DEFS_GET,
  ST_DEFS_PUT,
  ST_DEFS_SCAN,
  ST_CHUNK_GET,
  ST_CHUNK_PUT,
  ST_CHUNK_SCAN,
  ST_STATES_GET,
  ST_STATES_PUT,
  ST_STATES_SCAN,
  ST_TRANSFER_GET,
  ST_TRANSFER_PUT,
  ST_TRANSFER_SET_STATE,
  ST_TRANSFER_SCAN,
  ST_TRANSFER_SCAN_OWNER,
  ST_TRANSFER_SCAN_CODE,
  ST_TRANSFER_ID_MAX,
  ST_RECORD_GET,
  ST_RECORD_UPDATE,
  ST_RECORD_PUT,
  ST_RECORD_SCAN,
  ST_RECORD_NO_MAX,
  ST_META_GET,
  ST_META_PUT,
  ST_READ_BEGIN,
  ST_READ_END,
  ST_COUNT
};

#define TRANSFER_COLUMNS                                                       \
  "SELECT id, debit_account_id, credit_account_id, amount, pending_id, "       \
  "owner_id, time, ledger, code, flags, pending_state FROM transfers "
/* Transfers other than daily accruals (sp_loan_code 5 and 6): the WHERE of
 * migration 5's partial indexes, which a query must repeat to use them. */
#define NOT_ACCRUAL "code NOT IN (5, 6)"

static const char *const statement_sql[ST_COUNT] = {
    [ST_BEGIN] = "BEGIN IMMEDIATE",
    [ST_COMMIT] = "COMMIT",
    [ST_ROLLBACK] = "ROLLBACK",
    [ST_SAVEPOINT] = "SAVEPOINT sp_batch_item",
    [ST_RELEASE] = "RELEASE sp_batch_item",
    [ST_ROLLBACK_TO] = "ROLLBACK TO sp_batch_item",
    [ST_DEFS_GET] = "SELECT defs FROM account_chunks WHERE chunk = ?1",
    [ST_DEFS_PUT] = "INSERT INTO account_chunks(chunk, defs) VALUES(?1, ?2) "
                    "ON CONFLICT(chunk) DO UPDATE SET defs = excluded.defs",
    [ST_DEFS_SCAN] = "SELECT chunk, defs FROM account_chunks WHERE chunk >= "
                     "?1 AND chunk <= ?2 ORDER BY chunk",
    [ST_CHUNK_GET] = "SELECT sums FROM balance_chunks WHERE chunk = ?1",
    [ST_CHUNK_PUT] = "INSERT INTO balance_chunks(chunk, sums) VALUES(?1, ?2) "
                     "ON CONFLICT(chunk) DO UPDATE SET sums = excluded.sums",
    [ST_CHUNK_SCAN] = "SELECT chunk, sums FROM balance_chunks WHERE chunk >= "
                      "?1 AND chunk <= ?2 ORDER BY chunk",
    [ST_STATES_GET] = "SELECT data FROM record_states WHERE chunk = ?1",
    [ST_STATES_PUT] = "INSERT INTO record_states(chunk, data) VALUES(?1, ?2) "
                      "ON CONFLICT(chunk) DO UPDATE SET data = excluded.data",
    [ST_STATES_SCAN] = "SELECT chunk, data FROM record_states WHERE chunk >= "
                       "?1 AND chunk <= ?2 ORDER BY chunk",
    [ST_TRANSFER_GET] = TRANSFER_COLUMNS "WHERE id = ?1",
    [ST_TRANSFER_PUT] =
        "INSERT INTO transfers(id, debit_account_id, credit_account_id, "
        "amount, pending_id, owner_id, time, ledger, code, flags, "
        "pending_state) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
    [ST_TRANSFER_SET_STATE] =
        "UPDATE transfers SET pending_state = ?2 WHERE id = ?1",
    [ST_TRANSFER_SCAN] = TRANSFER_COLUMNS "ORDER BY id",
    [ST_TRANSFER_SCAN_OWNER] = TRANSFER_COLUMNS
    "WHERE owner_id = ?1 AND owner_id != 0 AND " NOT_ACCRUAL " "
    "ORDER BY id",
    [ST_TRANSFER_SCAN_CODE] =
        TRANSFER_COLUMNS "WHERE code = ?1 AND time >= ?2 AND " NOT_ACCRUAL " "
                         "ORDER BY code, time",
    [ST_TRANSFER_ID_MAX] = "SELECT coalesce(max(id), 0) FROM transfers",
    [ST_RECORD_GET] = "SELECT no, key, kind, data FROM records WHERE key = ?1",
    /* In place: the unique key index is not touched when a record changes.
     * A plain update by rowid first (the common case: close of day rewrites
     * every loan), the upsert only for a new record. */
    [ST_RECORD_UPDATE] = "UPDATE records SET data = ?3 WHERE no = ?1 AND "
                         "key = ?2",
    [ST_RECORD_PUT] = "INSERT INTO records(no, key, kind, data) "
                      "VALUES(?1, ?2, ?3, ?4) ON CONFLICT(no) DO UPDATE SET "
                      "data = excluded.data WHERE key = excluded.key",
    [ST_RECORD_SCAN] = "SELECT no, key, kind, data FROM records WHERE kind = "
                       "?1 AND no > ?2 ORDER BY no LIMIT ?3",
    [ST_RECORD_NO_MAX] = "SELECT coalesce(max(no), 0) FROM records",
    [ST_META_GET] = "SELECT value FROM meta WHERE key = ?1",
    [ST_META_PUT] = "INSERT INTO meta(key, value) VALUES(?1, ?2) "
                    "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
    /* Deferred: the snapshot is taken by the first read after it. */
    [ST_READ_BEGIN] = "BEGIN",
    [ST_READ_END] = "COMMIT",
};

/* Migrations, applied in order; user_version counts those applied. Each is
 * SQL and optionally a step in C run after it (same transaction). */
static const struct {
  const char *sql;
  int (*then)(sqlite3 *db);
} migrations[] = {
    {
        "CREATE TABLE meta(key TEXT PRIMARY KEY, value INTEGER NOT NULL) "
        "WITHOUT ROWID;"
        "CREATE TABLE accounts(id INTEGER PRIMARY KEY, owner_id INTEGER NOT "
        "NULL,"
        " ledger INTEGER NOT NULL, kind INTEGER NOT NULL, flags INTEGER NOT "
        "NULL,"
        " name TEXT NOT NULL);"
        "CREATE TABLE balances(id INTEGER PRIMARY KEY,"
        " debits_posted INTEGER NOT NULL, credits_posted INTEGER NOT NULL,"
        " debits_pending INTEGER NOT NULL, credits_pending INTEGER NOT NULL);"
        "CREATE TABLE transfers(id INTEGER PRIMARY KEY,"
        " debit_account_id INTEGER NOT NULL, credit_account_id INTEGER NOT "
        "NULL,"
        " amount INTEGER NOT NULL, pending_id INTEGER NOT NULL,"
        " owner_id INTEGER NOT NULL, time INTEGER NOT NULL,"
        " ledger INTEGER NOT NULL, code INTEGER NOT NULL, flags INTEGER NOT "
        "NULL,"
        " pending_state INTEGER NOT NULL);"
        "CREATE TABLE records(no INTEGER PRIMARY KEY, key TEXT NOT NULL UNIQUE,"
        " kind INTEGER NOT NULL, data BLOB NOT NULL);",
        NULL,
    },
    /* 2: balances move into chunk rows of 64 accounts (chunks.h). */
    {"CREATE TABLE balance_chunks(chunk INTEGER PRIMARY KEY,"
     " sums BLOB NOT NULL);",
     sp__migrate_balances},
    /* 3: record states in chunk rows of 64 records (chunks.h). */
    {"CREATE TABLE record_states(chunk INTEGER PRIMARY KEY,"
     " data BLOB NOT NULL);",
     NULL},
    /* 4: account definitions in chunk rows of 64 accounts (chunks.h). */
    {"CREATE TABLE account_chunks(chunk INTEGER PRIMARY KEY,"
     " defs BLOB NOT NULL);",
     sp__migrate_accounts},
    /* 5: an owner's transfers, and those of a code since a time, without
     * reading the others; daily accruals (sp_loan_code 5 and 6) left out:
     * close of day writes one for every loan, and indexing them cost it a
     * quarter of its time. */
    {"CREATE INDEX transfers_owner ON transfers(owner_id, id) WHERE "
     "owner_id != 0 AND " NOT_ACCRUAL ";"
     "CREATE INDEX transfers_code ON transfers(code, time) WHERE " NOT_ACCRUAL
     ";",
     NULL},
};

#define TRANSFER_ROWS 32

typedef struct sqlite_store {
  sp_store base;
  sqlite3 *db;
  sqlite3_stmt *st[ST_COUNT];
  int batch;              /* inside batch_begin: transactions are savepoints */
  sp__chunk_cache chunks; /* balance chunks changed, not yet written */
  sp__chunk_cache states; /* state chunks changed, not yet written */
  sp__chunk_cache defs;   /* account definition chunks, the same */
  sp__states *scratch;    /* a slot chunk read for one lookup */
  sqlite3_stmt *put_rows; /* inserts TRANSFER_ROWS transfers */
  sp_transfer queued[TRANSFER_ROWS]; /* transfers not yet inserted */
  int queued_state[TRANSFER_ROWS];
  size_t n_queued;
} sqlite_store;

static int db_error(sqlite_store *s, sp_error *err, const char *what) {
  return sp_error_set(err, SP_ESTORE, "store", "sqlite: %s: %s", what,
                      sqlite3_errmsg(s->db));
}

/* Runs a statement that returns no rows, then resets it. */
static int step_done(sqlite_store *s, sqlite3_stmt *st, sp_error *err,
                     const char *what) {
  int rc = sqlite3_step(st);
  sqlite3_reset(st); /* every parameter is bound again on each use */
  if (rc == SQLITE_DONE)
    return SP_OK;
  if (rc == SQLITE_CONSTRAINT)
    return sp_error_set(err, SP_EEXISTS, "store", "sqlite: %s: %s", what,
                        sqlite3_errmsg(s->db));
  return db_error(s, err, what);
}

static int flush_transfers(sqlite_store *s, sp_error *err);

/* Inside a batch, each transaction is a savepoint of the batch's one
 * transaction: it can be undone alone, and the batch's commit makes all of
 * them durable with one sync. */
static int st_begin(sp_store *base, sp_error *err) {
  sqlite_store *s = (sqlite_store *)base;
  assert(s->chunks.n == 0 && s->states.n == 0 && s->defs.n == 0);
  assert(s->n_queued == 0);
  return step_done(s, s->st[s->batch ? ST_SAVEPOINT : ST_BEGIN], err, "begin");
}

/* Writes the slot chunks of a cache with statement `put`. */
static int flush_slots(sqlite_store *s, sp__chunk_cache *c, int put,
                       sp_error *err) {
  sqlite3_stmt *st = s->st[put];
  static_assert(SP__STATES_BYTES_MAX <= 16384, "stack");
  uint8_t blob[SP__STATES_BYTES_MAX];
  int rc = SP_OK;
  for (size_t i = 0; rc == SP_OK && i < c->n; i++) {
    const sp__states *k = sp__chunks_at(c, i);
    size_t size = sp__states_encode(k, blob);
    sqlite3_bind_int64(st, 1, (sqlite3_int64)k->no);
    sqlite3_bind_blob(st, 2, blob, (int)size, SQLITE_STATIC);
    rc = step_done(s, st, err, "chunk put");
  }
  return rc;
}

/* Writes the chunks changed in this transaction, each once. */
static int flush_chunks(sqlite_store *s, sp_error *err) {
  sqlite3_stmt *st = s->st[ST_CHUNK_PUT];
  uint8_t blob[SP__CHUNK_BYTES];
  int rc = SP_OK;
  for (size_t i = 0; rc == SP_OK && i < s->chunks.n; i++) {
    const sp__chunk *k = sp__chunks_at(&s->chunks, i);
    sp__chunk_encode(k, blob);
    sqlite3_bind_int64(st, 1, (sqlite3_int64)k->no);
    sqlite3_bind_blob(st, 2, blob, SP__CHUNK_BYTES, SQLITE_STATIC);
    rc = step_done(s, st, err, "balance chunk put");
  }
  sp__chunks_clear(&s->chunks);
  if (rc == SP_OK)
    rc = flush_slots(s, &s->states, ST_STATES_PUT, err);
  if (rc == SP_OK)
    rc = flush_slots(s, &s->defs, ST_DEFS_PUT, err);
  sp__chunks_clear(&s->states);
  sp__chunks_clear(&s->defs);
  return rc;
}

static int st_commit(sp_store *base, sp_error *err) {
  sqlite_store *s = (sqlite_store *)base;
  int rc = flush_transfers(s, err);
  if (rc == SP_OK)
    rc = flush_chunks(s, err);
  if (rc != SP_OK) { /* the caller rolls back: nothing more to write */
    sp__chunks_clear(&s->chunks);
    sp__chunks_clear(&s->states);
    sp__chunks_clear(&s->defs);
  }
  if (rc != SP_OK)
    return rc;
  return step_done(s, s->st[s->batch ? ST_RELEASE : ST_COMMIT], err, "commit");
}

static void st_rollback(sp_store *base) {
  sqlite_store *s = (sqlite_store *)base;
  sp__chunks_clear(&s->chunks);
  sp__chunks_clear(&s->states);
  sp__chunks_clear(&s->defs);
  s->n_queued = 0;
  if (s->batch) {
    step_done(s, s->st[ST_ROLLBACK_TO], NULL, "rollback to");
    step_done(s, s->st[ST_RELEASE], NULL, "release");
  } else if (!sqlite3_get_autocommit(s->db)) {
    step_done(s, s->st[ST_ROLLBACK], NULL, "rollback");
  }
}

static int st_batch_begin(sp_store *base, sp_error *err) {
  sqlite_store *s = (sqlite_store *)base;
  assert(!s->batch);
  int rc = step_done(s, s->st[ST_BEGIN], err, "batch begin");
  s->batch = rc == SP_OK;
  return rc;
}

static int st_batch_end(sp_store *base, int commit, sp_error *err) {
  sqlite_store *s = (sqlite_store *)base;
  assert(s->batch);
  s->batch = 0;
  int rc = commit ? step_done(s, s->st[ST_COMMIT], err, "batch commit") : SP_OK;
  if ((rc != SP_OK || !commit) && !sqlite3_get_autocommit(s->db))
    step_done(s, s->st[ST_ROLLBACK], NULL, "batch rollback");
  return rc;
}

static int slots_load(sqlite_store *s, int get, uint64_t no, sp__states *out,
                      sp_error *err);

/* Reads chunk `no` as stored (zero when it has no row yet). */
static int chunk_load(sqlite_store *s, uint64_t no, sp__chunk *out,
                      sp_error *err) {
  sqlite3_stmt *st = s->st[ST_CHUNK_GET];
  sqlite3_bind_int64(st, 1, (sqlite3_int64)no);
  int rc = sqlite3_step(st), bad = 0;
  memset(out, 0, sizeof *out);
  out->no = no;
  if (rc == SQLITE_ROW)
    bad = sp__chunk_decode(sqlite3_column_blob(st, 0),
                           (size_t)sqlite3_column_bytes(st, 0), no, out);
  sqlite3_reset(st);
  if (bad != SP_OK)
    return sp_error_set(err, SP_ESTORE, "db", "balance chunk %llu: unreadable",
                        (unsigned long long)no);
  if (rc == SQLITE_ROW || rc == SQLITE_DONE)
    return SP_OK;
  return db_error(s, err, "balance chunk get");
}

/* Sets an account's sums in its chunk, loading the chunk on first use. */
static int chunk_write(sqlite_store *s, const sp_account *a, sp_error *err) {
  uint64_t no = sp__chunk_of(a->id);
  sp__chunk *k = sp__chunks_find(&s->chunks, no);
  if (k == NULL) {
    k = sp__chunks_add(&s->chunks, no);
    if (k == NULL)
      return sp_error_set(err, SP_ENOMEM, "store", "out of memory");
    int rc = chunk_load(s, no, k, err);
    if (rc != SP_OK)
      return rc;
  }
  sp__chunk_set(k, sp__chunk_slot(a->id), a);
  return SP_OK;
}

/* The definitions chunk of account id: cached, or read into *stored. */
static int defs_of(sqlite_store *s, uint64_t id, sp__states *stored,
                   const sp__states **out, sp_error *err) {
  *out = sp__chunks_find(&s->defs, sp__chunk_of(id));
  if (*out != NULL)
    return SP_OK;
  *out = stored;
  return slots_load(s, ST_DEFS_GET, sp__chunk_of(id), stored, err);
}

static int st_account_get(sp_store *base, uint64_t id, sp_account *out,
                          sp_error *err) {
  sqlite_store *s = (sqlite_store *)base;
  sp__states *stored = s->scratch;
  const sp__states *d;
  size_t slot = sp__chunk_slot(id);
  int rc = defs_of(s, id, stored, &d, err);
  if (rc == SP_OK && d->len[slot] == 0)
    rc = SP_ENOTFOUND;
  memset(out, 0, sizeof *out);
  if (rc == SP_OK &&
      sp__def_decode(d->data[slot], d->len[slot], id, out) != SP_OK)
    rc = sp_error_set(err, SP_ESTORE, "db", "account %llu: unreadable",
                      (unsigned long long)id);
  if (rc != SP_OK)
    return rc;
  uint64_t no = sp__chunk_of(id);
  const sp__chunk *k = sp__chunks_find(&s->chunks, no);
  sp__chunk sums;
  if (k == NULL) {
    rc = chunk_load(s, no, &sums, err);
    k = &sums;
  }
  if (rc == SP_OK)
    sp__chunk_get(k, slot, out);
  return rc;
}

/* Creates an account (an existing definition is left as it is). */
static int st_account_put(sp_store *base, const sp_account *a, sp_error *err) {
  sqlite_store *s = (sqlite_store *)base;
  uint64_t no = sp__chunk_of(a->id);
  size_t slot = sp__chunk_slot(a->id);
  sp__states *d = sp__chunks_find(&s->defs, no);
  if (d == NULL) {
    d = sp__chunks_add(&s->defs, no);
    if (d == NULL)
      return sp_error_set(err, SP_ENOMEM, "store", "out of memory");
    int rc = slots_load(s, ST_DEFS_GET, no, d, err);
    if (rc != SP_OK)
      return rc;
  }
  static_assert(SP__DEF_MAX <= SP_STORE_STATE_MAX, "a definition fits");
  if (d->len[slot] == 0)
    d->len[slot] = (uint8_t)sp__def_encode(a, d->data[slot]);
  return chunk_write(s, a, err);
}

static int st_account_update(sp_store *base, const sp_account *a,
                             sp_error *err) {
  return chunk_write((sqlite_store *)base, a, err);
}

/* Steps the balance chunk scan cs to chunk `no` and reads its sums into k
 * (zero when it has no row). */
static int sums_at(sqlite3_stmt *cs, int *crc, uint64_t no, sp__chunk *k) {
  while (*crc == SQLITE_ROW && (uint64_t)sqlite3_column_int64(cs, 0) < no)
    *crc = sqlite3_step(cs);
  memset(k, 0, sizeof *k);
  k->no = no;
  if (*crc == SQLITE_ROW && (uint64_t)sqlite3_column_int64(cs, 0) == no)
    return sp__chunk_decode(sqlite3_column_blob(cs, 1),
                            (size_t)sqlite3_column_bytes(cs, 1), no, k);
  return SP_OK;
}

/* Calls fn for the accounts of one chunk with first <= id < end. */
static int chunk_accounts_each(const sp__states *d, const sp__chunk *k,
                               uint64_t first, uint64_t end, sp_account_fn fn,
                               void *ctx) {
  for (size_t i = 0; i < SP__CHUNK_SLOTS; i++) {
    uint64_t id = d->no * SP__CHUNK_SLOTS + i;
    if (d->len[i] == 0 || id < first || id >= end)
      continue;
    sp_account a;
    memset(&a, 0, sizeof a);
    if (sp__def_decode(d->data[i], d->len[i], id, &a) != SP_OK)
      return SP_ESTORE;
    sp__chunk_get(k, i, &a);
    int rc = fn(ctx, &a);
    if (rc != SP_OK)
      return rc;
  }
  return SP_OK;
}

/* Accounts with first <= id < end in id order: the definition chunks and
 * the balance chunks are read side by side, each in chunk order. */
static int scan_accounts(sqlite_store *s, uint64_t first, uint64_t end,
                         sp_account_fn fn, void *ctx, sp_error *err) {
  if (first >= end)
    return SP_OK;
  int rc =
      s->chunks.n + s->states.n + s->defs.n > 0 ? flush_chunks(s, err) : SP_OK;
  sp__states *d = malloc(sizeof *d);
  sp__chunk *k = malloc(sizeof *k);
  if (rc == SP_OK && (d == NULL || k == NULL))
    rc = sp_error_set(err, SP_ENOMEM, "store", "out of memory");
  sqlite3_stmt *ds = s->st[ST_DEFS_SCAN], *cs = s->st[ST_CHUNK_SCAN];
  for (int i = 0; i < 2; i++) {
    sqlite3_stmt *st = i == 0 ? ds : cs;
    sqlite3_bind_int64(st, 1, (sqlite3_int64)sp__chunk_of(first));
    sqlite3_bind_int64(st, 2, (sqlite3_int64)sp__chunk_of(end - 1));
  }
  int drc = SQLITE_DONE, crc = rc == SP_OK ? sqlite3_step(cs) : SQLITE_DONE;
  uint64_t no = 0;
  while (rc == SP_OK && (drc = sqlite3_step(ds)) == SQLITE_ROW) {
    no = (uint64_t)sqlite3_column_int64(ds, 0);
    rc = sp__states_decode(sqlite3_column_blob(ds, 1),
                           (size_t)sqlite3_column_bytes(ds, 1), no, d);
    if (rc == SP_OK)
      rc = sums_at(cs, &crc, no, k);
    if (rc == SP_OK)
      rc = chunk_accounts_each(d, k, first, end, fn, ctx);
  }
  sqlite3_reset(ds);
  sqlite3_reset(cs);
  free(d);
  free(k);
  if (rc == SP_ESTORE)
    return sp_error_set(err, rc, "db", "account chunk %llu: unreadable",
                        (unsigned long long)no);
  if (rc != SP_OK)
    return rc;
  if (drc != SQLITE_DONE || (crc != SQLITE_ROW && crc != SQLITE_DONE))
    return db_error(s, err, "account scan");
  return SP_OK;
}

static int st_account_scan(sp_store *base, sp_account_fn fn, void *ctx,
                           sp_error *err) {
  return scan_accounts((sqlite_store *)base, 1, INT64_MAX, fn, ctx, err);
}

static int st_account_scan_range(sp_store *base, uint64_t first, uint64_t end,
                                 sp_account_fn fn, void *ctx, sp_error *err) {
  return scan_accounts((sqlite_store *)base, first, end, fn, ctx, err);
}

static void read_transfer(sqlite3_stmt *st, sp_transfer *t, int *state) {
  memset(t, 0, sizeof *t);
  t->id = (uint64_t)sqlite3_column_int64(st, 0);
  t->debit_account_id = (uint64_t)sqlite3_column_int64(st, 1);
  t->credit_account_id = (uint64_t)sqlite3_column_int64(st, 2);
  t->amount_fen = sqlite3_column_int64(st, 3);
  t->pending_id = (uint64_t)sqlite3_column_int64(st, 4);
  t->owner_id = (uint64_t)sqlite3_column_int64(st, 5);
  t->time = sqlite3_column_int64(st, 6);
  t->ledger = (uint32_t)sqlite3_column_int64(st, 7);
  t->code = (uint16_t)sqlite3_column_int(st, 8);
  t->flags = (uint16_t)sqlite3_column_int(st, 9);
  if (state != NULL)
    *state = sqlite3_column_int(st, 10);
}

static int st_transfer_get(sp_store *base, uint64_t id, sp_transfer *out,
                           int *pending_state, sp_error *err) {
  sqlite_store *s = (sqlite_store *)base;
  sqlite3_stmt *st = s->st[ST_TRANSFER_GET];
  if (s->n_queued > 0) {
    int frc = flush_transfers(s, err);
    if (frc != SP_OK)
      return frc;
  }
  sqlite3_bind_int64(st, 1, (sqlite3_int64)id);
  int rc = sqlite3_step(st);
  if (rc == SQLITE_ROW)
    read_transfer(st, out, pending_state);
  sqlite3_reset(st);
  if (rc == SQLITE_ROW)
    return SP_OK;
  if (rc == SQLITE_DONE)
    return SP_ENOTFOUND;
  return db_error(s, err, "transfer get");
}

static void bind_transfer(sqlite3_stmt *st, int at, const sp_transfer *t,
                          int pending_state) {
  sqlite3_bind_int64(st, at + 1, (sqlite3_int64)t->id);
  sqlite3_bind_int64(st, at + 2, (sqlite3_int64)t->debit_account_id);
  sqlite3_bind_int64(st, at + 3, (sqlite3_int64)t->credit_account_id);
  sqlite3_bind_int64(st, at + 4, t->amount_fen);
  sqlite3_bind_int64(st, at + 5, (sqlite3_int64)t->pending_id);
  sqlite3_bind_int64(st, at + 6, (sqlite3_int64)t->owner_id);
  sqlite3_bind_int64(st, at + 7, t->time);
  sqlite3_bind_int64(st, at + 8, t->ledger);
  sqlite3_bind_int(st, at + 9, t->code);
  sqlite3_bind_int(st, at + 10, t->flags);
  sqlite3_bind_int(st, at + 11, pending_state);
}

/* Inserts the queued transfers: a full queue with one statement of
 * TRANSFER_ROWS rows, a partial one row by row. */
static int flush_transfers(sqlite_store *s, sp_error *err) {
  int rc = SP_OK;
  if (s->n_queued == TRANSFER_ROWS) {
    for (size_t i = 0; i < TRANSFER_ROWS; i++)
      bind_transfer(s->put_rows, (int)(11 * i), &s->queued[i],
                    s->queued_state[i]);
    rc = step_done(s, s->put_rows, err, "transfer put");
  } else {
    for (size_t i = 0; rc == SP_OK && i < s->n_queued; i++) {
      bind_transfer(s->st[ST_TRANSFER_PUT], 0, &s->queued[i],
                    s->queued_state[i]);
      rc = step_done(s, s->st[ST_TRANSFER_PUT], err, "transfer put");
    }
  }
  s->n_queued = 0;
  return rc;
}

/* Queued, and inserted in groups (before the commit or any read of
 * transfers at the latest): one statement per row is most of a row's
 * cost. A duplicate id fails the flush, and so the commit. */
static int st_transfer_put(sp_store *base, const sp_transfer *t,
                           int pending_state, sp_error *err) {
  sqlite_store *s = (sqlite_store *)base;
  assert(s->n_queued < TRANSFER_ROWS);
  s->queued[s->n_queued] = *t;
  s->queued_state[s->n_queued++] = pending_state;
  return s->n_queued == TRANSFER_ROWS ? flush_transfers(s, err) : SP_OK;
}

static int st_transfer_set_state(sp_store *base, uint64_t id, int state,
                                 sp_error *err) {
  sqlite_store *s = (sqlite_store *)base;
  sqlite3_stmt *st = s->st[ST_TRANSFER_SET_STATE];
  int rc = s->n_queued > 0 ? flush_transfers(s, err) : SP_OK;
  if (rc != SP_OK)
    return rc;
  sqlite3_bind_int64(st, 1, (sqlite3_int64)id);
  sqlite3_bind_int(st, 2, state);
  return step_done(s, st, err, "transfer state");
}

static int scan_transfers(sqlite_store *s, sqlite3_stmt *st, sp_transfer_fn fn,
                          void *ctx, sp_error *err) {
  int rc = s->n_queued > 0 ? flush_transfers(s, err) : SP_OK, user = SP_OK;
  if (rc != SP_OK)
    return rc;
  sp_transfer t;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    read_transfer(st, &t, NULL);
    if ((user = fn(ctx, &t)) != SP_OK)
      break;
  }
  sqlite3_reset(st);
  if (user != SP_OK)
    return user;
  return rc == SQLITE_DONE ? SP_OK : db_error(s, err, "transfer scan");
}

static int st_transfer_scan(sp_store *base, sp_transfer_fn fn, void *ctx,
                            sp_error *err) {
  sqlite_store *s = (sqlite_store *)base;
  return scan_transfers(s, s->st[ST_TRANSFER_SCAN], fn, ctx, err);
}

static int st_transfer_scan_owner(sp_store *base, uint64_t owner,
                                  sp_transfer_fn fn, void *ctx, sp_error *err) {
  sqlite_store *s = (sqlite_store *)base;
  sqlite3_stmt *st = s->st[ST_TRANSFER_SCAN_OWNER];
  sqlite3_bind_int64(st, 1, (sqlite3_int64)owner);
  return scan_transfers(s, st, fn, ctx, err);
}

static int st_transfer_scan_code(sp_store *base, uint16_t code, sp_time since,
                                 sp_transfer_fn fn, void *ctx, sp_error *err) {
  sqlite_store *s = (sqlite_store *)base;
  sqlite3_stmt *st = s->st[ST_TRANSFER_SCAN_CODE];
  sqlite3_bind_int(st, 1, code);
  sqlite3_bind_int64(st, 2, since);
  return scan_transfers(s, st, fn, ctx, err);
}

static int scalar(sqlite_store *s, int which, int64_t *out, sp_error *err,
                  const char *what) {
  sqlite3_stmt *st = s->st[which];
  int rc = sqlite3_step(st);
  if (rc == SQLITE_ROW)
    *out = sqlite3_column_int64(st, 0);
  sqlite3_reset(st);
  if (rc == SQLITE_ROW)
    return SP_OK;
  if (rc == SQLITE_DONE)
    return SP_ENOTFOUND;
  return db_error(s, err, what);
}

static int st_transfer_id_max(sp_store *base, uint64_t *out, sp_error *err) {
  sqlite_store *s = (sqlite_store *)base;
  int64_t v = 0;
  int rc = s->n_queued > 0 ? flush_transfers(s, err) : SP_OK;
  if (rc == SP_OK)
    rc = scalar(s, ST_TRANSFER_ID_MAX, &v, err, "max id");
  *out = (uint64_t)v;
  return rc;
}

static int each_record(sqlite_store *s, sqlite3_stmt *st, sp_record_fn fn,
                       void *ctx, sp_error *err, int *found) {
  int rc, user = SP_OK;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    sp_record r = {
        .no = (uint64_t)sqlite3_column_int64(st, 0),
        .key = (const char *)sqlite3_column_text(st, 1),
        .kind = (uint32_t)sqlite3_column_int64(st, 2),
        .data = sqlite3_column_blob(st, 3),
        .size = (size_t)sqlite3_column_bytes(st, 3),
    };
    *found = 1;
    if ((user = fn(ctx, &r)) != SP_OK)
      break;
  }
  sqlite3_reset(st);
  if (user != SP_OK)
    return user;
  return rc == SQLITE_DONE ? SP_OK : db_error(s, err, "record read");
}

static int st_record_get(sp_store *base, const char *key, sp_record_fn fn,
                         void *ctx, sp_error *err) {
  sqlite_store *s = (sqlite_store *)base;
  sqlite3_stmt *st = s->st[ST_RECORD_GET];
  int found = 0;
  sqlite3_bind_text(st, 1, key, -1, SQLITE_TRANSIENT);
  int rc = each_record(s, st, fn, ctx, err, &found);
  if (rc == SP_OK && !found)
    return SP_ENOTFOUND;
  return rc;
}

static int st_record_put(sp_store *base, const sp_record *r, sp_error *err) {
  sqlite_store *s = (sqlite_store *)base;
  assert(r->no != 0 && r->key != NULL);
  sqlite3_stmt *st = s->st[ST_RECORD_UPDATE];
  sqlite3_bind_int64(st, 1, (sqlite3_int64)r->no);
  sqlite3_bind_text(st, 2, r->key, -1, SQLITE_STATIC);
  sqlite3_bind_blob(st, 3, r->data, (int)r->size, SQLITE_STATIC);
  int rc = step_done(s, st, err, "record update");
  if (rc != SP_OK || sqlite3_changes(s->db) == 1)
    return rc;
  st = s->st[ST_RECORD_PUT];
  sqlite3_bind_int64(st, 1, (sqlite3_int64)r->no);
  sqlite3_bind_text(st, 2, r->key, -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 3, r->kind);
  sqlite3_bind_blob(st, 4, r->data, (int)r->size, SQLITE_STATIC);
  rc = step_done(s, st, err, "record put");
  if (rc == SP_OK && sqlite3_changes(s->db) != 1)
    return sp_error_set(err, SP_EEXISTS, "store",
                        "record %llu is stored under another key",
                        (unsigned long long)r->no);
  return rc;
}

static int st_record_scan_from(sp_store *base, uint32_t kind, uint64_t after,
                               size_t limit, sp_record_fn fn, void *ctx,
                               sp_error *err) {
  sqlite_store *s = (sqlite_store *)base;
  sqlite3_stmt *st = s->st[ST_RECORD_SCAN];
  int found = 0;
  assert(after <= INT64_MAX);
  sqlite3_bind_int64(st, 1, kind);
  sqlite3_bind_int64(st, 2, (sqlite3_int64)after);
  sqlite3_bind_int64(st, 3, limit < INT64_MAX ? (sqlite3_int64)limit : -1);
  return each_record(s, st, fn, ctx, err, &found);
}

static int st_record_no_max(sp_store *base, uint64_t *out, sp_error *err) {
  int64_t v = 0;
  int rc = scalar((sqlite_store *)base, ST_RECORD_NO_MAX, &v, err, "max no");
  *out = (uint64_t)v;
  return rc;
}

static int st_meta_get(sp_store *base, const char *key, int64_t *out,
                       sp_error *err) {
  sqlite_store *s = (sqlite_store *)base;
  sqlite3_bind_text(s->st[ST_META_GET], 1, key, -1, SQLITE_STATIC);
  return scalar(s, ST_META_GET, out, err, "meta get");
}

static int st_meta_put(sp_store *base, const char *key, int64_t value,
                       sp_error *err) {
  sqlite_store *s = (sqlite_store *)base;
  sqlite3_stmt *st = s->st[ST_META_PUT];
  sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 2, value);
  return step_done(s, st, err, "meta put");
}

/* Reads slot chunk `no` with statement `get` (all empty when it has no
 * row). */
static int slots_load(sqlite_store *s, int get, uint64_t no, sp__states *out,
                      sp_error *err) {
  sqlite3_stmt *st = s->st[get];
  sqlite3_bind_int64(st, 1, (sqlite3_int64)no);
  int rc = sqlite3_step(st), bad = SP_OK;
  memset(out->len, 0, sizeof out->len);
  out->no = no;
  if (rc == SQLITE_ROW)
    bad = sp__states_decode(sqlite3_column_blob(st, 0),
                            (size_t)sqlite3_column_bytes(st, 0), no, out);
  sqlite3_reset(st);
  if (bad != SP_OK)
    return sp_error_set(err, SP_ESTORE, "db", "chunk %llu: unreadable",
                        (unsigned long long)no);
  if (rc == SQLITE_ROW || rc == SQLITE_DONE)
    return SP_OK;
  return db_error(s, err, "chunk get");
}

static int st_state_get(sp_store *base, uint64_t no, void *buf, size_t *size,
                        sp_error *err) {
  sqlite_store *s = (sqlite_store *)base;
  uint64_t c = sp__chunk_of(no);
  size_t slot = sp__chunk_slot(no);
  const sp__states *k = sp__chunks_find(&s->states, c);
  sp__states *stored = s->scratch;
  if (k == NULL) {
    int rc = slots_load(s, ST_STATES_GET, c, stored, err);
    if (rc != SP_OK)
      return rc;
    k = stored;
  }
  if (k->len[slot] == 0)
    return SP_ENOTFOUND;
  memcpy(buf, k->data[slot], k->len[slot]);
  *size = k->len[slot];
  return SP_OK;
}

static int st_state_put(sp_store *base, uint64_t no, const void *data,
                        size_t size, sp_error *err) {
  sqlite_store *s = (sqlite_store *)base;
  assert(size >= 1 && size <= SP_STORE_STATE_MAX);
  uint64_t c = sp__chunk_of(no);
  sp__states *k = sp__chunks_find(&s->states, c);
  if (k == NULL) {
    k = sp__chunks_add(&s->states, c);
    if (k == NULL)
      return sp_error_set(err, SP_ENOMEM, "store", "out of memory");
    int rc = slots_load(s, ST_STATES_GET, c, k, err);
    if (rc != SP_OK)
      return rc;
  }
  size_t slot = sp__chunk_slot(no);
  memcpy(k->data[slot], data, size);
  k->len[slot] = (uint8_t)size;
  return SP_OK;
}

static int st_state_scan_range(sp_store *base, uint64_t first, uint64_t end,
                               sp_state_fn fn, void *ctx, sp_error *err) {
  sqlite_store *s = (sqlite_store *)base;
  if (first >= end)
    return SP_OK;
  int rc =
      s->chunks.n + s->states.n + s->defs.n > 0 ? flush_chunks(s, err) : SP_OK;
  if (rc != SP_OK)
    return rc;
  sqlite3_stmt *st = s->st[ST_STATES_SCAN];
  sp__states *k = malloc(sizeof *k);
  if (k == NULL)
    return sp_error_set(err, SP_ENOMEM, "store", "out of memory");
  sqlite3_bind_int64(st, 1, (sqlite3_int64)sp__chunk_of(first));
  sqlite3_bind_int64(st, 2, (sqlite3_int64)sp__chunk_of(end - 1));
  int user = SP_OK, bad = SP_OK;
  while (user == SP_OK && bad == SP_OK &&
         (rc = sqlite3_step(st)) == SQLITE_ROW) {
    uint64_t c = (uint64_t)sqlite3_column_int64(st, 0);
    bad = sp__states_decode(sqlite3_column_blob(st, 1),
                            (size_t)sqlite3_column_bytes(st, 1), c, k);
    for (size_t i = 0; bad == SP_OK && user == SP_OK && i < SP__CHUNK_SLOTS;
         i++) {
      uint64_t no = c * SP__CHUNK_SLOTS + i;
      if (k->len[i] != 0 && no >= first && no < end)
        user = fn(ctx, no, k->data[i], k->len[i]);
    }
  }
  sqlite3_reset(st);
  uint64_t bad_no = k->no;
  free(k);
  if (bad != SP_OK)
    return sp_error_set(err, SP_ESTORE, "db", "state chunk %llu: unreadable",
                        (unsigned long long)bad_no);
  if (user != SP_OK)
    return user;
  return rc == SQLITE_DONE ? SP_OK : db_error(s, err, "state scan");
}

static int st_read_begin(sp_store *base, sp_error *err) {
  sqlite_store *s = (sqlite_store *)base;
  assert(!s->batch && s->n_queued == 0 && s->chunks.n == 0 &&
         s->states.n == 0 && s->defs.n == 0);
  return step_done(s, s->st[ST_READ_BEGIN], err, "read begin");
}

static void st_read_end(sp_store *base) {
  sqlite_store *s = (sqlite_store *)base;
  if (!sqlite3_get_autocommit(s->db))
    step_done(s, s->st[ST_READ_END], NULL, "read end");
}

static void st_close(sp_store *base) {
  sqlite_store *s = (sqlite_store *)base;
  for (int i = 0; i < ST_COUNT; i++)
    sqlite3_finalize(s->st[i]);
  sqlite3_finalize(s->put_rows);
  sqlite3_close(s->db);
  sp__chunks_free(&s->chunks);
  sp__chunks_free(&s->states);
  sp__chunks_free(&s->defs);
  free(s->scratch);
  free(s);
}

static int open_store(const char *path, int flags, int reader, sp_store **out,
                      sp_error *err);

static int st_open_reader(sp_store *base, sp_store **out, sp_error *err) {
  sqlite_store *s = (sqlite_store *)base;
  const char *path = sqlite3_db_filename(s->db, "main");
  if (path == NULL || path[0] == '\0')
    return sp_error_set(err, SP_ESTATE, "db", "no file to open a reader on");
  return open_store(path, SQLITE_OPEN_READONLY, 1, out, err);
}

static const sp_store_ops sqlite_ops = {
    .name = "sqlite",
    .close = st_close,
    .begin = st_begin,
    .commit = st_commit,
    .rollback = st_rollback,
    .batch_begin = st_batch_begin,
    .batch_end = st_batch_end,
    .account_get = st_account_get,
    .account_put = st_account_put,
    .account_update = st_account_update,
    .account_scan = st_account_scan,
    .account_scan_range = st_account_scan_range,
    .transfer_get = st_transfer_get,
    .transfer_put = st_transfer_put,
    .transfer_set_state = st_transfer_set_state,
    .transfer_scan = st_transfer_scan,
    .transfer_scan_owner = st_transfer_scan_owner,
    .transfer_scan_code = st_transfer_scan_code,
    .transfer_id_max = st_transfer_id_max,
    .record_get = st_record_get,
    .record_put = st_record_put,
    .record_scan_from = st_record_scan_from,
    .record_no_max = st_record_no_max,
    .state_get = st_state_get,
    .state_put = st_state_put,
    .state_scan_range = st_state_scan_range,
    .meta_get = st_meta_get,
    .meta_put = st_meta_put,
    .open_reader = st_open_reader,
    .read_begin = st_read_begin,
    .read_end = st_read_end,
};

#define SCHEMA_VERSION ((int)(sizeof migrations / sizeof migrations[0]))

static int schema_version(sqlite_store *s, int *out, sp_error *err) {
  sqlite3_stmt *st;
  *out = 0;
  if (sqlite3_prepare_v2(s->db, "PRAGMA user_version", -1, &st, NULL) !=
      SQLITE_OK)
    return db_error(s, err, "user_version");
  if (sqlite3_step(st) == SQLITE_ROW)
    *out = sqlite3_column_int(st, 0);
  sqlite3_finalize(st);
  return SP_OK;
}

static int migrate(sqlite_store *s, sp_error *err) {
  int version, n = SCHEMA_VERSION;
  int rc = schema_version(s, &version, err);
  if (rc != SP_OK)
    return rc;
  if (version > n)
    return sp_error_set(err, SP_ESTORE, "db",
                        "database schema version %d is newer than this "
                        "program (%d)",
                        version, n);
  for (int v = version; v < n; v++) {
    char pragma[48];
    snprintf(pragma, sizeof pragma, "PRAGMA user_version = %d", v + 1);
    if (sqlite3_exec(s->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK ||
        sqlite3_exec(s->db, migrations[v].sql, NULL, NULL, NULL) != SQLITE_OK ||
        (migrations[v].then != NULL &&
         migrations[v].then(s->db) != SQLITE_OK) ||
        sqlite3_exec(s->db, pragma, NULL, NULL, NULL) != SQLITE_OK ||
        sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
      rc = db_error(s, err, "migration");
      sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
      return rc;
    }
  }
  return SP_OK;
}

/* The statement that inserts TRANSFER_ROWS transfers. */
static int prepare_put_rows(sqlite_store *s, sp_error *err) {
  static const char head[] =
      "INSERT INTO transfers(id, debit_account_id, credit_account_id, "
      "amount, pending_id, owner_id, time, ledger, code, flags, "
      "pending_state) VALUES";
  static const char row[] = "(?,?,?,?,?,?,?,?,?,?,?),";
  char sql[sizeof head + TRANSFER_ROWS * (sizeof row - 1)];
  memcpy(sql, head, sizeof head - 1);
  char *p = sql + sizeof head - 1;
  for (size_t i = 0; i < TRANSFER_ROWS; i++, p += sizeof row - 1)
    memcpy(p, row, sizeof row - 1);
  p[-1] = '\0'; /* the last comma */
  if (sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT,
                         &s->put_rows, NULL) != SQLITE_OK)
    return db_error(s, err, "transfer rows");
  return SP_OK;
}

/* A reader migrates nothing: the file must be a store, at this program's
 * schema version (its writer migrated it when it opened it). */
static int reader_check(sqlite_store *s, const char *path, sp_error *err) {
  int version;
  int rc = schema_version(s, &version, err);
  if (rc == SP_OK && version == 0)
    return sp_error_set(err, SP_ENOTFOUND, "db", "no store in '%s'", path);
  if (rc == SP_OK && version != SCHEMA_VERSION)
    return sp_error_set(err, SP_ESTATE, "db",
                        "'%s' has schema version %d, this program %d: open "
                        "it with its writer first",
                        path, version, SCHEMA_VERSION);
  return rc;
}

/* The writer's settings: WAL (readers beside it), durable commits, and a
 * page cache sized for close of day. A reader takes the journal mode the
 * writer set (it writes nothing) and scans once, in order: a small page
 * cache is reused instead of growing (growing a thread's heap costs every
 * core a TLB flush). */
static const char writer_pragmas[] =
    "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
    "PRAGMA foreign_keys=OFF; PRAGMA cache_size=-262144;";
static const char reader_pragmas[] = "PRAGMA cache_size=-8192;";

static int open_store(const char *path, int flags, int reader, sp_store **out,
                      sp_error *err) {
  sqlite_store *s = calloc(1, sizeof *s);
  if (s == NULL)
    return sp_error_set(err, SP_ENOMEM, "db", "out of memory");
  s->base.ops = &sqlite_ops;
  if (sp__chunks_init(&s->chunks, sizeof(sp__chunk)) != SP_OK ||
      sp__chunks_init(&s->states, sizeof(sp__states)) != SP_OK ||
      sp__chunks_init(&s->defs, sizeof(sp__states)) != SP_OK ||
      (s->scratch = malloc(sizeof *s->scratch)) == NULL) {
    sp__chunks_free(&s->chunks);
    sp__chunks_free(&s->states);
    sp__chunks_free(&s->defs);
    free(s->scratch);
    free(s);
    return sp_error_set(err, SP_ENOMEM, "db", "out of memory");
  }
  /* A store is used by one thread at a time (the group-commit leader), so
   * SQLite's per-call mutex is not needed. */
  flags |= SQLITE_OPEN_NOMUTEX;
  if ((reader ? sqlite3_open_v2(path, &s->db, flags, NULL)
              : sp__walbuf_open(path, &s->db, flags)) != SQLITE_OK) {
    int rc =
        sp_error_set(err, flags & SQLITE_OPEN_CREATE ? SP_ESTORE : SP_ENOTFOUND,
                     "db", "cannot open database '%s': %s", path,
                     s->db ? sqlite3_errmsg(s->db) : "out of memory");
    sqlite3_close(s->db);
    sp__chunks_free(&s->chunks);
    sp__chunks_free(&s->states);
    sp__chunks_free(&s->defs);
    free(s->scratch);
    free(s);
    return rc;
  }
  sqlite3_busy_timeout(s->db, 5000);
  /* The last connection to close checkpoints the WAL into the file: not
   * a reader's to do. */
  if (reader)
    sqlite3_db_config(s->db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, NULL);
  int rc = SP_OK;
  if (sqlite3_exec(s->db, reader ? reader_pragmas : writer_pragmas, NULL, NULL,
                   NULL) != SQLITE_OK)
    rc = db_error(s, err, "pragmas");
  if (rc == SP_OK)
    rc = reader ? reader_check(s, path, err) : migrate(s, err);
  for (int i = 0; rc == SP_OK && i < ST_COUNT; i++)
    if (sqlite3_prepare_v3(s->db, statement_sql[i], -1,
                           SQLITE_PREPARE_PERSISTENT, &s->st[i],
                           NULL) != SQLITE_OK)
      rc = db_error(s, err, statement_sql[i]);
  if (rc == SP_OK)
    rc = prepare_put_rows(s, err);
  if (rc != SP_OK) {
    st_close(&s->base);
    return rc;
  }
  *out = &s->base;
  return SP_OK;
}

int sp_store_open_sqlite(const char *path, sp_store **out, sp_error *err) {
  return open_store(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, 0, out,
                    err);
}

int sp_store_open_sqlite_existing(const char *path, sp_store **out,
                                  sp_error *err) {
  return open_store(path, SQLITE_OPEN_READWRITE, 0, out, err);
}

int sp_store_open_sqlite_reader(const char *path, sp_store **out,
                                sp_error *err) {
  return open_store(path, SQLITE_OPEN_READWRITE, 1, out, err);
}

int sp_store_sqlite_query_only(sp_store *base, sp_error *err) {
  assert(base->ops == &sqlite_ops);
  sqlite_store *s = (sqlite_store *)base;
  if (sqlite3_exec(s->db, "PRAGMA query_only=1", NULL, NULL, NULL) != SQLITE_OK)
    return db_error(s, err, "query_only");
  return SP_OK;
}

void *sp_store_sqlite_handle(sp_store *base) {
  if (base == NULL || base->ops != &sqlite_ops)
    return NULL;
  return ((sqlite_store *)base)->db;
}

int sp_store_remove_sqlite(const char *path) {
  static const char *const suffixes[] = {"", "-wal", "-shm"};
  int rc = SP_OK;
  for (size_t i = 0; i < 3; i++) {
    char name[4096];
    if (snprintf(name, sizeof name, "%s%s", path, suffixes[i]) >=
        (int)sizeof name)
      return SP_EINVAL;
    if (unlink(name) != 0 && access(name, F_OK) == 0)
      rc = SP_EIO;
  }
  return rc;
}
