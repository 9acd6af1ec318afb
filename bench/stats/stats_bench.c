/* stats_bench.c — bench/stats: the statistics engine's full per-org rollup against SQLite and
 * PostgreSQL (DuckDB runs in duckdb_rollup.mjs), on the same generated data. run.sh drives it.
 *
 *   stats_bench gen DIR MEMBERS         org.csv + member.csv (zg_stats_gen_csv) and the peers'
 *                                       level-wise SQL: DIR/sqlite.sql, pg.sql, duckdb.sql
 *   stats_bench engine DIR MEMBERS REPS the snapshot straight from the generator (same
 *                                       params), REPS timed computes (2 threads, after one
 *                                       warm-up), 1-thread ones for reference, RSS, bytes per
 *                                       member; writes DIR/out-engine.csv
 *   stats_bench sqlite DIR REPS         loads DIR/bench.sqlite once (covering index), REPS
 *                                       timed runs of DIR/sqlite.sql, writes DIR/out-sqlite.csv
 *   stats_bench pg URL DIR REPS         loads with COPY (covering index, VACUUM ANALYZE), REPS
 *                                       timed runs of DIR/pg.sql, writes DIR/out-pg.csv
 *
 * The compared table: for every org, org_id and the 31 member cells below (female and full
 * derived as total − male and total − probationary), ordered by org_id, as CSV without a
 * header. Each peer computes from its own storage with the formulation of
 * shared/reference/PEERS.md; age bands come from the birth date against the same per-as-of
 * dates the engine uses (zg_stats_asof_init), join periods from the join date against the
 * bulletin's boundaries. Timed: the statements of the *.sql file (leaf counts, rollup table,
 * one UPDATE per depth); not timed: loading, dropping the previous run's tables, exporting.
 * Every timing line is "TIME <what> <ms>" for run.sh. */
#include <libpq-fe.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "modules/stats/stats.h"

#define AS_OF_Y 2024
#define AS_OF_M 12
#define AS_OF_D 31

static double now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static void die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("stats_bench: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(1);
}

static zg_date_t as_of(void)
{
    zg_date_t d;
    zg_date_from_ymd(AS_OF_Y, AS_OF_M, AS_OF_D, &d);
    return d;
}

static void params_for(uint64_t members, zg_stats_gen_params_t *p)
{
    zg_stats_gen_defaults(p, members);
    p->as_of = as_of();
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static char *read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        die("cannot open %s", path);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n)
        die("cannot read %s", path);
    buf[n] = 0;
    fclose(f);
    return buf;
}

/* ---- the compared cells and the level-wise SQL ------------------------------------------ */

/* The 31 exported cells, in export order; the engine's cell for each. */
static const int export_cells[] = {
    ZG_STATS_C_TOTAL,    ZG_STATS_C_MALE,         ZG_STATS_C_FEMALE,   ZG_STATS_C_MINORITY,
    ZG_STATS_C_EDU + 0,  ZG_STATS_C_EDU + 1,      ZG_STATS_C_EDU + 2,  ZG_STATS_C_EDU + 3,
    ZG_STATS_C_EDU + 4,  ZG_STATS_C_AGE + 0,      ZG_STATS_C_AGE + 1,  ZG_STATS_C_AGE + 2,
    ZG_STATS_C_AGE + 3,  ZG_STATS_C_AGE + 4,      ZG_STATS_C_AGE + 5,  ZG_STATS_C_AGE + 6,
    ZG_STATS_C_AGE + 7,  ZG_STATS_C_JOIN + 0,     ZG_STATS_C_JOIN + 1, ZG_STATS_C_JOIN + 2,
    ZG_STATS_C_JOIN + 3, ZG_STATS_C_OCC + 0,      ZG_STATS_C_OCC + 1,  ZG_STATS_C_OCC + 2,
    ZG_STATS_C_OCC + 3,  ZG_STATS_C_OCC + 4,      ZG_STATS_C_OCC + 5,  ZG_STATS_C_OCC + 6,
    ZG_STATS_C_OCC + 7,  ZG_STATS_C_PROBATIONARY, ZG_STATS_C_FULL,
};
#define N_EXPORT ((int)(sizeof export_cells / sizeof export_cells[0]))

