/* test_xlsx_date.c — Excel date serials (1900 system with the Lotus 1900-02-29, 1904 system)
 * and the date texts users type into date columns (src/xlsx/xlsx_date.c).
 * Known serials are Excel's own: 1 = 1900-01-01, 59 = 1900-02-28, 60 = the non-existent
 * 1900-02-29, 61 = 1900-03-01, 25569 = 1970-01-01, 45292 = 2024-01-01,
 * 2958465 = 9999-12-31; in the 1904 system 0 = 1904-01-01 and the serials are 1462 lower. */
#include <math.h>

#include "xlsx_test.h"

static void expect_serial(double serial, bool d1904, const char *want)
{
    zg_date_t d;
    int rc = zg_xlsx_serial_to_date(serial, d1904, &d);
    if (!want) {
        if (rc != ZG_ERR_INVALID)
            fail_msg("serial %.17g (%s) should be refused", serial, d1904 ? "1904" : "1900");
        return;
    }
    if (rc != ZG_OK)
        fail_msg("serial %.17g refused", serial);
    char buf[ZG_DATE_STR_SIZE];
    assert_int_equal(zg_date_format(d, buf), ZG_OK);
    if (strcmp(buf, want) != 0)
        fail_msg("serial %.17g (%s): %s, want %s", serial, d1904 ? "1904" : "1900", buf, want);
}

static zg_date_t ymd(int y, int m, int d)
{
    zg_date_t out;
    assert_int_equal(zg_date_from_ymd(y, m, d, &out), ZG_OK);
    return out;
}

static void test_serial_1900(void **state)
{
    (void)state;
    expect_serial(0, false, NULL); /* "1900-01-00" */
    expect_serial(1, false, "1900-01-01");
    expect_serial(59, false, "1900-02-28");
    expect_serial(60, false, NULL); /* 1900-02-29 never existed */
    expect_serial(60.5, false, NULL);
    expect_serial(61, false, "1900-03-01");
    expect_serial(25569, false, "1970-01-01");
    expect_serial(36526, false, "2000-01-01");
    expect_serial(45292, false, "2024-01-01");
    expect_serial(45351, false, "2024-02-29");
    expect_serial(45292.75, false, "2024-01-01");        /* 18:00 the same day */
    expect_serial(45292.999999995, false, "2024-01-02"); /* 23:59:59.9996 → midnight */
    expect_serial(45292.9999999, false, "2024-01-01");   /* 23:59:59.991 */
    expect_serial(2958465, false, "9999-12-31");
    expect_serial(2958466, false, NULL);
    expect_serial(-1, false, NULL);
    expect_serial(-0.5, false, NULL);
    expect_serial(NAN, false, NULL);
    expect_serial(INFINITY, false, NULL);
    expect_serial(1e300, false, NULL);
}

static void test_serial_1904(void **state)
{
    (void)state;
    expect_serial(0, true, "1904-01-01");
    expect_serial(59, true, "1904-02-29"); /* a real leap day */
    expect_serial(60, true, "1904-03-01");
    expect_serial(45292 - 1462, true, "2024-01-01");
    expect_serial(2957003, true, "9999-12-31");
    expect_serial(2957004, true, NULL);
    expect_serial(-1, true, NULL);
}

/* date → serial → date is the identity over the whole range Excel can hold. */
static void test_round_trip(void **state)
{
    (void)state;
    for (int d1904 = 0; d1904 <= 1; d1904++) {
        zg_date_t first = d1904 ? ymd(1904, 1, 1) : ymd(1900, 1, 1);
        for (zg_date_t d = first; d <= ymd(9999, 12, 31); d++) {
            double s;
            zg_date_t back;
            assert_int_equal(zg_xlsx_date_to_serial(d, d1904, &s), ZG_OK);
            if (!d1904 && s == 60)
                fail_msg("day %d became the phantom 1900-02-29", (int)d);
            assert_int_equal(zg_xlsx_serial_to_date(s, d1904, &back), ZG_OK);
            if (back != d)
                fail_msg("day %d → %.0f → %d", (int)d, s, (int)back);
        }
        double s;
        assert_int_equal(zg_xlsx_date_to_serial(first - 1, d1904, &s), ZG_ERR_INVALID);
    }
    double s;
    assert_int_equal(zg_xlsx_date_to_serial(ymd(1900, 2, 28), false, &s), ZG_OK);
    assert_true(s == 59);
    assert_int_equal(zg_xlsx_date_to_serial(ymd(1900, 3, 1), false, &s), ZG_OK);
    assert_true(s == 61);
    assert_int_equal(zg_xlsx_date_to_serial(ymd(2024, 1, 1), false, &s), ZG_OK);
    assert_true(s == 45292);
}

