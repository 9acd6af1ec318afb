/* test_db.c — the db layer (src/db) against both backends. Every test runs twice: on a fresh
 * SQLite file, and on a fresh PostgreSQL database of the server named by ZG_TEST_PG_URL
 * (scripts/pg-test.sh start DIR prints one); without ZG_TEST_PG_URL the PostgreSQL runs are
 * skipped. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "db/db.h"
#include "db/db_internal.h"
#include "testdb.h"

typedef struct ctx {
    const char *backend;
    bool skip;
    char url[512];
    zg_db_t *db;
    zg_conn_t *c;
    zg_db_kind kind;
} ctx_t;

static ctx_t proto_sqlite = {.backend = "sqlite"};
static ctx_t proto_pg = {.backend = "postgres"};

#define CHECK(call)                                                                                \
    do {                                                                                           \
        int rc_ = (call);                                                                          \
        if (rc_ != 0) {                                                                            \
            print_error("%s:%d: %s -> %d (%s) %s / %s\n", __FILE__, __LINE__, #call, rc_,          \
                        zg_status_name(rc_), err.message, err.detail);                             \
            fail();                                                                                \
        }                                                                                          \
    } while (0)

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
    if (zg_db_open(t->url, &t->db, &err) != ZG_OK) {
        print_error("open %s: %s\n", t->url, err.detail);
        return -1;
    }
    t->c = zg_db_conn(t->db, &err);
    t->kind = zg_db_kind_of(t->db);
    return t->c ? 0 : -1;
}

static int teardown(void **state)
{
    ctx_t *t = *state;
    if (t) {
        zg_db_close(t->db);
        free(t);
    }
    return 0;
}

/* Starts a test: the context, or a cmocka skip when this backend is not available. */
static ctx_t *start(void **state)
{
    ctx_t *t = *state;
    if (t->skip)
        skip();
    return t;
}

/* Runs one DDL statement with {{TOKENS}} substituted. */
static void ddl(ctx_t *t, const char *sql)
{
    zg_error_t err;
    char *text = NULL;
    CHECK(zg_db_substitute(t->kind, sql, &text, &err));
    int rc = zg_db_exec(t->c, text, NULL, 0, NULL, &err);
    free(text);
    CHECK(rc);
}

static int64_t qint(ctx_t *t, const char *sql, const zg_param_t *p, int n)
{
    zg_error_t err;
    int64_t v = -12345;
    CHECK(zg_db_query_int(t->c, sql, p, n, &v, &err));
    return v;
}

/* The text of the first column of the first row of a one-parameter query ("" when none). */
static char *qtext(ctx_t *t, const char *sql, const char *param)
{
    zg_error_t err;
    zg_rows_t *r;
    zg_param_t p[] = {ZG_P_TEXT(param)};
    CHECK(zg_db_query(t->c, sql, p, param ? 1 : 0, &r, &err));
    int rc = zg_rows_next(r, &err);
    assert_true(rc >= 0);
    char *s = strdup(rc == 1 ? zg_rows_text(r, 0) : "");
    zg_rows_close(r);
    return s;
}

static void assert_qtext(ctx_t *t, const char *sql, const char *param, const char *want)
{
    char *got = qtext(t, sql, param);
    assert_string_equal(got, want);
    free(got);
}

static void migrate(ctx_t *t)
{
    zg_error_t err;
    int applied = -1;
    CHECK(zg_db_migrate(t->db, &applied, &err));
}

static int n_embedded(void)
{
    int n = 0;
    while (zg_embedded[n].name)
        n++;
    return n;
}

/* ---- open, migrate, seed ---------------------------------------------------------------- */

static void test_open(void **state)
{
    ctx_t *t = start(state);
    assert_int_equal(t->kind, strcmp(t->backend, "sqlite") == 0 ? ZG_DB_SQLITE : ZG_DB_POSTGRES);
    assert_string_equal(zg_db_display_url(t->db), t->url); /* no password to mask */
    assert_ptr_equal(zg_db_conn(t->db, NULL), t->c);       /* one connection per thread */
    assert_int_equal(qint(t, "SELECT 1 + 1", NULL, 0), 2);
}

static void test_open_fails_cleanly(void **state)
{
    ctx_t *t = start(state);
    zg_db_t *db = (zg_db_t *)1;
    zg_error_t err;
    int rc;
    if (t->kind == ZG_DB_SQLITE)
        rc = zg_db_open("/nonexistent-dir/x/zg.db", &db, &err);
    else
        rc = zg_db_open("postgresql://zugong@/nosuchdb_zg?host=/nonexistent-zg&port=1", &db, &err);
    assert_int_not_equal(rc, ZG_OK);
    assert_null(db);
    assert_true(strlen(err.message) > 0);
    assert_int_equal(zg_db_open("", &db, &err), ZG_ERR_INVALID);
    assert_int_equal(zg_db_open(":memory:", &db, &err), ZG_ERR_INVALID);
}

static void test_migrate(void **state)
{
    ctx_t *t = start(state);
    zg_error_t err;
    int v = -1, applied = -1;
    CHECK(zg_db_schema_version(t->db, &v, &err));
    assert_int_equal(v, 0);
    CHECK(zg_db_migrate(t->db, &applied, &err));
    assert_int_equal(applied, n_embedded());
    assert_true(applied >= 2);
    CHECK(zg_db_schema_version(t->db, &v, &err));
    assert_int_equal(v, n_embedded()); /* migrations are numbered 1..n without gaps */
    /* idempotent */
    CHECK(zg_db_migrate(t->db, &applied, &err));
    assert_int_equal(applied, 0);
    assert_qtext(t, "SELECT name FROM schema_migration WHERE version = 1", NULL, "init");
    assert_qtext(t, "SELECT name FROM schema_migration WHERE version = 2", NULL, "dict_seed");
    char *at = qtext(t, "SELECT applied_at FROM schema_migration WHERE version = 1", NULL);
    assert_int_equal(strlen(at), 19); /* YYYY-MM-DD HH:MM:SS */
    assert_true(at[4] == '-' && at[10] == ' ' && at[13] == ':');
    free(at);
}

