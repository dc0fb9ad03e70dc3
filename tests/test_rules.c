/* Rule language, feature schema, CSV reader: expected values worked out by
 * hand (truth tables are Kleene's strong three-valued logic; positions are
 * counted by hand, characters from 1), plus a randomized rule set checked
 * against the same 20 conditions written independently in plain C. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sparrow/csv.h"
#include "sparrow/rules.h"
#include "sparrow/schema.h"

static const char SCHEMA[] =
    "{\"features\":["
    "{\"name\":\"months_in_business\",\"type\":\"number\",\"source\":"
    "\"internal\",\"unit\":\"month\",\"min\":0,\"max\":1200,\"protected\":"
    "false},"
    "{\"name\":\"tax_credit_grade\",\"type\":\"category\",\"source\":\"tax\","
    "\"values\":[\"A\",\"B\",\"C\",\"D\",\"M\"]},"
    "{\"name\":\"court_enforcements_24m\",\"type\":\"number\",\"source\":"
    "\"judicial\",\"min\":0},"
    "{\"name\":\"invoice_amount_12m\",\"type\":\"number\",\"source\":"
    "\"invoice\","
    "\"unit\":\"CNY\"},"
    "{\"name\":\"tax_paid_12m\",\"type\":\"number\",\"source\":\"tax\"},"
    "{\"name\":\"has_customs_record\",\"type\":\"flag\",\"source\":\"customs\"}"
    ","
    "{\"name\":\"gender\",\"type\":\"category\",\"source\":\"internal\","
    "\"values\":[\"F\",\"M\"],\"protected\":true},"
    "{\"name\":\"registered_on\",\"type\":\"date\",\"source\":\"bureau\"},"
    "{\"name\":\"a\",\"type\":\"flag\",\"source\":\"internal\"},"
    "{\"name\":\"b\",\"type\":\"flag\",\"source\":\"internal\"},"
    "{\"name\":\"x\",\"type\":\"number\",\"source\":\"internal\"},"
    "{\"name\":\"y\",\"type\":\"number\",\"source\":\"internal\"},"
    "{\"name\":\"s\",\"type\":\"category\",\"source\":\"internal\"}]}";

enum {
  F_M,
  F_G,
  F_C,
  F_INV,
  F_TAX,
  F_CU,
  F_GENDER,
  F_REG,
  F_A,
  F_B,
  F_X,
  F_Y,
  F_S,
  N_F
};

static sp_schema schema;
static sp_instr pool_code[4096];
static char pool_strings[4096];

static sp_value num(double x) {
  sp_value v = {.kind = SP_VALUE_NUMBER};
  v.number = x;
  return v;
}
static sp_value str(const char *s) {
  sp_value v = {.kind = SP_VALUE_STRING, .len = (uint32_t)strlen(s)};
  v.string = s;
  return v;
}
/* 0 false, 1 true, 2 missing. */
static sp_value flag(int t) {
  sp_value v = {.kind = t == 2 ? SP_VALUE_MISSING : SP_VALUE_BOOL};
  v.boolean = t == 1;
  return v;
}
static const sp_value MISS = {.kind = SP_VALUE_MISSING};

static int setup(void **state) {
  (void)state;
  sp_error err;
  int rc = sp_schema_load_string(&schema, SCHEMA, strlen(SCHEMA), &err);
  if (rc != SP_OK)
    fprintf(stderr, "schema: %s\n", err.message);
  return rc;
}

static sp_expr_pool new_pool(void) {
  sp_expr_pool p = {pool_code, 4096, 0, pool_strings, 4096, 0};
  return p;
}

static sp_expr_env env_of(unsigned flags) {
  sp_expr_env e = {&schema, NULL, 0, flags};
  return e;
}

/* The base row; x, y, a, b vary per case. */
static void base_row(sp_value *row) {
  row[F_M] = num(24);
  row[F_G] = str("B");
  row[F_C] = num(0);
  row[F_INV] = num(1000000);
  row[F_TAX] = num(50000);
  row[F_CU] = flag(0);
  row[F_GENDER] = str("F");
  row[F_REG] = num(18262); /* 2020-01-01: 50 * 365 + 12 leap days */
  row[F_S] = str("a\"b\\c");
}

enum { R_FALSE, R_TRUE, R_MISSING, R_NUM };
#define NA NAN
typedef struct expr_case {
  const char *text;
  int a, b;    /* 0, 1, 2 = missing */
  double x, y; /* NAN = missing */
  int result;
  double number;
} expr_case;