/* The counted columns of the peers (female and full are derived at export). */
#define N_COUNTED 29

enum dialect { SQLITE, PG, DUCKDB };

typedef struct sqlbuf {
    char *p;
    size_t n, cap;
} sqlbuf;

static void sb_printf(sqlbuf *b, const char *fmt, ...)
{
    va_list ap;
    for (;;) {
        va_start(ap, fmt);
        int k = vsnprintf(b->p + b->n, b->cap - b->n, fmt, ap);
        va_end(ap);
        if (k >= 0 && (size_t)k < b->cap - b->n) {
            b->n += (size_t)k;
            return;
        }
        b->cap = b->cap * 2 + (size_t)k + 1024;
        b->p = realloc(b->p, b->cap);
        if (!b->p)
            die("out of memory");
    }
}

/* A date literal compared with a date column: integer days for SQLite (the loader stores
 * days since 1970-01-01), DATE 'YYYY-MM-DD' elsewhere. */
static const char *lit(enum dialect d, zg_date_t day, char *buf)
{
    if (d == SQLITE) {
        sprintf(buf, "%d", (int)day);
    } else {
        char s[ZG_DATE_STR_SIZE];
        zg_date_format(day, s);
        sprintf(buf, "DATE '%s'", s);
    }
    return buf;
}

/* Name and FILTER condition of counted column k (0..28). */
static void counted(enum dialect d, int k, const zg_stats_asof_t *q, char *name, char *cond)
{
    char a[32], b[32];
    if (k == 0) {
        strcpy(name, "total");
        strcpy(cond, "");
    } else if (k == 1) {
        strcpy(name, "male");
        strcpy(cond, "gender = 1");
    } else if (k == 2) {
        strcpy(name, "minority");
        strcpy(cond, "minority = 1");
    } else if (k < 8) {
        sprintf(name, "edu%d", k - 3);
        sprintf(cond, "edu = %d", k - 3);
    } else if (k < 16) {
        int band = k - 8;
        sprintf(name, "age%d", band);
        /* band b: birth in (birth_max[b], birth_max[b-1]] */
        if (band == 0)
            sprintf(cond, "birth > %s", lit(d, q->birth_max[0], a));
        else if (band == 7)
            sprintf(cond, "birth <= %s", lit(d, q->birth_max[6], a));
        else
            sprintf(cond, "birth <= %s AND birth > %s", lit(d, q->birth_max[band - 1], a),
                    lit(d, q->birth_max[band], b));
    } else if (k < 20) {
        int p = k - 16;
        sprintf(name, "join%d", p);
        if (p == 0)
            sprintf(cond, "joined < %s", lit(d, zg_stats_join_boundary(1), a));
        else if (p == 3)
            sprintf(cond, "joined >= %s", lit(d, zg_stats_join_boundary(3), a));
        else
            sprintf(cond, "joined >= %s AND joined < %s", lit(d, zg_stats_join_boundary(p), a),
                    lit(d, zg_stats_join_boundary(p + 1), b));
    } else if (k < 28) {
        sprintf(name, "occ%d", k - 20);
        sprintf(cond, "occupation = %d", k - 20);
    } else {
        strcpy(name, "prob");
        strcpy(cond, "probationary = 1");
    }
}

