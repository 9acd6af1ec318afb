/* member_import.c — XLSX member import (member_io.h): the column table, the dictionaries'
 * label ↔ code cache, header mapping, the validation phase and the write phase.
 *
 * The rules are the member core's: zg_member_check (the pure rules) on every row, the org rules
 * of zg_member_validate (member.org_accepts / member.org_is_branch) on the org the row names,
 * the dictionary codes through the same dict_item table (member.code_valid) and the duplicate
 * ID number through the blind index (member.id_number_unique). What zg_member_validate reads
 * from the database per record is read here once per import (orgs of the scope, dictionaries)
 * and per row only the blind-index lookup, so that 100,000 rows validate in seconds. New
 * members are then written with the core's batch writer (member_bulk_*, member_internal.h:
 * "the checks have run") inside the one write transaction, in which the orgs used are read
 * again and the UNIQUE index on id_number_bidx catches an ID number registered since the check
 * (blame_conflict then names the row of the refused batch). */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/log.h"
#include "core/utf8.h"
#include "core/validate.h"
#include "db/db.h"
#include "db/scope.h"
#include "modules/audit/audit.h"
#include "modules/dict/dict.h"
#include "modules/member/member_internal.h"
#include "modules/member/member_io.h"
#include "xlsx/xlsx_read.h"
#include "xlsx/xlsx_write.h"

/* ---- the columns ------------------------------------------------------------------------- */

const member_io_col_t member_io_cols[MIO_NCOLS] = {
    [MIO_NAME] = {"姓名", "name", NULL, ZG_XLSX_COL_TEXT, 10, {"党员姓名", NULL}},
    [MIO_GENDER] = {"性别", "gender", NULL, ZG_XLSX_COL_DICT, 6, {NULL}},
    [MIO_ETHNICITY] = {"民族", "ethnicity", "ethnicity", ZG_XLSX_COL_DICT, 10, {NULL}},
    [MIO_BIRTH] = {"出生日期", "birth_date", NULL, ZG_XLSX_COL_DATE, 12, {"出生年月日", NULL}},
    [MIO_IDNUM] = {"身份证号",
                   "id_number",
                   NULL,
                   ZG_XLSX_COL_TEXT,
                   22,
                   {"公民身份号码", "身份证号码", "身份证", "公民身份证号码", NULL}},
    [MIO_PHONE] = {"手机号码",
                   "phone",
                   NULL,
                   ZG_XLSX_COL_TEXT,
                   14,
                   {"手机号", "手机", "联系电话", "移动电话", NULL}},
    [MIO_EDU] = {"学历", "education", "education", ZG_XLSX_COL_DICT, 16, {"文化程度", NULL}},
    [MIO_DEGREE] = {"学位", "degree", "degree", ZG_XLSX_COL_DICT, 16, {NULL}},
    [MIO_NATIVE] = {"籍贯", "native_place", NULL, ZG_XLSX_COL_TEXT, 14, {NULL}},
    [MIO_WORK] =
        {"参加工作时间", "work_start_date", NULL, ZG_XLSX_COL_DATE, 14, {"参加工作日期", NULL}},
    [MIO_OCC] = {"职业类别", "occupation", NULL, ZG_XLSX_COL_DICT, 24, {"职业", NULL}},
    [MIO_ORG] = {"所在党组织（代码或名称）",
                 "org_id",
                 NULL,
                 ZG_XLSX_COL_TEXT,
                 32,
                 {"所在党支部", "党组织", "所在组织", "党组织代码", "所在党组织名称", NULL}},
    [MIO_STATUS] = {"党员状态",
                    "status",
                    NULL,
                    ZG_XLSX_COL_DICT,
                    10,
                    {"人员类别", "党员类别", "人员类别/党员状态", "人员类别／党员状态", NULL}},
    [MIO_JOINED] = {"入党日期", "joined_on", NULL, ZG_XLSX_COL_DATE, 12, {"入党时间", NULL}},
    [MIO_CONVERTED] = {"转正日期", "converted_on", NULL, ZG_XLSX_COL_DATE, 12, {"转正时间", NULL}},
    [MIO_DUES] = {"党费类别", "dues_category", NULL, ZG_XLSX_COL_DICT, 24, {"党费缴纳类别", NULL}},
};

const zg_member_label_t member_io_genders[] = {{"1", "男"}, {"2", "女"}, {NULL, NULL}};

/* ---- a string → int map (open addressing; keys are not copied) ---------------------------- */

typedef struct smap {
    const char **keys;
    int32_t *vals;
    size_t cap; /* power of two */
} smap_t;

#define SMAP_AMBIGUOUS (-2)

static uint64_t hash_str(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 1099511628211ULL;
    }
    return h;
}

static int smap_init(smap_t *m, zg_arena_t *a, size_t n)
{
    size_t cap = 16;
    while (cap < n * 2 + 2)
        cap <<= 1;
    m->cap = cap;
    m->keys = zg_arena_calloc(a, cap, sizeof *m->keys);
    m->vals = zg_arena_calloc(a, cap, sizeof *m->vals);
    return m->keys && m->vals ? 0 : -1;
}

/* Inserts key → v; an existing key with another value becomes SMAP_AMBIGUOUS (unless
 * keep_first). Returns the value stored before (-1 when new). */
static int32_t smap_put(smap_t *m, const char *key, int32_t v, bool keep_first)
{
    size_t i = hash_str(key) & (m->cap - 1);
    while (m->keys[i]) {
        if (!strcmp(m->keys[i], key)) {
            int32_t old = m->vals[i];
            if (!keep_first && old != v)
                m->vals[i] = SMAP_AMBIGUOUS;
            return old;
        }
        i = (i + 1) & (m->cap - 1);
    }
    m->keys[i] = key;
    m->vals[i] = v;
    return -1;
}

static int32_t smap_get(const smap_t *m, const char *key)
{
    size_t i = hash_str(key) & (m->cap - 1);
    while (m->keys[i]) {
        if (!strcmp(m->keys[i], key))
            return m->vals[i];
        i = (i + 1) & (m->cap - 1);
    }
    return -1;
}

/* ---- dictionaries ----------------------------------------------------------------------- */

#define NDICTS 3
static const char *const DICT_NAMES[NDICTS] = {"ethnicity", "education", "degree"};

struct member_io_dicts {
    zg_dict_item_t *items[NDICTS];
    size_t n[NDICTS];
    smap_t by_text[NDICTS]; /* code, label and short label → item index */
};

static int dict_index(const char *dict)
{
    for (int i = 0; i < NDICTS; i++)
        if (!strcmp(DICT_NAMES[i], dict))
            return i;
    return -1;
}

