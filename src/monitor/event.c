/* Events from JSON Lines and CSV. Both readers reduce a record to the
 * text of its nine possible members (NULL when absent) and share one
 * checker, so the two formats accept exactly the same events. Errors name
 * the member, with the line as the error's line. */
#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "monitor/monitor_int.h"
#include "sparrow/money.h"

enum {
  M_ID,
  M_BORROWER,
  M_KIND,
  M_TIME,
  M_AMOUNT,
  M_VALUE,
  M_STATUS,
  M_PARTY,
  M_PARTY_TYPE,
  M_COUNT
};

static const char *const member_names[M_COUNT] = {
    "id",     "borrower",     "kind",
    "time",   "amount",       "value",
    "status", "counterparty", "counterparty_type"};

static int is_count_kind(int kind) {
  return kind == SP_MONITOR_UTILITY_ELECTRICITY ||
         kind == SP_MONITOR_UTILITY_WATER ||
         kind == SP_MONITOR_SOCIAL_INSURANCE || kind == SP_MONITOR_LOGISTICS;
}

static int bad(sp_error *err, int member, long line, const char *what) {
  return sp_error_set_at(err, SP_EINVAL, member_names[member], (int)line, 0,
                         "line %ld: %s: %s", line, member_names[member], what);
}

static int copy_id(const char *text, int member, long line, char *out,
                   sp_error *err) {
  if (text == NULL || text[0] == '\0')
    return bad(err, member, line, "missing");
  if (strlen(text) >= SP_MONITOR_ID_MAX)
    return bad(err, member, line, "longer than 31 bytes");
  memcpy(out, text, strlen(text) + 1);
  return SP_OK;
}

static int parse_count(const char *text, int member, long line, int64_t *out,
                       sp_error *err) {
  char *end = NULL;
  errno = 0;
  long long v = strtoll(text, &end, 10);
  if (text[0] < '0' || text[0] > '9' || *end != '\0' || errno != 0 ||
      v > SP_AMOUNT_FEN_MAX)
    return bad(err, member, line, "must be an integer from 0 to 10^15");
  *out = (int64_t)v;
  return SP_OK;
}

/* amount for money kinds, value for counts; logistics and court filings
 * may leave theirs out (1 parcel, 0 fen). */
static int parse_value(const char *const *t, sp_monitor_event *ev, long line,
                       sp_error *err) {
  int counts = is_count_kind(ev->kind);
  int want = counts ? M_VALUE : M_AMOUNT, other = counts ? M_AMOUNT : M_VALUE;
  if (t[other] != NULL)
    return bad(err, other, line,
               counts ? "not for this kind (use value)"
                      : "not for this kind (use amount, in fen)");
  if (t[want] != NULL)
    return parse_count(t[want], want, line, &ev->value, err);
  if (ev->kind == SP_MONITOR_LOGISTICS || ev->kind == SP_MONITOR_COURT_FILING) {
    ev->value = ev->kind == SP_MONITOR_LOGISTICS;
    return SP_OK;
  }
  return bad(err, want, line, "missing");
}

static int parse_extras(const char *const *t, sp_monitor_event *ev, long line,
                        sp_error *err) {
  static const char *const statuses[] = {"collected", "in_transit", "stuck",
                                         "delivered"};
  int logistics = ev->kind == SP_MONITOR_LOGISTICS;
  int account = ev->kind == SP_MONITOR_ACCOUNT_DEBIT ||
                ev->kind == SP_MONITOR_ACCOUNT_CREDIT;
  if ((t[M_STATUS] != NULL) != logistics)
    return bad(err, M_STATUS, line,
               logistics ? "missing" : "only for logistics events");
  for (int i = 0; logistics && i < 4; i++)
    if (strcmp(t[M_STATUS], statuses[i]) == 0)
      ev->status = (sp_monitor_status)(i + 1);
  if (logistics && ev->status == SP_MONITOR_STATUS_NONE)
    return bad(err, M_STATUS, line,
               "must be collected, in_transit, stuck or delivered");
  for (int m = M_PARTY; m <= M_PARTY_TYPE; m++)
    if (t[m] != NULL && !account)
      return bad(err, m, line, "only for account_debit/account_credit");
  const char *pt = t[M_PARTY_TYPE];
  if (pt != NULL)
    ev->counterparty_type =
        strcmp(pt, "securities") == 0    ? SP_MONITOR_PARTY_SECURITIES
        : strcmp(pt, "real_estate") == 0 ? SP_MONITOR_PARTY_REAL_ESTATE
                                         : SP_MONITOR_PARTY_OTHER;
  return SP_OK;
}

