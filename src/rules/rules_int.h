/* Internals of the rule language shared by lex.c, parse.c and eval.c:
 * tokens, the lexer state, and the opcodes of the postfix program. */
#ifndef SPARROW_RULES_INT_H
#define SPARROW_RULES_INT_H

#include "sparrow/rules.h"

typedef enum sp__tok_kind {
  TOK_END = 0,
  TOK_NUMBER, /* also durations, already in seconds */
  TOK_STRING,
  TOK_IDENT,
  TOK_AND,
  TOK_OR,
  TOK_NOT,
  TOK_IN,
  TOK_TRUE,
  TOK_FALSE,
  TOK_MISSING,
  TOK_LPAREN,
  TOK_RPAREN,
  TOK_COMMA,
  TOK_PLUS,
  TOK_MINUS,
  TOK_STAR,
  TOK_SLASH,
  TOK_EQ,
  TOK_NE,
  TOK_LT,
  TOK_LE,
  TOK_GT,
  TOK_GE
} sp__tok_kind;

typedef struct sp__token {
  sp__tok_kind kind;
  int line, column; /* of the first character */
  int at, len;      /* bytes of the token in the source */
  double number;    /* TOK_NUMBER */
  /* TOK_STRING: the decoded text lives in the lexer's string buffer. */
} sp__token;

typedef struct sp__lexer {
  const char *text;
  int pos, len;
  int line, column;
  sp__token tok; /* the current token */
  char string[SP_EXPR_STRING_MAX];
  int string_len;
} sp__lexer;

/* Starts lexing text and reads the first token. */
int sp__lex_init(sp__lexer *lx, const char *text, sp_error *err);

/* Advances to the next token; errors carry line and column. */
int sp__lex_next(sp__lexer *lx, sp_error *err);

/* Words for a token kind, for messages. */
const char *sp__lex_kind_name(sp__tok_kind kind);

typedef enum sp__op {
  OP_PUSH_NUMBER = 0,
  OP_PUSH_STRING,
  OP_PUSH_BOOL,
  OP_PUSH_MISSING,
  OP_LOAD, /* arg: feature index */
  OP_NEG,
  OP_NOT,
  OP_ADD,
  OP_SUB,
  OP_MUL,
  OP_DIV,
  OP_EQ,
  OP_NE,
  OP_LT,
  OP_LE,
  OP_GT,
  OP_GE,
  OP_AND,
  OP_OR,
  OP_JUMP_IF_FALSE, /* arg: target; keeps a false top, else goes on */
  OP_JUMP_IF_TRUE,  /* arg: target; keeps a true top, else goes on */
  OP_IN,            /* argc: list items above the tested value */
  OP_CALL,          /* argc, fn; len: 1 if fn sees missing arguments */
  OP_CMP_FEATURE    /* feature arg <cmp> number; argc: OP_EQ..OP_GE */
} sp__op;

#endif