static void test_dict_seed(void **state)
{
    ctx_t *t = start(state);
    migrate(t);
    const char *count = "SELECT COUNT(*) FROM dict_item WHERE dict = $1";
    const char *label = "SELECT label FROM dict_item WHERE dict = $1 AND code = $2";
    struct {
        const char *dict;
        int count;
    } counts[] = {{"gender", 4},   {"ethnicity", 60},        {"education", 40},
                  {"degree", 56},  {"political_status", 13}, {"org_category", 47},
                  {"province", 34}};
    for (size_t i = 0; i < sizeof counts / sizeof counts[0]; i++) {
        zg_param_t p[] = {ZG_P_TEXT(counts[i].dict)};
        assert_int_equal(qint(t, count, p, 1), counts[i].count);
    }
    zg_param_t std56[] = {ZG_P_TEXT("ethnicity"), ZG_P_TEXT("GB 3304-1991")};
    assert_int_equal(
        qint(t, "SELECT COUNT(*) FROM dict_item WHERE dict = $1 AND standard = $2", std56, 2), 56);
    struct {
        const char *dict, *code, *label;
    } labels[] = {
        {"ethnicity", "01", "汉族"},
        {"ethnicity", "05", "维吾尔族"},
        {"ethnicity", "56", "基诺族"},
        {"ethnicity", "91", "其他"},
        {"gender", "1", "男性"},
        {"gender", "2", "女性"},
        {"gender", "9", "未说明的性别"},
        {"education", "11", "博士研究生毕业"},
        {"education", "90", "其他"},
        {"degree", "201", "哲学博士学位"},
        {"degree", "444", "建筑学学士专业学位"},
        {"political_status", "01", "中国共产党党员"},
        {"political_status", "02", "中国共产党预备党员"},
        {"political_status", "13", "群众"},
        {"province", "110000", "北京市"},
        {"province", "650000", "新疆维吾尔自治区"},
        {"province", "820000", "澳门特别行政区"},
        {"org_category", "631", "党支部"},
        {"org_category", "632", "联合党支部"},
    };
    for (size_t i = 0; i < sizeof labels / sizeof labels[0]; i++) {
        zg_error_t err;
        zg_rows_t *r;
        zg_param_t p[] = {ZG_P_TEXT(labels[i].dict), ZG_P_TEXT(labels[i].code)};
        CHECK(zg_db_query(t->c, label, p, 2, &r, &err));
        assert_int_equal(zg_rows_next(r, &err), 1);
        assert_string_equal(zg_rows_text(r, 0), labels[i].label);
        zg_rows_close(r);
    }
    assert_qtext(t,
                 "SELECT short_label FROM dict_item WHERE dict = 'political_status' AND code = $1",
                 "01", "中共党员");
    assert_qtext(t, "SELECT short_label FROM dict_item WHERE dict = 'gender' AND code = $1", "1",
                 "男");
    assert_qtext(t, "SELECT parent_code FROM dict_item WHERE dict = 'education' AND code = $1",
                 "11", "10");
    assert_qtext(t, "SELECT parent_code FROM dict_item WHERE dict = 'degree' AND code = $1", "201",
                 "2");
    assert_qtext(t, "SELECT parent_code FROM dict_item WHERE dict = 'org_category' AND code = $1",
                 "631", "6XX");
    /* builtin and enabled default to 1 and are plain integers on both backends */
    assert_int_equal(
        qint(t, "SELECT COUNT(*) FROM dict_item WHERE builtin = 1 AND enabled = 1", NULL, 0), 254);
}

static void test_foundation_tables(void **state)
{
    ctx_t *t = start(state);
    migrate(t);
    zg_error_t err;
    zg_param_t ok[] = {ZG_P_TEXT("2026-10-01"), ZG_P_TEXT("holiday"), ZG_P_TEXT("国庆节")};
    CHECK(zg_db_exec(t->c, "INSERT INTO calendar_day (day, kind, name) VALUES ($1, $2, $3)", ok, 3,
                     NULL, &err));
    char *at = qtext(t, "SELECT updated_at FROM calendar_day WHERE day = $1", "2026-10-01");
    assert_int_equal(strlen(at), 19); /* {{NOW}} default: 'YYYY-MM-DD HH:MM:SS' */
    assert_true(at[0] == '2' && at[4] == '-' && at[13] == ':');
    free(at);
    zg_param_t bad_kind[] = {ZG_P_TEXT("2026-10-02"), ZG_P_TEXT("weekend"), ZG_P_TEXT("x")};
    assert_int_equal(zg_db_exec(t->c,
                                "INSERT INTO calendar_day (day, kind, name) VALUES ($1, $2, $3)",
                                bad_kind, 3, NULL, &err),
                     ZG_ERR_INVALID);
    zg_param_t bad_day[] = {ZG_P_TEXT("2026-1-2"), ZG_P_TEXT("workday"), ZG_P_TEXT("x")};
    assert_int_equal(zg_db_exec(t->c,
                                "INSERT INTO calendar_day (day, kind, name) VALUES ($1, $2, $3)",
                                bad_day, 3, NULL, &err),
                     ZG_ERR_INVALID);
    zg_param_t set[] = {ZG_P_TEXT("system_name"), ZG_P_TEXT("组工平台")};
    const char *upsert = "INSERT INTO app_setting (key, value) VALUES ($1, $2) "
                         "ON CONFLICT (key) DO UPDATE SET value = excluded.value";
    CHECK(zg_db_exec(t->c, upsert, set, 2, NULL, &err));
    set[1] = ZG_P_TEXT("智慧组工");
    CHECK(zg_db_exec(t->c, upsert, set, 2, NULL, &err));
    assert_qtext(t, "SELECT value FROM app_setting WHERE key = $1", "system_name", "智慧组工");
}

/* ---- parameters and values -------------------------------------------------------------- */

static const char *values_table = "CREATE TABLE v (id {{ID}}, i {{BIGINT}}, d DOUBLE PRECISION, "
                                  "s TEXT, b {{BLOB}}, n TEXT)";

static void test_params_every_type(void **state)
{
    ctx_t *t = start(state);
    ddl(t, values_table);
    zg_error_t err;
    unsigned char bytes[] = {1, 2, 0, 3};
    zg_param_t p[] = {ZG_P_INT(42), ZG_P_DOUBLE(3.25), ZG_P_TEXT("文本"),
                      ZG_P_BLOB(bytes, sizeof bytes), ZG_P_NULL};
    int64_t changes = 0;
    CHECK(zg_db_exec(t->c, "INSERT INTO v (i, d, s, b, n) VALUES ($1, $2, $3, $4, $5)", p, 5,
                     &changes, &err));
    assert_int_equal(changes, 1);
    const char *none = NULL;
    zg_param_t q[] = {ZG_P_NULL, ZG_P_NULL, ZG_P_TEXT(none), ZG_P_NULL, ZG_P_NULL};
    CHECK(zg_db_exec(t->c, "INSERT INTO v (i, d, s, b, n) VALUES ($1, $2, $3, $4, $5)", q, 5, NULL,
                     &err));

    zg_rows_t *r;
    CHECK(zg_db_query(t->c, "SELECT id, i, d, s, b, n FROM v ORDER BY id", NULL, 0, &r, &err));
    assert_int_equal(zg_rows_ncols(r), 6);
    assert_string_equal(zg_rows_colname(r, 1), "i");
    assert_string_equal(zg_rows_colname(r, 5), "n");
    assert_string_equal(zg_rows_colname(r, 6), ""); /* out of range */
    assert_int_equal(zg_rows_next(r, &err), 1);
    assert_int_equal(zg_rows_int(r, 0), 1); /* {{ID}} starts at 1 on both */
    assert_int_equal(zg_rows_int(r, 1), 42);
    assert_string_equal(zg_rows_text(r, 1), "42");
    assert_true(zg_rows_double(r, 2) == 3.25);
    assert_string_equal(zg_rows_text(r, 3), "文本");
    size_t len = 0;
    const unsigned char *b = zg_rows_blob(r, 4, &len);
    assert_int_equal(len, sizeof bytes);
    assert_memory_equal(b, bytes, sizeof bytes);
    assert_true(zg_rows_isnull(r, 5));
    assert_false(zg_rows_isnull(r, 1));
    assert_string_equal(zg_rows_text(r, 5), "");
    assert_int_equal(zg_rows_int(r, 5), 0);
    assert_true(zg_rows_isnull(r, 99)); /* out of range reads as NULL */
    assert_int_equal(zg_rows_next(r, &err), 1);
    assert_int_equal(zg_rows_int(r, 0), 2);
    for (int col = 1; col <= 5; col++)
        assert_true(zg_rows_isnull(r, col));
    b = zg_rows_blob(r, 4, &len);
    assert_null(b);
    assert_int_equal(len, 0);
    assert_int_equal(zg_rows_next(r, &err), 0);
    assert_int_equal(zg_rows_next(r, &err), 0); /* stays at the end */
    zg_rows_close(r);
    zg_rows_close(r); /* closing twice is harmless */

    /* doubles: full precision both ways, and non-finite values */
    double ds[] = {0.1, -1e300, 1.0 / 3.0, 123456789.125};
    for (size_t i = 0; i < sizeof ds / sizeof ds[0]; i++) {
        zg_param_t pd[] = {ZG_P_DOUBLE(ds[i])};
        CHECK(zg_db_exec(t->c, "UPDATE v SET d = $1 WHERE id = 1", pd, 1, NULL, &err));
        CHECK(zg_db_query(t->c, "SELECT d FROM v WHERE id = 1", NULL, 0, &r, &err));
        assert_int_equal(zg_rows_next(r, &err), 1);
        assert_true(zg_rows_double(r, 0) == ds[i]);
        zg_rows_close(r);
    }
}

