/* status.h — the one status enum every zugong function returns, and the error record that
 * carries a Chinese message for the user and an English one for the log.
 *
 * Convention (STYLE.md): functions return int, 0 = ZG_OK, a negative zg_status on failure,
 * and results go through out-parameters. When a function can fail for a reason the user must
 * read, it also takes a zg_error_t * and fills it with zg_error_set(). */
#ifndef ZG_CORE_STATUS_H
#define ZG_CORE_STATUS_H

#include <stddef.h>

typedef enum zg_status {
    ZG_OK = 0,
    ZG_ERR_INVALID = -1,      /* input failed validation (HTTP 400/422) */
    ZG_ERR_NOT_FOUND = -2,    /* no such object, or not in the caller's scope (404) */
    ZG_ERR_CONFLICT = -3,     /* duplicate or state conflict (409) */
    ZG_ERR_FORBIDDEN = -4,    /* authenticated but not allowed (403) */
    ZG_ERR_UNAUTHORIZED = -5, /* not logged in (401) */
    ZG_ERR_TOO_LARGE = -6,    /* input over a configured limit (413) */
    ZG_ERR_NOMEM = -7,        /* an allocation or an arena cap failed */
    ZG_ERR_DB = -8,           /* storage failure */
    ZG_ERR_IO = -9,           /* file or network I/O */
    ZG_ERR_BUSY = -10,        /* temporarily unavailable; retry (503) */
    ZG_ERR_CRYPTO = -11,      /* encryption, MAC or hashing failed (incl. tampered data) */
    ZG_ERR_INTERNAL = -12     /* a broken invariant: a bug */
} zg_status;

/* A failure the user can read. `message` is Simplified Chinese for people; `detail` is an
 * English line for operators' logs. Both are fixed-size and always NUL-terminated: setting
 * them truncates (at a UTF-8 boundary) rather than overflows. */
typedef struct zg_error {
    int status;        /* a zg_status */
    char code[48];     /* stable machine code, e.g. "invalid_json" */
    char message[384]; /* Chinese, shown to the user */
    char detail[256];  /* English, for the log */
} zg_error_t;

/* Fills `err` (which may be NULL: then nothing happens) and returns `status`, so a caller
 * can write `return zg_error_set(err, ZG_ERR_INVALID, "bad_date", "日期格式错误", "...")`.
 * `detail_fmt` is a printf format for the English detail. */
int zg_error_set(zg_error_t *err, int status, const char *code, const char *message,
                 const char *detail_fmt, ...) __attribute__((format(printf, 5, 6)));

/* Clears an error record to ZG_OK with empty texts. */
void zg_error_clear(zg_error_t *err);

/* Short English name of a status, for logs ("invalid", "not_found", ...). */
const char *zg_status_name(int status);

/* Copies at most dst_size-1 bytes of src into dst, cutting only at a UTF-8 character
 * boundary, and NUL-terminates. Returns the number of bytes copied. */
size_t zg_utf8_copy(char *dst, size_t dst_size, const char *src);

#endif
