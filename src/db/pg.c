/* pg.c — the PostgreSQL backend of db.h, on libpq: one PGconn per thread, every statement
 * prepared once per connection (named "s<n>", cached by SQL text) and run with
 * PQexecPrepared. Parameters go as text (integers in decimal, doubles with 17 digits) except
 * blobs, which go in binary format; results come back as text, and bytea columns (hex output)
 * are decoded by zg_rows_blob.
 *
 * Sessions: client_encoding UTF8, TimeZone UTC, bytea_output hex, set at connect and again
 * after a reconnect.
 *
 * Transactions: a write transaction is BEGIN ISOLATION LEVEL READ COMMITTED — each statement
 * sees what others committed before it; concurrent writers to the same row wait for each
 * other rather than fail. Unlike SQLite (one writer at a time), two PostgreSQL write
 * transactions run concurrently, so a "check, then insert" invariant needs a UNIQUE
 * constraint (or a lock) to hold on both backends. A read transaction is
 * BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY: one snapshot for all its queries, like a
 * SQLite read transaction, and writes are refused.
 *
 * Lost connections: before each statement the connection is polled (PQconsumeInput, no
 * blocking), so a server that closed it (restart, idle timeout, terminated backend) is seen
 * and the connection is reset before the statement is sent. A connection lost while a
 * statement runs is reset too, but the statement is not re-sent (it may have been
 * committed): the caller gets ZG_ERR_BUSY and may retry. */
#include "db/db_internal.h"

#include <libpq-fe.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/log.h"

#define BYTEA_OID    17
#define STACK_PARAMS 16 /* parameters handled without malloc */
#define BOOL_OID     16

typedef struct pg_rows {
    zg_rows_t base;
    PGresult *res;
    int row; /* current row, -1 before the first */
    int nrows, ncols;
    zg_arena_t arena; /* decoded blobs of the current row */
} pg_rows;

typedef struct pg_conn {
    zg_conn_t base;
    PGconn *pg;
    unsigned next_stmt; /* number of the next statement name */
    pg_rows rows;       /* the one cursor of this connection */
} pg_conn;

static pg_conn *PC(zg_conn_t *c)
{
    return (pg_conn *)c;
}

static pg_rows *PR(zg_rows_t *r)
{
    return (pg_rows *)r;
}

/* libpq messages end with a newline; the log line should not. */
static void chomp(char *s)
{
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == '\r'))
        s[--n] = '\0';
}

static int set_err(zg_error_t *err, int status, const char *code, const char *msg,
                   const char *state, const char *text)
{
    zg_error_set(err, status, code, msg, "postgres %s: %s", state ? state : "-",
                 text ? text : "(no message)");
    if (err)
        chomp(err->detail);
    return status;
}

static int lost_error(zg_error_t *err, const char *text)
{
    return set_err(err, ZG_ERR_BUSY, "db_unavailable", "数据库连接中断，请重试", "08006", text);
}

