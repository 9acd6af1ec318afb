/* sqlite.c — the SQLite backend of db.h: one sqlite3 handle per thread (opened NOMUTEX: a
 * connection is never shared between threads), WAL journal, foreign keys on, a 5 s busy
 * timeout, and a cache of prepared statements per connection.
 *
 * Writers: a write transaction is BEGIN IMMEDIATE, so it takes the write lock at its start
 * and waits (busy_timeout) for another writer instead of failing later on a lock upgrade; in
 * WAL mode readers never block it. A read transaction is BEGIN DEFERRED with
 * PRAGMA query_only=1, so a write inside it fails here exactly as it does on PostgreSQL
 * (READ ONLY) and the bug shows on both backends. */
#include "db/db_internal.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"

typedef struct sq_rows {
    zg_rows_t base;
    sqlite3_stmt *stmt;
    bool done; /* SQLITE_DONE seen: stepping again would re-run the statement */
} sq_rows;

typedef struct sq_conn {
    zg_conn_t base;
    sqlite3 *h;
    sq_rows rows; /* the one cursor of this connection */
} sq_conn;

static sq_conn *SQ(zg_conn_t *c)
{
    return (sq_conn *)c;
}

static sq_rows *SR(zg_rows_t *r)
{
    return (sq_rows *)r;
}

/* Maps a failed SQLite call to a zg_status with a Chinese message. */
static int sq_error(sqlite3 *h, int rc, zg_error_t *err)
{
    int xrc = h ? sqlite3_extended_errcode(h) : rc;
    const char *msg = h ? sqlite3_errmsg(h) : sqlite3_errstr(rc);
    switch (xrc) {
    case SQLITE_CONSTRAINT_UNIQUE:
    case SQLITE_CONSTRAINT_PRIMARYKEY:
        return zg_error_set(err, ZG_ERR_CONFLICT, "db_duplicate", "数据重复", "sqlite: %s (%d)",
                            msg, xrc);
    case SQLITE_CONSTRAINT_FOREIGNKEY:
        return zg_error_set(err, ZG_ERR_CONFLICT, "db_reference", "数据仍被引用或引用不存在",
                            "sqlite: %s (%d)", msg, xrc);
    case SQLITE_CONSTRAINT_CHECK:
    case SQLITE_CONSTRAINT_NOTNULL:
        return zg_error_set(err, ZG_ERR_INVALID, "db_constraint", "数据不符合要求",
                            "sqlite: %s (%d)", msg, xrc);
    default:
        break;
    }
    switch (xrc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        return zg_error_set(err, ZG_ERR_BUSY, "db_busy", "数据库繁忙，请稍后重试",
                            "sqlite: %s (%d)", msg, xrc);
    case SQLITE_READONLY:
        return zg_error_set(err, ZG_ERR_INTERNAL, "db_internal", "系统内部错误",
                            "sqlite: %s (%d) (a write in a read transaction?)", msg, xrc);
    case SQLITE_NOMEM:
        return zg_error_set(err, ZG_ERR_NOMEM, "no_memory", "系统内存不足", "sqlite: %s (%d)", msg,
                            xrc);
    case SQLITE_CONSTRAINT:
        return zg_error_set(err, ZG_ERR_CONFLICT, "db_constraint", "数据与已有数据冲突",
                            "sqlite: %s (%d)", msg, xrc);
    default:
        return zg_error_set(err, ZG_ERR_DB, "db_error", "数据库操作失败", "sqlite: %s (%d)", msg,
                            xrc);
    }
}

/* After a failed statement SQLite may have rolled the transaction back by itself
 * (SQLITE_FULL, IOERR, NOMEM, some BUSY cases): keep in_tx true to the truth. */
static void sync_tx(sq_conn *c)
{
    if (c->base.in_tx && sqlite3_get_autocommit(c->h)) {
        c->base.in_tx = false;
        if (c->base.tx_mode == ZG_TX_READ)
            sqlite3_exec(c->h, "PRAGMA query_only=0", NULL, NULL, NULL);
    }
}

