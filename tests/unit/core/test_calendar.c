/* test_calendar.c — the working-day calendar and its built-in table (src/core/calendar.c,
 * calendar_default.c). Expected working days were worked out by hand from the State Council
 * notices for 2024–2026 (listed in calendar_default.c), not by running the code. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/calendar.h"
#include "core/status.h"
#include "core/strbuf.h"

static zg_date_t D(const char *s)
{
    zg_date_t d = 0;
    assert_int_equal(zg_date_parse(s, &d), ZG_OK);
    return d;
}

static void assert_date(zg_date_t d, const char *want)
{
    char buf[ZG_DATE_STR_SIZE];
    assert_int_equal(zg_date_format(d, buf), ZG_OK);
    assert_string_equal(buf, want);
}

static int setup_default(void **state)
{
    zg_calendar_t *cal = NULL;
    if (zg_calendar_new_default(&cal) != ZG_OK)
        return -1;
    *state = cal;
    return 0;
}

static int teardown(void **state)
{
    zg_calendar_free(*state);
    return 0;
}

static bool working(const zg_calendar_t *cal, const char *day)
{
    return zg_calendar_is_working_day(cal, D(day));
}

/* ---- the built-in table ---------------------------------------------------------------- */

static void test_default_counts_and_coverage(void **state)
{
    zg_calendar_t *cal = *state;
    /* 2024: 28 days off + 8 adjusted working days; 2025: 28 + 5; 2026: 33 + 6 */
    assert_int_equal(zg_calendar_count(cal), 36 + 33 + 39);
    assert_false(zg_calendar_covers_year(cal, 2023));
    assert_true(zg_calendar_covers_year(cal, 2024));
    assert_true(zg_calendar_covers_year(cal, 2025));
    assert_true(zg_calendar_covers_year(cal, 2026));
    assert_false(zg_calendar_covers_year(cal, 2027));
    assert_false(zg_calendar_covers_year(cal, 1799));
    assert_true(zg_calendar_covers_range(cal, D("2024-01-01"), D("2026-12-31")));
    assert_false(zg_calendar_covers_range(cal, D("2023-12-31"), D("2024-01-10")));
    assert_false(zg_calendar_covers_range(cal, D("2026-12-01"), D("2027-01-10")));
    assert_false(zg_calendar_covers_range(cal, D("2026-02-01"), D("2026-01-01")));
    /* entries come out in date order, first and last as in the notices */
    assert_date(zg_calendar_entry(cal, 0)->date, "2024-01-01");
    assert_date(zg_calendar_entry(cal, zg_calendar_count(cal) - 1)->date, "2026-10-10");
    for (size_t i = 1; i < zg_calendar_count(cal); i++)
        assert_true(zg_calendar_entry(cal, i - 1)->date < zg_calendar_entry(cal, i)->date);
    assert_null(zg_calendar_entry(cal, zg_calendar_count(cal)));
    const zg_calendar_entry_t *e = zg_calendar_lookup(cal, D("2026-02-17"));
    assert_non_null(e);
    assert_int_equal(e->kind, ZG_DAY_HOLIDAY);
    assert_string_equal(e->name, "春节");
    e = zg_calendar_lookup(cal, D("2025-10-11"));
    assert_non_null(e);
    assert_int_equal(e->kind, ZG_DAY_WORKDAY);
    assert_string_equal(e->name, "国庆节、中秋节");
    assert_null(zg_calendar_lookup(cal, D("2026-03-02")));
}

static void test_default_2026_spring_festival(void **state)
{
    zg_calendar_t *cal = *state;
    assert_true(working(cal, "2026-02-13"));  /* Fri */
    assert_true(working(cal, "2026-02-14"));  /* Sat, adjusted working day */
    assert_false(working(cal, "2026-02-15")); /* Sun, first day off */
    assert_false(working(cal, "2026-02-16")); /* Mon, off */
    assert_false(working(cal, "2026-02-23")); /* Mon, last day off */
    assert_true(working(cal, "2026-02-24"));  /* Tue, back to work */
    assert_false(working(cal, "2026-02-21")); /* Sat inside the holiday */
    assert_true(working(cal, "2026-02-28"));  /* Sat, adjusted working day */
    assert_false(working(cal, "2026-03-01")); /* Sun, ordinary weekend */
    assert_false(working(cal, "2026-02-07")); /* Sat, ordinary weekend */
}

