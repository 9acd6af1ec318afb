/* test_org_team.c — leadership teams, terms, grading and the setup rules over teams and
 * member counts (src/modules/org/org_team.c) on both backends. Each rule is tested on both
 * sides of its boundary: committee size 2/3, 5/6, 7/8; full members 2/3 and 6/7; members
 * 50/51; term end today / yesterday; terms due within the window / one day after it. */
#include "orgtest.h"

static bool has(const zg_org_op_t *op, const char *rule)
{
    return zg_findings_has(&op->findings, rule);
}

static zg_org_leader_input_t post(const char *p, const char *name, const char *start)
{
    return (zg_org_leader_input_t){
        .post = p, .person_name = name, .term_start = D(start), .term_end = ZG_ORG_NO_DATE};
}

/* Adds posts; returns the status and leaves the outcome in *op. */
static int add(ctx_t *t, zg_org_op_t *op, int64_t org, const zg_org_leader_input_t *items, size_t n,
               zg_error_t *err)
{
    *op = op_of(t, 0);
    return zg_org_leaders_add(t->c, op, org, items, n, false, ZG_ORG_NO_DATE, NULL, err);
}

static int64_t current_posts(ctx_t *t, int64_t org)
{
    return qint(t, "SELECT count(*) FROM org_leader WHERE org_id = $1 AND ended_on IS NULL", org);
}

static int g_full, g_total;
static int counter(zg_conn_t *c, int64_t org_id, int *full, int *total)
{
    (void)c;
    (void)org_id;
    *full = g_full;
    *total = g_total;
    return 0;
}

/* The findings zg_org_check reports for `org` today. */
static zg_findings_t check(ctx_t *t, int64_t org, zg_date_t today)
{
    zg_findings_t f;
    zg_error_t err;
    zg_findings_init(&f, &t->a);
    CHECK(zg_org_check(t->c, t->root, org, today, &f, &err));
    return f;
}

static void test_term_defaults(void **state)
{
    ctx_t *t = start(state);
    zg_error_t err;
    zg_org_op_t op;
    int64_t county = mk(t, t->root, "committee", "中共青山县委员会");
    int64_t branch = mk(t, county, "branch", "县财政局机关党支部");
    int64_t gb = mk(t, county, "general_branch", "县人民医院党总支");
    int64_t town = mk(t, county, "committee", "石桥镇党委");
    zg_org_input_t in = input(town, "branch", "柳塘村党支部");
    in.set |= ZG_ORG_SET_DOMAIN;
    in.domain = "rural";
    int64_t village;
    op = op_of(t, 0);
    CHECK(zg_org_create(t->c, &op, &in, &village, &err));

    struct {
        int64_t org;
        const char *end;
    } cases[] = {{branch, "2026-05-10"},
                 {gb, "2026-05-10"},
                 {town, "2028-05-10"},
                 {village, "2028-05-10"},
                 {county, "2028-05-10"}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        zg_org_leader_input_t s = post("secretary", "张明", "2023-05-10");
        int64_t id = 0;
        op = op_of(t, 0);
        CHECK(zg_org_leaders_add(t->c, &op, cases[i].org, &s, 1, false, ZG_ORG_NO_DATE, &id, &err));
        assert_true(has(&op, "org.term_length"));
        zg_org_leader_t *l;
        size_t n;
        CHECK(zg_org_leaders(t->c, &t->a, t->root, cases[i].org, false, &l, &n, &err));
        assert_int_equal(n, 1);
        assert_int_equal(l[0].id, id);
        assert_int_equal(l[0].term_end, D(cases[i].end));
    }
    assert_int_equal(zg_org_term_years("branch", NULL), 3);
    assert_int_equal(zg_org_term_years("branch", "community"), 5);
    assert_int_equal(zg_org_term_years("work_committee", "agency"), 5);
    /* an explicit end is kept; a first secretary has no default term */
    zg_org_leader_input_t d = post("deputy_secretary", "李红", "2023-05-10");
    d.term_end = D("2025-12-31");
    zg_org_leader_input_t f = post("first_secretary", "赵强", "2024-03-01");
    zg_org_leader_input_t both[] = {d, f};
    CHECK(add(t, &op, village, both, 2, &err));
    assert_false(has(&op, "org.term_length"));
    zg_org_leader_t *l;
    size_t n;
    CHECK(zg_org_leaders(t->c, &t->a, t->root, village, false, &l, &n, &err));
    assert_int_equal(n, 3);
    assert_string_equal(l[0].post, "secretary");
    assert_string_equal(l[1].post, "deputy_secretary");
    assert_int_equal(l[1].term_end, D("2025-12-31"));
    assert_string_equal(l[2].post, "first_secretary");
    assert_int_equal(l[2].term_end, ZG_ORG_NO_DATE);
}

