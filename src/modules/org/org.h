/* org.h — the org tree (SPEC §3.1–3.2, issue 3 §1): orgs and their closure table, the
 * history of renames, moves and other changes, leadership teams with terms, yearly grading
 * (分类定级), and the setup rules of RULES.md §2.1–2.2 (rule table in org_rules.c).
 *
 * No HTTP here: the CLI, the demo loader, the tests and org_api.c all call these functions.
 *
 * Scope: every function that reads or changes an existing org takes a scope root (`scope`,
 * the caller's home org) and answers ZG_ERR_NOT_FOUND for an org outside that subtree, the
 * same as for one that does not exist. There is no "unscoped" value: the CLI passes the
 * tree's root.
 *
 * Writes: each write function runs its own write transaction, records its change in
 * org_change (where it is a change of the org itself) and appends one audit entry
 * ("org.create", "org.rename", "org.move", "org.update", "org.dissolve", "org.leader.add",
 * "org.leader.replace", "org.leader.end", "org.grading") in the same transaction, so the
 * change and its records commit together. Structural writes (create, move, dissolve) take
 * the one-row org_tree_lock first, which serializes them on PostgreSQL as BEGIN IMMEDIATE
 * does on SQLite; writes of one org's team or grading lock that org's row.
 *
 * Rules: a write is refused (ZG_ERR_INVALID, err->code "rule_violation", the findings in
 * op->findings) when it introduces a violation of a "shall" (block) rule or makes an existing
 * one worse; violations that predate the write stay visible in zg_org_check but do not stop
 * unrelated work (a secretary can still be recorded in a branch that lacks its committee).
 * "Generally" (warn) and info findings of the state after a successful write are returned
 * in op->findings.
 *
 * Memory: results (structs, arrays, strings) are allocated in the arena passed in; nothing
 * needs freeing. Dates are zg_date_t inside, ZG_ORG_NO_DATE when absent. */
#ifndef ZG_MODULES_ORG_H
#define ZG_MODULES_ORG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/date.h"
#include "core/status.h"
#include "rules/rules.h"

typedef struct zg_conn zg_conn_t;
typedef struct zg_db zg_db_t;
typedef struct zg_router zg_router_t;

/* "No date" in a zg_date_t field. */
#define ZG_ORG_NO_DATE INT32_MIN

/* Limits (characters for strings). */
#define ZG_ORG_NAME_MAX       100
#define ZG_ORG_SHORT_NAME_MAX 40
#define ZG_ORG_CODE_MAX       32 /* letters, digits, '-' and '_' */
#define ZG_ORG_UNIT_NAME_MAX  100
#define ZG_ORG_UNIT_COUNT_MAX 1000
#define ZG_ORG_PERSON_MAX     50 /* a person's name */
#define ZG_ORG_TITLE_MAX      30 /* a committee member's title, e.g. 组织委员 */
#define ZG_ORG_REASON_MAX     200
#define ZG_ORG_NOTE_MAX       500
#define ZG_ORG_INDICATORS_MAX 16384 /* bytes of the grading indicators JSON */
#define ZG_ORG_TREE_DEPTH_MAX 64    /* levels below the root a subtree fetch may ask for */
#define ZG_ORG_TREE_ROWS_MAX  5000  /* rows one subtree fetch may return */
#define ZG_ORG_PAGE_MAX       1000  /* rows one page of any list may hold */
#define ZG_ORG_TEAM_BATCH_MAX 30    /* posts one leaders_add call may add */

/* Who does a write, for org_change and the audit log. account_id 0 = the system / CLI. */
typedef struct zg_org_actor {
    int64_t account_id;
    const char *username; /* NULL if none */
    const char *ip;       /* NULL for the CLI */
} zg_org_actor_t;

/* One org. Optional strings are NULL when not set. */
typedef struct zg_org {
    int64_t id;
    int64_t parent_id; /* 0 for the root */
    const char *kind;  /* committee, work_committee, leading_group, general_branch, branch,
                          joint_branch, temp_branch, group */
    const char *name;
    const char *short_name;
    const char *code;
    const char *category; /* ZB62 code (dict org_category) */
    const char *domain;   /* rural, community, agency, school, hospital, soe, emerging,
                             university, institute */
    const char *unit_name;
    int unit_count;
    zg_date_t founded_on;
    const char *status; /* "active" | "dissolved" */
    zg_date_t dissolved_on;
    int depth; /* absolute: the root is 0 */
    int sort;
    int64_t child_count; /* active children, where the function says so; else -1 */
    const char *created_at, *updated_at;
} zg_org_t;

