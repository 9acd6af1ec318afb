/* date.c — civil date arithmetic on days since 1970-01-01.
 *
 * days_from_civil and civil_from_days are Howard Hinnant's algorithms
 * (http://howardhinnant.github.io/date_algorithms.html): the year is shifted to start on
 * 1 March so the leap day is the last day of the shifted year, and 400-year eras of 146097
 * days make the arithmetic exact for negative years too. All intermediate values are int64,
 * so no input overflows. */
#include "core/date.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/status.h"

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian). */
static int64_t days_from_civil(int64_t y, int64_t m, int64_t d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;                                   /* [0, 399] */
    int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1; /* [0, 365] */
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;           /* [0, 146096] */
    return era * 146097 + doe - 719468;
}

/* Inverse of days_from_civil. */
static void civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;                                      /* [0, 146096] */
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365; /* [0, 399] */
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);               /* [0, 365] */
    int64_t mp = (5 * doy + 2) / 153;                                    /* [0, 11] */
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

/* First and last valid day numbers, computed once from the year limits. */
static int64_t min_day(void)
{
    return days_from_civil(ZG_DATE_MIN_YEAR, 1, 1);
}

static int64_t max_day(void)
{
    return days_from_civil(ZG_DATE_MAX_YEAR, 12, 31);
}

static bool in_range(int64_t day)
{
    return day >= min_day() && day <= max_day();
}

bool zg_date_is_leap_year(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int zg_date_days_in_month(int y, int m)
{
    static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m < 1 || m > 12)
        return 0;
    if (m == 2 && zg_date_is_leap_year(y))
        return 29;
    return days[m - 1];
}

int zg_date_from_ymd(int y, int m, int d, zg_date_t *out)
{
    if (!out || y < ZG_DATE_MIN_YEAR || y > ZG_DATE_MAX_YEAR || m < 1 || m > 12 || d < 1 ||
        d > zg_date_days_in_month(y, m))
        return ZG_ERR_INVALID;
    *out = (zg_date_t)days_from_civil(y, m, d);
    return ZG_OK;
}

void zg_date_to_ymd(zg_date_t date, int *y, int *m, int *d)
{
    int64_t yy;
    int mm, dd;
    civil_from_days(date, &yy, &mm, &dd);
    if (y)
        *y = (int)yy; /* |yy| < 6 million for any int32 day count */
    if (m)
        *m = mm;
    if (d)
        *d = dd;
}

bool zg_date_valid(zg_date_t date)
{
    return in_range(date);
}

