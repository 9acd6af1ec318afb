/* stats_engine.c — the per-org subtree counts of a snapshot on one as-of day, all orgs (or one
 * subtree) in one pass over the records, on several threads.
 *
 * One pass does both jobs. Orgs are in DFS pre-order, so walking them forward with a stack
 * of the current ancestors, an org is finished (all its descendants seen) exactly when it is
 * popped; it is then added into its parent, which is the new top of the stack. Each org's
 * row is written once, right after its own records were counted, and read once when it is
 * popped; everything else touches only the few rows on the stack, which stay in L1. Memory
 * traffic is therefore one sequential read of five record columns (10 bytes per record; the
 * join date is not read, its period is in the attribute bits) and one sequential write of
 * the rows (192 bytes per org).
 *
 * Counting one org's records: the members of one org are contiguous, so its counters live in
 * four 64-bit registers of eight 8-bit lanes each, lane i of word k being row cell 8k + i,
 * flushed into 32-bit cells every 255 records and at the end of the org. Per record: one
 * unsigned compare for the validity interval, one for probation, a table load for the
 * age band (birth day → band, built once per query), a table load for the
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
#include <sys/mman.h>
#if defined(__SSE2__) && defined(__x86_64__)
#include <emmintrin.h>
#endif

/* Work of an org (writing, popping and adding its row) relative to one record. */
#define ORG_WEIGHT 8

typedef struct kparams {
    int32_t day;          /* as_of in snapshot days */
    const uint8_t *band8; /* 8 × age band of every birth day: the shift of its lane */
} kparams;

/* The counters: four 64-bit words of eight 8-bit lanes, lane i of word k counting row cell
 * 8k + i (the cell order of stats.h is chosen for this):
 *   a: total, female, minority, edu 0..4        (attribute table)
 *   b: age band 0..7                            (birth day → band table, per query)
 *   c: occupation 0..7                          (attribute table)
 *   d: join period 0..3, probationary, male,    (attribute table; probationary or full
 *      full, college_plus                        from conversion > as_of) */
_Static_assert(ZG_STATS_C_TOTAL == 0 && ZG_STATS_C_FEMALE == 1 && ZG_STATS_C_MINORITY == 2 &&
                   ZG_STATS_C_EDU == 3 && ZG_STATS_C_AGE == 8 && ZG_STATS_C_OCC == 16 &&
                   ZG_STATS_C_JOIN == 24 && ZG_STATS_C_PROBATIONARY == 28 &&
                   ZG_STATS_C_MALE == 29 && ZG_STATS_C_FULL == 30 &&
                   ZG_STATS_C_COLLEGE_PLUS == 31 && ZG_STATS_C_ORG_LOCAL == 32 &&
                   ZG_STATS_CELLS <= ZG_STATS_STRIDE,
               "the counter lanes map onto row cells 0..31");

/* The lanes one record adds in words a, c and d, by its 10 attribute bits (24 KiB). Word d
 * also carries the derived cells, so that no cell is ever written twice: male (lane 5),
 * college_plus (lane 7) here, and probationary (lane 4) or full (lane 6) per query. */
typedef struct lanes {
    uint64_t a, c, d;
} lanes;
static lanes lane_table[1024];
/* Cells 32..47 of an org's own row, by kind and domain (an active org counts itself). */
static uint32_t org_cells[ZG_STATS_KIND_COUNT][ZG_STATS_DOMAIN_COUNT][ZG_STATS_STRIDE - 32];
static pthread_once_t tables_once = PTHREAD_ONCE_INIT;

static void init_tables(void)
{
    for (unsigned at = 0; at < 1024; at++) {
        unsigned edu = ZG_STATS_ATTR_EDU(at);
        uint64_t a = 1; /* total */
        if (at & ZG_STATS_ATTR_FEMALE)
            a |= 1ull << 8;
        if (at & ZG_STATS_ATTR_MINORITY)
            a |= 1ull << 16;
        if (edu < ZG_STATS_EDU_COUNT)
            a |= 1ull << (8 * (3 + edu));
        uint64_t d = 1ull << (8 * ZG_STATS_ATTR_PERIOD(at));
        if (!(at & ZG_STATS_ATTR_FEMALE))
            d |= 1ull << (8 * (ZG_STATS_C_MALE - 24));
        if (edu <= ZG_STATS_EDU_COLLEGE)
            d |= 1ull << (8 * (ZG_STATS_C_COLLEGE_PLUS - 24));
        lane_table[at].a = a;
        lane_table[at].c = 1ull << (8 * ZG_STATS_ATTR_OCC(at));
        lane_table[at].d = d;
    }
    for (int k = ZG_STATS_KIND_LOCAL; k < ZG_STATS_KIND_COUNT; k++)
        for (int dm = 0; dm < ZG_STATS_DOMAIN_COUNT; dm++) {
            org_cells[k][dm][ZG_STATS_C_ORG_LOCAL - 32 + k - ZG_STATS_KIND_LOCAL] = 1;
            if (k != ZG_STATS_KIND_LOCAL)
                org_cells[k][dm][ZG_STATS_C_DOMAIN - 32 + dm] = 1;
        }
}

