/* xlsx_read.c — the .xlsx reader: workbook and relationships, the shared string table, and
 * the worksheet's rows (see xlsx_read.h).
 *
 * Memory bounds, all derived from zg_xlsx_limits_t:
 *   ZIP directory       max_entries × 32 bytes
 *   shared strings      their decoded text (≤ max_sst_bytes) + 4 bytes per string
 *                       (≤ max_shared_strings)
 *   tokenizer           ZG_XLSX_XML_TAGBUF + one cell's text (≤ 8 × max_cell_chars + 64 bytes,
 *                       escapes included)
 *   one row             max_cols × 13 bytes + the row's decoded texts (each ≤ 4 × max_cell_chars)
 *   inflate             zlib's state and window (~40 KiB) + ZG_XLSX_PART_BUF
 * Texts of shared-string cells are not copied: the row points into the table. */
#include "xlsx/xlsx_read.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/utf8.h"
#include "xlsx/xlsx_xml.h"
#include "xlsx/xlsx_zip.h"

/* Shared-string offsets that stand for a string that cannot be used (reported when a cell
 * refers to it, so an unused bad string does not fail the file). */
#define SST_TOO_LONG UINT32_MAX
#define SST_BAD_UTF8 (UINT32_MAX - 1)
#define OFF_NONE     UINT32_MAX

#define MAX_RELS 1024
#define MAX_PATH 256

enum { ST_BEFORE = 0, ST_ROWS = 1, ST_DONE = 2 };

/* what <c t="…"> says, before it becomes a zg_xlsx_cell_type */
enum { CT_NUMBER, CT_SHARED, CT_STR, CT_INLINE, CT_BOOL, CT_ERROR, CT_DATE };

struct zg_xlsx_reader {
    zg_xlsx_limits_t lim;
    void *map; /* open_file: the file's mapping */
    size_t map_len;
    zg_xlsx_zip_t zip;
    bool zip_open;
    bool date1904;
    char sheet_name[128];

    /* shared strings */
    char *sst_text;
    size_t sst_len, sst_cap;
    uint32_t *sst_off;
    uint32_t sst_count, sst_cap_n;

    /* the worksheet */
    zg_xlsx_part_t sheet;
    bool sheet_open;
    zg_xlsx_xml_t xml;
    bool xml_init;
    int state;        /* ST_*, or a negative status once failed */
    zg_error_t error; /* the sticky failure */

    /* the row being read */
    uint32_t last_row; /* number of the last <row> seen */
    uint32_t row_num;
    bool in_row;
    uint32_t next_col; /* column of the next <c> without r= */
    uint32_t row_max;  /* 1 + highest column with a value so far */
    uint32_t dirty;    /* cells[0..dirty) may hold values of the previous row */
    /* the cell being read */
    bool in_c, in_is, has_v, has_is;
    uint32_t rph; /* depth inside <rPh> (phonetic runs: not part of the text) */
    uint32_t cell_col;
    int cell_type;

    zg_xlsx_row_t row;
    const char **cells; /* [max_cols] */
    uint8_t *types;     /* [max_cols] */
    uint32_t *offs;     /* [max_cols] offset into rowbuf, or OFF_NONE */
    char *rowbuf;
    size_t rowbuf_len, rowbuf_cap;
};

/* ---- errors ---------------------------------------------------------------------------- */

static int nomem(zg_error_t *err, const char *what)
{
    return zg_error_set(err, ZG_ERR_NOMEM, "no_memory", ZG_XLSX_MSG_NOMEM, "xlsx: %s", what);
}

static int structure(zg_error_t *err, const char *why)
{
    return zg_error_set(err, ZG_ERR_INVALID, "xlsx_xml", ZG_XLSX_MSG_XML, "xlsx: %s", why);
}

void zg_xlsx_col_name(uint32_t col, char buf[4])
{
    if (col >= ZG_XLSX_EXCEL_MAX_COLS) {
        buf[0] = '?';
        buf[1] = '\0';
        return;
    }
    char tmp[4];
    int n = 0;
    uint32_t v = col + 1;
    while (v > 0 && n < 3) {
        uint32_t r = (v - 1) % 26;
        tmp[n++] = (char)('A' + r);
        v = (v - 1) / 26;
    }
    for (int i = 0; i < n; i++)
        buf[i] = tmp[n - 1 - i];
    buf[n] = '\0';
}

/* Column `col` (0-based; ZG_XLSX_EXCEL_MAX_COLS or more: past XFD, where Excel ends) of the
 * current row is past the configured limit. */
static int too_many_cols(zg_xlsx_reader_t *rd, zg_error_t *err, uint32_t col)
{
    char msg[192], name[4];
    if (col >= ZG_XLSX_EXCEL_MAX_COLS) {
        snprintf(msg, sizeof msg, "表格列数过多（超过 %u 列）：第 %u 行有超出 XFD 列的单元格",
                 rd->lim.max_cols, rd->row_num);
        return zg_error_set(err, ZG_ERR_TOO_LARGE, "xlsx_too_many_columns", msg,
                            "xlsx: row %u has a cell past column XFD", rd->row_num);
    }
    zg_xlsx_col_name(col, name);
    snprintf(msg, sizeof msg, "表格列数过多（超过 %u 列）：第 %u 行 %s 列有内容", rd->lim.max_cols,
             rd->row_num, name);
    return zg_error_set(err, ZG_ERR_TOO_LARGE, "xlsx_too_many_columns", msg,
                        "xlsx: row %u column %s past the cap of %u columns", rd->row_num, name,
                        rd->lim.max_cols);
}

