/* The lending service's own records: borrowers, their multi-source data,
 * consents, idempotency keys, and who may see what.
 *
 * These live in the same SQLite file as the ledger and the loan book, in
 * tables of their own (svc_*) with their own migrations, on the store's
 * own connection (or one of their own). Outside a transaction every call
 * that writes commits before it returns (WAL, synchronous=FULL): what a
 * call acknowledged survives a crash. A sp_svc is used by one thread at a
 * time (the HTTP server holds a lock).
 *
 * Access: API keys carry one role; masking of personal data depends on the
 * role (see sp_role_sees_personal). */
#ifndef SPARROW_SVC_H
#define SPARROW_SVC_H

#include <stddef.h>
#include <stdint.h>

#include "sparrow/date.h"
#include "sparrow/error.h"
#include "sparrow/schema.h"

typedef struct sp_svc sp_svc;

#define SP_SVC_ID_MAX 39 /* borrower ids */

/* Opens (creating and migrating) the service tables in a database file,
 * on a connection of its own. */
int sp_svc_open(const char *path, sp_svc **out, sp_error *err);
/* A read-only connection of its own to tables already migrated (by a
 * writer that has opened the file): for reading beside the writer in WAL
 * mode; every write through it fails. */
int sp_svc_open_reader(const char *path, sp_svc **out, sp_error *err);
/* The same on a SQLite store's own connection (not owned; close the svc
 * first): its writes then join the store's transactions and batches, so
 * an idempotency key is committed with the money movement it answers. */
struct sp_store;
int sp_svc_open_store(struct sp_store *store, sp_svc **out, sp_error *err);
/* On a reading store's connection (a view of a file whose tables a writer
 * has migrated): nothing is migrated, nothing written. */
int sp_svc_open_store_reader(struct sp_store *store, sp_svc **out,
                             sp_error *err);
void sp_svc_close(sp_svc *svc);
/* Sets the page cache of the connection (shared with the store's, if it
 * is one) to `kib` KiB. */
int sp_svc_cache_size(sp_svc *svc, int kib, sp_error *err);

/* Groups writes in one transaction (one sync) until sp_svc_commit; a
 * failed commit, or sp_svc_rollback, undoes them all. */
int sp_svc_begin(sp_svc *svc, sp_error *err);
/* Reads between these see one snapshot (one read transaction, cheaper
 * than one per statement); inside a transaction already, they do nothing. */
int sp_svc_read_begin(sp_svc *svc, sp_error *err);
void sp_svc_read_end(sp_svc *svc);
int sp_svc_commit(sp_svc *svc, sp_error *err);
void sp_svc_rollback(sp_svc *svc);

/* ---- Roles and keys ---- */

typedef enum sp_role {
  SP_ROLE_APPLICANT_APP = 0, /* the borrower-facing app */
  SP_ROLE_LOAN_OFFICER,
  SP_ROLE_RISK_MANAGER,
  SP_ROLE_AUDITOR,
  SP_ROLE_ADMIN,
  SP_ROLE_COUNT
} sp_role;
#define SP_ROLE_BIT(r) (1u << (unsigned)(r))
#define SP_ROLES_ALL ((1u << SP_ROLE_COUNT) - 1u)

const char *sp_role_name(sp_role role); /* "applicant_app" ... "admin" */
int sp_role_parse(const char *text, const char *field, sp_role *out,
                  sp_error *err);

/* Whether a role sees personal data (ID numbers, credit codes, phone
 * numbers, addresses) in full: loan_officer, auditor and admin do;
 * applicant_app and risk_manager see them masked. */
int sp_role_sees_personal(sp_role role);

typedef struct sp_keyring sp_keyring;
#define SP_KEYS_MAX 256
#define SP_KEY_LEN_MIN 16
#define SP_KEY_LEN_MAX 128

