/* db.c — the backend-independent half of db.h: opening a handle by URL kind, the per-thread
 * connection registry, the prepared-statement cache, transaction bookkeeping, cursors,
 * migrations and the DDL tokens. The SQL itself runs in sqlite.c or pg.c.
 *
 * Threads: each zg_db_t has a pthread key whose value in a thread is that thread's
 * connection. Every connection is also on db->conns (under db->mu) so zg_db_close can close
 * them all; a thread that exits closes its own connection (the key's destructor). */
#include "db/db_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "core/log.h"
#include "core/strbuf.h"

/* ---- errors ----------------------------------------------------------------------------- */

int zg_db_err_internal(zg_error_t *err, const char *detail)
{
    return zg_error_set(err, ZG_ERR_INTERNAL, "db_internal", "系统内部错误", "db: %s", detail);
}

static int err_nomem(zg_error_t *err)
{
    return zg_error_set(err, ZG_ERR_NOMEM, "no_memory", "系统内存不足", "db: out of memory");
}

/* ---- statement cache -------------------------------------------------------------------- */

static uint64_t fnv1a(const char *s)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 0x100000001b3ULL;
    }
    return h;
}

static void lru_unlink(zg_stmt_cache_t *k, zg_stmt_entry_t *e)
{
    if (e->lru_prev)
        e->lru_prev->lru_next = e->lru_next;
    else
        k->lru_head = e->lru_next;
    if (e->lru_next)
        e->lru_next->lru_prev = e->lru_prev;
    else
        k->lru_tail = e->lru_prev;
    e->lru_prev = e->lru_next = NULL;
}

static void lru_push_front(zg_stmt_cache_t *k, zg_stmt_entry_t *e)
{
    e->lru_prev = NULL;
    e->lru_next = k->lru_head;
    if (k->lru_head)
        k->lru_head->lru_prev = e;
    k->lru_head = e;
    if (!k->lru_tail)
        k->lru_tail = e;
}

void *zg_stmt_cache_get(zg_conn_t *c, const char *sql)
{
    zg_stmt_cache_t *k = &c->cache;
    uint64_t h = fnv1a(sql);
    for (zg_stmt_entry_t *e = k->buckets[h & (ZG_STMT_CACHE_BUCKETS - 1)]; e; e = e->hnext) {
        if (e->hash == h && strcmp(e->sql, sql) == 0) {
            if (k->lru_head != e) {
                lru_unlink(k, e);
                lru_push_front(k, e);
            }
            c->n_cache_hit++;
            return e->stmt;
        }
    }
    return NULL;
}

/* Removes `e` from its bucket chain, the LRU list and the count, and frees it (and its
 * statement when free_stmt). */
static void cache_drop(zg_conn_t *c, zg_stmt_entry_t *e, bool free_stmt)
{
    zg_stmt_cache_t *k = &c->cache;
    zg_stmt_entry_t **pp = &k->buckets[e->hash & (ZG_STMT_CACHE_BUCKETS - 1)];
    while (*pp != e)
        pp = &(*pp)->hnext;
    *pp = e->hnext;
    lru_unlink(k, e);
    k->count--;
    if (free_stmt)
        c->db->ops->stmt_free(c, e->stmt);
    free(e->sql);
    free(e);
}

int zg_stmt_cache_put(zg_conn_t *c, const char *sql, void *stmt)
{
    zg_stmt_cache_t *k = &c->cache;
    zg_stmt_entry_t *e = calloc(1, sizeof *e);
    if (!e)
        return ZG_ERR_NOMEM;
    e->sql = strdup(sql);
    if (!e->sql) {
        free(e);
        return ZG_ERR_NOMEM;
    }
    if (k->count >= ZG_STMT_CACHE_CAP && k->lru_tail)
        cache_drop(c, k->lru_tail, true);
    e->hash = fnv1a(sql);
    e->stmt = stmt;
    size_t b = e->hash & (ZG_STMT_CACHE_BUCKETS - 1);
    e->hnext = k->buckets[b];
    k->buckets[b] = e;
    lru_push_front(k, e);
    k->count++;
    c->n_prepared++;
    return ZG_OK;
}

