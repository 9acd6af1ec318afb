/* test_transfer_rules.c — the transfer module's pure rules without a database: the letter's
 * 3-month validity (zg_date_add_months, month ends included), the dues month, letter numbers,
 * the pending-transfer warning, the overdue letter, the lost-contact and removal due dates —
 * each on both sides of its boundary — the settings, the rule table, and the letter's HTML
 * (escaping, masking, no external resources). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "modules/transfer/transfer.h"
#include "rules/rules.h"

static zg_arena_t A;

static zg_date_t D(const char *s)
{
    zg_date_t d;
    assert_int_equal(zg_date_parse(s, &d), 0);
    return d;
}

static void assert_date(zg_date_t d, const char *want)
{
    char buf[ZG_DATE_STR_SIZE];
    assert_int_equal(zg_date_format(d, buf), 0);
    assert_string_equal(buf, want);
}

static bool letter_ok(const char *issued, const char *valid_until, const char *dues)
{
    zg_findings_t f;
    zg_findings_init(&f, &A);
    zg_transfer_check_letter(D(issued), D(valid_until), dues, &f);
    return !zg_findings_blocking(&f);
}

static bool letter_has(const char *issued, const char *valid_until, const char *dues,
                       const char *rule)
{
    zg_findings_t f;
    zg_findings_init(&f, &A);
    zg_transfer_check_letter(D(issued), D(valid_until), dues, &f);
    return zg_findings_has(&f, rule);
}

/* RULES §5.2: validity ≤ 3 months after issue — exactly 3 months passes, one day more fails */
static void validity_boundary(void **state)
{
    (void)state;
    zg_date_t max;
    assert_int_equal(zg_transfer_letter_valid_max(D("2026-03-05"), &max), 0);
    assert_date(max, "2026-06-05");
    assert_true(letter_ok("2026-03-05", "2026-06-05", "2026-03"));
    assert_false(letter_ok("2026-03-05", "2026-06-06", "2026-03"));
    assert_true(letter_has("2026-03-05", "2026-06-06", "2026-03", "transfer.letter_validity_max"));
    assert_true(letter_ok("2026-03-05", "2026-03-05", "2026-03")); /* same day: valid */
    /* month ends clamp as zg_date_add_months does */
    assert_int_equal(zg_transfer_letter_valid_max(D("2025-11-30"), &max), 0);
    assert_date(max, "2026-02-28");
    assert_true(letter_ok("2025-11-30", "2026-02-28", "2025-11"));
    assert_false(letter_ok("2025-11-30", "2026-03-01", "2025-11"));
    assert_int_equal(zg_transfer_letter_valid_max(D("2023-11-30"), &max), 0);
    assert_date(max, "2024-02-29"); /* leap year */
    assert_true(letter_ok("2023-11-30", "2024-02-29", "2023-11"));
    assert_false(letter_ok("2023-11-30", "2024-03-01", "2023-11"));
    /* across a year */
    assert_true(letter_ok("2025-12-31", "2026-03-31", "2025-12"));
    assert_false(letter_ok("2025-12-31", "2026-04-01", "2025-12"));
    /* the rule blocks */
    const zg_rule_t *r = zg_rule_get("transfer.letter_validity_max");
    assert_non_null(r);
    assert_int_equal(r->severity, ZG_SEV_BLOCK);
}

