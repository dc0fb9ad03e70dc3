/* sparrow serve: the lending service over HTTP until SIGINT or SIGTERM.
 *
 * Prints "listening on HOST:PORT" once the socket is bound (with
 * --listen HOST:0 the port is chosen by the system), and, without --keys,
 * one freshly generated development key per role. */
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "sparrow/http.h"

#define N(o) (sizeof(o) / sizeof((o)[0]))

static int parse_listen(const cli_cmd *cmd, const char *text, char *host,
                        size_t cap, uint16_t *port) {
  const char *colon = strrchr(text, ':');
  char *end = NULL;
  long p = colon ? strtol(colon + 1, &end, 10) : -1;
  if (colon == NULL || colon == text || (size_t)(colon - text) >= cap ||
      end == colon + 1 || *end != '\0' || p < 0 || p > 65535)
    return cli_usage_error(cmd, "--listen: HOST:PORT like 127.0.0.1:8080");
  memcpy(host, text, (size_t)(colon - text));
  host[colon - text] = '\0';
  *port = (uint16_t)p;
  return 0;
}

static int load_keys(const cli_cmd *cmd, const char *path, sp_keyring **kr) {
  sp_error err;
  if (path != NULL)
    return sp_keyring_load(path, kr, &err) == SP_OK ? 0 : cli_fail(cmd, &err);
  if (sp_keyring_dev(kr, &err) != SP_OK)
    return cli_fail(cmd, &err);
  printf("no --keys: development keys for this run only\n");
  for (size_t i = 0; i < sp_keyring_count(*kr); i++) {
    sp_role role;
    const char *key = sp_keyring_key(*kr, i, &role);
    printf("  %-14s %s\n", sp_role_name(role), key);
  }
  return 0;
}

static int serve(const cli_cmd *cmd, sp_http_config *cfg) {
  sigset_t stop;
  sigemptyset(&stop);
  sigaddset(&stop, SIGINT);
  sigaddset(&stop, SIGTERM);
  /* Blocked before the server's threads start, so that they inherit it
   * and only sigwait below receives the signal. */
  pthread_sigmask(SIG_BLOCK, &stop, NULL);
  sp_http_server *srv;
  sp_error err;
  if (sp_http_start(cfg, &srv, &err) != SP_OK)
    return cli_fail(cmd, &err);
  printf("listening on %s:%u\n", cfg->host, (unsigned)sp_http_port(srv));
  fflush(stdout);
  int sig = 0;
  sigwait(&stop, &sig);
  sp_http_stop(srv);
  printf("stopped (signal %d)\n", sig);
  return 0;
}

int cmd_serve(int argc, char **argv) {
  cli_cmd cmd = {
      .name = "serve",
      .summary = "the lending service over HTTP (JSON API)",
      .usage = "--db FILE [--listen 127.0.0.1:8080] [--keys K.json] "
               "[--flow F.json] [--rules R.json [--monitor-state S.snap]]"};
  cli_opt o[] = {
      {"db", 1, "database file (created if missing)", 0},
      {"listen", 1, "HOST:PORT to listen on (127.0.0.1:8080; port 0: any)", 0},
      {"keys", 1, "API keys file: {\"KEY\": \"ROLE\", ...}", 0},
      {"threads", 1, "polling threads (default: 2)", 0},
      {"flow", 1, "decision flow: enables POST /v1/applications", 0},
      {"rules", 1, "early-warning rules: enables POST /v1/events", 0},
      {"monitor-state", 1,
       "early-warning snapshot, read at start, written at a clean stop", 0},
  };
  int rc = cli_parse(&cmd, argc, argv, o, N(o));
  static const char *const req[] = {"db", NULL};
  if (rc || (rc = cli_require(&cmd, o, N(o), req)))
    return rc == 1 ? 0 : rc;
  char host[64];
  sp_http_config cfg = {.db_path = cli_get(o, N(o), "db"), .host = host};
  const char *listen = cli_get(o, N(o), "listen");
  if ((rc = parse_listen(&cmd, listen ? listen : "127.0.0.1:8080", host,
                         sizeof host, &cfg.port)))
    return rc;
  const char *threads = cli_get(o, N(o), "threads");
  if (threads != NULL) {
    char *end;
    long t = strtol(threads, &end, 10);
    if (*end || end == threads || t < 1 || t > 64)
      return cli_usage_error(&cmd, "--threads: from 1 to 64");
    cfg.threads = (unsigned)t;
  }
  sp_keyring *kr = NULL;
  if ((rc = load_keys(&cmd, cli_get(o, N(o), "keys"), &kr)))
    return rc;
  cfg.keys = kr;
  cfg.flow = cli_get(o, N(o), "flow");
  cfg.monitor_rules = cli_get(o, N(o), "rules");
  cfg.monitor_state = cli_get(o, N(o), "monitor-state");
  if (cfg.monitor_state != NULL && cfg.monitor_rules == NULL)
    rc = cli_usage_error(&cmd, "--monitor-state: needs --rules");
  else
    rc = serve(&cmd, &cfg);
  sp_keyring_free(kr);
  return rc;
}
