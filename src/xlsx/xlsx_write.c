/* xlsx_write.c — export and template workbooks over libxlsxwriter (see xlsx_write.h).
 *
 * libxlsxwriter writes to a file name, so the workbook goes to a mkstemp file that this writer
 * holds open: when libxlsxwriter rewrites that file on workbook_close, the descriptor sees the
 * result, which is then read back (zg_xlsx_finish) or handed out (zg_xlsx_finish_fd).
 *
 * Drop-down lists and the libxlsxwriter 1.1.4 that Debian 12 ships:
 *   - value_list (an inline list) is copied into a buffer of 255 + 3 bytes while its limit is
 *     checked in characters, so 255 characters of Chinese overflow the heap (found with ASan;
 *     later releases allocate 4 bytes per character). An inline list is therefore used only
 *     when it takes at most 255 bytes — which also keeps it under Excel's 255 characters.
 *   - LXW_VALIDATION_TYPE_LIST_FORMULA (a range) leaks one copy of the formula string per call
 *     (~30 bytes here: "'下拉选项'!$A$1:$A$56"). Nothing in the public API reaches that copy;
 *     it is paid once per long drop-down per workbook, and tests under LeakSanitizer suppress
 *     it (leak:worksheet_data_validation_range). */
#include "xlsx/xlsx_write.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <xlsxwriter.h>

#include "core/date.h"
#include "core/utf8.h"
#include "xlsx/xlsx_read.h"

#define LIST_SHEET        "下拉选项"
#define INLINE_LIST_MAX   255 /* bytes, commas included (Excel: 255 characters) */
#define DEFAULT_WIDTH     12.0
#define MAX_HEADER_CHARS  255
#define MAX_ITEM_CHARS    255
#define MAX_NUMBER_DIGITS 15 /* what a double holds exactly */

typedef struct column {
    char *name;
    double width;
    zg_xlsx_col_kind kind;
    char **items; /* DICT: the list */
    size_t nitems;
} column_t;

struct zg_xlsx_writer {
    char path[PATH_MAX];
    char tmpdir[PATH_MAX];
    int fd; /* the workbook file, held open from mkstemp */
    lxw_workbook *wb;
    lxw_worksheet *ws;
    lxw_format *hdr_fmt, *text_fmt, *date_fmt;
    zg_arena_t arena; /* column names and items */
    column_t cols[ZG_XLSX_WRITE_MAX_COLS];
    size_t ncols;
    bool laid_out;
    bool has_notes;
    uint32_t next_row; /* worksheet row of the next data row (0 is the header) */
};

static int io_error(zg_error_t *err, const char *what, lxw_error le)
{
    return zg_error_set(err, ZG_ERR_IO, "xlsx_write", "生成 Excel 文件失败，请稍后重试",
                        "xlsx write: %s: %s", what, lxw_strerror(le));
}

static bool valid_sheet_name(const char *s)
{
    size_t chars;
    if (!s || !*s || zg_utf8_strlen(s, strlen(s), &chars) != ZG_OK || chars > 31)
        return false;
    if (strpbrk(s, "[]:*?/\\") || s[0] == '\'' || s[strlen(s) - 1] == '\'')
        return false;
    return true;
}

