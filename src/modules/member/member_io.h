/* member_io.h — member import from XLSX and export to XLSX / CSV (issue 4 §6;
 * docs/api-members-io.md). The logic here takes a connection and an arena, no HTTP: the API
 * (member_io_api.c), the import job's worker thread and bench/import call the same functions.
 *
 * Columns: one table (member_import.c) gives every column its Chinese header, the synonyms an
 * import accepts for it, its kind in the template (text, date, drop-down) and its field of
 * zg_member_input_t. The template, the import and the export use that table, so an export made
 * with member:read_pii imports back unchanged.
 *
 * Import (zg_member_import): the first non-empty row of the first sheet is the header row;
 * columns are mapped by header text (spaces, full-width spaces, "*" markers and a bracketed
 * suffix such as "（代码或名称）" ignored; a few synonyms); unknown headers are reported;
 * a missing required header, a header given twice, a file that is not a readable .xlsx or
 * passes a reader limit (zip bomb, too many columns or rows) is a file-level failure (non-zero
 * return, err filled, nothing read or written). Then, in two phases:
 *   1. validate: every data row is turned into a zg_member_input_t (labels → codes through the
 *      dictionaries and the member code tables; dates through zg_xlsx_parse_date_cell; the org
 *      by code or exact name among the orgs of the caller's scope) and checked with
 *      zg_member_check, the org rules, the duplicate inside the file and — through the blind
 *      index — against the database (an ID number held in scope is an error unless
 *      opts->update, then the row updates that member; held out of scope: always an error).
 *      Nothing is written in this phase and no transaction is held.
 *   2. write: when mode is ALL_OR_NOTHING and any row failed, nothing is written. Otherwise the
 *      good rows are written in ONE write transaction with one audit entry "member.import"
 *      (object "member", detail: file rows, created, updated, failed, mode) — new members
 *      through the member core's insert (after the checks above, which are the checks of
 *      zg_member_create), existing ones with zg_member_update (op->in_tx, no audit of their
 *      own; the core validates the whole updated record again). A row refused in this phase
 *      (a race: the ID number registered meanwhile, the org dissolved) is reported like a
 *      validation failure; ALL_OR_NOTHING then rolls everything back, VALID_ONLY rolls back
 *      and writes the remaining good rows again.
 * For an update only the non-empty cells change fields (an empty cell keeps the stored value);
 * the org, join and conversion dates are owned by events and are not changed by an import (a
 * different org is reported as a warning).
 *
 * Memory: the parsed good rows are kept in `arena` between the phases (≈ 250 bytes a row)
 * plus the reader's shared strings; the report's errors are capped at opts->max_errors. */
#ifndef ZG_MODULES_MEMBER_IO_H
#define ZG_MODULES_MEMBER_IO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/status.h"
#include "core/strbuf.h"
#include "modules/member/member.h"
#include "xlsx/xlsx_read.h"

typedef struct zg_router zg_router_t;

/* Most data rows one import takes (a bigger file is refused before any row is checked). */
#define ZG_MEMBER_IMPORT_MAX_ROWS 200000
/* Most columns an import file may have. */
#define ZG_MEMBER_IMPORT_MAX_COLS 64
/* Errors (and warnings) a report lists by default; the rest are counted. */
#define ZG_MEMBER_IMPORT_MAX_ERRORS 1000
/* Above this many data rows the API runs the import as a job (202 + job id). */
#define ZG_MEMBER_IMPORT_ASYNC_ROWS 2000
/* Most rows one export writes (a larger list is refused: narrow the filter). */
#define ZG_MEMBER_EXPORT_MAX_ROWS 100000

typedef enum zg_member_import_mode {
    ZG_IMPORT_ALL_OR_NOTHING = 0, /* nothing is written if any row fails */
    ZG_IMPORT_VALID_ONLY = 1      /* the good rows are written, the bad ones reported */
} zg_member_import_mode;

/* Phases reported to the progress callback. */
enum { ZG_IMPORT_PHASE_VALIDATE = 1, ZG_IMPORT_PHASE_WRITE = 2 };

/* Called every few hundred rows: phase, rows done in the phase, rows in all (an estimate from
 * the worksheet's bytes during validation, exact while writing), percent 0..100 overall. */
