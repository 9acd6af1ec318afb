/* org_api.c — HTTP handlers of the org module (docs/api-org.md): parse, call org.c /
 * org_team.c, render. Every route needs org:read or org:write; every route whose path names
 * an org declares .scope, so the server answers 404 with no data for an org outside the
 * caller's subtree before a handler runs; org ids from bodies and query strings (a new parent,
 * a tree root) are checked with zg_scope_require. The logic checks scope again, so a handler
 * cannot forget it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/utf8.h"
#include "db/db.h"
#include "http/auth.h"
#include "http/failure.h"
#include "http/json.h"
#include "http/params.h"
#include "http/request.h"
#include "http/router.h"
#include "modules/dict/dict.h"
#include "modules/org/org_internal.h"

#define PAGE_SIZE_DEFAULT  20
#define PAGE_SIZE_MAX      100
#define CHILDREN_PAGE_MAX  1000
#define TREE_DEPTH_DEFAULT 1
#define TREE_ROWS_DEFAULT  1000
#define TERMS_DAYS_DEFAULT 90
/* dates a user may enter: from the founding of the Party to the end of this century */
#define DATE_MIN (-17716) /* 1921-07-01 */
#define DATE_MAX 47481    /* 2099-12-31 */

static const zg_scope_spec_t org_scope = {"id", NULL};

/* ---- helpers ------------------------------------------------------------------------------ */

static zg_org_op_t op_for(zg_req_t *r)
{
    zg_org_actor_t actor = {
        .account_id = r->who->account_id, .username = r->who->username, .ip = r->client_ip};
    zg_org_op_t op;
    zg_org_op_init(&op, &r->arena, r->who->home_org_id, &actor);
    return op;
}

/* A code query parameter that must be one of `table` (NULL when absent). */
static int query_code(zg_req_t *r, const char *name, const zg_org_label_t *table, const char **out)
{
    const char *v = zg_req_query(r, name);
    *out = NULL;
    if (!v || !*v)
        return 0;
    if (!zg_org_label(table, v)) {
        zg_reply_bad_param(r, name, "取值不正确");
        return -1;
    }
    *out = v;
    return 0;
}

static json_t *jstr(const char *s)
{
    return s ? json_string(s) : json_null();
}

static json_t *jdate(zg_date_t d)
{
    char buf[ZG_DATE_STR_SIZE];
    if (d == ZG_ORG_NO_DATE || zg_date_format(d, buf))
        return json_null();
    return json_string(buf);
}

static json_t *org_json(const zg_req_t *r, const zg_org_t *o)
{
    json_t *j = json_object();
    json_object_set_new(j, "id", json_integer(o->id));
    /* the caller's own home org does not reveal its parent, which is outside its scope */
    json_object_set_new(j, "parent_id",
                        o->parent_id && o->id != zg_req_home(r) ? json_integer(o->parent_id)
                                                                : json_null());
    json_object_set_new(j, "kind", jstr(o->kind));
    json_object_set_new(j, "kind_label", jstr(zg_org_label(zg_org_kinds, o->kind)));
    json_object_set_new(j, "name", jstr(o->name));
    json_object_set_new(j, "short_name", jstr(o->short_name));
    json_object_set_new(j, "code", jstr(o->code));
    json_object_set_new(j, "category", jstr(o->category));
    json_object_set_new(j, "domain", jstr(o->domain));
    json_object_set_new(j, "domain_label", jstr(zg_org_label(zg_org_domains, o->domain)));
    json_object_set_new(j, "unit_name", jstr(o->unit_name));
    json_object_set_new(j, "unit_count", json_integer(o->unit_count));
    json_object_set_new(j, "founded_on", jdate(o->founded_on));
    json_object_set_new(j, "status", jstr(o->status));
    json_object_set_new(j, "status_label", jstr(zg_org_label(zg_org_statuses, o->status)));
    json_object_set_new(j, "dissolved_on", jdate(o->dissolved_on));
    json_object_set_new(j, "depth", json_integer(o->depth));
    json_object_set_new(j, "sort", json_integer(o->sort));
    if (o->child_count >= 0)
        json_object_set_new(j, "child_count", json_integer(o->child_count));
    json_object_set_new(j, "created_at", jstr(o->created_at));
    json_object_set_new(j, "updated_at", jstr(o->updated_at));
    return j;
}

static json_t *orgs_json(const zg_req_t *r, const zg_org_list_t *l)
{
    json_t *a = json_array();
    for (size_t i = 0; i < l->n; i++)
        json_array_append_new(a, org_json(r, &l->items[i]));
    return a;
}

static json_t *leader_json(const zg_org_leader_t *l)
{
    json_t *j = json_object();
    json_object_set_new(j, "id", json_integer(l->id));
    json_object_set_new(j, "org_id", json_integer(l->org_id));
    json_object_set_new(j, "post", jstr(l->post));
    json_object_set_new(j, "post_label", jstr(zg_org_label(zg_org_posts, l->post)));
    json_object_set_new(j, "person_name", jstr(l->person_name));
    json_object_set_new(j, "person_id", l->person_id ? json_integer(l->person_id) : json_null());
    json_object_set_new(j, "title", jstr(l->title));
    json_object_set_new(j, "term_start", jdate(l->term_start));
    json_object_set_new(j, "term_end", jdate(l->term_end));
    json_object_set_new(j, "ended_on", jdate(l->ended_on));
    json_object_set_new(j, "end_reason", jstr(l->end_reason));
    json_object_set_new(j, "current", json_boolean(l->ended_on == ZG_ORG_NO_DATE));
    json_object_set_new(j, "sort", json_integer(l->sort));
    return j;
}

