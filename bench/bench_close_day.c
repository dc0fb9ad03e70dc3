/* Close of day for N active lines (default 1,000,000), each drawn, on a
 * real SQLite file (WAL, synchronous=FULL). Alongside, in the same run,
 * SQLite's raw rate for inserting N transfer-shaped rows in batches of
 * 8,190 (the physical ceiling of one write per line).
 *
 * The book is built in bulk with the loan book's internal calls (opening a
 * million lines one command at a time would measure fsync, not close of
 * day). With SPARROW_BENCH_BUILD_ONLY set it only builds the book and
 * leaves it at /tmp/sparrow-bench-close.db (to profile `sparrow close-day`
 * on it). usage: bench_close_day [lines] [days] */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "loan/loan_int.h"
#include "sparrow/store.h"

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

typedef struct bulk {
  sp__loan *loans;
  size_t n;
} bulk;

static int put_loans(void *p, sp_store *s, sp_error *err) {
  bulk *b = p;
  for (size_t i = 0; i < b->n; i++)
    if (sp__loan_put(s, &b->loans[i], err) != SP_OK)
      return err->code;
  return SP_OK;
}

static void build(sp_book *book, long lines, sp_date day) {
  enum { CHUNK = 8000 };
  sp__loan *loans = calloc(CHUNK, sizeof *loans);
  sp_account *acc = calloc(3 * CHUNK, sizeof *acc);
  sp_transfer *xs = calloc(CHUNK, sizeof *xs);
  sp_product p;
  sp_product_default(&p);
  p.annual_rate = 2000000 * 360; /* 0.02% a day */
  for (long done = 0; done < lines;) {
    size_t n = 0;
    uint64_t next = sp_ledger_next_id(book->ledger);
    for (; n < CHUNK && done < lines; n++, done++) {
      sp__loan *l = &loans[n];
      memset(l, 0, sizeof *l);
      l->version = SP__LOAN_VERSION;
      l->kind = SP_LOAN_LINE;
      l->no = ++book->loan_no_max;
      snprintf(l->id, sizeof l->id, "L%ld", done + 1);
      l->product = p;
      l->limit_fen = 10000000;
      l->opened = day;
      l->closed_through = day - 1;
      l->maturity = sp_date_add_months(day, 12);
      l->accrued_until = sp_date_start(day);
      for (int k = 0; k < 3; k++) {
        sp_account *a = &acc[3 * n + k];
        *a = (sp_account){.id = SP_LOAN_ACCOUNT(l->no, k),
                          .owner_id = l->no,
                          .ledger = SP_LEDGER_CNY,
                          .kind = SP_ACCOUNT_ASSET,
                          .flags = SP_ACCOUNT_CREDITS_MUST_NOT_EXCEED_DEBITS};
        snprintf(a->name, sizeof a->name, "%s %d", l->id, k);
      }
      size_t one = 0;
      sp__xfer(&xs[n], &one, 1, &next,
               SP_LOAN_ACCOUNT(l->no, SP_PART_PRINCIPAL), SP_ACCOUNT_CASH,
               100000 + (int64_t)(done % 997) * 1000, l->no,
               sp_date_start(day) + 3600, SP_CODE_DRAW);
    }
    sp_error err;
    bulk b = {loans, n};
    if (sp_ledger_create_accounts(book->ledger, acc, 3 * n, &err) ||
        sp_ledger_submit(book->ledger, xs, n, NULL, &err) ||
        sp_ledger_commit(book->ledger, put_loans, &b, &err)) {
      fprintf(stderr, "build: %s\n", err.message);
      exit(1);
    }
  }
  free(loans);
  free(acc);
  free(xs);
}

static double sqlite_raw(const char *path, long n) {
  sqlite3 *db;
  sp_store_remove_sqlite(path);
  sqlite3_open(path, &db);
  sqlite3_exec(
      db,
      "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
      "CREATE TABLE t(id INTEGER PRIMARY KEY, d INT, c INT, a INT, p INT,"
      " o INT, tm INT, l INT, code INT, f INT, s INT);",
      NULL, NULL, NULL);
  sqlite3_stmt *ins;
  sqlite3_prepare_v2(db, "INSERT INTO t VALUES(?1,?2,?3,?4,0,0,0,156,1,0,0)",
                     -1, &ins, NULL);
  double t0 = now();
  for (long i = 1; i <= n; i++) {
    if (i % 8190 == 1)
      sqlite3_exec(db, "BEGIN", NULL, NULL, NULL);
    sqlite3_bind_int64(ins, 1, i);
    sqlite3_bind_int64(ins, 2, i);
    sqlite3_bind_int64(ins, 3, 2);
    sqlite3_bind_int64(ins, 4, 100);
    sqlite3_step(ins);
    sqlite3_reset(ins);
    if (i % 8190 == 0 || i == n)
      sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
  }
  double dt = now() - t0;
  sqlite3_finalize(ins);
  sqlite3_close(db);
  sp_store_remove_sqlite(path);
  return dt;
}

int main(int argc, char **argv) {
  long lines = argc > 1 ? atol(argv[1]) : 1000000;
  int days = argc > 2 ? atoi(argv[2]) : 1;
  if (lines < 1 || days < 1 || days > 31) {
    fprintf(stderr, "usage: bench_close_day [lines] [days 1..31]\n");
    return 2;
  }
  const char *path = "/tmp/sparrow-bench-close.db";
  sp_store_remove_sqlite(path);
  sp_book *book;
  sp_error err;
  sp_date day;
  sp_date_parse("2026-01-01", "date", &day, NULL);
  if (sp_book_open(path, &book, &err)) {
    fprintf(stderr, "%s\n", err.message);
    return 1;
  }
  double t0 = now();
  build(book, lines, day);
  double t_build = now() - t0;
  sp_book_close(book);
  if (getenv("SPARROW_BENCH_BUILD_ONLY") != NULL) {
    printf("built %ld lines in %.1f s: %s\n", lines, t_build, path);
    return 0;
  }
  sp_book_open_existing(path, &book, NULL);
  sp_close_stats st;
  t0 = now();
  if (sp_book_close_day(book, day + days - 1, &st, &err)) {
    fprintf(stderr, "close-day: %s\n", err.message);
    return 1;
  }
  double t_close = now() - t0;
  t0 = now();
  int ok = sp_ledger_verify(sp_book_store(book), NULL, &err) == SP_OK;
  double t_verify = now() - t0;
  sp_book_close(book);
  sp_store_remove_sqlite(path);
  double raw = sqlite_raw(path, lines * days);
  char interest[32];
  sp_money_format(st.interest_fen, interest, sizeof interest);
  printf("lines %ld, days %d (built in %.1f s)\n", lines, days, t_build);
  printf("close of day: %.2f s  (%llu transfers, interest %s; ledger verify %s "
         "in %.1f s)\n",
         t_close, (unsigned long long)st.transfers, interest,
         ok ? "ok" : "FAILED", t_verify);
  printf(
      "sqlite raw insert of %ld rows: %.2f s  (close of day / raw = %.2fx)\n",
      lines * days, raw, t_close / raw);
  return ok ? 0 : 1;
}
