/* test_org_rules.c — the org rules as pure functions (zg_org_evaluate, zg_org_write_refused,
 * zg_org_term_years, zg_org_kind_may_hold) without a database: each rule on both sides of its
 * boundary, and the rule table itself (ids, citations, severities). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "modules/org/org.h"
#include "rules/rules.h"

static zg_arena_t A;

static zg_org_facts_t facts(const char *kind)
{
    zg_org_facts_t f = {.kind = kind, .unit_count = 1, .term_end = ZG_ORG_NO_DATE};
    zg_date_parse("2025-06-01", &f.today);
    return f;
}

static zg_org_facts_t team(const char *kind, int sec, int dep, int cm)
{
    zg_org_facts_t f = facts(kind);
    f.secretaries = sec;
    f.deputies = dep;
    f.committee_members = cm;
    return f;
}

static zg_org_facts_t counted(zg_org_facts_t f, int full, int total)
{
    f.has_counts = true;
    f.full_members = full;
    f.total_members = total;
    return f;
}

static bool finds(const zg_org_facts_t *f, const char *rule)
{
    zg_findings_t out;
    zg_findings_init(&out, &A);
    zg_org_evaluate(f, &out);
    return zg_findings_has(&out, rule);
}

static int nfindings(const zg_org_facts_t *f)
{
    zg_findings_t out;
    zg_findings_init(&out, &A);
    zg_org_evaluate(f, &out);
    return out.n;
}

static void test_rule_table(void **state)
{
    (void)state;
    zg_error_t err;
    assert_int_equal(zg_rules_validate(&err), 0);
    const char *ids[] = {"org.branch_min_full_members",
                         "org.joint_branch_units_max",
                         "org.branch_size_max",
                         "org.committee_required",
                         "org.committee_size_range",
                         "org.committee_size_usual",
                         "org.small_branch_no_committee",
                         "org.term_length",
                         "org.term_expired",
                         "org.dissolve_only_empty",
                         "org.grading_levels"};
    for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++) {
        const zg_rule_t *r = zg_rule_get(ids[i]);
        assert_non_null(r);
        assert_true(strlen(r->citation) > 0);
    }
    /* "shall" rules block, "generally" rules warn */
    assert_int_equal(zg_rule_get("org.committee_required")->severity, ZG_SEV_BLOCK);
    assert_int_equal(zg_rule_get("org.committee_size_range")->severity, ZG_SEV_BLOCK);
    assert_int_equal(zg_rule_get("org.committee_size_usual")->severity, ZG_SEV_WARN);
    assert_int_equal(zg_rule_get("org.branch_size_max")->severity, ZG_SEV_WARN);
    assert_int_equal(zg_rule_get("org.joint_branch_units_max")->severity, ZG_SEV_WARN);
    assert_string_equal(zg_rule_get("org.committee_required")->citation,
                        "《中国共产党支部工作条例（试行）》第二十条");
}

static void test_joint_branch_units(void **state)
{
    (void)state;
    zg_org_facts_t f = facts("joint_branch");
    f.unit_count = 5;
    assert_false(finds(&f, "org.joint_branch_units_max"));
    f.unit_count = 6;
    assert_true(finds(&f, "org.joint_branch_units_max"));
    f.kind = "branch";
    assert_false(finds(&f, "org.joint_branch_units_max"));
}

static void test_committee_size(void **state)
{
    (void)state;
    /* size = secretary + deputies + committee members, only with committee members */
    struct {
        int sec, dep, cm;
        bool range, usual;
    } cases[] = {
        {1, 0, 1, true, false},  /* 2 */
        {1, 0, 2, false, false}, /* 3 */
        {1, 1, 3, false, false}, /* 5 */
        {1, 1, 4, false, true},  /* 6 */
        {1, 1, 5, false, true},  /* 7 */
        {1, 1, 6, true, false},  /* 8 */
        {1, 2, 0, false, false}, /* no committee */
        {0, 0, 1, true, false},  /* 1 */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        zg_org_facts_t f = team("branch", cases[i].sec, cases[i].dep, cases[i].cm);
        assert_int_equal(finds(&f, "org.committee_size_range"), cases[i].range);
        assert_int_equal(finds(&f, "org.committee_size_usual"), cases[i].usual);
        f.kind = "joint_branch";
        assert_int_equal(finds(&f, "org.committee_size_range"), cases[i].range);
        f.kind = "general_branch"; /* not the branch regulations' committee */
        assert_false(finds(&f, "org.committee_size_range"));
        assert_false(finds(&f, "org.committee_size_usual"));
    }
}

static void test_member_counts(void **state)
{
    (void)state;
    zg_org_facts_t b = facts("branch");
    /* without counts nothing is said */
    assert_int_equal(nfindings(&b), 0);
    zg_org_facts_t f = counted(b, 2, 2);
    assert_true(finds(&f, "org.branch_min_full_members"));
    f = counted(b, 3, 3);
    assert_false(finds(&f, "org.branch_min_full_members"));
    f = counted(facts("joint_branch"), 2, 2);
    assert_false(finds(&f, "org.branch_min_full_members"));

    f = counted(b, 10, 50);
    assert_false(finds(&f, "org.branch_size_max"));
    f = counted(b, 10, 51);
    assert_true(finds(&f, "org.branch_size_max"));
    f = counted(facts("temp_branch"), 10, 51);
    assert_true(finds(&f, "org.branch_size_max"));
    f = counted(facts("committee"), 10, 51);
    assert_false(finds(&f, "org.branch_size_max"));

    f = counted(team("branch", 1, 0, 0), 6, 6);
    assert_false(finds(&f, "org.committee_required"));
    f = counted(team("branch", 1, 0, 0), 7, 7);
    assert_true(finds(&f, "org.committee_required"));

    f = counted(team("branch", 1, 0, 2), 6, 6);
    assert_true(finds(&f, "org.small_branch_no_committee"));
    f = counted(team("branch", 1, 0, 2), 7, 7);
    assert_false(finds(&f, "org.small_branch_no_committee"));
    assert_false(finds(&f, "org.committee_required"));
}

