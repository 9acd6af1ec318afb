/* router.h — method + path routing with `{name}` path parameters.
 *
 * Routes are matched segment by segment; a literal segment beats a parameter at the same
 * position, so `/orgs/search` wins over `/orgs/{id}`. A path that matches some route but not
 * its method answers 405 with an Allow header. The table is built once at start and then only
 * read, so lookups need no lock. */
#ifndef ZG_HTTP_ROUTER_H
#define ZG_HTTP_ROUTER_H

#include <stddef.h>
#include <stdint.h>

#include "http/request.h"

typedef int (*zg_handler_fn)(zg_req_t *req);

enum {
    ZG_ROUTE_PUBLIC = 1 << 0,   /* no login needed (health, login, public code tables) */
    ZG_ROUTE_UPLOAD = 1 << 1,   /* body may be as large as config upload_max */
    ZG_ROUTE_PWCHANGE = 1 << 2, /* allowed while the account must change its password */
};

typedef struct zg_scope_spec zg_scope_spec_t;

struct zg_route {
    const char *method;  /* "GET", "POST", "PUT", "PATCH", "DELETE" */
    const char *pattern; /* "/api/v1/orgs/{id}" */
    zg_handler_fn handler;
    unsigned flags;
    const char *summary; /* Chinese one-line description, used in the OpenAPI document */
    const char *perm;    /* permission required ("org:read"); NULL = any logged-in account */
    const zg_scope_spec_t *scope; /* the path object's org must be in the caller's subtree */
};

typedef struct zg_router zg_router_t;

zg_router_t *zg_router_new(void);
void zg_router_free(zg_router_t *rt);

/* Adds a route. The strings must outlive the router (string literals). ZG_ERR_INVALID for a
 * malformed pattern, ZG_ERR_CONFLICT for a duplicate method+pattern. */
int zg_router_add(zg_router_t *rt, const zg_route_t *route);

typedef enum { ZG_MATCH_OK = 0, ZG_MATCH_NOT_FOUND, ZG_MATCH_BAD_METHOD } zg_match_result;

/* Finds the route for method+path; on ZG_MATCH_OK sets *route and the path parameters in
 * `req` (values copied into req's arena). On ZG_MATCH_BAD_METHOD writes the allowed methods
 * ("GET, POST") into allow (bounded by allow_cap). `path` longer than 4096 bytes or with more
 * than 64 segments does not match. */
zg_match_result zg_router_match(const zg_router_t *rt, const char *method, const char *path,
                                zg_req_t *req, const zg_route_t **route, char *allow,
                                size_t allow_cap);

/* Adds a static table of routes; stops at the first failure. */
int zg_router_add_all(zg_router_t *rt, const zg_route_t *routes, size_t n);
#define ZG_ROUTES(rt, table) zg_router_add_all((rt), (table), sizeof(table) / sizeof((table)[0]))

/* Number of routes and the i-th (for the OpenAPI document). */
size_t zg_router_count(const zg_router_t *rt);
const zg_route_t *zg_router_at(const zg_router_t *rt, size_t i);

#endif