static void dues_month(void **state)
{
    (void)state;
    int y = 0, m = 0;
    assert_int_equal(zg_transfer_parse_month("2026-03", &y, &m), 0);
    assert_int_equal(y, 2026);
    assert_int_equal(m, 3);
    assert_int_equal(zg_transfer_parse_month("2026-12", NULL, NULL), 0);
    assert_int_equal(zg_transfer_parse_month("2026-01", NULL, NULL), 0);
    assert_int_equal(zg_transfer_parse_month("1921-07", NULL, NULL), 0);
    assert_int_equal(zg_transfer_parse_month("2099-12", NULL, NULL), 0);
    const char *bad[] = {"2026-13", "2026-00", "2026-3",  "2026/03", "202603",   "2026-03-01",
                         "1920-12", "2100-01", "abcd-ef", "",        " 2026-03", "2026-0a"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(zg_transfer_parse_month(bad[i], NULL, NULL), ZG_ERR_INVALID);
    assert_int_equal(zg_transfer_parse_month(NULL, NULL, NULL), ZG_ERR_INVALID);
    /* the letter requires it */
    assert_true(letter_has("2026-03-05", "2026-04-05", NULL, "transfer.letter_dues_paid_until"));
    assert_true(letter_has("2026-03-05", "2026-04-05", "", "transfer.letter_dues_paid_until"));
    assert_true(
        letter_has("2026-03-05", "2026-04-05", "2026-3", "transfer.letter_dues_paid_until"));
    assert_false(
        letter_has("2026-03-05", "2026-04-05", "2026-03", "transfer.letter_dues_paid_until"));
}

static void letter_numbers(void **state)
{
    (void)state;
    char buf[64];
    assert_int_equal(zg_transfer_letter_no("临组转", 2026, 1, buf, sizeof buf), 0);
    assert_string_equal(buf, "临组转〔2026〕0001号");
    assert_int_equal(zg_transfer_letter_no("组转", 2026, 9999, buf, sizeof buf), 0);
    assert_string_equal(buf, "组转〔2026〕9999号");
    assert_int_equal(zg_transfer_letter_no("组转", 2026, 12345, buf, sizeof buf), 0);
    assert_string_equal(buf, "组转〔2026〕12345号");
    char small[8];
    assert_int_equal(zg_transfer_letter_no("组转", 2026, 1, small, sizeof small), ZG_ERR_TOO_LARGE);
    assert_string_equal(small, "");
}

/* the warning comes on day N, not on day N-1 */
static void pending_boundary(void **state)
{
    (void)state;
    int32_t days = -1;
    zg_date_t issued = D("2026-01-01");
    assert_false(zg_transfer_pending_due(issued, D("2026-01-30"), 30, &days));
    assert_int_equal(days, 29);
    assert_true(zg_transfer_pending_due(issued, D("2026-01-31"), 30, &days));
    assert_int_equal(days, 30);
    assert_true(zg_transfer_pending_due(issued, D("2026-03-01"), 30, &days));
    assert_int_equal(days, 59);
    assert_false(zg_transfer_pending_due(issued, issued, 1, &days));
    assert_int_equal(days, 0);
    assert_true(zg_transfer_pending_due(issued, D("2026-01-02"), 1, NULL));
    const zg_rule_t *r = zg_rule_get("transfer.pending_too_long");
    assert_non_null(r);
    assert_int_equal(r->severity, ZG_SEV_WARN);
}

/* a letter is valid on valid_until and overdue from the next day */
static void overdue_boundary(void **state)
{
    (void)state;
    int32_t days = -1;
    assert_false(zg_transfer_letter_overdue(D("2026-06-05"), D("2026-06-05"), &days));
    assert_int_equal(days, 0);
    assert_false(zg_transfer_letter_overdue(D("2026-06-05"), D("2026-06-01"), &days));
    assert_int_equal(days, 0);
    assert_true(zg_transfer_letter_overdue(D("2026-06-05"), D("2026-06-06"), &days));
    assert_int_equal(days, 1);
    assert_true(zg_transfer_letter_overdue(D("2026-06-05"), D("2026-07-05"), &days));
    assert_int_equal(days, 30);
}

/* art.24: lost 6 months → suspension due; suspended 2 years → removal due */
static void case_due_dates(void **state)
{
    (void)state;
    zg_date_t due;
    assert_int_equal(zg_transfer_suspension_due_on(D("2025-09-15"), &due), 0);
    assert_date(due, "2026-03-15");
    assert_int_equal(zg_transfer_suspension_due_on(D("2025-08-31"), &due), 0);
    assert_date(due, "2026-02-28");
    assert_int_equal(zg_transfer_removal_due_on(D("2024-02-29"), &due), 0);
    assert_date(due, "2026-02-28");
    assert_int_equal(zg_transfer_removal_due_on(D("2024-03-15"), &due), 0);
    assert_date(due, "2026-03-15");
    /* the member module's rules the cases are opened under exist */
    assert_non_null(zg_rule_get("member.suspension_grounds"));
    assert_non_null(zg_rule_get("member.removal_after_suspension"));
}

static void settings(void **state)
{
    (void)state;
    const zg_transfer_settings_t *s = zg_transfer_settings();
    assert_int_equal(s->pending_warn_days, ZG_TRANSFER_PENDING_WARN_DAYS_DEFAULT);
    assert_string_equal(s->letter_prefix, ZG_TRANSFER_LETTER_PREFIX_DEFAULT);
    zg_error_t err;
    zg_transfer_settings_t n = {.pending_warn_days = 15};
    snprintf(n.letter_prefix, sizeof n.letter_prefix, "%s", "临组转");
    assert_int_equal(zg_transfer_configure(&n, &err), 0);
    assert_int_equal(zg_transfer_settings()->pending_warn_days, 15);
    assert_string_equal(zg_transfer_settings()->letter_prefix, "临组转");
    /* refused: old settings kept */
    zg_transfer_settings_t bad = n;
    bad.pending_warn_days = 0;
    assert_int_equal(zg_transfer_configure(&bad, &err), ZG_ERR_INVALID);
    bad.pending_warn_days = 366;
    assert_int_equal(zg_transfer_configure(&bad, &err), ZG_ERR_INVALID);
    bad.pending_warn_days = 365;
    assert_int_equal(zg_transfer_configure(&bad, &err), 0);
    const char *bad_prefixes[] = {"",    "组<转",  "组转〔",
                                  "a b", "组\"转", "一二三四五六七八九十一二三四五六七八九十一"};
    for (size_t i = 0; i < sizeof bad_prefixes / sizeof bad_prefixes[0]; i++) {
        zg_transfer_settings_t p = n;
        snprintf(p.letter_prefix, sizeof p.letter_prefix, "%s", bad_prefixes[i]);
        assert_int_equal(zg_transfer_configure(&p, &err), ZG_ERR_INVALID);
    }
    assert_int_equal(zg_transfer_settings()->pending_warn_days, 365);
    assert_string_equal(zg_transfer_settings()->letter_prefix, "临组转");
    zg_transfer_settings_t def = {.pending_warn_days = ZG_TRANSFER_PENDING_WARN_DAYS_DEFAULT};
    snprintf(def.letter_prefix, sizeof def.letter_prefix, "%s", ZG_TRANSFER_LETTER_PREFIX_DEFAULT);
    assert_int_equal(zg_transfer_configure(&def, &err), 0);
}

static void rule_table(void **state)
{
    (void)state;
    zg_error_t err;
    assert_int_equal(zg_rules_validate(&err), 0);
    const char *ids[] = {"transfer.member_active",       "transfer.one_pending",
                         "transfer.receiver_kind",       "transfer.sender_responsible",
                         "transfer.no_silent_refusal",   "transfer.pending_too_long",
                         "transfer.letter_validity_max", "transfer.letter_dues_paid_until",
                         "transfer.letter_overdue",      "transfer.case_decision_timing",
                         "transfer.case_dismiss_note",   "transfer.case_by_decision"};
    for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++) {
        const zg_rule_t *r = zg_rule_get(ids[i]);
        assert_non_null(r);
        assert_true(strlen(r->text) > 0 && strlen(r->citation) > 0);
    }
    /* 不得无故拒转拒接 cites art.25, and blocks */
    const zg_rule_t *r = zg_rule_get("transfer.no_silent_refusal");
    assert_int_equal(r->severity, ZG_SEV_BLOCK);
    assert_non_null(strstr(r->citation, "第二十五条"));
    assert_string_equal(r->confidence, "V");
    assert_non_null(strstr(zg_rule_get("transfer.case_decision_timing")->citation, "第二十四条"));
}

