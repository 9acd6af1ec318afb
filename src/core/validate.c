/* validate.c — identity number (GB 11643-1999), mobile number and money checks. */
#include "core/validate.h"

#include <string.h>

/* Length of s, looking at no more than max+1 bytes (enough to tell "longer than max"). */
static size_t bounded_len(const char *s, size_t max)
{
    return strnlen(s, max + 1);
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

bool zg_idnum_province_valid(int code)
{
    /* GB/T 2260 province-level divisions (reference/CODES.md §6). */
    return (code >= 11 && code <= 15) || (code >= 21 && code <= 23) || (code >= 31 && code <= 37) ||
           (code >= 41 && code <= 46) || (code >= 50 && code <= 54) || (code >= 61 && code <= 65) ||
           code == 71 || code == 81 || code == 82;
}

char zg_idnum_check_char(const char *s17)
{
    /* ISO 7064 MOD 11-2: weight of position i is 2^(17-i) mod 11. */
    static const int weight[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
    static const char map[11] = {'1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'};
    if (!s17)
        return 0;
    int sum = 0;
    for (int i = 0; i < 17; i++) {
        if (!is_digit(s17[i]))
            return 0;
        sum += (s17[i] - '0') * weight[i];
    }
    return map[sum % 11];
}

int zg_idnum_check_at(const char *s, zg_date_t today, zg_idnum_info_t *info, zg_error_t *err)
{
    if (!s || bounded_len(s, ZG_IDNUM_LEN) != ZG_IDNUM_LEN)
        return zg_error_set(err, ZG_ERR_INVALID, "idnum_length", "身份证号应为18位",
                            "id number is not 18 bytes");
    for (int i = 0; i < 17; i++)
        if (!is_digit(s[i]))
            return zg_error_set(err, ZG_ERR_INVALID, "idnum_chars",
                                "身份证号前17位应为数字，最后一位应为数字或X",
                                "id number: non-digit at position %d", i + 1);
    char last = s[17] == 'x' ? 'X' : s[17];
    if (!is_digit(last) && last != 'X')
        return zg_error_set(err, ZG_ERR_INVALID, "idnum_chars",
                            "身份证号前17位应为数字，最后一位应为数字或X",
                            "id number: bad check character");

    int province = (s[0] - '0') * 10 + (s[1] - '0');
    if (!zg_idnum_province_valid(province))
        return zg_error_set(err, ZG_ERR_INVALID, "idnum_region", "身份证号中的地区码无效",
                            "id number: province code %02d not in GB/T 2260", province);

    int y = (s[6] - '0') * 1000 + (s[7] - '0') * 100 + (s[8] - '0') * 10 + (s[9] - '0');
    int m = (s[10] - '0') * 10 + (s[11] - '0');
    int d = (s[12] - '0') * 10 + (s[13] - '0');
    zg_date_t birth;
    if (y < ZG_IDNUM_MIN_BIRTH_YEAR || zg_date_from_ymd(y, m, d, &birth) != ZG_OK || birth > today)
        return zg_error_set(err, ZG_ERR_INVALID, "idnum_birth", "身份证号中的出生日期无效",
                            "id number: birth date %04d-%02d-%02d invalid or in the future", y, m,
                            d);

    if (zg_idnum_check_char(s) != last)
        return zg_error_set(err, ZG_ERR_INVALID, "idnum_checksum", "身份证号校验码错误",
                            "id number: check character mismatch");

    if (info) {
        memcpy(info->normalized, s, 17);
        info->normalized[17] = last;
        info->normalized[18] = '\0';
        memcpy(info->region, s, 6);
        info->region[6] = '\0';
        info->province = province;
        info->birth = birth;
        info->gender = (s[16] - '0') % 2 == 1 ? ZG_GENDER_MALE : ZG_GENDER_FEMALE;
    }
    return ZG_OK;
}

int zg_idnum_check(const char *s, zg_idnum_info_t *info, zg_error_t *err)
{
    return zg_idnum_check_at(s, zg_date_today(), info, err);
}

int zg_idnum_mask(const char *s, char out[ZG_IDNUM_LEN + 1])
{
    if (!out)
        return ZG_ERR_INVALID;
    out[0] = '\0';
    if (!s || bounded_len(s, ZG_IDNUM_LEN) != ZG_IDNUM_LEN)
        return ZG_ERR_INVALID;
    memcpy(out, s, 6);
    memset(out + 6, '*', 8);
    memcpy(out + 14, s + 14, 4);
    out[18] = '\0';
    return ZG_OK;
}

int zg_phone_check(const char *s, zg_error_t *err)
{
    bool ok = s && bounded_len(s, ZG_PHONE_LEN) == ZG_PHONE_LEN && s[0] == '1' && s[1] >= '3' &&
              s[1] <= '9';
    for (int i = 2; ok && i < ZG_PHONE_LEN; i++)
        ok = is_digit(s[i]);
    if (!ok)
        return zg_error_set(err, ZG_ERR_INVALID, "phone_invalid",
                            "手机号码应为11位数字，以13–19开头", "not a mainland mobile number");
    return ZG_OK;
}

int zg_phone_mask(const char *s, char out[ZG_PHONE_LEN + 1])
{
    if (!out)
        return ZG_ERR_INVALID;
    out[0] = '\0';
    if (!s || bounded_len(s, ZG_PHONE_LEN) != ZG_PHONE_LEN)
        return ZG_ERR_INVALID;
    memcpy(out, s, 3);
    memset(out + 3, '*', 4);
    memcpy(out + 7, s + 7, 4);
    out[11] = '\0';
    return ZG_OK;
}

int zg_money_parse(const char *s, int64_t *fen, zg_error_t *err)
{
    static const char bad_format[] = "金额格式错误，应为数字，最多两位小数，如3000或3000.01";
    if (!s || !fen)
        return zg_error_set(err, ZG_ERR_INVALID, "money_format", bad_format, "NULL amount");
    const char *p = s;
    bool neg = *p == '-';
    if (neg)
        p++;
    if (!is_digit(*p))
        return zg_error_set(err, ZG_ERR_INVALID, "money_format", bad_format,
                            "amount must start with a digit");
    /* Accumulate yuan; stop as soon as the amount passes the bound, so nothing overflows. */
    int64_t yuan = 0;
    bool too_big = false;
    for (; is_digit(*p); p++) {
        if (!too_big) {
            yuan = yuan * 10 + (*p - '0');
            if (yuan > ZG_MONEY_MAX_FEN / 100)
                too_big = true;
        }
    }
    int64_t cents = 0;
    if (*p == '.') {
        p++;
        int n = 0;
        for (; is_digit(*p); p++, n++) {
            if (n < 2)
                cents = cents * 10 + (*p - '0');
        }
        if (n == 0 || n > 2)
            return zg_error_set(err, ZG_ERR_INVALID, "money_format", bad_format,
                                "amount needs 1 or 2 decimals after '.', got %d", n);
        if (n == 1)
            cents *= 10;
    }
    if (*p != '\0')
        return zg_error_set(err, ZG_ERR_INVALID, "money_format", bad_format,
                            "unexpected character in amount");
    int64_t v = too_big ? ZG_MONEY_MAX_FEN + 1 : yuan * 100 + cents;
    if (v > ZG_MONEY_MAX_FEN)
        return zg_error_set(err, ZG_ERR_INVALID, "money_range", "金额超出范围",
                            "amount above %lld fen", (long long)ZG_MONEY_MAX_FEN);
    *fen = neg ? -v : v;
    return ZG_OK;
}

int zg_money_format(int64_t fen, char buf[ZG_MONEY_STR_SIZE])
{
    /* Work on the magnitude as unsigned so INT64_MIN is representable. */
    uint64_t mag = fen < 0 ? 0 - (uint64_t)fen : (uint64_t)fen;
    char tmp[ZG_MONEY_STR_SIZE];
    int n = 0;
    uint64_t yuan = mag / 100;
    unsigned cents = (unsigned)(mag % 100);
    tmp[n++] = (char)('0' + cents % 10);
    tmp[n++] = (char)('0' + cents / 10);
    tmp[n++] = '.';
    do {
        tmp[n++] = (char)('0' + yuan % 10);
        yuan /= 10;
    } while (yuan);
    if (fen < 0)
        tmp[n++] = '-';
    for (int i = 0; i < n; i++)
        buf[i] = tmp[n - 1 - i];
    buf[n] = '\0';
    return n;
}
