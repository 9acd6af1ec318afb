/* test_validate.c — identity numbers, mobile numbers and money (src/core/validate.c).
 * Check characters are computed here with an independent formula: ISO 7064 MOD 11-2 with
 * weights 2^(17-i) mod 11 and check value (12 - sum mod 11) mod 11 (10 written X), and the
 * two examples printed in GB 11643-1999 itself (11010519491231002X, 440524188001010014). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "core/date.h"
#include "core/status.h"
#include "core/validate.h"

/* ---- identity numbers ------------------------------------------------------------------- */

static char ref_check_char(const char *s17)
{
    int sum = 0, w = 1;
    int weights[17];
    for (int i = 16; i >= 0; i--) { /* weight of position i (0-based) is 2^(17-i) mod 11 */
        w = w * 2 % 11;
        weights[i] = w;
    }
    for (int i = 0; i < 17; i++)
        sum += (s17[i] - '0') * weights[i];
    int v = (12 - sum % 11) % 11;
    return v == 10 ? 'X' : (char)('0' + v);
}

/* Builds a full 18-character number from 17 digits, with the right check character. */
static void make_id(const char *s17, char out[19])
{
    memcpy(out, s17, 17);
    out[17] = ref_check_char(s17);
    out[18] = '\0';
}

static zg_date_t D(const char *s)
{
    zg_date_t d = 0;
    assert_int_equal(zg_date_parse(s, &d), ZG_OK);
    return d;
}

/* Checks `id` as of 2026-03-01; asserts the status and, on failure, the error code. */
static void expect_id(const char *id, int status, const char *code)
{
    zg_error_t err;
    zg_error_clear(&err);
    zg_idnum_info_t info;
    int rc = zg_idnum_check_at(id, D("2026-03-01"), &info, &err);
    if (rc != status)
        fail_msg("%s: got %d want %d (%s)", id ? id : "(null)", rc, status, err.code);
    if (code)
        assert_string_equal(err.code, code);
}

static void test_idnum_standard_examples(void **state)
{
    (void)state;
    zg_idnum_info_t info;
    zg_error_t err;
    assert_int_equal(zg_idnum_check("11010519491231002X", &info, &err), ZG_OK);
    assert_string_equal(info.normalized, "11010519491231002X");
    assert_string_equal(info.region, "110105");
    assert_int_equal(info.province, 11);
    assert_int_equal(info.birth, D("1949-12-31"));
    assert_int_equal(info.gender, ZG_GENDER_FEMALE); /* 17th digit 2 */
    /* the standard's other example is valid but born in 1880: before our 1900 limit */
    expect_id("440524188001010014", ZG_ERR_INVALID, "idnum_birth");
    /* its check character is nonetheless right */
    assert_int_equal(zg_idnum_check_char("44052418800101001"), '4');
    assert_int_equal(zg_idnum_check_char("11010519491231002"), 'X');
}

static void test_idnum_lowercase_x(void **state)
{
    (void)state;
    zg_idnum_info_t info;
    assert_int_equal(zg_idnum_check_at("11010519491231002x", D("2026-03-01"), &info, NULL), ZG_OK);
    assert_string_equal(info.normalized, "11010519491231002X");
}

static void test_idnum_check_character(void **state)
{
    (void)state;
    /* exactly one of the 11 possible last characters is accepted */
    const char *s17 = "11010519491231002";
    const char *chars = "0123456789X";
    int accepted = 0;
    for (int i = 0; i < 11; i++) {
        char id[19];
        memcpy(id, s17, 17);
        id[17] = chars[i];
        id[18] = '\0';
        zg_error_t err;
        int rc = zg_idnum_check_at(id, D("2026-03-01"), NULL, &err);
        if (rc == ZG_OK) {
            accepted++;
            assert_int_equal(chars[i], 'X');
        } else {
            assert_string_equal(err.code, "idnum_checksum");
            assert_string_equal(err.message, "身份证号校验码错误");
        }
    }
    assert_int_equal(accepted, 1);
    /* the library's check character agrees with the reference formula on many inputs */
    uint32_t x = 12345;
    for (int n = 0; n < 20000; n++) {
        char s[18];
        for (int i = 0; i < 17; i++) {
            x = x * 1103515245u + 12345u;
            s[i] = (char)('0' + (x >> 16) % 10);
        }
        s[17] = '\0';
        if (zg_idnum_check_char(s) != ref_check_char(s))
            fail_msg("check char of %s", s);
    }
    assert_int_equal(zg_idnum_check_char("1101051949123100a"), 0);
}

