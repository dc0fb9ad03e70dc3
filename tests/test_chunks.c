/* Chunk rows of the SQLite store: the stored forms (bytes worked out by
 * hand here), the per-transaction cache (rollback forgets, commit writes),
 * record states, transfers inserted in groups, and the migration of a schema-1
 * file (accounts and balances one row each) to chunk rows. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sparrow/ledger.h"
#include "sparrow/store.h"
#include "store/chunks.h"

static void path_for(char *path, size_t size, const char *what) {
  snprintf(path, size, "/tmp/sp-chunks-%s-%d.db", what, (int)getpid());
  sp_store_remove_sqlite(path);
}

/* Slot 1, debits posted = 999 = 0x3E7: bytes 32.. are E7 03 00 ... 00; a
 * negative sum is its two's complement. */
static void test_balance_chunk_bytes(void **state) {
  (void)state;
  static sp__chunk k, back;
  memset(&k, 0, sizeof k);
  sp_account a = {.debits_posted_fen = 999, .credits_pending_fen = -1};
  sp__chunk_set(&k, 1, &a);
  static uint8_t blob[SP__CHUNK_BYTES];
  sp__chunk_encode(&k, blob);
  static const uint8_t want[32] = {0xE7, 0x03, [24] = 0xFF, 0xFF, 0xFF,
                                   0xFF, 0xFF, 0xFF,        0xFF, 0xFF};
  assert_memory_equal(blob + 32, want, 32);
  for (size_t i = 0; i < 32; i++)
    assert_int_equal(blob[i], 0);
  assert_int_equal(sp__chunk_decode(blob, sizeof blob, 7, &back), SP_OK);
  sp_account b = {0};
  sp__chunk_get(&back, 1, &b);
  assert_true(b.debits_posted_fen == 999 && b.credits_pending_fen == -1);
  assert_true(back.no == 7);
  assert_int_equal(sp__chunk_decode(blob, sizeof blob - 1, 7, &back),
                   SP_ESTORE);
}

/* owner 300 = AC 02, ledger 156 = 9C 01, kind 1, flags 2, then "cash". */
static void test_definition_bytes(void **state) {
  (void)state;
  sp_account a = {
      .id = 9, .owner_id = 300, .ledger = 156, .kind = 1, .flags = 2};
  snprintf(a.name, sizeof a.name, "cash");
  uint8_t buf[SP__DEF_MAX];
  size_t n = sp__def_encode(&a, buf);
  static const uint8_t want[] = {0xAC, 0x02, 0x9C, 0x01, 0x01, 0x02,
                                 0x04, 'c',  'a',  's',  'h'};
  assert_int_equal(n, sizeof want);
  assert_memory_equal(buf, want, sizeof want);
  sp_account b;
  memset(&b, 0, sizeof b);
  assert_int_equal(sp__def_decode(buf, n, 9, &b), SP_OK);
  assert_true(b.id == 9 && b.owner_id == 300 && b.ledger == 156 &&
              b.kind == 1 && b.flags == 2);
  assert_string_equal(b.name, "cash");
  /* A name longer than its bytes, or bytes left over, is not a definition. */
  assert_int_equal(sp__def_decode(buf, n - 1, 9, &b), SP_ESTORE);
  uint8_t longer[sizeof want + 1];
  memcpy(longer, want, sizeof want);
  longer[sizeof want] = 'x';
  assert_int_equal(sp__def_decode(longer, sizeof longer, 9, &b), SP_ESTORE);
}

/* 64 length bytes of 0 are an empty chunk; a length past the end, or a
 * byte after the 64th slot, is unreadable. */
