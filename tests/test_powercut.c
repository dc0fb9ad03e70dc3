/* Power cuts under the writers' stack (src/store/walbuf.c over SQLite in
 * WAL mode at synchronous=FULL): every commit that returned is on the
 * disk, whatever the disk kept of what was never synced.
 *
 * A VFS below the buffering one ("cut", made the default before it wraps
 * the default) keeps, for every write and truncate since a file's last
 * sync, the bytes it replaced. At the I/O call chosen for the cut it puts
 * back every file as of its last sync, lays again a random half of the
 * unsynced writes (a disk may have kept any of them, in any order of
 * completion), and the process ends there, inside the call, as a machine
 * without power would. SIGKILL (test_walbuf, cli_serve_kill) cannot show
 * this: the kernel keeps what was written and not synced.
 *
 * A child commits known rows (one commit a number, acknowledged on a pipe
 * as each returns) with checkpoints every 40 pages; the parent opens what
 * is left and finds every acknowledged commit, at most the one in flight
 * besides, each row's bytes as written, and integrity_check "ok". The same
 * cuts on a writer at synchronous=OFF must lose acknowledged commits, which
 * shows that the harness can see a loss.
 *
 * The same cuts again with the server's checkpoints (src/store/
 * checkpoint.c): the writer's connection does not checkpoint, a thread
 * copies the WAL on a connection of its own beside the writer's commits
 * and, under the writer's lock, lets the WAL start over. A cut may come in
 * either thread's I/O; every acknowledged commit must be there all the
 * same. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "store/checkpoint.h"
#include "store/walbuf.h"
#include "temp_db.h"

#define COMMITS 60
#define FILES_MAX 8
#define OPS_MAX 100000

/* A write or truncate not yet synced: what it replaced, and what it
 * wrote (to lay it again if the disk kept it). */
typedef struct op {
  int file;
  int truncate;
  sqlite3_int64 off, old_size;
  unsigned char *old_bytes, *new_bytes; /* old: [off, min(end, old_size)) */
  int old_len, new_len;
} op;

typedef struct cut_file {
  sqlite3_file base;
  sqlite3_file *real; /* follows this struct */
  int file;           /* in paths, -1 if not kept */
} cut_file;

static sqlite3_vfs *unix_vfs, cut_vfs;
static char paths[FILES_MAX][512];
static op ops[OPS_MAX];
static int n_ops, n_paths;
static long io_calls, cut_at; /* cut_at 0: never */
static unsigned seed;
/* The checkpoint thread writes too: one I/O call at a time, each with its
 * bookkeeping. */
static pthread_mutex_t io_lock = PTHREAD_MUTEX_INITIALIZER;

static int real_write(int file, const void *p, int n, sqlite3_int64 off) {
  FILE *f = fopen(paths[file], "r+b");
  if (f == NULL)
    return -1;
  int ok =
      fseeko(f, off, SEEK_SET) == 0 && fwrite(p, 1, (size_t)n, f) == (size_t)n;
  return fclose(f) == 0 && ok ? 0 : -1;
}

/* The power goes: the files as of their last sync, plus what the disk
 * happened to keep. */
static void power_cut(void) {
  for (int i = n_ops - 1; i >= 0; i--) { /* undo, latest first */
    op *o = &ops[i];
    if (o->old_len > 0 &&
        real_write(o->file, o->old_bytes, o->old_len, o->off) != 0)
      _exit(90);
    if (truncate(paths[o->file], o->old_size) != 0)
      _exit(91);
  }
  for (int i = 0; i < n_ops; i++) { /* some reached the disk */
    op *o = &ops[i];
    if (rand_r(&seed) % 2 == 0)
      continue;
    if (o->truncate
            ? truncate(paths[o->file], o->off) != 0
            : real_write(o->file, o->new_bytes, o->new_len, o->off) != 0)
      _exit(92);
  }
  _exit(0);
}

static void count_call(void) {
  if (++io_calls == cut_at)
    power_cut();
}

