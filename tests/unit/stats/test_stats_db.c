/* test_stats_db.c — the statistics engine on the platform's own tables (issue 6 §2, §4):
 * the database loader (stats_db.c), the reports (stats_report.c) and the refresher
 * (stats_service.c), against a real database of each backend (sqlite/…, postgres/…; the
 * PostgreSQL runs are skipped without ZG_TEST_PG_URL).
 *
 * The dataset is made through the modules' own functions (zg_org_create, zg_member_create,
 * zg_member_event: conversions, moves, removals, deaths, suspensions and restorations, an org
 * dissolved after its members moved out, an org founded later), so the spans are the ones the
 * member module writes. Correctness: for every org and every cell, at many as-of dates (the
 * day before and the day of moves and conversions among them), the engine's answer must equal
 * a straightforward SQL computation written here — spans valid on the day, per subtree through
 * org_closure, categories by CASE over the codes, age bands by comparing birth dates with
 * cut-off dates computed by plain string arithmetic — and the recruits of every year must
 * equal their SQL count. A few rows are inserted directly (marked) to check what the loader
 * does with data the member module would refuse. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "core/crypto.h"
#include "core/date.h"
#include "core/log.h"
#include "db/db.h"
#include "modules/member/member.h"
#include "modules/org/org.h"
#include "modules/stats/stats_service.h"
#include "testdb.h"

#define CHECK(call)                                                                                \
    do {                                                                                           \
        int rc_ = (call);                                                                          \
        if (rc_ != 0) {                                                                            \
            print_error("%s:%d: %s -> %d (%s) %s / %s\n", __FILE__, __LINE__, #call, rc_,          \
                        zg_status_name(rc_), err.message, err.detail);                             \
            fail();                                                                                \
        }                                                                                          \
    } while (0)

#define TODAY  "2026-11-23"
#define MAXORG 64

typedef struct ctx {
    const char *backend;
    bool skip;
    char url[512];
    zg_db_t *db;
    zg_conn_t *c;
    zg_arena_t a;
    int64_t root, county, town1, town2, gb, wc, hosp;
    int64_t leaves[16];
    int nleaves;
    int64_t gone, late;
    zg_member_actor_t actor;
    uint64_t rng;
    /* dates worth checking: the day before and the day of moves and conversions */
    zg_date_t probe[64];
    int nprobe;
} ctx_t;

static ctx_t proto_sqlite = {.backend = "sqlite"};
static ctx_t proto_pg = {.backend = "postgres"};

static const uint8_t KEY[ZG_MASTER_KEY_LEN] = {7,  2,  3,  4,  5,  6,  7,  8,  9,  10, 11,
                                               12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22,
                                               23, 24, 25, 26, 27, 28, 29, 30, 31, 32};

static zg_date_t D(const char *s)
{
    zg_date_t d;
    assert_int_equal(zg_date_parse(s, &d), 0);
    return d;
}

static const char *fmt(ctx_t *t, zg_date_t d)
{
    char *b = zg_arena_alloc(&t->a, ZG_DATE_STR_SIZE);
    assert_int_equal(zg_date_format(d, b), 0);
    return b;
}

static uint32_t rnd(ctx_t *t, uint32_t n)
{
    t->rng = t->rng * 6364136223846793005ull + 1442695040888963407ull;
    return (uint32_t)((t->rng >> 33) % n);
}

static int64_t mk_org(ctx_t *t, int64_t parent, const char *kind, const char *name,
                      const char *category, const char *domain, const char *founded)
{
    zg_org_op_t op;
    zg_org_op_init(&op, &t->a, t->root, &(zg_org_actor_t){.username = "tester"});
    zg_org_input_t in = {.set = ZG_ORG_SET_KIND | ZG_ORG_SET_NAME,
                         .parent_id = parent,
                         .kind = kind,
                         .name = name,
                         .founded_on = ZG_ORG_NO_DATE,
                         .effective_on = ZG_ORG_NO_DATE};
    if (category) {
        in.set |= ZG_ORG_SET_CATEGORY;
        in.category = category;
    }
    if (domain) {
        in.set |= ZG_ORG_SET_DOMAIN;
        in.domain = domain;
    }
    if (founded) {
        in.set |= ZG_ORG_SET_FOUNDED_ON;
        in.founded_on = D(founded);
    }
    int64_t id = 0;
    zg_error_t err;
    int rc = zg_org_create(t->c, &op, &in, &id, &err);
    if (rc)
        for (int i = 0; i < op.findings.n; i++)
            print_error("  finding %s: %s\n", op.findings.items[i].rule->id,
                        op.findings.items[i].message);
    CHECK(rc);
    return id;
}

static zg_member_op_t op_of(ctx_t *t)
{
    zg_member_op_t op;
    zg_member_op_init(&op, &t->a, t->root, &t->actor);
    op.today = D(TODAY);
    return op;
}

static void dump(const zg_member_op_t *op)
{
    for (int i = 0; i < op->findings.n; i++)
        print_error("  finding %s: %s\n", op->findings.items[i].rule->id,
                    op->findings.items[i].message);
}

/* A member through the member module. conv = ZG_MEMBER_NO_DATE: probationary. */
static int64_t add_member(ctx_t *t, int64_t org, const char *gender, const char *ethnicity,
                          zg_date_t birth, const char *education, const char *occupation,
                          zg_date_t joined, zg_date_t conv)
{
    zg_member_input_t in = {
        .set = ZG_MEMBER_SET_NAME | ZG_MEMBER_SET_GENDER | ZG_MEMBER_SET_BIRTH_DATE |
               ZG_MEMBER_SET_ORG | ZG_MEMBER_SET_JOINED_ON,
        .name = "测试党员",
        .gender = gender,
        .birth_date = birth,
        .org_id = org,
        .joined_on = joined,
        .converted_on = ZG_MEMBER_NO_DATE,
        .work_start_date = ZG_MEMBER_NO_DATE,
    };
    if (ethnicity) {
        in.set |= ZG_MEMBER_SET_ETHNICITY;
        in.ethnicity = ethnicity;
    }
    if (education) {
        in.set |= ZG_MEMBER_SET_EDUCATION;
        in.education = education;
    }
    if (occupation) {
        in.set |= ZG_MEMBER_SET_OCCUPATION;
        in.occupation = occupation;
    }
    if (conv != ZG_MEMBER_NO_DATE) {
        in.set |= ZG_MEMBER_SET_CONVERTED_ON;
        in.converted_on = conv;
    }
    zg_member_op_t op = op_of(t);
    op.in_tx = true;
    zg_error_t err;
    int64_t id = 0;
    int rc = zg_member_create(t->c, &op, &in, &id, &err);
    if (rc)
        dump(&op);
    CHECK(rc);
    return id;
}

static int ev(ctx_t *t, int64_t id, const char *kind, zg_date_t on, int64_t to_org, zg_error_t *err)
{
    zg_member_op_t op = op_of(t);
    op.in_tx = true;
    zg_member_event_input_t e = {.kind = kind, .on_date = on, .to_org_id = to_org};
    int rc = zg_member_event(t->c, &op, id, &e, NULL, err);
    if (rc)
        dump(&op);
    return rc;
}

static void probe(ctx_t *t, zg_date_t d)
{
    if (t->nprobe < 60) {
        t->probe[t->nprobe++] = d - 1;
        t->probe[t->nprobe++] = d;
    }
}

static bool prob_or_full_today(ctx_t *t, int64_t id)
{
    int64_t org;
    const char *st;
    zg_error_t err;
    return zg_member_state_as_of(t->c, id, D(TODAY), &org, &st, &err) == ZG_OK &&
           (!strcmp(st, "probationary") || !strcmp(st, "full"));
}