/* Maps a failed result to a zg_status with a Chinese message (by SQLSTATE class). */
static int pg_error(pg_conn *c, const PGresult *res, zg_error_t *err)
{
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    const char *text = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
    if (!text)
        text = PQerrorMessage(c->pg);
    if (!state)
        return set_err(err, ZG_ERR_DB, "db_error", "数据库操作失败", NULL, text);
    if (strcmp(state, "23505") == 0)
        return set_err(err, ZG_ERR_CONFLICT, "db_duplicate", "数据重复", state, text);
    if (strcmp(state, "23503") == 0)
        return set_err(err, ZG_ERR_CONFLICT, "db_reference", "数据仍被引用或引用不存在", state,
                       text);
    if (strcmp(state, "23502") == 0 || strcmp(state, "23514") == 0)
        return set_err(err, ZG_ERR_INVALID, "db_constraint", "数据不符合要求", state, text);
    if (strncmp(state, "23", 2) == 0)
        return set_err(err, ZG_ERR_CONFLICT, "db_constraint", "数据与已有数据冲突", state, text);
    if (strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0 || strcmp(state, "55P03") == 0 ||
        strncmp(state, "53", 2) == 0)
        return set_err(err, ZG_ERR_BUSY, "db_busy", "数据库繁忙，请稍后重试", state, text);
    if (strcmp(state, "08P01") == 0) /* protocol violation: e.g. wrong number of params */
        return set_err(err, ZG_ERR_INTERNAL, "db_internal", "系统内部错误", state, text);
    if (strncmp(state, "08", 2) == 0 || strncmp(state, "57P", 3) == 0)
        return lost_error(err, text);
    if (strcmp(state, "25006") == 0)
        return set_err(err, ZG_ERR_INTERNAL, "db_internal", "系统内部错误", state, text);
    if (strncmp(state, "22", 2) == 0)
        return set_err(err, ZG_ERR_INVALID, "db_data", "数据格式错误", state, text);
    return set_err(err, ZG_ERR_DB, "db_error", "数据库操作失败", state, text);
}

static void notice_to_log(void *arg, const char *message)
{
    (void)arg;
    zg_log_debug("postgres: %.*s", (int)strcspn(message, "\n"), message);
}

/* Session settings, at connect and after every reset. */
static int setup_session(pg_conn *c, zg_error_t *err)
{
    if (PQsetClientEncoding(c->pg, "UTF8") != 0)
        return set_err(err, ZG_ERR_DB, "db_open", "无法连接数据库", NULL, PQerrorMessage(c->pg));
    PGresult *res =
        PQexec(c->pg, "SET TimeZone TO 'UTC'; SET bytea_output TO 'hex'; SET DateStyle TO 'ISO'");
    int rc = ZG_OK;
    if (PQresultStatus(res) != PGRES_COMMAND_OK)
        rc = pg_error(c, res, err);
    PQclear(res);
    return rc;
}

/* Drops the server-forgotten statements, resets the connection and restores the session. */
static int reconnect(pg_conn *c, zg_error_t *err)
{
    zg_stmt_cache_clear(&c->base, false);
    c->base.in_tx = false;
    PQreset(c->pg);
    if (PQstatus(c->pg) != CONNECTION_OK) {
        zg_log_error("postgres: reconnect to %s failed: %s", c->base.db->display_url,
                     PQerrorMessage(c->pg));
        return set_err(err, ZG_ERR_BUSY, "db_unavailable", "无法连接数据库，请稍后重试", "08006",
                       PQerrorMessage(c->pg));
    }
    zg_log_warn("postgres: connection to %s was lost; reconnected", c->base.db->display_url);
    return setup_session(c, err);
}

/* Sees a connection the server closed before anything is sent on it, and resets it. A
 * transaction open on it is lost: ZG_ERR_BUSY. */
static int ensure_alive(pg_conn *c, zg_error_t *err)
{
    if (PQstatus(c->pg) == CONNECTION_OK && PQconsumeInput(c->pg)) {
        /* A terminated backend sends a FATAL message, then closes: the first read may get
         * only the message (parsed by PQisBusy, reported as a notice), the second the EOF. */
        (void)PQisBusy(c->pg);
        PQconsumeInput(c->pg);
    }
    if (PQstatus(c->pg) == CONNECTION_OK)
        return ZG_OK;
    bool had_tx = c->base.in_tx;
    int rc = reconnect(c, err);
    if (rc == ZG_OK && had_tx)
        return lost_error(err, "connection lost inside a transaction");
    return rc;
}

/* After a failure: if the connection is gone, reset it and report ZG_ERR_BUSY. */
static int after_failure(pg_conn *c, int rc, zg_error_t *err)
{
    if (PQstatus(c->pg) != CONNECTION_OK) {
        char why[sizeof err->detail];
        snprintf(why, sizeof why, "%s", err ? err->detail : "connection lost");
        reconnect(c, NULL);
        return lost_error(err, why);
    }
    if (PQtransactionStatus(c->pg) == PQTRANS_IDLE)
        c->base.in_tx = false;
    return rc;
}