static const expr_case cases[] = {
    /* Precedence and associativity. */
    {"1 + 2 * 3 == 7", 0, 0, 0, 0, R_TRUE, 0},
    {"(1 + 2) * 3", 0, 0, 0, 0, R_NUM, 9},
    {"10 - 4 - 3", 0, 0, 0, 0, R_NUM, 3},
    {"2 * 3 / 4", 0, 0, 0, 0, R_NUM, 1.5},
    {"-2 * 3", 0, 0, 0, 0, R_NUM, -6},
    {"- -2", 0, 0, 0, 0, R_NUM, 2},
    {"-x", 0, 0, 5, 0, R_NUM, -5},
    {"7 / 2", 0, 0, 0, 0, R_NUM, 3.5},
    {"not a and b", 0, 0, 0, 0, R_FALSE, 0}, /* (not a) and b */
    {"not a and b", 0, 1, 0, 0, R_TRUE, 0},
    {"a or b and false", 1, 0, 0, 0, R_TRUE, 0}, /* a or (b and false) */
    {"not 1 > 2", 0, 0, 0, 0, R_TRUE, 0},
    {"(1 < 2) == true", 0, 0, 0, 0, R_TRUE, 0},
    {"x * 2 > y + 1", 0, 0, 3, 4, R_TRUE, 0},
    {"x * 2 > y + 1", 0, 0, 2, 4, R_FALSE, 0},
    {"1e3", 0, 0, 0, 0, R_NUM, 1000},
    {".5 + 0.25", 0, 0, 0, 0, R_NUM, 0.75},
    /* Functions. */
    {"min(3, 1, 2)", 0, 0, 0, 0, R_NUM, 1},
    {"max(3, 1, 2)", 0, 0, 0, 0, R_NUM, 3},
    {"abs(-4.5)", 0, 0, 0, 0, R_NUM, 4.5},
    {"abs(x)", 0, 0, -2, 0, R_NUM, 2},
    {"ratio(6, 4)", 0, 0, 0, 0, R_NUM, 1.5},
    {"ratio(6, 0)", 0, 0, 0, 0, R_MISSING, 0},
    {"ratio(x, y) > 1", 0, 0, 3, 0, R_MISSING, 0},
    {"6 / 0", 0, 0, 0, 0, R_MISSING, 0},
    {"is_missing(x)", 0, 0, NA, 0, R_TRUE, 0},
    {"is_missing(x)", 0, 0, 1, 0, R_FALSE, 0},
    {"is_missing(ratio(1, 0))", 0, 0, 0, 0, R_TRUE, 0},
    {"is_missing(a)", 2, 0, 0, 0, R_TRUE, 0},
    {"min(x, 5)", 0, 0, NA, 0, R_MISSING, 0},
    {"max(x, y, 5)", 0, 0, 7, 9, R_NUM, 9},
    /* Missing propagation. */
    {"x + 1", 0, 0, NA, 0, R_MISSING, 0},
    {"x > 1", 0, 0, NA, 0, R_MISSING, 0},
    {"-x", 0, 0, NA, 0, R_MISSING, 0},
    {"x == missing", 0, 0, 1, 0, R_MISSING, 0},
    {"missing == missing", 0, 0, 0, 0, R_MISSING, 0},
    {"x * 0 == 0", 0, 0, NA, 0, R_MISSING, 0},
    /* Kleene and: T F M x T F M. */
    {"a and b", 1, 1, 0, 0, R_TRUE, 0},
    {"a and b", 1, 0, 0, 0, R_FALSE, 0},
    {"a and b", 1, 2, 0, 0, R_MISSING, 0},
    {"a and b", 0, 1, 0, 0, R_FALSE, 0},
    {"a and b", 0, 0, 0, 0, R_FALSE, 0},
    {"a and b", 0, 2, 0, 0, R_FALSE, 0},
    {"a and b", 2, 1, 0, 0, R_MISSING, 0},
    {"a and b", 2, 0, 0, 0, R_FALSE, 0},
    {"a and b", 2, 2, 0, 0, R_MISSING, 0},
    /* Kleene or. */
    {"a or b", 1, 1, 0, 0, R_TRUE, 0},
    {"a or b", 1, 0, 0, 0, R_TRUE, 0},
    {"a or b", 1, 2, 0, 0, R_TRUE, 0},
    {"a or b", 0, 1, 0, 0, R_TRUE, 0},
    {"a or b", 0, 0, 0, 0, R_FALSE, 0},
    {"a or b", 0, 2, 0, 0, R_MISSING, 0},
    {"a or b", 2, 1, 0, 0, R_TRUE, 0},
    {"a or b", 2, 0, 0, 0, R_MISSING, 0},
    {"a or b", 2, 2, 0, 0, R_MISSING, 0},
    /* Kleene not. */
    {"not a", 1, 0, 0, 0, R_FALSE, 0},
    {"not a", 0, 0, 0, 0, R_TRUE, 0},
    {"not a", 2, 0, 0, 0, R_MISSING, 0},
    /* Comparisons on missing inside logic. */
    {"x > 1 or true", 0, 0, NA, 0, R_TRUE, 0},
    {"x > 1 and false", 0, 0, NA, 0, R_FALSE, 0},
    /* in lists. */
    {"tax_credit_grade in (\"A\",\"B\",\"M\")", 0, 0, 0, 0, R_TRUE, 0},
    {"tax_credit_grade in (\"C\", \"D\")", 0, 0, 0, 0, R_FALSE, 0},
    {"tax_credit_grade not in (\"C\", \"D\")", 0, 0, 0, 0, R_TRUE, 0},
    {"x in (1, 2, 3)", 0, 0, 2, 0, R_TRUE, 0},
    {"x in (1, 2, 3)", 0, 0, NA, 0, R_MISSING, 0},
    {"x not in (1, 2, 3)", 0, 0, NA, 0, R_MISSING, 0},
    {"x in (1, missing)", 0, 0, 2, 0, R_MISSING, 0},
    {"x in (1, missing)", 0, 0, 1, 0, R_TRUE, 0},
    {"x in (y, 5)", 0, 0, 4, 4, R_TRUE, 0},
    {"not x in (1)", 0, 0, 1, 0, R_FALSE, 0},
    /* Strings and escapes. */
    {"s == \"a\\\"b\\\\c\"", 0, 0, 0, 0, R_TRUE, 0},
    {"\"tab\\there\" == \"tab\there\"", 0, 0, 0, 0, R_TRUE, 0},
    {"\"\\n\" != \"n\"", 0, 0, 0, 0, R_TRUE, 0},
    {"\"\\r\" == \"\r\"", 0, 0, 0, 0, R_TRUE, 0},
    {"\"\xe5\xb0\x8f\xe5\xbe\xae\" == \"\xe5\xb0\x8f\xe5\xbe\xae\"", 0, 0, 0, 0,
     R_TRUE, 0},
    {"tax_credit_grade == \"B\"", 0, 0, 0, 0, R_TRUE, 0},
    {"tax_credit_grade != \"B\"", 0, 0, 0, 0, R_FALSE, 0},
    /* Durations, in seconds. */
    {"30d", 0, 0, 0, 0, R_NUM, 2592000},
    {"24h", 0, 0, 0, 0, R_NUM, 86400},
    {"2w", 0, 0, 0, 0, R_NUM, 1209600},
    {"90s", 0, 0, 0, 0, R_NUM, 90},
    {"1.5h", 0, 0, 0, 0, R_NUM, 5400},
    {"30d == 720h", 0, 0, 0, 0, R_TRUE, 0},
    /* Features of every type. */
    {"registered_on < 18263", 0, 0, 0, 0, R_TRUE, 0},
    {"has_customs_record == false", 0, 0, 0, 0, R_TRUE, 0},
    {"not has_customs_record", 0, 0, 0, 0, R_TRUE, 0},
    {"tax_credit_grade in (\"A\",\"B\",\"M\") and months_in_business >= 12 "
     "and court_enforcements_24m == 0",
     0, 0, 0, 0, R_TRUE, 0},
    {"ratio(tax_paid_12m, invoice_amount_12m)", 0, 0, 0, 0, R_NUM, 0.05},
};

static void check_case(const expr_case *c, sp_value v) {
  int kind = c->result == R_NUM       ? SP_VALUE_NUMBER
             : c->result == R_MISSING ? SP_VALUE_MISSING
                                      : SP_VALUE_BOOL;
  if ((int)v.kind != kind)
    fail_msg("%s: kind %u, expected %d", c->text, v.kind, kind);
  if (c->result == R_NUM && v.number != c->number)
    fail_msg("%s: %.17g, expected %.17g", c->text, v.number, c->number);
  if (kind == SP_VALUE_BOOL && v.boolean != (c->result == R_TRUE))
    fail_msg("%s: %d, expected %d", c->text, v.boolean, c->result == R_TRUE);
}

static void test_expr_table(void **state) {
  (void)state;
  sp_expr_env env = env_of(0);
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    const expr_case *c = &cases[i];
    sp_expr_pool pool = new_pool();
    sp_expr e;
    sp_error err;
    sp_value row[N_F];
    base_row(row);
    row[F_A] = flag(c->a);
    row[F_B] = flag(c->b);
    row[F_X] = isnan(c->x) ? MISS : num(c->x);
    row[F_Y] = isnan(c->y) ? MISS : num(c->y);
    int rc = sp_expr_compile(c->text, &env, &pool, &e, &err);
    if (rc != SP_OK)
      fail_msg("%s: %s", c->text, err.message);
    assert_true(e.stack_need >= 1 && e.stack_need <= SP_EXPR_STACK_MAX);
    check_case(c, sp_expr_eval(&pool, &e, row, NULL));
  }
}

