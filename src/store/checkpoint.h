/* WAL checkpoints on a thread beside a SQLite writer (checkpoint.c). */
#ifndef SP_STORE_CHECKPOINT_H
#define SP_STORE_CHECKPOINT_H

#include <pthread.h>
#include <sqlite3.h>

#include "sparrow/error.h"

typedef struct sp__ckpt_config {
  int frames;         /* copy once this many frames were added since (0:
                         never: the writer copies, past writer_frames) */
  int restart_frames; /* finish under the writer's lock past this many */
  int writer_frames;  /* the writer copies them itself past this many */
} sp__ckpt_config;

/* SQLite's own interval (wal_autocheckpoint), then 16 MiB and 64 MiB of
 * WAL at 4 KiB pages. */
#define SP__CKPT_DEFAULTS                                                      \
  ((sp__ckpt_config){                                                          \
      .frames = 1000, .restart_frames = 4000, .writer_frames = 16000})

typedef struct sp__ckpt_stats {
  unsigned long checkpoints; /* by the thread, outside the writer's lock */
  unsigned long restarts;    /* by the thread, under the writer's lock */
  unsigned long by_writer;   /* by the writer, the thread being behind */
} sp__ckpt_stats;

typedef struct sp__ckpt sp__ckpt;

/* Starts the thread, on a connection of its own to the database at path
 * (a file in WAL mode, which must exist). writer_lock is held by whoever
 * writes through the writer's connection, for the whole of each
 * transaction. */
int sp__ckpt_start(const char *path, const sp__ckpt_config *cfg,
                   pthread_mutex_t *writer_lock, sp__ckpt **out, sp_error *err);

/* Takes the checkpoints away from the writer's connection (it no longer
 * checkpoints at commits) and has its commits wake the thread. Called
 * under writer_lock, again for each new writer connection. */
void sp__ckpt_attach(sp__ckpt *c, sqlite3 *writer);

/* What the thread and the writer copied so far. */
sp__ckpt_stats sp__ckpt_stats_get(sp__ckpt *c);

/* Joins the thread (its checkpoint finishes first) and frees c; NULL is
 * ignored. Called when nothing writes: a connection attached must not
 * commit after (closing it checkpoints, as SQLite's last connection to
 * close does). */
void sp__ckpt_stop(sp__ckpt *c);

#endif
