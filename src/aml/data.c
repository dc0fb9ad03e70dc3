/* AML data: interned accounts, transactions and guarantees, and the index.
 *
 * Account names live in one growing arena and are found through an
 * open-addressing hash table (FNV-1a, linear probing, kept at most half
 * full). Transactions are parallel arrays in input order. sp__aml_index()
 * sorts transaction indices by (time, input order) with an LSD radix sort
 * (11-bit digits, stable, only as many passes as the time span needs),
 * copies time/from/to/amount into rank order, and builds the out- and
 * in-adjacency in CSR form by counting sort over ranks, so each account's
 * list comes out in time order with no further sorting. */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "aml/aml_int.h"
#include "core/hash.h"

#define ACCOUNTS_MAX (UINT32_MAX / 4)
#define TX_MAX (UINT32_MAX / 4)

int sp_aml_data_new(sp_aml_data **out) {
  assert(out != NULL);
  *out = calloc(1, sizeof **out);
  return *out ? SP_OK : SP_ENOMEM;
}

void sp__aml_index_drop(sp_aml_data *d) {
  free(d->r_tx), free(d->r_time), free(d->r_from), free(d->r_to);
  free(d->r_amount), free(d->out_start), free(d->out_rank);
  free(d->in_start), free(d->in_rank);
  d->r_tx = d->r_from = d->r_to = d->out_start = d->out_rank = NULL;
  d->in_start = d->in_rank = NULL;
  d->r_time = NULL;
  d->r_amount = NULL;
  d->indexed = 0;
}

void sp_aml_data_free(sp_aml_data *d) {
  if (d == NULL)
    return;
  sp__aml_index_drop(d);
  free(d->account_name), free(d->account_kind), free(d->hash), free(d->names);
  free(d->time), free(d->from), free(d->to), free(d->label), free(d->row);
  free(d->amount), free(d->type), free(d->flags);
  free(d->g_from), free(d->g_to), free(d->g_label), free(d->g_row);
  free(d->g_amount);
  free(d);
}

/* Grows *p (elements of size sz) to hold at least n; doubles. */
static int grow(void **p, size_t sz, size_t n, size_t newcap) {
  (void)n;
  void *q = realloc(*p, sz * newcap);
  if (q == NULL)
    return SP_ENOMEM;
  *p = q;
  return SP_OK;
}

static int name_store(sp_aml_data *d, const char *s, uint32_t *off) {
  size_t n = strlen(s) + 1;
  if (d->names_len + n > d->names_cap) {
    size_t cap = d->names_cap ? d->names_cap * 2 : 4096;
    while (cap < d->names_len + n)
      cap *= 2;
    if (cap > UINT32_MAX || grow((void **)&d->names, 1, 0, cap) != SP_OK)
      return SP_ENOMEM;
    d->names_cap = cap;
  }
  if (d->names_len == 0) { /* offset 0 is the empty name */
    d->names[0] = '\0';
    d->names_len = 1;
  }
  *off = (uint32_t)d->names_len;
  memcpy(d->names + d->names_len, s, n);
  d->names_len += n;
  return SP_OK;
}

static int hash_grow(sp_aml_data *d) {
  uint32_t cap = d->hash_cap ? d->hash_cap * 2 : 1024;
  uint32_t *h = calloc(cap, sizeof *h);
  if (h == NULL)
    return SP_ENOMEM;
  for (uint32_t a = 0; a < d->n_accounts; a++) {
    uint32_t i = sp_hash_str(d->names + d->account_name[a]) & (cap - 1);
    while (h[i] != 0)
      i = (i + 1) & (cap - 1);
    h[i] = a + 1;
  }
  free(d->hash);
  d->hash = h;
  d->hash_cap = cap;
  return SP_OK;
}

static int account_new(sp_aml_data *d, uint32_t name_off, uint32_t *out) {
  if (d->n_accounts >= ACCOUNTS_MAX)
    return SP_ELIMIT;
  if (d->n_accounts == d->cap_accounts) {
    uint32_t cap = d->cap_accounts ? d->cap_accounts * 2 : 1024;
    if (grow((void **)&d->account_name, 4, 0, cap) ||
        grow((void **)&d->account_kind, 1, 0, cap))
      return SP_ENOMEM;
    d->cap_accounts = cap;
  }
  d->account_name[d->n_accounts] = name_off;
  d->account_kind[d->n_accounts] = -1;
  *out = d->n_accounts++;
  return SP_OK;
}

