/* request.h — the request context every handler receives, and the ways to answer.
 *
 * Memory: a zg_req_t and everything hanging off it (body, path parameters, parsed JSON — the
 * JSON allocator is routed to the request arena while a handler runs — and the response body)
 * live in the request's arena, freed in one step when the response has been sent. Handlers
 * never free. */
#ifndef ZG_HTTP_REQUEST_H
#define ZG_HTTP_REQUEST_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/status.h"
#include "core/strbuf.h"

struct MHD_Connection;
struct MHD_Response;
typedef struct zg_app zg_app_t;
typedef struct zg_conn zg_conn_t;
typedef struct zg_route zg_route_t;
typedef struct zg_principal zg_principal_t;

#define ZG_MAX_PATH_PARAMS 8

typedef struct zg_req {
    zg_arena_t arena;
    zg_app_t *app;
    struct MHD_Connection *conn;
    const char *method; /* "GET", ... (MHD's storage, valid for the request) */
    const char *path;   /* decoded path without the query string */
    char client_ip[64];
    int64_t start_us; /* monotonic µs at the first callback */

    /* the caller, set by the auth check before the handler runs (NULL on public routes
     * unless credentials were sent) */
    const zg_principal_t *who;

    /* routing */
    const zg_route_t *route;
    int nparams;
    const char *param_names[ZG_MAX_PATH_PARAMS];
    const char *param_values[ZG_MAX_PATH_PARAMS];

    /* body */
    zg_strbuf_t body;
    int64_t body_max;
    bool body_too_large;
    uint64_t body_seen; /* bytes received, kept or not */

    /* response */
    int status;
    struct MHD_Response *response; /* set by a zg_reply_* call */
    size_t response_bytes;
    bool responded;
} zg_req_t;

/* Path parameter `{name}` of the matched route, or NULL. */
const char *zg_req_param(const zg_req_t *r, const char *name);
/* Query-string argument, or NULL. */
const char *zg_req_query(const zg_req_t *r, const char *name);
/* Request header (case-insensitive), or NULL. */
const char *zg_req_header(const zg_req_t *r, const char *name);
/* The calling thread's database connection (NULL + an error response already set on failure). */
zg_conn_t *zg_req_db(zg_req_t *r);

/* Answers with `json` (reference stolen) serialized as the body. Returns 0. */
int zg_reply_json(zg_req_t *r, int status, json_t *json);
/* Answers with already-serialized JSON (copied), e.g. built with zg_strbuf_json_string on a
 * hot path where building a jansson tree would cost more than the work itself. */
int zg_reply_json_text(zg_req_t *r, int status, const char *json, size_t len);
/* Answers with raw bytes copied into the request arena. */
int zg_reply_bytes(zg_req_t *r, int status, const char *content_type, const void *data, size_t len);
/* Answers with the uniform error body {"code","message","fields"}; `fields` (reference stolen;
 * NULL → {}) maps field names to Chinese messages. Returns 0 (the request has been answered),
 * so a handler can `return zg_reply_error(...)`. */
int zg_reply_error(zg_req_t *r, int http_status, const char *code, const char *message,
                   json_t *fields);
/* Answers with the error in `err`, choosing the HTTP status from err->status. Internal
 * errors are logged with err->detail and shown to the user as a generic message. */
int zg_reply_err(zg_req_t *r, const zg_error_t *err);
/* HTTP status for a zg_status. */
int zg_http_status_for(int zg_status);
/* Adds a response header to the pending response (after a zg_reply_* call). */
void zg_reply_header(zg_req_t *r, const char *name, const char *value);

#endif
