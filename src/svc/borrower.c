/* Borrowers (enterprises and sole proprietors) and their multi-source
 * data records.
 *
 * A borrower is stored as a small JSON document keyed by its id, so that
 * fields can be added without a migration; data records keep the values
 * object exactly as received (compact JSON). */
#include <assert.h>
#include <ctype.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "svc/svc_int.h"

static const char *const source_names[SP_SOURCE_COUNT] = {
    "tax",       "invoice",   "utility", "social_insurance",
    "ecommerce", "logistics", "customs", "judicial"};

const char *sp_source_name(sp_source s) {
  assert((unsigned)s < SP_SOURCE_COUNT);
  return source_names[s];
}

int sp_source_parse(const char *text, const char *field, sp_source *out,
                    sp_error *err) {
  for (int i = 0; i < SP_SOURCE_COUNT; i++)
    if (strcmp(text, source_names[i]) == 0) {
      *out = (sp_source)i;
      return SP_OK;
    }
  return sp_error_set(err, SP_EINVAL, field,
                      "unknown source '%.40s' (tax, invoice, utility, "
                      "social_insurance, ecommerce, logistics, customs, "
                      "judicial)",
                      text);
}

/* Whether s is exactly n characters, each accepted by ok(). */
static int all_chars(const char *s, size_t n, int (*ok)(int c)) {
  if (strlen(s) != n)
    return 0;
  for (size_t i = 0; i < n; i++)
    if (!ok((unsigned char)s[i]))
      return 0;
  return 1;
}

static int code_char(int c) { return isdigit(c) || (c >= 'A' && c <= 'Z'); }
static int digit_char(int c) { return isdigit(c); }

static int id_number_ok(const char *s) {
  if (strlen(s) != 18 || !(isdigit((unsigned char)s[17]) || s[17] == 'X'))
    return 0;
  for (size_t i = 0; i < 17; i++)
    if (!isdigit((unsigned char)s[i]))
      return 0;
  return 1;
}

int sp_borrower_validate(const sp_borrower *b, sp_error *err) {
  int enterprise = strcmp(b->kind, "enterprise") == 0;
  if (!enterprise && strcmp(b->kind, "sole_proprietor") != 0)
    return sp_error_set(err, SP_EINVAL, "kind",
                        "kind: enterprise or sole_proprietor");
  if (b->id[0] == '\0')
    return sp_error_set(err, SP_EINVAL, "id", "id: required");
  if (b->name[0] == '\0')
    return sp_error_set(err, SP_EINVAL, "name", "name: required");
  if (b->credit_code[0] && !all_chars(b->credit_code, 18, code_char))
    return sp_error_set(err, SP_EINVAL, "credit_code",
                        "credit_code: 18 digits or capital letters");
  if (b->id_number[0] && !id_number_ok(b->id_number))
    return sp_error_set(err, SP_EINVAL, "id_number",
                        "id_number: 17 digits and a digit or X");
  if (enterprise && b->credit_code[0] == '\0')
    return sp_error_set(err, SP_EINVAL, "credit_code",
                        "credit_code: required for an enterprise");
  if (!enterprise && b->credit_code[0] == '\0' && b->id_number[0] == '\0')
    return sp_error_set(err, SP_EINVAL, "id_number",
                        "id_number: a sole proprietor needs an ID number or "
                        "a credit code");
  if (b->phone[0] &&
      !(all_chars(b->phone, 11, digit_char) && b->phone[0] == '1'))
    return sp_error_set(err, SP_EINVAL, "phone",
                        "phone: 11 digits starting with 1");
  if (b->region[0] && !all_chars(b->region, 6, digit_char))
    return sp_error_set(err, SP_EINVAL, "region", "region: 6 digits");
  return SP_OK;
}

#define BORROWER_FIELDS(X)                                                     \
  X(name)                                                                      \
  X(kind)                                                                      \
  X(credit_code)                                                               \
  X(id_number)                                                                 \
  X(legal_rep)                                                                 \
  X(phone)                                                                     \
  X(address)                                                                   \
  X(industry)                                                                  \
  X(region)