typedef struct zg_org_list {
    zg_org_t *items;
    size_t n;
    int64_t total;  /* all matching rows (paged lists); n for unpaged ones */
    bool truncated; /* a subtree fetch stopped at its row limit */
} zg_org_list_t;

/* Which fields of a zg_org_input_t are given (create uses kind and name at least). */
enum {
    ZG_ORG_SET_KIND = 1u << 0,
    ZG_ORG_SET_NAME = 1u << 1,
    ZG_ORG_SET_SHORT_NAME = 1u << 2,
    ZG_ORG_SET_CODE = 1u << 3,
    ZG_ORG_SET_CATEGORY = 1u << 4,
    ZG_ORG_SET_DOMAIN = 1u << 5,
    ZG_ORG_SET_UNIT_NAME = 1u << 6,
    ZG_ORG_SET_UNIT_COUNT = 1u << 7,
    ZG_ORG_SET_FOUNDED_ON = 1u << 8,
    ZG_ORG_SET_SORT = 1u << 9,
};

/* Fields of a create or an update. An empty string clears an optional text field. */
typedef struct zg_org_input {
    unsigned set;      /* ZG_ORG_SET_* bits of the given fields */
    int64_t parent_id; /* create only */
    const char *kind, *name, *short_name, *code, *category, *domain, *unit_name;
    int64_t unit_count;
    zg_date_t founded_on;
    int64_t sort;
    zg_date_t effective_on; /* when the change takes effect (history); ZG_ORG_NO_DATE = today */
} zg_org_input_t;

/* The context and outcome of one write. Initialize with zg_org_op_init. */
typedef struct zg_org_op {
    zg_arena_t *arena; /* messages and results */
    int64_t scope;     /* the caller's scope root */
    zg_org_actor_t actor;
    zg_findings_t findings; /* out: rule findings (see the top of this file) */
    const char *bad_field;  /* out: the input field a ZG_ERR_INVALID "invalid_fields" is about */
} zg_org_op_t;

void zg_org_op_init(zg_org_op_t *op, zg_arena_t *arena, int64_t scope, const zg_org_actor_t *actor);

/* ---- the tree ------------------------------------------------------------------------ */

/* Creates the root org (kind committee) when the tree is empty; ZG_ERR_CONFLICT when a root
 * exists. For bootstrap only (CLI, demo, tests); the API never creates a root. */
int zg_org_create_root(zg_conn_t *c, const zg_org_actor_t *actor, const char *name, int64_t *id,
                       zg_error_t *err);

/* `zugong init` / `demo`: the id of the root org, created with `name` if the tree is empty. */
int zg_org_bootstrap_root(zg_db_t *db, const char *name, int64_t *root_id, zg_error_t *err);

/* The root's id, ZG_ERR_NOT_FOUND when the tree is empty. */
int zg_org_root(zg_conn_t *c, int64_t *root_id, zg_error_t *err);

/* Creates an org under in->parent_id, which must be in scope, active, and of a kind that may
 * hold an org of in->kind (a branch holds only groups, a general branch only branches, a group
 * nothing). Inserts its closure rows (one set-based INSERT ... SELECT from the parent's) and a
 * "create" history row. Rule org.joint_branch_units_max (warn). *id gets the new id. */
int zg_org_create(zg_conn_t *c, zg_org_op_t *op, const zg_org_input_t *in, int64_t *id,
                  zg_error_t *err);

/* One org (child_count filled). */
int zg_org_get(zg_conn_t *c, zg_arena_t *a, int64_t scope, int64_t id, zg_org_t *out,
               zg_error_t *err);

/* Changes the fields given in `in` (not the parent: see zg_org_move) of an active org. A new
 * name is a rename (history "rename" with the old and new name); other fields go in one
 * "update" history row with their old and new values. Nothing given, or nothing different:
 * ZG_OK and no history. Rules as for create, plus the member and team rules of the new kind. */
int zg_org_update(zg_conn_t *c, zg_org_op_t *op, int64_t id, const zg_org_input_t *in,
                  zg_error_t *err);

/* Moves org `id` and its whole subtree under `new_parent` (both in scope, both active). Refuses
 * the scope root itself (ZG_ERR_FORBIDDEN: an account cannot move its own home org), the
 * tree's root, a move under the org itself or one of its descendants (ZG_ERR_INVALID,
 * "move_cycle"), and a parent kind that may not hold the org's kind. The closure update is one
 * DELETE of the links between the subtree and its old ancestors and one INSERT ... SELECT of
 * the links to the new ones; the subtree's depths shift by one UPDATE. History "move" with the
 * old and new parent. Moving to the current parent is ZG_OK and changes nothing. */
