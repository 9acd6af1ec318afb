/* audit_api.c — HTTP handlers of the audit log: list and verify, for holders of "audit:read"
 * (the auditor role). There is deliberately no route that changes or deletes entries, so
 * PUT / PATCH / DELETE on these paths answer 405; pruning is an operator command
 * (zg_audit_cli_prune). */
#include "modules/audit/audit.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/app.h"
#include "core/date.h"
#include "core/log.h"
#include "core/utf8.h"
#include "http/auth.h"
#include "http/request.h"
#include "http/router.h"

void zg_audit_from_req(const zg_req_t *r, zg_audit_event_t *e)
{
    e->account_id = r && r->who ? r->who->account_id : 0;
    e->username = r && r->who ? r->who->username : NULL;
    e->ip = r && r->client_ip[0] ? r->client_ip : NULL;
}

/* The UTC timestamp at which day `d` begins in China Standard Time (filters are civil dates
 * as the users see them; entries are stamped in UTC). */
static const char *china_day_start_utc(zg_req_t *r, zg_date_t d)
{
    time_t t = (time_t)d * 86400 - ZG_DATE_CHINA_UTC_OFFSET;
    struct tm tm;
    gmtime_r(&t, &tm);
    char buf[ZG_TIMESTAMP_SIZE];
    strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
    return zg_arena_strdup(&r->arena, buf);
}

static bool is_code_text(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > ZG_AUDIT_CODE_MAX)
        return false;
    for (size_t i = 0; i < n; i++) {
        char ch = s[i];
        if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_' || ch == '.' ||
              ch == ':' || ch == '-'))
            return false;
    }
    return true;
}

/* A positive decimal integer in [min, max] → 0, else -1. */
static int parse_int(const char *s, int64_t min, int64_t max, int64_t *out)
{
    if (!s || !*s || strlen(s) > 19)
        return -1;
    for (const char *p = s; *p; p++)
        if (*p < '0' || *p > '9')
            return -1;
    long long v = strtoll(s, NULL, 10);
    if (v < min || v > max)
        return -1;
    *out = v;
    return 0;
}

/* Query text → filter; bad values are collected into `fields`. */
static void read_filter(zg_req_t *r, zg_audit_filter_t *f, json_t *fields)
{
    const char *from = zg_req_query(r, "from"), *to = zg_req_query(r, "to");
    zg_date_t df = 0, dt = 0;
    bool have_from = false, have_to = false;
    if (from && *from) {
        if (zg_date_parse(from, &df))
            json_object_set_new(fields, "from", json_string("开始日期格式应为 YYYY-MM-DD"));
        else
            have_from = true;
    }
    if (to && *to) {
        if (zg_date_parse(to, &dt))
            json_object_set_new(fields, "to", json_string("结束日期格式应为 YYYY-MM-DD"));
        else
            have_to = true;
    }
    if (have_from && have_to && dt < df)
        json_object_set_new(fields, "to", json_string("结束日期不能早于开始日期"));
    if (have_from)
        f->at_from = china_day_start_utc(r, df);
    if (have_to)
        f->at_before = china_day_start_utc(r, dt + 1);

    const char *account = zg_req_query(r, "account");
    if (account && *account) {
        size_t chars;
        if (strlen(account) > ZG_AUDIT_USERNAME_MAX ||
            zg_utf8_strlen(account, strlen(account), &chars))
            json_object_set_new(fields, "account", json_string("用户名过长或含有无效字符"));
        else
            f->username = account;
    }
    const char *action = zg_req_query(r, "action");
    if (action && *action) {
        if (!is_code_text(action))
            json_object_set_new(
                fields, "action",
                json_string("操作类型应为小写字母、数字和 . _ : - ，最多 64 个字符"));
        else
            f->action_prefix = action;
    }
    const char *otype = zg_req_query(r, "object_type");
    if (otype && *otype) {
        if (!is_code_text(otype))
            json_object_set_new(
                fields, "object_type",
                json_string("对象类型应为小写字母、数字和 . _ : - ，最多 64 个字符"));
        else
            f->object_type = otype;
    }
    const char *oid = zg_req_query(r, "object_id");
    if (oid && *oid && parse_int(oid, 1, INT64_MAX, &f->object_id))
        json_object_set_new(fields, "object_id", json_string("对象编号应为正整数"));
    const char *outcome = zg_req_query(r, "outcome");
    if (outcome && *outcome) {
        if (strcmp(outcome, "ok") && strcmp(outcome, "denied") && strcmp(outcome, "failed"))
            json_object_set_new(fields, "outcome", json_string("结果应为 ok、denied 或 failed"));
        else
            f->outcome = outcome;
    }
    const char *page = zg_req_query(r, "page"), *size = zg_req_query(r, "page_size");
    f->page = 1;
    f->page_size = 20;
    if (page && *page && parse_int(page, 1, 1000000, &f->page))
        json_object_set_new(fields, "page", json_string("页码应为 1 到 1000000 之间的整数"));
    if (size && *size && parse_int(size, 1, 100, &f->page_size))
        json_object_set_new(fields, "page_size", json_string("每页条数应为 1 到 100 之间的整数"));
}

