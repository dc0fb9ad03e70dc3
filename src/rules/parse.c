/* Parser and code generator of the rule language.
 *
 * Recursive descent, one function per precedence level, emitting postfix
 * code into the caller's pool as it goes and returning each
 * subexpression's static type so that type errors are found here, with
 * the operator's line and column. Nesting (parentheses, function
 * arguments, `in` items, `not`, unary minus) is bounded by
 * SP_EXPR_DEPTH_MAX, so the C stack is bounded too. The evaluation stack
 * depth is tracked while emitting and bounded by SP_EXPR_STACK_MAX.
 * `and`/`or` jump over their right operand when the left one decides. */
#include <assert.h>
#include <string.h>

#include "rules/rules_int.h"

typedef struct parser {
  sp__lexer lx;
  const sp_expr_env *env;
  sp_expr_pool *pool;
  int code_at;          /* start of this expression in the pool */
  int depth;            /* current nesting */
  int stack, stack_max; /* evaluation stack slots */
  sp_error *err;
} parser;

#define T_NUM SP_EXPR_T_NUMBER
#define T_STR SP_EXPR_T_STRING
#define T_BOOL SP_EXPR_T_BOOL
#define T_MISSING SP_EXPR_T_MISSING

static int parse_or(parser *p, unsigned *type);

static int fail_at(parser *p, int code, int line, int column, const char *what,
                   const char *name, int name_len) {
  return sp_error_set_at(p->err, code, "expression", line, column,
                         "line %d column %d: %s%s%.*s%s", line, column, what,
                         name_len > 0 ? " '" : "", name_len, name,
                         name_len > 0 ? "'" : "");
}

static int fail(parser *p, int code, const char *what) {
  return fail_at(p, code, p->lx.tok.line, p->lx.tok.column, what, "", 0);
}

static int next(parser *p) { return sp__lex_next(&p->lx, p->err); }

/* Moves on to the next token when rc is SP_OK. */
static int then_next(parser *p, int rc) { return rc != SP_OK ? rc : next(p); }

static int expect(parser *p, sp__tok_kind kind, const char *what) {
  if (p->lx.tok.kind != kind)
    return fail(p, SP_EPARSE, what);
  return next(p);
}

static int fits(unsigned type, unsigned mask) {
  return type == T_MISSING || (type & mask) != 0;
}

/* Appends one instruction; delta is its effect on the stack depth. */
static int emit(parser *p, sp__op op, int argc, int32_t arg, double number,
                int delta) {
  sp_expr_pool *pool = p->pool;
  if (pool->code_len >= pool->code_cap)
    return fail(p, SP_EFULL, "compiled code does not fit the pool");
  p->stack += delta;
  assert(p->stack >= 1);
  if (p->stack > p->stack_max)
    p->stack_max = p->stack;
  if (p->stack_max > SP_EXPR_STACK_MAX)
    return fail(p, SP_ELIMIT, "expression needs too deep a stack");
  sp_instr *in = &pool->code[pool->code_len++];
  memset(in, 0, sizeof *in);
  in->op = (uint8_t)op;
  in->argc = (uint8_t)argc;
  in->arg = arg;
  in->number = number;
  return SP_OK;
}

static int enter(parser *p) {
  if (++p->depth > SP_EXPR_DEPTH_MAX)
    return fail(p, SP_ELIMIT, "nesting deeper than the limit");
  return SP_OK;
}

/* Finds s in the pool's strings (any earlier occurrence of the same bytes
 * will do) or appends it. */
static int intern(parser *p, const char *s, int len, int32_t *at) {
  sp_expr_pool *pool = p->pool;
  for (int i = 0; i + len <= pool->strings_len; i++) {
    if (memcmp(pool->strings + i, s, (size_t)len) == 0) {
      *at = i;
      return SP_OK;
    }
  }
  if (len > pool->strings_cap - pool->strings_len)
    return fail(p, SP_EFULL, "string constants do not fit the pool");
  memcpy(pool->strings + pool->strings_len, s, (size_t)len);
  *at = pool->strings_len;
  pool->strings_len += len;
  return SP_OK;
}

static const sp_expr_function *find_function(const sp_expr_env *env,
                                             const char *name, int len) {
  int n_builtin = 0;
  const sp_expr_function *builtin = sp_expr_builtins(&n_builtin);
  for (int pass = 0; pass < 2; pass++) {
    const sp_expr_function *table = pass == 0 ? env->functions : builtin;
    int n = pass == 0 ? env->n_functions : n_builtin;
    for (int i = 0; table != NULL && i < n; i++)
      if ((int)strlen(table[i].name) == len &&
          memcmp(table[i].name, name, (size_t)len) == 0)
        return &table[i];
  }
  return NULL;
}

