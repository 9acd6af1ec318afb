/* test_member.c — the member API (issue 4 §1–§3, §5; docs/api-members.md) over real HTTP on
 * both backends: create with findings (each refusal a 422 naming its rule, nothing written),
 * the duplicate ID number (named in scope, not revealed outside), masking with and without
 * member:read_pii (org_admin vs branch_secretary), the blind-index lookup, the audit entry of a
 * detail view, as-of reconstruction across a move (old org on D-1, new org on D), list filters
 * and paging, out-of-scope members (404 with no data for city, county and branch accounts, as
 * test_scope_matrix.c does for orgs), and — on SQLite — a grep of the raw database file and its
 * WAL for every ID number and phone in clear. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../unit/member/membertest.h"
#include "db/db.h"
#include "http/router.h"
#include "modules/member/member.h"
#include "modules/org/org.h"
#include "testauth.h"
#include "testsrv.h"

#define PW       "Member#2026x"
#define TEST_KEY "5a47f1e2d3c4b5a69788796a5b4c3d2e1f00112233445566778899aabbccddee"

static zg_testsrv_t S;
static int64_t root, county, town, village, village2, other_county, other_branch;

typedef struct acct {
    const char *label;
    char token[ZG_TEST_TOKEN_SIZE];
    int64_t home;
} acct_t;

static acct_t city, cnty, branch_sec, branch_admin, viewer, other;

static zg_conn_t *conn(void)
{
    zg_error_t err;
    zg_conn_t *c = zg_db_conn(S.app->db, &err);
    assert_non_null(c);
    return c;
}

static int64_t org_by_code(const char *code)
{
    zg_error_t err;
    int64_t id = 0;
    zg_param_t p[] = {ZG_P_TEXT(code)};
    if (zg_db_query_int(conn(), "SELECT id FROM org WHERE code = $1", p, 1, &id, &err))
        fail_msg("no org with code %s", code);
    return id;
}

static int64_t qint(const char *sql, int64_t p1)
{
    zg_error_t err;
    zg_param_t p[] = {ZG_P_INT(p1)};
    int64_t v = -1;
    CHECK(zg_db_query_int(conn(), sql, p, strstr(sql, "$1") ? 1 : 0, &v, &err));
    return v;
}

static void make_account(acct_t *a, const char *username, int64_t home, const char *role)
{
    assert_true(zg_test_create_account(&S, username, PW, home, role) > 0);
    assert_int_equal(zg_test_login(S.port, username, PW, a->token, sizeof a->token), 0);
    a->home = home;
}

static long call(const acct_t *a, const char *method, const char *path, const char *body,
                 zg_http_resp_t *r)
{
    assert_int_equal(zg_http_auth(S.port, method, path, body, a->token, r), 0);
    return r->status;
}

static void tweak(zg_config_t *c)
{
    zg_test_fast_hashing(c);
}

static int setup(void **state)
{
    (void)state;
    setenv("ZUGONG_FIELD_KEY", TEST_KEY, 1);
    if (zg_testsrv_start(&S, tweak) != 0)
        return -1;
    zg_error_t err;
    /* the hooks the app makes at start (zg_app_open); harmless when already made */
    if (zg_member_configure(&S.app->config, S.app->db, &err)) {
        fprintf(stderr, "member configure: %s %s\n", err.message, err.detail);
        return -1;
    }
    int rc = zg_member_routes(S.app->router);
    if (rc && rc != ZG_ERR_CONFLICT)
        return -1;
    if (zg_org_bootstrap_root(S.app->db, "中共临江市委员会", &root, &err))
        return -1;
    zg_org_demo_report_t orep;
    if (zg_org_demo_city(conn(), root, &orep, &err)) {
        fprintf(stderr, "org demo: %s\n", err.detail);
        return -1;
    }
    county = org_by_code("LJ-04");
    town = org_by_code("LJ-04-03");
    village = org_by_code("LJ-04-03-02");
    village2 = org_by_code("LJ-04-03-01");
    other_county = org_by_code("LJ-02");
    zg_param_t p[] = {ZG_P_INT(other_county)};
    if (zg_db_query_int(conn(),
                        "SELECT min(o.id) FROM org o JOIN org_closure c ON c.descendant_id = o.id "
                        "WHERE c.ancestor_id = $1 AND o.kind = 'branch'",
                        p, 1, &other_branch, &err))
        return -1;
    int64_t n = 0;
    if (zg_db_query_int(conn(), "SELECT count(*) FROM membership", NULL, 0, &n, &err))
        return -1;
    if (n == 0) {
        zg_member_demo_report_t rep;
        if (zg_member_demo_n(conn(), root, 600, &rep, &err)) {
            fprintf(stderr, "member demo: %s %s\n", err.message, err.detail);
            return -1;
        }
    }
    make_account(&city, "mm_city", root, "org_admin");
    make_account(&cnty, "mm_county", county, "org_admin");
    make_account(&branch_sec, "mm_secretary", village, "branch_secretary");
    make_account(&branch_admin, "mm_branch", village, "org_admin");
    make_account(&viewer, "mm_viewer", county, "viewer");
    make_account(&other, "mm_other", other_county, "org_admin");
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    zg_testsrv_stop(&S);
    unsetenv("ZUGONG_FIELD_KEY");
    return 0;
}

/* ---- helpers -------------------------------------------------------------------------------- */

