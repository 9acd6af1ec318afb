/* demo.c — the demo dataset: the city of 临江 (org tree with leadership teams and gradings, see
 * org_demo.c), demo accounts at several levels, and a report of the reference data every
 * database holds (code tables, working-day calendar). Idempotent: a second run adds nothing. */
#include "app/demo.h"

#include <stdio.h>

#include "app/app.h"
#include "db/db.h"
#include "modules/org/org.h"

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
    if (rc)
        return rc;
    snprintf(rep->summary, sizeof rep->summary,
             "%s；国家标准代码表 %lld 种（%lld 条），工作日历 %lld 天（2024–2026 年节假日与调休）",
             org.summary, (long long)dicts, (long long)items, (long long)days);
    return ZG_OK;
}
