/* The route table: every route's method, path template, the roles that may
 * call it, its body fields and query arguments, and its handler.
 *
 * The same table drives the router, the access check, the body checks and
 * the OpenAPI document, so they cannot disagree. Roles by route:
 *
 *   route                               app  officer  risk  auditor  admin
 *   POST /v1/borrowers                   x     x                       x
 *   GET  /v1/borrowers/{id}              x     x       x      x        x
 *   POST /v1/borrowers/{id}/data         x     x                       x
 *   GET  /v1/borrowers/{id}/data               x       x      x        x
 *   POST /v1/borrowers/{id}/consents     x     x                       x
 *   GET  /v1/borrowers/{id}/consents     x     x       x      x        x
 *   DELETE .../consents/{cid}            x     x                       x
 *   GET  .../consent-check                     x       x      x        x
 *   POST /v1/lines                             x                       x
 *   GET  /v1/lines/{id}                  x     x       x      x        x
 *   POST /v1/lines/{id}/draws            x     x                       x
 *   POST /v1/lines/{id}/repayments       x     x                       x
 *   POST /v1/lines/{id}/freeze                 x       x               x
 *   POST /v1/lines/{id}/unfreeze                       x               x
 *   GET  /v1/lines/{id}/statement        x     x       x      x        x
 *   POST /v1/loans                             x                       x
 *   GET  /v1/loans/{id}, .../schedule    x     x       x      x        x
 *   POST /v1/loans/{id}/repayments       x     x                       x
 *   POST /v1/events                            x       x               x
 *   GET  /v1/borrowers/{id}/warnings           x       x      x        x
 *   POST /v1/applications                x     x                       x
 *   GET  /v1/applications[/{id}]               x       x      x        x
 *   POST /v1/applications/{id}/review          x       x               x
 *   GET  /v1/portfolio                         x       x      x        x
 *   GET  /v1/borrowers                         x       x      x        x
 *   GET  /v1/borrowers/{id}/lines        x     x       x      x        x
 *   GET  /v1/me                          x     x       x      x        x
 *   GET  /metrics                                      x      x        x
 *   GET  /healthz, /openapi.json: public */
#include <assert.h>
#include <string.h>

#include "http/http_int.h"

#define APP SP_ROLE_BIT(SP_ROLE_APPLICANT_APP)
#define OFFICER SP_ROLE_BIT(SP_ROLE_LOAN_OFFICER)
#define RISK SP_ROLE_BIT(SP_ROLE_RISK_MANAGER)
#define AUDITOR SP_ROLE_BIT(SP_ROLE_AUDITOR)
#define ADMIN SP_ROLE_BIT(SP_ROLE_ADMIN)
#define ALL SP_ROLES_ALL

static const sp__field borrower_fields[] = {
    {"id", SP__F_STRING, 1, SP_SVC_ID_MAX, "borrower id, e.g. B1"},
    {"name", SP__F_STRING, 1, 127, "registered name"},
    {"kind", SP__F_STRING, 1, 15, "enterprise or sole_proprietor"},
    {"credit_code", SP__F_STRING, 0, 18, "unified social credit code"},
    {"id_number", SP__F_STRING, 0, 18, "resident ID number"},
    {"legal_rep", SP__F_STRING, 0, 63, "legal representative"},
    {"phone", SP__F_STRING, 0, 11, "mobile phone number"},
    {"address", SP__F_STRING, 0, 255, "registered address"},
    {"industry", SP__F_STRING, 0, 63, "industry"},
    {"region", SP__F_STRING, 0, 6, "administrative division code"},
    {NULL, 0, 0, 0, NULL}};

static const sp__field data_fields[] = {
    {"source", SP__F_STRING, 1, 23,
     "tax, invoice, utility, social_insurance, ecommerce, logistics, "
     "customs or judicial"},
    {"as_of", SP__F_DATE, 1, 10, "date the values describe"},
    {"values", SP__F_OBJECT, 1, 16384, "the source's values"},
    {NULL, 0, 0, 0, NULL}};

static const sp__field consent_fields[] = {
    {"source", SP__F_STRING, 1, 23, "the data source"},
    {"scope", SP__F_STRINGS, 1, 31,
     "purposes: credit_decision, post_loan_monitoring, fraud_prevention"},
    {"expires", SP__F_TIME, 1, 32, "ISO 8601 time the consent ends"},
    {NULL, 0, 0, 0, NULL}};