static void test_leader_validation(void **state)
{
    ctx_t *t = start(state);
    zg_error_t err;
    zg_org_op_t op;
    int64_t b = mk(t, t->root, "branch", "市委办党支部");
    int64_t other = mk(t, t->root, "branch", "市政府办党支部");
    zg_org_leader_input_t s = post("secretary", "张明", "2023-05-10");
    CHECK(add(t, &op, b, &s, 1, &err));
    /* a second secretary */
    zg_org_leader_input_t s2 = post("secretary", "王刚", "2024-01-01");
    assert_int_equal(add(t, &op, b, &s2, 1, &err), ZG_ERR_CONFLICT);
    assert_string_equal(err.code, "secretary_exists");
    /* two secretaries in one batch */
    zg_org_leader_input_t two[] = {s, s2};
    assert_int_equal(add(t, &op, other, two, 2, &err), ZG_ERR_CONFLICT);
    assert_int_equal(current_posts(t, other), 0);
    /* bad fields name their item in a batch */
    zg_org_leader_input_t bad[] = {post("deputy_secretary", "甲", "2023-01-01"),
                                   post("chairman", "乙", "2023-01-01")};
    assert_int_equal(add(t, &op, other, bad, 2, &err), ZG_ERR_INVALID);
    assert_string_equal(op.bad_field, "items[1].post");
    zg_org_leader_input_t noname = post("deputy_secretary", " ", "2023-01-01");
    assert_int_equal(add(t, &op, other, &noname, 1, &err), ZG_ERR_INVALID);
    assert_string_equal(op.bad_field, "person_name");
    zg_org_leader_input_t backwards = post("deputy_secretary", "丙", "2023-01-01");
    backwards.term_end = D("2023-01-01");
    assert_int_equal(add(t, &op, other, &backwards, 1, &err), ZG_ERR_INVALID);
    assert_string_equal(op.bad_field, "term_end");
    zg_org_leader_input_t nostart = post("deputy_secretary", "丁", "2023-01-01");
    nostart.term_start = ZG_ORG_NO_DATE;
    assert_int_equal(add(t, &op, other, &nostart, 1, &err), ZG_ERR_INVALID);
    assert_string_equal(op.bad_field, "term_start");
    assert_int_equal(add(t, &op, other, &s, 0, &err), ZG_ERR_INVALID);
    /* out of scope */
    op = op_of(t, other);
    assert_int_equal(zg_org_leaders_add(t->c, &op, b, &s2, 1, false, ZG_ORG_NO_DATE, NULL, &err),
                     ZG_ERR_NOT_FOUND);
    zg_org_leader_t *l;
    size_t n;
    assert_int_equal(zg_org_leaders(t->c, &t->a, other, b, false, &l, &n, &err), ZG_ERR_NOT_FOUND);

    /* ending a post */
    int64_t lid = qint(t, "SELECT id FROM org_leader WHERE org_id = $1", b);
    op = op_of(t, 0);
    assert_int_equal(zg_org_leader_end(t->c, &op, other, lid, ZG_ORG_NO_DATE, NULL, &err),
                     ZG_ERR_NOT_FOUND); /* not that org's post */
    op = op_of(t, 0);
    assert_int_equal(zg_org_leader_end(t->c, &op, b, lid, D("2023-05-09"), NULL, &err),
                     ZG_ERR_INVALID);
    assert_string_equal(op.bad_field, "ended_on");
    zg_date_t tomorrow;
    zg_date_add_days(zg_date_today(), 1, &tomorrow);
    op = op_of(t, 0);
    assert_int_equal(zg_org_leader_end(t->c, &op, b, lid, tomorrow, NULL, &err), ZG_ERR_INVALID);
    op = op_of(t, 0);
    CHECK(zg_org_leader_end(t->c, &op, b, lid, D("2024-12-31"), "调任", &err));
    op = op_of(t, 0);
    assert_int_equal(zg_org_leader_end(t->c, &op, b, lid, ZG_ORG_NO_DATE, NULL, &err),
                     ZG_ERR_CONFLICT);
    assert_int_equal(
        qint(t, "SELECT count(*) FROM audit_log WHERE action = 'org.leader.end' AND object_id = $1",
             b),
        1);
    /* the ended post is history; a new secretary may now be added */
    CHECK(add(t, &op, b, &s2, 1, &err));
    CHECK(zg_org_leaders(t->c, &t->a, t->root, b, true, &l, &n, &err));
    assert_int_equal(n, 2);
    assert_string_equal(l[0].person_name, "王刚"); /* current first */
    assert_string_equal(l[1].person_name, "张明");
    assert_int_equal(l[1].ended_on, D("2024-12-31"));
    assert_string_equal(l[1].end_reason, "调任");
    CHECK(zg_org_leaders(t->c, &t->a, t->root, b, false, &l, &n, &err));
    assert_int_equal(n, 1);
}

