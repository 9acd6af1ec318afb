/* member_api.c — HTTP handlers of the member module (docs/api-members.md): parse, call
 * member.c, render. Routes need member:read or member:write; every route whose path names a
 * member declares .scope with the member's org, and every route whose path names an org
 * declares the org scope, so the server answers 404 with no data outside the caller's subtree
 * before a handler runs. Org ids from bodies and query strings are checked with
 * zg_scope_require; the logic checks scope again.
 *
 * Personal data: the ID number and phone come back in clear only to holders of
 * member:read_pii; everyone else sees the masked forms. The detail view of one member is a
 * full-record read and appends "member.view" to the audit log. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/utf8.h"
#include "core/validate.h"
#include "db/db.h"
#include "http/auth.h"
#include "http/failure.h"
#include "http/json.h"
#include "http/params.h"
#include "http/request.h"
#include "http/router.h"
#include "modules/dict/dict.h"
#include "modules/member/member.h"
#include "modules/member/member_internal.h"

#define PAGE_SIZE_DEFAULT 20
#define DATE_MIN          (-62091) /* 1800-01-01 */
#define DATE_MAX          47481    /* 2099-12-31 */

static const zg_scope_spec_t member_scope = {"id", "SELECT org_id FROM membership WHERE id = $1"};
static const zg_scope_spec_t org_scope = {"id", NULL};

/* ---- helpers ------------------------------------------------------------------------------ */

static bool can_pii(const zg_req_t *r)
{
    return zg_principal_can(r->who, "member:read_pii");
}

static zg_member_op_t op_for(zg_req_t *r)
{
    zg_member_actor_t actor = {
        .account_id = r->who->account_id, .username = r->who->username, .ip = r->client_ip};
    zg_member_op_t op;
    zg_member_op_init(&op, &r->arena, zg_req_home(r), &actor);
    return op;
}

/* A code of `table` (NULL when absent); *index (may be NULL) gets its position. */
static int query_code(zg_req_t *r, const char *name, const zg_member_label_t *table,
                      const char **out, int *index)
{
    const char *v = zg_req_query(r, name);
    *out = NULL;
    if (index)
        *index = -1;
    if (!v || !*v)
        return 0;
    for (int i = 0; table[i].code; i++)
        if (!strcmp(table[i].code, v)) {
            *out = v;
            if (index)
                *index = i;
            return 0;
        }
    zg_reply_bad_param(r, name, "取值不正确");
    return -1;
}

static json_t *jstr(const char *s)
{
    return s ? json_string(s) : json_null();
}

static json_t *jdate(zg_date_t d)
{
    char buf[ZG_DATE_STR_SIZE];
    if (d == ZG_MEMBER_NO_DATE || zg_date_format(d, buf))
        return json_null();
    return json_string(buf);
}

static const zg_member_label_t GENDER_LABELS[] = {{"1", "男"}, {"2", "女"}, {NULL, NULL}};

/* ---- a member as JSON ----------------------------------------------------------------------
 * Written straight into a buffer: a list page renders 20 members, and building them as
 * jansson objects first was a fifth of a list request's CPU (docs/performance.md, "Member
 * list API"). The one field list serves the detail view too (member_json parses it back). */

static void put_key(zg_strbuf_t *sb, const char *key)
{
    zg_strbuf_putc(sb, ',');
    zg_strbuf_putc(sb, '"');
    zg_strbuf_puts(sb, key);
    zg_strbuf_append(sb, "\":", 2);
}

static void put_str(zg_strbuf_t *sb, const char *key, const char *v)
{
    put_key(sb, key);
    if (v)
        zg_strbuf_json_string(sb, v);
    else
        zg_strbuf_append(sb, "null", 4);
}

static void put_int(zg_strbuf_t *sb, const char *key, int64_t v)
{
    put_key(sb, key);
    zg_strbuf_printf(sb, "%lld", (long long)v);
}

static void put_bool(zg_strbuf_t *sb, const char *key, bool v)
{
    put_key(sb, key);
    zg_strbuf_puts(sb, v ? "true" : "false");
}

