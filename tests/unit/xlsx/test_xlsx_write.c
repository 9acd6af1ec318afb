/* test_xlsx_write.c — files written by libxlsxwriter (directly, in both of its modes, and
 * through src/xlsx/xlsx_write.c) read back cell by cell with the reader: shared and inline
 * strings, rich text, formula results, numbers, dates, booleans, blanks, sparse rows, Chinese
 * text, XML special characters and control characters; and the writer's own promises: header,
 * frozen pane, widths, text format for ID numbers, drop-downs inline or from the hidden list
 * sheet (on both sides of the 255-character boundary), errors, and temporary-file hygiene. */
#include <dirent.h>
#include <sys/stat.h>

#include <xlsxwriter.h>

#include "xlsx_test.h"

#include "core/arena.h"
#include "xlsx/xlsx_write.h"
#include "xlsx/xlsx_zip.h"

/* libxlsxwriter 1.1.4 leaks a copy of each range drop-down formula (see src/xlsx/xlsx_write.c);
 * LeakSanitizer reads its suppressions from this hook. The packaged library has no frame
 * pointers, so the full (slow) unwinder is needed for the suppression to see the caller. */
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

/* ---- libxlsxwriter directly ------------------------------------------------------------------ */

/* Writes the same mixed sheet in shared-string or constant-memory (inline string) mode. */
static uint8_t *lxw_sample(bool constant_memory, size_t *len)
{
    char path[512];
    xt_tmp_path(path, sizeof path);
    lxw_workbook_options opts = {.constant_memory = constant_memory, .tmpdir = NULL};
    lxw_workbook *wb = workbook_new_opt(path, &opts);
    assert_non_null(wb);
    lxw_worksheet *ws = workbook_add_worksheet(wb, "党员名册");
    lxw_format *date = workbook_add_format(wb);
    format_set_num_format(date, "yyyy-mm-dd");
    lxw_format *bold = workbook_add_format(wb);
    format_set_bold(bold);

    /* row 1: strings */
    worksheet_write_string(ws, 0, 0, "姓名", bold);
    worksheet_write_string(ws, 0, 1, "<&>\"' 特殊字符", NULL);
    worksheet_write_string(ws, 0, 2, "第一行\n第二行", NULL);
    worksheet_write_string(ws, 0, 3, "  前后空格  ", NULL);
    worksheet_write_string(ws, 0, 4, "控制\x01字符\x1f", NULL);
    worksheet_write_string(ws, 0, 5, "下划线_x", NULL);
    worksheet_write_string(ws, 0, 6, "110105194912310021", NULL);
    worksheet_write_string(ws, 0, 7, "😀 emoji", NULL);
    /* row 2: numbers, a date, booleans, a formula with a string result, a blank */
    worksheet_write_number(ws, 1, 0, 3.25, NULL);
    worksheet_write_number(ws, 1, 1, -0.001, NULL);
    worksheet_write_number(ws, 1, 2, 1e20, NULL);
    lxw_datetime dt = {2024, 1, 1, 0, 0, 0};
    worksheet_write_datetime(ws, 1, 3, &dt, date);
    worksheet_write_boolean(ws, 1, 4, 1, NULL);
    worksheet_write_boolean(ws, 1, 5, 0, NULL);
    worksheet_write_formula_str(ws, 1, 6, "=A1&\"x\"", NULL, "姓名x");
    worksheet_write_blank(ws, 1, 7, bold);
    worksheet_write_formula_num(ws, 1, 8, "=1+2", NULL, 3);
    /* row 4: only a blank formatted cell (a row without values) */
    worksheet_write_blank(ws, 3, 0, bold);
    /* row 6: sparse, far columns */
    worksheet_write_string(ws, 5, 2, "稀疏", NULL);
    worksheet_write_number(ws, 5, 200, 200, NULL);
    if (!constant_memory) {
        /* rich text (shared-string mode only in this libxlsxwriter) */
        lxw_rich_string_tuple f1 = {.format = bold, .string = "加粗"};
        lxw_rich_string_tuple f2 = {.format = NULL, .string = "普通"};
        lxw_rich_string_tuple *rich[] = {&f1, &f2, NULL};
        worksheet_write_rich_string(ws, 6, 0, rich, NULL);
    }
    assert_int_equal(workbook_close(wb), LXW_NO_ERROR);
    uint8_t *x = xt_read_file(path, len);
    unlink(path);
    return x;
}

