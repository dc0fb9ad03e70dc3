/* Credit applications over HTTP: decided and recorded by sparrow/apply.h
 * (on the borrower's consented data, with reasons and the data and
 * consents used), shown with their status, review and line; the review
 * queue for referred ones. A source without consent is 409
 * consent_required; an unusable value 422 naming "values". */
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/http_int.h"
#include "sparrow/jw.h"

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
 * fields spliced in (no second read, no second parse). Rebuilt the same,
 * byte for byte, when its Idempotency-Key is sent again. */
static void answer(sp__req *r, const char *id, const char *borrower,
                   const char *status, sp_time created, const char *doc) {
  char when[32];
  sp_time_format(created, when);
  size_t dl = strlen(doc);
  if (dl < 2 || doc[dl - 1] != '}') {
    sp__fail(r, 500, "internal", "", "application %s has no document", id);
    return;
  }
  /* "{doc...}" -> "{doc...,"id":...,"line":null}", in one buffer */
  sp_jw w;
  sp_jw_init(&w);
  sp_jw_raw(&w, doc, dl - 1);
  sp_jw_raw(&w, ",\"id\":", 6);
  sp_jw_str(&w, id);
  sp_jw_raw(&w, ",\"borrower\":", 12);
  sp_jw_str(&w, borrower);
  sp_jw_raw(&w, ",\"status\":", 10);
  sp_jw_str(&w, status);
  sp_jw_raw(&w, ",\"created\":", 11);
  sp_jw_str(&w, when);
  sp_jw_raw(&w, ",\"review\":null,\"line\":null}", 27);
  sp__reply_jw(r, 201, &w);
}

static void reply_new(sp__req *r, const sp_apply_request *q,
                      const sp_apply_result *res) {
  answer(r, q->id, q->borrower, res->status, q->at, res->doc);
}

static int first_answer(void *ctx, const sp_application *a) {
  sp__req *r = ctx;
  answer(r, a->id, a->borrower, a->decision, a->created, a->doc);
  return SP_OK;
}

int sp__application_replay(sp__req *r, const char *id, sp_error *err) {
  assert(r->resp == NULL);
  int rc = sp_svc_app_get(r->srv->svc, id, first_answer, r, err);
  if (rc == SP_ENOTFOUND) { /* never stored without it */
    sp__fail(r, 500, "internal", "", "application %s is missing", id);
    sp_error_clear(err);
    return SP_OK;
  }
  return rc;
}

/* The request as sp/apply.h takes it; -1 after replying. */
static int app_request(sp__req *r, sp_apply_request *q) {
  *q = (sp_apply_request){.id = sp__str(r, "id"),
                          .borrower = sp__str(r, "borrower"),
                          .amount_fen = sp__money(r, "amount")};
  if (sp__time_field(r, "at", &q->at) != 0)
    return -1;
  q->values = sp__value(r, "values"); /* an object, or NULL (the route's
                                         fields are checked) */
  return 0;
}

/* A refused application's answer. */
static void app_refused(sp__req *r, int rc, const sp_error *err) {
  if (rc == SP_ESTATE && strcmp(err->field, "consent") == 0)
    sp__fail(r, 409, "consent_required", "consent", "%s", err->message);
  else if (rc == SP_EINVAL && strcmp(err->field, "values") == 0)
    sp__fail(r, 422, "invalid_value", "values", "%s", err->message);
  else
    sp__fail_err(r, err, NULL);
}

void sp__h_application_post(sp__req *r) {
  if (r->srv->applier == NULL) {
    sp__fail(r, 503, "no_decision_flow", "",
             "the server was started without a decision flow (--flow)");
    return;
  }
  sp_apply_request q;
  if (app_request(r, &q) != 0)
    return;
  sp_apply_result res;
  sp_error err;
  sp_error_clear(&err);
  int rc = sp_apply(r->srv->applier, r->srv->svc, &q, &res, &err);
  if (rc != SP_OK) {
    app_refused(r, rc, &err);
    return;
  }
  sp__metrics_decision(&r->srv->metrics, res.decision.outcome);
  reply_new(r, &q, &res);
  free(res.doc);
}

void sp__application_prepare(sp__req *r, sp_applier *a, sp_svc *reader,
                             uint64_t gen) {
  assert(r->prepared == NULL && r->resp == NULL);
  sp_apply_request q;
  if (app_request(r, &q) != 0)
    return;
  q.gen = gen;
  sp__prepared *p = &r->prep;
  sp_error err;
  sp_error_clear(&err);
  int rc = sp_apply_decide(a, reader, &q, &p->res, &err);
  if (rc != SP_OK) {
    if (rc != SP_ESTORE && rc != SP_ENOMEM)
      app_refused(r, rc, &err); /* else left to the committer */
    return;
  }
  snprintf(p->id, sizeof p->id, "%s", q.id);
  snprintf(p->borrower, sizeof p->borrower, "%s", q.borrower);
  p->at = q.at;
  reply_new(r, &q, &p->res);
  if (r->status == 201) {
    r->prepared = p;
  } else {
    free(p->res.doc);
    p->res.doc = NULL;
  }
}

int sp__application_record(sp__req *r, sp_error *err) {
  sp__prepared *p = r->prepared;
  assert(p != NULL && r->status == 201);
  sp_apply_request q = {.id = p->id, .borrower = p->borrower, .at = p->at};
  int rc = sp_apply_record(r->srv->svc, &q, &p->res, err);
  if (rc == SP_EEXISTS) {
    free(r->resp);
    r->resp = NULL;
    sp__fail_err(r, err, NULL);
    sp_error_clear(err);
    return SP_OK;
  }
  if (rc == SP_OK)
    sp__metrics_decision(&r->srv->metrics, p->res.decision.outcome);
  return rc;
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