typedef void (*zg_member_import_progress_fn)(void *ctx, int phase, uint32_t rows_done,
                                             uint32_t rows_total, int percent);

typedef struct zg_member_import_opts {
    int64_t scope; /* the caller's scope root */
    zg_member_actor_t actor;
    zg_member_import_mode mode;
    bool update;           /* re-import: update members found by ID number */
    int64_t default_org;   /* org for rows whose org cell is empty (0: none; must be in scope) */
    zg_date_t today;       /* 0 → zg_date_today() (tests set it) */
    size_t max_errors;     /* 0 → ZG_MEMBER_IMPORT_MAX_ERRORS */
    size_t max_file_bytes; /* 0 → the reader's default */
    int64_t job_id;        /* for the audit detail (0: none) */
    int sqlite_cache_kib;  /* SQLite only (the caller knows the backend: zg_db_kind_of): the
                              connection's page cache during the write phase, restored after;
                              0 = leave it. A 100,000-row import dirties ~60 MB of pages, which
                              the default 2 MB cache spills to the WAL and reads back. */
    zg_member_import_progress_fn progress;
    void *progress_ctx;
} zg_member_import_opts_t;

void zg_member_import_opts_init(zg_member_import_opts_t *o, int64_t scope,
                                const zg_member_actor_t *actor);

/* One problem of one row. */
typedef struct zg_member_import_issue {
    uint32_t row;        /* the row number Excel shows */
    char column[4];      /* "E"; "" when the problem is not about one cell */
    const char *header;  /* the header text of that column in the file, or NULL */
    const char *field;   /* zg_member_input_t field name ("id_number"), or NULL */
    const char *rule;    /* the rule id when a rule fired, else NULL */
    const char *message; /* Chinese; for a rule: "<message>（依据：<citation>）" */
} zg_member_import_issue_t;

typedef struct zg_member_import_result {
    uint32_t rows_total;              /* data rows in the file */
    uint32_t rows_ok;                 /* rows that passed (and were written when `written`) */
    uint32_t rows_failed;             /* rows with at least one error */
    uint32_t created, updated;        /* written rows by outcome */
    bool written;                     /* the transaction committed */
    zg_member_import_issue_t *errors; /* the first max_errors errors */
    size_t nerrors, errors_omitted;
    zg_member_import_issue_t *warnings; /* the first max_errors warnings */
    size_t nwarnings, warnings_omitted;
    const char **unknown_headers; /* headers the import does not know (ignored) */
    size_t nunknown;
    double seconds_validate, seconds_write;
} zg_member_import_result_t;

/* Imports the .xlsx of `len` bytes at `data` (see the top of this file). Results, messages
 * and the parsed rows live in `arena` (give it room: ~300 bytes per row). Returns 0 when the
 * import ran (look at res->written and res->errors), or non-zero with err filled for a
 * file-level failure: ZG_ERR_INVALID (err->code "xlsx_invalid" and the reader's other codes,
 * "missing_headers", "duplicate_header", "no_rows", "too_many_rows"), ZG_ERR_TOO_LARGE (a
 * reader limit: "xlsx_bomb", …), ZG_ERR_NOT_FOUND (default_org out of scope), a database or
 * key failure. */
int zg_member_import(zg_conn_t *c, zg_arena_t *arena, const void *data, size_t len,
                     const zg_member_import_opts_t *o, zg_member_import_result_t *res,
                     zg_error_t *err);

/* Opens the file and checks its header row only (the file-level failures above), and counts
 * its data rows up to `count_max` (*rows = count_max + 1 when there are more). For the API's
 * choice between answering at once and a job. */
int zg_member_import_probe(const void *data, size_t len, size_t max_file_bytes, bool need_org,
                           bool update, uint32_t count_max, uint32_t *rows, zg_error_t *err);

/* The result as a JSON object text appended to sb: {"written","mode","rows_total","rows_ok",
 * "rows_failed","created","updated","errors":[{"row","column","header","field",
 * "rule","message"}],"errors_omitted","warnings":[…],"warnings_omitted","unknown_headers"}. */
void zg_member_import_report_json(const zg_member_import_result_t *res, zg_member_import_mode mode,
                                  zg_strbuf_t *sb);

/* ---- template and export ------------------------------------------------------------------ */

