/* account.h — accounts, roles, permissions and login sessions (issue 3 §3–§4).
 *
 * Who may do what: an account holds roles; a role grants permission strings "module:action"
 * (the catalog is zg_perms_at); an account has one home org, the root of its data scope.
 * The three built-in administrator roles (三员分立: sysadmin 系统管理员, secadmin 安全管理员,
 * auditor 安全审计员) cannot be combined on one account, nor with any business role
 * (rule account.separation_of_duties), and grant no business permission.
 *
 * Passwords: argon2id (core/crypto.h), policy checked through the rule registry
 * (account.password_length / _classes / _not_username / _history / _expiry), lockout after
 * repeated failures (account.lockout). Sessions: 32 random bytes sent as hex (cookie or
 * Bearer), stored only as their SM3 hash, with idle and absolute timeouts.
 *
 * Files: account_policy.c (pure rules, no storage), account_perms.c (the permission catalog),
 * account.c (accounts and roles in storage), account_session.c (login, sessions and the
 * authenticator), account_api.c (HTTP handlers), account_rules.c (the rule table).
 *
 * Times inside the module are Unix seconds (int64_t); storage holds them as
 * "YYYY-MM-DD HH:MM:SS" UTC. Every write is audited in its own transaction (module audit);
 * audit details never contain passwords, hashes or tokens. */
#ifndef ZG_MODULES_ACCOUNT_H
#define ZG_MODULES_ACCOUNT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/config.h"
#include "core/crypto.h"
#include "core/date.h"
#include "core/status.h"
#include "rules/rules.h"

typedef struct zg_db zg_db_t;
typedef struct zg_conn zg_conn_t;
typedef struct zg_router zg_router_t;
typedef struct zg_req zg_req_t;
typedef struct zg_principal zg_principal_t;

/* ---- policy (account_policy.c) ---------------------------------------------------------- */

#define ZG_PASSWORD_MIN_CHARS   8   /* account.password_length */
#define ZG_PASSWORD_MAX_CHARS   128 /* bounds hashing work; well under ZG_PASSWORD_MAX_BYTES */
#define ZG_PASSWORD_MIN_CLASSES 3   /* account.password_classes: of upper, lower, digit, other */
#define ZG_PASSWORD_HISTORY     5   /* account.password_history: the current one included */
#define ZG_USERNAME_MAX         32
#define ZG_DISPLAY_NAME_MAX     50 /* characters */
/* One-time passwords: 12 characters of an unambiguous alphabet, all four classes. */
#define ZG_ONE_TIME_PASSWORD_LEN  12
#define ZG_ONE_TIME_PASSWORD_SIZE (ZG_ONE_TIME_PASSWORD_LEN + 1)

/* The settings of the account module, in the units it computes with. */
typedef struct zg_account_policy {
    int64_t session_idle_s;     /* idle timeout; default 30 min */
    int64_t session_absolute_s; /* absolute session lifetime; default 12 h */
    int lockout_threshold;      /* consecutive failures that lock; default 5 */
    int64_t lockout_s;          /* lock duration; default 15 min */
    int password_expiry_days;   /* 0 = never; default 90 */
    bool cookie_secure;         /* always __Host- + Secure cookies */
} zg_account_policy_t;

/* The built-in defaults (the same as zg_config_defaults'). */
zg_account_policy_t zg_account_policy_defaults(void);
/* The policy of a configuration (session_idle_minutes, session_absolute_hours,
 * lockout_threshold, lockout_minutes, password_expiry_days, cookie_secure). */
zg_account_policy_t zg_account_policy_from_config(const zg_config_t *cfg);

/* Which of the four character classes (A–Z, a–z, 0–9, anything else) `pw` uses: 0..4. */
int zg_password_classes(const char *pw);

/* Checks a new password against account.password_length (≥ 8 characters),
 * account.password_classes (≥ 3 of 4 classes) and account.password_not_username (does not
 * contain the username, ignoring ASCII case; skipped when username is NULL or empty). Each
 * violation adds a block finding on `field` to f. Returns the number of findings added.
 * The history rule needs storage: see zg_account_change_password. */
