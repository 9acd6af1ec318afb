/* test_member_io.c — member import and export over real HTTP on both backends
 * (docs/api-members-io.md): the template download (headers, Content-Disposition with the UTF-8
 * name), an import that writes, one bad row that writes nothing (422 with the row, column and
 * message), valid_only, update by ID number, an org outside the caller's scope, the refusals of
 * files that are not an .xlsx, zip bombs, too many columns, a wrong Content-Type and a body over
 * upload_max (413), the job path (202, progress to 100%, the same report as answered at once,
 * the job hidden from another county), and the XLSX / CSV export: masking for a branch
 * secretary, clear values for an org admin, a county's export holding only its members, and the
 * "member.export" audit entry. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "../unit/member/membertest.h"
#include "../unit/xlsx/xlsx_test.h"
#include "db/db.h"
#include "http/router.h"
#include "modules/member/member.h"
#include "modules/member/member_io.h"
#include "modules/org/org.h"
#include "testauth.h"
#include "testsrv.h"
#include "xlsx/xlsx_write.h"

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

#define PW        "Import#2026x"
#define XLSX_MIME "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

static zg_testsrv_t S;
static int64_t root, county, village, other_county;
static char other_branch_code[64];

typedef struct acct {
    char token[ZG_TEST_TOKEN_SIZE];
} acct_t;

static acct_t city, cnty, secretary, other, viewer;

static zg_conn_t *conn(void)
{
    zg_error_t err;
    zg_conn_t *c = zg_db_conn(S.app->db, &err);
    assert_non_null(c);
    return c;
}

static int64_t org_by_code(const char *code)
{
    zg_error_t err;
    int64_t id = 0;
    zg_param_t p[] = {ZG_P_TEXT(code)};
    if (zg_db_query_int(conn(), "SELECT id FROM org WHERE code = $1", p, 1, &id, &err))
        fail_msg("no org with code %s", code);
    return id;
}

static int64_t qint(const char *sql, int64_t p1)
{
    zg_error_t err;
    zg_param_t p[] = {ZG_P_INT(p1)};
    int64_t v = -1;
    CHECK(zg_db_query_int(conn(), sql, p, strstr(sql, "$1") ? 1 : 0, &v, &err));
    return v;
}

static void make_account(acct_t *a, const char *username, int64_t home, const char *role)
{
    assert_true(zg_test_create_account(&S, username, PW, home, role) > 0);
    assert_int_equal(zg_test_login(S.port, username, PW, a->token, sizeof a->token), 0);
}

static void tweak(zg_config_t *c)
{
    zg_test_fast_hashing(c);
    c->upload_max = 1 << 20;
}

static int setup(void **state)
{
    (void)state;
    if (zg_testsrv_start(&S, tweak) != 0)
        return -1;
    zg_error_t err;
    if (zg_member_configure(&S.app->config, S.app->db, &err)) {
        fprintf(stderr, "member configure: %s %s\n", err.message, err.detail);
        return -1;
    }
    int rc = zg_member_routes(S.app->router);
    if (rc && rc != ZG_ERR_CONFLICT)
        return -1;
    rc = zg_member_io_routes(S.app->router);
    if (rc && rc != ZG_ERR_CONFLICT)
        return -1;
    if (zg_org_bootstrap_root(S.app->db, "中共临江市委员会", &root, &err))
        return -1;
    zg_org_demo_report_t orep;
    if (zg_org_demo_city(conn(), root, &orep, &err))
        return -1;
    county = org_by_code("LJ-04");
    village = org_by_code("LJ-04-03-02");
    other_county = org_by_code("LJ-02");
    zg_rows_t *r;
    zg_param_t p[] = {ZG_P_INT(other_county)};
    if (zg_db_query(conn(),
                    "SELECT o.code FROM org o JOIN org_closure c ON c.descendant_id = o.id "
                    "WHERE c.ancestor_id = $1 AND o.kind = 'branch' AND o.code IS NOT NULL "
                    "ORDER BY o.id",
                    p, 1, &r, &err) ||
        zg_rows_next(r, &err) != 1)
        return -1;
    snprintf(other_branch_code, sizeof other_branch_code, "%s", zg_rows_text(r, 0));
    zg_rows_close(r);
    zg_member_demo_report_t rep;
    if (zg_member_demo_n(conn(), root, 300, &rep, &err))
        return -1;
    make_account(&city, "io_city", root, "org_admin");
    make_account(&cnty, "io_county", county, "org_admin");
    make_account(&secretary, "io_secretary", village, "branch_secretary");
    make_account(&other, "io_other", other_county, "org_admin");
    make_account(&viewer, "io_viewer", county, "viewer");
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    zg_member_io_wait_jobs();
    zg_testsrv_stop(&S);
    return 0;
}

/* ---- helpers -------------------------------------------------------------------------------- */

