/* test_member_io.c — the member import and export logic (src/modules/member/member_io.h)
 * against a real database of each backend: the template read back (headers, drop-downs), a
 * good file (orgs by code and by name, labels → codes, sealed ID numbers, one audit entry), one
 * bad row writes nothing and is reported (row, column, header, rule, citation), valid_only
 * writes the rest, update by ID number, duplicates in the file and against the database,
 * orgs and members outside the scope, file-level failures (not an .xlsx, missing headers, too
 * many columns, a zip bomb), progress to 100%, and the CSV / XLSX export with masking. */
#include "membertest.h"

#include "../xlsx/xlsx_test.h"

#include "core/crypto.h"
#include "db/db.h"
#include "modules/member/member_io.h"
#include "modules/org/org.h"
#include "testdb.h"
#include "xlsx/xlsx_write.h"
#include "xlsx/xlsx_zip.h"

/* libxlsxwriter leaks the range strings of list validations that refer to another sheet (the
 * template's long drop-downs); see tests/unit/xlsx/test_xlsx_write.c. */
const char *__lsan_default_suppressions(void);
const char *__asan_default_options(void);
__attribute__((used)) const char *__lsan_default_suppressions(void)
{
    return "leak:worksheet_data_validation_range\n";
}
__attribute__((used)) const char *__asan_default_options(void)
{
    return "fast_unwind_on_malloc=0";
}

typedef struct ctx {
    const char *backend;
    bool skip;
    char url[512];
    zg_db_t *db;
    zg_conn_t *c;
    zg_arena_t a;
    int64_t root, county, town, branch_a, branch_b, lgroup, county2, branch_x;
    zg_member_actor_t actor;
} ctx_t;

static ctx_t proto_sqlite = {.backend = "sqlite"};
static ctx_t proto_pg = {.backend = "postgres"};

static const uint8_t KEY[ZG_MASTER_KEY_LEN] = {9,  8,  7,  6,  5,  4,  3,  2,  1,  10, 11,
                                               12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22,
                                               23, 24, 25, 26, 27, 28, 29, 30, 31, 32};

static int64_t mk_org(ctx_t *t, int64_t parent, const char *kind, const char *name,
                      const char *code)
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
    if (code) {
        zg_param_t p[] = {ZG_P_TEXT(code), ZG_P_INT(id)};
        CHECK(zg_db_exec(t->c, "UPDATE org SET code = $1 WHERE id = $2", p, 2, NULL, &err));
    }
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
    zg_arena_init(&t->a, 0, 512u << 20);
    t->actor = (zg_member_actor_t){.account_id = 0, .username = "tester", .ip = "127.0.0.1"};
    zg_org_actor_t oa = {.username = "tester"};
    if (zg_org_create_root(t->c, &oa, "中共测试市委员会", &t->root, &err))
        return -1;
    t->county = mk_org(t, t->root, "committee", "中共甲县委员会", "C1");
    t->town = mk_org(t, t->county, "committee", "中共甲镇委员会", "C1-T1");
    t->branch_a = mk_org(t, t->town, "branch", "甲村党支部", "C1-T1-A");
    t->branch_b = mk_org(t, t->town, "branch", "乙村党支部", "C1-T1-B");
    t->lgroup = mk_org(t, t->root, "leading_group", "市政府党组", "LG");
    t->county2 = mk_org(t, t->root, "committee", "中共乙县委员会", "C2");
    t->branch_x = mk_org(t, t->county2, "branch", "丙村党支部", "C2-X");
    zg_member_set_master_key(KEY);
    zg_org_set_member_counter(NULL);
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
    zg_member_set_master_key(KEY);
    return t;
}

