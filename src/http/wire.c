/* The HTTP/1.1 wire: polling threads, each with its epoll set of
 * connections, reading requests and sending answers.
 *
 * A connection belongs to one polling thread, which alone touches it: new
 * connections are dealt round robin (the thread that accepts one hands it
 * to its owner's inbox), and a request answered on another thread (group
 * commit) is handed back the same way. An inbox is a list under a mutex
 * and an eventfd written only when the list was empty, so a batch of
 * answers wakes each polling thread once.
 *
 * A connection is registered once, edge-triggered for reading and
 * writing, and read until a read comes back short: a request costs one
 * recv and one sendmsg, and no epoll_ctl (libmicrohttpd's suspend and
 * resume cost two epoll_ctl, a second recv and an eventfd write for every
 * request; BENCHMARKS.md). While its request is with the server a
 * connection reads nothing; what arrives meanwhile is read after the
 * answer.
 *
 * Freeing: a closed connection is put aside and freed at the end of its
 * thread's round, so events of the same round never see freed memory. */

#include <arpa/inet.h>
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "core/digits.h"
#include "http/wire.h"

#define BUF_FIRST 4096   /* a connection's first buffer */
#define BUF_KEPT 16384   /* a larger one is given back after its request */
#define EVENTS 64        /* per epoll_wait */
#define ACCEPTS 64       /* connections accepted per wake-up */
#define REQUESTS_ROUND 8 /* pipelined requests per connection per round */
#define LINGER_S 2       /* a closing connection drops what comes, so long */

typedef enum phase { NEW, HEAD, BODY, BUSY, SEND, DRAIN, LINGER, CLOSED } phase;

typedef struct poller poller;

struct sp__conn {
  int fd;
  phase phase;
  poller *p;
  void *state;   /* the server's */
  char *buf;     /* what was read: the request under way, then more */
  size_t cap;    /* buf's size; one byte always spare for a NUL */
  size_t len;    /* bytes in buf */
  size_t head;   /* the request's head, bytes (0 until read) */
  size_t end;    /* the request's head and body, bytes */
  size_t seen;   /* of buf, searched for the head's end */
  int64_t drain; /* of a refused body, bytes still to drop */
  int readable;  /* not read since the last readiness */
  int hup;       /* the client closed its side (or failed): read to the end */
  int closing;   /* after this answer */
  int ready;     /* in the thread's list of connections to go on with */
  char saved;    /* the byte after the body (if read), while a NUL is there */
  sp__head h;
  sp__unchunk un; /* a chunked body's decoding (h.chunked) */
  time_t active;  /* last progress, for the idle timeout */
  /* The answer: its status line and headers, then its body. */
  char top[384];
  size_t top_len, top_off;
  char *body;
  size_t body_len, body_off;
  int body_owned, send_body;
  sp__conn *prev, *next; /* the thread's connections */
  sp__conn *link;        /* the inbox, or the closed list */
  sp__conn *ready_next;  /* the ready list (while `ready`) */
};

struct poller {
  sp__wire *w;
  pthread_t thread;
  int started;
  int ep, efd;
  int spare; /* a descriptor given up to refuse a connection when out */
  pthread_mutex_t mu;
  sp__conn *inbox, *inbox_tail; /* new and resumed connections (mu) */
  sp__conn *conns;              /* open */
  sp__conn *ready;              /* to go on with in the next round */
  sp__conn *closed;             /* freed at the end of the round */
  time_t now, swept;
  time_t date_at;
  char date[48]; /* "Date: ...\r\n" of date_at */
  size_t date_len;
};

struct sp__wire {
  sp__wire_config cfg;
  int lfd;
  uint16_t port;
  unsigned n;
  poller *pollers;
  unsigned deal;  /* round robin of new connections */
  unsigned conns; /* open, over all threads */
  int stopping;
};

static time_t mono_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec;
}

static void push(poller *p, sp__conn *c) {
  pthread_mutex_lock(&p->mu);
  int was_empty = p->inbox == NULL;
  c->link = NULL;
  if (was_empty)
    p->inbox = c;
  else
    p->inbox_tail->link = c;
  p->inbox_tail = c;
  pthread_mutex_unlock(&p->mu);
  if (was_empty) {
    uint64_t one = 1;
    while (write(p->efd, &one, sizeof one) < 0 && errno == EINTR)
      ;
  }
}