static void keep_op(cut_file *f, int truncate_op, sqlite3_int64 off,
                    const void *data, int n) {
  if (f->file < 0)
    return;
  if (n_ops == OPS_MAX)
    _exit(93);
  op *o = &ops[n_ops++];
  *o = (op){.file = f->file, .truncate = truncate_op, .off = off};
  f->real->pMethods->xFileSize(f->real, &o->old_size);
  sqlite3_int64 from = off, to = truncate_op ? o->old_size : off + n;
  to = to < o->old_size ? to : o->old_size;
  if (to > from) {
    o->old_len = (int)(to - from);
    o->old_bytes = malloc((size_t)o->old_len);
    if (o->old_bytes == NULL ||
        f->real->pMethods->xRead(f->real, o->old_bytes, o->old_len, from) !=
            SQLITE_OK)
      _exit(94);
  }
  if (!truncate_op) {
    o->new_len = n;
    o->new_bytes = malloc((size_t)n);
    if (o->new_bytes == NULL)
      _exit(95);
    memcpy(o->new_bytes, data, (size_t)n);
  }
}

static void forget_ops(int file) {
  int k = 0;
  for (int i = 0; i < n_ops; i++)
    if (ops[i].file == file) {
      free(ops[i].old_bytes);
      free(ops[i].new_bytes);
    } else
      ops[k++] = ops[i];
  n_ops = k;
}

static int c_close(sqlite3_file *p) {
  cut_file *f = (cut_file *)p;
  return f->real->pMethods->xClose(f->real);
}
static int c_read(sqlite3_file *p, void *b, int n, sqlite3_int64 off) {
  cut_file *f = (cut_file *)p;
  return f->real->pMethods->xRead(f->real, b, n, off);
}
static int c_write(sqlite3_file *p, const void *b, int n, sqlite3_int64 off) {
  cut_file *f = (cut_file *)p;
  pthread_mutex_lock(&io_lock);
  count_call();
  keep_op(f, 0, off, b, n);
  int rc = f->real->pMethods->xWrite(f->real, b, n, off);
  pthread_mutex_unlock(&io_lock);
  return rc;
}
static int c_truncate(sqlite3_file *p, sqlite3_int64 size) {
  cut_file *f = (cut_file *)p;
  pthread_mutex_lock(&io_lock);
  count_call();
  keep_op(f, 1, size, NULL, 0);
  int rc = f->real->pMethods->xTruncate(f->real, size);
  pthread_mutex_unlock(&io_lock);
  return rc;
}
static int c_sync(sqlite3_file *p, int flags) {
  cut_file *f = (cut_file *)p;
  pthread_mutex_lock(&io_lock);
  count_call();
  int rc = f->real->pMethods->xSync(f->real, flags);
  if (rc == SQLITE_OK && f->file >= 0)
    forget_ops(f->file);
  pthread_mutex_unlock(&io_lock);
  return rc;
}
static int c_size(sqlite3_file *p, sqlite3_int64 *out) {
  cut_file *f = (cut_file *)p;
  return f->real->pMethods->xFileSize(f->real, out);
}
static int c_lock(sqlite3_file *p, int l) {
  cut_file *f = (cut_file *)p;
  return f->real->pMethods->xLock(f->real, l);
}
static int c_unlock(sqlite3_file *p, int l) {
  cut_file *f = (cut_file *)p;
  return f->real->pMethods->xUnlock(f->real, l);
}
static int c_check(sqlite3_file *p, int *out) {
  cut_file *f = (cut_file *)p;
  return f->real->pMethods->xCheckReservedLock(f->real, out);
}
static int c_control(sqlite3_file *p, int op_, void *arg) {
  cut_file *f = (cut_file *)p;
  return f->real->pMethods->xFileControl(f->real, op_, arg);
}
static int c_sector(sqlite3_file *p) {
  cut_file *f = (cut_file *)p;
  return f->real->pMethods->xSectorSize(f->real);
}
static int c_device(sqlite3_file *p) {
  cut_file *f = (cut_file *)p;
  return f->real->pMethods->xDeviceCharacteristics(f->real);
}
static int c_shm_map(sqlite3_file *p, int pg, int sz, int ext,
                     void volatile **out) {
  cut_file *f = (cut_file *)p;
  return f->real->pMethods->xShmMap(f->real, pg, sz, ext, out);
}
static int c_shm_lock(sqlite3_file *p, int off, int n, int flags) {
  cut_file *f = (cut_file *)p;
  return f->real->pMethods->xShmLock(f->real, off, n, flags);
}
static void c_shm_barrier(sqlite3_file *p) {
  cut_file *f = (cut_file *)p;
  f->real->pMethods->xShmBarrier(f->real);
}
static int c_shm_unmap(sqlite3_file *p, int del) {
  cut_file *f = (cut_file *)p;
  return f->real->pMethods->xShmUnmap(f->real, del);
}