int zg_password_check(const char *username, const char *password, const char *field,
                      zg_findings_t *f);

/* account.password_expiry: whether a password set at `changed_at` has expired at `now`
 * (it expires exactly expiry_days × 24 h later; expiry_days 0 = never). */
bool zg_password_expired(int64_t changed_at, int64_t now, int expiry_days);

/* account.lockout: whether an account locked until `locked_until` (0 = never locked) is still
 * locked at `now` (the lock ends at locked_until itself). */
bool zg_account_is_locked(int64_t locked_until, int64_t now);

/* account.lockout: the state after one more failed login. `failed_before` is the stored count
 * of consecutive failures. When the new count reaches the threshold the account locks until
 * now + lockout_s and the count restarts at 0 (so after the lock a user has the full number
 * of attempts again); otherwise *locked_until is 0. */
void zg_account_after_failure(const zg_account_policy_t *p, int failed_before, int64_t now,
                              int *failed_after, int64_t *locked_until);

/* Minutes left of a lock (rounded up, at least 1), for "请N分钟后再试". */
int zg_account_lock_minutes_left(int64_t locked_until, int64_t now);

/* Usernames: 2–32 characters of a–z, 0–9, '_', '.', '-', starting with a letter or digit;
 * upper case is accepted and folded to lower case. Writes the folded name into out
 * (ZG_USERNAME_MAX + 1 bytes). Returns 0 or ZG_ERR_INVALID (err has the Chinese message). */
int zg_username_normalize(const char *in, char out[ZG_USERNAME_MAX + 1], zg_error_t *err);

/* Generates a one-time password that passes zg_password_check for `username`. */
void zg_one_time_password(const char *username, char out[ZG_ONE_TIME_PASSWORD_SIZE]);

/* Storage timestamps: "YYYY-MM-DD HH:MM:SS" UTC ⇄ Unix seconds. parse returns 0 or
 * ZG_ERR_INVALID; format writes ZG_TIMESTAMP_SIZE bytes ("" for a time outside 1800–9999). */
int zg_account_ts_parse(const char *s, int64_t *out);
void zg_account_ts_format(int64_t t, char buf[ZG_TIMESTAMP_SIZE]);
/* Unix seconds now. */
int64_t zg_account_now(void);

/* ---- roles and separation of duties ----------------------------------------------------- */

typedef enum {
    ZG_ROLE_BUSINESS = 0,
    ZG_ROLE_SYSADMIN = 1, /* 系统管理员: accounts, configuration */
    ZG_ROLE_SECADMIN = 2, /* 安全管理员: roles, permissions, role assignment */
    ZG_ROLE_AUDITOR = 3,  /* 安全审计员: the audit log only */
} zg_role_kind;

/* "sysadmin" / "secadmin" / "auditor" / "business" and back (-1 when unknown). */
const char *zg_role_kind_name(zg_role_kind k);
int zg_role_kind_parse(const char *s);

/* A role as the separation check sees it. */
typedef struct zg_role_ref {
    const char *code;
    const char *name; /* Chinese */
    zg_role_kind kind;
    bool business_perms; /* grants at least one business permission */
} zg_role_ref_t;

/* account.separation_of_duties: the roles one account would hold together. At most one of
 * the administrator kinds; an account with an administrator role holds no business role and
 * no role granting a business permission. Adds a block finding on field "roles" per
 * violation; returns the number added. */
int zg_account_check_separation(const zg_role_ref_t *roles, int n, zg_findings_t *f);

/* ---- permission catalog (account_perms.c) ----------------------------------------------- */

typedef enum {
    ZG_PERM_SYSTEM = 1,   /* the system administrator's */
    ZG_PERM_SECURITY = 2, /* the security administrator's */
    ZG_PERM_AUDIT = 3,    /* the auditor's */
    ZG_PERM_BUSINESS = 4, /* business data: only business roles grant these */
} zg_perm_group;

typedef struct zg_perm_info {
    const char *perm; /* "module:action" */
    const char *text; /* Chinese description */
    zg_perm_group group;
} zg_perm_info_t;

