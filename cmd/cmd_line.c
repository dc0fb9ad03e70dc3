/* sparrow line ...: revolving credit lines against a book file. */
#include <stdlib.h>
#include <string.h>

#include "book_cli.h"
#include "sparrow/money.h"

#define N(o) (sizeof(o) / sizeof((o)[0]))

static cli_opt product_opts[] = {
    {"db", 1, "database file (created if missing)", 0},
    {"id", 1, "line id, e.g. L1", 0},
    {"limit", 1, "credit limit, e.g. 100000.00", 0},
    {"daily-rate", 1, "daily rate, e.g. 0.02% (or --annual-rate)", 0},
    {"annual-rate", 1, "annual rate, e.g. 7.2%", 0},
    {"daycount", 1, "ACT/360 (default), ACT/365 or 30/360", 0},
    {"per-second", 0, "accrue interest by the second (按秒计息)", 0},
    {"date", 1, "opening date YYYY-MM-DD", 0},
    {"term", 1, "tenor in months before principal is due (default 12)", 0},
    {"penalty-factor", 1, "penalty rate as a multiple of the rate (1.5)", 0},
    {"alloc", 1, "repayment order (penalty,interest,principal)", 0},
    {"rounding", 1, "half-up (default) or half-even", 0},
};

static int line_open(const cli_cmd *cmd, int argc, char **argv) {
  cli_opt *o = product_opts;
  int rc = cli_parse(cmd, argc, argv, o, N(product_opts));
  static const char *const req[] = {"db", "id", "limit", "date", NULL};
  if (rc || (rc = cli_require(cmd, o, N(product_opts), req)))
    return rc == 1 ? 0 : rc;
  sp_product p;
  if ((rc = book_parse_product(cmd, o, N(product_opts), &p)))
    return rc;
  sp_error err;
  int64_t limit;
  sp_date date;
  if (sp_money_parse(cli_get(o, N(product_opts), "limit"), "--limit", &limit,
                     &err) ||
      sp_date_parse(cli_get(o, N(product_opts), "date"), "--date", &date, &err))
    return cli_fail(cmd, &err);
  sp_book *b;
  if ((rc = book_open(cmd, o, N(product_opts), 1, &b)))
    return rc;
  rc =
      sp_line_open(b, cli_get(o, N(product_opts), "id"), limit, &p, date, &err);
  return book_finish(cmd, b, cli_get(o, N(product_opts), "id"), CLI_FORMAT_JSON,
                     rc, &err);
}

static cli_opt move_opts[] = {
    {"db", 1, "database file", 0},
    {"id", 1, "line or loan id", 0},
    {"amount", 1, "amount, e.g. 20000.00", 0},
    {"date", 1, "business date YYYY-MM-DD, or a time 2026-01-16T10:30:00+08:00",
     0},
    {"ref", 1, "idempotency key: a repeated key returns the first result", 0},
    {"pending", 0, "draws: reserve now, post when the channel confirms", 0},
};

/* Shared by line draw, line repay and loan repay. */
int book_move(const cli_cmd *cmd, int argc, char **argv, int draw) {
  cli_opt *o = move_opts;
  int rc = cli_parse(cmd, argc, argv, o, N(move_opts));
  static const char *const req[] = {"db", "id", "amount", "date", NULL};
  if (rc || (rc = cli_require(cmd, o, N(move_opts), req)))
    return rc == 1 ? 0 : rc;
  sp_error err;
  int64_t amount;
  sp_time at;
  if (sp_money_parse(cli_get(o, N(move_opts), "amount"), "--amount", &amount,
                     &err) ||
      sp_time_parse(cli_get(o, N(move_opts), "date"), "--date", &at, &err))
    return cli_fail(cmd, &err);
  if (amount <= 0)
    return cli_usage_error(cmd, "--amount: must be positive");
  int pending = cli_get(o, N(move_opts), "pending") != NULL;
  if (pending && !draw)
    return cli_usage_error(cmd, "--pending: only for draws");
  sp_book *b;
  if ((rc = book_open(cmd, o, N(move_opts), 0, &b)))
    return rc;
  const char *id = cli_get(o, N(move_opts), "id"),
             *ref = cli_get(o, N(move_opts), "ref");
  sp_repay_result res = {0};
  uint64_t transfer = 0;
  if (pending)
    rc = sp_line_draw_pending(b, id, amount, at, ref, &transfer, &err);
  else
    rc = draw ? sp_line_draw(b, id, amount, at, ref, &err)
              : sp_loan_repay(b, id, amount, at, ref, &res, &err);
  if (rc == SP_OK && pending)
    printf("{\"pending_transfer\":%llu}\n", (unsigned long long)transfer);
  if (rc == SP_OK && !draw) {
    char p[32], i[32], q[32];
    sp_money_format(res.penalty_fen, p, sizeof p);
    sp_money_format(res.interest_fen, i, sizeof i);
    sp_money_format(res.principal_fen, q, sizeof q);
    printf("{\"repaid\":{\"penalty\":\"%s\",\"interest\":\"%s\","
           "\"principal\":\"%s\"},\"replayed\":%s}\n",
           p, i, q, res.replayed ? "true" : "false");
  }
  return book_finish(cmd, b, id, CLI_FORMAT_JSON, rc, &err);
}

