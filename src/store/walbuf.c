/* A SQLite VFS that gathers a transaction's WAL writes into one write.
 *
 * SQLite writes each WAL frame as two calls (its 24-byte header, then the
 * page), so a group commit of 18 pages costs 36 pwrite calls before its
 * fdatasync; on this project's machines that is 62 µs of CPU against
 * 21 µs for the same bytes in one call (a commit of decisions writes
 * 15-20 frames, one of draws 25-30). This VFS is the default one with the
 * WAL file's writes kept in a buffer while they are contiguous, and
 * written at once before anything that must see them: a sync, a read, a
 * truncate, the size, a file control, the close, or a write elsewhere.
 *
 * Why nothing can read the buffer's bytes: a commit's frames become
 * visible to other connections when SQLite publishes the new end of the
 * log in the wal-index, and with synchronous=FULL (or EXTRA) it syncs the
 * WAL file first, after the last frame; the sync writes the buffer. So the
 * VFS is only for connections that keep synchronous at FULL (the writers
 * of sqlite.c and svc/db.c do). Where the device does not promise
 * power-safe overwrite, SQLite pads a commit to a sector boundary and
 * writes the last part after the sync; such a WAL file is not buffered.
 *
 * A crash before the sync loses only bytes of a transaction that had not
 * committed, as it would have lost them in the page cache. */
#include <assert.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "store/walbuf.h"

/* The most the default VFS writes in one call (its pwrite takes the low
 * 17 bits of the length): 31 frames of 4 KiB pages. */
#define WALBUF_BYTES 0x1ffff

typedef struct wal_file {
  sqlite3_file base;
  sqlite3_file *real; /* the default VFS's file, placed after this struct */
  char *buf;          /* len bytes not written yet, for offset `at` */
  size_t len;
  sqlite3_int64 at;
} wal_file;

static sqlite3_vfs *root;
static sqlite3_vfs walbuf_vfs;
static pthread_once_t once = PTHREAD_ONCE_INIT;
static int registered;

static sqlite3_file *real_of(sqlite3_file *f) { return ((wal_file *)f)->real; }

static int flush(wal_file *f) {
  assert(f->len <= WALBUF_BYTES && (f->len == 0 || f->buf != NULL));
  if (f->len == 0)
    return SQLITE_OK;
  int rc = f->real->pMethods->xWrite(f->real, f->buf, (int)f->len, f->at);
  f->len = 0;
  return rc;
}

static int wb_close(sqlite3_file *file) {
  wal_file *f = (wal_file *)file;
  int rc = flush(f);
  int closed = f->real->pMethods->xClose(f->real);
  free(f->buf);
  f->buf = NULL;
  return rc != SQLITE_OK ? rc : closed;
}

static int wb_read(sqlite3_file *file, void *out, int amt, sqlite3_int64 at) {
  int rc = flush((wal_file *)file);
  return rc != SQLITE_OK
             ? rc
             : real_of(file)->pMethods->xRead(real_of(file), out, amt, at);
}

static int wb_write(sqlite3_file *file, const void *data, int amt,
                    sqlite3_int64 at) {
  wal_file *f = (wal_file *)file;
  size_t n = (size_t)amt;
  if (f->buf == NULL)
    return f->real->pMethods->xWrite(f->real, data, amt, at);
  if (f->len > 0 && at == f->at + (sqlite3_int64)f->len &&
      f->len + n <= WALBUF_BYTES) {
    memcpy(f->buf + f->len, data, n);
    f->len += n;
    return SQLITE_OK;
  }
  int rc = flush(f);
  if (rc != SQLITE_OK)
    return rc;
  if (n > WALBUF_BYTES / 2) /* as large as a buffer: no use copying it */
    return f->real->pMethods->xWrite(f->real, data, amt, at);
  memcpy(f->buf, data, n);
  f->len = n;
  f->at = at;
  return SQLITE_OK;
}