int member_io_dicts_load(zg_conn_t *c, zg_arena_t *a, member_io_dicts_t **out, zg_error_t *err)
{
    member_io_dicts_t *d = zg_arena_calloc(a, 1, sizeof *d);
    if (!d)
        return zg_error_set(err, ZG_ERR_NOMEM, "no_memory", "服务器内存不足", "dicts");
    for (int k = 0; k < NDICTS; k++) {
        int rc = zg_dict_items(c, a, DICT_NAMES[k], false, &d->items[k], &d->n[k], err);
        if (rc)
            return rc;
        if (smap_init(&d->by_text[k], a, d->n[k] * 3))
            return zg_error_set(err, ZG_ERR_NOMEM, "no_memory", "服务器内存不足", "dicts");
        /* codes first so that a code never loses to another item's label */
        for (size_t i = 0; i < d->n[k]; i++)
            smap_put(&d->by_text[k], d->items[k][i].code, (int32_t)i, true);
        for (size_t i = 0; i < d->n[k]; i++) {
            smap_put(&d->by_text[k], d->items[k][i].label, (int32_t)i, true);
            if (d->items[k][i].short_label && *d->items[k][i].short_label)
                smap_put(&d->by_text[k], d->items[k][i].short_label, (int32_t)i, true);
        }
    }
    *out = d;
    return ZG_OK;
}

const char *member_io_dict_label(const member_io_dicts_t *d, const char *dict, const char *code)
{
    int k = dict_index(dict);
    if (k < 0 || !code)
        return NULL;
    for (size_t i = 0; i < d->n[k]; i++)
        if (!strcmp(d->items[k][i].code, code))
            return d->items[k][i].label;
    return NULL;
}

int member_io_dict_labels(const member_io_dicts_t *d, const char *dict, const char ***labels,
                          size_t *n, zg_arena_t *a)
{
    int k = dict_index(dict);
    *n = 0;
    if (k < 0)
        return -1;
    *labels = zg_arena_calloc(a, d->n[k] + 1, sizeof **labels);
    if (!*labels)
        return -1;
    for (size_t i = 0; i < d->n[k]; i++)
        if (d->items[k][i].enabled)
            (*labels)[(*n)++] = d->items[k][i].label;
    return 0;
}

/* The code of `text` in dict k (code, label or short label), or NULL. */
static const char *dict_code(const member_io_dicts_t *d, int k, const char *text)
{
    int32_t i = smap_get(&d->by_text[k], text);
    return i >= 0 ? d->items[k][i].code : NULL;
}

static const char *table_code(const zg_member_label_t *t, const char *text)
{
    for (; t->code; t++)
        if (!strcmp(t->code, text) || !strcmp(t->label, text))
            return t->code;
    return NULL;
}

/* ---- headers ------------------------------------------------------------------------------ */

/* Header text without spaces (ASCII, U+3000), "*" markers and a trailing bracketed part
 * ("（代码或名称）", "(必填)"), into buf. */
static void norm_header(const char *s, char *buf, size_t cap)
{
    size_t k = 0;
    for (size_t i = 0; s[i] && k + 4 < cap;) {
        unsigned char ch = (unsigned char)s[i];
        if (ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n' || ch == '*') {
            i++;
            continue;
        }
        if (!strncmp(s + i, "\xe3\x80\x80", 3) || !strncmp(s + i, "\xef\xbc\x8a", 3)) {
            i += 3; /* U+3000 ideographic space, U+FF0A full-width asterisk */
            continue;
        }
        if (ch == '(' || !strncmp(s + i, "\xef\xbc\x88", 3)) /* ( or （ : drop the rest */
            break;
        buf[k++] = s[i++];
    }
    buf[k] = '\0';
}

static int header_col(const char *text)
{
    char h[256], t[256];
    norm_header(text, h, sizeof h);
    if (!*h)
        return -1;
    for (int c = 0; c < MIO_NCOLS; c++) {
        norm_header(member_io_cols[c].header, t, sizeof t);
        if (!strcmp(h, t))
            return c;
        for (int s = 0; member_io_cols[c].syn[s]; s++) {
            norm_header(member_io_cols[c].syn[s], t, sizeof t);
            if (!strcmp(h, t))
                return c;
        }
    }
    return -1;
}

typedef struct headers {
    int fcol[MIO_NCOLS]; /* file column of each known column, -1 absent */
    int *map;            /* file column → MIO_* or -1 */
    const char **text;   /* file column → header text */
    uint32_t ncols, row; /* columns of the header row; its row number */
    const char **unknown;
    size_t nunknown;
} headers_t;

static const char *col_letters(uint32_t c, char buf[4])
{
    zg_xlsx_col_name(c, buf);
    return buf;
}

/* Reads the header row and checks it (see member_io.h). */
static int read_headers(zg_xlsx_reader_t *rd, zg_arena_t *a, bool need_org, bool update,
                        headers_t *h, zg_error_t *err)
{
    memset(h, 0, sizeof *h);
    for (int c = 0; c < MIO_NCOLS; c++)
        h->fcol[c] = -1;
    zg_xlsx_row_t *row;
    int rc = zg_xlsx_next_row(rd, &row, err);
    if (rc < 0)
        return rc;
    if (rc == 0)
        return zg_error_set(err, ZG_ERR_INVALID, "no_rows", "表格是空的：第一行应为列标题",
                            "empty sheet");
    h->row = row->num;
    h->ncols = row->ncells;
    h->map = zg_arena_calloc(a, row->ncells, sizeof *h->map);
    h->text = zg_arena_calloc(a, row->ncells, sizeof *h->text);
    h->unknown = zg_arena_calloc(a, row->ncells, sizeof *h->unknown);
    if (!h->map || !h->text || !h->unknown)
        return zg_error_set(err, ZG_ERR_NOMEM, "no_memory", "服务器内存不足", "headers");
    for (uint32_t i = 0; i < row->ncells; i++) {
        h->map[i] = -1;
        if (!row->cells[i])
            continue;
        h->text[i] = zg_arena_strdup(a, row->cells[i]);
        if (!h->text[i])
            return zg_error_set(err, ZG_ERR_NOMEM, "no_memory", "服务器内存不足", "headers");
        int c = header_col(row->cells[i]);
        if (c < 0) {
            h->unknown[h->nunknown++] = h->text[i];
            continue;
        }
        if (h->fcol[c] >= 0) {
            char l1[4], l2[4];
            return zg_error_set(err, ZG_ERR_INVALID, "duplicate_header",
                                zg_arena_sprintf(a, "第 %u 行：%s 列和 %s 列都是“%s”，请只保留一列",
                                                 row->num, col_letters((uint32_t)h->fcol[c], l1),
                                                 col_letters(i, l2), member_io_cols[c].header),
                                "duplicate header %d", c);
        }
        h->fcol[c] = (int)i;
        h->map[i] = c;
    }
    /* required headers */
    static const int create_req[] = {MIO_NAME, MIO_GENDER, MIO_BIRTH, MIO_JOINED};
    char missing[512] = "";
    size_t k = 0;
    int nmissing = 0;
#define MISSING(c)                                                                                 \
    do {                                                                                           \
        k += (size_t)snprintf(missing + k, sizeof missing - k, "%s“%s”", nmissing++ ? "、" : "",   \
                              member_io_cols[c].header);                                           \
        if (k >= sizeof missing)                                                                   \
            k = sizeof missing - 1;                                                                \
    } while (0)
    if (update) {
        if (h->fcol[MIO_IDNUM] < 0)
            MISSING(MIO_IDNUM);
    } else {
        for (size_t i = 0; i < sizeof create_req / sizeof create_req[0]; i++)
            if (h->fcol[create_req[i]] < 0)
                MISSING(create_req[i]);
        if (need_org && h->fcol[MIO_ORG] < 0)
            MISSING(MIO_ORG);
    }
#undef MISSING
    if (nmissing) {
        const char *m = zg_arena_sprintf(
            a, "表格第 %u 行的列标题缺少必需的列：%s。请使用导入模板（列标题须与模板一致）",
            row->num, missing);
        return zg_error_set(err, ZG_ERR_INVALID, "missing_headers",
                            m ? m : "表格缺少必需的列，请使用导入模板", "missing headers");
    }
    return ZG_OK;
}

