/* sparrow: the command-line program, built only on libsparrow's public API. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const struct {
  const char *name;
  int (*run)(int argc, char **argv);
  const char *summary;
} commands[] = {
    {"schedule", cmd_schedule, "print a term loan's repayment schedule"},
    {"apr", cmd_apr, "annualized rate (IRR method) of a loan's cash flows"},
    {"line", cmd_line, "revolving credit lines: open, draw, repay, show ..."},
    {"loan", cmd_loan, "term loans: open, repay, show ..."},
    {"close-day", cmd_close_day,
     "close every day up to a date: accrue, age, classify"},
    {"ledger", cmd_ledger, "ledger: verify the invariant, show accounts"},
    {"score", cmd_score,
     "score applicants with a tree model or a scorecard: pd, score, reasons"},
    {"train", cmd_train, "train a credit scorecard from a CSV of past loans"},
    {"audit-model", cmd_audit,
     "fairness by protected group, protected fields in use, drift"},
    {"clean", cmd_clean,
     "Tukey's fences for outliers, cross-source consistency for review"},
    {"demo", cmd_demo, "build a synthetic portfolio and run it for months"},
    {"aml", cmd_aml,
     "AML monitoring: large-value reports, suspicious patterns"},
    {"monitor", cmd_monitor,
     "post-loan early warning: rules over borrower events"},
    {"decide", cmd_decide,
     "decide applicants: rules, score, limit, price, reasons"},
    {"serve", cmd_serve, "the lending service over HTTP (JSON API)"},
    {"synth", cmd_synth,
     "write a synthetic portfolio, its schema, rules and decision flow"},
};

static void usage(FILE *f) {
  fprintf(f, "usage: sparrow COMMAND [OPTIONS]   (sparrow COMMAND --help)\n\n"
             "commands:\n");
  for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
    fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].summary);
}

int main(int argc, char **argv) {
  if (argc < 2) {
    usage(stderr);
    return CLI_EXIT_USAGE;
  }
  if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
      strcmp(argv[1], "help") == 0) {
    usage(stdout);
    return CLI_EXIT_OK;
  }
  for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
    if (strcmp(argv[1], commands[i].name) == 0)
      return commands[i].run(argc - 2, argv + 2);
  fprintf(stderr, "sparrow: unknown command '%s' (see sparrow --help)\n",
          argv[1]);
  return CLI_EXIT_USAGE;
}