static int fill(const char *const *t, long line, sp_monitor_event *ev,
                sp_error *err) {
  memset(ev, 0, sizeof *ev);
  int rc = copy_id(t[M_ID], M_ID, line, ev->id, err);
  if (rc == SP_OK)
    rc = copy_id(t[M_BORROWER], M_BORROWER, line, ev->borrower, err);
  if (rc != SP_OK)
    return rc;
  int kind =
      t[M_KIND] ? sp_monitor_series_find(t[M_KIND], strlen(t[M_KIND])) : -1;
  if (kind < 0 || kind >= SP_MONITOR_KINDS)
    return bad(err, M_KIND, line, t[M_KIND] ? "unknown kind" : "missing");
  ev->kind = (sp_monitor_kind)kind;
  if (t[M_TIME] == NULL)
    return bad(err, M_TIME, line, "missing");
  sp_error e;
  if (sp_time_parse(t[M_TIME], "time", &ev->time, &e) != SP_OK)
    return bad(err, M_TIME, line, "not an ISO 8601 time");
  if ((rc = parse_value(t, ev, line, err)) != SP_OK)
    return rc;
  return parse_extras(t, ev, line, err);
}

static int member_index(const char *key) {
  for (int i = 0; i < M_COUNT; i++)
    if (strcmp(key, member_names[i]) == 0)
      return i;
  return -1;
}

static int json_members(json_t *root, long line, const char **t,
                        char num[2][24], sp_error *err) {
  const char *key;
  json_t *v;
  json_object_foreach(root, key, v) {
    int i = member_index(key);
    if (i < 0)
      return sp_error_set_at(err, SP_EINVAL, key, (int)line, 0,
                             "line %ld: %s: unknown member", line, key);
    if (i == M_AMOUNT || i == M_VALUE) {
      if (!json_is_integer(v))
        return bad(err, i, line, "must be a non-negative integer");
      snprintf(num[i - M_AMOUNT], 24, "%" JSON_INTEGER_FORMAT,
               json_integer_value(v));
      t[i] = num[i - M_AMOUNT];
    } else if (json_is_string(v)) {
      t[i] = json_string_value(v);
    } else {
      return bad(err, i, line, "must be a string");
    }
  }
  return SP_OK;
}

int sp_monitor_event_parse_json(const char *text, size_t len, long line_no,
                                sp_monitor_event *out, sp_error *err) {
  assert(text != NULL && out != NULL);
  if (len > SP_MONITOR_LINE_MAX)
    return sp_error_set_at(err, SP_ELIMIT, "line", (int)line_no, 0,
                           "line %ld: longer than %d bytes", line_no,
                           SP_MONITOR_LINE_MAX);
  json_error_t jerr;
  json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
  if (root == NULL || !json_is_object(root)) {
    json_decref(root);
    return sp_error_set_at(err, SP_EPARSE, "line", (int)line_no,
                           root ? 1 : jerr.column,
                           "line %ld: not a JSON object", line_no);
  }
  const char *t[M_COUNT] = {0};
  char num[2][24];
  int rc = json_members(root, line_no, t, num, err);
  if (rc == SP_OK)
    rc = fill(t, line_no, out, err);
  json_decref(root);
  return rc;
}

int sp_monitor_csv_header(const sp_csv *csv, sp_monitor_csv_columns *out,
                          sp_error *err) {
  assert(csv != NULL && out != NULL);
  for (int i = 0; i < M_COUNT; i++)
    out->at[i] = -1;
  for (int c = 0; c < sp_csv_count(csv); c++) {
    const char *name = sp_csv_field(csv, c, NULL);
    int i = member_index(name);
    if (i < 0 || out->at[i] >= 0)
      return sp_error_set_at(err, SP_EINVAL, name, 1, c + 1,
                             "line 1: column '%s' %s", name,
                             i < 0 ? "unknown" : "repeated");
    out->at[i] = c;
  }
  for (int i = M_ID; i <= M_TIME; i++)
    if (out->at[i] < 0)
      return sp_error_set_at(err, SP_EINVAL, member_names[i], 1, 0,
                             "line 1: column '%s' missing", member_names[i]);
  return SP_OK;
}

int sp_monitor_event_from_csv(const sp_csv *csv,
                              const sp_monitor_csv_columns *cols,
                              sp_monitor_event *out, sp_error *err) {
  assert(csv != NULL && cols != NULL && out != NULL);
  long line = sp_csv_line(csv);
  const char *t[M_COUNT] = {0};
  for (int i = 0; i < M_COUNT; i++) {
    int c = cols->at[i];
    if (c >= 0 && c < sp_csv_count(csv) && sp_csv_field(csv, c, NULL)[0])
      t[i] = sp_csv_field(csv, c, NULL);
  }
  return fill(t, line, out, err);
}