static int cell_error(zg_xlsx_reader_t *rd, zg_error_t *err, int status, const char *code,
                      const char *what)
{
    char col[4], msg[256];
    zg_xlsx_col_name(rd->cell_col, col);
    snprintf(msg, sizeof msg, "第 %u 行 %s 列：%s", rd->row_num, col, what);
    return zg_error_set(err, status, code, msg, "xlsx: row %u column %s: %s", rd->row_num, col,
                        code);
}

static int too_long(zg_xlsx_reader_t *rd, zg_error_t *err)
{
    char what[96];
    snprintf(what, sizeof what, "单元格内容过长（超过 %u 个字符）", rd->lim.max_cell_chars);
    return cell_error(rd, err, ZG_ERR_TOO_LARGE, "xlsx_cell_too_long", what);
}

/* ---- text ------------------------------------------------------------------------------ */

static int hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Decodes Excel's _xHHHH_ escapes (ST_Xstring: a UTF-16 code unit, used for control characters
 * such as _x000D_, and _x005F_ for a literal '_') in place. Surrogates and _x0000_ are left as
 * they are. The text only shrinks (7 bytes become at most 3). */
static void decode_xescapes(char *s, size_t *len)
{
    size_t n = *len, r = 0, w = 0;
    if (n < 7 || !memmem(s, n, "_x", 2))
        return;
    while (r < n) {
        if (s[r] == '_' && n - r >= 7 && s[r + 1] == 'x' && s[r + 6] == '_') {
            int h0 = hexval(s[r + 2]), h1 = hexval(s[r + 3]), h2 = hexval(s[r + 4]),
                h3 = hexval(s[r + 5]);
            if (h0 >= 0 && h1 >= 0 && h2 >= 0 && h3 >= 0) {
                uint32_t cp = (uint32_t)(h0 << 12 | h1 << 8 | h2 << 4 | h3);
                if (cp != 0 && (cp < 0xD800 || cp > 0xDFFF)) {
                    if (cp < 0x80) {
                        s[w++] = (char)cp;
                    } else if (cp < 0x800) {
                        s[w++] = (char)(0xC0 | (cp >> 6));
                        s[w++] = (char)(0x80 | (cp & 0x3F));
                    } else {
                        s[w++] = (char)(0xE0 | (cp >> 12));
                        s[w++] = (char)(0x80 | ((cp >> 6) & 0x3F));
                        s[w++] = (char)(0x80 | (cp & 0x3F));
                    }
                    r += 7;
                    continue;
                }
            }
        }
        s[w++] = s[r++];
    }
    s[w] = '\0';
    *len = w;
}

enum { TEXT_OK = 0, TEXT_TOO_LONG = 1, TEXT_BAD_UTF8 = 2 };

/* Makes captured text final: escapes decoded, UTF-8 checked, characters counted. */
static int finish_text(char *s, size_t *len, uint32_t max_chars)
{
    decode_xescapes(s, len);
    size_t chars;
    if (zg_utf8_strlen(s, *len, &chars) != ZG_OK)
        return TEXT_BAD_UTF8;
    return chars > max_chars ? TEXT_TOO_LONG : TEXT_OK;
}

/* Largest text the tokenizer keeps for one cell or shared string: every character may be a
 * 7-byte _xHHHH_ escape. */
static size_t text_cap_for(const zg_xlsx_limits_t *lim)
{
    return (size_t)lim->max_cell_chars * 8 + 64;
}

/* ---- small parts: relationships and the workbook ---------------------------------------- */

typedef struct rel {
    char id[64];
    char target[MAX_PATH];
    int kind; /* REL_* */
} rel_t;

enum { REL_OTHER, REL_OFFICE_DOC, REL_WORKSHEET, REL_SST };

static bool ends_with(const char *s, size_t n, const char *suffix)
{
    size_t k = strlen(suffix);
    return n >= k && memcmp(s + n - k, suffix, k) == 0;
}

/* Resolves a relationship target against the directory of its source part ("xl/"), OPC style:
 * "/xl/x.xml" is absolute, "." and ".." segments are applied. false when it does not fit or
 * climbs above the root. */
static bool resolve_target(const char *dir, const char *target, char out[MAX_PATH])
{
    char buf[2 * MAX_PATH];
    size_t n = 0;
    if (target[0] != '/') {
        size_t d = strlen(dir);
        if (d >= MAX_PATH)
            return false;
        memcpy(buf, dir, d);
        n = d;
    } else {
        target++;
    }
    size_t t = strlen(target);
    if (t >= MAX_PATH)
        return false;
    memcpy(buf + n, target, t);
    n += t;
    buf[n] = '\0';
    /* normalise the segments into out */
    size_t w = 0;
    const char *p = buf;
    while (*p) {
        const char *slash = strchr(p, '/');
        size_t sl = slash ? (size_t)(slash - p) : strlen(p);
        if (sl == 0 || (sl == 1 && p[0] == '.')) {
            /* skip */
        } else if (sl == 2 && p[0] == '.' && p[1] == '.') {
            if (w == 0)
                return false;
            w--; /* drop the '/' that ends the previous segment, then the segment */
            while (w > 0 && out[w - 1] != '/')
                w--;
        } else {
            if (w + sl + 2 > MAX_PATH)
                return false;
            memcpy(out + w, p, sl);
            w += sl;
            if (slash)
                out[w++] = '/';
        }
        if (!slash)
            break;
        p = slash + 1;
    }
    if (w > 0 && out[w - 1] == '/')
        w--;
    out[w] = '\0';
    return w > 0;
}

