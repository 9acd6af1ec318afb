/* stats.h — the Party statistics engine (issue 6): per-org counts of members by the
 * attributes of the annual 党内统计公报 (RULES.md §9.2), for every org of the tree at once, at
 * any as-of date, from a compact in-memory snapshot.
 *
 * Three parts:
 *   - the snapshot (stats_snapshot.c): orgs in DFS pre-order (parent < child, and every
 *     subtree is one contiguous index range) and, per org, a contiguous run of member
 *     records stored column by column in 12 bytes each. It knows nothing of the member tables:
 *     a loader fills it through the builder (zg_stats_builder_*), and zg_stats_load() is the
 *     interface a loader implements (the generator is one; a database loader is another).
 *   - the engine (stats_engine.c): one pass over the records that counts per org and rolls
 *     each org up into its parent in the same pass, on both cores.
 *   - the generator (stats_gen.c): a deterministic synthetic country whose composition is the
 *     2024 bulletin's, at any scale, straight into a snapshot and/or CSV files.
 *
 * A member record is one interval of one person's membership during which the org and the
 * counted attributes stay the same: [valid_from, valid_to). A transfer on day D closes the
 * record in the old org at D and opens one in the new org at D, so on day D-1 the member
 * counts in the old org and on day D in the new one. An attribute change (a new occupation,
 * a degree) is modelled the same way. The probationary → full conversion is a field of the
 * record (status on day X is full iff conversion ≤ X), so it splits nothing.
 *
 * Dates inside the snapshot are zg_stats_day_t: days since 1900-01-01 in 16 bits, so the
 * snapshot covers 1900-01-01 .. 2079-06-05 (ZG_STATS_DAY_MAX); the builder refuses dates
 * outside that range. ZG_STATS_DAY_NEVER means "open" (valid_to) or "not converted yet".
 *
 * Counters are uint32: a cell of the root counts at most every record once, and the builder
 * refuses more than UINT32_MAX - 1 records, so no cell can overflow.
 *
 * Freshness: a snapshot never changes; each one states the moment its data is from
 * (data_as_of, version), and every drill-down carries it. A database integration rebuilds the
 * snapshot in one read transaction and swaps it in (readers finish on the old one), so a write
 * shows in every answer from a snapshot whose data_as_of is after the write's commit: within
 * one rebuild interval plus the build time (docs/performance.md, "Statistics engine"). */
#ifndef ZG_MODULES_STATS_H
#define ZG_MODULES_STATS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/date.h"
#include "core/status.h"

/* ---- dates ---------------------------------------------------------------------------- */

typedef uint16_t zg_stats_day_t;

#define ZG_STATS_DAY_EPOCH (-25567) /* 1900-01-01 as a zg_date_t (days since 1970-01-01) */
#define ZG_STATS_DAY_MAX   65534u   /* 2079-06-05 */
#define ZG_STATS_DAY_NEVER 65535u   /* open interval end / not (yet) converted */

/* Converts a zg_date_t to a snapshot day. ZG_ERR_INVALID outside 1900-01-01 .. 2079-06-05. */
int zg_stats_day_from_date(zg_date_t date, zg_stats_day_t *out);

/* The zg_date_t of a snapshot day (ZG_STATS_DAY_NEVER has none: the caller checks). */
static inline zg_date_t zg_stats_day_to_date(zg_stats_day_t day)
{
    return (zg_date_t)day + ZG_STATS_DAY_EPOCH;
}

/* ---- the bulletin's categories ---------------------------------------------------------- */

/* Education (学历), highest first. 大专及以上 = POSTGRAD + UNDERGRAD + COLLEGE. */
enum {
    ZG_STATS_EDU_POSTGRAD,  /* 研究生 */
    ZG_STATS_EDU_UNDERGRAD, /* 大学本科 */
    ZG_STATS_EDU_COLLEGE,   /* 大学专科 */
    ZG_STATS_EDU_SECONDARY, /* 中专/高中 */
    ZG_STATS_EDU_JUNIOR,    /* 初中及以下 */
    ZG_STATS_EDU_COUNT
};