int zg_org_move(zg_conn_t *c, zg_org_op_t *op, int64_t id, int64_t new_parent,
                zg_date_t effective_on, zg_error_t *err);

/* Dissolves (撤销) org `id`: only when it has no active child org and, once the member module
 * has installed its counter (zg_org_set_member_counter), no members — rule
 * org.dissolve_only_empty (block: ZG_ERR_INVALID "rule_violation", the findings in
 * op->findings). Not the scope root (ZG_ERR_FORBIDDEN) nor the tree's root; ZG_ERR_CONFLICT
 * when already dissolved. Sets status dissolved and dissolved_on (`on`, ZG_ORG_NO_DATE = today),
 * ends every current post of its team on that day, and records "dissolve" history with `reason`. */
int zg_org_dissolve(zg_conn_t *c, zg_org_op_t *op, int64_t id, zg_date_t on, const char *reason,
                    zg_error_t *err);

/* The subtree of `root` (in scope) down to `max_depth` levels below it (0 = the root only;
 * 1..ZG_ORG_TREE_DEPTH_MAX), as a flat list in breadth-first order (depth, sort, id) with
 * parent ids, absolute depths and child counts; at most `limit` rows (1..ZG_ORG_TREE_ROWS_MAX,
 * out->truncated when there were more). Dissolved orgs are left out unless
 * `include_dissolved`. Reads org_closure through its (ancestor_id, depth) index. */
int zg_org_subtree(zg_conn_t *c, zg_arena_t *a, int64_t scope, int64_t root, int max_depth,
                   int limit, bool include_dissolved, zg_org_list_t *out, zg_error_t *err);

/* The children of org `id` (in scope) with their child counts, in (sort, id) order, one page:
 * `offset`, `limit` (1..ZG_ORG_PAGE_MAX); out->total counts all. `status` is "active",
 * "dissolved" or NULL for both. For lazy tree loading. */
int zg_org_children(zg_conn_t *c, zg_arena_t *a, int64_t scope, int64_t id, const char *status,
                    int64_t offset, int limit, zg_org_list_t *out, zg_error_t *err);

typedef struct zg_org_query {
    const char *q;      /* substring of name, short name or code (wildcards are literal); NULL
                           or "" = all */
    const char *kind;   /* NULL = any */
    const char *domain; /* NULL = any */
    const char *status; /* "active", "dissolved", NULL = both */
    int64_t offset;
    int limit; /* 1..ZG_ORG_PAGE_MAX */
} zg_org_query_t;

/* Orgs in the scope's subtree matching `q`, ordered by (depth, sort, id), one page. */
int zg_org_search(zg_conn_t *c, zg_arena_t *a, int64_t scope, const zg_org_query_t *q,
                  zg_org_list_t *out, zg_error_t *err);

/* The path from the scope root down to org `id` (both included), for breadcrumbs. */
int zg_org_path(zg_conn_t *c, zg_arena_t *a, int64_t scope, int64_t id, zg_org_list_t *out,
                zg_error_t *err);

/* One history row. */
typedef struct zg_org_change {
    int64_t id, org_id;
    const char *change_type; /* create, rename, move, update, dissolve */
    zg_date_t effective_on;
    const char *old_name, *new_name;      /* rename (and create: new_name) */
    int64_t from_parent_id, to_parent_id; /* move (0 = none) */
    const char *from_parent_name, *to_parent_name;
    const char *detail; /* JSON object text */
    int64_t account_id;
    const char *username;
    const char *changed_at;
} zg_org_change_t;

/* The history of org `id`, newest first, one page. */
int zg_org_history(zg_conn_t *c, zg_arena_t *a, int64_t scope, int64_t id, int64_t offset,
                   int limit, zg_org_change_t **items, size_t *n, int64_t *total, zg_error_t *err);

/* ---- leadership team ------------------------------------------------------------------ */

typedef struct zg_org_leader {
    int64_t id, org_id;
    const char *post; /* secretary, deputy_secretary, committee_member, first_secretary,
                         organizer */
    const char *person_name;
    int64_t person_id; /* 0 until the member module links persons */
    const char *title;
    zg_date_t term_start, term_end, ended_on; /* term_end may be ZG_ORG_NO_DATE */
    const char *end_reason;
    int sort;
} zg_org_leader_t;

