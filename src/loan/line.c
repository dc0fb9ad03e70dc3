/* Revolving credit lines (随借随还): open, draw at any time, freeze, change
 * the limit. Repayment is in repay.c, the business day in accrue.c. */
#include <assert.h>
#include <stdio.h>
#include <string.h>

#include "loan/loan_int.h"

int sp__loan_id_check(const char *id, sp_error *err) {
  size_t n = id ? strlen(id) : 0;
  if (n == 0 || n > SP_LOAN_ID_MAX)
    return sp_error_set(err, SP_EINVAL, "id", "--id: 1 to %d characters",
                        SP_LOAN_ID_MAX);
  for (size_t i = 0; i < n; i++) {
    char c = id[i];
    if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
          (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.'))
      return sp_error_set(err, SP_EINVAL, "id",
                          "--id: '%s' may hold only letters, digits, _ - .",
                          id);
  }
  return SP_OK;
}

static int product_check(const sp_product *p, sp_error *err) {
  if (p->annual_rate < 0 || p->annual_rate > SP_RATE_MAX)
    return sp_error_set(err, SP_ERANGE, "rate", "--rate: out of range");
  if (p->penalty_factor_bp < 0 || p->penalty_factor_bp > 100000)
    return sp_error_set(err, SP_ERANGE, "penalty-factor",
                        "--penalty-factor: 0 to 10");
  if (p->term_months < 1 || p->term_months > SP_SCHEDULE_TERM_MAX)
    return sp_error_set(err, SP_ERANGE, "term", "--term: 1 to %d months",
                        SP_SCHEDULE_TERM_MAX);
  return SP_OK;
}

int sp__loan_create(sp_book *b, sp__loan *l, const char *id, uint32_t kind,
                    const sp_product *product, sp_date date, sp_error *err) {
  int rc = sp__loan_id_check(id, err);
  if (rc == SP_OK)
    rc = product_check(product, err);
  if (rc != SP_OK)
    return rc;
  sp__loan existing;
  rc = sp__loan_load(b, id, &existing, NULL);
  if (rc == SP_OK) {
    sp__loan_free(&existing);
    return sp_error_set(err, SP_EEXISTS, "id", "--id: loan '%s' exists", id);
  }
  if (b->closed_through != 0 && date <= b->closed_through) {
    char buf[11];
    sp_date_format(b->closed_through, buf);
    return sp_error_set(err, SP_ESTATE, "date",
                        "--date: the book is closed through %s", buf);
  }
  memset(l, 0, sizeof *l);
  l->version = SP__LOAN_VERSION;
  l->kind = kind;
  l->no = b->loan_no_max + 1;
  snprintf(l->id, sizeof l->id, "%s", id);
  l->product = *product;
  l->opened = date;
  l->closed_through = date - 1;
  l->accrued_until = sp_date_start(date);
  static const char *const part_names[3] = {"penalty", "interest", "principal"};
  sp_account a[3];
  for (int p = 0; p < 3; p++) {
    a[p] = (sp_account){.id = SP_LOAN_ACCOUNT(l->no, p),
                        .owner_id = l->no,
                        .ledger = SP_LEDGER_CNY,
                        .kind = SP_ACCOUNT_ASSET,
                        .flags = SP_ACCOUNT_CREDITS_MUST_NOT_EXCEED_DEBITS};
    snprintf(a[p].name, sizeof a[p].name, "%.30s %s", id, part_names[p]);
  }
  rc = sp_ledger_create_accounts(b->ledger, a, 3, err);
  if (rc == SP_OK)
    b->loan_no_max = l->no;
  return rc;
}

int sp_line_open(sp_book *b, const char *id, int64_t limit_fen,
                 const sp_product *product, sp_date date, sp_error *err) {
  if (limit_fen <= 0 || limit_fen > SP_AMOUNT_FEN_MAX)
    return sp_error_set(err, SP_ERANGE, "limit", "--limit: must be positive");
  sp__loan l;
  int rc = sp__loan_create(b, &l, id, SP_LOAN_LINE, product, date, err);
  if (rc != SP_OK)
    return rc;
  l.limit_fen = limit_fen;
  l.maturity = sp_date_add_months(date, product->term_months);
  rc = sp__loan_commit(b, &l, NULL, NULL, 0, err);
  if (rc != SP_OK)
    b->loan_no_max--;
  return rc;
}

int sp__ref_check(sp_book *b, const char *ref, const sp__ref_data *req,
                  sp__ref_data *out, sp_error *err) {
  int rc = sp__ref_get(b, ref, out, sizeof *out, err);
  if (rc != SP_OK)
    return rc;
  if (out->op != req->op || out->loan_no != req->loan_no ||
      out->amount_fen != req->amount_fen || out->at != req->at)
    return sp_error_set(err, SP_EEXISTS, "ref",
                        "--ref: '%s' was used for a different request", ref);
  return SP_OK;
}

int sp__op_begin(sp_book *b, const char *id, uint32_t op, int64_t amount_fen,
                 sp_time at, const char *ref, sp__loan *l, sp__ref_data *req,
                 sp__ref_data *first, int *replayed, sp_error *err) {
  *replayed = 0;
  if (amount_fen <= 0 || amount_fen > SP_AMOUNT_FEN_MAX)
    return sp_error_set(err, SP_EINVAL, "amount", "--amount: must be positive");
  int rc = sp__loan_load(b, id, l, err);
  if (rc != SP_OK)
    return rc;
  *req = (sp__ref_data){
      .op = op, .loan_no = l->no, .amount_fen = amount_fen, .at = at};
  rc = ref != NULL ? sp__ref_check(b, ref, req, first, err) : SP_ENOTFOUND;
  if (rc == SP_ENOTFOUND)
    return SP_OK; /* a new request */
  *replayed = rc == SP_OK;
  sp__loan_free(l);
  return rc;
}

/* What is reserved by draws waiting for the disbursement channel. */
static int64_t pending_draws(sp_book *b, const sp__loan *l) {
  sp_account a;
  if (sp_ledger_account(b->ledger, SP_LOAN_ACCOUNT(l->no, SP_PART_PRINCIPAL),
                        &a, NULL) != SP_OK)
    return 0;
  return a.debits_pending_fen;
}

static int line_usable(const sp__loan *l, const char *id, sp_time at,
                       sp_error *err) {
  if (l->kind != SP_LOAN_LINE)
    return sp_error_set(err, SP_ESTATE, "id", "--id: '%s' is not a line", id);
  if (l->frozen)
    return sp_error_set(err, SP_ESTATE, "id", "--id: line '%s' is frozen", id);
  if (sp_time_date(at) > l->maturity)
    return sp_error_set(err, SP_ESTATE, "date", "--date: line '%s' has matured",
                        id);
  return SP_OK;
}

static int draw(sp_book *b, const char *id, int64_t amount_fen, sp_time at,
                const char *ref, int pending, uint64_t *transfer_id,
                sp_loan_view *after, sp_error *err) {
  sp__loan l;
  sp__ref_data req, first;
  int replayed;
  int rc = sp__op_begin(b, id, pending ? 3 : 1, amount_fen, at, ref, &l, &req,
                        &first, &replayed, err);
  if (rc != SP_OK || replayed) {
    if (replayed && transfer_id != NULL)
      *transfer_id = first.transfer_id;
    if (replayed && after != NULL)
      rc = sp_loan_get(b, id, after, err);
    return rc;
  }
  rc = line_usable(&l, id, at, err);
  sp_transfer xs[SP__LOAN_XFER_MAX];
  size_t n = 0;
  uint64_t next = sp_ledger_next_id(b->ledger);
  if (rc == SP_OK)
    rc = sp__loan_catch_up(b, &l, at, xs, SP__LOAN_XFER_MAX, &n, &next, err);
  int64_t used =
      sp__loan_balance(b, &l, SP_PART_PRINCIPAL) + pending_draws(b, &l);
  if (rc == SP_OK && amount_fen > l.limit_fen - used)
    rc = sp_error_set(err, SP_ELIMIT, "amount",
                      "--amount: above the available limit of line '%s'", id);
  if (rc == SP_OK) {
    next = sp_ledger_next_id(b->ledger);
    sp__xfer(xs, &n, SP__LOAN_XFER_MAX, &next,
             SP_LOAN_ACCOUNT(l.no, SP_PART_PRINCIPAL), SP_ACCOUNT_CASH,
             amount_fen, l.no, at, SP_CODE_DRAW);
    if (pending)
      xs[n - 1].flags = SP_TRANSFER_PENDING;
    req.transfer_id = xs[n - 1].id;
    if (transfer_id != NULL)
      *transfer_id = xs[n - 1].id;
    rc = sp_ledger_submit(b->ledger, xs, n, NULL, err);
  }
  if (rc == SP_OK)
    rc = sp__loan_commit(b, &l, ref, &req, sizeof req, err);
  else
    sp_ledger_discard(b->ledger);
  if (rc == SP_OK && after != NULL)
    sp__loan_view(b, &l, after);
  sp__loan_free(&l);
  return rc;
}

int sp_line_draw(sp_book *b, const char *id, int64_t amount_fen, sp_time at,
                 const char *ref, sp_error *err) {
  return draw(b, id, amount_fen, at, ref, 0, NULL, NULL, err);
}

int sp_line_draw_view(sp_book *b, const char *id, int64_t amount_fen,
                      sp_time at, const char *ref, sp_loan_view *after,
                      sp_error *err) {
  return draw(b, id, amount_fen, at, ref, 0, NULL, after, err);
}

int sp_line_draw_pending(sp_book *b, const char *id, int64_t amount_fen,
                         sp_time at, const char *ref, uint64_t *transfer_id,
                         sp_error *err) {
  return draw(b, id, amount_fen, at, ref, 1, transfer_id, NULL, err);
}

int sp_line_draw_settle(sp_book *b, const char *id, uint64_t transfer_id,
                        int post, sp_time at, sp_error *err) {
  sp__loan l;
  int rc = sp__loan_load(b, id, &l, err);
  if (rc != SP_OK)
    return rc;
  sp_transfer p;
  rc = sp_ledger_transfer(b->ledger, transfer_id, &p, err);
  if (rc == SP_OK && (p.owner_id != l.no || p.code != SP_CODE_DRAW ||
                      !(p.flags & SP_TRANSFER_PENDING)))
    rc = sp_error_set(err, SP_EINVAL, "transfer",
                      "--transfer: %llu is not a pending draw of line '%s'",
                      (unsigned long long)transfer_id, id);
  if (rc == SP_ENOTFOUND)
    sp_error_set(err, rc, "transfer", "--transfer: no transfer %llu",
                 (unsigned long long)transfer_id);
  sp_transfer xs[SP__LOAN_XFER_MAX];
  size_t n = 0;
  uint64_t next = sp_ledger_next_id(b->ledger);
  /* Interest starts when the money leaves: accrue up to now first. */
  if (rc == SP_OK)
    rc = sp__loan_catch_up(b, &l, at, xs, SP__LOAN_XFER_MAX, &n, &next, err);
  if (rc == SP_OK) {
    sp_transfer t = {.id = sp_ledger_next_id(b->ledger),
                     .pending_id = transfer_id,
                     .owner_id = l.no,
                     .time = at,
                     .code = SP_CODE_DRAW,
                     .flags = post ? SP_TRANSFER_POST_PENDING
                                   : SP_TRANSFER_VOID_PENDING};
    rc = sp_ledger_submit(b->ledger, &t, 1, NULL, err);
    if (rc == SP_ESTATE)
      sp_error_set(err, rc, "transfer", "--transfer: %llu is already %s",
                   (unsigned long long)transfer_id,
                   strstr(err->message, "posted") ? "posted" : "voided");
  }
  if (rc == SP_OK)
    rc = sp__loan_commit(b, &l, NULL, NULL, 0, err);
  else
    sp_ledger_discard(b->ledger);
  sp__loan_free(&l);
  return rc;
}

static int line_update(sp_book *b, const char *id, int frozen,
                       int64_t limit_fen, sp_error *err) {
  sp__loan l;
  int rc = sp__loan_load(b, id, &l, err);
  if (rc != SP_OK)
    return rc;
  if (l.kind != SP_LOAN_LINE)
    rc = sp_error_set(err, SP_ESTATE, "id", "--id: '%s' is not a line", id);
  if (rc == SP_OK) {
    if (frozen >= 0)
      l.frozen = frozen;
    if (limit_fen >= 0)
      l.limit_fen = limit_fen;
    rc = sp__loan_commit(b, &l, NULL, NULL, 0, err);
  }
  sp__loan_free(&l);
  return rc;
}

int sp_line_freeze(sp_book *b, const char *id, int frozen, sp_error *err) {
  return line_update(b, id, frozen ? 1 : 0, -1, err);
}

int sp_line_set_limit(sp_book *b, const char *id, int64_t limit_fen,
                      sp_error *err) {
  if (limit_fen < 0 || limit_fen > SP_AMOUNT_FEN_MAX)
    return sp_error_set(err, SP_ERANGE, "limit", "--limit: out of range");
  return line_update(b, id, -1, limit_fen, err);
}
