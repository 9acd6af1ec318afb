/* test_audit.c — the audit log (src/modules/audit) on both backends: the SM3 chain and its
 * encoding, tamper detection (every field changed, entries deleted in the middle, at the
 * start and at the end, renumbered entries, a missing head), 1000 entries across verification
 * batches, concurrent appenders, secret values hidden, field bounds, atomicity with the
 * caller's transaction, retention (the 180-day floor and checkpoints), listing filters and the
 * operator commands. Every test runs on a fresh SQLite file and on a fresh PostgreSQL database
 * (skipped without ZG_TEST_PG_URL). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <inttypes.h>
#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/crypto.h"
#include "core/utf8.h"
#include "db/db.h"
#include "modules/audit/audit.h"
#include "testdb.h"

typedef struct ctx {
    const char *backend;
    bool skip;
    char url[512];
    zg_db_t *db;
    zg_conn_t *c;
} ctx_t;

static ctx_t proto_sqlite = {.backend = "sqlite"};
static ctx_t proto_pg = {.backend = "postgres"};

#define CHECK(call)                                                                                \
    do {                                                                                           \
        zg_error_t err_;                                                                           \
        zg_error_clear(&err_);                                                                     \
        int rc_ = (call);                                                                          \
        if (rc_ != 0) {                                                                            \
            print_error("%s:%d: %s -> %d (%s)\n", __FILE__, __LINE__, #call, rc_,                  \
                        zg_status_name(rc_));                                                      \
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
    if (zg_db_open(t->url, &t->db, &err) != ZG_OK || zg_db_migrate(t->db, NULL, &err) != ZG_OK) {
        print_error("open/migrate %s: %s\n", t->url, err.detail);
        return -1;
    }
    t->c = zg_db_conn(t->db, &err);
    return t->c ? 0 : -1;
}

static int teardown(void **state)
{
    ctx_t *t = *state;
    zg_audit_set_clock(NULL);
    if (t) {
        zg_db_close(t->db);
        free(t);
    }
    return 0;
}

static ctx_t *start(void **state)
{
    ctx_t *t = *state;
    if (t->skip)
        skip();
    return t;
}

/* ---- helpers ---------------------------------------------------------------------------- */

static int64_t qint(ctx_t *t, const char *sql)
{
    zg_error_t err;
    int64_t v = -12345;
    if (zg_db_query_int(t->c, sql, NULL, 0, &v, &err)) {
        print_error("%s: %s\n", sql, err.detail);
        fail();
    }
    return v;
}

static void exec(ctx_t *t, const char *sql, const zg_param_t *p, int n)
{
    zg_error_t err;
    if (zg_db_exec(t->c, sql, p, n, NULL, &err)) {
        print_error("%s: %s\n", sql, err.detail);
        fail();
    }
}

/* Text of column `col` of entry `id` (NULL when SQL NULL); malloc'd. */
static char *entry_text(ctx_t *t, int64_t id, const char *col)
{
    char sql[128];
    snprintf(sql, sizeof sql, "SELECT %s FROM audit_log WHERE id = $1", col);
    zg_param_t p[] = {ZG_P_INT(id)};
    zg_rows_t *r;
    zg_error_t err;
    if (zg_db_query(t->c, sql, p, 1, &r, &err)) {
        print_error("%s: %s\n", sql, err.detail);
        fail();
    }
    assert_int_equal(zg_rows_next(r, &err), 1);
    char *s = zg_rows_isnull(r, 0) ? NULL : strdup(zg_rows_text(r, 0));
    zg_rows_close(r);
    return s;
}

/* The i-th sample event: every field set, varied. */
static void sample_event(int i, zg_audit_event_t *e, char *detail, size_t cap, char *user,
                         size_t ucap, char *ip, size_t ipcap)
{
    snprintf(user, ucap, "user%d", i);
    snprintf(ip, ipcap, "10.0.%d.%d", i / 250, i % 250 + 1);
    snprintf(detail, cap, "{\"name\":{\"from\":\"支部%d\",\"to\":\"总支%d\"},\"n\":%d}", i, i, i);
    *e = (zg_audit_event_t){
        .account_id = 100 + i,
        .username = user,
        .ip = ip,
        .action = i % 3 == 0   ? "org.create"
                  : i % 3 == 1 ? "org.update"
                               : "member.view",
        .object_type = i % 3 == 2 ? "member" : "org",
        .object_id = 1000 + i,
        .outcome = i % 5 == 4 ? "denied" : "ok",
        .detail = detail,
    };
}

/* Appends n sample events, numbered from `from`, in write transactions of up to 50. */
static void append_n(ctx_t *t, int from, int n)
{
    zg_error_t err;
    for (int i = 0; i < n;) {
        CHECK(zg_db_begin(t->c, ZG_TX_WRITE, &err));
        for (int k = 0; k < 50 && i < n; k++, i++) {
            zg_audit_event_t e;
            char d[160], u[32], ip[32];
            sample_event(from + i, &e, d, sizeof d, u, sizeof u, ip, sizeof ip);
            int rc = zg_audit_append(t->c, &e, &err);
            if (rc)
                print_error("append: %s\n", err.detail);
            assert_int_equal(rc, 0);
        }
        CHECK(zg_db_commit(t->c, &err));
    }
}

static void log_one(ctx_t *t, const zg_audit_event_t *e)
{
    zg_error_t err;
    int rc = zg_audit_log(t->c, e, &err);
    if (rc)
        print_error("zg_audit_log: %s / %s\n", err.message, err.detail);
    assert_int_equal(rc, 0);
}

static void verify_ok(ctx_t *t, int64_t checked)
{
    zg_audit_verify_result_t res;
    zg_error_t err;
    CHECK(zg_audit_verify(t->c, &res, &err));
    if (!res.ok)
        print_error("verify: seq %" PRId64 " id %" PRId64 ": %s\n", res.first_bad_seq,
                    res.first_bad_id, res.reason);
    assert_true(res.ok);
    assert_int_equal(res.checked, checked);
    assert_int_equal(res.first_bad_id, 0);
}