/* Opens the part `name` for tokenizing with text capture off. Returns 0, ZG_ERR_NOT_FOUND
 * (err untouched) or another negative status. */
static int open_part(zg_xlsx_reader_t *rd, const char *name, uint64_t cap, size_t text_max,
                     zg_xlsx_part_t *part, zg_xlsx_xml_t *x, zg_error_t *err)
{
    bool dup;
    const zg_xlsx_zip_entry_t *e = zg_xlsx_zip_find(&rd->zip, name, &dup);
    memset(part, 0, sizeof *part);
    memset(x, 0, sizeof *x);
    if (!e)
        return ZG_ERR_NOT_FOUND;
    if (dup)
        return zg_error_set(err, ZG_ERR_INVALID, "xlsx_invalid", ZG_XLSX_MSG_INVALID,
                            "zip: two entries named %s", name);
    int rc = zg_xlsx_part_open(part, &rd->zip, e, cap, err);
    if (rc == 0)
        rc = zg_xlsx_xml_init(x, part, text_max, err);
    return rc;
}

static void close_part(zg_xlsx_part_t *part, zg_xlsx_xml_t *x)
{
    zg_xlsx_xml_free(x);
    zg_xlsx_part_close(part);
}

/* Reads a .rels part: keeps the relationships of the kinds we use (at most MAX_RELS).
 * A missing part leaves *n = 0 and returns 0. */
static int read_rels(zg_xlsx_reader_t *rd, const char *path, const char *dir, rel_t **rels,
                     size_t *n, zg_error_t *err)
{
    zg_xlsx_part_t part;
    zg_xlsx_xml_t x;
    *rels = NULL;
    *n = 0;
    int rc = open_part(rd, path, rd->lim.max_meta_bytes, 0, &part, &x, err);
    if (rc == ZG_ERR_NOT_FOUND)
        return 0;
    size_t cap = 0;
    while (rc == 0) {
        int ev = zg_xlsx_xml_next(&x, err);
        if (ev < 0)
            rc = ev;
        if (ev <= 0)
            break;
        if (ev != ZG_XML_START || !ZG_XML_IS(&x, "Relationship"))
            continue;
        const zg_xlsx_attr_t *id = zg_xlsx_xml_attr(&x, "Id");
        const zg_xlsx_attr_t *type = zg_xlsx_xml_attr(&x, "Type");
        const zg_xlsx_attr_t *target = zg_xlsx_xml_attr(&x, "Target");
        const zg_xlsx_attr_t *mode = zg_xlsx_xml_attr(&x, "TargetMode");
        if (!id || !type || !target || id->truncated || type->truncated || target->truncated ||
            id->value_len >= sizeof((rel_t *)0)->id)
            continue;
        if (mode && strcmp(mode->value, "External") == 0)
            continue;
        int kind = REL_OTHER;
        if (ends_with(type->value, type->value_len, "/officeDocument"))
            kind = REL_OFFICE_DOC;
        else if (ends_with(type->value, type->value_len, "/worksheet"))
            kind = REL_WORKSHEET;
        else if (ends_with(type->value, type->value_len, "/sharedStrings"))
            kind = REL_SST;
        if (kind == REL_OTHER || *n == MAX_RELS)
            continue;
        if (*n == cap) {
            size_t ncap = cap ? cap * 2 : 8;
            rel_t *r = realloc(*rels, ncap * sizeof *r);
            if (!r) {
                rc = nomem(err, "relationships");
                break;
            }
            *rels = r;
            cap = ncap;
        }
        rel_t *r = &(*rels)[*n];
        memcpy(r->id, id->value, id->value_len + 1);
        if (!resolve_target(dir, target->value, r->target))
            continue;
        r->kind = kind;
        (*n)++;
    }
    close_part(&part, &x);
    if (rc) {
        free(*rels);
        *rels = NULL;
        *n = 0;
    }
    return rc;
}

static const rel_t *find_rel(const rel_t *rels, size_t n, const char *id)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(rels[i].id, id) == 0)
            return &rels[i];
    return NULL;
}

static bool attr_true(const zg_xlsx_attr_t *a)
{
    return a && (strcmp(a->value, "1") == 0 || strcmp(a->value, "true") == 0);
}

/* Finds the workbook, reads its 1904 flag and picks the first visible worksheet (the first
 * worksheet at all if every one is hidden). Fills sheet_path and sst_path ("" when the
 * workbook names none). */
