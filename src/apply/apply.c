/* Credit applications decided on consented data (see sparrow/apply.h):
 * consent checks, the row assembled from the latest record of each source
 * and the application's own values, the decision, and its document.
 *
 * What a decision reads of a borrower (its consents, and the value of each
 * column from the latest record of the column's source) is kept in a
 * four-way cache when the caller numbers the borrower's changes
 * (sp_apply_request.gen): a decision at the same number reuses it, with no
 * read and no parse. Consents are kept as rows and checked at each
 * decision's own time. Each borrower kept holds buffers sized to what was
 * read (a few hundred bytes), so that the cache can hold a lender's
 * borrowers: reading them costs a read transaction and a parse each
 * (BENCHMARKS.md, serve). */
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/digits.h"
#include "core/hash.h"
#include "sparrow/apply.h"
#include "sparrow/jr.h"
#include "sparrow/jw.h"
#include "sparrow/money.h"

#define SOURCES SP_SOURCE_COUNT
#define TEXT_MAX 256    /* one value as text */
#define PARTS_MAX 64    /* composition parts kept in the document */
#define CONSENTS_MAX 32 /* kept per borrower; more are read each time */
#define CACHE_WAYS 4    /* borrowers kept in each set */
#define CACHE_SETS 8192 /* sets per applier: 32,768 borrowers */
#define VALUES_DEPTH 64 /* nesting read in a stored text of values */

/* A borrower's inputs to a decision, as read at gen. */
typedef struct inputs {
  char id[SP_SVC_ID_MAX + 1];
  uint64_t gen;   /* 0: not kept (empty, or read without a number) */
  int n_consents; /* -1: more than CONSENTS_MAX, read at each decision */
  int consent_cap;
  sp_consent *consent;
  int has_record[SOURCES];
  long bad_column; /* a record's value that is not a scalar, or -1 */
  uint32_t *off;   /* by column: its value in chars (those of consented
                      sources; 0 is "") */
  char *chars;     /* the values, each ended by '\0' */
  size_t chars_len, chars_cap;
} inputs;

/* A set of the cache: borrowers in the order used, the last first, with
 * their ids' hashes to compare before the ids. */
typedef struct cache_set {
  inputs *way[CACHE_WAYS];
  uint32_t hash[CACHE_WAYS];
} cache_set;

struct sp_applier {
  sp_svc *svc; /* of the call in progress */
  sp_flow *flow;
  size_t n;               /* columns */
  char (*text)[TEXT_MAX]; /* one row's values from the application */
  const char **fields;    /* the row: into text, or into an inputs' text */
  int needed[SOURCES];    /* sources the flow reads */
  inputs scratch;         /* read without a number */
  cache_set *cache;       /* CACHE_SETS, made on first use */
  sp_jr jr;               /* a stored text being read: a record's values, or an
                             application's (values_json) */
};

int sp_applier_new(sp_flow *flow, sp_applier **out, sp_error *err) {
  sp_applier *a = calloc(1, sizeof *a);
  size_t n = sp_flow_column_count(flow);
  if (a != NULL) {
    a->text = calloc(n ? n : 1, sizeof *a->text);
    a->fields = calloc(n ? n : 1, sizeof *a->fields);
  }
  if (a == NULL || a->text == NULL || a->fields == NULL) {
    sp_applier_free(a);
    return sp_error_set(err, SP_ENOMEM, "flow", "out of memory");
  }
  a->flow = flow, a->n = n;
  for (size_t i = 0; i < n; i++) {
    a->fields[i] = sp_flow_column_name(flow, i);
    int s = sp_flow_column_source(flow, i);
    if (s >= 0 && s < SOURCES)
      a->needed[s] = 1;
  }
  sp_jr_init(&a->jr);
  int rc = sp_flow_bind(flow, a->fields, n, err);
  for (size_t i = 0; i < n; i++)
    a->fields[i] = a->text[i];
  if (rc != SP_OK) {
    sp_applier_free(a);
    return rc;
  }
  *out = a;
  return SP_OK;
}

static void inputs_free(inputs *in) {
  if (in == NULL)
    return;
  free(in->consent);
  free(in->off);
  free(in->chars);
}

