/* Requests and responses: body limits (size, depth), JSON parsing, the
 * per-route field checks, and the error shape.
 *
 * Every refusal is {"error":{"code","field","message"}} (with line, column
 * and position for malformed JSON), and happens before any handler runs:
 * a handler sees only bodies whose every field has the right type, range
 * and length, and no unknown field. */
#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/http_int.h"
#include "sparrow/money.h"

void sp__reply(sp__req *r, int status, json_t *body) {
  assert(body != NULL && r->resp == NULL);
  char *text = json_dumps(body, JSON_COMPACT | JSON_PRESERVE_ORDER);
  json_decref(body);
  r->status = status;
  if (text == NULL) {
    r->status = 500;
    text = strdup("{\"error\":{\"code\":\"internal\",\"field\":\"\","
                  "\"message\":\"out of memory\"}}");
  }
  size_t n = text ? strlen(text) : 0;
  r->resp = text ? realloc(text, n + 2) : NULL;
  if (r->resp == NULL) {
    free(text);
    r->resp_len = 0;
    return;
  }
  r->resp[n] = '\n';
  r->resp[n + 1] = '\0';
  r->resp_len = n + 1;
}

void sp__reply_jw(sp__req *r, int status, sp_jw *w) {
  assert(r->resp == NULL);
  sp_jw_raw(w, "\n", 1); /* as every answer ends */
  size_t n = 0;
  char *text = sp_jw_finish(w, &n);
  if (text == NULL) {
    sp__fail(r, 500, "internal", "", "out of memory");
    return;
  }
  r->status = status;
  r->resp = text;
  r->resp_len = n;
}

static void fail_json(sp__req *r, int status, const char *code,
                      const char *field, const char *message, json_t *extra) {
  json_t *e = json_pack("{s:s,s:s,s:s}", "code", code, "field", field,
                        "message", message);
  if (e != NULL && extra != NULL)
    json_object_update(e, extra);
  json_decref(extra);
  sp__reply(r, status, json_pack("{s:o}", "error", e ? e : json_object()));
}

void sp__fail(sp__req *r, int status, const char *code, const char *field,
              const char *fmt, ...) {
  char message[320];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(message, sizeof message, fmt, ap);
  va_end(ap);
  fail_json(r, status, code, field, message, NULL);
}

/* "date=at,rate=annual_rate": the HTTP name of a library field. */
static void rename_field(const char *field, const char *rename, char *out,
                         size_t cap) {
  snprintf(out, cap, "%s", field);
  size_t n = strlen(field);
  for (const char *p = rename; p && *p;) {
    const char *eq = strchr(p, '='), *end = strchr(p, ',');
    if (eq == NULL)
      break;
    if (end == NULL)
      end = p + strlen(p);
    if ((size_t)(eq - p) == n && strncmp(p, field, n) == 0) {
      snprintf(out, cap, "%.*s", (int)(end - eq - 1), eq + 1);
      return;
    }
    p = *end ? end + 1 : end;
  }
}

void sp__fail_err(sp__req *r, const sp_error *err, const char *rename) {
  static const struct {
    int code, status;
    const char *name;
  } map[] = {
      {SP_EINVAL, 400, "invalid_value"},    {SP_EPARSE, 400, "invalid_value"},
      {SP_ERANGE, 400, "out_of_range"},     {SP_EOVERFLOW, 400, "out_of_range"},
      {SP_ENOTFOUND, 404, "not_found"},     {SP_EEXISTS, 409, "conflict"},
      {SP_ESTATE, 409, "invalid_state"},    {SP_ELIMIT, 422, "limit_exceeded"},
      {SP_EBALANCE, 422, "limit_exceeded"}, {SP_EFULL, 503, "unavailable"},
  };
  int status = 500;
  const char *name = "internal";
  for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
    if (map[i].code == err->code) {
      status = map[i].status;
      name = map[i].name;
    }
  char field[64];
  rename_field(err->field, rename, field, sizeof field);
  const char *msg = err->message[0] ? err->message : sp_strerror(err->code);
  if (strncmp(msg, "--", 2) == 0 && strstr(msg, ": ") != NULL)
    msg = strstr(msg, ": ") + 2; /* the command line's "--id: " prefix */
  if (status == 500)
    msg = "internal error"; /* storage detail stays in the server */
  fail_json(r, status, name, field, msg, NULL);
}

static const sp__field *find_field(const sp__field *fields, const char *name) {
  for (size_t i = 0; fields[i].name != NULL; i++)
    if (strcmp(fields[i].name, name) == 0)
      return &fields[i];
  return NULL;
}

