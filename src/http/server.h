/* server.h — the HTTP server: libmicrohttpd with a thread pool, each thread running its own
 * epoll loop. A request's path through it:
 *   1. headers arrive → a zg_req_t is made in a fresh arena; the route is looked up, which
 *      sets the body cap (body_max, or upload_max for upload routes); a Content-Length over
 *      the cap is answered 413 at once;
 *   2. body chunks are appended to req->body (bounded);
 *   3. the last callback dispatches: router → handler (or static files), with jansson's
 *      allocator pointed at the request arena; the handler answers with a zg_reply_* call;
 *   4. when the response has been sent, the completion callback writes the access-log line
 *      (method, path, status, bytes, µs) and frees the arena.
 * Answers are always queued on the last callback, never the first, so keep-alive is kept. */
#ifndef ZG_HTTP_SERVER_H
#define ZG_HTTP_SERVER_H

#include "core/status.h"

typedef struct zg_app zg_app_t;
typedef struct zg_server zg_server_t;

/* Binds app->config.listen ("host:port", port 0 = any free port) and starts serving. */
int zg_server_start(zg_app_t *app, zg_server_t **out, zg_error_t *err);

/* The port actually bound. */
int zg_server_port(const zg_server_t *s);

/* Stops accepting connections, lets requests in flight finish for up to `grace_seconds`,
 * then stops every thread and frees the server. */
void zg_server_stop(zg_server_t *s, int grace_seconds);

/* Requests in flight right now (for tests and /healthz). */
long zg_server_active(const zg_server_t *s);

#endif
