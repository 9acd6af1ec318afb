/* test_account.c — the account module's storage logic, without HTTP, on both backends (a fresh
 * SQLite file and a fresh PostgreSQL database per test; the PostgreSQL runs are skipped when
 * ZG_TEST_PG_URL is unset): seeded roles, bootstrap, create and role assignment under
 * account.separation_of_duties, lockout (account.lockout) through zg_account_login, password
 * history (5 vs the 6th-oldest), expiry, hashed session tokens, audit entries. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "core/config.h"
#include "core/crypto.h"
#include "db/db.h"
#include "modules/account/account.h"
#include "testdb.h"

typedef struct ctx {
    const char *backend;
    bool skip;
    char url[512];
    zg_db_t *db;
    zg_conn_t *c;
    zg_arena_t arena;
    zg_findings_t f;
    int64_t city, county, dissolved; /* orgs: city ⊃ county; a dissolved one */
} ctx_t;

static ctx_t proto_sqlite = {.backend = "sqlite"};
static ctx_t proto_pg = {.backend = "postgres"};

#define CHECK(call)                                                                                \
    do {                                                                                           \
        zg_error_t *e_ = &err;                                                                     \
        int rc_ = (call);                                                                          \
        if (rc_ != 0) {                                                                            \
            print_error("%s:%d: %s -> %d %s / %s / %s\n", __FILE__, __LINE__, #call, rc_,          \
                        e_->code, e_->message, e_->detail);                                        \
            fail();                                                                                \
        }                                                                                          \
    } while (0)

static int64_t insert_org(ctx_t *t, int64_t parent, const char *kind, const char *name,
                          const char *status)
{
    zg_error_t err;
    int64_t id = 0;
    zg_param_t p[] = {parent ? ZG_P_INT(parent) : ZG_P_NULL, ZG_P_TEXT(kind), ZG_P_TEXT(name),
                      ZG_P_TEXT(status)};
    CHECK(zg_db_query_int(t->c,
                          "INSERT INTO org (parent_id, kind, name, status, depth) VALUES ($1, $2, "
                          "$3, $4, COALESCE((SELECT depth + 1 FROM org WHERE id = $1), 0)) "
                          "RETURNING id",
                          p, 4, &id, &err));
    zg_param_t q[] = {ZG_P_INT(id)};
    CHECK(zg_db_exec(t->c,
                     "INSERT INTO org_closure (ancestor_id, descendant_id, depth) "
                     "SELECT ancestor_id, $1, depth + 1 FROM org_closure WHERE descendant_id = "
                     "(SELECT parent_id FROM org WHERE id = $1)",
                     q, 1, NULL, &err));
    CHECK(zg_db_exec(t->c,
                     "INSERT INTO org_closure (ancestor_id, descendant_id, depth) "
                     "VALUES ($1, $1, 0)",
                     q, 1, NULL, &err));
    return id;
}

static int setup(void **state)
{
    const ctx_t *proto = *state;
    ctx_t *t = calloc(1, sizeof *t);
    assert_non_null(t);
    t->backend = proto->backend;
    *state = t;
    int rc = zg_testdb_url(t->backend, t->url, sizeof t->url);
    if (rc == ZG_TESTDB_NO_SERVER) {
        t->skip = true;
        return 0;
    }
    if (rc != 0)
        return -1;
    zg_error_t err;
    if (zg_db_open(t->url, &t->db, &err) || zg_db_migrate(t->db, NULL, &err)) {
        print_error("open/migrate %s: %s\n", t->url, err.detail);
        return -1;
    }
    t->c = zg_db_conn(t->db, &err);
    if (!t->c)
        return -1;
    zg_arena_init(&t->arena, 4096, 1 << 22);
    zg_findings_init(&t->f, &t->arena);
    t->city = insert_org(t, 0, "committee", "某市委", "active");
    t->county = insert_org(t, t->city, "committee", "某县委", "active");
    t->dissolved = insert_org(t, t->city, "branch", "已撤销支部", "dissolved");
    return 0;
}

static int teardown(void **state)
{
    ctx_t *t = *state;
    if (t) {
        if (t->db)
            zg_db_close(t->db);
        zg_arena_destroy(&t->arena);
        free(t);
    }
    return 0;
}

static ctx_t *start(void **state)
{
    ctx_t *t = *state;
    if (t->skip)
        skip();
    zg_findings_init(&t->f, &t->arena);
    return t;
}

/* Creates an account; returns its id (asserts success). */
static int64_t mk(ctx_t *t, const char *username, const char *password, int64_t org,
                  const char *role_code)
{
    const char *roles[] = {role_code};
    zg_account_new_t a = {.username = username,
                          .display_name = "测试账号",
                          .home_org_id = org,
                          .password = password,
                          .roles = roles,
                          .nroles = role_code ? 1 : 0};
    zg_error_t err;
    int64_t id = 0;
    zg_findings_init(&t->f, &t->arena);
    CHECK(zg_account_create(t->c, &a, &id, &t->f, &err));
    assert_true(id > 0);
    return id;
}

