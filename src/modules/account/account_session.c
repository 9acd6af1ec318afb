/* account_session.c — login, logout, password change and the authenticator that turns a
 * session token into a principal (rules account.lockout, account.password_history,
 * account.password_expiry).
 *
 * Tokens: 32 random bytes, given to the client as 64 hex characters (cookie or Bearer);
 * the session row keeps only SM3(bytes) in hex, so a copy of the database opens no session.
 * Password verification (argon2id, slow by design) runs before any write transaction begins;
 * the transactions that follow re-check the lock with a conditional UPDATE, so concurrent
 * attempts cannot slip past a lock set meanwhile. */
#include "modules/account/account.h"

#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "app/app.h"
#include "core/log.h"
#include "db/db.h"
#include "http/auth.h"
#include "http/request.h"
#include "modules/account/account_internal.h"

#define USER_AGENT_MAX 256
/* last_seen_at is rewritten when it is at least this old (not on every request). */
#define LAST_SEEN_GRANULARITY_S 60

/* ---- the dummy hash: unknown users cost as much as known ones --------------------------- */

static pthread_mutex_t dummy_mu = PTHREAD_MUTEX_INITIALIZER;
static char dummy_hash[ZG_PASSWORD_HASH_SIZE];

static void dummy_verify(const char *password)
{
    char stored[ZG_PASSWORD_HASH_SIZE];
    pthread_mutex_lock(&dummy_mu);
    if (!dummy_hash[0]) {
        static const char pw[] = "zugong: no such account";
        if (zg_password_hash(pw, sizeof pw - 1, dummy_hash) != 0)
            dummy_hash[0] = '\0';
    }
    memcpy(stored, dummy_hash, sizeof stored);
    pthread_mutex_unlock(&dummy_mu);
    if (stored[0])
        (void)zg_password_verify(stored, password, strlen(password));
}

int zg_account_configure(const zg_config_t *cfg, zg_error_t *err)
{
    if (zg_password_set_params((unsigned long long)cfg->argon2_ops,
                               (size_t)cfg->argon2_mem_kib * 1024u) != 0)
        return zg_error_set(err, ZG_ERR_INVALID, "bad_config", "密码哈希参数（argon2）无效",
                            "argon2 ops %d mem %d KiB refused", cfg->argon2_ops,
                            cfg->argon2_mem_kib);
    pthread_mutex_lock(&dummy_mu);
    dummy_hash[0] = '\0'; /* made again with the new cost on first use */
    pthread_mutex_unlock(&dummy_mu);
    acct_cache_configure(cfg->session_cache_ms);
    zg_auth_set_authenticator(zg_account_authenticate);
    return ZG_OK;
}

/* ---- account rows ----------------------------------------------------------------------- */

typedef struct login_row {
    int64_t id;
    char username[ZG_USERNAME_MAX + 1];
    char hash[ZG_PASSWORD_HASH_SIZE];
    char status[16];
    int failed_count;
    int64_t locked_until; /* 0 = none */
    bool must_change;
    int64_t changed_at;
} login_row_t;

/* Reads the account by username (by_id false) or id. Returns 1 found, 0 not, < 0 error. */
static int load_row(zg_conn_t *c, const char *username, int64_t id, login_row_t *row,
                    zg_error_t *err)
{
    zg_rows_t *rows;
    zg_param_t p[] = {username ? ZG_P_TEXT(username) : ZG_P_INT(id)};
    int rc = zg_db_query(c,
                         username ? "SELECT id, username, password_hash, status, failed_count, "
                                    "locked_until, must_change_password, password_changed_at "
                                    "FROM account WHERE username = $1"
                                  : "SELECT id, username, password_hash, status, failed_count, "
                                    "locked_until, must_change_password, password_changed_at "
                                    "FROM account WHERE id = $1",
                         p, 1, &rows, err);
    if (rc)
        return rc;
    rc = zg_rows_next(rows, err);
    if (rc == 1) {
        memset(row, 0, sizeof *row);
        row->id = zg_rows_int(rows, 0);
        snprintf(row->username, sizeof row->username, "%s", zg_rows_text(rows, 1));
        snprintf(row->hash, sizeof row->hash, "%s", zg_rows_text(rows, 2));
        snprintf(row->status, sizeof row->status, "%s", zg_rows_text(rows, 3));
        row->failed_count = (int)zg_rows_int(rows, 4);
        if (!zg_rows_isnull(rows, 5))
            zg_account_ts_parse(zg_rows_text(rows, 5), &row->locked_until);
        row->must_change = zg_rows_int(rows, 6) != 0;
        zg_account_ts_parse(zg_rows_text(rows, 7), &row->changed_at);
    }
    zg_rows_close(rows);
    return rc;
}

