/* Credit applications over HTTP: decided and recorded by sparrow/apply.h
 * (on the borrower's consented data, with reasons and the data and
 * consents used), shown with their status, review and line; the review
 * queue for referred ones. A source without consent is 409
 * consent_required; an unusable value 422 naming "values". */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/http_int.h"

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

/* A new application's answer: its stored document with the record's
 * fields spliced in (no second read, no second parse). */
static void reply_new(sp__req *r, const sp_apply_request *q,
                      sp_apply_result *res) {
  json_t *tail = json_pack("{s:s,s:s,s:s,s:o,s:n,s:n}", "id", q->id, "borrower",
                           q->borrower, "status", res->status, "created",
                           sp__json_time(q->at), "review", "line");
  char *t = tail ? json_dumps(tail, JSON_COMPACT) : NULL;
  json_decref(tail);
  size_t dl = strlen(res->doc), tl = t ? strlen(t) : 0;
  char *body = t && dl >= 2 && tl >= 2 ? malloc(dl + tl + 1) : NULL;
  if (body == NULL) {
    free(t);
    free(res->doc);
    sp__fail(r, 500, "internal", "", "out of memory");
    return;
  }
  /* "{doc...}" + "{tail...}" -> "{doc...,tail...}\n" */
  memcpy(body, res->doc, dl - 1);
  body[dl - 1] = ',';
  memcpy(body + dl, t + 1, tl - 1);
  body[dl + tl - 1] = '\n'; /* as every answer ends */
  body[dl + tl] = '\0';
  free(t);
  free(res->doc);
  r->status = 201;
  r->resp = body;
  r->resp_len = dl + tl;
}

void sp__h_application_post(sp__req *r) {
  if (r->srv->applier == NULL) {
    sp__fail(r, 503, "no_decision_flow", "",
             "the server was started without a decision flow (--flow)");
    return;
  }
  sp_apply_request q = {.id = sp__str(r, "id"),
                        .borrower = sp__str(r, "borrower"),
                        .amount_fen = sp__money(r, "amount")};
  if (sp__time_field(r, "at", &q.at) != 0)
    return;
  json_t *values = json_object_get(r->json, "values");
  if (values != NULL && !json_is_object(values)) {
    sp__fail(r, 400, "wrong_type", "values", "values: an object");
    return;
  }
  char *text = values ? json_dumps(values, JSON_COMPACT) : NULL;
  q.values_json = text;
  sp_apply_result res;
  sp_error err;
  sp_error_clear(&err);
  int rc = values && !text
               ? sp_error_set(&err, SP_ENOMEM, "values", "out of memory")
               : sp_apply(r->srv->applier, r->srv->svc, &q, &res, &err);
  free(text);
  if (rc == SP_ESTATE && strcmp(err.field, "consent") == 0)
    sp__fail(r, 409, "consent_required", "consent", "%s", err.message);
  else if (rc == SP_EINVAL && strcmp(err.field, "values") == 0)
    sp__fail(r, 422, "invalid_value", "values", "%s", err.message);
  else if (rc != SP_OK)
    sp__fail_err(r, &err, NULL);
  if (rc != SP_OK)
    return;
  sp__metrics_decision(&r->srv->metrics, res.decision.outcome);
  reply_new(r, &q, &res);
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