/* Occupation (职业), in the bulletin's order (RULES.md §9.2). */
enum {
    ZG_STATS_OCC_WORKER,       /* 工人（工勤技能人员） */
    ZG_STATS_OCC_FARMER,       /* 农牧渔民 */
    ZG_STATS_OCC_PROFESSIONAL, /* 企事业单位、社会组织专业技术人员 */
    ZG_STATS_OCC_MANAGER,      /* 企事业单位、社会组织管理人员 */
    ZG_STATS_OCC_OFFICIAL,     /* 党政机关工作人员 */
    ZG_STATS_OCC_STUDENT,      /* 学生 */
    ZG_STATS_OCC_OTHER,        /* 其他职业人员 */
    ZG_STATS_OCC_RETIRED,      /* 离退休人员 */
    ZG_STATS_OCC_COUNT
};

/* The bulletin's eight age bands: age = full years (周岁) on the as-of date, as
 * zg_date_age_at counts it (a person born on 29 February turns older on 1 March). */
enum {
    ZG_STATS_AGE_LE30,  /* 30岁及以下 */
    ZG_STATS_AGE_31_35, /* 31至35岁 */
    ZG_STATS_AGE_36_40,
    ZG_STATS_AGE_41_45,
    ZG_STATS_AGE_46_50,
    ZG_STATS_AGE_51_55,
    ZG_STATS_AGE_56_60,
    ZG_STATS_AGE_GE61, /* 61岁及以上 */
    ZG_STATS_AGE_COUNT
};

/* The bulletin's four join periods (入党时间). The bulletin names events, not days; the days
 * used (an admission on the first day of an event counts in the period the event opens):
 *   BEFORE_1949:  join < 1949-10-01                       (1949年10月以前; the report forms
 *                                                          say "1949年9月及以前")
 *   TO_1978:      1949-10-01 ≤ join < 1978-12-18          (至党的十一届三中全会, which opened
 *                                                          on 1978-12-18)
 *   TO_2012:      1978-12-18 ≤ join < 2012-11-08          (至党的十八大, opened 2012-11-08)
 *   SINCE_2012:   join ≥ 2012-11-08                       (党的十八大以来)
 * Only admissions during the five days of the plenum or the seven days of the congress
 * depend on this reading. */
enum {
    ZG_STATS_JOIN_BEFORE_1949,
    ZG_STATS_JOIN_TO_1978,
    ZG_STATS_JOIN_TO_2012,
    ZG_STATS_JOIN_SINCE_2012,
    ZG_STATS_JOIN_COUNT
};

/* The first day of join periods 1..3 as zg_date_t (k = 1, 2, 3). */
zg_date_t zg_stats_join_boundary(int k);

/* Org kinds as the statistics count them. The org module's kinds map as: a province / city /
 * county Party committee (党的地方委员会) → LOCAL; 基层党委 → COMMITTEE; 党总支 →
 * GENERAL_BRANCH; 党支部 and 联合党支部 → BRANCH; everything else (党组, 党工委, 临时党支部,
 * 党小组, a national root) → OTHER, which holds members and children but is not counted as an
 * org. */
enum {
    ZG_STATS_KIND_OTHER,
    ZG_STATS_KIND_LOCAL,
    ZG_STATS_KIND_COMMITTEE,
    ZG_STATS_KIND_GENERAL_BRANCH,
    ZG_STATS_KIND_BRANCH,
    ZG_STATS_KIND_COUNT
};

/* Org domains (领域), the org module's codes in its order; NONE = not set (local
 * committees). Counted for grassroots orgs (COMMITTEE, GENERAL_BRANCH, BRANCH) only. */
