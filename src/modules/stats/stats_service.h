/* stats_service.h — the statistics engine (stats.h) on the platform's own data (issue 6 §1,
 * §2): the database loader, the process-wide snapshot kept fresh by a background refresher,
 * the reports built from it (one org with its drill-down table; members recruited in a year),
 * their renderings (JSON, a Chinese text table, XLSX laid out like the annual report), the
 * HTTP routes and the `zugong stats` command. docs/api-stats.md describes the API.
 *
 * Files: stats_db.c (loader), stats_service.c (snapshot references, result pool, refresher),
 * stats_report.c (reports, JSON and text), stats_xlsx.c (the workbook), stats_api.c
 * (handlers), stats_cli.c (the command).
 *
 * Freshness (issue 6 §2). A snapshot never changes. The refresher thread builds a new one in
 * one read transaction and swaps it in; requests that hold the old one finish on it. It
 * rebuilds when
 *   - zg_stats_invalidate() was called (the member, transfer and org modules call it after a
 *     commit that changes members or orgs): after a settle time of `settle_ms` (default 20 ms,
 *     so a burst of writes costs one rebuild);
 *   - the audit log has a new data-changing entry (every write of every module appends one in
 *     its own transaction, so this also catches writes made by another process, e.g. an import
 *     from the command line against a running server's database): checked every `poll_ms`
 *     (default 500 ms) with one indexed query;
 *   - `refresh_seconds` (default 60) have passed since the last build: the safety net.
 * Every answer states data_as_of, the moment its snapshot's read transaction started (UTC):
 * every write committed before that moment is in it. Bound: a write shows in answers once the
 * rebuild it triggers has finished — settle time + build time after zg_stats_invalidate
 * (≈ 0.1 s at demo scale, docs/performance.md), at most poll_ms + build time without the hook,
 * and at most refresh_seconds + build time in any case.
 *
 * Threads. The service state is process-wide (one database per process). Readers take a short
 * mutex only to copy the current pointer and raise its reference count; no build, query or
 * computation runs under it, so a rebuild never blocks an answer. */
#ifndef ZG_MODULES_STATS_SERVICE_H
#define ZG_MODULES_STATS_SERVICE_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "core/arena.h"
#include "core/date.h"
#include "core/status.h"
#include "core/strbuf.h"
#include "modules/stats/stats.h"

typedef struct zg_conn zg_conn_t;
typedef struct zg_db zg_db_t;
typedef struct zg_router zg_router_t;

/* ---- the database loader (stats_db.c) -------------------------------------------------- */

/* How the tables map onto the bulletin's categories (docs/api-stats.md, "Categories"):
 *   org kind:   committee with a ZB62 category 1xx (中共各级委员会), or with neither category
 *               nor domain (a tree's root as `init` makes it) → LOCAL; any other committee →
 *               COMMITTEE (基层党委); general_branch → GENERAL_BRANCH; branch, joint_branch →
 *               BRANCH; work_committee, leading_group, temp_branch, group → OTHER (hold
 *               members and children, not counted as orgs).
 *   domain:     the org module's codes in order; NULL → NONE.
 *   education:  GB/T 4658 through zg_member_edu_category (研究生 10–19, 大学本科 20–28,
 *               大学专科 30–33, 中专/高中 40–49 and 60–63, 初中及以下 70–83 and 90 其他);
 *               NULL or an unknown code → 初中及以下 (so that the five categories add up to
 *               the total, as in the bulletin).
 *   occupation: the member module's keys (worker, farmer, professional, manager, official,
 *               student, other, retired); NULL or unknown → 其他职业人员.
 *   minority:   GB 3304 codes 02–56 (the 55 minority nationalities); 01 汉族, NULL and the
 *               extension codes 91–99 (其他, 外国血统, …) are not counted as minorities.
 *   female:     gender "2" (GB/T 2261.1); everything else counts as male. */
int zg_stats_db_org_kind(const char *kind, const char *category, const char *domain);
int zg_stats_db_domain(const char *domain);
int zg_stats_db_edu(const char *education);
int zg_stats_db_occ(const char *occupation);
bool zg_stats_db_minority(const char *ethnicity);

/* What a load read and did. */
typedef struct zg_stats_db_info {
    uint64_t orgs;     /* orgs read (all, dissolved included: as-of dates before a dissolution) */
    uint64_t spans;    /* probationary and full membership_span rows read */
    uint64_t records;  /* records given to the builder (contiguous spans of one member in one
                          org merged: probationary → full is a conversion, not a new record) */
    uint64_t clamped;  /* records whose start was moved to the join date (a span starting
                          before joined_on) or whose birth / join date before 1900 was clamped */
    uint64_t skipped;  /* spans left out: no birth date, ending before the join date, birth
                          after joining, or starting after 2079-06-05 */
    int64_t audit_seq; /* the audit log's newest seq inside the read transaction */
    double seconds;    /* wall time of the whole load */
} zg_stats_db_info_t;