static void test_slot_chunk_bounds(void **state) {
  (void)state;
  static sp__states k;
  uint8_t blob[70] = {0};
  assert_int_equal(sp__states_decode(blob, 64, 3, &k), SP_OK);
  for (size_t i = 0; i < SP__CHUNK_SLOTS; i++)
    assert_int_equal(k.len[i], 0);
  assert_int_equal(sp__states_decode(blob, 65, 3, &k), SP_ESTORE);
  blob[63] = 2; /* the last slot says 2 bytes; only 1 follows */
  assert_int_equal(sp__states_decode(blob, 65, 3, &k), SP_ESTORE);
  assert_int_equal(sp__states_decode(blob, 66, 3, &k), SP_OK);
  assert_int_equal(sp__states_decode(blob, 63, 3, &k), SP_ESTORE);
}

static sp_account account(uint64_t id, const char *name) {
  sp_account a = {.id = id,
                  .owner_id = id,
                  .ledger = SP_LEDGER_CNY,
                  .kind = SP_ACCOUNT_ASSET};
  snprintf(a.name, sizeof a.name, "%s", name);
  return a;
}

/* Writes in a rolled-back transaction are forgotten; committed ones are
 * read back, by get and by scan, across a reopen. */
static void test_cache_commit_and_rollback(void **state) {
  (void)state;
  char path[96];
  path_for(path, sizeof path, "cache");
  sp_store *s;
  assert_int_equal(sp_store_open_sqlite(path, &s, NULL), SP_OK);
  sp_account a = account(65, "a65"), b = account(200, "a200");
  a.debits_posted_fen = 10;
  assert_int_equal(s->ops->begin(s, NULL), SP_OK);
  assert_int_equal(s->ops->account_put(s, &a, NULL), SP_OK);
  assert_int_equal(s->ops->account_put(s, &b, NULL), SP_OK);
  assert_int_equal(s->ops->state_put(s, 130, "xyz", 3, NULL), SP_OK);
  assert_int_equal(s->ops->state_put(s, 5, "q", 1, NULL), SP_OK);
  assert_int_equal(s->ops->commit(s, NULL), SP_OK);

  assert_int_equal(s->ops->begin(s, NULL), SP_OK);
  a.debits_posted_fen = 99;
  assert_int_equal(s->ops->account_update(s, &a, NULL), SP_OK);
  assert_int_equal(s->ops->state_put(s, 5, "zz", 2, NULL), SP_OK);
  sp_account got;
  assert_int_equal(s->ops->account_get(s, 65, &got, NULL), SP_OK);
  assert_true(got.debits_posted_fen == 99); /* its own write, uncommitted */
  s->ops->rollback(s);
  sp_store_close(s);

  assert_int_equal(sp_store_open_sqlite(path, &s, NULL), SP_OK);
  assert_int_equal(s->ops->account_get(s, 65, &got, NULL), SP_OK);
  assert_true(got.debits_posted_fen == 10 && got.owner_id == 65);
  assert_string_equal(got.name, "a65");
  assert_int_equal(s->ops->account_get(s, 66, &got, NULL), SP_ENOTFOUND);
  uint8_t buf[SP_STORE_STATE_MAX];
  size_t size = 0;
  assert_int_equal(s->ops->state_get(s, 5, buf, &size, NULL), SP_OK);
  assert_int_equal(size, 1);
  assert_int_equal(buf[0], 'q');
  assert_int_equal(s->ops->state_get(s, 6, buf, &size, NULL), SP_ENOTFOUND);
  sp_store_close(s);
  sp_store_remove_sqlite(path);
}

typedef struct seen {
  uint64_t ids[8];
  size_t n;
} seen;

static int see_account(void *p, const sp_account *a) {
  seen *v = p;
  if (v->n < 8)
    v->ids[v->n] = a->id;
  v->n++;
  return SP_OK;
}

static int see_state(void *p, uint64_t no, const void *data, size_t size) {
  (void)data;
  (void)size;
  return see_account(p, &(sp_account){.id = no});
}

/* Scans come in id order, a range stops at its end, and state scans
 * list only the records that have a state. */