/* Verification must fail at entry (id, seq) with a reason containing `why`. */
static void verify_bad(ctx_t *t, int64_t id, int64_t seq, const char *why)
{
    zg_audit_verify_result_t res;
    zg_error_t err;
    CHECK(zg_audit_verify(t->c, &res, &err));
    if (res.ok || res.first_bad_id != id || res.first_bad_seq != seq || !strstr(res.reason, why))
        print_error("verify: want id %" PRId64 " seq %" PRId64 " \"%s\"; got ok=%d id %" PRId64
                    " seq %" PRId64 " \"%s\"\n",
                    id, seq, why, res.ok, res.first_bad_id, res.first_bad_seq, res.reason);
    assert_false(res.ok);
    assert_int_equal(res.first_bad_id, id);
    assert_int_equal(res.first_bad_seq, seq);
    assert_non_null(strstr(res.reason, why));
    assert_true(zg_utf8_valid(res.reason, strlen(res.reason)));
}

/* ---- the chain -------------------------------------------------------------------------- */

static void test_empty_log_verifies(void **state)
{
    ctx_t *t = start(state);
    verify_ok(t, 0);
    assert_int_equal(qint(t, "SELECT seq FROM audit_head WHERE id = 1"), 0);
}

static void test_chain_links(void **state)
{
    ctx_t *t = start(state);
    append_n(t, 0, 10);
    verify_ok(t, 10);
    assert_int_equal(qint(t, "SELECT COUNT(*) FROM audit_log"), 10);
    assert_int_equal(qint(t, "SELECT COUNT(*) FROM audit_log WHERE id <> seq"), 0);
    assert_int_equal(qint(t, "SELECT MIN(seq) FROM audit_log"), 1);
    assert_int_equal(qint(t, "SELECT MAX(seq) FROM audit_log"), 10);
    char *genesis = entry_text(t, 1, "prev_hash");
    assert_string_equal(genesis,
                        "0000000000000000000000000000000000000000000000000000000000000000");
    free(genesis);
    for (int64_t i = 2; i <= 10; i++) {
        char *prev = entry_text(t, i, "prev_hash"), *hash = entry_text(t, i - 1, "hash");
        assert_string_equal(prev, hash);
        assert_int_equal(strlen(hash), 64);
        free(prev);
        free(hash);
    }
    char *last = entry_text(t, 10, "hash");
    zg_rows_t *r;
    zg_error_t err;
    CHECK(zg_db_query(t->c, "SELECT seq, hash FROM audit_head WHERE id = 1", NULL, 0, &r, &err));
    assert_int_equal(zg_rows_next(r, &err), 1);
    assert_int_equal(zg_rows_int(r, 0), 10);
    assert_string_equal(zg_rows_text(r, 1), last);
    zg_rows_close(r);
    free(last);
}

/* The documented encoding, re-implemented independently: the stored hash must be it. */
static void enc_be(uint8_t **p, uint64_t v, int n)
{
    for (int i = 0; i < n; i++)
        *(*p)++ = (uint8_t)(v >> (8 * (n - 1 - i)));
}

static void enc_text(uint8_t **p, const char *s)
{
    size_t n = strlen(s);
    enc_be(p, n, 4);
    memcpy(*p, s, n);
    *p += n;
}

static void enc_opt(uint8_t **p, const char *s)
{
    *(*p)++ = s ? 1 : 0;
    if (s)
        enc_text(p, s);
}

static void test_hash_encoding_known(void **state)
{
    ctx_t *t = start(state);
    zg_audit_event_t e = {.account_id = 7,
                          .username = "李四",
                          .ip = NULL,
                          .action = "auth.login",
                          .object_type = "account",
                          .object_id = 7,
                          .outcome = "ok",
                          .detail = "{\"a\": 1}"};
    log_one(t, &e);
    char *at = entry_text(t, 1, "at"), *detail = entry_text(t, 1, "detail");
    char *hash = entry_text(t, 1, "hash"), *ip = entry_text(t, 1, "ip");
    assert_null(ip);
    assert_string_equal(detail, "{\"a\":1}"); /* stored compact */
    uint8_t buf[1024], *p = buf;
    enc_text(&p, "zugong.audit.v1");
    enc_be(&p, 1, 8);
    enc_text(&p, at);
    enc_be(&p, 7, 8);
    enc_opt(&p, "李四");
    enc_opt(&p, NULL);
    enc_text(&p, "auth.login");
    enc_opt(&p, "account");
    enc_be(&p, 7, 8);
    enc_text(&p, "ok");
    enc_opt(&p, detail);
    enc_text(&p, "0000000000000000000000000000000000000000000000000000000000000000");
    uint8_t d[ZG_SM3_LEN];
    char hex[65];
    assert_int_equal(zg_sm3(buf, (size_t)(p - buf), d), 0);
    assert_int_equal(zg_hex_encode(d, sizeof d, hex, sizeof hex), 0);
    assert_string_equal(hash, hex);
    assert_int_equal(strlen(at), 19); /* 'YYYY-MM-DD HH:MM:SS' */
    assert_true(at[4] == '-' && at[7] == '-' && at[10] == ' ' && at[13] == ':');
    free(at);
    free(detail);
    free(hash);
}

/* NULL and "" must not hash alike; "" is stored as NULL, so both verify. */
static void test_empty_strings_stored_as_null(void **state)
{
    ctx_t *t = start(state);
    zg_audit_event_t e = {
        .username = "", .ip = "", .action = "system.start", .object_type = "", .outcome = "ok"};
    log_one(t, &e);
    assert_int_equal(
        qint(t, "SELECT COUNT(*) FROM audit_log WHERE username IS NULL AND ip IS NULL AND "
                "object_type IS NULL AND detail IS NULL"),
        1);
    verify_ok(t, 1);
    /* setting a NULL field to '' is a change */
    exec(t, "UPDATE audit_log SET username = '' WHERE id = 1", NULL, 0);
    verify_bad(t, 1, 1, "哈希值不符");
}

/* ---- tampering -------------------------------------------------------------------------- */