enum {
    ZG_STATS_DOMAIN_NONE,
    ZG_STATS_DOMAIN_RURAL,      /* 农村 */
    ZG_STATS_DOMAIN_COMMUNITY,  /* 城市社区 */
    ZG_STATS_DOMAIN_AGENCY,     /* 机关 */
    ZG_STATS_DOMAIN_SCHOOL,     /* 中小学 */
    ZG_STATS_DOMAIN_HOSPITAL,   /* 公立医院 */
    ZG_STATS_DOMAIN_SOE,        /* 国有企业 */
    ZG_STATS_DOMAIN_EMERGING,   /* 新兴领域 */
    ZG_STATS_DOMAIN_UNIVERSITY, /* 高校 */
    ZG_STATS_DOMAIN_INSTITUTE,  /* 科研院所 */
    ZG_STATS_DOMAIN_COUNT
};

/* ---- the cells of a row ----------------------------------------------------------------- */

/* One row per org: these cells, each the count over the org's whole subtree on the as-of
 * date. Member cells count member records valid on that day; org cells count orgs active on
 * that day. The order follows the engine's counters (eight cells per 64-bit counter), not
 * the bulletin's; reports order cells by their keys. */
enum {
    ZG_STATS_C_TOTAL,                                                /* 党员总数 */
    ZG_STATS_C_FEMALE,                                               /* 女 */
    ZG_STATS_C_MINORITY,                                             /* 少数民族 */
    ZG_STATS_C_EDU,                                                  /* + ZG_STATS_EDU_* */
    ZG_STATS_C_AGE = ZG_STATS_C_EDU + ZG_STATS_EDU_COUNT,            /* + ZG_STATS_AGE_* */
    ZG_STATS_C_OCC = ZG_STATS_C_AGE + ZG_STATS_AGE_COUNT,            /* + ZG_STATS_OCC_* */
    ZG_STATS_C_JOIN = ZG_STATS_C_OCC + ZG_STATS_OCC_COUNT,           /* + ZG_STATS_JOIN_* */
    ZG_STATS_C_PROBATIONARY = ZG_STATS_C_JOIN + ZG_STATS_JOIN_COUNT, /* 预备党员 */
    ZG_STATS_C_MALE,                                                 /* 男 */
    ZG_STATS_C_FULL,                                                 /* 正式党员 */
    ZG_STATS_C_COLLEGE_PLUS,                                         /* 大专及以上 (derived) */
    ZG_STATS_C_ORG_LOCAL,                                            /* 党的地方委员会 */
    ZG_STATS_C_ORG_COMMITTEE,                                        /* 基层党委 */
    ZG_STATS_C_ORG_GENERAL_BRANCH,                                   /* 党总支 */
    ZG_STATS_C_ORG_BRANCH,                                           /* 党支部 */
    ZG_STATS_C_DOMAIN,                                               /* + ZG_STATS_DOMAIN_* */
    ZG_STATS_CELLS = ZG_STATS_C_DOMAIN + ZG_STATS_DOMAIN_COUNT       /* 46 */
};
/* The member cells are 0 .. ZG_STATS_MEMBER_CELLS-1. */
#define ZG_STATS_MEMBER_CELLS ZG_STATS_C_ORG_LOCAL
/* A row is ZG_STATS_STRIDE uint32 (192 bytes, three cache lines); the cells past
 * ZG_STATS_CELLS are always 0. */
#define ZG_STATS_STRIDE 48

/* Stable English key of a cell, for JSON and CSV ("total", "female", "edu_postgrad",
 * "age_31_35", "join_since_2012", "occ_retired", "org_branch", "domain_rural", …), and its
 * Chinese label for people ("党员总数", "女", "研究生", …). NULL outside 0..ZG_STATS_CELLS-1. */
const char *zg_stats_cell_key(int cell);
const char *zg_stats_cell_label(int cell);

/* ---- as-of parameters ------------------------------------------------------------------- */

#define ZG_STATS_AGE_LIMITS 7
/* The ages at which bands 1..7 start: 31, 36, 41, 46, 51, 56, 61. */
extern const int zg_stats_age_limits[ZG_STATS_AGE_LIMITS];

/* What a count on day `as_of` needs, precomputed once per query: age ≥ limit[k] ⇔
 * birth ≤ birth_max[k] (the last birth date that has reached that age on as_of, computed
 * with zg_date_age_at itself, so the bands agree with it on every day, 29 February included).
 * The peers of the benchmark use the same dates. */
