/* The JSON reader: values and refusals written out by hand (the positions
 * of refusals as Python's json module reports them: json.loads(text)
 * raising JSONDecodeError with these lineno, colno and pos), and texts
 * mutated at random read by jansson (an independent parser, with
 * JSON_DECODE_ANY | JSON_REJECT_DUPLICATES) side by side: the same texts
 * refused, the same values read from the others. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "sparrow/error.h"
#include "sparrow/jr.h"
#include "jr_jansson.h"

static int parse(sp_jr *jr, const char *text, sp_jr_error *e) {
  return sp_jr_parse(jr, text, strlen(text), 16, e);
}

static void test_values(void **state) {
  (void)state;
  sp_jr jr;
  sp_jr_init(&jr);
  sp_jr_error e;
  const char *text =
      " {\"id\":\"A1\", \"n\": -9223372036854775808, \"m\":"
      "9223372036854775807,\"r\":-0.5e2,\"z\":-0,\n"
      "\"list\":[true,false,null,[],{}], \"s\":\"\\\"q\\\\"
      "\\/\\b\\f\\n\\r\\t\\u00e9\\u676d\\ud83d\\ude00\xe6\x9d\xad\"}";
  assert_int_equal(parse(&jr, text, &e), SP_OK);
  const sp_jr_value *o = sp_jr_root(&jr);
  assert_non_null(o);
  assert_int_equal(o->type, SP_JR_OBJECT);
  assert_int_equal(o->n, 7);
  assert_int_equal(o->span, 13); /* the object, 7 members, 5 elements */
  assert_int_equal(o->at, 1);
  const sp_jr_value *id = sp_jr_get(o, "id");
  assert_int_equal(id->type, SP_JR_STRING);
  assert_string_equal(id->s, "A1");
  assert_int_equal(id->n, 2);
  assert_int_equal(id->at, 2); /* a member: where its key begins */
  assert_int_equal(sp_jr_get(o, "n")->i, INT64_MIN);
  assert_int_equal(sp_jr_get(o, "m")->i, INT64_MAX);
  assert_int_equal(sp_jr_get(o, "r")->type, SP_JR_REAL);
  assert_true(sp_jr_get(o, "r")->d == -50.0);
  assert_int_equal(sp_jr_get(o, "z")->type, SP_JR_INT);
  assert_int_equal(sp_jr_get(o, "z")->i, 0);
  const sp_jr_value *list = sp_jr_get(o, "list");
  assert_int_equal(list->type, SP_JR_ARRAY);
  assert_int_equal(list->n, 5);
  sp_jr_type want[] = {SP_JR_TRUE, SP_JR_FALSE, SP_JR_NULL, SP_JR_ARRAY,
                       SP_JR_OBJECT};
  size_t k = 0;
  for (const sp_jr_value *v = sp_jr_first(list); v; v = sp_jr_next(list, v)) {
    assert_true(k < 5);
    assert_int_equal(v->type, want[k++]);
    assert_null(v->key);
  }
  assert_int_equal(k, 5);
  /* é is C3 A9, 杭 E6 9D AD, U+1F600 F0 9F 98 80 */
  const char *s = "\"q\\/\b\f\n\r\t\xc3\xa9\xe6\x9d\xad\xf0\x9f\x98\x80"
                  "\xe6\x9d\xad";
  assert_string_equal(sp_jr_get(o, "s")->s, s);
  assert_int_equal(sp_jr_get(o, "s")->n, strlen(s));
  assert_null(sp_jr_get(o, "missing"));
  assert_null(sp_jr_get(list, "id")); /* not an object */
  /* a scalar at the top, and the buffers reused for a longer text */
  assert_int_equal(parse(&jr, "\t\"only\" ", &e), SP_OK);
  assert_string_equal(sp_jr_root(&jr)->s, "only");
  assert_int_equal(sp_jr_root(&jr)->span, 1);
  sp_jr_free(&jr);
}