static int64_t q_int(ctx_t *t, const char *sql, int64_t arg)
{
    zg_error_t err;
    int64_t v = 0;
    zg_param_t p[] = {ZG_P_INT(arg)};
    CHECK(zg_db_query_int(t->c, sql, p, strstr(sql, "$1") ? 1 : 0, &v, &err));
    return v;
}

static void exec1(ctx_t *t, const char *sql, const char *text, int64_t id)
{
    zg_error_t err;
    zg_param_t p[] = {ZG_P_INT(id), ZG_P_TEXT(text)};
    CHECK(zg_db_exec(t->c, sql, p, 2, NULL, &err));
}

static int login(ctx_t *t, const char *user, const char *pw, zg_login_result_t *res,
                 zg_error_t *err)
{
    zg_account_policy_t p = zg_account_policy_defaults();
    zg_login_input_t in = {
        .username = user, .password = pw, .ip = "127.0.0.1", .user_agent = "test\001agent"};
    return zg_account_login(t->c, &p, &in, res, err);
}

static void ts_ago(char buf[ZG_TIMESTAMP_SIZE], int64_t seconds)
{
    zg_account_ts_format(zg_account_now() - seconds, buf);
}

/* ---- tests ------------------------------------------------------------------------------ */

static void test_seeded_roles(void **state)
{
    ctx_t *t = start(state);
    zg_role_info_t *roles;
    int n;
    zg_error_t err;
    CHECK(zg_role_list(t->c, &t->arena, &roles, &n, &err));
    assert_int_equal(n, 6);
    static const struct {
        const char *code, *name;
        zg_role_kind kind;
        int nperms;
    } want[] = {{"sysadmin", "系统管理员", ZG_ROLE_SYSADMIN, 3},
                {"secadmin", "安全管理员", ZG_ROLE_SECADMIN, 4},
                {"auditor", "安全审计员", ZG_ROLE_AUDITOR, 1},
                {"org_admin", "组织部管理员", ZG_ROLE_BUSINESS, 6},
                {"branch_secretary", "支部书记", ZG_ROLE_BUSINESS, 4},
                {"viewer", "只读用户", ZG_ROLE_BUSINESS, 3}};
    for (int i = 0; i < n; i++) {
        assert_string_equal(roles[i].code, want[i].code);
        assert_string_equal(roles[i].name, want[i].name);
        assert_int_equal(roles[i].kind, want[i].kind);
        assert_true(roles[i].builtin);
        assert_int_equal(roles[i].nperms, want[i].nperms);
        for (int k = 0; k < roles[i].nperms; k++) {
            /* every seeded permission is in the catalog, and only business roles grant
             * business permissions (三员分立) */
            assert_non_null(zg_perm_get(roles[i].perms[k]));
            assert_int_equal(zg_perm_is_business(roles[i].perms[k]),
                             roles[i].kind == ZG_ROLE_BUSINESS);
            if (k)
                assert_true(strcmp(roles[i].perms[k - 1], roles[i].perms[k]) < 0);
        }
    }
}

static void test_bootstrap(void **state)
{
    ctx_t *t = start(state);
    zg_error_t err;
    char otp[64];
    bool created = false;
    /* a weak ZUGONG_ADMIN_PASSWORD is refused with the policy's words */
    assert_int_equal(zg_account_bootstrap(t->db, "admin123", otp, sizeof otp, &created, &err),
                     ZG_ERR_INVALID);
    assert_false(created);
    assert_non_null(strstr(err.message, "ZUGONG_ADMIN_PASSWORD"));
    assert_non_null(strstr(err.message, "密码不得包含用户名"));
    assert_int_equal(q_int(t, "SELECT count(*) FROM account", 0), 0);
    /* no password (an empty ZUGONG_ADMIN_PASSWORD counts as none): a one-time one, to be
     * changed at first login */
    CHECK(zg_account_bootstrap(t->db, "", otp, sizeof otp, &created, &err));
    assert_true(created);
    assert_int_equal(strlen(otp), ZG_ONE_TIME_PASSWORD_LEN);
    zg_login_result_t res;
    CHECK(login(t, "admin", otp, &res, &err));
    assert_true(res.must_change_password);
    zg_account_info_t info;
    CHECK(zg_account_get(t->c, &t->arena, NULL, res.account_id, &info, &err));
    assert_int_equal(info.home_org_id, 0);
    assert_int_equal(info.nroles, 1);
    assert_string_equal(info.roles[0].code, "sysadmin");
    /* a second run does nothing */
    CHECK(zg_account_bootstrap(t->db, NULL, otp, sizeof otp, &created, &err));
    assert_false(created);
    assert_string_equal(otp, "");
    assert_int_equal(q_int(t, "SELECT count(*) FROM account", 0), 1);
}

static void test_bootstrap_with_password(void **state)
{
    ctx_t *t = start(state);
    zg_error_t err;
    char otp[64];
    bool created = false;
    CHECK(zg_account_bootstrap(t->db, "Qiang-Mima-2025", otp, sizeof otp, &created, &err));
    assert_true(created);
    assert_string_equal(otp, "");
    zg_login_result_t res;
    CHECK(login(t, "ADMIN", "Qiang-Mima-2025", &res, &err)); /* usernames ignore case */
    assert_false(res.must_change_password);
}

