/* test_member_db.c — the member module's logic against a real database of each backend:
 * create (probationary and full), the duplicate check through the blind index, sealing at
 * rest, events and their rules on both sides of each boundary, spans and the as-of state
 * across a move (D-1 old org, D new org), the transfer module's entry points, lists with every
 * filter, counts, the org counter, the field key's sources and checks, and the demo loader. */
#include "membertest.h"

#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/crypto.h"
#include "db/db.h"
#include "modules/org/org.h"
#include "testdb.h"

typedef struct ctx {
    const char *backend;
    bool skip;
    char url[512];
    zg_db_t *db;
    zg_conn_t *c;
    zg_arena_t a;
    int64_t root, county, town, branch_a, branch_b, branch_c, lgroup, gone, other_root;
    zg_member_actor_t actor;
} ctx_t;

static ctx_t proto_sqlite = {.backend = "sqlite"};
static ctx_t proto_pg = {.backend = "postgres"};

static const uint8_t KEY[ZG_MASTER_KEY_LEN] = {1,  2,  3,  4,  5,  6,  7,  8,  9,  10, 11,
                                               12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22,
                                               23, 24, 25, 26, 27, 28, 29, 30, 31, 32};

static int64_t mk_org(ctx_t *t, int64_t parent, const char *kind, const char *name)
{
    zg_org_actor_t actor = {.account_id = 0, .username = "tester"};
    zg_org_op_t op;
    zg_org_op_init(&op, &t->a, t->root, &actor);
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
    zg_arena_init(&t->a, 0, 256u << 20);
    t->actor = (zg_member_actor_t){.account_id = 0, .username = "tester", .ip = "127.0.0.1"};
    zg_org_actor_t oa = {.username = "tester"};
    if (zg_org_create_root(t->c, &oa, "中共测试市委员会", &t->root, &err))
        return -1;
    t->county = mk_org(t, t->root, "committee", "中共测试县委员会");
    t->town = mk_org(t, t->county, "committee", "中共测试镇委员会");
    t->branch_a = mk_org(t, t->town, "branch", "甲村党支部");
    t->branch_b = mk_org(t, t->town, "branch", "乙村党支部");
    t->branch_c = mk_org(t, t->county, "branch", "县直机关党支部");
    t->lgroup = mk_org(t, t->root, "leading_group", "市政府党组");
    t->gone = mk_org(t, t->town, "branch", "已撤销党支部");
    zg_org_op_t op;
    zg_org_op_init(&op, &t->a, t->root, &(zg_org_actor_t){.username = "tester"});
    if (zg_org_dissolve(t->c, &op, t->gone, ZG_ORG_NO_DATE, "撤并", &err))
        return -1;
    zg_member_set_master_key(KEY);
    zg_org_set_member_counter(NULL);
    return 0;
}

