/* The spread of one durable commit's wait, as the server's committer sees
 * it: a write of KIB KiB into a file already that long (a reused WAL: no
 * size change) and an fdatasync, ROUNDS times, the wall time of each. The
 * percentiles and the share over 2 ms. Run alone, and beside busy
 * processes (bench/fsync_tail.sh): the difference is the time a thread
 * whose sync has ended waits for a CPU, not the disk.
 * usage: bench_fsync_tail [DIR] [ROUNDS] [KIB]   (DIR: the server's file
 * system, not a tmpfs) */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define FILE_BYTES (16u << 20) /* the file written over and over */

static double wall_us(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static int by_value(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

int main(int argc, char **argv) {
  const char *dir = argc > 1 ? argv[1] : ".";
  long rounds = argc > 2 ? atol(argv[2]) : 3000;
  long kib = argc > 3 ? atol(argv[3]) : 48;
  if (rounds < 100 || rounds > 1000000 || kib < 1 || kib > 1024) {
    fprintf(stderr, "bench_fsync_tail: ROUNDS 100 to 1000000, KIB 1 to "
                    "1024\n");
    return 2;
  }
  char path[4096];
  snprintf(path, sizeof path, "%s/bench_fsync_tail.%d", dir, (int)getpid());
  int fd = open(path, O_CREAT | O_RDWR | O_TRUNC, 0644);
  size_t len = (size_t)kib * 1024;
  char *buf = malloc(len > (1u << 20) ? len : (1u << 20));
  double *us = malloc((size_t)rounds * sizeof *us);
  if (fd < 0 || buf == NULL || us == NULL) {
    fprintf(stderr, "bench_fsync_tail: cannot create %s\n", path);
    return 1;
  }
  memset(buf, 1, 1u << 20);
  int ok = 1;
  for (size_t off = 0; ok && off < FILE_BYTES; off += 1u << 20)
    ok = pwrite(fd, buf, 1u << 20, (off_t)off) == (ssize_t)(1u << 20);
  ok = ok && fsync(fd) == 0;
  size_t off = 0;
  for (long i = 0; ok && i < rounds; i++) {
    if (off + len > FILE_BYTES)
      off = 0;
    memset(buf, (int)(i & 0xff), 64);
    double t = wall_us();
    ok = pwrite(fd, buf, len, (off_t)off) == (ssize_t)len && fdatasync(fd) == 0;
    us[i] = wall_us() - t;
    off += len;
  }
  close(fd);
  unlink(path);
  if (!ok) {
    fprintf(stderr, "bench_fsync_tail: write or sync failed\n");
    return 1;
  }
  qsort(us, (size_t)rounds, sizeof *us, by_value);
  long over = 0;
  for (long i = 0; i < rounds; i++)
    over += us[i] > 2000;
  printf("%ld KiB x %ld: p50 %.0f us, p90 %.0f, p99 %.0f, p99.9 %.0f, max "
         "%.0f; over 2 ms %.2f%%\n",
         kib, rounds, us[rounds / 2], us[rounds * 9 / 10],
         us[rounds * 99 / 100], us[rounds * 999 / 1000], us[rounds - 1],
         100.0 * (double)over / (double)rounds);
  free(us);
  free(buf);
  return 0;
}
