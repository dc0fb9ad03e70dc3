/* sparrow aml: anti-money-laundering monitoring of a batch of transfers.
 *
 * Reads the transactions (and optional guarantees) CSV, applies the config
 * and column maps, runs the detectors and prints one JSON object per alert
 * (JSON Lines) to stdout or, with --out, to a file written under a
 * temporary name and renamed only when complete. Bad input: one line on
 * stderr naming the file, line, column and field; exit 2; no output. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "sparrow/aml.h"
#include "sparrow/money.h"

#define FILE_BYTES_MAX ((long)1 << 31)

static const cli_cmd aml_cmd = {
    "aml",
    "AML monitoring: large-value reports and suspicious patterns, "
    "as JSON Lines",
    "--transactions T.csv [--guarantees G.csv] [--config C.json] "
    "[--map field=column,...]"};

static int read_all(const char *path, char **out, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (f == NULL)
    return -1;
  char *buf = NULL;
  long n = -1;
  if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && n < FILE_BYTES_MAX &&
      fseek(f, 0, SEEK_SET) == 0 && (buf = malloc((size_t)n + 1)) != NULL &&
      fread(buf, 1, (size_t)n, f) == (size_t)n) {
    buf[n] = '\0';
    fclose(f);
    *out = buf;
    *len = (size_t)n;
    return 0;
  }
  free(buf);
  fclose(f);
  return -1;
}

static void print_item(FILE *f, const sp_aml_data *d, sp_aml_pattern p,
                       uint32_t item) {
  uint32_t row = 0;
  const char *id = sp_aml_pattern_is_guarantee(p)
                       ? sp_aml_data_guarantee_id(d, item, &row)
                       : sp_aml_data_tx_id(d, item, &row);
  if (id != NULL)
    cli_json_string(f, id);
  else
    fprintf(f, "%u", row);
}

static void print_alert(FILE *f, const sp_aml_data *d, const sp_aml_alert *a) {
  char buf[32];
  fprintf(f, "{\"pattern\":\"%s\",\"score\":%d,\"accounts\":[",
          sp_aml_pattern_name(a->pattern), a->score);
  for (uint32_t i = 0; i < a->n_accounts; i++) {
    fputs(i ? "," : "", f);
    cli_json_string(f, sp_aml_data_account_name(d, a->accounts[i]));
  }
  fputs("],\"transactions\":[", f);
  for (uint32_t i = 0; i < a->n_items; i++) {
    fputs(i ? "," : "", f);
    print_item(f, d, a->pattern, a->items[i]);
  }
  sp_money_format(a->amount_fen, buf, sizeof buf);
  fprintf(f, "],\"amount\":\"%s\"", buf);
  if (!sp_aml_pattern_is_guarantee(a->pattern)) {
    sp_time_format(a->time_first, buf);
    fprintf(f, ",\"first_time\":\"%s\"", buf);
    sp_time_format(a->time_last, buf);
    fprintf(f, ",\"last_time\":\"%s\"", buf);
  }
  if (a->account_fen != NULL) {
    fputs(",\"exposures\":{", f);
    for (uint32_t i = 0; i < a->n_accounts; i++) {
      fputs(i ? "," : "", f);
      cli_json_string(f, sp_aml_data_account_name(d, a->accounts[i]));
      sp_money_format(a->account_fen[i], buf, sizeof buf);
      fprintf(f, ":\"%s\"", buf);
    }
    fputc('}', f);
  }
  fputs("}\n", f);
}

static int write_alerts(const char *out, const sp_aml_data *d,
                        const sp_aml_alerts *al) {
  char tmp[4096];
  FILE *f = stdout;
  if (out != NULL) {
    snprintf(tmp, sizeof tmp, "%s.tmp.%ld", out, (long)getpid());
    if ((f = fopen(tmp, "w")) == NULL)
      return cli_usage_error(&aml_cmd, "--out: cannot write '%s': %s", out,
                             strerror(errno));
  }
  for (size_t i = 0; i < sp_aml_alerts_count(al); i++) {
    sp_aml_alert a;
    sp_aml_alerts_get(al, i, &a);
    print_alert(f, d, &a);
  }
  if (out == NULL)
    return fflush(stdout) == 0 ? CLI_EXIT_OK : CLI_EXIT_FAIL;
  int bad = ferror(f) | (fclose(f) != 0);
  if (bad || rename(tmp, out) != 0) {
    remove(tmp);
    fprintf(stderr, "sparrow aml: --out: cannot write '%s'\n", out);
    return CLI_EXIT_FAIL;
  }
  return CLI_EXIT_OK;
}

static int file_fail(const char *path, const sp_error *err) {
  fprintf(stderr, "sparrow aml: %s: %s\n", path, err->message);
  return err->code == SP_ENOMEM ? CLI_EXIT_FAIL : CLI_EXIT_USAGE;
}

static int load_config(sp_aml_config *cfg, const cli_opt *o, size_t n) {
  sp_error err;
  sp_error_clear(&err);
  const char *path = cli_get(o, n, "config");
  if (path != NULL) {
    char *text;
    size_t len;
    if (read_all(path, &text, &len) != 0)
      return cli_usage_error(&aml_cmd, "--config: cannot read '%s'", path);
    int rc = sp_aml_config_load_json(cfg, text, &err);
    free(text);
    if (rc != SP_OK)
      return file_fail(path, &err);
  }
  const char *map = cli_get(o, n, "map"), *gmap = cli_get(o, n, "gmap");
  if (map != NULL && sp_aml_config_map(cfg, map, 0, &err) != SP_OK)
    return cli_usage_error(&aml_cmd, "--map: %s", err.message);
  if (gmap != NULL && sp_aml_config_map(cfg, gmap, 1, &err) != SP_OK)
    return cli_usage_error(&aml_cmd, "--gmap: %s", err.message);
  const char *pats = cli_get(o, n, "patterns");
  if (pats != NULL) {
    cfg->patterns = 0;
    char buf[512];
    snprintf(buf, sizeof buf, "%s", pats);
    for (char *save = NULL, *t = strtok_r(buf, ",", &save); t != NULL;
         t = strtok_r(NULL, ",", &save)) {
      sp_aml_pattern p;
      if (sp_aml_pattern_parse(t, &p) != SP_OK)
        return cli_usage_error(&aml_cmd, "--patterns: unknown pattern '%s'", t);
      cfg->patterns |= 1u << p;
    }
  }
  return 0;
}

static int load_file(sp_aml_data *d, const sp_aml_config *cfg, const char *path,
                     int guarantees) {
  char *text;
  size_t len;
  sp_error err;
  sp_error_clear(&err);
  if (read_all(path, &text, &len) != 0)
    return cli_usage_error(&aml_cmd, "--%s: cannot read '%s'",
                           guarantees ? "guarantees" : "transactions", path);
  int rc = guarantees ? sp_aml_data_read_guarantees(d, cfg, text, len, &err)
                      : sp_aml_data_read_transactions(d, cfg, text, len, &err);
  free(text);
  return rc == SP_OK ? 0 : file_fail(path, &err);
}

int cmd_aml(int argc, char **argv) {
  cli_opt opts[] = {
      {"transactions", 1, "transactions CSV (id,time,from_account,...)", NULL},
      {"guarantees", 1, "guarantees CSV (guarantor,borrower,amount)", NULL},
      {"config", 1, "JSON config: thresholds, windows, columns", NULL},
      {"map", 1, "transaction columns: field=column,...", NULL},
      {"gmap", 1, "guarantee columns: field=column,...", NULL},
      {"patterns", 1, "only these patterns: cycle,fan_in,...", NULL},
      {"out", 1, "write the alerts here instead of stdout", NULL},
  };
  size_t n = sizeof opts / sizeof opts[0];
  int rc = cli_parse(&aml_cmd, argc, argv, opts, n);
  if (rc != 0)
    return rc == 1 ? CLI_EXIT_OK : rc;
  static const char *const required[] = {"transactions", NULL};
  if ((rc = cli_require(&aml_cmd, opts, n, required)) != 0)
    return rc;
  sp_aml_config cfg;
  sp_aml_config_default(&cfg);
  if ((rc = load_config(&cfg, opts, n)) != 0)
    return rc;
  sp_aml_data *d = NULL;
  if (sp_aml_data_new(&d) != SP_OK)
    return CLI_EXIT_FAIL;
  rc = load_file(d, &cfg, cli_get(opts, n, "transactions"), 0);
  const char *g = cli_get(opts, n, "guarantees");
  if (rc == 0 && g != NULL)
    rc = load_file(d, &cfg, g, 1);
  sp_aml_alerts *alerts = NULL;
  sp_error err;
  sp_error_clear(&err);
  if (rc == 0 && sp_aml_detect(d, &cfg, &alerts, &err) != SP_OK)
    rc = cli_fail(&aml_cmd, &err);
  if (rc == 0)
    rc = write_alerts(cli_get(opts, n, "out"), d, alerts);
  sp_aml_alerts_free(alerts);
  sp_aml_data_free(d);
  return rc;
}