static int wb_truncate(sqlite3_file *file, sqlite3_int64 size) {
  int rc = flush((wal_file *)file);
  return rc != SQLITE_OK
             ? rc
             : real_of(file)->pMethods->xTruncate(real_of(file), size);
}

static int wb_sync(sqlite3_file *file, int flags) {
  int rc = flush((wal_file *)file);
  return rc != SQLITE_OK ? rc
                         : real_of(file)->pMethods->xSync(real_of(file), flags);
}

static int wb_file_size(sqlite3_file *file, sqlite3_int64 *size) {
  int rc = flush((wal_file *)file);
  return rc != SQLITE_OK
             ? rc
             : real_of(file)->pMethods->xFileSize(real_of(file), size);
}

static int wb_lock(sqlite3_file *file, int lock) {
  return real_of(file)->pMethods->xLock(real_of(file), lock);
}

static int wb_unlock(sqlite3_file *file, int lock) {
  return real_of(file)->pMethods->xUnlock(real_of(file), lock);
}

static int wb_check_reserved(sqlite3_file *file, int *out) {
  return real_of(file)->pMethods->xCheckReservedLock(real_of(file), out);
}

static int wb_file_control(sqlite3_file *file, int op, void *arg) {
  int rc = flush((wal_file *)file);
  return rc != SQLITE_OK
             ? rc
             : real_of(file)->pMethods->xFileControl(real_of(file), op, arg);
}

static int wb_sector_size(sqlite3_file *file) {
  return real_of(file)->pMethods->xSectorSize(real_of(file));
}

static int wb_device(sqlite3_file *file) {
  return real_of(file)->pMethods->xDeviceCharacteristics(real_of(file));
}

/* The WAL file maps no shared memory and is never memory-mapped (those
 * are the database file's); version 1 of the methods is all it needs. */
static const sqlite3_io_methods walbuf_methods = {
    .iVersion = 1,
    .xClose = wb_close,
    .xRead = wb_read,
    .xWrite = wb_write,
    .xTruncate = wb_truncate,
    .xSync = wb_sync,
    .xFileSize = wb_file_size,
    .xLock = wb_lock,
    .xUnlock = wb_unlock,
    .xCheckReservedLock = wb_check_reserved,
    .xFileControl = wb_file_control,
    .xSectorSize = wb_sector_size,
    .xDeviceCharacteristics = wb_device,
};

static int wb_open(sqlite3_vfs *vfs, const char *name, sqlite3_file *file,
                   int flags, int *out_flags) {
  (void)vfs;
  if (!(flags & SQLITE_OPEN_WAL)) /* the file's memory fits the default's */
    return root->xOpen(root, name, file, flags, out_flags);
  wal_file *f = (wal_file *)file;
  memset(f, 0, sizeof *f);
  f->real = (sqlite3_file *)(f + 1);
  int rc = root->xOpen(root, name, f->real, flags, out_flags);
  if (rc != SQLITE_OK) {
    if (f->real->pMethods != NULL)
      f->real->pMethods->xClose(f->real);
    return rc;
  }
  f->base.pMethods = &walbuf_methods;
  int device = f->real->pMethods->xDeviceCharacteristics(f->real);
  if (!(device & SQLITE_IOCAP_POWERSAFE_OVERWRITE))
    return SQLITE_OK; /* SQLite writes after the sync (see the top): no buf */
  if ((f->buf = malloc(WALBUF_BYTES)) == NULL) {
    f->base.pMethods = NULL;
    f->real->pMethods->xClose(f->real);
    return SQLITE_NOMEM;
  }
  return SQLITE_OK;
}

