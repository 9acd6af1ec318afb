/* strbuf.c — bounded growable buffer. */
#include "core/strbuf.h"
#include "core/status.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void zg_strbuf_init(zg_strbuf_t *sb, zg_arena_t *arena, size_t max)
{
    memset(sb, 0, sizeof *sb);
    sb->arena = arena;
    sb->max = max ? max : ((size_t)1 << 30);
}

static int grow(zg_strbuf_t *sb, size_t need)
{
    if (need > sb->max) {
        sb->overflow = true;
        return ZG_ERR_TOO_LARGE;
    }
    if (need + 1 <= sb->cap)
        return 0;
    size_t ncap = sb->cap ? sb->cap : 64;
    while (ncap < need + 1)
        ncap = ncap > SIZE_MAX / 2 ? need + 1 : ncap * 2;
    if (ncap > sb->max + 1)
        ncap = sb->max + 1;
    char *p;
    if (sb->arena) {
        p = zg_arena_alloc(sb->arena, ncap);
        if (p && sb->len)
            memcpy(p, sb->data, sb->len);
    } else {
        p = realloc(sb->data, ncap);
    }
    if (!p) {
        sb->overflow = true;
        return ZG_ERR_NOMEM;
    }
    sb->data = p;
    sb->cap = ncap;
    return 0;
}

int zg_strbuf_append(zg_strbuf_t *sb, const void *data, size_t n)
{
    if (n > SIZE_MAX - sb->len - 1) {
        sb->overflow = true;
        return ZG_ERR_TOO_LARGE;
    }
    int rc = grow(sb, sb->len + n);
    if (rc)
        return rc;
    if (n)
        memcpy(sb->data + sb->len, data, n);
    sb->len += n;
    sb->data[sb->len] = '\0';
    return 0;
}

int zg_strbuf_puts(zg_strbuf_t *sb, const char *s)
{
    return zg_strbuf_append(sb, s, strlen(s));
}

int zg_strbuf_putc(zg_strbuf_t *sb, char c)
{
    return zg_strbuf_append(sb, &c, 1);
}

int zg_strbuf_vprintf(zg_strbuf_t *sb, const char *fmt, va_list ap)
{
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (n < 0) {
        sb->overflow = true;
        return ZG_ERR_INVALID;
    }
    if ((size_t)n > SIZE_MAX - sb->len - 1) {
        sb->overflow = true;
        return ZG_ERR_TOO_LARGE;
    }
    int rc = grow(sb, sb->len + (size_t)n);
    if (rc)
        return rc;
    vsnprintf(sb->data + sb->len, (size_t)n + 1, fmt, ap);
    sb->len += (size_t)n;
    return 0;
}

int zg_strbuf_printf(zg_strbuf_t *sb, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = zg_strbuf_vprintf(sb, fmt, ap);
    va_end(ap);
    return rc;
}

int zg_strbuf_json_string(zg_strbuf_t *sb, const char *s)
{
    static const char hex[] = "0123456789abcdef";
    int rc = zg_strbuf_putc(sb, '"');
    for (const unsigned char *p = (const unsigned char *)s; *p && rc == 0; p++) {
        switch (*p) {
        case '"':
            rc = zg_strbuf_append(sb, "\\\"", 2);
            break;
        case '\\':
            rc = zg_strbuf_append(sb, "\\\\", 2);
            break;
        case '\n':
            rc = zg_strbuf_append(sb, "\\n", 2);
            break;
        case '\r':
            rc = zg_strbuf_append(sb, "\\r", 2);
            break;
        case '\t':
            rc = zg_strbuf_append(sb, "\\t", 2);
            break;
        default:
            if (*p < 0x20) {
                char u[6] = {'\\', 'u', '0', '0', hex[*p >> 4], hex[*p & 15]};
                rc = zg_strbuf_append(sb, u, 6);
            } else {
                rc = zg_strbuf_putc(sb, (char)*p);
            }
        }
    }
    return rc ? rc : zg_strbuf_putc(sb, '"');
}

const char *zg_strbuf_cstr(const zg_strbuf_t *sb)
{
    return sb->data ? sb->data : "";
}

void zg_strbuf_clear(zg_strbuf_t *sb)
{
    sb->len = 0;
    sb->overflow = false;
    if (sb->data)
        sb->data[0] = '\0';
}

void zg_strbuf_free(zg_strbuf_t *sb)
{
    if (!sb->arena)
        free(sb->data);
    sb->data = NULL;
    sb->len = sb->cap = 0;
}
