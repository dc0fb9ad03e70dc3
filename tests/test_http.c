/* The HTTP service's pieces without a socket: the OpenAPI document against
 * the route table (both directions), masking, API keys, borrower checks,
 * consent and idempotency keys in a real database file. Expected strings
 * are written by hand from the rules in include/sparrow/svc.h. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <ctype.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <sqlite3.h>
#include <string.h>
#include <unistd.h>

#include "sparrow/http.h"
#include "sparrow/ledger.h"
#include "sparrow/loan.h"
#include "sparrow/money.h"
#include "sparrow/store.h"
#include "sparrow/svc.h"

static unsigned roles_of(json_t *op) {
  unsigned mask = 0;
  size_t i;
  json_t *v;
  json_array_foreach(json_object_get(op, "x-roles"), i, v) {
    sp_role r;
    assert_int_equal(sp_role_parse(json_string_value(v), "x", &r, NULL), SP_OK);
    mask |= SP_ROLE_BIT(r);
  }
  return mask;
}

/* 0: no Idempotency-Key parameter; 1: a required one; 2: an optional one. */
static int has_idempotency_header(json_t *op) {
  size_t i;
  json_t *p;
  json_array_foreach(json_object_get(op, "parameters"), i, p) {
    if (strcmp(json_string_value(json_object_get(p, "name")),
               "Idempotency-Key") == 0)
      return json_is_true(json_object_get(p, "required")) ? 1 : 2;
  }
  return 0;
}

/* Every route is documented with its roles; every documented operation
 * is routed back to the route of the same path. */
static void test_openapi_matches_routes(void **state) {
  (void)state;
  char *text = sp_http_openapi();
  assert_non_null(text);
  json_t *doc = json_loads(text, 0, NULL);
  free(text);
  assert_non_null(doc);
  json_t *paths = json_object_get(doc, "paths");
  size_t ops = 0;
  for (size_t i = 0; i < sp_http_route_count(); i++) {
    const sp_http_route_info *r = sp_http_route_at(i);
    char method[8] = {0};
    for (size_t k = 0; r->method[k] && k < 7; k++)
      method[k] = (char)tolower((unsigned char)r->method[k]);
    json_t *op = json_object_get(json_object_get(paths, r->path), method);
    assert_non_null(op);
    assert_int_equal(roles_of(op), r->roles);
    /* money 1: the header is required; 2: it is accepted. */
    assert_int_equal(has_idempotency_header(op), r->money);
  }
  const char *path;
  json_t *item;
  json_object_foreach(paths, path, item) {
    const char *m;
    json_t *op;
    json_object_foreach(item, m, op) {
      char concrete[256], method[8] = {0};
      size_t o = 0;
      for (const char *p = path; *p && o < sizeof concrete - 4; p++) {
        if (*p == '{') {
          memcpy(concrete + o, "X1", 2), o += 2;
          p = strchr(p, '}');
        } else {
          concrete[o++] = *p;
        }
      }
      concrete[o] = '\0';
      for (size_t k = 0; m[k] && k < 7; k++)
        method[k] = (char)toupper((unsigned char)m[k]);
      int idx = sp_http_route_match(method, concrete);
      assert_true(idx >= 0);
      assert_string_equal(sp_http_route_at((size_t)idx)->path, path);
      ops++;
    }
  }
  assert_int_equal(ops, sp_http_route_count());
  assert_int_equal(sp_http_route_match("GET", "/v1/nothing"), -1);
  assert_int_equal(sp_http_route_match("PUT", "/v1/lines/L1"), -2);
  assert_int_equal(sp_http_route_match("GET", "/v1/lines/"), -1);
  assert_int_equal(sp_http_route_match("GET", "/v1/lines/a/b"), -1);
  json_decref(doc);
}

