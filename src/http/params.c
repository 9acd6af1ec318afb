/* params.c — see params.h. */
#include "http/params.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/utf8.h"
#include "http/auth.h"

int64_t zg_req_home(const zg_req_t *r)
{
    return r->who ? r->who->home_org_id : 0;
}

static bool parse_id(const char *v, int64_t *out)
{
    char *end = NULL;
    if (!v || !*v || strlen(v) > 19 || *v == '-' || *v == '+' || *v == ' ')
        return false;
    long long n = strtoll(v, &end, 10);
    if (*end)
        return false;
    *out = n;
    return true;
}

int64_t zg_path_id(zg_req_t *r, const char *name)
{
    int64_t id = 0;
    return parse_id(zg_req_param(r, name), &id) && id > 0 ? id : 0;
}

int zg_reply_bad_param(zg_req_t *r, const char *name, const char *message)
{
    json_t *f = json_object();
    json_object_set_new(f, name, json_string(message));
    return zg_reply_error(r, 400, "invalid_fields", "提交的内容有误，请按提示修改", f);
}

bool zg_body_empty(const zg_req_t *r)
{
    return r->body.len == 0;
}

int zg_query_int(zg_req_t *r, const char *name, int64_t lo, int64_t hi, int64_t def, int64_t *out)
{
    const char *v = zg_req_query(r, name);
    if (!v || !*v) {
        *out = def;
        return 0;
    }
    char *end = NULL;
    long long n = strtoll(v, &end, 10);
    if (*end || strlen(v) > 19 || n < lo || n > hi) {
        char msg[96];
        snprintf(msg, sizeof msg, "应为 %lld 到 %lld 之间的整数", (long long)lo, (long long)hi);
        zg_reply_bad_param(r, name, msg);
        return -1;
    }
    *out = n;
    return 0;
}

int zg_query_page(zg_req_t *r, int64_t max, int64_t def, int64_t *page, int64_t *size)
{
    if (zg_query_int(r, "page", 1, 1000000, 1, page) ||
        zg_query_int(r, "page_size", 1, max, def, size))
        return -1;
    return 0;
}

int zg_query_text(zg_req_t *r, const char *name, size_t max, const char **out)
{
    const char *v = zg_req_query(r, name);
    *out = NULL;
    if (!v || !*v)
        return 0;
    size_t chars = 0;
    if (zg_utf8_strlen(v, strlen(v), &chars) || chars > max) {
        char msg[96];
        snprintf(msg, sizeof msg, "应为不超过 %zu 个字的文本", max);
        zg_reply_bad_param(r, name, msg);
        return -1;
    }
    *out = v;
    return 0;
}

int zg_query_choice(zg_req_t *r, const char *name, const char *const *allowed, const char *message,
                    const char **out)
{
    const char *v = zg_req_query(r, name);
    *out = NULL;
    if (!v || !*v)
        return 0;
    for (const char *const *a = allowed; *a; a++)
        if (!strcmp(*a, v)) {
            *out = v;
            return 0;
        }
    zg_reply_bad_param(r, name, message);
    return -1;
}

int zg_query_date(zg_req_t *r, const char *name, zg_date_t lo, zg_date_t hi, zg_date_t def,
                  zg_date_t *out)
{
    const char *v = zg_req_query(r, name);
    if (!v || !*v) {
        *out = def;
        return 0;
    }
    zg_date_t d;
    if (zg_date_parse(v, &d) || ((lo || hi) && (d < lo || d > hi))) {
        char msg[128];
        if (lo || hi) {
            char a[ZG_DATE_STR_SIZE], b[ZG_DATE_STR_SIZE];
            zg_date_format(lo, a);
            zg_date_format(hi, b);
            snprintf(msg, sizeof msg, "日期应为 YYYY-MM-DD，且在 %s 到 %s 之间", a, b);
        } else {
            snprintf(msg, sizeof msg, "日期格式应为 YYYY-MM-DD");
        }
        zg_reply_bad_param(r, name, msg);
        return -1;
    }
    *out = d;
    return 0;
}