static void expect_cell(const char *text, bool d1904, const char *want)
{
    zg_date_t d;
    int rc = zg_xlsx_parse_date_cell(text, d1904, &d);
    if (!want) {
        if (rc != ZG_ERR_INVALID)
            fail_msg("\"%s\" should be refused", text ? text : "(null)");
        return;
    }
    if (rc != ZG_OK)
        fail_msg("\"%s\" refused", text);
    char buf[ZG_DATE_STR_SIZE];
    zg_date_format(d, buf);
    if (strcmp(buf, want) != 0)
        fail_msg("\"%s\": %s, want %s", text, buf, want);
}

static void test_parse_date_cell(void **state)
{
    (void)state;
    /* serials as Excel writes them */
    expect_cell("45292", false, "2024-01-01");
    expect_cell("45292.5", false, "2024-01-01");
    expect_cell("4.5292E4", false, "2024-01-01");
    expect_cell("4.5292e+4", false, "2024-01-01");
    expect_cell("32874", false, "1990-01-01");
    expect_cell("0", true, "1904-01-01");
    expect_cell("60", false, NULL);
    expect_cell("-1", false, NULL);
    expect_cell("1E", false, NULL);
    expect_cell(".", false, NULL);
    /* eight digits: YYYYMMDD */
    expect_cell("20240101", false, "2024-01-01");
    expect_cell("19491001", true, "1949-10-01");
    expect_cell("20240230", false, NULL);
    expect_cell("17991231", false, NULL);
    /* text */
    expect_cell("2024-01-01", false, "2024-01-01");
    expect_cell("2024-1-1", false, "2024-01-01");
    expect_cell("2024/1/1", false, "2024-01-01");
    expect_cell("2024/01/31", false, "2024-01-31");
    expect_cell("2024.3.5", false, "2024-03-05");
    expect_cell("2024年1月1日", false, "2024-01-01");
    expect_cell("1921年07月23日", false, "1921-07-23");
    expect_cell("  2024-02-29\t", false, "2024-02-29");
    expect_cell("2024-01-01 08:30", false, "2024-01-01");
    expect_cell("2024-01-01T08:30:00.000Z", false, "2024-01-01");
    expect_cell("2024-01-01T00:00:00+08:00", false, "2024-01-01");
    /* refused */
    expect_cell(NULL, false, NULL);
    expect_cell("", false, NULL);
    expect_cell("   ", false, NULL);
    expect_cell("2023-02-29", false, NULL);
    expect_cell("2024-13-01", false, NULL);
    expect_cell("2024-00-10", false, NULL);
    expect_cell("2024-1-32", false, NULL);
    expect_cell("2024/1-1", false, NULL);
    expect_cell("2024年1月1", false, NULL);
    expect_cell("2024年1-1日", false, NULL);
    expect_cell("24-1-1", false, NULL);
    expect_cell("2024-001-01", false, NULL);
    expect_cell("2024-01-01x", false, NULL);
    expect_cell("2024-01-01 ", false, "2024-01-01"); /* trailing space is trimmed */
    expect_cell("2024-01-01T", false, NULL);
    expect_cell("2024-01-01 早上", false, NULL);
    expect_cell("一九四九年十月一日", false, NULL);
    expect_cell("1799-12-31", false, NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_serial_1900),
        cmocka_unit_test(test_serial_1904),
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_parse_date_cell),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