/* The timed statements, separated by ";\n". */
static char *level_sql(enum dialect d, int max_depth)
{
    zg_stats_asof_t q;
    zg_stats_asof_init(as_of(), &q);
    const char *icast = d == PG ? "::int" : d == DUCKDB ? "::INTEGER" : "";
    const char *temp = d == DUCKDB ? "" : "TEMP ";
    char name[32], cond[256];
    sqlbuf b = {0};
    if (d == PG)
        sb_printf(&b, "SET enable_seqscan = off;\nSET enable_hashagg = off;\n");
    /* 1. leaf counts straight from the member table */
    sb_printf(&b, "CREATE %sTABLE leaf AS SELECT org_id", temp);
    for (int k = 0; k < N_COUNTED; k++) {
        counted(d, k, &q, name, cond);
        if (*cond)
            sb_printf(&b, ",\n  count(*) FILTER (WHERE %s)%s AS %s", cond, icast, name);
        else
            sb_printf(&b, ",\n  count(*)%s AS %s", icast, name);
    }
    sb_printf(&b, "\nFROM member GROUP BY org_id;\n");
    if (d == PG)
        sb_printf(&b, "RESET enable_seqscan;\nRESET enable_hashagg;\n");
    /* 2. every org with its own counts (zeros where none) */
    if (d == SQLITE) {
        sb_printf(&b, "CREATE TEMP TABLE rollup (org_id INTEGER PRIMARY KEY, parent_id INT, "
                      "depth INT");
        for (int k = 0; k < N_COUNTED; k++) {
            counted(d, k, &q, name, cond);
            sb_printf(&b, ", %s INT", name);
        }
        sb_printf(&b, ");\nINSERT INTO rollup SELECT o.id, o.parent_id, o.depth");
    } else {
        sb_printf(&b, "CREATE %sTABLE rollup AS SELECT o.id AS org_id, o.parent_id, o.depth", temp);
    }
    for (int k = 0; k < N_COUNTED; k++) {
        counted(d, k, &q, name, cond);
        sb_printf(&b, ", coalesce(l.%s, 0)%s AS %s", name, icast, name);
    }
    sb_printf(&b, "\nFROM org o LEFT JOIN leaf l ON l.org_id = o.id;\n");
    if (d == SQLITE)
        sb_printf(&b, "CREATE INDEX rollup_depth ON rollup(depth);\n");
    if (d == PG)
        sb_printf(&b, "CREATE INDEX rollup_org ON rollup(org_id);\n"
                      "CREATE INDEX rollup_depth ON rollup(depth);\nANALYZE rollup;\n");
    /* 3. bottom-up, one level at a time */
    for (int depth = max_depth; depth >= 1; depth--) {
        sb_printf(&b, "UPDATE rollup SET ");
        for (int k = 0; k < N_COUNTED; k++) {
            counted(d, k, &q, name, cond);
            sb_printf(&b, "%s%s = rollup.%s + s.%s", k ? ", " : "", name, name, name);
        }
        sb_printf(&b, "\nFROM (SELECT parent_id");
        for (int k = 0; k < N_COUNTED; k++) {
            counted(d, k, &q, name, cond);
            sb_printf(&b, ", sum(%s)%s AS %s", name, icast, name);
        }
        sb_printf(&b,
                  " FROM rollup WHERE depth = %d GROUP BY parent_id) AS s\n"
                  "WHERE rollup.org_id = s.parent_id;\n",
                  depth);
    }
    return b.p;
}

/* The export query (not timed): every org's row in export order. */
static char *export_sql(void)
{
    sqlbuf b = {0};
    sb_printf(&b, "SELECT org_id, total, male, total - male AS female, minority, edu0, edu1, "
                  "edu2, edu3, edu4, age0, age1, age2, age3, age4, age5, age6, age7, join0, "
                  "join1, join2, join3, occ0, occ1, occ2, occ3, occ4, occ5, occ6, occ7, prob, "
                  "total - prob AS full_members FROM rollup ORDER BY org_id");
    return b.p;
}

static void write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (!f || fputs(text, f) < 0 || fclose(f))
        die("cannot write %s", path);
}

static int cmd_gen(const char *dir, uint64_t members)
{
    zg_stats_gen_params_t p;
    params_for(members, &p);
    zg_stats_gen_shape_t sh;
    zg_error_t err;
    double t0 = now_ms();
    if (zg_stats_gen_csv(&p, dir, &sh, &err))
        die("gen: %s (%s)", err.message, err.detail);
    printf("generated %llu members, %llu records, %u orgs (%u committees, %u general branches, "
           "%u branches under %u/%u/%u local committees), depth %u, in %.1f s\n",
           (unsigned long long)sh.members, (unsigned long long)sh.records, sh.orgs, sh.committees,
           sh.general_branches, sh.branches, sh.provinces, sh.cities, sh.counties, sh.max_depth,
           (now_ms() - t0) / 1e3);
    char path[4096];
    const char *names[] = {"sqlite.sql", "pg.sql", "duckdb.sql"};
    for (int d = 0; d < 3; d++) {
        char *sql = level_sql((enum dialect)d, (int)sh.max_depth);
        snprintf(path, sizeof path, "%s/%s", dir, names[d]);
        write_text(path, sql);
        free(sql);
    }
    char *ex = export_sql();
    snprintf(path, sizeof path, "%s/export.sql", dir);
    write_text(path, ex);
    free(ex);
    return 0;
}

