/* Training tables: a CSV held in memory as field strings.
 *
 * Every cell's text goes, NUL-terminated, into one growing text buffer;
 * cell_at holds each cell's offset (the header's cells first, then the
 * rows). Both grow by doubling up to the limits in scorecard.h, so reading
 * a table costs a handful of allocations however long it is. */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "score/card_int.h"
#include "sparrow/csv.h"

static int grow(void **p, size_t *cap, size_t need, size_t size) {
  if (need <= *cap)
    return SP_OK;
  size_t cap_new = *cap ? *cap : 1024;
  while (cap_new < need)
    cap_new *= 2;
  void *q = realloc(*p, cap_new * size);
  if (q == NULL)
    return SP_ENOMEM;
  *p = q;
  *cap = cap_new;
  return SP_OK;
}

static int add_record(sp_card_table *t, const sp_csv *csv, int header,
                      sp_error *err) {
  size_t n = (size_t)sp_csv_count(csv);
  if (t->columns == 0)
    t->columns = n;
  else if (n != t->columns)
    return sp_error_set_at(err, SP_EINVAL, "data", (int)sp_csv_line(csv), 0,
                           "line %ld has %zu fields, the header %zu",
                           sp_csv_line(csv), n, t->columns);
  if (t->rows >= (size_t)SP_CARD_ROWS_MAX)
    return sp_error_set(err, SP_ELIMIT, "data", "more than %ld rows",
                        SP_CARD_ROWS_MAX);
  size_t base = header ? 0 : (t->rows + 1) * t->columns;
  size_t cells = base + t->columns;
  if (grow((void **)&t->cell_at, &t->cells_cap, cells, sizeof *t->cell_at))
    return sp_error_set(err, SP_ENOMEM, "data", "out of memory");
  for (size_t c = 0; c < n; c++) {
    size_t len;
    const char *s = sp_csv_field(csv, (int)c, &len);
    if (t->text_used + len + 1 > (size_t)SP_CARD_TABLE_BYTES_MAX)
      return sp_error_set(err, SP_ELIMIT, "data", "table text over %ld bytes",
                          SP_CARD_TABLE_BYTES_MAX);
    if (grow((void **)&t->text, &t->text_cap, t->text_used + len + 1, 1))
      return sp_error_set(err, SP_ENOMEM, "data", "out of memory");
    t->cell_at[base + c] = t->text_used;
    memcpy(t->text + t->text_used, s, len + 1);
    t->text_used += len + 1;
  }
  return SP_OK;
}

static int read_all(sp_csv *csv, sp_card_table **out, sp_error *err) {
  sp_card_table *t = calloc(1, sizeof *t);
  if (t == NULL)
    return sp_error_set(err, SP_ENOMEM, "data", "out of memory");
  int rc = sp_csv_next(csv, err), header = 1;
  if (rc == 0)
    rc = sp_error_set(err, SP_EINVAL, "data", "no header");
  while (rc == 1) {
    rc = add_record(t, csv, header, err);
    if (rc != SP_OK)
      break;
    if (!header)
      t->rows++;
    header = 0;
    rc = sp_csv_next(csv, err);
  }
  if (rc == 0 && t->columns > SP_CARD_COLUMNS_MAX)
    rc = sp_error_set(err, SP_ELIMIT, "data", "more than %d columns",
                      SP_CARD_COLUMNS_MAX);
  if (rc != 0) {
    sp_card_table_free(t);
    return rc;
  }
  *out = t;
  return SP_OK;
}

int sp_card_table_read_file(const char *path, sp_card_table **out,
                            sp_error *err) {
  assert(path != NULL && out != NULL);
  static _Thread_local sp_csv csv; /* large: not on the stack */
  FILE *f = fopen(path, "r");
  if (f == NULL)
    return sp_error_set(err, SP_EINVAL, "data", "cannot open '%s'", path);
  sp_csv_init_file(&csv, f);
  int rc = read_all(&csv, out, err);
  fclose(f);
  return rc;
}

int sp_card_table_read_text(const char *text, size_t len, sp_card_table **out,
                            sp_error *err) {
  assert(out != NULL);
  static _Thread_local sp_csv csv;
  sp_csv_init_buffer(&csv, text, len);
  return read_all(&csv, out, err);
}

void sp_card_table_free(sp_card_table *t) {
  if (t == NULL)
    return;
  free(t->text);
  free(t->cell_at);
  free(t);
}

size_t sp_card_table_rows(const sp_card_table *t) { return t->rows; }
size_t sp_card_table_columns(const sp_card_table *t) { return t->columns; }

const char *sp_card_table_name(const sp_card_table *t, size_t c) {
  assert(c < t->columns);
  return t->text + t->cell_at[c];
}

const char *sp_card_table_cell(const sp_card_table *t, size_t r, size_t c) {
  assert(r < t->rows && c < t->columns);
  return t->text + t->cell_at[(r + 1) * t->columns + c];
}
