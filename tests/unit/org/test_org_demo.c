/* test_org_demo.c — the demo city (zg_org_demo_city) on both backends: its size and shape
 * (a municipal committee, its agency work committee, five counties and districts, a few
 * hundred branches, teams and 2025 gradings), a consistent closure, no org that breaks a
 * "shall" rule, the same tree on a second database (determinism), and a second call that
 * adds nothing. */
#include "orgtest.h"

#include "core/crypto.h"
#include "core/strbuf.h"

/* A digest of the tree: every org's code, parent code, kind and name, and every current
 * post, in code order. */
static void digest(zg_conn_t *c, char out[65])
{
    zg_error_t err;
    zg_strbuf_t sb;
    zg_strbuf_init(&sb, NULL, 0);
    zg_rows_t *r;
    CHECK(zg_db_query(c,
                      "SELECT o.code, p.code, o.kind, o.name, o.founded_on, o.depth FROM org o "
                      "LEFT JOIN org p ON p.id = o.parent_id ORDER BY o.code",
                      NULL, 0, &r, &err));
    while (zg_rows_next(r, &err) == 1)
        for (int i = 0; i < 6; i++)
            zg_strbuf_printf(&sb, "%s|", zg_rows_text(r, i));
    zg_rows_close(r);
    CHECK(zg_db_query(c,
                      "SELECT o.code, l.post, l.person_name, l.term_start, l.term_end "
                      "FROM org_leader l JOIN org o ON o.id = l.org_id "
                      "ORDER BY o.code, l.sort, l.post, l.person_name",
                      NULL, 0, &r, &err));
    while (zg_rows_next(r, &err) == 1)
        for (int i = 0; i < 5; i++)
            zg_strbuf_printf(&sb, "%s|", zg_rows_text(r, i));
    zg_rows_close(r);
    CHECK(zg_db_query(c,
                      "SELECT o.code, g.grade, g.indicators FROM org_grading g "
                      "JOIN org o ON o.id = g.org_id ORDER BY o.code",
                      NULL, 0, &r, &err));
    while (zg_rows_next(r, &err) == 1)
        for (int i = 0; i < 3; i++)
            zg_strbuf_printf(&sb, "%s|", zg_rows_text(r, i));
    zg_rows_close(r);
    assert_false(sb.overflow);
    uint8_t h[32];
    zg_sm3(sb.data, sb.len, h);
    for (int i = 0; i < 32; i++)
        snprintf(out + 2 * i, 3, "%02x", h[i]);
    zg_strbuf_free(&sb);
}

