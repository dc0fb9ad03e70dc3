/* The loan book: opening the store and ledger, the lender's accounts, loan
 * records and idempotency refs, and read-only views of loans. */
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "loan/loan_int.h"

static const struct {
  uint64_t id;
  uint16_t kind;
  const char *name;
} lender_accounts[] = {
    {SP_ACCOUNT_CASH, SP_ACCOUNT_ASSET, "cash"},
    {SP_ACCOUNT_INTEREST_INCOME, SP_ACCOUNT_INCOME, "interest income"},
    {SP_ACCOUNT_PENALTY_INCOME, SP_ACCOUNT_INCOME, "penalty income"},
    {SP_ACCOUNT_FEE_INCOME, SP_ACCOUNT_INCOME, "fee income"},
    {SP_ACCOUNT_CAPITAL, SP_ACCOUNT_EQUITY, "capital"},
};

void sp_product_default(sp_product *p) {
  memset(p, 0, sizeof *p);
  p->daycount = SP_DAYCOUNT_ACT_360;
  p->penalty_factor_bp = 15000;
  p->alloc[0] = SP_PART_PENALTY;
  p->alloc[1] = SP_PART_INTEREST;
  p->alloc[2] = SP_PART_PRINCIPAL;
  p->rounding = SP_ROUND_HALF_UP;
  p->method = SP_METHOD_ANNUITY;
  p->term_months = 12;
}

/* The lender's own accounts, created the first time the book is opened
 * (an open of an existing book finds them and changes nothing). */
static int lender_accounts_create(sp_book *b, sp_error *err) {
  sp_account a[5];
  for (size_t i = 0; i < 5; i++) {
    a[i] = (sp_account){.id = lender_accounts[i].id,
                        .kind = lender_accounts[i].kind,
                        .ledger = SP_LEDGER_CNY};
    snprintf(a[i].name, sizeof a[i].name, "%s", lender_accounts[i].name);
  }
  int rc = sp_ledger_create_accounts(b->ledger, a, 5, err);
  if (rc == SP_OK)
    rc = sp_ledger_commit(b->ledger, NULL, NULL, err);
  return rc;
}

/* A reader writes nothing: the book must be there already. */
static int lender_accounts_find(sp_book *b, const char *path, sp_error *err) {
  sp_account a;
  int rc = b->store->ops->account_get(b->store, SP_ACCOUNT_CASH, &a, err);
  if (rc == SP_ENOTFOUND)
    return sp_error_set(err, rc, "db", "--db: no book in '%s'", path);
  return rc;
}

static int book_init(sp_book *b, const char *path, int readonly,
                     sp_error *err) {
  int rc = sp_ledger_open(b->store, &b->ledger, err);
  if (rc != SP_OK)
    return rc;
  rc = readonly ? lender_accounts_find(b, path, err)
                : lender_accounts_create(b, err);
  if (rc == SP_OK)
    rc = b->store->ops->record_no_max(b->store, &b->loan_no_max, err);
  int64_t closed = 0;
  if (rc == SP_OK) {
    int m = b->store->ops->meta_get(b->store, "closed_through", &closed, err);
    if (m != SP_OK && m != SP_ENOTFOUND)
      rc = m;
  }
  b->closed_through = (sp_date)closed;
  return rc;
}

typedef enum book_mode { BOOK_CREATE, BOOK_EXISTING, BOOK_READER } book_mode;

static int book_open(const char *path, book_mode mode, sp_book **out,
                     sp_error *err) {
  sp_book *b = calloc(1, sizeof *b);
  if (b == NULL)
    return sp_error_set(err, SP_ENOMEM, "db", "out of memory");
  int rc = mode == BOOK_CREATE ? sp_store_open_sqlite(path, &b->store, err)
           : mode == BOOK_EXISTING
               ? sp_store_open_sqlite_existing(path, &b->store, err)
               : sp_store_open_sqlite_reader(path, &b->store, err);
  if (rc == SP_ENOTFOUND)
    sp_error_set(err, rc, "db", "--db: no %s '%s'",
                 mode == BOOK_READER ? "book in" : "database", path);
  b->readonly = mode == BOOK_READER;
  if (rc == SP_OK)
    rc = book_init(b, path, b->readonly, err);
  if (rc != SP_OK) {
    sp_book_close(b);
    return rc;
  }
  *out = b;
  return SP_OK;
}

int sp_book_open(const char *path, sp_book **out, sp_error *err) {
  return book_open(path, BOOK_CREATE, out, err);
}

int sp_book_open_existing(const char *path, sp_book **out, sp_error *err) {
  return book_open(path, BOOK_EXISTING, out, err);
}

