/* The monitor engine: the borrower table, lateness and duplicate checks,
 * the update of a borrower's rings, and rule evaluation with transition
 * semantics.
 *
 * Borrowers live in one array, found through an open-addressing table
 * (linear probing, at most half full) whose entries pack a 32-bit hash
 * with the index so that a probe rarely touches a borrower record. All
 * storage is reserved by sp_monitor_new (anonymous mappings, huge pages
 * requested), so pages are touched only as borrowers, rings and chunks
 * are used, and nothing is allocated per event.
 *
 * A rule is evaluated on an event only when the event adds to a series
 * the rule names, or always when it uses days_since or names none. */
#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "monitor/monitor_int.h"
#include "sparrow/money.h"

void sp_monitor_config_default(sp_monitor_config *cfg) {
  assert(cfg != NULL);
  cfg->lateness_s = 2 * SP_DAY_S;
  cfg->borrowers_max = 1u << 20;
  cfg->rings_max = 4u << 20;
  cfg->chunks_max = 16u << 20;
}

/* Zeroed storage that is only touched as it is used, in transparent huge
 * pages where the kernel allows: random access over a million borrowers
 * then costs far fewer TLB misses and page faults. */
static void *reserve(size_t count, size_t size) {
  size_t bytes = count * size;
  void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
                 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (p == MAP_FAILED)
    return NULL;
  (void)madvise(p, bytes, MADV_HUGEPAGE); /* a hint: failure is harmless */
  return p;
}

static void release(void *p, size_t count, size_t size) {
  if (p != NULL)
    munmap(p, count * size);
}

int sp_monitor_new(sp_monitor **out, const sp_monitor_config *cfg,
                   const sp_monitor_rules *rules, sp_error *err) {
  assert(out != NULL && cfg != NULL && rules != NULL);
  *out = NULL;
  if (cfg->lateness_s < 0 || cfg->lateness_s > SP_MONITOR_LATENESS_MAX)
    return sp_error_set(err, SP_EINVAL, "lateness", "lateness: 0 to 30 days");
  if (cfg->borrowers_max < 1 || cfg->borrowers_max > (1u << 30) ||
      cfg->rings_max < 1 || cfg->chunks_max < 1)
    return sp_error_set(err, SP_EINVAL, "capacity",
                        "capacity: borrowers 1..2^30, rings and chunks >= 1");
  sp_monitor *m = calloc(1, sizeof *m);
  uint64_t slots = 2;
  while (slots < 2 * (uint64_t)cfg->borrowers_max)
    slots <<= 1;
  if (m != NULL) {
    m->cfg = *cfg;
    m->table_mask = slots - 1;
    m->borrowers = reserve(cfg->borrowers_max, sizeof *m->borrowers);
    m->table = reserve(slots, sizeof *m->table);
    m->rings = reserve(cfg->rings_max, sizeof *m->rings);
    m->chunks = reserve(cfg->chunks_max, sizeof *m->chunks);
    m->days = reserve(cfg->chunks_max, sizeof *m->days);
  }
  if (m == NULL || !m->borrowers || !m->table || !m->rings || !m->chunks ||
      !m->days) {
    sp_monitor_free(m);
    return sp_error_set(err, SP_ENOMEM, "capacity", "out of memory");
  }
  m->rules = rules;
  for (int i = 0; i < SP_MONITOR_SERIES; i++) {
    m->row[i].kind = SP_VALUE_STRING;
    m->row[i].string = sp_monitor_series_name(i);
    m->row[i].len = (uint32_t)strlen(m->row[i].string);
  }
  *out = m;
  return SP_OK;
}

void sp_monitor_free(sp_monitor *m) {
  if (m == NULL)
    return;
  release(m->borrowers, m->cfg.borrowers_max, sizeof *m->borrowers);
  release(m->table, m->table_mask + 1, sizeof *m->table);
  release(m->rings, m->cfg.rings_max, sizeof *m->rings);
  release(m->chunks, m->cfg.chunks_max, sizeof *m->chunks);
  release(m->days, m->cfg.chunks_max, sizeof *m->days);
  free(m);
}

void sp_monitor_stats_get(const sp_monitor *m, sp_monitor_stats *out) {
  assert(m != NULL && out != NULL);
  *out = m->stats;
}

/* The table slot of borrower id: its entry, or the empty slot to use. */
static uint64_t *probe(const sp_monitor *m, const char *id, uint64_t h) {
  uint64_t tag = h >> 32, i = h & m->table_mask;
  for (uint64_t n = 0; n <= m->table_mask; n++, i = (i + 1) & m->table_mask) {
    uint64_t e = m->table[i];
    if (e == 0)
      return &m->table[i];
    if (e >> 32 == tag &&
        strcmp(m->borrowers[(e & 0xffffffffu) - 1].id, id) == 0)
      return &m->table[i];
  }
  assert(0 && "borrower table is never full");
  return NULL;
}

