/* Reading transactions and guarantees from CSV through the column map.
 *
 * The header row is matched against the configured column names (exact,
 * case-sensitive, a UTF-8 byte-order mark ignored). Required columns are
 * time, from_account, to_account and amount (guarantor, borrower, amount
 * for guarantees); an optional column that was named explicitly (by a map
 * or the config) must exist too. Every failure names the column, and the
 * line and column in the file.
 *
 * Amount rule: a plain decimal ("1234", "1234.5", "1234.567"); more than
 * two decimals are rounded half up to the fen on the third decimal and the
 * rest ignored (0.005 -> 0.01, 49999.994 -> 49999.99). Negative amounts,
 * exponents and thousands separators are rejected.
 *
 * Time: ISO 8601 (sp_time_parse), or, when time_unit_s > 0, an integer
 * count of units since local midnight of 1970-01-01 (so with a unit of a
 * day, step n is the start of business day n). */
#include <assert.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "aml/aml_int.h"
#include "sparrow/money.h"

typedef struct reader {
  sp__aml_csv csv;
  const char *f[SP_AML_FIELDS_MAX];
  int n_header;
  int idx[SP_AML_COL_COUNT]; /* header index per column, -1 absent */
  const char (*names)[SP_AML_NAME_MAX];
} reader;

static int bad_at(reader *r, int col, const char *what, const char *text,
                  sp_error *err) {
  return sp_error_set_at(
      err, SP_EINVAL, r->names[col], r->csv.field_line[r->idx[col]],
      r->csv.field_column[r->idx[col]], "line %d, column %d (%s): %s '%s'",
      r->csv.field_line[r->idx[col]], r->csv.field_column[r->idx[col]],
      r->names[col], what, text);
}

static int open_header(reader *r, const char *text, size_t len,
                       const char (*names)[SP_AML_NAME_MAX], int count,
                       unsigned required, sp_error *err) {
  r->names = names;
  if (sp_aml_csv_init(&r->csv, text, len) != SP_OK)
    return sp_error_set(err, SP_ENOMEM, "csv", "out of memory");
  int rc = sp_aml_csv_next(&r->csv, r->f, &r->n_header, err);
  if (rc == 0)
    return sp_error_set_at(err, SP_EINVAL, "csv", 1, 1,
                           "line 1: empty input, expected a header");
  if (rc < 0)
    return rc;
  if (strncmp(r->f[0], "\xEF\xBB\xBF", 3) == 0)
    r->f[0] += 3;
  for (int c = 0; c < count; c++) {
    r->idx[c] = -1;
    for (int h = 0; h < r->n_header; h++)
      if (strcmp(r->f[h], names[c]) == 0)
        r->idx[c] = h;
    if (r->idx[c] < 0 && (required >> c) & 1u)
      return sp_error_set_at(err, SP_EINVAL, names[c], 1, 0,
                             "line 1: missing column '%s'", names[c]);
  }
  return SP_OK;
}

/* Next data record: 1, 0 at the end, or an error. */
static int next_row(reader *r, sp_error *err) {
  int n = 0;
  int rc = sp_aml_csv_next(&r->csv, r->f, &n, err);
  if (rc <= 0)
    return rc;
  if (n != r->n_header)
    return sp_error_set_at(err, SP_EINVAL, "csv", r->csv.field_line[n - 1],
                           r->csv.field_column[n - 1],
                           "line %d, column %d: %d fields, the header has %d",
                           r->csv.field_line[n - 1], r->csv.field_column[n - 1],
                           n, r->n_header);
  return 1;
}

static const char *get(const reader *r, int col) {
  return r->idx[col] < 0 ? NULL : r->f[r->idx[col]];
}

/* Prefixes the line to an error from the data layer. */
static void add_line(sp_error *err, int rc, int line) {
  if (err == NULL)
    return;
  char field[sizeof err->field], msg[sizeof err->message];
  memcpy(field, err->field, sizeof field);
  memcpy(msg, err->message, sizeof msg);
  sp_error_set_at(err, rc, field, line, 0, "line %d: %s", line, msg);
}

int sp__aml_amount_parse(const char *s, int64_t *out) {
  int64_t v = 0;
  int i = 0, digits = 0;
  if (s[0] == '+')
    i++;
  for (; s[i] >= '0' && s[i] <= '9'; i++, digits++)
    if ((v = v * 10 + (s[i] - '0')) > SP_AMOUNT_FEN_MAX / 100)
      return SP_ERANGE;
  v *= 100;
  if (s[i] == '.') {
    int dec = 0, round = 0;
    for (i++; s[i] >= '0' && s[i] <= '9'; i++, dec++) {
      if (dec == 0)
        v += (s[i] - '0') * 10;
      else if (dec == 1)
        v += s[i] - '0';
      else if (dec == 2)
        round = s[i] >= '5';
    }
    if (dec == 0)
      return SP_EINVAL;
    v += round;
  }
  if (digits == 0 || s[i] != '\0')
    return SP_EINVAL;
  *out = v;
  return SP_OK;
}

static int parse_time(reader *r, const sp_aml_config *cfg, const char *s,
                      sp_time *out, sp_error *err) {
  if (cfg->time_unit_s == 0) {
    if (sp_time_parse(s, "time", out, NULL) != SP_OK)
      return bad_at(r, SP_AML_COL_TIME, "not an ISO 8601 time", s, err);
    return SP_OK;
  }
  char *end = NULL;
  long long v = strtoll(s, &end, 10);
  if (end == s || *end != '\0' || v < -1000000000000LL || v > 1000000000000LL ||
      v > INT64_MAX / 2 / cfg->time_unit_s)
    return bad_at(r, SP_AML_COL_TIME, "not an integer time step", s, err);
  *out = (sp_time)v * cfg->time_unit_s - SP_TZ_OFFSET_S;
  return SP_OK;
}

