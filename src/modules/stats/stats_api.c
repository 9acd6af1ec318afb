/* stats_api.c — HTTP handlers of the statistics (docs/api-stats.md): parse, get the current
 * snapshot, build the report (stats_report.c), render. Every route needs stats:read; the org
 * named by ?org_id= (default: the caller's home org) must lie in the caller's subtree
 * (zg_scope_require: 404 with no data otherwise, the same answer as for an org that does not
 * exist), and the report checks it again. Answers are computed from the process-wide snapshot
 * (stats_service.c) and state the moment their data is from (data_as_of). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/app.h"
#include "http/auth.h"
#include "http/params.h"
#include "http/request.h"
#include "http/router.h"
#include "modules/stats/stats_service.h"

#define FIRST_BUILD_WAIT_MS 15000 /* a request at start-up waits this long for the first build */
#define NEW_ORG_WAIT_MS     5000  /* an org younger than the snapshot: wait for a rebuild */

/* ?org_id= (default: the caller's home org), checked against the caller's scope. Non-zero
 * when the request has been answered. */
static int query_org(zg_req_t *r, int64_t *out)
{
    if (zg_query_int(r, "org_id", 1, INT64_MAX, zg_req_home(r), out))
        return -1;
    if (*out <= 0) {
        zg_reply_error(r, 404, "not_found", "组织不存在或不在您的管理范围内", NULL);
        return -1;
    }
    return zg_scope_require(r, *out) ? -1 : 0;
}

/* ?as_of= within the snapshot's range (1900-01-01 .. 2079-06-05); default today (China). */
static int query_as_of(zg_req_t *r, zg_date_t *out)
{
    return zg_query_date(r, "as_of", zg_stats_day_to_date(0),
                         zg_stats_day_to_date(ZG_STATS_DAY_MAX), zg_date_today(), out);
}

/* ?year= (1900..2078); default this year. */
static int query_year(zg_req_t *r, int *out)
{
    int y, m, d;
    zg_date_to_ymd(zg_date_today(), &y, &m, &d);
    int64_t v;
    if (zg_query_int(r, "year", 1900, 2078, y, &v))
        return -1;
    *out = (int)v;
    return 0;
}

typedef struct job {
    int64_t org;
    zg_date_t as_of;
    int year;
    bool recruited;
    zg_stats_report_t rep;
    zg_stats_recruited_t rec;
} job_t;

static int run_once(zg_req_t *r, zg_conn_t *c, job_t *j, zg_error_t *err)
{
    zg_stats_ref_t *ref;
    int rc = zg_stats_acquire(r->app->db, FIRST_BUILD_WAIT_MS, &ref, err);
    if (rc)
        return rc;
    int64_t scope = r->who->home_org_id;
    rc = j->recruited ? zg_stats_recruited(ref, c, &r->arena, scope, j->org, j->year, &j->rec, err)
                      : zg_stats_report(ref, c, &r->arena, scope, j->org, j->as_of, &j->rep, err);
    zg_stats_release(ref); /* the report holds copies, not pointers into the snapshot */
    return rc;
}

/* Builds the job's report; on failure answers and returns -1. */
static int run(zg_req_t *r, job_t *j)
{
    zg_conn_t *c = zg_req_db(r);
    if (!c)
        return -1;
    zg_error_t err;
    int rc = run_once(r, c, j, &err);
    if (rc == ZG_ERR_NOT_FOUND && !strcmp(err.code, "stats_org_not_loaded")) {
        /* an org created after the snapshot was built: wait for a fresh one */
        rc = zg_stats_refresh_sync(r->app->db, NEW_ORG_WAIT_MS, &err);
        if (rc == ZG_OK)
            rc = run_once(r, c, j, &err);
    }
    if (rc) {
        zg_reply_err(r, &err);
        return -1;
    }
    return 0;
}

static int reply_sb(zg_req_t *r, zg_strbuf_t *sb, int rc)
{
    if (rc)
        return zg_reply_error(r, 500, "internal", "服务器内部错误，请稍后重试或联系管理员", NULL);
    return zg_reply_json_text(r, 200, sb->data, sb->len);
}

/* GET /api/v1/stats?org_id=&as_of= */
static int get_stats(zg_req_t *r)
{
    job_t j = {0};
    if (query_org(r, &j.org) || query_as_of(r, &j.as_of) || run(r, &j))
        return 0;
    zg_strbuf_t sb;
    zg_strbuf_init(&sb, &r->arena, 0);
    return reply_sb(r, &sb, zg_stats_report_json(&j.rep, &sb));
}

/* GET /api/v1/stats/recruited?org_id=&year= */
static int get_recruited(zg_req_t *r)
{
    job_t j = {.recruited = true};
    if (query_org(r, &j.org) || query_year(r, &j.year) || run(r, &j))
        return 0;
    zg_strbuf_t sb;
    zg_strbuf_init(&sb, &r->arena, 0);
    return reply_sb(r, &sb, zg_stats_recruited_json(&j.rec, &sb));
}

/* RFC 5987 percent-encoding of a UTF-8 file name. */
static void pct_encode(const char *s, char *out, size_t cap)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t o = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p && o + 4 < cap; p++) {
        if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
            *p == '-' || *p == '.' || *p == '_') {
            out[o++] = (char)*p;
        } else {
            out[o++] = '%';
            out[o++] = hex[*p >> 4];
            out[o++] = hex[*p & 15];
        }
    }
    out[o] = '\0';
}

/* GET /api/v1/stats/export.xlsx?org_id=&as_of= */
static int get_export(zg_req_t *r)
{
    job_t j = {0};
    if (query_org(r, &j.org) || query_as_of(r, &j.as_of) || run(r, &j))
        return 0;
    void *data;
    size_t len;
    zg_error_t err;
    if (zg_stats_report_xlsx(&j.rep, &r->arena, &data, &len, &err))
        return zg_reply_err(r, &err);
    zg_reply_bytes(r, 200, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                   data, len);
    char as_of[ZG_DATE_STR_SIZE], name[128], enc[400], cd[600];
    zg_date_format(j.as_of, as_of);
    snprintf(name, sizeof name, "党员队伍基本情况统计表-%s.xlsx", as_of);
    pct_encode(name, enc, sizeof enc);
    snprintf(cd, sizeof cd, "attachment; filename=\"stats-%lld-%s.xlsx\"; filename*=UTF-8''%s",
             (long long)j.org, as_of, enc);
    zg_reply_header(r, "Content-Disposition", cd);
    zg_reply_header(r, "Cache-Control", "no-store");
    return 0;
}

int zg_stats_routes(zg_router_t *rt)
{
    static const zg_route_t routes[] = {
        {.method = "GET",
         .pattern = "/api/v1/stats",
         .handler = get_stats,
         .summary = "党员队伍基本情况统计：本组织及下级各组织在指定日期的党员数（性别、民族、学历、"
                    "年龄、入党时间、职业、党员类别）与党组织数",
         .perm = "stats:read"},
        {.method = "GET",
         .pattern = "/api/v1/stats/export.xlsx",
         .handler = get_export,
         .summary = "导出党员队伍基本情况统计表（Excel，按年报格式）",
         .perm = "stats:read"},
        {.method = "GET",
         .pattern = "/api/v1/stats/recruited",
         .handler = get_recruited,
         .summary = "某年发展党员情况（性别、民族、学历、入党时年龄、职业），含下级各组织",
         .perm = "stats:read"},
    };
    return ZG_ROUTES(rt, routes);
}