/* Stores (add = false) or adds the 8 byte lanes of w into dst[0..7]. */
static inline void put_lanes(uint32_t *restrict dst, bool add, uint64_t w)
{
#if defined(__SSE2__) && defined(__x86_64__)
    __m128i z = _mm_setzero_si128();
    __m128i h = _mm_unpacklo_epi8(_mm_cvtsi64_si128((long long)w), z); /* 8 × u16 */
    __m128i lo = _mm_unpacklo_epi16(h, z), hi = _mm_unpackhi_epi16(h, z);
    if (add) {
        lo = _mm_add_epi32(lo, _mm_loadu_si128((const __m128i *)dst));
        hi = _mm_add_epi32(hi, _mm_loadu_si128((const __m128i *)(dst + 4)));
    }
    _mm_storeu_si128((__m128i *)dst, lo);
    _mm_storeu_si128((__m128i *)(dst + 4), hi);
#else
    for (int i = 0; i < 8; i++)
        dst[i] = (add ? dst[i] : 0) + (uint32_t)((w >> (8 * i)) & 0xFF);
#endif
}

/* Stores (add = false) or adds the lanes of the four words into row cells 0..31. */
static inline void flush(uint32_t *restrict row, bool add, uint64_t a, uint64_t b, uint64_t c,
                         uint64_t d)
{
    put_lanes(row, add, a);
    put_lanes(row + 8, add, b);
    put_lanes(row + 16, add, c);
    put_lanes(row + 24, add, d);
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
            const lanes *l = &lane_table[attr[r] & 1023];
            /* probationary (lane 4) while conversion > day, else full (lane 6) */
            unsigned prob = (int32_t)conv[r] > day;
            uint64_t status = (1ull << (8 * (ZG_STATS_C_FULL - 24))) >> (16 * prob);
            a += l->a & m;
            b += (1ull << band8[birth[r]]) & m;
            c += l->c & m;
            d += (l->d | status) & m;
        }
        flush(row, add, a, b, c, d);
        add = true;
    } while (r < r1);
}

/* Writes org o's own row: its records and itself as an org. Every cell is written once,
 * with vector stores where it matters: a row is read back (added into its parent) right
 * after, and a wide load of narrow stores would stall on store forwarding. */
static void own_row(const zg_stats_snapshot_t *s, const kparams *q, uint32_t o,
                    uint32_t *restrict row)
{
    static const uint32_t none[ZG_STATS_STRIDE - 32];
    uint32_t r0 = s->first[o], r1 = s->first[o + 1];
    if (r0 < r1)
        count_records(s, q, r0, r1, row);
    else
        flush(row, false, 0, 0, 0, 0);
    int kind = s->kind[o];
    bool active = s->org_from[o] <= q->day && q->day < s->org_to[o];
    memcpy(row + 32, active ? org_cells[kind][s->domain[o]] : none, sizeof none);
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
        uint32_t next = t + 1 == threads
                            ? hi
                            : split_at(s, lo, hi, work * (uint64_t)(t + 1) / (uint64_t)threads);
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
    size_t bytes = (size_t)snap->n_orgs * ZG_STATS_STRIDE * sizeof *res->rows;
    /* Rows are written in one sweep per compute: 2 MiB pages (where the kernel grants them)
     * spare the TLB a miss every 4 KiB. Touch every page now, so that no compute pays the
     * page faults. */
    size_t huge = (size_t)2 << 20;
    size_t alloc = bytes >= huge ? (bytes + huge - 1) / huge * huge : (bytes ? bytes : 64);
    res->rows = aligned_alloc(bytes >= huge ? huge : 64, alloc);
    if (!res->rows)
        return ZG_ERR_NOMEM;
#ifdef MADV_HUGEPAGE
    if (bytes >= huge)
        madvise(res->rows, alloc, MADV_HUGEPAGE);
#endif
    memset(res->rows, 0, alloc);
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
