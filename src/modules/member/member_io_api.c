/* member_io_api.c — HTTP handlers of the member import and export (docs/api-members-io.md):
 * the template, the import (answered at once up to ZG_MEMBER_IMPORT_ASYNC_ROWS data rows, else
 * run as a job by a worker thread with its own connection and arena), the job's progress, and
 * the XLSX / CSV export of a filtered list (audited as "member.export").
 *
 * Jobs: the import_job row holds the state that outlives the process (status, counts, the
 * report); the live progress of a running job (phase, rows, percent) is kept in memory and
 * merged into GET /import-jobs/{id}, because on SQLite the job's writes are invisible to other
 * connections until its one transaction commits. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/app.h"
#include "core/log.h"
#include "core/utf8.h"
#include "core/validate.h"
#include "db/db.h"
#include "http/auth.h"
#include "http/json.h"
#include "http/params.h"
#include "http/request.h"
#include "http/router.h"
#include "modules/audit/audit.h"
#include "modules/member/member_internal.h"
#include "modules/member/member_io.h"

#define XLSX_MIME     "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#define JOBS_MAX      4                  /* import jobs running at once in this process */
#define JOB_ARENA_MAX ((size_t)1 << 30)  /* a job's arena: ~300 bytes a row, 200,000 rows */
#define REPORT_MAX    ((size_t)16 << 20) /* the report text of a job */

/* ---- helpers ------------------------------------------------------------------------------ */

static int64_t home(const zg_req_t *r)
{
    return r->who->home_org_id;
}

static zg_member_actor_t actor_of(const zg_req_t *r)
{
    return (zg_member_actor_t){
        .account_id = r->who->account_id, .username = r->who->username, .ip = r->client_ip};
}

/* Content-Disposition with an ASCII fallback and the UTF-8 name (RFC 6266 / RFC 5987). */
static void disposition(zg_req_t *r, const char *ascii, const char *utf8)
{
    zg_strbuf_t sb;
    zg_strbuf_init(&sb, &r->arena, 1024);
    zg_strbuf_printf(&sb, "attachment; filename=\"%s\"; filename*=UTF-8''", ascii);
    for (const unsigned char *p = (const unsigned char *)utf8; *p; p++) {
        if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
            strchr("-._~", *p))
            zg_strbuf_putc(&sb, (char)*p);
        else
            zg_strbuf_printf(&sb, "%%%02X", *p);
    }
    if (!sb.overflow)
        zg_reply_header(r, "Content-Disposition", zg_strbuf_cstr(&sb));
}

static int reply_file(zg_req_t *r, const char *type, void *data, size_t len, const char *ascii,
                      const char *utf8)
{
    int rc = zg_reply_bytes(r, 200, type, data, len);
    free(data);
    if (rc == ZG_OK && r->status == 200) {
        disposition(r, ascii, utf8);
        zg_reply_header(r, "Cache-Control", "no-store");
    }
    return ZG_OK;
}

/* ---- template ------------------------------------------------------------------------------- */

/* GET /api/v1/members/import-template.xlsx */
static int get_template(zg_req_t *r)
{
    zg_conn_t *c = zg_req_db(r);
    if (!c)
        return ZG_OK;
    zg_error_t err;
    void *data;
    size_t len;
    if (zg_member_template_xlsx(c, &r->arena, &data, &len, &err))
        return zg_reply_err(r, &err);
    return reply_file(r, XLSX_MIME, data, len, "member-import-template.xlsx",
                      "党员信息导入模板.xlsx");
}

/* ---- jobs ------------------------------------------------------------------------------------ */

typedef struct live_job {
    int64_t id;
    int phase;
    uint32_t done, total;
    int percent;
    struct live_job *next;
} live_job_t;

static pthread_mutex_t jobs_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t jobs_cv = PTHREAD_COND_INITIALIZER;
static live_job_t *jobs_live;
static int jobs_running;

typedef struct job {
    int64_t id;
    zg_db_t *db;
    void *data;
    size_t len;
    zg_member_import_opts_t opts;
    char username[128], ip[64];
    live_job_t live;
} job_t;

