/* test_auth.c — accounts, sessions and roles over real HTTP (issue 3 §3–§4), once per backend
 * (ZG_TEST_BACKEND=sqlite|postgres): login / me / logout with Bearer and cookie, CSRF on a
 * state-changing request, idle and absolute expiry, brute force exactly as issue 3's "Done
 * when" says, tokens never stored in clear (the SQLite files' bytes, every PostgreSQL column),
 * the first-login password change, 三员分立 through the API, and that the three administrator
 * roles cannot read business data. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/crypto.h"
#include "db/db.h"
#include "modules/account/account.h"
#include "testauth.h"
#include "testsrv.h"

static zg_testsrv_t S;
static int64_t CITY, COUNTY;

/* ---- fixture ---------------------------------------------------------------------------- */

static zg_conn_t *db(void)
{
    zg_error_t err;
    zg_conn_t *c = zg_db_conn(S.app->db, &err);
    assert_non_null(c);
    return c;
}

static int64_t sql_int(const char *sql, int64_t arg)
{
    zg_error_t err;
    int64_t v = -1;
    zg_param_t p[] = {ZG_P_INT(arg)};
    if (zg_db_query_int(db(), sql, p, strstr(sql, "$1") ? 1 : 0, &v, &err)) {
        print_error("%s: %s\n", sql, err.detail);
        fail();
    }
    return v;
}

static void sql_exec(const char *sql, int64_t id, const char *text)
{
    zg_error_t err;
    zg_param_t p[] = {ZG_P_INT(id), ZG_P_TEXT(text)};
    if (zg_db_exec(db(), sql, p, 2, NULL, &err)) {
        print_error("%s: %s\n", sql, err.detail);
        fail();
    }
    zg_account_sessions_changed(); /* written behind the account module's back */
}

static int64_t insert_org(int64_t parent, const char *kind, const char *name)
{
    zg_error_t err;
    int64_t id = 0;
    zg_param_t p[] = {parent ? ZG_P_INT(parent) : ZG_P_NULL, ZG_P_TEXT(kind), ZG_P_TEXT(name)};
    assert_int_equal(
        zg_db_query_int(db(),
                        "INSERT INTO org (parent_id, kind, name, depth) VALUES ($1, $2, "
                        "$3, COALESCE((SELECT depth + 1 FROM org WHERE id = $1), "
                        "0)) RETURNING id",
                        p, 3, &id, &err),
        0);
    zg_param_t q[] = {ZG_P_INT(id)};
    assert_int_equal(zg_db_exec(db(),
                                "INSERT INTO org_closure (ancestor_id, descendant_id, depth) "
                                "SELECT ancestor_id, $1, depth + 1 FROM org_closure WHERE "
                                "descendant_id = (SELECT parent_id FROM org WHERE id = $1)",
                                q, 1, NULL, &err),
                     0);
    assert_int_equal(zg_db_exec(db(),
                                "INSERT INTO org_closure (ancestor_id, descendant_id, depth) "
                                "VALUES ($1, $1, 0)",
                                q, 1, NULL, &err),
                     0);
    return id;
}

static int setup(void **state)
{
    (void)state;
    if (zg_testsrv_start(&S, zg_test_fast_hashing) != 0)
        return -1;
    CITY = insert_org(0, "committee", "测试市委");
    COUNTY = insert_org(CITY, "committee", "测试县委");
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    zg_testsrv_stop(&S);
    return 0;
}

/* ---- helpers ---------------------------------------------------------------------------- */

static void assert_status(const zg_http_resp_t *r, long status, const char *code)
{
    if (r->status != status || (code && strcmp(zg_http_json_str(r, "code"), code)))
        fprintf(stderr, "expected %ld %s, got %ld: %s\n", status, code ? code : "", r->status,
                r->body);
    assert_int_equal(r->status, status);
    if (code)
        assert_string_equal(zg_http_json_str(r, "code"), code);
}

static int64_t account(const char *user, const char *pw, int64_t org, const char *role)
{
    int64_t id = zg_test_create_account(&S, user, pw, org, role);
    assert_true(id > 0);
    return id;
}

static void login_ok(const char *user, const char *pw, char token[ZG_TEST_TOKEN_SIZE])
{
    assert_int_equal(zg_test_login(S.port, user, pw, token, ZG_TEST_TOKEN_SIZE), 0);
    assert_int_equal(strlen(token), 64);
}

/* POST /auth/login with extra headers. */
static void login_raw(const char *user, const char *pw, const char *const *headers,
                      zg_http_resp_t *r)
{
    json_t *j = json_pack("{s:s, s:s}", "username", user, "password", pw);
    char *body = json_dumps(j, JSON_COMPACT);
    json_decref(j);
    assert_int_equal(zg_http(S.port, "POST", "/api/v1/auth/login", body, strlen(body), headers, r),
                     0);
    json_malloc_t jm; /* json_dumps used jansson's allocator, which the server replaces */
    json_free_t jf;
    json_get_alloc_funcs(&jm, &jf);
    jf(body);
}

static long call(const char *method, const char *path, const char *body, const char *token,
                 zg_http_resp_t *r)
{
    assert_int_equal(zg_http_auth(S.port, method, path, body, token, r), 0);
    return r->status;
}

/* A request authenticated by the cookie, with an optional X-CSRF-Token. */
static long call_cookie(const char *method, const char *path, const char *body,
                        const char *cookie_name, const char *token, const char *csrf,
                        zg_http_resp_t *r)
{
    char cookie[160], xcsrf[160];
    snprintf(cookie, sizeof cookie, "Cookie: theme=dark; %s=%s", cookie_name, token);
    const char *headers[3] = {cookie, NULL, NULL};
    if (csrf) {
        snprintf(xcsrf, sizeof xcsrf, "X-CSRF-Token: %s", csrf);
        headers[1] = xcsrf;
    }
    assert_int_equal(zg_http(S.port, method, path, body, body ? strlen(body) : 0, headers, r), 0);
    return r->status;
}

static bool json_array_has(json_t *arr, const char *s)
{
    size_t i;
    json_t *v;
    json_array_foreach(arr, i, v)
    {
        if (json_is_string(v) && !strcmp(json_string_value(v), s))
            return true;
    }
    return false;
}

/* Whether a 422 answer has a finding of `rule` (with its citation and message). */
static bool has_finding(const zg_http_resp_t *r, const char *rule)
{
    json_t *fs = json_object_get(r->json, "findings");
    size_t i;
    json_t *f;
    json_array_foreach(fs, i, f)
    {
        const char *id = json_string_value(json_object_get(f, "rule"));
        if (id && !strcmp(id, rule)) {
            assert_true(strlen(json_string_value(json_object_get(f, "citation"))) > 0);
            assert_true(strlen(json_string_value(json_object_get(f, "message"))) > 0);
            return true;
        }
    }
    return false;
}

static void ts_from_now(char buf[ZG_TIMESTAMP_SIZE], int64_t delta)
{
    zg_account_ts_format(zg_account_now() + delta, buf);
}

static int64_t session_id_of(const char *token)
{
    uint8_t raw[32], dg[32];
    size_t n;
    assert_int_equal(zg_hex_decode(token, 64, raw, sizeof raw, &n), 0);
    assert_int_equal(zg_sm3(raw, sizeof raw, dg), 0);
    char hex[65];
    zg_hex_encode(dg, sizeof dg, hex, sizeof hex);
    zg_error_t err;
    zg_param_t p[] = {ZG_P_TEXT(hex)};
    int64_t id = 0;
    int rc = zg_db_query_int(db(), "SELECT id FROM session WHERE token_hash = $1", p, 1, &id, &err);
    return rc ? 0 : id;
}

