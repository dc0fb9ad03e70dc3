/* Consent to use a data source for named purposes, until it expires or is
 * revoked, and the check every use of a source goes through.
 *
 * A consent is never deleted: revoking stamps the time, so the history of
 * what was allowed when stays readable. The check looks for any consent of
 * the borrower for the source that covers the purpose and is valid at the
 * given moment; when there is none it says why, from the closest miss. */
#include <assert.h>
#include <stdio.h>
#include <string.h>

#include "svc/svc_int.h"

static const char *const purpose_names[SP_PURPOSE_COUNT] = {
    "credit_decision", "post_loan_monitoring", "fraud_prevention"};
static const char *const status_names[] = {"valid", "expired", "revoked"};

const char *sp_purpose_name(sp_purpose p) {
  assert((unsigned)p < SP_PURPOSE_COUNT);
  return purpose_names[p];
}

int sp_purpose_parse(const char *text, const char *field, sp_purpose *out,
                     sp_error *err) {
  for (int i = 0; i < SP_PURPOSE_COUNT; i++)
    if (strcmp(text, purpose_names[i]) == 0) {
      *out = (sp_purpose)i;
      return SP_OK;
    }
  return sp_error_set(err, SP_EINVAL, field,
                      "unknown purpose '%.40s' (credit_decision, "
                      "post_loan_monitoring, fraud_prevention)",
                      text);
}

const char *sp_consent_status_name(sp_consent_status s) {
  assert((unsigned)s <= SP_CONSENT_REVOKED);
  return status_names[s];
}

sp_consent_status sp_consent_status_at(const sp_consent *c, sp_time at) {
  if (c->revoked != 0 && c->revoked <= at)
    return SP_CONSENT_REVOKED;
  if (at >= c->expires)
    return SP_CONSENT_EXPIRED;
  return SP_CONSENT_VALID;
}

