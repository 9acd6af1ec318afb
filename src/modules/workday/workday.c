/* workday.c — calendar_day ⇄ zg_calendar_t. */
#include "modules/workday/workday.h"

#include <stdio.h>
#include <string.h>

#include "db/db.h"

static const char *kind_name(int kind)
{
    return kind == ZG_DAY_WORKDAY ? "workday" : "holiday";
}

int zg_workday_seed(zg_db_t *db, int *inserted, zg_error_t *err)
{
    if (inserted)
        *inserted = 0;
    zg_conn_t *c = zg_db_conn(db, err);
    if (!c)
        return ZG_ERR_DB;
    zg_calendar_t *def;
    int rc = zg_calendar_new_default(&def);
    if (rc)
        return zg_error_set(err, rc, "calendar_builtin", "内置节假日数据无效",
                            "built-in calendar failed to load");
    rc = zg_db_begin(c, ZG_TX_WRITE, err);
    if (rc) {
        zg_calendar_free(def);
        return rc;
    }
    int added = 0, year = 0, skip = 0;
    for (size_t i = 0; i < zg_calendar_count(def) && rc == ZG_OK; i++) {
        const zg_calendar_entry_t *e = zg_calendar_entry(def, i);
        char day[ZG_DATE_STR_SIZE];
        zg_date_format(e->date, day);
        int y, m, d;
        zg_date_to_ymd(e->date, &y, &m, &d);
        if (y != year) { /* entries are in date order: decide once per year */
            year = y;
            char lo[16], hi[16];
            snprintf(lo, sizeof lo, "%04d-01-01", y);
            snprintf(hi, sizeof hi, "%04d-12-31", y);
            zg_param_t p[] = {ZG_P_TEXT(lo), ZG_P_TEXT(hi)};
            int64_t n = 0;
            rc = zg_db_query_int(c, "SELECT count(*) FROM calendar_day WHERE day BETWEEN $1 AND $2",
                                 p, 2, &n, err);
            skip = n > 0;
        }
        if (rc || skip)
            continue;
        zg_param_t p[] = {ZG_P_TEXT(day), ZG_P_TEXT(kind_name(e->kind)), ZG_P_TEXT(e->name)};
        rc = zg_db_exec(c,
                        "INSERT INTO calendar_day (day, kind, name) VALUES ($1, $2, $3) "
                        "ON CONFLICT (day) DO NOTHING",
                        p, 3, NULL, err);
        added++;
    }
    zg_calendar_free(def);
    if (rc) {
        zg_db_rollback(c);
        return rc;
    }
    rc = zg_db_commit(c, err);
    if (rc == ZG_OK && inserted)
        *inserted = added;
    return rc;
}

int zg_workday_load(zg_conn_t *c, zg_calendar_t **out, zg_error_t *err)
{
    zg_calendar_t *cal;
    if (zg_calendar_new_empty(&cal))
        return zg_error_set(err, ZG_ERR_NOMEM, "no_memory", "内存不足", "calendar");
    zg_rows_t *rows;
    int rc = zg_db_query(c, "SELECT day, kind, name FROM calendar_day ORDER BY day", NULL, 0, &rows,
                         err);
    if (rc) {
        zg_calendar_free(cal);
        return rc;
    }
    while ((rc = zg_rows_next(rows, err)) == 1) {
        zg_date_t d;
        if (zg_date_parse(zg_rows_text(rows, 0), &d) != 0) {
            rc = zg_error_set(err, ZG_ERR_INTERNAL, "calendar_bad_row", "工作日历数据损坏",
                              "calendar_day has a bad date '%.16s'", zg_rows_text(rows, 0));
            break;
        }
        zg_day_kind kind =
            !strcmp(zg_rows_text(rows, 1), "workday") ? ZG_DAY_WORKDAY : ZG_DAY_HOLIDAY;
        rc = zg_calendar_set_day(cal, d, kind, zg_rows_text(rows, 2), err);
        if (rc)
            break;
    }
    zg_rows_close(rows);
    if (rc < 0) {
        zg_calendar_free(cal);
        return rc;
    }
    *out = cal;
    return ZG_OK;
}

int zg_workday_import(zg_conn_t *c, const zg_calendar_t *cal, int *count, zg_error_t *err)
{
    char now[ZG_TIMESTAMP_SIZE];
    zg_timestamp_now(now);
    int rc = zg_db_begin(c, ZG_TX_WRITE, err);
    if (rc)
        return rc;
    size_t n = zg_calendar_count(cal);
    for (size_t i = 0; i < n && rc == ZG_OK; i++) {
        const zg_calendar_entry_t *e = zg_calendar_entry(cal, i);
        char day[ZG_DATE_STR_SIZE];
        zg_date_format(e->date, day);
        zg_param_t p[] = {ZG_P_TEXT(day), ZG_P_TEXT(kind_name(e->kind)), ZG_P_TEXT(e->name),
                          ZG_P_TEXT(now)};
        rc = zg_db_exec(c,
                        "INSERT INTO calendar_day (day, kind, name, updated_at) "
                        "VALUES ($1, $2, $3, $4) ON CONFLICT (day) DO UPDATE SET "
                        "kind = excluded.kind, name = excluded.name, "
                        "updated_at = excluded.updated_at",
                        p, 4, NULL, err);
    }
    if (rc) {
        zg_db_rollback(c);
        return rc;
    }
    rc = zg_db_commit(c, err);
    if (rc == ZG_OK && count)
        *count = (int)n;
    return rc;
}

int zg_workday_export(zg_conn_t *c, int year, zg_strbuf_t *out, zg_error_t *err)
{
    zg_calendar_t *all, *sel;
    int rc = zg_workday_load(c, &all, err);
    if (rc)
        return rc;
    if (zg_calendar_new_empty(&sel)) {
        zg_calendar_free(all);
        return zg_error_set(err, ZG_ERR_NOMEM, "no_memory", "内存不足", "calendar");
    }
    for (size_t i = 0; i < zg_calendar_count(all) && rc == ZG_OK; i++) {
        const zg_calendar_entry_t *e = zg_calendar_entry(all, i);
        int y, m, d;
        zg_date_to_ymd(e->date, &y, &m, &d);
        if (year == 0 || y == year)
            rc = zg_calendar_set_day(sel, e->date, (zg_day_kind)e->kind, e->name, err);
    }
    if (rc == ZG_OK && zg_calendar_write_text(sel, out) != ZG_OK)
        rc = zg_error_set(err, ZG_ERR_TOO_LARGE, "too_large", "日历数据过大", "export");
    zg_calendar_free(sel);
    zg_calendar_free(all);
    return rc;
}
