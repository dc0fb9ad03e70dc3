/* sparrow demo, loading: a synthetic micro-enterprise portfolio
 * (sparrow/synth.h) turned into what a lender would have after a month of
 * business — a scorecard trained on past loans, applicants registered
 * with consents and data from eight sources, each decided by the decision
 * flow (sparrow/apply.h, as the service decides), and lines opened for
 * the approved ones at the decided limit and price. Referred applications
 * stay in the review queue for the console. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "demo.h"
#include "sparrow/apply.h"
#include "sparrow/money.h"
#include "sparrow/schema.h"
#include "sparrow/scorecard.h"
#include "sparrow/store.h"
#include "sparrow/svc.h"
#include "sparrow/synth.h"

#define CHUNK 200 /* applicants committed together */

static int write_text(const char *dir, const char *name, const char *text,
                      sp_error *err) {
  char path[4096];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  FILE *f = fopen(path, "w");
  int ok = f != NULL && fputs(text, f) >= 0;
  if (f != NULL && fclose(f) != 0)
    ok = 0;
  return ok ? SP_OK : sp_error_set(err, SP_EIO, "db", "cannot write %s", path);
}

static int write_history(const demo_plan *p, sp_error *err) {
  char path[4096];
  snprintf(path, sizeof path, "%s/history.csv", p->dir);
  FILE *f = fopen(path, "w");
  if (f == NULL)
    return sp_error_set(err, SP_EIO, "db", "cannot write %s", path);
  int rc = sp_synth_write_features_header(f, 1, err);
  sp_synth_firm firm;
  for (long i = 0; rc == SP_OK && i < p->history; i++) {
    sp_synth_firm_make(p->seed, SP_SYNTH_HISTORY, i, &firm);
    rc = sp_synth_write_features_row(f, &firm, 1, err);
  }
  if (fclose(f) != 0 && rc == SP_OK)
    rc = sp_error_set(err, SP_EIO, "db", "cannot write %s", path);
  return rc;
}

int demo_train(const demo_plan *p, sp_error *err) {
  mkdir(p->dir, 0755);
  int rc = write_history(p, err);
  if (rc == SP_OK)
    rc = write_text(p->dir, "schema.json", sp_synth_schema_json(), err);
  if (rc == SP_OK)
    rc = write_text(p->dir, "rules.json", sp_synth_rules_json(), err);
  if (rc == SP_OK)
    rc = write_text(p->dir, "flow.json", sp_synth_flow_json(), err);
  char path[4096];
  static sp_schema schema;
  sp_card_table *table = NULL;
  sp_card *card = NULL;
  sp_card_report report;
  snprintf(path, sizeof path, "%s/schema.json", p->dir);
  if (rc == SP_OK)
    rc = sp_schema_load_file(&schema, path, err);
  snprintf(path, sizeof path, "%s/history.csv", p->dir);
  if (rc == SP_OK)
    rc = sp_card_table_read_file(path, &table, err);
  sp_card_options o;
  sp_card_options_init(&o);
  o.target = "bad", o.bad_value = "1", o.exclude = "id", o.schema = &schema;
  if (rc == SP_OK)
    rc = sp_card_train(table, &o, &card, &report, NULL, err);
  snprintf(path, sizeof path, "%s/card.json", p->dir);
  FILE *f = rc == SP_OK ? fopen(path, "w") : NULL;
  if (rc == SP_OK && f == NULL)
    rc = sp_error_set(err, SP_EIO, "db", "cannot write %s", path);
  if (f != NULL) {
    rc = sp_card_write(card, f, err);
    if (fclose(f) != 0 && rc == SP_OK)
      rc = sp_error_set(err, SP_EIO, "db", "cannot write %s", path);
  }
  if (rc == SP_OK)
    printf("  scorecard: %d characteristics from %ld past loans (%ld bad); "
           "validation AUC %.3f, KS %.3f\n",
           report.selected, report.rows,
           report.train_bads + report.validation_bads, report.auc_validation,
           report.ks_validation);
  sp_card_free(card);
  sp_card_table_free(table);
  return rc;
}

