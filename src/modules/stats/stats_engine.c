/* stats_engine.c — the per-org subtree counts of a snapshot on one as-of day, all orgs (or one
 * subtree) in one pass over the records, on several threads.
 *
 * One pass does both jobs. Orgs are in DFS pre-order, so walking them forward with a stack
 * of the current ancestors, an org is finished (all its descendants seen) exactly when it is
 * popped; it is then added into its parent, which is the new top of the stack. Each org's
 * row is written once, right after its own records were counted, and read once when it is
 * popped; everything else touches only the few rows on the stack, which stay in L1. Memory
 * traffic is therefore one sequential read of the record columns (11 bytes per record) and
 * one sequential write of the rows (192 bytes per org).
 *
 * Counting one org's records: the members of one org are contiguous, so the counters live in
 * four 64-bit registers of eight 8-bit lanes each (education + female + minority;
 * age bands; occupations; join periods + total + probationary), flushed into 32-bit cells
 * every 255 records and at the end of the org. Per record that is a handful of compares to
 * find the age band and join period, two table loads and four masked adds, no branch.
 *
 * Threads: the orgs [lo, hi) are cut into contiguous ranges of about equal work (records +
 * ORG_WEIGHT per org). Each thread runs the pass on its range, adding a popped org into its
 * parent only when the parent is in the same range. An org whose parent is outside the range
 * (a "boundary" org; they are x = a, end[x], end[end[x]], … < b for range [a, b)) holds the
 * total of its descendants inside the range; after the threads are joined, each boundary row
 * is added into every ancestor down to lo, range by range in increasing order (a boundary
 * row of range t is read before range t+1's fix-up adds into it). Every record is then
 * counted exactly once in each ancestor, which is the single-thread result exactly. */
#include "modules/stats/stats.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* Work of an org (writing, popping and adding its row) relative to one record. */
#define ORG_WEIGHT 8

typedef struct kparams {
    int32_t day;                      /* as_of in snapshot days */
    int32_t age[ZG_STATS_AGE_LIMITS]; /* birth ≤ age[k] ⇔ age ≥ zg_stats_age_limits[k] */
    int32_t join[3];                  /* join ≥ join[k] ⇔ period > k */
} kparams;

/* Lane tables indexed by the attribute byte. Lane i of a uint64 is bits 8i..8i+7. */
static uint64_t lane_edu_sex[256]; /* edu lane 0..4, female lane 5, minority lane 6 */
static uint64_t lane_occ[256];     /* occupation lane 0..7 */
static pthread_once_t tables_once = PTHREAD_ONCE_INIT;

static void init_tables(void)
{
    for (unsigned a = 0; a < 256; a++) {
        unsigned edu = ZG_STATS_ATTR_EDU(a);
        uint64_t v = edu < ZG_STATS_EDU_COUNT ? 1ull << (8 * edu) : 0;
        if (a & ZG_STATS_ATTR_FEMALE)
            v |= 1ull << 40;
        if (a & ZG_STATS_ATTR_MINORITY)
            v |= 1ull << 48;
        lane_edu_sex[a] = v;
        lane_occ[a] = 1ull << (8 * ZG_STATS_ATTR_OCC(a));
    }
}

typedef struct acc {
    uint64_t es, age, occ, jt; /* jt: join lanes 0..3, total lane 4, probationary lane 5 */
} acc;

static inline void lanes_add(uint32_t *dst, uint64_t v, int n)
{
    for (int i = 0; i < n; i++)
        dst[i] += (uint32_t)((v >> (8 * i)) & 0xFF);
}

/* Adds the lanes into 32-bit counters: c[0..4] edu, c[5] female, c[6] minority,
 * c[8..15] age, c[16..23] occ, c[24..27] join, c[28] total, c[29] probationary. */
static inline void flush(const acc *a, uint32_t *c)
{
    lanes_add(c, a->es, 7);
    lanes_add(c + 8, a->age, 8);
    lanes_add(c + 16, a->occ, 8);
    lanes_add(c + 24, a->jt, 6);
}

