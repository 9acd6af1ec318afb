/* account.c — accounts and roles in storage: create (CLI, demo and API), bootstrap of the
 * first administrator, list/get/update/disable/unlock/reset, role assignment under
 * account.separation_of_duties, and the business roles' catalog. Every write runs in one
 * write transaction that ends with its audit entry. Password hashing (slow by design) always
 * happens before the transaction begins, so no lock is held while it runs. */
#include "modules/account/account.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/utf8.h"
#include "db/scope.h"
#include "modules/account/account_internal.h"
#include "modules/audit/audit.h"

#define MAX_ROLES_PER_ACCOUNT 32
#define MAX_PERMS_PER_ROLE    128
#define ROLE_NAME_MAX         30  /* characters */
#define ROLE_DESCRIPTION_MAX  200 /* characters */

/* ---- shared helpers (account_internal.h) ------------------------------------------------ */

void acct_detail_init(acct_detail_t *d)
{
    zg_strbuf_init(&d->sb, NULL, ZG_AUDIT_DETAIL_MAX);
    zg_strbuf_putc(&d->sb, '{');
    d->first = true;
}

static void detail_key(acct_detail_t *d, const char *key)
{
    if (!d->first)
        zg_strbuf_putc(&d->sb, ',');
    d->first = false;
    zg_strbuf_json_string(&d->sb, key);
    zg_strbuf_putc(&d->sb, ':');
}

void acct_detail_str(acct_detail_t *d, const char *key, const char *value)
{
    detail_key(d, key);
    if (value)
        zg_strbuf_json_string(&d->sb, value);
    else
        zg_strbuf_puts(&d->sb, "null");
}

void acct_detail_int(acct_detail_t *d, const char *key, int64_t value)
{
    detail_key(d, key);
    zg_strbuf_printf(&d->sb, "%lld", (long long)value);
}

void acct_detail_bool(acct_detail_t *d, const char *key, bool value)
{
    detail_key(d, key);
    zg_strbuf_puts(&d->sb, value ? "true" : "false");
}

void acct_detail_raw(acct_detail_t *d, const char *key, const char *json)
{
    detail_key(d, key);
    zg_strbuf_puts(&d->sb, json);
}

const char *acct_detail_end(acct_detail_t *d)
{
    zg_strbuf_putc(&d->sb, '}');
    if (d->sb.overflow)
        return "{\"_truncated\":true}";
    return zg_strbuf_cstr(&d->sb);
}

void acct_detail_free(acct_detail_t *d)
{
    zg_strbuf_free(&d->sb);
}

int acct_audit(zg_conn_t *c, const zg_actor_t *actor, bool in_tx, const char *action,
               const char *object_type, int64_t object_id, const char *outcome, const char *detail,
               zg_error_t *err)
{
    zg_audit_event_t e = {
        .account_id = actor ? actor->account_id : 0,
        .username = actor ? actor->username : NULL,
        .ip = actor ? actor->ip : NULL,
        .action = action,
        .object_type = object_type,
        .object_id = object_id,
        .outcome = outcome,
        .detail = detail,
    };
    return in_tx ? zg_audit_append(c, &e, err) : zg_audit_log(c, &e, err);
}

int acct_hash_password(const char *password, char out[ZG_PASSWORD_HASH_SIZE], zg_error_t *err)
{
    int rc = zg_password_hash(password, strlen(password), out);
    switch (rc) {
    case ZG_OK:
        return ZG_OK;
    case ZG_ERR_TOO_LARGE:
        return zg_error_set(err, ZG_ERR_INVALID, "invalid_password", "密码过长",
                            "password too long");
    case ZG_ERR_BUSY:
        return zg_error_set(err, ZG_ERR_BUSY, "busy", "服务器繁忙，请稍后重试",
                            "password hashing: no slot");
    default:
        return zg_error_set(err, rc, "internal", "服务器内部错误", "password hashing failed (%d)",
                            rc);
    }
}

int acct_verify_password(const char *stored, const char *password, zg_error_t *err)
{
    int rc = zg_password_verify(stored, password, strlen(password));
    switch (rc) {
    case ZG_OK:
    case ZG_ERR_UNAUTHORIZED:
        return rc;
    case ZG_ERR_TOO_LARGE:
        return ZG_ERR_UNAUTHORIZED; /* not a password we could have set */
    case ZG_ERR_BUSY:
        return zg_error_set(err, ZG_ERR_BUSY, "busy", "服务器繁忙，请稍后重试",
                            "password verify: no slot");
    default:
        return zg_error_set(err, ZG_ERR_INTERNAL, "internal", "服务器内部错误",
                            "password verify failed (%d): stored hash unreadable", rc);
    }
}

int acct_history_add(zg_conn_t *c, int64_t account_id, const char *hash, const char *now_ts,
                     zg_error_t *err)
{
    zg_param_t p[] = {ZG_P_INT(account_id), ZG_P_TEXT(hash), ZG_P_TEXT(now_ts)};
    int rc = zg_db_exec(c,
                        "INSERT INTO password_history (account_id, password_hash, created_at) "
                        "VALUES ($1, $2, $3)",
                        p, 3, NULL, err);
    if (rc)
        return rc;
    zg_param_t q[] = {ZG_P_INT(account_id), ZG_P_INT(ZG_PASSWORD_HISTORY)};
    return zg_db_exec(c,
                      "DELETE FROM password_history WHERE account_id = $1 AND id NOT IN "
                      "(SELECT id FROM password_history WHERE account_id = $1 "
                      "ORDER BY id DESC LIMIT $2)",
                      q, 2, NULL, err);
}

int acct_sessions_delete(zg_conn_t *c, int64_t account_id, int64_t keep_id, zg_error_t *err)
{
    zg_param_t p[] = {ZG_P_INT(account_id), ZG_P_INT(keep_id)};
    return zg_db_exec(c, "DELETE FROM session WHERE account_id = $1 AND id <> $2", p, 2, NULL, err);
}

int acct_token_hash(const char *token, char out[ZG_TOKEN_STR_SIZE])
{
    uint8_t raw[ZG_TOKEN_BYTES], digest[ZG_SM3_LEN];
    size_t n = 0;
    out[0] = '\0';
    if (!token || strlen(token) != 2 * ZG_TOKEN_BYTES ||
        zg_hex_decode(token, 2 * ZG_TOKEN_BYTES, raw, sizeof raw, &n) != 0 || n != ZG_TOKEN_BYTES)
        return ZG_ERR_INVALID;
    int rc = zg_sm3(raw, sizeof raw, digest);
    if (rc == 0)
        rc = zg_hex_encode(digest, sizeof digest, out, ZG_TOKEN_STR_SIZE);
    return rc ? ZG_ERR_INVALID : ZG_OK;
}

/* ---- local helpers ---------------------------------------------------------------------- */

static void now_ts(char buf[ZG_TIMESTAMP_SIZE])
{
    zg_account_ts_format(zg_account_now(), buf);
}

static int rule_violation(zg_error_t *err, const char *what)
{
    return zg_error_set(err, ZG_ERR_INVALID, "rule_violation", "不符合规则要求，请按提示修改",
                        "%s: rule violation", what);
}

/* A display name: 1–50 characters of valid UTF-8 without control characters. */
static int check_display_name(const char *s, zg_error_t *err)
{
    size_t chars = 0, n = s ? strlen(s) : 0;
    bool ok = s && zg_utf8_strlen(s, n, &chars) == 0 && chars >= 1 && chars <= ZG_DISPLAY_NAME_MAX;
    for (size_t i = 0; ok && i < n; i++)
        ok = (unsigned char)s[i] >= 0x20 && s[i] != 0x7f;
    return ok ? ZG_OK
              : zg_error_set(err, ZG_ERR_INVALID, "invalid_display_name",
                             "姓名应为1到50个字，且不含控制字符", "bad display name");
}

