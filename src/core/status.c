/* status.c — error records and status names. */
#include "core/status.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

size_t zg_utf8_copy(char *dst, size_t dst_size, const char *src)
{
    if (dst_size == 0)
        return 0;
    size_t n = src ? strlen(src) : 0;
    if (n >= dst_size) {
        n = dst_size - 1;
        /* back off continuation bytes (10xxxxxx) so no character is cut in half */
        while (n > 0 && ((unsigned char)src[n] & 0xC0) == 0x80)
            n--;
    }
    if (n)
        memcpy(dst, src, n);
    dst[n] = '\0';
    return n;
}

int zg_error_set(zg_error_t *err, int status, const char *code, const char *message,
                 const char *detail_fmt, ...)
{
    if (!err)
        return status;
    err->status = status;
    zg_utf8_copy(err->code, sizeof err->code, code ? code : zg_status_name(status));
    zg_utf8_copy(err->message, sizeof err->message, message ? message : "");
    err->detail[0] = '\0';
    if (detail_fmt) {
        va_list ap;
        va_start(ap, detail_fmt);
        vsnprintf(err->detail, sizeof err->detail, detail_fmt, ap);
        va_end(ap);
    }
    return status;
}

void zg_error_clear(zg_error_t *err)
{
    if (err)
        memset(err, 0, sizeof *err);
}

const char *zg_status_name(int status)
{
    switch (status) {
    case ZG_OK:
        return "ok";
    case ZG_ERR_INVALID:
        return "invalid";
    case ZG_ERR_NOT_FOUND:
        return "not_found";
    case ZG_ERR_CONFLICT:
        return "conflict";
    case ZG_ERR_FORBIDDEN:
        return "forbidden";
    case ZG_ERR_UNAUTHORIZED:
        return "unauthorized";
    case ZG_ERR_TOO_LARGE:
        return "too_large";
    case ZG_ERR_NOMEM:
        return "no_memory";
    case ZG_ERR_DB:
        return "db_error";
    case ZG_ERR_IO:
        return "io_error";
    case ZG_ERR_BUSY:
        return "busy";
    case ZG_ERR_CRYPTO:
        return "crypto_error";
    case ZG_ERR_INTERNAL:
        return "internal";
    default:
        return "unknown";
    }
}