static const char *type_words(sp__ftype t) {
  switch (t) {
  case SP__F_MONEY:
    return "a decimal string like \"1234.50\"";
  case SP__F_RATE:
    return "a rate string with its unit like \"0.02%\"";
  case SP__F_DATE:
    return "a date string \"YYYY-MM-DD\"";
  case SP__F_TIME:
    return "an ISO 8601 time string";
  case SP__F_BOOL:
    return "true or false";
  case SP__F_OBJECT:
    return "an object";
  case SP__F_STRINGS:
    return "an array of strings";
  case SP__F_INT:
  case SP__F_UINT:
    return "an integer";
  default:
    return "a string";
  }
}

/* Checks a string-typed value's content; 0 or -1 after replying. */
static int check_text(sp__req *r, const sp__field *f, const char *s) {
  sp_error err;
  sp_error_clear(&err);
  int64_t v = 0;
  int rc = SP_OK;
  if (f->type == SP__F_MONEY)
    rc = sp_money_parse(s, f->name, &v, &err);
  else if (f->type == SP__F_RATE)
    rc = sp_rate_parse(s, f->name, &v, &err);
  else if (f->type == SP__F_DATE) {
    sp_date d;
    rc = sp_date_parse(s, f->name, &d, &err);
  } else if (f->type == SP__F_TIME) {
    sp_time t;
    rc = sp_time_parse(s, f->name, &t, &err);
  }
  if (rc != SP_OK) {
    sp__fail(r, 400, rc == SP_ERANGE ? "out_of_range" : "invalid_value",
             f->name, "%s: must be %s (%s)", f->name, type_words(f->type),
             err.message);
    return -1;
  }
  if (f->type == SP__F_MONEY && v <= 0) {
    sp__fail(r, 400, "out_of_range", f->name, "%s: must be positive", f->name);
    return -1;
  }
  return 0;
}

static int check_field(sp__req *r, const sp__field *f, const sp_jr_value *v) {
  int ok;
  switch (f->type) {
  case SP__F_BOOL:
    ok = v->type == SP_JR_TRUE || v->type == SP_JR_FALSE;
    break;
  case SP__F_OBJECT:
    ok = v->type == SP_JR_OBJECT;
    break;
  case SP__F_STRINGS:
    ok = v->type == SP_JR_ARRAY;
    break;
  case SP__F_INT:
  case SP__F_UINT:
    ok = v->type == SP_JR_INT;
    break;
  default:
    ok = v->type == SP_JR_STRING;
  }
  if (!ok) {
    sp__fail(r, 400, "wrong_type", f->name, "%s: must be %s", f->name,
             type_words(f->type));
    return -1;
  }
  if (f->type == SP__F_INT || f->type == SP__F_UINT) {
    int64_t x = v->i, lo = f->type == SP__F_INT;
    if (x < lo || x > (int64_t)f->max_len) {
      sp__fail(r, 400, "out_of_range", f->name, "%s: from %d to %zu", f->name,
               (int)lo, f->max_len);
      return -1;
    }
  } else if (f->type == SP__F_OBJECT) {
    /* Written compact, the object is at most 8 times the body: strings
     * and integers come out no longer than they came in, and a real (3
     * bytes at least, as "1e5") at most 24 bytes long. Only a body that
     * could be over the limit is written out to measure. */
    if (r->body_len <= f->max_len / 8)
      return 0;
    sp_jw w;
    sp_jw_init(&w);
    sp_jr_write(&w, v);
    size_t n = w.failed ? SIZE_MAX : w.len;
    sp_jw_free(&w);
    if (n > f->max_len) {
      sp__fail(r, 400, "too_long", f->name, "%s: at most %zu bytes", f->name,
               f->max_len);
      return -1;
    }
  } else if (f->type == SP__F_STRINGS) {
    if (v->n < 1 || v->n > 8) {
      sp__fail(r, 400, "out_of_range", f->name, "%s: 1 to 8 entries", f->name);
      return -1;
    }
    size_t i = 0;
    for (const sp_jr_value *e = sp_jr_first(v); e; e = sp_jr_next(v, e), i++) {
      if (e->type != SP_JR_STRING || e->n > f->max_len) {
        sp__fail(r, 400, "wrong_type", f->name,
                 "%s[%zu]: must be a string of at most %zu bytes", f->name, i,
                 f->max_len);
        return -1;
      }
    }
  } else if (f->type != SP__F_BOOL) {
    if (v->n == 0 || v->n > f->max_len) {
      sp__fail(r, 400, v->n == 0 ? "invalid_value" : "too_long", f->name,
               "%s: 1 to %zu bytes", f->name, f->max_len);
      return -1;
    }
    return check_text(r, f, v->s);
  }
  return 0;
}