/* Counts records [r0, r1) into c (see flush for the layout). */
static void count_records(const zg_stats_snapshot_t *s, const kparams *q, uint32_t r0,
                          uint32_t r1, uint32_t *c)
{
    const zg_stats_day_t *birth = s->birth, *join = s->join, *conv = s->conversion;
    const zg_stats_day_t *from = s->from, *to = s->to;
    const uint8_t *attr = s->attr;
    const int32_t day = q->day;
    const int32_t a0 = q->age[0], a1 = q->age[1], a2 = q->age[2], a3 = q->age[3],
                  a4 = q->age[4], a5 = q->age[5], a6 = q->age[6];
    const int32_t j0 = q->join[0], j1 = q->join[1], j2 = q->join[2];
    uint32_t r = r0;
    while (r < r1) {
        uint32_t stop = r1 - r > 255 ? r + 255 : r1;
        acc a = {0, 0, 0, 0};
        for (; r < stop; r++) {
            int32_t f = from[r], t = to[r];
            uint64_t m = (uint64_t)0 - (uint64_t)((f <= day) & (day < t));
            int32_t b = birth[r], j = join[r];
            unsigned band = (unsigned)(b <= a0) + (unsigned)(b <= a1) + (unsigned)(b <= a2) +
                            (unsigned)(b <= a3) + (unsigned)(b <= a4) + (unsigned)(b <= a5) +
                            (unsigned)(b <= a6);
            unsigned period = (unsigned)(j >= j0) + (unsigned)(j >= j1) + (unsigned)(j >= j2);
            uint64_t prob = (uint64_t)((int32_t)conv[r] > day);
            unsigned at = attr[r];
            a.es += lane_edu_sex[at] & m;
            a.occ += lane_occ[at] & m;
            a.age += (1ull << (8 * band)) & m;
            a.jt += ((1ull << (8 * period)) | (1ull << 32) | (prob << 40)) & m;
        }
        flush(&a, c);
    }
}

/* Writes org o's own row: its records and itself as an org. */
static void own_row(const zg_stats_snapshot_t *s, const kparams *q, uint32_t o, uint32_t *row)
{
    uint32_t c[32] = {0};
    uint32_t r0 = s->first[o], r1 = s->first[o + 1];
    if (r0 < r1)
        count_records(s, q, r0, r1, c);
    uint32_t out[ZG_STATS_STRIDE] = {0};
    uint32_t total = c[28];
    out[ZG_STATS_C_TOTAL] = total;
    out[ZG_STATS_C_FEMALE] = c[5];
    out[ZG_STATS_C_MALE] = total - c[5];
    out[ZG_STATS_C_MINORITY] = c[6];
    for (int i = 0; i < ZG_STATS_EDU_COUNT; i++)
        out[ZG_STATS_C_EDU + i] = c[i];
    for (int i = 0; i < ZG_STATS_AGE_COUNT; i++)
        out[ZG_STATS_C_AGE + i] = c[8 + i];
    for (int i = 0; i < ZG_STATS_OCC_COUNT; i++)
        out[ZG_STATS_C_OCC + i] = c[16 + i];
    for (int i = 0; i < ZG_STATS_JOIN_COUNT; i++)
        out[ZG_STATS_C_JOIN + i] = c[24 + i];
    out[ZG_STATS_C_PROBATIONARY] = c[29];
    out[ZG_STATS_C_FULL] = total - c[29];
    int kind = s->kind[o];
    if (kind != ZG_STATS_KIND_OTHER && s->org_from[o] <= q->day && q->day < s->org_to[o]) {
        out[ZG_STATS_C_ORG_LOCAL + kind - ZG_STATS_KIND_LOCAL] = 1;
        if (kind != ZG_STATS_KIND_LOCAL)
            out[ZG_STATS_C_DOMAIN + s->domain[o]] = 1;
    }
    memcpy(row, out, sizeof out);
}

static inline void row_add(uint32_t *restrict dst, const uint32_t *restrict src)
{
    for (int i = 0; i < ZG_STATS_STRIDE; i++)
        dst[i] += src[i];
}

typedef struct range_job {
    const zg_stats_snapshot_t *s;
    const kparams *q;
    uint32_t *rows;
    uint32_t a, b;
} range_job;

