/* Handlers for revolving credit lines, built on the loan book: open, show,
 * draw, repay, freeze, unfreeze and the statement of ledger entries.
 *
 * Draws and repayments pass the Idempotency-Key to the book as its ref, so
 * a retried request never moves money twice, even if the server stopped
 * between the movement and storing the response. */
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/http_int.h"
#include "sparrow/money.h"
#include "sparrow/store.h"

static void put_money(sp_jw *w, const char *key, int64_t fen) {
  char buf[32];
  sp_money_format(fen, buf, sizeof buf);
  sp_jw_key(w, key);
  sp_jw_str(w, buf);
}

static void put_date(sp_jw *w, const char *key, sp_date d) {
  char buf[11];
  sp_date_format(d, buf);
  sp_jw_key(w, key);
  sp_jw_str(w, buf);
}

static void put_rate(sp_jw *w, const char *key, int64_t rate, int decimals) {
  char buf[32];
  sp_rate_format_percent(rate, decimals, buf, sizeof buf);
  sp_jw_key(w, key);
  sp_jw_str(w, buf);
}

static void put_str(sp_jw *w, const char *key, const char *s) {
  sp_jw_key(w, key);
  sp_jw_str(w, s);
}

/* A loan as the API shows it, written straight into w (a draw's answer is
 * written on the committer: no tree of objects). */
void sp__loan_write(sp__req *r, const sp_loan_view *v, sp_jw *w) {
  char borrower[SP_SVC_ID_MAX + 1];
  int linked = sp_svc_line_borrower(r->srv->svc, v->id, borrower, NULL);
  int64_t daily =
      v->product.annual_rate / sp_daycount_basis(v->product.daycount);
  sp_jw_open(w, '{');
  put_str(w, "id", v->id);
  sp_jw_key(w, "borrower");
  if (linked == SP_OK)
    sp_jw_str(w, borrower);
  else
    sp_jw_null(w);
  put_str(w, "status",
          v->closed   ? "paid_off"
          : v->frozen ? "frozen"
                      : "active");
  put_date(w, "opened", v->opened);
  put_date(w, "maturity", v->maturity);
  put_money(w, "limit", v->limit_fen);
  put_money(w, "outstanding_principal", v->principal_fen);
  put_money(w, "accrued_interest", v->interest_fen);
  put_money(w, "interest_due", v->interest_due_fen);
  put_money(w, "principal_due", v->principal_due_fen);
  put_money(w, "penalty", v->penalty_fen);
  put_money(w, "available", v->available_fen);
  put_money(w, "pending_draws", v->pending_draws_fen);
  put_money(w, "interest_paid_total", v->interest_paid_total_fen);
  put_rate(w, "annual_rate", v->product.annual_rate, 4);
  put_rate(w, "daily_rate", daily, 6);
  put_rate(w, "annualized_rate", v->annualized_rate, 2);
  put_str(w, "daycount", sp_daycount_name(v->product.daycount));
  sp_jw_key(w, "per_second");
  sp_jw_bool(w, v->product.per_second);
  sp_jw_key(w, "days_past_due");
  sp_jw_int(w, v->days_past_due);
  put_str(w, "bucket", sp_bucket_name(v->days_past_due));
  put_str(w, "classification", sp_risk_class_name(v->risk_class));
  put_date(w, "closed_through", v->closed_through);
  if (v->kind == SP_LOAN_TERM) {
    put_money(w, "fee", v->fee_fen);
    put_str(w, "method", sp_method_name(v->product.method));
    sp_jw_key(w, "term_months");
    sp_jw_int(w, v->product.term_months);
  }
  sp_jw_close(w, '}');
}

json_t *sp__loan_json(sp__req *r, const sp_loan_view *v) {
  sp_jw w;
  sp_jw_init(&w);
  sp__loan_write(r, v, &w);
  size_t len;
  char *text = sp_jw_finish(&w, &len);
  json_t *o = text ? json_loadb(text, len, 0, NULL) : NULL;
  free(text);
  return o;
}

/* Loads the loan of `kind` named by the path; 0 or -1 after replying. */
int sp__load_loan(sp__req *r, sp_loan_kind kind, sp_loan_view *v) {
  sp_error err;
  sp_error_clear(&err);
  int rc = sp_loan_get(r->srv->book, r->params[0], v, &err);
  if (rc == SP_OK && v->kind != kind)
    rc =
        sp_error_set(&err, SP_ENOTFOUND, "id", "'%s' is not a %s", r->params[0],
                     kind == SP_LOAN_LINE ? "line" : "term loan");
  if (rc != SP_OK) {
    sp__fail_err(r, &err, NULL);
    return -1;
  }
  return 0;
}

