/* Ledger throughput against SQLite's own ceiling, in one run on one
 * machine. All on a real file in WAL mode with synchronous=FULL.
 *
 *   sqlite-raw  INSERT of transfer-shaped rows, 8,190 per transaction
 *   naive       per transfer: INSERT + two balance UPDATEs, 8,190 a txn
 *   batched     sp_ledger_submit of 8,190 + sp_ledger_commit
 *   group       T threads, one transfer per call, group commit
 *
 * usage: bench_ledger [transfers] [threads] [all|batched|group] */
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sparrow/ledger.h"
#include "sparrow/store.h"

#define BATCH 8190
#define ACCOUNTS 10000

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void must(int rc, const char *what) {
  if (rc != SQLITE_OK && rc != SQLITE_DONE) {
    fprintf(stderr, "%s failed: %d\n", what, rc);
    exit(1);
  }
}

static double sqlite_rows(const char *path, long n, int naive) {
  sqlite3 *db;
  sp_store_remove_sqlite(path);
  must(sqlite3_open(path, &db), "open");
  must(sqlite3_exec(
           db,
           "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
           "CREATE TABLE t(id INTEGER PRIMARY KEY, d INT, c INT, a INT, p INT,"
           " o INT, tm INT, l INT, code INT, f INT, s INT);"
           "CREATE TABLE acc(id INTEGER PRIMARY KEY, dp INT, cp INT);",
           NULL, NULL, NULL),
       "schema");
  sqlite3_stmt *ins, *upd_d, *upd_c, *acc;
  sqlite3_prepare_v2(db, "INSERT INTO t VALUES(?1,?2,?3,?4,0,0,0,156,1,0,0)",
                     -1, &ins, NULL);
  sqlite3_prepare_v2(db, "UPDATE acc SET dp = dp + ?2 WHERE id = ?1", -1,
                     &upd_d, NULL);
  sqlite3_prepare_v2(db, "UPDATE acc SET cp = cp + ?2 WHERE id = ?1", -1,
                     &upd_c, NULL);
  sqlite3_prepare_v2(db, "INSERT INTO acc VALUES(?1, 0, 0)", -1, &acc, NULL);
  sqlite3_exec(db, "BEGIN", NULL, NULL, NULL);
  for (int i = 1; i <= ACCOUNTS; i++) {
    sqlite3_bind_int(acc, 1, i);
    sqlite3_step(acc);
    sqlite3_reset(acc);
  }
  sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
  double t0 = now();
  for (long i = 1; i <= n; i++) {
    if (i % BATCH == 1)
      sqlite3_exec(db, "BEGIN", NULL, NULL, NULL);
    long d = 1 + i % ACCOUNTS, c = 1 + (i * 7 + 3) % ACCOUNTS;
    sqlite3_bind_int64(ins, 1, i);
    sqlite3_bind_int64(ins, 2, d);
    sqlite3_bind_int64(ins, 3, c);
    sqlite3_bind_int64(ins, 4, 100);
    must(sqlite3_step(ins), "insert");
    sqlite3_reset(ins);
    if (naive) {
      sqlite3_bind_int64(upd_d, 1, d);
      sqlite3_bind_int64(upd_d, 2, 100);
      sqlite3_step(upd_d);
      sqlite3_reset(upd_d);
      sqlite3_bind_int64(upd_c, 1, c);
      sqlite3_bind_int64(upd_c, 2, 100);
      sqlite3_step(upd_c);
      sqlite3_reset(upd_c);
    }
    if (i % BATCH == 0 || i == n)
      must(sqlite3_exec(db, "COMMIT", NULL, NULL, NULL), "commit");
  }
  double dt = now() - t0;
  sqlite3_finalize(ins);
  sqlite3_finalize(upd_d);
  sqlite3_finalize(upd_c);
  sqlite3_finalize(acc);
  sqlite3_close(db);
  return n / dt;
}

static void ledger_setup(const char *path, sp_store **s, sp_ledger **l) {
  sp_store_remove_sqlite(path);
  if (sp_store_open_sqlite(path, s, NULL) || sp_ledger_open(*s, l, NULL)) {
    fprintf(stderr, "open failed\n");
    exit(1);
  }
  sp_account *a = calloc(ACCOUNTS, sizeof *a);
  for (int i = 0; i < ACCOUNTS; i++)
    a[i] = (sp_account){.id = (uint64_t)i + 1,
                        .ledger = SP_LEDGER_CNY,
                        .kind = SP_ACCOUNT_ASSET};
  if (sp_ledger_create_accounts(*l, a, ACCOUNTS, NULL) ||
      sp_ledger_commit(*l, NULL, NULL, NULL)) {
    fprintf(stderr, "accounts failed\n");
    exit(1);
  }
  free(a);
}

