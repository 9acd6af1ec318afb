/* fuzz_xlsx.c — the XLSX reader (xlsx/xlsx_read.h) on untrusted bytes, with small limits, the
 * way member imports read uploads: open, read every row, parse every cell as a date. Must never
 * crash, leak, hang or pass a limit, and every row it returns must keep the API's promises.
 *
 * Two kinds of input, so that mutations reach the XML layers and not only the CRC check:
 *   - bytes starting with "PK" are the .xlsx itself (ZIP layer, deflate, everything);
 *   - anything else is split at NUL bytes into up to four parts — worksheet, shared strings,
 *     workbook, workbook relationships — that this driver stores in a valid ZIP (with correct
 *     CRCs) before reading it. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "core/utf8.h"
#include "xlsx/xlsx_read.h"

/* With ZG_FUZZ the whole library is built with -fsanitize=fuzzer-no-link, so libFuzzer sees
 * the reader's branches through libzg.a. */

static const zg_xlsx_limits_t LIMITS = {
    .max_file_bytes = 1u << 20,
    .max_sheet_bytes = 4u << 20,
    .max_sst_bytes = 1u << 20,
    .max_meta_bytes = 256u << 10,
    .max_total_bytes = 8u << 20,
    .max_ratio = 200,
    .ratio_min_bytes = 256u << 10,
    .max_entries = 64,
    .max_cols = 64,
    .max_rows = 100000,
    .max_cell_chars = 1000,
    .max_shared_strings = 20000,
};

static void check_rows(zg_xlsx_reader_t *rd)
{
    bool d1904 = zg_xlsx_reader_date1904(rd);
    const char *name = zg_xlsx_reader_sheet_name(rd);
    if (!name || !zg_utf8_valid(name, strlen(name)))
        abort();
    zg_xlsx_row_t *row;
    zg_error_t err;
    uint32_t last = 0;
    int rc;
    while ((rc = zg_xlsx_next_row(rd, &row, &err)) == 1) {
        if (row->num <= last || row->num > LIMITS.max_rows || row->ncells == 0 ||
            row->ncells > LIMITS.max_cols || !row->cells[row->ncells - 1])
            abort();
        last = row->num;
        for (uint32_t c = 0; c < row->ncells; c++) {
            const char *s = row->cells[c];
            if (!s) {
                if (row->types[c] != ZG_XLSX_EMPTY)
                    abort();
                continue;
            }
            size_t chars, n = strlen(s);
            if (n == 0 || row->types[c] == ZG_XLSX_EMPTY || row->types[c] > ZG_XLSX_DATE ||
                zg_utf8_strlen(s, n, &chars) != ZG_OK || chars > LIMITS.max_cell_chars)
                abort();
            zg_date_t d;
            (void)zg_xlsx_parse_date_cell(s, d1904, &d);
        }
    }
    if (rc < 0 && (err.message[0] == '\0' || err.code[0] == '\0'))
        abort();
    /* the end, or the failure, sticks */
    zg_error_t again;
    if (zg_xlsx_next_row(rd, &row, &again) != (rc < 0 ? rc : 0))
        abort();
    uint64_t done, total;
    zg_xlsx_reader_progress(rd, &done, &total);
    if (done > total)
        abort();
}

static void read_all(const uint8_t *data, size_t size)
{
    zg_xlsx_reader_t *rd;
    zg_error_t err;
    if (zg_xlsx_reader_open_mem(data, size, &LIMITS, &rd, &err) != ZG_OK) {
        if (err.message[0] == '\0')
            abort();
        return;
    }
    check_rows(rd);
    zg_xlsx_reader_free(rd);
}

/* ---- a stored ZIP around the parts -------------------------------------------------------- */

typedef struct out {
    uint8_t *p;
    size_t len;
} out_t;

static void put(out_t *o, const void *d, size_t n)
{
    memcpy(o->p + o->len, d, n);
    o->len += n;
}

static void put16(out_t *o, uint32_t v)
{
    uint8_t b[2] = {(uint8_t)v, (uint8_t)(v >> 8)};
    put(o, b, 2);
}

static void put32(out_t *o, uint32_t v)
{
    uint8_t b[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
    put(o, b, 4);
}

static const char *const NAMES[] = {"xl/worksheets/sheet1.xml", "xl/sharedStrings.xml",
                                    "xl/workbook.xml", "xl/_rels/workbook.xml.rels"};
#define NPARTS 4

static void wrap_and_read(const uint8_t *data, size_t size)
{
    const uint8_t *part[NPARTS];
    size_t plen[NPARTS], n = 0, start = 0;
    for (size_t i = 0; i <= size && n < NPARTS; i++)
        if (i == size || data[i] == '\0') {
            part[n] = data + start;
            plen[n++] = i - start;
            start = i + 1;
        }
    out_t o = {malloc(size + n * 200 + 64), 0};
    if (!o.p)
        return;
    uint32_t off[NPARTS], crc[NPARTS];
    for (size_t i = 0; i < n; i++) {
        off[i] = (uint32_t)o.len;
        crc[i] = (uint32_t)crc32(0, part[i], (uInt)plen[i]);
        put32(&o, 0x04034b50);
        put16(&o, 20);
        put16(&o, 0);
        put16(&o, 0); /* stored */
        put32(&o, 0);
        put32(&o, crc[i]);
        put32(&o, (uint32_t)plen[i]);
        put32(&o, (uint32_t)plen[i]);
        put16(&o, (uint32_t)strlen(NAMES[i]));
        put16(&o, 0);
        put(&o, NAMES[i], strlen(NAMES[i]));
        put(&o, part[i], plen[i]);
    }
    uint32_t cd = (uint32_t)o.len;
    for (size_t i = 0; i < n; i++) {
        put32(&o, 0x02014b50);
        put16(&o, 20);
        put16(&o, 20);
        put16(&o, 0);
        put16(&o, 0);
        put32(&o, 0);
        put32(&o, crc[i]);
        put32(&o, (uint32_t)plen[i]);
        put32(&o, (uint32_t)plen[i]);
        put16(&o, (uint32_t)strlen(NAMES[i]));
        put16(&o, 0);
        put16(&o, 0);
        put16(&o, 0);
        put16(&o, 0);
        put32(&o, 0);
        put32(&o, off[i]);
        put(&o, NAMES[i], strlen(NAMES[i]));
    }
    uint32_t cd_size = (uint32_t)o.len - cd;
    put32(&o, 0x06054b50);
    put16(&o, 0);
    put16(&o, 0);
    put16(&o, (uint32_t)n);
    put16(&o, (uint32_t)n);
    put32(&o, cd_size);
    put32(&o, cd);
    put16(&o, 0);
    read_all(o.p, o.len);
    free(o.p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size >= 2 && data[0] == 'P' && data[1] == 'K') {
        /* an exact-size copy, so that any read past the end is caught */
        uint8_t *copy = malloc(size);
        if (!copy)
            return 0;
        memcpy(copy, data, size);
        read_all(copy, size);
        free(copy);
    } else {
        wrap_and_read(data, size);
    }
    return 0;
}