void sp_applier_free(sp_applier *a) {
  if (a == NULL)
    return;
  free(a->text);
  free(a->fields);
  sp_jr_free(&a->jr);
  inputs_free(&a->scratch);
  for (size_t i = 0; a->cache != NULL && i < CACHE_SETS; i++)
    for (int w = 0; w < CACHE_WAYS; w++) {
      inputs_free(a->cache[i].way[w]);
      free(a->cache[i].way[w]);
    }
  free(a->cache);
  free(a);
}

const char *sp_apply_status(sp_decide_outcome o) {
  return o == SP_DECIDE_APPROVE ? "approved"
         : o == SP_DECIDE_REFER ? "referred"
                                : "declined";
}

/* One value as the flow reads it: text, "" for missing; -1 if it is not
 * a scalar. */
static int value_text(const sp_jr_value *v, char *out, size_t cap) {
  assert(cap > SP_DIGITS_MAX + 1);
  out[0] = '\0';
  if (v == NULL || v->type == SP_JR_NULL)
    return 0;
  if (v->type == SP_JR_STRING) {
    size_t n = v->n < cap ? v->n : cap - 1;
    memcpy(out, v->s, n);
    out[n] = '\0';
  } else if (v->type == SP_JR_INT)
    out[sp_digits_i64(v->i, out)] = '\0';
  else if (v->type == SP_JR_REAL)
    snprintf(out, cap, "%.17g", v->d);
  else if (v->type == SP_JR_TRUE || v->type == SP_JR_FALSE)
    snprintf(out, cap, "%d", v->type == SP_JR_TRUE);
  else
    return -1;
  return 0;
}

static int column_source(const sp_applier *a, const char *name) {
  for (size_t i = 0; i < a->n; i++)
    if (strcmp(sp_flow_column_name(a->flow, i), name) == 0)
      return sp_flow_column_source(a->flow, i);
  return -1;
}

typedef struct record_ctx {
  sp_applier *a;
  inputs *in;
  sp_error *err;
} record_ctx;

static int keep_consent(void *ctx, const sp_consent *c) {
  inputs *in = ((record_ctx *)ctx)->in;
  if (in->n_consents >= 0 && in->n_consents == in->consent_cap &&
      in->consent_cap < CONSENTS_MAX) {
    int cap = in->consent_cap ? 2 * in->consent_cap : 4;
    cap = cap < CONSENTS_MAX ? cap : CONSENTS_MAX;
    sp_consent *p = realloc(in->consent, (size_t)cap * sizeof *p);
    if (p != NULL)
      in->consent = p, in->consent_cap = cap;
  }
  if (in->n_consents >= 0 && in->n_consents < in->consent_cap)
    in->consent[in->n_consents++] = *c;
  else
    in->n_consents = -1; /* read at each decision */
  return SP_OK;
}

/* Keeps text as column i's value; SP_ENOMEM. */
static int keep_text(inputs *in, size_t i, const char *text, sp_error *err) {
  size_t n = strlen(text);
  if (n == 0) {
    in->off[i] = 0;
    return SP_OK;
  }
  if (in->chars_len + n + 1 > in->chars_cap) {
    size_t cap = 2 * in->chars_cap;
    while (cap < in->chars_len + n + 1)
      cap *= 2;
    char *p = realloc(in->chars, cap);
    if (p == NULL)
      return sp_error_set(err, SP_ENOMEM, "", "out of memory");
    in->chars = p, in->chars_cap = cap;
  }
  memcpy(in->chars + in->chars_len, text, n + 1);
  in->off[i] = (uint32_t)in->chars_len;
  in->chars_len += n + 1;
  return SP_OK;
}

