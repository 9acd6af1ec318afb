/* read_bench.c — speed and memory of the XLSX reader alone (src/xlsx/xlsx_read.h), the first
 * stage of a member import (issue 4: ≥ 20,000 rows/s end to end including validation and
 * encryption, ≤ 200 MB; the reader should do ≥ 200,000 rows/s by itself).
 *
 *   read_bench gen FILE [ROWS] [shared|inline]
 *       writes ROWS (default 100,000) member-like rows × 15 columns: "shared" (default) with
 *       libxlsxwriter's shared string table, as Excel and WPS save files; "inline" with the
 *       project's own writer (src/xlsx/xlsx_write.h: inline strings, dates, drop-downs)
 *   read_bench read FILE [ROUNDS]
 *       opens FILE with zg_xlsx_reader_open_file and reads every row, touching every cell and
 *       parsing the two date columns, ROUNDS times (default 3) in this process; prints each
 *       round's rows/s and the process's peak RSS (getrusage ru_maxrss).
 *
 * Generation and reading are separate processes so that the peak RSS is the reader's. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include <xlsxwriter.h>

#include "xlsx/xlsx_read.h"
#include "xlsx/xlsx_write.h"

#define NCOLS 15

static const char *const HEADERS[NCOLS] = {"序号",       "姓名",         "性别",     "民族",
                                           "出生日期",   "公民身份号码", "手机号码", "学历",
                                           "所在党支部", "入党日期",     "党员类别", "月缴党费",
                                           "工作单位",   "人员状态",     "备注"};
static const char *const SURNAMES[] = {"王", "李", "张", "刘", "陈", "杨", "赵", "黄",
                                       "周", "吴", "徐", "孙", "胡", "朱", "高", "林"};
static const char *const GIVEN[] = {"伟", "芳", "娜", "秀英", "敏", "静", "丽", "强",
                                    "磊", "军", "洋", "勇",   "艳", "杰", "娟", "涛"};
static const char *const ETHNIC[] = {"汉族", "壮族", "回族", "满族", "维吾尔族", "苗族"};
static const char *const EDU[] = {"研究生", "大学本科", "大学专科", "中专", "高中", "初中及以下"};
static const char *const GENDER[] = {"男", "女"};
static const char *const KIND[] = {"正式党员", "预备党员"};
static const char *const STATUS[] = {"在职", "退休", "流动"};

static uint32_t rng = 2463534242u;
static uint32_t next(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 17;
    rng ^= rng << 5;
    return rng;
}

/* One row's cells as text; dates "YYYY-MM-DD". Buffers are static. */
static void row_text(uint32_t r, const char *cells[NCOLS])
{
    static char b[NCOLS][96];
    snprintf(b[0], sizeof b[0], "%u", r);
    snprintf(b[1], sizeof b[1], "%s%s%s", SURNAMES[next() % 16], GIVEN[next() % 16],
             next() % 2 ? GIVEN[next() % 16] : "");
    snprintf(b[2], sizeof b[2], "%s", GENDER[next() % 2]);
    snprintf(b[3], sizeof b[3], "%s", ETHNIC[next() % 6]);
    int by = 1940 + (int)(next() % 60), bm = 1 + (int)(next() % 12), bd = 1 + (int)(next() % 28);
    snprintf(b[4], sizeof b[4], "%04d-%02d-%02d", by, bm, bd);
    snprintf(b[5], sizeof b[5], "110105%04d%02d%02d%03u%u", by, bm, bd, next() % 1000, next() % 10);
    snprintf(b[6], sizeof b[6], "1%02u%08u", 30 + next() % 60, next() % 100000000);
    snprintf(b[7], sizeof b[7], "%s", EDU[next() % 6]);
    snprintf(b[8], sizeof b[8], "中共某某县委第%u党支部", next() % 800);
    snprintf(b[9], sizeof b[9], "%04d-%02d-%02d", by + 20 + (int)(next() % 20),
             1 + (int)(next() % 12), 1 + (int)(next() % 28));
    snprintf(b[10], sizeof b[10], "%s", KIND[next() % 10 == 0]);
    snprintf(b[11], sizeof b[11], "%u.%02u", next() % 300, next() % 100);
    snprintf(b[12], sizeof b[12], "某某县第%u中学", next() % 300);
    snprintf(b[13], sizeof b[13], "%s", STATUS[next() % 3]);
    snprintf(b[14], sizeof b[14], "%s", next() % 5 ? "" : "2023年度优秀共产党员");
    for (int c = 0; c < NCOLS; c++)
        cells[c] = b[c];
}

