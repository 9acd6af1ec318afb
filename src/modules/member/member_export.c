/* member_export.c — the import template and the export of a filtered member list as XLSX
 * (src/xlsx/xlsx_write.h) or CSV (member_io.h). The export reads the list page by page through
 * zg_member_list inside one read transaction (one consistent snapshot), with a page arena that
 * is reset after each page, so memory is one page plus the output file. Pages are keyset pages
 * (each starts after the previous page's last sort key, zg_member_key_t): every page is one
 * seek, where OFFSET would skip all the rows before it and make a long export quadratic. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/strbuf.h"
#include "db/db.h"
#include "modules/member/member_io.h"
#include "xlsx/xlsx_write.h"

/* ---- template ------------------------------------------------------------------------------ */

static const char *const STATUS_ITEMS[] = {"预备党员", "正式党员"};

/* The drop-down items of column c (NULL/0 for a column without). */
static int col_items(const member_io_dicts_t *d, zg_arena_t *a, int c, const char ***items,
                     size_t *n)
{
    *items = NULL;
    *n = 0;
    const member_io_col_t *col = &member_io_cols[c];
    if (col->kind != ZG_XLSX_COL_DICT)
        return 0;
    if (col->dict)
        return member_io_dict_labels(d, col->dict, items, n, a);
    const zg_member_label_t *t = NULL;
    switch (c) {
    case MIO_GENDER:
        t = member_io_genders;
        break;
    case MIO_OCC:
        t = zg_member_occupations;
        break;
    case MIO_DUES:
        t = zg_member_dues_categories;
        break;
    case MIO_STATUS:
        *items = (const char **)STATUS_ITEMS;
        *n = 2;
        return 0;
    default:
        return 0;
    }
    size_t k = 0;
    while (t[k].code)
        k++;
    *items = zg_arena_calloc(a, k + 1, sizeof **items);
    if (!*items)
        return -1;
    for (size_t i = 0; i < k; i++)
        (*items)[i] = t[i].label;
    *n = k;
    return 0;
}

/* The template's second sheet, 填写说明: what each column takes and the rule that checks it
 * (the same rules as docs/api-members-io.md and docs/api-members.md; one row per column of
 * member_io_cols, in its order, then general notes). */
#define NOTE_COLS 4
static const char *const TEMPLATE_NOTES[][NOTE_COLS] = {
    {"列名", "是否必填", "填写要求", "校验依据"},
    {"姓名", "必填", "党员本人姓名，不超过50个字", "本系统数据规范"},
    {"性别", "必填", "从下拉列表选择：男、女；须与身份证号第17位一致", "GB 11643-1999"},
    {"民族", "选填", "从下拉列表选择（GB 3304 民族名称）", "GB 3304"},
    {"出生日期", "必填", "如 1990-01-02；须与身份证号中的出生日期一致", "GB 11643-1999"},
    {"身份证号", "选填（更新已有党员时必填）",
     "18位，末位可为X；单元格须为文本格式（模板已设好），否则Excel会丢失末尾数字；同一身份证号只能"
     "有一条记录",
     "GB 11643-1999；一人一档"},
    {"手机号码", "选填", "11位手机号，可含空格或“-”", "本系统数据规范"},
    {"学历", "选填", "从下拉列表选择（GB/T 4658 学历代码）", "GB/T 4658"},
    {"学位", "选填", "从下拉列表选择（GB/T 6864-2003 学位代码）", "GB/T 6864-2003"},
    {"籍贯", "选填", "如 湖南长沙，不超过100个字", "本系统数据规范"},
    {"参加工作时间", "选填", "日期，须晚于出生日期", "本系统数据规范"},
    {"职业类别", "选填", "从下拉列表选择（党内统计公报的8类职业）", "党内统计"},
    {"所在党组织（代码或名称）", "必填（导入时选定了党组织的可不填）",
     "填党组织代码，或与系统中完全一致的党组织全称；须在您的管理范围内，一般为党支部",
     "本系统数据规范"},
    {"党员状态", "选填", "预备党员 或 正式党员；正式党员须填转正日期，预备党员不填",
     "《中国共产党发展党员工作细则》第三十二条"},
    {"入党日期", "必填", "支部大会通过接收为预备党员的日期；入党时须年满18周岁",
     "《中国共产党章程》第一条；《发展党员工作细则》第五条"},
    {"转正日期", "正式党员必填", "不早于入党日期满一年（延长预备期的按延长后计）",
     "《中国共产党章程》第七条；《发展党员工作细则》第三十二条"},
    {"党费类别", "选填", "从下拉列表选择", "《关于中国共产党党费收缴、使用和管理的规定》"},
    {"", "", "", ""},
    {"说明", "",
     "日期可写成 2024-01-02、2024/1/2、2024年1月2日 或 "
     "20240102；表头可加“*”或括号说明，系统按列名识别；"
     "第一行为表头，从第二行开始每行一名党员，最多200000行",
     ""},
    {"导入方式", "",
     "默认“全部正确才导入”：任一行有错误时不导入任何数据，并列出每个错误的行号、列和原因；"
     "也可选择“仅导入正确的行”；勾选“身份证号已存在时更新”可按身份证号更新已有党员信息",
     ""},
};

