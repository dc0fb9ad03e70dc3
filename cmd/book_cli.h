/* Shared pieces of the commands that work on a loan book (line, loan,
 * close-day, ledger, demo). */
#ifndef SPARROW_CMD_BOOK_CLI_H
#define SPARROW_CMD_BOOK_CLI_H

#include "cli.h"
#include "sparrow/loan.h"

/* Prints a loan as JSON (one object) or as aligned text. */
void book_print_loan(FILE *f, const sp_loan_view *v, cli_format format);

/* Parses the product options shared by `line open` and `loan open` into p.
 * Returns 0 or CLI_EXIT_USAGE (after printing). */
int book_parse_product(const cli_cmd *cmd, const cli_opt *o, size_t n,
                       sp_product *p);

/* Opens the book named by --db (must exist unless create). */
int book_open(const cli_cmd *cmd, const cli_opt *o, size_t n, int create,
              sp_book **out);

/* Dispatches "NAME SUB ..." to the table entry whose name is "NAME SUB". */
typedef struct book_sub {
  const char *name;
  int (*run)(const cli_cmd *cmd, int argc, char **argv);
  const char *summary;
} book_sub;
int book_dispatch(const char *group, const book_sub *subs, size_t n, int argc,
                  char **argv);

/* Ends a command on a loan: prints the loan in `format` when rc is SP_OK,
 * closes the book, and turns rc (or a failure to read the loan) into the
 * exit status. */
int book_finish(const cli_cmd *cmd, sp_book *b, const char *id,
                cli_format format, int rc, sp_error *err);

/* line draw / line repay / loan repay (draw = 1 for a draw). */
int book_move(const cli_cmd *cmd, int argc, char **argv, int draw);
/* line show / loan show. */
int book_show(const cli_cmd *cmd, int argc, char **argv);

#endif
