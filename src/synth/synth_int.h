/* Internals of the synthetic portfolio: the per-firm random generator and
 * the tables the identity is drawn from. */
#ifndef SPARROW_SYNTH_INT_H
#define SPARROW_SYNTH_INT_H

#include <stdint.h>

#include "sparrow/synth.h"

/* xoshiro256** (Blackman and Vigna), seeded by splitmix64. */
typedef struct sp__synth_rng {
  uint64_t s[4];
} sp__synth_rng;

uint64_t sp__synth_splitmix64(uint64_t *state);
void sp__synth_rng_seed(sp__synth_rng *rng, uint64_t seed);
uint64_t sp__synth_next(sp__synth_rng *rng);
/* Uniform in [0, 1), 53 bits. */
double sp__synth_uniform(sp__synth_rng *rng);
/* Uniform integer in [0, n), n > 0 (multiply-shift; bias below 2^-32). */
uint32_t sp__synth_below(sp__synth_rng *rng, uint32_t n);
/* Standard normal (Box-Muller, one value per call). */
double sp__synth_normal(sp__synth_rng *rng);
/* Index drawn by integer weights (sum > 0). */
int sp__synth_pick(sp__synth_rng *rng, const int *weights, int n);

/* Identity: name, credit code, legal representative, phone, address and
 * region, given the industry, kind and legal representative's gender. */
void sp__synth_identity(sp__synth_rng *rng, sp_synth_firm *firm);

/* Features, given the identity. */
void sp__synth_features(sp__synth_rng *rng, sp_synth_firm *firm);

#endif