static void expect_violation(ctx_t *t, int rc, const zg_error_t *err, const char *rule)
{
    assert_int_equal(rc, ZG_ERR_INVALID);
    assert_string_equal(err->code, "rule_violation");
    assert_true(zg_findings_has(&t->f, rule));
}

static void test_create_separation_of_duties(void **state)
{
    ctx_t *t = start(state);
    zg_error_t err;
    /* two administrator roles */
    const char *r1[] = {"sysadmin", "auditor"};
    zg_account_new_t a = {.username = "two", .display_name = "甲", .roles = r1, .nroles = 2};
    expect_violation(t, zg_account_create(t->c, &a, NULL, &t->f, &err), &err,
                     "account.separation_of_duties");
    assert_string_equal(a.one_time_password, "");
    /* an administrator role with a business role (home org given, so only 三员分立 fails) */
    zg_findings_init(&t->f, &t->arena);
    const char *r2[] = {"secadmin", "viewer"};
    zg_account_new_t b = {.username = "mixed",
                          .display_name = "乙",
                          .home_org_id = t->city,
                          .roles = r2,
                          .nroles = 2};
    expect_violation(t, zg_account_create(t->c, &b, NULL, &t->f, &err), &err,
                     "account.separation_of_duties");
    assert_int_equal(q_int(t, "SELECT count(*) FROM account", 0), 0);
    /* each alone is fine */
    mk(t, "sec", NULL, 0, "secadmin");
    mk(t, "viewer1", NULL, t->county, "viewer");
    /* a business role needs a home org */
    const char *r3[] = {"viewer"};
    zg_account_new_t c = {.username = "noorg", .display_name = "丙", .roles = r3, .nroles = 1};
    assert_int_equal(zg_account_create(t->c, &c, NULL, &t->f, &err), ZG_ERR_INVALID);
    assert_string_equal(err.code, "business_role_needs_org");
    /* admin_roles_only: the system administrator cannot hand out business roles */
    zg_account_new_t d = {.username = "byadmin",
                          .display_name = "丁",
                          .home_org_id = t->city,
                          .roles = r3,
                          .nroles = 1,
                          .admin_roles_only = true};
    assert_int_equal(zg_account_create(t->c, &d, NULL, &t->f, &err), ZG_ERR_INVALID);
    assert_string_equal(err.code, "business_role_not_allowed");
    /* other checks */
    zg_account_new_t e = {.username = "Viewer1", .display_name = "戊", .home_org_id = t->city};
    assert_int_equal(zg_account_create(t->c, &e, NULL, &t->f, &err), ZG_ERR_CONFLICT);
    assert_string_equal(err.code, "username_taken");
    const char *r4[] = {"no_such_role"};
    zg_account_new_t g = {
        .username = "g1", .display_name = "己", .home_org_id = t->city, .roles = r4, .nroles = 1};
    assert_int_equal(zg_account_create(t->c, &g, NULL, &t->f, &err), ZG_ERR_INVALID);
    assert_string_equal(err.code, "unknown_role");
    zg_account_new_t h = {.username = "h1", .display_name = "庚", .home_org_id = t->dissolved};
    assert_int_equal(zg_account_create(t->c, &h, NULL, &t->f, &err), ZG_ERR_INVALID);
    assert_string_equal(err.code, "invalid_home_org");
    zg_account_new_t i = {.username = "i1", .display_name = "", .home_org_id = t->city};
    assert_int_equal(zg_account_create(t->c, &i, NULL, &t->f, &err), ZG_ERR_INVALID);
    assert_string_equal(err.code, "invalid_display_name");
    /* a given password is checked against the policy */
    zg_findings_init(&t->f, &t->arena);
    zg_account_new_t j = {
        .username = "j1", .display_name = "辛", .home_org_id = t->city, .password = "short1A"};
    expect_violation(t, zg_account_create(t->c, &j, NULL, &t->f, &err), &err,
                     "account.password_length");
    /* an actor homed in the county cannot create accounts at the city or without an org */
    zg_actor_t county_admin = {.account_id = 1, .username = "x", .home_org_id = t->county};
    zg_account_new_t k = {
        .username = "k1", .display_name = "壬", .home_org_id = t->city, .actor = &county_admin};
    assert_int_equal(zg_account_create(t->c, &k, NULL, &t->f, &err), ZG_ERR_INVALID);
    assert_string_equal(err.code, "invalid_home_org");
    k.home_org_id = 0;
    assert_int_equal(zg_account_create(t->c, &k, NULL, &t->f, &err), ZG_ERR_INVALID);
    k.home_org_id = t->county;
    CHECK(zg_account_create(t->c, &k, NULL, &t->f, &err));
}