typedef struct zg_stats_asof {
    zg_date_t as_of;
    zg_date_t birth_max[ZG_STATS_AGE_LIMITS];
} zg_stats_asof_t;

/* Fills `out` for `as_of`. ZG_ERR_INVALID if as_of is outside the snapshot's date range. */
int zg_stats_asof_init(zg_date_t as_of, zg_stats_asof_t *out);

/* The last birth date that has reached `age` full years on `at` (zg_date_age_at's rule). */
zg_date_t zg_stats_last_birth_with_age(zg_date_t at, int age);

/* Age band of a birth date on as_of (the same rule as the engine; for tests and loaders). */
int zg_stats_age_band(const zg_stats_asof_t *q, zg_date_t birth);

/* Join period of a join date. */
int zg_stats_join_period(zg_date_t join);

/* ---- the snapshot ----------------------------------------------------------------------- */

#define ZG_STATS_NO_ORG         UINT32_MAX
#define ZG_STATS_DEPTH_MAX      64 /* deeper trees are refused (the national tree has ≤ 10 levels) */
#define ZG_STATS_TIMESTAMP_SIZE 20

/* Attributes of a record in 16 bits: bit 0 female, bit 1 minority, bits 2–4 education,
 * bits 5–7 occupation, bits 8–9 the join period (fixed by the join date, so stored rather
 * than recomputed per query). */
#define ZG_STATS_ATTR_FEMALE   0x01u
#define ZG_STATS_ATTR_MINORITY 0x02u
#define ZG_STATS_ATTR(female, minority, edu, occ, period)                                          \
    ((uint16_t)(((female) ? 1u : 0u) | ((minority) ? 2u : 0u) | ((unsigned)(edu) << 2) |           \
                ((unsigned)(occ) << 5) | ((unsigned)(period) << 8)))
#define ZG_STATS_ATTR_EDU(a)    (((unsigned)(a) >> 2) & 7u)
#define ZG_STATS_ATTR_OCC(a)    (((unsigned)(a) >> 5) & 7u)
#define ZG_STATS_ATTR_PERIOD(a) (((unsigned)(a) >> 8) & 3u)

/* An immutable snapshot. Orgs are numbered 0..n_orgs-1 in DFS pre-order: parent[i] < i, and
 * the subtree of i is exactly the indices [i, end[i]). Member records of org i are the
 * indices [first[i], first[i+1]) of the record columns. Built by zg_stats_builder_finish,
 * freed by zg_stats_snapshot_free; never changed in between, so any number of threads may
 * read it (compute, drill down) at once. Memory: 12 bytes per record + 39 per org. */
typedef struct zg_stats_snapshot {
    uint32_t n_orgs;
    uint32_t n_records;
    uint32_t max_depth;
    /* per org (n_orgs entries; first has n_orgs + 1) */
    int64_t *org_id;          /* the loader's id */
    uint32_t *parent;         /* ZG_STATS_NO_ORG for a root */
    uint32_t *end;            /* one past the last index of the subtree */
    uint32_t *first;          /* first record */
    uint8_t *kind, *domain;   /* ZG_STATS_KIND_*, ZG_STATS_DOMAIN_* */
    uint8_t *depth;           /* 0 for a root */
    zg_stats_day_t *org_from; /* the org counts on days [org_from, org_to) */
    zg_stats_day_t *org_to;
    /* per record (n_records entries), grouped by org in org order */
    zg_stats_day_t *birth, *join;
    zg_stats_day_t *conversion; /* full member from this day; NEVER = still probationary */
    zg_stats_day_t *from, *to;  /* counted on days [from, to) */
    uint16_t *attr;             /* ZG_STATS_ATTR */
    /* lookup by id: org_id values sorted, with their indices */
    int64_t *sorted_id;
    uint32_t *sorted_index;
    /* The moment the data is from: the loader's read time (UTC "YYYY-MM-DD HH:MM:SS"; for a
     * database loader, when its read transaction started), and its change counter. */
    char data_as_of[ZG_STATS_TIMESTAMP_SIZE];
    uint64_t version;
} zg_stats_snapshot_t;

