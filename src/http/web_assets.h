/* The console's files, compiled into the program by scripts/embed.cmake
 * (web_assets.c in the build directory): path, media type, bytes. The
 * table ends with a NULL path. */
#ifndef SPARROW_WEB_ASSETS_H
#define SPARROW_WEB_ASSETS_H

#include <stddef.h>

typedef struct sp__web_asset {
  const char *path; /* "/web/app.js" */
  const char *type;
  const unsigned char *bytes;
  size_t len;
} sp__web_asset;

extern const sp__web_asset sp__web_assets[];

#endif
