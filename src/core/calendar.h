/* calendar.h — the working-day calendar: which days are working days in mainland China.
 *
 * A day is a working day when it is Monday..Friday and not a public holiday, or when it is a
 * Saturday/Sunday that the State Council has made a working day to make up for a holiday
 * (调休上班). The exceptions are data, not code: a table of per-day overrides
 * {date, holiday|workday, name}, loaded from text in the format
 *
 *     # comment
 *     2026-02-15 holiday 春节
 *     2026-02-14 workday 春节
 *
 * one day per line, so an administrator can add next year's notice without a new release.
 * The built-in default (calendar_default.c) is written in the same format and goes through
 * the same parser.
 *
 * Coverage: a year is "covered" when the table has at least one entry dated in it (every real
 * year has at least 元旦). For uncovered years only weekends count as non-working days; callers
 * that compute a deadline across such a year should warn (zg_calendar_covers_range).
 *
 * Every "N working days" rule goes through here, e.g. 公示不少于5个工作日 (RULES.md §1.4,
 * cadre 任职公示 in RULES.md §7.2): see zg_calendar_nth_working_day.
 *
 * Ownership and threads: a zg_calendar_t is created by zg_calendar_new_* and owned by the
 * caller until zg_calendar_free. Any number of threads may read one calendar at once; a
 * change (set/clear/load) needs exclusive access. To reload at run time, build a new calendar
 * and swap the pointer. */
#ifndef ZG_CORE_CALENDAR_H
#define ZG_CORE_CALENDAR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/date.h"
#include "core/status.h"
#include "core/strbuf.h"

typedef enum zg_day_kind {
    ZG_DAY_HOLIDAY = 1, /* a day off (法定节假日 or 调休放假), even if Monday..Friday */
    ZG_DAY_WORKDAY = 2  /* a working day (调休上班), even if Saturday or Sunday */
} zg_day_kind;

/* A day's name ("春节", "国庆节、中秋节") is at most this many characters... */
#define ZG_CALENDAR_NAME_MAX_CHARS 20
/* ...stored in this many bytes (4 bytes per character at most, plus NUL). */
#define ZG_CALENDAR_NAME_SIZE (ZG_CALENDAR_NAME_MAX_CHARS * 4 + 1)
/* Most entries one calendar holds (about 35 a year are needed). */
#define ZG_CALENDAR_MAX_ENTRIES 10000
/* Longest text zg_calendar_load_text accepts, and longest line in it. */
#define ZG_CALENDAR_TEXT_MAX (1024 * 1024)
#define ZG_CALENDAR_LINE_MAX 512

typedef struct zg_calendar_entry {
    zg_date_t date;
    uint8_t kind; /* a zg_day_kind */
    char name[ZG_CALENDAR_NAME_SIZE];
} zg_calendar_entry_t;

typedef struct zg_calendar zg_calendar_t;

/* Creates a calendar with no overrides (weekends only) in *out. The caller owns it and frees it
 * with zg_calendar_free. Returns 0 or ZG_ERR_NOMEM. */
int zg_calendar_new_empty(zg_calendar_t **out);

/* Creates a calendar holding the built-in table: the State Council's holiday arrangements for
 * 2024, 2025 and 2026 (see calendar_default.c for the sources). The caller owns it. Returns 0,
 * ZG_ERR_NOMEM, or ZG_ERR_INTERNAL if the built-in text failed to parse (a bug). */
int zg_calendar_new_default(zg_calendar_t **out);

/* The built-in table as text in the load format (static storage; do not free). `len` may be
 * NULL. Useful to export it as a starting point for editing. */
const char *zg_calendar_default_text(size_t *len);

/* Frees a calendar and its entries. NULL is allowed. */
void zg_calendar_free(zg_calendar_t *cal);

/* Sets the override for `date`, replacing any existing one. `name` may be NULL or "" (no
 * name); otherwise it must be valid UTF-8 of at most ZG_CALENDAR_NAME_MAX_CHARS characters
 * without control characters, '#' (the comment mark of the text format) or leading/trailing
 * spaces, so every entry survives zg_calendar_write_text → zg_calendar_load_text unchanged.
 * Returns 0; ZG_ERR_INVALID (bad date, kind or name; err says which, in Chinese);
 * ZG_ERR_TOO_LARGE when the calendar already holds ZG_CALENDAR_MAX_ENTRIES; ZG_ERR_NOMEM.
 * `err` may be NULL. */