static int pg_connect(zg_db_t *db, zg_conn_t **out, zg_error_t *err)
{
    *out = NULL;
    pg_conn *c = calloc(1, sizeof *c);
    if (!c)
        return zg_error_set(err, ZG_ERR_NOMEM, "no_memory", "系统内存不足", "db: out of memory");
    const char *kw[4] = {"dbname", "fallback_application_name", NULL, NULL};
    const char *val[4] = {db->url, "zugong", NULL, NULL};
    if (!strstr(db->url, "connect_timeout")) {
        kw[2] = "connect_timeout";
        val[2] = "10";
    }
    c->pg = PQconnectdbParams(kw, val, 1);
    if (!c->pg || PQstatus(c->pg) != CONNECTION_OK) {
        set_err(err, ZG_ERR_DB, "db_open", "无法连接数据库", NULL,
                c->pg ? PQerrorMessage(c->pg) : "out of memory");
        zg_log_error("postgres: connect to %s failed: %s", db->display_url, err ? err->detail : "");
        PQfinish(c->pg);
        free(c);
        return ZG_ERR_DB;
    }
    PQsetNoticeProcessor(c->pg, notice_to_log, NULL);
    int rc = setup_session(c, err);
    if (rc) {
        PQfinish(c->pg);
        free(c);
        return rc;
    }
    zg_arena_init(&c->rows.arena, 0, 0);
    *out = &c->base;
    return ZG_OK;
}

static void pg_disconnect(zg_conn_t *base)
{
    pg_conn *c = PC(base);
    zg_stmt_cache_clear(base, false); /* the server forgets them with the session */
    zg_arena_destroy(&c->rows.arena);
    PQfinish(c->pg);
    free(c);
}

static void stmt_name(char *buf, size_t cap, void *stmt)
{
    snprintf(buf, cap, "s%u", (unsigned)(uintptr_t)stmt);
}

/* Eviction from the cache: the server-side statement goes too. */
static void pg_stmt_free(zg_conn_t *base, void *stmt)
{
    pg_conn *c = PC(base);
    if (PQstatus(c->pg) != CONNECTION_OK || PQtransactionStatus(c->pg) == PQTRANS_INERROR)
        return; /* forgotten with the session, or (aborted transaction) left until then */
    char sql[48];
    snprintf(sql, sizeof sql, "DEALLOCATE s%u", (unsigned)(uintptr_t)stmt);
    PQclear(PQexec(c->pg, sql));
}

/* The name of the prepared statement for `sql`, preparing it on a miss. Parameter types are
 * left to the server to infer from the statement, except that a blob parameter is declared
 * bytea (it is sent in binary, which only makes sense for bytea). */
static int prepare(pg_conn *c, const char *sql, const zg_param_t *params, int n, char *name,
                   size_t cap, zg_error_t *err)
{
    void *stmt = zg_stmt_cache_get(&c->base, sql);
    if (stmt) {
        stmt_name(name, cap, stmt);
        return ZG_OK;
    }
    if (++c->next_stmt == 0)
        c->next_stmt = 1; /* 0 would be the NULL "not cached" pointer */
    stmt = (void *)(uintptr_t)c->next_stmt;
    stmt_name(name, cap, stmt);
    Oid types_s[STACK_PARAMS], *types = NULL;
    int ntypes = 0;
    for (int i = 0; i < n; i++)
        if (params[i].type == ZG_PT_BLOB)
            ntypes = i + 1;
    if (ntypes > 0) {
        types = ntypes <= STACK_PARAMS ? types_s : calloc((size_t)ntypes, sizeof *types);
        if (!types)
            return zg_error_set(err, ZG_ERR_NOMEM, "no_memory", "系统内存不足",
                                "db: out of memory");
        for (int i = 0; i < ntypes; i++)
            types[i] = params[i].type == ZG_PT_BLOB ? BYTEA_OID : 0;
    }
    PGresult *res = PQprepare(c->pg, name, sql, ntypes, types);
    if (types && types != types_s)
        free(types);
    if (PQresultStatus(res) != PGRES_COMMAND_OK) {
        int rc = pg_error(c, res, err);
        PQclear(res);
        return after_failure(c, rc, err);
    }
    PQclear(res);
    if (zg_stmt_cache_put(&c->base, sql, stmt) != ZG_OK) {
        pg_stmt_free(&c->base, stmt);
        return zg_error_set(err, ZG_ERR_NOMEM, "no_memory", "系统内存不足", "db: out of memory");
    }
    return ZG_OK;
}

