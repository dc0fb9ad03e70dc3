/* The service store's connection: opening the file, the service tables'
 * migrations, and the prepared statements.
 *
 * The tables sit beside the ledger's in the same file. Their schema
 * version is kept in svc_schema (PRAGMA user_version belongs to the
 * ledger's store), and each migration runs in one transaction. */
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sparrow/store.h"
#include "store/walbuf.h"
#include "svc/svc_int.h"

/* A borrower's consents in the order they are listed and checked, and the
 * latest record of a source (greatest as_of, the later received on a tie):
 * named once for the queries below and the inputs row. */
#define CONSENTS_ORDER "ORDER BY no LIMIT 1000"
#define LATEST_RECORD "ORDER BY as_of DESC, no DESC LIMIT 1"

/* What a credit decision reads of borrower `b` (an SQL expression), as one
 * text that reads without a parser: its consents in consent order, as
 * SQ_CONSENT_LIST lists them ("c no source purposes granted expires
 * revoked;" each), then the latest record of each source, as
 * SQ_DATA_LATEST finds it ("d source no as_of received bytes:" and the
 * record's values, that many bytes). src/svc/inputs.c reads it back. */
#define INPUTS_DOC(b)                                                          \
  "ifnull((SELECT group_concat(printf('c %d %d %d %d %d %d;', no, source, "    \
  "purposes, granted, expires, revoked), '') FROM (SELECT * FROM "             \
  "svc_consents WHERE borrower = " b " " CONSENTS_ORDER ")), '') || "          \
  "ifnull((SELECT group_concat(printf('d %d %d %d %d %d:', d.source, d.no, "   \
  "d.as_of, d.received, length(CAST(d.doc_values AS BLOB))) || d.doc_values, " \
  "'') FROM (VALUES (0), (1), (2), (3), (4), (5), (6), (7)) AS s JOIN "        \
  "svc_data AS d ON d.no = (SELECT no FROM svc_data WHERE borrower = " b       \
  " AND source = s.column1 " LATEST_RECORD ")), '')"
_Static_assert(SP_SOURCE_COUNT == 8, "INPUTS_DOC lists the sources 0..7");

/* svc_inputs keeps that document for every borrower, rewritten by the
 * triggers below in the transaction of any write to the borrower, its
 * consents or its records (whoever writes them), so that a decision reads
 * one row where it would run five queries. Deleted and inserted, not
 * replaced: a trigger's statements take the conflict policy of the
 * statement that fired them (an INSERT OR IGNORE would keep the old row). */
// clang-format off
#define INPUTS_SET(b)                                                          \
  "DELETE FROM svc_inputs WHERE borrower = " b ";"                             \
  "INSERT INTO svc_inputs(borrower, doc) SELECT sb.id, "                       \
  INPUTS_DOC("sb.id") " FROM svc_borrowers AS sb WHERE sb.id = " b ";"
#define INPUTS_TRIGGER(name, event, table, body)                               \
  "CREATE TRIGGER " name " AFTER " event " ON " table " BEGIN " body " END;"
#define INPUTS_TABLE                                                           \
  "CREATE TABLE svc_inputs(borrower TEXT PRIMARY KEY, doc TEXT NOT NULL) "     \
  "WITHOUT ROWID;"                                                             \
  INPUTS_TRIGGER("svc_inputs_borrower_add", "INSERT", "svc_borrowers",         \
                 INPUTS_SET("NEW.id"))                                         \
  INPUTS_TRIGGER("svc_inputs_borrower_del", "DELETE", "svc_borrowers",         \
                 "DELETE FROM svc_inputs WHERE borrower = OLD.id;")            \
  INPUTS_TRIGGER("svc_inputs_consent_add", "INSERT", "svc_consents",           \
                 INPUTS_SET("NEW.borrower"))                                   \
  INPUTS_TRIGGER("svc_inputs_consent_set", "UPDATE", "svc_consents",           \
                 INPUTS_SET("OLD.borrower") INPUTS_SET("NEW.borrower"))        \
  INPUTS_TRIGGER("svc_inputs_consent_del", "DELETE", "svc_consents",           \
                 INPUTS_SET("OLD.borrower"))                                   \
  INPUTS_TRIGGER("svc_inputs_data_add", "INSERT", "svc_data",                  \
                 INPUTS_SET("NEW.borrower"))                                   \
  INPUTS_TRIGGER("svc_inputs_data_set", "UPDATE", "svc_data",                  \
                 INPUTS_SET("OLD.borrower") INPUTS_SET("NEW.borrower"))        \
  INPUTS_TRIGGER("svc_inputs_data_del", "DELETE", "svc_data",                  \
                 INPUTS_SET("OLD.borrower"))                                   \
  "INSERT INTO svc_inputs(borrower, doc) SELECT sb.id, " INPUTS_DOC("sb.id")   \
  " FROM svc_borrowers AS sb;"
