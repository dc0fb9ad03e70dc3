/* Credit applications: a decision through the server's decision flow
 * (sparrow/decide.h) on the borrower's consented data, recorded with its
 * reasons; the review queue for referred ones.
 *
 * The row the flow decides on is assembled column by column. A column
 * whose schema source is one a borrower consents to (tax ... judicial)
 * comes from the borrower's latest data record of that source, and only
 * under a consent for credit decisions valid at the decision's time: a
 * missing consent refuses the application (409) and stores nothing. Other
 * columns (bureau, internal, and model features the schema does not name)
 * come from the application's own "values". A value absent everywhere is
 * missing, which the rules and the model handle as such.
 *
 * The decision document stored with the application lists every value
 * used and, per source, the record and the consent it came under, so that
 * the decision can be explained and audited later. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/http_int.h"
#include "sparrow/money.h"

#define SOURCES_ALL (SP_SOURCE_JUDICIAL + 1)

typedef struct assembled {
  json_t *record[SOURCES_ALL]; /* latest record's values per source */
  json_t *sources;             /* what the document says of them */
} assembled;

static int keep_record(void *ctx, const sp_data_record *rec) {
  json_t **slot = ctx;
  *slot = json_loads(rec->values_json, 0, NULL);
  return SP_OK;
}

/* Checks consent for every source the flow reads and loads its latest
 * record; 0, or -1 after replying. */
static int gather_sources(sp__req *r, const char *borrower, sp_time at,
                          assembled *a) {
  const sp_http_server *srv = r->srv;
  int needed[SOURCES_ALL] = {0};
  for (size_t i = 0; i < sp_flow_column_count(srv->flow); i++) {
    int s = sp_flow_column_source(srv->flow, i);
    if (s >= 0 && s < SOURCES_ALL)
      needed[s] = 1;
  }
  for (int s = 0; s < SOURCES_ALL; s++) {
    if (!needed[s])
      continue;
    sp_error err;
    sp_error_clear(&err);
    uint64_t consent = 0;
    int rc =
        sp_svc_consent_check(r->srv->svc, borrower, (sp_source)s,
                             SP_PURPOSE_CREDIT_DECISION, at, &consent, &err);
    if (rc == SP_ESTATE) {
      sp__fail(r, 409, "consent_required", "consent",
               "%s data may not be used for this credit decision: %s",
               sp_source_name((sp_source)s), err.message);
      return -1;
    }
    if (rc == SP_OK)
      rc = sp_svc_data_latest(r->srv->svc, borrower, (sp_source)s, keep_record,
                              &a->record[s], &err);
    if (rc != SP_OK && rc != SP_ENOTFOUND) {
      sp__fail_err(r, &err, NULL);
      return -1;
    }
    char cid[32];
    snprintf(cid, sizeof cid, "C%llu", (unsigned long long)consent);
    json_array_append_new(a->sources,
                          json_pack("{s:s,s:s,s:b}", "source",
                                    sp_source_name((sp_source)s), "consent",
                                    cid, "data", a->record[s] != NULL));
  }
  return 0;
}

/* One value as the flow reads it: text, "" for missing; -1 if its type
 * is not a scalar. */
