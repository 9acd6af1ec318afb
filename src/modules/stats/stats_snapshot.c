/* stats_snapshot.c — building the statistics snapshot: the loader interface
 * (zg_stats_builder_*, zg_stats_load) and the finished, immutable snapshot.
 *
 * The builder keeps orgs in the order they were added and records column by column, each
 * with the (provisional) index of its org. finish() numbers the orgs in DFS pre-order and
 * groups the records by that order: when the loader already gave them so (the generator
 * does; a database loader can, with ORDER BY over the pre-order), the columns are kept as
 * they are; otherwise one stable counting sort moves them. Peak memory while building:
 * 15 bytes per record (the 11 of the snapshot and a 4-byte org index) plus, for unsorted
 * input, another 11 during the sort. */
#include "modules/stats/stats.h"

#include <stdlib.h>
#include <string.h>

struct zg_stats_builder {
    /* orgs, in the order added */
    size_t n_orgs, cap_orgs;
    int64_t *org_id, *parent_id;
    uint8_t *kind, *domain;
    zg_stats_day_t *ofrom, *oto;
    /* id → index + 1 (0 = empty), open addressing, power-of-two size */
    uint32_t *hash;
    size_t hash_cap;
    /* records */
    size_t n_rec, cap_rec;
    uint32_t *rorg;
    zg_stats_day_t *birth, *join, *conv, *from, *to;
    uint16_t *attr;
    /* the org of the previous record, to skip the lookup for runs of one org */
    int64_t last_id;
    uint32_t last_idx;
    char data_as_of[ZG_STATS_TIMESTAMP_SIZE];
    uint64_t version;
};

/* ---- growable columns ------------------------------------------------------------------- */

static int grow(void **p, size_t elem, size_t cap)
{
    size_t bytes = cap * elem;
    void *n = realloc(*p, bytes ? bytes : 1);
    if (!n)
        return ZG_ERR_NOMEM;
    *p = n;
    return ZG_OK;
}

static int grow_orgs(zg_stats_builder_t *b, size_t cap)
{
    if (grow((void **)&b->org_id, sizeof *b->org_id, cap) ||
        grow((void **)&b->parent_id, sizeof *b->parent_id, cap) ||
        grow((void **)&b->kind, 1, cap) || grow((void **)&b->domain, 1, cap) ||
        grow((void **)&b->ofrom, sizeof *b->ofrom, cap) ||
        grow((void **)&b->oto, sizeof *b->oto, cap))
        return ZG_ERR_NOMEM;
    b->cap_orgs = cap;
    return ZG_OK;
}

static int grow_records(zg_stats_builder_t *b, size_t cap)
{
    if (grow((void **)&b->rorg, sizeof *b->rorg, cap) ||
        grow((void **)&b->birth, sizeof *b->birth, cap) ||
        grow((void **)&b->join, sizeof *b->join, cap) ||
        grow((void **)&b->conv, sizeof *b->conv, cap) ||
        grow((void **)&b->from, sizeof *b->from, cap) ||
        grow((void **)&b->to, sizeof *b->to, cap) || grow((void **)&b->attr, sizeof *b->attr, cap))
        return ZG_ERR_NOMEM;
    b->cap_rec = cap;
    return ZG_OK;
}

/* ---- id hash ---------------------------------------------------------------------------- */

static size_t hash_slot(int64_t id, size_t mask)
{
    uint64_t x = (uint64_t)id * 0x9E3779B97F4A7C15ull;
    return (size_t)(x >> 17) & mask;
}

static uint32_t hash_find(const zg_stats_builder_t *b, int64_t id)
{
    if (!b->hash_cap)
        return ZG_STATS_NO_ORG;
    size_t mask = b->hash_cap - 1;
    for (size_t s = hash_slot(id, mask);; s = (s + 1) & mask) {
        uint32_t v = b->hash[s];
        if (!v)
            return ZG_STATS_NO_ORG;
        if (b->org_id[v - 1] == id)
            return v - 1;
    }
}