static void put_date(zg_strbuf_t *sb, const char *key, zg_date_t d)
{
    char buf[ZG_DATE_STR_SIZE];
    put_str(sb, key, d == ZG_MEMBER_NO_DATE || zg_date_format(d, buf) ? NULL : buf);
}

static void member_json_text(zg_strbuf_t *sb, const zg_member_t *m, bool pii, zg_date_t today)
{
    zg_strbuf_printf(sb, "{\"id\":%lld", (long long)m->id);
    put_int(sb, "person_id", m->person_id);
    put_str(sb, "name", m->name);
    put_str(sb, "gender", m->gender);
    put_str(sb, "gender_label", zg_member_label(GENDER_LABELS, m->gender));
    put_str(sb, "ethnicity", m->ethnicity);
    put_date(sb, "birth_date", m->birth_date);
    int age = 0;
    if (m->birth_date != ZG_MEMBER_NO_DATE && !zg_date_age_at(m->birth_date, today, &age))
        put_int(sb, "age", age);
    else
        put_str(sb, "age", NULL);
    put_str(sb, "id_number", pii ? m->id_number : m->id_number_masked);
    put_str(sb, "phone", pii ? m->phone : m->phone_masked);
    put_bool(sb, "pii", pii);
    put_str(sb, "education", m->education);
    put_str(sb, "degree", m->degree);
    put_str(sb, "native_place", m->native_place);
    put_date(sb, "work_start_date", m->work_start_date);
    put_str(sb, "occupation", m->occupation);
    put_str(sb, "occupation_label", zg_member_label(zg_member_occupations, m->occupation));
    put_int(sb, "org_id", m->org_id);
    put_str(sb, "org_name", m->org_name);
    put_str(sb, "status", m->status);
    put_str(sb, "status_label", zg_member_label(zg_member_statuses, m->status));
    put_str(sb, "dues_category", m->dues_category);
    put_str(sb, "dues_category_label",
            zg_member_label(zg_member_dues_categories, m->dues_category));
    put_date(sb, "joined_on", m->joined_on);
    put_date(sb, "probation_end", m->probation_end);
    put_date(sb, "standing_since", m->standing_since);
    put_bool(sb, "extended", m->extended);
    put_bool(sb, "mobile", m->mobile);
    put_date(sb, "lost_contact_since", m->lost_contact_since);
    put_date(sb, "suspended_on", m->suspended_on);
    put_str(sb, "created_at", m->created_at);
    put_str(sb, "updated_at", m->updated_at);
    zg_strbuf_putc(sb, '}');
}

/* The same as a jansson object (the detail view adds its history and findings to it); NULL
 * when out of memory. */
static json_t *member_json(zg_arena_t *a, const zg_member_t *m, bool pii)
{
    zg_strbuf_t sb;
    zg_strbuf_init(&sb, a, 1 << 20);
    member_json_text(&sb, m, pii, zg_date_today());
    return sb.overflow ? NULL : json_loadb(sb.data, sb.len, 0, NULL);
}

static json_t *event_json(const zg_member_event_t *e)
{
    json_t *j = json_object();
    json_object_set_new(j, "id", json_integer(e->id));
    json_object_set_new(j, "kind", jstr(e->kind));
    json_object_set_new(j, "kind_label", jstr(zg_member_label(zg_member_event_kinds, e->kind)));
    json_object_set_new(j, "on_date", jdate(e->on_date));
    json_object_set_new(
        j, "org",
        e->org_id ? json_pack("{s:I, s:s?}", "id", (json_int_t)e->org_id, "name", e->org_name)
                  : json_null());
    json_object_set_new(j, "from_org",
                        e->from_org_id ? json_pack("{s:I, s:s?}", "id", (json_int_t)e->from_org_id,
                                                   "name", e->from_org_name)
                                       : json_null());
    json_object_set_new(j, "note", jstr(e->note));
    json_object_set_new(j, "username", jstr(e->username));
    json_object_set_new(j, "created_at", jstr(e->created_at));
    return j;
}