/* Frees a snapshot and everything it owns. NULL is fine. No result computed from it may be
 * read afterwards. */
void zg_stats_snapshot_free(zg_stats_snapshot_t *s);

/* Index of the org with id `org_id`, or ZG_STATS_NO_ORG. O(log n). */
uint32_t zg_stats_org_find(const zg_stats_snapshot_t *s, int64_t org_id);

/* Bytes the snapshot holds (columns and lookup), for the performance notes. */
size_t zg_stats_snapshot_bytes(const zg_stats_snapshot_t *s);

/* ---- building a snapshot: the loader interface ------------------------------------------ */

/* One org as a loader gives it. Dates as zg_date_t; without has_from / has_to the org counts
 * from / until any day. */
typedef struct zg_stats_org_in {
    int64_t id;
    int64_t parent_id; /* 0 = a root */
    int kind;          /* ZG_STATS_KIND_* */
    int domain;        /* ZG_STATS_DOMAIN_* */
    zg_date_t active_from, active_to;
    bool has_from, has_to;
} zg_stats_org_in_t;

/* One member record as a loader gives it. */
typedef struct zg_stats_record_in {
    int64_t org_id;
    zg_date_t birth, join;
    zg_date_t conversion; /* ignored when !converted */
    bool converted;       /* false = still probationary */
    zg_date_t from;       /* first day counted */
    zg_date_t to;         /* first day not counted; ignored when open */
    bool open;            /* no end yet */
    bool female, minority;
    int edu; /* ZG_STATS_EDU_* */
    int occ; /* ZG_STATS_OCC_* */
} zg_stats_record_in_t;

typedef struct zg_stats_builder zg_stats_builder_t;

/* Starts a snapshot. `orgs_hint` and `records_hint` (0 = unknown) size the buffers once, so a
 * loader that knows its counts (SELECT count(*) in the same transaction) never reallocates.
 * ZG_ERR_NOMEM on allocation failure. The builder is owned by the caller until finish or
 * free. */
int zg_stats_builder_new(size_t orgs_hint, size_t records_hint, zg_stats_builder_t **out);

/* Adds an org. All orgs come before the first record; in any order (a parent may come after
 * its children). ZG_ERR_INVALID (with a Chinese message in err) for a bad kind, domain or
 * date, a duplicate id or a record already added. */
int zg_stats_builder_add_org(zg_stats_builder_t *b, const zg_stats_org_in_t *org, zg_error_t *err);

/* Adds a member record of an org already added. Records may come in any order; records
 * grouped by org in DFS pre-order (as the generator gives them) are stored without sorting.
 * ZG_ERR_INVALID for an unknown org, a date outside 1900-01-01 .. 2079-06-05, from ≥ to,
 * from < join, join < birth, conversion < join, bad codes; ZG_ERR_TOO_LARGE past UINT32_MAX - 1
 * records. */
int zg_stats_builder_add_record(zg_stats_builder_t *b, const zg_stats_record_in_t *rec,
                                zg_error_t *err);

/* Sets the moment the data is from (see zg_stats_snapshot_t.data_as_of) and the version. */
void zg_stats_builder_set_source(zg_stats_builder_t *b, const char *data_as_of, uint64_t version);

/* Finishes: resolves parents, numbers the orgs in DFS pre-order (children in the order they
 * were added), groups the records by org and returns the snapshot. ZG_ERR_INVALID for an
 * unknown parent, a cycle or a tree deeper than ZG_STATS_DEPTH_MAX. The builder is freed
 * either way. */
int zg_stats_builder_finish(zg_stats_builder_t *b, zg_stats_snapshot_t **out, zg_error_t *err);

/* Frees an unfinished builder. NULL is fine. */
void zg_stats_builder_free(zg_stats_builder_t *b);

/* A loader: fills `b` from its source and sets the source moment. A database loader reads
 * the org table and the membership intervals in one read transaction; the generator
 * (zg_stats_gen_loader) is another. */
typedef int (*zg_stats_load_fn)(void *ctx, zg_stats_builder_t *b, zg_error_t *err);

