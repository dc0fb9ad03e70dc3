/* Tokenizer of the rule language.
 *
 * Reads one token at a time from a NUL-terminated expression, keeping the
 * line and the column (counted in characters: UTF-8 continuation bytes do
 * not advance it) of each token's first character. Numbers are decimal
 * with an optional fraction and exponent; a number directly followed by
 * s, h, d or w is a duration in seconds. Strings are double-quoted with
 * the escapes \" \\ \n \t \r and are decoded into the lexer's buffer. */
#include <assert.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "rules/rules_int.h"

static const char *const kind_names[] = {"end of expression",
                                         "number",
                                         "string",
                                         "name",
                                         "and",
                                         "or",
                                         "not",
                                         "in",
                                         "true",
                                         "false",
                                         "missing",
                                         "(",
                                         ")",
                                         ",",
                                         "+",
                                         "-",
                                         "*",
                                         "/",
                                         "==",
                                         "!=",
                                         "<",
                                         "<=",
                                         ">",
                                         ">="};

const char *sp__lex_kind_name(sp__tok_kind kind) {
  assert((size_t)kind < sizeof kind_names / sizeof kind_names[0]);
  return kind_names[kind];
}

static int peek(const sp__lexer *lx, int ahead) {
  int i = lx->pos + ahead;
  return i < lx->len ? (unsigned char)lx->text[i] : '\0';
}

static void advance(sp__lexer *lx) {
  assert(lx->pos < lx->len);
  unsigned char c = (unsigned char)lx->text[lx->pos++];
  if (c == '\n') {
    lx->line++;
    lx->column = 1;
  } else if ((c & 0xC0) != 0x80) {
    lx->column++;
  }
}

