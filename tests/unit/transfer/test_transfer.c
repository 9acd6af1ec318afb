/* test_transfer.c — the transfer module's logic on a real database of each backend (no HTTP):
 * internal transfers (issue, accept with the as-of boundary D-1 / D, return with and without a
 * reason, cancel), the issue rules (receiver kind, one pending, active member, scope), external
 * letters (3-month validity boundary, dues month, numbering, receipt → transferred_out), the
 * warnings (N-1 / N days pending, valid_until / the day after), the lists by direction and
 * scope, and the lost-contact cases (6 months / 2 years on the exact day and the day before,
 * no duplicates, decisions, dismissal note, stale cases). Every test runs on SQLite and on
 * PostgreSQL (skipped without ZG_TEST_PG_URL). Dates are relative to today, because the member
 * module refuses events after today. */
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
#include "db/db.h"
#include "modules/member/member.h"
#include "modules/org/org.h"
#include "modules/transfer/transfer.h"
#include "testdb.h"

typedef struct ctx {
    const char *backend;
    bool skip;
    char url[512];
    zg_db_t *db;
    zg_conn_t *c;
    zg_arena_t a;
    zg_date_t today;
    int64_t root, county_a, county_b, county_c;
    int64_t a1, a2, a_temp, b1, b_gone, c1;
    zg_org_actor_t oactor;
    zg_member_actor_t actor;
} ctx_t;

static ctx_t proto_sqlite = {.backend = "sqlite"};
static ctx_t proto_pg = {.backend = "postgres"};

#define CHECK(call)                                                                                \
    do {                                                                                           \
        int rc_ = (call);                                                                          \
        if (rc_ != 0) {                                                                            \
            print_error("%s:%d: %s -> %d (%s) %s / %s\n", __FILE__, __LINE__, #call, rc_,          \
                        zg_status_name(rc_), err.message, err.detail);                             \
            fail();                                                                                \
        }                                                                                          \
    } while (0)

static zg_date_t ago(const ctx_t *t, int days)
{
    return t->today - days;
}

static zg_date_t months_ago(const ctx_t *t, int months)
{
    zg_date_t d;
    assert_int_equal(zg_date_add_months(t->today, -months, &d), 0);
    return d;
}

static int64_t mk_org(ctx_t *t, int64_t parent, const char *kind, const char *name)
{
    zg_org_op_t op;
    zg_org_op_init(&op, &t->a, t->root, &t->oactor);
    zg_org_input_t in = {.set = ZG_ORG_SET_KIND | ZG_ORG_SET_NAME,
                         .parent_id = parent,
                         .kind = kind,
                         .name = name,
                         .founded_on = ZG_ORG_NO_DATE,
                         .effective_on = ZG_ORG_NO_DATE};
    int64_t id = 0;
    zg_error_t err;
    CHECK(zg_org_create(t->c, &op, &in, &id, &err));
    return id;
}

static int setup(void **state)
{
    const ctx_t *proto = *state;
    ctx_t *t = calloc(1, sizeof *t);
    assert_non_null(t);
    t->backend = proto->backend;
    *state = t;
    zg_log_set_level(ZG_LOG_WARN);
    int rc = zg_testdb_url(t->backend, t->url, sizeof t->url);
    if (rc == ZG_TESTDB_NO_SERVER) {
        t->skip = true;
        return 0;
    }
    if (rc != 0)
        return -1;
    zg_error_t err;
    if (zg_db_open(t->url, &t->db, &err) || zg_db_migrate(t->db, NULL, &err)) {
        print_error("open/migrate %s: %s\n", t->url, err.detail);
        return -1;
    }
    t->c = zg_db_conn(t->db, &err);
    if (!t->c)
        return -1;
    uint8_t key[ZG_MASTER_KEY_LEN];
    for (size_t i = 0; i < sizeof key; i++)
        key[i] = (uint8_t)(i * 7 + 3);
    zg_member_set_master_key(key);
    zg_arena_init(&t->a, 0, 256u << 20);
    t->today = zg_date_today();
    t->oactor = (zg_org_actor_t){.account_id = 7, .username = "tester", .ip = "127.0.0.1"};
    t->actor = (zg_member_actor_t){.account_id = 7, .username = "tester", .ip = "127.0.0.1"};
    if (zg_org_create_root(t->c, &t->oactor, "中共测试市委员会", &t->root, &err))
        return -1;
    t->county_a = mk_org(t, t->root, "committee", "中共甲县委员会");
    t->county_b = mk_org(t, t->root, "committee", "中共乙县委员会");
    t->county_c = mk_org(t, t->root, "committee", "中共丙县委员会");
    t->a1 = mk_org(t, t->county_a, "branch", "甲县财政局机关支部");
    t->a2 = mk_org(t, t->county_a, "branch", "甲县教育局机关支部");
    t->a_temp = mk_org(t, t->county_a, "temp_branch", "甲县培训班临时支部");
    t->b1 = mk_org(t, t->county_b, "branch", "乙县民政局机关支部");
    t->b_gone = mk_org(t, t->county_b, "branch", "乙县已撤销支部");
    t->c1 = mk_org(t, t->county_c, "joint_branch", "丙县联合支部");
    zg_org_op_t op;
    zg_org_op_init(&op, &t->a, t->root, &t->oactor);
    if (zg_org_dissolve(t->c, &op, t->b_gone, ZG_ORG_NO_DATE, "合并", &err)) {
        print_error("dissolve: %s\n", err.detail);
        return -1;
    }
    return 0;
}

static int teardown(void **state)
{
    ctx_t *t = *state;
    if (t) {
        zg_arena_destroy(&t->a);
        if (t->db)
            zg_db_close(t->db);
        free(t);
    }
    return 0;
}

static ctx_t *start(void **state)
{
    ctx_t *t = *state;
    if (t->skip)
        skip();
    return t;
}