static int invalid_credentials(zg_error_t *err)
{
    return zg_error_set(err, ZG_ERR_UNAUTHORIZED, "invalid_credentials", "用户名或密码错误",
                        "login refused: bad credentials");
}

static int locked_error(int64_t locked_until, int64_t now, zg_error_t *err)
{
    char msg[128];
    snprintf(msg, sizeof msg, "账号已锁定，请%d分钟后再试",
             zg_account_lock_minutes_left(locked_until, now));
    return zg_error_set(err, ZG_ERR_FORBIDDEN, "account_locked", msg, "account locked");
}

/* Audits a refused attempt in a transaction of its own; a failure to audit is logged (the
 * attempt is refused either way). */
static void audit_refusal(zg_conn_t *c, const zg_actor_t *actor, const char *action,
                          int64_t account_id, const char *outcome, const char *reason)
{
    acct_detail_t d;
    acct_detail_init(&d);
    acct_detail_str(&d, "reason", reason);
    zg_error_t aerr;
    if (acct_audit(c, actor, false, action, "account", account_id, outcome, acct_detail_end(&d),
                   &aerr) != ZG_OK)
        zg_log_error("audit of refused %s failed: %s", action, aerr.detail);
    acct_detail_free(&d);
}

/* account.lockout: counts one failed password check in a write transaction that also writes
 * its audit entry. *was_locked: a lock set meanwhile (by a concurrent failure) was found, and
 * nothing was counted; *locks: this failure reached the threshold and set the lock. */
static int record_failure(zg_conn_t *c, const zg_account_policy_t *p, const zg_actor_t *actor,
                          int64_t id, int64_t now, const char *action, bool *was_locked,
                          bool *locks, int64_t *until_out, zg_error_t *err)
{
    *was_locked = *locks = false;
    char ts[ZG_TIMESTAMP_SIZE];
    zg_account_ts_format(now, ts);
    int rc = zg_db_begin(c, ZG_TX_WRITE, err);
    if (rc)
        return rc;
    int64_t changes = 0, count = 0;
    zg_param_t p1[] = {ZG_P_INT(id), ZG_P_TEXT(ts)};
    rc = zg_db_exec(c,
                    "UPDATE account SET failed_count = failed_count + 1 WHERE id = $1 AND "
                    "(locked_until IS NULL OR locked_until <= $2)",
                    p1, 2, &changes, err);
    if (!rc && changes == 0) {
        *was_locked = true;
        zg_db_rollback(c);
        return ZG_OK;
    }
    if (!rc)
        rc = zg_db_query_int(c, "SELECT failed_count FROM account WHERE id = $1", p1, 1, &count,
                             err);
    int after = 0;
    int64_t until = 0;
    if (!rc) {
        zg_account_after_failure(p, (int)count - 1, now, &after, &until);
        if (until) {
            char uts[ZG_TIMESTAMP_SIZE];
            zg_account_ts_format(until, uts);
            zg_param_t p2[] = {ZG_P_INT(id), ZG_P_TEXT(uts)};
            rc = zg_db_exec(c,
                            "UPDATE account SET failed_count = 0, locked_until = $2 WHERE id = $1",
                            p2, 2, NULL, err);
            *locks = true;
            if (until_out)
                *until_out = until;
        }
    }
    if (!rc) {
        acct_detail_t d;
        acct_detail_init(&d);
        acct_detail_str(&d, "reason", "wrong_password");
        acct_detail_int(&d, "failed_count", count);
        acct_detail_bool(&d, "locked", until != 0);
        rc = acct_audit(c, actor, true, action, "account", id, "failed", acct_detail_end(&d), err);
        acct_detail_free(&d);
    }
    if (!rc)
        rc = acct_commit(c, err);
    if (rc)
        zg_db_rollback(c);
    return rc;
}