/* Each refused text: where Python's json puts it (line, column, byte
 * position), and the reader's words. */
static void test_refusals(void **state) {
  (void)state;
  static const struct {
    const char *text;
    int rc, line, column;
    size_t position;
    const char *why;
  } cases[] = {
      {"{\"amount\": \"1.00\",\n \"at\" \"2026-02-02\"}", SP_EPARSE, 2, 7, 25,
       "expected ':'"},
      {"{\"a\":1,}", SP_EPARSE, 1, 8, 7, "expected a key in double quotes"},
      {"[1,]", SP_EPARSE, 1, 4, 3, "expected a value"},
      {"[1 2]", SP_EPARSE, 1, 4, 3, "expected ',' or ']'"},
      {"{\"a\":}", SP_EPARSE, 1, 6, 5, "expected a value"},
      {"", SP_EPARSE, 1, 1, 0, "expected a value"},
      {"  ", SP_EPARSE, 1, 3, 2, "expected a value"},
      {"\"abc", SP_EPARSE, 1, 1, 0, "unterminated string"},
      {"{\"a\":\"x\ty\"}", SP_EPARSE, 1, 8, 7,
       "control character 0x09 in a string"},
      {"[1] x", SP_EPARSE, 1, 5, 4, "text after the value"},
      {"-", SP_EPARSE, 1, 1, 0, "expected a value"},
      {"[01]", SP_EPARSE, 1, 3, 2, "expected ',' or ']'"},
      {"{\"a\":1 \"b\":2}", SP_EPARSE, 1, 8, 7, "expected ',' or '}'"},
      {"{1:2}", SP_EPARSE, 1, 2, 1, "expected a key in double quotes"},
      {"[tru]", SP_EPARSE, 1, 2, 1, "expected a value"},
      {"[\"\\x\"]", SP_EPARSE, 1, 3, 2, "invalid escape in a string"},
      {"[\"\\u12G4\"]", SP_EPARSE, 1, 4, 3, "invalid \\u escape"},
      {"[1.]", SP_EPARSE, 1, 3, 2, "expected ',' or ']'"},
      /* the column counts characters (é is two bytes), the position bytes */
      {"{\"\xc3\xa9\":[1,}", SP_EPARSE, 1, 9, 9, "expected a value"},
      {"[\n\n  \"a\",\n  nul]", SP_EPARSE, 4, 3, 12, "expected a value"},
      /* what Python's json reads but this reader refuses (jansson too) */
      {"{\"id\":1,\"x\":2,\n\"id\":3}", SP_EPARSE, 2, 1, 15,
       "duplicate key 'id'"},
      {"[9223372036854775808]", SP_EPARSE, 1, 2, 1, "integer out of range"},
      {"[-9223372036854775809]", SP_EPARSE, 1, 2, 1, "integer out of range"},
      {"[1e400]", SP_EPARSE, 1, 2, 1, "number out of range"},
      {"[\"a\\u0000\"]", SP_EPARSE, 1, 4, 3,
       "\\u0000 is not allowed in a string"},
      {"[\"\\ud800x\"]", SP_EPARSE, 1, 3, 2, "a lone surrogate \\uD800"},
      {"[\"\\udc00\"]", SP_EPARSE, 1, 3, 2, "a lone surrogate \\uDC00"},
      {"[\"\xed\xa0\x80\"]", SP_EPARSE, 1, 3, 2, "invalid UTF-8 in a string"},
      {"[\"\xc0\xaf\"]", SP_EPARSE, 1, 3, 2, "invalid UTF-8 in a string"},
      {"[\"\xf4\x90\x80\x80\"]", SP_EPARSE, 1, 3, 2,
       "invalid UTF-8 in a string"},
      {"[\"\xe6\x9d\"]", SP_EPARSE, 1, 3, 2, "invalid UTF-8 in a string"},
      {"[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]", SP_ELIMIT, 1, 17, 16,
       "nested deeper than 16 levels"},
  };
  sp_jr jr;
  sp_jr_init(&jr);
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    sp_jr_error e;
    memset(&e, 0, sizeof e);
    int rc = parse(&jr, cases[i].text, &e);
    if (rc != cases[i].rc || e.line != cases[i].line ||
        e.column != cases[i].column || e.position != cases[i].position ||
        strcmp(e.text, cases[i].why) != 0)
      fail_msg("%s: got %d at %d:%d (%zu) \"%s\"", cases[i].text, rc, e.line,
               e.column, e.position, e.text);
    assert_null(sp_jr_root(&jr));
  }
  sp_jr_free(&jr);
}