static int read_workbook(zg_xlsx_reader_t *rd, char sheet_path[MAX_PATH], char sst_path[MAX_PATH],
                         bool *have_workbook, zg_error_t *err)
{
    rel_t *rels = NULL;
    size_t nrels = 0;
    char wb[MAX_PATH] = "xl/workbook.xml";
    sheet_path[0] = sst_path[0] = '\0';
    *have_workbook = false;

    /* _rels/.rels names the workbook (almost always xl/workbook.xml) */
    int rc = read_rels(rd, "_rels/.rels", "", &rels, &nrels, err);
    if (rc)
        return rc;
    for (size_t i = 0; i < nrels; i++)
        if (rels[i].kind == REL_OFFICE_DOC) {
            memcpy(wb, rels[i].target, sizeof wb);
            break;
        }
    free(rels);

    /* its relationships: <dir>/_rels/<name>.rels */
    const char *slash = strrchr(wb, '/');
    size_t dlen = slash ? (size_t)(slash - wb) + 1 : 0;
    char dir[MAX_PATH], relpath[2 * MAX_PATH + 16];
    memcpy(dir, wb, dlen);
    dir[dlen] = '\0';
    snprintf(relpath, sizeof relpath, "%s_rels/%s.rels", dir, wb + dlen);
    rc = read_rels(rd, relpath, dir, &rels, &nrels, err);
    if (rc)
        return rc;
    for (size_t i = 0; i < nrels; i++)
        if (rels[i].kind == REL_SST) {
            memcpy(sst_path, rels[i].target, MAX_PATH);
            break;
        }

    zg_xlsx_part_t part;
    zg_xlsx_xml_t x;
    rc = open_part(rd, wb, rd->lim.max_meta_bytes, 0, &part, &x, err);
    if (rc == ZG_ERR_NOT_FOUND) {
        free(rels);
        return 0;
    }
    *have_workbook = rc == 0;
    bool chosen = false, any = false;
    while (rc == 0) {
        int ev = zg_xlsx_xml_next(&x, err);
        if (ev < 0)
            rc = ev;
        if (ev <= 0)
            break;
        if (ev != ZG_XML_START)
            continue;
        if (ZG_XML_IS(&x, "workbookPr")) {
            rd->date1904 = attr_true(zg_xlsx_xml_attr(&x, "date1904"));
        } else if (ZG_XML_IS(&x, "sheet") && !chosen) {
            const zg_xlsx_attr_t *name = zg_xlsx_xml_attr(&x, "name");
            const zg_xlsx_attr_t *state = zg_xlsx_xml_attr(&x, "state");
            const zg_xlsx_attr_t *id = NULL;
            for (uint32_t i = 0; i < x.nattrs; i++)
                if (x.attrs[i].prefixed && strcmp(x.attrs[i].name, "id") == 0)
                    id = &x.attrs[i];
            const rel_t *r = id ? find_rel(rels, nrels, id->value) : NULL;
            if (!r || r->kind != REL_WORKSHEET)
                continue; /* a chartsheet, a dialog sheet or a dangling reference */
            bool hidden = state && strcmp(state->value, "visible") != 0;
            if (!any || !hidden) {
                memcpy(sheet_path, r->target, MAX_PATH);
                const char *nm =
                    name && zg_utf8_valid(name->value, name->value_len) ? name->value : "";
                zg_utf8_copy(rd->sheet_name, sizeof rd->sheet_name, nm);
                any = true;
                chosen = !hidden;
            }
        }
    }
    close_part(&part, &x);
    free(rels);
    return rc;
}

/* ---- shared strings -------------------------------------------------------------------- */

static int sst_add(zg_xlsx_reader_t *rd, zg_xlsx_xml_t *x, zg_error_t *err)
{
    if (rd->sst_count == rd->lim.max_shared_strings) {
        char msg[128];
        snprintf(msg, sizeof msg, "共享字符串过多（超过 %u 个）", rd->lim.max_shared_strings);
        return zg_error_set(err, ZG_ERR_TOO_LARGE, "xlsx_too_many_strings", msg,
                            "xlsx: more than %u shared strings", rd->lim.max_shared_strings);
    }
    if (rd->sst_count == rd->sst_cap_n) {
        uint32_t ncap = rd->sst_cap_n ? rd->sst_cap_n * 2 : 1024;
        if (ncap > rd->lim.max_shared_strings)
            ncap = rd->lim.max_shared_strings;
        uint32_t *o = realloc(rd->sst_off, (size_t)ncap * sizeof *o);
        if (!o)
            return nomem(err, "shared string index");
        rd->sst_off = o;
        rd->sst_cap_n = ncap;
    }
    uint32_t off;
    size_t len = x->text_len;
    int t = x->text_over ? TEXT_TOO_LONG
                         : (len ? finish_text(x->text, &len, rd->lim.max_cell_chars) : TEXT_OK);
    if (t == TEXT_TOO_LONG) {
        off = SST_TOO_LONG;
    } else if (t == TEXT_BAD_UTF8) {
        off = SST_BAD_UTF8;
    } else {
        /* the decoded texts are never longer than the inflated part, which is capped */
        if (rd->sst_len + len + 1 > rd->lim.max_sst_bytes)
            return zg_error_set(err, ZG_ERR_TOO_LARGE, "xlsx_bomb", ZG_XLSX_MSG_BOMB,
                                "xlsx: shared strings past %llu bytes",
                                (unsigned long long)rd->lim.max_sst_bytes);
        if (rd->sst_len + len + 1 > rd->sst_cap) {
            size_t ncap = rd->sst_cap ? rd->sst_cap * 2 : 64 * 1024;
            while (ncap < rd->sst_len + len + 1)
                ncap *= 2;
            if (ncap > rd->lim.max_sst_bytes)
                ncap = rd->lim.max_sst_bytes;
            char *s = realloc(rd->sst_text, ncap);
            if (!s)
                return nomem(err, "shared strings");
            rd->sst_text = s;
            rd->sst_cap = ncap;
        }
        off = (uint32_t)rd->sst_len;
        if (len)
            memcpy(rd->sst_text + rd->sst_len, x->text, len);
        rd->sst_text[rd->sst_len + len] = '\0';
        rd->sst_len += len + 1;
    }
    rd->sst_off[rd->sst_count++] = off;
    return 0;
}

