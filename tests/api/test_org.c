/* test_org.c — the org API (src/modules/org/org_api.c, docs/api-org.md) over real HTTP on a
 * real server, once per backend (ZG_TEST_BACKEND=sqlite|postgres): the happy paths of every
 * route, validation errors (400 with the field), rule violations (422 with findings), state
 * conflicts (409), permissions (403) and scope (404 with no data). Accounts log in through the
 * account module (tests/support/testauth.h). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/db.h"
#include "http/router.h"
#include "modules/org/org.h"
#include "testauth.h"
#include "testsrv.h"

static zg_testsrv_t S;
static int64_t CITY, COUNTY_A, COUNTY_B, TOWN_A1, TOWN_A2, BRANCH_A1, BRANCH_B;
static char T_CITY[ZG_TEST_TOKEN_SIZE], T_COUNTY[ZG_TEST_TOKEN_SIZE], T_VIEWER[ZG_TEST_TOKEN_SIZE],
    T_BRANCH[ZG_TEST_TOKEN_SIZE];

static zg_conn_t *db(void)
{
    zg_error_t err;
    zg_conn_t *c = zg_db_conn(S.app->db, &err);
    assert_non_null(c);
    return c;
}

static bool has_route(const char *pattern)
{
    for (size_t i = 0; i < zg_router_count(S.app->router); i++)
        if (!strcmp(zg_router_at(S.app->router, i)->pattern, pattern))
            return true;
    return false;
}

static int64_t org(int64_t parent, const char *kind, const char *name)
{
    zg_arena_t a;
    zg_arena_init(&a, 0, 1 << 20);
    zg_org_actor_t actor = {.username = "setup"};
    zg_org_op_t op;
    zg_org_op_init(&op, &a, CITY, &actor);
    zg_org_input_t in = {.set = ZG_ORG_SET_KIND | ZG_ORG_SET_NAME,
                         .parent_id = parent,
                         .kind = kind,
                         .name = name,
                         .founded_on = ZG_ORG_NO_DATE,
                         .effective_on = ZG_ORG_NO_DATE};
    int64_t id = 0;
    zg_error_t err;
    int rc = zg_org_create(db(), &op, &in, &id, &err);
    if (rc)
        fprintf(stderr, "org %s: %s\n", name, err.detail);
    assert_int_equal(rc, 0);
    zg_arena_destroy(&a);
    return id;
}

static void login_as(const char *user, int64_t home, const char *role, char *token)
{
    static const char pw[] = "Zg-Test-Pass-2025";
    assert_true(zg_test_create_account(&S, user, pw, home, role) > 0);
    assert_int_equal(zg_test_login(S.port, user, pw, token, ZG_TEST_TOKEN_SIZE), 0);
}

static int setup(void **state)
{
    (void)state;
    if (zg_testsrv_start(&S, zg_test_fast_hashing) != 0)
        return -1;
    zg_error_t err;
    if (!has_route("/api/v1/orgs/meta") || !has_route("/api/v1/auth/login"))
        return -1; /* src/app/routes.c must list the org and account modules */
    if (zg_org_bootstrap_root(S.app->db, "中共临江市委员会", &CITY, &err))
        return -1;
    COUNTY_A = org(CITY, "committee", "中共青山县委员会");
    COUNTY_B = org(CITY, "committee", "中共白石县委员会");
    TOWN_A1 = org(COUNTY_A, "committee", "中共青山县石桥镇委员会");
    TOWN_A2 = org(COUNTY_A, "committee", "中共青山县柳溪镇委员会");
    BRANCH_A1 = org(TOWN_A1, "branch", "中共柳塘村支部委员会");
    BRANCH_B = org(COUNTY_B, "branch", "白石县财政局机关党支部");
    login_as("city_admin", CITY, "org_admin", T_CITY);
    login_as("county_admin", COUNTY_A, "org_admin", T_COUNTY);
    login_as("county_viewer", COUNTY_A, "viewer", T_VIEWER);
    login_as("branch_sec", BRANCH_A1, "branch_secretary", T_BRANCH);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    zg_testsrv_stop(&S);
    return 0;
}

/* ---- helpers ------------------------------------------------------------------------------ */

static long call(const char *method, const char *path, const char *body, const char *token,
                 zg_http_resp_t *r)
{
    assert_int_equal(zg_http_auth(S.port, method, path, body, token, r), 0);
    return r->status;
}

/* Asserts the status (and the error code when given), printing the body on a mismatch. */
static void expect(const zg_http_resp_t *r, long status, const char *code)
{
    if (r->status != status || (code && strcmp(zg_http_json_str(r, "code"), code)))
        fprintf(stderr, "expected %ld %s, got %ld: %s\n", status, code ? code : "", r->status,
                r->body);
    assert_int_equal(r->status, status);
    if (code)
        assert_string_equal(zg_http_json_str(r, "code"), code);
}

/* The request answers `status`/`code` with the field `field` named in "fields". */
static void expect_field(const char *method, const char *path, const char *body, const char *token,
                         long status, const char *code, const char *field)
{
    zg_http_resp_t r;
    call(method, path, body, token, &r);
    expect(&r, status, code);
    json_t *f = json_object_get(r.json, "fields");
    if (!json_object_get(f, field))
        fprintf(stderr, "no field %s in %s\n", field, r.body);
    assert_non_null(json_object_get(f, field));
    zg_http_resp_free(&r);
}

