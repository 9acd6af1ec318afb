/* static.h — serving the built web UI from a directory.
 *
 * Only GET and HEAD. The path is checked segment by segment (no "..", ".", empty or hidden
 * segments, no backslashes or control characters) and the resolved file must lie inside the
 * root after symlinks are resolved, so no request can read outside it. Files under /assets/
 * (content-hashed names from Vite) are cached for a year; everything else is revalidated
 * (ETag). A precompressed `.gz` sibling is sent to clients that accept gzip. A path with no
 * file extension that matches no file gets index.html (the SPA's own router handles it). */
#ifndef ZG_HTTP_STATIC_H
#define ZG_HTTP_STATIC_H

#include "http/request.h"

typedef struct zg_static zg_static_t;

/* Opens the root directory. A missing directory is not an error: the server then answers "/"
 * with a short Chinese page saying the UI has not been built. */
int zg_static_open(const char *root, zg_static_t **out, zg_error_t *err);
void zg_static_close(zg_static_t *s);

/* Answers the request from the directory (or with a JSON 404/405). Returns 0. */
int zg_static_serve(zg_static_t *s, zg_req_t *r);

/* The content type for a file name, by extension ("application/octet-stream" if unknown). */
const char *zg_static_content_type(const char *name);

/* Whether a URL path is safe to map into the root (see above). */
int zg_static_path_ok(const char *path);

#endif
