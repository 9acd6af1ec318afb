/* account_policy.c — the account rules that need no storage: password policy, expiry,
 * lockout arithmetic, separation of duties, username format, one-time passwords and the
 * timestamp conversions the module uses. Pure functions (apart from the clock and the random
 * generator), so tests/unit/account checks each rule on both sides of its boundary. */
#include "modules/account/account.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/crypto.h"
#include "core/date.h"
#include "core/utf8.h"

zg_account_policy_t zg_account_policy_defaults(void)
{
    return (zg_account_policy_t){
        .session_idle_s = 30 * 60,
        .session_absolute_s = 12 * 3600,
        .lockout_threshold = 5,
        .lockout_s = 15 * 60,
        .password_expiry_days = 90,
        .cookie_secure = false,
    };
}

zg_account_policy_t zg_account_policy_from_config(const zg_config_t *cfg)
{
    zg_account_policy_t p = zg_account_policy_defaults();
    if (!cfg)
        return p;
    p.session_idle_s = (int64_t)cfg->session_idle_minutes * 60;
    p.session_absolute_s = (int64_t)cfg->session_absolute_hours * 3600;
    p.lockout_threshold = cfg->lockout_threshold;
    p.lockout_s = (int64_t)cfg->lockout_minutes * 60;
    p.password_expiry_days = cfg->password_expiry_days;
    p.cookie_secure = cfg->cookie_secure;
    return p;
}

/* ---- passwords -------------------------------------------------------------------------- */

int zg_password_classes(const char *pw)
{
    bool upper = false, lower = false, digit = false, other = false;
    for (const unsigned char *p = (const unsigned char *)pw; p && *p; p++) {
        if (*p >= 'A' && *p <= 'Z')
            upper = true;
        else if (*p >= 'a' && *p <= 'z')
            lower = true;
        else if (*p >= '0' && *p <= '9')
            digit = true;
        else
            other = true; /* punctuation, space, and any non-ASCII character */
    }
    return upper + lower + digit + other;
}

/* Characters (code points) of s; its bytes when it is not valid UTF-8. */
static size_t char_count(const char *s)
{
    size_t n = strlen(s), chars = 0;
    return zg_utf8_strlen(s, n, &chars) == 0 ? chars : n;
}

int zg_password_check(const char *username, const char *password, const char *field,
                      zg_findings_t *f)
{
    int added = 0;
    if (!password)
        password = "";
    size_t chars = char_count(password);
    if (chars < ZG_PASSWORD_MIN_CHARS) {
        zg_findings_add(f, "account.password_length", field, "密码长度不少于%d位（现为%zu位）",
                        ZG_PASSWORD_MIN_CHARS, chars);
        added++;
    }
    int classes = zg_password_classes(password);
    if (classes < ZG_PASSWORD_MIN_CLASSES) {
        zg_findings_add(f, "account.password_classes", field,
                        "密码应包含大写字母、小写字母、数字、特殊字符中的至少%d类（现为%d类）",
                        ZG_PASSWORD_MIN_CLASSES, classes);
        added++;
    }
    if (username && *username && strcasestr(password, username)) {
        zg_findings_add(f, "account.password_not_username", field, NULL);
        added++;
    }
    return added;
}

bool zg_password_expired(int64_t changed_at, int64_t now, int expiry_days)
{
    if (expiry_days <= 0)
        return false;
    return now >= changed_at + (int64_t)expiry_days * 86400;
}

/* ---- lockout ---------------------------------------------------------------------------- */

bool zg_account_is_locked(int64_t locked_until, int64_t now)
{
    return locked_until > 0 && now < locked_until;
}

void zg_account_after_failure(const zg_account_policy_t *p, int failed_before, int64_t now,
                              int *failed_after, int64_t *locked_until)
{
    int n = failed_before < 0 ? 1 : failed_before + 1;
    if (n >= p->lockout_threshold) {
        *failed_after = 0;
        *locked_until = now + p->lockout_s;
    } else {
        *failed_after = n;
        *locked_until = 0;
    }
}

int zg_account_lock_minutes_left(int64_t locked_until, int64_t now)
{
    int64_t left = locked_until - now;
    int64_t m = (left + 59) / 60;
    return m < 1 ? 1 : (int)m;
}

/* ---- usernames and one-time passwords --------------------------------------------------- */

