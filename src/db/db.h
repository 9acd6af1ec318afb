/* db.h — the one storage interface. Two real backends behind it: SQLite (embedded file, WAL)
 * and PostgreSQL (libpq). Modules write one SQL text for both, with $1..$n placeholders
 * (SQLite binds them by name, "$1" being a valid SQLite parameter name); where the dialects
 * differ in DDL, migrations use the tokens of zg_db_ddl() and only there.
 *
 * Threads: a zg_db_t is shared by all threads; each thread gets its own connection from
 * zg_db_conn() (opened lazily, kept for the thread's life, closed by zg_db_close). A
 * connection keeps a cache of prepared statements keyed by SQL text.
 *
 * Transactions: zg_db_begin(c, ZG_TX_WRITE) is BEGIN IMMEDIATE on SQLite (take the write lock
 * up front, so two writers never deadlock on upgrade) and BEGIN on PostgreSQL. Every write
 * that touches more than one row goes in a write transaction. The db layer knows nothing of
 * modules. */
#ifndef ZG_DB_DB_H
#define ZG_DB_DB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/status.h"

typedef enum { ZG_DB_SQLITE = 1, ZG_DB_POSTGRES = 2 } zg_db_kind;

typedef struct zg_db zg_db_t;     /* shared handle; owns all connections */
typedef struct zg_conn zg_conn_t; /* one thread's connection */
typedef struct zg_rows zg_rows_t; /* an open result (cursor) */

/* A bound parameter. Build them with the ZG_P_* macros:
 *   zg_param_t p[] = { ZG_P_INT(org_id), ZG_P_TEXT(name), ZG_P_NULL };
 * Text and blob pointers must stay valid until the query returns (for zg_db_query: until
 * zg_rows_close). */
typedef enum { ZG_PT_NULL = 0, ZG_PT_INT, ZG_PT_TEXT, ZG_PT_BLOB, ZG_PT_DOUBLE } zg_param_type;
typedef struct zg_param {
    zg_param_type type;
    int64_t i;
    double d;
    const char *s; /* text (NUL-terminated) or blob bytes */
    size_t len;    /* blob length */
} zg_param_t;

#define ZG_P_NULL       ((zg_param_t){.type = ZG_PT_NULL})
#define ZG_P_INT(v)     ((zg_param_t){.type = ZG_PT_INT, .i = (int64_t)(v)})
#define ZG_P_TEXT(v)    zg_p_text(v)
#define ZG_P_BLOB(p, n) ((zg_param_t){.type = ZG_PT_BLOB, .s = (const char *)(p), .len = (n)})
#define ZG_P_DOUBLE(v)  ((zg_param_t){.type = ZG_PT_DOUBLE, .d = (v)})

/* A text parameter; NULL binds SQL NULL. */
static inline zg_param_t zg_p_text(const char *s)
{
    return (zg_param_t){.type = s ? ZG_PT_TEXT : ZG_PT_NULL, .s = s};
}

typedef enum { ZG_TX_READ = 0, ZG_TX_WRITE = 1 } zg_tx_mode;

/* Opens a database. `url` is a file path (SQLite; created if missing) or
 * "postgres://..." / "postgresql://..." (PostgreSQL). Checks that one connection can be made
 * and returns the handle in *out. Does not migrate. */
int zg_db_open(const char *url, zg_db_t **out, zg_error_t *err);

/* Closes every connection of every thread and frees the handle. No thread may use the
 * handle or its connections afterwards. */
void zg_db_close(zg_db_t *db);

zg_db_kind zg_db_kind_of(const zg_db_t *db);

/* The end of a unit of work on this thread (the server calls it after every request): a
 * transaction or cursor left open is ended with a warning in the log, and on SQLite a
 * statement left stepping is reset — it would otherwise hold a read snapshot, and every later
 * read on this thread's connection would miss what other connections committed since. No-op
 * when the thread has no connection. */
void zg_db_settle(zg_db_t *db);
/* The database a connection belongs to (for caches bound to one database). */
zg_db_t *zg_conn_db(const zg_conn_t *c);
/* The URL with any password replaced by "***" (safe for logs). Owned by db. */
const char *zg_db_display_url(const zg_db_t *db);

/* The calling thread's connection, opened on first use. NULL (with err) if it cannot be
 * opened. Owned by db. */
zg_conn_t *zg_db_conn(zg_db_t *db, zg_error_t *err);

/* Applies every embedded migration (src/db/migrations/NNNN_name.sql) not yet recorded in
 * schema_migration, each in its own write transaction, in order. Safe to call concurrently
 * from several processes. *applied (may be NULL) receives how many were applied. */
int zg_db_migrate(zg_db_t *db, int *applied, zg_error_t *err);

/* The highest applied migration number (0 when none). */
int zg_db_schema_version(zg_db_t *db, int *version, zg_error_t *err);

/* Transactions. Nesting is not supported: begin while a transaction is open is
 * ZG_ERR_INTERNAL. */
int zg_db_begin(zg_conn_t *c, zg_tx_mode mode, zg_error_t *err);
int zg_db_commit(zg_conn_t *c, zg_error_t *err);
/* Always safe to call; a no-op outside a transaction. */
void zg_db_rollback(zg_conn_t *c);

/* Runs a statement that returns no rows. *changes (may be NULL) receives rows affected. */
int zg_db_exec(zg_conn_t *c, const char *sql, const zg_param_t *params, int nparams,
               int64_t *changes, zg_error_t *err);

/* Runs a query and opens a cursor over its rows. Close it with zg_rows_close before the next
 * statement on the same connection. */
int zg_db_query(zg_conn_t *c, const char *sql, const zg_param_t *params, int nparams,
                zg_rows_t **out, zg_error_t *err);

/* Advances to the next row: 1 = a row is there, 0 = no more rows, < 0 = error. */
int zg_rows_next(zg_rows_t *r, zg_error_t *err);
int zg_rows_ncols(zg_rows_t *r);
const char *zg_rows_colname(zg_rows_t *r, int col);
bool zg_rows_isnull(zg_rows_t *r, int col);
int64_t zg_rows_int(zg_rows_t *r, int col);
double zg_rows_double(zg_rows_t *r, int col);
/* Text of a column ("" for NULL); valid until the next zg_rows_next or zg_rows_close. */
const char *zg_rows_text(zg_rows_t *r, int col);
/* Blob bytes and length; valid until the next zg_rows_next or zg_rows_close. */
const void *zg_rows_blob(zg_rows_t *r, int col, size_t *len);
void zg_rows_close(zg_rows_t *r);

/* Convenience: a query returning one integer (first column of the first row).
 * ZG_ERR_NOT_FOUND when there is no row. */
int zg_db_query_int(zg_conn_t *c, const char *sql, const zg_param_t *params, int nparams,
                    int64_t *out, zg_error_t *err);

/* Per-dialect DDL: the text a migration token stands for in this dialect, or NULL if the token
 * is unknown. Tokens: {{ID}} (auto-increment 64-bit primary key), {{BLOB}}, {{TEXT}},
 * {{NOW}} (current UTC timestamp as text 'YYYY-MM-DD HH:MM:SS'), {{BIGINT}}, {{BOOL}}. */
const char *zg_db_ddl(zg_db_kind kind, const char *token);

#endif