int64_t sp_monitor_find(const sp_monitor *m, const char *borrower) {
  assert(m != NULL && borrower != NULL);
  uint64_t e = *probe(m, borrower, sp__monitor_hash(borrower));
  return e == 0 ? -1 : (int64_t)(e & 0xffffffffu) - 1;
}

static sp__borrower *find_or_add(sp_monitor *m, const char *id) {
  uint64_t h = sp__monitor_hash(id);
  uint64_t *slot = probe(m, id, h);
  if (*slot != 0)
    return &m->borrowers[(*slot & 0xffffffffu) - 1];
  if (m->stats.borrowers >= m->cfg.borrowers_max)
    return NULL;
  sp__borrower *b = &m->borrowers[m->stats.borrowers++];
  memcpy(b->id, id, strlen(id) + 1);
  b->floor_time = INT64_MIN;
  *slot = (h >> 32 << 32) | m->stats.borrowers;
  return b;
}

static int check_event(const sp_monitor_event *ev, sp_error *err) {
  if ((unsigned)ev->kind >= SP_MONITOR_KINDS)
    return sp_error_set(err, SP_EINVAL, "kind", "kind: unknown");
  if (memchr(ev->id, 0, SP_MONITOR_ID_MAX) == NULL || ev->id[0] == '\0')
    return sp_error_set(err, SP_EINVAL, "id", "id: empty or too long");
  if (memchr(ev->borrower, 0, SP_MONITOR_ID_MAX) == NULL ||
      ev->borrower[0] == '\0')
    return sp_error_set(err, SP_EINVAL, "borrower",
                        "borrower: empty or too long");
  if (ev->value < 0 || ev->value > SP_AMOUNT_FEN_MAX)
    return sp_error_set(err, SP_EINVAL, "amount",
                        "amount: negative or above the maximum");
  if (ev->time < sp_date_start(-DAY_BIAS / 2) ||
      ev->time > sp_date_start(DAY_BIAS))
    return sp_error_set(err, SP_EINVAL, "time", "time: out of range");
  return SP_OK;
}

/* Duplicate or too late? Otherwise remembers the event's id. */
static int admit(sp_monitor *m, sp__borrower *b, const sp_monitor_event *ev) {
  if (b->n_events > 0 &&
      (ev->time < b->max_time - m->cfg.lateness_s || ev->time <= b->floor_time))
    return SP_MONITOR_TOO_LATE;
  uint64_t h = sp__monitor_hash(ev->id);
  int oldest = 0;
  for (int i = 0; i < SP_MONITOR_DEDUP_SLOTS; i++) {
    if (b->dedup_hash[i] == h)
      return SP_MONITOR_DUPLICATE;
    if (b->dedup_hash[oldest] != 0 &&
        (b->dedup_hash[i] == 0 || b->dedup_time[i] < b->dedup_time[oldest]))
      oldest = i;
  }
  if (b->dedup_hash[oldest] != 0 && b->dedup_time[oldest] >= ev->time) {
    if (ev->time > b->floor_time)
      b->floor_time = ev->time; /* the new event is the one forgotten */
    return SP_MONITOR_ACCEPTED;
  }
  if (b->dedup_hash[oldest] != 0 && b->dedup_time[oldest] > b->floor_time)
    b->floor_time = b->dedup_time[oldest];
  b->dedup_hash[oldest] = h;
  b->dedup_time[oldest] = ev->time;
  return SP_MONITOR_ACCEPTED;
}

/* The series an event adds to: its kind, and a derived series or none. */
static int series_of_event(const sp_monitor_event *ev, int out[2]) {
  out[0] = ev->kind;
  if (ev->kind == SP_MONITOR_LOGISTICS && ev->status == SP_MONITOR_STUCK)
    out[1] = SP_MONITOR_LOGISTICS_STUCK;
  else if (ev->kind == SP_MONITOR_ACCOUNT_DEBIT &&
           ev->counterparty_type == SP_MONITOR_PARTY_SECURITIES)
    out[1] = SP_MONITOR_DEBIT_SECURITIES;
  else if (ev->kind == SP_MONITOR_ACCOUNT_DEBIT &&
           ev->counterparty_type == SP_MONITOR_PARTY_REAL_ESTATE)
    out[1] = SP_MONITOR_DEBIT_REAL_ESTATE;
  else
    return 1;
  return 2;
}