static void test_param_mismatch(void **state)
{
    ctx_t *t = start(state);
    zg_error_t err;
    int64_t v;
    zg_param_t p[] = {ZG_P_INT(1), ZG_P_INT(2)};
    assert_int_equal(zg_db_query_int(t->c, "SELECT $1 + 0", p, 2, &v, &err), ZG_ERR_INTERNAL);
    assert_int_not_equal(zg_db_query_int(t->c, "SELECT $1 + 0 + $2 + $3", p, 2, &v, &err), ZG_OK);
    assert_int_equal(zg_db_query_int(t->c, "SELECT $1 + 0", NULL, 0, &v, &err), ZG_ERR_INTERNAL);
    /* one statement per call on both backends */
    assert_int_not_equal(zg_db_exec(t->c, "SELECT 1; SELECT 2", NULL, 0, NULL, &err), ZG_OK);
    assert_int_not_equal(zg_db_exec(t->c, "SELEC 1", NULL, 0, NULL, &err), ZG_OK);
    assert_int_equal(err.status, ZG_ERR_DB);
    assert_string_equal(err.message, "数据库操作失败");
    /* the connection is fine afterwards */
    CHECK(zg_db_query_int(t->c, "SELECT $1 + 0 + $2", p, 2, &v, &err));
    assert_int_equal(v, 3);
    assert_int_equal(zg_db_query_int(t->c, "SELECT 1 WHERE 1 = 0", NULL, 0, &v, &err),
                     ZG_ERR_NOT_FOUND);
}

static void test_utf8(void **state)
{
    ctx_t *t = start(state);
    ddl(t, "CREATE TABLE u (id {{ID}}, s TEXT NOT NULL)");
    zg_error_t err;
    const char *texts[] = {"中国共产党章程", "第一书记·党支部（联合）", "𠀀𪚥 4-byte 😀",
                           "维吾尔族 ئۇيغۇر", ""};
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        zg_param_t p[] = {ZG_P_TEXT(texts[i])};
        CHECK(zg_db_exec(t->c, "INSERT INTO u (s) VALUES ($1)", p, 1, NULL, &err));
    }
    zg_rows_t *r;
    CHECK(zg_db_query(t->c, "SELECT s, length(s) FROM u ORDER BY id", NULL, 0, &r, &err));
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        assert_int_equal(zg_rows_next(r, &err), 1);
        assert_string_equal(zg_rows_text(r, 0), texts[i]);
        assert_false(zg_rows_isnull(r, 0)); /* '' is not NULL on either backend */
    }
    zg_rows_close(r);
    /* length counts characters, not bytes, on both */
    assert_int_equal(qint(t, "SELECT length(s) FROM u WHERE id = 1", NULL, 0), 7);
    /* LIKE with a Chinese pattern as a parameter */
    zg_param_t like[] = {ZG_P_TEXT("%书记%")};
    assert_int_equal(qint(t, "SELECT COUNT(*) FROM u WHERE s LIKE $1", like, 1), 1);
}

static void test_blob_zero_bytes(void **state)
{
    ctx_t *t = start(state);
    ddl(t, "CREATE TABLE bl (id {{BIGINT}} PRIMARY KEY, b {{BLOB}})");
    zg_error_t err;
    unsigned char all[512];
    for (size_t i = 0; i < sizeof all; i++)
        all[i] = (unsigned char)(i % 3 == 0 ? 0 : i);
    zg_param_t p1[] = {ZG_P_INT(1), ZG_P_BLOB(all, sizeof all)};
    CHECK(zg_db_exec(t->c, "INSERT INTO bl (id, b) VALUES ($1, $2)", p1, 2, NULL, &err));
    zg_param_t p2[] = {ZG_P_INT(2), ZG_P_BLOB("", 0)};
    CHECK(zg_db_exec(t->c, "INSERT INTO bl (id, b) VALUES ($1, $2)", p2, 2, NULL, &err));
    unsigned char zeros[3] = {0, 0, 0};
    zg_param_t p3[] = {ZG_P_INT(3), ZG_P_BLOB(zeros, 3)};
    CHECK(zg_db_exec(t->c, "INSERT INTO bl (id, b) VALUES ($1, $2)", p3, 2, NULL, &err));

    zg_rows_t *r;
    CHECK(zg_db_query(t->c, "SELECT id, b, b FROM bl ORDER BY id", NULL, 0, &r, &err));
    assert_int_equal(zg_rows_next(r, &err), 1);
    size_t len1 = 0, len2 = 0;
    const void *b1 = zg_rows_blob(r, 1, &len1);
    const void *b2 = zg_rows_blob(r, 2, &len2); /* two blobs of one row are both valid */
    assert_int_equal(len1, sizeof all);
    assert_int_equal(len2, sizeof all);
    assert_memory_equal(b1, all, sizeof all);
    assert_memory_equal(b2, all, sizeof all);
    assert_int_equal(zg_rows_next(r, &err), 1);
    assert_false(zg_rows_isnull(r, 1)); /* empty, not NULL */
    zg_rows_blob(r, 1, &len1);
    assert_int_equal(len1, 0);
    assert_int_equal(zg_rows_next(r, &err), 1);
    const void *b3 = zg_rows_blob(r, 1, &len1);
    assert_int_equal(len1, 3);
    assert_memory_equal(b3, zeros, 3);
    zg_rows_close(r);
    /* a blob as a WHERE parameter */
    zg_param_t w[] = {ZG_P_BLOB(zeros, 3)};
    assert_int_equal(qint(t, "SELECT id FROM bl WHERE b = $1", w, 1), 3);
}