static void check_sample(bool constant_memory)
{
    size_t len;
    uint8_t *x = lxw_sample(constant_memory, &len);
    zg_xlsx_reader_t *rd;
    zg_error_t err;
    assert_int_equal(zg_xlsx_reader_open_mem(x, len, NULL, &rd, &err), ZG_OK);
    assert_string_equal(zg_xlsx_reader_sheet_name(rd), "党员名册");
    assert_false(zg_xlsx_reader_date1904(rd));
    zg_xlsx_row_t *row;

    assert_int_equal(zg_xlsx_next_row(rd, &row, &err), 1);
    assert_int_equal(row->num, 1);
    assert_int_equal(row->ncells, 8);
    static const char *const want1[] = {
        "姓名",     "<&>\"' 特殊字符",    "第一行\n第二行", "  前后空格  ", "控制\x01字符\x1f",
        "下划线_x", "110105194912310021", "😀 emoji"};
    for (int c = 0; c < 8; c++) {
        assert_string_equal(row->cells[c], want1[c]);
        assert_int_equal(row->types[c], ZG_XLSX_STRING);
    }

    assert_int_equal(zg_xlsx_next_row(rd, &row, &err), 1);
    assert_int_equal(row->num, 2);
    assert_int_equal(row->ncells, 9);
    assert_string_equal(row->cells[0], "3.25");
    assert_int_equal(row->types[0], ZG_XLSX_NUMBER);
    assert_string_equal(row->cells[1], "-0.001");
    assert_string_equal(row->cells[2], "1E+20");
    assert_int_equal(row->types[3], ZG_XLSX_NUMBER);
    zg_date_t d;
    assert_int_equal(zg_xlsx_parse_date_cell(row->cells[3], false, &d), ZG_OK);
    char buf[ZG_DATE_STR_SIZE];
    zg_date_format(d, buf);
    assert_string_equal(buf, "2024-01-01");
    assert_string_equal(row->cells[4], "1");
    assert_int_equal(row->types[4], ZG_XLSX_BOOL);
    assert_string_equal(row->cells[5], "0");
    assert_int_equal(row->types[5], ZG_XLSX_BOOL);
    assert_string_equal(row->cells[6], "姓名x");
    assert_int_equal(row->types[6], ZG_XLSX_STRING);
    assert_null(row->cells[7]);
    assert_int_equal(row->types[7], ZG_XLSX_EMPTY);
    assert_string_equal(row->cells[8], "3");
    assert_int_equal(row->types[8], ZG_XLSX_NUMBER);

    /* row 4 has no value: skipped */
    assert_int_equal(zg_xlsx_next_row(rd, &row, &err), 1);
    assert_int_equal(row->num, 6);
    assert_int_equal(row->ncells, 201);
    assert_null(row->cells[0]);
    assert_null(row->cells[1]);
    assert_string_equal(row->cells[2], "稀疏");
    for (int c = 3; c < 200; c++)
        assert_null(row->cells[c]);
    assert_string_equal(row->cells[200], "200");

    if (!constant_memory) {
        assert_int_equal(zg_xlsx_next_row(rd, &row, &err), 1);
        assert_int_equal(row->num, 7);
        assert_string_equal(row->cells[0], "加粗普通");
    }
    assert_int_equal(zg_xlsx_next_row(rd, &row, &err), 0);
    zg_xlsx_reader_free(rd);
    free(x);
}

static void test_libxlsxwriter_shared_strings(void **state)
{
    (void)state;
    check_sample(false);
}

static void test_libxlsxwriter_inline_strings(void **state)
{
    (void)state;
    check_sample(true);
}

/* ---- the writer -------------------------------------------------------------------------------
 */

static const char *const GENDERS[] = {"男", "女"};
static const char *const ETHNICITIES[] = {
    "汉族",     "蒙古族",   "回族",       "藏族",     "维吾尔族",   "苗族",   "彝族",     "壮族",
    "布依族",   "朝鲜族",   "满族",       "侗族",     "瑶族",       "白族",   "土家族",   "哈尼族",
    "哈萨克族", "傣族",     "黎族",       "傈僳族",   "佤族",       "畲族",   "高山族",   "拉祜族",
    "水族",     "东乡族",   "纳西族",     "景颇族",   "柯尔克孜族", "土族",   "达斡尔族", "仫佬族",
    "羌族",     "布朗族",   "撒拉族",     "毛南族",   "仡佬族",     "锡伯族", "阿昌族",   "普米族",
    "塔吉克族", "怒族",     "乌孜别克族", "俄罗斯族", "鄂温克族",   "德昂族", "保安族",   "裕固族",
    "京族",     "塔塔尔族", "独龙族",     "鄂伦春族", "赫哲族",     "门巴族", "珞巴族",   "基诺族"};
