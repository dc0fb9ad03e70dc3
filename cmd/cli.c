/* Option parsing and error reporting for the sparrow program. */
#include "cli.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void print_help(const cli_cmd *cmd, const cli_opt *opts, size_t n) {
  printf("usage: sparrow %s %s\n\n%s\n\noptions:\n", cmd->name, cmd->usage,
         cmd->summary);
  for (size_t i = 0; i < n; i++) {
    char left[64];
    snprintf(left, sizeof left, "--%s%s", opts[i].name,
             opts[i].takes_value ? " VALUE" : "");
    printf("  %-26s %s\n", left, opts[i].help);
  }
  printf("  %-26s %s\n", "--help", "show this help");
}

int cli_usage_error(const cli_cmd *cmd, const char *fmt, ...) {
  va_list ap;
  fprintf(stderr, "sparrow %s: ", cmd->name);
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fputc('\n', stderr);
  return CLI_EXIT_USAGE;
}

int cli_parse(const cli_cmd *cmd, int argc, char **argv, cli_opt *opts,
              size_t n_opts) {
  for (size_t i = 0; i < n_opts; i++)
    opts[i].value = NULL;
  for (int i = 0; i < argc; i++) {
    const char *a = argv[i];
    if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
      print_help(cmd, opts, n_opts);
      return 1;
    }
    if (strncmp(a, "--", 2) != 0)
      return cli_usage_error(cmd, "unexpected argument '%s' (see --help)", a);
    const char *name = a + 2;
    const char *eq = strchr(name, '=');
    size_t len = eq ? (size_t)(eq - name) : strlen(name);
    cli_opt *o = NULL;
    for (size_t k = 0; k < n_opts; k++)
      if (strlen(opts[k].name) == len && strncmp(opts[k].name, name, len) == 0)
        o = &opts[k];
    if (o == NULL)
      return cli_usage_error(cmd, "unknown option '--%.*s' (see --help)",
                             (int)len, name);
    if (o->value != NULL)
      return cli_usage_error(cmd, "--%s: given twice", o->name);
    if (!o->takes_value) {
      if (eq)
        return cli_usage_error(cmd, "--%s: takes no value", o->name);
      o->value = "1";
    } else if (eq) {
      o->value = eq + 1;
    } else if (i + 1 < argc) {
      o->value = argv[++i];
    } else {
      return cli_usage_error(cmd, "--%s: missing value", o->name);
    }
  }
  return 0;
}

const char *cli_get(const cli_opt *opts, size_t n_opts, const char *name) {
  for (size_t i = 0; i < n_opts; i++)
    if (strcmp(opts[i].name, name) == 0)
      return opts[i].value;
  return NULL;
}

int cli_require(const cli_cmd *cmd, const cli_opt *opts, size_t n_opts,
                const char *const *names) {
  for (size_t i = 0; names[i] != NULL; i++)
    if (cli_get(opts, n_opts, names[i]) == NULL)
      return cli_usage_error(cmd, "--%s: required (see --help)", names[i]);
  return 0;
}

int cli_fail(const cli_cmd *cmd, const sp_error *err) {
  fprintf(stderr, "sparrow %s: %s", cmd->name,
          err->message[0] ? err->message : sp_strerror(err->code));
  if (err->line > 0 && strstr(err->message, "line") == NULL)
    fprintf(stderr, " (%s%sline %d, column %d)", err->field,
            err->field[0] ? ": " : "", err->line, err->column);
  fputc('\n', stderr);
  switch (err->code) {
  case SP_ESTORE:
  case SP_ENOMEM:
  case SP_EIO:
    return CLI_EXIT_FAIL;
  default:
    return CLI_EXIT_USAGE;
  }
}