static void test_default_other_boundaries(void **state)
{
    zg_calendar_t *cal = *state;
    /* 2024: New Year's Eve (除夕) was not a day off; 劳动节 makeup Saturday */
    assert_true(working(cal, "2024-02-09"));
    assert_false(working(cal, "2024-02-10"));
    assert_false(working(cal, "2024-02-17"));
    assert_true(working(cal, "2024-02-18")); /* Sun, adjusted */
    assert_true(working(cal, "2024-02-04")); /* Sun, adjusted */
    assert_false(working(cal, "2024-04-06"));
    assert_true(working(cal, "2024-04-07")); /* Sun, adjusted */
    assert_true(working(cal, "2024-04-28"));
    assert_false(working(cal, "2024-05-05"));
    assert_true(working(cal, "2024-05-06"));
    assert_true(working(cal, "2024-05-11"));  /* Sat, adjusted */
    assert_false(working(cal, "2024-05-12")); /* Sun */
    assert_false(working(cal, "2024-06-10")); /* 端午, Mon */
    assert_true(working(cal, "2024-06-11"));
    assert_true(working(cal, "2024-09-14"));
    assert_false(working(cal, "2024-09-17"));
    assert_true(working(cal, "2024-09-18"));
    assert_true(working(cal, "2024-09-29"));
    assert_false(working(cal, "2024-10-07"));
    assert_true(working(cal, "2024-10-08"));
    assert_true(working(cal, "2024-10-12"));
    /* 2025: 除夕 is a day off from 2025 on */
    assert_false(working(cal, "2025-01-01"));
    assert_true(working(cal, "2025-01-02"));
    assert_true(working(cal, "2025-01-26")); /* Sun, adjusted */
    assert_true(working(cal, "2025-01-27"));
    assert_false(working(cal, "2025-01-28")); /* 除夕, Tue */
    assert_false(working(cal, "2025-02-04"));
    assert_true(working(cal, "2025-02-05"));
    assert_true(working(cal, "2025-02-08")); /* Sat, adjusted */
    assert_false(working(cal, "2025-04-04"));
    assert_true(working(cal, "2025-04-07"));
    assert_true(working(cal, "2025-04-27"));
    assert_false(working(cal, "2025-05-05"));
    assert_true(working(cal, "2025-05-30"));
    assert_false(working(cal, "2025-06-02"));
    assert_true(working(cal, "2025-06-03"));
    assert_true(working(cal, "2025-09-28"));
    assert_false(working(cal, "2025-10-08")); /* Wed, 8-day 国庆+中秋 */
    assert_true(working(cal, "2025-10-09"));
    assert_true(working(cal, "2025-10-11"));  /* Sat, adjusted */
    assert_false(working(cal, "2025-10-12")); /* Sun */
    /* 2026 */
    assert_true(working(cal, "2025-12-31"));
    assert_false(working(cal, "2026-01-01"));
    assert_false(working(cal, "2026-01-02"));
    assert_true(working(cal, "2026-01-04")); /* Sun, adjusted */
    assert_false(working(cal, "2026-04-06"));
    assert_true(working(cal, "2026-04-07"));
    assert_false(working(cal, "2026-05-05"));
    assert_true(working(cal, "2026-05-06"));
    assert_true(working(cal, "2026-05-09")); /* Sat, adjusted */
    assert_false(working(cal, "2026-06-19"));
    assert_true(working(cal, "2026-06-22"));
    assert_true(working(cal, "2026-09-20")); /* Sun, adjusted */
    assert_false(working(cal, "2026-09-25"));
    assert_true(working(cal, "2026-09-28"));
    assert_false(working(cal, "2026-10-07"));
    assert_true(working(cal, "2026-10-08"));
    assert_true(working(cal, "2026-10-10")); /* Sat, adjusted */
    assert_false(working(cal, "2026-10-11"));
    /* uncovered years: weekends only */
    assert_true(working(cal, "2023-10-02"));  /* was a holiday, but 2023 has no data */
    assert_true(working(cal, "2027-10-01"));  /* Fri, no data */
    assert_false(working(cal, "2027-10-02")); /* Sat */
}

/* Whole-year totals, counted by hand: weekdays − holidays on weekdays + adjusted weekends.
 * 2024: 262 − 19 + 8 = 251; 2025: 261 − 18 + 5 = 248; 2026: 261 − 19 + 6 = 248. */
