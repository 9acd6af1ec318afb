/* test_transfer.c — the transfer API (docs/api-transfers.md) over real HTTP on both backends:
 * an internal transfer issued by county A and accepted by county B (the member in the old org
 * on D-1 and in the new one on D, through the member module's as-of list), a return with and
 * without a reason, an external letter on both sides of its 3-month validity, its print view
 * (masked unless member:read_pii, no external resources) and its receipt, the warning for a
 * transfer pending N-1 / N days and for an overdue letter, the lost-contact cases (preview,
 * scan without duplicates, decisions), and scope: county C sees none of it, county B only what
 * comes in, and nothing of an object outside the scope is in a refusal's body.
 *
 * Until src/app/routes.c lists zg_transfer_routes (and zg_member_routes), setup registers them
 * on the test server's router before the first request; once they are listed, the duplicate
 * registration is refused and ignored. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/date.h"
#include "db/db.h"
#include "http/router.h"
#include "modules/member/member.h"
#include "modules/org/org.h"
#include "modules/transfer/transfer.h"
#include "testauth.h"
#include "testsrv.h"

static zg_testsrv_t S;
static zg_date_t today;
static int64_t root, county_a, county_b, county_c, a1, a2, b1, c1;

typedef struct {
    char token[ZG_TEST_TOKEN_SIZE];
} acct_t;

static acct_t admin_a, admin_b, admin_c, viewer_a;

static const char *const KEY_HEX =
    "0f1e2d3c4b5a69788796a5b4c3d2e1f00112233445566778899aabbccddeeff0";

static void tweak(zg_config_t *c)
{
    zg_test_fast_hashing(c);
}

static zg_conn_t *db(void)
{
    zg_error_t err;
    zg_conn_t *c = zg_db_conn(S.app->db, &err);
    assert_non_null(c);
    return c;
}

static int64_t mk_org(int64_t parent, const char *kind, const char *name)
{
    zg_org_actor_t actor = {.account_id = 0};
    zg_arena_t a;
    zg_arena_init(&a, 0, 16u << 20);
    zg_org_op_t op;
    zg_org_op_init(&op, &a, root, &actor);
    zg_org_input_t in = {.set = ZG_ORG_SET_KIND | ZG_ORG_SET_NAME,
                         .parent_id = parent,
                         .kind = kind,
                         .name = name,
                         .founded_on = ZG_ORG_NO_DATE,
                         .effective_on = ZG_ORG_NO_DATE};
    int64_t id = 0;
    zg_error_t err;
    if (zg_org_create(db(), &op, &in, &id, &err))
        fail_msg("org %s: %s", name, err.detail);
    zg_arena_destroy(&a);
    return id;
}

static void id_number(zg_date_t birth, int seq, char out[19])
{
    int y, m, d;
    zg_date_to_ymd(birth, &y, &m, &d);
    snprintf(out, 19, "430102%04d%02d%02d%03d", y, m, d, seq);
    static const int w[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
    int sum = 0;
    for (int i = 0; i < 17; i++)
        sum += (out[i] - '0') * w[i];
    out[17] = "10X98765432"[sum % 11];
    out[18] = '\0';
}

/* A full member of `org` with a valid ID number (sequence `seq`, odd = male). */
static int64_t member(int64_t org, const char *name, int seq)
{
    zg_arena_t a;
    zg_arena_init(&a, 0, 16u << 20);
    zg_member_actor_t actor = {.account_id = 0};
    zg_member_op_t op;
    zg_member_op_init(&op, &a, root, &actor);
    zg_date_t birth, joined, conv;
    zg_date_parse("1985-03-12", &birth);
    zg_date_parse("2008-07-01", &joined);
    zg_date_parse("2009-07-01", &conv);
    char idn[19];
    id_number(birth, seq, idn);
    zg_member_input_t in = {.set = ZG_MEMBER_SET_NAME | ZG_MEMBER_SET_GENDER |
                                   ZG_MEMBER_SET_BIRTH_DATE | ZG_MEMBER_SET_ORG |
                                   ZG_MEMBER_SET_JOINED_ON | ZG_MEMBER_SET_CONVERTED_ON |
                                   ZG_MEMBER_SET_ID_NUMBER | ZG_MEMBER_SET_ETHNICITY,
                            .name = name,
                            .gender = seq % 2 ? "1" : "2",
                            .ethnicity = "01",
                            .birth_date = birth,
                            .id_number = idn,
                            .org_id = org,
                            .joined_on = joined,
                            .converted_on = conv,
                            .work_start_date = ZG_MEMBER_NO_DATE};
    int64_t id = 0;
    zg_error_t err;
    if (zg_member_create(db(), &op, &in, &id, &err))
        fail_msg("member %s: %s / %s", name, err.message, err.detail);
    zg_arena_destroy(&a);
    return id;
}