static json_t *counts_json(const zg_member_counts_t *k)
{
    return json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "probationary",
                     (json_int_t)k->probationary, "full", (json_int_t)k->full, "total",
                     (json_int_t)k->total, "suspended", (json_int_t)k->suspended, "removed",
                     (json_int_t)k->removed, "deceased", (json_int_t)k->deceased, "transferred_out",
                     (json_int_t)k->transferred_out);
}

/* A failed write: http/failure.h (422 with the findings, or the bad field, or the status). */
static int reply_op_error(zg_req_t *r, const zg_member_op_t *op, const zg_error_t *err)
{
    return zg_reply_write_failure(
        r, &op->findings, op->bad_field, err,
        op->existing_id ? json_pack("{s:I}", "existing_id", (json_int_t)op->existing_id) : NULL);
}

/* ---- detail --------------------------------------------------------------------------------- */

/* The member with its history; `findings` NULL for a plain read (which is audited as a
 * full-record view), else those of the write just made. */
static int reply_detail(zg_req_t *r, int status, int64_t id, const zg_findings_t *findings)
{
    zg_conn_t *c = zg_req_db(r);
    if (!c)
        return ZG_OK;
    zg_error_t err;
    zg_member_t m;
    bool pii = can_pii(r);
    zg_member_op_t op = op_for(r);
    int rc = findings ? zg_member_get(c, &r->arena, zg_req_home(r), id, pii, &m, &err)
                      : zg_member_view(c, &op, id, pii, &m, &err);
    if (rc)
        return zg_reply_err(r, &err);
    zg_member_event_t *ev;
    size_t n;
    if (zg_member_events(c, &r->arena, zg_req_home(r), id, &ev, &n, &err))
        return zg_reply_err(r, &err);
    json_t *j = member_json(&r->arena, &m, pii);
    if (!j)
        return zg_reply_error(r, 500, "internal", "服务器内部错误，请稍后重试或联系管理员", NULL);
    struct {
        const char *dict, *code, *key;
    } labels[] = {{"ethnicity", m.ethnicity, "ethnicity_label"},
                  {"education", m.education, "education_label"},
                  {"degree", m.degree, "degree_label"}};
    for (size_t i = 0; i < sizeof labels / sizeof labels[0]; i++) {
        const char *label = NULL;
        if (labels[i].code &&
            zg_dict_label(c, &r->arena, labels[i].dict, labels[i].code, &label, &err))
            label = NULL;
        json_object_set_new(j, labels[i].key, jstr(label));
    }
    int edu = zg_member_edu_category(m.education);
    json_object_set_new(j, "education_category",
                        edu >= 0 ? json_string(zg_member_edu_categories[edu].code) : json_null());
    int band =
        m.birth_date != ZG_MEMBER_NO_DATE ? zg_member_age_band(m.birth_date, zg_date_today()) : -1;
    json_object_set_new(j, "age_band",
                        band >= 0 ? json_string(zg_member_age_bands[band].code) : json_null());
    json_object_set_new(
        j, "join_period",
        m.joined_on != ZG_MEMBER_NO_DATE
            ? json_string(zg_member_join_periods[zg_member_join_period(m.joined_on)].code)
            : json_null());
    json_t *events = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(events, event_json(&ev[i]));
    json_object_set_new(j, "events", events);
    zg_findings_t none;
    zg_findings_init(&none, &r->arena);
    json_object_set_new(j, "findings", zg_findings_json(findings ? findings : &none));
    return zg_reply_json(r, status, j);
}

/* GET /api/v1/members/{id} */
static int get_member(zg_req_t *r)
{
    return reply_detail(r, 200, zg_path_id(r, "id"), NULL);
}

