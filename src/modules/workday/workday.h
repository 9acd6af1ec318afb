/* workday.h — the working-day calendar as stored data (SPEC §2 "Calendar"): China's official
 * holidays and adjusted working days (调休) per year, in table calendar_day, editable. The
 * counting rules live in core/calendar.h; this module loads and saves the table and serves
 * deadline calculations ("公示不少于5个工作日" → the last day of the notice). */
#ifndef ZG_MODULES_WORKDAY_H
#define ZG_MODULES_WORKDAY_H

#include "core/calendar.h"
#include "core/status.h"

typedef struct zg_db zg_db_t;
typedef struct zg_conn zg_conn_t;
typedef struct zg_router zg_router_t;

/* Inserts the built-in holiday table (core/calendar_default.c) for every year that has no row
 * in calendar_day yet, so a new database starts with 2024–2026 and a user's edits to a year are
 * never overwritten. *inserted (may be NULL) receives the number of rows added. */
int zg_workday_seed(zg_db_t *db, int *inserted, zg_error_t *err);

/* Loads calendar_day into a new calendar owned by the caller (zg_calendar_free). */
int zg_workday_load(zg_conn_t *c, zg_calendar_t **out, zg_error_t *err);

/* Merges every entry of `cal` into calendar_day in one write transaction (an entry replaces
 * the stored one for its date; other dates are untouched). *count (may be NULL) receives the
 * number of entries written. All or nothing. */
int zg_workday_import(zg_conn_t *c, const zg_calendar_t *cal, int *count, zg_error_t *err);

/* Appends the stored entries of `year` (0 = all years) to `out` in the calendar text format
 * (core/calendar.h), which zg_workday_import reads back. */
int zg_workday_export(zg_conn_t *c, int year, zg_strbuf_t *out, zg_error_t *err);

/* Registers GET /api/v1/calendar/{year} and POST /api/v1/calendar/deadline. */
int zg_workday_routes(zg_router_t *rt);

#endif