static json_t *leaders_json(const zg_org_leader_t *v, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, leader_json(&v[i]));
    return a;
}

static json_t *grading_json(const zg_org_grading_t *g)
{
    json_t *ind = json_loads(g->indicators ? g->indicators : "{}", 0, NULL);
    json_t *j = json_object();
    json_object_set_new(j, "org_id", json_integer(g->org_id));
    json_object_set_new(j, "year", json_integer(g->year));
    json_object_set_new(j, "grade", jstr(g->grade));
    json_object_set_new(j, "grade_label", jstr(zg_org_label(zg_org_grades, g->grade)));
    json_object_set_new(j, "indicators", ind ? ind : json_object());
    json_object_set_new(j, "note", jstr(g->note));
    json_object_set_new(j, "graded_on", jdate(g->graded_on));
    json_object_set_new(j, "updated_at", jstr(g->updated_at));
    return j;
}

/* A failed write: http/failure.h (422 with the findings, or the bad field, or the status). */
static int reply_op_error(zg_req_t *r, const zg_org_op_t *op, const zg_error_t *err)
{
    return zg_reply_write_failure(r, &op->findings, op->bad_field, err, NULL);
}

/* ---- detail ------------------------------------------------------------------------------- */

/* The org with its path, current team, latest grading and findings. `findings` NULL = the
 * state check's; else those of the write just made. */
static int reply_detail(zg_req_t *r, int status, int64_t id, const zg_findings_t *findings)
{
    zg_conn_t *c = zg_req_db(r);
    if (!c)
        return ZG_OK;
    zg_error_t err;
    zg_org_t o;
    zg_org_list_t path;
    zg_org_leader_t *leaders;
    size_t nleaders;
    if (zg_org_get(c, &r->arena, zg_req_home(r), id, &o, &err) ||
        zg_org_path(c, &r->arena, zg_req_home(r), id, &path, &err) ||
        zg_org_leaders(c, &r->arena, zg_req_home(r), id, false, &leaders, &nleaders, &err))
        return zg_reply_err(r, &err);
    zg_org_grading_t g;
    json_t *grading = json_null();
    int rc = zg_org_grading_latest(c, &r->arena, zg_req_home(r), id, &g, &err);
    if (rc == ZG_OK)
        grading = grading_json(&g);
    else if (rc != ZG_ERR_NOT_FOUND)
        return zg_reply_err(r, &err);
    zg_findings_t state;
    if (!findings) {
        zg_findings_init(&state, &r->arena);
        if (zg_org_check(c, zg_req_home(r), id, zg_date_today(), &state, &err))
            return zg_reply_err(r, &err);
        findings = &state;
    }
    json_t *j = org_json(r, &o);
    const char *cat = NULL;
    if (o.category && zg_dict_label(c, &r->arena, "org_category", o.category, &cat, &err))
        cat = NULL;
    json_object_set_new(j, "category_label", jstr(cat));
    json_t *parent = json_null();
    if (path.n >= 2)
        parent = json_pack("{s:I, s:s}", "id", (json_int_t)path.items[path.n - 2].id, "name",
                           path.items[path.n - 2].name);
    json_object_set_new(j, "parent", parent);
    json_t *pa = json_array();
    for (size_t i = 0; i < path.n; i++)
        json_array_append_new(pa,
                              json_pack("{s:I, s:s, s:s}", "id", (json_int_t)path.items[i].id,
                                        "name", path.items[i].name, "kind", path.items[i].kind));
    json_object_set_new(j, "path", pa);
    json_object_set_new(j, "leaders", leaders_json(leaders, nleaders));
    json_object_set_new(j, "grading", grading);
    json_object_set_new(j, "term_years", json_integer(zg_org_term_years(o.kind, o.domain)));
    json_object_set_new(j, "findings", zg_findings_json(findings));
    return zg_reply_json(r, status, j);
}

/* GET /api/v1/orgs/{id} */
static int get_org(zg_req_t *r)
{
    return reply_detail(r, 200, zg_path_id(r, "id"), NULL);
}

/* ---- lists ------------------------------------------------------------------------------- */

/* GET /api/v1/orgs?q=&kind=&domain=&status=&page=&page_size= */
static int list_orgs(zg_req_t *r)
{
    zg_org_query_t q = {0};
    int64_t page, size;
    if (zg_query_text(r, "q", 50, &q.q) || query_code(r, "kind", zg_org_kinds, &q.kind) ||
        query_code(r, "domain", zg_org_domains, &q.domain) ||
        zg_query_page(r, PAGE_SIZE_MAX, PAGE_SIZE_DEFAULT, &page, &size))
        return ZG_OK;
    const char *status = zg_req_query(r, "status");
    if (!status || !*status)
        q.status = "active";
    else if (!strcmp(status, "all"))
        q.status = NULL;
    else if (zg_org_label(zg_org_statuses, status))
        q.status = status;
    else
        return zg_reply_bad_param(r, "status", "应为 active、dissolved 或 all");
    q.offset = (page - 1) * size;
    q.limit = (int)size;
    zg_conn_t *c = zg_req_db(r);
    if (!c)
        return ZG_OK;
    zg_error_t err;
    zg_org_list_t l;
    if (zg_org_search(c, &r->arena, zg_req_home(r), &q, &l, &err))
        return zg_reply_err(r, &err);
    return zg_reply_json(r, 200,
                         json_pack("{s:o, s:I, s:I, s:I}", "items", orgs_json(r, &l), "total",
                                   (json_int_t)l.total, "page", (json_int_t)page, "page_size",
                                   (json_int_t)size));
}