static void event(int64_t id, const char *kind, zg_date_t on)
{
    zg_arena_t a;
    zg_arena_init(&a, 0, 16u << 20);
    zg_member_actor_t actor = {.account_id = 0};
    zg_member_op_t op;
    zg_member_op_init(&op, &a, root, &actor);
    zg_member_event_input_t ev = {.kind = kind, .on_date = on};
    zg_error_t err;
    if (zg_member_event(db(), &op, id, &ev, NULL, &err))
        fail_msg("event %s: %s / %s", kind, err.message, err.detail);
    zg_arena_destroy(&a);
}

static void login(acct_t *a, const char *user, int64_t home, const char *role)
{
    const char *pw = "Transfer#2026x";
    assert_true(zg_test_create_account(&S, user, pw, home, role) > 0);
    assert_int_equal(zg_test_login(S.port, user, pw, a->token, sizeof a->token), 0);
}

static int setup(void **state)
{
    (void)state;
    /* the field key: the same whether the app configures it from the environment or not */
    setenv("ZUGONG_FIELD_KEY", KEY_HEX, 1);
    if (zg_testsrv_start(&S, tweak) != 0)
        return -1;
    uint8_t key[ZG_MASTER_KEY_LEN];
    for (size_t i = 0; i < sizeof key; i++)
        sscanf(KEY_HEX + 2 * i, "%2hhx", &key[i]);
    zg_member_set_master_key(key);
    /* routes not yet listed in routes.c (a duplicate is refused: already there) */
    int rc = zg_member_routes(S.app->router);
    if (rc && rc != ZG_ERR_CONFLICT)
        return -1;
    rc = zg_transfer_routes(S.app->router);
    if (rc && rc != ZG_ERR_CONFLICT)
        return -1;
    today = zg_date_today();
    zg_error_t err;
    zg_org_actor_t actor = {.account_id = 0};
    if (zg_org_create_root(db(), &actor, "中共测试市委员会", &root, &err))
        return -1;
    county_a = mk_org(root, "committee", "中共甲县委员会");
    county_b = mk_org(root, "committee", "中共乙县委员会");
    county_c = mk_org(root, "committee", "中共丙县委员会");
    a1 = mk_org(county_a, "branch", "甲县财政局机关支部");
    a2 = mk_org(county_a, "branch", "甲县教育局机关支部");
    b1 = mk_org(county_b, "branch", "乙县民政局机关支部");
    c1 = mk_org(county_c, "branch", "丙县水利局机关支部");
    login(&admin_a, "t_admin_a", county_a, "org_admin");
    login(&admin_b, "t_admin_b", county_b, "org_admin");
    login(&admin_c, "t_admin_c", county_c, "org_admin");
    login(&viewer_a, "t_viewer_a", county_a, "viewer");
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    zg_testsrv_stop(&S);
    return 0;
}

static long call(const acct_t *a, const char *method, const char *path, const char *body,
                 zg_http_resp_t *r)
{
    assert_int_equal(zg_http_auth(S.port, method, path, body, a->token, r), 0);
    return r->status;
}

/* Calls and checks the status; returns the response (free it). */
static zg_http_resp_t expect(const acct_t *a, const char *method, const char *path,
                             const char *body, long status)
{
    zg_http_resp_t r;
    long st = call(a, method, path, body, &r);
    if (st != status)
        fail_msg("%s %s → %ld (expected %ld): %s", method, path, st, status, r.body);
    return r;
}

static const char *day(zg_date_t d)
{
    static char bufs[8][ZG_DATE_STR_SIZE];
    static int k;
    char *b = bufs[k++ % 8];
    assert_int_equal(zg_date_format(d, b), 0);
    return b;
}

static int64_t jint(json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    assert_non_null(v);
    return json_integer_value(v);
}

