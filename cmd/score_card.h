/* sparrow score with a Sparrow scorecard (see cmd_score.c). */
#ifndef SPARROW_CMD_SCORE_CARD_H
#define SPARROW_CMD_SCORE_CARD_H

#include <stdio.h>

#include "sparrow/error.h"
#include "sparrow/scorecard.h"

/* Scores every row of in (a CSV with a header) with card, writing the id
 * column (when column 0 is not a characteristic), score, pd and
 * reason_1..reason_4 to out. Errors name --data and the line. */
int score_card_all(const sp_card *card, FILE *in, FILE *out, sp_error *err);

#endif