/* GET /api/v1/members/{id}/events */
static int get_events(zg_req_t *r)
{
    zg_conn_t *c = zg_req_db(r);
    if (!c)
        return ZG_OK;
    zg_error_t err;
    zg_member_event_t *ev;
    size_t n;
    if (zg_member_events(c, &r->arena, zg_req_home(r), zg_path_id(r, "id"), &ev, &n, &err))
        return zg_reply_err(r, &err);
    json_t *items = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(items, event_json(&ev[i]));
    return zg_reply_json(r, 200, json_pack("{s:o, s:I}", "items", items, "total", (json_int_t)n));
}

/* ---- lists ------------------------------------------------------------------------------- */

int member_read_filters(zg_req_t *r, zg_member_query_t *q)
{
    zg_member_query_init(q);
    const char *code;
    int64_t mobile, lost;
    if (zg_query_date(r, "as_of", 0, 0, ZG_MEMBER_NO_DATE, &q->as_of) ||
        query_code(r, "dues_category", zg_member_dues_categories, &q->dues_category, NULL) ||
        query_code(r, "occupation", zg_member_occupations, &q->occupation, NULL) ||
        query_code(r, "age_band", zg_member_age_bands, &code, &q->age_band) ||
        query_code(r, "education", zg_member_edu_categories, &code, &q->edu) ||
        query_code(r, "join_period", zg_member_join_periods, &code, &q->join_period) ||
        zg_query_int(r, "mobile", 0, 1, -1, &mobile) ||
        zg_query_int(r, "lost_contact", 0, 1, -1, &lost))
        return -1;
    q->mobile = (int)mobile;
    q->lost_contact = (int)lost;
    const char *st = zg_req_query(r, "status");
    if (st && *st) {
        if (strcmp(st, "current") && strcmp(st, "all") && !zg_member_label(zg_member_statuses, st))
            return zg_reply_bad_param(r, "status", "应为 current、all 或一种党员状态"), -1;
        q->status = st;
    }
    const char *g = zg_req_query(r, "gender");
    if (g && *g) {
        if (strcmp(g, "1") && strcmp(g, "2"))
            return zg_reply_bad_param(r, "gender", "应为 1（男）或 2（女）"), -1;
        q->gender = g;
    }
    const char *text = zg_req_query(r, "q");
    if (text && *text) {
        size_t chars = 0;
        if (zg_utf8_strlen(text, strlen(text), &chars) || chars > ZG_MEMBER_Q_MAX)
            return zg_reply_bad_param(r, "q", "应为不超过50个字的文本"), -1;
        q->q = text;
    }
    const char *idn = zg_req_query(r, "id_number");
    if (idn && *idn) {
        zg_error_t e;
        if (zg_idnum_check(idn, NULL, &e))
            return zg_reply_bad_param(r, "id_number", e.message), -1;
        q->id_number = idn;
    }
    const char *sort = zg_req_query(r, "sort");
    if (sort && *sort) {
        q->desc = sort[0] == '-';
        const char *key = q->desc ? sort + 1 : sort;
        if (strcmp(key, "name") && strcmp(key, "joined_on") && strcmp(key, "birth_date") &&
            strcmp(key, "org"))
            return zg_reply_bad_param(r, "sort",
                                      "应为 name、joined_on、birth_date 或 org（前加 - 为倒序）"),
                   -1;
        q->sort = key;
    }
    return 0;
}

/* The list filters and the page. Answers 400 and returns -1 on a bad one. */
static int read_filters(zg_req_t *r, zg_member_query_t *q, int64_t *page, int64_t *size)
{
    if (member_read_filters(r, q) || zg_query_int(r, "page", 1, 1000000, 1, page) ||
        zg_query_int(r, "page_size", 1, ZG_MEMBER_PAGE_MAX, PAGE_SIZE_DEFAULT, size))
        return -1;
    q->offset = (*page - 1) * *size;
    q->limit = (int)*size;
    return 0;
}