static void test_committee_size(void **state)
{
    ctx_t *t = start(state);
    zg_error_t err;
    zg_org_op_t op;
    int64_t b = mk(t, t->root, "branch", "市教育局机关党支部");
    zg_org_leader_input_t sec = post("secretary", "书记甲", "2024-01-05");
    zg_org_leader_input_t cm[8];
    const char *names[] = {"委员一", "委员二", "委员三", "委员四",
                           "委员五", "委员六", "委员七", "委员八"};
    for (int i = 0; i < 8; i++)
        cm[i] = post("committee_member", names[i], "2024-01-05");

    /* 2: a committee below 3 is refused and nothing is written */
    zg_org_leader_input_t two[] = {sec, cm[0]};
    assert_int_equal(add(t, &op, b, two, 2, &err), ZG_ERR_INVALID);
    assert_string_equal(err.code, "rule_violation");
    assert_true(has(&op, "org.committee_size_range"));
    assert_true(zg_findings_blocking(&op.findings));
    assert_non_null(strstr(err.message, "不符合《中国共产党支部工作条例（试行）》第二十条"));
    assert_non_null(strstr(err.message, "现为 2 人"));
    assert_int_equal(current_posts(t, b), 0);
    assert_int_equal(qint(t, "SELECT count(*) FROM audit_log WHERE action LIKE 'org.leader%'", 0),
                     0);
    /* 3: fine */
    zg_org_leader_input_t three[] = {sec, cm[0], cm[1]};
    CHECK(add(t, &op, b, three, 3, &err));
    assert_false(has(&op, "org.committee_size_range"));
    assert_false(has(&op, "org.committee_size_usual"));
    /* 4, 5: fine */
    CHECK(add(t, &op, b, &cm[2], 1, &err));
    CHECK(add(t, &op, b, &cm[3], 1, &err));
    assert_false(has(&op, "org.committee_size_usual"));
    /* 6, 7: allowed with a warning */
    CHECK(add(t, &op, b, &cm[4], 1, &err));
    assert_true(has(&op, "org.committee_size_usual"));
    assert_false(zg_findings_blocking(&op.findings));
    CHECK(add(t, &op, b, &cm[5], 1, &err));
    assert_true(has(&op, "org.committee_size_usual"));
    /* 8: refused */
    assert_int_equal(add(t, &op, b, &cm[6], 1, &err), ZG_ERR_INVALID);
    assert_true(has(&op, "org.committee_size_range"));
    assert_int_equal(current_posts(t, b), 7);
    zg_findings_t f = check(t, b, zg_date_today());
    assert_true(zg_findings_has(&f, "org.committee_size_usual"));
    assert_false(zg_findings_has(&f, "org.committee_size_range"));

    /* ending members: 7 → 3 fine, 3 → 2 refused (fill the vacancy first) */
    for (int i = 0; i < 4; i++) {
        int64_t lid = qint(t,
                           "SELECT max(id) FROM org_leader WHERE org_id = $1 AND ended_on IS NULL "
                           "AND post = 'committee_member'",
                           b);
        op = op_of(t, 0);
        CHECK(zg_org_leader_end(t->c, &op, b, lid, ZG_ORG_NO_DATE, NULL, &err));
    }
    assert_int_equal(current_posts(t, b), 3);
    int64_t lid = qint(t,
                       "SELECT max(id) FROM org_leader WHERE org_id = $1 AND ended_on IS NULL "
                       "AND post = 'committee_member'",
                       b);
    op = op_of(t, 0);
    assert_int_equal(zg_org_leader_end(t->c, &op, b, lid, ZG_ORG_NO_DATE, NULL, &err),
                     ZG_ERR_INVALID);
    assert_true(has(&op, "org.committee_size_range"));
    assert_int_equal(current_posts(t, b), 3);

    /* without committee members there is no committee: secretary + 2 deputies is fine */
    int64_t small = mk(t, t->root, "branch", "小支部");
    zg_org_leader_input_t sd[] = {sec, post("deputy_secretary", "副书记甲", "2024-01-05"),
                                  post("deputy_secretary", "副书记乙", "2024-01-05")};
    CHECK(add(t, &op, small, sd, 3, &err));
    f = check(t, small, zg_date_today());
    assert_int_equal(f.n, 0);
    /* the committee rules are the branch regulations': a general branch is not checked */
    int64_t gb = mk(t, t->root, "general_branch", "某总支");
    zg_org_leader_input_t nine[9];
    nine[0] = sec;
    for (int i = 0; i < 8; i++)
        nine[i + 1] = cm[i];
    CHECK(add(t, &op, gb, nine, 9, &err));
    assert_false(has(&op, "org.committee_size_range"));
}