int zg_member_template_xlsx(zg_conn_t *c, zg_arena_t *arena, void **data, size_t *len,
                            zg_error_t *err)
{
    member_io_dicts_t *d;
    int rc = member_io_dicts_load(c, arena, &d, err);
    if (rc)
        return rc;
    zg_xlsx_writer_t *w;
    if ((rc = zg_xlsx_writer_new("党员信息", &w, err)))
        return rc;
    for (int k = 0; k < MIO_NCOLS; k++) {
        const char **items;
        size_t n;
        if (col_items(d, arena, k, &items, &n)) {
            zg_xlsx_writer_free(w);
            return zg_error_set(err, ZG_ERR_NOMEM, "no_memory", "服务器内存不足", "template");
        }
        const member_io_col_t *col = &member_io_cols[k];
        rc = zg_xlsx_add_column(
            w, col->header, col->width,
            n ? (zg_xlsx_col_kind)col->kind
              : (col->kind == ZG_XLSX_COL_DICT ? ZG_XLSX_COL_TEXT : (zg_xlsx_col_kind)col->kind),
            items, n, err);
        if (rc) {
            zg_xlsx_writer_free(w);
            return rc;
        }
    }
    const size_t nrows = sizeof TEMPLATE_NOTES / sizeof TEMPLATE_NOTES[0];
    static const double widths[NOTE_COLS] = {22, 20, 70, 36};
    if ((rc = zg_xlsx_add_notes(w, "填写说明", &TEMPLATE_NOTES[0][0], nrows, NOTE_COLS, widths,
                                err))) {
        zg_xlsx_writer_free(w);
        return rc;
    }
    return zg_xlsx_finish(w, NULL, data, len, err);
}

/* ---- export -------------------------------------------------------------------------------- */

static const char *date_text(zg_date_t d, char buf[ZG_DATE_STR_SIZE])
{
    if (d == ZG_MEMBER_NO_DATE || zg_date_format(d, buf))
        return NULL;
    return buf;
}

/* One member's cells in column order; buffers in `a`. */
static void member_cells(const zg_member_t *m, const member_io_dicts_t *d, bool pii,
                         const char *cells[MIO_NCOLS], char dates[4][ZG_DATE_STR_SIZE])
{
    cells[MIO_NAME] = m->name;
    cells[MIO_GENDER] = zg_member_label(member_io_genders, m->gender);
    cells[MIO_ETHNICITY] = member_io_dict_label(d, "ethnicity", m->ethnicity);
    cells[MIO_BIRTH] = date_text(m->birth_date, dates[0]);
    cells[MIO_IDNUM] = pii ? m->id_number : m->id_number_masked;
    cells[MIO_PHONE] = pii ? m->phone : m->phone_masked;
    cells[MIO_EDU] = member_io_dict_label(d, "education", m->education);
    cells[MIO_DEGREE] = member_io_dict_label(d, "degree", m->degree);
    cells[MIO_NATIVE] = m->native_place;
    cells[MIO_WORK] = date_text(m->work_start_date, dates[1]);
    cells[MIO_OCC] = zg_member_label(zg_member_occupations, m->occupation);
    cells[MIO_ORG] = m->org_name;
    cells[MIO_STATUS] = zg_member_label(zg_member_statuses, m->status);
    cells[MIO_JOINED] = date_text(m->joined_on, dates[2]);
    cells[MIO_CONVERTED] = m->status && strcmp(m->status, "probationary")
                               ? date_text(m->standing_since, dates[3])
                               : NULL;
    cells[MIO_DUES] = zg_member_label(zg_member_dues_categories, m->dues_category);
    /* a code without a label is shown as the code */
    if (!cells[MIO_ETHNICITY])
        cells[MIO_ETHNICITY] = m->ethnicity;
    if (!cells[MIO_EDU])
        cells[MIO_EDU] = m->education;
    if (!cells[MIO_DEGREE])
        cells[MIO_DEGREE] = m->degree;
}