static int reply_list(zg_req_t *r, const zg_member_query_t *q, int64_t page, int64_t size)
{
    zg_conn_t *c = zg_req_db(r);
    if (!c)
        return ZG_OK;
    zg_error_t err;
    zg_member_list_t l;
    bool pii = can_pii(r);
    if (zg_member_list(c, &r->arena, zg_req_home(r), q, pii, &l, &err))
        return zg_reply_err(r, &err);
    zg_strbuf_t sb;
    zg_strbuf_init(&sb, &r->arena, 16u << 20);
    zg_strbuf_puts(&sb, "{\"items\":[");
    zg_date_t today = zg_date_today();
    for (size_t i = 0; i < l.n; i++) {
        if (i)
            zg_strbuf_putc(&sb, ',');
        member_json_text(&sb, &l.items[i], pii, today);
    }
    zg_strbuf_printf(&sb, "],\"total\":%lld,\"page\":%lld,\"page_size\":%lld", (long long)l.total,
                     (long long)page, (long long)size);
    put_date(&sb, "as_of", q->as_of);
    zg_strbuf_putc(&sb, '}');
    if (sb.overflow)
        return zg_reply_error(r, 500, "internal", "服务器内部错误，请稍后重试或联系管理员", NULL);
    return zg_reply_json_text(r, 200, sb.data, sb.len);
}

/* GET /api/v1/members?org_id=&… */
static int list_members(zg_req_t *r)
{
    zg_member_query_t q;
    int64_t page, size, org;
    if (read_filters(r, &q, &page, &size) || zg_query_int(r, "org_id", 1, INT64_MAX, 0, &org))
        return ZG_OK;
    if (org && zg_scope_require(r, org))
        return ZG_OK;
    q.org_id = org;
    return reply_list(r, &q, page, size);
}

/* GET /api/v1/orgs/{id}/members?as_of=&subtree=&… */
static int list_org_members(zg_req_t *r)
{
    zg_member_query_t q;
    int64_t page, size, subtree;
    if (read_filters(r, &q, &page, &size) || zg_query_int(r, "subtree", 0, 1, 0, &subtree))
        return ZG_OK;
    q.org_id = zg_path_id(r, "id");
    q.direct_only = subtree == 0;
    return reply_list(r, &q, page, size);
}

/* GET /api/v1/orgs/{id}/member-counts?as_of= */
static int get_counts(zg_req_t *r)
{
    zg_date_t as_of;
    if (zg_query_date(r, "as_of", 0, 0, ZG_MEMBER_NO_DATE, &as_of))
        return ZG_OK;
    zg_conn_t *c = zg_req_db(r);
    if (!c)
        return ZG_OK;
    zg_error_t err;
    zg_member_org_counts_t k;
    if (zg_member_counts(c, &r->arena, zg_req_home(r), zg_path_id(r, "id"), as_of, &k, &err))
        return zg_reply_err(r, &err);
    json_t *children = json_array();
    for (size_t i = 0; i < k.nchildren; i++)
        json_array_append_new(
            children, json_pack("{s:I, s:s, s:s, s:o}", "org_id", (json_int_t)k.children[i].org_id,
                                "name", k.children[i].name ? k.children[i].name : "", "kind",
                                k.children[i].kind ? k.children[i].kind : "", "subtree",
                                counts_json(&k.children[i].subtree)));
    json_t *body = json_pack("{s:I, s:o, s:o, s:o, s:o}", "org_id", (json_int_t)k.org_id, "as_of",
                             jdate(as_of), "direct", counts_json(&k.direct), "subtree",
                             counts_json(&k.subtree), "children", children);
    return zg_reply_json(r, 200, body);
}

/* GET /api/v1/members/meta */
static json_t *labels_json(const zg_member_label_t *t)
{
    json_t *a = json_array();
    for (; t->code; t++)
        json_array_append_new(a, json_pack("{s:s, s:s}", "code", t->code, "label", t->label));
    return a;
}

