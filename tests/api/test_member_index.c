/* test_member_index.c — the member list index (member_index.h) on the demo data, on both
 * backends: every list the index answers must equal the SQL answer (same total, same ids in
 * the same order) for each filter alone, combinations, each sort ascending and descending,
 * pages 1, 2, the last and beyond the end, direct members only; the index's tree must equal
 * org_closure; lists it must not answer (as_of, id_number, deep pages) go to SQL; and after a
 * write (member create, a member's event, an org move, a transfer, a write through another
 * connection as another process would do) the next list shows the change at once (by SQL,
 * the index being stale) and, once rebuilt, the index answers again. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../unit/member/membertest.h"
#include "app/demo.h"
#include "core/config.h"
#include "db/db.h"
#include "db/scope.h"
#include "modules/audit/audit.h"
#include "modules/member/member.h"
#include "modules/member/member_index.h"
#include "modules/org/org.h"
#include "modules/transfer/transfer.h"
#include "testauth.h"
#include "testsrv.h"

#define FRESH_MS 60000

static zg_testsrv_t S;
static int64_t city, county, town, village, other_county;
static zg_arena_t A;
static int compared;

static zg_conn_t *conn(void)
{
    zg_error_t err;
    zg_conn_t *c = zg_db_conn(S.app->db, &err);
    assert_non_null(c);
    return c;
}

static int64_t qint(const char *sql, int64_t p1)
{
    zg_error_t err;
    zg_param_t p[] = {ZG_P_INT(p1)};
    int64_t v = -1;
    CHECK(zg_db_query_int(conn(), sql, p, strstr(sql, "$1") ? 1 : 0, &v, &err));
    return v;
}

static int64_t org_by_code(const char *code)
{
    zg_error_t err;
    int64_t id = 0;
    zg_param_t p[] = {ZG_P_TEXT(code)};
    CHECK(zg_db_query_int(conn(), "SELECT id FROM org WHERE code = $1", p, 1, &id, &err));
    return id;
}

static void wait_fresh(void)
{
    zg_error_t err;
    CHECK(zg_member_index_wait_fresh(conn(), FRESH_MS, &err));
}

static uint64_t builds(void)
{
    zg_member_index_status_t st;
    zg_member_index_status(&st);
    return st.builds;
}

static bool last_used_index(void)
{
    zg_member_index_status_t st;
    zg_member_index_status(&st);
    return st.last_used_index;
}

static int setup(void **state)
{
    (void)state;
    if (zg_testsrv_start(&S, zg_test_fast_hashing) != 0)
        return -1;
    zg_demo_report_t rep;
    zg_error_t err;
    if (zg_demo_load(S.app, &rep, &err)) {
        fprintf(stderr, "demo: %s %s\n", err.message, err.detail);
        return -1;
    }
    city = org_by_code("LJ");
    county = org_by_code("LJ-04");
    town = org_by_code("LJ-04-03");
    village = org_by_code("LJ-04-03-02");
    other_county = org_by_code("LJ-02");
    /* NULLs where the API never writes them (records of other modules may hold them): a
     * few birth dates, dues categories and occupations, before the index is built */
    zg_conn_t *c = zg_db_conn(S.app->db, &err);
    zg_param_t p[] = {ZG_P_INT(village)};
    if (!c ||
        zg_db_exec(c,
                   "UPDATE person SET birth_date = NULL, occupation = NULL WHERE id IN (SELECT "
                   "person_id FROM membership WHERE org_id = $1 ORDER BY id LIMIT 3)",
                   p, 1, NULL, &err) ||
        zg_db_exec(c,
                   "UPDATE membership SET dues_category = NULL WHERE id IN (SELECT id FROM "
                   "membership WHERE org_id = $1 ORDER BY id DESC LIMIT 3)",
                   p, 1, NULL, &err)) {
        fprintf(stderr, "nulls: %s\n", err.detail);
        return -1;
    }
    zg_arena_init(&A, 0, 64u << 20);
    zg_member_index_configure(S.app->db, true);
    if (zg_member_index_wait_fresh(conn(), FRESH_MS, &err)) {
        fprintf(stderr, "index: %s %s\n", err.message, err.detail);
        return -1;
    }
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    if (S.srv)
        zg_server_stop(S.srv, 5);
    S.srv = NULL;
    zg_member_index_stop(); /* before the database closes (zg_app_close does it too) */
    zg_arena_destroy(&A);
    zg_testsrv_stop(&S);
    return 0;
}