int sp__aml_account(sp_aml_data *d, const char *name, uint32_t *out) {
  assert(d != NULL && name != NULL);
  if (name[0] == '\0') {
    *out = SP_AML_NONE;
    return SP_OK;
  }
  if ((uint64_t)(d->n_accounts + 1) * 2 > d->hash_cap && hash_grow(d))
    return SP_ENOMEM;
  uint32_t i = sp_hash_str(name) & (d->hash_cap - 1);
  for (; d->hash[i] != 0; i = (i + 1) & (d->hash_cap - 1)) {
    uint32_t a = d->hash[i] - 1;
    if (strcmp(d->names + d->account_name[a], name) == 0) {
      *out = a;
      return SP_OK;
    }
  }
  uint32_t off;
  int rc = name_store(d, name, &off);
  if (rc == SP_OK)
    rc = account_new(d, off, out);
  if (rc == SP_OK)
    d->hash[i] = *out + 1;
  return rc;
}

int sp__aml_accounts_reserve(sp_aml_data *d, uint32_t n) {
  assert(d->n_accounts == 0);
  for (uint32_t i = 0; i < n; i++) {
    uint32_t a;
    int rc = account_new(d, 0, &a);
    if (rc != SP_OK)
      return rc;
  }
  if (d->names_len == 0) {
    uint32_t off;
    return name_store(d, "", &off);
  }
  return SP_OK;
}

int sp__aml_label(sp_aml_data *d, const char *id, uint32_t *out) {
  if (id == NULL) {
    *out = SP__AML_NO_LABEL;
    return SP_OK;
  }
  return name_store(d, id, out);
}

static int tx_reserve(sp_aml_data *d) {
  if (d->n_tx < d->cap_tx)
    return SP_OK;
  if (d->n_tx >= TX_MAX)
    return SP_ELIMIT;
  uint32_t cap = d->cap_tx ? d->cap_tx * 2 : 1024;
  if (grow((void **)&d->time, 8, 0, cap) ||
      grow((void **)&d->from, 4, 0, cap) || grow((void **)&d->to, 4, 0, cap) ||
      grow((void **)&d->label, 4, 0, cap) ||
      grow((void **)&d->row, 4, 0, cap) ||
      grow((void **)&d->amount, 8, 0, cap) ||
      grow((void **)&d->type, 1, 0, cap) || grow((void **)&d->flags, 1, 0, cap))
    return SP_ENOMEM;
  d->cap_tx = cap;
  return SP_OK;
}

int sp__aml_tx_add_raw(sp_aml_data *d, sp_time t, uint32_t from, uint32_t to,
                       int64_t amount_fen) {
  assert(from == SP_AML_NONE || from < d->n_accounts);
  assert(to == SP_AML_NONE || to < d->n_accounts);
  int rc = tx_reserve(d);
  if (rc != SP_OK)
    return rc;
  uint32_t i = d->n_tx++;
  d->time[i] = t, d->from[i] = from, d->to[i] = to, d->amount[i] = amount_fen;
  d->label[i] = SP__AML_NO_LABEL, d->row[i] = i + 1;
  d->type[i] = SP_AML_TRANSFER, d->flags[i] = 0;
  sp__aml_index_drop(d);
  return SP_OK;
}

static int set_kind(sp_aml_data *d, uint32_t a, int kind, const char *field,
                    sp_error *err) {
  if (a == SP_AML_NONE || kind < 0)
    return SP_OK;
  if (d->account_kind[a] >= 0 && d->account_kind[a] != kind)
    return sp_error_set(err, SP_EINVAL, field,
                        "%s: account '%s' given two different kinds", field,
                        d->names + d->account_name[a]);
  d->account_kind[a] = (int8_t)kind;
  return SP_OK;
}

