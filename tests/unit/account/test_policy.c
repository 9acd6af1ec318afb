/* test_policy.c — the account rules that need no storage (account_policy.c,
 * account_perms.c), each on both sides of its boundary: password length 7/8, classes 2/3,
 * the username inside the password, expiry at the last second and at the day, lockout at
 * the 4th/5th failure and at the lock's end, separation of duties. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "core/arena.h"
#include "core/config.h"
#include "modules/account/account.h"
#include "rules/rules.h"

typedef struct {
    zg_arena_t arena;
    zg_findings_t f;
} fx_t;

static fx_t *fx_new(void)
{
    static fx_t fx;
    zg_arena_destroy(&fx.arena);
    zg_arena_init(&fx.arena, 4096, 1 << 20);
    zg_findings_init(&fx.f, &fx.arena);
    return &fx;
}

static void assert_only(const zg_findings_t *f, const char *rule)
{
    if (f->n != 1 || !zg_findings_has(f, rule)) {
        for (int i = 0; i < f->n; i++)
            fprintf(stderr, "finding %s: %s\n", f->items[i].rule->id, f->items[i].message);
        fail_msg("expected exactly one finding of %s, got %d", rule, f->n);
    }
    assert_true(zg_findings_blocking(f));
}

static void test_password_length(void **state)
{
    (void)state;
    fx_t *x = fx_new();
    assert_int_equal(zg_password_check("zhangsan", "Abcdef1", "password", &x->f), 1); /* 7 */
    assert_only(&x->f, "account.password_length");
    assert_string_equal(x->f.items[0].field, "password");
    assert_non_null(strstr(x->f.items[0].message, "现为7位"));
    x = fx_new();
    assert_int_equal(zg_password_check("zhangsan", "Abcdef12", "password", &x->f), 0); /* 8 */
    assert_int_equal(x->f.n, 0);
    /* characters, not bytes: 7 Chinese characters + digit is 8 characters */
    x = fx_new();
    assert_int_equal(zg_password_check("zhangsan", "党建Ab1工作", "p", &x->f), 1); /* 7 */
    assert_only(&x->f, "account.password_length");
    x = fx_new();
    assert_int_equal(zg_password_check("zhangsan", "党建Ab1工作好", "p", &x->f), 0); /* 8 */
}

static void test_password_classes(void **state)
{
    (void)state;
    assert_int_equal(zg_password_classes(""), 0);
    assert_int_equal(zg_password_classes("abcdefgh"), 1);
    assert_int_equal(zg_password_classes("abcdEFGH"), 2);
    assert_int_equal(zg_password_classes("abcdEF12"), 3);
    assert_int_equal(zg_password_classes("abEF12!?"), 4);
    assert_int_equal(zg_password_classes("abcd1234"), 2);
    assert_int_equal(zg_password_classes("abcd 234"), 3); /* a space is a special character */
    assert_int_equal(zg_password_classes("abcd党建"), 2); /* non-ASCII counts as special */

    fx_t *x = fx_new();
    assert_int_equal(zg_password_check("zhangsan", "abcdefgh1234", "pw", &x->f), 1);
    assert_only(&x->f, "account.password_classes");
    assert_non_null(strstr(x->f.items[0].message, "现为2类"));
    x = fx_new();
    assert_int_equal(zg_password_check("zhangsan", "abcdefgh123!", "pw", &x->f), 0);
    x = fx_new();
    assert_int_equal(zg_password_check("zhangsan", "ABCDEFGH123!", "pw", &x->f), 0);
    /* both at once: short and two classes */
    x = fx_new();
    assert_int_equal(zg_password_check("zhangsan", "abc123", "pw", &x->f), 2);
    assert_true(zg_findings_has(&x->f, "account.password_length"));
    assert_true(zg_findings_has(&x->f, "account.password_classes"));
}