/* Runs `sql` with `params`; on success *out is a COMMAND_OK or TUPLES_OK result. */
static int run(pg_conn *c, const char *sql, const zg_param_t *params, int n, PGresult **out,
               zg_error_t *err)
{
    *out = NULL;
    int rc = ensure_alive(c, err);
    if (rc)
        return rc;
    char name[24];
    rc = prepare(c, sql, params, n, name, sizeof name, err);
    if (rc)
        return rc;

    const char *vals_s[STACK_PARAMS];
    int lens_s[STACK_PARAMS], fmts_s[STACK_PARAMS];
    char nums_s[STACK_PARAMS][32];
    const char **vals = vals_s;
    int *lens = lens_s, *fmts = fmts_s;
    char(*nums)[32] = nums_s;
    void *heap = NULL;
    if (n > STACK_PARAMS) {
        /* n <= ZG_DB_MAX_PARAMS (db.c), so this size cannot overflow */
        size_t each = sizeof(char *) + 2 * sizeof(int) + 32;
        heap = malloc((size_t)n * each);
        if (!heap)
            return zg_error_set(err, ZG_ERR_NOMEM, "no_memory", "系统内存不足",
                                "db: out of memory");
        vals = heap;
        nums = (char(*)[32])(vals + n);
        lens = (int *)(nums + n);
        fmts = lens + n;
    }
    for (int i = 0; i < n; i++) {
        const zg_param_t *p = &params[i];
        lens[i] = 0;
        fmts[i] = 0;
        switch (p->type) {
        case ZG_PT_INT:
            snprintf(nums[i], 32, "%lld", (long long)p->i);
            vals[i] = nums[i];
            break;
        case ZG_PT_DOUBLE:
            if (isnan(p->d))
                vals[i] = "NaN";
            else if (isinf(p->d))
                vals[i] = p->d > 0 ? "Infinity" : "-Infinity";
            else {
                snprintf(nums[i], 32, "%.17g", p->d);
                vals[i] = nums[i];
            }
            break;
        case ZG_PT_TEXT:
            vals[i] = p->s;
            break;
        case ZG_PT_BLOB:
            if (p->len > (size_t)INT32_MAX) {
                free(heap);
                return zg_error_set(err, ZG_ERR_TOO_LARGE, "too_large", "数据过大",
                                    "postgres: blob parameter $%d over 2 GiB", i + 1);
            }
            vals[i] = p->len ? p->s : ""; /* NULL would mean SQL NULL */
            lens[i] = (int)p->len;
            fmts[i] = 1;
            break;
        default:
            vals[i] = NULL;
            break;
        }
    }
    PGresult *res =
        PQexecPrepared(c->pg, name, n, n ? vals : NULL, n ? lens : NULL, n ? fmts : NULL, 0);
    free(heap);
    ExecStatusType st = PQresultStatus(res);
    if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) {
        *out = res;
        return ZG_OK;
    }
    rc = pg_error(c, res, err);
    PQclear(res);
    return after_failure(c, rc, err);
}