static void test_default_year_totals(void **state)
{
    zg_calendar_t *cal = *state;
    int32_t n = -1;
    assert_int_equal(zg_calendar_working_days_between(cal, D("2024-01-01"), D("2024-12-31"), &n),
                     ZG_OK);
    assert_int_equal(n, 251);
    assert_int_equal(zg_calendar_working_days_between(cal, D("2025-01-01"), D("2025-12-31"), &n),
                     ZG_OK);
    assert_int_equal(n, 248);
    assert_int_equal(zg_calendar_working_days_between(cal, D("2026-01-01"), D("2026-12-31"), &n),
                     ZG_OK);
    assert_int_equal(n, 248);
    /* October 2026: 22 weekdays − 5 holidays + Sat 10-10 = 18 */
    assert_int_equal(zg_calendar_working_days_between(cal, D("2026-10-01"), D("2026-10-31"), &n),
                     ZG_OK);
    assert_int_equal(n, 18);
}

/* ---- counting working days -------------------------------------------------------------- */

static zg_date_t nth(const zg_calendar_t *cal, const char *start, int32_t n)
{
    zg_date_t end = 0;
    assert_int_equal(zg_calendar_nth_working_day(cal, D(start), n, &end), ZG_OK);
    return end;
}

static void test_nth_working_day_public_notice(void **state)
{
    zg_calendar_t *cal = *state;
    /* 公示 of 5 working days from Mon 2026-09-28: 09-28, 09-29, 09-30, 10-08, 10-09 */
    assert_date(nth(cal, "2026-09-28", 1), "2026-09-28"); /* start counts when working */
    assert_date(nth(cal, "2026-09-28", 3), "2026-09-30");
    assert_date(nth(cal, "2026-09-28", 4), "2026-10-08");
    assert_date(nth(cal, "2026-09-28", 5), "2026-10-09");
    assert_date(nth(cal, "2026-09-28", 6), "2026-10-10"); /* Sat, adjusted working day */
    assert_date(nth(cal, "2026-09-28", 7), "2026-10-12");
    /* start on a day off: counting begins at the next working day */
    assert_date(nth(cal, "2026-10-01", 1), "2026-10-08");
    assert_date(nth(cal, "2026-10-01", 3), "2026-10-10");
    assert_date(nth(cal, "2026-10-03", 5), "2026-10-13");
    /* across 春节 2026: 02-12, 02-13, 02-14 (Sat, working), then 02-24, 02-25 */
    assert_date(nth(cal, "2026-02-12", 3), "2026-02-14");
    assert_date(nth(cal, "2026-02-12", 4), "2026-02-24");
    assert_date(nth(cal, "2026-02-12", 5), "2026-02-25");
    /* an uncovered year: Mon 2027-09-27 + 5 is Friday 2027-10-01 (no 国庆 data) */
    assert_date(nth(cal, "2027-09-27", 5), "2027-10-01");
    /* bad arguments and the end of the range */
    zg_date_t end;
    assert_int_equal(zg_calendar_nth_working_day(cal, D("2026-09-28"), 0, &end), ZG_ERR_INVALID);
    assert_int_equal(zg_calendar_nth_working_day(cal, D("2026-09-28"), -1, &end), ZG_ERR_INVALID);
    assert_date(nth(cal, "9999-12-31", 1), "9999-12-31"); /* a Friday */
    assert_int_equal(zg_calendar_nth_working_day(cal, D("9999-12-31"), 2, &end), ZG_ERR_INVALID);
    assert_int_equal(zg_calendar_nth_working_day(cal, 2932897, 1, &end), ZG_ERR_INVALID);
}

