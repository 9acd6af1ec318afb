/* test_scope_matrix.c — issue 3's access matrix: for accounts at the city, county and branch
 * level (all with the org_admin role, so a refusal can only come from data scope), every
 * org-bound endpoint refuses objects outside the account's subtree — read, update, move,
 * delete (dissolve), team and grading writes, creating under or moving to an outside parent,
 * tree and search — with 403/404 and no data of the object in the body, and the object is
 * unchanged afterwards. Each account also succeeds on its own subtree, so the test fails if
 * access is simply broken. The three administrator roles get 403 on business data.
 * Runs on the demo city (org_demo.c) on both backends. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <curl/curl.h>

#include "app/demo.h"
#include "db/db.h"
#include "testauth.h"
#include "testsrv.h"

static zg_testsrv_t S;
static int64_t other_root; /* a second tree nobody below is in */

static int64_t org_by_code(const char *code)
{
    zg_error_t err;
    zg_conn_t *c = zg_db_conn(S.app->db, &err);
    int64_t id = 0;
    zg_param_t p[] = {ZG_P_TEXT(code)};
    if (!c || zg_db_query_int(c, "SELECT id FROM org WHERE code = $1", p, 1, &id, &err))
        fail_msg("no org with code %s", code);
    return id;
}

static char *org_name(int64_t id)
{
    zg_error_t err;
    zg_conn_t *c = zg_db_conn(S.app->db, &err);
    zg_rows_t *rows;
    zg_param_t p[] = {ZG_P_INT(id)};
    assert_int_equal(
        zg_db_query(c, "SELECT name, parent_id, status FROM org WHERE id = $1", p, 1, &rows, &err),
        0);
    assert_int_equal(zg_rows_next(rows, &err), 1);
    char *s = NULL;
    assert_true(asprintf(&s, "%s|%lld|%s", zg_rows_text(rows, 0), (long long)zg_rows_int(rows, 1),
                         zg_rows_text(rows, 2)) > 0);
    zg_rows_close(rows);
    return s;
}

static void tweak(zg_config_t *c)
{
    zg_test_fast_hashing(c);
}

static int setup(void **state)
{
    (void)state;
    if (zg_testsrv_start(&S, tweak) != 0)
        return -1;
    zg_demo_report_t rep;
    zg_error_t err;
    if (zg_demo_load(S.app, &rep, &err)) {
        fprintf(stderr, "demo: %s %s\n", err.message, err.detail);
        return -1;
    }
    /* a second, unrelated tree */
    zg_conn_t *c = zg_db_conn(S.app->db, &err);
    if (zg_db_query_int(c,
                        "INSERT INTO org (kind, name, code, depth) VALUES "
                        "('committee', '中共远山市委员会', 'YS', 0) RETURNING id",
                        NULL, 0, &other_root, &err) ||
        zg_db_exec(c,
                   "INSERT INTO org_closure (ancestor_id, descendant_id, depth) "
                   "VALUES ($1, $1, 0)",
                   (zg_param_t[]){ZG_P_INT(other_root)}, 1, NULL, &err))
        return -1;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    zg_testsrv_stop(&S);
    return 0;
}

typedef struct {
    const char *label;
    char token[ZG_TEST_TOKEN_SIZE];
    int64_t home;
} acct_t;

static void make_account(acct_t *a, const char *username, int64_t home, const char *role)
{
    const char *pw = "Matrix#2026x";
    assert_true(zg_test_create_account(&S, username, pw, home, role) > 0);
    assert_int_equal(zg_test_login(S.port, username, pw, a->token, sizeof a->token), 0);
    a->home = home;
}

static long call(const acct_t *a, const char *method, const char *path, const char *body,
                 zg_http_resp_t *r)
{
    assert_int_equal(zg_http_auth(S.port, method, path, body, a->token, r), 0);
    return r->status;
}

/* Copies `in` to `out` with the first occurrence of `key` replaced by the number v. */
static void subst(const char *in, const char *key, int64_t v, char *out, size_t cap)
{
    const char *k = strstr(in, key);
    if (!k) {
        snprintf(out, cap, "%s", in);
        return;
    }
    snprintf(out, cap, "%.*s%lld%s", (int)(k - in), in, (long long)v, k + strlen(key));
}