static long get(const acct_t *a, const char *path, zg_http_resp_t *r)
{
    assert_int_equal(zg_http_auth(S.port, "GET", path, NULL, a->token, r), 0);
    return r->status;
}

static long upload(const acct_t *a, const char *path, const void *data, size_t len,
                   const char *type, zg_http_resp_t *r)
{
    char auth[128], ct[160];
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", a->token);
    snprintf(ct, sizeof ct, "Content-Type: %s", type ? type : XLSX_MIME);
    const char *headers[] = {auth, ct, NULL};
    assert_int_equal(zg_http(S.port, "POST", path, data, len, headers, r), 0);
    return r->status;
}

#define NH 10
static const char *const HDR[NH] = {"姓名",
                                    "性别",
                                    "民族",
                                    "出生日期",
                                    "身份证号",
                                    "手机号码",
                                    "所在党组织（代码或名称）",
                                    "党员状态",
                                    "入党日期",
                                    "转正日期"};

typedef struct frow {
    const char *c[NH];
    char id[19], name[24], phone[12];
} frow_t;

/* A probationary member born 1990-mm-dd (seq gives the day and the sex), joined 2015. */
static void row(frow_t *r, int seq, const char *org)
{
    memset(r, 0, sizeof *r);
    static char births[4096][11];
    char *b = births[seq % 4096];
    snprintf(b, 11, "19%02d-%02d-%02d", 60 + seq / 336 % 40, 1 + seq / 28 % 12, 1 + seq % 28);
    idnum(r->id, b, 500 + seq % 500);
    snprintf(r->name, sizeof r->name, "导入%d", seq);
    snprintf(r->phone, sizeof r->phone, "137%08d", seq);
    r->c[0] = r->name;
    r->c[1] = (500 + seq % 500) % 2 ? "男" : "女";
    r->c[2] = "汉族";
    r->c[3] = b;
    r->c[4] = r->id;
    r->c[5] = r->phone;
    r->c[6] = org;
    r->c[7] = "预备党员";
    r->c[8] = "2015-07-01";
}

static void *file_of(frow_t *rows, int n, size_t *len)
{
    zg_error_t err;
    zg_xlsx_writer_t *w;
    CHECK(zg_xlsx_writer_new("党员信息", &w, &err));
    for (int k = 0; k < NH; k++)
        CHECK(zg_xlsx_add_column(w, HDR[k], 12, ZG_XLSX_COL_TEXT, NULL, 0, &err));
    for (int i = 0; i < n; i++)
        CHECK(zg_xlsx_write_row(w, rows[i].c, NH, &err));
    void *data;
    CHECK(zg_xlsx_finish(w, NULL, &data, len, &err));
    return data;
}

static int64_t by_id_number(const char *id)
{
    zg_error_t err;
    int64_t mid = 0;
    int rc = zg_member_find_by_id_number(conn(), root, id, &mid, &err);
    return rc ? 0 : mid;
}

static json_t *report_of(const zg_http_resp_t *r)
{
    json_t *rep = json_object_get(r->json, "report");
    return rep ? rep : r->json;
}

/* ---- template ------------------------------------------------------------------------------ */

