/* test_member_rules.c — the member rules that need no database (zg_member_check), each on
 * both sides of its boundary, and the bulletin's categories (age bands, education categories,
 * join periods) at their edges. */
#include "membertest.h"

#include "rules/rules.h"

static zg_arena_t A;
static zg_date_t TODAY;

static int setup(void **state)
{
    (void)state;
    zg_arena_init(&A, 0, 64u << 20);
    TODAY = D("2026-11-23");
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    zg_arena_destroy(&A);
    return 0;
}

/* Runs the check on `in` and returns the findings. */
static zg_findings_t *check(const zg_member_input_t *in)
{
    zg_findings_t *f = zg_arena_alloc(&A, sizeof *f);
    zg_findings_init(f, &A);
    zg_member_check(in, TODAY, f);
    return f;
}

static void assert_clean(const zg_member_input_t *in)
{
    zg_findings_t *f = check(in);
    if (f->n) {
        dump_findings(f);
        fail_msg("expected no findings");
    }
}

static void assert_rule(const zg_member_input_t *in, const char *rule, zg_severity sev,
                        const char *field)
{
    zg_findings_t *f = check(in);
    for (int i = 0; i < f->n; i++)
        if (!strcmp(f->items[i].rule->id, rule) && f->items[i].rule->severity == sev &&
            (!field || (f->items[i].field && !strcmp(f->items[i].field, field))))
            return;
    dump_findings(f);
    fail_msg("expected %s on %s", rule, field ? field : "-");
}

static void t_valid_record_is_clean(void **state)
{
    (void)state;
    char id[19];
    zg_member_input_t in = valid_input(5, id);
    assert_clean(&in);
}

static void t_required_fields(void **state)
{
    (void)state;
    char id[19];
    struct {
        const char *field;
    } cases[] = {{"name"}, {"gender"}, {"birth_date"}, {"org_id"}, {"joined_on"}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        zg_member_input_t in = valid_input(5, id);
        in.id_number = NULL; /* its birth and sex would otherwise be compared */
        switch (i) {
        case 0:
            in.name = "   ";
            break;
        case 1:
            in.gender = NULL;
            break;
        case 2:
            in.birth_date = ZG_MEMBER_NO_DATE;
            break;
        case 3:
            in.org_id = 0;
            break;
        default:
            in.joined_on = ZG_MEMBER_NO_DATE;
            break;
        }
        assert_rule(&in, "member.required_fields", ZG_SEV_BLOCK, cases[i].field);
    }
    /* the ID number and phone are optional */
    zg_member_input_t in = valid_input(5, id);
    in.id_number = NULL;
    in.phone = NULL;
    assert_clean(&in);
}

static void t_id_number_check_digit(void **state)
{
    (void)state;
    char id[19];
    zg_member_input_t in = valid_input(5, id);
    assert_clean(&in);
    /* one more, one less on the check character */
    id[17] = id[17] == 'X' ? '0' : (id[17] == '9' ? 'X' : (char)(id[17] + 1));
    assert_rule(&in, "member.id_number_valid", ZG_SEV_BLOCK, "id_number");
    idnum(id, "1990-05-17", 123);
    id[17] = (char)(id[17] == '0' ? 'X' : (id[17] == 'X' ? '9' : id[17] - 1));
    assert_rule(&in, "member.id_number_valid", ZG_SEV_BLOCK, "id_number");
    /* a lowercase x is accepted */
    for (int seq = 0; seq < 1000; seq += 2) {
        idnum(id, "1990-05-17", seq + 1);
        if (id[17] == 'X') {
            id[17] = 'x';
            assert_clean(&in);
            break;
        }
    }
    /* 17 characters, a letter inside */
    in.id_number = "43010219900517123";
    assert_rule(&in, "member.id_number_valid", ZG_SEV_BLOCK, "id_number");
    in.id_number = "4301021990A517123X";
    assert_rule(&in, "member.id_number_valid", ZG_SEV_BLOCK, "id_number");
}

static void t_id_number_birth(void **state)
{
    (void)state;
    char id[19];
    zg_member_input_t in = valid_input(5, id);
    in.birth_date = D("1990-05-17");
    assert_clean(&in);
    in.birth_date = D("1990-05-18");
    assert_rule(&in, "member.id_number_birth", ZG_SEV_BLOCK, "birth_date");
    in.birth_date = D("1990-05-16");
    assert_rule(&in, "member.id_number_birth", ZG_SEV_BLOCK, "birth_date");
}

