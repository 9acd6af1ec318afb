/* test_audit.c — the audit log over real HTTP (issue 3 §5), once per backend
 * (ZG_TEST_BACKEND=sqlite|postgres): only holders of audit:read (the auditor) may list and
 * verify; the list's filters (dates as China days, account, action prefix, object, outcome),
 * paging and validation; verification of an untouched and of a tampered log, and the
 * audit.verify entry it leaves with the caller and IP; no route changes the log (405, and the
 * log is unchanged). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "db/db.h"
#include "http/router.h"
#include "modules/account/account.h"
#include "modules/audit/audit.h"
#include "testauth.h"
#include "testsrv.h"

static zg_testsrv_t S;
static char T_AUDITOR[ZG_TEST_TOKEN_SIZE], T_SYSADMIN[ZG_TEST_TOKEN_SIZE];
static int64_t AUDITOR_ID;

/* ---- fixture ---------------------------------------------------------------------------- */

static zg_conn_t *db(void)
{
    zg_error_t err;
    zg_conn_t *c = zg_db_conn(S.app->db, &err);
    assert_non_null(c);
    return c;
}

static int64_t sql_int(const char *sql)
{
    zg_error_t err;
    int64_t v = -1;
    if (zg_db_query_int(db(), sql, NULL, 0, &v, &err)) {
        print_error("%s: %s\n", sql, err.detail);
        fail();
    }
    return v;
}

static void sql_exec(const char *sql)
{
    zg_error_t err;
    if (zg_db_exec(db(), sql, NULL, 0, NULL, &err)) {
        print_error("%s: %s\n", sql, err.detail);
        fail();
    }
}

static bool has_route(const char *pattern)
{
    for (size_t i = 0; i < zg_router_count(S.app->router); i++)
        if (!strcmp(zg_router_at(S.app->router, i)->pattern, pattern))
            return true;
    return false;
}

static time_t g_now;
static time_t fake_now(void)
{
    return g_now;
}

/* Entries with known content and times, appended directly (as the modules do). */
static void seed(void)
{
    zg_error_t err;
    zg_audit_set_clock(fake_now); /* no request is running: nothing else appends now */
    /* 2025-03-01 10:00 UTC = 18:00 in China: five reads of member 42 by alice */
    g_now = 1740823200;
    for (int i = 0; i < 5; i++) {
        zg_audit_event_t e = {.account_id = 501,
                              .username = "alice",
                              .ip = "10.0.0.5",
                              .action = "member.view",
                              .object_type = "member",
                              .object_id = 42,
                              .outcome = "ok",
                              .detail = "{\"fields\":[\"name\",\"birth_date\"]}"};
        assert_int_equal(zg_audit_log(db(), &e, &err), 0);
    }
    /* 2025-03-01 17:00 UTC = 2025-03-02 01:00 in China: three refused org updates by bob */
    g_now = 1740848400;
    for (int i = 0; i < 3; i++) {
        zg_audit_event_t e = {.account_id = 502,
                              .username = "bob",
                              .ip = "10.0.0.6",
                              .action = "org.update",
                              .object_type = "org",
                              .object_id = 7 + i,
                              .outcome = "denied",
                              .detail = "{\"name\":{\"from\":\"第一党支部\",\"to\":\"第二党支部\"},"
                                        "\"password\":\"must-not-leak\"}"};
        assert_int_equal(zg_audit_log(db(), &e, &err), 0);
    }
    zg_audit_set_clock(NULL);
}

static int setup(void **state)
{
    (void)state;
    if (zg_testsrv_start(&S, zg_test_fast_hashing) != 0)
        return -1;
    /* Until src/app/routes.c lists the account and audit modules (and app.c configures the
     * account module), register them here, before the first request. */
    zg_error_t err;
    if (!has_route("/api/v1/auth/login") &&
        (zg_account_routes(S.app->router) || zg_account_configure(&S.app->config, &err)))
        return -1;
    if (!has_route("/api/v1/audit") && zg_audit_routes(S.app->router))
        return -1;
    seed();
    static const char pw[] = "Zg-Audit-Pass-2025";
    AUDITOR_ID = zg_test_create_account(&S, "auditor1", pw, 0, "auditor");
    if (AUDITOR_ID <= 0 || zg_test_create_account(&S, "sysadmin1", pw, 0, "sysadmin") <= 0)
        return -1;
    if (zg_test_login(S.port, "auditor1", pw, T_AUDITOR, sizeof T_AUDITOR) ||
        zg_test_login(S.port, "sysadmin1", pw, T_SYSADMIN, sizeof T_SYSADMIN))
        return -1;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    zg_audit_set_clock(NULL);
    zg_testsrv_stop(&S);
    return 0;
}