/* GET /api/v1/orgs/tree?root=&depth=&limit=&all= */
static int get_tree(zg_req_t *r)
{
    int64_t root, depth, limit, all;
    if (zg_query_int(r, "root", 1, INT64_MAX, zg_req_home(r), &root) ||
        zg_query_int(r, "depth", 0, ZG_ORG_TREE_DEPTH_MAX, TREE_DEPTH_DEFAULT, &depth) ||
        zg_query_int(r, "limit", 1, ZG_ORG_TREE_ROWS_MAX, TREE_ROWS_DEFAULT, &limit) ||
        zg_query_int(r, "all", 0, 1, 0, &all))
        return ZG_OK;
    if (zg_scope_require(r, root))
        return ZG_OK;
    zg_conn_t *c = zg_req_db(r);
    if (!c)
        return ZG_OK;
    zg_error_t err;
    zg_org_list_t l;
    if (zg_org_subtree(c, &r->arena, zg_req_home(r), root, (int)depth, (int)limit, all == 1, &l,
                       &err))
        return zg_reply_err(r, &err);
    int base = l.n ? l.items[0].depth : 0;
    json_t *items = json_array();
    for (size_t i = 0; i < l.n; i++) {
        const zg_org_t *o = &l.items[i];
        json_t *j = json_pack(
            "{s:I, s:o, s:s, s:o, s:s, s:s, s:s, s:i, s:i, s:I, s:i}", "id", (json_int_t)o->id,
            "parent_id",
            o->parent_id && o->id != root && o->id != zg_req_home(r) ? json_integer(o->parent_id)
                                                                     : json_null(),
            "name", o->name, "short_name", jstr(o->short_name), "kind", o->kind, "kind_label",
            zg_org_label(zg_org_kinds, o->kind), "status", o->status, "depth", o->depth, "level",
            o->depth - base, "child_count", (json_int_t)o->child_count, "sort", o->sort);
        json_array_append_new(items, j);
    }
    return zg_reply_json(r, 200,
                         json_pack("{s:I, s:I, s:o, s:b}", "root_id", (json_int_t)root, "depth",
                                   (json_int_t)depth, "items", items, "truncated", l.truncated));
}

/* GET /api/v1/orgs/options?parent_id=&q= — names only, for choosing an account's home org:
 * the permission is account:write, so the system administrator (who reads no business data:
 * no members, leaders or gradings) can pick an org from the tree instead of typing its id.
 * The scope is the caller's home org, or the whole tree for an account without one (the
 * system administrator's). No parameter: the scope root; parent_id: its active children (404
 * outside the scope); q: active orgs whose name, short name or code contains q (at most
 * OPTIONS_MAX). */
#define OPTIONS_MAX 50
static int get_options(zg_req_t *r)
{
    int64_t parent;
    const char *q;
    if (zg_query_int(r, "parent_id", 0, INT64_MAX, 0, &parent) || zg_query_text(r, "q", 50, &q))
        return ZG_OK;
    zg_conn_t *c = zg_req_db(r);
    if (!c)
        return ZG_OK;
    zg_error_t err;
    int64_t scope = zg_req_home(r);
    if (scope <= 0 && zg_org_root(c, &scope, &err))
        return zg_reply_err(r, &err);
    zg_org_list_t l;
    int rc;
    if (q && *q) {
        zg_org_query_t oq = {.q = q, .status = "active", .limit = OPTIONS_MAX};
        rc = zg_org_search(c, &r->arena, scope, &oq, &l, &err);
    } else if (parent) {
        rc = org_require_scope(c, scope, parent, &err);
        if (rc == ZG_OK)
            rc = zg_org_children(c, &r->arena, scope, parent, "active", 0, ZG_ORG_PAGE_MAX, &l,
                                 &err);
    } else {
        rc = zg_org_subtree(c, &r->arena, scope, scope, 0, 1, false, &l, &err);
    }
    if (rc)
        return zg_reply_err(r, &err);
    json_t *items = json_array();
    for (size_t i = 0; i < l.n; i++) {
        const zg_org_t *o = &l.items[i];
        json_array_append_new(items, json_pack("{s:I, s:s, s:s, s:s, s:I}", "id", (json_int_t)o->id,
                                               "name", o->name, "kind", o->kind, "kind_label",
                                               zg_org_label(zg_org_kinds, o->kind), "child_count",
                                               (json_int_t)o->child_count));
    }
    return zg_reply_json(r, 200, json_pack("{s:o}", "items", items));
}

/* GET /api/v1/orgs/{id}/children?status=&page=&page_size= */
static int get_children(zg_req_t *r)
{
    int64_t page, size;
    if (zg_query_page(r, CHILDREN_PAGE_MAX, 200, &page, &size))
        return ZG_OK;
    const char *status = zg_req_query(r, "status");
    if (!status || !*status)
        status = "active";
    else if (strcmp(status, "all") && !zg_org_label(zg_org_statuses, status))
        return zg_reply_bad_param(r, "status", "应为 active、dissolved 或 all");
    zg_conn_t *c = zg_req_db(r);
    if (!c)
        return ZG_OK;
    zg_error_t err;
    zg_org_list_t l;
    if (zg_org_children(c, &r->arena, zg_req_home(r), zg_path_id(r, "id"), status,
                        (page - 1) * size, (int)size, &l, &err))
        return zg_reply_err(r, &err);
    return zg_reply_json(r, 200,
                         json_pack("{s:o, s:I, s:I, s:I}", "items", orgs_json(r, &l), "total",
                                   (json_int_t)l.total, "page", (json_int_t)page, "page_size",
                                   (json_int_t)size));
}