static void test_set_roles(void **state)
{
    ctx_t *t = start(state);
    zg_error_t err;
    int64_t aud = mk(t, "aud", NULL, 0, "auditor");
    int64_t biz = mk(t, "biz", NULL, t->county, "viewer");
    const char *viewer[] = {"viewer"};
    /* an auditor cannot be given a business role (even with a home org) */
    zg_findings_init(&t->f, &t->arena);
    expect_violation(t, zg_account_set_roles(t->c, NULL, aud, viewer, 1, true, &t->f, &err), &err,
                     "account.separation_of_duties");
    CHECK(zg_account_update(t->c, NULL, aud, NULL, true, t->city, &err));
    zg_findings_init(&t->f, &t->arena);
    expect_violation(t, zg_account_set_roles(t->c, NULL, aud, viewer, 1, true, &t->f, &err), &err,
                     "account.separation_of_duties");
    /* the security administrator's endpoint gives business roles only */
    const char *sys[] = {"sysadmin"};
    assert_int_equal(zg_account_set_roles(t->c, NULL, biz, sys, 1, true, &t->f, &err),
                     ZG_ERR_INVALID);
    assert_string_equal(err.code, "admin_role_not_assignable");
    /* and through the unrestricted path 三员分立 still holds */
    zg_findings_init(&t->f, &t->arena);
    const char *sys_and_viewer[] = {"sysadmin", "viewer"};
    expect_violation(t,
                     zg_account_set_roles(t->c, NULL, biz, sys_and_viewer, 2, false, &t->f, &err),
                     &err, "account.separation_of_duties");
    /* business roles replace business roles */
    const char *two[] = {"branch_secretary", "org_admin", "org_admin"};
    CHECK(zg_account_set_roles(t->c, NULL, biz, two, 3, true, &t->f, &err));
    zg_account_info_t info;
    CHECK(zg_account_get(t->c, &t->arena, NULL, biz, &info, &err));
    assert_int_equal(info.nroles, 2);
    assert_string_equal(info.roles[0].code, "org_admin");
    assert_string_equal(info.roles[1].code, "branch_secretary");
    /* a business account cannot lose its home org */
    assert_int_equal(zg_account_update(t->c, NULL, biz, NULL, true, 0, &err), ZG_ERR_INVALID);
    assert_string_equal(err.code, "business_role_needs_org");
    /* an empty list clears them */
    CHECK(zg_account_set_roles(t->c, NULL, biz, NULL, 0, true, &t->f, &err));
    CHECK(zg_account_get(t->c, &t->arena, NULL, biz, &info, &err));
    assert_int_equal(info.nroles, 0);
    /* a custom business role with business permissions counts as business */
    const char *perms[] = {"org:read"};
    int64_t rid = 0;
    CHECK(zg_role_create(t->c, NULL, "custom_reader", "自定义只读", NULL, perms, 1, &rid, &err));
    const char *custom[] = {"custom_reader"};
    zg_findings_init(&t->f, &t->arena);
    expect_violation(t, zg_account_set_roles(t->c, NULL, aud, custom, 1, true, &t->f, &err), &err,
                     "account.separation_of_duties");
}

static void test_roles_catalog_rules(void **state)
{
    ctx_t *t = start(state);
    zg_error_t err;
    int64_t id = 0;
    const char *admin_perm[] = {"org:read", "audit:read"};
    assert_int_equal(
        zg_role_create(t->c, NULL, "sneaky", "偷偷审计", NULL, admin_perm, 2, &id, &err),
        ZG_ERR_INVALID);
    assert_string_equal(err.code, "admin_perm_in_role");
    const char *unknown[] = {"org:fly"};
    assert_int_equal(zg_role_create(t->c, NULL, "x1", "未知", NULL, unknown, 1, &id, &err),
                     ZG_ERR_INVALID);
    assert_string_equal(err.code, "unknown_perm");
    assert_int_equal(zg_role_create(t->c, NULL, "Bad Code", "坏代码", NULL, NULL, 0, &id, &err),
                     ZG_ERR_INVALID);
    assert_string_equal(err.code, "invalid_role_code");
    const char *ok[] = {"org:read", "stats:read", "org:read"};
    CHECK(zg_role_create(t->c, NULL, "stats_reader", "统计查看", "只看统计", ok, 3, &id, &err));
    assert_int_equal(zg_role_create(t->c, NULL, "other", "统计查看", NULL, ok, 1, NULL, &err),
                     ZG_ERR_CONFLICT);
    zg_role_info_t ro;
    CHECK(zg_role_get(t->c, &t->arena, id, &ro, &err));
    assert_int_equal(ro.nperms, 2);
    assert_false(ro.builtin);
    const char *only_stats[] = {"stats:read"};
    CHECK(zg_role_update(t->c, NULL, id, "统计员", NULL, only_stats, 1, &err));
    CHECK(zg_role_get(t->c, &t->arena, id, &ro, &err));
    assert_string_equal(ro.name, "统计员");
    assert_int_equal(ro.nperms, 1);
    /* built-in roles are immutable */
    int64_t viewer = q_int(t, "SELECT id FROM role WHERE code = 'viewer'", 0);
    assert_int_equal(zg_role_update(t->c, NULL, viewer, "改名", NULL, NULL, 0, &err),
                     ZG_ERR_FORBIDDEN);
    assert_int_equal(zg_role_delete(t->c, NULL, viewer, &err), ZG_ERR_FORBIDDEN);
    /* a role in use cannot be deleted */
    mk(t, "holder", NULL, t->city, "stats_reader");
    assert_int_equal(zg_role_delete(t->c, NULL, id, &err), ZG_ERR_CONFLICT);
    assert_string_equal(err.code, "role_in_use");
    int64_t biz = q_int(t, "SELECT id FROM account WHERE username = 'holder'", 0);
    CHECK(zg_account_set_roles(t->c, NULL, biz, NULL, 0, true, &t->f, &err));
    CHECK(zg_role_delete(t->c, NULL, id, &err));
    assert_int_equal(zg_role_get(t->c, &t->arena, id, &ro, &err), ZG_ERR_NOT_FOUND);
}