static void job_progress(void *ctx, int phase, uint32_t done, uint32_t total, int percent)
{
    job_t *j = ctx;
    pthread_mutex_lock(&jobs_mu);
    j->live.phase = phase;
    j->live.done = done;
    j->live.total = total;
    j->live.percent = percent;
    pthread_mutex_unlock(&jobs_mu);
}

static void job_end(job_t *j)
{
    pthread_mutex_lock(&jobs_mu);
    for (live_job_t **p = &jobs_live; *p; p = &(*p)->next)
        if (*p == &j->live) {
            *p = j->live.next;
            break;
        }
    jobs_running--;
    pthread_cond_broadcast(&jobs_cv);
    pthread_mutex_unlock(&jobs_mu);
    free(j->data);
    free(j);
}

static void *job_main(void *arg)
{
    job_t *j = arg;
    zg_error_t err;
    zg_conn_t *c = zg_db_conn(j->db, &err);
    if (!c) {
        zg_log_error("import job %lld: no connection: %s", (long long)j->id, err.detail);
        job_end(j);
        return NULL;
    }
    zg_param_t pid[] = {ZG_P_INT(j->id)};
    zg_db_exec(c, "UPDATE import_job SET status = 'running' WHERE id = $1", pid, 1, NULL, &err);
    zg_arena_t a;
    zg_arena_init(&a, 1u << 20, JOB_ARENA_MAX);
    zg_member_import_result_t res;
    int rc = zg_member_import(c, &a, j->data, j->len, &j->opts, &res, &err);
    zg_strbuf_t sb;
    zg_strbuf_init(&sb, NULL, REPORT_MAX);
    if (rc) {
        zg_strbuf_puts(&sb, "{\"code\":");
        zg_strbuf_json_string(&sb, err.code[0] ? err.code : zg_status_name(rc));
        zg_strbuf_puts(&sb, ",\"message\":");
        zg_strbuf_json_string(&sb, rc == ZG_ERR_INTERNAL || rc == ZG_ERR_DB
                                       ? "服务器内部错误，请稍后重试或联系管理员"
                                       : err.message);
        zg_strbuf_putc(&sb, '}');
        if (rc == ZG_ERR_INTERNAL || rc == ZG_ERR_DB)
            zg_log_error("import job %lld: %s", (long long)j->id, err.detail);
    } else {
        zg_member_import_report_json(&res, j->opts.mode, &sb);
    }
    const char *report = sb.overflow ? "{\"code\":\"report_too_large\"}" : zg_strbuf_cstr(&sb);
    char ts[ZG_TIMESTAMP_SIZE];
    zg_timestamp_now(ts);
    zg_param_t p[] = {ZG_P_TEXT(rc ? "failed" : "done"),
                      ZG_P_INT(res.rows_total),
                      ZG_P_INT(rc ? 0 : (res.written ? res.rows_ok : 0)),
                      ZG_P_INT(res.rows_ok),
                      ZG_P_INT(res.rows_failed),
                      ZG_P_TEXT(report),
                      ZG_P_TEXT(ts),
                      ZG_P_INT(j->id)};
    if (zg_db_exec(c,
                   "UPDATE import_job SET status = $1, rows_total = $2, rows_done = $3, "
                   "rows_ok = $4, rows_failed = $5, report = $6, finished_at = $7 WHERE id = $8",
                   p, 8, NULL, &err))
        zg_log_error("import job %lld: saving the report: %s", (long long)j->id, err.detail);
    zg_strbuf_free(&sb);
    zg_arena_destroy(&a);
    job_end(j);
    return NULL;
}

int zg_member_io_wait_jobs(void)
{
    int waited = 0;
    pthread_mutex_lock(&jobs_mu);
    while (jobs_running > 0) {
        waited++;
        pthread_cond_wait(&jobs_cv, &jobs_mu);
    }
    pthread_mutex_unlock(&jobs_mu);
    return waited;
}

