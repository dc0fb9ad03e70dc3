/* Post-loan monitor throughput and latency (issue 5: at least 1,000,000
 * events per second per core over 1,000,000 borrowers, p99 event-to-action
 * latency at most 1 ms).
 *
 * Events are generated in memory beforehand by a seeded xorshift PRNG:
 * BORROWERS borrowers, a mix of invoices, account credits and debits (some
 * to securities firms), draws and rare court filings, in time order over
 * DAYS days with up to an hour of disorder. Timed: sp_monitor_ingest
 * (dedup, lateness, day buckets and four rules per event), not parsing.
 * Same-run baseline (the ceiling): a loop doing only the borrower hash-map
 * lookup per event on the same engine. Then, on a fresh engine, the
 * latency from handing an event to the engine to the action callback,
 * and separately the JSON Lines parse rate. Prints the peak RSS.
 *
 * usage: bench_monitor [events] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sparrow/monitor.h"

#define BORROWERS 1000000u
#define DAYS 60
#define PARSE_LINES 200000

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* CPU time of this thread (user + system, page faults included): on a
 * shared machine, the per-core rate. */
static double cpu(void) {
  struct timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static uint64_t rng = 88172645463325252ULL;
static uint32_t rnd(void) {
  rng ^= rng << 13;
  rng ^= rng >> 7;
  rng ^= rng << 17;
  return (uint32_t)rng;
}

static const char RULES[] =
    "{\"rules\":["
    "{\"id\":\"M01\",\"when\":\"sum(invoice_issued, 30d) < 0.6 * "
    "avg_monthly(invoice_issued, 180d)\",\"level\":\"warning\","
    "\"action\":\"reduce_limit\",\"pct\":20,\"reason\":\"invoicing fell\"},"
    "{\"id\":\"M02\",\"when\":\"sum(account_debit_securities, 30d) > 0.3 * "
    "sum(draw, 30d)\",\"level\":\"severe\",\"action\":\"freeze_line\","
    "\"reason\":\"loan money to securities\"},"
    "{\"id\":\"M03\",\"when\":\"count(court_filing, 30d) >= 1\","
    "\"level\":\"warning\",\"action\":\"open_case\",\"reason\":\"court\"},"
    "{\"id\":\"M04\",\"when\":\"trend(account_credit, 7d, 30d) < 0.5\","
    "\"level\":\"watch\",\"action\":\"warn\",\"reason\":\"credits fell\"}]}";

static void make_event(sp_monitor_event *ev, size_t i, size_t n) {
  memset(ev, 0, sizeof *ev);
  snprintf(ev->id, sizeof ev->id, "e%zu", i);
  snprintf(ev->borrower, sizeof ev->borrower, "b%07u", rnd() % BORROWERS);
  sp_time start = sp_date_start(20454); /* 2026-01-01 */
  ev->time = start + (sp_time)((double)i / n * DAYS * SP_DAY_S) -
             (sp_time)(rnd() % 3600);
  uint32_t k = rnd() % 1000;
  ev->kind = k < 400   ? SP_MONITOR_INVOICE_ISSUED
             : k < 700 ? SP_MONITOR_ACCOUNT_CREDIT
             : k < 900 ? SP_MONITOR_ACCOUNT_DEBIT
             : k < 995 ? SP_MONITOR_DRAW
                       : SP_MONITOR_COURT_FILING;
  if (ev->kind == SP_MONITOR_ACCOUNT_DEBIT)
    ev->counterparty_type =
        k < 720 ? SP_MONITOR_PARTY_SECURITIES : SP_MONITOR_PARTY_OTHER;
  ev->value = 1000 + rnd() % 10000000;
}

static size_t n_actions;
static void count_action(const sp_monitor_action *a, void *user) {
  (void)a;
  (void)user;
  n_actions++;
}

static double lat_start;
static double *lat;
static size_t n_lat, cap_lat;
static void time_action(const sp_monitor_action *a, void *user) {
  (void)a;
  (void)user;
  if (n_lat < cap_lat)
    lat[n_lat++] = now() - lat_start;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static long rss_kb(const char *key) {
  FILE *f = fopen("/proc/self/status", "r");
  char line[256];
  long v = -1;
  while (f != NULL && fgets(line, sizeof line, f) != NULL)
    if (strncmp(line, key, strlen(key)) == 0)
      v = atol(line + strlen(key));
  if (f != NULL)
    fclose(f);
  return v;
}

static sp_monitor *engine(const sp_monitor_rules *r) {
  sp_monitor_config cfg;
  sp_monitor_config_default(&cfg);
  sp_monitor *m = NULL;
  sp_error err;
  if (sp_monitor_new(&m, &cfg, r, &err) != SP_OK) {
    fprintf(stderr, "engine: %s\n", err.message);
    exit(1);
  }
  return m;
}

static void ingest(sp_monitor *m, const sp_monitor_event *ev,
                   sp_monitor_action_fn fn) {
  sp_error err;
  if (sp_monitor_ingest(m, ev, fn, NULL, &err) < 0) {
    fprintf(stderr, "ingest: %s\n", err.message);
    exit(1);
  }
}

/* Events in batches of 256, as a reader would hand them over. */
static void batch(sp_monitor *m, const sp_monitor_event *evs, size_t n) {
  sp_error err;
  for (size_t i = 0; i < n; i += 256) {
    size_t done;
    if (sp_monitor_ingest_batch(m, evs + i, n - i < 256 ? n - i : 256,
                                count_action, NULL, &done, &err) != SP_OK) {
      fprintf(stderr, "ingest: %s\n", err.message);
      exit(1);
    }
  }
}

/* Latency from handing an event to the engine to the action callback,
 * over the first n events on a fresh engine. */
static void latency(const sp_monitor_rules *r, const sp_monitor_event *evs,
                    size_t n) {
  sp_monitor *m = engine(r);
  cap_lat = n;
  lat = malloc(n * sizeof *lat);
  double *all = malloc(n * sizeof *all);
  for (size_t i = 0; i < n; i++) {
    lat_start = now();
    ingest(m, &evs[i], time_action);
    all[i] = now() - lat_start;
  }
  qsort(lat, n_lat, sizeof *lat, cmp_double);
  qsort(all, n, sizeof *all, cmp_double);
  if (n_lat > 0)
    printf("event-to-action latency over %zu actions: p50 %.2f us, p99 "
           "%.2f us, max %.2f us\n",
           n_lat, lat[n_lat / 2] * 1e6, lat[n_lat * 99 / 100] * 1e6,
           lat[n_lat - 1] * 1e6);
  printf("per-event ingest time over %zu events: p50 %.2f us, p99 %.2f us\n", n,
         all[n / 2] * 1e6, all[n * 99 / 100] * 1e6);
  free(all);
  free(lat);
  sp_monitor_free(m);
}

static void parse_rate(const sp_monitor_event *evs, size_t n) {
  char *buf = malloc(n * 160), *p = buf;
  size_t *at = malloc((n + 1) * sizeof *at);
  static const char *const kinds[] = {"invoice_issued", "account_credit",
                                      "draw"};
  for (size_t i = 0; i < n; i++) {
    char t[32];
    sp_time_format(evs[i].time, t);
    at[i] = (size_t)(p - buf);
    p += sprintf(p,
                 "{\"id\":\"%s\",\"borrower\":\"%s\",\"kind\":\"%s\","
                 "\"time\":\"%s\",\"amount\":%lld}",
                 evs[i].id, evs[i].borrower, kinds[i % 3], t,
                 (long long)evs[i].value);
  }
  at[n] = (size_t)(p - buf);
  sp_monitor_event ev;
  sp_error err;
  double t0 = now();
  for (size_t i = 0; i < n; i++)
    if (sp_monitor_event_parse_json(buf + at[i], at[i + 1] - at[i], 1, &ev,
                                    &err) != SP_OK) {
      fprintf(stderr, "parse: %s\n", err.message);
      exit(1);
    }
  double dt = now() - t0;
  printf("JSON Lines parsing (jansson): %.0f events/s (%zu lines)\n", n / dt,
         n);
  free(at);
  free(buf);
}

int main(int argc, char **argv) {
  size_t n = argc > 1 ? strtoul(argv[1], NULL, 10) : 3000000;
  sp_monitor_rules *r = malloc(sizeof *r);
  sp_error err;
  if (sp_monitor_rules_load_string(r, RULES, strlen(RULES), &err) != SP_OK) {
    fprintf(stderr, "rules: %s\n", err.message);
    return 1;
  }
  sp_monitor_event *evs = malloc(n * sizeof *evs);
  for (size_t i = 0; i < n; i++)
    make_event(&evs[i], i, n);
  sp_monitor *m = engine(r);
  double t0 = now(), c0 = cpu();
  batch(m, evs, n);
  double dt = now() - t0, ct = cpu() - c0;
  /* Warm: the same stream SP_MONITOR_RING_DAYS later, with new ids: every
   * borrower, ring and chunk slot already exists (chunks are reset in
   * place), so this is the steady state of a long-running monitor, free of
   * first-touch page faults. */
  for (size_t i = 0; i < n; i++) {
    evs[i].time += (sp_time)SP_MONITOR_RING_DAYS * SP_DAY_S;
    evs[i].id[0] = 'w';
  }
  size_t cold_actions = n_actions;
  double t2 = now(), c2 = cpu();
  batch(m, evs, n);
  double dw = now() - t2, cw = cpu() - c2;
  sp_monitor_stats st;
  sp_monitor_stats_get(m, &st);
  /* The ceiling: the borrower lookup alone, per event, same engine. */
  int64_t sum = 0;
  double t1 = now(), c1 = cpu();
  for (size_t i = 0; i < n; i++)
    sum += sp_monitor_find(m, evs[i].borrower);
  double dl = now() - t1, cl = cpu() - c1;
  printf("%zu events, %u borrowers, 4 rules: accepted %llu, duplicates "
         "%llu, too late %llu, actions %zu\n",
         n, st.borrowers, (unsigned long long)st.accepted,
         (unsigned long long)st.duplicates, (unsigned long long)st.too_late,
         n_actions);
  printf("ingest + rules, cold engine (first touch of its memory): %.0f "
         "events/s wall, %.0f per CPU second (%zu actions)\n",
         n / dt, n / ct, cold_actions);
  printf("ingest + rules, warm engine (steady state): %.0f events/s wall, "
         "%.0f per CPU second (%zu actions)\n",
         n / dw, n / cw, n_actions - cold_actions);
  printf("baseline, hash-map lookup only: %.0f lookups/s wall, %.0f per CPU "
         "second (check %lld)\n",
         n / dl, n / cl, (long long)sum);
  printf("ratio ingest+rules / lookup-only (CPU time): cold %.2f, warm "
         "%.2f\n",
         cl / ct, cl / cw);
  printf("state: %u rings, %u chunks, %u one-day entries (%.0f MB); RSS %ld MB "
         "(events in "
         "memory %.0f MB)\n",
         st.rings, st.chunks, st.days,
         (st.rings * 112.0 + st.chunks * 232.0 + st.days * 32.0 +
          st.borrowers * 264.0) /
             1e6,
         rss_kb("VmRSS:") / 1024, n * sizeof *evs / 1e6);
  sp_monitor_free(m);
  for (size_t i = 0; i < n; i++)
    evs[i].time -= (sp_time)SP_MONITOR_RING_DAYS * SP_DAY_S;
  latency(r, evs, n < 1000000 ? n : 1000000);
  parse_rate(evs, n < PARSE_LINES ? n : PARSE_LINES);
  printf("peak RSS %ld MB\n", rss_kb("VmHWM:") / 1024);
  free(evs);
  free(r);
  return 0;
}
