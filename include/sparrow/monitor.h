/* Post-loan early warning: an event-driven engine over borrower events.
 *
 * Events (invoices, tax filings, utilities, social insurance head count,
 * e-commerce, logistics, customs, court filings, account movements,
 * repayments and draws) arrive one at a time, in any order, possibly twice.
 * The engine keeps, per borrower, compact bounded state: for every series
 * (an event kind, or a derived series such as account_debit_securities) a
 * ring of day buckets spanning SP_MONITOR_RING_DAYS days, allocated only
 * when the borrower first has that series, holding each day's sum, count,
 * min and max and the series' last event time. No event lists are kept.
 *
 * Time: windows are whole business days (UTC+08:00) ending at the
 * borrower's current time, the latest event time seen for it: a 30d
 * window is the current day and the 29 before it, whatever the hour.
 *
 * Lateness: an event earlier than (borrower's latest time - lateness) is
 * dropped and counted as too late: the rules have already judged the days
 * it would change. Events inside the lateness land in their own day, so an
 * out-of-order stream ends with the same buckets as the sorted one (the
 * actions along the way may differ: rules judge the state at each event).
 *
 * Duplicates: each borrower remembers the 64-bit hashes and times of its
 * SP_MONITOR_DEDUP_SLOTS most recent (by event time) accepted events and a
 * floor time. When a slot must be given up, the earliest entry goes and
 * the floor rises to its time; an event at or before the floor is dropped
 * as too late. So every accepted event is either remembered, at or before
 * the floor, or older than the lateness: a duplicate id is never counted
 * twice (barring a 64-bit hash collision within one borrower), at the cost
 * that a borrower with more than SP_MONITOR_DEDUP_SLOTS events inside the
 * lateness has its lateness shortened to what the slots cover.
 *
 * Rules are written in the expression language of sparrow/rules.h. Every
 * series is a name the rules may pass to the aggregate functions, bare
 * (sum(invoice_issued, 30d)) or as a string literal
 * (sum("invoice_issued", 30d)); any other name or string is an error when
 * the rules load. Functions (windows are whole days, 1 to
 * SP_MONITOR_WINDOW_DAYS_MAX; otherwise the result is missing):
 *   sum(s, w), count(s, w)       0 when the window holds no event
 *   avg(s, w), min(s, w), max(s, w)   over events; missing when none
 *   avg_monthly(s, w)            sum(s, w) * 30 / days of w
 *   days_since(s)                current day - day of the last s event;
 *                                missing when s never happened
 *   trend(s, r, p)               daily average over the last r days divided
 *                                by the daily average over the p days
 *                                before those; missing when that is 0
 * min and max with numbers (min(1, x)) keep their built-in meaning.
 *
 * A rule fires on the transition of its condition to true: it emits its
 * action once, and re-arms only when the condition is evaluated false
 * (missing changes nothing). An accepted event re-evaluates the rules of
 * its borrower that name a series the event adds to (an account_debit to
 * a securities firm adds to account_debit and account_debit_securities),
 * and every rule that uses days_since or names no series: so a rule such
 * as count(draw, 7d) >= 2 becomes false (re-arms) only at the borrower's
 * next draw, not when the window slides past the old ones. */
#ifndef SPARROW_MONITOR_H
#define SPARROW_MONITOR_H

#include <stddef.h>
#include <stdint.h>

#include "sparrow/csv.h"
#include "sparrow/date.h"
#include "sparrow/error.h"
#include "sparrow/rules.h"

#define SP_MONITOR_ID_MAX 32 /* bytes of an event or borrower id, NUL incl. */
#define SP_MONITOR_RULES_MAX 64
#define SP_MONITOR_RING_DAYS 200 /* 25 chunks of 8 days */
#define SP_MONITOR_WINDOW_DAYS_MAX 190
#define SP_MONITOR_LATENESS_MAX (30 * SP_DAY_S)
#define SP_MONITOR_DEDUP_SLOTS 8
#define SP_MONITOR_LINE_MAX 4096 /* bytes of one JSON Lines event */
#define SP_MONITOR_INPUTS_ALWAYS (1u << 31)

