/* stats_ref.h — the straightforward reference the statistics engine is checked against: the
 * generator's output collected as plain rows (orgs by id, records with their org id), and a
 * naive count that, for every record valid on the day, works out each cell from the record's
 * own dates with zg_date_age_at and adds it into the record's org and every ancestor found by
 * following parent ids. Nothing of the snapshot layout is used. Header-only, for the tests
 * in this folder. */
#ifndef ZG_TEST_STATS_REF_H
#define ZG_TEST_STATS_REF_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "modules/stats/stats.h"

typedef struct ref_data {
    zg_stats_gen_org_t *orgs; /* orgs[i].id == i + 1 for generated data */
    size_t n_orgs, cap_orgs;
    zg_stats_gen_record_t *recs;
    size_t n_recs, cap_recs;
} ref_data;

static inline int ref_sink_org(void *ctx, const zg_stats_gen_org_t *o)
{
    ref_data *d = ctx;
    if (d->n_orgs == d->cap_orgs) {
        d->cap_orgs = d->cap_orgs ? d->cap_orgs * 2 : 1024;
        d->orgs = realloc(d->orgs, d->cap_orgs * sizeof *d->orgs);
        assert_non_null(d->orgs);
    }
    d->orgs[d->n_orgs++] = *o;
    return 0;
}

static inline int ref_sink_record(void *ctx, const zg_stats_gen_record_t *r)
{
    ref_data *d = ctx;
    if (d->n_recs == d->cap_recs) {
        d->cap_recs = d->cap_recs ? d->cap_recs * 2 : 4096;
        d->recs = realloc(d->recs, d->cap_recs * sizeof *d->recs);
        assert_non_null(d->recs);
    }
    d->recs[d->n_recs++] = *r;
    return 0;
}

static inline void ref_free(ref_data *d)
{
    free(d->orgs);
    free(d->recs);
    memset(d, 0, sizeof *d);
}

/* Collects the generated dataset of `p`. */
static inline void ref_generate(const zg_stats_gen_params_t *p, ref_data *d)
{
    memset(d, 0, sizeof *d);
    zg_stats_gen_sink_t sink = {d, ref_sink_org, ref_sink_record};
    zg_error_t err;
    assert_int_equal(zg_stats_gen_run(p, &sink, NULL, &err), ZG_OK);
}

/* Index of org `id` in d->orgs (linear search when ids are not dense). */
static inline size_t ref_org_index(const ref_data *d, int64_t id)
{
    if (id >= 1 && (size_t)id <= d->n_orgs && d->orgs[id - 1].id == id)
        return (size_t)id - 1;
    for (size_t i = 0; i < d->n_orgs; i++)
        if (d->orgs[i].id == id)
            return i;
    fail_msg("org %lld not found", (long long)id);
    return 0;
}

/* The cells one record adds on `day` (all zero when not valid then). */
static inline void ref_record_cells(const zg_stats_record_in_t *r, zg_date_t day, uint32_t *c)
{
    memset(c, 0, ZG_STATS_STRIDE * sizeof *c);
    if (day < r->from || (!r->open && day >= r->to))
        return;
    c[ZG_STATS_C_TOTAL] = 1;
    c[r->female ? ZG_STATS_C_FEMALE : ZG_STATS_C_MALE] = 1;
    c[ZG_STATS_C_MINORITY] = r->minority;
    c[ZG_STATS_C_EDU + r->edu] = 1;
    c[ZG_STATS_C_COLLEGE_PLUS] = r->edu <= ZG_STATS_EDU_COLLEGE;
    int age = 0;
    assert_int_equal(zg_date_age_at(r->birth, day, &age), ZG_OK);
    int band = age <= 30   ? ZG_STATS_AGE_LE30
               : age <= 35 ? ZG_STATS_AGE_31_35
               : age <= 40 ? ZG_STATS_AGE_36_40
               : age <= 45 ? ZG_STATS_AGE_41_45
               : age <= 50 ? ZG_STATS_AGE_46_50
               : age <= 55 ? ZG_STATS_AGE_51_55
               : age <= 60 ? ZG_STATS_AGE_56_60
                           : ZG_STATS_AGE_GE61;
    c[ZG_STATS_C_AGE + band] = 1;
    zg_date_t d1949, d1978, d2012;
    zg_date_from_ymd(1949, 10, 1, &d1949);
    zg_date_from_ymd(1978, 12, 18, &d1978);
    zg_date_from_ymd(2012, 11, 8, &d2012);
    int period = r->join < d1949   ? ZG_STATS_JOIN_BEFORE_1949
                 : r->join < d1978 ? ZG_STATS_JOIN_TO_1978
                 : r->join < d2012 ? ZG_STATS_JOIN_TO_2012
                                   : ZG_STATS_JOIN_SINCE_2012;
    c[ZG_STATS_C_JOIN + period] = 1;
    c[ZG_STATS_C_OCC + r->occ] = 1;
    bool full = r->converted && r->conversion <= day;
    c[full ? ZG_STATS_C_FULL : ZG_STATS_C_PROBATIONARY] = 1;
}