static const sp__field line_fields[] = {
    {"id", SP__F_STRING, 1, SP_LOAN_ID_MAX, "line id, e.g. L1"},
    {"application", SP__F_STRING, 0, SP_SVC_ID_MAX,
     "an approved application: its borrower, limit and rate"},
    {"borrower", SP__F_STRING, 0, SP_SVC_ID_MAX,
     "borrower id (without application)"},
    {"limit", SP__F_MONEY, 0, 24,
     "credit limit, e.g. \"100000.00\" (without application)"},
    {"daily_rate", SP__F_RATE, 0, 20, "daily rate, e.g. \"0.02%\""},
    {"annual_rate", SP__F_RATE, 0, 20, "annual rate, e.g. \"7.2%\""},
    {"daycount", SP__F_STRING, 0, 7, "ACT/360 (default), ACT/365, 30/360"},
    {"per_second", SP__F_BOOL, 0, 0, "accrue by the second"},
    {"term_months", SP__F_INT, 0, 360, "tenor in months (default 12)"},
    {"date", SP__F_DATE, 1, 10, "opening date"},
    {NULL, 0, 0, 0, NULL}};

static const sp__field move_fields[] = {
    {"amount", SP__F_MONEY, 1, 24, "amount, e.g. \"50000.00\""},
    {"at", SP__F_TIME, 0, 32, "business time (default: now)"},
    {NULL, 0, 0, 0, NULL}};

static const sp__field loan_fields[] = {
    {"id", SP__F_STRING, 1, SP_LOAN_ID_MAX, "loan id, e.g. T1"},
    {"borrower", SP__F_STRING, 1, SP_SVC_ID_MAX, "borrower id"},
    {"principal", SP__F_MONEY, 1, 24, "principal, e.g. \"100000.00\""},
    {"fee", SP__F_MONEY, 0, 24, "upfront fee withheld from the disbursement"},
    {"annual_rate", SP__F_RATE, 0, 20, "annual rate, e.g. \"12%\""},
    {"daily_rate", SP__F_RATE, 0, 20, "daily rate, e.g. \"0.05%\""},
    {"daycount", SP__F_STRING, 0, 7, "ACT/360 (default), ACT/365, 30/360"},
    {"term_months", SP__F_INT, 1, SP_SCHEDULE_TERM_MAX, "installments"},
    {"method", SP__F_STRING, 1, 20,
     "annuity, equal-principal, interest-first or flat"},
    {"start", SP__F_DATE, 1, 10, "disbursement date"},
    {NULL, 0, 0, 0, NULL}};

static const sp__field no_fields[] = {{NULL, 0, 0, 0, NULL}};

static const sp__field event_fields[] = {
    {"id", SP__F_STRING, 1, SP_MONITOR_ID_MAX - 1,
     "event id (duplicates count once)"},
    {"borrower", SP__F_STRING, 1, SP_MONITOR_ID_MAX - 1, "borrower id"},
    {"kind", SP__F_STRING, 1, 31,
     "invoice_issued, tax_filing, utility_electricity, ... "
     "(sparrow/monitor.h)"},
    {"time", SP__F_TIME, 1, 32, "event time, ISO 8601"},
    {"amount", SP__F_UINT, 0, 1000000000000000, "money kinds: integer fen"},
    {"value", SP__F_UINT, 0, 1000000000000000, "count kinds: an integer"},
    {"status", SP__F_STRING, 0, 15,
     "logistics: collected, in_transit, stuck, delivered"},
    {"counterparty", SP__F_STRING, 0, 63, "account movements: who"},
    {"counterparty_type", SP__F_STRING, 0, 31,
     "account movements: securities, real_estate, ..."},
    {NULL, 0, 0, 0, NULL}};

static const sp__field application_fields[] = {
    {"id", SP__F_STRING, 1, SP_SVC_ID_MAX, "application id, e.g. A1"},
    {"borrower", SP__F_STRING, 1, SP_SVC_ID_MAX, "borrower id"},
    {"amount", SP__F_MONEY, 0, 24, "amount asked for (caps the limit)"},
    {"values", SP__F_OBJECT, 0, 16384,
     "the application's own values: bureau, internal and form features"},
    {"at", SP__F_TIME, 0, 32, "decision time for consents (default: now)"},
    {NULL, 0, 0, 0, NULL}};

static const sp__field review_fields[] = {
    {"decision", SP__F_STRING, 1, 7, "approve or decline"},
    {"note", SP__F_STRING, 1, 255, "the reviewer's reason"},
    {NULL, 0, 0, 0, NULL}};