static void t_id_number_gender(void **state)
{
    (void)state;
    char id[19];
    zg_member_input_t in = valid_input(5, id);
    idnum(id, "1990-05-17", 123); /* odd: male */
    in.gender = "1";
    assert_clean(&in);
    in.gender = "2";
    assert_rule(&in, "member.id_number_gender", ZG_SEV_BLOCK, "gender");
    idnum(id, "1990-05-17", 124); /* even: female */
    assert_clean(&in);
    in.gender = "1";
    assert_rule(&in, "member.id_number_gender", ZG_SEV_BLOCK, "gender");
}

static void t_age_at_join(void **state)
{
    (void)state;
    char id[19];
    zg_member_input_t in = valid_input(5, id);
    /* the 18th birthday itself is old enough (细则 art.5: 年满十八岁) */
    in.joined_on = D("2008-05-17");
    assert_clean(&in);
    in.joined_on = D("2008-05-16");
    assert_rule(&in, "member.age_at_join", ZG_SEV_BLOCK, "joined_on");
    /* born on 29 February: 18 on 1 March of a common year */
    idnum(id, "2004-02-29", 123);
    in.birth_date = D("2004-02-29");
    in.joined_on = D("2022-03-01");
    assert_clean(&in);
    in.joined_on = D("2022-02-28");
    assert_rule(&in, "member.age_at_join", ZG_SEV_BLOCK, "joined_on");
}

static void t_dates_order(void **state)
{
    (void)state;
    char id[19];
    zg_member_input_t in = valid_input(5, id);
    /* work start after birth */
    in.work_start_date = D("1990-05-18");
    assert_clean(&in);
    in.work_start_date = D("1990-05-17");
    assert_rule(&in, "member.dates_order", ZG_SEV_BLOCK, "work_start_date");
    in.work_start_date = TODAY;
    assert_clean(&in);
    in.work_start_date = TODAY + 1;
    assert_rule(&in, "member.dates_order", ZG_SEV_BLOCK, "work_start_date");
    in.work_start_date = ZG_MEMBER_NO_DATE;
    /* joined: not in the future, not before 1921-07-01 */
    in.joined_on = TODAY;
    assert_clean(&in);
    in.joined_on = TODAY + 1;
    assert_rule(&in, "member.dates_order", ZG_SEV_BLOCK, "joined_on");
    in.id_number = NULL;
    in.birth_date = D("1900-01-01");
    in.joined_on = D("1921-07-01");
    assert_clean(&in);
    in.joined_on = D("1921-06-30");
    assert_rule(&in, "member.dates_order", ZG_SEV_BLOCK, "joined_on");
    /* birth not before 1900, not after today */
    in.joined_on = D("1950-01-01");
    in.birth_date = D("1899-12-31");
    assert_rule(&in, "member.dates_order", ZG_SEV_BLOCK, "birth_date");
    in.birth_date = TODAY + 1;
    in.joined_on = TODAY;
    assert_rule(&in, "member.dates_order", ZG_SEV_BLOCK, "birth_date");
}

static void t_conversion(void **state)
{
    (void)state;
    char id[19];
    zg_member_input_t in = valid_input(5, id);
    in.joined_on = D("2015-07-01");
    /* probation is one year from the assembly resolution */
    in.converted_on = D("2016-07-01");
    assert_clean(&in);
    in.converted_on = D("2016-06-30");
    assert_rule(&in, "member.conversion_after_probation", ZG_SEV_BLOCK, "converted_on");
    /* later than one year + the longest extension: a warning */
    in.converted_on = D("2017-07-01");
    assert_clean(&in);
    in.converted_on = D("2017-07-02");
    assert_rule(&in, "member.conversion_late", ZG_SEV_WARN, "converted_on");
    zg_findings_t *f = check(&in);
    assert_false(zg_findings_blocking(f));
    /* not in the future */
    in.joined_on = D("2025-11-23");
    in.converted_on = D("2026-11-23");
    assert_clean(&in);
    in.converted_on = D("2026-11-24");
    assert_rule(&in, "member.dates_order", ZG_SEV_BLOCK, "converted_on");
}