static int get_meta(zg_req_t *r)
{
    json_t *j = json_object();
    json_object_set_new(j, "statuses", labels_json(zg_member_statuses));
    json_object_set_new(j, "event_kinds", labels_json(zg_member_event_kinds));
    json_object_set_new(j, "dues_categories", labels_json(zg_member_dues_categories));
    json_object_set_new(j, "occupations", labels_json(zg_member_occupations));
    json_object_set_new(j, "age_bands", labels_json(zg_member_age_bands));
    json_object_set_new(j, "education_categories", labels_json(zg_member_edu_categories));
    json_object_set_new(j, "join_periods", labels_json(zg_member_join_periods));
    json_object_set_new(j, "genders", labels_json(GENDER_LABELS));
    return zg_reply_json(r, 200, j);
}

/* ---- writes --------------------------------------------------------------------------------- */

typedef struct member_body {
    zg_member_input_t in;
    int32_t birth, work, joined, converted;
    bool p_name, p_gender, p_eth, p_birth, p_id, p_phone, p_edu, p_deg, p_native, p_work, p_occ,
        p_org, p_dues, p_joined, p_conv, p_first, p_note;
} member_body_t;

static int read_member_body(zg_req_t *r, member_body_t *b, bool create)
{
    memset(b, 0, sizeof *b);
    zg_member_input_t *in = &b->in;
    zg_field_t fields[] = {
        {"name", "姓名", ZG_F_STRING, false, 0, ZG_MEMBER_NAME_MAX, &in->name, &b->p_name},
        {"gender", "性别", ZG_F_STRING, false, 0, 2, &in->gender, &b->p_gender},
        {"ethnicity", "民族", ZG_F_STRING, false, 0, ZG_MEMBER_CODE_MAX, &in->ethnicity, &b->p_eth},
        {"birth_date", "出生日期", ZG_F_DATE, false, DATE_MIN, DATE_MAX, &b->birth, &b->p_birth},
        {"id_number", "身份证号", ZG_F_STRING, false, 0, 32, &in->id_number, &b->p_id},
        {"phone", "手机号码", ZG_F_STRING, false, 0, 20, &in->phone, &b->p_phone},
        {"education", "学历", ZG_F_STRING, false, 0, ZG_MEMBER_CODE_MAX, &in->education, &b->p_edu},
        {"degree", "学位", ZG_F_STRING, false, 0, ZG_MEMBER_CODE_MAX, &in->degree, &b->p_deg},
        {"native_place", "籍贯", ZG_F_STRING, false, 0, ZG_MEMBER_NATIVE_PLACE_MAX,
         &in->native_place, &b->p_native},
        {"work_start_date", "参加工作日期", ZG_F_DATE, false, DATE_MIN, DATE_MAX, &b->work,
         &b->p_work},
        {"occupation", "职业", ZG_F_STRING, false, 0, ZG_MEMBER_CODE_MAX, &in->occupation,
         &b->p_occ},
        {"dues_category", "党费类别", ZG_F_STRING, false, 0, ZG_MEMBER_CODE_MAX, &in->dues_category,
         &b->p_dues},
        /* create only; on PATCH they are refused with a pointer to the events */
        {"org_id", "所在党组织", ZG_F_INT, false, 1, INT64_MAX, &in->org_id, &b->p_org},
        {"joined_on", "入党日期", ZG_F_DATE, false, DATE_MIN, DATE_MAX, &b->joined, &b->p_joined},
        {"converted_on", "转正日期", ZG_F_DATE, false, DATE_MIN, DATE_MAX, &b->converted,
         &b->p_conv},
        {"first_event", "入党方式", ZG_F_STRING, false, 0, 16, &in->first_event, &b->p_first},
        {"note", "说明", ZG_F_STRING, false, 0, ZG_MEMBER_NOTE_MAX, &in->note, &b->p_note},
    };
    int n = (int)(sizeof fields / sizeof fields[0]);
    if (!create)
        n -= 2; /* first_event, note */
    int rc = zg_json_read(r, fields, n);
    if (rc)
        return rc;
    unsigned set = 0;
#define SET(flag, bit)                                                                             \
    if (b->flag)                                                                                   \
        set |= (bit);
    SET(p_name, ZG_MEMBER_SET_NAME)
    SET(p_gender, ZG_MEMBER_SET_GENDER)
    SET(p_eth, ZG_MEMBER_SET_ETHNICITY)
    SET(p_birth, ZG_MEMBER_SET_BIRTH_DATE)
    SET(p_id, ZG_MEMBER_SET_ID_NUMBER)
    SET(p_phone, ZG_MEMBER_SET_PHONE)
    SET(p_edu, ZG_MEMBER_SET_EDUCATION)
    SET(p_deg, ZG_MEMBER_SET_DEGREE)
    SET(p_native, ZG_MEMBER_SET_NATIVE_PLACE)
    SET(p_work, ZG_MEMBER_SET_WORK_START)
    SET(p_occ, ZG_MEMBER_SET_OCCUPATION)
    SET(p_org, ZG_MEMBER_SET_ORG)
    SET(p_dues, ZG_MEMBER_SET_DUES_CATEGORY)
    SET(p_joined, ZG_MEMBER_SET_JOINED_ON)
    SET(p_conv, ZG_MEMBER_SET_CONVERTED_ON)
#undef SET
    in->set = set;
    in->birth_date = b->p_birth ? b->birth : ZG_MEMBER_NO_DATE;
    in->work_start_date = b->p_work ? b->work : ZG_MEMBER_NO_DATE;
    in->joined_on = b->p_joined ? b->joined : ZG_MEMBER_NO_DATE;
    in->converted_on = b->p_conv ? b->converted : ZG_MEMBER_NO_DATE;
    if (in->first_event && !*in->first_event)
        in->first_event = NULL;
    return ZG_OK;
}

