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

#define BUCKETS 5 /* M0 .. M4+ */
#define CLASSES (SP_CLASS_LOSS + 1)

/* The stop flag is looked at every so many loans. */
#define STOP_EVERY 4096

typedef struct portfolio {
  const int *stop; /* set when the server stops */
  uint64_t seen;
  int64_t lines, loans, open, frozen;
  int64_t limit_fen, outstanding_fen, interest_fen, overdue_fen;
  int64_t bucket_n[BUCKETS], bucket_fen[BUCKETS];
  int64_t class_n[CLASSES], class_fen[CLASSES];
  sp_time today;
  int64_t draws_today, draws_today_fen;
} portfolio;

static int bucket_index(int32_t dpd) {
  return dpd <= 0 ? 0 : dpd <= 30 ? 1 : dpd <= 60 ? 2 : dpd <= 90 ? 3 : 4;
}

static int add_loan(void *ctx, const sp_loan_view *v) {
  portfolio *p = ctx;
  if (++p->seen % STOP_EVERY == 0 && __atomic_load_n(p->stop, __ATOMIC_ACQUIRE))
    return SP_EFULL;
  if (v->closed)
    return SP_OK;
  p->open++;
  if (v->kind == SP_LOAN_LINE)
    p->lines++;
  else
    p->loans++;
  p->frozen += v->frozen != 0;
  p->limit_fen += v->limit_fen;
  p->outstanding_fen += v->principal_fen;
  p->interest_fen += v->interest_fen + v->penalty_fen;
  if (v->days_past_due > 0)
    p->overdue_fen += v->principal_fen;
  int b = bucket_index(v->days_past_due);
  p->bucket_n[b]++;
  p->bucket_fen[b] += v->principal_fen;
  p->class_n[v->risk_class]++;
  p->class_fen[v->risk_class] += v->principal_fen;
  return SP_OK;
}

static int add_draw(void *ctx, const sp_transfer *t) {
  portfolio *p = ctx;
  assert(t->code == SP_CODE_DRAW && t->time >= p->today);
  p->draws_today++;
  p->draws_today_fen += t->amount_fen;
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

static json_t *portfolio_json(const portfolio *p, const sp_app_counts *all,
                              const sp_app_counts *today) {
  static const char *const names[BUCKETS] = {"M0", "M1", "M2", "M3", "M4+"};
  json_t *buckets = json_array(), *classes = json_array();
  for (int i = 0; i < BUCKETS; i++)
    json_array_append_new(
        buckets, json_pack("{s:s,s:I,s:o}", "bucket", names[i], "count",
                           (json_int_t)p->bucket_n[i], "outstanding",
                           sp__json_money(p->bucket_fen[i])));
  for (int i = 0; i < CLASSES; i++)
    json_array_append_new(
        classes, json_pack("{s:s,s:s,s:I,s:o}", "class",
                           sp_risk_class_name((sp_risk_class)i), "name_zh",
                           sp_risk_class_name_zh((sp_risk_class)i), "count",
                           (json_int_t)p->class_n[i], "outstanding",
                           sp__json_money(p->class_fen[i])));
  return json_pack(
      "{s:I,s:I,s:I,s:I,s:o,s:o,s:o,s:o,s:{s:I,s:o},s:o,s:o,s:o,s:o}", "open",
      (json_int_t)p->open, "lines", (json_int_t)p->lines, "term_loans",
      (json_int_t)p->loans, "frozen", (json_int_t)p->frozen, "limit",
      sp__json_money(p->limit_fen), "outstanding",
      sp__json_money(p->outstanding_fen), "interest_and_penalty",
      sp__json_money(p->interest_fen), "overdue",
      sp__json_money(p->overdue_fen), "draws_today", "count",
      (json_int_t)p->draws_today, "amount", sp__json_money(p->draws_today_fen),
      "buckets", buckets, "classification", classes, "applications",
      apps_json(all), "applications_today", apps_json(today));
}

/* Every read in one read transaction: the loans, the day's draws and the
 * applications as one commit left them. */
int sp__portfolio(sp_book *book, sp_svc *svc, sp_time now, const int *stop,
                  json_t **out, sp_error *err) {
  portfolio p = {.stop = stop, .today = sp_date_start(sp_time_date(now))};
  sp_app_counts all, today;
  sp_store *st = sp_book_store(book);
  int rc = sp_book_read_begin(book, err);
  if (rc == SP_OK)
    rc = sp_book_each_loan(book, add_loan, &p, err);
  if (rc == SP_OK)
    rc = st->ops->transfer_scan_code(st, SP_CODE_DRAW, p.today, add_draw, &p,
                                     err);
  if (rc == SP_OK)
    rc = sp_svc_app_counts(svc, 0, &all, err);
  if (rc == SP_OK)
    rc = sp_svc_app_counts(svc, p.today, &today, err);
  sp_book_read_end(book);
  if (rc == SP_OK && (*out = portfolio_json(&p, &all, &today)) == NULL)
    rc = sp_error_set(err, SP_ENOMEM, "", "out of memory");
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