int sp__parse_product(sp__req *r, sp_product *p, sp_error *err) {
  sp_product_default(p);
  const char *daily = sp__str(r, "daily_rate"),
             *annual = sp__str(r, "annual_rate");
  if ((daily[0] != '\0') == (annual[0] != '\0'))
    return sp_error_set(err, SP_EINVAL, "daily_rate",
                        "give exactly one of daily_rate and annual_rate");
  const char *dc = sp__str(r, "daycount");
  int rc = dc[0] ? sp_daycount_parse(dc, "daycount", &p->daycount, err) : SP_OK;
  int64_t rate = 0;
  if (rc == SP_OK)
    rc = sp_rate_parse(daily[0] ? daily : annual,
                       daily[0] ? "daily_rate" : "annual_rate", &rate, err);
  if (rc == SP_OK && (rate <= 0 || rate > SP_RATE_ONE))
    rc = sp_error_set(err, SP_ERANGE, daily[0] ? "daily_rate" : "annual_rate",
                      "the rate must be above 0 and at most 100%%");
  p->annual_rate = daily[0] ? rate * sp_daycount_basis(p->daycount) : rate;
  p->per_second = sp__bool(r, "per_second");
  const sp_jr_value *term = sp__value(r, "term_months");
  if (term != NULL)
    p->term_months = (int32_t)term->i;
  return rc;
}

/* What a line is opened with: its borrower and limit, and the approved
 * application it comes from (or ""). */
typedef struct line_terms {
  char borrower[SP_SVC_ID_MAX + 1];
  int64_t limit_fen;
  const char *application;
} line_terms;

/* Opens the line and records its borrower (and its application) in one
 * transaction (a batch of one), so that none is stored without the
 * others. */
static int open_linked(sp__req *r, const char *id, const line_terms *t,
                       const sp_product *p, sp_date date, sp_error *err) {
  sp_store *st = sp_book_store(r->srv->book);
  int rc = st->ops->batch_begin(st, err);
  if (rc != SP_OK)
    return rc;
  int opened = rc = sp_line_open(r->srv->book, id, t->limit_fen, p, date, err);
  if (rc == SP_OK)
    rc = sp_svc_line_link(r->srv->svc, id, t->borrower, err);
  if (rc == SP_OK && t->application[0])
    rc = sp_svc_app_set_line(r->srv->svc, t->application, id, err);
  int end = st->ops->batch_end(st, rc == SP_OK, err);
  if (rc == SP_OK)
    rc = end;
  if (rc != SP_OK && opened == SP_OK)
    sp__reopen(r->srv); /* the book's caches hold the rolled-back line */
  return rc;
}

typedef struct app_terms {
  line_terms *t;
  sp_product *p;
  int rc;
  sp_error *err;
} app_terms;

/* The borrower, limit and annual rate of an approved application. */
static int read_app(void *ctx, const sp_application *a) {
  app_terms *at = ctx;
  if (strcmp(a->status, "approved") != 0 || a->line[0]) {
    at->rc = sp_error_set(at->err, SP_ESTATE, "application",
                          "application '%s' is %s%s", a->id, a->status,
                          a->line[0] ? " and has a line already" : "");
    return SP_OK;
  }
  json_t *doc = json_loads(a->doc, 0, NULL);
  const char *limit = json_string_value(json_object_get(doc, "limit")),
             *rate = json_string_value(json_object_get(doc, "annual_rate"));
  snprintf(at->t->borrower, sizeof at->t->borrower, "%s", a->borrower);
  at->rc =
      sp_money_parse(limit ? limit : "", "limit", &at->t->limit_fen, at->err);
  if (at->rc == SP_OK)
    at->rc = sp_rate_parse(rate ? rate : "", "annual_rate", &at->p->annual_rate,
                           at->err);
  json_decref(doc);
  return SP_OK;
}