typedef struct zg_org_leader_input {
    const char *post;
    const char *person_name;
    int64_t person_id; /* 0 = none */
    const char *title; /* NULL = none */
    zg_date_t term_start;
    zg_date_t term_end; /* ZG_ORG_NO_DATE = by rule org.term_length for committee posts */
    int64_t sort;
} zg_org_leader_input_t;

/* Term length in years of an org's committee (rule org.term_length): 5 for committees and
 * work committees and for rural and community orgs, 3 for general branches and branches. */
int zg_org_term_years(const char *kind, const char *domain);

/* The team of org `id`: current posts, or every post when `include_ended`, ordered by post
 * (secretary first), sort, id. */
int zg_org_leaders(zg_conn_t *c, zg_arena_t *a, int64_t scope, int64_t id, bool include_ended,
                   zg_org_leader_t **items, size_t *n, zg_error_t *err);

/* Adds `n` posts (1..ZG_ORG_TEAM_BATCH_MAX) to the team of active org `id` in one step, so a
 * branch committee of three can be entered at once. With `replace` (换届: a new term), every
 * current post ends on `replace_on` (ZG_ORG_NO_DATE = the earliest new term_start) first, and
 * the new team must satisfy the block rules on its own. Fills a committee post's missing
 * term_end from org.term_length (an info finding says so). At most one current secretary
 * (ZG_ERR_CONFLICT). Rules: org.committee_size_range (block), org.committee_size_usual (warn),
 * org.committee_required (block), org.small_branch_no_committee (warn). ids (may be NULL, n
 * entries) get the new ids. */
int zg_org_leaders_add(zg_conn_t *c, zg_org_op_t *op, int64_t id,
                       const zg_org_leader_input_t *items, size_t n, bool replace,
                       zg_date_t replace_on, int64_t *ids, zg_error_t *err);

/* Ends post `leader_id` of org `id` on `on` (ZG_ORG_NO_DATE = today) with `reason` (may be
 * NULL). ZG_ERR_NOT_FOUND when the post is not this org's, ZG_ERR_CONFLICT when already ended.
 * Refused when it leaves a branch committee below 3 (fill the vacancy first, or renew the
 * whole team with zg_org_leaders_add(replace)). */
int zg_org_leader_end(zg_conn_t *c, zg_org_op_t *op, int64_t id, int64_t leader_id, zg_date_t on,
                      const char *reason, zg_error_t *err);

/* An active org whose committee's term ends within the window (or has ended). */
typedef struct zg_org_term_due {
    int64_t org_id;
    const char *org_name, *kind;
    zg_date_t term_end; /* the earliest term_end of its current committee posts */
    int days_left;      /* negative: overdue by that many days */
} zg_org_term_due_t;

/* Orgs in scope whose current committee posts (secretary, deputy, committee member) have a
 * term_end on or before today + `days` (0..3650), earliest first, one page. */
int zg_org_terms_due(zg_conn_t *c, zg_arena_t *a, int64_t scope, zg_date_t today, int days,
                     int64_t offset, int limit, zg_org_term_due_t **items, size_t *n,
                     int64_t *total, zg_error_t *err);

/* ---- grading (分类定级) ---------------------------------------------------------------- */

typedef struct zg_org_grading {
    int64_t org_id;
    int year;
    const char *grade;      /* good, fairly_good, average, poor (好/较好/一般/较差) */
    const char *indicators; /* JSON object text */
    const char *note;       /* NULL if none */
    zg_date_t graded_on;
    const char *updated_at;
} zg_org_grading_t;

#define ZG_ORG_YEAR_MIN 1949
#define ZG_ORG_YEAR_MAX 2100

/* The grading of org `id` for `year`; ZG_ERR_NOT_FOUND when there is none. */
int zg_org_grading_get(zg_conn_t *c, zg_arena_t *a, int64_t scope, int64_t id, int year,
                       zg_org_grading_t *out, zg_error_t *err);

/* The newest grading of org `id`; ZG_ERR_NOT_FOUND when there is none. */
int zg_org_grading_latest(zg_conn_t *c, zg_arena_t *a, int64_t scope, int64_t id,
                          zg_org_grading_t *out, zg_error_t *err);

