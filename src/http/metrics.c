/* Metrics in the Prometheus text format: requests by route and status,
 * latency histograms by route, and totals read from the book.
 *
 * Counters are updated with atomic adds, so recording takes no lock; the
 * book's totals are read when scraped, off the server's lock, by the
 * thread that reads the portfolio (view.c). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/http_int.h"
#include "sparrow/money.h"
#include "sparrow/store.h"

static const int statuses[SP__METRIC_STATUSES] = {
    200, 201, 204, 400, 401, 403, 404, 405, 409, 413, 415, 422, 500, 503, 0};
static const uint64_t bucket_us[SP__METRIC_BUCKETS - 1] = {
    500,   1000,   2500,   5000,   10000,  25000,
    50000, 100000, 250000, 500000, 1000000};
static const char *const bucket_le[SP__METRIC_BUCKETS] = {
    "0.0005", "0.001", "0.0025", "0.005", "0.01", "0.025",
    "0.05",   "0.1",   "0.25",   "0.5",   "1",    "+Inf"};

void sp__metrics_record(sp__metrics *m, int route, int status,
                        uint64_t micros) {
  size_t row = route >= 0 ? (size_t)route : sp__route_n; /* unmatched */
  if (row >= 64)
    return;
  int s = SP__METRIC_STATUSES - 1; /* "other" */
  for (int i = 0; i < SP__METRIC_STATUSES - 1; i++)
    if (statuses[i] == status)
      s = i;
  __atomic_fetch_add(&m->count[row][s], 1, __ATOMIC_RELAXED);
  int b = SP__METRIC_BUCKETS - 1;
  for (int i = SP__METRIC_BUCKETS - 2; i >= 0; i--)
    if (micros <= bucket_us[i])
      b = i;
  __atomic_fetch_add(&m->bucket[row][b], 1, __ATOMIC_RELAXED);
  __atomic_fetch_add(&m->sum_us[row], micros, __ATOMIC_RELAXED);
}

typedef struct buf {
  char *p;
  size_t len, cap;
  int failed;
} buf;