static void test_int64_extremes(void **state)
{
    ctx_t *t = start(state);
    ddl(t, "CREATE TABLE n (id {{ID}}, v {{BIGINT}} NOT NULL)");
    zg_error_t err;
    int64_t vals[] = {INT64_MIN, INT64_MAX, 0, -1, 1, INT32_MAX + 1LL, INT32_MIN - 1LL};
    for (size_t i = 0; i < sizeof vals / sizeof vals[0]; i++) {
        zg_param_t p[] = {ZG_P_INT(vals[i])};
        CHECK(zg_db_exec(t->c, "INSERT INTO n (v) VALUES ($1)", p, 1, NULL, &err));
    }
    zg_rows_t *r;
    CHECK(zg_db_query(t->c, "SELECT v FROM n ORDER BY id", NULL, 0, &r, &err));
    for (size_t i = 0; i < sizeof vals / sizeof vals[0]; i++) {
        assert_int_equal(zg_rows_next(r, &err), 1);
        assert_true(zg_rows_int(r, 0) == vals[i]);
    }
    zg_rows_close(r);
    zg_param_t p[] = {ZG_P_INT(INT64_MIN)};
    assert_int_equal(qint(t, "SELECT COUNT(*) FROM n WHERE v = $1", p, 1), 1);
    assert_true(qint(t, "SELECT MAX(v) FROM n", NULL, 0) == INT64_MAX);
    assert_true(qint(t, "SELECT MIN(v) FROM n", NULL, 0) == INT64_MIN);
}

static void test_injection_text_verbatim(void **state)
{
    ctx_t *t = start(state);
    ddl(t, "CREATE TABLE x (id {{ID}}, s TEXT)");
    zg_error_t err;
    const char *evil[] = {"'; DROP TABLE x; --", "Robert'); DROP TABLE x;--", "$1", "\\x00'\"",
                          "1 OR 1=1"};
    for (size_t i = 0; i < sizeof evil / sizeof evil[0]; i++) {
        zg_param_t p[] = {ZG_P_TEXT(evil[i])};
        CHECK(zg_db_exec(t->c, "INSERT INTO x (s) VALUES ($1)", p, 1, NULL, &err));
        zg_param_t q[] = {ZG_P_INT((int64_t)i + 1)};
        zg_rows_t *r;
        CHECK(zg_db_query(t->c, "SELECT s FROM x WHERE id = $1", q, 1, &r, &err));
        assert_int_equal(zg_rows_next(r, &err), 1);
        assert_string_equal(zg_rows_text(r, 0), evil[i]);
        zg_rows_close(r);
    }
    assert_int_equal(qint(t, "SELECT COUNT(*) FROM x", NULL, 0), 5); /* table still there */
    zg_param_t p[] = {ZG_P_TEXT("1 OR 1=1")};
    assert_int_equal(qint(t, "SELECT COUNT(*) FROM x WHERE s = $1", p, 1), 1);
}

/* ---- errors, transactions --------------------------------------------------------------- */

static void test_unique_and_fk_conflict(void **state)
{
    ctx_t *t = start(state);
    ddl(t, "CREATE TABLE p (id {{BIGINT}} PRIMARY KEY, code TEXT NOT NULL UNIQUE)");
    ddl(t, "CREATE TABLE ch (id {{ID}}, p_id {{BIGINT}} NOT NULL REFERENCES p (id))");
    zg_error_t err;
    zg_param_t a[] = {ZG_P_INT(1), ZG_P_TEXT("A")};
    CHECK(zg_db_exec(t->c, "INSERT INTO p (id, code) VALUES ($1, $2)", a, 2, NULL, &err));
    zg_param_t dup_code[] = {ZG_P_INT(2), ZG_P_TEXT("A")};
    assert_int_equal(
        zg_db_exec(t->c, "INSERT INTO p (id, code) VALUES ($1, $2)", dup_code, 2, NULL, &err),
        ZG_ERR_CONFLICT);
    assert_string_equal(err.message, "数据重复");
    zg_param_t dup_pk[] = {ZG_P_INT(1), ZG_P_TEXT("B")};
    assert_int_equal(
        zg_db_exec(t->c, "INSERT INTO p (id, code) VALUES ($1, $2)", dup_pk, 2, NULL, &err),
        ZG_ERR_CONFLICT);
    assert_string_equal(err.message, "数据重复");
    zg_param_t orphan[] = {ZG_P_INT(99)};
    assert_int_equal(zg_db_exec(t->c, "INSERT INTO ch (p_id) VALUES ($1)", orphan, 1, NULL, &err),
                     ZG_ERR_CONFLICT);
    assert_string_equal(err.message, "数据仍被引用或引用不存在");
    zg_param_t ok[] = {ZG_P_INT(1)};
    CHECK(zg_db_exec(t->c, "INSERT INTO ch (p_id) VALUES ($1)", ok, 1, NULL, &err));
    assert_int_equal(zg_db_exec(t->c, "DELETE FROM p WHERE id = $1", ok, 1, NULL, &err),
                     ZG_ERR_CONFLICT);
    assert_string_equal(err.message, "数据仍被引用或引用不存在");
    zg_param_t nul[] = {ZG_P_INT(5), ZG_P_NULL};
    assert_int_equal(
        zg_db_exec(t->c, "INSERT INTO p (id, code) VALUES ($1, $2)", nul, 2, NULL, &err),
        ZG_ERR_INVALID);
}

static void test_rollback_discards(void **state)
{
    ctx_t *t = start(state);
    ddl(t, "CREATE TABLE r (id {{BIGINT}} PRIMARY KEY)");
    zg_error_t err;
    CHECK(zg_db_begin(t->c, ZG_TX_WRITE, &err));
    for (int i = 1; i <= 3; i++) {
        zg_param_t p[] = {ZG_P_INT(i)};
        CHECK(zg_db_exec(t->c, "INSERT INTO r (id) VALUES ($1)", p, 1, NULL, &err));
    }
    assert_int_equal(qint(t, "SELECT COUNT(*) FROM r", NULL, 0), 3); /* own writes visible */
    zg_db_rollback(t->c);
    assert_int_equal(qint(t, "SELECT COUNT(*) FROM r", NULL, 0), 0);

    /* a failed statement inside a transaction, then rollback: the connection recovers */
    CHECK(zg_db_begin(t->c, ZG_TX_WRITE, &err));
    zg_param_t p[] = {ZG_P_INT(7)};
    CHECK(zg_db_exec(t->c, "INSERT INTO r (id) VALUES ($1)", p, 1, NULL, &err));
    assert_int_equal(zg_db_exec(t->c, "INSERT INTO r (id) VALUES ($1)", p, 1, NULL, &err),
                     ZG_ERR_CONFLICT);
    zg_db_rollback(t->c);
    zg_db_rollback(t->c); /* no-op outside a transaction */
    assert_int_equal(qint(t, "SELECT COUNT(*) FROM r", NULL, 0), 0);
}

/* zg_db_settle (run by the server after every request): a transaction or cursor a request
 * left open is ended, and the connection works normally afterwards. */
