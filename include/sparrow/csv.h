/* A small RFC 4180 CSV reader over a FILE* or a memory buffer.
 *
 * Records are separated by LF or CRLF; fields by commas; a field may be
 * quoted with double quotes, inside which commas, newlines and doubled
 * quotes ("") are literal. A record is read into a fixed buffer inside the
 * reader: its length is bounded by SP_CSV_RECORD_MAX bytes and its field
 * count by SP_CSV_FIELDS_MAX, so a hostile file cannot make it allocate.
 * Field text stays valid until the next call to sp_csv_next. */
#ifndef SPARROW_CSV_H
#define SPARROW_CSV_H

#include <stddef.h>
#include <stdio.h>

#include "sparrow/error.h"

#define SP_CSV_RECORD_MAX 65536 /* bytes of one record, unquoted */
#define SP_CSV_FIELDS_MAX 512   /* fields of one record */

typedef struct sp_csv {
  FILE *file;      /* source, or NULL for a buffer */
  const char *buf; /* buffer source */
  size_t buf_len, buf_pos;
  long line;        /* physical line of the next character, 1-based */
  long record_line; /* line where the current record starts */
  long records;     /* records read so far */
  int column;       /* character column of the next character, 1-based */
  int n_fields;
  int at_eof;
  int field_at[SP_CSV_FIELDS_MAX];
  int field_len[SP_CSV_FIELDS_MAX];
  char text[SP_CSV_RECORD_MAX]; /* fields, each NUL-terminated */
} sp_csv;

/* Start reading from an open file (not closed by the reader) or from len
 * bytes of memory that the caller keeps alive. */
void sp_csv_init_file(sp_csv *csv, FILE *file);
void sp_csv_init_buffer(sp_csv *csv, const char *buf, size_t len);

/* Reads the next record. Returns 1 when a record was read, 0 at the end of
 * input, or an error: SP_EPARSE (a quote inside an unquoted field, text
 * after a closing quote, an unterminated quote) with line and column,
 * SP_ELIMIT (record too long or too many fields), SP_EIO (read error). */
int sp_csv_next(sp_csv *csv, sp_error *err);

/* The fields of the current record: count, and the i-th field's text
 * (NUL-terminated; len may be NULL). */
int sp_csv_count(const sp_csv *csv);
const char *sp_csv_field(const sp_csv *csv, int i, size_t *len);

/* The line where the current record starts (1-based). */
long sp_csv_line(const sp_csv *csv);

#endif