static const sqlite3_io_methods cut_methods = {
    .iVersion = 2,
    .xClose = c_close,
    .xRead = c_read,
    .xWrite = c_write,
    .xTruncate = c_truncate,
    .xSync = c_sync,
    .xFileSize = c_size,
    .xLock = c_lock,
    .xUnlock = c_unlock,
    .xCheckReservedLock = c_check,
    .xFileControl = c_control,
    .xSectorSize = c_sector,
    .xDeviceCharacteristics = c_device,
    .xShmMap = c_shm_map,
    .xShmLock = c_shm_lock,
    .xShmBarrier = c_shm_barrier,
    .xShmUnmap = c_shm_unmap,
};

/* The database and its WAL are kept (by path); the others pass. */
static int c_open(sqlite3_vfs *v, const char *name, sqlite3_file *p, int flags,
                  int *out_flags) {
  (void)v;
  cut_file *f = (cut_file *)p;
  f->real = (sqlite3_file *)(f + 1);
  int rc = unix_vfs->xOpen(unix_vfs, name, f->real, flags, out_flags);
  if (rc != SQLITE_OK) {
    p->pMethods = NULL;
    return rc;
  }
  f->file = -1;
  pthread_mutex_lock(&io_lock);
  if (name != NULL && (flags & (SQLITE_OPEN_MAIN_DB | SQLITE_OPEN_WAL)) != 0) {
    for (int i = 0; i < n_paths && f->file < 0; i++)
      if (strcmp(paths[i], name) == 0)
        f->file = i;
    if (f->file < 0 && n_paths < FILES_MAX) {
      snprintf(paths[n_paths], sizeof paths[n_paths], "%s", name);
      f->file = n_paths++;
    }
  }
  pthread_mutex_unlock(&io_lock);
  p->pMethods = &cut_methods;
  return SQLITE_OK;
}

/* A deleted file (the WAL, once checkpointed on close) is gone for good. */
static int c_delete(sqlite3_vfs *v, const char *name, int sync_dir) {
  (void)v;
  pthread_mutex_lock(&io_lock);
  count_call();
  for (int i = 0; i < n_paths; i++)
    if (strcmp(paths[i], name) == 0)
      forget_ops(i);
  int rc = unix_vfs->xDelete(unix_vfs, name, sync_dir);
  pthread_mutex_unlock(&io_lock);
  return rc;
}
static int c_access(sqlite3_vfs *v, const char *name, int flags, int *out) {
  (void)v;
  return unix_vfs->xAccess(unix_vfs, name, flags, out);
}
static int c_full(sqlite3_vfs *v, const char *name, int n, char *out) {
  (void)v;
  return unix_vfs->xFullPathname(unix_vfs, name, n, out);
}
static int c_random(sqlite3_vfs *v, int n, char *out) {
  (void)v;
  return unix_vfs->xRandomness(unix_vfs, n, out);
}
static int c_sleep(sqlite3_vfs *v, int us) {
  (void)v;
  return unix_vfs->xSleep(unix_vfs, us);
}
static int c_time(sqlite3_vfs *v, double *out) {
  (void)v;
  return unix_vfs->xCurrentTime(unix_vfs, out);
}
static int c_error(sqlite3_vfs *v, int n, char *out) {
  (void)v;
  return unix_vfs->xGetLastError(unix_vfs, n, out);
}
static int c_time64(sqlite3_vfs *v, sqlite3_int64 *out) {
  (void)v;
  return unix_vfs->xCurrentTimeInt64(unix_vfs, out);
}

