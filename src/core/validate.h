/* validate.h — checks for identity numbers, mobile numbers and money amounts as users type
 * them, with Chinese messages, and the masks used to show them in lists.
 *
 * Resident identity number (公民身份号码, GB 11643-1999): 18 characters —
 *   positions 1–6   address code (GB/T 2260; the first two digits name the province),
 *   positions 7–14  birth date YYYYMMDD,
 *   positions 15–17 sequence code (the 17th digit is odd for men, even for women),
 *   position 18     check character, ISO 7064 MOD 11-2 over the first 17 digits, 0–9 or X.
 * The old 15-digit numbers are not accepted: they have no check digit. */
#ifndef ZG_CORE_VALIDATE_H
#define ZG_CORE_VALIDATE_H

#include <stdbool.h>
#include <stdint.h>

#include "core/date.h"
#include "core/status.h"

#define ZG_IDNUM_LEN 18
/* Oldest birth date accepted in an identity number. */
#define ZG_IDNUM_MIN_BIRTH_YEAR 1900

/* GB/T 2261.1-2003 sex codes. */
#define ZG_GENDER_MALE   1
#define ZG_GENDER_FEMALE 2

typedef struct zg_idnum_info {
    char normalized[ZG_IDNUM_LEN + 1]; /* the number with a lowercase x turned into X */
    char region[7];                    /* address code: the first 6 digits */
    int province;                      /* the first 2 digits, e.g. 11 (北京市) */
    zg_date_t birth;                   /* from positions 7–14 */
    int gender;                        /* ZG_GENDER_MALE or ZG_GENDER_FEMALE */
} zg_idnum_info_t;

/* Checks an 18-character resident identity number (GB 11643-1999) as of today in China and,
 * when it is valid, fills *info (which may be NULL). Checks, in this order, each with its own
 * err->code and Chinese message:
 *   idnum_length    "身份证号应为18位"                        (NULL or not 18 bytes)
 *   idnum_chars     "身份证号前17位应为数字，最后一位应为数字或X"
 *   idnum_region    "身份证号中的地区码无效"                  (province not in GB/T 2260)
 *   idnum_birth     "身份证号中的出生日期无效"                (not a real date, before
 *                                                             1900-01-01 or after today)
 *   idnum_checksum  "身份证号校验码错误"                      (ISO 7064 MOD 11-2)
 * No trimming: callers strip spaces first. A lowercase x is accepted as X. Returns 0 or
 * ZG_ERR_INVALID. This is the data-quality check of SPEC §3.3 (check digit vs birth date and
 * gender). */
int zg_idnum_check(const char *s, zg_idnum_info_t *info, zg_error_t *err);

/* As zg_idnum_check, with `today` given instead of read from the clock (for tests and for
 * re-checking records as of a date). */
int zg_idnum_check_at(const char *s, zg_date_t today, zg_idnum_info_t *info, zg_error_t *err);

/* The check character (ISO 7064 MOD 11-2, weights 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2, map
 * 1 0 X 9 8 7 6 5 4 3 2) of the 17 digits at `s`, or 0 when one of them is not a digit. */
char zg_idnum_check_char(const char *s17);

/* Whether `code` (e.g. 11, 44, 81) is a province-level division of GB/T 2260 (reference/
 * CODES.md §6: 34 divisions, Taiwan 71, Hong Kong 81, Macao 82). */
bool zg_idnum_province_valid(int code);

/* Writes the list mask of an identity number into out: the first 6 and last 4 characters with
 * 8 '*' between ("110105********1234"). Returns 0, or ZG_ERR_INVALID when `s` is not 18
 * bytes (out is then ""). Only the length is checked, so stored numbers always mask. */
int zg_idnum_mask(const char *s, char out[ZG_IDNUM_LEN + 1]);

#define ZG_PHONE_LEN 11

/* Checks a mainland mobile number: exactly 11 digits, starting with 1, second digit 3–9.
 * No "+86", spaces or dashes (callers strip them). Returns 0, or ZG_ERR_INVALID with err
 * code "phone_invalid" and "手机号码应为11位数字，以13–19开头". */
int zg_phone_check(const char *s, zg_error_t *err);

/* Writes the list mask of a mobile number: the first 3 and last 4 digits with 4 '*' between
 * ("138****5678"). Returns 0, or ZG_ERR_INVALID when `s` is not 11 bytes (out is then ""). */
int zg_phone_mask(const char *s, char out[ZG_PHONE_LEN + 1]);

/* Largest amount accepted, in fen (分): 10^13 fen = 1000亿元. */
#define ZG_MONEY_MAX_FEN 10000000000000LL
/* Bytes zg_money_format needs at most ("-9223372036854775808" in yuan.fen, + NUL). */
#define ZG_MONEY_STR_SIZE 24

/* Parses an amount in yuan ("3000", "3000.0", "3000.01", "-12.5") into integer fen (STYLE.md:
 * money is integer fen, never floating point). Grammar: optional '-', one or more digits,
 * optionally '.' and one or two digits. Rejected: empty, '+', spaces, commas, exponents,
 * ".5", "5.", more than two decimals (no rounding happens anywhere), |amount| > 10^13 fen.
 * Returns 0, or ZG_ERR_INVALID with err code "money_format" ("金额格式错误……") or
 * "money_range" ("金额超出范围"). `err` may be NULL. */
int zg_money_parse(const char *s, int64_t *fen, zg_error_t *err);

/* Writes `fen` as yuan with exactly two decimals ("3000.01", "3000.00", "-0.50") into buf
 * (ZG_MONEY_STR_SIZE bytes). Defined for every int64. Returns the number of characters. */
int zg_money_format(int64_t fen, char buf[ZG_MONEY_STR_SIZE]);

#endif
