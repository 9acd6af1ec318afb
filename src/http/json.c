/* json.c — strict JSON body reading and the arena allocator for jansson. */
#include "http/json.h"

#include <stdalign.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/date.h"
#include "core/utf8.h"
#include "core/validate.h"

/* ---- allocator ------------------------------------------------------------------------- */

/* Each block carries a header saying where it came from, so json_decref on a value made
 * outside any request (malloc) still frees it, and on a request value does nothing. */
typedef union {
    max_align_t align;
    struct {
        unsigned magic;
        unsigned from_arena;
    } h;
} hdr_t;

#define HDR_MAGIC 0x7a67a11cu

static _Thread_local zg_arena_t *tl_arena;

static void *arena_malloc(size_t n)
{
    if (n > SIZE_MAX - sizeof(hdr_t))
        return NULL;
    hdr_t *h;
    if (tl_arena) {
        h = zg_arena_alloc(tl_arena, sizeof *h + n);
        if (!h)
            return NULL;
        h->h.from_arena = 1;
    } else {
        h = malloc(sizeof *h + n);
        if (!h)
            return NULL;
        h->h.from_arena = 0;
    }
    h->h.magic = HDR_MAGIC;
    return h + 1;
}

static void arena_free(void *p)
{
    if (!p)
        return;
    hdr_t *h = (hdr_t *)p - 1;
    if (!h->h.from_arena)
        free(h);
}

void zg_json_install_allocator(void)
{
    static int done;
    if (!done) {
        json_set_alloc_funcs(arena_malloc, arena_free);
        done = 1;
    }
}

void zg_json_use_arena(zg_arena_t *a)
{
    tl_arena = a;
}

/* ---- body ------------------------------------------------------------------------------ */

int zg_json_body(zg_req_t *r, json_t **out)
{
    const char *ct = zg_req_header(r, "Content-Type");
    if (!ct || strncasecmp(ct, "application/json", 16) != 0 ||
        (ct[16] != '\0' && ct[16] != ';' && ct[16] != ' ')) {
        zg_reply_error(r, 415, "unsupported_media_type", "请求内容类型应为 application/json", NULL);
        return ZG_ERR_INVALID;
    }
    zg_error_t err;
    if (zg_json_parse_object(r->body.data, r->body.len, out, &err) != ZG_OK) {
        zg_reply_error(r, 400, err.code, err.message, NULL);
        return ZG_ERR_INVALID;
    }
    return ZG_OK;
}

int zg_json_parse_object(const char *data, size_t len, json_t **out, zg_error_t *err)
{
    if (len == 0)
        return zg_error_set(err, ZG_ERR_INVALID, "empty_body", "请求内容为空", "empty body");
    if (!zg_utf8_valid(data, len))
        return zg_error_set(err, ZG_ERR_INVALID, "invalid_json", "请求内容不是有效的 UTF-8 文本",
                            "body is not UTF-8");
    json_error_t jerr;
    json_t *root = json_loadb(data, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!root) {
        char msg[160];
        snprintf(msg, sizeof msg, "请求内容不是有效的 JSON（第 %d 行第 %d 列）", jerr.line,
                 jerr.column);
        return zg_error_set(err, ZG_ERR_INVALID, "invalid_json", msg, "json: %s", jerr.text);
    }
    if (!json_is_object(root)) {
        json_decref(root);
        return zg_error_set(err, ZG_ERR_INVALID, "invalid_json", "请求内容应为 JSON 对象",
                            "body is not an object");
    }
    *out = root;
    return ZG_OK;
}

/* ---- fields ---------------------------------------------------------------------------- */

static const zg_field_t *find_field(const zg_field_t *f, int n, const char *name)
{
    for (int i = 0; i < n; i++)
        if (!strcmp(f[i].name, name))
            return &f[i];
    return NULL;
}

