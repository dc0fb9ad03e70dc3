/* sparrow monitor: post-loan early warning over a file of borrower events.
 *
 * Loads the rules, restores the engine from --state when that file exists,
 * feeds every event (JSON Lines, or CSV with a header) in file order, and
 * prints one JSON object per action that fired. The actions are gathered
 * in a temporary file and printed only when the whole input was good; then
 * the state is saved (temp file, fsync, rename). So a malformed line (one
 * line on stderr naming the file, line and member; exit 2) prints nothing
 * and leaves the old snapshot as it was, and a rerun over the same input
 * after a success prints nothing twice.
 *
 * With --db, freeze_line, reduce_limit (limit x (100 - pct) / 100, in
 * whole fen, rounded down) and release_limit (limit + amount) are applied
 * to the line whose id is the borrower's, after the actions are printed
 * and before the state is saved (so a crash in between may apply them
 * again on the rerun: at least once); borrowers without a line are
 * skipped. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "sparrow/loan.h"
#include "sparrow/monitor.h"
#include "sparrow/money.h"

#define BOOK_ACTIONS_MAX (1 << 20)

/* An action to apply to the loan book (--db) once the input was good. */
typedef struct book_action {
  sp_monitor_action_kind kind;
  int64_t pct, amount_fen;
  char line[SP_MONITOR_ID_MAX];
} book_action;

typedef struct output {
  FILE *file;
  int keep; /* --db given: remember line actions */
  book_action *acts;
  size_t n, cap;
  int full;
} output;

static const cli_cmd monitor_cmd = {
    "monitor", "post-loan early warning: rules over windowed borrower events",
    "--rules R.json --events E.jsonl [--format jsonl|csv] [--state S.snap] "
    "[--lateness 2d] [--db BOOK.db] [--borrowers-max N]"};

static void keep_action(output *o, const sp_monitor_action *a) {
  sp_monitor_action_kind k = a->rule->action;
  if (!o->keep || k == SP_MONITOR_WARN || k == SP_MONITOR_OPEN_CASE)
    return;
  if (o->n == o->cap) {
    size_t cap = o->cap ? o->cap * 2 : 64;
    book_action *p =
        cap <= BOOK_ACTIONS_MAX ? realloc(o->acts, cap * sizeof *p) : NULL;
    if (p == NULL) {
      o->full = 1;
      return;
    }
    o->acts = p;
    o->cap = cap;
  }
  book_action *b = &o->acts[o->n++];
  b->kind = k;
  b->pct = a->rule->pct;
  b->amount_fen = a->rule->amount_fen;
  memcpy(b->line, a->event->borrower, sizeof b->line);
}

/* "values":{"sum(invoice_issued, 30d)":100000,...}: what the rule saw. */
static void print_values(FILE *f, const sp_monitor_action *a) {
  if (a->n_values == 0)
    return;
  fputs(",\"values\":{", f);
  for (int i = 0; i < a->n_values; i++) {
    const sp_monitor_value *v = &a->values[i];
    fprintf(f, "%s\"%s(%s", i ? "," : "", v->function,
            sp_monitor_series_name(v->series));
    if (v->days > 0)
      fprintf(f, ", %dd", v->days);
    if (v->days_before > 0)
      fprintf(f, ", %dd", v->days_before);
    if (v->missing)
      fputs(")\":null", f);
    else
      fprintf(f, ")\":%.15g", v->value);
  }
  fputc('}', f);
}

static void print_action(const sp_monitor_action *a, void *user) {
  output *o = user;
  FILE *f = o->file;
  const sp_monitor_rule *r = a->rule;
  keep_action(o, a);
  char buf[32];
  fputs("{\"rule\":", f);
  cli_json_string(f, r->id);
  fprintf(f, ",\"level\":\"%s\",\"action\":\"%s\"",
          sp_monitor_level_name(r->level), sp_monitor_action_name(r->action));
  if (r->action == SP_MONITOR_REDUCE_LIMIT)
    fprintf(f, ",\"pct\":%lld", (long long)r->pct);
  if (r->action == SP_MONITOR_RELEASE_LIMIT) {
    sp_money_format(r->amount_fen, buf, sizeof buf);
    fprintf(f, ",\"amount\":\"%s\"", buf);
  }
  fputs(",\"borrower\":", f);
  cli_json_string(f, a->event->borrower);
  fputs(",\"event_id\":", f);
  cli_json_string(f, a->event->id);
  sp_time_format(a->event->time, buf);
  fprintf(f, ",\"event_time\":\"%s\",\"reason\":", buf);
  cli_json_string(f, r->reason);
  print_values(f, a);
  fputs("}\n", f);
}

static int file_fail(const char *path, const sp_error *err) {
  fprintf(stderr, "sparrow monitor: %s:%d: %s\n", path, err->line,
          err->message);
  return err->code == SP_ENOMEM || err->code == SP_EIO ? CLI_EXIT_FAIL
                                                       : CLI_EXIT_USAGE;
}