/* ---- login, me, logout ------------------------------------------------------------------ */

static void test_login_me_logout_bearer(void **state)
{
    (void)state;
    int64_t id = account("bearer_user", "Bearer-Pass-1", COUNTY, "viewer");
    zg_http_resp_t r;
    login_raw("bearer_user", "Bearer-Pass-1", NULL, &r);
    assert_status(&r, 200, NULL);
    const char *token = zg_http_json_str(&r, "token");
    char tok[65], csrf[65];
    snprintf(tok, sizeof tok, "%s", token);
    snprintf(csrf, sizeof csrf, "%s", zg_http_json_str(&r, "csrf_token"));
    assert_int_equal(strlen(tok), 64);
    assert_int_equal(strlen(csrf), 64);
    assert_false(json_is_true(json_object_get(r.json, "must_change_password")));
    json_t *acc = json_object_get(r.json, "account");
    assert_int_equal(json_integer_value(json_object_get(acc, "id")), id);
    assert_string_equal(json_string_value(json_object_get(acc, "home_org_name")), "测试县委");
    assert_null(json_object_get(acc, "password_hash"));
    char cookie[512];
    assert_non_null(zg_http_resp_header(&r, "Set-Cookie", cookie, sizeof cookie));
    char want[160];
    snprintf(want, sizeof want, "zg_session=%s; Path=/;", tok);
    assert_non_null(strstr(cookie, want));
    assert_non_null(strstr(cookie, "HttpOnly"));
    assert_non_null(strstr(cookie, "SameSite=Strict"));
    assert_null(strstr(cookie, "Secure"));
    zg_http_resp_free(&r);

    assert_int_equal(call("GET", "/api/v1/auth/me", NULL, tok, &r), 200);
    json_t *perms = json_object_get(r.json, "permissions");
    assert_int_equal(json_array_size(perms), 3);
    assert_string_equal(json_string_value(json_array_get(perms, 0)), "member:read");
    assert_string_equal(json_string_value(json_array_get(perms, 1)), "org:read");
    assert_string_equal(json_string_value(json_array_get(perms, 2)), "stats:read");
    assert_string_equal(zg_http_json_str(&r, "csrf_token"), csrf);
    json_t *roles = json_object_get(r.json, "roles");
    assert_string_equal(json_string_value(json_object_get(json_array_get(roles, 0), "code")),
                        "viewer");
    assert_int_equal(
        json_integer_value(json_object_get(json_object_get(r.json, "account"), "home_org_id")),
        COUNTY);
    assert_true(json_is_string(json_object_get(r.json, "password_expires_at")));
    zg_http_resp_free(&r);

    /* Bearer requests need no CSRF token */
    assert_int_equal(call("POST", "/api/v1/auth/logout", NULL, tok, &r), 200);
    char clear[256];
    assert_non_null(zg_http_resp_header(&r, "Set-Cookie", clear, sizeof clear));
    assert_non_null(strstr(clear, "zg_session=;"));
    assert_non_null(strstr(clear, "Max-Age=0"));
    zg_http_resp_free(&r);
    call("GET", "/api/v1/auth/me", NULL, tok, &r);
    assert_status(&r, 401, "unauthorized");
    assert_string_equal(zg_http_json_str(&r, "message"), "请先登录");
    zg_http_resp_free(&r);
    /* the audit log recorded login and logout for the account, without the token */
    assert_true(sql_int("SELECT count(*) FROM audit_log WHERE action = 'auth.login' AND "
                        "outcome = 'ok' AND account_id = $1",
                        id) >= 1);
    assert_int_equal(sql_int("SELECT count(*) FROM audit_log WHERE action = 'auth.logout' AND "
                             "account_id = $1",
                             id),
                     1);
}

static void test_unauthenticated(void **state)
{
    (void)state;
    zg_http_resp_t r;
    call("GET", "/api/v1/auth/me", NULL, NULL, &r);
    assert_status(&r, 401, "unauthorized");
    zg_http_resp_free(&r);
    call("GET", "/api/v1/auth/me", NULL, "not-hex", &r);
    assert_status(&r, 401, "unauthorized");
    zg_http_resp_free(&r);
    char fresh[ZG_TOKEN_STR_SIZE];
    zg_random_token(fresh);
    call("GET", "/api/v1/auth/me", NULL, fresh, &r); /* well-formed, unknown */
    assert_status(&r, 401, "unauthorized");
    zg_http_resp_free(&r);
    const char *basic[] = {"Authorization: Basic YWRtaW46YWRtaW4=", NULL};
    zg_http(S.port, "GET", "/api/v1/auth/me", NULL, 0, basic, &r);
    assert_status(&r, 401, "unauthorized");
    zg_http_resp_free(&r);
    call("GET", "/api/v1/permissions", NULL, NULL, &r);
    assert_status(&r, 401, "unauthorized");
    zg_http_resp_free(&r);
    /* public routes still work with a stale token */
    call("GET", "/healthz", NULL, fresh, &r);
    assert_status(&r, 200, NULL);
    zg_http_resp_free(&r);
    /* the login body is strict */
    zg_http_post_json(S.port, "/api/v1/auth/login",
                      "{\"username\":\"a\",\"password\":\"b\",\"remember\":true}", &r);
    assert_status(&r, 400, NULL);
    zg_http_resp_free(&r);
    zg_http_post_json(S.port, "/api/v1/auth/login", "{\"username\":\"a\"}", &r);
    assert_status(&r, 400, NULL);
    assert_non_null(json_object_get(json_object_get(r.json, "fields"), "password"));
    zg_http_resp_free(&r);
}

/* A cookie session: CSRF token missing, wrong, right on a state-changing request. */
static void test_cookie_and_csrf(void **state)
{
    (void)state;
    account("cookie_user", "Cookie-Pass-1", COUNTY, "viewer");
    zg_http_resp_t r;
    login_raw("cookie_user", "Cookie-Pass-1", NULL, &r);
    assert_status(&r, 200, NULL);
    char tok[65], csrf[65];
    snprintf(tok, sizeof tok, "%s", zg_http_json_str(&r, "token"));
    snprintf(csrf, sizeof csrf, "%s", zg_http_json_str(&r, "csrf_token"));
    zg_http_resp_free(&r);

    assert_int_equal(call_cookie("GET", "/api/v1/auth/me", NULL, "zg_session", tok, NULL, &r),
                     200); /* safe methods need no CSRF token */
    assert_string_equal(zg_http_json_str(&r, "csrf_token"), csrf);
    zg_http_resp_free(&r);
    const char *body = "{\"old_password\":\"Cookie-Pass-1\",\"new_password\":\"Cookie-Pass-2\"}";
    call_cookie("POST", "/api/v1/auth/password", body, "zg_session", tok, NULL, &r);
    assert_status(&r, 403, "csrf_failed");
    zg_http_resp_free(&r);
    char wrong[65];
    snprintf(wrong, sizeof wrong, "%s", csrf);
    wrong[0] = wrong[0] == 'a' ? 'b' : 'a';
    call_cookie("POST", "/api/v1/auth/password", body, "zg_session", tok, wrong, &r);
    assert_status(&r, 403, "csrf_failed");
    zg_http_resp_free(&r);
    call_cookie("POST", "/api/v1/auth/password", body, "zg_session", tok, "", &r);
    assert_status(&r, 403, "csrf_failed");
    zg_http_resp_free(&r);
    /* nothing changed: the old password still works */
    assert_int_equal(sql_int("SELECT count(*) FROM audit_log WHERE action = "
                             "'auth.password_change' AND username = 'cookie_user'",
                             0),
                     0);
    call_cookie("POST", "/api/v1/auth/password", body, "zg_session", tok, csrf, &r);
    assert_status(&r, 200, NULL);
    zg_http_resp_free(&r);
    /* the session survives its own password change */
    assert_int_equal(call_cookie("GET", "/api/v1/auth/me", NULL, "zg_session", tok, NULL, &r), 200);
    zg_http_resp_free(&r);
    call_cookie("POST", "/api/v1/auth/logout", NULL, "zg_session", tok, NULL, &r);
    assert_status(&r, 403, "csrf_failed");
    zg_http_resp_free(&r);
    call_cookie("POST", "/api/v1/auth/logout", NULL, "zg_session", tok, csrf, &r);
    assert_status(&r, 200, NULL);
    zg_http_resp_free(&r);
    call_cookie("GET", "/api/v1/auth/me", NULL, "zg_session", tok, NULL, &r);
    assert_status(&r, 401, "unauthorized");
    zg_http_resp_free(&r);
}