static int read_sst(zg_xlsx_reader_t *rd, const char *path, zg_error_t *err)
{
    zg_xlsx_part_t part;
    zg_xlsx_xml_t x;
    int rc = open_part(rd, path, rd->lim.max_sst_bytes, text_cap_for(&rd->lim), &part, &x, err);
    if (rc == ZG_ERR_NOT_FOUND)
        return 0;
    bool in_si = false;
    uint32_t rph = 0;
    while (rc == 0) {
        int ev = zg_xlsx_xml_next(&x, err);
        if (ev < 0)
            rc = ev;
        if (ev <= 0)
            break;
        if (ev == ZG_XML_START) {
            if (ZG_XML_IS(&x, "si")) {
                if (in_si) {
                    rc = structure(err, "nested <si>");
                    break;
                }
                in_si = true;
                rph = 0;
                zg_xlsx_xml_text_reset(&x);
            } else if (in_si && ZG_XML_IS(&x, "rPh")) {
                rph++;
                x.capture = false;
            } else if (in_si && rph == 0 && ZG_XML_IS(&x, "t")) {
                x.capture = true;
            }
        } else {
            if (ZG_XML_IS(&x, "t")) {
                x.capture = false;
            } else if (ZG_XML_IS(&x, "rPh") && rph > 0) {
                rph--;
            } else if (ZG_XML_IS(&x, "si")) {
                x.capture = false;
                in_si = false;
                rc = sst_add(rd, &x, err);
            }
        }
    }
    close_part(&part, &x);
    return rc;
}

/* ---- opening --------------------------------------------------------------------------- */

static int open_common(zg_xlsx_reader_t *rd, const uint8_t *data, size_t len, zg_error_t *err)
{
    int rc = zg_xlsx_zip_open(&rd->zip, data, len, &rd->lim, err);
    if (rc)
        return rc;
    rd->zip_open = true;

    char sheet_path[MAX_PATH], sst_path[MAX_PATH];
    bool have_workbook;
    rc = read_workbook(rd, sheet_path, sst_path, &have_workbook, err);
    if (rc)
        return rc;
    if (!sheet_path[0])
        memcpy(sheet_path, "xl/worksheets/sheet1.xml", sizeof "xl/worksheets/sheet1.xml");
    if (!sst_path[0])
        memcpy(sst_path, "xl/sharedStrings.xml", sizeof "xl/sharedStrings.xml");

    bool dup;
    if (!zg_xlsx_zip_find(&rd->zip, sheet_path, &dup)) {
        if (!have_workbook)
            return zg_error_set(err, ZG_ERR_INVALID, "xlsx_invalid", ZG_XLSX_MSG_INVALID,
                                "xlsx: no workbook and no %s", sheet_path);
        return zg_error_set(err, ZG_ERR_INVALID, "xlsx_no_sheet", "文件中没有找到工作表",
                            "xlsx: worksheet %s not in the archive", sheet_path);
    }
    rc = read_sst(rd, sst_path, err);
    if (rc)
        return rc;

    uint32_t cols = rd->lim.max_cols;
    rd->cells = calloc(cols, sizeof *rd->cells);
    rd->types = calloc(cols, sizeof *rd->types);
    rd->offs = malloc(cols * sizeof *rd->offs);
    if (!rd->cells || !rd->types || !rd->offs)
        return nomem(err, "row");
    memset(rd->offs, 0xFF, cols * sizeof *rd->offs);

    rc = open_part(rd, sheet_path, rd->lim.max_sheet_bytes, text_cap_for(&rd->lim), &rd->sheet,
                   &rd->xml, err);
    rd->sheet_open = rd->xml_init = true;
    return rc;
}

static int reader_new(const zg_xlsx_limits_t *lim, zg_xlsx_reader_t **out, zg_error_t *err)
{
    zg_xlsx_reader_t *rd = calloc(1, sizeof *rd);
    if (!rd)
        return nomem(err, "reader");
    if (lim)
        rd->lim = *lim;
    zg_xlsx_limits_resolve(&rd->lim);
    *out = rd;
    return 0;
}

int zg_xlsx_reader_open_mem(const void *data, size_t len, const zg_xlsx_limits_t *lim,
                            zg_xlsx_reader_t **out, zg_error_t *err)
{
    *out = NULL;
    zg_xlsx_reader_t *rd = NULL;
    int rc = reader_new(lim, &rd, err);
    if (rc)
        return rc;
    rc = open_common(rd, data, len, err);
    if (rc) {
        zg_xlsx_reader_free(rd);
        return rc;
    }
    *out = rd;
    return 0;
}

int zg_xlsx_reader_open_file(const char *path, const zg_xlsx_limits_t *lim, zg_xlsx_reader_t **out,
                             zg_error_t *err)
{
    *out = NULL;
    zg_xlsx_reader_t *rd = NULL;
    int rc = reader_new(lim, &rd, err);
    if (rc)
        return rc;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        if (fd >= 0)
            close(fd);
        zg_xlsx_reader_free(rd);
        return zg_error_set(err, ZG_ERR_IO, "xlsx_io", "无法读取文件", "xlsx: cannot open %s",
                            path);
    }
    if (st.st_size > 0 && (uint64_t)st.st_size <= rd->lim.max_file_bytes) {
        rd->map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
        if (rd->map == MAP_FAILED) {
            rd->map = NULL;
            close(fd);
            zg_xlsx_reader_free(rd);
            return zg_error_set(err, ZG_ERR_IO, "xlsx_io", "无法读取文件", "xlsx: cannot map %s",
                                path);
        }
        rd->map_len = (size_t)st.st_size;
    }
    close(fd);
    /* an empty or oversized file is refused by the ZIP layer without being mapped */
    size_t len = rd->map ? rd->map_len : (st.st_size > 0 ? (size_t)st.st_size : 0);
    static const uint8_t none[1];
    rc = open_common(rd, rd->map ? rd->map : none, len, err);
    if (rc) {
        zg_xlsx_reader_free(rd);
        return rc;
    }
    *out = rd;
    return 0;
}

