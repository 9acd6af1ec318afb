/* db_internal.h — what db.c shares with the two backends (sqlite.c, pg.c) and with the db
 * unit tests. Not for modules: they use db.h only.
 *
 * Layering: db.c owns the handle, the per-thread connection registry, the statement cache
 * structure, transactions bookkeeping, migrations and the DDL tokens; a backend implements
 * the operations of zg_db_ops_t on its own connection and cursor structs, which begin with
 * the common zg_conn_t / zg_rows_t (so a pointer to one is a pointer to the other). */
#ifndef ZG_DB_DB_INTERNAL_H
#define ZG_DB_DB_INTERNAL_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "db/db.h"

/* The files cmake/embed.cmake compiles into the binary, ending with a zero entry. */
struct zg_embedded_file {
    const char *name;
    const char *data;
    size_t size;
};
extern const struct zg_embedded_file zg_embedded[];

/* Upper bound of cached prepared statements per connection; the least recently used one is
 * finalized (SQLite) or deallocated (PostgreSQL) when a new one would pass it. */
#define ZG_STMT_CACHE_CAP     256
#define ZG_STMT_CACHE_BUCKETS 512 /* power of two, > CAP so chains stay short */

/* Most parameters one statement may bind (PostgreSQL's protocol limit is 65535). */
#define ZG_DB_MAX_PARAMS 10000

typedef struct zg_stmt_entry zg_stmt_entry_t;
struct zg_stmt_entry {
    char *sql; /* owned copy of the key */
    uint64_t hash;
    void *stmt; /* sqlite3_stmt *, or the number n of PostgreSQL statement "s<n>" */
    zg_stmt_entry_t *hnext;
    zg_stmt_entry_t *lru_prev, *lru_next; /* lru_prev = more recently used */
};

typedef struct zg_stmt_cache {
    zg_stmt_entry_t *buckets[ZG_STMT_CACHE_BUCKETS];
    zg_stmt_entry_t *lru_head, *lru_tail; /* head = most recently used */
    size_t count;
} zg_stmt_cache_t;

/* The open cursor of a connection. Backends embed it first in their cursor struct. */
struct zg_rows {
    zg_conn_t *conn;
    bool open;
};

/* One thread's connection. Backends embed it first in their connection struct. */
struct zg_conn {
    zg_db_t *db;
    zg_conn_t *prev, *next; /* in db->conns, under db->mu */
    bool in_tx;
    zg_tx_mode tx_mode;
    zg_rows_t *cursor; /* the open cursor, or NULL */
    zg_stmt_cache_t cache;
    /* statistics, read by tests */
    uint64_t n_prepared;  /* statements compiled (cache misses) */
    uint64_t n_cache_hit; /* statements found in the cache */
};

typedef struct zg_db_ops {
    const char *name;
    /* Opens a new connection to db->url. Returns the backend struct (zeroed common part). */
    int (*connect)(zg_db_t *db, zg_conn_t **out, zg_error_t *err);
    /* Empties the statement cache (zg_stmt_cache_clear), closes the connection, frees it. */
    void (*disconnect)(zg_conn_t *c);
    /* Frees one cached statement (called by the cache on eviction and clear). */
    void (*stmt_free)(zg_conn_t *c, void *stmt);
    /* Runs several ;-separated statements without parameters (migrations). */
    int (*exec_script)(zg_conn_t *c, const char *sql, zg_error_t *err);
    int (*begin)(zg_conn_t *c, zg_tx_mode mode, zg_error_t *err);
    int (*commit)(zg_conn_t *c, zg_error_t *err);
    void (*rollback)(zg_conn_t *c);
    int (*exec)(zg_conn_t *c, const char *sql, const zg_param_t *params, int nparams,
                int64_t *changes, zg_error_t *err);
    /* Opens the connection's cursor; db.c sets c->cursor on success. */
    int (*query)(zg_conn_t *c, const char *sql, const zg_param_t *params, int nparams,
                 zg_rows_t **out, zg_error_t *err);
    int (*next)(zg_rows_t *r, zg_error_t *err);
    int (*ncols)(zg_rows_t *r);
    const char *(*colname)(zg_rows_t *r, int col);
    bool (*isnull)(zg_rows_t *r, int col);
    int64_t (*get_int)(zg_rows_t *r, int col);
    double (*get_double)(zg_rows_t *r, int col);
    const char *(*get_text)(zg_rows_t *r, int col);
    const void *(*get_blob)(zg_rows_t *r, int col, size_t *len);
    void (*close_rows)(zg_rows_t *r);
    /* Ends whatever a unit of work left open on the connection (statements still stepping,
     * an implicit transaction); returns how many things it had to end. Optional. */
    int (*settle)(zg_conn_t *c);
} zg_db_ops_t;

struct zg_db {
    zg_db_kind kind;
    const zg_db_ops_t *ops;
    char *url;         /* as given; owned */
    char *display_url; /* password masked; owned */
    pthread_key_t key; /* this thread's zg_conn_t * */
    pthread_mutex_t mu;
    zg_conn_t *conns; /* every open connection, any thread */
};

extern const zg_db_ops_t zg_db_sqlite_ops;
extern const zg_db_ops_t zg_db_pg_ops;

/* Statement cache (db.c). get returns the cached statement for `sql` (marking it most
 * recently used) or NULL; put adds one, evicting the least recently used entry when full, and
 * returns ZG_ERR_NOMEM (statement not added, caller frees it) on allocation failure. clear
 * frees every entry; with free_stmts false the backend statements are dropped without
 * stmt_free (PostgreSQL after a reconnect, when the server has forgotten them). */
void *zg_stmt_cache_get(zg_conn_t *c, const char *sql);
int zg_stmt_cache_put(zg_conn_t *c, const char *sql, void *stmt);
void zg_stmt_cache_clear(zg_conn_t *c, bool free_stmts);

/* Applies the migrations of `files` (a zero-terminated table like zg_embedded, names
 * NNNN_name.sql in increasing order). zg_db_migrate calls it with zg_embedded; tests call it
 * with their own tables. */
int zg_db_migrate_files(zg_db_t *db, const struct zg_embedded_file *files, int *applied,
                        zg_error_t *err);

/* Replaces every {{TOKEN}} of `sql` by zg_db_ddl(kind, TOKEN). Returns a malloc'd string in
 * *out (caller frees), or ZG_ERR_INTERNAL (a migration with a bad token is a bug of the
 * binary) with the unknown or malformed token named in err->detail. */
int zg_db_substitute(zg_db_kind kind, const char *sql, char **out, zg_error_t *err);

/* `url` with the password of "user:password@" and of "password=" replaced by "***"; malloc'd
 * (caller frees), NULL when out of memory. Used for zg_db_display_url. */
char *zg_db_mask_url(const char *url);

/* Common error helpers for the backends. */
int zg_db_err_internal(zg_error_t *err, const char *detail);

#endif