/* Behind a TLS proxy the cookie is __Host-zg_session with Secure. */
static void test_https_cookie(void **state)
{
    (void)state;
    account("https_user", "Https-Pass-1", COUNTY, "viewer");
    zg_http_resp_t r;
    const char *xf[] = {"X-Forwarded-Proto: https", NULL};
    login_raw("https_user", "Https-Pass-1", xf, &r);
    assert_status(&r, 200, NULL);
    char tok[65], cookie[512], want[200];
    snprintf(tok, sizeof tok, "%s", zg_http_json_str(&r, "token"));
    assert_non_null(zg_http_resp_header(&r, "Set-Cookie", cookie, sizeof cookie));
    snprintf(want, sizeof want, "__Host-zg_session=%s; Path=/; Secure; HttpOnly; SameSite=Strict",
             tok);
    assert_string_equal(cookie, want);
    zg_http_resp_free(&r);
    assert_int_equal(
        call_cookie("GET", "/api/v1/auth/me", NULL, "__Host-zg_session", tok, NULL, &r), 200);
    assert_true(json_is_array(json_object_get(r.json, "permissions")));
    zg_http_resp_free(&r);
}

/* A new login rotates the session: a new token each time, and the old one the client sent
 * is ended. */
static void test_rotation(void **state)
{
    (void)state;
    account("rotate_user", "Rotate-Pass-1", COUNTY, "viewer");
    char a[65], b[65];
    login_ok("rotate_user", "Rotate-Pass-1", a);
    login_ok("rotate_user", "Rotate-Pass-1", b);
    assert_string_not_equal(a, b);
    zg_http_resp_t r;
    assert_int_equal(call("GET", "/api/v1/auth/me", NULL, a, &r), 200); /* both alive */
    zg_http_resp_free(&r);
    char auth[128];
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", a);
    const char *h[] = {auth, NULL};
    login_raw("rotate_user", "Rotate-Pass-1", h, &r);
    assert_status(&r, 200, NULL);
    zg_http_resp_free(&r);
    call("GET", "/api/v1/auth/me", NULL, a, &r);
    assert_status(&r, 401, "unauthorized");
    zg_http_resp_free(&r);
    assert_int_equal(call("GET", "/api/v1/auth/me", NULL, b, &r), 200);
    zg_http_resp_free(&r);
}

/* ---- expiry ----------------------------------------------------------------------------- */

/* The session cache: the module's own writes take effect on the next request (logout, a
 * removed role); a change written behind its back (another process) within session_cache_ms. */
static void test_session_cache(void **state)
{
    (void)state;
    int64_t id = account("cache_user", "Cache-Pass-1", COUNTY, "viewer");
    char tok[65], tok2[65];
    login_ok("cache_user", "Cache-Pass-1", tok);
    login_ok("cache_user", "Cache-Pass-1", tok2);
    zg_http_resp_t r;
    assert_int_equal(call("GET", "/api/v1/auth/me", NULL, tok, &r), 200); /* now cached */
    zg_http_resp_free(&r);
    assert_int_equal(call("GET", "/api/v1/auth/me", NULL, tok2, &r), 200);
    zg_http_resp_free(&r);
    /* logout through the API: the very next request with that token is refused */
    assert_int_equal(call("POST", "/api/v1/auth/logout", NULL, tok2, &r), 200);
    zg_http_resp_free(&r);
    assert_int_equal(call("GET", "/api/v1/auth/me", NULL, tok2, &r), 401);
    zg_http_resp_free(&r);
    /* another process disables the account: seen after at most the cache's lifetime */
    zg_account_set_session_cache_ms(300);
    assert_int_equal(call("GET", "/api/v1/auth/me", NULL, tok, &r), 200);
    zg_http_resp_free(&r);
    zg_error_t err;
    zg_param_t p[] = {ZG_P_INT(id)};
    assert_int_equal(
        zg_db_exec(db(), "UPDATE account SET status = 'disabled' WHERE id = $1", p, 1, NULL, &err),
        0);
    assert_int_equal(call("GET", "/api/v1/auth/me", NULL, tok, &r), 200); /* still cached */
    zg_http_resp_free(&r);
    usleep(350 * 1000);
    assert_int_equal(call("GET", "/api/v1/auth/me", NULL, tok, &r), 401);
    zg_http_resp_free(&r);
    /* with the cache off, such a change is seen at once */
    zg_account_set_session_cache_ms(0);
    assert_int_equal(
        zg_db_exec(db(), "UPDATE account SET status = 'active' WHERE id = $1", p, 1, NULL, &err),
        0);
    login_ok("cache_user", "Cache-Pass-1", tok);
    assert_int_equal(call("GET", "/api/v1/auth/me", NULL, tok, &r), 200);
    zg_http_resp_free(&r);
    assert_int_equal(
        zg_db_exec(db(), "UPDATE account SET status = 'disabled' WHERE id = $1", p, 1, NULL, &err),
        0);
    assert_int_equal(call("GET", "/api/v1/auth/me", NULL, tok, &r), 401);
    zg_http_resp_free(&r);
    zg_account_set_session_cache_ms(1000);
}

