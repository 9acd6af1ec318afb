/* test_engine.c — the statistics engine (src/modules/stats): every org and every cell against
 * a naive reference (stats_ref.h) on generated data at several as-of dates and thread
 * splits; as-of across a transfer and a conversion; the age-band and join-period boundaries
 * on both sides; subtree computation and drill-down; the builder's ordering and its
 * refusals. */
#include "stats_ref.h"

static zg_stats_snapshot_t *snapshot_of(const ref_data *d)
{
    zg_stats_builder_t *b;
    zg_error_t err;
    assert_int_equal(zg_stats_builder_new(d->n_orgs, d->n_recs, &b), ZG_OK);
    for (size_t i = 0; i < d->n_orgs; i++) {
        zg_stats_org_in_t o = {.id = d->orgs[i].id,
                               .parent_id = d->orgs[i].parent_id,
                               .kind = d->orgs[i].kind,
                               .domain = d->orgs[i].domain};
        assert_int_equal(zg_stats_builder_add_org(b, &o, &err), ZG_OK);
    }
    for (size_t i = 0; i < d->n_recs; i++)
        assert_int_equal(zg_stats_builder_add_record(b, &d->recs[i].rec, &err), ZG_OK);
    zg_stats_snapshot_t *s;
    assert_int_equal(zg_stats_builder_finish(b, &s, &err), ZG_OK);
    return s;
}

/* ---- boundaries ------------------------------------------------------------------------- */

static void test_join_boundaries(void **state)
{
    (void)state;
    assert_int_equal(zg_stats_join_boundary(1), ref_ymd(1949, 10, 1));
    assert_int_equal(zg_stats_join_boundary(2), ref_ymd(1978, 12, 18));
    assert_int_equal(zg_stats_join_boundary(3), ref_ymd(2012, 11, 8));
    assert_int_equal(zg_stats_join_period(ref_ymd(1921, 7, 1)), ZG_STATS_JOIN_BEFORE_1949);
    assert_int_equal(zg_stats_join_period(ref_ymd(1949, 9, 30)), ZG_STATS_JOIN_BEFORE_1949);
    assert_int_equal(zg_stats_join_period(ref_ymd(1949, 10, 1)), ZG_STATS_JOIN_TO_1978);
    assert_int_equal(zg_stats_join_period(ref_ymd(1978, 12, 17)), ZG_STATS_JOIN_TO_1978);
    assert_int_equal(zg_stats_join_period(ref_ymd(1978, 12, 18)), ZG_STATS_JOIN_TO_2012);
    assert_int_equal(zg_stats_join_period(ref_ymd(2012, 11, 7)), ZG_STATS_JOIN_TO_2012);
    assert_int_equal(zg_stats_join_period(ref_ymd(2012, 11, 8)), ZG_STATS_JOIN_SINCE_2012);
    zg_stats_day_t day;
    assert_int_equal(zg_stats_day_from_date(ref_ymd(1900, 1, 1), &day), ZG_OK);
    assert_int_equal(day, 0);
    assert_int_equal(zg_stats_day_from_date(ref_ymd(2079, 6, 5), &day), ZG_OK);
    assert_int_equal(day, ZG_STATS_DAY_MAX);
    assert_int_equal(zg_stats_day_from_date(ref_ymd(1899, 12, 31), &day), ZG_ERR_INVALID);
    assert_int_equal(zg_stats_day_from_date(ref_ymd(2079, 6, 6), &day), ZG_ERR_INVALID);
}

/* zg_stats_age_band agrees with zg_date_age_at for births around every band edge, on every
 * as-of day of 2023–2024 (a leap day included). */
static void test_age_band_sweep(void **state)
{
    (void)state;
    for (zg_date_t at = ref_ymd(2023, 1, 1); at <= ref_ymd(2024, 12, 31); at++) {
        zg_stats_asof_t q;
        assert_int_equal(zg_stats_asof_init(at, &q), ZG_OK);
        for (int k = 0; k < ZG_STATS_AGE_LIMITS; k++) {
            for (zg_date_t b = q.birth_max[k] - 3; b <= q.birth_max[k] + 3; b++) {
                int age;
                assert_int_equal(zg_date_age_at(b, at, &age), ZG_OK);
                int want = 0;
                for (int j = 0; j < ZG_STATS_AGE_LIMITS; j++)
                    want += age >= zg_stats_age_limits[j];
                assert_int_equal(zg_stats_age_band(&q, b), want);
            }
        }
    }
}

/* One member per birth date in the engine, on both sides of 30/31 and 60/61, and a 29
 * February birthday. */