/* GET /api/v1/orgs/{id}/history?page=&page_size= */
static int get_history(zg_req_t *r)
{
    int64_t page, size;
    if (zg_query_page(r, PAGE_SIZE_MAX, PAGE_SIZE_DEFAULT, &page, &size))
        return ZG_OK;
    zg_conn_t *c = zg_req_db(r);
    if (!c)
        return ZG_OK;
    zg_error_t err;
    zg_org_change_t *h;
    size_t n;
    int64_t total;
    if (zg_org_history(c, &r->arena, zg_req_home(r), zg_path_id(r, "id"), (page - 1) * size,
                       (int)size, &h, &n, &total, &err))
        return zg_reply_err(r, &err);
    json_t *items = json_array();
    for (size_t i = 0; i < n; i++) {
        json_t *detail = h[i].detail ? json_loads(h[i].detail, 0, NULL) : NULL;
        json_t *j = json_object();
        json_object_set_new(j, "id", json_integer(h[i].id));
        json_object_set_new(j, "change_type", json_string(h[i].change_type));
        json_object_set_new(j, "effective_on", jdate(h[i].effective_on));
        json_object_set_new(j, "old_name", jstr(h[i].old_name));
        json_object_set_new(j, "new_name", jstr(h[i].new_name));
        json_object_set_new(j, "from_parent",
                            h[i].from_parent_id
                                ? json_pack("{s:I, s:s}", "id", (json_int_t)h[i].from_parent_id,
                                            "name", h[i].from_parent_name)
                                : json_null());
        json_object_set_new(j, "to_parent",
                            h[i].to_parent_id
                                ? json_pack("{s:I, s:s}", "id", (json_int_t)h[i].to_parent_id,
                                            "name", h[i].to_parent_name)
                                : json_null());
        json_object_set_new(j, "detail", detail ? detail : json_object());
        json_object_set_new(j, "username", jstr(h[i].username));
        json_object_set_new(j, "changed_at", jstr(h[i].changed_at));
        json_array_append_new(items, j);
    }
    return zg_reply_json(r, 200,
                         json_pack("{s:o, s:I, s:I, s:I}", "items", items, "total",
                                   (json_int_t)total, "page", (json_int_t)page, "page_size",
                                   (json_int_t)size));
}

/* GET /api/v1/orgs/terms-due?days=&page=&page_size= */
static int get_terms_due(zg_req_t *r)
{
    int64_t days, page, size;
    if (zg_query_int(r, "days", 0, 3650, TERMS_DAYS_DEFAULT, &days) ||
        zg_query_page(r, PAGE_SIZE_MAX, PAGE_SIZE_DEFAULT, &page, &size))
        return ZG_OK;
    zg_conn_t *c = zg_req_db(r);
    if (!c)
        return ZG_OK;
    zg_error_t err;
    zg_org_term_due_t *v;
    size_t n;
    int64_t total;
    if (zg_org_terms_due(c, &r->arena, zg_req_home(r), zg_date_today(), (int)days,
                         (page - 1) * size, (int)size, &v, &n, &total, &err))
        return zg_reply_err(r, &err);
    json_t *items = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(items, json_pack("{s:I, s:s, s:s, s:s, s:o, s:i, s:b}", "org_id",
                                               (json_int_t)v[i].org_id, "org_name", v[i].org_name,
                                               "kind", v[i].kind, "kind_label",
                                               zg_org_label(zg_org_kinds, v[i].kind), "term_end",
                                               jdate(v[i].term_end), "days_left", v[i].days_left,
                                               "overdue", v[i].days_left < 0));
    return zg_reply_json(r, 200,
                         json_pack("{s:o, s:I, s:I, s:I, s:I}", "items", items, "total",
                                   (json_int_t)total, "days", (json_int_t)days, "page",
                                   (json_int_t)page, "page_size", (json_int_t)size));
}

/* GET /api/v1/orgs/meta — the code tables with their Chinese labels. */
static json_t *labels_json(const zg_org_label_t *t)
{
    json_t *a = json_array();
    for (; t->code; t++)
        json_array_append_new(a, json_pack("{s:s, s:s}", "code", t->code, "label", t->label));
    return a;
}

static int get_meta(zg_req_t *r)
{
    json_t *kinds = json_array();
    for (const zg_org_label_t *k = zg_org_kinds; k->code; k++) {
        json_t *may = json_array();
        for (const zg_org_label_t *c = zg_org_kinds; c->code; c++)
            if (zg_org_kind_may_hold(k->code, c->code))
                json_array_append_new(may, json_string(c->code));
        json_array_append_new(kinds, json_pack("{s:s, s:s, s:o, s:i}", "code", k->code, "label",
                                               k->label, "may_hold", may, "term_years",
                                               zg_org_term_years(k->code, NULL)));
    }
    return zg_reply_json(
        r, 200,
        json_pack("{s:o, s:o, s:o, s:o, s:o, s:{s:i, s:s}}", "kinds", kinds, "domains",
                  labels_json(zg_org_domains), "posts", labels_json(zg_org_posts), "grades",
                  labels_json(zg_org_grades), "statuses", labels_json(zg_org_statuses),
                  "term_years_rural_community", "years", 5, "note",
                  "村、社区党组织每届任期5年（中共中央办公厅《关于党的基层组织任期的意见》）"));
}

/* ---- writes -------------------------------------------------------------------------------- */

/* The fields of create and update, in one table so both parse alike. */
typedef struct org_body {
    int64_t parent_id;
    zg_org_input_t in;
    int32_t founded_on, effective_on;
    bool p_kind, p_name, p_short, p_code, p_cat, p_domain, p_unit, p_count, p_founded, p_sort,
        p_eff;
} org_body_t;