static void test_idle_expiry(void **state)
{
    (void)state;
    account("idle_user", "Idle-Pass-1", COUNTY, "viewer");
    char tok[65];
    login_ok("idle_user", "Idle-Pass-1", tok);
    int64_t sid = session_id_of(tok);
    assert_true(sid > 0);
    char ts[ZG_TIMESTAMP_SIZE];
    zg_http_resp_t r;
    /* 29 minutes idle: still valid, and last_seen_at moves to now */
    ts_from_now(ts, -29 * 60);
    sql_exec("UPDATE session SET last_seen_at = $2 WHERE id = $1", sid, ts);
    assert_int_equal(call("GET", "/api/v1/auth/me", NULL, tok, &r), 200);
    zg_http_resp_free(&r);
    int64_t seen = 0;
    {
        zg_rows_t *rows;
        zg_error_t err;
        zg_param_t p[] = {ZG_P_INT(sid)};
        assert_int_equal(
            zg_db_query(db(), "SELECT last_seen_at FROM session WHERE id = $1", p, 1, &rows, &err),
            0);
        assert_int_equal(zg_rows_next(rows, &err), 1);
        assert_int_equal(zg_account_ts_parse(zg_rows_text(rows, 0), &seen), 0);
        zg_rows_close(rows);
    }
    assert_true(zg_account_now() - seen < 10);
    /* 30 s idle: valid, and last_seen_at is not rewritten (at most once a minute) */
    ts_from_now(ts, -30);
    sql_exec("UPDATE session SET last_seen_at = $2 WHERE id = $1", sid, ts);
    assert_int_equal(call("GET", "/api/v1/auth/me", NULL, tok, &r), 200);
    zg_http_resp_free(&r);
    zg_param_t p[] = {ZG_P_INT(sid), ZG_P_TEXT(ts)};
    int64_t same = 0;
    zg_error_t err;
    assert_int_equal(zg_db_query_int(db(),
                                     "SELECT count(*) FROM session WHERE id = $1 AND "
                                     "last_seen_at = $2",
                                     p, 2, &same, &err),
                     0);
    assert_int_equal(same, 1);
    /* 31 minutes idle: expired, and the row is gone */
    ts_from_now(ts, -31 * 60);
    sql_exec("UPDATE session SET last_seen_at = $2 WHERE id = $1", sid, ts);
    call("GET", "/api/v1/auth/me", NULL, tok, &r);
    assert_status(&r, 401, "session_expired");
    assert_string_equal(zg_http_json_str(&r, "message"), "登录已过期，请重新登录");
    zg_http_resp_free(&r);
    assert_int_equal(sql_int("SELECT count(*) FROM session WHERE id = $1", sid), 0);
    call("GET", "/api/v1/auth/me", NULL, tok, &r);
    assert_status(&r, 401, "unauthorized");
    zg_http_resp_free(&r);
}

static void test_absolute_expiry(void **state)
{
    (void)state;
    account("abs_user", "Absolute-Pass-1", COUNTY, "viewer");
    char tok[65];
    login_ok("abs_user", "Absolute-Pass-1", tok);
    int64_t sid = session_id_of(tok);
    /* 12 h after the login: created_at 12 h ago, expires_at now; active all along */
    char ts[ZG_TIMESTAMP_SIZE];
    ts_from_now(ts, 60);
    sql_exec("UPDATE session SET expires_at = $2 WHERE id = $1", sid, ts);
    zg_http_resp_t r;
    assert_int_equal(call("GET", "/api/v1/auth/me", NULL, tok, &r), 200);
    zg_http_resp_free(&r);
    ts_from_now(ts, 0);
    sql_exec("UPDATE session SET expires_at = $2 WHERE id = $1", sid, ts);
    call("GET", "/api/v1/auth/me", NULL, tok, &r);
    assert_status(&r, 401, "session_expired");
    zg_http_resp_free(&r);
    assert_int_equal(sql_int("SELECT count(*) FROM session WHERE id = $1", sid), 0);
    /* a fresh login sets expires_at 12 h after created_at */
    login_ok("abs_user", "Absolute-Pass-1", tok);
    sid = session_id_of(tok);
    zg_rows_t *rows;
    zg_error_t err;
    zg_param_t p[] = {ZG_P_INT(sid)};
    assert_int_equal(zg_db_query(db(), "SELECT created_at, expires_at FROM session WHERE id = $1",
                                 p, 1, &rows, &err),
                     0);
    assert_int_equal(zg_rows_next(rows, &err), 1);
    int64_t c0, e0;
    zg_account_ts_parse(zg_rows_text(rows, 0), &c0);
    zg_account_ts_parse(zg_rows_text(rows, 1), &e0);
    zg_rows_close(rows);
    assert_int_equal(e0 - c0, 12 * 3600);
}

/* ---- brute force ------------------------------------------------------------------------ */

/* issue 3, Done when: after 5 consecutive wrong passwords the account is locked, so the 6th
 * attempt is refused even with the right password; the lock expires; a successful login
 * resets the counter. */
static void test_brute_force(void **state)
{
    (void)state;
    int64_t id = account("brute_user", "Brute-Pass-1", COUNTY, "viewer");
    zg_http_resp_t r;
    for (int i = 1; i <= 5; i++) {
        login_raw("brute_user", "Wrong-Pass-9", NULL, &r);
        assert_status(&r, 401, "invalid_credentials");
        assert_string_equal(zg_http_json_str(&r, "message"), "用户名或密码错误");
        zg_http_resp_free(&r);
    }
    login_raw("brute_user", "Brute-Pass-1", NULL, &r);
    assert_status(&r, 403, "account_locked");
    assert_string_equal(zg_http_json_str(&r, "message"), "账号已锁定，请15分钟后再试");
    assert_null(json_object_get(r.json, "token"));
    assert_null(zg_http_resp_header(&r, "Set-Cookie", (char[8]){0}, 8));
    zg_http_resp_free(&r);
    login_raw("brute_user", "Wrong-Pass-9", NULL, &r); /* still locked, whatever the password */
    assert_status(&r, 403, "account_locked");
    zg_http_resp_free(&r);
    /* the lock expires */
    char ts[ZG_TIMESTAMP_SIZE];
    ts_from_now(ts, -1);
    sql_exec("UPDATE account SET locked_until = $2 WHERE id = $1", id, ts);
    login_raw("brute_user", "Brute-Pass-1", NULL, &r);
    assert_status(&r, 200, NULL);
    zg_http_resp_free(&r);
    /* a success resets the counter: 4 wrong, right, 4 wrong, right */
    for (int round = 0; round < 2; round++) {
        for (int i = 0; i < 4; i++) {
            login_raw("brute_user", "Wrong-Pass-9", NULL, &r);
            assert_status(&r, 401, "invalid_credentials");
            zg_http_resp_free(&r);
        }
        login_raw("brute_user", "Brute-Pass-1", NULL, &r);
        assert_status(&r, 200, NULL);
        zg_http_resp_free(&r);
    }
    /* an unknown user gets the same answer as a wrong password */
    login_raw("no_such_user", "Brute-Pass-1", NULL, &r);
    assert_status(&r, 401, "invalid_credentials");
    assert_string_equal(zg_http_json_str(&r, "message"), "用户名或密码错误");
    zg_http_resp_free(&r);
    assert_true(sql_int("SELECT count(*) FROM audit_log WHERE action = 'auth.login' AND "
                        "outcome = 'denied' AND account_id = $1",
                        id) >= 2);
}

/* ---- tokens at rest --------------------------------------------------------------------- */

static bool file_contains(const char *path, const void *needle, size_t n)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return false;
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)size + 1);
    assert_non_null(buf);
    size_t got = fread(buf, 1, (size_t)size, f);
    fclose(f);
    bool found = got >= n && memmem(buf, got, needle, n) != NULL;
    free(buf);
    return found;
}

/* Every text column of `table`, each row, must not contain any of the tokens. */
static void assert_table_clean(const char *sql, char tokens[][65], int ntok)
{
    zg_rows_t *rows;
    zg_error_t err;
    assert_int_equal(zg_db_query(db(), sql, NULL, 0, &rows, &err), 0);
    int n = 0;
    while (zg_rows_next(rows, &err) == 1) {
        n++;
        for (int col = 0; col < zg_rows_ncols(rows); col++) {
            const char *v = zg_rows_text(rows, col);
            for (int k = 0; k < ntok; k++) {
                if (strcasestr(v, tokens[k]))
                    fail_msg("%s: column %s holds a token", sql, zg_rows_colname(rows, col));
            }
        }
    }
    zg_rows_close(rows);
    assert_true(n > 0);
}