static void hash_put(zg_stats_builder_t *b, int64_t id, uint32_t idx)
{
    size_t mask = b->hash_cap - 1;
    size_t s = hash_slot(id, mask);
    while (b->hash[s])
        s = (s + 1) & mask;
    b->hash[s] = idx + 1;
}

/* Keeps the load at most 1/2. */
static int hash_reserve(zg_stats_builder_t *b, size_t n)
{
    if (n * 2 <= b->hash_cap)
        return ZG_OK;
    size_t cap = 1024;
    while (cap < n * 2)
        cap *= 2;
    uint32_t *h = calloc(cap, sizeof *h);
    if (!h)
        return ZG_ERR_NOMEM;
    free(b->hash);
    b->hash = h;
    b->hash_cap = cap;
    for (size_t i = 0; i < b->n_orgs; i++)
        hash_put(b, b->org_id[i], (uint32_t)i);
    return ZG_OK;
}

/* ---- the builder ------------------------------------------------------------------------ */

void zg_stats_builder_free(zg_stats_builder_t *b)
{
    if (!b)
        return;
    free(b->org_id);
    free(b->parent_id);
    free(b->kind);
    free(b->domain);
    free(b->ofrom);
    free(b->oto);
    free(b->hash);
    free(b->rorg);
    free(b->birth);
    free(b->join);
    free(b->conv);
    free(b->from);
    free(b->to);
    free(b->attr);
    free(b);
}

int zg_stats_builder_new(size_t orgs_hint, size_t records_hint, zg_stats_builder_t **out)
{
    *out = NULL;
    if (orgs_hint >= ZG_STATS_NO_ORG || records_hint >= UINT32_MAX)
        return ZG_ERR_TOO_LARGE;
    zg_stats_builder_t *b = calloc(1, sizeof *b);
    if (!b)
        return ZG_ERR_NOMEM;
    b->last_idx = ZG_STATS_NO_ORG;
    if (grow_orgs(b, orgs_hint ? orgs_hint : 1024) ||
        grow_records(b, records_hint ? records_hint : 4096) ||
        hash_reserve(b, orgs_hint ? orgs_hint : 512)) {
        zg_stats_builder_free(b);
        return ZG_ERR_NOMEM;
    }
    *out = b;
    return ZG_OK;
}

void zg_stats_builder_set_source(zg_stats_builder_t *b, const char *data_as_of, uint64_t version)
{
    zg_utf8_copy(b->data_as_of, sizeof b->data_as_of, data_as_of ? data_as_of : "");
    b->version = version;
}

static int invalid(zg_error_t *err, const char *code, const char *msg, const char *detail,
                   int64_t id)
{
    return zg_error_set(err, ZG_ERR_INVALID, code, msg, "%s (id %lld)", detail, (long long)id);
}

int zg_stats_builder_add_org(zg_stats_builder_t *b, const zg_stats_org_in_t *o, zg_error_t *err)
{
    if (b->n_rec)
        return invalid(err, "stats_org_after_records", "统计快照装载顺序错误：党组织须先于党员装载",
                       "org added after the first record", o->id);
    if (o->id == 0)
        return invalid(err, "stats_org_id", "党组织标识无效", "org id 0 is reserved", o->id);
    if (o->kind < 0 || o->kind >= ZG_STATS_KIND_COUNT || o->domain < 0 ||
        o->domain >= ZG_STATS_DOMAIN_COUNT)
        return invalid(err, "stats_org_code", "党组织类别或领域代码无效", "bad kind or domain",
                       o->id);
    zg_stats_day_t from = 0, to = ZG_STATS_DAY_NEVER;
    if ((o->has_from && zg_stats_day_from_date(o->active_from, &from)) ||
        (o->has_to && zg_stats_day_from_date(o->active_to, &to)) || from >= to)
        return invalid(err, "stats_org_dates",
                       "党组织成立或撤销日期超出统计范围（1900-01-01至2079-06-05）或先后颠倒",
                       "org dates out of range or reversed", o->id);
    if (b->n_orgs + 1 >= ZG_STATS_NO_ORG)
        return zg_error_set(err, ZG_ERR_TOO_LARGE, "stats_too_many_orgs", "党组织数量超出统计上限",
                            "more than %u orgs", (unsigned)(ZG_STATS_NO_ORG - 1));
    if (hash_find(b, o->id) != ZG_STATS_NO_ORG)
        return invalid(err, "stats_org_duplicate", "党组织重复装载", "duplicate org id", o->id);
    if (b->n_orgs == b->cap_orgs && grow_orgs(b, b->cap_orgs * 2))
        return zg_error_set(err, ZG_ERR_NOMEM, "nomem", "内存不足", "org columns");
    if (hash_reserve(b, b->n_orgs + 1))
        return zg_error_set(err, ZG_ERR_NOMEM, "nomem", "内存不足", "org hash");
    size_t i = b->n_orgs++;
    b->org_id[i] = o->id;
    b->parent_id[i] = o->parent_id;
    b->kind[i] = (uint8_t)o->kind;
    b->domain[i] = (uint8_t)o->domain;
    b->ofrom[i] = from;
    b->oto[i] = to;
    hash_put(b, o->id, (uint32_t)i);
    return ZG_OK;
}