int zg_username_normalize(const char *in, char out[ZG_USERNAME_MAX + 1], zg_error_t *err)
{
    out[0] = '\0';
    size_t n = in ? strlen(in) : 0;
    if (n < 2 || n > ZG_USERNAME_MAX)
        return zg_error_set(err, ZG_ERR_INVALID, "invalid_username", "用户名应为2到32个字符",
                            "username length %zu", n);
    for (size_t i = 0; i < n; i++) {
        char ch = in[i];
        if (ch >= 'A' && ch <= 'Z')
            ch = (char)(ch - 'A' + 'a');
        bool alnum = (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9');
        if (!alnum && (i == 0 || (ch != '_' && ch != '.' && ch != '-'))) {
            out[0] = '\0';
            return zg_error_set(err, ZG_ERR_INVALID, "invalid_username",
                                "用户名只能包含字母、数字、下划线、点和连字符，且以字母或数字开头",
                                "bad username character at %zu", i);
        }
        out[i] = ch;
    }
    out[n] = '\0';
    return ZG_OK;
}

void zg_one_time_password(const char *username, char out[ZG_ONE_TIME_PASSWORD_SIZE])
{
    /* No 0/O, 1/l/I: the password is read off a screen and typed. */
    static const char *const sets[4] = {"ABCDEFGHJKLMNPQRSTUVWXYZ", "abcdefghijkmnpqrstuvwxyz",
                                        "23456789", "@#%+=?!"};
    static const char all[] = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789@#%+=?!";
    if (zg_crypto_init() != 0)
        abort(); /* no randomness, no passwords */
    for (;;) {
        for (int i = 0; i < ZG_ONE_TIME_PASSWORD_LEN; i++)
            out[i] = all[randombytes_uniform((uint32_t)(sizeof all - 1))];
        /* one character of each class at four distinct random positions */
        int pos[4];
        for (int k = 0; k < 4; k++) {
            bool again;
            do {
                pos[k] = (int)randombytes_uniform(ZG_ONE_TIME_PASSWORD_LEN);
                again = false;
                for (int j = 0; j < k; j++)
                    again |= pos[j] == pos[k];
            } while (again);
            out[pos[k]] = sets[k][randombytes_uniform((uint32_t)strlen(sets[k]))];
        }
        out[ZG_ONE_TIME_PASSWORD_LEN] = '\0';
        if (!username || !*username || !strcasestr(out, username))
            return;
    }
}

/* ---- separation of duties --------------------------------------------------------------- */

const char *zg_role_kind_name(zg_role_kind k)
{
    switch (k) {
    case ZG_ROLE_SYSADMIN:
        return "sysadmin";
    case ZG_ROLE_SECADMIN:
        return "secadmin";
    case ZG_ROLE_AUDITOR:
        return "auditor";
    default:
        return "business";
    }
}

int zg_role_kind_parse(const char *s)
{
    static const char *const names[] = {"business", "sysadmin", "secadmin", "auditor"};
    for (int i = 0; s && i < 4; i++)
        if (!strcmp(s, names[i]))
            return i;
    return -1;
}

int zg_account_check_separation(const zg_role_ref_t *roles, int n, zg_findings_t *f)
{
    int added = 0;
    const zg_role_ref_t *admin = NULL;
    for (int i = 0; i < n; i++) {
        if (roles[i].kind == ZG_ROLE_BUSINESS)
            continue;
        if (admin && admin->kind != roles[i].kind) {
            zg_findings_add(f, "account.separation_of_duties", "roles",
                            "系统管理员、安全管理员、安全审计员不得由同一账号兼任（“%s”与“%s”）",
                            admin->name, roles[i].name);
            added++;
        } else if (!admin) {
            admin = &roles[i];
        }
    }
    if (!admin)
        return added;
    for (int i = 0; i < n; i++) {
        if (roles[i].kind != ZG_ROLE_BUSINESS && !roles[i].business_perms)
            continue;
        zg_findings_add(f, "account.separation_of_duties", "roles",
                        "“%s”不得同时担任可访问业务数据的角色“%s”", admin->name, roles[i].name);
        added++;
    }
    return added;
}

/* ---- time ------------------------------------------------------------------------------- */

static int two(const char *s, int *v)
{
    if (s[0] < '0' || s[0] > '9' || s[1] < '0' || s[1] > '9')
        return -1;
    *v = (s[0] - '0') * 10 + (s[1] - '0');
    return 0;
}

int zg_account_ts_parse(const char *s, int64_t *out)
{
    zg_date_t d;
    int hh, mm, ss;
    if (!s || strlen(s) != 19 || s[10] != ' ' || s[13] != ':' || s[16] != ':' ||
        zg_date_parse_n(s, 10, &d) != 0 || two(s + 11, &hh) || two(s + 14, &mm) ||
        two(s + 17, &ss) || hh > 23 || mm > 59 || ss > 59)
        return ZG_ERR_INVALID;
    *out = (int64_t)d * 86400 + hh * 3600 + mm * 60 + ss;
    return ZG_OK;
}

void zg_account_ts_format(int64_t t, char buf[ZG_TIMESTAMP_SIZE])
{
    int64_t days = t >= 0 ? t / 86400 : -((-t + 86399) / 86400);
    int64_t secs = t - days * 86400;
    buf[0] = '\0';
    if (days < INT32_MIN || days > INT32_MAX || !zg_date_valid((zg_date_t)days))
        return;
    int y, m, d;
    zg_date_to_ymd((zg_date_t)days, &y, &m, &d);
    char tmp[48]; /* valid dates have 4-digit years: exactly 19 characters */
    snprintf(tmp, sizeof tmp, "%04d-%02d-%02d %02d:%02d:%02d", y, m, d, (int)(secs / 3600),
             (int)(secs / 60 % 60), (int)(secs % 60));
    memcpy(buf, tmp, ZG_TIMESTAMP_SIZE - 1);
    buf[ZG_TIMESTAMP_SIZE - 1] = '\0';
}

int64_t zg_account_now(void)
{
    return (int64_t)time(NULL);
}