static void test_add_working_days(void **state)
{
    zg_calendar_t *cal = *state;
    zg_date_t end;
    assert_int_equal(zg_calendar_add_working_days(cal, D("2026-09-30"), 1, &end), ZG_OK);
    assert_date(end, "2026-10-08");
    assert_int_equal(zg_calendar_add_working_days(cal, D("2026-10-08"), -1, &end), ZG_OK);
    assert_date(end, "2026-09-30");
    assert_int_equal(zg_calendar_add_working_days(cal, D("2026-02-13"), 1, &end), ZG_OK);
    assert_date(end, "2026-02-14");
    assert_int_equal(zg_calendar_add_working_days(cal, D("2026-02-14"), 1, &end), ZG_OK);
    assert_date(end, "2026-02-24");
    assert_int_equal(zg_calendar_add_working_days(cal, D("2026-02-24"), -2, &end), ZG_OK);
    assert_date(end, "2026-02-13");
    assert_int_equal(zg_calendar_add_working_days(cal, D("2026-10-09"), 2, &end), ZG_OK);
    assert_date(end, "2026-10-12");
    /* n == 0 is the start, even on a day off */
    assert_int_equal(zg_calendar_add_working_days(cal, D("2026-10-01"), 0, &end), ZG_OK);
    assert_date(end, "2026-10-01");
    /* the start day never counts, working or not */
    assert_int_equal(zg_calendar_add_working_days(cal, D("2026-09-28"), 5, &end), ZG_OK);
    assert_date(end, "2026-10-10");
    /* range edges */
    assert_int_equal(zg_calendar_add_working_days(cal, D("9999-12-30"), 1, &end), ZG_OK);
    assert_date(end, "9999-12-31");
    assert_int_equal(zg_calendar_add_working_days(cal, D("9999-12-30"), 2, &end), ZG_ERR_INVALID);
    assert_int_equal(zg_calendar_add_working_days(cal, D("1800-01-01"), -1, &end), ZG_ERR_INVALID);
    assert_int_equal(zg_calendar_add_working_days(cal, D("1800-01-02"), -1, &end), ZG_OK);
    assert_date(end, "1800-01-01"); /* a Wednesday */
    /* against nth_working_day: n working days after X == the n-th counting from X + 1 */
    for (zg_date_t d = D("2024-01-01"); d <= D("2026-12-31"); d++) {
        for (int32_t k = 1; k <= 12; k++) {
            zg_date_t a, b;
            assert_int_equal(zg_calendar_add_working_days(cal, d, k, &a), ZG_OK);
            assert_int_equal(zg_calendar_nth_working_day(cal, d + 1, k, &b), ZG_OK);
            assert_int_equal(a, b);
            zg_date_t back;
            assert_int_equal(zg_calendar_add_working_days(cal, a, -k, &back), ZG_OK);
            /* going back k working days lands on the last working day <= d */
            zg_date_t w = d;
            while (!zg_calendar_is_working_day(cal, w))
                w--;
            assert_int_equal(back, w);
        }
    }
}

static void test_working_days_between(void **state)
{
    zg_calendar_t *cal = *state;
    int32_t n = -1;
    assert_int_equal(zg_calendar_working_days_between(cal, D("2026-10-01"), D("2026-10-07"), &n),
                     ZG_OK);
    assert_int_equal(n, 0);
    assert_int_equal(zg_calendar_working_days_between(cal, D("2026-09-28"), D("2026-10-09"), &n),
                     ZG_OK);
    assert_int_equal(n, 5);
    assert_int_equal(zg_calendar_working_days_between(cal, D("2026-09-28"), D("2026-10-08"), &n),
                     ZG_OK);
    assert_int_equal(n, 4);
    /* one day: working / not working; empty range */
    assert_int_equal(zg_calendar_working_days_between(cal, D("2026-02-14"), D("2026-02-14"), &n),
                     ZG_OK);
    assert_int_equal(n, 1);
    assert_int_equal(zg_calendar_working_days_between(cal, D("2026-02-15"), D("2026-02-15"), &n),
                     ZG_OK);
    assert_int_equal(n, 0);
    assert_int_equal(zg_calendar_working_days_between(cal, D("2026-02-15"), D("2026-02-14"), &n),
                     ZG_OK);
    assert_int_equal(n, 0);
    assert_int_equal(zg_calendar_working_days_between(cal, 2932897, D("2026-02-14"), &n),
                     ZG_ERR_INVALID);
    /* against a day-by-day count over every range starting in Jan 2024..Dec 2026 with
     * lengths up to 45 days */
    for (zg_date_t from = D("2023-12-01"); from <= D("2027-01-31"); from += 5) {
        int32_t naive = 0;
        for (zg_date_t to = from; to < from + 45; to++) {
            naive += zg_calendar_is_working_day(cal, to);
            assert_int_equal(zg_calendar_working_days_between(cal, from, to, &n), ZG_OK);
            assert_int_equal(n, naive);
        }
    }
    /* the consistency rule between the two counters: the n-th working day from X ends a
     * range from X holding exactly n working days */
    zg_date_t end;
    assert_int_equal(zg_calendar_nth_working_day(cal, D("2024-09-01"), 40, &end), ZG_OK);
    assert_int_equal(zg_calendar_working_days_between(cal, D("2024-09-01"), end, &n), ZG_OK);
    assert_int_equal(n, 40);
    assert_int_equal(zg_calendar_working_days_between(cal, D("2024-09-01"), end - 1, &n), ZG_OK);
    assert_int_equal(n, 39);
}

