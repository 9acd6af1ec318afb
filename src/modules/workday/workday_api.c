/* workday_api.c — HTTP handlers for the working-day calendar. */
#include "modules/workday/workday.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/app.h"
#include "http/json.h"
#include "http/request.h"
#include "http/router.h"

/* GET /api/v1/calendar/{year} — the year's holidays and adjusted working days. */
static int get_year(zg_req_t *r)
{
    const char *ys = zg_req_param(r, "year");
    char *end;
    long year = strtol(ys, &end, 10);
    if (*end || end == ys || strlen(ys) != 4 || year < 1900 || year > 2100)
        return zg_reply_error(r, 400, "invalid_year", "年份应为 1900 到 2100 之间的四位数字", NULL);
    zg_conn_t *c = zg_req_db(r);
    if (!c)
        return ZG_OK;
    zg_error_t err;
    zg_calendar_t *cal;
    if (zg_workday_load(c, &cal, &err))
        return zg_reply_err(r, &err);
    json_t *days = json_array();
    for (size_t i = 0; i < zg_calendar_count(cal); i++) {
        const zg_calendar_entry_t *e = zg_calendar_entry(cal, i);
        int y, m, d;
        zg_date_to_ymd(e->date, &y, &m, &d);
        if (y != year)
            continue;
        char ds[ZG_DATE_STR_SIZE];
        zg_date_format(e->date, ds);
        json_array_append_new(days, json_pack("{s:s, s:s, s:s}", "date", ds, "kind",
                                              e->kind == ZG_DAY_WORKDAY ? "workday" : "holiday",
                                              "name", e->name));
    }
    bool covered = zg_calendar_covers_year(cal, (int)year);
    zg_calendar_free(cal);
    return zg_reply_json(
        r, 200, json_pack("{s:i, s:b, s:o}", "year", (int)year, "covered", covered, "days", days));
}

/* POST /api/v1/calendar/deadline {"start","working_days","include_start"} — the date on which
 * a period of N working days ends. include_start (default true) counts `start` as day 1 when it
 * is a working day (a 公示 that opens on `start`); false counts from the next day ("within N
 * working days after start"). */
static int deadline(zg_req_t *r)
{
    int32_t start = 0;
    int64_t n = 0;
    bool include_start = true;
    const zg_field_t fields[] = {
        {"start", "开始日期", ZG_F_DATE, true, 0, 0, &start, NULL},
        {"working_days", "工作日天数", ZG_F_INT, true, 1, 366, &n, NULL},
        {"include_start", "是否含开始日", ZG_F_BOOL, false, 0, 0, &include_start, NULL},
    };
    int rc = zg_json_read(r, fields, 3);
    if (rc)
        return rc;
    zg_conn_t *c = zg_req_db(r);
    if (!c)
        return ZG_OK;
    zg_error_t err;
    zg_calendar_t *cal;
    if (zg_workday_load(c, &cal, &err))
        return zg_reply_err(r, &err);
    zg_date_t end;
    rc = include_start ? zg_calendar_nth_working_day(cal, start, (int32_t)n, &end)
                       : zg_calendar_add_working_days(cal, start, (int32_t)n, &end);
    if (rc) {
        zg_calendar_free(cal);
        return zg_reply_error(r, 400, "date_out_of_range", "计算结果超出支持的日期范围", NULL);
    }
    bool covered = zg_calendar_covers_range(cal, start, end);
    zg_calendar_free(cal);
    char ss[ZG_DATE_STR_SIZE], es[ZG_DATE_STR_SIZE];
    zg_date_format(start, ss);
    zg_date_format(end, es);
    json_t *o = json_pack("{s:s, s:I, s:b, s:s, s:b}", "start", ss, "working_days", (json_int_t)n,
                          "include_start", include_start, "end", es, "covered", covered);
    if (!covered)
        json_object_set_new(o, "warning",
                            json_string("所涉年份的节假日安排尚未录入，计算结果只排除了周末，"
                                        "请在工作日历中补录后再确认"));
    return zg_reply_json(r, 200, o);
}

int zg_workday_routes(zg_router_t *rt)
{
    static const zg_route_t routes[] = {
        {.method = "GET",
         .pattern = "/api/v1/calendar/{year}",
         .handler = get_year,
         .flags = ZG_ROUTE_PUBLIC,
         .summary = "某年的法定节假日与调休上班日"},
        {.method = "POST",
         .pattern = "/api/v1/calendar/deadline",
         .handler = deadline,
         .flags = ZG_ROUTE_PUBLIC,
         .summary = "按工作日计算期限（如公示不少于5个工作日）"},
    };
    return ZG_ROUTES(rt, routes);
}
