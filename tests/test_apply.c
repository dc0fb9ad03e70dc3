/* Applications decided on a reader's connection (sparrow/apply.h), as the
 * server's polling threads decide them, with the borrower's inputs kept
 * between decisions at the same generation (src/apply/apply.c).
 *
 * The flow is tests/lib_flow.sh's hand flow: months in business 36 (120
 * points), tax grade A (40), base 500: 660, approved; the limit is 300% of
 * the borrower's monthly sales rounded down to 100.00. Every expected limit
 * below is that rule applied by hand to the sales the test stored. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "core/hash.h"
#include "sparrow/apply.h"
#include "sparrow/decide.h"
#include "sparrow/svc.h"

#define MANY 3000          /* borrowers M1..M3000 */
#define AT 1790000000      /* decisions' time (2026-09-21) */
#define GRANTED 1767225600 /* consents' (2026-01-01) */
#define FAR 4102444800     /* 2100-01-01 */
#define VALUES                                                                 \
  "{\"months_in_business\":36,\"green_rating\":\"A\",\"guarantee_pct\":40}"
#define SETS 8192 /* the cache's sets (CACHE_SETS in src/apply/apply.c), */
#define WAYS 4    /* of four borrowers each (CACHE_WAYS) */

static const sp_source SRC[3] = {SP_SOURCE_TAX, SP_SOURCE_JUDICIAL,
                                 SP_SOURCE_INVOICE};

typedef struct fixture {
  char dir[64], db[96];
  sp_svc *w, *rd;
  sp_flow *flow;
  sp_applier *a;
} fixture;

static void add_consent(sp_svc *w, const char *id, sp_source s,
                        sp_time expires) {
  sp_consent c = {.source = s,
                  .purposes = 1u << SP_PURPOSE_CREDIT_DECISION,
                  .granted = GRANTED,
                  .expires = expires};
  snprintf(c.borrower, sizeof c.borrower, "%s", id);
  uint64_t no;
  sp_error err;
  assert_int_equal(sp_svc_consent_add(w, &c, &no, &err), SP_OK);
}

static void add_record(sp_svc *w, const char *id, sp_source s, int day,
                       const char *values) {
  sp_date as_of;
  sp_date_from_ymd(2026, 9, day, &as_of);
  sp_data_record r = {.borrower = id,
                      .source = s,
                      .as_of = as_of,
                      .values_json = values,
                      .received = GRANTED};
  uint64_t no;
  sp_error err;
  assert_int_equal(sp_svc_data_add(w, &r, &no, &err), SP_OK);
}

static void add_sales(sp_svc *w, const char *id, int day, long sales) {
  char v[64];
  snprintf(v, sizeof v, "{\"monthly_sales\":\"%ld.00\"}", sales);
  add_record(w, id, SP_SOURCE_INVOICE, day, v);
}

/* A borrower with consents for each of the flow's sources (`consents` of
 * each, in source order: all but the last expired before AT, the last
 * expiring at `expires`), tax grade A, no court enforcement, and the given
 * monthly sales. */
static void add_borrower(sp_svc *w, const char *id, long sales, int consents,
                         sp_time expires) {
  sp_borrower b = {.created = GRANTED};
  snprintf(b.id, sizeof b.id, "%s", id);
  snprintf(b.name, sizeof b.name, "test %s", id);
  snprintf(b.kind, sizeof b.kind, "enterprise");
  snprintf(b.credit_code, sizeof b.credit_code, "91330106MA27XY1234");
  sp_error err;
  assert_int_equal(sp_svc_borrower_put(w, &b, &err), SP_OK);
  for (int s = 0; s < 3; s++)
    for (int k = 0; k < consents; k++)
      add_consent(w, id, SRC[s], k + 1 == consents ? expires : GRANTED + 60);
  add_record(w, id, SP_SOURCE_TAX, 1, "{\"tax_credit_grade\":\"A\"}");
  add_record(w, id, SP_SOURCE_JUDICIAL, 1, "{\"court_enforcements_24m\":0}");
  add_sales(w, id, 1, sales);
}

/* Borrowers S0.. whose ids fall in one set of the cache. */
static void colliding(char ids[][24], int n) {
  uint32_t set = sp_hash_str("S0") % SETS;
  snprintf(ids[0], 24, "S0");
  int found = 1;
  for (long i = 1; found < n; i++) {
    char id[24];
    snprintf(id, sizeof id, "S%ld", i);
    if (sp_hash_str(id) % SETS == set)
      snprintf(ids[found++], 24, "%s", id);
  }
}

