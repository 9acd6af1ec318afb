/* audit.h — the tamper-evident audit log (SPEC §2 "Audit", issue 3). Every write and every
 * read of a full personal record appends one entry: time, account, IP, action, object,
 * outcome, and the changed fields (never secret values: no passwords, tokens, keys, and no
 * clear ID numbers or phones). Entries are chained with SM3 (GB/T 32905): each entry's hash
 * covers the previous entry's hash and the entry's own fields, so changing or deleting any
 * entry breaks the chain from there on; zg_audit_verify finds the first broken entry. The log
 * has no update or delete path in the API; entries are kept at least 180 days. */
#ifndef ZG_MODULES_AUDIT_H
#define ZG_MODULES_AUDIT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "core/status.h"

typedef struct zg_conn zg_conn_t;
typedef struct zg_db zg_db_t;
typedef struct zg_router zg_router_t;
typedef struct zg_req zg_req_t;
typedef struct zg_arena zg_arena_t;

/* Bounds of the stored fields, in bytes. Free texts (username, ip) longer than their bound are
 * cut at a UTF-8 character boundary (and invalid UTF-8 bytes become '?'); codes (action,
 * object_type) must be 1..64 characters of [a-z0-9_.:-] and outcome one of "ok", "denied",
 * "failed", or the append is refused with ZG_ERR_INVALID (a caller's bug, found by its tests).
 * detail must be a JSON object of at most ZG_AUDIT_DETAIL_INPUT_MAX bytes (else refused);
 * after secret values are hidden it is stored compact, and when that is longer than
 * ZG_AUDIT_DETAIL_MAX its members are kept in order while they fit and "_truncated": true is
 * added. */
#define ZG_AUDIT_USERNAME_MAX     128
#define ZG_AUDIT_IP_MAX           64
#define ZG_AUDIT_CODE_MAX         64
#define ZG_AUDIT_DETAIL_MAX       4096
#define ZG_AUDIT_DETAIL_INPUT_MAX 65536
/* Retention floor (SPEC §2 "Audit"): entries younger than this are never pruned. */
#define ZG_AUDIT_RETENTION_MIN_DAYS 180
/* What a hidden secret value is replaced with in detail. */
#define ZG_AUDIT_REDACTED "***"

typedef struct zg_audit_event {
    int64_t account_id;      /* 0 = anonymous or the system itself */
    const char *username;    /* NULL if none */
    const char *ip;          /* client IP, NULL for the CLI */
    const char *action;      /* "<module>.<verb>": "org.create", "auth.login", "member.view" */
    const char *object_type; /* "org", "account", "member", …; NULL if none */
    int64_t object_id;       /* 0 if none */
    const char *outcome;     /* "ok", "denied" or "failed" */
    const char *detail; /* JSON object text, e.g. {"name":{"from":"…","to":"…"}}; NULL = {} */
} zg_audit_event_t;

/* Appends one entry. Must run inside the caller's write transaction (zg_db_begin with
 * ZG_TX_WRITE), so the entry commits or rolls back together with the change it records; the
 * chain is serialized (SQLite: the write lock; PostgreSQL: the row lock on audit_head, taken
 * first and held to the end of the transaction — so append as the last step of a transaction,
 * to hold it briefly).
 *
 * Secrets: callers must not put secret values in detail (passwords, hashes, tokens, keys,
 * clear ID numbers or phones). As a safety net, the value of every member whose name contains
 * "password", "passwd", "token", "secret", "csrf", "id_number" or "phone" (any case, at any
 * depth) is replaced by ZG_AUDIT_REDACTED before the entry is hashed and stored, so the entry
 * still shows *that* such a field changed. Limits: see ZG_AUDIT_*_MAX above.
 * Returns 0; ZG_ERR_INVALID / ZG_ERR_TOO_LARGE for a malformed event; ZG_ERR_INTERNAL when the
 * chain's head row is missing (the log was tampered with; appends stop until it is repaired);
 * db errors as they come. */
int zg_audit_append(zg_conn_t *c, const zg_audit_event_t *e, zg_error_t *err);

/* Whether an entry with action `action` (outcome "ok") records a change of data: the rule of
 * every cache that follows the log (the statistics snapshot, the member list index). Anything
 * not known to be a read, a login or an account / role / audit / session / config matter
 * counts as a change, so a module added later makes caches rebuild too often rather than
 * too rarely. */
bool zg_audit_action_changes_data(const char *action);

/* Appends one entry in a write transaction of its own (for reads and refused attempts, which
 * have no transaction to join). */
int zg_audit_log(zg_conn_t *c, const zg_audit_event_t *e, zg_error_t *err);

/* Fills account, username and IP of `e` from the request's caller. */
void zg_audit_from_req(const zg_req_t *r, zg_audit_event_t *e);

