/* Whether what sparrow's JSON reader read equals what jansson read of the
 * same text (the reference for tests/test_jr.c and fuzz/fuzz_jr.c):
 * types, integers, reals bit for bit, strings byte for byte, arrays in
 * order, objects member by member. */
#ifndef SPARROW_TESTS_JR_JANSSON_H
#define SPARROW_TESTS_JR_JANSSON_H

#include <jansson.h>
#include <string.h>

#include "sparrow/jr.h"

/* 1 if v equals j, else 0. */
static int same(const sp_jr_value *v, json_t *j) {
  switch (v->type) {
  case SP_JR_NULL:
    return json_is_null(j);
  case SP_JR_TRUE:
    return json_is_true(j);
  case SP_JR_FALSE:
    return json_is_false(j);
  case SP_JR_INT:
    return json_is_integer(j) && json_integer_value(j) == v->i;
  case SP_JR_REAL:
    return json_is_real(j) &&
           memcmp(&v->d, &(double){json_real_value(j)}, sizeof v->d) == 0;
  case SP_JR_STRING:
    return json_is_string(j) && json_string_length(j) == v->n &&
           memcmp(json_string_value(j), v->s, v->n) == 0 &&
           strlen(v->s) == v->n;
  case SP_JR_ARRAY: {
    if (!json_is_array(j) || json_array_size(j) != v->n)
      return 0;
    size_t i = 0;
    for (const sp_jr_value *m = sp_jr_first(v); m; m = sp_jr_next(v, m))
      if (!same(m, json_array_get(j, i++)))
        return 0;
    return i == v->n;
  }
  case SP_JR_OBJECT: {
    if (!json_is_object(j) || json_object_size(j) != v->n)
      return 0;
    size_t i = 0;
    for (const sp_jr_value *m = sp_jr_first(v); m; m = sp_jr_next(v, m), i++)
      if (m->key == NULL || !same(m, json_object_get(j, m->key)))
        return 0;
    return i == v->n;
  }
  }
  return 0;
}

#endif