/* Runs a fixed command (BEGIN, COMMIT, ROLLBACK) with the simple protocol. */
static int simple(pg_conn *c, const char *sql, PGresult **out, zg_error_t *err)
{
    *out = NULL;
    int rc = ensure_alive(c, err);
    if (rc)
        return rc;
    PGresult *res = PQexec(c->pg, sql);
    if (PQresultStatus(res) == PGRES_COMMAND_OK) {
        *out = res;
        return ZG_OK;
    }
    rc = pg_error(c, res, err);
    PQclear(res);
    return after_failure(c, rc, err);
}

static int pg_exec(zg_conn_t *base, const char *sql, const zg_param_t *params, int nparams,
                   int64_t *changes, zg_error_t *err)
{
    PGresult *res;
    int rc = run(PC(base), sql, params, nparams, &res, err);
    if (rc)
        return rc;
    /* rows of INSERT/UPDATE/DELETE (with or without RETURNING); 0 for DDL and SELECT */
    if (changes)
        *changes =
            strncmp(PQcmdStatus(res), "SELECT", 6) == 0 ? 0 : strtoll(PQcmdTuples(res), NULL, 10);
    PQclear(res);
    return ZG_OK;
}

static int pg_begin(zg_conn_t *base, zg_tx_mode mode, zg_error_t *err)
{
    PGresult *res;
    int rc = simple(PC(base),
                    mode == ZG_TX_WRITE ? "BEGIN ISOLATION LEVEL READ COMMITTED"
                                        : "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
                    &res, err);
    PQclear(res);
    return rc;
}

static int pg_commit(zg_conn_t *base, zg_error_t *err)
{
    pg_conn *c = PC(base);
    PGresult *res;
    int rc = simple(c, "COMMIT", &res, err);
    if (rc == ZG_OK && strcmp(PQcmdStatus(res), "COMMIT") != 0) {
        /* COMMIT of a transaction that had failed rolls back and says so only in its tag */
        rc = set_err(err, ZG_ERR_DB, "db_error", "数据库操作失败", "25P02",
                     "COMMIT rolled back: the transaction had failed earlier");
    }
    PQclear(res);
    if (PQtransactionStatus(c->pg) == PQTRANS_IDLE || PQstatus(c->pg) != CONNECTION_OK)
        base->in_tx = false;
    return rc;
}

static void pg_rollback(zg_conn_t *base)
{
    pg_conn *c = PC(base);
    base->in_tx = false;
    if (PQstatus(c->pg) != CONNECTION_OK || PQtransactionStatus(c->pg) == PQTRANS_IDLE)
        return;
    PGresult *res = PQexec(c->pg, "ROLLBACK");
    if (PQresultStatus(res) != PGRES_COMMAND_OK)
        zg_log_warn("postgres: rollback: %s", PQerrorMessage(c->pg));
    PQclear(res);
}

static int pg_exec_script(zg_conn_t *base, const char *sql, zg_error_t *err)
{
    pg_conn *c = PC(base);
    int rc = ensure_alive(c, err);
    if (rc)
        return rc;
    /* PQexec runs every statement of the text; inside our BEGIN they share its transaction.
     * It returns the last result, or the first error (the rest is then not run). */
    PGresult *res = PQexec(c->pg, sql);
    ExecStatusType st = PQresultStatus(res);
    if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK || st == PGRES_EMPTY_QUERY) {
        PQclear(res);
        return ZG_OK;
    }
    rc = pg_error(c, res, err);
    PQclear(res);
    return after_failure(c, rc, err);
}

static int pg_query(zg_conn_t *base, const char *sql, const zg_param_t *params, int nparams,
                    zg_rows_t **out, zg_error_t *err)
{
    pg_conn *c = PC(base);
    PGresult *res;
    int rc = run(c, sql, params, nparams, &res, err);
    if (rc)
        return rc;
    pg_rows *r = &c->rows;
    r->res = res;
    r->row = -1;
    r->nrows = PQntuples(res);
    r->ncols = PQnfields(res);
    *out = &r->base;
    return ZG_OK;
}