int sp_svc_consent_add(sp_svc *svc, const sp_consent *c, uint64_t *no,
                       sp_error *err) {
  if (c->purposes == 0 || c->purposes >= (1u << SP_PURPOSE_COUNT))
    return sp_error_set(err, SP_EINVAL, "scope", "scope: name a purpose");
  if (c->expires <= c->granted)
    return sp_error_set(err, SP_ERANGE, "expires",
                        "expires: must be after the grant");
  sqlite3_stmt *st = svc->st[SQ_CONSENT_ADD];
  sqlite3_bind_text(st, 1, c->borrower, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int(st, 2, (int)c->source);
  sqlite3_bind_int64(st, 3, c->purposes);
  sqlite3_bind_int64(st, 4, c->granted);
  sqlite3_bind_int64(st, 5, c->expires);
  int rc = sp__svc_done(svc, st, "consent", err);
  if (rc == SP_OK)
    *no = (uint64_t)sqlite3_last_insert_rowid(svc->db);
  return rc;
}

int sp_svc_consent_revoke(sp_svc *svc, const char *borrower, uint64_t no,
                          sp_time at, sp_error *err) {
  sqlite3_stmt *st = svc->st[SQ_CONSENT_GET];
  sqlite3_bind_int64(st, 1, (sqlite3_int64)no);
  sqlite3_bind_text(st, 2, borrower, -1, SQLITE_TRANSIENT);
  int rc = sqlite3_step(st);
  int64_t revoked = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
  sqlite3_reset(st);
  if (rc == SQLITE_DONE)
    return sp_error_set(err, SP_ENOTFOUND, "cid", "no consent C%llu",
                        (unsigned long long)no);
  if (rc != SQLITE_ROW)
    return sp__svc_db_error(svc, err, "consent get");
  if (revoked != 0)
    return sp_error_set(err, SP_ESTATE, "cid", "consent C%llu is revoked",
                        (unsigned long long)no);
  st = svc->st[SQ_CONSENT_REVOKE];
  sqlite3_bind_int64(st, 1, (sqlite3_int64)no);
  sqlite3_bind_text(st, 2, borrower, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64(st, 3, at);
  return sp__svc_done(svc, st, "cid", err);
}

int sp_svc_consent_list(sp_svc *svc, const char *borrower, sp_consent_fn fn,
                        void *ctx, sp_error *err) {
  sqlite3_stmt *st = svc->st[SQ_CONSENT_LIST];
  sqlite3_bind_text(st, 1, borrower, -1, SQLITE_TRANSIENT);
  int rc, user = SP_OK;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    sp_consent c = {.no = (uint64_t)sqlite3_column_int64(st, 0),
                    .source = (sp_source)sqlite3_column_int(st, 1),
                    .purposes = (uint32_t)sqlite3_column_int64(st, 2),
                    .granted = sqlite3_column_int64(st, 3),
                    .expires = sqlite3_column_int64(st, 4),
                    .revoked = sqlite3_column_int64(st, 5)};
    snprintf(c.borrower, sizeof c.borrower, "%s", borrower);
    if ((unsigned)c.source >= SP_SOURCE_COUNT)
      continue;
    if ((user = fn(ctx, &c)) != SP_OK)
      break;
  }
  sqlite3_reset(st);
  if (user != SP_OK)
    return user;
  return rc == SQLITE_DONE ? SP_OK : sp__svc_db_error(svc, err, "consent list");
}

/* The best consent seen so far for the check: a valid one, or the miss
 * that explains the refusal best (revoked/expired before wrong purpose). */
typedef struct check_ctx {
  sp_source source;
  sp_purpose purpose;
  sp_time at;
  int found_source, found_purpose;
  sp_consent valid, miss;
  int have_valid, have_miss;
} check_ctx;

static int check_one(void *p, const sp_consent *c) {
  check_ctx *k = p;
  if (c->source != k->source || c->granted > k->at)
    return SP_OK;
  k->found_source = 1;
  if (!(c->purposes & (1u << k->purpose)))
    return SP_OK;
  k->found_purpose = 1;
  if (sp_consent_status_at(c, k->at) == SP_CONSENT_VALID) {
    k->valid = *c;
    k->have_valid = 1;
  } else {
    k->miss = *c;
    k->have_miss = 1;
  }
  return SP_OK;
}

/* The check's verdict: SP_OK with the valid consent's number, or
 * SP_ESTATE saying why not. */
static int verdict(const check_ctx *k, const char *borrower,
                   uint64_t *consent_no, sp_error *err) {
  if (k->have_valid) {
    *consent_no = k->valid.no;
    return SP_OK;
  }
  const char *src = sp_source_name(k->source),
             *pur = sp_purpose_name(k->purpose);
  if (!k->found_source)
    return sp_error_set(err, SP_ESTATE, "consent",
                        "no consent from '%s' to use %s data", borrower, src);
  if (!k->found_purpose)
    return sp_error_set(err, SP_ESTATE, "consent",
                        "consent for %s data does not cover the purpose %s",
                        src, pur);
  char when[32];
  *consent_no = k->miss.no;
  if (sp_consent_status_at(&k->miss, k->at) == SP_CONSENT_REVOKED) {
    sp_time_format(k->miss.revoked, when);
    return sp_error_set(err, SP_ESTATE, "consent",
                        "consent C%llu for %s data was revoked at %s",
                        (unsigned long long)k->miss.no, src, when);
  }
  sp_time_format(k->miss.expires, when);
  return sp_error_set(err, SP_ESTATE, "consent",
                      "consent C%llu for %s data expired at %s",
                      (unsigned long long)k->miss.no, src, when);
}

typedef struct check_all {
  check_ctx k[SP_SOURCE_COUNT];
  const int *needed;
} check_all;

static int check_each(void *p, const sp_consent *c) {
  check_all *a = p;
  assert((unsigned)c->source < SP_SOURCE_COUNT);
  return a->needed[c->source] ? check_one(&a->k[c->source], c) : SP_OK;
}

static void check_all_init(check_all *a, const int *needed, sp_purpose purpose,
                           sp_time at) {
  a->needed = needed;
  for (int s = 0; s < SP_SOURCE_COUNT; s++)
    a->k[s] = (check_ctx){.source = (sp_source)s, .purpose = purpose, .at = at};
}

/* The verdict of every needed source, in source order; the first refusal
 * ends it. */
static int verdicts(const check_all *a, const char *borrower,
                    uint64_t consent_no[SP_SOURCE_COUNT], sp_source *refused,
                    sp_error *err) {
  memset(consent_no, 0, SP_SOURCE_COUNT * sizeof consent_no[0]);
  int rc = SP_OK;
  for (int s = 0; rc == SP_OK && s < SP_SOURCE_COUNT; s++)
    if (a->needed[s] &&
        (rc = verdict(&a->k[s], borrower, &consent_no[s], err)) == SP_ESTATE)
      *refused = (sp_source)s;
  return rc;
}

int sp_consent_check_array(const sp_consent *c, size_t n, const char *borrower,
                           const int needed[SP_SOURCE_COUNT],
                           sp_purpose purpose, sp_time at,
                           uint64_t consent_no[SP_SOURCE_COUNT],
                           sp_source *refused, sp_error *err) {
  check_all a;
  check_all_init(&a, needed, purpose, at);
  for (size_t i = 0; i < n; i++)
    if ((unsigned)c[i].source < SP_SOURCE_COUNT)
      check_each(&a, &c[i]);
  return verdicts(&a, borrower, consent_no, refused, err);
}

int sp_svc_consent_check_sources(sp_svc *svc, const char *borrower,
                                 const int needed[SP_SOURCE_COUNT],
                                 sp_purpose purpose, sp_time at,
                                 uint64_t consent_no[SP_SOURCE_COUNT],
                                 sp_source *refused, sp_error *err) {
  check_all a;
  check_all_init(&a, needed, purpose, at);
  int rc = sp_svc_consent_list(svc, borrower, check_each, &a, err);
  return rc == SP_OK ? verdicts(&a, borrower, consent_no, refused, err) : rc;
}

int sp_svc_consent_check(sp_svc *svc, const char *borrower, sp_source source,
                         sp_purpose purpose, sp_time at, uint64_t *consent_no,
                         sp_error *err) {
  assert((unsigned)source < SP_SOURCE_COUNT);
  int needed[SP_SOURCE_COUNT] = {0};
  uint64_t no[SP_SOURCE_COUNT];
  sp_source refused;
  needed[source] = 1;
  int rc = sp_svc_consent_check_sources(svc, borrower, needed, purpose, at, no,
                                        &refused, err);
  if (rc == SP_OK || rc == SP_ESTATE)
    *consent_no = no[source];
  return rc;
}