/* account.lockout, exactly as issue 3 says: 5 wrong → locked; the 6th with the right
 * password is refused; the lock expires; a success resets the count. */
static void test_lockout(void **state)
{
    ctx_t *t = start(state);
    zg_error_t err;
    int64_t id = mk(t, "wang", "Right-Pass-1", t->city, "viewer");
    zg_login_result_t res;
    for (int i = 1; i <= 5; i++) {
        assert_int_equal(login(t, "wang", "Wrong-Pass-1", &res, &err), ZG_ERR_UNAUTHORIZED);
        assert_string_equal(err.code, "invalid_credentials");
        assert_string_equal(err.message, "用户名或密码错误");
    }
    assert_int_equal(login(t, "wang", "Right-Pass-1", &res, &err), ZG_ERR_FORBIDDEN);
    assert_string_equal(err.code, "account_locked");
    assert_string_equal(err.message, "账号已锁定，请15分钟后再试");
    assert_int_equal(res.session_id, 0);
    assert_string_equal(res.token, "");
    assert_int_equal(q_int(t, "SELECT count(*) FROM session", 0), 0);
    /* still locked one minute before the end */
    char ts[ZG_TIMESTAMP_SIZE];
    ts_ago(ts, -60);
    exec1(t, "UPDATE account SET locked_until = $2 WHERE id = $1", ts, id);
    assert_int_equal(login(t, "wang", "Right-Pass-1", &res, &err), ZG_ERR_FORBIDDEN);
    assert_string_equal(err.message, "账号已锁定，请1分钟后再试");
    /* the lock has expired */
    ts_ago(ts, 1);
    exec1(t, "UPDATE account SET locked_until = $2 WHERE id = $1", ts, id);
    CHECK(login(t, "wang", "Right-Pass-1", &res, &err));
    assert_true(res.session_id > 0);
    assert_int_equal(q_int(t, "SELECT failed_count FROM account WHERE id = $1", id), 0);
    assert_int_equal(q_int(t,
                           "SELECT count(*) FROM account WHERE id = $1 AND locked_until IS "
                           "NULL",
                           id),
                     1);
    /* a success resets the count: 4 wrong, right, 4 wrong → not locked */
    for (int round = 0; round < 2; round++) {
        for (int i = 0; i < 4; i++)
            assert_int_equal(login(t, "wang", "nope", &res, &err), ZG_ERR_UNAUTHORIZED);
        if (round == 0)
            CHECK(login(t, "wang", "Right-Pass-1", &res, &err));
    }
    assert_int_equal(q_int(t, "SELECT failed_count FROM account WHERE id = $1", id), 4);
    CHECK(login(t, "wang", "Right-Pass-1", &res, &err));
    /* an administrator unlocks */
    for (int i = 0; i < 5; i++)
        login(t, "wang", "nope", &res, &err);
    assert_int_equal(login(t, "wang", "Right-Pass-1", &res, &err), ZG_ERR_FORBIDDEN);
    CHECK(zg_account_unlock(t->c, NULL, id, &err));
    CHECK(login(t, "wang", "Right-Pass-1", &res, &err));
    /* unknown users get the same answer, and never lock */
    for (int i = 0; i < 7; i++) {
        assert_int_equal(login(t, "nobody", "Right-Pass-1", &res, &err), ZG_ERR_UNAUTHORIZED);
        assert_string_equal(err.code, "invalid_credentials");
        assert_string_equal(err.message, "用户名或密码错误");
    }
    assert_int_equal(login(t, "not a name!", "x", &res, &err), ZG_ERR_UNAUTHORIZED);
    assert_string_equal(err.message, "用户名或密码错误");
    /* the audit log has the attempts, and no secret */
    assert_true(q_int(t,
                      "SELECT count(*) FROM audit_log WHERE action = 'auth.login' AND "
                      "outcome = 'failed'",
                      0) >= 18);
    assert_true(q_int(t,
                      "SELECT count(*) FROM audit_log WHERE action = 'auth.login' AND "
                      "outcome = 'denied'",
                      0) >= 3);
    assert_int_equal(q_int(t,
                           "SELECT count(*) FROM audit_log WHERE detail LIKE '%Right-Pass%' "
                           "OR detail LIKE '%Wrong-Pass%' OR detail LIKE '%nope%'",
                           0),
                     0);
}

