/* WAL checkpoints on a thread beside the writer.
 *
 * SQLite's automatic checkpoint runs inside the commit that takes the WAL
 * past 1,000 frames: the writer copies those frames' pages into the
 * database file (some 190 distinct pages under the server's decisions) and
 * syncs the file, 3-4 ms in which it commits nothing. Under load that is
 * one commit in ~90, and every request waiting behind it waits those
 * milliseconds: the server's p99 (BENCHMARKS.md, serve).
 *
 * Here the writer's connection does not checkpoint. Its commits wake a
 * thread once cfg.frames frames were added since the thread's last copy,
 * and the thread checkpoints PASSIVE on a connection of its own: beside
 * the writer, which goes on committing (a checkpoint copies only frames
 * committed before it began, and never blocks a writer). When the copy did
 * not reach the WAL's end (commits came meanwhile), SQLite leaves the file
 * unsynced; the thread syncs it, so that little is left to sync later.
 *
 * SQLite starts the WAL over from its beginning only when a write begins
 * with every frame copied, which does not happen while commits keep
 * coming; a WAL that only grows costs a journal commit in every sync (the
 * file's size changes). So once the WAL holds cfg.restart_frames frames,
 * the thread takes the writer's lock between two transactions and copies
 * the few frames left: the copy reaches the end, SQLite syncs the file
 * before it marks the frames copied (as in its own checkpoints: a crash
 * can never find the WAL started over on a file not synced), and the
 * writer's next commit starts the WAL over. A short wait every
 * cfg.restart_frames frames in place of a long one every 1,000.
 *
 * Should the thread fall behind (a slow disk), past cfg.writer_frames the
 * writer copies the frames itself after its commit, as SQLite's automatic
 * checkpoint would.
 *
 * Measured under the server's decisions (BENCHMARKS.md, serve): group
 * commits over 3.75 ms went from 0.96% to 0.48%; most of what is left is
 * the WAL's own fdatasync. tests/test_powercut.c cuts the power under
 * this thread and the writer, and under the writer's own copies. */
#include "store/checkpoint.h"

#include <assert.h>
#include <stdlib.h>

struct sp__ckpt {
  sp__ckpt_config cfg;
  sqlite3 *db; /* the thread's */
  pthread_mutex_t *writer_lock;
  pthread_t thread;
  pthread_mutex_t mu;
  pthread_cond_t cond; /* wanted or stopping */
  int wanted, running, stopping;
  int copied;           /* frames of the WAL copied, atomic */
  sp__ckpt_stats stats; /* atomic */
};

static void count(unsigned long *n) {
  __atomic_fetch_add(n, 1, __ATOMIC_RELAXED);
}

/* The database file, synced (SQLite syncs it only after a checkpoint that
 * reached the WAL's end). */
static void sync_file(sp__ckpt *c) {
  sqlite3_file *f = NULL;
  if (sqlite3_file_control(c->db, "main", SQLITE_FCNTL_FILE_POINTER, &f) ==
          SQLITE_OK &&
      f != NULL && f->pMethods != NULL)
    f->pMethods->xSync(f, SQLITE_SYNC_NORMAL);
}

static void checkpoint(sp__ckpt *c) {
  int log = 0, copied = 0;
  if (sqlite3_wal_checkpoint_v2(c->db, "main", SQLITE_CHECKPOINT_PASSIVE, &log,
                                &copied) != SQLITE_OK)
    return; /* busy (another checkpoint), or an I/O error: the next one */
  count(&c->stats.checkpoints);
  if (copied < log)
    sync_file(c);
  if (log >= c->cfg.restart_frames) {
    /* SQLite sets both counts to -1 when a checkpoint cannot run */
    int log_now = 0, copied_now = 0;
    pthread_mutex_lock(c->writer_lock);
    int rc = sqlite3_wal_checkpoint_v2(c->db, "main", SQLITE_CHECKPOINT_PASSIVE,
                                       &log_now, &copied_now);
    pthread_mutex_unlock(c->writer_lock);
    if (rc == SQLITE_OK) {
      count(&c->stats.restarts);
      copied = copied_now;
    }
  }
  __atomic_store_n(&c->copied, copied, __ATOMIC_RELEASE);
}