static void test_age_band_edges_in_engine(void **state)
{
    (void)state;
    struct {
        int y, m, d, band;
    } births[] = {
        {1994, 1, 1, ZG_STATS_AGE_LE30},    /* 30 on 2024-12-31 */
        {1993, 12, 31, ZG_STATS_AGE_31_35}, /* 31 today, on the birthday */
        {1964, 1, 1, ZG_STATS_AGE_56_60},   /* 60 */
        {1963, 12, 31, ZG_STATS_AGE_GE61},  /* 61 today */
        {1989, 1, 1, ZG_STATS_AGE_36_40},   /* 36 on 2025-01-01 */
    };
    zg_stats_builder_t *b;
    zg_error_t err;
    assert_int_equal(zg_stats_builder_new(0, 0, &b), ZG_OK);
    zg_stats_org_in_t root = {.id = 1, .kind = ZG_STATS_KIND_BRANCH};
    assert_int_equal(zg_stats_builder_add_org(b, &root, &err), ZG_OK);
    for (size_t i = 0; i < sizeof births / sizeof births[0]; i++) {
        zg_stats_record_in_t r = {.org_id = 1, .open = true, .converted = true};
        r.birth = ref_ymd(births[i].y, births[i].m, births[i].d);
        r.join = r.from = r.conversion = ref_ymd(2012, 1, 1);
        assert_int_equal(zg_stats_builder_add_record(b, &r, &err), ZG_OK);
    }
    zg_stats_snapshot_t *s;
    assert_int_equal(zg_stats_builder_finish(b, &s, &err), ZG_OK);
    zg_stats_result_t res;
    assert_int_equal(zg_stats_result_init(&res, s), ZG_OK);

    assert_int_equal(zg_stats_compute(s, ref_ymd(2024, 12, 31), 1, &res), ZG_OK);
    const uint32_t *row = zg_stats_row(&res, 0);
    assert_int_equal(row[ZG_STATS_C_AGE + ZG_STATS_AGE_LE30], 1);
    assert_int_equal(row[ZG_STATS_C_AGE + ZG_STATS_AGE_31_35], 2); /* 1993-12-31, 1989-01-01 */
    assert_int_equal(row[ZG_STATS_C_AGE + ZG_STATS_AGE_56_60], 1);
    assert_int_equal(row[ZG_STATS_C_AGE + ZG_STATS_AGE_GE61], 1);
    assert_int_equal(row[ZG_STATS_C_AGE + ZG_STATS_AGE_36_40], 0);

    assert_int_equal(zg_stats_compute(s, ref_ymd(2025, 1, 1), 1, &res), ZG_OK);
    row = zg_stats_row(&res, 0);
    assert_int_equal(row[ZG_STATS_C_AGE + ZG_STATS_AGE_LE30], 0);  /* 1994-01-01 turned 31 */
    assert_int_equal(row[ZG_STATS_C_AGE + ZG_STATS_AGE_31_35], 2); /* 1994-01-01, 1993-12-31 */
    assert_int_equal(row[ZG_STATS_C_AGE + ZG_STATS_AGE_36_40], 1); /* 1989-01-01 turned 36 */
    assert_int_equal(row[ZG_STATS_C_AGE + ZG_STATS_AGE_56_60], 0);
    assert_int_equal(row[ZG_STATS_C_AGE + ZG_STATS_AGE_GE61], 2); /* 1964-01-01 turned 61 */

    assert_int_equal(zg_stats_compute(s, ref_ymd(2024, 12, 30), 1, &res), ZG_OK);
    row = zg_stats_row(&res, 0);
    assert_int_equal(row[ZG_STATS_C_AGE + ZG_STATS_AGE_LE30], 2);  /* 1993-12-31 is still 30 */
    assert_int_equal(row[ZG_STATS_C_AGE + ZG_STATS_AGE_56_60], 2); /* 1963-12-31 is still 60 */
    assert_int_equal(row[ZG_STATS_C_AGE + ZG_STATS_AGE_GE61], 0);
    zg_stats_result_free(&res);
    zg_stats_snapshot_free(s);

    /* 29 February: 30 until 28 February 2023, 31 from 1 March (zg_date_age_at's rule). */
    assert_int_equal(zg_stats_builder_new(0, 0, &b), ZG_OK);
    assert_int_equal(zg_stats_builder_add_org(b, &root, &err), ZG_OK);
    zg_stats_record_in_t r = {.org_id = 1, .open = true, .converted = true};
    r.birth = ref_ymd(1992, 2, 29);
    r.join = r.from = r.conversion = ref_ymd(2015, 1, 1);
    assert_int_equal(zg_stats_builder_add_record(b, &r, &err), ZG_OK);
    assert_int_equal(zg_stats_builder_finish(b, &s, &err), ZG_OK);
    assert_int_equal(zg_stats_result_init(&res, s), ZG_OK);
    assert_int_equal(zg_stats_compute(s, ref_ymd(2023, 2, 28), 1, &res), ZG_OK);
    assert_int_equal(zg_stats_row(&res, 0)[ZG_STATS_C_AGE + ZG_STATS_AGE_LE30], 1);
    assert_int_equal(zg_stats_compute(s, ref_ymd(2023, 3, 1), 1, &res), ZG_OK);
    assert_int_equal(zg_stats_row(&res, 0)[ZG_STATS_C_AGE + ZG_STATS_AGE_31_35], 1);
    assert_int_equal(zg_stats_compute(s, ref_ymd(2024, 2, 29), 1, &res), ZG_OK);
    assert_int_equal(zg_stats_row(&res, 0)[ZG_STATS_C_AGE + ZG_STATS_AGE_31_35], 1);
    zg_stats_result_free(&res);
    zg_stats_snapshot_free(s);
}