/* Event kinds, then the derived series that rules may also aggregate. */
typedef enum sp_monitor_kind {
  SP_MONITOR_INVOICE_ISSUED = 0,  /* amount: fen */
  SP_MONITOR_INVOICE_RECEIVED,    /* amount: fen */
  SP_MONITOR_TAX_FILING,          /* amount: fen */
  SP_MONITOR_UTILITY_ELECTRICITY, /* value: kWh */
  SP_MONITOR_UTILITY_WATER,       /* value: cubic metres */
  SP_MONITOR_SOCIAL_INSURANCE,    /* value: head count */
  SP_MONITOR_ECOMMERCE_SALES,     /* amount: fen */
  SP_MONITOR_ECOMMERCE_RETURNS,   /* amount: fen */
  SP_MONITOR_LOGISTICS,           /* value: parcels (default 1), status */
  SP_MONITOR_CUSTOMS_DECLARATION, /* amount: fen */
  SP_MONITOR_CUSTOMS_CLEARANCE,   /* amount: fen */
  SP_MONITOR_COURT_FILING,        /* amount: fen claimed (default 0) */
  SP_MONITOR_ACCOUNT_DEBIT,       /* amount: fen, counterparty(_type) */
  SP_MONITOR_ACCOUNT_CREDIT,      /* amount: fen, counterparty(_type) */
  SP_MONITOR_REPAYMENT,           /* amount: fen */
  SP_MONITOR_DRAW,                /* amount: fen */
  SP_MONITOR_KINDS,
  /* Derived series: an event adds to its kind's series and to these. */
  SP_MONITOR_LOGISTICS_STUCK = SP_MONITOR_KINDS, /* logistics, status stuck */
  SP_MONITOR_DEBIT_SECURITIES,  /* account_debit to a securities firm */
  SP_MONITOR_DEBIT_REAL_ESTATE, /* account_debit to real estate */
  SP_MONITOR_SERIES
} sp_monitor_kind;

typedef enum sp_monitor_status {
  SP_MONITOR_STATUS_NONE = 0,
  SP_MONITOR_COLLECTED,
  SP_MONITOR_IN_TRANSIT,
  SP_MONITOR_STUCK,
  SP_MONITOR_DELIVERED
} sp_monitor_status;

typedef enum sp_monitor_party {
  SP_MONITOR_PARTY_NONE = 0,
  SP_MONITOR_PARTY_OTHER, /* any type not listed below */
  SP_MONITOR_PARTY_SECURITIES,
  SP_MONITOR_PARTY_REAL_ESTATE
} sp_monitor_party;

typedef struct sp_monitor_event {
  char id[SP_MONITOR_ID_MAX];
  char borrower[SP_MONITOR_ID_MAX];
  sp_monitor_kind kind; /* < SP_MONITOR_KINDS */
  sp_time time;
  int64_t value; /* fen for money kinds, else a count: 0..SP_AMOUNT_FEN_MAX */
  sp_monitor_status status;           /* logistics only */
  sp_monitor_party counterparty_type; /* account_debit/credit only */
} sp_monitor_event;

typedef enum sp_monitor_level {
  SP_MONITOR_INFO = 0,
  SP_MONITOR_WATCH,
  SP_MONITOR_WARNING,
  SP_MONITOR_SEVERE
} sp_monitor_level;

typedef enum sp_monitor_action_kind {
  SP_MONITOR_WARN = 0,
  SP_MONITOR_FREEZE_LINE,
  SP_MONITOR_REDUCE_LIMIT,  /* by pct percent */
  SP_MONITOR_RELEASE_LIMIT, /* by amount_fen */
  SP_MONITOR_OPEN_CASE
} sp_monitor_action_kind;