/* Changes one byte of a text: the last ASCII letter or digit, toggled in its lowest bit. */
static void flip_byte(char *s)
{
    for (size_t i = strlen(s); i-- > 0;) {
        char ch = s[i];
        if ((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z')) {
            s[i] = (char)(ch ^ 1);
            return;
        }
    }
    fail_msg("no byte to flip in \"%s\"", s);
}

static void tamper_text(ctx_t *t, int64_t id, const char *col, int64_t want_id, const char *why)
{
    char *orig = entry_text(t, id, col);
    assert_non_null(orig);
    char *changed = strdup(orig);
    flip_byte(changed);
    char sql[128];
    snprintf(sql, sizeof sql, "UPDATE audit_log SET %s = $1 WHERE id = $2", col);
    zg_param_t p[] = {ZG_P_TEXT(changed), ZG_P_INT(id)};
    exec(t, sql, p, 2);
    verify_bad(t, want_id, id, why);
    zg_param_t q[] = {ZG_P_TEXT(orig), ZG_P_INT(id)};
    exec(t, sql, q, 2);
    free(orig);
    free(changed);
}

static void test_tamper_every_field(void **state)
{
    ctx_t *t = start(state);
    append_n(t, 0, 7);
    verify_ok(t, 7);
    static const char *const texts[] = {"at", "username", "ip", "action", "object_type", "detail"};
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        tamper_text(t, 4, texts[i], 4, "哈希值不符");
        verify_ok(t, 7);
    }
    /* this entry's own hash */
    tamper_text(t, 4, "hash", 4, "哈希值不符");
    verify_ok(t, 7);
    /* prev_hash is hashed too */
    tamper_text(t, 4, "prev_hash", 4, "哈希值不符");
    verify_ok(t, 7);
    static const char *const ints[] = {"account_id", "object_id"};
    for (size_t i = 0; i < 2; i++) {
        char sql[128];
        snprintf(sql, sizeof sql, "UPDATE audit_log SET %s = %s + 1 WHERE id = 4", ints[i],
                 ints[i]);
        exec(t, sql, NULL, 0);
        verify_bad(t, 4, 4, "哈希值不符");
        snprintf(sql, sizeof sql, "UPDATE audit_log SET %s = %s - 1 WHERE id = 4", ints[i],
                 ints[i]);
        exec(t, sql, NULL, 0);
        verify_ok(t, 7);
    }
    char *outcome = entry_text(t, 4, "outcome");
    exec(t, "UPDATE audit_log SET outcome = 'failed' WHERE id = 4", NULL, 0);
    verify_bad(t, 4, 4, "哈希值不符");
    zg_param_t po[] = {ZG_P_TEXT(outcome)};
    exec(t, "UPDATE audit_log SET outcome = $1 WHERE id = 4", po, 1);
    free(outcome);
    verify_ok(t, 7);
    /* NULL where there was a value */
    char *user = entry_text(t, 4, "username");
    exec(t, "UPDATE audit_log SET username = NULL WHERE id = 4", NULL, 0);
    verify_bad(t, 4, 4, "哈希值不符");
    zg_param_t pu[] = {ZG_P_TEXT(user)};
    exec(t, "UPDATE audit_log SET username = $1 WHERE id = 4", pu, 1);
    free(user);
    verify_ok(t, 7);
    /* renumbering: seq moved far away → still this entry */
    exec(t, "UPDATE audit_log SET seq = 1004 WHERE id = 4", NULL, 0);
    verify_bad(t, 4, 4, "序号被修改");
    exec(t, "UPDATE audit_log SET seq = 4 WHERE id = 4", NULL, 0);
    exec(t, "UPDATE audit_log SET seq = -4 WHERE id = 4", NULL, 0);
    verify_bad(t, 4, 4, "序号被修改");
    exec(t, "UPDATE audit_log SET seq = 4 WHERE id = 4", NULL, 0);
    verify_ok(t, 7);
    /* the id (not hashed, but always equal to seq) */
    exec(t, "UPDATE audit_log SET id = 1004 WHERE id = 4", NULL, 0);
    verify_bad(t, 1004, 4, "记录编号被修改");
    exec(t, "UPDATE audit_log SET id = 4 WHERE id = 1004", NULL, 0);
    verify_ok(t, 7);
}

/* Recomputes and stores the hash of entry `id` from its (possibly changed) fields, with the
 * documented encoding: what an attacker without any key can do. */
static void rehash(ctx_t *t, int64_t id)
{
    zg_param_t p[] = {ZG_P_INT(id)};
    zg_rows_t *r;
    zg_error_t err;
    CHECK(zg_db_query(t->c,
                      "SELECT seq, at, account_id, username, ip, action, object_type, object_id, "
                      "outcome, detail, prev_hash FROM audit_log WHERE id = $1",
                      p, 1, &r, &err));
    assert_int_equal(zg_rows_next(r, &err), 1);
#define OPT(col) (zg_rows_isnull(r, (col)) ? NULL : zg_rows_text(r, (col)))
    uint8_t buf[8192], *q = buf;
    enc_text(&q, "zugong.audit.v1");
    enc_be(&q, (uint64_t)zg_rows_int(r, 0), 8);
    enc_text(&q, zg_rows_text(r, 1));
    enc_be(&q, (uint64_t)zg_rows_int(r, 2), 8);
    enc_opt(&q, OPT(3));
    enc_opt(&q, OPT(4));
    enc_text(&q, zg_rows_text(r, 5));
    enc_opt(&q, OPT(6));
    enc_be(&q, (uint64_t)zg_rows_int(r, 7), 8);
    enc_text(&q, zg_rows_text(r, 8));
    enc_opt(&q, OPT(9));
    enc_text(&q, zg_rows_text(r, 10));
#undef OPT
    zg_rows_close(r);
    uint8_t d[ZG_SM3_LEN];
    char hex[65];
    assert_int_equal(zg_sm3(buf, (size_t)(q - buf), d), 0);
    assert_int_equal(zg_hex_encode(d, sizeof d, hex, sizeof hex), 0);
    zg_param_t u[] = {ZG_P_TEXT(hex), ZG_P_INT(id)};
    exec(t, "UPDATE audit_log SET hash = $1 WHERE id = $2", u, 2);
}

/* An entry rewritten with a correctly recomputed hash still breaks the link to the next entry
 * (which is then the one named: without a key, the chain cannot tell which of the two was
 * rewritten), and a rewritten newest entry no longer matches the head. */