/* The rest is the default VFS's, called with the default VFS. */
static int wb_delete(sqlite3_vfs *v, const char *name, int sync_dir) {
  (void)v;
  return root->xDelete(root, name, sync_dir);
}
static int wb_access(sqlite3_vfs *v, const char *name, int flags, int *out) {
  (void)v;
  return root->xAccess(root, name, flags, out);
}
static int wb_full_pathname(sqlite3_vfs *v, const char *name, int n,
                            char *out) {
  (void)v;
  return root->xFullPathname(root, name, n, out);
}
static void *wb_dl_open(sqlite3_vfs *v, const char *name) {
  (void)v;
  return root->xDlOpen(root, name);
}
static void wb_dl_error(sqlite3_vfs *v, int n, char *out) {
  (void)v;
  root->xDlError(root, n, out);
}
static void (*wb_dl_sym(sqlite3_vfs *v, void *h, const char *sym))(void) {
  (void)v;
  return root->xDlSym(root, h, sym);
}
static void wb_dl_close(sqlite3_vfs *v, void *h) {
  (void)v;
  root->xDlClose(root, h);
}
static int wb_randomness(sqlite3_vfs *v, int n, char *out) {
  (void)v;
  return root->xRandomness(root, n, out);
}
static int wb_sleep(sqlite3_vfs *v, int us) {
  (void)v;
  return root->xSleep(root, us);
}
static int wb_current_time(sqlite3_vfs *v, double *out) {
  (void)v;
  return root->xCurrentTime(root, out);
}
static int wb_last_error(sqlite3_vfs *v, int n, char *out) {
  (void)v;
  return root->xGetLastError(root, n, out);
}
static int wb_current_time64(sqlite3_vfs *v, sqlite3_int64 *out) {
  (void)v;
  return root->xCurrentTimeInt64(root, out);
}

static void register_vfs(void) {
  /* Before SQLite starts (it starts in sqlite3_vfs_find): no memory
   * statistics, which take one mutex of the whole process for every
   * allocation of every connection (the committer's CPU per decision -5%,
   * BENCHMARKS.md). Refused, harmlessly, if SQLite has started already. */
  sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
  root = sqlite3_vfs_find(NULL);
  if (root == NULL || root->iVersion < 2)
    return;
  walbuf_vfs = (sqlite3_vfs){
      .iVersion = 2,
      .szOsFile = (int)sizeof(wal_file) + root->szOsFile,
      .mxPathname = root->mxPathname,
      .zName = SP__WALBUF_VFS,
      .xOpen = wb_open,
      .xDelete = wb_delete,
      .xAccess = wb_access,
      .xFullPathname = wb_full_pathname,
      .xDlOpen = wb_dl_open,
      .xDlError = wb_dl_error,
      .xDlSym = wb_dl_sym,
      .xDlClose = wb_dl_close,
      .xRandomness = wb_randomness,
      .xSleep = wb_sleep,
      .xCurrentTime = wb_current_time,
      .xGetLastError = wb_last_error,
      .xCurrentTimeInt64 = wb_current_time64,
  };
  registered = sqlite3_vfs_register(&walbuf_vfs, 0) == SQLITE_OK;
}

/* Refuses PRAGMA synchronous below FULL (see the top); statements are
 * authorized when prepared, so this costs nothing at each step. */
static int guard(void *ctx, int action, const char *name, const char *value,
                 const char *db, const char *trigger) {
  (void)ctx, (void)db, (void)trigger;
  if (action != SQLITE_PRAGMA || value == NULL ||
      sqlite3_stricmp(name, "synchronous") != 0)
    return SQLITE_OK;
  return sqlite3_stricmp(value, "full") == 0 ||
                 sqlite3_stricmp(value, "extra") == 0 ||
                 strcmp(value, "2") == 0 || strcmp(value, "3") == 0
             ? SQLITE_OK
             : SQLITE_DENY;
}

int sp__walbuf_open(const char *path, sqlite3 **db, int flags) {
  pthread_once(&once, register_vfs);
  int rc = sqlite3_open_v2(path, db, flags, registered ? SP__WALBUF_VFS : NULL);
  if (rc == SQLITE_OK)
    rc = sqlite3_set_authorizer(*db, guard, NULL);
  return rc;
}
