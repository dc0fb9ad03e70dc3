/* Credit applications and their decisions as the service records them:
 * one row each, the decision document (score, limit, price, reasons, the
 * data and consents used) kept as the decision engine's caller wrote it,
 * and the review of referred ones. A status only moves from referred to a
 * reviewer's approved or declined; a line is recorded once, on an
 * approved application. */
#include <stdio.h>
#include <string.h>

#include "svc/svc_int.h"

static void copy_text(sqlite3_stmt *st, int col, char *out, size_t cap) {
  const unsigned char *t = sqlite3_column_text(st, col);
  snprintf(out, cap, "%s", t ? (const char *)t : "");
}

int sp_svc_app_put(sp_svc *svc, const sp_application *a, sp_error *err) {
  sqlite3_stmt *st = svc->st[SQ_APP_PUT];
  sqlite3_bind_text(st, 1, a->id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(st, 2, a->borrower, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(st, 3, a->decision, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64(st, 4, a->created);
  sqlite3_bind_text(st, 5, a->doc, -1, SQLITE_TRANSIENT);
  return sp__svc_done(svc, st, "id", err);
}

/* Steps st, calling fn for each row (at most `max`). */
static int visit(sp_svc *svc, sqlite3_stmt *st, size_t max,
                 sp_application_fn fn, void *ctx, size_t *n, sp_error *err) {
  int rc = SQLITE_DONE, user = SP_OK;
  sp_application a;
  *n = 0;
  while (*n < max && (rc = sqlite3_step(st)) == SQLITE_ROW) {
    memset(&a, 0, sizeof a);
    copy_text(st, 0, a.id, sizeof a.id);
    copy_text(st, 1, a.borrower, sizeof a.borrower);
    copy_text(st, 2, a.status, sizeof a.status);
    copy_text(st, 3, a.decision, sizeof a.decision);
    a.created = sqlite3_column_int64(st, 4);
    copy_text(st, 5, a.reviewer, sizeof a.reviewer);
    copy_text(st, 6, a.note, sizeof a.note);
    a.reviewed = sqlite3_column_int64(st, 7);
    copy_text(st, 8, a.line, sizeof a.line);
    a.doc = (const char *)sqlite3_column_text(st, 9);
    (*n)++;
    if ((user = fn(ctx, &a)) != SP_OK)
      break;
  }
  if (*n == max && user == SP_OK)
    rc = SQLITE_DONE;
  sqlite3_reset(st);
  sqlite3_clear_bindings(st);
  if (user != SP_OK)
    return user;
  return rc == SQLITE_DONE || rc == SQLITE_ROW
             ? SP_OK
             : sp__svc_db_error(svc, err, "applications");
}

int sp_svc_app_get(sp_svc *svc, const char *id, sp_application_fn fn, void *ctx,
                   sp_error *err) {
  sqlite3_stmt *st = svc->st[SQ_APP_GET];
  sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
  size_t n;
  int rc = visit(svc, st, 1, fn, ctx, &n, err);
  if (rc == SP_OK && n == 0)
    return sp_error_set(err, SP_ENOTFOUND, "id", "no application '%.40s'", id);
  return rc;
}

int sp_svc_app_list(sp_svc *svc, const char *status, size_t max,
                    sp_application_fn fn, void *ctx, sp_error *err) {
  int referred = status != NULL && strcmp(status, "referred") == 0;
  sqlite3_stmt *st = svc->st[referred ? SQ_APP_LIST_REFERRED
                             : status ? SQ_APP_LIST_STATUS
                                      : SQ_APP_LIST];
  sqlite3_bind_int64(st, 1, (sqlite3_int64)max);
  if (status != NULL && !referred)
    sqlite3_bind_text(st, 2, status, -1, SQLITE_TRANSIENT);
  size_t n;
  return visit(svc, st, max, fn, ctx, &n, err);
}

int sp_svc_app_review(sp_svc *svc, const char *id, const char *status,
                      const char *reviewer, const char *note, sp_time at,
                      sp_error *err) {
  if (strcmp(status, "approved") != 0 && strcmp(status, "declined") != 0)
    return sp_error_set(err, SP_EINVAL, "decision",
                        "decision: approve or decline");
  sqlite3_stmt *st = svc->st[SQ_APP_REVIEW];
  sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(st, 2, status, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(st, 3, reviewer, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(st, 4, note, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64(st, 5, at);
  int rc = sp__svc_done(svc, st, "id", err);
  if (rc == SP_OK && sqlite3_changes(svc->db) == 0)
    return sp_error_set(err, SP_ESTATE, "status",
                        "application '%.40s' is not waiting for review", id);
  return rc;
}

int sp_svc_app_set_line(sp_svc *svc, const char *id, const char *line,
                        sp_error *err) {
  sqlite3_stmt *st = svc->st[SQ_APP_SET_LINE];
  sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(st, 2, line, -1, SQLITE_TRANSIENT);
  int rc = sp__svc_done(svc, st, "application", err);
  if (rc == SP_OK && sqlite3_changes(svc->db) == 0)
    return sp_error_set(err, SP_ESTATE, "application",
                        "application '%.40s' is not approved, or has a "
                        "line already",
                        id);
  return rc;
}

int sp_svc_app_counts(sp_svc *svc, sp_time since, sp_app_counts *out,
                      sp_error *err) {
  sqlite3_stmt *st = svc->st[SQ_APP_COUNTS];
  sqlite3_bind_int64(st, 1, since);
  memset(out, 0, sizeof *out);
  int rc;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    const char *s = (const char *)sqlite3_column_text(st, 0);
    int64_t n = sqlite3_column_int64(st, 1);
    out->total += n;
    if (s && strcmp(s, "approved") == 0)
      out->approved += n;
    else if (s && strcmp(s, "referred") == 0)
      out->referred += n;
    else if (s && strcmp(s, "declined") == 0)
      out->declined += n;
  }
  sqlite3_reset(st);
  return rc == SQLITE_DONE ? SP_OK
                           : sp__svc_db_error(svc, err, "application counts");
}
