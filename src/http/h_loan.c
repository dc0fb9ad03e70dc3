/* Handlers for term loans: open (disburses, so it needs an Idempotency-Key
 * like every money movement), show, schedule; repayments share the line
 * handler's code. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/http_int.h"
#include "sparrow/money.h"

void sp__h_loan_post(sp__req *r) {
  sp_error err;
  sp_error_clear(&err);
  sp_product p;
  sp_date start;
  sp_borrower b;
  const char *id = sp__str(r, "id");
  int rc = sp__parse_product(r, &p, &err);
  if (rc == SP_OK)
    rc = sp_method_parse(sp__str(r, "method"), "method", &p.method, &err);
  if (rc == SP_OK)
    rc = sp_date_parse(sp__str(r, "start"), "start", &start, &err);
  if (rc == SP_OK && sp_svc_borrower_get(r->srv->svc, sp__str(r, "borrower"),
                                         &b, &err) != SP_OK)
    rc = sp_error_set(&err, SP_ENOTFOUND, "borrower", "no borrower '%s'",
                      sp__str(r, "borrower"));
  if (rc == SP_OK)
    rc = sp_term_open(r->srv->book, id, sp__money(r, "principal"),
                      sp__money(r, "fee"), &p, start, &err);
  if (rc == SP_OK)
    rc = sp_svc_line_link(r->srv->svc, id, b.id, &err);
  sp_loan_view v;
  if (rc == SP_OK)
    rc = sp_loan_get(r->srv->book, id, &v, &err);
  if (rc != SP_OK) {
    sp__fail_err(r, &err, "rate=annual_rate,term=term_months,date=start");
    return;
  }
  sp__reply(r, 201, sp__loan_json(r, &v));
}

void sp__h_loan_get(sp__req *r) {
  sp_loan_view v;
  if (sp__load_loan(r, SP_LOAN_TERM, &v) == 0)
    sp__reply(r, 200, sp__loan_json(r, &v));
}

static json_t *installment_json(const sp_installment_view *s) {
  return json_pack("{s:i,s:o,s:o,s:o,s:o,s:o,s:o,s:o}", "period", s->due.period,
                   "due_date", sp__json_date(s->due.due_date), "payment",
                   sp__json_money(s->due.payment_fen), "principal",
                   sp__json_money(s->due.principal_fen), "interest",
                   sp__json_money(s->due.interest_fen), "balance",
                   sp__json_money(s->due.balance_fen), "principal_paid",
                   sp__json_money(s->principal_paid_fen), "interest_paid",
                   sp__json_money(s->interest_paid_fen));
}

void sp__h_loan_schedule(sp__req *r) {
  sp_loan_view v;
  if (sp__load_loan(r, SP_LOAN_TERM, &v) != 0)
    return;
  sp_installment_view *s = malloc(SP_SCHEDULE_TERM_MAX * sizeof *s);
  size_t n = 0;
  sp_error err;
  sp_error_clear(&err);
  int rc = s ? sp_loan_installments(r->srv->book, v.id, s, SP_SCHEDULE_TERM_MAX,
                                    &n, &err)
             : sp_error_set(&err, SP_ENOMEM, "", "out of memory");
  if (rc != SP_OK) {
    free(s);
    sp__fail_err(r, &err, NULL);
    return;
  }
  json_t *list = json_array();
  for (size_t i = 0; i < n; i++)
    json_array_append_new(list, installment_json(&s[i]));
  free(s);
  sp__reply(r, 200, json_pack("{s:s,s:o}", "id", v.id, "installments", list));
}