/* Whether the actor may manage an account homed at home_org_id (0 = none). */
static int actor_may_manage(zg_conn_t *c, const zg_actor_t *actor, int64_t home_org_id,
                            zg_error_t *err)
{
    if (!actor || actor->home_org_id == 0)
        return ZG_OK;
    bool in = false;
    if (home_org_id != 0) {
        int rc = zg_scope_contains(c, actor->home_org_id, home_org_id, &in, err);
        if (rc)
            return rc;
    }
    return in ? ZG_OK
              : zg_error_set(err, ZG_ERR_NOT_FOUND, "not_found", "账号不存在或不在您的管理范围内",
                             "account outside actor scope");
}

/* A home org for an account must exist and be active. */
static int check_home_org(zg_conn_t *c, int64_t org_id, zg_error_t *err)
{
    zg_param_t p[] = {ZG_P_INT(org_id)};
    int64_t n = 0;
    int rc = zg_db_query_int(c, "SELECT count(*) FROM org WHERE id = $1 AND status = 'active'", p,
                             1, &n, err);
    if (rc)
        return rc;
    return n ? ZG_OK
             : zg_error_set(err, ZG_ERR_INVALID, "invalid_home_org", "所属党组织不存在或已撤销",
                            "home org %lld missing or dissolved", (long long)org_id);
}

/* Whether role `role_id` grants a business permission. */
static int role_has_business_perm(zg_conn_t *c, int64_t role_id, bool *out, zg_error_t *err)
{
    zg_rows_t *rows;
    zg_param_t p[] = {ZG_P_INT(role_id)};
    int rc = zg_db_query(c, "SELECT perm FROM role_perm WHERE role_id = $1", p, 1, &rows, err);
    if (rc)
        return rc;
    *out = false;
    while ((rc = zg_rows_next(rows, err)) == 1)
        if (zg_perm_is_business(zg_rows_text(rows, 0)))
            *out = true;
    zg_rows_close(rows);
    return rc < 0 ? rc : ZG_OK;
}

/* Loads the roles named by `codes` (duplicates dropped) into refs/ids (cap entries). Strings
 * in `a`. Unknown code → ZG_ERR_INVALID "unknown_role". */
static int load_roles_by_code(zg_conn_t *c, zg_arena_t *a, const char *const *codes, int n,
                              zg_role_ref_t *refs, int64_t *ids, int cap, int *count,
                              zg_error_t *err)
{
    *count = 0;
    for (int i = 0; i < n; i++) {
        bool dup = false;
        for (int k = 0; k < i && !dup; k++)
            dup = codes[k] && codes[i] && !strcmp(codes[k], codes[i]);
        if (dup)
            continue;
        if (*count == cap)
            return zg_error_set(err, ZG_ERR_INVALID, "too_many_roles", "角色过多",
                                "more than %d roles", cap);
        zg_rows_t *rows;
        zg_param_t p[] = {ZG_P_TEXT(codes[i] ? codes[i] : "")};
        int rc = zg_db_query(c, "SELECT id, code, name, kind FROM role WHERE code = $1", p, 1,
                             &rows, err);
        if (rc)
            return rc;
        rc = zg_rows_next(rows, err);
        if (rc == 1) {
            int k = *count;
            ids[k] = zg_rows_int(rows, 0);
            refs[k].code = zg_arena_strdup(a, zg_rows_text(rows, 1));
            refs[k].name = zg_arena_strdup(a, zg_rows_text(rows, 2));
            int kind = zg_role_kind_parse(zg_rows_text(rows, 3));
            refs[k].kind = kind < 0 ? ZG_ROLE_BUSINESS : (zg_role_kind)kind;
        }
        zg_rows_close(rows);
        if (rc < 0)
            return rc;
        if (rc == 0) {
            char msg[160];
            snprintf(msg, sizeof msg, "角色不存在：%.64s", codes[i] ? codes[i] : "");
            return zg_error_set(err, ZG_ERR_INVALID, "unknown_role", msg, "unknown role code");
        }
        if (!refs[*count].code || !refs[*count].name)
            return zg_error_set(err, ZG_ERR_NOMEM, "no_memory", "内存不足", "role strings");
        rc = role_has_business_perm(c, ids[*count], &refs[*count].business_perms, err);
        if (rc)
            return rc;
        (*count)++;
    }
    return ZG_OK;
}

/* The account's current roles. */
static int load_account_roles(zg_conn_t *c, zg_arena_t *a, int64_t account_id, zg_role_ref_t *refs,
                              int64_t *ids, int cap, int *count, zg_error_t *err)
{
    zg_rows_t *rows;
    zg_param_t p[] = {ZG_P_INT(account_id)};
    int rc = zg_db_query(c,
                         "SELECT r.id, r.code, r.name, r.kind FROM account_role ar "
                         "JOIN role r ON r.id = ar.role_id WHERE ar.account_id = $1 "
                         "ORDER BY r.id",
                         p, 1, &rows, err);
    if (rc)
        return rc;
    *count = 0;
    while ((rc = zg_rows_next(rows, err)) == 1 && *count < cap) {
        int k = (*count)++;
        if (ids)
            ids[k] = zg_rows_int(rows, 0);
        refs[k].code = zg_arena_strdup(a, zg_rows_text(rows, 1));
        refs[k].name = zg_arena_strdup(a, zg_rows_text(rows, 2));
        int kind = zg_role_kind_parse(zg_rows_text(rows, 3));
        refs[k].kind = kind < 0 ? ZG_ROLE_BUSINESS : (zg_role_kind)kind;
        refs[k].business_perms = false;
        if (!refs[k].code || !refs[k].name)
            rc = zg_error_set(err, ZG_ERR_NOMEM, "no_memory", "内存不足", "role strings");
    }
    zg_rows_close(rows);
    if (rc < 0)
        return rc;
    if (ids)
        for (int k = 0; k < *count; k++) {
            rc = role_has_business_perm(c, ids[k], &refs[k].business_perms, err);
            if (rc)
                return rc;
        }
    return ZG_OK;
}

/* JSON array text of the roles' codes, for audit details. */
static void codes_json(zg_strbuf_t *sb, const zg_role_ref_t *refs, int n)
{
    zg_strbuf_putc(sb, '[');
    for (int i = 0; i < n; i++) {
        if (i)
            zg_strbuf_putc(sb, ',');
        zg_strbuf_json_string(sb, refs[i].code);
    }
    zg_strbuf_putc(sb, ']');
}

/* Checks a set of roles for one account: separation of duties (findings in f; skipped when f
 * is NULL, for a set already stored) and that business roles need a home org. */
static int check_role_set(const zg_role_ref_t *refs, int n, int64_t home_org_id, zg_findings_t *f,
                          zg_error_t *err)
{
    if (f && zg_account_check_separation(refs, n, f) > 0)
        return rule_violation(err, "role set");
    for (int i = 0; i < n; i++)
        if ((refs[i].kind == ZG_ROLE_BUSINESS || refs[i].business_perms) && home_org_id == 0) {
            char msg[200];
            snprintf(msg, sizeof msg, "业务角色“%.60s”须指定账号所属党组织", refs[i].name);
            return zg_error_set(err, ZG_ERR_INVALID, "business_role_needs_org", msg,
                                "business role without a home org");
        }
    return ZG_OK;
}

static int insert_roles(zg_conn_t *c, int64_t account_id, const int64_t *ids, int n,
                        zg_error_t *err)
{
    for (int i = 0; i < n; i++) {
        zg_param_t p[] = {ZG_P_INT(account_id), ZG_P_INT(ids[i])};
        int rc = zg_db_exec(c, "INSERT INTO account_role (account_id, role_id) VALUES ($1, $2)", p,
                            2, NULL, err);
        if (rc)
            return rc;
    }
    return ZG_OK;
}

