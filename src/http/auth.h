/* auth.h — who is calling, what they may do, and which orgs they may see: the one place where
 * access is decided (issue 3, SPEC §1 principle 4).
 *
 * The server runs these checks before any handler, from the route's declaration:
 *   1. authentication (unless ZG_ROUTE_PUBLIC): the registered authenticator turns a session
 *      cookie or `Authorization: Bearer` token into a zg_principal_t → else 401;
 *   2. CSRF: a cookie-authenticated request other than GET/HEAD must carry the session's
 *      token in `X-CSRF-Token` → else 403;
 *   3. a first-login / expired password allows only the routes flagged ZG_ROUTE_PWCHANGE → 403;
 *   4. permission: route->perm ("module:action") must be granted by one of the account's
 *      roles → else 403;
 *   5. data scope: when the route declares route->scope, the object named by the path
 *      parameter is resolved to its org and must lie in the account's home-org subtree →
 *      else 404 with no data (the same answer as for an object that does not exist).
 * Handlers then read lists through zg_scoped_query (the SQL must contain {{SCOPE}}; a query
 * without it is refused) and check org ids taken from request bodies (a new parent, a target
 * org) with zg_scope_require. Tables: org_closure(ancestor_id, descendant_id, depth) holds
 * every (ancestor, descendant) pair of the org tree including (x, x). */
#ifndef ZG_HTTP_AUTH_H
#define ZG_HTTP_AUTH_H

#include <stdbool.h>
#include <stdint.h>

#include "core/status.h"
#include "db/scope.h"
#include "http/request.h"

typedef struct zg_db zg_db_t;
typedef struct zg_rows zg_rows_t;
typedef struct zg_param zg_param_t;

#define ZG_MAX_PERMS 128

typedef struct zg_principal {
    int64_t account_id;
    const char *username;
    const char *display_name;
    int64_t home_org_id;       /* scope root: the account sees this org and its subtree */
    int64_t session_id;        /* 0 for none */
    bool via_cookie;           /* authenticated by the browser cookie (CSRF applies) */
    const char *csrf_token;    /* the session's CSRF token (cookie sessions) */
    bool must_change_password; /* one-time or expired password */
    int nperms;
    const char *perms[ZG_MAX_PERMS]; /* sorted "module:action" strings */
} zg_principal_t;

/* Turns the request's credentials into a principal allocated in the request arena.
 * Returns ZG_OK with *out set, ZG_ERR_UNAUTHORIZED (no, unknown, idle- or absolutely-expired
 * credentials; err->message says which, in Chinese) or another error. Provided by the account
 * module and registered at start with zg_auth_set_authenticator. */
typedef int (*zg_authenticator_fn)(zg_req_t *r, zg_principal_t **out, zg_error_t *err);
void zg_auth_set_authenticator(zg_authenticator_fn fn);

/* Called after the checks refused a logged-in caller (403, or 404 for an object outside the
 * scope), with the refusal's code; the app records it in the audit log ("access.denied"). */
typedef void (*zg_denial_fn)(zg_req_t *r, const char *code);
void zg_auth_set_denial_hook(zg_denial_fn fn);

/* How a route's path parameter maps to an org. `sql` takes the parameter as $1 and returns
 * the object's org id in its first column (e.g. "SELECT org_id FROM member WHERE id = $1");
 * NULL means the parameter is itself an org id. */
typedef struct zg_scope_spec {
    const char *param;
    const char *sql;
} zg_scope_spec_t;

/* Runs steps 1–5 above for the matched route; on refusal answers the request and returns
 * non-zero. Called by the server. */
int zg_auth_check(zg_req_t *r);

/* Whether the principal holds permission `perm`. */
bool zg_principal_can(const zg_principal_t *p, const char *perm);

/* For org ids that come from a request body: ZG_OK if `org_id` is in the caller's subtree;
 * otherwise answers 404 ("组织不存在或不在您的管理范围内") and returns ZG_ERR_NOT_FOUND. */
int zg_scope_require(zg_req_t *r, int64_t org_id);

/* zg_scope_query (db/scope.h) with the caller's home org as the scope root. */
int zg_scoped_query(zg_req_t *r, const char *sql, const zg_param_t *params, int nparams,
                    zg_rows_t **out, zg_error_t *err);

/* The same for a count or other single integer. */
int zg_scoped_query_int(zg_req_t *r, const char *sql, const zg_param_t *params, int nparams,
                        int64_t *out, zg_error_t *err);

#endif
