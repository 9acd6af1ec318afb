/* utf8.h — UTF-8 validation and character counting for user text.
 *
 * Field limits that users see ("最多50个字") count characters, not bytes, so every text field
 * is checked with zg_utf8_valid and measured with zg_utf8_strlen before it is stored.
 * Validation is strict (RFC 3629): no overlong forms, no UTF-16 surrogates (U+D800..U+DFFF),
 * nothing above U+10FFFF, no bytes 0xC0, 0xC1, 0xF5..0xFF. NUL bytes are valid UTF-8; callers
 * that store C strings reject them separately. */
#ifndef ZG_CORE_UTF8_H
#define ZG_CORE_UTF8_H

#include <stdbool.h>
#include <stddef.h>

/* Whether the `len` bytes at `s` are well-formed UTF-8 (RFC 3629). `s` may be NULL only when
 * len is 0. Reads exactly `len` bytes; does not stop at NUL. */
bool zg_utf8_valid(const char *s, size_t len);

/* Counts the characters (code points) in the `len` bytes at `s` and writes the count to
 * `*out`. Returns 0, or ZG_ERR_INVALID (and leaves *out unchanged) when the bytes are not
 * well-formed UTF-8, so a caller cannot accidentally measure garbage. */
int zg_utf8_strlen(const char *s, size_t len, size_t *out);

#endif