void zg_xlsx_reader_free(zg_xlsx_reader_t *rd)
{
    if (!rd)
        return;
    if (rd->xml_init)
        zg_xlsx_xml_free(&rd->xml);
    if (rd->sheet_open)
        zg_xlsx_part_close(&rd->sheet);
    if (rd->zip_open)
        zg_xlsx_zip_close(&rd->zip);
    if (rd->map)
        munmap(rd->map, rd->map_len);
    free(rd->sst_text);
    free(rd->sst_off);
    free(rd->cells);
    free(rd->types);
    free(rd->offs);
    free(rd->rowbuf);
    free(rd);
}

bool zg_xlsx_reader_date1904(const zg_xlsx_reader_t *rd)
{
    return rd->date1904;
}

const char *zg_xlsx_reader_sheet_name(const zg_xlsx_reader_t *rd)
{
    return rd->sheet_name;
}

void zg_xlsx_reader_progress(const zg_xlsx_reader_t *rd, uint64_t *done, uint64_t *total)
{
    uint64_t t = rd->sheet.e ? rd->sheet.e->csize : 0;
    uint64_t d = rd->state == ST_DONE ? t : (rd->sheet.e ? zg_xlsx_part_consumed(&rd->sheet) : 0);
    if (done)
        *done = d;
    if (total)
        *total = t;
}

/* ---- rows ------------------------------------------------------------------------------ */

/* Reads an unsigned decimal of at most 7 digits (row numbers, Excel stops at 1,048,576). */
static bool parse_uint(const char *s, size_t n, uint32_t *out)
{
    if (n == 0 || n > 7)
        return false;
    uint32_t v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        v = v * 10 + (uint32_t)(s[i] - '0');
    }
    *out = v;
    return true;
}

enum { REF_OK = 0, REF_BAD = -1, REF_TOO_FAR = 1 };

/* "B3" → column 1, row 3. The row part may be missing. A column past XFD is REF_TOO_FAR
 * however many letters it has (AAAA…: 10^6 columns); anything else malformed is REF_BAD. */
static int parse_ref(const char *s, size_t n, uint32_t *col, uint32_t *row, bool *has_row)
{
    size_t i = 0;
    uint32_t c = 0;
    bool far = false;
    while (i < n && ((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= 'a' && s[i] <= 'z'))) {
        int v = (s[i] | 0x20) - 'a' + 1;
        if (!far) {
            c = c * 26 + (uint32_t)v;
            if (c > ZG_XLSX_EXCEL_MAX_COLS)
                far = true;
        }
        i++;
    }
    if (i == 0)
        return REF_BAD;
    *has_row = i < n;
    if (i < n && !parse_uint(s + i, n - i, row))
        return REF_BAD;
    if (far)
        return REF_TOO_FAR;
    *col = c - 1;
    return REF_OK;
}

/* Row `num` has a value but is past the limit (or past Excel's last row). */
static int too_many_rows(zg_xlsx_reader_t *rd, zg_error_t *err, uint32_t num)
{
    char msg[128];
    snprintf(msg, sizeof msg, "表格行数过多（超过 %u 行）", rd->lim.max_rows);
    return zg_error_set(err, ZG_ERR_TOO_LARGE, "xlsx_too_many_rows", msg,
                        "xlsx: row %u past the cap of %u", num, rd->lim.max_rows);
}

static int begin_row(zg_xlsx_reader_t *rd, zg_error_t *err)
{
    const zg_xlsx_attr_t *r = zg_xlsx_xml_attr(&rd->xml, "r");
    uint32_t num = rd->last_row + 1;
    if (r && (r->truncated || !parse_uint(r->value, r->value_len, &num) || num == 0))
        return zg_error_set(err, ZG_ERR_INVALID, "xlsx_bad_row", ZG_XLSX_MSG_XML,
                            "xlsx: bad row number after row %u", rd->last_row);
    if (num <= rd->last_row) {
        char msg[160];
        snprintf(msg, sizeof msg, "第 %u 行：行号顺序错误，文件可能已损坏", num);
        return zg_error_set(err, ZG_ERR_INVALID, "xlsx_row_order", msg, "xlsx: row %u after row %u",
                            num, rd->last_row);
    }
    if (num > ZG_XLSX_EXCEL_MAX_ROWS)
        return too_many_rows(rd, err, num);
    /* forget the previous row */
    for (uint32_t c = 0; c < rd->dirty; c++) {
        rd->cells[c] = NULL;
        rd->types[c] = ZG_XLSX_EMPTY;
        rd->offs[c] = OFF_NONE;
    }
    rd->dirty = 0;
    rd->last_row = rd->row_num = num;
    rd->in_row = true;
    rd->next_col = 0;
    rd->row_max = 0;
    rd->rowbuf_len = 0;
    return 0;
}