int zg_stats_builder_add_record(zg_stats_builder_t *b, const zg_stats_record_in_t *r,
                                zg_error_t *err)
{
    uint32_t org = b->last_idx;
    if (org == ZG_STATS_NO_ORG || b->last_id != r->org_id) {
        org = hash_find(b, r->org_id);
        if (org == ZG_STATS_NO_ORG)
            return invalid(err, "stats_record_org", "党员所在党组织不存在",
                           "record of an unknown org", r->org_id);
        b->last_id = r->org_id;
        b->last_idx = org;
    }
    zg_stats_day_t birth, join, conv = ZG_STATS_DAY_NEVER, from, to = ZG_STATS_DAY_NEVER;
    if (zg_stats_day_from_date(r->birth, &birth) || zg_stats_day_from_date(r->join, &join) ||
        zg_stats_day_from_date(r->from, &from) ||
        (r->converted && zg_stats_day_from_date(r->conversion, &conv)) ||
        (!r->open && zg_stats_day_from_date(r->to, &to)))
        return invalid(err, "stats_record_date",
                       "党员记录的日期超出统计范围（1900-01-01至2079-06-05）",
                       "record date out of range", r->org_id);
    if (join < birth || from < join || from >= to || conv < join)
        return invalid(err, "stats_record_order",
                       "党员记录的日期先后矛盾（出生、入党、转正、组织关系起止）",
                       "record dates out of order", r->org_id);
    if (r->edu < 0 || r->edu >= ZG_STATS_EDU_COUNT || r->occ < 0 || r->occ >= ZG_STATS_OCC_COUNT)
        return invalid(err, "stats_record_code", "党员学历或职业代码无效", "bad edu or occ",
                       r->org_id);
    if (b->n_rec >= UINT32_MAX - 1)
        return zg_error_set(err, ZG_ERR_TOO_LARGE, "stats_too_many_records",
                            "党员记录数量超出统计上限", "more than %u records",
                            (unsigned)(UINT32_MAX - 1));
    if (b->n_rec == b->cap_rec) {
        size_t cap = b->cap_rec * 2;
        if (cap > UINT32_MAX)
            cap = UINT32_MAX;
        if (grow_records(b, cap))
            return zg_error_set(err, ZG_ERR_NOMEM, "nomem", "内存不足", "record columns");
    }
    size_t i = b->n_rec++;
    b->rorg[i] = org;
    b->birth[i] = birth;
    b->join[i] = join;
    b->conv[i] = conv;
    b->from[i] = from;
    b->to[i] = to;
    b->attr[i] =
        ZG_STATS_ATTR(r->female, r->minority, r->edu, r->occ, zg_stats_join_period(r->join));
    return ZG_OK;
}

/* ---- finish ----------------------------------------------------------------------------- */