/* ---- helpers ---------------------------------------------------------------------------- */

static void get(const char *path, const char *token, long want, zg_http_resp_t *r)
{
    assert_int_equal(zg_http_auth(S.port, "GET", path, NULL, token, r), 0);
    if (r->status != want)
        print_error("GET %s: got %ld, want %ld: %s\n", path, r->status, want, r->body);
    assert_int_equal(r->status, want);
}

/* GET the list and check total and the number of items; returns the response (free it). */
static json_t *list(const char *query, int64_t total, size_t n)
{
    char path[512];
    snprintf(path, sizeof path, "/api/v1/audit%s", query);
    zg_http_resp_t r;
    get(path, T_AUDITOR, 200, &r);
    json_t *j = json_incref(r.json);
    zg_http_resp_free(&r);
    json_int_t got_total = json_integer_value(json_object_get(j, "total"));
    size_t got_n = json_array_size(json_object_get(j, "items"));
    if (got_total != total || got_n != n)
        print_error("%s: total %lld items %zu, want %lld / %zu\n", path, (long long)got_total,
                    got_n, (long long)total, n);
    assert_int_equal(got_total, total);
    assert_int_equal(got_n, n);
    return j;
}

static json_int_t item_int(json_t *j, size_t i, const char *key)
{
    return json_integer_value(json_object_get(json_array_get(json_object_get(j, "items"), i), key));
}

static const char *item_str(json_t *j, size_t i, const char *key)
{
    const char *s =
        json_string_value(json_object_get(json_array_get(json_object_get(j, "items"), i), key));
    return s ? s : "";
}

static void assert_bad_param(const char *query, const char *field)
{
    char path[512];
    snprintf(path, sizeof path, "/api/v1/audit%s", query);
    zg_http_resp_t r;
    get(path, T_AUDITOR, 400, &r);
    assert_string_equal(zg_http_json_str(&r, "code"), "invalid_fields");
    json_t *msg = json_object_get(json_object_get(r.json, "fields"), field);
    if (!json_is_string(msg))
        print_error("%s: no message for %s in %s\n", path, field, r.body);
    assert_true(json_is_string(msg) && strlen(json_string_value(msg)) > 0);
    zg_http_resp_free(&r);
}

/* ---- tests ------------------------------------------------------------------------------ */

static void test_only_auditors(void **state)
{
    (void)state;
    static const char *const paths[] = {"/api/v1/audit", "/api/v1/audit/verify"};
    int64_t before = sql_int("SELECT COUNT(*) FROM audit_log");
    for (size_t i = 0; i < 2; i++) {
        zg_http_resp_t r;
        get(paths[i], NULL, 401, &r);
        zg_http_resp_free(&r);
        get(paths[i], T_SYSADMIN, 403, &r); /* 三员分立: the system administrator may not */
        assert_string_equal(zg_http_json_str(&r, "code"), "forbidden");
        assert_null(json_object_get(r.json, "items"));
        zg_http_resp_free(&r);
        get(paths[i], "0000000000000000000000000000000000000000000000000000000000000000", 401, &r);
        zg_http_resp_free(&r);
    }
    /* refusals by the permission check run no handler: no audit.verify was recorded */
    assert_int_equal(sql_int("SELECT COUNT(*) FROM audit_log WHERE action = 'audit.verify'"), 0);
    assert_true(sql_int("SELECT COUNT(*) FROM audit_log") >= before);
}