static int parse_call(parser *p, const sp__token *name, unsigned *type) {
  const char *text = p->lx.text + name->at;
  const sp_expr_function *f = find_function(p->env, text, name->len);
  if (f == NULL)
    return fail_at(p, SP_ENOTFOUND, name->line, name->column,
                   "unknown function", text, name->len);
  assert(f->argc_max <= SP_EXPR_ARGS_MAX && f->argc_min <= f->argc_max);
  int rc = next(p); /* the '(' */
  int argc = 0;
  while (rc == SP_OK && p->lx.tok.kind != TOK_RPAREN) {
    if (argc > 0 && (rc = expect(p, TOK_COMMA, "expected ',' or ')'")))
      return rc;
    sp__token at = p->lx.tok;
    unsigned t = 0;
    if ((rc = parse_or(p, &t)) != SP_OK)
      return rc;
    if (!fits(t, f->arg_types))
      return fail_at(p, SP_EINVAL, at.line, at.column,
                     "argument of the wrong type for", text, name->len);
    if (++argc > f->argc_max)
      break;
  }
  if (rc == SP_OK && (argc < f->argc_min || argc > f->argc_max))
    return fail_at(p, SP_EINVAL, name->line, name->column,
                   "wrong number of arguments for", text, name->len);
  if (rc == SP_OK && (rc = next(p)) == SP_OK) {
    rc = emit(p, OP_CALL, argc, 0, 0, 1 - argc);
    if (rc == SP_OK) {
      sp_instr *in = &p->pool->code[p->pool->code_len - 1];
      in->fn = f->fn;
      in->len = f->sees_missing != 0;
    }
    *type = f->result_type;
  }
  return rc;
}

static int parse_name(parser *p, unsigned *type) {
  sp__token name = p->lx.tok;
  int rc = next(p);
  if (rc != SP_OK || p->lx.tok.kind == TOK_LPAREN)
    return rc != SP_OK ? rc : parse_call(p, &name, type);
  const char *text = p->lx.text + name.at;
  int f = sp_schema_find(p->env->schema, text, (size_t)name.len);
  if (f < 0)
    return fail_at(p, SP_ENOTFOUND, name.line, name.column, "unknown feature",
                   text, name.len);
  const sp_feature *feat = &p->env->schema->features[f];
  if (feat->is_protected && !(p->env->flags & SP_EXPR_AUDIT))
    return fail_at(p, SP_EINVAL, name.line, name.column,
                   "a deciding rule may not read protected feature", text,
                   name.len);
  static const unsigned types[] = {T_NUM, T_STR, T_NUM, T_BOOL};
  *type = types[feat->type];
  return emit(p, OP_LOAD, 0, f, 0, 1);
}

static int parse_primary(parser *p, unsigned *type) {
  sp__token t = p->lx.tok;
  int32_t at = 0;
  int rc = SP_OK;
  switch (t.kind) {
  case TOK_NUMBER:
    *type = T_NUM;
    return then_next(p, emit(p, OP_PUSH_NUMBER, 0, 0, t.number, 1));
  case TOK_STRING:
    *type = T_STR;
    rc = intern(p, p->lx.string, p->lx.string_len, &at);
    if (rc == SP_OK && (rc = emit(p, OP_PUSH_STRING, 0, at, 0, 1)) == SP_OK)
      p->pool->code[p->pool->code_len - 1].len = (uint16_t)p->lx.string_len;
    return rc != SP_OK ? rc : next(p);
  case TOK_TRUE:
  case TOK_FALSE:
    *type = T_BOOL;
    return then_next(p, emit(p, OP_PUSH_BOOL, 0, t.kind == TOK_TRUE, 0, 1));
  case TOK_MISSING:
    *type = T_MISSING;
    return then_next(p, emit(p, OP_PUSH_MISSING, 0, 0, 0, 1));
  case TOK_IDENT:
    return parse_name(p, type);
  case TOK_LPAREN:
    if ((rc = next(p)) != SP_OK || (rc = parse_or(p, type)) != SP_OK)
      return rc;
    return expect(p, TOK_RPAREN, "expected ')'");
  default:
    return fail(p, SP_EPARSE, "expected a value");
  }
}