static void test_settle(void **state)
{
    ctx_t *t = start(state);
    ddl(t, "CREATE TABLE st (id {{BIGINT}} PRIMARY KEY)");
    zg_error_t err;
    CHECK(zg_db_begin(t->c, ZG_TX_WRITE, &err));
    zg_param_t p[] = {ZG_P_INT(1)};
    CHECK(zg_db_exec(t->c, "INSERT INTO st (id) VALUES ($1)", p, 1, NULL, &err));
    zg_db_settle(t->db);                         /* the "request" never committed: rolled back */
    CHECK(zg_db_begin(t->c, ZG_TX_WRITE, &err)); /* not refused as a nested begin */
    zg_db_rollback(t->c);
    assert_int_equal(qint(t, "SELECT COUNT(*) FROM st", NULL, 0), 0);
    /* a cursor left open is closed */
    CHECK(zg_db_exec(t->c, "INSERT INTO st (id) VALUES ($1)", p, 1, NULL, &err));
    zg_param_t p2[] = {ZG_P_INT(2)};
    CHECK(zg_db_exec(t->c, "INSERT INTO st (id) VALUES ($1)", p2, 1, NULL, &err));
    zg_rows_t *r;
    CHECK(zg_db_query(t->c, "SELECT id FROM st ORDER BY id", NULL, 0, &r, &err));
    assert_int_equal(zg_rows_next(r, &err), 1);
    zg_db_settle(t->db);
    assert_int_equal(qint(t, "SELECT COUNT(*) FROM st", NULL, 0), 2); /* a new statement runs */
    /* and INSERT … RETURNING through zg_db_query_int is committed at once */
    int64_t id = 0;
    zg_param_t p3[] = {ZG_P_INT(3)};
    CHECK(zg_db_query_int(t->c, "INSERT INTO st (id) VALUES ($1) RETURNING id", p3, 1, &id, &err));
    assert_int_equal(id, 3);
    zg_db_t *db2;
    CHECK(zg_db_open(t->url, &db2, &err));
    zg_conn_t *c2 = zg_db_conn(db2, &err);
    assert_non_null(c2);
    int64_t n = 0;
    CHECK(zg_db_query_int(c2, "SELECT COUNT(*) FROM st", NULL, 0, &n, &err));
    assert_int_equal(n, 3);
    zg_db_close(db2);
    zg_db_settle(NULL); /* no database: nothing to do */
}

static void test_commit_persists(void **state)
{
    ctx_t *t = start(state);
    ddl(t, "CREATE TABLE cp (id {{BIGINT}} PRIMARY KEY, s TEXT)");
    zg_error_t err;
    CHECK(zg_db_begin(t->c, ZG_TX_WRITE, &err));
    zg_param_t p[] = {ZG_P_INT(1), ZG_P_TEXT("已提交")};
    CHECK(zg_db_exec(t->c, "INSERT INTO cp (id, s) VALUES ($1, $2)", p, 2, NULL, &err));
    CHECK(zg_db_commit(t->c, &err));
    /* seen from another connection (a second handle), and after reopening */
    zg_db_t *db2;
    CHECK(zg_db_open(t->url, &db2, &err));
    zg_conn_t *c2 = zg_db_conn(db2, &err);
    assert_non_null(c2);
    assert_ptr_not_equal(c2, t->c);
    int64_t n = 0;
    CHECK(zg_db_query_int(c2, "SELECT COUNT(*) FROM cp WHERE s = '已提交'", NULL, 0, &n, &err));
    assert_int_equal(n, 1);
    zg_db_close(db2);
    zg_db_close(t->db);
    t->db = NULL;
    CHECK(zg_db_open(t->url, &t->db, &err));
    t->c = zg_db_conn(t->db, &err);
    assert_int_equal(qint(t, "SELECT COUNT(*) FROM cp", NULL, 0), 1);
}

static void test_transaction_rules(void **state)
{
    ctx_t *t = start(state);
    ddl(t, "CREATE TABLE tr (id {{BIGINT}} PRIMARY KEY)");
    zg_error_t err;
    assert_int_equal(zg_db_commit(t->c, &err), ZG_ERR_INTERNAL); /* not in a transaction */
    CHECK(zg_db_begin(t->c, ZG_TX_WRITE, &err));
    assert_int_equal(zg_db_begin(t->c, ZG_TX_WRITE, &err), ZG_ERR_INTERNAL); /* no nesting */
    CHECK(zg_db_commit(t->c, &err));
    /* a read transaction refuses writes on both backends */
    CHECK(zg_db_begin(t->c, ZG_TX_READ, &err));
    assert_int_equal(qint(t, "SELECT COUNT(*) FROM tr", NULL, 0), 0);
    zg_param_t p[] = {ZG_P_INT(1)};
    assert_int_equal(zg_db_exec(t->c, "INSERT INTO tr (id) VALUES ($1)", p, 1, NULL, &err),
                     ZG_ERR_INTERNAL);
    zg_db_rollback(t->c);
    /* and after it, writes work again */
    CHECK(zg_db_exec(t->c, "INSERT INTO tr (id) VALUES ($1)", p, 1, NULL, &err));
    CHECK(zg_db_begin(t->c, ZG_TX_READ, &err));
    CHECK(zg_db_commit(t->c, &err));
    p[0] = ZG_P_INT(2);
    CHECK(zg_db_exec(t->c, "INSERT INTO tr (id) VALUES ($1)", p, 1, NULL, &err));
    int64_t changes = 0;
    CHECK(zg_db_exec(t->c, "UPDATE tr SET id = id + 10", NULL, 0, &changes, &err));
    assert_int_equal(changes, 2);
    CHECK(zg_db_exec(t->c, "DELETE FROM tr WHERE id > 100", NULL, 0, &changes, &err));
    assert_int_equal(changes, 0);
    CHECK(zg_db_exec(t->c, "UPDATE tr SET id = id + 10", NULL, 0, &changes, &err));
    changes = -1;
    CHECK(zg_db_exec(t->c, "SELECT id FROM tr", NULL, 0, &changes, &err));
    assert_int_equal(changes, 0);
    changes = -1;
    CHECK(zg_db_exec(t->c, "CREATE TABLE tr2 (id INTEGER)", NULL, 0, &changes, &err));
    assert_int_equal(changes, 0);
    CHECK(zg_db_exec(t->c, "INSERT INTO tr2 (id) SELECT id FROM tr RETURNING id", NULL, 0, &changes,
                     &err));
    assert_int_equal(changes, 2);
    /* commit of a transaction that failed is an error and ends it */
    CHECK(zg_db_begin(t->c, ZG_TX_WRITE, &err));
    assert_int_not_equal(
        zg_db_exec(t->c, "INSERT INTO nosuch (id) VALUES (1)", NULL, 0, NULL, &err), ZG_OK);
    if (t->kind == ZG_DB_POSTGRES)
        assert_int_not_equal(zg_db_commit(t->c, &err), ZG_OK);
    zg_db_rollback(t->c);
    CHECK(zg_db_begin(t->c, ZG_TX_WRITE, &err));
    zg_db_rollback(t->c);
}

/* ---- statement cache and cursors -------------------------------------------------------- */