static void labels(void **state)
{
    (void)state;
    assert_string_equal(zg_transfer_kind_label("internal"), "系统内转接");
    assert_string_equal(zg_transfer_status_label("pending"), "办理中");
    assert_string_equal(zg_transfer_case_kind_label("suspension"), "停止党籍");
    assert_string_equal(zg_transfer_case_decision_label("dismiss"), "暂不处理");
    assert_null(zg_transfer_status_label("nope"));
    assert_null(zg_transfer_kind_label(NULL));
}

static zg_transfer_letter_t sample_letter(void)
{
    zg_transfer_letter_t l;
    memset(&l, 0, sizeof l);
    l.t.id = 7;
    l.t.kind = "external";
    l.t.status = "pending";
    l.t.letter_no = "组转〔2026〕0003号";
    l.t.from_org_name = "中共临江市青山县财政局机关支部委员会";
    l.t.destination = "中共某省<某市>委组织部 & \"人才中心\"";
    l.t.issued_on = D("2026-03-05");
    l.t.valid_until = D("2026-06-05");
    l.t.dues_paid_until = "2026-03";
    l.t.decided_on = ZG_TRANSFER_NO_DATE;
    l.member.name = "王建国";
    l.member.gender = "1";
    l.member.birth_date = D("1980-05-20");
    l.member.id_number_masked = "430102********1234";
    l.member.phone_masked = "138****5678";
    l.ethnicity_label = "汉族";
    l.status_on_issue = "full";
    return l;
}