/* One member per join date on both sides of each period boundary. */
static void test_join_period_edges_in_engine(void **state)
{
    (void)state;
    zg_date_t joins[] = {ref_ymd(1949, 9, 30),  ref_ymd(1949, 10, 1), ref_ymd(1978, 12, 17),
                         ref_ymd(1978, 12, 18), ref_ymd(2012, 11, 7), ref_ymd(2012, 11, 8)};
    zg_stats_builder_t *b;
    zg_error_t err;
    assert_int_equal(zg_stats_builder_new(0, 0, &b), ZG_OK);
    zg_stats_org_in_t root = {.id = 7, .kind = ZG_STATS_KIND_BRANCH};
    assert_int_equal(zg_stats_builder_add_org(b, &root, &err), ZG_OK);
    for (size_t i = 0; i < sizeof joins / sizeof joins[0]; i++) {
        zg_stats_record_in_t r = {.org_id = 7, .open = true, .converted = true};
        r.birth = ref_ymd(1925, 5, 5);
        r.join = r.from = r.conversion = joins[i];
        assert_int_equal(zg_stats_builder_add_record(b, &r, &err), ZG_OK);
    }
    zg_stats_snapshot_t *s;
    assert_int_equal(zg_stats_builder_finish(b, &s, &err), ZG_OK);
    zg_stats_result_t res;
    assert_int_equal(zg_stats_result_init(&res, s), ZG_OK);
    assert_int_equal(zg_stats_compute(s, ref_ymd(2024, 12, 31), 1, &res), ZG_OK);
    const uint32_t *row = zg_stats_row(&res, 0);
    assert_int_equal(row[ZG_STATS_C_JOIN + ZG_STATS_JOIN_BEFORE_1949], 1);
    assert_int_equal(row[ZG_STATS_C_JOIN + ZG_STATS_JOIN_TO_1978], 2);
    assert_int_equal(row[ZG_STATS_C_JOIN + ZG_STATS_JOIN_TO_2012], 2);
    assert_int_equal(row[ZG_STATS_C_JOIN + ZG_STATS_JOIN_SINCE_2012], 1);
    /* before 2012-11-08 the last member is not a member yet */
    assert_int_equal(zg_stats_compute(s, ref_ymd(2012, 11, 7), 1, &res), ZG_OK);
    row = zg_stats_row(&res, 0);
    assert_int_equal(row[ZG_STATS_C_TOTAL], 5);
    assert_int_equal(row[ZG_STATS_C_JOIN + ZG_STATS_JOIN_SINCE_2012], 0);
    zg_stats_result_free(&res);
    zg_stats_snapshot_free(s);
}

/* ---- as-of across a transfer and a conversion ------------------------------------------- */

/* root (county) → A, B (branches). Member 1 joins A on J (probationary), is converted on C and
 * transferred to B on D: records A [J, D) and B [D, open), conversion C. */