static void test_rehashed_entry_breaks_link(void **state)
{
    ctx_t *t = start(state);
    append_n(t, 0, 5);
    exec(t, "UPDATE audit_log SET outcome = 'failed' WHERE id = 3", NULL, 0);
    verify_bad(t, 3, 3, "哈希值不符");
    rehash(t, 3);
    verify_bad(t, 4, 4, "哈希链接不符");
    exec(t, "UPDATE audit_log SET object_id = 1 WHERE id = 5", NULL, 0);
    exec(t, "UPDATE audit_log SET outcome = 'ok' WHERE id = 3", NULL, 0);
    rehash(t, 3); /* 3 restored exactly: its old hash again */
    verify_bad(t, 5, 5, "哈希值不符");
    rehash(t, 5);
    verify_bad(t, 5, 5, "链头");
}

static void test_delete_middle(void **state)
{
    ctx_t *t = start(state);
    append_n(t, 0, 10);
    exec(t, "DELETE FROM audit_log WHERE seq = 5", NULL, 0);
    verify_bad(t, 6, 6, "序号不连续");
    verify_bad(t, 6, 6, "第 5 条");
    exec(t, "DELETE FROM audit_log WHERE seq = 6", NULL, 0);
    verify_bad(t, 7, 7, "第 5 至 6 条");
}

static void test_delete_first(void **state)
{
    ctx_t *t = start(state);
    append_n(t, 0, 4);
    exec(t, "DELETE FROM audit_log WHERE seq = 1", NULL, 0);
    verify_bad(t, 2, 2, "序号不连续");
}

static void test_delete_last_detected_by_head(void **state)
{
    ctx_t *t = start(state);
    append_n(t, 0, 10);
    exec(t, "DELETE FROM audit_log WHERE seq = 10", NULL, 0);
    verify_bad(t, 10, 10, "末尾记录缺失");
    /* an append after the deletion does not hide it: it continues from the head */
    append_n(t, 10, 1);
    assert_int_equal(qint(t, "SELECT MAX(seq) FROM audit_log"), 11);
    verify_bad(t, 11, 11, "序号不连续");
    exec(t, "DELETE FROM audit_log WHERE seq >= 8", NULL, 0);
    verify_bad(t, 8, 8, "第 8 至 11 条");
    /* every entry gone, the head remains */
    exec(t, "DELETE FROM audit_log", NULL, 0);
    verify_bad(t, 1, 1, "末尾记录缺失");
}

static void test_head_tampering(void **state)
{
    ctx_t *t = start(state);
    append_n(t, 0, 3);
    /* head hash changed */
    char *h = entry_text(t, 3, "hash");
    char *x = strdup(h);
    flip_byte(x);
    zg_param_t p[] = {ZG_P_TEXT(x)};
    exec(t, "UPDATE audit_head SET hash = $1 WHERE id = 1", p, 1);
    verify_bad(t, 3, 3, "链头");
    zg_param_t q[] = {ZG_P_TEXT(h)};
    exec(t, "UPDATE audit_head SET hash = $1 WHERE id = 1", q, 1);
    verify_ok(t, 3);
    /* head moved back: entries after it were not appended the normal way */
    exec(t, "UPDATE audit_head SET seq = 2 WHERE id = 1", NULL, 0);
    verify_bad(t, 3, 3, "链头");
    exec(t, "UPDATE audit_head SET seq = 3 WHERE id = 1", NULL, 0);
    verify_ok(t, 3);
    /* head deleted: reported, and appends refuse to continue a chain of unknown end */
    exec(t, "DELETE FROM audit_head", NULL, 0);
    verify_bad(t, 0, 0, "链头记录");
    zg_audit_event_t e = {.action = "org.create", .outcome = "ok"};
    zg_error_t err;
    assert_int_equal(zg_audit_log(t->c, &e, &err), ZG_ERR_INTERNAL);
    assert_int_equal(qint(t, "SELECT COUNT(*) FROM audit_log"), 3);
    free(h);
    free(x);
}

/* 1000 entries cross the verification batches (500): untouched they verify, and a change in
 * the second batch is found at its entry. */
static void test_thousand_entries(void **state)
{
    ctx_t *t = start(state);
    append_n(t, 0, 1000);
    verify_ok(t, 1000);
    tamper_text(t, 777, "detail", 777, "哈希值不符");
    exec(t, "DELETE FROM audit_log WHERE seq = 501", NULL, 0);
    verify_bad(t, 502, 502, "序号不连续");
}

/* ---- atomicity and concurrency ---------------------------------------------------------- */

static void test_rolls_back_with_caller(void **state)
{
    ctx_t *t = start(state);
    append_n(t, 0, 2);
    zg_error_t err;
    CHECK(zg_db_begin(t->c, ZG_TX_WRITE, &err));
    zg_audit_event_t e = {.action = "org.create", .outcome = "ok"};
    CHECK(zg_audit_append(t->c, &e, &err));
    CHECK(zg_audit_append(t->c, &e, &err));
    zg_db_rollback(t->c);
    assert_int_equal(qint(t, "SELECT COUNT(*) FROM audit_log"), 2);
    assert_int_equal(qint(t, "SELECT seq FROM audit_head WHERE id = 1"), 2);
    log_one(t, &e);
    assert_int_equal(qint(t, "SELECT MAX(seq) FROM audit_log"), 3);
    verify_ok(t, 3);
    /* zg_audit_log inside an open transaction is refused (no nesting) */
    CHECK(zg_db_begin(t->c, ZG_TX_WRITE, &err));
    assert_int_not_equal(zg_audit_log(t->c, &e, &err), 0);
    zg_db_rollback(t->c);
}

typedef struct appender {
    zg_db_t *db;
    int id, txs, failures;
    char why[320];
} appender_t;