static int read_org_body(zg_req_t *r, org_body_t *b, bool create)
{
    memset(b, 0, sizeof *b);
    zg_field_t fields[] = {
        {"kind", "组织类型", ZG_F_STRING, create, 1, 32, &b->in.kind, &b->p_kind},
        {"name", "组织名称", ZG_F_STRING, create, 1, ZG_ORG_NAME_MAX, &b->in.name, &b->p_name},
        {"short_name", "简称", ZG_F_STRING, false, 0, ZG_ORG_SHORT_NAME_MAX, &b->in.short_name,
         &b->p_short},
        {"code", "组织代码", ZG_F_STRING, false, 0, ZG_ORG_CODE_MAX, &b->in.code, &b->p_code},
        {"category", "组织类别", ZG_F_STRING, false, 0, 8, &b->in.category, &b->p_cat},
        {"domain", "所属领域", ZG_F_STRING, false, 0, 16, &b->in.domain, &b->p_domain},
        {"unit_name", "所在单位", ZG_F_STRING, false, 0, ZG_ORG_UNIT_NAME_MAX, &b->in.unit_name,
         &b->p_unit},
        {"unit_count", "覆盖单位数", ZG_F_INT, false, 1, ZG_ORG_UNIT_COUNT_MAX, &b->in.unit_count,
         &b->p_count},
        {"founded_on", "成立日期", ZG_F_DATE, false, DATE_MIN, DATE_MAX, &b->founded_on,
         &b->p_founded},
        {"sort", "排序号", ZG_F_INT, false, -1000000000, 1000000000, &b->in.sort, &b->p_sort},
        {"effective_on", "生效日期", ZG_F_DATE, false, DATE_MIN, DATE_MAX, &b->effective_on,
         &b->p_eff},
        {"parent_id", "上级组织", ZG_F_INT, true, 1, INT64_MAX, &b->parent_id, NULL},
    };
    int n = (int)(sizeof fields / sizeof fields[0]) - (create ? 0 : 1);
    int rc = zg_json_read(r, fields, n);
    if (rc)
        return rc;
    b->in.parent_id = b->parent_id;
    b->in.founded_on = b->p_founded ? b->founded_on : ZG_ORG_NO_DATE;
    b->in.effective_on = b->p_eff ? b->effective_on : ZG_ORG_NO_DATE;
    unsigned set = 0;
    if (b->p_kind)
        set |= ZG_ORG_SET_KIND;
    if (b->p_name)
        set |= ZG_ORG_SET_NAME;
    if (b->p_short)
        set |= ZG_ORG_SET_SHORT_NAME;
    if (b->p_code)
        set |= ZG_ORG_SET_CODE;
    if (b->p_cat)
        set |= ZG_ORG_SET_CATEGORY;
    if (b->p_domain)
        set |= ZG_ORG_SET_DOMAIN;
    if (b->p_unit)
        set |= ZG_ORG_SET_UNIT_NAME;
    if (b->p_count)
        set |= ZG_ORG_SET_UNIT_COUNT;
    if (b->p_founded)
        set |= ZG_ORG_SET_FOUNDED_ON;
    if (b->p_sort)
        set |= ZG_ORG_SET_SORT;
    b->in.set = set;
    return ZG_OK;
}

/* POST /api/v1/orgs */
static int create_org(zg_req_t *r)
{
    org_body_t b;
    if (read_org_body(r, &b, true))
        return ZG_OK;
    if (zg_scope_require(r, b.parent_id))
        return ZG_OK;
    zg_conn_t *c = zg_req_db(r);
    if (!c)
        return ZG_OK;
    zg_org_op_t op = op_for(r);
    zg_error_t err;
    int64_t id = 0;
    if (zg_org_create(c, &op, &b.in, &id, &err))
        return reply_op_error(r, &op, &err);
    return reply_detail(r, 201, id, &op.findings);
}

/* PATCH /api/v1/orgs/{id} */
static int update_org(zg_req_t *r)
{
    org_body_t b;
    if (read_org_body(r, &b, false))
        return ZG_OK;
    zg_conn_t *c = zg_req_db(r);
    if (!c)
        return ZG_OK;
    zg_org_op_t op = op_for(r);
    zg_error_t err;
    int64_t id = zg_path_id(r, "id");
    if (zg_org_update(c, &op, id, &b.in, &err))
        return reply_op_error(r, &op, &err);
    return reply_detail(r, 200, id, &op.findings);
}

/* POST /api/v1/orgs/{id}/move {"parent_id", "effective_on"} */
static int move_org(zg_req_t *r)
{
    int64_t parent = 0;
    int32_t eff = ZG_ORG_NO_DATE;
    const zg_field_t fields[] = {
        {"parent_id", "新的上级组织", ZG_F_INT, true, 1, INT64_MAX, &parent, NULL},
        {"effective_on", "生效日期", ZG_F_DATE, false, DATE_MIN, DATE_MAX, &eff, NULL},
    };
    if (zg_json_read(r, fields, 2))
        return ZG_OK;
    int64_t id = zg_path_id(r, "id");
    if (id == zg_req_home(r))
        return zg_reply_error(r, 403, "own_org",
                              "不能调整本账号所属组织的隶属关系，请由上级组织办理", NULL);
    if (zg_scope_require(r, parent))
        return ZG_OK;
    zg_conn_t *c = zg_req_db(r);
    if (!c)
        return ZG_OK;
    zg_org_op_t op = op_for(r);
    zg_error_t err;
    if (zg_org_move(c, &op, id, parent, eff, &err))
        return reply_op_error(r, &op, &err);
    return reply_detail(r, 200, id, &op.findings);
}

