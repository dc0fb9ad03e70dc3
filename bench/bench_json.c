/* Reading a request body: sparrow's JSON reader (sparrow/jr.h) against
 * jansson's json_loadb and json_decref (what the server used before), on
 * the bodies the server's benchmark sends and on a larger document, in
 * alternated rounds of the same run. Prints ns per text for each and the
 * ratio.
 * usage: bench_json [N] */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sparrow/error.h"
#include "sparrow/jr.h"

static double now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static volatile long sink;

static double time_jansson(const char *text, size_t len, long n) {
  double t0 = now_ns();
  for (long i = 0; i < n; i++) {
    json_t *j = json_loadb(text, len, JSON_REJECT_DUPLICATES, NULL);
    if (j == NULL)
      abort();
    sink += (long)json_object_size(j);
    json_decref(j);
  }
  return (now_ns() - t0) / (double)n;
}

static double time_reader(sp_jr *jr, const char *text, size_t len, long n) {
  double t0 = now_ns();
  for (long i = 0; i < n; i++) {
    sp_jr_error e;
    if (sp_jr_parse(jr, text, len, 16, &e) != SP_OK)
      abort();
    sink += (long)sp_jr_root(jr)->n;
  }
  return (now_ns() - t0) / (double)n;
}

int main(int argc, char **argv) {
  long n = argc > 1 ? atol(argv[1]) : 200000;
  static char big[8192];
  size_t len = (size_t)snprintf(big, sizeof big, "{\"id\":\"D1\",\"values\":{");
  for (int i = 0; i < 40; i++)
    len += (size_t)snprintf(big + len, sizeof big - len, "%s\"column_%d\":%s",
                            i ? "," : "", i,
                            i % 3 == 0   ? "\"A grade\""
                            : i % 3 == 1 ? "1234567"
                                         : "0.125");
  len += (size_t)snprintf(big + len, sizeof big - len,
                          "},\"reasons\":[\"months in business under 24\","
                          "\"tax grade \\u00e9\",\"judicial records\"]}");
  const struct {
    const char *name, *text;
  } bodies[] = {
      {"application (bench/serve.sh)",
       "{\"id\":\"r1a1-1234\",\"borrower\":\"C1235\",\"values\":{\"months_in_"
       "business\":34,\"green_rating\":\"A\",\"guarantee_pct\":40}}"},
      {"draw (bench/serve.sh)",
       "{\"amount\":\"1.00\",\"at\":\"2026-01-01T10:00:00+08:00\"}"},
      {"40 values and reasons", big},
  };
  sp_jr jr;
  sp_jr_init(&jr);
  printf("%-30s %6s %12s %12s %7s\n", "body", "bytes", "jansson ns",
         "reader ns", "ratio");
  for (size_t b = 0; b < sizeof bodies / sizeof bodies[0]; b++) {
    const char *t = bodies[b].text;
    size_t l = strlen(t);
    double best_j = 1e18, best_r = 1e18;
    for (int round = 0; round < 5; round++) { /* alternated; best of five */
      double j = time_jansson(t, l, n / 5), r = time_reader(&jr, t, l, n / 5);
      best_j = j < best_j ? j : best_j;
      best_r = r < best_r ? r : best_r;
    }
    printf("%-30s %6zu %12.0f %12.0f %6.1fx\n", bodies[b].name, l, best_j,
           best_r, best_j / best_r);
  }
  sp_jr_free(&jr);
  return sink == 42; /* keeps the loops */
}