static void test_idnum_length_and_chars(void **state)
{
    (void)state;
    expect_id("11010519491231002", ZG_ERR_INVALID, "idnum_length");   /* 17 */
    expect_id("11010519491231002X1", ZG_ERR_INVALID, "idnum_length"); /* 19 */
    expect_id("", ZG_ERR_INVALID, "idnum_length");
    expect_id(NULL, ZG_ERR_INVALID, "idnum_length");
    expect_id(" 11010519491231002", ZG_ERR_INVALID, "idnum_chars"); /* 18 with a space */
    expect_id("1101051949123100AX", ZG_ERR_INVALID, "idnum_chars");
    expect_id("X10105194912310021", ZG_ERR_INVALID, "idnum_chars");
    expect_id("11010519491231002Y", ZG_ERR_INVALID, "idnum_chars");
    zg_error_t err;
    zg_idnum_check_at("11010519491231002", D("2026-03-01"), NULL, &err);
    assert_string_equal(err.message, "身份证号应为18位");
    /* 18 bytes of UTF-8 are not 18 digits */
    expect_id("一二三四五六", ZG_ERR_INVALID, "idnum_chars");
}

static void test_idnum_birth_date(void **state)
{
    (void)state;
    char id[19];
    make_id("11010519490230002", id); /* 30 February */
    expect_id(id, ZG_ERR_INVALID, "idnum_birth");
    zg_error_t err;
    zg_idnum_check_at(id, D("2026-03-01"), NULL, &err);
    assert_string_equal(err.message, "身份证号中的出生日期无效");
    make_id("11010520230229002", id); /* 2023 is not a leap year */
    expect_id(id, ZG_ERR_INVALID, "idnum_birth");
    make_id("11010520240229002", id); /* 2024 is */
    expect_id(id, ZG_OK, NULL);
    make_id("11010519491301002", id); /* month 13 */
    expect_id(id, ZG_ERR_INVALID, "idnum_birth");
    make_id("11010519491200002", id); /* day 0 */
    expect_id(id, ZG_ERR_INVALID, "idnum_birth");
    /* lower bound 1900-01-01 */
    make_id("11010519000101001", id);
    expect_id(id, ZG_OK, NULL);
    make_id("11010518991231001", id);
    expect_id(id, ZG_ERR_INVALID, "idnum_birth");
    /* upper bound: today (2026-03-01 in expect_id) is accepted, tomorrow is not */
    make_id("11010520260301001", id);
    expect_id(id, ZG_OK, NULL);
    make_id("11010520260302001", id);
    expect_id(id, ZG_ERR_INVALID, "idnum_birth");
}

