/* import_bench.c — the member import end to end (issue 4 §6: ≥ 20,000 rows/s on SQLite
 * including validation and encryption, ≤ 200 MB peak), through zg_member_import, the function
 * POST /api/v1/members/import calls (the API adds only the HTTP body and, above 2,000 rows,
 * the job thread around it).
 *
 *   import_bench gen DB FILE [ROWS] [BAD_ROW]
 *       makes a fresh SQLite database DB (migrated, the demo city's org tree, no members) and
 *       writes FILE: ROWS (default 100,000) valid member rows in the template's columns over
 *       the demo city's branches (by org code), with the project's writer; deterministic. With
 *       BAD_ROW (a data row index, 0-based), that row's ID number gets a wrong check digit.
 *   import_bench import DB FILE [all_or_nothing|valid_only]
 *       reads FILE into memory (as the API holds the upload), imports it into DB with the
 *       city's scope, and prints rows/s for the whole import (open, validate, write, commit),
 *       the two phases, the counts, the first errors, and the process's peak RSS (getrusage).
 *
 * The field key is a fixed test key (ZUGONG_FIELD_KEY is not needed). Generation and import
 * are separate processes so that the peak RSS is the import's. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "core/crypto.h"
#include "core/log.h"
#include "core/validate.h"
#include "db/db.h"
#include "modules/member/member.h"
#include "modules/member/member_io.h"
#include "modules/org/org.h"
#include "xlsx/xlsx_write.h"

static const uint8_t KEY[ZG_MASTER_KEY_LEN] = {
    0x5a, 0x47, 0xd7, 0xe8, 0xc1, 0xb2, 0xa3, 0x94, 0x85, 0x76, 0xa8, 0xb9, 0xc0, 0xd1, 0xe2, 0xf3,
    0x04, 0x15, 0x26, 0x37, 0x48, 0x59, 0x6a, 0x7b, 0x8c, 0x9d, 0x0e, 0x1f, 0x2a, 0x3b, 0x4c, 0x5d};

__attribute__((noreturn)) static void die(const char *what, const zg_error_t *err)
{
    fprintf(stderr, "%s: %s (%s)\n", what, err->message, err->detail);
    exit(1);
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint64_t rng = 0x7A75676F6E67ULL;
static uint32_t next(void)
{
    rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
    return (uint32_t)(rng >> 33);
}

static const char *const SURNAMES[] = {"王", "李", "张", "刘", "陈", "杨", "赵", "黄",
                                       "周", "吴", "徐", "孙", "胡", "朱", "高", "林"};
static const char *const GIVEN[] = {"伟", "芳", "娜", "秀英", "敏", "静", "丽", "强",
                                    "磊", "军", "洋", "勇",   "艳", "杰", "娟", "涛"};
static const char *const ETHNIC[] = {"汉族", "汉族", "汉族", "汉族", "汉族", "汉族",
                                     "汉族", "汉族", "壮族", "回族", "苗族", "土家族"};
static const char *const EDU[] = {"硕士研究生毕业", "大学本科毕业", "大学本科毕业",
                                  "大学专科毕业",   "普通高中毕业", "初中毕业"};
static const char *const DEGREE[] = {"硕士", "学士", "学士", NULL, NULL, NULL};

static int gen(const char *db_path, const char *file, uint32_t rows, long bad)
{
    zg_error_t err;
    zg_db_t *db;
    remove(db_path);
    if (zg_db_open(db_path, &db, &err) || zg_db_migrate(db, NULL, &err))
        die("open", &err);
    zg_conn_t *c = zg_db_conn(db, &err);
    int64_t root;
    zg_org_demo_report_t orep;
    if (zg_org_bootstrap_root(db, "中共临江市委员会", &root, &err) ||
        zg_org_demo_city(c, root, &orep, &err))
        die("org demo", &err);
    /* the branches, by code */
    size_t nb = 0, cap = 4096;
    char **codes = calloc(cap, sizeof *codes);
    zg_rows_t *r;
    if (zg_db_query(c,
                    "SELECT code FROM org WHERE kind IN ('branch', 'joint_branch', 'temp_branch') "
                    "AND status = 'active' AND code IS NOT NULL ORDER BY id",
                    NULL, 0, &r, &err))
        die("branches", &err);
    while (zg_rows_next(r, &err) == 1 && nb < cap)
        codes[nb++] = strdup(zg_rows_text(r, 0));
    zg_rows_close(r);
    zg_db_close(db);
    if (!nb) {
        fprintf(stderr, "no branches\n");
        return 1;
    }

    zg_xlsx_writer_t *w;
    if (zg_xlsx_writer_new("党员信息", &w, &err))
        die("writer", &err);
    for (int k = 0; k < MIO_NCOLS; k++) {
        const member_io_col_t *col = &member_io_cols[k];
        zg_xlsx_col_kind kind = col->kind == ZG_XLSX_COL_DATE ? ZG_XLSX_COL_DATE : ZG_XLSX_COL_TEXT;
        if (zg_xlsx_add_column(w, col->header, col->width, kind, NULL, 0, &err))
            die("column", &err);
    }
    zg_date_t d1950;
    zg_date_from_ymd(1950, 1, 1, &d1950);
    for (uint32_t i = 0; i < rows; i++) {
        char name[32], birth[ZG_DATE_STR_SIZE], id[19], phone[12], joined[ZG_DATE_STR_SIZE],
            conv[ZG_DATE_STR_SIZE], work[ZG_DATE_STR_SIZE], native[32];
        snprintf(name, sizeof name, "%s%s%s", SURNAMES[next() % 16], GIVEN[next() % 16],
                 next() % 2 ? GIVEN[next() % 16] : "");
        /* unique ID numbers: the birth day from i, the sequence from i / 18000 and the sex */
        bool male = next() % 100 >= 31;
        zg_date_t b = d1950 + (int32_t)(i % 18000);
        zg_date_format(b, birth);
        int seq = 100 + (int)(i / 18000) * 2 + (male ? 1 : 0);
        snprintf(id, sizeof id, "430102%.4s%.2s%.2s%03d", birth, birth + 5, birth + 8, seq % 1000);
        id[17] = zg_idnum_check_char(id);
        id[18] = '\0';
        if ((long)i == bad)
            id[17] = id[17] == '0' ? '1' : '0';
        snprintf(phone, sizeof phone, "1%02u%08u", 30 + next() % 60, next() % 100000000);
        int y, m, d;
        zg_date_to_ymd(b, &y, &m, &d);
        zg_date_t j = 0, cv = 0, ws = 0;
        zg_date_from_ymd(y + 20 + (int)(next() % 20), 1 + (int)(next() % 12),
                         1 + (int)(next() % 28), &j);
        zg_date_t limit;
        zg_date_from_ymd(2024, 6, 30, &limit);
        if (j > limit) { /* born late: joined between the 18th birthday (+ a month) and limit */
            zg_date_t lo = 0;
            zg_date_from_ymd(y + 18, m, d > 28 ? 28 : d, &lo);
            lo += 31;
            j = lo + (int32_t)(next() % (uint32_t)(limit - lo + 1));
        }
        zg_date_add_months(j, 12, &cv);
        bool full = next() % 50 != 0;
        zg_date_format(j, joined);
        zg_date_format(cv, conv);
        zg_date_from_ymd(y + 18 + (int)(next() % 5), 7, 1, &ws);
        zg_date_format(ws, work);
        snprintf(native, sizeof native, "湖南%s", next() % 2 ? "长沙" : "湘潭");
        int e = (int)(next() % 6);
        const char *cells[MIO_NCOLS] = {
            [MIO_NAME] = name,
            [MIO_GENDER] = male ? "男" : "女",
            [MIO_ETHNICITY] = ETHNIC[next() % 12],
            [MIO_BIRTH] = birth,
            [MIO_IDNUM] = id,
            [MIO_PHONE] = phone,
            [MIO_EDU] = EDU[e],
            [MIO_DEGREE] = DEGREE[e],
            [MIO_NATIVE] = native,
            [MIO_WORK] = work,
            [MIO_OCC] = zg_member_occupations[next() % 7].label,
            [MIO_ORG] = codes[next() % nb],
            [MIO_STATUS] = full ? "正式党员" : "预备党员",
            [MIO_JOINED] = joined,
            [MIO_CONVERTED] = full ? conv : NULL,
            [MIO_DUES] = zg_member_dues_categories[next() % 3].label,
        };
        if (zg_xlsx_write_row(w, cells, MIO_NCOLS, &err))
            die("row", &err);
    }
    void *data;
    size_t len;
    if (zg_xlsx_finish(w, NULL, &data, &len, &err))
        die("finish", &err);
    FILE *f = fopen(file, "wb");
    if (!f || fwrite(data, 1, len, f) != len || fclose(f)) {
        perror(file);
        return 1;
    }
    free(data);
    for (size_t i = 0; i < nb; i++)
        free(codes[i]);
    free(codes);
    printf("generated %u rows over %zu branches: %s (%zu bytes)\n", rows, nb, file, len);
    return 0;
}

