/* Handlers for borrowers and their multi-source data.
 *
 * Personal data in responses is masked for roles not entitled to it
 * (sp_role_sees_personal): credit codes and ID numbers keep their first
 * and last 4 characters, phones the first 3 and last 4 digits, addresses
 * their first 6 characters. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/http_int.h"

json_t *sp__borrower_json(const sp_borrower *b, sp_role role) {
  char code[32], idn[32], phone[32], addr[300];
  int full = sp_role_sees_personal(role);
  const char *c = b->credit_code, *i = b->id_number, *p = b->phone,
             *a = b->address;
  if (!full) {
    sp_mask_id(c, code, sizeof code), c = code;
    sp_mask_id(i, idn, sizeof idn), i = idn;
    sp_mask_phone(p, phone, sizeof phone), p = phone;
    sp_mask_address(a, addr, sizeof addr), a = addr;
  }
  json_t *o =
      json_pack("{s:s,s:s,s:s}", "id", b->id, "name", b->name, "kind", b->kind);
  if (o == NULL)
    return NULL;
  const char *names[] = {"credit_code", "id_number", "legal_rep", "phone",
                         "address",     "industry",  "region"};
  const char *values[] = {c, i, b->legal_rep, p, a, b->industry, b->region};
  const char *raw[] = {b->credit_code, b->id_number, b->legal_rep, b->phone,
                       b->address,     b->industry,  b->region};
  for (size_t k = 0; k < sizeof names / sizeof names[0]; k++)
    if (raw[k][0] != '\0')
      json_object_set_new(o, names[k], json_string(values[k]));
  json_object_set_new(o, "created", sp__json_time(b->created));
  json_object_set_new(o, "masked", json_boolean(!full));
  return o;
}

void sp__h_borrower_post(sp__req *r) {
  sp_borrower b;
  memset(&b, 0, sizeof b);
#define COPY(f) snprintf(b.f, sizeof b.f, "%s", sp__str(r, #f))
  COPY(id);
  COPY(name);
  COPY(kind);
  COPY(credit_code);
  COPY(id_number);
  COPY(legal_rep);
  COPY(phone);
  COPY(address);
  COPY(industry);
  COPY(region);
#undef COPY
  b.created = r->now;
  sp_error err;
  sp_error_clear(&err);
  int rc = sp_borrower_validate(&b, &err);
  if (rc == SP_OK)
    rc = sp_svc_borrower_put(r->srv->svc, &b, &err);
  if (rc != SP_OK) {
    sp__fail_err(r, &err, NULL);
    return;
  }
  sp__reply(r, 201, sp__borrower_json(&b, r->role));
}

/* Loads the borrower named by the path; 0 or -1 after replying 404. */
static int load_borrower(sp__req *r, sp_borrower *b) {
  sp_error err;
  sp_error_clear(&err);
  if (sp_svc_borrower_get(r->srv->svc, r->params[0], b, &err) != SP_OK) {
    sp__fail_err(r, &err, NULL);
    return -1;
  }
  return 0;
}

void sp__h_borrower_get(sp__req *r) {
  sp_borrower b;
  if (load_borrower(r, &b) == 0)
    sp__reply(r, 200, sp__borrower_json(&b, r->role));
}

static json_t *data_json(const sp_data_record *d) {
  char id[32];
  snprintf(id, sizeof id, "D%llu", (unsigned long long)d->no);
  json_t *values = json_loads(d->values_json, 0, NULL);
  return json_pack(
      "{s:s,s:s,s:s,s:o,s:o,s:o}", "id", id, "borrower", d->borrower, "source",
      sp_source_name(d->source), "as_of", sp__json_date(d->as_of), "values",
      values ? values : json_object(), "received", sp__json_time(d->received));
}

void sp__h_data_post(sp__req *r) {
  sp_borrower b;
  if (load_borrower(r, &b) != 0)
    return;
  sp_error err;
  sp_error_clear(&err);
  sp_data_record d = {.borrower = b.id, .received = r->now};
  sp_jw w; /* values is a required field */
  sp_jw_init(&w);
  sp_jr_write(&w, sp__value(r, "values"));
  char *values = sp_jw_finish(&w, NULL);
  int rc = values ? SP_OK : sp_error_set(&err, SP_ENOMEM, "values", "oom");
  if (rc == SP_OK)
    rc = sp_source_parse(sp__str(r, "source"), "source", &d.source, &err);
  if (rc == SP_OK)
    rc = sp_date_parse(sp__str(r, "as_of"), "as_of", &d.as_of, &err);
  d.values_json = values;
  if (rc == SP_OK)
    rc = sp_svc_data_add(r->srv->svc, &d, &d.no, &err);
  if (rc == SP_OK)
    sp__reply(r, 201, data_json(&d));
  else
    sp__fail_err(r, &err, NULL);
  free(values);
}

static int add_data(void *ctx, const sp_data_record *d) {
  json_t *o = data_json(d);
  if (o == NULL)
    return SP_ENOMEM;
  json_array_append_new(ctx, o);
  return SP_OK;
}

void sp__h_data_get(sp__req *r) {
  sp_borrower b;
  if (load_borrower(r, &b) != 0)
    return;
  json_t *records = json_array();
  sp_error err;
  sp_error_clear(&err);
  int rc = sp_svc_data_list(r->srv->svc, b.id, 1000, add_data, records, &err);
  if (rc != SP_OK) {
    json_decref(records);
    sp__fail_err(r, &err, NULL);
    return;
  }
  sp__reply(r, 200,
            json_pack("{s:s,s:o}", "borrower", b.id, "records", records));
}