static void test_transfer_and_conversion(void **state)
{
    (void)state;
    zg_date_t J = ref_ymd(2023, 3, 15), C = ref_ymd(2024, 3, 15), D = ref_ymd(2024, 7, 1);
    zg_stats_builder_t *b;
    zg_error_t err;
    assert_int_equal(zg_stats_builder_new(0, 0, &b), ZG_OK);
    zg_stats_org_in_t orgs[] = {
        {.id = 10, .kind = ZG_STATS_KIND_LOCAL},
        {.id = 11, .parent_id = 10, .kind = ZG_STATS_KIND_BRANCH, .domain = ZG_STATS_DOMAIN_RURAL},
        {.id = 12, .parent_id = 10, .kind = ZG_STATS_KIND_BRANCH, .domain = ZG_STATS_DOMAIN_SOE},
    };
    for (int i = 0; i < 3; i++)
        assert_int_equal(zg_stats_builder_add_org(b, &orgs[i], &err), ZG_OK);
    zg_stats_record_in_t r = {.org_id = 11,
                              .female = true,
                              .edu = ZG_STATS_EDU_COLLEGE,
                              .occ = ZG_STATS_OCC_FARMER,
                              .converted = true};
    r.birth = ref_ymd(1990, 6, 1);
    r.join = r.from = J;
    r.conversion = C;
    r.to = D;
    assert_int_equal(zg_stats_builder_add_record(b, &r, &err), ZG_OK);
    r.org_id = 12;
    r.from = D;
    r.open = true;
    assert_int_equal(zg_stats_builder_add_record(b, &r, &err), ZG_OK);
    /* A member never converted (still probationary) in B since J. */
    zg_stats_record_in_t p = {.org_id = 12,
                              .open = true,
                              .edu = ZG_STATS_EDU_JUNIOR,
                              .occ = ZG_STATS_OCC_WORKER,
                              .minority = true};
    p.birth = ref_ymd(2000, 1, 1);
    p.join = p.from = J;
    assert_int_equal(zg_stats_builder_add_record(b, &p, &err), ZG_OK);
    zg_stats_builder_set_source(b, "2025-01-02 03:04:05", 42);
    zg_stats_snapshot_t *s;
    assert_int_equal(zg_stats_builder_finish(b, &s, &err), ZG_OK);
    assert_string_equal(s->data_as_of, "2025-01-02 03:04:05");
    uint32_t ia = zg_stats_org_find(s, 11), ib = zg_stats_org_find(s, 12),
             ir = zg_stats_org_find(s, 10);
    assert_int_not_equal(ia, ZG_STATS_NO_ORG);
    assert_int_equal(zg_stats_org_find(s, 13), ZG_STATS_NO_ORG);

    zg_stats_result_t res;
    assert_int_equal(zg_stats_result_init(&res, s), ZG_OK);
    struct {
        zg_date_t day;
        uint32_t a, b, a_prob, b_prob;
    } cases[] = {
        {J - 1, 0, 0, 0, 0}, /* before joining: nobody */
        {J, 1, 1, 1, 1},     /* joined: both probationary */
        {C - 1, 1, 1, 1, 1}, /* the day before conversion */
        {C, 1, 1, 0, 1},     /* converted on C */
        {D - 1, 1, 1, 0, 1}, /* last day in A */
        {D, 0, 2, 0, 1},     /* in B from D */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        for (int threads = 1; threads <= 3; threads++) {
            assert_int_equal(zg_stats_compute(s, cases[i].day, threads, &res), ZG_OK);
            const uint32_t *ra = zg_stats_row(&res, ia), *rb = zg_stats_row(&res, ib),
                           *rr = zg_stats_row(&res, ir);
            assert_int_equal(ra[ZG_STATS_C_TOTAL], cases[i].a);
            assert_int_equal(rb[ZG_STATS_C_TOTAL], cases[i].b);
            assert_int_equal(ra[ZG_STATS_C_PROBATIONARY], cases[i].a_prob);
            assert_int_equal(rb[ZG_STATS_C_PROBATIONARY], cases[i].b_prob);
            assert_int_equal(ra[ZG_STATS_C_FULL], cases[i].a - cases[i].a_prob);
            assert_int_equal(rr[ZG_STATS_C_TOTAL], cases[i].a + cases[i].b);
            assert_int_equal(rr[ZG_STATS_C_PROBATIONARY], cases[i].a_prob + cases[i].b_prob);
            assert_int_equal(rr[ZG_STATS_C_ORG_BRANCH], 2);
            assert_int_equal(rr[ZG_STATS_C_ORG_LOCAL], 1);
            assert_int_equal(rr[ZG_STATS_C_DOMAIN + ZG_STATS_DOMAIN_RURAL], 1);
            assert_int_equal(rr[ZG_STATS_C_DOMAIN + ZG_STATS_DOMAIN_SOE], 1);
            assert_int_equal(rr[ZG_STATS_C_DOMAIN + ZG_STATS_DOMAIN_NONE], 0);
        }
    }
    /* on D: B holds the farmer woman and the probationary worker */
    assert_int_equal(zg_stats_compute(s, D, 2, &res), ZG_OK);
    const uint32_t *rb = zg_stats_row(&res, ib);
    assert_int_equal(rb[ZG_STATS_C_FEMALE], 1);
    assert_int_equal(rb[ZG_STATS_C_MALE], 1);
    assert_int_equal(rb[ZG_STATS_C_MINORITY], 1);
    assert_int_equal(rb[ZG_STATS_C_OCC + ZG_STATS_OCC_FARMER], 1);
    assert_int_equal(rb[ZG_STATS_C_OCC + ZG_STATS_OCC_WORKER], 1);
    assert_int_equal(rb[ZG_STATS_C_EDU + ZG_STATS_EDU_COLLEGE], 1);
    assert_int_equal(rb[ZG_STATS_C_COLLEGE_PLUS], 1);
    assert_int_equal(rb[ZG_STATS_C_EDU + ZG_STATS_EDU_JUNIOR], 1);
    assert_int_equal(rb[ZG_STATS_C_JOIN + ZG_STATS_JOIN_SINCE_2012], 2);

    /* drill-down from the root: its row and both branches, with the moment of the data */
    zg_arena_t arena;
    zg_arena_init(&arena, 0, 1 << 20);
    zg_stats_drill_t dd;
    assert_int_equal(zg_stats_drilldown(&res, ir, &arena, &dd), ZG_OK);
    assert_int_equal(dd.self.org_id, 10);
    assert_int_equal(dd.n_children, 2);
    assert_int_equal(dd.children[0].org_id, 11);
    assert_int_equal(dd.children[1].org_id, 12);
    assert_int_equal(dd.children[1].cells[ZG_STATS_C_TOTAL], 2);
    assert_int_equal(dd.self.cells[ZG_STATS_C_TOTAL], 2);
    assert_string_equal(dd.data_as_of, "2025-01-02 03:04:05");
    assert_int_equal(dd.version, 42);
    assert_int_equal(dd.as_of, D);
    assert_int_equal(zg_stats_drilldown(&res, ia, &arena, &dd), ZG_OK);
    assert_int_equal(dd.n_children, 0);
    zg_arena_destroy(&arena);
    zg_stats_result_free(&res);
    zg_stats_snapshot_free(s);
}