int sp_svc_borrower_put(sp_svc *svc, const sp_borrower *b, sp_error *err) {
  json_t *doc = json_object();
  if (doc == NULL)
    return sp_error_set(err, SP_ENOMEM, "body", "out of memory");
#define PUT_FIELD(f) json_object_set_new(doc, #f, json_string(b->f));
  BORROWER_FIELDS(PUT_FIELD)
#undef PUT_FIELD
  json_object_set_new(doc, "created", json_integer(b->created));
  char *text = json_dumps(doc, JSON_COMPACT | JSON_SORT_KEYS);
  json_decref(doc);
  if (text == NULL)
    return sp_error_set(err, SP_ENOMEM, "body", "out of memory");
  sqlite3_stmt *st = svc->st[SQ_BORROWER_PUT];
  sqlite3_bind_text(st, 1, b->id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(st, 2, text, -1, SQLITE_TRANSIENT);
  free(text);
  int rc = sp__svc_done(svc, st, "id", err);
  if (rc == SP_EEXISTS)
    sp_error_set(err, rc, "id", "borrower '%s' exists", b->id);
  return rc;
}

static void copy_field(json_t *doc, const char *name, char *out, size_t cap) {
  const char *v = json_string_value(json_object_get(doc, name));
  snprintf(out, cap, "%s", v ? v : "");
}

/* Decodes the document in column 0 of st into out; SP_ESTORE if it does
 * not parse. */
static int from_doc(sqlite3_stmt *st, const char *id, sp_borrower *out,
                    sp_error *err) {
  json_t *doc = json_loadb(sqlite3_column_blob(st, 0),
                           (size_t)sqlite3_column_bytes(st, 0), 0, NULL);
  if (doc == NULL)
    return sp_error_set(err, SP_ESTORE, "id", "borrower '%s' unreadable", id);
  memset(out, 0, sizeof *out);
  snprintf(out->id, sizeof out->id, "%s", id);
#define GET_FIELD(f) copy_field(doc, #f, out->f, sizeof out->f);
  BORROWER_FIELDS(GET_FIELD)
#undef GET_FIELD
  out->created = json_integer_value(json_object_get(doc, "created"));
  json_decref(doc);
  return SP_OK;
}

int sp_svc_borrower_exists(sp_svc *svc, const char *id, sp_error *err) {
  sqlite3_stmt *st = svc->st[SQ_BORROWER_EXISTS];
  sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
  int rc = sqlite3_step(st);
  sqlite3_reset(st);
  if (rc == SQLITE_ROW)
    return SP_OK;
  if (rc == SQLITE_DONE)
    return sp_error_set(err, SP_ENOTFOUND, "id", "no borrower '%.40s'", id);
  return sp__svc_db_error(svc, err, "borrower get");
}

int sp_svc_borrower_get(sp_svc *svc, const char *id, sp_borrower *out,
                        sp_error *err) {
  sqlite3_stmt *st = svc->st[SQ_BORROWER_GET];
  sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
  int rc = sqlite3_step(st);
  int got = rc == SQLITE_ROW ? from_doc(st, id, out, err) : SP_OK;
  sqlite3_reset(st);
  if (rc == SQLITE_DONE)
    return sp_error_set(err, SP_ENOTFOUND, "id", "no borrower '%.40s'", id);
  if (rc != SQLITE_ROW)
    return sp__svc_db_error(svc, err, "borrower get");
  return got;
}

int sp_svc_borrower_list(sp_svc *svc, const char *after, size_t max,
                         sp_borrower_fn fn, void *ctx, sp_error *err) {
  sqlite3_stmt *st = svc->st[SQ_BORROWER_LIST];
  sqlite3_bind_text(st, 1, after, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64(st, 2, (sqlite3_int64)max);
  int rc, user = SP_OK;
  sp_borrower b;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    user = from_doc(st, (const char *)sqlite3_column_text(st, 1), &b, err);
    if (user != SP_OK || (user = fn(ctx, &b)) != SP_OK)
      break;
  }
  sqlite3_reset(st);
  if (user != SP_OK)
    return user;
  return rc == SQLITE_DONE ? SP_OK
                           : sp__svc_db_error(svc, err, "borrower list");
}

int sp_svc_data_add(sp_svc *svc, const sp_data_record *r, uint64_t *no,
                    sp_error *err) {
  assert(r->values_json != NULL && (unsigned)r->source < SP_SOURCE_COUNT);
  sqlite3_stmt *st = svc->st[SQ_DATA_ADD];
  sqlite3_bind_text(st, 1, r->borrower, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int(st, 2, (int)r->source);
  sqlite3_bind_int(st, 3, r->as_of);
  sqlite3_bind_text(st, 4, r->values_json, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64(st, 5, r->received);
  int rc = sp__svc_done(svc, st, "data", err);
  if (rc == SP_OK)
    *no = (uint64_t)sqlite3_last_insert_rowid(svc->db);
  return rc;
}

int sp_svc_data_list(sp_svc *svc, const char *borrower, size_t max,
                     sp_data_fn fn, void *ctx, sp_error *err) {
  sqlite3_stmt *st = svc->st[SQ_DATA_LIST];
  sqlite3_bind_text(st, 1, borrower, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64(st, 2, (sqlite3_int64)max);
  int rc, user = SP_OK;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    int source = sqlite3_column_int(st, 1);
    if (source < 0 || source >= SP_SOURCE_COUNT)
      continue;
    sp_data_record r = {
        .no = (uint64_t)sqlite3_column_int64(st, 0),
        .borrower = borrower,
        .source = (sp_source)source,
        .as_of = sqlite3_column_int(st, 2),
        .values_json = (const char *)sqlite3_column_text(st, 3),
        .received = sqlite3_column_int64(st, 4),
    };
    if ((user = fn(ctx, &r)) != SP_OK)
      break;
  }
  sqlite3_reset(st);
  if (user != SP_OK)
    return user;
  return rc == SQLITE_DONE ? SP_OK : sp__svc_db_error(svc, err, "data list");
}

int sp_svc_data_latest(sp_svc *svc, const char *borrower, sp_source source,
                       sp_data_fn fn, void *ctx, sp_error *err) {
  assert((unsigned)source < SP_SOURCE_COUNT);
  sqlite3_stmt *st = svc->st[SQ_DATA_LATEST];
  sqlite3_bind_text(st, 1, borrower, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int(st, 2, (int)source);
  int rc = sqlite3_step(st), user = SP_OK;
  if (rc == SQLITE_ROW) {
    sp_data_record r = {
        .no = (uint64_t)sqlite3_column_int64(st, 0),
        .borrower = borrower,
        .source = source,
        .as_of = sqlite3_column_int(st, 1),
        .values_json = (const char *)sqlite3_column_text(st, 2),
        .received = sqlite3_column_int64(st, 3),
    };
    user = fn(ctx, &r);
  }
  sqlite3_reset(st);
  if (rc == SQLITE_DONE)
    return sp_error_set(err, SP_ENOTFOUND, "source", "no %s data",
                        sp_source_name(source));
  return rc == SQLITE_ROW ? user : sp__svc_db_error(svc, err, "data latest");
}