static int line_draw(const cli_cmd *cmd, int argc, char **argv) {
  return book_move(cmd, argc, argv, 1);
}

static int line_repay(const cli_cmd *cmd, int argc, char **argv) {
  return book_move(cmd, argc, argv, 0);
}

static cli_opt show_opts[] = {
    {"db", 1, "database file", 0},
    {"id", 1, "line or loan id", 0},
    {"format", 1, "json (default) or text", 0},
};

int book_show(const cli_cmd *cmd, int argc, char **argv) {
  cli_opt *o = show_opts;
  int rc = cli_parse(cmd, argc, argv, o, N(show_opts));
  static const char *const req[] = {"db", "id", NULL};
  if (rc || (rc = cli_require(cmd, o, N(show_opts), req)))
    return rc == 1 ? 0 : rc;
  cli_format fmt;
  if ((rc = cli_parse_format(cmd, cli_get(o, N(show_opts), "format"),
                             CLI_FORMAT_JSON, &fmt)))
    return rc;
  sp_book *b;
  if ((rc = book_open(cmd, o, N(show_opts), 0, &b)))
    return rc;
  sp_error err;
  return book_finish(cmd, b, cli_get(o, N(show_opts), "id"), fmt, SP_OK, &err);
}

static int line_settle(const cli_cmd *cmd, int argc, char **argv) {
  cli_opt o[] = {{"db", 1, "database file", 0},
                 {"id", 1, "line id", 0},
                 {"transfer", 1, "the pending draw's transfer id", 0},
                 {"post", 0, "the channel paid out: post the draw", 0},
                 {"void", 0, "the channel failed: release the limit", 0},
                 {"date", 1, "business date or time of the confirmation", 0}};
  int rc = cli_parse(cmd, argc, argv, o, N(o));
  static const char *const req[] = {"db", "id", "transfer", "date", NULL};
  if (rc || (rc = cli_require(cmd, o, N(o), req)))
    return rc == 1 ? 0 : rc;
  int post = cli_get(o, N(o), "post") != NULL;
  if (post == (cli_get(o, N(o), "void") != NULL))
    return cli_usage_error(cmd, "--post or --void: give exactly one");
  char *end;
  const char *tv = cli_get(o, N(o), "transfer");
  unsigned long long transfer = strtoull(tv, &end, 10);
  if (*end || end == tv || transfer == 0)
    return cli_usage_error(cmd, "--transfer: a transfer id like 42");
  sp_error err;
  sp_time at;
  if (sp_time_parse(cli_get(o, N(o), "date"), "--date", &at, &err))
    return cli_fail(cmd, &err);
  sp_book *b;
  if ((rc = book_open(cmd, o, N(o), 0, &b)))
    return rc;
  const char *id = cli_get(o, N(o), "id");
  rc = sp_line_draw_settle(b, id, transfer, post, at, &err);
  return book_finish(cmd, b, id, CLI_FORMAT_JSON, rc, &err);
}

static cli_opt state_opts[] = {
    {"db", 1, "database file", 0},
    {"id", 1, "line id", 0},
    {"limit", 1, "new limit (set-limit)", 0},
};

static int line_state(const cli_cmd *cmd, int argc, char **argv, int what) {
  cli_opt *o = state_opts;
  int rc = cli_parse(cmd, argc, argv, o, N(state_opts));
  static const char *const req[] = {"db", "id", NULL};
  if (rc || (rc = cli_require(cmd, o, N(state_opts), req)))
    return rc == 1 ? 0 : rc;
  sp_error err;
  int64_t limit = 0;
  const char *lv = cli_get(o, N(state_opts), "limit");
  if (what == 2 && lv == NULL)
    return cli_usage_error(cmd, "--limit: required");
  if (what != 2 && lv != NULL)
    return cli_usage_error(cmd, "--limit: only for set-limit");
  if (lv && sp_money_parse(lv, "--limit", &limit, &err))
    return cli_fail(cmd, &err);
  sp_book *b;
  if ((rc = book_open(cmd, o, N(state_opts), 0, &b)))
    return rc;
  const char *id = cli_get(o, N(state_opts), "id");
  rc = what == 2 ? sp_line_set_limit(b, id, limit, &err)
                 : sp_line_freeze(b, id, what, &err);
  return book_finish(cmd, b, id, CLI_FORMAT_JSON, rc, &err);
}

static int line_freeze(const cli_cmd *c, int argc, char **argv) {
  return line_state(c, argc, argv, 1);
}
static int line_unfreeze(const cli_cmd *c, int argc, char **argv) {
  return line_state(c, argc, argv, 0);
}
static int line_limit(const cli_cmd *c, int argc, char **argv) {
  return line_state(c, argc, argv, 2);
}

int cmd_line(int argc, char **argv) {
  static const book_sub subs[] = {
      {"open", line_open, "open a revolving credit line"},
      {"draw", line_draw, "draw on a line (T+0)"},
      {"settle", line_settle, "post or void a pending draw"},
      {"repay", line_repay, "repay a line: penalty, interest, principal"},
      {"show", book_show, "show a line: balances, days past due, class"},
      {"freeze", line_freeze, "freeze draws on a line"},
      {"unfreeze", line_unfreeze, "allow draws again"},
      {"set-limit", line_limit, "change a line's limit"},
  };
  return book_dispatch("line", subs, N(subs), argc, argv);
}