static const sp__query status_query[] = {
    {"status", 0, "approved, referred or declined"}, {NULL, 0, NULL}};
static const sp__query after_query[] = {
    {"after", 0, "list borrowers after this id"}, {NULL, 0, NULL}};

static const sp__query check_query[] = {
    {"source", 1, "data source"},
    {"purpose", 1, "purpose of use"},
    {"at", 0, "time to check at (default now)"},
    {NULL, 0, NULL}};
static const sp__query at_query[] = {
    {"at", 0, "time for the status (default now)"}, {NULL, 0, NULL}};

#define R(m, p, roles, money, fields, query, fn, ok, locked, summary)          \
  { {m, p, roles, money, summary}, fields, query, fn, ok, locked }

const sp__route sp__routes[] = {
    R("GET", "/healthz", 0, 0, NULL, NULL, sp__h_healthz, 200, 0,
      "liveness: the server answers"),
    /* Not locked: the book's totals come from a read-only view (view.c). */
    R("GET", "/metrics", RISK | AUDITOR | ADMIN, 0, NULL, NULL, sp__h_metrics,
      200, 0, "Prometheus metrics: requests, latency, ledger totals"),
    R("GET", "/openapi.json", 0, 0, NULL, NULL, sp__h_openapi, 200, 0,
      "this API's OpenAPI 3 description"),
    R("POST", "/v1/borrowers", APP | OFFICER | ADMIN, 0, borrower_fields, NULL,
      sp__h_borrower_post, 201, 1, "register a borrower"),
    R("GET", "/v1/borrowers/{id}", ALL, 0, NULL, NULL, sp__h_borrower_get, 200,
      1, "a borrower (personal data masked for some roles)"),
    R("POST", "/v1/borrowers/{id}/data", APP | OFFICER | ADMIN, 0, data_fields,
      NULL, sp__h_data_post, 201, 1, "add a multi-source data record"),
    R("GET", "/v1/borrowers/{id}/data", OFFICER | RISK | AUDITOR | ADMIN, 0,
      NULL, NULL, sp__h_data_get, 200, 1, "a borrower's data records"),
    R("POST", "/v1/borrowers/{id}/consents", APP | OFFICER | ADMIN, 0,
      consent_fields, NULL, sp__h_consent_post, 201, 1, "record a consent"),
    R("GET", "/v1/borrowers/{id}/consents", ALL, 0, NULL, at_query,
      sp__h_consent_list, 200, 1, "consents with their status"),
    R("POST", "/v1/events", OFFICER | RISK | ADMIN, 0, event_fields, NULL,
      sp__h_event_post, 200, 1,
      "a borrower event for early warning; returns the actions it caused"),
    R("GET", "/v1/borrowers/{id}/warnings", OFFICER | RISK | AUDITOR | ADMIN, 0,
      NULL, NULL, sp__h_warning_list, 200, 1,
      "early-warning actions taken on a borrower, with their events"),
    R("DELETE", "/v1/borrowers/{id}/consents/{cid}", APP | OFFICER | ADMIN, 0,
      NULL, NULL, sp__h_consent_delete, 200, 1, "revoke a consent"),
    R("GET", "/v1/borrowers/{id}/consent-check",
      OFFICER | RISK | AUDITOR | ADMIN, 0, NULL, check_query,
      sp__h_consent_check, 200, 1, "may this source be used for this purpose"),
    R("POST", "/v1/applications", APP | OFFICER | ADMIN, 2, application_fields,
      NULL, sp__h_application_post, 201, 1,
      "apply for credit: decided at once on consented data, with reasons"),
    R("GET", "/v1/applications", OFFICER | RISK | AUDITOR | ADMIN, 0, NULL,
      status_query, sp__h_application_list, 200, 1,
      "applications, newest first (status=referred: the review queue)"),
    R("GET", "/v1/applications/{id}", OFFICER | RISK | AUDITOR | ADMIN, 0, NULL,
      NULL, sp__h_application_get, 200, 1,
      "an application: decision, score composition, reasons, data used"),
    R("POST", "/v1/applications/{id}/review", OFFICER | RISK | ADMIN, 0,
      review_fields, NULL, sp__h_application_review, 200, 1,
      "approve or decline a referred application, with a note"),
    /* Not locked: answered from a read-only view of the file (view.c). */
    R("GET", "/v1/portfolio", OFFICER | RISK | AUDITOR | ADMIN, 0, NULL, NULL,
      sp__h_portfolio, 200, 0,
      "outstanding, lines, draws today, approval rate, buckets, classes"),
    R("GET", "/v1/borrowers", OFFICER | RISK | AUDITOR | ADMIN, 0, NULL,
      after_query, sp__h_borrower_list, 200, 1, "borrowers in id order"),
    R("GET", "/v1/borrowers/{id}/lines", ALL, 0, NULL, NULL,
      sp__h_borrower_lines, 200, 1, "a borrower's lines and term loans"),
    R("GET", "/v1/me", ALL, 0, NULL, NULL, sp__h_me, 200, 0,
      "the caller's role"),
    R("POST", "/v1/lines", OFFICER | ADMIN, 0, line_fields, NULL,
      sp__h_line_post, 201, 1, "open a revolving credit line"),
    R("GET", "/v1/lines/{id}", ALL, 0, NULL, NULL, sp__h_line_get, 200, 1,
      "a line: balances, days past due, classification"),
    R("POST", "/v1/lines/{id}/draws", APP | OFFICER | ADMIN, 1, move_fields,
      NULL, sp__h_line_draw, 201, 1, "draw on a line"),
    R("POST", "/v1/lines/{id}/repayments", APP | OFFICER | ADMIN, 1,
      move_fields, NULL, sp__h_line_repay, 201, 1, "repay a line"),
    R("POST", "/v1/lines/{id}/freeze", OFFICER | RISK | ADMIN, 0, no_fields,
      NULL, sp__h_line_freeze, 200, 1, "freeze draws"),
    R("POST", "/v1/lines/{id}/unfreeze", RISK | ADMIN, 0, no_fields, NULL,
      sp__h_line_unfreeze, 200, 1, "allow draws again"),
    R("GET", "/v1/lines/{id}/statement", ALL, 0, NULL, NULL,
      sp__h_line_statement, 200, 1, "a line's ledger entries"),
    R("POST", "/v1/loans", OFFICER | ADMIN, 1, loan_fields, NULL,
      sp__h_loan_post, 201, 1, "open and disburse a term loan"),
    R("GET", "/v1/loans/{id}", ALL, 0, NULL, NULL, sp__h_loan_get, 200, 1,
      "a term loan: balances, days past due, classification"),
    R("GET", "/v1/loans/{id}/schedule", ALL, 0, NULL, NULL, sp__h_loan_schedule,
      200, 1, "a term loan's installments as they stand"),
    R("POST", "/v1/loans/{id}/repayments", APP | OFFICER | ADMIN, 1,
      move_fields, NULL, sp__h_loan_repay, 201, 1, "repay a term loan"),
};
const size_t sp__route_n = sizeof sp__routes / sizeof sp__routes[0];