void sp__wire_resume(sp__conn *c) {
  assert(c->phase == BUSY);
  push(c->p, c);
}

static void close_conn(poller *p, sp__conn *c) {
  if (c->phase == CLOSED)
    return;
  close(c->fd);
  if (c->state != NULL)
    p->w->cfg.close(p->w->cfg.ctx, c->state);
  c->state = NULL;
  if (c->phase != NEW) { /* NEW ones are not yet in the list */
    if (c->prev)
      c->prev->next = c->next;
    else
      p->conns = c->next;
    if (c->next)
      c->next->prev = c->prev;
  }
  c->phase = CLOSED;
  if (!c->ready) { /* else put aside when the ready list is gone through */
    c->link = p->closed;
    p->closed = c;
  }
  __atomic_fetch_sub(&p->w->conns, 1, __ATOMIC_RELAXED);
}

static void free_closed(poller *p) {
  for (sp__conn *c = p->closed, *next; c != NULL; c = next) {
    next = c->link;
    if (c->body_owned)
      free(c->body);
    free(c->buf);
    free(c);
  }
  p->closed = NULL;
}

/* A new connection joins its thread. */
static void start_conn(poller *p, sp__conn *c) {
  assert(c->phase == NEW);
  struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET,
                           .data.ptr = c};
  c->state = p->w->cfg.open(p->w->cfg.ctx);
  if (c->state == NULL || epoll_ctl(p->ep, EPOLL_CTL_ADD, c->fd, &ev) != 0) {
    close_conn(p, c);
    return;
  }
  c->phase = HEAD;
  c->active = p->now;
  c->next = p->conns;
  if (p->conns)
    p->conns->prev = c;
  p->conns = c;
}