static void test_tokens_not_stored(void **state)
{
    (void)state;
    account("rest_user", "Rest-Pass-2025", COUNTY, "viewer");
    char tokens[4][65];
    for (int i = 0; i < 4; i++)
        login_ok("rest_user", "Rest-Pass-2025", tokens[i]);
    zg_http_resp_t r;
    assert_int_equal(call("GET", "/api/v1/auth/me", NULL, tokens[0], &r), 200);
    zg_http_resp_free(&r);
    assert_int_equal(call("POST", "/api/v1/auth/logout", NULL, tokens[1], &r), 200);
    zg_http_resp_free(&r);
    if (!strcmp(S.backend, "sqlite")) {
        const char *suffix[] = {"", "-wal", "-shm", "-journal"};
        char path[1100];
        int files = 0;
        for (size_t s = 0; s < 4; s++) {
            snprintf(path, sizeof path, "%s%s", S.db_url, suffix[s]);
            FILE *f = fopen(path, "rb");
            if (!f)
                continue;
            fclose(f);
            files++;
            for (int i = 0; i < 4; i++) {
                uint8_t raw[32];
                size_t n;
                char upper[65];
                assert_int_equal(zg_hex_decode(tokens[i], 64, raw, sizeof raw, &n), 0);
                for (int k = 0; k < 64; k++)
                    upper[k] = (char)(tokens[i][k] >= 'a' ? tokens[i][k] - 32 : tokens[i][k]);
                upper[64] = '\0';
                if (file_contains(path, tokens[i], 64) || file_contains(path, upper, 64) ||
                    file_contains(path, raw, 32))
                    fail_msg("token %d found in %s", i, path);
            }
            /* and the password is not there either */
            assert_false(file_contains(path, "Rest-Pass-2025", 14));
        }
        assert_true(files >= 2); /* the database and its WAL */
        /* the check can fail: the session hash (which is stored) is found by the same scan */
        int64_t sid = session_id_of(tokens[0]);
        zg_rows_t *rows;
        zg_error_t err;
        zg_param_t p[] = {ZG_P_INT(sid)};
        assert_int_equal(
            zg_db_query(db(), "SELECT token_hash FROM session WHERE id = $1", p, 1, &rows, &err),
            0);
        assert_int_equal(zg_rows_next(rows, &err), 1);
        char hash[65];
        snprintf(hash, sizeof hash, "%s", zg_rows_text(rows, 0));
        zg_rows_close(rows);
        bool seen = false;
        for (size_t s = 0; s < 2 && !seen; s++) {
            snprintf(path, sizeof path, "%s%s", S.db_url, suffix[s]);
            seen = file_contains(path, hash, 64);
        }
        assert_true(seen);
    }
    /* both backends: no column of the session or audit tables holds a token */
    assert_table_clean("SELECT * FROM session", tokens, 4);
    assert_table_clean("SELECT * FROM audit_log", tokens, 4);
    assert_table_clean("SELECT * FROM account", tokens, 4);
}

/* ---- first login ------------------------------------------------------------------------ */

static void test_first_login_must_change(void **state)
{
    (void)state;
    /* the bootstrap's one-time password (as `zugong init` without ZUGONG_ADMIN_PASSWORD) */
    char otp[ZG_ONE_TIME_PASSWORD_SIZE];
    bool created = false;
    zg_error_t err;
    assert_int_equal(zg_account_bootstrap(S.app->db, NULL, otp, sizeof otp, &created, &err), 0);
    /* earlier tests made accounts, so nothing happens; make a fresh one the same way */
    assert_false(created);
    zg_account_new_t a = {.username = "first_admin",
                          .display_name = "首次登录",
                          .roles = (const char *const[]){"sysadmin"},
                          .nroles = 1};
    zg_arena_t arena;
    zg_arena_init(&arena, 4096, 1 << 20);
    zg_findings_t f;
    zg_findings_init(&f, &arena);
    assert_int_equal(zg_account_create(db(), &a, NULL, &f, &err), 0);
    snprintf(otp, sizeof otp, "%s", a.one_time_password);
    zg_arena_destroy(&arena);

    zg_http_resp_t r;
    login_raw("first_admin", otp, NULL, &r);
    assert_status(&r, 200, NULL);
    assert_true(json_is_true(json_object_get(r.json, "must_change_password")));
    char tok[65];
    snprintf(tok, sizeof tok, "%s", zg_http_json_str(&r, "token"));
    zg_http_resp_free(&r);
    call("GET", "/api/v1/accounts", NULL, tok, &r);
    assert_status(&r, 403, "password_change_required");
    zg_http_resp_free(&r);
    assert_int_equal(call("GET", "/api/v1/auth/me", NULL, tok, &r), 200);
    assert_true(json_is_true(json_object_get(r.json, "must_change_password")));
    zg_http_resp_free(&r);

    char body[256];
    snprintf(body, sizeof body, "{\"old_password\":\"%s\",\"new_password\":\"abc\"}", otp);
    call("POST", "/api/v1/auth/password", body, tok, &r);
    assert_status(&r, 422, "rule_violation");
    assert_true(has_finding(&r, "account.password_length"));
    assert_true(has_finding(&r, "account.password_classes"));
    assert_true(json_is_object(json_object_get(r.json, "fields")));
    zg_http_resp_free(&r);
    snprintf(body, sizeof body, "{\"old_password\":\"%s\",\"new_password\":\"%s\"}", otp, otp);
    call("POST", "/api/v1/auth/password", body, tok, &r);
    assert_status(&r, 422, "rule_violation");
    assert_true(has_finding(&r, "account.password_history"));
    zg_http_resp_free(&r);
    snprintf(body, sizeof body, "{\"old_password\":\"%s\",\"new_password\":\"First_Admin-2025\"}",
             otp);
    call("POST", "/api/v1/auth/password", body, tok, &r);
    assert_status(&r, 422, "rule_violation");
    assert_true(has_finding(&r, "account.password_not_username"));
    zg_http_resp_free(&r);
    call("POST", "/api/v1/auth/password",
         "{\"old_password\":\"Not-The-Otp-1\",\"new_password\":\"Good-New-Pass-1\"}", tok, &r);
    assert_status(&r, 400, "invalid_fields");
    assert_non_null(json_object_get(json_object_get(r.json, "fields"), "old_password"));
    zg_http_resp_free(&r);
    snprintf(body, sizeof body, "{\"old_password\":\"%s\",\"new_password\":\"Good-New-Pass-1\"}",
             otp);
    call("POST", "/api/v1/auth/password", body, tok, &r);
    assert_status(&r, 200, NULL);
    zg_http_resp_free(&r);
    assert_int_equal(call("GET", "/api/v1/accounts", NULL, tok, &r), 200);
    zg_http_resp_free(&r);
    /* the one-time password no longer works */
    login_raw("first_admin", otp, NULL, &r);
    assert_status(&r, 401, "invalid_credentials");
    zg_http_resp_free(&r);
}