static void register_cut(void) {
  unix_vfs = sqlite3_vfs_find("unix");
  assert_non_null(unix_vfs);
  cut_vfs = (sqlite3_vfs){
      .iVersion = 2,
      .szOsFile = (int)sizeof(cut_file) + unix_vfs->szOsFile,
      .mxPathname = unix_vfs->mxPathname,
      .zName = "cut",
      .xOpen = c_open,
      .xDelete = c_delete,
      .xAccess = c_access,
      .xFullPathname = c_full,
      .xRandomness = c_random,
      .xSleep = c_sleep,
      .xCurrentTime = c_time,
      .xGetLastError = c_error,
      .xCurrentTimeInt64 = c_time64,
  };
  /* the default, so that the buffering VFS wraps it */
  assert_int_equal(sqlite3_vfs_register(&cut_vfs, 1), SQLITE_OK);
}

/* Commit i: i % 13 + 1 rows of 200 + i % 7 * 900 bytes, byte j of row n
 * being (n * 31 + j) % 251. */
static int rows_of(int i) { return i % 13 + 1; }

static int commit_rows(sqlite3 *db, int i, int64_t *next_n) {
  int len = 200 + i % 7 * 900, rc = SQLITE_OK;
  sqlite3_stmt *st;
  if (sqlite3_exec(db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK ||
      sqlite3_prepare_v2(db, "INSERT INTO t(n, b) VALUES(?1, ?2)", -1, &st,
                         NULL) != SQLITE_OK)
    return SQLITE_ERROR;
  unsigned char b[200 + 6 * 900];
  for (int r = 0; rc == SQLITE_OK && r < rows_of(i); r++, (*next_n)++) {
    for (int j = 0; j < len; j++)
      b[j] = (unsigned char)((*next_n * 31 + j) % 251);
    sqlite3_bind_int64(st, 1, *next_n);
    sqlite3_bind_blob(st, 2, b, len, SQLITE_STATIC);
    rc = sqlite3_step(st) == SQLITE_DONE ? SQLITE_OK : SQLITE_ERROR;
    sqlite3_reset(st);
  }
  sqlite3_finalize(st);
  return rc == SQLITE_OK ? sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) : rc;
}

/* How the child writes: at synchronous=OFF (nothing synced), through
 * the buffering VFS at FULL with SQLite's own checkpoints, the same with
 * the server's checkpoint thread, or with the thread copying nothing (as
 * when it has fallen behind): the writer copies past writer_frames. */
enum { UNSYNCED, BUFFERED, THREAD, WRITER_COPIES };

/* The server's checkpoints, small: a copy every 20 frames, the WAL
 * started over past 60 (the commits write 1 to ~30 frames each). */
static const sp__ckpt_config small_ckpt = {
    .frames = 20, .restart_frames = 60, .writer_frames = 400};
static const sp__ckpt_config writer_ckpt = {
    .frames = 0, .restart_frames = 0, .writer_frames = 100};

/* The child: COMMITS commits, each acknowledged on fd as it returns, under
 * the lock the checkpoint thread takes; the power goes at I/O call `at`
 * (0: never; then the calls made are sent, and the checkpoints' counts and
 * the WAL's largest size). */