/* Printable ASCII of at most USER_AGENT_MAX bytes (other bytes become '?'). */
static void clean_user_agent(const char *in, char out[USER_AGENT_MAX + 1])
{
    size_t k = 0;
    for (const unsigned char *p = (const unsigned char *)in; p && *p && k < USER_AGENT_MAX; p++)
        out[k++] = (*p >= 0x20 && *p < 0x7f) ? (char)*p : '?';
    out[k] = '\0';
}

/* ---- login / logout --------------------------------------------------------------------- */

int zg_account_login(zg_conn_t *c, const zg_account_policy_t *p, const zg_login_input_t *in,
                     zg_login_result_t *out, zg_error_t *err)
{
    memset(out, 0, sizeof *out);
    const char *password = in->password ? in->password : "";
    char username[ZG_USERNAME_MAX + 1] = "";
    bool valid_name = zg_username_normalize(in->username, username, NULL) == ZG_OK;
    login_row_t row;
    int found = 0;
    if (valid_name) {
        found = load_row(c, username, 0, &row, err);
        if (found < 0)
            return found;
    }
    int64_t now = zg_account_now();
    zg_actor_t actor = {
        .account_id = found ? row.id : 0, .username = valid_name ? username : NULL, .ip = in->ip};
    if (!found) {
        dummy_verify(password);
        audit_refusal(c, &actor, "auth.login", 0, "failed", "unknown_user");
        return invalid_credentials(err);
    }
    if (zg_account_is_locked(row.locked_until, now)) {
        audit_refusal(c, &actor, "auth.login", row.id, "denied", "locked");
        return locked_error(row.locked_until, now, err);
    }
    int rc = acct_verify_password(row.hash, password, err);
    if (rc == ZG_ERR_UNAUTHORIZED) {
        bool was_locked = false, locks = false;
        int64_t until = 0;
        rc = record_failure(c, p, &actor, row.id, now, "auth.login", &was_locked, &locks, &until,
                            err);
        if (rc)
            return rc;
        if (was_locked) {
            audit_refusal(c, &actor, "auth.login", row.id, "denied", "locked");
            return locked_error(now + p->lockout_s, now, err);
        }
        return invalid_credentials(err);
    }
    if (rc)
        return rc;
    if (strcmp(row.status, "active") != 0) {
        audit_refusal(c, &actor, "auth.login", row.id, "denied", "disabled");
        return zg_error_set(err, ZG_ERR_FORBIDDEN, "account_disabled",
                            "账号已停用，请联系系统管理员", "login to disabled account");
    }
    /* a hash made with an older cost is upgraded while the password is at hand */
    char rehash[ZG_PASSWORD_HASH_SIZE] = "";
    if (zg_password_needs_rehash(row.hash) == 1 &&
        zg_password_hash(password, strlen(password), rehash) != 0)
        rehash[0] = '\0';

    char ts[ZG_TIMESTAMP_SIZE], expires[ZG_TIMESTAMP_SIZE], idle_cut[ZG_TIMESTAMP_SIZE];
    zg_account_ts_format(now, ts);
    zg_account_ts_format(now + p->session_absolute_s, expires);
    zg_account_ts_format(now - p->session_idle_s, idle_cut);
    char token_hash[ZG_TOKEN_STR_SIZE], ua[USER_AGENT_MAX + 1];
    clean_user_agent(in->user_agent, ua);
    if (zg_random_token(out->token) || zg_random_token(out->csrf_token) ||
        acct_token_hash(out->token, token_hash))
        return zg_error_set(err, ZG_ERR_CRYPTO, "internal", "服务器内部错误", "token generation");

    rc = zg_db_begin(c, ZG_TX_WRITE, err);
    if (rc)
        goto fail;
    int64_t changes = 0;
    zg_param_t pa[] = {ZG_P_INT(row.id), ZG_P_TEXT(ts), ZG_P_TEXT(in->ip ? in->ip : "")};
    rc = zg_db_exec(c,
                    "UPDATE account SET failed_count = 0, locked_until = NULL, last_login_at = $2, "
                    "last_login_ip = $3 WHERE id = $1 AND status = 'active' AND "
                    "(locked_until IS NULL OR locked_until <= $2)",
                    pa, 3, &changes, err);
    if (!rc && changes == 0) {
        /* locked (or disabled) by a concurrent request since we looked */
        zg_db_rollback(c);
        audit_refusal(c, &actor, "auth.login", row.id, "denied", "locked");
        rc = locked_error(now + p->lockout_s, now, err);
        goto fail;
    }
    if (!rc && rehash[0]) {
        zg_param_t ph[] = {ZG_P_INT(row.id), ZG_P_TEXT(rehash)};
        rc = zg_db_exec(c, "UPDATE account SET password_hash = $2 WHERE id = $1", ph, 2, NULL, err);
    }
    if (!rc && in->previous_token) {
        char old_hash[ZG_TOKEN_STR_SIZE];
        if (acct_token_hash(in->previous_token, old_hash) == ZG_OK) {
            zg_param_t po[] = {ZG_P_TEXT(old_hash)};
            rc = zg_db_exec(c, "DELETE FROM session WHERE token_hash = $1", po, 1, NULL, err);
        }
    }
    if (!rc) {
        /* housekeeping: sessions of any account that can no longer be used (logins are rare
         * next to requests, and both columns are indexed) */
        zg_param_t pc[] = {ZG_P_TEXT(ts), ZG_P_TEXT(idle_cut)};
        rc = zg_db_exec(c, "DELETE FROM session WHERE expires_at <= $1 OR last_seen_at <= $2", pc,
                        2, NULL, err);
    }
    if (!rc) {
        zg_param_t ps[] = {
            ZG_P_TEXT(token_hash), ZG_P_TEXT(out->csrf_token),      ZG_P_INT(row.id), ZG_P_TEXT(ts),
            ZG_P_TEXT(expires),    ZG_P_TEXT(in->ip ? in->ip : ""), ZG_P_TEXT(ua)};
        rc = zg_db_query_int(c,
                             "INSERT INTO session (token_hash, csrf_token, account_id, created_at, "
                             "last_seen_at, expires_at, ip, user_agent) VALUES ($1, $2, $3, $4, "
                             "$4, $5, $6, $7) RETURNING id",
                             ps, 7, &out->session_id, err);
    }
    if (!rc) {
        actor.account_id = row.id;
        acct_detail_t d;
        acct_detail_init(&d);
        acct_detail_int(&d, "session_id", out->session_id);
        rc = acct_audit(c, &actor, true, "auth.login", "account", row.id, "ok", acct_detail_end(&d),
                        err);
        acct_detail_free(&d);
    }
    if (!rc)
        rc = acct_commit(c, err);
    if (rc) {
        zg_db_rollback(c);
        goto fail;
    }
    out->account_id = row.id;
    out->must_change_password =
        row.must_change || zg_password_expired(row.changed_at, now, p->password_expiry_days);
    sodium_memzero(row.hash, sizeof row.hash);
    return ZG_OK;
fail:
    sodium_memzero(out, sizeof *out);
    sodium_memzero(row.hash, sizeof row.hash);
    return rc;
}

