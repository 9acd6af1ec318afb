/* stream.h — one query read row by row, for loaders that read a whole table (the statistics
 * snapshot, the member list index) without holding its result in memory: a plain cursor on
 * SQLite; on PostgreSQL, whose libpq loads a whole result at once, a server-side cursor
 * (DECLARE … NO SCROLL CURSOR) fetched in batches of ZG_STREAM_BATCH rows. Run it inside a
 * read transaction (zg_db_begin ZG_TX_READ: on PostgreSQL REPEATABLE READ, so every batch sees
 * the same snapshot; a cursor needs a transaction there anyway).
 *
 *     zg_stream_t s;
 *     if (zg_stream_open(&s, c, "zg_stats_orgs", "SELECT … ORDER BY …", &cancel, err)) …
 *     while ((rc = zg_stream_next(&s, err)) == 1)
 *         use zg_rows_int(zg_stream_rows(&s), 0) …
 *     zg_stream_close(&s);
 *
 * A loader running in a background thread passes a cancel flag: it is checked before every
 * batch (PostgreSQL) or every 65,536 rows (SQLite) and ends the stream with ZG_ERR_BUSY. */
#ifndef ZG_DB_STREAM_H
#define ZG_DB_STREAM_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "db/db.h"

#define ZG_STREAM_BATCH 20000

typedef struct zg_stream {
    zg_conn_t *c;
    bool pg, done;
    char *sql;         /* SQLite: the query; PostgreSQL: the FETCH (malloc'd) */
    zg_rows_t *rows;   /* the open batch */
    uint64_t in_batch; /* rows of the open batch seen */
    uint64_t seen;
    const atomic_bool *cancel;
} zg_stream_t;

/* Opens the stream of `sql` (no parameters). `cursor` names the PostgreSQL cursor (a plain
 * identifier, unique among the transaction's open cursors). `cancel` may be NULL. */
int zg_stream_open(zg_stream_t *s, zg_conn_t *c, const char *cursor, const char *sql,
                   const atomic_bool *cancel, zg_error_t *err);

/* 1 = a row is there (zg_stream_rows), 0 = no more, < 0 = error (ZG_ERR_BUSY when
 * cancelled). */
int zg_stream_next(zg_stream_t *s, zg_error_t *err);

/* The current row's columns (valid until the next zg_stream_next). */
zg_rows_t *zg_stream_rows(const zg_stream_t *s);

/* Ends the stream (also after an error or before its end). The PostgreSQL cursor closes with
 * the transaction. */
void zg_stream_close(zg_stream_t *s);

#endif