static void test_disabled_account(void **state)
{
    ctx_t *t = start(state);
    zg_error_t err;
    int64_t admin = mk(t, "root1", NULL, 0, "sysadmin");
    int64_t id = mk(t, "li", "Right-Pass-1", t->city, "viewer");
    zg_login_result_t res;
    CHECK(login(t, "li", "Right-Pass-1", &res, &err));
    zg_actor_t actor = {.account_id = admin, .username = "root1"};
    CHECK(zg_account_set_disabled(t->c, &actor, id, true, &err));
    assert_int_equal(q_int(t, "SELECT count(*) FROM session WHERE account_id = $1", id), 0);
    assert_int_equal(login(t, "li", "Right-Pass-1", &res, &err), ZG_ERR_FORBIDDEN);
    assert_string_equal(err.code, "account_disabled");
    /* a wrong password on a disabled account says nothing about the account */
    assert_int_equal(login(t, "li", "Wrong-Pass-1", &res, &err), ZG_ERR_UNAUTHORIZED);
    CHECK(zg_account_set_disabled(t->c, &actor, id, false, &err));
    CHECK(login(t, "li", "Right-Pass-1", &res, &err));
    /* no disabling oneself, nor the last system administrator */
    assert_int_equal(zg_account_set_disabled(t->c, &actor, admin, true, &err), ZG_ERR_CONFLICT);
    assert_string_equal(err.code, "cannot_disable_self");
    assert_int_equal(zg_account_set_disabled(t->c, NULL, admin, true, &err), ZG_ERR_CONFLICT);
    assert_string_equal(err.code, "last_sysadmin");
    int64_t admin2 = mk(t, "root2", NULL, 0, "sysadmin");
    CHECK(zg_account_set_disabled(t->c, &actor, admin2, true, &err));
    assert_int_equal(zg_account_set_disabled(t->c, NULL, admin, true, &err), ZG_ERR_CONFLICT);
}

static int change(ctx_t *t, int64_t id, const char *old_pw, const char *new_pw, zg_error_t *err)
{
    zg_account_policy_t p = zg_account_policy_defaults();
    zg_actor_t actor = {.account_id = id, .username = "zhao"};
    zg_findings_init(&t->f, &t->arena);
    return zg_account_change_password(t->c, &p, &actor, 0, old_pw, new_pw, &t->f, err);
}

/* account.password_history: the last 5 passwords (the current one included) are refused;
 * the 6th-oldest is allowed again. */
static void test_password_history(void **state)
{
    ctx_t *t = start(state);
    zg_error_t err;
    static const char *pw[] = {"History-Pw-1", "History-Pw-2", "History-Pw-3",
                               "History-Pw-4", "History-Pw-5", "History-Pw-6"};
    int64_t id = mk(t, "zhao", pw[0], t->city, "viewer");
    for (int i = 1; i < 6; i++)
        CHECK(change(t, id, pw[i - 1], pw[i], &err));
    assert_int_equal(q_int(t, "SELECT count(*) FROM password_history WHERE account_id = $1", id),
                     5);
    /* the current one and the four before it */
    for (int i = 5; i >= 2; i--) {
        assert_int_equal(change(t, id, pw[5], pw[i], &err), ZG_ERR_INVALID);
        assert_string_equal(err.code, "rule_violation");
        assert_true(zg_findings_has(&t->f, "account.password_history"));
    }
    assert_int_equal(change(t, id, pw[5], pw[1], &err), ZG_ERR_INVALID); /* 5th most recent */
    assert_true(zg_findings_has(&t->f, "account.password_history"));
    CHECK(change(t, id, pw[5], pw[0], &err)); /* the 6th-oldest is allowed */
    /* the policy is checked too, with its own findings */
    assert_int_equal(change(t, id, pw[0], "weak", &err), ZG_ERR_INVALID);
    assert_true(zg_findings_has(&t->f, "account.password_length"));
    assert_true(zg_findings_has(&t->f, "account.password_classes"));
    assert_int_equal(change(t, id, pw[0], "Zhao-2025-xyz", &err), ZG_ERR_INVALID);
    assert_true(zg_findings_has(&t->f, "account.password_not_username"));
    /* a wrong old password is refused and counts toward the lock */
    assert_int_equal(change(t, id, "Not-The-Old-1", "Brand-New-Pw-9", &err), ZG_ERR_INVALID);
    assert_string_equal(err.code, "wrong_old_password");
    assert_int_equal(q_int(t, "SELECT failed_count FROM account WHERE id = $1", id), 1);
}

/* A changed password clears must_change_password and ends the other sessions. */
static void test_change_password_sessions(void **state)
{
    ctx_t *t = start(state);
    zg_error_t err;
    int64_t id = mk(t, "qian", NULL, t->city, "viewer");
    assert_int_equal(q_int(t, "SELECT must_change_password FROM account WHERE id = $1", id), 1);
    char otp[ZG_ONE_TIME_PASSWORD_SIZE];
    CHECK(zg_account_reset_password(t->c, NULL, id, otp, &err));
    zg_login_result_t a, b;
    CHECK(login(t, "qian", otp, &a, &err));
    assert_true(a.must_change_password);
    CHECK(login(t, "qian", otp, &b, &err));
    zg_account_policy_t p = zg_account_policy_defaults();
    zg_actor_t actor = {.account_id = id, .username = "qian"};
    CHECK(zg_account_change_password(t->c, &p, &actor, b.session_id, otp, "Brand-New-Pw-1", &t->f,
                                     &err));
    assert_int_equal(q_int(t, "SELECT count(*) FROM session WHERE account_id = $1", id), 1);
    assert_int_equal(q_int(t, "SELECT id FROM session WHERE account_id = $1", id), b.session_id);
    CHECK(login(t, "qian", "Brand-New-Pw-1", &a, &err));
    assert_false(a.must_change_password);
    /* a reset ends every session and forces a change */
    CHECK(zg_account_reset_password(t->c, NULL, id, otp, &err));
    assert_int_equal(q_int(t, "SELECT count(*) FROM session WHERE account_id = $1", id), 0);
    CHECK(login(t, "qian", otp, &a, &err));
    assert_true(a.must_change_password);
}