static void *appender_main(void *arg)
{
    appender_t *a = arg;
    zg_error_t err;
    zg_conn_t *c = zg_db_conn(a->db, &err);
    if (!c) {
        a->failures++;
        snprintf(a->why, sizeof a->why, "conn: %s", err.detail);
        return NULL;
    }
    for (int i = 0; i < a->txs; i++) {
        int rc = zg_db_begin(c, ZG_TX_WRITE, &err);
        char d[64];
        snprintf(d, sizeof d, "{\"thread\":%d,\"i\":%d}", a->id, i);
        zg_audit_event_t e = {.account_id = a->id + 1,
                              .action = "org.update",
                              .object_type = "org",
                              .object_id = i + 1,
                              .outcome = "ok",
                              .detail = d};
        if (!rc)
            rc = zg_audit_append(c, &e, &err);
        if (!rc)
            rc = zg_audit_append(c, &e, &err); /* two entries per transaction */
        if (!rc)
            rc = zg_db_commit(c, &err);
        if (rc) {
            zg_db_rollback(c);
            a->failures++;
            snprintf(a->why, sizeof a->why, "%s", err.detail);
        }
    }
    return NULL;
}

static void test_concurrent_appenders(void **state)
{
    ctx_t *t = start(state);
    enum { NT = 4, TXS = 60 };
    appender_t a[NT];
    pthread_t th[NT];
    for (int i = 0; i < NT; i++) {
        a[i] = (appender_t){.db = t->db, .id = i, .txs = TXS};
        assert_int_equal(pthread_create(&th[i], NULL, appender_main, &a[i]), 0);
    }
    for (int i = 0; i < NT; i++)
        pthread_join(th[i], NULL);
    for (int i = 0; i < NT; i++) {
        if (a[i].failures)
            print_error("appender %d: %d failures, last: %s\n", i, a[i].failures, a[i].why);
        assert_int_equal(a[i].failures, 0);
    }
    int64_t n = NT * TXS * 2;
    assert_int_equal(qint(t, "SELECT COUNT(*) FROM audit_log"), n);
    assert_int_equal(qint(t, "SELECT MAX(seq) FROM audit_log"), n);
    assert_int_equal(qint(t, "SELECT COUNT(DISTINCT seq) FROM audit_log"), n);
    for (int i = 0; i < NT; i++) {
        char sql[96];
        snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM audit_log WHERE account_id = %d", i + 1);
        assert_int_equal(qint(t, sql), TXS * 2);
    }
    /* the two entries of one transaction are adjacent: nobody got in between */
    assert_int_equal(qint(t,
                          "SELECT COUNT(*) FROM audit_log a JOIN audit_log b ON b.seq = a.seq + 1 "
                          "WHERE a.seq % 2 = 1 AND (a.account_id <> b.account_id OR "
                          "a.object_id <> b.object_id)"),
                     0);
    verify_ok(t, n);
}

/* ---- content rules ---------------------------------------------------------------------- */

static void test_secrets_hidden(void **state)
{
    ctx_t *t = start(state);
    zg_audit_event_t e = {
        .action = "account.update",
        .object_type = "account",
        .object_id = 5,
        .outcome = "ok",
        .detail = "{\"password\":\"Secr3t!pw\",\"name\":{\"from\":\"甲\",\"to\":\"乙\"},"
                  "\"token\":\"tok-abcdef\",\"nested\":{\"Phone\":\"13800138000\","
                  "\"csrf_token\":\"csrf-xyz\"},\"list\":[{\"id_number\":\"11010519491231002X\"},"
                  "{\"password_hash\":\"$argon2id$v=19$hashhash\"}],\"new_password\":\"N3w!pass\","
                  "\"api_secret\":\"s3cr3tkey\",\"phone\":{\"from\":\"13900000000\",\"to\":"
                  "\"13911111111\"}}"};
    log_one(t, &e);
    char *d = entry_text(t, 1, "detail");
    static const char *const leaked[] = {
        "Secr3t",   "tok-abcdef", "13800138000", "csrf-xyz",    "11010519491231002X",
        "argon2id", "N3w!pass",   "s3cr3tkey",   "13900000000", "13911111111"};
    for (size_t i = 0; i < sizeof leaked / sizeof leaked[0]; i++)
        if (strstr(d, leaked[i]))
            fail_msg("secret %s stored in %s", leaked[i], d);
    json_t *j = json_loads(d, 0, NULL);
    assert_non_null(j);
    assert_string_equal(json_string_value(json_object_get(j, "password")), ZG_AUDIT_REDACTED);
    assert_string_equal(json_string_value(json_object_get(j, "token")), ZG_AUDIT_REDACTED);
    assert_string_equal(json_string_value(json_object_get(j, "phone")), ZG_AUDIT_REDACTED);
    json_t *nested = json_object_get(j, "nested");
    assert_string_equal(json_string_value(json_object_get(nested, "Phone")), ZG_AUDIT_REDACTED);
    assert_string_equal(json_string_value(json_object_get(nested, "csrf_token")),
                        ZG_AUDIT_REDACTED);
    json_t *l0 = json_array_get(json_object_get(j, "list"), 0);
    assert_string_equal(json_string_value(json_object_get(l0, "id_number")), ZG_AUDIT_REDACTED);
    /* ordinary members are kept as given */
    json_t *name = json_object_get(j, "name");
    assert_string_equal(json_string_value(json_object_get(name, "to")), "乙");
    json_decref(j);
    free(d);
    verify_ok(t, 1);
}

static void expect_refused(ctx_t *t, const zg_audit_event_t *e, int status)
{
    zg_error_t err;
    int64_t before = qint(t, "SELECT COUNT(*) FROM audit_log");
    int rc = zg_audit_log(t->c, e, &err);
    if (rc != status)
        print_error("action=%s outcome=%s: got %d want %d\n", e->action ? e->action : "(null)",
                    e->outcome ? e->outcome : "(null)", rc, status);
    assert_int_equal(rc, status);
    assert_true(strlen(err.message) > 0);
    assert_int_equal(qint(t, "SELECT COUNT(*) FROM audit_log"), before);
}

