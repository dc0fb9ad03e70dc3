/* Names of the monitor's series, levels and actions; the schema that lets
 * rules name a series; the check that string literals in a rule name a
 * series; and the hash used for borrower and event ids (FNV-1a, 64 bits). */
#include <assert.h>
#include <stdio.h>
#include <string.h>

#include "monitor/monitor_int.h"

static const char *const series_names[SP_MONITOR_SERIES] = {
    "invoice_issued",
    "invoice_received",
    "tax_filing",
    "utility_electricity",
    "utility_water",
    "social_insurance",
    "ecommerce_sales",
    "ecommerce_returns",
    "logistics",
    "customs_declaration",
    "customs_clearance",
    "court_filing",
    "account_debit",
    "account_credit",
    "repayment",
    "draw",
    "logistics_stuck",
    "account_debit_securities",
    "account_debit_real_estate"};

static const char *const level_names[] = {"info", "watch", "warning", "severe"};
static const char *const action_names[] = {
    "warn", "freeze_line", "reduce_limit", "release_limit", "open_case"};

const char *sp_monitor_series_name(int series) {
  assert(series >= 0 && series < SP_MONITOR_SERIES);
  return series_names[series];
}

int sp_monitor_series_find(const char *name, size_t len) {
  assert(name != NULL);
  for (int i = 0; i < SP_MONITOR_SERIES; i++)
    if (strlen(series_names[i]) == len &&
        memcmp(series_names[i], name, len) == 0)
      return i;
  return -1;
}

const char *sp_monitor_level_name(sp_monitor_level level) {
  assert((unsigned)level < 4);
  return level_names[level];
}

const char *sp_monitor_action_name(sp_monitor_action_kind action) {
  assert((unsigned)action < 5);
  return action_names[action];
}

uint64_t sp__monitor_hash(const char *s) {
  uint64_t h = 1469598103934665603ULL;
  for (int i = 0; i < SP_MONITOR_ID_MAX && s[i] != '\0'; i++) {
    h ^= (unsigned char)s[i];
    h *= 1099511628211ULL;
  }
  return h | 1; /* never 0, which marks an empty slot */
}

void sp__monitor_schema(sp_schema *out) {
  memset(out, 0, sizeof *out);
  for (int i = 0; i < SP_MONITOR_SERIES; i++) {
    sp_feature *f = &out->features[i];
    snprintf(f->name, sizeof f->name, "%s", series_names[i]);
    f->type = SP_FEATURE_CATEGORY;
    f->source = SP_SOURCE_INTERNAL;
  }
  out->n_features = SP_MONITOR_SERIES;
}

/* Scans text like the rule lexer does for "..." literals (with \ escapes)
 * and checks each names a series; the error points at its opening quote. */
int sp__monitor_check_strings(const char *text, sp_error *err) {
  int line = 1, column = 1;
  for (size_t i = 0; i < SP_EXPR_TEXT_MAX && text[i] != '\0'; i++, column++) {
    if (text[i] == '\n') {
      line++;
      column = 0;
      continue;
    }
    if (text[i] != '"')
      continue;
    size_t start = i + 1, j = start;
    int escaped = 0;
    while (text[j] != '\0' && text[j] != '"' && j < SP_EXPR_TEXT_MAX) {
      escaped |= text[j] == '\\';
      j += text[j] == '\\' && text[j + 1] != '\0' ? 2 : 1;
    }
    if (text[j] != '"')
      return SP_OK; /* unterminated: the compiler reports it */
    if (escaped || sp_monitor_series_find(text + start, j - start) < 0)
      return sp_error_set_at(err, SP_ENOTFOUND, "", line, column,
                             "line %d column %d: unknown event kind '%.*s'",
                             line, column, (int)(j - start), text + start);
    column += (int)(j - i);
    i = j;
  }
  return SP_OK;
}

/* The series a condition names (bare or quoted), as bits; with
 * SP_MONITOR_INPUTS_ALWAYS when it uses days_since or names none. Run on
 * text that compiled, so every quoted string is a series name. */
uint32_t sp__monitor_rule_inputs(const char *text) {
  uint32_t mask = 0;
  size_t i = 0;
  while (i < SP_EXPR_TEXT_MAX && text[i] != '\0') {
    char c = text[i];
    int quoted = c == '"';
    int word = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
    if (!quoted && !word) {
      i++;
      continue;
    }
    size_t start = i + (size_t)quoted, j = start;
    while (text[j] != '\0' &&
           (quoted ? text[j] != '"'
                   : ((text[j] | 32) >= 'a' && (text[j] | 32) <= 'z') ||
                         (text[j] >= '0' && text[j] <= '9') || text[j] == '_'))
      j++;
    int s = sp_monitor_series_find(text + start, j - start);
    if (s >= 0)
      mask |= 1u << s;
    if (!quoted && j - start == 10 &&
        memcmp(text + start, "days_since", 10) == 0)
      mask |= SP_MONITOR_INPUTS_ALWAYS;
    i = j + (quoted && text[j] == '"');
  }
  return mask == 0 ? SP_MONITOR_INPUTS_ALWAYS : mask;
}