/* The pass over orgs [a, b): see the file comment. */
static void run_range(const range_job *job)
{
    const zg_stats_snapshot_t *s = job->s;
    const uint32_t *parent = s->parent;
    uint32_t *rows = job->rows;
    uint32_t a = job->a;
    uint32_t stack[ZG_STATS_DEPTH_MAX + 2];
    int sp = 0;
    for (uint32_t o = a; o < job->b; o++) {
        uint32_t p = parent[o];
        while (sp > 0 && stack[sp - 1] != p) {
            uint32_t t = stack[--sp];
            uint32_t tp = parent[t];
            if (tp != ZG_STATS_NO_ORG && tp >= a)
                row_add(rows + (size_t)tp * ZG_STATS_STRIDE, rows + (size_t)t * ZG_STATS_STRIDE);
        }
        own_row(s, job->q, o, rows + (size_t)o * ZG_STATS_STRIDE);
        stack[sp++] = o;
    }
    while (sp > 0) {
        uint32_t t = stack[--sp];
        uint32_t tp = parent[t];
        if (tp != ZG_STATS_NO_ORG && tp >= a)
            row_add(rows + (size_t)tp * ZG_STATS_STRIDE, rows + (size_t)t * ZG_STATS_STRIDE);
    }
}

static void *range_thread(void *arg)
{
    run_range(arg);
    return NULL;
}

/* Adds each boundary org of range [a, b) into its ancestors that are ≥ lo. */
static void fix_up(const zg_stats_snapshot_t *s, uint32_t *rows, uint32_t lo, uint32_t a,
                   uint32_t b)
{
    for (uint32_t x = a; x < b; x = s->end[x]) {
        const uint32_t *src = rows + (size_t)x * ZG_STATS_STRIDE;
        for (uint32_t p = s->parent[x]; p != ZG_STATS_NO_ORG && p >= lo; p = s->parent[p])
            row_add(rows + (size_t)p * ZG_STATS_STRIDE, src);
    }
}

/* First org o in [lo, hi] whose work before it, (first[o] - first[lo]) + ORG_WEIGHT *
 * (o - lo), reaches `target`. */
static uint32_t split_at(const zg_stats_snapshot_t *s, uint32_t lo, uint32_t hi, uint64_t target)
{
    uint32_t l = lo, h = hi;
    while (l < h) {
        uint32_t mid = l + (h - l) / 2;
        uint64_t w = (uint64_t)(s->first[mid] - s->first[lo]) + (uint64_t)ORG_WEIGHT * (mid - lo);
        if (w < target)
            l = mid + 1;
        else
            h = mid;
    }
    return l;
}

static int compute_range(const zg_stats_snapshot_t *s, uint32_t lo, uint32_t hi, zg_date_t as_of,
                         int threads, zg_stats_result_t *res)
{
    if (!res->rows || res->snap != s)
        return ZG_ERR_INVALID;
    zg_stats_asof_t q;
    zg_stats_day_t day;
    if (zg_stats_asof_init(as_of, &q) || zg_stats_day_from_date(as_of, &day))
        return ZG_ERR_INVALID;
    bool auto_threads = threads <= 0;
    if (auto_threads)
        threads = 2;
    if (threads > ZG_STATS_THREADS_MAX)
        threads = ZG_STATS_THREADS_MAX;
    pthread_once(&tables_once, init_tables);

    kparams kp = {.day = day};
    for (int k = 0; k < ZG_STATS_AGE_LIMITS; k++)
        kp.age[k] = (int32_t)(q.birth_max[k] - ZG_STATS_DAY_EPOCH); /* may be < 0: none */
    for (int k = 0; k < 3; k++)
        kp.join[k] = (int32_t)(zg_stats_join_boundary(k + 1) - ZG_STATS_DAY_EPOCH);

    uint64_t work =
        (uint64_t)(s->first[hi] - s->first[lo]) + (uint64_t)ORG_WEIGHT * (uint64_t)(hi - lo);
    if (auto_threads && work < 65536)
        threads = 1; /* a thread costs more than it saves */
    range_job jobs[ZG_STATS_THREADS_MAX];
    uint32_t cut = lo;
    for (int t = 0; t < threads; t++) {
        uint32_t next = t + 1 == threads ? hi : split_at(s, lo, hi, work * (uint64_t)(t + 1) /
                                                                         (uint64_t)threads);
        if (next < cut)
            next = cut;
        jobs[t] = (range_job){.s = s, .q = &kp, .rows = res->rows, .a = cut, .b = next};
        cut = next;
    }
    pthread_t tid[ZG_STATS_THREADS_MAX];
    int started = 0, rc = ZG_OK;
    for (int t = 1; t < threads; t++) {
        if (pthread_create(&tid[t], NULL, range_thread, &jobs[t]) != 0) {
            rc = ZG_ERR_INTERNAL;
            break;
        }
        started = t;
    }
    if (rc == ZG_OK)
        run_range(&jobs[0]);
    for (int t = 1; t <= started; t++)
        pthread_join(tid[t], NULL);
    if (rc != ZG_OK) {
        res->lo = res->hi = 0;
        return rc;
    }
    for (int t = 1; t < threads; t++)
        fix_up(s, res->rows, lo, jobs[t].a, jobs[t].b);
    res->lo = lo;
    res->hi = hi;
    res->as_of = as_of;
    res->q = q;
    return ZG_OK;
}

