/* AML internals shared by the files of src/aml/.
 *
 * sp_aml_data keeps transactions as parallel arrays (struct of arrays) in
 * input order. sp__aml_index() sorts them once by (time, row) with a radix
 * sort and lays out "rank" arrays in that order, plus out- and in-adjacency
 * in CSR form whose entries are ranks, ascending (so each account's list is
 * in time order). Every detector reads only the rank arrays and the CSR. */
#ifndef SPARROW_AML_INT_H
#define SPARROW_AML_INT_H

#include <stdint.h>
#include <string.h>

#include "sparrow/aml.h"

#define SP__AML_NO_LABEL UINT32_MAX

typedef struct sp__aml_csv {
  const char *text;
  size_t len;
  size_t pos;
  int line; /* line of the record being read (1-based) */
  int field_line[SP_AML_FIELDS_MAX];
  int field_column[SP_AML_FIELDS_MAX]; /* 1-based byte column */
  char *scratch;                       /* unescaped fields, NUL-separated */
  size_t scratch_cap;
} sp__aml_csv;

struct sp_aml_data {
  /* accounts, interned by name */
  uint32_t n_accounts, cap_accounts;
  uint32_t *account_name; /* offset into names */
  int8_t *account_kind;   /* -1 unknown */
  uint32_t *hash;         /* open addressing: account + 1, 0 empty */
  uint32_t hash_cap;      /* power of two */
  char *names;
  size_t names_len, names_cap;
  /* transactions, input order */
  uint32_t n_tx, cap_tx;
  sp_time *time;
  uint32_t *from, *to, *label, *row;
  int64_t *amount;
  uint8_t *type, *flags; /* flags: SP__AML_CROSS | SP__AML_FOREIGN */
  /* guarantees */
  uint32_t n_g, cap_g;
  uint32_t *g_from, *g_to, *g_label, *g_row;
  int64_t *g_amount;
  /* index: built by sp__aml_index, dropped when data changes */
  int indexed;
  uint32_t *r_tx; /* rank -> tx */
  sp_time *r_time;
  uint32_t *r_from, *r_to;
  int64_t *r_amount;
  uint32_t *out_start, *out_rank; /* CSR by from_account */
  uint32_t *in_start, *in_rank;   /* CSR by to_account */
};

#define SP__AML_CROSS 1u
#define SP__AML_FOREIGN 2u

/* Alerts under construction: items and accounts in shared pools. */
typedef struct sp__aml_alert {
  uint8_t pattern;
  uint8_t score;
  sp_time time_first, time_last;
  int64_t amount_fen;
  uint32_t acc_off, n_acc, item_off, n_items;
  int has_account_fen;
} sp__aml_alert;

struct sp_aml_alerts {
  sp__aml_alert *list;
  uint32_t n, cap, max;
  uint32_t *acc;
  int64_t *acc_fen;
  size_t n_acc, cap_acc;
  uint32_t *items;
  size_t n_items, cap_items;
  uint64_t truncated;
};

/* csv.c */
int sp_aml_csv_init(sp__aml_csv *csv, const char *text, size_t len);
void sp_aml_csv_free(sp__aml_csv *csv);
/* Reads one record: 1 and fields[0..*n) (pointers into scratch), 0 at end
 * of input, or a negative code with err naming line and column. */
int sp_aml_csv_next(sp__aml_csv *csv, const char **fields, int *n,
                    sp_error *err);

/* load.c: plain decimal to fen, third decimal rounded half up. */
int sp__aml_amount_parse(const char *text, int64_t *out_fen);

/* data.c */
int sp__aml_account(sp_aml_data *d, const char *name, uint32_t *out);
int sp__aml_label(sp_aml_data *d, const char *id, uint32_t *out);
int sp__aml_index(sp_aml_data *d);
void sp__aml_index_drop(sp_aml_data *d);
/* Adds n unnamed accounts (benchmarks build graphs by index). */
int sp__aml_accounts_reserve(sp_aml_data *d, uint32_t n);
int sp__aml_tx_add_raw(sp_aml_data *d, sp_time t, uint32_t from, uint32_t to,
                       int64_t amount_fen);

/* alerts.c */
int sp__aml_alerts_init(sp_aml_alerts *a, uint32_t max);
/* Appends an alert; returns SP_OK, SP_EFULL when max is reached (the
 * alert is dropped and the caller should stop), or SP_ENOMEM. */
int sp__aml_alert_add(sp_aml_alerts *a, const sp__aml_alert *al,
                      const uint32_t *accounts, const int64_t *account_fen,
                      uint32_t n_acc, const uint32_t *items, uint32_t n_items);
void sp__aml_alerts_sort(sp_aml_alerts *a, const sp_aml_data *d);

/* baseline.c: the count (or, by_amount, the total) of v's transfers on
 * one side with time in [t0, t1]; and whether a burst of `burst` (count or
 * amount) over [first, last], judged per window of w seconds, is unusual
 * for v against its own history around it (see baseline.c). */
int64_t sp__aml_side_total(const sp_aml_data *d, uint32_t v, int incoming,
                           int by_amount, sp_time t0, sp_time t1);
int sp__aml_unusual(const sp_aml_data *d, const sp_aml_config *cfg, uint32_t v,
                    int incoming, int by_amount, sp_time first, sp_time last,
                    sp_time w, int64_t burst);

/* detectors: each returns SP_OK, SP_EFULL (alert cap) or SP_ENOMEM */
int sp__aml_large_value(const sp_aml_data *d, const sp_aml_config *cfg,
                        sp_aml_alerts *a);
int sp__aml_structuring(const sp_aml_data *d, const sp_aml_config *cfg,
                        sp_aml_alerts *a);
int sp__aml_rapid(const sp_aml_data *d, const sp_aml_config *cfg,
                  sp_aml_alerts *a);
int sp__aml_fan(const sp_aml_data *d, const sp_aml_config *cfg,
                sp_aml_alerts *a, int fan_in);
int sp__aml_cycles(const sp_aml_data *d, const sp_aml_config *cfg,
                   sp_aml_alerts *a);
int sp__aml_purpose(const sp_aml_data *d, const sp_aml_config *cfg,
                    sp_aml_alerts *a);
int sp__aml_guarantees(const sp_aml_data *d, const sp_aml_config *cfg,
                       sp_aml_alerts *a);

/* Large-value threshold that applies to a transaction for the customer on
 * one side (account kind), or 0 when none applies (foreign currency). */
int64_t sp__aml_threshold(const sp_aml_data *d, const sp_aml_config *cfg,
                          uint32_t tx, uint32_t account, int *category);

#endif