/* A readable description of q for failure messages. */
static const char *describe(int64_t scope, const zg_member_query_t *q)
{
    static char buf[512];
    snprintf(buf, sizeof buf,
             "scope %lld org %lld%s status %s gender %s occ %s dues %s age %d edu %d join %d "
             "mobile %d lost %d q %s sort %s%s offset %lld limit %d",
             (long long)scope, (long long)q->org_id, q->direct_only ? " direct" : "",
             q->status ? q->status : "-", q->gender ? q->gender : "-",
             q->occupation ? q->occupation : "-", q->dues_category ? q->dues_category : "-",
             q->age_band, q->edu, q->join_period, q->mobile, q->lost_contact, q->q ? q->q : "-",
             q->desc ? "-" : "", q->sort ? q->sort : "org", (long long)q->offset, q->limit);
    return buf;
}

/* Runs q with the index and without it and asserts the same answer; `by_index` says whether
 * the index must have answered. Returns the total. */
static int64_t both_ways(int64_t scope, const zg_member_query_t *q, bool by_index)
{
    zg_error_t err;
    zg_member_list_t x, y;
    zg_arena_reset(&A);
    zg_member_index_configure(S.app->db, true);
    CHECK(zg_member_list(conn(), &A, scope, q, false, &x, &err));
    if (last_used_index() != by_index)
        fail_msg("index %s for: %s", by_index ? "not used" : "used", describe(scope, q));
    zg_member_index_configure(S.app->db, false);
    CHECK(zg_member_list(conn(), &A, scope, q, false, &y, &err));
    zg_member_index_configure(S.app->db, true);
    assert_false(last_used_index());
    if (x.total != y.total || x.n != y.n)
        fail_msg("total %lld/%zu by index, %lld/%zu by SQL: %s", (long long)x.total, x.n,
                 (long long)y.total, y.n, describe(scope, q));
    for (size_t i = 0; i < x.n; i++) {
        if (x.items[i].id != y.items[i].id)
            fail_msg("row %zu: id %lld by index, %lld by SQL: %s", i, (long long)x.items[i].id,
                     (long long)y.items[i].id, describe(scope, q));
        assert_string_equal(x.items[i].name, y.items[i].name);
        assert_string_equal(x.items[i].status, y.items[i].status);
        assert_int_equal(x.items[i].org_id, y.items[i].org_id);
    }
    /* the key a keyset page continues from (exports) */
    assert_int_equal(x.last.set, y.last.set);
    assert_int_equal(x.last.id, y.last.id);
    assert_int_equal(x.last.depth, y.last.depth);
    assert_int_equal(x.last.sort, y.last.sort);
    assert_int_equal(x.last.org_id, y.last.org_id);
    assert_string_equal(x.last.text, y.last.text);
    compared++;
    return x.total;
}

/* Whether the index answers a page this deep. */
static bool in_window(const zg_member_query_t *q)
{
    return q->offset + q->limit <= ZG_MEMBER_INDEX_WINDOW;
}

/* q on pages 1, 2, the last and beyond the end, each sort ascending and descending (pages
 * beyond the index's window go to SQL). */