static int begin_cell(zg_xlsx_reader_t *rd, zg_error_t *err)
{
    zg_xlsx_xml_t *x = &rd->xml;
    const zg_xlsx_attr_t *r = zg_xlsx_xml_attr(x, "r");
    const zg_xlsx_attr_t *t = zg_xlsx_xml_attr(x, "t");
    uint32_t col = rd->next_col, row;
    if (r) {
        bool has_row = false;
        int pr = r->truncated ? REF_BAD : parse_ref(r->value, r->value_len, &col, &row, &has_row);
        if (pr == REF_TOO_FAR)
            return too_many_cols(rd, err, ZG_XLSX_EXCEL_MAX_COLS);
        if (pr == REF_BAD || (has_row && row != rd->row_num)) {
            char msg[192];
            snprintf(msg, sizeof msg, "第 %u 行：单元格位置“%.16s”无效，文件可能已损坏",
                     rd->row_num, r->value);
            return zg_error_set(err, ZG_ERR_INVALID, "xlsx_bad_ref", msg,
                                "xlsx: row %u: bad cell reference", rd->row_num);
        }
    }
    if (col >= ZG_XLSX_EXCEL_MAX_COLS)
        return too_many_cols(rd, err, ZG_XLSX_EXCEL_MAX_COLS);
    if (col < rd->next_col) {
        char msg[160], name[4];
        zg_xlsx_col_name(col, name);
        snprintf(msg, sizeof msg, "第 %u 行：%s 列的单元格重复或顺序错误，文件可能已损坏",
                 rd->row_num, name);
        return zg_error_set(err, ZG_ERR_INVALID, "xlsx_cell_order", msg,
                            "xlsx: row %u: column %u after %u", rd->row_num, col, rd->next_col - 1);
    }
    rd->next_col = col + 1;
    rd->cell_col = col;
    rd->cell_type = CT_NUMBER;
    if (t) {
        const char *v = t->value;
        size_t n = t->value_len;
        if (n == 1 && v[0] == 's')
            rd->cell_type = CT_SHARED;
        else if (n == 3 && memcmp(v, "str", 3) == 0)
            rd->cell_type = CT_STR;
        else if (n == 9 && memcmp(v, "inlineStr", 9) == 0)
            rd->cell_type = CT_INLINE;
        else if (n == 1 && v[0] == 'b')
            rd->cell_type = CT_BOOL;
        else if (n == 1 && v[0] == 'e')
            rd->cell_type = CT_ERROR;
        else if (n == 1 && v[0] == 'd')
            rd->cell_type = CT_DATE;
        /* "n" and anything unknown: a number, given as its raw text */
    }
    rd->in_c = true;
    rd->in_is = rd->has_v = rd->has_is = false;
    rd->rph = 0;
    x->capture = false;
    zg_xlsx_xml_text_reset(x);
    return 0;
}