/* A member body: born `birth`, ID sequence `seq` (odd: male), joined `joined`, in org. */
static char *body(int64_t org, const char *name, const char *birth, int seq, const char *joined,
                  const char *extra)
{
    char id[19];
    idnum(id, birth, seq);
    char *b = NULL;
    assert_true(asprintf(&b,
                         "{\"name\":\"%s\",\"gender\":\"%s\",\"birth_date\":\"%s\","
                         "\"id_number\":\"%s\",\"phone\":\"139%08d\",\"org_id\":%lld,"
                         "\"joined_on\":\"%s\",\"ethnicity\":\"01\",\"education\":\"21\","
                         "\"occupation\":\"professional\",\"dues_category\":\"salaried\"%s%s}",
                         name, seq % 2 ? "1" : "2", birth, id, seq * 7919 % 100000000,
                         (long long)org, joined, extra ? "," : "", extra ? extra : "") > 0);
    return b;
}

static int64_t create(const acct_t *a, int64_t org, const char *name, const char *birth, int seq,
                      const char *joined, const char *extra)
{
    char *b = body(org, name, birth, seq, joined, extra);
    zg_http_resp_t r;
    long st = call(a, "POST", "/api/v1/members", b, &r);
    if (st != 201)
        fail_msg("create %s → %ld %s", name, st, r.body);
    int64_t id = json_integer_value(json_object_get(r.json, "id"));
    zg_http_resp_free(&r);
    free(b);
    return id;
}

static bool has_rule(const zg_http_resp_t *r, const char *rule, const char *severity)
{
    json_t *f = json_object_get(r->json, "findings");
    size_t i;
    json_t *v;
    json_array_foreach(f, i, v)
    {
        if (!strcmp(json_string_value(json_object_get(v, "rule")), rule) &&
            (!severity || !strcmp(json_string_value(json_object_get(v, "severity")), severity)) &&
            json_string_value(json_object_get(v, "citation")) &&
            *json_string_value(json_object_get(v, "citation")))
            return true;
    }
    return false;
}

static int64_t total_of(const zg_http_resp_t *r)
{
    return json_integer_value(json_object_get(r->json, "total"));
}

/* Whether the list answer holds member `id`. */
static bool lists(const zg_http_resp_t *r, int64_t id)
{
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(r->json, "items"), i, v)
    {
        if (json_integer_value(json_object_get(v, "id")) == id)
            return true;
    }
    return false;
}

/* ---- create and rules -------------------------------------------------------------------------
 */

static void test_create_with_findings(void **state)
{
    (void)state;
    /* a member recorded as full, converted more than two years after joining: a warning */
    char *b = body(village, "刘晓东", "1980-02-10", 301, "2001-07-01",
                   "\"converted_on\":\"2003-08-01\",\"note\":\"档案补录\"");
    zg_http_resp_t r;
    assert_int_equal(call(&cnty, "POST", "/api/v1/members", b, &r), 201);
    free(b);
    assert_true(has_rule(&r, "member.conversion_late", "warn"));
    assert_true(has_rule(&r, "member.standing_since", "info"));
    assert_string_equal(zg_http_json_str(&r, "status"), "full");
    assert_string_equal(zg_http_json_str(&r, "standing_since"), "2003-08-01");
    assert_string_equal(zg_http_json_str(&r, "status_label"), "正式党员");
    assert_int_equal(json_array_size(json_object_get(r.json, "events")), 2);
    zg_http_resp_free(&r);

    /* several broken rules at once: 422, every finding with its rule and citation, nothing
     * written */
    char id[19];
    idnum(id, "2000-03-01", 303);
    id[17] = id[17] == '0' ? '1' : '0'; /* wrong check digit */
    char *bad = NULL;
    assert_true(asprintf(&bad,
                         "{\"name\":\"错误示例\",\"gender\":\"1\",\"birth_date\":\"2000-03-01\","
                         "\"id_number\":\"%s\",\"phone\":\"1230000\",\"org_id\":%lld,"
                         "\"joined_on\":\"2018-02-28\",\"converted_on\":\"2019-02-27\"}",
                         id, (long long)village) > 0);
    assert_int_equal(call(&cnty, "POST", "/api/v1/members", bad, &r), 422);
    free(bad);
    assert_string_equal(zg_http_json_str(&r, "code"), "rule_violation");
    assert_true(has_rule(&r, "member.id_number_valid", "block"));
    assert_true(has_rule(&r, "member.phone_format", "block"));
    assert_true(has_rule(&r, "member.age_at_join", "block"));
    assert_true(has_rule(&r, "member.conversion_after_probation", "block"));
    json_t *fields = json_object_get(r.json, "fields");
    assert_non_null(json_object_get(fields, "id_number"));
    assert_non_null(json_object_get(fields, "joined_on"));
    assert_non_null(strstr(r.body, "《中国共产党发展党员工作细则》第五条"));
    zg_http_resp_free(&r);
    assert_int_equal(qint("SELECT count(*) FROM person WHERE name = '错误示例'", 0), 0);

    /* 18 on the day of joining: fine; the day before: refused */
    b = body(village, "年满十八", "2000-03-01", 305, "2018-03-01", NULL);
    assert_int_equal(call(&cnty, "POST", "/api/v1/members", b, &r), 201);
    zg_http_resp_free(&r);
    free(b);
    b = body(village, "未满十八", "2000-03-01", 307, "2018-02-28", NULL);
    assert_int_equal(call(&cnty, "POST", "/api/v1/members", b, &r), 422);
    assert_true(has_rule(&r, "member.age_at_join", "block"));
    zg_http_resp_free(&r);
    free(b);

    /* required fields: a 422 naming each */
    assert_int_equal(call(&cnty, "POST", "/api/v1/members", "{}", &r), 422);
    fields = json_object_get(r.json, "fields");
    const char *req[] = {"name", "gender", "birth_date", "org_id", "joined_on"};
    for (size_t i = 0; i < 5; i++)
        assert_non_null(json_object_get(fields, req[i]));
    assert_true(has_rule(&r, "member.required_fields", "block"));
    zg_http_resp_free(&r);
    /* strict JSON: unknown fields and wrong types are 400 */
    assert_int_equal(call(&cnty, "POST", "/api/v1/members", "{\"nickname\":\"x\"}", &r), 400);
    zg_http_resp_free(&r);
    assert_int_equal(call(&cnty, "POST", "/api/v1/members", "{\"org_id\":\"x\"}", &r), 400);
    zg_http_resp_free(&r);
    /* an org outside the caller's scope: 404 */
    b = body(other_branch, "越权登记", "1990-01-01", 309, "2015-01-01", NULL);
    assert_int_equal(call(&cnty, "POST", "/api/v1/members", b, &r), 404);
    zg_http_resp_free(&r);
    free(b);
    assert_int_equal(qint("SELECT count(*) FROM person WHERE name = '越权登记'", 0), 0);
    /* the viewer cannot write */
    b = body(village, "只读账号", "1990-01-01", 311, "2015-01-01", NULL);
    assert_int_equal(call(&viewer, "POST", "/api/v1/members", b, &r), 403);
    zg_http_resp_free(&r);
    free(b);
}