/* The random members: see the file comment. */
static void make_members(ctx_t *t, int n)
{
    static const char *const eth[] = {"01", "01", "01", "01", "02", "03", "56", "91", NULL};
    static const char *const edu[] = {"11", "14", "19", "21", "28", "31", "33",
                                      "41", "49", "61", "71", "81", "90", NULL};
    static const char *const occ[] = {"worker",  "farmer", "professional", "manager", "official",
                                      "student", "other",  "retired",      NULL};
    zg_date_t today = D(TODAY);
    zg_error_t err;
    for (int i = 0; i < n; i++) {
        int64_t org = t->leaves[rnd(t, (uint32_t)t->nleaves)];
        zg_date_t birth = D("1925-01-01") + (zg_date_t)rnd(t, 365 * 76);
        if (i % 37 == 0) {
            zg_date_t feb29;
            assert_int_equal(zg_date_from_ymd(1960 + 4 * (int)rnd(t, 10), 2, 29, &feb29), 0);
            birth = feb29;
        }
        zg_date_t adult;
        assert_int_equal(zg_date_add_months(birth, 12 * 18, &adult), 0);
        zg_date_t lo = adult > D("1945-01-01") ? adult : D("1945-01-01");
        if (lo > today - 30)
            lo = today - 400;
        if (lo < adult)
            continue;
        zg_date_t joined = lo + (zg_date_t)rnd(t, (uint32_t)(today - 30 - lo));
        if (i % 41 == 0 && joined > D("2012-11-08") && adult < D("2012-11-01"))
            joined = D("2012-11-08") - (zg_date_t)rnd(t, 2); /* the boundary and the day before */
        if (org == t->gone && joined >= D("2024-01-01"))
            org = t->leaves[1]; /* the dissolved branch takes members who can leave in time */
        zg_date_t pend;
        assert_int_equal(zg_date_add_months(joined, 12, &pend), 0);
        zg_date_t conv = ZG_MEMBER_NO_DATE;
        bool full_at_create = pend + 40 < today && rnd(t, 10) < 6;
        if (full_at_create)
            conv = pend + (zg_date_t)rnd(t, 30);
        int64_t id = add_member(t, org, rnd(t, 3) ? "1" : "2", eth[rnd(t, 9)], birth,
                                edu[rnd(t, 14)], occ[rnd(t, 9)], joined, conv);
        if (conv != ZG_MEMBER_NO_DATE && i < 40)
            probe(t, conv);
        zg_date_t last = conv != ZG_MEMBER_NO_DATE ? conv : joined;
        /* a conversion by event at the end of the probation */
        bool prob = conv == ZG_MEMBER_NO_DATE;
        if (prob && pend < today && rnd(t, 2)) {
            CHECK(ev(t, id, "converted", pend, 0, &err));
            last = pend;
            prob = false;
            probe(t, pend);
        }
        /* a move to another branch */
        if (rnd(t, 100) < 20 && last + 2 < today) {
            zg_date_t on = last + 1 + (zg_date_t)rnd(t, (uint32_t)(today - last - 1));
            int64_t to = t->leaves[rnd(t, (uint32_t)t->nleaves)];
            if (to != org && to != t->gone) {
                CHECK(ev(t, id, "moved", on, to, &err));
                last = on;
                org = to;
                probe(t, on);
            }
        }
        /* a conversion after the move */
        if (prob && pend < today && pend >= last && rnd(t, 2)) {
            CHECK(ev(t, id, "converted", pend, 0, &err));
            last = pend;
            prob = false;
        }
        uint32_t fate = org == t->gone ? 100 : rnd(t, 100);
        if (last + 2 < today && fate < 12) {
            zg_date_t on = last + 1 + (zg_date_t)rnd(t, (uint32_t)(today - last - 1));
            const char *kind = fate < 5 ? "removed" : fate < 8 ? "died" : "suspended";
            CHECK(ev(t, id, kind, on, 0, &err));
            if (!strcmp(kind, "suspended") && on + 2 < today && rnd(t, 2)) {
                zg_date_t back = on + 1 + (zg_date_t)rnd(t, (uint32_t)(today - on - 1));
                CHECK(ev(t, id, "restored", back, 0, &err));
                probe(t, back);
            }
            probe(t, on);
        }
        /* the members of the branch dissolved on 2025-06-30 leave it on 2025-06-01 */
        if (org == t->gone && prob_or_full_today(t, id)) {
            assert_true(last < D("2025-06-01"));
            CHECK(ev(t, id, "moved", D("2025-06-01"), t->leaves[0], &err));
            probe(t, D("2025-06-01"));
        }
    }
}

static int setup(void **state)
{
    const ctx_t *proto = *state;
    ctx_t *t = calloc(1, sizeof *t);
    assert_non_null(t);
    t->backend = proto->backend;
    t->rng = 20261123;
    *state = t;
    zg_log_set_level(ZG_LOG_ERROR);
    int rc = zg_testdb_url(t->backend, t->url, sizeof t->url);
    if (rc == ZG_TESTDB_NO_SERVER) {
        t->skip = true;
        return 0;
    }
    if (rc != 0)
        return -1;
    zg_error_t err;
    if (zg_db_open(t->url, &t->db, &err) || zg_db_migrate(t->db, NULL, &err)) {
        print_error("open/migrate %s: %s\n", t->url, err.detail);
        return -1;
    }
    t->c = zg_db_conn(t->db, &err);
    zg_arena_init(&t->a, 0, 256u << 20);
    t->actor = (zg_member_actor_t){.account_id = 0, .username = "tester", .ip = "127.0.0.1"};
    zg_member_set_master_key(KEY);
    zg_org_set_member_counter(NULL);
    zg_org_actor_t oa = {.username = "tester"};
    if (zg_org_create_root(t->c, &oa, "中共测试市委员会", &t->root, &err))
        return -1;
    return 0;
}

/* The tree of the correctness tests and the members. */
static void make_dataset(ctx_t *t, int members)
{
    t->county = mk_org(t, t->root, "committee", "中共测试县委员会", "142", NULL, NULL);
    t->town1 = mk_org(t, t->county, "committee", "中共甲镇委员会", "611", "rural", NULL);
    t->town2 = mk_org(t, t->county, "committee", "中共乙镇委员会", "611", "rural", NULL);
    t->gb = mk_org(t, t->county, "general_branch", "县一中党总支", "621", "school", NULL);
    t->wc = mk_org(t, t->county, "work_committee", "县直机关工委", "241", "agency", NULL);
    t->hosp = mk_org(t, t->root, "committee", "市医院党委", "611", "hospital", NULL);
    int64_t *l = t->leaves;
    int n = 0;
    l[n++] = mk_org(t, t->town1, "branch", "一村党支部", "631", "rural", NULL);
    l[n++] = mk_org(t, t->town1, "branch", "二村党支部", "631", "rural", NULL);
    l[n++] = mk_org(t, t->town1, "joint_branch", "三四村联合党支部", "632", "rural", NULL);
    l[n++] = mk_org(t, t->town2, "branch", "五村党支部", "631", "rural", NULL);
    t->late = l[n++] = mk_org(t, t->town2, "branch", "新村党支部", "631", "rural", "2020-03-01");
    t->gone = l[n++] = mk_org(t, t->town2, "branch", "旧村党支部", "631", "rural", "1990-01-01");
    l[n++] = mk_org(t, t->gb, "branch", "教师第一党支部", "631", "school", NULL);
    l[n++] = mk_org(t, t->gb, "branch", "教师第二党支部", "631", "school", NULL);
    l[n++] = mk_org(t, t->wc, "branch", "县财政局机关党支部", "423", "agency", NULL);
    l[n++] = mk_org(t, t->hosp, "branch", "内科党支部", "631", "hospital", NULL);
    l[n++] = mk_org(t, t->hosp, "branch", "外科党支部", NULL, NULL, NULL);
    l[n++] = mk_org(t, t->root, "temp_branch", "培训班临时党支部", NULL, NULL, NULL);
    t->nleaves = n;
    zg_error_t err;
    CHECK(zg_db_begin(t->c, ZG_TX_WRITE, &err));
    make_members(t, members);
    CHECK(zg_db_commit(t->c, &err));
    zg_org_op_t op;
    zg_org_op_init(&op, &t->a, t->root, &(zg_org_actor_t){.username = "tester"});
    CHECK(zg_org_dissolve(t->c, &op, t->gone, D("2025-06-30"), "撤并", &err));
}

