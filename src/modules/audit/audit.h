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

#include "core/status.h"

typedef struct zg_conn zg_conn_t;
typedef struct zg_router zg_router_t;
typedef struct zg_req zg_req_t;

typedef struct zg_audit_event {
    int64_t account_id;      /* 0 = anonymous or the system itself */
    const char *username;    /* NULL if none */
    const char *ip;          /* client IP, NULL for the CLI */
    const char *action;      /* "<module>.<verb>": "org.create", "auth.login", "member.view" */
    const char *object_type; /* "org", "account", "member", …; NULL if none */
    int64_t object_id;       /* 0 if none */
    const char *outcome;     /* "ok", "denied" or "failed" */
    const char *detail;      /* JSON object text, e.g. {"name":{"from":"…","to":"…"}}; NULL = {} */
} zg_audit_event_t;

/* Appends one entry. Must run inside the caller's write transaction (zg_db_begin with
 * ZG_TX_WRITE), so the entry commits or rolls back together with the change it records; the
 * chain is serialized (SQLite: the write lock; PostgreSQL: an advisory transaction lock). */
int zg_audit_append(zg_conn_t *c, const zg_audit_event_t *e, zg_error_t *err);

/* Appends one entry in a write transaction of its own (for reads and refused attempts, which
 * have no transaction to join). */
int zg_audit_log(zg_conn_t *c, const zg_audit_event_t *e, zg_error_t *err);

/* Fills account, username and IP of `e` from the request's caller. */
void zg_audit_from_req(const zg_req_t *r, zg_audit_event_t *e);

typedef struct zg_audit_verify_result {
    bool ok;
    int64_t checked;       /* entries checked */
    int64_t first_bad_id;  /* id of the first entry that fails, 0 if ok */
    char reason[256];      /* Chinese: what is wrong with it ("哈希值不符", "序号不连续") */
} zg_audit_verify_result_t;

/* Walks the whole chain in order and reports the first broken entry. */
int zg_audit_verify(zg_conn_t *c, zg_audit_verify_result_t *res, zg_error_t *err);

/* Registers GET /api/v1/audit (list, auditor only) and GET /api/v1/audit/verify. */
int zg_audit_routes(zg_router_t *rt);

#endif