static sp_transfer make(uint64_t i) {
  return (sp_transfer){.id = i,
                       .debit_account_id = 1 + i % ACCOUNTS,
                       .credit_account_id = 1 + (i * 7 + 3) % ACCOUNTS,
                       .amount_fen = 100,
                       .ledger = SP_LEDGER_CNY,
                       .code = 1};
}

static double ledger_batched(const char *path, long n) {
  sp_store *s;
  sp_ledger *l;
  ledger_setup(path, &s, &l);
  sp_transfer *b = malloc(BATCH * sizeof *b);
  double t0 = now();
  for (long i = 1; i <= n;) {
    size_t k = 0;
    for (; k < BATCH && i <= n; k++, i++)
      b[k] = make((uint64_t)i);
    sp_error err;
    if (sp_ledger_submit(l, b, k, NULL, &err) ||
        sp_ledger_commit(l, NULL, NULL, &err)) {
      fprintf(stderr, "batched: %s\n", err.message);
      exit(1);
    }
  }
  double dt = now() - t0;
  free(b);
  if (sp_ledger_verify(s, NULL, NULL) != SP_OK) {
    fprintf(stderr, "invariant broken\n");
    exit(1);
  }
  sp_ledger_close(l);
  sp_store_close(s);
  return n / dt;
}

typedef struct worker {
  sp_ledger_group *g;
  long from, count;
} worker;

static void *work(void *p) {
  worker *w = p;
  for (long i = 0; i < w->count; i++) {
    sp_transfer t = make((uint64_t)(w->from + i));
    if (sp_ledger_group_submit(w->g, &t, 1, NULL, NULL) != SP_OK) {
      fprintf(stderr, "group submit failed\n");
      exit(1);
    }
  }
  return NULL;
}

static double ledger_group(const char *path, long n, int threads) {
  sp_store *s;
  sp_ledger *l;
  sp_ledger_group *g;
  ledger_setup(path, &s, &l);
  sp_ledger_group_open(l, &g, NULL);
  pthread_t th[256];
  worker w[256];
  long per = n / threads;
  double t0 = now();
  for (int i = 0; i < threads; i++) {
    w[i] = (worker){.g = g, .from = 1 + i * per, .count = per};
    pthread_create(&th[i], NULL, work, &w[i]);
  }
  for (int i = 0; i < threads; i++)
    pthread_join(th[i], NULL);
  double dt = now() - t0;
  sp_ledger_group_close(g);
  sp_ledger_close(l);
  sp_store_close(s);
  return per * threads / dt;
}

int main(int argc, char **argv) {
  long n = argc > 1 ? atol(argv[1]) : 2000000;
  int threads = argc > 2 ? atoi(argv[2]) : 128;
  if (threads < 1 || threads > 256 || n < BATCH) {
    fprintf(stderr, "usage: bench_ledger [transfers >= %d] [threads 1..256]\n",
            BATCH);
    return 2;
  }
  const char *mode = argc > 3 ? argv[3] : "all";
  const char *path = "/tmp/sparrow-bench-ledger.db";
  int all = strcmp(mode, "all") == 0;
  double raw = all ? sqlite_rows(path, n, 0) : 0;
  double naive = all ? sqlite_rows(path, n, 1) : 0;
  double batched =
      all || strcmp(mode, "batched") == 0 ? ledger_batched(path, n) : 0;
  double group = all || strcmp(mode, "group") == 0
                     ? ledger_group(path, n / 10, threads)
                     : 0;
  sp_store_remove_sqlite(path);
  printf("transfers %ld, batches of %d, WAL + synchronous=FULL\n", n, BATCH);
  if (all) { /* the baselines, and the ratios to them, only when run */
    printf("sqlite raw insert (ceiling):       %9.0f rows/s\n", raw);
    printf("naive ledger (insert + 2 updates): %9.0f transfers/s\n", naive);
  }
  if (batched > 0) {
    printf("sparrow ledger, batched:           %9.0f transfers/s", batched);
    if (all)
      printf("  (%.2fx raw, %.2fx naive)", batched / raw, batched / naive);
    printf("\n");
  }
  if (group > 0)
    printf("sparrow ledger, one per call, group commit, %d threads: %9.0f "
           "transfers/s\n",
           threads, group);
  return 0;
}
