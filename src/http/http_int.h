/* Internals of the HTTP server: the request being handled, the route
 * table's full form, field schemas, and the metrics. */
#ifndef SPARROW_HTTP_INT_H
#define SPARROW_HTTP_INT_H

#include <jansson.h>
#include <pthread.h>
#include <stdint.h>

#include "sparrow/apply.h"
#include "sparrow/decide.h"
#include "sparrow/http.h"
#include "sparrow/jr.h"
#include "sparrow/jw.h"
#include "sparrow/loan.h"
#include "sparrow/monitor.h"
#include "sparrow/svc.h"
#include "http/wire.h"
#include "store/checkpoint.h"

#define SP__PARAMS_MAX 2
#define SP__GEN_STRIPES 256

/* Field types of a JSON body; each is checked before the handler runs. */
typedef enum sp__ftype {
  SP__F_STRING,  /* a string of 1..max_len bytes */
  SP__F_MONEY,   /* a decimal string "1234.50", > 0 */
  SP__F_RATE,    /* a rate string with its unit: "0.02%" */
  SP__F_DATE,    /* "YYYY-MM-DD" */
  SP__F_TIME,    /* ISO 8601 time or date */
  SP__F_BOOL,    /* true or false */
  SP__F_OBJECT,  /* any JSON object (at most max_len bytes compact) */
  SP__F_STRINGS, /* an array of 1..8 strings */
  SP__F_INT,     /* an integer 1..max_len */
  SP__F_UINT     /* an integer 0..max_len */
} sp__ftype;

typedef struct sp__field {
  const char *name;
  sp__ftype type;
  int required;
  size_t max_len; /* bytes for strings and objects; the maximum for ints */
  const char *doc;
} sp__field;

typedef struct sp__query {
  const char *name;
  int required;
  const char *doc;
} sp__query;

typedef struct sp__req sp__req;
typedef void (*sp__handler)(sp__req *r);

typedef struct sp__route {
  sp_http_route_info info;
  const sp__field *fields; /* NULL-name terminated; NULL: no body */
  const sp__query *query;  /* NULL-name terminated; may be NULL */
  sp__handler fn;
  int status_ok; /* 200 or 201 */
  int locked;    /* touches the book or the service tables */
} sp__route;

extern const sp__route sp__routes[];
extern const size_t sp__route_n;
/* Like sp_http_route_match, filling the path parameters (may be NULL). */
int sp__route_find(const char *method, const char *path,
                   char params[][SP_SVC_ID_MAX + 1]);

#define SP__METRIC_STATUSES 15
#define SP__METRIC_BUCKETS 12
typedef struct sp__metrics {
  uint64_t count[64][SP__METRIC_STATUSES]; /* route (+1 unmatched) x status */
  uint64_t bucket[64][SP__METRIC_BUCKETS];
  uint64_t sum_us[64];
  uint64_t batches, batch_jobs; /* group commits and the jobs in them */
  uint64_t decisions[3];        /* by sp_decide_outcome */
} sp__metrics;

/* A request queued for a group commit (batch.c). */
typedef struct sp__job {
  sp__req *r;
  char key[SP_IDEM_KEY_MAX + 1];
  char *fp; /* the request as its key remembers it; freed with the request */
  size_t fp_len;
  struct sp__job *next;
} sp__job;

/* A decision made on a polling thread, waiting to be stored
 * (h_application.c). */
typedef struct sp__prepared {
  char id[SP_SVC_ID_MAX + 1], borrower[SP_SVC_ID_MAX + 1];
  sp_time at;
  sp_apply_result res;
} sp__prepared;

struct sp_http_server {
  sp__wire *wire;
  pthread_mutex_t lock; /* the book and the service store */
  /* Group commit of money routes (batch.c). */
  pthread_mutex_t gc_lock;
  pthread_cond_t gc_cond; /* a job was queued, or stopping */
  sp__job *queue_head, *queue_tail;
  pthread_t committer;
  int committer_started, stopping;
  char db_path[4096];
  sp_book *book; /* NULL if it could not be reopened after a failure */
  sp_svc *svc;
  sp__ckpt *ckpt;      /* checkpoints the file's WAL beside the book's writes */
  sp_flow *flow;       /* NULL unless started with a decision flow */
  sp_applier *applier; /* decides applications with flow (under lock) */
  char flow_path[4096];
  /* Applications are decided ahead on the polling threads (reader.c), each
   * with a flow and a read-only connection of its own, found by this key;
   * gen counts, per stripe of borrowers, the commits that may change what
   * a decision reads of them (it moves under lock), so the committer can
   * tell a decision made on data since changed and decide it again. */
  pthread_key_t reader_key;
  int reader_key_made;
  uint64_t gen[SP__GEN_STRIPES];
  /* GET /v1/portfolio and GET /metrics are answered on a thread of their
   * own from a read-only view of the file (view.c): their requests wait
   * here, suspended. */
  pthread_mutex_t view_lock;
  pthread_cond_t view_cond; /* a request waits, or stopping */
  sp__req *view_waiting;    /* linked by sp__req.next */
  pthread_t view_thread;
  int view_started, view_stopping;
  sp_monitor *monitor; /* NULL unless started with monitor rules */
  sp_monitor_rules *monitor_rules;
  char monitor_state[4096]; /* snapshot path, "" for none */
  const sp_keyring *keys;
  uint16_t port;
  sp__metrics metrics;
};