/* The table: who may open a line, draw, read data, see metrics. */
static void test_route_roles(void **state) {
  (void)state;
  const struct {
    const char *method, *path;
    unsigned roles;
  } want[] = {
      {"POST", "/v1/lines/L1/draws",
       SP_ROLE_BIT(SP_ROLE_APPLICANT_APP) | SP_ROLE_BIT(SP_ROLE_LOAN_OFFICER) |
           SP_ROLE_BIT(SP_ROLE_ADMIN)},
      {"POST", "/v1/lines",
       SP_ROLE_BIT(SP_ROLE_LOAN_OFFICER) | SP_ROLE_BIT(SP_ROLE_ADMIN)},
      {"GET", "/v1/lines/L1", SP_ROLES_ALL},
      {"GET", "/healthz", 0},
  };
  for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
    int idx = sp_http_route_match(want[i].method, want[i].path);
    assert_true(idx >= 0);
    assert_int_equal(sp_http_route_at((size_t)idx)->roles, want[i].roles);
  }
  assert_true(sp_role_sees_personal(SP_ROLE_AUDITOR));
  assert_true(sp_role_sees_personal(SP_ROLE_LOAN_OFFICER));
  assert_true(sp_role_sees_personal(SP_ROLE_ADMIN));
  assert_false(sp_role_sees_personal(SP_ROLE_APPLICANT_APP));
  assert_false(sp_role_sees_personal(SP_ROLE_RISK_MANAGER));
}

static void test_masking(void **state) {
  (void)state;
  char out[300];
  sp_mask_id("330106199001011234", out, sizeof out);
  assert_string_equal(out, "3301**********1234");
  sp_mask_id("91330106MA27XY1234", out, sizeof out);
  assert_string_equal(out, "9133**********1234");
  sp_mask_phone("13812345678", out, sizeof out);
  assert_string_equal(out, "138****5678");
  sp_mask_address("浙江省杭州市西湖区文三路100号", out, sizeof out);
  assert_string_equal(out, "浙江省杭州市****");
  sp_mask_address("杭州", out, sizeof out);
  assert_string_equal(out, "**");
  sp_mask_id("1234567", out, sizeof out); /* too short: nothing shown */
  assert_string_equal(out, "*******");
  sp_mask_phone("", out, sizeof out);
  assert_string_equal(out, "");
}

static void write_file(const char *path, const char *text) {
  FILE *f = fopen(path, "w");
  assert_non_null(f);
  fputs(text, f);
  fclose(f);
}

static void test_keys(void **state) {
  (void)state;
  char path[] = "/tmp/sparrow-keys-XXXXXX";
  int fd = mkstemp(path);
  assert_true(fd >= 0);
  close(fd);
  write_file(path, "{\"aaaaaaaaaaaaaaaa\":\"auditor\","
                   "\"bbbbbbbbbbbbbbbbb\":\"admin\"}");
  sp_keyring *kr;
  sp_error err;
  assert_int_equal(sp_keyring_load(path, &kr, &err), SP_OK);
  sp_role role;
  assert_int_equal(sp_keyring_lookup(kr, "bbbbbbbbbbbbbbbbb", &role), SP_OK);
  assert_int_equal(role, SP_ROLE_ADMIN);
  assert_int_equal(sp_keyring_lookup(kr, "aaaaaaaaaaaaaaaa", &role), SP_OK);
  assert_int_equal(role, SP_ROLE_AUDITOR);
  assert_int_equal(sp_keyring_lookup(kr, "bbbbbbbbbbbbbbbb", &role),
                   SP_ENOTFOUND); /* a prefix */
  assert_int_equal(sp_keyring_lookup(kr, "", &role), SP_ENOTFOUND);
  sp_keyring_free(kr);
  write_file(path, "{\"short\":\"admin\"}");
  assert_int_equal(sp_keyring_load(path, &kr, &err), SP_EINVAL);
  assert_string_equal(err.field, "keys");
  write_file(path, "{\"aaaaaaaaaaaaaaaa\":\"janitor\"}");
  assert_int_equal(sp_keyring_load(path, &kr, &err), SP_EINVAL);
  write_file(path, "{\"aaaaaaaaaaaaaaaa\":");
  assert_int_equal(sp_keyring_load(path, &kr, &err), SP_EPARSE);
  assert_int_equal(err.line, 1);
  unlink(path);
  assert_int_equal(sp_keyring_dev(&kr, &err), SP_OK);
  assert_int_equal(sp_keyring_count(kr), SP_ROLE_COUNT);
  const char *k = sp_keyring_key(kr, 2, &role);
  sp_role found;
  assert_int_equal(sp_keyring_lookup(kr, k, &found), SP_OK);
  assert_int_equal(found, role);
  sp_keyring_free(kr);
}