static void test_idnum_region(void **state)
{
    (void)state;
    struct {
        const char *prefix;
        int ok;
    } cases[] = {
        {"10", 0}, {"11", 1}, {"15", 1}, {"16", 0}, {"20", 0}, {"21", 1}, {"23", 1},
        {"24", 0}, {"30", 0}, {"31", 1}, {"37", 1}, {"38", 0}, {"40", 0}, {"41", 1},
        {"46", 1}, {"47", 0}, {"49", 0}, {"50", 1}, {"54", 1}, {"55", 0}, {"60", 0},
        {"61", 1}, {"65", 1}, {"66", 0}, {"70", 0}, {"71", 1}, {"72", 0}, {"80", 0},
        {"81", 1}, {"82", 1}, {"83", 0}, {"91", 0}, {"00", 0}, {"99", 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char s17[18], id[19];
        snprintf(s17, sizeof s17, "%s010519491231001", cases[i].prefix);
        make_id(s17, id);
        if (cases[i].ok)
            expect_id(id, ZG_OK, NULL);
        else
            expect_id(id, ZG_ERR_INVALID, "idnum_region");
    }
}

static void test_idnum_gender(void **state)
{
    (void)state;
    for (int digit = 0; digit <= 9; digit++) {
        char s17[18], id[19];
        snprintf(s17, sizeof s17, "3201021985061500%d", digit);
        make_id(s17, id);
        zg_idnum_info_t info;
        assert_int_equal(zg_idnum_check_at(id, D("2026-03-01"), &info, NULL), ZG_OK);
        assert_int_equal(info.gender, digit % 2 ? ZG_GENDER_MALE : ZG_GENDER_FEMALE);
        assert_int_equal(info.province, 32);
        assert_string_equal(info.region, "320102");
        assert_int_equal(info.birth, D("1985-06-15"));
    }
}

static void test_idnum_mask(void **state)
{
    (void)state;
    char out[ZG_IDNUM_LEN + 1];
    assert_int_equal(zg_idnum_mask("110105194912311234", out), ZG_OK);
    assert_string_equal(out, "110105********1234");
    assert_int_equal(zg_idnum_mask("11010519491231002X", out), ZG_OK);
    assert_string_equal(out, "110105********002X");
    assert_int_equal(zg_idnum_mask("11010519491231002", out), ZG_ERR_INVALID);
    assert_string_equal(out, "");
    assert_int_equal(zg_idnum_mask("11010519491231002XX", out), ZG_ERR_INVALID);
    assert_int_equal(zg_idnum_mask(NULL, out), ZG_ERR_INVALID);
}

/* ---- mobile numbers --------------------------------------------------------------------- */

static void test_phone(void **state)
{
    (void)state;
    zg_error_t err;
    assert_int_equal(zg_phone_check("13812345678", &err), ZG_OK);
    assert_int_equal(zg_phone_check("13000000000", &err), ZG_OK); /* second digit 3: lowest */
    assert_int_equal(zg_phone_check("19999999999", &err), ZG_OK); /* second digit 9: highest */
    assert_int_equal(zg_phone_check("12345678901", &err), ZG_ERR_INVALID); /* second digit 2 */
    assert_string_equal(err.code, "phone_invalid");
    assert_int_equal(zg_phone_check("10345678901", &err), ZG_ERR_INVALID);
    assert_int_equal(zg_phone_check("23812345678", &err), ZG_ERR_INVALID);  /* not 1 */
    assert_int_equal(zg_phone_check("1381234567", &err), ZG_ERR_INVALID);   /* 10 digits */
    assert_int_equal(zg_phone_check("138123456789", &err), ZG_ERR_INVALID); /* 12 digits */
    assert_int_equal(zg_phone_check("1381234567a", &err), ZG_ERR_INVALID);
    assert_int_equal(zg_phone_check("138 1234 5678", &err), ZG_ERR_INVALID);
    assert_int_equal(zg_phone_check("+8613812345678", &err), ZG_ERR_INVALID);
    assert_int_equal(zg_phone_check("", &err), ZG_ERR_INVALID);
    assert_int_equal(zg_phone_check(NULL, &err), ZG_ERR_INVALID);
    assert_int_equal(zg_phone_check("13812345678", NULL), ZG_OK);
    char out[ZG_PHONE_LEN + 1];
    assert_int_equal(zg_phone_mask("13812345678", out), ZG_OK);
    assert_string_equal(out, "138****5678");
    assert_int_equal(zg_phone_mask("1381234567", out), ZG_ERR_INVALID);
    assert_string_equal(out, "");
    assert_int_equal(zg_phone_mask("138123456789", out), ZG_ERR_INVALID);
}

/* ---- money ------------------------------------------------------------------------------ */

static int64_t money(const char *s)
{
    int64_t fen = 12345;
    zg_error_t err;
    int rc = zg_money_parse(s, &fen, &err);
    if (rc != ZG_OK)
        fail_msg("\"%s\" rejected: %s", s, err.message);
    return fen;
}

static void test_money_parse(void **state)
{
    (void)state;
    assert_int_equal(money("3000"), 300000);
    assert_int_equal(money("3000.0"), 300000);
    assert_int_equal(money("3000.01"), 300001);
    assert_int_equal(money("3000.1"), 300010);
    assert_int_equal(money("3000.10"), 300010);
    assert_int_equal(money("0"), 0);
    assert_int_equal(money("0.01"), 1);
    assert_int_equal(money("0.2"), 20); /* the 0.2 yuan monthly dues of RULES.md §4 */
    assert_int_equal(money("-0.01"), -1);
    assert_int_equal(money("-3000.5"), -300050);
    assert_int_equal(money("-0"), 0);
    assert_int_equal(money("007.50"), 750);
    const char *bad[] = {"",     "-",    "+1",    ".5",   "5.", "1.234", "1.000",
                         "1e3",  "1E3",  "1,000", " 1",   "1 ", "1.2.3", "--1",
                         "0x10", "1.-1", "-.5",   "1.5-", "¥1", "１０"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int64_t fen = 777;
        zg_error_t err;
        if (zg_money_parse(bad[i], &fen, &err) != ZG_ERR_INVALID)
            fail_msg("accepted \"%s\"", bad[i]);
        assert_string_equal(err.code, "money_format");
        assert_int_equal(fen, 777);
    }
    int64_t fen;
    assert_int_equal(zg_money_parse(NULL, &fen, NULL), ZG_ERR_INVALID);
}

static void test_money_bounds(void **state)
{
    (void)state;
    /* 10^13 fen = 10^11 yuan is the largest magnitude */
    assert_int_equal(money("100000000000"), 10000000000000LL);
    assert_int_equal(money("100000000000.00"), 10000000000000LL);
    assert_int_equal(money("-100000000000"), -10000000000000LL);
    assert_int_equal(money("99999999999.99"), 9999999999999LL);
    const char *over[] = {"100000000000.01", "-100000000000.01", "100000000001",
                          "99999999999999999999999999", "-9223372036854775808"};
    for (size_t i = 0; i < sizeof over / sizeof over[0]; i++) {
        int64_t fen;
        zg_error_t err;
        assert_int_equal(zg_money_parse(over[i], &fen, &err), ZG_ERR_INVALID);
        assert_string_equal(err.code, "money_range");
        assert_string_equal(err.message, "金额超出范围");
    }
}

static void test_money_format(void **state)
{
    (void)state;
    char buf[ZG_MONEY_STR_SIZE];
    struct {
        int64_t fen;
        const char *want;
    } cases[] = {
        {300001, "3000.01"},
        {300000, "3000.00"},
        {0, "0.00"},
        {5, "0.05"},
        {50, "0.50"},
        {-5, "-0.05"},
        {-300050, "-3000.50"},
        {10000000000000LL, "100000000000.00"},
        {INT64_MAX, "92233720368547758.07"},
        {INT64_MIN, "-92233720368547758.08"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int n = zg_money_format(cases[i].fen, buf);
        assert_string_equal(buf, cases[i].want);
        assert_int_equal(n, (int)strlen(cases[i].want));
    }
    /* format then parse gives the amount back, against snprintf as the reference */
    for (int64_t fen = -100000; fen <= 100000; fen += 7) {
        zg_money_format(fen, buf);
        char ref[32];
        int64_t mag = fen < 0 ? -fen : fen;
        snprintf(ref, sizeof ref, "%s%lld.%02lld", fen < 0 ? "-" : "", (long long)(mag / 100),
                 (long long)(mag % 100));
        assert_string_equal(buf, ref);
        assert_int_equal(money(buf), fen);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_idnum_standard_examples),
        cmocka_unit_test(test_idnum_lowercase_x),
        cmocka_unit_test(test_idnum_check_character),
        cmocka_unit_test(test_idnum_length_and_chars),
        cmocka_unit_test(test_idnum_birth_date),
        cmocka_unit_test(test_idnum_region),
        cmocka_unit_test(test_idnum_gender),
        cmocka_unit_test(test_idnum_mask),
        cmocka_unit_test(test_phone),
        cmocka_unit_test(test_money_parse),
        cmocka_unit_test(test_money_bounds),
        cmocka_unit_test(test_money_format),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
