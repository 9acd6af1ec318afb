/* member_index.h — the member list index: a process-wide, immutable, reference-counted copy of
 * what member lists filter and sort on, for every membership (every status), so that
 * zg_member_list answers `total` and the ids of a page without running its count(*) and its
 * ORDER BY over a whole subtree. zg_member_list then reads the page's rows by id with its own
 * SELECT. docs/api-members.md "How lists are answered".
 *
 * Exactness. The index answers only what it answers exactly as the SQL of zg_member_list does,
 * on both backends: the org subtree is a range of a DFS pre-order of org.parent_id (the tree
 * org_closure holds); name order is the row order of the build query's ORDER BY p.name, m.id
 * (so the database's collation decides, PostgreSQL's included); NULL birth dates sort first
 * ascending on SQLite and last on PostgreSQL; a filter value no membership holds matches
 * nothing; the name search (q) is a substring match, ASCII case folded on SQLite (its LIKE)
 * and exact on PostgreSQL. Everything else goes to SQL: as_of, id_number, keyset pages
 * (q->after), offset + limit beyond ZG_MEMBER_INDEX_WINDOW, a data set the index cannot hold
 * exactly (more than 250 distinct values of a coded column, a date that is not YYYY-MM-DD),
 * no index yet, a stale index, the index switched off (config member_list_index).
 *
 * Freshness (exact, across processes too). Every write appends its audit entry inside its
 * write transaction, so the audit log's max(seq) says which data a reader sees. The builder
 * reads max(seq) and all the data in one read transaction (SQLite WAL snapshot, PostgreSQL
 * REPEATABLE READ), and the index records that seq. Each list first reads max(seq): equal →
 * the index is current; greater → the entries in between are read and judged with
 * zg_audit_action_changes_data: none changed data → the index's seq moves up and it is used;
 * one did → the index is stale, the builder is woken and this list (and the next ones, until
 * the new index is in) runs its SQL.
 *
 * Threads. One builder thread, started by the first list that could use the index; at most one
 * build at a time, and a build is started after the last change it must cover. Readers take a
 * reference under a mutex held for a pointer copy; the old index is freed by whoever drops its
 * last reference. */
#ifndef ZG_MODULES_MEMBER_INDEX_H
#define ZG_MODULES_MEMBER_INDEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/status.h"
#include "modules/member/member.h"

/* The deepest page the index answers: offset + limit at most this (a bounded heap). */
#define ZG_MEMBER_INDEX_WINDOW 10000

/* Binds the index to database `db` and switches it on or off (config member_list_index). No
 * thread starts here: the builder starts on the first list that could use the index. Binding
 * another database first stops the builder and drops the old index. Call at start (zg_app_open,
 * after zg_member_configure) or from tests; lists on any other database run their SQL. */
void zg_member_index_configure(zg_db_t *db, bool enabled);

/* Stops the builder (a build in progress gives up between batches), joins it and drops the
 * index. zg_app_close calls it before zg_db_close: the builder reads through its own
 * connection of that database. Safe to call more than once. */
void zg_member_index_stop(void);

/* For zg_member_list, after its paging and scope checks: 1 = answered, with *total and the ids
 * of the page (*ids, *n, in the list's order, allocated in `a`); 0 = the index cannot answer
 * this list now (run the SQL); < 0 = a database error (err set). */
int zg_member_index_page(zg_conn_t *c, zg_arena_t *a, int64_t scope, const zg_member_query_t *q,
                         int64_t **ids, size_t *n, int64_t *total, zg_error_t *err);

/* What the index is doing, for tests and operators. */
typedef struct zg_member_index_status {
    bool enabled;          /* configured on */
    bool running;          /* the builder thread runs */
    bool built;            /* an index is in memory */
    uint64_t builds;       /* successful builds */
    uint64_t failures;     /* failed builds (including "cannot be held exactly") */
    int64_t seq;           /* the audit seq the index covers (moves up on reads) */
    int64_t members, orgs; /* in the index */
    double last_build_seconds;
    uint64_t by_index, by_sql; /* lists answered by the index / sent to SQL by it */
    bool last_used_index;      /* whether the last list (any thread) used the index */
} zg_member_index_status_t;

void zg_member_index_status(zg_member_index_status_t *out);

/* Waits up to timeout_ms until an index covering the database's current audit seq is in use
 * (starting the builder when needed). ZG_OK, or ZG_ERR_BUSY on timeout / when switched off.
 * For tests and benchmarks. */
int zg_member_index_wait_fresh(zg_conn_t *c, int timeout_ms, zg_error_t *err);

/* The current index's tree (tests compare it with org_closure): 1 when `org` lies in the
 * subtree of `root` (root itself included), 0 when not, -1 when either org is unknown or no
 * index is built. */
int zg_member_index_in_subtree(int64_t root, int64_t org);

/* The number of orgs in the subtree of `root` in the current index's tree, -1 when unknown. */
int64_t zg_member_index_subtree_size(int64_t root);

#endif
