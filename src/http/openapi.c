/* The OpenAPI 3 document, built from the route table: every route with
 * its roles (x-roles), parameters, body schema and error responses. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/http_int.h"

static json_t *field_schema(const sp__field *f) {
  switch (f->type) {
  case SP__F_BOOL:
    return json_pack("{s:s,s:s}", "type", "boolean", "description", f->doc);
  case SP__F_OBJECT:
    return json_pack("{s:s,s:s}", "type", "object", "description", f->doc);
  case SP__F_INT:
  case SP__F_UINT:
    return json_pack("{s:s,s:i,s:I,s:s}", "type", "integer", "minimum",
                     f->type == SP__F_INT, "maximum", (json_int_t)f->max_len,
                     "description", f->doc);
  case SP__F_STRINGS:
    return json_pack("{s:s,s:{s:s,s:I},s:i,s:i,s:s}", "type", "array", "items",
                     "type", "string", "maxLength", (json_int_t)f->max_len,
                     "minItems", 1, "maxItems", 8, "description", f->doc);
  default: {
    static const char *const formats[] = {[SP__F_MONEY] = "decimal",
                                          [SP__F_RATE] = "rate",
                                          [SP__F_DATE] = "date",
                                          [SP__F_TIME] = "date-time"};
    json_t *s =
        json_pack("{s:s,s:i,s:I,s:s}", "type", "string", "minLength", 1,
                  "maxLength", (json_int_t)f->max_len, "description", f->doc);
    if (s && f->type != SP__F_STRING && formats[f->type])
      json_object_set_new(s, "format", json_string(formats[f->type]));
    return s;
  }
  }
}

static json_t *body_schema(const sp__field *fields) {
  json_t *props = json_object(), *req = json_array();
  for (size_t i = 0; fields[i].name != NULL; i++) {
    json_object_set_new(props, fields[i].name, field_schema(&fields[i]));
    if (fields[i].required)
      json_array_append_new(req, json_string(fields[i].name));
  }
  json_t *s = json_pack("{s:s,s:o,s:b}", "type", "object", "properties", props,
                        "additionalProperties", 0);
  if (json_array_size(req) > 0)
    json_object_set_new(s, "required", req);
  else
    json_decref(req);
  return json_pack("{s:b,s:{s:{s:o}}}", "required", fields[0].name != NULL,
                   "content", "application/json", "schema", s);
}

static json_t *parameters(const sp__route *rt) {
  json_t *ps = json_array();
  for (const char *p = strchr(rt->info.path, '{'); p; p = strchr(p + 1, '{')) {
    const char *end = strchr(p, '}');
    char name[32];
    snprintf(name, sizeof name, "%.*s", (int)(end - p - 1), p + 1);
    json_array_append_new(ps, json_pack("{s:s,s:s,s:b,s:{s:s,s:s,s:i}}", "name",
                                        name, "in", "path", "required", 1,
                                        "schema", "type", "string", "pattern",
                                        "^[A-Za-z0-9._-]+$", "maxLength",
                                        SP_SVC_ID_MAX));
  }
  for (size_t i = 0; rt->query && rt->query[i].name; i++)
    json_array_append_new(ps, json_pack("{s:s,s:s,s:b,s:s,s:{s:s}}", "name",
                                        rt->query[i].name, "in", "query",
                                        "required", rt->query[i].required,
                                        "description", rt->query[i].doc,
                                        "schema", "type", "string"));
  if (rt->info.money)
    json_array_append_new(
        ps, json_pack(
                "{s:s,s:s,s:b,s:s,s:{s:s,s:i}}", "name", "Idempotency-Key",
                "in", "header", "required", rt->info.money == 1, "description",
                "a repeated key returns the first response; another "
                "request with the key is 409",
                "schema", "type", "string", "maxLength", SP_IDEM_KEY_MAX));
  return ps;
}

static json_t *responses(const sp__route *rt) {
  json_t *r = json_object();
  char ok[8];
  snprintf(ok, sizeof ok, "%d", rt->status_ok);
  json_object_set_new(r, ok, json_pack("{s:s}", "description", "success"));
  json_t *err = json_pack("{s:s}", "$ref", "#/components/responses/Error");
  static const char *const codes[] = {"400", "404", "409", "413", "422"};
  for (size_t i = 0; rt->fields && i < 5; i++)
    json_object_set(r, codes[i], err);
  if (rt->info.roles) {
    json_object_set(r, "401", err);
    json_object_set(r, "403", err);
  }
  if (strchr(rt->info.path, '{'))
    json_object_set(r, "404", err);
  json_decref(err);
  return r;
}

static json_t *operation(const sp__route *rt) {
  json_t *roles = json_array();
  for (int i = 0; i < SP_ROLE_COUNT; i++)
    if (rt->info.roles & SP_ROLE_BIT(i))
      json_array_append_new(roles, json_string(sp_role_name((sp_role)i)));
  json_t *op = json_pack("{s:s,s:o,s:o,s:o}", "summary", rt->info.summary,
                         "x-roles", roles, "parameters", parameters(rt),
                         "responses", responses(rt));
  if (op == NULL)
    return NULL;
  json_object_set_new(op, "security",
                      rt->info.roles ? json_pack("[{s:[]}]", "bearer")
                                     : json_array());
  if (rt->fields != NULL)
    json_object_set_new(op, "requestBody", body_schema(rt->fields));
  return op;
}

static json_t *components(void) {
  static const char text[] =
      "{\"securitySchemes\":{\"bearer\":{\"type\":\"http\","
      "\"scheme\":\"bearer\"}},\"responses\":{\"Error\":{"
      "\"description\":\"a refusal naming the field\",\"content\":{"
      "\"application/json\":{\"schema\":{\"type\":\"object\","
      "\"properties\":{\"error\":{\"type\":\"object\",\"properties\":{"
      "\"code\":{\"type\":\"string\"},\"field\":{\"type\":\"string\"},"
      "\"message\":{\"type\":\"string\"}}}}}}}}}}";
  return json_loads(text, 0, NULL);
}

char *sp_http_openapi(void) {
  json_t *paths = json_object();
  for (size_t i = 0; i < sp__route_n; i++) {
    const sp__route *rt = &sp__routes[i];
    json_t *item = json_object_get(paths, rt->info.path);
    if (item == NULL) {
      item = json_object();
      json_object_set_new(paths, rt->info.path, item);
    }
    char method[8];
    size_t k = 0;
    for (; rt->info.method[k] && k < sizeof method - 1; k++)
      method[k] = (char)(rt->info.method[k] - 'A' + 'a');
    method[k] = '\0';
    json_object_set_new(item, method, operation(rt));
  }
  json_t *doc = json_pack(
      "{s:s,s:{s:s,s:s,s:s},s:o,s:o}", "openapi", "3.0.3", "info", "title",
      "Sparrow lending service", "version", "1", "description",
      "Money is a decimal string (\"1234.50\"), times ISO 8601. Personal "
      "data (ID numbers, credit codes, phones, addresses) is masked for "
      "applicant_app and risk_manager.",
      "paths", paths, "components", components());
  if (doc == NULL)
    return NULL;
  char *text = json_dumps(doc, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
  json_decref(doc);
  return text;
}