/* An org counts on the days it is active. */
static void test_org_active_dates(void **state)
{
    (void)state;
    zg_stats_builder_t *b;
    zg_error_t err;
    assert_int_equal(zg_stats_builder_new(0, 0, &b), ZG_OK);
    zg_stats_org_in_t root = {.id = 1, .kind = ZG_STATS_KIND_COMMITTEE};
    zg_stats_org_in_t gb = {.id = 2,
                            .parent_id = 1,
                            .kind = ZG_STATS_KIND_GENERAL_BRANCH,
                            .has_from = true,
                            .active_from = ref_ymd(2020, 1, 1),
                            .has_to = true,
                            .active_to = ref_ymd(2024, 1, 1)};
    assert_int_equal(zg_stats_builder_add_org(b, &root, &err), ZG_OK);
    assert_int_equal(zg_stats_builder_add_org(b, &gb, &err), ZG_OK);
    zg_stats_snapshot_t *s;
    assert_int_equal(zg_stats_builder_finish(b, &s, &err), ZG_OK);
    zg_stats_result_t res;
    assert_int_equal(zg_stats_result_init(&res, s), ZG_OK);
    zg_date_t days[] = {ref_ymd(2019, 12, 31), ref_ymd(2020, 1, 1), ref_ymd(2023, 12, 31),
                        ref_ymd(2024, 1, 1)};
    uint32_t want[] = {0, 1, 1, 0};
    for (int i = 0; i < 4; i++) {
        assert_int_equal(zg_stats_compute(s, days[i], 1, &res), ZG_OK);
        assert_int_equal(zg_stats_row(&res, 0)[ZG_STATS_C_ORG_GENERAL_BRANCH], want[i]);
        assert_int_equal(zg_stats_row(&res, 0)[ZG_STATS_C_ORG_COMMITTEE], 1);
        assert_int_equal(zg_stats_row(&res, 0)[ZG_STATS_C_DOMAIN + ZG_STATS_DOMAIN_NONE],
                         1 + want[i]);
    }
    zg_stats_result_free(&res);
    zg_stats_snapshot_free(s);
}

/* ---- against the reference -------------------------------------------------------------- */

static void test_engine_matches_reference(void **state)
{
    (void)state;
    zg_stats_gen_params_t p;
    zg_stats_gen_defaults(&p, 30000);
    p.transfers_ppm = 80000; /* more history than the default, to exercise the intervals */
    p.departures_ppm = 40000;
    ref_data d;
    ref_generate(&p, &d);
    zg_stats_snapshot_t *s;
    zg_error_t err;
    assert_int_equal(zg_stats_gen_snapshot(&p, &s, &err), ZG_OK);
    assert_int_equal(s->n_records, d.n_recs);
    zg_stats_result_t res, one;
    assert_int_equal(zg_stats_result_init(&res, s), ZG_OK);
    assert_int_equal(zg_stats_result_init(&one, s), ZG_OK);
    zg_date_t days[] = {p.as_of, ref_ymd(2024, 6, 30), ref_ymd(2023, 12, 31), ref_ymd(2012, 11, 8),
                        ref_ymd(1990, 1, 1)};
    for (size_t i = 0; i < sizeof days / sizeof days[0]; i++) {
        uint32_t *ref = ref_compute(&d, days[i]);
        assert_int_equal(zg_stats_compute(s, days[i], 1, &one), ZG_OK);
        ref_assert_equal(&d, ref, &one);
        int splits[] = {2, 3, 4, 7, 16, 0};
        for (size_t t = 0; t < sizeof splits / sizeof splits[0]; t++) {
            memset(res.rows, 0xAB, (size_t)s->n_orgs * ZG_STATS_STRIDE * sizeof *res.rows);
            assert_int_equal(zg_stats_compute(s, days[i], splits[t], &res), ZG_OK);
            assert_memory_equal(res.rows, one.rows,
                                (size_t)s->n_orgs * ZG_STATS_STRIDE * sizeof *res.rows);
        }
        free(ref);
    }
    /* the root on as_of is exactly the current members */
    assert_int_equal(zg_stats_compute(s, p.as_of, 2, &res), ZG_OK);
    assert_int_equal(zg_stats_row(&res, 0)[ZG_STATS_C_TOTAL], 30000);
    zg_stats_result_free(&res);
    zg_stats_result_free(&one);
    zg_stats_snapshot_free(s);
    ref_free(&d);
}