// clang-format on

/* The WHERE of migration 6's partial index, which a query must repeat to
 * use it. */
#define REFERRED "status = 'referred'"
#define APP_COLUMNS                                                            \
  "SELECT id, borrower, status, decision, created, reviewer, note, "           \
  "reviewed, line, doc FROM svc_applications "

static const char *const statement_sql[SQ_COUNT] = {
    [SQ_BORROWER_PUT] = "INSERT INTO svc_borrowers(id, doc) VALUES(?1, ?2)",
    [SQ_BORROWER_GET] = "SELECT doc FROM svc_borrowers WHERE id = ?1",
    [SQ_DATA_ADD] = "INSERT INTO svc_data(borrower, source, as_of, doc_values,"
                    " received) VALUES(?1, ?2, ?3, ?4, ?5)",
    [SQ_DATA_LIST] = "SELECT no, source, as_of, doc_values, received FROM "
                     "svc_data WHERE borrower = ?1 ORDER BY no LIMIT ?2",
    [SQ_CONSENT_ADD] = "INSERT INTO svc_consents(borrower, source, purposes, "
                       "granted, expires, revoked) VALUES(?1, ?2, ?3, ?4, ?5, "
                       "0)",
    [SQ_CONSENT_GET] = "SELECT revoked FROM svc_consents WHERE no = ?1 AND "
                       "borrower = ?2",
    [SQ_CONSENT_REVOKE] = "UPDATE svc_consents SET revoked = ?3 WHERE no = ?1 "
                          "AND borrower = ?2 AND revoked = 0",
    [SQ_CONSENT_LIST] =
        "SELECT no, source, purposes, granted, expires, "
        "revoked FROM svc_consents WHERE borrower = ?1 " CONSENTS_ORDER,
    [SQ_LINE_LINK] = "INSERT INTO svc_lines(line, borrower) VALUES(?1, ?2)",
    [SQ_LINE_GET] = "SELECT borrower FROM svc_lines WHERE line = ?1",
    [SQ_IDEM_GET] = "SELECT request, status, body, app FROM "
                    "svc_idempotency WHERE key = ?1",
    [SQ_LINES_OF] = "SELECT line FROM svc_lines WHERE borrower = ?1 ORDER BY "
                    "line LIMIT ?2",
    [SQ_WARNING_ADD] = "INSERT INTO svc_warnings(borrower, rule, level, "
                       "action, event_id, event_time, reason, detail, "
                       "created) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    [SQ_WARNING_LIST] = "SELECT no, rule, level, action, event_id, "
                        "event_time, reason, detail, created FROM "
                        "svc_warnings WHERE borrower = ?1 ORDER BY no LIMIT "
                        "?2",
    [SQ_IDEM_PUT] = "INSERT INTO svc_idempotency(key, request, status, body, "
                    "created, app) VALUES(?1, ?2, ?3, ?4, ?5, ?6)",
    [SQ_DATA_LATEST] = "SELECT no, as_of, doc_values, received FROM svc_data "
                       "WHERE borrower = ?1 AND source = ?2 " LATEST_RECORD,
    [SQ_BORROWER_LIST] = "SELECT doc, id FROM svc_borrowers WHERE id > ?1 "
                         "ORDER BY id LIMIT ?2",
    [SQ_APP_PUT] = "INSERT INTO svc_applications(id, borrower, status, "
                   "decision, created, reviewer, note, reviewed, line, doc) "
                   "VALUES(?1, ?2, ?3, ?3, ?4, '', '', 0, '', ?5)",
    [SQ_APP_GET] = APP_COLUMNS "WHERE id = ?1",
    [SQ_APP_LIST] = APP_COLUMNS "ORDER BY created DESC, rowid DESC LIMIT ?1",
    [SQ_APP_LIST_REFERRED] = APP_COLUMNS "WHERE " REFERRED " ORDER BY created "
                                         "DESC, rowid DESC LIMIT ?1",
    [SQ_APP_LIST_STATUS] = APP_COLUMNS "WHERE status = ?2 ORDER BY created "
                                       "DESC, rowid DESC LIMIT ?1",
    [SQ_APP_REVIEW] = "UPDATE svc_applications SET status = ?2, reviewer = "
                      "?3, note = ?4, reviewed = ?5 WHERE id = ?1 AND status "
                      "= 'referred'",
    [SQ_APP_SET_LINE] = "UPDATE svc_applications SET line = ?2 WHERE id = ?1 "
                        "AND status = 'approved' AND line = ''",
    [SQ_READ_BEGIN] = "BEGIN",
    [SQ_BORROWER_EXISTS] = "SELECT 1 FROM svc_borrowers WHERE id = ?1",
    [SQ_READ_END] = "COMMIT",
    [SQ_INPUTS_GET] = "SELECT doc FROM svc_inputs WHERE borrower = ?1",
    [SQ_APP_COUNTS] = "SELECT status, count(*) FROM svc_applications WHERE "
                      "created >= ?1 GROUP BY status",
};