/* ---- create and bootstrap --------------------------------------------------------------- */

int zg_account_create(zg_conn_t *c, zg_account_new_t *a, int64_t *id, zg_findings_t *f,
                      zg_error_t *err)
{
    a->one_time_password[0] = '\0';
    char username[ZG_USERNAME_MAX + 1];
    int rc = zg_username_normalize(a->username, username, err);
    if (rc)
        return rc;
    rc = check_display_name(a->display_name, err);
    if (rc)
        return rc;
    if (a->nroles < 0 || (a->nroles > 0 && !a->roles))
        return zg_error_set(err, ZG_ERR_INTERNAL, "internal", "服务器内部错误", "bad role list");
    const char *password = a->password;
    bool must_change = a->must_change_password;
    if (!password) {
        zg_one_time_password(username, a->one_time_password);
        password = a->one_time_password;
        must_change = true;
    } else if (zg_password_check(username, password, "password", f) > 0) {
        return rule_violation(err, "account create password");
    }
    char hash[ZG_PASSWORD_HASH_SIZE];
    rc = acct_hash_password(password, hash, err);
    if (rc)
        return rc;

    zg_arena_t arena;
    zg_arena_init(&arena, 4096, 1 << 20);
    zg_role_ref_t refs[MAX_ROLES_PER_ACCOUNT];
    int64_t role_ids[MAX_ROLES_PER_ACCOUNT];
    int nrefs = 0;
    int64_t new_id = 0;
    char ts[ZG_TIMESTAMP_SIZE];
    now_ts(ts);
    acct_detail_t d;
    acct_detail_init(&d);
    zg_strbuf_t codes;
    zg_strbuf_init(&codes, &arena, 4096);

    rc = zg_db_begin(c, ZG_TX_WRITE, err);
    if (rc)
        goto done;
    if (a->home_org_id != 0)
        rc = check_home_org(c, a->home_org_id, err);
    if (!rc)
        rc = actor_may_manage(c, a->actor, a->home_org_id, err);
    if (rc == ZG_ERR_NOT_FOUND)
        rc = zg_error_set(err, ZG_ERR_INVALID, "invalid_home_org", "所属党组织不在您的管理范围内",
                          "home org outside actor scope");
    if (!rc)
        rc = load_roles_by_code(c, &arena, a->roles, a->nroles, refs, role_ids,
                                MAX_ROLES_PER_ACCOUNT, &nrefs, err);
    for (int i = 0; !rc && a->admin_roles_only && i < nrefs; i++)
        if (refs[i].kind == ZG_ROLE_BUSINESS)
            rc = zg_error_set(err, ZG_ERR_INVALID, "business_role_not_allowed",
                              "业务角色由安全管理员分配；创建账号时只能指定管理员角色",
                              "business role at create without assign_role");
    if (!rc)
        rc = check_role_set(refs, nrefs, a->home_org_id, f, err);
    if (!rc) {
        zg_param_t p[] = {ZG_P_TEXT(username)};
        int64_t taken = 0;
        rc = zg_db_query_int(c, "SELECT count(*) FROM account WHERE username = $1", p, 1, &taken,
                             err);
        if (!rc && taken)
            rc = zg_error_set(err, ZG_ERR_CONFLICT, "username_taken", "用户名已被使用",
                              "username %s taken", username);
    }
    if (!rc) {
        zg_param_t p[] = {ZG_P_TEXT(username),
                          ZG_P_TEXT(a->display_name),
                          a->home_org_id ? ZG_P_INT(a->home_org_id) : ZG_P_NULL,
                          ZG_P_TEXT(hash),
                          ZG_P_TEXT(ts),
                          ZG_P_INT(must_change ? 1 : 0)};
        rc = zg_db_query_int(c,
                             "INSERT INTO account (username, display_name, home_org_id, "
                             "password_hash, password_changed_at, must_change_password, "
                             "created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $5, $5) "
                             "RETURNING id",
                             p, 6, &new_id, err);
        if (rc == ZG_ERR_CONFLICT)
            zg_error_set(err, ZG_ERR_CONFLICT, "username_taken", "用户名已被使用",
                         "username %s taken (concurrent create)", username);
    }
    if (!rc)
        rc = insert_roles(c, new_id, role_ids, nrefs, err);
    if (!rc)
        rc = acct_history_add(c, new_id, hash, ts, err);
    if (!rc) {
        codes_json(&codes, refs, nrefs);
        acct_detail_str(&d, "username", username);
        acct_detail_str(&d, "display_name", a->display_name);
        if (a->home_org_id)
            acct_detail_int(&d, "home_org_id", a->home_org_id);
        else
            acct_detail_str(&d, "home_org_id", NULL);
        acct_detail_raw(&d, "roles", zg_strbuf_cstr(&codes));
        acct_detail_bool(&d, "must_change", must_change);
        rc = acct_audit(c, a->actor, true, "account.create", "account", new_id, "ok",
                        acct_detail_end(&d), err);
    }
    if (!rc)
        rc = acct_commit(c, err);
done:
    if (rc) {
        zg_db_rollback(c);
        a->one_time_password[0] = '\0';
    } else if (id) {
        *id = new_id;
    }
    acct_detail_free(&d);
    zg_arena_destroy(&arena);
    sodium_memzero(hash, sizeof hash);
    return rc;
}

int zg_account_bootstrap(zg_db_t *db, const char *admin_password, char *one_time_out, size_t cap,
                         bool *created, zg_error_t *err)
{
    if (created)
        *created = false;
    if (one_time_out && cap)
        one_time_out[0] = '\0';
    if (admin_password && !*admin_password)
        admin_password = NULL; /* ZUGONG_ADMIN_PASSWORD= (empty) counts as unset */
    if (!admin_password && (!one_time_out || cap < ZG_ONE_TIME_PASSWORD_SIZE))
        return zg_error_set(err, ZG_ERR_INTERNAL, "internal", "服务器内部错误",
                            "bootstrap: one-time password buffer too small");
    zg_conn_t *c = zg_db_conn(db, err);
    if (!c)
        return err ? err->status : ZG_ERR_DB;
    int64_t n = 0;
    int rc = zg_db_query_int(c, "SELECT count(*) FROM account", NULL, 0, &n, err);
    if (rc || n > 0)
        return rc;
    static const char *const roles[] = {"sysadmin"};
    zg_account_new_t a = {
        .username = "admin",
        .display_name = "系统管理员",
        .password = admin_password,
        .must_change_password = false,
        .roles = roles,
        .nroles = 1,
    };
    zg_arena_t arena;
    zg_arena_init(&arena, 4096, 1 << 20);
    zg_findings_t f;
    zg_findings_init(&f, &arena);
    rc = zg_account_create(c, &a, NULL, &f, err);
    if (rc == ZG_ERR_INVALID && f.n > 0 && err) {
        /* the findings, in one line for the terminal */
        char msg[sizeof err->message];
        size_t off = (size_t)snprintf(msg, sizeof msg, "ZUGONG_ADMIN_PASSWORD 不符合密码策略：");
        for (int i = 0; i < f.n && off < sizeof msg; i++)
            off += (size_t)snprintf(msg + off, sizeof msg - off, "%s%s", i ? "；" : "",
                                    f.items[i].message);
        zg_error_set(err, ZG_ERR_INVALID, "invalid_password", msg, "admin password rejected");
    } else if (rc == ZG_ERR_CONFLICT) {
        rc = ZG_OK; /* another process created it meanwhile */
        zg_error_clear(err);
    } else if (rc == ZG_OK) {
        if (created)
            *created = true;
        if (!admin_password)
            snprintf(one_time_out, cap, "%s", a.one_time_password);
    }
    sodium_memzero(a.one_time_password, sizeof a.one_time_password);
    zg_arena_destroy(&arena);
    return rc;
}