void zg_stmt_cache_clear(zg_conn_t *c, bool free_stmts)
{
    while (c->cache.lru_head)
        cache_drop(c, c->cache.lru_head, free_stmts);
}

/* ---- handle and connections ------------------------------------------------------------- */

static bool is_pg_url(const char *url)
{
    return strncmp(url, "postgres://", 11) == 0 || strncmp(url, "postgresql://", 13) == 0;
}

char *zg_db_mask_url(const char *url)
{
    zg_strbuf_t sb;
    zg_strbuf_init(&sb, NULL, 4096);
    const char *p = url;
    const char *scheme = strstr(url, "://");
    if (scheme) {
        const char *auth = scheme + 3;
        size_t alen = strcspn(auth, "/?#");
        const char *at = NULL;
        for (const char *q = auth; q < auth + alen; q++)
            if (*q == '@')
                at = q; /* the last '@' of the authority ends the user info */
        const char *colon = at ? memchr(auth, ':', (size_t)(at - auth)) : NULL;
        if (colon) {
            zg_strbuf_append(&sb, url, (size_t)(colon + 1 - url));
            zg_strbuf_puts(&sb, "***");
            p = at;
        }
    }
    while (*p) {
        const char *pw = strstr(p, "password=");
        if (!pw || (pw != url && pw[-1] != '?' && pw[-1] != '&' && pw[-1] != ' ')) {
            if (!pw) {
                zg_strbuf_puts(&sb, p);
                break;
            }
            zg_strbuf_append(&sb, p, (size_t)(pw + 9 - p));
            p = pw + 9;
            continue;
        }
        zg_strbuf_append(&sb, p, (size_t)(pw + 9 - p));
        zg_strbuf_puts(&sb, "***");
        p = pw + 9 + strcspn(pw + 9, "& ");
    }
    if (sb.overflow) {
        zg_strbuf_free(&sb);
        return strdup("(url too long)");
    }
    if (!sb.data)
        return strdup("");
    return sb.data; /* malloc'd, ownership passes to the caller */
}

/* Closes one connection: its cursor, its transaction, its statements, itself. The caller has
 * already unlinked it from db->conns. */
static void conn_destroy(zg_conn_t *c)
{
    const zg_db_ops_t *ops = c->db->ops;
    if (c->cursor) {
        ops->close_rows(c->cursor);
        c->cursor = NULL;
    }
    if (c->in_tx)
        ops->rollback(c);
    ops->disconnect(c); /* also empties the statement cache */
}

static void conn_unlink(zg_db_t *db, zg_conn_t *c)
{
    if (c->prev)
        c->prev->next = c->next;
    else
        db->conns = c->next;
    if (c->next)
        c->next->prev = c->prev;
    c->prev = c->next = NULL;
}

/* pthread key destructor: the thread is exiting, so its connection goes with it. */
static void conn_thread_exit(void *p)
{
    zg_conn_t *c = p;
    zg_db_t *db = c->db;
    pthread_mutex_lock(&db->mu);
    conn_unlink(db, c);
    pthread_mutex_unlock(&db->mu);
    conn_destroy(c);
}

int zg_db_open(const char *url, zg_db_t **out, zg_error_t *err)
{
    *out = NULL;
    if (!url || !*url)
        return zg_error_set(err, ZG_ERR_INVALID, "db_url", "未配置数据库地址",
                            "db: empty database URL");
    if (strcmp(url, ":memory:") == 0)
        return zg_error_set(err, ZG_ERR_INVALID, "db_url", "数据库地址无效",
                            "db: ':memory:' is not supported (each thread has its own "
                            "connection, so each would see a different database)");
    zg_db_t *db = calloc(1, sizeof *db);
    if (!db)
        return err_nomem(err);
    db->kind = is_pg_url(url) ? ZG_DB_POSTGRES : ZG_DB_SQLITE;
    db->ops = db->kind == ZG_DB_POSTGRES ? &zg_db_pg_ops : &zg_db_sqlite_ops;
    db->url = strdup(url);
    db->display_url = zg_db_mask_url(url);
    if (!db->url || !db->display_url) {
        free(db->url);
        free(db->display_url);
        free(db);
        return err_nomem(err);
    }
    if (pthread_key_create(&db->key, conn_thread_exit) != 0) {
        free(db->url);
        free(db->display_url);
        free(db);
        return zg_error_set(err, ZG_ERR_INTERNAL, "db_internal", "系统内部错误",
                            "db: pthread_key_create failed");
    }
    pthread_mutex_init(&db->mu, NULL);
    /* Check that a connection can be made; it stays as this thread's connection. */
    if (!zg_db_conn(db, err)) {
        zg_db_close(db);
        return err ? err->status : ZG_ERR_DB;
    }
    *out = db;
    return ZG_OK;
}