#define BOTH(f)                                                                                    \
    {"sqlite/" #f, f, setup, teardown, &proto_sqlite},                                             \
    {                                                                                              \
        "postgres/" #f, f, setup, teardown, &proto_pg                                              \
    }

/* A valid GB 11643 number for region 430102, the birth date and sequence `seq` (odd = male). */
static void id_number(zg_date_t birth, int seq, char out[19])
{
    int y, m, d;
    zg_date_to_ymd(birth, &y, &m, &d);
    snprintf(out, 19, "430102%04d%02d%02d%03d", y, m, d, seq);
    static const int w[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
    int sum = 0;
    for (int i = 0; i < 17; i++)
        sum += (out[i] - '0') * w[i];
    out[17] = "10X98765432"[sum % 11];
    out[18] = '\0';
}

/* A full member of `org` (joined 2000-07-01, converted 2001-07-01). */
static int64_t member(ctx_t *t, int64_t org, const char *name, int seq)
{
    zg_member_op_t op;
    zg_member_op_init(&op, &t->a, t->root, &t->actor);
    zg_date_t birth, joined, conv;
    zg_date_parse("1980-05-20", &birth);
    zg_date_parse("2000-07-01", &joined);
    zg_date_parse("2001-07-01", &conv);
    char idn[19];
    id_number(birth, seq, idn);
    zg_member_input_t in = {.set = ZG_MEMBER_SET_NAME | ZG_MEMBER_SET_GENDER |
                                   ZG_MEMBER_SET_BIRTH_DATE | ZG_MEMBER_SET_ORG |
                                   ZG_MEMBER_SET_JOINED_ON | ZG_MEMBER_SET_CONVERTED_ON |
                                   ZG_MEMBER_SET_ID_NUMBER | ZG_MEMBER_SET_ETHNICITY,
                            .name = name,
                            .gender = seq % 2 ? "1" : "2",
                            .ethnicity = "01",
                            .birth_date = birth,
                            .id_number = idn,
                            .org_id = org,
                            .joined_on = joined,
                            .converted_on = conv,
                            .work_start_date = ZG_MEMBER_NO_DATE};
    int64_t id = 0;
    zg_error_t err;
    int rc = zg_member_create(t->c, &op, &in, &id, &err);
    if (rc) {
        for (int i = 0; i < op.findings.n; i++)
            print_error("finding %s: %s\n", op.findings.items[i].rule->id,
                        op.findings.items[i].message);
    }
    CHECK(rc);
    return id;
}

static void event(ctx_t *t, int64_t id, const char *kind, zg_date_t on)
{
    zg_member_op_t op;
    zg_member_op_init(&op, &t->a, t->root, &t->actor);
    zg_member_event_input_t ev = {.kind = kind, .on_date = on, .note = "测试"};
    zg_error_t err;
    CHECK(zg_member_event(t->c, &op, id, &ev, NULL, &err));
}

static zg_transfer_op_t op_in(ctx_t *t, int64_t scope)
{
    zg_transfer_op_t op;
    zg_transfer_op_init(&op, &t->a, scope, &t->actor);
    op.today = t->today;
    return op;
}

static zg_transfer_input_t internal(int64_t mid, int64_t to, zg_date_t issued)
{
    return (zg_transfer_input_t){.kind = "internal",
                                 .membership_id = mid,
                                 .to_org_id = to,
                                 .reason = "工作调动",
                                 .issued_on = issued,
                                 .valid_until = ZG_TRANSFER_NO_DATE};
}

static zg_transfer_input_t external(int64_t mid, zg_date_t issued, zg_date_t valid_until)
{
    return (zg_transfer_input_t){.kind = "external",
                                 .membership_id = mid,
                                 .destination = "中共某省某市委组织部",
                                 .reason = "迁居外省",
                                 .issued_on = issued,
                                 .valid_until = valid_until,
                                 .dues_paid_until = "2026-03"};
}

static int64_t org_on(ctx_t *t, int64_t mid, zg_date_t d, const char **status)
{
    int64_t org = 0;
    const char *st = NULL;
    zg_error_t err;
    CHECK(zg_member_state_as_of(t->c, mid, d, &org, &st, &err));
    if (status)
        *status = st;
    return org;
}

static const char *qtext(ctx_t *t, const char *sql, int64_t id)
{
    zg_param_t p[] = {ZG_P_INT(id)};
    zg_rows_t *r;
    zg_error_t err;
    CHECK(zg_db_query(t->c, sql, p, 1, &r, &err));
    assert_int_equal(zg_rows_next(r, &err), 1);
    const char *s = zg_rows_isnull(r, 0) ? NULL : zg_arena_strdup(&t->a, zg_rows_text(r, 0));
    zg_rows_close(r);
    return s;
}

static int64_t qint(ctx_t *t, const char *sql, int64_t id)
{
    zg_param_t p[] = {ZG_P_INT(id)};
    int64_t v = -1;
    zg_error_t err;
    CHECK(zg_db_query_int(t->c, sql, p, strstr(sql, "$1") ? 1 : 0, &v, &err));
    return v;
}

/* ---- internal transfers ------------------------------------------------------------------- */

/* issue → the member stays; accept on D → old org on D-1, new org on D (issue 4 "Done when") */
static void internal_accept_as_of(void **state)
{
    ctx_t *t = start(state);
    int64_t mid = member(t, t->a1, "张三", 11);
    zg_transfer_op_t op = op_in(t, t->county_a);
    zg_transfer_input_t in = internal(mid, t->b1, ago(t, 10));
    int64_t id = 0;
    zg_error_t err;
    CHECK(zg_transfer_issue(t->c, &op, &in, &id, &err));
    assert_true(zg_findings_has(&op.findings, "transfer.sender_responsible"));
    /* the sending org stays responsible until accepted */
    assert_int_equal(qint(t, "SELECT org_id FROM membership WHERE id = $1", mid), t->a1);
    assert_int_equal(org_on(t, mid, t->today, NULL), t->a1);
    /* the sender cannot accept for the receiver; a third county sees nothing */
    zg_transfer_op_t sender = op_in(t, t->county_a);
    assert_int_equal(zg_transfer_accept(t->c, &sender, id, ZG_TRANSFER_NO_DATE, NULL, &err),
                     ZG_ERR_NOT_FOUND);
    zg_transfer_op_t third = op_in(t, t->county_c);
    assert_int_equal(zg_transfer_accept(t->c, &third, id, ZG_TRANSFER_NO_DATE, NULL, &err),
                     ZG_ERR_NOT_FOUND);
    zg_transfer_t tr;
    assert_int_equal(zg_transfer_get(t->c, &t->a, t->county_c, id, &tr, &err), ZG_ERR_NOT_FOUND);
    /* acceptance date checks */
    zg_transfer_op_t recv = op_in(t, t->county_b);
    assert_int_equal(zg_transfer_accept(t->c, &recv, id, ago(t, 11), NULL, &err), ZG_ERR_INVALID);
    assert_string_equal(recv.bad_field, "accepted_on");
    recv = op_in(t, t->county_b);
    assert_int_equal(zg_transfer_accept(t->c, &recv, id, t->today + 1, NULL, &err), ZG_ERR_INVALID);
    /* accept on D = today - 4 */
    zg_date_t d = ago(t, 4);
    recv = op_in(t, t->county_b);
    CHECK(zg_transfer_accept(t->c, &recv, id, d, "已编入民政局机关支部", &err));
    assert_int_equal(org_on(t, mid, d - 1, NULL), t->a1);
    assert_int_equal(org_on(t, mid, d, NULL), t->b1);
    assert_int_equal(org_on(t, mid, t->today, NULL), t->b1);
    assert_int_equal(qint(t, "SELECT org_id FROM membership WHERE id = $1", mid), t->b1);
    /* the member module recorded the event transfer_in with the old org */
    assert_int_equal(qint(t,
                          "SELECT count(*) FROM membership_event WHERE membership_id = $1 AND "
                          "kind = 'transfer_in' AND from_org_id IS NOT NULL",
                          mid),
                     1);
    /* both sides read it; it is closed */
    CHECK(zg_transfer_get(t->c, &t->a, t->county_b, id, &tr, &err));
    assert_string_equal(tr.status, "accepted");
    assert_true(tr.incoming);
    assert_false(tr.outgoing);
    assert_int_equal(tr.decided_on, d);
    assert_int_equal(tr.decided_by, 7);
    assert_string_equal(tr.decision_note, "已编入民政局机关支部");
    CHECK(zg_transfer_get(t->c, &t->a, t->county_a, id, &tr, &err));
    assert_true(tr.outgoing);
    recv = op_in(t, t->county_b);
    assert_int_equal(zg_transfer_accept(t->c, &recv, id, ZG_TRANSFER_NO_DATE, NULL, &err),
                     ZG_ERR_CONFLICT);
    /* audited in the same transaction */
    assert_int_equal(qint(t,
                          "SELECT count(*) FROM audit_log WHERE action = 'transfer.accept' AND "
                          "object_id = $1",
                          id),
                     1);
    assert_int_equal(qint(t,
                          "SELECT count(*) FROM audit_log WHERE action = 'transfer.issue' AND "
                          "object_id = $1",
                          id),
                     1);
}

/* 不得无故拒转拒接: a return without a reason is refused; with one it closes the transfer */
static void internal_return_needs_reason(void **state)
{
    ctx_t *t = start(state);
    int64_t mid = member(t, t->a1, "李四", 13);
    zg_transfer_op_t op = op_in(t, t->county_a);
    zg_transfer_input_t in = internal(mid, t->b1, ago(t, 3));
    int64_t id = 0;
    zg_error_t err;
    CHECK(zg_transfer_issue(t->c, &op, &in, &id, &err));
    const char *blank[] = {NULL, "", "   ", "\n"};
    for (size_t i = 0; i < sizeof blank / sizeof blank[0]; i++) {
        zg_transfer_op_t recv = op_in(t, t->county_b);
        assert_int_equal(zg_transfer_return(t->c, &recv, id, ZG_TRANSFER_NO_DATE, blank[i], &err),
                         ZG_ERR_INVALID);
        assert_string_equal(err.code, "rule_violation");
        assert_true(zg_findings_has(&recv.findings, "transfer.no_silent_refusal"));
    }
    assert_string_equal(qtext(t, "SELECT status FROM transfer WHERE id = $1", id), "pending");
    /* the sender cannot return it */
    zg_transfer_op_t sender = op_in(t, t->county_a);
    assert_int_equal(zg_transfer_return(t->c, &sender, id, ZG_TRANSFER_NO_DATE, "理由", &err),
                     ZG_ERR_NOT_FOUND);
    zg_transfer_op_t recv = op_in(t, t->county_b);
    CHECK(zg_transfer_return(t->c, &recv, id, ZG_TRANSFER_NO_DATE, "该同志未到我单位工作", &err));
    assert_string_equal(qtext(t, "SELECT status FROM transfer WHERE id = $1", id), "returned");
    assert_string_equal(qtext(t, "SELECT decision_note FROM transfer WHERE id = $1", id),
                        "该同志未到我单位工作");
    assert_int_equal(qint(t, "SELECT org_id FROM membership WHERE id = $1", mid), t->a1);
    recv = op_in(t, t->county_b);
    assert_int_equal(zg_transfer_return(t->c, &recv, id, ZG_TRANSFER_NO_DATE, "再次", &err),
                     ZG_ERR_CONFLICT);
    /* a new transfer may be issued after the return */
    op = op_in(t, t->county_a);
    in = internal(mid, t->a2, t->today);
    CHECK(zg_transfer_issue(t->c, &op, &in, &id, &err));
}

static void cancel_by_sender(void **state)
{
    ctx_t *t = start(state);
    int64_t mid = member(t, t->a1, "王五", 15);
    zg_transfer_op_t op = op_in(t, t->county_a);
    zg_transfer_input_t in = internal(mid, t->b1, t->today);
    int64_t id = 0;
    zg_error_t err;
    CHECK(zg_transfer_issue(t->c, &op, &in, &id, &err));
    zg_transfer_op_t recv = op_in(t, t->county_b);
    assert_int_equal(zg_transfer_cancel(t->c, &recv, id, NULL, &err), ZG_ERR_NOT_FOUND);
    zg_transfer_op_t sender = op_in(t, t->county_a);
    CHECK(zg_transfer_cancel(t->c, &sender, id, "开错接收单位", &err));
    assert_string_equal(qtext(t, "SELECT status FROM transfer WHERE id = $1", id), "cancelled");
    sender = op_in(t, t->county_a);
    assert_int_equal(zg_transfer_cancel(t->c, &sender, id, NULL, &err), ZG_ERR_CONFLICT);
    recv = op_in(t, t->county_b);
    assert_int_equal(zg_transfer_accept(t->c, &recv, id, ZG_TRANSFER_NO_DATE, NULL, &err),
                     ZG_ERR_CONFLICT);
    assert_int_equal(qint(t, "SELECT org_id FROM membership WHERE id = $1", mid), t->a1);
}

static void issue_rules(void **state)
{
    ctx_t *t = start(state);
    int64_t mid = member(t, t->a1, "赵六", 17);
    zg_error_t err;
    int64_t id = 0;
    /* a temporary branch and a dissolved branch cannot receive; the group kinds are refused */
    int64_t bad[] = {t->a_temp, t->b_gone, t->county_b};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        zg_transfer_op_t op = op_in(t, t->county_a);
        zg_transfer_input_t in = internal(mid, bad[i], t->today);
        assert_int_equal(zg_transfer_issue(t->c, &op, &in, &id, &err), ZG_ERR_INVALID);
        assert_string_equal(err.code, "rule_violation");
        assert_true(zg_findings_has(&op.findings, "transfer.receiver_kind"));
    }
    /* a joint branch can (outside the sender's scope: that is the point) */
    zg_transfer_op_t op = op_in(t, t->county_a);
    zg_transfer_input_t in = internal(mid, t->c1, t->today);
    CHECK(zg_transfer_issue(t->c, &op, &in, &id, &err));
    /* one pending at a time */
    op = op_in(t, t->county_a);
    in = internal(mid, t->b1, t->today);
    assert_int_equal(zg_transfer_issue(t->c, &op, &in, &id, &err), ZG_ERR_INVALID);
    assert_true(zg_findings_has(&op.findings, "transfer.one_pending"));
    /* same org, unknown org, missing fields */
    int64_t m2 = member(t, t->a1, "钱七", 19);
    op = op_in(t, t->county_a);
    in = internal(m2, t->a1, t->today);
    assert_int_equal(zg_transfer_issue(t->c, &op, &in, &id, &err), ZG_ERR_INVALID);
    assert_string_equal(op.bad_field, "to_org_id");
    op = op_in(t, t->county_a);
    in = internal(m2, 999999, t->today);
    assert_int_equal(zg_transfer_issue(t->c, &op, &in, &id, &err), ZG_ERR_INVALID);
    assert_string_equal(op.bad_field, "to_org_id");
    op = op_in(t, t->county_a);
    in = internal(m2, t->b1, t->today);
    in.reason = "  ";
    assert_int_equal(zg_transfer_issue(t->c, &op, &in, &id, &err), ZG_ERR_INVALID);
    assert_string_equal(op.bad_field, "reason");
    op = op_in(t, t->county_a);
    in = internal(m2, t->b1, t->today + 1);
    assert_int_equal(zg_transfer_issue(t->c, &op, &in, &id, &err), ZG_ERR_INVALID);
    assert_string_equal(op.bad_field, "issued_on");
    op = op_in(t, t->county_a);
    in = internal(m2, t->b1, t->today);
    in.kind = "abroad";
    assert_int_equal(zg_transfer_issue(t->c, &op, &in, &id, &err), ZG_ERR_INVALID);
    assert_string_equal(op.bad_field, "kind");
    /* a member outside the caller's scope is not found */
    op = op_in(t, t->county_b);
    in = internal(m2, t->b1, t->today);
    assert_int_equal(zg_transfer_issue(t->c, &op, &in, &id, &err), ZG_ERR_NOT_FOUND);
    /* a suspended member is not transferred */
    event(t, m2, "lost_contact", months_ago(t, 8));
    event(t, m2, "suspended", ago(t, 5));
    op = op_in(t, t->county_a);
    in = internal(m2, t->b1, t->today);
    assert_int_equal(zg_transfer_issue(t->c, &op, &in, &id, &err), ZG_ERR_INVALID);
    assert_true(zg_findings_has(&op.findings, "transfer.member_active"));
    /* a member who changed since the issue: the accept is refused */
    int64_t m3 = member(t, t->a1, "孙八", 21);
    op = op_in(t, t->county_a);
    in = internal(m3, t->b1, ago(t, 2));
    CHECK(zg_transfer_issue(t->c, &op, &in, &id, &err));
    event(t, m3, "died", ago(t, 1));
    zg_transfer_op_t recv = op_in(t, t->county_b);
    assert_int_equal(zg_transfer_accept(t->c, &recv, id, ZG_TRANSFER_NO_DATE, NULL, &err),
                     ZG_ERR_CONFLICT);
    assert_string_equal(err.code, "member_changed");
}

/* ---- external letters --------------------------------------------------------------------- */

static void external_letter(void **state)
{
    ctx_t *t = start(state);
    int64_t mid = member(t, t->a1, "周九", 23);
    zg_date_t issued = ago(t, 20), max;
    assert_int_equal(zg_date_add_months(issued, 3, &max), 0);
    zg_error_t err;
    int64_t id = 0;
    /* 3 months + 1 day: refused, nothing written, no number used */
    zg_transfer_op_t op = op_in(t, t->county_a);
    zg_transfer_input_t in = external(mid, issued, max + 1);
    assert_int_equal(zg_transfer_issue(t->c, &op, &in, &id, &err), ZG_ERR_INVALID);
    assert_true(zg_findings_has(&op.findings, "transfer.letter_validity_max"));
    assert_int_equal(qint(t, "SELECT count(*) FROM transfer", 0), 0);
    /* no dues month */
    op = op_in(t, t->county_a);
    in = external(mid, issued, max);
    in.dues_paid_until = NULL;
    assert_int_equal(zg_transfer_issue(t->c, &op, &in, &id, &err), ZG_ERR_INVALID);
    assert_true(zg_findings_has(&op.findings, "transfer.letter_dues_paid_until"));
    /* valid_until before the issue */
    op = op_in(t, t->county_a);
    in = external(mid, issued, issued - 1);
    assert_int_equal(zg_transfer_issue(t->c, &op, &in, &id, &err), ZG_ERR_INVALID);
    assert_string_equal(op.bad_field, "valid_until");
    /* no destination */
    op = op_in(t, t->county_a);
    in = external(mid, issued, max);
    in.destination = NULL;
    assert_int_equal(zg_transfer_issue(t->c, &op, &in, &id, &err), ZG_ERR_INVALID);
    assert_string_equal(op.bad_field, "destination");
    /* exactly 3 months: accepted, with the first number of the year */
    op = op_in(t, t->county_a);
    in = external(mid, issued, max);
    CHECK(zg_transfer_issue(t->c, &op, &in, &id, &err));
    int year;
    zg_date_to_ymd(issued, &year, NULL, NULL);
    char want[64];
    snprintf(want, sizeof want, "组转〔%d〕0001号", year);
    assert_string_equal(qtext(t, "SELECT letter_no FROM transfer WHERE id = $1", id), want);
    /* the next letter of the year gets 0002; valid_until defaults to 3 months */
    int64_t m2 = member(t, t->a2, "吴十", 25);
    zg_transfer_op_t op2 = op_in(t, t->county_a);
    zg_transfer_input_t in2 = external(m2, issued, ZG_TRANSFER_NO_DATE);
    int64_t id2 = 0;
    CHECK(zg_transfer_issue(t->c, &op2, &in2, &id2, &err));
    snprintf(want, sizeof want, "组转〔%d〕0002号", year);
    assert_string_equal(qtext(t, "SELECT letter_no FROM transfer WHERE id = $1", id2), want);
    zg_transfer_t tr;
    CHECK(zg_transfer_get(t->c, &t->a, t->county_a, id2, &tr, &err));
    assert_int_equal(tr.valid_until, max);
    assert_int_equal(tr.to_org_id, 0);
    /* the letter: masked ID number unless revealed */
    zg_transfer_letter_t l;
    CHECK(zg_transfer_letter_load(t->c, &t->a, t->county_a, id, false, &l, &err));
    assert_null(l.member.id_number);
    assert_non_null(l.member.id_number_masked);
    assert_string_equal(l.status_on_issue, "full");
    assert_string_equal(l.ethnicity_label, "汉族");
    const char *html;
    size_t len;
    CHECK(zg_transfer_letter_html(&t->a, &l, &html, &len, &err));
    assert_non_null(strstr(html, l.member.id_number_masked));
    assert_non_null(strstr(html, "周九"));
    char idn[19];
    zg_date_t birth;
    zg_date_parse("1980-05-20", &birth);
    id_number(birth, 23, idn);
    assert_null(strstr(html, idn));
    CHECK(zg_transfer_letter_load(t->c, &t->a, t->county_a, id, true, &l, &err));
    assert_string_equal(l.member.id_number, idn);
    /* the receiver side of nothing: another county cannot print it */
    assert_int_equal(zg_transfer_letter_load(t->c, &t->a, t->county_b, id, false, &l, &err),
                     ZG_ERR_NOT_FOUND);
    /* receipt: not for another county, not before the issue, not in the future */
    zg_transfer_op_t other = op_in(t, t->county_b);
    assert_int_equal(zg_transfer_receipt(t->c, &other, id, t->today, NULL, &err), ZG_ERR_NOT_FOUND);
    op = op_in(t, t->county_a);
    assert_int_equal(zg_transfer_receipt(t->c, &op, id, issued - 1, NULL, &err), ZG_ERR_INVALID);
    assert_string_equal(op.bad_field, "received_on");
    op = op_in(t, t->county_a);
    assert_int_equal(zg_transfer_receipt(t->c, &op, id, t->today + 1, NULL, &err), ZG_ERR_INVALID);
    /* received 5 days ago: the member leaves the system on that day */
    zg_date_t rec = ago(t, 5);
    op = op_in(t, t->county_a);
    CHECK(zg_transfer_receipt(t->c, &op, id, rec, "回执已收到", &err));
    assert_false(zg_findings_has(&op.findings, "transfer.letter_overdue"));
    assert_string_equal(qtext(t, "SELECT status FROM transfer WHERE id = $1", id), "received");
    assert_string_equal(qtext(t, "SELECT status FROM membership WHERE id = $1", mid),
                        "transferred_out");
    const char *st;
    org_on(t, mid, rec - 1, &st);
    assert_string_equal(st, "full");
    org_on(t, mid, rec, &st);
    assert_string_equal(st, "transferred_out");
    assert_int_equal(qint(t,
                          "SELECT count(*) FROM membership_event WHERE membership_id = $1 AND "
                          "kind = 'transfer_out'",
                          mid),
                     1);
    op = op_in(t, t->county_a);
    assert_int_equal(zg_transfer_receipt(t->c, &op, id, rec, NULL, &err), ZG_ERR_CONFLICT);
    /* an internal transfer has no receipt */
    int64_t m3 = member(t, t->a1, "郑一", 27);
    op = op_in(t, t->county_a);
    zg_transfer_input_t in3 = internal(m3, t->b1, t->today);
    int64_t id3 = 0;
    CHECK(zg_transfer_issue(t->c, &op, &in3, &id3, &err));
    op = op_in(t, t->county_a);
    assert_int_equal(zg_transfer_receipt(t->c, &op, id3, t->today, NULL, &err), ZG_ERR_CONFLICT);
    assert_string_equal(err.code, "not_external");
    /* nor a letter */
    assert_int_equal(zg_transfer_letter_load(t->c, &t->a, t->county_a, id3, false, &l, &err),
                     ZG_ERR_NOT_FOUND);
}

/* a receipt after valid_until is recorded, with the overdue warning */
static void late_receipt(void **state)
{
    ctx_t *t = start(state);
    int64_t mid = member(t, t->a1, "冯二", 29);
    zg_error_t err;
    int64_t id = 0;
    zg_transfer_op_t op = op_in(t, t->county_a);
    zg_transfer_input_t in = external(mid, ago(t, 40), ago(t, 10));
    CHECK(zg_transfer_issue(t->c, &op, &in, &id, &err));
    op = op_in(t, t->county_a);
    CHECK(zg_transfer_receipt(t->c, &op, id, ago(t, 9), NULL, &err));
    assert_true(zg_findings_has(&op.findings, "transfer.letter_overdue"));
}

/* ---- warnings ----------------------------------------------------------------------------- */

static bool warned(ctx_t *t, int64_t scope, int64_t id, const char *rule, int32_t *days)
{
    zg_transfer_warning_t *v;
    size_t n;
    bool trunc;
    zg_error_t err;
    CHECK(zg_transfer_warnings(t->c, &t->a, scope, t->today, 30, &v, &n, &trunc, &err));
    for (size_t i = 0; i < n; i++)
        if (v[i].transfer.id == id) {
            assert_string_equal(v[i].rule->id, rule);
            assert_non_null(v[i].message);
            if (days)
                *days = v[i].days;
            return true;
        }
    return false;
}

static void warnings_boundaries(void **state)
{
    ctx_t *t = start(state);
    zg_error_t err;
    int64_t m29 = member(t, t->a1, "陈甲", 31), m30 = member(t, t->a1, "陈乙", 33);
    int64_t mv = member(t, t->a1, "陈丙", 35), mo = member(t, t->a1, "陈丁", 37);
    int64_t i29 = 0, i30 = 0, ev = 0, eo = 0;
    zg_transfer_op_t op = op_in(t, t->county_a);
    zg_transfer_input_t in = internal(m29, t->b1, ago(t, 29));
    CHECK(zg_transfer_issue(t->c, &op, &in, &i29, &err));
    op = op_in(t, t->county_a);
    in = internal(m30, t->b1, ago(t, 30));
    CHECK(zg_transfer_issue(t->c, &op, &in, &i30, &err));
    op = op_in(t, t->county_a);
    in = external(mv, ago(t, 50), t->today); /* valid today: not overdue */
    CHECK(zg_transfer_issue(t->c, &op, &in, &ev, &err));
    op = op_in(t, t->county_a);
    in = external(mo, ago(t, 50), ago(t, 1)); /* expired yesterday */
    CHECK(zg_transfer_issue(t->c, &op, &in, &eo, &err));
    int32_t days = 0;
    /* N-1 days: no warning; N days: warning (both sides see it) */
    assert_false(warned(t, t->county_a, i29, "transfer.pending_too_long", NULL));
    assert_true(warned(t, t->county_a, i30, "transfer.pending_too_long", &days));
    assert_int_equal(days, 30);
    assert_true(warned(t, t->county_b, i30, "transfer.pending_too_long", NULL));
    assert_false(warned(t, t->county_c, i30, "transfer.pending_too_long", NULL));
    /* letters: valid on valid_until, overdue the day after */
    assert_false(warned(t, t->county_a, ev, "transfer.letter_overdue", NULL));
    assert_true(warned(t, t->county_a, eo, "transfer.letter_overdue", &days));
    assert_int_equal(days, 1);
    assert_false(warned(t, t->county_b, eo, "transfer.letter_overdue", NULL));
    /* a closed transfer is no longer a warning */
    zg_transfer_op_t recv = op_in(t, t->county_b);
    CHECK(zg_transfer_accept(t->c, &recv, i30, ZG_TRANSFER_NO_DATE, NULL, &err));
    assert_false(warned(t, t->county_a, i30, "transfer.pending_too_long", NULL));
}

/* ---- lists -------------------------------------------------------------------------------- */

static int64_t list_total(ctx_t *t, int64_t scope, const char *direction)
{
    zg_transfer_query_t q = {.direction = direction, .limit = 100};
    zg_transfer_list_t l;
    zg_error_t err;
    CHECK(zg_transfer_list(t->c, &t->a, scope, &q, &l, &err));
    assert_int_equal((int64_t)l.n, l.total);
    return l.total;
}

static void lists_by_direction(void **state)
{
    ctx_t *t = start(state);
    zg_error_t err;
    int64_t m1 = member(t, t->a1, "卫一", 39), m2 = member(t, t->b1, "卫二", 41);
    int64_t id = 0;
    zg_transfer_op_t op = op_in(t, t->county_a);
    zg_transfer_input_t in = internal(m1, t->b1, t->today);
    CHECK(zg_transfer_issue(t->c, &op, &in, &id, &err));
    op = op_in(t, t->county_b);
    in = external(m2, t->today, ZG_TRANSFER_NO_DATE);
    CHECK(zg_transfer_issue(t->c, &op, &in, &id, &err));
    assert_int_equal(list_total(t, t->county_a, "outgoing"), 1);
    assert_int_equal(list_total(t, t->county_a, "incoming"), 0);
    assert_int_equal(list_total(t, t->county_b, "incoming"), 1);
    assert_int_equal(list_total(t, t->county_b, "outgoing"), 1);
    assert_int_equal(list_total(t, t->county_b, NULL), 2);
    assert_int_equal(list_total(t, t->county_c, NULL), 0);
    assert_int_equal(list_total(t, t->root, "outgoing"), 2);
    assert_int_equal(list_total(t, t->a2, NULL), 0);
    /* filters and bad arguments */
    zg_transfer_query_t q = {.status = "pending", .kind = "external", .limit = 10};
    zg_transfer_list_t l;
    CHECK(zg_transfer_list(t->c, &t->a, t->root, &q, &l, &err));
    assert_int_equal(l.total, 1);
    assert_string_equal(l.items[0].kind, "external");
    q = (zg_transfer_query_t){.direction = "sideways", .limit = 10};
    assert_int_equal(zg_transfer_list(t->c, &t->a, t->root, &q, &l, &err), ZG_ERR_INVALID);
    q = (zg_transfer_query_t){.limit = 0};
    assert_int_equal(zg_transfer_list(t->c, &t->a, t->root, &q, &l, &err), ZG_ERR_INVALID);
    /* receivers: system-wide active branches by name */
    zg_transfer_receiver_t *v;
    size_t n;
    CHECK(zg_transfer_receivers(t->c, &t->a, "机关支部", &v, &n, &err));
    assert_int_equal(n, 3); /* 甲县财政局, 甲县教育局, 乙县民政局 — not the dissolved one */
    CHECK(zg_transfer_receivers(t->c, &t->a, "联合", &v, &n, &err));
    assert_int_equal(n, 1);
    CHECK(zg_transfer_receivers(t->c, &t->a, "临时", &v, &n, &err));
    assert_int_equal(n, 0);
    assert_int_equal(zg_transfer_receivers(t->c, &t->a, "支", &v, &n, &err), ZG_ERR_INVALID);
    CHECK(zg_transfer_receivers(t->c, &t->a, "100%_", &v, &n, &err));
    assert_int_equal(n, 0);
}

/* ---- lost-contact cases ------------------------------------------------------------------- */

static bool due_for(ctx_t *t, int64_t scope, zg_date_t day, int64_t mid, const char *kind)
{
    zg_transfer_case_due_t *v;
    size_t n;
    bool trunc;
    zg_error_t err;
    CHECK(zg_transfer_cases_due(t->c, &t->a, scope, day, &v, &n, &trunc, &err));
    for (size_t i = 0; i < n; i++)
        if (v[i].membership_id == mid && !strcmp(v[i].kind, kind))
            return true;
    return false;
}

static int64_t open_case(ctx_t *t, int64_t mid, const char *kind)
{
    zg_param_t p[] = {ZG_P_INT(mid), ZG_P_TEXT(kind)};
    int64_t id = 0;
    zg_error_t err;
    CHECK(zg_db_query_int(t->c,
                          "SELECT id FROM member_case WHERE membership_id = $1 AND kind = $2 "
                          "AND status = 'open'",
                          p, 2, &id, &err));
    return id;
}

/* lost_contact_since + 6 months ≤ today: the exact day opens a case, the day before does not */
static void suspension_case_boundary(void **state)
{
    ctx_t *t = start(state);
    zg_error_t err;
    zg_date_t six = months_ago(t, 6);
    int64_t due = member(t, t->a1, "失联甲", 43), early = member(t, t->a1, "失联乙", 45);
    event(t, due, "lost_contact", six);
    event(t, early, "lost_contact", six + 1);
    /* the preview: due today, not yesterday; the other one tomorrow (or so) */
    assert_true(due_for(t, t->county_a, t->today, due, "suspension"));
    assert_false(due_for(t, t->county_a, t->today - 1, due, "suspension"));
    assert_false(due_for(t, t->county_a, t->today, early, "suspension"));
    assert_false(due_for(t, t->county_b, t->today, due, "suspension")); /* scope */
    zg_date_t early_due;
    assert_int_equal(zg_transfer_suspension_due_on(six + 1, &early_due), 0);
    assert_true(due_for(t, t->county_a, early_due, early, "suspension"));
    assert_false(due_for(t, t->county_a, early_due - 1, early, "suspension"));
    /* the daily scan opens exactly one, and never a duplicate */
    int opened = -1;
    CHECK(zg_transfer_cases_scan(t->c, t->today, &opened, &err));
    assert_int_equal(opened, 1);
    CHECK(zg_transfer_cases_scan(t->c, t->today, &opened, &err));
    assert_int_equal(opened, 0);
    zg_transfer_op_t op = op_in(t, t->county_a);
    CHECK(zg_transfer_cases_open(t->c, &op, &opened, &err));
    assert_int_equal(opened, 0);
    /* the CLI entry point of the daily job */
    char *text = NULL;
    size_t tlen = 0;
    FILE *out = open_memstream(&text, &tlen);
    assert_non_null(out);
    assert_int_equal(zg_transfer_cli_scan(t->db, out), 0);
    fclose(out);
    assert_non_null(strstr(text, "新开 0 件"));
    free(text);
    /* the public functions need a scope; only the daily job sees the whole system */
    zg_transfer_case_due_t *dv;
    size_t dn;
    bool dt;
    assert_int_equal(zg_transfer_cases_due(t->c, &t->a, 0, t->today, &dv, &dn, &dt, &err),
                     ZG_ERR_NOT_FOUND);
    op = op_in(t, 0);
    assert_int_equal(zg_transfer_cases_open(t->c, &op, &opened, &err), ZG_ERR_NOT_FOUND);
    int64_t cid = open_case(t, due, "suspension");
    assert_true(cid > 0);
    /* nothing was changed in the member: a person decides */
    assert_string_equal(qtext(t, "SELECT status FROM membership WHERE id = $1", due), "full");
    /* the case is in county A's list, not county B's */
    zg_transfer_case_query_t q = {.limit = 10};
    zg_transfer_case_list_t l;
    CHECK(zg_transfer_cases_list(t->c, &t->a, t->county_a, &q, &l, &err));
    assert_int_equal(l.total, 1);
    assert_int_equal(l.items[0].basis_on, six);
    assert_int_equal(l.items[0].due_on, t->today);
    CHECK(zg_transfer_cases_list(t->c, &t->a, t->county_b, &q, &l, &err));
    assert_int_equal(l.total, 0);
    zg_transfer_case_t k;
    assert_int_equal(zg_transfer_case_get(t->c, &t->a, t->county_b, cid, &k, &err),
                     ZG_ERR_NOT_FOUND);
    /* decide: wrong decision for the kind, a date before it was due, then suspend */
    op = op_in(t, t->county_a);
    assert_int_equal(
        zg_transfer_case_decide(t->c, &op, cid, "remove", ZG_TRANSFER_NO_DATE, NULL, &err),
        ZG_ERR_INVALID);
    assert_string_equal(op.bad_field, "decision");
    op = op_in(t, t->county_a);
    assert_int_equal(zg_transfer_case_decide(t->c, &op, cid, "suspend", t->today - 1, NULL, &err),
                     ZG_ERR_INVALID);
    assert_true(zg_findings_has(&op.findings, "transfer.case_decision_timing"));
    op = op_in(t, t->county_b);
    assert_int_equal(
        zg_transfer_case_decide(t->c, &op, cid, "suspend", ZG_TRANSFER_NO_DATE, NULL, &err),
        ZG_ERR_NOT_FOUND);
    op = op_in(t, t->county_a);
    CHECK(
        zg_transfer_case_decide(t->c, &op, cid, "suspend", t->today, "经支部委员会研究决定", &err));
    assert_string_equal(qtext(t, "SELECT status FROM membership WHERE id = $1", due), "suspended");
    assert_string_equal(qtext(t, "SELECT status FROM member_case WHERE id = $1", cid), "decided");
    assert_string_equal(qtext(t, "SELECT decision FROM member_case WHERE id = $1", cid), "suspend");
    op = op_in(t, t->county_a);
    assert_int_equal(
        zg_transfer_case_decide(t->c, &op, cid, "dismiss", ZG_TRANSFER_NO_DATE, "x", &err),
        ZG_ERR_CONFLICT);
    assert_int_equal(qint(t,
                          "SELECT count(*) FROM audit_log WHERE action = 'member_case.decide' "
                          "AND object_id = $1",
                          cid),
                     1);
}

/* suspended_on + 2 years ≤ today: the removal case, on the exact day and not the day before */
static void removal_case_boundary(void **state)
{
    ctx_t *t = start(state);
    zg_error_t err;
    zg_date_t two = months_ago(t, 24);
    int64_t due = member(t, t->a1, "除名甲", 47), early = member(t, t->a1, "除名乙", 49);
    zg_date_t lost;
    assert_int_equal(zg_date_add_months(two, -7, &lost), 0);
    event(t, due, "lost_contact", lost);
    event(t, early, "lost_contact", lost);
    event(t, due, "suspended", two);
    event(t, early, "suspended", two + 1);
    assert_true(due_for(t, t->county_a, t->today, due, "removal"));
    assert_false(due_for(t, t->county_a, t->today - 1, due, "removal"));
    assert_false(due_for(t, t->county_a, t->today, early, "removal"));
    /* a suspended member is not a suspension case again */
    assert_false(due_for(t, t->county_a, t->today, due, "suspension"));
    zg_transfer_op_t op = op_in(t, t->county_a);
    int opened = 0;
    CHECK(zg_transfer_cases_open(t->c, &op, &opened, &err));
    assert_int_equal(opened, 1);
    int64_t cid = open_case(t, due, "removal");
    /* dismissal needs a note */
    op = op_in(t, t->county_a);
    assert_int_equal(
        zg_transfer_case_decide(t->c, &op, cid, "dismiss", ZG_TRANSFER_NO_DATE, " ", &err),
        ZG_ERR_INVALID);
    assert_true(zg_findings_has(&op.findings, "transfer.case_dismiss_note"));
    op = op_in(t, t->county_a);
    assert_int_equal(
        zg_transfer_case_decide(t->c, &op, cid, "suspend", ZG_TRANSFER_NO_DATE, NULL, &err),
        ZG_ERR_INVALID);
    op = op_in(t, t->county_a);
    CHECK(zg_transfer_case_decide(t->c, &op, cid, "remove", ZG_TRANSFER_NO_DATE, NULL, &err));
    assert_string_equal(qtext(t, "SELECT status FROM membership WHERE id = $1", due), "removed");
    const char *st;
    org_on(t, due, t->today - 1, &st);
    assert_string_equal(st, "suspended");
    org_on(t, due, t->today, &st);
    assert_string_equal(st, "removed");
}

/* dismissed: the episode's case is not re-opened; a restored contact makes a case stale */
static void dismiss_and_stale(void **state)
{
    ctx_t *t = start(state);
    zg_error_t err;
    int64_t a = member(t, t->a1, "暂缓甲", 51), b = member(t, t->a2, "恢复乙", 53);
    event(t, a, "lost_contact", months_ago(t, 7));
    event(t, b, "lost_contact", months_ago(t, 7));
    zg_transfer_op_t op = op_in(t, t->county_a);
    int opened = 0;
    CHECK(zg_transfer_cases_open(t->c, &op, &opened, &err));
    assert_int_equal(opened, 2);
    int64_t ca = open_case(t, a, "suspension"), cb = open_case(t, b, "suspension");
    op = op_in(t, t->county_a);
    CHECK(zg_transfer_case_decide(t->c, &op, ca, "dismiss", ZG_TRANSFER_NO_DATE,
                                  "已联系到家属，正在劝其返回", &err));
    assert_string_equal(qtext(t, "SELECT status FROM member_case WHERE id = $1", ca), "dismissed");
    assert_string_equal(qtext(t, "SELECT decision_note FROM member_case WHERE id = $1", ca),
                        "已联系到家属，正在劝其返回");
    assert_string_equal(qtext(t, "SELECT status FROM membership WHERE id = $1", a), "full");
    op = op_in(t, t->county_a);
    CHECK(zg_transfer_cases_open(t->c, &op, &opened, &err));
    assert_int_equal(opened, 0);
    assert_false(due_for(t, t->county_a, t->today, a, "suspension"));
    /* contact restored after the case was opened: the decision is refused as stale */
    event(t, b, "contact_restored", t->today);
    op = op_in(t, t->county_a);
    assert_int_equal(
        zg_transfer_case_decide(t->c, &op, cb, "suspend", ZG_TRANSFER_NO_DATE, NULL, &err),
        ZG_ERR_CONFLICT);
    assert_string_equal(err.code, "case_stale");
    assert_string_equal(qtext(t, "SELECT status FROM membership WHERE id = $1", b), "full");
    op = op_in(t, t->county_a);
    CHECK(
        zg_transfer_case_decide(t->c, &op, cb, "dismiss", ZG_TRANSFER_NO_DATE, "已恢复联系", &err));
    /* future decision dates are refused */
    op = op_in(t, t->county_a);
    assert_int_equal(zg_transfer_case_decide(t->c, &op, cb, "dismiss", t->today + 1, "x", &err),
                     ZG_ERR_INVALID);
    assert_string_equal(op.bad_field, "decided_on");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        BOTH(internal_accept_as_of),    BOTH(internal_return_needs_reason),
        BOTH(cancel_by_sender),         BOTH(issue_rules),
        BOTH(external_letter),          BOTH(late_receipt),
        BOTH(warnings_boundaries),      BOTH(lists_by_direction),
        BOTH(suspension_case_boundary), BOTH(removal_case_boundary),
        BOTH(dismiss_and_stale),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    zg_testdb_cleanup();
    return rc;
}
