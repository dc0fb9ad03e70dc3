/* The buffering VFS for WAL writes (src/store/walbuf.c): what a writer
 * commits through it is in the file for every other connection at once,
 * a kill loses only what was not committed, and synchronous cannot be set
 * below FULL on its connections. */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "store/walbuf.h"
#include "temp_db.h"

static sqlite3 *open_writer(const char *path) {
  sqlite3 *db;
  assert_int_equal(
      sp__walbuf_open(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE),
      SQLITE_OK);
  assert_int_equal(sqlite3_exec(db,
                                "PRAGMA journal_mode=WAL;"
                                "PRAGMA synchronous=FULL;"
                                "PRAGMA cache_size=16;" /* spills early */
                                "CREATE TABLE IF NOT EXISTS t(n INTEGER "
                                "PRIMARY KEY, b BLOB NOT NULL)",
                                NULL, NULL, NULL),
                   SQLITE_OK);
  return db;
}

static int64_t query_int(sqlite3 *db, const char *sql) {
  sqlite3_stmt *st;
  assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
  assert_int_equal(sqlite3_step(st), SQLITE_ROW);
  int64_t v = sqlite3_column_int64(st, 0);
  sqlite3_finalize(st);
  return v;
}

/* Commit i writes rows of 100 + i % 37 * 211 bytes each, i % 45 + 1 of
 * them (up to 45 rows of 7.7 KB: past the buffer's 128 KiB), byte j of
 * row n being (n * 31 + j) % 251: every row's bytes are known. */
static void commit_rows(sqlite3 *db, int i, int64_t *next_n) {
  int rows = i % 45 + 1, len = 100 + i % 37 * 211;
  assert_int_equal(sqlite3_exec(db, "BEGIN", NULL, NULL, NULL), SQLITE_OK);
  sqlite3_stmt *st;
  assert_int_equal(sqlite3_prepare_v2(db, "INSERT INTO t(n, b) VALUES(?1, ?2)",
                                      -1, &st, NULL),
                   SQLITE_OK);
  unsigned char *b = malloc((size_t)len);
  assert_non_null(b);
  for (int r = 0; r < rows; r++, (*next_n)++) {
    for (int j = 0; j < len; j++)
      b[j] = (unsigned char)((*next_n * 31 + j) % 251);
    sqlite3_bind_int64(st, 1, *next_n);
    sqlite3_bind_blob(st, 2, b, len, SQLITE_STATIC);
    assert_int_equal(sqlite3_step(st), SQLITE_DONE);
    sqlite3_reset(st);
  }
  free(b);
  sqlite3_finalize(st);
  assert_int_equal(sqlite3_exec(db, "COMMIT", NULL, NULL, NULL), SQLITE_OK);
}

/* `rows` rows, and those from `from` on with their bytes as commit_rows
 * wrote them, read by `db`. */
static void check_rows(sqlite3 *db, int64_t from, int64_t rows) {
  assert_int_equal(query_int(db, "SELECT count(*) FROM t"), rows);
  sqlite3_stmt *st;
  assert_int_equal(sqlite3_prepare_v2(db,
                                      "SELECT n, b FROM t WHERE n >= ?1 "
                                      "ORDER BY n",
                                      -1, &st, NULL),
                   SQLITE_OK);
  sqlite3_bind_int64(st, 1, from);
  int64_t expect_n = from;
  while (sqlite3_step(st) == SQLITE_ROW) {
    int64_t n = sqlite3_column_int64(st, 0);
    assert_int_equal(n, expect_n++);
    const unsigned char *b = sqlite3_column_blob(st, 1);
    int len = sqlite3_column_bytes(st, 1);
    for (int j = 0; j < len; j++)
      if (b[j] != (unsigned char)((n * 31 + j) % 251))
        fail_msg("row %lld byte %d", (long long)n, j);
  }
  sqlite3_finalize(st);
  assert_int_equal(expect_n, rows);
}

/* A reader on the default VFS sees each commit whole as soon as it
 * returns, through checkpoints (one truncating the WAL) and a reopen. */