static void test_list_filters(void **state)
{
    (void)state;
    int64_t all = sql_int("SELECT COUNT(*) FROM audit_log");
    json_t *j = list("", all, (size_t)(all < 20 ? all : 20));
    for (size_t i = 1; i < json_array_size(json_object_get(j, "items")); i++)
        assert_true(item_int(j, i - 1, "seq") > item_int(j, i, "seq")); /* newest first */
    assert_int_equal(json_integer_value(json_object_get(j, "page")), 1);
    assert_int_equal(json_integer_value(json_object_get(j, "page_size")), 20);
    json_decref(j);

    j = list("?account=alice", 5, 5);
    /* the shape of one entry */
    json_t *e = json_array_get(json_object_get(j, "items"), 0);
    assert_int_equal(item_int(j, 0, "id"), item_int(j, 0, "seq"));
    assert_string_equal(item_str(j, 0, "at"), "2025-03-01 10:00:00");
    assert_int_equal(item_int(j, 0, "account_id"), 501);
    assert_string_equal(item_str(j, 0, "username"), "alice");
    assert_string_equal(item_str(j, 0, "ip"), "10.0.0.5");
    assert_string_equal(item_str(j, 0, "action"), "member.view");
    assert_string_equal(item_str(j, 0, "object_type"), "member");
    assert_int_equal(item_int(j, 0, "object_id"), 42);
    assert_string_equal(item_str(j, 0, "outcome"), "ok");
    assert_true(json_is_array(json_object_get(json_object_get(e, "detail"), "fields")));
    assert_int_equal(strlen(item_str(j, 0, "hash")), 64);
    assert_int_equal(strlen(item_str(j, 0, "prev_hash")), 64);
    json_decref(j);

    j = list("?account=bob&outcome=denied", 3, 3);
    json_t *d = json_object_get(json_array_get(json_object_get(j, "items"), 0), "detail");
    assert_string_equal(json_string_value(json_object_get(d, "password")), ZG_AUDIT_REDACTED);
    assert_string_equal(json_string_value(json_object_get(json_object_get(d, "name"), "to")),
                        "第二党支部");
    json_decref(j);

    json_decref(list("?account=ali", 0, 0)); /* exact, not a prefix */
    json_decref(list("?action=member.", 5, 5));
    json_decref(list("?action=member.view", 5, 5));
    json_decref(list("?action=org.", 3, 3));
    json_decref(list("?action=org.update&outcome=ok", 0, 0));
    json_decref(list("?object_type=member&object_id=42", 5, 5));
    json_decref(list("?object_type=org&object_id=42", 0, 0));
    j = list("?object_id=8", 1, 1);
    assert_string_equal(item_str(j, 0, "username"), "bob");
    json_decref(j);
    json_decref(
        list("?outcome=denied&action=org.update", 3, 3)); /* refused requests add access.denied */

    /* dates are China days: 17:00 UTC on 1 March is 2 March in China */
    json_decref(list("?from=2025-03-01&to=2025-03-01", 5, 5));
    json_decref(list("?from=2025-03-02&to=2025-03-02", 3, 3));
    json_decref(list("?from=2025-02-01&to=2025-03-02", 8, 8));
    json_decref(list("?to=2025-02-28", 0, 0));
    json_decref(list("?from=2025-03-03&account=alice", 0, 0));

    /* paging: 5 entries of alice in pages of 2, newest first, each exactly once */
    int64_t seen[5];
    size_t k = 0;
    for (int page = 1; page <= 3; page++) {
        char q[64];
        snprintf(q, sizeof q, "?account=alice&page_size=2&page=%d", page);
        j = list(q, 5, page < 3 ? 2 : 1);
        assert_int_equal(json_integer_value(json_object_get(j, "page")), page);
        assert_int_equal(json_integer_value(json_object_get(j, "page_size")), 2);
        for (size_t i = 0; i < json_array_size(json_object_get(j, "items")); i++)
            seen[k++] = item_int(j, i, "seq");
        json_decref(j);
    }
    assert_int_equal(k, 5);
    for (size_t i = 1; i < 5; i++)
        assert_true(seen[i - 1] > seen[i]);
    json_decref(list("?account=alice&page_size=2&page=4", 5, 0));
    json_decref(list("?account=alice&page_size=100", 5, 5));
}