static void test_replace_team(void **state)
{
    ctx_t *t = start(state);
    zg_error_t err;
    zg_org_op_t op;
    int64_t b = mk(t, t->root, "branch", "市审计局机关党支部");
    zg_org_leader_input_t old[] = {post("secretary", "老书记", "2021-01-10"),
                                   post("committee_member", "老委员一", "2021-01-10"),
                                   post("committee_member", "老委员二", "2021-01-10")};
    CHECK(add(t, &op, b, old, 3, &err));
    /* a new team of 2 committee posts: refused, the old team stays */
    zg_org_leader_input_t bad[] = {post("secretary", "新书记", "2024-01-12"),
                                   post("committee_member", "新委员一", "2024-01-12")};
    op = op_of(t, 0);
    assert_int_equal(zg_org_leaders_add(t->c, &op, b, bad, 2, true, ZG_ORG_NO_DATE, NULL, &err),
                     ZG_ERR_INVALID);
    assert_true(has(&op, "org.committee_size_range"));
    assert_int_equal(current_posts(t, b), 3);
    /* a new team of 5 (换届): the old posts end on the election day */
    zg_org_leader_input_t team[] = {post("secretary", "新书记", "2024-01-12"),
                                    post("deputy_secretary", "新副书记", "2024-01-12"),
                                    post("committee_member", "新委员一", "2024-01-12"),
                                    post("committee_member", "新委员二", "2024-01-12"),
                                    post("committee_member", "新委员三", "2024-01-12")};
    op = op_of(t, 0);
    int64_t ids[5];
    CHECK(zg_org_leaders_add(t->c, &op, b, team, 5, true, ZG_ORG_NO_DATE, ids, &err));
    assert_int_equal(current_posts(t, b), 5);
    assert_int_equal(qint(t,
                          "SELECT count(*) FROM org_leader WHERE org_id = $1 AND "
                          "ended_on = '2024-01-12' AND end_reason = '换届'",
                          b),
                     3);
    assert_int_equal(
        qint(
            t,
            "SELECT count(*) FROM audit_log WHERE action = 'org.leader.replace' AND object_id = $1",
            b),
        1);
    zg_org_leader_t *l;
    size_t n;
    CHECK(zg_org_leaders(t->c, &t->a, t->root, b, false, &l, &n, &err));
    assert_int_equal(n, 5);
    assert_int_equal(l[0].id, ids[0]);
    assert_int_equal(l[0].term_end, D("2027-01-12"));
    /* replace_on in the future is refused */
    zg_date_t tomorrow;
    zg_date_add_days(zg_date_today(), 1, &tomorrow);
    op = op_of(t, 0);
    assert_int_equal(zg_org_leaders_add(t->c, &op, b, team, 5, true, tomorrow, NULL, &err),
                     ZG_ERR_INVALID);
    assert_string_equal(op.bad_field, "replace_on");
}