static void limits_for(zg_xlsx_limits_t *lim, size_t max_file_bytes)
{
    zg_xlsx_limits_default(lim);
    lim->max_cols = ZG_MEMBER_IMPORT_MAX_COLS;
    lim->max_rows = ZG_MEMBER_IMPORT_MAX_ROWS + 1000; /* header and a few blank rows */
    if (max_file_bytes)
        lim->max_file_bytes = max_file_bytes;
}

int zg_member_import_probe(const void *data, size_t len, size_t max_file_bytes, bool need_org,
                           bool update, uint32_t count_max, uint32_t *rows, zg_error_t *err)
{
    *rows = 0;
    zg_xlsx_limits_t lim;
    limits_for(&lim, max_file_bytes);
    zg_xlsx_reader_t *rd = NULL;
    int rc = zg_xlsx_reader_open_mem(data, len, &lim, &rd, err);
    if (rc)
        return rc;
    zg_arena_t a;
    zg_arena_init(&a, 0, 16u << 20);
    headers_t h;
    rc = read_headers(rd, &a, need_org, update, &h, err);
    zg_xlsx_row_t *row;
    while (!rc && *rows <= count_max) {
        int n = zg_xlsx_next_row(rd, &row, err);
        if (n < 0)
            rc = n;
        if (n <= 0)
            break;
        (*rows)++;
    }
    zg_arena_destroy(&a);
    zg_xlsx_reader_free(rd);
    return rc;
}

/* ---- the import's state -------------------------------------------------------------------- */

typedef struct org_entry {
    int64_t id;
    const char *code, *name, *kind, *status;
    bool used;
} org_entry_t;

enum { ACT_CREATE = 1, ACT_UPDATE = 2 };

typedef struct prow {
    uint32_t row;
    uint8_t action;
    bool failed;
    int32_t org;    /* org_entry index, -1 none */
    int64_t target; /* update: the membership id; create: a person to reuse (0: none) */
    zg_member_input_t in;
} prow_t;

#define CHUNK_ROWS 4096

typedef struct ictx {
    zg_conn_t *c;
    zg_arena_t *a;
    const zg_member_import_opts_t *o;
    zg_member_import_result_t *res;
    zg_date_t today;
    size_t max_errors;
    member_io_dicts_t *dicts;
    org_entry_t *orgs;
    size_t norgs;
    smap_t org_by_code, org_by_name, org_by_id;
    smap_t ids; /* normalized ID number → first row */
    headers_t h;
    bool date1904;
    prow_t **chunks;
    size_t nchunks, chunks_cap, nrows;
    bool row_failed;    /* the current row has an error */
    uint32_t row_cols;  /* MIO_* columns of the current row with an error (bit c) */
    zg_arena_t scratch; /* per row: findings' messages */
} ictx_t;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int nomem(zg_error_t *err)
{
    return zg_error_set(err, ZG_ERR_NOMEM, "no_memory", "导入所需内存超出限制，请分批导入",
                        "import arena");
}

static prow_t *row_at(ictx_t *x, size_t i)
{
    return &x->chunks[i / CHUNK_ROWS][i % CHUNK_ROWS];
}

static prow_t *row_new(ictx_t *x)
{
    if (x->nrows == x->nchunks * CHUNK_ROWS) {
        if (x->nchunks == x->chunks_cap) {
            size_t cap = x->chunks_cap ? x->chunks_cap * 2 : 16;
            prow_t **n = zg_arena_calloc(x->a, cap, sizeof *n);
            if (!n)
                return NULL;
            if (x->nchunks)
                memcpy(n, x->chunks, x->nchunks * sizeof *n);
            x->chunks = n;
            x->chunks_cap = cap;
        }
        x->chunks[x->nchunks] = zg_arena_alloc(x->a, CHUNK_ROWS * sizeof(prow_t));
        if (!x->chunks[x->nchunks])
            return NULL;
        x->nchunks++;
    }
    prow_t *p = row_at(x, x->nrows++);
    memset(p, 0, sizeof *p);
    return p;
}

/* Adds an issue of row `row` about column c (MIO_*, -1 none). */
static void issue(ictx_t *x, bool error, uint32_t row, int c, const char *rule, const char *fmt,
                  ...) __attribute__((format(printf, 6, 7)));

static void issue(ictx_t *x, bool error, uint32_t row, int c, const char *rule, const char *fmt,
                  ...)
{
    zg_member_import_result_t *res = x->res;
    if (error) {
        x->row_failed = true;
        if (c >= 0)
            x->row_cols |= 1u << c;
    }
    zg_member_import_issue_t **list = error ? &res->errors : &res->warnings;
    size_t *n = error ? &res->nerrors : &res->nwarnings;
    size_t *omitted = error ? &res->errors_omitted : &res->warnings_omitted;
    if (*n >= x->max_errors) {
        (*omitted)++;
        return;
    }
    if (!*list) {
        *list = zg_arena_calloc(x->a, x->max_errors, sizeof **list);
        if (!*list) {
            (*omitted)++;
            return;
        }
    }
    zg_member_import_issue_t *e = &(*list)[*n];
    memset(e, 0, sizeof *e);
    e->row = row;
    if (c >= 0) {
        e->field = member_io_cols[c].field;
        int fc = x->h.fcol[c];
        if (fc >= 0) {
            zg_xlsx_col_name((uint32_t)fc, e->column);
            e->header = x->h.text[fc];
        } else {
            e->header = member_io_cols[c].header;
        }
    }
    va_list ap;
    va_start(ap, fmt);
    e->message = zg_arena_vsprintf(x->a, fmt, ap);
    va_end(ap);
    if (rule) {
        const zg_rule_t *r = zg_rule_get(rule);
        e->rule = r ? r->id : NULL;
        if (r && e->message)
            e->message = zg_arena_sprintf(x->a, "%s（依据：%s）", e->message, r->citation);
    }
    if (!e->message)
        e->message = "（内存不足，未能生成说明）";
    (*n)++;
}