static void test_null_calendar_is_weekends_only(void **state)
{
    (void)state;
    assert_true(zg_calendar_is_working_day(NULL, D("2026-10-01")));  /* Thu */
    assert_false(zg_calendar_is_working_day(NULL, D("2026-10-03"))); /* Sat */
    int32_t n;
    /* 2026: 365 days from a Thursday = 52 weeks + 1 Thursday = 261 weekdays */
    assert_int_equal(zg_calendar_working_days_between(NULL, D("2026-01-01"), D("2026-12-31"), &n),
                     ZG_OK);
    assert_int_equal(n, 261);
    assert_int_equal(zg_calendar_count(NULL), 0);
    assert_false(zg_calendar_covers_year(NULL, 2026));
}

/* ---- editing ---------------------------------------------------------------------------- */

static void test_set_and_clear_day(void **state)
{
    (void)state;
    zg_calendar_t *cal;
    assert_int_equal(zg_calendar_new_empty(&cal), ZG_OK);
    assert_false(zg_calendar_covers_year(cal, 2027));
    zg_error_t err;
    /* a weekday made a holiday, a Saturday made a working day */
    assert_int_equal(zg_calendar_set_day(cal, D("2027-10-01"), ZG_DAY_HOLIDAY, "国庆节", &err),
                     ZG_OK);
    assert_int_equal(zg_calendar_set_day(cal, D("2027-09-25"), ZG_DAY_WORKDAY, NULL, &err), ZG_OK);
    assert_true(zg_calendar_covers_year(cal, 2027));
    assert_false(zg_calendar_covers_year(cal, 2026));
    assert_false(working(cal, "2027-10-01"));
    assert_true(working(cal, "2027-09-25"));
    assert_int_equal(zg_calendar_count(cal), 2);
    assert_string_equal(zg_calendar_lookup(cal, D("2027-09-25"))->name, "");
    /* replace: same count, new kind and name */
    assert_int_equal(zg_calendar_set_day(cal, D("2027-10-01"), ZG_DAY_WORKDAY, "改", &err), ZG_OK);
    assert_int_equal(zg_calendar_count(cal), 2);
    assert_true(working(cal, "2027-10-01"));
    assert_string_equal(zg_calendar_lookup(cal, D("2027-10-01"))->name, "改");
    /* clear: back to the weekday rule; clearing again finds nothing */
    assert_int_equal(zg_calendar_clear_day(cal, D("2027-09-25")), ZG_OK);
    assert_false(working(cal, "2027-09-25"));
    assert_int_equal(zg_calendar_clear_day(cal, D("2027-09-25")), ZG_ERR_NOT_FOUND);
    assert_int_equal(zg_calendar_clear_day(cal, D("2027-10-01")), ZG_OK);
    assert_int_equal(zg_calendar_count(cal), 0);
    assert_false(zg_calendar_covers_year(cal, 2027)); /* coverage follows the entries */
    /* inserting out of order keeps the entries sorted */
    const char *days[] = {"2030-05-05", "2030-01-01", "2030-12-31", "2030-05-04", "2030-05-06"};
    for (size_t i = 0; i < 5; i++)
        assert_int_equal(zg_calendar_set_day(cal, D(days[i]), ZG_DAY_HOLIDAY, "x", NULL), ZG_OK);
    assert_int_equal(zg_calendar_count(cal), 5);
    for (size_t i = 1; i < 5; i++)
        assert_true(zg_calendar_entry(cal, i - 1)->date < zg_calendar_entry(cal, i)->date);
    zg_calendar_free(cal);
}