static int start_job(zg_req_t *r, zg_conn_t *c, const zg_member_import_opts_t *o, uint32_t estimate)
{
    pthread_mutex_lock(&jobs_mu);
    bool full = jobs_running >= JOBS_MAX;
    if (!full)
        jobs_running++;
    pthread_mutex_unlock(&jobs_mu);
    if (full)
        return zg_reply_error(r, 503, "busy", "正在进行的导入任务过多，请稍后再试", NULL);
    job_t *j = calloc(1, sizeof *j);
    void *copy = j ? malloc(r->body.len) : NULL;
    if (!copy) {
        free(j);
        pthread_mutex_lock(&jobs_mu);
        jobs_running--;
        pthread_mutex_unlock(&jobs_mu);
        return zg_reply_error(r, 503, "no_memory", "服务器内存不足，请稍后重试", NULL);
    }
    memcpy(copy, r->body.data, r->body.len);
    j->data = copy;
    j->len = r->body.len;
    j->db = r->app->db;
    j->opts = *o;
    snprintf(j->username, sizeof j->username, "%s", o->actor.username ? o->actor.username : "");
    snprintf(j->ip, sizeof j->ip, "%s", o->actor.ip ? o->actor.ip : "");
    j->opts.actor.username = j->username;
    j->opts.actor.ip = j->ip;
    j->opts.progress = job_progress;
    if (zg_db_kind_of(j->db) == ZG_DB_SQLITE)
        j->opts.sqlite_cache_kib = 65536;
    j->opts.progress_ctx = j;
    char options[160];
    snprintf(options, sizeof options, "{\"mode\":\"%s\",\"update\":%s,\"org_id\":%lld}",
             o->mode == ZG_IMPORT_VALID_ONLY ? "valid_only" : "all_or_nothing",
             o->update ? "true" : "false", (long long)o->default_org);
    zg_error_t err;
    zg_param_t p[] = {ZG_P_INT(r->who->account_id), ZG_P_INT(home(r)), ZG_P_INT(estimate),
                      ZG_P_TEXT(options)};
    int rc = zg_db_query_int(c,
                             "INSERT INTO import_job (account_id, org_id, kind, status, "
                             "rows_total, options) VALUES ($1, $2, 'member', 'queued', $3, $4) "
                             "RETURNING id",
                             p, 4, &j->id, &err);
    j->opts.job_id = j->id;
    j->live.id = j->id;
    pthread_t th;
    pthread_attr_t attr;
    if (!rc) {
        pthread_mutex_lock(&jobs_mu);
        j->live.next = jobs_live;
        jobs_live = &j->live;
        pthread_mutex_unlock(&jobs_mu);
        pthread_attr_init(&attr);
        pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
        if (pthread_create(&th, &attr, job_main, j)) {
            rc = zg_error_set(&err, ZG_ERR_INTERNAL, "internal", "服务器内部错误",
                              "pthread_create failed");
            zg_param_t q[] = {ZG_P_INT(j->id)};
            zg_db_exec(c, "UPDATE import_job SET status = 'failed' WHERE id = $1", q, 1, NULL,
                       NULL);
        }
        pthread_attr_destroy(&attr);
    }
    if (rc) {
        int64_t id = j->id;
        job_end(j); /* unlinks, counts down, frees */
        (void)id;
        return zg_reply_err(r, &err);
    }
    int64_t id = j->id; /* j belongs to the thread now */
    char loc[64];
    snprintf(loc, sizeof loc, "/api/v1/members/import-jobs/%lld", (long long)id);
    zg_reply_json(r, 202,
                  json_pack("{s:I, s:s, s:I}", "job_id", (json_int_t)id, "status", "queued",
                            "rows_estimate", (json_int_t)estimate));
    zg_reply_header(r, "Location", loc);
    return ZG_OK;
}