#define NETH (sizeof ETHNICITIES / sizeof ETHNICITIES[0])

/* 30 branch names of 13-14 characters: far over the 255 characters of an inline list */
static const char *BRANCHES[30];
static char branch_buf[30][64];

static void init_branches(void)
{
    for (int i = 0; i < 30; i++) {
        snprintf(branch_buf[i], sizeof branch_buf[i], "中共某某市委组织部第%d党支部", i + 1);
        BRANCHES[i] = branch_buf[i];
    }
}

/* The part `name` of an archive, NUL-terminated, malloc'd. */

static zg_xlsx_writer_t *member_writer(void)
{
    zg_xlsx_writer_t *w;
    zg_error_t err;
    assert_int_equal(zg_xlsx_writer_new("党员信息", &w, &err), ZG_OK);
    assert_int_equal(zg_xlsx_add_column(w, "姓名", 10, ZG_XLSX_COL_TEXT, NULL, 0, &err), ZG_OK);
    assert_int_equal(zg_xlsx_add_column(w, "性别", 6, ZG_XLSX_COL_DICT, GENDERS, 2, &err), ZG_OK);
    assert_int_equal(zg_xlsx_add_column(w, "民族", 10, ZG_XLSX_COL_DICT, ETHNICITIES, NETH, &err),
                     ZG_OK);
    assert_int_equal(zg_xlsx_add_column(w, "出生日期", 12, ZG_XLSX_COL_DATE, NULL, 0, &err), ZG_OK);
    assert_int_equal(zg_xlsx_add_column(w, "公民身份号码", 22, ZG_XLSX_COL_TEXT, NULL, 0, &err),
                     ZG_OK);
    assert_int_equal(zg_xlsx_add_column(w, "手机号码", 14, ZG_XLSX_COL_TEXT, NULL, 0, &err), ZG_OK);
    assert_int_equal(zg_xlsx_add_column(w, "党费（元）", 0, ZG_XLSX_COL_NUMBER, NULL, 0, &err),
                     ZG_OK);
    init_branches();
    assert_int_equal(zg_xlsx_add_column(w, "所在党支部", 30, ZG_XLSX_COL_DICT, BRANCHES, 30, &err),
                     ZG_OK);
    return w;
}