static void test_borrower_validate(void **state) {
  (void)state;
  sp_borrower b = {.id = "B1", .name = "x", .kind = "enterprise"};
  sp_error err;
  assert_int_equal(sp_borrower_validate(&b, &err), SP_EINVAL);
  assert_string_equal(err.field, "credit_code");
  strcpy(b.credit_code, "91330106MA27XY1234");
  assert_int_equal(sp_borrower_validate(&b, &err), SP_OK);
  strcpy(b.kind, "sole_proprietor");
  strcpy(b.credit_code, "");
  strcpy(b.id_number, "33010619900101123");
  assert_int_equal(sp_borrower_validate(&b, &err), SP_EINVAL);
  assert_string_equal(err.field, "id_number");
  strcpy(b.id_number, "33010619900101123X");
  assert_int_equal(sp_borrower_validate(&b, &err), SP_OK);
  strcpy(b.phone, "23812345678");
  assert_int_equal(sp_borrower_validate(&b, &err), SP_EINVAL);
  assert_string_equal(err.field, "phone");
}

/* 2026-01-01T00:00:00+08:00 and a day. */
#define T0 INT64_C(1767196800)
#define DAY INT64_C(86400)

/* A service store on a fresh file named in path (a mkstemp template). */
static sp_svc *temp_svc(char *path) {
  int fd = mkstemp(path);
  assert_true(fd >= 0);
  close(fd);
  sp_svc *svc;
  sp_error err;
  assert_int_equal(sp_svc_open(path, &svc, &err), SP_OK);
  return svc;
}