/* POST /api/v1/members */
static int create_member(zg_req_t *r)
{
    member_body_t b;
    if (read_member_body(r, &b, true))
        return ZG_OK;
    if (b.p_org && zg_scope_require(r, b.in.org_id))
        return ZG_OK;
    zg_conn_t *c = zg_req_db(r);
    if (!c)
        return ZG_OK;
    zg_member_op_t op = op_for(r);
    zg_error_t err;
    int64_t id = 0;
    if (zg_member_create(c, &op, &b.in, &id, &err))
        return reply_op_error(r, &op, &err);
    return reply_detail(r, 201, id, &op.findings);
}

/* PATCH /api/v1/members/{id} */
static int update_member(zg_req_t *r)
{
    member_body_t b;
    if (read_member_body(r, &b, false))
        return ZG_OK;
    zg_conn_t *c = zg_req_db(r);
    if (!c)
        return ZG_OK;
    zg_member_op_t op = op_for(r);
    zg_error_t err;
    int64_t id = zg_path_id(r, "id");
    if (zg_member_update(c, &op, id, &b.in, &err))
        return reply_op_error(r, &op, &err);
    return reply_detail(r, 200, id, &op.findings);
}

/* POST /api/v1/members/{id}/events {"kind","on_date","note",…} */
static int add_event(zg_req_t *r)
{
    zg_member_event_input_t ev = {.on_date = ZG_MEMBER_NO_DATE};
    int32_t on = 0, joined = 0, pend = 0, standing = 0;
    int64_t months = 0;
    bool p_on = false, p_joined = false, p_pend = false, p_standing = false;
    const zg_field_t fields[] = {
        {"kind", "变动类型", ZG_F_STRING, true, 1, 32, &ev.kind, NULL},
        {"on_date", "变动日期", ZG_F_DATE, false, DATE_MIN, DATE_MAX, &on, &p_on},
        {"note", "说明", ZG_F_STRING, false, 0, ZG_MEMBER_NOTE_MAX, &ev.note, NULL},
        {"to_org_id", "调入党组织", ZG_F_INT, false, 1, INT64_MAX, &ev.to_org_id, NULL},
        {"extension_months", "延长月数", ZG_F_INT, false, 0, 120, &months, NULL},
        {"joined_on", "入党日期", ZG_F_DATE, false, DATE_MIN, DATE_MAX, &joined, &p_joined},
        {"probation_end", "预备期满日期", ZG_F_DATE, false, DATE_MIN, DATE_MAX, &pend, &p_pend},
        {"standing_since", "党龄起算日期", ZG_F_DATE, false, DATE_MIN, DATE_MAX, &standing,
         &p_standing},
    };
    if (zg_json_read(r, fields, (int)(sizeof fields / sizeof fields[0])))
        return ZG_OK;
    if (!zg_member_label(zg_member_event_kinds, ev.kind) || !strcmp(ev.kind, "joined"))
        return zg_reply_bad_param(r, "kind", "变动类型无效");
    if (ev.to_org_id && zg_scope_require(r, ev.to_org_id))
        return ZG_OK;
    if (p_on)
        ev.on_date = on;
    ev.extension_months = (int)months;
    if (p_joined) {
        ev.set |= ZG_MEMBER_EVSET_JOINED_ON;
        ev.joined_on = joined;
    }
    if (p_pend) {
        ev.set |= ZG_MEMBER_EVSET_PROBATION_END;
        ev.probation_end = pend;
    }
    if (p_standing) {
        ev.set |= ZG_MEMBER_EVSET_STANDING_SINCE;
        ev.standing_since = standing;
    }
    zg_conn_t *c = zg_req_db(r);
    if (!c)
        return ZG_OK;
    zg_member_op_t op = op_for(r);
    zg_error_t err;
    int64_t id = zg_path_id(r, "id");
    if (zg_member_event(c, &op, id, &ev, NULL, &err))
        return reply_op_error(r, &op, &err);
    return reply_detail(r, 201, id, &op.findings);
}