int zg_calendar_set_day(zg_calendar_t *cal, zg_date_t date, zg_day_kind kind, const char *name,
                        zg_error_t *err);

/* Removes the override for `date`, so the day follows the weekend rule again. Returns 0, or
 * ZG_ERR_NOT_FOUND when there was none. */
int zg_calendar_clear_day(zg_calendar_t *cal, zg_date_t date);

/* Parses `len` bytes of text in the line format (see the top of this file) and merges the
 * entries into `cal`; an entry replaces an existing one for the same date. Blank lines and
 * '#' comments (whole-line or trailing) are skipped; fields are separated by spaces or tabs;
 * the name is optional and is the rest of the line; CRLF line ends and a UTF-8 BOM are
 * accepted. All or nothing: on any error `cal` is unchanged and err names the first bad line
 * in Chinese ("日历数据第3行：……"). Returns 0, ZG_ERR_INVALID (bad line, or a date given
 * twice in the text), ZG_ERR_TOO_LARGE (text over ZG_CALENDAR_TEXT_MAX, a line over
 * ZG_CALENDAR_LINE_MAX, or too many entries) or ZG_ERR_NOMEM. */
int zg_calendar_load_text(zg_calendar_t *cal, const char *text, size_t len, zg_error_t *err);

/* Appends every entry, in date order, to `out` in the load format, one per line. Returns 0 or
 * the strbuf's error (ZG_ERR_TOO_LARGE / ZG_ERR_NOMEM). */
int zg_calendar_write_text(const zg_calendar_t *cal, zg_strbuf_t *out);

/* The override for `date`, or NULL when the day follows the weekend rule. The pointer is valid
 * until the calendar is next changed. */
const zg_calendar_entry_t *zg_calendar_lookup(const zg_calendar_t *cal, zg_date_t date);

/* Whether `date` is a working day: a WORKDAY override → yes; a HOLIDAY override → no;
 * otherwise Monday..Friday → yes, Saturday/Sunday → no. `cal` may be NULL (no overrides). */
bool zg_calendar_is_working_day(const zg_calendar_t *cal, zg_date_t date);

/* Whether the table has data for `year` (at least one entry dated in it). */
bool zg_calendar_covers_year(const zg_calendar_t *cal, int year);

/* Whether every year from from's year to to's year (inclusive) is covered. A deadline
 * computed over a range that is not covered ignores that year's holidays; warn the user. */
bool zg_calendar_covers_range(const zg_calendar_t *cal, zg_date_t from, zg_date_t to);

/* The n-th working day counting from `start` inclusive (n >= 1): when `start` is a working day
 * it is day 1. This is how a notice period of "不少于N个工作日" is counted: a 公示 that starts
 * on `start` has run its N working days at the end of zg_calendar_nth_working_day(start, N),
 * and may close after that day (RULES.md §1.4 [L] and §7.2 任职公示, "公示 ≥5 working days").
 * E.g. start 2026-09-28 (Mon), n = 5 → 2026-10-09 (09-28, 09-29, 09-30, 10-08, 10-09; 国庆
 * 10-01..10-07 is off). Returns 0; ZG_ERR_INVALID when n < 1, `start` is not a valid date or
 * the result would pass 9999-12-31. */
int zg_calendar_nth_working_day(const zg_calendar_t *cal, zg_date_t start, int32_t n,
                                zg_date_t *end);

/* Working-day offset: for n > 0 the n-th working day strictly after `start`; for n < 0 the
 * |n|-th working day strictly before it; for n == 0 `start` itself (working day or not).
 * Use it for "within N working days after X" deadlines, where day X itself does not count:
 * the deadline is zg_calendar_add_working_days(X, N). Returns 0, or ZG_ERR_INVALID when
 * `start` is not a valid date or the result would leave the valid range. */
int zg_calendar_add_working_days(const zg_calendar_t *cal, zg_date_t start, int32_t n,
                                 zg_date_t *end);

/* Number of working days in from..to, both ends included (0 when to < from). Returns 0, or
 * ZG_ERR_INVALID when a date is outside the valid range. */
int zg_calendar_working_days_between(const zg_calendar_t *cal, zg_date_t from, zg_date_t to,
                                     int32_t *count);

/* Number of entries, and the i-th entry in date order (NULL when i >= count), for export or
 * persistence. Pointers are valid until the calendar is next changed. */
size_t zg_calendar_count(const zg_calendar_t *cal);
const zg_calendar_entry_t *zg_calendar_entry(const zg_calendar_t *cal, size_t i);

#endif
