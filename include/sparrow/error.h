/* Errors: one table of codes, and a caller-supplied struct for the detail.
 *
 * Every library call returns SP_OK (0) or a negative code from the table
 * below, and fills a caller-supplied sp_error with the field (and, for
 * parsed text, the line and column) that caused it. The library never
 * prints. sp_strerror() turns a code into words. */
#ifndef SPARROW_ERROR_H
#define SPARROW_ERROR_H

#include <stddef.h>

#define SP_ERROR_TABLE(X)                                                      \
  X(SP_OK, 0, "ok")                                                            \
  X(SP_EINVAL, -1, "invalid input")                                            \
  X(SP_ERANGE, -2, "value out of range")                                       \
  X(SP_ENOTFOUND, -3, "not found")                                             \
  X(SP_EEXISTS, -4, "id already used with a different payload")                \
  X(SP_EBALANCE, -5, "balance constraint violated")                            \
  X(SP_ELIMIT, -6, "limit exceeded")                                           \
  X(SP_ESTATE, -7, "not allowed in the current state")                         \
  X(SP_ESTORE, -8, "storage failure")                                          \
  X(SP_ENOMEM, -9, "out of memory")                                            \
  X(SP_EOVERFLOW, -10, "arithmetic overflow")                                  \
  X(SP_EIO, -11, "input/output error")                                         \
  X(SP_EPARSE, -12, "parse error")                                             \
  X(SP_EFULL, -13, "capacity exhausted")

enum sp_error_code {
#define SP__ERROR_ENUM(name, value, text) name = value,
  SP_ERROR_TABLE(SP__ERROR_ENUM)
#undef SP__ERROR_ENUM
};

/* Detail of the last failure. field names the input (a command-line option,
 * a CSV column, a JSON member); line and column are 1-based, 0 if unknown. */
typedef struct sp_error {
  int code;
  int line;
  int column;
  char field[64];
  char message[256];
} sp_error;

/* The words for a code; never NULL. */
const char *sp_strerror(int code);

/* Clears err (NULL allowed). */
void sp_error_clear(sp_error *err);

/* Fills err (NULL allowed) and returns code, so that callers can write
 * `return sp_error_set(err, SP_EINVAL, "amount", "must be positive");`. */
int sp_error_set(sp_error *err, int code, const char *field, const char *fmt,
                 ...) __attribute__((format(printf, 4, 5)));

/* As sp_error_set, with a position in parsed text. */
int sp_error_set_at(sp_error *err, int code, const char *field, int line,
                    int column, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));

#endif
