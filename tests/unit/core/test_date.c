/* test_date.c — civil date arithmetic (src/core/date.c).
 * Expected values are either facts about the calendar (1970-01-01 was a Thursday, 2000-01-01
 * is day 10957, 1949-10-01 was a Saturday) or come from the C library's gmtime_r, an
 * independent implementation, swept over the whole valid range. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "core/date.h"
#include "core/status.h"

static zg_date_t ymd(int y, int m, int d)
{
    zg_date_t out = 0;
    assert_int_equal(zg_date_from_ymd(y, m, d, &out), ZG_OK);
    return out;
}

static zg_date_t parse(const char *s)
{
    zg_date_t out = 0;
    assert_int_equal(zg_date_parse(s, &out), ZG_OK);
    return out;
}

static void assert_date(zg_date_t d, const char *want)
{
    char buf[ZG_DATE_STR_SIZE];
    assert_int_equal(zg_date_format(d, buf), ZG_OK);
    assert_string_equal(buf, want);
}

static void test_known_day_numbers(void **state)
{
    (void)state;
    assert_int_equal(ymd(1970, 1, 1), 0);
    assert_int_equal(ymd(1969, 12, 31), -1);
    assert_int_equal(ymd(2000, 1, 1), 10957); /* 946684800 / 86400 */
    assert_int_equal(ymd(1800, 1, 1), -62091);
    assert_int_equal(ymd(9999, 12, 31), 2932896);
    assert_int_equal(zg_date_weekday(ymd(1970, 1, 1)), 4);  /* Thursday */
    assert_int_equal(zg_date_weekday(ymd(1949, 10, 1)), 6); /* Saturday */
    assert_int_equal(zg_date_weekday(ymd(2021, 7, 1)), 4);  /* Thursday */
    assert_int_equal(zg_date_weekday(ymd(2026, 9, 28)), 1); /* Monday */
    assert_int_equal(zg_date_weekday(ymd(2026, 10, 4)), 7); /* Sunday */
}

/* Every valid day against gmtime_r: year, month, day and weekday, and back. */
static void test_sweep_against_gmtime(void **state)
{
    (void)state;
    zg_date_t lo = ymd(1800, 1, 1), hi = ymd(9999, 12, 31);
    for (zg_date_t d = lo; d <= hi; d++) {
        time_t t = (time_t)d * 86400;
        struct tm tm;
        assert_non_null(gmtime_r(&t, &tm));
        int y, m, dd;
        zg_date_to_ymd(d, &y, &m, &dd);
        if (y != tm.tm_year + 1900 || m != tm.tm_mon + 1 || dd != tm.tm_mday)
            fail_msg("day %d: got %d-%d-%d", (int)d, y, m, dd);
        int iso = tm.tm_wday == 0 ? 7 : tm.tm_wday;
        if (zg_date_weekday(d) != iso)
            fail_msg("weekday of day %d", (int)d);
        zg_date_t back;
        if (zg_date_from_ymd(y, m, dd, &back) != ZG_OK || back != d)
            fail_msg("round trip of day %d", (int)d);
    }
}

static void test_from_ymd_validation(void **state)
{
    (void)state;
    zg_date_t d;
    /* year range */
    assert_int_equal(zg_date_from_ymd(1799, 12, 31, &d), ZG_ERR_INVALID);
    assert_int_equal(zg_date_from_ymd(1800, 1, 1, &d), ZG_OK);
    assert_int_equal(zg_date_from_ymd(9999, 12, 31, &d), ZG_OK);
    assert_int_equal(zg_date_from_ymd(10000, 1, 1, &d), ZG_ERR_INVALID);
    /* month range */
    assert_int_equal(zg_date_from_ymd(2024, 0, 1, &d), ZG_ERR_INVALID);
    assert_int_equal(zg_date_from_ymd(2024, 1, 1, &d), ZG_OK);
    assert_int_equal(zg_date_from_ymd(2024, 12, 1, &d), ZG_OK);
    assert_int_equal(zg_date_from_ymd(2024, 13, 1, &d), ZG_ERR_INVALID);
    /* day range */
    assert_int_equal(zg_date_from_ymd(2024, 1, 0, &d), ZG_ERR_INVALID);
    assert_int_equal(zg_date_from_ymd(2024, 1, 31, &d), ZG_OK);
    assert_int_equal(zg_date_from_ymd(2024, 1, 32, &d), ZG_ERR_INVALID);
    assert_int_equal(zg_date_from_ymd(2024, 4, 30, &d), ZG_OK);
    assert_int_equal(zg_date_from_ymd(2024, 4, 31, &d), ZG_ERR_INVALID);
    /* leap years: divisible by 4; centuries only when divisible by 400 */
    assert_int_equal(zg_date_from_ymd(2024, 2, 29, &d), ZG_OK);
    assert_int_equal(zg_date_from_ymd(2024, 2, 30, &d), ZG_ERR_INVALID);
    assert_int_equal(zg_date_from_ymd(2023, 2, 28, &d), ZG_OK);
    assert_int_equal(zg_date_from_ymd(2023, 2, 29, &d), ZG_ERR_INVALID);
    assert_int_equal(zg_date_from_ymd(2000, 2, 29, &d), ZG_OK);
    assert_int_equal(zg_date_from_ymd(1900, 2, 29, &d), ZG_ERR_INVALID);
    assert_int_equal(zg_date_from_ymd(2100, 2, 29, &d), ZG_ERR_INVALID);
    assert_int_equal(zg_date_from_ymd(2024, 1, 1, NULL), ZG_ERR_INVALID);
    assert_true(zg_date_is_leap_year(2000));
    assert_false(zg_date_is_leap_year(1900));
    assert_int_equal(zg_date_days_in_month(2024, 2), 29);
    assert_int_equal(zg_date_days_in_month(2023, 2), 28);
    assert_int_equal(zg_date_days_in_month(2023, 13), 0);
}