static void test_commits_seen_at_once(void **state) {
  (void)state;
  char path[256];
  temp_db(path, sizeof path, "walbuf");
  sqlite3 *w = open_writer(path), *r;
  assert_int_equal(sqlite3_open_v2(path, &r, SQLITE_OPEN_READONLY, NULL),
                   SQLITE_OK);
  int64_t n = 0;
  for (int i = 0; i < 240; i++) {
    int64_t first = n;
    commit_rows(w, i, &n);
    check_rows(r, first, n);
    if (i == 80)
      assert_int_equal(
          sqlite3_exec(w, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL),
          SQLITE_OK);
    if (i == 160) {
      sqlite3_close(w);
      w = open_writer(path);
    }
  }
  assert_int_equal(query_int(r, "SELECT count(*) FROM t"), n);
  sqlite3_close(r);
  sqlite3_close(w);
  assert_int_equal(sqlite3_open(path, &r), SQLITE_OK);
  check_rows(r, 0, n);
  sqlite3_close(r);
  temp_db(path, sizeof path, "walbuf");
}

/* Killed in the middle of a transaction larger than its page cache (so
 * that pages were already written to the WAL): the file holds exactly the
 * committed transactions and is sound. */
static void test_kill_keeps_commits(void **state) {
  (void)state;
  char path[256];
  temp_db(path, sizeof path, "walbuf");
  int64_t committed = 0;
  for (int i = 0; i < 30; i++)
    committed += i % 45 + 1;
  pid_t child = fork();
  assert_true(child >= 0);
  if (child == 0) {
    sqlite3 *w = open_writer(path);
    int64_t n = 0;
    for (int i = 0; i < 30; i++)
      commit_rows(w, i, &n);
    sqlite3_exec(w, "BEGIN", NULL, NULL, NULL);
    for (int k = 0; k < 400; k++)
      sqlite3_exec(w, "INSERT INTO t(b) VALUES(randomblob(3000))", NULL, NULL,
                   NULL);
    raise(SIGKILL);
    _exit(3);
  }
  int status;
  assert_int_equal(waitpid(child, &status, 0), child);
  assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
  sqlite3 *r;
  assert_int_equal(sqlite3_open(path, &r), SQLITE_OK);
  check_rows(r, 0, committed);
  sqlite3_stmt *st;
  assert_int_equal(
      sqlite3_prepare_v2(r, "PRAGMA integrity_check", -1, &st, NULL),
      SQLITE_OK);
  assert_int_equal(sqlite3_step(st), SQLITE_ROW);
  assert_string_equal((const char *)sqlite3_column_text(st, 0), "ok");
  sqlite3_finalize(st);
  sqlite3_close(r);
  temp_db(path, sizeof path, "walbuf");
}

/* Its frames wait for the sync, so synchronous stays FULL or EXTRA. */
static void test_synchronous_kept(void **state) {
  (void)state;
  char path[256];
  temp_db(path, sizeof path, "walbuf");
  sqlite3 *w = open_writer(path);
  const char *refused[] = {"PRAGMA synchronous=OFF", "PRAGMA synchronous=0",
                           "PRAGMA synchronous=normal",
                           "PRAGMA main.synchronous=1"};
  for (size_t i = 0; i < sizeof refused / sizeof *refused; i++)
    assert_int_equal(sqlite3_exec(w, refused[i], NULL, NULL, NULL),
                     SQLITE_AUTH);
  assert_int_equal(query_int(w, "PRAGMA synchronous"), 2);
  assert_int_equal(
      sqlite3_exec(w, "PRAGMA synchronous=EXTRA", NULL, NULL, NULL), SQLITE_OK);
  assert_int_equal(query_int(w, "PRAGMA synchronous"), 3);
  assert_int_equal(sqlite3_exec(w, "PRAGMA synchronous=full", NULL, NULL, NULL),
                   SQLITE_OK);
  assert_int_equal(query_int(w, "PRAGMA synchronous"), 2);
  sqlite3_close(w);
  temp_db(path, sizeof path, "walbuf");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_commits_seen_at_once),
      cmocka_unit_test(test_kill_keeps_commits),
      cmocka_unit_test(test_synchronous_kept),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
