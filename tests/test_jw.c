/* The JSON writer: expected texts written out by hand, and every text read
 * back by jansson (an independent parser) to the values written. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sparrow/jw.h"

static void test_nesting_and_commas(void **state) {
  (void)state;
  sp_jw w;
  sp_jw_init(&w);
  sp_jw_open(&w, '{');
  sp_jw_key(&w, "a");
  sp_jw_int(&w, -12);
  sp_jw_key(&w, "b");
  sp_jw_open(&w, '[');
  sp_jw_str(&w, "x");
  sp_jw_open(&w, '{');
  sp_jw_close(&w, '}');
  sp_jw_open(&w, '[');
  sp_jw_close(&w, ']');
  sp_jw_null(&w);
  sp_jw_bool(&w, 1);
  sp_jw_bool(&w, 0);
  sp_jw_close(&w, ']');
  sp_jw_key(&w, "c");
  sp_jw_raw(&w, "{\"d\":1}", 7);
  sp_jw_close(&w, '}');
  size_t len = 0;
  char *text = sp_jw_finish(&w, &len);
  assert_non_null(text);
  const char *want =
      "{\"a\":-12,\"b\":[\"x\",{},[],null,true,false],\"c\":{\"d\":1}}";
  assert_string_equal(text, want);
  assert_int_equal(len, strlen(want));
  free(text);
}

static void test_escapes(void **state) {
  (void)state;
  const char *s = "q\"b\\n\nt\tc\x01 杭州 /";
  sp_jw w;
  sp_jw_init(&w);
  sp_jw_open(&w, '{');
  sp_jw_key(&w, "k\"");
  sp_jw_str(&w, s);
  sp_jw_close(&w, '}');
  char *text = sp_jw_finish(&w, NULL);
  assert_string_equal(text,
                      "{\"k\\\"\":\"q\\\"b\\\\n\\nt\\tc\\u0001 杭州 /\"}");
  json_t *o = json_loads(text, 0, NULL);
  assert_non_null(o);
  assert_string_equal(json_string_value(json_object_get(o, "k\"")), s);
  json_decref(o);
  free(text);
}

/* Reals read back to the same double; whole ones keep a decimal point, so
 * they read back as reals (Python's 660.0). */
static void test_reals(void **state) {
  (void)state;
  const double v[] = {
      660.0, 0.0024937655860349114, -60.0, 1e-7, 0.1, 1.5e300, 0.0,
      -0.0,  123456789012345.0,     1e15};
  const char *whole[] = {"660.0",
                         NULL,
                         "-60.0",
                         NULL,
                         "0.10000000000000001",
                         NULL,
                         "0.0",
                         "-0.0",
                         "123456789012345.0",
                         "1000000000000000.0"};
  for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
    sp_jw w;
    sp_jw_init(&w);
    sp_jw_real(&w, v[i]);
    char *text = sp_jw_finish(&w, NULL);
    assert_non_null(text);
    if (whole[i] != NULL)
      assert_string_equal(text, whole[i]);
    json_t *r = json_loads(text, JSON_DECODE_ANY, NULL);
    assert_true(json_is_real(r));
    assert_true(json_real_value(r) == v[i]);
    json_decref(r);
    free(text);
  }
  sp_jw w;
  sp_jw_init(&w);
  sp_jw_real(&w, HUGE_VAL);
  char *text = sp_jw_finish(&w, NULL);
  assert_string_equal(text, "null");
  free(text);
}

/* Unbalanced or too deep: no text. */
static void test_misuse(void **state) {
  (void)state;
  sp_jw w;
  sp_jw_init(&w);
  sp_jw_open(&w, '[');
  assert_null(sp_jw_finish(&w, NULL));
  sp_jw_init(&w);
  for (int i = 0; i <= SP_JW_DEPTH; i++)
    sp_jw_open(&w, '[');
  for (int i = 0; i <= SP_JW_DEPTH; i++)
    sp_jw_close(&w, ']');
  assert_null(sp_jw_finish(&w, NULL));
}

/* A large document grows the buffer and reads back whole. */
static void test_growth(void **state) {
  (void)state;
  sp_jw w;
  sp_jw_init(&w);
  sp_jw_open(&w, '[');
  for (int i = 0; i < 10000; i++)
    sp_jw_int(&w, i);
  sp_jw_close(&w, ']');
  char *text = sp_jw_finish(&w, NULL);
  json_t *a = json_loads(text, 0, NULL);
  assert_int_equal(json_array_size(a), 10000);
  assert_int_equal(json_integer_value(json_array_get(a, 9999)), 9999);
  json_decref(a);
  free(text);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_nesting_and_commas), cmocka_unit_test(test_escapes),
      cmocka_unit_test(test_reals), cmocka_unit_test(test_misuse),
      cmocka_unit_test(test_growth)};
  return cmocka_run_group_tests(tests, NULL, NULL);
}