void zg_db_close(zg_db_t *db)
{
    if (!db)
        return;
    pthread_mutex_lock(&db->mu);
    zg_conn_t *list = db->conns;
    db->conns = NULL;
    pthread_mutex_unlock(&db->mu);
    while (list) {
        zg_conn_t *next = list->next;
        conn_destroy(list);
        list = next;
    }
    pthread_setspecific(db->key, NULL);
    pthread_key_delete(db->key);
    pthread_mutex_destroy(&db->mu);
    free(db->url);
    free(db->display_url);
    free(db);
}

zg_db_kind zg_db_kind_of(const zg_db_t *db)
{
    return db->kind;
}

zg_db_t *zg_conn_db(const zg_conn_t *c)
{
    return c->db;
}

const char *zg_db_display_url(const zg_db_t *db)
{
    return db->display_url;
}

void zg_db_settle(zg_db_t *db)
{
    zg_conn_t *c = db ? pthread_getspecific(db->key) : NULL;
    if (!c)
        return;
    if (c->cursor || c->in_tx) {
        zg_log_warn("db: a request left a %s open; ended", c->in_tx ? "transaction" : "cursor");
        zg_db_rollback(c);
    }
    if (c->db->ops->settle)
        c->db->ops->settle(c);
}

zg_conn_t *zg_db_conn(zg_db_t *db, zg_error_t *err)
{
    zg_conn_t *c = pthread_getspecific(db->key);
    if (c)
        return c;
    if (db->ops->connect(db, &c, err) != ZG_OK)
        return NULL;
    c->db = db;
    if (pthread_setspecific(db->key, c) != 0) {
        db->ops->disconnect(c);
        zg_db_err_internal(err, "pthread_setspecific failed");
        return NULL;
    }
    pthread_mutex_lock(&db->mu);
    c->next = db->conns;
    if (db->conns)
        db->conns->prev = c;
    db->conns = c;
    pthread_mutex_unlock(&db->mu);
    return c;
}

/* ---- statements ------------------------------------------------------------------------- */

/* Refuses a statement while this connection's cursor is open: the backends cannot interleave
 * (a PostgreSQL connection holds one result at a time; a SQLite statement would be reset). */
static int check_idle(zg_conn_t *c, const char *what, zg_error_t *err)
{
    if (c->cursor) {
        zg_log_error("db: %s while a cursor is open on this connection (close it first)", what);
        return zg_error_set(err, ZG_ERR_INTERNAL, "db_internal", "系统内部错误",
                            "db: %s while a cursor is open on this connection", what);
    }
    return ZG_OK;
}

static int check_params(const char *sql, const zg_param_t *params, int nparams, zg_error_t *err)
{
    if (!sql)
        return zg_db_err_internal(err, "NULL SQL text");
    if (nparams < 0 || nparams > ZG_DB_MAX_PARAMS || (nparams > 0 && !params))
        return zg_db_err_internal(err, "bad parameter count");
    for (int i = 0; i < nparams; i++) {
        if ((params[i].type == ZG_PT_TEXT && !params[i].s) ||
            (params[i].type == ZG_PT_BLOB && !params[i].s && params[i].len > 0))
            return zg_error_set(err, ZG_ERR_INTERNAL, "db_internal", "系统内部错误",
                                "db: parameter $%d has a NULL pointer", i + 1);
        if (params[i].type < ZG_PT_NULL || params[i].type > ZG_PT_DOUBLE)
            return zg_error_set(err, ZG_ERR_INTERNAL, "db_internal", "系统内部错误",
                                "db: parameter $%d has an unknown type", i + 1);
    }
    return ZG_OK;
}

