/* One credit application decided on consented data, in process, as a
 * polling thread of sparrow serve decides it ahead (sparrow/apply.h):
 * the borrower's consents and the latest record of each source read on a
 * read-only connection from its one row of inputs, the flow, the decision
 * document. Alongside, in the same run, its parts: the reads alone (and
 * the five queries that row replaces), and the flow's decision alone on a
 * ready row. Mean µs per application over N
 * applications cycling through 100 borrowers, while the same file has a
 * writer (as the server's store connection does).
 * usage: bench_apply FLOW.json DB [N]
 * FLOW.json: tests/lib_flow.sh's hand flow (bench/serve.sh writes it). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sparrow/apply.h"
#include "sparrow/decide.h"
#include "sparrow/svc.h"

#define BORROWERS 100

static double now_us(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static void die(const char *what, const sp_error *err) {
  fprintf(stderr, "%s: %s: %s\n", what, err->field, err->message);
  exit(1);
}

/* 100 borrowers, each with consents and one record for tax, judicial and
 * invoice, as bench/serve.sh loads them over HTTP. */
static void load(sp_svc *w) {
  sp_error err;
  sp_date as_of;
  sp_date_from_ymd(2026, 9, 30, &as_of);
  static const sp_source src[3] = {SP_SOURCE_TAX, SP_SOURCE_JUDICIAL,
                                   SP_SOURCE_INVOICE};
  if (sp_svc_begin(w, &err) != SP_OK)
    die("begin", &err);
  for (int i = 1; i <= BORROWERS; i++) {
    sp_borrower b = {.created = 1767225600};
    snprintf(b.id, sizeof b.id, "C%d", i);
    snprintf(b.name, sizeof b.name, "bench %d", i);
    snprintf(b.kind, sizeof b.kind, "enterprise");
    snprintf(b.credit_code, sizeof b.credit_code, "91330106MA27XY1234");
    if (sp_svc_borrower_put(w, &b, &err) != SP_OK)
      die("borrower", &err);
    char sales[64];
    snprintf(sales, sizeof sales, "{\"monthly_sales\":\"%d.00\"}", i * 1000);
    const char *values[3] = {"{\"tax_credit_grade\":\"A\"}",
                             "{\"court_enforcements_24m\":0}", sales};
    for (int s = 0; s < 3; s++) {
      sp_consent c = {.source = src[s],
                      .purposes = 1u << SP_PURPOSE_CREDIT_DECISION,
                      .granted = 1767225600,
                      .expires = 4102444800};
      snprintf(c.borrower, sizeof c.borrower, "%s", b.id);
      uint64_t no;
      if (sp_svc_consent_add(w, &c, &no, &err) != SP_OK)
        die("consent", &err);
      sp_data_record r = {.borrower = b.id,
                          .source = src[s],
                          .as_of = as_of,
                          .values_json = values[s],
                          .received = 1767225600};
      if (sp_svc_data_add(w, &r, &no, &err) != SP_OK)
        die("data", &err);
    }
  }
  if (sp_svc_commit(w, &err) != SP_OK)
    die("commit", &err);
}

static int keep(void *ctx, const sp_data_record *r) {
  (void)ctx, (void)r;
  return SP_OK;
}

static int keep_consent(void *ctx, const sp_consent *c) {
  (void)ctx, (void)c;
  return SP_OK;
}