static int feed(sp_monitor *m, const sp_monitor_event *ev, const char *path,
                long line, output *out) {
  sp_error err;
  sp_error_clear(&err);
  int rc = sp_monitor_ingest(m, ev, print_action, out, &err);
  if (rc >= 0)
    return 0;
  err.line = (int)line;
  return file_fail(path, &err);
}

static int run_jsonl(sp_monitor *m, FILE *in, const char *path, output *out) {
  char *line = NULL;
  size_t cap = 0;
  ssize_t n;
  long no = 0;
  int rc = 0;
  while (rc == 0 && (n = getline(&line, &cap, in)) >= 0) {
    no++;
    while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
      line[--n] = '\0';
    if (n == 0)
      continue;
    sp_monitor_event ev;
    sp_error err;
    sp_error_clear(&err);
    if (sp_monitor_event_parse_json(line, (size_t)n, no, &ev, &err) != SP_OK)
      rc = file_fail(path, &err);
    else
      rc = feed(m, &ev, path, no, out);
  }
  free(line);
  return rc;
}

static int csv_records(sp_monitor *m, sp_csv *csv, const char *path,
                       output *out, sp_error *err) {
  sp_monitor_csv_columns cols;
  int rc = sp_csv_next(csv, err);
  if (rc == 0)
    return sp_error_set_at(err, SP_EINVAL, "header", 1, 0, "no header line");
  if (rc < 0 || (rc = sp_monitor_csv_header(csv, &cols, err)) != SP_OK)
    return rc;
  while ((rc = sp_csv_next(csv, err)) == 1) {
    sp_monitor_event ev;
    if ((rc = sp_monitor_event_from_csv(csv, &cols, &ev, err)) != SP_OK)
      return rc;
    if (feed(m, &ev, path, sp_csv_line(csv), out) != 0)
      return 1; /* already reported */
  }
  return rc;
}

static int run_csv(sp_monitor *m, FILE *in, const char *path, output *out) {
  sp_csv *csv = malloc(sizeof *csv);
  if (csv == NULL)
    return CLI_EXIT_FAIL;
  sp_csv_init_file(csv, in);
  sp_error err;
  sp_error_clear(&err);
  int rc = csv_records(m, csv, path, out, &err);
  free(csv);
  if (rc == 1)
    return CLI_EXIT_USAGE;
  return rc == SP_OK ? 0 : file_fail(path, &err);
}

/* "2d", "36h", "90m", "600s" or plain seconds. */
static int parse_lateness(const char *text, sp_time *out) {
  char *end = NULL;
  errno = 0;
  long long v = strtoll(text, &end, 10);
  long long unit = *end == 'd'   ? SP_DAY_S
                   : *end == 'h' ? 3600
                   : *end == 'm' ? 60
                                 : 1;
  if (end == text || v < 0 || errno != 0 || (*end && end[1]) ||
      (*end && strchr("dhms", *end) == NULL) ||
      v > SP_MONITOR_LATENESS_MAX / unit)
    return -1;
  *out = (sp_time)(v * unit);
  return 0;
}

static int copy_out(FILE *tmp) {
  char buf[65536];
  size_t n;
  rewind(tmp);
  while ((n = fread(buf, 1, sizeof buf, tmp)) > 0)
    if (fwrite(buf, 1, n, stdout) != n)
      return CLI_EXIT_FAIL;
  return fflush(stdout) == 0 && !ferror(tmp) ? 0 : CLI_EXIT_FAIL;
}

/* Freezes or changes the limit of the line whose id is the borrower's;
 * borrowers without a line in the book are left alone. */
static int apply_one(sp_book *book, const book_action *a, sp_error *err) {
  if (a->kind == SP_MONITOR_FREEZE_LINE)
    return sp_line_freeze(book, a->line, 1, err);
  sp_loan_view v;
  int rc = sp_loan_get(book, a->line, &v, err);
  if (rc != SP_OK)
    return rc;
  int64_t limit = a->kind == SP_MONITOR_REDUCE_LIMIT
                      ? v.limit_fen * (100 - a->pct) / 100
                      : v.limit_fen + a->amount_fen;
  if (limit > SP_AMOUNT_FEN_MAX)
    limit = SP_AMOUNT_FEN_MAX;
  return sp_line_set_limit(book, a->line, limit, err);
}

static int apply_book(const char *db, const output *o) {
  sp_book *book = NULL;
  sp_error err;
  sp_error_clear(&err);
  if (o->full)
    return cli_usage_error(&monitor_cmd, "--db: more than %d line actions",
                           BOOK_ACTIONS_MAX);
  if (sp_book_open_existing(db, &book, &err) != SP_OK)
    return cli_fail(&monitor_cmd, &err);
  int rc = 0;
  for (size_t i = 0; rc == 0 && i < o->n; i++) {
    int e = apply_one(book, &o->acts[i], &err);
    if (e != SP_OK && e != SP_ENOTFOUND)
      rc = cli_fail(&monitor_cmd, &err);
  }
  sp_book_close(book);
  return rc;
}

