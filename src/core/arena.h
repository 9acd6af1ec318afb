/* arena.h — region allocator. Everything a request (or any other unit of work) allocates
 * comes from one arena and is released at once when the arena is reset or destroyed: no
 * per-object frees on the request path (STYLE.md: PostgreSQL memory contexts, h2o pools).
 *
 * An arena has a cap: the total bytes it may take from malloc. An allocation that would pass
 * the cap returns NULL, so an input can never make a request use unbounded memory.
 * An arena is not thread-safe; one owner at a time. */
#ifndef ZG_CORE_ARENA_H
#define ZG_CORE_ARENA_H

#include <stdarg.h>
#include <stddef.h>

typedef struct zg_arena_block zg_arena_block_t;

typedef struct zg_arena {
    zg_arena_block_t *head; /* newest block first */
    size_t used;            /* bytes taken from malloc, headers included */
    size_t cap;             /* 0 = no cap */
    size_t block_size;      /* default size of a new block */
} zg_arena_t;

/* Initializes an arena with a default block size (0 → 8 KiB) and a cap on the total
 * (0 → unlimited). Takes no memory until the first allocation. */
void zg_arena_init(zg_arena_t *a, size_t block_size, size_t cap);

/* Returns `size` bytes aligned to max_align_t, or NULL when the cap would be passed or malloc
 * fails. The memory lives until zg_arena_reset/zg_arena_destroy. */
void *zg_arena_alloc(zg_arena_t *a, size_t size);

/* As zg_arena_alloc, zero-filled; n*size overflow returns NULL. */
void *zg_arena_calloc(zg_arena_t *a, size_t n, size_t size);

/* Copies `n` bytes of `s` and adds a NUL. NULL on failure. */
char *zg_arena_strndup(zg_arena_t *a, const char *s, size_t n);
char *zg_arena_strdup(zg_arena_t *a, const char *s);

/* printf into the arena. NULL on failure. */
char *zg_arena_sprintf(zg_arena_t *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
char *zg_arena_vsprintf(zg_arena_t *a, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));

/* Frees every block but keeps the arena usable (cap and block size unchanged). */
void zg_arena_reset(zg_arena_t *a);

/* Frees every block. The arena may be re-initialized afterwards. */
void zg_arena_destroy(zg_arena_t *a);

#endif