static void t_phone_format(void **state)
{
    (void)state;
    char id[19];
    zg_member_input_t in = valid_input(5, id);
    const char *good[] = {"13800138000", "19912345678", "15012345678"};
    const char *bad[] = {"12800138000", "1380013800", "138001380001", "1380013800a",
                         "+8613800138000"};
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        in.phone = good[i];
        assert_clean(&in);
    }
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        in.phone = bad[i];
        assert_rule(&in, "member.phone_format", ZG_SEV_BLOCK, "phone");
    }
}

static void t_codes_and_text(void **state)
{
    (void)state;
    char id[19];
    zg_member_input_t in = valid_input(5, id);
    in.id_number = NULL;
    in.gender = "2";
    assert_clean(&in);
    in.gender = "9";
    assert_rule(&in, "member.code_valid", ZG_SEV_BLOCK, "gender");
    in.gender = "1";
    in.occupation = "retired";
    assert_clean(&in);
    in.occupation = "pilot";
    assert_rule(&in, "member.code_valid", ZG_SEV_BLOCK, "occupation");
    in.occupation = NULL;
    in.dues_category = "farmer";
    assert_clean(&in);
    in.dues_category = "rich";
    assert_rule(&in, "member.code_valid", ZG_SEV_BLOCK, "dues_category");
    in.dues_category = NULL;
    /* 50 characters is the limit of a name */
    char name[50 * 3 + 4] = "";
    for (int i = 0; i < 50; i++)
        strcat(name, "张");
    in.name = name;
    assert_clean(&in);
    strcat(name, "张");
    assert_rule(&in, "member.text_format", ZG_SEV_BLOCK, "name");
    in.name = "张\t三";
    assert_rule(&in, "member.text_format", ZG_SEV_BLOCK, "name");
}

/* ---- categories ------------------------------------------------------------------------------ */

static void t_age_bands(void **state)
{
    (void)state;
    zg_date_t at = D("2026-11-23");
    assert_int_equal(zg_member_age_band(D("1996-11-24"), at), ZG_MEMBER_AGE_LE30);  /* 29 */
    assert_int_equal(zg_member_age_band(D("1995-11-24"), at), ZG_MEMBER_AGE_LE30);  /* 30 */
    assert_int_equal(zg_member_age_band(D("1995-11-23"), at), ZG_MEMBER_AGE_31_35); /* 31 */
    assert_int_equal(zg_member_age_band(D("1965-11-24"), at), ZG_MEMBER_AGE_56_60); /* 60 */
    assert_int_equal(zg_member_age_band(D("1965-11-23"), at), ZG_MEMBER_AGE_GE61);  /* 61 */
    assert_int_equal(zg_member_age_band(at + 1, at), -1);
    /* the birth ranges agree with zg_date_age_at on every day of a leap-year span, for every
     * band: a person is in band k iff the birth lies in the range */
    zg_date_t days[] = {D("2024-02-28"), D("2024-02-29"), D("2024-03-01"), D("2025-02-28"),
                        D("2025-03-01"), D("2026-11-23"), D("2026-12-31")};
    for (size_t d = 0; d < sizeof days / sizeof days[0]; d++) {
        zg_date_t on = days[d];
        for (int band = 0; band < ZG_MEMBER_AGE_BANDS; band++) {
            zg_date_t from, to;
            assert_int_equal(zg_member_age_band_births(band, on, &from, &to), 0);
            /* the births just inside and outside each end */
            zg_date_t probes[] = {to, to + 1, from == ZG_MEMBER_NO_DATE ? to - 30000 : from,
                                  from == ZG_MEMBER_NO_DATE ? to - 30001 : from - 1};
            for (size_t p = 0; p < 4; p++) {
                zg_date_t b = probes[p];
                if (b > on)
                    continue;
                bool inside = b <= to && (from == ZG_MEMBER_NO_DATE || b >= from);
                assert_int_equal(zg_member_age_band(b, on) == band, inside);
            }
        }
        /* exhaustive over 40 years of births */
        for (zg_date_t b = on - 366 * 40; b <= on; b++) {
            int band = zg_member_age_band(b, on);
            zg_date_t from, to;
            assert_int_equal(zg_member_age_band_births(band, on, &from, &to), 0);
            assert_true(b <= to && (from == ZG_MEMBER_NO_DATE || b >= from));
        }
    }
}