/* An expired password (account.password_expiry) also forces a change. */
static void test_expired_password(void **state)
{
    (void)state;
    int64_t id = account("old_pw_user", "Old-Pass-2024", COUNTY, "viewer");
    char ts[ZG_TIMESTAMP_SIZE];
    ts_from_now(ts, -91 * 86400);
    sql_exec("UPDATE account SET password_changed_at = $2 WHERE id = $1", id, ts);
    zg_http_resp_t r;
    login_raw("old_pw_user", "Old-Pass-2024", NULL, &r);
    assert_status(&r, 200, NULL);
    assert_true(json_is_true(json_object_get(r.json, "must_change_password")));
    char tok[65];
    snprintf(tok, sizeof tok, "%s", zg_http_json_str(&r, "token"));
    zg_http_resp_free(&r);
    call("GET", "/api/v1/permissions", NULL, tok, &r);
    assert_status(&r, 403, "password_change_required");
    zg_http_resp_free(&r);
}

/* ---- 三员分立 and business data ----------------------------------------------------------- */

/* Logs in with a one-time password and changes it; returns the token. */
static void first_login(const char *user, const char *otp, const char *new_pw, char tok[65])
{
    zg_http_resp_t r;
    login_raw(user, otp, NULL, &r);
    assert_status(&r, 200, NULL);
    snprintf(tok, 65, "%s", zg_http_json_str(&r, "token"));
    zg_http_resp_free(&r);
    char body[256];
    snprintf(body, sizeof body, "{\"old_password\":\"%s\",\"new_password\":\"%s\"}", otp, new_pw);
    call("POST", "/api/v1/auth/password", body, tok, &r);
    assert_status(&r, 200, NULL);
    zg_http_resp_free(&r);
}

static void test_separation_via_api(void **state)
{
    (void)state;
    account("sod_admin", "Sod-Admin-Pass1", 0, "sysadmin");
    char admin[65];
    login_ok("sod_admin", "Sod-Admin-Pass1", admin);
    zg_http_resp_t r;
    /* the system administrator creates the security administrator and the auditor */
    call("POST", "/api/v1/accounts",
         "{\"username\":\"sod_sec\",\"display_name\":\"安全管理员甲\",\"roles\":[\"secadmin\"]}",
         admin, &r);
    assert_status(&r, 201, NULL);
    char sec_otp[32];
    snprintf(sec_otp, sizeof sec_otp, "%s", zg_http_json_str(&r, "one_time_password"));
    assert_int_equal(strlen(sec_otp), ZG_ONE_TIME_PASSWORD_LEN);
    assert_true(
        json_is_true(json_object_get(json_object_get(r.json, "account"), "must_change_password")));
    zg_http_resp_free(&r);
    call("POST", "/api/v1/accounts",
         "{\"username\":\"sod_aud\",\"display_name\":\"审计员甲\",\"roles\":[\"auditor\"]}", admin,
         &r);
    assert_status(&r, 201, NULL);
    int64_t aud_id = json_integer_value(json_object_get(json_object_get(r.json, "account"), "id"));
    zg_http_resp_free(&r);
    /* two administrator roles on one account: 422 with the rule */
    call(
        "POST", "/api/v1/accounts",
        "{\"username\":\"sod_two\",\"display_name\":\"兼任\",\"roles\":[\"sysadmin\",\"auditor\"]}",
        admin, &r);
    assert_status(&r, 422, "rule_violation");
    assert_true(has_finding(&r, "account.separation_of_duties"));
    zg_http_resp_free(&r);
    assert_int_equal(sql_int("SELECT count(*) FROM account WHERE username = 'sod_two'", 0), 0);
    /* business roles are the security administrator's to give */
    char body[256];
    snprintf(body, sizeof body,
             "{\"username\":\"sod_biz\",\"display_name\":\"业务员\",\"home_org_id\":%lld,"
             "\"roles\":[\"viewer\"]}",
             (long long)COUNTY);
    call("POST", "/api/v1/accounts", body, admin, &r);
    assert_status(&r, 400, "invalid_fields");
    assert_non_null(json_object_get(json_object_get(r.json, "fields"), "roles"));
    zg_http_resp_free(&r);
    snprintf(body, sizeof body,
             "{\"username\":\"sod_biz\",\"display_name\":\"业务员\",\"home_org_id\":%lld}",
             (long long)COUNTY);
    call("POST", "/api/v1/accounts", body, admin, &r);
    assert_status(&r, 201, NULL);
    int64_t biz_id = json_integer_value(json_object_get(json_object_get(r.json, "account"), "id"));
    zg_http_resp_free(&r);
    /* the system administrator cannot assign roles */
    char path[96];
    snprintf(path, sizeof path, "/api/v1/accounts/%lld/roles", (long long)biz_id);
    call("PUT", path, "{\"roles\":[\"viewer\"]}", admin, &r);
    assert_status(&r, 403, "forbidden");
    zg_http_resp_free(&r);

    /* the security administrator logs in and assigns */
    char sec[65];
    first_login("sod_sec", sec_otp, "Sec-Admin-Pass1", sec);
    call("PUT", path, "{\"roles\":[\"viewer\"]}", sec, &r);
    assert_status(&r, 200, NULL);
    assert_string_equal(json_string_value(json_object_get(
                            json_array_get(json_object_get(r.json, "roles"), 0), "code")),
                        "viewer");
    zg_http_resp_free(&r);
    call("PUT", path, "{\"roles\":[\"sysadmin\"]}", sec, &r);
    assert_status(&r, 400, "invalid_fields");
    zg_http_resp_free(&r);
    /* an auditor cannot also hold a business role */
    snprintf(path, sizeof path, "/api/v1/accounts/%lld", (long long)aud_id);
    snprintf(body, sizeof body, "{\"home_org_id\":%lld}", (long long)COUNTY);
    call("PATCH", path, body, admin, &r);
    assert_status(&r, 200, NULL);
    zg_http_resp_free(&r);
    snprintf(path, sizeof path, "/api/v1/accounts/%lld/roles", (long long)aud_id);
    call("PUT", path, "{\"roles\":[\"viewer\"]}", sec, &r);
    assert_status(&r, 422, "rule_violation");
    assert_true(has_finding(&r, "account.separation_of_duties"));
    zg_http_resp_free(&r);
    /* a business role may not carry administrator permissions */
    call("POST", "/api/v1/roles",
         "{\"code\":\"sneaky\",\"name\":\"带审计权限\",\"perms\":[\"org:read\",\"audit:read\"]}",
         sec, &r);
    assert_status(&r, 400, "invalid_fields");
    assert_non_null(json_object_get(json_object_get(r.json, "fields"), "perms"));
    zg_http_resp_free(&r);
    /* the security administrator creates no accounts; the auditor manages nothing */
    call("POST", "/api/v1/accounts", "{\"username\":\"x1\",\"display_name\":\"x\"}", sec, &r);
    assert_status(&r, 403, "forbidden");
    zg_http_resp_free(&r);
    call("GET", "/api/v1/roles", NULL, admin, &r);
    assert_status(&r, 403, "forbidden");
    zg_http_resp_free(&r);
}

static void assert_no_business_perm(const char *token)
{
    zg_http_resp_t r;
    assert_int_equal(call("GET", "/api/v1/auth/me", NULL, token, &r), 200);
    json_t *perms = json_object_get(r.json, "permissions");
    assert_true(json_array_size(perms) > 0);
    size_t i;
    json_t *v;
    json_array_foreach(perms, i, v)
    {
        const char *p = json_string_value(v);
        if (zg_perm_is_business(p))
            fail_msg("administrator holds business permission %s", p);
    }
    zg_http_resp_free(&r);
}

