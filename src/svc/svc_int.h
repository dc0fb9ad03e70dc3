/* Internals of the service store: the connection and its statements. */
#ifndef SPARROW_SVC_INT_H
#define SPARROW_SVC_INT_H

#include <sqlite3.h>

#include "sparrow/svc.h"

enum {
  SQ_BORROWER_PUT,
  SQ_BORROWER_GET,
  SQ_DATA_ADD,
  SQ_DATA_LIST,
  SQ_CONSENT_ADD,
  SQ_CONSENT_GET,
  SQ_CONSENT_REVOKE,
  SQ_CONSENT_LIST,
  SQ_LINE_LINK,
  SQ_LINE_GET,
  SQ_IDEM_GET,
  SQ_IDEM_PUT,
  SQ_LINES_OF,
  SQ_WARNING_ADD,
  SQ_WARNING_LIST,
  SQ_DATA_LATEST,
  SQ_BORROWER_LIST,
  SQ_APP_PUT,
  SQ_APP_GET,
  SQ_APP_LIST,
  SQ_APP_LIST_REFERRED,
  SQ_APP_LIST_STATUS,
  SQ_APP_REVIEW,
  SQ_APP_SET_LINE,
  SQ_APP_COUNTS,
  SQ_READ_BEGIN,
  SQ_READ_END,
  SQ_BORROWER_EXISTS,
  SQ_INPUTS_GET,
  SQ_COUNT
};

struct sp_svc {
  sqlite3 *db;
  int owns_db; /* 0 when borrowed from a store */
  int reading; /* in a read transaction of sp_svc_read_begin */
  sqlite3_stmt *st[SQ_COUNT];
};

/* Runs a statement that returns no rows and resets it; SP_EEXISTS on a
 * constraint violation (naming `field`). */
int sp__svc_done(sp_svc *svc, sqlite3_stmt *st, const char *field,
                 sp_error *err);
int sp__svc_db_error(sp_svc *svc, sp_error *err, const char *what);

#endif