static void test_scans(void **state) {
  (void)state;
  char path[96];
  path_for(path, sizeof path, "scan");
  sp_store *s;
  assert_int_equal(sp_store_open_sqlite(path, &s, NULL), SP_OK);
  const uint64_t ids[] = {200, 3, 64, 63};
  assert_int_equal(s->ops->begin(s, NULL), SP_OK);
  for (size_t i = 0; i < 4; i++) {
    sp_account a = account(ids[i], "x");
    assert_int_equal(s->ops->account_put(s, &a, NULL), SP_OK);
  }
  assert_int_equal(s->ops->state_put(s, 130, "a", 1, NULL), SP_OK);
  assert_int_equal(s->ops->state_put(s, 2, "b", 1, NULL), SP_OK);
  assert_int_equal(s->ops->commit(s, NULL), SP_OK);
  seen v = {0};
  assert_int_equal(s->ops->account_scan(s, see_account, &v, NULL), SP_OK);
  assert_int_equal(v.n, 4);
  assert_true(v.ids[0] == 3 && v.ids[1] == 63 && v.ids[2] == 64 &&
              v.ids[3] == 200);
  seen r = {0};
  assert_int_equal(
      s->ops->account_scan_range(s, 63, 200, see_account, &r, NULL), SP_OK);
  assert_int_equal(r.n, 2);
  assert_true(r.ids[0] == 63 && r.ids[1] == 64);
  seen st = {0};
  assert_int_equal(
      s->ops->state_scan_range(s, 0, UINT64_MAX, see_state, &st, NULL), SP_OK);
  assert_int_equal(st.n, 2);
  assert_true(st.ids[0] == 2 && st.ids[1] == 130);
  sp_store_close(s);
  sp_store_remove_sqlite(path);
}

static int sum_amounts(void *p, const sp_transfer *t) {
  *(int64_t *)p += t->amount_fen;
  return SP_OK;
}

/* Transfers are inserted in groups of rows: 70 of them (two full groups
 * and 6) are all stored, a queued one is read back before the commit, and
 * a duplicate id fails the commit that would insert it. */
static void test_transfer_groups(void **state) {
  (void)state;
  char path[96];
  path_for(path, sizeof path, "xfer");
  sp_store *s;
  assert_int_equal(sp_store_open_sqlite(path, &s, NULL), SP_OK);
  assert_int_equal(s->ops->begin(s, NULL), SP_OK);
  for (uint64_t id = 1; id <= 70; id++) {
    sp_transfer t = {.id = id,
                     .debit_account_id = 1,
                     .credit_account_id = 2,
                     .amount_fen = (int64_t)id,
                     .ledger = SP_LEDGER_CNY};
    assert_int_equal(s->ops->transfer_put(s, &t, 0, NULL), SP_OK);
  }
  sp_transfer got;
  assert_int_equal(s->ops->transfer_get(s, 70, &got, NULL, NULL), SP_OK);
  assert_true(got.amount_fen == 70);
  assert_int_equal(s->ops->commit(s, NULL), SP_OK);
  uint64_t max = 0;
  assert_int_equal(s->ops->transfer_id_max(s, &max, NULL), SP_OK);
  assert_true(max == 70);
  int64_t sum = 0;
  assert_int_equal(s->ops->transfer_scan(s, sum_amounts, &sum, NULL), SP_OK);
  assert_true(sum == 70 * 71 / 2);

  assert_int_equal(s->ops->begin(s, NULL), SP_OK);
  sp_transfer dup = {.id = 5,
                     .debit_account_id = 1,
                     .credit_account_id = 2,
                     .amount_fen = 1,
                     .ledger = SP_LEDGER_CNY};
  assert_int_equal(s->ops->transfer_put(s, &dup, 0, NULL), SP_OK);
  sp_error err;
  assert_int_equal(s->ops->commit(s, &err), SP_EEXISTS);
  s->ops->rollback(s);
  sum = 0;
  assert_int_equal(s->ops->transfer_scan(s, sum_amounts, &sum, NULL), SP_OK);
  assert_true(sum == 70 * 71 / 2);
  sp_store_close(s);
  sp_store_remove_sqlite(path);
}