static int setup(void **state) {
  fixture *f = calloc(1, sizeof *f);
  snprintf(f->dir, sizeof f->dir, "/tmp/sparrow-apply-XXXXXX");
  assert_non_null(mkdtemp(f->dir));
  char cmd[256];
  snprintf(cmd, sizeof cmd, "bash -c '. ./lib_flow.sh && hand_flow %s'",
           f->dir);
  assert_int_equal(system(cmd), 0);
  snprintf(f->db, sizeof f->db, "%s/t.db", f->dir);
  sp_error err;
  assert_int_equal(sp_svc_open(f->db, &f->w, &err), SP_OK);
  char path[128];
  snprintf(path, sizeof path, "%s/flow.json", f->dir);
  assert_int_equal(sp_flow_load_file(path, &f->flow, &err), SP_OK);
  assert_int_equal(sp_applier_new(f->flow, &f->a, &err), SP_OK);
  *state = f;
  return 0;
}

static int teardown(void **state) {
  fixture *f = *state;
  sp_applier_free(f->a);
  sp_flow_free(f->flow);
  sp_svc_close(f->rd);
  sp_svc_close(f->w);
  char cmd[128];
  snprintf(cmd, sizeof cmd, "rm -rf %s", f->dir);
  assert_int_equal(system(cmd), 0);
  free(f);
  return 0;
}

static void open_reader(fixture *f) {
  sp_error err;
  assert_int_equal(sp_svc_open_reader(f->db, &f->rd, &err), SP_OK);
}

/* Decides for the borrower at gen; the result code, and on success the
 * limit and the monthly sales the document shows. */
static int decide(fixture *f, const char *borrower, uint64_t gen, sp_time at,
                  int64_t *limit_fen, char *sales, sp_error *err) {
  sp_apply_request q = {.id = "A",
                        .borrower = borrower,
                        .values_json = VALUES,
                        .at = at,
                        .gen = gen};
  sp_apply_result res;
  int rc = sp_apply_decide(f->a, f->rd, &q, &res, err);
  if (rc != SP_OK)
    return rc;
  assert_string_equal(res.status, "approved");
  *limit_fen = res.limit_fen;
  json_t *doc = json_loads(res.doc, 0, NULL);
  assert_non_null(doc);
  json_t *v =
      json_object_get(json_object_get(doc, "features"), "monthly_sales");
  snprintf(sales, 32, "%s", json_is_string(v) ? json_string_value(v) : "?");
  json_decref(doc);
  free(res.doc);
  return rc;
}

/* 300% of the sales, rounded down to 100.00, in fen. */
static int64_t limit_of(long sales) { return (3 * sales / 100) * 100 * 100; }

static void expect_sales(fixture *f, const char *borrower, uint64_t gen,
                         long sales) {
  int64_t limit;
  char text[32], want[32];
  sp_error err;
  assert_int_equal(decide(f, borrower, gen, AT, &limit, text, &err), SP_OK);
  snprintf(want, sizeof want, "%ld.00", sales);
  assert_string_equal(text, want);
  assert_int_equal(limit, limit_of(sales));
}

/* Many borrowers, more than share the cache's sets without eviction, each
 * decided on its own data, in two orders, read or kept. */
static void test_many_borrowers(void **state) {
  fixture *f = *state;
  sp_error err;
  assert_int_equal(sp_svc_begin(f->w, &err), SP_OK);
  for (int i = 1; i <= MANY; i++) {
    char id[16];
    snprintf(id, sizeof id, "M%d", i);
    add_borrower(f->w, id, 5000 + i, 1, FAR);
  }
  assert_int_equal(sp_svc_commit(f->w, &err), SP_OK);
  open_reader(f);
  for (int round = 0; round < 3; round++)
    for (int k = 0; k < MANY; k++) {
      /* forward, then a stride of 7 (prime to MANY) from the end */
      int i = round == 0 ? k + 1 : MANY - (k * 7) % MANY;
      char id[16];
      snprintf(id, sizeof id, "M%d", i);
      expect_sales(f, id, round == 2 ? 0 : 1, 5000 + i);
    }
}

/* What is kept is used at the same generation, and read again at another;
 * a set keeps the two borrowers used last. */
