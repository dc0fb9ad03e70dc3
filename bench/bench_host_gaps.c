/* How much of each processor this virtual machine does not get, as a
 * thread that never sleeps sees it: one thread pinned to each CPU reads
 * the monotonic clock in a loop for SECONDS, and every gap between two
 * readings over 50 µs is time the thread did not run (the host ran
 * something else, or this kernel took an interrupt). Prints, per CPU, the
 * share of the time lost and the gaps by length, beside the steal that
 * /proc/stat counted meanwhile: the steal counts only part of what the
 * gaps show.
 *
 * A request waiting on a thread caught in a gap waits the gap out, so on
 * a host that leaves gaps of several milliseconds a few times a second a
 * server's p99 of a few milliseconds cannot hold (BENCHMARKS.md, serve).
 * Run it alone, the machine otherwise idle: its threads take both CPUs.
 * usage: bench_host_gaps [SECONDS]   (10 if not given; at most 600) */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* pthread_setaffinity_np */
#endif
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#define CPUS_MAX 64
#define BUCKETS 7

/* a gap's lower bound, ns, for each bucket */
static const int64_t bound_ns[BUCKETS] = {50000,   200000,  500000,  1000000,
                                          2000000, 5000000, 10000000};
static const char *const bound_name[BUCKETS] = {"50us", "200us", "500us", "1ms",
                                                "2ms",  "5ms",   "10ms"};

typedef struct probe {
  int cpu;
  int64_t run_ns;
  int64_t n[BUCKETS];
  int64_t lost_ns[BUCKETS];
} probe;

static int64_t now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

static void *spin(void *arg) {
  probe *p = arg;
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(p->cpu, &set);
  if (pthread_setaffinity_np(pthread_self(), sizeof set, &set) != 0)
    return NULL;
  int64_t prev = now_ns(), end = prev + p->run_ns;
  while (prev < end) {
    int64_t t = now_ns(), gap = t - prev;
    prev = t;
    if (gap < bound_ns[0])
      continue;
    int b = BUCKETS - 1;
    while (gap < bound_ns[b])
      b--;
    p->n[b]++;
    p->lost_ns[b] += gap;
  }
  return NULL;
}

/* the machine's stolen and total CPU ticks so far, from /proc/stat */
static int ticks(long long *steal, long long *total) {
  FILE *f = fopen("/proc/stat", "r");
  long long v[8];
  int ok = f != NULL &&
           fscanf(f, "cpu %lld %lld %lld %lld %lld %lld %lld %lld", &v[0],
                  &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7]) == 8;
  if (f != NULL)
    fclose(f);
  *steal = ok ? v[7] : 0;
  *total = 0;
  for (int i = 0; ok && i < 8; i++)
    *total += v[i];
  return ok;
}

int main(int argc, char **argv) {
  long secs = argc > 1 ? strtol(argv[1], NULL, 10) : 10;
  long cpus = sysconf(_SC_NPROCESSORS_ONLN);
  if (secs < 1 || secs > 600 || cpus < 1) {
    fprintf(stderr, "usage: bench_host_gaps [SECONDS: 1 to 600]\n");
    return 2;
  }
  if (cpus > CPUS_MAX)
    cpus = CPUS_MAX;
  static probe probes[CPUS_MAX];
  pthread_t threads[CPUS_MAX];
  long long steal0, total0, steal1, total1;
  int have_ticks = ticks(&steal0, &total0);
  for (long i = 0; i < cpus; i++) {
    probes[i] = (probe){.cpu = (int)i, .run_ns = (int64_t)secs * 1000000000};
    if (pthread_create(&threads[i], NULL, spin, &probes[i]) != 0) {
      fprintf(stderr, "bench_host_gaps: cannot start a thread\n");
      return 1;
    }
  }
  for (long i = 0; i < cpus; i++)
    pthread_join(threads[i], NULL);
  have_ticks = have_ticks && ticks(&steal1, &total1);
  for (long i = 0; i < cpus; i++) {
    const probe *p = &probes[i];
    int64_t lost = 0;
    for (int b = 0; b < BUCKETS; b++)
      lost += p->lost_ns[b];
    printf("cpu %ld: %.2f%% of %lds lost in gaps over 50 us; gaps from", i,
           100.0 * (double)lost / (double)p->run_ns, secs);
    for (int b = 0; b < BUCKETS; b++)
      printf(" %s: %lld%s", bound_name[b], (long long)p->n[b],
             b < BUCKETS - 1 ? "," : "");
    printf("\n");
  }
  if (have_ticks && total1 > total0)
    printf("stolen (/proc/stat): %.2f%%\n",
           100.0 * (double)(steal1 - steal0) / (double)(total1 - total0));
  return 0;
}