/* The import template: one sheet "党员信息" with the header row, drop-downs for the dictionary
 * columns (labels of the dict tables and the member code tables), text columns for the ID
 * number and the phone, date columns. *data is malloc'd (caller frees). */
int zg_member_template_xlsx(zg_conn_t *c, zg_arena_t *arena, void **data, size_t *len,
                            zg_error_t *err);

typedef enum zg_member_export_format {
    ZG_EXPORT_XLSX = 0,
    ZG_EXPORT_CSV = 1
} zg_member_export_format;

/* Exports the members matching `q` in scope (the query's offset and limit are ignored: every
 * matching row, read page by page through zg_member_list with a page arena reset per page).
 * ID number and phone masked unless reveal_pii. CSV: UTF-8 with a BOM, CRLF, RFC 4180 quoting,
 * and a leading ' before a cell starting with = + - @ (spreadsheet formula injection). More
 * than ZG_MEMBER_EXPORT_MAX_ROWS rows: ZG_ERR_TOO_LARGE "export_too_large" before anything is
 * built. *data is malloc'd (caller frees); *rows gets the number of members written. */
int zg_member_export(zg_conn_t *c, zg_arena_t *arena, int64_t scope, const zg_member_query_t *q,
                     bool reveal_pii, zg_member_export_format fmt, void **data, size_t *len,
                     int64_t *rows, zg_error_t *err);

/* ---- HTTP ---------------------------------------------------------------------------------- */

/* Registers GET /api/v1/members/import-template.xlsx, POST /api/v1/members/import,
 * GET /api/v1/members/import-jobs/{id}, GET /api/v1/members/export.xlsx and .csv
 * (member_io_api.c; docs/api-members-io.md). */
int zg_member_io_routes(zg_router_t *rt);

/* Marks the import jobs left 'queued' or 'running' as failed, with the report
 * {"code":"interrupted","message":"服务重启，导入已中断，请重新导入"}: their thread died with
 * the process that ran it (a job's rows are written in one transaction, so nothing of it was
 * kept). zg_app_open calls it after the migrations; `c` may be NULL (then err holds why, and
 * ZG_ERR_DB is returned). *recovered (may be NULL) gets the number of jobs marked. */
int zg_member_io_recover(zg_conn_t *c, int64_t *recovered, zg_error_t *err);

/* Waits until every import job thread of this process has finished (call before closing the
 * database: jobs hold their own connections). Returns the number of jobs waited for. */
int zg_member_io_wait_jobs(void);

/* ---- internal: shared by member_import.c, member_export.c, member_io_api.c ----------------- */

/* The columns, in template order. */
enum {
    MIO_NAME,
    MIO_GENDER,
    MIO_ETHNICITY,
    MIO_BIRTH,
    MIO_IDNUM,
    MIO_PHONE,
    MIO_EDU,
    MIO_DEGREE,
    MIO_NATIVE,
    MIO_WORK,
    MIO_OCC,
    MIO_ORG,
    MIO_STATUS,
    MIO_JOINED,
    MIO_CONVERTED,
    MIO_DUES,
    MIO_NCOLS
};

typedef struct member_io_col {
    const char *header; /* the template's header text */
    const char *field;  /* zg_member_input_t field / finding field */
    const char *dict;   /* dict table of a drop-down, or NULL */
    int kind;           /* zg_xlsx_col_kind */
    double width;       /* template column width */
    const char *syn[6]; /* other header texts accepted (normalized form), NULL-terminated */
} member_io_col_t;

extern const member_io_col_t member_io_cols[MIO_NCOLS];

/* "男" / "女" by GB/T 2261.1 code. */
extern const zg_member_label_t member_io_genders[];

/* The label of a dict code (NULL when unknown), from a small per-call cache. */
typedef struct member_io_dicts member_io_dicts_t;
int member_io_dicts_load(zg_conn_t *c, zg_arena_t *a, member_io_dicts_t **out, zg_error_t *err);
const char *member_io_dict_label(const member_io_dicts_t *d, const char *dict, const char *code);
/* The items' labels of one dict (for the template's drop-downs). */
int member_io_dict_labels(const member_io_dicts_t *d, const char *dict, const char ***labels,
                          size_t *n, zg_arena_t *a);

#endif