static void test_writer_round_trip(void **state)
{
    (void)state;
    zg_xlsx_writer_t *w = member_writer();
    zg_error_t err;
    const char *r1[] = {"张三",
                        "男",
                        "汉族",
                        "1949-10-01",
                        "11010519491001001X",
                        "13800138000",
                        "12.50",
                        "中共某某市委组织部第7党支部"};
    const char *r2[] = {"=HYPERLINK(\"http://x\")", "女", "维吾尔族", "不详",
                        "110105194912310021",       NULL, "abc"};
    const char *r3[] = {"李四_x0041_", NULL, NULL, "1899-12-31", "", "", "-3"};
    assert_int_equal(zg_xlsx_write_row(w, r1, 8, &err), ZG_OK);
    assert_int_equal(zg_xlsx_write_row(w, r2, 7, &err), ZG_OK);
    assert_int_equal(zg_xlsx_write_row(w, r3, 7, &err), ZG_OK);
    assert_int_equal(zg_xlsx_write_row(w, r1, 2, &err), ZG_OK); /* a short row */
    assert_int_equal(zg_xlsx_rows_written(w), 4);
    void *data;
    size_t len;
    assert_int_equal(zg_xlsx_finish(w, NULL, &data, &len, &err), ZG_OK);

    XT_EXPECT_DUMP(data, len, NULL, true,
                   "1: A=姓名[s] B=性别[s] C=民族[s] D=出生日期[s] E=公民身份号码[s] F=手机号码[s] "
                   "G=党费（元）[s] H=所在党支部[s]\n"
                   "2: A=张三[s] B=男[s] C=汉族[s] D=18172[n] E=11010519491001001X[s] "
                   "F=13800138000[s] G=12.5[n] H=中共某某市委组织部第7党支部[s]\n"
                   "3: A==HYPERLINK(\"http://x\")[s] B=女[s] C=维吾尔族[s] D=不详[s] "
                   "E=110105194912310021[s] G=abc[s]\n"
                   "4: A=李四_x0041_[s] D=1899-12-31[s] G=-3[n]\n"
                   "5: A=张三[s] B=男[s]\n");

    char *sheet = xt_part(data, len, "xl/worksheets/sheet1.xml");
    char *book = xt_part(data, len, "xl/workbook.xml");
    char *styles = xt_part(data, len, "xl/styles.xml");
    char *lists = xt_part(data, len, "xl/worksheets/sheet2.xml");
    /* frozen header, column widths, text and date formats */
    assert_non_null(strstr(sheet, "state=\"frozen\""));
    assert_non_null(strstr(sheet, "ySplit=\"1\""));
    assert_non_null(strstr(sheet, "<cols>"));
    assert_non_null(strstr(styles, "formatCode=\"yyyy-mm-dd\""));
    assert_non_null(strstr(styles, "numFmtId=\"49\"")); /* the built-in "@" text format */
    /* drop-downs: the short list inline, the 56 ethnicities (over 255 bytes) and the branches
     * from the hidden sheet */
    assert_non_null(strstr(sheet, "<dataValidation type=\"list\""));
    assert_non_null(strstr(sheet, "<formula1>\"男,女\"</formula1>"));
    assert_non_null(strstr(sheet, "<formula1>'下拉选项'!$A$1:$A$56</formula1>"));
    assert_non_null(strstr(sheet, "<formula1>'下拉选项'!$B$1:$B$30</formula1>"));
    assert_non_null(strstr(sheet, "sqref=\"B2:B1048576\""));
    assert_non_null(strstr(book, "name=\"下拉选项\""));
    assert_non_null(strstr(book, "state=\"hidden\""));
    assert_non_null(strstr(lists, "中共某某市委组织部第30党支部"));
    assert_non_null(strstr(lists, "珞巴族"));
    free(sheet);
    free(book);
    free(styles);
    free(lists);
    free(data);
}

/* Dates are written as serials with the yyyy-mm-dd format; read back they are the same days. */
static void test_writer_dates(void **state)
{
    (void)state;
    zg_xlsx_writer_t *w;
    zg_error_t err;
    assert_int_equal(zg_xlsx_writer_new(NULL, &w, &err), ZG_OK);
    assert_int_equal(zg_xlsx_add_column(w, "日期", 12, ZG_XLSX_COL_DATE, NULL, 0, &err), ZG_OK);
    static const char *const dates[] = {"1900-01-01", "1900-02-28", "1900-03-01", "1921-07-01",
                                        "1970-01-01", "2000-02-29", "2024-12-31", "9999-12-31"};
    for (size_t i = 0; i < sizeof dates / sizeof dates[0]; i++) {
        const char *cell[] = {dates[i]};
        assert_int_equal(zg_xlsx_write_row(w, cell, 1, &err), ZG_OK);
    }
    void *data;
    size_t len;
    assert_int_equal(zg_xlsx_finish(w, NULL, &data, &len, &err), ZG_OK);
    zg_xlsx_reader_t *rd;
    assert_int_equal(zg_xlsx_reader_open_mem(data, len, NULL, &rd, &err), ZG_OK);
    assert_string_equal(zg_xlsx_reader_sheet_name(rd), "Sheet1");
    zg_xlsx_row_t *row;
    assert_int_equal(zg_xlsx_next_row(rd, &row, &err), 1); /* header */
    for (size_t i = 0; i < sizeof dates / sizeof dates[0]; i++) {
        assert_int_equal(zg_xlsx_next_row(rd, &row, &err), 1);
        assert_int_equal(row->types[0], ZG_XLSX_NUMBER);
        zg_date_t d;
        assert_int_equal(zg_xlsx_parse_date_cell(row->cells[0], false, &d), ZG_OK);
        char buf[ZG_DATE_STR_SIZE];
        zg_date_format(d, buf);
        assert_string_equal(buf, dates[i]);
    }
    assert_int_equal(zg_xlsx_next_row(rd, &row, &err), 0);
    zg_xlsx_reader_free(rd);
    free(data);
}