/* A subtree alone gives the same rows as the full computation, on any split. */
static void test_subtree_and_drilldown(void **state)
{
    (void)state;
    zg_stats_gen_params_t p;
    zg_stats_gen_defaults(&p, 60000);
    zg_stats_snapshot_t *s;
    zg_error_t err;
    assert_int_equal(zg_stats_gen_snapshot(&p, &s, &err), ZG_OK);
    zg_stats_result_t full, sub;
    assert_int_equal(zg_stats_result_init(&full, s), ZG_OK);
    assert_int_equal(zg_stats_result_init(&sub, s), ZG_OK);
    assert_int_equal(zg_stats_compute(s, p.as_of, 2, &full), ZG_OK);
    zg_arena_t arena;
    zg_arena_init(&arena, 0, 0);
    /* every org at depth 1..4 (provinces, cities, counties, committees) */
    int checked = 0;
    for (uint32_t o = 0; o < s->n_orgs; o++) {
        if (s->depth[o] < 1 || s->depth[o] > 4 || (o % 7 && s->depth[o] == 4))
            continue;
        for (int threads = 1; threads <= 3; threads++) {
            assert_int_equal(zg_stats_compute_subtree(s, o, p.as_of, threads, &sub), ZG_OK);
            assert_int_equal(sub.lo, o);
            assert_int_equal(sub.hi, s->end[o]);
            assert_memory_equal(zg_stats_row(&sub, o), zg_stats_row(&full, o),
                                (size_t)(s->end[o] - o) * ZG_STATS_STRIDE * sizeof(uint32_t));
        }
        zg_stats_drill_t dd;
        assert_int_equal(zg_stats_drilldown(&sub, o, &arena, &dd), ZG_OK);
        uint32_t sum = 0;
        size_t kids = 0;
        for (uint32_t c = o + 1; c < s->end[o]; c++)
            kids += s->parent[c] == o;
        assert_int_equal(dd.n_children, kids);
        for (size_t i = 0; i < dd.n_children; i++) {
            assert_int_equal(s->parent[dd.children[i].index], o);
            sum += dd.children[i].cells[ZG_STATS_C_TOTAL];
        }
        if (s->kind[o] != ZG_STATS_KIND_BRANCH) /* members sit in branches only */
            assert_int_equal(sum, dd.self.cells[ZG_STATS_C_TOTAL]);
        checked++;
    }
    assert_true(checked > 10);
    zg_stats_drill_t dd;
    assert_int_equal(zg_stats_drilldown(&sub, 0, &arena, &dd), ZG_ERR_NOT_FOUND);
    assert_int_equal(zg_stats_compute_subtree(s, s->n_orgs, p.as_of, 1, &sub), ZG_ERR_NOT_FOUND);
    zg_arena_destroy(&arena);
    zg_stats_result_free(&full);
    zg_stats_result_free(&sub);
    zg_stats_snapshot_free(s);
}