static void add_err(json_t *errors, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void add_err(json_t *errors, const char *name, const char *fmt, ...)
{
    if (!errors || json_object_get(errors, name))
        return;
    char msg[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    json_object_set_new(errors, name, json_string(msg));
}

/* Validates one present, non-null value. Returns 1 if bad. */
static int check_one(zg_arena_t *arena, const zg_field_t *f, json_t *v, json_t *errors)
{
    const char *label = f->label ? f->label : f->name;
    switch (f->type) {
    case ZG_F_STRING: {
        if (!json_is_string(v)) {
            add_err(errors, f->name, "%s应为文本", label);
            return 1;
        }
        const char *s = json_string_value(v);
        size_t len = json_string_length(v);
        size_t chars = 0;
        if (memchr(s, '\0', len) || zg_utf8_strlen(s, len, &chars) != 0) {
            add_err(errors, f->name, "%s含有无效字符", label);
            return 1;
        }
        if (f->max && (int64_t)chars > f->max) {
            add_err(errors, f->name, "%s不能超过 %lld 个字", label, (long long)f->max);
            return 1;
        }
        if ((int64_t)chars < f->min) {
            if (f->min == 1)
                add_err(errors, f->name, "%s不能为空", label);
            else
                add_err(errors, f->name, "%s至少 %lld 个字", label, (long long)f->min);
            return 1;
        }
        if (f->out) {
            char *copy = zg_arena_strndup(arena, s, len);
            if (!copy)
                return -1;
            *(const char **)f->out = copy;
        }
        return 0;
    }
    case ZG_F_INT: {
        if (!json_is_integer(v)) {
            add_err(errors, f->name, "%s应为整数", label);
            return 1;
        }
        json_int_t n = json_integer_value(v);
        if ((f->min || f->max) && (n < f->min || n > f->max)) {
            add_err(errors, f->name, "%s应在 %lld 到 %lld 之间", label, (long long)f->min,
                    (long long)f->max);
            return 1;
        }
        if (f->out)
            *(int64_t *)f->out = n;
        return 0;
    }
    case ZG_F_BOOL:
        if (!json_is_boolean(v)) {
            add_err(errors, f->name, "%s应为 true 或 false", label);
            return 1;
        }
        if (f->out)
            *(bool *)f->out = json_is_true(v);
        return 0;
    case ZG_F_DATE: {
        zg_date_t d;
        if (!json_is_string(v) || json_string_length(v) != 10 ||
            zg_date_parse(json_string_value(v), &d) != 0) {
            add_err(errors, f->name, "%s应为有效日期，格式为 YYYY-MM-DD", label);
            return 1;
        }
        if ((f->min || f->max) && (d < f->min || d > f->max)) {
            char lo[ZG_DATE_STR_SIZE], hi[ZG_DATE_STR_SIZE], msg[256];
            zg_date_format((zg_date_t)f->min, lo);
            zg_date_format((zg_date_t)f->max, hi);
            snprintf(msg, sizeof msg, "%s应在 %s 到 %s 之间", label, lo, hi);
            if (errors)
                json_object_set_new(errors, f->name, json_string(msg));
            return 1;
        }
        if (f->out)
            *(int32_t *)f->out = d;
        return 0;
    }
    case ZG_F_MONEY: {
        int64_t fen;
        int bad;
        if (json_is_integer(v)) {
            json_int_t y = json_integer_value(v);
            bad = y > 100000000000LL || y < -100000000000LL;
            fen = bad ? 0 : (int64_t)y * 100; /* no overflow: checked first (fuzz_json) */
        } else if (json_is_string(v)) {
            bad = zg_money_parse(json_string_value(v), &fen, NULL) != 0;
        } else {
            bad = 1;
            fen = 0;
        }
        if (bad) {
            add_err(errors, f->name, "%s应为金额（元），最多两位小数", label);
            return 1;
        }
        if ((f->min || f->max) && (fen < f->min || fen > f->max)) {
            char lo[ZG_MONEY_STR_SIZE], hi[ZG_MONEY_STR_SIZE], msg[256];
            zg_money_format(f->min, lo);
            zg_money_format(f->max, hi);
            snprintf(msg, sizeof msg, "%s应在 %s 到 %s 元之间", label, lo, hi);
            if (errors)
                json_object_set_new(errors, f->name, json_string(msg));
            return 1;
        }
        if (f->out)
            *(int64_t *)f->out = fen;
        return 0;
    }
    case ZG_F_OBJECT:
        if (!json_is_object(v)) {
            add_err(errors, f->name, "%s应为对象", label);
            return 1;
        }
        if (f->out)
            *(json_t **)f->out = v;
        return 0;
    case ZG_F_ARRAY: {
        if (!json_is_array(v)) {
            add_err(errors, f->name, "%s应为列表", label);
            return 1;
        }
        size_t n = json_array_size(v);
        if ((f->max && (int64_t)n > f->max) || (int64_t)n < f->min) {
            add_err(errors, f->name, "%s的条目数应在 %lld 到 %lld 之间", label, (long long)f->min,
                    (long long)f->max);
            return 1;
        }
        if (f->out)
            *(json_t **)f->out = v;
        return 0;
    }
    }
    return 1;
}

int zg_json_check(zg_arena_t *arena, json_t *obj, const zg_field_t *fields, int nfields,
                  json_t *errors)
{
    int bad = 0;
    const char *key;
    json_t *v;
    json_object_foreach(obj, key, v)
    {
        if (!find_field(fields, nfields, key)) {
            bad++;
            if (errors && json_object_size(errors) < 32) {
                /* names are echoed back: cut them so the error body stays small */
                char name[65];
                zg_utf8_copy(name, sizeof name, key);
                json_object_set_new(errors, name, json_string("不允许的字段"));
            }
        }
    }
    for (int i = 0; i < nfields; i++) {
        const zg_field_t *f = &fields[i];
        v = json_object_get(obj, f->name);
        bool present = v && !json_is_null(v);
        if (f->present)
            *f->present = present;
        if (!present) {
            if (f->required) {
                bad++;
                add_err(errors, f->name, "%s为必填项", f->label ? f->label : f->name);
            }
            continue;
        }
        int rc = check_one(arena, f, v, errors);
        if (rc < 0)
            return -1;
        bad += rc;
    }
    return bad;
}

int zg_json_fields(zg_req_t *r, json_t *obj, const zg_field_t *fields, int nfields)
{
    json_t *errors = json_object();
    int bad = zg_json_check(&r->arena, obj, fields, nfields, errors);
    if (bad == 0) {
        json_decref(errors);
        return ZG_OK;
    }
    if (bad < 0) {
        json_decref(errors);
        zg_reply_error(r, 503, "no_memory", "服务器内存不足，请稍后重试", NULL);
        return ZG_ERR_NOMEM;
    }
    zg_reply_error(r, 400, "invalid_fields", "提交的内容有误，请按提示修改", errors);
    return ZG_ERR_INVALID;
}

int zg_json_read(zg_req_t *r, const zg_field_t *fields, int nfields)
{
    json_t *obj;
    int rc = zg_json_body(r, &obj);
    if (rc)
        return rc;
    return zg_json_fields(r, obj, fields, nfields);
}