static void test_writer_numbers(void **state)
{
    (void)state;
    zg_xlsx_writer_t *w;
    zg_error_t err;
    assert_int_equal(zg_xlsx_writer_new("数", &w, &err), ZG_OK);
    assert_int_equal(zg_xlsx_add_column(w, "金额", 0, ZG_XLSX_COL_NUMBER, NULL, 0, &err), ZG_OK);
    static const struct {
        const char *in, *out;
        char type;
    } cases[] = {{"12", "12", 'n'},
                 {"-3.5", "-3.5", 'n'},
                 {"0.1", "0.1", 'n'},
                 {"1234.56", "1234.56", 'n'},
                 {"999999999999999", "999999999999999", 'n'},
                 {"1234567890123456", "1234567890123456", 's'}, /* 16 digits: kept as text */
                 {"1e5", "1e5", 's'},
                 {"12.", "12.", 's'},
                 {".5", "0.5", 'n'},
                 {"--1", "--1", 's'},
                 {"1,000", "1,000", 's'}};
    size_t n = sizeof cases / sizeof cases[0];
    for (size_t i = 0; i < n; i++) {
        const char *cell[] = {cases[i].in};
        assert_int_equal(zg_xlsx_write_row(w, cell, 1, &err), ZG_OK);
    }
    void *data;
    size_t len;
    assert_int_equal(zg_xlsx_finish(w, NULL, &data, &len, &err), ZG_OK);
    zg_xlsx_reader_t *rd;
    assert_int_equal(zg_xlsx_reader_open_mem(data, len, NULL, &rd, &err), ZG_OK);
    zg_xlsx_row_t *row;
    assert_int_equal(zg_xlsx_next_row(rd, &row, &err), 1);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(zg_xlsx_next_row(rd, &row, &err), 1);
        if (strcmp(row->cells[0], cases[i].out) != 0 || "-snbed"[row->types[0]] != cases[i].type)
            fail_msg("%s → %s [%c]", cases[i].in, row->cells[0], "-snbed"[row->types[0]]);
    }
    zg_xlsx_reader_free(rd);
    free(data);
}

/* An inline list may take 255 bytes, commas included (Excel allows 255 characters; the bytes
 * bound keeps libxlsxwriter 1.1.4's list buffer safe); one more goes to the list sheet. */
static void test_inline_list_boundary(void **state)
{
    (void)state;
    const char *items[70];
    for (int i = 0; i < 70; i++)
        items[i] = "甲";
    for (size_t n = 64; n <= 65; n++) { /* 4n - 1 = 255, 259 bytes */
        zg_xlsx_writer_t *w;
        zg_error_t err;
        assert_int_equal(zg_xlsx_writer_new(NULL, &w, &err), ZG_OK);
        assert_int_equal(zg_xlsx_add_column(w, "选项", 0, ZG_XLSX_COL_DICT, items, n, &err), ZG_OK);
        void *data;
        size_t len;
        assert_int_equal(zg_xlsx_finish(w, NULL, &data, &len, &err), ZG_OK);
        char *sheet = xt_part(data, len, "xl/worksheets/sheet1.xml");
        if (n == 64) {
            assert_non_null(strstr(sheet, "<formula1>\"甲,甲,"));
            assert_null(strstr(sheet, "下拉选项"));
        } else {
            assert_non_null(strstr(sheet, "<formula1>'下拉选项'!$A$1:$A$65</formula1>"));
        }
        free(sheet);
        free(data);
    }
    /* an item with a comma or a quote cannot go inline */
    static const char *const odd[] = {"是", "否,待定"};
    zg_xlsx_writer_t *w;
    zg_error_t err;
    assert_int_equal(zg_xlsx_writer_new(NULL, &w, &err), ZG_OK);
    assert_int_equal(zg_xlsx_add_column(w, "A", 0, ZG_XLSX_COL_DICT, odd, 2, &err), ZG_OK);
    assert_int_equal(zg_xlsx_add_column(w, "B", 0, ZG_XLSX_COL_DICT, GENDERS, 2, &err), ZG_OK);
    init_branches();
    assert_int_equal(zg_xlsx_add_column(w, "C", 0, ZG_XLSX_COL_DICT, BRANCHES, 30, &err), ZG_OK);
    void *data;
    size_t len;
    assert_int_equal(zg_xlsx_finish(w, NULL, &data, &len, &err), ZG_OK);
    char *sheet = xt_part(data, len, "xl/worksheets/sheet1.xml");
    assert_non_null(strstr(sheet, "<formula1>'下拉选项'!$A$1:$A$2</formula1>"));
    assert_non_null(strstr(sheet, "<formula1>\"男,女\"</formula1>"));
    assert_non_null(strstr(sheet, "<formula1>'下拉选项'!$B$1:$B$30</formula1>"));
    free(sheet);
    /* the list sheet holds both lists, side by side */
    char *lists = xt_part(data, len, "xl/worksheets/sheet2.xml");
    assert_non_null(strstr(lists, "否,待定"));
    assert_non_null(strstr(lists, "中共某某市委组织部第30党支部"));
    free(lists);
    free(data);
}