int zg_xlsx_writer_new(const char *sheet_name, zg_xlsx_writer_t **out, zg_error_t *err)
{
    *out = NULL;
    if (!sheet_name)
        sheet_name = "Sheet1";
    if (!valid_sheet_name(sheet_name) || strcmp(sheet_name, LIST_SHEET) == 0)
        return zg_error_set(err, ZG_ERR_INVALID, "xlsx_sheet_name", "工作表名称无效",
                            "xlsx write: bad sheet name");
    zg_xlsx_writer_t *w = calloc(1, sizeof *w);
    if (!w)
        return zg_error_set(err, ZG_ERR_NOMEM, "no_memory", "服务器内存不足，请稍后重试",
                            "xlsx write: writer");
    w->fd = -1;
    zg_arena_init(&w->arena, 0, 0);
    const char *dir = getenv("TMPDIR");
    if (!dir || !*dir || strlen(dir) > PATH_MAX - 32)
        dir = "/tmp";
    snprintf(w->tmpdir, sizeof w->tmpdir, "%s", dir);
    snprintf(w->path, sizeof w->path, "%s/zugong-xlsx-XXXXXX.xlsx", dir);
    w->fd = mkostemps(w->path, 5, O_CLOEXEC);
    if (w->fd < 0) {
        int e = errno;
        w->path[0] = '\0';
        zg_xlsx_writer_free(w);
        return zg_error_set(err, ZG_ERR_IO, "xlsx_write", "生成 Excel 文件失败，请稍后重试",
                            "xlsx write: mkstemp in %s: %s", dir, strerror(e));
    }
    lxw_workbook_options opts = {
        .constant_memory = LXW_TRUE, .tmpdir = w->tmpdir, .use_zip64 = LXW_FALSE};
    w->wb = workbook_new_opt(w->path, &opts);
    if (w->wb)
        w->ws = workbook_add_worksheet(w->wb, sheet_name);
    if (w->ws) {
        w->hdr_fmt = workbook_add_format(w->wb);
        w->text_fmt = workbook_add_format(w->wb);
        w->date_fmt = workbook_add_format(w->wb);
    }
    if (!w->wb || !w->ws || !w->hdr_fmt || !w->text_fmt || !w->date_fmt) {
        zg_xlsx_writer_free(w);
        return zg_error_set(err, ZG_ERR_NOMEM, "no_memory", "服务器内存不足，请稍后重试",
                            "xlsx write: libxlsxwriter setup failed");
    }
    format_set_bold(w->hdr_fmt);
    format_set_pattern(w->hdr_fmt, LXW_PATTERN_SOLID);
    format_set_bg_color(w->hdr_fmt, 0xD9E1F2);
    format_set_border(w->hdr_fmt, LXW_BORDER_THIN);
    format_set_align(w->hdr_fmt, LXW_ALIGN_CENTER);
    format_set_align(w->hdr_fmt, LXW_ALIGN_VERTICAL_CENTER);
    format_set_num_format_index(w->text_fmt, 49); /* built-in "@": Excel's "Text" */
    format_set_num_format(w->date_fmt, "yyyy-mm-dd");
    *out = w;
    return ZG_OK;
}

static bool text_ok(const char *s, size_t max_chars)
{
    size_t chars;
    return zg_utf8_strlen(s, strlen(s), &chars) == ZG_OK && chars >= 1 && chars <= max_chars;
}

int zg_xlsx_add_column(zg_xlsx_writer_t *w, const char *name, double width, zg_xlsx_col_kind kind,
                       const char *const *items, size_t nitems, zg_error_t *err)
{
    if (w->laid_out)
        return zg_error_set(err, ZG_ERR_INVALID, "xlsx_layout", "列定义必须在写入数据之前",
                            "xlsx write: column added after the first row");
    if (w->ncols == ZG_XLSX_WRITE_MAX_COLS)
        return zg_error_set(err, ZG_ERR_INVALID, "xlsx_too_many_columns", "表格列数过多",
                            "xlsx write: more than %d columns", ZG_XLSX_WRITE_MAX_COLS);
    if (!name || !text_ok(name, MAX_HEADER_CHARS))
        return zg_error_set(err, ZG_ERR_INVALID, "xlsx_column_name", "列名无效",
                            "xlsx write: bad header for column %zu", w->ncols);
    if (kind < ZG_XLSX_COL_TEXT || kind > ZG_XLSX_COL_DICT)
        return zg_error_set(err, ZG_ERR_INVALID, "xlsx_column_kind", "列类型无效",
                            "xlsx write: bad kind %d", (int)kind);
    if (kind == ZG_XLSX_COL_DICT) {
        if (!items || nitems == 0 || nitems > ZG_XLSX_WRITE_MAX_ITEMS)
            return zg_error_set(err, ZG_ERR_INVALID, "xlsx_dict_items", "下拉选项数量无效",
                                "xlsx write: %zu items for column %zu", nitems, w->ncols);
        for (size_t i = 0; i < nitems; i++)
            if (!items[i] || !text_ok(items[i], MAX_ITEM_CHARS))
                return zg_error_set(err, ZG_ERR_INVALID, "xlsx_dict_items", "下拉选项无效",
                                    "xlsx write: bad item %zu for column %zu", i, w->ncols);
    }
    column_t *c = &w->cols[w->ncols];
    memset(c, 0, sizeof *c);
    c->name = zg_arena_strdup(&w->arena, name);
    c->width = width > 0 ? (width > 255 ? 255 : width) : DEFAULT_WIDTH;
    c->kind = kind;
    if (!c->name)
        goto nomem;
    if (kind == ZG_XLSX_COL_DICT) {
        c->items = zg_arena_calloc(&w->arena, nitems, sizeof *c->items);
        if (!c->items)
            goto nomem;
        for (size_t i = 0; i < nitems; i++)
            if (!(c->items[i] = zg_arena_strdup(&w->arena, items[i])))
                goto nomem;
        c->nitems = nitems;
    }
    w->ncols++;
    return ZG_OK;
nomem:
    return zg_error_set(err, ZG_ERR_NOMEM, "no_memory", "服务器内存不足，请稍后重试",
                        "xlsx write: column %zu", w->ncols);
}