/* Builds a snapshot with `load`: new builder (with the hints), load, finish. */
int zg_stats_load(zg_stats_load_fn load, void *ctx, size_t orgs_hint, size_t records_hint,
                  zg_stats_snapshot_t **out, zg_error_t *err);

/* ---- computing -------------------------------------------------------------------------- */

/* Rows of one computation. `rows` has snap->n_orgs × ZG_STATS_STRIDE cells; the rows of
 * orgs [lo, hi) are valid (all orgs, or one subtree). Owned by the caller; reusable for any
 * number of computations on the same snapshot (reuse keeps the pages mapped, which matters:
 * faulting in 1 GiB of fresh rows costs more than computing them). */
typedef struct zg_stats_result {
    const zg_stats_snapshot_t *snap; /* not owned */
    uint32_t *rows;                  /* owned */
    uint32_t lo, hi;
    zg_date_t as_of;
    zg_stats_asof_t q;
} zg_stats_result_t;

/* Allocates (and touches) rows for `snap`. ZG_ERR_NOMEM. */
int zg_stats_result_init(zg_stats_result_t *res, const zg_stats_snapshot_t *snap);

/* Frees the rows. */
void zg_stats_result_free(zg_stats_result_t *res);

#define ZG_STATS_THREADS_MAX 16

/* Counts every org's subtree on `as_of` in one pass, split over `threads` threads (1..16,
 * exactly that many; 0 = automatic: 2, this machine's cores, or 1 for small inputs). Every
 * split gives exactly the single-thread result.
 * res must have been initialized for `snap`. ZG_ERR_INVALID for a date outside the snapshot
 * range, ZG_ERR_NOMEM / ZG_ERR_INTERNAL if a thread cannot start (then nothing is valid). */
int zg_stats_compute(const zg_stats_snapshot_t *snap, zg_date_t as_of, int threads,
                     zg_stats_result_t *res);

/* As zg_stats_compute, but only the subtree of org index `root` (its rows and its
 * descendants' rows): the cost is proportional to the subtree. */
int zg_stats_compute_subtree(const zg_stats_snapshot_t *snap, uint32_t root, zg_date_t as_of,
                             int threads, zg_stats_result_t *res);

/* The row of org index `org` (valid when lo ≤ org < hi). */
static inline const uint32_t *zg_stats_row(const zg_stats_result_t *res, uint32_t org)
{
    return res->rows + (size_t)org * ZG_STATS_STRIDE;
}

/* One org's row, with what a report shows next to it. */
typedef struct zg_stats_row_ref {
    uint32_t index;
    int64_t org_id;
    int kind, domain, depth;
    const uint32_t *cells; /* ZG_STATS_STRIDE cells, inside the result */
} zg_stats_row_ref_t;

/* The drill-down table of one org: its own row and its children's rows, in child order. */
typedef struct zg_stats_drill {
    zg_stats_row_ref_t self;
    zg_stats_row_ref_t *children; /* in the arena */
    size_t n_children;
    zg_date_t as_of;
    const char *data_as_of; /* the snapshot's moment (inside the snapshot) */
    uint64_t version;
} zg_stats_drill_t;

/* Fills `out` for org index `org` of a computed result. The children array is allocated in
 * `arena` (ZG_ERR_NOMEM if its cap is reached); the cells point into `res`, valid while the
 * result is neither recomputed nor freed. ZG_ERR_NOT_FOUND if the org's row is not in the
 * computed range. */
int zg_stats_drilldown(const zg_stats_result_t *res, uint32_t org, zg_arena_t *arena,
                       zg_stats_drill_t *out);

/* ---- the generator ---------------------------------------------------------------------- */

/* Full national scale (RULES.md §9.1, 2024-12-31). */
#define ZG_STATS_GEN_NATIONAL_MEMBERS 100271000ull

