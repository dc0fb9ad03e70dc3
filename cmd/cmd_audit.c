/* sparrow audit-model: fairness by protected group, protected fields used
 * by the model or the rules, and drift against a baseline (see
 * sparrow/audit.h). The report is one JSON document; the exit status is 1
 * when the audit finds a problem (a protected field used by the model or a
 * rule, or a group below four-fifths), 2 on bad input, else 0. */
#include <jansson.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "sparrow/audit.h"
#include "sparrow/rules.h"
#include "sparrow/schema.h"
#include "sparrow/tree.h"

#define N(o) (sizeof(o) / sizeof((o)[0]))
#define PROTECTED_MAX 32

typedef struct audit {
  const char *names[PROTECTED_MAX]; /* protected fields */
  int n;
  char list[1024];
  int n_listed; /* the first n_listed came from --protected */
  json_t *findings;
  int failed;
} audit;

static int is_protected(const audit *a, const char *name) {
  for (int i = 0; i < a->n; i++)
    if (name && strcmp(a->names[i], name) == 0)
      return 1;
  return 0;
}

static void add_protected(audit *a, const char *name) {
  if (!is_protected(a, name) && a->n < PROTECTED_MAX)
    a->names[a->n++] = name;
}

/* Paths named by a flow file, relative to it: schema, rules, model. */
typedef struct paths {
  char schema[4096], rules[4096], model[4096];
} paths;

static int flow_paths(const char *flow, paths *p, sp_error *err) {
  json_error_t je;
  json_t *root = json_load_file(flow, 0, &je);
  if (root == NULL)
    return sp_error_set_at(err, SP_EPARSE, "flow", je.line, je.column,
                           "--flow %s:%d:%d: %s", flow, je.line, je.column,
                           je.text);
  char copy[4096];
  snprintf(copy, sizeof copy, "%s", flow);
  const char *dir = dirname(copy);
  const char *key[] = {"schema", "rules", "model"};
  char *out[] = {p->schema, p->rules, p->model};
  for (int i = 0; i < 3; i++) {
    const char *v = json_string_value(json_object_get(root, key[i]));
    if (v != NULL)
      snprintf(out[i], 4096, "%s%s%s", v[0] == '/' ? "" : dir,
               v[0] == '/' ? "" : "/", v);
  }
  json_decref(root);
  return SP_OK;
}

static void finding(audit *a, const char *feature, const char *by,
                    const char *detail) {
  json_array_append_new(a->findings,
                        json_pack("{s:s,s:s,s:s}", "feature", feature,
                                  "used_by", by, "detail", detail));
  a->failed = 1;
}

static int check_model(audit *a, const char *path, sp_error *err) {
  if (sp_card_detect_file(path)) {
    sp_card *card;
    int rc = sp_card_load_file(path, &card, err);
    for (size_t i = 0; rc == SP_OK && i < sp_card_feature_count(card); i++)
      if (is_protected(a, sp_card_feature_name(card, i)))
        finding(a, sp_card_feature_name(card, i), "model",
                "a scorecard characteristic");
    if (rc == SP_OK)
      sp_card_free(card);
    return rc;
  }
  sp_tree_model *tree;
  int rc = sp_tree_load_file(path, &tree, err);
  for (size_t i = 0; rc == SP_OK && i < sp_tree_feature_count(tree); i++)
    if (is_protected(a, sp_tree_feature_name(tree, i)))
      finding(a, sp_tree_feature_name(tree, i), "model",
              "a tree model feature");
  if (rc == SP_OK)
    sp_tree_free(tree);
  return rc;
}

/* Rules are loaded as deciding rules with every protected field marked
 * protected: a rule that reads one is refused, naming it. */
static int check_rules(audit *a, const sp_schema *schema, const char *path,
                       sp_error *err) {
  static sp_schema marked;
  marked = *schema;
  for (int i = 0; i < marked.n_features; i++)
    if (is_protected(a, marked.features[i].name))
      marked.features[i].is_protected = 1;
  sp_expr_env env = {.schema = &marked};
  static sp_rules rules;
  int rc = sp_rules_load_file(&rules, &env, path, err);
  if (rc == SP_OK || strstr(err->message, "protected feature") == NULL)
    return rc;
  /* The message names the feature: ... protected feature 'NAME' */
  char name[64] = "?";
  const char *q = strstr(err->message, "protected feature '");
  if (q != NULL)
    sscanf(q + strlen("protected feature '"), "%63[^']", name);
  finding(a, name, "rules", err->message);
  sp_error_clear(err);
  return SP_OK;
}