static int parse_unary(parser *p, unsigned *type) {
  if (p->lx.tok.kind != TOK_MINUS)
    return parse_primary(p, type);
  sp__token op = p->lx.tok;
  int before = p->pool->code_len;
  int rc = enter(p);
  if (rc == SP_OK && (rc = next(p)) == SP_OK)
    rc = parse_unary(p, type);
  p->depth--;
  if (rc != SP_OK)
    return rc;
  if (!fits(*type, T_NUM))
    return fail_at(p, SP_EINVAL, op.line, op.column, "'-' needs a number", "",
                   0);
  *type = T_NUM;
  sp_instr *last = &p->pool->code[p->pool->code_len - 1];
  if (p->pool->code_len == before + 1 && last->op == OP_PUSH_NUMBER) {
    last->number = -last->number; /* fold a negative literal */
    return SP_OK;
  }
  return emit(p, OP_NEG, 0, 0, 0, 0);
}

/* Left-associative arithmetic: `*` `/` (tight) or `+` `-` (loose). */
static int parse_arith(parser *p, int tight, unsigned *type) {
  int rc = tight ? parse_unary(p, type) : parse_arith(p, 1, type);
  for (;;) {
    sp__tok_kind k = p->lx.tok.kind;
    int is_op = tight ? (k == TOK_STAR || k == TOK_SLASH)
                      : (k == TOK_PLUS || k == TOK_MINUS);
    if (rc != SP_OK || !is_op)
      return rc;
    sp__token op = p->lx.tok;
    unsigned right = 0;
    if ((rc = next(p)) != SP_OK)
      return rc;
    rc = tight ? parse_unary(p, &right) : parse_arith(p, 1, &right);
    if (rc != SP_OK)
      return rc;
    if (!fits(*type, T_NUM) || !fits(right, T_NUM))
      return fail_at(p, SP_EINVAL, op.line, op.column,
                     "arithmetic needs numbers on both sides of",
                     sp__lex_kind_name(k), 1);
    static const sp__op ops[] = {[TOK_PLUS] = OP_ADD,
                                 [TOK_MINUS] = OP_SUB,
                                 [TOK_STAR] = OP_MUL,
                                 [TOK_SLASH] = OP_DIV};
    *type = T_NUM;
    rc = emit(p, ops[k], 0, 0, 0, -1);
  }
}

/* `x in (a, b, ...)`; the current token is the '(' expected. */
static int parse_in_list(parser *p, const sp__token *op, unsigned type) {
  int rc = expect(p, TOK_LPAREN, "expected '(' after 'in'");
  int n = 0;
  while (rc == SP_OK && (n == 0 || p->lx.tok.kind != TOK_RPAREN)) {
    if (n > 0 && (rc = expect(p, TOK_COMMA, "expected ',' or ')'")))
      return rc;
    if (n == SP_EXPR_ARGS_MAX)
      return fail(p, SP_ELIMIT, "too many items in an 'in' list");
    unsigned item = 0;
    if ((rc = parse_or(p, &item)) != SP_OK)
      return rc;
    if (type != T_MISSING && item != T_MISSING && item != type)
      return fail_at(p, SP_EINVAL, op->line, op->column,
                     "an 'in' list item has a different type than", "in", 2);
    n++;
  }
  rc = then_next(p, rc);
  return rc != SP_OK ? rc : emit(p, OP_IN, n, 0, 0, -n);
}

static int is_comparison(sp__tok_kind k) { return k >= TOK_EQ && k <= TOK_GE; }

/* `feature <cmp> number`, the commonest comparison, becomes one
 * instruction instead of three. */
static void fuse_comparison(parser *p, int start) {
  sp_instr *c = p->pool->code + start;
  if (p->pool->code_len != start + 3 || c[0].op != OP_LOAD ||
      c[1].op != OP_PUSH_NUMBER || c[2].op < OP_EQ || c[2].op > OP_GE)
    return;
  c[0].op = OP_CMP_FEATURE;
  c[0].argc = c[2].op;
  c[0].number = c[1].number;
  p->pool->code_len = start + 1;
}

