/* dict_api.c — HTTP handlers for dictionaries: parse, call dict.c, render. */
#include "modules/dict/dict.h"

#include <string.h>

#include "app/app.h"
#include "http/request.h"
#include "http/router.h"

/* GET /api/v1/dicts — {"items":[{"dict","standard","count"}]} */
static int list_dicts(zg_req_t *r)
{
    zg_conn_t *c = zg_req_db(r);
    if (!c)
        return ZG_OK;
    zg_error_t err;
    zg_dict_summary_t *v;
    size_t n;
    if (zg_dict_list(c, &r->arena, &v, &n, &err))
        return zg_reply_err(r, &err);
    json_t *items = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(items, json_pack("{s:s, s:s, s:i}", "dict", v[i].dict, "standard",
                                               v[i].standard, "count", v[i].count));
    return zg_reply_json(r, 200, json_pack("{s:o, s:I}", "items", items, "total", (json_int_t)n));
}

/* GET /api/v1/dicts/{dict}[?all=1] — {"dict","items":[{"code","label","parent_code",...}]} */
static int get_dict(zg_req_t *r)
{
    const char *dict = zg_req_param(r, "dict");
    if (!dict || strlen(dict) > 64)
        return zg_reply_error(r, 404, "dict_not_found", "字典不存在", NULL);
    const char *all = zg_req_query(r, "all");
    bool only_enabled = !(all && !strcmp(all, "1"));
    zg_conn_t *c = zg_req_db(r);
    if (!c)
        return ZG_OK;
    zg_error_t err;
    zg_dict_item_t *v;
    size_t n;
    if (zg_dict_items(c, &r->arena, dict, only_enabled, &v, &n, &err))
        return zg_reply_err(r, &err);
    json_t *items = json_array();
    for (size_t i = 0; i < n; i++) {
        json_t *o = json_pack("{s:s, s:s, s:s, s:s?, s:i, s:b}", "code", v[i].code, "label",
                              v[i].label, "short_label", v[i].short_label, "parent_code",
                              v[i].parent_code, "sort", v[i].sort, "enabled", v[i].enabled);
        json_array_append_new(items, o);
    }
    return zg_reply_json(r, 200,
                         json_pack("{s:s, s:s, s:o, s:I}", "dict", dict, "standard",
                                   n ? v[0].standard : "", "items", items, "total", (json_int_t)n));
}

int zg_dict_routes(zg_router_t *rt)
{
    static const zg_route_t routes[] = {
        {.method = "GET",
         .pattern = "/api/v1/dicts",
         .handler = list_dicts,
         .flags = ZG_ROUTE_PUBLIC,
         .summary = "字典列表（国家标准代码表）"},
        {.method = "GET",
         .pattern = "/api/v1/dicts/{dict}",
         .handler = get_dict,
         .flags = ZG_ROUTE_PUBLIC,
         .summary = "字典条目"},
    };
    return ZG_ROUTES(rt, routes);
}
