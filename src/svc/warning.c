/* Early-warning actions as the service records them, and the lines of a
 * borrower that the actions apply to. Each action is one row, written
 * with the event id and time that caused it. */
#include <stdio.h>
#include <string.h>

#include "svc/svc_int.h"

static void copy_text(sqlite3_stmt *st, int col, char *out, size_t cap) {
  const unsigned char *t = sqlite3_column_text(st, col);
  snprintf(out, cap, "%s", t ? (const char *)t : "");
}

int sp_svc_borrower_lines(sp_svc *svc, const char *borrower,
                          char (*out)[SP_SVC_ID_MAX + 1], size_t cap, size_t *n,
                          sp_error *err) {
  sqlite3_stmt *st = svc->st[SQ_LINES_OF];
  sqlite3_bind_text(st, 1, borrower, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64(st, 2, (sqlite3_int64)cap);
  int rc;
  *n = 0;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW && *n < cap)
    copy_text(st, 0, out[(*n)++], SP_SVC_ID_MAX + 1);
  sqlite3_reset(st);
  return rc == SQLITE_DONE || rc == SQLITE_ROW
             ? SP_OK
             : sp__svc_db_error(svc, err, "lines of borrower");
}

int sp_svc_warning_add(sp_svc *svc, sp_warning *w, sp_error *err) {
  sqlite3_stmt *st = svc->st[SQ_WARNING_ADD];
  const char *text[] = {w->borrower, w->rule, w->level, w->action, w->event_id};
  for (int i = 0; i < 5; i++)
    sqlite3_bind_text(st, i + 1, text[i], -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64(st, 6, w->event_time);
  sqlite3_bind_text(st, 7, w->reason, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(st, 8, w->detail, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64(st, 9, w->created);
  int rc = sp__svc_done(svc, st, "warning", err);
  if (rc == SP_OK)
    w->no = sqlite3_last_insert_rowid(svc->db);
  return rc;
}

int sp_svc_warning_list(sp_svc *svc, const char *borrower, sp_warning *out,
                        size_t cap, size_t *n, sp_error *err) {
  sqlite3_stmt *st = svc->st[SQ_WARNING_LIST];
  sqlite3_bind_text(st, 1, borrower, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64(st, 2, (sqlite3_int64)cap);
  int rc;
  *n = 0;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW && *n < cap) {
    sp_warning *w = &out[(*n)++];
    memset(w, 0, sizeof *w);
    w->no = sqlite3_column_int64(st, 0);
    snprintf(w->borrower, sizeof w->borrower, "%s", borrower);
    copy_text(st, 1, w->rule, sizeof w->rule);
    copy_text(st, 2, w->level, sizeof w->level);
    copy_text(st, 3, w->action, sizeof w->action);
    copy_text(st, 4, w->event_id, sizeof w->event_id);
    w->event_time = sqlite3_column_int64(st, 5);
    copy_text(st, 6, w->reason, sizeof w->reason);
    copy_text(st, 7, w->detail, sizeof w->detail);
    w->created = sqlite3_column_int64(st, 8);
  }
  sqlite3_reset(st);
  return rc == SQLITE_DONE || rc == SQLITE_ROW
             ? SP_OK
             : sp__svc_db_error(svc, err, "warnings");
}