static int is_alpha(int c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
static int is_digit(int c) { return c >= '0' && c <= '9'; }

static int lex_error(const sp__lexer *lx, sp_error *err, const char *what) {
  return sp_error_set_at(err, SP_EPARSE, "expression", lx->line, lx->column,
                         "line %d column %d: %s", lx->line, lx->column, what);
}

static void skip_digits(sp__lexer *lx) {
  while (is_digit(peek(lx, 0)))
    advance(lx);
}

static int lex_number(sp__lexer *lx, sp_error *err) {
  sp__token *t = &lx->tok;
  skip_digits(lx);
  if (peek(lx, 0) == '.' && is_digit(peek(lx, 1))) {
    advance(lx);
    skip_digits(lx);
  }
  int e = peek(lx, 0);
  int sign = peek(lx, 1) == '+' || peek(lx, 1) == '-';
  if ((e == 'e' || e == 'E') && is_digit(peek(lx, 1 + sign))) {
    for (int i = 0; i < 1 + sign; i++)
      advance(lx);
    skip_digits(lx);
  }
  char buf[64];
  int n = lx->pos - t->at;
  if (n >= (int)sizeof buf)
    return lex_error(lx, err, "number too long");
  memcpy(buf, lx->text + t->at, (size_t)n);
  buf[n] = '\0';
  t->number = strtod(buf, NULL);
  static const char units[] = "shdw";
  static const double seconds[] = {1, 3600, 86400, 604800};
  const char *u = peek(lx, 0) ? strchr(units, peek(lx, 0)) : NULL;
  if (u != NULL && !is_alpha(peek(lx, 1)) && !is_digit(peek(lx, 1))) {
    t->number *= seconds[u - units];
    advance(lx);
  }
  if (is_alpha(peek(lx, 0)) || is_digit(peek(lx, 0)))
    return lex_error(lx, err, "unexpected character after a number");
  if (!isfinite(t->number))
    return lex_error(lx, err, "number out of range");
  t->kind = TOK_NUMBER;
  return SP_OK;
}

static int lex_escape(sp__lexer *lx, sp_error *err, char *out) {
  static const char from[] = "\"\\ntr";
  static const char to[] = "\"\\\n\t\r";
  const char *p = peek(lx, 0) ? strchr(from, peek(lx, 0)) : NULL;
  if (p == NULL)
    return lex_error(lx, err, "unknown escape in a string");
  *out = to[p - from];
  advance(lx);
  return SP_OK;
}

static int lex_string(sp__lexer *lx, sp_error *err) {
  advance(lx); /* the opening quote */
  lx->string_len = 0;
  for (;;) {
    int c = peek(lx, 0);
    if (c == '\0' || c == '\n')
      return lex_error(lx, err, "unterminated string");
    char ch = (char)c;
    advance(lx);
    if (c == '"')
      break;
    if (c == '\\') {
      int rc = lex_escape(lx, err, &ch);
      if (rc != SP_OK)
        return rc;
    }
    if (lx->string_len >= SP_EXPR_STRING_MAX)
      return lex_error(lx, err, "string too long");
    lx->string[lx->string_len++] = ch;
  }
  lx->tok.kind = TOK_STRING;
  return SP_OK;
}

static void lex_word(sp__lexer *lx) {
  static const char *const words[] = {"and",  "or",    "not",    "in",
                                      "true", "false", "missing"};
  static const sp__tok_kind kinds[] = {TOK_AND,  TOK_OR,    TOK_NOT,    TOK_IN,
                                       TOK_TRUE, TOK_FALSE, TOK_MISSING};
  while (is_alpha(peek(lx, 0)) || is_digit(peek(lx, 0)))
    advance(lx);
  sp__token *t = &lx->tok;
  t->kind = TOK_IDENT;
  int n = lx->pos - t->at;
  for (int i = 0; i < 7; i++)
    if ((int)strlen(words[i]) == n &&
        memcmp(words[i], lx->text + t->at, (size_t)n) == 0)
      t->kind = kinds[i];
}

/* One- and two-character operators. */
static int lex_operator(sp__lexer *lx, sp_error *err) {
  static const char ones[] = "(),+-*/<>";
  static const sp__tok_kind one_kinds[] = {TOK_LPAREN, TOK_RPAREN, TOK_COMMA,
                                           TOK_PLUS,   TOK_MINUS,  TOK_STAR,
                                           TOK_SLASH,  TOK_LT,     TOK_GT};
  int c = peek(lx, 0), d = peek(lx, 1);
  sp__tok_kind k = TOK_END;
  if (d == '=' && (c == '=' || c == '!' || c == '<' || c == '>')) {
    k = c == '=' ? TOK_EQ : c == '!' ? TOK_NE : c == '<' ? TOK_LE : TOK_GE;
    advance(lx);
  } else if (c != '\0' && strchr(ones, c) != NULL) {
    k = one_kinds[strchr(ones, c) - ones];
  } else if (c == '=') {
    return lex_error(lx, err, "'=' is not an operator (use '==')");
  } else {
    return lex_error(lx, err, "unexpected character");
  }
  advance(lx);
  lx->tok.kind = k;
  return SP_OK;
}

int sp__lex_next(sp__lexer *lx, sp_error *err) {
  while (peek(lx, 0) == ' ' || peek(lx, 0) == '\t' || peek(lx, 0) == '\n' ||
         peek(lx, 0) == '\r')
    advance(lx);
  sp__token *t = &lx->tok;
  t->line = lx->line;
  t->column = lx->column;
  t->at = lx->pos;
  int c = peek(lx, 0);
  int rc = SP_OK;
  if (lx->pos >= lx->len)
    t->kind = TOK_END;
  else if (is_digit(c) || (c == '.' && is_digit(peek(lx, 1))))
    rc = lex_number(lx, err);
  else if (c == '"')
    rc = lex_string(lx, err);
  else if (is_alpha(c))
    lex_word(lx);
  else
    rc = lex_operator(lx, err);
  t->len = lx->pos - t->at;
  return rc;
}

int sp__lex_init(sp__lexer *lx, const char *text, sp_error *err) {
  assert(lx != NULL && text != NULL);
  size_t n = strnlen(text, SP_EXPR_TEXT_MAX + 1);
  if (n > SP_EXPR_TEXT_MAX)
    return sp_error_set_at(err, SP_ELIMIT, "expression", 1, 1,
                           "expression longer than %d bytes", SP_EXPR_TEXT_MAX);
  lx->text = text;
  lx->pos = 0;
  lx->len = (int)n;
  lx->line = 1;
  lx->column = 1;
  lx->string_len = 0;
  return sp__lex_next(lx, err);
}
