/* The AML index: transactions in time order and CSR adjacency.
 *
 * Rank r is the r-th transaction in (time, input order). The sort is an
 * LSD radix sort on (time - earliest time) with 11-bit digits; being
 * stable, ties keep input order. Then r_time/r_from/r_to/r_amount hold
 * the transactions by rank, and out_rank[out_start[a] .. out_start[a+1])
 * lists the ranks of a's outgoing transfers in ascending order (in_rank
 * likewise for incoming), built by a counting sort over ranks. Transfers
 * with no account on a side are left out of that side's lists. */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "aml/aml_int.h"

#define DIGIT_BITS 11
#define DIGIT_SIZE (1u << DIGIT_BITS)

static void radix_sort(const sp_aml_data *d, uint32_t *idx, uint32_t *tmp) {
  uint32_t n = d->n_tx;
  sp_time lo = d->time[0], hi = d->time[0];
  for (uint32_t i = 0; i < n; i++) {
    idx[i] = i;
    lo = d->time[i] < lo ? d->time[i] : lo;
    hi = d->time[i] > hi ? d->time[i] : hi;
  }
  uint64_t span = (uint64_t)hi - (uint64_t)lo;
  uint32_t count[DIGIT_SIZE];
  for (int shift = 0; shift < 64 && (span >> shift) != 0; shift += DIGIT_BITS) {
    memset(count, 0, sizeof count);
    for (uint32_t i = 0; i < n; i++)
      count[(((uint64_t)d->time[idx[i]] - (uint64_t)lo) >> shift) &
            (DIGIT_SIZE - 1)]++;
    uint32_t sum = 0;
    for (uint32_t k = 0; k < DIGIT_SIZE; k++) {
      uint32_t c = count[k];
      count[k] = sum;
      sum += c;
    }
    for (uint32_t i = 0; i < n; i++)
      tmp[count[(((uint64_t)d->time[idx[i]] - (uint64_t)lo) >> shift) &
                (DIGIT_SIZE - 1)]++] = idx[i];
    memcpy(idx, tmp, (size_t)n * sizeof *idx);
  }
}

/* start[a] .. start[a+1] gets the ranks whose side[] is a, ascending. */
static void csr_build(uint32_t n_acc, uint32_t n, const uint32_t *side,
                      uint32_t *start, uint32_t *list) {
  memset(start, 0, ((size_t)n_acc + 1) * sizeof *start);
  for (uint32_t r = 0; r < n; r++)
    if (side[r] != SP_AML_NONE)
      start[side[r] + 1]++;
  for (uint32_t a = 0; a < n_acc; a++)
    start[a + 1] += start[a];
  /* Fill using a moving cursor per account kept in start[a] itself, then
   * shift back: avoids a second array. */
  for (uint32_t r = 0; r < n; r++)
    if (side[r] != SP_AML_NONE)
      list[start[side[r]]++] = r;
  for (uint32_t a = n_acc; a > 0; a--)
    start[a] = start[a - 1];
  start[0] = 0;
}

int sp__aml_index(sp_aml_data *d) {
  assert(d != NULL);
  if (d->indexed)
    return SP_OK;
  sp__aml_index_drop(d);
  size_t n = d->n_tx ? d->n_tx : 1, na = (size_t)d->n_accounts + 1;
  uint32_t *tmp = malloc(n * sizeof *tmp);
  d->r_tx = malloc(n * sizeof *d->r_tx);
  d->r_time = malloc(n * sizeof *d->r_time);
  d->r_from = malloc(n * sizeof *d->r_from);
  d->r_to = malloc(n * sizeof *d->r_to);
  d->r_amount = malloc(n * sizeof *d->r_amount);
  d->out_start = malloc(na * sizeof *d->out_start);
  d->in_start = malloc(na * sizeof *d->in_start);
  d->out_rank = malloc(n * sizeof *d->out_rank);
  d->in_rank = malloc(n * sizeof *d->in_rank);
  if (!tmp || !d->r_tx || !d->r_time || !d->r_from || !d->r_to ||
      !d->r_amount || !d->out_start || !d->in_start || !d->out_rank ||
      !d->in_rank) {
    free(tmp);
    return SP_ENOMEM;
  }
  if (d->n_tx > 0)
    radix_sort(d, d->r_tx, tmp);
  free(tmp);
  for (uint32_t r = 0; r < d->n_tx; r++) {
    uint32_t t = d->r_tx[r];
    d->r_time[r] = d->time[t];
    d->r_from[r] = d->from[t];
    d->r_to[r] = d->to[t];
    d->r_amount[r] = d->amount[t];
    assert(r == 0 || d->r_time[r - 1] <= d->r_time[r]);
  }
  csr_build(d->n_accounts, d->n_tx, d->r_from, d->out_start, d->out_rank);
  csr_build(d->n_accounts, d->n_tx, d->r_to, d->in_start, d->in_rank);
  d->indexed = 1;
  return SP_OK;
}