/* Every org-bound endpoint against `target` (outside a's subtree) must refuse without data. */
static void assert_refused_everywhere(const acct_t *a, int64_t target)
{
    char *before = org_name(target);
    char name[512];
    snprintf(name, sizeof name, "%s", before);
    *strchr(name, '|') = '\0';
    char p[256], body[512];
    struct {
        const char *method;
        const char *fmt;
        const char *body;
    } calls[] = {
        {"GET", "/api/v1/orgs/ID", NULL},
        {"GET", "/api/v1/orgs/ID/children", NULL},
        {"GET", "/api/v1/orgs/ID/history", NULL},
        {"GET", "/api/v1/orgs/ID/leaders", NULL},
        {"GET", "/api/v1/orgs/ID/grading/2025", NULL},
        {"GET", "/api/v1/orgs/tree?root=ID", NULL},
        {"PATCH", "/api/v1/orgs/ID", "{\"name\":\"被篡改的名称\"}"},
        {"POST", "/api/v1/orgs/ID/move", "{\"parent_id\":HOME}"},
        {"POST", "/api/v1/orgs/ID/dissolve", "{\"reason\":\"越权撤销\"}"},
        {"POST", "/api/v1/orgs/ID/leaders",
         "{\"post\":\"secretary\",\"person_name\":\"张三\",\"term_start\":\"2026-01-01\"}"},
        {"POST", "/api/v1/orgs/ID/leaders/1/end", "{}"},
        {"PUT", "/api/v1/orgs/ID/grading/2026", "{\"grade\":\"poor\"}"},
        /* creating under an outside parent, moving an own org to an outside parent */
        {"POST", "/api/v1/orgs",
         "{\"parent_id\":TARGET,\"kind\":\"branch\",\"name\":\"越权新建支部\"}"},
        {"POST", "/api/v1/orgs/CHILD/move", "{\"parent_id\":TARGET}"},
    };
    /* an org strictly inside a's subtree, to move (a's home cannot be moved by itself) */
    zg_error_t err;
    zg_conn_t *c = zg_db_conn(S.app->db, &err);
    int64_t child = a->home;
    zg_param_t pp[] = {ZG_P_INT(a->home)};
    zg_db_query_int(c,
                    "SELECT min(descendant_id) FROM org_closure WHERE ancestor_id = $1 AND "
                    "depth = 1",
                    pp, 1, &child, &err);
    for (size_t i = 0; i < sizeof calls / sizeof calls[0]; i++) {
        /* substitute the placeholders */
        char tmp[512];
        subst(calls[i].fmt, "ID", target, tmp, sizeof tmp);
        subst(tmp, "CHILD", child, p, sizeof p);
        const char *b = NULL;
        if (calls[i].body) {
            subst(calls[i].body, "HOME", a->home, tmp, sizeof tmp);
            subst(tmp, "TARGET", target, body, sizeof body);
            b = body;
        }
        zg_http_resp_t r;
        long st = call(a, calls[i].method, p, b, &r);
        if (st != 403 && st != 404)
            fail_msg("%s: %s %s → %ld (expected 403/404): %s", a->label, calls[i].method, p, st,
                     r.body);
        if (strstr(r.body, name))
            fail_msg("%s: %s %s leaked the object's name: %s", a->label, calls[i].method, p,
                     r.body);
        zg_http_resp_free(&r);
    }
    /* search: the outside org never appears */
    char q[600];
    char *enc = curl_easy_escape(NULL, name, 0);
    snprintf(q, sizeof q, "/api/v1/orgs?q=%s&page_size=100", enc);
    curl_free(enc);
    zg_http_resp_t r;
    assert_int_equal(call(a, "GET", q, NULL, &r), 200);
    assert_null(strstr(r.body, name));
    zg_http_resp_free(&r);
    /* nothing changed */
    char *after = org_name(target);
    assert_string_equal(before, after);
    free(before);
    free(after);
}

/* The account can work in its own subtree (so refusals above are about scope, not access). */
static void assert_works_at_home(const acct_t *a)
{
    char p[128];
    zg_http_resp_t r;
    snprintf(p, sizeof p, "/api/v1/orgs/%lld", (long long)a->home);
    assert_int_equal(call(a, "GET", p, NULL, &r), 200);
    zg_http_resp_free(&r);
    snprintf(p, sizeof p, "/api/v1/orgs/%lld/children", (long long)a->home);
    assert_int_equal(call(a, "GET", p, NULL, &r), 200);
    zg_http_resp_free(&r);
    snprintf(p, sizeof p, "/api/v1/orgs/%lld/grading/2026", (long long)a->home);
    long st = call(a, "PUT", p, "{\"grade\":\"good\"}", &r);
    if (st != 200 && st != 201)
        fail_msg("%s: PUT own grading → %ld %s", a->label, st, r.body);
    zg_http_resp_free(&r);
}

