/* demo.c — the demo dataset. The foundation has no business data yet; the demo reports the
 * reference data a new database holds (code tables and the working-day calendar). Later
 * modules add the demo city's org tree and members here. */
#include "app/demo.h"

#include <stdio.h>

#include "app/app.h"
#include "db/db.h"

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
    snprintf(rep->summary, sizeof rep->summary,
             "国家标准代码表 %lld 种（%lld 条），工作日历 %lld 天（2024–2026 年节假日与调休）",
             (long long)dicts, (long long)items, (long long)days);
    return ZG_OK;
}
