/* A VFS for writers with synchronous=FULL: a transaction's WAL frames
 * reach the file in one write, at its sync (walbuf.c). */
#ifndef SP_STORE_WALBUF_H
#define SP_STORE_WALBUF_H

#define SP__WALBUF_VFS "sparrow-walbuf"

#include <sqlite3.h>

/* sqlite3_open_v2 with this VFS (the default one if it could not be
 * registered), on a connection that refuses PRAGMA synchronous below FULL:
 * the VFS's condition. */
int sp__walbuf_open(const char *path, sqlite3 **db, int flags);

#endif