/* The values of the columns of the record's source, if the flow reads it. */
static int keep_record(void *ctx, const sp_data_record *rec) {
  record_ctx *k = ctx;
  if (!k->a->needed[rec->source])
    return SP_OK;
  sp_jr_error je; /* unreadable values read as missing ones */
  const sp_jr_value *values =
      sp_jr_parse(&k->a->jr, rec->values_json, strlen(rec->values_json),
                  VALUES_DEPTH, &je) == SP_OK
          ? sp_jr_root(&k->a->jr)
          : NULL;
  k->in->has_record[rec->source] = 1;
  int rc = SP_OK;
  for (size_t i = 0; rc == SP_OK && i < k->a->n; i++) {
    if (sp_flow_column_source(k->a->flow, i) != (int)rec->source)
      continue;
    const sp_jr_value *v =
        sp_jr_get(values, sp_flow_column_name(k->a->flow, i));
    char text[TEXT_MAX];
    if (value_text(v, text, TEXT_MAX) != 0 &&
        (k->in->bad_column < 0 || (long)i < k->in->bad_column))
      k->in->bad_column = (long)i;
    rc = keep_text(k->in, i, text, k->err);
  }
  return rc;
}

/* Reads what a decision needs of the borrower into in (one row, one
 * statement: one snapshot). */
static int read_inputs(sp_applier *a, const char *borrower, inputs *in,
                       sp_error *err) {
  in->gen = 0;
  if (in->off == NULL &&
      (in->off = malloc((a->n ? a->n : 1) * sizeof *in->off)) == NULL)
    return sp_error_set(err, SP_ENOMEM, "", "out of memory");
  if (in->chars == NULL) {
    if ((in->chars = malloc(64)) == NULL)
      return sp_error_set(err, SP_ENOMEM, "", "out of memory");
    in->chars_cap = 64;
  }
  snprintf(in->id, sizeof in->id, "%s", borrower);
  in->n_consents = 0;
  in->bad_column = -1;
  memset(in->has_record, 0, sizeof in->has_record);
  memset(in->off, 0, a->n * sizeof *in->off);
  in->chars[0] = '\0';
  in->chars_len = 1;
  record_ctx k = {a, in, err};
  return sp_svc_decision_inputs(a->svc, borrower, keep_consent, keep_record, &k,
                                err);
}

/* Where the borrower is kept: the way of its set that holds it (*hit if
 * read at gen), else the one used least lately; NULL without memory. The
 * way returned becomes the set's first. */
static inputs *cache_way(sp_applier *a, const char *borrower, uint64_t gen,
                         int *hit) {
  uint32_t h = sp_hash_str(borrower);
  cache_set *set = &a->cache[h % CACHE_SETS];
  int w = CACHE_WAYS - 1, found = 0;
  for (int i = 0; i < CACHE_WAYS && !found; i++)
    if (set->way[i] != NULL && set->hash[i] == h &&
        strcmp(set->way[i]->id, borrower) == 0)
      w = i, found = 1;
  *hit = found && set->way[w]->gen == gen;
  if (set->way[w] == NULL && (set->way[w] = calloc(1, sizeof(inputs))) == NULL)
    return NULL;
  inputs *in = set->way[w]; /* to the front */
  memmove(&set->way[1], &set->way[0], (size_t)w * sizeof set->way[0]);
  memmove(&set->hash[1], &set->hash[0], (size_t)w * sizeof set->hash[0]);
  set->way[0] = in;
  set->hash[0] = h;
  return in;
}

/* The borrower's inputs: kept ones read at req->gen, or read now (and kept
 * if req->gen is set). */
static int inputs_of(sp_applier *a, const sp_apply_request *req, inputs **out,
                     sp_error *err) {
  inputs *in = &a->scratch;
  if (req->gen != 0 && a->cache == NULL)
    a->cache = calloc(CACHE_SETS, sizeof *a->cache);
  if (req->gen != 0 && a->cache != NULL) {
    int hit;
    inputs *way = cache_way(a, req->borrower, req->gen, &hit);
    if (way != NULL && hit) {
      *out = way;
      return SP_OK;
    }
    in = way != NULL ? way : in;
  }
  int rc = read_inputs(a, req->borrower, in, err);
  if (rc == SP_OK && in != &a->scratch)
    in->gen = req->gen;
  *out = in;
  return rc;
}

