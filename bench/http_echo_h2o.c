/* The h2o twin of bench/http_echo_mhd.c (libh2o-evloop 2.2.5), for
 * comparing the CPU per request of the two HTTP libraries
 * (bench/http_layer.sh).
 *
 * usage: http_echo_h2o PORT THREADS
 *
 * Listens on 127.0.0.1:PORT, HTTP/1.1 only, keep-alive. Each of the THREADS
 * "h2o-loop" threads runs its own h2o evloop with its own listening socket
 * bound to the same port with SO_REUSEPORT (the kernel spreads connections).
 *   GET  /healthz          -> 200 "ok", answered on the loop thread
 *   POST /v1/applications  -> queued to the "committer" thread, which takes
 *                             all queued requests as one batch, usleep(250)s
 *                             (a stand-in for fsync), then hands each back to
 *                             its loop thread via h2o_multithread_send_message;
 *                             the loop thread answers 201 with a 1900-byte
 *                             JSON body. Bodies over 4096 bytes get 413.
 *   anything else          -> 404
 * Prints "listening on 127.0.0.1:PORT" when ready; runs until SIGTERM/SIGINT.
 * Built by CMake with the bench when libh2o-evloop-dev is installed (its
 * headers need H2O_USE_LIBUV=0, which its pkg-config file does not give). */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <h2o.h>

#define BODY_LEN 1900
#define MAX_THREADS 64

struct loop_thr {
  pthread_t tid;
  int fd;
  h2o_context_t ctx;
  h2o_accept_ctx_t actx;
  h2o_multithread_receiver_t done_rx; /* committer -> this loop */
};

/* One POST waiting for the committer. Owned by malloc, not by the request
 * pool, so it survives the request being disposed. `req` is cleared (on the
 * loop thread) if h2o disposes the request before we answer it. */
struct job {
  h2o_multithread_message_t msg;
  struct job *next;
  h2o_req_t *req;
  struct job **guard; /* lives in req->pool; points back at this job */
  struct loop_thr *thr;
};

static h2o_globalconf_t config;
static char created_body[BODY_LEN];
static struct loop_thr thrs[MAX_THREADS];

static pthread_mutex_t q_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t q_cv = PTHREAD_COND_INITIALIZER;
static struct job *q_head, **q_tail = &q_head;

static void send_static(h2o_req_t *req, int status, const char *reason,
                        const char *ctype, const char *body, size_t len) {
  static h2o_generator_t gen = {NULL, NULL};
  h2o_iovec_t buf = h2o_iovec_init(body, len);
  req->res.status = status;
  req->res.reason = reason;
  req->res.content_length = len;
  h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_CONTENT_TYPE, NULL,
                 ctype, strlen(ctype));
  h2o_start_response(req, &gen);
  h2o_send(req, &buf, 1, H2O_SEND_STATE_FINAL);
}

/* Called when req->pool is cleared (request done or connection closed). */
static void on_req_disposed(void *p) {
  struct job *j = *(struct job **)p;
  if (j != NULL)
    j->req = NULL;
}

static int on_req(h2o_handler_t *self, h2o_req_t *req) {
  (void)self;
  if (h2o_memis(req->method.base, req->method.len, H2O_STRLIT("GET")) &&
      h2o_memis(req->path_normalized.base, req->path_normalized.len,
                H2O_STRLIT("/healthz"))) {
    send_static(req, 200, "OK", "text/plain", "ok", 2);
    return 0;
  }
  if (h2o_memis(req->method.base, req->method.len, H2O_STRLIT("POST")) &&
      h2o_memis(req->path_normalized.base, req->path_normalized.len,
                H2O_STRLIT("/v1/applications"))) {
    struct job *j = calloc(1, sizeof(*j));
    if (j == NULL) {
      h2o_send_error_503(req, "Service Unavailable", "out of memory", 0);
      return 0;
    }
    j->req = req;
    j->thr = H2O_STRUCT_FROM_MEMBER(struct loop_thr, ctx, req->conn->ctx);
    j->guard =
        h2o_mem_alloc_shared(&req->pool, sizeof(*j->guard), on_req_disposed);
    *j->guard = j;
    pthread_mutex_lock(&q_mu);
    *q_tail = j;
    q_tail = &j->next;
    pthread_cond_signal(&q_cv);
    pthread_mutex_unlock(&q_mu);
    return 0;
  }
  h2o_send_error_404(req, "Not Found", "not found", 0);
  return 0;
}

/* Loop thread: jobs handed back by the committer. */
static void on_jobs_done(h2o_multithread_receiver_t *rx, h2o_linklist_t *msgs) {
  (void)rx;
  while (!h2o_linklist_is_empty(msgs)) {
    struct job *j = H2O_STRUCT_FROM_MEMBER(struct job, msg.link, msgs->next);
    h2o_linklist_unlink(&j->msg.link);
    if (j->req != NULL) {
      *j->guard = NULL;
      send_static(j->req, 201, "Created", "application/json", created_body,
                  BODY_LEN);
    }
    free(j);
  }
}