/* GET /api/v1/members/import-jobs/{id} */
static int get_job(zg_req_t *r)
{
    const char *v = zg_req_param(r, "id");
    char *end = NULL;
    long long id = v ? strtoll(v, &end, 10) : 0;
    if (!v || !*v || *end || id <= 0 || strlen(v) > 19)
        return zg_reply_error(r, 404, "not_found", "导入任务不存在", NULL);
    zg_error_t err;
    zg_rows_t *rows;
    zg_param_t p[] = {ZG_P_INT(id), ZG_P_INT(r->who->account_id)};
    if (!zg_req_db(r))
        return ZG_OK;
    if (zg_scoped_query(r,
                        "SELECT id, status, rows_total, rows_done, rows_ok, rows_failed, report, "
                        "created_at, finished_at, options FROM import_job WHERE id = $1 "
                        "AND kind = 'member' AND (account_id = $2 OR org_id IN {{SCOPE}})",
                        p, 2, &rows, &err))
        return zg_reply_err(r, &err);
    int n = zg_rows_next(rows, &err);
    if (n <= 0) {
        zg_rows_close(rows);
        if (n < 0)
            return zg_reply_err(r, &err);
        return zg_reply_error(r, 404, "not_found", "导入任务不存在", NULL);
    }
    json_t *j = json_object();
    const char *status = zg_arena_strdup(&r->arena, zg_rows_text(rows, 1));
    json_object_set_new(j, "id", json_integer(zg_rows_int(rows, 0)));
    json_object_set_new(j, "status", json_string(status ? status : ""));
    json_int_t total = zg_rows_int(rows, 2), done = zg_rows_int(rows, 3);
    json_object_set_new(j, "rows_ok", json_integer(zg_rows_int(rows, 4)));
    json_object_set_new(j, "rows_failed", json_integer(zg_rows_int(rows, 5)));
    json_t *report = NULL;
    if (!zg_rows_isnull(rows, 6))
        report = json_loads(zg_rows_text(rows, 6), 0, NULL);
    json_object_set_new(j, "report", report ? report : json_null());
    json_object_set_new(j, "created_at", json_string(zg_rows_text(rows, 7)));
    json_object_set_new(j, "finished_at",
                        zg_rows_isnull(rows, 8) ? json_null() : json_string(zg_rows_text(rows, 8)));
    json_t *options = json_loads(zg_rows_text(rows, 9), 0, NULL);
    json_object_set_new(j, "options", options ? options : json_null());
    zg_rows_close(rows);
    int percent = 0;
    const char *phase = "queued";
    bool finished = status && (!strcmp(status, "done") || !strcmp(status, "failed"));
    if (finished) {
        percent = 100;
        phase = "finished";
    } else {
        pthread_mutex_lock(&jobs_mu);
        for (live_job_t *l = jobs_live; l; l = l->next)
            if (l->id == id) {
                if (l->phase) {
                    phase = l->phase == ZG_IMPORT_PHASE_VALIDATE ? "validating" : "writing";
                    percent = l->percent;
                    total = l->total;
                    done = l->done;
                }
                break;
            }
        pthread_mutex_unlock(&jobs_mu);
    }
    json_object_set_new(j, "phase", json_string(phase));
    json_object_set_new(j, "percent", json_integer(percent));
    json_object_set_new(j, "rows_total", json_integer(total));
    json_object_set_new(j, "rows_done", json_integer(done));
    return zg_reply_json(r, 200, j);
}

/* ---- import -------------------------------------------------------------------------------- */