/* ---- reading accounts ------------------------------------------------------------------- */

#define ACCOUNT_COLUMNS                                                                            \
    "a.id, a.username, a.display_name, COALESCE(a.home_org_id, 0), o.name, a.status, "             \
    "a.must_change_password, a.failed_count, a.locked_until, a.password_changed_at, "              \
    "a.last_login_at, a.created_at, a.updated_at "

static const char *dup_or_null(zg_arena_t *a, zg_rows_t *rows, int col)
{
    return zg_rows_isnull(rows, col) ? NULL : zg_arena_strdup(a, zg_rows_text(rows, col));
}

static void read_account_row(zg_arena_t *a, zg_rows_t *rows, zg_account_info_t *o)
{
    memset(o, 0, sizeof *o);
    o->id = zg_rows_int(rows, 0);
    o->username = zg_arena_strdup(a, zg_rows_text(rows, 1));
    o->display_name = zg_arena_strdup(a, zg_rows_text(rows, 2));
    o->home_org_id = zg_rows_int(rows, 3);
    o->home_org_name = dup_or_null(a, rows, 4);
    o->status = zg_arena_strdup(a, zg_rows_text(rows, 5));
    o->must_change_password = zg_rows_int(rows, 6) != 0;
    o->failed_count = (int)zg_rows_int(rows, 7);
    int64_t until = 0;
    if (!zg_rows_isnull(rows, 8) && zg_account_ts_parse(zg_rows_text(rows, 8), &until) == 0 &&
        zg_account_is_locked(until, zg_account_now())) {
        o->locked = true;
        o->locked_until = zg_arena_strdup(a, zg_rows_text(rows, 8));
    }
    o->password_changed_at = dup_or_null(a, rows, 9);
    o->last_login_at = dup_or_null(a, rows, 10);
    o->created_at = dup_or_null(a, rows, 11);
    o->updated_at = dup_or_null(a, rows, 12);
}

static int fill_roles(zg_conn_t *c, zg_arena_t *a, zg_account_info_t *o, zg_error_t *err)
{
    zg_role_ref_t tmp[MAX_ROLES_PER_ACCOUNT];
    int n = 0;
    int rc = load_account_roles(c, a, o->id, tmp, NULL, MAX_ROLES_PER_ACCOUNT, &n, err);
    if (rc)
        return rc;
    o->roles = n ? zg_arena_calloc(a, (size_t)n, sizeof *o->roles) : NULL;
    if (n && !o->roles)
        return zg_error_set(err, ZG_ERR_NOMEM, "no_memory", "内存不足", "roles");
    if (n)
        memcpy(o->roles, tmp, (size_t)n * sizeof *tmp);
    o->nroles = n;
    return ZG_OK;
}

/* "%q%" for LIKE with \ escaping %, _ and \ itself; lower-cased ASCII. */
static char *like_pattern(zg_arena_t *a, const char *q)
{
    size_t n = strlen(q);
    char *p = zg_arena_alloc(a, 2 * n + 3);
    if (!p)
        return NULL;
    size_t k = 0;
    p[k++] = '%';
    for (size_t i = 0; i < n; i++) {
        char ch = q[i];
        if (ch == '%' || ch == '_' || ch == '\\')
            p[k++] = '\\';
        p[k++] = (ch >= 'A' && ch <= 'Z') ? (char)(ch - 'A' + 'a') : ch;
    }
    p[k++] = '%';
    p[k] = '\0';
    return p;
}

int zg_account_list(zg_conn_t *c, zg_arena_t *a, const zg_actor_t *actor, const char *q,
                    const char *status, int page, int page_size, zg_account_info_t **items, int *n,
                    int64_t *total, zg_error_t *err)
{
    *items = NULL;
    *n = 0;
    *total = 0;
    if (page < 1 || page_size < 1 || page_size > 100)
        return zg_error_set(err, ZG_ERR_INVALID, "invalid_paging", "分页参数无效",
                            "page %d size %d", page, page_size);
    const char *pat = q && *q ? like_pattern(a, q) : "";
    if (!pat)
        return zg_error_set(err, ZG_ERR_NOMEM, "no_memory", "内存不足", "like pattern");
    int64_t root = actor ? actor->home_org_id : 0;
#define LIST_WHERE                                                                                 \
    "WHERE (CAST($1 AS TEXT) = '' OR LOWER(a.username) LIKE $1 ESCAPE '\\' "                       \
    "OR LOWER(a.display_name) LIKE $1 ESCAPE '\\') AND (CAST($2 AS TEXT) = '' OR a.status = $2) "
    zg_param_t p[] = {ZG_P_TEXT(pat), ZG_P_TEXT(status ? status : ""), ZG_P_INT(page_size),
                      ZG_P_INT((int64_t)(page - 1) * page_size)};
    int rc;
    if (root == 0)
        rc = zg_db_query_int(c, "SELECT count(*) FROM account a " LIST_WHERE, p, 2, total, err);
    else
        rc = zg_scope_query_int(
            c, root, "SELECT count(*) FROM account a " LIST_WHERE "AND a.home_org_id IN {{SCOPE}}",
            p, 2, total, err);
    if (rc)
        return rc;
    zg_rows_t *rows;
    if (root == 0)
        rc =
            zg_db_query(c,
                        "SELECT " ACCOUNT_COLUMNS "FROM account a LEFT JOIN org o ON "
                        "o.id = a.home_org_id " LIST_WHERE "ORDER BY a.username LIMIT $3 OFFSET $4",
                        p, 4, &rows, err);
    else
        rc = zg_scope_query(c, root,
                            "SELECT " ACCOUNT_COLUMNS "FROM account a LEFT JOIN org o ON "
                            "o.id = a.home_org_id " LIST_WHERE "AND a.home_org_id IN {{SCOPE}} "
                            "ORDER BY a.username LIMIT $3 OFFSET $4",
                            p, 4, &rows, err);
#undef LIST_WHERE
    if (rc)
        return rc;
    zg_account_info_t *v = zg_arena_calloc(a, (size_t)page_size, sizeof *v);
    if (!v) {
        zg_rows_close(rows);
        return zg_error_set(err, ZG_ERR_NOMEM, "no_memory", "内存不足", "account list");
    }
    int k = 0;
    while ((rc = zg_rows_next(rows, err)) == 1 && k < page_size)
        read_account_row(a, rows, &v[k++]);
    zg_rows_close(rows);
    if (rc < 0)
        return rc;
    for (int i = 0; i < k; i++) {
        rc = fill_roles(c, a, &v[i], err);
        if (rc)
            return rc;
    }
    *items = v;
    *n = k;
    return ZG_OK;
}

int zg_account_get(zg_conn_t *c, zg_arena_t *a, const zg_actor_t *actor, int64_t id,
                   zg_account_info_t *out, zg_error_t *err)
{
    zg_rows_t *rows;
    zg_param_t p[] = {ZG_P_INT(id)};
    int rc = zg_db_query(c,
                         "SELECT " ACCOUNT_COLUMNS "FROM account a LEFT JOIN org o ON "
                         "o.id = a.home_org_id WHERE a.id = $1",
                         p, 1, &rows, err);
    if (rc)
        return rc;
    rc = zg_rows_next(rows, err);
    if (rc == 1)
        read_account_row(a, rows, out);
    zg_rows_close(rows);
    if (rc < 0)
        return rc;
    if (rc == 0)
        return zg_error_set(err, ZG_ERR_NOT_FOUND, "not_found", "账号不存在或不在您的管理范围内",
                            "account %lld not found", (long long)id);
    rc = actor_may_manage(c, actor, out->home_org_id, err);
    if (rc)
        return rc;
    return fill_roles(c, a, out, err);
}