int zg_account_logout(zg_conn_t *c, const zg_actor_t *actor, int64_t session_id, zg_error_t *err)
{
    int rc = zg_db_begin(c, ZG_TX_WRITE, err);
    if (rc)
        return rc;
    zg_param_t p[] = {ZG_P_INT(session_id)};
    rc = zg_db_exec(c, "DELETE FROM session WHERE id = $1", p, 1, NULL, err);
    if (!rc) {
        acct_detail_t d;
        acct_detail_init(&d);
        acct_detail_int(&d, "session_id", session_id);
        rc = acct_audit(c, actor, true, "auth.logout", "account", actor ? actor->account_id : 0,
                        "ok", acct_detail_end(&d), err);
        acct_detail_free(&d);
    }
    if (!rc)
        rc = acct_commit(c, err);
    if (rc)
        zg_db_rollback(c);
    return rc;
}

/* ---- password change -------------------------------------------------------------------- */

/* Whether `password` matches one of the account's last ZG_PASSWORD_HISTORY hashes. */
static int in_history(zg_conn_t *c, int64_t id, const char *password, bool *found, zg_error_t *err)
{
    char hashes[ZG_PASSWORD_HISTORY][ZG_PASSWORD_HASH_SIZE];
    int n = 0;
    zg_rows_t *rows;
    zg_param_t p[] = {ZG_P_INT(id), ZG_P_INT(ZG_PASSWORD_HISTORY)};
    int rc = zg_db_query(c,
                         "SELECT password_hash FROM password_history WHERE account_id = $1 "
                         "ORDER BY id DESC LIMIT $2",
                         p, 2, &rows, err);
    if (rc)
        return rc;
    while ((rc = zg_rows_next(rows, err)) == 1 && n < ZG_PASSWORD_HISTORY)
        snprintf(hashes[n++], ZG_PASSWORD_HASH_SIZE, "%s", zg_rows_text(rows, 0));
    zg_rows_close(rows);
    if (rc < 0)
        return rc;
    *found = false;
    for (int i = 0; i < n && !*found; i++) {
        rc = acct_verify_password(hashes[i], password, err);
        if (rc == ZG_OK)
            *found = true;
        else if (rc != ZG_ERR_UNAUTHORIZED)
            return rc;
    }
    sodium_memzero(hashes, sizeof hashes);
    return ZG_OK;
}