/* Orgs added children-first and records in reverse order give the same snapshot counts. */
static void test_builder_unsorted_input(void **state)
{
    (void)state;
    zg_stats_gen_params_t p;
    zg_stats_gen_defaults(&p, 5000);
    ref_data d;
    ref_generate(&p, &d);
    /* reverse orgs and records; renumber org ids so they are not sorted either */
    ref_data r = d;
    r.orgs = malloc(d.n_orgs * sizeof *r.orgs);
    r.recs = malloc(d.n_recs * sizeof *r.recs);
    assert_non_null(r.orgs);
    assert_non_null(r.recs);
#define REMAP(id) ((id) ? 1000003 * (int64_t)(id) % 999983 + 1 : 0)
    for (size_t i = 0; i < d.n_orgs; i++) {
        r.orgs[i] = d.orgs[d.n_orgs - 1 - i];
        r.orgs[i].id = REMAP(r.orgs[i].id);
        r.orgs[i].parent_id = REMAP(r.orgs[i].parent_id);
    }
    for (size_t i = 0; i < d.n_recs; i++) {
        r.recs[i] = d.recs[d.n_recs - 1 - i];
        r.recs[i].rec.org_id = REMAP(r.recs[i].rec.org_id);
    }
#undef REMAP
    zg_stats_snapshot_t *s = snapshot_of(&r);
    assert_int_equal(s->n_records, d.n_recs);
    for (uint32_t o = 1; o < s->n_orgs; o++) {
        assert_true(s->parent[o] < o);
        assert_true(s->end[o] <= s->end[s->parent[o]]);
    }
    zg_stats_result_t res;
    assert_int_equal(zg_stats_result_init(&res, s), ZG_OK);
    zg_date_t day = ref_ymd(2024, 8, 1);
    uint32_t *ref = ref_compute(&r, day);
    assert_int_equal(zg_stats_compute(s, day, 2, &res), ZG_OK);
    ref_assert_equal(&r, ref, &res);
    free(ref);
    zg_stats_result_free(&res);
    zg_stats_snapshot_free(s);
    ref_free(&r);
    ref_free(&d);
}

static void test_builder_refusals(void **state)
{
    (void)state;
    zg_stats_builder_t *b;
    zg_stats_snapshot_t *s;
    zg_error_t err;
    zg_stats_org_in_t root = {.id = 1, .kind = ZG_STATS_KIND_LOCAL};
    zg_stats_org_in_t kid = {.id = 2, .parent_id = 1, .kind = ZG_STATS_KIND_BRANCH};

    /* unknown parent */
    assert_int_equal(zg_stats_builder_new(0, 0, &b), ZG_OK);
    zg_stats_org_in_t orphan = {.id = 5, .parent_id = 99, .kind = ZG_STATS_KIND_BRANCH};
    assert_int_equal(zg_stats_builder_add_org(b, &orphan, &err), ZG_OK);
    assert_int_equal(zg_stats_builder_finish(b, &s, &err), ZG_ERR_INVALID);
    assert_string_equal(err.code, "stats_org_parent");
    assert_null(s);

    /* a cycle: 3 → 4 → 3 beside a root */
    assert_int_equal(zg_stats_builder_new(0, 0, &b), ZG_OK);
    zg_stats_org_in_t c3 = {.id = 3, .parent_id = 4, .kind = ZG_STATS_KIND_BRANCH};
    zg_stats_org_in_t c4 = {.id = 4, .parent_id = 3, .kind = ZG_STATS_KIND_BRANCH};
    assert_int_equal(zg_stats_builder_add_org(b, &root, &err), ZG_OK);
    assert_int_equal(zg_stats_builder_add_org(b, &c3, &err), ZG_OK);
    assert_int_equal(zg_stats_builder_add_org(b, &c4, &err), ZG_OK);
    assert_int_equal(zg_stats_builder_finish(b, &s, &err), ZG_ERR_INVALID);
    assert_string_equal(err.code, "stats_org_cycle");

    /* too deep: a chain of 66 */
    assert_int_equal(zg_stats_builder_new(0, 0, &b), ZG_OK);
    for (int i = 1; i <= 66; i++) {
        zg_stats_org_in_t o = {.id = i, .parent_id = i - 1, .kind = ZG_STATS_KIND_OTHER};
        assert_int_equal(zg_stats_builder_add_org(b, &o, &err), ZG_OK);
    }
    assert_int_equal(zg_stats_builder_finish(b, &s, &err), ZG_ERR_INVALID);
    assert_string_equal(err.code, "stats_org_depth");

    assert_int_equal(zg_stats_builder_new(0, 0, &b), ZG_OK);
    assert_int_equal(zg_stats_builder_add_org(b, &root, &err), ZG_OK);
    assert_int_equal(zg_stats_builder_add_org(b, &root, &err), ZG_ERR_INVALID); /* duplicate */
    zg_stats_org_in_t bad = {.id = 9, .parent_id = 1, .kind = ZG_STATS_KIND_COUNT};
    assert_int_equal(zg_stats_builder_add_org(b, &bad, &err), ZG_ERR_INVALID);
    bad = (zg_stats_org_in_t){
        .id = 9, .parent_id = 1, .has_from = true, .active_from = ref_ymd(1899, 12, 31)};
    assert_int_equal(zg_stats_builder_add_org(b, &bad, &err), ZG_ERR_INVALID);
    bad = (zg_stats_org_in_t){.id = 0};
    assert_int_equal(zg_stats_builder_add_org(b, &bad, &err), ZG_ERR_INVALID);
    assert_int_equal(zg_stats_builder_add_org(b, &kid, &err), ZG_OK);

    zg_stats_record_in_t ok = {.org_id = 2, .open = true};
    ok.birth = ref_ymd(1980, 1, 1);
    ok.join = ok.from = ref_ymd(2010, 1, 1);
    zg_stats_record_in_t r = ok;
    r.org_id = 77;
    assert_int_equal(zg_stats_builder_add_record(b, &r, &err), ZG_ERR_INVALID);
    assert_string_equal(err.code, "stats_record_org");
    r = ok;
    r.birth = ref_ymd(1899, 12, 31);
    assert_int_equal(zg_stats_builder_add_record(b, &r, &err), ZG_ERR_INVALID);
    assert_string_equal(err.code, "stats_record_date");
    r = ok;
    r.open = false;
    r.to = r.from; /* empty interval */
    assert_int_equal(zg_stats_builder_add_record(b, &r, &err), ZG_ERR_INVALID);
    assert_string_equal(err.code, "stats_record_order");
    r = ok;
    r.from = r.join - 1; /* counted before joining */
    assert_int_equal(zg_stats_builder_add_record(b, &r, &err), ZG_ERR_INVALID);
    r = ok;
    r.converted = true;
    r.conversion = r.join - 1;
    assert_int_equal(zg_stats_builder_add_record(b, &r, &err), ZG_ERR_INVALID);
    r = ok;
    r.join = r.birth - 1;
    assert_int_equal(zg_stats_builder_add_record(b, &r, &err), ZG_ERR_INVALID);
    r = ok;
    r.occ = ZG_STATS_OCC_COUNT;
    assert_int_equal(zg_stats_builder_add_record(b, &r, &err), ZG_ERR_INVALID);
    assert_string_equal(err.code, "stats_record_code");
    assert_int_equal(zg_stats_builder_add_record(b, &ok, &err), ZG_OK);
    /* orgs after records */
    zg_stats_org_in_t late = {.id = 3, .parent_id = 1, .kind = ZG_STATS_KIND_BRANCH};
    assert_int_equal(zg_stats_builder_add_org(b, &late, &err), ZG_ERR_INVALID);
    assert_int_equal(zg_stats_builder_finish(b, &s, &err), ZG_OK);
    assert_int_equal(s->n_records, 1);
    zg_stats_result_t res;
    assert_int_equal(zg_stats_result_init(&res, s), ZG_OK);
    assert_int_equal(zg_stats_compute(s, ref_ymd(1899, 12, 31), 1, &res), ZG_ERR_INVALID);
    assert_int_equal(zg_stats_compute(s, ref_ymd(2079, 6, 5), 1, &res), ZG_OK);
    assert_int_equal(zg_stats_row(&res, 0)[ZG_STATS_C_TOTAL], 1);
    assert_int_equal(zg_stats_row(&res, 0)[ZG_STATS_C_PROBATIONARY], 1);
    zg_stats_result_free(&res);
    zg_stats_snapshot_free(s);

    /* a builder freed unfinished */
    assert_int_equal(zg_stats_builder_new(10, 10, &b), ZG_OK);
    assert_int_equal(zg_stats_builder_add_org(b, &root, &err), ZG_OK);
    zg_stats_builder_free(b);
}

