/* account_internal.h — helpers shared by the account module's files (not for other modules). */
#ifndef ZG_MODULES_ACCOUNT_INTERNAL_H
#define ZG_MODULES_ACCOUNT_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "core/strbuf.h"
#include "core/arena.h"
#include "db/db.h"
#include "http/auth.h"
#include "modules/account/account.h"

/* Audit detail as a JSON object, built in a malloc'd buffer of bounded size. Member names
 * must not contain "password", "token" or "csrf": the audit module would redact the value. */
typedef struct acct_detail {
    zg_strbuf_t sb;
    bool first;
} acct_detail_t;

void acct_detail_init(acct_detail_t *d);
void acct_detail_str(acct_detail_t *d, const char *key, const char *value); /* NULL → null */
void acct_detail_int(acct_detail_t *d, const char *key, int64_t value);
void acct_detail_bool(acct_detail_t *d, const char *key, bool value);
/* `json` is already JSON text (an array or object). */
void acct_detail_raw(acct_detail_t *d, const char *key, const char *json);
/* Closes the object; the text lives until acct_detail_free. */
const char *acct_detail_end(acct_detail_t *d);
void acct_detail_free(acct_detail_t *d);

/* Appends an audit entry: inside the caller's write transaction (in_tx) with zg_audit_append,
 * or in one of its own with zg_audit_log. actor NULL = the system (account 0). */
int acct_audit(zg_conn_t *c, const zg_actor_t *actor, bool in_tx, const char *action,
               const char *object_type, int64_t object_id, const char *outcome, const char *detail,
               zg_error_t *err);

/* zg_password_hash / zg_password_verify with their statuses turned into user errors.
 * verify: 0 match, ZG_ERR_UNAUTHORIZED mismatch, other errors with err set. */
int acct_hash_password(const char *password, char out[ZG_PASSWORD_HASH_SIZE], zg_error_t *err);
int acct_verify_password(const char *stored, const char *password, zg_error_t *err);

/* Records `hash` as the newest password of the account and keeps the last
 * ZG_PASSWORD_HISTORY. Inside a write transaction. */
int acct_history_add(zg_conn_t *c, int64_t account_id, const char *hash, const char *now_ts,
                     zg_error_t *err);

/* Deletes the account's sessions except keep_id (0 = all). */
int acct_sessions_delete(zg_conn_t *c, int64_t account_id, int64_t keep_id, zg_error_t *err);

/* SM3 of the token's bytes, as 64 hex characters. ZG_ERR_INVALID when `token` is not exactly
 * 64 hex characters. */
int acct_token_hash(const char *token, char out[ZG_TOKEN_STR_SIZE]);

/* The session token the request carries (copied into its arena): `Authorization: Bearer`
 * first (API clients), else the cookie (__Host-zg_session preferred to zg_session). NULL when
 * there is none; *bearer_bad when an Authorization header is not a Bearer token. */
const char *acct_request_token(zg_req_t *r, bool *via_cookie, bool *bearer_bad);

/* ---- the session cache (account_session_cache.c) ---------------------------------------- */

/* What the authenticator reads for a session token: the session, its account and the
 * account's permissions (sorted). Strings live in the request arena. */
typedef struct acct_session_row {
    int64_t session_id, account_id, home_org_id;
    int64_t last_seen, expires, changed; /* seconds (zg_account_now) */
    bool bad_time;                       /* a stored timestamp did not parse */
    bool must_change, active;
    const char *csrf, *username, *display_name;
    int nperms;
    const char *perms[ZG_MAX_PERMS];
} acct_session_row_t;

/* Entries live ms milliseconds (0 = no cache). Before serving. */
void acct_cache_configure(int ms);
/* The generation to pass to acct_cache_put: read it before the database read. */
uint64_t acct_cache_generation(void);
/* Any write to sessions, accounts, roles or permissions: every entry becomes stale. */
void acct_cache_changed(void);
/* zg_db_commit followed by acct_cache_changed: the account module's commits. */
int acct_commit(zg_conn_t *c, zg_error_t *err);
/* The cached row for the token hash (strings copied into a); false on a miss. */
bool acct_cache_get(const char *hash, zg_arena_t *a, acct_session_row_t *row);
/* Stores a row read at generation gen (dropped when a write happened since). */
void acct_cache_put(const char *hash, uint64_t gen, const acct_session_row_t *row);
/* The session's last_seen_at was rewritten. */
void acct_cache_touch(const char *hash, int64_t last_seen);

#endif
