/* Credit applications decided on consented data (see sparrow/apply.h):
 * consent checks, the row assembled from the latest record of each source
 * and the application's own values, the decision, and its document. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sparrow/apply.h"
#include "sparrow/money.h"

#define SOURCES SP_SOURCE_COUNT
#define TEXT_MAX 256 /* one value as text */
#define PARTS_MAX 64 /* composition parts kept in the document */

struct sp_applier {
  sp_svc *svc; /* of the call in progress */
  sp_flow *flow;
  size_t n;               /* columns */
  char (*text)[TEXT_MAX]; /* one row's values */
  const char **fields;    /* pointers to them */
  int needed[SOURCES];    /* sources the flow reads */
};

int sp_applier_new(sp_flow *flow, sp_applier **out, sp_error *err) {
  sp_applier *a = calloc(1, sizeof *a);
  size_t n = sp_flow_column_count(flow);
  if (a != NULL) {
    a->text = calloc(n ? n : 1, sizeof *a->text);
    a->fields = calloc(n ? n : 1, sizeof *a->fields);
  }
  if (a == NULL || a->text == NULL || a->fields == NULL) {
    sp_applier_free(a);
    return sp_error_set(err, SP_ENOMEM, "flow", "out of memory");
  }
  a->flow = flow, a->n = n;
  for (size_t i = 0; i < n; i++) {
    a->fields[i] = sp_flow_column_name(flow, i);
    int s = sp_flow_column_source(flow, i);
    if (s >= 0 && s < SOURCES)
      a->needed[s] = 1;
  }
  int rc = sp_flow_bind(flow, a->fields, n, err);
  for (size_t i = 0; i < n; i++)
    a->fields[i] = a->text[i];
  if (rc != SP_OK) {
    sp_applier_free(a);
    return rc;
  }
  *out = a;
  return SP_OK;
}

void sp_applier_free(sp_applier *a) {
  if (a == NULL)
    return;
  free(a->text);
  free(a->fields);
  free(a);
}

const char *sp_apply_status(sp_decide_outcome o) {
  return o == SP_DECIDE_APPROVE ? "approved"
         : o == SP_DECIDE_REFER ? "referred"
                                : "declined";
}

typedef struct gathered {
  json_t *record[SOURCES]; /* latest record's values per source */
  json_t *values;          /* the application's */
  json_t *sources;         /* what the document says of them */
} gathered;

static int keep_record(void *ctx, const sp_data_record *rec) {
  json_t **slot = ctx;
  *slot = json_loads(rec->values_json, 0, NULL);
  return SP_OK;
}

/* Checks consent for every source the flow reads and loads its latest
 * record. */
static int gather(sp_applier *a, const sp_apply_request *req, gathered *g,
                  sp_error *err) {
  for (int s = 0; s < SOURCES; s++) {
    if (!a->needed[s])
      continue;
    uint64_t consent = 0;
    int rc = sp_svc_consent_check(a->svc, req->borrower, (sp_source)s,
                                  SP_PURPOSE_CREDIT_DECISION, req->at, &consent,
                                  err);
    if (rc == SP_ESTATE) {
      char why[sizeof err->message];
      snprintf(why, sizeof why, "%s", err->message);
      return sp_error_set(err, SP_ESTATE, "consent",
                          "%s data may not be used for this credit decision: "
                          "%s",
                          sp_source_name((sp_source)s), why);
    }
    if (rc == SP_OK)
      rc = sp_svc_data_latest(a->svc, req->borrower, (sp_source)s, keep_record,
                              &g->record[s], err);
    if (rc == SP_ENOTFOUND)
      sp_error_clear(err);
    else if (rc != SP_OK)
      return rc;
    char cid[32];
    snprintf(cid, sizeof cid, "C%llu", (unsigned long long)consent);
    json_array_append_new(g->sources,
                          json_pack("{s:s,s:s,s:b}", "source",
                                    sp_source_name((sp_source)s), "consent",
                                    cid, "data", g->record[s] != NULL));
  }
  return SP_OK;
}

/* One value as the flow reads it: text, "" for missing; -1 if it is not
 * a scalar. */
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

static int column_source(const sp_applier *a, const char *name) {
  for (size_t i = 0; i < a->n; i++)
    if (strcmp(sp_flow_column_name(a->flow, i), name) == 0)
      return sp_flow_column_source(a->flow, i);
  return -1;
}

/* Fills the row from the records and the application's values, and the
 * document's features. */
static int assemble(sp_applier *a, const gathered *g, json_t *features,
                    sp_error *err) {
  const char *key;
  json_t *v;
  json_object_foreach(g->values, key, v) {
    int s = column_source(a, key);
    if (s >= 0 && s < SOURCES)
      return sp_error_set(err, SP_EINVAL, "values",
                          "values.%.60s: %s data comes from the borrower's "
                          "consented records, not the application",
                          key, sp_source_name((sp_source)s));
  }
  for (size_t i = 0; i < a->n; i++) {
    const char *name = sp_flow_column_name(a->flow, i);
    int s = sp_flow_column_source(a->flow, i);
    const json_t *from = s >= 0 && s < SOURCES ? g->record[s] : g->values;
    if (value_text(json_object_get(from, name), a->text[i], TEXT_MAX) != 0)
      return sp_error_set(err, SP_EINVAL, "values", "%.60s: not a scalar",
                          name);
    json_object_set_new(features, name,
                        a->text[i][0] ? json_string(a->text[i]) : json_null());
  }
  return SP_OK;
}