static void test_stmt_cache(void **state)
{
    ctx_t *t = start(state);
    zg_error_t err;
    const char *sql = "SELECT $1 + 100";
    uint64_t prepared = t->c->n_prepared, hits = t->c->n_cache_hit;
    int64_t v;
    zg_param_t p[] = {ZG_P_INT(1)};
    CHECK(zg_db_query_int(t->c, sql, p, 1, &v, &err));
    assert_int_equal(v, 101);
    p[0] = ZG_P_INT(2);
    CHECK(zg_db_query_int(t->c, sql, p, 1, &v, &err));
    assert_int_equal(v, 102);
    assert_int_equal(t->c->n_prepared - prepared, 1); /* compiled once */
    assert_true(t->c->n_cache_hit - hits >= 1);
    if (t->kind == ZG_DB_POSTGRES) {
        zg_param_t q[] = {ZG_P_TEXT(sql)};
        assert_int_equal(
            qint(t, "SELECT COUNT(*) FROM pg_prepared_statements WHERE statement = $1", q, 1), 1);
    }
    /* the cache is bounded: old statements are finalized / deallocated */
    for (int i = 0; i < ZG_STMT_CACHE_CAP + 50; i++) {
        char q[64];
        snprintf(q, sizeof q, "SELECT %d + $1", i);
        zg_param_t pi[] = {ZG_P_INT(i)};
        CHECK(zg_db_query_int(t->c, q, pi, 1, &v, &err));
        assert_int_equal(v, 2 * i);
    }
    assert_true(t->c->cache.count <= ZG_STMT_CACHE_CAP);
    if (t->kind == ZG_DB_POSTGRES)
        assert_true(qint(t, "SELECT COUNT(*) FROM pg_prepared_statements", NULL, 0) <=
                    ZG_STMT_CACHE_CAP);
    /* an evicted statement is prepared again and still works */
    CHECK(zg_db_query_int(t->c, "SELECT 0 + $1", p, 1, &v, &err));
    assert_int_equal(v, 2);
}

static void test_cursor_1000_rows(void **state)
{
    ctx_t *t = start(state);
    ddl(t, "CREATE TABLE big (id {{BIGINT}} PRIMARY KEY, s TEXT NOT NULL)");
    zg_error_t err;
    CHECK(zg_db_begin(t->c, ZG_TX_WRITE, &err));
    for (int i = 0; i < 1000; i++) {
        char s[32];
        snprintf(s, sizeof s, "第%d行", i);
        zg_param_t p[] = {ZG_P_INT(i), ZG_P_TEXT(s)};
        CHECK(zg_db_exec(t->c, "INSERT INTO big (id, s) VALUES ($1, $2)", p, 2, NULL, &err));
    }
    CHECK(zg_db_commit(t->c, &err));
    zg_rows_t *r;
    CHECK(zg_db_query(t->c, "SELECT id, s FROM big ORDER BY id", NULL, 0, &r, &err));
    int n = 0, rc;
    while ((rc = zg_rows_next(r, &err)) == 1) {
        char s[32];
        snprintf(s, sizeof s, "第%d行", n);
        assert_int_equal(zg_rows_int(r, 0), n);
        assert_string_equal(zg_rows_text(r, 1), s);
        n++;
    }
    assert_int_equal(rc, 0);
    assert_int_equal(n, 1000);
    /* another statement while the cursor is open is a bug */
    int64_t v;
    assert_int_equal(zg_db_query_int(t->c, "SELECT 1", NULL, 0, &v, &err), ZG_ERR_INTERNAL);
    assert_int_equal(zg_db_exec(t->c, "DELETE FROM big", NULL, 0, NULL, &err), ZG_ERR_INTERNAL);
    assert_int_equal(zg_db_begin(t->c, ZG_TX_WRITE, &err), ZG_ERR_INTERNAL);
    zg_rows_close(r);
    assert_int_equal(qint(t, "SELECT COUNT(*) FROM big", NULL, 0), 1000);
    /* closing early, part-way through */
    CHECK(zg_db_query(t->c, "SELECT id FROM big ORDER BY id", NULL, 0, &r, &err));
    assert_int_equal(zg_rows_next(r, &err), 1);
    zg_rows_close(r);
    /* rollback closes a cursor left open inside a transaction */
    CHECK(zg_db_begin(t->c, ZG_TX_READ, &err));
    CHECK(zg_db_query(t->c, "SELECT id FROM big", NULL, 0, &r, &err));
    assert_int_equal(zg_rows_next(r, &err), 1);
    zg_db_rollback(t->c);
    assert_int_equal(qint(t, "SELECT COUNT(*) FROM big WHERE id < 10", NULL, 0), 10);
}

/* ---- threads ---------------------------------------------------------------------------- */

typedef struct writer {
    zg_db_t *db;
    int id;
    int rows;
    int failures;
    zg_conn_t *conn;
    char why[300];
} writer_t;

static void *writer_main(void *arg)
{
    writer_t *w = arg;
    zg_error_t err;
    w->conn = zg_db_conn(w->db, &err);
    if (!w->conn) {
        w->failures++;
        snprintf(w->why, sizeof w->why, "conn: %s", err.detail);
        return NULL;
    }
    for (int i = 0; i < w->rows; i++) {
        int rc = zg_db_begin(w->conn, ZG_TX_WRITE, &err);
        zg_param_t p[] = {ZG_P_INT(w->id), ZG_P_INT(i)};
        if (!rc)
            rc =
                zg_db_exec(w->conn, "INSERT INTO tw (writer, n) VALUES ($1, $2)", p, 2, NULL, &err);
        if (!rc)
            rc = zg_db_exec(w->conn, "UPDATE counter SET n = n + 1 WHERE id = 1", NULL, 0, NULL,
                            &err);
        if (!rc)
            rc = zg_db_commit(w->conn, &err);
        if (rc) {
            zg_db_rollback(w->conn);
            w->failures++;
            snprintf(w->why, sizeof w->why, "%s", err.detail);
        }
    }
    return NULL;
}

static void test_threads_concurrent_writes(void **state)
{
    ctx_t *t = start(state);
    ddl(t, "CREATE TABLE tw (id {{ID}}, writer {{BIGINT}} NOT NULL, n {{BIGINT}} NOT NULL)");
    ddl(t, "CREATE TABLE counter (id {{BIGINT}} PRIMARY KEY, n {{BIGINT}} NOT NULL)");
    zg_error_t err;
    CHECK(zg_db_exec(t->c, "INSERT INTO counter (id, n) VALUES (1, 0)", NULL, 0, NULL, &err));
    enum { NW = 4, ROWS = 150 };
    writer_t w[NW];
    pthread_t th[NW];
    for (int i = 0; i < NW; i++) {
        w[i] = (writer_t){.db = t->db, .id = i, .rows = ROWS};
        assert_int_equal(pthread_create(&th[i], NULL, writer_main, &w[i]), 0);
    }
    for (int i = 0; i < NW; i++)
        pthread_join(th[i], NULL);
    for (int i = 0; i < NW; i++) {
        if (w[i].failures)
            print_error("writer %d: %d failures, last: %s\n", i, w[i].failures, w[i].why);
        assert_int_equal(w[i].failures, 0);
        assert_ptr_not_equal(w[i].conn, t->c);
    }
    assert_ptr_not_equal(w[0].conn, w[1].conn);
    assert_int_equal(qint(t, "SELECT COUNT(*) FROM tw", NULL, 0), NW * ROWS);
    assert_int_equal(qint(t, "SELECT n FROM counter WHERE id = 1", NULL, 0), NW * ROWS);
    /* the writers' threads have exited: their connections were closed with them */
    pthread_mutex_lock(&t->db->mu);
    int open = 0;
    for (zg_conn_t *c = t->db->conns; c; c = c->next)
        open++;
    pthread_mutex_unlock(&t->db->mu);
    assert_int_equal(open, 1);
}