int zg_db_begin(zg_conn_t *c, zg_tx_mode mode, zg_error_t *err)
{
    int rc = check_idle(c, "begin", err);
    if (rc)
        return rc;
    if (c->in_tx)
        return zg_db_err_internal(err, "begin inside a transaction (nesting is not supported)");
    rc = c->db->ops->begin(c, mode, err);
    if (rc == ZG_OK) {
        c->in_tx = true;
        c->tx_mode = mode;
    }
    return rc;
}

int zg_db_commit(zg_conn_t *c, zg_error_t *err)
{
    int rc = check_idle(c, "commit", err);
    if (rc)
        return rc;
    if (!c->in_tx)
        return zg_db_err_internal(err, "commit outside a transaction");
    return c->db->ops->commit(c, err);
}

void zg_db_rollback(zg_conn_t *c)
{
    if (!c)
        return;
    if (c->cursor) {
        /* A cursor still open means the caller jumped out of a loop on error; close it so
         * the rollback can run. Its zg_rows_t must not be used again. */
        zg_log_warn("db: rollback closed a cursor that was still open");
        c->db->ops->close_rows(c->cursor);
        c->cursor = NULL;
    }
    if (c->in_tx)
        c->db->ops->rollback(c);
    c->in_tx = false;
}

int zg_db_exec(zg_conn_t *c, const char *sql, const zg_param_t *params, int nparams,
               int64_t *changes, zg_error_t *err)
{
    if (changes)
        *changes = 0;
    int rc = check_idle(c, "statement", err);
    if (!rc)
        rc = check_params(sql, params, nparams, err);
    if (rc)
        return rc;
    return c->db->ops->exec(c, sql, params, nparams, changes, err);
}

int zg_db_query(zg_conn_t *c, const char *sql, const zg_param_t *params, int nparams,
                zg_rows_t **out, zg_error_t *err)
{
    *out = NULL;
    int rc = check_idle(c, "query", err);
    if (!rc)
        rc = check_params(sql, params, nparams, err);
    if (rc)
        return rc;
    zg_rows_t *r = NULL;
    rc = c->db->ops->query(c, sql, params, nparams, &r, err);
    if (rc)
        return rc;
    r->conn = c;
    r->open = true;
    c->cursor = r;
    *out = r;
    return ZG_OK;
}

int zg_rows_next(zg_rows_t *r, zg_error_t *err)
{
    if (!r || !r->open)
        return zg_db_err_internal(err, "next on a closed cursor");
    return r->conn->db->ops->next(r, err);
}

int zg_rows_ncols(zg_rows_t *r)
{
    return r->conn->db->ops->ncols(r);
}

const char *zg_rows_colname(zg_rows_t *r, int col)
{
    if (col < 0 || col >= zg_rows_ncols(r))
        return "";
    return r->conn->db->ops->colname(r, col);
}

/* Column accessors return the NULL value's stand-in for an out-of-range column rather than
 * reading past the row. */
static bool col_ok(zg_rows_t *r, int col)
{
    return r && r->open && col >= 0 && col < r->conn->db->ops->ncols(r);
}

bool zg_rows_isnull(zg_rows_t *r, int col)
{
    return !col_ok(r, col) || r->conn->db->ops->isnull(r, col);
}

int64_t zg_rows_int(zg_rows_t *r, int col)
{
    return col_ok(r, col) ? r->conn->db->ops->get_int(r, col) : 0;
}

double zg_rows_double(zg_rows_t *r, int col)
{
    return col_ok(r, col) ? r->conn->db->ops->get_double(r, col) : 0.0;
}

const char *zg_rows_text(zg_rows_t *r, int col)
{
    if (!col_ok(r, col))
        return "";
    const char *s = r->conn->db->ops->get_text(r, col);
    return s ? s : "";
}

const void *zg_rows_blob(zg_rows_t *r, int col, size_t *len)
{
    *len = 0;
    return col_ok(r, col) ? r->conn->db->ops->get_blob(r, col, len) : NULL;
}

void zg_rows_close(zg_rows_t *r)
{
    if (!r || !r->open)
        return;
    zg_conn_t *c = r->conn;
    c->db->ops->close_rows(r);
    r->open = false;
    if (c->cursor == r)
        c->cursor = NULL;
}