static void every_page_and_sort(int64_t scope, zg_member_query_t q)
{
    static const char *const sorts[] = {"org", "name", "joined_on", "birth_date"};
    for (size_t s = 0; s < 4; s++) {
        for (int desc = 0; desc < 2; desc++) {
            q.sort = sorts[s];
            q.desc = desc;
            q.offset = 0;
            int64_t total = both_ways(scope, &q, true);
            q.offset = q.limit;
            both_ways(scope, &q, true);
            q.offset = total > 0 ? (total - 1) / q.limit * q.limit : 0;
            both_ways(scope, &q, in_window(&q));
            q.offset = total + q.limit;
            both_ways(scope, &q, in_window(&q));
        }
    }
}

static void t_tree_equals_closure(void **state)
{
    (void)state;
    zg_error_t err;
    zg_rows_t *r;
    CHECK(zg_db_query(conn(), "SELECT id FROM org ORDER BY id", NULL, 0, &r, &err));
    int64_t ids[4096];
    size_t n = 0;
    while (zg_rows_next(r, &err) == 1 && n < 4096)
        ids[n++] = zg_rows_int(r, 0);
    zg_rows_close(r);
    assert_true(n > 100);
    for (size_t i = 0; i < n; i++) {
        int64_t closure = qint("SELECT count(*) FROM org_closure WHERE ancestor_id = $1", ids[i]);
        assert_int_equal(zg_member_index_subtree_size(ids[i]), closure);
    }
    /* every closure pair is inside the index's subtree: with the sizes equal, the same sets */
    CHECK(zg_db_query(conn(), "SELECT ancestor_id, descendant_id FROM org_closure", NULL, 0, &r,
                      &err));
    int pairs = 0;
    while (zg_rows_next(r, &err) == 1) {
        if (zg_member_index_in_subtree(zg_rows_int(r, 0), zg_rows_int(r, 1)) != 1)
            fail_msg("closure pair %lld → %lld not in the index's tree",
                     (long long)zg_rows_int(r, 0), (long long)zg_rows_int(r, 1));
        pairs++;
    }
    zg_rows_close(r);
    assert_true(pairs > (int)n);
    assert_int_equal(zg_member_index_in_subtree(county, other_county), 0);
    assert_int_equal(zg_member_index_in_subtree(county, -5), -1);
}

static void t_each_filter_alone(void **state)
{
    (void)state;
    static const char *const statuses[] = {
        "current", "all",      "probationary",    "full",     "suspended",
        "removed", "deceased", "transferred_out", "nonesuch", ""};
    static const char *const texts[] = {"李", "建", "华", "a", "A", "zzz", "%", "_"};
    int64_t roots[] = {0, county};
    for (size_t k = 0; k < 2; k++) {
        zg_member_query_t q;
        zg_member_query_init(&q);
        q.org_id = roots[k];
        assert_true(both_ways(city, &q, true) > 1000);
        for (size_t i = 0; i < sizeof statuses / sizeof *statuses; i++) {
            zg_member_query_init(&q);
            q.org_id = roots[k];
            q.status = statuses[i];
            both_ways(city, &q, true);
        }
        for (const char *g = "1"; g; g = !strcmp(g, "1") ? "2" : NULL) {
            zg_member_query_init(&q);
            q.org_id = roots[k];
            q.gender = g;
            both_ways(city, &q, true);
        }
        for (const zg_member_label_t *l = zg_member_occupations; l->code; l++) {
            zg_member_query_init(&q);
            q.org_id = roots[k];
            q.occupation = l->code;
            both_ways(city, &q, true);
        }
        for (const zg_member_label_t *l = zg_member_dues_categories; l->code; l++) {
            zg_member_query_init(&q);
            q.org_id = roots[k];
            q.dues_category = l->code;
            both_ways(city, &q, true);
        }
        zg_member_query_init(&q);
        q.org_id = roots[k];
        q.occupation = "nonesuch";
        assert_int_equal(both_ways(city, &q, true), 0);
        for (int b = 0; b < ZG_MEMBER_AGE_BANDS; b++) {
            zg_member_query_init(&q);
            q.org_id = roots[k];
            q.age_band = b;
            both_ways(city, &q, true);
        }
        for (int e = 0; e < ZG_MEMBER_EDU_CATEGORIES; e++) {
            zg_member_query_init(&q);
            q.org_id = roots[k];
            q.edu = e;
            both_ways(city, &q, true);
        }
        for (int j = 0; j < ZG_MEMBER_JOIN_PERIODS; j++) {
            zg_member_query_init(&q);
            q.org_id = roots[k];
            q.join_period = j;
            both_ways(city, &q, true);
        }
        for (int v = 0; v < 2; v++) {
            zg_member_query_init(&q);
            q.org_id = roots[k];
            q.mobile = v;
            assert_true(both_ways(city, &q, true) > 0);
            zg_member_query_init(&q);
            q.org_id = roots[k];
            q.lost_contact = v;
            assert_true(both_ways(city, &q, true) > 0);
        }
        for (size_t i = 0; i < sizeof texts / sizeof *texts; i++) {
            zg_member_query_init(&q);
            q.org_id = roots[k];
            q.q = texts[i];
            both_ways(city, &q, true);
        }
    }
}