/* Reads the account's home org (0 = none) and status; ZG_ERR_NOT_FOUND (scope-aware) if the
 * account does not exist or the actor may not manage it. */
static int account_head(zg_conn_t *c, const zg_actor_t *actor, int64_t id, int64_t *home_org,
                        char status[16], zg_error_t *err)
{
    zg_rows_t *rows;
    zg_param_t p[] = {ZG_P_INT(id)};
    int rc = zg_db_query(c, "SELECT COALESCE(home_org_id, 0), status FROM account WHERE id = $1", p,
                         1, &rows, err);
    if (rc)
        return rc;
    rc = zg_rows_next(rows, err);
    if (rc == 1) {
        *home_org = zg_rows_int(rows, 0);
        if (status)
            snprintf(status, 16, "%s", zg_rows_text(rows, 1));
    }
    zg_rows_close(rows);
    if (rc < 0)
        return rc;
    if (rc == 0)
        return zg_error_set(err, ZG_ERR_NOT_FOUND, "not_found", "账号不存在或不在您的管理范围内",
                            "account %lld not found", (long long)id);
    return actor_may_manage(c, actor, *home_org, err);
}

/* Locks the account row for the rest of the transaction (PostgreSQL: a row lock, so two
 * concurrent changes of one account's roles or state run one after the other; SQLite holds
 * the write lock anyway), and stamps updated_at. */
static int touch_account(zg_conn_t *c, int64_t id, const char *ts, zg_error_t *err)
{
    zg_param_t p[] = {ZG_P_INT(id), ZG_P_TEXT(ts)};
    int64_t changes = 0;
    int rc = zg_db_exec(c, "UPDATE account SET updated_at = $2 WHERE id = $1", p, 2, &changes, err);
    if (!rc && changes == 0)
        rc = zg_error_set(err, ZG_ERR_NOT_FOUND, "not_found", "账号不存在或不在您的管理范围内",
                          "account %lld vanished", (long long)id);
    return rc;
}

/* ---- changing accounts ------------------------------------------------------------------ */

int zg_account_update(zg_conn_t *c, const zg_actor_t *actor, int64_t id, const char *display_name,
                      bool has_home_org, int64_t home_org_id, zg_error_t *err)
{
    if (display_name) {
        int rc = check_display_name(display_name, err);
        if (rc)
            return rc;
    }
    char ts[ZG_TIMESTAMP_SIZE];
    now_ts(ts);
    zg_arena_t arena;
    zg_arena_init(&arena, 4096, 1 << 20);
    acct_detail_t d;
    acct_detail_init(&d);
    int64_t old_org = 0;
    int rc = zg_db_begin(c, ZG_TX_WRITE, err);
    if (!rc)
        rc = account_head(c, actor, id, &old_org, NULL, err);
    if (!rc)
        rc = touch_account(c, id, ts, err);
    if (!rc && display_name) {
        zg_rows_t *rows;
        zg_param_t p[] = {ZG_P_INT(id)};
        rc = zg_db_query(c, "SELECT display_name FROM account WHERE id = $1", p, 1, &rows, err);
        if (!rc && zg_rows_next(rows, err) == 1 && strcmp(zg_rows_text(rows, 0), display_name)) {
            detail_key(&d, "display_name");
            zg_strbuf_puts(&d.sb, "{\"from\":");
            zg_strbuf_json_string(&d.sb, zg_rows_text(rows, 0));
            zg_strbuf_puts(&d.sb, ",\"to\":");
            zg_strbuf_json_string(&d.sb, display_name);
            zg_strbuf_putc(&d.sb, '}');
        }
        if (!rc)
            zg_rows_close(rows);
        if (!rc) {
            zg_param_t q[] = {ZG_P_INT(id), ZG_P_TEXT(display_name)};
            rc = zg_db_exec(c, "UPDATE account SET display_name = $2 WHERE id = $1", q, 2, NULL,
                            err);
        }
    }
    if (!rc && has_home_org && home_org_id != old_org) {
        if (home_org_id != 0)
            rc = check_home_org(c, home_org_id, err);
        if (!rc) {
            rc = actor_may_manage(c, actor, home_org_id, err);
            if (rc == ZG_ERR_NOT_FOUND)
                rc = zg_error_set(err, ZG_ERR_INVALID, "invalid_home_org",
                                  "所属党组织不在您的管理范围内", "home org outside scope");
        }
        if (!rc) {
            zg_role_ref_t refs[MAX_ROLES_PER_ACCOUNT];
            int64_t ids[MAX_ROLES_PER_ACCOUNT];
            int n = 0;
            rc = load_account_roles(c, &arena, id, refs, ids, MAX_ROLES_PER_ACCOUNT, &n, err);
            if (!rc)
                rc = check_role_set(refs, n, home_org_id, NULL, err);
        }
        if (!rc) {
            zg_param_t q[] = {ZG_P_INT(id), home_org_id ? ZG_P_INT(home_org_id) : ZG_P_NULL};
            rc =
                zg_db_exec(c, "UPDATE account SET home_org_id = $2 WHERE id = $1", q, 2, NULL, err);
        }
        if (!rc) {
            detail_key(&d, "home_org_id");
            zg_strbuf_printf(&d.sb, "{\"from\":%lld,\"to\":%lld}", (long long)old_org,
                             (long long)home_org_id);
        }
    }
    if (!rc)
        rc = acct_audit(c, actor, true, "account.update", "account", id, "ok", acct_detail_end(&d),
                        err);
    if (!rc)
        rc = acct_commit(c, err);
    if (rc)
        zg_db_rollback(c);
    acct_detail_free(&d);
    zg_arena_destroy(&arena);
    return rc;
}

/* Whether the account holds the sysadmin role and no other active account does. */
static int is_last_sysadmin(zg_conn_t *c, int64_t id, bool *last, zg_error_t *err)
{
    zg_param_t p[] = {ZG_P_INT(id)};
    int64_t holds = 0, others = 0;
    int rc = zg_db_query_int(c,
                             "SELECT count(*) FROM account_role ar JOIN role r ON r.id = "
                             "ar.role_id WHERE ar.account_id = $1 AND r.kind = 'sysadmin'",
                             p, 1, &holds, err);
    if (!rc)
        rc = zg_db_query_int(c,
                             "SELECT count(*) FROM account a JOIN account_role ar ON "
                             "ar.account_id = a.id JOIN role r ON r.id = ar.role_id WHERE "
                             "r.kind = 'sysadmin' AND a.status = 'active' AND a.id <> $1",
                             p, 1, &others, err);
    *last = holds > 0 && others == 0;
    return rc;
}

int zg_account_set_disabled(zg_conn_t *c, const zg_actor_t *actor, int64_t id, bool disabled,
                            zg_error_t *err)
{
    if (disabled && actor && actor->account_id == id)
        return zg_error_set(err, ZG_ERR_CONFLICT, "cannot_disable_self", "不能停用自己的账号",
                            "self-disable");
    char ts[ZG_TIMESTAMP_SIZE];
    now_ts(ts);
    int64_t org = 0;
    char status[16] = "";
    int rc = zg_db_begin(c, ZG_TX_WRITE, err);
    if (!rc)
        rc = account_head(c, actor, id, &org, status, err);
    if (!rc)
        rc = touch_account(c, id, ts, err);
    if (!rc && disabled) {
        bool last = false;
        rc = is_last_sysadmin(c, id, &last, err);
        if (!rc && last)
            rc = zg_error_set(err, ZG_ERR_CONFLICT, "last_sysadmin",
                              "不能停用唯一可用的系统管理员账号", "last sysadmin");
    }
    if (!rc) {
        zg_param_t p[] = {ZG_P_INT(id), ZG_P_TEXT(disabled ? "disabled" : "active")};
        rc = zg_db_exec(c,
                        disabled ? "UPDATE account SET status = $2 WHERE id = $1"
                                 : "UPDATE account SET status = $2, failed_count = 0, "
                                   "locked_until = NULL WHERE id = $1",
                        p, 2, NULL, err);
    }
    if (!rc && disabled)
        rc = acct_sessions_delete(c, id, 0, err);
    if (!rc) {
        acct_detail_t d;
        acct_detail_init(&d);
        acct_detail_str(&d, "from", status);
        acct_detail_str(&d, "to", disabled ? "disabled" : "active");
        rc = acct_audit(c, actor, true, disabled ? "account.disable" : "account.enable", "account",
                        id, "ok", acct_detail_end(&d), err);
        acct_detail_free(&d);
    }
    if (!rc)
        rc = acct_commit(c, err);
    if (rc)
        zg_db_rollback(c);
    return rc;
}

