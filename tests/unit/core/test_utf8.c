/* test_utf8.c — strict UTF-8 validation and character counting (src/core/utf8.c).
 * Expected results come from the Unicode Standard's well-formedness table (Table 3-7) and
 * from an independent encoder written here, checked over every 2- and 3-byte sequence and
 * every 4-byte encoding of a code point. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/status.h"
#include "core/utf8.h"

static bool valid(const char *s)
{
    return zg_utf8_valid(s, strlen(s));
}

/* Independent encoder: the UTF-8 bytes of code point cp (no checks). Returns the length. */
static size_t encode(uint32_t cp, unsigned char *b)
{
    if (cp < 0x80) {
        b[0] = (unsigned char)cp;
        return 1;
    }
    if (cp < 0x800) {
        b[0] = (unsigned char)(0xC0 | cp >> 6);
        b[1] = (unsigned char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        b[0] = (unsigned char)(0xE0 | cp >> 12);
        b[1] = (unsigned char)(0x80 | (cp >> 6 & 0x3F));
        b[2] = (unsigned char)(0x80 | (cp & 0x3F));
        return 3;
    }
    b[0] = (unsigned char)(0xF0 | cp >> 18);
    b[1] = (unsigned char)(0x80 | (cp >> 12 & 0x3F));
    b[2] = (unsigned char)(0x80 | (cp >> 6 & 0x3F));
    b[3] = (unsigned char)(0x80 | (cp & 0x3F));
    return 4;
}

static void test_ascii_and_chinese(void **state)
{
    (void)state;
    assert_true(valid(""));
    assert_true(zg_utf8_valid(NULL, 0));
    assert_false(zg_utf8_valid(NULL, 1));
    assert_true(valid("hello"));
    assert_true(valid("党支部"));           /* three 3-byte characters */
    assert_true(valid("\xF0\x9F\x98\x80")); /* U+1F600, 4 bytes */
    /* NUL bytes are well-formed UTF-8 and are counted by length, not terminator */
    assert_true(zg_utf8_valid("a\0b", 3));
}

static void test_strlen_counts_characters(void **state)
{
    (void)state;
    size_t n = 99;
    assert_int_equal(zg_utf8_strlen("", 0, &n), ZG_OK);
    assert_int_equal(n, 0);
    assert_int_equal(zg_utf8_strlen("abc", 3, &n), ZG_OK);
    assert_int_equal(n, 3);
    const char *s = "中国共产党"; /* 5 characters, 15 bytes */
    assert_int_equal(strlen(s), 15);
    assert_int_equal(zg_utf8_strlen(s, strlen(s), &n), ZG_OK);
    assert_int_equal(n, 5);
    const char *mixed = "a党\xF0\x9F\x98\x80"
                        "b"; /* 1 + 3 + 4 + 1 bytes, 4 characters */
    assert_int_equal(zg_utf8_strlen(mixed, strlen(mixed), &n), ZG_OK);
    assert_int_equal(n, 4);
    /* invalid input: error, out unchanged */
    n = 77;
    assert_int_equal(zg_utf8_strlen("\xFF", 1, &n), ZG_ERR_INVALID);
    assert_int_equal(n, 77);
    assert_int_equal(zg_utf8_strlen("abc", 3, NULL), ZG_ERR_INVALID);
}

static void test_truncated_sequences(void **state)
{
    (void)state;
    /* "党" is E5 85 9A: every proper prefix is ill-formed */
    assert_true(zg_utf8_valid("\xE5\x85\x9A", 3));
    assert_false(zg_utf8_valid("\xE5\x85\x9A", 2));
    assert_false(zg_utf8_valid("\xE5\x85\x9A", 1));
    assert_false(zg_utf8_valid("\xF0\x9F\x98\x80", 3));
    /* a lone continuation byte */
    assert_false(valid("\x80"));
    assert_false(valid("a\xBF"));
}

static void test_boundaries_of_each_length(void **state)
{
    (void)state;
    /* 1 byte: up to 7F */
    assert_true(valid("\x7F"));
    /* 2 bytes: C2 80 (U+0080) valid; C1 BF (overlong U+007F) invalid */
    assert_true(valid("\xC2\x80"));
    assert_false(valid("\xC1\xBF"));
    assert_false(valid("\xC0\x80")); /* overlong NUL */
    assert_true(valid("\xDF\xBF"));  /* U+07FF */
    /* 3 bytes: E0 A0 80 (U+0800) valid; E0 9F BF (overlong U+07FF) invalid */
    assert_true(valid("\xE0\xA0\x80"));
    assert_false(valid("\xE0\x9F\xBF"));
    /* surrogates: ED 9F BF (U+D7FF) valid; ED A0 80 (U+D800) and ED BF BF (U+DFFF) invalid;
     * EE 80 80 (U+E000) valid */
    assert_true(valid("\xED\x9F\xBF"));
    assert_false(valid("\xED\xA0\x80"));
    assert_false(valid("\xED\xBF\xBF"));
    assert_true(valid("\xEE\x80\x80"));
    assert_true(valid("\xEF\xBF\xBF")); /* U+FFFF */
    /* 4 bytes: F0 90 80 80 (U+10000) valid; F0 8F BF BF (overlong U+FFFF) invalid */
    assert_true(valid("\xF0\x90\x80\x80"));
    assert_false(valid("\xF0\x8F\xBF\xBF"));
    /* top: F4 8F BF BF (U+10FFFF) valid; F4 90 80 80 (U+110000) invalid; F5.. never */
    assert_true(valid("\xF4\x8F\xBF\xBF"));
    assert_false(valid("\xF4\x90\x80\x80"));
    assert_false(valid("\xF5\x80\x80\x80"));
    assert_false(valid("\xFE"));
    assert_false(valid("\xFF"));
    /* a continuation byte replaced by ASCII */
    assert_false(valid("\xE5\x41\x9A"));
    assert_false(valid("\xE5\x85\x41"));
}

/* Every 2-byte and 3-byte sequence is valid exactly when it is the encoding of a code point
 * of that length (3 bytes: not a surrogate). */
static void test_exhaustive_2_and_3_bytes(void **state)
{
    (void)state;
    /* Mark the encodings produced by the independent encoder. */
    unsigned char *is_enc3 = calloc(1u << 24, 1);
    assert_non_null(is_enc3);
    unsigned char is_enc2[1u << 16] = {0};
    for (uint32_t cp = 0x80; cp < 0x10000; cp++) {
        unsigned char b[4];
        size_t n = encode(cp, b);
        if (n == 2)
            is_enc2[b[0] << 8 | b[1]] = 1;
        else if (cp < 0xD800 || cp > 0xDFFF)
            is_enc3[(uint32_t)b[0] << 16 | b[1] << 8 | b[2]] = 1;
    }
    for (uint32_t v = 0x8000; v < 0x10000; v++) { /* first byte >= 0x80 */
        char s[2] = {(char)(v >> 8), (char)v};
        if (zg_utf8_valid(s, 2) != (is_enc2[v] == 1))
            fail_msg("2-byte %04x", (unsigned)v);
    }
    for (uint32_t v = 0xE00000; v < 0xF00000; v++) { /* first byte E0..EF */
        char s[3] = {(char)(v >> 16), (char)(v >> 8), (char)v};
        if (zg_utf8_valid(s, 3) != (is_enc3[v] == 1))
            fail_msg("3-byte %06x", (unsigned)v);
    }
    free(is_enc3);
}

/* Every code point's encoding is valid (surrogates aside) and counts as one character. */
static void test_every_code_point(void **state)
{
    (void)state;
    for (uint32_t cp = 0; cp <= 0x10FFFF; cp++) {
        unsigned char b[4];
        size_t n = encode(cp, b);
        bool expect = cp < 0xD800 || cp > 0xDFFF;
        if (zg_utf8_valid((const char *)b, n) != expect)
            fail_msg("U+%04X", (unsigned)cp);
        size_t chars = 0;
        if (expect && (zg_utf8_strlen((const char *)b, n, &chars) != ZG_OK || chars != 1))
            fail_msg("strlen U+%04X", (unsigned)cp);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ascii_and_chinese),
        cmocka_unit_test(test_strlen_counts_characters),
        cmocka_unit_test(test_truncated_sequences),
        cmocka_unit_test(test_boundaries_of_each_length),
        cmocka_unit_test(test_exhaustive_2_and_3_bytes),
        cmocka_unit_test(test_every_code_point),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
