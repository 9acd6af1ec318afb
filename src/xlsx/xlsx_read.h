/* xlsx_read.h — a streaming reader for the first worksheet of an .xlsx file (ISO/IEC 29500,
 * "Office Open XML"), written for untrusted uploads: member imports (issue 4 §6).
 *
 * An .xlsx is a ZIP archive of XML parts. The reader parses the ZIP central directory itself,
 * inflates the parts it needs with zlib (stored and deflate only), reads xl/workbook.xml and its
 * relationships to find the first worksheet, loads xl/sharedStrings.xml into a bounded table and
 * then streams the worksheet's <sheetData> row by row with a small pull tokenizer. Memory is
 * O(shared strings + one row + inflate buffers), never O(inflated file).
 *
 * Every size is bounded by a zg_xlsx_limits_t; declared sizes in the archive are checked but
 * never trusted (the output of inflate is counted as it is produced). Failures carry a Chinese
 * message for the user ("文件不是有效的 Excel (.xlsx) 文件", "文件解压后过大，可能是压缩炸弹，
 * 已拒绝", "表格列数过多（超过 256 列）", "第 5 行 C 列：单元格内容过长（超过 32767 个字符）" …)
 * and an English detail for the log; err->code names the failure (xlsx_invalid, xlsx_bomb, …).
 *
 * Integrity: the CRC-32 of the worksheet can only be verified when its last byte has been
 * inflated, so zg_xlsx_next_row reports a CRC mismatch at the end (instead of returning 0).
 * An importer must read to the end (0) before it writes anything — the all-or-nothing import
 * does that anyway. Shared strings and the workbook are verified before the first row. */
#ifndef ZG_XLSX_READ_H
#define ZG_XLSX_READ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/date.h"
#include "core/status.h"

/* Excel's own hard limits (ECMA-376 / Excel specifications and limits). */
#define ZG_XLSX_EXCEL_MAX_COLS       16384   /* A .. XFD */
#define ZG_XLSX_EXCEL_MAX_ROWS       1048576 /* 2^20 */
#define ZG_XLSX_EXCEL_MAX_CELL_CHARS 32767

/* Limits on what one file may make the reader do. A field left 0 takes its default (shown),
 * so `zg_xlsx_limits_t lim = {.max_cols = 20};` is a valid way to lower one limit. Limits above
 * Excel's own (columns, rows, cell length) are clamped to Excel's. */
typedef struct zg_xlsx_limits {
    size_t max_file_bytes;       /* the .xlsx itself: 64 MiB (the upload body cap) */
    uint64_t max_sheet_bytes;    /* the inflated worksheet XML: 512 MiB */
    uint64_t max_sst_bytes;      /* the inflated sharedStrings.xml: 64 MiB (≤ 1 GiB) */
    uint64_t max_meta_bytes;     /* each small part (workbook.xml, the .rels): 4 MiB */
    uint64_t max_total_bytes;    /* all parts inflated together: 640 MiB */
    uint32_t max_ratio;          /* inflated:compressed above this … : 200 */
    uint64_t ratio_min_bytes;    /* … once a part has inflated past this is a bomb: 10 MiB */
    uint32_t max_entries;        /* entries in the ZIP central directory: 10,000 */
    uint32_t max_cols;           /* highest column with a value: 256 (≤ 16,384) */
    uint32_t max_rows;           /* highest row number with a value: 1,048,576 */
    uint32_t max_cell_chars;     /* characters (code points) in one cell: 32,767 */
    uint32_t max_shared_strings; /* entries in the shared string table: 4,194,304 */
} zg_xlsx_limits_t;

/* Fills *lim with every default above. */
void zg_xlsx_limits_default(zg_xlsx_limits_t *lim);

/* What a cell's <c t="…"> says it holds. The value text is given as it is in the file:
 * NUMBER is the number's XML text ("45292", "3.5", "1E-3"; dates are numbers with a date
 * format, see zg_xlsx_parse_date_cell), BOOL is "0" or "1", ERROR is Excel's code ("#N/A"),
 * DATE is ISO 8601 text (t="d", written by a few generators). */
typedef enum zg_xlsx_cell_type {
    ZG_XLSX_EMPTY = 0,
    ZG_XLSX_STRING = 1, /* shared, inline or formula-result string */
    ZG_XLSX_NUMBER = 2,
    ZG_XLSX_BOOL = 3,
    ZG_XLSX_ERROR = 4,
    ZG_XLSX_DATE = 5
} zg_xlsx_cell_type;

/* One row with at least one non-empty cell. cells[c] is the text of column c (A = 0) for
 * c < ncells, or NULL when that cell is empty (no value, or an empty string); types[c] is its
 * zg_xlsx_cell_type. Every text is NUL-terminated, well-formed UTF-8 without NUL bytes, at most
 * max_cell_chars characters, with XML entities and Excel's _xHHHH_ escapes decoded.
 * Owned by the reader; valid until the next zg_xlsx_next_row or zg_xlsx_reader_free. */