static void accept_all(poller *p) {
  sp__wire *w = p->w;
  for (int i = 0; i < ACCEPTS; i++) {
    int fd = accept4(w->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0 && (errno == EMFILE || errno == ENFILE) && p->spare >= 0) {
      /* Out of descriptors: the connection would stay queued and the
       * listening socket readable, every wake-up in vain. The spare one
       * is given up to take it and close it. */
      close(p->spare);
      fd = accept4(w->lfd, NULL, NULL, SOCK_CLOEXEC);
      if (fd >= 0)
        close(fd);
      p->spare = open("/dev/null", O_RDONLY | O_CLOEXEC);
      continue;
    }
    if (fd < 0) {
      if (errno == EINTR || errno == ECONNABORTED)
        continue;
      return; /* EAGAIN: all taken */
    }
    if (__atomic_fetch_add(&w->conns, 1, __ATOMIC_RELAXED) >=
        w->cfg.max_conns) {
      __atomic_fetch_sub(&w->conns, 1, __ATOMIC_RELAXED);
      close(fd);
      continue;
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    sp__conn *c = calloc(1, sizeof *c);
    char *buf = c ? malloc(BUF_FIRST) : NULL;
    if (buf == NULL) {
      free(c);
      close(fd);
      __atomic_fetch_sub(&w->conns, 1, __ATOMIC_RELAXED);
      continue;
    }
    c->fd = fd, c->buf = buf, c->cap = BUF_FIRST, c->phase = NEW;
    c->p =
        &w->pollers[__atomic_fetch_add(&w->deal, 1, __ATOMIC_RELAXED) % w->n];
    if (c->p == p)
      start_conn(p, c);
    else
      push(c->p, c);
  }
}

static const char *reason(int status) {
  switch (status) {
  case 100:
    return "Continue";
  case 200:
    return "OK";
  case 201:
    return "Created";
  case 204:
    return "No Content";
  case 400:
    return "Bad Request";
  case 401:
    return "Unauthorized";
  case 403:
    return "Forbidden";
  case 404:
    return "Not Found";
  case 405:
    return "Method Not Allowed";
  case 409:
    return "Conflict";
  case 413:
    return "Content Too Large";
  case 417:
    return "Expectation Failed";
  case 422:
    return "Unprocessable Content";
  case 431:
    return "Request Header Fields Too Large";
  case 500:
    return "Internal Server Error";
  case 501:
    return "Not Implemented";
  case 503:
    return "Service Unavailable";
  case 505:
    return "HTTP Version Not Supported";
  default:
    return "Unknown";
  }
}

/* The Date header of this second, remade once a second per thread. */
static void date_line(poller *p) {
  time_t t = time(NULL);
  if (t == p->date_at && p->date_len > 0)
    return;
  struct tm tm;
  gmtime_r(&t, &tm);
  p->date_len = strftime(p->date, sizeof p->date,
                         "Date: %a, %d %b %Y %H:%M:%S GMT\r\n", &tm);
  p->date_at = t;
}

typedef struct top {
  char *at, *end;
} top;

static void put(top *t, const char *s, size_t n) {
  assert(t->at + n <= t->end);
  if (t->at + n > t->end)
    n = (size_t)(t->end - t->at);
  memcpy(t->at, s, n);
  t->at += n;
}

static void put_s(top *t, const char *s) { put(t, s, strlen(s)); }

static void put_u(top *t, uint64_t v) {
  char d[SP_DIGITS_MAX];
  put(t, d, (size_t)sp_digits(v, d));
}

void sp__wire_answer(sp__conn *c, int status, const char *type,
                     const char *extra, char *body, size_t len, int owned) {
  assert(c->phase == BUSY && status >= 100 && status <= 999);
  poller *p = c->p;
  c->closing = c->closing || !c->h.keep_alive || c->h.fatal ||
               __atomic_load_n(&p->w->stopping, __ATOMIC_RELAXED);
  date_line(p);
  top t = {c->top, c->top + sizeof c->top};
  put_s(&t, "HTTP/1.1 ");
  put_u(&t, (uint64_t)status);
  put(&t, " ", 1);
  put_s(&t, reason(status));
  put(&t, "\r\n", 2);
  put(&t, p->date, p->date_len);
  if (type != NULL) {
    put_s(&t, "Content-Type: ");
    put_s(&t, type);
    put(&t, "\r\n", 2);
  }
  put_s(&t, "Content-Length: ");
  put_u(&t, len);
  put(&t, "\r\n", 2);
  if (extra != NULL)
    put_s(&t, extra);
  if (c->closing)
    put_s(&t, "Connection: close\r\n");
  else if (c->h.minor == 0)
    put_s(&t, "Connection: keep-alive\r\n");
  put(&t, "\r\n", 2);
  c->top_len = (size_t)(t.at - c->top), c->top_off = 0;
  c->body = body, c->body_len = len, c->body_off = 0, c->body_owned = owned;
  c->send_body = c->h.method == NULL || strcmp(c->h.method, "HEAD") != 0;
  c->phase = SEND;
}

/* Sends what is left of the answer: 1 all sent, 0 the socket is full (an
 * EPOLLOUT edge follows), -1 the connection failed. */
static int flush(sp__conn *c) {
  for (;;) {
    struct iovec iov[2];
    int n = 0;
    if (c->top_off < c->top_len)
      iov[n++] = (struct iovec){c->top + c->top_off, c->top_len - c->top_off};
    if (c->send_body && c->body_off < c->body_len)
      iov[n++] =
          (struct iovec){c->body + c->body_off, c->body_len - c->body_off};
    if (n == 0)
      return 1;
    struct msghdr m = {.msg_iov = iov, .msg_iovlen = (size_t)n};
    ssize_t k = sendmsg(c->fd, &m, MSG_NOSIGNAL);
    if (k < 0) {
      if (errno == EINTR)
        continue;
      return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -1;
    }
    size_t sent = (size_t)k, a = c->top_len - c->top_off;
    if (sent >= a) {
      c->top_off = c->top_len;
      c->body_off += sent - a;
    } else
      c->top_off += sent;
  }
}

/* The answer sent: the request's bytes go, the next request's stay. */
static void finish(poller *p, sp__conn *c) {
  if (c->body_owned)
    free(c->body);
  c->body = NULL, c->body_owned = 0;
  if (c->closing) {
    /* Closed with bytes unread, a socket resets, and the client may lose
     * the answer: this side is shut, and what still comes is dropped
     * until the client closes, or LINGER_S. */
    shutdown(c->fd, SHUT_WR);
    c->phase = LINGER, c->len = 0, c->active = p->now;
    c->drain = SP__DRAIN_MAX; /* and at most so many bytes */
    return;
  }
  if (c->len > c->end) /* nothing was read since the request was */
    c->buf[c->end] = c->saved;
  size_t used = c->end < c->len ? c->end : c->len;
  memmove(c->buf, c->buf + used, c->len - used);
  c->len -= used;
  c->head = c->end = c->seen = 0;
  c->phase = c->drain > 0 ? DRAIN : HEAD;
  if (c->cap > BUF_KEPT && c->len < BUF_FIRST) {
    char *b = realloc(c->buf, BUF_FIRST);
    if (b != NULL)
      c->buf = b, c->cap = BUF_FIRST;
  }
  c->active = p->now;
}

/* Hands the request to the server; it answers now or after a resume. */
static void dispatch(poller *p, sp__conn *c) {
  assert(c->end < c->cap);
  c->phase = BUSY;
  c->saved = c->buf[c->end];
  c->buf[c->end] = '\0';
  c->active = p->now;
  int refused = c->h.error != 0;
  p->w->cfg.request(p->w->cfg.ctx, c, c->state, &c->h,
                    refused ? "" : c->buf + c->head,
                    refused ? 0 : c->end - c->head);
}

static void refuse(poller *p, sp__conn *c, int status, const char *code,
                   const char *field, const char *message) {
  memset(&c->h, 0, sizeof c->h);
  sp__head_refuse(&c->h, status, code, field, message);
  c->end = c->head = c->len;
  dispatch(p, c);
}

/* The head is in buf[0..head): what the request needs next. */
static void on_head(poller *p, sp__conn *c) {
  sp__head_parse(c->buf, c->head, &c->h);
  c->end = c->head;
  sp__head *h = &c->h;
  if (h->error == 0 && (size_t)h->content_length > p->w->cfg.body_max) {
    snprintf(h->note, sizeof h->note, "the body exceeds %zu bytes",
             p->w->cfg.body_max);
    sp__head_refuse(h, 413, "body_too_large", "body", h->note);
    /* read and dropped after the answer, unless too long to wait for or
     * the client waits for a 100 Continue first */
    h->fatal = h->expect_continue || h->content_length > SP__DRAIN_MAX;
    c->drain = h->fatal ? 0 : h->content_length;
  }
  if (h->error != 0) {
    dispatch(p, c);
    return;
  }
  c->end = c->head + (size_t)h->content_length;
  c->phase = BODY;
  if (h->chunked)
    sp__unchunk_start(&c->un, c->head);
  /* a chunked body is whole at 5 bytes at the least ("0\r\n\r\n") */
  if (h->expect_continue && h->minor == 1 &&
      (h->chunked ? c->len < c->head + 5 : c->len < c->end)) {
    static const char cont[] = "HTTP/1.1 100 Continue\r\n\r\n";
    if (send(c->fd, cont, sizeof cont - 1, MSG_NOSIGNAL) !=
        (ssize_t)(sizeof cont - 1))
      close_conn(p, c); /* 25 bytes into an empty socket: it is gone */
  }
}

/* The head's strings point into buf: moved to `to`, they point into it. */
static void rebase(sp__head *h, const char *buf, size_t len, char *to) {
  const char **s[3 + 2 * (SP__HEADERS_MAX + SP__ARGS_MAX)];
  size_t n = 0;
  s[n++] = &h->method, s[n++] = &h->path, s[n++] = &h->error_field;
  for (int i = 0; i < h->n_headers; i++)
    s[n++] = &h->header[i].name, s[n++] = &h->header[i].value;
  for (int i = 0; i < h->n_args; i++)
    s[n++] = &h->arg[i].name, s[n++] = &h->arg[i].value;
  for (size_t i = 0; i < n; i++)
    if (*s[i] != NULL && (uintptr_t)*s[i] - (uintptr_t)buf < len)
      *s[i] = to + ((uintptr_t)*s[i] - (uintptr_t)buf);
}

/* A chunked body: decodes what has come. 0 when refused (the refusal
 * dispatched); else 1, with c->end at the body's end once it has all come
 * (a next request's bytes right after it), and past what was read until
 * then. */
static int unchunk(poller *p, sp__conn *c) {
  sp__unchunk *u = &c->un;
  int rc = sp__unchunk_step(u, c->buf, &c->len, p->w->cfg.body_max);
  if (rc < 0) {
    refuse(p, c, u->status,
           u->status == 413   ? "body_too_large"
           : u->status == 431 ? "headers_too_large"
                              : "malformed_request",
           "body", u->why);
    return 0;
  }
  c->end = rc == 1 ? u->out : c->len + 1;
  return 1;
}

/* Room to read into: grows buf for the head or the body under way (a
 * chunked one by doubling, as the head). */
static size_t room(sp__conn *c) {
  size_t want = c->phase == BODY && !c->h.chunked      ? c->end + 1
                : c->phase == HEAD || c->phase == BODY ? c->len + 1 + 1
                                                       : 2;
  if (c->phase == HEAD && want > SP__HEAD_MAX + 1)
    want = SP__HEAD_MAX + 1;
  if (want > c->cap) {
    size_t cap = c->cap * 2 > want ? c->cap * 2 : want;
    if (c->phase == HEAD && cap > SP__HEAD_MAX + 1)
      cap = SP__HEAD_MAX + 1;
    char *b = malloc(cap); /* not realloc: the head is moved over first */
    if (b != NULL) {
      memcpy(b, c->buf, c->len);
      if (c->phase == BODY)
        rebase(&c->h, c->buf, c->len, b);
      free(c->buf);
      c->buf = b, c->cap = cap;
    }
  }
  return c->cap - 1 - c->len;
}

/* Takes the connection as far as it goes now: sends, reads, hands
 * requests over; stops when it waits (for the socket or the server). */
static void advance(poller *p, sp__conn *c) {
  int requests = 0;
  for (;;) {
    switch (c->phase) {
    case NEW:
    case BUSY:
    case CLOSED:
      return;
    case SEND: {
      int rc = flush(c);
      if (rc < 0)
        close_conn(p, c);
      if (rc <= 0)
        return;
      finish(p, c);
      if (++requests == REQUESTS_ROUND && c->phase != CLOSED) {
        if (!c->ready) { /* others' turn: the next round goes on */
          c->ready = 1;
          c->ready_next = p->ready;
          p->ready = c;
        }
        return;
      }
      continue;
    }
    case LINGER:
      c->drain -= (int64_t)c->len;
      c->len = 0;
      if (c->drain < 0) {
        close_conn(p, c);
        return;
      }
      break;
    case DRAIN: {
      size_t n = (size_t)c->drain < c->len ? (size_t)c->drain : c->len;
      memmove(c->buf, c->buf + n, c->len - n);
      c->len -= n;
      c->drain -= (int64_t)n;
      if (c->drain == 0) {
        c->phase = HEAD;
        continue;
      }
      break;
    }
    case HEAD: {
      size_t from = c->seen > 3 ? c->seen - 3 : 0;
      char *e = c->len > from
                    ? memmem(c->buf + from, c->len - from, "\r\n\r\n", 4)
                    : NULL;
      if (e != NULL && (size_t)(e - c->buf) + 4 <= SP__HEAD_MAX) {
        c->head = (size_t)(e - c->buf) + 4;
        on_head(p, c);
        continue;
      }
      c->seen = c->len;
      if (c->len >= SP__HEAD_MAX) {
        refuse(p, c, 431, "headers_too_large", "headers",
               "the request line and headers exceed 8192 bytes");
        continue;
      }
      break;
    }
    case BODY:
      if (c->h.chunked && !unchunk(p, c))
        continue;
      if (c->len >= c->end) {
        dispatch(p, c);
        continue;
      }
      break;
    }
    /* more to read (an end that came with the last data is no new edge) */
    if (!c->readable && !c->hup)
      return;
    size_t space = room(c);
    if (space == 0) { /* out of memory */
      close_conn(p, c);
      return;
    }
    ssize_t n = recv(c->fd, c->buf + c->len, space, 0);
    if (n > 0) {
      c->len += (size_t)n;
      if (c->phase != LINGER)
        c->active = p->now;
      if ((size_t)n < space)
        c->readable = 0; /* all there was: the next arrival is an edge */
    } else if (n == 0 ||
               (errno != EINTR && errno != EAGAIN && errno != EWOULDBLOCK)) {
      close_conn(p, c); /* closed by the client, or failed */
      return;
    } else if (errno != EINTR) {
      c->readable = 0;
      return;
    }
  }
}

static void on_event(poller *p, sp__conn *c, uint32_t events) {
  if (events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR))
    c->readable = 1;
  if (events & (EPOLLRDHUP | EPOLLHUP | EPOLLERR))
    c->hup = 1;
  advance(p, c);
}