static void test_template(void **state)
{
    (void)state;
    zg_http_resp_t r;
    assert_int_equal(get(&cnty, "/api/v1/members/import-template.xlsx", &r), 200);
    char h[512];
    assert_non_null(zg_http_resp_header(&r, "Content-Type", h, sizeof h));
    assert_string_equal(h, XLSX_MIME);
    assert_non_null(zg_http_resp_header(&r, "Content-Disposition", h, sizeof h));
    assert_non_null(strstr(h, "attachment; filename=\"member-import-template.xlsx\""));
    /* 党员信息导入模板.xlsx */
    assert_non_null(strstr(h, "filename*=UTF-8''%E5%85%9A%E5%91%98%E4%BF%A1%E6%81%AF"));
    zg_error_t err;
    zg_xlsx_reader_t *rd;
    CHECK(zg_xlsx_reader_open_mem(r.body, r.len, NULL, &rd, &err));
    zg_xlsx_row_t *row1;
    assert_int_equal(zg_xlsx_next_row(rd, &row1, &err), 1);
    assert_string_equal(row1->cells[0], "姓名");
    assert_string_equal(row1->cells[MIO_IDNUM], "身份证号");
    assert_string_equal(row1->cells[MIO_ORG], "所在党组织（代码或名称）");
    zg_xlsx_reader_free(rd);
    /* the data sheet first, then 填写说明 (every column, its rule), then the drop-down lists */
    char *book = xt_part(r.body, r.len, "xl/workbook.xml");
    char *data_sheet = strstr(book, "name=\"党员信息\""),
         *notes = strstr(book, "name=\"填写说明\"");
    assert_non_null(data_sheet);
    assert_non_null(notes);
    assert_true(data_sheet < notes);
    assert_non_null(strstr(book, "name=\"下拉选项\""));
    free(book);
    char *sheet2 = xt_part(r.body, r.len, "xl/worksheets/sheet2.xml");
    for (int k = 0; k < MIO_NCOLS; k++) {
        char want[128];
        snprintf(want, sizeof want, "<t>%s</t>", member_io_cols[k].header);
        if (!strstr(sheet2, want))
            fail_msg("填写说明 lacks column %s", member_io_cols[k].header);
    }
    assert_non_null(strstr(sheet2, "GB 11643-1999"));
    assert_non_null(strstr(sheet2, "全部正确才导入"));
    free(sheet2);
    char *lists = xt_part(r.body, r.len, "xl/worksheets/sheet3.xml");
    assert_non_null(strstr(lists, "汉族"));
    free(lists);
    zg_http_resp_free(&r);
    /* a viewer has no member:write */
    assert_int_equal(get(&viewer, "/api/v1/members/import-template.xlsx", &r), 403);
    zg_http_resp_free(&r);
}

/* ---- import -------------------------------------------------------------------------------- */