static void test_password_not_username(void **state)
{
    (void)state;
    fx_t *x = fx_new();
    assert_int_equal(zg_password_check("zhangsan", "Xzhangsan1!", "pw", &x->f), 1);
    assert_only(&x->f, "account.password_not_username");
    x = fx_new(); /* case-insensitive */
    assert_int_equal(zg_password_check("zhangsan", "ZhangSan2024", "pw", &x->f), 1);
    assert_only(&x->f, "account.password_not_username");
    x = fx_new(); /* one letter short of the username is fine */
    assert_int_equal(zg_password_check("zhangsan", "Zhangsa2024", "pw", &x->f), 0);
    x = fx_new(); /* no username: not checked */
    assert_int_equal(zg_password_check(NULL, "Zhangsan2024", "pw", &x->f), 0);
}

static void test_password_expiry(void **state)
{
    (void)state;
    int64_t t0 = 1735689600; /* 2025-01-01 00:00:00 UTC */
    int64_t day = 86400;
    assert_false(zg_password_expired(t0, t0 + 90 * day - 1, 90));
    assert_true(zg_password_expired(t0, t0 + 90 * day, 90));
    assert_false(zg_password_expired(t0, t0 + 89 * day, 90));
    assert_true(zg_password_expired(t0, t0 + 91 * day, 90));
    assert_false(zg_password_expired(t0, t0 + 100000 * day, 0)); /* 0 = never */
    assert_false(zg_password_expired(t0, t0, 1));
    assert_true(zg_password_expired(t0, t0 + day, 1));
}

static void test_lockout(void **state)
{
    (void)state;
    zg_account_policy_t p = zg_account_policy_defaults();
    assert_int_equal(p.lockout_threshold, 5);
    assert_int_equal(p.lockout_s, 15 * 60);
    int64_t now = 1735689600;
    int after;
    int64_t until;
    int count = 0;
    for (int i = 1; i <= 4; i++) { /* failures 1..4: counted, not locked */
        zg_account_after_failure(&p, count, now, &after, &until);
        assert_int_equal(after, i);
        assert_int_equal(until, 0);
        count = after;
    }
    zg_account_after_failure(&p, count, now, &after, &until); /* the 5th locks */
    assert_int_equal(after, 0);
    assert_int_equal(until, now + 900);
    assert_true(zg_account_is_locked(until, now));
    assert_true(zg_account_is_locked(until, until - 1));
    assert_false(zg_account_is_locked(until, until));
    assert_false(zg_account_is_locked(0, now));
    assert_int_equal(zg_account_lock_minutes_left(until, now), 15);
    assert_int_equal(zg_account_lock_minutes_left(until, now + 1), 15);
    assert_int_equal(zg_account_lock_minutes_left(until, now + 60), 14);
    assert_int_equal(zg_account_lock_minutes_left(until, until - 1), 1);
    /* a configured threshold */
    zg_config_t cfg;
    zg_config_defaults(&cfg);
    cfg.lockout_threshold = 3;
    cfg.lockout_minutes = 1;
    zg_account_policy_t q = zg_account_policy_from_config(&cfg);
    zg_account_after_failure(&q, 1, now, &after, &until);
    assert_int_equal(after, 2);
    assert_int_equal(until, 0);
    zg_account_after_failure(&q, 2, now, &after, &until);
    assert_int_equal(until, now + 60);
}

static void test_policy_from_config(void **state)
{
    (void)state;
    zg_config_t cfg;
    zg_config_defaults(&cfg);
    zg_account_policy_t p = zg_account_policy_from_config(&cfg);
    zg_account_policy_t d = zg_account_policy_defaults();
    assert_int_equal(p.session_idle_s, d.session_idle_s);
    assert_int_equal(p.session_absolute_s, d.session_absolute_s);
    assert_int_equal(p.session_idle_s, 1800);
    assert_int_equal(p.session_absolute_s, 12 * 3600);
    assert_int_equal(p.password_expiry_days, 90);
    assert_false(p.cookie_secure);
}

static zg_role_ref_t role(const char *code, zg_role_kind kind, bool business_perms)
{
    return (zg_role_ref_t){
        .code = code, .name = code, .kind = kind, .business_perms = business_perms};
}