static void test_list_validation(void **state)
{
    (void)state;
    assert_bad_param("?page_size=101", "page_size");
    assert_bad_param("?page_size=0", "page_size");
    assert_bad_param("?page=0", "page");
    assert_bad_param("?page=-1", "page");
    assert_bad_param("?page=abc", "page");
    assert_bad_param("?from=2025-13-01", "from");
    assert_bad_param("?from=2025-3-1", "from");
    assert_bad_param("?to=yesterday", "to");
    assert_bad_param("?from=2025-03-02&to=2025-03-01", "to");
    assert_bad_param("?outcome=success", "outcome");
    assert_bad_param("?object_id=abc", "object_id");
    assert_bad_param("?object_id=0", "object_id");
    assert_bad_param("?object_id=99999999999999999999", "object_id");
    assert_bad_param("?action=Org.Update", "action");
    assert_bad_param("?action=org%25", "action");
    assert_bad_param("?object_type=%E7%BB%84%E7%BB%87", "object_type");
    /* 2 bad at once: both named */
    zg_http_resp_t r;
    get("/api/v1/audit?page=0&outcome=x", T_AUDITOR, 400, &r);
    json_t *f = json_object_get(r.json, "fields");
    assert_non_null(json_object_get(f, "page"));
    assert_non_null(json_object_get(f, "outcome"));
    zg_http_resp_free(&r);
}

/* Saves every column of entry `id`, to put it back after a deletion. */
typedef struct saved_row {
    zg_param_t p[13];
    char *text[13];
} saved_row_t;

static void save_row(int64_t id, saved_row_t *s)
{
    zg_param_t p[] = {ZG_P_INT(id)};
    zg_rows_t *rows;
    zg_error_t err;
    assert_int_equal(zg_db_query(db(),
                                 "SELECT id, seq, at, account_id, username, ip, action, "
                                 "object_type, object_id, outcome, detail, prev_hash, hash "
                                 "FROM audit_log WHERE id = $1",
                                 p, 1, &rows, &err),
                     0);
    assert_int_equal(zg_rows_next(rows, &err), 1);
    for (int i = 0; i < 13; i++) {
        s->text[i] = NULL;
        if (zg_rows_isnull(rows, i)) {
            s->p[i] = ZG_P_NULL;
        } else if (i == 0 || i == 1 || i == 3 || i == 8) {
            s->p[i] = ZG_P_INT(zg_rows_int(rows, i));
        } else {
            s->text[i] = strdup(zg_rows_text(rows, i));
            s->p[i] = ZG_P_TEXT(s->text[i]);
        }
    }
    zg_rows_close(rows);
}

static void restore_row(saved_row_t *s)
{
    zg_error_t err;
    assert_int_equal(zg_db_exec(db(),
                                "INSERT INTO audit_log (id, seq, at, account_id, username, ip, "
                                "action, object_type, object_id, outcome, detail, prev_hash, hash) "
                                "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
                                s->p, 13, NULL, &err),
                     0);
    for (int i = 0; i < 13; i++)
        free(s->text[i]);
}

/* GET /verify; returns the body (free it). */
static json_t *verify(void)
{
    zg_http_resp_t r;
    get("/api/v1/audit/verify", T_AUDITOR, 200, &r);
    json_t *j = json_incref(r.json);
    zg_http_resp_free(&r);
    return j;
}

static void verify_fails_at(int64_t id, const char *why)
{
    json_t *j = verify();
    if (json_is_true(json_object_get(j, "ok")) ||
        json_integer_value(json_object_get(j, "first_bad_id")) != id)
        print_error("verify: want first_bad_id %lld: %s\n", (long long)id,
                    json_dumps(j, JSON_COMPACT));
    assert_true(json_is_false(json_object_get(j, "ok")));
    assert_int_equal(json_integer_value(json_object_get(j, "first_bad_id")), id);
    assert_int_equal(json_integer_value(json_object_get(j, "first_bad_seq")), id);
    assert_non_null(strstr(json_string_value(json_object_get(j, "reason")), why));
    json_decref(j);
}