typedef struct migrator {
    const char *url;
    int applied;
    int rc;
    char why[300];
} migrator_t;

static void *migrator_main(void *arg)
{
    migrator_t *m = arg;
    zg_error_t err;
    zg_db_t *db;
    m->rc = zg_db_open(m->url, &db, &err);
    if (!m->rc) {
        m->rc = zg_db_migrate(db, &m->applied, &err);
        zg_db_close(db);
    }
    if (m->rc)
        snprintf(m->why, sizeof m->why, "%s", err.detail);
    return NULL;
}

static void test_concurrent_migrate(void **state)
{
    ctx_t *t = start(state);
    enum { NM = 3 };
    migrator_t m[NM];
    pthread_t th[NM];
    for (int i = 0; i < NM; i++) {
        m[i] = (migrator_t){.url = t->url};
        assert_int_equal(pthread_create(&th[i], NULL, migrator_main, &m[i]), 0);
    }
    int total = 0;
    for (int i = 0; i < NM; i++) {
        pthread_join(th[i], NULL);
        if (m[i].rc)
            print_error("migrator %d: %s\n", i, m[i].why);
        assert_int_equal(m[i].rc, 0);
        total += m[i].applied;
    }
    assert_int_equal(total, n_embedded()); /* each migration applied exactly once */
    assert_int_equal(qint(t, "SELECT COUNT(*) FROM schema_migration", NULL, 0), n_embedded());
}

/* ---- migrations with test files --------------------------------------------------------- */

static void test_migration_incremental(void **state)
{
    ctx_t *t = start(state);
    zg_error_t err;
    struct zg_embedded_file one[] = {
        {"0001_a.sql", "CREATE TABLE ma (id {{ID}}, s {{TEXT}}, at TEXT DEFAULT {{NOW}});", 0},
        {0, 0, 0}};
    struct zg_embedded_file two[] = {
        one[0],
        {"0002_b.sql",
         "CREATE TABLE mb (id {{ID}}, ok {{BOOL}} NOT NULL DEFAULT 0, data {{BLOB}});\n"
         "-- a comment; with a semicolon\n"
         "INSERT INTO mb (ok) VALUES (1);\nINSERT INTO ma (s) VALUES ('x');\n",
         0},
        {0, 0, 0}};
    int applied = -1, v = -1;
    CHECK(zg_db_migrate_files(t->db, one, &applied, &err));
    assert_int_equal(applied, 1);
    CHECK(zg_db_migrate_files(t->db, two, &applied, &err));
    assert_int_equal(applied, 1);
    CHECK(zg_db_migrate_files(t->db, two, &applied, &err));
    assert_int_equal(applied, 0);
    CHECK(zg_db_schema_version(t->db, &v, &err));
    assert_int_equal(v, 2);
    assert_int_equal(qint(t, "SELECT COUNT(*) FROM mb WHERE ok = 1", NULL, 0), 1);
    char *at = qtext(t, "SELECT at FROM ma", NULL);
    assert_int_equal(strlen(at), 19);
    free(at);
    /* {{ID}} auto-increments on both */
    CHECK(zg_db_exec(t->c, "INSERT INTO ma (s) VALUES ('y')", NULL, 0, NULL, &err));
    assert_int_equal(qint(t, "SELECT MAX(id) FROM ma", NULL, 0), 2);
    zg_rows_t *r;
    CHECK(zg_db_query(t->c, "INSERT INTO ma (s) VALUES ('z') RETURNING id", NULL, 0, &r, &err));
    assert_int_equal(zg_rows_next(r, &err), 1);
    assert_int_equal(zg_rows_int(r, 0), 3);
    zg_rows_close(r);
    /* bad file names and order are refused before anything runs */
    struct zg_embedded_file badname[] = {{"init.sql", "SELECT 1;", 0}, {0, 0, 0}};
    assert_int_equal(zg_db_migrate_files(t->db, badname, &applied, &err), ZG_ERR_INTERNAL);
    struct zg_embedded_file badorder[] = {two[1], two[0], {0, 0, 0}};
    assert_int_equal(zg_db_migrate_files(t->db, badorder, &applied, &err), ZG_ERR_INTERNAL);
}

static void test_migration_unknown_token(void **state)
{
    ctx_t *t = start(state);
    zg_error_t err;
    struct zg_embedded_file files[] = {
        {"0001_ok.sql", "CREATE TABLE ok1 (id {{ID}});", 0},
        {"0002_bad.sql", "CREATE TABLE bad (id {{ID}}, x {{NOPE}});", 0},
        {0, 0, 0}};
    int applied = -1, v = -1;
    assert_int_equal(zg_db_migrate_files(t->db, files, &applied, &err), ZG_ERR_INTERNAL);
    assert_non_null(strstr(err.detail, "NOPE"));
    assert_int_equal(applied, 1);
    CHECK(zg_db_schema_version(t->db, &v, &err));
    assert_int_equal(v, 1);
    assert_int_equal(qint(t, "SELECT COUNT(*) FROM ok1", NULL, 0), 0);
    int64_t n;
    assert_int_not_equal(zg_db_query_int(t->c, "SELECT COUNT(*) FROM bad", NULL, 0, &n, &err),
                         ZG_OK);
    /* an unterminated token too */
    struct zg_embedded_file open_tok[] = {{"0003_x.sql", "CREATE TABLE y (id {{ID);", 0},
                                          {0, 0, 0}};
    assert_int_equal(zg_db_migrate_files(t->db, open_tok, &applied, &err), ZG_ERR_INTERNAL);
    /* the token table itself */
    assert_string_equal(zg_db_ddl(ZG_DB_SQLITE, "{{ID}}"), "INTEGER PRIMARY KEY AUTOINCREMENT");
    assert_string_equal(zg_db_ddl(ZG_DB_POSTGRES, "ID"),
                        "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY");
    assert_string_equal(zg_db_ddl(ZG_DB_POSTGRES, "BLOB"), "BYTEA");
    assert_string_equal(zg_db_ddl(ZG_DB_SQLITE, "BOOL"), "INTEGER");
    assert_string_equal(zg_db_ddl(ZG_DB_POSTGRES, "{{BOOL}}"), "SMALLINT");
    assert_null(zg_db_ddl(ZG_DB_SQLITE, "NOPE"));
    assert_null(zg_db_ddl(ZG_DB_SQLITE, "I"));
    assert_null(zg_db_ddl(ZG_DB_SQLITE, NULL));
}

static void test_migration_failure_rolls_back(void **state)
{
    ctx_t *t = start(state);
    zg_error_t err;
    struct zg_embedded_file files[] = {
        {"0001_half.sql",
         "CREATE TABLE half (id {{ID}});\nINSERT INTO half DEFAULT VALUES;\n"
         "CREATE TABLE broken (;\n",
         0},
        {0, 0, 0}};
    int applied = -1, v = -1;
    assert_int_equal(zg_db_migrate_files(t->db, files, &applied, &err), ZG_ERR_DB);
    assert_int_equal(applied, 0);
    CHECK(zg_db_schema_version(t->db, &v, &err));
    assert_int_equal(v, 0);
    int64_t n;
    /* DDL is transactional on both: the first table is gone too */
    assert_int_not_equal(zg_db_query_int(t->c, "SELECT COUNT(*) FROM half", NULL, 0, &n, &err),
                         ZG_OK);
    assert_false(t->c->in_tx);
}