/* Whether sql starts with INSERT, UPDATE or DELETE (after blanks), in any case. */
static bool is_write(const char *sql)
{
    while (*sql == ' ' || *sql == '\n' || *sql == '\t' || *sql == '\r')
        sql++;
    return !strncasecmp(sql, "INSERT", 6) || !strncasecmp(sql, "UPDATE", 6) ||
           !strncasecmp(sql, "DELETE", 6);
}

int zg_db_query_int(zg_conn_t *c, const char *sql, const zg_param_t *params, int nparams,
                    int64_t *out, zg_error_t *err)
{
    zg_rows_t *r;
    int rc = zg_db_query(c, sql, params, nparams, &r, err);
    if (rc)
        return rc;
    rc = zg_rows_next(r, err);
    if (rc == 1) {
        *out = zg_rows_int(r, 0);
        rc = ZG_OK;
        /* A write with RETURNING (INSERT … RETURNING id) commits, in autocommit mode, when it
         * steps to its end: on SQLite, stopping at the row and resetting can leave the commit
         * undone or its error unreported, and other connections would not see the row. Step
         * it to the end so the commit happens (and fails) here. */
        if (is_write(sql)) {
            int k;
            while ((k = zg_rows_next(r, err)) == 1)
                ;
            if (k < 0)
                rc = k;
        }
    } else if (rc == 0) {
        rc = zg_error_set(err, ZG_ERR_NOT_FOUND, "not_found", "数据不存在",
                          "db: query returned no row");
    }
    zg_rows_close(r);
    return rc;
}

/* ---- DDL tokens ------------------------------------------------------------------------- */

static const struct {
    const char *token;
    const char *sqlite;
    const char *pg;
} ddl_tokens[] = {
    {"ID", "INTEGER PRIMARY KEY AUTOINCREMENT",
     "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY"},
    {"BLOB", "BLOB", "BYTEA"},
    {"TEXT", "TEXT", "TEXT"},
    {"BIGINT", "INTEGER", "BIGINT"},
    /* 0/1 in both, so DML is the same text ("WHERE enabled = 1") */
    {"BOOL", "INTEGER", "SMALLINT"},
    {"NOW", "(strftime('%Y-%m-%d %H:%M:%S','now'))",
     "(to_char(now() AT TIME ZONE 'UTC','YYYY-MM-DD HH24:MI:SS'))"},
};

const char *zg_db_ddl(zg_db_kind kind, const char *token)
{
    if (!token)
        return NULL;
    size_t n = strlen(token);
    if (n >= 4 && strncmp(token, "{{", 2) == 0 && strcmp(token + n - 2, "}}") == 0) {
        token += 2;
        n -= 4;
    }
    for (size_t i = 0; i < sizeof ddl_tokens / sizeof ddl_tokens[0]; i++) {
        if (strlen(ddl_tokens[i].token) == n && strncmp(ddl_tokens[i].token, token, n) == 0)
            return kind == ZG_DB_POSTGRES ? ddl_tokens[i].pg : ddl_tokens[i].sqlite;
    }
    return NULL;
}

int zg_db_substitute(zg_db_kind kind, const char *sql, char **out, zg_error_t *err)
{
    *out = NULL;
    zg_strbuf_t sb;
    /* every token expands to < 64 bytes and takes >= 5, so 16x the input bounds the output */
    size_t in_len = strlen(sql);
    zg_strbuf_init(&sb, NULL, in_len > SIZE_MAX / 16 - 1 ? SIZE_MAX / 2 : in_len * 16 + 1);
    const char *p = sql;
    for (;;) {
        const char *open = strstr(p, "{{");
        if (!open) {
            zg_strbuf_puts(&sb, p);
            break;
        }
        zg_strbuf_append(&sb, p, (size_t)(open - p));
        const char *close = strstr(open + 2, "}}");
        size_t tlen = close ? (size_t)(close - open - 2) : 0;
        char token[32];
        if (!close || tlen == 0 || tlen >= sizeof token) {
            zg_strbuf_free(&sb);
            return zg_error_set(err, ZG_ERR_INTERNAL, "db_migration", "数据库升级脚本有误",
                                "db: malformed DDL token near \"%.20s\"", open);
        }
        memcpy(token, open + 2, tlen);
        token[tlen] = '\0';
        const char *rep = zg_db_ddl(kind, token);
        if (!rep) {
            zg_strbuf_free(&sb);
            return zg_error_set(err, ZG_ERR_INTERNAL, "db_migration", "数据库升级脚本有误",
                                "db: unknown DDL token {{%s}}", token);
        }
        zg_strbuf_puts(&sb, rep);
        p = close + 2;
    }
    if (sb.overflow) {
        zg_strbuf_free(&sb);
        return err_nomem(err);
    }
    if (!sb.data) {
        *out = strdup("");
        return *out ? ZG_OK : err_nomem(err);
    }
    *out = sb.data;
    return ZG_OK;
}