static int field_col(const char *field)
{
    if (!field)
        return -1;
    for (int c = 0; c < MIO_NCOLS; c++)
        if (!strcmp(member_io_cols[c].field, field))
            return c;
    return -1;
}

/* Findings about a column that already has an error in this row (an unreadable date, an org
 * not found) are not repeated. */
static void findings_to_issues(ictx_t *x, uint32_t row, const zg_findings_t *f, bool update)
{
    uint32_t had = x->row_cols;
    for (int i = 0; i < f->n; i++) {
        const zg_finding_t *fi = &f->items[i];
        if (fi->rule->severity == ZG_SEV_INFO)
            continue;
        int c = field_col(fi->field);
        if (c >= 0 && (had & (1u << c)))
            continue;
        if (update && fi->field &&
            (!strcmp(fi->rule->id, "member.required_fields") || !strcmp(fi->field, "org_id") ||
             !strcmp(fi->field, "joined_on") || !strcmp(fi->field, "converted_on")))
            continue; /* not applied by an update; the stored record is checked by the core */
        issue(x, fi->rule->severity == ZG_SEV_BLOCK, row, c, fi->rule->id, "%s",
              fi->message ? fi->message : fi->rule->text);
    }
}

/* ---- orgs of the scope --------------------------------------------------------------------- */

static int load_orgs(ictx_t *x, zg_error_t *err)
{
    int64_t n = 0;
    int rc = zg_scope_query_int(
        x->c, x->o->scope, "SELECT count(*) FROM org o WHERE o.id IN {{SCOPE}}", NULL, 0, &n, err);
    if (rc)
        return rc;
    x->orgs = zg_arena_calloc(x->a, (size_t)n + 1, sizeof *x->orgs);
    if (!x->orgs || smap_init(&x->org_by_code, x->a, (size_t)n) ||
        smap_init(&x->org_by_name, x->a, (size_t)n) || smap_init(&x->org_by_id, x->a, (size_t)n))
        return nomem(err);
    zg_rows_t *r;
    rc = zg_scope_query(x->c, x->o->scope,
                        "SELECT o.id, o.code, o.name, o.kind, o.status FROM org o "
                        "WHERE o.id IN {{SCOPE}} ORDER BY o.id",
                        NULL, 0, &r, err);
    if (rc)
        return rc;
    while ((rc = zg_rows_next(r, err)) == 1 && x->norgs < (size_t)n) {
        org_entry_t *e = &x->orgs[x->norgs];
        e->id = zg_rows_int(r, 0);
        e->code = zg_rows_isnull(r, 1) ? NULL : zg_arena_strdup(x->a, zg_rows_text(r, 1));
        e->name = zg_arena_strdup(x->a, zg_rows_text(r, 2));
        e->kind = zg_arena_strdup(x->a, zg_rows_text(r, 3));
        e->status = zg_arena_strdup(x->a, zg_rows_text(r, 4));
        char *idtxt = zg_arena_sprintf(x->a, "%lld", (long long)e->id);
        if (!e->name || !e->kind || !e->status || !idtxt) {
            zg_rows_close(r);
            return nomem(err);
        }
        if (e->code && *e->code)
            smap_put(&x->org_by_code, e->code, (int32_t)x->norgs, false);
        smap_put(&x->org_by_name, e->name, (int32_t)x->norgs, false);
        smap_put(&x->org_by_id, idtxt, (int32_t)x->norgs, true);
        x->norgs++;
    }
    zg_rows_close(r);
    return rc < 0 ? rc : ZG_OK;
}

static int32_t org_of_id(const ictx_t *x, int64_t id)
{
    char buf[24];
    snprintf(buf, sizeof buf, "%lld", (long long)id);
    return smap_get(&x->org_by_id, buf);
}

/* The org rules of zg_member_validate (member_org_rule) on org entry `o`: a block rule is the
 * row's error, the other a warning. */
static void org_rules(ictx_t *x, uint32_t row, const org_entry_t *o)
{
    const char *message, *rule = member_org_rule(o->kind, o->status, &message);
    if (!rule)
        return;
    const zg_rule_t *r = zg_rule_get(rule);
    issue(x, r && r->severity == ZG_SEV_BLOCK, row, MIO_ORG, rule, "%s", message);
}

/* ---- cells ----------------------------------------------------------------------------------- */