int sp_book_open_readonly(const char *path, sp_book **out, sp_error *err) {
  return book_open(path, BOOK_READER, out, err);
}

int sp_book_read_begin(sp_book *b, sp_error *err) {
  assert(b->readonly); /* a writer's ledger holds what it has not committed */
  /* Accounts cached under an earlier snapshot may have moved since. */
  sp_ledger_discard(b->ledger);
  return b->store->ops->read_begin(b->store, err);
}

void sp_book_read_end(sp_book *b) { b->store->ops->read_end(b->store); }

void sp_book_close(sp_book *b) {
  if (b == NULL)
    return;
  sp_ledger_close(b->ledger);
  sp_store_close(b->store);
  free(b);
}

struct sp_store *sp_book_store(sp_book *b) {
  return b->store;
}
sp_date sp_book_closed_through(sp_book *b) { return b->closed_through; }

void sp__loan_free(sp__loan *loan) {
  free(loan->inst);
  loan->inst = NULL;
}

static int state_overlay(sp_store *s, sp__loan *l, sp_error *err);

typedef struct load_ctx {
  sp__loan *out;
  int rc;
} load_ctx;

static int load_one(void *p, const sp_record *r) {
  load_ctx *c = p;
  c->rc = r->kind == SP__REC_LOAN ? sp__loan_decode(r->data, r->size, c->out)
                                  : SP_ENOTFOUND;
  return SP_OK;
}

int sp__loan_load(sp_book *b, const char *id, sp__loan *out, sp_error *err) {
  load_ctx c = {.out = out, .rc = SP_ENOTFOUND};
  int rc = b->store->ops->record_get(b->store, id, load_one, &c, err);
  if (rc == SP_OK)
    rc = c.rc;
  if (rc == SP_OK) {
    sp_error store_err;
    rc = state_overlay(b->store, out, &store_err);
    if (rc != SP_OK)
      sp__loan_free(out);
    if (rc != SP_OK && rc != SP_ESTORE) {
      if (err != NULL)
        *err = store_err;
      return rc;
    }
  }
  if (rc == SP_ENOTFOUND)
    return sp_error_set(err, rc, "id", "--id: no loan '%s'", id);
  if (rc == SP_ESTORE)
    return sp_error_set(err, rc, "id", "loan '%s': unreadable record", id);
  return rc;
}

int sp__loan_put(sp_store *s, const sp__loan *loan, sp_error *err) {
  uint8_t stack[1024];
  size_t max = sp__loan_encoded_max(loan->n_inst);
  uint8_t *buf = max <= sizeof stack ? stack : malloc(max);
  if (buf == NULL)
    return sp_error_set(err, SP_ENOMEM, "loan", "out of memory");
  sp_record r = {.no = loan->no,
                 .key = loan->id,
                 .kind = SP__REC_LOAN,
                 .data = buf,
                 .size = sp__loan_encode(loan, buf)};
  int rc = s->ops->record_put(s, &r, err);
  if (buf != stack)
    free(buf);
  return rc == SP_OK ? sp__loan_put_state(s, loan, err) : rc;
}

int sp__loan_put_state(sp_store *s, const sp__loan *loan, sp_error *err) {
  uint8_t state[SP_STORE_STATE_MAX];
  size_t size = sp__loan_state_encode(loan, state);
  return s->ops->state_put(s, loan->no, state, size, err);
}

/* Overrides a decoded record's day fields with its stored state. */
static int state_overlay(sp_store *s, sp__loan *l, sp_error *err) {
  uint8_t state[SP_STORE_STATE_MAX];
  size_t size = 0;
  int rc = s->ops->state_get(s, l->no, state, &size, err);
  if (rc == SP_ENOTFOUND)
    return SP_OK;
  if (rc == SP_OK && sp__loan_state_decode(state, size, l) != SP_OK)
    rc = SP_ESTORE;
  return rc;
}

typedef struct commit_ctx {
  const sp__loan *loan;
  const char *ref;
  const void *ref_data;
  size_t ref_size;
  uint64_t ref_no;
} commit_ctx;

static int commit_rows(void *p, sp_store *s, sp_error *err) {
  commit_ctx *c = p;
  int rc = c->loan ? sp__loan_put(s, c->loan, err) : SP_OK;
  if (rc == SP_OK && c->ref != NULL) {
    char key[SP_LOAN_REF_MAX + 8];
    snprintf(key, sizeof key, "ref:%s", c->ref);
    sp_record r = {.no = c->ref_no,
                   .key = key,
                   .kind = SP__REC_REF,
                   .data = c->ref_data,
                   .size = c->ref_size};
    rc = s->ops->record_put(s, &r, err);
  }
  return rc;
}

