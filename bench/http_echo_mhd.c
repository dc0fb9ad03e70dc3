/* The HTTP layer alone, as sparrow serve uses libmicrohttpd: polling
 * threads (epoll, a pool of THREADS), a POST suspended and handed to one
 * committer thread, which takes every request queued, waits 250 us (where
 * the server syncs the disk) and resumes them; each is then answered 201
 * with a 1,900-byte body (about a decision's). GET /healthz is answered at
 * once. No JSON, no storage: what is left is the library and the kernel.
 * Its twin bench/http_echo_h2o.c does the same with h2o; bench/http_layer.sh
 * runs both under wrk and reads each thread's CPU.
 * usage: http_echo_mhd PORT THREADS */
#include <arpa/inet.h>
#include <microhttpd.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define BODY_MAX 4096
#define ANSWER_BYTES 1900

typedef struct req {
  struct MHD_Connection *conn;
  char body[BODY_MAX];
  size_t len;
  int queued, answered;
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
      r->answered = 1;
      MHD_resume_connection(r->conn);
    }
    pthread_mutex_lock(&lock);
  }
  return NULL;
}

static enum MHD_Result reply(struct MHD_Connection *c, unsigned status,
                             const char *body, size_t len) {
  struct MHD_Response *resp = MHD_create_response_from_buffer(
      len, (void *)body, MHD_RESPMEM_PERSISTENT);
  MHD_add_response_header(resp, "Content-Type", "application/json");
  enum MHD_Result rc = MHD_queue_response(c, status, resp);
  MHD_destroy_response(resp);
  return rc;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c,
                                  const char *url, const char *method,
                                  const char *version, const char *data,
                                  size_t *size, void **state) {
  (void)cls, (void)version;
  if (strcmp(method, "GET") == 0)
    return strcmp(url, "/healthz") == 0 ? reply(c, 200, "ok", 2)
                                        : reply(c, 404, "{}", 2);
  if (strcmp(method, "POST") != 0 || strcmp(url, "/v1/applications") != 0)
    return reply(c, 404, "{}", 2);
  req *r = *state;
  if (r == NULL) {
    if ((r = calloc(1, sizeof *r)) == NULL)
      return MHD_NO;
    r->conn = c;
    *state = r;
    return MHD_YES;
  }
  if (*size > 0) {
    size_t n = *size < BODY_MAX - r->len ? *size : BODY_MAX - r->len;
    memcpy(r->body + r->len, data, n);
    r->len += n;
    *size = 0;
    return MHD_YES;
  }
  if (r->answered)
    return reply(c, 201, answer, ANSWER_BYTES);
  if (r->queued)
    return MHD_YES;
  r->queued = 1;
  MHD_suspend_connection(c);
  pthread_mutex_lock(&lock);
  if (tail != NULL)
    tail->next = r;
  else
    head = r;
  tail = r;
  pthread_cond_signal(&cond);
  pthread_mutex_unlock(&lock);
  return MHD_YES;
}

static void on_done(void *cls, struct MHD_Connection *c, void **state,
                    enum MHD_RequestTerminationCode why) {
  (void)cls, (void)c, (void)why;
  free(*state);
  *state = NULL;
}

int main(int argc, char **argv) {
  int port = argc == 3 ? atoi(argv[1]) : 0;
  int threads = argc == 3 ? atoi(argv[2]) : 0;
  if (port < 1 || port > 65535 || threads < 1 || threads > 64) {
    fprintf(stderr, "usage: http_echo_mhd PORT THREADS\n");
    return 2;
  }
  memset(answer, 'x', sizeof answer);
  memcpy(answer, "{\"pad\":\"", 8);
  memcpy(answer + ANSWER_BYTES - 2, "\"}", 2);
  pthread_t t;
  if (pthread_create(&t, NULL, committer, NULL) != 0)
    return 1;
  struct sockaddr_in addr = {.sin_family = AF_INET,
                             .sin_port = htons((uint16_t)port)};
  inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
  struct MHD_Daemon *d =
      MHD_start_daemon(MHD_USE_AUTO_INTERNAL_THREAD | MHD_ALLOW_SUSPEND_RESUME,
                       0, NULL, NULL, on_request, NULL, MHD_OPTION_SOCK_ADDR,
                       &addr, MHD_OPTION_THREAD_POOL_SIZE, (unsigned)threads,
                       MHD_OPTION_NOTIFY_COMPLETED, on_done, NULL,
                       MHD_OPTION_CONNECTION_TIMEOUT, 30u, MHD_OPTION_END);
  if (d == NULL) {
    fprintf(stderr, "http_echo_mhd: cannot listen on port %d\n", port);
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
