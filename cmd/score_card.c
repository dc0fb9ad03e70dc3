/* sparrow score with a scorecard: each row's points, its pd (from the
 * points) and up to four adverse-action reasons: the characteristics
 * whose points fall farthest below their best attribute, in words
 * ("PAY_0: 2 or more (-35 points)"). */
#include "score_card.h"

#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "sparrow/csv.h"

#define REASONS_MAX 4

typedef struct card_scorer {
  const sp_card *card;
  size_t n_columns, *column_of, reasons[REASONS_MAX];
  const char **fields;
  int *bins;
  int id_column;
} card_scorer;

static int setup(card_scorer *s, sp_csv *csv, FILE *out, sp_error *err) {
  int rc = sp_csv_next(csv, err);
  if (rc == 0)
    return sp_error_set(err, SP_EINVAL, "data", "--data: no header");
  if (rc < 0)
    return rc;
  size_t n = sp_card_feature_count(s->card);
  s->n_columns = (size_t)sp_csv_count(csv);
  s->fields = calloc(s->n_columns, sizeof *s->fields);
  s->column_of = calloc(n, sizeof *s->column_of);
  s->bins = calloc(n, sizeof *s->bins);
  if (!s->fields || !s->column_of || !s->bins)
    return sp_error_set(err, SP_ENOMEM, "data", "out of memory");
  for (size_t c = 0; c < s->n_columns; c++)
    s->fields[c] = sp_csv_field(csv, (int)c, NULL);
  rc = sp_card_map_header(s->card, s->fields, s->n_columns, s->column_of, err);
  if (rc != SP_OK) {
    char msg[sizeof err->message];
    snprintf(msg, sizeof msg, "%s", err->message);
    return sp_error_set(err, rc, "data", "--data: %s", msg);
  }
  s->id_column = 1;
  for (size_t f = 0; f < n; f++)
    s->id_column &= s->column_of[f] != 0;
  if (s->id_column) {
    cli_csv_field(out, s->fields[0]);
    fputc(',', out);
  }
  fprintf(out, "score,pd,reason_1,reason_2,reason_3,reason_4\n");
  return SP_OK;
}

static int score_one(card_scorer *s, const sp_csv *csv, FILE *out,
                     sp_error *err) {
  if ((size_t)sp_csv_count(csv) != s->n_columns)
    return sp_error_set_at(err, SP_EINVAL, "data", (int)sp_csv_line(csv), 0,
                           "--data: line %ld has %d fields, the header %zu",
                           sp_csv_line(csv), sp_csv_count(csv), s->n_columns);
  for (size_t c = 0; c < s->n_columns; c++)
    s->fields[c] = sp_csv_field(csv, (int)c, NULL);
  sp_card_result r = sp_card_score_row(s->card, s->column_of, s->fields,
                                       s->n_columns, s->bins, NULL);
  size_t k = sp_card_reasons(s->card, s->bins, REASONS_MAX, s->reasons);
  if (s->id_column) {
    cli_csv_field(out, s->fields[0]);
    fputc(',', out);
  }
  fprintf(out, "%.10g,%.9g", r.points, r.pd);
  for (size_t i = 0; i < REASONS_MAX; i++) {
    fputc(',', out);
    if (i < k) {
      char text[256];
      sp_card_reason_text(s->card, s->reasons[i], s->bins[s->reasons[i]], text,
                          sizeof text);
      cli_csv_field(out, text);
    }
  }
  fputc('\n', out);
  return SP_OK;
}

int score_card_all(const sp_card *card, FILE *in, FILE *out, sp_error *err) {
  static sp_csv csv; /* large: not on the stack */
  card_scorer s = {0};
  s.card = card;
  sp_csv_init_file(&csv, in);
  int rc = setup(&s, &csv, out, err);
  while (rc == SP_OK) {
    int more = sp_csv_next(&csv, err);
    if (more <= 0) {
      rc = more;
      break;
    }
    rc = score_one(&s, &csv, out, err);
  }
  free(s.fields);
  free(s.column_of);
  free(s.bins);
  return rc;
}