static void test_import_good_and_bad(void **state)
{
    (void)state;
    frow_t rows[3];
    row(&rows[0], 1, "LJ-04-03-02");
    row(&rows[1], 2, "LJ-04-03-01");
    row(&rows[2], 3, "LJ-04-03-02");
    rows[2].c[8] = "2030-01-01"; /* joined in the future: row 4, column I */
    size_t len;
    void *data = file_of(rows, 3, &len);
    int64_t before = qint("SELECT count(*) FROM membership", 0);
    zg_http_resp_t r;
    assert_int_equal(upload(&cnty, "/api/v1/members/import", data, len, NULL, &r), 422);
    assert_string_equal(zg_http_json_str(&r, "code"), "import_rejected");
    assert_non_null(strstr(zg_http_json_str(&r, "message"), "未导入任何数据"));
    json_t *rep = report_of(&r);
    assert_false(json_is_true(json_object_get(rep, "written")));
    assert_int_equal(json_integer_value(json_object_get(rep, "rows_failed")), 1);
    json_t *e = json_array_get(json_object_get(rep, "errors"), 0);
    assert_int_equal(json_integer_value(json_object_get(e, "row")), 4);
    assert_string_equal(json_string_value(json_object_get(e, "column")), "I");
    assert_string_equal(json_string_value(json_object_get(e, "header")), "入党日期");
    assert_string_equal(json_string_value(json_object_get(e, "rule")), "member.dates_order");
    assert_non_null(strstr(json_string_value(json_object_get(e, "message")), "依据"));
    zg_http_resp_free(&r);
    assert_int_equal(qint("SELECT count(*) FROM membership", 0), before);
    assert_int_equal(by_id_number(rows[0].id), 0);
    /* valid_only: the two good rows */
    assert_int_equal(upload(&cnty, "/api/v1/members/import?mode=valid_only", data, len, NULL, &r),
                     200);
    assert_true(json_is_true(json_object_get(r.json, "written")));
    assert_int_equal(json_integer_value(json_object_get(r.json, "created")), 2);
    zg_http_resp_free(&r);
    free(data);
    int64_t m0 = by_id_number(rows[0].id);
    assert_true(m0 > 0);
    assert_int_equal(qint("SELECT org_id FROM membership WHERE id = $1", m0), village);
    assert_int_equal(qint("SELECT count(*) FROM membership", 0), before + 2);
    /* update by ID number: a new phone */
    rows[0].c[5] = "13700009999";
    data = file_of(rows, 1, &len);
    assert_int_equal(upload(&cnty, "/api/v1/members/import", data, len, NULL, &r), 422);
    zg_http_resp_free(&r);
    assert_int_equal(upload(&cnty, "/api/v1/members/import?update=1", data, len, NULL, &r), 200);
    assert_int_equal(json_integer_value(json_object_get(r.json, "updated")), 1);
    zg_http_resp_free(&r);
    free(data);
    zg_error_t err;
    zg_member_t m;
    zg_arena_t a;
    zg_arena_init(&a, 0, 1 << 20);
    CHECK(zg_member_get(conn(), &a, root, m0, true, &m, &err));
    assert_string_equal(m.phone, "13700009999");
    zg_arena_destroy(&a);
    assert_true(qint("SELECT count(*) FROM audit_log WHERE action = 'member.import'", 0) >= 2);
}

static void test_import_scope(void **state)
{
    (void)state;
    frow_t rows[2];
    row(&rows[0], 11, other_branch_code);
    row(&rows[1], 12, "LJ-04-03-02");
    size_t len;
    void *data = file_of(rows, 2, &len);
    zg_http_resp_t r;
    assert_int_equal(upload(&cnty, "/api/v1/members/import", data, len, NULL, &r), 422);
    json_t *e = json_array_get(json_object_get(report_of(&r), "errors"), 0);
    assert_int_equal(json_integer_value(json_object_get(e, "row")), 2);
    assert_string_equal(json_string_value(json_object_get(e, "column")), "G");
    assert_non_null(strstr(json_string_value(json_object_get(e, "message")), "不在您的管理范围内"));
    zg_http_resp_free(&r);
    /* a default org out of scope */
    char path[128];
    snprintf(path, sizeof path, "/api/v1/members/import?org_id=%lld", (long long)other_county);
    assert_int_equal(upload(&cnty, path, data, len, NULL, &r), 404);
    zg_http_resp_free(&r);
    free(data);
    assert_int_equal(by_id_number(rows[1].id), 0);
}