static int end_cell(zg_xlsx_reader_t *rd, zg_error_t *err)
{
    zg_xlsx_xml_t *x = &rd->xml;
    rd->in_c = false;
    x->capture = false;
    bool has = rd->cell_type == CT_INLINE ? rd->has_is : rd->has_v;
    if (!has || (x->text_len == 0 && !x->text_over))
        return 0;
    uint32_t col = rd->cell_col;
    if (col >= rd->lim.max_cols)
        return too_many_cols(rd, err, col);
    if (x->text_over)
        return too_long(rd, err);

    if (rd->cell_type == CT_SHARED) {
        size_t n = x->text_len;
        const char *s = x->text;
        while (n > 0 &&
               (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n'))
            n--;
        while (n > 0 && (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n'))
            s++, n--;
        uint64_t idx = 0;
        bool ok = n > 0 && n <= 10;
        for (size_t i = 0; ok && i < n; i++) {
            ok = s[i] >= '0' && s[i] <= '9';
            idx = idx * 10 + (uint64_t)(s[i] - '0');
        }
        if (!ok || idx >= rd->sst_count)
            return cell_error(rd, err, ZG_ERR_INVALID, "xlsx_bad_sst_index",
                              "共享字符串索引超出范围，文件可能已损坏");
        uint32_t off = rd->sst_off[idx];
        if (off == SST_TOO_LONG)
            return too_long(rd, err);
        if (off == SST_BAD_UTF8)
            return cell_error(rd, err, ZG_ERR_INVALID, "xlsx_bad_text",
                              "单元格内容不是有效的 UTF-8 文字");
        if (rd->sst_text[off] == '\0')
            return 0;
        rd->cells[col] = rd->sst_text + off;
        rd->types[col] = ZG_XLSX_STRING;
        rd->offs[col] = OFF_NONE;
    } else {
        size_t len = x->text_len;
        int t = finish_text(x->text, &len, rd->lim.max_cell_chars);
        if (t == TEXT_TOO_LONG)
            return too_long(rd, err);
        if (t == TEXT_BAD_UTF8)
            return cell_error(rd, err, ZG_ERR_INVALID, "xlsx_bad_text",
                              "单元格内容不是有效的 UTF-8 文字");
        if (len == 0)
            return 0;
        /* a row holds at most max_cols texts of at most 4 × max_cell_chars bytes each */
        if (rd->rowbuf_len + len + 1 > rd->rowbuf_cap) {
            size_t ncap = rd->rowbuf_cap ? rd->rowbuf_cap * 2 : 4096;
            while (ncap < rd->rowbuf_len + len + 1)
                ncap *= 2;
            char *b = realloc(rd->rowbuf, ncap);
            if (!b)
                return nomem(err, "row buffer");
            rd->rowbuf = b;
            rd->rowbuf_cap = ncap;
        }
        memcpy(rd->rowbuf + rd->rowbuf_len, x->text, len);
        rd->rowbuf[rd->rowbuf_len + len] = '\0';
        rd->offs[col] = (uint32_t)rd->rowbuf_len;
        rd->rowbuf_len += len + 1;
        static const uint8_t type_of[] = {
            [CT_NUMBER] = ZG_XLSX_NUMBER, [CT_SHARED] = ZG_XLSX_STRING, [CT_STR] = ZG_XLSX_STRING,
            [CT_INLINE] = ZG_XLSX_STRING, [CT_BOOL] = ZG_XLSX_BOOL,     [CT_ERROR] = ZG_XLSX_ERROR,
            [CT_DATE] = ZG_XLSX_DATE};
        rd->types[col] = type_of[rd->cell_type];
        rd->cells[col] = NULL; /* set from offs when the row ends */
    }
    rd->row_max = col + 1;
    rd->dirty = col + 1;
    return 0;
}

/* After </sheetData>: inflates the rest of the worksheet so its size and CRC are verified. */
static int drain(zg_xlsx_reader_t *rd, zg_error_t *err)
{
    for (;;) {
        const uint8_t *c;
        size_t n;
        int r = zg_xlsx_part_read(&rd->sheet, &c, &n, err);
        if (r <= 0)
            return r;
    }
}

/* Makes the failure sticky: later calls return the same status and error. */
static int fail(zg_xlsx_reader_t *rd, int rc, const zg_error_t *err)
{
    rd->state = rc;
    rd->error = *err;
    return rc;
}

int zg_xlsx_next_row(zg_xlsx_reader_t *rd, zg_xlsx_row_t **row, zg_error_t *err)
{
    *row = NULL;
    if (rd->state < 0) {
        if (err)
            *err = rd->error;
        return rd->state;
    }
    if (rd->state == ST_DONE)
        return 0;
    zg_error_t local;
    if (!err)
        err = &local;
    zg_xlsx_xml_t *x = &rd->xml;
    for (;;) {
        int ev = zg_xlsx_xml_next(x, err);
        if (ev < 0)
            return fail(rd, ev, err);
        if (ev == ZG_XML_EOF) {
            /* a worksheet without <sheetData>, or one that ends inside it (refused by the
             * tokenizer unless the elements were balanced, e.g. <sheetData/> missing) */
            rd->state = ST_DONE;
            return 0;
        }
        int rc = 0;
        if (rd->state == ST_BEFORE) {
            if (ev == ZG_XML_START && ZG_XML_IS(x, "sheetData"))
                rd->state = ST_ROWS;
            continue;
        }
        if (ev == ZG_XML_START) {
            if (ZG_XML_IS(x, "row")) {
                if (rd->in_row)
                    rc = structure(err, "<row> inside <row>");
                else
                    rc = begin_row(rd, err);
            } else if (ZG_XML_IS(x, "c")) {
                if (!rd->in_row || rd->in_c)
                    rc = structure(err, "<c> outside a <row> or inside a <c>");
                else
                    rc = begin_cell(rd, err);
            } else if (rd->in_c) {
                if (ZG_XML_IS(x, "v") && !rd->in_is) {
                    if (rd->cell_type != CT_INLINE) {
                        rd->has_v = true;
                        zg_xlsx_xml_text_reset(x);
                        x->capture = true;
                    }
                } else if (ZG_XML_IS(x, "is")) {
                    rd->in_is = true;
                    if (rd->cell_type == CT_INLINE) {
                        rd->has_is = true;
                        zg_xlsx_xml_text_reset(x);
                    }
                } else if (rd->in_is && ZG_XML_IS(x, "rPh")) {
                    rd->rph++;
                    x->capture = false;
                } else if (rd->in_is && rd->rph == 0 && ZG_XML_IS(x, "t")) {
                    x->capture = rd->cell_type == CT_INLINE;
                }
            }
        } else { /* ZG_XML_END */
            if (rd->in_c) {
                if (ZG_XML_IS(x, "c"))
                    rc = end_cell(rd, err);
                else if (ZG_XML_IS(x, "v") || ZG_XML_IS(x, "t"))
                    x->capture = false;
                else if (ZG_XML_IS(x, "rPh") && rd->rph > 0)
                    rd->rph--;
                else if (ZG_XML_IS(x, "is"))
                    rd->in_is = false;
            } else if (ZG_XML_IS(x, "row")) {
                rd->in_row = false;
                /* like columns, rows past the limit count only when they hold a value */
                if (rd->row_max > 0 && rd->row_num > rd->lim.max_rows)
                    return fail(rd, too_many_rows(rd, err, rd->row_num), err);
                if (rd->row_max > 0) {
                    for (uint32_t c = 0; c < rd->row_max; c++)
                        if (rd->offs[c] != OFF_NONE)
                            rd->cells[c] = rd->rowbuf + rd->offs[c];
                    rd->row.num = rd->row_num;
                    rd->row.ncells = rd->row_max;
                    rd->row.cells = rd->cells;
                    rd->row.types = rd->types;
                    *row = &rd->row;
                    return 1;
                }
            } else if (ZG_XML_IS(x, "sheetData")) {
                rc = drain(rd, err);
                if (rc)
                    return fail(rd, rc, err);
                rd->state = ST_DONE;
                return 0;
            }
        }
        if (rc)
            return fail(rd, rc, err);
    }
}
