/* The synthetic portfolio: check characters against published and
 * hand-computed codes, determinism, every value inside the schema's range,
 * identities well formed, the bad rate, and risk blind to protected fields.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sparrow/rules.h"
#include "sparrow/schema.h"
#include "sparrow/synth.h"

/* GB 32100-2015. Alphabet values: 0-9, A10 B11 C12 D13 E14 F15 G16 H17 J18
 * K19 L20 M21 N22 P23 Q24 R25 T26 U27 W28 X29 Y30; weights 3^i mod 31:
 * 1 3 9 27 19 26 16 17 20 29 25 13 8 24 10 30 28.
 *
 * 91110000600037341L is the example of python-stdnum's stdnum/cn/uscc.py.
 * By hand: 9*1 + 1*3 + 1*9 + 1*27 + 6*20 + 3*8 + 7*24 + 3*10 + 4*30 + 1*28
 * (the zeros dropped) = 9+3+9+27+120+24+168+30+120+28 = 538; 538 mod 31 =
 * 11; 31 - 11 = 20 = 'L'.
 *
 * 91330106MA2H7K5Q3 (made up here): 9 + 3 + 27 + 81 + 0 + 26 + 0 + 102 +
 * M 21*20=420 + A 10*29=290 + 2*25=50 + H 17*13=221 + 7*8=56 + K 19*24=456 +
 * 5*10=50 + Q 24*30=720 + 3*28=84 = 2595; 2595 mod 31 = 22 (31*83 = 2573);
 * 31 - 22 = 9.
 *
 * Seventeen zeros: sum 0, (31 - 0) mod 31 = 0 -> '0'. */
static void test_credit_code_check(void **state) {
  (void)state;
  assert_int_equal(sp_synth_credit_code_check("91110000600037341"), 'L');
  assert_true(sp_synth_credit_code_valid("91110000600037341L"));
  assert_int_equal(sp_synth_credit_code_check("91330106MA2H7K5Q3"), '9');
  assert_true(sp_synth_credit_code_valid("91330106MA2H7K5Q39"));
  assert_int_equal(sp_synth_credit_code_check("00000000000000000"), '0');
  /* aarioai/id-rule (chinese_org_id.go) notes that the real code
   * 91350100M0001TGQXM does not follow the standard: the computed check
   * is 1. */
  assert_int_equal(sp_synth_credit_code_check("91350100M0001TGQX"), '1');
  assert_false(sp_synth_credit_code_valid("91350100M0001TGQXM"));
  /* Wrong check, wrong length, letters outside the alphabet. */
  assert_false(sp_synth_credit_code_valid("91110000600037341M"));
  assert_false(sp_synth_credit_code_valid("91110000600037341"));
  assert_false(sp_synth_credit_code_valid("91110000600037341LL"));
  assert_int_equal(sp_synth_credit_code_check("9111000060003734I"), 0);
  assert_int_equal(sp_synth_credit_code_check("9111000060003734O"), 0);
  assert_int_equal(sp_synth_credit_code_check("9111000060003734a"), 0);
}

/* GB 11714-1997: weights 3 7 9 10 5 8 4 2, letters A..Z = 10..35, check =
 * 11 - sum mod 11 (10 -> X, 11 -> 0).
 * 60003734 (inside 91110000600037341L): 18+0+0+0+15+56+12+8 = 109; 109 mod
 * 11 = 10; 11 - 10 = 1.
 * MA2H7K5Q: M22*3=66 A10*7=70 2*9=18 H17*10=170 7*5=35 K20*8=160 5*4=20
 * Q26*2=52 = 591; 591 mod 11 = 8; 11 - 8 = 3.
 * 40000000: 12 mod 11 = 1, 11 - 1 = 10 -> X. 00000000: 11 -> 0. */
static void test_org_code_check(void **state) {
  (void)state;
  assert_int_equal(sp_synth_org_code_check("60003734"), '1');
  assert_int_equal(sp_synth_org_code_check("MA2H7K5Q"), '3');
  assert_int_equal(sp_synth_org_code_check("40000000"), 'X');
  assert_int_equal(sp_synth_org_code_check("00000000"), '0');
  assert_int_equal(sp_synth_org_code_check("6000373a"), 0);
}

/* Writes a set's features (and, when asked, identities after each row)
 * into one memory buffer. */