/* ---- the engine ------------------------------------------------------------------------- */

static long status_kib(const char *key)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long v = -1;
    size_t n = strlen(key);
    while (f && fgets(line, sizeof line, f))
        if (!strncmp(line, key, n))
            v = atol(line + n + 1);
    if (f)
        fclose(f);
    return v;
}

static int cmd_engine(const char *dir, uint64_t members, int reps)
{
    zg_stats_gen_params_t p;
    params_for(members, &p);
    zg_stats_snapshot_t *s;
    zg_error_t err;
    double t0 = now_ms();
    if (zg_stats_gen_snapshot(&p, &s, &err))
        die("engine: %s (%s)", err.message, err.detail);
    double gen_s = (now_ms() - t0) / 1e3;
    long rss_snapshot = status_kib("VmRSS:"), hwm_build = status_kib("VmHWM:");
    zg_stats_result_t res, one;
    if (zg_stats_result_init(&res, s) || zg_stats_result_init(&one, s))
        die("engine: out of memory");
    double *t2 = calloc((size_t)reps, sizeof *t2), *t1 = calloc((size_t)reps, sizeof *t1);
    zg_stats_compute(s, p.as_of, 0, &res); /* warm-up */
    for (int i = 0; i < reps; i++) {
        double a = now_ms();
        if (zg_stats_compute(s, p.as_of, 0, &res))
            die("engine: compute failed");
        t2[i] = now_ms() - a;
        a = now_ms();
        if (zg_stats_compute(s, p.as_of, 1, &one))
            die("engine: compute failed");
        t1[i] = now_ms() - a;
    }
    if (memcmp(res.rows, one.rows, (size_t)s->n_orgs * ZG_STATS_STRIDE * sizeof *res.rows))
        die("engine: the 2-thread result differs from the 1-thread result");
    /* one province with its drill-down, as the API will answer it */
    uint32_t prov = 1;
    double ts = now_ms();
    zg_stats_compute_subtree(s, prov, p.as_of, 0, &one);
    double sub_ms = now_ms() - ts;
    if (memcmp(zg_stats_row(&one, prov), zg_stats_row(&res, prov),
               (size_t)(s->end[prov] - prov) * ZG_STATS_STRIDE * sizeof(uint32_t)))
        die("engine: the subtree result differs from the full result");
    size_t bytes = zg_stats_snapshot_bytes(s);
    printf("engine: %u orgs, %u records (%llu members), snapshot %.1f MiB = %.2f bytes/member "
           "(%.2f per record), generated in %.1f s\n",
           s->n_orgs, s->n_records, (unsigned long long)members, bytes / 1048576.0,
           (double)bytes / (double)members, (double)bytes / s->n_records, gen_s);
    for (int i = 0; i < reps; i++)
        printf("TIME engine %.2f\n", t2[i]);
    double m1 = median(t1, reps);
    printf("engine 1 thread: median %.1f ms; one province subtree (%u orgs): %.1f ms\n", m1,
           s->end[prov] - prov, sub_ms);
    printf("RSS snapshot %.0f MiB, with both results %.0f MiB, peak while building %.0f MiB "
           "(results: %.0f MiB each)\n",
           rss_snapshot / 1024.0, status_kib("VmRSS:") / 1024.0, hwm_build / 1024.0,
           (double)s->n_orgs * ZG_STATS_STRIDE * 4 / 1048576.0);

    if (dir) {
        char path[4096];
        snprintf(path, sizeof path, "%s/out-engine.csv", dir);
        FILE *f = fopen(path, "w");
        if (!f)
            die("cannot write %s", path);
        setvbuf(f, NULL, _IOFBF, 1 << 20);
        for (uint32_t o = 0; o < s->n_orgs; o++) {
            const uint32_t *row = zg_stats_row(&res, o);
            fprintf(f, "%lld", (long long)s->org_id[o]);
            for (int k = 0; k < N_EXPORT; k++)
                fprintf(f, ",%u", row[export_cells[k]]);
            fputc('\n', f);
        }
        fclose(f);
    }
    zg_stats_result_free(&res);
    zg_stats_result_free(&one);
    zg_stats_snapshot_free(s);
    free(t1);
    free(t2);
    return 0;
}