int zg_account_unlock(zg_conn_t *c, const zg_actor_t *actor, int64_t id, zg_error_t *err)
{
    char ts[ZG_TIMESTAMP_SIZE];
    now_ts(ts);
    int64_t org = 0;
    int rc = zg_db_begin(c, ZG_TX_WRITE, err);
    if (!rc)
        rc = account_head(c, actor, id, &org, NULL, err);
    if (!rc)
        rc = touch_account(c, id, ts, err);
    if (!rc) {
        zg_param_t p[] = {ZG_P_INT(id)};
        rc = zg_db_exec(c, "UPDATE account SET failed_count = 0, locked_until = NULL WHERE id = $1",
                        p, 1, NULL, err);
    }
    if (!rc)
        rc = acct_audit(c, actor, true, "account.unlock", "account", id, "ok", NULL, err);
    if (!rc)
        rc = acct_commit(c, err);
    if (rc)
        zg_db_rollback(c);
    return rc;
}

int zg_account_reset_password(zg_conn_t *c, const zg_actor_t *actor, int64_t id,
                              char one_time_out[ZG_ONE_TIME_PASSWORD_SIZE], zg_error_t *err)
{
    one_time_out[0] = '\0';
    /* the username only keeps the generated password from containing it */
    char username[ZG_USERNAME_MAX + 1] = "";
    {
        zg_rows_t *rows;
        zg_param_t p[] = {ZG_P_INT(id)};
        int rc = zg_db_query(c, "SELECT username FROM account WHERE id = $1", p, 1, &rows, err);
        if (rc)
            return rc;
        if (zg_rows_next(rows, err) == 1)
            snprintf(username, sizeof username, "%s", zg_rows_text(rows, 0));
        zg_rows_close(rows);
    }
    char pw[ZG_ONE_TIME_PASSWORD_SIZE];
    zg_one_time_password(username, pw);
    char hash[ZG_PASSWORD_HASH_SIZE];
    int rc = acct_hash_password(pw, hash, err);
    if (rc)
        return rc;
    char ts[ZG_TIMESTAMP_SIZE];
    now_ts(ts);
    int64_t org = 0;
    rc = zg_db_begin(c, ZG_TX_WRITE, err);
    if (!rc)
        rc = account_head(c, actor, id, &org, NULL, err);
    if (!rc)
        rc = touch_account(c, id, ts, err);
    if (!rc) {
        zg_param_t p[] = {ZG_P_INT(id), ZG_P_TEXT(hash), ZG_P_TEXT(ts)};
        rc = zg_db_exec(c,
                        "UPDATE account SET password_hash = $2, password_changed_at = $3, "
                        "must_change_password = 1, failed_count = 0, locked_until = NULL "
                        "WHERE id = $1",
                        p, 3, NULL, err);
    }
    if (!rc)
        rc = acct_history_add(c, id, hash, ts, err);
    if (!rc)
        rc = acct_sessions_delete(c, id, 0, err);
    if (!rc)
        rc = acct_audit(c, actor, true, "account.reset_password", "account", id, "ok",
                        "{\"must_change\":true}", err);
    if (!rc)
        rc = acct_commit(c, err);
    if (rc)
        zg_db_rollback(c);
    else
        memcpy(one_time_out, pw, sizeof pw);
    sodium_memzero(pw, sizeof pw);
    return rc;
}

int zg_account_set_roles(zg_conn_t *c, const zg_actor_t *actor, int64_t id,
                         const char *const *codes, int n, bool business_only, zg_findings_t *f,
                         zg_error_t *err)
{
    if (n < 0 || n > MAX_ROLES_PER_ACCOUNT || (n > 0 && !codes))
        return zg_error_set(err, ZG_ERR_INVALID, "too_many_roles", "角色过多", "bad role list");
    char ts[ZG_TIMESTAMP_SIZE];
    now_ts(ts);
    zg_arena_t arena;
    zg_arena_init(&arena, 4096, 1 << 20);
    zg_role_ref_t given[MAX_ROLES_PER_ACCOUNT], old[MAX_ROLES_PER_ACCOUNT],
        all[2 * MAX_ROLES_PER_ACCOUNT];
    int64_t given_ids[MAX_ROLES_PER_ACCOUNT], old_ids[MAX_ROLES_PER_ACCOUNT];
    int ngiven = 0, nold = 0, nall = 0;
    int64_t org = 0;
    char status[16];
    int rc = zg_db_begin(c, ZG_TX_WRITE, err);
    if (!rc)
        rc = account_head(c, actor, id, &org, status, err);
    if (!rc)
        rc = touch_account(c, id, ts, err);
    if (!rc)
        rc = load_roles_by_code(c, &arena, codes, n, given, given_ids, MAX_ROLES_PER_ACCOUNT,
                                &ngiven, err);
    if (!rc)
        rc = load_account_roles(c, &arena, id, old, old_ids, MAX_ROLES_PER_ACCOUNT, &nold, err);
    for (int i = 0; !rc && business_only && i < ngiven; i++)
        if (given[i].kind != ZG_ROLE_BUSINESS)
            rc = zg_error_set(err, ZG_ERR_INVALID, "admin_role_not_assignable",
                              "这里只能分配业务角色；管理员角色在创建管理员账号时设定",
                              "admin role via assign");
    if (!rc) {
        /* the resulting set: with business_only the administrator roles stay as they are */
        for (int i = 0; business_only && i < nold; i++)
            if (old[i].kind != ZG_ROLE_BUSINESS)
                all[nall++] = old[i];
        for (int i = 0; i < ngiven; i++)
            all[nall++] = given[i];
        rc = check_role_set(all, nall, org, f, err);
    }
    if (!rc) {
        zg_param_t p[] = {ZG_P_INT(id)};
        rc = zg_db_exec(c,
                        business_only
                            ? "DELETE FROM account_role WHERE account_id = $1 AND role_id IN "
                              "(SELECT id FROM role WHERE kind = 'business')"
                            : "DELETE FROM account_role WHERE account_id = $1",
                        p, 1, NULL, err);
    }
    if (!rc)
        rc = insert_roles(c, id, given_ids, ngiven, err);
    if (!rc) {
        zg_strbuf_t from, to;
        zg_strbuf_init(&from, &arena, 4096);
        zg_strbuf_init(&to, &arena, 4096);
        codes_json(&from, old, nold);
        codes_json(&to, all, nall);
        acct_detail_t d;
        acct_detail_init(&d);
        detail_key(&d, "roles");
        zg_strbuf_printf(&d.sb, "{\"from\":%s,\"to\":%s}", zg_strbuf_cstr(&from),
                         zg_strbuf_cstr(&to));
        rc = acct_audit(c, actor, true, "account.assign_roles", "account", id, "ok",
                        acct_detail_end(&d), err);
        acct_detail_free(&d);
    }
    if (!rc)
        rc = acct_commit(c, err);
    if (rc)
        zg_db_rollback(c);
    zg_arena_destroy(&arena);
    return rc;
}

