/* Applications decided ahead on the polling threads.
 *
 * A decision reads (the borrower, consents, the latest record of each
 * source), computes, and writes one row. The reads and the computation need
 * no lock: each polling thread has a read-only connection (WAL lets it read
 * beside the committer) and a flow of its own, made on its first
 * application. Only the row and its Idempotency-Key are left to the
 * committer.
 *
 * A decision made ahead is stale if a commit that may change what it read
 * (the borrower, its consents, its data records) landed after its reads
 * began. Such commits move the generation of the borrower's stripe
 * (srv->gen) under the server's lock, after they commit; the decision
 * remembers the generation from before its first read, and the committer,
 * under the same lock, stores it only if the generation has not moved, and
 * otherwise decides again itself. The applier of each thread keeps what it
 * read of a borrower under that generation (sparrow/apply.h), so while a
 * borrower's data stands its decisions read nothing. */
#include <stdlib.h>
#include <string.h>

#include "core/hash.h"
#include "http/http_int.h"

typedef struct reader {
  sp_svc *svc;
  sp_flow *flow;
  sp_applier *applier;
} reader;

static void reader_free(void *p) {
  reader *rd = p;
  if (rd == NULL)
    return;
  sp_applier_free(rd->applier);
  sp_flow_free(rd->flow);
  sp_svc_close(rd->svc);
  free(rd);
}

static reader *reader_new(const sp_http_server *srv) {
  reader *rd = calloc(1, sizeof *rd);
  sp_error err;
  if (rd == NULL || sp_svc_open_reader(srv->db_path, &rd->svc, &err) != SP_OK ||
      sp_flow_load_file(srv->flow_path, &rd->flow, &err) != SP_OK ||
      sp_applier_new(rd->flow, &rd->applier, &err) != SP_OK) {
    reader_free(rd);
    return NULL;
  }
  return rd;
}

int sp__readers_init(sp_http_server *srv) {
  srv->reader_key_made = pthread_key_create(&srv->reader_key, reader_free) == 0;
  return srv->reader_key_made ? 0 : -1;
}

void sp__readers_fini(sp_http_server *srv) {
  if (srv->reader_key_made)
    pthread_key_delete(srv->reader_key);
  srv->reader_key_made = 0;
}

static unsigned stripe_of(const char *borrower) {
  return sp_hash_str(borrower) % SP__GEN_STRIPES;
}

void sp__gen_bump(sp_http_server *srv) {
  for (unsigned i = 0; i < SP__GEN_STRIPES; i++)
    __atomic_add_fetch(&srv->gen[i], 1, __ATOMIC_RELEASE);
}

/* Borrowers, their consents and data records are written only under
 * /v1/borrowers: POST /v1/borrowers names the borrower in its body, the
 * others in the path. */
void sp__gen_bump_after(sp__req *r) {
  if (strncmp(r->route->info.path, "/v1/borrowers", 13) != 0)
    return;
  const char *id = r->params[0][0] ? r->params[0] : sp__str(r, "id");
  __atomic_add_fetch(&r->srv->gen[stripe_of(id)], 1, __ATOMIC_RELEASE);
}

int sp__gen_current(const sp__req *r) {
  return r->gen ==
         __atomic_load_n(&r->srv->gen[r->gen_stripe], __ATOMIC_ACQUIRE);
}

void sp__prepare(sp__req *r) {
  sp_http_server *srv = r->srv;
  if (r->route->fn != sp__h_application_post || srv->applier == NULL ||
      !srv->reader_key_made)
    return;
  reader *rd = pthread_getspecific(srv->reader_key);
  if (rd == NULL) {
    if ((rd = reader_new(srv)) == NULL)
      return; /* the committer decides it */
    if (pthread_setspecific(srv->reader_key, rd) != 0) {
      reader_free(rd);
      return;
    }
  }
  r->gen_stripe = stripe_of(sp__str(r, "borrower"));
  r->gen = __atomic_load_n(&srv->gen[r->gen_stripe], __ATOMIC_ACQUIRE);
  /* the applier's numbers start at 1 (0 keeps nothing) */
  sp__application_prepare(r, rd->applier, rd->svc, r->gen + 1);
  r->ahead = r->resp != NULL;
}