static void test_parse_strict(void **state)
{
    (void)state;
    zg_date_t d = 12345;
    assert_int_equal(zg_date_parse("2024-02-29", &d), ZG_OK);
    assert_int_equal(d, 19782);
    assert_int_equal(parse("1800-01-01"), -62091);
    assert_int_equal(parse("9999-12-31"), 2932896);
    const char *bad[] = {
        "2023-02-29",  /* not a real date */
        "1799-12-31",  /* below the range */
        "2024-2-29",   /* short month */
        "2024-02-9",   /* short day */
        "2024-02-29 ", /* trailing space (11 chars) */
        " 2024-02-29", /* leading space */
        "2024-02-290", /* 11 chars */
        "2024/02/29",  /* wrong separator */
        "20240229",    /* no separators */
        "2024-02-2a",  /* letter */
        "+024-02-29",  /* sign */
        "2024-0x-01",  /* hex */
        "",            /* empty */
        "2024-00-10",  /* month 0 */
        "2024-13-10",  /* month 13 */
        "2024-01-00",  /* day 0 */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        d = 777;
        if (zg_date_parse(bad[i], &d) != ZG_ERR_INVALID)
            fail_msg("accepted \"%s\"", bad[i]);
        assert_int_equal(d, 777);
    }
    assert_int_equal(zg_date_parse(NULL, &d), ZG_ERR_INVALID);
    /* parse_n reads exactly len bytes of a longer, unterminated buffer */
    const char buf[] = {'2', '0', '2', '6', '-', '1', '0', '-', '0', '1', 'X'};
    assert_int_equal(zg_date_parse_n(buf, 10, &d), ZG_OK);
    assert_int_equal(d, ymd(2026, 10, 1));
    assert_int_equal(zg_date_parse_n(buf, 11, &d), ZG_ERR_INVALID);
    assert_int_equal(zg_date_parse_n(buf, 9, &d), ZG_ERR_INVALID);
}

static void test_format(void **state)
{
    (void)state;
    assert_date(0, "1970-01-01");
    assert_date(-1, "1969-12-31");
    assert_date(10957, "2000-01-01");
    assert_date(-62091, "1800-01-01");
    assert_date(2932896, "9999-12-31");
    char buf[ZG_DATE_STR_SIZE] = "x";
    assert_int_equal(zg_date_format(-62092, buf), ZG_ERR_INVALID); /* 1799-12-31 */
    assert_string_equal(buf, "");
    assert_int_equal(zg_date_format(2932897, buf), ZG_ERR_INVALID); /* 10000-01-01 */
    assert_false(zg_date_valid(2932897));
    assert_true(zg_date_valid(2932896));
    assert_false(zg_date_valid(-62092));
    assert_true(zg_date_valid(-62091));
}

static void test_add_days(void **state)
{
    (void)state;
    zg_date_t d;
    assert_int_equal(zg_date_add_days(parse("2024-02-28"), 1, &d), ZG_OK);
    assert_date(d, "2024-02-29");
    assert_int_equal(zg_date_add_days(parse("2023-02-28"), 1, &d), ZG_OK);
    assert_date(d, "2023-03-01");
    assert_int_equal(zg_date_add_days(parse("2024-12-31"), 1, &d), ZG_OK);
    assert_date(d, "2025-01-01");
    assert_int_equal(zg_date_add_days(parse("2025-01-01"), -1, &d), ZG_OK);
    assert_date(d, "2024-12-31");
    assert_int_equal(zg_date_add_days(parse("2024-01-01"), 366, &d), ZG_OK);
    assert_date(d, "2025-01-01");
    /* range edges */
    assert_int_equal(zg_date_add_days(parse("9999-12-30"), 1, &d), ZG_OK);
    assert_int_equal(zg_date_add_days(parse("9999-12-31"), 1, &d), ZG_ERR_INVALID);
    assert_int_equal(zg_date_add_days(parse("1800-01-02"), -1, &d), ZG_OK);
    assert_int_equal(zg_date_add_days(parse("1800-01-01"), -1, &d), ZG_ERR_INVALID);
    assert_int_equal(zg_date_add_days(parse("2024-01-01"), INT32_MAX, &d), ZG_ERR_INVALID);
    assert_int_equal(zg_date_add_days(parse("2024-01-01"), INT32_MIN, &d), ZG_ERR_INVALID);
}