static void test_member_rules(void **state)
{
    ctx_t *t = start(state);
    zg_error_t err;
    zg_org_op_t op;
    int64_t b = mk(t, t->root, "branch", "某公司党支部");
    int64_t jb = mk(t, t->root, "joint_branch", "某园区联合党支部");
    zg_findings_t f;

    /* no counter installed: no member-count rule */
    f = check(t, b, zg_date_today());
    assert_int_equal(f.n, 0);
    zg_org_set_member_counter(counter);

    /* branch_min_full_members: 2 warns, 3 does not; a joint branch is exempt */
    g_full = 2, g_total = 2;
    f = check(t, b, zg_date_today());
    assert_true(zg_findings_has(&f, "org.branch_min_full_members"));
    f = check(t, jb, zg_date_today());
    assert_false(zg_findings_has(&f, "org.branch_min_full_members"));
    g_full = 3, g_total = 3;
    f = check(t, b, zg_date_today());
    assert_false(zg_findings_has(&f, "org.branch_min_full_members"));

    /* branch_size_max: 50 fine, 51 warns (joint branches too) */
    g_full = 6, g_total = 50;
    f = check(t, b, zg_date_today());
    assert_false(zg_findings_has(&f, "org.branch_size_max"));
    g_total = 51;
    f = check(t, b, zg_date_today());
    assert_true(zg_findings_has(&f, "org.branch_size_max"));
    f = check(t, jb, zg_date_today());
    assert_true(zg_findings_has(&f, "org.branch_size_max"));
    g_total = 20;

    /* committee_required: 6 full without a committee fine, 7 is a violation */
    zg_org_leader_input_t sec = post("secretary", "书记", "2024-03-01");
    g_full = 6;
    CHECK(add(t, &op, b, &sec, 1, &err));
    f = check(t, b, zg_date_today());
    assert_false(zg_findings_has(&f, "org.committee_required"));
    g_full = 7;
    f = check(t, b, zg_date_today());
    assert_true(zg_findings_has(&f, "org.committee_required"));
    assert_true(zg_findings_blocking(&f));
    /* ... which predates the next write and so does not stop it */
    zg_org_leader_input_t fs = post("first_secretary", "第一书记", "2024-03-01");
    CHECK(add(t, &op, b, &fs, 1, &err));

    /* with a committee of 4: small_branch_no_committee warns at 6 full, not at 7 */
    zg_org_leader_input_t c3[] = {post("deputy_secretary", "副书记", "2024-03-01"),
                                  post("committee_member", "组织委员", "2024-03-01"),
                                  post("committee_member", "宣传委员", "2024-03-01")};
    CHECK(add(t, &op, b, c3, 3, &err));
    assert_false(has(&op, "org.small_branch_no_committee"));
    f = check(t, b, zg_date_today());
    assert_false(zg_findings_has(&f, "org.committee_required"));
    assert_false(zg_findings_has(&f, "org.small_branch_no_committee"));
    g_full = 6;
    f = check(t, b, zg_date_today());
    assert_true(zg_findings_has(&f, "org.small_branch_no_committee"));
    assert_false(zg_findings_blocking(&f));

    /* ending the committee members of a branch with 7 full members is refused when it
     * removes the committee (it would introduce the violation); with 6 it is allowed */
    g_full = 7;
    int64_t m1 = qint(t,
                      "SELECT min(id) FROM org_leader WHERE org_id = $1 AND ended_on IS NULL "
                      "AND post = 'committee_member'",
                      b);
    int64_t m2 = qint(t,
                      "SELECT max(id) FROM org_leader WHERE org_id = $1 AND ended_on IS NULL "
                      "AND post = 'committee_member'",
                      b);
    op = op_of(t, 0);
    CHECK(zg_org_leader_end(t->c, &op, b, m1, ZG_ORG_NO_DATE, NULL, &err)); /* 4 → 3 */
    op = op_of(t, 0);
    assert_int_equal(zg_org_leader_end(t->c, &op, b, m2, ZG_ORG_NO_DATE, NULL, &err),
                     ZG_ERR_INVALID);
    assert_true(has(&op, "org.committee_required"));
    g_full = 6;
    op = op_of(t, 0);
    CHECK(zg_org_leader_end(t->c, &op, b, m2, ZG_ORG_NO_DATE, NULL, &err));

    /* a renewal must bring a committee when there are 7 full members */
    g_full = 7;
    zg_org_leader_input_t lone = post("secretary", "新书记", "2025-01-05");
    op = op_of(t, 0);
    assert_int_equal(zg_org_leaders_add(t->c, &op, b, &lone, 1, true, ZG_ORG_NO_DATE, NULL, &err),
                     ZG_ERR_INVALID);
    assert_true(has(&op, "org.committee_required"));
    g_full = 6;
    op = op_of(t, 0);
    CHECK(zg_org_leaders_add(t->c, &op, b, &lone, 1, true, ZG_ORG_NO_DATE, NULL, &err));

    /* a kind change that introduces committee_required is refused */
    int64_t gb = mk(t, t->root, "general_branch", "将改为支部的总支");
    g_full = 9;
    op = op_of(t, 0);
    zg_org_input_t up = {.set = ZG_ORG_SET_KIND, .kind = "branch", .effective_on = ZG_ORG_NO_DATE};
    assert_int_equal(zg_org_update(t->c, &op, gb, &up, &err), ZG_ERR_INVALID);
    assert_true(has(&op, "org.committee_required"));
}