/* RFC 4180 field; a leading = + - @ (or TAB/CR) gets a ' so a spreadsheet shows it as text. */
static void csv_field(zg_strbuf_t *sb, const char *s)
{
    if (!s || !*s)
        return;
    bool quote = strpbrk(s, ",\"\r\n") != NULL;
    bool guard = strchr("=+-@\t\r", s[0]) != NULL;
    if (quote)
        zg_strbuf_putc(sb, '"');
    if (guard)
        zg_strbuf_putc(sb, '\'');
    for (const char *p = s; *p; p++) {
        if (*p == '"')
            zg_strbuf_putc(sb, '"');
        zg_strbuf_putc(sb, *p);
    }
    if (quote)
        zg_strbuf_putc(sb, '"');
}

static void csv_row(zg_strbuf_t *sb, const char *const *cells)
{
    for (int k = 0; k < MIO_NCOLS; k++) {
        if (k)
            zg_strbuf_putc(sb, ',');
        csv_field(sb, cells[k]);
    }
    zg_strbuf_puts(sb, "\r\n");
}

int zg_member_export(zg_conn_t *c, zg_arena_t *arena, int64_t scope, const zg_member_query_t *q,
                     bool reveal_pii, zg_member_export_format fmt, void **data, size_t *len,
                     int64_t *rows, zg_error_t *err)
{
    *data = NULL;
    *len = 0;
    *rows = 0;
    member_io_dicts_t *d;
    int rc = member_io_dicts_load(c, arena, &d, err);
    if (rc)
        return rc;
    zg_member_query_t pq = *q;
    pq.offset = 0;
    memset(&pq.after, 0, sizeof pq.after);
    pq.limit = ZG_MEMBER_PAGE_MAX;
    zg_arena_t page;
    zg_arena_init(&page, 64u << 10, 64u << 20);
    zg_xlsx_writer_t *w = NULL;
    zg_strbuf_t csv;
    zg_strbuf_init(&csv, NULL, (size_t)1 << 30);
    const char *headers[MIO_NCOLS];
    for (int k = 0; k < MIO_NCOLS; k++)
        headers[k] = member_io_cols[k].header;
    if (fmt == ZG_EXPORT_XLSX) {
        if ((rc = zg_xlsx_writer_new("党员名单", &w, err)))
            goto out;
        for (int k = 0; k < MIO_NCOLS && !rc; k++) {
            const member_io_col_t *col = &member_io_cols[k];
            zg_xlsx_col_kind kind =
                col->kind == ZG_XLSX_COL_DATE ? ZG_XLSX_COL_DATE : ZG_XLSX_COL_TEXT;
            rc = zg_xlsx_add_column(w, col->header, col->width, kind, NULL, 0, err);
        }
        if (rc)
            goto out;
    } else {
        zg_strbuf_puts(&csv, "\xef\xbb\xbf"); /* BOM: Excel reads the file as UTF-8 */
        csv_row(&csv, headers);
    }
    if ((rc = zg_db_begin(c, ZG_TX_READ, err)))
        goto out;
    for (;;) {
        zg_arena_reset(&page);
        zg_member_list_t l;
        rc = zg_member_list(c, &page, scope, &pq, reveal_pii, &l, err);
        if (rc)
            break;
        if (!pq.after.set && l.total > ZG_MEMBER_EXPORT_MAX_ROWS) {
            rc = zg_error_set(err, ZG_ERR_TOO_LARGE, "export_too_large",
                              "符合条件的党员超过 100000 人，请缩小筛选范围后分批导出",
                              "export of %lld rows", (long long)l.total);
            break;
        }
        for (size_t i = 0; i < l.n && !rc; i++) {
            const char *cells[MIO_NCOLS];
            char dates[4][ZG_DATE_STR_SIZE];
            member_cells(&l.items[i], d, reveal_pii, cells, dates);
            if (w)
                rc = zg_xlsx_write_row(w, cells, MIO_NCOLS, err);
            else
                csv_row(&csv, cells);
        }
        *rows += (int64_t)l.n;
        if (rc || l.n < (size_t)pq.limit || *rows > ZG_MEMBER_EXPORT_MAX_ROWS)
            break;
        pq.after = l.last; /* the next page starts after this one's last row */
    }
    zg_db_rollback(c); /* the read transaction */
    if (rc)
        goto out;
    if (w) {
        rc = zg_xlsx_finish(w, NULL, data, len, err);
        w = NULL;
    } else if (csv.overflow) {
        rc = zg_error_set(err, ZG_ERR_NOMEM, "no_memory", "导出内容过大", "csv overflow");
    } else {
        *data = csv.data;
        *len = csv.len;
        csv.data = NULL; /* handed over */
    }
out:
    zg_xlsx_writer_free(w);
    if (csv.data)
        zg_strbuf_free(&csv);
    zg_arena_destroy(&page);
    return rc;
}
