/* sparrow demo's loading step (demo_load.c): the synthetic portfolio's
 * files, the scorecard trained on its history, and the applicants decided
 * and, when approved, given a credit line. */
#ifndef SPARROW_CMD_DEMO_H
#define SPARROW_CMD_DEMO_H

#include "sparrow/date.h"
#include "sparrow/loan.h"

typedef struct demo_line {
  char id[24];
  double pd;      /* the firm's true probability of default */
  int delinquent; /* stops paying after this day index (0: never) */
} demo_line;

typedef struct demo_plan {
  const char *dir; /* where the files go */
  long history, applicants;
  uint64_t seed;
  sp_date start;
} demo_plan;

/* Writes history.csv, schema.json, rules.json and flow.json into
 * plan->dir and trains card.json; prints the validation report line. */
int demo_train(const demo_plan *plan, sp_error *err);

/* Registers each applicant with consents and multi-source data, decides
 * it through the flow, and opens a line for each approved one. lines
 * (plan->applicants entries) receives the lines opened, their number in
 * *n_lines. */
int demo_apply(const demo_plan *plan, sp_book *book, demo_line *lines,
               long *n_lines, sp_error *err);

#endif
