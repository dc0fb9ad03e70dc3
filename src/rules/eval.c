/* Evaluator of compiled rule programs, and the built-in functions.
 *
 * A loop over the postfix code with a value stack of SP_EXPR_STACK_MAX
 * slots on the C stack; the compiler has proved the program needs no more
 * (expr->stack_need), so the loop does no bounds checks of its own beyond
 * assertions, and nothing is allocated. Missing propagates through
 * arithmetic and comparisons; and/or/not follow Kleene's three-valued
 * logic. */
#include <assert.h>
#include <math.h>
#include <string.h>

#include "rules/rules_int.h"

static const sp_value MISSING = {.kind = SP_VALUE_MISSING};

static sp_value number(double x) {
  sp_value v = {.kind = SP_VALUE_NUMBER};
  v.number = x;
  return v;
}

static sp_value boolean(int b) {
  sp_value v = {.kind = SP_VALUE_BOOL};
  v.boolean = b != 0;
  return v;
}

/* Three truth values: 0 false, 1 true, 2 missing. */
static int truth(sp_value v) { return v.kind == SP_VALUE_BOOL ? v.boolean : 2; }

static sp_value from_truth(int t) { return t == 2 ? MISSING : boolean(t); }

static int equal(sp_value a, sp_value b) {
  assert(a.kind == b.kind);
  if (a.kind == SP_VALUE_NUMBER)
    return a.number == b.number;
  if (a.kind == SP_VALUE_STRING)
    return a.len == b.len && memcmp(a.string, b.string, a.len) == 0;
  return a.boolean == b.boolean;
}

static sp_value arith(int op, sp_value a, sp_value b) {
  if (a.kind != SP_VALUE_NUMBER || b.kind != SP_VALUE_NUMBER)
    return MISSING;
  switch (op) {
  case OP_ADD:
    return number(a.number + b.number);
  case OP_SUB:
    return number(a.number - b.number);
  case OP_MUL:
    return number(a.number * b.number);
  default:
    return b.number == 0 ? MISSING : number(a.number / b.number);
  }
}

static sp_value compare(int op, sp_value a, sp_value b) {
  if (a.kind == SP_VALUE_MISSING || b.kind == SP_VALUE_MISSING)
    return MISSING;
  if (op == OP_EQ || op == OP_NE)
    return boolean(equal(a, b) == (op == OP_EQ));
  assert(a.kind == SP_VALUE_NUMBER && b.kind == SP_VALUE_NUMBER);
  double x = a.number, y = b.number;
  switch (op) {
  case OP_LT:
    return boolean(x < y);
  case OP_LE:
    return boolean(x <= y);
  case OP_GT:
    return boolean(x > y);
  default:
    return boolean(x >= y);
  }
}

static sp_value logic(int op, sp_value a, sp_value b) {
  int x = truth(a), y = truth(b);
  if (op == OP_AND)
    return from_truth(x == 0 || y == 0 ? 0 : x == 2 || y == 2 ? 2 : 1);
  return from_truth(x == 1 || y == 1 ? 1 : x == 2 || y == 2 ? 2 : 0);
}

static sp_value binary(int op, sp_value a, sp_value b) {
  if (op <= OP_DIV)
    return arith(op, a, b);
  return op <= OP_GE ? compare(op, a, b) : logic(op, a, b);
}

/* x in (items): true on a match, else missing if x or an item is missing,
 * else false. */
static sp_value in_list(sp_value x, const sp_value *items, int n) {
  if (x.kind == SP_VALUE_MISSING)
    return MISSING;
  int saw_missing = 0;
  for (int i = 0; i < n; i++) {
    if (items[i].kind == SP_VALUE_MISSING)
      saw_missing = 1;
    else if (equal(x, items[i]))
      return boolean(1);
  }
  return saw_missing ? MISSING : boolean(0);
}

static sp_value call(const sp_instr *in, const sp_value *args, void *user) {
  int missing = 0;
  for (int i = 0; i < in->argc; i++)
    missing |= args[i].kind == SP_VALUE_MISSING;
  sp_value out = MISSING;
  /* Built-ins and extensions that do not see missing are told apart by
   * the flag kept in the instruction's len. */
  if (missing && in->len == 0)
    return MISSING;
  in->fn(args, in->argc, &out, user);
  return out;
}

static sp_value string_at(const sp_expr_pool *pool, const sp_instr *in) {
  sp_value v = {.kind = SP_VALUE_STRING, .len = in->len};
  assert(in->arg >= 0 && in->arg + in->len <= pool->strings_len);
  v.string = pool->strings + in->arg;
  return v;
}