/* The terms from the body, or from the application it names. */
static int line_terms_of(sp__req *r, line_terms *t, sp_product *p,
                         sp_error *err) {
  t->application = sp__str(r, "application");
  const char *borrower = sp__str(r, "borrower");
  if (t->application[0] == '\0') {
    if (borrower[0] == '\0' || sp__money(r, "limit") <= 0)
      return sp_error_set(err, SP_EINVAL, borrower[0] ? "limit" : "borrower",
                          "give an application, or a borrower and a limit");
    snprintf(t->borrower, sizeof t->borrower, "%s", borrower);
    t->limit_fen = sp__money(r, "limit");
    return sp__parse_product(r, p, err);
  }
  if (sp__money(r, "limit") > 0 || sp__str(r, "daily_rate")[0] ||
      sp__str(r, "annual_rate")[0])
    return sp_error_set(err, SP_EINVAL, "application",
                        "the limit and rate come from the application");
  sp_product_default(p);
  const char *dc = sp__str(r, "daycount");
  int rc = dc[0] ? sp_daycount_parse(dc, "daycount", &p->daycount, err) : SP_OK;
  const sp_jr_value *term = sp__value(r, "term_months");
  if (term != NULL)
    p->term_months = (int32_t)term->i;
  p->per_second = sp__bool(r, "per_second");
  app_terms at = {t, p, SP_OK, err};
  if (rc == SP_OK)
    rc = sp_svc_app_get(r->srv->svc, t->application, read_app, &at, err);
  if (rc == SP_ENOTFOUND)
    return sp_error_set(err, SP_ENOTFOUND, "application",
                        "no application '%.40s'", t->application);
  if (rc == SP_OK)
    rc = at.rc;
  if (rc == SP_OK && borrower[0] && strcmp(borrower, t->borrower) != 0)
    rc = sp_error_set(err, SP_EINVAL, "borrower",
                      "the application is borrower '%s''s", t->borrower);
  return rc;
}

void sp__h_line_post(sp__req *r) {
  sp_error err;
  sp_error_clear(&err);
  sp_product p;
  sp_date date;
  sp_borrower b;
  line_terms t;
  const char *id = sp__str(r, "id");
  int rc = line_terms_of(r, &t, &p, &err);
  if (rc == SP_OK)
    rc = sp_date_parse(sp__str(r, "date"), "date", &date, &err);
  if (rc == SP_OK &&
      sp_svc_borrower_get(r->srv->svc, t.borrower, &b, &err) != SP_OK)
    rc = sp_error_set(&err, SP_ENOTFOUND, "borrower", "no borrower '%s'",
                      t.borrower);
  if (rc == SP_OK)
    rc = open_linked(r, id, &t, &p, date, &err);
  sp_loan_view v;
  if (rc == SP_OK)
    rc = sp_loan_get(r->srv->book, id, &v, &err);
  if (rc != SP_OK) {
    sp__fail_err(r, &err, "rate=annual_rate,term=term_months");
    return;
  }
  json_t *o = sp__loan_json(r, &v);
  if (o != NULL && t.application[0])
    json_object_set_new(o, "application", json_string(t.application));
  sp__reply(r, 201, o);
}

void sp__h_line_get(sp__req *r) {
  sp_loan_view v;
  if (sp__load_loan(r, SP_LOAN_LINE, &v) == 0)
    sp__reply(r, 200, sp__loan_json(r, &v));
}

/* What a movement answers besides the loan: its type, amount and time,
 * and for a repayment where the money went. */
typedef struct moved {
  const char *type; /* NULL: only the loan */
  int64_t amount_fen;
  sp_time at;
  const sp_repay_result *repaid;
} moved;

/* Ends a movement: the loan as it now stands (`after`, or read back when
 * NULL) after what `m` names, written straight into the answer. */
static void reply_moved(sp__req *r, int rc, sp_error *err,
                        const sp_loan_view *after, const moved *m) {
  sp_loan_view v;
  if (rc == SP_OK && after != NULL)
    v = *after;
  else if (rc == SP_OK)
    rc = sp_loan_get(r->srv->book, r->params[0], &v, err);
  if (rc != SP_OK) {
    sp__fail_err(r, err, "date=at,ref=Idempotency-Key");
    return;
  }
  sp_jw w;
  sp_jw_init(&w);
  sp_jw_open(&w, '{');
  if (m->type != NULL) {
    char when[32];
    sp_time_format(m->at, when);
    put_str(&w, "type", m->type);
    put_money(&w, "amount", m->amount_fen);
    put_str(&w, "at", when);
  }
  if (m->repaid != NULL) {
    sp_jw_key(&w, "allocated");
    sp_jw_open(&w, '{');
    put_money(&w, "penalty", m->repaid->penalty_fen);
    put_money(&w, "interest", m->repaid->interest_fen);
    put_money(&w, "principal", m->repaid->principal_fen);
    sp_jw_close(&w, '}');
  }
  sp_jw_key(&w, v.kind == SP_LOAN_LINE ? "line" : "loan");
  sp__loan_write(r, &v, &w);
  sp_jw_close(&w, '}');
  sp__reply_jw(r, r->route->status_ok, &w);
}