static void test_import_refusals(void **state)
{
    (void)state;
    zg_http_resp_t r;
    static const char junk[] = "姓名,性别\n张三,男\n"; /* a CSV sent as .xlsx */
    assert_int_equal(upload(&cnty, "/api/v1/members/import", junk, sizeof junk - 1, NULL, &r), 400);
    assert_string_equal(zg_http_json_str(&r, "code"), "xlsx_invalid");
    assert_non_null(strstr(zg_http_json_str(&r, "message"), "不是有效的 Excel"));
    zg_http_resp_free(&r);
    /* wrong content type */
    assert_int_equal(
        upload(&cnty, "/api/v1/members/import", junk, sizeof junk - 1, "application/json", &r),
        415);
    zg_http_resp_free(&r);
    /* empty */
    assert_int_equal(upload(&cnty, "/api/v1/members/import", "", 0, NULL, &r), 400);
    zg_http_resp_free(&r);
    /* too many columns */
    size_t len;
    uint8_t *x = xt_xlsx("<row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>姓名</t></is></c>"
                         "<c r=\"XFD1\" t=\"inlineStr\"><is><t>x</t></is></c></row>",
                         NULL, &len);
    assert_int_equal(upload(&cnty, "/api/v1/members/import", x, len, NULL, &r), 400);
    assert_non_null(strstr(zg_http_json_str(&r, "message"), "列数过多"));
    zg_http_resp_free(&r);
    free(x);
    /* a zip bomb: 64 MiB of spaces, about 64 KiB compressed */
    size_t big = 64u << 20;
    char *sheet = malloc(big + 1);
    assert_non_null(sheet);
    memset(sheet, ' ', big);
    static const char head[] = "<?xml version=\"1.0\"?><worksheet " XT_NS "><sheetData>";
    memcpy(sheet, head, sizeof head - 1);
    sheet[big] = '\0';
    x = xt_xlsx_ex(sheet, NULL, NULL, &len);
    free(sheet);
    assert_int_equal(upload(&cnty, "/api/v1/members/import", x, len, NULL, &r), 400);
    assert_string_equal(zg_http_json_str(&r, "code"), "xlsx_bomb");
    assert_non_null(strstr(zg_http_json_str(&r, "message"), "压缩炸弹"));
    zg_http_resp_free(&r);
    free(x);
    /* missing headers */
    zg_error_t err;
    zg_xlsx_writer_t *w;
    CHECK(zg_xlsx_writer_new("Sheet1", &w, &err));
    CHECK(zg_xlsx_add_column(w, "姓名", 10, ZG_XLSX_COL_TEXT, NULL, 0, &err));
    const char *cells[] = {"张三"};
    CHECK(zg_xlsx_write_row(w, cells, 1, &err));
    void *data;
    CHECK(zg_xlsx_finish(w, NULL, &data, &len, &err));
    assert_int_equal(upload(&cnty, "/api/v1/members/import", data, len, NULL, &r), 400);
    assert_string_equal(zg_http_json_str(&r, "code"), "missing_headers");
    zg_http_resp_free(&r);
    free(data);
    /* over upload_max (1 MiB here): 413 */
    size_t n = (1u << 20) + 4096;
    char *blob = calloc(1, n);
    assert_int_equal(upload(&cnty, "/api/v1/members/import", blob, n, NULL, &r), 413);
    zg_http_resp_free(&r);
    free(blob);
    /* a viewer has no member:write */
    assert_int_equal(upload(&viewer, "/api/v1/members/import", junk, 4, NULL, &r), 403);
    zg_http_resp_free(&r);
}

/* ---- jobs ------------------------------------------------------------------------------------ */

static json_t *wait_job(const acct_t *a, int64_t id)
{
    char path[96];
    snprintf(path, sizeof path, "/api/v1/members/import-jobs/%lld", (long long)id);
    int last = -1;
    for (int i = 0; i < 600; i++) {
        zg_http_resp_t r;
        assert_int_equal(get(a, path, &r), 200);
        int pct = (int)json_integer_value(json_object_get(r.json, "percent"));
        assert_true(pct >= last || pct == 0);
        last = pct;
        const char *st = zg_http_json_str(&r, "status");
        if (!strcmp(st, "done") || !strcmp(st, "failed")) {
            json_t *j = json_incref(r.json);
            zg_http_resp_free(&r);
            return j;
        }
        zg_http_resp_free(&r);
        usleep(50000);
    }
    fail_msg("job %lld did not finish", (long long)id);
    return NULL;
}