static const char *jstr(json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

static bool has_rule(json_t *findings, const char *rule)
{
    size_t i;
    json_t *f;
    json_array_foreach(findings, i, f)
    {
        if (!strcmp(jstr(f, "rule"), rule))
            return true;
    }
    return false;
}

static int64_t issue_internal(const acct_t *a, int64_t mid, int64_t to, zg_date_t issued)
{
    char body[256];
    snprintf(body, sizeof body,
             "{\"kind\":\"internal\",\"member_id\":%lld,\"to_org_id\":%lld,\"reason\":\"工作调动\","
             "\"issued_on\":\"%s\"}",
             (long long)mid, (long long)to, day(issued));
    zg_http_resp_t r = expect(a, "POST", "/api/v1/transfers", body, 201);
    int64_t id = jint(r.json, "id");
    assert_string_equal(jstr(r.json, "status"), "pending");
    assert_true(has_rule(json_object_get(r.json, "findings"), "transfer.sender_responsible"));
    zg_http_resp_free(&r);
    return id;
}

static bool list_has(const acct_t *a, const char *query, int64_t id)
{
    char path[256];
    snprintf(path, sizeof path, "/api/v1/transfers%s", query);
    zg_http_resp_t r = expect(a, "GET", path, NULL, 200);
    size_t i;
    json_t *it;
    bool found = false;
    json_array_foreach(json_object_get(r.json, "items"), i, it)
    {
        if (jint(it, "id") == id)
            found = true;
    }
    zg_http_resp_free(&r);
    return found;
}

/* Whether the member's name is in the as-of list of `org` on day d (member module endpoint). */
static bool in_org_on(int64_t org, zg_date_t d, const char *name)
{
    char path[256];
    snprintf(path, sizeof path, "/api/v1/orgs/%lld/members?as_of=%s&page_size=100", (long long)org,
             day(d));
    zg_http_resp_t r;
    call(&admin_a, "GET", path, NULL, &r);
    bool in = r.status == 200 && strstr(r.body, name) != NULL;
    zg_http_resp_free(&r);
    return in;
}

/* ---- internal ------------------------------------------------------------------------------ */

static void test_internal_accept(void **state)
{
    (void)state;
    int64_t mid = member(a1, "张转接", 11);
    int64_t id = issue_internal(&admin_a, mid, b1, today - 10);
    char path[128], body[256];
    /* both sides see it, each in its direction; county C sees nothing */
    assert_true(list_has(&admin_a, "?direction=outgoing", id));
    assert_false(list_has(&admin_a, "?direction=incoming", id));
    assert_true(list_has(&admin_b, "?direction=incoming", id));
    assert_false(list_has(&admin_b, "?direction=outgoing", id));
    assert_false(list_has(&admin_c, "", id));
    snprintf(path, sizeof path, "/api/v1/transfers/%lld", (long long)id);
    zg_http_resp_t r = expect(&admin_b, "GET", path, NULL, 200);
    assert_string_equal(jstr(r.json, "direction"), "incoming");
    assert_int_equal(jint(r.json, "days_pending"), 10);
    zg_http_resp_free(&r);
    r = expect(&admin_c, "GET", path, NULL, 404);
    assert_null(strstr(r.body, "张转接"));
    zg_http_resp_free(&r);
    /* only the receiving side accepts */
    snprintf(path, sizeof path, "/api/v1/transfers/%lld/accept", (long long)id);
    r = expect(&admin_a, "POST", path, NULL, 404);
    zg_http_resp_free(&r);
    r = expect(&admin_c, "POST", path, NULL, 404);
    assert_null(strstr(r.body, "张转接"));
    zg_http_resp_free(&r);
    r = expect(&viewer_a, "POST", path, NULL, 403);
    zg_http_resp_free(&r);
    /* a date before the issue is refused; D = today - 4 is accepted */
    snprintf(body, sizeof body, "{\"accepted_on\":\"%s\"}", day(today - 11));
    r = expect(&admin_b, "POST", path, body, 400);
    assert_non_null(json_object_get(json_object_get(r.json, "fields"), "accepted_on"));
    zg_http_resp_free(&r);
    zg_date_t d = today - 4;
    snprintf(body, sizeof body, "{\"accepted_on\":\"%s\",\"note\":\"已编入支部\"}", day(d));
    r = expect(&admin_b, "POST", path, body, 200);
    assert_string_equal(jstr(r.json, "status"), "accepted");
    assert_string_equal(jstr(r.json, "decided_on"), day(d));
    zg_http_resp_free(&r);
    r = expect(&admin_b, "POST", path, NULL, 409);
    zg_http_resp_free(&r);
    /* as of D-1 in the old org, as of D in the new one */
    int64_t org = 0;
    const char *st = NULL;
    zg_error_t err;
    assert_int_equal(zg_member_state_as_of(db(), mid, d - 1, &org, &st, &err), 0);
    assert_int_equal(org, a1);
    assert_int_equal(zg_member_state_as_of(db(), mid, d, &org, &st, &err), 0);
    assert_int_equal(org, b1);
    /* the same through the member module's as-of list (county A reads its own branch) */
    assert_true(in_org_on(a1, d - 1, "张转接"));
    assert_false(in_org_on(a1, d, "张转接"));
}

static void test_internal_return(void **state)
{
    (void)state;
    int64_t mid = member(a1, "李退回", 13);
    int64_t id = issue_internal(&admin_a, mid, b1, today - 2);
    char path[128];
    snprintf(path, sizeof path, "/api/v1/transfers/%lld/return", (long long)id);
    /* no body, an empty reason, blanks: 422 with the rule, nothing changed */
    const char *bodies[] = {NULL, "{}", "{\"reason\":\"\"}", "{\"reason\":\"   \"}"};
    for (size_t i = 0; i < sizeof bodies / sizeof bodies[0]; i++) {
        zg_http_resp_t r = expect(&admin_b, "POST", path, bodies[i], 422);
        assert_string_equal(jstr(r.json, "code"), "rule_violation");
        assert_true(has_rule(json_object_get(r.json, "findings"), "transfer.no_silent_refusal"));
        assert_non_null(strstr(jstr(r.json, "message"), "第二十五条"));
        zg_http_resp_free(&r);
    }
    zg_http_resp_t r = expect(&admin_a, "POST", path, "{\"reason\":\"发送方不能退回\"}", 404);
    zg_http_resp_free(&r);
    r = expect(&admin_b, "POST", path, "{\"reason\":\"该同志未到我单位报到\"}", 200);
    assert_string_equal(jstr(r.json, "status"), "returned");
    assert_string_equal(jstr(r.json, "decision_note"), "该同志未到我单位报到");
    zg_http_resp_free(&r);
    /* the sender reads the reason; the member did not move */
    char get[128];
    snprintf(get, sizeof get, "/api/v1/transfers/%lld", (long long)id);
    r = expect(&admin_a, "GET", get, NULL, 200);
    assert_string_equal(jstr(r.json, "decision_note"), "该同志未到我单位报到");
    zg_http_resp_free(&r);
    zg_error_t err;
    int64_t org = 0;
    const char *st;
    assert_int_equal(zg_member_state_as_of(db(), mid, today, &org, &st, &err), 0);
    assert_int_equal(org, a1);
    /* cancel after the return: 409; a pending one is cancelled by the sender only */
    snprintf(path, sizeof path, "/api/v1/transfers/%lld/cancel", (long long)id);
    r = expect(&admin_a, "POST", path, NULL, 409);
    zg_http_resp_free(&r);
    int64_t id2 = issue_internal(&admin_a, mid, a2, today);
    snprintf(path, sizeof path, "/api/v1/transfers/%lld/cancel", (long long)id2);
    r = expect(&admin_b, "POST", path, NULL, 404);
    zg_http_resp_free(&r);
    r = expect(&admin_a, "POST", path, "{\"note\":\"开错了\"}", 200);
    assert_string_equal(jstr(r.json, "status"), "cancelled");
    zg_http_resp_free(&r);
}

static void test_issue_refusals(void **state)
{
    (void)state;
    int64_t mid = member(a1, "王规则", 15);
    char body[300];
    /* a member of another county: 404 without data */
    int64_t other = member(c1, "丙县党员", 17);
    snprintf(body, sizeof body,
             "{\"kind\":\"internal\",\"member_id\":%lld,\"to_org_id\":%lld,\"reason\":\"x\"}",
             (long long)other, (long long)b1);
    zg_http_resp_t r = expect(&admin_a, "POST", "/api/v1/transfers", body, 404);
    assert_null(strstr(r.body, "丙县党员"));
    zg_http_resp_free(&r);
    /* a committee is not a receiver: 422 with the rule */
    snprintf(body, sizeof body,
             "{\"kind\":\"internal\",\"member_id\":%lld,\"to_org_id\":%lld,\"reason\":\"x\"}",
             (long long)mid, (long long)county_b);
    r = expect(&admin_a, "POST", "/api/v1/transfers", body, 422);
    assert_true(has_rule(json_object_get(r.json, "findings"), "transfer.receiver_kind"));
    zg_http_resp_free(&r);
    /* strict input: unknown field, missing reason, bad kind */
    snprintf(body, sizeof body,
             "{\"kind\":\"internal\",\"member_id\":%lld,\"to_org_id\":%lld,\"reason\":\"x\","
             "\"admin\":true}",
             (long long)mid, (long long)b1);
    r = expect(&admin_a, "POST", "/api/v1/transfers", body, 400);
    zg_http_resp_free(&r);
    snprintf(body, sizeof body, "{\"kind\":\"internal\",\"member_id\":%lld,\"to_org_id\":%lld}",
             (long long)mid, (long long)b1);
    r = expect(&admin_a, "POST", "/api/v1/transfers", body, 400);
    assert_non_null(json_object_get(json_object_get(r.json, "fields"), "reason"));
    zg_http_resp_free(&r);
    snprintf(body, sizeof body, "{\"kind\":\"abroad\",\"member_id\":%lld,\"reason\":\"x\"}",
             (long long)mid);
    r = expect(&admin_a, "POST", "/api/v1/transfers", body, 400);
    assert_non_null(json_object_get(json_object_get(r.json, "fields"), "kind"));
    zg_http_resp_free(&r);
    /* a viewer may not issue */
    snprintf(body, sizeof body,
             "{\"kind\":\"internal\",\"member_id\":%lld,\"to_org_id\":%lld,\"reason\":\"x\"}",
             (long long)mid, (long long)b1);
    r = expect(&viewer_a, "POST", "/api/v1/transfers", body, 403);
    zg_http_resp_free(&r);
    /* one pending at a time */
    issue_internal(&admin_a, mid, b1, today);
    r = expect(&admin_a, "POST", "/api/v1/transfers", body, 422);
    assert_true(has_rule(json_object_get(r.json, "findings"), "transfer.one_pending"));
    zg_http_resp_free(&r);
    /* bad list parameters */
    r = expect(&admin_a, "GET", "/api/v1/transfers?direction=sideways", NULL, 400);
    zg_http_resp_free(&r);
    r = expect(&admin_a, "GET", "/api/v1/transfers?status=lost", NULL, 400);
    zg_http_resp_free(&r);
    /* the receiver search: system-wide branches, at least 2 characters */
    r = expect(&admin_a, "GET", "/api/v1/transfers/receivers?q=%E6%B0%91%E6%94%BF", NULL, 200);
    assert_int_equal(jint(r.json, "total"), 1);
    assert_non_null(strstr(r.body, "乙县民政局机关支部"));
    zg_http_resp_free(&r);
    r = expect(&admin_a, "GET", "/api/v1/transfers/receivers?q=%E6%B0%91", NULL, 400);
    zg_http_resp_free(&r);
}

/* ---- external ------------------------------------------------------------------------------ */

static void test_external_letter(void **state)
{
    (void)state;
    int64_t mid = member(a2, "周介绍", 19);
    zg_date_t issued = today - 20, max;
    assert_int_equal(zg_date_add_months(issued, 3, &max), 0);
    char body[400];
#define LETTER_FMT                                                                                  \
    "{\"kind\":\"external\",\"member_id\":%lld,\"destination\":\"中共某省某市委组织部\"," \
    "\"reason\":\"迁居外省\",\"issued_on\":\"%s\",\"valid_until\":\"%s\","                      \
    "\"dues_paid_until\":\"2026-01\"}"
    /* 3 months + 1 day: refused */
    snprintf(body, sizeof body, LETTER_FMT, (long long)mid, day(issued), day(max + 1));
    zg_http_resp_t r = expect(&admin_a, "POST", "/api/v1/transfers", body, 422);
    assert_true(has_rule(json_object_get(r.json, "findings"), "transfer.letter_validity_max"));
    zg_http_resp_free(&r);
    /* without the dues month: refused */
    char nodues[400];
    snprintf(nodues, sizeof nodues,
             "{\"kind\":\"external\",\"member_id\":%lld,\"destination\":\"某单位\","
             "\"reason\":\"x\"}",
             (long long)mid);
    r = expect(&admin_a, "POST", "/api/v1/transfers", nodues, 422);
    assert_true(has_rule(json_object_get(r.json, "findings"), "transfer.letter_dues_paid_until"));
    zg_http_resp_free(&r);
    /* exactly 3 months: issued with a number */
    snprintf(body, sizeof body, LETTER_FMT, (long long)mid, day(issued), day(max));
    r = expect(&admin_a, "POST", "/api/v1/transfers", body, 201);
    int64_t id = jint(r.json, "id");
    const char *no = jstr(r.json, "letter_no");
    assert_non_null(no);
    int year;
    zg_date_to_ymd(issued, &year, NULL, NULL);
    char want[64];
    snprintf(want, sizeof want, "组转〔%d〕0001号", year);
    assert_string_equal(no, want);
    assert_string_equal(jstr(r.json, "valid_until"), day(max));
    assert_true(json_is_null(json_object_get(r.json, "to_org")));
    zg_http_resp_free(&r);
    /* the print view: HTML, the layout, PII per permission, no external resources */
    char path[128];
    snprintf(path, sizeof path, "/api/v1/transfers/%lld/letter", (long long)id);
    zg_date_t birth;
    zg_date_parse("1985-03-12", &birth);
    char idn[19];
    id_number(birth, 19, idn);
    r = expect(&admin_a, "GET", path, NULL, 200);
    char ct[128];
    assert_non_null(zg_http_resp_header(&r, "Content-Type", ct, sizeof ct));
    assert_non_null(strstr(ct, "text/html"));
    assert_non_null(zg_http_resp_header(&r, "Content-Security-Policy", ct, sizeof ct));
    const char *want_html[] = {
        "中国共产党党员组织关系介绍信", "（存根）",           "（回执）", want,          "周介绍",
        "中共某省某市委组织部",         "甲县教育局机关支部", idn,        "@media print"};
    for (size_t i = 0; i < sizeof want_html / sizeof want_html[0]; i++)
        if (!strstr(r.body, want_html[i]))
            fail_msg("letter lacks %s", want_html[i]);
    assert_null(strstr(r.body, "http://"));
    assert_null(strstr(r.body, "https://"));
    assert_null(strstr(r.body, "<script"));
    zg_http_resp_free(&r);
    /* a viewer (no member:read_pii) sees the masked number only */
    r = expect(&viewer_a, "GET", path, NULL, 200);
    assert_null(strstr(r.body, idn));
    char masked[32];
    snprintf(masked, sizeof masked, "%.6s********%.4s", idn, idn + 14);
    assert_non_null(strstr(r.body, masked));
    zg_http_resp_free(&r);
    /* the view is audited */
    zg_error_t err;
    int64_t n = 0;
    zg_param_t p[] = {ZG_P_INT(id)};
    assert_int_equal(zg_db_query_int(db(),
                                     "SELECT count(*) FROM audit_log WHERE action = "
                                     "'transfer.letter_view' AND object_id = $1",
                                     p, 1, &n, &err),
                     0);
    assert_int_equal(n, 2);
    /* other counties: 404 without data */
    r = expect(&admin_b, "GET", path, NULL, 404);
    assert_null(strstr(r.body, "周介绍"));
    zg_http_resp_free(&r);
    /* receipt: not by another county, date required */
    snprintf(path, sizeof path, "/api/v1/transfers/%lld/receipt", (long long)id);
    snprintf(body, sizeof body, "{\"received_on\":\"%s\"}", day(today - 3));
    r = expect(&admin_b, "POST", path, body, 404);
    zg_http_resp_free(&r);
    r = expect(&admin_a, "POST", path, "{}", 400);
    zg_http_resp_free(&r);
    snprintf(body, sizeof body, "{\"received_on\":\"%s\",\"note\":\"回执已寄回\"}", day(today - 3));
    r = expect(&admin_a, "POST", path, body, 200);
    assert_string_equal(jstr(r.json, "status"), "received");
    assert_string_equal(jstr(json_object_get(r.json, "member"), "status"), "transferred_out");
    zg_http_resp_free(&r);
    int64_t org = 0;
    const char *st;
    assert_int_equal(zg_member_state_as_of(db(), mid, today - 4, &org, &st, &err), 0);
    assert_string_equal(st, "full");
    assert_int_equal(zg_member_state_as_of(db(), mid, today - 3, &org, &st, &err), 0);
    assert_string_equal(st, "transferred_out");
    /* an internal transfer has no letter */
    int64_t m2 = member(a2, "吴内部", 21);
    int64_t id2 = issue_internal(&admin_a, m2, b1, today);
    snprintf(path, sizeof path, "/api/v1/transfers/%lld/letter", (long long)id2);
    r = expect(&admin_a, "GET", path, NULL, 404);
    zg_http_resp_free(&r);
}

/* ---- warnings ------------------------------------------------------------------------------ */

static bool warned(const acct_t *a, int64_t id, const char *rule, int64_t *days)
{
    zg_http_resp_t r = expect(a, "GET", "/api/v1/transfers/warnings", NULL, 200);
    assert_int_equal(jint(r.json, "pending_warn_days"), 30);
    size_t i;
    json_t *it;
    bool found = false;
    json_array_foreach(json_object_get(r.json, "items"), i, it)
    {
        if (jint(json_object_get(it, "transfer"), "id") == id) {
            assert_string_equal(jstr(it, "rule"), rule);
            assert_string_equal(jstr(it, "severity"), "warn");
            assert_non_null(jstr(it, "citation"));
            if (days)
                *days = jint(it, "days");
            found = true;
        }
    }
    zg_http_resp_free(&r);
    return found;
}

static void test_warnings(void **state)
{
    (void)state;
    int64_t m29 = member(a1, "陈二九", 23), m30 = member(a1, "陈三十", 25);
    int64_t i29 = issue_internal(&admin_a, m29, b1, today - 29);
    int64_t i30 = issue_internal(&admin_a, m30, b1, today - 30);
    int64_t days = 0;
    assert_false(warned(&admin_a, i29, "transfer.pending_too_long", NULL));
    assert_true(warned(&admin_a, i30, "transfer.pending_too_long", &days));
    assert_int_equal(days, 30);
    assert_true(warned(&admin_b, i30, "transfer.pending_too_long", NULL));
    assert_false(warned(&admin_c, i30, "transfer.pending_too_long", NULL));
    /* the detail carries the same finding */
    char path[128];
    snprintf(path, sizeof path, "/api/v1/transfers/%lld", (long long)i30);
    zg_http_resp_t r = expect(&admin_b, "GET", path, NULL, 200);
    assert_true(has_rule(json_object_get(r.json, "findings"), "transfer.pending_too_long"));
    zg_http_resp_free(&r);
    snprintf(path, sizeof path, "/api/v1/transfers/%lld", (long long)i29);
    r = expect(&admin_b, "GET", path, NULL, 200);
    assert_false(has_rule(json_object_get(r.json, "findings"), "transfer.pending_too_long"));
    zg_http_resp_free(&r);
    /* letters: valid through valid_until, overdue the day after */
    int64_t mv = member(a1, "陈有效", 27), mo = member(a1, "陈过期", 29);
    char body[400];
#define WARN_FMT                                                                                   \
    "{\"kind\":\"external\",\"member_id\":%lld,\"destination\":\"外省某单位\","               \
    "\"reason\":\"x\",\"issued_on\":\"%s\",\"valid_until\":\"%s\",\"dues_paid_until\":\"2026-"     \
    "01\"}"
    snprintf(body, sizeof body, WARN_FMT, (long long)mv, day(today - 50), day(today));
    r = expect(&admin_a, "POST", "/api/v1/transfers", body, 201);
    int64_t ev = jint(r.json, "id");
    zg_http_resp_free(&r);
    snprintf(body, sizeof body, WARN_FMT, (long long)mo, day(today - 50), day(today - 1));
    r = expect(&admin_a, "POST", "/api/v1/transfers", body, 201);
    int64_t eo = jint(r.json, "id");
    assert_true(json_is_true(json_object_get(r.json, "overdue")));
    assert_true(has_rule(json_object_get(r.json, "findings"), "transfer.letter_overdue"));
    zg_http_resp_free(&r);
    assert_false(warned(&admin_a, ev, "transfer.letter_overdue", NULL));
    assert_true(warned(&admin_a, eo, "transfer.letter_overdue", &days));
    assert_int_equal(days, 1);
    assert_false(warned(&admin_b, eo, "transfer.letter_overdue", NULL));
}

/* ---- lost contact -------------------------------------------------------------------------- */

static int64_t due_count(const acct_t *a, const char *query, const char *name)
{
    char path[256];
    snprintf(path, sizeof path, "/api/v1/member-cases/due%s", query);
    zg_http_resp_t r = expect(a, "GET", path, NULL, 200);
    int64_t n = 0;
    size_t i;
    json_t *it;
    json_array_foreach(json_object_get(r.json, "items"), i, it)
    {
        if (!strcmp(jstr(json_object_get(it, "member"), "name"), name))
            n++;
    }
    zg_http_resp_free(&r);
    return n;
}

static void test_lost_contact_cases(void **state)
{
    (void)state;
    zg_date_t six;
    assert_int_equal(zg_date_add_months(today, -6, &six), 0);
    int64_t due = member(a1, "失联到期", 31), early = member(a1, "失联未到", 33);
    event(due, "lost_contact", six);
    event(early, "lost_contact", six + 1);
    /* preview: today and the day before */
    assert_int_equal(due_count(&admin_a, "", "失联到期"), 1);
    assert_int_equal(due_count(&admin_a, "", "失联未到"), 0);
    char q[64];
    snprintf(q, sizeof q, "?date=%s", day(today - 1));
    assert_int_equal(due_count(&admin_a, q, "失联到期"), 0);
    assert_int_equal(due_count(&admin_b, "", "失联到期"), 0);
    zg_http_resp_t r =
        expect(&admin_a, "GET", "/api/v1/member-cases/due?date=2026-02-30", NULL, 400);
    zg_http_resp_free(&r);
    /* the scan of county B opens nothing of county A; county A's opens one, once */
    r = expect(&admin_b, "POST", "/api/v1/member-cases/scan", NULL, 200);
    assert_int_equal(jint(r.json, "opened"), 0);
    zg_http_resp_free(&r);
    r = expect(&viewer_a, "POST", "/api/v1/member-cases/scan", NULL, 403);
    zg_http_resp_free(&r);
    r = expect(&admin_a, "POST", "/api/v1/member-cases/scan", NULL, 200);
    assert_int_equal(jint(r.json, "opened"), 1);
    zg_http_resp_free(&r);
    r = expect(&admin_a, "POST", "/api/v1/member-cases/scan", "{}", 200);
    assert_int_equal(jint(r.json, "opened"), 0);
    zg_http_resp_free(&r);
    r = expect(&admin_a, "GET", "/api/v1/member-cases?status=open", NULL, 200);
    assert_int_equal(jint(r.json, "total"), 1);
    json_t *k = json_array_get(json_object_get(r.json, "items"), 0);
    int64_t cid = jint(k, "id");
    assert_string_equal(jstr(k, "kind"), "suspension");
    assert_string_equal(jstr(k, "basis_on"), day(six));
    assert_string_equal(jstr(k, "due_on"), day(today));
    zg_http_resp_free(&r);
    r = expect(&admin_b, "GET", "/api/v1/member-cases", NULL, 200);
    assert_int_equal(jint(r.json, "total"), 0);
    zg_http_resp_free(&r);
    char path[128];
    snprintf(path, sizeof path, "/api/v1/member-cases/%lld", (long long)cid);
    r = expect(&admin_b, "GET", path, NULL, 404);
    assert_null(strstr(r.body, "失联到期"));
    zg_http_resp_free(&r);
    /* decisions: a dismissal needs a note; the wrong decision; a date before it was due */
    snprintf(path, sizeof path, "/api/v1/member-cases/%lld/decide", (long long)cid);
    r = expect(&admin_b, "POST", path, "{\"decision\":\"suspend\"}", 404);
    zg_http_resp_free(&r);
    r = expect(&admin_a, "POST", path, "{\"decision\":\"dismiss\"}", 422);
    assert_true(has_rule(json_object_get(r.json, "findings"), "transfer.case_dismiss_note"));
    zg_http_resp_free(&r);
    r = expect(&admin_a, "POST", path, "{\"decision\":\"remove\"}", 400);
    zg_http_resp_free(&r);
    r = expect(&admin_a, "POST", path, "{\"decision\":\"delete\"}", 400);
    zg_http_resp_free(&r);
    char body[200];
    snprintf(body, sizeof body, "{\"decision\":\"suspend\",\"decided_on\":\"%s\"}", day(today - 1));
    r = expect(&admin_a, "POST", path, body, 422);
    assert_true(has_rule(json_object_get(r.json, "findings"), "transfer.case_decision_timing"));
    zg_http_resp_free(&r);
    r = expect(&admin_a, "POST", path, "{\"decision\":\"suspend\",\"note\":\"经支委会研究\"}", 200);
    assert_string_equal(jstr(r.json, "status"), "decided");
    assert_string_equal(jstr(r.json, "decision"), "suspend");
    assert_string_equal(jstr(json_object_get(r.json, "member"), "status"), "suspended");
    zg_http_resp_free(&r);
    r = expect(&admin_a, "POST", path, "{\"decision\":\"dismiss\",\"note\":\"x\"}", 409);
    zg_http_resp_free(&r);
    /* the other member becomes due on its own day */
    zg_date_t early_due;
    assert_int_equal(zg_transfer_suspension_due_on(six + 1, &early_due), 0);
    snprintf(q, sizeof q, "?date=%s", day(early_due));
    assert_int_equal(due_count(&admin_a, q, "失联未到"), 1);
    snprintf(q, sizeof q, "?date=%s", day(early_due - 1));
    assert_int_equal(due_count(&admin_a, q, "失联未到"), 0);
}

/* ---- the routes' documentation -------------------------------------------------------------- */

static void test_openapi_lists_routes(void **state)
{
    (void)state;
    zg_http_resp_t r;
    assert_int_equal(zg_http_get(S.port, "/api/v1/openapi.json", &r), 0);
    assert_int_equal(r.status, 200);
    const char *paths[] = {"/api/v1/transfers", "/api/v1/transfers/{id}/accept",
                           "/api/v1/transfers/{id}/letter", "/api/v1/member-cases/{id}/decide"};
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++)
        assert_non_null(strstr(r.body, paths[i]));
    zg_http_resp_free(&r);
    /* the rules are in the public registry with their citations */
    assert_int_equal(zg_http_get(S.port, "/api/v1/rules?module=transfer", &r), 0);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "transfer.no_silent_refusal"));
    assert_non_null(strstr(r.body, "第二十五条"));
    assert_non_null(strstr(r.body, "transfer.letter_validity_max"));
    zg_http_resp_free(&r);
}

int main(void)
{
    if (!strcmp(zg_test_backend(), "postgres") && !getenv("ZG_TEST_PG_URL")) {
        printf("[  SKIPPED ] postgres backend: ZG_TEST_PG_URL is not set\n");
        return 0;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_internal_accept),
        cmocka_unit_test(test_internal_return),
        cmocka_unit_test(test_issue_refusals),
        cmocka_unit_test(test_external_letter),
        cmocka_unit_test(test_warnings),
        cmocka_unit_test(test_lost_contact_cases),
        cmocka_unit_test(test_openapi_lists_routes),
    };
    return cmocka_run_group_tests_name(zg_test_backend(), tests, setup, teardown);
}
