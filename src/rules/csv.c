/* RFC 4180 CSV reader: one character at a time from a FILE* or a buffer,
 * a small state machine per field, and the unquoted field text written
 * into the reader's fixed record buffer with a NUL after each field. */
#include "sparrow/csv.h"

#include <assert.h>
#include <string.h>

void sp_csv_init_file(sp_csv *csv, FILE *file) {
  assert(csv != NULL && file != NULL);
  memset(csv, 0, offsetof(sp_csv, field_at));
  csv->file = file;
  csv->line = 1;
  csv->column = 1;
}

void sp_csv_init_buffer(sp_csv *csv, const char *buf, size_t len) {
  assert(csv != NULL && (buf != NULL || len == 0));
  memset(csv, 0, offsetof(sp_csv, field_at));
  csv->buf = buf;
  csv->buf_len = len;
  csv->line = 1;
  csv->column = 1;
}

/* The next byte, or EOF; keeps line and column. */
static int next_char(sp_csv *csv) {
  int c;
  if (csv->file != NULL)
    c = getc(csv->file);
  else
    c = csv->buf_pos < csv->buf_len ? (unsigned char)csv->buf[csv->buf_pos++]
                                    : EOF;
  if (c == '\n') {
    csv->line++;
    csv->column = 1;
  } else if (c != EOF && (c & 0xC0) != 0x80) {
    csv->column++;
  }
  return c;
}

static int peek_char(sp_csv *csv) {
  if (csv->file != NULL) {
    int c = getc(csv->file);
    if (c != EOF)
      ungetc(c, csv->file);
    return c;
  }
  return csv->buf_pos < csv->buf_len ? (unsigned char)csv->buf[csv->buf_pos]
                                     : EOF;
}

static int put_char(sp_csv *csv, int *used, int c, sp_error *err) {
  if (*used >= SP_CSV_RECORD_MAX - 1)
    return sp_error_set_at(err, SP_ELIMIT, "csv", (int)csv->record_line, 0,
                           "line %ld: record longer than %d bytes",
                           csv->record_line, SP_CSV_RECORD_MAX - 1);
  csv->text[(*used)++] = (char)c;
  return SP_OK;
}

/* Reads one quoted field body after its opening quote; *end is the
 * character that ended the field (',', '\n' or EOF). */
static int read_quoted(sp_csv *csv, int *used, int *end, sp_error *err) {
  /* An unterminated quote is reported where it opened, not at the end of
   * the input, which may be far away. */
  long open_line = csv->line;
  int open_column = csv->column - 1;
  for (;;) {
    int c = next_char(csv);
    if (c == EOF)
      return sp_error_set_at(err, SP_EPARSE, "csv", (int)open_line, open_column,
                             "line %ld, column %d: quoted field never closed",
                             open_line, open_column);
    if (c == '"') {
      if (peek_char(csv) != '"') {
        c = next_char(csv);
        if (c == '\r' && peek_char(csv) == '\n')
          c = next_char(csv);
        if (c != ',' && c != '\n' && c != EOF)
          return sp_error_set_at(err, SP_EPARSE, "csv", (int)csv->line,
                                 csv->column - 1, "text after a closing quote");
        *end = c;
        return SP_OK;
      }
      next_char(csv);
    }
    int rc = put_char(csv, used, c, err);
    if (rc != SP_OK)
      return rc;
  }
}

/* Reads one unquoted field whose first character is c. */
static int read_plain(sp_csv *csv, int c, int *used, int *end, sp_error *err) {
  for (;; c = next_char(csv)) {
    if (c == '\r' && peek_char(csv) == '\n')
      c = next_char(csv);
    if (c == ',' || c == '\n' || c == EOF) {
      *end = c;
      return SP_OK;
    }
    if (c == '"')
      return sp_error_set_at(err, SP_EPARSE, "csv", (int)csv->line,
                             csv->column - 1, "quote inside an unquoted field");
    int rc = put_char(csv, used, c, err);
    if (rc != SP_OK)
      return rc;
  }
}

static int end_field(sp_csv *csv, int start, int *used, sp_error *err) {
  if (csv->n_fields >= SP_CSV_FIELDS_MAX)
    return sp_error_set_at(err, SP_ELIMIT, "csv", (int)csv->record_line, 0,
                           "line %ld: more than %d fields", csv->record_line,
                           SP_CSV_FIELDS_MAX);
  csv->field_at[csv->n_fields] = start;
  csv->field_len[csv->n_fields] = *used - start;
  csv->n_fields++;
  return put_char(csv, used, '\0', err);
}

int sp_csv_next(sp_csv *csv, sp_error *err) {
  assert(csv != NULL);
  csv->n_fields = 0;
  if (csv->at_eof)
    return 0;
  int c = next_char(csv);
  if (c == EOF) {
    csv->at_eof = 1;
    return csv->file != NULL && ferror(csv->file)
               ? sp_error_set(err, SP_EIO, "csv", "read error")
               : 0;
  }
  csv->record_line = csv->line - (c == '\n');
  int used = 0;
  for (;;) {
    int start = used;
    int end = EOF;
    int rc = c == '"' ? read_quoted(csv, &used, &end, err)
                      : read_plain(csv, c, &used, &end, err);
    if (rc == SP_OK)
      rc = end_field(csv, start, &used, err);
    if (rc != SP_OK)
      return rc;
    if (end != ',')
      break;
    c = next_char(csv);
  }
  csv->records++;
  return 1;
}

int sp_csv_count(const sp_csv *csv) { return csv->n_fields; }

const char *sp_csv_field(const sp_csv *csv, int i, size_t *len) {
  assert(i >= 0 && i < csv->n_fields);
  if (len != NULL)
    *len = (size_t)csv->field_len[i];
  return csv->text + csv->field_at[i];
}

long sp_csv_line(const sp_csv *csv) { return csv->record_line; }