typedef struct error_case {
  const char *text;
  int code, line, column;
  const char *mentions; /* a word the message must contain, or NULL */
} error_case;

static const error_case errors[] = {
    /* Syntax: "months_in_business" is 18 characters, ">=" is at 20. */
    {"months_in_business >= ", SP_EPARSE, 1, 23, "expected a value"},
    {"x > 1 and\n  y <", SP_EPARSE, 2, 6, NULL},
    {"x = 1", SP_EPARSE, 1, 3, "=="},
    {"(x + 1", SP_EPARSE, 1, 7, "')'"},
    {"x > 1 y", SP_EPARSE, 1, 7, NULL},
    {"\"abc", SP_EPARSE, 1, 5, "unterminated"},
    {"\"a\\qb\"", SP_EPARSE, 1, 4, "escape"},
    {"1 < 2 < 3", SP_EPARSE, 1, 7, "chain"},
    {"12x", SP_EPARSE, 1, 3, NULL},
    {"30m", SP_EPARSE, 1, 3, NULL},
    {"x @ 1", SP_EPARSE, 1, 3, NULL},
    {"min(1 2)", SP_EPARSE, 1, 7, NULL},
    {"x in ()", SP_EPARSE, 1, 7, NULL},
    {"x not 1", SP_EPARSE, 1, 7, "'in'"},
    {"", SP_EPARSE, 1, 1, NULL},
    /* Types: "tax_credit_grade" is 16 characters. */
    {"tax_credit_grade == 1", SP_EINVAL, 1, 18, NULL},
    {"tax_credit_grade + 1", SP_EINVAL, 1, 18, NULL},
    {"tax_credit_grade > \"A\"", SP_EINVAL, 1, 18, NULL},
    {"\xe5\xb0\x8f\xe5\xbe\xae\" == x", SP_EPARSE, 1, 1, NULL},
    {"\"\xe5\xb0\x8f\xe5\xbe\xae\" == x", SP_EINVAL, 1, 6, NULL},
    {"x and a", SP_EINVAL, 1, 3, NULL},
    {"not x", SP_EINVAL, 1, 1, NULL},
    {"-a", SP_EINVAL, 1, 1, NULL},
    {"x in (\"A\")", SP_EINVAL, 1, 3, NULL},
    {"abs(\"A\")", SP_EINVAL, 1, 5, "abs"},
    {"min(1)", SP_EINVAL, 1, 1, "min"},
    {"ratio(1, 2, 3)", SP_EINVAL, 1, 1, "ratio"},
    /* Names. */
    {"months_in_busines > 1", SP_ENOTFOUND, 1, 1, "months_in_busines"},
    {"x > 0 and foo_bar == 1", SP_ENOTFOUND, 1, 11, "foo_bar"},
    {"median(x)", SP_ENOTFOUND, 1, 1, "median"},
    {"gender == \"F\"", SP_EINVAL, 1, 1, "protected"},
    {"x > 1 and (gender == \"F\")", SP_EINVAL, 1, 12, "gender"},
};

static void test_expr_errors(void **state) {
  (void)state;
  sp_expr_env env = env_of(0);
  for (size_t i = 0; i < sizeof errors / sizeof errors[0]; i++) {
    const error_case *c = &errors[i];
    sp_expr_pool pool = new_pool();
    sp_expr e;
    sp_error err;
    sp_error_clear(&err);
    int rc = sp_expr_compile(c->text, &env, &pool, &e, &err);
    if (rc != c->code || err.line != c->line || err.column != c->column)
      fail_msg("'%s': code %d at %d:%d (%s); expected %d at %d:%d", c->text, rc,
               err.line, err.column, err.message, c->code, c->line, c->column);
    if (c->mentions != NULL && strstr(err.message, c->mentions) == NULL)
      fail_msg("'%s': message '%s' lacks '%s'", c->text, err.message,
               c->mentions);
    assert_int_equal(pool.code_len, 0); /* nothing left behind */
    assert_int_equal(pool.strings_len, 0);
  }
}

static void test_protected_audit(void **state) {
  (void)state;
  sp_expr_env env = env_of(SP_EXPR_AUDIT);
  sp_expr_pool pool = new_pool();
  sp_expr e;
  sp_value row[N_F];
  base_row(row);
  assert_int_equal(sp_expr_compile("gender == \"F\"", &env, &pool, &e, NULL),
                   SP_OK);
  sp_value v = sp_expr_eval(&pool, &e, row, NULL);
  assert_int_equal(v.kind, SP_VALUE_BOOL);
  assert_true(v.boolean);
}

static char *repeat(char *out, const char *head, const char *unit, int n,
                    const char *mid, const char *tail) {
  out[0] = '\0';
  strcat(out, head);
  for (int i = 0; i < n; i++)
    strcat(out, unit);
  strcat(out, mid);
  for (int i = 0; tail[0] && i < n; i++)
    strcat(out, tail);
  return out;
}

static void test_nesting_bound(void **state) {
  (void)state;
  sp_expr_env env = env_of(0);
  char text[1024];
  sp_expr e;
  sp_error err;
  sp_value row[N_F];
  base_row(row);
  /* 31 parentheses: depth 32 counting the whole expression. */
  sp_expr_pool pool = new_pool();
  assert_int_equal(sp_expr_compile(repeat(text, "", "(", 31, "1", ")"), &env,
                                   &pool, &e, &err),
                   SP_OK);
  assert_true(sp_expr_eval(&pool, &e, row, NULL).number == 1);
  pool = new_pool();
  assert_int_equal(sp_expr_compile(repeat(text, "", "(", 32, "1", ")"), &env,
                                   &pool, &e, &err),
                   SP_ELIMIT);
  assert_int_equal(err.column, 33); /* the '1' inside the 32nd '(' */
  /* 31 nots apply to true: false. The 32nd 'not' is at column 125. */
  pool = new_pool();
  assert_int_equal(sp_expr_compile(repeat(text, "", "not ", 31, "true", ""),
                                   &env, &pool, &e, &err),
                   SP_OK);
  sp_value v = sp_expr_eval(&pool, &e, row, NULL);
  assert_true(v.kind == SP_VALUE_BOOL && v.boolean == 0);
  assert_int_equal(sp_expr_compile(repeat(text, "", "not ", 32, "true", ""),
                                   &env, &pool, &e, &err),
                   SP_ELIMIT);
  assert_int_equal(err.column, 125);
  /* Five nested min calls with 15 constants before each: 75 stack slots. */
  assert_int_equal(
      sp_expr_compile(
          repeat(text, "", "min(1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,", 5, "1", ")"),
          &env, &pool, &e, &err),
      SP_ELIMIT);
  assert_non_null(strstr(err.message, "stack"));
  /* Four need 61 and fit. */
  pool = new_pool();
  assert_int_equal(
      sp_expr_compile(
          repeat(text, "", "min(1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,", 4, "0", ")"),
          &env, &pool, &e, &err),
      SP_OK);
  assert_int_equal(e.stack_need, 61);
  assert_true(sp_expr_eval(&pool, &e, row, NULL).number == 0);
}