static void test_event_validation(void **state)
{
    ctx_t *t = start(state);
    char code64[65], code65[66];
    memset(code64, 'a', 64);
    code64[64] = '\0';
    memset(code65, 'a', 65);
    code65[65] = '\0';
    zg_audit_event_t e = {.action = code64, .object_type = code64, .outcome = "failed"};
    log_one(t, &e);
    e.action = code65;
    expect_refused(t, &e, ZG_ERR_INVALID);
    e.action = "org.create";
    e.object_type = code65;
    expect_refused(t, &e, ZG_ERR_INVALID);
    e.object_type = "org";
    static const char *const bad_actions[] = {"", "Org.create", "org create", "组织.新建",
                                              "org;drop"};
    for (size_t i = 0; i < sizeof bad_actions / sizeof bad_actions[0]; i++) {
        e.action = bad_actions[i];
        expect_refused(t, &e, ZG_ERR_INVALID);
    }
    e.action = NULL;
    expect_refused(t, &e, ZG_ERR_INVALID);
    e.action = "org.create";
    static const char *const bad_outcomes[] = {"", "OK", "success", "ok "};
    for (size_t i = 0; i < sizeof bad_outcomes / sizeof bad_outcomes[0]; i++) {
        e.outcome = bad_outcomes[i];
        expect_refused(t, &e, ZG_ERR_INVALID);
    }
    e.outcome = NULL;
    expect_refused(t, &e, ZG_ERR_INVALID);
    e.outcome = "denied";
    static const char *const bad_details[] = {"[1,2]",
                                              "\"text\"",
                                              "42",
                                              "{",
                                              "{\"a\":1,\"a\":2}",
                                              "{\"a\":\"\\u0000\"}",
                                              "{\"a\":\"\xff\"}",
                                              ""};
    for (size_t i = 0; i < sizeof bad_details / sizeof bad_details[0]; i++) {
        e.detail = bad_details[i];
        expect_refused(t, &e, ZG_ERR_INVALID);
    }
    /* input beyond 64 KiB is refused outright */
    size_t big = ZG_AUDIT_DETAIL_INPUT_MAX + 1;
    char *s = malloc(big + 1);
    memset(s, ' ', big);
    s[0] = '{';
    s[big - 1] = '}';
    s[big] = '\0';
    e.detail = s;
    expect_refused(t, &e, ZG_ERR_TOO_LARGE);
    s[big - 1] = ' ';
    s[big - 2] = '}'; /* exactly 64 KiB: accepted (spaces vanish when stored compact) */
    s[big - 1] = '\0';
    log_one(t, &e);
    free(s);
    verify_ok(t, 2);
}

static void test_text_bounds(void **state)
{
    ctx_t *t = start(state);
    /* 42 × "张" = 126 bytes fit in 128; 43 are cut to 42 at a character boundary */
    char u42[200] = "", u43[200] = "", ipl[200];
    for (int i = 0; i < 42; i++)
        strcat(u42, "张");
    snprintf(u43, sizeof u43, "%s张", u42);
    memset(ipl, '1', 100);
    ipl[100] = '\0';
    zg_audit_event_t e = {.username = u42, .ip = ipl, .action = "auth.login", .outcome = "ok"};
    log_one(t, &e);
    e.username = u43;
    log_one(t, &e);
    e.username = "ab\xff\x01"
                 "c\xe5\xbc"; /* invalid byte, control, truncated sequence */
    e.ip = "::1";
    log_one(t, &e);
    char *s1 = entry_text(t, 1, "username"), *s2 = entry_text(t, 2, "username");
    char *s3 = entry_text(t, 3, "username"), *ip1 = entry_text(t, 1, "ip");
    assert_string_equal(s1, u42);
    assert_string_equal(s2, u42);
    assert_string_equal(s3, "ab??c??");
    assert_int_equal(strlen(ip1), ZG_AUDIT_IP_MAX);
    free(s1);
    free(s2);
    free(s3);
    free(ip1);
    verify_ok(t, 3);
}

/* Builds a detail object whose compact text is exactly `len` bytes: {"k":"xxx…"}. */
static char *detail_of_len(size_t len)
{
    char *s = malloc(len + 1);
    size_t fixed = strlen("{\"k\":\"\"}");
    memcpy(s, "{\"k\":\"", 6);
    memset(s + 6, 'x', len - fixed);
    memcpy(s + 6 + len - fixed, "\"}", 3);
    return s;
}

static void test_detail_bounds(void **state)
{
    ctx_t *t = start(state);
    char *d = detail_of_len(ZG_AUDIT_DETAIL_MAX);
    zg_audit_event_t e = {.action = "org.update", .outcome = "ok", .detail = d};
    log_one(t, &e);
    char *s = entry_text(t, 1, "detail");
    assert_string_equal(s, d); /* exactly 4096: kept whole */
    free(s);
    free(d);

    d = detail_of_len(ZG_AUDIT_DETAIL_MAX + 1);
    e.detail = d;
    log_one(t, &e);
    s = entry_text(t, 2, "detail");
    assert_string_equal(s, "{\"_truncated\":true}"); /* its one member does not fit */
    free(s);
    free(d);

    /* many members: those that fit are kept in order, then the mark */
    char big[12000] = "{";
    for (int i = 0; i < 300; i++) {
        char m[48];
        snprintf(m, sizeof m, "%s\"f%03d\":\"值值值值值值值值\"", i ? "," : "", i);
        strcat(big, m);
    }
    strcat(big, "}");
    e.detail = big;
    log_one(t, &e);
    s = entry_text(t, 3, "detail");
    assert_true(strlen(s) <= ZG_AUDIT_DETAIL_MAX);
    assert_true(strlen(s) > ZG_AUDIT_DETAIL_MAX - 64);
    json_t *j = json_loads(s, 0, NULL);
    assert_non_null(j);
    assert_true(json_is_true(json_object_get(j, "_truncated")));
    assert_non_null(json_object_get(j, "f000"));
    assert_null(json_object_get(j, "f299"));
    size_t kept = json_object_size(j) - 1;
    for (size_t i = 0; i < kept; i++) {
        char k[32];
        snprintf(k, sizeof k, "f%03zu", i);
        assert_non_null(json_object_get(j, k));
    }
    json_decref(j);
    free(s);
    verify_ok(t, 3);
}

/* ---- retention -------------------------------------------------------------------------- */

static time_t g_now;
static time_t fake_now(void)
{
    return g_now;
}

#define DAY 86400