static const char *const migrations[] = {
    "CREATE TABLE svc_borrowers(id TEXT PRIMARY KEY, doc BLOB NOT NULL) "
    "WITHOUT ROWID;"
    "CREATE TABLE svc_data(no INTEGER PRIMARY KEY, borrower TEXT NOT NULL,"
    " source INTEGER NOT NULL, as_of INTEGER NOT NULL,"
    " doc_values TEXT NOT NULL, received INTEGER NOT NULL);"
    "CREATE INDEX svc_data_borrower ON svc_data(borrower, no);"
    "CREATE TABLE svc_consents(no INTEGER PRIMARY KEY,"
    " borrower TEXT NOT NULL, source INTEGER NOT NULL,"
    " purposes INTEGER NOT NULL, granted INTEGER NOT NULL,"
    " expires INTEGER NOT NULL, revoked INTEGER NOT NULL);"
    "CREATE INDEX svc_consents_borrower ON svc_consents(borrower, no);"
    "CREATE TABLE svc_lines(line TEXT PRIMARY KEY, borrower TEXT NOT NULL) "
    "WITHOUT ROWID;"
    "CREATE TABLE svc_idempotency(key TEXT PRIMARY KEY, request BLOB NOT NULL,"
    " status INTEGER NOT NULL, body BLOB NOT NULL, created INTEGER NOT NULL)"
    " WITHOUT ROWID;",
    /* 2: early-warning actions, and lines by borrower */
    "CREATE TABLE svc_warnings(no INTEGER PRIMARY KEY,"
    " borrower TEXT NOT NULL, rule TEXT NOT NULL, level TEXT NOT NULL,"
    " action TEXT NOT NULL, event_id TEXT NOT NULL,"
    " event_time INTEGER NOT NULL, reason TEXT NOT NULL,"
    " detail TEXT NOT NULL, created INTEGER NOT NULL);"
    "CREATE INDEX svc_warnings_borrower ON svc_warnings(borrower, no);"
    "CREATE INDEX svc_lines_borrower ON svc_lines(borrower, line);",
    /* 3: credit applications and their decisions */
    "CREATE TABLE svc_applications(id TEXT PRIMARY KEY,"
    " borrower TEXT NOT NULL, status TEXT NOT NULL, decision TEXT NOT NULL,"
    " created INTEGER NOT NULL, reviewer TEXT NOT NULL, note TEXT NOT NULL,"
    " reviewed INTEGER NOT NULL, line TEXT NOT NULL, doc TEXT NOT NULL);"
    "CREATE INDEX svc_applications_status ON svc_applications(status,"
    " created);"
    "CREATE INDEX svc_applications_created ON svc_applications(created);",
    /* 4: the latest record of a source without reading the others; an
     * application's first answer kept once, in the application */
    "CREATE INDEX svc_data_latest ON svc_data(borrower, source, as_of, no);"
    "ALTER TABLE svc_idempotency ADD COLUMN app TEXT NOT NULL DEFAULT '';",
    /* 5: a decision's inputs in one row per borrower */
    INPUTS_TABLE,
    /* 6: fewer index pages written per decision. An index on (status,
     * created) takes each commit's rows at three places (one per status),
     * three leaf pages rewritten in every group commit; the review queue
     * needs only the referred ones; the other lists walk (created,
     * status) backwards, and the counts by status since a time read its
     * range without the rows. Written to run again on a file it has run
     * on. */
    "DROP INDEX IF EXISTS svc_applications_status;"
    "CREATE INDEX IF NOT EXISTS svc_applications_referred ON "
    "svc_applications(created) WHERE " REFERRED ";"
    "DROP INDEX svc_applications_created;"
    "CREATE INDEX svc_applications_created ON svc_applications(created,"
    " status);",
};