static void test_string_interning(void **state) {
  (void)state;
  sp_expr_env env = env_of(0);
  sp_expr_pool pool = new_pool();
  sp_expr e1, e2;
  assert_int_equal(sp_expr_compile("tax_credit_grade in (\"AB\", \"B\")", &env,
                                   &pool, &e1, NULL),
                   SP_OK);
  assert_int_equal(pool.strings_len, 2); /* "B" is found inside "AB" */
  assert_int_equal(
      sp_expr_compile("tax_credit_grade == \"AB\"", &env, &pool, &e2, NULL),
      SP_OK);
  assert_int_equal(pool.strings_len, 2);
  assert_int_equal(e2.code_at, e1.code_len);
}

/* An extension function taking a duration: amount per day over a window. */
static void fn_per_day(const sp_value *args, int argc, sp_value *out,
                       void *user) {
  (void)argc;
  int *calls = user;
  (*calls)++;
  out->kind = SP_VALUE_NUMBER;
  out->number = args[0].number / (args[1].number / 86400);
}

static void test_extension_function(void **state) {
  (void)state;
  const sp_expr_function extra[] = {
      {"per_day", 2, 2, SP_EXPR_T_NUMBER, SP_EXPR_T_NUMBER, 0, fn_per_day}};
  sp_expr_env env = {&schema, extra, 1, 0};
  sp_expr_pool pool = new_pool();
  sp_expr e;
  sp_value row[N_F];
  base_row(row);
  int calls = 0;
  assert_int_equal(sp_expr_compile("per_day(invoice_amount_12m, 4w) > 30000",
                                   &env, &pool, &e, NULL),
                   SP_OK);
  /* 1,000,000 / 28 days = 35,714.28... */
  sp_value v = sp_expr_eval(&pool, &e, row, &calls);
  assert_true(v.kind == SP_VALUE_BOOL && v.boolean == 1);
  assert_int_equal(calls, 1);
  row[F_INV] = MISS; /* not called: missing propagates */
  v = sp_expr_eval(&pool, &e, row, &calls);
  assert_int_equal(v.kind, SP_VALUE_MISSING);
  assert_int_equal(calls, 1);
  sp_expr_env plain = env_of(0);
  assert_int_equal(sp_expr_compile("per_day(1, 1d)", &plain, &pool, &e, NULL),
                   SP_ENOTFOUND);
}

static void expect_schema_error(const char *json, int code, const char *field,
                                int line, int column) {
  sp_schema s;
  sp_error err;
  sp_error_clear(&err);
  int rc = sp_schema_load_string(&s, json, strlen(json), &err);
  if (rc != code || strcmp(err.field, field) != 0 || err.line != line ||
      err.column != column)
    fail_msg("%s: got %d '%s' %d:%d (%s)", json, rc, err.field, err.line,
             err.column, err.message);
  assert_int_equal(s.n_features, 0);
}

static void test_schema(void **state) {
  (void)state;
  assert_int_equal(schema.n_features, N_F);
  assert_int_equal(sp_schema_find(&schema, "court_enforcements_24m", 22), F_C);
  assert_int_equal(sp_schema_find(&schema, "court", 5), -1);
  assert_int_equal(sp_schema_find(&schema, "nope", 4), -1);
  const sp_feature *m = &schema.features[F_M];
  assert_string_equal(m->unit, "month");
  assert_true(m->has_min && m->min == 0 && m->has_max && m->max == 1200);
  assert_int_equal(m->source, SP_SOURCE_INTERNAL);
  assert_int_equal(schema.features[F_G].values_count, 5);
  assert_string_equal(sp_schema_value(&schema, F_G, 4), "M");
  assert_true(schema.features[F_GENDER].is_protected);
  assert_false(m->is_protected);
  assert_int_equal(schema.features[F_REG].type, SP_FEATURE_DATE);
  assert_string_equal(sp_schema_source_name(SP_SOURCE_SOCIAL_INSURANCE),
                      "social_insurance");
  /* JSON syntax: the third line's "source" (columns 20-27) is where a ','
   * or '}' was expected; jansson reports the token's last character. */
  expect_schema_error("{\"features\":[\n  {\"name\":\"x\",\n"
                      "   \"type\":\"number\" \"source\":\"tax\"}]}",
                      SP_EPARSE, "schema", 3, 27);
  expect_schema_error("{\"features\":[{\"name\":\"x\",\"type\":\"money\","
                      "\"source\":\"tax\"}]}",
                      SP_EINVAL, "x.type", 0, 0);
  expect_schema_error("{\"features\":[{\"name\":\"x\",\"type\":\"number\","
                      "\"source\":\"bank\"}]}",
                      SP_EINVAL, "x.source", 0, 0);
  expect_schema_error("{\"features\":[{\"name\":\"x\",\"type\":\"number\","
                      "\"source\":\"tax\",\"protect\":true}]}",
                      SP_EINVAL, "x.protect", 0, 0);
  expect_schema_error("{\"features\":[{\"name\":\"x\",\"type\":\"number\","
                      "\"source\":\"tax\",\"values\":[\"A\"]}]}",
                      SP_EINVAL, "x.values", 0, 0);
  expect_schema_error("{\"features\":[{\"name\":\"x\",\"type\":\"flag\","
                      "\"source\":\"tax\",\"min\":1}]}",
                      SP_EINVAL, "x.min", 0, 0);
  expect_schema_error("{\"features\":[{\"name\":\"x\",\"type\":\"number\","
                      "\"source\":\"tax\",\"min\":5,\"max\":1}]}",
                      SP_EINVAL, "x", 0, 0);
  expect_schema_error("{\"features\":[{\"name\":\"x\",\"type\":\"number\","
                      "\"source\":\"tax\",\"protected\":\"yes\"}]}",
                      SP_EINVAL, "x.protected", 0, 0);
  expect_schema_error("{\"features\":[{\"name\":\"x\",\"type\":\"number\","
                      "\"source\":\"tax\"},{\"name\":\"x\",\"type\":\"flag\","
                      "\"source\":\"tax\"}]}",
                      SP_EEXISTS, "features[1].name", 0, 0);
  expect_schema_error("{\"features\":[{\"name\":\"and\",\"type\":\"flag\","
                      "\"source\":\"tax\"}]}",
                      SP_EINVAL, "features[0].name", 0, 0);
  expect_schema_error("{\"features\":[{\"name\":\"9x\",\"type\":\"flag\","
                      "\"source\":\"tax\"}]}",
                      SP_EINVAL, "features[0].name", 0, 0);
  expect_schema_error("{\"features\":{}}", SP_EINVAL, "features", 0, 0);
  sp_schema s;
  sp_error err;
  assert_int_equal(sp_schema_load_file(&s, "no/such/schema.json", &err),
                   SP_EIO);
  /* A document one byte over the limit, as text and as a file: refused
   * before it is read; a file's syntax error at its line and column. */
  size_t big = SP_SCHEMA_JSON_MAX + 1;
  char *text = malloc(big);
  assert_non_null(text);
  memset(text, ' ', big);
  text[0] = '{', text[big - 1] = '}';
  sp_error_clear(&err);
  assert_int_equal(sp_schema_load_string(&s, text, big, &err), SP_ELIMIT);
  assert_string_equal(err.field, "schema");
  char path[] = "/tmp/sparrow_schema_XXXXXX";
  int fd = mkstemp(path);
  assert_true(fd >= 0);
  FILE *f = fdopen(fd, "wb");
  assert_int_equal(fwrite(text, 1, big, f), big);
  fclose(f);
  assert_int_equal(sp_schema_load_file(&s, path, &err), SP_ELIMIT);
  free(text);
  f = fopen(path, "wb");
  fputs("{\"features\":\n  [1,]}", f);
  fclose(f);
  assert_int_equal(sp_schema_load_file(&s, path, &err), SP_EPARSE);
  assert_int_equal(err.line, 2);
  assert_int_equal(err.column, 6); /* the ] after the comma, as Python says */
  unlink(path);
}