typedef struct id_list {
  uint64_t id[16];
  size_t n;
} id_list;

static int list_ids(void *p, const sp_transfer *t) {
  id_list *l = p;
  if (l->n == 16)
    return SP_EINVAL;
  l->id[l->n++] = t->id;
  return SP_OK;
}

/* Transfers by owner and by code through the indexes: ids 1..12 with
 * owner (id % 3) * 7 (0, 7 or 14), code id % 7 + 1 and time 100 - id (so
 * that time order is the reverse of id order). Daily accruals (codes 5 and
 * 6: ids 4, 5, 11, 12) are not listed.
 *   owner 7:  ids 1, 4, 7, 10 -> 1, 7, 10 (4 is code 5)
 *   owner 14: ids 2, 5, 8, 11 -> 2, 8 (5 code 6, 11 code 5)
 *   code 2: ids 1 (time 99) and 8 (time 92) -> since 92: 8, 1 */
static void test_transfer_indexes(void **state) {
  (void)state;
  char path[96];
  path_for(path, sizeof path, "index");
  sp_store *s;
  assert_int_equal(sp_store_open_sqlite(path, &s, NULL), SP_OK);
  assert_int_equal(s->ops->begin(s, NULL), SP_OK);
  for (uint64_t id = 1; id <= 12; id++) {
    sp_transfer t = {.id = id,
                     .debit_account_id = 1,
                     .credit_account_id = 2,
                     .amount_fen = 1,
                     .owner_id = (id % 3) * 7,
                     .time = 100 - (sp_time)id,
                     .ledger = SP_LEDGER_CNY,
                     .code = (uint16_t)(id % 7 + 1)};
    assert_int_equal(s->ops->transfer_put(s, &t, 0, NULL), SP_OK);
  }
  id_list l = {0};
  /* queued transfers are inserted before the read */
  assert_int_equal(s->ops->transfer_scan_owner(s, 7, list_ids, &l, NULL),
                   SP_OK);
  assert_int_equal(l.n, 3);
  assert_true(l.id[0] == 1 && l.id[1] == 7 && l.id[2] == 10);
  assert_int_equal(s->ops->commit(s, NULL), SP_OK);
  l.n = 0;
  assert_int_equal(s->ops->transfer_scan_owner(s, 14, list_ids, &l, NULL),
                   SP_OK);
  assert_int_equal(l.n, 2);
  assert_true(l.id[0] == 2 && l.id[1] == 8);
  l.n = 0;
  assert_int_equal(s->ops->transfer_scan_owner(s, 0, list_ids, &l, NULL),
                   SP_OK);
  assert_int_equal(l.n, 0);
  l.n = 0;
  assert_int_equal(s->ops->transfer_scan_code(s, 2, 92, list_ids, &l, NULL),
                   SP_OK);
  assert_int_equal(l.n, 2);
  assert_true(l.id[0] == 8 && l.id[1] == 1);
  l.n = 0;
  assert_int_equal(s->ops->transfer_scan_code(s, 5, 0, list_ids, &l, NULL),
                   SP_OK);
  assert_int_equal(l.n, 0);
  sp_store_close(s);
  sp_store_remove_sqlite(path);
}

/* A schema-1 file, written here by hand: two transfers, 2 <- 1 of 5.00
 * and 70 <- 1 of 0.07; its rows move to chunks and the ledger verifies. */