static char *write_set(uint64_t seed, sp_synth_set set, long n, int identities,
                       size_t *len) {
  char *buf = NULL;
  FILE *f = open_memstream(&buf, len);
  assert_non_null(f);
  int with_bad = set == SP_SYNTH_HISTORY;
  assert_int_equal(sp_synth_write_features_header(f, with_bad, NULL), SP_OK);
  for (long i = 0; i < n; i++) {
    sp_synth_firm firm;
    sp_synth_firm_make(seed, set, i, &firm);
    assert_int_equal(sp_synth_write_features_row(f, &firm, with_bad, NULL),
                     SP_OK);
    if (identities)
      assert_int_equal(sp_synth_write_borrowers_row(f, &firm, NULL), SP_OK);
  }
  assert_int_equal(fclose(f), 0);
  return buf;
}

static void test_determinism(void **state) {
  (void)state;
  size_t la, lb, lc;
  char *a = write_set(7, SP_SYNTH_HISTORY, 500, 1, &la);
  char *b = write_set(7, SP_SYNTH_HISTORY, 500, 1, &lb);
  char *c = write_set(8, SP_SYNTH_HISTORY, 500, 1, &lc);
  assert_true(la == lb && memcmp(a, b, la) == 0);
  assert_true(la != lc || memcmp(a, c, la) != 0);
  free(a);
  free(b);
  free(c);
  /* A firm depends on (seed, set, index) only; the sets differ. */
  sp_synth_firm x, y, z;
  sp_synth_firm_make(7, SP_SYNTH_HISTORY, 321, &x);
  sp_synth_firm_make(7, SP_SYNTH_HISTORY, 321, &y);
  sp_synth_firm_make(7, SP_SYNTH_APPLICANTS, 321, &z);
  assert_string_equal(x.credit_code, y.credit_code);
  assert_true(x.monthly_sales_fen == y.monthly_sales_fen);
  assert_string_not_equal(x.credit_code, z.credit_code);
  assert_string_equal(x.id, "H000322");
  assert_string_equal(z.id, "A000322");
}

/* Splits one line (no quoted fields in the features file) in place. */
static int split(char *line, char **fields, int cap) {
  int n = 0;
  for (char *p = line; n < cap;) {
    fields[n++] = p;
    char *comma = strchr(p, ',');
    if (comma == NULL)
      break;
    *comma = '\0';
    p = comma + 1;
  }
  return n;
}

/* Every value of every row parses under the schema the generator ships
 * (numbers within min..max, categories among the listed values). */
static void check_rows(const sp_schema *schema, char *text, int with_bad) {
  char *save = NULL, *fields[64];
  char *header_line = strtok_r(text, "\n", &save);
  char header_copy[2048];
  snprintf(header_copy, sizeof header_copy, "%s", header_line);
  char *names[64];
  int n_names = split(header_copy, names, 64);
  assert_int_equal(n_names, 1 + schema->n_features + with_bad);
  int column_feature[64];
  for (int c = 0; c < n_names; c++)
    column_feature[c] = sp_schema_find(schema, names[c], strlen(names[c]));
  assert_int_equal(column_feature[0], -1); /* id */
  long row = 1;
  for (char *line; (line = strtok_r(NULL, "\n", &save)) != NULL;) {
    row++;
    int n = split(line, fields, 64);
    assert_int_equal(n, n_names);
    for (int c = 1; c < n - with_bad; c++) {
      sp_value v;
      sp_error err;
      int rc = sp_schema_value_parse(schema, column_feature[c], fields[c],
                                     strlen(fields[c]), row, c + 1, &v, &err);
      if (rc != SP_OK)
        fail_msg("row %ld column %s: '%s': %s", row, names[c], fields[c],
                 err.message);
    }
    if (with_bad)
      assert_true(strcmp(fields[n - 1], "0") == 0 ||
                  strcmp(fields[n - 1], "1") == 0);
  }
}

static void test_ranges(void **state) {
  (void)state;
  sp_schema *schema = malloc(sizeof *schema);
  assert_non_null(schema);
  const char *json = sp_synth_schema_json();
  assert_int_equal(sp_schema_load_string(schema, json, strlen(json), NULL),
                   SP_OK);
  for (int set = 0; set < 2; set++) {
    size_t len;
    char *text = write_set(11, (sp_synth_set)set, 3000, 0, &len);
    check_rows(schema, text, set == SP_SYNTH_HISTORY);
    free(text);
  }
  /* The protected marks, and the rules compile against the schema
   * without the audit flag (so none reads a protected field). */
  const char *prot[] = {"legal_rep_gender", "legal_rep_age_band", "region"};
  for (int i = 0; i < 3; i++) {
    int f = sp_schema_find(schema, prot[i], strlen(prot[i]));
    assert_true(f >= 0 && schema->features[f].is_protected);
  }
  sp_rules *rules = malloc(sizeof *rules);
  assert_non_null(rules);
  sp_expr_env env = {schema, NULL, 0, 0};
  const char *rj = sp_synth_rules_json();
  sp_error err;
  int rc = sp_rules_load_string(rules, &env, rj, strlen(rj), &err);
  if (rc != SP_OK)
    fail_msg("rules: %s", err.message);
  assert_true(rules->n_rules >= 8 && rules->n_rules <= 12);
  free(rules);
  free(schema);
}