static void test_csv(void **state) {
  (void)state;
  static const char text[] =
      "a,b,c\n1,\"x,y\",\"he said \"\"hi\"\"\"\r\n\"multi\nline\",2,\n";
  static sp_csv csv;
  for (int source = 0; source < 2; source++) {
    FILE *f = NULL;
    if (source == 0) {
      sp_csv_init_buffer(&csv, text, strlen(text));
    } else {
      f = tmpfile();
      assert_non_null(f);
      fputs(text, f);
      rewind(f);
      sp_csv_init_file(&csv, f);
    }
    assert_int_equal(sp_csv_next(&csv, NULL), 1);
    assert_int_equal(sp_csv_count(&csv), 3);
    assert_string_equal(sp_csv_field(&csv, 2, NULL), "c");
    assert_int_equal(sp_csv_line(&csv), 1);
    assert_int_equal(sp_csv_next(&csv, NULL), 1);
    assert_int_equal(sp_csv_line(&csv), 2);
    assert_string_equal(sp_csv_field(&csv, 1, NULL), "x,y");
    size_t len;
    assert_string_equal(sp_csv_field(&csv, 2, &len), "he said \"hi\"");
    assert_int_equal(len, 12);
    assert_int_equal(sp_csv_next(&csv, NULL), 1);
    assert_int_equal(sp_csv_line(&csv), 3);
    assert_int_equal(sp_csv_count(&csv), 3);
    assert_string_equal(sp_csv_field(&csv, 0, NULL), "multi\nline");
    assert_string_equal(sp_csv_field(&csv, 2, &len), "");
    assert_int_equal(len, 0);
    assert_int_equal(sp_csv_next(&csv, NULL), 0);
    assert_int_equal(sp_csv_next(&csv, NULL), 0);
    if (f != NULL)
      fclose(f);
  }
  sp_error err;
  sp_csv_init_buffer(&csv, "x\na,b\"c\n", 8);
  assert_int_equal(sp_csv_next(&csv, &err), 1);
  assert_int_equal(sp_csv_next(&csv, &err), SP_EPARSE);
  assert_int_equal(err.line, 2);
  assert_int_equal(err.column, 4);
  sp_csv_init_buffer(&csv, "\"abc\"x,1\n", 9);
  assert_int_equal(sp_csv_next(&csv, &err), SP_EPARSE);
  assert_int_equal(err.column, 6);
  sp_csv_init_buffer(&csv, "1,\"abc\n", 7);
  assert_int_equal(sp_csv_next(&csv, &err), SP_EPARSE);
  assert_non_null(strstr(err.message, "never closed"));
  assert_int_equal(err.line, 1);
  assert_int_equal(err.column, 3);
  static char many[SP_CSV_FIELDS_MAX * 2 + 4];
  memset(many, ',', SP_CSV_FIELDS_MAX); /* 513 empty fields */
  many[SP_CSV_FIELDS_MAX] = '\n';
  sp_csv_init_buffer(&csv, many, SP_CSV_FIELDS_MAX + 1);
  assert_int_equal(sp_csv_next(&csv, &err), SP_ELIMIT);
  sp_csv_init_buffer(&csv, many, SP_CSV_FIELDS_MAX - 1); /* 512 fields */
  assert_int_equal(sp_csv_next(&csv, &err), 1);
  assert_int_equal(sp_csv_count(&csv), SP_CSV_FIELDS_MAX);
}

static void test_value_parse(void **state) {
  (void)state;
  sp_value v;
  sp_error err;
  assert_int_equal(sp_schema_value_parse(&schema, F_M, "24", 2, 2, 1, &v, &err),
                   SP_OK);
  assert_true(v.kind == SP_VALUE_NUMBER && v.number == 24);
  assert_int_equal(sp_schema_value_parse(&schema, F_M, "", 0, 2, 1, &v, &err),
                   SP_OK);
  assert_int_equal(v.kind, SP_VALUE_MISSING);
  assert_int_equal(sp_schema_value_parse(&schema, F_G, "NA", 2, 2, 2, &v, &err),
                   SP_OK);
  assert_int_equal(v.kind, SP_VALUE_MISSING);
  assert_int_equal(
      sp_schema_value_parse(&schema, F_M, "12x", 3, 7, 1, &v, &err), SP_EINVAL);
  assert_string_equal(err.field, "months_in_business");
  assert_int_equal(err.line, 7);
  assert_int_equal(err.column, 1);
  assert_int_equal(sp_schema_value_parse(&schema, F_M, "-1", 2, 7, 1, &v, &err),
                   SP_ERANGE);
  assert_int_equal(sp_schema_value_parse(&schema, F_M, " 1", 2, 7, 1, &v, &err),
                   SP_EINVAL);
  assert_int_equal(
      sp_schema_value_parse(&schema, F_X, "inf", 3, 7, 11, &v, &err),
      SP_EINVAL);
  assert_int_equal(err.column, 11);
  assert_int_equal(sp_schema_value_parse(&schema, F_G, "Z", 1, 3, 2, &v, &err),
                   SP_EINVAL);
  assert_string_equal(err.field, "tax_credit_grade");
  assert_int_equal(sp_schema_value_parse(&schema, F_G, "BB", 1, 3, 2, &v, &err),
                   SP_OK); /* only the first byte: "B" */
  assert_true(v.kind == SP_VALUE_STRING && v.len == 1);
  assert_int_equal(
      sp_schema_value_parse(&schema, F_REG, "2020-01-01", 10, 3, 8, &v, &err),
      SP_OK);
  assert_true(v.kind == SP_VALUE_NUMBER && v.number == 18262);
  assert_int_equal(
      sp_schema_value_parse(&schema, F_REG, "2020-02-30", 10, 3, 8, &v, &err),
      SP_EINVAL);
  assert_int_equal(
      sp_schema_value_parse(&schema, F_A, "true", 4, 3, 9, &v, &err), SP_OK);
  assert_true(v.kind == SP_VALUE_BOOL && v.boolean == 1);
  assert_int_equal(sp_schema_value_parse(&schema, F_A, "0", 1, 3, 9, &v, &err),
                   SP_OK);
  assert_true(v.kind == SP_VALUE_BOOL && v.boolean == 0);
  assert_int_equal(
      sp_schema_value_parse(&schema, F_A, "yes", 3, 3, 9, &v, &err), SP_EINVAL);
  assert_int_equal(
      sp_schema_value_parse(&schema, F_S, "free", 4, 3, 13, &v, &err),
      SP_OK); /* no list of values: anything goes */
}