static void test_consent_and_idempotency(void **state) {
  (void)state;
  char path[] = "/tmp/sparrow-svc-XXXXXX";
  sp_svc *svc = temp_svc(path);
  sp_error err;
  sp_consent c = {.borrower = "B1",
                  .source = SP_SOURCE_TAX,
                  .purposes = 1u << SP_PURPOSE_CREDIT_DECISION,
                  .granted = T0,
                  .expires = T0 + 30 * DAY};
  uint64_t no = 0, used = 0;
  assert_int_equal(sp_svc_consent_add(svc, &c, &no, &err), SP_OK);
  assert_true(no == 1);
  assert_int_equal(sp_svc_consent_check(svc, "B1", SP_SOURCE_TAX,
                                        SP_PURPOSE_CREDIT_DECISION, T0 + DAY,
                                        &used, &err),
                   SP_OK);
  assert_true(used == 1);
  assert_int_equal(sp_svc_consent_check(svc, "B1", SP_SOURCE_TAX,
                                        SP_PURPOSE_CREDIT_DECISION,
                                        T0 + 30 * DAY, &used, &err),
                   SP_ESTATE);
  assert_string_equal(err.message, "consent C1 for tax data expired at "
                                   "2026-01-31T00:00:00+08:00");
  assert_int_equal(sp_svc_consent_check(svc, "B1", SP_SOURCE_TAX,
                                        SP_PURPOSE_POST_LOAN_MONITORING,
                                        T0 + DAY, &used, &err),
                   SP_ESTATE);
  assert_string_equal(err.message, "consent for tax data does not cover the "
                                   "purpose post_loan_monitoring");
  assert_int_equal(sp_svc_consent_check(svc, "B1", SP_SOURCE_JUDICIAL,
                                        SP_PURPOSE_CREDIT_DECISION, T0 + DAY,
                                        &used, &err),
                   SP_ESTATE);
  /* Before it was granted, the consent did not exist. */
  assert_int_equal(sp_svc_consent_check(svc, "B1", SP_SOURCE_TAX,
                                        SP_PURPOSE_CREDIT_DECISION, T0 - 1,
                                        &used, &err),
                   SP_ESTATE);
  assert_int_equal(sp_svc_consent_revoke(svc, "B1", 1, T0 + 2 * DAY, &err),
                   SP_OK);
  assert_int_equal(sp_svc_consent_revoke(svc, "B1", 1, T0 + 2 * DAY, &err),
                   SP_ESTATE);
  assert_int_equal(sp_svc_consent_revoke(svc, "B2", 1, T0, &err), SP_ENOTFOUND);
  /* Still valid the day before it was revoked; refused after. */
  assert_int_equal(sp_svc_consent_check(svc, "B1", SP_SOURCE_TAX,
                                        SP_PURPOSE_CREDIT_DECISION, T0 + DAY,
                                        &used, &err),
                   SP_OK);
  assert_int_equal(sp_svc_consent_check(svc, "B1", SP_SOURCE_TAX,
                                        SP_PURPOSE_CREDIT_DECISION,
                                        T0 + 3 * DAY, &used, &err),
                   SP_ESTATE);
  assert_string_equal(err.message, "consent C1 for tax data was revoked at "
                                   "2026-01-03T00:00:00+08:00");
  assert_int_equal(
      sp_svc_idem_put(svc, "k1", "req", 3, 201, "{\"a\":1}", 7, T0, &err),
      SP_OK);
  assert_int_equal(sp_svc_idem_put(svc, "k1", "req", 3, 201, "{}", 2, T0, &err),
                   SP_EEXISTS);
  sp_svc_close(svc);
  /* Reopened: what was committed is there. */
  assert_int_equal(sp_svc_open(path, &svc, &err), SP_OK);
  int status = 0;
  char *body = NULL;
  char app[SP_SVC_ID_MAX + 1];
  size_t len = 0;
  assert_int_equal(
      sp_svc_idem_get(svc, "k1", "req", 3, &status, &body, &len, app, &err),
      SP_OK);
  assert_int_equal(status, 201);
  assert_int_equal(len, 7);
  assert_memory_equal(body, "{\"a\":1}", 7);
  free(body);
  assert_string_equal(app, "");
  /* A first answer kept in its application comes back as its id. */
  assert_int_equal(
      sp_svc_idem_put_app(svc, "k3", "req", 3, 201, "A9", T0, &err), SP_OK);
  assert_int_equal(
      sp_svc_idem_get(svc, "k3", "req", 3, &status, &body, &len, app, &err),
      SP_OK);
  assert_int_equal(status, 201);
  assert_null(body);
  assert_string_equal(app, "A9");
  assert_int_equal(
      sp_svc_idem_get(svc, "k1", "rex", 3, &status, &body, &len, app, &err),
      SP_EEXISTS);
  assert_string_equal(err.field, "Idempotency-Key");
  assert_int_equal(
      sp_svc_idem_get(svc, "k2", "req", 3, &status, &body, &len, app, &err),
      SP_ENOTFOUND);
  assert_int_equal(sp_svc_consent_check(svc, "B1", SP_SOURCE_TAX,
                                        SP_PURPOSE_CREDIT_DECISION,
                                        T0 + 3 * DAY, &used, &err),
                   SP_ESTATE);
  sp_svc_close(svc);
  assert_int_equal(sp_store_remove_sqlite(path), SP_OK);
}

/* What sp_svc_decision_inputs gives back, as text to compare whole. */
typedef struct inputs_seen {
  char text[1024];
} inputs_seen;

static int seen_consent(void *ctx, const sp_consent *c) {
  inputs_seen *s = ctx;
  size_t n = strlen(s->text);
  snprintf(s->text + n, sizeof s->text - n, "C%llu %s %s %u %lld %lld %lld\n",
           (unsigned long long)c->no, c->borrower, sp_source_name(c->source),
           c->purposes, (long long)(c->granted - T0),
           (long long)(c->expires - T0), (long long)c->revoked);
  return SP_OK;
}

static int seen_record(void *ctx, const sp_data_record *r) {
  inputs_seen *s = ctx;
  size_t n = strlen(s->text);
  snprintf(s->text + n, sizeof s->text - n, "D%llu %s %s %d %lld %s\n",
           (unsigned long long)r->no, r->borrower, sp_source_name(r->source),
           (int)r->as_of, (long long)(r->received - T0), r->values_json);
  return SP_OK;
}

static void expect_inputs(sp_svc *svc, const char *borrower, const char *want) {
  inputs_seen s = {""};
  sp_error err;
  assert_int_equal(sp_svc_decision_inputs(svc, borrower, seen_consent,
                                          seen_record, &s, &err),
                   SP_OK);
  assert_string_equal(s.text, want);
}