sp_value sp_expr_eval(const sp_expr_pool *pool, const sp_expr *expr,
                      const sp_value *row, void *user) {
  assert(pool != NULL && expr != NULL);
  assert(expr->stack_need <= SP_EXPR_STACK_MAX);
  assert(expr->code_at + expr->code_len <= pool->code_len);
  sp_value stack[SP_EXPR_STACK_MAX];
  const sp_instr *code = pool->code + expr->code_at;
  int top = -1; /* index of the top value */
  for (int pc = 0; pc < expr->code_len; pc++) {
    const sp_instr *in = &code[pc];
    switch ((sp__op)in->op) {
    case OP_PUSH_NUMBER:
      stack[++top] = number(in->number);
      break;
    case OP_PUSH_STRING:
      stack[++top] = string_at(pool, in);
      break;
    case OP_PUSH_BOOL:
      stack[++top] = boolean(in->arg);
      break;
    case OP_PUSH_MISSING:
      stack[++top] = MISSING;
      break;
    case OP_LOAD:
      stack[++top] = row[in->arg];
      break;
    case OP_NEG:
      if (stack[top].kind == SP_VALUE_NUMBER)
        stack[top].number = -stack[top].number;
      break;
    case OP_NOT: {
      int t = truth(stack[top]);
      stack[top] = from_truth(t == 2 ? 2 : !t);
      break;
    }
    case OP_ADD:
    case OP_SUB:
    case OP_MUL:
    case OP_DIV:
    case OP_EQ:
    case OP_NE:
    case OP_LT:
    case OP_LE:
    case OP_GT:
    case OP_GE:
    case OP_AND:
    case OP_OR:
      top--;
      stack[top] = binary(in->op, stack[top], stack[top + 1]);
      break;
    case OP_JUMP_IF_FALSE:
    case OP_JUMP_IF_TRUE:
      if (truth(stack[top]) == (in->op == OP_JUMP_IF_TRUE))
        pc = in->arg - 1;
      break;
    case OP_IN:
      top -= in->argc;
      stack[top] = in_list(stack[top], &stack[top + 1], in->argc);
      break;
    case OP_CMP_FEATURE:
      stack[++top] = compare(in->argc, row[in->arg], number(in->number));
      break;
    case OP_CALL:
      top -= in->argc - 1;
      stack[top] = call(in, &stack[top], user);
      break;
    }
    assert(top >= 0 && top < expr->stack_need);
  }
  assert(top == 0);
  return stack[0];
}

static void fn_min(const sp_value *args, int argc, sp_value *out, void *user) {
  (void)user;
  double x = args[0].number;
  for (int i = 1; i < argc; i++)
    x = args[i].number < x ? args[i].number : x;
  *out = number(x);
}

static void fn_max(const sp_value *args, int argc, sp_value *out, void *user) {
  (void)user;
  double x = args[0].number;
  for (int i = 1; i < argc; i++)
    x = args[i].number > x ? args[i].number : x;
  *out = number(x);
}

static void fn_abs(const sp_value *args, int argc, sp_value *out, void *user) {
  (void)user;
  (void)argc;
  *out = number(fabs(args[0].number));
}

static void fn_ratio(const sp_value *args, int argc, sp_value *out,
                     void *user) {
  (void)user;
  (void)argc;
  *out =
      args[1].number == 0 ? MISSING : number(args[0].number / args[1].number);
}

static void fn_is_missing(const sp_value *args, int argc, sp_value *out,
                          void *user) {
  (void)user;
  (void)argc;
  *out = boolean(args[0].kind == SP_VALUE_MISSING);
}

#define NUM SP_EXPR_T_NUMBER
static const sp_expr_function builtins[] = {
    {"min", 2, SP_EXPR_ARGS_MAX, NUM, NUM, 0, fn_min},
    {"max", 2, SP_EXPR_ARGS_MAX, NUM, NUM, 0, fn_max},
    {"abs", 1, 1, NUM, NUM, 0, fn_abs},
    {"ratio", 2, 2, NUM, NUM, 0, fn_ratio},
    {"is_missing", 1, 1, SP_EXPR_T_ANY, SP_EXPR_T_BOOL, 1, fn_is_missing},
};

const sp_expr_function *sp_expr_builtins(int *count) {
  assert(count != NULL);
  *count = (int)(sizeof builtins / sizeof builtins[0]);
  return builtins;
}