static void test_duplicate_id_number(void **state)
{
    (void)state;
    int64_t first = create(&cnty, village, "王重复", "1975-08-08", 401, "1999-07-01",
                           "\"converted_on\":\"2000-07-01\"");
    /* the same number in the same county: refused, the existing member named */
    char *b = body(village2, "王重复二", "1975-08-08", 401, "1999-07-01", NULL);
    zg_http_resp_t r;
    assert_int_equal(call(&cnty, "POST", "/api/v1/members", b, &r), 422);
    assert_true(has_rule(&r, "member.id_number_unique", "block"));
    assert_int_equal(json_integer_value(json_object_get(r.json, "existing_id")), first);
    zg_http_resp_free(&r);
    free(b);
    /* from another county: refused too, but nothing about the member is revealed */
    b = body(other_branch, "王重复三", "1975-08-08", 401, "1999-07-01", NULL);
    assert_int_equal(call(&other, "POST", "/api/v1/members", b, &r), 422);
    assert_true(has_rule(&r, "member.id_number_unique", "block"));
    assert_null(json_object_get(r.json, "existing_id"));
    assert_null(strstr(r.body, "王重复"));
    assert_null(strstr(r.body, "石桥"));
    char num[32];
    snprintf(num, sizeof num, "%lld", (long long)first);
    assert_null(strstr(r.body, num));
    zg_http_resp_free(&r);
    free(b);
    assert_int_equal(qint("SELECT count(*) FROM person WHERE name LIKE '王重复%'", 0), 1);
}

/* ---- PII ----------------------------------------------------------------------------------------
 */

static void test_masking_by_permission(void **state)
{
    (void)state;
    int64_t id = create(&cnty, village, "陈秀英", "1988-04-04", 502, "2012-12-01",
                        "\"converted_on\":\"2013-12-01\"");
    char id_number[19];
    idnum(id_number, "1988-04-04", 502);
    char phone[12];
    snprintf(phone, sizeof phone, "139%08d", 502 * 7919 % 100000000);
    char p[128];
    snprintf(p, sizeof p, "/api/v1/members/%lld", (long long)id);
    zg_http_resp_t r;
    /* org_admin holds member:read_pii: clear values */
    assert_int_equal(call(&branch_admin, "GET", p, NULL, &r), 200);
    assert_string_equal(zg_http_json_str(&r, "id_number"), id_number);
    assert_string_equal(zg_http_json_str(&r, "phone"), phone);
    assert_true(json_is_true(json_object_get(r.json, "pii")));
    zg_http_resp_free(&r);
    /* branch_secretary does not: masked, and the clear values appear nowhere in the body */
    assert_int_equal(call(&branch_sec, "GET", p, NULL, &r), 200);
    const char *shown = zg_http_json_str(&r, "id_number");
    assert_int_equal(strlen(shown), 18);
    assert_memory_equal(shown, id_number, 6);
    assert_memory_equal(shown + 6, "********", 8);
    assert_memory_equal(shown + 14, id_number + 14, 4);
    char masked_phone[12];
    snprintf(masked_phone, sizeof masked_phone, "%.3s****%.4s", phone, phone + 7);
    assert_string_equal(zg_http_json_str(&r, "phone"), masked_phone);
    assert_true(json_is_false(json_object_get(r.json, "pii")));
    assert_null(strstr(r.body, id_number));
    assert_null(strstr(r.body, phone));
    zg_http_resp_free(&r);
    /* lists: the same */
    snprintf(p, sizeof p, "/api/v1/orgs/%lld/members?page_size=100&q=%%E9%%99%%88%%E7%%A7%%80",
             (long long)village); /* q=陈秀 */
    assert_int_equal(call(&branch_sec, "GET", p, NULL, &r), 200);
    assert_true(lists(&r, id));
    assert_null(strstr(r.body, id_number));
    assert_null(strstr(r.body, phone));
    zg_http_resp_free(&r);
    assert_int_equal(call(&branch_admin, "GET", p, NULL, &r), 200);
    assert_non_null(strstr(r.body, id_number));
    zg_http_resp_free(&r);
}