static void add_record(sp_svc *svc, const char *borrower, sp_source source,
                       sp_date as_of, const char *values) {
  sp_data_record r = {.borrower = borrower,
                      .source = source,
                      .as_of = as_of,
                      .values_json = values,
                      .received = T0 + DAY};
  uint64_t no;
  sp_error err;
  assert_int_equal(sp_svc_data_add(svc, &r, &no, &err), SP_OK);
}

/* A decision's inputs in one row, kept by the schema's triggers through
 * consents granted and revoked and records received out of date order,
 * and rebuilt for borrowers stored before the row existed. The expected
 * text is written by hand from the writes below: consents in consent
 * order; for each source in source order its record of the greatest
 * as_of, the later received on a tie. */
static void test_decision_inputs(void **state) {
  (void)state;
  char path[] = "/tmp/sparrow-inputs-XXXXXX";
  sp_svc *svc = temp_svc(path);
  sp_error err;
  sp_borrower b = {.id = "B1",
                   .name = "x",
                   .kind = "enterprise",
                   .credit_code = "91330106MA27XY1234",
                   .created = T0};
  assert_int_equal(sp_svc_borrower_put(svc, &b, &err), SP_OK);
  expect_inputs(svc, "B1", "");
  sp_consent c = {.borrower = "B1",
                  .source = SP_SOURCE_TAX,
                  .purposes = 1u << SP_PURPOSE_CREDIT_DECISION,
                  .granted = T0,
                  .expires = T0 + 30 * DAY};
  uint64_t no;
  assert_int_equal(sp_svc_consent_add(svc, &c, &no, &err), SP_OK);
  c.source = SP_SOURCE_JUDICIAL, c.purposes = 3, c.expires = T0 + 90 * DAY;
  assert_int_equal(sp_svc_consent_add(svc, &c, &no, &err), SP_OK);
  assert_int_equal(sp_svc_consent_revoke(svc, "B1", 1, T0 + 2 * DAY, &err),
                   SP_OK);
  add_record(svc, "B1", SP_SOURCE_TAX, 20000, "{\"a\":1}");
  add_record(svc, "B1", SP_SOURCE_TAX, 19999, "{\"a\":0}"); /* older */
  add_record(svc, "B1", SP_SOURCE_INVOICE, 19000, "{\"s\":\"发票 \\\"q\\\"\"}");
  add_record(svc, "B1", SP_SOURCE_TAX, 20000, "{\"a\":2}"); /* same day */
  /* Another borrower's writes leave B1's row alone; none without one. */
  strcpy(b.id, "B2");
  assert_int_equal(sp_svc_borrower_put(svc, &b, &err), SP_OK);
  add_record(svc, "B2", SP_SOURCE_TAX, 20001, "{\"a\":9}");
  add_record(svc, "B3", SP_SOURCE_TAX, 20001, "{\"a\":9}");
  const char *want = "C1 B1 tax 1 0 2592000 1767369600\n"
                     "C2 B1 judicial 3 0 7776000 0\n"
                     "D4 B1 tax 20000 86400 {\"a\":2}\n"
                     "D3 B1 invoice 19000 86400 {\"s\":\"发票 \\\"q\\\"\"}\n";
  expect_inputs(svc, "B1", want);
  expect_inputs(svc, "B2", "D5 B2 tax 20001 86400 {\"a\":9}\n");
  inputs_seen s = {""};
  assert_int_equal(
      sp_svc_decision_inputs(svc, "B3", seen_consent, seen_record, &s, &err),
      SP_ENOTFOUND);
  assert_string_equal(err.field, "borrower");
  sp_svc_close(svc);

  /* A file from before the row (service schema 4): the migration builds
   * it from the tables. */
  sqlite3 *db;
  assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
  assert_int_equal(
      sqlite3_exec(db,
                   "DROP TRIGGER svc_inputs_borrower_add;"
                   "DROP TRIGGER svc_inputs_borrower_del;"
                   "DROP TRIGGER svc_inputs_consent_add;"
                   "DROP TRIGGER svc_inputs_consent_set;"
                   "DROP TRIGGER svc_inputs_consent_del;"
                   "DROP TRIGGER svc_inputs_data_add;"
                   "DROP TRIGGER svc_inputs_data_set;"
                   "DROP TRIGGER svc_inputs_data_del;"
                   "DROP TABLE svc_inputs; UPDATE svc_schema SET version = 4",
                   NULL, NULL, NULL),
      SQLITE_OK);
  sqlite3_close(db);
  assert_int_equal(sp_svc_open(path, &svc, &err), SP_OK);
  expect_inputs(svc, "B1", want);
  expect_inputs(svc, "B2", "D5 B2 tax 20001 86400 {\"a\":9}\n");
  sp_svc_close(svc);

  /* Whoever writes, however: a statement's conflict policy (here OR
   * IGNORE) is its triggers' too, and the row still follows. */
  assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
  assert_int_equal(
      sqlite3_exec(db,
                   "INSERT OR IGNORE INTO svc_data(borrower, source, as_of, "
                   "doc_values, received) VALUES('B2', 0, 20002, '{\"a\":10}',"
                   " 1767283200)",
                   NULL, NULL, NULL),
      SQLITE_OK);
  sqlite3_close(db);
  assert_int_equal(sp_svc_open(path, &svc, &err), SP_OK);
  expect_inputs(svc, "B2", "D7 B2 tax 20002 86400 {\"a\":10}\n");
  sp_svc_close(svc);
  assert_int_equal(sp_store_remove_sqlite(path), SP_OK);
}