static void test_separation_of_duties(void **state)
{
    (void)state;
    zg_role_ref_t sys = role("sysadmin", ZG_ROLE_SYSADMIN, false);
    zg_role_ref_t sec = role("secadmin", ZG_ROLE_SECADMIN, false);
    zg_role_ref_t aud = role("auditor", ZG_ROLE_AUDITOR, false);
    zg_role_ref_t viewer = role("viewer", ZG_ROLE_BUSINESS, true);
    zg_role_ref_t empty_business = role("empty", ZG_ROLE_BUSINESS, false);
    zg_role_ref_t sec2 = role("secadmin_b", ZG_ROLE_SECADMIN, false);

    /* one administrator role alone: fine */
    zg_role_ref_t s1[] = {sys};
    fx_t *x = fx_new();
    assert_int_equal(zg_account_check_separation(s1, 1, &x->f), 0);
    /* two different administrator kinds: refused */
    zg_role_ref_t s2[] = {sys, sec};
    x = fx_new();
    assert_int_equal(zg_account_check_separation(s2, 2, &x->f), 1);
    assert_only(&x->f, "account.separation_of_duties");
    assert_string_equal(x->f.items[0].field, "roles");
    zg_role_ref_t s3[] = {aud, sec, sys};
    x = fx_new();
    assert_int_equal(zg_account_check_separation(s3, 3, &x->f), 2);
    /* the same kind twice is one duty */
    zg_role_ref_t s4[] = {sec, sec2};
    x = fx_new();
    assert_int_equal(zg_account_check_separation(s4, 2, &x->f), 0);
    /* an administrator with a business role, even one granting nothing yet */
    zg_role_ref_t s5[] = {aud, viewer};
    x = fx_new();
    assert_int_equal(zg_account_check_separation(s5, 2, &x->f), 1);
    assert_only(&x->f, "account.separation_of_duties");
    zg_role_ref_t s6[] = {empty_business, sys};
    x = fx_new();
    assert_int_equal(zg_account_check_separation(s6, 2, &x->f), 1);
    /* business roles together: fine; nothing: fine */
    zg_role_ref_t s7[] = {viewer, empty_business};
    x = fx_new();
    assert_int_equal(zg_account_check_separation(s7, 2, &x->f), 0);
    x = fx_new();
    assert_int_equal(zg_account_check_separation(NULL, 0, &x->f), 0);
}

static void test_username(void **state)
{
    (void)state;
    char out[ZG_USERNAME_MAX + 1];
    zg_error_t err;
    assert_int_equal(zg_username_normalize("ZhangSan", out, &err), 0);
    assert_string_equal(out, "zhangsan");
    assert_int_equal(zg_username_normalize("li.si-2_x", out, &err), 0);
    assert_int_equal(zg_username_normalize("ab", out, &err), 0);
    assert_int_equal(zg_username_normalize("a", out, &err), ZG_ERR_INVALID);
    assert_string_equal(err.code, "invalid_username");
    assert_int_equal(zg_username_normalize("abcdefghijklmnopqrstuvwxyz012345", out, &err), 0);
    assert_int_equal(zg_username_normalize("abcdefghijklmnopqrstuvwxyz0123456", out, &err),
                     ZG_ERR_INVALID);
    assert_int_equal(zg_username_normalize("_admin", out, &err), ZG_ERR_INVALID);
    assert_int_equal(zg_username_normalize("ad min", out, &err), ZG_ERR_INVALID);
    assert_int_equal(zg_username_normalize("张三", out, &err), ZG_ERR_INVALID);
    assert_int_equal(zg_username_normalize(NULL, out, &err), ZG_ERR_INVALID);
}

static void test_one_time_password(void **state)
{
    (void)state;
    for (int i = 0; i < 200; i++) {
        char pw[ZG_ONE_TIME_PASSWORD_SIZE];
        zg_one_time_password("ab", pw);
        assert_int_equal(strlen(pw), ZG_ONE_TIME_PASSWORD_LEN);
        assert_int_equal(zg_password_classes(pw), 4);
        fx_t *x = fx_new();
        assert_int_equal(zg_password_check("ab", pw, "pw", &x->f), 0);
        assert_null(strpbrk(pw, "0O1lI"));
    }
}

