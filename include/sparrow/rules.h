/* Policy and knock-out rules: a small expression language over a feature
 * row, compiled once and evaluated without allocation.
 *
 *   tax_credit_grade in ("A","B","M") and months_in_business >= 12
 *     and court_enforcements_24m == 0
 *
 * Values are numbers (double), strings, booleans and missing. Literals:
 * 12, 0.5, 1e3, "text" (escapes \" \\ \n \t \r), true, false, missing,
 * and durations 30d, 24h, 2w, 90s (a number of seconds). Operators, from
 * loosest to tightest: or; and; not; == != < <= > >= in (...) not in (...)
 * (comparisons do not chain); + -; * /; unary -. Functions: min, max (two or
 * more numbers), abs, ratio(a, b) (missing when b is 0), is_missing(x).
 *
 * Missing propagates: arithmetic, comparisons, `in` and functions with a
 * missing operand give missing (is_missing excepted), and so does division
 * by zero. and/or/not use Kleene three-valued logic (false and missing is
 * false, true or missing is true). A rule fires only when its condition is
 * true.
 *
 * Names resolve against a schema when compiled: an unknown feature, a type
 * error (a category compared with a number, arithmetic on a string), a
 * protected feature without SP_EXPR_AUDIT, or a syntax error is returned
 * with the line and column (1-based, in characters) in the expression.
 *
 * Compiled form: a postfix program of sp_instr in caller-owned storage
 * (sp_expr_pool), string constants interned in the pool's string table, no
 * pointers into the source. A function call holds a pointer to its
 * implementation, so new functions (such as windowed aggregates) are added
 * by listing them in sp_expr_env.functions. */
#ifndef SPARROW_RULES_H
#define SPARROW_RULES_H

#include <stddef.h>
#include <stdint.h>

#include "sparrow/error.h"
#include "sparrow/schema.h"

#define SP_EXPR_TEXT_MAX 4096   /* bytes of one expression */
#define SP_EXPR_DEPTH_MAX 32    /* nesting of (), not, unary -, calls */
#define SP_EXPR_STACK_MAX 64    /* evaluation stack slots */
#define SP_EXPR_ARGS_MAX 16     /* function arguments, or items of an in list */
#define SP_EXPR_STRING_MAX 1024 /* bytes of one string literal */

#define SP_RULES_MAX 512
#define SP_RULES_ID_MAX 32          /* bytes, NUL included */
#define SP_RULES_REASON_MAX 256     /* bytes, NUL included */
#define SP_RULES_CODE_MAX 16384     /* instructions of a whole rule set */
#define SP_RULES_STRINGS_MAX 16384  /* bytes of interned strings */
#define SP_RULES_JSON_MAX (4 << 20) /* bytes of a rule set file */

/* Compile flags. */
#define SP_EXPR_AUDIT 1u /* allow reading protected features */

/* Static types, as a bit mask for function signatures. */
#define SP_EXPR_T_NUMBER 1u
#define SP_EXPR_T_STRING 2u
#define SP_EXPR_T_BOOL 4u
#define SP_EXPR_T_MISSING 8u /* the literal `missing`: fits any type */
#define SP_EXPR_T_ANY 15u

/* A function: writes its result into out. user is sp_expr_eval's. */
typedef void (*sp_expr_fn)(const sp_value *args, int argc, sp_value *out,
                           void *user);

typedef struct sp_expr_function {
  const char *name;
  int argc_min, argc_max; /* argc_max <= SP_EXPR_ARGS_MAX */
  unsigned arg_types;     /* mask every argument must fit */
  unsigned result_type;   /* one SP_EXPR_T_ bit */
  int sees_missing;       /* 0: any missing argument makes the result missing */
  sp_expr_fn fn;
} sp_expr_function;

typedef struct sp_instr {
  uint8_t op;
  uint8_t argc;
  uint16_t len; /* string length */
  int32_t arg;  /* feature index, string offset, jump target, bool */
  union {
    double number;
    sp_expr_fn fn;
  };
} sp_instr;

/* Caller-owned storage that compiled expressions are appended to. */
typedef struct sp_expr_pool {
  sp_instr *code;
  int code_cap, code_len;
  char *strings;
  int strings_cap, strings_len;
} sp_expr_pool;

/* What names mean while compiling. functions (may be NULL) are searched
 * before the built-ins, so they may also replace one. */
typedef struct sp_expr_env {
  const sp_schema *schema;
  const sp_expr_function *functions;
  int n_functions;
  unsigned flags; /* SP_EXPR_AUDIT */
} sp_expr_env;

/* One compiled expression: a slice of a pool's code. */
typedef struct sp_expr {
  int code_at, code_len;
  int stack_need; /* slots needed to evaluate, <= SP_EXPR_STACK_MAX */
  unsigned type;  /* static result type, one SP_EXPR_T_ bit */
} sp_expr;

/* Compiles text (NUL-terminated) and appends its code to pool. On failure
 * pool is unchanged and err holds the line and column. SP_EPARSE (syntax),
 * SP_ENOTFOUND (unknown feature or function), SP_EINVAL (type error,
 * protected feature), SP_ELIMIT (a limit above), SP_EFULL (pool full). */
int sp_expr_compile(const char *text, const sp_expr_env *env,
                    sp_expr_pool *pool, sp_expr *out, sp_error *err);

/* Evaluates expr over row (schema order): each value must be missing or
 * of its feature's type (number and date: number; category: string; flag:
 * bool), as sp_schema_value_parse makes them. No allocation. */
sp_value sp_expr_eval(const sp_expr_pool *pool, const sp_expr *expr,
                      const sp_value *row, void *user);

/* The built-in functions. */
const sp_expr_function *sp_expr_builtins(int *count);

typedef enum sp_rule_outcome {
  SP_RULE_DECLINE = 0,
  SP_RULE_REFER, /* refer to a human */
  SP_RULE_FLAG
} sp_rule_outcome;

typedef struct sp_rule {
  char id[SP_RULES_ID_MAX];
  char reason[SP_RULES_REASON_MAX];
  sp_rule_outcome outcome;
  sp_expr when;
} sp_rule;

/* A compiled rule set: caller-owned, fixed capacity (about 450 KB; allocate
 * it on the heap), no pointers except to functions. */
typedef struct sp_rules {
  int n_rules;
  int n_features; /* of the schema it was compiled against */
  int code_len, strings_len;
  sp_rule rules[SP_RULES_MAX];
  sp_instr code[SP_RULES_CODE_MAX];
  char strings[SP_RULES_STRINGS_MAX];
} sp_rules;

/* Loads and compiles a rule set, all or nothing:
 *   {"rules":[{"id":"R01","when":"court_enforcements_24m > 0",
 *              "outcome":"decline","reason":"Court enforcement ..."}]}
 * outcome is decline, refer or flag; ids are unique; every condition must
 * be boolean. Errors name the rule id and member; an expression error keeps
 * its line and column within the `when` text. env.schema is required. */
int sp_rules_load_string(sp_rules *out, const sp_expr_env *env,
                         const char *text, size_t len, sp_error *err);
int sp_rules_load_file(sp_rules *out, const sp_expr_env *env, const char *path,
                       sp_error *err);

/* Evaluates every rule over row (n_features values in schema order) and
 * writes the indices of the rules that fired, in rule order, into fired
 * (capacity at least rules->n_rules). Returns how many fired. */
int sp_rules_eval(const sp_rules *rules, const sp_value *row, void *user,
                  int *fired);

const char *sp_rules_outcome_name(sp_rule_outcome outcome);

#endif
