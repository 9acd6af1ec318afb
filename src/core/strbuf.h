/* strbuf.h — a growable byte buffer with a hard maximum. Appends past the maximum are refused
 * and set `overflow`, which stays set: callers check once at the end instead of after every
 * append (Kore's buf.c). Memory comes from an arena when one is given, else from malloc. */
#ifndef ZG_CORE_STRBUF_H
#define ZG_CORE_STRBUF_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/arena.h"

typedef struct zg_strbuf {
    char *data;        /* always NUL-terminated when len > 0 or after any append */
    size_t len;        /* bytes used, without the NUL */
    size_t cap;        /* bytes allocated */
    size_t max;        /* hard limit on len */
    bool overflow;     /* an append was refused (limit or allocation) */
    zg_arena_t *arena; /* NULL → malloc/realloc, freed by zg_strbuf_free */
} zg_strbuf_t;

/* Initializes an empty buffer that may grow to `max` bytes (0 → 1 GiB). */
void zg_strbuf_init(zg_strbuf_t *sb, zg_arena_t *arena, size_t max);

/* Each returns 0, or ZG_ERR_TOO_LARGE / ZG_ERR_NOMEM and sets overflow (nothing appended). */
int zg_strbuf_append(zg_strbuf_t *sb, const void *data, size_t n);
int zg_strbuf_puts(zg_strbuf_t *sb, const char *s);
int zg_strbuf_putc(zg_strbuf_t *sb, char c);
int zg_strbuf_printf(zg_strbuf_t *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int zg_strbuf_vprintf(zg_strbuf_t *sb, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));

/* Appends s as a JSON string literal, quotes included. */
int zg_strbuf_json_string(zg_strbuf_t *sb, const char *s);

/* Returns the text ("" when empty); valid until the next append or free. */
const char *zg_strbuf_cstr(const zg_strbuf_t *sb);

/* Empties the buffer; keeps its memory. */
void zg_strbuf_clear(zg_strbuf_t *sb);

/* Frees malloc'd memory (no-op for arena buffers). */
void zg_strbuf_free(zg_strbuf_t *sb);

#endif
