/* A string's hash for the tables kept in memory (FNV-1a, 32 bits): account
 * names, borrowers' kept decision inputs, borrowers' generation stripes. */
#ifndef SPARROW_CORE_HASH_H
#define SPARROW_CORE_HASH_H

#include <stdint.h>

static inline uint32_t sp_hash_str(const char *s) {
  uint32_t h = 2166136261u;
  for (; *s; s++)
    h = (h ^ (unsigned char)*s) * 16777619u;
  return h;
}

#endif