static void test_timestamps(void **state)
{
    (void)state;
    int64_t t;
    assert_int_equal(zg_account_ts_parse("2025-01-01 00:00:00", &t), 0);
    assert_int_equal(t, 1735689600);
    assert_int_equal(zg_account_ts_parse("1970-01-01 00:00:00", &t), 0);
    assert_int_equal(t, 0);
    assert_int_equal(zg_account_ts_parse("2024-02-29 23:59:59", &t), 0);
    char buf[ZG_TIMESTAMP_SIZE];
    zg_account_ts_format(t, buf);
    assert_string_equal(buf, "2024-02-29 23:59:59");
    zg_account_ts_format(t + 1, buf);
    assert_string_equal(buf, "2024-03-01 00:00:00");
    zg_account_ts_format(-1, buf);
    assert_string_equal(buf, "1969-12-31 23:59:59");
    assert_int_equal(zg_account_ts_parse("2023-02-29 00:00:00", &t), ZG_ERR_INVALID);
    assert_int_equal(zg_account_ts_parse("2025-01-01 24:00:00", &t), ZG_ERR_INVALID);
    assert_int_equal(zg_account_ts_parse("2025-01-01T00:00:00", &t), ZG_ERR_INVALID);
    assert_int_equal(zg_account_ts_parse("2025-01-01 00:00", &t), ZG_ERR_INVALID);
    assert_int_equal(zg_account_ts_parse(NULL, &t), ZG_ERR_INVALID);
    /* now formats as the storage format and parses back */
    int64_t now = zg_account_now();
    zg_account_ts_format(now, buf);
    assert_int_equal(zg_account_ts_parse(buf, &t), 0);
    assert_int_equal(t, now);
}

static void test_permission_catalog(void **state)
{
    (void)state;
    assert_true(zg_perms_count() >= 13);
    for (size_t i = 0; i < zg_perms_count(); i++) {
        const zg_perm_info_t *p = zg_perms_at(i);
        assert_non_null(strchr(p->perm, ':'));
        assert_true(strlen(p->text) > 0);
        assert_ptr_equal(zg_perm_get(p->perm), p);
        for (size_t k = 0; k < i; k++)
            assert_string_not_equal(zg_perms_at(k)->perm, p->perm);
    }
    assert_null(zg_perms_at(zg_perms_count()));
    assert_true(zg_perm_is_business("org:read"));
    assert_true(zg_perm_is_business("member:read_pii"));
    assert_true(zg_perm_is_business("stats:read"));
    assert_false(zg_perm_is_business("account:write"));
    assert_false(zg_perm_is_business("role:write"));
    assert_false(zg_perm_is_business("audit:read"));
    assert_false(zg_perm_is_business("config:write"));
    assert_true(zg_perm_is_business("member:some_future_action"));
    assert_null(zg_perm_get("nosuch:perm"));
    assert_int_equal(zg_role_kind_parse("sysadmin"), ZG_ROLE_SYSADMIN);
    assert_int_equal(zg_role_kind_parse("business"), ZG_ROLE_BUSINESS);
    assert_int_equal(zg_role_kind_parse("root"), -1);
}

/* Every account rule the code uses exists in the registry with a citation. */
static void test_rules_registered(void **state)
{
    (void)state;
    static const char *ids[] = {"account.password_length",       "account.password_classes",
                                "account.password_not_username", "account.password_history",
                                "account.password_expiry",       "account.lockout",
                                "account.separation_of_duties"};
    for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++) {
        const zg_rule_t *r = zg_rule_get(ids[i]);
        assert_non_null(r);
        assert_true(strlen(r->citation) > 0);
    }
    zg_error_t err;
    assert_int_equal(zg_rules_validate(&err), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_password_length),
        cmocka_unit_test(test_password_classes),
        cmocka_unit_test(test_password_not_username),
        cmocka_unit_test(test_password_expiry),
        cmocka_unit_test(test_lockout),
        cmocka_unit_test(test_policy_from_config),
        cmocka_unit_test(test_separation_of_duties),
        cmocka_unit_test(test_username),
        cmocka_unit_test(test_one_time_password),
        cmocka_unit_test(test_timestamps),
        cmocka_unit_test(test_permission_catalog),
        cmocka_unit_test(test_rules_registered),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