static void t_sorts_and_pages(void **state)
{
    (void)state;
    zg_member_query_t q;
    zg_member_query_init(&q);
    every_page_and_sort(city, q); /* the whole city */
    q.org_id = county;
    every_page_and_sort(city, q);
    q.limit = 7;
    q.status = "all";
    every_page_and_sort(city, q);
    zg_member_query_init(&q);
    q.org_id = village;
    q.direct_only = true;
    every_page_and_sort(city, q);
    q.org_id = town;
    every_page_and_sort(town, q); /* the scope root itself, direct members */
    q.direct_only = false;
    every_page_and_sort(county, q); /* a county clerk's view of a town */
    zg_member_query_init(&q);
    q.org_id = county;
    q.limit = ZG_MEMBER_PAGE_MAX;
    q.offset = ZG_MEMBER_INDEX_WINDOW - ZG_MEMBER_PAGE_MAX; /* the deepest page it answers */
    both_ways(city, &q, true);
}

static void t_combinations(void **state)
{
    (void)state;
    zg_member_query_t q;
    zg_member_query_init(&q);
    q.org_id = county;
    q.gender = "2";
    q.edu = ZG_MEMBER_EDU_UNDERGRAD;
    every_page_and_sort(city, q);

    zg_member_query_init(&q);
    q.org_id = county;
    q.age_band = ZG_MEMBER_AGE_31_35;
    q.edu = ZG_MEMBER_EDU_UNDERGRAD;
    every_page_and_sort(city, q);

    zg_member_query_init(&q);
    q.join_period = ZG_MEMBER_JOIN_SINCE_2012;
    q.status = "probationary";
    q.mobile = 0;
    every_page_and_sort(city, q);

    zg_member_query_init(&q);
    q.org_id = town;
    q.occupation = "farmer";
    q.lost_contact = 0;
    q.q = "王";
    every_page_and_sort(county, q);

    zg_member_query_init(&q);
    q.status = "all";
    q.dues_category = zg_member_dues_categories[0].code;
    q.gender = "1";
    q.age_band = ZG_MEMBER_AGE_GE61;
    q.join_period = ZG_MEMBER_JOIN_TO_2012;
    every_page_and_sort(city, q);

    zg_member_query_init(&q);
    q.mobile = 1;
    q.lost_contact = 1;
    q.status = "all";
    every_page_and_sort(city, q);
}