static void test_cell_names(void **state)
{
    (void)state;
    for (int c = 0; c < ZG_STATS_CELLS; c++) {
        assert_non_null(zg_stats_cell_key(c));
        assert_non_null(zg_stats_cell_label(c));
        for (int d = 0; d < c; d++)
            assert_string_not_equal(zg_stats_cell_key(c), zg_stats_cell_key(d));
    }
    assert_null(zg_stats_cell_key(ZG_STATS_CELLS));
    assert_null(zg_stats_cell_label(-1));
    assert_string_equal(zg_stats_cell_label(ZG_STATS_C_COLLEGE_PLUS), "大专及以上");
    assert_string_equal(zg_stats_kind_key(ZG_STATS_KIND_GENERAL_BRANCH), "general_branch");
    assert_string_equal(zg_stats_domain_key(ZG_STATS_DOMAIN_NONE), "");
    assert_null(zg_stats_domain_key(ZG_STATS_DOMAIN_COUNT));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_join_boundaries),
        cmocka_unit_test(test_age_band_sweep),
        cmocka_unit_test(test_age_band_edges_in_engine),
        cmocka_unit_test(test_join_period_edges_in_engine),
        cmocka_unit_test(test_transfer_and_conversion),
        cmocka_unit_test(test_org_active_dates),
        cmocka_unit_test(test_engine_matches_reference),
        cmocka_unit_test(test_subtree_and_drilldown),
        cmocka_unit_test(test_builder_unsorted_input),
        cmocka_unit_test(test_builder_refusals),
        cmocka_unit_test(test_cell_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
