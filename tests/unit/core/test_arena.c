/* test_arena.c — arena allocation, alignment, cap, reset; strbuf bounds and JSON escaping. */
#include <setjmp.h>
#include <stdalign.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/arena.h"
#include "core/status.h"
#include "core/strbuf.h"

static void test_alloc_aligned_and_distinct(void **state)
{
    (void)state;
    zg_arena_t a;
    zg_arena_init(&a, 256, 0);
    char *prev = NULL;
    for (int i = 1; i < 500; i++) {
        char *p = zg_arena_alloc(&a, (size_t)(i % 37) + 1);
        assert_non_null(p);
        assert_int_equal((uintptr_t)p % alignof(max_align_t), 0);
        memset(p, 0xAB, (size_t)(i % 37) + 1);
        assert_ptr_not_equal(p, prev);
        prev = p;
    }
    /* a big allocation gets its own block and the small ones go on */
    char *big = zg_arena_alloc(&a, 100000);
    assert_non_null(big);
    memset(big, 1, 100000);
    assert_non_null(zg_arena_alloc(&a, 8));
    zg_arena_destroy(&a);
}

static void test_cap(void **state)
{
    (void)state;
    zg_arena_t a;
    zg_arena_init(&a, 1024, 64 * 1024);
    size_t total = 0;
    while (zg_arena_alloc(&a, 512))
        total += 512;
    assert_true(total > 32 * 1024);
    assert_true(total <= 64 * 1024);
    assert_true(a.used <= 64 * 1024);
    assert_null(zg_arena_alloc(&a, 100000));           /* over the cap on its own */
    assert_null(zg_arena_calloc(&a, SIZE_MAX / 2, 4)); /* overflow */
    zg_arena_reset(&a);
    assert_int_equal(a.used, 0);
    assert_non_null(zg_arena_alloc(&a, 512)); /* usable after reset */
    zg_arena_destroy(&a);
}

static void test_strings(void **state)
{
    (void)state;
    zg_arena_t a;
    zg_arena_init(&a, 0, 0);
    assert_string_equal(zg_arena_strdup(&a, "组工"), "组工");
    assert_string_equal(zg_arena_strndup(&a, "abcdef", 3), "abc");
    assert_string_equal(zg_arena_sprintf(&a, "%s-%d", "第", 7), "第-7");
    char *z = zg_arena_calloc(&a, 10, 10);
    for (int i = 0; i < 100; i++)
        assert_int_equal(z[i], 0);
    zg_arena_destroy(&a);
}

static void test_strbuf_bounds(void **state)
{
    (void)state;
    zg_strbuf_t sb;
    zg_strbuf_init(&sb, NULL, 10);
    assert_int_equal(zg_strbuf_puts(&sb, "0123456789"), 0); /* exactly the max */
    assert_int_equal(sb.len, 10);
    assert_false(sb.overflow);
    assert_int_equal(zg_strbuf_putc(&sb, 'x'), ZG_ERR_TOO_LARGE); /* max + 1 */
    assert_true(sb.overflow);
    assert_string_equal(zg_strbuf_cstr(&sb), "0123456789"); /* unchanged */
    zg_strbuf_clear(&sb);
    assert_int_equal(zg_strbuf_printf(&sb, "%d", 12345), 0);
    assert_int_equal(zg_strbuf_printf(&sb, "%s", "abcdef"), ZG_ERR_TOO_LARGE);
    assert_string_equal(zg_strbuf_cstr(&sb), "12345");
    zg_strbuf_free(&sb);

    zg_arena_t a;
    zg_arena_init(&a, 0, 0);
    zg_strbuf_init(&sb, &a, 0);
    for (int i = 0; i < 10000; i++)
        assert_int_equal(zg_strbuf_putc(&sb, (char)('a' + i % 26)), 0);
    assert_int_equal(sb.len, 10000);
    assert_int_equal(zg_strbuf_cstr(&sb)[9999], 'a' + 9999 % 26);
    zg_arena_destroy(&a);
}

static void test_strbuf_json_escape(void **state)
{
    (void)state;
    zg_strbuf_t sb;
    zg_strbuf_init(&sb, NULL, 0);
    zg_strbuf_json_string(&sb, "a\"b\\c\n\x01组");
    assert_string_equal(zg_strbuf_cstr(&sb), "\"a\\\"b\\\\c\\n\\u0001组\"");
    zg_strbuf_free(&sb);
}

static void test_error_truncates_utf8(void **state)
{
    (void)state;
    char buf[8];
    /* 3-byte characters: 7 usable bytes hold two whole ones, never a half */
    assert_int_equal(zg_utf8_copy(buf, sizeof buf, "组织工作"), 6);
    assert_string_equal(buf, "组织");
    zg_error_t e;
    char long_msg[1000];
    memset(long_msg, 'x', sizeof long_msg - 1);
    long_msg[sizeof long_msg - 1] = '\0';
    assert_int_equal(zg_error_set(&e, ZG_ERR_INVALID, "c", long_msg, "%s", long_msg),
                     ZG_ERR_INVALID);
    assert_int_equal(strlen(e.message), sizeof e.message - 1);
    assert_int_equal(strlen(e.detail), sizeof e.detail - 1);
    assert_string_equal(zg_status_name(ZG_ERR_NOT_FOUND), "not_found");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_alloc_aligned_and_distinct),
        cmocka_unit_test(test_cap),
        cmocka_unit_test(test_strings),
        cmocka_unit_test(test_strbuf_bounds),
        cmocka_unit_test(test_strbuf_json_escape),
        cmocka_unit_test(test_error_truncates_utf8),
    };
    return cmocka_run_group_tests_name("arena", tests, NULL, NULL);
}