/* The items as a NULL-terminated list for value_list when the inline list "a,b,c" takes at most
 * INLINE_LIST_MAX bytes (see the note at the top of the file) and no item holds a comma or a
 * quote; NULL otherwise (or without memory). */
static char **inline_list(zg_xlsx_writer_t *w, const column_t *c)
{
    size_t bytes = 0;
    for (size_t i = 0; i < c->nitems; i++) {
        if (strpbrk(c->items[i], ",\""))
            return NULL;
        bytes += strlen(c->items[i]) + (i > 0);
    }
    if (bytes > INLINE_LIST_MAX)
        return NULL;
    char **list = zg_arena_calloc(&w->arena, c->nitems + 1, sizeof *list);
    if (!list)
        return NULL;
    for (size_t i = 0; i < c->nitems; i++)
        list[i] = c->items[i];
    return list;
}

/* Writes the header, column formats, frozen pane and drop-downs: once, before the first row. */
static int layout(zg_xlsx_writer_t *w, zg_error_t *err)
{
    w->laid_out = true;
    w->next_row = 1;
    lxw_error le;
    for (size_t i = 0; i < w->ncols; i++) {
        column_t *c = &w->cols[i];
        lxw_format *f = c->kind == ZG_XLSX_COL_DATE     ? w->date_fmt
                        : c->kind == ZG_XLSX_COL_NUMBER ? NULL
                                                        : w->text_fmt;
        if ((le = worksheet_set_column(w->ws, (lxw_col_t)i, (lxw_col_t)i, c->width, f)) ||
            (le = worksheet_write_string(w->ws, 0, (lxw_col_t)i, c->name, w->hdr_fmt)))
            return io_error(err, "header", le);
    }
    if (w->ncols)
        worksheet_freeze_panes(w->ws, 1, 0);

    /* drop-downs: inline lists first; the others get a column of the hidden list sheet */
    char **list[ZG_XLSX_WRITE_MAX_COLS] = {0};
    char *formula[ZG_XLSX_WRITE_MAX_COLS] = {0};
    size_t list_col[ZG_XLSX_WRITE_MAX_COLS] = {0}, nlists = 0, longest = 0;
    for (size_t i = 0; i < w->ncols; i++) {
        column_t *c = &w->cols[i];
        if (c->kind != ZG_XLSX_COL_DICT)
            continue;
        if ((list[i] = inline_list(w, c)) != NULL)
            continue;
        char letters[4];
        list_col[i] = nlists++;
        zg_xlsx_col_name((uint32_t)list_col[i], letters);
        formula[i] = zg_arena_sprintf(&w->arena, "'%s'!$%s$1:$%s$%zu", LIST_SHEET, letters, letters,
                                      c->nitems);
        if (!formula[i])
            return zg_error_set(err, ZG_ERR_NOMEM, "no_memory", "服务器内存不足，请稍后重试",
                                "xlsx write: list formula");
        if (c->nitems > longest)
            longest = c->nitems;
    }
    if (nlists) {
        lxw_worksheet *ls = workbook_add_worksheet(w->wb, LIST_SHEET);
        if (!ls)
            return io_error(err, "list sheet", LXW_ERROR_MEMORY_MALLOC_FAILED);
        worksheet_hide(ls);
        /* constant-memory mode: a sheet is written row by row, so the lists go across */
        for (size_t r = 0; r < longest; r++)
            for (size_t i = 0; i < w->ncols; i++) {
                column_t *c = &w->cols[i];
                if (!formula[i] || r >= c->nitems)
                    continue;
                le = worksheet_write_string(ls, (lxw_row_t)r, (lxw_col_t)list_col[i], c->items[r],
                                            NULL);
                if (le)
                    return io_error(err, "list sheet", le);
            }
    }
    for (size_t i = 0; i < w->ncols; i++) {
        if (!list[i] && !formula[i])
            continue;
        lxw_data_validation dv;
        memset(&dv, 0, sizeof dv);
        if (list[i]) {
            dv.validate = LXW_VALIDATION_TYPE_LIST;
            dv.value_list = list[i];
        } else {
            dv.validate = LXW_VALIDATION_TYPE_LIST_FORMULA;
            dv.value_formula = formula[i];
        }
        dv.error_type = LXW_VALIDATION_ERROR_TYPE_STOP;
        dv.error_title = "输入错误";
        dv.error_message = "请从下拉列表中选择";
        le = worksheet_data_validation_range(w->ws, 1, (lxw_col_t)i, LXW_ROW_MAX - 1, (lxw_col_t)i,
                                             &dv);
        if (le)
            return io_error(err, "data validation", le);
    }
    return ZG_OK;
}

