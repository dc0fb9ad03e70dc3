/* sparrow synth: writes a synthetic micro and small enterprise portfolio
 * and its decision assets into a directory (sparrow/synth.h):
 *   history.csv     past loans: features and the outcome (bad 0/1)
 *   applicants.csv  new applications: the same features, no outcome
 *   borrowers.csv   identities of both sets (name, credit code, ...)
 *   schema.json     the features, protected ones marked
 *   rules.json      policy rules
 *   flow.json       a decision flow reading the three JSON files beside it
 *                   and card.json, which `sparrow train` makes from
 *                   history.csv.
 * Every file goes to a temporary name first and is renamed into place only
 * once all six are written, so a failure leaves no partial file. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "sparrow/synth.h"

#define N(o) (sizeof(o) / sizeof((o)[0]))

enum { F_HISTORY, F_APPLICANTS, F_BORROWERS, F_SCHEMA, F_RULES, F_FLOW, F_N };
static const char *const file_names[F_N] = {"history.csv",   "applicants.csv",
                                            "borrowers.csv", "schema.json",
                                            "rules.json",    "flow.json"};

static const cli_cmd synth_cmd = {
    "synth",
    "Writes a synthetic portfolio of micro and small enterprises (six "
    "industries,\nmulti-source data, a history with outcomes and new "
    "applicants) and a schema,\nrules and decision flow for it. Then:\n"
    "  sparrow train --data DIR/history.csv --target bad --bad 1 "
    "--schema DIR/schema.json --out DIR/card.json\n"
    "  sparrow decide --flow DIR/flow.json --data DIR/applicants.csv",
    "--out-dir DIR [--n N] [--applicants M] [--seed S]"};

static int parse_count(const char *name, const char *text, long dflt,
                       long *out) {
  if (text == NULL) {
    *out = dflt;
    return 0;
  }
  char *end;
  errno = 0;
  long v = strtol(text, &end, 10);
  if (errno != 0 || end == text || *end != '\0' || v < 1 ||
      v > SP_SYNTH_FIRMS_MAX)
    return cli_usage_error(&synth_cmd,
                           "--%s: '%s' is not a whole number from "
                           "1 to %ld",
                           name, text, SP_SYNTH_FIRMS_MAX);
  *out = v;
  return 0;
}

static int make_dir(const char *dir) {
  struct stat st;
  if (mkdir(dir, 0777) != 0 && errno != EEXIST)
    return cli_usage_error(&synth_cmd, "--out-dir: cannot create '%s': %s", dir,
                           strerror(errno));
  if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
    return cli_usage_error(&synth_cmd, "--out-dir: '%s' is not a directory",
                           dir);
  return 0;
}

static int write_set(FILE *features, FILE *borrowers, uint64_t seed,
                     sp_synth_set set, long n, sp_error *err) {
  int with_bad = set == SP_SYNTH_HISTORY;
  int rc = sp_synth_write_features_header(features, with_bad, err);
  for (long i = 0; i < n && rc == SP_OK; i++) {
    sp_synth_firm firm;
    sp_synth_firm_make(seed, set, i, &firm);
    rc = sp_synth_write_features_row(features, &firm, with_bad, err);
    if (rc == SP_OK)
      rc = sp_synth_write_borrowers_row(borrowers, &firm, err);
  }
  return rc;
}

static int write_all(cli_out *out, uint64_t seed, long n, long n_applicants,
                     sp_error *err) {
  int rc = sp_synth_write_borrowers_header(out[F_BORROWERS].f, err);
  if (rc == SP_OK)
    rc = write_set(out[F_HISTORY].f, out[F_BORROWERS].f, seed, SP_SYNTH_HISTORY,
                   n, err);
  if (rc == SP_OK)
    rc = write_set(out[F_APPLICANTS].f, out[F_BORROWERS].f, seed,
                   SP_SYNTH_APPLICANTS, n_applicants, err);
  if (rc != SP_OK)
    return rc;
  fputs(sp_synth_schema_json(), out[F_SCHEMA].f);
  fputs(sp_synth_rules_json(), out[F_RULES].f);
  fputs(sp_synth_flow_json(), out[F_FLOW].f);
  for (int i = 0; i < F_N; i++)
    if (ferror(out[i].f))
      return sp_error_set(err, SP_EIO, "out-dir", "--out-dir: cannot write %s",
                          file_names[i]);
  return SP_OK;
}

static int run(const char *dir, uint64_t seed, long n, long n_applicants) {
  cli_out out[F_N];
  char paths[F_N][4096];
  sp_error err;
  int opened = 0, rc = SP_OK;
  for (; opened < F_N; opened++) {
    snprintf(paths[opened], sizeof paths[opened], "%s/%s", dir,
             file_names[opened]);
    if (cli_out_open(&out[opened], paths[opened]) != 0) {
      rc = sp_error_set(&err, SP_EIO, "out-dir", "--out-dir: cannot write '%s'",
                        paths[opened]);
      break;
    }
  }
  if (rc == SP_OK)
    rc = write_all(out, seed, n, n_applicants, &err);
  for (int i = 0; i < opened; i++)
    if (cli_out_finish(&out[i], rc == SP_OK) != 0 && rc == SP_OK)
      rc = sp_error_set(&err, SP_EIO, "out-dir", "--out-dir: cannot write '%s'",
                        paths[i]);
  return rc == SP_OK ? 0 : cli_fail(&synth_cmd, &err);
}

int cmd_synth(int argc, char **argv) {
  cli_opt o[] = {{"out-dir", 1, "directory to write into (made if absent)", 0},
                 {"n", 1, "past loans in history.csv (default 3000)", 0},
                 {"applicants", 1,
                  "rows of applicants.csv (default n / 5, at least 1)", 0},
                 {"seed", 1, "seed of the generator (default 20240601)", 0}};
  int rc = cli_parse(&synth_cmd, argc, argv, o, N(o));
  static const char *const req[] = {"out-dir", NULL};
  if (rc || (rc = cli_require(&synth_cmd, o, N(o), req)))
    return rc == 1 ? 0 : rc;
  long n = 0, n_applicants = 0;
  uint64_t seed = 20240601;
  if ((rc = parse_count("n", cli_get(o, N(o), "n"), 3000, &n)) ||
      (rc = parse_count("applicants", cli_get(o, N(o), "applicants"),
                        n / 5 > 0 ? n / 5 : 1, &n_applicants)) ||
      (rc = cli_parse_seed(&synth_cmd, cli_get(o, N(o), "seed"), &seed)))
    return rc;
  const char *dir = cli_get(o, N(o), "out-dir");
  if ((rc = make_dir(dir)) != 0)
    return rc;
  return run(dir, seed, n, n_applicants);
}
