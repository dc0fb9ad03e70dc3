/* One CSV field → one feature value, checked against the schema.
 *
 * Empty and "NA" mean missing for every type. Numbers go through strtod on
 * a bounded NUL-terminated copy of plain decimal text and must be finite
 * and fully consumed;
 * dates use sp_date_parse; categories are checked against the schema's
 * allowed values when it lists any and otherwise point into the text. */
#include <assert.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sparrow/date.h"
#include "sparrow/schema.h"

#define NUMBER_TEXT_MAX 64

static int is_missing_text(const char *text, size_t len) {
  return len == 0 || (len == 2 && text[0] == 'N' && text[1] == 'A');
}

static int text_equals(const char *text, size_t len, const char *word) {
  return strlen(word) == len && memcmp(text, word, len) == 0;
}

static int parse_number(const sp_feature *f, const char *text, size_t len,
                        long row, int column, sp_value *out, sp_error *err) {
  char buf[NUMBER_TEXT_MAX];
  char *end = buf;
  double x = 0;
  /* Plain decimal only: no spaces, hex, "inf" or "nan". */
  int plain = len < sizeof buf;
  for (size_t i = 0; plain && i < len; i++)
    plain = strchr("0123456789+-.eE", text[i]) != NULL && text[i] != '\0';
  if (plain) {
    memcpy(buf, text, len);
    buf[len] = '\0';
    x = strtod(buf, &end);
  }
  if (!plain || end != buf + len || !isfinite(x))
    return sp_error_set_at(err, SP_EINVAL, f->name, (int)row, column,
                           "row %ld column %d (%s): '%.*s' is not a number",
                           row, column, f->name, (int)(len < 40 ? len : 40),
                           text);
  if ((f->has_min && x < f->min) || (f->has_max && x > f->max))
    return sp_error_set_at(err, SP_ERANGE, f->name, (int)row, column,
                           "row %ld column %d (%s): %g is outside the allowed "
                           "range",
                           row, column, f->name, x);
  out->kind = SP_VALUE_NUMBER;
  out->number = x;
  return SP_OK;
}

static int parse_date(const sp_feature *f, const char *text, size_t len,
                      long row, int column, sp_value *out, sp_error *err) {
  char buf[16];
  sp_date d = 0;
  int ok = len < sizeof buf;
  if (ok) {
    memcpy(buf, text, len);
    buf[len] = '\0';
    ok = sp_date_parse(buf, f->name, &d, NULL) == SP_OK;
  }
  if (!ok)
    return sp_error_set_at(err, SP_EINVAL, f->name, (int)row, column,
                           "row %ld column %d (%s): not a date like "
                           "2026-01-15",
                           row, column, f->name);
  out->kind = SP_VALUE_NUMBER;
  out->number = d;
  return SP_OK;
}

static int parse_flag(const sp_feature *f, const char *text, size_t len,
                      long row, int column, sp_value *out, sp_error *err) {
  int yes = text_equals(text, len, "1") || text_equals(text, len, "true");
  int no = text_equals(text, len, "0") || text_equals(text, len, "false");
  if (!yes && !no)
    return sp_error_set_at(err, SP_EINVAL, f->name, (int)row, column,
                           "row %ld column %d (%s): a flag is 0, 1, true or "
                           "false",
                           row, column, f->name);
  out->kind = SP_VALUE_BOOL;
  out->boolean = yes;
  return SP_OK;
}

static int parse_category(const sp_schema *schema, int fi, const char *text,
                          size_t len, long row, int column, sp_value *out,
                          sp_error *err) {
  const sp_feature *f = &schema->features[fi];
  int ok = f->values_count == 0;
  for (int i = 0; i < f->values_count && !ok; i++)
    ok = text_equals(text, len, sp_schema_value(schema, fi, i));
  if (!ok || len > UINT32_MAX)
    return sp_error_set_at(err, SP_EINVAL, f->name, (int)row, column,
                           "row %ld column %d (%s): '%.*s' is not an allowed "
                           "value",
                           row, column, f->name, (int)(len < 40 ? len : 40),
                           text);
  out->kind = SP_VALUE_STRING;
  out->len = (uint32_t)len;
  out->string = text;
  return SP_OK;
}

int sp_schema_value_parse(const sp_schema *schema, int f, const char *text,
                          size_t len, long row, int column, sp_value *out,
                          sp_error *err) {
  assert(schema != NULL && out != NULL && (text != NULL || len == 0));
  assert(f >= 0 && f < schema->n_features);
  memset(out, 0, sizeof *out);
  if (is_missing_text(text, len))
    return SP_OK;
  const sp_feature *feat = &schema->features[f];
  switch (feat->type) {
  case SP_FEATURE_NUMBER:
    return parse_number(feat, text, len, row, column, out, err);
  case SP_FEATURE_DATE:
    return parse_date(feat, text, len, row, column, out, err);
  case SP_FEATURE_FLAG:
    return parse_flag(feat, text, len, row, column, out, err);
  case SP_FEATURE_CATEGORY:
    return parse_category(schema, f, text, len, row, column, out, err);
  }
  assert(0 && "unknown feature type");
  return SP_EINVAL;
}