/* A 404 that says nothing about the object. */
static void expect_hidden(const char *method, const char *path, const char *body, const char *token)
{
    zg_http_resp_t r;
    call(method, path, body, token, &r);
    expect(&r, 404, "not_found");
    assert_null(json_object_get(r.json, "name"));
    assert_null(json_object_get(r.json, "id"));
    assert_int_equal(json_object_size(json_object_get(r.json, "fields")), 0);
    assert_null(strstr(r.body, "白石"));
    zg_http_resp_free(&r);
}

static int64_t jint(json_t *o, const char *key)
{
    return (int64_t)json_integer_value(json_object_get(o, key));
}

static const char *jstr_of(json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s ? s : "";
}

static bool has_finding(json_t *body, const char *rule, const char *severity)
{
    json_t *f = json_object_get(body, "findings"), *it;
    size_t i;
    json_array_foreach(f, i, it)
    {
        if (!strcmp(jstr_of(it, "rule"), rule) &&
            (!severity || !strcmp(jstr_of(it, "severity"), severity)))
            return true;
    }
    return false;
}

static int64_t create(const char *token, int64_t parent, const char *kind, const char *name)
{
    char body[512], path[] = "/api/v1/orgs";
    snprintf(body, sizeof body, "{\"parent_id\":%lld,\"kind\":\"%s\",\"name\":\"%s\"}",
             (long long)parent, kind, name);
    zg_http_resp_t r;
    call("POST", path, body, token, &r);
    expect(&r, 201, NULL);
    int64_t id = jint(r.json, "id");
    zg_http_resp_free(&r);
    return id;
}

