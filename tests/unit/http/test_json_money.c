/* test_json_money.c — money fields in request bodies (ZG_F_MONEY): integer yuan up to
 * 100,000,000,000 are taken (as fen), one more is refused, and a huge integer is refused
 * without overflowing (found by fuzz_json: 6666666666266666660 × 100). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/arena.h"
#include "http/json.h"

/* Checks {"amount": <text>}; returns the number of field errors, *fen the value. */
static int check(const char *body, int64_t *fen)
{
    zg_arena_t arena;
    zg_arena_init(&arena, 16384, 1u << 20);
    zg_json_use_arena(&arena);
    json_t *obj;
    zg_error_t err;
    assert_int_equal(zg_json_parse_object(body, strlen(body), &obj, &err), ZG_OK);
    const zg_field_t fields[] = {
        {"amount", "金额", ZG_F_MONEY, true, 0, 0, fen, NULL},
    };
    json_t *errors = json_object();
    zg_json_check(&arena, obj, fields, 1, errors);
    int n = (int)json_object_size(errors);
    json_decref(errors);
    json_decref(obj);
    zg_json_use_arena(NULL);
    zg_arena_destroy(&arena);
    return n;
}

static void test_money_bounds(void **state)
{
    (void)state;
    int64_t fen = 0;
    assert_int_equal(check("{\"amount\":3000}", &fen), 0);
    assert_int_equal(fen, 300000);
    assert_int_equal(check("{\"amount\":\"3000.01\"}", &fen), 0);
    assert_int_equal(fen, 300001);
    assert_int_equal(check("{\"amount\":100000000000}", &fen), 0);
    assert_int_equal(fen, 10000000000000LL);
    assert_int_equal(check("{\"amount\":100000000001}", &fen), 1);
    assert_int_equal(check("{\"amount\":-100000000001}", &fen), 1);
    assert_int_equal(check("{\"amount\":6666666666266666660}", &fen), 1); /* no overflow */
    assert_int_equal(check("{\"amount\":-9223372036854775807}", &fen), 1);
    assert_int_equal(check("{\"amount\":true}", &fen), 1);
}

int main(void)
{
    zg_json_install_allocator();
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_money_bounds)};
    return cmocka_run_group_tests_name("json_money", tests, NULL, NULL);
}