static void test_prune_floor_and_checkpoint(void **state)
{
    ctx_t *t = start(state);
    const time_t now = 1767225600; /* 2026-01-01 00:00:00 UTC */
    zg_audit_set_clock(fake_now);
    g_now = now - 200 * DAY;
    append_n(t, 0, 3); /* seq 1..3: old */
    g_now = now - 180 * DAY - 1;
    append_n(t, 3, 1); /* seq 4: one second past the 180 days */
    g_now = now - 180 * DAY;
    append_n(t, 4, 1); /* seq 5: exactly 180 days old: kept */
    g_now = now - 10 * DAY;
    append_n(t, 5, 2); /* seq 6..7 */
    g_now = now;

    zg_audit_prune_result_t res;
    zg_error_t err;
    assert_int_equal(zg_audit_prune(t->c, 179, &res, &err), ZG_ERR_INVALID);
    assert_non_null(strstr(err.message, "180"));
    assert_int_equal(zg_audit_prune(t->c, 0, &res, &err), ZG_ERR_INVALID);
    assert_int_equal(zg_audit_prune(t->c, -1, &res, &err), ZG_ERR_INVALID);
    assert_int_equal(qint(t, "SELECT COUNT(*) FROM audit_log"), 7);

    CHECK(zg_audit_prune(t->c, 180, &res, &err));
    assert_int_equal(res.pruned, 4);
    assert_int_equal(res.first_seq, 5);
    assert_string_equal(res.cutoff, "2025-07-05 00:00:00");
    assert_int_equal(qint(t, "SELECT MIN(seq) FROM audit_log"), 5);
    assert_int_equal(qint(t, "SELECT MAX(seq) FROM audit_log"), 8); /* + the audit.prune entry */
    char *action = entry_text(t, 8, "action");
    assert_string_equal(action, "audit.prune");
    free(action);
    assert_int_equal(qint(t, "SELECT seq FROM audit_checkpoint"), 5);
    verify_ok(t, 4);

    /* nothing more to prune; appends continue; the chain still verifies */
    CHECK(zg_audit_prune(t->c, 180, &res, &err));
    assert_int_equal(res.pruned, 0);
    assert_int_equal(qint(t, "SELECT COUNT(*) FROM audit_checkpoint"), 1);
    append_n(t, 7, 2);
    verify_ok(t, 7);

    /* the first retained entry is protected like any other */
    tamper_text(t, 5, "at", 5, "哈希值不符");
    exec(t, "UPDATE audit_checkpoint SET prev_hash = hash", NULL, 0);
    verify_bad(t, 5, 5, "检查点");
    exec(t, "DELETE FROM audit_checkpoint", NULL, 0);
    verify_bad(t, 5, 5, "第 1 至 4 条"); /* without the checkpoint, 1..4 are missing */
    exec(t, "DELETE FROM audit_log WHERE seq = 7", NULL, 0);
    /* and a broken chain is never pruned */
    g_now = now + 400 * DAY;
    assert_int_equal(zg_audit_prune(t->c, 180, &res, &err), ZG_ERR_CONFLICT);
    assert_non_null(strstr(err.message, "拒绝清理"));
    assert_int_equal(qint(t, "SELECT COUNT(*) FROM audit_log"), 6);
}

static void test_prune_everything_old(void **state)
{
    ctx_t *t = start(state);
    const time_t now = 1767225600;
    zg_audit_set_clock(fake_now);
    g_now = now - 400 * DAY;
    append_n(t, 0, 5);
    g_now = now;
    zg_audit_prune_result_t res;
    zg_error_t err;
    CHECK(zg_audit_prune(t->c, 365, &res, &err));
    assert_int_equal(res.pruned, 5);
    assert_int_equal(res.first_seq, 6); /* only the audit.prune entry remains */
    assert_int_equal(qint(t, "SELECT COUNT(*) FROM audit_log"), 1);
    verify_ok(t, 1);
    append_n(t, 5, 3);
    verify_ok(t, 4);
    /* deleting the checkpoint's entry is seen */
    exec(t, "DELETE FROM audit_log WHERE seq = 6", NULL, 0);
    verify_bad(t, 7, 7, "序号不连续");
}

/* ---- listing ---------------------------------------------------------------------------- */

static void list(ctx_t *t, const zg_audit_filter_t *f, int64_t want_total, size_t want_n,
                 const int64_t *want_seqs)
{
    zg_arena_t a;
    zg_arena_init(&a, 0, 0);
    zg_audit_entry_t *v;
    size_t n;
    int64_t total;
    zg_error_t err;
    CHECK(zg_audit_list(t->c, &a, f, &v, &n, &total, &err));
    assert_int_equal(total, want_total);
    assert_int_equal(n, want_n);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(v[i].seq, want_seqs[i]);
    zg_arena_destroy(&a);
}

