/* demo.c — the demo dataset: the city of 临江 (org tree with leadership teams and gradings, see
 * org_demo.c), demo accounts at several levels, and a report of the reference data every
 * database holds (code tables, working-day calendar). Idempotent: a second run adds nothing. */
#include "app/demo.h"

#include <stdio.h>

#include "app/app.h"
#include "db/db.h"
#include "modules/account/account.h"
#include "modules/member/member.h"
#include "modules/org/org.h"
#include "rules/rules.h"

/* The demo accounts (password ZG_DEMO_PASSWORD, no forced change): one per level of the demo
 * city, and the security administrator and auditor (三员分立; `admin` is made by init). */
static const struct {
    const char *username, *display_name, *org_code, *role;
} demo_accounts[] = {
    {"secadmin", "安全管理员", NULL, "secadmin"},
    {"auditor", "安全审计员", NULL, "auditor"},
    {"city", "市委组织部（组织一科）", "LJ", "org_admin"},
    {"county", "青山县委组织部", "LJ-04", "org_admin"},
    {"town", "石桥镇党委组织委员", "LJ-04-03", "org_admin"},
    {"branch", "村党支部书记", "LJ-04-03-02", "branch_secretary"},
    {"viewer", "市委组织部（只读）", "LJ", "viewer"},
};

/* Creates the demo accounts that do not exist yet; returns how many were created. */
static int demo_accounts_load(zg_conn_t *c, int *created, zg_error_t *err)
{
    *created = 0;
    for (size_t i = 0; i < sizeof demo_accounts / sizeof demo_accounts[0]; i++) {
        int64_t n = 0, org = 0;
        zg_param_t u[] = {ZG_P_TEXT(demo_accounts[i].username)};
        int rc =
            zg_db_query_int(c, "SELECT count(*) FROM account WHERE username = $1", u, 1, &n, err);
        if (rc)
            return rc;
        if (n)
            continue;
        if (demo_accounts[i].org_code) {
            zg_param_t o[] = {ZG_P_TEXT(demo_accounts[i].org_code)};
            rc = zg_db_query_int(c, "SELECT id FROM org WHERE code = $1", o, 1, &org, err);
            if (rc)
                return rc;
        }
        const char *roles[] = {demo_accounts[i].role};
        zg_account_new_t a = {.username = demo_accounts[i].username,
                              .display_name = demo_accounts[i].display_name,
                              .home_org_id = org,
                              .password = ZG_DEMO_PASSWORD,
                              .roles = roles,
                              .nroles = 1};
        zg_arena_t arena;
        zg_arena_init(&arena, 0, 1 << 20);
        zg_findings_t f;
        zg_findings_init(&f, &arena);
        rc = zg_account_create(c, &a, NULL, &f, err);
        zg_arena_destroy(&arena);
        if (rc)
            return rc;
        (*created)++;
    }
    return ZG_OK;
}

int zg_demo_load(zg_app_t *app, zg_demo_report_t *rep, zg_error_t *err)
{
    zg_conn_t *c = zg_db_conn(app->db, err);
    if (!c)
        return ZG_ERR_DB;
    int64_t dicts = 0, items = 0, days = 0;
    int rc = zg_db_query_int(c, "SELECT count(DISTINCT dict) FROM dict_item", NULL, 0, &dicts, err);
    if (!rc)
        rc = zg_db_query_int(c, "SELECT count(*) FROM dict_item", NULL, 0, &items, err);
    if (!rc)
        rc = zg_db_query_int(c, "SELECT count(*) FROM calendar_day", NULL, 0, &days, err);
    if (rc)
        return rc;
    int64_t root;
    zg_org_demo_report_t org;
    rc = zg_org_bootstrap_root(app->db, "中共临江市委员会", &root, err);
    if (!rc)
        rc = zg_org_demo_city(c, root, &org, err);
    zg_member_demo_report_t mrep = {0};
    if (!rc)
        rc = zg_member_demo(c, root, &mrep, err);
    int accounts = 0;
    if (!rc)
        rc = demo_accounts_load(c, &accounts, err);
    if (rc)
        return rc;
    snprintf(rep->summary, sizeof rep->summary,
             "%s；%s；演示账号 %d 个；国家标准代码表 %lld 种（%lld 条），工作日历 %lld 天"
             "（2024–2026 年节假日与调休）",
             org.summary, mrep.summary, accounts, (long long)dicts, (long long)items,
             (long long)days);
    return ZG_OK;
}