int sp_aml_data_add_tx(sp_aml_data *d, const sp_aml_tx *tx, sp_error *err) {
  assert(d != NULL && tx != NULL);
  if (tx->amount_fen < 0)
    return sp_error_set(err, SP_EINVAL, "amount", "amount: negative");
  uint32_t from, to, label;
  int rc = sp__aml_account(d, tx->from_account ? tx->from_account : "", &from);
  if (rc == SP_OK)
    rc = sp__aml_account(d, tx->to_account ? tx->to_account : "", &to);
  if (rc == SP_OK && from == SP_AML_NONE && to == SP_AML_NONE)
    return sp_error_set(err, SP_EINVAL, "from_account",
                        "from_account and to_account are both empty");
  if (rc == SP_OK)
    rc = set_kind(d, from, tx->from_kind, "from_kind", err);
  if (rc == SP_OK)
    rc = set_kind(d, to, tx->to_kind, "to_kind", err);
  if (rc == SP_OK)
    rc = sp__aml_label(d, tx->id, &label);
  if (rc == SP_OK)
    rc = sp__aml_tx_add_raw(d, tx->time, from, to, tx->amount_fen);
  if (rc != SP_OK)
    return err && err->code
               ? rc
               : sp_error_set(err, rc, "data", "%s", sp_strerror(rc));
  uint32_t i = d->n_tx - 1;
  d->label[i] = label;
  d->type[i] = (uint8_t)tx->type;
  d->flags[i] = (uint8_t)((tx->cross_border ? SP__AML_CROSS : 0) |
                          (tx->foreign_currency ? SP__AML_FOREIGN : 0));
  return SP_OK;
}

int sp_aml_data_add_guarantee(sp_aml_data *d, const char *id,
                              const char *guarantor, const char *borrower,
                              int64_t amount_fen, sp_error *err) {
  assert(d != NULL && guarantor != NULL && borrower != NULL);
  if (guarantor[0] == '\0' || borrower[0] == '\0')
    return sp_error_set(err, SP_EINVAL, guarantor[0] ? "borrower" : "guarantor",
                        "guarantee: empty %s",
                        guarantor[0] ? "borrower" : "guarantor");
  if (amount_fen < 0)
    return sp_error_set(err, SP_EINVAL, "amount", "amount: negative");
  if (d->n_g == d->cap_g) {
    uint32_t cap = d->cap_g ? d->cap_g * 2 : 256;
    if (d->n_g >= TX_MAX || grow((void **)&d->g_from, 4, 0, cap) ||
        grow((void **)&d->g_to, 4, 0, cap) ||
        grow((void **)&d->g_label, 4, 0, cap) ||
        grow((void **)&d->g_row, 4, 0, cap) ||
        grow((void **)&d->g_amount, 8, 0, cap))
      return sp_error_set(err, SP_ENOMEM, "guarantees", "out of memory");
    d->cap_g = cap;
  }
  uint32_t g = d->n_g;
  if (sp__aml_account(d, guarantor, &d->g_from[g]) ||
      sp__aml_account(d, borrower, &d->g_to[g]) ||
      sp__aml_label(d, id, &d->g_label[g]))
    return sp_error_set(err, SP_ENOMEM, "guarantees", "out of memory");
  d->g_amount[g] = amount_fen;
  d->g_row[g] = g + 1;
  d->n_g++;
  return SP_OK;
}

size_t sp_aml_data_tx_count(const sp_aml_data *d) { return d->n_tx; }
size_t sp_aml_data_guarantee_count(const sp_aml_data *d) { return d->n_g; }

const char *sp_aml_data_account_name(const sp_aml_data *d, uint32_t a) {
  assert(a < d->n_accounts);
  return d->names + d->account_name[a];
}

const char *sp_aml_data_tx_id(const sp_aml_data *d, uint32_t tx,
                              uint32_t *row) {
  assert(tx < d->n_tx && row != NULL);
  *row = d->row[tx];
  return d->label[tx] == SP__AML_NO_LABEL ? NULL : d->names + d->label[tx];
}

const char *sp_aml_data_guarantee_id(const sp_aml_data *d, uint32_t g,
                                     uint32_t *row) {
  assert(g < d->n_g && row != NULL);
  *row = d->g_row[g];
  return d->g_label[g] == SP__AML_NO_LABEL ? NULL : d->names + d->g_label[g];
}
