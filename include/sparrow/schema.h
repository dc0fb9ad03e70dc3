/* Feature schema: the named inputs that models and rules may read.
 *
 * A schema is loaded once from JSON:
 *   {"features":[{"name":"months_in_business","type":"number",
 *                 "source":"internal","unit":"month","min":0,"max":1200,
 *                 "protected":false},
 *                {"name":"tax_credit_grade","type":"category","source":"tax",
 *                 "values":["A","B","C","D","M"]}]}
 * Each feature has a type (number, category, date, flag), a data source,
 * an optional unit, an optional allowed range (min/max for numbers, a list
 * of values for categories) and a protected mark. Protected features (for
 * example gender, age band, region) may be audited but never read by a
 * model or rule that decides.
 *
 * A feature row is an array of sp_value indexed by schema position. The
 * sp_schema struct is plain caller-owned storage with fixed capacity: no
 * allocation, no pointers, copyable. */
#ifndef SPARROW_SCHEMA_H
#define SPARROW_SCHEMA_H

#include <stddef.h>
#include <stdint.h>

#include "sparrow/error.h"

#define SP_SCHEMA_FEATURES_MAX 256   /* features in one schema */
#define SP_SCHEMA_NAME_MAX 64        /* bytes of a name, NUL included */
#define SP_SCHEMA_UNIT_MAX 32        /* bytes of a unit, NUL included */
#define SP_SCHEMA_VALUES_MAX 64      /* allowed values of one category */
#define SP_SCHEMA_VALUE_BYTES 16384  /* all category values, NULs included */
#define SP_SCHEMA_JSON_MAX (1 << 20) /* bytes of a schema file */

typedef enum sp_feature_type {
  SP_FEATURE_NUMBER = 0, /* a double */
  SP_FEATURE_CATEGORY,   /* a string */
  SP_FEATURE_DATE,       /* days since 1970-01-01, as a number */
  SP_FEATURE_FLAG        /* a boolean */
} sp_feature_type;

typedef enum sp_feature_source {
  SP_SOURCE_TAX = 0,
  SP_SOURCE_INVOICE,
  SP_SOURCE_UTILITY,
  SP_SOURCE_SOCIAL_INSURANCE,
  SP_SOURCE_ECOMMERCE,
  SP_SOURCE_LOGISTICS,
  SP_SOURCE_CUSTOMS,
  SP_SOURCE_JUDICIAL,
  SP_SOURCE_BUREAU,
  SP_SOURCE_INTERNAL
} sp_feature_source;

typedef struct sp_feature {
  char name[SP_SCHEMA_NAME_MAX];
  char unit[SP_SCHEMA_UNIT_MAX]; /* "" when not given */
  sp_feature_type type;
  sp_feature_source source;
  int is_protected;
  int has_min, has_max; /* numbers only */
  double min, max;
  int values_at;    /* offset of the first allowed value in value_text */
  int values_count; /* 0: any category value is allowed */
} sp_feature;

typedef struct sp_schema {
  int n_features;
  int value_bytes; /* used bytes of value_text */
  sp_feature features[SP_SCHEMA_FEATURES_MAX];
  char value_text[SP_SCHEMA_VALUE_BYTES]; /* NUL-separated values */
} sp_schema;

/* A value of a feature, or an intermediate value of a rule. A string value
 * points to bytes the caller keeps alive (not NUL-terminated). */
typedef enum sp_value_kind {
  SP_VALUE_MISSING = 0,
  SP_VALUE_NUMBER,
  SP_VALUE_STRING,
  SP_VALUE_BOOL
} sp_value_kind;

typedef struct sp_value {
  uint32_t kind; /* sp_value_kind */
  uint32_t len;  /* string length in bytes */
  union {
    double number;
    int boolean;
    const char *string;
  };
} sp_value;

/* Loads a schema from JSON text (len bytes) or a file into out. Errors
 * name the feature and member, with the JSON line and column for syntax
 * errors: SP_EPARSE (bad JSON), SP_EINVAL (bad member), SP_EEXISTS
 * (duplicate name), SP_ELIMIT (a limit above), SP_EIO (unreadable file). */
int sp_schema_load_string(sp_schema *out, const char *text, size_t len,
                          sp_error *err);
int sp_schema_load_file(sp_schema *out, const char *path, sp_error *err);

/* The position of the feature called name (len bytes), or -1. */
int sp_schema_find(const sp_schema *schema, const char *name, size_t len);

/* The i-th allowed value of category feature f (NUL-terminated). */
const char *sp_schema_value(const sp_schema *schema, int f, int i);

const char *sp_schema_type_name(sp_feature_type type);
const char *sp_schema_source_name(sp_feature_source source);

/* Converts one CSV field (len bytes) to the value of feature f: empty or
 * "NA" is missing; a number must parse fully and lie within min..max; a
 * date is "YYYY-MM-DD"; a flag is 0/1/true/false; a category must be one of
 * the allowed values when the schema lists them. A string value points into
 * text. Errors name the feature, with row and column as line and column. */
int sp_schema_value_parse(const sp_schema *schema, int f, const char *text,
                          size_t len, long row, int column, sp_value *out,
                          sp_error *err);

#endif
