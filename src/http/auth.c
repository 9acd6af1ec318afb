/* auth.c — the access checks the server runs before every handler (see auth.h). */
#include "http/auth.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "app/app.h"
#include "core/log.h"
#include "db/db.h"
#include "http/router.h"

static zg_authenticator_fn g_authenticator;
static zg_denial_fn g_on_denied;

void zg_auth_set_authenticator(zg_authenticator_fn fn)
{
    g_authenticator = fn;
}

void zg_auth_set_denial_hook(zg_denial_fn fn)
{
    g_on_denied = fn;
}

/* Tells the hook about a refusal of a logged-in caller (anonymous refusals are not recorded,
 * so an unauthenticated flood cannot make the server write). */
static void denied(zg_req_t *r, const char *code)
{
    if (g_on_denied && r->who)
        g_on_denied(r, code);
}

bool zg_principal_can(const zg_principal_t *p, const char *perm)
{
    if (!p || !perm)
        return false;
    int lo = 0, hi = p->nperms - 1;
    while (lo <= hi) { /* perms are sorted */
        int mid = (lo + hi) / 2;
        int c = strcmp(p->perms[mid], perm);
        if (c == 0)
            return true;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid - 1;
    }
    return false;
}

static int out_of_scope(zg_req_t *r)
{
    denied(r, "out_of_scope");
    zg_reply_error(r, 404, "not_found", "对象不存在或不在您的管理范围内", NULL);
    return ZG_ERR_NOT_FOUND;
}

int zg_scope_require(zg_req_t *r, int64_t org_id)
{
    if (!r->who)
        return out_of_scope(r);
    zg_conn_t *c = zg_req_db(r);
    if (!c)
        return ZG_ERR_DB;
    bool in = false;
    zg_error_t err;
    if (zg_scope_contains(c, r->who->home_org_id, org_id, &in, &err)) {
        zg_reply_err(r, &err);
        return err.status;
    }
    return in ? ZG_OK : out_of_scope(r);
}

/* Resolves the route's scoped path parameter to an org id and checks it. */
static int check_scope(zg_req_t *r, const zg_scope_spec_t *spec)
{
    const char *v = zg_req_param(r, spec->param);
    char *end = NULL;
    long long id = v ? strtoll(v, &end, 10) : 0;
    if (!v || !*v || *end || id <= 0 || strlen(v) > 19)
        return out_of_scope(r);
    int64_t org_id = id;
    if (spec->sql) {
        zg_conn_t *c = zg_req_db(r);
        if (!c)
            return ZG_ERR_DB;
        zg_param_t p[] = {ZG_P_INT(id)};
        zg_error_t err;
        int rc = zg_db_query_int(c, spec->sql, p, 1, &org_id, &err);
        if (rc == ZG_ERR_NOT_FOUND)
            return out_of_scope(r);
        if (rc) {
            zg_reply_err(r, &err);
            return rc;
        }
    }
    return zg_scope_require(r, org_id);
}

static bool is_safe_method(const char *m)
{
    return !strcmp(m, "GET") || !strcmp(m, "HEAD");
}

int zg_auth_check(zg_req_t *r)
{
    const zg_route_t *route = r->route;
    bool public_route = route->flags & ZG_ROUTE_PUBLIC;
    if (!g_authenticator) {
        if (public_route)
            return ZG_OK;
        zg_reply_error(r, 401, "unauthorized", "请先登录", NULL);
        return ZG_ERR_UNAUTHORIZED;
    }
    zg_principal_t *who = NULL;
    zg_error_t err;
    zg_error_clear(&err);
    int rc = g_authenticator(r, &who, &err);
    if (rc == ZG_ERR_UNAUTHORIZED && public_route)
        return ZG_OK; /* public routes work without (or with stale) credentials */
    if (rc == ZG_ERR_UNAUTHORIZED) {
        zg_reply_error(r, 401, err.code[0] ? err.code : "unauthorized",
                       err.message[0] ? err.message : "请先登录", NULL);
        return rc;
    }
    if (rc) {
        zg_reply_err(r, &err);
        return rc;
    }
    if (who->via_cookie && !is_safe_method(r->method)) {
        const char *sent = zg_req_header(r, "X-CSRF-Token");
        if (!sent || !who->csrf_token || strlen(sent) != strlen(who->csrf_token) ||
            sodium_memcmp(sent, who->csrf_token, strlen(sent)) != 0) {
            /* A public route (e.g. login from a browser that still holds a session cookie)
             * runs as anonymous: the unverified cookie grants nothing there. */
            if (public_route)
                return ZG_OK;
            zg_reply_error(r, 403, "csrf_failed", "页面已过期，请刷新后重试", NULL);
            return ZG_ERR_FORBIDDEN;
        }
    }
    r->who = who;
    if (public_route)
        return ZG_OK;
    if (who->must_change_password && !(route->flags & ZG_ROUTE_PWCHANGE)) {
        zg_reply_error(r, 403, "password_change_required", "请先修改密码", NULL);
        denied(r, "password_change_required");
        return ZG_ERR_FORBIDDEN;
    }
    if (route->perm && !zg_principal_can(who, route->perm)) {
        zg_reply_error(r, 403, "forbidden", "您没有执行此操作的权限", NULL);
        denied(r, "forbidden");
        return ZG_ERR_FORBIDDEN;
    }
    if (route->scope)
        return check_scope(r, route->scope);
    return ZG_OK;
}

int zg_scoped_query(zg_req_t *r, const char *sql, const zg_param_t *params, int nparams,
                    zg_rows_t **out, zg_error_t *err)
{
    if (!r->who)
        return zg_error_set(err, ZG_ERR_UNAUTHORIZED, "unauthorized", "请先登录",
                            "scoped query without a principal");
    zg_conn_t *c = zg_db_conn(r->app->db, err);
    if (!c)
        return ZG_ERR_DB;
    return zg_scope_query(c, r->who->home_org_id, sql, params, nparams, out, err);
}

int zg_scoped_query_int(zg_req_t *r, const char *sql, const zg_param_t *params, int nparams,
                        int64_t *out, zg_error_t *err)
{
    if (!r->who)
        return zg_error_set(err, ZG_ERR_UNAUTHORIZED, "unauthorized", "请先登录",
                            "scoped query without a principal");
    zg_conn_t *c = zg_db_conn(r->app->db, err);
    if (!c)
        return ZG_ERR_DB;
    return zg_scope_query_int(c, r->who->home_org_id, sql, params, nparams, out, err);
}