static void test_blind_index_lookup(void **state)
{
    (void)state;
    /* an ID number ending in X: the lookup also finds it typed with a lowercase x */
    char id_number[19];
    int seq = 601;
    for (; seq < 999; seq += 2) {
        idnum(id_number, "1979-09-09", seq);
        if (id_number[17] == 'X')
            break;
    }
    int64_t id = create(&cnty, village, "周志强", "1979-09-09", seq, "2004-05-04",
                        "\"converted_on\":\"2005-05-04\"");
    char p[128];
    zg_http_resp_t r;
    snprintf(p, sizeof p, "/api/v1/members?id_number=%s", id_number);
    assert_int_equal(call(&cnty, "GET", p, NULL, &r), 200);
    assert_int_equal(total_of(&r), 1);
    assert_true(lists(&r, id));
    zg_http_resp_free(&r);
    id_number[17] = 'x';
    snprintf(p, sizeof p, "/api/v1/members?id_number=%s", id_number);
    assert_int_equal(call(&branch_sec, "GET", p, NULL, &r), 200);
    assert_int_equal(total_of(&r), 1);
    zg_http_resp_free(&r);
    /* outside the caller's scope: not found, nothing told */
    assert_int_equal(call(&other, "GET", p, NULL, &r), 200);
    assert_int_equal(total_of(&r), 0);
    assert_null(strstr(r.body, "周志强"));
    zg_http_resp_free(&r);
    /* a neighbouring number does not match; a malformed one is a 400 */
    idnum(id_number, "1979-09-09", seq + 2);
    snprintf(p, sizeof p, "/api/v1/members?id_number=%s", id_number);
    assert_int_equal(call(&cnty, "GET", p, NULL, &r), 200);
    assert_int_equal(total_of(&r), 0);
    zg_http_resp_free(&r);
    assert_int_equal(call(&cnty, "GET", "/api/v1/members?id_number=430102197909", NULL, &r), 400);
    zg_http_resp_free(&r);
    /* the stored index is a keyed hash, not the number */
    assert_int_equal(qint("SELECT count(*) FROM person WHERE id_number_bidx LIKE '43%' AND "
                          "length(id_number_bidx) = 18",
                          0),
                     0);
}

static void test_detail_view_is_audited(void **state)
{
    (void)state;
    int64_t id = create(&cnty, village, "审计对象", "1966-06-06", 703, "1990-07-01",
                        "\"converted_on\":\"1991-07-01\"");
    int64_t before = qint("SELECT count(*) FROM audit_log WHERE action = 'member.view' AND "
                          "object_id = $1",
                          id);
    char p[128];
    snprintf(p, sizeof p, "/api/v1/members/%lld", (long long)id);
    zg_http_resp_t r;
    assert_int_equal(call(&branch_sec, "GET", p, NULL, &r), 200);
    zg_http_resp_free(&r);
    assert_int_equal(call(&cnty, "GET", p, NULL, &r), 200);
    zg_http_resp_free(&r);
    assert_int_equal(qint("SELECT count(*) FROM audit_log WHERE action = 'member.view' AND "
                          "object_id = $1",
                          id),
                     before + 2);
    zg_error_t err;
    zg_rows_t *rows;
    zg_param_t pp[] = {ZG_P_INT(id)};
    CHECK(zg_db_query(conn(),
                      "SELECT username, detail, object_type FROM audit_log WHERE action = "
                      "'member.view' AND object_id = $1 ORDER BY seq",
                      pp, 1, &rows, &err));
    assert_int_equal(zg_rows_next(rows, &err), 1);
    assert_string_equal(zg_rows_text(rows, 0), "mm_secretary");
    assert_non_null(strstr(zg_rows_text(rows, 1), "\"pii\":false"));
    assert_string_equal(zg_rows_text(rows, 2), "member");
    assert_int_equal(zg_rows_next(rows, &err), 1);
    assert_string_equal(zg_rows_text(rows, 0), "mm_county");
    assert_non_null(strstr(zg_rows_text(rows, 1), "\"pii\":true"));
    zg_rows_close(rows);
    /* a list read is not a full-record view; a refused one is not a view either */
    snprintf(p, sizeof p, "/api/v1/members/%lld", (long long)id);
    assert_int_equal(call(&other, "GET", p, NULL, &r), 404);
    zg_http_resp_free(&r);
    assert_int_equal(qint("SELECT count(*) FROM audit_log WHERE action = 'member.view' AND "
                          "object_id = $1",
                          id),
                     before + 2);
    /* no audit entry anywhere holds a clear ID number */
    char id_number[19];
    idnum(id_number, "1966-06-06", 703);
    zg_param_t q[] = {ZG_P_TEXT(id_number)};
    int64_t n = -1;
    CHECK(zg_db_query_int(
        conn(), "SELECT count(*) FROM audit_log WHERE detail LIKE '%' || CAST($1 AS TEXT) || '%'",
        q, 1, &n, &err));
    assert_int_equal(n, 0);
}