static void test_add_months_clamps(void **state)
{
    (void)state;
    zg_date_t d;
    struct {
        const char *from;
        int32_t n;
        const char *want;
    } cases[] = {
        {"2024-01-31", 1, "2024-02-29"}, /* leap February */
        {"2023-01-31", 1, "2023-02-28"}, /* common February */
        {"2024-01-30", 1, "2024-02-29"},
        {"2024-01-29", 1, "2024-02-29"}, /* no clamping needed */
        {"2024-01-28", 1, "2024-02-28"},
        {"2024-01-31", 2, "2024-03-31"}, /* clamping does not carry */
        {"2024-03-31", 1, "2024-04-30"},
        {"2024-03-31", -1, "2024-02-29"}, /* negative n */
        {"2023-03-31", -1, "2023-02-28"},
        {"2024-01-15", -1, "2023-12-15"}, /* year borrow */
        {"2024-12-15", 1, "2025-01-15"},  /* year carry */
        {"2024-05-20", -13, "2023-04-20"},
        {"2024-05-20", 0, "2024-05-20"},
        {"2020-02-29", 12, "2021-02-28"},
        {"2020-02-29", 48, "2024-02-29"},
        {"9999-11-30", 1, "9999-12-30"},
        {"1800-02-28", -1, "1800-01-28"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        assert_int_equal(zg_date_add_months(parse(cases[i].from), cases[i].n, &d), ZG_OK);
        assert_date(d, cases[i].want);
    }
    /* 2024-01-31 + 1 + 1 is not 2024-01-31 + 2 */
    assert_int_equal(zg_date_add_months(parse("2024-01-31"), 1, &d), ZG_OK);
    assert_int_equal(zg_date_add_months(d, 1, &d), ZG_OK);
    assert_date(d, "2024-03-29");
    /* range edges */
    assert_int_equal(zg_date_add_months(parse("9999-12-01"), 1, &d), ZG_ERR_INVALID);
    assert_int_equal(zg_date_add_months(parse("1800-01-15"), -1, &d), ZG_ERR_INVALID);
    assert_int_equal(zg_date_add_months(parse("2024-01-15"), INT32_MAX, &d), ZG_ERR_INVALID);
    assert_int_equal(zg_date_add_months(parse("2024-01-15"), INT32_MIN, &d), ZG_ERR_INVALID);
}

/* Property over many days and offsets: the result lies n months on, on the same day of the
 * month or the last day of a shorter month. */
static void test_add_months_property(void **state)
{
    (void)state;
    for (zg_date_t d = ymd(2019, 1, 1); d <= ymd(2025, 12, 31); d += 3) {
        int y, m, dd;
        zg_date_to_ymd(d, &y, &m, &dd);
        for (int32_t n = -30; n <= 30; n += 7) {
            zg_date_t r;
            assert_int_equal(zg_date_add_months(d, n, &r), ZG_OK);
            int ry, rm, rd;
            zg_date_to_ymd(r, &ry, &rm, &rd);
            assert_int_equal(ry * 12 + rm, y * 12 + m + n);
            int dim = zg_date_days_in_month(ry, rm);
            assert_int_equal(rd, dd < dim ? dd : dim);
        }
    }
}

static int age(const char *birth, const char *at)
{
    int a = -1;
    assert_int_equal(zg_date_age_at(parse(birth), parse(at), &a), ZG_OK);
    return a;
}

static void test_age_at(void **state)
{
    (void)state;
    assert_int_equal(age("2000-05-10", "2000-05-10"), 0);
    assert_int_equal(age("2000-05-10", "2018-05-09"), 17); /* the day before the birthday */
    assert_int_equal(age("2000-05-10", "2018-05-10"), 18); /* on the birthday */
    assert_int_equal(age("2000-05-10", "2018-05-11"), 18);
    assert_int_equal(age("2000-12-31", "2019-01-01"), 18);
    assert_int_equal(age("2000-12-31", "2018-12-30"), 17);
    /* 29 February: older on 1 March in common years, on 29 February in leap years */
    assert_int_equal(age("2004-02-29", "2022-02-28"), 17);
    assert_int_equal(age("2004-02-29", "2022-03-01"), 18);
    assert_int_equal(age("2004-02-29", "2024-02-28"), 19);
    assert_int_equal(age("2004-02-29", "2024-02-29"), 20);
    int a;
    assert_int_equal(zg_date_age_at(parse("2000-05-10"), parse("2000-05-09"), &a), ZG_ERR_INVALID);
    assert_int_equal(zg_date_age_at(-62092, parse("2000-05-09"), &a), ZG_ERR_INVALID);
}

static int32_t months(const char *from, const char *to)
{
    int32_t n = -1;
    assert_int_equal(zg_date_months_between(parse(from), parse(to), &n), ZG_OK);
    return n;
}

static void test_months_between(void **state)
{
    (void)state;
    assert_int_equal(months("2024-01-15", "2024-01-15"), 0);
    assert_int_equal(months("2024-01-15", "2024-02-14"), 0);
    assert_int_equal(months("2024-01-15", "2024-02-15"), 1);
    assert_int_equal(months("2024-01-31", "2024-02-28"), 0);
    assert_int_equal(months("2024-01-31", "2024-02-29"), 1);
    assert_int_equal(months("2024-01-31", "2024-03-30"), 1);
    assert_int_equal(months("2024-01-31", "2024-03-31"), 2);
    assert_int_equal(months("2023-07-01", "2024-06-30"), 11);
    assert_int_equal(months("2023-07-01", "2024-07-01"), 12);
    assert_int_equal(months("2020-02-29", "2021-02-28"), 12);
    int32_t n;
    assert_int_equal(zg_date_months_between(parse("2024-02-15"), parse("2024-02-14"), &n),
                     ZG_ERR_INVALID);
    /* agrees with add_months for every start day of 2024 and every span up to 26 months */
    for (zg_date_t d = ymd(2024, 1, 1); d <= ymd(2024, 12, 31); d++) {
        for (int32_t k = 0; k <= 26; k++) {
            zg_date_t t;
            assert_int_equal(zg_date_add_months(d, k, &t), ZG_OK);
            assert_int_equal(zg_date_months_between(d, t, &n), ZG_OK);
            assert_int_equal(n, k);
            if (t > d) {
                assert_int_equal(zg_date_months_between(d, t - 1, &n), ZG_OK);
                assert_int_equal(n, k - 1);
            }
        }
    }
}

static void test_from_unix_china_time(void **state)
{
    (void)state;
    const int32_t cst = ZG_DATE_CHINA_UTC_OFFSET;
    assert_int_equal(zg_date_from_unix(0, 0), 0);
    assert_int_equal(zg_date_from_unix(-1, 0), -1);
    assert_int_equal(zg_date_from_unix(86399, 0), 0);
    assert_int_equal(zg_date_from_unix(86400, 0), 1);
    /* Beijing midnight is 16:00 UTC of the previous day */
    assert_int_equal(zg_date_from_unix(16 * 3600 - 1, cst), 0); /* 23:59:59 CST */
    assert_int_equal(zg_date_from_unix(16 * 3600, cst), 1);     /* 00:00:00 CST */
    assert_int_equal(zg_date_from_unix(-8 * 3600, cst), 0);     /* 1970-01-01 00:00 CST */
    assert_int_equal(zg_date_from_unix(-8 * 3600 - 1, cst), -1);
    /* 2026-01-01 00:00:00 CST = 2025-12-31T16:00:00Z = 1767196800 */
    assert_int_equal(zg_date_from_unix(1767196800, cst), ymd(2026, 1, 1));
    assert_int_equal(zg_date_from_unix(1767196799, cst), ymd(2025, 12, 31));
    /* today: between the dates of two clock readings taken around the call */
    time_t before = time(NULL);
    zg_date_t today = zg_date_today();
    time_t after = time(NULL);
    time_t t0 = before + cst, t1 = after + cst;
    struct tm a, b;
    gmtime_r(&t0, &a);
    gmtime_r(&t1, &b);
    zg_date_t lo = ymd(a.tm_year + 1900, a.tm_mon + 1, a.tm_mday);
    zg_date_t hi = ymd(b.tm_year + 1900, b.tm_mon + 1, b.tm_mday);
    assert_true(today >= lo && today <= hi);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_known_day_numbers),
        cmocka_unit_test(test_sweep_against_gmtime),
        cmocka_unit_test(test_from_ymd_validation),
        cmocka_unit_test(test_parse_strict),
        cmocka_unit_test(test_format),
        cmocka_unit_test(test_add_days),
        cmocka_unit_test(test_add_months_clamps),
        cmocka_unit_test(test_add_months_property),
        cmocka_unit_test(test_age_at),
        cmocka_unit_test(test_months_between),
        cmocka_unit_test(test_from_unix_china_time),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
