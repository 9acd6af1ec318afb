/* system_api.c — platform endpoints: health check and the OpenAPI document. */
#include "modules/system/system.h"

#include <string.h>
#include <time.h>

#include "app/app.h"
#include "db/db.h"
#include "http/router.h"
#include "rules/rules.h"

/* GET /healthz — 200 {"status":"ok",...} when the database answers; 503 otherwise. Public,
 * cheap (one cached prepared statement), meant for load balancers and monitors. */
static int healthz(zg_req_t *r)
{
    zg_error_t err;
    zg_conn_t *c = zg_db_conn(r->app->db, &err);
    int64_t one = 0;
    if (!c || zg_db_query_int(c, "SELECT 1", NULL, 0, &one, &err) != ZG_OK || one != 1)
        return zg_reply_error(r, 503, "db_unavailable", "数据库不可用", NULL);
    /* Written directly: monitors call this often, and it is the benchmark's route. */
    char body[160];
    int n = snprintf(body, sizeof body,
                     "{\"status\":\"ok\",\"version\":\"%s\",\"db\":\"%s\",\"uptime_s\":%lld}",
                     ZG_VERSION, zg_db_kind_of(r->app->db) == ZG_DB_SQLITE ? "sqlite" : "postgres",
                     (long long)(time(NULL) - r->app->started_at));
    return zg_reply_json_text(r, 200, body, (size_t)n);
}

/* Converts "/api/v1/dicts/{dict}" (our pattern syntax is OpenAPI's) into the document. */
static int openapi(zg_req_t *r)
{
    const zg_router_t *rt = r->app->router;
    json_t *paths = json_object();
    for (size_t i = 0; i < zg_router_count(rt); i++) {
        const zg_route_t *route = zg_router_at(rt, i);
        json_t *item = json_object_get(paths, route->pattern);
        if (!item) {
            item = json_object();
            json_object_set_new(paths, route->pattern, item);
        }
        char method[8];
        size_t n = strlen(route->method);
        if (n >= sizeof method)
            continue;
        for (size_t k = 0; k < n; k++)
            method[k] = (char)(route->method[k] | 0x20); /* ASCII upper → lower */
        method[n] = '\0';
        json_t *op = json_pack("{s:s}", "summary", route->summary ? route->summary : "");
        json_t *params = json_array();
        for (const char *p = strchr(route->pattern, '{'); p; p = strchr(p + 1, '{')) {
            const char *e = strchr(p, '}');
            if (!e)
                break;
            json_array_append_new(params, json_pack("{s:s%, s:s, s:b, s:{s:s}}", "name", p + 1,
                                                    (size_t)(e - p - 1), "in", "path", "required",
                                                    1, "schema", "type", "string"));
        }
        if (json_array_size(params))
            json_object_set_new(op, "parameters", params);
        else
            json_decref(params);
        if (route->flags & ZG_ROUTE_PUBLIC)
            json_object_set_new(op, "security", json_array());
        json_object_set_new(item, method, op);
    }
    json_t *doc =
        json_pack("{s:s, s:{s:s, s:s, s:s}, s:o}", "openapi", "3.0.3", "info", "title",
                  "组工平台 API", "version", ZG_VERSION, "description",
                  "错误统一返回 {code, message, fields}；详见 docs/api.md", "paths", paths);
    return zg_reply_json(r, 200, doc);
}

/* GET /api/v1/rules — every rule the system checks, with its citation. Public: the
 * regulations are public text, and forms show them before anyone logs in. */
static int list_rules(zg_req_t *r)
{
    const char *prefix = zg_req_query(r, "module");
    size_t plen = prefix ? strlen(prefix) : 0;
    json_t *items = json_array();
    for (size_t i = 0; i < zg_rules_count(); i++) {
        const zg_rule_t *rule = zg_rules_at(i);
        if (prefix && (strncmp(rule->id, prefix, plen) || rule->id[plen] != '.'))
            continue;
        json_array_append_new(items, zg_rule_json(rule));
    }
    size_t n = json_array_size(items);
    return zg_reply_json(r, 200, json_pack("{s:o, s:I}", "items", items, "total", (json_int_t)n));
}

int zg_system_routes(zg_router_t *rt)
{
    static const zg_route_t routes[] = {
        {.method = "GET",
         .pattern = "/healthz",
         .handler = healthz,
         .flags = ZG_ROUTE_PUBLIC,
         .summary = "健康检查"},
        {.method = "GET",
         .pattern = "/api/v1/openapi.json",
         .handler = openapi,
         .flags = ZG_ROUTE_PUBLIC,
         .summary = "OpenAPI 接口文档"},
        {.method = "GET",
         .pattern = "/api/v1/rules",
         .handler = list_rules,
         .flags = ZG_ROUTE_PUBLIC,
         .summary = "规则目录（条文、出处、严重程度）"},
    };
    return ZG_ROUTES(rt, routes);
}