static void test_set_day_rejects(void **state)
{
    (void)state;
    zg_calendar_t *cal;
    assert_int_equal(zg_calendar_new_empty(&cal), ZG_OK);
    zg_error_t err;
    zg_date_t d = D("2027-10-01");
    assert_int_equal(zg_calendar_set_day(cal, d, (zg_day_kind)0, "x", &err), ZG_ERR_INVALID);
    assert_string_equal(err.code, "calendar_bad_kind");
    assert_int_equal(zg_calendar_set_day(cal, d, (zg_day_kind)3, "x", &err), ZG_ERR_INVALID);
    assert_int_equal(zg_calendar_set_day(cal, 2932897, ZG_DAY_HOLIDAY, "x", &err), ZG_ERR_INVALID);
    assert_string_equal(err.code, "calendar_bad_date");
    /* names: 20 characters fit, 21 do not */
    const char *twenty = "一二三四五六七八九十一二三四五六七八九十";
    const char *twenty_one = "一二三四五六七八九十一二三四五六七八九十一";
    assert_int_equal(zg_calendar_set_day(cal, d, ZG_DAY_HOLIDAY, twenty, &err), ZG_OK);
    assert_string_equal(zg_calendar_lookup(cal, d)->name, twenty);
    assert_int_equal(zg_calendar_set_day(cal, d, ZG_DAY_HOLIDAY, twenty_one, &err), ZG_ERR_INVALID);
    assert_string_equal(err.code, "calendar_bad_name");
    assert_string_equal(zg_calendar_lookup(cal, d)->name, twenty); /* unchanged */
    char longname[200];
    memset(longname, 'a', sizeof longname - 1);
    longname[sizeof longname - 1] = '\0';
    assert_int_equal(zg_calendar_set_day(cal, d, ZG_DAY_HOLIDAY, longname, &err), ZG_ERR_INVALID);
    assert_int_equal(zg_calendar_set_day(cal, d, ZG_DAY_HOLIDAY, "春#节", &err), ZG_ERR_INVALID);
    assert_int_equal(zg_calendar_set_day(cal, d, ZG_DAY_HOLIDAY, "春\t节", &err), ZG_ERR_INVALID);
    assert_int_equal(zg_calendar_set_day(cal, d, ZG_DAY_HOLIDAY, " 春节", &err), ZG_ERR_INVALID);
    assert_int_equal(zg_calendar_set_day(cal, d, ZG_DAY_HOLIDAY, "春节 ", &err), ZG_ERR_INVALID);
    assert_int_equal(zg_calendar_set_day(cal, d, ZG_DAY_HOLIDAY, "\xE6\x98", &err), ZG_ERR_INVALID);
    assert_int_equal(zg_calendar_set_day(cal, d, ZG_DAY_HOLIDAY, "国庆 中秋", &err), ZG_OK);
    assert_int_equal(zg_calendar_set_day(NULL, d, ZG_DAY_HOLIDAY, "x", &err), ZG_ERR_INVALID);
    zg_calendar_free(cal);
}

static void test_entry_limit(void **state)
{
    (void)state;
    zg_calendar_t *cal;
    assert_int_equal(zg_calendar_new_empty(&cal), ZG_OK);
    zg_date_t first = D("2000-01-01");
    for (int i = 0; i < ZG_CALENDAR_MAX_ENTRIES; i++)
        assert_int_equal(zg_calendar_set_day(cal, first + i, ZG_DAY_HOLIDAY, NULL, NULL), ZG_OK);
    zg_error_t err;
    assert_int_equal(
        zg_calendar_set_day(cal, first + ZG_CALENDAR_MAX_ENTRIES, ZG_DAY_HOLIDAY, NULL, &err),
        ZG_ERR_TOO_LARGE);
    /* replacing an existing entry at the limit is fine */
    assert_int_equal(zg_calendar_set_day(cal, first, ZG_DAY_WORKDAY, NULL, &err), ZG_OK);
    /* and so is loading text that only replaces; one new date is too many */
    assert_int_equal(zg_calendar_load_text(cal, "2000-01-02 workday\n", 19, &err), ZG_OK);
    assert_int_equal(zg_calendar_load_text(cal, "1999-12-31 workday\n", 19, &err),
                     ZG_ERR_TOO_LARGE);
    assert_int_equal(zg_calendar_count(cal), ZG_CALENDAR_MAX_ENTRIES);
    zg_calendar_free(cal);
}

/* ---- the text format -------------------------------------------------------------------- */

static int load(zg_calendar_t *cal, const char *text, zg_error_t *err)
{
    return zg_calendar_load_text(cal, text, strlen(text), err);
}

static void test_load_text_format(void **state)
{
    (void)state;
    zg_calendar_t *cal;
    assert_int_equal(zg_calendar_new_empty(&cal), ZG_OK);
    zg_error_t err;
    const char *text = "\xEF\xBB\xBF# 2030 test\r\n"
                       "\r\n"
                       "   # indented comment\n"
                       "2030-01-01 holiday 元旦\r\n"
                       "2030-01-05\tworkday\t元旦  # Saturday\n"
                       "  2030-02-01   holiday   国庆 中秋   \n"
                       "2030-02-02 holiday\n"
                       "2030-02-03 holiday#no name, comment right after the kind\n"
                       "2030-02-04 workday 最后一行无换行";
    assert_int_equal(load(cal, text, &err), ZG_OK);
    assert_int_equal(zg_calendar_count(cal), 6);
    assert_string_equal(zg_calendar_lookup(cal, D("2030-01-01"))->name, "元旦");
    assert_int_equal(zg_calendar_lookup(cal, D("2030-01-05"))->kind, ZG_DAY_WORKDAY);
    assert_string_equal(zg_calendar_lookup(cal, D("2030-01-05"))->name, "元旦");
    assert_string_equal(zg_calendar_lookup(cal, D("2030-02-01"))->name, "国庆 中秋");
    assert_string_equal(zg_calendar_lookup(cal, D("2030-02-02"))->name, "");
    assert_string_equal(zg_calendar_lookup(cal, D("2030-02-03"))->name, "");
    assert_string_equal(zg_calendar_lookup(cal, D("2030-02-04"))->name, "最后一行无换行");
    /* empty text and comment-only text change nothing */
    assert_int_equal(zg_calendar_load_text(cal, NULL, 0, &err), ZG_OK);
    assert_int_equal(load(cal, "# nothing\n\n", &err), ZG_OK);
    assert_int_equal(zg_calendar_count(cal), 6);
    /* merging: a loaded date replaces, others stay */
    assert_int_equal(load(cal, "2030-01-01 workday 改\n2030-03-01 holiday\n", &err), ZG_OK);
    assert_int_equal(zg_calendar_count(cal), 7);
    assert_int_equal(zg_calendar_lookup(cal, D("2030-01-01"))->kind, ZG_DAY_WORKDAY);
    assert_string_equal(zg_calendar_lookup(cal, D("2030-01-01"))->name, "改");
    zg_calendar_free(cal);
}