static sp_rules *rules_new(void) {
  sp_rules *r = calloc(1, sizeof *r);
  assert_non_null(r);
  return r;
}

static void expect_rules_error(const char *json, unsigned flags, int code,
                               const char *field, int line, int column,
                               const char *mentions) {
  sp_rules *r = rules_new();
  sp_expr_env env = env_of(flags);
  sp_error err;
  sp_error_clear(&err);
  int rc = sp_rules_load_string(r, &env, json, strlen(json), &err);
  if (rc != code || strcmp(err.field, field) != 0 || err.line != line ||
      err.column != column ||
      (mentions != NULL && strstr(err.message, mentions) == NULL))
    fail_msg("%s: got %d '%s' %d:%d (%s)", json, rc, err.field, err.line,
             err.column, err.message);
  assert_int_equal(r->n_rules, 0); /* all or nothing */
  free(r);
}

static void test_rules_load(void **state) {
  (void)state;
  static const char good[] =
      "{\"rules\":["
      "{\"id\":\"R01\",\"when\":\"court_enforcements_24m > 0\","
      "\"outcome\":\"decline\",\"reason\":\"Court enforcement in 24 months\"},"
      "{\"id\":\"R02\",\"when\":\"months_in_business < 12\",\"outcome\":"
      "\"refer\",\"reason\":\"Young business\"},"
      "{\"id\":\"R03\",\"when\":\"tax_credit_grade == \\\"M\\\"\",\"outcome\":"
      "\"flag\",\"reason\":\"New taxpayer\"}]}";
  sp_rules *r = rules_new();
  sp_expr_env env = env_of(0);
  sp_error err;
  assert_int_equal(sp_rules_load_string(r, &env, good, strlen(good), &err),
                   SP_OK);
  assert_int_equal(r->n_rules, 3);
  assert_string_equal(r->rules[1].id, "R02");
  assert_int_equal(r->rules[0].outcome, SP_RULE_DECLINE);
  assert_int_equal(r->rules[1].outcome, SP_RULE_REFER);
  assert_int_equal(r->rules[2].outcome, SP_RULE_FLAG);
  assert_string_equal(r->rules[0].reason, "Court enforcement in 24 months");
  sp_value row[N_F];
  base_row(row);
  int fired[3];
  assert_int_equal(sp_rules_eval(r, row, NULL, fired), 0);
  row[F_C] = num(2);
  row[F_M] = num(6);
  row[F_G] = str("M");
  assert_int_equal(sp_rules_eval(r, row, NULL, fired), 3);
  row[F_C] = MISS; /* missing does not fire */
  assert_int_equal(sp_rules_eval(r, row, NULL, fired), 2);
  assert_int_equal(fired[0], 1);
  assert_int_equal(fired[1], 2);
  free(r);
}

static void test_rules_load_errors(void **state) {
  (void)state;
  /* "x > 0 and foo == 1": foo starts at column 11. */
  expect_rules_error(
      "{\"rules\":[{\"id\":\"R01\",\"when\":\"x > 1\",\"outcome\":"
      "\"flag\",\"reason\":\"r\"},{\"id\":\"R02\",\"when\":"
      "\"x > 0 and foo == 1\",\"outcome\":\"flag\",\"reason\":"
      "\"r\"}]}",
      0, SP_ENOTFOUND, "R02.when", 1, 11, "foo");
  expect_rules_error(
      "{\"rules\":[{\"id\":\"R01\",\"when\":\"months_in_business "
      ">= \",\"outcome\":\"flag\",\"reason\":\"r\"}]}",
      0, SP_EPARSE, "R01.when", 1, 23, NULL);
  expect_rules_error("{\"rules\":[{\"id\":\"R01\",\"when\":\"gender == "
                     "\\\"F\\\"\",\"outcome\":\"flag\",\"reason\":\"r\"}]}",
                     0, SP_EINVAL, "R01.when", 1, 1, "protected");
  expect_rules_error(
      "{\"rules\":[{\"id\":\"R01\",\"when\":\"x + 1\",\"outcome\":"
      "\"flag\",\"reason\":\"r\"}]}",
      0, SP_EINVAL, "R01.when", 1, 1, "true or false");
  expect_rules_error(
      "{\"rules\":[{\"id\":\"R01\",\"when\":\"x > 1\",\"outcome\":"
      "\"reject\",\"reason\":\"r\"}]}",
      0, SP_EINVAL, "R01.outcome", 0, 0, NULL);
  expect_rules_error(
      "{\"rules\":[{\"id\":\"R01\",\"when\":\"x > 1\",\"outcome\":"
      "\"flag\",\"reason\":\"\"}]}",
      0, SP_EINVAL, "R01.reason", 0, 0, NULL);
  expect_rules_error(
      "{\"rules\":[{\"id\":\"R01\",\"when\":\"x > 1\",\"outcome\":"
      "\"flag\",\"reason\":\"r\",\"wen\":\"\"}]}",
      0, SP_EINVAL, "R01", 0, 0, "wen");
  expect_rules_error(
      "{\"rules\":[{\"id\":\"R01\",\"when\":\"x > 1\",\"outcome\":"
      "\"flag\",\"reason\":\"r\"},{\"id\":\"R01\",\"when\":"
      "\"x > 2\",\"outcome\":\"flag\",\"reason\":\"r\"}]}",
      0, SP_EEXISTS, "rules[1].id", 0, 0, NULL);
  expect_rules_error("{\"rules\":[{\"when\":\"x > 1\"}]}", 0, SP_EINVAL,
                     "rules[0].id", 0, 0, NULL);
  /* Line 2, column 8 is the '}' where a value was expected. */
  expect_rules_error("{\"rules\":[\n {\"id\":}]}", 0, SP_EPARSE, "rules", 2, 8,
                     NULL);
  /* With the audit flag the protected rule loads. */
  sp_rules *audit = rules_new();
  sp_expr_env env_audit = env_of(SP_EXPR_AUDIT);
  static const char prot[] =
      "{\"rules\":[{\"id\":\"A1\",\"when\":\"gender == "
      "\\\"F\\\"\",\"outcome\":\"flag\",\"reason\":\"r\"}]}";
  assert_int_equal(
      sp_rules_load_string(audit, &env_audit, prot, strlen(prot), NULL), SP_OK);
  assert_int_equal(audit->n_rules, 1);
  free(audit);
}