static void test_city_level(void **state)
{
    (void)state;
    acct_t a = {.label = "city"};
    make_account(&a, "m_city", org_by_code("LJ"), "org_admin");
    assert_works_at_home(&a);
    assert_refused_everywhere(&a, other_root);
    /* and the whole city is visible: a village branch deep down */
    char p[128];
    zg_http_resp_t r;
    snprintf(p, sizeof p, "/api/v1/orgs/%lld", (long long)org_by_code("LJ-04-03-02"));
    assert_int_equal(call(&a, "GET", p, NULL, &r), 200);
    zg_http_resp_free(&r);
}

static void test_county_level(void **state)
{
    (void)state;
    acct_t a = {.label = "county"};
    make_account(&a, "m_county", org_by_code("LJ-04"), "org_admin");
    assert_works_at_home(&a);
    assert_refused_everywhere(&a, org_by_code("LJ"));    /* its parent */
    assert_refused_everywhere(&a, org_by_code("LJ-02")); /* a sibling county */
    assert_refused_everywhere(&a, org_by_code("LJ-01")); /* the agency work committee */
    assert_refused_everywhere(&a, other_root);
    /* the refusals are in the audit log, with who and what */
    zg_error_t err;
    zg_conn_t *c = zg_db_conn(S.app->db, &err);
    int64_t n = 0;
    assert_int_equal(zg_db_query_int(c,
                                     "SELECT count(*) FROM audit_log WHERE action = "
                                     "'access.denied' AND username = 'm_county' AND outcome = "
                                     "'denied' AND detail LIKE '%out_of_scope%'",
                                     NULL, 0, &n, &err),
                     0);
    assert_true(n >= 4 * 13);
}

static void test_branch_level(void **state)
{
    (void)state;
    acct_t a = {.label = "branch"};
    make_account(&a, "m_branch", org_by_code("LJ-04-03-02"), "org_admin");
    char p[128];
    zg_http_resp_t r;
    snprintf(p, sizeof p, "/api/v1/orgs/%lld", (long long)a.home);
    assert_int_equal(call(&a, "GET", p, NULL, &r), 200);
    zg_http_resp_free(&r);
    assert_refused_everywhere(&a, org_by_code("LJ-04-03"));    /* its township committee */
    assert_refused_everywhere(&a, org_by_code("LJ-04-03-01")); /* a sibling branch */
    assert_refused_everywhere(&a, org_by_code("LJ-02"));
}

/* 三员分立: none of the three administrator roles reads business data. */
static void test_admin_roles_see_no_business_data(void **state)
{
    (void)state;
    const char *roles[] = {"sysadmin", "secadmin", "auditor"};
    for (int i = 0; i < 3; i++) {
        acct_t a = {.label = roles[i]};
        char user[32];
        snprintf(user, sizeof user, "m_%s", roles[i]);
        make_account(&a, user, 0, roles[i]);
        char p[128];
        zg_http_resp_t r;
        snprintf(p, sizeof p, "/api/v1/orgs/%lld", (long long)org_by_code("LJ"));
        assert_int_equal(call(&a, "GET", p, NULL, &r), 403);
        assert_null(strstr(r.body, "临江"));
        zg_http_resp_free(&r);
        assert_int_equal(call(&a, "GET", "/api/v1/orgs?q=%E4%B8%B4", NULL, &r), 403);
        zg_http_resp_free(&r);
        assert_int_equal(call(&a, "GET", "/api/v1/orgs/tree", NULL, &r), 403);
        zg_http_resp_free(&r);
    }
}

int main(void)
{
    if (!strcmp(zg_test_backend(), "postgres") && !getenv("ZG_TEST_PG_URL")) {
        printf("[  SKIPPED ] postgres backend: ZG_TEST_PG_URL is not set\n");
        return 0;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_city_level),
        cmocka_unit_test(test_county_level),
        cmocka_unit_test(test_branch_level),
        cmocka_unit_test(test_admin_roles_see_no_business_data),
    };
    return cmocka_run_group_tests_name(zg_test_backend(), tests, setup, teardown);
}
