/* sparrow close-day: close every business day up to a date. */
#include "book_cli.h"
#include "sparrow/money.h"

#define N(o) (sizeof(o) / sizeof((o)[0]))

int cmd_close_day(int argc, char **argv) {
  static const cli_cmd cmd = {
      "close-day",
      "Closes every business day not yet closed up to --date: accrues interest "
      "and penalty,\nbills line interest, ages and classifies every active "
      "loan, and posts it all to the ledger.",
      "--db FILE --date YYYY-MM-DD"};
  cli_opt o[] = {{"db", 1, "database file", 0},
                 {"date", 1, "last day to close", 0}};
  int rc = cli_parse(&cmd, argc, argv, o, N(o));
  static const char *const req[] = {"db", "date", NULL};
  if (rc || (rc = cli_require(&cmd, o, N(o), req)))
    return rc == 1 ? 0 : rc;
  sp_error err;
  sp_date through;
  if (sp_date_parse(cli_get(o, N(o), "date"), "--date", &through, &err))
    return cli_fail(&cmd, &err);
  sp_book *b;
  if ((rc = book_open(&cmd, o, N(o), 0, &b)))
    return rc;
  sp_close_stats st;
  rc = sp_book_close_day(b, through, &st, &err);
  if (rc == SP_OK) {
    char d[11], i[32], p[32];
    sp_date_format(through, d);
    sp_money_format(st.interest_fen, i, sizeof i);
    sp_money_format(st.penalty_fen, p, sizeof p);
    printf("{\"closed_through\":\"%s\",\"days\":%d,\"loans\":%llu,"
           "\"transfers\":%llu,"
           "\"interest\":\"%s\",\"penalty\":\"%s\"}\n",
           d, st.days, (unsigned long long)st.loans,
           (unsigned long long)st.transfers, i, p);
  }
  sp_book_close(b);
  return rc == SP_OK ? 0 : cli_fail(&cmd, &err);
}
