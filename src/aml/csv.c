/* A small RFC 4180 CSV reader over text in memory.
 *
 * Fields are separated by commas, records by LF or CRLF. A field that
 * starts with '"' is quoted: it runs to the next lone '"', may contain
 * commas and line breaks, and "" stands for one quote. A quote inside an
 * unquoted field, text after a closing quote, or an unterminated quote is
 * a parse error naming the line and column. Unescaped fields are copied
 * into one scratch buffer allocated at init (sized by the input), so
 * reading allocates nothing per record. */
#include <assert.h>
#include <stdlib.h>

#include "aml/aml_int.h"

int sp_aml_csv_init(sp__aml_csv *csv, const char *text, size_t len) {
  assert(csv != NULL && (text != NULL || len == 0));
  memset(csv, 0, sizeof *csv);
  csv->text = text;
  csv->len = len;
  csv->line = 1;
  /* A record never unescapes to more bytes than the input plus a NUL per
   * field; cap the scratch at the field limit times the field count. */
  size_t cap = (size_t)SP_AML_FIELD_MAX * SP_AML_FIELDS_MAX;
  if (len + SP_AML_FIELDS_MAX + 1 < cap)
    cap = len + SP_AML_FIELDS_MAX + 1;
  csv->scratch = malloc(cap);
  if (csv->scratch == NULL)
    return SP_ENOMEM;
  csv->scratch_cap = cap;
  return SP_OK;
}

void sp_aml_csv_free(sp__aml_csv *csv) {
  if (csv != NULL) {
    free(csv->scratch);
    csv->scratch = NULL;
  }
}

static int csv_fail(sp__aml_csv *csv, int column, const char *what,
                    sp_error *err) {
  return sp_error_set_at(err, SP_EPARSE, "csv", csv->line, column,
                         "line %d, column %d: %s", csv->line, column, what);
}

/* Reads one field starting at csv->pos into scratch at *used. Sets *end to
 * 1 when the record ended (line break or end of input). */
static int csv_field(sp__aml_csv *csv, size_t *used, int *col, int *end,
                     sp_error *err) {
  const char *s = csv->text;
  size_t start = *used;
  int quoted = csv->pos < csv->len && s[csv->pos] == '"';
  if (quoted) {
    csv->pos++;
    (*col)++;
  }
  for (;;) {
    if (*used - start >= SP_AML_FIELD_MAX || *used + 1 >= csv->scratch_cap)
      return csv_fail(csv, *col, "field too long", err);
    if (csv->pos >= csv->len) {
      if (quoted)
        return csv_fail(csv, *col, "unterminated quoted field", err);
      *end = 1;
      break;
    }
    char c = s[csv->pos];
    if (quoted && c == '"') {
      if (csv->pos + 1 < csv->len && s[csv->pos + 1] == '"') {
        csv->scratch[(*used)++] = '"';
        csv->pos += 2;
        *col += 2;
        continue;
      }
      csv->pos++;
      (*col)++;
      quoted = 0;
      if (csv->pos < csv->len && s[csv->pos] != ',' && s[csv->pos] != '\n' &&
          s[csv->pos] != '\r')
        return csv_fail(csv, *col, "text after closing quote", err);
      continue;
    }
    if (!quoted && c == '"')
      return csv_fail(csv, *col, "quote inside unquoted field", err);
    if (!quoted && (c == ',' || c == '\n' || c == '\r')) {
      if (c == '\r' && csv->pos + 1 < csv->len && s[csv->pos + 1] == '\n')
        csv->pos++;
      csv->pos++;
      if (c == ',') {
        (*col)++;
      } else {
        *end = 1;
        csv->line++;
      }
      break;
    }
    if (c == '\n')
      csv->line++, *col = 0;
    csv->scratch[(*used)++] = c;
    csv->pos++;
    (*col)++;
  }
  csv->scratch[(*used)++] = '\0';
  return SP_OK;
}

int sp_aml_csv_next(sp__aml_csv *csv, const char **fields, int *n,
                    sp_error *err) {
  assert(csv != NULL && fields != NULL && n != NULL);
  *n = 0;
  /* Skip blank lines between records. */
  while (csv->pos < csv->len &&
         (csv->text[csv->pos] == '\n' || csv->text[csv->pos] == '\r')) {
    if (csv->text[csv->pos] == '\n')
      csv->line++;
    csv->pos++;
  }
  if (csv->pos >= csv->len)
    return 0;
  size_t used = 0, offsets[SP_AML_FIELDS_MAX];
  int col = 1, end = 0;
  while (!end) {
    if (*n >= SP_AML_FIELDS_MAX)
      return csv_fail(csv, col, "too many fields", err);
    csv->field_line[*n] = csv->line;
    csv->field_column[*n] = col;
    offsets[*n] = used;
    int rc = csv_field(csv, &used, &col, &end, err);
    if (rc != SP_OK)
      return rc;
    (*n)++;
  }
  for (int i = 0; i < *n; i++)
    fields[i] = csv->scratch + offsets[i];
  return 1;
}