/* Loads `text` into a calendar holding one entry, expects failure with `status`, `code` and
 * "第<line>行" in the message, and checks the calendar did not change. */
static void expect_load_error(const char *text, size_t len, int status, const char *code, int line)
{
    zg_calendar_t *cal;
    assert_int_equal(zg_calendar_new_empty(&cal), ZG_OK);
    assert_int_equal(zg_calendar_set_day(cal, D("2030-06-01"), ZG_DAY_WORKDAY, "原有", NULL),
                     ZG_OK);
    zg_error_t err;
    zg_error_clear(&err);
    assert_int_equal(zg_calendar_load_text(cal, text, len, &err), status);
    assert_string_equal(err.code, code);
    if (line > 0) {
        char want[32];
        snprintf(want, sizeof want, "日历数据第%d行：", line);
        if (strncmp(err.message, want, strlen(want)) != 0)
            fail_msg("message \"%s\" does not start with \"%s\"", err.message, want);
    }
    assert_int_equal(zg_calendar_count(cal), 1);
    assert_string_equal(zg_calendar_lookup(cal, D("2030-06-01"))->name, "原有");
    zg_calendar_free(cal);
}

static void test_load_text_errors(void **state)
{
    (void)state;
    const char *ok2 = "2030-01-01 holiday a\n2030-01-02 holiday b\n";
#define BAD(text, status, code, line) expect_load_error(text, strlen(text), status, code, line)
    BAD("2030-01-01 holiday\n2030-02-30 holiday\n", ZG_ERR_INVALID, "calendar_bad_date", 2);
    BAD("2030-1-01 holiday\n", ZG_ERR_INVALID, "calendar_bad_date", 1);
    BAD("# c\n\n2030/01/01 holiday\n", ZG_ERR_INVALID, "calendar_bad_date", 3);
    BAD("2030-01-01\n", ZG_ERR_INVALID, "calendar_bad_kind", 1);
    BAD("2030-01-01 Holiday\n", ZG_ERR_INVALID, "calendar_bad_kind", 1);
    BAD("2030-01-01 holidays\n", ZG_ERR_INVALID, "calendar_bad_kind", 1);
    BAD("2030-01-01 放假\n", ZG_ERR_INVALID, "calendar_bad_kind", 1);
    BAD("2030-01-01 holiday 一二三四五六七八九十一二三四五六七八九十一\n", ZG_ERR_INVALID,
        "calendar_bad_name", 1);
    BAD("2030-01-01 holiday \xE6\x98\n", ZG_ERR_INVALID, "calendar_bad_name", 1);
    /* the same date twice: reported at the later line, naming the earlier one */
    BAD("2030-01-01 holiday a\n2030-01-05 workday\n2030-01-01 holiday b\n", ZG_ERR_INVALID,
        "calendar_duplicate", 3);
    /* a NUL inside a line */
    expect_load_error("2030-01-01 holiday\n2030-01-02\0holiday\n", 38, ZG_ERR_INVALID,
                      "calendar_bad_text", 2);
#undef BAD
    /* 20-character name is the longest accepted */
    zg_calendar_t *cal;
    assert_int_equal(zg_calendar_new_empty(&cal), ZG_OK);
    zg_error_t err;
    assert_int_equal(
        load(cal, "2030-01-01 holiday 一二三四五六七八九十一二三四五六七八九十\n", &err), ZG_OK);
    assert_int_equal(load(cal, ok2, &err), ZG_OK);
    /* line length: 512 bytes accepted (a comment pads it), 513 refused */
    char line[600];
    memset(line, ' ', sizeof line);
    memcpy(line, "2030-01-03 holiday #", 20);
    memset(line + 20, 'c', 512 - 20);
    line[512] = '\n';
    assert_int_equal(zg_calendar_load_text(cal, line, 513, &err), ZG_OK);
    assert_non_null(zg_calendar_lookup(cal, D("2030-01-03")));
    memcpy(line, "2030-01-04", 10);
    line[512] = 'c';
    line[513] = '\n';
    assert_int_equal(zg_calendar_load_text(cal, line, 514, &err), ZG_ERR_TOO_LARGE);
    assert_string_equal(err.code, "calendar_line_too_long");
    assert_null(zg_calendar_lookup(cal, D("2030-01-04")));
    /* total size: 1 MiB of comments accepted, one byte more refused */
    char *big = malloc(ZG_CALENDAR_TEXT_MAX + 1);
    assert_non_null(big);
    for (size_t i = 0; i < ZG_CALENDAR_TEXT_MAX + 1; i++)
        big[i] = (i % 100 == 99) ? '\n' : '#';
    assert_int_equal(zg_calendar_load_text(cal, big, ZG_CALENDAR_TEXT_MAX, &err), ZG_OK);
    assert_int_equal(zg_calendar_load_text(cal, big, ZG_CALENDAR_TEXT_MAX + 1, &err),
                     ZG_ERR_TOO_LARGE);
    free(big);
    zg_calendar_free(cal);
}