static void writer(const char *path, int mode, long at, unsigned s, int fd) {
  cut_at = at, seed = s;
  sqlite3 *db;
  static pthread_mutex_t writer_lock = PTHREAD_MUTEX_INITIALIZER;
  int rc = mode != UNSYNCED
               ? sp__walbuf_open(path, &db,
                                 SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE)
               : sqlite3_open(path, &db);
  if (rc != SQLITE_OK ||
      sqlite3_exec(db,
                   mode != UNSYNCED ? "PRAGMA synchronous=FULL"
                                    : "PRAGMA synchronous=OFF",
                   NULL, NULL, NULL) != SQLITE_OK ||
      sqlite3_exec(db,
                   "PRAGMA journal_mode=WAL; PRAGMA cache_size=8;"
                   "PRAGMA wal_autocheckpoint=40;"
                   "CREATE TABLE t(n INTEGER PRIMARY KEY, b BLOB NOT NULL)",
                   NULL, NULL, NULL) != SQLITE_OK)
    _exit(80);
  sp__ckpt *ckpt = NULL;
  if (mode == THREAD || mode == WRITER_COPIES) {
    sp_error err;
    if (sp__ckpt_start(path, mode == THREAD ? &small_ckpt : &writer_ckpt,
                       &writer_lock, &ckpt, &err) != SP_OK)
      _exit(83);
    sp__ckpt_attach(ckpt, db);
  }
  int acked = -1; /* the schema: before commit 0 */
  if (write(fd, &acked, sizeof acked) != sizeof acked)
    _exit(81);
  int64_t n = 0;
  long wal_max = 0;
  char wal[600];
  snprintf(wal, sizeof wal, "%s-wal", path);
  for (int i = 0; i < COMMITS; i++) {
    pthread_mutex_lock(&writer_lock);
    rc = commit_rows(db, i, &n);
    pthread_mutex_unlock(&writer_lock);
    if (rc != SQLITE_OK)
      _exit(82);
    if (write(fd, &i, sizeof i) != sizeof i)
      _exit(81);
    struct stat w;
    if (stat(wal, &w) == 0 && w.st_size > wal_max)
      wal_max = (long)w.st_size;
  }
  sp__ckpt_stats st = ckpt ? sp__ckpt_stats_get(ckpt) : (sp__ckpt_stats){0};
  sp__ckpt_stop(ckpt);
  sqlite3_close(db);
  long tail[5] = {io_calls, (long)st.checkpoints, (long)st.restarts,
                  (long)st.by_writer, wal_max};
  if (write(fd, tail, sizeof tail) != sizeof tail)
    _exit(81);
  _exit(0);
}

typedef struct outcome {
  int acked; /* the last acknowledged commit, -2 none */
  /* of a run without a cut: its I/O calls, the checkpoint thread's copies
   * and restarts, the writer's own copies, the WAL's largest size */
  long io_calls, checkpoints, restarts, by_writer, wal_max;
  int ok;           /* what is left is sound and has every acked commit */
  int commits_left; /* complete commits found */
} outcome;

static outcome run(int mode, long at, unsigned s) {
  char path[256];
  temp_db(path, sizeof path, "powercut");
  int fd[2];
  assert_int_equal(pipe(fd), 0);
  pid_t child = fork();
  assert_true(child >= 0);
  if (child == 0) {
    close(fd[0]);
    writer(path, mode, at, s, fd[1]);
  }
  close(fd[1]);
  outcome o = {.acked = -2};
  int v;
  int got = 0;
  while (got < 1 + COMMITS && read(fd[0], &v, sizeof v) == sizeof v)
    o.acked = v, got++;
  /* a run that was not cut ends by sending its counts (one with the
   * checkpoint thread may make fewer I/O calls than `at`) */
  long tail[5] = {0};
  ssize_t io = read(fd[0], tail, sizeof tail);
  if (at != 0 && io == 0)
    io = (ssize_t)sizeof tail; /* cut */
  o.io_calls = tail[0], o.checkpoints = tail[1], o.restarts = tail[2];
  o.by_writer = tail[3], o.wal_max = tail[4];
  close(fd[0]);
  int status;
  assert_int_equal(waitpid(child, &status, 0), child);
  if (!WIFEXITED(status))
    fail_msg("child status %#x (at %ld)", status, at);
  assert_int_equal(WEXITSTATUS(status), 0);
  assert_int_equal(io, sizeof tail);

  /* What is left, read on SQLite's own VFS. */
  sqlite3 *db;
  sqlite3_stmt *st;
  o.ok =
      sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, "unix") == SQLITE_OK &&
      sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &st, NULL) ==
          SQLITE_OK;
  if (o.ok) {
    o.ok = sqlite3_step(st) == SQLITE_ROW &&
           strcmp((const char *)sqlite3_column_text(st, 0), "ok") == 0;
    sqlite3_finalize(st);
  }
  if (o.ok && o.acked >= -1) { /* the table was acknowledged */
    o.ok = sqlite3_prepare_v2(db, "SELECT n, b FROM t ORDER BY n", -1, &st,
                              NULL) == SQLITE_OK;
    int64_t expect_n = 0, rows = 0;
    int commit = 0;
    while (o.ok && sqlite3_step(st) == SQLITE_ROW) {
      int64_t n = sqlite3_column_int64(st, 0);
      const unsigned char *b = sqlite3_column_blob(st, 1);
      int len = sqlite3_column_bytes(st, 1);
      o.ok = n == expect_n++ && len == 200 + commit % 7 * 900;
      for (int j = 0; o.ok && j < len; j++)
        o.ok = b[j] == (unsigned char)((n * 31 + j) % 251);
      if (++rows == rows_of(commit))
        rows = 0, commit++;
    }
    sqlite3_finalize(st); /* NULL if it was not prepared */
    o.commits_left = commit;
    /* whole commits only: every acknowledged one, at most one more */
    o.ok = o.ok && rows == 0 && commit >= o.acked + 1 && commit <= o.acked + 2;
  } /* else cut before the schema returned: nothing was promised */
  sqlite3_close(db);
  temp_db(path, sizeof path, "powercut");
  return o;
}