/* A template: the header and drop-downs, no data. */
static void test_template_only(void **state)
{
    (void)state;
    zg_xlsx_writer_t *w = member_writer();
    zg_error_t err;
    void *data;
    size_t len;
    assert_int_equal(zg_xlsx_finish(w, NULL, &data, &len, &err), ZG_OK);
    XT_EXPECT_DUMP(data, len, NULL, false,
                   "1: A=姓名 B=性别 C=民族 D=出生日期 E=公民身份号码 F=手机号码 G=党费（元） "
                   "H=所在党支部\n");
    free(data);
}

/* A notes sheet ("填写说明") after the data sheet: visible, second, with its text; the data
 * sheet still reads back first; it cannot come late, twice, or take the list sheet's name. */
static void test_notes_sheet(void **state)
{
    (void)state;
    static const char *const notes[] = {
        "列名",     "是否必填", "填写要求",
        "姓名",     "必填",     "不超过50个字",
        "身份证号", "必填",     "18位，末位可为X；依据 GB 11643-1999",
        "备注",     "",         "=不是公式"};
    const double widths[] = {12, 8, 60};
    zg_xlsx_writer_t *w = member_writer();
    zg_error_t err;
    assert_int_equal(zg_xlsx_add_notes(w, "下拉选项", notes, 4, 3, widths, &err), ZG_ERR_INVALID);
    assert_int_equal(zg_xlsx_add_notes(w, "填写说明", notes, 4, 0, widths, &err), ZG_ERR_INVALID);
    assert_int_equal(zg_xlsx_add_notes(w, "填写说明", notes, 4, 3, widths, &err), ZG_OK);
    assert_int_equal(zg_xlsx_add_notes(w, "说明二", notes, 4, 3, widths, &err), ZG_ERR_INVALID);
    const char *row[] = {"张三", "男", NULL, "1990-01-02", "110105199001021234", NULL, NULL, NULL};
    assert_int_equal(zg_xlsx_write_row(w, row, 8, &err), ZG_OK);
    void *data;
    size_t len;
    assert_int_equal(zg_xlsx_finish(w, NULL, &data, &len, &err), ZG_OK);
    char *wb = xt_part(data, len, "xl/workbook.xml");
    char *first = strstr(wb, "name=\"党员信息\""), *second = strstr(wb, "name=\"填写说明\"");
    assert_non_null(first);
    assert_non_null(second);
    assert_true(first < second);
    free(wb);
    char *sheet = xt_part(data, len, "xl/worksheets/sheet2.xml");
    assert_non_null(strstr(sheet, "18位，末位可为X；依据 GB 11643-1999"));
    assert_non_null(strstr(sheet, "=不是公式")); /* text, never a formula */
    assert_null(strstr(sheet, "<f>"));
    free(sheet);
    XT_EXPECT_DUMP(data, len, NULL, false,
                   "1: A=姓名 B=性别 C=民族 D=出生日期 E=公民身份号码 F=手机号码 G=党费（元） "
                   "H=所在党支部\n2: A=张三 B=男 D=32875 E=110105199001021234\n");
    free(data);
    /* after the first data row it is too late */
    w = member_writer();
    assert_int_equal(zg_xlsx_write_row(w, row, 8, &err), ZG_OK);
    assert_int_equal(zg_xlsx_add_notes(w, "填写说明", notes, 4, 3, widths, &err), ZG_ERR_INVALID);
    zg_xlsx_writer_free(w);
}