/* POST /api/v1/orgs/{id}/dissolve {"dissolved_on", "reason"} (body optional) */
static int dissolve_org(zg_req_t *r)
{
    int32_t on = ZG_ORG_NO_DATE;
    const char *reason = NULL;
    const zg_field_t fields[] = {
        {"dissolved_on", "撤销日期", ZG_F_DATE, false, DATE_MIN, DATE_MAX, &on, NULL},
        {"reason", "撤销原因", ZG_F_STRING, false, 0, ZG_ORG_REASON_MAX, &reason, NULL},
    };
    if (!zg_body_empty(r) && zg_json_read(r, fields, 2))
        return ZG_OK;
    int64_t id = zg_path_id(r, "id");
    zg_conn_t *c = zg_req_db(r);
    if (!c)
        return ZG_OK;
    zg_org_op_t op = op_for(r);
    zg_error_t err;
    if (zg_org_dissolve(c, &op, id, on, reason, &err))
        return reply_op_error(r, &op, &err);
    return reply_detail(r, 200, id, &op.findings);
}

/* ---- team ---------------------------------------------------------------------------------- */

/* GET /api/v1/orgs/{id}/leaders?all=1 */
static int get_leaders(zg_req_t *r)
{
    int64_t all;
    if (zg_query_int(r, "all", 0, 1, 0, &all))
        return ZG_OK;
    zg_conn_t *c = zg_req_db(r);
    if (!c)
        return ZG_OK;
    zg_error_t err;
    zg_org_leader_t *v;
    size_t n;
    if (zg_org_leaders(c, &r->arena, zg_req_home(r), zg_path_id(r, "id"), all == 1, &v, &n, &err))
        return zg_reply_err(r, &err);
    return zg_reply_json(
        r, 200, json_pack("{s:o, s:I}", "items", leaders_json(v, n), "total", (json_int_t)n));
}

/* The fields of one post; `out` receives them. */
typedef struct post_body {
    zg_org_leader_input_t in;
    int32_t start, end;
    bool p_post, p_name, p_pid, p_title, p_start, p_end, p_sort;
} post_body_t;

static int post_fields(post_body_t *p, zg_field_t *f, bool required)
{
    zg_field_t v[] = {
        {"post", "职务", ZG_F_STRING, required, 1, 32, &p->in.post, &p->p_post},
        {"person_name", "姓名", ZG_F_STRING, required, 1, ZG_ORG_PERSON_MAX, &p->in.person_name,
         &p->p_name},
        {"person_id", "人员编号", ZG_F_INT, false, 1, INT64_MAX, &p->in.person_id, &p->p_pid},
        {"title", "分工", ZG_F_STRING, false, 0, ZG_ORG_TITLE_MAX, &p->in.title, &p->p_title},
        {"term_start", "任职日期", ZG_F_DATE, required, DATE_MIN, DATE_MAX, &p->start, &p->p_start},
        {"term_end", "任期届满日期", ZG_F_DATE, false, DATE_MIN, DATE_MAX, &p->end, &p->p_end},
        {"sort", "排序号", ZG_F_INT, false, -1000000000, 1000000000, &p->in.sort, &p->p_sort},
    };
    memcpy(f, v, sizeof v);
    return (int)(sizeof v / sizeof v[0]);
}

static void post_finish(post_body_t *p)
{
    p->in.term_start = p->p_start ? p->start : ZG_ORG_NO_DATE;
    p->in.term_end = p->p_end ? p->end : ZG_ORG_NO_DATE;
}

/* POST /api/v1/orgs/{id}/leaders — one post ({"post","person_name","term_start",…}) or a team
 * ({"items":[…], "replace": true, "replace_on"}). */