/* Builds a snapshot of every org and every probationary / full membership span from the
 * database, in one read transaction on the calling thread's connection of `db` (which must
 * not be in a transaction): orgs
 * (org: kind, category, domain, founded_on, dissolved_on, parent_id), then the spans joined
 * with membership (joined_on) and person (gender, ethnicity, birth_date, education,
 * occupation), streamed in (membership, valid_from) order — through a server-side cursor in
 * batches on PostgreSQL, so memory stays at the snapshot's 12 bytes per record plus one batch.
 * One record per run of contiguous spans of one member in one org; status full from the day a
 * full span starts (membership_span is the truth, docs/api-stats.md). data_as_of = the UTC
 * time taken right after BEGIN, before the first read (PostgreSQL REPEATABLE READ takes its
 * snapshot at the first statement, SQLite WAL at the first read), so every write committed
 * before it is in the snapshot. `version` is stored as the snapshot's version. The snapshot
 * (owned by the caller: zg_stats_snapshot_free) goes to *out; `info` may be NULL. `cancel`
 * (may be NULL) is checked between batches: once set, the load stops with ZG_ERR_BUSY.
 * Errors: the database's, the builder's (ZG_ERR_INVALID for a tree with a cycle,
 * ZG_ERR_NOMEM). */
int zg_stats_db_load(zg_db_t *db, uint64_t version, const atomic_bool *cancel,
                     zg_stats_snapshot_t **out, zg_stats_db_info_t *info, zg_error_t *err);

/* ---- snapshot references (stats_service.c) --------------------------------------------- */

/* A reference-counted snapshot with a pool of result buffers (zg_stats_result_t: n_orgs ×
 * 192 bytes each, reused across requests, so a request allocates none). */
typedef struct zg_stats_ref zg_stats_ref_t;

#define ZG_STATS_RESULTS_MAX 16

/* Wraps `snap` (ownership passes to the reference, also on failure) with a pool of at most
 * `max_results` (1..ZG_STATS_RESULTS_MAX) result buffers. Count 1. ZG_ERR_NOMEM. */
int zg_stats_ref_new(zg_stats_snapshot_t *snap, int max_results, zg_stats_ref_t **out);
void zg_stats_ref_retain(zg_stats_ref_t *ref);
/* Drops one reference; the last frees the snapshot and the pool. NULL is fine. */
void zg_stats_release(zg_stats_ref_t *ref);
const zg_stats_snapshot_t *zg_stats_ref_snapshot(const zg_stats_ref_t *ref);

/* Borrows a result buffer (allocated on first use; when all max_results are lent, waits for
 * one to come back). Give it back with zg_stats_ref_result_put before releasing the ref. */
int zg_stats_ref_result_get(zg_stats_ref_t *ref, zg_stats_result_t **out, zg_error_t *err);
void zg_stats_ref_result_put(zg_stats_ref_t *ref, zg_stats_result_t *res);

/* ---- the process-wide service (stats_service.c) ---------------------------------------- */

typedef struct zg_stats_service_settings {
    int refresh_seconds; /* periodic rebuild; default 60; 0 = only on changes */
    int poll_ms;         /* audit-log check for writes made elsewhere; default 500; 0 = never */
    int settle_ms;       /* after zg_stats_invalidate, wait this long for more; default 20 */
    int max_results;     /* result buffers per snapshot (concurrent computations); default 4 */
} zg_stats_service_settings_t;

void zg_stats_service_defaults(zg_stats_service_settings_t *s);

/* Starts the refresher thread for `db` (NULL settings = defaults), which builds the first
 * snapshot at once. zg_app_open calls it after migrations; the first zg_stats_acquire starts
 * it with the defaults if nobody did. ZG_ERR_CONFLICT if already running for another
 * database; ZG_OK if already running for this one. */
int zg_stats_service_start(zg_db_t *db, const zg_stats_service_settings_t *s, zg_error_t *err);

/* Stops the refresher (waits for a build in progress to end: its loader checks a stop flag
 * between batches) and drops the current snapshot (requests still holding it keep it until
 * they release it). Must run before the database is closed (zg_app_close). Idempotent. */
void zg_stats_service_stop(void);

/* Marks the member / org data changed: the refresher rebuilds after settle_ms. Cheap (an
 * atomic increment and a condition signal), callable from any thread, also when the service
 * is not running. Call it after the commit of a write that changes persons, memberships,
 * spans or orgs. */
