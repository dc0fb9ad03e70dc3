/* Internals of the early-warning monitor shared by its files: the layout
 * of borrowers, rings and 8-day chunks, and the engine. */
#ifndef SPARROW_MONITOR_INT_H
#define SPARROW_MONITOR_INT_H

#include "sparrow/monitor.h"

#define CHUNK_DAYS 8
#define RING_CHUNKS (SP_MONITOR_RING_DAYS / CHUNK_DAYS)
/* Added to a day so that chunk arithmetic works on non-negative numbers;
 * a multiple of CHUNK_DAYS larger than any date before 1970 we accept. */
#define DAY_BIAS 1048576

/* Eight consecutive days of one series of one borrower. */
typedef struct sp__chunk {
  int32_t first_day; /* sp_date of its first day */
  uint32_t count[CHUNK_DAYS];
  int64_t sum[CHUNK_DAYS], min[CHUNK_DAYS], max[CHUNK_DAYS];
} sp__chunk;

/* A chunk that has seen a single day so far: most series of most
 * borrowers are sparse, and 32 bytes then do the work of 232. */
typedef struct sp__day {
  int32_t day; /* sp_date */
  uint32_t count;
  int64_t sum, min, max;
} sp__day;

/* A ring slot holding a one-day entry has this bit set; the rest of the
 * slot is then the entry's 1-based index in the day pool. */
#define SLOT_DAY 0x80000000u

/* One series of one borrower: chunk or day-entry ids (1-based, 0 = none)
 * by slot (chunk number modulo RING_CHUNKS), and the latest event time. */
typedef struct sp__ring {
  sp_time last_time;
  uint32_t chunk[RING_CHUNKS];
} sp__ring;

typedef struct sp__borrower {
  char id[SP_MONITOR_ID_MAX];
  sp_time max_time;   /* latest event time accepted */
  sp_time floor_time; /* events at or before it are too late */
  uint64_t armed;     /* bit r: rule r was true when last evaluated */
  uint64_t dedup_hash[SP_MONITOR_DEDUP_SLOTS]; /* 0 = empty */
  sp_time dedup_time[SP_MONITOR_DEDUP_SLOTS];
  uint32_t ring[SP_MONITOR_SERIES]; /* ring ids, 1-based, 0 = none */
  uint32_t n_events;
} sp__borrower;

struct sp_monitor {
  sp_monitor_config cfg;
  const sp_monitor_rules *rules;
  sp__borrower *borrowers;
  uint64_t *table; /* (hash32 << 32) | (index + 1); 0 = empty */
  uint64_t table_mask;
  sp__ring *rings;
  sp__chunk *chunks;
  sp__day *days; /* one-day entries: as many as chunks_max */
  sp_monitor_stats stats;
  sp_value row[SP_MONITOR_SERIES]; /* every series as a category value */
};

/* What the aggregate functions see: the engine and the borrower. */
typedef struct sp__monitor_ctx {
  const sp_monitor *m;
  const sp__borrower *b;
  sp_monitor_value *values; /* where calls are noted, or NULL */
  int n_values;
} sp__monitor_ctx;

typedef struct sp__agg {
  int64_t sum;
  uint64_t count;
  int64_t min, max;
} sp__agg;

uint64_t sp__monitor_hash(const char *s);

/* Adds value at day to ring (allocating a chunk from m when needed);
 * SP_EFULL when no chunk is left. */
int sp__monitor_ring_add(sp_monitor *m, sp__ring *ring, sp_date day,
                         int64_t value);

/* Folds days from..to (inclusive) of ring into acc. */
void sp__monitor_ring_fold(const sp_monitor *m, const sp__ring *ring,
                           sp_date from, sp_date to, sp__agg *acc);

/* The functions rules may call, and the schema naming every series. */
const sp_expr_function *sp__monitor_functions(int *count);
void sp__monitor_schema(sp_schema *out);

/* The series a rule's condition names: sp_monitor_rule.inputs. */
uint32_t sp__monitor_rule_inputs(const char *text);

/* Checks that every string literal in text names a series. */
int sp__monitor_check_strings(const char *text, sp_error *err);

/* Evaluates every rule for borrower b after ev. */
void sp__monitor_eval_rules(sp_monitor *m, sp__borrower *b,
                            const sp_monitor_event *ev,
                            sp_monitor_action_fn on_action, void *user);

#endif