/* What the index must leave to SQL: the answers are SQL's, and it says it did not answer. */
static void t_fallbacks(void **state)
{
    (void)state;
    zg_member_query_t q;
    zg_member_query_init(&q);
    q.org_id = county;
    q.as_of = zg_date_today() - 400;
    both_ways(city, &q, false);
    zg_member_query_init(&q);
    q.offset = ZG_MEMBER_INDEX_WINDOW;
    q.limit = 20;
    both_ways(city, &q, false);
    zg_member_query_init(&q);
    q.id_number = "430102199005171234";
    zg_member_list_t l;
    zg_error_t err;
    int rc = zg_member_list(conn(), &A, city, &q, false, &l, &err);
    (void)rc; /* a malformed check digit may be refused: either way, not by the index */
    assert_false(last_used_index());
    /* a keyset page (exports) after a page the index answered continues where it ended */
    static const char *const sorts[] = {"org", "name", "joined_on", "birth_date"};
    for (size_t i = 0; i < 4; i++) {
        zg_member_list_t first, next, second;
        zg_member_query_init(&q);
        q.org_id = county;
        q.sort = sorts[i];
        q.desc = i % 2;
        zg_arena_reset(&A);
        CHECK(zg_member_list(conn(), &A, city, &q, false, &first, &err));
        assert_true(last_used_index() && first.last.set);
        q.after = first.last;
        CHECK(zg_member_list(conn(), &A, city, &q, false, &next, &err)); /* SQL: keyset */
        memset(&q.after, 0, sizeof q.after);
        q.offset = q.limit;
        CHECK(zg_member_list(conn(), &A, city, &q, false, &second, &err));
        assert_int_equal(next.n, second.n);
        for (size_t k = 0; k < next.n; k++)
            assert_int_equal(next.items[k].id, second.items[k].id);
    }
    /* a scope that is no org: SQL answers (nothing) */
    zg_member_query_init(&q);
    both_ways(-1, &q, false);
    /* the config key */
    zg_config_t cfg;
    zg_config_defaults(&cfg);
    assert_true(cfg.member_list_index);
    CHECK(zg_config_set(&cfg, "member_list_index", "false", &err));
    assert_false(cfg.member_list_index);
}

static void t_action_rule(void **state)
{
    (void)state;
    assert_true(zg_audit_action_changes_data("member.create"));
    assert_true(zg_audit_action_changes_data("member.import"));
    assert_true(zg_audit_action_changes_data("transfer.accept"));
    assert_true(zg_audit_action_changes_data("org.move"));
    assert_true(zg_audit_action_changes_data("cadre.appoint")); /* unknown: a change */
    assert_false(zg_audit_action_changes_data("member.view"));
    assert_false(zg_audit_action_changes_data("member.export"));
    assert_false(zg_audit_action_changes_data("auth.login"));
    assert_false(zg_audit_action_changes_data("org.leader.add"));
    assert_false(zg_audit_action_changes_data("access.denied"));
}

/* ---- freshness ------------------------------------------------------------------------- */

static int64_t new_member(zg_conn_t *c, int64_t org, const char *name)
{
    zg_arena_t a;
    zg_arena_init(&a, 0, 16u << 20);
    zg_member_actor_t actor = {.username = "tester"};
    zg_member_op_t op;
    zg_member_op_init(&op, &a, city, &actor);
    zg_member_input_t in = {.set = ZG_MEMBER_SET_NAME | ZG_MEMBER_SET_GENDER |
                                   ZG_MEMBER_SET_BIRTH_DATE | ZG_MEMBER_SET_ORG |
                                   ZG_MEMBER_SET_JOINED_ON,
                            .name = name,
                            .gender = "2",
                            .birth_date = D("1988-06-01"),
                            .org_id = org,
                            .joined_on = zg_date_today() - 30,
                            .converted_on = ZG_MEMBER_NO_DATE,
                            .work_start_date = ZG_MEMBER_NO_DATE};
    int64_t id = 0;
    zg_error_t err;
    if (zg_member_create(c, &op, &in, &id, &err))
        fail_msg("member %s: %s / %s", name, err.message, err.detail);
    zg_arena_destroy(&a);
    return id;
}

/* The total of the county's current members, and whether the index answered. */
static int64_t county_total(int64_t org, bool *by_index)
{
    zg_member_query_t q;
    zg_member_query_init(&q);
    q.org_id = org;
    zg_member_list_t l;
    zg_error_t err;
    zg_arena_reset(&A);
    CHECK(zg_member_list(conn(), &A, city, &q, false, &l, &err));
    *by_index = last_used_index();
    return l.total;
}