static json_t *group_json(const sp_audit_fairness *f, int i, int target) {
  const sp_audit_group *g = &f->groups[i];
  json_t *o = json_pack("{s:s,s:I,s:I,s:f,s:f,s:s}", "value", g->value, "n",
                        (json_int_t)g->n, "approved", (json_int_t)g->approved,
                        "approval_rate", g->approval_rate, "air", g->air,
                        "four_fifths", g->passes ? "pass" : "fail");
  if (target) {
    json_object_set_new(o, "bad_rate",
                        g->known ? json_real((double)g->bads / (double)g->known)
                                 : json_null());
    json_object_set_new(o, "bad_rate_approved",
                        g->approved_known ? json_real((double)g->approved_bads /
                                                      (double)g->approved_known)
                                          : json_null());
  }
  return o;
}

typedef struct options {
  const char *data, *decision, *approve, *target, *bad, *flow, *model, *rules,
      *schema, *baseline, *out;
} options;

static int fairness(audit *a, const options *op, const sp_card_table *t,
                    json_t *report, sp_error *err) {
  json_t *groups = json_array();
  json_object_set_new(report, "fairness", groups);
  static sp_audit_fairness f;
  for (int i = 0; i < a->n; i++) {
    int rc = sp_audit_fairness_of(t, a->names[i], op->decision, op->approve,
                                  op->target, op->bad, &f, err);
    if (rc == SP_ENOTFOUND && strcmp(err->field, "protected") == 0 &&
        i >= a->n_listed)
      continue; /* a schema's protected field the data does not carry */
    if (rc != SP_OK)
      return rc;
    json_t *gs = json_array();
    for (int g = 0; g < f.n_groups; g++) {
      json_array_append_new(gs, group_json(&f, g, op->target != NULL));
      a->failed |= !f.groups[g].passes;
    }
    json_array_append_new(
        groups,
        json_pack("{s:s,s:s,s:o}", "column", a->names[i], "reference",
                  f.n_groups ? f.groups[f.reference].value : "", "groups", gs));
  }
  return SP_OK;
}

static int skipped_column(const options *op, const char *name) {
  static const char *const out[] = {
      "score",    "pd",       "limit",    "annual_rate", "rules",
      "reason_1", "reason_2", "reason_3", "reason_4",    NULL};
  if (strcmp(name, op->decision) == 0 ||
      (op->target && strcmp(name, op->target) == 0))
    return 1;
  for (int i = 0; out[i]; i++)
    if (strcmp(name, out[i]) == 0)
      return 1;
  return 0;
}

static int drift(const options *op, const sp_card_table *t, json_t *report,
                 sp_error *err) {
  sp_card_table *base;
  int rc = sp_card_table_read_file(op->baseline, &base, err);
  if (rc != SP_OK) {
    snprintf(err->field, sizeof err->field, "baseline");
    return rc;
  }
  json_t *cols = json_array();
  json_object_set_new(report, "drift", cols);
  for (size_t c = 0; rc == SP_OK && c < sp_card_table_columns(t); c++) {
    const char *name = sp_card_table_name(t, c);
    size_t k = 0;
    while (k < sp_card_table_columns(base) &&
           strcmp(sp_card_table_name(base, k), name) != 0)
      k++;
    if (skipped_column(op, name) || k == sp_card_table_columns(base))
      continue;
    double psi;
    int numeric;
    rc = sp_audit_psi(base, t, name, &psi, &numeric, err);
    if (rc == SP_OK)
      json_array_append_new(
          cols, json_pack("{s:s,s:s,s:f,s:s}", "column", name, "binned",
                          numeric ? "deciles" : "values", "psi", psi, "reading",
                          sp_audit_psi_label(psi)));
  }
  sp_card_table_free(base);
  return rc;
}

/* The protected-use check: against the flow's or the given files. */
static int protected_use(audit *a, const options *op, sp_error *err) {
  static paths p;
  memset(&p, 0, sizeof p);
  int rc = op->flow ? flow_paths(op->flow, &p, err) : SP_OK;
  if (op->model)
    snprintf(p.model, sizeof p.model, "%s", op->model);
  if (op->rules)
    snprintf(p.rules, sizeof p.rules, "%s", op->rules);
  if (op->schema)
    snprintf(p.schema, sizeof p.schema, "%s", op->schema);
  static sp_schema schema;
  if (rc == SP_OK && p.schema[0]) {
    rc = sp_schema_load_file(&schema, p.schema, err);
    for (int i = 0; rc == SP_OK && i < schema.n_features; i++)
      if (schema.features[i].is_protected)
        add_protected(a, schema.features[i].name);
  }
  if (rc == SP_OK && p.rules[0] && !p.schema[0])
    return sp_error_set(err, SP_EINVAL, "schema",
                        "--rules: needs --schema (or a --flow naming one)");
  if (rc == SP_OK && p.model[0])
    rc = check_model(a, p.model, err);
  if (rc == SP_OK && p.rules[0])
    rc = check_rules(a, &schema, p.rules, err);
  return rc;
}

static int split_protected(audit *a, char *list, const cli_cmd *cmd) {
  for (char *tok = strtok(list, ","); tok; tok = strtok(NULL, ","))
    if (*tok)
      add_protected(a, tok);
  a->n_listed = a->n;
  return a->n ? 0 : cli_usage_error(cmd, "--protected: at least one column");
}