static char *P(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *P(const char *fmt, ...)
{
    static char buf[8][1024];
    static int k;
    char *b = buf[k++ % 8];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(b, sizeof buf[0], fmt, ap);
    va_end(ap);
    return b;
}

static int64_t audit_count(const char *action, int64_t object)
{
    zg_error_t err;
    int64_t n = -1;
    zg_param_t p[] = {ZG_P_TEXT(action), ZG_P_INT(object)};
    assert_int_equal(zg_db_query_int(db(),
                                     "SELECT count(*) FROM audit_log WHERE action = $1 AND "
                                     "object_id = $2 AND username IS NOT NULL",
                                     p, 2, &n, &err),
                     0);
    return n;
}

/* ---- tests -------------------------------------------------------------------------------- */

static void test_meta_and_login(void **state)
{
    (void)state;
    zg_http_resp_t r;
    call("GET", "/api/v1/orgs/meta", NULL, NULL, &r);
    expect(&r, 401, NULL);
    zg_http_resp_free(&r);
    call("GET", "/api/v1/orgs/meta", NULL, T_VIEWER, &r);
    expect(&r, 200, NULL);
    json_t *kinds = json_object_get(r.json, "kinds");
    assert_int_equal(json_array_size(kinds), 8);
    assert_string_equal(jstr_of(json_array_get(kinds, 0), "label"), "党委");
    assert_int_equal(json_array_size(json_object_get(r.json, "grades")), 4);
    assert_string_equal(jstr_of(json_array_get(json_object_get(r.json, "posts"), 3), "label"),
                        "第一书记");
    zg_http_resp_free(&r);
}

static void test_create_and_detail(void **state)
{
    (void)state;
    zg_http_resp_t r;
#define SCHOOL                                                                                     \
    "{\"parent_id\":%lld,\"kind\":\"general_branch\",\"name\":"                                    \
    "\"中共青山县第一中学总支部委员会\",\"short_name\":\"青山一中党总支\","  \
    "\"code\":\"QS-SCH-01\",\"category\":\"621\",\"domain\":\"school\","                           \
    "\"unit_name\":\"青山县第一中学\",\"founded_on\":\"1984-09-10\",\"sort\":2}"
    call("POST", "/api/v1/orgs", P(SCHOOL, (long long)COUNTY_A), T_COUNTY, &r);
    expect(&r, 201, NULL);
    int64_t id = jint(r.json, "id");
    assert_true(id > 0);
    assert_string_equal(jstr_of(r.json, "name"), "中共青山县第一中学总支部委员会");
    assert_string_equal(jstr_of(r.json, "kind_label"), "党总支");
    assert_string_equal(jstr_of(r.json, "domain_label"), "中小学");
    assert_string_equal(jstr_of(r.json, "category_label"), "党总支部");
    assert_string_equal(jstr_of(r.json, "founded_on"), "1984-09-10");
    assert_int_equal(jint(r.json, "parent_id"), COUNTY_A);
    assert_int_equal(json_array_size(json_object_get(r.json, "findings")), 0);
    zg_http_resp_free(&r);
    assert_int_equal(audit_count("org.create", id), 1);

    /* the county sees the path from its own org down, the city from the root */
    call("GET", P("/api/v1/orgs/%lld", (long long)id), NULL, T_COUNTY, &r);
    expect(&r, 200, NULL);
    json_t *path = json_object_get(r.json, "path");
    assert_int_equal(json_array_size(path), 2);
    assert_int_equal(jint(json_array_get(path, 0), "id"), COUNTY_A);
    assert_string_equal(jstr_of(json_object_get(r.json, "parent"), "name"), "中共青山县委员会");
    assert_true(json_is_array(json_object_get(r.json, "leaders")));
    assert_true(json_is_null(json_object_get(r.json, "grading")));
    assert_int_equal(jint(r.json, "term_years"), 3);
    zg_http_resp_free(&r);
    call("GET", P("/api/v1/orgs/%lld", (long long)id), NULL, T_CITY, &r);
    expect(&r, 200, NULL);
    assert_int_equal(json_array_size(json_object_get(r.json, "path")), 3);
    zg_http_resp_free(&r);
    /* its own home org does not show the parent above it */
    call("GET", P("/api/v1/orgs/%lld", (long long)COUNTY_A), NULL, T_COUNTY, &r);
    expect(&r, 200, NULL);
    assert_true(json_is_null(json_object_get(r.json, "parent_id")));
    assert_true(json_is_null(json_object_get(r.json, "parent")));
    assert_null(strstr(r.body, "临江市"));
    zg_http_resp_free(&r);

    /* validation */
    const char *u = "/api/v1/orgs";
    expect_field("POST", u, P("{\"parent_id\":%lld,\"kind\":\"branch\"}", (long long)COUNTY_A),
                 T_COUNTY, 400, "invalid_fields", "name");
    expect_field(
        "POST", u,
        P("{\"parent_id\":%lld,\"kind\":\"bureau\",\"name\":\"某局\"}", (long long)COUNTY_A),
        T_COUNTY, 400, "invalid_fields", "kind");
    expect_field("POST", u,
                 P("{\"parent_id\":%lld,\"kind\":\"branch\",\"name\":\"支部下的支部\"}",
                   (long long)BRANCH_A1),
                 T_COUNTY, 400, "invalid_fields", "kind");
    expect_field("POST", u,
                 P("{\"parent_id\":%lld,\"kind\":\"branch\",\"name\":\"甲\",\"admin\":true}",
                   (long long)COUNTY_A),
                 T_COUNTY, 400, "invalid_fields", "admin");
    expect_field("POST", u,
                 P("{\"parent_id\":%lld,\"kind\":\"branch\",\"name\":\"甲\",\"founded_on\":"
                   "\"1900-01-01\"}",
                   (long long)COUNTY_A),
                 T_COUNTY, 400, "invalid_fields", "founded_on");
    expect_field("POST", u,
                 P("{\"parent_id\":%lld,\"kind\":\"branch\",\"name\":\"甲\",\"unit_count\":0}",
                   (long long)COUNTY_A),
                 T_COUNTY, 400, "invalid_fields", "unit_count");
    expect_field("POST", u,
                 P("{\"parent_id\":%lld,\"kind\":\"branch\",\"name\":\"甲\",\"code\":"
                   "\"QS-SCH-01\"}",
                   (long long)COUNTY_A),
                 T_COUNTY, 409, "code_taken", "code");
    /* a parent outside the scope is hidden; a read-only account may not write */
    expect_hidden(
        "POST", u,
        P("{\"parent_id\":%lld,\"kind\":\"branch\",\"name\":\"越权\"}", (long long)COUNTY_B),
        T_COUNTY);
    call("POST", u,
         P("{\"parent_id\":%lld,\"kind\":\"branch\",\"name\":\"甲\"}", (long long)COUNTY_A),
         T_VIEWER, &r);
    expect(&r, 403, "forbidden");
    zg_http_resp_free(&r);
}

static void test_joint_branch_warning(void **state)
{
    (void)state;
    zg_http_resp_t r;
#define JOINT                                                                                      \
    "{\"parent_id\":%lld,\"kind\":\"joint_branch\",\"name\":\"%s\",\"domain\":\"emerging\","       \
    "\"unit_count\":%d}"
    call("POST", "/api/v1/orgs", P(JOINT, (long long)TOWN_A1, "石桥镇个体工商户联合党支部", 5),
         T_COUNTY, &r);
    expect(&r, 201, NULL);
    assert_false(has_finding(r.json, "org.joint_branch_units_max", NULL));
    zg_http_resp_free(&r);
    call("POST", "/api/v1/orgs", P(JOINT, (long long)TOWN_A1, "石桥镇商贸企业联合党支部", 6),
         T_COUNTY, &r);
    expect(&r, 201, NULL);
    assert_true(has_finding(r.json, "org.joint_branch_units_max", "warn"));
    json_t *f = json_array_get(json_object_get(r.json, "findings"), 0);
    assert_string_equal(jstr_of(f, "citation"), "《中国共产党支部工作条例（试行）》第五条");
    assert_string_equal(jstr_of(f, "field"), "unit_count");
    zg_http_resp_free(&r);
}

static void test_update_history(void **state)
{
    (void)state;
    int64_t id = create(T_COUNTY, TOWN_A2, "branch", "柳溪镇农技站党支部");
    zg_http_resp_t r;
    char path[160];
    snprintf(path, sizeof path, "/api/v1/orgs/%lld", (long long)id);
    call("PATCH", path, "{\"name\":\"柳溪镇农业服务中心党支部\",\"effective_on\":\"2025-03-01\"}",
         T_COUNTY, &r);
    expect(&r, 200, NULL);
    assert_string_equal(jstr_of(r.json, "name"), "柳溪镇农业服务中心党支部");
    zg_http_resp_free(&r);
    call("PATCH", path, "{\"unit_name\":\"柳溪镇农业服务中心\",\"sort\":9}", T_COUNTY, &r);
    expect(&r, 200, NULL);
    assert_int_equal(jint(r.json, "sort"), 9);
    zg_http_resp_free(&r);
    assert_int_equal(audit_count("org.rename", id), 1);
    assert_int_equal(audit_count("org.update", id), 1);
    call("GET", P("/api/v1/orgs/%lld/history", (long long)id), NULL, T_VIEWER, &r);
    expect(&r, 200, NULL);
    assert_int_equal(jint(r.json, "total"), 3);
    json_t *items = json_object_get(r.json, "items");
    assert_string_equal(jstr_of(json_array_get(items, 0), "change_type"), "update");
    json_t *rename = json_array_get(items, 1);
    assert_string_equal(jstr_of(rename, "change_type"), "rename");
    assert_string_equal(jstr_of(rename, "old_name"), "柳溪镇农技站党支部");
    assert_string_equal(jstr_of(rename, "effective_on"), "2025-03-01");
    assert_string_equal(jstr_of(rename, "username"), "county_admin");
    zg_http_resp_free(&r);
    /* the parent is not a field of PATCH (moves have their own route) */
    expect_field("PATCH", path, P("{\"parent_id\":%lld}", (long long)TOWN_A1), T_COUNTY, 400,
                 "invalid_fields", "parent_id");
    expect_field("PATCH", path, "{\"name\":\"\"}", T_COUNTY, 400, "invalid_fields", "name");
    expect_field("PATCH", path, "{\"domain\":\"city\"}", T_COUNTY, 400, "invalid_fields", "domain");
    /* the branch secretary may read but not write */
    call("PATCH", path, "{\"sort\":1}", T_BRANCH, &r);
    expect(&r, 403, "forbidden");
    zg_http_resp_free(&r);
}

/* GET /orgs/options: names only, for the account administrator (account:write), who reads no
 * other org data; the org clerks (no account:write) cannot use it. */
static void test_org_options(void **state)
{
    (void)state;
    static char t_admin[ZG_TEST_TOKEN_SIZE], t_county_sys[ZG_TEST_TOKEN_SIZE];
    login_as("opt_sysadmin", 0, "sysadmin", t_admin);
    login_as("opt_county_sys", COUNTY_A, "sysadmin", t_county_sys);
    zg_http_resp_t r;
    /* no home org: the whole tree, from its root */
    call("GET", "/api/v1/orgs/options", NULL, t_admin, &r);
    expect(&r, 200, NULL);
    json_t *items = json_object_get(r.json, "items");
    assert_int_equal(json_array_size(items), 1);
    assert_int_equal(jint(json_array_get(items, 0), "id"), CITY);
    assert_true(jint(json_array_get(items, 0), "child_count") >= 2);
    assert_null(json_object_get(json_array_get(items, 0), "leaders")); /* names only */
    zg_http_resp_free(&r);
    call("GET", P("/api/v1/orgs/options?parent_id=%lld", (long long)COUNTY_A), NULL, t_admin, &r);
    expect(&r, 200, NULL);
    items = json_object_get(r.json, "items");
    assert_true(json_array_size(items) >= 2);
    bool seen = false;
    for (size_t i = 0; i < json_array_size(items); i++)
        seen |= jint(json_array_get(items, i), "id") == TOWN_A1;
    assert_true(seen);
    zg_http_resp_free(&r);
    call("GET", "/api/v1/orgs/options?q=%E7%99%BD%E7%9F%B3", NULL, t_admin, &r); /* 白石 */
    expect(&r, 200, NULL);
    items = json_object_get(r.json, "items");
    assert_int_equal(json_array_size(items), 2); /* the county and its branch */
    zg_http_resp_free(&r);
    /* the administrator still reads no org details */
    call("GET", P("/api/v1/orgs/%lld", (long long)COUNTY_A), NULL, t_admin, &r);
    assert_int_equal(r.status, 403);
    zg_http_resp_free(&r);
    /* an account administrator homed in a county sees only its subtree */
    call("GET", "/api/v1/orgs/options", NULL, t_county_sys, &r);
    expect(&r, 200, NULL);
    assert_int_equal(jint(json_array_get(json_object_get(r.json, "items"), 0), "id"), COUNTY_A);
    zg_http_resp_free(&r);
    call("GET", P("/api/v1/orgs/options?parent_id=%lld", (long long)COUNTY_B), NULL, t_county_sys,
         &r);
    assert_int_equal(r.status, 404);
    zg_http_resp_free(&r);
    call("GET", "/api/v1/orgs/options?q=%E7%99%BD%E7%9F%B3", NULL, t_county_sys, &r);
    expect(&r, 200, NULL);
    assert_int_equal(json_array_size(json_object_get(r.json, "items")), 0);
    zg_http_resp_free(&r);
    /* bad parameters; and the org clerk has no account:write */
    call("GET", "/api/v1/orgs/options?parent_id=abc", NULL, t_admin, &r);
    assert_int_equal(r.status, 400);
    zg_http_resp_free(&r);
    call("GET", "/api/v1/orgs/options", NULL, T_CITY, &r);
    assert_int_equal(r.status, 403);
    zg_http_resp_free(&r);
}

static void test_tree_children_search(void **state)
{
    (void)state;
    zg_http_resp_t r;
    /* the default root is the caller's own org */
    call("GET", "/api/v1/orgs/tree", NULL, T_COUNTY, &r);
    expect(&r, 200, NULL);
    assert_int_equal(jint(r.json, "root_id"), COUNTY_A);
    json_t *items = json_object_get(r.json, "items");
    assert_true(json_array_size(items) >= 3);
    json_t *first = json_array_get(items, 0);
    assert_int_equal(jint(first, "id"), COUNTY_A);
    assert_true(json_is_null(json_object_get(first, "parent_id")));
    assert_int_equal(jint(first, "level"), 0);
    assert_int_equal(jint(json_array_get(items, 1), "level"), 1);
    assert_int_equal(jint(json_array_get(items, 1), "parent_id"), COUNTY_A);
    assert_true(jint(first, "child_count") >= 2);
    zg_http_resp_free(&r);
    call("GET", P("/api/v1/orgs/tree?root=%lld&depth=3", (long long)CITY), NULL, T_CITY, &r);
    expect(&r, 200, NULL);
    assert_false(json_is_true(json_object_get(r.json, "truncated")));
    zg_http_resp_free(&r);
    call("GET", P("/api/v1/orgs/tree?root=%lld&depth=3&limit=2", (long long)CITY), NULL, T_CITY,
         &r);
    expect(&r, 200, NULL);
    assert_true(json_is_true(json_object_get(r.json, "truncated")));
    assert_int_equal(json_array_size(json_object_get(r.json, "items")), 2);
    zg_http_resp_free(&r);
    expect_hidden("GET", P("/api/v1/orgs/tree?root=%lld", (long long)COUNTY_B), NULL, T_COUNTY);
    expect_hidden("GET", P("/api/v1/orgs/tree?root=%lld", (long long)CITY), NULL, T_COUNTY);
    expect_field("GET", "/api/v1/orgs/tree?depth=99", NULL, T_COUNTY, 400, "invalid_fields",
                 "depth");
    expect_field("GET", "/api/v1/orgs/tree?root=abc", NULL, T_COUNTY, 400, "invalid_fields",
                 "root");

    call("GET", P("/api/v1/orgs/%lld/children?page_size=1", (long long)COUNTY_A), NULL, T_VIEWER,
         &r);
    expect(&r, 200, NULL);
    assert_int_equal(json_array_size(json_object_get(r.json, "items")), 1);
    assert_int_equal(jint(r.json, "total"), 3); /* two towns and the school */
    assert_int_equal(jint(json_array_get(json_object_get(r.json, "items"), 0), "id"), TOWN_A1);
    zg_http_resp_free(&r);
    expect_field("GET", P("/api/v1/orgs/%lld/children?status=x", (long long)COUNTY_A), NULL,
                 T_VIEWER, 400, "invalid_fields", "status");

    call("GET", "/api/v1/orgs?q=%E6%9F%B3%E5%A1%98", NULL, T_VIEWER, &r); /* 柳塘 */
    expect(&r, 200, NULL);
    assert_int_equal(jint(r.json, "total"), 1);
    assert_int_equal(jint(json_array_get(json_object_get(r.json, "items"), 0), "id"), BRANCH_A1);
    zg_http_resp_free(&r);
    /* the county does not find county B's branch; the city does */
    call("GET", "/api/v1/orgs?q=%E7%99%BD%E7%9F%B3", NULL, T_VIEWER, &r); /* 白石 */
    expect(&r, 200, NULL);
    assert_int_equal(jint(r.json, "total"), 0);
    zg_http_resp_free(&r);
    call("GET", "/api/v1/orgs?q=%E7%99%BD%E7%9F%B3&kind=branch", NULL, T_CITY, &r);
    expect(&r, 200, NULL);
    assert_int_equal(jint(r.json, "total"), 1);
    zg_http_resp_free(&r);
    call("GET", "/api/v1/orgs?q=100%25", NULL, T_CITY, &r); /* a literal % matches nothing */
    expect(&r, 200, NULL);
    assert_int_equal(jint(r.json, "total"), 0);
    zg_http_resp_free(&r);
    expect_field("GET", "/api/v1/orgs?kind=bureau", NULL, T_CITY, 400, "invalid_fields", "kind");
    expect_field("GET", "/api/v1/orgs?page_size=101", NULL, T_CITY, 400, "invalid_fields",
                 "page_size");
}

static void test_move(void **state)
{
    (void)state;
    int64_t b = create(T_COUNTY, TOWN_A1, "branch", "石桥镇青石村党支部");
    zg_http_resp_t r;
    char path[160];
    snprintf(path, sizeof path, "/api/v1/orgs/%lld/move", (long long)b);
    call("POST", path, P("{\"parent_id\":%lld}", (long long)TOWN_A2), T_COUNTY, &r);
    expect(&r, 200, NULL);
    assert_int_equal(jint(r.json, "parent_id"), TOWN_A2);
    zg_http_resp_free(&r);
    assert_int_equal(audit_count("org.move", b), 1);
    call("GET", P("/api/v1/orgs/%lld/history", (long long)b), NULL, T_COUNTY, &r);
    json_t *h = json_array_get(json_object_get(r.json, "items"), 0);
    assert_string_equal(jstr_of(h, "change_type"), "move");
    assert_int_equal(jint(json_object_get(h, "from_parent"), "id"), TOWN_A1);
    assert_int_equal(jint(json_object_get(h, "to_parent"), "id"), TOWN_A2);
    zg_http_resp_free(&r);
    /* under itself / its descendants */
    expect_field("POST", P("/api/v1/orgs/%lld/move", (long long)TOWN_A2),
                 P("{\"parent_id\":%lld}", (long long)TOWN_A2), T_COUNTY, 400, "move_cycle",
                 "parent_id");
    /* own home org: 403; target out of scope: 404 */
    call("POST", P("/api/v1/orgs/%lld/move", (long long)COUNTY_A),
         P("{\"parent_id\":%lld}", (long long)TOWN_A1), T_COUNTY, &r);
    expect(&r, 403, "own_org");
    zg_http_resp_free(&r);
    expect_hidden("POST", path, P("{\"parent_id\":%lld}", (long long)COUNTY_B), T_COUNTY);
    expect_hidden("POST", P("/api/v1/orgs/%lld/move", (long long)BRANCH_B),
                  P("{\"parent_id\":%lld}", (long long)TOWN_A1), T_COUNTY);
    expect_field("POST", path, "{}", T_COUNTY, 400, "invalid_fields", "parent_id");
    /* the city may move it across counties */
    call("POST", path, P("{\"parent_id\":%lld}", (long long)COUNTY_B), T_CITY, &r);
    expect(&r, 200, NULL);
    zg_http_resp_free(&r);
    /* now it is out of county A's scope */
    expect_hidden("GET", P("/api/v1/orgs/%lld", (long long)b), NULL, T_COUNTY);
}

static void test_leaders(void **state)
{
    (void)state;
    int64_t b = create(T_COUNTY, TOWN_A2, "branch", "柳溪镇卫生院党支部");
    char path[160];
    snprintf(path, sizeof path, "/api/v1/orgs/%lld/leaders", (long long)b);
    zg_http_resp_t r;
    /* a committee of 2 is refused with the rule and its citation */
    call("POST", path,
         "{\"items\":[{\"post\":\"secretary\",\"person_name\":\"周文\",\"term_start\":"
         "\"2024-06-01\"},{\"post\":\"committee_member\",\"person_name\":\"吴敏\","
         "\"term_start\":\"2024-06-01\",\"title\":\"组织委员\"}]}",
         T_COUNTY, &r);
    expect(&r, 422, "rule_violation");
    assert_true(has_finding(r.json, "org.committee_size_range", "block"));
    assert_non_null(
        strstr(jstr_of(r.json, "message"), "不符合《中国共产党支部工作条例（试行）》第二十条"));
    zg_http_resp_free(&r);
    /* a committee of 3: created, terms by rule */
    call("POST", path,
         "{\"items\":[{\"post\":\"secretary\",\"person_name\":\"周文\",\"term_start\":"
         "\"2024-06-01\"},{\"post\":\"committee_member\",\"person_name\":\"吴敏\","
         "\"term_start\":\"2024-06-01\",\"title\":\"组织委员\"},{\"post\":\"committee_member\","
         "\"person_name\":\"郑华\",\"term_start\":\"2024-06-01\",\"title\":\"宣传委员\"}]}",
         T_COUNTY, &r);
    expect(&r, 201, NULL);
    assert_int_equal(json_array_size(json_object_get(r.json, "items")), 3);
    assert_int_equal(json_array_size(json_object_get(r.json, "created")), 3);
    assert_true(has_finding(r.json, "org.term_length", "info"));
    json_t *sec = json_array_get(json_object_get(r.json, "items"), 0);
    assert_string_equal(jstr_of(sec, "post_label"), "书记");
    assert_string_equal(jstr_of(sec, "term_end"), "2027-06-01");
    zg_http_resp_free(&r);
    assert_int_equal(audit_count("org.leader.add", b), 1);
    /* a single post, a second secretary, bad items */
    call("POST", path,
         "{\"post\":\"first_secretary\",\"person_name\":\"钱进\",\"term_start\":\"2025-01-02\","
         "\"term_end\":\"2027-01-01\"}",
         T_COUNTY, &r);
    expect(&r, 201, NULL);
    zg_http_resp_free(&r);
    expect_field("POST", path,
                 "{\"post\":\"secretary\",\"person_name\":\"孙立\",\"term_start\":\"2025-01-02\"}",
                 T_COUNTY, 409, "secretary_exists", "post");
    expect_field("POST", path,
                 "{\"items\":[{\"post\":\"committee_member\",\"person_name\":\"甲\",\"term_start\":"
                 "\"2025-01-02\"},{\"post\":\"chairman\",\"person_name\":\"乙\",\"term_start\":"
                 "\"2025-01-02\"}]}",
                 T_COUNTY, 400, "invalid_fields", "items[1].post");
    expect_field("POST", path,
                 "{\"items\":[{\"person_name\":\"甲\",\"term_start\":\"2025-01-02\"}]}", T_COUNTY,
                 400, "invalid_fields", "items[0].post");
    expect_field("POST", path, "{\"post\":\"secretary\"}", T_COUNTY, 400, "invalid_fields",
                 "person_name");
    expect_field("POST", path, "{}", T_COUNTY, 400, "invalid_fields", "items");

    /* the list; ending a post */
    call("GET", path, NULL, T_BRANCH, &r);
    expect(&r, 404, "not_found"); /* the branch secretary of another branch */
    zg_http_resp_free(&r);
    call("GET", path, NULL, T_VIEWER, &r);
    expect(&r, 200, NULL);
    assert_int_equal(jint(r.json, "total"), 4);
    json_t *fs = json_array_get(json_object_get(r.json, "items"), 3);
    assert_string_equal(jstr_of(fs, "post"), "first_secretary");
    int64_t fs_id = jint(fs, "id");
    zg_http_resp_free(&r);
    char end[160];
    snprintf(end, sizeof end, "/api/v1/orgs/%lld/leaders/%lld/end", (long long)b, (long long)fs_id);
    call("POST", end, "{\"ended_on\":\"2025-06-30\",\"reason\":\"驻村期满\"}", T_COUNTY, &r);
    expect(&r, 200, NULL);
    assert_int_equal(json_array_size(json_object_get(r.json, "items")), 3);
    zg_http_resp_free(&r);
    call("POST", end, NULL, T_COUNTY, &r);
    expect(&r, 409, "already_ended");
    zg_http_resp_free(&r);
    call("POST", P("/api/v1/orgs/%lld/leaders/999999/end", (long long)b), NULL, T_COUNTY, &r);
    expect(&r, 404, NULL);
    zg_http_resp_free(&r);
    /* ending a committee member would leave 2: refused */
    call("GET", path, NULL, T_VIEWER, &r);
    int64_t cm = jint(json_array_get(json_object_get(r.json, "items"), 2), "id");
    zg_http_resp_free(&r);
    call("POST", P("/api/v1/orgs/%lld/leaders/%lld/end", (long long)b, (long long)cm), "{}",
         T_COUNTY, &r);
    expect(&r, 422, "rule_violation");
    zg_http_resp_free(&r);
    call("GET", P("/api/v1/orgs/%lld/leaders?all=1", (long long)b), NULL, T_VIEWER, &r);
    assert_int_equal(jint(r.json, "total"), 4);
    zg_http_resp_free(&r);

    /* terms due: the committee ends 2027-06-01 */
    call("GET", "/api/v1/orgs/terms-due?days=3650", NULL, T_COUNTY, &r);
    expect(&r, 200, NULL);
    bool found = false;
    json_t *it;
    size_t i;
    json_array_foreach(json_object_get(r.json, "items"), i, it)
    {
        if (jint(it, "org_id") == b) {
            found = true;
            assert_string_equal(jstr_of(it, "term_end"), "2027-06-01");
        }
    }
    assert_true(found);
    zg_http_resp_free(&r);
    expect_field("GET", "/api/v1/orgs/terms-due?days=-1", NULL, T_COUNTY, 400, "invalid_fields",
                 "days");
}

static void test_grading(void **state)
{
    (void)state;
    char path[160];
    snprintf(path, sizeof path, "/api/v1/orgs/%lld/grading/2025", (long long)BRANCH_A1);
    zg_http_resp_t r;
    call("GET", path, NULL, T_BRANCH, &r);
    expect(&r, 404, NULL);
    zg_http_resp_free(&r);
    call("PUT", path,
         "{\"grade\":\"good\",\"indicators\":{\"组织设置\":20,\"组织生活\":19},\"graded_on\":"
         "\"2026-01-15\"}",
         T_COUNTY, &r);
    expect(&r, 201, NULL);
    assert_string_equal(jstr_of(r.json, "grade_label"), "好");
    assert_int_equal(jint(json_object_get(r.json, "indicators"), "组织生活"), 19);
    zg_http_resp_free(&r);
    call("PUT", path, "{\"grade\":\"fairly_good\",\"note\":\"复核调整\"}", T_COUNTY, &r);
    expect(&r, 200, NULL);
    zg_http_resp_free(&r);
    call("GET", path, NULL, T_BRANCH, &r);
    expect(&r, 200, NULL);
    assert_string_equal(jstr_of(r.json, "grade"), "fairly_good");
    assert_string_equal(jstr_of(r.json, "note"), "复核调整");
    zg_http_resp_free(&r);
    assert_int_equal(audit_count("org.grading", BRANCH_A1), 2);
    /* the detail shows the latest grading */
    call("GET", P("/api/v1/orgs/%lld", (long long)BRANCH_A1), NULL, T_BRANCH, &r);
    assert_int_equal(jint(json_object_get(r.json, "grading"), "year"), 2025);
    zg_http_resp_free(&r);
    expect_field("PUT", path, "{\"grade\":\"excellent\"}", T_COUNTY, 400, "invalid_fields",
                 "grade");
    expect_field("PUT", path, "{\"grade\":\"good\",\"indicators\":[1]}", T_COUNTY, 400,
                 "invalid_fields", "indicators");
    call("PUT", P("/api/v1/orgs/%lld/grading/25", (long long)BRANCH_A1), "{\"grade\":\"good\"}",
         T_COUNTY, &r);
    expect(&r, 400, "invalid_year");
    zg_http_resp_free(&r);
    call("PUT", path, "{\"grade\":\"good\"}", T_BRANCH, &r);
    expect(&r, 403, "forbidden");
    zg_http_resp_free(&r);
    expect_hidden("PUT", P("/api/v1/orgs/%lld/grading/2025", (long long)BRANCH_B),
                  "{\"grade\":\"good\"}", T_COUNTY);
}

static void test_dissolve(void **state)
{
    (void)state;
    int64_t gb = create(T_COUNTY, COUNTY_A, "general_branch", "青山县林业局党总支");
    int64_t b = create(T_COUNTY, gb, "branch", "青山县林业局第一党支部");
    zg_http_resp_t r;
    call("POST", P("/api/v1/orgs/%lld/dissolve", (long long)gb), NULL, T_COUNTY, &r);
    expect(&r, 422, "rule_violation");
    assert_true(has_finding(r.json, "org.dissolve_only_empty", "block"));
    zg_http_resp_free(&r);
    call("POST", P("/api/v1/orgs/%lld/dissolve", (long long)b),
         "{\"dissolved_on\":\"2025-12-31\",\"reason\":\"机构改革\"}", T_COUNTY, &r);
    expect(&r, 200, NULL);
    assert_string_equal(jstr_of(r.json, "status"), "dissolved");
    assert_string_equal(jstr_of(r.json, "status_label"), "已撤销");
    assert_string_equal(jstr_of(r.json, "dissolved_on"), "2025-12-31");
    zg_http_resp_free(&r);
    assert_int_equal(audit_count("org.dissolve", b), 1);
    call("POST", P("/api/v1/orgs/%lld/dissolve", (long long)b), NULL, T_COUNTY, &r);
    expect(&r, 409, "org_dissolved");
    zg_http_resp_free(&r);
    call("POST", P("/api/v1/orgs/%lld/dissolve", (long long)gb), "{}", T_COUNTY, &r);
    expect(&r, 200, NULL);
    zg_http_resp_free(&r);
    /* dissolved orgs are listed only when asked for */
    call("GET", P("/api/v1/orgs/%lld/children", (long long)COUNTY_A), NULL, T_COUNTY, &r);
    int64_t active = jint(r.json, "total");
    zg_http_resp_free(&r);
    call("GET", P("/api/v1/orgs/%lld/children?status=all", (long long)COUNTY_A), NULL, T_COUNTY,
         &r);
    assert_int_equal(jint(r.json, "total"), active + 1);
    zg_http_resp_free(&r);
    call("GET", P("/api/v1/orgs/%lld/children?status=dissolved", (long long)COUNTY_A), NULL,
         T_COUNTY, &r);
    assert_int_equal(jint(r.json, "total"), 1);
    assert_int_equal(jint(json_array_get(json_object_get(r.json, "items"), 0), "id"), gb);
    zg_http_resp_free(&r);
    /* own org: 403; out of scope: 404 */
    call("POST", P("/api/v1/orgs/%lld/dissolve", (long long)COUNTY_A), NULL, T_COUNTY, &r);
    expect(&r, 403, "own_org");
    zg_http_resp_free(&r);
    expect_hidden("POST", P("/api/v1/orgs/%lld/dissolve", (long long)BRANCH_B), NULL, T_COUNTY);
    expect_field("POST", P("/api/v1/orgs/%lld/dissolve", (long long)TOWN_A2), "{\"when\":1}",
                 T_COUNTY, 400, "invalid_fields", "when");
}

/* Every {id} route hides an org outside the caller's subtree. */
static void test_scope_hidden(void **state)
{
    (void)state;
    const char *get[] = {"", "/children", "/history", "/leaders", "/grading/2025"};
    for (size_t i = 0; i < sizeof get / sizeof get[0]; i++) {
        expect_hidden("GET", P("/api/v1/orgs/%lld%s", (long long)BRANCH_B, get[i]), NULL, T_COUNTY);
        expect_hidden("GET", P("/api/v1/orgs/%lld%s", (long long)COUNTY_A, get[i]), NULL, T_BRANCH);
    }
    expect_hidden("PATCH", P("/api/v1/orgs/%lld", (long long)BRANCH_B), "{\"sort\":1}", T_COUNTY);
    expect_hidden("POST", P("/api/v1/orgs/%lld/leaders", (long long)BRANCH_B),
                  "{\"post\":\"organizer\",\"person_name\":\"甲\",\"term_start\":\"2025-01-01\"}",
                  T_COUNTY);
    expect_hidden("POST", P("/api/v1/orgs/%lld/leaders/1/end", (long long)BRANCH_B), NULL,
                  T_COUNTY);
    expect_hidden("GET", "/api/v1/orgs/999999999", NULL, T_CITY);
    expect_hidden("GET", "/api/v1/orgs/abc", NULL, T_CITY);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_meta_and_login),
        cmocka_unit_test(test_create_and_detail),
        cmocka_unit_test(test_joint_branch_warning),
        cmocka_unit_test(test_update_history),
        cmocka_unit_test(test_tree_children_search),
        cmocka_unit_test(test_org_options),
        cmocka_unit_test(test_move),
        cmocka_unit_test(test_leaders),
        cmocka_unit_test(test_grading),
        cmocka_unit_test(test_dissolve),
        cmocka_unit_test(test_scope_hidden),
    };
    return cmocka_run_group_tests_name("api_org", tests, setup, teardown);
}