/* ---- SQLite ------------------------------------------------------------------------------ */

static void sq_exec(sqlite3 *db, const char *sql)
{
    char *msg = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
        die("sqlite: %s\n  in: %.200s", msg ? msg : "?", sql);
}

static int split_fields(char *line, char **f, int max)
{
    int n = 0;
    f[n++] = line;
    for (char *p = line; *p && n < max; p++)
        if (*p == ',') {
            *p = 0;
            f[n++] = p + 1;
        } else if (*p == '\n') {
            *p = 0;
        }
    return n;
}

static void sqlite_load(const char *dir, const char *path)
{
    sqlite3 *db;
    if (sqlite3_open(path, &db) != SQLITE_OK)
        die("sqlite: cannot open %s", path);
    sq_exec(db, "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; "
                "PRAGMA cache_size = -1000000;"
                "CREATE TABLE org (id INTEGER PRIMARY KEY, parent_id INT, depth INT, kind TEXT,"
                " domain TEXT);"
                "CREATE TABLE member (id INTEGER PRIMARY KEY, org_id INT, gender INT,"
                " minority INT, edu INT, birth INT, joined INT, occupation INT,"
                " probationary INT);"
                "BEGIN");
    char file[4096], line[512];
    char *f[16];
    sqlite3_stmt *st;
    snprintf(file, sizeof file, "%s/org.csv", dir);
    FILE *in = fopen(file, "r");
    if (!in || !fgets(line, sizeof line, in))
        die("cannot read %s", file);
    sqlite3_prepare_v2(db, "INSERT INTO org VALUES (?, ?, ?, ?, ?)", -1, &st, NULL);
    while (fgets(line, sizeof line, in)) {
        if (split_fields(line, f, 16) != 5)
            die("bad org line");
        sqlite3_bind_int64(st, 1, atoll(f[0]));
        if (atoll(f[1]))
            sqlite3_bind_int64(st, 2, atoll(f[1]));
        else
            sqlite3_bind_null(st, 2);
        sqlite3_bind_int(st, 3, atoi(f[2]));
        sqlite3_bind_text(st, 4, f[3], -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 5, f[4], -1, SQLITE_TRANSIENT);
        if (sqlite3_step(st) != SQLITE_DONE)
            die("sqlite: insert org: %s", sqlite3_errmsg(db));
        sqlite3_reset(st);
    }
    sqlite3_finalize(st);
    fclose(in);
    snprintf(file, sizeof file, "%s/member.csv", dir);
    in = fopen(file, "r");
    if (!in || !fgets(line, sizeof line, in))
        die("cannot read %s", file);
    sqlite3_prepare_v2(db, "INSERT INTO member VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", -1, &st, NULL);
    while (fgets(line, sizeof line, in)) {
        if (split_fields(line, f, 16) != 9)
            die("bad member line");
        zg_date_t birth, join;
        if (zg_date_parse(f[5], &birth) || zg_date_parse(f[6], &join))
            die("bad date in member line");
        sqlite3_bind_int64(st, 1, atoll(f[0]));
        sqlite3_bind_int64(st, 2, atoll(f[1]));
        sqlite3_bind_int(st, 3, atoi(f[2]));
        sqlite3_bind_int(st, 4, atoi(f[3]));
        sqlite3_bind_int(st, 5, atoi(f[4]));
        sqlite3_bind_int(st, 6, birth);
        sqlite3_bind_int(st, 7, join);
        sqlite3_bind_int(st, 8, atoi(f[7]));
        sqlite3_bind_int(st, 9, atoi(f[8]));
        if (sqlite3_step(st) != SQLITE_DONE)
            die("sqlite: insert member: %s", sqlite3_errmsg(db));
        sqlite3_reset(st);
    }
    sqlite3_finalize(st);
    fclose(in);
    sq_exec(db, "COMMIT;"
                "CREATE INDEX member_cover ON member (org_id, gender, minority, edu, occupation,"
                " probationary, birth, joined);"
                "ANALYZE;");
    sqlite3_close(db);
}