/* ---- as-of and events --------------------------------------------------------------------------
 */

static void test_as_of_across_a_move(void **state)
{
    (void)state;
    int64_t id = create(&cnty, village, "调动党员", "1970-10-10", 803, "1995-07-01",
                        "\"converted_on\":\"1996-07-01\"");
    char p[256];
    snprintf(p, sizeof p, "/api/v1/members/%lld/events", (long long)id);
    char ev[128];
    snprintf(ev, sizeof ev, "{\"kind\":\"moved\",\"on_date\":\"2026-06-15\",\"to_org_id\":%lld}",
             (long long)village2);
    zg_http_resp_t r;
    assert_int_equal(call(&cnty, "POST", p, ev, &r), 201);
    assert_int_equal(json_integer_value(json_object_get(r.json, "org_id")), village2);
    zg_http_resp_free(&r);
    struct {
        int64_t org;
        const char *day;
        bool in;
    } cases[] = {
        {village, "2026-06-14", true},
        {village, "2026-06-15", false},
        {village2, "2026-06-14", false},
        {village2, "2026-06-15", true},
    };
    for (size_t i = 0; i < 4; i++) {
        snprintf(p, sizeof p, "/api/v1/orgs/%lld/members?as_of=%s&page_size=100&q=%s",
                 (long long)cases[i].org, cases[i].day, "%E8%B0%83%E5%8A%A8"); /* 调动 */
        assert_int_equal(call(&cnty, "GET", p, NULL, &r), 200);
        if (lists(&r, id) != cases[i].in)
            fail_msg("org %lld on %s: expected %s", (long long)cases[i].org, cases[i].day,
                     cases[i].in ? "listed" : "absent");
        zg_http_resp_free(&r);
    }
    /* counts as of the two days */
    snprintf(p, sizeof p, "/api/v1/orgs/%lld/member-counts?as_of=2026-06-14", (long long)village2);
    assert_int_equal(call(&cnty, "GET", p, NULL, &r), 200);
    int64_t before =
        json_integer_value(json_object_get(json_object_get(r.json, "direct"), "total"));
    zg_http_resp_free(&r);
    snprintf(p, sizeof p, "/api/v1/orgs/%lld/member-counts?as_of=2026-06-15", (long long)village2);
    assert_int_equal(call(&cnty, "GET", p, NULL, &r), 200);
    int64_t after = json_integer_value(json_object_get(json_object_get(r.json, "direct"), "total"));
    zg_http_resp_free(&r);
    assert_int_equal(after, before + 1);
    /* the town's subtree total is the same on both days */
    snprintf(p, sizeof p, "/api/v1/orgs/%lld/member-counts?as_of=2026-06-14", (long long)town);
    assert_int_equal(call(&cnty, "GET", p, NULL, &r), 200);
    int64_t t1 = json_integer_value(json_object_get(json_object_get(r.json, "subtree"), "total"));
    assert_true(json_array_size(json_object_get(r.json, "children")) > 0);
    zg_http_resp_free(&r);
    snprintf(p, sizeof p, "/api/v1/orgs/%lld/member-counts?as_of=2026-06-15", (long long)town);
    assert_int_equal(call(&cnty, "GET", p, NULL, &r), 200);
    assert_int_equal(
        json_integer_value(json_object_get(json_object_get(r.json, "subtree"), "total")), t1);
    zg_http_resp_free(&r);
    /* the history shows the move with both orgs */
    snprintf(p, sizeof p, "/api/v1/members/%lld/events", (long long)id);
    assert_int_equal(call(&cnty, "GET", p, NULL, &r), 200);
    json_t *items = json_object_get(r.json, "items");
    json_t *last = json_array_get(items, json_array_size(items) - 1);
    assert_string_equal(json_string_value(json_object_get(last, "kind")), "moved");
    assert_int_equal(json_integer_value(json_object_get(json_object_get(last, "from_org"), "id")),
                     village);
    zg_http_resp_free(&r);
}