/* POST /api/v1/members/import?mode=&update=&org_id=&async= — body: the .xlsx */
static int post_import(zg_req_t *r)
{
    const char *ct = zg_req_header(r, "Content-Type");
    if (!ct ||
        (strncmp(ct, XLSX_MIME, strlen(XLSX_MIME)) && strncmp(ct, "application/octet-stream", 24)))
        return zg_reply_error(r, 415, "unsupported_media_type",
                              "请上传 Excel 文件（.xlsx，Content-Type: " XLSX_MIME "）", NULL);
    if (r->body.len == 0)
        return zg_reply_error(r, 400, "empty_body", "请选择要导入的 Excel 文件", NULL);
    zg_member_import_opts_t o;
    zg_member_actor_t actor = actor_of(r);
    zg_member_import_opts_init(&o, home(r), &actor);
    const char *mode = zg_req_query(r, "mode");
    if (mode && *mode) {
        if (!strcmp(mode, "valid_only"))
            o.mode = ZG_IMPORT_VALID_ONLY;
        else if (strcmp(mode, "all_or_nothing"))
            return zg_reply_bad_param(
                r, "mode",
                "应为 all_or_nothing（有错误时全部不导入）或 valid_only（只导入正确的行）");
    }
    int64_t update, org, async;
    if (zg_query_int(r, "update", 0, 1, 0, &update) || zg_query_int(r, "async", 0, 1, 0, &async) ||
        zg_query_int(r, "org_id", 1, INT64_MAX, 0, &org))
        return ZG_OK;
    if (org && zg_scope_require(r, org))
        return ZG_OK;
    o.update = update == 1;
    o.default_org = org;
    o.max_file_bytes = (size_t)r->app->config.upload_max;
    zg_error_t err;
    uint32_t rows = 0;
    if (zg_member_import_probe(r->body.data, r->body.len, o.max_file_bytes, org == 0, o.update,
                               ZG_MEMBER_IMPORT_ASYNC_ROWS, &rows, &err))
        return zg_reply_error(r, 400, err.code[0] ? err.code : "xlsx_invalid", err.message, NULL);
    zg_conn_t *c = zg_req_db(r);
    if (!c)
        return ZG_OK;
    if (async || rows > ZG_MEMBER_IMPORT_ASYNC_ROWS)
        return start_job(r, c, &o, rows);
    zg_member_import_result_t res;
    if (zg_member_import(c, &r->arena, r->body.data, r->body.len, &o, &res, &err)) {
        if (err.status == ZG_ERR_INVALID || err.status == ZG_ERR_TOO_LARGE)
            return zg_reply_error(r, 400, err.code, err.message, NULL);
        return zg_reply_err(r, &err);
    }
    zg_strbuf_t sb;
    zg_strbuf_init(&sb, &r->arena, REPORT_MAX);
    bool rejected = !res.written && res.rows_failed > 0;
    if (rejected) {
        zg_strbuf_puts(&sb, "{\"code\":\"import_rejected\",\"message\":");
        char msg[256];
        snprintf(msg, sizeof msg,
                 o.mode == ZG_IMPORT_ALL_OR_NOTHING
                     ? "共 %u 行，其中 %u 行未通过校验，未导入任何数据；请按错误清单修改后重新导入"
                     : "共 %u 行，其中 %u 行未通过校验，没有可导入的数据",
                 res.rows_total, res.rows_failed);
        zg_strbuf_json_string(&sb, msg);
        zg_strbuf_puts(&sb, ",\"fields\":{},\"report\":");
    }
    zg_member_import_report_json(&res, o.mode, &sb);
    if (rejected)
        zg_strbuf_putc(&sb, '}');
    if (sb.overflow)
        return zg_reply_error(r, 500, "internal", "服务器内部错误，请稍后重试或联系管理员", NULL);
    return zg_reply_json_text(r, rejected ? 422 : 200, sb.data, sb.len);
}

/* ---- export -------------------------------------------------------------------------------- */

/* The filters of GET /api/v1/members (member_read_filters) and its org_id, without paging.
 * Answers 400 (404 for an org out of scope) and returns -1 on a bad one. */
static int read_filters(zg_req_t *r, zg_member_query_t *q)
{
    int64_t org;
    if (member_read_filters(r, q) || zg_query_int(r, "org_id", 1, INT64_MAX, 0, &org))
        return -1;
    q->org_id = org;
    if (q->org_id && zg_scope_require(r, q->org_id))
        return -1;
    return 0;
}

