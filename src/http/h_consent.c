/* Handlers for consent: record, list with status, revoke, and check. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/http_int.h"

static json_t *consent_json(const sp_consent *c, sp_time at) {
  char id[32];
  snprintf(id, sizeof id, "C%llu", (unsigned long long)c->no);
  json_t *scope = json_array();
  for (int p = 0; p < SP_PURPOSE_COUNT; p++)
    if (c->purposes & (1u << p))
      json_array_append_new(scope, json_string(sp_purpose_name((sp_purpose)p)));
  json_t *o = json_pack("{s:s,s:s,s:s,s:o,s:o,s:o,s:s}", "id", id, "borrower",
                        c->borrower, "source", sp_source_name(c->source),
                        "scope", scope, "granted", sp__json_time(c->granted),
                        "expires", sp__json_time(c->expires), "status",
                        sp_consent_status_name(sp_consent_status_at(c, at)));
  if (o != NULL && c->revoked != 0)
    json_object_set_new(o, "revoked", sp__json_time(c->revoked));
  return o;
}

static int borrower_exists(sp__req *r) {
  sp_borrower b;
  sp_error err;
  sp_error_clear(&err);
  if (sp_svc_borrower_get(r->srv->svc, r->params[0], &b, &err) != SP_OK) {
    sp__fail_err(r, &err, NULL);
    return 0;
  }
  return 1;
}

void sp__h_consent_post(sp__req *r) {
  if (!borrower_exists(r))
    return;
  sp_consent c = {.granted = r->now};
  snprintf(c.borrower, sizeof c.borrower, "%s", r->params[0]);
  sp_error err;
  sp_error_clear(&err);
  int rc = sp_source_parse(sp__str(r, "source"), "source", &c.source, &err);
  const sp_jr_value *scope = sp__value(r, "scope");
  for (const sp_jr_value *e = sp_jr_first(scope); rc == SP_OK && e;
       e = sp_jr_next(scope, e)) {
    sp_purpose p;
    rc = sp_purpose_parse(e->s, "scope", &p, &err);
    if (rc == SP_OK)
      c.purposes |= 1u << p;
  }
  if (rc == SP_OK &&
      sp_time_parse(sp__str(r, "expires"), "expires", &c.expires, &err) ==
          SP_OK &&
      c.expires <= r->now)
    rc = sp_error_set(&err, SP_ERANGE, "expires",
                      "expires: must be in the future");
  if (rc == SP_OK)
    rc = sp_svc_consent_add(r->srv->svc, &c, &c.no, &err);
  if (rc != SP_OK) {
    sp__fail_err(r, &err, NULL);
    return;
  }
  sp__reply(r, 201, consent_json(&c, r->now));
}

typedef struct list_ctx {
  json_t *list;
  sp_time at;
} list_ctx;

static int add_consent(void *ctx, const sp_consent *c) {
  list_ctx *l = ctx;
  json_t *o = consent_json(c, l->at);
  if (o == NULL)
    return SP_ENOMEM;
  json_array_append_new(l->list, o);
  return SP_OK;
}

void sp__h_consent_list(sp__req *r) {
  list_ctx l = {.list = json_array()};
  if (!borrower_exists(r) || sp__time_arg(r, "at", &l.at) != 0) {
    json_decref(l.list);
    return;
  }
  sp_error err;
  sp_error_clear(&err);
  if (sp_svc_consent_list(r->srv->svc, r->params[0], add_consent, &l, &err) !=
      SP_OK) {
    json_decref(l.list);
    sp__fail_err(r, &err, NULL);
    return;
  }
  sp__reply(
      r, 200,
      json_pack("{s:s,s:o}", "borrower", r->params[0], "consents", l.list));
}

void sp__h_consent_delete(sp__req *r) {
  const char *cid = r->params[1];
  char *end = NULL;
  unsigned long long no = cid[0] == 'C' ? strtoull(cid + 1, &end, 10) : 0;
  if (no == 0 || end == NULL || *end != '\0') {
    sp__fail(r, 404, "not_found", "cid", "no consent '%s'", cid);
    return;
  }
  sp_error err;
  sp_error_clear(&err);
  if (sp_svc_consent_revoke(r->srv->svc, r->params[0], no, r->now, &err) !=
      SP_OK) {
    sp__fail_err(r, &err, NULL);
    return;
  }
  sp__reply(r, 200,
            json_pack("{s:s,s:s,s:o}", "id", cid, "status", "revoked",
                      "revoked", sp__json_time(r->now)));
}

void sp__h_consent_check(sp__req *r) {
  sp_source source;
  sp_purpose purpose;
  sp_time at;
  sp_error err;
  sp_error_clear(&err);
  const char *s = sp__arg(r, "source"), *p = sp__arg(r, "purpose");
  if (s == NULL || p == NULL) {
    sp__fail(r, 400, "missing_field", s ? "purpose" : "source", "%s: required",
             s ? "purpose" : "source");
    return;
  }
  if (sp_source_parse(s, "source", &source, &err) != SP_OK ||
      sp_purpose_parse(p, "purpose", &purpose, &err) != SP_OK) {
    sp__fail_err(r, &err, NULL);
    return;
  }
  if (!borrower_exists(r) || sp__time_arg(r, "at", &at) != 0)
    return;
  uint64_t no = 0;
  int rc = sp_svc_consent_check(r->srv->svc, r->params[0], source, purpose, at,
                                &no, &err);
  if (rc != SP_OK && rc != SP_ESTATE) {
    sp__fail_err(r, &err, NULL);
    return;
  }
  json_t *o = json_pack("{s:b,s:s,s:s,s:o}", "allowed", rc == SP_OK, "source",
                        s, "purpose", p, "at", sp__json_time(at));
  if (o != NULL && no != 0) {
    char id[32];
    snprintf(id, sizeof id, "C%llu", (unsigned long long)no);
    json_object_set_new(o, "consent", json_string(id));
  }
  if (o != NULL && rc != SP_OK)
    json_object_set_new(o, "reason", json_string(err.message));
  sp__reply(r, 200, o);
}