int zg_stats_compute(const zg_stats_snapshot_t *snap, zg_date_t as_of, int threads,
                     zg_stats_result_t *res)
{
    return compute_range(snap, 0, snap->n_orgs, as_of, threads, res);
}

int zg_stats_compute_subtree(const zg_stats_snapshot_t *snap, uint32_t root, zg_date_t as_of,
                             int threads, zg_stats_result_t *res)
{
    if (root >= snap->n_orgs)
        return ZG_ERR_NOT_FOUND;
    return compute_range(snap, root, snap->end[root], as_of, threads, res);
}

int zg_stats_result_init(zg_stats_result_t *res, const zg_stats_snapshot_t *snap)
{
    memset(res, 0, sizeof *res);
    size_t n = (size_t)snap->n_orgs * ZG_STATS_STRIDE;
    /* calloc may hand out untouched zero pages; write them so the first compute does not
     * pay the page faults. */
    res->rows = malloc((n ? n : 1) * sizeof *res->rows);
    if (!res->rows)
        return ZG_ERR_NOMEM;
    memset(res->rows, 0, n * sizeof *res->rows);
    res->snap = snap;
    return ZG_OK;
}

void zg_stats_result_free(zg_stats_result_t *res)
{
    free(res->rows);
    res->rows = NULL;
    res->lo = res->hi = 0;
}

static zg_stats_row_ref_t row_ref(const zg_stats_result_t *res, uint32_t o)
{
    const zg_stats_snapshot_t *s = res->snap;
    return (zg_stats_row_ref_t){.index = o,
                                .org_id = s->org_id[o],
                                .kind = s->kind[o],
                                .domain = s->domain[o],
                                .depth = s->depth[o],
                                .cells = zg_stats_row(res, o)};
}

int zg_stats_drilldown(const zg_stats_result_t *res, uint32_t org, zg_arena_t *arena,
                       zg_stats_drill_t *out)
{
    memset(out, 0, sizeof *out);
    const zg_stats_snapshot_t *s = res->snap;
    if (!s || org < res->lo || org >= res->hi)
        return ZG_ERR_NOT_FOUND;
    size_t n = 0;
    for (uint32_t c = org + 1; c < s->end[org]; c = s->end[c])
        n++;
    zg_stats_row_ref_t *kids = NULL;
    if (n) {
        kids = zg_arena_alloc(arena, n * sizeof *kids);
        if (!kids)
            return ZG_ERR_NOMEM;
        size_t i = 0;
        for (uint32_t c = org + 1; c < s->end[org]; c = s->end[c])
            kids[i++] = row_ref(res, c);
    }
    out->self = row_ref(res, org);
    out->children = kids;
    out->n_children = n;
    out->as_of = res->as_of;
    out->data_as_of = s->data_as_of;
    out->version = s->version;
    return ZG_OK;
}