size_t sp_http_route_count(void) { return sp__route_n; }

const sp_http_route_info *sp_http_route_at(size_t i) {
  assert(i < sp__route_n);
  return &sp__routes[i].info;
}

/* A path parameter: 1..SP_SVC_ID_MAX characters of [A-Za-z0-9._-]. */
static int param_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
}

/* Matches path against a template, copying parameters into params. */
static int path_match(const char *tmpl, const char *path,
                      char params[][SP_SVC_ID_MAX + 1]) {
  int np = 0;
  while (*tmpl && *path) {
    if (*tmpl == '{') {
      size_t n = 0;
      while (param_char(path[n]))
        n++;
      if (n == 0 || n > SP_SVC_ID_MAX || np == SP__PARAMS_MAX)
        return 0;
      if (params != NULL) {
        memcpy(params[np], path, n);
        params[np][n] = '\0';
      }
      np++;
      path += n;
      tmpl = strchr(tmpl, '}') + 1;
    } else if (*tmpl++ != *path++) {
      return 0;
    }
  }
  return *tmpl == '\0' && *path == '\0';
}

int sp__route_find(const char *method, const char *path,
                   char params[][SP_SVC_ID_MAX + 1]) {
  int path_seen = 0;
  for (size_t i = 0; i < sp__route_n; i++) {
    if (!path_match(sp__routes[i].info.path, path, NULL))
      continue;
    path_seen = 1;
    if (strcmp(sp__routes[i].info.method, method) == 0) {
      path_match(sp__routes[i].info.path, path, params);
      return (int)i;
    }
  }
  return path_seen ? -2 : -1;
}

int sp_http_route_match(const char *method, const char *path) {
  return sp__route_find(method, path, NULL);
}