static int parse_kind(reader *r, int col, const char *s, int *out,
                      sp_error *err) {
  *out = -1;
  if (s == NULL || s[0] == '\0')
    return SP_OK;
  if (strcasecmp(s, "individual") == 0)
    *out = SP_AML_INDIVIDUAL;
  else if (strcasecmp(s, "corporate") == 0)
    *out = SP_AML_CORPORATE;
  else
    return bad_at(r, col, "not corporate or individual", s, err);
  return SP_OK;
}

static sp_aml_type parse_type(const char *s) {
  static const char *const names[] = {"transfer",   "cash",        "card",
                                      "securities", "real_estate", "loan"};
  if (s == NULL || s[0] == '\0')
    return SP_AML_TRANSFER;
  for (int i = 0; i < 6; i++)
    if (strcasecmp(s, names[i]) == 0)
      return (sp_aml_type)i;
  if (strcasecmp(s, "disbursement") == 0)
    return SP_AML_LOAN;
  return SP_AML_OTHER;
}

static int parse_row(reader *r, const sp_aml_config *cfg, sp_aml_tx *tx,
                     sp_error *err) {
  memset(tx, 0, sizeof *tx);
  tx->id = get(r, SP_AML_COL_ID);
  tx->from_account = get(r, SP_AML_COL_FROM);
  tx->to_account = get(r, SP_AML_COL_TO);
  int rc = parse_time(r, cfg, get(r, SP_AML_COL_TIME), &tx->time, err);
  if (rc != SP_OK)
    return rc;
  const char *s = get(r, SP_AML_COL_AMOUNT);
  rc = sp__aml_amount_parse(s, &tx->amount_fen);
  if (rc != SP_OK)
    return bad_at(r, SP_AML_COL_AMOUNT,
                  rc == SP_ERANGE ? "amount too large"
                                  : "not a non-negative decimal amount",
                  s, err);
  tx->type = parse_type(get(r, SP_AML_COL_TYPE));
  s = get(r, SP_AML_COL_CURRENCY);
  tx->foreign_currency = s != NULL && s[0] != '\0' &&
                         strcasecmp(s, "CNY") != 0 && strcasecmp(s, "RMB") != 0;
  if ((rc = parse_kind(r, SP_AML_COL_FROM_KIND, get(r, SP_AML_COL_FROM_KIND),
                       &tx->from_kind, err)) ||
      (rc = parse_kind(r, SP_AML_COL_TO_KIND, get(r, SP_AML_COL_TO_KIND),
                       &tx->to_kind, err)))
    return rc;
  s = get(r, SP_AML_COL_CROSS_BORDER);
  if (s != NULL && s[0] != '\0') {
    if (strcmp(s, "1") == 0 || strcasecmp(s, "true") == 0)
      tx->cross_border = 1;
    else if (strcmp(s, "0") != 0 && strcasecmp(s, "false") != 0)
      return bad_at(r, SP_AML_COL_CROSS_BORDER, "not 0/1/true/false", s, err);
  }
  return SP_OK;
}

int sp_aml_data_read_transactions(sp_aml_data *d, const sp_aml_config *cfg,
                                  const char *text, size_t len, sp_error *err) {
  assert(d != NULL && cfg != NULL);
  reader r;
  unsigned required = cfg->columns_mapped | 1u << SP_AML_COL_TIME |
                      1u << SP_AML_COL_FROM | 1u << SP_AML_COL_TO |
                      1u << SP_AML_COL_AMOUNT;
  int rc =
      open_header(&r, text, len, cfg->columns, SP_AML_COL_COUNT, required, err);
  while (rc == SP_OK) {
    rc = next_row(&r, err);
    if (rc <= 0)
      break;
    sp_aml_tx tx;
    rc = parse_row(&r, cfg, &tx, err);
    if (rc == SP_OK && (rc = sp_aml_data_add_tx(d, &tx, err)) != SP_OK)
      add_line(err, rc, r.csv.field_line[0]);
  }
  sp_aml_csv_free(&r.csv);
  return rc;
}

int sp_aml_data_read_guarantees(sp_aml_data *d, const sp_aml_config *cfg,
                                const char *text, size_t len, sp_error *err) {
  assert(d != NULL && cfg != NULL);
  reader r;
  unsigned required = cfg->gcolumns_mapped | 7u;
  int rc = open_header(&r, text, len, cfg->gcolumns, SP_AML_GCOL_COUNT,
                       required, err);
  while (rc == SP_OK) {
    rc = next_row(&r, err);
    if (rc <= 0)
      break;
    int64_t fen;
    const char *s = get(&r, SP_AML_GCOL_AMOUNT);
    if (sp__aml_amount_parse(s, &fen) != SP_OK) {
      rc = bad_at(&r, SP_AML_GCOL_AMOUNT, "not a non-negative decimal amount",
                  s, err);
      break;
    }
    rc = sp_aml_data_add_guarantee(d, get(&r, SP_AML_GCOL_ID),
                                   get(&r, SP_AML_GCOL_GUARANTOR),
                                   get(&r, SP_AML_GCOL_BORROWER), fen, err);
    if (rc != SP_OK)
      add_line(err, rc, r.csv.field_line[0]);
  }
  sp_aml_csv_free(&r.csv);
  return rc;
}