int zg_account_change_password(zg_conn_t *c, const zg_account_policy_t *p, const zg_actor_t *actor,
                               int64_t keep_session_id, const char *old_password,
                               const char *new_password, zg_findings_t *f, zg_error_t *err)
{
    if (!actor || !old_password || !new_password)
        return zg_error_set(err, ZG_ERR_INTERNAL, "internal", "服务器内部错误",
                            "change password without actor or passwords");
    login_row_t row;
    int found = load_row(c, NULL, actor->account_id, &row, err);
    if (found < 0)
        return found;
    if (!found)
        return zg_error_set(err, ZG_ERR_UNAUTHORIZED, "unauthorized", "请先登录",
                            "account vanished");
    int64_t now = zg_account_now();
    if (zg_account_is_locked(row.locked_until, now)) {
        audit_refusal(c, actor, "auth.password_change", row.id, "denied", "locked");
        return locked_error(row.locked_until, now, err);
    }
    int rc = acct_verify_password(row.hash, old_password, err);
    sodium_memzero(row.hash, sizeof row.hash);
    if (rc == ZG_ERR_UNAUTHORIZED) {
        bool was_locked = false, locks = false;
        int64_t until = 0;
        rc = record_failure(c, p, actor, row.id, now, "auth.password_change", &was_locked, &locks,
                            &until, err);
        if (rc)
            return rc;
        if (was_locked || locks)
            return locked_error(locks ? until : now + p->lockout_s, now, err);
        return zg_error_set(err, ZG_ERR_INVALID, "wrong_old_password", "原密码不正确",
                            "old password mismatch");
    }
    if (rc)
        return rc;
    if (zg_password_check(row.username, new_password, "new_password", f) > 0)
        return zg_error_set(err, ZG_ERR_INVALID, "rule_violation", "新密码不符合密码策略",
                            "password policy");
    bool reused = false;
    rc = in_history(c, row.id, new_password, &reused, err);
    if (rc)
        return rc;
    if (reused) {
        zg_findings_add(f, "account.password_history", "new_password",
                        "新密码不得与最近%d次使用过的密码相同", ZG_PASSWORD_HISTORY);
        return zg_error_set(err, ZG_ERR_INVALID, "rule_violation", "新密码不符合密码策略",
                            "password reused");
    }
    char hash[ZG_PASSWORD_HASH_SIZE];
    rc = acct_hash_password(new_password, hash, err);
    if (rc)
        return rc;
    char ts[ZG_TIMESTAMP_SIZE];
    zg_account_ts_format(now, ts);
    rc = zg_db_begin(c, ZG_TX_WRITE, err);
    if (!rc) {
        zg_param_t q[] = {ZG_P_INT(row.id), ZG_P_TEXT(hash), ZG_P_TEXT(ts)};
        rc = zg_db_exec(c,
                        "UPDATE account SET password_hash = $2, password_changed_at = $3, "
                        "must_change_password = 0, failed_count = 0, updated_at = $3 "
                        "WHERE id = $1",
                        q, 3, NULL, err);
    }
    if (!rc)
        rc = acct_history_add(c, row.id, hash, ts, err);
    if (!rc)
        rc = acct_sessions_delete(c, row.id, keep_session_id, err);
    if (!rc)
        rc = acct_audit(c, actor, true, "auth.password_change", "account", row.id, "ok", NULL, err);
    if (!rc)
        rc = acct_commit(c, err);
    if (rc)
        zg_db_rollback(c);
    sodium_memzero(hash, sizeof hash);
    return rc;
}

