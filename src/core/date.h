/* date.h — civil (Gregorian) dates as a count of days since 1970-01-01.
 *
 * STYLE.md: dates are "YYYY-MM-DD" strings at the edges and integers inside. A zg_date_t is
 * the number of days since 1970-01-01 (negative before it), so comparisons are integer
 * comparisons and differences are day counts. The conversions use Howard Hinnant's
 * days_from_civil / civil_from_days algorithms (proleptic Gregorian calendar).
 *
 * Valid dates are those in years ZG_DATE_MIN_YEAR..ZG_DATE_MAX_YEAR (1800-01-01 ..
 * 9999-12-31): wide enough for any birth date in a member record and narrow enough that every
 * valid date formats as exactly 10 characters. Functions that produce a date refuse to produce
 * one outside that range. "Today" is China Standard Time (UTC+8), because the users, their
 * deadlines and their documents are in China, whatever the server's own time zone. */
#ifndef ZG_CORE_DATE_H
#define ZG_CORE_DATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef int32_t zg_date_t;

#define ZG_DATE_MIN_YEAR 1800
#define ZG_DATE_MAX_YEAR 9999
/* Bytes needed by zg_date_format: "YYYY-MM-DD" + NUL. */
#define ZG_DATE_STR_SIZE 11
/* China Standard Time, the offset used by zg_date_today. */
#define ZG_DATE_CHINA_UTC_OFFSET (8 * 3600)

/* Whether `y` is a Gregorian leap year (divisible by 4, except centuries not divisible by 400). */
bool zg_date_is_leap_year(int y);

/* Number of days in month `m` (1..12) of year `y`; 0 when m is out of range. */
int zg_date_days_in_month(int y, int m);

/* Builds the date y-m-d. Returns 0 and writes *out, or ZG_ERR_INVALID when the year is outside
 * 1800..9999, the month outside 1..12 or the day outside the month (29 Feb only in leap
 * years). */
int zg_date_from_ymd(int y, int m, int d, zg_date_t *out);

/* Splits a date into year, month (1..12) and day (1..31). Defined for every int32 value, also
 * outside the valid range. Any of the out-pointers may be NULL. */
void zg_date_to_ymd(zg_date_t date, int *y, int *m, int *d);

/* Whether `date` lies in the valid range 1800-01-01 .. 9999-12-31. */
bool zg_date_valid(zg_date_t date);

/* Parses exactly "YYYY-MM-DD": 10 characters, digits at every position but 4 and 7, '-' there,
 * and a valid date. No spaces, no signs, no single-digit months. Returns 0 and writes *out, or
 * ZG_ERR_INVALID. zg_date_parse_n reads `len` bytes (the text need not be NUL-terminated);
 * zg_date_parse reads a NUL-terminated string. */
int zg_date_parse_n(const char *s, size_t len, zg_date_t *out);
int zg_date_parse(const char *s, zg_date_t *out);

/* Writes "YYYY-MM-DD" and a NUL into buf (ZG_DATE_STR_SIZE bytes). Returns 0, or
 * ZG_ERR_INVALID for a date outside the valid range (buf is then set to ""). */
int zg_date_format(zg_date_t date, char buf[ZG_DATE_STR_SIZE]);

/* ISO 8601 weekday: 1 = Monday .. 7 = Sunday. Defined for every int32 value. */
int zg_date_weekday(zg_date_t date);

/* *out = date + n days. Returns ZG_ERR_INVALID when `date` or the result is outside the valid
 * range. */
int zg_date_add_days(zg_date_t date, int32_t n, zg_date_t *out);

/* *out = the same day n months later (n < 0: earlier). When that month is shorter, the result
 * is clamped to its last day: 2024-01-31 + 1 = 2024-02-29, 2023-01-31 + 1 = 2023-02-28,
 * 2024-03-31 - 1 = 2024-02-29. Clamping does not carry over: 2024-01-31 + 1 + 1 = 2024-03-29,
 * while 2024-01-31 + 2 = 2024-03-31. Returns ZG_ERR_INVALID outside the valid range. */
int zg_date_add_months(zg_date_t date, int32_t n, zg_date_t *out);

/* Age in full years (周岁) on day `at` of a person born on `birth`: the number of birthdays
 * reached, counting the birthday itself, so one is 18 on the 18th birthday. This is the reading
 * used for "年满十八岁" (RULES.md §1.2 step 1); the criminal-law convention of counting from the
 * day after the birthday is not applied. Someone born on 29 February turns a year older on
 * 1 March in non-leap years (the birthday has not been reached on 28 February).
 * Returns ZG_ERR_INVALID when either date is outside the valid range or at < birth. */
int zg_date_age_at(zg_date_t birth, zg_date_t at, int *age);

/* Full months from `from` to `to` (to >= from): the largest n with
 * zg_date_add_months(from, n) <= to, so it agrees with add_months' end-of-month clamping
 * (2024-01-31 → 2024-02-29 is 1 month; 2024-01-31 → 2024-02-28 is 0 months). Because of the
 * clamping, 2020-02-29 → 2021-02-28 is 12 months although zg_date_age_at counts that
 * birthday as reached only on 1 March. Returns ZG_ERR_INVALID when to < from or a date is
 * outside the valid range. */
int zg_date_months_between(zg_date_t from, zg_date_t to, int32_t *months);

/* The civil date at Unix time `secs` in a zone `utc_offset_secs` east of UTC. Dates outside
 * the valid range are returned as computed (check with zg_date_valid); |secs| must stay below
 * about 1.8e14 for the day count to fit in 32 bits. */
zg_date_t zg_date_from_unix(int64_t secs, int32_t utc_offset_secs);

/* Today's date in China (UTC+8), from the system clock. */
zg_date_t zg_date_today(void);

/* Size of a storage timestamp "YYYY-MM-DD HH:MM:SS" with its NUL. */
#define ZG_TIMESTAMP_SIZE 20

/* Writes the current UTC time as "YYYY-MM-DD HH:MM:SS" (the format every table stores in its
 * *_at columns, see src/db/migrations/0001_init.sql). */
void zg_timestamp_now(char buf[ZG_TIMESTAMP_SIZE]);

/* A storage timestamp (UTC) as China Standard Time, same format, for text people read directly
 * (command output, exported workbooks; the web UI converts by itself). Returns 0, or -1 when
 * `utc` is not a valid "YYYY-MM-DD HH:MM:SS" (out is then a copy of at most 19 bytes of it). */
int zg_timestamp_to_china(const char *utc, char out[ZG_TIMESTAMP_SIZE]);

#endif
