/* fuzz_json.c — the JSON request path: bytes → zg_json_parse_object → zg_json_check against a
 * field list using every field type, with jansson allocating from a capped request arena, as
 * in the server. Must never crash, leak or pass the arena cap. */
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "http/json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int init;
    if (!init) {
        zg_json_install_allocator();
        init = 1;
    }
    zg_arena_t arena;
    zg_arena_init(&arena, 16384, 64u << 20);
    zg_json_use_arena(&arena);
    json_t *obj;
    zg_error_t err;
    if (zg_json_parse_object((const char *)data, size, &obj, &err) == ZG_OK) {
        const char *s = NULL;
        int64_t i = 0, money = 0;
        bool b = false, present = false;
        int32_t d = 0;
        json_t *o = NULL, *a = NULL;
        const zg_field_t fields[] = {
            {"name", "名称", ZG_F_STRING, true, 1, 50, &s, &present},
            {"count", "数量", ZG_F_INT, false, 1, 1000, &i, NULL},
            {"flag", "标志", ZG_F_BOOL, false, 0, 0, &b, NULL},
            {"date", "日期", ZG_F_DATE, false, 0, 0, &d, NULL},
            {"amount", "金额", ZG_F_MONEY, false, 0, 100000000, &money, NULL},
            {"meta", "附加", ZG_F_OBJECT, false, 0, 0, &o, NULL},
            {"items", "条目", ZG_F_ARRAY, false, 0, 100, &a, NULL},
        };
        json_t *errors = json_object();
        zg_json_check(&arena, obj, fields, 7, errors);
        char *dump = json_dumps(errors, JSON_COMPACT);
        (void)dump; /* lives in the arena */
        json_decref(errors);
        json_decref(obj);
    }
    zg_json_use_arena(NULL);
    zg_arena_destroy(&arena);
    return 0;
}