static void *committer_main(void *arg) {
  (void)arg;
  pthread_setname_np(pthread_self(), "committer");
  for (;;) {
    pthread_mutex_lock(&q_mu);
    while (q_head == NULL)
      pthread_cond_wait(&q_cv, &q_mu);
    struct job *batch = q_head;
    q_head = NULL;
    q_tail = &q_head;
    pthread_mutex_unlock(&q_mu);
    usleep(250); /* stands for the disk sync */
    while (batch != NULL) {
      struct job *next = batch->next; /* batch may be freed once sent */
      h2o_multithread_send_message(&batch->thr->done_rx, &batch->msg);
      batch = next;
    }
  }
  return NULL;
}

static void on_accept(h2o_socket_t *listener, const char *err) {
  struct loop_thr *t = listener->data;
  h2o_socket_t *sock;
  if (err != NULL)
    return;
  while ((sock = h2o_evloop_socket_accept(listener)) != NULL)
    h2o_accept(&t->actx, sock);
}

static void *loop_main(void *arg) {
  struct loop_thr *t = arg;
  pthread_setname_np(pthread_self(), "h2o-loop");
  h2o_context_init(&t->ctx, h2o_evloop_create(), &config);
  h2o_multithread_register_receiver(t->ctx.queue, &t->done_rx, on_jobs_done);
  t->actx.ctx = &t->ctx;
  t->actx.hosts = config.hosts;
  h2o_socket_t *ls =
      h2o_evloop_socket_create(t->ctx.loop, t->fd, H2O_SOCKET_FLAG_DONT_READ);
  ls->data = t;
  h2o_socket_read_start(ls, on_accept);
  while (h2o_evloop_run(t->ctx.loop, INT32_MAX) == 0)
    ;
  fprintf(stderr, "http_echo_h2o: event loop failed\n");
  _exit(1);
}

static int open_listener(int port) {
  struct sockaddr_in sa = {.sin_family = AF_INET,
                           .sin_port = htons(port),
                           .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  int one = 1,
      fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0 ||
      setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0 ||
      setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)) != 0 ||
      setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)) != 0 ||
      bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 ||
      listen(fd, SOMAXCONN) != 0) {
    fprintf(stderr, "http_echo_h2o: listen on 127.0.0.1:%d: %s\n", port,
            strerror(errno));
    exit(1);
  }
  return fd;
}

static void on_signal(int sig) {
  (void)sig;
  _exit(0);
}

int main(int argc, char **argv) {
  char *end;
  long port = argc == 3 ? strtol(argv[1], &end, 10) : 0;
  if (argc != 3 || *end != '\0' || port < 1 || port > 65535) {
    fprintf(stderr, "usage: http_echo_h2o PORT THREADS\n");
    return 2;
  }
  long nthr = strtol(argv[2], &end, 10);
  if (*end != '\0' || nthr < 1 || nthr > MAX_THREADS) {
    fprintf(stderr, "http_echo_h2o: THREADS must be 1..%d\n", MAX_THREADS);
    return 2;
  }

  memcpy(created_body, "{\"pad\":\"", 8);
  memset(created_body + 8, 'x', BODY_LEN - 10);
  memcpy(created_body + BODY_LEN - 2, "\"}", 2);

  signal(SIGPIPE, SIG_IGN);
  signal(SIGTERM, on_signal);
  signal(SIGINT, on_signal);

  h2o_config_init(&config);
  config.max_request_entity_size = 4096;
  config.http1.upgrade_to_http2 = 0; /* HTTP/1.1 only */
  h2o_hostconf_t *host = h2o_config_register_host(
      &config, h2o_iovec_init(H2O_STRLIT("default")), 65535);
  h2o_pathconf_t *path = h2o_config_register_path(host, "/", 0);
  h2o_handler_t *h = h2o_create_handler(path, sizeof(*h));
  h->on_req = on_req;

  for (long i = 0; i < nthr; i++)
    thrs[i].fd = open_listener((int)port);
  pthread_t ctid;
  if (pthread_create(&ctid, NULL, committer_main, NULL) != 0) {
    fprintf(stderr, "http_echo_h2o: pthread_create failed\n");
    return 1;
  }
  for (long i = 0; i < nthr; i++) {
    if (pthread_create(&thrs[i].tid, NULL, loop_main, &thrs[i]) != 0) {
      fprintf(stderr, "http_echo_h2o: pthread_create failed\n");
      return 1;
    }
  }
  printf("listening on 127.0.0.1:%ld\n", port);
  fflush(stdout);
  for (;;)
    pause();
}
