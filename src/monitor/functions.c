/* The aggregate functions that monitor rules call: sum, count, avg, min,
 * max, avg_monthly, days_since and trend over a borrower's day buckets.
 *
 * A series argument is a category value: either one of the engine's row
 * values (a bare series name in the rule; recognised by its address) or a
 * string literal (looked up by name, checked when the rules loaded). A
 * window is a number of seconds (30d is 2592000) that must be whole days,
 * 1 to SP_MONITOR_WINDOW_DAYS_MAX; otherwise the result is missing.
 * Windows end at the borrower's current day (that of its latest event). */
#include <assert.h>
#include <math.h>

#include "monitor/monitor_int.h"

static sp_value number(double x) {
  sp_value v = {.kind = SP_VALUE_NUMBER};
  v.number = x;
  return v;
}

static int series_of(const sp__monitor_ctx *ctx, sp_value v) {
  if (v.kind != SP_VALUE_STRING)
    return -1;
  for (int i = 0; i < SP_MONITOR_SERIES; i++)
    if (v.string == ctx->m->row[i].string)
      return i;
  return sp_monitor_series_find(v.string, v.len);
}

static int window_days(sp_value v) {
  if (v.kind != SP_VALUE_NUMBER || !(v.number >= SP_DAY_S) ||
      v.number > (double)SP_MONITOR_WINDOW_DAYS_MAX * SP_DAY_S)
    return 0;
  double days = v.number / SP_DAY_S;
  return days == floor(days) ? (int)days : 0;
}

/* Folds the days [today - skip - days + 1, today - skip] of series s; 0
 * if the series or window is bad. */
static int fold(const sp__monitor_ctx *ctx, int s, int skip, int days,
                sp__agg *acc) {
  acc->sum = 0;
  acc->count = 0;
  if (s < 0 || days <= 0)
    return 0;
  const sp__borrower *b = ctx->b;
  if (b->ring[s] == 0)
    return 1;
  sp_date today = sp_time_date(b->max_time);
  sp__monitor_ring_fold(ctx->m, &ctx->m->rings[b->ring[s] - 1],
                        today - skip - days + 1, today - skip, acc);
  return 1;
}

static const char *const function_names[] = {
    "sum", "count", "avg", "min", "max", "avg_monthly", "days_since", "trend"};

/* Remembers a computed aggregate for the action that may follow. */
static void note(sp__monitor_ctx *ctx, int what, int s, int days,
                 int days_before, sp_value v) {
  if (ctx->values == NULL || ctx->n_values >= SP_MONITOR_VALUES_MAX || s < 0)
    return;
  sp_monitor_value *out = &ctx->values[ctx->n_values++];
  out->function = function_names[what];
  out->series = s;
  out->days = days;
  out->days_before = days_before;
  out->missing = v.kind != SP_VALUE_NUMBER;
  out->value = out->missing ? 0 : v.number;
}

/* Which aggregate a call computes, from the function table entry. */
enum { F_SUM, F_COUNT, F_AVG, F_MIN, F_MAX, F_MONTHLY, F_SINCE, F_TREND };

static void compute(int what, const sp__agg *acc_in, int days, sp_value *out);

static void aggregate(int what, const sp_value *args, int argc, sp_value *out,
                      void *user) {
  assert(user != NULL && argc >= 1);
  sp__agg acc;
  int days = argc == 2 ? window_days(args[1]) : 0;
  int s = series_of(user, args[0]);
  if (argc != 2 || !fold(user, s, 0, days, &acc))
    return;
  compute(what, &acc, days, out);
  note(user, what, s, days, 0, *out);
}

static void compute(int what, const sp__agg *acc_in, int days, sp_value *out) {
  sp__agg acc = *acc_in;
  switch (what) {
  case F_SUM:
    *out = number((double)acc.sum);
    break;
  case F_COUNT:
    *out = number((double)acc.count);
    break;
  case F_AVG:
    if (acc.count > 0)
      *out = number((double)acc.sum / (double)acc.count);
    break;
  case F_MIN:
  case F_MAX:
    if (acc.count > 0)
      *out = number((double)(what == F_MIN ? acc.min : acc.max));
    break;
  default:
    *out = number((double)acc.sum * 30.0 / days);
  }
}