size_t zg_perms_count(void);
const zg_perm_info_t *zg_perms_at(size_t i);
/* The catalog entry of `perm`, or NULL for an unknown permission. */
const zg_perm_info_t *zg_perm_get(const char *perm);
/* "system" / "security" / "audit" / "business" */
const char *zg_perm_group_name(zg_perm_group g);
/* Whether `perm` reads or writes business data (group business; an unknown permission whose
 * module is org, member or stats counts as business too). */
bool zg_perm_is_business(const char *perm);

/* ---- accounts and roles in storage (account.c) ------------------------------------------ */

/* Who is acting, for audit entries and the account-management scope. NULL actor = the
 * system itself (CLI, demo): no scope limit, audited as account 0. */
typedef struct zg_actor {
    int64_t account_id;
    const char *username;
    const char *ip;
    int64_t home_org_id; /* 0 = the whole system; else only accounts homed in this subtree */
} zg_actor_t;

typedef struct zg_account_new {
    const char *username;      /* normalized (lower case) before storing */
    const char *display_name;  /* 1–50 characters */
    int64_t home_org_id;       /* 0 = none: only for accounts holding no business role */
    const char *password;      /* NULL → a one-time password is generated */
    bool must_change_password; /* forced when password is NULL */
    const char *const *roles;  /* role codes (may be NULL when nroles is 0) */
    int nroles;
    bool admin_roles_only;   /* refuse business roles (a system administrator creating accounts
                                without account:assign_role: business roles are the security
                                administrator's to give) */
    const zg_actor_t *actor; /* NULL = the system */
    /* out: the generated one-time password when password was NULL, else "" */
    char one_time_password[ZG_ONE_TIME_PASSWORD_SIZE];
} zg_account_new_t;

/* Creates an account with its roles in one write transaction (audited "account.create").
 * Checks: username format and uniqueness (409 code "username_taken"), display name, home org
 * exists and is active (and in the actor's scope), the password policy when a password is
 * given, roles exist, account.separation_of_duties, business roles need a home org.
 * Rule violations are added to f (its arena holds their messages) and returned as
 * ZG_ERR_INVALID with err->code "rule_violation"; other bad input as ZG_ERR_INVALID with a
 * field-specific code. On success *id (may be NULL) is the new account's id.
 * Opens its own transaction: do not call inside one. */
int zg_account_create(zg_conn_t *c, zg_account_new_t *a, int64_t *id, zg_findings_t *f,
                      zg_error_t *err);

/* `zugong init`: when the database has no account yet, creates the first system
 * administrator, username "admin", role sysadmin, no home org. With admin_password (the
 * value of ZUGONG_ADMIN_PASSWORD; NULL or "" = none; checked against the password policy,
 * ZG_ERR_INVALID with the findings' messages in err->message when it fails) the password is that
 * one and need not be changed; with NULL a one-time password is generated, written to one_time_out
 * (cap ≥ ZG_ONE_TIME_PASSWORD_SIZE) and must be changed at first login. When accounts exist
 * nothing is done and *created = false (one_time_out = ""). The other administrators
 * (secadmin, auditor) are created by admin through POST /api/v1/accounts. */
int zg_account_bootstrap(zg_db_t *db, const char *admin_password, char *one_time_out, size_t cap,
                         bool *created, zg_error_t *err);

/* A role as listed. Strings and arrays live in the arena given to the list function. */
typedef struct zg_role_info {
    int64_t id;
    const char *code, *name, *description;
    zg_role_kind kind;
    bool builtin;
    int nperms;
    const char **perms; /* sorted */
    int64_t account_count;
} zg_role_info_t;

/* An account as listed (no password hash). */
typedef struct zg_account_info {
    int64_t id;
    const char *username, *display_name;
    int64_t home_org_id;       /* 0 = none */
    const char *home_org_name; /* NULL when none */
    const char *status;        /* "active" / "disabled" */
    bool must_change_password;
    bool locked;
    const char *locked_until; /* NULL when not locked */
    int failed_count;
    const char *password_changed_at, *last_login_at, *created_at, *updated_at;
    int nroles;
    zg_role_ref_t *roles;
} zg_account_info_t;