/* Cuts spread over a whole run's I/O calls, each with its own luck: every
 * one leaves every acknowledged commit. */
static void cut_runs(int mode, unsigned seeds, const outcome *whole) {
  int trials = 60, after_acks = 0;
  for (int t = 0; t < trials; t++) {
    long at = 1 + (long)t * whole->io_calls / trials + t % 5;
    outcome o = run(mode, at, seeds + (unsigned)t);
    if (!o.ok)
      fail_msg("cut at I/O call %ld of %ld (seed %u): acknowledged %d, "
               "%d whole commits left, or the file is not sound",
               at, whole->io_calls, seeds + (unsigned)t, o.acked,
               o.commits_left);
    after_acks += o.acked >= 0;
  }
  assert_true(after_acks > trials / 2);
}

static void test_power_cuts(void **state) {
  (void)state;
  outcome whole = run(BUFFERED, 0, 1);
  assert_true(whole.ok);
  assert_int_equal(whole.acked, COMMITS - 1);
  assert_int_equal(whole.commits_left, COMMITS);
  assert_true(whole.io_calls > 100);
  cut_runs(BUFFERED, 1000u, &whole);
}

/* With the checkpoint thread: the run copied the WAL on the thread and
 * started it over (under the writer's lock) at least once, and the WAL
 * never outgrew the point where the writer copies it itself (400 frames
 * of 4 KiB pages and their 24-byte headers, one commit's ~30 frames
 * more); then the cuts. */
static void test_power_cuts_checkpoint_thread(void **state) {
  (void)state;
  outcome whole = run(THREAD, 0, 1);
  assert_true(whole.ok);
  assert_int_equal(whole.commits_left, COMMITS);
  assert_true(whole.checkpoints >= 2);
  assert_true(whole.restarts >= 1);
  assert_true(whole.wal_max > 0);
  assert_true(whole.wal_max <= 32 + (400 + 30) * (4096 + 24));
  cut_runs(THREAD, 3000u, &whole);
}

/* The writer's own copies, the thread copying nothing: the WAL never
 * outgrew 100 frames and a commit's ~30 more; then the cuts. */
static void test_power_cuts_writer_copies(void **state) {
  (void)state;
  outcome whole = run(WRITER_COPIES, 0, 1);
  assert_true(whole.ok);
  assert_int_equal(whole.commits_left, COMMITS);
  assert_int_equal(whole.checkpoints, 0);
  assert_int_equal(whole.restarts, 0);
  assert_true(whole.by_writer >= 2);
  assert_true(whole.wal_max > 0);
  assert_true(whole.wal_max <= 32 + (100 + 30) * (4096 + 24));
  cut_runs(WRITER_COPIES, 5000u, &whole);
}

/* The same cuts on a writer that never syncs lose acknowledged commits:
 * the harness sees a loss. */
static void test_harness_sees_loss(void **state) {
  (void)state;
  outcome whole = run(UNSYNCED, 0, 1);
  assert_true(whole.ok);
  int lost = 0;
  for (int t = 0; t < 20; t++) {
    long at = whole.io_calls * (t + 10) / 30;
    outcome o = run(UNSYNCED, at, 2000u + (unsigned)t);
    lost += !o.ok;
  }
  assert_true(lost > 0);
}

int main(void) {
  register_cut();
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_power_cuts),
      cmocka_unit_test(test_power_cuts_checkpoint_thread),
      cmocka_unit_test(test_power_cuts_writer_copies),
      cmocka_unit_test(test_harness_sees_loss),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