#define BOTH(f)                                                                                    \
    {"sqlite/" #f, f, setup, teardown, &proto_sqlite},                                             \
    {                                                                                              \
        "postgres/" #f, f, setup, teardown, &proto_pg                                              \
    }

static int64_t qint(ctx_t *t, const char *sql, int64_t p1)
{
    zg_error_t err;
    zg_param_t p[] = {ZG_P_INT(p1)};
    int64_t v = -12345;
    CHECK(zg_db_query_int(t->c, sql, p, strstr(sql, "$1") ? 1 : 0, &v, &err));
    return v;
}

/* ---- files ------------------------------------------------------------------------------- */

#define NH 13
static const char *const HDR[NH] = {"姓名",     "性别",     "民族",     "出生日期",
                                    "身份证号", "手机号码", "学历",     "所在党组织（代码或名称）",
                                    "党员状态", "入党日期", "转正日期", "党费类别",
                                    "职业类别"};

typedef struct frow {
    const char *c[NH];
    char id[19];
} frow_t;

/* A valid row: born `birth`, ID sequence seq (odd male), in org (code or name). */
static void row(frow_t *r, const char *name, const char *birth, int seq, const char *org,
                const char *joined, const char *converted)
{
    memset(r, 0, sizeof *r);
    idnum(r->id, birth, seq);
    r->c[0] = name;
    r->c[1] = seq % 2 ? "男" : "女";
    r->c[2] = "汉族";
    r->c[3] = birth;
    r->c[4] = r->id;
    r->c[5] = "13800138000";
    r->c[6] = "大学本科毕业";
    r->c[7] = org;
    r->c[8] = converted ? "正式党员" : "预备党员";
    r->c[9] = joined;
    r->c[10] = converted;
    r->c[11] = "按月领取工资收入";
    r->c[12] = "企事业单位、社会组织专业技术人员";
}

/* An .xlsx with headers hdr[0..nh) and the rows (written with the project's writer). */
static void *file_of(const char *const *hdr, int nh, frow_t *rows, int n, size_t *len)
{
    zg_error_t err;
    zg_xlsx_writer_t *w;
    CHECK(zg_xlsx_writer_new("党员信息", &w, &err));
    for (int k = 0; k < nh; k++)
        CHECK(zg_xlsx_add_column(w, hdr[k], 12, ZG_XLSX_COL_TEXT, NULL, 0, &err));
    for (int i = 0; i < n; i++)
        CHECK(zg_xlsx_write_row(w, rows[i].c, (size_t)nh, &err));
    void *data;
    CHECK(zg_xlsx_finish(w, NULL, &data, len, &err));
    return data;
}

static int run(ctx_t *t, int64_t scope, const void *data, size_t len, zg_member_import_mode mode,
               bool update, zg_member_import_result_t *res, zg_error_t *err)
{
    zg_member_import_opts_t o;
    zg_member_import_opts_init(&o, scope ? scope : t->root, &t->actor);
    o.mode = mode;
    o.update = update;
    o.today = D("2026-11-23");
    return zg_member_import(t->c, &t->a, data, len, &o, res, err);
}

static const zg_member_import_issue_t *find_error(const zg_member_import_result_t *res,
                                                  uint32_t row, const char *rule)
{
    for (size_t i = 0; i < res->nerrors; i++)
        if (res->errors[i].row == row &&
            (!rule || (res->errors[i].rule && !strcmp(res->errors[i].rule, rule))))
            return &res->errors[i];
    return NULL;
}

static void dump(const zg_member_import_result_t *res)
{
    for (size_t i = 0; i < res->nerrors; i++)
        print_message("  row %u %s %s [%s] %s\n", res->errors[i].row, res->errors[i].column,
                      res->errors[i].header ? res->errors[i].header : "-",
                      res->errors[i].rule ? res->errors[i].rule : "-", res->errors[i].message);
}

static int64_t members(ctx_t *t)
{
    return qint(t, "SELECT count(*) FROM membership", 0);
}

/* ---- template ------------------------------------------------------------------------------ */

static void t_template(void **state)
{
    ctx_t *t = start(state);
    zg_error_t err;
    void *data;
    size_t len;
    CHECK(zg_member_template_xlsx(t->c, &t->a, &data, &len, &err));
    zg_xlsx_reader_t *rd;
    CHECK(zg_xlsx_reader_open_mem(data, len, NULL, &rd, &err));
    assert_string_equal(zg_xlsx_reader_sheet_name(rd), "党员信息");
    zg_xlsx_row_t *r;
    assert_int_equal(zg_xlsx_next_row(rd, &r, &err), 1);
    assert_int_equal(r->num, 1);
    assert_int_equal(r->ncells, MIO_NCOLS);
    for (int k = 0; k < MIO_NCOLS; k++)
        assert_string_equal(r->cells[k], member_io_cols[k].header);
    assert_int_equal(zg_xlsx_next_row(rd, &r, &err), 0); /* clean: no example row */
    zg_xlsx_reader_free(rd);
    /* drop-downs: list validations on the sheet, long lists on the hidden sheet */
    zg_xlsx_zip_t z;
    zg_xlsx_limits_t lim;
    zg_xlsx_limits_default(&lim);
    CHECK(zg_xlsx_zip_open(&z, data, len, &lim, &err));
    char *xml;
    size_t n;
    CHECK(zg_xlsx_zip_extract(&z, "xl/worksheets/sheet1.xml", 1u << 24, &xml, &n, &err));
    assert_non_null(strstr(xml, "<dataValidation type=\"list\""));
    assert_non_null(strstr(xml, "\"男,女\"")); /* gender inline */
    assert_non_null(strstr(xml, "\"预备党员,正式党员\""));
    int count = 0;
    for (const char *p = xml; (p = strstr(p, "<dataValidation ")); p++)
        count++;
    assert_int_equal(count, 7); /* 性别 民族 学历 学位 职业 状态 党费 */
    free(xml);
    /* sheet2 is 填写说明 (tests/api/test_member_io.c); the hidden lists come after it */
    CHECK(zg_xlsx_zip_extract(&z, "xl/worksheets/sheet3.xml", 1u << 24, &xml, &n, &err));
    assert_non_null(strstr(xml, "汉族"));
    assert_non_null(strstr(xml, "大学本科毕业"));
    free(xml);
    zg_xlsx_zip_close(&z);
    free(data);
}

/* ---- good file ----------------------------------------------------------------------------- */

static void t_import_good(void **state)
{
    ctx_t *t = start(state);
    zg_error_t err;
    frow_t rows[3];
    row(&rows[0], "张建国", "1990-05-17", 123, "C1-T1-A", "2015-07-01", NULL);
    row(&rows[1], "李秀英", "1985-02-03", 222, "乙村党支部", "2010-06-30", "2011-07-01");
    row(&rows[2], "王强", "1970-11-30", 331, "甲村党支部", "1995-07-01", "1996-07-01");
    rows[2].c[2] = "01"; /* a code is accepted too */
    rows[2].c[6] = "研究生教育";
    size_t len;
    void *data = file_of(HDR, NH, rows, 3, &len);
    zg_member_import_result_t res;
    CHECK(run(t, 0, data, len, ZG_IMPORT_ALL_OR_NOTHING, false, &res, &err));
    dump(&res);
    assert_true(res.written);
    assert_int_equal(res.rows_total, 3);
    assert_int_equal(res.rows_ok, 3);
    assert_int_equal(res.rows_failed, 0);
    assert_int_equal(res.created, 3);
    assert_int_equal(res.nunknown, 0);
    assert_int_equal(members(t), 3);
    assert_int_equal(qint(t, "SELECT count(*) FROM membership WHERE org_id = $1", t->branch_a), 2);
    int64_t id = 0;
    CHECK(zg_member_find_by_id_number(t->c, t->root, rows[1].id, &id, &err));
    zg_member_t m;
    CHECK(zg_member_get(t->c, &t->a, t->root, id, true, &m, &err));
    assert_string_equal(m.name, "李秀英");
    assert_int_equal(m.org_id, t->branch_b);
    assert_string_equal(m.gender, "2");
    assert_string_equal(m.ethnicity, "01");
    assert_string_equal(m.education, "21");
    assert_string_equal(m.status, "full");
    assert_string_equal(m.dues_category, "salaried");
    assert_string_equal(m.occupation, "professional");
    assert_string_equal(m.phone, "13800138000");
    assert_int_equal(m.standing_since, D("2011-07-01"));
    /* sealed at rest: the stored bytes do not contain the number */
    zg_rows_t *r;
    CHECK(zg_db_query(t->c, "SELECT id_number_enc FROM person", NULL, 0, &r, &err));
    int n = 0;
    while (zg_rows_next(r, &err) == 1) {
        size_t bl = 0;
        const void *b = zg_rows_blob(r, 0, &bl);
        assert_true(bl > 18);
        for (int k = 0; k < 3; k++)
            assert_null(memmem(b, bl, rows[k].id, 18));
        n++;
    }
    zg_rows_close(r);
    assert_int_equal(n, 3);
    assert_int_equal(qint(t, "SELECT count(*) FROM audit_log WHERE action = 'member.import'", 0),
                     1);
    assert_int_equal(qint(t, "SELECT count(*) FROM audit_log WHERE action = 'member.create'", 0),
                     0);
    free(data);
}

/* ---- one bad row -------------------------------------------------------------------------- */

static void bad_file(frow_t rows[3])
{
    row(&rows[0], "张建国", "1990-05-17", 123, "C1-T1-A", "2015-07-01", NULL);
    row(&rows[1], "李秀英", "1985-02-03", 222, "C1-T1-A", "2010-06-30", "2011-07-01");
    row(&rows[2], "王强", "1970-11-30", 331, "C1-T1-B", "1995-07-01", "1996-07-01");
    rows[1].id[17] = rows[1].id[17] == '0' ? '1' : '0'; /* wrong check digit in row 3 */
}

static void t_one_bad_row(void **state)
{
    ctx_t *t = start(state);
    zg_error_t err;
    frow_t rows[3];
    bad_file(rows);
    size_t len;
    void *data = file_of(HDR, NH, rows, 3, &len);
    zg_member_import_result_t res;
    CHECK(run(t, 0, data, len, ZG_IMPORT_ALL_OR_NOTHING, false, &res, &err));
    assert_false(res.written);
    assert_int_equal(res.rows_total, 3);
    assert_int_equal(res.rows_failed, 1);
    assert_int_equal(res.rows_ok, 2);
    assert_int_equal(res.created, 0);
    assert_int_equal(members(t), 0);
    assert_int_equal(qint(t, "SELECT count(*) FROM person", 0), 0);
    assert_int_equal(res.nerrors, 1);
    const zg_member_import_issue_t *e = &res.errors[0];
    assert_int_equal(e->row, 3); /* the header is row 1 */
    assert_string_equal(e->column, "E");
    assert_string_equal(e->header, "身份证号");
    assert_string_equal(e->field, "id_number");
    assert_string_equal(e->rule, "member.id_number_valid");
    assert_non_null(strstr(e->message, "（依据：《公民身份号码》（GB 11643-1999））"));
    /* the JSON report */
    zg_strbuf_t sb;
    zg_strbuf_init(&sb, &t->a, 1 << 20);
    zg_member_import_report_json(&res, ZG_IMPORT_ALL_OR_NOTHING, &sb);
    json_t *j = json_loads(zg_strbuf_cstr(&sb), 0, NULL);
    assert_non_null(j);
    assert_false(json_is_true(json_object_get(j, "written")));
    json_t *e0 = json_array_get(json_object_get(j, "errors"), 0);
    assert_int_equal(json_integer_value(json_object_get(e0, "row")), 3);
    assert_string_equal(json_string_value(json_object_get(e0, "column")), "E");
    json_decref(j);
    free(data);
}

static void t_valid_only(void **state)
{
    ctx_t *t = start(state);
    zg_error_t err;
    frow_t rows[3];
    bad_file(rows);
    size_t len;
    void *data = file_of(HDR, NH, rows, 3, &len);
    zg_member_import_result_t res;
    CHECK(run(t, 0, data, len, ZG_IMPORT_VALID_ONLY, false, &res, &err));
    assert_true(res.written);
    assert_int_equal(res.created, 2);
    assert_int_equal(res.rows_failed, 1);
    assert_non_null(find_error(&res, 3, "member.id_number_valid"));
    assert_int_equal(members(t), 2);
    free(data);
}

/* ---- rules with citations, labels, dates -------------------------------------------------- */

static void t_row_rules(void **state)
{
    ctx_t *t = start(state);
    zg_error_t err;
    frow_t rows[7];
    row(&rows[0], "未满十八", "2000-03-01", 11, "C1-T1-A", "2017-07-01", NULL); /* 17 */
    row(&rows[1], "转正过早", "1990-01-01", 13, "C1-T1-A", "2015-07-01", "2016-01-01");
    row(&rows[2], "民族错", "1990-01-02", 15, "C1-T1-A", "2015-07-01", NULL);
    rows[2].c[2] = "火星族";
    row(&rows[3], "日期错", "1990-01-03", 17, "C1-T1-A", "2015-13-45", NULL);
    row(&rows[4], "党组", "1990-01-04", 19, "市政府党组", "2015-07-01", NULL);
    row(&rows[5], "正式无转正", "1990-01-05", 21, "C1-T1-A", "2015-07-01", NULL);
    rows[5].c[8] = "正式党员";
    row(&rows[6], "性别不符", "1990-01-06", 23, "C1-T1-A", "2015-07-01", NULL);
    rows[6].c[1] = "女";
    size_t len;
    void *data = file_of(HDR, NH, rows, 7, &len);
    zg_member_import_result_t res;
    CHECK(run(t, 0, data, len, ZG_IMPORT_ALL_OR_NOTHING, false, &res, &err));
    dump(&res);
    assert_false(res.written);
    assert_int_equal(res.rows_failed, 7);
    const zg_member_import_issue_t *e = find_error(&res, 2, "member.age_at_join");
    assert_non_null(e);
    assert_string_equal(e->column, "J");
    assert_non_null(strstr(e->message, "发展党员工作细则"));
    assert_non_null(find_error(&res, 3, "member.conversion_after_probation"));
    e = find_error(&res, 4, "member.code_valid");
    assert_non_null(e);
    assert_string_equal(e->header, "民族");
    e = find_error(&res, 5, NULL);
    assert_non_null(e);
    assert_string_equal(e->field, "joined_on");
    assert_null(find_error(&res, 5, "member.required_fields")); /* reported once */
    assert_non_null(find_error(&res, 6, "member.org_accepts"));
    e = find_error(&res, 7, NULL);
    assert_non_null(e);
    assert_string_equal(e->field, "converted_on");
    assert_non_null(find_error(&res, 8, "member.id_number_gender"));
    assert_int_equal(members(t), 0);
    free(data);
}

/* ---- update and duplicates ---------------------------------------------------------------- */

static void t_update(void **state)
{
    ctx_t *t = start(state);
    zg_error_t err;
    frow_t rows[1];
    row(&rows[0], "张建国", "1990-05-17", 123, "C1-T1-A", "2015-07-01", NULL);
    size_t len;
    void *data = file_of(HDR, NH, rows, 1, &len);
    zg_member_import_result_t res;
    CHECK(run(t, 0, data, len, ZG_IMPORT_ALL_OR_NOTHING, false, &res, &err));
    assert_int_equal(res.created, 1);
    free(data);
    /* the same file again without update: the duplicate is refused */
    rows[0].c[5] = "13912345678";
    rows[0].c[6] = "硕士研究生毕业";
    rows[0].c[7] = "C1-T1-B"; /* another org: not applied, a warning */
    data = file_of(HDR, NH, rows, 1, &len);
    CHECK(run(t, 0, data, len, ZG_IMPORT_ALL_OR_NOTHING, false, &res, &err));
    assert_false(res.written);
    const zg_member_import_issue_t *e = find_error(&res, 2, "member.id_number_unique");
    assert_non_null(e);
    assert_non_null(strstr(e->message, "已登记"));
    /* with update */
    CHECK(run(t, 0, data, len, ZG_IMPORT_ALL_OR_NOTHING, true, &res, &err));
    dump(&res);
    assert_true(res.written);
    assert_int_equal(res.updated, 1);
    assert_int_equal(res.created, 0);
    assert_int_equal(res.nwarnings, 1);
    assert_string_equal(res.warnings[0].field, "org_id");
    assert_int_equal(members(t), 1);
    int64_t id;
    CHECK(zg_member_find_by_id_number(t->c, t->root, rows[0].id, &id, &err));
    zg_member_t m;
    CHECK(zg_member_get(t->c, &t->a, t->root, id, true, &m, &err));
    assert_string_equal(m.phone, "13912345678");
    assert_string_equal(m.education, "14");
    assert_int_equal(m.org_id, t->branch_a);
    assert_int_equal(qint(t, "SELECT count(*) FROM audit_log WHERE action IN ('member.import')", 0),
                     2);
    free(data);
}

static void t_duplicates_in_file(void **state)
{
    ctx_t *t = start(state);
    zg_error_t err;
    frow_t rows[3];
    row(&rows[0], "张建国", "1990-05-17", 123, "C1-T1-A", "2015-07-01", NULL);
    row(&rows[1], "李四", "1991-05-17", 125, "C1-T1-A", "2015-07-01", NULL);
    row(&rows[2], "张建国", "1990-05-17", 123, "C1-T1-B", "2015-07-01", NULL);
    rows[2].id[17] = rows[0].id[17] == 'X' ? 'x' : rows[0].id[17]; /* same, maybe lowercase */
    size_t len;
    void *data = file_of(HDR, NH, rows, 3, &len);
    zg_member_import_result_t res;
    CHECK(run(t, 0, data, len, ZG_IMPORT_VALID_ONLY, false, &res, &err));
    const zg_member_import_issue_t *e = find_error(&res, 4, "member.id_number_unique");
    assert_non_null(e);
    assert_non_null(strstr(e->message, "第 2 行"));
    assert_int_equal(res.created, 2);
    free(data);
}

/* ---- scope -------------------------------------------------------------------------------- */

static void t_scope(void **state)
{
    ctx_t *t = start(state);
    zg_error_t err;
    /* a member of the other county */
    frow_t rows[3];
    row(&rows[0], "外县党员", "1980-01-01", 41, "C2-X", "2005-07-01", NULL);
    size_t len;
    void *data = file_of(HDR, NH, rows, 1, &len);
    zg_member_import_result_t res;
    CHECK(run(t, 0, data, len, ZG_IMPORT_ALL_OR_NOTHING, false, &res, &err));
    assert_int_equal(res.created, 1);
    free(data);
    /* a county account: an org of the other county by code and by name, and that member */
    row(&rows[0], "甲", "1990-01-01", 43, "C2-X", "2015-07-01", NULL);
    row(&rows[1], "乙", "1990-01-02", 45, "丙村党支部", "2015-07-01", NULL);
    row(&rows[2], "外县党员", "1980-01-01", 41, "C1-T1-A", "2005-07-01", NULL);
    data = file_of(HDR, NH, rows, 3, &len);
    CHECK(run(t, t->county, data, len, ZG_IMPORT_ALL_OR_NOTHING, true, &res, &err));
    dump(&res);
    assert_false(res.written);
    assert_int_equal(res.rows_failed, 3);
    const zg_member_import_issue_t *e = find_error(&res, 2, NULL);
    assert_non_null(e);
    assert_string_equal(e->column, "H");
    assert_non_null(strstr(e->message, "不在您的管理范围内"));
    assert_non_null(find_error(&res, 3, NULL));
    e = find_error(&res, 4, "member.id_number_unique");
    assert_non_null(e);
    assert_non_null(strstr(e->message, "其他党组织"));
    assert_null(strstr(e->message, "丙村")); /* nothing about that member */
    /* default org out of scope: file-level */
    zg_member_import_opts_t o;
    zg_member_import_opts_init(&o, t->county, &t->actor);
    o.default_org = t->branch_x;
    assert_int_equal(zg_member_import(t->c, &t->a, data, len, &o, &res, &err), ZG_ERR_NOT_FOUND);
    assert_int_equal(members(t), 1);
    free(data);
}

/* ---- file-level failures ----------------------------------------------------------------- */

static void t_file_errors(void **state)
{
    ctx_t *t = start(state);
    zg_error_t err;
    zg_member_import_result_t res;
    /* not an .xlsx */
    static const char junk[] = "姓名,性别\n张三,男\n";
    assert_int_equal(run(t, 0, junk, sizeof junk - 1, 0, false, &res, &err), ZG_ERR_INVALID);
    assert_string_equal(err.code, "xlsx_invalid");
    assert_non_null(strstr(err.message, "不是有效的 Excel"));
    /* missing headers */
    static const char *const few[] = {"姓名", "备注"};
    frow_t rows[1];
    row(&rows[0], "张三", "1990-01-01", 1, "C1-T1-A", "2015-07-01", NULL);
    size_t len;
    void *data = file_of(few, 2, rows, 1, &len);
    assert_int_equal(run(t, 0, data, len, 0, false, &res, &err), ZG_ERR_INVALID);
    assert_string_equal(err.code, "missing_headers");
    assert_non_null(strstr(err.message, "“性别”"));
    assert_non_null(strstr(err.message, "“所在党组织（代码或名称）”"));
    free(data);
    /* a header twice */
    static const char *const twice[] = {"姓名",     "性别",       "出生日期",
                                        "入党日期", "所在党支部", "所在党组织"};
    data = file_of(twice, 6, rows, 1, &len);
    assert_int_equal(run(t, 0, data, len, 0, false, &res, &err), ZG_ERR_INVALID);
    assert_string_equal(err.code, "duplicate_header");
    free(data);
    /* too many columns: a cell in column 1000 */
    uint8_t *x = xt_xlsx("<row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>姓名</t></is></c>"
                         "<c r=\"ALL1\" t=\"inlineStr\"><is><t>x</t></is></c></row>",
                         NULL, &len);
    int rc = run(t, 0, x, len, 0, false, &res, &err);
    assert_true(rc == ZG_ERR_TOO_LARGE || rc == ZG_ERR_INVALID);
    assert_non_null(strstr(err.message, "列数过多"));
    free(x);
    /* a zip bomb: 64 MiB of spaces in the worksheet */
    size_t big = 64u << 20;
    char *sheet = malloc(big + 1);
    assert_non_null(sheet);
    memset(sheet, ' ', big);
    static const char head[] = "<?xml version=\"1.0\"?><worksheet " XT_NS "><sheetData>";
    memcpy(sheet, head, sizeof head - 1);
    sheet[big] = '\0';
    x = xt_xlsx_ex(sheet, NULL, NULL, &len);
    free(sheet);
    assert_true(len < (1u << 20));
    rc = run(t, 0, x, len, 0, false, &res, &err);
    assert_int_equal(rc, ZG_ERR_TOO_LARGE);
    assert_string_equal(err.code, "xlsx_bomb");
    free(x);
    assert_int_equal(members(t), 0);
}

/* ---- progress ------------------------------------------------------------------------------ */

typedef struct prog {
    int calls, last_percent, phase_seen;
    uint32_t last_done;
} prog_t;

static void on_progress(void *ctx, int phase, uint32_t done, uint32_t total, int percent)
{
    prog_t *p = ctx;
    assert_true(percent >= p->last_percent);
    assert_true(percent <= 100);
    assert_true(done <= total || phase == ZG_IMPORT_PHASE_VALIDATE);
    p->calls++;
    p->last_percent = percent;
    p->last_done = done;
    p->phase_seen |= phase;
}

static void t_progress(void **state)
{
    ctx_t *t = start(state);
    zg_error_t err;
    int n = 700;
    frow_t *rows = calloc((size_t)n, sizeof *rows);
    char(*names)[16] = calloc((size_t)n, 16);
    for (int i = 0; i < n; i++) {
        snprintf(names[i], 16, "党员%d", i);
        row(&rows[i], names[i], "1988-08-08", i, i % 2 ? "C1-T1-A" : "C1-T1-B", "2012-07-01",
            "2013-07-01");
    }
    size_t len;
    void *data = file_of(HDR, NH, rows, n, &len);
    zg_member_import_opts_t o;
    zg_member_import_opts_init(&o, t->root, &t->actor);
    prog_t p = {0};
    o.progress = on_progress;
    o.progress_ctx = &p;
    zg_member_import_result_t res;
    CHECK(zg_member_import(t->c, &t->a, data, len, &o, &res, &err));
    assert_true(res.written);
    assert_int_equal(res.created, (uint32_t)n);
    assert_int_equal(p.last_percent, 100);
    assert_int_equal(p.phase_seen, ZG_IMPORT_PHASE_VALIDATE | ZG_IMPORT_PHASE_WRITE);
    assert_int_equal(p.last_done, (uint32_t)n);
    assert_true(p.calls >= 4);
    assert_int_equal(members(t), n);
    free(data);
    free(rows);
    free(names);
}

/* ---- the write in batches ------------------------------------------------------------------ */

typedef struct race {
    ctx_t *t;
    const char *id; /* registered by someone else between the check and the write */
    bool done;
} race_t;

static void on_validated(void *ctx, int phase, uint32_t done, uint32_t total, int percent)
{
    (void)done;
    (void)total;
    race_t *r = ctx;
    if (phase != ZG_IMPORT_PHASE_VALIDATE || percent != 50 || r->done)
        return;
    r->done = true;
    char buf[19];
    zg_member_input_t in = valid_input(r->t->branch_a, buf);
    in.id_number = r->id;
    in.birth_date = D("1988-08-08");
    in.gender = "1"; /* the row's sequence number is odd */
    zg_member_op_t op;
    zg_member_op_init(&op, &r->t->a, r->t->root, &r->t->actor);
    op.today = D("2026-11-23");
    zg_error_t err;
    int64_t mid = 0;
    CHECK(zg_member_create(r->t->c, &op, &in, &mid, &err));
}

/* More rows than a batch (256 on SQLite, 128 on PostgreSQL), probationary and full members:
 * every member gets its person, events and spans; an ID number registered between the check
 * and the write is refused on its own row, inside a batch, and valid-only writes the others. */
static void t_write_batches(void **state)
{
    ctx_t *t = start(state);
    zg_error_t err;
    int n = 301;
    frow_t *rows = calloc((size_t)n, sizeof *rows);
    char(*names)[16] = calloc((size_t)n, 16);
    for (int i = 0; i < n; i++) {
        snprintf(names[i], 16, "党员%d", i);
        row(&rows[i], names[i], "1988-08-08", i, i % 2 ? "C1-T1-A" : "C1-T1-B", "2012-07-01",
            i % 3 ? "2013-07-01" : NULL);
    }
    size_t len;
    void *data = file_of(HDR, NH, rows, n, &len);
    zg_member_import_opts_t o;
    zg_member_import_opts_init(&o, t->root, &t->actor);
    o.mode = ZG_IMPORT_VALID_ONLY;
    o.today = D("2026-11-23");
    race_t race = {.t = t, .id = rows[201].id};
    o.progress = on_validated;
    o.progress_ctx = &race;
    zg_member_import_result_t res;
    CHECK(zg_member_import(t->c, &t->a, data, len, &o, &res, &err));
    dump(&res);
    assert_true(race.done);
    assert_true(res.written);
    assert_int_equal(res.created, (uint32_t)(n - 1));
    assert_int_equal(res.rows_failed, 1);
    assert_int_equal(res.nerrors, 1);
    const zg_member_import_issue_t *e = find_error(&res, 203, "member.id_number_unique");
    assert_non_null(e);
    assert_string_equal(e->column, "E");
    assert_int_equal(members(t), n); /* the one registered meanwhile and n - 1 imported */
    /* probationary (i % 3 == 0): one event, one open span; full: joined + converted, two spans;
     * row 201 is not imported, the member registered meanwhile is probationary */
    int prob = 1, full = 0;
    for (int i = 0; i < n; i++)
        if (i != 201)
            *(i % 3 ? &full : &prob) += 1;
    assert_int_equal(qint(t, "SELECT count(*) FROM membership WHERE status = 'probationary'", 0),
                     prob);
    assert_int_equal(qint(t, "SELECT count(*) FROM membership_event", 0), prob + 2 * full);
    assert_int_equal(qint(t, "SELECT count(*) FROM membership_span", 0), prob + 2 * full);
    assert_int_equal(qint(t, "SELECT count(*) FROM membership_span WHERE valid_to IS NULL", 0), n);
    assert_int_equal(qint(t,
                          "SELECT count(*) FROM membership m JOIN person p ON p.id = m.person_id "
                          "WHERE p.id_number_bidx IS NOT NULL AND p.phone_enc IS NOT NULL",
                          0),
                     n);
    /* the sealed values open under their own person ids, in the last batch too */
    for (int i = 0; i < n; i += 100) {
        if (i == 201)
            continue;
        int64_t id = 0;
        CHECK(zg_member_find_by_id_number(t->c, t->root, rows[i].id, &id, &err));
        zg_member_t m;
        CHECK(zg_member_get(t->c, &t->a, t->root, id, true, &m, &err));
        assert_string_equal(m.id_number, rows[i].id);
        assert_string_equal(m.phone, "13800138000");
        assert_string_equal(m.name, names[i]);
    }
    /* ids keep counting after the reserved ones: a member created now gets a fresh id */
    char buf[19];
    zg_member_input_t in = valid_input(t->branch_a, buf);
    zg_member_op_t op;
    zg_member_op_init(&op, &t->a, t->root, &t->actor);
    op.today = D("2026-11-23");
    int64_t mid = 0;
    CHECK(zg_member_create(t->c, &op, &in, &mid, &err));
    assert_int_equal(qint(t, "SELECT max(id) FROM membership", 0), mid);
    free(data);
    free(rows);
    free(names);
}

/* ---- keyset pages ---------------------------------------------------------------------------- */

/* Walking a list by keyset (after = the previous page's last key) gives the rows of the OFFSET
 * pages in the same order, for every sort and direction, with equal names and NULL birth dates
 * (which sort first on SQLite and last on PostgreSQL). */
static void t_keyset_pages(void **state)
{
    ctx_t *t = start(state);
    zg_error_t err;
    int n = 9;
    frow_t rows[9];
    static const char *const names[] = {"王芳", "李明", "王芳", "张伟", "李明",
                                        "刘洋", "王芳", "陈静", "李明"};
    static const char *const births[] = {"1980-01-01", "1975-05-05", "1980-01-01",
                                         "1990-09-09", "1975-05-05", "1985-03-03",
                                         "1970-07-07", "1988-08-08", "1966-06-06"};
    for (int i = 0; i < n; i++)
        row(&rows[i], names[i], births[i], 100 + i, i % 2 ? "C1-T1-A" : "C1-T1-B", "2012-07-01",
            NULL);
    size_t len;
    void *data = file_of(HDR, NH, rows, n, &len);
    zg_member_import_result_t res;
    CHECK(run(t, 0, data, len, ZG_IMPORT_ALL_OR_NOTHING, false, &res, &err));
    assert_int_equal(res.created, (uint32_t)n);
    free(data);
    CHECK(zg_db_exec(t->c,
                     "UPDATE person SET birth_date = NULL WHERE name = '李明' OR name = '陈静'",
                     NULL, 0, NULL, &err));
    static const char *const sorts[] = {"name", "joined_on", "birth_date", "org"};
    for (int si = 0; si < 4; si++)
        for (int desc = 0; desc < 2; desc++) {
            zg_member_query_t q;
            zg_member_query_init(&q);
            q.sort = sorts[si];
            q.desc = desc;
            q.limit = ZG_MEMBER_PAGE_MAX;
            zg_member_list_t all;
            CHECK(zg_member_list(t->c, &t->a, t->root, &q, false, &all, &err));
            assert_int_equal(all.n, (size_t)n);
            q.limit = 2;
            size_t k = 0;
            for (int page = 0; page < 10; page++) {
                zg_member_list_t l;
                CHECK(zg_member_list(t->c, &t->a, t->root, &q, false, &l, &err));
                if (page)
                    assert_int_equal(l.total, -1);
                for (size_t i = 0; i < l.n; i++, k++) {
                    assert_true(k < all.n);
                    if (l.items[i].id != all.items[k].id)
                        print_error("sort %s%s: row %zu is %lld, expected %lld\n", sorts[si],
                                    desc ? " desc" : "", k, (long long)l.items[i].id,
                                    (long long)all.items[k].id);
                    assert_int_equal(l.items[i].id, all.items[k].id);
                }
                if (l.n < 2)
                    break;
                q.after = l.last;
            }
            assert_int_equal(k, all.n);
        }
}

/* ---- jobs left by a stopped server ---------------------------------------------------------- */

static void t_recover(void **state)
{
    ctx_t *t = start(state);
    zg_error_t err;
    static const char *const st[] = {"running", "queued", "done", "failed"};
    for (int i = 0; i < 4; i++) {
        zg_param_t p[] = {ZG_P_INT(t->root), ZG_P_TEXT(st[i])};
        CHECK(zg_db_exec(t->c,
                         "INSERT INTO import_job (account_id, org_id, kind, status, report) "
                         "VALUES (1, $1, 'member', $2, NULL)",
                         p, 2, NULL, &err));
    }
    int64_t n = -1;
    CHECK(zg_member_io_recover(t->c, &n, &err));
    assert_int_equal(n, 2);
    assert_int_equal(qint(t, "SELECT count(*) FROM import_job WHERE status = 'failed'", 0), 3);
    assert_int_equal(qint(t, "SELECT count(*) FROM import_job WHERE status = 'done'", 0), 1);
    assert_int_equal(qint(t,
                          "SELECT count(*) FROM import_job WHERE status = 'failed' AND "
                          "finished_at IS NOT NULL AND report LIKE '%服务重启，导入已中断%'",
                          0),
                     2);
    /* nothing left to recover */
    CHECK(zg_member_io_recover(t->c, &n, &err));
    assert_int_equal(n, 0);
}

/* ---- export ------------------------------------------------------------------------------- */

static void import_three(ctx_t *t, frow_t rows[3])
{
    zg_error_t err;
    row(&rows[0], "张建国", "1990-05-17", 123, "C1-T1-A", "2015-07-01", NULL);
    row(&rows[1], "李秀英", "1985-02-03", 222, "C1-T1-B", "2010-06-30", "2011-07-01");
    row(&rows[2], "外县党员", "1980-01-01", 41, "C2-X", "2005-07-01", NULL);
    static const char *const hdr[] = {"姓名", "性别",       "出生日期", "身份证号", "手机号码",
                                      "籍贯", "所在党组织", "入党日期", "转正日期"};
    frow_t f[3];
    for (int i = 0; i < 3; i++) {
        memset(&f[i], 0, sizeof f[i]);
        const char *c[] = {
            rows[i].c[0], rows[i].c[1], rows[i].c[3],
            rows[i].c[4], rows[i].c[5], i == 0 ? "湖南,长沙" : (i == 1 ? "=SUM(A1)" : "他说\"好\""),
            rows[i].c[7], rows[i].c[9], rows[i].c[10]};
        memcpy(f[i].c, c, sizeof c);
    }
    size_t len;
    void *data = file_of(hdr, 9, f, 3, &len);
    zg_member_import_result_t res;
    CHECK(run(t, 0, data, len, ZG_IMPORT_ALL_OR_NOTHING, false, &res, &err));
    dump(&res);
    assert_int_equal(res.created, 3);
    free(data);
}

static void t_export_csv(void **state)
{
    ctx_t *t = start(state);
    zg_error_t err;
    frow_t rows[3];
    import_three(t, rows);
    zg_member_query_t q;
    zg_member_query_init(&q);
    void *data;
    size_t len;
    int64_t n;
    /* the county, masked */
    CHECK(
        zg_member_export(t->c, &t->a, t->county, &q, false, ZG_EXPORT_CSV, &data, &len, &n, &err));
    assert_int_equal(n, 2);
    char *s = strndup(data, len);
    free(data);
    assert_memory_equal(s, "\xef\xbb\xbf姓名,性别,民族,出生日期,身份证号,", 3 + 40);
    assert_non_null(strstr(s, "\r\n"));
    assert_null(strstr(s, rows[0].id));
    assert_non_null(strstr(s, "430102********")); /* masked */
    assert_non_null(strstr(s, "138****8000"));
    assert_non_null(strstr(s, "\"湖南,长沙\""));
    assert_non_null(strstr(s, ",'=SUM(A1),"));
    assert_null(strstr(s, "外县党员"));
    assert_non_null(strstr(s, "甲村党支部"));
    assert_non_null(strstr(s, "正式党员"));
    free(s);
    /* the city with PII */
    CHECK(zg_member_export(t->c, &t->a, t->root, &q, true, ZG_EXPORT_CSV, &data, &len, &n, &err));
    assert_int_equal(n, 3);
    s = strndup(data, len);
    free(data);
    assert_non_null(strstr(s, rows[0].id));
    assert_non_null(strstr(s, "13800138000"));
    assert_non_null(strstr(s, "\"他说\"\"好\"\"\""));
    free(s);
}

static void t_export_xlsx_roundtrip(void **state)
{
    ctx_t *t = start(state);
    zg_error_t err;
    frow_t rows[3];
    import_three(t, rows);
    zg_member_query_t q;
    zg_member_query_init(&q);
    q.gender = "1";
    void *data;
    size_t len;
    int64_t n;
    CHECK(zg_member_export(t->c, &t->a, t->root, &q, true, ZG_EXPORT_XLSX, &data, &len, &n, &err));
    assert_int_equal(n, 2); /* 张建国, 外县党员 */
    zg_xlsx_reader_t *rd;
    CHECK(zg_xlsx_reader_open_mem(data, len, NULL, &rd, &err));
    zg_xlsx_row_t *r;
    assert_int_equal(zg_xlsx_next_row(rd, &r, &err), 1);
    for (int k = 0; k < MIO_NCOLS; k++)
        assert_string_equal(r->cells[k], member_io_cols[k].header);
    int rowsn = 0;
    while (zg_xlsx_next_row(rd, &r, &err) == 1) {
        rowsn++;
        assert_string_equal(r->cells[MIO_GENDER], "男");
        assert_int_equal(strlen(r->cells[MIO_IDNUM]), 18);
    }
    zg_xlsx_reader_free(rd);
    assert_int_equal(rowsn, 2);
    /* the export (with PII) imports back as an update with nothing to refuse */
    zg_member_import_result_t res;
    CHECK(run(t, 0, data, len, ZG_IMPORT_ALL_OR_NOTHING, true, &res, &err));
    dump(&res);
    assert_true(res.written);
    assert_int_equal(res.updated, 2);
    assert_int_equal(res.rows_failed, 0);
    free(data);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        BOTH(t_template),           BOTH(t_import_good), BOTH(t_one_bad_row),
        BOTH(t_valid_only),         BOTH(t_row_rules),   BOTH(t_update),
        BOTH(t_duplicates_in_file), BOTH(t_scope),       BOTH(t_file_errors),
        BOTH(t_progress),           BOTH(t_export_csv),  BOTH(t_export_xlsx_roundtrip),
        BOTH(t_write_batches),      BOTH(t_recover),     BOTH(t_keyset_pages),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    zg_testdb_cleanup();
    return rc;
}