/* "-12.50" → -12.5: at most 15 significant digits, so the double is the decimal's closest
 * value (an exact integer divided once by an exact power of ten). */
static bool plain_number(const char *s, double *out)
{
    bool neg = *s == '-';
    if (neg)
        s++;
    uint64_t mant = 0;
    int digits = 0, frac = 0;
    bool dot = false;
    for (; *s; s++) {
        if (*s == '.' && !dot) {
            dot = true;
            continue;
        }
        if (*s < '0' || *s > '9')
            return false;
        if (++digits > MAX_NUMBER_DIGITS)
            return false;
        mant = mant * 10 + (uint64_t)(*s - '0');
        frac += dot;
    }
    if (digits == 0 || (dot && frac == 0))
        return false;
    double v = (double)mant;
    static const double pow10[] = {1e0, 1e1, 1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                   1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15};
    v /= pow10[frac];
    *out = neg ? -v : v;
    return true;
}

static bool is_hex(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static bool at_xescape(const char *s)
{
    return s[0] == '_' && s[1] == 'x' && is_hex(s[2]) && is_hex(s[3]) && is_hex(s[4]) &&
           is_hex(s[5]) && s[6] == '_';
}

/* Excel reads "_xHHHH_" in cell text as an escaped UTF-16 unit (ST_Xstring) and libxlsxwriter
 * does not escape a literal one, so "_x0041_" would come back as "A". The '_' that starts such
 * a sequence is written as "_x005F_", which Excel (and our reader) turn back into '_'.
 * Returns `s` itself when there is nothing to escape, else a malloc'd copy in *copy (NULL when
 * out of memory: then *copy is NULL and NULL is returned). */
static const char *escape_xstring(const char *s, char **copy)
{
    *copy = NULL;
    size_t n = 0;
    for (const char *p = strstr(s, "_x"); p; p = strstr(p + 1, "_x"))
        n += at_xescape(p);
    if (n == 0)
        return s;
    size_t len = strlen(s);
    char *out = malloc(len + 6 * n + 1);
    if (!out)
        return NULL;
    size_t k = 0;
    for (const char *p = s; *p; p++) {
        if (at_xescape(p)) {
            memcpy(out + k, "_x005F", 6);
            k += 6;
        }
        out[k++] = *p;
    }
    out[k] = '\0';
    *copy = out;
    return out;
}

int zg_xlsx_add_notes(zg_xlsx_writer_t *w, const char *sheet_name, const char *const *cells,
                      size_t nrows, size_t ncols, const double *widths, zg_error_t *err)
{
    if (w->laid_out || w->has_notes || !valid_sheet_name(sheet_name) ||
        strcmp(sheet_name, LIST_SHEET) == 0 || ncols == 0 || ncols > ZG_XLSX_WRITE_MAX_COLS ||
        nrows > 10000 || (nrows && !cells))
        return zg_error_set(err, ZG_ERR_INVALID, "xlsx_notes", "说明工作表参数无效",
                            "xlsx write: bad notes sheet");
    for (size_t i = 0; i < nrows * ncols; i++)
        if (cells[i] && *cells[i] && !text_ok(cells[i], 32767))
            return zg_error_set(err, ZG_ERR_INVALID, "xlsx_notes", "说明工作表内容无效",
                                "xlsx write: notes cell %zu is not UTF-8 or too long", i);
    lxw_worksheet *ns = workbook_add_worksheet(w->wb, sheet_name);
    lxw_format *wrap = ns ? workbook_add_format(w->wb) : NULL;
    if (!ns || !wrap)
        return zg_error_set(err, ZG_ERR_NOMEM, "no_memory", "服务器内存不足，请稍后重试",
                            "xlsx write: notes sheet");
    w->has_notes = true;
    format_set_text_wrap(wrap);
    format_set_align(wrap, LXW_ALIGN_VERTICAL_TOP);
    lxw_error le;
    for (size_t c = 0; c < ncols; c++) {
        double width = widths && widths[c] > 0 ? widths[c] : 20;
        if ((le = worksheet_set_column(ns, (lxw_col_t)c, (lxw_col_t)c, width > 255 ? 255 : width,
                                       wrap)))
            return io_error(err, "notes columns", le);
    }
    /* constant-memory mode: the rows go out in order, each once */
    for (size_t r = 0; r < nrows; r++)
        for (size_t c = 0; c < ncols; c++) {
            const char *v = cells[r * ncols + c];
            if (!v || !*v)
                continue;
            char *copy = NULL;
            const char *text = escape_xstring(v, &copy);
            if (!text)
                return zg_error_set(err, ZG_ERR_NOMEM, "no_memory", "服务器内存不足，请稍后重试",
                                    "xlsx write: notes escape");
            le = worksheet_write_string(ns, (lxw_row_t)r, (lxw_col_t)c, text,
                                        r == 0 ? w->hdr_fmt : wrap);
            free(copy);
            if (le)
                return io_error(err, "notes cell", le);
        }
    if (nrows)
        worksheet_freeze_panes(ns, 1, 0);
    return ZG_OK;
}

static int cell_err(zg_xlsx_writer_t *w, size_t col, zg_error_t *err, const char *what)
{
    char name[4], msg[192];
    zg_xlsx_col_name((uint32_t)col, name);
    snprintf(msg, sizeof msg, "第 %u 行 %s 列：%s", w->next_row + 1, name, what);
    return zg_error_set(err, ZG_ERR_INVALID, "xlsx_write_cell", msg,
                        "xlsx write: row %u column %s: %s", w->next_row + 1, name, what);
}

int zg_xlsx_write_row(zg_xlsx_writer_t *w, const char *const *cells, size_t ncells, zg_error_t *err)
{
    int rc;
    if (!w->laid_out && (rc = layout(w, err)) != ZG_OK)
        return rc;
    if (ncells > w->ncols)
        return zg_error_set(err, ZG_ERR_INVALID, "xlsx_write_row", "数据列数多于表头",
                            "xlsx write: %zu cells for %zu columns", ncells, w->ncols);
    if (w->next_row >= LXW_ROW_MAX)
        return zg_error_set(err, ZG_ERR_TOO_LARGE, "xlsx_too_many_rows",
                            "导出行数超过 Excel 的上限（1048575 行），请缩小范围后分批导出",
                            "xlsx write: row %u", w->next_row + 1);
    lxw_row_t r = w->next_row;
    for (size_t i = 0; i < ncells; i++) {
        const char *s = cells[i];
        if (!s || !*s)
            continue;
        size_t chars;
        if (zg_utf8_strlen(s, strlen(s), &chars) != ZG_OK)
            return cell_err(w, i, err, "内容不是有效的 UTF-8 文字");
        if (chars > ZG_XLSX_EXCEL_MAX_CELL_CHARS)
            return cell_err(w, i, err, "内容过长（超过 32767 个字符）");
        char *copy;
        s = escape_xstring(s, &copy);
        if (!s)
            return zg_error_set(err, ZG_ERR_NOMEM, "no_memory", "服务器内存不足，请稍后重试",
                                "xlsx write: escaping a cell");
        if (copy && zg_utf8_strlen(copy, strlen(copy), &chars) == ZG_OK &&
            chars > ZG_XLSX_EXCEL_MAX_CELL_CHARS) {
            free(copy);
            return cell_err(w, i, err, "内容过长（超过 32767 个字符）");
        }
        lxw_col_t c = (lxw_col_t)i;
        lxw_error le = LXW_NO_ERROR;
        double v;
        zg_date_t d;
        switch (w->cols[i].kind) {
        case ZG_XLSX_COL_NUMBER:
            if (plain_number(s, &v))
                le = worksheet_write_number(w->ws, r, c, v, NULL);
            else
                le = worksheet_write_string(w->ws, r, c, s, w->text_fmt);
            break;
        case ZG_XLSX_COL_DATE:
            if (zg_date_parse(s, &d) == ZG_OK && zg_xlsx_date_to_serial(d, false, &v) == ZG_OK)
                le = worksheet_write_number(w->ws, r, c, v, w->date_fmt);
            else
                le = worksheet_write_string(w->ws, r, c, s, w->text_fmt);
            break;
        default:
            le = worksheet_write_string(w->ws, r, c, s, w->text_fmt);
            break;
        }
        free(copy);
        if (le)
            return io_error(err, "cell", le);
    }
    w->next_row++;
    return ZG_OK;
}

size_t zg_xlsx_rows_written(const zg_xlsx_writer_t *w)
{
    return w->next_row > 0 ? w->next_row - 1 : 0;
}

/* Closes the workbook (libxlsxwriter writes the file) and returns its size. */
static int close_workbook(zg_xlsx_writer_t *w, size_t *len, zg_error_t *err)
{
    int rc;
    if (!w->laid_out && (rc = layout(w, err)) != ZG_OK)
        return rc;
    lxw_error le = workbook_close(w->wb);
    w->wb = NULL;
    if (le)
        return io_error(err, "workbook_close", le);
    struct stat st;
    if (fstat(w->fd, &st) != 0 || st.st_size <= 0)
        return zg_error_set(err, ZG_ERR_IO, "xlsx_write", "生成 Excel 文件失败，请稍后重试",
                            "xlsx write: workbook file missing or empty");
    *len = (size_t)st.st_size;
    return ZG_OK;
}

int zg_xlsx_finish(zg_xlsx_writer_t *w, zg_arena_t *arena, void **data, size_t *len,
                   zg_error_t *err)
{
    *data = NULL;
    *len = 0;
    size_t n;
    int rc = close_workbook(w, &n, err);
    if (rc == ZG_OK && n > ZG_XLSX_FINISH_MAX)
        rc = zg_error_set(err, ZG_ERR_TOO_LARGE, "xlsx_too_large",
                          "导出的文件过大，请缩小范围后分批导出", "xlsx write: %zu bytes in memory",
                          n);
    char *buf = NULL;
    if (rc == ZG_OK) {
        buf = arena ? zg_arena_alloc(arena, n) : malloc(n);
        if (!buf)
            rc = zg_error_set(err, arena ? ZG_ERR_TOO_LARGE : ZG_ERR_NOMEM, "no_memory",
                              "服务器内存不足，请稍后重试", "xlsx write: %zu bytes", n);
    }
    for (size_t got = 0; rc == ZG_OK && got < n;) {
        ssize_t k = pread(w->fd, buf + got, n - got, (off_t)got);
        if (k <= 0)
            rc = zg_error_set(err, ZG_ERR_IO, "xlsx_write", "生成 Excel 文件失败，请稍后重试",
                              "xlsx write: reading back the workbook");
        else
            got += (size_t)k;
    }
    if (rc == ZG_OK) {
        *data = buf;
        *len = n;
    } else if (!arena) {
        free(buf);
    }
    zg_xlsx_writer_free(w);
    return rc;
}

int zg_xlsx_finish_fd(zg_xlsx_writer_t *w, int *fd, size_t *len, zg_error_t *err)
{
    *fd = -1;
    *len = 0;
    size_t n;
    int rc = close_workbook(w, &n, err);
    if (rc == ZG_OK && lseek(w->fd, 0, SEEK_SET) != 0)
        rc = zg_error_set(err, ZG_ERR_IO, "xlsx_write", "生成 Excel 文件失败，请稍后重试",
                          "xlsx write: lseek");
    if (rc == ZG_OK) {
        *fd = w->fd;
        *len = n;
        w->fd = -1; /* now the caller's */
    }
    zg_xlsx_writer_free(w);
    return rc;
}

void zg_xlsx_writer_free(zg_xlsx_writer_t *w)
{
    if (!w)
        return;
    if (w->wb)
        lxw_workbook_free(w->wb); /* abandons it: nothing is written */
    if (w->path[0])
        unlink(w->path);
    if (w->fd >= 0)
        close(w->fd);
    zg_arena_destroy(&w->arena);
    free(w);
}