static void letter_html(void **state)
{
    (void)state;
    zg_transfer_letter_t l = sample_letter();
    const char *html = NULL;
    size_t len = 0;
    zg_error_t err;
    assert_int_equal(zg_transfer_letter_html(&A, &l, &html, &len, &err), 0);
    assert_int_equal(strlen(html), len);
    const char *want[] = {"<!DOCTYPE html>",
                          "lang=\"zh-CN\"",
                          "中国共产党党员组织关系介绍信",
                          "（存根）",
                          "（回执）",
                          "组转〔2026〕0003号",
                          "王建国",
                          "430102********1234",
                          "汉族",
                          ">45<", /* age on the issue date */
                          ">男<",
                          "中共",
                          ">正式<",
                          "党员",
                          ">2026</span>年<span class=\"f\">3</span>月",
                          "2026年3月5日",
                          "2026年6月5日",
                          ">92</span>天",
                          "@page",
                          "@media print",
                          "骑缝章",
                          "中共某省&lt;某市&gt;委组织部 &amp; &quot;人才中心&quot;"};
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        if (!strstr(html, want[i]))
            fail_msg("letter lacks %s", want[i]);
    /* nothing external, nothing active, nothing unescaped */
    const char *never[] = {
        "<script", "http://", "https://", "src=", "<link", "@import", "<某市>", "url("};
    for (size_t i = 0; i < sizeof never / sizeof never[0]; i++)
        if (strstr(html, never[i]))
            fail_msg("letter contains %s", never[i]);
    /* the clear ID number only when given */
    l.member.id_number = "430102198005201234";
    assert_int_equal(zg_transfer_letter_html(&A, &l, &html, &len, &err), 0);
    assert_non_null(strstr(html, "430102198005201234"));
    /* a probationary member */
    l.status_on_issue = "probationary";
    assert_int_equal(zg_transfer_letter_html(&A, &l, &html, &len, &err), 0);
    assert_non_null(strstr(html, ">预备<"));
}

int main(void)
{
    zg_arena_init(&A, 0, 64u << 20);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(validity_boundary),
        cmocka_unit_test(dues_month),
        cmocka_unit_test(letter_numbers),
        cmocka_unit_test(pending_boundary),
        cmocka_unit_test(overdue_boundary),
        cmocka_unit_test(case_due_dates),
        cmocka_unit_test(settings),
        cmocka_unit_test(rule_table),
        cmocka_unit_test(labels),
        cmocka_unit_test(letter_html),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    zg_arena_destroy(&A);
    return rc;
}