/* ---- roles ------------------------------------------------------------------------------ */

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int read_role_perms(zg_conn_t *c, zg_arena_t *a, zg_role_info_t *o, zg_error_t *err)
{
    zg_rows_t *rows;
    zg_param_t p[] = {ZG_P_INT(o->id)};
    int rc = zg_db_query(c, "SELECT perm FROM role_perm WHERE role_id = $1", p, 1, &rows, err);
    if (rc)
        return rc;
    o->perms = zg_arena_calloc(a, MAX_PERMS_PER_ROLE, sizeof *o->perms);
    o->nperms = 0;
    if (!o->perms) {
        zg_rows_close(rows);
        return zg_error_set(err, ZG_ERR_NOMEM, "no_memory", "内存不足", "perms");
    }
    while ((rc = zg_rows_next(rows, err)) == 1 && o->nperms < MAX_PERMS_PER_ROLE)
        o->perms[o->nperms++] = zg_arena_strdup(a, zg_rows_text(rows, 0));
    zg_rows_close(rows);
    if (rc < 0)
        return rc;
    /* C order, not the database's collation, so both backends list alike */
    qsort(o->perms, (size_t)o->nperms, sizeof *o->perms, cmp_str);
    return ZG_OK;
}

#define ROLE_SELECT                                                                                \
    "SELECT r.id, r.code, r.name, r.description, r.kind, r.builtin, "                              \
    "(SELECT count(*) FROM account_role ar WHERE ar.role_id = r.id) FROM role r "

static void read_role_row(zg_arena_t *a, zg_rows_t *rows, zg_role_info_t *o)
{
    memset(o, 0, sizeof *o);
    o->id = zg_rows_int(rows, 0);
    o->code = zg_arena_strdup(a, zg_rows_text(rows, 1));
    o->name = zg_arena_strdup(a, zg_rows_text(rows, 2));
    o->description = zg_arena_strdup(a, zg_rows_text(rows, 3));
    int kind = zg_role_kind_parse(zg_rows_text(rows, 4));
    o->kind = kind < 0 ? ZG_ROLE_BUSINESS : (zg_role_kind)kind;
    o->builtin = zg_rows_int(rows, 5) != 0;
    o->account_count = zg_rows_int(rows, 6);
}

#define MAX_ROLES_LISTED 1000

int zg_role_list(zg_conn_t *c, zg_arena_t *a, zg_role_info_t **items, int *n, zg_error_t *err)
{
    *items = NULL;
    *n = 0;
    zg_rows_t *rows;
    int rc = zg_db_query(c, ROLE_SELECT "ORDER BY r.builtin DESC, r.id", NULL, 0, &rows, err);
    if (rc)
        return rc;
    zg_role_info_t *v = zg_arena_calloc(a, MAX_ROLES_LISTED, sizeof *v);
    if (!v) {
        zg_rows_close(rows);
        return zg_error_set(err, ZG_ERR_NOMEM, "no_memory", "内存不足", "role list");
    }
    int k = 0;
    while ((rc = zg_rows_next(rows, err)) == 1 && k < MAX_ROLES_LISTED)
        read_role_row(a, rows, &v[k++]);
    zg_rows_close(rows);
    if (rc < 0)
        return rc;
    for (int i = 0; i < k; i++) {
        rc = read_role_perms(c, a, &v[i], err);
        if (rc)
            return rc;
    }
    *items = v;
    *n = k;
    return ZG_OK;
}

int zg_role_get(zg_conn_t *c, zg_arena_t *a, int64_t id, zg_role_info_t *out, zg_error_t *err)
{
    zg_rows_t *rows;
    zg_param_t p[] = {ZG_P_INT(id)};
    int rc = zg_db_query(c, ROLE_SELECT "WHERE r.id = $1", p, 1, &rows, err);
    if (rc)
        return rc;
    rc = zg_rows_next(rows, err);
    if (rc == 1)
        read_role_row(a, rows, out);
    zg_rows_close(rows);
    if (rc < 0)
        return rc;
    if (rc == 0)
        return zg_error_set(err, ZG_ERR_NOT_FOUND, "not_found", "角色不存在", "role %lld not found",
                            (long long)id);
    return read_role_perms(c, a, out, err);
}

static int check_role_fields(const char *code, const char *name, const char *description,
                             const char *const *perms, int nperms, zg_error_t *err)
{
    if (code) {
        size_t n = strlen(code);
        bool ok = n >= 2 && n <= 32 && code[0] >= 'a' && code[0] <= 'z';
        for (size_t i = 0; ok && i < n; i++)
            ok = (code[i] >= 'a' && code[i] <= 'z') || (code[i] >= '0' && code[i] <= '9') ||
                 code[i] == '_';
        if (!ok)
            return zg_error_set(err, ZG_ERR_INVALID, "invalid_role_code",
                                "角色代码应为2到32个小写字母、数字或下划线，且以字母开头",
                                "bad role code");
    }
    size_t chars = 0;
    if (name && (zg_utf8_strlen(name, strlen(name), &chars) || chars < 1 || chars > ROLE_NAME_MAX))
        return zg_error_set(err, ZG_ERR_INVALID, "invalid_role_name", "角色名称应为1到30个字",
                            "bad role name");
    if (description &&
        (zg_utf8_strlen(description, strlen(description), &chars) || chars > ROLE_DESCRIPTION_MAX))
        return zg_error_set(err, ZG_ERR_INVALID, "invalid_description", "说明不能超过200个字",
                            "bad description");
    if (nperms > MAX_PERMS_PER_ROLE)
        return zg_error_set(err, ZG_ERR_INVALID, "unknown_perm", "权限过多", "too many perms");
    for (int i = 0; perms && i < nperms; i++) {
        const zg_perm_info_t *pi = zg_perm_get(perms[i]);
        char msg[200];
        if (!pi) {
            snprintf(msg, sizeof msg, "权限不存在：%.64s", perms[i] ? perms[i] : "");
            return zg_error_set(err, ZG_ERR_INVALID, "unknown_perm", msg, "unknown perm");
        }
        if (pi->group != ZG_PERM_BUSINESS) {
            snprintf(msg, sizeof msg,
                     "业务角色不能包含管理权限“%s”（%s）：三员分立，管理权限只属于内置管理员角色",
                     pi->perm, pi->text);
            return zg_error_set(err, ZG_ERR_INVALID, "admin_perm_in_role", msg,
                                "admin perm in business role");
        }
    }
    return ZG_OK;
}

static int insert_perms(zg_conn_t *c, int64_t role_id, const char *const *perms, int nperms,
                        zg_strbuf_t *json, zg_error_t *err)
{
    zg_strbuf_putc(json, '[');
    int written = 0;
    for (int i = 0; i < nperms; i++) {
        bool dup = false;
        for (int k = 0; k < i && !dup; k++)
            dup = !strcmp(perms[k], perms[i]);
        if (dup)
            continue;
        zg_param_t p[] = {ZG_P_INT(role_id), ZG_P_TEXT(perms[i])};
        int rc =
            zg_db_exec(c, "INSERT INTO role_perm (role_id, perm) VALUES ($1, $2)", p, 2, NULL, err);
        if (rc)
            return rc;
        if (written++)
            zg_strbuf_putc(json, ',');
        zg_strbuf_json_string(json, perms[i]);
    }
    zg_strbuf_putc(json, ']');
    return ZG_OK;
}

static int role_conflict(zg_error_t *err)
{
    return zg_error_set(err, ZG_ERR_CONFLICT, "role_exists", "角色代码或名称已存在",
                        "role code or name taken");
}