void zg_stats_invalidate(void);

/* The current snapshot, with a reference the caller releases (zg_stats_release). Starts the
 * service for `db` if it is not running and waits up to `wait_ms` for the first snapshot:
 * ZG_ERR_BUSY ("统计数据正在生成，请稍后重试") when none is ready by then, or the error of
 * the failed first build. */
int zg_stats_acquire(zg_db_t *db, int wait_ms, zg_stats_ref_t **out, zg_error_t *err);

/* Invalidates and waits until a snapshot built after this call is current (tests; an org
 * created a moment ago). ZG_ERR_BUSY after timeout_ms. */
int zg_stats_refresh_sync(zg_db_t *db, int timeout_ms, zg_error_t *err);

typedef struct zg_stats_service_status {
    bool running;
    uint64_t generation;       /* zg_stats_invalidate calls + changes seen in the audit log */
    uint64_t built_generation; /* the generation the current snapshot covers */
    uint64_t version;          /* the current snapshot's version (builds so far); 0 = none */
    char data_as_of[ZG_STATS_TIMESTAMP_SIZE];
    uint64_t builds, failures;
    double last_build_seconds;
    uint32_t orgs, records;
} zg_stats_service_status_t;

void zg_stats_service_status(zg_stats_service_status_t *out);

/* ---- reports (stats_report.c) ----------------------------------------------------------- */

/* The column groups of the annual report (性别, 民族, 学历, 年龄, 入党时间, 职业, 党员类别,
 * then the orgs by kind and the grassroots orgs by domain): every cell of a row once, in the
 * order the JSON, the text table and the XLSX show them. */
typedef struct zg_stats_group {
    const char *key;   /* "gender" */
    const char *label; /* "性别" */
    const int *cells;  /* ZG_STATS_C_* */
    int n;
} zg_stats_group_t;

extern const zg_stats_group_t zg_stats_groups[];
extern const int zg_stats_n_groups;

/* One org's row on the as-of date. */
typedef struct zg_stats_report_row {
    int64_t org_id;
    const char *name;     /* the org's current name (arena) */
    const char *org_kind; /* the org module's kind ("committee", …) */
    int kind, domain;     /* ZG_STATS_KIND_*, ZG_STATS_DOMAIN_* */
    bool active;          /* the org existed on the as-of date */
    uint32_t cells[ZG_STATS_CELLS];
} zg_stats_report_row_t;

typedef struct zg_stats_report {
    zg_date_t as_of;
    char data_as_of[ZG_STATS_TIMESTAMP_SIZE];
    uint64_t version;
    zg_stats_report_row_t self;
    zg_stats_report_row_t *children; /* arena; child orgs in the org module's order, without
                                        those that did not exist on as_of and count nothing */
    size_t n_children;
} zg_stats_report_t;

/* Percentage of part in total in tenths of a percent, rounded half up (30.94 → 309, 30.95 →
 * 310); -1 when total is 0. The bulletin's one decimal. */
int zg_stats_permille(uint32_t part, uint32_t total);

/* The report of org `org_id` on `as_of` from `ref`: its row and its children's. The org must
 * be in `scope`'s subtree (the caller's home org; the CLI passes the root) — checked through
 * org_closure on `c` — else ZG_ERR_NOT_FOUND, as for an org that does not exist;
 * ZG_ERR_NOT_FOUND with code "stats_org_not_loaded" when the org exists but is younger than
 * the snapshot (zg_stats_refresh_sync, then ask again). ZG_ERR_INVALID for an as_of outside
 * 1900-01-01 .. 2079-06-05. Names are read from the org table at answer time (one indexed,
 * scoped query). Everything in `out` is in arena `a`. */
int zg_stats_report(zg_stats_ref_t *ref, zg_conn_t *c, zg_arena_t *a, int64_t scope, int64_t org_id,
                    zg_date_t as_of, zg_stats_report_t *out, zg_error_t *err);

/* Members recruited (发展党员) in a year, with the bulletin's breakdowns: members whose
 * joined_on falls in the year, counted in the org where their membership began (the record
 * that starts on the join date), whatever happened to them later. Age is age at admission. */
enum {
    ZG_STATS_R_TOTAL,
    ZG_STATS_R_MALE,
    ZG_STATS_R_FEMALE,
    ZG_STATS_R_MINORITY,
    ZG_STATS_R_EDU, /* + ZG_STATS_EDU_* */
    ZG_STATS_R_COLLEGE_PLUS = ZG_STATS_R_EDU + ZG_STATS_EDU_COUNT,
    ZG_STATS_R_AGE,                                        /* + ZG_STATS_AGE_*, at admission */
    ZG_STATS_R_LE35 = ZG_STATS_R_AGE + ZG_STATS_AGE_COUNT, /* 35岁及以下 */
    ZG_STATS_R_OCC,                                        /* + ZG_STATS_OCC_* */
    ZG_STATS_R_CELLS = ZG_STATS_R_OCC + ZG_STATS_OCC_COUNT
};
const char *zg_stats_recruited_key(int cell);
const char *zg_stats_recruited_label(int cell);