static int sq_connect(zg_db_t *db, zg_conn_t **out, zg_error_t *err)
{
    *out = NULL;
    if (!sqlite3_threadsafe())
        return zg_error_set(err, ZG_ERR_INTERNAL, "db_internal", "系统内部错误",
                            "sqlite: library built without thread support");
    sq_conn *c = calloc(1, sizeof *c);
    if (!c)
        return zg_error_set(err, ZG_ERR_NOMEM, "no_memory", "系统内存不足", "db: out of memory");
    int rc = sqlite3_open_v2(
        db->url, &c->h, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
    if (rc != SQLITE_OK) {
        zg_error_set(err, ZG_ERR_DB, "db_open", "无法打开数据库", "sqlite: open %s: %s",
                     db->display_url, c->h ? sqlite3_errmsg(c->h) : sqlite3_errstr(rc));
        sqlite3_close(c->h);
        free(c);
        return ZG_ERR_DB;
    }
    sqlite3_extended_result_codes(c->h, 1);
    /* busy_timeout first: switching to WAL needs a lock another connection may hold. */
    sqlite3_busy_timeout(c->h, 5000);
    static const char *pragmas = "PRAGMA journal_mode=WAL; PRAGMA foreign_keys=ON; "
                                 "PRAGMA synchronous=NORMAL;";
    char *msg = NULL;
    rc = sqlite3_exec(c->h, pragmas, NULL, NULL, &msg);
    if (rc != SQLITE_OK) {
        zg_error_set(err, rc == SQLITE_BUSY ? ZG_ERR_BUSY : ZG_ERR_DB, "db_open", "无法打开数据库",
                     "sqlite: %s: %s", db->display_url, msg ? msg : sqlite3_errstr(rc));
        sqlite3_free(msg);
        sqlite3_close(c->h);
        free(c);
        return err ? err->status : ZG_ERR_DB;
    }
    /* Verify the file is a database now rather than at the first query. */
    rc = sqlite3_exec(c->h, "SELECT count(*) FROM sqlite_master", NULL, NULL, &msg);
    if (rc != SQLITE_OK) {
        zg_error_set(err, ZG_ERR_DB, "db_open", "无法打开数据库", "sqlite: %s: %s", db->display_url,
                     msg ? msg : sqlite3_errstr(rc));
        sqlite3_free(msg);
        sqlite3_close(c->h);
        free(c);
        return ZG_ERR_DB;
    }
    *out = &c->base;
    return ZG_OK;
}

static void sq_disconnect(zg_conn_t *base)
{
    sq_conn *c = SQ(base);
    zg_stmt_cache_clear(base, true); /* finalize every statement before closing */
    /* close_v2 defers the close if a statement were still alive; none should be. */
    if (sqlite3_close_v2(c->h) != SQLITE_OK)
        zg_log_warn("sqlite: close: %s", sqlite3_errmsg(c->h));
    free(c);
}

static void sq_stmt_free(zg_conn_t *c, void *stmt)
{
    (void)c;
    sqlite3_finalize(stmt);
}

/* The cached statement for `sql`, compiling it on a miss. One statement per call: text after
 * the first statement (other than blanks and comments) is refused, as PostgreSQL refuses it. */
static int prepare(sq_conn *c, const char *sql, sqlite3_stmt **out, zg_error_t *err)
{
    sqlite3_stmt *st = zg_stmt_cache_get(&c->base, sql);
    if (st) {
        *out = st;
        return ZG_OK;
    }
    const char *tail = NULL;
    int rc = sqlite3_prepare_v3(c->h, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, &tail);
    if (rc != SQLITE_OK)
        return sq_error(c->h, rc, err);
    if (!st)
        return zg_db_err_internal(err, "empty SQL statement");
    if (tail && *tail) {
        sqlite3_stmt *more = NULL;
        rc = sqlite3_prepare_v2(c->h, tail, -1, &more, NULL);
        bool extra = rc != SQLITE_OK || more != NULL;
        sqlite3_finalize(more);
        if (extra) {
            sqlite3_finalize(st);
            return zg_db_err_internal(err, "more than one SQL statement in one call");
        }
    }
    if (zg_stmt_cache_put(&c->base, sql, st) != ZG_OK) {
        sqlite3_finalize(st);
        return zg_error_set(err, ZG_ERR_NOMEM, "no_memory", "系统内存不足", "db: out of memory");
    }
    *out = st;
    return ZG_OK;
}

/* Binds $1..$n by name. The statement must use exactly those n parameters. */
static int bind(sq_conn *c, sqlite3_stmt *st, const zg_param_t *params, int nparams,
                zg_error_t *err)
{
    int count = sqlite3_bind_parameter_count(st);
    if (count != nparams)
        return zg_error_set(err, ZG_ERR_INTERNAL, "db_internal", "系统内部错误",
                            "sqlite: statement has %d parameters, %d given", count, nparams);
    for (int i = 0; i < nparams; i++) {
        /* SQLite numbers named parameters in order of first appearance, so "$k" is usually
         * index k: check that by index (O(1)) and look the name up (a linear search, which
         * made binding quadratic in multi-row INSERTs) only when the SQL uses them out of
         * order. */
        int idx = i + 1;
        const char *at = sqlite3_bind_parameter_name(st, idx);
        char *end = NULL;
        if (!at || at[0] != '$' || strtol(at + 1, &end, 10) != idx || *end) {
            char name[16];
            snprintf(name, sizeof name, "$%d", i + 1);
            idx = sqlite3_bind_parameter_index(st, name);
            if (idx == 0)
                return zg_error_set(err, ZG_ERR_INTERNAL, "db_internal", "系统内部错误",
                                    "sqlite: parameter %s is not in the statement", name);
        }
        const zg_param_t *p = &params[i];
        int rc;
        switch (p->type) {
        case ZG_PT_INT:
            rc = sqlite3_bind_int64(st, idx, p->i);
            break;
        case ZG_PT_DOUBLE:
            rc = sqlite3_bind_double(st, idx, p->d);
            break;
        case ZG_PT_TEXT:
            rc = sqlite3_bind_text(st, idx, p->s, -1, SQLITE_STATIC);
            break;
        case ZG_PT_BLOB:
            /* a zero-length blob is an empty value, not NULL (bind_zeroblob for no pointer) */
            rc = p->len ? sqlite3_bind_blob64(st, idx, p->s, p->len, SQLITE_STATIC)
                        : sqlite3_bind_zeroblob(st, idx, 0);
            break;
        default:
            rc = sqlite3_bind_null(st, idx);
            break;
        }
        if (rc != SQLITE_OK)
            return sq_error(c->h, rc, err);
    }
    return ZG_OK;
}

/* Resets statements still stepping (a caller stopped reading rows without closing them) and
 * rolls back an implicit transaction left open; each is a bug worth a warning. */
static int sq_settle(zg_conn_t *base)
{
    sq_conn *c = (sq_conn *)base;
    int n = 0;
    for (sqlite3_stmt *st = sqlite3_next_stmt(c->h, NULL); st; st = sqlite3_next_stmt(c->h, st))
        if (sqlite3_stmt_busy(st)) {
            zg_log_warn("sqlite: statement left stepping, reset: %.160s", sqlite3_sql(st));
            sqlite3_reset(st);
            n++;
        }
    if (!sqlite3_get_autocommit(c->h)) {
        zg_log_warn("sqlite: transaction left open after a request; rolled back");
        sqlite3_exec(c->h, "ROLLBACK", NULL, NULL, NULL);
        n++;
    }
    return n;
}

static void release(sqlite3_stmt *st)
{
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
}

static int sq_exec(zg_conn_t *base, const char *sql, const zg_param_t *params, int nparams,
                   int64_t *changes, zg_error_t *err)
{
    sq_conn *c = SQ(base);
    sqlite3_stmt *st = NULL;
    int rc = prepare(c, sql, &st, err);
    if (rc)
        return rc;
    rc = bind(c, st, params, nparams, err);
    if (rc) {
        release(st);
        return rc;
    }
    sqlite3_int64 before = sqlite3_total_changes64(c->h);
    int s;
    while ((s = sqlite3_step(st)) == SQLITE_ROW)
        ;
    if (s != SQLITE_DONE) {
        rc = sq_error(c->h, s, err);
        release(st);
        sync_tx(c);
        return rc;
    }
    /* changes64 keeps the count of the last INSERT/UPDATE/DELETE, so report it only when
     * this statement changed something (DDL and SELECT report 0, as on PostgreSQL) */
    if (changes)
        *changes = sqlite3_total_changes64(c->h) != before ? sqlite3_changes64(c->h) : 0;
    release(st);
    return ZG_OK;
}

/* Runs a fixed statement (BEGIN, COMMIT, PRAGMA ...) through the cache. */
static int simple(sq_conn *c, const char *sql, zg_error_t *err)
{
    return sq_exec(&c->base, sql, NULL, 0, NULL, err);
}

static int sq_begin(zg_conn_t *base, zg_tx_mode mode, zg_error_t *err)
{
    sq_conn *c = SQ(base);
    if (mode == ZG_TX_WRITE)
        return simple(c, "BEGIN IMMEDIATE", err);
    int rc = simple(c, "BEGIN DEFERRED", err);
    if (rc)
        return rc;
    rc = simple(c, "PRAGMA query_only=1", err);
    if (rc)
        simple(c, "ROLLBACK", NULL);
    return rc;
}

static int sq_commit(zg_conn_t *base, zg_error_t *err)
{
    sq_conn *c = SQ(base);
    int rc = simple(c, "COMMIT", err);
    if (rc == ZG_OK || sqlite3_get_autocommit(c->h)) {
        if (base->tx_mode == ZG_TX_READ)
            simple(c, "PRAGMA query_only=0", NULL);
        base->in_tx = false;
    }
    /* else the transaction is still open (e.g. BUSY): the caller rolls back or retries */
    return rc;
}

static void sq_rollback(zg_conn_t *base)
{
    sq_conn *c = SQ(base);
    if (!sqlite3_get_autocommit(c->h)) {
        zg_error_t e;
        if (simple(c, "ROLLBACK", &e) != ZG_OK)
            zg_log_warn("sqlite: rollback: %s", e.detail);
    }
    if (base->tx_mode == ZG_TX_READ)
        simple(c, "PRAGMA query_only=0", NULL);
    base->in_tx = false;
}

static int sq_exec_script(zg_conn_t *base, const char *sql, zg_error_t *err)
{
    sq_conn *c = SQ(base);
    char *msg = NULL;
    int rc = sqlite3_exec(c->h, sql, NULL, NULL, &msg);
    if (rc == SQLITE_OK)
        return ZG_OK;
    /* sqlite3_exec's message is the same as errmsg, but keep it in case a later call on the
     * handle replaced it. */
    rc = sq_error(c->h, rc, err);
    if (err && msg)
        snprintf(err->detail, sizeof err->detail, "sqlite: %s", msg);
    sqlite3_free(msg);
    sync_tx(c);
    return rc;
}

static int sq_query(zg_conn_t *base, const char *sql, const zg_param_t *params, int nparams,
                    zg_rows_t **out, zg_error_t *err)
{
    sq_conn *c = SQ(base);
    sqlite3_stmt *st = NULL;
    int rc = prepare(c, sql, &st, err);
    if (rc)
        return rc;
    rc = bind(c, st, params, nparams, err);
    if (rc) {
        release(st);
        return rc;
    }
    c->rows.stmt = st;
    c->rows.done = false;
    *out = &c->rows.base;
    return ZG_OK;
}

static int sq_next(zg_rows_t *r, zg_error_t *err)
{
    sq_rows *sr = SR(r);
    if (sr->done)
        return 0;
    int s = sqlite3_step(sr->stmt);
    if (s == SQLITE_ROW)
        return 1;
    sr->done = true;
    if (s == SQLITE_DONE)
        return 0;
    sq_conn *c = SQ(r->conn);
    int rc = sq_error(c->h, s, err);
    sync_tx(c);
    return rc;
}

static int sq_ncols(zg_rows_t *r)
{
    return sqlite3_column_count(SR(r)->stmt);
}

static const char *sq_colname(zg_rows_t *r, int col)
{
    const char *n = sqlite3_column_name(SR(r)->stmt, col);
    return n ? n : "";
}

static bool sq_isnull(zg_rows_t *r, int col)
{
    return sqlite3_column_type(SR(r)->stmt, col) == SQLITE_NULL;
}

static int64_t sq_int(zg_rows_t *r, int col)
{
    return sqlite3_column_int64(SR(r)->stmt, col);
}

static double sq_double(zg_rows_t *r, int col)
{
    return sqlite3_column_double(SR(r)->stmt, col);
}

static const char *sq_text(zg_rows_t *r, int col)
{
    return (const char *)sqlite3_column_text(SR(r)->stmt, col);
}

static const void *sq_blob(zg_rows_t *r, int col, size_t *len)
{
    sqlite3_stmt *st = SR(r)->stmt;
    const void *p = sqlite3_column_blob(st, col); /* first: it may convert the value */
    *len = (size_t)sqlite3_column_bytes(st, col);
    return p;
}

static void sq_close_rows(zg_rows_t *r)
{
    sq_rows *sr = SR(r);
    if (sr->stmt)
        release(sr->stmt);
    sr->stmt = NULL;
}

const zg_db_ops_t zg_db_sqlite_ops = {
    .name = "sqlite",
    .connect = sq_connect,
    .disconnect = sq_disconnect,
    .stmt_free = sq_stmt_free,
    .exec_script = sq_exec_script,
    .begin = sq_begin,
    .commit = sq_commit,
    .rollback = sq_rollback,
    .exec = sq_exec,
    .query = sq_query,
    .next = sq_next,
    .ncols = sq_ncols,
    .colname = sq_colname,
    .isnull = sq_isnull,
    .get_int = sq_int,
    .get_double = sq_double,
    .get_text = sq_text,
    .get_blob = sq_blob,
    .close_rows = sq_close_rows,
    .settle = sq_settle,
};
