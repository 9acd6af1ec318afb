/* arena.c — region allocator: a list of malloc'd blocks, bump allocation inside the newest.
 * Requests larger than a quarter block get a block of their own so that big buffers do not
 * waste the tail of the current block. */
#include "core/arena.h"

#include <stdalign.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct zg_arena_block {
    zg_arena_block_t *next;
    size_t size; /* usable bytes in data[] */
    size_t off;  /* bytes handed out */
    alignas(max_align_t) unsigned char data[];
};

#define ALIGN_UP(n) (((n) + (alignof(max_align_t) - 1)) & ~(alignof(max_align_t) - 1))

void zg_arena_init(zg_arena_t *a, size_t block_size, size_t cap)
{
    a->head = NULL;
    a->used = 0;
    a->cap = cap;
    a->block_size = block_size ? block_size : 8192;
}

static zg_arena_block_t *new_block(zg_arena_t *a, size_t size)
{
    size_t total = sizeof(zg_arena_block_t) + size;
    if (total < size)
        return NULL;
    if (a->cap && (total > a->cap || a->used > a->cap - total))
        return NULL;
    zg_arena_block_t *b = malloc(total);
    if (!b)
        return NULL;
    b->size = size;
    b->off = 0;
    a->used += total;
    return b;
}

void *zg_arena_alloc(zg_arena_t *a, size_t size)
{
    if (size == 0)
        size = 1;
    if (size > SIZE_MAX / 2)
        return NULL;
    size_t need = ALIGN_UP(size);
    zg_arena_block_t *b = a->head;
    if (b && b->size - b->off >= need) {
        void *p = b->data + b->off;
        b->off += need;
        return p;
    }
    if (need > a->block_size / 4) {
        /* a dedicated block, linked behind the current one so the current keeps serving */
        zg_arena_block_t *big = new_block(a, need);
        if (!big)
            return NULL;
        big->off = need;
        if (a->head) {
            big->next = a->head->next;
            a->head->next = big;
        } else {
            big->next = NULL;
            a->head = big;
        }
        return big->data;
    }
    b = new_block(a, a->block_size);
    if (!b)
        return NULL;
    b->next = a->head;
    a->head = b;
    b->off = need;
    return b->data;
}

void *zg_arena_calloc(zg_arena_t *a, size_t n, size_t size)
{
    if (size && n > SIZE_MAX / size)
        return NULL;
    void *p = zg_arena_alloc(a, n * size);
    if (p)
        memset(p, 0, n * size);
    return p;
}

char *zg_arena_strndup(zg_arena_t *a, const char *s, size_t n)
{
    if (n == SIZE_MAX)
        return NULL;
    char *p = zg_arena_alloc(a, n + 1);
    if (!p)
        return NULL;
    if (n)
        memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *zg_arena_strdup(zg_arena_t *a, const char *s)
{
    return zg_arena_strndup(a, s, strlen(s));
}

char *zg_arena_vsprintf(zg_arena_t *a, const char *fmt, va_list ap)
{
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (n < 0)
        return NULL;
    char *p = zg_arena_alloc(a, (size_t)n + 1);
    if (!p)
        return NULL;
    vsnprintf(p, (size_t)n + 1, fmt, ap);
    return p;
}

char *zg_arena_sprintf(zg_arena_t *a, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *p = zg_arena_vsprintf(a, fmt, ap);
    va_end(ap);
    return p;
}

void zg_arena_reset(zg_arena_t *a)
{
    zg_arena_block_t *b = a->head;
    while (b) {
        zg_arena_block_t *next = b->next;
        free(b);
        b = next;
    }
    a->head = NULL;
    a->used = 0;
}

void zg_arena_destroy(zg_arena_t *a)
{
    zg_arena_reset(a);
}