static int phone_ok(const char *p) {
  if (strlen(p) != 11 || p[0] != '1' || strchr("358", p[1]) == NULL)
    return 0;
  for (int i = 0; i < 11; i++)
    if (p[i] < '0' || p[i] > '9')
      return 0;
  return 1;
}

static void test_identity(void **state) {
  (void)state;
  int industries[SP_SYNTH_INDUSTRIES] = {0}, sole = 0;
  for (long i = 0; i < 3000; i++) {
    sp_synth_firm f;
    sp_synth_firm_make(3, SP_SYNTH_HISTORY, i, &f);
    assert_true(sp_synth_credit_code_valid(f.credit_code));
    assert_int_equal(sp_synth_org_code_check(f.credit_code + 8),
                     f.credit_code[16]);
    assert_memory_equal(f.credit_code, f.sole_proprietor ? "92" : "91", 2);
    assert_memory_equal(f.credit_code + 2, f.region, 6);
    assert_true(phone_ok(f.phone));
    assert_true(strlen(f.name) >= 12 && strlen(f.legal_rep) >= 6);
    /* The address starts with the province: 浙江省, 江苏省 or 广东省. */
    assert_true(strncmp(f.address, "浙江省", 9) == 0 ||
                strncmp(f.address, "江苏省", 9) == 0 ||
                strncmp(f.address, "广东省", 9) == 0);
    assert_true(strchr("FM", f.legal_rep_gender) != NULL);
    industries[f.industry]++;
    sole += f.sole_proprietor;
  }
  for (int i = 0; i < SP_SYNTH_INDUSTRIES; i++)
    assert_true(industries[i] > 200); /* every industry well represented */
  assert_true(sole > 300 && sole < 1500);
}

/* The bad rate of a large history lies in 5-10%, and agrees with the mean
 * probability the outcomes were drawn with (binomial: 20,000 rows at 7%
 * have a standard error of 0.0018; 0.008 is over four of them). */
static void test_bad_rate(void **state) {
  (void)state;
  long bads = 0, n = 20000;
  double pd_sum = 0;
  for (long i = 0; i < n; i++) {
    sp_synth_firm f;
    sp_synth_firm_make(20240601, SP_SYNTH_HISTORY, i, &f);
    bads += f.bad;
    pd_sum += sp_synth_pd(&f);
  }
  double rate = (double)bads / (double)n;
  assert_true(rate >= 0.05 && rate <= 0.10);
  assert_true(fabs(rate - pd_sum / (double)n) < 0.008);
  /* Applicants carry no outcome. */
  for (long i = 0; i < 1000; i++) {
    sp_synth_firm f;
    sp_synth_firm_make(20240601, SP_SYNTH_APPLICANTS, i, &f);
    assert_int_equal(f.bad, 0);
  }
}

/* Changing a firm's protected fields never changes its risk. */
static void test_protected_blind(void **state) {
  (void)state;
  static const char *const regions[] = {"330106", "441900", "320505"};
  for (long i = 0; i < 2000; i++) {
    sp_synth_firm f;
    sp_synth_firm_make(5, SP_SYNTH_HISTORY, i, &f);
    double pd = sp_synth_pd(&f);
    for (int band = 0; band < SP_SYNTH_AGE_BANDS; band++)
      for (int g = 0; g < 2; g++) {
        sp_synth_firm t = f;
        t.legal_rep_age_band = band;
        t.legal_rep_gender = g ? 'F' : 'M';
        memcpy(t.region, regions[(band + g) % 3], 7);
        assert_true(sp_synth_pd(&t) == pd);
      }
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {cmocka_unit_test(test_credit_code_check),
                                     cmocka_unit_test(test_org_code_check),
                                     cmocka_unit_test(test_determinism),
                                     cmocka_unit_test(test_ranges),
                                     cmocka_unit_test(test_identity),
                                     cmocka_unit_test(test_bad_rate),
                                     cmocka_unit_test(test_protected_blind)};
  return cmocka_run_group_tests(tests, NULL, NULL);
}