int cli_parse_format(const cli_cmd *cmd, const char *text, cli_format dflt,
                     cli_format *out) {
  if (text == NULL)
    *out = dflt;
  else if (strcmp(text, "json") == 0)
    *out = CLI_FORMAT_JSON;
  else if (strcmp(text, "csv") == 0)
    *out = CLI_FORMAT_CSV;
  else if (strcmp(text, "text") == 0)
    *out = CLI_FORMAT_TEXT;
  else
    return cli_usage_error(
        cmd, "--format: unknown format '%s' (json, csv, text)", text);
  return 0;
}

void cli_json_string(FILE *f, const char *s) {
  fputc('"', f);
  for (; *s; s++) {
    unsigned char c = (unsigned char)*s;
    if (c == '"' || c == '\\')
      fprintf(f, "\\%c", c);
    else if (c < 0x20)
      fprintf(f, "\\u%04x", c);
    else
      fputc(c, f);
  }
  fputc('"', f);
}

void cli_csv_field(FILE *f, const char *s) {
  if (strpbrk(s, ",\"\r\n") == NULL) {
    fputs(s, f);
    return;
  }
  fputc('"', f);
  for (; *s; s++) {
    if (*s == '"')
      fputc('"', f);
    fputc(*s, f);
  }
  fputc('"', f);
}

int cli_out_open(cli_out *o, const char *path) {
  o->path = path;
  snprintf(o->tmp, sizeof o->tmp, "%s.XXXXXX",
           path ? path : "/tmp/sparrow-out");
  int fd = mkstemp(o->tmp);
  if (fd < 0) {
    o->f = NULL;
    return -1;
  }
  mode_t mask = umask(0); /* mkstemp makes 0600 */
  umask(mask);
  fchmod(fd, 0666 & ~mask);
  o->f = fdopen(fd, "w+");
  if (o->f == NULL) {
    close(fd);
    unlink(o->tmp);
    return -1;
  }
  return 0;
}

int cli_out_finish(cli_out *o, int ok) {
  int rc = 0;
  if (o->f == NULL)
    return ok ? -1 : 0;
  if (ok && o->path != NULL) {
    rc = fflush(o->f) == 0 && fsync(fileno(o->f)) == 0 ? 0 : -1;
    rc = fclose(o->f) == 0 && rc == 0 && rename(o->tmp, o->path) == 0 ? 0 : -1;
  } else if (ok) {
    rewind(o->f);
    char buf[65536];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, o->f)) > 0)
      fwrite(buf, 1, n, stdout);
    rc = ferror(o->f) || fflush(stdout) != 0 ? -1 : 0;
    fclose(o->f);
  } else {
    fclose(o->f);
  }
  if (!ok || o->path == NULL || rc != 0)
    unlink(o->tmp);
  o->f = NULL;
  return rc;
}

int cli_rows(const char *data, const char *out, cli_rows_fn rows, void *ctx,
             sp_error *err) {
  FILE *in = fopen(data, "r");
  cli_out res;
  int opened = cli_out_open(&res, out) == 0, rc;
  if (in == NULL)
    rc = sp_error_set(err, SP_EINVAL, "data", "--data: cannot open '%s'", data);
  else if (!opened)
    rc = sp_error_set(err, SP_EIO, "out", "--out: cannot write next to '%s'",
                      out ? out : "/tmp");
  else
    rc = rows(ctx, in, res.f, err);
  if (in)
    fclose(in);
  if (opened && cli_out_finish(&res, rc == SP_OK) != 0 && rc == SP_OK)
    rc = sp_error_set(err, SP_EIO, "out", "--out: cannot write '%s'",
                      out ? out : "standard output");
  return rc;
}

int cli_parse_seed(const cli_cmd *cmd, const char *text, uint64_t *out) {
  if (text == NULL)
    return 0;
  char *end;
  errno = 0;
  unsigned long long v = strtoull(text, &end, 10);
  if (errno != 0 || end == text || *end != '\0' || text[0] == '-')
    return cli_usage_error(cmd, "--seed: '%s' is not a whole number", text);
  *out = (uint64_t)v;
  return 0;
}
