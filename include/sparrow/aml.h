/* Anti-money-laundering transaction monitoring.
 *
 * A batch of transfers (and, optionally, guarantee relationships among
 * borrowers) is loaded into an sp_aml_data, then sp_aml_detect() runs the
 * enabled detectors and returns alerts in a deterministic order:
 *
 *   large_value         PBoC large-value report (same business day, per
 *                       customer, per direction, single or cumulative)
 *   structuring         several amounts just under a threshold in a window
 *   rapid_in_out        funds leaving within hours of arriving
 *   fan_in / fan_out    many distinct counterparties in a window, with the
 *                       money passed on (pass-through)
 *   cycle               money returning to its origin in k time-ordered hops
 *   guarantee_circle    mutual-guarantee cycle (strongly connected component)
 *   guarantee_network   connected guarantee network with each member's
 *                       contagion exposure
 *   loan_purpose        disbursed funds (type loan) sent on by the borrower
 *                       to securities, real estate or the lender's other
 *                       borrowers
 *
 * Amounts are int64 fen; rates are SP_RATE_ONE units; times are sp_time
 * seconds. The library never prints: the caller formats the alerts. */
#ifndef SPARROW_AML_H
#define SPARROW_AML_H

#include <stddef.h>
#include <stdint.h>

#include "sparrow/date.h"
#include "sparrow/error.h"

#define SP_AML_NONE UINT32_MAX /* no account (e.g. the cash side) */
#define SP_AML_NAME_MAX 64     /* column names in the config */
#define SP_AML_FIELD_MAX 4096  /* longest CSV field */
#define SP_AML_FIELDS_MAX 64   /* most CSV columns */
#define SP_AML_HOPS_MAX 8      /* longest cycle searched */

typedef enum sp_aml_pattern {
  SP_AML_LARGE_VALUE = 0,
  SP_AML_STRUCTURING,
  SP_AML_RAPID_IN_OUT,
  SP_AML_FAN_IN,
  SP_AML_FAN_OUT,
  SP_AML_CYCLE,
  SP_AML_GUARANTEE_CIRCLE,
  SP_AML_GUARANTEE_NETWORK,
  SP_AML_LOAN_PURPOSE,
  SP_AML_PATTERN_COUNT
} sp_aml_pattern;

typedef enum sp_aml_kind {
  SP_AML_INDIVIDUAL = 0,
  SP_AML_CORPORATE
} sp_aml_kind;

typedef enum sp_aml_type {
  SP_AML_TRANSFER = 0,
  SP_AML_CASH,
  SP_AML_CARD,
  SP_AML_SECURITIES,
  SP_AML_REAL_ESTATE,
  SP_AML_LOAN, /* a disbursement from the lender to a borrower */
  SP_AML_OTHER
} sp_aml_type;

/* Transaction columns; the default header names are in brackets. */
typedef enum sp_aml_column {
  SP_AML_COL_ID = 0,       /* [id] optional: else 1-based data row */
  SP_AML_COL_TIME,         /* [time] ISO 8601, or integer units */
  SP_AML_COL_FROM,         /* [from_account] may be empty for cash */
  SP_AML_COL_TO,           /* [to_account] may be empty for cash */
  SP_AML_COL_AMOUNT,       /* [amount] decimal CNY */
  SP_AML_COL_CURRENCY,     /* [currency] optional, default CNY */
  SP_AML_COL_TYPE,         /* [type] optional, default transfer; also cash,
                            * card, securities, real_estate, loan */
  SP_AML_COL_FROM_KIND,    /* [from_kind] optional corporate|individual */
  SP_AML_COL_TO_KIND,      /* [to_kind] optional */
  SP_AML_COL_CROSS_BORDER, /* [cross_border] optional 0/1/true/false */
  SP_AML_COL_COUNT
} sp_aml_column;

/* Guarantee columns. */
typedef enum sp_aml_gcolumn {
  SP_AML_GCOL_GUARANTOR = 0, /* [guarantor] */
  SP_AML_GCOL_BORROWER,      /* [borrower] */
  SP_AML_GCOL_AMOUNT,        /* [amount] guaranteed amount */
  SP_AML_GCOL_ID,            /* [id] optional */
  SP_AML_GCOL_COUNT
} sp_aml_gcolumn;

typedef struct sp_aml_config {
  /* Input. */
  char columns[SP_AML_COL_COUNT][SP_AML_NAME_MAX];
  unsigned columns_mapped; /* bit per column named explicitly: must exist */
  char gcolumns[SP_AML_GCOL_COUNT][SP_AML_NAME_MAX];
  unsigned gcolumns_mapped;
  int64_t time_unit_s;      /* 0: ISO 8601 text; else integer time * unit */
  sp_aml_kind default_kind; /* when no kind column says: individual */
  unsigned patterns;        /* bit per sp_aml_pattern enabled */
  uint32_t alerts_max;
  /* large_value thresholds (PBoC Order [2016] No. 3, Art. 5). */
  int64_t cash_fen_min;                /* 50,000.00 */
  int64_t corporate_fen_min;           /* 2,000,000.00 */
  int64_t individual_domestic_fen_min; /* 500,000.00 */
  int64_t individual_cross_fen_min;    /* 200,000.00 */
  /* structuring */
  int64_t structuring_margin_rate; /* just under = [T*(1-margin), T) */
  int32_t structuring_count_min;
  int64_t structuring_window_s;
  /* rapid in-out */
  int64_t rapid_window_s;
  int64_t rapid_ratio_rate;
  int64_t rapid_fen_min;
  /* fan-in / fan-out */
  int32_t fan_count_min;
  int64_t fan_window_s;
  int64_t fan_fen_min;
  int64_t fan_passthrough_rate; /* 0 disables the pass-through condition */
  int64_t fan_passthrough_window_s;
  /* the account's own history as the yardstick (fan and rapid in-out):
   * an alert needs activity at least baseline_factor times the account's
   * usual rate over baseline_window_s on each side; 0 disables */
  int64_t baseline_window_s;
  int32_t baseline_factor;
  /* loan purpose: prohibited onward flows within the window reaching the
   * share of the disbursement */
  int64_t purpose_window_s;
  int64_t purpose_share_rate;
  /* cycles */
  int32_t cycle_hops_min;
  int32_t cycle_hops_max;
  int64_t cycle_window_s;
  int64_t cycle_tolerance_rate;
  int64_t cycle_fen_min;
  int64_t cycle_work_max; /* edges examined per start edge */
} sp_aml_config;