int sp__svc_db_error(sp_svc *svc, sp_error *err, const char *what) {
  return sp_error_set(err, SP_ESTORE, "store", "sqlite: %s: %s", what,
                      sqlite3_errmsg(svc->db));
}

int sp__svc_done(sp_svc *svc, sqlite3_stmt *st, const char *field,
                 sp_error *err) {
  int rc = sqlite3_step(st);
  sqlite3_reset(st);
  sqlite3_clear_bindings(st);
  if (rc == SQLITE_DONE)
    return SP_OK;
  if (rc == SQLITE_CONSTRAINT)
    return sp_error_set(err, SP_EEXISTS, field, "%s: already exists", field);
  return sp__svc_db_error(svc, err, "write");
}

static int schema_version(sp_svc *svc, int *out, sp_error *err) {
  if (sqlite3_exec(svc->db,
                   "CREATE TABLE IF NOT EXISTS svc_schema(version INTEGER "
                   "NOT NULL); INSERT INTO svc_schema SELECT 0 WHERE NOT "
                   "EXISTS (SELECT 1 FROM svc_schema)",
                   NULL, NULL, NULL) != SQLITE_OK)
    return sp__svc_db_error(svc, err, "svc_schema");
  sqlite3_stmt *st;
  if (sqlite3_prepare_v2(svc->db, "SELECT version FROM svc_schema", -1, &st,
                         NULL) != SQLITE_OK)
    return sp__svc_db_error(svc, err, "svc_schema");
  *out = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
  sqlite3_finalize(st);
  return SP_OK;
}

