/* xlsx_test.h — helpers shared by the tests in tests/unit/xlsx/: a ZIP builder that can lie
 * (CRC, sizes, flags, method), a minimal .xlsx builder around hand-written XML, a row dumper
 * that turns what the reader returns into text for one-line assertions, and file helpers.
 * Header-only; every function is static and may be unused by a given test. */
#ifndef ZG_TEST_XLSX_TEST_H
#define ZG_TEST_XLSX_TEST_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <zlib.h>

#include "core/strbuf.h"
#include "xlsx/xlsx_read.h"
#include "xlsx/xlsx_zip.h"

#define XT_UNUSED __attribute__((unused))

/* One part of a workbook (e.g. "xl/workbook.xml") as a NUL-terminated string the caller frees;
 * fails the test when it is missing. */
XT_UNUSED static char *xt_part(const void *x, size_t len, const char *name)
{
    zg_xlsx_zip_t z;
    zg_xlsx_limits_t lim = {0};
    zg_xlsx_limits_resolve(&lim);
    zg_error_t err;
    assert_int_equal(zg_xlsx_zip_open(&z, x, len, &lim, &err), ZG_OK);
    char *out;
    size_t n;
    int rc = zg_xlsx_zip_extract(&z, name, lim.max_sheet_bytes, &out, &n, &err);
    zg_xlsx_zip_close(&z);
    if (rc)
        fail_msg("no part %s: %d", name, rc);
    return out;
}

/* ---- a growable byte buffer --------------------------------------------------------------- */

typedef struct xt_buf {
    uint8_t *p;
    size_t len, cap;
} xt_buf_t;

XT_UNUSED static void xt_put(xt_buf_t *b, const void *d, size_t n)
{
    if (b->len + n > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap < b->len + n)
            cap *= 2;
        b->p = realloc(b->p, cap);
        assert_non_null(b->p);
        b->cap = cap;
    }
    if (n)
        memcpy(b->p + b->len, d, n);
    b->len += n;
}

XT_UNUSED static void xt_u16(xt_buf_t *b, uint32_t v)
{
    uint8_t x[2] = {(uint8_t)v, (uint8_t)(v >> 8)};
    xt_put(b, x, 2);
}

