/* test_timestamp.c — the storage timestamp format "YYYY-MM-DD HH:MM:SS" (UTC). */
#include <ctype.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "core/date.h"

static void test_timestamp_now(void **state)
{
    (void)state;
    char ts[ZG_TIMESTAMP_SIZE];
    time_t before = time(NULL);
    zg_timestamp_now(ts);
    time_t after = time(NULL);
    assert_int_equal(strlen(ts), 19);
    for (int i = 0; i < 19; i++) {
        if (i == 4 || i == 7)
            assert_int_equal(ts[i], '-');
        else if (i == 10)
            assert_int_equal(ts[i], ' ');
        else if (i == 13 || i == 16)
            assert_int_equal(ts[i], ':');
        else
            assert_true(isdigit((unsigned char)ts[i]));
    }
    /* the date part is today's UTC date */
    zg_date_t d;
    char day[ZG_DATE_STR_SIZE];
    memcpy(day, ts, 10);
    day[10] = '\0';
    assert_int_equal(zg_date_parse(day, &d), 0);
    zg_date_t lo = zg_date_from_unix((int64_t)before, 0), hi = zg_date_from_unix((int64_t)after, 0);
    assert_true(d >= lo && d <= hi);
}

static void test_timestamp_to_china(void **state)
{
    (void)state;
    char out[ZG_TIMESTAMP_SIZE];
    assert_int_equal(zg_timestamp_to_china("2026-11-23 11:09:25", out), 0);
    assert_string_equal(out, "2026-11-23 19:09:25");
    assert_int_equal(zg_timestamp_to_china("2026-12-31 15:59:59", out), 0);
    assert_string_equal(out, "2026-12-31 23:59:59");
    assert_int_equal(zg_timestamp_to_china("2026-12-31 16:00:00", out), 0); /* new year */
    assert_string_equal(out, "2027-01-01 00:00:00");
    assert_int_equal(zg_timestamp_to_china("2024-02-28 20:00:00", out), 0); /* leap day */
    assert_string_equal(out, "2024-02-29 04:00:00");
    assert_int_equal(zg_timestamp_to_china("1969-12-31 20:00:00", out), 0); /* before 1970 */
    assert_string_equal(out, "1970-01-01 04:00:00");
    const char *bad[] = {"2026-13-01 00:00:00",
                         "2026-11-23 24:00:00",
                         "2026-11-23 23:60:00",
                         "2026-11-23T11:09:25",
                         "2026-11-23 11:09",
                         "garbage",
                         ""};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(zg_timestamp_to_china(bad[i], out), -1);
    assert_int_equal(zg_timestamp_to_china(NULL, out), -1);
    assert_string_equal(out, "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_timestamp_now),
                                       cmocka_unit_test(test_timestamp_to_china)};
    return cmocka_run_group_tests_name("timestamp", tests, NULL, NULL);
}