/* Loads a keys file: one JSON object, key -> role name. */
int sp_keyring_load(const char *path, sp_keyring **out, sp_error *err);
/* A development key ring: one random key per role. */
int sp_keyring_dev(sp_keyring **out, sp_error *err);
void sp_keyring_free(sp_keyring *kr);
size_t sp_keyring_count(const sp_keyring *kr);
/* The i-th key and its role (for printing the development keys). */
const char *sp_keyring_key(const sp_keyring *kr, size_t i, sp_role *role);
/* Finds a key (compared in constant time); SP_ENOTFOUND if unknown. */
int sp_keyring_lookup(const sp_keyring *kr, const char *key, sp_role *out);

/* Masks: keep the first 4 and last 4 characters of an ID number or credit
 * code ("3301**********1234"), the first 3 and last 4 digits of a phone
 * number ("138****5678"), the first 6 characters of an address followed by
 * "****". Characters are UTF-8 code points. out gets at least cap >= 8. */
void sp_mask_id(const char *in, char *out, size_t cap);
void sp_mask_phone(const char *in, char *out, size_t cap);
void sp_mask_address(const char *in, char *out, size_t cap);

/* ---- Borrowers ---- */

typedef struct sp_borrower {
  char id[SP_SVC_ID_MAX + 1];
  char name[128];
  char kind[16];        /* "enterprise" or "sole_proprietor" */
  char credit_code[19]; /* unified social credit code (18) */
  char id_number[19];   /* resident ID number (18), sole proprietors */
  char legal_rep[64];
  char phone[16];
  char address[256];
  char industry[64];
  char region[16]; /* administrative division code, e.g. "330106" */
  sp_time created;
} sp_borrower;

/* Checks the fields (kind, code formats); err names the field. */
int sp_borrower_validate(const sp_borrower *b, sp_error *err);
/* Stores a new borrower; SP_EEXISTS naming "id" if the id is taken. */
int sp_svc_borrower_put(sp_svc *svc, const sp_borrower *b, sp_error *err);
int sp_svc_borrower_get(sp_svc *svc, const char *id, sp_borrower *out,
                        sp_error *err);
/* SP_OK if the borrower is stored, else SP_ENOTFOUND. */
int sp_svc_borrower_exists(sp_svc *svc, const char *id, sp_error *err);

/* ---- Multi-source data ---- */

/* The data sources a borrower consents to: the first eight sources of a
 * feature schema (sparrow/schema.h), from tax to judicial. */
typedef sp_feature_source sp_source;
#define SP_SOURCE_COUNT (SP_SOURCE_JUDICIAL + 1)
const char *sp_source_name(sp_source s);
int sp_source_parse(const char *text, const char *field, sp_source *out,
                    sp_error *err);

typedef struct sp_data_record {
  uint64_t no;
  const char *borrower;
  sp_source source;
  sp_date as_of;
  const char *values_json; /* a JSON object, as received (compact) */
  sp_time received;
} sp_data_record;
typedef int (*sp_data_fn)(void *ctx, const sp_data_record *r);

int sp_svc_data_add(sp_svc *svc, const sp_data_record *r, uint64_t *no,
                    sp_error *err);
/* Visits a borrower's records in the order received (at most `max`). */
int sp_svc_data_list(sp_svc *svc, const char *borrower, size_t max,
                     sp_data_fn fn, void *ctx, sp_error *err);

/* The latest record of one source (greatest as_of, then the last
 * received): SP_OK and fn called once, or SP_ENOTFOUND. */
int sp_svc_data_latest(sp_svc *svc, const char *borrower, sp_source source,
                       sp_data_fn fn, void *ctx, sp_error *err);

/* Visits borrowers in id order after `after` ("" for the first), at most
 * max. */
typedef int (*sp_borrower_fn)(void *ctx, const sp_borrower *b);
int sp_svc_borrower_list(sp_svc *svc, const char *after, size_t max,
                         sp_borrower_fn fn, void *ctx, sp_error *err);

/* ---- Consent ---- */

typedef enum sp_purpose {
  SP_PURPOSE_CREDIT_DECISION = 0,
  SP_PURPOSE_POST_LOAN_MONITORING,
  SP_PURPOSE_FRAUD_PREVENTION,
  SP_PURPOSE_COUNT
} sp_purpose;
const char *sp_purpose_name(sp_purpose p);
int sp_purpose_parse(const char *text, const char *field, sp_purpose *out,
                     sp_error *err);

