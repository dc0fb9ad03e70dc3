/* Command-line plumbing shared by every sparrow subcommand.
 *
 * Options are "--name value" or "--name=value"; flags are "--name". An
 * unknown option, a missing value or a repeated option is a usage error:
 * one line on stderr naming the option, exit status 2, nothing changed. */
#ifndef SPARROW_CMD_CLI_H
#define SPARROW_CMD_CLI_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "sparrow/error.h"

#define CLI_EXIT_OK 0
#define CLI_EXIT_FAIL 1  /* storage or internal failure */
#define CLI_EXIT_USAGE 2 /* bad input: nothing was changed */

typedef struct cli_opt {
  const char *name;  /* without the leading "--" */
  int takes_value;   /* 0 for a flag */
  const char *help;  /* one line for --help */
  const char *value; /* set by cli_parse; "1" for a flag that was given */
} cli_opt;

typedef struct cli_cmd {
  const char *name;    /* "schedule", "line open" */
  const char *summary; /* one line */
  const char *usage;   /* e.g. "--principal AMOUNT --annual-rate RATE ..." */
} cli_cmd;

/* Parses argv[0..argc) (the words after the command's name) into opts.
 * Returns 1 when --help was given (help printed to stdout), 0 on success,
 * or CLI_EXIT_USAGE after printing the error. */
int cli_parse(const cli_cmd *cmd, int argc, char **argv, cli_opt *opts,
              size_t n_opts);

/* The value of an option, or NULL when it was not given. */
const char *cli_get(const cli_opt *opts, size_t n_opts, const char *name);

/* Fails with a usage error when a required option is missing. */
int cli_require(const cli_cmd *cmd, const cli_opt *opts, size_t n_opts,
                const char *const *names);

/* Prints "sparrow <cmd>: <message>" to stderr; returns CLI_EXIT_USAGE for
 * input errors and CLI_EXIT_FAIL for storage and internal ones. */
int cli_fail(const cli_cmd *cmd, const sp_error *err);

/* Prints "sparrow <cmd>: <message>" and returns CLI_EXIT_USAGE. */
int cli_usage_error(const cli_cmd *cmd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Output format shared by commands that print tables. */
typedef enum cli_format {
  CLI_FORMAT_JSON,
  CLI_FORMAT_CSV,
  CLI_FORMAT_TEXT
} cli_format;
int cli_parse_format(const cli_cmd *cmd, const char *text, cli_format dflt,
                     cli_format *out);

/* --seed: a whole number from 0 to 2^64 - 1 into *out, left as it is when
 * text is NULL; 0, or the usage error's exit status. */
int cli_parse_seed(const cli_cmd *cmd, const char *text, uint64_t *out);

/* Writes s as one CSV field (quoted when it holds , " or a newline). */
void cli_csv_field(FILE *f, const char *s);

/* Writes s as a JSON string literal (with quotes) to f. */
void cli_json_string(FILE *f, const char *s);

/* Subcommands; each takes the words after its own name. */
/* An output file written whole or not at all: rows go to a temporary file
 * (beside path, or in /tmp for standard output); cli_out_finish(ok = 1)
 * moves it into place (or copies it to standard output), ok = 0 removes
 * it. The file gets the usual mode (0666 less the umask). */
typedef struct cli_out {
  FILE *f;
  const char *path; /* NULL: standard output */
  char tmp[4096];
} cli_out;
int cli_out_open(cli_out *o, const char *path); /* 0, or -1 */
int cli_out_finish(cli_out *o, int ok);         /* 0, or -1 on a write error */

/* Rows from the file --data names into --out (standard output when NULL),
 * written whole or not at all: rows(ctx, in, out, err) reads and writes
 * them. SP_OK, or the first error (a file that cannot be opened or
 * written is named by its option). */
typedef int (*cli_rows_fn)(void *ctx, FILE *in, FILE *out, sp_error *err);
int cli_rows(const char *data, const char *out, cli_rows_fn rows, void *ctx,
             sp_error *err);

int cmd_schedule(int argc, char **argv);
int cmd_apr(int argc, char **argv);
int cmd_line(int argc, char **argv);
int cmd_loan(int argc, char **argv);
int cmd_close_day(int argc, char **argv);
int cmd_ledger(int argc, char **argv);
int cmd_audit(int argc, char **argv);
int cmd_clean(int argc, char **argv);
int cmd_demo(int argc, char **argv);
int cmd_score(int argc, char **argv);
int cmd_aml(int argc, char **argv);
int cmd_decide(int argc, char **argv);
int cmd_train(int argc, char **argv);
int cmd_monitor(int argc, char **argv);
int cmd_serve(int argc, char **argv);
int cmd_synth(int argc, char **argv);

#endif