typedef struct sp_monitor_rule {
  char id[SP_RULES_ID_MAX];
  char reason[SP_RULES_REASON_MAX];
  sp_monitor_level level;
  sp_monitor_action_kind action;
  int64_t pct;        /* reduce_limit: 1..100 */
  int64_t amount_fen; /* release_limit: > 0 */
  uint32_t inputs;    /* bit s: names series s; or SP_MONITOR_INPUTS_ALWAYS */
  sp_expr when;
} sp_monitor_rule;

/* A compiled rule file: caller-owned, fixed capacity (about 300 KB;
 * allocate it on the heap), no pointers except to functions. */
typedef struct sp_monitor_rules {
  int n_rules;
  int code_len, strings_len;
  uint64_t fingerprint; /* of ids, levels, actions and conditions */
  sp_monitor_rule rules[SP_MONITOR_RULES_MAX];
  sp_instr code[SP_RULES_CODE_MAX];
  char strings[SP_RULES_STRINGS_MAX];
} sp_monitor_rules;

/* Loads a rule file, all or nothing:
 *   {"rules":[{"id":"M01","when":"sum(invoice_issued, 30d) < 0.6 *
 *      avg_monthly(invoice_issued, 180d)","level":"warning",
 *      "action":"reduce_limit","pct":20,"reason":"Invoicing fell"}]}
 * level: info, watch, warning, severe; action: warn, freeze_line,
 * reduce_limit (needs pct 1..100), release_limit (needs amount, integer
 * fen > 0), open_case. Errors name the rule and member (rules[2].id,
 * M01.when, ...); an expression error keeps its line and column within the
 * `when` text: SP_EPARSE syntax, SP_ENOTFOUND unknown function or series,
 * SP_EINVAL type error or bad member, SP_EEXISTS an id used twice. */
int sp_monitor_rules_load_string(sp_monitor_rules *out, const char *text,
                                 size_t len, sp_error *err);
int sp_monitor_rules_load_file(sp_monitor_rules *out, const char *path,
                               sp_error *err);

typedef struct sp_monitor_config {
  sp_time lateness_s;     /* 0..SP_MONITOR_LATENESS_MAX; default 2 days */
  uint32_t borrowers_max; /* default 1 << 20 */
  uint32_t rings_max;     /* (borrower, series) pairs; default 4 << 20 */
  uint32_t chunks_max;    /* 8-day blocks, and as many one-day entries;
                            default 16 << 20 */
} sp_monitor_config;

void sp_monitor_config_default(sp_monitor_config *cfg);

#define SP_MONITOR_VALUES_MAX 8

/* An aggregate a rule computed, e.g. sum(invoice_issued, 30d) = 1250000:
 * function name, series, window days (trend: recent days, and the days
 * before them), value or missing. */
typedef struct sp_monitor_value {
  const char *function;
  int series;
  int days, days_before;
  int missing;
  double value;
} sp_monitor_value;

/* One action of a rule that fired, with the event that made it fire and
 * the first SP_MONITOR_VALUES_MAX aggregates its condition computed (those
 * skipped by and/or short-circuits are absent). Valid during the
 * callback only. */
typedef struct sp_monitor_action {
  const sp_monitor_rule *rule;
  const sp_monitor_event *event;
  int n_values;
  const sp_monitor_value *values;
} sp_monitor_action;

typedef void (*sp_monitor_action_fn)(const sp_monitor_action *action,
                                     void *user);

typedef struct sp_monitor sp_monitor;

/* Creates an engine. Its storage (borrowers, rings, chunks and one-day
 * entries, at their maxima: 264, 112, 232 and 32 bytes each in this
 * build) is reserved at once and
 * touched only as it is used; nothing is allocated while events flow.
 * rules must outlive the engine. SP_EINVAL bad config, SP_ENOMEM. */
int sp_monitor_new(sp_monitor **out, const sp_monitor_config *cfg,
                   const sp_monitor_rules *rules, sp_error *err);
void sp_monitor_free(sp_monitor *m);

typedef enum sp_monitor_result {
  SP_MONITOR_ACCEPTED = 0,
  SP_MONITOR_DUPLICATE,
  SP_MONITOR_TOO_LATE
} sp_monitor_result;

