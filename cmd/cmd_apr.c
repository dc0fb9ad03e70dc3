/* Placeholder until this command lands. */
#include "cli.h"

int cmd_apr(int argc, char **argv) {
  (void)argc;
  (void)argv;
  fprintf(stderr, "sparrow: not implemented yet\n");
  return CLI_EXIT_FAIL;
}