int main(int argc, char **argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: bench_apply FLOW.json DB [N]\n");
    return 2;
  }
  long n = argc > 3 ? atol(argv[3]) : 200000;
  sp_error err;
  sp_svc *w, *rd;
  sp_flow *flow;
  sp_applier *a;
  remove(argv[2]);
  if (sp_svc_open(argv[2], &w, &err) != SP_OK)
    die("open", &err);
  load(w);
  if (sp_svc_open_reader(argv[2], &rd, &err) != SP_OK)
    die("reader", &err);
  if (sp_flow_load_file(argv[1], &flow, &err) != SP_OK)
    die("flow", &err);
  if (sp_applier_new(flow, &a, &err) != SP_OK)
    die("applier", &err);

  /* The whole application, as decided ahead: read each time (gen 0),
   * then with the borrower's inputs kept (gen 1, as while nothing of
   * theirs changes). */
  char id[32], borrower[32], values[128];
  long counts[3] = {0};
  double whole[2];
  for (int kept = 0; kept < 2; kept++) {
    double t0 = now_us();
    for (long i = 0; i < n; i++) {
      snprintf(id, sizeof id, "a%ld", i);
      snprintf(borrower, sizeof borrower, "C%ld", i % BORROWERS + 1);
      snprintf(values, sizeof values,
               "{\"months_in_business\":%ld,\"green_rating\":\"A\","
               "\"guarantee_pct\":40}",
               i % 48);
      sp_apply_request q = {.id = id,
                            .borrower = borrower,
                            .values_json = values,
                            .at = 1790000000,
                            .gen = (uint64_t)kept};
      sp_apply_result res;
      if (sp_apply_decide(a, rd, &q, &res, &err) != SP_OK)
        die("apply", &err);
      counts[res.decision.outcome] += kept;
      free(res.doc);
    }
    whole[kept] = (now_us() - t0) / (double)n;
  }

  /* The reads alone: the borrower's one row of inputs (what the applier
   * reads), and beside it the five queries it replaces (the borrower, its
   * consents checked, the latest record of each of three sources). */
  double t0 = now_us();
  for (long i = 0; i < n; i++) {
    snprintf(borrower, sizeof borrower, "C%ld", i % BORROWERS + 1);
    if (sp_svc_decision_inputs(rd, borrower, keep_consent, keep, NULL, &err) !=
        SP_OK)
      die("inputs", &err);
  }
  double reads = (now_us() - t0) / (double)n;
  int needed[SP_SOURCE_COUNT] = {0};
  needed[SP_SOURCE_TAX] = needed[SP_SOURCE_JUDICIAL] =
      needed[SP_SOURCE_INVOICE] = 1;
  t0 = now_us();
  for (long i = 0; i < n; i++) {
    snprintf(borrower, sizeof borrower, "C%ld", i % BORROWERS + 1);
    uint64_t consent[SP_SOURCE_COUNT];
    sp_source refused;
    if (sp_svc_read_begin(rd, &err) != SP_OK ||
        sp_svc_borrower_exists(rd, borrower, &err) != SP_OK ||
        sp_svc_consent_check_sources(rd, borrower, needed,
                                     SP_PURPOSE_CREDIT_DECISION, 1790000000,
                                     consent, &refused, &err) != SP_OK)
      die("reads", &err);
    for (int s = 0; s < SP_SOURCE_COUNT; s++)
      if (needed[s] && sp_svc_data_latest(rd, borrower, (sp_source)s, keep,
                                          NULL, &err) != SP_OK)
        die("latest", &err);
    sp_svc_read_end(rd);
  }
  double five = (now_us() - t0) / (double)n;

  /* The flow alone, on a ready row in the flow's column order (as the
   * applier bound it). */
  size_t cols = sp_flow_column_count(flow);
  const char *row[64];
  for (size_t c = 0; c < cols && c < 64; c++) {
    const char *name = sp_flow_column_name(flow, c);
    row[c] = strcmp(name, "months_in_business") == 0       ? "30"
             : strcmp(name, "tax_credit_grade") == 0       ? "A"
             : strcmp(name, "monthly_sales") == 0          ? "50000.00"
             : strcmp(name, "court_enforcements_24m") == 0 ? "0"
             : strcmp(name, "green_rating") == 0           ? "A"
             : strcmp(name, "guarantee_pct") == 0          ? "40"
                                                           : "";
  }
  sp_decision d;
  t0 = now_us();
  for (long i = 0; i < n; i++)
    if (sp_flow_decide(flow, row, cols, i, &d, &err) != SP_OK)
      die("decide", &err);
  double core = (now_us() - t0) / (double)n;

  printf("applications: %ld (approved %ld, referred %ld, declined %ld)\n", n,
         counts[SP_DECIDE_APPROVE], counts[SP_DECIDE_REFER],
         counts[SP_DECIDE_DECLINE]);
  printf("whole application, read each time (reads, flow, document): "
         "%.2f us\n",
         whole[0]);
  printf("  reads alone (the borrower's row of inputs): %.2f us\n", reads);
  printf("  (the same reads as five queries: borrower, consents, 3 latest "
         "records: %.2f us)\n",
         five);
  printf("  flow decision alone on a ready row: %.2f us\n", core);
  printf("  the rest (records parsed, row assembled, document): %.2f us\n",
         whole[0] - reads - core);
  printf("whole application, the borrower's inputs kept: %.2f us\n", whole[1]);
  sp_applier_free(a);
  sp_flow_free(flow);
  sp_svc_close(rd);
  sp_svc_close(w);
  return 0;
}