/* Takes one event: returns an sp_monitor_result, or an error (SP_EINVAL a
 * bad event, naming the field; SP_EFULL a capacity reached, the engine
 * unchanged). on_action (may be NULL) is called for every rule that fires,
 * before ingest returns. */
int sp_monitor_ingest(sp_monitor *m, const sp_monitor_event *ev,
                      sp_monitor_action_fn on_action, void *user,
                      sp_error *err);

/* Takes n events in order, exactly as n calls of sp_monitor_ingest, but
 * prefetching the state of the events a few places ahead, which hides
 * most cache misses when borrowers are many. Stops at the first error,
 * with *done the index of the event that failed (n when all went in). */
int sp_monitor_ingest_batch(sp_monitor *m, const sp_monitor_event *evs,
                            size_t n, sp_monitor_action_fn on_action,
                            void *user, size_t *done, sp_error *err);

typedef struct sp_monitor_stats {
  uint64_t accepted, duplicates, too_late, actions;
  uint32_t borrowers, rings, chunks, days; /* days: one-day entries */
} sp_monitor_stats;

void sp_monitor_stats_get(const sp_monitor *m, sp_monitor_stats *out);

/* The index of a borrower, or -1: a plain hash-map lookup. */
int64_t sp_monitor_find(const sp_monitor *m, const char *borrower);

/* Compiles expr (the rule language with the monitor's functions) and
 * evaluates it for borrower at its current time. SP_ENOTFOUND unknown
 * borrower; compile errors as sp_monitor_rules_load_string. */
int sp_monitor_query(const sp_monitor *m, const char *borrower,
                     const char *expr, sp_value *out, sp_error *err);

/* Writes the whole state (borrowers, rings, dedup slots, which rules are
 * true, counters) to path: a temporary file, fsync, rename. The format is
 * this build's memory layout with a checksum: same machine only. */
int sp_monitor_save(const sp_monitor *m, const char *path, sp_error *err);

/* Reads a snapshot into a fresh engine (no events yet) made with the same
 * rules. SP_ENOTFOUND no such file, SP_EPARSE damaged or not a snapshot,
 * SP_ESTATE other rules or a used engine, SP_ELIMIT above capacity. */
int sp_monitor_load(sp_monitor *m, const char *path, sp_error *err);

/* Parses one JSON Lines event (len bytes, line_no for messages):
 *   {"id":"E1","borrower":"B1","kind":"invoice_issued",
 *    "time":"2026-03-01T10:00:00+08:00","amount":1250000}
 * Money kinds take "amount" (integer fen), count kinds "value" (integer);
 * logistics needs "status" (collected, in_transit, stuck, delivered);
 * account_debit/credit may carry "counterparty" and "counterparty_type"
 * (securities, real_estate, or any other word). Errors name the member,
 * with line_no as the line. */
int sp_monitor_event_parse_json(const char *text, size_t len, long line_no,
                                sp_monitor_event *out, sp_error *err);

/* CSV events: a header naming the columns id, borrower, kind, time and
 * any of amount, value, status, counterparty, counterparty_type, in any
 * order. Members as for JSON; an empty cell is an absent member. */
typedef struct sp_monitor_csv_columns {
  int at[9]; /* column of each name above, -1 when absent */
} sp_monitor_csv_columns;

int sp_monitor_csv_header(const sp_csv *csv, sp_monitor_csv_columns *out,
                          sp_error *err);
int sp_monitor_event_from_csv(const sp_csv *csv,
                              const sp_monitor_csv_columns *cols,
                              sp_monitor_event *out, sp_error *err);

/* Names: series (kinds first), levels, actions; and back. */
const char *sp_monitor_series_name(int series);
int sp_monitor_series_find(const char *name, size_t len); /* -1 unknown */
const char *sp_monitor_level_name(sp_monitor_level level);
const char *sp_monitor_action_name(sp_monitor_action_kind action);

#endif