/* The features of a firm as (header, values) text, split in place. */
typedef struct row {
  char buf[4096];
  char *name[64], *value[64];
  int n;
} row;

static int split(char *s, char **out, int cap) {
  int n = 0;
  for (char *p = s; n < cap; p++) {
    out[n++] = p;
    p = strchr(p, ',');
    if (p == NULL)
      break;
    *p = '\0';
  }
  return n;
}

static void firm_row(const sp_synth_firm *firm, row *r) {
  FILE *f = fmemopen(r->buf, sizeof r->buf, "w");
  sp_synth_write_features_header(f, 0, NULL);
  sp_synth_write_features_row(f, firm, 0, NULL);
  fputc('\0', f);
  fclose(f);
  char *nl = strchr(r->buf, '\n');
  *nl = '\0';
  char *second = nl + 1;
  nl = strchr(second, '\n');
  if (nl != NULL)
    *nl = '\0';
  r->n = split(r->buf, r->name, 64);
  split(second, r->value, 64);
}

static void borrower_of(const sp_synth_firm *x, sp_borrower *b) {
  memset(b, 0, sizeof *b);
  snprintf(b->id, sizeof b->id, "%s", x->id);
  snprintf(b->name, sizeof b->name, "%s", x->name);
  snprintf(b->kind, sizeof b->kind, "%s",
           x->sole_proprietor ? "sole_proprietor" : "enterprise");
  snprintf(b->credit_code, sizeof b->credit_code, "%s", x->credit_code);
  snprintf(b->legal_rep, sizeof b->legal_rep, "%s", x->legal_rep);
  snprintf(b->phone, sizeof b->phone, "%s", x->phone);
  snprintf(b->address, sizeof b->address, "%s", x->address);
  snprintf(b->industry, sizeof b->industry, "%s",
           sp_synth_industry_name(x->industry));
  snprintf(b->region, sizeof b->region, "%s", x->region);
}

/* A JSON object of the row's features from `source` (-1: the others). */
static void values_json(const row *r, const sp_schema *s, int source, char *out,
                        size_t cap) {
  size_t len = (size_t)snprintf(out, cap, "{");
  for (int i = 1; i < r->n && len < cap; i++) {
    int f = sp_schema_find(s, r->name[i], strlen(r->name[i]));
    int fs = f >= 0 ? (int)s->features[f].source : -1;
    int consented = fs >= 0 && fs < SP_SOURCE_COUNT;
    if (source >= 0 ? fs != source : consented)
      continue;
    if (r->value[i][0] == '\0')
      continue;
    len += (size_t)snprintf(out + len, cap - len, "%s\"%s\":\"%s\"",
                            len > 1 ? "," : "", r->name[i], r->value[i]);
  }
  if (len < cap)
    snprintf(out + len, cap - len, "}");
}

/* Borrower, consents to every source, and a record of each. */
static int register_firm(sp_svc *svc, const sp_synth_firm *x, const row *r,
                         const sp_schema *s, sp_time at, sp_error *err) {
  sp_borrower b;
  borrower_of(x, &b);
  b.created = at;
  int rc = sp_svc_borrower_put(svc, &b, err);
  char values[2048];
  for (int src = 0; rc == SP_OK && src < SP_SOURCE_COUNT; src++) {
    sp_consent c = {.source = (sp_source)src,
                    .purposes = 1u << SP_PURPOSE_CREDIT_DECISION |
                                1u << SP_PURPOSE_POST_LOAN_MONITORING,
                    .granted = at - 3600,
                    .expires = at + 2 * 365 * 86400};
    snprintf(c.borrower, sizeof c.borrower, "%s", x->id);
    uint64_t no;
    rc = sp_svc_consent_add(svc, &c, &no, err);
    values_json(r, s, src, values, sizeof values);
    sp_data_record d = {.borrower = x->id,
                        .source = (sp_source)src,
                        .as_of = sp_time_date(at) - 1,
                        .values_json = values,
                        .received = at - 1800};
    if (rc == SP_OK && strcmp(values, "{}") != 0)
      rc = sp_svc_data_add(svc, &d, &no, err);
  }
  return rc;
}