XT_UNUSED static void xt_u32(xt_buf_t *b, uint32_t v)
{
    uint8_t x[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
    xt_put(b, x, 4);
}

XT_UNUSED static void xt_puts(xt_buf_t *b, const char *s)
{
    xt_put(b, s, strlen(s));
}

XT_UNUSED static void xt_printf(xt_buf_t *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
XT_UNUSED static void xt_printf(xt_buf_t *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *s = malloc((size_t)n + 1);
    assert_non_null(s);
    va_start(ap, fmt);
    vsnprintf(s, (size_t)n + 1, fmt, ap);
    va_end(ap);
    xt_put(b, s, (size_t)n);
    free(s);
}

/* ---- ZIP builder -------------------------------------------------------------------------- */

/* How to write one entry. Zero values mean "the truth": method deflate, real CRC and sizes. */
typedef struct xt_entry_opt {
    int method;    /* 0 → deflate (8); -1 → stored (0); other values written as is */
    bool stored;   /* write the data stored (method 0) */
    bool fake_crc; /* write crc instead of the real CRC-32 */
    uint32_t crc;
    bool fake_usize; /* write usize instead of the real size */
    uint32_t usize;
    bool raw;               /* `data` is already a raw deflate stream: usize/crc must be given */
    uint16_t flags;         /* general purpose flags */
    const char *local_name; /* name in the local header when it should differ */
    uint32_t central_extra_zip64; /* write 0xFFFFFFFF sizes (ZIP64 style) when set */
} xt_entry_opt_t;

typedef struct xt_cd {
    char name[256];
    uint16_t method, flags;
    uint32_t crc, csize, usize, off;
} xt_cd_t;

typedef struct xt_zip {
    xt_buf_t b;
    xt_cd_t cd[64];
    size_t n;
} xt_zip_t;

/* Raw deflate (window bits -15) of data into a malloc'd buffer. */
XT_UNUSED static uint8_t *xt_deflate(const void *data, size_t len, size_t *out_len)
{
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    assert_int_equal(deflateInit2(&zs, 6, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY), Z_OK);
    size_t cap = deflateBound(&zs, (uLong)len) + 16;
    uint8_t *out = malloc(cap);
    assert_non_null(out);
    zs.next_in = (Bytef *)(uintptr_t)data;
    zs.avail_in = (uInt)len;
    zs.next_out = out;
    zs.avail_out = (uInt)cap;
    assert_int_equal(deflate(&zs, Z_FINISH), Z_STREAM_END);
    *out_len = cap - zs.avail_out;
    deflateEnd(&zs);
    return out;
}

XT_UNUSED static void xt_zip_add(xt_zip_t *z, const char *name, const void *data, size_t len,
                                 const xt_entry_opt_t *opt)
{
    xt_entry_opt_t none;
    memset(&none, 0, sizeof none);
    if (!opt)
        opt = &none;
    assert_true(z->n < 64);
    xt_cd_t *c = &z->cd[z->n++];
    snprintf(c->name, sizeof c->name, "%s", name);
    const uint8_t *payload = data;
    uint8_t *deflated = NULL;
    size_t plen = len;
    if (opt->raw) {
        c->method = 8;
        c->usize = opt->usize;
        c->crc = opt->crc;
    } else {
        c->usize = (uint32_t)len;
        c->crc = (uint32_t)crc32(0, data, (uInt)len);
        if (opt->stored) {
            c->method = 0;
        } else {
            c->method = 8;
            deflated = xt_deflate(data, len, &plen);
            payload = deflated;
        }
    }
    if (opt->method > 0)
        c->method = (uint16_t)opt->method;
    if (opt->fake_crc)
        c->crc = opt->crc;
    if (opt->fake_usize)
        c->usize = opt->usize;
    c->csize = (uint32_t)plen;
    c->flags = opt->flags;
    c->off = (uint32_t)z->b.len;
    const char *lname = opt->local_name ? opt->local_name : name;
    xt_u32(&z->b, 0x04034b50);
    xt_u16(&z->b, 20);
    xt_u16(&z->b, c->flags);
    xt_u16(&z->b, c->method);
    xt_u16(&z->b, 0);
    xt_u16(&z->b, 0x21);
    xt_u32(&z->b, c->crc);
    xt_u32(&z->b, c->csize);
    xt_u32(&z->b, c->usize);
    xt_u16(&z->b, (uint32_t)strlen(lname));
    xt_u16(&z->b, 0);
    xt_puts(&z->b, lname);
    xt_put(&z->b, payload, plen);
    if (opt->central_extra_zip64) {
        c->csize = 0xFFFFFFFFu;
        c->usize = 0xFFFFFFFFu;
    }
    free(deflated);
}

/* Writes the central directory and the end record; `comment` may be NULL. Returns the
 * archive (malloc'd) and frees the builder. */
XT_UNUSED static uint8_t *xt_zip_finish_ex(xt_zip_t *z, size_t *len, const char *comment,
                                           uint16_t disk, uint16_t entries_override)
{
    uint32_t cd_off = (uint32_t)z->b.len;
    for (size_t i = 0; i < z->n; i++) {
        xt_cd_t *c = &z->cd[i];
        xt_u32(&z->b, 0x02014b50);
        xt_u16(&z->b, 20);
        xt_u16(&z->b, 20);
        xt_u16(&z->b, c->flags);
        xt_u16(&z->b, c->method);
        xt_u16(&z->b, 0);
        xt_u16(&z->b, 0x21);
        xt_u32(&z->b, c->crc);
        xt_u32(&z->b, c->csize);
        xt_u32(&z->b, c->usize);
        xt_u16(&z->b, (uint32_t)strlen(c->name));
        xt_u16(&z->b, 0);
        xt_u16(&z->b, 0);
        xt_u16(&z->b, 0);
        xt_u16(&z->b, 0);
        xt_u32(&z->b, 0);
        xt_u32(&z->b, c->off);
        xt_puts(&z->b, c->name);
    }
    uint32_t cd_size = (uint32_t)z->b.len - cd_off;
    uint16_t n = entries_override ? entries_override : (uint16_t)z->n;
    xt_u32(&z->b, 0x06054b50);
    xt_u16(&z->b, disk);
    xt_u16(&z->b, disk);
    xt_u16(&z->b, n);
    xt_u16(&z->b, n);
    xt_u32(&z->b, cd_size);
    xt_u32(&z->b, cd_off);
    xt_u16(&z->b, comment ? (uint32_t)strlen(comment) : 0);
    if (comment)
        xt_puts(&z->b, comment);
    *len = z->b.len;
    return z->b.p;
}

XT_UNUSED static uint8_t *xt_zip_finish(xt_zip_t *z, size_t *len)
{
    return xt_zip_finish_ex(z, len, NULL, 0, 0);
}

/* ---- minimal .xlsx around hand-written XML --------------------------------------------------- */

#define XT_NS     "xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\""
#define XT_RNS    "xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\""
#define XT_REL_NS "xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\""
#define XT_REL_T  "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"

XT_UNUSED static const char XT_WORKBOOK[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
    "<workbook " XT_NS " " XT_RNS "><sheets><sheet name=\"名册\" sheetId=\"1\" r:id=\"rId1\"/>"
    "</sheets></workbook>";

XT_UNUSED static const char XT_WORKBOOK_RELS[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
    "<Relationships " XT_REL_NS "><Relationship Id=\"rId1\" Type=\"" XT_REL_T
    "worksheet\" Target=\"worksheets/sheet1.xml\"/><Relationship Id=\"rId3\" Type=\"" XT_REL_T
    "sharedStrings\" Target=\"sharedStrings.xml\"/></Relationships>";

XT_UNUSED static const char XT_ROOT_RELS[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
    "<Relationships " XT_REL_NS "><Relationship Id=\"rId1\" Type=\"" XT_REL_T
    "officeDocument\" Target=\"xl/workbook.xml\"/></Relationships>";

/* Wraps <sheetData> content (rows) into a worksheet document. */
XT_UNUSED static char *xt_sheet(const char *rows)
{
    xt_buf_t b = {0};
    xt_printf(&b,
              "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
              "<worksheet " XT_NS " " XT_RNS "><dimension ref=\"A1\"/><sheetData>%s</sheetData>"
              "<pageMargins left=\"0.7\" right=\"0.7\" top=\"0.75\" bottom=\"0.75\" "
              "header=\"0.3\" footer=\"0.3\"/></worksheet>",
              rows);
    xt_put(&b, "", 1);
    return (char *)b.p;
}

/* Wraps <si> elements into a shared string table. */
XT_UNUSED static char *xt_sst(const char *items)
{
    xt_buf_t b = {0};
    xt_printf(&b,
              "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
              "<sst " XT_NS ">%s</sst>",
              items);
    xt_put(&b, "", 1);
    return (char *)b.p;
}

/* An .xlsx with the given worksheet XML (whole document) and shared strings XML (NULL: none),
 * workbook XML (NULL: XT_WORKBOOK). */
XT_UNUSED static uint8_t *xt_xlsx_ex(const char *sheet_xml, const char *sst_xml,
                                     const char *workbook_xml, size_t *len)
{
    xt_zip_t z;
    memset(&z, 0, sizeof z);
    static const char ct[] =
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Types "
        "xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\"/>";
    xt_zip_add(&z, "[Content_Types].xml", ct, strlen(ct), NULL);
    xt_zip_add(&z, "_rels/.rels", XT_ROOT_RELS, strlen(XT_ROOT_RELS), NULL);
    const char *wb = workbook_xml ? workbook_xml : XT_WORKBOOK;
    xt_zip_add(&z, "xl/workbook.xml", wb, strlen(wb), NULL);
    xt_zip_add(&z, "xl/_rels/workbook.xml.rels", XT_WORKBOOK_RELS, strlen(XT_WORKBOOK_RELS), NULL);
    xt_zip_add(&z, "xl/worksheets/sheet1.xml", sheet_xml, strlen(sheet_xml), NULL);
    if (sst_xml)
        xt_zip_add(&z, "xl/sharedStrings.xml", sst_xml, strlen(sst_xml), NULL);
    return xt_zip_finish(&z, len);
}

/* An .xlsx whose sheet has the <sheetData> content `rows` and whose shared string table has
 * the <si> elements `sst_items` (NULL: no table). */
XT_UNUSED static uint8_t *xt_xlsx(const char *rows, const char *sst_items, size_t *len)
{
    char *sheet = xt_sheet(rows);
    char *sst = sst_items ? xt_sst(sst_items) : NULL;
    uint8_t *x = xt_xlsx_ex(sheet, sst, NULL, len);
    free(sheet);
    free(sst);
    return x;
}

/* ---- reading --------------------------------------------------------------------------------- */

/* Reads every row of an .xlsx into text: one line per row, "N: A=text B=text\n", cells in
 * column order, empty cells left out. With `types`, each value is followed by its type letter
 * in brackets: s(tring) n(umber) b(ool) e(rror) d(ate). On failure returns NULL and fills
 * *err; *rc gets the status. The caller frees the result. */
XT_UNUSED static char *xt_dump_lim(const void *data, size_t len, const zg_xlsx_limits_t *lim,
                                   bool types, int *rc, zg_error_t *err)
{
    zg_xlsx_reader_t *rd;
    zg_error_clear(err);
    *rc = zg_xlsx_reader_open_mem(data, len, lim, &rd, err);
    if (*rc)
        return NULL;
    xt_buf_t b = {0};
    zg_xlsx_row_t *row;
    int r;
    while ((r = zg_xlsx_next_row(rd, &row, err)) == 1) {
        xt_printf(&b, "%u:", row->num);
        assert_true(row->ncells >= 1);
        assert_non_null(row->cells[row->ncells - 1]);
        for (uint32_t c = 0; c < row->ncells; c++) {
            if (!row->cells[c]) {
                assert_int_equal(row->types[c], ZG_XLSX_EMPTY);
                continue;
            }
            assert_true(row->cells[c][0] != '\0');
            char col[4];
            zg_xlsx_col_name(c, col);
            xt_printf(&b, " %s=%s", col, row->cells[c]);
            if (types)
                xt_printf(&b, "[%c]", "-snbed"[row->types[c]]);
        }
        xt_puts(&b, "\n");
    }
    zg_xlsx_reader_free(rd);
    if (r < 0) {
        *rc = r;
        free(b.p);
        return NULL;
    }
    *rc = 0;
    xt_put(&b, "", 1);
    return (char *)b.p;
}

XT_UNUSED static char *xt_dump(const void *data, size_t len, int *rc, zg_error_t *err)
{
    return xt_dump_lim(data, len, NULL, false, rc, err);
}

/* Expects the file to read successfully and to dump to `want`. */
#define XT_EXPECT_DUMP(data, len, lim, types, want)                                                \
    do {                                                                                           \
        int rc_;                                                                                   \
        zg_error_t err_;                                                                           \
        char *got_ = xt_dump_lim((data), (len), (lim), (types), &rc_, &err_);                      \
        if (!got_)                                                                                 \
            fail_msg("read failed: %d %s %s | %s", rc_, err_.code, err_.message, err_.detail);     \
        assert_string_equal(got_, (want));                                                         \
        free(got_);                                                                                \
    } while (0)

/* Expects reading to fail with `status` and err->code `code`; returns nothing but leaves the
 * message in the caller's `msg_out` (char[384]) when it is not NULL. */
#define XT_EXPECT_FAIL(data, len, lim, want_status, want_code, msg_out)                            \
    do {                                                                                           \
        int rc_;                                                                                   \
        zg_error_t err_;                                                                           \
        char *got_ = xt_dump_lim((data), (len), (lim), false, &rc_, &err_);                        \
        if (got_)                                                                                  \
            fail_msg("read succeeded, expected %s:\n%s", (want_code), got_);                       \
        if (rc_ != (want_status) || strcmp(err_.code, (want_code)) != 0)                           \
            fail_msg("expected %d %s, got %d %s %s | %s", (want_status), (want_code), rc_,         \
                     err_.code, err_.message, err_.detail);                                        \
        assert_true(err_.message[0] != '\0');                                                      \
        char *mo_ = (msg_out);                                                                     \
        if (mo_)                                                                                   \
            memcpy(mo_, err_.message, sizeof err_.message);                                        \
    } while (0)

/* ---- files ----------------------------------------------------------------------------------- */

/* A fresh temporary path ending in .xlsx (the file exists, empty). */
XT_UNUSED static void xt_tmp_path(char *path, size_t size)
{
    const char *dir = getenv("TMPDIR");
    snprintf(path, size, "%s/zgxlsxtest-XXXXXX.xlsx", dir && *dir ? dir : "/tmp");
    int fd = mkstemps(path, 5);
    assert_true(fd >= 0);
    close(fd);
}

XT_UNUSED static uint8_t *xt_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    xt_buf_t b = {0};
    uint8_t tmp[65536];
    size_t n;
    while ((n = fread(tmp, 1, sizeof tmp, f)) > 0)
        xt_put(&b, tmp, n);
    fclose(f);
    *len = b.len;
    return b.p;
}

#endif