static void fn_sum(const sp_value *a, int n, sp_value *out, void *user) {
  aggregate(F_SUM, a, n, out, user);
}
static void fn_count(const sp_value *a, int n, sp_value *out, void *user) {
  aggregate(F_COUNT, a, n, out, user);
}
static void fn_avg(const sp_value *a, int n, sp_value *out, void *user) {
  aggregate(F_AVG, a, n, out, user);
}
static void fn_monthly(const sp_value *a, int n, sp_value *out, void *user) {
  aggregate(F_MONTHLY, a, n, out, user);
}

/* min/max: an aggregate when the first argument is a series, else the
 * built-in over numbers. */
static void extreme(int what, const sp_value *a, int n, sp_value *out,
                    void *user) {
  if (a[0].kind == SP_VALUE_STRING) {
    aggregate(what, a, n, out, user);
    return;
  }
  double x = a[0].number;
  for (int i = 0; i < n; i++) {
    if (a[i].kind != SP_VALUE_NUMBER)
      return;
    x = what == F_MIN ? fmin(x, a[i].number) : fmax(x, a[i].number);
  }
  *out = number(x);
}
static void fn_min(const sp_value *a, int n, sp_value *out, void *user) {
  extreme(F_MIN, a, n, out, user);
}
static void fn_max(const sp_value *a, int n, sp_value *out, void *user) {
  extreme(F_MAX, a, n, out, user);
}

static void fn_days_since(const sp_value *a, int n, sp_value *out, void *user) {
  sp__monitor_ctx *ctx = user;
  int s = series_of(ctx, a[0]);
  assert(n == 1);
  if (s >= 0 && ctx->b->ring[s] != 0) {
    const sp__ring *r = &ctx->m->rings[ctx->b->ring[s] - 1];
    *out = number(sp_time_date(ctx->b->max_time) - sp_time_date(r->last_time));
  }
  note(ctx, F_SINCE, s, 0, 0, *out);
}

static void fn_trend(const sp_value *a, int n, sp_value *out, void *user) {
  assert(n == 3);
  int recent = window_days(a[1]), before = window_days(a[2]);
  int s = series_of(user, a[0]);
  sp__agg now, then;
  if (recent + before > SP_MONITOR_WINDOW_DAYS_MAX ||
      !fold(user, s, 0, recent, &now) || !fold(user, s, recent, before, &then))
    return;
  if (then.sum != 0)
    *out = number(((double)now.sum / recent) / ((double)then.sum / before));
  note(user, F_TREND, s, recent, before, *out);
}

#define T_NUM SP_EXPR_T_NUMBER
#define T_SERIES (SP_EXPR_T_STRING | SP_EXPR_T_NUMBER)

static const sp_expr_function functions[] = {
    {"sum", 2, 2, T_SERIES, T_NUM, 0, fn_sum},
    {"count", 2, 2, T_SERIES, T_NUM, 0, fn_count},
    {"avg", 2, 2, T_SERIES, T_NUM, 0, fn_avg},
    {"min", 2, SP_EXPR_ARGS_MAX, T_SERIES, T_NUM, 0, fn_min},
    {"max", 2, SP_EXPR_ARGS_MAX, T_SERIES, T_NUM, 0, fn_max},
    {"avg_monthly", 2, 2, T_SERIES, T_NUM, 0, fn_monthly},
    {"days_since", 1, 1, SP_EXPR_T_STRING, T_NUM, 0, fn_days_since},
    {"trend", 3, 3, T_SERIES, T_NUM, 0, fn_trend},
};

const sp_expr_function *sp__monitor_functions(int *count) {
  *count = (int)(sizeof functions / sizeof functions[0]);
  return functions;
}