static void test_migration_from_schema_1(void **state) {
  (void)state;
  char path[96];
  path_for(path, sizeof path, "migrate");
  sqlite3 *db;
  assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
  const char *v1 =
      "CREATE TABLE meta(key TEXT PRIMARY KEY, value INTEGER NOT NULL) "
      "WITHOUT ROWID;"
      "CREATE TABLE accounts(id INTEGER PRIMARY KEY, owner_id INTEGER NOT "
      "NULL, ledger INTEGER NOT NULL, kind INTEGER NOT NULL, flags INTEGER "
      "NOT NULL, name TEXT NOT NULL);"
      "CREATE TABLE balances(id INTEGER PRIMARY KEY, debits_posted INTEGER "
      "NOT NULL, credits_posted INTEGER NOT NULL, debits_pending INTEGER NOT "
      "NULL, credits_pending INTEGER NOT NULL);"
      "CREATE TABLE transfers(id INTEGER PRIMARY KEY, debit_account_id "
      "INTEGER NOT NULL, credit_account_id INTEGER NOT NULL, amount INTEGER "
      "NOT NULL, pending_id INTEGER NOT NULL, owner_id INTEGER NOT NULL, time "
      "INTEGER NOT NULL, ledger INTEGER NOT NULL, code INTEGER NOT NULL, "
      "flags INTEGER NOT NULL, pending_state INTEGER NOT NULL);"
      "CREATE TABLE records(no INTEGER PRIMARY KEY, key TEXT NOT NULL "
      "UNIQUE, kind INTEGER NOT NULL, data BLOB NOT NULL);"
      "INSERT INTO accounts VALUES(1, 0, 156, 3, 0, 'capital'),"
      " (2, 0, 156, 1, 0, 'cash'), (70, 7, 156, 1, 0, 'L7 0');"
      "INSERT INTO balances VALUES(1, 0, 507, 0, 0), (2, 500, 0, 0, 0),"
      " (70, 7, 0, 0, 0);"
      "INSERT INTO transfers VALUES(1, 2, 1, 500, 0, 0, 0, 156, 1, 0, 0),"
      " (2, 70, 1, 7, 0, 0, 0, 156, 1, 0, 0);"
      "PRAGMA user_version = 1;";
  assert_int_equal(sqlite3_exec(db, v1, NULL, NULL, NULL), SQLITE_OK);
  sqlite3_close(db);

  sp_store *s;
  assert_int_equal(sp_store_open_sqlite(path, &s, NULL), SP_OK);
  sp_account a;
  assert_int_equal(s->ops->account_get(s, 70, &a, NULL), SP_OK);
  assert_true(a.owner_id == 7 && a.kind == 1 && a.debits_posted_fen == 7);
  assert_string_equal(a.name, "L7 0");
  assert_int_equal(s->ops->account_get(s, 1, &a, NULL), SP_OK);
  assert_true(a.credits_posted_fen == 507 && a.kind == 3);
  sp_ledger_totals t;
  assert_int_equal(sp_ledger_verify(s, &t, NULL), SP_OK);
  assert_true(t.accounts == 3 && t.debits_posted_fen == 507);
  sp_store_close(s);

  assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
  sqlite3_stmt *st;
  assert_int_equal(sqlite3_prepare_v2(db,
                                      "SELECT (SELECT count(*) FROM "
                                      "sqlite_master WHERE name IN "
                                      "('accounts', 'balances')), "
                                      "(SELECT count(*) FROM account_chunks)",
                                      -1, &st, NULL),
                   SQLITE_OK);
  assert_int_equal(sqlite3_step(st), SQLITE_ROW);
  assert_int_equal(sqlite3_column_int(st, 0), 0); /* the old tables: gone */
  assert_int_equal(sqlite3_column_int(st, 1), 2); /* ids 1, 2 | 70 */
  sqlite3_finalize(st);
  sqlite3_close(db);
  sp_store_remove_sqlite(path);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_balance_chunk_bytes),
      cmocka_unit_test(test_definition_bytes),
      cmocka_unit_test(test_slot_chunk_bounds),
      cmocka_unit_test(test_cache_commit_and_rollback),
      cmocka_unit_test(test_scans),
      cmocka_unit_test(test_transfer_groups),
      cmocka_unit_test(test_transfer_indexes),
      cmocka_unit_test(test_migration_from_schema_1),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
