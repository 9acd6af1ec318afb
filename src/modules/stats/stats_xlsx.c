/* stats_xlsx.c — the statistics report as a workbook laid out like the annual report
 * (党员队伍基本情况统计表): a title, a line naming the org and the data's moment, two header
 * rows (the groups of zg_stats_groups merged over their cells, then the cells), the org's
 * totals and one row per child org, counts as numbers and the bulletin's percentages with one
 * decimal.
 *
 * libxlsxwriter directly rather than xlsx/xlsx_write.h: that writer makes one header row of
 * one sheet for exports and templates, and the report needs a title and merged group
 * headers. The workbook is small (one row per child org), so libxlsxwriter keeps it in memory
 * (no constant-memory mode, which would forbid writing the merged headers out of row order)
 * and writes it, as xlsx_write.c does, into a mkstemp file this function holds open and reads
 * back. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <xlsxwriter.h>

#include "modules/stats/stats_service.h"

#define NAME_WIDTH 40
#define NUM_WIDTH  9
#define HEAD_ROWS  4 /* title, subtitle, groups, cells */

static const struct {
    const char *label;
    int cell;
} percent_cols[] = {
    {"女", ZG_STATS_C_FEMALE},
    {"少数民族", ZG_STATS_C_MINORITY},
    {"大专及以上", ZG_STATS_C_COLLEGE_PLUS},
};
#define N_PERCENT ((int)(sizeof percent_cols / sizeof percent_cols[0]))

typedef struct fmts {
    lxw_format *title, *sub, *head, *name, *num, *pct, *total_name, *total_num, *total_pct;
} fmts_t;

static lxw_format *fmt(lxw_workbook *wb, bool bold, bool border, int align, const char *num)
{
    lxw_format *f = workbook_add_format(wb);
    if (!f)
        return NULL;
    if (bold)
        format_set_bold(f);
    if (border)
        format_set_border(f, LXW_BORDER_THIN);
    if (align)
        format_set_align(f, (uint8_t)align);
    format_set_align(f, LXW_ALIGN_VERTICAL_CENTER);
    if (num)
        format_set_num_format(f, num);
    return f;
}

static bool make_formats(lxw_workbook *wb, fmts_t *f)
{
    f->title = fmt(wb, true, false, LXW_ALIGN_CENTER, NULL);
    f->sub = fmt(wb, false, false, LXW_ALIGN_LEFT, NULL);
    f->head = fmt(wb, true, true, LXW_ALIGN_CENTER, NULL);
    f->name = fmt(wb, false, true, LXW_ALIGN_LEFT, NULL);
    f->num = fmt(wb, false, true, 0, "0");
    f->pct = fmt(wb, false, true, 0, "0.0");
    f->total_name = fmt(wb, true, true, LXW_ALIGN_LEFT, NULL);
    f->total_num = fmt(wb, true, true, 0, "0");
    f->total_pct = fmt(wb, true, true, 0, "0.0");
    if (!f->title || !f->sub || !f->head || !f->name || !f->num || !f->pct || !f->total_name ||
        !f->total_num || !f->total_pct)
        return false;
    format_set_font_size(f->title, 16);
    format_set_text_wrap(f->head);
    format_set_pattern(f->head, LXW_PATTERN_SOLID);
    format_set_bg_color(f->head, 0xD9E1F2);
    return true;
}

/* Merges [r0..r1] × [c0..c1], or writes one cell when the range is one cell (libxlsxwriter
 * refuses a one-cell merge). */
static lxw_error put_head(lxw_worksheet *ws, int r0, int c0, int r1, int c1, const char *text,
                          lxw_format *f)
{
    if (r0 == r1 && c0 == c1)
        return worksheet_write_string(ws, (lxw_row_t)r0, (lxw_col_t)c0, text, f);
    return worksheet_merge_range(ws, (lxw_row_t)r0, (lxw_col_t)c0, (lxw_row_t)r1, (lxw_col_t)c1,
                                 text, f);
}

static lxw_error put_row(lxw_worksheet *ws, int row, const zg_stats_report_row_t *r,
                         const char *name, const fmts_t *f, bool total)
{
    lxw_error e =
        worksheet_write_string(ws, (lxw_row_t)row, 0, name, total ? f->total_name : f->name);
    int col = 1;
    for (int g = 0; g < zg_stats_n_groups && !e; g++)
        for (int i = 0; i < zg_stats_groups[g].n && !e; i++)
            e = worksheet_write_number(ws, (lxw_row_t)row, (lxw_col_t)col++,
                                       (double)r->cells[zg_stats_groups[g].cells[i]],
                                       total ? f->total_num : f->num);
    for (int i = 0; i < N_PERCENT && !e; i++) {
        int p = zg_stats_permille(r->cells[percent_cols[i].cell], r->cells[ZG_STATS_C_TOTAL]);
        lxw_format *pf = total ? f->total_pct : f->pct;
        if (p < 0)
            e = worksheet_write_blank(ws, (lxw_row_t)row, (lxw_col_t)col++, pf);
        else
            e = worksheet_write_number(ws, (lxw_row_t)row, (lxw_col_t)col++, p / 10.0, pf);
    }
    return e;
}

