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

int sp__web_answer(sp__conn *c, const char *method, const char *url) {
  if (strcmp(method, "GET") != 0 ||
      (strcmp(url, "/") != 0 && strncmp(url, "/web/", 5) != 0))
    return 0;
  const sp__web_asset *a =
      find(strcmp(url, "/") == 0 ? "/web/index.html" : url);
  if (a == NULL)
    return 0; /* the router answers 404 */
  sp__wire_answer(c, 200, a->type,
                  "Cache-Control: no-cache\r\n"
                  "X-Content-Type-Options: nosniff\r\n",
                  (char *)a->bytes, a->len, 0);
  return 1;
}
