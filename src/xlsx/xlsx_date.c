/* xlsx_date.c — Excel date serials and the date texts users type into date columns
 * (see xlsx_read.h).
 *
 * Excel stores a date as a number of days: in the 1900 system day 1 is 1900-01-01, and day 60
 * is 1900-02-29, a day that did not exist (Lotus 1-2-3 treated 1900 as a leap year and Excel
 * kept the bug for compatibility), so from 1900-03-01 on, serial s is 1899-12-30 + s. In the
 * 1904 system (old Mac workbooks, <workbookPr date1904="1"/>) day 0 is 1904-01-01. */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "xlsx/xlsx_read.h"

/* Days since 1970-01-01 (core/date.h) of the dates the serials count from. */
#define DAY_1899_12_30 (-25569)
#define DAY_1899_12_31 (-25568)
#define DAY_1900_01_01 (-25567)
#define DAY_1900_03_01 (-25508)
#define DAY_1904_01_01 (-24107)

int zg_xlsx_serial_to_date(double serial, bool date1904, zg_date_t *out)
{
    /* !(x >= 0) is also true for NaN; 3e6 is past 9999-12-31 in both systems */
    if (!(serial >= 0) || serial > 3e6)
        return ZG_ERR_INVALID;
    /* round to the millisecond first, so 23:59:59.9996 is the next day, as Excel shows it */
    int64_t day = (int64_t)floor(serial + 0.5 / 86400000.0);
    int64_t d;
    if (date1904) {
        d = DAY_1904_01_01 + day;
    } else {
        if (day == 0 || day == 60)
            return ZG_ERR_INVALID;
        d = (day < 60 ? DAY_1899_12_31 : DAY_1899_12_30) + day;
    }
    if (d > INT32_MAX || !zg_date_valid((zg_date_t)d))
        return ZG_ERR_INVALID;
    *out = (zg_date_t)d;
    return ZG_OK;
}

int zg_xlsx_date_to_serial(zg_date_t date, bool date1904, double *out)
{
    if (!zg_date_valid(date))
        return ZG_ERR_INVALID;
    if (date1904) {
        if (date < DAY_1904_01_01)
            return ZG_ERR_INVALID;
        *out = (double)(date - DAY_1904_01_01);
        return ZG_OK;
    }
    if (date < DAY_1900_01_01)
        return ZG_ERR_INVALID;
    *out = (double)(date - (date < DAY_1900_03_01 ? DAY_1899_12_31 : DAY_1899_12_30));
    return ZG_OK;
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* A number as Excel writes it: digits, an optional fraction, an optional exponent. Parsed by
 * hand rather than with strtod, which follows the process locale's decimal point. */
static bool parse_number(const char *s, size_t n, double *out)
{
    size_t i = 0;
    double v = 0;
    size_t digits = 0;
    for (; i < n && is_digit(s[i]); i++, digits++)
        v = v * 10 + (s[i] - '0');
    if (i < n && s[i] == '.') {
        double scale = 0.1;
        for (i++; i < n && is_digit(s[i]); i++, digits++, scale /= 10)
            v += (s[i] - '0') * scale;
    }
    if (digits == 0)
        return false;
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        int sign = 1, e = 0;
        if (i < n && (s[i] == '+' || s[i] == '-'))
            sign = s[i++] == '-' ? -1 : 1;
        size_t ed = 0;
        for (; i < n && is_digit(s[i]); i++, ed++)
            if (e < 1000)
                e = e * 10 + (s[i] - '0');
        if (ed == 0)
            return false;
        v *= pow(10, sign * e);
    }
    if (i != n)
        return false;
    *out = v;
    return true;
}

/* 1..max digits at s[*i]; advances *i. */
static bool take_int(const char *s, size_t n, size_t *i, size_t min, size_t max, int *out)
{
    size_t k = 0;
    int v = 0;
    while (*i < n && is_digit(s[*i]) && k < max) {
        v = v * 10 + (s[*i] - '0');
        (*i)++;
        k++;
    }
    if (k < min || (*i < n && is_digit(s[*i])))
        return false;
    *out = v;
    return true;
}

static bool take(const char *s, size_t n, size_t *i, const char *lit)
{
    size_t k = strlen(lit);
    if (n - *i < k || memcmp(s + *i, lit, k) != 0)
        return false;
    *i += k;
    return true;
}

int zg_xlsx_parse_date_cell(const char *text, bool date1904, zg_date_t *out)
{
    if (!text)
        return ZG_ERR_INVALID;
    const char *s = text;
    size_t n = strlen(text);
    while (n > 0 && (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n'))
        s++, n--;
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n'))
        n--;
    if (n == 0)
        return ZG_ERR_INVALID;

    bool all_digits = true;
    for (size_t i = 0; i < n && all_digits; i++)
        all_digits = is_digit(s[i]);
    if (all_digits && n == 8) {
        int y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
        int m = (s[4] - '0') * 10 + (s[5] - '0');
        int d = (s[6] - '0') * 10 + (s[7] - '0');
        return zg_date_from_ymd(y, m, d, out);
    }
    double serial;
    if (parse_number(s, n, &serial))
        return zg_xlsx_serial_to_date(serial, date1904, out);

    /* Y sep M sep D, one separator style */
    size_t i = 0;
    int y, m, d;
    if (!take_int(s, n, &i, 4, 4, &y))
        return ZG_ERR_INVALID;
    bool cjk = false;
    char sep = 0;
    if (take(s, n, &i, "年")) {
        cjk = true;
    } else if (i < n && (s[i] == '-' || s[i] == '/' || s[i] == '.')) {
        sep = s[i++];
    } else {
        return ZG_ERR_INVALID;
    }
    if (!take_int(s, n, &i, 1, 2, &m))
        return ZG_ERR_INVALID;
    if (cjk ? !take(s, n, &i, "月") : !(i < n && s[i++] == sep))
        return ZG_ERR_INVALID;
    if (!take_int(s, n, &i, 1, 2, &d))
        return ZG_ERR_INVALID;
    if (cjk && !take(s, n, &i, "日"))
        return ZG_ERR_INVALID;
    if (i < n) {
        /* a time after the date: " 08:30", "T08:30:00.000Z", "T08:30:00+08:00" */
        if (s[i] != ' ' && s[i] != 'T')
            return ZG_ERR_INVALID;
        if (++i == n)
            return ZG_ERR_INVALID;
        for (; i < n; i++)
            if (!is_digit(s[i]) && !strchr(":.+-Z", s[i]))
                return ZG_ERR_INVALID;
    }
    return zg_date_from_ymd(y, m, d, out);
}