static void test_import_job(void **state)
{
    (void)state;
    /* over the threshold: a job; one bad row: nothing written */
    int n = ZG_MEMBER_IMPORT_ASYNC_ROWS + 100;
    frow_t *rows = calloc((size_t)n, sizeof *rows);
    for (int i = 0; i < n; i++)
        row(&rows[i], 1000 + i, i % 2 ? "LJ-04-03-02" : "LJ-04-03-01");
    rows[1500].c[1] = strcmp(rows[1500].c[1], "男") ? "男" : "女"; /* disagrees with the ID */
    size_t len;
    void *data = file_of(rows, n, &len);
    int64_t before = qint("SELECT count(*) FROM membership", 0);
    zg_http_resp_t r;
    assert_int_equal(upload(&cnty, "/api/v1/members/import", data, len, NULL, &r), 202);
    int64_t job = json_integer_value(json_object_get(r.json, "job_id"));
    assert_true(job > 0);
    char h[128];
    assert_non_null(zg_http_resp_header(&r, "Location", h, sizeof h));
    zg_http_resp_free(&r);
    /* another county does not see it */
    char path[96];
    snprintf(path, sizeof path, "/api/v1/members/import-jobs/%lld", (long long)job);
    assert_int_equal(get(&other, path, &r), 404);
    zg_http_resp_free(&r);
    json_t *j = wait_job(&cnty, job);
    assert_string_equal(json_string_value(json_object_get(j, "status")), "done");
    assert_int_equal(json_integer_value(json_object_get(j, "percent")), 100);
    assert_int_equal(json_integer_value(json_object_get(j, "rows_total")), n);
    assert_int_equal(json_integer_value(json_object_get(j, "rows_failed")), 1);
    json_t *rep = json_object_get(j, "report");
    assert_false(json_is_true(json_object_get(rep, "written")));
    json_t *e = json_array_get(json_object_get(rep, "errors"), 0);
    assert_int_equal(json_integer_value(json_object_get(e, "row")), 1502);
    assert_string_equal(json_string_value(json_object_get(e, "rule")), "member.id_number_gender");
    json_decref(j);
    assert_int_equal(qint("SELECT count(*) FROM membership", 0), before);
    /* the city sees the county's job (scope) */
    assert_int_equal(get(&city, path, &r), 200);
    zg_http_resp_free(&r);
    /* valid_only as a job: everything but that row */
    assert_int_equal(upload(&cnty, "/api/v1/members/import?mode=valid_only", data, len, NULL, &r),
                     202);
    job = json_integer_value(json_object_get(r.json, "job_id"));
    zg_http_resp_free(&r);
    j = wait_job(&cnty, job);
    rep = json_object_get(j, "report");
    assert_true(json_is_true(json_object_get(rep, "written")));
    assert_int_equal(json_integer_value(json_object_get(rep, "created")), n - 1);
    assert_int_equal(json_integer_value(json_object_get(j, "rows_done")), n - 1);
    json_decref(j);
    assert_int_equal(qint("SELECT count(*) FROM membership", 0), before + n - 1);
    free(data);
    free(rows);

    /* ?async=1 on a small file gives the same report as the answer at once */
    frow_t small[2];
    row(&small[0], 30001, "LJ-04-03-02");
    row(&small[1], 30002, "不存在的支部");
    data = file_of(small, 2, &len);
    assert_int_equal(upload(&cnty, "/api/v1/members/import", data, len, NULL, &r), 422);
    json_t *sync = json_incref(report_of(&r));
    zg_http_resp_free(&r);
    assert_int_equal(upload(&cnty, "/api/v1/members/import?async=1", data, len, NULL, &r), 202);
    job = json_integer_value(json_object_get(r.json, "job_id"));
    zg_http_resp_free(&r);
    j = wait_job(&cnty, job);
    assert_true(json_equal(json_object_get(j, "report"), sync));
    json_decref(j);
    json_decref(sync);
    free(data);
}

/* ---- export -------------------------------------------------------------------------------- */

static int64_t lines(const char *s, size_t len)
{
    int64_t n = 0;
    for (size_t i = 0; i < len; i++)
        n += s[i] == '\n';
    return n;
}