static void test_events(void **state)
{
    (void)state;
    int64_t id = create(&cnty, village, "预备党员甲", "1998-01-01", 905, "2025-09-01", NULL);
    char p[128];
    snprintf(p, sizeof p, "/api/v1/members/%lld/events", (long long)id);
    zg_http_resp_t r;
    /* conversion the day before the end of the probation: refused */
    assert_int_equal(
        call(&cnty, "POST", p, "{\"kind\":\"converted\",\"on_date\":\"2026-08-31\"}", &r), 422);
    assert_true(has_rule(&r, "member.conversion_after_probation", "block"));
    zg_http_resp_free(&r);
    /* extension: 5 months refused, 6 accepted, a second one refused */
    assert_int_equal(call(&cnty, "POST", p,
                          "{\"kind\":\"extended\",\"on_date\":\"2026-09-01\","
                          "\"extension_months\":5}",
                          &r),
                     422);
    assert_true(has_rule(&r, "member.extension_range", "block"));
    zg_http_resp_free(&r);
    assert_int_equal(call(&cnty, "POST", p,
                          "{\"kind\":\"extended\",\"on_date\":\"2026-09-01\","
                          "\"extension_months\":6}",
                          &r),
                     201);
    assert_string_equal(zg_http_json_str(&r, "probation_end"), "2027-03-01");
    assert_true(json_is_true(json_object_get(r.json, "extended")));
    zg_http_resp_free(&r);
    assert_int_equal(call(&cnty, "POST", p,
                          "{\"kind\":\"extended\",\"on_date\":\"2026-09-02\","
                          "\"extension_months\":6}",
                          &r),
                     422);
    assert_true(has_rule(&r, "member.extension_once", "block"));
    zg_http_resp_free(&r);
    /* transfers go through the transfer module; unknown kinds are a 400 */
    assert_int_equal(
        call(&cnty, "POST", p, "{\"kind\":\"transfer_out\",\"on_date\":\"2026-10-01\"}", &r), 400);
    zg_http_resp_free(&r);
    assert_int_equal(call(&cnty, "POST", p, "{\"kind\":\"promoted\"}", &r), 400);
    zg_http_resp_free(&r);
    /* a future date is refused */
    assert_int_equal(
        call(&cnty, "POST", p, "{\"kind\":\"mobile_out\",\"on_date\":\"2099-01-01\"}", &r), 422);
    assert_true(has_rule(&r, "member.event_order", "block"));
    zg_http_resp_free(&r);
    /* moving into an org outside the scope: 404 */
    char ev[128];
    snprintf(ev, sizeof ev, "{\"kind\":\"moved\",\"on_date\":\"2026-10-01\",\"to_org_id\":%lld}",
             (long long)other_branch);
    assert_int_equal(call(&cnty, "POST", p, ev, &r), 404);
    zg_http_resp_free(&r);
    /* PATCH: person fields yes, the org no */
    snprintf(p, sizeof p, "/api/v1/members/%lld", (long long)id);
    assert_int_equal(call(&cnty, "PATCH", p, "{\"native_place\":\"湖南临江\",\"phone\":\"\"}", &r),
                     200);
    assert_string_equal(zg_http_json_str(&r, "native_place"), "湖南临江");
    assert_true(json_is_null(json_object_get(r.json, "phone")));
    zg_http_resp_free(&r);
    snprintf(ev, sizeof ev, "{\"org_id\":%lld}", (long long)village2);
    assert_int_equal(call(&cnty, "PATCH", p, ev, &r), 400);
    assert_non_null(json_object_get(json_object_get(r.json, "fields"), "org_id"));
    zg_http_resp_free(&r);
    assert_int_equal(call(&cnty, "PATCH", p, "{\"birth_date\":\"1998-01-02\"}", &r), 422);
    assert_true(has_rule(&r, "member.id_number_birth", "block"));
    zg_http_resp_free(&r);
    assert_int_equal(qint("SELECT count(*) FROM audit_log WHERE action = 'member.update' AND "
                          "object_id = $1",
                          id),
                     1);
}

/* ---- lists ----------------------------------------------------------------------------------- */

static void test_list_filters_and_paging(void **state)
{
    (void)state;
    zg_http_resp_t r;
    char p[256];
    /* the county's current members, counted in SQL */
    int64_t expect = qint("SELECT count(*) FROM membership m JOIN org_closure c ON "
                          "c.descendant_id = m.org_id WHERE c.ancestor_id = $1 AND m.status IN "
                          "('probationary', 'full')",
                          county);
    assert_true(expect > 20);
    assert_int_equal(call(&cnty, "GET", "/api/v1/members?page_size=100", NULL, &r), 200);
    assert_int_equal(total_of(&r), expect);
    assert_int_equal(json_array_size(json_object_get(r.json, "items")),
                     expect < 100 ? expect : 100);
    zg_http_resp_free(&r);
    /* the city sees more */
    assert_int_equal(call(&city, "GET", "/api/v1/members", NULL, &r), 200);
    assert_true(total_of(&r) > expect);
    zg_http_resp_free(&r);
    /* gender */
    int64_t women = qint("SELECT count(*) FROM membership m JOIN person pp ON pp.id = "
                         "m.person_id JOIN org_closure c ON c.descendant_id = m.org_id WHERE "
                         "c.ancestor_id = $1 AND m.status IN ('probationary', 'full') AND "
                         "pp.gender = '2'",
                         county);
    assert_int_equal(call(&cnty, "GET", "/api/v1/members?gender=2", NULL, &r), 200);
    assert_int_equal(total_of(&r), women);
    zg_http_resp_free(&r);
    /* the bands, categories and periods partition the list */
    const char *groups[][9] = {
        {"age_band", "le30", "31_35", "36_40", "41_45", "46_50", "51_55", "56_60", "ge61"},
        {"join_period", "before_1949", "to_1978", "to_2012", "since_2012", NULL},
        {"education", "postgrad", "undergrad", "college", "secondary", "junior", NULL},
    };
    for (size_t g = 0; g < 3; g++) {
        int64_t sum = 0;
        for (size_t i = 1; i < 9 && groups[g][i]; i++) {
            snprintf(p, sizeof p, "/api/v1/members?%s=%s", groups[g][0], groups[g][i]);
            assert_int_equal(call(&cnty, "GET", p, NULL, &r), 200);
            sum += total_of(&r);
            zg_http_resp_free(&r);
        }
        if (sum != expect)
            fail_msg("%s: the parts sum to %lld, not %lld", groups[g][0], (long long)sum,
                     (long long)expect);
    }
    /* bad values are a 400 */
    const char *bad[] = {"/api/v1/members?age_band=99", "/api/v1/members?page_size=101",
                         "/api/v1/members?page=0",      "/api/v1/members?sort=salary",
                         "/api/v1/members?status=x",    "/api/v1/members?as_of=2026-13-01",
                         "/api/v1/members?gender=3"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(call(&cnty, "GET", bad[i], NULL, &r), 400);
        zg_http_resp_free(&r);
    }
    /* paging: pages are disjoint and cover the list; sorting by join date */
    int64_t seen = 0, last_id = 0;
    char last_join[11] = "0000-00-00";
    for (int page = 1; page <= 3; page++) {
        snprintf(p, sizeof p, "/api/v1/members?sort=joined_on&page_size=10&page=%d", page);
        assert_int_equal(call(&cnty, "GET", p, NULL, &r), 200);
        size_t i;
        json_t *v;
        json_array_foreach(json_object_get(r.json, "items"), i, v)
        {
            const char *j = json_string_value(json_object_get(v, "joined_on"));
            assert_true(strcmp(j, last_join) >= 0);
            snprintf(last_join, sizeof last_join, "%s", j);
            assert_true(json_integer_value(json_object_get(v, "id")) != last_id);
            last_id = json_integer_value(json_object_get(v, "id"));
            seen++;
        }
        zg_http_resp_free(&r);
    }
    assert_int_equal(seen, expect < 30 ? expect : 30);
    /* descending */
    assert_int_equal(call(&cnty, "GET", "/api/v1/members?sort=-joined_on&page_size=2", NULL, &r),
                     200);
    json_t *items = json_object_get(r.json, "items");
    assert_true(strcmp(json_string_value(json_object_get(json_array_get(items, 0), "joined_on")),
                       json_string_value(json_object_get(json_array_get(items, 1), "joined_on"))) >=
                0);
    zg_http_resp_free(&r);
    /* status=all includes the others; org_id narrows to a subtree */
    snprintf(p, sizeof p, "/api/v1/members?org_id=%lld", (long long)town);
    assert_int_equal(call(&cnty, "GET", p, NULL, &r), 200);
    int64_t in_town = total_of(&r);
    zg_http_resp_free(&r);
    assert_true(in_town > 0 && in_town < expect);
    /* the meta table */
    assert_int_equal(call(&branch_sec, "GET", "/api/v1/members/meta", NULL, &r), 200);
    assert_int_equal(json_array_size(json_object_get(r.json, "age_bands")), 8);
    zg_http_resp_free(&r);
}