static void test_list_filters(void **state)
{
    ctx_t *t = start(state);
    const time_t day0 = 1767225600; /* 2026-01-01 00:00:00 UTC */
    zg_audit_set_clock(fake_now);
    for (int i = 0; i < 12; i++) { /* seq i+1 at day0 + i days */
        g_now = day0 + (time_t)i * DAY;
        append_n(t, i, 1);
    }
    zg_audit_set_clock(NULL);
    /* sample_event(i): action i%3 = create/update/member.view; outcome denied when i%5 == 4 */
    list(t, &(zg_audit_filter_t){0}, 12, 12, (int64_t[]){12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1});
    list(t, &(zg_audit_filter_t){.page = 2, .page_size = 5}, 12, 5, (int64_t[]){7, 6, 5, 4, 3});
    list(t, &(zg_audit_filter_t){.page = 3, .page_size = 5}, 12, 2, (int64_t[]){2, 1});
    list(t, &(zg_audit_filter_t){.page = 4, .page_size = 5}, 12, 0, NULL);
    list(t, &(zg_audit_filter_t){.username = "user3"}, 1, 1, (int64_t[]){4});
    list(t, &(zg_audit_filter_t){.username = "user"}, 0, 0, NULL);
    list(t, &(zg_audit_filter_t){.action_prefix = "org."}, 8, 8,
         (int64_t[]){11, 10, 8, 7, 5, 4, 2, 1});
    list(t, &(zg_audit_filter_t){.action_prefix = "org.c"}, 4, 4, (int64_t[]){10, 7, 4, 1});
    list(t, &(zg_audit_filter_t){.action_prefix = "member.view"}, 4, 4, (int64_t[]){12, 9, 6, 3});
    list(t, &(zg_audit_filter_t){.action_prefix = "member.view.x"}, 0, 0, NULL);
    list(t, &(zg_audit_filter_t){.action_prefix = "%"}, 0, 0, NULL);
    list(t, &(zg_audit_filter_t){.object_type = "member"}, 4, 4, (int64_t[]){12, 9, 6, 3});
    list(t, &(zg_audit_filter_t){.object_id = 1005}, 1, 1, (int64_t[]){6});
    list(t, &(zg_audit_filter_t){.object_type = "org", .object_id = 1005}, 0, 0, NULL);
    list(t, &(zg_audit_filter_t){.outcome = "denied"}, 2, 2, (int64_t[]){10, 5});
    list(t, &(zg_audit_filter_t){.outcome = "denied", .action_prefix = "org.update"}, 1, 1,
         (int64_t[]){5});
    /* time bounds: from inclusive, before exclusive */
    list(t,
         &(zg_audit_filter_t){.at_from = "2026-01-03 00:00:00", .at_before = "2026-01-05 00:00:00"},
         2, 2, (int64_t[]){4, 3});
    list(t, &(zg_audit_filter_t){.at_from = "2026-01-03 00:00:01"}, 9, 9,
         (int64_t[]){12, 11, 10, 9, 8, 7, 6, 5, 4});
    zg_arena_t a;
    zg_arena_init(&a, 0, 0);
    zg_audit_entry_t *v;
    size_t n;
    int64_t total;
    zg_error_t err;
    assert_int_equal(
        zg_audit_list(t->c, &a, &(zg_audit_filter_t){.page_size = 101}, &v, &n, &total, &err),
        ZG_ERR_INVALID);
    assert_int_equal(
        zg_audit_list(t->c, &a, &(zg_audit_filter_t){.page = -1}, &v, &n, &total, &err),
        ZG_ERR_INVALID);
    CHECK(zg_audit_list(t->c, &a, &(zg_audit_filter_t){.page_size = 1}, &v, &n, &total, &err));
    assert_int_equal(n, 1);
    assert_int_equal(v[0].id, 12);
    assert_string_equal(v[0].at, "2026-01-12 00:00:00");
    assert_string_equal(v[0].username, "user11");
    assert_string_equal(v[0].action, "member.view");
    assert_string_equal(v[0].object_type, "member");
    assert_int_equal(v[0].object_id, 1011);
    assert_int_equal(v[0].account_id, 111);
    assert_string_equal(v[0].outcome, "ok");
    assert_non_null(strstr(v[0].detail, "支部11"));
    assert_int_equal(strlen(v[0].hash), 64);
    assert_int_equal(strlen(v[0].prev_hash), 64);
    zg_arena_destroy(&a);
}

/* ---- operator commands ------------------------------------------------------------------ */

static char *run_cli(int (*fn)(zg_db_t *, FILE *), zg_db_t *db, int *rc)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    *rc = fn(db, f);
    fclose(f);
    return buf;
}

static void test_cli_verify(void **state)
{
    ctx_t *t = start(state);
    append_n(t, 0, 5);
    int rc;
    char *out = run_cli(zg_audit_cli_verify, t->db, &rc);
    assert_int_equal(rc, 0);
    assert_string_equal(out, "审计日志完整：共 5 条记录，哈希链校验通过\n");
    free(out);
    /* the run itself was recorded */
    char *action = entry_text(t, 6, "action");
    assert_string_equal(action, "audit.verify");
    free(action);
    exec(t, "UPDATE audit_log SET object_id = 999 WHERE id = 3", NULL, 0);
    out = run_cli(zg_audit_cli_verify, t->db, &rc);
    assert_int_equal(rc, 1);
    assert_non_null(strstr(out, "审计日志被篡改：第 3 条记录（id=3）"));
    assert_non_null(strstr(out, "哈希值不符"));
    free(out);
}

static int cli_prune_179(zg_db_t *db, FILE *f)
{
    return zg_audit_cli_prune(db, "179", f);
}
static int cli_prune_bad(zg_db_t *db, FILE *f)
{
    return zg_audit_cli_prune(db, "18O", f);
}
static int cli_prune_default(zg_db_t *db, FILE *f)
{
    return zg_audit_cli_prune(db, NULL, f);
}

static void test_cli_prune(void **state)
{
    ctx_t *t = start(state);
    append_n(t, 0, 3);
    int rc;
    char *out = run_cli(cli_prune_179, t->db, &rc);
    assert_int_equal(rc, 2);
    assert_non_null(strstr(out, "至少保留 180 天"));
    free(out);
    out = run_cli(cli_prune_bad, t->db, &rc);
    assert_int_equal(rc, 2);
    free(out);
    out = run_cli(cli_prune_default, t->db, &rc);
    assert_int_equal(rc, 0);
    assert_non_null(strstr(out, "没有早于"));
    free(out);
    assert_int_equal(qint(t, "SELECT COUNT(*) FROM audit_log"), 4);
    verify_ok(t, 4);
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
        fprintf(stderr, "test_audit: ZG_TEST_PG_URL is not set: the postgres/* tests are "
                        "skipped\n");
    const struct CMUnitTest tests[] = {
        BOTH(test_empty_log_verifies),
        BOTH(test_chain_links),
        BOTH(test_hash_encoding_known),
        BOTH(test_empty_strings_stored_as_null),
        BOTH(test_tamper_every_field),
        BOTH(test_rehashed_entry_breaks_link),
        BOTH(test_delete_middle),
        BOTH(test_delete_first),
        BOTH(test_delete_last_detected_by_head),
        BOTH(test_head_tampering),
        BOTH(test_thousand_entries),
        BOTH(test_rolls_back_with_caller),
        BOTH(test_concurrent_appenders),
        BOTH(test_secrets_hidden),
        BOTH(test_event_validation),
        BOTH(test_text_bounds),
        BOTH(test_detail_bounds),
        BOTH(test_prune_floor_and_checkpoint),
        BOTH(test_prune_everything_old),
        BOTH(test_list_filters),
        BOTH(test_cli_verify),
        BOTH(test_cli_prune),
    };
    int failed = cmocka_run_group_tests_name("audit", tests, NULL, NULL);
    zg_testdb_cleanup();
    return failed;
}