struct sp__req {
  sp_http_server *srv;
  sp__conn *conn;
  const sp__head *head; /* its headers and query */
  const sp__route *route;
  const char *method, *url;
  char params[SP__PARAMS_MAX][SP_SVC_ID_MAX + 1];
  sp_role role;
  const char *body;
  size_t body_len;
  sp_jr *jr;               /* the connection's reader of bodies */
  const sp_jr_value *json; /* the body read, when the route takes one */
  const char *ref;         /* book idempotency ref for money routes, or NULL */
  sp_time now;
  int queued;    /* waiting for its group commit or the view's thread
                    (connection suspended) */
  sp__req *next; /* waiting for the view's thread */
  int ahead;     /* answered on a polling thread at gen, still to store */
  uint64_t gen;  /* of the borrower's stripe gen_stripe */
  unsigned gen_stripe;
  sp__prepared *prepared; /* what ahead stores (&prep), or NULL */
  int route_index;        /* for the metrics */
  int status;             /* response */
  char *resp;             /* malloc'd */
  size_t resp_len;
  /* Kept with the request, which is kept with its connection (server.c),
   * so that a request allocates neither. */
  sp__prepared prep;
  sp__job job;
};

/* Responses. sp__reply takes the reference to `body`. */
void sp__reply(sp__req *r, int status, json_t *body);
/* The same for a written document (the writer is emptied). */
void sp__reply_jw(sp__req *r, int status, sp_jw *w);
void sp__fail(sp__req *r, int status, const char *code, const char *field,
              const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* Maps a library error to a status and code, renaming fields by `rename`
 * ("date=at,rate=annual_rate"). */
void sp__fail_err(sp__req *r, const sp_error *err, const char *rename);

/* Parses the body (size, depth, JSON, fields); 0 or -1 after replying. */
int sp__parse_body(sp__req *r);
/* Field access after sp__parse_body; absent fields give the default (the
 * value itself: NULL). */
const sp_jr_value *sp__value(const sp__req *r, const char *name);
const char *sp__str(const sp__req *r, const char *name);
int64_t sp__money(const sp__req *r, const char *name);
int sp__bool(const sp__req *r, const char *name);
/* A query argument, or NULL. */
const char *sp__arg(const sp__req *r, const char *name);
/* Time fields and query arguments: `at` or else the request's time; 0 or
 * -1 after replying. */
int sp__time_field(sp__req *r, const char *name, sp_time *out);
int sp__time_arg(sp__req *r, const char *name, sp_time *out);

/* Money and dates as JSON strings. */
json_t *sp__json_money(int64_t fen);
json_t *sp__json_date(sp_date d);
json_t *sp__json_time(sp_time t);

/* Queues a money route's request behind its Idempotency-Key (NULL for an
 * application sent without one) for the next group commit and suspends its
 * connection (r->queued set; r must live until the connection is resumed
 * with r's response), or answers it at once (503 when stopping). */
void sp__money_enqueue(sp__req *r, const char *key);
/* The committer thread: started with the server, stopped (after running
 * every queued job) before the daemon stops. */
int sp__committer_start(sp_http_server *srv);
void sp__committer_stop(sp_http_server *srv);

/* GET /v1/portfolio and GET /metrics (view.c): queues r for the thread
 * that reads the book's totals and suspends its connection (r->queued
 * set; answered when resumed), or answers it at once (503 when stopping).
 * The thread is started with the server and stopped (answering whoever
 * waits) before the daemon stops. */
void sp__view_enqueue(sp__req *r);
int sp__view_start(sp_http_server *srv);
void sp__view_stop(sp_http_server *srv);

/* What the portfolio and the metrics show of the whole book, read in one
 * read transaction of a read-only book and the service tables on its
 * connection (h_portfolio.c): every number of one commit. */
#define SP__BUCKETS 5 /* M0 .. M4+ */
#define SP__CLASSES (SP_CLASS_LOSS + 1)
typedef struct sp__totals {
  int64_t loans_all;                                /* open and closed */
  int64_t principal_fen, interest_fen, penalty_fen; /* of every loan */
  int64_t open, lines, loans, frozen;               /* open ones */
  int64_t limit_fen, outstanding_fen, interest_penalty_fen, overdue_fen;
  int64_t bucket_n[SP__BUCKETS], bucket_fen[SP__BUCKETS];
  int64_t class_n[SP__CLASSES], class_fen[SP__CLASSES];
  int64_t draws_today, draws_today_fen;
  uint64_t transfers; /* the highest transfer id */
  sp_app_counts apps, apps_today;
} sp__totals;
/* Gives up with SP_EFULL once *stop is set. */
int sp__totals_read(sp_book *book, sp_svc *svc, sp_time now, const int *stop,
                    sp__totals *out, sp_error *err);
json_t *sp__portfolio_json(const sp__totals *t);

/* Decides a keyed application ahead on the calling polling thread (see
 * sp_http_server.gen); leaves the request alone if it cannot. */
void sp__prepare(sp__req *r);
/* The polling threads' readers: the key made at start, deleted at stop
 * (after the daemon's threads have ended and freed theirs). */
int sp__readers_init(sp_http_server *srv);
void sp__readers_fini(sp_http_server *srv);
/* Moves srv->gen after a commit that may change what decisions read:
 * of every borrower, or of the borrowers a request wrote (r's route under
 * /v1/borrowers). Server lock held. */
void sp__gen_bump(sp_http_server *srv);
void sp__gen_bump_after(sp__req *r);
/* Whether r, decided ahead, was decided on data still current. Server lock
 * held. */
int sp__gen_current(const sp__req *r);
/* Applications (h_application.c): decided on a reader, leaving the answer
 * in r (and r->prepared on success); stored on the committer (SP_OK also
 * when refused in r, as a duplicate id). */
void sp__application_prepare(sp__req *r, sp_applier *a, sp_svc *reader,
                             uint64_t gen);
int sp__application_record(sp__req *r, sp_error *err);
/* Answers r with application id's first answer, as its Idempotency-Key
 * keeps it (sp_svc_idem_put_app). */
int sp__application_replay(sp__req *r, const char *id, sp_error *err);
/* Frees what r holds (its response, decision document and job's
 * fingerprint); r itself is kept, and its body's values with the
 * connection's reader. */
void sp__req_release(sp__req *r);

/* Opens the book and the service tables on srv->db_path, both or neither
 * (NULL). */
int sp__open_stores(sp_http_server *srv, sp_error *err);
/* Reopens the book and the service tables after a failed batch (their
 * caches may hold what was rolled back). Server lock held. */
void sp__reopen(sp_http_server *srv);

/* The console's files (web.c): answers GET / and /web/NAME (1); anything
 * else is left to the router (0). */
int sp__web_answer(sp__conn *c, const char *method, const char *url);

/* Metrics. */
void sp__metrics_record(sp__metrics *m, int route, int status, uint64_t micros);
void sp__metrics_decision(sp__metrics *m, sp_decide_outcome outcome);
/* The Prometheus text (malloc'd), with the book's totals t (NULL: they
 * could not be read). */
char *sp__metrics_text(sp_http_server *srv, const sp__totals *t, size_t *len);

/* Loans as JSON (written, or as a tree); loading the loan of the path. */
void sp__loan_write(sp__req *r, const sp_loan_view *v, sp_jw *w);
json_t *sp__loan_json(sp__req *r, const sp_loan_view *v);
int sp__load_loan(sp__req *r, sp_loan_kind kind, sp_loan_view *v);
/* The product fields shared by lines and term loans (rates, daycount,
 * per_second, term_months). */
int sp__parse_product(sp__req *r, sp_product *p, sp_error *err);

/* A borrower as JSON, personal data masked for roles that may not see it. */
json_t *sp__borrower_json(const sp_borrower *b, sp_role role);

/* Handlers. */
void sp__h_healthz(sp__req *r);
void sp__h_metrics(sp__req *r);
void sp__h_openapi(sp__req *r);
void sp__h_borrower_post(sp__req *r);
void sp__h_borrower_get(sp__req *r);
void sp__h_data_post(sp__req *r);
void sp__h_data_get(sp__req *r);
void sp__h_consent_post(sp__req *r);
void sp__h_consent_list(sp__req *r);
void sp__h_consent_delete(sp__req *r);
void sp__h_consent_check(sp__req *r);
void sp__h_line_post(sp__req *r);
void sp__h_line_get(sp__req *r);
void sp__h_line_draw(sp__req *r);
void sp__h_line_repay(sp__req *r);
void sp__h_line_freeze(sp__req *r);
void sp__h_line_unfreeze(sp__req *r);
void sp__h_line_statement(sp__req *r);
void sp__h_event_post(sp__req *r);
void sp__h_warning_list(sp__req *r);
void sp__h_loan_post(sp__req *r);
void sp__h_loan_get(sp__req *r);
void sp__h_loan_schedule(sp__req *r);
void sp__h_loan_repay(sp__req *r);
void sp__h_application_post(sp__req *r);
void sp__h_application_get(sp__req *r);
void sp__h_application_list(sp__req *r);
void sp__h_application_review(sp__req *r);
void sp__h_portfolio(sp__req *r);
void sp__h_me(sp__req *r);
void sp__h_borrower_list(sp__req *r);
void sp__h_borrower_lines(sp__req *r);

#endif