static int parse_comparison(parser *p, unsigned *type) {
  int start = p->pool->code_len;
  int rc = parse_arith(p, 0, type);
  sp__token op = p->lx.tok;
  if (rc != SP_OK ||
      !(is_comparison(op.kind) || op.kind == TOK_IN || op.kind == TOK_NOT))
    return rc;
  unsigned left = *type, right = 0;
  *type = T_BOOL;
  if ((rc = next(p)) != SP_OK)
    return rc;
  if (op.kind == TOK_NOT || op.kind == TOK_IN) {
    if (op.kind == TOK_NOT && (rc = expect(p, TOK_IN, "expected 'in'")))
      return rc;
    rc = parse_in_list(p, &op, left);
    if (rc == SP_OK && op.kind == TOK_NOT)
      rc = emit(p, OP_NOT, 0, 0, 0, 0);
  } else {
    if ((rc = parse_arith(p, 0, &right)) != SP_OK)
      return rc;
    int ordered = op.kind != TOK_EQ && op.kind != TOK_NE;
    int ok = ordered ? fits(left, T_NUM) && fits(right, T_NUM)
                     : left == T_MISSING || right == T_MISSING || left == right;
    if (!ok)
      return fail_at(p, SP_EINVAL, op.line, op.column,
                     "incompatible types on the two sides of",
                     sp__lex_kind_name(op.kind),
                     (int)strlen(sp__lex_kind_name(op.kind)));
    rc = emit(p, (sp__op)(OP_EQ + (op.kind - TOK_EQ)), 0, 0, 0, -1);
    if (rc == SP_OK)
      fuse_comparison(p, start);
  }
  if (rc == SP_OK &&
      (is_comparison(p->lx.tok.kind) || p->lx.tok.kind == TOK_IN))
    return fail(p, SP_EPARSE, "comparisons do not chain; use 'and'");
  return rc;
}

static int parse_not(parser *p, unsigned *type) {
  if (p->lx.tok.kind != TOK_NOT)
    return parse_comparison(p, type);
  sp__token op = p->lx.tok;
  int rc = enter(p);
  if (rc == SP_OK && (rc = next(p)) == SP_OK)
    rc = parse_not(p, type);
  p->depth--;
  if (rc != SP_OK)
    return rc;
  if (!fits(*type, T_BOOL))
    return fail_at(p, SP_EINVAL, op.line, op.column,
                   "'not' needs true or false", "", 0);
  *type = T_BOOL;
  return emit(p, OP_NOT, 0, 0, 0, 0);
}

/* `and` (tight) or `or` (loose), with a jump past the right operand. */
static int parse_logic(parser *p, int tight, unsigned *type) {
  int rc = tight ? parse_not(p, type) : parse_logic(p, 1, type);
  sp__tok_kind k = tight ? TOK_AND : TOK_OR;
  while (rc == SP_OK && p->lx.tok.kind == k) {
    sp__token op = p->lx.tok;
    int jump = p->pool->code_len;
    rc = emit(p, tight ? OP_JUMP_IF_FALSE : OP_JUMP_IF_TRUE, 0, 0, 0, 0);
    unsigned right = 0;
    if (rc == SP_OK && (rc = next(p)) == SP_OK)
      rc = tight ? parse_not(p, &right) : parse_logic(p, 1, &right);
    if (rc != SP_OK)
      return rc;
    if (!fits(*type, T_BOOL) || !fits(right, T_BOOL))
      return fail_at(p, SP_EINVAL, op.line, op.column,
                     "needs true or false on both sides:", sp__lex_kind_name(k),
                     tight ? 3 : 2);
    *type = T_BOOL;
    rc = emit(p, tight ? OP_AND : OP_OR, 0, 0, 0, -1);
    p->pool->code[jump].arg = p->pool->code_len - p->code_at;
  }
  return rc;
}

static int parse_or(parser *p, unsigned *type) {
  int rc = enter(p);
  if (rc == SP_OK)
    rc = parse_logic(p, 0, type);
  p->depth--;
  return rc;
}

int sp_expr_compile(const char *text, const sp_expr_env *env,
                    sp_expr_pool *pool, sp_expr *out, sp_error *err) {
  assert(text != NULL && env != NULL && env->schema != NULL);
  assert(pool != NULL && out != NULL);
  parser p = {.env = env, .pool = pool, .code_at = pool->code_len, .err = err};
  int strings_len = pool->strings_len;
  int rc = sp__lex_init(&p.lx, text, err);
  unsigned type = 0;
  if (rc == SP_OK)
    rc = parse_or(&p, &type);
  if (rc == SP_OK && p.lx.tok.kind != TOK_END)
    rc = fail(&p, SP_EPARSE, "expected an operator or the end");
  if (rc != SP_OK) {
    pool->code_len = p.code_at;
    pool->strings_len = strings_len;
    return rc;
  }
  assert(p.depth == 0 && p.stack == 1);
  out->code_at = p.code_at;
  out->code_len = pool->code_len - p.code_at;
  out->stack_need = p.stack_max;
  out->type = type;
  return SP_OK;
}