/* A copy (in `a`) of the cell without surrounding spaces (ASCII and U+3000); NULL when empty. */
static const char *cell_copy(ictx_t *x, zg_arena_t *a, const zg_xlsx_row_t *row, int c)
{
    int fc = x->h.fcol[c];
    if (fc < 0 || (uint32_t)fc >= row->ncells || !row->cells[fc])
        return NULL;
    const char *s = row->cells[fc];
    for (;;) {
        if (*s == ' ' || *s == '\t')
            s++;
        else if (!strncmp(s, "\xe3\x80\x80", 3))
            s += 3;
        else
            break;
    }
    size_t n = strlen(s);
    for (;;) {
        if (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
            n--;
        else if (n >= 3 && !strncmp(s + n - 3, "\xe3\x80\x80", 3))
            n -= 3;
        else
            break;
    }
    return n ? zg_arena_strndup(a, s, n) : NULL;
}

/* A transient copy (the row's scratch arena). */
static const char *cell_text(ictx_t *x, const zg_xlsx_row_t *row, int c)
{
    return cell_copy(x, &x->scratch, row, c);
}

static uint8_t cell_type(ictx_t *x, const zg_xlsx_row_t *row, int c)
{
    int fc = x->h.fcol[c];
    return fc < 0 || (uint32_t)fc >= row->ncells ? ZG_XLSX_EMPTY : row->types[fc];
}

/* A date cell: ZG_MEMBER_NO_DATE when empty; an issue when unreadable. */
static zg_date_t cell_date(ictx_t *x, const zg_xlsx_row_t *row, int c, bool *present)
{
    const char *t = cell_text(x, row, c);
    *present = t != NULL;
    if (!t)
        return ZG_MEMBER_NO_DATE;
    zg_date_t d;
    if (zg_xlsx_parse_date_cell(t, x->date1904, &d)) {
        issue(x, true, row->num, c, NULL, "%s“%.40s”无法识别，应为日期（如 2024-01-01）",
              member_io_cols[c].header, t);
        return ZG_MEMBER_NO_DATE;
    }
    return d;
}

/* ---- phase 1: one row ------------------------------------------------------------------------ */

#define SET(bit) (in->set |= (bit))

static int parse_row(ictx_t *x, const zg_xlsx_row_t *row, zg_error_t *err)
{
    x->row_failed = false;
    x->row_cols = 0;
    zg_arena_reset(&x->scratch);
    prow_t *p = row_new(x);
    if (!p)
        return nomem(err);
    p->row = row->num;
    p->org = -1;
    zg_member_input_t *in = &p->in;
    in->birth_date = in->work_start_date = in->joined_on = in->converted_on = ZG_MEMBER_NO_DATE;
    uint32_t rn = row->num;
    const char *t;
    bool present;

    if ((in->name = cell_copy(x, x->a, row, MIO_NAME)))
        SET(ZG_MEMBER_SET_NAME);
    if ((t = cell_text(x, row, MIO_GENDER))) {
        if (!strcmp(t, "男") || !strcmp(t, "男性") || !strcmp(t, "1"))
            in->gender = "1";
        else if (!strcmp(t, "女") || !strcmp(t, "女性") || !strcmp(t, "2"))
            in->gender = "2";
        else
            issue(x, true, rn, MIO_GENDER, "member.code_valid", "性别“%.20s”无效，应为“男”或“女”",
                  t);
        if (in->gender)
            SET(ZG_MEMBER_SET_GENDER);
    }
    static const struct {
        int col, dict;
        unsigned bit;
        const char *label;
    } dicts[] = {{MIO_ETHNICITY, 0, ZG_MEMBER_SET_ETHNICITY, "民族"},
                 {MIO_EDU, 1, ZG_MEMBER_SET_EDUCATION, "学历"},
                 {MIO_DEGREE, 2, ZG_MEMBER_SET_DEGREE, "学位"}};
    for (size_t i = 0; i < sizeof dicts / sizeof dicts[0]; i++) {
        if (!(t = cell_text(x, row, dicts[i].col)))
            continue;
        const char *code = dict_code(x->dicts, dicts[i].dict, t);
        if (!code) {
            issue(x, true, rn, dicts[i].col, "member.code_valid",
                  "%s“%.30s”不在代码表中，请从下拉列表中选择", dicts[i].label, t);
            continue;
        }
        if (dicts[i].col == MIO_ETHNICITY)
            in->ethnicity = code;
        else if (dicts[i].col == MIO_EDU)
            in->education = code;
        else
            in->degree = code;
        SET(dicts[i].bit);
    }
    in->birth_date = cell_date(x, row, MIO_BIRTH, &present);
    if (in->birth_date != ZG_MEMBER_NO_DATE)
        SET(ZG_MEMBER_SET_BIRTH_DATE);
    if ((t = cell_copy(x, x->a, row, MIO_IDNUM))) {
        if (cell_type(x, row, MIO_IDNUM) == ZG_XLSX_NUMBER) {
            issue(
                x, true, rn, MIO_IDNUM, NULL,
                "身份证号被保存成了数字（%.24s），末几位可能已丢失；请将该列设为文本格式后重新填写",
                t);
        } else {
            char *id = (char *)t;
            for (char *s = id; *s; s++)
                if (*s == 'x')
                    *s = 'X';
            in->id_number = id;
            SET(ZG_MEMBER_SET_ID_NUMBER);
        }
    }
    if ((t = cell_text(x, row, MIO_PHONE))) {
        char buf[32];
        size_t k = 0;
        if (cell_type(x, row, MIO_PHONE) == ZG_XLSX_NUMBER) {
            double v = strtod(t, NULL);
            if (v >= 1e10 && v < 2e10 && v == (double)(int64_t)v)
                k = (size_t)snprintf(buf, sizeof buf, "%lld", (long long)v);
        }
        if (!k)
            for (const char *s = t; *s && k + 1 < sizeof buf; s++)
                if (*s != ' ' && *s != '-')
                    buf[k++] = *s;
        buf[k] = '\0';
        in->phone = zg_arena_strdup(x->a, buf);
        if (!in->phone)
            return nomem(err);
        SET(ZG_MEMBER_SET_PHONE);
    }
    if ((in->native_place = cell_copy(x, x->a, row, MIO_NATIVE)))
        SET(ZG_MEMBER_SET_NATIVE_PLACE);
    in->work_start_date = cell_date(x, row, MIO_WORK, &present);
    if (in->work_start_date != ZG_MEMBER_NO_DATE)
        SET(ZG_MEMBER_SET_WORK_START);
    if ((t = cell_text(x, row, MIO_OCC))) {
        if ((in->occupation = table_code(zg_member_occupations, t)))
            SET(ZG_MEMBER_SET_OCCUPATION);
        else
            issue(x, true, rn, MIO_OCC, "member.code_valid",
                  "职业类别“%.30s”无效，请从下拉列表中选择", t);
    }
    if ((t = cell_text(x, row, MIO_DUES))) {
        if ((in->dues_category = table_code(zg_member_dues_categories, t)))
            SET(ZG_MEMBER_SET_DUES_CATEGORY);
        else
            issue(x, true, rn, MIO_DUES, "member.code_valid",
                  "党费类别“%.30s”无效，请从下拉列表中选择", t);
    }
    /* org: code, then exact name, in scope */
    if ((t = cell_text(x, row, MIO_ORG))) {
        int32_t i = smap_get(&x->org_by_code, t);
        if (i < 0)
            i = smap_get(&x->org_by_name, t);
        if (i == SMAP_AMBIGUOUS)
            issue(x, true, rn, MIO_ORG, NULL, "有多个党组织名为“%.60s”，请改填组织代码", t);
        else if (i < 0)
            issue(x, true, rn, MIO_ORG, NULL,
                  "党组织“%.60s”不存在或不在您的管理范围内（请填写组织代码或完整名称）", t);
        else
            p->org = i;
    } else if (x->o->default_org > 0) {
        p->org = org_of_id(x, x->o->default_org);
    }
    if (p->org >= 0) {
        in->org_id = x->orgs[p->org].id;
        SET(ZG_MEMBER_SET_ORG);
    }
    in->joined_on = cell_date(x, row, MIO_JOINED, &present);
    if (in->joined_on != ZG_MEMBER_NO_DATE)
        SET(ZG_MEMBER_SET_JOINED_ON);
    bool conv_present = false;
    in->converted_on = cell_date(x, row, MIO_CONVERTED, &conv_present);
    int status = 0; /* 1 probationary, 2 full, 0 not given */
    if ((t = cell_text(x, row, MIO_STATUS))) {
        const char *code = table_code(zg_member_statuses, t);
        if (code && !strcmp(code, "probationary"))
            status = 1;
        else if (code && !strcmp(code, "full"))
            status = 2;
        else
            issue(x, true, rn, MIO_STATUS, NULL,
                  "党员状态“%.20s”无效：导入只能登记“预备党员”或“正式党员”", t);
    }

    /* find the member by ID number (the blind index): update or duplicate */
    p->action = ACT_CREATE;
    bool id_ok = in->id_number && strlen(in->id_number) == ZG_IDNUM_LEN;
    if (id_ok) {
        int32_t first = smap_put(&x->ids, in->id_number, (int32_t)rn, true);
        if (first >= 0)
            issue(x, true, rn, MIO_IDNUM, "member.id_number_unique",
                  "该身份证号在本文件第 %d 行已出现，同一人只能登记一次", (int)first);
        char bidx[ZG_MEMBER_BIDX_HEX + 1];
        int rc = zg_member_id_number_index(in->id_number, bidx, err);
        if (rc == ZG_ERR_INVALID)
            id_ok = false; /* zg_member_check reports it */
        else if (rc)
            return rc;
        if (id_ok) {
            zg_rows_t *r;
            zg_param_t q[] = {ZG_P_TEXT(bidx)};
            rc = zg_db_query(x->c,
                             "SELECT p.id, m.id, m.org_id FROM person p "
                             "LEFT JOIN membership m ON m.person_id = p.id "
                             "WHERE p.id_number_bidx = $1",
                             q, 1, &r, err);
            if (rc)
                return rc;
            int64_t pid = 0, mid = 0, morg = 0;
            rc = zg_rows_next(r, err);
            if (rc == 1) {
                pid = zg_rows_int(r, 0);
                mid = zg_rows_isnull(r, 1) ? 0 : zg_rows_int(r, 1);
                morg = zg_rows_isnull(r, 2) ? 0 : zg_rows_int(r, 2);
            }
            zg_rows_close(r);
            if (rc < 0)
                return rc;
            if (pid && !mid) {
                p->target = pid; /* a person recorded by another module: reused */
            } else if (mid) {
                int32_t oi = org_of_id(x, morg);
                if (oi < 0)
                    issue(
                        x, true, rn, MIO_IDNUM, "member.id_number_unique",
                        "该身份证号已在系统中登记，由其他党组织管理；如需转入，请办理组织关系转接");
                else if (!x->o->update)
                    issue(
                        x, true, rn, MIO_IDNUM, "member.id_number_unique",
                        "该身份证号已登记（党员编号 %lld），不能重复登记；如需更新已有党员的信息，"
                        "请选择“按身份证号更新”",
                        (long long)mid);
                else {
                    p->action = ACT_UPDATE;
                    p->target = mid;
                    if (p->org >= 0 && x->orgs[p->org].id != morg)
                        issue(x, false, rn, MIO_ORG, NULL,
                              "所在党组织与系统记录（%s）不同，导入不调整组织关系；"
                              "如需调整请办理组织关系调整或转接",
                              x->orgs[oi].name);
                }
            }
        }
    }
    if (p->action == ACT_CREATE) {
        if (status == 2 && !conv_present)
            issue(x, true, rn, MIO_CONVERTED, NULL, "正式党员请填写转正日期");
        else if (status == 1 && conv_present)
            issue(x, true, rn, MIO_CONVERTED, NULL,
                  "预备党员不应填写转正日期；已转正的请将党员状态填为“正式党员”");
        if (in->converted_on != ZG_MEMBER_NO_DATE)
            SET(ZG_MEMBER_SET_CONVERTED_ON);
        if (p->org >= 0)
            org_rules(x, rn, &x->orgs[p->org]);
    } else {
        in->set &=
            ~(unsigned)(ZG_MEMBER_SET_ORG | ZG_MEMBER_SET_JOINED_ON | ZG_MEMBER_SET_CONVERTED_ON);
    }

    /* the member core's pure rules */
    zg_findings_t *f = zg_arena_alloc(&x->scratch, sizeof *f);
    if (!f)
        return nomem(err);
    zg_findings_init(f, &x->scratch);
    zg_member_check(in, x->today, f);
    findings_to_issues(x, rn, f, p->action == ACT_UPDATE);
    p->failed = x->row_failed;
    if (p->failed)
        x->res->rows_failed++;
    else
        x->res->rows_ok++;
    return ZG_OK;
}

#undef SET

/* ---- phase 2: the write ---------------------------------------------------------------------- */

typedef struct wstate {
    uint32_t created, updated;
    uint32_t fail_row; /* row number refused in this attempt (0 none) */
    size_t fail_index;
} wstate_t;

static void progress(ictx_t *x, int phase, uint32_t done, uint32_t total, int percent)
{
    if (x->o->progress)
        x->o->progress(x->o->progress_ctx, phase, done, total, percent);
}

/* The member of a refused batch that the database refuses on its own: its ID number is now
 * registered, or the person it reuses now has a membership (the first of the batch when
 * neither shows). Reported as the row's error; ws gets the row. Outside any transaction. */
static void blame_conflict(ictx_t *x, wstate_t *ws, const int64_t *rows, int n)
{
    size_t culprit = (size_t)rows[0];
    for (int i = 0; i < n; i++) {
        prow_t *p = row_at(x, (size_t)rows[i]);
        zg_error_t e;
        int64_t held = 0;
        char bidx[ZG_MEMBER_BIDX_HEX + 1];
        if (p->target) {
            zg_param_t q[] = {ZG_P_INT(p->target)};
            zg_db_query_int(x->c, "SELECT count(*) FROM membership WHERE person_id = $1", q, 1,
                            &held, &e);
        } else if (p->in.id_number && *p->in.id_number &&
                   !zg_member_id_number_index(p->in.id_number, bidx, &e)) {
            zg_param_t q[] = {ZG_P_TEXT(bidx)};
            zg_db_query_int(x->c, "SELECT count(*) FROM person WHERE id_number_bidx = $1", q, 1,
                            &held, &e);
        }
        if (held > 0) {
            culprit = (size_t)rows[i];
            break;
        }
    }
    prow_t *p = row_at(x, culprit);
    ws->fail_row = p->row;
    ws->fail_index = culprit;
    issue(x, true, p->row, MIO_IDNUM, "member.id_number_unique",
          "该身份证号已在系统中登记（导入过程中被登记），不能重复登记");
}

/* One attempt at writing every good row in one transaction. Returns 0 (committed), or a row
 * refusal (ws->fail_row set, rolled back), or another error (rolled back). */
static int write_attempt(ictx_t *x, wstate_t *ws, zg_error_t *err)
{
    memset(ws, 0, sizeof *ws);
    int rc = zg_db_begin(x->c, ZG_TX_WRITE, err);
    if (rc)
        return rc;
    /* the orgs used, read again under the write lock */
    for (size_t i = 0; i < x->norgs && !rc; i++) {
        org_entry_t *o = &x->orgs[i];
        if (!o->used)
            continue;
        zg_rows_t *r;
        zg_param_t q[] = {ZG_P_INT(o->id)};
        rc = zg_db_query(x->c, "SELECT status, kind FROM org WHERE id = $1", q, 1, &r, err);
        if (rc)
            break;
        int n = zg_rows_next(r, err);
        if (n == 1 &&
            (strcmp(zg_rows_text(r, 0), o->status) || strcmp(zg_rows_text(r, 1), o->kind)))
            n = 0;
        zg_rows_close(r);
        if (n < 0)
            rc = n;
        else if (n == 0) {
            /* changed since the check: refuse the first row that uses it */
            for (size_t k = 0; k < x->nrows; k++) {
                prow_t *p = row_at(x, k);
                if (!p->failed && p->action == ACT_CREATE && p->org == (int32_t)i) {
                    ws->fail_row = p->row;
                    ws->fail_index = k;
                    issue(x, true, p->row, MIO_ORG, "member.org_accepts",
                          "该党组织在导入过程中已被撤销或调整，不能接收党员");
                    break;
                }
            }
            rc = zg_error_set(err, ZG_ERR_INVALID, "rule_violation", "党组织已变化", "org changed");
        }
    }
    uint32_t total = x->res->rows_ok, done = 0;
    zg_member_op_t op;
    member_bulk_t *bulk = NULL;
    if (!rc)
        rc = member_bulk_new(x->c, &x->o->actor, 0, &bulk, err);
    for (size_t k = 0; k < x->nrows && !rc; k++) {
        prow_t *p = row_at(x, k);
        if (p->failed)
            continue;
        if (p->action == ACT_CREATE) {
            rc = member_bulk_add(bulk, &p->in, p->target, (int64_t)k, NULL, NULL, err);
            if (!rc)
                ws->created++;
        } else if (!(rc = member_bulk_flush(bulk, err))) {
            zg_arena_reset(&x->scratch);
            zg_member_op_init(&op, &x->scratch, x->o->scope, &x->o->actor);
            op.in_tx = true;
            op.audit = false;
            op.today = x->today;
            rc = zg_member_update(x->c, &op, p->target, &p->in, err);
            if (rc == ZG_ERR_INVALID || rc == ZG_ERR_CONFLICT || rc == ZG_ERR_NOT_FOUND) {
                ws->fail_row = p->row;
                ws->fail_index = k;
                bool any = false;
                x->row_failed = false;
                for (int i = 0; i < op.findings.n; i++)
                    if (op.findings.items[i].rule->severity == ZG_SEV_BLOCK) {
                        const zg_finding_t *fi = &op.findings.items[i];
                        issue(x, true, p->row, field_col(fi->field), fi->rule->id, "%s",
                              fi->message ? fi->message : fi->rule->text);
                        any = true;
                    }
                if (!any)
                    issue(x, true, p->row, op.bad_field ? field_col(op.bad_field) : -1, NULL, "%s",
                          err->message);
            } else if (!rc) {
                ws->updated++;
            }
        }
        if (!rc && (++done & 255) == 0)
            progress(x, ZG_IMPORT_PHASE_WRITE, done, total,
                     50 + (int)(50.0 * done / (total ? total : 1)));
    }
    if (!rc)
        rc = member_bulk_flush(bulk, err);
    /* a new member refused by the database (an ID number registered since the check, a reused
     * person given a membership meanwhile): which one is found after the rollback */
    int64_t suspects[MEMBER_BULK_MAX];
    int nsuspects = 0;
    if (rc == ZG_ERR_CONFLICT && bulk) {
        const int64_t *tags;
        nsuspects = member_bulk_failed(bulk, &tags);
        memcpy(suspects, tags, (size_t)nsuspects * sizeof *tags);
    }
    member_bulk_free(bulk);
    if (!rc) {
        char detail[256];
        snprintf(detail, sizeof detail,
                 "{\"mode\":\"%s\",\"update\":%s,\"rows\":%u,\"created\":%u,\"updated\":%u,"
                 "\"failed\":%u,\"job_id\":%lld}",
                 x->o->mode == ZG_IMPORT_VALID_ONLY ? "valid_only" : "all_or_nothing",
                 x->o->update ? "true" : "false", x->res->rows_total, ws->created, ws->updated,
                 x->res->rows_failed, (long long)x->o->job_id);
        zg_audit_event_t e = {.account_id = x->o->actor.account_id,
                              .username = x->o->actor.username,
                              .ip = x->o->actor.ip,
                              .action = "member.import",
                              .object_type = "member",
                              .outcome = "ok",
                              .detail = detail};
        rc = zg_audit_append(x->c, &e, err);
    }
    if (!rc)
        rc = zg_db_commit(x->c, err);
    if (rc)
        zg_db_rollback(x->c);
    if (nsuspects)
        blame_conflict(x, ws, suspects, nsuspects);
    return rc;
}

static int write_phase(ictx_t *x, zg_error_t *err)
{
    for (size_t k = 0; k < x->nrows; k++) {
        prow_t *p = row_at(x, k);
        if (!p->failed && p->action == ACT_CREATE && p->org >= 0)
            x->orgs[p->org].used = true;
    }
    for (;;) {
        if (x->res->rows_ok == 0)
            return ZG_OK;
        wstate_t ws;
        int rc = write_attempt(x, &ws, err);
        if (!rc) {
            x->res->written = true;
            x->res->created = ws.created;
            x->res->updated = ws.updated;
            return ZG_OK;
        }
        if (!ws.fail_row)
            return rc;
        /* a row refused while writing: it fails; all-or-nothing stops, valid-only retries */
        prow_t *p = row_at(x, ws.fail_index);
        p->failed = true;
        x->res->rows_ok--;
        x->res->rows_failed++;
        if (x->o->mode == ZG_IMPORT_ALL_OR_NOTHING)
            return ZG_OK;
    }
}

/* ---- the import ---------------------------------------------------------------------------- */

void zg_member_import_opts_init(zg_member_import_opts_t *o, int64_t scope,
                                const zg_member_actor_t *actor)
{
    memset(o, 0, sizeof *o);
    o->scope = scope;
    if (actor)
        o->actor = *actor;
    o->mode = ZG_IMPORT_ALL_OR_NOTHING;
}

int zg_member_import(zg_conn_t *c, zg_arena_t *arena, const void *data, size_t len,
                     const zg_member_import_opts_t *o, zg_member_import_result_t *res,
                     zg_error_t *err)
{
    memset(res, 0, sizeof *res);
    if (!member_key())
        return zg_error_set(err, ZG_ERR_CRYPTO, "field_key_missing", "字段加密密钥未配置",
                            "import without a key");
    ictx_t x;
    memset(&x, 0, sizeof x);
    x.c = c;
    x.a = arena;
    x.o = o;
    x.res = res;
    x.today = o->today ? o->today : zg_date_today();
    x.max_errors = o->max_errors ? o->max_errors : ZG_MEMBER_IMPORT_MAX_ERRORS;
    zg_arena_init(&x.scratch, 0, 4u << 20);
    double t0 = now_s();

    zg_xlsx_limits_t lim;
    limits_for(&lim, o->max_file_bytes);
    zg_xlsx_reader_t *rd = NULL;
    int rc = zg_xlsx_reader_open_mem(data, len, &lim, &rd, err);
    if (rc)
        goto out;
    x.date1904 = zg_xlsx_reader_date1904(rd);
    rc = read_headers(rd, arena, o->default_org <= 0, o->update, &x.h, err);
    if (rc)
        goto out;
    res->unknown_headers = x.h.unknown;
    res->nunknown = x.h.nunknown;
    if ((rc = member_io_dicts_load(c, arena, &x.dicts, err)) || (rc = load_orgs(&x, err)))
        goto out;
    if (o->default_org > 0 && org_of_id(&x, o->default_org) < 0) {
        rc = zg_error_set(err, ZG_ERR_NOT_FOUND, "not_found", "组织不存在或不在您的管理范围内",
                          "default org out of scope");
        goto out;
    }
    if (smap_init(&x.ids, arena, 1u << 16)) {
        rc = nomem(err);
        goto out;
    }
    zg_xlsx_row_t *row;
    uint64_t bdone = 0, btotal = 0;
    for (;;) {
        int n = zg_xlsx_next_row(rd, &row, err);
        if (n < 0) {
            rc = n;
            goto out;
        }
        if (n == 0)
            break;
        if (res->rows_total >= ZG_MEMBER_IMPORT_MAX_ROWS) {
            rc = zg_error_set(err, ZG_ERR_INVALID, "too_many_rows",
                              "一次最多导入 200000 行，请分批导入", "too many rows");
            goto out;
        }
        res->rows_total++;
        /* the in-file duplicate map grows with the rows */
        if (x.ids.cap < (size_t)res->rows_total * 2 + 2) {
            smap_t bigger;
            if (smap_init(&bigger, arena, x.ids.cap)) {
                rc = nomem(err);
                goto out;
            }
            for (size_t i = 0; i < x.ids.cap; i++)
                if (x.ids.keys[i])
                    smap_put(&bigger, x.ids.keys[i], x.ids.vals[i], true);
            x.ids = bigger;
        }
        if ((rc = parse_row(&x, row, err)))
            goto out;
        if ((res->rows_total & 255) == 0 && o->progress) {
            zg_xlsx_reader_progress(rd, &bdone, &btotal);
            double frac = btotal ? (double)bdone / (double)btotal : 0;
            uint32_t est = frac > 0.01 ? (uint32_t)(res->rows_total / frac) : res->rows_total;
            progress(&x, ZG_IMPORT_PHASE_VALIDATE, res->rows_total, est, (int)(50 * frac));
        }
    }
    zg_xlsx_reader_free(rd);
    rd = NULL;
    if (res->rows_total == 0) {
        rc = zg_error_set(err, ZG_ERR_INVALID, "no_rows", "表格中除列标题外没有数据", "no rows");
        goto out;
    }
    progress(&x, ZG_IMPORT_PHASE_VALIDATE, res->rows_total, res->rows_total, 50);
    double t1 = now_s();
    res->seconds_validate = t1 - t0;
    if (o->mode == ZG_IMPORT_VALID_ONLY || res->rows_failed == 0) {
        int64_t old_cache = 0;
        char sql[64];
        if (o->sqlite_cache_kib > 0 &&
            !zg_db_query_int(c, "PRAGMA cache_size", NULL, 0, &old_cache, err)) {
            snprintf(sql, sizeof sql, "PRAGMA cache_size = -%d", o->sqlite_cache_kib);
            zg_db_exec(c, sql, NULL, 0, NULL, err);
        }
        rc = write_phase(&x, err);
        if (o->sqlite_cache_kib > 0 && old_cache) {
            zg_error_t e2;
            snprintf(sql, sizeof sql, "PRAGMA cache_size = %lld", (long long)old_cache);
            zg_db_exec(c, sql, NULL, 0, NULL, &e2);
        }
    }
    res->seconds_write = now_s() - t1;
    if (!res->written) {
        res->created = res->updated = 0;
    }
    if (!rc)
        progress(&x, ZG_IMPORT_PHASE_WRITE, res->rows_ok, res->rows_ok, 100);
out:
    zg_xlsx_reader_free(rd);
    zg_arena_destroy(&x.scratch);
    return rc;
}

/* ---- jobs a dead process left ------------------------------------------------------------ */

int zg_member_io_recover(zg_conn_t *c, int64_t *recovered, zg_error_t *err)
{
    if (recovered)
        *recovered = 0;
    if (!c)
        return ZG_ERR_DB; /* zg_db_conn filled err */
    char ts[ZG_TIMESTAMP_SIZE];
    zg_timestamp_now(ts);
    zg_param_t p[] = {
        ZG_P_TEXT("{\"code\":\"interrupted\",\"message\":\"服务重启，导入已中断，请重新导入\"}"),
        ZG_P_TEXT(ts)};
    int64_t n = 0;
    int rc = zg_db_exec(c,
                        "UPDATE import_job SET status = 'failed', report = $1, finished_at = $2 "
                        "WHERE status IN ('queued', 'running')",
                        p, 2, &n, err);
    if (!rc && n > 0)
        zg_log_warn("import jobs: %lld left unfinished by a stopped server marked failed",
                    (long long)n);
    if (recovered)
        *recovered = n;
    return rc;
}

/* ---- the report ---------------------------------------------------------------------------- */

static void issues_json(zg_strbuf_t *sb, const zg_member_import_issue_t *v, size_t n)
{
    zg_strbuf_putc(sb, '[');
    for (size_t i = 0; i < n; i++) {
        const zg_member_import_issue_t *e = &v[i];
        zg_strbuf_printf(sb, "%s{\"row\":%u,\"column\":", i ? "," : "", e->row);
        zg_strbuf_json_string(sb, e->column);
        zg_strbuf_puts(sb, ",\"header\":");
        if (e->header)
            zg_strbuf_json_string(sb, e->header);
        else
            zg_strbuf_puts(sb, "null");
        zg_strbuf_puts(sb, ",\"field\":");
        if (e->field)
            zg_strbuf_json_string(sb, e->field);
        else
            zg_strbuf_puts(sb, "null");
        zg_strbuf_puts(sb, ",\"rule\":");
        if (e->rule)
            zg_strbuf_json_string(sb, e->rule);
        else
            zg_strbuf_puts(sb, "null");
        zg_strbuf_puts(sb, ",\"message\":");
        zg_strbuf_json_string(sb, e->message);
        zg_strbuf_putc(sb, '}');
    }
    zg_strbuf_putc(sb, ']');
}

void zg_member_import_report_json(const zg_member_import_result_t *res, zg_member_import_mode mode,
                                  zg_strbuf_t *sb)
{
    zg_strbuf_printf(sb,
                     "{\"written\":%s,\"mode\":\"%s\",\"rows_total\":%u,\"rows_ok\":%u,"
                     "\"rows_failed\":%u,\"created\":%u,\"updated\":%u,\"errors\":",
                     res->written ? "true" : "false",
                     mode == ZG_IMPORT_VALID_ONLY ? "valid_only" : "all_or_nothing",
                     res->rows_total, res->rows_ok, res->rows_failed, res->created, res->updated);
    issues_json(sb, res->errors, res->nerrors);
    zg_strbuf_printf(sb, ",\"errors_omitted\":%zu,\"warnings\":", res->errors_omitted);
    issues_json(sb, res->warnings, res->nwarnings);
    zg_strbuf_printf(sb, ",\"warnings_omitted\":%zu,\"unknown_headers\":[", res->warnings_omitted);
    for (size_t i = 0; i < res->nunknown; i++) {
        if (i)
            zg_strbuf_putc(sb, ',');
        zg_strbuf_json_string(sb, res->unknown_headers[i]);
    }
    zg_strbuf_puts(sb, "]}");
}