typedef struct zg_xlsx_row {
    uint32_t num;             /* 1-based row number as Excel shows it */
    uint32_t ncells;          /* 1 + the highest column with a value (≥ 1) */
    const char *const *cells; /* [ncells] */
    const uint8_t *types;     /* [ncells] */
} zg_xlsx_row_t;

typedef struct zg_xlsx_reader zg_xlsx_reader_t;

/* Opens the `len` bytes at `data` (an upload held in memory, which must stay valid and
 * unchanged until zg_xlsx_reader_free) with limits `lim` (NULL → defaults). Reads the ZIP
 * directory, the workbook, its relationships and the shared strings, and positions the reader
 * before the first row of the first visible worksheet. Returns 0 and a reader the caller owns
 * (free it with zg_xlsx_reader_free), or a negative zg_status with *err filled (err may be
 * NULL): ZG_ERR_INVALID for a file that is not a readable .xlsx, ZG_ERR_TOO_LARGE when a limit
 * is passed (err->code "xlsx_bomb" for an archive that inflates too far), ZG_ERR_NOMEM. */
int zg_xlsx_reader_open_mem(const void *data, size_t len, const zg_xlsx_limits_t *lim,
                            zg_xlsx_reader_t **out, zg_error_t *err);

/* As zg_xlsx_reader_open_mem for the file at `path`, which is mapped read-only (not copied)
 * for the reader's lifetime; the file must not be truncated while the reader is open.
 * ZG_ERR_IO when it cannot be opened or mapped. */
int zg_xlsx_reader_open_file(const char *path, const zg_xlsx_limits_t *lim, zg_xlsx_reader_t **out,
                             zg_error_t *err);

/* Reads the next row that has a value. Returns 1 and points *row at it; 0 at the end of the
 * sheet (after the worksheet's size and CRC-32 have been verified); or a negative zg_status with
 * *err filled — a row-specific message starts with "第 N 行". Rows without any value (blank or
 * only formatted) are skipped, so row numbers may jump. Errors are sticky: once a call failed,
 * every later call returns the same status and error. */
int zg_xlsx_next_row(zg_xlsx_reader_t *rd, zg_xlsx_row_t **row, zg_error_t *err);

/* Whether the workbook uses the 1904 date system (<workbookPr date1904="1"/>); pass it to the
 * date functions below. */
bool zg_xlsx_reader_date1904(const zg_xlsx_reader_t *rd);

/* Name of the worksheet being read (UTF-8, as shown on its tab); "" when the workbook did not
 * name it. Owned by the reader. */
const char *zg_xlsx_reader_sheet_name(const zg_xlsx_reader_t *rd);

/* Progress through the worksheet for an import job's percentage: compressed bytes of the
 * worksheet consumed so far and in total. Either pointer may be NULL. */
void zg_xlsx_reader_progress(const zg_xlsx_reader_t *rd, uint64_t *done, uint64_t *total);

/* Frees the reader and everything it owns (NULL is a no-op). Rows it returned become invalid. */
void zg_xlsx_reader_free(zg_xlsx_reader_t *rd);

/* Writes the letters of 0-based column `col` ("A", "Z", "AA", "XFD") and a NUL into buf.
 * Columns past XFD are written as "?". */
void zg_xlsx_col_name(uint32_t col, char buf[4]);

/* ---- dates ------------------------------------------------------------------------------ */

/* Converts an Excel date serial to a civil date. The time of day (the fraction) is dropped
 * after rounding the serial to the millisecond, as Excel does when it displays a date.
 * 1900 system (date1904 false): serial 1 = 1900-01-01 and, as Excel (after Lotus 1-2-3) counts
 * a 29 February 1900 that never existed, serial 60 is refused, 59 = 1900-02-28 and
 * 61 = 1900-03-01; serial 0 ("1900-01-00") is refused. 1904 system: serial 0 = 1904-01-01.
 * The last serial Excel accepts is 9999-12-31. Returns 0, or ZG_ERR_INVALID for NaN, a
 * negative serial or one outside those ranges. */
int zg_xlsx_serial_to_date(double serial, bool date1904, zg_date_t *out);

/* The inverse of zg_xlsx_serial_to_date for whole days: ZG_ERR_INVALID for dates before
 * 1900-01-01 (1904-01-01 in the 1904 system), which Excel cannot store as dates. */
int zg_xlsx_date_to_serial(zg_date_t date, bool date1904, double *out);

/* Reads a date cell whatever way the user entered it. After trimming ASCII spaces, accepts
 *   an Excel serial      "45292", "45292.5" (a number cell with a date format)
 *   8 digits            "20240101" (YYYYMMDD; never a valid serial, Excel stops at 2958465)
 *   dates as text       "2024-01-01", "2024/1/1", "2024.1.1", "2024-1-1", "2024年1月1日"
 *                       (one separator style throughout, 年 月 日 all three or none; a time
 *                       after the date, " 08:30" or "T08:30:00Z", is ignored)
 * Returns 0 and writes *out, or ZG_ERR_INVALID (text NULL, empty, or not a valid date). */
int zg_xlsx_parse_date_cell(const char *text, bool date1904, zg_date_t *out);

#endif