static void test_demo_city(void **state)
{
    ctx_t *t = start(state);
    zg_error_t err;
    zg_org_demo_report_t rep;
    CHECK(zg_org_demo_city(t->c, t->root, &rep, &err));
    assert_true(rep.created);
    print_message("    %s: %s\n", t->backend, rep.summary);
    assert_true(rep.orgs >= 400 && rep.orgs <= 700);
    assert_true(rep.branches >= 300);
    assert_true(rep.leaders > rep.orgs);
    assert_true(rep.gradings >= rep.branches);
    assert_closure_ok(t);
    assert_int_equal(qint(t, "SELECT max(depth) FROM org", 0),
                     4); /* root, county, town, village, sub-branch */
    /* the shape */
    assert_int_equal(qint(t,
                          "SELECT count(*) FROM org WHERE parent_id = $1 AND kind = 'committee' "
                          "AND (name LIKE '%县委员会' OR name LIKE '%区委员会')",
                          t->root),
                     5);
    assert_int_equal(qint(t,
                          "SELECT count(*) FROM org WHERE kind = 'work_committee' AND "
                          "name = '中共临江市直属机关工作委员会'",
                          0),
                     1);
    assert_true(qint(t, "SELECT count(*) FROM org WHERE domain = 'rural' AND kind = 'branch'", 0) >
                150);
    assert_true(qint(t, "SELECT count(*) FROM org WHERE domain = 'community'", 0) > 40);
    assert_int_equal(qint(t, "SELECT count(*) FROM org WHERE kind = 'joint_branch'", 0), 2);
    assert_int_equal(qint(t, "SELECT count(*) FROM org WHERE kind = 'temp_branch'", 0), 1);
    /* every org has a secretary; every branch and general branch a 2025 grading */
    assert_int_equal(qint(t,
                          "SELECT count(*) FROM org o WHERE NOT EXISTS (SELECT 1 FROM org_leader l "
                          "WHERE l.org_id = o.id AND l.post = 'secretary' AND l.ended_on IS NULL)",
                          0),
                     0);
    assert_int_equal(qint(t,
                          "SELECT count(*) FROM org o WHERE o.kind IN ('branch', 'general_branch', "
                          "'joint_branch') AND NOT EXISTS (SELECT 1 FROM org_grading g WHERE "
                          "g.org_id = o.id AND g.year = 2025)",
                          0),
                     0);
    assert_true(qint(t, "SELECT count(*) FROM org_grading WHERE grade = 'poor'", 0) > 0);
    assert_true(qint(t, "SELECT count(*) FROM org_leader WHERE post = 'first_secretary'", 0) > 10);
    /* unique codes, all set */
    assert_int_equal(qint(t, "SELECT count(*) FROM org WHERE code IS NULL", 0), 0);
    /* no org breaks a "shall" rule; the joint branch over 5 units warns */
    zg_org_list_t all;
    CHECK(zg_org_subtree(t->c, &t->a, t->root, t->root, 10, 5000, false, &all, &err));
    assert_int_equal((int64_t)all.n, rep.orgs);
    int warned = 0;
    for (size_t i = 0; i < all.n; i++) {
        zg_findings_t f;
        zg_findings_init(&f, &t->a);
        CHECK(zg_org_check(t->c, t->root, all.items[i].id, zg_date_today(), &f, &err));
        if (zg_findings_blocking(&f))
            print_error("%s: %s\n", all.items[i].name, f.items[0].message);
        assert_false(zg_findings_blocking(&f));
        warned += zg_findings_has(&f, "org.joint_branch_units_max");
    }
    assert_int_equal(warned, 1);
    /* every write was audited */
    assert_true(qint(t, "SELECT count(*) FROM audit_log WHERE username = 'demo'", 0) >=
                rep.orgs + rep.gradings);

    /* a second call adds nothing */
    zg_org_demo_report_t again;
    CHECK(zg_org_demo_city(t->c, t->root, &again, &err));
    assert_false(again.created);
    assert_int_equal(again.orgs, rep.orgs);

    /* the same tree on a fresh database */
    char url[512], d1[65], d2[65];
    assert_int_equal(zg_testdb_url(t->backend, url, sizeof url), 0);
    zg_db_t *db2;
    CHECK(zg_db_open(url, &db2, &err));
    CHECK(zg_db_migrate(db2, NULL, &err));
    int64_t root2;
    CHECK(zg_org_bootstrap_root(db2, "中共测试市委员会", &root2, &err));
    zg_conn_t *c2 = zg_db_conn(db2, &err);
    assert_non_null(c2);
    CHECK(zg_org_demo_city(c2, root2, &rep, &err));
    digest(t->c, d1);
    digest(c2, d2);
    assert_string_equal(d1, d2);
    zg_db_close(db2);
}

int main(void)
{
    if (!getenv("ZG_TEST_PG_URL") || !*getenv("ZG_TEST_PG_URL"))
        fprintf(stderr,
                "test_org_demo: ZG_TEST_PG_URL is not set: the postgres/* tests are skipped\n");
    const struct CMUnitTest tests[] = {
        BOTH(test_demo_city),
    };
    int failed = cmocka_run_group_tests_name("org_demo", tests, NULL, NULL);
    zg_testdb_cleanup();
    return failed;
}
