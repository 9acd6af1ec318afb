/* test_clock.c — the monotonic clock and cond-wait deadlines (core/clock.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <cmocka.h>

#include "core/clock.h"

static int64_t realtime_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void test_monotonic(void **state)
{
    (void)state;
    int64_t a = zg_mono_ms();
    double s = zg_mono_seconds();
    struct timespec nap = {.tv_nsec = 20 * 1000000L};
    nanosleep(&nap, NULL);
    int64_t b = zg_mono_ms();
    assert_true(b - a >= 19);
    assert_true(zg_mono_seconds() - s >= 0.019);
}

static void test_deadline(void **state)
{
    (void)state;
    int64_t cases[] = {0, 1, 999, 1000, 1500, 60000};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int64_t before = realtime_ms();
        struct timespec d = zg_deadline_ms(cases[i]);
        int64_t after = realtime_ms();
        assert_true(d.tv_nsec >= 0 && d.tv_nsec < 1000000000L); /* normalized */
        int64_t at = (int64_t)d.tv_sec * 1000 + d.tv_nsec / 1000000;
        assert_true(at >= before + cases[i] - 1);
        assert_true(at <= after + cases[i] + 1);
    }
    /* a negative wait is "now", not the past */
    int64_t before = realtime_ms();
    struct timespec d = zg_deadline_ms(-5000);
    assert_true((int64_t)d.tv_sec * 1000 + d.tv_nsec / 1000000 >= before - 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_monotonic),
                                       cmocka_unit_test(test_deadline)};
    return cmocka_run_group_tests_name("clock", tests, NULL, NULL);
}
