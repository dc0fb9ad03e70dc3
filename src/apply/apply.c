/* Credit applications decided on consented data (see sparrow/apply.h):
 * consent checks, the row assembled from the latest record of each source
 * and the application's own values, the decision, and its document.
 *
 * What a decision reads of a borrower (its consents, and the value of each
 * column from the latest record of the column's source) is kept in a
 * direct-mapped cache when the caller numbers the borrower's changes
 * (sp_apply_request.gen): a decision at the same number reuses it, with no
 * read and no parse. Consents are kept as rows and checked at each
 * decision's own time. */
#include <assert.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/digits.h"
#include "core/hash.h"
#include "sparrow/apply.h"
#include "sparrow/jw.h"
#include "sparrow/money.h"

#define SOURCES SP_SOURCE_COUNT
#define TEXT_MAX 256     /* one value as text */
#define PARTS_MAX 64     /* composition parts kept in the document */
#define CONSENTS_MAX 32  /* kept per borrower; more are read each time */
#define CACHE_SLOTS 1024 /* borrowers kept, per applier */

/* A borrower's inputs to a decision, as read at gen. */
typedef struct inputs {
  char id[SP_SVC_ID_MAX + 1];
  uint64_t gen;   /* 0: not kept (empty, or read without a number) */
  int n_consents; /* -1: more than CONSENTS_MAX, read at each decision */
  sp_consent consent[CONSENTS_MAX];
  int has_record[SOURCES];
  long bad_column;        /* a record's value that is not a scalar, or -1 */
  char (*text)[TEXT_MAX]; /* by column; those of consented sources */
} inputs;

struct sp_applier {
  sp_svc *svc; /* of the call in progress */
  sp_flow *flow;
  size_t n;               /* columns */
  char (*text)[TEXT_MAX]; /* one row's values from the application */
  const char **fields;    /* the row: into text, or into an inputs' text */
  int needed[SOURCES];    /* sources the flow reads */
  inputs scratch;         /* read without a number */
  inputs *cache;          /* CACHE_SLOTS, made on first use */
  char (*cache_text)[TEXT_MAX];
};