typedef struct zg_stats_gen_params {
    uint64_t seed;
    uint64_t members;        /* current members on as_of: 10 .. 2,000,000,000 */
    zg_date_t as_of;         /* the day the composition is the bulletin's: 2013-01-01 .. 2070 */
    uint32_t transfers_ppm;  /* parts per million of members with an earlier record in another
                                branch (transferred on a day between joining and as_of) */
    uint32_t departures_ppm; /* extra records (per million members) of members who left in the
                                year before as_of; each at most 200000 */
} zg_stats_gen_params_t;

/* The defaults: seed 2024, as_of 2024-12-31, 3% transfers, 1.04% departures (the 2024
 * bulletin: 9918.5万 + 213.1万 recruited − 10027.1万 ≈ 104.5万 left during the year). */
void zg_stats_gen_defaults(zg_stats_gen_params_t *p, uint64_t members);

/* An org as the generator emits it (in DFS pre-order; id = index + 1). */
typedef struct zg_stats_gen_org {
    int64_t id, parent_id; /* parent 0 for the root */
    int kind, domain, depth;
} zg_stats_gen_org_t;

/* A record as the generator emits it: a current member (current = true: valid on as_of, the
 * member's row in member.csv) or history (the earlier record of a transferred member, or the
 * last record of a member who left during the year before as_of). */
typedef struct zg_stats_gen_record {
    int64_t member_id;
    bool current;
    zg_stats_record_in_t rec;
} zg_stats_gen_record_t;

/* What the generator emits into; either callback may be NULL. A nonzero return stops it. */
typedef struct zg_stats_gen_sink {
    void *ctx;
    int (*org)(void *ctx, const zg_stats_gen_org_t *org);
    int (*record)(void *ctx, const zg_stats_gen_record_t *r);
} zg_stats_gen_sink_t;

/* The shape of a generated dataset (known before any record is emitted). */
typedef struct zg_stats_gen_shape {
    uint32_t provinces, cities, counties;
    uint32_t committees, general_branches, branches;
    uint32_t orgs;    /* all, the root included */
    uint64_t members; /* current */
    uint64_t records; /* current + history */
    uint32_t max_depth;
} zg_stats_gen_shape_t;

/* Generates the dataset of `p` into `sink`: all orgs first (DFS pre-order), then the records
 * grouped by org in the same order. Deterministic: the same params give the same sequence,
 * on any machine (integer arithmetic only). `shape` (may be NULL) receives the counts.
 * ZG_ERR_INVALID for bad params, ZG_ERR_NOMEM, or the sink's nonzero return. */
int zg_stats_gen_run(const zg_stats_gen_params_t *p, const zg_stats_gen_sink_t *sink,
                     zg_stats_gen_shape_t *shape, zg_error_t *err);

/* The shape alone (cheap: the tree is built, no member is generated). */
int zg_stats_gen_shape(const zg_stats_gen_params_t *p, zg_stats_gen_shape_t *shape,
                       zg_error_t *err);

/* A zg_stats_load_fn: ctx is a const zg_stats_gen_params_t *. */
int zg_stats_gen_loader(void *ctx, zg_stats_builder_t *b, zg_error_t *err);

/* Generates straight into a snapshot (sized exactly; no sort). */
int zg_stats_gen_snapshot(const zg_stats_gen_params_t *p, zg_stats_snapshot_t **out,
                          zg_error_t *err);

/* Writes the peers' CSV files into directory `dir` (which must exist): org.csv
 * (id,parent_id,depth,kind,domain) and member.csv
 * (id,org_id,gender,minority,edu,birth,join,occupation,probationary), current members only,
 * gender 1 male / 2 female (GB/T 2261.1), edu and occupation as the ZG_STATS_EDU_* and
 * ZG_STATS_OCC_* codes, dates YYYY-MM-DD, probationary = on as_of. Header line first. */
int zg_stats_gen_csv(const zg_stats_gen_params_t *p, const char *dir, zg_stats_gen_shape_t *shape,
                     zg_error_t *err);

/* Names of kinds and domains as written in org.csv ("local", "committee", "general_branch",
 * "branch", "other"; "" for DOMAIN_NONE, then the org module's codes). */
const char *zg_stats_kind_key(int kind);
const char *zg_stats_domain_key(int domain);

#endif
