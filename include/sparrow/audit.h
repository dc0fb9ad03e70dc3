/* Fairness and drift audits of a credit model's decisions (sparrow
 * audit-model).
 *
 * Fairness, per protected column of a scored and decided data set: for
 * each group (each distinct value; blank is the group "(missing)") the
 * number of rows, the approved ones (decision column equal to the approve
 * value), the approval rate, and when a target is given the bad rate (bad
 * rows over rows with a target) overall and among the approved. The
 * adverse impact ratio of a group is its approval rate over the highest
 * group's (the reference group); below 0.8 fails the four-fifths rule.
 *
 * Drift: the population stability index of a column between a baseline
 * and a current data set, PSI = sum over bins of (c - b) * ln(c / b), with
 * b and c the shares of each data set in the bin, each at least 1e-4 so
 * that an empty bin counts without dividing by zero. Numeric columns (95%
 * of the baseline's non-missing values parse as numbers) are binned at the
 * baseline's deciles: with v the sorted non-missing baseline values and n
 * their count, cut k (k = 1..9) is v[floor(k * n / 10)], repeated cuts
 * dropped, and a value x falls in bin #{cuts <= x}; missing values and
 * non-numbers have a bin of their own. Other columns have a bin per value
 * seen in either set. Usual reading: < 0.1 stable, < 0.25 moderate shift,
 * else significant. */
#ifndef SPARROW_AUDIT_H
#define SPARROW_AUDIT_H

#include <stddef.h>

#include "sparrow/error.h"
#include "sparrow/scorecard.h"

#define SP_AUDIT_GROUPS_MAX 64
#define SP_AUDIT_FOUR_FIFTHS 0.8

typedef struct sp_audit_group {
  char value[64];
  long n, approved;
  long known, bads;                   /* rows with a target; bad ones */
  long approved_known, approved_bads; /* the same among the approved */
  double approval_rate, air;
  int passes; /* air >= 0.8 */
} sp_audit_group;

typedef struct sp_audit_fairness {
  int n_groups;
  int reference; /* the group with the highest approval rate */
  sp_audit_group groups[SP_AUDIT_GROUPS_MAX];
} sp_audit_fairness;

/* Fairness for one protected column. target may be NULL (no bad rates).
 * Errors: SP_ENOTFOUND naming "protected", "decision" or "target" for a
 * column absent from the table; SP_ELIMIT naming "protected" past
 * SP_AUDIT_GROUPS_MAX groups. */
int sp_audit_fairness_of(const sp_card_table *t, const char *protected_column,
                         const char *decision_column, const char *approve_value,
                         const char *target, const char *bad_value,
                         sp_audit_fairness *out, sp_error *err);

/* PSI of `column` between baseline and current (see above); *numeric says
 * how it was binned. SP_ENOTFOUND naming "baseline" or "data" when a table
 * lacks the column. */
int sp_audit_psi(const sp_card_table *baseline, const sp_card_table *current,
                 const char *column, double *psi, int *numeric, sp_error *err);

/* "stable", "moderate" or "significant". */
const char *sp_audit_psi_label(double psi);

#endif