void zg_stats_snapshot_free(zg_stats_snapshot_t *s)
{
    if (!s)
        return;
    free(s->org_id);
    free(s->parent);
    free(s->end);
    free(s->first);
    free(s->kind);
    free(s->domain);
    free(s->depth);
    free(s->org_from);
    free(s->org_to);
    free(s->birth);
    free(s->join);
    free(s->conversion);
    free(s->from);
    free(s->to);
    free(s->attr);
    free(s->sorted_id);
    free(s->sorted_index);
    free(s);
}

typedef struct id_index {
    int64_t id;
    uint32_t index;
} id_index;

static int cmp_id_index(const void *a, const void *b)
{
    const id_index *x = a, *y = b;
    return (x->id > y->id) - (x->id < y->id);
}

/* Builds the sorted id lookup; ids in index order are already sorted for the generator. */
static int build_lookup(zg_stats_snapshot_t *s)
{
    size_t n = s->n_orgs;
    s->sorted_id = malloc((n ? n : 1) * sizeof *s->sorted_id);
    s->sorted_index = malloc((n ? n : 1) * sizeof *s->sorted_index);
    if (!s->sorted_id || !s->sorted_index)
        return ZG_ERR_NOMEM;
    bool sorted = true;
    for (size_t i = 1; i < n && sorted; i++)
        sorted = s->org_id[i - 1] < s->org_id[i];
    if (sorted) {
        for (size_t i = 0; i < n; i++) {
            s->sorted_id[i] = s->org_id[i];
            s->sorted_index[i] = (uint32_t)i;
        }
        return ZG_OK;
    }
    id_index *tmp = malloc((n ? n : 1) * sizeof *tmp);
    if (!tmp)
        return ZG_ERR_NOMEM;
    for (size_t i = 0; i < n; i++)
        tmp[i] = (id_index){s->org_id[i], (uint32_t)i};
    qsort(tmp, n, sizeof *tmp, cmp_id_index);
    for (size_t i = 0; i < n; i++) {
        s->sorted_id[i] = tmp[i].id;
        s->sorted_index[i] = tmp[i].index;
    }
    free(tmp);
    return ZG_OK;
}