/* Value of n ASCII digits at s, or -1 if any is not a digit. */
static int digits(const char *s, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

int zg_date_parse_n(const char *s, size_t len, zg_date_t *out)
{
    if (!s || !out || len != 10 || s[4] != '-' || s[7] != '-')
        return ZG_ERR_INVALID;
    int y = digits(s, 4), m = digits(s + 5, 2), d = digits(s + 8, 2);
    if (y < 0 || m < 0 || d < 0)
        return ZG_ERR_INVALID;
    return zg_date_from_ymd(y, m, d, out);
}

int zg_date_parse(const char *s, zg_date_t *out)
{
    if (!s)
        return ZG_ERR_INVALID;
    /* Look at no more than 11 bytes: anything longer than 10 is rejected anyway. */
    size_t len = 0;
    while (len < 11 && s[len] != '\0')
        len++;
    return zg_date_parse_n(s, len, out);
}

int zg_date_format(zg_date_t date, char buf[ZG_DATE_STR_SIZE])
{
    if (!buf)
        return ZG_ERR_INVALID;
    if (!in_range(date)) {
        buf[0] = '\0';
        return ZG_ERR_INVALID;
    }
    int y, m, d;
    zg_date_to_ymd(date, &y, &m, &d);
    /* y is 1800..9999, so each field has a fixed width and the text is exactly 10 chars. */
    buf[0] = (char)('0' + y / 1000);
    buf[1] = (char)('0' + y / 100 % 10);
    buf[2] = (char)('0' + y / 10 % 10);
    buf[3] = (char)('0' + y % 10);
    buf[4] = '-';
    buf[5] = (char)('0' + m / 10);
    buf[6] = (char)('0' + m % 10);
    buf[7] = '-';
    buf[8] = (char)('0' + d / 10);
    buf[9] = (char)('0' + d % 10);
    buf[10] = '\0';
    return ZG_OK;
}

int zg_date_weekday(zg_date_t date)
{
    /* 1970-01-01 was a Thursday (ISO 4): shift so that Monday is 0, then floor-mod 7. */
    int64_t r = ((int64_t)date + 3) % 7;
    if (r < 0)
        r += 7;
    return (int)r + 1;
}

int zg_date_add_days(zg_date_t date, int32_t n, zg_date_t *out)
{
    if (!out || !in_range(date))
        return ZG_ERR_INVALID;
    int64_t r = (int64_t)date + n;
    if (!in_range(r))
        return ZG_ERR_INVALID;
    *out = (zg_date_t)r;
    return ZG_OK;
}

int zg_date_add_months(zg_date_t date, int32_t n, zg_date_t *out)
{
    if (!out || !in_range(date))
        return ZG_ERR_INVALID;
    int y, m, d;
    zg_date_to_ymd(date, &y, &m, &d);
    /* Months counted from year 0 (int64: n may be ±2^31). */
    int64_t total = (int64_t)y * 12 + (m - 1) + n;
    int64_t ny = total >= 0 ? total / 12 : (total - 11) / 12;
    int nm = (int)(total - ny * 12) + 1;
    if (ny < ZG_DATE_MIN_YEAR || ny > ZG_DATE_MAX_YEAR)
        return ZG_ERR_INVALID;
    int last = zg_date_days_in_month((int)ny, nm);
    return zg_date_from_ymd((int)ny, nm, d < last ? d : last, out);
}

int zg_date_age_at(zg_date_t birth, zg_date_t at, int *age)
{
    if (!age || !in_range(birth) || !in_range(at) || at < birth)
        return ZG_ERR_INVALID;
    int by, bm, bd, ay, am, ad;
    zg_date_to_ymd(birth, &by, &bm, &bd);
    zg_date_to_ymd(at, &ay, &am, &ad);
    /* Lexicographic (month, day) comparison: a 29 February birthday is "reached" on 1 March
     * of a non-leap year, because (3, 1) > (2, 29) while (2, 28) < (2, 29). */
    int years = ay - by;
    if (am < bm || (am == bm && ad < bd))
        years--;
    *age = years;
    return ZG_OK;
}

int zg_date_months_between(zg_date_t from, zg_date_t to, int32_t *months)
{
    if (!months || !in_range(from) || !in_range(to) || to < from)
        return ZG_ERR_INVALID;
    int fy, fm, fd, ty, tm, td;
    zg_date_to_ymd(from, &fy, &fm, &fd);
    zg_date_to_ymd(to, &ty, &tm, &td);
    int32_t n = (ty - fy) * 12 + (tm - fm);
    /* from + n months lands in to's month; if it is past `to`, one month fewer is complete.
     * add_months is strictly increasing in n, so n - 1 then lies in an earlier month. */
    zg_date_t probe;
    if (zg_date_add_months(from, n, &probe) != ZG_OK)
        return ZG_ERR_INTERNAL;
    if (probe > to)
        n--;
    *months = n;
    return ZG_OK;
}

zg_date_t zg_date_from_unix(int64_t secs, int32_t utc_offset_secs)
{
    /* Divide first so that no input overflows, then fold the offset into the remainder. */
    int64_t day = secs / 86400;
    int64_t rem = secs % 86400 + utc_offset_secs; /* |rem| < 86400 + 2^31 */
    day += rem / 86400;
    if (rem % 86400 < 0)
        day--; /* floor, for instants before local midnight of 1970-01-01 */
    return (zg_date_t)day;
}

zg_date_t zg_date_today(void)
{
    return zg_date_from_unix((int64_t)time(NULL), ZG_DATE_CHINA_UTC_OFFSET);
}

void zg_timestamp_now(char buf[ZG_TIMESTAMP_SIZE])
{
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(buf, ZG_TIMESTAMP_SIZE, "%Y-%m-%d %H:%M:%S", &tm);
}

int zg_timestamp_to_china(const char *utc, char out[ZG_TIMESTAMP_SIZE])
{
    snprintf(out, ZG_TIMESTAMP_SIZE, "%.19s", utc ? utc : "");
    int h, mi, se;
    char day[ZG_DATE_STR_SIZE], tail;
    zg_date_t d;
    if (!utc || strlen(utc) != 19 || utc[10] != ' ' ||
        sscanf(utc + 11, "%2d:%2d:%2d%c", &h, &mi, &se, &tail) != 3 || h < 0 || h > 23 || mi < 0 ||
        mi > 59 || se < 0 || se > 59 || utc[13] != ':' || utc[16] != ':')
        return -1;
    memcpy(day, utc, 10);
    day[10] = '\0';
    if (zg_date_parse(day, &d))
        return -1;
    int64_t secs = (int64_t)d * 86400 + h * 3600 + mi * 60 + se + ZG_DATE_CHINA_UTC_OFFSET;
    int64_t rest = ((secs % 86400) + 86400) % 86400; /* floor, also before 1970 */
    zg_date_t local = (zg_date_t)((secs - rest) / 86400);
    char ld[ZG_DATE_STR_SIZE];
    if (zg_date_format(local, ld))
        return -1;
    snprintf(out, ZG_TIMESTAMP_SIZE, "%s %02d:%02d:%02d", ld, (int)(rest / 3600),
             (int)(rest / 60 % 60), (int)(rest % 60));
    return 0;
}