/* New and resumed connections handed to this thread. */
static void take_inbox(poller *p) {
  uint64_t v;
  while (read(p->efd, &v, sizeof v) < 0 && errno == EINTR)
    ;
  pthread_mutex_lock(&p->mu);
  sp__conn *c = p->inbox;
  p->inbox = p->inbox_tail = NULL;
  pthread_mutex_unlock(&p->mu);
  for (sp__conn *next; c != NULL; c = next) {
    next = c->link;
    if (c->phase == NEW) {
      start_conn(p, c);
    } else {
      assert(c->phase == BUSY);
      p->w->cfg.resumed(p->w->cfg.ctx, c, c->state);
      advance(p, c);
    }
  }
}

static void go_on(poller *p) {
  sp__conn *c = p->ready;
  p->ready = NULL;
  for (sp__conn *next; c != NULL; c = next) {
    next = c->ready_next;
    c->ready = 0;
    if (c->phase == CLOSED) {
      c->link = p->closed;
      p->closed = c;
    } else
      advance(p, c);
  }
}

/* Idle connections close (not those whose request is with the server). */
static void sweep(poller *p) {
  for (sp__conn *c = p->conns, *next; c != NULL; c = next) {
    next = c->next;
    time_t idle = p->now - c->active;
    if ((c->phase != BUSY && idle >= (time_t)p->w->cfg.idle_s) ||
        (c->phase == LINGER && idle >= LINGER_S))
      close_conn(p, c);
  }
  p->swept = p->now;
}