/* The 20 conditions, as rule text and as plain C over the same row. */
static const char *const conditions[20] = {
    "court_enforcements_24m > 0",
    "months_in_business < 12",
    "tax_credit_grade in (\"C\", \"D\")",
    "tax_credit_grade not in (\"A\", \"B\", \"M\")",
    "ratio(tax_paid_12m, invoice_amount_12m) < 0.01",
    "invoice_amount_12m < 100000 and months_in_business < 24",
    "invoice_amount_12m >= 5000000 or tax_paid_12m >= 200000",
    "is_missing(tax_paid_12m) and invoice_amount_12m > 0",
    "abs(x - y) > 50",
    "max(x, y) > 90",
    "min(x, y) < 5",
    "a and not b",
    "a or b",
    "has_customs_record == true and tax_credit_grade == \"M\"",
    "months_in_business * 30d > 3 * 365d",
    "(invoice_amount_12m - tax_paid_12m * 10) / 1000 > 500",
    "not (court_enforcements_24m == 0) or months_in_business >= 600",
    "x + y * 2 >= 150 and not is_missing(tax_credit_grade)",
    "tax_credit_grade == \"A\" and (months_in_business >= 36 or "
    "invoice_amount_12m > 2000000)",
    "is_missing(months_in_business) or is_missing(court_enforcements_24m)",
};

/* Kleene logic on 0 false, 1 true, 2 missing. */
enum { KF = 0, KT = 1, KM = 2 };
static int k_and(int p, int q) {
  if (p == KF || q == KF)
    return KF;
  return p == KM || q == KM ? KM : KT;
}
static int k_or(int p, int q) {
  if (p == KT || q == KT)
    return KT;
  return p == KM || q == KM ? KM : KF;
}
static int k_not(int p) { return p == KM ? KM : !p; }
/* A comparison with a missing (NaN) operand is missing. */
static int k_cmp(double l, int holds) { return isnan(l) ? KM : holds; }

typedef struct plain_row {
  double m, c, inv, tax, x, y; /* NAN = missing */
  char g;                      /* 0 = missing */
  int cu, a, b;                /* 0, 1, 2 = missing */
} plain_row;

static int g_is(const plain_row *r, const char *set) {
  return r->g == 0 ? KM : strchr(set, r->g) != NULL;
}

static int plain_eval(const plain_row *r, int i) {
  double m = r->m, c = r->c, inv = r->inv, tax = r->tax, x = r->x, y = r->y;
  switch (i) {
  case 0:
    return k_cmp(c, c > 0);
  case 1:
    return k_cmp(m, m < 12);
  case 2:
    return g_is(r, "CD");
  case 3:
    return k_not(g_is(r, "ABM"));
  case 4:
    return isnan(tax) || isnan(inv) || inv == 0 ? KM : tax / inv < 0.01;
  case 5:
    return k_and(k_cmp(inv, inv < 100000), k_cmp(m, m < 24));
  case 6:
    return k_or(k_cmp(inv, inv >= 5000000), k_cmp(tax, tax >= 200000));
  case 7:
    return k_and(isnan(tax), k_cmp(inv, inv > 0));
  case 8:
    return k_cmp(x + y, fabs(x - y) > 50);
  case 9:
    return k_cmp(x + y, (x > y ? x : y) > 90);
  case 10:
    return k_cmp(x + y, (x < y ? x : y) < 5);
  case 11:
    return k_and(r->a, k_not(r->b));
  case 12:
    return k_or(r->a, r->b);
  case 13:
    return k_and(r->cu == 2 ? KM : r->cu == 1, g_is(r, "M"));
  case 14:
    return k_cmp(m, m * 2592000.0 > 3 * 31536000.0);
  case 15:
    return k_cmp(inv + tax, (inv - tax * 10) / 1000 > 500);
  case 16:
    return k_or(k_not(k_cmp(c, c == 0)), k_cmp(m, m >= 600));
  case 17:
    return k_and(k_cmp(x + y, x + y * 2 >= 150), r->g != 0);
  case 18:
    return k_and(g_is(r, "A"),
                 k_or(k_cmp(m, m >= 36), k_cmp(inv, inv > 2000000)));
  case 19:
    return isnan(m) || isnan(c);
  }
  return KM;
}

static uint64_t rng_state = 20260115;
static unsigned rnd(unsigned n) { /* xorshift64*, uniform enough here */
  rng_state ^= rng_state >> 12;
  rng_state ^= rng_state << 25;
  rng_state ^= rng_state >> 27;
  return (unsigned)((rng_state * 2685821657736338717ull) >> 33) % n;
}
static double maybe(double x, unsigned missing_pct) {
  return rnd(100) < missing_pct ? NAN : x;
}

static void random_row(plain_row *r) {
  static const char grades[] = "ABCDM";
  r->m = maybe(rnd(700), 10);
  r->c = maybe(rnd(10) < 7 ? 0 : rnd(4), 5);
  r->inv = maybe(rnd(20) == 0 ? 0 : rnd(6000000), 10);
  r->tax = maybe(rnd(20) == 0 ? 0 : rnd(300000), 15);
  r->x = maybe(rnd(1001) / 10.0, 10);
  r->y = maybe(rnd(101), 10);
  r->g = rnd(10) == 0 ? 0 : grades[rnd(5)];
  r->cu = (int)rnd(3);
  r->a = (int)rnd(3);
  r->b = (int)rnd(3);
}

static sp_value num_or_missing(double x) { return isnan(x) ? MISS : num(x); }

static void to_values(const plain_row *r, char *g_text, sp_value *row) {
  base_row(row);
  row[F_M] = num_or_missing(r->m);
  row[F_C] = num_or_missing(r->c);
  row[F_INV] = num_or_missing(r->inv);
  row[F_TAX] = num_or_missing(r->tax);
  row[F_X] = num_or_missing(r->x);
  row[F_Y] = num_or_missing(r->y);
  g_text[0] = r->g;
  row[F_G] = r->g == 0 ? MISS : str(g_text);
  row[F_CU] = flag(r->cu);
  row[F_A] = flag(r->a);
  row[F_B] = flag(r->b);
}