/* The consent each source the flow reads is used under, at req->at. */
static int check_consents(sp_applier *a, const sp_apply_request *req,
                          const inputs *in, uint64_t consent[SOURCES],
                          sp_error *err) {
  sp_source refused = 0;
  int rc = in->n_consents >= 0
               ? sp_consent_check_array(in->consent, (size_t)in->n_consents,
                                        req->borrower, a->needed,
                                        SP_PURPOSE_CREDIT_DECISION, req->at,
                                        consent, &refused, err)
               : sp_svc_consent_check_sources(a->svc, req->borrower, a->needed,
                                              SP_PURPOSE_CREDIT_DECISION,
                                              req->at, consent, &refused, err);
  if (rc == SP_ESTATE) {
    char why[sizeof err->message];
    snprintf(why, sizeof why, "%s", err->message);
    return sp_error_set(err, SP_ESTATE, "consent",
                        "%s data may not be used for this credit decision: "
                        "%s",
                        sp_source_name(refused), why);
  }
  return rc;
}

/* Fills the row from the borrower's inputs and the application's values. */
static int assemble(sp_applier *a, const inputs *in, const sp_jr_value *values,
                    sp_error *err) {
  for (const sp_jr_value *v = sp_jr_first(values); v;
       v = sp_jr_next(values, v)) {
    const char *key = v->key;
    int s = column_source(a, key);
    if (s >= 0 && s < SOURCES)
      return sp_error_set(err, SP_EINVAL, "values",
                          "values.%.60s: %s data comes from the borrower's "
                          "consented records, not the application",
                          key, sp_source_name((sp_source)s));
  }
  for (size_t i = 0; i < a->n; i++) {
    const char *name = sp_flow_column_name(a->flow, i);
    int s = sp_flow_column_source(a->flow, i);
    int bad;
    if (s >= 0 && s < SOURCES) {
      a->fields[i] = in->chars + in->off[i];
      bad = (long)i == in->bad_column;
    } else {
      a->fields[i] = a->text[i];
      bad = value_text(sp_jr_get(values, name), a->text[i], TEXT_MAX);
    }
    if (bad)
      return sp_error_set(err, SP_EINVAL, "values", "%.60s: not a scalar",
                          name);
  }
  return SP_OK;
}

/* The decision document: everything but the status, review and line. */
static char *document(const sp_applier *a, const sp_apply_request *req,
                      const sp_apply_result *r, const inputs *in,
                      const uint64_t consent[SOURCES]) {
  const sp_decision *d = &r->decision;
  char text[32];
  sp_jw w;
  sp_jw_init(&w);
  sp_jw_open(&w, '{');
  sp_jw_key(&w, "decision");
  sp_jw_str(&w, r->status);
  sp_jw_key(&w, "score");
  sp_jw_real(&w, d->score);
  sp_jw_key(&w, "pd");
  sp_jw_real(&w, d->pd);
  sp_money_format(r->limit_fen, text, sizeof text);
  sp_jw_key(&w, "limit");
  sp_jw_str(&w, text);
  sp_rate_format_percent(d->annual_rate, 2, text, sizeof text);
  sp_jw_key(&w, "annual_rate");
  sp_jw_str(&w, text);
  sp_jw_key(&w, "rules");
  sp_jw_open(&w, '[');
  for (int i = 0; i < d->n_rules; i++)
    sp_jw_str(&w, d->rules_fired[i]);
  sp_jw_close(&w, ']');
  sp_jw_key(&w, "reasons");
  sp_jw_open(&w, '[');
  for (int i = 0; i < d->n_reasons; i++)
    sp_jw_str(&w, d->reasons[i]);
  sp_jw_close(&w, ']');
  sp_decide_part part[PARTS_MAX];
  size_t n = sp_flow_composition(a->flow, part, PARTS_MAX);
  sp_jw_key(&w, "composition");
  sp_jw_open(&w, '[');
  for (size_t i = 0; i < n; i++) {
    sp_jw_open(&w, '{');
    sp_jw_key(&w, "feature");
    sp_jw_str(&w, part[i].feature ? part[i].feature : "?");
    sp_jw_key(&w, "points");
    sp_jw_real(&w, part[i].points);
    sp_jw_key(&w, "text");
    sp_jw_str(&w, part[i].text);
    sp_jw_close(&w, '}');
  }
  sp_jw_close(&w, ']');
  sp_jw_key(&w, "sources");
  sp_jw_open(&w, '[');
  for (int s = 0; s < SOURCES; s++) {
    if (!a->needed[s])
      continue;
    text[0] = 'C';
    text[1 + sp_digits(consent[s], text + 1)] = '\0';
    sp_jw_open(&w, '{');
    sp_jw_key(&w, "source");
    sp_jw_str(&w, sp_source_name((sp_source)s));
    sp_jw_key(&w, "consent");
    sp_jw_str(&w, text);
    sp_jw_key(&w, "data");
    sp_jw_bool(&w, in->has_record[s]);
    sp_jw_close(&w, '}');
  }
  sp_jw_close(&w, ']');
  sp_jw_key(&w, "features");
  sp_jw_open(&w, '{');
  for (size_t i = 0; i < a->n; i++) {
    sp_jw_key(&w, sp_flow_column_name(a->flow, i));
    if (a->fields[i][0])
      sp_jw_str(&w, a->fields[i]);
    else
      sp_jw_null(&w);
  }
  sp_jw_close(&w, '}');
  if (req->amount_fen > 0) {
    sp_money_format(req->amount_fen, text, sizeof text);
    sp_jw_key(&w, "requested");
    sp_jw_str(&w, text);
    sp_money_format(d->limit_fen, text, sizeof text);
    sp_jw_key(&w, "limit_offered");
    sp_jw_str(&w, text);
  }
  sp_jw_close(&w, '}');
  return sp_jw_finish(&w, NULL);
}

