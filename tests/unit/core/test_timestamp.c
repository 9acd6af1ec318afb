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

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_timestamp_now)};
    return cmocka_run_group_tests_name("timestamp", tests, NULL, NULL);
}