static lxw_error lay_out(lxw_workbook *wb, lxw_worksheet *ws, const zg_stats_report_t *r)
{
    fmts_t f;
    if (!make_formats(wb, &f))
        return LXW_ERROR_MEMORY_MALLOC_FAILED;
    int ncols = 1 + N_PERCENT;
    for (int g = 0; g < zg_stats_n_groups; g++)
        ncols += zg_stats_groups[g].n;
    int last = ncols - 1;
    char as_of[ZG_DATE_STR_SIZE], line[512];
    zg_date_format(r->as_of, as_of);

    snprintf(line, sizeof line, "党员队伍基本情况统计表（截至 %s）", as_of);
    lxw_error e = put_head(ws, 0, 0, 0, last, line, f.title);
    char at[ZG_TIMESTAMP_SIZE];
    zg_timestamp_to_china(r->data_as_of, at);
    snprintf(line, sizeof line, "填报单位：%.300s　　数据时间：%s（北京时间）　　数据版本：%llu",
             r->self.name, at, (unsigned long long)r->version);
    if (!e)
        e = put_head(ws, 1, 0, 1, last, line, f.sub);
    if (!e)
        e = put_head(ws, 2, 0, 3, 0, "党组织", f.head);
    int col = 1;
    for (int g = 0; g < zg_stats_n_groups && !e; g++) {
        const zg_stats_group_t *gr = &zg_stats_groups[g];
        if (gr->n == 1 && gr->cells[0] == ZG_STATS_C_TOTAL) {
            e = put_head(ws, 2, col, 3, col, gr->label, f.head); /* 党员总数: both rows */
            col++;
            continue;
        }
        e = put_head(ws, 2, col, 2, col + gr->n - 1, gr->label, f.head);
        for (int i = 0; i < gr->n && !e; i++)
            e = worksheet_write_string(ws, 3, (lxw_col_t)(col + i),
                                       zg_stats_cell_label(gr->cells[i]), f.head);
        col += gr->n;
    }
    if (!e)
        e = put_head(ws, 2, col, 2, col + N_PERCENT - 1, "比例（%）", f.head);
    for (int i = 0; i < N_PERCENT && !e; i++)
        e = worksheet_write_string(ws, 3, (lxw_col_t)(col + i), percent_cols[i].label, f.head);

    snprintf(line, sizeof line, "合计：%.400s", r->self.name);
    if (!e)
        e = put_row(ws, HEAD_ROWS, &r->self, line, &f, true);
    for (size_t i = 0; i < r->n_children && !e; i++)
        e = put_row(ws, HEAD_ROWS + 1 + (int)i, &r->children[i], r->children[i].name, &f, false);
    if (!e)
        e = worksheet_set_column(ws, 0, 0, NAME_WIDTH, NULL);
    if (!e)
        e = worksheet_set_column(ws, 1, (lxw_col_t)last, NUM_WIDTH, NULL);
    if (!e)
        e = worksheet_set_row(ws, 3, 45, NULL);
    if (!e)
        worksheet_freeze_panes(ws, HEAD_ROWS, 1);
    return e;
}

static int read_back(int fd, zg_arena_t *arena, void **data, size_t *len, zg_error_t *err)
{
    struct stat st;
    if (fstat(fd, &st) != 0 || st.st_size <= 0)
        return zg_error_set(err, ZG_ERR_IO, "xlsx_write", "生成 Excel 文件失败，请稍后重试",
                            "stats xlsx: fstat");
    if ((uint64_t)st.st_size > ZG_STATS_XLSX_MAX)
        return zg_error_set(err, ZG_ERR_TOO_LARGE, "too_large", "统计表过大，无法导出",
                            "stats xlsx: %lld bytes", (long long)st.st_size);
    size_t n = (size_t)st.st_size;
    char *buf = arena ? zg_arena_alloc(arena, n) : malloc(n);
    if (!buf)
        return zg_error_set(err, ZG_ERR_NOMEM, "no_memory", "内存不足", "stats xlsx: %zu bytes", n);
    size_t got = 0;
    while (got < n) {
        ssize_t k = pread(fd, buf + got, n - got, (off_t)got);
        if (k <= 0) {
            if (!arena)
                free(buf);
            return zg_error_set(err, ZG_ERR_IO, "xlsx_write", "生成 Excel 文件失败，请稍后重试",
                                "stats xlsx: reading back");
        }
        got += (size_t)k;
    }
    *data = buf;
    *len = n;
    return ZG_OK;
}

int zg_stats_report_xlsx(const zg_stats_report_t *r, zg_arena_t *arena, void **data, size_t *len,
                         zg_error_t *err)
{
    *data = NULL;
    *len = 0;
    const char *dir = getenv("TMPDIR");
    if (!dir || !*dir || strlen(dir) > PATH_MAX - 40)
        dir = "/tmp";
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/zugong-stats-XXXXXX.xlsx", dir);
    int fd = mkostemps(path, 5, O_CLOEXEC);
    if (fd < 0)
        return zg_error_set(err, ZG_ERR_IO, "xlsx_write", "生成 Excel 文件失败，请稍后重试",
                            "stats xlsx: mkstemp in %s: %s", dir, strerror(errno));
    int rc = ZG_OK;
    lxw_workbook_options opts = {.constant_memory = LXW_FALSE, .tmpdir = (char *)dir};
    lxw_workbook *wb = workbook_new_opt(path, &opts);
    lxw_worksheet *ws = wb ? workbook_add_worksheet(wb, "党员队伍基本情况") : NULL;
    lxw_error e = ws ? lay_out(wb, ws, r) : LXW_ERROR_MEMORY_MALLOC_FAILED;
    if (wb) {
        lxw_error ce = workbook_close(wb); /* writes the file, frees the workbook */
        if (!e)
            e = ce;
    }
    if (e)
        rc = zg_error_set(err, ZG_ERR_IO, "xlsx_write", "生成 Excel 文件失败，请稍后重试",
                          "stats xlsx: libxlsxwriter: %s", lxw_strerror(e));
    if (rc == ZG_OK)
        rc = read_back(fd, arena, data, len, err);
    unlink(path);
    close(fd);
    return rc;
}
