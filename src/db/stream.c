/* stream.c — see stream.h. */
#include "db/stream.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/strbuf.h"

#define SQLITE_CANCEL_MASK 0xFFFFu /* SQLite: check the cancel flag every 65,536 rows */
#define SQL_MAX            (64 * 1024)

static int cancelled(zg_error_t *err)
{
    return zg_error_set(err, ZG_ERR_BUSY, "load_cancelled", "后台数据读取已中止",
                        "stream cancelled (service stopping)");
}

static bool plain_identifier(const char *s)
{
    if (!s || !*s || strlen(s) > 63)
        return false;
    for (const char *p = s; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || *p == '_' || (p != s && *p >= '0' && *p <= '9')))
            return false;
    return true;
}

int zg_stream_open(zg_stream_t *s, zg_conn_t *c, const char *cursor, const char *sql,
                   const atomic_bool *cancel, zg_error_t *err)
{
    memset(s, 0, sizeof *s);
    s->c = c;
    s->cancel = cancel;
    s->pg = zg_db_kind_of(zg_conn_db(c)) == ZG_DB_POSTGRES;
    if (!plain_identifier(cursor) || !sql || strlen(sql) > SQL_MAX)
        return zg_error_set(err, ZG_ERR_INTERNAL, "db_internal", "系统内部错误",
                            "stream: bad cursor name or query");
    if (!s->pg) {
        s->sql = strdup(sql);
        return s->sql ? ZG_OK
                      : zg_error_set(err, ZG_ERR_NOMEM, "no_memory", "内存不足", "stream sql");
    }
    zg_strbuf_t declare;
    zg_strbuf_init(&declare, NULL, SQL_MAX + 128);
    zg_strbuf_printf(&declare, "DECLARE %s NO SCROLL CURSOR FOR %s", cursor, sql);
    char fetch[128];
    snprintf(fetch, sizeof fetch, "FETCH FORWARD %d FROM %s", ZG_STREAM_BATCH, cursor);
    s->sql = strdup(fetch);
    int rc = declare.overflow || !s->sql
                 ? zg_error_set(err, ZG_ERR_NOMEM, "no_memory", "内存不足", "stream declare")
                 : zg_db_exec(c, zg_strbuf_cstr(&declare), NULL, 0, NULL, err);
    zg_strbuf_free(&declare);
    return rc;
}

int zg_stream_next(zg_stream_t *s, zg_error_t *err)
{
    for (;;) {
        if (!s->rows) {
            if (s->done)
                return 0;
            if (s->cancel && atomic_load(s->cancel))
                return cancelled(err);
            int rc = zg_db_query(s->c, s->sql, NULL, 0, &s->rows, err);
            if (rc)
                return rc;
            s->in_batch = 0;
        }
        int rc = zg_rows_next(s->rows, err);
        if (rc == 1) {
            s->in_batch++;
            s->seen++;
            if (!s->pg && !(s->seen & SQLITE_CANCEL_MASK) && s->cancel && atomic_load(s->cancel))
                return cancelled(err);
            return 1;
        }
        zg_rows_close(s->rows);
        s->rows = NULL;
        if (rc < 0)
            return rc;
        if (!s->pg || s->in_batch < ZG_STREAM_BATCH)
            s->done = true;
    }
}

zg_rows_t *zg_stream_rows(const zg_stream_t *s)
{
    return s->rows;
}

void zg_stream_close(zg_stream_t *s)
{
    if (s->rows)
        zg_rows_close(s->rows);
    s->rows = NULL;
    free(s->sql);
    s->sql = NULL;
}
