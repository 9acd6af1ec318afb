/* xlsx_write.h — one-sheet .xlsx files for exports and import templates, over libxlsxwriter.
 *
 * A writer makes a workbook with one data sheet: a bold header row of Chinese column names,
 * frozen so it stays visible, with a width per column, then data rows written from C strings.
 * Each column has a kind that decides how its cells are written and formatted:
 *   TEXT    stored as text, and the column formatted as text ("@"), so that an 18-digit ID
 *           number or a phone number typed into the template is not turned into 1.1E+17;
 *   NUMBER  numbers ("12", "-3.5") as numbers, anything else as text;
 *   DATE    "YYYY-MM-DD" as a date cell formatted yyyy-mm-dd (anything else, or a date before
 *           1900, as text so that nothing is lost);
 *   DICT    text chosen from a list: a drop-down (list data validation) on the whole column.
 *           A list of at most 255 bytes ("男,女") is written into the validation itself;
 *           a longer one (Excel allows 255 characters there, see xlsx_write.c for why bytes),
 *           or one with an item containing ',' or '"', goes to a hidden sheet "下拉选项" and
 *           the validation refers to its range.
 * libxlsxwriter runs in constant-memory mode (rows go to a temporary file as they are written,
 * strings are written inline), so an export of any length uses little memory; rows must be
 * written in order. The workbook is built in a private temporary file (mkstemp under $TMPDIR,
 * else /tmp) that is removed when the writer is finished or freed.
 *
 * A writer is not thread-safe; one owner at a time. */
#ifndef ZG_XLSX_WRITE_H
#define ZG_XLSX_WRITE_H

#include <stddef.h>

#include "core/arena.h"
#include "core/status.h"

/* Most columns a writer takes: the reader's default column limit, so that every template the
 * server hands out can be read back. */
#define ZG_XLSX_WRITE_MAX_COLS 256
/* Most items in one drop-down list. */
#define ZG_XLSX_WRITE_MAX_ITEMS 10000
/* Most bytes zg_xlsx_finish returns in memory (larger files: zg_xlsx_finish_fd). */
#define ZG_XLSX_FINISH_MAX ((size_t)512 * 1024 * 1024)

typedef enum zg_xlsx_col_kind {
    ZG_XLSX_COL_TEXT = 0,
    ZG_XLSX_COL_NUMBER = 1,
    ZG_XLSX_COL_DATE = 2,
    ZG_XLSX_COL_DICT = 3
} zg_xlsx_col_kind;

typedef struct zg_xlsx_writer zg_xlsx_writer_t;

/* Starts a workbook whose data sheet is named `sheet_name` (NULL → "Sheet1"; at most 31
 * characters, none of []:*?/\). Returns 0 and a writer the caller owns (end it with
 * zg_xlsx_finish, zg_xlsx_finish_fd or zg_xlsx_writer_free), ZG_ERR_INVALID for a bad name,
 * ZG_ERR_IO when the temporary file cannot be made, or ZG_ERR_NOMEM. */
int zg_xlsx_writer_new(const char *sheet_name, zg_xlsx_writer_t **out, zg_error_t *err);

/* Adds the next column: header text `name` (UTF-8, 1..255 characters), `width` in Excel's
 * character units (≤ 0 → 12; at most 255), its kind, and for ZG_XLSX_COL_DICT the `nitems`
 * items of the drop-down (1..ZG_XLSX_WRITE_MAX_ITEMS non-empty UTF-8 strings of at most 255
 * characters; copied). Only before the first row. Returns 0 or ZG_ERR_INVALID. */
int zg_xlsx_add_column(zg_xlsx_writer_t *w, const char *name, double width, zg_xlsx_col_kind kind,
                       const char *const *items, size_t nitems, zg_error_t *err);

/* Adds a visible sheet of notes after the data sheet (e.g. "填写说明" in an import template:
 * what each column takes and the rule it is checked against): `nrows` rows of `ncols` cells
 * (cells[r * ncols + c], NULL or "" = empty), row 0 a bold header, text wrapped, column c
 * `widths[c]` characters wide (≤ 0 → 20; at most 255). The data sheet stays the first sheet,
 * so the file still reads back as before. Only before the first data row, at most once.
 * Returns 0, ZG_ERR_INVALID (bad name — also the drop-down list sheet's — bad text, more than
 * ZG_XLSX_WRITE_MAX_COLS columns, called late or twice) or ZG_ERR_IO. */
int zg_xlsx_add_notes(zg_xlsx_writer_t *w, const char *sheet_name, const char *const *cells,
                      size_t nrows, size_t ncols, const double *widths, zg_error_t *err);

/* Writes the next data row: cells[i] for column i (in the order added), i < ncells ≤ the
 * number of columns; NULL or "" leaves the cell empty. The first call also writes the header
 * and the drop-downs. Text is checked to be UTF-8 of at most 32,767 characters (Excel's cell
 * limit); a value starting with '=' is written as text, never as a formula. Returns 0,
 * ZG_ERR_INVALID (bad text: "第 N 行 X 列：…"), ZG_ERR_TOO_LARGE (past Excel's 1,048,576 rows)
 * or ZG_ERR_IO. */
int zg_xlsx_write_row(zg_xlsx_writer_t *w, const char *const *cells, size_t ncells,
                      zg_error_t *err);

/* Number of data rows written so far (the header not counted). */
size_t zg_xlsx_rows_written(const zg_xlsx_writer_t *w);

/* Finishes the workbook (a template with no rows is fine) and returns its bytes: allocated
 * from `arena` when it is not NULL (valid until the arena is reset), else with malloc (the
 * caller frees *data). The writer is freed in every case. Returns 0, ZG_ERR_TOO_LARGE (past
 * ZG_XLSX_FINISH_MAX or the arena's cap), ZG_ERR_IO or ZG_ERR_NOMEM. */
int zg_xlsx_finish(zg_xlsx_writer_t *w, zg_arena_t *arena, void **data, size_t *len,
                   zg_error_t *err);

/* Finishes the workbook and returns a descriptor of the (already unlinked) file,
 * positioned at its start, and its size — for streaming a large export (e.g.
 * MHD_create_response_from_fd). The caller closes *fd. The writer is freed in every case. */
int zg_xlsx_finish_fd(zg_xlsx_writer_t *w, int *fd, size_t *len, zg_error_t *err);

/* Abandons a writer: frees it and removes its temporary files. NULL is a no-op. */
void zg_xlsx_writer_free(zg_xlsx_writer_t *w);

#endif