typedef struct applying {
  const demo_plan *p;
  sp_book *book;
  sp_svc *svc;
  sp_applier *applier;
  const sp_schema *schema;
  demo_line *lines;
  long n_lines, outcome[3];
} applying;

static int one(applying *a, long i, sp_error *err) {
  sp_synth_firm x;
  sp_synth_firm_make(a->p->seed, SP_SYNTH_APPLICANTS, i, &x);
  static row r;
  firm_row(&x, &r);
  sp_time at = sp_date_start(a->p->start) + 9 * 3600 + i * 7;
  int rc = register_firm(a->svc, &x, &r, a->schema, at, err);
  char values[2048], app_id[24];
  values_json(&r, a->schema, -1, values, sizeof values);
  snprintf(app_id, sizeof app_id, "P%s", x.id);
  sp_apply_request q = {
      .id = app_id, .borrower = x.id, .values_json = values, .at = at};
  sp_apply_result res;
  if (rc == SP_OK)
    rc = sp_apply(a->applier, a->svc, &q, &res, err);
  if (rc != SP_OK)
    return rc;
  free(res.doc);
  a->outcome[res.decision.outcome]++;
  if (res.decision.outcome != SP_DECIDE_APPROVE)
    return SP_OK;
  demo_line *l = &a->lines[a->n_lines++];
  snprintf(l->id, sizeof l->id, "L%s", x.id);
  l->pd = sp_synth_pd(&x);
  sp_product prod;
  sp_product_default(&prod);
  prod.annual_rate = res.decision.annual_rate;
  rc = sp_line_open(a->book, l->id, res.limit_fen, &prod, a->p->start, err);
  if (rc == SP_OK)
    rc = sp_svc_line_link(a->svc, l->id, x.id, err);
  if (rc == SP_OK)
    rc = sp_svc_app_set_line(a->svc, app_id, l->id, err);
  return rc;
}

static int load_flow(const demo_plan *p, sp_flow **flow, sp_schema *schema,
                     sp_error *err) {
  char path[4096];
  snprintf(path, sizeof path, "%s/flow.json", p->dir);
  int rc = sp_flow_load_file(path, flow, err);
  snprintf(path, sizeof path, "%s/schema.json", p->dir);
  if (rc == SP_OK)
    rc = sp_schema_load_file(schema, path, err);
  return rc;
}

int demo_apply(const demo_plan *p, sp_book *book, demo_line *lines,
               long *n_lines, sp_error *err) {
  static sp_schema schema;
  sp_flow *flow = NULL;
  applying a = {.p = p, .book = book, .schema = &schema, .lines = lines};
  sp_store *st = sp_book_store(book);
  int rc = load_flow(p, &flow, &schema, err);
  if (rc == SP_OK)
    rc = sp_applier_new(flow, &a.applier, err);
  if (rc == SP_OK)
    rc = sp_svc_open_store(st, &a.svc, err);
  for (long i = 0; rc == SP_OK && i < p->applicants; i += CHUNK) {
    rc = st->ops->batch_begin(st, err);
    for (long k = i; rc == SP_OK && k < i + CHUNK && k < p->applicants; k++)
      rc = one(&a, k, err);
    int end = st->ops->batch_end(st, rc == SP_OK, err);
    if (rc == SP_OK)
      rc = end;
  }
  if (rc == SP_OK)
    printf("  %ld applicants decided: %ld approved (lines opened), %ld "
           "referred (in the review queue), %ld declined\n",
           p->applicants, a.outcome[SP_DECIDE_APPROVE],
           a.outcome[SP_DECIDE_REFER], a.outcome[SP_DECIDE_DECLINE]);
  sp_svc_close(a.svc);
  sp_applier_free(a.applier);
  sp_flow_free(flow);
  *n_lines = a.n_lines;
  return rc;
}