static int import(const char *db_path, const char *file, const char *mode)
{
    zg_error_t err;
    FILE *f = fopen(file, "rb");
    if (!f) {
        perror(file);
        return 1;
    }
    fseek(f, 0, SEEK_END);
    long len = ftell(f);
    fseek(f, 0, SEEK_SET);
    void *data = malloc((size_t)len);
    if (!data || fread(data, 1, (size_t)len, f) != (size_t)len) {
        perror("read");
        return 1;
    }
    fclose(f);
    zg_db_t *db = NULL;
    if (zg_crypto_init()) {
        fprintf(stderr, "crypto init failed\n");
        return 1;
    }
    if (zg_db_open(db_path, &db, &err) || zg_db_migrate(db, NULL, &err))
        die("open", &err);
    zg_conn_t *c = zg_db_conn(db, &err);
    zg_member_set_master_key(KEY);
    int64_t root = 0;
    if (zg_db_query_int(c, "SELECT id FROM org WHERE parent_id IS NULL", NULL, 0, &root, &err))
        die("root", &err);
    zg_member_actor_t actor = {.account_id = 0, .username = "bench", .ip = NULL};
    zg_member_import_opts_t o;
    zg_member_import_opts_init(&o, root, &actor);
    o.mode = mode && !strcmp(mode, "valid_only") ? ZG_IMPORT_VALID_ONLY : ZG_IMPORT_ALL_OR_NOTHING;
    o.sqlite_cache_kib = 65536; /* as the API's import job does on SQLite */
    zg_arena_t a;
    zg_arena_init(&a, 1u << 20, (size_t)1 << 30);
    zg_member_import_result_t res;
    double t0 = now_s();
    int rc = zg_member_import(c, &a, data, (size_t)len, &o, &res, &err);
    double dt = now_s() - t0;
    if (rc)
        die("import", &err);
    int64_t members = 0;
    zg_db_query_int(c, "SELECT count(*) FROM membership", NULL, 0, &members, &err);
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    printf("import %s (%ld bytes), mode %s: %u rows in %.2f s = %.0f rows/s "
           "(validate %.2f s, write+commit %.2f s)\n",
           file, len, o.mode == ZG_IMPORT_VALID_ONLY ? "valid_only" : "all_or_nothing",
           res.rows_total, dt, res.rows_total / dt, res.seconds_validate, res.seconds_write);
    printf("  written=%s created=%u updated=%u rows_ok=%u rows_failed=%u; members in the "
           "database: %lld\n",
           res.written ? "yes" : "no", res.created, res.updated, res.rows_ok, res.rows_failed,
           (long long)members);
    for (size_t i = 0; i < res.nerrors && i < 5; i++)
        printf("  error: row %u column %s (%s) [%s] %s\n", res.errors[i].row, res.errors[i].column,
               res.errors[i].header ? res.errors[i].header : "-",
               res.errors[i].rule ? res.errors[i].rule : "-", res.errors[i].message);
    printf("  peak RSS %.1f MB (arena %.1f MB)\n", ru.ru_maxrss / 1024.0, a.used / 1048576.0);
    zg_arena_destroy(&a);
    free(data);
    zg_db_close(db);
    return 0;
}

int main(int argc, char **argv)
{
    zg_log_set_level(ZG_LOG_WARN);
    if (argc >= 4 && !strcmp(argv[1], "gen"))
        return gen(argv[2], argv[3], argc > 4 ? (uint32_t)strtoul(argv[4], NULL, 10) : 100000,
                   argc > 5 ? strtol(argv[5], NULL, 10) : -1);
    if (argc >= 4 && !strcmp(argv[1], "import"))
        return import(argv[2], argv[3], argc > 4 ? argv[4] : NULL);
    fprintf(stderr, "usage: import_bench gen DB FILE [ROWS] [BAD_ROW] | import DB FILE [MODE]\n");
    return 2;
}