/* The documented defaults; every pattern enabled. */
void sp_aml_config_default(sp_aml_config *cfg);

/* Applies a JSON config (see docs/aml.md) over cfg. An unknown key or a bad
 * value fails with err->field naming it ("cycle.window"). */
int sp_aml_config_load_json(sp_aml_config *cfg, const char *text,
                            sp_error *err);

/* Applies "field=column,field=column" to the transaction columns
 * (guarantee = 0) or the guarantee columns (guarantee = 1). */
int sp_aml_config_map(sp_aml_config *cfg, const char *spec, int guarantee,
                      sp_error *err);

/* Name <-> enum for patterns ("large_value", "fan_in", ...). */
const char *sp_aml_pattern_name(sp_aml_pattern p);
int sp_aml_pattern_parse(const char *text, sp_aml_pattern *out);
/* 1 for the guarantee patterns, whose alert items are guarantees (not
 * transactions) and which carry no times. */
int sp_aml_pattern_is_guarantee(sp_aml_pattern p);

/* Loaded transactions, accounts and guarantees. Owns all its memory. */
typedef struct sp_aml_data sp_aml_data;

int sp_aml_data_new(sp_aml_data **out);
void sp_aml_data_free(sp_aml_data *data);

/* One transfer given by value; strings are copied. id NULL: row label. */
typedef struct sp_aml_tx {
  const char *id;
  sp_time time;
  const char *from_account; /* NULL or "" for none */
  const char *to_account;
  int64_t amount_fen;
  sp_aml_type type;
  int foreign_currency; /* not CNY: excluded from CNY thresholds */
  int cross_border;
  int from_kind; /* -1 unknown, else sp_aml_kind */
  int to_kind;
} sp_aml_tx;

int sp_aml_data_add_tx(sp_aml_data *data, const sp_aml_tx *tx, sp_error *err);
int sp_aml_data_add_guarantee(sp_aml_data *data, const char *id,
                              const char *guarantor, const char *borrower,
                              int64_t amount_fen, sp_error *err);

/* Reads CSV text (RFC 4180, header first) through cfg's column names.
 * Errors carry the line, the column and the column's name. */
int sp_aml_data_read_transactions(sp_aml_data *data, const sp_aml_config *cfg,
                                  const char *text, size_t len, sp_error *err);
int sp_aml_data_read_guarantees(sp_aml_data *data, const sp_aml_config *cfg,
                                const char *text, size_t len, sp_error *err);

size_t sp_aml_data_tx_count(const sp_aml_data *data);
size_t sp_aml_data_guarantee_count(const sp_aml_data *data);
const char *sp_aml_data_account_name(const sp_aml_data *data, uint32_t acct);
/* The id of a transaction (or guarantee), or NULL when it has none; then
 * *row is its 1-based data row. */
const char *sp_aml_data_tx_id(const sp_aml_data *data, uint32_t tx,
                              uint32_t *row);
const char *sp_aml_data_guarantee_id(const sp_aml_data *data, uint32_t g,
                                     uint32_t *row);

/* One alert, as read back from sp_aml_alerts_get. items are transaction
 * indices (guarantee indices for the guarantee patterns). account_fen is
 * NULL except for guarantee_network: each member's contagion exposure. */
typedef struct sp_aml_alert {
  sp_aml_pattern pattern;
  int score; /* 0..100, meaning per pattern in docs/aml.md */
  sp_time time_first;
  sp_time time_last;
  int64_t amount_fen; /* per pattern: total, collected, circulated ... */
  uint32_t n_accounts;
  uint32_t n_items;
  const uint32_t *accounts;
  const uint32_t *items;
  const int64_t *account_fen;
} sp_aml_alert;

typedef struct sp_aml_alerts sp_aml_alerts;

/* Runs every enabled detector. data is indexed on first use (sorted by
 * time, adjacency built once) and not otherwise changed. */
int sp_aml_detect(sp_aml_data *data, const sp_aml_config *cfg,
                  sp_aml_alerts **out, sp_error *err);
size_t sp_aml_alerts_count(const sp_aml_alerts *alerts);
void sp_aml_alerts_get(const sp_aml_alerts *alerts, size_t i,
                       sp_aml_alert *out);
/* Cycle search statistics of the last detect: start edges whose search hit
 * cycle_work_max (so some cycles through them may be missed). */
uint64_t sp_aml_alerts_truncated(const sp_aml_alerts *alerts);
void sp_aml_alerts_free(sp_aml_alerts *alerts);

#endif
