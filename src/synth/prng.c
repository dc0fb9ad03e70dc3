/* The synthetic portfolio's random numbers: xoshiro256** (Blackman and
 * Vigna, 2018) seeded through splitmix64, never the C library's rand(), so
 * that a seed gives the same firms on every run and every build with the
 * same C library (the normal deviates go through log and cos). Each firm
 * gets a generator of its own (see firm.c). */
#include <assert.h>
#include <math.h>

#include "synth_int.h"

uint64_t sp__synth_splitmix64(uint64_t *state) {
  uint64_t z = (*state += UINT64_C(0x9E3779B97F4A7C15));
  z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
  z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
  return z ^ (z >> 31);
}

void sp__synth_rng_seed(sp__synth_rng *rng, uint64_t seed) {
  uint64_t state = seed;
  for (int i = 0; i < 4; i++)
    rng->s[i] = sp__synth_splitmix64(&state);
  /* splitmix64 is a bijection of a counter: four outputs are never all 0. */
  assert((rng->s[0] | rng->s[1] | rng->s[2] | rng->s[3]) != 0);
}

static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

uint64_t sp__synth_next(sp__synth_rng *rng) {
  uint64_t *s = rng->s;
  uint64_t result = rotl(s[1] * 5, 7) * 9;
  uint64_t t = s[1] << 17;
  s[2] ^= s[0];
  s[3] ^= s[1];
  s[1] ^= s[2];
  s[0] ^= s[3];
  s[2] ^= t;
  s[3] = rotl(s[3], 45);
  return result;
}

double sp__synth_uniform(sp__synth_rng *rng) {
  return (double)(sp__synth_next(rng) >> 11) * 0x1.0p-53;
}

uint32_t sp__synth_below(sp__synth_rng *rng, uint32_t n) {
  assert(n > 0);
  uint64_t x = sp__synth_next(rng) >> 32;
  uint32_t r = (uint32_t)((x * n) >> 32);
  assert(r < n);
  return r;
}

double sp__synth_normal(sp__synth_rng *rng) {
  double u1 = 1.0 - sp__synth_uniform(rng); /* (0, 1]: log is finite */
  double u2 = sp__synth_uniform(rng);
  assert(u1 > 0.0 && u1 <= 1.0);
  return sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
}

int sp__synth_pick(sp__synth_rng *rng, const int *weights, int n) {
  assert(n > 0);
  int total = 0;
  for (int i = 0; i < n; i++) {
    assert(weights[i] >= 0);
    total += weights[i];
  }
  assert(total > 0);
  int r = (int)sp__synth_below(rng, (uint32_t)total);
  for (int i = 0; i < n; i++) {
    if (r < weights[i])
      return i;
    r -= weights[i];
  }
  assert(0 && "unreachable");
  return n - 1;
}