static void t_edu_categories(void **state)
{
    (void)state;
    struct {
        const char *code;
        int cat;
    } cases[] = {
        {"10", ZG_MEMBER_EDU_POSTGRAD},
        {"19", ZG_MEMBER_EDU_POSTGRAD},
        {"20", ZG_MEMBER_EDU_UNDERGRAD},
        {"28", ZG_MEMBER_EDU_UNDERGRAD},
        {"29", -1},
        {"30", ZG_MEMBER_EDU_COLLEGE},
        {"33", ZG_MEMBER_EDU_COLLEGE},
        {"34", -1},
        {"40", ZG_MEMBER_EDU_SECONDARY},
        {"49", ZG_MEMBER_EDU_SECONDARY},
        {"50", -1},
        {"60", ZG_MEMBER_EDU_SECONDARY},
        {"63", ZG_MEMBER_EDU_SECONDARY},
        {"64", -1},
        {"70", ZG_MEMBER_EDU_JUNIOR},
        {"83", ZG_MEMBER_EDU_JUNIOR},
        {"84", -1},
        {"90", ZG_MEMBER_EDU_JUNIOR},
        {"09", -1},
        {"1A", -1},
        {"1", -1},
        {"100", -1},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        assert_int_equal(zg_member_edu_category(cases[i].code), cases[i].cat);
    assert_int_equal(zg_member_edu_category(NULL), -1);
}

static void t_join_periods(void **state)
{
    (void)state;
    assert_int_equal(zg_member_join_period(D("1949-09-30")), ZG_MEMBER_JOIN_BEFORE_1949);
    assert_int_equal(zg_member_join_period(D("1949-10-01")), ZG_MEMBER_JOIN_TO_1978);
    assert_int_equal(zg_member_join_period(D("1978-12-17")), ZG_MEMBER_JOIN_TO_1978);
    assert_int_equal(zg_member_join_period(D("1978-12-18")), ZG_MEMBER_JOIN_TO_2012);
    assert_int_equal(zg_member_join_period(D("2012-11-07")), ZG_MEMBER_JOIN_TO_2012);
    assert_int_equal(zg_member_join_period(D("2012-11-08")), ZG_MEMBER_JOIN_SINCE_2012);
    zg_date_t from, to;
    zg_member_join_period_range(ZG_MEMBER_JOIN_BEFORE_1949, &from, &to);
    assert_int_equal(from, ZG_MEMBER_NO_DATE);
    assert_int_equal(to, D("1949-10-01"));
    zg_member_join_period_range(ZG_MEMBER_JOIN_SINCE_2012, &from, &to);
    assert_int_equal(from, D("2012-11-08"));
    assert_int_equal(to, ZG_MEMBER_NO_DATE);
}

static void t_catalog(void **state)
{
    (void)state;
    zg_error_t err;
    CHECK(zg_rules_validate(&err));
    /* every member rule is registered with a citation and a confidence tag */
    int n = 0;
    for (size_t i = 0; i < zg_rules_count(); i++) {
        const zg_rule_t *r = zg_rules_at(i);
        if (strncmp(r->id, "member.", 7))
            continue;
        n++;
        assert_true(r->citation && *r->citation);
        assert_true(strchr("VSL", r->confidence[0]) != NULL);
    }
    assert_true(n >= 20);
    assert_non_null(zg_rule_get("member.age_at_join"));
    assert_int_equal(zg_rule_get("member.age_at_join")->severity, ZG_SEV_BLOCK);
}

static void t_labels(void **state)
{
    (void)state;
    assert_string_equal(zg_member_label(zg_member_statuses, "full"), "正式党员");
    assert_null(zg_member_label(zg_member_statuses, "nope"));
    assert_null(zg_member_label(zg_member_statuses, NULL));
    int n = 0;
    for (const zg_member_label_t *l = zg_member_occupations; l->code; l++)
        n++;
    assert_int_equal(n, 8);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(t_valid_record_is_clean),
        cmocka_unit_test(t_required_fields),
        cmocka_unit_test(t_id_number_check_digit),
        cmocka_unit_test(t_id_number_birth),
        cmocka_unit_test(t_id_number_gender),
        cmocka_unit_test(t_age_at_join),
        cmocka_unit_test(t_dates_order),
        cmocka_unit_test(t_conversion),
        cmocka_unit_test(t_phone_format),
        cmocka_unit_test(t_codes_and_text),
        cmocka_unit_test(t_age_bands),
        cmocka_unit_test(t_edu_categories),
        cmocka_unit_test(t_join_periods),
        cmocka_unit_test(t_catalog),
        cmocka_unit_test(t_labels),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
