/* The HTTP layer alone, as sparrow serve uses its own wire (src/http/wire.c):
 * THREADS polling threads, a POST left waiting and handed to one committer
 * thread, which takes every request queued, waits 250 us (where the server
 * syncs the disk) and resumes them; each is then answered 201 with a
 * 1,900-byte body (about a decision's). GET /healthz is answered at once.
 * No JSON, no storage. The twin of bench/http_echo_mhd.c (libmicrohttpd)
 * and bench/http_echo_h2o.c (h2o); bench/http_layer.sh runs them under wrk.
 * usage: http_echo_wire PORT THREADS */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "http/wire.h"

#define ANSWER_BYTES 1900

typedef struct req {
  sp__conn *conn;
  struct req *next;
} req;

static char answer[ANSWER_BYTES];
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static req *head, *tail;

static void *committer(void *arg) {
  (void)arg;
  pthread_setname_np(pthread_self(), "committer");
  pthread_mutex_lock(&lock);
  for (;;) {
    while (head == NULL)
      pthread_cond_wait(&cond, &lock);
    req *batch = head;
    head = tail = NULL;
    pthread_mutex_unlock(&lock);
    usleep(250);
    for (req *r = batch, *next; r != NULL; r = next) {
      next = r->next;
      sp__wire_resume(r->conn);
    }
    pthread_mutex_lock(&lock);
  }
  return NULL;
}

static void *on_open(void *ctx) {
  (void)ctx;
  return calloc(1, sizeof(req));
}

static void on_close(void *ctx, void *state) {
  (void)ctx;
  free(state);
}

static void on_request(void *ctx, sp__conn *c, void *state, const sp__head *h,
                       const char *body, size_t len) {
  (void)ctx, (void)body, (void)len;
  if (h->error || strcmp(h->method, "POST") != 0 ||
      strcmp(h->path, "/v1/applications") != 0) {
    int ok = !h->error && strcmp(h->method, "GET") == 0 &&
             strcmp(h->path, "/healthz") == 0;
    sp__wire_answer(c, ok ? 200 : 404, "application/json", NULL,
                    ok ? "ok" : "{}", 2, 0);
    return;
  }
  req *r = state;
  r->conn = c, r->next = NULL;
  pthread_mutex_lock(&lock);
  if (tail != NULL)
    tail->next = r;
  else
    head = r;
  tail = r;
  pthread_cond_signal(&cond);
  pthread_mutex_unlock(&lock);
}

static void on_resumed(void *ctx, sp__conn *c, void *state) {
  (void)ctx, (void)state;
  sp__wire_answer(c, 201, "application/json", NULL, answer, ANSWER_BYTES, 0);
}

int main(int argc, char **argv) {
  int port = argc == 3 ? atoi(argv[1]) : 0;
  int threads = argc == 3 ? atoi(argv[2]) : 0;
  if (port < 1 || port > 65535 || threads < 1 || threads > 64) {
    fprintf(stderr, "usage: http_echo_wire PORT THREADS\n");
    return 2;
  }
  memset(answer, 'x', sizeof answer);
  memcpy(answer, "{\"pad\":\"", 8);
  memcpy(answer + ANSWER_BYTES - 2, "\"}", 2);
  pthread_t t;
  if (pthread_create(&t, NULL, committer, NULL) != 0)
    return 1;
  sp__wire_config cfg = {.host = "127.0.0.1",
                         .port = (uint16_t)port,
                         .threads = (unsigned)threads,
                         .max_conns = 1024,
                         .idle_s = 30,
                         .body_max = 4096,
                         .name = "poller",
                         .open = on_open,
                         .close = on_close,
                         .request = on_request,
                         .resumed = on_resumed};
  sp__wire *w;
  sp_error err;
  if (sp__wire_start(&cfg, &w, &err) != SP_OK) {
    fprintf(stderr, "http_echo_wire: %s\n", err.message);
    return 1;
  }
  printf("listening on 127.0.0.1:%d\n", port);
  fflush(stdout);
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  pthread_sigmask(SIG_BLOCK, &set, NULL);
  int sig;
  sigwait(&set, &sig);
  _exit(0);
}