static int teardown(void **state)
{
    ctx_t *t = *state;
    if (t) {
        zg_stats_service_stop();
        zg_arena_destroy(&t->a);
        if (t->db)
            zg_db_close(t->db);
        free(t);
    }
    zg_testdb_cleanup();
    return 0;
}

static ctx_t *start(void **state)
{
    ctx_t *t = *state;
    if (t->skip)
        skip();
    zg_member_set_master_key(KEY);
    return t;
}

#define BOTH(f)                                                                                    \
    {"sqlite/" #f, f, setup, teardown, &proto_sqlite},                                             \
    {                                                                                              \
        "postgres/" #f, f, setup, teardown, &proto_pg                                              \
    }

/* ---- the SQL reference ------------------------------------------------------------------ */

typedef struct ref {
    int64_t max_id;
    uint32_t cells[MAXORG][ZG_STATS_CELLS];
} ref_t;

/* The last birth date that has reached `age` on `at` by plain arithmetic on the calendar:
 * the same month and day `age` years earlier, or the month's last day when that year's month
 * is shorter (29 February → 28 February). */
static void cutoff(zg_date_t at, int age, char out[ZG_DATE_STR_SIZE])
{
    int y, m, d;
    zg_date_to_ymd(at, &y, &m, &d);
    y -= age;
    int dim = zg_date_days_in_month(y, m);
    snprintf(out, ZG_DATE_STR_SIZE, "%04d-%02d-%02d", y, m, d > dim ? dim : d);
}

#define CAT_EXPRS                                                                                  \
    "CASE WHEN p.gender = '2' THEN 1 ELSE 0 END AS female, "                                       \
    "CASE WHEN length(p.ethnicity) = 2 AND p.ethnicity BETWEEN '02' AND '56' THEN 1 ELSE 0 END "   \
    "AS minority, "                                                                                \
    "CASE WHEN p.education BETWEEN '10' AND '19' THEN 0 "                                          \
    "     WHEN p.education BETWEEN '20' AND '28' THEN 1 "                                          \
    "     WHEN p.education BETWEEN '30' AND '33' THEN 2 "                                          \
    "     WHEN p.education BETWEEN '40' AND '49' OR p.education BETWEEN '60' AND '63' THEN 3 "     \
    "     ELSE 4 END AS edu, "                                                                     \
    "CASE WHEN m.joined_on < '1949-10-01' THEN 0 WHEN m.joined_on < '1978-12-18' THEN 1 "          \
    "     WHEN m.joined_on < '2012-11-08' THEN 2 ELSE 3 END AS period, "                           \
    "CASE p.occupation WHEN 'worker' THEN 0 WHEN 'farmer' THEN 1 WHEN 'professional' THEN 2 "      \
    "     WHEN 'manager' THEN 3 WHEN 'official' THEN 4 WHEN 'student' THEN 5 "                     \
    "     WHEN 'retired' THEN 7 ELSE 6 END AS occ"

/* Members on `day`, per subtree, every cell, and the orgs active on that day. */
static void sql_reference(ctx_t *t, zg_date_t day, ref_t *out)
{
    memset(out, 0, sizeof *out);
    zg_error_t err;
    char d[ZG_DATE_STR_SIZE], c[7][ZG_DATE_STR_SIZE];
    zg_date_format(day, d);
    static const int ages[7] = {31, 36, 41, 46, 51, 56, 61};
    for (int k = 0; k < 7; k++)
        cutoff(day, ages[k], c[k]);
    zg_param_t p[] = {ZG_P_TEXT(d),    ZG_P_TEXT(c[6]), ZG_P_TEXT(c[5]), ZG_P_TEXT(c[4]),
                      ZG_P_TEXT(c[3]), ZG_P_TEXT(c[2]), ZG_P_TEXT(c[1]), ZG_P_TEXT(c[0])};
    zg_rows_t *r;
    CHECK(zg_db_query(
        t->c,
        "SELECT cl.ancestor_id, x.female, x.minority, x.edu, x.period, x.occ, x.band, x.prob, "
        "count(*) FROM (SELECT s.org_id, " CAT_EXPRS " , "
        "CASE WHEN p.birth_date <= $2 THEN 7 WHEN p.birth_date <= $3 THEN 6 "
        "     WHEN p.birth_date <= $4 THEN 5 WHEN p.birth_date <= $5 THEN 4 "
        "     WHEN p.birth_date <= $6 THEN 3 WHEN p.birth_date <= $7 THEN 2 "
        "     WHEN p.birth_date <= $8 THEN 1 ELSE 0 END AS band, "
        "CASE WHEN s.status = 'probationary' THEN 1 ELSE 0 END AS prob "
        "FROM membership_span s JOIN membership m ON m.id = s.membership_id "
        "JOIN person p ON p.id = m.person_id "
        "WHERE s.status IN ('probationary', 'full') AND s.valid_from <= $1 "
        "AND (s.valid_to IS NULL OR s.valid_to > $1)) AS x "
        "JOIN org_closure cl ON cl.descendant_id = x.org_id "
        "GROUP BY cl.ancestor_id, x.female, x.minority, x.edu, x.period, x.occ, x.band, x.prob",
        p, 8, &r, &err));
    int rc;
    while ((rc = zg_rows_next(r, &err)) == 1) {
        int64_t id = zg_rows_int(r, 0);
        assert_true(id > 0 && id < MAXORG);
        uint32_t *cell = out->cells[id];
        uint32_t n = (uint32_t)zg_rows_int(r, 8);
        int female = (int)zg_rows_int(r, 1), edu = (int)zg_rows_int(r, 3);
        cell[ZG_STATS_C_TOTAL] += n;
        cell[female ? ZG_STATS_C_FEMALE : ZG_STATS_C_MALE] += n;
        cell[ZG_STATS_C_MINORITY] += zg_rows_int(r, 2) ? n : 0;
        cell[ZG_STATS_C_EDU + edu] += n;
        cell[ZG_STATS_C_COLLEGE_PLUS] += edu <= 2 ? n : 0;
        cell[ZG_STATS_C_JOIN + zg_rows_int(r, 4)] += n;
        cell[ZG_STATS_C_OCC + zg_rows_int(r, 5)] += n;
        cell[ZG_STATS_C_AGE + zg_rows_int(r, 6)] += n;
        cell[zg_rows_int(r, 7) ? ZG_STATS_C_PROBATIONARY : ZG_STATS_C_FULL] += n;
    }
    zg_rows_close(r);
    assert_int_equal(rc, 0);

    zg_param_t q[] = {ZG_P_TEXT(d)};
    CHECK(zg_db_query(
        t->c,
        "SELECT cl.ancestor_id, "
        "CASE WHEN o.kind = 'committee' AND (substr(o.category, 1, 1) = '1' OR "
        "          (o.category IS NULL AND o.domain IS NULL)) THEN 1 "
        "     WHEN o.kind = 'committee' THEN 2 WHEN o.kind = 'general_branch' THEN 3 "
        "     WHEN o.kind IN ('branch', 'joint_branch') THEN 4 ELSE 0 END, "
        "CASE o.domain WHEN 'rural' THEN 1 WHEN 'community' THEN 2 WHEN 'agency' THEN 3 "
        "     WHEN 'school' THEN 4 WHEN 'hospital' THEN 5 WHEN 'soe' THEN 6 "
        "     WHEN 'emerging' THEN 7 WHEN 'university' THEN 8 WHEN 'institute' THEN 9 "
        "     ELSE 0 END, count(*) "
        "FROM org_closure cl JOIN org o ON o.id = cl.descendant_id "
        "WHERE (o.founded_on IS NULL OR o.founded_on <= $1) "
        "AND (o.status <> 'dissolved' OR o.dissolved_on > $1) "
        "GROUP BY 1, 2, 3",
        q, 1, &r, &err));
    while ((rc = zg_rows_next(r, &err)) == 1) {
        int64_t id = zg_rows_int(r, 0);
        int kind = (int)zg_rows_int(r, 1), domain = (int)zg_rows_int(r, 2);
        uint32_t n = (uint32_t)zg_rows_int(r, 3);
        if (kind == 0)
            continue;
        out->cells[id][ZG_STATS_C_ORG_LOCAL + kind - 1] += n;
        if (kind > 1)
            out->cells[id][ZG_STATS_C_DOMAIN + domain] += n;
    }
    zg_rows_close(r);
    assert_int_equal(rc, 0);
}

/* Every org, every cell on `day`: the engine against the SQL reference. */
static void compare_day(ctx_t *t, const zg_stats_snapshot_t *s, zg_stats_result_t *res,
                        zg_date_t day)
{
    ref_t *ref = malloc(sizeof *ref);
    assert_non_null(ref);
    sql_reference(t, day, ref);
    assert_int_equal(zg_stats_compute(s, day, 0, res), 0);
    uint64_t nonzero = 0;
    for (uint32_t o = 0; o < s->n_orgs; o++) {
        int64_t id = s->org_id[o];
        assert_true(id > 0 && id < MAXORG);
        const uint32_t *row = zg_stats_row(res, o);
        for (int cell = 0; cell < ZG_STATS_CELLS; cell++) {
            if (row[cell] != ref->cells[id][cell]) {
                print_error("%s: org %lld, cell %s (%s): engine %u, SQL %u\n", fmt(t, day),
                            (long long)id, zg_stats_cell_key(cell), zg_stats_cell_label(cell),
                            (unsigned)row[cell], (unsigned)ref->cells[id][cell]);
                fail();
            }
            nonzero += row[cell] != 0;
        }
    }
    free(ref);
    (void)nonzero;
}

/* ---- tests ------------------------------------------------------------------------------ */

static void t_categories(void **state)
{
    (void)state;
    /* org kinds */
    assert_int_equal(zg_stats_db_org_kind("committee", "142", NULL), ZG_STATS_KIND_LOCAL);
    assert_int_equal(zg_stats_db_org_kind("committee", "133", NULL), ZG_STATS_KIND_LOCAL);
    assert_int_equal(zg_stats_db_org_kind("committee", NULL, NULL), ZG_STATS_KIND_LOCAL);
    assert_int_equal(zg_stats_db_org_kind("committee", NULL, "rural"), ZG_STATS_KIND_COMMITTEE);
    assert_int_equal(zg_stats_db_org_kind("committee", "611", "rural"), ZG_STATS_KIND_COMMITTEE);
    assert_int_equal(zg_stats_db_org_kind("committee", "421", NULL), ZG_STATS_KIND_COMMITTEE);
    assert_int_equal(zg_stats_db_org_kind("general_branch", "621", NULL),
                     ZG_STATS_KIND_GENERAL_BRANCH);
    assert_int_equal(zg_stats_db_org_kind("branch", NULL, NULL), ZG_STATS_KIND_BRANCH);
    assert_int_equal(zg_stats_db_org_kind("joint_branch", "632", NULL), ZG_STATS_KIND_BRANCH);
    assert_int_equal(zg_stats_db_org_kind("temp_branch", NULL, NULL), ZG_STATS_KIND_OTHER);
    assert_int_equal(zg_stats_db_org_kind("work_committee", "241", "agency"), ZG_STATS_KIND_OTHER);
    assert_int_equal(zg_stats_db_org_kind("leading_group", NULL, NULL), ZG_STATS_KIND_OTHER);
    assert_int_equal(zg_stats_db_org_kind("group", NULL, NULL), ZG_STATS_KIND_OTHER);
    /* domains */
    assert_int_equal(zg_stats_db_domain(NULL), ZG_STATS_DOMAIN_NONE);
    assert_int_equal(zg_stats_db_domain("rural"), ZG_STATS_DOMAIN_RURAL);
    assert_int_equal(zg_stats_db_domain("institute"), ZG_STATS_DOMAIN_INSTITUTE);
    assert_int_equal(zg_stats_db_domain("mars"), ZG_STATS_DOMAIN_NONE);
    /* education: both sides of every boundary of GB/T 4658 */
    static const struct {
        const char *code;
        int edu;
    } edu[] = {{"10", ZG_STATS_EDU_POSTGRAD},  {"19", ZG_STATS_EDU_POSTGRAD},
               {"20", ZG_STATS_EDU_UNDERGRAD}, {"28", ZG_STATS_EDU_UNDERGRAD},
               {"30", ZG_STATS_EDU_COLLEGE},   {"33", ZG_STATS_EDU_COLLEGE},
               {"40", ZG_STATS_EDU_SECONDARY}, {"49", ZG_STATS_EDU_SECONDARY},
               {"60", ZG_STATS_EDU_SECONDARY}, {"63", ZG_STATS_EDU_SECONDARY},
               {"70", ZG_STATS_EDU_JUNIOR},    {"83", ZG_STATS_EDU_JUNIOR},
               {"90", ZG_STATS_EDU_JUNIOR},    {NULL, ZG_STATS_EDU_JUNIOR},
               {"", ZG_STATS_EDU_JUNIOR},      {"5", ZG_STATS_EDU_JUNIOR},
               {"99", ZG_STATS_EDU_JUNIOR}};
    for (size_t i = 0; i < sizeof edu / sizeof edu[0]; i++)
        assert_int_equal(zg_stats_db_edu(edu[i].code), edu[i].edu);
    /* occupations: every key of the member module maps, in the bulletin's order */
    for (int i = 0; zg_member_occupations[i].code; i++)
        assert_int_equal(zg_stats_db_occ(zg_member_occupations[i].code), i);
    assert_int_equal(zg_stats_db_occ(NULL), ZG_STATS_OCC_OTHER);
    assert_int_equal(zg_stats_db_occ("astronaut"), ZG_STATS_OCC_OTHER);
    /* ethnicity */
    assert_false(zg_stats_db_minority("01"));
    assert_true(zg_stats_db_minority("02"));
    assert_true(zg_stats_db_minority("56"));
    assert_false(zg_stats_db_minority("57"));
    assert_false(zg_stats_db_minority("91"));
    assert_false(zg_stats_db_minority("97"));
    assert_false(zg_stats_db_minority(NULL));
    assert_false(zg_stats_db_minority("2"));
    /* percentages: one decimal, half up */
    assert_int_equal(zg_stats_permille(0, 0), -1);
    assert_int_equal(zg_stats_permille(1, 3), 333);
    assert_int_equal(zg_stats_permille(2, 3), 667);
    assert_int_equal(zg_stats_permille(3094, 10000), 309);
    assert_int_equal(zg_stats_permille(3095, 10000), 310);
    assert_int_equal(zg_stats_permille(7, 7), 1000);
}

/* The heart of §4: every org, every cell, at many dates. */
static void t_matches_sql(void **state)
{
    ctx_t *t = start(state);
    make_dataset(t, 420);
    zg_stats_snapshot_t *s;
    zg_stats_db_info_t info;
    zg_error_t err;
    CHECK(zg_stats_db_load(t->db, 7, NULL, &s, &info, &err));
    assert_int_equal(s->version, 7);
    assert_int_equal(strlen(s->data_as_of), 19);
    assert_int_equal((int64_t)info.orgs, (int64_t)19 /* root + 6 + 12 leaves */);
    assert_int_equal(s->n_orgs, info.orgs);
    assert_true(info.spans > info.records); /* conversions merged into their records */
    assert_int_equal(info.skipped, 0);
    assert_int_equal(info.clamped, 0);
    print_message("%s: %llu orgs, %llu spans, %llu records, %d probe dates, %.3f s\n", t->backend,
                  (unsigned long long)info.orgs, (unsigned long long)info.spans,
                  (unsigned long long)info.records, t->nprobe, info.seconds);
    zg_stats_result_t res;
    assert_int_equal(zg_stats_result_init(&res, s), 0);
    static const char *const days[] = {"1946-01-01", "1949-09-30", "1949-10-01", "1978-12-17",
                                       "1978-12-18", "1990-01-01", "2000-02-29", "2012-11-07",
                                       "2012-11-08", "2019-12-31", "2020-02-29", "2020-03-01",
                                       "2024-02-29", "2025-06-29", "2025-06-30", "2025-12-31",
                                       TODAY,        "2030-01-01", "2060-06-30"};
    for (size_t i = 0; i < sizeof days / sizeof days[0]; i++)
        compare_day(t, s, &res, D(days[i]));
    for (int i = 0; i < t->nprobe; i++)
        compare_day(t, s, &res, t->probe[i]);
    /* the test can fail: a wrong count is noticed */
    ref_t *ref = malloc(sizeof *ref);
    sql_reference(t, D(TODAY), ref);
    assert_int_equal(zg_stats_compute(s, D(TODAY), 1, &res), 0);
    uint32_t o = zg_stats_org_find(s, t->county);
    assert_int_equal(zg_stats_row(&res, o)[ZG_STATS_C_TOTAL],
                     ref->cells[t->county][ZG_STATS_C_TOTAL]);
    assert_true(ref->cells[t->county][ZG_STATS_C_TOTAL] > 100);
    assert_true(ref->cells[t->root][ZG_STATS_C_PROBATIONARY] > 0);
    assert_true(ref->cells[t->root][ZG_STATS_C_MINORITY] > 0);
    free(ref);
    zg_stats_result_free(&res);
    zg_stats_snapshot_free(s);
}

/* One member, numbers written out: a move on D (old org on D-1, new org on D) and a conversion
 * (probationary before, full from the day). Independent of the SQL reference. */
static void t_transfer_and_conversion(void **state)
{
    ctx_t *t = start(state);
    int64_t town = mk_org(t, t->root, "committee", "中共丙镇委员会", "611", "rural", NULL);
    int64_t a = mk_org(t, town, "branch", "甲支部", "631", "rural", NULL);
    int64_t b = mk_org(t, town, "branch", "乙支部", "631", "rural", NULL);
    zg_error_t err;
    CHECK(zg_db_begin(t->c, ZG_TX_WRITE, &err));
    int64_t m = add_member(t, a, "2", "02", D("1995-03-01"), "21", "farmer", D("2023-05-10"),
                           ZG_MEMBER_NO_DATE);
    CHECK(ev(t, m, "moved", D("2024-01-15"), b, &err));
    CHECK(ev(t, m, "converted", D("2024-05-10"), 0, &err));
    CHECK(zg_db_commit(t->c, &err));
    zg_stats_snapshot_t *s;
    zg_stats_db_info_t info;
    CHECK(zg_stats_db_load(t->db, 1, NULL, &s, &info, &err));
    assert_int_equal(info.spans,
                     3); /* [join, move) prob in a, [move, conv) prob, [conv, ∞) full in b */
    assert_int_equal(info.records, 2); /* the conversion does not split b's record */
    zg_stats_result_t res;
    assert_int_equal(zg_stats_result_init(&res, s), 0);
    uint32_t ia = zg_stats_org_find(s, a), ib = zg_stats_org_find(s, b),
             it = zg_stats_org_find(s, town);
    struct {
        const char *day;
        uint32_t in_a, in_b, prob, full, female, minority, le30;
    } cases[] = {
        {"2023-05-09", 0, 0, 0, 0, 0, 0, 0}, {"2023-05-10", 1, 0, 1, 0, 1, 1, 1},
        {"2024-01-14", 1, 0, 1, 0, 1, 1, 1}, {"2024-01-15", 0, 1, 1, 0, 1, 1, 1},
        {"2024-05-09", 0, 1, 1, 0, 1, 1, 1}, {"2024-05-10", 0, 1, 0, 1, 1, 1, 1},
        {"2021-02-28", 0, 0, 0, 0, 0, 0, 0}, {"2026-02-28", 0, 1, 0, 1, 1, 1, 1},
        {"2026-03-01", 0, 1, 0, 1, 1, 1, 0}, /* 31 on the birthday */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        assert_int_equal(zg_stats_compute(s, D(cases[i].day), 1, &res), 0);
        const uint32_t *ra = zg_stats_row(&res, ia), *rb = zg_stats_row(&res, ib),
                       *rt = zg_stats_row(&res, it);
        assert_int_equal(ra[ZG_STATS_C_TOTAL], cases[i].in_a);
        assert_int_equal(rb[ZG_STATS_C_TOTAL], cases[i].in_b);
        assert_int_equal(rt[ZG_STATS_C_TOTAL], cases[i].in_a + cases[i].in_b);
        assert_int_equal(rt[ZG_STATS_C_PROBATIONARY], cases[i].prob);
        assert_int_equal(rt[ZG_STATS_C_FULL], cases[i].full);
        assert_int_equal(rt[ZG_STATS_C_FEMALE], cases[i].female);
        assert_int_equal(rt[ZG_STATS_C_MINORITY], cases[i].minority);
        assert_int_equal(rt[ZG_STATS_C_AGE + ZG_STATS_AGE_LE30], cases[i].le30);
        assert_int_equal(rt[ZG_STATS_C_EDU + ZG_STATS_EDU_UNDERGRAD],
                         cases[i].in_a + cases[i].in_b);
        assert_int_equal(rt[ZG_STATS_C_OCC + ZG_STATS_OCC_FARMER], cases[i].in_a + cases[i].in_b);
        assert_int_equal(rt[ZG_STATS_C_JOIN + ZG_STATS_JOIN_SINCE_2012],
                         cases[i].in_a + cases[i].in_b);
        assert_int_equal(rt[ZG_STATS_C_ORG_COMMITTEE], 1);
        assert_int_equal(rt[ZG_STATS_C_ORG_BRANCH], 2);
        assert_int_equal(rt[ZG_STATS_C_DOMAIN + ZG_STATS_DOMAIN_RURAL], 3);
    }
    /* recruited in 2023: counted in a, where the membership began, though now in b */
    zg_stats_ref_t *ref;
    assert_int_equal(zg_stats_ref_new(s, 1, &ref), 0);
    zg_stats_recruited_t rec;
    CHECK(zg_stats_recruited(ref, t->c, &t->a, t->root, town, 2023, &rec, &err));
    assert_int_equal(rec.self.cells[ZG_STATS_R_TOTAL], 1);
    assert_int_equal(rec.self.cells[ZG_STATS_R_FEMALE], 1);
    assert_int_equal(rec.self.cells[ZG_STATS_R_AGE + ZG_STATS_AGE_LE30], 1); /* 28 at joining */
    assert_int_equal(rec.self.cells[ZG_STATS_R_LE35], 1);
    assert_int_equal(rec.n_children, 2);
    assert_int_equal(rec.children[0].org_id, a);
    assert_int_equal(rec.children[0].cells[ZG_STATS_R_TOTAL], 1);
    assert_int_equal(rec.children[1].cells[ZG_STATS_R_TOTAL], 0);
    CHECK(zg_stats_recruited(ref, t->c, &t->a, t->root, town, 2024, &rec, &err));
    assert_int_equal(rec.self.cells[ZG_STATS_R_TOTAL], 0);
    zg_stats_result_free(&res);
    zg_stats_release(ref);
}

/* Recruits of every year, for every org, against SQL: members whose joined_on falls in the
 * year, in the subtree of the org of the span covering joined_on. */
static void t_recruited_matches_sql(void **state)
{
    ctx_t *t = start(state);
    make_dataset(t, 300);
    zg_stats_snapshot_t *s;
    zg_error_t err;
    CHECK(zg_stats_db_load(t->db, 1, NULL, &s, NULL, &err));
    zg_stats_ref_t *ref;
    assert_int_equal(zg_stats_ref_new(s, 1, &ref), 0);
    uint32_t(*want)[ZG_STATS_R_CELLS] = calloc(MAXORG, sizeof *want);
    assert_non_null(want);
    int years_with_recruits = 0;
    for (int year = 1945; year <= 2026; year++) {
        memset(want, 0, MAXORG * sizeof *want);
        char y0[16], y1[16];
        snprintf(y0, sizeof y0, "%d-01-01", year);
        snprintf(y1, sizeof y1, "%d-01-01", year + 1);
        zg_param_t p[] = {ZG_P_TEXT(y0), ZG_P_TEXT(y1)};
        zg_rows_t *r;
        CHECK(zg_db_query(t->c,
                          "SELECT cl.ancestor_id, " CAT_EXPRS ", p.birth_date, m.joined_on "
                          "FROM membership m JOIN person p ON p.id = m.person_id "
                          "JOIN membership_span s ON s.membership_id = m.id "
                          "AND s.valid_from <= m.joined_on "
                          "AND (s.valid_to IS NULL OR s.valid_to > m.joined_on) "
                          "AND s.status IN ('probationary', 'full') "
                          "JOIN org_closure cl ON cl.descendant_id = s.org_id "
                          "WHERE m.joined_on >= $1 AND m.joined_on < $2",
                          p, 2, &r, &err));
        int rc;
        bool any = false;
        while ((rc = zg_rows_next(r, &err)) == 1) {
            uint32_t *c = want[zg_rows_int(r, 0)];
            int edu = (int)zg_rows_int(r, 3);
            const char *b = zg_rows_text(r, 6), *j = zg_rows_text(r, 7);
            /* age at joining: years between, less one if the birthday (MM-DD) is still ahead */
            int age = atoi(j) - atoi(b) - (strcmp(j + 5, b + 5) < 0);
            int band = age <= 30 ? 0 : age >= 61 ? 7 : (age - 26) / 5;
            c[ZG_STATS_R_TOTAL]++;
            c[zg_rows_int(r, 1) ? ZG_STATS_R_FEMALE : ZG_STATS_R_MALE]++;
            c[ZG_STATS_R_MINORITY] += zg_rows_int(r, 2) ? 1 : 0;
            c[ZG_STATS_R_EDU + edu]++;
            c[ZG_STATS_R_COLLEGE_PLUS] += edu <= 2;
            c[ZG_STATS_R_AGE + band]++;
            c[ZG_STATS_R_LE35] += age <= 35;
            c[ZG_STATS_R_OCC + zg_rows_int(r, 5)]++;
            any = true;
        }
        zg_rows_close(r);
        assert_int_equal(rc, 0);
        years_with_recruits += any;
        for (uint32_t o = 0; o < s->n_orgs; o++) {
            zg_stats_recruited_t rec;
            zg_arena_t a;
            zg_arena_init(&a, 0, 0);
            CHECK(zg_stats_recruited(ref, t->c, &a, t->root, s->org_id[o], year, &rec, &err));
            for (int cell = 0; cell < ZG_STATS_R_CELLS; cell++)
                if (rec.self.cells[cell] != want[s->org_id[o]][cell]) {
                    print_error("%d: org %lld, %s: engine %u, SQL %u\n", year,
                                (long long)s->org_id[o], zg_stats_recruited_key(cell),
                                (unsigned)rec.self.cells[cell], (unsigned)want[s->org_id[o]][cell]);
                    fail();
                }
            zg_arena_destroy(&a);
        }
    }
    assert_true(years_with_recruits > 30);
    free(want);
    zg_stats_release(ref);
}

/* Rows the member module would refuse, inserted directly (marked: not the module's API): the
 * loader clamps, skips or ignores them as documented instead of failing the whole snapshot. */
static void t_loader_edges(void **state)
{
    ctx_t *t = start(state);
    int64_t br = mk_org(t, t->root, "branch", "边界支部", "631", "community", NULL);
    zg_error_t err;
    int64_t p1, p2, p3, m1, m2, m3;
    zg_param_t none[] = {ZG_P_INT(br)};
    /* DIRECT INSERT: a person without a birth date */
    CHECK(zg_db_query_int(t->c,
                          "INSERT INTO person (name, gender) VALUES ('无生日', '1') RETURNING id",
                          NULL, 0, &p1, &err));
    /* DIRECT INSERT: a span that starts before joined_on (clamped to the join date) */
    CHECK(zg_db_query_int(t->c,
                          "INSERT INTO person (name, gender, birth_date, ethnicity) "
                          "VALUES ('早区间', '2', '1980-01-01', '97') RETURNING id",
                          NULL, 0, &p2, &err));
    /* DIRECT INSERT: a suspended span only (not a member) */
    CHECK(zg_db_query_int(t->c,
                          "INSERT INTO person (name, gender, birth_date) "
                          "VALUES ('停止党籍', '1', '1970-01-01') RETURNING id",
                          NULL, 0, &p3, &err));
    zg_param_t q1[] = {ZG_P_INT(p1), ZG_P_INT(br)};
    CHECK(zg_db_query_int(t->c,
                          "INSERT INTO membership (person_id, org_id, status, joined_on) "
                          "VALUES ($1, $2, 'full', '2000-01-01') RETURNING id",
                          q1, 2, &m1, &err));
    zg_param_t q2[] = {ZG_P_INT(p2), ZG_P_INT(br)};
    CHECK(zg_db_query_int(t->c,
                          "INSERT INTO membership (person_id, org_id, status, joined_on) "
                          "VALUES ($1, $2, 'probationary', '2010-06-01') RETURNING id",
                          q2, 2, &m2, &err));
    zg_param_t q3[] = {ZG_P_INT(p3), ZG_P_INT(br)};
    CHECK(zg_db_query_int(t->c,
                          "INSERT INTO membership (person_id, org_id, status, joined_on) "
                          "VALUES ($1, $2, 'suspended', '1995-01-01') RETURNING id",
                          q3, 2, &m3, &err));
    zg_param_t s1[] = {ZG_P_INT(m1), ZG_P_INT(br)};
    CHECK(zg_db_exec(t->c,
                     "INSERT INTO membership_span (membership_id, org_id, status, valid_from) "
                     "VALUES ($1, $2, 'full', '2000-01-01')",
                     s1, 2, NULL, &err));
    zg_param_t s2[] = {ZG_P_INT(m2), ZG_P_INT(br)};
    CHECK(zg_db_exec(t->c,
                     "INSERT INTO membership_span (membership_id, org_id, status, valid_from, "
                     "valid_to) VALUES ($1, $2, 'probationary', '2009-01-01', '2011-06-01'), "
                     "($1, $2, 'full', '2011-06-01', NULL)",
                     s2, 2, NULL, &err));
    zg_param_t s3[] = {ZG_P_INT(m3), ZG_P_INT(br)};
    CHECK(zg_db_exec(t->c,
                     "INSERT INTO membership_span (membership_id, org_id, status, valid_from) "
                     "VALUES ($1, $2, 'suspended', '2020-01-01')",
                     s3, 2, NULL, &err));
    (void)none;
    zg_stats_snapshot_t *s;
    zg_stats_db_info_t info;
    zg_log_set_level(ZG_LOG_OFF); /* the skipped span is logged */
    CHECK(zg_stats_db_load(t->db, 1, NULL, &s, &info, &err));
    zg_log_set_level(ZG_LOG_ERROR);
    assert_int_equal(info.spans, 3);
    assert_int_equal(info.skipped, 1);
    assert_int_equal(info.clamped, 1);
    assert_int_equal(info.records, 1);
    zg_stats_result_t res;
    assert_int_equal(zg_stats_result_init(&res, s), 0);
    uint32_t o = zg_stats_org_find(s, br);
    assert_int_equal(zg_stats_compute(s, D("2010-05-31"), 1, &res), 0);
    assert_int_equal(zg_stats_row(&res, o)[ZG_STATS_C_TOTAL], 0); /* before joining */
    assert_int_equal(zg_stats_compute(s, D("2010-06-01"), 1, &res), 0);
    assert_int_equal(zg_stats_row(&res, o)[ZG_STATS_C_PROBATIONARY], 1);
    assert_int_equal(zg_stats_row(&res, o)[ZG_STATS_C_MINORITY], 0); /* 97: not a minority */
    assert_int_equal(zg_stats_compute(s, D("2011-06-01"), 1, &res), 0);
    assert_int_equal(zg_stats_row(&res, o)[ZG_STATS_C_FULL], 1);
    assert_int_equal(zg_stats_row(&res, o)[ZG_STATS_C_TOTAL], 1);
    assert_int_equal(zg_stats_compute(s, D(TODAY), 1, &res), 0);
    assert_int_equal(zg_stats_row(&res, o)[ZG_STATS_C_TOTAL], 1); /* not the suspended one */
    zg_stats_result_free(&res);
    zg_stats_snapshot_free(s);
}

/* The report: scope, children in order, names, dissolved children, JSON and text. */
static void t_report(void **state)
{
    ctx_t *t = start(state);
    make_dataset(t, 200);
    zg_stats_snapshot_t *s;
    zg_error_t err;
    CHECK(zg_stats_db_load(t->db, 3, NULL, &s, NULL, &err));
    zg_stats_ref_t *ref;
    assert_int_equal(zg_stats_ref_new(s, 2, &ref), 0);
    zg_stats_report_t rep;
    CHECK(zg_stats_report(ref, t->c, &t->a, t->root, t->county, D(TODAY), &rep, &err));
    assert_string_equal(rep.self.name, "中共测试县委员会");
    assert_int_equal(rep.self.kind, ZG_STATS_KIND_LOCAL);
    assert_int_equal(rep.n_children, 4); /* town1, town2, gb, wc in creation order */
    assert_int_equal(rep.children[0].org_id, t->town1);
    assert_int_equal(rep.children[3].org_id, t->wc);
    assert_string_equal(rep.children[2].name, "县一中党总支");
    assert_string_equal(rep.children[2].org_kind, "general_branch");
    uint32_t sum = 0;
    for (size_t i = 0; i < rep.n_children; i++)
        sum += rep.children[i].cells[ZG_STATS_C_TOTAL];
    assert_int_equal(sum, rep.self.cells[ZG_STATS_C_TOTAL]); /* the county holds no members */
    assert_int_equal(rep.self.cells[ZG_STATS_C_ORG_LOCAL], 1);
    assert_int_equal(rep.version, 3);
    /* the dissolved branch: gone from town2's table today, there the day before */
    zg_stats_report_t r2;
    CHECK(zg_stats_report(ref, t->c, &t->a, t->root, t->town2, D(TODAY), &r2, &err));
    assert_int_equal(r2.n_children, 2);
    CHECK(zg_stats_report(ref, t->c, &t->a, t->root, t->town2, D("2025-06-29"), &r2, &err));
    assert_int_equal(r2.n_children, 3);
    /* scope: the hospital is not in the county's subtree; same answer as a missing org */
    assert_int_equal(zg_stats_report(ref, t->c, &t->a, t->county, t->hosp, D(TODAY), &r2, &err),
                     ZG_ERR_NOT_FOUND);
    assert_string_equal(err.code, "not_found");
    assert_int_equal(zg_stats_report(ref, t->c, &t->a, t->county, 99999, D(TODAY), &r2, &err),
                     ZG_ERR_NOT_FOUND);
    assert_string_equal(err.code, "not_found");
    assert_int_equal(
        zg_stats_report(ref, t->c, &t->a, t->root, t->county, D("1899-12-31"), &r2, &err),
        ZG_ERR_INVALID);
    /* an org younger than the snapshot */
    int64_t fresh = mk_org(t, t->county, "branch", "新建支部", "631", "rural", NULL);
    assert_int_equal(zg_stats_report(ref, t->c, &t->a, t->root, fresh, D(TODAY), &r2, &err),
                     ZG_ERR_NOT_FOUND);
    assert_string_equal(err.code, "stats_org_not_loaded");
    /* JSON */
    zg_strbuf_t sb;
    zg_strbuf_init(&sb, NULL, 0);
    assert_int_equal(zg_stats_report_json(&rep, &sb), 0);
    json_error_t je;
    json_t *j = json_loadb(sb.data, sb.len, 0, &je);
    if (!j)
        fail_msg("JSON: %s: %.200s", je.text, sb.data);
    assert_int_equal(json_integer_value(json_object_get(json_object_get(j, "org"), "org_id")),
                     t->county);
    assert_string_equal(json_string_value(json_object_get(j, "as_of")), TODAY);
    json_t *row = json_object_get(j, "row");
    json_t *cells = json_object_get(row, "cells");
    assert_int_equal(json_object_size(cells), ZG_STATS_CELLS - 0);
    assert_int_equal(json_integer_value(json_object_get(cells, "total")),
                     rep.self.cells[ZG_STATS_C_TOTAL]);
    int pf = zg_stats_permille(rep.self.cells[ZG_STATS_C_FEMALE], rep.self.cells[ZG_STATS_C_TOTAL]);
    double want = pf / 10.0;
    double got = json_number_value(json_object_get(json_object_get(row, "percent"), "female"));
    assert_true(got > want - 0.001 && got < want + 0.001);
    assert_int_equal(json_array_size(json_object_get(j, "children")), 4);
    assert_int_equal(json_array_size(json_object_get(j, "groups")), zg_stats_n_groups);
    assert_string_equal(json_string_value(json_object_get(
                            json_array_get(json_object_get(j, "groups"), 1), "label")),
                        "性别");
    json_decref(j);
    zg_strbuf_free(&sb);
    /* every cell appears in exactly one group */
    int seen[ZG_STATS_CELLS] = {0};
    for (int g = 0; g < zg_stats_n_groups; g++)
        for (int i = 0; i < zg_stats_groups[g].n; i++)
            seen[zg_stats_groups[g].cells[i]]++;
    for (int c = 0; c < ZG_STATS_CELLS; c++)
        assert_int_equal(seen[c], 1);
    /* text */
    char *text = NULL;
    size_t tlen = 0;
    FILE *f = open_memstream(&text, &tlen);
    zg_stats_report_text(&rep, f);
    fclose(f);
    assert_non_null(strstr(text, "党员队伍基本情况统计表（截至 2026-11-23）"));
    assert_non_null(strstr(text, "县一中党总支"));
    assert_non_null(strstr(text, "大专及以上"));
    free(text);
    /* XLSX: a ZIP */
    void *x;
    size_t xlen;
    CHECK(zg_stats_report_xlsx(&rep, NULL, &x, &xlen, &err));
    assert_true(xlen > 1000);
    assert_memory_equal(x, "PK\x03\x04", 4);
    free(x);
    zg_stats_release(ref);
}

static uint32_t current_total(ctx_t *t, int64_t org, uint64_t *version)
{
    zg_stats_ref_t *ref;
    zg_error_t err;
    CHECK(zg_stats_acquire(t->db, 10000, &ref, &err));
    const zg_stats_snapshot_t *s = zg_stats_ref_snapshot(ref);
    *version = s->version;
    zg_stats_report_t rep;
    zg_arena_t a;
    zg_arena_init(&a, 0, 0);
    int rc = zg_stats_report(ref, t->c, &a, t->root, org, D(TODAY), &rep, &err);
    uint32_t n = rc == ZG_OK ? rep.self.cells[ZG_STATS_C_TOTAL] : UINT32_MAX;
    zg_arena_destroy(&a);
    zg_stats_release(ref);
    return n;
}

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* Polls up to 5 s for the total of `org` to become `want`. */
static bool wait_total(ctx_t *t, int64_t org, uint32_t want)
{
    uint64_t v;
    for (int i = 0; i < 250; i++) {
        if (current_total(t, org, &v) == want)
            return true;
        sleep_ms(20);
    }
    return false;
}

static int64_t quick_member(ctx_t *t, int64_t org)
{
    zg_error_t err;
    CHECK(zg_db_begin(t->c, ZG_TX_WRITE, &err));
    int64_t id = add_member(t, org, "1", "01", D("1985-01-01"), "21", "worker", D("2026-01-05"),
                            ZG_MEMBER_NO_DATE);
    CHECK(zg_db_commit(t->c, &err));
    return id;
}

/* The refresher: a write shows after zg_stats_invalidate; and without it, through the audit
 * log poll; readers keep their snapshot while a new one is swapped in. */
static void t_service(void **state)
{
    ctx_t *t = start(state);
    int64_t br = mk_org(t, t->root, "branch", "服务测试支部", "631", "community", NULL);
    zg_stats_service_settings_t set;
    zg_stats_service_defaults(&set);
    set.poll_ms = 0;
    set.refresh_seconds = 0;
    zg_error_t err;
    CHECK(zg_stats_service_start(t->db, &set, &err));
    uint64_t v0;
    assert_int_equal(current_total(t, br, &v0), 0);
    zg_stats_ref_t *held;
    CHECK(zg_stats_acquire(t->db, 1000, &held, &err));

    quick_member(t, br);
    /* without a signal (no poll, no period) nothing changes */
    sleep_ms(200);
    uint64_t v;
    assert_int_equal(current_total(t, br, &v), 0);
    assert_int_equal(v, v0);
    zg_stats_invalidate();
    assert_true(wait_total(t, br, 1));
    current_total(t, br, &v);
    assert_true(v > v0);
    /* the reader that held the old snapshot still reads it, unchanged */
    assert_int_equal(zg_stats_ref_snapshot(held)->version, v0);
    zg_stats_release(held);
    zg_stats_service_status_t st;
    zg_stats_service_status(&st);
    assert_true(st.running);
    assert_true(st.builds >= 2);
    assert_int_equal(st.version, v);
    zg_stats_service_stop();

    /* the audit log poll catches a write nobody signalled */
    set.poll_ms = 50;
    CHECK(zg_stats_service_start(t->db, &set, &err));
    assert_int_equal(current_total(t, br, &v), 1);
    quick_member(t, br);
    assert_true(wait_total(t, br, 2));
    /* refresh_sync: an org created a moment ago */
    int64_t fresh = mk_org(t, t->root, "branch", "刚建支部", "631", "community", NULL);
    CHECK(zg_stats_refresh_sync(t->db, 5000, &err));
    assert_int_equal(current_total(t, fresh, &v), 0);
    zg_stats_service_stop();
    zg_stats_service_stop(); /* idempotent */
    zg_stats_service_status(&st);
    assert_false(st.running);
}

/* Concurrent readers while writes and rebuilds go on: every answer is a consistent total
 * (never torn) and the last one sees every write. */
typedef struct reader_arg {
    ctx_t *t;
    int64_t org;
    int n;
    int bad;
} reader_arg_t;

static void *reader(void *p)
{
    reader_arg_t *r = p;
    zg_error_t err;
    zg_conn_t *c = zg_db_conn(r->t->db, &err);
    for (int i = 0; i < r->n; i++) {
        zg_stats_ref_t *ref;
        if (zg_stats_acquire(r->t->db, 10000, &ref, &err)) {
            r->bad++;
            continue;
        }
        zg_arena_t a;
        zg_arena_init(&a, 0, 0);
        zg_stats_report_t rep;
        if (zg_stats_report(ref, c, &a, r->t->root, r->org, D(TODAY), &rep, &err) ||
            rep.self.cells[ZG_STATS_C_TOTAL] !=
                rep.self.cells[ZG_STATS_C_MALE] + rep.self.cells[ZG_STATS_C_FEMALE])
            r->bad++;
        zg_arena_destroy(&a);
        zg_stats_release(ref);
    }
    return NULL;
}

static void t_service_concurrent(void **state)
{
    ctx_t *t = start(state);
    int64_t br = mk_org(t, t->root, "branch", "并发测试支部", "631", "community", NULL);
    zg_stats_service_settings_t set;
    zg_stats_service_defaults(&set);
    set.settle_ms = 0;
    set.max_results = 2;
    zg_error_t err;
    CHECK(zg_stats_service_start(t->db, &set, &err));
    pthread_t th[3];
    reader_arg_t args[3];
    for (int i = 0; i < 3; i++) {
        args[i] = (reader_arg_t){.t = t, .org = t->root, .n = 150};
        assert_int_equal(pthread_create(&th[i], NULL, reader, &args[i]), 0);
    }
    for (int i = 0; i < 10; i++) {
        quick_member(t, br);
        zg_stats_invalidate();
        sleep_ms(5);
    }
    for (int i = 0; i < 3; i++) {
        pthread_join(th[i], NULL);
        assert_int_equal(args[i].bad, 0);
    }
    assert_true(wait_total(t, br, 10));
    zg_stats_service_stop();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(t_categories),
        BOTH(t_matches_sql),
        BOTH(t_transfer_and_conversion),
        BOTH(t_recruited_matches_sql),
        BOTH(t_loader_edges),
        BOTH(t_report),
        BOTH(t_service),
        BOTH(t_service_concurrent),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
