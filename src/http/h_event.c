/* Early warning over HTTP: POST /v1/events feeds one borrower event to the
 * monitor (sparrow/monitor.h) and answers with the actions it caused;
 * GET /v1/borrowers/{id}/warnings lists the actions taken.
 *
 * Each action is applied to the borrower's lines in the book at once
 * (freeze_line freezes every line of the borrower; reduce_limit lowers
 * each line's limit by pct percent, rounded down to the fen;
 * release_limit raises it by the amount) and recorded with the event id
 * and time that caused it, and what was done. Book changes commit one by
 * one before the record, so a crash in between can leave a change without
 * its record (never a record without its change). The monitor's own state
 * lives in memory and is written to its snapshot file when the server
 * stops cleanly (and read back when it starts), so that a replayed stream
 * is not counted twice. */
#include <stdio.h>
#include <string.h>

#include "http/http_int.h"

#define LINES_MAX 16

typedef struct event_ctx {
  sp__req *r;
  json_t *actions;
  int rc;
  sp_error err;
} event_ctx;

/* Applies one action to one line; writes what was done into detail. */
static int apply_line(sp_book *book, const sp_monitor_rule *rule,
                      const char *line, char *detail, size_t cap,
                      sp_error *err) {
  if (rule->action == SP_MONITOR_FREEZE_LINE) {
    snprintf(detail, cap, "line %s frozen", line);
    return sp_line_freeze(book, line, 1, err);
  }
  sp_loan_view v;
  int rc = sp_loan_get(book, line, &v, err);
  if (rc != SP_OK)
    return rc;
  int64_t limit = rule->action == SP_MONITOR_REDUCE_LIMIT
                      ? v.limit_fen - v.limit_fen * rule->pct / 100
                      : v.limit_fen + rule->amount_fen;
  if (limit > SP_AMOUNT_FEN_MAX)
    limit = SP_AMOUNT_FEN_MAX;
  char from[32], to[32];
  sp_money_format(v.limit_fen, from, sizeof from);
  sp_money_format(limit, to, sizeof to);
  snprintf(detail, cap, "line %s limit %s -> %s", line, from, to);
  return sp_line_set_limit(book, line, limit, err);
}

static int apply(sp_http_server *srv, const sp_monitor_action *a, sp_warning *w,
                 sp_error *err) {
  const sp_monitor_rule *rule = a->rule;
  if (rule->action == SP_MONITOR_WARN || rule->action == SP_MONITOR_OPEN_CASE) {
    snprintf(w->detail, sizeof w->detail, "%s",
             rule->action == SP_MONITOR_WARN ? "warning raised"
                                             : "review case opened");
    return SP_OK;
  }
  char lines[LINES_MAX][SP_SVC_ID_MAX + 1];
  size_t n = 0;
  int rc = sp_svc_borrower_lines(srv->svc, a->event->borrower, lines, LINES_MAX,
                                 &n, err);
  if (rc == SP_OK && n == 0)
    snprintf(w->detail, sizeof w->detail, "no line to act on");
  size_t used = 0;
  for (size_t i = 0; rc == SP_OK && i < n; i++) {
    char one[96];
    rc = apply_line(srv->book, rule, lines[i], one, sizeof one, err);
    if (rc == SP_OK && used < sizeof w->detail)
      used += (size_t)snprintf(w->detail + used, sizeof w->detail - used,
                               "%s%s", i ? "; " : "", one);
  }
  return rc;
}

static void on_action(const sp_monitor_action *a, void *user) {
  event_ctx *c = user;
  if (c->rc != SP_OK)
    return;
  sp_warning w;
  memset(&w, 0, sizeof w);
  snprintf(w.borrower, sizeof w.borrower, "%s", a->event->borrower);
  snprintf(w.rule, sizeof w.rule, "%s", a->rule->id);
  snprintf(w.level, sizeof w.level, "%s",
           sp_monitor_level_name(a->rule->level));
  snprintf(w.action, sizeof w.action, "%s",
           sp_monitor_action_name(a->rule->action));
  snprintf(w.event_id, sizeof w.event_id, "%s", a->event->id);
  snprintf(w.reason, sizeof w.reason, "%s", a->rule->reason);
  w.event_time = a->event->time;
  w.created = c->r->now;
  c->rc = apply(c->r->srv, a, &w, &c->err);
  if (c->rc == SP_OK)
    c->rc = sp_svc_warning_add(c->r->srv->svc, &w, &c->err);
  if (c->rc == SP_OK)
    json_array_append_new(c->actions,
                          json_pack("{s:s,s:s,s:s,s:s,s:s}", "rule", w.rule,
                                    "level", w.level, "action", w.action,
                                    "reason", w.reason, "done", w.detail));
}

void sp__h_event_post(sp__req *r) {
  sp_monitor *m = r->srv->monitor;
  if (m == NULL) {
    sp__fail(r, 503, "monitor_off", "rules",
             "early warning is off: start sparrow serve with --rules");
    return;
  }
  event_ctx c = {.r = r, .actions = json_array()};
  sp_error_clear(&c.err);
  sp_monitor_event ev;
  if (sp_monitor_event_parse_json(r->body, r->body_len, 1, &ev, &c.err) !=
      SP_OK) {
    json_decref(c.actions);
    sp__fail_err(r, &c.err, NULL);
    return;
  }
  int st = sp_monitor_ingest(m, &ev, on_action, &c, &c.err);
  if (st < 0 || c.rc != SP_OK) {
    json_decref(c.actions);
    sp__fail_err(r, &c.err, NULL);
    return;
  }
  static const char *const names[] = {"accepted", "duplicate", "too_late"};
  sp__reply(r, 200,
            json_pack("{s:s,s:o}", "status",
                      st >= 0 && st <= 2 ? names[st] : "accepted", "actions",
                      c.actions));
}

void sp__h_warning_list(sp__req *r) {
  static sp_warning w[256]; /* under the server lock */
  size_t n = 0;
  sp_error err;
  sp_error_clear(&err);
  if (sp_svc_warning_list(r->srv->svc, r->params[0], w, 256, &n, &err) !=
      SP_OK) {
    sp__fail_err(r, &err, NULL);
    return;
  }
  json_t *list = json_array();
  for (size_t i = 0; i < n; i++)
    json_array_append_new(
        list,
        json_pack("{s:I,s:s,s:s,s:s,s:s,s:o,s:s,s:s,s:o}", "no",
                  (json_int_t)w[i].no, "rule", w[i].rule, "level", w[i].level,
                  "action", w[i].action, "event_id", w[i].event_id,
                  "event_time", sp__json_time(w[i].event_time), "reason",
                  w[i].reason, "done", w[i].detail, "created",
                  sp__json_time(w[i].created)));
  sp__reply(r, 200,
            json_pack("{s:s,s:o}", "borrower", r->params[0], "warnings", list));
}