static void apply(sp_monitor *m, sp__borrower *b, const sp_monitor_event *ev) {
  int series[2];
  int n = series_of_event(ev, series);
  sp_date day = sp_time_date(ev->time);
  for (int i = 0; i < n; i++) {
    uint32_t *id = &b->ring[series[i]];
    if (*id == 0) {
      assert(m->stats.rings < m->cfg.rings_max);
      *id = ++m->stats.rings;
      m->rings[*id - 1].last_time = ev->time;
    }
    sp__ring *r = &m->rings[*id - 1];
    if (ev->time > r->last_time)
      r->last_time = ev->time;
    int rc = sp__monitor_ring_add(m, r, day, ev->value);
    assert(rc == SP_OK); /* capacity was checked before */
    (void)rc;
  }
  if (b->n_events == 0 || ev->time > b->max_time)
    b->max_time = ev->time;
  b->n_events++;
}

void sp__monitor_eval_rules(sp_monitor *m, sp__borrower *b,
                            const sp_monitor_event *ev,
                            sp_monitor_action_fn on_action, void *user) {
  const sp_monitor_rules *rs = m->rules;
  sp_expr_pool pool = {(sp_instr *)rs->code, SP_RULES_CODE_MAX,
                       rs->code_len,         (char *)rs->strings,
                       SP_RULES_STRINGS_MAX, rs->strings_len};
  sp_monitor_value values[SP_MONITOR_VALUES_MAX];
  sp__monitor_ctx ctx = {m, b, on_action != NULL ? values : NULL, 0};
  int series[2];
  uint32_t touched = 0;
  for (int k = series_of_event(ev, series) - 1; k >= 0; k--)
    touched |= 1u << series[k];
  for (int i = 0; i < rs->n_rules; i++) {
    if ((rs->rules[i].inputs & (touched | SP_MONITOR_INPUTS_ALWAYS)) == 0)
      continue;
    ctx.n_values = 0;
    sp_value v = sp_expr_eval(&pool, &rs->rules[i].when, m->row, &ctx);
    uint64_t bit = (uint64_t)1 << i;
    if (v.kind != SP_VALUE_BOOL)
      continue; /* missing: neither fires nor re-arms */
    if (!v.boolean) {
      b->armed &= ~bit;
      continue;
    }
    if (b->armed & bit)
      continue;
    b->armed |= bit;
    m->stats.actions++;
    if (on_action != NULL) {
      sp_monitor_action a = {&rs->rules[i], ev, ctx.n_values, values};
      on_action(&a, user);
    }
  }
}

int sp_monitor_ingest(sp_monitor *m, const sp_monitor_event *ev,
                      sp_monitor_action_fn on_action, void *user,
                      sp_error *err) {
  assert(m != NULL && ev != NULL);
  int rc = check_event(ev, err);
  if (rc != SP_OK)
    return rc;
  if (m->cfg.rings_max - m->stats.rings < 2 ||
      m->cfg.chunks_max - m->stats.chunks < 2 ||
      m->cfg.chunks_max - m->stats.days < 2)
    return sp_error_set(err, SP_EFULL, "capacity",
                        "capacity: rings or chunks "
                        "exhausted");
  sp__borrower *b = find_or_add(m, ev->borrower);
  if (b == NULL)
    return sp_error_set(err, SP_EFULL, "borrower",
                        "borrower: more than %u borrowers",
                        m->cfg.borrowers_max);
  rc = admit(m, b, ev);
  if (rc == SP_MONITOR_DUPLICATE)
    m->stats.duplicates++;
  if (rc == SP_MONITOR_TOO_LATE)
    m->stats.too_late++;
  if (rc != SP_MONITOR_ACCEPTED)
    return rc;
  m->stats.accepted++;
  apply(m, b, ev);
  sp__monitor_eval_rules(m, b, ev, on_action, user);
  return SP_MONITOR_ACCEPTED;
}

int sp_monitor_query(const sp_monitor *m, const char *borrower,
                     const char *expr, sp_value *out, sp_error *err) {
  assert(m != NULL && borrower != NULL && expr != NULL && out != NULL);
  int64_t i = sp_monitor_find(m, borrower);
  if (i < 0)
    return sp_error_set(err, SP_ENOTFOUND, "borrower", "borrower: '%s' unknown",
                        borrower);
  sp_schema *schema = malloc(sizeof *schema);
  if (schema == NULL)
    return sp_error_set(err, SP_ENOMEM, "expr", "out of memory");
  sp__monitor_schema(schema);
  sp_instr code[256];
  char strings[1024];
  sp_expr_pool pool = {code, 256, 0, strings, (int)sizeof strings, 0};
  sp_expr_env env = {.schema = schema};
  env.functions = sp__monitor_functions(&env.n_functions);
  sp_expr e;
  int rc = sp_expr_compile(expr, &env, &pool, &e, err);
  free(schema);
  if (rc == SP_OK)
    rc = sp__monitor_check_strings(expr, err);
  if (rc != SP_OK)
    return rc;
  sp__monitor_ctx ctx = {m, &m->borrowers[i], NULL, 0};
  *out = sp_expr_eval(&pool, &e, m->row, &ctx);
  return SP_OK;
}