static int value_text(const json_t *v, char *out, size_t cap) {
  out[0] = '\0';
  if (v == NULL || json_is_null(v))
    return 0;
  if (json_is_string(v))
    snprintf(out, cap, "%s", json_string_value(v));
  else if (json_is_integer(v))
    snprintf(out, cap, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
  else if (json_is_real(v))
    snprintf(out, cap, "%.17g", json_real_value(v));
  else if (json_is_boolean(v))
    snprintf(out, cap, "%d", json_is_true(v));
  else
    return -1;
  return 0;
}

/* Fills the server's row from the records and the application's values;
 * records the features in the document. 0, or -1 after replying. */
static int assemble_row(sp__req *r, const assembled *a, json_t *features) {
  sp_http_server *srv = r->srv;
  json_t *values = json_object_get(r->json, "values");
  const char *key;
  json_t *v;
  json_object_foreach(values, key, v) {
    size_t i = 0, n = sp_flow_column_count(srv->flow);
    while (i < n && strcmp(sp_flow_column_name(srv->flow, i), key) != 0)
      i++;
    int s = i < n ? sp_flow_column_source(srv->flow, i) : -1;
    if (s >= 0 && s < SOURCES_ALL) {
      sp__fail(r, 422, "invalid_value", "values",
               "values.%.60s: %s data comes from the borrower's consented "
               "records, not the application",
               key, sp_source_name((sp_source)s));
      return -1;
    }
  }
  for (size_t i = 0; i < sp_flow_column_count(srv->flow); i++) {
    const char *name = sp_flow_column_name(srv->flow, i);
    int s = sp_flow_column_source(srv->flow, i);
    const json_t *from = s >= 0 && s < SOURCES_ALL ? a->record[s] : values;
    char *text = srv->flow_text[i];
    if (value_text(json_object_get(from, name), text, SP__FLOW_TEXT_MAX)) {
      sp__fail(r, 422, "invalid_value", "values", "%.60s: not a scalar", name);
      return -1;
    }
    srv->flow_fields[i] = text;
    json_object_set_new(features, name,
                        text[0] ? json_string(text) : json_null());
  }
  return 0;
}

static json_t *strings(const char (*s)[SP_DECIDE_TEXT_MAX], int n) {
  json_t *a = json_array();
  for (int i = 0; i < n; i++)
    json_array_append_new(a, json_string(s[i]));
  return a;
}

static const char *status_of(sp_decide_outcome o) {
  return o == SP_DECIDE_APPROVE ? "approved"
         : o == SP_DECIDE_REFER ? "referred"
                                : "declined";
}

/* The decision document: everything but the status, review and line. */
static json_t *decision_doc(sp__req *r, const sp_decision *d, int64_t limit_fen,
                            assembled *a, json_t *features) {
  char rate[32];
  sp_rate_format_percent(d->annual_rate, 2, rate, sizeof rate);
  json_t *rules = json_array();
  for (int i = 0; i < d->n_rules; i++)
    json_array_append_new(rules, json_string(d->rules_fired[i]));
  json_t *parts = json_array();
  sp_decide_part part[64];
  size_t n = sp_flow_composition(r->srv->flow, part, 64);
  for (size_t i = 0; i < n; i++)
    json_array_append_new(
        parts, json_pack("{s:s,s:f,s:s}", "feature",
                         part[i].feature ? part[i].feature : "?", "points",
                         part[i].points, "text", part[i].text));
  json_t *o =
      json_pack("{s:s,s:f,s:f,s:o,s:s,s:o,s:o,s:o,s:O,s:o}", "decision",
                status_of(d->outcome), "score", d->score, "pd", d->pd, "limit",
                sp__json_money(limit_fen), "annual_rate", rate, "rules", rules,
                "reasons", strings(d->reasons, d->n_reasons), "composition",
                parts, "sources", a->sources, "features", features);
  int64_t asked = sp__money(r, "amount");
  if (o != NULL && asked > 0) {
    json_object_set_new(o, "requested", sp__json_money(asked));
    json_object_set_new(o, "limit_offered", sp__json_money(d->limit_fen));
  }
  return o;
}

/* The application as the API shows it: the document plus the record. */
static int app_json(void *ctx, const sp_application *a) {
  json_t **out = ctx;
  json_t *o = json_loads(a->doc, 0, NULL);
  if (o == NULL)
    o = json_object();
  json_object_set_new(o, "id", json_string(a->id));
  json_object_set_new(o, "borrower", json_string(a->borrower));
  json_object_set_new(o, "status", json_string(a->status));
  json_object_set_new(o, "created", sp__json_time(a->created));
  json_object_set_new(o, "review",
                      a->reviewer[0]
                          ? json_pack("{s:s,s:s,s:o}", "reviewer", a->reviewer,
                                      "note", a->note, "at",
                                      sp__json_time(a->reviewed))
                          : json_null());
  json_object_set_new(o, "line",
                      a->line[0] ? json_string(a->line) : json_null());
  if (json_is_array(*out))
    json_array_append_new(*out, o);
  else
    *out = o;
  return SP_OK;
}

static void reply_app(sp__req *r, int status, const char *id) {
  sp_error err;
  json_t *o = NULL;
  if (sp_svc_app_get(r->srv->svc, id, app_json, &o, &err) != SP_OK) {
    sp__fail_err(r, &err, NULL);
    return;
  }
  sp__reply(r, status, o);
}

/* Decides and stores; 0, or -1 after replying. */
static int decide_and_store(sp__req *r, sp_time at, assembled *a) {
  json_t *features = json_object();
  if (assemble_row(r, a, features) != 0) {
    json_decref(features);
    return -1;
  }
  sp_decision d;
  sp_error err;
  sp_error_clear(&err);
  sp_http_server *srv = r->srv;
  if (sp_flow_decide(srv->flow, (const char *const *)srv->flow_fields,
                     sp_flow_column_count(srv->flow), 1, &d, &err) != SP_OK) {
    json_decref(features);
    sp__fail(r, 422, "invalid_value", "values", "%s", err.message);
    return -1;
  }
  int64_t limit = d.limit_fen, asked = sp__money(r, "amount");
  if (asked > 0 && asked < limit)
    limit = asked;
  json_t *doc = decision_doc(r, &d, limit, a, features);
  char *text = doc ? json_dumps(doc, JSON_COMPACT) : NULL;
  json_decref(doc);
  sp_application app = {.created = at, .doc = text};
  snprintf(app.id, sizeof app.id, "%s", sp__str(r, "id"));
  snprintf(app.borrower, sizeof app.borrower, "%s", sp__str(r, "borrower"));
  snprintf(app.decision, sizeof app.decision, "%s", status_of(d.outcome));
  int rc = text ? sp_svc_app_put(srv->svc, &app, &err)
                : sp_error_set(&err, SP_ENOMEM, "", "out of memory");
  free(text);
  if (rc != SP_OK) {
    sp__fail_err(r, &err, NULL);
    return -1;
  }
  sp__metrics_decision(&srv->metrics, d.outcome);
  return 0;
}

void sp__h_application_post(sp__req *r) {
  if (r->srv->flow == NULL) {
    sp__fail(r, 503, "no_decision_flow", "",
             "the server was started without a decision flow (--flow)");
    return;
  }
  const char *borrower = sp__str(r, "borrower");
  sp_borrower b;
  sp_error err;
  sp_time at;
  if (sp_svc_borrower_get(r->srv->svc, borrower, &b, &err) != SP_OK) {
    sp__fail(r, 404, "not_found", "borrower", "no borrower '%.40s'", borrower);
    return;
  }
  if (sp__time_field(r, "at", &at) != 0)
    return;
  json_t *values = json_object_get(r->json, "values");
  if (values != NULL && !json_is_object(values)) {
    sp__fail(r, 400, "invalid_type", "values", "values: an object");
    return;
  }
  assembled a = {.sources = json_array()};
  if (gather_sources(r, borrower, at, &a) == 0 &&
      decide_and_store(r, at, &a) == 0)
    reply_app(r, 201, sp__str(r, "id"));
  for (int s = 0; s < SOURCES_ALL; s++)
    json_decref(a.record[s]);
  json_decref(a.sources);
}

void sp__h_application_get(sp__req *r) { reply_app(r, 200, r->params[0]); }

void sp__h_application_list(sp__req *r) {
  const char *status = sp__arg(r, "status");
  if (status != NULL && strcmp(status, "approved") != 0 &&
      strcmp(status, "referred") != 0 && strcmp(status, "declined") != 0) {
    sp__fail(r, 400, "invalid_value", "status",
             "status: approved, referred or declined");
    return;
  }
  json_t *list = json_array();
  sp_error err;
  if (sp_svc_app_list(r->srv->svc, status, 200, app_json, &list, &err) !=
      SP_OK) {
    json_decref(list);
    sp__fail_err(r, &err, NULL);
    return;
  }
  sp__reply(r, 200, json_pack("{s:o}", "applications", list));
}

void sp__h_application_review(sp__req *r) {
  const char *d = sp__str(r, "decision");
  const char *status = strcmp(d, "approve") == 0   ? "approved"
                       : strcmp(d, "decline") == 0 ? "declined"
                                                   : NULL;
  if (status == NULL) {
    sp__fail(r, 400, "invalid_value", "decision",
             "decision: approve or decline");
    return;
  }
  sp_error err;
  sp_error_clear(&err);
  json_t *o = NULL;
  int rc = sp_svc_app_get(r->srv->svc, r->params[0], app_json, &o, &err);
  json_decref(o);
  if (rc == SP_OK)
    rc = sp_svc_app_review(r->srv->svc, r->params[0], status,
                           sp_role_name(r->role), sp__str(r, "note"), r->now,
                           &err);
  if (rc != SP_OK) {
    sp__fail_err(r, &err, NULL);
    return;
  }
  reply_app(r, 200, r->params[0]);
}