static int make_engine(sp_monitor **m, const sp_monitor_rules *rules,
                       const cli_opt *o, size_t n) {
  sp_monitor_config cfg;
  sp_monitor_config_default(&cfg);
  cfg.borrowers_max = 1u << 18;
  cfg.rings_max = cfg.borrowers_max * 4;
  cfg.chunks_max = cfg.borrowers_max * 16;
  const char *late = cli_get(o, n, "lateness"),
             *bmax = cli_get(o, n, "borrowers-max");
  if (late != NULL && parse_lateness(late, &cfg.lateness_s) != 0)
    return cli_usage_error(&monitor_cmd, "--lateness: '%s' is not 0..30d",
                           late);
  if (bmax != NULL) {
    char *end = NULL;
    long long v = strtoll(bmax, &end, 10);
    if (*end != '\0' || v < 1 || v > (1 << 30))
      return cli_usage_error(&monitor_cmd, "--borrowers-max: '%s'", bmax);
    cfg.borrowers_max = (uint32_t)v;
    cfg.rings_max = (uint32_t)(v < (1 << 27) ? v * 4 : 1u << 29);
    cfg.chunks_max = (uint32_t)(v < (1 << 26) ? v * 16 : 1u << 30);
  }
  sp_error err;
  sp_error_clear(&err);
  if (sp_monitor_new(m, &cfg, rules, &err) != SP_OK)
    return cli_fail(&monitor_cmd, &err);
  const char *state = cli_get(o, n, "state");
  int rc = state != NULL ? sp_monitor_load(*m, state, &err) : SP_OK;
  if (rc != SP_OK && rc != SP_ENOTFOUND)
    return file_fail(state, &err);
  return 0;
}

static int run(const sp_monitor_rules *rules, const cli_opt *o, size_t n) {
  const char *path = cli_get(o, n, "events"), *fmt = cli_get(o, n, "format");
  int csv = fmt != NULL && strcmp(fmt, "csv") == 0;
  if (fmt != NULL && !csv && strcmp(fmt, "jsonl") != 0)
    return cli_usage_error(&monitor_cmd, "--format: '%s' is not jsonl or csv",
                           fmt);
  sp_monitor *m = NULL;
  int rc = make_engine(&m, rules, o, n);
  FILE *in = rc == 0 ? fopen(path, "rb") : NULL;
  if (rc == 0 && in == NULL)
    rc = cli_usage_error(&monitor_cmd, "--events: cannot read '%s'", path);
  const char *db = cli_get(o, n, "db");
  output out = {.file = rc == 0 ? tmpfile() : NULL, .keep = db != NULL};
  if (rc == 0 && out.file == NULL)
    rc = CLI_EXIT_FAIL;
  if (rc == 0)
    rc = csv ? run_csv(m, in, path, &out) : run_jsonl(m, in, path, &out);
  if (rc == 0)
    rc = copy_out(out.file);
  if (rc == 0 && db != NULL)
    rc = apply_book(db, &out);
  const char *state = cli_get(o, n, "state");
  sp_error err;
  sp_error_clear(&err);
  if (rc == 0 && state != NULL && sp_monitor_save(m, state, &err) != SP_OK)
    rc = cli_fail(&monitor_cmd, &err);
  if (in != NULL)
    fclose(in);
  if (out.file != NULL)
    fclose(out.file);
  free(out.acts);
  sp_monitor_free(m);
  return rc;
}

int cmd_monitor(int argc, char **argv) {
  cli_opt opts[] = {
      {"rules", 1, "rule file (JSON): id, when, level, action, reason", NULL},
      {"events", 1, "events: JSON Lines, or CSV with --format csv", NULL},
      {"format", 1, "jsonl (default) or csv", NULL},
      {"state", 1, "snapshot: restored if present, written after", NULL},
      {"lateness", 1, "how late an event may arrive (default 2d)", NULL},
      {"db", 1,
       "loan book: freeze or change the limit of the line "
       "whose id is the borrower",
       NULL},
      {"borrowers-max", 1, "capacity in borrowers (default 262144)", NULL},
  };
  size_t n = sizeof opts / sizeof opts[0];
  int rc = cli_parse(&monitor_cmd, argc, argv, opts, n);
  if (rc != 0)
    return rc == 1 ? CLI_EXIT_OK : rc;
  static const char *const required[] = {"rules", "events", NULL};
  if ((rc = cli_require(&monitor_cmd, opts, n, required)) != 0)
    return rc;
  sp_monitor_rules *rules = malloc(sizeof *rules);
  if (rules == NULL)
    return CLI_EXIT_FAIL;
  sp_error err;
  sp_error_clear(&err);
  const char *path = cli_get(opts, n, "rules");
  if (sp_monitor_rules_load_file(rules, path, &err) != SP_OK)
    rc = err.code == SP_EIO
             ? cli_usage_error(&monitor_cmd, "--rules: cannot read '%s'", path)
             : (fprintf(stderr, "sparrow monitor: %s: %s\n", path, err.message),
                CLI_EXIT_USAGE);
  else
    rc = run(rules, opts, n);
  free(rules);
  return rc;
}