static void test_verify(void **state)
{
    (void)state;
    int64_t n = sql_int("SELECT COUNT(*) FROM audit_log");
    json_t *j = verify();
    assert_true(json_is_true(json_object_get(j, "ok")));
    assert_int_equal(json_integer_value(json_object_get(j, "checked")), n);
    assert_null(json_object_get(j, "first_bad_id"));
    json_decref(j);

    /* the run was recorded, with the caller and the client's address */
    j = list("?action=audit.verify&page_size=1", 1, 1);
    assert_int_equal(item_int(j, 0, "seq"), n + 1);
    assert_int_equal(item_int(j, 0, "account_id"), AUDITOR_ID);
    assert_string_equal(item_str(j, 0, "username"), "auditor1");
    assert_string_equal(item_str(j, 0, "ip"), "127.0.0.1");
    assert_string_equal(item_str(j, 0, "outcome"), "ok");
    json_decref(j);

    /* one byte of entry 4 changed in the database */
    sql_exec("UPDATE audit_log SET detail = REPLACE(detail, 'birth_date', 'birth_datf') "
             "WHERE id = 4");
    verify_fails_at(4, "哈希值不符");
    sql_exec("UPDATE audit_log SET detail = REPLACE(detail, 'birth_datf', 'birth_date') "
             "WHERE id = 4");
    sql_exec("UPDATE audit_log SET ip = '10.0.0.7' WHERE id = 6");
    verify_fails_at(6, "哈希值不符");
    sql_exec("UPDATE audit_log SET ip = '10.0.0.6' WHERE id = 6");

    /* an entry deleted: the one after the gap is named */
    saved_row_t s;
    save_row(3, &s);
    sql_exec("DELETE FROM audit_log WHERE id = 3");
    verify_fails_at(4, "序号不连续");
    restore_row(&s);

    /* the newest entry deleted: found through the head */
    int64_t last = sql_int("SELECT MAX(seq) FROM audit_log");
    save_row(last, &s);
    char del[96];
    snprintf(del, sizeof del, "DELETE FROM audit_log WHERE id = %lld", (long long)last);
    sql_exec(del);
    verify_fails_at(last, "末尾记录缺失");
    restore_row(&s);

    j = verify();
    assert_true(json_is_true(json_object_get(j, "ok")));
    json_decref(j);
}

/* No way to change the log through the API: every other method is 405, and nothing moved. */
static void test_no_mutation_routes(void **state)
{
    (void)state;
    int64_t count = sql_int("SELECT COUNT(*) FROM audit_log");
    int64_t head = sql_int("SELECT seq FROM audit_head WHERE id = 1");
    int64_t changed = sql_int("SELECT COUNT(*) FROM audit_log WHERE account_id = 501");
    static const char *const methods[] = {"PUT", "PATCH", "DELETE", "POST"};
    static const char *const paths[] = {"/api/v1/audit", "/api/v1/audit/verify"};
    for (size_t m = 0; m < 4; m++) {
        for (size_t p = 0; p < 2; p++) {
            zg_http_resp_t r;
            assert_int_equal(zg_http_auth(S.port, methods[m], paths[p],
                                          "{\"account_id\":1,\"detail\":\"{}\"}", T_AUDITOR, &r),
                             0);
            if (r.status != 405)
                print_error("%s %s: %ld %s\n", methods[m], paths[p], r.status, r.body);
            assert_int_equal(r.status, 405);
            char allow[64];
            assert_non_null(zg_http_resp_header(&r, "Allow", allow, sizeof allow));
            assert_string_equal(allow, "GET");
            zg_http_resp_free(&r);
        }
        /* single entries have no route at all */
        zg_http_resp_t r;
        assert_int_equal(zg_http_auth(S.port, methods[m], "/api/v1/audit/1", "{}", T_AUDITOR, &r),
                         0);
        assert_true(r.status == 404 || r.status == 405);
        zg_http_resp_free(&r);
    }
    assert_int_equal(sql_int("SELECT COUNT(*) FROM audit_log"), count);
    assert_int_equal(sql_int("SELECT seq FROM audit_head WHERE id = 1"), head);
    assert_int_equal(sql_int("SELECT COUNT(*) FROM audit_log WHERE account_id = 501"), changed);
    json_t *j = verify();
    assert_true(json_is_true(json_object_get(j, "ok")));
    json_decref(j);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_only_auditors),      cmocka_unit_test(test_list_filters),
        cmocka_unit_test(test_list_validation),    cmocka_unit_test(test_verify),
        cmocka_unit_test(test_no_mutation_routes),
    };
    return cmocka_run_group_tests_name(zg_test_backend(), tests, setup, teardown);
}
