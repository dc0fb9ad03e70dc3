/* What a credit decision reads of a borrower, from its one row in
 * svc_inputs (kept by triggers; the text's form is INPUTS_DOC's in db.c):
 * one B-tree descent and a scan of numbers, where the borrower, its
 * consents and the latest record of each source would take five queries. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "svc/svc_int.h"

#define CONSENT_NUMBERS                                                        \
  6                      /* no, source, purposes, granted, expires, revoked    \
                          */
#define RECORD_NUMBERS 5 /* source, no, as_of, received, bytes of values */
#define LOCAL_TEXT 2048  /* rows up to this size are read without malloc */

typedef struct cursor {
  char *p, *end; /* *end is '\0' */
} cursor;

/* " <integer>" */
static int number(cursor *c, int64_t *out) {
  if (c->p >= c->end || *c->p != ' ')
    return -1;
  c->p++;
  char *e;
  errno = 0;
  long long v = strtoll(c->p, &e, 10);
  if (e == c->p || e > c->end || errno != 0)
    return -1;
  c->p = e;
  *out = v;
  return 0;
}

static int numbers(cursor *c, int64_t *out, int n, char last) {
  for (int i = 0; i < n; i++)
    if (number(c, &out[i]) != 0)
      return -1;
  if (c->p >= c->end || *c->p != last)
    return -1;
  c->p++;
  return 0;
}

static int bad_row(const char *borrower, sp_error *err) {
  return sp_error_set(err, SP_ESTORE, "store",
                      "svc_inputs: the row of borrower '%.40s' is not as "
                      "written",
                      borrower);
}

/* Visits the row's consents and records; the text is the caller's copy
 * (each record's values are ended with a '\0' in place while visited). */
static int visit(cursor *c, const char *borrower, sp_consent_fn cf,
                 sp_data_fn df, void *ctx, sp_error *err) {
  int64_t v[CONSENT_NUMBERS];
  while (c->p < c->end) {
    char tag = *c->p++;
    if (tag == 'c' && numbers(c, v, CONSENT_NUMBERS, ';') == 0) {
      sp_consent k = {.no = (uint64_t)v[0],
                      .source = (sp_source)v[1],
                      .purposes = (uint32_t)v[2],
                      .granted = v[3],
                      .expires = v[4],
                      .revoked = v[5]};
      if ((uint64_t)v[1] >= SP_SOURCE_COUNT)
        continue; /* as sp_svc_consent_list */
      size_t n = strlen(borrower);
      n = n < sizeof k.borrower ? n : sizeof k.borrower - 1;
      memcpy(k.borrower, borrower, n);
      int rc = cf(ctx, &k);
      if (rc != SP_OK)
        return rc;
    } else if (tag == 'd' && numbers(c, v, RECORD_NUMBERS, ':') == 0 &&
               (uint64_t)v[0] < SP_SOURCE_COUNT && v[4] >= 0 &&
               v[4] <= c->end - c->p) {
      char *values = c->p;
      c->p += v[4];
      char next = *c->p;
      *c->p = '\0';
      sp_data_record r = {.no = (uint64_t)v[1],
                          .borrower = borrower,
                          .source = (sp_source)v[0],
                          .as_of = (sp_date)v[2],
                          .values_json = values,
                          .received = v[3]};
      int rc = df(ctx, &r);
      *c->p = next;
      if (rc != SP_OK)
        return rc;
    } else
      return bad_row(borrower, err);
  }
  return SP_OK;
}

int sp_svc_decision_inputs(sp_svc *svc, const char *borrower, sp_consent_fn cf,
                           sp_data_fn df, void *ctx, sp_error *err) {
  sqlite3_stmt *st = svc->st[SQ_INPUTS_GET];
  sqlite3_bind_text(st, 1, borrower, -1, SQLITE_TRANSIENT);
  int rc = sqlite3_step(st);
  char local[LOCAL_TEXT], *text = NULL;
  size_t n = 0;
  if (rc == SQLITE_ROW) {
    n = (size_t)sqlite3_column_bytes(st, 0);
    text = n < sizeof local ? local : malloc(n + 1);
    if (text != NULL && n > 0)
      memcpy(text, sqlite3_column_blob(st, 0), n);
    if (text != NULL)
      text[n] = '\0';
  }
  sqlite3_reset(st);
  if (rc == SQLITE_DONE)
    return sp_error_set(err, SP_ENOTFOUND, "borrower", "no borrower '%.40s'",
                        borrower);
  if (rc != SQLITE_ROW)
    return sp__svc_db_error(svc, err, "decision inputs");
  if (text == NULL)
    return sp_error_set(err, SP_ENOMEM, "", "out of memory");
  cursor c = {text, text + n};
  int user = visit(&c, borrower, cf, df, ctx, err);
  if (text != local)
    free(text);
  return user;
}