static json_t *composition(const sp_applier *a) {
  json_t *parts = json_array();
  sp_decide_part part[PARTS_MAX];
  size_t n = sp_flow_composition(a->flow, part, PARTS_MAX);
  for (size_t i = 0; i < n; i++)
    json_array_append_new(
        parts, json_pack("{s:s,s:f,s:s}", "feature",
                         part[i].feature ? part[i].feature : "?", "points",
                         part[i].points, "text", part[i].text));
  return parts;
}

/* The decision document: everything but the status, review and line. */
static char *document(const sp_applier *a, const sp_apply_request *req,
                      const sp_apply_result *r, gathered *g, json_t *features) {
  const sp_decision *d = &r->decision;
  char rate[32], limit[32], offered[32], asked[32];
  sp_rate_format_percent(d->annual_rate, 2, rate, sizeof rate);
  sp_money_format(r->limit_fen, limit, sizeof limit);
  json_t *rules = json_array(), *reasons = json_array();
  for (int i = 0; i < d->n_rules; i++)
    json_array_append_new(rules, json_string(d->rules_fired[i]));
  for (int i = 0; i < d->n_reasons; i++)
    json_array_append_new(reasons, json_string(d->reasons[i]));
  json_t *o = json_pack("{s:s,s:f,s:f,s:s,s:s,s:o,s:o,s:o,s:O,s:O}", "decision",
                        r->status, "score", d->score, "pd", d->pd, "limit",
                        limit, "annual_rate", rate, "rules", rules, "reasons",
                        reasons, "composition", composition(a), "sources",
                        g->sources, "features", features);
  if (o != NULL && req->amount_fen > 0) {
    sp_money_format(req->amount_fen, asked, sizeof asked);
    sp_money_format(d->limit_fen, offered, sizeof offered);
    json_object_set_new(o, "requested", json_string(asked));
    json_object_set_new(o, "limit_offered", json_string(offered));
  }
  char *text = o ? json_dumps(o, JSON_COMPACT) : NULL;
  json_decref(o);
  return text;
}

static int decide(sp_applier *a, const sp_apply_request *req, gathered *g,
                  sp_apply_result *out, sp_error *err) {
  json_t *features = json_object();
  int rc = assemble(a, g, features, err);
  if (rc == SP_OK && sp_flow_decide(a->flow, a->fields, a->n, 1, &out->decision,
                                    err) != SP_OK) {
    char why[sizeof err->message];
    snprintf(why, sizeof why, "%s", err->message);
    rc = sp_error_set(err, SP_EINVAL, "values", "%s", why);
  }
  char *doc = NULL;
  if (rc == SP_OK) {
    out->status = sp_apply_status(out->decision.outcome);
    out->limit_fen = out->decision.limit_fen;
    if (req->amount_fen > 0 && req->amount_fen < out->limit_fen)
      out->limit_fen = req->amount_fen;
    doc = document(a, req, out, g, features);
    if (doc == NULL)
      rc = sp_error_set(err, SP_ENOMEM, "", "out of memory");
  }
  json_decref(features);
  if (rc == SP_OK) {
    sp_application app = {.created = req->at, .doc = doc};
    snprintf(app.id, sizeof app.id, "%s", req->id);
    snprintf(app.borrower, sizeof app.borrower, "%s", req->borrower);
    snprintf(app.decision, sizeof app.decision, "%s", out->status);
    rc = sp_svc_app_put(a->svc, &app, err);
  }
  if (rc == SP_OK)
    out->doc = doc;
  else
    free(doc);
  return rc;
}

int sp_apply(sp_applier *a, sp_svc *svc, const sp_apply_request *req,
             sp_apply_result *out, sp_error *err) {
  memset(out, 0, sizeof *out);
  a->svc = svc;
  sp_borrower b;
  if (sp_svc_borrower_get(svc, req->borrower, &b, err) != SP_OK)
    return sp_error_set(err, SP_ENOTFOUND, "borrower", "no borrower '%.40s'",
                        req->borrower);
  gathered g = {.sources = json_array()};
  g.values =
      req->values_json ? json_loads(req->values_json, 0, NULL) : json_object();
  int rc = SP_OK;
  if (!json_is_object(g.values))
    rc = sp_error_set(err, SP_EINVAL, "values", "values: a JSON object");
  if (rc == SP_OK)
    rc = gather(a, req, &g, err);
  if (rc == SP_OK)
    rc = decide(a, req, &g, out, err);
  for (int s = 0; s < SOURCES; s++)
    json_decref(g.record[s]);
  json_decref(g.values);
  json_decref(g.sources);
  return rc;
}
