/* test_xlsx_big.c — 100,000 rows × 15 columns written by libxlsxwriter (shared strings, as
 * Excel writes them) read back cell by cell in reasonable time, from memory and from a file.
 * bench/import/read_bench.c measures the same path for speed and memory. */
#include <time.h>

#include <xlsxwriter.h>

#include "xlsx_test.h"

#define NROWS 100000
#define NCOLS 15

static const char *const SURNAMES[] = {"王", "李", "张", "刘", "陈", "杨", "赵", "黄"};
static const char *const GIVEN[] = {"伟", "芳", "娜", "秀英", "敏", "静", "丽", "强", "磊", "军"};
static const char *const ETHNIC[] = {"汉族", "壮族", "回族", "满族", "维吾尔族", "苗族"};
static const char *const EDU[] = {"研究生", "大学本科", "大学专科", "中专", "高中", "初中及以下"};

/* The text of cell (r, c) as written, for r ≥ 1 (row 0 is the header). Numbers come back as
 * the reader gives them (libxlsxwriter writes %.16G). */
static void expected(uint32_t r, int c, char *buf, size_t size)
{
    switch (c) {
    case 0:
        snprintf(buf, size, "%u", r);
        break;
    case 1:
        snprintf(buf, size, "%s%s", SURNAMES[r % 8], GIVEN[(r / 8) % 10]);
        break;
    case 2:
        snprintf(buf, size, "%s", r % 3 ? "男" : "女");
        break;
    case 3:
        snprintf(buf, size, "%s", ETHNIC[r % 6]);
        break;
    case 4: /* birth date serial */
        snprintf(buf, size, "%u", 20000 + r % 15000);
        break;
    case 5: /* ID number as text */
        snprintf(buf, size, "11010519%08u%02u", 80000000 + r, r % 100);
        break;
    case 6:
        snprintf(buf, size, "138%08u", r);
        break;
    case 7:
        snprintf(buf, size, "%s", EDU[r % 6]);
        break;
    case 8:
        snprintf(buf, size, "第%u党支部", r % 500);
        break;
    case 9: /* join date serial */
        snprintf(buf, size, "%u", 30000 + r % 15000);
        break;
    case 10:
        snprintf(buf, size, "%s", r % 10 ? "正式党员" : "预备党员");
        break;
    case 11: /* dues in yuan */
        snprintf(buf, size, "%u.5", r % 200);
        break;
    case 12:
        snprintf(buf, size, "北京市东城区某某街道%u号", r % 1000);
        break;
    case 13:
        snprintf(buf, size, "%s", r % 7 ? "在职" : "退休");
        break;
    default:
        snprintf(buf, size, "备注 %u &<>", r);
        break;
    }
}

static bool numeric(int c)
{
    return c == 0 || c == 4 || c == 9 || c == 11;
}

static char *make_file(void)
{
    static char path[512];
    xt_tmp_path(path, sizeof path);
    lxw_workbook *wb = workbook_new(path);
    lxw_worksheet *ws = workbook_add_worksheet(wb, "党员");
    char buf[128];
    for (int c = 0; c < NCOLS; c++) {
        snprintf(buf, sizeof buf, "列%d", c + 1);
        worksheet_write_string(ws, 0, (lxw_col_t)c, buf, NULL);
    }
    for (uint32_t r = 1; r <= NROWS; r++)
        for (int c = 0; c < NCOLS; c++) {
            expected(r, c, buf, sizeof buf);
            if (numeric(c))
                worksheet_write_number(ws, r, (lxw_col_t)c, atof(buf), NULL);
            else
                worksheet_write_string(ws, r, (lxw_col_t)c, buf, NULL);
        }
    assert_int_equal(workbook_close(wb), LXW_NO_ERROR);
    return path;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void read_all(zg_xlsx_reader_t *rd)
{
    zg_xlsx_row_t *row;
    zg_error_t err;
    char buf[128];
    assert_int_equal(zg_xlsx_next_row(rd, &row, &err), 1);
    assert_string_equal(row->cells[14], "列15");
    for (uint32_t r = 1; r <= NROWS; r++) {
        int rc = zg_xlsx_next_row(rd, &row, &err);
        if (rc != 1)
            fail_msg("row %u: %d %s", r + 1, rc, err.detail);
        assert_int_equal(row->num, r + 1);
        assert_int_equal(row->ncells, NCOLS);
        for (int c = 0; c < NCOLS; c++) {
            expected(r, c, buf, sizeof buf);
            if (strcmp(row->cells[c], buf) != 0)
                fail_msg("row %u col %d: %s, want %s", r + 1, c, row->cells[c], buf);
        }
    }
    assert_int_equal(zg_xlsx_next_row(rd, &row, &err), 0);
}

static void test_100k_rows(void **state)
{
    (void)state;
    char *path = make_file();
    size_t len;
    uint8_t *x = xt_read_file(path, &len);

    double t0 = now();
    zg_xlsx_reader_t *rd;
    zg_error_t err;
    assert_int_equal(zg_xlsx_reader_open_mem(x, len, NULL, &rd, &err), ZG_OK);
    read_all(rd);
    zg_xlsx_reader_free(rd);
    double dt = now() - t0;
    print_message("read %d rows x %d columns (%zu bytes) from memory in %.3fs: %.0f rows/s\n",
                  NROWS, NCOLS, len, dt, NROWS / dt);
    assert_true(dt < 60); /* a sanitizer build is ~10x slower than the benchmark */

    t0 = now();
    assert_int_equal(zg_xlsx_reader_open_file(path, NULL, &rd, &err), ZG_OK);
    read_all(rd);
    zg_xlsx_reader_free(rd);
    dt = now() - t0;
    print_message("from the file in %.3fs\n", dt);
    unlink(path);
    free(x);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_100k_rows),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