/* ---- scope ----------------------------------------------------------------------------------- */

/* Every member endpoint on member `id` (outside a's subtree) refuses with 404 and no data. */
static void assert_member_refused(const acct_t *a, int64_t id, const char *name)
{
    char p[160], body_move[128];
    snprintf(body_move, sizeof body_move, "{\"kind\":\"mobile_out\",\"on_date\":\"2026-10-01\"}");
    struct {
        const char *method, *suffix, *body;
    } calls[] = {
        {"GET", "", NULL},
        {"PATCH", "", "{\"name\":\"篡改\"}"},
        {"GET", "/events", NULL},
        {"POST", "/events", body_move},
    };
    for (size_t i = 0; i < sizeof calls / sizeof calls[0]; i++) {
        snprintf(p, sizeof p, "/api/v1/members/%lld%s", (long long)id, calls[i].suffix);
        zg_http_resp_t r;
        long st = call(a, calls[i].method, p, calls[i].body, &r);
        if (st != 404)
            fail_msg("%s %s %s → %ld %s", a->label, calls[i].method, p, st, r.body);
        assert_null(strstr(r.body, name));
        zg_http_resp_free(&r);
    }
    zg_member_t m;
    zg_error_t err;
    zg_arena_t ar;
    zg_arena_init(&ar, 0, 1 << 20);
    CHECK(zg_member_get(conn(), &ar, root, id, false, &m, &err));
    assert_string_equal(m.name, name);
    assert_false(m.mobile);
    zg_arena_destroy(&ar);
}

static void assert_org_refused(const acct_t *a, int64_t org)
{
    for (size_t i = 0; i < 3; i++) {
        char p[128];
        if (i == 0)
            snprintf(p, sizeof p, "/api/v1/orgs/%lld/members", (long long)org);
        else if (i == 1)
            snprintf(p, sizeof p, "/api/v1/orgs/%lld/member-counts", (long long)org);
        else
            snprintf(p, sizeof p, "/api/v1/members?org_id=%lld", (long long)org);
        zg_http_resp_t r;
        long st = call(a, "GET", p, NULL, &r);
        if (st != 404)
            fail_msg("%s GET %s → %ld", a->label, p, st);
        assert_null(json_object_get(r.json, "items"));
        zg_http_resp_free(&r);
    }
}