static void test_writer_errors(void **state)
{
    (void)state;
    zg_xlsx_writer_t *w;
    zg_error_t err;
    /* sheet names */
    assert_int_equal(zg_xlsx_writer_new("", &w, &err), ZG_ERR_INVALID);
    assert_int_equal(zg_xlsx_writer_new("a/b", &w, &err), ZG_ERR_INVALID);
    assert_int_equal(zg_xlsx_writer_new("下拉选项", &w, &err), ZG_ERR_INVALID);
    assert_int_equal(
        zg_xlsx_writer_new("一二三四五六七八九十一二三四五六七八九十一二三四五六七八九十一", &w,
                           &err),
        ZG_OK); /* 31 characters */
    zg_xlsx_writer_free(w);
    assert_int_equal(
        zg_xlsx_writer_new("一二三四五六七八九十一二三四五六七八九十一二三四五六七八九十一二", &w,
                           &err),
        ZG_ERR_INVALID); /* 32 */
    assert_int_equal(zg_xlsx_writer_new("\xFF", &w, &err), ZG_ERR_INVALID);

    assert_int_equal(zg_xlsx_writer_new(NULL, &w, &err), ZG_OK);
    /* headers and items */
    assert_int_equal(zg_xlsx_add_column(w, "", 0, ZG_XLSX_COL_TEXT, NULL, 0, &err), ZG_ERR_INVALID);
    assert_int_equal(zg_xlsx_add_column(w, NULL, 0, ZG_XLSX_COL_TEXT, NULL, 0, &err),
                     ZG_ERR_INVALID);
    assert_int_equal(zg_xlsx_add_column(w, "\xC3\x28", 0, ZG_XLSX_COL_TEXT, NULL, 0, &err),
                     ZG_ERR_INVALID);
    assert_int_equal(zg_xlsx_add_column(w, "x", 0, (zg_xlsx_col_kind)9, NULL, 0, &err),
                     ZG_ERR_INVALID);
    assert_int_equal(zg_xlsx_add_column(w, "x", 0, ZG_XLSX_COL_DICT, NULL, 0, &err),
                     ZG_ERR_INVALID);
    static const char *const empty_item[] = {"男", ""};
    assert_int_equal(zg_xlsx_add_column(w, "x", 0, ZG_XLSX_COL_DICT, empty_item, 2, &err),
                     ZG_ERR_INVALID);
    /* 256 columns are fine, the 257th is refused */
    for (int i = 0; i < ZG_XLSX_WRITE_MAX_COLS; i++)
        assert_int_equal(zg_xlsx_add_column(w, "列", 0, ZG_XLSX_COL_TEXT, NULL, 0, &err), ZG_OK);
    assert_int_equal(zg_xlsx_add_column(w, "列", 0, ZG_XLSX_COL_TEXT, NULL, 0, &err),
                     ZG_ERR_INVALID);
    zg_xlsx_writer_free(w);

    assert_int_equal(zg_xlsx_writer_new(NULL, &w, &err), ZG_OK);
    assert_int_equal(zg_xlsx_add_column(w, "甲", 0, ZG_XLSX_COL_TEXT, NULL, 0, &err), ZG_OK);
    assert_int_equal(zg_xlsx_add_column(w, "乙", 0, ZG_XLSX_COL_TEXT, NULL, 0, &err), ZG_OK);
    const char *ok[] = {"a", "b"};
    assert_int_equal(zg_xlsx_write_row(w, ok, 2, &err), ZG_OK);
    /* no columns after the first row; no more cells than columns */
    assert_int_equal(zg_xlsx_add_column(w, "丙", 0, ZG_XLSX_COL_TEXT, NULL, 0, &err),
                     ZG_ERR_INVALID);
    const char *three[] = {"a", "b", "c"};
    assert_int_equal(zg_xlsx_write_row(w, three, 3, &err), ZG_ERR_INVALID);
    /* bad text, with the row and column in the message */
    const char *bad[] = {"a", "\xE4\xB8"};
    assert_int_equal(zg_xlsx_write_row(w, bad, 2, &err), ZG_ERR_INVALID);
    assert_string_equal(err.message, "第 3 行 B 列：内容不是有效的 UTF-8 文字");
    /* 32,767 characters fit in a cell, 32,768 do not */
    char *big = malloc(32769);
    memset(big, 'x', 32768);
    big[32768] = '\0';
    const char *toolong[] = {big};
    assert_int_equal(zg_xlsx_write_row(w, toolong, 1, &err), ZG_ERR_INVALID);
    assert_string_equal(err.message, "第 3 行 A 列：内容过长（超过 32767 个字符）");
    big[32767] = '\0';
    assert_int_equal(zg_xlsx_write_row(w, toolong, 1, &err), ZG_OK);
    void *data;
    size_t len;
    assert_int_equal(zg_xlsx_finish(w, NULL, &data, &len, &err), ZG_OK);
    zg_xlsx_reader_t *rd;
    assert_int_equal(zg_xlsx_reader_open_mem(data, len, NULL, &rd, &err), ZG_OK);
    zg_xlsx_row_t *row;
    assert_int_equal(zg_xlsx_next_row(rd, &row, &err), 1);
    assert_int_equal(zg_xlsx_next_row(rd, &row, &err), 1);
    assert_int_equal(zg_xlsx_next_row(rd, &row, &err), 1);
    assert_int_equal(row->num, 3);
    assert_string_equal(row->cells[0], big);
    zg_xlsx_reader_free(rd);
    free(big);
    free(data);
}