int sp__loan_commit(sp_book *b, const sp__loan *loan, const char *ref,
                    const void *ref_data, size_t ref_size, sp_error *err) {
  commit_ctx c = {
      .loan = loan, .ref = ref, .ref_data = ref_data, .ref_size = ref_size};
  if (ref != NULL)
    c.ref_no = ++b->loan_no_max;
  int rc = sp_ledger_commit(b->ledger, commit_rows, &c, err);
  if (rc != SP_OK && ref != NULL)
    b->loan_no_max--;
  return rc;
}

typedef struct ref_ctx {
  void *data;
  size_t size;
  int found;
} ref_ctx;

static int ref_one(void *p, const sp_record *r) {
  ref_ctx *c = p;
  if (r->kind == SP__REC_REF && r->size == c->size) {
    memcpy(c->data, r->data, c->size);
    c->found = 1;
  }
  return SP_OK;
}

int sp__ref_get(sp_book *b, const char *ref, void *data, size_t size,
                sp_error *err) {
  char key[SP_LOAN_REF_MAX + 8];
  if (strlen(ref) == 0 || strlen(ref) > SP_LOAN_REF_MAX)
    return sp_error_set(err, SP_EINVAL, "ref", "--ref: 1 to %d characters",
                        SP_LOAN_REF_MAX);
  snprintf(key, sizeof key, "ref:%s", ref);
  ref_ctx c = {.data = data, .size = size};
  int rc = b->store->ops->record_get(b->store, key, ref_one, &c, err);
  if (rc == SP_OK && !c.found)
    return sp_error_set(err, SP_EEXISTS, "ref",
                        "--ref: '%s' was used for another kind of request",
                        ref);
  return rc;
}

int64_t sp__loan_balance(sp_book *b, const sp__loan *loan, sp_alloc_part part) {
  sp_account a;
  if (sp_ledger_account(b->ledger, SP_LOAN_ACCOUNT(loan->no, part), &a, NULL) !=
      SP_OK)
    return 0;
  return sp_account_balance_fen(&a);
}

void sp__xfer(sp_transfer *xs, size_t *n, size_t cap, uint64_t *next_id,
              uint64_t debit, uint64_t credit, int64_t amount_fen,
              uint64_t owner, sp_time at, sp_loan_code code) {
  assert(*n < cap);
  assert(amount_fen > 0);
  xs[(*n)++] = (sp_transfer){.id = (*next_id)++,
                             .debit_account_id = debit,
                             .credit_account_id = credit,
                             .amount_fen = amount_fen,
                             .owner_id = owner,
                             .time = at,
                             .ledger = SP_LEDGER_CNY,
                             .code = (uint16_t)code};
}

void sp__loan_balances(sp_book *b, const sp__loan *l, sp__balances *out) {
  memset(out, 0, sizeof *out);
  sp_account a;
  if (sp_ledger_account(b->ledger, SP_LOAN_ACCOUNT(l->no, SP_PART_PRINCIPAL),
                        &a, NULL) == SP_OK) {
    out->principal_fen = sp_account_balance_fen(&a);
    out->pending_draws_fen = a.debits_pending_fen;
  }
  out->interest_fen = sp__loan_balance(b, l, SP_PART_INTEREST);
  out->penalty_fen = sp__loan_balance(b, l, SP_PART_PENALTY);
}

void sp__loan_view(sp_book *b, const sp__loan *l, sp_loan_view *v) {
  sp__balances bal;
  sp__loan_balances(b, l, &bal);
  sp__loan_view_of(l, &bal, v);
}

void sp__loan_view_of(const sp__loan *l, const sp__balances *bal,
                      sp_loan_view *v) {
  memset(v, 0, sizeof *v);
  memcpy(v->id, l->id, sizeof v->id);
  v->kind = (sp_loan_kind)l->kind;
  v->product = l->product;
  v->opened = l->opened;
  v->maturity = l->maturity;
  v->limit_fen = l->limit_fen;
  v->principal_fen = bal->principal_fen;
  v->interest_fen = bal->interest_fen;
  v->penalty_fen = bal->penalty_fen;
  v->interest_due_fen = l->interest_due_fen;
  sp_date day = l->closed_through + 1;
  for (int32_t i = 0; i < l->n_inst; i++) {
    const sp__inst *s = &l->inst[i];
    if (s->due <= day) {
      v->interest_due_fen += s->interest_fen - s->interest_paid_fen;
      v->principal_due_fen += s->principal_fen - s->principal_paid_fen;
    }
  }
  if (l->kind == SP_LOAN_LINE && day > l->maturity)
    v->principal_due_fen = v->principal_fen;
  if (l->kind == SP_LOAN_LINE)
    v->pending_draws_fen = bal->pending_draws_fen;
  int64_t used = v->principal_fen + v->pending_draws_fen;
  if (l->kind == SP_LOAN_LINE && !l->frozen && day <= l->maturity &&
      l->limit_fen > used)
    v->available_fen = l->limit_fen - used;
  v->interest_accrued_total_fen = l->interest_total_fen;
  v->interest_paid_total_fen = l->interest_paid_total_fen;
  v->fee_fen = l->fee_fen;
  v->annualized_rate =
      l->kind == SP_LOAN_TERM ? l->annualized_rate : l->product.annual_rate;
  v->days_past_due = l->days_past_due;
  v->risk_class = (sp_risk_class)l->risk_class;
  v->frozen = l->frozen;
  v->closed = l->closed;
  v->closed_through = l->closed_through;
}