typedef struct zg_audit_verify_result {
    bool ok;
    int64_t checked;       /* entries checked */
    int64_t first_bad_id;  /* id of the first entry that fails, 0 if ok */
    int64_t first_bad_seq; /* its place in the chain (ids equal seqs, see below), 0 if ok */
    char reason[256]; /* Chinese: what is wrong with it ("哈希值不符", "序号不连续") */
} zg_audit_verify_result_t;

/* Walks the whole chain in seq order, from the newest retention checkpoint (or from seq 1 with
 * 64 zeros as prev_hash), in batches of bounded size inside one read transaction (one snapshot;
 * must not be called inside a transaction), and reports the first broken entry:
 *   - a field changed: that entry's recomputed hash differs ("哈希值不符");
 *   - an entry deleted: the entry after the gap ("序号不连续");
 *   - an entry renumbered (seq or id changed): that entry;
 *   - the newest entries deleted: the chain ends before the head recorded in audit_head;
 *     first_bad_seq (and first_bad_id, ids being equal to seqs) is then the first missing one.
 * res->ok with res->checked when all is well. Returns 0 whenever the check ran (look at
 * res->ok); non-zero only when it could not run (db errors). Bounds memory: one batch. */
int zg_audit_verify(zg_conn_t *c, zg_audit_verify_result_t *res, zg_error_t *err);

typedef struct zg_audit_prune_result {
    int64_t pruned;    /* entries deleted */
    int64_t first_seq; /* seq of the first retained entry (the new checkpoint) */
    char cutoff[24];   /* entries older than this UTC timestamp were eligible */
} zg_audit_prune_result_t;

/* Retention (SPEC §2: kept at least 180 days): deletes the entries older than `days` days,
 * which must be >= ZG_AUDIT_RETENTION_MIN_DAYS (else ZG_ERR_INVALID, nothing changed). First
 * verifies the chain and refuses (ZG_ERR_CONFLICT) to prune a broken one, so pruning never
 * erases the evidence of tampering. Then, in one write transaction, it appends an
 * "audit.prune" entry, deletes every entry before the first one younger than the cutoff (a
 * prefix of the chain; the newest entry always stays) and records that entry's seq and hashes
 * in audit_checkpoint, from where zg_audit_verify starts. Must not be called inside a
 * transaction. For operators (CLI) only: no HTTP route prunes. */
int zg_audit_prune(zg_conn_t *c, int days, zg_audit_prune_result_t *res, zg_error_t *err);

/* Replaces the clock that stamps entries and computes the pruning cutoff (NULL = time()).
 * For tests only; set it while no other thread appends. */
void zg_audit_set_clock(time_t (*now)(void));

/* Filters of the list; NULL / 0 = no filter. */
typedef struct zg_audit_filter {
    const char *at_from;       /* entries with at >= this UTC timestamp */
    const char *at_before;     /* entries with at < this UTC timestamp */
    const char *username;      /* exact */
    const char *action_prefix; /* action starts with this ("org." or "org.create") */
    const char *object_type;   /* exact */
    int64_t object_id;         /* exact, with or without object_type */
    const char *outcome;       /* "ok" / "denied" / "failed" */
    int64_t page;              /* 1-based */
    int64_t page_size;         /* 1..100 */
} zg_audit_filter_t;

/* One stored entry; strings live in the arena given to zg_audit_list. */
typedef struct zg_audit_entry {
    int64_t id, seq, account_id, object_id;
    const char *at, *username, *ip, *action, *object_type, *outcome, *detail, *prev_hash, *hash;
    /* username, ip, object_type, detail: NULL when stored as NULL */
} zg_audit_entry_t;

/* One page of entries matching `f`, newest first (highest seq), and the number of all
 * matching entries. *items (n of them) and their strings are allocated in `a`. Filter values
 * are bound as parameters; ZG_ERR_INVALID when page / page_size are out of range. */
int zg_audit_list(zg_conn_t *c, zg_arena_t *a, const zg_audit_filter_t *f, zg_audit_entry_t **items,
                  size_t *n, int64_t *total, zg_error_t *err);

/* `zugong audit-verify`: verifies the chain, records an "audit.verify" entry (account 0; a
 * failure to record, e.g. on a read-only copy, is only logged) and prints to `out`
 *   审计日志完整：共 N 条记录，哈希链校验通过                       → returns 0
 *   审计日志被篡改：第 N 条记录（id=…）<reason>                     → returns 1
 *   无法校验审计日志：<message>                                      → returns 1 */
int zg_audit_cli_verify(zg_db_t *db, FILE *out);

/* `zugong audit-prune [DAYS]`: zg_audit_prune with `days` (text; NULL = 180), printing the
 * outcome to `out`. Returns 0, 1 on a runtime failure (broken chain, db), 2 on a bad DAYS
 * (not a number, or below 180). */
int zg_audit_cli_prune(zg_db_t *db, const char *days, FILE *out);

/* Registers GET /api/v1/audit (list, auditor only) and GET /api/v1/audit/verify. No route
 * changes or deletes entries. */
int zg_audit_routes(zg_router_t *rt);

#endif