/* account.password_expiry at the day boundary (90 days by default). */
static void test_password_expiry(void **state)
{
    ctx_t *t = start(state);
    zg_error_t err;
    int64_t id = mk(t, "sun", "Star-Pass-2025", t->city, "viewer");
    zg_login_result_t res;
    char ts[ZG_TIMESTAMP_SIZE];
    ts_ago(ts, 90 * 86400 - 120);
    exec1(t, "UPDATE account SET password_changed_at = $2 WHERE id = $1", ts, id);
    CHECK(login(t, "sun", "Star-Pass-2025", &res, &err));
    assert_false(res.must_change_password);
    ts_ago(ts, 90 * 86400);
    exec1(t, "UPDATE account SET password_changed_at = $2 WHERE id = $1", ts, id);
    CHECK(login(t, "sun", "Star-Pass-2025", &res, &err));
    assert_true(res.must_change_password);
}

/* Only SM3(token bytes) is stored; the CSRF token is a different random value. */
static void test_session_token_hashed(void **state)
{
    ctx_t *t = start(state);
    zg_error_t err;
    mk(t, "zhou", "Moon-Pass-2025", t->city, "viewer");
    zg_login_result_t res;
    CHECK(login(t, "zhou", "Moon-Pass-2025", &res, &err));
    assert_int_equal(strlen(res.token), 64);
    assert_int_equal(strlen(res.csrf_token), 64);
    assert_string_not_equal(res.token, res.csrf_token);
    uint8_t raw[32], digest[32];
    size_t n;
    assert_int_equal(zg_hex_decode(res.token, 64, raw, sizeof raw, &n), 0);
    assert_int_equal(zg_sm3(raw, sizeof raw, digest), 0);
    char hex[65];
    zg_hex_encode(digest, sizeof digest, hex, sizeof hex);
    zg_rows_t *rows;
    zg_param_t p[] = {ZG_P_INT(res.session_id)};
    CHECK(zg_db_query(t->c,
                      "SELECT token_hash, csrf_token, user_agent, ip, created_at, expires_at "
                      "FROM session WHERE id = $1",
                      p, 1, &rows, &err));
    assert_int_equal(zg_rows_next(rows, &err), 1);
    assert_string_equal(zg_rows_text(rows, 0), hex);
    assert_string_not_equal(zg_rows_text(rows, 0), res.token);
    assert_string_equal(zg_rows_text(rows, 1), res.csrf_token);
    assert_string_equal(zg_rows_text(rows, 2), "test?agent");
    assert_string_equal(zg_rows_text(rows, 3), "127.0.0.1");
    int64_t created, expires;
    assert_int_equal(zg_account_ts_parse(zg_rows_text(rows, 4), &created), 0);
    assert_int_equal(zg_account_ts_parse(zg_rows_text(rows, 5), &expires), 0);
    assert_int_equal(expires - created, 12 * 3600);
    zg_rows_close(rows);
    /* a login purges the sessions nobody can use any more (expired or idle), of any account */
    int64_t other = mk(t, "other_acc", "Other-Pass-2025", t->city, "viewer");
    char old_ts[ZG_TIMESTAMP_SIZE], now_ts[ZG_TIMESTAMP_SIZE];
    ts_ago(old_ts, 13 * 3600);
    ts_ago(now_ts, 0);
    zg_param_t pi[] = {ZG_P_INT(other), ZG_P_TEXT(old_ts), ZG_P_TEXT(now_ts)};
    CHECK(zg_db_exec(t->c,
                     "INSERT INTO session (token_hash, csrf_token, account_id, created_at, "
                     "last_seen_at, expires_at) VALUES ('stale-a', 'x', $1, $2, $3, $2), "
                     "('stale-b', 'x', $1, $2, $2, $3)",
                     pi, 3, NULL, &err));
    assert_int_equal(q_int(t, "SELECT count(*) FROM session WHERE account_id = $1", other), 2);
    zg_login_result_t res2;
    CHECK(login(t, "zhou", "Moon-Pass-2025", &res2, &err));
    assert_int_equal(q_int(t, "SELECT count(*) FROM session WHERE account_id = $1", other), 0);
    assert_int_equal(q_int(t, "SELECT count(*) FROM session", 0), 2);
    /* logout removes it */
    zg_actor_t actor = {.account_id = res.account_id, .username = "zhou"};
    CHECK(zg_account_logout(t->c, &actor, res.session_id, &err));
    assert_int_equal(q_int(t, "SELECT count(*) FROM session", 0), 1);
    assert_int_equal(q_int(t, "SELECT count(*) FROM session WHERE id = $1", res.session_id), 0);
}

