/* The console's files, answered from the program itself: GET / is the
 * console's page, GET /web/NAME one of its files. They are public (the
 * page asks for an API key and sends it with every API call). */
#include <string.h>

#include "http/http_int.h"
#include "http/web_assets.h"

static const sp__web_asset *find(const char *path) {
  for (size_t i = 0; sp__web_assets[i].path != NULL; i++)
    if (strcmp(sp__web_assets[i].path, path) == 0)
      return &sp__web_assets[i];
  return NULL;
}

enum MHD_Result sp__web_answer(struct MHD_Connection *c, const char *method,
                               const char *url, int *handled) {
  *handled = 0;
  if (strcmp(method, "GET") != 0 ||
      (strcmp(url, "/") != 0 && strncmp(url, "/web/", 5) != 0))
    return MHD_YES;
  const sp__web_asset *a =
      find(strcmp(url, "/") == 0 ? "/web/index.html" : url);
  if (a == NULL)
    return MHD_YES; /* the router answers 404 */
  *handled = 1;
  struct MHD_Response *resp = MHD_create_response_from_buffer(
      a->len, (void *)a->bytes, MHD_RESPMEM_PERSISTENT);
  if (resp == NULL)
    return MHD_NO;
  MHD_add_response_header(resp, "Content-Type", a->type);
  MHD_add_response_header(resp, "Cache-Control", "no-cache");
  MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
  enum MHD_Result ok = MHD_queue_response(c, 200, resp);
  MHD_destroy_response(resp);
  return ok;
}