static void test_rules_random(void **state) {
  (void)state;
  static char json[8192];
  int n = snprintf(json, sizeof json, "{\"rules\":[");
  for (int i = 0; i < 20; i++) {
    n += snprintf(json + n, sizeof json - (size_t)n,
                  "%s{\"id\":\"R%02d\",\"outcome\":\"%s\",\"reason\":\"r\","
                  "\"when\":\"",
                  i ? "," : "", i + 1, i % 3 == 0 ? "decline" : "refer");
    for (const char *p = conditions[i]; *p; p++) { /* JSON-escape quotes */
      if (*p == '"')
        json[n++] = '\\';
      json[n++] = *p;
    }
    n += snprintf(json + n, sizeof json - (size_t)n, "\"}");
  }
  snprintf(json + n, sizeof json - (size_t)n, "]}");
  sp_rules *r = rules_new();
  sp_expr_env env = env_of(0);
  sp_error err;
  int rc = sp_rules_load_string(r, &env, json, strlen(json), &err);
  if (rc != SP_OK)
    fail_msg("%s", err.message);
  assert_int_equal(r->n_rules, 20);
  long fired_total = 0, per_rule[20] = {0};
  for (int row_i = 0; row_i < 20000; row_i++) {
    plain_row pr;
    random_row(&pr);
    char g_text[2] = {0, 0};
    sp_value row[N_F];
    to_values(&pr, g_text, row);
    int fired[20];
    int got = sp_rules_eval(r, row, NULL, fired);
    int k = 0;
    for (int i = 0; i < 20; i++) {
      int expect = plain_eval(&pr, i) == KT;
      int did = k < got && fired[k] == i;
      if (did != expect)
        fail_msg("row %d rule R%02d (%s): fired %d, expected %d", row_i, i + 1,
                 conditions[i], did, expect);
      k += did;
      per_rule[i] += did;
    }
    assert_int_equal(k, got);
    fired_total += got;
  }
  /* Every rule both fires and stays quiet somewhere in 20,000 rows. */
  for (int i = 0; i < 20; i++)
    if (per_rule[i] == 0 || per_rule[i] == 20000)
      fail_msg("R%02d fired %ld times: the data does not exercise it", i + 1,
               per_rule[i]);
  assert_true(fired_total > 0);
  free(r);
}

static void write_temp(char *path, const char *text) {
  strcpy(path, "/tmp/sparrow_rules_XXXXXX");
  int fd = mkstemp(path);
  assert_true(fd >= 0);
  FILE *f = fdopen(fd, "w");
  assert_non_null(f);
  fputs(text, f);
  fclose(f);
}

/* Reads CSV text with a header into rows and fires the rules on each. */
static int run_csv(const sp_schema *s, const sp_rules *r, const char *csv_text,
                   int *fired_counts, sp_error *err) {
  static sp_csv csv;
  sp_csv_init_buffer(&csv, csv_text, strlen(csv_text));
  int feature_of[8], n_cols, rc = sp_csv_next(&csv, err);
  assert_int_equal(rc, 1);
  n_cols = sp_csv_count(&csv);
  for (int j = 0; j < n_cols; j++) {
    size_t len;
    const char *name = sp_csv_field(&csv, j, &len);
    feature_of[j] = sp_schema_find(s, name, len);
  }
  for (int row_i = 0; (rc = sp_csv_next(&csv, err)) == 1; row_i++) {
    sp_value row[N_F];
    for (int f = 0; f < N_F; f++)
      row[f] = MISS;
    for (int j = 0; j < n_cols && j < sp_csv_count(&csv); j++) {
      size_t len;
      const char *text = sp_csv_field(&csv, j, &len);
      rc = sp_schema_value_parse(s, feature_of[j], text, len, sp_csv_line(&csv),
                                 j + 1, &row[feature_of[j]], err);
      if (rc != SP_OK)
        return rc;
    }
    int fired[4];
    fired_counts[row_i] = sp_rules_eval(r, row, NULL, fired);
  }
  return rc;
}

static void test_csv_rows(void **state) {
  (void)state;
  char schema_path[64], rules_path[64];
  write_temp(schema_path, SCHEMA);
  write_temp(
      rules_path,
      "{\"rules\":[\n"
      "{\"id\":\"K1\",\"when\":\"court_enforcements_24m > 0\","
      "\"outcome\":\"decline\",\"reason\":\"Court enforcement\"},\n"
      "{\"id\":\"K2\",\"when\":\"tax_credit_grade in (\\\"C\\\",\\\"D\\\")"
      " or months_in_business < 12\",\"outcome\":\"refer\","
      "\"reason\":\"Weak tax grade or young\"}]}\n");
  sp_schema s;
  sp_rules *r = rules_new();
  sp_error err;
  assert_int_equal(sp_schema_load_file(&s, schema_path, &err), SP_OK);
  sp_expr_env env = {&s, NULL, 0, 0};
  assert_int_equal(sp_rules_load_file(r, &env, rules_path, &err), SP_OK);
  remove(schema_path);
  remove(rules_path);
  assert_int_equal(r->n_rules, 2);
  /* Row 1: clean. Row 2: one enforcement and grade C: both fire. Row 3:
   * enforcements NA (missing: K1 quiet), 6 months: K2 fires. Row 4: grade
   * missing and 30 months: K2 is missing or false = missing, quiet. */
  int counts[4] = {-1, -1, -1, -1};
  assert_int_equal(run_csv(&s, r,
                           "tax_credit_grade,months_in_business,"
                           "court_enforcements_24m\r\n"
                           "A,24,0\r\nC,36,1\r\n\"B\",6,NA\r\n,30,0\r\n",
                           counts, &err),
                   0);
  assert_int_equal(counts[0], 0);
  assert_int_equal(counts[1], 2);
  assert_int_equal(counts[2], 1);
  assert_int_equal(counts[3], 0);
  /* A bad number on line 3, column 2. */
  assert_int_equal(run_csv(&s, r,
                           "tax_credit_grade,months_in_business\n"
                           "A,24\nB,2y\n",
                           counts, &err),
                   SP_EINVAL);
  assert_int_equal(err.line, 3);
  assert_int_equal(err.column, 2);
  assert_string_equal(err.field, "months_in_business");
  free(r);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_schema),
      cmocka_unit_test(test_expr_table),
      cmocka_unit_test(test_expr_errors),
      cmocka_unit_test(test_protected_audit),
      cmocka_unit_test(test_nesting_bound),
      cmocka_unit_test(test_string_interning),
      cmocka_unit_test(test_extension_function),
      cmocka_unit_test(test_csv),
      cmocka_unit_test(test_value_parse),
      cmocka_unit_test(test_rules_load),
      cmocka_unit_test(test_rules_load_errors),
      cmocka_unit_test(test_csv_rows),
      cmocka_unit_test(test_rules_random),
  };
  return cmocka_run_group_tests(tests, setup, NULL);
}