static void *poll_main(void *arg) {
  poller *p = arg;
  sp__wire *w = p->w;
  struct epoll_event ev[EVENTS];
  p->now = p->swept = mono_s();
  while (!__atomic_load_n(&w->stopping, __ATOMIC_ACQUIRE)) {
    int n = epoll_wait(p->ep, ev, EVENTS, p->ready ? 0 : 1000);
    p->now = mono_s();
    int inbox = 0, listener = 0;
    for (int i = 0; i < n; i++) {
      if (ev[i].data.ptr == &p->efd)
        inbox = 1;
      else if (ev[i].data.ptr == &w->lfd)
        listener = 1;
      else
        on_event(p, ev[i].data.ptr, ev[i].events);
    }
    if (inbox)
      take_inbox(p);
    if (listener)
      accept_all(p);
    go_on(p);
    if (p->now != p->swept)
      sweep(p);
    free_closed(p);
  }
  /* stopping: answers already made are sent if the socket takes them */
  take_inbox(p);
  go_on(p);
  while (p->conns != NULL)
    close_conn(p, p->conns);
  go_on(p); /* the closed ones still on it join p->closed */
  free_closed(p);
  return NULL;
}

static int listen_on(sp__wire *w, sp_error *err) {
  struct sockaddr_in a = {.sin_family = AF_INET,
                          .sin_port = htons(w->cfg.port)};
  if (inet_pton(AF_INET, w->cfg.host, &a.sin_addr) != 1)
    return sp_error_set(err, SP_EINVAL, "listen",
                        "--listen: an IPv4 address and port like "
                        "127.0.0.1:8080");
  int one = 1;
  socklen_t alen = sizeof a;
  w->lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (w->lfd < 0 ||
      setsockopt(w->lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
      bind(w->lfd, (struct sockaddr *)&a, sizeof a) != 0 ||
      listen(w->lfd, 1024) != 0 ||
      getsockname(w->lfd, (struct sockaddr *)&a, &alen) != 0)
    return sp_error_set(err, SP_EIO, "listen",
                        "--listen: cannot listen on %s:%u: %s", w->cfg.host,
                        (unsigned)w->cfg.port, strerror(errno));
  w->port = ntohs(a.sin_port);
  return SP_OK;
}

static int poller_init(sp__wire *w, poller *p) {
  p->w = w;
  p->ep = epoll_create1(EPOLL_CLOEXEC);
  p->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  p->spare = open("/dev/null", O_RDONLY | O_CLOEXEC);
  pthread_mutex_init(&p->mu, NULL);
  struct epoll_event e1 = {.events = EPOLLIN, .data.ptr = &p->efd};
  struct epoll_event e2 = {.events = EPOLLIN | EPOLLEXCLUSIVE,
                           .data.ptr = &w->lfd};
  if (p->ep < 0 || p->efd < 0 ||
      epoll_ctl(p->ep, EPOLL_CTL_ADD, p->efd, &e1) != 0 ||
      epoll_ctl(p->ep, EPOLL_CTL_ADD, w->lfd, &e2) != 0)
    return -1;
  if (pthread_create(&p->thread, NULL, poll_main, p) != 0)
    return -1;
  p->started = 1;
  pthread_setname_np(p->thread, w->cfg.name);
  return 0;
}

int sp__wire_start(const sp__wire_config *cfg, sp__wire **out, sp_error *err) {
  assert(cfg->threads > 0 && cfg->max_conns > 0 && cfg->idle_s > 0);
  sp__wire *w = calloc(1, sizeof *w);
  poller *ps = calloc(cfg->threads, sizeof *ps);
  if (w == NULL || ps == NULL) {
    free(w), free(ps);
    return sp_error_set(err, SP_ENOMEM, "listen", "out of memory");
  }
  w->cfg = *cfg, w->pollers = ps, w->n = cfg->threads, w->lfd = -1;
  for (unsigned i = 0; i < w->n; i++)
    ps[i].ep = ps[i].efd = ps[i].spare = -1;
  int rc = listen_on(w, err);
  for (unsigned i = 0; rc == SP_OK && i < w->n; i++)
    if (poller_init(w, &ps[i]) != 0)
      rc = sp_error_set(err, SP_EIO, "threads",
                        "cannot start a polling thread: %s", strerror(errno));
  if (rc != SP_OK) {
    sp__wire_stop(w);
    return rc;
  }
  *out = w;
  return SP_OK;
}

uint16_t sp__wire_port(const sp__wire *w) { return w->port; }

void sp__wire_stop(sp__wire *w) {
  if (w == NULL)
    return;
  __atomic_store_n(&w->stopping, 1, __ATOMIC_RELEASE);
  for (unsigned i = 0; i < w->n; i++) {
    poller *p = &w->pollers[i];
    if (p->started) {
      uint64_t one = 1;
      while (write(p->efd, &one, sizeof one) < 0 && errno == EINTR)
        ;
      pthread_join(p->thread, NULL);
    }
  }
  for (unsigned i = 0; i < w->n; i++) {
    poller *p = &w->pollers[i];
    /* accepted by another thread after this one's last look */
    for (sp__conn *c = p->inbox, *next; c != NULL; c = next) {
      next = c->link;
      assert(c->phase == NEW);
      close(c->fd);
      free(c->buf);
      free(c);
    }
    if (p->ep >= 0)
      close(p->ep);
    if (p->efd >= 0)
      close(p->efd);
    if (p->spare >= 0)
      close(p->spare);
    pthread_mutex_destroy(&p->mu);
  }
  if (w->lfd >= 0)
    close(w->lfd);
  free(w->pollers);
  free(w);
}