static void put(buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void put(buf *b, const char *fmt, ...) {
  if (b->failed)
    return;
  for (int tries = 0; tries < 2; tries++) {
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
    va_end(ap);
    if (n < 0) {
      b->failed = 1;
      return;
    }
    if ((size_t)n < b->cap - b->len) {
      b->len += (size_t)n;
      return;
    }
    size_t cap = (b->cap + (size_t)n) * 2;
    char *p = realloc(b->p, cap);
    if (p == NULL) {
      b->failed = 1;
      return;
    }
    b->p = p, b->cap = cap;
  }
}

static void route_label(size_t row, char *out, size_t cap) {
  if (row == sp__route_n)
    snprintf(out, cap, "method=\"\",route=\"unmatched\"");
  else
    snprintf(out, cap, "method=\"%s\",route=\"%s\"",
             sp__routes[row].info.method, sp__routes[row].info.path);
}

static void put_requests(buf *b, const sp__metrics *m) {
  put(b, "# HELP sparrow_http_requests_total Requests by route and status.\n"
         "# TYPE sparrow_http_requests_total counter\n");
  for (size_t row = 0; row <= sp__route_n; row++) {
    char label[128];
    route_label(row, label, sizeof label);
    for (int s = 0; s < SP__METRIC_STATUSES; s++) {
      uint64_t n = __atomic_load_n(&m->count[row][s], __ATOMIC_RELAXED);
      if (n == 0)
        continue;
      char status[8];
      snprintf(status, sizeof status, "%d", statuses[s]);
      put(b, "sparrow_http_requests_total{%s,status=\"%s\"} %llu\n", label,
          statuses[s] ? status : "other", (unsigned long long)n);
    }
  }
}

static void put_latency(buf *b, const sp__metrics *m) {
  put(b, "# HELP sparrow_http_request_duration_seconds Request latency.\n"
         "# TYPE sparrow_http_request_duration_seconds histogram\n");
  for (size_t row = 0; row <= sp__route_n; row++) {
    char label[128];
    route_label(row, label, sizeof label);
    uint64_t total = 0;
    for (int i = 0; i < SP__METRIC_BUCKETS; i++)
      total += __atomic_load_n(&m->bucket[row][i], __ATOMIC_RELAXED);
    if (total == 0)
      continue;
    uint64_t cum = 0;
    for (int i = 0; i < SP__METRIC_BUCKETS; i++) {
      cum += __atomic_load_n(&m->bucket[row][i], __ATOMIC_RELAXED);
      put(b,
          "sparrow_http_request_duration_seconds_bucket{%s,le=\"%s\"} %llu\n",
          label, bucket_le[i], (unsigned long long)cum);
    }
    uint64_t sum = __atomic_load_n(&m->sum_us[row], __ATOMIC_RELAXED);
    put(b, "sparrow_http_request_duration_seconds_sum{%s} %llu.%06llu\n", label,
        (unsigned long long)(sum / 1000000),
        (unsigned long long)(sum % 1000000));
    put(b, "sparrow_http_request_duration_seconds_count{%s} %llu\n", label,
        (unsigned long long)cum);
  }
}

static void put_fen(buf *b, const char *name, const char *help, int64_t fen) {
  char text[32];
  sp_money_format(fen, text, sizeof text);
  put(b, "# HELP %s %s\n# TYPE %s gauge\n%s %s\n", name, help, name, name,
      text);
}

static void put_ledger(buf *b, const sp__totals *t) {
  put(b,
      "# HELP sparrow_ledger_up Whether the ledger totals were read.\n"
      "# TYPE sparrow_ledger_up gauge\nsparrow_ledger_up %d\n",
      t != NULL);
  if (t == NULL)
    return;
  put(b,
      "# HELP sparrow_loans Loans in the book.\n# TYPE sparrow_loans "
      "gauge\nsparrow_loans %llu\n",
      (unsigned long long)t->loans_all);
  put(b,
      "# HELP sparrow_loans_open Loans not paid off.\n# TYPE "
      "sparrow_loans_open gauge\nsparrow_loans_open %llu\n",
      (unsigned long long)t->open);
  put(b,
      "# HELP sparrow_ledger_transfers Highest ledger transfer id.\n"
      "# TYPE sparrow_ledger_transfers gauge\nsparrow_ledger_transfers "
      "%llu\n",
      (unsigned long long)t->transfers);
  put_fen(b, "sparrow_outstanding_principal_cny",
          "Sum of outstanding principal (CNY).", t->principal_fen);
  put_fen(b, "sparrow_accrued_interest_cny",
          "Sum of accrued unpaid interest (CNY).", t->interest_fen);
  put_fen(b, "sparrow_penalty_cny", "Sum of unpaid penalty (CNY).",
          t->penalty_fen);
}

void sp__metrics_decision(sp__metrics *m, sp_decide_outcome outcome) {
  __atomic_fetch_add(&m->decisions[outcome], 1, __ATOMIC_RELAXED);
}

char *sp__metrics_text(sp_http_server *srv, const sp__totals *t, size_t *len) {
  buf b = {.p = malloc(4096), .cap = 4096};
  if (b.p == NULL)
    return NULL;
  put_requests(&b, &srv->metrics);
  put_latency(&b, &srv->metrics);
  put(&b,
      "# HELP sparrow_group_commits_total Group commits of money requests.\n"
      "# TYPE sparrow_group_commits_total counter\n"
      "sparrow_group_commits_total %llu\n"
      "# HELP sparrow_group_commit_requests_total Money requests in them.\n"
      "# TYPE sparrow_group_commit_requests_total counter\n"
      "sparrow_group_commit_requests_total %llu\n",
      (unsigned long long)__atomic_load_n(&srv->metrics.batches,
                                          __ATOMIC_RELAXED),
      (unsigned long long)__atomic_load_n(&srv->metrics.batch_jobs,
                                          __ATOMIC_RELAXED));
  sp__ckpt_stats ck = {0};
  if (srv->ckpt != NULL)
    ck = sp__ckpt_stats_get(srv->ckpt);
  put(&b,
      "# HELP sparrow_wal_checkpoints_total Copies of the WAL into the "
      "database file: by the checkpoint thread beside the commits, by it "
      "between two commits to start the WAL over, by the committer itself "
      "(the thread being behind).\n"
      "# TYPE sparrow_wal_checkpoints_total counter\n"
      "sparrow_wal_checkpoints_total{by=\"thread\"} %lu\n"
      "sparrow_wal_checkpoints_total{by=\"thread_restart\"} %lu\n"
      "sparrow_wal_checkpoints_total{by=\"committer\"} %lu\n",
      ck.checkpoints, ck.restarts, ck.by_writer);
  static const char *const outcome[3] = {"approve", "refer", "decline"};
  put(&b, "# HELP sparrow_decisions_total Credit decisions by outcome.\n"
          "# TYPE sparrow_decisions_total counter\n");
  for (int i = 0; i < 3; i++)
    put(&b, "sparrow_decisions_total{outcome=\"%s\"} %llu\n", outcome[i],
        (unsigned long long)__atomic_load_n(&srv->metrics.decisions[i],
                                            __ATOMIC_RELAXED));
  put_ledger(&b, t);
  if (b.failed) {
    free(b.p);
    return NULL;
  }
  *len = b.len;
  return b.p;
}