/* ---- migrations ------------------------------------------------------------------------- */

/* Any constant: the key of the PostgreSQL advisory lock that serializes migrations. */
#define MIGRATION_LOCK_KEY 0x7a67646220696e69LL /* "zgdb ini" */

static const char *migration_table_sql =
    "CREATE TABLE IF NOT EXISTS schema_migration (version INTEGER PRIMARY KEY, "
    "name TEXT NOT NULL, applied_at TEXT NOT NULL)";

/* Parses "NNNN_name.sql": the version and the name (into name, at most cap-1 bytes). */
static int parse_migration_name(const char *file, int *version, char *name, size_t cap)
{
    const char *p = file;
    long v = 0;
    int digits = 0;
    while (*p >= '0' && *p <= '9' && digits < 9) {
        v = v * 10 + (*p - '0');
        p++;
        digits++;
    }
    size_t n = strlen(file);
    if (digits == 0 || *p != '_' || n < 5 || strcmp(file + n - 4, ".sql") != 0 || v <= 0)
        return -1;
    p++;
    size_t nlen = (size_t)(file + n - 4 - p);
    if (nlen == 0 || nlen >= cap)
        return -1;
    memcpy(name, p, nlen);
    name[nlen] = '\0';
    *version = (int)v;
    return 0;
}

/* Begins a write transaction that holds the migration lock: BEGIN IMMEDIATE already
 * serializes writers on SQLite; PostgreSQL takes a transaction-scoped advisory lock. */
static int begin_migration_tx(zg_conn_t *c, zg_error_t *err)
{
    int rc = zg_db_begin(c, ZG_TX_WRITE, err);
    if (rc)
        return rc;
    if (c->db->kind == ZG_DB_POSTGRES) {
        zg_param_t p[] = {ZG_P_INT(MIGRATION_LOCK_KEY)};
        rc = zg_db_exec(c, "SELECT pg_advisory_xact_lock($1::bigint)", p, 1, NULL, err);
        if (rc) {
            zg_db_rollback(c);
            return rc;
        }
    }
    return ZG_OK;
}

static int max_version(zg_conn_t *c, int64_t *v, zg_error_t *err)
{
    return zg_db_query_int(c, "SELECT COALESCE(MAX(version), 0) FROM schema_migration", NULL, 0, v,
                           err);
}

static void utc_now(char *buf, size_t cap)
{
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(buf, cap, "%Y-%m-%d %H:%M:%S", &tm);
}