/* Sets the grading of org `id` for `year` (one per org and year: insert or replace). `grade`
 * one of the four (rule org.grading_levels), `indicators` a JSON object text (NULL = {}),
 * `note` may be NULL, `graded_on` ZG_ORG_NO_DATE = today. The audit entry "org.grading" holds
 * the old and new grade. *created (may be NULL) says whether the year was new. */
int zg_org_grading_set(zg_conn_t *c, zg_org_op_t *op, int64_t id, int year, const char *grade,
                       const char *indicators, const char *note, zg_date_t graded_on, bool *created,
                       zg_error_t *err);

/* ---- rules ----------------------------------------------------------------------------- */

/* Member counts come from the member module: it installs a counter at start. The counter
 * writes the org's full (正式) members and all members (full + probationary) and returns 0,
 * or a negative zg_status. Without a counter the member-count rules are skipped. Install
 * before serving (the pointer is read by every request). NULL uninstalls. */
typedef int (*zg_org_member_count_fn)(zg_conn_t *c, int64_t org_id, int *full, int *total);
void zg_org_set_member_counter(zg_org_member_count_fn fn);

/* What the rules look at, for zg_org_evaluate. */
typedef struct zg_org_facts {
    const char *kind;
    const char *domain;
    int unit_count;
    int secretaries, deputies, committee_members; /* current posts */
    bool has_counts; /* member counts known (a counter is installed and returned some) */
    int full_members, total_members;
    zg_date_t term_end; /* earliest term_end of the current committee posts, or NO_DATE */
    zg_date_t today;
} zg_org_facts_t;

/* The findings of the rules on `facts` (no database): org.joint_branch_units_max,
 * org.branch_min_full_members, org.branch_size_max, org.committee_required,
 * org.committee_size_range, org.committee_size_usual, org.small_branch_no_committee,
 * org.term_expired. A branch "has a committee" when it has committee_member posts; its size
 * is secretaries + deputies + committee members. */
void zg_org_evaluate(const zg_org_facts_t *facts, zg_findings_t *f);

/* Whether going from `before` to `after` introduces or worsens a violation of a block rule;
 * the blocking findings of `after` are added to `f` when it does. */
bool zg_org_write_refused(const zg_org_facts_t *before, const zg_org_facts_t *after,
                          zg_findings_t *f);

/* The findings of org `id` as it stands (team, member counts when a counter is installed,
 * terms as of `today`), for its detail page. */
int zg_org_check(zg_conn_t *c, int64_t scope, int64_t id, zg_date_t today, zg_findings_t *f,
                 zg_error_t *err);

/* ---- labels ----------------------------------------------------------------------------- */

typedef struct zg_org_label {
    const char *code;
    const char *label;
} zg_org_label_t;

/* The code tables of this module, NULL-terminated: kinds, domains, posts, grades, statuses. */
extern const zg_org_label_t zg_org_kinds[];
extern const zg_org_label_t zg_org_domains[];
extern const zg_org_label_t zg_org_posts[];
extern const zg_org_label_t zg_org_grades[];
extern const zg_org_label_t zg_org_statuses[];

/* The Chinese label of `code` in `table`, or NULL when it is not there. */
const char *zg_org_label(const zg_org_label_t *table, const char *code);

/* Whether an org of kind `parent` may hold one of kind `child`. */
bool zg_org_kind_may_hold(const char *parent, const char *child);

/* ---- demo ------------------------------------------------------------------------------ */

typedef struct zg_org_demo_report {
    bool created;      /* false: the root already had children, nothing was added */
    int orgs;          /* orgs in the tree afterwards, root included */
    int branches;      /* of them branches, joint and temporary branches */
    int leaders;       /* current posts */
    int gradings;      /* 2025 gradings */
    char summary[256]; /* Chinese one-liner */
} zg_org_demo_report_t;

/* Builds the demo city (临江市) under `root_id` in one transaction: the municipal committee
 * (the root), its agency work committee with the agency branches, five county and district
 * committees with townships and villages or streets and communities, schools, hospitals, state
 * enterprises, a university and two joint branches of the emerging sector; several hundred
 * branches with founding dates, leadership teams with terms, and 2025 gradings. Deterministic:
 * the same tree every time. Does nothing (rep->created false) when the root has children. */
int zg_org_demo_city(zg_conn_t *c, int64_t root_id, zg_org_demo_report_t *rep, zg_error_t *err);

/* ---- HTTP ------------------------------------------------------------------------------ */

/* Registers the /api/v1/orgs routes (org_api.c; docs/api-org.md). */
int zg_org_routes(zg_router_t *rt);

#endif