static int gen_shared(const char *path, uint32_t rows)
{
    lxw_workbook *wb = workbook_new(path);
    lxw_worksheet *ws = workbook_add_worksheet(wb, "党员信息");
    lxw_format *date = workbook_add_format(wb);
    format_set_num_format(date, "yyyy-mm-dd");
    for (int c = 0; c < NCOLS; c++)
        worksheet_write_string(ws, 0, (lxw_col_t)c, HEADERS[c], NULL);
    for (uint32_t r = 1; r <= rows; r++) {
        const char *cells[NCOLS];
        row_text(r, cells);
        for (int c = 0; c < NCOLS; c++) {
            if (!*cells[c])
                continue;
            if (c == 0 || c == 11) {
                worksheet_write_number(ws, r, (lxw_col_t)c, atof(cells[c]), NULL);
            } else if (c == 4 || c == 9) {
                lxw_datetime dt = {0};
                sscanf(cells[c], "%d-%d-%d", &dt.year, &dt.month, &dt.day);
                worksheet_write_datetime(ws, r, (lxw_col_t)c, &dt, date);
            } else {
                worksheet_write_string(ws, r, (lxw_col_t)c, cells[c], NULL);
            }
        }
    }
    return workbook_close(wb) == LXW_NO_ERROR ? 0 : 1;
}

static int gen_inline(const char *path, uint32_t rows)
{
    zg_xlsx_writer_t *w;
    zg_error_t err;
    if (zg_xlsx_writer_new("党员信息", &w, &err))
        goto fail;
    for (int c = 0; c < NCOLS; c++) {
        zg_xlsx_col_kind k = ZG_XLSX_COL_TEXT;
        const char *const *items = NULL;
        size_t n = 0;
        if (c == 0 || c == 11)
            k = ZG_XLSX_COL_NUMBER;
        else if (c == 4 || c == 9)
            k = ZG_XLSX_COL_DATE;
        else if (c == 2 || c == 3 || c == 7 || c == 10 || c == 13) {
            k = ZG_XLSX_COL_DICT;
            items = c == 2 ? GENDER : c == 3 ? ETHNIC : c == 7 ? EDU : c == 10 ? KIND : STATUS;
            n = c == 2 || c == 10 ? 2 : c == 13 ? 3 : 6;
        }
        if (zg_xlsx_add_column(w, HEADERS[c], 12, k, items, n, &err))
            goto fail;
    }
    for (uint32_t r = 1; r <= rows; r++) {
        const char *cells[NCOLS];
        row_text(r, cells);
        if (zg_xlsx_write_row(w, cells, NCOLS, &err))
            goto fail;
    }
    int fd;
    size_t len;
    if (zg_xlsx_finish_fd(w, &fd, &len, &err))
        goto fail;
    FILE *out = fopen(path, "wb"), *in = fdopen(fd, "rb");
    char buf[65536];
    size_t k;
    while (out && in && (k = fread(buf, 1, sizeof buf, in)) > 0)
        fwrite(buf, 1, k, out);
    if (in)
        fclose(in);
    return out && fclose(out) == 0 ? 0 : 1;
fail:
    fprintf(stderr, "gen: %s\n", err.detail);
    return 1;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* CPU time of this process (user + system): less disturbed than wall time when the machine is
 * busy with other work. */
static double cpu(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
           (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

static int read_file(const char *path, int rounds)
{
    for (int round = 1; round <= rounds; round++) {
        double t0 = now(), c0 = cpu();
        zg_xlsx_reader_t *rd;
        zg_error_t err;
        if (zg_xlsx_reader_open_file(path, NULL, &rd, &err)) {
            fprintf(stderr, "open: %s (%s)\n", err.message, err.detail);
            return 1;
        }
        zg_xlsx_row_t *row;
        int rc;
        uint64_t rows = 0, bytes = 0, dates = 0;
        bool d1904 = zg_xlsx_reader_date1904(rd);
        while ((rc = zg_xlsx_next_row(rd, &row, &err)) == 1) {
            rows++;
            for (uint32_t c = 0; c < row->ncells; c++)
                if (row->cells[c])
                    bytes += strlen(row->cells[c]);
            zg_date_t d;
            if (row->ncells > 9 && zg_xlsx_parse_date_cell(row->cells[4], d1904, &d) == 0 &&
                zg_xlsx_parse_date_cell(row->cells[9], d1904, &d) == 0)
                dates += 2;
        }
        zg_xlsx_reader_free(rd);
        if (rc < 0) {
            fprintf(stderr, "read: %s (%s)\n", err.message, err.detail);
            return 1;
        }
        double dt = now() - t0, dc = cpu() - c0;
        struct rusage ru;
        getrusage(RUSAGE_SELF, &ru);
        printf("round %d: %llu rows (%llu text bytes, %llu dates) in %.3f s = %.0f rows/s "
               "(CPU %.3f s = %.0f rows/CPU-s), peak RSS %.1f MB\n",
               round, (unsigned long long)rows, (unsigned long long)bytes,
               (unsigned long long)dates, dt, (double)rows / dt, dc, (double)rows / dc,
               ru.ru_maxrss / 1024.0);
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc >= 3 && strcmp(argv[1], "gen") == 0) {
        uint32_t rows = argc >= 4 ? (uint32_t)strtoul(argv[3], NULL, 10) : 100000;
        bool inl = argc >= 5 && strcmp(argv[4], "inline") == 0;
        return inl ? gen_inline(argv[2], rows) : gen_shared(argv[2], rows);
    }
    if (argc >= 3 && strcmp(argv[1], "read") == 0)
        return read_file(argv[2], argc >= 4 ? atoi(argv[3]) : 3);
    fprintf(stderr, "usage: read_bench gen FILE [ROWS] [shared|inline]\n"
                    "       read_bench read FILE [ROUNDS]\n");
    return 2;
}