/* The three administrator roles get 403 on every business endpoint the server has. */
static void test_admins_read_no_business_data(void **state)
{
    (void)state;
    account("nb_sys", "Nb-Sys-Pass-1", 0, "sysadmin");
    account("nb_sec", "Nb-Sec-Pass-1", 0, "secadmin");
    account("nb_aud", "Nb-Aud-Pass-1", 0, "auditor");
    account("nb_viewer", "Nb-View-Pass-1", COUNTY, "viewer");
    static const char *const users[][2] = {
        {"nb_sys", "Nb-Sys-Pass-1"}, {"nb_sec", "Nb-Sec-Pass-1"}, {"nb_aud", "Nb-Aud-Pass-1"}};
    char tok[3][65], viewer[65];
    for (int i = 0; i < 3; i++) {
        login_ok(users[i][0], users[i][1], tok[i]);
        assert_no_business_perm(tok[i]);
    }
    login_ok("nb_viewer", "Nb-View-Pass-1", viewer);
    /* every GET route whose permission is a business one, from the live route table */
    zg_http_resp_t doc;
    assert_int_equal(zg_http_get(S.port, "/api/v1/openapi.json", &doc), 0);
    assert_int_equal(doc.status, 200);
    int checked = 0;
    static const char *const business[] = {"/api/v1/orgs", "/api/v1/members", "/api/v1/stats"};
    json_t *paths = json_object_get(doc.json, "paths");
    for (size_t k = 0; k < sizeof business / sizeof business[0]; k++) {
        json_t *item = json_object_get(paths, business[k]);
        if (!item || !json_object_get(item, "get"))
            continue;
        for (int i = 0; i < 3; i++) {
            zg_http_resp_t r;
            call("GET", business[k], NULL, tok[i], &r);
            assert_status(&r, 403, "forbidden");
            assert_null(json_object_get(r.json, "items"));
            zg_http_resp_free(&r);
        }
        zg_http_resp_t r; /* a business role passes the permission check */
        call("GET", business[k], NULL, viewer, &r);
        if (r.status == 401 || r.status == 403)
            fail_msg("viewer refused on %s: %ld %s", business[k], r.status, r.body);
        zg_http_resp_free(&r);
        checked++;
    }
    if (!checked)
        fprintf(stderr, "test_auth: no business route registered yet; permissions checked "
                        "through /auth/me only\n");
    zg_http_resp_free(&doc);
    /* and the administrators' own endpoints are theirs alone */
    zg_http_resp_t r;
    call("GET", "/api/v1/accounts", NULL, viewer, &r);
    assert_status(&r, 403, "forbidden");
    zg_http_resp_free(&r);
    call("GET", "/api/v1/roles", NULL, viewer, &r);
    assert_status(&r, 403, "forbidden");
    zg_http_resp_free(&r);
    call("GET", "/api/v1/accounts", NULL, tok[2], &r); /* the auditor */
    assert_status(&r, 403, "forbidden");
    zg_http_resp_free(&r);
}

/* ---- accounts and roles ----------------------------------------------------------------- */

static void test_accounts_api(void **state)
{
    (void)state;
    int64_t self = account("acc_admin", "Acc-Admin-Pass1", 0, "sysadmin");
    char admin[65];
    login_ok("acc_admin", "Acc-Admin-Pass1", admin);
    int64_t target = account("acc_target", "Target-Pass-1", COUNTY, "viewer");
    zg_http_resp_t r;
    /* list: search and paging */
    assert_int_equal(call("GET", "/api/v1/accounts?q=ACC_&page_size=1", NULL, admin, &r), 200);
    assert_int_equal(json_integer_value(json_object_get(r.json, "total")), 2);
    assert_int_equal(json_array_size(json_object_get(r.json, "items")), 1);
    assert_int_equal(json_integer_value(json_object_get(r.json, "page_size")), 1);
    assert_string_equal(json_string_value(json_object_get(
                            json_array_get(json_object_get(r.json, "items"), 0), "username")),
                        "acc_admin");
    zg_http_resp_free(&r);
    assert_int_equal(call("GET", "/api/v1/accounts?q=acc_&page=2&page_size=1", NULL, admin, &r),
                     200);
    assert_string_equal(json_string_value(json_object_get(
                            json_array_get(json_object_get(r.json, "items"), 0), "username")),
                        "acc_target");
    zg_http_resp_free(&r);
    call("GET", "/api/v1/accounts?page_size=101", NULL, admin, &r);
    assert_status(&r, 400, "invalid_fields");
    zg_http_resp_free(&r);
    call("GET", "/api/v1/accounts?status=gone", NULL, admin, &r);
    assert_status(&r, 400, "invalid_fields");
    zg_http_resp_free(&r);

    char path[96], tok[65];
    snprintf(path, sizeof path, "/api/v1/accounts/%lld", (long long)target);
    assert_int_equal(call("GET", path, NULL, admin, &r), 200);
    assert_string_equal(zg_http_json_str(&r, "username"), "acc_target");
    zg_http_resp_free(&r);
    assert_int_equal(call("PATCH", path, "{\"display_name\":\"新名字\"}", admin, &r), 200);
    assert_string_equal(zg_http_json_str(&r, "display_name"), "新名字");
    zg_http_resp_free(&r);
    call("PATCH", path, "{\"home_org_id\":0}", admin, &r); /* a viewer needs a home org */
    assert_status(&r, 400, "invalid_fields");
    zg_http_resp_free(&r);
    call("GET", "/api/v1/accounts/999999", NULL, admin, &r);
    assert_status(&r, 404, "not_found");
    zg_http_resp_free(&r);
    call("GET", "/api/v1/accounts/abc", NULL, admin, &r);
    assert_status(&r, 404, "not_found");
    zg_http_resp_free(&r);

    /* disable ends the sessions and refuses logins; enable restores */
    login_ok("acc_target", "Target-Pass-1", tok);
    snprintf(path, sizeof path, "/api/v1/accounts/%lld/disable", (long long)target);
    assert_int_equal(call("POST", path, NULL, admin, &r), 200);
    assert_string_equal(zg_http_json_str(&r, "status"), "disabled");
    zg_http_resp_free(&r);
    call("GET", "/api/v1/auth/me", NULL, tok, &r);
    assert_status(&r, 401, "unauthorized");
    zg_http_resp_free(&r);
    login_raw("acc_target", "Target-Pass-1", NULL, &r);
    assert_status(&r, 403, "account_disabled");
    zg_http_resp_free(&r);
    snprintf(path, sizeof path, "/api/v1/accounts/%lld/enable", (long long)target);
    assert_int_equal(call("POST", path, NULL, admin, &r), 200);
    zg_http_resp_free(&r);
    login_ok("acc_target", "Target-Pass-1", tok);
    /* lock, unlock */
    for (int i = 0; i < 5; i++) {
        login_raw("acc_target", "Wrong-Pass-9", NULL, &r);
        zg_http_resp_free(&r);
    }
    snprintf(path, sizeof path, "/api/v1/accounts/%lld", (long long)target);
    assert_int_equal(call("GET", path, NULL, admin, &r), 200);
    assert_true(json_is_true(json_object_get(r.json, "locked")));
    zg_http_resp_free(&r);
    snprintf(path, sizeof path, "/api/v1/accounts/%lld/unlock", (long long)target);
    assert_int_equal(call("POST", path, NULL, admin, &r), 200);
    assert_false(json_is_true(json_object_get(r.json, "locked")));
    zg_http_resp_free(&r);
    login_ok("acc_target", "Target-Pass-1", tok);
    /* reset: a one-time password, every session ended, change required */
    snprintf(path, sizeof path, "/api/v1/accounts/%lld/reset-password", (long long)target);
    assert_int_equal(call("POST", path, NULL, admin, &r), 200);
    char otp[32];
    snprintf(otp, sizeof otp, "%s", zg_http_json_str(&r, "one_time_password"));
    assert_int_equal(strlen(otp), ZG_ONE_TIME_PASSWORD_LEN);
    zg_http_resp_free(&r);
    call("GET", "/api/v1/auth/me", NULL, tok, &r);
    assert_status(&r, 401, "unauthorized");
    zg_http_resp_free(&r);
    login_raw("acc_target", otp, NULL, &r);
    assert_status(&r, 200, NULL);
    assert_true(json_is_true(json_object_get(r.json, "must_change_password")));
    zg_http_resp_free(&r);
    assert_int_equal(sql_int("SELECT count(*) FROM audit_log WHERE action = "
                             "'account.reset_password' AND object_id = $1",
                             target),
                     1);
    {
        zg_error_t err;
        int64_t leaks = -1;
        zg_param_t p[] = {ZG_P_TEXT(otp)};
        assert_int_equal(zg_db_query_int(db(),
                                         "SELECT count(*) FROM audit_log WHERE "
                                         "COALESCE(detail, '') LIKE '%' || CAST($1 AS TEXT) || '%'",
                                         p, 1, &leaks, &err),
                         0);
        assert_int_equal(leaks, 0); /* the one-time password is not in the audit log */
    }
    /* not oneself */
    snprintf(path, sizeof path, "/api/v1/accounts/%lld/disable", (long long)self);
    call("POST", path, NULL, admin, &r);
    assert_status(&r, 409, "cannot_disable_self");
    zg_http_resp_free(&r);
    /* a username is unique, whatever its case */
    call("POST", "/api/v1/accounts",
         "{\"username\":\"ACC_TARGET\",\"display_name\":\"重名\",\"roles\":[]}", admin, &r);
    assert_status(&r, 409, "username_taken");
    zg_http_resp_free(&r);
}

