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
 * Counting one org's records: the members of one org are contiguous, so its counters live in
 * four 64-bit registers of eight 8-bit lanes each, lane i of word k being row cell 8k + i,
 * flushed into 32-bit cells every 255 records and at the end of the org. Per record: one
 * unsigned compare for the validity interval, one for probation, a table load for the
 * age band (birth day → band, built once per query), a table load and two shifts for the
 * attributes, four masked adds; no branch.
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
    int32_t day;          /* as_of in snapshot days */
    const uint8_t *band8; /* 8 × age band of every birth day: the shift of its lane */
} kparams;

/* The counters: four 64-bit words of eight 8-bit lanes, lane i of word k counting row cell
 * 8k + i (the cell order of stats.h is chosen for this):
 *   a: total, female, minority, edu 0..4       (from the attributes: one table load)
 *   b: age band 0..7                           (birth day → band: one table load)
 *   c: occupation 0..7                         (a shift of the attributes)
 *   d: join period 0..3, probationary          (a shift, and conversion > as_of) */
_Static_assert(ZG_STATS_C_TOTAL == 0 && ZG_STATS_C_FEMALE == 1 && ZG_STATS_C_MINORITY == 2 &&
                   ZG_STATS_C_EDU == 3 && ZG_STATS_C_AGE == 8 && ZG_STATS_C_OCC == 16 &&
                   ZG_STATS_C_JOIN == 24 && ZG_STATS_C_PROBATIONARY == 28 &&
                   ZG_STATS_C_MALE == 29 && ZG_STATS_C_FULL == 30 &&
                   ZG_STATS_C_COLLEGE_PLUS == 31 && ZG_STATS_C_ORG_LOCAL == 32 &&
                   ZG_STATS_CELLS <= ZG_STATS_STRIDE,
               "the counter lanes map onto row cells 0..31");

static uint64_t lane_a[256];
static pthread_once_t tables_once = PTHREAD_ONCE_INIT;

static void init_tables(void)
{
    for (unsigned a = 0; a < 256; a++) {
        unsigned edu = ZG_STATS_ATTR_EDU(a);
        uint64_t v = 1; /* total */
        if (a & ZG_STATS_ATTR_FEMALE)
            v |= 1ull << 8;
        if (a & ZG_STATS_ATTR_MINORITY)
            v |= 1ull << 16;
        if (edu < ZG_STATS_EDU_COUNT)
            v |= 1ull << (8 * (3 + edu));
        lane_a[a] = v;
    }
}

/* Stores (add = false) or adds the 8 lanes of each word into row cells 0..31. */
static inline void flush(uint32_t *restrict row, bool add, uint64_t a, uint64_t b, uint64_t c,
                         uint64_t d)
{
    uint32_t v[32];
    for (int i = 0; i < 8; i++) {
        v[i] = (uint32_t)((a >> (8 * i)) & 0xFF);
        v[8 + i] = (uint32_t)((b >> (8 * i)) & 0xFF);
        v[16 + i] = (uint32_t)((c >> (8 * i)) & 0xFF);
        v[24 + i] = (uint32_t)((d >> (8 * i)) & 0xFF);
    }
    if (add)
        for (int i = 0; i < 32; i++)
            row[i] += v[i];
    else
        memcpy(row, v, sizeof v);
}

/* Counts records [r, r1) into row cells 0..31, which it overwrites. 8-bit lanes: flushed
 * every 255 records. */
static void count_records(const zg_stats_snapshot_t *s, const kparams *q, uint32_t r, uint32_t r1,
                          uint32_t *restrict row)
{
    const zg_stats_day_t *restrict birth = s->birth, *restrict conv = s->conversion;
    const zg_stats_day_t *restrict from = s->from, *restrict to = s->to;
    const uint16_t *restrict attr = s->attr;
    const uint8_t *restrict band8 = q->band8;
    const int32_t day = q->day;
    bool add = false;
    do {
        uint32_t stop = r1 - r > 255 ? r + 255 : r1;
        uint64_t a = 0, b = 0, c = 0, d = 0;
        for (; r < stop; r++) {
            int32_t f = from[r], t = to[r];
            /* counted on day iff from ≤ day < to */
            uint64_t m = (uint64_t)0 - (uint64_t)((uint32_t)(day - f) < (uint32_t)(t - f));
            unsigned at = attr[r];
            uint64_t prob = (uint64_t)((int32_t)conv[r] > day);
            a += lane_a[at & 0xFF] & m;
            b += (1ull << band8[birth[r]]) & m;
            c += (1ull << ((at >> 2) & 0x38)) & m;                  /* 8 × occupation */
            d += ((1ull << ((at >> 5) & 0x18)) | (prob << 32)) & m; /* 8 × join period */
        }
        flush(row, add, a, b, c, d);
        add = true;
    } while (r < r1);
}

/* Writes org o's own row: its records and itself as an org. */
static void own_row(const zg_stats_snapshot_t *s, const kparams *q, uint32_t o,
                    uint32_t *restrict row)
{
    uint32_t r0 = s->first[o], r1 = s->first[o + 1];
    if (r0 < r1) {
        count_records(s, q, r0, r1, row);
        row[ZG_STATS_C_MALE] = row[ZG_STATS_C_TOTAL] - row[ZG_STATS_C_FEMALE];
        row[ZG_STATS_C_FULL] = row[ZG_STATS_C_TOTAL] - row[ZG_STATS_C_PROBATIONARY];
        row[ZG_STATS_C_COLLEGE_PLUS] = row[ZG_STATS_C_EDU + ZG_STATS_EDU_POSTGRAD] +
                                       row[ZG_STATS_C_EDU + ZG_STATS_EDU_UNDERGRAD] +
                                       row[ZG_STATS_C_EDU + ZG_STATS_EDU_COLLEGE];
    } else {
        memset(row, 0, 32 * sizeof *row);
    }
    uint32_t org[ZG_STATS_STRIDE - 32];
    memset(org, 0, sizeof org);
    int kind = s->kind[o];
    if (kind != ZG_STATS_KIND_OTHER && s->org_from[o] <= q->day && q->day < s->org_to[o]) {
        org[ZG_STATS_C_ORG_LOCAL - 32 + kind - ZG_STATS_KIND_LOCAL] = 1;
        if (kind != ZG_STATS_KIND_LOCAL)
            org[ZG_STATS_C_DOMAIN - 32 + s->domain[o]] = 1;
    }
    memcpy(row + 32, org, sizeof org);
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

    /* birth day → 8 × band. Band of day d = #{k : d ≤ birth_max[k]}; birth_max decreases
     * with k, so the band only falls as d grows. */
    uint8_t *band8 = malloc((size_t)ZG_STATS_DAY_NEVER + 1);
    if (!band8)
        return ZG_ERR_NOMEM;
    int32_t thr[ZG_STATS_AGE_LIMITS];
    for (int k = 0; k < ZG_STATS_AGE_LIMITS; k++)
        thr[k] = (int32_t)(q.birth_max[k] - ZG_STATS_DAY_EPOCH); /* < 0: nobody that old */
    int band = 0;
    while (band < ZG_STATS_AGE_LIMITS && 0 <= thr[band])
        band++;
    for (int32_t d = 0; d <= (int32_t)ZG_STATS_DAY_NEVER; d++) {
        while (band > 0 && d > thr[band - 1])
            band--;
        band8[d] = (uint8_t)(8 * band);
    }
    kparams kp = {.day = day, .band8 = band8};

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
    free(band8);
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