int sp_apply_record(sp_svc *svc, const sp_apply_request *req,
                    const sp_apply_result *res, sp_error *err) {
  assert(res->doc != NULL && res->status != NULL);
  sp_application app = {.created = req->at, .doc = res->doc};
  snprintf(app.id, sizeof app.id, "%s", req->id);
  snprintf(app.borrower, sizeof app.borrower, "%s", req->borrower);
  snprintf(app.decision, sizeof app.decision, "%s", res->status);
  return sp_svc_app_put(svc, &app, err);
}

int sp_apply_decide(sp_applier *a, sp_svc *svc, const sp_apply_request *req,
                    sp_apply_result *out, sp_error *err) {
  memset(out, 0, sizeof *out);
  a->svc = svc;
  inputs *in;
  int rc = inputs_of(a, req, &in, err);
  if (rc != SP_OK)
    return rc;
  static const sp_jr_value none = {.type = SP_JR_OBJECT, .span = 1};
  const sp_jr_value *values = req->values ? req->values : &none;
  sp_jr_error je;
  if (req->values == NULL && req->values_json != NULL)
    values = sp_jr_parse(&a->jr, req->values_json, strlen(req->values_json),
                         VALUES_DEPTH, &je) == SP_OK
                 ? sp_jr_root(&a->jr)
                 : NULL;
  uint64_t consent[SOURCES];
  if (values == NULL || values->type != SP_JR_OBJECT)
    rc = sp_error_set(err, SP_EINVAL, "values", "values: a JSON object");
  if (rc == SP_OK)
    rc = check_consents(a, req, in, consent, err);
  if (rc == SP_OK)
    rc = assemble(a, in, values, err);
  if (rc == SP_OK && sp_flow_decide(a->flow, a->fields, a->n, 1, &out->decision,
                                    err) != SP_OK) {
    char why[sizeof err->message];
    snprintf(why, sizeof why, "%s", err->message);
    rc = sp_error_set(err, SP_EINVAL, "values", "%s", why);
  }
  if (rc != SP_OK)
    return rc;
  out->status = sp_apply_status(out->decision.outcome);
  out->limit_fen = out->decision.limit_fen;
  if (req->amount_fen > 0 && req->amount_fen < out->limit_fen)
    out->limit_fen = req->amount_fen;
  out->doc = document(a, req, out, in, consent);
  return out->doc ? SP_OK : sp_error_set(err, SP_ENOMEM, "", "out of memory");
}

int sp_apply(sp_applier *a, sp_svc *svc, const sp_apply_request *req,
             sp_apply_result *out, sp_error *err) {
  int rc = sp_apply_decide(a, svc, req, out, err);
  if (rc == SP_OK && (rc = sp_apply_record(svc, req, out, err)) != SP_OK) {
    free(out->doc);
    out->doc = NULL;
  }
  return rc;
}
