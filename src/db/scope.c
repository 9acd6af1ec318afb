/* scope.c — {{SCOPE}} → "(SELECT descendant_id FROM org_closure WHERE ancestor_id = $N)".
 * The rewritten text is the same for every call with the same SQL and parameter count, so it
 * hits the connection's prepared-statement cache like any other query. */
#include "db/scope.h"

#include <stdio.h>
#include <string.h>

#define TOKEN      "{{SCOPE}}"
#define MAX_SQL    16384
#define MAX_PARAMS 32

int zg_scope_contains(zg_conn_t *c, int64_t root, int64_t org_id, bool *in, zg_error_t *err)
{
    zg_param_t p[] = {ZG_P_INT(root), ZG_P_INT(org_id)};
    int64_t n = 0;
    int rc = zg_db_query_int(c,
                             "SELECT count(*) FROM org_closure WHERE ancestor_id = $1 AND "
                             "descendant_id = $2",
                             p, 2, &n, err);
    if (rc == ZG_OK)
        *in = n > 0;
    return rc;
}

/* Rewrites sql into buf; every {{SCOPE}} becomes the subquery on parameter $(nparams+1). */
static int rewrite(const char *sql, int nparams, char *buf, size_t cap, zg_error_t *err)
{
    if (nparams < 0 || nparams >= MAX_PARAMS)
        return zg_error_set(err, ZG_ERR_INTERNAL, "scope_params", "服务器内部错误",
                            "scoped query with %d params", nparams);
    char sub[96];
    snprintf(sub, sizeof sub, "(SELECT descendant_id FROM org_closure WHERE ancestor_id = $%d)",
             nparams + 1);
    size_t out = 0, tl = strlen(TOKEN), sl = strlen(sub);
    int found = 0;
    for (const char *p = sql; *p;) {
        if (!strncmp(p, TOKEN, tl)) {
            if (out + sl >= cap)
                goto too_long;
            memcpy(buf + out, sub, sl);
            out += sl;
            p += tl;
            found++;
        } else {
            if (out + 1 >= cap)
                goto too_long;
            buf[out++] = *p++;
        }
    }
    buf[out] = '\0';
    if (!found)
        return zg_error_set(err, ZG_ERR_INTERNAL, "scope_missing", "服务器内部错误",
                            "scoped query without {{SCOPE}}: %.120s", sql);
    return ZG_OK;
too_long:
    return zg_error_set(err, ZG_ERR_INTERNAL, "scope_sql_long", "服务器内部错误",
                        "scoped query too long");
}

static int with_root(const zg_param_t *params, int nparams, int64_t root, zg_param_t *all)
{
    for (int i = 0; i < nparams; i++)
        all[i] = params[i];
    all[nparams] = ZG_P_INT(root);
    return nparams + 1;
}

int zg_scope_query(zg_conn_t *c, int64_t root, const char *sql, const zg_param_t *params,
                   int nparams, zg_rows_t **out, zg_error_t *err)
{
    char buf[MAX_SQL];
    int rc = rewrite(sql, nparams, buf, sizeof buf, err);
    if (rc)
        return rc;
    zg_param_t all[MAX_PARAMS];
    int n = with_root(params, nparams, root, all);
    return zg_db_query(c, buf, all, n, out, err);
}

int zg_scope_query_int(zg_conn_t *c, int64_t root, const char *sql, const zg_param_t *params,
                       int nparams, int64_t *out, zg_error_t *err)
{
    char buf[MAX_SQL];
    int rc = rewrite(sql, nparams, buf, sizeof buf, err);
    if (rc)
        return rc;
    zg_param_t all[MAX_PARAMS];
    int n = with_root(params, nparams, root, all);
    return zg_db_query_int(c, buf, all, n, out, err);
}

int zg_scope_exec(zg_conn_t *c, int64_t root, const char *sql, const zg_param_t *params,
                  int nparams, int64_t *changes, zg_error_t *err)
{
    char buf[MAX_SQL];
    int rc = rewrite(sql, nparams, buf, sizeof buf, err);
    if (rc)
        return rc;
    zg_param_t all[MAX_PARAMS];
    int n = with_root(params, nparams, root, all);
    return zg_db_exec(c, buf, all, n, changes, err);
}