typedef enum sp_consent_status {
  SP_CONSENT_VALID = 0,
  SP_CONSENT_EXPIRED,
  SP_CONSENT_REVOKED
} sp_consent_status;
const char *sp_consent_status_name(sp_consent_status s);

typedef struct sp_consent {
  uint64_t no; /* the consent id is "C<no>" */
  char borrower[SP_SVC_ID_MAX + 1];
  sp_source source;
  uint32_t purposes; /* bit per sp_purpose */
  sp_time granted, expires;
  sp_time revoked; /* 0 if not revoked */
} sp_consent;
typedef int (*sp_consent_fn)(void *ctx, const sp_consent *c);

sp_consent_status sp_consent_status_at(const sp_consent *c, sp_time at);
int sp_svc_consent_add(sp_svc *svc, const sp_consent *c, uint64_t *no,
                       sp_error *err);
/* Revokes at `at`; SP_ENOTFOUND if the borrower has no such consent,
 * SP_ESTATE if it was revoked already. */
int sp_svc_consent_revoke(sp_svc *svc, const char *borrower, uint64_t no,
                          sp_time at, sp_error *err);
int sp_svc_consent_list(sp_svc *svc, const char *borrower, sp_consent_fn fn,
                        void *ctx, sp_error *err);
/* Whether data from `source` may be used for `purpose` at `at`: SP_OK with
 * the consent used in *consent_no, or SP_ESTATE naming "consent" with the
 * reason (none given, expired, revoked, purpose not covered). */
int sp_svc_consent_check(sp_svc *svc, const char *borrower, sp_source source,
                         sp_purpose purpose, sp_time at, uint64_t *consent_no,
                         sp_error *err);
/* The same for every source marked in `needed`, reading the consents once:
 * SP_OK with consent_no[source] for each; SP_ESTATE for the first source
 * refused (in source order), set in *refused, with the reason. */
int sp_svc_consent_check_sources(sp_svc *svc, const char *borrower,
                                 const int needed[SP_SOURCE_COUNT],
                                 sp_purpose purpose, sp_time at,
                                 uint64_t consent_no[SP_SOURCE_COUNT],
                                 sp_source *refused, sp_error *err);
/* The same over consents already read (in the order listed). */
int sp_consent_check_array(const sp_consent *c, size_t n, const char *borrower,
                           const int needed[SP_SOURCE_COUNT],
                           sp_purpose purpose, sp_time at,
                           uint64_t consent_no[SP_SOURCE_COUNT],
                           sp_source *refused, sp_error *err);

/* What a credit decision reads of a borrower, in one read: its consents
 * (cf, in consent order, at most 1000, as sp_svc_consent_list) and the
 * latest record of each source that has one (df, in source order, as
 * sp_svc_data_latest). SP_ENOTFOUND naming "borrower" if there is no such
 * borrower. */
int sp_svc_decision_inputs(sp_svc *svc, const char *borrower, sp_consent_fn cf,
                           sp_data_fn df, void *ctx, sp_error *err);

/* ---- Credit lines' borrowers ---- */

int sp_svc_line_link(sp_svc *svc, const char *line, const char *borrower,
                     sp_error *err);
/* The borrower of a line; SP_ENOTFOUND if not linked. */
int sp_svc_line_borrower(sp_svc *svc, const char *line,
                         char out[SP_SVC_ID_MAX + 1], sp_error *err);

/* The lines of a borrower, in id order: up to cap ids into out, the
 * number in *n. */
int sp_svc_borrower_lines(sp_svc *svc, const char *borrower,
                          char (*out)[SP_SVC_ID_MAX + 1], size_t cap, size_t *n,
                          sp_error *err);

/* ---- Early-warning actions (sparrow/monitor.h) ---- */