/* ---- routes --------------------------------------------------------------------------------- */

int zg_member_routes(zg_router_t *rt)
{
    static const zg_route_t routes[] = {
        {.method = "GET",
         .pattern = "/api/v1/members",
         .handler = list_members,
         .summary = "查询本级及下级党组织的党员（筛选、按身份证号精确查找、排序、分页）",
         .perm = "member:read"},
        {.method = "POST",
         .pattern = "/api/v1/members",
         .handler = create_member,
         .summary = "登记党员（按规则校验，违反必须遵守的规定时不保存并说明依据）",
         .perm = "member:write"},
        {.method = "GET",
         .pattern = "/api/v1/members/meta",
         .handler = get_meta,
         .summary = "党员状态、变动类型、党费类别、职业、年龄段、学历类别、入党时间段的代码与名称",
         .perm = "member:read"},
        {.method = "GET",
         .pattern = "/api/v1/members/{id}",
         .handler = get_member,
         .summary = "党员详情及全部变动记录（查看完整信息记入审计日志）",
         .perm = "member:read",
         .scope = &member_scope},
        {.method = "PATCH",
         .pattern = "/api/v1/members/{id}",
         .handler = update_member,
         .summary = "修改党员基本信息",
         .perm = "member:write",
         .scope = &member_scope},
        {.method = "GET",
         .pattern = "/api/v1/members/{id}/events",
         .handler = get_events,
         .summary = "党员变动记录",
         .perm = "member:read",
         .scope = &member_scope},
        {.method = "POST",
         .pattern = "/api/v1/members/{id}/events",
         .handler = add_event,
         .summary = "办理党员变动（转正、延长预备期、组织关系调整、停止党籍等）",
         .perm = "member:write",
         .scope = &member_scope},
        {.method = "GET",
         .pattern = "/api/v1/orgs/{id}/members",
         .handler = list_org_members,
         .summary = "某党组织的党员（as_of 指定日期时为当日在该组织的党员）",
         .perm = "member:read",
         .scope = &org_scope},
        {.method = "GET",
         .pattern = "/api/v1/orgs/{id}/member-counts",
         .handler = get_counts,
         .summary = "某党组织本级及下级的党员人数（按状态，可指定日期）",
         .perm = "member:read",
         .scope = &org_scope},
    };
    return ZG_ROUTES(rt, routes);
}