/* Accounts visible to the actor (all for home_org_id 0, else those homed in its subtree),
 * filtered by `q` (a part of the username or display name; NULL = all) and `status` (NULL =
 * any), ordered by username, page 1-based. Results in `a`. */
int zg_account_list(zg_conn_t *c, zg_arena_t *a, const zg_actor_t *actor, const char *q,
                    const char *status, int page, int page_size, zg_account_info_t **items, int *n,
                    int64_t *total, zg_error_t *err);

/* One account (ZG_ERR_NOT_FOUND when it does not exist or is outside the actor's scope). */
int zg_account_get(zg_conn_t *c, zg_arena_t *a, const zg_actor_t *actor, int64_t id,
                   zg_account_info_t *out, zg_error_t *err);

/* Changes display name and/or home org (NULL / has_home_org false = unchanged; home_org_id 0
 * = none, only for an account without business roles). Audited "account.update". */
int zg_account_update(zg_conn_t *c, const zg_actor_t *actor, int64_t id, const char *display_name,
                      bool has_home_org, int64_t home_org_id, zg_error_t *err);

/* Disables (and ends every session of) or re-enables an account. An actor cannot disable
 * itself, and the last active system administrator cannot be disabled. Audited
 * "account.disable" / "account.enable". */
int zg_account_set_disabled(zg_conn_t *c, const zg_actor_t *actor, int64_t id, bool disabled,
                            zg_error_t *err);

/* Clears a lock and the failure count. Audited "account.unlock". */
int zg_account_unlock(zg_conn_t *c, const zg_actor_t *actor, int64_t id, zg_error_t *err);

/* Gives the account a new one-time password (written to one_time_out), which must be changed
 * at the next login; clears any lock; ends every session of the account. Audited
 * "account.reset_password" (without the password). */
int zg_account_reset_password(zg_conn_t *c, const zg_actor_t *actor, int64_t id,
                              char one_time_out[ZG_ONE_TIME_PASSWORD_SIZE], zg_error_t *err);

/* Replaces the account's roles with `codes`. With business_only (the security
 * administrator's endpoint) only business roles may be given or taken: the administrator
 * roles are set when an administrator account is created. Enforces
 * account.separation_of_duties (findings in f, ZG_ERR_INVALID "rule_violation") and that
 * business roles need a home org. Permissions are read per request, so a change applies to
 * the account's open sessions at once. Audited "account.assign_roles". */
int zg_account_set_roles(zg_conn_t *c, const zg_actor_t *actor, int64_t id,
                         const char *const *codes, int n, bool business_only, zg_findings_t *f,
                         zg_error_t *err);

/* Roles, ordered built-in first then by code. */
int zg_role_list(zg_conn_t *c, zg_arena_t *a, zg_role_info_t **items, int *n, zg_error_t *err);
int zg_role_get(zg_conn_t *c, zg_arena_t *a, int64_t id, zg_role_info_t *out, zg_error_t *err);

/* Creates a business role. code: 2–32 of a–z, 0–9, '_' starting with a letter; name 1–30
 * characters, unique; perms: known business permissions only (an administrator permission in
 * a business role would bypass 三员分立). Audited "role.create". */
int zg_role_create(zg_conn_t *c, const zg_actor_t *actor, const char *code, const char *name,
                   const char *description, const char *const *perms, int nperms, int64_t *id,
                   zg_error_t *err);

/* Changes a business role (NULL name/description and perms == NULL leave them unchanged).
 * Built-in roles are immutable (ZG_ERR_FORBIDDEN "role_builtin"). Audited "role.update". */
int zg_role_update(zg_conn_t *c, const zg_actor_t *actor, int64_t id, const char *name,
                   const char *description, const char *const *perms, int nperms, zg_error_t *err);

/* Deletes a business role that no account holds (else ZG_ERR_CONFLICT "role_in_use").
 * Audited "role.delete". */
int zg_role_delete(zg_conn_t *c, const zg_actor_t *actor, int64_t id, zg_error_t *err);