static int add_leaders(zg_req_t *r)
{
    json_t *obj;
    if (zg_json_body(r, &obj))
        return ZG_OK;
    post_body_t one;
    memset(&one, 0, sizeof one);
    json_t *items = NULL;
    bool replace = false;
    int32_t replace_on = ZG_ORG_NO_DATE;
    bool p_items = false;
    zg_field_t f[12];
    int n = post_fields(&one, f, false);
    f[n++] = (zg_field_t){"items", "职务列表", ZG_F_ARRAY, false, 1, ZG_ORG_TEAM_BATCH_MAX,
                          &items,  &p_items};
    f[n++] = (zg_field_t){"replace", "是否换届", ZG_F_BOOL, false, 0, 0, &replace, NULL};
    f[n++] = (zg_field_t){"replace_on", "换届日期", ZG_F_DATE,   false,
                          DATE_MIN,     DATE_MAX,   &replace_on, NULL};
    if (zg_json_fields(r, obj, f, n))
        return ZG_OK;
    bool single = one.p_post || one.p_name || one.p_pid || one.p_title || one.p_start ||
                  one.p_end || one.p_sort;
    if (single == p_items)
        return zg_reply_bad_param(r, "items", "请填写一个职务，或在 items 中列出多个职务");

    size_t count = p_items ? json_array_size(items) : 1;
    post_body_t *posts = zg_arena_calloc(&r->arena, count, sizeof *posts);
    zg_org_leader_input_t *in = zg_arena_calloc(&r->arena, count, sizeof *in);
    if (!posts || !in)
        return zg_reply_error(r, 503, "no_memory", "服务器内存不足，请稍后重试", NULL);
    if (!p_items) {
        /* the single form needs its required fields */
        zg_field_t req[10];
        int nr = post_fields(&posts[0], req, true);
        req[nr++] = (zg_field_t){"replace", "是否换届", ZG_F_BOOL, false, 0, 0, NULL, NULL};
        req[nr++] = (zg_field_t){"replace_on", "换届日期", ZG_F_DATE, false,
                                 DATE_MIN,     DATE_MAX,   NULL,      NULL};
        if (zg_json_fields(r, obj, req, nr))
            return ZG_OK;
    } else {
        json_t *errors = json_object();
        for (size_t i = 0; i < count; i++) {
            json_t *el = json_array_get(items, i);
            char prefix[32];
            snprintf(prefix, sizeof prefix, "items[%zu]", i);
            if (!json_is_object(el)) {
                json_object_set_new(errors, prefix, json_string("应为职务对象"));
                continue;
            }
            zg_field_t req[8];
            int nr = post_fields(&posts[i], req, true);
            json_t *e = json_object();
            if (zg_json_check(&r->arena, el, req, nr, e) < 0) {
                json_decref(e);
                json_decref(errors);
                return zg_reply_error(r, 503, "no_memory", "服务器内存不足，请稍后重试", NULL);
            }
            const char *key;
            json_t *msg;
            json_object_foreach(e, key, msg)
            {
                char name[96];
                snprintf(name, sizeof name, "%s.%s", prefix, key);
                json_object_set(errors, name, msg);
            }
            json_decref(e);
        }
        if (json_object_size(errors))
            return zg_reply_error(r, 400, "invalid_fields", "提交的内容有误，请按提示修改", errors);
        json_decref(errors);
    }
    for (size_t i = 0; i < count; i++) {
        post_finish(&posts[i]);
        in[i] = posts[i].in;
    }
    int64_t id = zg_path_id(r, "id");
    zg_conn_t *c = zg_req_db(r);
    if (!c)
        return ZG_OK;
    zg_org_op_t op = op_for(r);
    zg_error_t err;
    int64_t *ids = zg_arena_calloc(&r->arena, count, sizeof *ids);
    if (!ids)
        return zg_reply_error(r, 503, "no_memory", "服务器内存不足，请稍后重试", NULL);
    if (zg_org_leaders_add(c, &op, id, in, count, replace, replace_on, ids, &err))
        return reply_op_error(r, &op, &err);
    zg_org_leader_t *v;
    size_t nv;
    if (zg_org_leaders(c, &r->arena, zg_req_home(r), id, false, &v, &nv, &err))
        return zg_reply_err(r, &err);
    json_t *created = json_array();
    for (size_t i = 0; i < count; i++)
        json_array_append_new(created, json_integer(ids[i]));
    return zg_reply_json(r, 201,
                         json_pack("{s:o, s:o, s:o}", "items", leaders_json(v, nv), "created",
                                   created, "findings", zg_findings_json(&op.findings)));
}

/* POST /api/v1/orgs/{id}/leaders/{leader_id}/end {"ended_on", "reason"} (body optional) */
static int end_leader(zg_req_t *r)
{
    int32_t on = ZG_ORG_NO_DATE;
    const char *reason = NULL;
    const zg_field_t fields[] = {
        {"ended_on", "离任日期", ZG_F_DATE, false, DATE_MIN, DATE_MAX, &on, NULL},
        {"reason", "离任原因", ZG_F_STRING, false, 0, ZG_ORG_REASON_MAX, &reason, NULL},
    };
    if (!zg_body_empty(r) && zg_json_read(r, fields, 2))
        return ZG_OK;
    int64_t lid = zg_path_id(r, "leader_id");
    if (!lid)
        return zg_reply_error(r, 404, "not_found", "任职记录不存在", NULL);
    int64_t id = zg_path_id(r, "id");
    zg_conn_t *c = zg_req_db(r);
    if (!c)
        return ZG_OK;
    zg_org_op_t op = op_for(r);
    zg_error_t err;
    if (zg_org_leader_end(c, &op, id, lid, on, reason, &err))
        return reply_op_error(r, &op, &err);
    zg_org_leader_t *v;
    size_t nv;
    if (zg_org_leaders(c, &r->arena, zg_req_home(r), id, false, &v, &nv, &err))
        return zg_reply_err(r, &err);
    return zg_reply_json(r, 200,
                         json_pack("{s:o, s:o}", "items", leaders_json(v, nv), "findings",
                                   zg_findings_json(&op.findings)));
}

/* ---- grading ------------------------------------------------------------------------------- */

static int path_year(zg_req_t *r, int *year)
{
    const char *ys = zg_req_param(r, "year");
    char *end = NULL;
    long y = ys ? strtol(ys, &end, 10) : 0;
    if (!ys || strlen(ys) != 4 || *end || y < ZG_ORG_YEAR_MIN || y > ZG_ORG_YEAR_MAX) {
        zg_reply_error(r, 400, "invalid_year", "年度应为 1949 到 2100 之间的四位数字", NULL);
        return -1;
    }
    *year = (int)y;
    return 0;
}

/* GET /api/v1/orgs/{id}/grading/{year} */
static int get_grading(zg_req_t *r)
{
    int year;
    if (path_year(r, &year))
        return ZG_OK;
    zg_conn_t *c = zg_req_db(r);
    if (!c)
        return ZG_OK;
    zg_error_t err;
    zg_org_grading_t g;
    if (zg_org_grading_get(c, &r->arena, zg_req_home(r), zg_path_id(r, "id"), year, &g, &err))
        return zg_reply_err(r, &err);
    return zg_reply_json(r, 200, grading_json(&g));
}