static void t_write_then_list(void **state)
{
    (void)state;
    wait_fresh();
    bool idx;
    int64_t before = county_total(county, &idx);
    assert_true(idx);
    uint64_t b0 = builds();

    /* a create: visible at once (stale: SQL), then the rebuilt index answers */
    int64_t id = new_member(conn(), village, "Anna Li");
    assert_int_equal(county_total(county, &idx), before + 1);
    assert_false(idx);
    wait_fresh();
    assert_true(builds() > b0);
    assert_int_equal(county_total(county, &idx), before + 1);
    assert_true(idx);

    /* ASCII names: SQLite's LIKE folds case, PostgreSQL's does not; the index does the same */
    new_member(conn(), village, "ANNABEL Wu");
    new_member(conn(), village, "anna zhang");
    wait_fresh();
    static const char *const texts[] = {"anna", "ANNA", "Anna", "bel w", "nna z", "n", "N"};
    for (size_t i = 0; i < sizeof texts / sizeof *texts; i++) {
        zg_member_query_t q;
        zg_member_query_init(&q);
        q.q = texts[i];
        both_ways(city, &q, true);
    }
    before += 2;

    /* a read (an audit entry that changes nothing): no rebuild, the index answers */
    uint64_t b1 = builds();
    zg_arena_t a;
    zg_arena_init(&a, 0, 1 << 20);
    zg_member_actor_t actor = {.username = "tester"};
    zg_member_op_t op;
    zg_member_op_init(&op, &a, city, &actor);
    zg_member_t m;
    zg_error_t err;
    CHECK(zg_member_view(conn(), &op, id, false, &m, &err));
    assert_int_equal(county_total(county, &idx), before + 1);
    assert_true(idx);
    assert_int_equal(builds(), b1);

    /* an event: the member leaves the current members at once */
    zg_member_event_input_t ev = {.kind = "died", .on_date = ZG_MEMBER_NO_DATE};
    CHECK(zg_member_event(conn(), &op, id, &ev, NULL, &err));
    zg_arena_destroy(&a);
    assert_int_equal(county_total(county, &idx), before);
    assert_false(idx);
    wait_fresh();
    assert_int_equal(county_total(county, &idx), before);
    assert_true(idx);
}

static void t_org_move(void **state)
{
    (void)state;
    wait_fresh();
    /* a branch of the county with members, and another parent of its parent's kind elsewhere */
    zg_param_t p[] = {ZG_P_INT(county)};
    zg_rows_t *r;
    zg_error_t err;
    CHECK(zg_scope_query(conn(), county,
                         "SELECT b.id, p2.id FROM org b JOIN org p ON p.id = b.parent_id "
                         "JOIN org p2 ON p2.kind = p.kind AND p2.id <> p.id "
                         "WHERE b.kind = 'branch' AND b.status = 'active' AND "
                         "p2.status = 'active' AND b.id IN {{SCOPE}} AND "
                         "p2.id NOT IN (SELECT descendant_id FROM org_closure WHERE "
                         "ancestor_id = $1) AND EXISTS (SELECT 1 FROM membership m WHERE "
                         "m.org_id = b.id AND m.status IN ('probationary', 'full')) "
                         "ORDER BY b.id, p2.id",
                         p, 1, &r, &err));
    assert_int_equal(zg_rows_next(r, &err), 1);
    int64_t branch = zg_rows_int(r, 0), dest = zg_rows_int(r, 1);
    zg_rows_close(r);
    int64_t moving = qint("SELECT count(*) FROM membership WHERE org_id = $1 AND status IN "
                          "('probationary', 'full')",
                          branch);
    bool idx;
    int64_t before = county_total(county, &idx);
    assert_true(idx);

    zg_arena_t a;
    zg_arena_init(&a, 0, 16u << 20);
    zg_org_actor_t actor = {.username = "tester"};
    zg_org_op_t op;
    zg_org_op_init(&op, &a, city, &actor);
    CHECK(zg_org_move(conn(), &op, branch, dest, ZG_ORG_NO_DATE, &err));
    zg_arena_destroy(&a);
    assert_int_equal(county_total(county, &idx), before - moving);
    assert_false(idx);
    wait_fresh();
    assert_int_equal(county_total(county, &idx), before - moving);
    assert_true(idx);
    zg_member_query_t q;
    zg_member_query_init(&q);
    q.org_id = other_county;
    every_page_and_sort(city, q);
    t_tree_equals_closure(state);
}