static int apply_one(zg_conn_t *c, int version, const char *name, const char *sql, bool *applied,
                     zg_error_t *err)
{
    *applied = false;
    char *text = NULL;
    int rc = zg_db_substitute(c->db->kind, sql, &text, err);
    if (rc) {
        zg_log_error("db: migration %04d_%s: %s", version, name, err ? err->detail : "");
        return rc;
    }
    rc = begin_migration_tx(c, err);
    if (rc) {
        free(text);
        return rc;
    }
    int64_t have = 0;
    zg_param_t pv[] = {ZG_P_INT(version)};
    rc = zg_db_query_int(c, "SELECT COUNT(*) FROM schema_migration WHERE version = $1", pv, 1,
                         &have, err);
    if (rc == ZG_OK && have == 0) {
        rc = c->db->ops->exec_script(c, text, err);
        if (rc == ZG_OK) {
            char now[32];
            utc_now(now, sizeof now);
            zg_param_t p[] = {ZG_P_INT(version), ZG_P_TEXT(name), ZG_P_TEXT(now)};
            rc = zg_db_exec(c,
                            "INSERT INTO schema_migration (version, name, applied_at) "
                            "VALUES ($1, $2, $3)",
                            p, 3, NULL, err);
        }
        if (rc == ZG_OK) {
            rc = zg_db_commit(c, err);
            *applied = rc == ZG_OK;
        }
    } else if (rc == ZG_OK) {
        rc = zg_db_commit(c, err); /* another process applied it meanwhile */
    }
    if (rc) {
        zg_db_rollback(c);
        zg_log_error("db: migration %04d_%s failed: %s", version, name, err ? err->detail : "");
    }
    free(text);
    return rc;
}

int zg_db_migrate_files(zg_db_t *db, const struct zg_embedded_file *files, int *applied,
                        zg_error_t *err)
{
    if (applied)
        *applied = 0;
    zg_conn_t *c = zg_db_conn(db, err);
    if (!c)
        return err ? err->status : ZG_ERR_DB;

    /* The binary's newest version, checking names and order first. */
    int newest = 0;
    char name[128];
    for (const struct zg_embedded_file *f = files; f->name; f++) {
        int v;
        if (parse_migration_name(f->name, &v, name, sizeof name) != 0)
            return zg_error_set(err, ZG_ERR_INTERNAL, "db_migration", "数据库升级脚本有误",
                                "db: migration file name \"%s\" is not NNNN_name.sql", f->name);
        if (v <= newest)
            return zg_error_set(err, ZG_ERR_INTERNAL, "db_migration", "数据库升级脚本有误",
                                "db: migration %s is out of order or duplicated", f->name);
        newest = v;
    }

    /* Create the bookkeeping table and refuse a database newer than this binary. */
    int rc = begin_migration_tx(c, err);
    if (rc)
        return rc;
    int64_t have = 0;
    rc = c->db->ops->exec_script(c, migration_table_sql, err);
    if (!rc)
        rc = max_version(c, &have, err);
    if (!rc)
        rc = zg_db_commit(c, err);
    if (rc) {
        zg_db_rollback(c);
        return rc;
    }
    if (have > newest) {
        zg_log_error("db: database schema version %lld is newer than this program's %d",
                     (long long)have, newest);
        return zg_error_set(err, ZG_ERR_CONFLICT, "db_too_new", "数据库版本比程序新，请升级程序",
                            "db: schema version %lld is newer than this program knows (%d)",
                            (long long)have, newest);
    }

    for (const struct zg_embedded_file *f = files; f->name; f++) {
        int v;
        parse_migration_name(f->name, &v, name, sizeof name);
        if (v <= have)
            continue; /* cheap skip; apply_one re-checks under the lock */
        bool did = false;
        rc = apply_one(c, v, name, f->data, &did, err);
        if (rc)
            return rc;
        if (did) {
            zg_log_info("db: applied migration %s", f->name);
            if (applied)
                (*applied)++;
        }
    }
    return ZG_OK;
}

int zg_db_migrate(zg_db_t *db, int *applied, zg_error_t *err)
{
    return zg_db_migrate_files(db, zg_embedded, applied, err);
}

int zg_db_schema_version(zg_db_t *db, int *version, zg_error_t *err)
{
    *version = 0;
    zg_conn_t *c = zg_db_conn(db, err);
    if (!c)
        return err ? err->status : ZG_ERR_DB;
    const char *exists_sql =
        db->kind == ZG_DB_POSTGRES
            ? "SELECT COUNT(*) FROM pg_catalog.pg_tables WHERE tablename = 'schema_migration' "
              "AND schemaname = ANY (current_schemas(false))"
            : "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = "
              "'schema_migration'";
    int64_t n = 0;
    int rc = zg_db_query_int(c, exists_sql, NULL, 0, &n, err);
    if (rc || n == 0)
        return rc;
    int64_t v = 0;
    rc = max_version(c, &v, err);
    if (rc == ZG_OK)
        *version = (int)v;
    return rc;
}
