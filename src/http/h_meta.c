/* Handlers for the service's own routes: health, metrics, OpenAPI. */
#include <stdlib.h>
#include <string.h>

#include "http/http_int.h"

void sp__h_healthz(sp__req *r) {
  sp__reply(r, 200, json_pack("{s:s}", "status", "ok"));
}

void sp__h_metrics(sp__req *r) { sp__view_enqueue(r); }

void sp__h_openapi(sp__req *r) {
  char *text = sp_http_openapi();
  if (text == NULL) {
    sp__fail(r, 500, "internal", "", "out of memory");
    return;
  }
  r->status = 200, r->resp = text, r->resp_len = strlen(text);
}