static void test_term_expired(void **state)
{
    (void)state;
    zg_org_facts_t f = team("branch", 1, 0, 0);
    zg_date_parse("2025-06-01", &f.term_end);
    assert_false(finds(&f, "org.term_expired")); /* today is 2025-06-01 */
    f.today++;
    assert_true(finds(&f, "org.term_expired"));
    f.term_end = ZG_ORG_NO_DATE;
    assert_false(finds(&f, "org.term_expired"));
}

static void test_write_refused(void **state)
{
    (void)state;
    zg_findings_t out;
    zg_findings_init(&out, &A);
    zg_org_facts_t none = facts("");
    /* introduced */
    zg_org_facts_t two = team("branch", 1, 0, 1);
    assert_true(zg_org_write_refused(&none, &two, &out));
    assert_int_equal(out.n, 1);
    assert_string_equal(out.items[0].rule->id, "org.committee_size_range");
    /* worse: 8 → 9 */
    zg_org_facts_t eight = team("branch", 1, 1, 6), nine = team("branch", 1, 1, 7);
    out.n = 0;
    assert_true(zg_org_write_refused(&eight, &nine, &out));
    /* better but still outside: 9 → 8, allowed */
    out.n = 0;
    assert_false(zg_org_write_refused(&nine, &eight, &out));
    assert_int_equal(out.n, 0);
    /* unchanged violation: allowed (a pre-existing problem does not stop unrelated work) */
    assert_false(zg_org_write_refused(&nine, &nine, &out));
    /* warnings never refuse: 5 → 6 */
    zg_org_facts_t five = team("branch", 1, 1, 3), six = team("branch", 1, 1, 4);
    assert_false(zg_org_write_refused(&five, &six, &out));
    /* committee_required introduced vs. kept */
    zg_org_facts_t with = counted(team("branch", 1, 0, 2), 7, 7);
    zg_org_facts_t without = counted(team("branch", 1, 0, 0), 7, 7);
    out.n = 0;
    assert_true(zg_org_write_refused(&with, &without, &out));
    assert_string_equal(out.items[0].rule->id, "org.committee_required");
    assert_false(zg_org_write_refused(&without, &without, &out));
    zg_org_facts_t six_full = counted(team("branch", 1, 0, 0), 6, 6);
    assert_false(zg_org_write_refused(&with, &six_full, &out));
}

static void test_kinds_and_terms(void **state)
{
    (void)state;
    assert_true(zg_org_kind_may_hold("committee", "committee"));
    assert_true(zg_org_kind_may_hold("committee", "branch"));
    assert_true(zg_org_kind_may_hold("work_committee", "general_branch"));
    assert_false(zg_org_kind_may_hold("committee", "group"));
    assert_true(zg_org_kind_may_hold("general_branch", "branch"));
    assert_true(zg_org_kind_may_hold("general_branch", "joint_branch"));
    assert_false(zg_org_kind_may_hold("general_branch", "committee"));
    assert_true(zg_org_kind_may_hold("branch", "group"));
    assert_false(zg_org_kind_may_hold("branch", "branch"));
    assert_false(zg_org_kind_may_hold("group", "group"));
    assert_false(zg_org_kind_may_hold("leading_group", "branch"));
    assert_false(zg_org_kind_may_hold("nonsense", "branch"));

    assert_int_equal(zg_org_term_years("committee", NULL), 5);
    assert_int_equal(zg_org_term_years("committee", "university"), 5);
    assert_int_equal(zg_org_term_years("general_branch", NULL), 3);
    assert_int_equal(zg_org_term_years("branch", "agency"), 3);
    assert_int_equal(zg_org_term_years("branch", "rural"), 5);
    assert_int_equal(zg_org_term_years("general_branch", "community"), 5);

    assert_string_equal(zg_org_label(zg_org_kinds, "general_branch"), "党总支");
    assert_string_equal(zg_org_label(zg_org_grades, "fairly_good"), "较好");
    assert_string_equal(zg_org_label(zg_org_posts, "first_secretary"), "第一书记");
    assert_string_equal(zg_org_label(zg_org_domains, "emerging"), "新兴领域");
    assert_null(zg_org_label(zg_org_kinds, "party"));
    assert_null(zg_org_label(zg_org_kinds, NULL));
}

int main(void)
{
    zg_arena_init(&A, 0, 1 << 24);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rule_table),      cmocka_unit_test(test_joint_branch_units),
        cmocka_unit_test(test_committee_size),  cmocka_unit_test(test_member_counts),
        cmocka_unit_test(test_term_expired),    cmocka_unit_test(test_write_refused),
        cmocka_unit_test(test_kinds_and_terms),
    };
    int failed = cmocka_run_group_tests_name("org_rules", tests, NULL, NULL);
    zg_arena_destroy(&A);
    return failed;
}
