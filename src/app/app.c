/* app.c — builds and frees the application context. */
#include "app/app.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "core/crypto.h"
#include "core/log.h"
#include "db/db.h"
#include "http/router.h"
#include "http/static.h"
#include "http/auth.h"
#include "http/request.h"
#include "modules/account/account.h"
#include "modules/member/member_index.h"
#include "modules/stats/stats_service.h"
#include "modules/audit/audit.h"
#include "modules/member/member.h"
#include "modules/member/member_io.h"
#include "modules/transfer/transfer.h"
#include "modules/workday/workday.h"
#include "rules/rules.h"

/* Refused attempts by logged-in accounts go to the audit log (SPEC §2 "Audit"): who tried
 * what, from where, and why it was refused. */
static void audit_denial(zg_req_t *r, const char *code)
{
    zg_audit_event_t e = {.action = "access.denied", .outcome = "denied"};
    zg_audit_from_req(r, &e);
    json_t *d = json_pack("{s:s, s:s, s:s}", "method", r->method, "path", r->path, "code", code);
    char *text = d ? json_dumps(d, JSON_COMPACT) : NULL;
    json_decref(d);
    e.detail = text;
    zg_error_t err;
    zg_conn_t *c = zg_db_conn(r->app->db, &err);
    if (!c || zg_audit_log(c, &e, &err))
        zg_log_warn("audit of a refused request failed: %s", err.detail);
    /* text lives in the request arena (jansson allocates there during a request) */
}

int zg_app_open(const zg_config_t *cfg, zg_app_t **out, zg_error_t *err)
{
    zg_app_t *app = calloc(1, sizeof *app);
    if (!app)
        return zg_error_set(err, ZG_ERR_NOMEM, "no_memory", "内存不足", "app: calloc");
    app->config = *cfg;
    app->started_at = (int64_t)time(NULL);
    int rc = zg_crypto_init();
    if (rc) {
        zg_error_set(err, rc, "crypto_init", "加密组件初始化失败", "crypto init failed");
        goto fail;
    }
    rc = zg_rules_validate(err);
    if (rc)
        goto fail;
    rc = zg_account_configure(cfg, err); /* argon2id cost; registers the authenticator */
    if (rc)
        goto fail;
    zg_auth_set_denial_hook(audit_denial);
    zg_transfer_settings_t ts = {.pending_warn_days = cfg->transfer_pending_warn_days};
    snprintf(ts.letter_prefix, sizeof ts.letter_prefix, "%s", cfg->transfer_letter_prefix);
    rc = zg_transfer_configure(&ts, err);
    if (rc)
        goto fail;
    rc = zg_db_open(cfg->db, &app->db, err);
    if (rc)
        goto fail;
    int applied = 0;
    rc = zg_db_migrate(app->db, &applied, err);
    if (rc)
        goto fail;
    if (applied)
        zg_log_info("database %s: applied %d migration(s)", zg_db_display_url(app->db), applied);
    rc = zg_member_configure(cfg, app->db, err); /* field-encryption key; member counter */
    if (rc)
        goto fail;
    zg_member_index_configure(app->db, cfg->member_list_index);
    rc = zg_workday_seed(app->db, NULL, err);
    if (rc)
        goto fail;
    app->router = zg_router_new();
    if (!app->router) {
        rc = zg_error_set(err, ZG_ERR_NOMEM, "no_memory", "内存不足", "router");
        goto fail;
    }
    rc = zg_app_routes(app->router);
    if (rc) {
        zg_error_set(err, rc, "routes", "内部错误：路由表无效", "route table invalid (%d)", rc);
        goto fail;
    }
    rc = zg_static_open(cfg->web_dir, &app->web, err);
    if (rc)
        goto fail;
    *out = app;
    return ZG_OK;
fail:
    zg_app_close(app);
    return rc;
}

void zg_app_close(zg_app_t *app)
{
    if (!app)
        return;
    zg_member_io_wait_jobs(); /* import jobs hold their own connections */
    zg_static_close(app->web);
    zg_router_free(app->router);
    zg_stats_service_stop(); /* its refresher reads the database */
    zg_member_index_stop();  /* so does the list index's builder */
    if (app->db)
        zg_db_close(app->db);
    free(app);
}
