/* Loan-purpose violation: disbursed funds flowing where a working-capital
 * loan must not go.
 *
 * A disbursement is a transaction of type loan (or disbursement) from the
 * lender to a borrower v. Every account that receives one is a borrower.
 * v's outgoing transfers ranked after the disbursement and no later than
 * purpose_window_s after it are prohibited when they are of type
 * securities or real_estate, or go to another borrower of the lender (the
 * money lent on, or used to repay someone else's loan). When their total
 * reaches purpose_share_rate of the disbursement, that is an alert:
 * accounts = v, the lender, then the recipients; transactions = the
 * disbursement, then the prohibited transfers; amount = their total; score
 * = 50 + 50 * total / disbursement, capped at 100. Only direct flows are
 * followed (one hop): money routed through an intermediary first is the
 * rapid in-out and cycle detectors' to find. */
#include <assert.h>
#include <stdlib.h>

#include "aml/aml_int.h"
#include "sparrow/money.h"

typedef struct purpose {
  const sp_aml_data *d;
  const sp_aml_config *cfg;
  uint8_t *borrower; /* per account: received a disbursement */
  uint32_t *accounts, *items;
} purpose;

static int prohibited(const purpose *p, uint32_t r, uint32_t v) {
  const sp_aml_data *d = p->d;
  uint8_t type = d->type[d->r_tx[r]];
  uint32_t to = d->r_to[r];
  return type == SP_AML_SECURITIES || type == SP_AML_REAL_ESTATE ||
         (to != SP_AML_NONE && to != v && p->borrower[to]);
}

static int has(const uint32_t *list, uint32_t n, uint32_t x) {
  for (uint32_t i = 0; i < n; i++)
    if (list[i] == x)
      return 1;
  return 0;
}

static int one_loan(purpose *p, sp_aml_alerts *a, uint32_t e) {
  const sp_aml_data *d = p->d;
  uint32_t v = d->r_to[e];
  sp_time limit = d->r_time[e] + p->cfg->purpose_window_s;
  uint32_t n_items = 1, n_acc = 1;
  p->items[0] = d->r_tx[e];
  p->accounts[0] = v;
  if (d->r_from[e] != SP_AML_NONE)
    p->accounts[n_acc++] = d->r_from[e];
  int64_t total = 0;
  for (uint32_t k = d->out_start[v]; k < d->out_start[v + 1]; k++) {
    uint32_t r = d->out_rank[k];
    if (r <= e)
      continue;
    if (d->r_time[r] > limit)
      break;
    if (!prohibited(p, r, v))
      continue;
    total += d->r_amount[r];
    p->items[n_items++] = d->r_tx[r];
    uint32_t to = d->r_to[r];
    if (to != SP_AML_NONE && !has(p->accounts, n_acc, to))
      p->accounts[n_acc++] = to;
  }
  int64_t lent = d->r_amount[e];
  if (total == 0 || lent <= 0 ||
      (sp_i128)total * SP_RATE_ONE < (sp_i128)p->cfg->purpose_share_rate * lent)
    return SP_OK;
  sp__aml_alert al = {0};
  al.pattern = SP_AML_LOAN_PURPOSE;
  al.time_first = d->r_time[e];
  al.time_last = d->r_time[e];
  for (uint32_t i = 1; i < n_items; i++)
    al.time_last = d->time[p->items[i]] > al.time_last ? d->time[p->items[i]]
                                                       : al.time_last;
  al.amount_fen = total;
  int64_t score = 50 + (int64_t)((sp_i128)50 * total / lent);
  al.score = (uint8_t)(score > 100 ? 100 : score);
  return sp__aml_alert_add(a, &al, p->accounts, NULL, n_acc, p->items, n_items);
}

int sp__aml_purpose(const sp_aml_data *d, const sp_aml_config *cfg,
                    sp_aml_alerts *a) {
  assert(d->indexed);
  purpose p = {d, cfg, NULL, NULL, NULL};
  size_t n = (size_t)d->n_tx + 2;
  p.borrower = calloc((size_t)d->n_accounts + 1, 1);
  p.accounts = malloc(n * sizeof *p.accounts);
  p.items = malloc(n * sizeof *p.items);
  int rc = p.borrower && p.accounts && p.items ? SP_OK : SP_ENOMEM;
  for (uint32_t r = 0; rc == SP_OK && r < d->n_tx; r++)
    if (d->type[d->r_tx[r]] == SP_AML_LOAN && d->r_to[r] != SP_AML_NONE)
      p.borrower[d->r_to[r]] = 1;
  for (uint32_t r = 0; rc == SP_OK && r < d->n_tx; r++)
    if (d->type[d->r_tx[r]] == SP_AML_LOAN && d->r_to[r] != SP_AML_NONE)
      rc = one_loan(&p, a, r);
  free(p.borrower), free(p.accounts), free(p.items);
  return rc;
}