int sp_applier_new(sp_flow *flow, sp_applier **out, sp_error *err) {
  sp_applier *a = calloc(1, sizeof *a);
  size_t n = sp_flow_column_count(flow);
  if (a != NULL) {
    a->text = calloc(n ? n : 1, sizeof *a->text);
    a->fields = calloc(n ? n : 1, sizeof *a->fields);
    a->scratch.text = calloc(n ? n : 1, sizeof *a->text);
  }
  if (a == NULL || a->text == NULL || a->fields == NULL ||
      a->scratch.text == NULL) {
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

void sp_applier_free(sp_applier *a) {
  if (a == NULL)
    return;
  free(a->text);
  free(a->fields);
  free(a->scratch.text);
  free(a->cache);
  free(a->cache_text);
  free(a);
}

const char *sp_apply_status(sp_decide_outcome o) {
  return o == SP_DECIDE_APPROVE ? "approved"
         : o == SP_DECIDE_REFER ? "referred"
                                : "declined";
}

/* One value as the flow reads it: text, "" for missing; -1 if it is not
 * a scalar. */
static int value_text(const json_t *v, char *out, size_t cap) {
  out[0] = '\0';
  if (v == NULL || json_is_null(v))
    return 0;
  if (json_is_string(v)) {
    size_t n = json_string_length(v);
    n = n < cap ? n : cap - 1;
    memcpy(out, json_string_value(v), n);
    out[n] = '\0';
  } else if (json_is_integer(v) && cap > SP_DIGITS_MAX + 1) {
    out[sp_digits_i64(json_integer_value(v), out)] = '\0';
  } else if (json_is_integer(v))
    snprintf(out, cap, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
  else if (json_is_real(v))
    snprintf(out, cap, "%.17g", json_real_value(v));
  else if (json_is_boolean(v))
    snprintf(out, cap, "%d", json_is_true(v));
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
  const sp_applier *a;
  inputs *in;
} record_ctx;

static int keep_consent(void *ctx, const sp_consent *c) {
  inputs *in = ((record_ctx *)ctx)->in;
  if (in->n_consents >= 0 && in->n_consents < CONSENTS_MAX)
    in->consent[in->n_consents++] = *c;
  else
    in->n_consents = -1;
  return SP_OK;
}

/* The values of the columns of the record's source, if the flow reads it. */
static int keep_record(void *ctx, const sp_data_record *rec) {
  record_ctx *k = ctx;
  if (!k->a->needed[rec->source])
    return SP_OK;
  json_t *values = json_loads(rec->values_json, 0, NULL);
  k->in->has_record[rec->source] = 1;
  for (size_t i = 0; i < k->a->n; i++) {
    if (sp_flow_column_source(k->a->flow, i) != (int)rec->source)
      continue;
    json_t *v = json_object_get(values, sp_flow_column_name(k->a->flow, i));
    if (value_text(v, k->in->text[i], TEXT_MAX) != 0 &&
        (k->in->bad_column < 0 || (long)i < k->in->bad_column))
      k->in->bad_column = (long)i;
  }
  json_decref(values);
  return SP_OK;
}

/* Reads what a decision needs of the borrower into in (one row, one
 * statement: one snapshot). */
static int read_inputs(sp_applier *a, const char *borrower, inputs *in,
                       sp_error *err) {
  in->gen = 0;
  snprintf(in->id, sizeof in->id, "%s", borrower);
  in->n_consents = 0;
  in->bad_column = -1;
  memset(in->has_record, 0, sizeof in->has_record);
  for (size_t i = 0; i < a->n; i++)
    in->text[i][0] = '\0';
  record_ctx k = {a, in};
  return sp_svc_decision_inputs(a->svc, borrower, keep_consent, keep_record, &k,
                                err);
}

/* The borrower's inputs: kept ones read at req->gen, or read now (and kept
 * if req->gen is set). */
static int inputs_of(sp_applier *a, const sp_apply_request *req, inputs **out,
                     sp_error *err) {
  inputs *in = &a->scratch;
  if (req->gen != 0 && a->cache == NULL) {
    a->cache = calloc(CACHE_SLOTS, sizeof *a->cache);
    a->cache_text = calloc(CACHE_SLOTS * (a->n ? a->n : 1), TEXT_MAX);
    if (a->cache == NULL || a->cache_text == NULL) {
      free(a->cache), free(a->cache_text);
      a->cache = NULL, a->cache_text = NULL;
    }
    for (size_t i = 0; a->cache != NULL && i < CACHE_SLOTS; i++)
      a->cache[i].text = a->cache_text + i * a->n;
  }
  if (req->gen != 0 && a->cache != NULL) {
    in = &a->cache[sp_hash_str(req->borrower) % CACHE_SLOTS];
    if (in->gen == req->gen && strcmp(in->id, req->borrower) == 0) {
      *out = in;
      return SP_OK;
    }
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
static int assemble(sp_applier *a, const inputs *in, const json_t *values,
                    sp_error *err) {
  const char *key;
  json_t *v;
  json_object_foreach((json_t *)values, key, v) {
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
      a->fields[i] = in->text[i];
      bad = (long)i == in->bad_column;
    } else {
      a->fields[i] = a->text[i];
      bad = value_text(json_object_get(values, name), a->text[i], TEXT_MAX);
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
    snprintf(text, sizeof text, "C%llu", (unsigned long long)consent[s]);
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
  json_t *values = req->values        ? json_incref((json_t *)req->values)
                   : req->values_json ? json_loads(req->values_json, 0, NULL)
                                      : json_object();
  uint64_t consent[SOURCES];
  if (!json_is_object(values))
    rc = sp_error_set(err, SP_EINVAL, "values", "values: a JSON object");
  if (rc == SP_OK)
    rc = check_consents(a, req, in, consent, err);
  if (rc == SP_OK)
    rc = assemble(a, in, values, err);
  json_decref(values);
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