uint32_t zg_stats_org_find(const zg_stats_snapshot_t *s, int64_t org_id)
{
    size_t lo = 0, hi = s->n_orgs;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (s->sorted_id[mid] < org_id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return (lo < s->n_orgs && s->sorted_id[lo] == org_id) ? s->sorted_index[lo] : ZG_STATS_NO_ORG;
}

size_t zg_stats_snapshot_bytes(const zg_stats_snapshot_t *s)
{
    size_t per_org = sizeof(int64_t) + 3 * sizeof(uint32_t) + 3 + 2 * sizeof(zg_stats_day_t) +
                     sizeof(int64_t) + sizeof(uint32_t);
    size_t per_rec = 5 * sizeof(zg_stats_day_t) + sizeof(uint16_t);
    return sizeof *s + (size_t)s->n_orgs * per_org + sizeof(uint32_t) +
           (size_t)s->n_records * per_rec;
}

/* Numbers the orgs in DFS pre-order: fills new_of[old] and, in the new order, parent, end
 * and depth. Children keep the order in which they were added. */
static int number_orgs(zg_stats_builder_t *b, zg_stats_snapshot_t *s, uint32_t *new_of,
                       zg_error_t *err)
{
    size_t n = b->n_orgs;
    int rc = ZG_ERR_NOMEM;
    uint32_t *pold = malloc((n ? n : 1) * sizeof *pold); /* parent, old numbering */
    uint32_t *cstart = calloc(n + 2, sizeof *cstart);    /* children CSR */
    uint32_t *clist = malloc((n ? n : 1) * sizeof *clist);
    uint32_t *roots = malloc((n ? n : 1) * sizeof *roots);
    if (!pold || !cstart || !clist || !roots)
        goto out;
    size_t n_roots = 0;
    for (size_t i = 0; i < n; i++) {
        if (b->parent_id[i] == 0) {
            pold[i] = ZG_STATS_NO_ORG;
            roots[n_roots++] = (uint32_t)i;
            continue;
        }
        uint32_t p = hash_find(b, b->parent_id[i]);
        if (p == ZG_STATS_NO_ORG || p == i) {
            rc = invalid(err, "stats_org_parent", "上级党组织不存在", "unknown parent",
                         b->org_id[i]);
            goto out;
        }
        pold[i] = p;
        cstart[p + 2]++;
    }
    for (size_t i = 0; i < n; i++)
        cstart[i + 2] += cstart[i + 1];
    for (size_t i = 0; i < n; i++)
        if (pold[i] != ZG_STATS_NO_ORG)
            clist[cstart[pold[i] + 1]++] = (uint32_t)i;
    /* now children of p are clist[cstart[p] .. cstart[p+1]) */

    uint32_t stack[ZG_STATS_DEPTH_MAX + 1], next[ZG_STATS_DEPTH_MAX + 1];
    uint32_t idx = 0;
    s->max_depth = 0;
    for (size_t r = 0; r < n_roots; r++) {
        int sp = 0;
        stack[0] = roots[r];
        next[0] = cstart[roots[r]];
        new_of[roots[r]] = idx;
        s->parent[idx] = ZG_STATS_NO_ORG;
        s->depth[idx] = 0;
        idx++;
        while (sp >= 0) {
            uint32_t o = stack[sp];
            if (next[sp] == cstart[o + 1]) {
                s->end[new_of[o]] = idx;
                sp--;
                continue;
            }
            uint32_t c = clist[next[sp]++];
            if (sp + 1 > ZG_STATS_DEPTH_MAX) {
                rc = invalid(err, "stats_org_depth", "党组织层级过深",
                             "tree deeper than ZG_STATS_DEPTH_MAX", b->org_id[c]);
                goto out;
            }
            new_of[c] = idx;
            s->parent[idx] = new_of[o];
            s->depth[idx] = (uint8_t)(sp + 1);
            if ((uint32_t)(sp + 1) > s->max_depth)
                s->max_depth = (uint32_t)(sp + 1);
            idx++;
            sp++;
            stack[sp] = c;
            next[sp] = cstart[c];
        }
    }
    if (idx != n) {
        /* Orgs not reached from a root sit on a cycle. */
        for (size_t i = 0; i < n; i++)
            new_of[i] = ZG_STATS_NO_ORG;
        rc = zg_error_set(err, ZG_ERR_INVALID, "stats_org_cycle", "党组织上下级关系存在循环",
                          "%zu orgs are not under a root", n - idx);
        goto out;
    }
    rc = ZG_OK;
out:
    free(pold);
    free(cstart);
    free(clist);
    free(roots);
    return rc;
}

/* Moves column `*col` (elem bytes each) into record order: dst[pos[org]++] = src. */
static int scatter(void **col, size_t elem, const uint32_t *rorg, const uint32_t *new_of,
                   const uint32_t *first, uint32_t *pos, size_t n_rec, size_t n_orgs)
{
    unsigned char *dst = malloc((n_rec ? n_rec : 1) * elem);
    if (!dst)
        return ZG_ERR_NOMEM;
    memcpy(pos, first, n_orgs * sizeof *pos);
    const unsigned char *src = *col;
    for (size_t r = 0; r < n_rec; r++)
        memcpy(dst + (size_t)pos[new_of[rorg[r]]]++ * elem, src + r * elem, elem);
    free(*col);
    *col = dst;
    return ZG_OK;
}

static void *shrink(void *p, size_t bytes)
{
    void *n = realloc(p, bytes ? bytes : 1);
    return n ? n : p;
}

int zg_stats_builder_finish(zg_stats_builder_t *b, zg_stats_snapshot_t **out, zg_error_t *err)
{
    *out = NULL;
    int rc = ZG_ERR_NOMEM;
    size_t n = b->n_orgs, nr = b->n_rec;
    uint32_t *new_of = NULL, *pos = NULL;
    zg_stats_snapshot_t *s = calloc(1, sizeof *s);
    if (!s)
        goto fail;
    size_t n1 = n ? n : 1;
    s->n_orgs = (uint32_t)n;
    s->n_records = (uint32_t)nr;
    s->org_id = malloc(n1 * sizeof *s->org_id);
    s->parent = malloc(n1 * sizeof *s->parent);
    s->end = malloc(n1 * sizeof *s->end);
    s->first = calloc(n + 1, sizeof *s->first);
    s->kind = malloc(n1);
    s->domain = malloc(n1);
    s->depth = malloc(n1);
    s->org_from = malloc(n1 * sizeof *s->org_from);
    s->org_to = malloc(n1 * sizeof *s->org_to);
    new_of = malloc(n1 * sizeof *new_of);
    if (!s->org_id || !s->parent || !s->end || !s->first || !s->kind || !s->domain || !s->depth ||
        !s->org_from || !s->org_to || !new_of)
        goto fail;
    rc = number_orgs(b, s, new_of, err);
    if (rc)
        goto fail;
    for (size_t i = 0; i < n; i++) {
        uint32_t j = new_of[i];
        s->org_id[j] = b->org_id[i];
        s->kind[j] = b->kind[i];
        s->domain[j] = b->domain[i];
        s->org_from[j] = b->ofrom[i];
        s->org_to[j] = b->oto[i];
    }
    /* Records: count per org (first[o + 1]) and check whether they already come in order. */
    bool in_order = true;
    uint32_t prev = 0;
    for (size_t r = 0; r < nr; r++) {
        uint32_t o = new_of[b->rorg[r]];
        s->first[o + 1]++;
        in_order &= o >= prev;
        prev = o;
    }
    for (size_t i = 0; i < n; i++)
        s->first[i + 1] += s->first[i];
    rc = ZG_ERR_NOMEM;
    if (!in_order) {
        pos = malloc(n1 * sizeof *pos);
        if (!pos)
            goto fail;
        if (scatter((void **)&b->birth, 2, b->rorg, new_of, s->first, pos, nr, n) ||
            scatter((void **)&b->join, 2, b->rorg, new_of, s->first, pos, nr, n) ||
            scatter((void **)&b->conv, 2, b->rorg, new_of, s->first, pos, nr, n) ||
            scatter((void **)&b->from, 2, b->rorg, new_of, s->first, pos, nr, n) ||
            scatter((void **)&b->to, 2, b->rorg, new_of, s->first, pos, nr, n) ||
            scatter((void **)&b->attr, 2, b->rorg, new_of, s->first, pos, nr, n))
            goto fail;
    }
    /* Hand the record columns over, trimmed to size. */
    s->birth = shrink(b->birth, nr * 2);
    s->join = shrink(b->join, nr * 2);
    s->conversion = shrink(b->conv, nr * 2);
    s->from = shrink(b->from, nr * 2);
    s->to = shrink(b->to, nr * 2);
    s->attr = shrink(b->attr, nr * 2);
    b->birth = b->join = b->conv = b->from = b->to = NULL;
    b->attr = NULL;
    if (build_lookup(s))
        goto fail;
    memcpy(s->data_as_of, b->data_as_of, sizeof s->data_as_of);
    s->version = b->version;
    free(new_of);
    free(pos);
    zg_stats_builder_free(b);
    *out = s;
    return ZG_OK;
fail:
    if (rc == ZG_ERR_NOMEM)
        zg_error_set(err, ZG_ERR_NOMEM, "nomem", "内存不足，无法建立统计快照",
                     "snapshot finish: out of memory");
    free(new_of);
    free(pos);
    zg_stats_snapshot_free(s);
    zg_stats_builder_free(b);
    return rc;
}

int zg_stats_load(zg_stats_load_fn load, void *ctx, size_t orgs_hint, size_t records_hint,
                  zg_stats_snapshot_t **out, zg_error_t *err)
{
    *out = NULL;
    zg_stats_builder_t *b;
    int rc = zg_stats_builder_new(orgs_hint, records_hint, &b);
    if (rc)
        return zg_error_set(err, rc, "nomem", "内存不足，无法建立统计快照", "builder_new");
    rc = load(ctx, b, err);
    if (rc) {
        zg_stats_builder_free(b);
        return rc;
    }
    return zg_stats_builder_finish(b, out, err);
}
