/* Error codes to words, and the helpers that fill an sp_error. */
#include "sparrow/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

const char *sp_strerror(int code) {
  switch (code) {
#define SP__ERROR_CASE(name, value, text)                                      \
  case value:                                                                  \
    return text;
    SP_ERROR_TABLE(SP__ERROR_CASE)
#undef SP__ERROR_CASE
  }
  return "unknown error";
}

void sp_error_clear(sp_error *err) {
  if (err != NULL)
    memset(err, 0, sizeof *err);
}

static void error_fill(sp_error *err, int code, const char *field, int line,
                       int column, const char *fmt, va_list ap) {
  err->code = code;
  err->line = line;
  err->column = column;
  snprintf(err->field, sizeof err->field, "%s", field != NULL ? field : "");
  if (fmt != NULL)
    vsnprintf(err->message, sizeof err->message, fmt, ap);
  else
    snprintf(err->message, sizeof err->message, "%s", sp_strerror(code));
}

int sp_error_set(sp_error *err, int code, const char *field, const char *fmt,
                 ...) {
  if (err != NULL) {
    va_list ap;
    va_start(ap, fmt);
    error_fill(err, code, field, 0, 0, fmt, ap);
    va_end(ap);
  }
  return code;
}

int sp_error_set_at(sp_error *err, int code, const char *field, int line,
                    int column, const char *fmt, ...) {
  if (err != NULL) {
    va_list ap;
    va_start(ap, fmt);
    error_fill(err, code, field, line, column, fmt, ap);
    va_end(ap);
  }
  return code;
}