static int pg_next(zg_rows_t *base, zg_error_t *err)
{
    (void)err;
    pg_rows *r = PR(base);
    zg_arena_reset(&r->arena);
    if (r->row + 1 < r->nrows) {
        r->row++;
        return 1;
    }
    r->row = r->nrows;
    return 0;
}

static bool on_row(pg_rows *r)
{
    return r->row >= 0 && r->row < r->nrows;
}

static int pg_ncols(zg_rows_t *r)
{
    return PR(r)->ncols;
}

static const char *pg_colname(zg_rows_t *r, int col)
{
    const char *n = PQfname(PR(r)->res, col);
    return n ? n : "";
}

static bool pg_isnull(zg_rows_t *base, int col)
{
    pg_rows *r = PR(base);
    return !on_row(r) || PQgetisnull(r->res, r->row, col);
}

static int64_t pg_int(zg_rows_t *base, int col)
{
    pg_rows *r = PR(base);
    if (pg_isnull(base, col))
        return 0;
    const char *v = PQgetvalue(r->res, r->row, col);
    if (PQftype(r->res, col) == BOOL_OID)
        return v[0] == 't';
    return strtoll(v, NULL, 10);
}

static double pg_double(zg_rows_t *base, int col)
{
    pg_rows *r = PR(base);
    if (pg_isnull(base, col))
        return 0.0;
    return strtod(PQgetvalue(r->res, r->row, col), NULL);
}

static const char *pg_text(zg_rows_t *base, int col)
{
    pg_rows *r = PR(base);
    if (!on_row(r))
        return "";
    return PQgetvalue(r->res, r->row, col); /* "" for NULL */
}

static int hexval(char ch)
{
    if (ch >= '0' && ch <= '9')
        return ch - '0';
    if (ch >= 'a' && ch <= 'f')
        return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F')
        return ch - 'A' + 10;
    return -1;
}

static const void *pg_blob(zg_rows_t *base, int col, size_t *len)
{
    pg_rows *r = PR(base);
    *len = 0;
    if (pg_isnull(base, col))
        return NULL;
    const char *v = PQgetvalue(r->res, r->row, col);
    size_t n = (size_t)PQgetlength(r->res, r->row, col);
    if (PQftype(r->res, col) != BYTEA_OID || n < 2 || v[0] != '\\' || v[1] != 'x') {
        *len = n; /* not bytea: the text bytes as they are */
        return v;
    }
    size_t out_len = (n - 2) / 2;
    unsigned char *out = zg_arena_alloc(&r->arena, out_len ? out_len : 1);
    if (!out) {
        zg_log_error("postgres: out of memory decoding a %zu-byte blob", out_len);
        return NULL;
    }
    for (size_t i = 0; i < out_len; i++) {
        int hi = hexval(v[2 + 2 * i]), lo = hexval(v[3 + 2 * i]);
        if (hi < 0 || lo < 0) {
            zg_log_error("postgres: malformed bytea text in column %d", col);
            return NULL;
        }
        out[i] = (unsigned char)(hi << 4 | lo);
    }
    *len = out_len;
    return out;
}

static void pg_close_rows(zg_rows_t *base)
{
    pg_rows *r = PR(base);
    PQclear(r->res);
    r->res = NULL;
    r->nrows = r->ncols = 0;
    r->row = -1;
    zg_arena_reset(&r->arena);
}

const zg_db_ops_t zg_db_pg_ops = {
    .name = "postgres",
    .connect = pg_connect,
    .disconnect = pg_disconnect,
    .stmt_free = pg_stmt_free,
    .exec_script = pg_exec_script,
    .begin = pg_begin,
    .commit = pg_commit,
    .rollback = pg_rollback,
    .exec = pg_exec,
    .query = pg_query,
    .next = pg_next,
    .ncols = pg_ncols,
    .colname = pg_colname,
    .isnull = pg_isnull,
    .get_int = pg_int,
    .get_double = pg_double,
    .get_text = pg_text,
    .get_blob = pg_blob,
    .close_rows = pg_close_rows,
};