static json_t *opt_string(const char *s)
{
    return s ? json_string(s) : json_null();
}

static json_t *opt_int(int64_t v)
{
    return v ? json_integer((json_int_t)v) : json_null();
}

static json_t *entry_json(const zg_audit_entry_t *e)
{
    json_t *detail = json_null();
    if (e->detail) {
        detail = json_loads(e->detail, JSON_REJECT_DUPLICATES, NULL);
        if (!detail) /* not JSON any more (tampered): show the text as it is */
            detail = json_string(e->detail);
    }
    return json_pack("{s:I, s:I, s:s, s:o, s:o, s:o, s:s, s:o, s:o, s:s, s:o, s:s, s:s}", "id",
                     (json_int_t)e->id, "seq", (json_int_t)e->seq, "at", e->at, "account_id",
                     opt_int(e->account_id), "username", opt_string(e->username), "ip",
                     opt_string(e->ip), "action", e->action, "object_type",
                     opt_string(e->object_type), "object_id", opt_int(e->object_id), "outcome",
                     e->outcome, "detail", detail, "prev_hash", e->prev_hash, "hash", e->hash);
}

/* GET /api/v1/audit?from&to&account&action&object_type&object_id&outcome&page&page_size —
 * {"items":[…], "total", "page", "page_size"}, newest first. */
static int list(zg_req_t *r)
{
    zg_audit_filter_t f = {0};
    json_t *fields = json_object();
    read_filter(r, &f, fields);
    if (json_object_size(fields))
        return zg_reply_error(r, 400, "invalid_fields", "查询条件有误，请按提示修改", fields);
    json_decref(fields);
    zg_conn_t *c = zg_req_db(r);
    if (!c)
        return ZG_OK;
    zg_error_t err;
    zg_audit_entry_t *v;
    size_t n;
    int64_t total;
    if (zg_audit_list(c, &r->arena, &f, &v, &n, &total, &err))
        return zg_reply_err(r, &err);
    json_t *items = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(items, entry_json(&v[i]));
    return zg_reply_json(r, 200,
                         json_pack("{s:o, s:I, s:I, s:I}", "items", items, "total",
                                   (json_int_t)total, "page", (json_int_t)f.page, "page_size",
                                   (json_int_t)f.page_size));
}

/* GET /api/v1/audit/verify — {"ok":true,"checked":N} or {"ok":false,"checked":N,
 * "first_bad_id","first_bad_seq","reason"}. The run is itself recorded ("audit.verify"). */
static int verify(zg_req_t *r)
{
    zg_conn_t *c = zg_req_db(r);
    if (!c)
        return ZG_OK;
    zg_error_t err;
    zg_audit_verify_result_t res;
    if (zg_audit_verify(c, &res, &err))
        return zg_reply_err(r, &err);
    char detail[128];
    if (res.ok)
        snprintf(detail, sizeof detail, "{\"ok\":true,\"checked\":%" PRId64 "}", res.checked);
    else
        snprintf(detail, sizeof detail,
                 "{\"ok\":false,\"first_bad_id\":%" PRId64 ",\"first_bad_seq\":%" PRId64 "}",
                 res.first_bad_id, res.first_bad_seq);
    zg_audit_event_t e = {.action = "audit.verify", .outcome = "ok", .detail = detail};
    zg_audit_from_req(r, &e);
    if (zg_audit_log(c, &e, &err)) /* the auditor still gets the result (e.g. head missing) */
        zg_log_error("audit: could not record a verification: %s", err.detail);
    if (res.ok)
        return zg_reply_json(r, 200,
                             json_pack("{s:b, s:I}", "ok", 1, "checked", (json_int_t)res.checked));
    return zg_reply_json(r, 200,
                         json_pack("{s:b, s:I, s:I, s:I, s:s}", "ok", 0, "checked",
                                   (json_int_t)res.checked, "first_bad_id",
                                   (json_int_t)res.first_bad_id, "first_bad_seq",
                                   (json_int_t)res.first_bad_seq, "reason", res.reason));
}

int zg_audit_routes(zg_router_t *rt)
{
    static const zg_route_t routes[] = {
        {.method = "GET",
         .pattern = "/api/v1/audit",
         .handler = list,
         .summary = "审计日志查询（按时间、账号、操作、对象、结果筛选，分页，最新在前）",
         .perm = "audit:read"},
        {.method = "GET",
         .pattern = "/api/v1/audit/verify",
         .handler = verify,
         .summary = "审计日志哈希链完整性校验",
         .perm = "audit:read"},
    };
    return ZG_ROUTES(rt, routes);
}