static void test_out_of_scope(void **state)
{
    (void)state;
    int64_t far = create(&other, other_branch, "远方党员", "1977-07-07", 1101, "2000-07-01",
                         "\"converted_on\":\"2001-07-01\"");
    int64_t sibling = create(&cnty, village2, "邻村党员", "1978-08-08", 1103, "2000-07-01",
                             "\"converted_on\":\"2001-07-01\"");
    /* county: a member of another county */
    assert_member_refused(&cnty, far, "远方党员");
    assert_org_refused(&cnty, other_county);
    assert_org_refused(&cnty, root);
    /* branch (both roles): a member of the sibling village */
    assert_member_refused(&branch_admin, sibling, "邻村党员");
    assert_member_refused(&branch_sec, sibling, "邻村党员");
    assert_org_refused(&branch_sec, village2);
    assert_org_refused(&branch_sec, town);
    /* the lists of the accounts never contain them */
    zg_http_resp_t r;
    assert_int_equal(call(&cnty, "GET",
                          "/api/v1/members?page_size=100&status=all&q=%E8%BF%9C%E6%96%B9", NULL,
                          &r),
                     200); /* q=远方 */
    assert_int_equal(total_of(&r), 0);
    zg_http_resp_free(&r);
    assert_int_equal(call(&branch_sec, "GET", "/api/v1/members?page_size=100&status=all", NULL, &r),
                     200);
    assert_false(lists(&r, sibling));
    assert_int_equal(total_of(&r),
                     qint("SELECT count(*) FROM membership WHERE org_id = $1", village));
    zg_http_resp_free(&r);
    /* the city sees both */
    char p[64];
    snprintf(p, sizeof p, "/api/v1/members/%lld", (long long)far);
    assert_int_equal(call(&city, "GET", p, NULL, &r), 200);
    zg_http_resp_free(&r);
    snprintf(p, sizeof p, "/api/v1/members/%lld", (long long)sibling);
    assert_int_equal(call(&branch_sec, "GET", p, NULL, &r), 404);
    zg_http_resp_free(&r);
    assert_int_equal(call(&cnty, "GET", p, NULL, &r), 200);
    zg_http_resp_free(&r);
    /* an unknown id answers the same as one out of scope */
    assert_int_equal(call(&cnty, "GET", "/api/v1/members/999999999", NULL, &r), 404);
    zg_http_resp_free(&r);
    /* administrator roles see no business data */
    acct_t sec = {.label = "secadmin"};
    make_account(&sec, "mm_secadmin", 0, "secadmin");
    assert_int_equal(call(&sec, "GET", "/api/v1/members", NULL, &r), 403);
    zg_http_resp_free(&r);
    assert_int_equal(call(&sec, "GET", p, NULL, &r), 403);
    assert_null(strstr(r.body, "邻村党员"));
    zg_http_resp_free(&r);
}

/* ---- the raw database file ---------------------------------------------------------------------
 */

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    *len = 0;
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *b = malloc((size_t)n + 1);
    assert_non_null(b);
    *len = fread(b, 1, (size_t)n, f);
    fclose(f);
    return b;
}

static void test_raw_file_has_no_clear_pii(void **state)
{
    (void)state;
    if (strcmp(S.backend, "sqlite"))
        skip(); /* PostgreSQL's files are not ours to read; the sealing is the same code */
    /* every ID number and phone in the database, opened through the module */
    zg_arena_t ar;
    zg_arena_init(&ar, 0, 256u << 20);
    zg_member_query_t q;
    zg_member_query_init(&q);
    q.status = "all";
    q.limit = 100;
    zg_member_list_t l;
    zg_error_t err;
    size_t cap = 4096, n = 0;
    char(*values)[20] = calloc(cap, sizeof *values);
    for (q.offset = 0;; q.offset += 100) {
        CHECK(zg_member_list(conn(), &ar, root, &q, true, &l, &err));
        for (size_t i = 0; i < l.n && n + 2 < cap; i++) {
            if (l.items[i].id_number)
                snprintf(values[n++], 20, "%s", l.items[i].id_number);
            if (l.items[i].phone)
                snprintf(values[n++], 20, "%s", l.items[i].phone);
        }
        if (l.n < 100)
            break;
    }
    assert_true(n > 600); /* the demo members and the ones made above */
    /* the test's own fixed ones too */
    char id[19];
    idnum(id, "1966-06-06", 703);
    snprintf(values[n++], 20, "%s", id);
    char path[1100];
    const char *files[] = {"", "-wal"};
    size_t found = 0, bytes = 0;
    bool control = false;
    for (size_t fi = 0; fi < 2; fi++) {
        snprintf(path, sizeof path, "%s%s", S.db_url, files[fi]);
        size_t len;
        char *data = slurp(path, &len);
        if (!data)
            continue;
        bytes += len;
        for (size_t i = 0; i < n; i++)
            if (memmem(data, len, values[i], strlen(values[i]))) {
                print_error("clear value %s found in %s\n", values[i], path);
                found++;
            }
        /* the grep itself works: a value stored in clear (a name) is found */
        if (memmem(data, len, "审计对象", strlen("审计对象")))
            control = true;
        free(data);
    }
    assert_true(bytes > 100000);
    assert_true(control);
    assert_int_equal(found, 0);
    free(values);
    zg_arena_destroy(&ar);
}

int main(void)
{
    if (!strcmp(zg_test_backend(), "postgres") && !getenv("ZG_TEST_PG_URL")) {
        printf("[  SKIPPED ] postgres backend: ZG_TEST_PG_URL is not set\n");
        return 0;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_create_with_findings),
        cmocka_unit_test(test_duplicate_id_number),
        cmocka_unit_test(test_masking_by_permission),
        cmocka_unit_test(test_blind_index_lookup),
        cmocka_unit_test(test_detail_view_is_audited),
        cmocka_unit_test(test_as_of_across_a_move),
        cmocka_unit_test(test_events),
        cmocka_unit_test(test_list_filters_and_paging),
        cmocka_unit_test(test_out_of_scope),
        cmocka_unit_test(test_raw_file_has_no_clear_pii),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