/* A duplicate found among many members (sorted, not pairwise), the first
 * second sighting in the text reported. */
static void test_duplicates_in_a_large_object(void **state) {
  (void)state;
  char text[4096];
  size_t n = (size_t)snprintf(text, sizeof text, "{");
  for (int i = 0; i < 100; i++)
    n += (size_t)snprintf(text + n, sizeof text - n, "\"k%d\":%d,", i, i);
  size_t at_k7 = n;
  n += (size_t)snprintf(text + n, sizeof text - n, "\"k7\":0,\"k3\":0}");
  sp_jr jr;
  sp_jr_init(&jr);
  sp_jr_error e;
  assert_int_equal(sp_jr_parse(&jr, text, n, 16, &e), SP_EPARSE);
  assert_string_equal(e.text, "duplicate key 'k7'");
  assert_int_equal(e.position, at_k7);
  text[n - 1] = ',', text[n++] = '"', text[n++] = 'x', text[n++] = '"';
  text[n++] = ':', text[n++] = '1', text[n++] = '}', text[n] = '\0';
  memcpy(strstr(text, "\"k7\":0,") + 1, "q7", 2);
  memcpy(strstr(text, "\"k3\":0,\"x\"") + 1, "q3", 2);
  assert_int_equal(sp_jr_parse(&jr, text, n, 16, &e), SP_OK);
  assert_int_equal(sp_jr_root(&jr)->n, 103);
  assert_int_equal(sp_jr_get(sp_jr_root(&jr), "k99")->i, 99);
  assert_int_equal(sp_jr_get(sp_jr_root(&jr), "x")->i, 1);
  sp_jr_free(&jr);
}

/* sp_jr_write: the values written back compact, read again by jansson. */
static void test_write(void **state) {
  (void)state;
  const char *text = "{ \"a\" : [1, -2.5, \"x\\ty\", null, true, false, {}],"
                     " \"b\": {\"c\": \"\\u676d\"} }";
  sp_jr jr;
  sp_jr_init(&jr);
  sp_jr_error e;
  assert_int_equal(parse(&jr, text, &e), SP_OK);
  sp_jw w;
  sp_jw_init(&w);
  sp_jr_write(&w, sp_jr_root(&jr));
  char *out = sp_jw_finish(&w, NULL);
  assert_string_equal(out, "{\"a\":[1,-2.5,\"x\\ty\",null,true,false,{}],"
                           "\"b\":{\"c\":\"\xe6\x9d\xad\"}}");
  free(out);
  sp_jr_free(&jr);
}

static uint64_t rng = 88172645463325252u;
static unsigned next_rand(unsigned n) {
  rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
  return (unsigned)(rng % n);
}

/* Seeds mutated a byte or a piece at a time: inserted, deleted or
 * replaced with pieces that JSON is made of, good and bad. */