static void test_roles_api(void **state)
{
    (void)state;
    account("role_sec", "Role-Sec-Pass1", 0, "secadmin");
    char sec[65];
    login_ok("role_sec", "Role-Sec-Pass1", sec);
    zg_http_resp_t r;
    assert_int_equal(call("GET", "/api/v1/roles", NULL, sec, &r), 200);
    json_t *items = json_object_get(r.json, "items");
    assert_true(json_array_size(items) >= 6);
    json_t *first = json_array_get(items, 0);
    assert_string_equal(json_string_value(json_object_get(first, "code")), "sysadmin");
    assert_string_equal(json_string_value(json_object_get(first, "name")), "系统管理员");
    assert_true(json_is_true(json_object_get(first, "builtin")));
    assert_true(json_array_has(json_object_get(first, "perms"), "account:write"));
    int64_t sysadmin_id = json_integer_value(json_object_get(first, "id"));
    zg_http_resp_free(&r);

    call("POST", "/api/v1/roles",
         "{\"code\":\"stats_only\",\"name\":\"统计查看员\",\"description\":\"只看统计\","
         "\"perms\":[\"stats:read\"]}",
         sec, &r);
    assert_status(&r, 201, NULL);
    int64_t id = json_integer_value(json_object_get(r.json, "id"));
    assert_string_equal(zg_http_json_str(&r, "kind"), "business");
    zg_http_resp_free(&r);
    char path[64];
    snprintf(path, sizeof path, "/api/v1/roles/%lld", (long long)id);
    assert_int_equal(call("PATCH", path, "{\"perms\":[\"stats:read\",\"org:read\"]}", sec, &r),
                     200);
    assert_int_equal(json_array_size(json_object_get(r.json, "perms")), 2);
    assert_string_equal(json_string_value(json_array_get(json_object_get(r.json, "perms"), 0)),
                        "org:read");
    zg_http_resp_free(&r);
    call("POST", "/api/v1/roles", "{\"code\":\"stats_only\",\"name\":\"别名\",\"perms\":[]}", sec,
         &r);
    assert_status(&r, 409, "role_exists");
    zg_http_resp_free(&r);
    call("POST", "/api/v1/roles", "{\"code\":\"x2\",\"name\":\"未知\",\"perms\":[\"fly:away\"]}",
         sec, &r);
    assert_status(&r, 400, "invalid_fields");
    zg_http_resp_free(&r);
    snprintf(path, sizeof path, "/api/v1/roles/%lld", (long long)sysadmin_id);
    call("PATCH", path, "{\"perms\":[\"account:read\"]}", sec, &r);
    assert_status(&r, 403, "role_builtin");
    zg_http_resp_free(&r);
    call("DELETE", path, NULL, sec, &r);
    assert_status(&r, 403, "role_builtin");
    zg_http_resp_free(&r);
    snprintf(path, sizeof path, "/api/v1/roles/%lld", (long long)id);
    assert_int_equal(call("DELETE", path, NULL, sec, &r), 200);
    zg_http_resp_free(&r);
    call("GET", path, NULL, sec, &r);
    assert_status(&r, 404, "not_found");
    zg_http_resp_free(&r);
    assert_true(sql_int("SELECT count(*) FROM audit_log WHERE action LIKE 'role.%' AND "
                        "object_id = $1",
                        id) >= 3);
}

static void test_permissions_catalog(void **state)
{
    (void)state;
    account("perm_user", "Perm-User-Pass1", COUNTY, "viewer");
    char tok[65];
    login_ok("perm_user", "Perm-User-Pass1", tok);
    zg_http_resp_t r;
    assert_int_equal(call("GET", "/api/v1/permissions", NULL, tok, &r), 200);
    json_t *items = json_object_get(r.json, "items");
    assert_int_equal(json_array_size(items), zg_perms_count());
    json_t *it = json_array_get(items, 0);
    assert_string_equal(json_string_value(json_object_get(it, "perm")), "account:read");
    assert_string_equal(json_string_value(json_object_get(it, "text")), "查看账号");
    assert_string_equal(json_string_value(json_object_get(it, "group")), "system");
    zg_http_resp_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_login_me_logout_bearer),
        cmocka_unit_test(test_unauthenticated),
        cmocka_unit_test(test_cookie_and_csrf),
        cmocka_unit_test(test_https_cookie),
        cmocka_unit_test(test_rotation),
        cmocka_unit_test(test_session_cache),
        cmocka_unit_test(test_idle_expiry),
        cmocka_unit_test(test_absolute_expiry),
        cmocka_unit_test(test_brute_force),
        cmocka_unit_test(test_tokens_not_stored),
        cmocka_unit_test(test_first_login_must_change),
        cmocka_unit_test(test_expired_password),
        cmocka_unit_test(test_separation_via_api),
        cmocka_unit_test(test_admins_read_no_business_data),
        cmocka_unit_test(test_accounts_api),
        cmocka_unit_test(test_roles_api),
        cmocka_unit_test(test_permissions_catalog),
    };
    if (!strcmp(zg_test_backend(), "postgres") &&
        (!getenv("ZG_TEST_PG_URL") || !*getenv("ZG_TEST_PG_URL"))) {
        fprintf(stderr, "test_auth: ZG_TEST_PG_URL is not set: skipped\n");
        return 0;
    }
    return cmocka_run_group_tests(tests, setup, teardown);
}