/* Naive rollup: rows[i * STRIDE + cell] for d->orgs[i]. Orgs count as the engine counts them
 * (always active here: the generator gives no org dates). */
static inline uint32_t *ref_compute(const ref_data *d, zg_date_t day)
{
    uint32_t *rows = calloc(d->n_orgs * ZG_STATS_STRIDE, sizeof *rows);
    assert_non_null(rows);
    uint32_t c[ZG_STATS_STRIDE];
    for (size_t i = 0; i < d->n_recs; i++) {
        ref_record_cells(&d->recs[i].rec, day, c);
        if (!c[ZG_STATS_C_TOTAL])
            continue;
        for (int64_t id = d->recs[i].rec.org_id; id;) {
            size_t o = ref_org_index(d, id);
            for (int k = 0; k < ZG_STATS_STRIDE; k++)
                rows[o * ZG_STATS_STRIDE + k] += c[k];
            id = d->orgs[o].parent_id;
        }
    }
    for (size_t i = 0; i < d->n_orgs; i++) {
        int kind = d->orgs[i].kind;
        if (kind == ZG_STATS_KIND_OTHER)
            continue;
        memset(c, 0, sizeof c);
        c[ZG_STATS_C_ORG_LOCAL + kind - ZG_STATS_KIND_LOCAL] = 1;
        if (kind != ZG_STATS_KIND_LOCAL)
            c[ZG_STATS_C_DOMAIN + d->orgs[i].domain] = 1;
        for (int64_t id = d->orgs[i].id; id;) {
            size_t o = ref_org_index(d, id);
            for (int k = ZG_STATS_C_ORG_LOCAL; k < ZG_STATS_STRIDE; k++)
                rows[o * ZG_STATS_STRIDE + k] += c[k];
            id = d->orgs[o].parent_id;
        }
    }
    return rows;
}

/* Every org, every cell: the engine's result equals the reference. */
static inline void ref_assert_equal(const ref_data *d, const uint32_t *ref,
                                    const zg_stats_result_t *res)
{
    const zg_stats_snapshot_t *s = res->snap;
    assert_int_equal(s->n_orgs, d->n_orgs);
    for (size_t i = 0; i < d->n_orgs; i++) {
        uint32_t o = zg_stats_org_find(s, d->orgs[i].id);
        assert_int_not_equal(o, ZG_STATS_NO_ORG);
        const uint32_t *row = zg_stats_row(res, o);
        for (int k = 0; k < ZG_STATS_STRIDE; k++) {
            if (row[k] != ref[i * ZG_STATS_STRIDE + k])
                fail_msg("org %lld cell %d (%s): engine %u, reference %u", (long long)d->orgs[i].id,
                         k, zg_stats_cell_key(k) ? zg_stats_cell_key(k) : "pad", row[k],
                         ref[i * ZG_STATS_STRIDE + k]);
        }
    }
}

static inline zg_date_t ref_ymd(int y, int m, int d)
{
    zg_date_t out = 0;
    assert_int_equal(zg_date_from_ymd(y, m, d, &out), ZG_OK);
    return out;
}

#endif