/* ---- the authenticator ------------------------------------------------------------------ */

const char *acct_request_token(zg_req_t *r, bool *via_cookie, bool *bearer_bad)
{
    *via_cookie = false;
    *bearer_bad = false;
    const char *auth = zg_req_header(r, "Authorization");
    if (auth) {
        if (strncasecmp(auth, "Bearer ", 7) != 0) {
            *bearer_bad = true;
            return NULL;
        }
        auth += 7;
        while (*auth == ' ')
            auth++;
        size_t n = strcspn(auth, " \t");
        return zg_arena_strndup(&r->arena, auth, n);
    }
    const char *cookie = zg_req_header(r, "Cookie");
    const char *found = NULL;
    bool found_secure = false;
    for (const char *s = cookie; s && *s;) {
        while (*s == ' ' || *s == ';')
            s++;
        size_t len = strcspn(s, ";");
        const char *eq = memchr(s, '=', len);
        if (eq) {
            size_t nlen = (size_t)(eq - s);
            bool plain = nlen == strlen(ZG_SESSION_COOKIE) && !strncmp(s, ZG_SESSION_COOKIE, nlen);
            bool secure = nlen == strlen(ZG_SESSION_COOKIE_SECURE) &&
                          !strncmp(s, ZG_SESSION_COOKIE_SECURE, nlen);
            if ((secure && !found_secure) || (plain && !found)) {
                size_t vlen = len - nlen - 1;
                while (vlen && eq[vlen] == ' ')
                    vlen--;
                found = zg_arena_strndup(&r->arena, eq + 1, vlen);
                found_secure = secure;
            }
        }
        s += len;
    }
    *via_cookie = found != NULL;
    return found;
}

static int unauthorized(zg_error_t *err, const char *why)
{
    return zg_error_set(err, ZG_ERR_UNAUTHORIZED, "unauthorized", "请先登录", "%s", why);
}