/* Lists of applications by status, newest first (a second's ties in the
 * order stored, the later first), and the counts by status since a time:
 * on a new file, and on a file from before migration 6 (service schema 5,
 * with its index on (status, created)) opened again. The expected lists
 * are written by hand from the puts and the review below. */
static int app_ids(void *ctx, const sp_application *a) {
  strcat(ctx, a->id);
  strcat(ctx, " ");
  return 0;
}

static void expect_apps(sp_svc *svc, const char *status, size_t max,
                        const char *want) {
  char got[256] = "";
  sp_error err;
  assert_int_equal(sp_svc_app_list(svc, status, max, app_ids, got, &err),
                   SP_OK);
  assert_string_equal(got, want);
}

static void expect_app_lists(sp_svc *svc) {
  expect_apps(svc, NULL, 100, "A7 A6 A5 A4 A3 A2 A1 ");
  expect_apps(svc, NULL, 3, "A7 A6 A5 ");
  expect_apps(svc, "referred", 100, "A6 A5 A2 ");
  expect_apps(svc, "approved", 100, "A7 A4 A3 A1 ");
  expect_apps(svc, "approved", 2, "A7 A4 ");
  expect_apps(svc, "declined", 100, "");
  sp_app_counts n;
  sp_error err;
  assert_int_equal(sp_svc_app_counts(svc, T0 + 20, &n, &err), SP_OK);
  /* A4..A7 from T0 + 20 on: A4 approved by review, A5 and A6 referred. */
  assert_int_equal(n.total, 4);
  assert_int_equal(n.approved, 2);
  assert_int_equal(n.referred, 2);
  assert_int_equal(n.declined, 0);
  assert_int_equal(sp_svc_app_counts(svc, T0 + 31, &n, &err), SP_OK);
  assert_int_equal(n.total, 0);
}

static void test_applications_by_status(void **state) {
  (void)state;
  char path[] = "/tmp/sparrow-apps-XXXXXX";
  sp_svc *svc = temp_svc(path);
  sp_error err;
  static const struct {
    const char *id, *status;
    sp_time created;
  } apps[] = {{"A1", "approved", T0},      {"A2", "referred", T0 + 10},
              {"A3", "approved", T0 + 10}, {"A4", "referred", T0 + 20},
              {"A5", "referred", T0 + 20}, {"A6", "referred", T0 + 30},
              {"A7", "approved", T0 + 30}};
  for (size_t i = 0; i < sizeof apps / sizeof apps[0]; i++) {
    sp_application a = {.created = apps[i].created, .doc = "{}"};
    strcpy(a.id, apps[i].id);
    strcpy(a.borrower, "B1");
    strcpy(a.decision, apps[i].status);
    assert_int_equal(sp_svc_app_put(svc, &a, &err), SP_OK);
  }
  assert_int_equal(
      sp_svc_app_review(svc, "A4", "approved", "officer", "ok", T0 + 40, &err),
      SP_OK);
  expect_app_lists(svc);
  sp_svc_close(svc);

  sqlite3 *db;
  assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
  assert_int_equal(sqlite3_exec(db,
                                "DROP INDEX svc_applications_referred;"
                                "DROP INDEX svc_applications_created;"
                                "CREATE INDEX svc_applications_status ON "
                                "svc_applications(status, created);"
                                "CREATE INDEX svc_applications_created ON "
                                "svc_applications(created);"
                                "UPDATE svc_schema SET version = 5",
                                NULL, NULL, NULL),
                   SQLITE_OK);
  sqlite3_close(db);
  assert_int_equal(sp_svc_open(path, &svc, &err), SP_OK);
  expect_app_lists(svc);
  sp_svc_close(svc);
  assert_int_equal(sp_store_remove_sqlite(path), SP_OK);
}