static void t_transfer_accept(void **state)
{
    (void)state;
    wait_fresh();
    int64_t mid = new_member(conn(), village, "转接测试");
    int64_t dest = qint("SELECT min(o.id) FROM org o JOIN org_closure c ON c.descendant_id = "
                        "o.id WHERE c.ancestor_id = $1 AND o.kind = 'branch' AND "
                        "o.status = 'active'",
                        other_county);
    wait_fresh();
    bool idx;
    int64_t before = county_total(county, &idx);
    assert_true(idx);
    zg_arena_t a;
    zg_arena_init(&a, 0, 16u << 20);
    zg_member_actor_t actor = {.username = "tester"};
    zg_transfer_op_t op;
    zg_transfer_op_init(&op, &a, city, &actor);
    zg_transfer_input_t in = {.kind = "internal",
                              .membership_id = mid,
                              .to_org_id = dest,
                              .reason = "工作调动",
                              .issued_on = ZG_MEMBER_NO_DATE,
                              .valid_until = ZG_MEMBER_NO_DATE};
    int64_t tid = 0;
    zg_error_t err;
    CHECK(zg_transfer_issue(conn(), &op, &in, &tid, &err));
    wait_fresh();
    assert_int_equal(county_total(county, &idx), before);
    assert_true(idx);
    CHECK(zg_transfer_accept(conn(), &op, tid, ZG_MEMBER_NO_DATE, NULL, &err));
    zg_arena_destroy(&a);
    assert_int_equal(county_total(county, &idx), before - 1);
    assert_false(idx);
    wait_fresh();
    assert_int_equal(county_total(county, &idx), before - 1);
    assert_true(idx);
}

/* A write by another process (here: another handle on the same database, its own
 * connection): seen through the audit log like any other. */
static void t_other_process(void **state)
{
    (void)state;
    wait_fresh();
    bool idx;
    int64_t before = county_total(county, &idx);
    assert_true(idx);
    zg_db_t *db2;
    zg_error_t err;
    CHECK(zg_db_open(S.db_url, &db2, &err));
    zg_conn_t *c2 = zg_db_conn(db2, &err);
    assert_non_null(c2);
    new_member(c2, village, "另一进程");
    zg_db_close(db2);
    assert_int_equal(county_total(county, &idx), before + 1);
    assert_false(idx);
    wait_fresh();
    assert_int_equal(county_total(county, &idx), before + 1);
    assert_true(idx);
    print_message("compared %d lists both ways\n", compared);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(t_action_rule),       cmocka_unit_test(t_tree_equals_closure),
        cmocka_unit_test(t_each_filter_alone), cmocka_unit_test(t_sorts_and_pages),
        cmocka_unit_test(t_combinations),      cmocka_unit_test(t_fallbacks),
        cmocka_unit_test(t_write_then_list),   cmocka_unit_test(t_org_move),
        cmocka_unit_test(t_transfer_accept),   cmocka_unit_test(t_other_process),
    };
    if (!strcmp(zg_test_backend(), "postgres") && !getenv("ZG_TEST_PG_URL")) {
        printf("[  SKIPPED ] postgres backend: ZG_TEST_PG_URL is not set\n");
        return 0;
    }
    return cmocka_run_group_tests_name(zg_test_backend(), tests, setup, teardown);
}