static void sqlite_export(sqlite3 *db, const char *sql, const char *path)
{
    FILE *out = fopen(path, "w");
    if (!out)
        die("cannot write %s", path);
    setvbuf(out, NULL, _IOFBF, 1 << 20);
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        die("sqlite: export: %s", sqlite3_errmsg(db));
    int cols = sqlite3_column_count(st);
    while (sqlite3_step(st) == SQLITE_ROW) {
        for (int c = 0; c < cols; c++)
            fprintf(out, c ? ",%lld" : "%lld", (long long)sqlite3_column_int64(st, c));
        fputc('\n', out);
    }
    sqlite3_finalize(st);
    fclose(out);
}

static int cmd_sqlite(const char *dir, int reps)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/bench.sqlite", dir);
    struct stat sb;
    if (stat(path, &sb) != 0) {
        double t0 = now_ms();
        sqlite_load(dir, path);
        printf("sqlite: loaded and indexed in %.1f s\n", (now_ms() - t0) / 1e3);
    }
    sqlite3 *db;
    if (sqlite3_open(path, &db) != SQLITE_OK)
        die("sqlite: cannot open %s", path);
    /* the best settings for a read-mostly analytic query: a big page cache, the file mapped,
     * temporary tables in memory */
    sq_exec(db, "PRAGMA cache_size = -2000000; PRAGMA mmap_size = 8589934592;"
                "PRAGMA temp_store = MEMORY;");
    snprintf(path, sizeof path, "%s/sqlite.sql", dir);
    char *sql = read_file(path);
    for (int i = 0; i < reps; i++) {
        sq_exec(db, "DROP TABLE IF EXISTS temp.leaf; DROP TABLE IF EXISTS temp.rollup;");
        double a = now_ms();
        sq_exec(db, sql);
        printf("TIME sqlite %.2f\n", now_ms() - a);
        fflush(stdout);
    }
    snprintf(path, sizeof path, "%s/export.sql", dir);
    char *ex = read_file(path);
    snprintf(path, sizeof path, "%s/out-sqlite.csv", dir);
    sqlite_export(db, ex, path);
    free(ex);
    free(sql);
    sqlite3_close(db);
    return 0;
}

/* ---- PostgreSQL -------------------------------------------------------------------------- */

static void pg_exec(PGconn *c, const char *sql)
{
    PGresult *r = PQexec(c, sql);
    ExecStatusType s = PQresultStatus(r);
    if (s != PGRES_COMMAND_OK && s != PGRES_TUPLES_OK)
        die("pg: %s\n  in: %.300s", PQerrorMessage(c), sql);
    PQclear(r);
}

static void pg_copy_in(PGconn *c, const char *sql, const char *path)
{
    PGresult *r = PQexec(c, sql);
    if (PQresultStatus(r) != PGRES_COPY_IN)
        die("pg: %s", PQerrorMessage(c));
    PQclear(r);
    FILE *in = fopen(path, "rb");
    if (!in)
        die("cannot read %s", path);
    static char buf[1 << 20];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, in)) > 0)
        if (PQputCopyData(c, buf, (int)n) != 1)
            die("pg: copy: %s", PQerrorMessage(c));
    fclose(in);
    if (PQputCopyEnd(c, NULL) != 1)
        die("pg: copy end: %s", PQerrorMessage(c));
    r = PQgetResult(c);
    if (PQresultStatus(r) != PGRES_COMMAND_OK)
        die("pg: copy: %s", PQerrorMessage(c));
    PQclear(r);
}

