/* Schema migrations that SQL alone cannot do: rows of one account each
 * (schema 1) regrouped into chunk rows of 64 (chunks.h). Each runs inside
 * the migration's transaction, after its CREATE TABLE, and returns a
 * SQLite result code; the caller rolls back on failure. */
#include "store/migrate.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/chunks.h"

/* Migration 2: the balances rows (one per account) become chunk rows. */
int sp__migrate_balances(sqlite3 *db) {
  sqlite3_stmt *rd = NULL, *wr = NULL;
  int rc = sqlite3_prepare_v2(db,
                              "SELECT id, debits_posted, credits_posted, "
                              "debits_pending, credits_pending FROM balances "
                              "ORDER BY id",
                              -1, &rd, NULL);
  if (rc == SQLITE_OK)
    rc = sqlite3_prepare_v2(db,
                            "INSERT INTO balance_chunks(chunk, sums) "
                            "VALUES(?1, ?2)",
                            -1, &wr, NULL);
  sp__chunk k = {0};
  uint8_t blob[SP__CHUNK_BYTES];
  int have = 0;
  while (rc == SQLITE_OK) {
    int step = sqlite3_step(rd);
    uint64_t id =
        step == SQLITE_ROW ? (uint64_t)sqlite3_column_int64(rd, 0) : 0;
    if (have && (step != SQLITE_ROW || sp__chunk_of(id) != k.no)) {
      sp__chunk_encode(&k, blob);
      sqlite3_bind_int64(wr, 1, (sqlite3_int64)k.no);
      sqlite3_bind_blob(wr, 2, blob, SP__CHUNK_BYTES, SQLITE_STATIC);
      rc = sqlite3_step(wr) == SQLITE_DONE ? SQLITE_OK : SQLITE_ERROR;
      sqlite3_reset(wr);
      have = 0;
    }
    if (step != SQLITE_ROW) {
      rc = step == SQLITE_DONE ? rc : SQLITE_ERROR;
      break;
    }
    if (!have) {
      memset(&k, 0, sizeof k);
      k.no = sp__chunk_of(id);
      have = 1;
    }
    sp_account a = {.debits_posted_fen = sqlite3_column_int64(rd, 1),
                    .credits_posted_fen = sqlite3_column_int64(rd, 2),
                    .debits_pending_fen = sqlite3_column_int64(rd, 3),
                    .credits_pending_fen = sqlite3_column_int64(rd, 4)};
    sp__chunk_set(&k, sp__chunk_slot(id), &a);
  }
  sqlite3_finalize(rd);
  sqlite3_finalize(wr);
  if (rc == SQLITE_OK)
    rc = sqlite3_exec(db, "DROP TABLE balances", NULL, NULL, NULL);
  return rc;
}

/* Migration 4: the accounts rows (one per account) become chunk rows. */
int sp__migrate_accounts(sqlite3 *db) {
  sqlite3_stmt *rd = NULL, *wr = NULL;
  int rc = sqlite3_prepare_v2(db,
                              "SELECT id, owner_id, ledger, kind, flags, name "
                              "FROM accounts ORDER BY id",
                              -1, &rd, NULL);
  if (rc == SQLITE_OK)
    rc = sqlite3_prepare_v2(db,
                            "INSERT INTO account_chunks(chunk, defs) "
                            "VALUES(?1, ?2)",
                            -1, &wr, NULL);
  sp__states *k = malloc(sizeof *k);
  uint8_t *blob = malloc(SP__STATES_BYTES_MAX);
  if (k == NULL || blob == NULL)
    rc = SQLITE_NOMEM;
  int have = 0;
  while (rc == SQLITE_OK) {
    int step = sqlite3_step(rd);
    uint64_t id =
        step == SQLITE_ROW ? (uint64_t)sqlite3_column_int64(rd, 0) : 0;
    if (have && (step != SQLITE_ROW || sp__chunk_of(id) != k->no)) {
      size_t size = sp__states_encode(k, blob);
      sqlite3_bind_int64(wr, 1, (sqlite3_int64)k->no);
      sqlite3_bind_blob(wr, 2, blob, (int)size, SQLITE_STATIC);
      rc = sqlite3_step(wr) == SQLITE_DONE ? SQLITE_OK : SQLITE_ERROR;
      sqlite3_reset(wr);
      have = 0;
    }
    if (step != SQLITE_ROW) {
      rc = step == SQLITE_DONE ? rc : SQLITE_ERROR;
      break;
    }
    if (!have) {
      memset(k, 0, sizeof *k);
      k->no = sp__chunk_of(id);
      have = 1;
    }
    sp_account a = {.id = id,
                    .owner_id = (uint64_t)sqlite3_column_int64(rd, 1),
                    .ledger = (uint32_t)sqlite3_column_int64(rd, 2),
                    .kind = (uint16_t)sqlite3_column_int(rd, 3),
                    .flags = (uint16_t)sqlite3_column_int(rd, 4)};
    const unsigned char *name = sqlite3_column_text(rd, 5);
    snprintf(a.name, sizeof a.name, "%s", name ? (const char *)name : "");
    size_t slot = sp__chunk_slot(id);
    k->len[slot] = (uint8_t)sp__def_encode(&a, k->data[slot]);
  }
  sqlite3_finalize(rd);
  sqlite3_finalize(wr);
  free(k);
  free(blob);
  if (rc == SQLITE_OK)
    rc = sqlite3_exec(db, "DROP TABLE accounts", NULL, NULL, NULL);
  return rc;
}