/* ---- login and sessions (account_session.c) -------------------------------------------- */

typedef struct zg_login_input {
    const char *username;
    const char *password;
    const char *ip;             /* client IP; may be NULL */
    const char *user_agent;     /* may be NULL; stored as printable ASCII, at most 256 bytes */
    const char *previous_token; /* a session token the client still sent (deleted), or NULL */
} zg_login_input_t;

typedef struct zg_login_result {
    int64_t account_id;
    int64_t session_id;
    char token[ZG_TOKEN_STR_SIZE];      /* give to the client; stored only as its hash */
    char csrf_token[ZG_TOKEN_STR_SIZE]; /* for X-CSRF-Token */
    bool must_change_password; /* one-time password, or expired (account.password_expiry) */
} zg_login_result_t;

/* Checks the credentials and opens a new session. Errors (all audited "auth.login"):
 *   ZG_ERR_UNAUTHORIZED "invalid_credentials" 用户名或密码错误 — unknown user (a dummy hash
 *     is verified so the answer takes as long) or wrong password (counts toward the lock);
 *   ZG_ERR_FORBIDDEN "account_locked" 账号已锁定，请N分钟后再试 — account.lockout, even with
 *     the right password;
 *   ZG_ERR_FORBIDDEN "account_disabled" — right password, disabled account.
 * Success resets the failure count. */
int zg_account_login(zg_conn_t *c, const zg_account_policy_t *p, const zg_login_input_t *in,
                     zg_login_result_t *out, zg_error_t *err);

/* Ends a session (audited "auth.logout"). */
int zg_account_logout(zg_conn_t *c, const zg_actor_t *actor, int64_t session_id, zg_error_t *err);

/* Changes the account's own password: the old one must match (a wrong one counts toward the
 * lock, as at login), the new one passes the policy (findings in f) and is none of the last
 * ZG_PASSWORD_HISTORY passwords (account.password_history). Clears must_change_password,
 * records the new hash in the history, ends every other session of the account
 * (keep_session_id survives; 0 = end all). Audited "auth.password_change". */
int zg_account_change_password(zg_conn_t *c, const zg_account_policy_t *p, const zg_actor_t *actor,
                               int64_t keep_session_id, const char *old_password,
                               const char *new_password, zg_findings_t *f, zg_error_t *err);

/* The registered authenticator (http/auth.h): `Authorization: Bearer <64 hex>` or the cookie
 * zg_session / __Host-zg_session → session → principal in the request arena, with the sorted
 * union of its roles' permissions. ZG_ERR_UNAUTHORIZED: no or unknown credentials
 * ("unauthorized", 请先登录), idle or absolute expiry ("session_expired",
 * 登录已过期，请重新登录; the row is deleted), disabled account. last_seen_at is written at most
 * once a minute. */
int zg_account_authenticate(zg_req_t *r, zg_principal_t **out, zg_error_t *err);

/* Start-up: applies the configuration's argon2id cost (argon2_ops, argon2_mem_kib) and
 * registers zg_account_authenticate. Call once before the server starts. */
int zg_account_configure(const zg_config_t *cfg, zg_error_t *err);

/* The session cache (account_session_cache.c): an authenticated session is kept in memory
 * for `session_cache_ms` (config; 0 = off). The module's own writes make it re-read at once;
 * a change to sessions, accounts or roles made outside the module (a tool writing SQL, a test)
 * is seen after at most that time, or at once after this call. */
void zg_account_sessions_changed(void);
/* Sets the cache's lifetime (tests; before or while serving). */
void zg_account_set_session_cache_ms(int ms);

/* Names of the session cookie: plain, and with the __Host- prefix over HTTPS. */
#define ZG_SESSION_COOKIE        "zg_session"
#define ZG_SESSION_COOKIE_SECURE "__Host-zg_session"

/* ---- HTTP (account_api.c) --------------------------------------------------------------- */

/* Registers the routes under /api/v1/auth, /api/v1/accounts, /api/v1/roles and
 * /api/v1/permissions. */
int zg_account_routes(zg_router_t *rt);

#endif