void sp__h_line_draw(sp__req *r) {
  sp_loan_view v;
  sp_time at;
  if (sp__time_field(r, "at", &at) != 0)
    return;
  sp_error err;
  sp_error_clear(&err);
  int64_t amount = sp__money(r, "amount");
  int rc = sp_line_draw_view(r->srv->book, r->params[0], amount, at, r->ref, &v,
                             &err);
  /* A draw on no loan, or on a term loan, is refused as every route of a
   * line refuses it (404); looked for only then, not read twice at every
   * draw (the draw reads the line itself). */
  if (rc != SP_OK && sp__load_loan(r, SP_LOAN_LINE, &v) != 0)
    return;
  reply_moved(r, rc, &err, &v,
              &(moved){.type = "draw", .amount_fen = amount, .at = at});
}

/* Repayments of lines and of term loans. */
static void repay(sp__req *r, sp_loan_kind kind) {
  sp_loan_view v;
  sp_time at;
  if (sp__load_loan(r, kind, &v) != 0 || sp__time_field(r, "at", &at) != 0)
    return;
  sp_error err;
  sp_error_clear(&err);
  int64_t amount = sp__money(r, "amount");
  sp_repay_result res = {0};
  int rc = sp_loan_repay_view(r->srv->book, r->params[0], amount, at, r->ref,
                              &res, &v, &err);
  reply_moved(
      r, rc, &err, &v,
      &(moved){
          .type = "repayment", .amount_fen = amount, .at = at, .repaid = &res});
}

void sp__h_line_repay(sp__req *r) { repay(r, SP_LOAN_LINE); }
void sp__h_loan_repay(sp__req *r) { repay(r, SP_LOAN_TERM); }

static void set_frozen(sp__req *r, int frozen) {
  sp_loan_view v;
  if (sp__load_loan(r, SP_LOAN_LINE, &v) != 0)
    return;
  sp_error err;
  sp_error_clear(&err);
  int rc = sp_line_freeze(r->srv->book, r->params[0], frozen, &err);
  reply_moved(r, rc, &err, NULL, &(moved){0});
}

void sp__h_line_freeze(sp__req *r) { set_frozen(r, 1); }
void sp__h_line_unfreeze(sp__req *r) { set_frozen(r, 0); }

/* The statement: the line's money movements in ledger order (draws,
 * repayments by part, fees). Interest and penalty accrue at every close of
 * day; they are the line's balances (accrued_interest, penalty,
 * interest_paid_total), not one entry a day. */
#define STATEMENT_MAX 10000
typedef struct stmt_ctx {
  uint64_t owner;
  json_t *entries;
  size_t n;
} stmt_ctx;

static int record_no(void *ctx, const sp_record *rec) {
  *(uint64_t *)ctx = rec->no;
  return SP_OK;
}

static int add_entry(void *ctx, const sp_transfer *t) {
  static const char *const types[] = {"",
                                      "draw",
                                      "repay_principal",
                                      "repay_interest",
                                      "repay_penalty",
                                      "accrue_interest",
                                      "accrue_penalty",
                                      "fee",
                                      "capital"};
  stmt_ctx *s = ctx;
  assert(t->owner_id == s->owner);
  if (s->n == STATEMENT_MAX)
    return SP_OK;
  const char *type = t->code < 9 ? types[t->code] : "other";
  json_t *e = json_pack("{s:I,s:o,s:s,s:o}", "transfer", (json_int_t)t->id,
                        "time", sp__json_time(t->time), "type", type, "amount",
                        sp__json_money(t->amount_fen));
  if (e == NULL)
    return SP_ENOMEM;
  if (t->flags & SP_TRANSFER_PENDING)
    json_object_set_new(e, "pending", json_true());
  json_array_append_new(s->entries, e);
  s->n++;
  return SP_OK;
}

void sp__h_line_statement(sp__req *r) {
  sp_loan_view v;
  if (sp__load_loan(r, SP_LOAN_LINE, &v) != 0)
    return;
  sp_store *st = sp_book_store(r->srv->book);
  stmt_ctx s = {.entries = json_array()};
  sp_error err;
  sp_error_clear(&err);
  int rc = st->ops->record_get(st, v.id, record_no, &s.owner, &err);
  if (rc == SP_OK)
    rc = st->ops->transfer_scan_owner(st, s.owner, add_entry, &s, &err);
  if (rc != SP_OK) {
    json_decref(s.entries);
    sp__fail_err(r, &err, NULL);
    return;
  }
  sp__reply(r, 200,
            json_pack("{s:o,s:o}", "line", sp__loan_json(r, &v), "entries",
                      s.entries));
}