static int do_export(zg_req_t *r, zg_member_export_format fmt)
{
    zg_member_query_t q;
    if (read_filters(r, &q))
        return ZG_OK;
    zg_conn_t *c = zg_req_db(r);
    if (!c)
        return ZG_OK;
    bool pii = zg_principal_can(r->who, "member:read_pii");
    zg_error_t err;
    void *data = NULL;
    size_t len = 0;
    int64_t rows = 0;
    if (zg_member_export(c, &r->arena, home(r), &q, pii, fmt, &data, &len, &rows, &err))
        return zg_reply_err(r, &err);
    /* the audit entry: format, count, PII shown, the filter (an ID number only as "set") */
    zg_strbuf_t sb;
    zg_strbuf_init(&sb, &r->arena, 4096);
    zg_strbuf_printf(&sb, "{\"format\":\"%s\",\"rows\":%lld,\"pii\":%s,\"filter\":{",
                     fmt == ZG_EXPORT_XLSX ? "xlsx" : "csv", (long long)rows,
                     pii ? "true" : "false");
    static const char *const names[] = {"org_id",     "as_of",     "status",       "gender",
                                        "age_band",   "education", "join_period",  "dues_category",
                                        "occupation", "mobile",    "lost_contact", "q",
                                        "id_number",  "sort"};
    int k = 0;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        const char *v = zg_req_query(r, names[i]);
        if (!v || !*v)
            continue;
        zg_strbuf_printf(&sb, "%s\"%s\":", k++ ? "," : "", names[i]);
        zg_strbuf_json_string(&sb, strcmp(names[i], "id_number") ? v : "set");
    }
    zg_strbuf_puts(&sb, "}}");
    zg_audit_event_t e = {.action = "member.export",
                          .object_type = "member",
                          .outcome = "ok",
                          .detail = sb.overflow ? "{\"_truncated\":true}" : zg_strbuf_cstr(&sb)};
    zg_audit_from_req(r, &e);
    if (zg_audit_log(c, &e, &err)) {
        free(data);
        return zg_reply_err(r, &err);
    }
    char today[ZG_DATE_STR_SIZE] = "";
    zg_date_format(zg_date_today(), today);
    char ymd[9] = "";
    snprintf(ymd, sizeof ymd, "%.4s%.2s%.2s", today, today + 5, today + 8);
    char ascii[64], utf8[96];
    const char *ext = fmt == ZG_EXPORT_XLSX ? "xlsx" : "csv";
    snprintf(ascii, sizeof ascii, "members-%s.%s", ymd, ext);
    snprintf(utf8, sizeof utf8, "党员名单-%s.%s", ymd, ext);
    return reply_file(r, fmt == ZG_EXPORT_XLSX ? XLSX_MIME : "text/csv; charset=utf-8", data, len,
                      ascii, utf8);
}

/* GET /api/v1/members/export.xlsx */
static int get_export_xlsx(zg_req_t *r)
{
    return do_export(r, ZG_EXPORT_XLSX);
}

/* GET /api/v1/members/export.csv */
static int get_export_csv(zg_req_t *r)
{
    return do_export(r, ZG_EXPORT_CSV);
}

/* ---- routes --------------------------------------------------------------------------------- */

int zg_member_io_routes(zg_router_t *rt)
{
    static const zg_route_t routes[] = {
        {.method = "GET",
         .pattern = "/api/v1/members/import-template.xlsx",
         .handler = get_template,
         .summary = "下载党员信息导入模板（中文列标题，字典列为下拉选项）",
         .perm = "member:write"},
        {.method = "POST",
         .pattern = "/api/v1/members/import",
         .handler = post_import,
         .flags = ZG_ROUTE_UPLOAD,
         .summary = "导入党员信息（Excel，逐行校验并给出错误清单；默认有错误时全部不导入）",
         .perm = "member:write"},
        {.method = "GET",
         .pattern = "/api/v1/members/import-jobs/{id}",
         .handler = get_job,
         .summary = "查询党员导入任务的进度和结果",
         .perm = "member:write"},
        {.method = "GET",
         .pattern = "/api/v1/members/export.xlsx",
         .handler = get_export_xlsx,
         .summary = "按筛选条件导出党员名单（Excel；无权限时身份证号和手机号码脱敏）",
         .perm = "member:read"},
        {.method = "GET",
         .pattern = "/api/v1/members/export.csv",
         .handler = get_export_csv,
         .summary = "按筛选条件导出党员名单（CSV，UTF-8；无权限时身份证号和手机号码脱敏）",
         .perm = "member:read"},
    };
    return ZG_ROUTES(rt, routes);
}
