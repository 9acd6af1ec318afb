/* membertest.h — helpers for the member module's unit tests: building valid records (ID
 * numbers with their check digit, consistent birth date and sex), and — for the database
 * tests — a fresh migrated database of each backend with a small org tree and a field key.
 * Every database test runs twice (sqlite/…, postgres/…); the PostgreSQL runs are skipped
 * without ZG_TEST_PG_URL. Included by one test file each. */
#ifndef ZG_TESTS_MEMBERTEST_H
#define ZG_TESTS_MEMBERTEST_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/date.h"
#include "core/log.h"
#include "core/validate.h"
#include "modules/member/member.h"

/* Fails the test with the error when `call` does not return 0. */
#define CHECK(call)                                                                                \
    do {                                                                                           \
        int rc_ = (call);                                                                          \
        if (rc_ != 0) {                                                                            \
            print_error("%s:%d: %s -> %d (%s) %s / %s\n", __FILE__, __LINE__, #call, rc_,          \
                        zg_status_name(rc_), err.message, err.detail);                             \
            fail();                                                                                \
        }                                                                                          \
    } while (0)

static inline zg_date_t D(const char *s)
{
    zg_date_t d;
    assert_int_equal(zg_date_parse(s, &d), 0);
    return d;
}

/* An 18-character ID number for region 430102, birth `birth` (YYYY-MM-DD), sequence `seq`
 * (0..999; its parity gives the sex: odd male), with the correct check digit. */
static inline void idnum(char out[19], const char *birth, int seq)
{
    snprintf(out, 19, "430102%.4s%.2s%.2s%03d", birth, birth + 5, birth + 8, seq % 1000);
    out[17] = zg_idnum_check_char(out);
    out[18] = '\0';
}

/* A complete, valid record: a man born 1990-05-17, joined 2015-07-01, in org `org`. The
 * strings point into the static buffers of the caller-provided `id` (19 bytes). */
static inline zg_member_input_t valid_input(int64_t org, char id[19])
{
    idnum(id, "1990-05-17", 123); /* 123: odd → male */
    zg_member_input_t in = {
        .set = ZG_MEMBER_SET_NAME | ZG_MEMBER_SET_GENDER | ZG_MEMBER_SET_BIRTH_DATE |
               ZG_MEMBER_SET_ID_NUMBER | ZG_MEMBER_SET_PHONE | ZG_MEMBER_SET_ORG |
               ZG_MEMBER_SET_JOINED_ON | ZG_MEMBER_SET_ETHNICITY | ZG_MEMBER_SET_EDUCATION |
               ZG_MEMBER_SET_OCCUPATION | ZG_MEMBER_SET_DUES_CATEGORY,
        .name = "张建国",
        .gender = "1",
        .ethnicity = "01",
        .birth_date = D("1990-05-17"),
        .id_number = id,
        .phone = "13800138000",
        .education = "21",
        .occupation = "professional",
        .dues_category = "salaried",
        .org_id = org,
        .joined_on = D("2015-07-01"),
        .converted_on = ZG_MEMBER_NO_DATE,
        .work_start_date = ZG_MEMBER_NO_DATE,
    };
    return in;
}

/* Whether the findings hold rule `id` with severity `sev`. */
static inline bool has_finding(const zg_findings_t *f, const char *id, zg_severity sev)
{
    for (int i = 0; i < f->n; i++)
        if (!strcmp(f->items[i].rule->id, id) && f->items[i].rule->severity == sev)
            return true;
    return false;
}

static inline void dump_findings(const zg_findings_t *f)
{
    for (int i = 0; i < f->n; i++)
        print_message("  finding %s [%s] %s: %s\n", f->items[i].rule->id,
                      zg_severity_name(f->items[i].rule->severity),
                      f->items[i].field ? f->items[i].field : "-",
                      f->items[i].message ? f->items[i].message : "");
}

#endif