int sp_loan_get(sp_book *b, const char *id, sp_loan_view *out, sp_error *err) {
  sp__loan l;
  int rc = sp__loan_load(b, id, &l, err);
  if (rc != SP_OK)
    return rc;
  sp__loan_view(b, &l, out);
  sp__loan_free(&l);
  return SP_OK;
}

int sp_loan_installments(sp_book *b, const char *id, sp_installment_view *out,
                         size_t cap, size_t *n, sp_error *err) {
  sp__loan l;
  int rc = sp__loan_load(b, id, &l, err);
  if (rc != SP_OK)
    return rc;
  *n = 0;
  int64_t balance = 0;
  for (int32_t i = 0; i < l.n_inst; i++)
    balance += l.inst[i].principal_fen;
  for (int32_t i = 0; i < l.n_inst && (size_t)i < cap; i++) {
    const sp__inst *s = &l.inst[i];
    balance -= s->principal_fen;
    out[i].due =
        (sp_installment){.period = i + 1,
                         .due_date = s->due,
                         .payment_fen = s->principal_fen + s->interest_fen,
                         .principal_fen = s->principal_fen,
                         .interest_fen = s->interest_fen,
                         .balance_fen = balance};
    out[i].principal_paid_fen = s->principal_paid_fen;
    out[i].interest_paid_fen = s->interest_paid_fen;
    (*n)++;
  }
  sp__loan_free(&l);
  return SP_OK;
}

static const char *const class_names[] = {"normal", "special-mention",
                                          "substandard", "doubtful", "loss"};
static const char *const class_names_zh[] = {"正常", "关注", "次级", "可疑",
                                             "损失"};

sp_risk_class sp_risk_class_for(int32_t dpd) {
  if (dpd > 360)
    return SP_CLASS_LOSS;
  if (dpd > 270)
    return SP_CLASS_DOUBTFUL;
  if (dpd > 90)
    return SP_CLASS_SUBSTANDARD;
  if (dpd > 0)
    return SP_CLASS_SPECIAL_MENTION;
  return SP_CLASS_NORMAL;
}

const char *sp_risk_class_name(sp_risk_class c) {
  assert((unsigned)c < 5);
  return class_names[c];
}

const char *sp_risk_class_name_zh(sp_risk_class c) {
  assert((unsigned)c < 5);
  return class_names_zh[c];
}

const char *sp_bucket_name(int32_t dpd) {
  if (dpd <= 0)
    return "M0";
  if (dpd <= 30)
    return "M1";
  if (dpd <= 60)
    return "M2";
  if (dpd <= 90)
    return "M3";
  return "M4+";
}

int sp_alloc_parse(const char *text, const char *field, uint8_t out[3],
                   sp_error *err) {
  static const char *const names[3] = {"penalty", "interest", "principal"};
  char buf[64];
  snprintf(buf, sizeof buf, "%s", text ? text : "");
  int seen = 0, k = 0;
  for (char *save = NULL, *tok = strtok_r(buf, ",", &save); tok != NULL;
       tok = strtok_r(NULL, ",", &save)) {
    int part = -1;
    for (int i = 0; i < 3; i++)
      if (strcmp(tok, names[i]) == 0)
        part = i;
    if (part < 0 || (seen & (1 << part)) || k == 3)
      return sp_error_set(err, SP_EINVAL, field,
                          "%s: '%s' is not an order of penalty, interest, "
                          "principal",
                          field, text ? text : "");
    seen |= 1 << part;
    out[k++] = (uint8_t)part;
  }
  if (k != 3)
    return sp_error_set(err, SP_EINVAL, field,
                        "%s: name all of penalty, interest, principal", field);
  return SP_OK;
}