static void test_db_newer_than_binary(void **state)
{
    ctx_t *t = start(state);
    migrate(t);
    zg_error_t err;
    CHECK(zg_db_exec(t->c,
                     "INSERT INTO schema_migration (version, name, applied_at) "
                     "VALUES (9999, 'future', '2099-01-01 00:00:00')",
                     NULL, 0, NULL, &err));
    int applied = -1, v = 0;
    assert_int_equal(zg_db_migrate(t->db, &applied, &err), ZG_ERR_CONFLICT);
    assert_string_equal(err.message, "数据库版本比程序新，请升级程序");
    assert_int_equal(applied, 0);
    CHECK(zg_db_schema_version(t->db, &v, &err));
    assert_int_equal(v, 9999);
}

/* ---- PostgreSQL connection loss --------------------------------------------------------- */

/* Terminates the server process of t->c from a second handle and waits until it is gone. */
static void kill_backend(ctx_t *t)
{
    zg_error_t err;
    zg_db_t *admin;
    CHECK(zg_db_open(t->url, &admin, &err));
    zg_conn_t *ac = zg_db_conn(admin, &err);
    /* pg_backend_pid() of t->c, read from the server's view (t->c may be in a transaction) */
    int64_t pid = 0;
    CHECK(zg_db_query_int(ac,
                          "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                          "AND pid <> pg_backend_pid() AND backend_type = 'client backend'",
                          NULL, 0, &pid, &err));
    zg_param_t p[] = {ZG_P_INT(pid)};
    int64_t ok = 0;
    CHECK(zg_db_query_int(ac,
                          "SELECT CASE WHEN pg_terminate_backend($1::int, 5000) THEN 1 ELSE 0 END",
                          p, 1, &ok, &err));
    assert_int_equal(ok, 1);
    /* the timeout makes it wait until the process has exited (its socket is closed); make
     * sure it is gone from the server's view too */
    for (int i = 0; i < 100; i++) {
        int64_t n = 0;
        CHECK(zg_db_query_int(ac, "SELECT COUNT(*) FROM pg_stat_activity WHERE pid = $1::int", p, 1,
                              &n, &err));
        if (n == 0)
            break;
        usleep(20000);
    }
    zg_db_close(admin);
}

static void test_reconnect_after_server_closed(void **state)
{
    ctx_t *t = start(state);
    if (t->kind != ZG_DB_POSTGRES)
        skip(); /* SQLite has no server connection to lose */
    zg_error_t err;
    int64_t pid = qint(t, "SELECT pg_backend_pid()", NULL, 0);
    kill_backend(t);
    /* the idle connection is found dead before the statement is sent, and reset */
    int64_t pid2 = qint(t, "SELECT pg_backend_pid()", NULL, 0);
    assert_true(pid2 != pid);
    assert_int_equal(qint(t, "SELECT 40 + 2", NULL, 0), 42);
    /* lost inside a transaction: the transaction is gone, the caller hears ZG_ERR_BUSY */
    ddl(t, "CREATE TABLE lost (id {{BIGINT}} PRIMARY KEY)");
    CHECK(zg_db_begin(t->c, ZG_TX_WRITE, &err));
    CHECK(zg_db_exec(t->c, "INSERT INTO lost (id) VALUES (1)", NULL, 0, NULL, &err));
    kill_backend(t);
    assert_int_equal(zg_db_exec(t->c, "INSERT INTO lost (id) VALUES (2)", NULL, 0, NULL, &err),
                     ZG_ERR_BUSY);
    assert_false(t->c->in_tx);
    zg_db_rollback(t->c);
    assert_int_equal(qint(t, "SELECT COUNT(*) FROM lost", NULL, 0), 0);
}

static void test_display_url_masks_password(void **state)
{
    ctx_t *t = start(state);
    (void)t;
    struct {
        const char *in, *out;
    } cases[] = {
        {"postgresql://u:s3cret@db.example:5432/zg?sslmode=require",
         "postgresql://u:***@db.example:5432/zg?sslmode=require"},
        {"postgres://u@h/zg?password=s3cret&sslmode=require",
         "postgres://u@h/zg?password=***&sslmode=require"},
        {"postgres://u:p%40ss@h/zg", "postgres://u:***@h/zg"},
        {"postgresql://zugong@/postgres?host=/tmp/x&port=5",
         "postgresql://zugong@/postgres?host=/tmp/x&port=5"},
        {"/var/lib/zugong/zg.db", "/var/lib/zugong/zg.db"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *m = zg_db_mask_url(cases[i].in);
        assert_string_equal(m, cases[i].out);
        free(m);
    }
    /* a failed open does not put the password in the error */
    zg_error_t err;
    zg_db_t *db = NULL;
    int rc = zg_db_open("postgresql://u:s3cret@/x?host=/nonexistent-zg&port=1", &db, &err);
    assert_int_not_equal(rc, ZG_OK);
    assert_null(strstr(err.detail, "s3cret"));
}

/* ---- main ------------------------------------------------------------------------------- */

#define BOTH(f)                                                                                    \
    {"sqlite/" #f, f, setup, teardown, &proto_sqlite},                                             \
    {                                                                                              \
        "postgres/" #f, f, setup, teardown, &proto_pg                                              \
    }

int main(void)
{
    if (!getenv("ZG_TEST_PG_URL") || !*getenv("ZG_TEST_PG_URL"))
        fprintf(stderr, "test_db: ZG_TEST_PG_URL is not set: the postgres/* tests are skipped "
                        "(run `scripts/pg-test.sh start DIR` and export the URL it prints)\n");
    const struct CMUnitTest tests[] = {
        BOTH(test_open),
        BOTH(test_open_fails_cleanly),
        BOTH(test_display_url_masks_password),
        BOTH(test_migrate),
        BOTH(test_dict_seed),
        BOTH(test_foundation_tables),
        BOTH(test_params_every_type),
        BOTH(test_param_mismatch),
        BOTH(test_utf8),
        BOTH(test_blob_zero_bytes),
        BOTH(test_int64_extremes),
        BOTH(test_injection_text_verbatim),
        BOTH(test_unique_and_fk_conflict),
        BOTH(test_rollback_discards),
        BOTH(test_settle),
        BOTH(test_commit_persists),
        BOTH(test_transaction_rules),
        BOTH(test_stmt_cache),
        BOTH(test_cursor_1000_rows),
        BOTH(test_threads_concurrent_writes),
        BOTH(test_concurrent_migrate),
        BOTH(test_migration_incremental),
        BOTH(test_migration_unknown_token),
        BOTH(test_migration_failure_rolls_back),
        BOTH(test_db_newer_than_binary),
        BOTH(test_reconnect_after_server_closed),
    };
    int failed = cmocka_run_group_tests_name("db", tests, NULL, NULL);
    zg_testdb_cleanup();
    return failed;
}
