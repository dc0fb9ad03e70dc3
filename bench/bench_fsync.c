/* What one durable commit costs this machine in CPU, as the server's
 * committer pays it: a write of N KiB appended to a file already that long
 * (as a reused WAL is: no size change) and an fdatasync. For each size,
 * the process's CPU (user + system, getrusage) and the wall time per
 * commit over ROUNDS commits, and the write's CPU alone. The fixed part is
 * what a group commit shares among its requests.
 * usage: bench_fsync [DIR] [ROUNDS]   (DIR: where the file goes, "." if
 * not given; the server's file system, not a tmpfs) */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

static double cpu_us(void) {
  struct rusage u;
  getrusage(RUSAGE_SELF, &u);
  return (double)(u.ru_utime.tv_sec + u.ru_stime.tv_sec) * 1e6 +
         (double)(u.ru_utime.tv_usec + u.ru_stime.tv_usec);
}

static double wall_us(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

int main(int argc, char **argv) {
  const char *dir = argc > 1 ? argv[1] : ".";
  int rounds = argc > 2 ? atoi(argv[2]) : 2000;
  if (rounds < 1 || rounds > 1000000) {
    fprintf(stderr, "bench_fsync: ROUNDS: 1 to 1000000\n");
    return 2;
  }
  static const size_t kib[] = {4, 16, 40, 80, 160, 320};
  char path[4096];
  snprintf(path, sizeof path, "%s/bench_fsync.%d", dir, (int)getpid());
  int fd = open(path, O_CREAT | O_RDWR | O_TRUNC, 0644);
  if (fd < 0) {
    perror(path);
    return 1;
  }
  unlink(path); /* gone when closed */
  char *buf = malloc(320 * 1024);
  if (buf == NULL)
    return 1;
  memset(buf, 7, 320 * 1024);
  printf("%8s %14s %14s %14s\n", "KiB", "cpu us/commit", "write cpu us",
         "wall us");
  for (size_t k = 0; k < sizeof kib / sizeof kib[0]; k++) {
    size_t n = kib[k] * 1024;
    /* the file as long as the commits will make it, synced */
    for (int i = 0; i < rounds; i++)
      if (pwrite(fd, buf, n, (off_t)i * (off_t)n) != (ssize_t)n)
        return 1;
    if (fdatasync(fd) != 0)
      return 1;
    double c0 = cpu_us(), t0 = wall_us(), write_cpu = 0;
    for (int i = 0; i < rounds; i++) {
      double a = cpu_us();
      if (pwrite(fd, buf, n, (off_t)i * (off_t)n) != (ssize_t)n)
        return 1;
      write_cpu += cpu_us() - a;
      if (fdatasync(fd) != 0)
        return 1;
    }
    printf("%8zu %14.1f %14.1f %14.1f\n", kib[k], (cpu_us() - c0) / rounds,
           write_cpu / rounds, (wall_us() - t0) / rounds);
  }
  free(buf);
  close(fd);
  return 0;
}