static void test_list_and_scope(void **state)
{
    ctx_t *t = start(state);
    zg_error_t err;
    mk(t, "city_user", NULL, t->city, "viewer");
    int64_t county_user = mk(t, "county_user", NULL, t->county, "viewer");
    mk(t, "sys_b", NULL, 0, "sysadmin");
    zg_account_info_t *items;
    int n;
    int64_t total;
    CHECK(zg_account_list(t->c, &t->arena, NULL, NULL, NULL, 1, 20, &items, &n, &total, &err));
    assert_int_equal(total, 3);
    assert_int_equal(n, 3);
    assert_string_equal(items[0].username, "city_user");
    assert_string_equal(items[0].home_org_name, "某市委");
    CHECK(zg_account_list(t->c, &t->arena, NULL, "COUNTY", NULL, 1, 20, &items, &n, &total, &err));
    assert_int_equal(total, 1);
    assert_string_equal(items[0].username, "county_user");
    CHECK(zg_account_list(t->c, &t->arena, NULL, "测试", NULL, 1, 2, &items, &n, &total, &err));
    assert_int_equal(total, 3);
    assert_int_equal(n, 2);
    CHECK(zg_account_list(t->c, &t->arena, NULL, "%", NULL, 1, 20, &items, &n, &total, &err));
    assert_int_equal(total, 0); /* % is a literal, not a wildcard */
    /* an actor homed in the county sees only the county's accounts */
    zg_actor_t county_admin = {.account_id = 99, .home_org_id = t->county};
    CHECK(zg_account_list(t->c, &t->arena, &county_admin, NULL, NULL, 1, 20, &items, &n, &total,
                          &err));
    assert_int_equal(total, 1);
    assert_int_equal(items[0].id, county_user);
    int64_t city_user = q_int(t, "SELECT id FROM account WHERE username = 'city_user'", 0);
    zg_account_info_t info;
    assert_int_equal(zg_account_get(t->c, &t->arena, &county_admin, city_user, &info, &err),
                     ZG_ERR_NOT_FOUND);
    assert_int_equal(zg_account_unlock(t->c, &county_admin, city_user, &err), ZG_ERR_NOT_FOUND);
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void set_cost(int ops, int mem_kib)
{
    zg_config_t cfg;
    zg_config_defaults(&cfg);
    cfg.argon2_ops = ops;
    cfg.argon2_mem_kib = mem_kib;
    zg_error_t err;
    CHECK(zg_account_configure(&cfg, &err)); /* also renews the dummy hash */
}

/* An unknown username costs a password verification too (a dummy hash), so the answer's
 * timing does not tell which usernames exist. Measured at a real cost (32 MiB), where the
 * hash dominates: without the dummy the unknown user would answer ~50x faster. */
static void test_unknown_user_timing(void **state)
{
    ctx_t *t = start(state);
    set_cost(2, 32 * 1024);
    mk(t, "clock_user", "Timing-Pass-1", t->city, "viewer");
    zg_login_result_t res;
    zg_error_t err;
    login(t, "nobody_here", "Timing-Pass-1", &res, &err); /* makes the dummy hash */
    double known = 0, unknown = 0;
    for (int i = 0; i < 3; i++) {
        double t0 = now_s();
        assert_int_equal(login(t, "clock_user", "Wrong-Pass-1", &res, &err), ZG_ERR_UNAUTHORIZED);
        double t1 = now_s();
        assert_int_equal(login(t, "nobody_here", "Wrong-Pass-1", &res, &err), ZG_ERR_UNAUTHORIZED);
        double t2 = now_s();
        known += t1 - t0;
        unknown += t2 - t1;
    }
    set_cost(1, 8);
    if (unknown < 0.5 * known || known < 0.5 * unknown)
        fail_msg("unknown user %.1f ms vs known user %.1f ms", unknown * 1000 / 3,
                 known * 1000 / 3);
}

#define BOTH(fn)                                                                                   \
    cmocka_unit_test_prestate_setup_teardown(fn, setup, teardown, &proto_sqlite),                  \
        cmocka_unit_test_prestate_setup_teardown(fn, setup, teardown, &proto_pg)

int main(void)
{
    /* tests hash many passwords: the minimum argon2id cost keeps them fast */
    zg_password_set_params(1, 8192);
    const struct CMUnitTest tests[] = {
        BOTH(test_seeded_roles),
        BOTH(test_bootstrap),
        BOTH(test_bootstrap_with_password),
        BOTH(test_create_separation_of_duties),
        BOTH(test_set_roles),
        BOTH(test_roles_catalog_rules),
        BOTH(test_lockout),
        BOTH(test_disabled_account),
        BOTH(test_password_history),
        BOTH(test_change_password_sessions),
        BOTH(test_password_expiry),
        BOTH(test_session_token_hashed),
        BOTH(test_list_and_scope),
        BOTH(test_unknown_user_timing),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    zg_testdb_cleanup();
    return rc;
}