static int run(audit *a, const options *op, json_t *report, sp_error *err) {
  sp_card_table *t;
  int rc = protected_use(a, op, err);
  if (rc == SP_OK && (rc = sp_card_table_read_file(op->data, &t, err)) != SP_OK)
    snprintf(err->field, sizeof err->field, "data");
  if (rc != SP_OK)
    return rc;
  json_object_set_new(report, "rows",
                      json_integer((json_int_t)sp_card_table_rows(t)));
  rc = fairness(a, op, t, report, err);
  json_t *names = json_array();
  for (int i = 0; i < a->n; i++)
    json_array_append_new(names, json_string(a->names[i]));
  json_object_set_new(
      report, "protected",
      json_pack("{s:o,s:O}", "fields", names, "findings", a->findings));
  if (rc == SP_OK && op->baseline)
    rc = drift(op, t, report, err);
  sp_card_table_free(t);
  return rc;
}

int cmd_audit(int argc, char **argv) {
  static const cli_cmd cmd = {
      "audit-model",
      "Fairness and drift audit of a decided data set: approval and bad "
      "rates by\n"
      "protected group with the adverse impact ratio (four-fifths rule), "
      "protected\n"
      "fields used by the model or rules, and each column's population "
      "stability\n"
      "against a baseline. Prints a JSON report. Exit 1: the audit found a "
      "problem\n"
      "(a protected field in use, or a group below four-fifths); 2: bad "
      "input.",
      "--data D.csv --protected a,b [--decision COL] [--approve VALUE] "
      "[--target COL --bad VALUE] [--flow F | --model M [--rules R --schema "
      "S]] [--baseline B.csv] [--out report.json]"};
  cli_opt o[] = {
      {"data", 1, "decided rows (e.g. sparrow decide's output)", 0},
      {"protected", 1, "protected columns, comma-separated", 0},
      {"decision", 1, "column of decisions (decision)", 0},
      {"approve", 1, "the decision value that approves (approve)", 0},
      {"target", 1, "outcome column, for bad rates", 0},
      {"bad", 1, "the target value of a bad loan", 0},
      {"flow", 1, "decision flow: its schema, rules and model are checked", 0},
      {"model", 1, "scorecard or XGBoost model to check", 0},
      {"rules", 1, "policy rules to check (with --schema)", 0},
      {"schema", 1, "feature schema (its protected marks count)", 0},
      {"baseline", 1, "data set to measure drift against", 0},
      {"out", 1, "write the report here (default: standard output)", 0}};
  int rc = cli_parse(&cmd, argc, argv, o, N(o));
  static const char *const req[] = {"data", "protected", NULL};
  if (rc || (rc = cli_require(&cmd, o, N(o), req)))
    return rc == 1 ? 0 : rc;
  options op = {cli_get(o, N(o), "data"),    cli_get(o, N(o), "decision"),
                cli_get(o, N(o), "approve"), cli_get(o, N(o), "target"),
                cli_get(o, N(o), "bad"),     cli_get(o, N(o), "flow"),
                cli_get(o, N(o), "model"),   cli_get(o, N(o), "rules"),
                cli_get(o, N(o), "schema"),  cli_get(o, N(o), "baseline"),
                cli_get(o, N(o), "out")};
  op.decision = op.decision ? op.decision : "decision";
  op.approve = op.approve ? op.approve : "approve";
  if ((op.target == NULL) != (op.bad == NULL))
    return cli_usage_error(&cmd, "--target and --bad go together");
  if (op.flow && (op.model || op.rules))
    return cli_usage_error(&cmd, "--flow: or --model/--rules, not both");
  static audit a;
  snprintf(a.list, sizeof a.list, "%s", cli_get(o, N(o), "protected"));
  if ((rc = split_protected(&a, a.list, &cmd)))
    return rc;
  a.findings = json_array();
  json_t *report = json_object();
  sp_error err;
  sp_error_clear(&err);
  rc = run(&a, &op, report, &err);
  if (rc == SP_OK) {
    cli_out res;
    if (cli_out_open(&res, op.out) != 0)
      rc =
          sp_error_set(&err, SP_EIO, "out", "--out: cannot write '%s'", op.out);
    else {
      json_dumpf(report, res.f, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
      fputc('\n', res.f);
      if (cli_out_finish(&res, 1) != 0)
        rc = sp_error_set(&err, SP_EIO, "out", "--out: cannot write '%s'",
                          op.out ? op.out : "standard output");
    }
  }
  json_decref(report);
  json_decref(a.findings);
  if (rc != SP_OK)
    return cli_fail(&cmd, &err);
  if (a.failed)
    fprintf(stderr, "sparrow audit-model: the audit found a problem (see the "
                    "report)\n");
  return a.failed ? 1 : 0;
}
