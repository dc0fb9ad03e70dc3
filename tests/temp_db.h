/* A database path in /tmp for one test process, with its -wal and -shm
 * removed (call again to clean up after the test). */
#ifndef SPARROW_TESTS_TEMP_DB_H
#define SPARROW_TESTS_TEMP_DB_H
#include <stdio.h>
#include <unistd.h>

static inline void temp_db(char *out, size_t size, const char *name) {
  snprintf(out, size, "/tmp/sparrow-%s-%d.db", name, (int)getpid());
  char side[600];
  unlink(out);
  snprintf(side, sizeof side, "%s-wal", out);
  unlink(side);
  snprintf(side, sizeof side, "%s-shm", out);
  unlink(side);
}

#endif
