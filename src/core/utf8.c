/* utf8.c — strict UTF-8 decoding (RFC 3629, Table 3-7 of the Unicode Standard). */
#include "core/utf8.h"

#include <stdint.h>

#include "core/status.h"

/* Length of the well-formed sequence starting at p[0] (p has `avail` >= 1 bytes), or 0 when
 * the bytes there are ill-formed. The second-byte ranges follow Unicode Table 3-7, which is
 * what rules out overlongs (E0 80..9F, F0 80..8F), surrogates (ED A0..BF) and code points
 * above U+10FFFF (F4 90..BF). */
static size_t seq_len(const unsigned char *p, size_t avail)
{
    unsigned char b0 = p[0];
    if (b0 < 0x80)
        return 1;
    size_t n;
    unsigned char lo = 0x80, hi = 0xBF; /* allowed range of the second byte */
    if (b0 >= 0xC2 && b0 <= 0xDF) {
        n = 2;
    } else if (b0 >= 0xE0 && b0 <= 0xEF) {
        n = 3;
        if (b0 == 0xE0)
            lo = 0xA0;
        else if (b0 == 0xED)
            hi = 0x9F;
    } else if (b0 >= 0xF0 && b0 <= 0xF4) {
        n = 4;
        if (b0 == 0xF0)
            lo = 0x90;
        else if (b0 == 0xF4)
            hi = 0x8F;
    } else {
        return 0; /* 0x80..0xC1 (continuation or overlong lead) or 0xF5..0xFF */
    }
    if (avail < n)
        return 0;
    if (p[1] < lo || p[1] > hi)
        return 0;
    for (size_t i = 2; i < n; i++)
        if ((p[i] & 0xC0) != 0x80)
            return 0;
    return n;
}

/* Walks the buffer; returns the number of characters, or SIZE_MAX when ill-formed. */
static size_t count_chars(const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0, chars = 0;
    while (i < len) {
        size_t n = seq_len(p + i, len - i);
        if (n == 0)
            return SIZE_MAX;
        i += n;
        chars++;
    }
    return chars;
}

bool zg_utf8_valid(const char *s, size_t len)
{
    if (len == 0)
        return true;
    if (!s)
        return false;
    return count_chars(s, len) != SIZE_MAX;
}

int zg_utf8_strlen(const char *s, size_t len, size_t *out)
{
    if (!out || (!s && len > 0))
        return ZG_ERR_INVALID;
    size_t n = len ? count_chars(s, len) : 0;
    if (n == SIZE_MAX)
        return ZG_ERR_INVALID;
    *out = n;
    return ZG_OK;
}