static void test_against_jansson(void **state) {
  (void)state;
  static const char *seeds[] = {
      "{\"id\":\"a1-2\",\"borrower\":\"C17\",\"values\":{\"months_in_"
      "business\":"
      "17,\"green_rating\":\"A\",\"guarantee_pct\":40}}",
      "{\"amount\":\"1.00\",\"at\":\"2026-01-01T10:00:00+08:00\"}",
      "[1, -0, 0.5e-3, 12E+2, -7.25, 1e-400, \"\\u00e9\\ud83d\\ude00\", "
      "true, false, null, [], {}, [[{\"a\":{\"b\":[\"c\"]}}]]]",
      "{\"s\":\"\xe6\x9d\xad\xe5\xb7\x9e \\\"\\\\\\/\\b\\f\\n\\r\\t\","
      " \"t\" : { } , \"u\" : [ 1 , 2 ] }",
      "\"top\"",
      "-12",
      "3.25",
      "null",
  };
  static const char *pieces[] = {
      "{",
      "}",
      "[",
      "]",
      ",",
      ":",
      "\"",
      "\\",
      " ",
      "\n",
      "\t",
      "0",
      "1",
      "9",
      "-",
      "+",
      ".",
      "e",
      "E",
      "a",
      "x",
      "true",
      "false",
      "null",
      "tru",
      "\\u",
      "\\u0000",
      "\\ud800",
      "\\udc00",
      "\\uD83D\\uDE00",
      "\\u12",
      "\xc3\xa9",
      "\xc3",
      "\x80",
      "\xed\xa0\x80",
      "\xf4\x90\x80\x80",
      "\xf0\x9f\x98\x80",
      "\x01",
      "\x7f",
      "\"id\":",
      "\"id\":1,",
      "9223372036854775807",
      "9223372036854775808",
      "-9223372036854775808",
      "1e309",
      "00",
      "\r",
  };
  size_t n_seeds = sizeof seeds / sizeof seeds[0];
  size_t n_pieces = sizeof pieces / sizeof pieces[0];
  sp_jr jr;
  sp_jr_init(&jr);
  char text[1024];
  long accepted = 0, refused = 0;
  for (int round = 0; round < 60000; round++) {
    size_t n = strlen(seeds[round % n_seeds]);
    memcpy(text, seeds[round % n_seeds], n);
    int edits = 1 + (int)next_rand(3);
    for (int k = 0; k < edits; k++) {
      size_t at = next_rand((unsigned)n + 1);
      const char *piece = pieces[next_rand((unsigned)n_pieces)];
      size_t len = strlen(piece);
      unsigned how = next_rand(3);
      if (how == 0 && at < n) { /* delete up to 3 bytes */
        size_t d = 1 + next_rand(3);
        d = d < n - at ? d : n - at;
        memmove(text + at, text + at + d, n - at - d);
        n -= d;
      } else if (n + len < sizeof text) { /* insert, or replace */
        size_t d = how == 2 && at + len <= n ? len : 0;
        memmove(text + at + len, text + at + d, n - at - d);
        memcpy(text + at, piece, len);
        n += len - d;
      }
    }
    json_error_t je;
    json_t *j =
        json_loadb(text, n, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, &je);
    sp_jr_error e;
    int rc = sp_jr_parse(&jr, text, n, 64, &e);
    if ((rc == SP_OK) != (j != NULL))
      fail_msg("round %d: reader %d, jansson %s, on [%.*s]", round, rc,
               j ? "accepts" : je.text, (int)n, text);
    if (j != NULL && !same(sp_jr_root(&jr), j))
      fail_msg("round %d: values differ on [%.*s]", round, (int)n, text);
    if (rc != SP_OK && e.position > n)
      fail_msg("round %d: position %zu past the end", round, e.position);
    if (j != NULL)
      accepted++;
    else
      refused++;
    json_decref(j);
  }
  /* both outcomes common enough to be compared */
  assert_true(accepted > 5000 && refused > 5000);
  sp_jr_free(&jr);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_values),
      cmocka_unit_test(test_refusals),
      cmocka_unit_test(test_duplicates_in_a_large_object),
      cmocka_unit_test(test_write),
      cmocka_unit_test(test_against_jansson),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