static void test_term_expired(void **state)
{
    ctx_t *t = start(state);
    zg_error_t err;
    zg_org_op_t op;
    int64_t b = mk(t, t->root, "branch", "某党支部");
    zg_org_leader_input_t s = post("secretary", "书记", "2022-06-01");
    CHECK(add(t, &op, b, &s, 1, &err)); /* term ends 2025-06-01 */
    zg_findings_t f = check(t, b, D("2025-06-01"));
    assert_false(zg_findings_has(&f, "org.term_expired"));
    f = check(t, b, D("2025-06-02"));
    assert_true(zg_findings_has(&f, "org.term_expired"));
    assert_non_null(strstr(f.items[0].message, "2025-06-01"));
    assert_non_null(strstr(f.items[0].message, "1 天"));
    /* a first secretary's term is not the committee's */
    int64_t b2 = mk(t, t->root, "branch", "另一党支部");
    zg_org_leader_input_t fs = post("first_secretary", "驻村第一书记", "2022-06-01");
    fs.term_end = D("2024-06-01");
    CHECK(add(t, &op, b2, &fs, 1, &err));
    f = check(t, b2, D("2025-06-02"));
    assert_false(zg_findings_has(&f, "org.term_expired"));
}

static void test_terms_due(void **state)
{
    ctx_t *t = start(state);
    zg_error_t err;
    zg_org_op_t op;
    int64_t county = mk(t, t->root, "committee", "某县委");
    struct {
        const char *name, *end;
    } orgs[] = {{"届满当天支部", "2026-03-31"},
                {"窗口末日支部", "2026-04-30"},
                {"窗口外支部", "2026-05-01"},
                {"已逾期支部", "2026-01-15"}};
    int64_t ids[4];
    for (int i = 0; i < 4; i++) {
        ids[i] = mk(t, county, "branch", orgs[i].name);
        zg_org_leader_input_t s = post("secretary", "书记", "2023-01-01");
        s.term_end = D(orgs[i].end);
        CHECK(add(t, &op, ids[i], &s, 1, &err));
    }
    /* a first secretary's term and an ended post do not count */
    int64_t other = mk(t, county, "branch", "其他支部");
    zg_org_leader_input_t fs = post("first_secretary", "第一书记", "2023-01-01");
    fs.term_end = D("2026-02-01");
    CHECK(add(t, &op, other, &fs, 1, &err));
    /* a dissolved org does not count */
    int64_t gone = mk(t, county, "branch", "已撤销支部");
    zg_org_leader_input_t gs = post("secretary", "书记", "2023-01-01");
    gs.term_end = D("2026-02-01");
    CHECK(add(t, &op, gone, &gs, 1, &err));
    op = op_of(t, 0);
    CHECK(zg_org_dissolve(t->c, &op, gone, D("2025-01-01"), NULL, &err));

    zg_org_term_due_t *due;
    size_t n;
    int64_t total;
    CHECK(
        zg_org_terms_due(t->c, &t->a, t->root, D("2026-03-31"), 30, 0, 50, &due, &n, &total, &err));
    assert_int_equal(total, 3);
    assert_int_equal(n, 3);
    assert_int_equal(due[0].org_id, ids[3]);
    assert_int_equal(due[0].days_left, -75);
    assert_int_equal(due[1].org_id, ids[0]);
    assert_int_equal(due[1].days_left, 0);
    assert_int_equal(due[2].org_id, ids[1]);
    assert_int_equal(due[2].days_left, 30);
    assert_string_equal(due[2].org_name, "窗口末日支部");
    /* paging, and scope */
    CHECK(
        zg_org_terms_due(t->c, &t->a, t->root, D("2026-03-31"), 30, 1, 1, &due, &n, &total, &err));
    assert_int_equal(n, 1);
    assert_int_equal(due[0].org_id, ids[0]);
    CHECK(
        zg_org_terms_due(t->c, &t->a, ids[1], D("2026-03-31"), 30, 0, 50, &due, &n, &total, &err));
    assert_int_equal(total, 1);
    assert_int_equal(zg_org_terms_due(t->c, &t->a, t->root, D("2026-03-31"), 3651, 0, 50, &due, &n,
                                      &total, &err),
                     ZG_ERR_INVALID);
}