typedef struct zg_stats_recruited_row {
    int64_t org_id;
    const char *name, *org_kind;
    int kind, domain;
    uint32_t cells[ZG_STATS_R_CELLS];
} zg_stats_recruited_row_t;

typedef struct zg_stats_recruited {
    int year;
    char data_as_of[ZG_STATS_TIMESTAMP_SIZE];
    uint64_t version;
    zg_stats_recruited_row_t self;
    zg_stats_recruited_row_t *children; /* arena; every child org */
    size_t n_children;
} zg_stats_recruited_t;

/* Recruits of `year` (1900..2078) for org `org_id` and each of its children, from the
 * snapshot (one pass over the subtree's records). Scope and errors as zg_stats_report. */
int zg_stats_recruited(zg_stats_ref_t *ref, zg_conn_t *c, zg_arena_t *a, int64_t scope,
                       int64_t org_id, int year, zg_stats_recruited_t *out, zg_error_t *err);

/* Renderings. JSON: the API's bodies (docs/api-stats.md); ZG_ERR_TOO_LARGE / NOMEM from the
 * buffer. Text: a readable Chinese table for the terminal. */
int zg_stats_report_json(const zg_stats_report_t *r, zg_strbuf_t *sb);
int zg_stats_recruited_json(const zg_stats_recruited_t *r, zg_strbuf_t *sb);
void zg_stats_report_text(const zg_stats_report_t *r, FILE *out);
void zg_stats_recruited_text(const zg_stats_recruited_t *r, FILE *out);

/* ---- XLSX (stats_xlsx.c) ---------------------------------------------------------------- */

/* The report as a workbook laid out like the annual report: title row
 * "党员队伍基本情况统计表（截至 YYYY-MM-DD）", a line naming the org and the data's moment,
 * two header rows (the groups of zg_stats_groups merged over their cells, then the cell
 * labels), the org's totals ("合计"), one row per child org, and the three percentages of the
 * bulletin (女, 少数民族, 大专及以上) as numbers with one decimal. Counts are numbers. The bytes
 * go to *data: from `arena` when not NULL, else malloc (the caller frees). ZG_ERR_IO /
 * ZG_ERR_NOMEM / ZG_ERR_TOO_LARGE. */
#define ZG_STATS_XLSX_MAX ((size_t)64 << 20) /* bytes: far above a report of 100k child orgs */

int zg_stats_report_xlsx(const zg_stats_report_t *r, zg_arena_t *arena, void **data, size_t *len,
                         zg_error_t *err);

/* ---- HTTP (stats_api.c) and the command (stats_cli.c) ----------------------------------- */

/* GET /api/v1/stats, /api/v1/stats/export.xlsx, /api/v1/stats/recruited (perm stats:read). */
int zg_stats_routes(zg_router_t *rt);

enum { ZG_STATS_FORMAT_TEXT, ZG_STATS_FORMAT_JSON, ZG_STATS_FORMAT_XLSX };

typedef struct zg_stats_cli_args {
    int64_t org_id;  /* 0 = the tree's root */
    zg_date_t as_of; /* ZG_STATS_CLI_TODAY = today (China) */
    int format;      /* ZG_STATS_FORMAT_* */
    const char *out; /* file to write; NULL = `out` stream (xlsx needs a file) */
    int recruited;   /* a year: the recruits report instead of the as-of report; 0 = no */
} zg_stats_cli_args_t;

#define ZG_STATS_CLI_TODAY INT32_MIN

/* Takes the command's own options out of argv (`--org ID`, `--as-of YYYY-MM-DD`,
 * `--format json|xlsx|text`, `--out FILE`, `--recruited YEAR`, also as --opt=value), shifting
 * the rest down and lowering *argc, so main's option parser sees only the common ones (--db,
 * --config, …). Returns 0, or 2 (usage error, message on errf). */
int zg_stats_cli_parse(int *argc, char **argv, zg_stats_cli_args_t *a, FILE *errf);

/* `zugong stats`: builds a snapshot from `db` (migrated) and writes the report. Returns the
 * process exit code (0 ok, 1 failure with a Chinese message on errf). */
int zg_stats_cli(zg_db_t *db, const zg_stats_cli_args_t *a, FILE *out, FILE *errf);

#endif