typedef struct sp_warning {
  int64_t no;
  char borrower[SP_SVC_ID_MAX + 1];
  char rule[32];
  char level[16];
  char action[16];
  char event_id[32];
  sp_time event_time;
  char reason[256];
  char detail[256]; /* what was done, e.g. "line L1 frozen" */
  sp_time created;
} sp_warning;

/* Records an action with the event that caused it (w->no is assigned). */
int sp_svc_warning_add(sp_svc *svc, sp_warning *w, sp_error *err);
/* A borrower's actions in order: up to cap into out, the number in *n. */
int sp_svc_warning_list(sp_svc *svc, const char *borrower, sp_warning *out,
                        size_t cap, size_t *n, sp_error *err);

/* ---- Credit applications and their decisions ---- */

/* An application's status: the engine's decision (approved, referred,
 * declined), then a reviewer's for referred ones (approved or declined,
 * with `reviewer` set). A line opened from an approved application is
 * recorded with it. The decision itself (score, limit, price, reasons,
 * the data and consents used) is a JSON document kept as written. */
typedef struct sp_application {
  char id[SP_SVC_ID_MAX + 1];
  char borrower[SP_SVC_ID_MAX + 1];
  char status[12];   /* approved, referred, declined */
  char decision[12]; /* the engine's: approved, referred, declined */
  sp_time created;
  char reviewer[24]; /* role of the reviewer, "" if not reviewed */
  char note[256];
  sp_time reviewed;
  char line[SP_SVC_ID_MAX + 1]; /* "" until a line is opened */
  const char *doc;              /* the decision document (JSON) */
} sp_application;
typedef int (*sp_application_fn)(void *ctx, const sp_application *a);

/* Stores a new application (status = decision); SP_EEXISTS naming "id". */
int sp_svc_app_put(sp_svc *svc, const sp_application *a, sp_error *err);
/* Calls fn with the application; SP_ENOTFOUND naming "id". */
int sp_svc_app_get(sp_svc *svc, const char *id, sp_application_fn fn, void *ctx,
                   sp_error *err);
/* Newest first, at most max, only `status` unless it is NULL. */
int sp_svc_app_list(sp_svc *svc, const char *status, size_t max,
                    sp_application_fn fn, void *ctx, sp_error *err);
/* A reviewer's decision on a referred application ("approved" or
 * "declined"); SP_ESTATE naming "status" unless it is referred. */
int sp_svc_app_review(sp_svc *svc, const char *id, const char *status,
                      const char *reviewer, const char *note, sp_time at,
                      sp_error *err);
/* Records the line opened from an approved application; SP_ESTATE naming
 * "application" unless it is approved and has no line yet. */
int sp_svc_app_set_line(sp_svc *svc, const char *id, const char *line,
                        sp_error *err);
/* Applications by status created at or after `since`. */
typedef struct sp_app_counts {
  int64_t total, approved, referred, declined;
} sp_app_counts;
int sp_svc_app_counts(sp_svc *svc, sp_time since, sp_app_counts *out,
                      sp_error *err);

/* ---- Idempotency keys ---- */

#define SP_IDEM_KEY_MAX 60

/* Looks a key up: SP_ENOTFOUND, or SP_OK with the first response (body
 * malloc'd, caller frees), or SP_EEXISTS if the stored request differs
 * from `request`. A first response kept as an application's (put_app)
 * comes back as that application's id in `app` with *body NULL: the
 * caller rebuilds it from the application. */
int sp_svc_idem_get(sp_svc *svc, const char *key, const void *request,
                    size_t request_len, int *status, char **body,
                    size_t *body_len, char app[SP_SVC_ID_MAX + 1],
                    sp_error *err);
int sp_svc_idem_put(sp_svc *svc, const char *key, const void *request,
                    size_t request_len, int status, const char *body,
                    size_t body_len, sp_time now, sp_error *err);
/* The same for a response that is application `app`'s first answer, kept
 * once, in the application. */
int sp_svc_idem_put_app(sp_svc *svc, const char *key, const void *request,
                        size_t request_len, int status, const char *app,
                        sp_time now, sp_error *err);

#endif