/* The store's batch: a refused operation inside is undone alone, the
 * commit keeps the rest (with the service rows of the same transaction),
 * and a batch ended without commit leaves nothing. */
static void test_store_batch(void **state) {
  (void)state;
  char path[] = "/tmp/sparrow-batch-XXXXXX";
  int fd = mkstemp(path);
  assert_true(fd >= 0);
  close(fd);
  sp_book *b;
  sp_svc *svc;
  sp_error err;
  sp_product p;
  sp_product_default(&p);
  p.annual_rate = 72 * SP_RATE_PERCENT / 10; /* 7.2% */
  sp_date day;
  assert_int_equal(sp_date_from_ymd(2026, 1, 1, &day), SP_OK);
  assert_int_equal(sp_book_open(path, &b, &err), SP_OK);
  assert_int_equal(sp_svc_open_store(sp_book_store(b), &svc, &err), SP_OK);
  assert_int_equal(sp_line_open(b, "L1", 100000, &p, day, &err), SP_OK);
  sp_store *st = sp_book_store(b);
  assert_int_equal(st->ops->batch_begin(st, &err), SP_OK);
  assert_int_equal(sp_line_draw(b, "L1", 60000, T0, "a", &err), SP_OK);
  assert_int_equal(sp_line_draw(b, "L1", 50000, T0, "b", &err), SP_ELIMIT);
  assert_int_equal(sp_line_draw(b, "L1", 40000, T0, "c", &err), SP_OK);
  assert_int_equal(sp_svc_idem_put(svc, "k", "r", 1, 201, "x", 1, T0, &err),
                   SP_OK);
  assert_int_equal(st->ops->batch_end(st, 1, &err), SP_OK);
  assert_int_equal(st->ops->batch_begin(st, &err), SP_OK);
  assert_int_equal(sp_line_open(b, "L2", 100000, &p, day, &err), SP_OK);
  assert_int_equal(st->ops->batch_end(st, 0, &err), SP_OK);
  sp_svc_close(svc);
  sp_book_close(b);
  assert_int_equal(sp_book_open(path, &b, &err), SP_OK);
  assert_int_equal(sp_svc_open_store(sp_book_store(b), &svc, &err), SP_OK);
  sp_loan_view v;
  assert_int_equal(sp_loan_get(b, "L1", &v, &err), SP_OK);
  assert_true(v.principal_fen == 100000); /* 600.00 + 400.00 */
  assert_int_equal(sp_loan_get(b, "L2", &v, &err), SP_ENOTFOUND);
  int status;
  char *body = NULL;
  char app[SP_SVC_ID_MAX + 1];
  size_t len;
  assert_int_equal(
      sp_svc_idem_get(svc, "k", "r", 1, &status, &body, &len, app, &err),
      SP_OK);
  free(body);
  sp_ledger_totals t;
  assert_int_equal(sp_ledger_verify(sp_book_store(b), &t, &err), SP_OK);
  assert_true(t.transfers == 2);
  sp_svc_close(svc);
  sp_book_close(b);
  assert_int_equal(sp_store_remove_sqlite(path), SP_OK);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_openapi_matches_routes),
      cmocka_unit_test(test_route_roles),
      cmocka_unit_test(test_masking),
      cmocka_unit_test(test_keys),
      cmocka_unit_test(test_borrower_validate),
      cmocka_unit_test(test_consent_and_idempotency),
      cmocka_unit_test(test_decision_inputs),
      cmocka_unit_test(test_applications_by_status),
      cmocka_unit_test(test_store_batch),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
