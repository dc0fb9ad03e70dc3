/* The portfolio at a glance for the console, who the caller is, and the
 * list of borrowers.
 *
 * The portfolio is computed when asked, from the book (every loan's
 * balances, days past due and classification), the ledger (today's
 * draws, through the store's index by code and time) and the applications
 * (today's and all-time approval rates): no second copy of the numbers to
 * drift from the first. It reads every loan (about a second for a million
 * lines), so it runs neither under the server's lock nor on a polling
 * thread: view.c queues the request for a thread of its own, which reads a
 * read-only view of the file in one read transaction (so the loans, the
 * draws and the counts are of one commit) while the server commits beside
 * it. It is for a console refreshed by hand, not for polling: requests
 * that arrive while it runs wait for the next computation. */
#include <assert.h>
#include <string.h>

#include "http/http_int.h"
#include "sparrow/store.h"

/* The stop flag is looked at every so many loans. */
#define STOP_EVERY 4096

typedef struct reading {
  sp__totals *t;
  const int *stop; /* set when the server stops */
  uint64_t seen;
  sp_time today;
} reading;

static int bucket_index(int32_t dpd) {
  return dpd <= 0 ? 0 : dpd <= 30 ? 1 : dpd <= 60 ? 2 : dpd <= 90 ? 3 : 4;
}

static int add_loan(void *ctx, const sp_loan_view *v) {
  reading *g = ctx;
  if (++g->seen % STOP_EVERY == 0 && __atomic_load_n(g->stop, __ATOMIC_ACQUIRE))
    return SP_EFULL;
  sp__totals *t = g->t;
  t->loans_all++;
  t->principal_fen += v->principal_fen;
  t->interest_fen += v->interest_fen;
  t->penalty_fen += v->penalty_fen;
  if (v->closed)
    return SP_OK;
  t->open++;
  if (v->kind == SP_LOAN_LINE)
    t->lines++;
  else
    t->loans++;
  t->frozen += v->frozen != 0;
  t->limit_fen += v->limit_fen;
  t->outstanding_fen += v->principal_fen;
  t->interest_penalty_fen += v->interest_fen + v->penalty_fen;
  if (v->days_past_due > 0)
    t->overdue_fen += v->principal_fen;
  int b = bucket_index(v->days_past_due);
  t->bucket_n[b]++;
  t->bucket_fen[b] += v->principal_fen;
  t->class_n[v->risk_class]++;
  t->class_fen[v->risk_class] += v->principal_fen;
  return SP_OK;
}

static int add_draw(void *ctx, const sp_transfer *tr) {
  reading *g = ctx;
  assert(tr->code == SP_CODE_DRAW && tr->time >= g->today);
  g->t->draws_today++;
  g->t->draws_today_fen += tr->amount_fen;
  return SP_OK;
}

static json_t *rate_of(int64_t part, int64_t whole) {
  return whole > 0 ? json_real((double)part / (double)whole) : json_null();
}

static json_t *apps_json(const sp_app_counts *c) {
  return json_pack("{s:I,s:I,s:I,s:I,s:o}", "total", (json_int_t)c->total,
                   "approved", (json_int_t)c->approved, "referred",
                   (json_int_t)c->referred, "declined", (json_int_t)c->declined,
                   "approval_rate",
                   rate_of(c->approved, c->approved + c->declined));
}

json_t *sp__portfolio_json(const sp__totals *t) {
  static const char *const names[SP__BUCKETS] = {"M0", "M1", "M2", "M3", "M4+"};
  json_t *buckets = json_array(), *classes = json_array();
  for (int i = 0; i < SP__BUCKETS; i++)
    json_array_append_new(
        buckets, json_pack("{s:s,s:I,s:o}", "bucket", names[i], "count",
                           (json_int_t)t->bucket_n[i], "outstanding",
                           sp__json_money(t->bucket_fen[i])));
  for (int i = 0; i < SP__CLASSES; i++)
    json_array_append_new(
        classes, json_pack("{s:s,s:s,s:I,s:o}", "class",
                           sp_risk_class_name((sp_risk_class)i), "name_zh",
                           sp_risk_class_name_zh((sp_risk_class)i), "count",
                           (json_int_t)t->class_n[i], "outstanding",
                           sp__json_money(t->class_fen[i])));
  return json_pack(
      "{s:I,s:I,s:I,s:I,s:o,s:o,s:o,s:o,s:{s:I,s:o},s:o,s:o,s:o,s:o}", "open",
      (json_int_t)t->open, "lines", (json_int_t)t->lines, "term_loans",
      (json_int_t)t->loans, "frozen", (json_int_t)t->frozen, "limit",
      sp__json_money(t->limit_fen), "outstanding",
      sp__json_money(t->outstanding_fen), "interest_and_penalty",
      sp__json_money(t->interest_penalty_fen), "overdue",
      sp__json_money(t->overdue_fen), "draws_today", "count",
      (json_int_t)t->draws_today, "amount", sp__json_money(t->draws_today_fen),
      "buckets", buckets, "classification", classes, "applications",
      apps_json(&t->apps), "applications_today", apps_json(&t->apps_today));
}