static void test_grading(void **state)
{
    ctx_t *t = start(state);
    zg_error_t err;
    zg_org_op_t op;
    int64_t b = mk(t, t->root, "branch", "某党支部");
    int64_t other = mk(t, t->root, "branch", "另一党支部");
    zg_org_grading_t g;
    assert_int_equal(zg_org_grading_get(t->c, &t->a, t->root, b, 2025, &g, &err), ZG_ERR_NOT_FOUND);
    assert_int_equal(zg_org_grading_latest(t->c, &t->a, t->root, b, &g, &err), ZG_ERR_NOT_FOUND);
    bool created = false;
    op = op_of(t, 0);
    CHECK(zg_org_grading_set(t->c, &op, b, 2025, "good", "{\"组织设置\":20,\"组织生活\":18}", NULL,
                             D("2026-01-20"), &created, &err));
    assert_true(created);
    op = op_of(t, 0);
    CHECK(zg_org_grading_set(t->c, &op, b, 2025, "fairly_good", NULL, "复核后调整", ZG_ORG_NO_DATE,
                             &created, &err));
    assert_false(created);
    op = op_of(t, 0);
    CHECK(zg_org_grading_set(t->c, &op, b, 2024, "average", NULL, NULL, D("2025-01-15"), &created,
                             &err));
    assert_int_equal(qint(t, "SELECT count(*) FROM org_grading WHERE org_id = $1", b), 2);
    CHECK(zg_org_grading_get(t->c, &t->a, t->root, b, 2025, &g, &err));
    assert_string_equal(g.grade, "fairly_good");
    assert_string_equal(g.indicators, "{}");
    assert_string_equal(g.note, "复核后调整");
    assert_int_equal(g.year, 2025);
    CHECK(zg_org_grading_latest(t->c, &t->a, t->root, b, &g, &err));
    assert_int_equal(g.year, 2025);
    /* the audit log keeps the change */
    assert_int_equal(
        qint(t, "SELECT count(*) FROM audit_log WHERE action = 'org.grading' AND object_id = $1",
             b),
        3);
    assert_int_equal(qint(t,
                          "SELECT count(*) FROM audit_log WHERE action = 'org.grading' AND "
                          "detail LIKE '%\"from\":\"good\",\"to\":\"fairly_good\"%'",
                          0),
                     1);
    /* refused values */
    struct {
        int year;
        const char *grade, *ind, *field;
    } bad[] = {{2025, "excellent", NULL, "grade"},
               {1948, "good", NULL, "year"},
               {2101, "good", NULL, "year"},
               {2025, "good", "[1,2]", "indicators"},
               {2025, "good", "{\"a\":", "indicators"}};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        op = op_of(t, 0);
        assert_int_equal(zg_org_grading_set(t->c, &op, b, bad[i].year, bad[i].grade, bad[i].ind,
                                            NULL, ZG_ORG_NO_DATE, NULL, &err),
                         ZG_ERR_INVALID);
        assert_string_equal(op.bad_field, bad[i].field);
    }
    /* the boundary years are fine */
    op = op_of(t, 0);
    CHECK(
        zg_org_grading_set(t->c, &op, other, 1949, "poor", NULL, NULL, ZG_ORG_NO_DATE, NULL, &err));
    /* scope */
    op = op_of(t, other);
    assert_int_equal(
        zg_org_grading_set(t->c, &op, b, 2025, "good", NULL, NULL, ZG_ORG_NO_DATE, NULL, &err),
        ZG_ERR_NOT_FOUND);
    assert_int_equal(zg_org_grading_get(t->c, &t->a, other, b, 2025, &g, &err), ZG_ERR_NOT_FOUND);
}

int main(void)
{
    if (!getenv("ZG_TEST_PG_URL") || !*getenv("ZG_TEST_PG_URL"))
        fprintf(stderr,
                "test_org_team: ZG_TEST_PG_URL is not set: the postgres/* tests are skipped\n");
    const struct CMUnitTest tests[] = {
        BOTH(test_term_defaults), BOTH(test_leader_validation), BOTH(test_committee_size),
        BOTH(test_replace_team),  BOTH(test_member_rules),      BOTH(test_term_expired),
        BOTH(test_terms_due),     BOTH(test_grading),
    };
    int failed = cmocka_run_group_tests_name("org_team", tests, NULL, NULL);
    zg_testdb_cleanup();
    return failed;
}