static int migrate(sp_svc *svc, sp_error *err) {
  int version = 0;
  int rc = schema_version(svc, &version, err);
  int n = (int)(sizeof migrations / sizeof migrations[0]);
  if (rc == SP_OK && version > n)
    return sp_error_set(err, SP_ESTORE, "db",
                        "service schema version %d is newer than this "
                        "program (%d)",
                        version, n);
  for (int v = version; rc == SP_OK && v < n; v++) {
    char set[64];
    snprintf(set, sizeof set, "UPDATE svc_schema SET version = %d", v + 1);
    if (sqlite3_exec(svc->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) !=
            SQLITE_OK ||
        sqlite3_exec(svc->db, migrations[v], NULL, NULL, NULL) != SQLITE_OK ||
        sqlite3_exec(svc->db, set, NULL, NULL, NULL) != SQLITE_OK ||
        sqlite3_exec(svc->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
      rc = sp__svc_db_error(svc, err, "service migration");
      sqlite3_exec(svc->db, "ROLLBACK", NULL, NULL, NULL);
    }
  }
  return rc;
}

static int prepare(sp_svc *svc, int writer, sp_error *err) {
  int rc = writer ? migrate(svc, err) : SP_OK;
  for (int i = 0; rc == SP_OK && i < SQ_COUNT; i++)
    if (sqlite3_prepare_v3(svc->db, statement_sql[i], -1,
                           SQLITE_PREPARE_PERSISTENT, &svc->st[i],
                           NULL) != SQLITE_OK)
      rc = sp__svc_db_error(svc, err, statement_sql[i]);
  return rc;
}

/* A connection of its own: the writer's (creating and migrating), or a
 * reader's (query_only, the tables as the writer left them). */
static int open_file(const char *path, int writer, sp_svc **out,
                     sp_error *err) {
  sp_svc *svc = calloc(1, sizeof *svc);
  if (svc == NULL)
    return sp_error_set(err, SP_ENOMEM, "db", "out of memory");
  svc->owns_db = 1;
  int rc = SP_OK;
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX |
              (writer ? SQLITE_OPEN_CREATE : 0);
  if ((writer ? sp__walbuf_open(path, &svc->db, flags)
              : sqlite3_open_v2(path, &svc->db, flags, NULL)) != SQLITE_OK)
    rc = sp_error_set(err, SP_ESTORE, "db", "cannot open database '%s'", path);
  if (rc == SP_OK) {
    sqlite3_busy_timeout(svc->db, 5000);
    if (sqlite3_exec(svc->db,
                     writer
                         ? "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
                         : "PRAGMA query_only=1",
                     NULL, NULL, NULL) != SQLITE_OK)
      rc = sp__svc_db_error(svc, err, "pragmas");
  }
  if (rc == SP_OK)
    rc = prepare(svc, writer, err);
  if (rc != SP_OK) {
    sp_svc_close(svc);
    return rc;
  }
  *out = svc;
  return SP_OK;
}

int sp_svc_open(const char *path, sp_svc **out, sp_error *err) {
  return open_file(path, 1, out, err);
}

int sp_svc_open_reader(const char *path, sp_svc **out, sp_error *err) {
  return open_file(path, 0, out, err);
}

static int open_on_store(struct sp_store *store, int writer, sp_svc **out,
                         sp_error *err) {
  sqlite3 *db = sp_store_sqlite_handle(store);
  if (db == NULL)
    return sp_error_set(err, SP_EINVAL, "db",
                        "the service tables need a SQLite store");
  sp_svc *svc = calloc(1, sizeof *svc);
  if (svc == NULL)
    return sp_error_set(err, SP_ENOMEM, "db", "out of memory");
  svc->db = db;
  int rc = prepare(svc, writer, err);
  if (rc != SP_OK) {
    sp_svc_close(svc);
    return rc;
  }
  *out = svc;
  return SP_OK;
}

int sp_svc_open_store(struct sp_store *store, sp_svc **out, sp_error *err) {
  return open_on_store(store, 1, out, err);
}

int sp_svc_open_store_reader(struct sp_store *store, sp_svc **out,
                             sp_error *err) {
  return open_on_store(store, 0, out, err);
}

void sp_svc_close(sp_svc *svc) {
  if (svc == NULL)
    return;
  for (int i = 0; i < SQ_COUNT; i++)
    sqlite3_finalize(svc->st[i]);
  if (svc->owns_db)
    sqlite3_close(svc->db);
  free(svc);
}

int sp_svc_line_link(sp_svc *svc, const char *line, const char *borrower,
                     sp_error *err) {
  sqlite3_stmt *st = svc->st[SQ_LINE_LINK];
  sqlite3_bind_text(st, 1, line, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(st, 2, borrower, -1, SQLITE_TRANSIENT);
  return sp__svc_done(svc, st, "id", err);
}

int sp_svc_line_borrower(sp_svc *svc, const char *line,
                         char out[SP_SVC_ID_MAX + 1], sp_error *err) {
  sqlite3_stmt *st = svc->st[SQ_LINE_GET];
  sqlite3_bind_text(st, 1, line, -1, SQLITE_TRANSIENT);
  int rc = sqlite3_step(st);
  if (rc == SQLITE_ROW)
    snprintf(out, SP_SVC_ID_MAX + 1, "%s",
             (const char *)sqlite3_column_text(st, 0));
  sqlite3_reset(st);
  if (rc == SQLITE_ROW)
    return SP_OK;
  if (rc == SQLITE_DONE)
    return SP_ENOTFOUND;
  return sp__svc_db_error(svc, err, "line get");
}

int sp_svc_idem_get(sp_svc *svc, const char *key, const void *request,
                    size_t request_len, int *status, char **body,
                    size_t *body_len, char app[SP_SVC_ID_MAX + 1],
                    sp_error *err) {
  sqlite3_stmt *st = svc->st[SQ_IDEM_GET];
  sqlite3_bind_text(st, 1, key, -1, SQLITE_TRANSIENT);
  int rc = sqlite3_step(st), result = SP_OK;
  app[0] = '\0';
  *body = NULL;
  if (rc == SQLITE_ROW) {
    const void *req = sqlite3_column_blob(st, 0);
    size_t n = (size_t)sqlite3_column_bytes(st, 0);
    const char *of = (const char *)sqlite3_column_text(st, 3);
    if (n != request_len || (n > 0 && memcmp(req, request, n) != 0)) {
      result = sp_error_set(err, SP_EEXISTS, "Idempotency-Key",
                            "key '%s' was used for another request", key);
    } else if (of != NULL && of[0] != '\0') {
      *status = sqlite3_column_int(st, 1);
      snprintf(app, SP_SVC_ID_MAX + 1, "%s", of);
    } else {
      *status = sqlite3_column_int(st, 1);
      *body_len = (size_t)sqlite3_column_bytes(st, 2);
      *body = malloc(*body_len + 1);
      if (*body == NULL)
        result = sp_error_set(err, SP_ENOMEM, "body", "out of memory");
      else {
        if (*body_len > 0)
          memcpy(*body, sqlite3_column_blob(st, 2), *body_len);
        (*body)[*body_len] = '\0';
      }
    }
  } else if (rc == SQLITE_DONE) {
    result = SP_ENOTFOUND;
  } else {
    result = sp__svc_db_error(svc, err, "idempotency get");
  }
  sqlite3_reset(st);
  return result;
}

static int idem_put(sp_svc *svc, const char *key, const void *request,
                    size_t request_len, int status, const char *body,
                    size_t body_len, const char *app, sp_time now,
                    sp_error *err) {
  assert(body != NULL && request != NULL);
  sqlite3_stmt *st = svc->st[SQ_IDEM_PUT];
  sqlite3_bind_text(st, 1, key, -1, SQLITE_TRANSIENT);
  sqlite3_bind_blob(st, 2, request, (int)request_len, SQLITE_STATIC);
  sqlite3_bind_int(st, 3, status);
  sqlite3_bind_blob(st, 4, body, (int)body_len, SQLITE_STATIC);
  sqlite3_bind_int64(st, 5, now);
  sqlite3_bind_text(st, 6, app, -1, SQLITE_STATIC);
  return sp__svc_done(svc, st, "Idempotency-Key", err);
}

int sp_svc_idem_put(sp_svc *svc, const char *key, const void *request,
                    size_t request_len, int status, const char *body,
                    size_t body_len, sp_time now, sp_error *err) {
  return idem_put(svc, key, request, request_len, status, body, body_len, "",
                  now, err);
}

int sp_svc_idem_put_app(sp_svc *svc, const char *key, const void *request,
                        size_t request_len, int status, const char *app,
                        sp_time now, sp_error *err) {
  assert(app[0] != '\0');
  return idem_put(svc, key, request, request_len, status, "", 0, app, now, err);
}

int sp_svc_cache_size(sp_svc *svc, int kib, sp_error *err) {
  char sql[64];
  snprintf(sql, sizeof sql, "PRAGMA cache_size=-%d", kib);
  if (sqlite3_exec(svc->db, sql, NULL, NULL, NULL) != SQLITE_OK)
    return sp__svc_db_error(svc, err, "cache_size");
  return SP_OK;
}

int sp_svc_read_begin(sp_svc *svc, sp_error *err) {
  if (!sqlite3_get_autocommit(svc->db))
    return SP_OK; /* inside a transaction already: nothing to do */
  sqlite3_stmt *st = svc->st[SQ_READ_BEGIN];
  int rc = sqlite3_step(st);
  sqlite3_reset(st);
  if (rc != SQLITE_DONE)
    return sp__svc_db_error(svc, err, "begin");
  svc->reading = 1;
  return SP_OK;
}

void sp_svc_read_end(sp_svc *svc) {
  if (!svc->reading)
    return;
  sqlite3_stmt *st = svc->st[SQ_READ_END];
  sqlite3_step(st);
  sqlite3_reset(st);
  svc->reading = 0;
}

int sp_svc_begin(sp_svc *svc, sp_error *err) {
  if (sqlite3_exec(svc->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
    return sp__svc_db_error(svc, err, "begin");
  return SP_OK;
}

int sp_svc_commit(sp_svc *svc, sp_error *err) {
  if (sqlite3_exec(svc->db, "COMMIT", NULL, NULL, NULL) == SQLITE_OK)
    return SP_OK;
  int rc = sp__svc_db_error(svc, err, "commit");
  sp_svc_rollback(svc);
  return rc;
}

void sp_svc_rollback(sp_svc *svc) {
  if (!sqlite3_get_autocommit(svc->db))
    sqlite3_exec(svc->db, "ROLLBACK", NULL, NULL, NULL);
}