static void *ckpt_main(void *arg) {
  sp__ckpt *c = arg;
  pthread_mutex_lock(&c->mu);
  for (;;) {
    while (!c->wanted && !c->stopping)
      pthread_cond_wait(&c->cond, &c->mu);
    if (c->stopping)
      break;
    c->wanted = 0;
    pthread_mutex_unlock(&c->mu);
    checkpoint(c);
    pthread_mutex_lock(&c->mu);
    c->running = 0;
  }
  pthread_mutex_unlock(&c->mu);
  return NULL;
}

/* After each commit of a writer attached, with its WAL's frames. */
static int on_commit(void *arg, sqlite3 *db, const char *name, int frames) {
  sp__ckpt *c = arg;
  int copied = __atomic_load_n(&c->copied, __ATOMIC_ACQUIRE);
  if (copied > frames)
    copied = 0; /* the WAL started over */
  if (frames >= c->cfg.writer_frames) {
    /* counted when it copied frames (a reader's old snapshot may hold the
     * copies back: then neither copies) */
    int log = 0, done = 0;
    if (sqlite3_wal_checkpoint_v2(db, name, SQLITE_CHECKPOINT_PASSIVE, &log,
                                  &done) == SQLITE_OK &&
        done > copied)
      count(&c->stats.by_writer);
    return SQLITE_OK;
  }
  if (c->cfg.frames == 0 || frames - copied < c->cfg.frames)
    return SQLITE_OK;
  pthread_mutex_lock(&c->mu);
  if (!c->running) {
    c->running = c->wanted = 1;
    pthread_cond_signal(&c->cond);
  }
  pthread_mutex_unlock(&c->mu);
  return SQLITE_OK;
}

void sp__ckpt_attach(sp__ckpt *c, sqlite3 *writer) {
  sqlite3_wal_hook(writer, on_commit, c); /* in place of SQLite's own */
}

int sp__ckpt_start(const char *path, const sp__ckpt_config *cfg,
                   pthread_mutex_t *writer_lock, sp__ckpt **out,
                   sp_error *err) {
  assert(cfg->frames >= 0 && cfg->restart_frames >= cfg->frames &&
         cfg->writer_frames > cfg->restart_frames);
  sp__ckpt *c = calloc(1, sizeof *c);
  if (c == NULL)
    return sp_error_set(err, SP_ENOMEM, "db", "out of memory");
  c->cfg = *cfg;
  c->writer_lock = writer_lock;
  /* synchronous=FULL: the WAL synced before a copy and the file after one
   * that reached the WAL's end, as the writer's own would. */
  if (sqlite3_open_v2(path, &c->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX,
                      NULL) != SQLITE_OK ||
      sqlite3_db_config(c->db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, NULL) !=
          SQLITE_OK ||
      sqlite3_exec(c->db, "PRAGMA synchronous=FULL", NULL, NULL, NULL) !=
          SQLITE_OK) {
    int rc = sp_error_set(err, SP_ESTORE, "db",
                          "cannot open '%s' to checkpoint it: %s", path,
                          c->db ? sqlite3_errmsg(c->db) : "out of memory");
    sqlite3_close(c->db);
    free(c);
    return rc;
  }
  pthread_mutex_init(&c->mu, NULL);
  pthread_cond_init(&c->cond, NULL);
  if (pthread_create(&c->thread, NULL, ckpt_main, c) != 0) {
    pthread_cond_destroy(&c->cond);
    pthread_mutex_destroy(&c->mu);
    sqlite3_close(c->db);
    free(c);
    return sp_error_set(err, SP_ENOMEM, "threads",
                        "cannot start the checkpoint thread");
  }
  pthread_setname_np(c->thread, "checkpoint");
  *out = c;
  return SP_OK;
}

sp__ckpt_stats sp__ckpt_stats_get(sp__ckpt *c) {
  sp__ckpt_stats s;
  s.checkpoints = __atomic_load_n(&c->stats.checkpoints, __ATOMIC_RELAXED);
  s.restarts = __atomic_load_n(&c->stats.restarts, __ATOMIC_RELAXED);
  s.by_writer = __atomic_load_n(&c->stats.by_writer, __ATOMIC_RELAXED);
  return s;
}

void sp__ckpt_stop(sp__ckpt *c) {
  if (c == NULL)
    return;
  pthread_mutex_lock(&c->mu);
  c->stopping = 1;
  pthread_cond_signal(&c->cond);
  pthread_mutex_unlock(&c->mu);
  pthread_join(c->thread, NULL);
  pthread_cond_destroy(&c->cond);
  pthread_mutex_destroy(&c->mu);
  sqlite3_close(c->db);
  free(c);
}