static int check_fields(sp__req *r) {
  const sp__field *fields = r->route->fields;
  for (const sp_jr_value *v = sp_jr_first(r->json); v;
       v = sp_jr_next(r->json, v)) {
    const sp__field *f = find_field(fields, v->key);
    if (f == NULL) {
      sp__fail(r, 400, "unknown_field", v->key, "unknown field '%.64s'",
               v->key);
      return -1;
    }
    if (check_field(r, f, v) != 0)
      return -1;
  }
  for (size_t i = 0; fields[i].name != NULL; i++)
    if (fields[i].required && sp_jr_get(r->json, fields[i].name) == NULL) {
      sp__fail(r, 400, "missing_field", fields[i].name, "%s: required",
               fields[i].name);
      return -1;
    }
  return 0;
}

int sp__parse_body(sp__req *r) {
  assert(r->route != NULL && r->route->fields != NULL && r->json == NULL);
  const char *text = r->body;
  size_t len = r->body_len;
  if (r->route->fields[0].name == NULL && len == 0)
    text = "{}", len = 2; /* routes without fields take no body */
  sp_jr_error je;
  int rc = sp_jr_parse(r->jr, text, len, SP_HTTP_DEPTH_MAX, &je);
  if (rc == SP_ELIMIT) {
    fail_json(r, 400, "too_deep", "body", "JSON nested deeper than 16 levels",
              json_pack("{s:I}", "position", (json_int_t)je.position));
    return -1;
  }
  if (rc != SP_OK) {
    fail_json(r, rc == SP_ENOMEM ? 500 : 400,
              rc == SP_ENOMEM ? "internal" : "malformed_json", "body", je.text,
              json_pack("{s:i,s:i,s:I}", "line", je.line, "column", je.column,
                        "position", (json_int_t)je.position));
    return -1;
  }
  r->json = sp_jr_root(r->jr);
  if (r->json->type != SP_JR_OBJECT) {
    sp__fail(r, 400, "wrong_type", "body", "the body must be a JSON object");
    return -1;
  }
  return check_fields(r);
}

const sp_jr_value *sp__value(const sp__req *r, const char *name) {
  return sp_jr_get(r->json, name);
}

/* A string field's text, or NULL. */
static const char *string_of(const sp__req *r, const char *name) {
  const sp_jr_value *v = sp_jr_get(r->json, name);
  return v != NULL && v->type == SP_JR_STRING ? v->s : NULL;
}

const char *sp__str(const sp__req *r, const char *name) {
  const char *s = string_of(r, name);
  return s ? s : "";
}

int64_t sp__money(const sp__req *r, const char *name) {
  int64_t v = 0;
  const char *s = string_of(r, name);
  if (s != NULL && sp_money_parse(s, name, &v, NULL) != SP_OK)
    v = 0;
  return v;
}

int sp__bool(const sp__req *r, const char *name) {
  const sp_jr_value *v = sp_jr_get(r->json, name);
  return v != NULL && v->type == SP_JR_TRUE;
}

int sp__time_field(sp__req *r, const char *name, sp_time *out) {
  const char *s = string_of(r, name);
  *out = r->now;
  if (s == NULL)
    return 0;
  sp_error err;
  if (sp_time_parse(s, name, out, &err) != SP_OK) {
    sp__fail(r, 400, "invalid_value", name, "%s", err.message);
    return -1;
  }
  return 0;
}

int sp__time_arg(sp__req *r, const char *name, sp_time *out) {
  const char *s = sp__arg(r, name);
  *out = r->now;
  if (s == NULL)
    return 0;
  sp_error err;
  if (strlen(s) > 40 || sp_time_parse(s, name, out, &err) != SP_OK) {
    sp__fail(r, 400, "invalid_value", name, "%s: an ISO 8601 time", name);
    return -1;
  }
  return 0;
}

json_t *sp__json_money(int64_t fen) {
  char buf[32];
  sp_money_format(fen, buf, sizeof buf);
  return json_string(buf);
}

json_t *sp__json_date(sp_date d) {
  char buf[11];
  sp_date_format(d, buf);
  return json_string(buf);
}

json_t *sp__json_time(sp_time t) {
  char buf[32];
  sp_time_format(t, buf);
  return json_string(buf);
}