static void test_export(void **state)
{
    (void)state;
    zg_http_resp_t r;
    /* a branch secretary: masked, only the branch */
    assert_int_equal(get(&secretary, "/api/v1/members/export.csv", &r), 200);
    char h[512];
    assert_non_null(zg_http_resp_header(&r, "Content-Type", h, sizeof h));
    assert_string_equal(h, "text/csv; charset=utf-8");
    assert_non_null(zg_http_resp_header(&r, "Content-Disposition", h, sizeof h));
    assert_non_null(strstr(h, "filename*=UTF-8''%E5%85%9A%E5%91%98%E5%90%8D%E5%8D%95-"));
    assert_memory_equal(r.body, "\xef\xbb\xbf姓名,", 10);
    int64_t branch_members = qint("SELECT count(*) FROM membership WHERE org_id = $1 AND status "
                                  "IN ('probationary', 'full')",
                                  village);
    assert_true(branch_members > 0);
    assert_int_equal(lines(r.body, r.len), branch_members + 1);
    assert_non_null(strstr(r.body, "********"));
    assert_non_null(strstr(r.body, "****"));
    zg_http_resp_free(&r);
    int64_t audits = qint("SELECT count(*) FROM audit_log WHERE action = 'member.export'", 0);
    assert_true(audits >= 1);
    /* the county org admin: clear values, only the county, filters */
    assert_int_equal(get(&cnty, "/api/v1/members/export.xlsx?gender=2", &r), 200);
    zg_error_t err;
    zg_xlsx_reader_t *rd;
    CHECK(zg_xlsx_reader_open_mem(r.body, r.len, NULL, &rd, &err));
    zg_xlsx_row_t *row1;
    assert_int_equal(zg_xlsx_next_row(rd, &row1, &err), 1);
    assert_string_equal(row1->cells[MIO_IDNUM], "身份证号");
    int64_t n = 0, clear = 0;
    zg_arena_t a;
    zg_arena_init(&a, 0, 1 << 20);
    while (zg_xlsx_next_row(rd, &row1, &err) == 1) {
        n++;
        assert_string_equal(row1->cells[MIO_GENDER], "女");
        if (row1->cells[MIO_IDNUM] && !strchr(row1->cells[MIO_IDNUM], '*'))
            clear++;
        /* the member's org is in the county */
        int64_t mid = by_id_number(row1->cells[MIO_IDNUM]);
        assert_true(mid > 0);
        int64_t org = qint("SELECT org_id FROM membership WHERE id = $1", mid);
        zg_param_t p[] = {ZG_P_INT(county), ZG_P_INT(org)};
        int64_t in = 0;
        CHECK(zg_db_query_int(conn(),
                              "SELECT count(*) FROM org_closure WHERE ancestor_id = $1 AND "
                              "descendant_id = $2",
                              p, 2, &in, &err));
        assert_int_equal(in, 1);
    }
    zg_arena_destroy(&a);
    zg_xlsx_reader_free(rd);
    zg_http_resp_free(&r);
    assert_true(n > 0);
    assert_int_equal(clear, n);
    int64_t want = 0;
    zg_param_t p[] = {ZG_P_INT(county)};
    CHECK(zg_db_query_int(conn(),
                          "SELECT count(*) FROM membership m JOIN person pe ON pe.id = "
                          "m.person_id WHERE pe.gender = '2' AND m.status IN ('probationary', "
                          "'full') AND m.org_id IN (SELECT descendant_id FROM org_closure WHERE "
                          "ancestor_id = $1)",
                          p, 1, &want, &err));
    assert_int_equal(n, want);
    assert_int_equal(qint("SELECT count(*) FROM audit_log WHERE action = 'member.export'", 0),
                     audits + 1);
    /* an org outside the scope: 404; a bad filter: 400 */
    char path[96];
    snprintf(path, sizeof path, "/api/v1/members/export.csv?org_id=%lld", (long long)other_county);
    assert_int_equal(get(&cnty, path, &r), 404);
    zg_http_resp_free(&r);
    assert_int_equal(get(&cnty, "/api/v1/members/export.csv?gender=9", &r), 400);
    zg_http_resp_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_template),     cmocka_unit_test(test_import_good_and_bad),
        cmocka_unit_test(test_import_scope), cmocka_unit_test(test_import_refusals),
        cmocka_unit_test(test_import_job),   cmocka_unit_test(test_export),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