static size_t count_files(const char *dir)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        if (e->d_name[0] != '.')
            n++;
    closedir(d);
    return n;
}

/* finish into an arena, finish to a descriptor, abandon: no temporary file is left behind. */
static void test_finish_variants_and_cleanup(void **state)
{
    (void)state;
    char dir[] = "/tmp/zgxlsxw-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char *old = getenv("TMPDIR") ? strdup(getenv("TMPDIR")) : NULL;
    setenv("TMPDIR", dir, 1);

    zg_xlsx_writer_t *w = member_writer();
    assert_true(count_files(dir) >= 1);
    zg_xlsx_writer_free(w);
    assert_int_equal(count_files(dir), 0);

    zg_arena_t arena;
    zg_arena_init(&arena, 0, 1024 * 1024);
    w = member_writer();
    void *data;
    size_t len;
    zg_error_t err;
    assert_int_equal(zg_xlsx_finish(w, &arena, &data, &len, &err), ZG_OK);
    assert_int_equal(count_files(dir), 0);
    XT_EXPECT_DUMP(data, len, NULL, false,
                   "1: A=姓名 B=性别 C=民族 D=出生日期 E=公民身份号码 F=手机号码 G=党费（元） "
                   "H=所在党支部\n");
    zg_arena_destroy(&arena);

    /* an arena too small for the file */
    zg_arena_init(&arena, 0, 1024);
    w = member_writer();
    assert_int_equal(zg_xlsx_finish(w, &arena, &data, &len, &err), ZG_ERR_TOO_LARGE);
    assert_null(data);
    assert_int_equal(count_files(dir), 0);
    zg_arena_destroy(&arena);

    w = member_writer();
    int fd;
    assert_int_equal(zg_xlsx_finish_fd(w, &fd, &len, &err), ZG_OK);
    assert_int_equal(count_files(dir), 0); /* unlinked, still readable */
    struct stat st;
    assert_int_equal(fstat(fd, &st), 0);
    assert_int_equal((size_t)st.st_size, len);
    assert_int_equal(st.st_nlink, 0);
    uint8_t *buf = malloc(len);
    assert_int_equal(read(fd, buf, len), (ssize_t)len);
    close(fd);
    XT_EXPECT_DUMP(buf, len, NULL, false,
                   "1: A=姓名 B=性别 C=民族 D=出生日期 E=公民身份号码 F=手机号码 G=党费（元） "
                   "H=所在党支部\n");
    free(buf);

    /* a temporary directory that does not exist */
    setenv("TMPDIR", "/nonexistent/zg", 1);
    assert_int_equal(zg_xlsx_writer_new(NULL, &w, &err), ZG_ERR_IO);
    if (old) {
        setenv("TMPDIR", old, 1);
        free(old);
    } else {
        unsetenv("TMPDIR");
    }
    rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_libxlsxwriter_shared_strings),
        cmocka_unit_test(test_libxlsxwriter_inline_strings),
        cmocka_unit_test(test_writer_round_trip),
        cmocka_unit_test(test_writer_dates),
        cmocka_unit_test(test_writer_numbers),
        cmocka_unit_test(test_inline_list_boundary),
        cmocka_unit_test(test_template_only),
        cmocka_unit_test(test_notes_sheet),
        cmocka_unit_test(test_writer_errors),
        cmocka_unit_test(test_finish_variants_and_cleanup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