static void test_kept_by_generation(void **state) {
  fixture *f = *state;
  char s[WAYS + 1][24]; /* one more than a set keeps */
  colliding(s, WAYS + 1);
  sp_error err;
  assert_int_equal(sp_svc_begin(f->w, &err), SP_OK);
  for (int i = 0; i <= WAYS; i++)
    add_borrower(f->w, s[i], 10000 + i, 1, FAR);
  assert_int_equal(sp_svc_commit(f->w, &err), SP_OK);
  open_reader(f);
  expect_sales(f, s[0], 1, 10000); /* read: the set holds s0 */
  expect_sales(f, s[1], 1, 10001); /* read: s1, s0 */
  expect_sales(f, s[2], 1, 10002); /* read: s2, s1, s0 */
  expect_sales(f, s[3], 1, 10003); /* read: s3, s2, s1, s0 */
  expect_sales(f, s[0], 1, 10000); /* kept: s0, s3, s2, s1 */
  /* new sales for all five, under the same generation */
  assert_int_equal(sp_svc_begin(f->w, &err), SP_OK);
  for (int i = 0; i <= WAYS; i++)
    add_sales(f->w, s[i], 2, 20000 + i);
  assert_int_equal(sp_svc_commit(f->w, &err), SP_OK);
  expect_sales(f, s[0], 1, 10000); /* kept, as the generation says */
  expect_sales(f, s[4], 1, 20004); /* read: takes s1's place (least lately
                                      used): s4, s0, s3, s2 */
  expect_sales(f, s[0], 1, 10000); /* still kept: s0, s4, s3, s2 */
  expect_sales(f, s[1], 1, 20001); /* read again, takes s2's: s1, s0, s4, s3 */
  expect_sales(f, s[3], 1, 10003); /* kept: s3, s1, s0, s4 */
  expect_sales(f, s[2], 1, 20002); /* read again, takes s4's */
  expect_sales(f, s[0], 1, 10000);
  expect_sales(f, s[0], 2, 20000); /* another generation: read */
  expect_sales(f, s[0], 0, 20000); /* and without one */
  expect_sales(f, s[1], 1, 20001);
}

/* Consents kept are checked at each decision's own time; a borrower with
 * more consents than are kept (32) is checked on the file each time. */
static void test_consents(void **state) {
  fixture *f = *state;
  sp_error err;
  assert_int_equal(sp_svc_begin(f->w, &err), SP_OK);
  add_borrower(f->w, "E1", 8000, 1, AT + 3600); /* consents C1..C3 */
  add_borrower(f->w, "P1", 9000, 14, FAR);      /* C4..C45 */
  assert_int_equal(sp_svc_commit(f->w, &err), SP_OK);
  open_reader(f);
  int64_t limit;
  char sales[32];
  for (int k = 0; k < 2; k++) {
    assert_int_equal(decide(f, "E1", 1, AT, &limit, sales, &err), SP_OK);
    assert_int_equal(limit, limit_of(8000));
    assert_int_equal(decide(f, "E1", 1, AT + 3601, &limit, sales, &err),
                     SP_ESTATE);
    assert_string_equal(err.field, "consent");
    assert_non_null(strstr(err.message, "expired"));
  }
  /* P1's valid consents are each source's last: C17 (tax), C31
   * (judicial), C45 (invoice) */
  for (int k = 0; k < 3; k++) {
    sp_apply_request q = {
        .id = "A", .borrower = "P1", .values_json = VALUES, .at = AT, .gen = 1};
    sp_apply_result res;
    assert_int_equal(sp_apply_decide(f->a, f->rd, &q, &res, &err), SP_OK);
    assert_int_equal(res.limit_fen, limit_of(9000));
    json_t *doc = json_loads(res.doc, 0, NULL), *src;
    size_t i;
    char used[64] = "";
    json_array_foreach(json_object_get(doc, "sources"), i, src) {
      size_t n = strlen(used);
      snprintf(used + n, sizeof used - n, "%s:%s ",
               json_string_value(json_object_get(src, "source")),
               json_string_value(json_object_get(src, "consent")));
    }
    assert_string_equal(used, "tax:C17 invoice:C45 judicial:C31 ");
    json_decref(doc);
    free(res.doc);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_many_borrowers, setup, teardown),
      cmocka_unit_test_setup_teardown(test_kept_by_generation, setup, teardown),
      cmocka_unit_test_setup_teardown(test_consents, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