static int cmp_perm(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Reads the session of token hash `hash`, its account and permissions from the database.
 * ZG_OK, ZG_ERR_UNAUTHORIZED for an unknown session, or a database error. */
static int read_session(zg_conn_t *c, zg_arena_t *a, const char *hash, acct_session_row_t *s,
                        zg_error_t *err)
{
    memset(s, 0, sizeof *s);
    zg_rows_t *rows;
    zg_param_t p[] = {ZG_P_TEXT(hash)};
    int rc = zg_db_query(c,
                         "SELECT s.id, s.account_id, s.csrf_token, s.last_seen_at, s.expires_at, "
                         "a.username, a.display_name, COALESCE(a.home_org_id, 0), "
                         "a.must_change_password, a.password_changed_at, a.status "
                         "FROM session s JOIN account a ON a.id = s.account_id "
                         "WHERE s.token_hash = $1",
                         p, 1, &rows, err);
    if (rc)
        return rc;
    rc = zg_rows_next(rows, err);
    if (rc <= 0) {
        zg_rows_close(rows);
        return rc < 0 ? rc : unauthorized(err, "unknown session");
    }
    s->session_id = zg_rows_int(rows, 0);
    s->account_id = zg_rows_int(rows, 1);
    s->csrf = zg_arena_strdup(a, zg_rows_text(rows, 2));
    s->bad_time = zg_account_ts_parse(zg_rows_text(rows, 3), &s->last_seen) |
                  zg_account_ts_parse(zg_rows_text(rows, 4), &s->expires);
    s->username = zg_arena_strdup(a, zg_rows_text(rows, 5));
    s->display_name = zg_arena_strdup(a, zg_rows_text(rows, 6));
    s->home_org_id = zg_rows_int(rows, 7);
    s->must_change = zg_rows_int(rows, 8) != 0;
    zg_account_ts_parse(zg_rows_text(rows, 9), &s->changed);
    s->active = !strcmp(zg_rows_text(rows, 10), "active");
    zg_rows_close(rows);
    if (!s->csrf || !s->username || !s->display_name)
        return zg_error_set(err, ZG_ERR_NOMEM, "no_memory", "内存不足", "principal strings");

    zg_param_t pa[] = {ZG_P_INT(s->account_id)};
    rc = zg_db_query(c,
                     "SELECT DISTINCT rp.perm FROM account_role ar JOIN role_perm rp ON "
                     "rp.role_id = ar.role_id WHERE ar.account_id = $1",
                     pa, 1, &rows, err);
    if (rc)
        return rc;
    while ((rc = zg_rows_next(rows, err)) == 1) {
        if (s->nperms == ZG_MAX_PERMS) {
            zg_log_warn("account %lld holds more than %d permissions; the rest are ignored",
                        (long long)s->account_id, ZG_MAX_PERMS);
            break;
        }
        const char *perm = zg_arena_strdup(a, zg_rows_text(rows, 0));
        if (!perm) {
            rc = zg_error_set(err, ZG_ERR_NOMEM, "no_memory", "内存不足", "perm");
            break;
        }
        s->perms[s->nperms++] = perm;
    }
    zg_rows_close(rows);
    if (rc < 0)
        return rc;
    /* zg_principal_can does a binary search with strcmp: sort in C, not by a collation */
    qsort(s->perms, (size_t)s->nperms, sizeof s->perms[0], cmp_perm);
    return ZG_OK;
}

int zg_account_authenticate(zg_req_t *r, zg_principal_t **out, zg_error_t *err)
{
    *out = NULL;
    bool via_cookie, bearer_bad;
    const char *token = acct_request_token(r, &via_cookie, &bearer_bad);
    if (!token)
        return unauthorized(err, bearer_bad ? "Authorization is not Bearer" : "no credentials");
    char hash[ZG_TOKEN_STR_SIZE];
    if (acct_token_hash(token, hash) != ZG_OK)
        return unauthorized(err, "malformed token");
    zg_conn_t *c = zg_db_conn(r->app->db, err);
    if (!c)
        return err->status ? err->status : ZG_ERR_DB;
    acct_session_row_t s;
    if (!acct_cache_get(hash, &r->arena, &s)) {
        uint64_t gen = acct_cache_generation(); /* before the read: see the cache's exactness */
        int rc = read_session(c, &r->arena, hash, &s, err);
        if (rc)
            return rc;
        if (!s.bad_time)
            acct_cache_put(hash, gen, &s);
    }

    zg_account_policy_t pol = zg_account_policy_from_config(&r->app->config);
    int64_t now = zg_account_now();
    bool expired = s.bad_time || now >= s.expires || now - s.last_seen >= pol.session_idle_s;
    if (expired || !s.active) {
        zg_param_t d[] = {ZG_P_INT(s.session_id)};
        zg_error_t derr;
        if (zg_db_exec(c, "DELETE FROM session WHERE id = $1", d, 1, NULL, &derr))
            zg_log_warn("cannot delete expired session: %s", derr.detail);
        acct_cache_changed();
        if (!s.active)
            return unauthorized(err, "account disabled");
        return zg_error_set(err, ZG_ERR_UNAUTHORIZED, "session_expired", "登录已过期，请重新登录",
                            "session %s expired", now >= s.expires ? "absolutely" : "idle");
    }
    if (now - s.last_seen >= LAST_SEEN_GRANULARITY_S) {
        char ts[ZG_TIMESTAMP_SIZE];
        zg_account_ts_format(now, ts);
        zg_param_t u[] = {ZG_P_INT(s.session_id), ZG_P_TEXT(ts)};
        zg_error_t uerr;
        if (zg_db_exec(c, "UPDATE session SET last_seen_at = $2 WHERE id = $1", u, 2, NULL, &uerr))
            zg_log_warn("cannot update session last_seen_at: %s", uerr.detail); /* not fatal */
        else
            acct_cache_touch(hash, now);
    }

    zg_principal_t *who = zg_arena_calloc(&r->arena, 1, sizeof *who);
    if (!who)
        return zg_error_set(err, ZG_ERR_NOMEM, "no_memory", "内存不足", "principal");
    who->session_id = s.session_id;
    who->account_id = s.account_id;
    who->csrf_token = s.csrf;
    who->username = s.username;
    who->display_name = s.display_name;
    who->home_org_id = s.home_org_id;
    who->nperms = s.nperms;
    memcpy(who->perms, s.perms, sizeof s.perms[0] * (size_t)s.nperms);
    who->via_cookie = via_cookie;
    who->must_change_password =
        s.must_change || zg_password_expired(s.changed, now, pol.password_expiry_days);
    *out = who;
    return ZG_OK;
}
