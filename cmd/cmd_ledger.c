/* sparrow ledger ...: the ledger's invariant and its accounts. */
#include "book_cli.h"
#include "sparrow/ledger.h"
#include "sparrow/money.h"
#include "sparrow/store.h"

#define N(o) (sizeof(o) / sizeof((o)[0]))

/* Parses a command whose only option is --db and opens that book.
 * Returns 0 with *b open (NULL after --help), or an exit status. */
static int open_db_only(const cli_cmd *cmd, int argc, char **argv,
                        sp_book **b) {
  cli_opt o[] = {{"db", 1, "database file", 0}};
  int rc = cli_parse(cmd, argc, argv, o, N(o));
  static const char *const req[] = {"db", NULL};
  *b = NULL;
  if (rc == 1)
    return 0;
  if (rc || (rc = cli_require(cmd, o, N(o), req)))
    return rc;
  return book_open(cmd, o, N(o), 0, b);
}

static int ledger_verify(const cli_cmd *cmd, int argc, char **argv) {
  sp_book *b;
  int rc = open_db_only(cmd, argc, argv, &b);
  if (rc != 0 || b == NULL)
    return rc;
  sp_error err;
  sp_ledger_totals t;
  rc = sp_ledger_verify(sp_book_store(b), &t, &err);
  sp_book_close(b);
  if (rc != SP_OK) {
    fprintf(stderr, "sparrow %s: INVARIANT BROKEN: %s\n", cmd->name,
            err.message);
    return CLI_EXIT_FAIL;
  }
  char d[32], c[32];
  sp_money_format(t.debits_posted_fen, d, sizeof d);
  sp_money_format(t.credits_posted_fen, c, sizeof c);
  printf("{\"ok\":true,\"accounts\":%llu,\"transfers\":%llu,\"debits_posted\":"
         "\"%s\","
         "\"credits_posted\":\"%s\"}\n",
         (unsigned long long)t.accounts, (unsigned long long)t.transfers, d, c);
  return 0;
}

typedef struct print_ctx {
  int first;
} print_ctx;

static int print_account(void *p, const sp_account *a) {
  print_ctx *c = p;
  char bal[32];
  sp_money_format(sp_account_balance_fen(a), bal, sizeof bal);
  printf("%s{\"id\":%llu,\"name\":", c->first ? "" : ",\n",
         (unsigned long long)a->id);
  cli_json_string(stdout, a->name);
  printf(",\"balance\":\"%s\"}", bal);
  c->first = 0;
  return SP_OK;
}

static int ledger_accounts(const cli_cmd *cmd, int argc, char **argv) {
  sp_book *b;
  int rc = open_db_only(cmd, argc, argv, &b);
  if (rc != 0 || b == NULL)
    return rc;
  sp_error err;
  print_ctx c = {1};
  printf("[");
  sp_store *s = sp_book_store(b);
  rc = s->ops->account_scan(s, print_account, &c, &err);
  printf("]\n");
  sp_book_close(b);
  return rc == SP_OK ? 0 : cli_fail(cmd, &err);
}

int cmd_ledger(int argc, char **argv) {
  static const book_sub subs[] = {
      {"verify", ledger_verify, "check debits = credits and every balance"},
      {"accounts", ledger_accounts, "list accounts with balances"},
  };
  return book_dispatch("ledger", subs, N(subs), argc, argv);
}
