/* libFuzzer target for the JSON reader (sparrow/jr.h), which reads every
 * request body the server takes: any bytes are read without a crash, an
 * overrun or undefined behaviour (built with AddressSanitizer and
 * UndefinedBehaviorSanitizer); a text is read iff jansson reads it
 * (JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, nesting within 64, no NUL
 * byte), to the same values; a refusal's position lies within the text; and
 * what the reader writes back (sp_jr_write) reads again to the same values. Run
 * by `make fuzz` (FUZZ_SECONDS, 60 by default). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jr_jansson.h"
#include "sparrow/error.h"
#include "sparrow/jr.h"

#define DEPTH 64 /* jansson's own limit is 2048: beyond DEPTH, not compared */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static sp_jr jr, again;
  sp_jr_error e;
  int rc = sp_jr_parse(&jr, (const char *)data, size, DEPTH, &e);
  if (rc == SP_ELIMIT)
    return 0;
  if (rc != SP_OK && e.position > size)
    abort();
  /* No JSON text holds a NUL byte, but jansson reads some that end in
   * one ("0\0" as 0): not compared, refused here. */
  if (memchr(data, 0, size) != NULL) {
    if (rc == SP_OK)
      abort();
    return 0;
  }
  json_error_t je;
  json_t *j = json_loadb((const char *)data, size,
                         JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, &je);
  if ((rc == SP_OK) != (j != NULL)) {
    fprintf(stderr, "reader %d (%s), jansson %s\n", rc,
            rc == SP_OK ? "" : e.text, j ? "reads it" : je.text);
    abort();
  }
  if (j != NULL) {
    if (!same(sp_jr_root(&jr), j))
      abort();
    sp_jw w;
    sp_jw_init(&w);
    sp_jr_write(&w, sp_jr_root(&jr));
    size_t n = 0;
    char *text = sp_jw_finish(&w, &n);
    /* sp_jw nests 16 deep at most: deeper values are not written */
    if (text != NULL) {
      if (sp_jr_parse(&again, text, n, DEPTH, &e) != SP_OK ||
          !same(sp_jr_root(&again), j))
        abort();
      free(text);
    }
  }
  json_decref(j);
  return 0;
}