/* PUT /api/v1/orgs/{id}/grading/{year} {"grade", "indicators", "note", "graded_on"} */
static int put_grading(zg_req_t *r)
{
    int year;
    if (path_year(r, &year))
        return ZG_OK;
    const char *grade = NULL, *note = NULL;
    json_t *indicators = NULL;
    int32_t graded_on = ZG_ORG_NO_DATE;
    const zg_field_t fields[] = {
        {"grade", "定级等次", ZG_F_STRING, true, 1, 16, &grade, NULL},
        {"indicators", "定级指标", ZG_F_OBJECT, false, 0, 0, &indicators, NULL},
        {"note", "备注", ZG_F_STRING, false, 0, ZG_ORG_NOTE_MAX, &note, NULL},
        {"graded_on", "定级日期", ZG_F_DATE, false, DATE_MIN, DATE_MAX, &graded_on, NULL},
    };
    if (zg_json_read(r, fields, 4))
        return ZG_OK;
    const char *ind = NULL;
    if (indicators) {
        /* the text is allocated in the request arena (json.h): never freed here */
        ind = json_dumps(indicators, JSON_COMPACT);
        if (!ind || strlen(ind) > ZG_ORG_INDICATORS_MAX)
            return zg_reply_bad_param(r, "indicators", "定级指标不能超过16KB");
    }
    zg_conn_t *c = zg_req_db(r);
    if (!c)
        return ZG_OK;
    zg_org_op_t op = op_for(r);
    zg_error_t err;
    bool created = false;
    int64_t id = zg_path_id(r, "id");
    if (zg_org_grading_set(c, &op, id, year, grade, ind, note, graded_on, &created, &err))
        return reply_op_error(r, &op, &err);
    zg_org_grading_t g;
    if (zg_org_grading_get(c, &r->arena, zg_req_home(r), id, year, &g, &err))
        return zg_reply_err(r, &err);
    return zg_reply_json(r, created ? 201 : 200, grading_json(&g));
}

/* ---- routes -------------------------------------------------------------------------------- */

int zg_org_routes(zg_router_t *rt)
{
    static const zg_route_t routes[] = {
        {.method = "GET",
         .pattern = "/api/v1/orgs",
         .handler = list_orgs,
         .summary = "查询本级及下级党组织（按名称、简称、代码，分页）",
         .perm = "org:read"},
        {.method = "POST",
         .pattern = "/api/v1/orgs",
         .handler = create_org,
         .summary = "新建党组织（上级组织须在管理范围内）",
         .perm = "org:write"},
        {.method = "GET",
         .pattern = "/api/v1/orgs/meta",
         .handler = get_meta,
         .summary = "党组织类型、领域、职务、定级等次的代码与名称",
         .perm = "org:read"},
        {.method = "GET",
         .pattern = "/api/v1/orgs/tree",
         .handler = get_tree,
         .summary = "组织树：某组织及其下若干层（默认本账号所属组织）",
         .perm = "org:read"},
        {.method = "GET",
         .pattern = "/api/v1/orgs/options",
         .handler = get_options,
         .summary = "选择账号所属组织：只含名称的组织树（系统管理员用）",
         .perm = "account:write"},
        {.method = "GET",
         .pattern = "/api/v1/orgs/terms-due",
         .handler = get_terms_due,
         .summary = "任期将满或已满、需要换届的党组织",
         .perm = "org:read"},
        {.method = "GET",
         .pattern = "/api/v1/orgs/{id}",
         .handler = get_org,
         .summary = "党组织详情（含领导班子、最新定级、路径与规则检查结果）",
         .perm = "org:read",
         .scope = &org_scope},
        {.method = "PATCH",
         .pattern = "/api/v1/orgs/{id}",
         .handler = update_org,
         .summary = "修改党组织信息（改名留有历史）",
         .perm = "org:write",
         .scope = &org_scope},
        {.method = "GET",
         .pattern = "/api/v1/orgs/{id}/children",
         .handler = get_children,
         .summary = "下级党组织（按需展开组织树）",
         .perm = "org:read",
         .scope = &org_scope},
        {.method = "POST",
         .pattern = "/api/v1/orgs/{id}/move",
         .handler = move_org,
         .summary = "调整隶属关系（连同全部下级组织）",
         .perm = "org:write",
         .scope = &org_scope},
        {.method = "POST",
         .pattern = "/api/v1/orgs/{id}/dissolve",
         .handler = dissolve_org,
         .summary = "撤销党组织（须无下级组织和党员）",
         .perm = "org:write",
         .scope = &org_scope},
        {.method = "GET",
         .pattern = "/api/v1/orgs/{id}/history",
         .handler = get_history,
         .summary = "党组织沿革（设立、更名、调整隶属、撤销）",
         .perm = "org:read",
         .scope = &org_scope},
        {.method = "GET",
         .pattern = "/api/v1/orgs/{id}/leaders",
         .handler = get_leaders,
         .summary = "领导班子（all=1 含已离任）",
         .perm = "org:read",
         .scope = &org_scope},
        {.method = "POST",
         .pattern = "/api/v1/orgs/{id}/leaders",
         .handler = add_leaders,
         .summary = "录入领导班子成员或换届（整体更换）",
         .perm = "org:write",
         .scope = &org_scope},
        {.method = "POST",
         .pattern = "/api/v1/orgs/{id}/leaders/{leader_id}/end",
         .handler = end_leader,
         .summary = "办理领导班子成员离任",
         .perm = "org:write",
         .scope = &org_scope},
        {.method = "GET",
         .pattern = "/api/v1/orgs/{id}/grading/{year}",
         .handler = get_grading,
         .summary = "某年度分类定级",
         .perm = "org:read",
         .scope = &org_scope},
        {.method = "PUT",
         .pattern = "/api/v1/orgs/{id}/grading/{year}",
         .handler = put_grading,
         .summary = "评定某年度分类定级（好、较好、一般、较差）",
         .perm = "org:write",
         .scope = &org_scope},
    };
    return ZG_ROUTES(rt, routes);
}