int zg_role_create(zg_conn_t *c, const zg_actor_t *actor, const char *code, const char *name,
                   const char *description, const char *const *perms, int nperms, int64_t *id,
                   zg_error_t *err)
{
    if (!code || !name)
        return zg_error_set(err, ZG_ERR_INVALID, !code ? "invalid_role_code" : "invalid_role_name",
                            !code ? "请填写角色代码" : "请填写角色名称", "missing role field");
    int rc = check_role_fields(code, name, description, perms, nperms, err);
    if (rc)
        return rc;
    char ts[ZG_TIMESTAMP_SIZE];
    now_ts(ts);
    int64_t new_id = 0;
    zg_strbuf_t pj;
    zg_strbuf_init(&pj, NULL, 8192);
    rc = zg_db_begin(c, ZG_TX_WRITE, err);
    if (!rc) {
        zg_param_t p[] = {ZG_P_TEXT(code), ZG_P_TEXT(name)};
        int64_t taken = 0;
        rc = zg_db_query_int(c, "SELECT count(*) FROM role WHERE code = $1 OR name = $2", p, 2,
                             &taken, err);
        if (!rc && taken)
            rc = role_conflict(err);
    }
    if (!rc) {
        zg_param_t p[] = {ZG_P_TEXT(code), ZG_P_TEXT(name),
                          ZG_P_TEXT(description ? description : ""), ZG_P_TEXT(ts)};
        rc = zg_db_query_int(c,
                             "INSERT INTO role (code, name, description, kind, builtin, "
                             "created_at, updated_at) VALUES ($1, $2, $3, 'business', 0, $4, $4) "
                             "RETURNING id",
                             p, 4, &new_id, err);
        if (rc == ZG_ERR_CONFLICT)
            role_conflict(err);
    }
    if (!rc)
        rc = insert_perms(c, new_id, perms, nperms, &pj, err);
    if (!rc) {
        acct_detail_t d;
        acct_detail_init(&d);
        acct_detail_str(&d, "code", code);
        acct_detail_str(&d, "name", name);
        acct_detail_raw(&d, "perms", zg_strbuf_cstr(&pj));
        rc = acct_audit(c, actor, true, "role.create", "role", new_id, "ok", acct_detail_end(&d),
                        err);
        acct_detail_free(&d);
    }
    if (!rc)
        rc = acct_commit(c, err);
    if (rc)
        zg_db_rollback(c);
    else if (id)
        *id = new_id;
    zg_strbuf_free(&pj);
    return rc;
}

/* Locks a business role for change: ZG_ERR_NOT_FOUND / ZG_ERR_FORBIDDEN (built-in). */
static int lock_business_role(zg_conn_t *c, int64_t id, const char *ts, zg_error_t *err)
{
    zg_rows_t *rows;
    zg_param_t p[] = {ZG_P_INT(id)};
    int rc = zg_db_query(c, "SELECT builtin FROM role WHERE id = $1", p, 1, &rows, err);
    if (rc)
        return rc;
    rc = zg_rows_next(rows, err);
    bool builtin = rc == 1 && zg_rows_int(rows, 0) != 0;
    zg_rows_close(rows);
    if (rc < 0)
        return rc;
    if (rc == 0)
        return zg_error_set(err, ZG_ERR_NOT_FOUND, "not_found", "角色不存在", "role missing");
    if (builtin)
        return zg_error_set(err, ZG_ERR_FORBIDDEN, "role_builtin", "内置角色不能修改或删除",
                            "builtin role");
    zg_param_t q[] = {ZG_P_INT(id), ZG_P_TEXT(ts)};
    return zg_db_exec(c, "UPDATE role SET updated_at = $2 WHERE id = $1", q, 2, NULL, err);
}

int zg_role_update(zg_conn_t *c, const zg_actor_t *actor, int64_t id, const char *name,
                   const char *description, const char *const *perms, int nperms, zg_error_t *err)
{
    char ts[ZG_TIMESTAMP_SIZE];
    now_ts(ts);
    zg_strbuf_t pj;
    zg_strbuf_init(&pj, NULL, 8192);
    acct_detail_t d;
    acct_detail_init(&d);
    int rc = zg_db_begin(c, ZG_TX_WRITE, err);
    if (!rc)
        rc = lock_business_role(c, id, ts, err); /* built-in first: 403 whatever the input */
    if (!rc)
        rc = check_role_fields(NULL, name, description, perms, nperms, err);
    if (!rc && name) {
        zg_param_t p[] = {ZG_P_INT(id), ZG_P_TEXT(name)};
        int64_t taken = 0;
        rc = zg_db_query_int(c, "SELECT count(*) FROM role WHERE name = $2 AND id <> $1", p, 2,
                             &taken, err);
        if (!rc && taken)
            rc = role_conflict(err);
        if (!rc)
            rc = zg_db_exec(c, "UPDATE role SET name = $2 WHERE id = $1", p, 2, NULL, err);
        if (rc == ZG_ERR_CONFLICT)
            role_conflict(err);
        acct_detail_str(&d, "name", name);
    }
    if (!rc && description) {
        zg_param_t p[] = {ZG_P_INT(id), ZG_P_TEXT(description)};
        rc = zg_db_exec(c, "UPDATE role SET description = $2 WHERE id = $1", p, 2, NULL, err);
        acct_detail_str(&d, "description", description);
    }
    if (!rc && perms) {
        zg_param_t p[] = {ZG_P_INT(id)};
        rc = zg_db_exec(c, "DELETE FROM role_perm WHERE role_id = $1", p, 1, NULL, err);
        if (!rc)
            rc = insert_perms(c, id, perms, nperms, &pj, err);
        if (!rc)
            acct_detail_raw(&d, "perms", zg_strbuf_cstr(&pj));
    }
    if (!rc)
        rc = acct_audit(c, actor, true, "role.update", "role", id, "ok", acct_detail_end(&d), err);
    if (!rc)
        rc = acct_commit(c, err);
    if (rc)
        zg_db_rollback(c);
    acct_detail_free(&d);
    zg_strbuf_free(&pj);
    return rc;
}

int zg_role_delete(zg_conn_t *c, const zg_actor_t *actor, int64_t id, zg_error_t *err)
{
    char ts[ZG_TIMESTAMP_SIZE];
    now_ts(ts);
    char code[64] = "";
    int rc = zg_db_begin(c, ZG_TX_WRITE, err);
    if (!rc)
        rc = lock_business_role(c, id, ts, err);
    if (!rc) {
        zg_param_t p[] = {ZG_P_INT(id)};
        int64_t used = 0;
        rc = zg_db_query_int(c, "SELECT count(*) FROM account_role WHERE role_id = $1", p, 1, &used,
                             err);
        if (!rc && used) {
            char msg[160];
            snprintf(msg, sizeof msg, "该角色仍由 %lld 个账号使用，请先取消分配", (long long)used);
            rc = zg_error_set(err, ZG_ERR_CONFLICT, "role_in_use", msg, "role in use");
        }
        zg_rows_t *rows;
        if (!rc &&
            !(rc = zg_db_query(c, "SELECT code FROM role WHERE id = $1", p, 1, &rows, err))) {
            if (zg_rows_next(rows, err) == 1)
                snprintf(code, sizeof code, "%s", zg_rows_text(rows, 0));
            zg_rows_close(rows);
        }
        if (!rc)
            rc = zg_db_exec(c, "DELETE FROM role_perm WHERE role_id = $1", p, 1, NULL, err);
        if (!rc)
            rc = zg_db_exec(c, "DELETE FROM role WHERE id = $1", p, 1, NULL, err);
    }
    if (!rc) {
        acct_detail_t d;
        acct_detail_init(&d);
        acct_detail_str(&d, "code", code);
        rc = acct_audit(c, actor, true, "role.delete", "role", id, "ok", acct_detail_end(&d), err);
        acct_detail_free(&d);
    }
    if (!rc)
        rc = acct_commit(c, err);
    if (rc)
        zg_db_rollback(c);
    return rc;
}