static int teardown(void **state)
{
    ctx_t *t = *state;
    if (t) {
        zg_org_set_member_counter(NULL);
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
    zg_member_set_master_key(KEY);
    return t;
}

#define BOTH(f)                                                                                    \
    {"sqlite/" #f, f, setup, teardown, &proto_sqlite},                                             \
    {                                                                                              \
        "postgres/" #f, f, setup, teardown, &proto_pg                                              \
    }

static zg_member_op_t op_of(ctx_t *t, int64_t scope)
{
    zg_member_op_t op;
    zg_member_op_init(&op, &t->a, scope ? scope : t->root, &t->actor);
    op.today = D("2026-11-23");
    return op;
}

static int64_t qint(ctx_t *t, const char *sql, int64_t p1)
{
    zg_error_t err;
    zg_param_t p[] = {ZG_P_INT(p1)};
    int64_t v = -12345;
    CHECK(zg_db_query_int(t->c, sql, p, strstr(sql, "$1") ? 1 : 0, &v, &err));
    return v;
}

/* Creates a member (scope: the root) born `birth`, ID sequence `seq`, joined `joined`,
 * converted `conv` (NULL: probationary), in `org`. */
static int64_t add(ctx_t *t, int64_t org, const char *birth, int seq, const char *joined,
                   const char *conv)
{
    char *id = zg_arena_alloc(&t->a, 19);
    zg_member_input_t in = valid_input(org, id);
    idnum(id, birth, seq);
    in.birth_date = D(birth);
    in.gender = seq % 2 ? "1" : "2";
    in.joined_on = D(joined);
    if (conv) {
        in.set |= ZG_MEMBER_SET_CONVERTED_ON;
        in.converted_on = D(conv);
    }
    zg_member_op_t op = op_of(t, 0);
    zg_error_t err;
    int64_t mid = 0;
    int rc = zg_member_create(t->c, &op, &in, &mid, &err);
    if (rc) {
        dump_findings(&op.findings);
        CHECK(rc);
    }
    return mid;
}

/* Applies an event and returns its status; findings in *op. */
static int event(ctx_t *t, zg_member_op_t *op, int64_t id, const char *kind, const char *on,
                 zg_error_t *err)
{
    zg_member_event_input_t ev = {.kind = kind, .on_date = on ? D(on) : ZG_MEMBER_NO_DATE};
    return zg_member_event(t->c, op, id, &ev, NULL, err);
}

static const char *status_of(ctx_t *t, int64_t id)
{
    zg_member_t m;
    zg_error_t err;
    CHECK(zg_member_get(t->c, &t->a, t->root, id, false, &m, &err));
    return m.status;
}

/* ---- create -------------------------------------------------------------------------------- */

static void t_create_probationary(void **state)
{
    ctx_t *t = start(state);
    int64_t id = add(t, t->branch_a, "1990-05-17", 123, "2026-03-01", NULL);
    zg_member_t m;
    zg_error_t err;
    CHECK(zg_member_get(t->c, &t->a, t->root, id, true, &m, &err));
    assert_string_equal(m.status, "probationary");
    assert_int_equal(m.joined_on, D("2026-03-01"));
    assert_int_equal(m.probation_end, D("2027-03-01")); /* one year from the resolution */
    assert_int_equal(m.standing_since, ZG_MEMBER_NO_DATE);
    assert_int_equal(strlen(m.id_number), 18);
    assert_memory_equal(m.id_number_masked, m.id_number, 6);
    assert_memory_equal(m.id_number_masked + 6, "********", 8);
    assert_memory_equal(m.id_number_masked + 14, m.id_number + 14, 4);
    assert_string_equal(m.phone, "13800138000");
    assert_string_equal(m.phone_masked, "138****8000");
    /* one event, one open span */
    assert_int_equal(qint(t, "SELECT count(*) FROM membership_event WHERE membership_id = $1", id),
                     1);
    assert_int_equal(
        qint(t,
             "SELECT count(*) FROM membership_span WHERE membership_id = $1 AND valid_to IS NULL",
             id),
        1);
    /* the audit entry does not carry the clear values */
    assert_int_equal(qint(t,
                          "SELECT count(*) FROM audit_log WHERE action = 'member.create' AND "
                          "object_id = $1",
                          id),
                     1);
    zg_member_get(t->c, &t->a, t->root, id, false, &m, &err);
    assert_null(m.id_number);
    assert_null(m.phone);
}

static void t_create_full(void **state)
{
    ctx_t *t = start(state);
    int64_t id = add(t, t->branch_a, "1970-01-02", 45, "1995-06-30", "1996-06-30");
    zg_member_t m;
    zg_error_t err;
    CHECK(zg_member_get(t->c, &t->a, t->root, id, false, &m, &err));
    assert_string_equal(m.status, "full");
    assert_int_equal(m.standing_since, D("1996-06-30"));
    /* probationary until the conversion, full from it */
    int64_t org;
    const char *st;
    CHECK(zg_member_state_as_of(t->c, id, D("1996-06-29"), &org, &st, &err));
    assert_string_equal(st, "probationary");
    CHECK(zg_member_state_as_of(t->c, id, D("1996-06-30"), &org, &st, &err));
    assert_string_equal(st, "full");
    assert_int_equal(zg_member_state_as_of(t->c, id, D("1995-06-29"), &org, &st, &err),
                     ZG_ERR_NOT_FOUND);
}

static void t_create_refused(void **state)
{
    ctx_t *t = start(state);
    char id[19];
    zg_error_t err;
    /* converted a day before the probation ends: refused, nothing written */
    zg_member_input_t in = valid_input(t->branch_a, id);
    in.set |= ZG_MEMBER_SET_CONVERTED_ON;
    in.converted_on = D("2016-06-30");
    zg_member_op_t op = op_of(t, 0);
    int64_t mid = 0;
    assert_int_equal(zg_member_create(t->c, &op, &in, &mid, &err), ZG_ERR_INVALID);
    assert_string_equal(err.code, "rule_violation");
    assert_true(has_finding(&op.findings, "member.conversion_after_probation", ZG_SEV_BLOCK));
    assert_non_null(strstr(err.message, "《中国共产党发展党员工作细则》第三十二条"));
    assert_int_equal(qint(t, "SELECT count(*) FROM person", 0), 0);
    assert_int_equal(qint(t, "SELECT count(*) FROM membership", 0), 0);
    /* the org must accept members */
    in = valid_input(t->lgroup, id);
    op = op_of(t, 0);
    assert_int_equal(zg_member_create(t->c, &op, &in, &mid, &err), ZG_ERR_INVALID);
    assert_true(has_finding(&op.findings, "member.org_accepts", ZG_SEV_BLOCK));
    in = valid_input(t->gone, id);
    op = op_of(t, 0);
    assert_int_equal(zg_member_create(t->c, &op, &in, &mid, &err), ZG_ERR_INVALID);
    assert_true(has_finding(&op.findings, "member.org_accepts", ZG_SEV_BLOCK));
    /* a committee is allowed with a warning */
    in = valid_input(t->town, id);
    op = op_of(t, 0);
    CHECK(zg_member_create(t->c, &op, &in, &mid, &err));
    assert_true(has_finding(&op.findings, "member.org_is_branch", ZG_SEV_WARN));
    /* an org outside the scope does not exist for the caller */
    in = valid_input(t->branch_c, id);
    idnum(id, "1990-05-17", 125);
    op = op_of(t, t->town);
    assert_int_equal(zg_member_create(t->c, &op, &in, &mid, &err), ZG_ERR_NOT_FOUND);
    assert_string_equal(op.bad_field, "org_id");
    /* unknown dictionary codes */
    in = valid_input(t->branch_a, id);
    idnum(id, "1990-05-17", 127);
    in.ethnicity = "99";
    in.education = "29";
    op = op_of(t, 0);
    assert_int_equal(zg_member_create(t->c, &op, &in, &mid, &err), ZG_ERR_INVALID);
    assert_true(has_finding(&op.findings, "member.code_valid", ZG_SEV_BLOCK));
    in.ethnicity = "15";
    in.education = "28";
    op = op_of(t, 0);
    CHECK(zg_member_create(t->c, &op, &in, &mid, &err));
}

static void t_duplicate_id_number(void **state)
{
    ctx_t *t = start(state);
    zg_error_t err;
    char id[19];
    /* an ID number ending in X, so the lowercase form can be tried */
    int seq = 1;
    for (; seq < 1000; seq += 2) {
        idnum(id, "1985-03-03", seq);
        if (id[17] == 'X')
            break;
    }
    zg_member_input_t in = valid_input(t->branch_a, id);
    idnum(id, "1985-03-03", seq);
    in.birth_date = D("1985-03-03");
    zg_member_op_t op = op_of(t, 0);
    int64_t first = 0, second = 0;
    CHECK(zg_member_create(t->c, &op, &in, &first, &err));
    /* the same number again (lowercase x): refused, the existing member named in scope */
    char lower[19];
    memcpy(lower, id, 19);
    lower[17] = 'x';
    in.id_number = lower;
    in.org_id = t->branch_b;
    op = op_of(t, 0);
    assert_int_equal(zg_member_create(t->c, &op, &in, &second, &err), ZG_ERR_INVALID);
    assert_true(has_finding(&op.findings, "member.id_number_unique", ZG_SEV_BLOCK));
    assert_int_equal(op.existing_id, first);
    /* from a scope that cannot see the first member: refused, but not revealed */
    in.org_id = t->branch_c;
    op = op_of(t, t->branch_c);
    assert_int_equal(zg_member_create(t->c, &op, &in, &second, &err), ZG_ERR_INVALID);
    assert_true(has_finding(&op.findings, "member.id_number_unique", ZG_SEV_BLOCK));
    assert_int_equal(op.existing_id, 0);
    assert_null(strstr(op.findings.items[0].message, "甲村"));
    assert_int_equal(qint(t, "SELECT count(*) FROM person", 0), 1);
    /* lookup by ID number: in scope, elsewhere, nowhere */
    int64_t found = 0;
    CHECK(zg_member_find_by_id_number(t->c, t->town, lower, &found, &err));
    assert_int_equal(found, first);
    assert_int_equal(zg_member_find_by_id_number(t->c, t->branch_c, id, &found, &err),
                     ZG_ERR_CONFLICT);
    idnum(id, "1985-03-03", seq + 2);
    assert_int_equal(zg_member_find_by_id_number(t->c, t->root, id, &found, &err),
                     ZG_ERR_NOT_FOUND);
    /* an update onto another member's number is refused too */
    int64_t other = add(t, t->branch_b, "1990-05-17", 201, "2015-07-01", NULL);
    zg_member_input_t up = {.set = ZG_MEMBER_SET_ID_NUMBER, .id_number = lower};
    op = op_of(t, 0);
    int rc = zg_member_update(t->c, &op, other, &up, &err);
    assert_int_equal(rc, ZG_ERR_INVALID);
    assert_true(has_finding(&op.findings, "member.id_number_unique", ZG_SEV_BLOCK));
}

static void t_sealed_at_rest(void **state)
{
    ctx_t *t = start(state);
    int64_t a = add(t, t->branch_a, "1990-05-17", 123, "2015-07-01", NULL);
    int64_t b = add(t, t->branch_a, "1991-06-18", 125, "2016-07-01", NULL);
    zg_error_t err;
    /* no clear value in any column of person */
    zg_rows_t *r;
    CHECK(zg_db_query(t->c,
                      "SELECT id_number_enc, phone_enc, id_number_bidx, id_number_masked, "
                      "phone_masked FROM person",
                      NULL, 0, &r, &err));
    int rows = 0;
    while (zg_rows_next(r, &err) == 1) {
        rows++;
        size_t len = 0;
        const char *blob = zg_rows_blob(r, 0, &len);
        assert_int_equal(len, 18 + ZG_SEAL_OVERHEAD);
        assert_null(memmem(blob, len, "43010219", 8));
        blob = zg_rows_blob(r, 1, &len);
        assert_int_equal(len, 11 + ZG_SEAL_OVERHEAD);
        assert_null(memmem(blob, len, "1380013", 7));
        assert_int_equal(strlen(zg_rows_text(r, 2)), 64);
    }
    zg_rows_close(r);
    assert_int_equal(rows, 2);
    /* a ciphertext moved to another row does not open there (bound to its row) */
    zg_member_t m;
    int64_t pa = qint(t, "SELECT person_id FROM membership WHERE id = $1", a);
    int64_t pb = qint(t, "SELECT person_id FROM membership WHERE id = $1", b);
    zg_param_t p[] = {ZG_P_INT(pb), ZG_P_INT(pa)};
    CHECK(zg_db_exec(t->c,
                     "UPDATE person SET id_number_enc = (SELECT id_number_enc FROM person WHERE "
                     "id = $1) WHERE id = $2",
                     p, 2, NULL, &err));
    assert_int_equal(zg_member_get(t->c, &t->a, t->root, a, true, &m, &err), ZG_ERR_CRYPTO);
    CHECK(zg_member_get(t->c, &t->a, t->root, a, false, &m, &err)); /* masked still reads */
    CHECK(zg_member_get(t->c, &t->a, t->root, b, true, &m, &err));
    /* another key does not open anything */
    uint8_t other[ZG_MASTER_KEY_LEN] = {9};
    zg_member_set_master_key(other);
    assert_int_equal(zg_member_get(t->c, &t->a, t->root, b, true, &m, &err), ZG_ERR_CRYPTO);
    zg_member_set_master_key(KEY);
    /* without a key nothing is created */
    zg_member_clear_key();
    char id[19];
    zg_member_input_t in = valid_input(t->branch_a, id);
    idnum(id, "1990-05-17", 301);
    zg_member_op_t op = op_of(t, 0);
    int64_t mid;
    assert_int_equal(zg_member_create(t->c, &op, &in, &mid, &err), ZG_ERR_CRYPTO);
    zg_member_set_master_key(KEY);
}

static void t_update(void **state)
{
    ctx_t *t = start(state);
    int64_t id = add(t, t->branch_a, "1990-05-17", 123, "2015-07-01", NULL);
    zg_error_t err;
    zg_member_op_t op = op_of(t, 0);
    /* a birth date that disagrees with the ID number is refused */
    zg_member_input_t up = {.set = ZG_MEMBER_SET_BIRTH_DATE, .birth_date = D("1990-05-18")};
    assert_int_equal(zg_member_update(t->c, &op, id, &up, &err), ZG_ERR_INVALID);
    assert_true(has_finding(&op.findings, "member.id_number_birth", ZG_SEV_BLOCK));
    /* a new ID number and birth date together are fine; the phone cleared */
    char nid[19];
    idnum(nid, "1990-05-18", 123);
    up = (zg_member_input_t){.set = ZG_MEMBER_SET_BIRTH_DATE | ZG_MEMBER_SET_ID_NUMBER |
                                    ZG_MEMBER_SET_PHONE | ZG_MEMBER_SET_DUES_CATEGORY |
                                    ZG_MEMBER_SET_NAME,
                             .birth_date = D("1990-05-18"),
                             .id_number = nid,
                             .phone = "",
                             .dues_category = "retired",
                             .name = "张建军"};
    op = op_of(t, 0);
    CHECK(zg_member_update(t->c, &op, id, &up, &err));
    zg_member_t m;
    CHECK(zg_member_get(t->c, &t->a, t->root, id, true, &m, &err));
    assert_string_equal(m.id_number, nid);
    assert_null(m.phone);
    assert_null(m.phone_masked);
    assert_string_equal(m.dues_category, "retired");
    assert_string_equal(m.name, "张建军");
    int64_t found;
    CHECK(zg_member_find_by_id_number(t->c, t->root, nid, &found, &err));
    assert_int_equal(found, id);
    /* the audit detail says the ID number changed, never what it is */
    zg_rows_t *r;
    zg_param_t p[] = {ZG_P_INT(id)};
    CHECK(zg_db_query(t->c,
                      "SELECT detail FROM audit_log WHERE action = 'member.update' AND "
                      "object_id = $1",
                      p, 1, &r, &err));
    assert_int_equal(zg_rows_next(r, &err), 1);
    assert_null(strstr(zg_rows_text(r, 0), nid));
    assert_null(strstr(zg_rows_text(r, 0), "13800138000"));
    assert_non_null(strstr(zg_rows_text(r, 0), "张建军"));
    zg_rows_close(r);
    /* org, join date: not through an update */
    up = (zg_member_input_t){.set = ZG_MEMBER_SET_ORG, .org_id = t->branch_b};
    op = op_of(t, 0);
    assert_int_equal(zg_member_update(t->c, &op, id, &up, &err), ZG_ERR_INVALID);
    assert_string_equal(op.bad_field, "org_id");
    /* out of scope: not found */
    up = (zg_member_input_t){.set = ZG_MEMBER_SET_NAME, .name = "李四"};
    op = op_of(t, t->branch_b);
    assert_int_equal(zg_member_update(t->c, &op, id, &up, &err), ZG_ERR_NOT_FOUND);
}

/* ---- events -----------------------------------------------------------------------------------
 */

static void t_convert_boundary(void **state)
{
    ctx_t *t = start(state);
    int64_t id = add(t, t->branch_a, "1990-05-17", 123, "2025-03-01", NULL);
    zg_error_t err;
    zg_member_op_t op = op_of(t, 0);
    /* the day before the probation ends: refused */
    assert_int_equal(event(t, &op, id, "converted", "2026-02-28", &err), ZG_ERR_INVALID);
    assert_true(has_finding(&op.findings, "member.conversion_after_probation", ZG_SEV_BLOCK));
    assert_string_equal(status_of(t, id), "probationary");
    /* on the day: converted, 党龄 from the end of the probation */
    op = op_of(t, 0);
    CHECK(event(t, &op, id, "converted", "2026-03-01", &err));
    assert_true(has_finding(&op.findings, "member.standing_since", ZG_SEV_INFO));
    zg_member_t m;
    CHECK(zg_member_get(t->c, &t->a, t->root, id, false, &m, &err));
    assert_string_equal(m.status, "full");
    assert_int_equal(m.standing_since, D("2026-03-01"));
    /* a full member cannot be converted again */
    op = op_of(t, 0);
    assert_int_equal(event(t, &op, id, "converted", "2026-04-01", &err), ZG_ERR_INVALID);
    assert_true(has_finding(&op.findings, "member.event_status", ZG_SEV_BLOCK));
    /* a later approval date keeps 党龄 at the probation end */
    int64_t id2 = add(t, t->branch_a, "1991-05-17", 125, "2025-03-01", NULL);
    op = op_of(t, 0);
    CHECK(event(t, &op, id2, "converted", "2026-04-15", &err));
    CHECK(zg_member_get(t->c, &t->a, t->root, id2, false, &m, &err));
    assert_int_equal(m.standing_since, D("2026-03-01"));
    /* without a date: the probation end */
    int64_t id3 = add(t, t->branch_a, "1992-05-17", 127, "2025-01-10", NULL);
    op = op_of(t, 0);
    CHECK(event(t, &op, id3, "converted", NULL, &err));
    int64_t org;
    const char *st;
    CHECK(zg_member_state_as_of(t->c, id3, D("2026-01-09"), &org, &st, &err));
    assert_string_equal(st, "probationary");
    CHECK(zg_member_state_as_of(t->c, id3, D("2026-01-10"), &org, &st, &err));
    assert_string_equal(st, "full");
}

static int extend(ctx_t *t, zg_member_op_t *op, int64_t id, int months, zg_error_t *err)
{
    zg_member_event_input_t ev = {
        .kind = "extended", .on_date = D("2026-03-01"), .extension_months = months};
    return zg_member_event(t->c, op, id, &ev, NULL, err);
}

static void t_extension(void **state)
{
    ctx_t *t = start(state);
    zg_error_t err;
    int64_t id = add(t, t->branch_a, "1990-05-17", 123, "2025-03-01", NULL);
    zg_member_op_t op = op_of(t, 0);
    /* 5 and 13 months: refused; 6 and 12: fine */
    assert_int_equal(extend(t, &op, id, 5, &err), ZG_ERR_INVALID);
    assert_true(has_finding(&op.findings, "member.extension_range", ZG_SEV_BLOCK));
    op = op_of(t, 0);
    assert_int_equal(extend(t, &op, id, 13, &err), ZG_ERR_INVALID);
    assert_true(has_finding(&op.findings, "member.extension_range", ZG_SEV_BLOCK));
    op = op_of(t, 0);
    CHECK(extend(t, &op, id, 6, &err));
    zg_member_t m;
    CHECK(zg_member_get(t->c, &t->a, t->root, id, false, &m, &err));
    assert_true(m.extended);
    assert_int_equal(m.probation_end, D("2026-09-01"));
    /* only once */
    op = op_of(t, 0);
    assert_int_equal(extend(t, &op, id, 6, &err), ZG_ERR_INVALID);
    assert_true(has_finding(&op.findings, "member.extension_once", ZG_SEV_BLOCK));
    /* conversion now waits for the end of the extension; 党龄 counts from there */
    op = op_of(t, 0);
    assert_int_equal(event(t, &op, id, "converted", "2026-08-31", &err), ZG_ERR_INVALID);
    op = op_of(t, 0);
    CHECK(event(t, &op, id, "converted", "2026-09-01", &err));
    CHECK(zg_member_get(t->c, &t->a, t->root, id, false, &m, &err));
    assert_int_equal(m.standing_since, D("2026-09-01"));
    /* 12 months is the upper bound */
    int64_t id2 = add(t, t->branch_a, "1991-05-17", 125, "2025-03-01", NULL);
    op = op_of(t, 0);
    CHECK(extend(t, &op, id2, 12, &err));
    CHECK(zg_member_get(t->c, &t->a, t->root, id2, false, &m, &err));
    assert_int_equal(m.probation_end, D("2027-03-01"));
    /* a full member's probation cannot be extended; cancellation ends a probation */
    op = op_of(t, 0);
    CHECK(event(t, &op, id2, "cancelled", "2026-05-01", &err));
    assert_string_equal(status_of(t, id2), "removed");
    op = op_of(t, 0);
    assert_int_equal(extend(t, &op, id, 6, &err), ZG_ERR_INVALID);
}

static void t_move_as_of(void **state)
{
    ctx_t *t = start(state);
    zg_error_t err;
    int64_t id = add(t, t->branch_a, "1980-05-17", 123, "2005-07-01", "2006-07-01");
    zg_member_op_t op = op_of(t, 0);
    zg_member_event_input_t ev = {
        .kind = "moved", .on_date = D("2026-06-15"), .to_org_id = t->branch_b};
    CHECK(zg_member_event(t->c, &op, id, &ev, NULL, &err));
    int64_t org;
    const char *st;
    /* D-1 old org, D new org */
    CHECK(zg_member_state_as_of(t->c, id, D("2026-06-14"), &org, &st, &err));
    assert_int_equal(org, t->branch_a);
    assert_string_equal(st, "full");
    CHECK(zg_member_state_as_of(t->c, id, D("2026-06-15"), &org, &st, &err));
    assert_int_equal(org, t->branch_b);
    /* the lists as of those days agree */
    zg_member_query_t q;
    zg_member_list_t l;
    zg_member_query_init(&q);
    q.org_id = t->branch_a;
    q.direct_only = true;
    q.as_of = D("2026-06-14");
    CHECK(zg_member_list(t->c, &t->a, t->root, &q, false, &l, &err));
    assert_int_equal(l.total, 1);
    assert_int_equal(l.items[0].org_id, t->branch_a);
    q.as_of = D("2026-06-15");
    CHECK(zg_member_list(t->c, &t->a, t->root, &q, false, &l, &err));
    assert_int_equal(l.total, 0);
    q.org_id = t->branch_b;
    CHECK(zg_member_list(t->c, &t->a, t->root, &q, false, &l, &err));
    assert_int_equal(l.total, 1);
    q.as_of = D("2026-06-14");
    CHECK(zg_member_list(t->c, &t->a, t->root, &q, false, &l, &err));
    assert_int_equal(l.total, 0);
    /* counts as of the days */
    zg_member_org_counts_t k;
    CHECK(zg_member_counts(t->c, &t->a, t->root, t->branch_a, D("2026-06-14"), &k, &err));
    assert_int_equal(k.direct.full, 1);
    CHECK(zg_member_counts(t->c, &t->a, t->root, t->branch_a, D("2026-06-15"), &k, &err));
    assert_int_equal(k.direct.full, 0);
    CHECK(zg_member_counts(t->c, &t->a, t->root, t->town, D("2026-06-15"), &k, &err));
    assert_int_equal(k.subtree.full, 1);
    assert_int_equal(k.direct.full, 0);
    /* a change dated before the last one is refused; the same day is fine (in place) */
    op = op_of(t, 0);
    ev = (zg_member_event_input_t){
        .kind = "moved", .on_date = D("2026-06-14"), .to_org_id = t->branch_c};
    assert_int_equal(zg_member_event(t->c, &op, id, &ev, NULL, &err), ZG_ERR_INVALID);
    assert_true(has_finding(&op.findings, "member.event_order", ZG_SEV_BLOCK));
    op = op_of(t, 0);
    ev.on_date = D("2026-06-15");
    CHECK(zg_member_event(t->c, &op, id, &ev, NULL, &err));
    CHECK(zg_member_state_as_of(t->c, id, D("2026-06-15"), &org, &st, &err));
    assert_int_equal(org, t->branch_c);
    CHECK(zg_member_state_as_of(t->c, id, D("2026-06-14"), &org, &st, &err));
    assert_int_equal(org, t->branch_a);
    /* spans stay a partition: no overlap, one open */
    assert_int_equal(
        qint(t,
             "SELECT count(*) FROM membership_span WHERE membership_id = $1 AND valid_to IS NULL",
             id),
        1);
    assert_int_equal(qint(t,
                          "SELECT count(*) FROM membership_span a JOIN membership_span b ON "
                          "a.membership_id = b.membership_id AND a.id < b.id WHERE "
                          "a.membership_id = $1 AND a.valid_from < COALESCE(b.valid_to, "
                          "'9999-12-31') AND b.valid_from < COALESCE(a.valid_to, '9999-12-31')",
                          id),
                     0);
    /* a future date is refused; to the same org: conflict; out of scope: not found */
    op = op_of(t, 0);
    ev = (zg_member_event_input_t){
        .kind = "moved", .on_date = D("2026-11-24"), .to_org_id = t->branch_a};
    assert_int_equal(zg_member_event(t->c, &op, id, &ev, NULL, &err), ZG_ERR_INVALID);
    op = op_of(t, 0);
    ev.on_date = D("2026-11-23");
    ev.to_org_id = t->branch_c;
    assert_int_equal(zg_member_event(t->c, &op, id, &ev, NULL, &err), ZG_ERR_CONFLICT);
    op = op_of(t, t->county);
    ev.to_org_id = t->lgroup; /* under the root, outside the county */
    assert_int_equal(zg_member_event(t->c, &op, id, &ev, NULL, &err), ZG_ERR_NOT_FOUND);
    /* the history lists the moves with their orgs */
    zg_member_event_t *evs;
    size_t n;
    CHECK(zg_member_events(t->c, &t->a, t->root, id, &evs, &n, &err));
    assert_int_equal(n, 4); /* joined, converted, moved, moved */
    assert_string_equal(evs[2].kind, "moved");
    assert_int_equal(evs[2].from_org_id, t->branch_a);
    assert_int_equal(evs[2].org_id, t->branch_b);
    /* a reader in the county does not see the name of an org outside it */
    int64_t other = add(t, t->branch_a, "1981-05-17", 125, "2005-07-01", "2006-07-01");
    op = op_of(t, 0);
    ev = (zg_member_event_input_t){
        .kind = "moved", .on_date = D("2026-07-01"), .to_org_id = t->branch_c};
    CHECK(zg_member_event(t->c, &op, other, &ev, NULL, &err));
    CHECK(zg_member_events(t->c, &t->a, t->branch_c, other, &evs, &n, &err));
    assert_int_equal(evs[n - 1].from_org_id, 0);
    assert_null(evs[n - 1].from_org_name);
}

static void t_transfer_entry_points(void **state)
{
    ctx_t *t = start(state);
    zg_error_t err;
    int64_t id = add(t, t->branch_a, "1980-05-17", 123, "2005-07-01", "2006-07-01");
    /* inside the transfer module's own transaction */
    CHECK(zg_db_begin(t->c, ZG_TX_WRITE, &err));
    int64_t eid = 0;
    CHECK(zg_member_move_org(t->c, &t->actor, id, t->branch_c, D("2026-05-20"), "transfer_in",
                             "转接 #1", &eid, &err));
    CHECK(zg_db_commit(t->c, &err));
    assert_true(eid > 0);
    int64_t org;
    const char *st;
    CHECK(zg_member_state_as_of(t->c, id, D("2026-05-19"), &org, &st, &err));
    assert_int_equal(org, t->branch_a);
    CHECK(zg_member_state_as_of(t->c, id, D("2026-05-20"), &org, &st, &err));
    assert_int_equal(org, t->branch_c);
    /* no audit entry of its own */
    assert_int_equal(
        qint(t, "SELECT count(*) FROM audit_log WHERE action = 'member.event' AND object_id = $1",
             id),
        0);
    /* refused targets: a 党组, a dissolved org */
    CHECK(zg_db_begin(t->c, ZG_TX_WRITE, &err));
    assert_int_equal(zg_member_move_org(t->c, &t->actor, id, t->lgroup, D("2026-06-01"), "moved",
                                        NULL, NULL, &err),
                     ZG_ERR_INVALID);
    assert_int_equal(zg_member_move_org(t->c, &t->actor, id, t->gone, D("2026-06-01"), "moved",
                                        NULL, NULL, &err),
                     ZG_ERR_INVALID);
    assert_int_equal(zg_member_move_org(t->c, &t->actor, id, t->branch_a, D("2026-05-19"), "moved",
                                        NULL, NULL, &err),
                     ZG_ERR_INVALID); /* before the last change */
    zg_db_rollback(t->c);
    /* out of the system and back */
    CHECK(zg_db_begin(t->c, ZG_TX_WRITE, &err));
    zg_member_op_t op = op_of(t, 0);
    zg_member_event_input_t ev = {.kind = "transfer_out", .on_date = D("2026-06-01")};
    CHECK(zg_member_apply_event(t->c, &op, id, &ev, NULL, &err));
    CHECK(zg_db_commit(t->c, &err));
    assert_string_equal(status_of(t, id), "transferred_out");
    op = op_of(t, 0);
    assert_int_equal(event(t, &op, id, "mobile_out", "2026-07-01", &err), ZG_ERR_INVALID);
    CHECK(zg_db_begin(t->c, ZG_TX_WRITE, &err));
    CHECK(zg_member_move_org(t->c, &t->actor, id, t->branch_b, D("2026-08-01"), "transfer_in", NULL,
                             NULL, &err));
    CHECK(zg_db_commit(t->c, &err));
    assert_string_equal(status_of(t, id), "full");
    CHECK(zg_member_state_as_of(t->c, id, D("2026-07-15"), &org, &st, &err));
    assert_string_equal(st, "transferred_out");
    /* the API path does not take transfer kinds */
    op = op_of(t, 0);
    assert_int_equal(event(t, &op, id, "transfer_out", "2026-09-01", &err), ZG_ERR_INVALID);
}

static void t_lost_contact_suspension_removal(void **state)
{
    ctx_t *t = start(state);
    zg_error_t err;
    int64_t id = add(t, t->branch_a, "1970-05-17", 123, "2000-07-01", "2001-07-01");
    zg_member_op_t op = op_of(t, 0);
    /* suspension without recorded lost contact: allowed, with a warning */
    int64_t id0 = add(t, t->branch_a, "1971-05-17", 125, "2000-07-01", "2001-07-01");
    CHECK(event(t, &op, id0, "suspended", "2020-01-01", &err));
    assert_true(has_finding(&op.findings, "member.suspension_grounds", ZG_SEV_WARN));
    /* lost contact 2019-01-15: suspension on 2019-07-14 (< 6 months) warns, on 2019-07-15
     * (6 months) does not */
    op = op_of(t, 0);
    CHECK(event(t, &op, id, "lost_contact", "2019-01-15", &err));
    op = op_of(t, 0);
    int64_t twin = add(t, t->branch_a, "1972-05-17", 127, "2000-07-01", "2001-07-01");
    CHECK(event(t, &op, twin, "lost_contact", "2019-01-15", &err));
    op = op_of(t, 0);
    CHECK(event(t, &op, twin, "suspended", "2019-07-14", &err));
    assert_true(has_finding(&op.findings, "member.suspension_grounds", ZG_SEV_WARN));
    op = op_of(t, 0);
    CHECK(event(t, &op, id, "suspended", "2019-07-15", &err));
    assert_false(has_finding(&op.findings, "member.suspension_grounds", ZG_SEV_WARN));
    zg_member_t m;
    CHECK(zg_member_get(t->c, &t->a, t->root, id, false, &m, &err));
    assert_string_equal(m.status, "suspended");
    assert_int_equal(m.suspended_on, D("2019-07-15"));
    /* suspended members are not counted */
    int full = -1, total = -1;
    CHECK(zg_member_org_counter(t->c, t->branch_a, &full, &total));
    assert_int_equal(full, 0);
    assert_int_equal(total, 0);
    /* removal: 2 years after the suspension is the point of rule art.24 */
    op = op_of(t, 0);
    CHECK(event(t, &op, twin, "removed", "2021-07-13", &err));
    assert_true(has_finding(&op.findings, "member.removal_after_suspension", ZG_SEV_WARN));
    op = op_of(t, 0);
    CHECK(event(t, &op, id, "removed", "2021-07-15", &err));
    assert_false(has_finding(&op.findings, "member.removal_after_suspension", ZG_SEV_WARN));
    assert_string_equal(status_of(t, id), "removed");
    /* restore only from suspended */
    op = op_of(t, 0);
    assert_int_equal(event(t, &op, id, "restored", "2022-01-01", &err), ZG_ERR_INVALID);
    assert_true(has_finding(&op.findings, "member.event_status", ZG_SEV_BLOCK));
    op = op_of(t, 0);
    CHECK(event(t, &op, id0, "restored", "2021-01-01", &err));
    assert_string_equal(status_of(t, id0), "full");
    /* mobile out and back; contact restored; died */
    op = op_of(t, 0);
    CHECK(event(t, &op, id0, "mobile_out", "2021-02-01", &err));
    op = op_of(t, 0);
    assert_int_equal(event(t, &op, id0, "mobile_out", "2021-03-01", &err), ZG_ERR_INVALID);
    op = op_of(t, 0);
    CHECK(event(t, &op, id0, "mobile_back", "2021-04-01", &err));
    op = op_of(t, 0);
    CHECK(event(t, &op, id0, "died", "2022-04-01", &err));
    assert_string_equal(status_of(t, id0), "deceased");
    op = op_of(t, 0);
    assert_int_equal(event(t, &op, id0, "lost_contact", "2022-05-01", &err), ZG_ERR_INVALID);
}

static void t_correction(void **state)
{
    ctx_t *t = start(state);
    zg_error_t err;
    int64_t id = add(t, t->branch_a, "1990-05-17", 123, "2026-03-01", NULL);
    zg_member_op_t op = op_of(t, 0);
    zg_member_event_input_t ev = {.kind = "corrected",
                                  .set = ZG_MEMBER_EVSET_JOINED_ON,
                                  .joined_on = D("2026-02-20"),
                                  .on_date = ZG_MEMBER_NO_DATE};
    /* a note is required */
    assert_int_equal(zg_member_event(t->c, &op, id, &ev, NULL, &err), ZG_ERR_INVALID);
    ev.note = "志愿书记载的支部大会日期为2月20日";
    op = op_of(t, 0);
    CHECK(zg_member_event(t->c, &op, id, &ev, NULL, &err));
    zg_member_t m;
    CHECK(zg_member_get(t->c, &t->a, t->root, id, false, &m, &err));
    assert_int_equal(m.joined_on, D("2026-02-20"));
    assert_int_equal(m.probation_end, D("2027-02-20"));
    int64_t org;
    const char *st;
    CHECK(zg_member_state_as_of(t->c, id, D("2026-02-20"), &org, &st, &err));
    assert_int_equal(org, t->branch_a);
    /* the correction cannot make the member younger than 18 at joining */
    ev.joined_on = D("2008-05-16");
    op = op_of(t, 0);
    assert_int_equal(zg_member_event(t->c, &op, id, &ev, NULL, &err), ZG_ERR_INVALID);
    assert_true(has_finding(&op.findings, "member.age_at_join", ZG_SEV_BLOCK));
}

/* ---- lists and counts ---------------------------------------------------------------------------
 */

static int64_t total(ctx_t *t, const zg_member_query_t *q, int64_t scope)
{
    zg_member_list_t l;
    zg_error_t err;
    CHECK(zg_member_list(t->c, &t->a, scope ? scope : t->root, q, false, &l, &err));
    return l.total;
}

static void t_list_filters(void **state)
{
    ctx_t *t = start(state);
    zg_error_t err;
    /* on 2026-11-23: ages 30 and 31, a woman, an old member, a probationary one */
    int64_t m30 = add(t, t->branch_a, "1995-11-24", 123, "2015-07-01", "2016-07-01"); /* 30 */
    int64_t m31 = add(t, t->branch_a, "1995-11-23", 125, "2015-07-01", "2016-07-01"); /* 31 */
    int64_t w = add(t, t->branch_b, "1960-01-01", 124, "1978-12-18", "1979-12-18");
    int64_t old = add(t, t->branch_c, "1930-01-01", 127, "1949-09-30", "1950-09-30");
    int64_t prob = add(t, t->branch_c, "2000-01-01", 129, "2026-06-01", NULL);
    (void)m31;
    zg_member_query_t q;
    zg_member_query_init(&q);
    q.limit = 100;
    assert_int_equal(total(t, &q, 0), 5);
    /* subtree and direct */
    q.org_id = t->town;
    assert_int_equal(total(t, &q, 0), 3);
    q.direct_only = true;
    assert_int_equal(total(t, &q, 0), 0);
    q.org_id = 0;
    q.direct_only = false;
    /* scope: the town sees 3 */
    assert_int_equal(total(t, &q, t->town), 3);
    /* an org out of scope is not found */
    zg_member_list_t l;
    q.org_id = t->branch_c;
    assert_int_equal(zg_member_list(t->c, &t->a, t->town, &q, false, &l, &err), ZG_ERR_NOT_FOUND);
    q.org_id = 0;
    /* gender */
    q.gender = "2";
    assert_int_equal(total(t, &q, 0), 1);
    q.gender = NULL;
    /* age band on a given day: 30 vs 31 */
    q.as_of = D("2026-11-23");
    q.age_band = ZG_MEMBER_AGE_LE30;
    CHECK(zg_member_list(t->c, &t->a, t->root, &q, false, &l, &err));
    assert_int_equal(l.total, 2); /* m30 and prob (26) */
    assert_true(l.items[0].id == m30 || l.items[1].id == m30);
    q.age_band = ZG_MEMBER_AGE_31_35;
    assert_int_equal(total(t, &q, 0), 1);
    q.age_band = ZG_MEMBER_AGE_GE61;
    assert_int_equal(total(t, &q, 0), 2); /* 66 and 96 */
    q.age_band = -1;
    q.as_of = ZG_MEMBER_NO_DATE;
    /* join periods on their boundaries */
    q.join_period = ZG_MEMBER_JOIN_BEFORE_1949;
    CHECK(zg_member_list(t->c, &t->a, t->root, &q, false, &l, &err));
    assert_int_equal(l.total, 1);
    assert_int_equal(l.items[0].id, old);
    q.join_period = ZG_MEMBER_JOIN_TO_2012; /* w joined on 1978-12-18, its first day */
    CHECK(zg_member_list(t->c, &t->a, t->root, &q, false, &l, &err));
    assert_int_equal(l.total, 1);
    assert_int_equal(l.items[0].id, w);
    q.join_period = ZG_MEMBER_JOIN_TO_1978;
    assert_int_equal(total(t, &q, 0), 0);
    q.join_period = ZG_MEMBER_JOIN_SINCE_2012;
    assert_int_equal(total(t, &q, 0), 3);
    q.join_period = -1;
    /* education category (all "21" → undergraduate) */
    q.edu = ZG_MEMBER_EDU_UNDERGRAD;
    assert_int_equal(total(t, &q, 0), 5);
    q.edu = ZG_MEMBER_EDU_COLLEGE;
    assert_int_equal(total(t, &q, 0), 0);
    q.edu = -1;
    /* status: current, probationary, all */
    q.status = "probationary";
    CHECK(zg_member_list(t->c, &t->a, t->root, &q, false, &l, &err));
    assert_int_equal(l.total, 1);
    assert_int_equal(l.items[0].id, prob);
    zg_member_op_t op = op_of(t, 0);
    CHECK(event(t, &op, w, "died", "2026-01-01", &err));
    q.status = NULL;
    assert_int_equal(total(t, &q, 0), 4);
    q.status = "all";
    assert_int_equal(total(t, &q, 0), 5);
    q.status = "deceased";
    assert_int_equal(total(t, &q, 0), 1);
    q.status = NULL;
    /* as of a day before the death, w counts again */
    q.as_of = D("2025-12-31");
    assert_int_equal(total(t, &q, 0), 5 - 1 /* prob joined 2026 */);
    q.as_of = ZG_MEMBER_NO_DATE;
    /* name search; wildcards are literal */
    q.q = "建国";
    assert_int_equal(total(t, &q, 0), 4);
    q.q = "%";
    assert_int_equal(total(t, &q, 0), 0);
    q.q = NULL;
    /* exact ID number through the blind index */
    char id[19];
    idnum(id, "1930-01-01", 127);
    q.id_number = id;
    CHECK(zg_member_list(t->c, &t->a, t->root, &q, false, &l, &err));
    assert_int_equal(l.total, 1);
    assert_int_equal(l.items[0].id, old);
    assert_null(l.items[0].id_number);
    CHECK(zg_member_list(t->c, &t->a, t->root, &q, true, &l, &err));
    assert_string_equal(l.items[0].id_number, id);
    assert_int_equal(total(t, &q, t->town), 0); /* out of the town's scope */
    q.id_number = NULL;
    /* paging and sorting */
    q.limit = 2;
    q.sort = "birth_date";
    CHECK(zg_member_list(t->c, &t->a, t->root, &q, false, &l, &err));
    assert_int_equal(l.total, 4);
    assert_int_equal(l.n, 2);
    assert_int_equal(l.items[0].id, old);
    q.offset = 2;
    CHECK(zg_member_list(t->c, &t->a, t->root, &q, false, &l, &err));
    assert_int_equal(l.n, 2);
    assert_int_equal(l.items[1].id, prob);
    q.offset = 4;
    CHECK(zg_member_list(t->c, &t->a, t->root, &q, false, &l, &err));
    assert_int_equal(l.n, 0);
    q.offset = 0;
    q.desc = true;
    CHECK(zg_member_list(t->c, &t->a, t->root, &q, false, &l, &err));
    assert_int_equal(l.items[0].id, prob);
    q.sort = "bogus";
    assert_int_equal(zg_member_list(t->c, &t->a, t->root, &q, false, &l, &err), ZG_ERR_INVALID);
    /* mobile filter */
    q.sort = NULL;
    q.mobile = 1;
    assert_int_equal(total(t, &q, 0), 0);
    op = op_of(t, 0);
    CHECK(event(t, &op, m30, "mobile_out", "2026-10-01", &err));
    assert_int_equal(total(t, &q, 0), 1);
}

static void t_counts(void **state)
{
    ctx_t *t = start(state);
    zg_error_t err;
    add(t, t->branch_a, "1980-01-01", 123, "2005-01-01", "2006-01-01");
    add(t, t->branch_a, "1981-01-01", 125, "2026-01-01", NULL);
    add(t, t->branch_b, "1982-01-01", 127, "2005-01-01", "2006-01-01");
    add(t, t->town, "1983-01-01", 129, "2005-01-01", "2006-01-01");
    zg_member_org_counts_t k;
    CHECK(zg_member_counts(t->c, &t->a, t->root, t->town, ZG_MEMBER_NO_DATE, &k, &err));
    assert_int_equal(k.direct.full, 1);
    assert_int_equal(k.direct.total, 1);
    assert_int_equal(k.subtree.full, 3);
    assert_int_equal(k.subtree.probationary, 1);
    assert_int_equal(k.subtree.total, 4);
    assert_int_equal(k.nchildren, 2); /* the dissolved branch is not listed */
    for (size_t i = 0; i < k.nchildren; i++)
        assert_int_equal(k.children[i].subtree.total, k.children[i].org_id == t->branch_a ? 2 : 1);
    /* as of 2025-12-31 the probationary one had not joined */
    CHECK(zg_member_counts(t->c, &t->a, t->root, t->town, D("2025-12-31"), &k, &err));
    assert_int_equal(k.subtree.total, 3);
    /* out of scope */
    assert_int_equal(
        zg_member_counts(t->c, &t->a, t->branch_b, t->town, ZG_MEMBER_NO_DATE, &k, &err),
        ZG_ERR_NOT_FOUND);
    /* the org module's counter: direct members */
    int full = 0, tot = 0;
    CHECK(zg_member_org_counter(t->c, t->branch_a, &full, &tot));
    assert_int_equal(full, 1);
    assert_int_equal(tot, 2);
    /* installed, the org rules see the counts */
    zg_org_set_member_counter(zg_member_org_counter);
    zg_findings_t f;
    zg_findings_init(&f, &t->a);
    CHECK(zg_org_check(t->c, t->root, t->branch_a, D("2026-11-23"), &f, &err));
    bool seen = false;
    for (int i = 0; i < f.n; i++)
        seen |= !strcmp(f.items[i].rule->id, "org.branch_min_full_members");
    assert_true(seen);
    /* and the org cannot be dissolved while it has members */
    zg_org_op_t oop;
    zg_org_op_init(&oop, &t->a, t->root, &(zg_org_actor_t){.username = "tester"});
    assert_int_equal(zg_org_dissolve(t->c, &oop, t->branch_b, ZG_ORG_NO_DATE, "撤并", &err),
                     ZG_ERR_INVALID);
    zg_org_set_member_counter(NULL);
}

/* ---- the field key ----------------------------------------------------------------------------
 */

static void t_key_sources(void **state)
{
    ctx_t *t = start(state);
    zg_error_t err;
    if (strcmp(t->backend, "sqlite")) {
        /* PostgreSQL without a key file or ZUGONG_FIELD_KEY: refused with a clear message */
        zg_config_t cfg;
        zg_config_defaults(&cfg);
        snprintf(cfg.db, sizeof cfg.db, "%s", t->url);
        unsetenv("ZUGONG_FIELD_KEY");
        assert_int_equal(zg_member_configure(&cfg, t->db, &err), ZG_ERR_INVALID);
        assert_string_equal(err.code, "field_key_missing");
        assert_non_null(strstr(err.message, "ZUGONG_FIELD_KEY"));
        setenv("ZUGONG_FIELD_KEY",
               "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff", 1);
        CHECK(zg_member_configure(&cfg, t->db, &err));
        /* another key later: refused */
        setenv("ZUGONG_FIELD_KEY",
               "ff112233445566778899aabbccddeeff00112233445566778899aabbccddeeff", 1);
        assert_int_equal(zg_member_configure(&cfg, t->db, &err), ZG_ERR_INVALID);
        assert_string_equal(err.code, "field_key_mismatch");
        unsetenv("ZUGONG_FIELD_KEY");
        zg_org_set_member_counter(NULL);
        return;
    }
    /* SQLite: "<db>.key" is created (0600) next to a database without sealed data */
    char dir[] = "/tmp/zgkey-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char dbpath[256], keypath[300];
    snprintf(dbpath, sizeof dbpath, "%s/zugong.db", dir);
    snprintf(keypath, sizeof keypath, "%s.key", dbpath);
    zg_db_t *db;
    CHECK(zg_db_open(dbpath, &db, &err));
    CHECK(zg_db_migrate(db, NULL, &err));
    zg_config_t cfg;
    zg_config_defaults(&cfg);
    snprintf(cfg.db, sizeof cfg.db, "%s", dbpath);
    unsetenv("ZUGONG_FIELD_KEY");
    CHECK(zg_member_configure(&cfg, db, &err));
    struct stat st;
    assert_int_equal(stat(keypath, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    assert_true(zg_member_key_ready());
    /* a second start reads the same key */
    CHECK(zg_member_configure(&cfg, db, &err));
    /* the key file gone: refused (the database has a key fingerprint) */
    unlink(keypath);
    assert_int_equal(zg_member_configure(&cfg, db, &err), ZG_ERR_INVALID);
    assert_string_equal(err.code, "field_key_lost");
    /* a key file given in the config: bad content, wrong key, missing file */
    char kf[300];
    snprintf(kf, sizeof kf, "%s/field.key", dir);
    FILE *f = fopen(kf, "w");
    fputs("not a key\n", f);
    fclose(f);
    snprintf(cfg.key_file, sizeof cfg.key_file, "%s", kf);
    assert_int_equal(zg_member_configure(&cfg, db, &err), ZG_ERR_INVALID);
    assert_string_equal(err.code, "key_file");
    f = fopen(kf, "w");
    fputs("  00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff\n", f);
    fclose(f);
    assert_int_equal(zg_member_configure(&cfg, db, &err), ZG_ERR_INVALID);
    assert_string_equal(err.code, "field_key_mismatch");
    unlink(kf);
    assert_int_equal(zg_member_configure(&cfg, db, &err), ZG_ERR_IO);
    zg_db_close(db);
    unlink(dbpath);
    char side[320];
    snprintf(side, sizeof side, "%s-wal", dbpath);
    unlink(side);
    snprintf(side, sizeof side, "%s-shm", dbpath);
    unlink(side);
    rmdir(dir);
    /* the env key, and a malformed one */
    cfg.key_file[0] = '\0';
    setenv("ZUGONG_FIELD_KEY", "abc", 1);
    uint8_t master[ZG_MASTER_KEY_LEN];
    char source[256];
    bool created;
    assert_int_equal(zg_member_key_resolve(&cfg, true, "/nonexistent/x.db", false, master, source,
                                           sizeof source, &created, &err),
                     ZG_ERR_INVALID);
    setenv("ZUGONG_FIELD_KEY", "00112233445566778899AABBCCDDEEFF00112233445566778899aabbccddeeff",
           1);
    CHECK(zg_member_key_resolve(&cfg, false, NULL, false, master, source, sizeof source, &created,
                                &err));
    assert_int_equal(master[0], 0x00);
    assert_int_equal(master[10], 0xaa);
    assert_string_equal(source, "ZUGONG_FIELD_KEY");
    unsetenv("ZUGONG_FIELD_KEY");
    zg_org_set_member_counter(NULL);
}

/* ---- demo -------------------------------------------------------------------------------------
 */

static void t_demo(void **state)
{
    ctx_t *t0 = start(state);
    /* a database of its own: the demo city needs an empty root */
    ctx_t own = {.backend = t0->backend}, *t = &own;
    zg_error_t err;
    assert_int_equal(zg_testdb_url(t->backend, t->url, sizeof t->url), 0);
    CHECK(zg_db_open(t->url, &t->db, &err));
    CHECK(zg_db_migrate(t->db, NULL, &err));
    t->c = zg_db_conn(t->db, &err);
    zg_arena_init(&t->a, 0, 64u << 20);
    CHECK(zg_org_bootstrap_root(t->db, "中共临江市委员会", &t->root, &err));
    zg_org_demo_report_t orep;
    CHECK(zg_org_demo_city(t->c, t->root, &orep, &err));
    zg_member_demo_report_t rep;
    const char *big = getenv("ZG_TEST_MEMBER_DEMO_FULL");
    int target = big && *big ? 20000 : 1500;
    CHECK(zg_member_demo_n(t->c, t->root, target, &rep, &err));
    print_message("  %s: %s\n", t->backend, rep.summary);
    assert_true(rep.created);
    assert_int_equal(rep.members, target);
    assert_int_equal(qint(t, "SELECT count(*) FROM membership", 0), target);
    /* every ID number valid and unique, consistent with the record (checked in the loader;
     * here: unique blind indexes and masks of the right shape) */
    assert_int_equal(qint(t, "SELECT count(DISTINCT id_number_bidx) FROM person", 0), target);
    assert_int_equal(
        qint(t, "SELECT count(*) FROM person WHERE id_number_masked NOT LIKE '43%********%'", 0),
        0);
    /* spans: exactly one open span per member */
    assert_int_equal(qint(t,
                          "SELECT count(*) FROM membership m WHERE (SELECT count(*) FROM "
                          "membership_span s WHERE s.membership_id = m.id AND s.valid_to IS NULL) "
                          "<> 1",
                          0),
                     0);
    /* composition near the bulletin: women 30.9%, minorities 7.7% */
    int64_t women = qint(t, "SELECT count(*) FROM person WHERE gender = '2'", 0);
    assert_true(women > target * 0.26 && women < target * 0.36);
    int64_t minority = qint(t, "SELECT count(*) FROM person WHERE ethnicity <> '01'", 0);
    assert_true(minority > target * 0.05 && minority < target * 0.11);
    if (big && *big) {
        /* the composition, for the record (compare RULES.md §9.2) */
        const char *sql[] = {
            "SELECT count(*) FROM membership WHERE joined_on < '1949-10-01'",
            "SELECT count(*) FROM membership WHERE joined_on >= '1949-10-01' AND joined_on < "
            "'1978-12-18'",
            "SELECT count(*) FROM membership WHERE joined_on >= '1978-12-18' AND joined_on < "
            "'2012-11-08'",
            "SELECT count(*) FROM membership WHERE joined_on >= '2012-11-08'",
            "SELECT count(*) FROM membership WHERE status = 'probationary'",
            "SELECT count(*) FROM person WHERE occupation = 'retired'",
            "SELECT count(*) FROM person WHERE occupation = 'farmer'",
            "SELECT count(*) FROM person WHERE occupation = 'student'",
            "SELECT count(*) FROM person WHERE birth_date > '1995-11-01'",
            "SELECT count(*) FROM person WHERE birth_date <= '1965-11-01'",
            "SELECT count(*) FROM org o WHERE o.kind IN ('branch','joint_branch','temp_branch') "
            "AND (SELECT count(*) FROM membership m WHERE m.org_id = o.id) > 50",
            "SELECT count(*) FROM org o WHERE o.kind IN ('branch','joint_branch','temp_branch') "
            "AND (SELECT count(*) FROM membership m WHERE m.org_id = o.id AND m.status = 'full') "
            "BETWEEN 1 AND 2",
        };
        for (size_t i = 0; i < sizeof sql / sizeof sql[0]; i++) {
            int64_t v = qint(t, sql[i], 0);
            print_message("  %6.2f%% %lld  %s\n", 100.0 * (double)v / target, (long long)v, sql[i]);
        }
    }
    /* a second run adds nothing */
    zg_member_demo_report_t again;
    CHECK(zg_member_demo(t->c, t->root, &again, &err));
    assert_false(again.created);
    assert_int_equal(qint(t, "SELECT count(*) FROM membership", 0), target);
    /* reads back with the key */
    zg_member_query_t q;
    zg_member_query_init(&q);
    q.limit = 100;
    zg_member_list_t l;
    CHECK(zg_member_list(t->c, &t->a, t->root, &q, true, &l, &err));
    assert_int_equal(l.total, qint(t,
                                   "SELECT count(*) FROM membership WHERE status IN "
                                   "('probationary', 'full')",
                                   0));
    for (size_t i = 0; i < l.n; i++) {
        zg_idnum_info_t info;
        CHECK(zg_idnum_check(l.items[i].id_number, &info, &err));
        assert_int_equal(info.birth, l.items[i].birth_date);
        assert_int_equal(info.gender, atoi(l.items[i].gender));
        assert_int_equal(info.province, 43);
    }
    zg_arena_destroy(&t->a);
    zg_db_close(t->db);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        BOTH(t_create_probationary),
        BOTH(t_create_full),
        BOTH(t_create_refused),
        BOTH(t_duplicate_id_number),
        BOTH(t_sealed_at_rest),
        BOTH(t_update),
        BOTH(t_convert_boundary),
        BOTH(t_extension),
        BOTH(t_move_as_of),
        BOTH(t_transfer_entry_points),
        BOTH(t_lost_contact_suspension_removal),
        BOTH(t_correction),
        BOTH(t_list_filters),
        BOTH(t_counts),
        BOTH(t_key_sources),
        BOTH(t_demo),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    zg_testdb_cleanup();
    return rc;
}