static void test_write_text_round_trip(void **state)
{
    zg_calendar_t *cal = *state;
    zg_strbuf_t sb;
    zg_strbuf_init(&sb, NULL, 0);
    assert_int_equal(zg_calendar_write_text(cal, &sb), ZG_OK);
    assert_non_null(strstr(zg_strbuf_cstr(&sb), "2026-02-14 workday 春节\n"));
    assert_non_null(strstr(zg_strbuf_cstr(&sb), "2025-10-08 holiday 国庆节、中秋节\n"));
    zg_calendar_t *copy;
    assert_int_equal(zg_calendar_new_empty(&copy), ZG_OK);
    zg_error_t err;
    assert_int_equal(zg_calendar_load_text(copy, sb.data, sb.len, &err), ZG_OK);
    assert_int_equal(zg_calendar_count(copy), zg_calendar_count(cal));
    for (size_t i = 0; i < zg_calendar_count(cal); i++) {
        const zg_calendar_entry_t *a = zg_calendar_entry(cal, i), *b = zg_calendar_entry(copy, i);
        assert_int_equal(a->date, b->date);
        assert_int_equal(a->kind, b->kind);
        assert_string_equal(a->name, b->name);
    }
    /* an entry without a name is written without a trailing space */
    assert_int_equal(zg_calendar_set_day(copy, D("2030-01-01"), ZG_DAY_HOLIDAY, NULL, NULL), ZG_OK);
    zg_strbuf_clear(&sb);
    assert_int_equal(zg_calendar_write_text(copy, &sb), ZG_OK);
    assert_non_null(strstr(zg_strbuf_cstr(&sb), "\n2030-01-01 holiday\n"));
    /* the default text itself loads into an empty calendar */
    size_t len = 0;
    const char *text = zg_calendar_default_text(&len);
    assert_int_equal(strlen(text), len);
    zg_strbuf_free(&sb);
    zg_calendar_free(copy);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_default_counts_and_coverage, setup_default, teardown),
        cmocka_unit_test_setup_teardown(test_default_2026_spring_festival, setup_default, teardown),
        cmocka_unit_test_setup_teardown(test_default_other_boundaries, setup_default, teardown),
        cmocka_unit_test_setup_teardown(test_default_year_totals, setup_default, teardown),
        cmocka_unit_test_setup_teardown(test_nth_working_day_public_notice, setup_default,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_add_working_days, setup_default, teardown),
        cmocka_unit_test_setup_teardown(test_working_days_between, setup_default, teardown),
        cmocka_unit_test(test_null_calendar_is_weekends_only),
        cmocka_unit_test(test_set_and_clear_day),
        cmocka_unit_test(test_set_day_rejects),
        cmocka_unit_test(test_entry_limit),
        cmocka_unit_test(test_load_text_format),
        cmocka_unit_test(test_load_text_errors),
        cmocka_unit_test_setup_teardown(test_write_text_round_trip, setup_default, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