static void pg_export(PGconn *c, const char *query, const char *path)
{
    FILE *out = fopen(path, "w");
    if (!out)
        die("cannot write %s", path);
    char *sql = malloc(strlen(query) + 64);
    sprintf(sql, "COPY (%s) TO STDOUT (FORMAT csv)", query);
    PGresult *r = PQexec(c, sql);
    if (PQresultStatus(r) != PGRES_COPY_OUT)
        die("pg: %s", PQerrorMessage(c));
    PQclear(r);
    char *row;
    int n;
    while ((n = PQgetCopyData(c, &row, 0)) > 0) {
        fwrite(row, 1, (size_t)n, out);
        PQfreemem(row);
    }
    r = PQgetResult(c);
    PQclear(r);
    free(sql);
    fclose(out);
}

static int cmd_pg(const char *url, const char *dir, int reps)
{
    PGconn *c = PQconnectdb(url);
    if (PQstatus(c) != CONNECTION_OK)
        die("pg: %s", PQerrorMessage(c));
    PQclear(PQexec(c, "SET client_min_messages = warning"));
    PGresult *r = PQexec(c, "SELECT to_regclass('member') IS NOT NULL");
    bool loaded = PQresultStatus(r) == PGRES_TUPLES_OK && PQgetvalue(r, 0, 0)[0] == 't';
    PQclear(r);
    char path[4096];
    if (!loaded) {
        double t0 = now_ms();
        pg_exec(c, "CREATE TABLE org (id int PRIMARY KEY, parent_id int, depth int, kind text,"
                   " domain text)");
        pg_exec(c, "CREATE TABLE member (id int, org_id int, gender smallint, minority smallint,"
                   " edu smallint, birth date, joined date, occupation smallint,"
                   " probationary smallint)");
        snprintf(path, sizeof path, "%s/org.csv", dir);
        pg_copy_in(c, "COPY org FROM STDIN (FORMAT csv, HEADER true)", path);
        snprintf(path, sizeof path, "%s/member.csv", dir);
        pg_copy_in(c, "COPY member FROM STDIN (FORMAT csv, HEADER true)", path);
        pg_exec(c, "SET maintenance_work_mem = '1GB'");
        pg_exec(c, "CREATE INDEX member_cover ON member (org_id, gender, minority, edu,"
                   " occupation, probationary, birth, joined)");
        pg_exec(c, "VACUUM ANALYZE org");
        pg_exec(c, "VACUUM ANALYZE member"); /* the visibility map, for index-only scans */
        printf("pg: loaded and indexed in %.1f s\n", (now_ms() - t0) / 1e3);
    }
    pg_exec(c, "SET work_mem = '256MB'");
    pg_exec(c, "SET temp_buffers = '512MB'");
    snprintf(path, sizeof path, "%s/pg.sql", dir);
    char *sql = read_file(path);
    for (int i = 0; i < reps; i++) {
        pg_exec(c, "DROP TABLE IF EXISTS leaf; DROP TABLE IF EXISTS rollup");
        double a = now_ms();
        pg_exec(c, sql);
        printf("TIME pg %.2f\n", now_ms() - a);
        fflush(stdout);
    }
    snprintf(path, sizeof path, "%s/export.sql", dir);
    char *ex = read_file(path);
    snprintf(path, sizeof path, "%s/out-pg.csv", dir);
    pg_export(c, ex, path);
    free(ex);
    free(sql);
    PQfinish(c);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc >= 4 && !strcmp(argv[1], "gen"))
        return cmd_gen(argv[2], strtoull(argv[3], NULL, 10));
    if (argc >= 4 && !strcmp(argv[1], "engine"))
        return cmd_engine(strcmp(argv[2], "-") ? argv[2] : NULL, strtoull(argv[3], NULL, 10),
                          argc > 4 ? atoi(argv[4]) : 5);
    if (argc >= 3 && !strcmp(argv[1], "sqlite"))
        return cmd_sqlite(argv[2], argc > 3 ? atoi(argv[3]) : 3);
    if (argc >= 4 && !strcmp(argv[1], "pg"))
        return cmd_pg(argv[2], argv[3], argc > 4 ? atoi(argv[4]) : 3);
    fprintf(stderr, "usage: stats_bench gen DIR MEMBERS | engine DIR|- MEMBERS [REPS] |"
                    " sqlite DIR [REPS] | pg URL DIR [REPS]\n");
    return 2;
}