/* Every read in one read transaction: the loans, the ledger, the day's
 * draws and the applications as one commit left them. */
int sp__totals_read(sp_book *book, sp_svc *svc, sp_time now, const int *stop,
                    sp__totals *out, sp_error *err) {
  memset(out, 0, sizeof *out);
  reading g = {
      .t = out, .stop = stop, .today = sp_date_start(sp_time_date(now))};
  sp_store *st = sp_book_store(book);
  int rc = sp_book_read_begin(book, err);
  if (rc == SP_OK)
    rc = sp_book_each_loan(book, add_loan, &g, err);
  if (rc == SP_OK)
    rc = st->ops->transfer_scan_code(st, SP_CODE_DRAW, g.today, add_draw, &g,
                                     err);
  if (rc == SP_OK)
    rc = st->ops->transfer_id_max(st, &out->transfers, err);
  if (rc == SP_OK)
    rc = sp_svc_app_counts(svc, 0, &out->apps, err);
  if (rc == SP_OK)
    rc = sp_svc_app_counts(svc, g.today, &out->apps_today, err);
  sp_book_read_end(book);
  return rc;
}

void sp__h_portfolio(sp__req *r) { sp__view_enqueue(r); }

void sp__h_me(sp__req *r) {
  sp__reply(r, 200,
            json_pack("{s:s,s:b,s:b}", "role", sp_role_name(r->role),
                      "sees_personal_data", sp_role_sees_personal(r->role),
                      "decisions", r->srv->flow != NULL));
}

typedef struct list_ctx {
  json_t *list;
  sp_role role;
} list_ctx;

static int add_borrower(void *ctx, const sp_borrower *b) {
  list_ctx *l = ctx;
  json_array_append_new(l->list, sp__borrower_json(b, l->role));
  return SP_OK;
}

void sp__h_borrower_list(sp__req *r) {
  const char *after = sp__arg(r, "after");
  list_ctx l = {json_array(), r->role};
  sp_error err;
  if (sp_svc_borrower_list(r->srv->svc, after ? after : "", 100, add_borrower,
                           &l, &err) != SP_OK) {
    json_decref(l.list);
    sp__fail_err(r, &err, NULL);
    return;
  }
  sp__reply(r, 200, json_pack("{s:o}", "borrowers", l.list));
}

#define BORROWER_LINES_MAX 100

void sp__h_borrower_lines(sp__req *r) {
  static char ids[BORROWER_LINES_MAX][SP_SVC_ID_MAX + 1]; /* under the lock */
  size_t n = 0;
  sp_error err;
  sp_error_clear(&err);
  sp_borrower b;
  int rc = sp_svc_borrower_get(r->srv->svc, r->params[0], &b, &err);
  if (rc == SP_OK)
    rc = sp_svc_borrower_lines(r->srv->svc, r->params[0], ids,
                               BORROWER_LINES_MAX, &n, &err);
  json_t *list = json_array();
  for (size_t i = 0; rc == SP_OK && i < n; i++) {
    sp_loan_view v;
    rc = sp_loan_get(r->srv->book, ids[i], &v, &err);
    json_t *o = rc == SP_OK ? sp__loan_json(r, &v) : NULL;
    if (o != NULL)
      json_object_set_new(
          o, "kind", json_string(v.kind == SP_LOAN_LINE ? "line" : "term"));
    if (o != NULL)
      json_array_append_new(list, o);
  }
  if (rc != SP_OK) {
    json_decref(list);
    sp__fail_err(r, &err, NULL);
    return;
  }
  sp__reply(r, 200, json_pack("{s:s,s:o}", "borrower", b.id, "lines", list));
}
