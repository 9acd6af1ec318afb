/* crypto.c — SM3, HMAC-SM3, SM4 (OpenSSL 3 EVP), seal/open, blind index, argon2id and
 * randomness (libsodium). See crypto.h for the formats and the key scheme. */
#include "core/crypto.h"

#include <errno.h>
#include <stdbool.h>
#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <sodium.h>

#include "core/status.h"

_Static_assert(ZG_PASSWORD_HASH_SIZE == crypto_pwhash_argon2id_STRBYTES,
               "ZG_PASSWORD_HASH_SIZE must match libsodium");

/* ---- one-time initialization ----------------------------------------------------------- */

/* Algorithms fetched once and kept for the life of the process (fetching is expensive;
 * the fetched objects are immutable and safe to share between threads). */
static EVP_MD *md_sm3;
static EVP_MAC *mac_hmac;
static EVP_CIPHER *cipher_sm4_ecb, *cipher_sm4_cbc, *cipher_sm4_ctr;
static int init_status = ZG_ERR_CRYPTO;
static pthread_once_t init_once = PTHREAD_ONCE_INIT;

static void do_init(void)
{
    if (sodium_init() < 0)
        return;
    md_sm3 = EVP_MD_fetch(NULL, "SM3", NULL);
    mac_hmac = EVP_MAC_fetch(NULL, "HMAC", NULL);
    cipher_sm4_ecb = EVP_CIPHER_fetch(NULL, "SM4-ECB", NULL);
    cipher_sm4_cbc = EVP_CIPHER_fetch(NULL, "SM4-CBC", NULL);
    cipher_sm4_ctr = EVP_CIPHER_fetch(NULL, "SM4-CTR", NULL);
    if (md_sm3 && mac_hmac && cipher_sm4_ecb && cipher_sm4_cbc && cipher_sm4_ctr)
        init_status = ZG_OK;
}

int zg_crypto_init(void)
{
    pthread_once(&init_once, do_init);
    return init_status;
}

/* ---- SM3 and HMAC-SM3 ------------------------------------------------------------------ */

int zg_sm3(const void *data, size_t len, uint8_t out[ZG_SM3_LEN])
{
    if (zg_crypto_init() != ZG_OK || !out || (!data && len > 0))
        return ZG_ERR_CRYPTO;
    unsigned int n = 0;
    if (!EVP_Digest(data ? data : "", len, out, &n, md_sm3, NULL) || n != ZG_SM3_LEN)
        return ZG_ERR_CRYPTO;
    return ZG_OK;
}

typedef struct part {
    const void *p;
    size_t n;
} part_t;

/* HMAC-SM3 over the concatenation of `nparts` parts: RFC 2104 over SM3 (64-byte block),
 * H((K ^ opad) | H((K ^ ipad) | m)), computed with the digest fetched once at init. EVP_MAC
 * gives the same bytes (the self-test checks) but looks the digest up by name and sets up a
 * MAC context on every call: twice the time per call on the import's hot path (three HMACs
 * a member: the blind index and the two seals). */
#define SM3_BLOCK 64
static int hmac_parts(const void *key, size_t keylen, const part_t *parts, size_t nparts,
                      uint8_t out[ZG_SM3_LEN])
{
    if (zg_crypto_init() != ZG_OK || !out || (!key && keylen > 0))
        return ZG_ERR_CRYPTO;
    uint8_t block[SM3_BLOCK] = {0}, pad[SM3_BLOCK], inner[ZG_SM3_LEN];
    if (keylen > SM3_BLOCK) {
        if (zg_sm3(key, keylen, block) != ZG_OK)
            return ZG_ERR_CRYPTO;
    } else if (keylen) {
        memcpy(block, key, keylen);
    }
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    if (!md)
        return ZG_ERR_CRYPTO;
    for (int i = 0; i < SM3_BLOCK; i++)
        pad[i] = block[i] ^ 0x36;
    int ok = EVP_DigestInit_ex(md, md_sm3, NULL) && EVP_DigestUpdate(md, pad, SM3_BLOCK);
    for (size_t i = 0; ok && i < nparts; i++)
        if (parts[i].n > 0)
            ok = parts[i].p && EVP_DigestUpdate(md, parts[i].p, parts[i].n);
    unsigned int n = 0;
    ok = ok && EVP_DigestFinal_ex(md, inner, &n) && n == ZG_SM3_LEN;
    for (int i = 0; i < SM3_BLOCK; i++)
        pad[i] = block[i] ^ 0x5c;
    ok = ok && EVP_DigestInit_ex(md, md_sm3, NULL) && EVP_DigestUpdate(md, pad, SM3_BLOCK) &&
         EVP_DigestUpdate(md, inner, ZG_SM3_LEN) && EVP_DigestFinal_ex(md, out, &n) &&
         n == ZG_SM3_LEN;
    EVP_MD_CTX_free(md);
    OPENSSL_cleanse(block, sizeof block);
    OPENSSL_cleanse(pad, sizeof pad);
    return ok ? ZG_OK : ZG_ERR_CRYPTO;
}

/* The same through EVP_MAC, for the self-test's cross-check only. */
static int hmac_evp(const void *key, size_t keylen, const void *data, size_t len,
                    uint8_t out[ZG_SM3_LEN])
{
    EVP_MAC_CTX *ctx = EVP_MAC_CTX_new(mac_hmac);
    if (!ctx)
        return ZG_ERR_CRYPTO;
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)"SM3", 0),
        OSSL_PARAM_construct_end()};
    /* A NULL key would mean "keep the previous key"; pass a real pointer for an empty key. */
    static const uint8_t empty_key[1];
    int ok = EVP_MAC_init(ctx, key ? key : empty_key, keylen, params) &&
             (!len || EVP_MAC_update(ctx, data, len));
    size_t n = 0;
    ok = ok && EVP_MAC_final(ctx, out, &n, ZG_SM3_LEN) && n == ZG_SM3_LEN;
    EVP_MAC_CTX_free(ctx);
    return ok ? ZG_OK : ZG_ERR_CRYPTO;
}

int zg_hmac_sm3(const void *key, size_t keylen, const void *data, size_t len,
                uint8_t out[ZG_SM3_LEN])
{
    part_t part = {data, len};
    return hmac_parts(key, keylen, &part, 1, out);
}

/* ---- SM4 ------------------------------------------------------------------------------- */

/* Runs a cipher over len bytes (in chunks, since EVP takes int lengths). Padding off: the
 * caller has arranged whole blocks where the mode needs them. Writes exactly len bytes. */
static int cipher_run(const EVP_CIPHER *cipher, int enc, const uint8_t *key, const uint8_t *iv,
                      const uint8_t *in, size_t len, uint8_t *out)
{
    if (zg_crypto_init() != ZG_OK || !key || (len > 0 && (!in || !out)))
        return ZG_ERR_CRYPTO;
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    if (!ctx)
        return ZG_ERR_CRYPTO;
    int ok =
        EVP_CipherInit_ex2(ctx, cipher, key, iv, enc, NULL) && EVP_CIPHER_CTX_set_padding(ctx, 0);
    size_t done = 0;
    while (ok && done < len) {
        size_t chunk = len - done;
        if (chunk > (1u << 30))
            chunk = 1u << 30; /* a multiple of the block size */
        int n = 0;
        ok = EVP_CipherUpdate(ctx, out + done, &n, in + done, (int)chunk) && (size_t)n == chunk;
        done += chunk;
    }
    int fin = 0;
    uint8_t tail[ZG_SM4_BLOCK];
    if (ok)
        ok = EVP_CipherFinal_ex(ctx, tail, &fin) && fin == 0;
    EVP_CIPHER_CTX_free(ctx);
    return ok ? ZG_OK : ZG_ERR_CRYPTO;
}

int zg_sm4_encrypt_block(const uint8_t key[ZG_SM4_KEY_LEN], const uint8_t in[ZG_SM4_BLOCK],
                         uint8_t out[ZG_SM4_BLOCK])
{
    if (zg_crypto_init() != ZG_OK)
        return ZG_ERR_CRYPTO;
    return cipher_run(cipher_sm4_ecb, 1, key, NULL, in, ZG_SM4_BLOCK, out);
}

int zg_sm4_cbc_encrypt(const uint8_t key[ZG_SM4_KEY_LEN], const uint8_t iv[ZG_SM4_BLOCK],
                       const void *in, size_t len, uint8_t *out, size_t out_cap, size_t *out_len)
{
    if (zg_crypto_init() != ZG_OK)
        return ZG_ERR_CRYPTO;
    if (!out || !out_len || !iv || (!in && len > 0) || len > SIZE_MAX - 2 * ZG_SM4_BLOCK)
        return ZG_ERR_INVALID;
    size_t whole = len - len % ZG_SM4_BLOCK;
    size_t total = whole + ZG_SM4_BLOCK;
    if (out_cap < total)
        return ZG_ERR_INVALID;
    /* PKCS#7: the last block is the tail of the input followed by pad bytes of value
     * (16 - tail length), 1..16; a whole block of 16s when the input fills its blocks. */
    uint8_t last[ZG_SM4_BLOCK];
    size_t tail = len - whole;
    if (tail)
        memcpy(last, (const uint8_t *)in + whole, tail);
    memset(last + tail, (int)(ZG_SM4_BLOCK - tail), ZG_SM4_BLOCK - tail);

    int rc = ZG_ERR_CRYPTO;
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    if (!ctx)
        return rc;
    int ok = EVP_EncryptInit_ex2(ctx, cipher_sm4_cbc, key, iv, NULL) &&
             EVP_CIPHER_CTX_set_padding(ctx, 0);
    size_t done = 0;
    while (ok && done < whole) {
        size_t chunk = whole - done;
        if (chunk > (1u << 30))
            chunk = 1u << 30;
        int n = 0;
        ok = EVP_EncryptUpdate(ctx, out + done, &n, (const uint8_t *)in + done, (int)chunk) &&
             (size_t)n == chunk;
        done += chunk;
    }
    int n = 0;
    if (ok)
        ok = EVP_EncryptUpdate(ctx, out + whole, &n, last, ZG_SM4_BLOCK) && n == ZG_SM4_BLOCK;
    if (ok)
        ok = EVP_EncryptFinal_ex(ctx, last, &n) && n == 0;
    EVP_CIPHER_CTX_free(ctx);
    sodium_memzero(last, sizeof last);
    if (ok) {
        *out_len = total;
        rc = ZG_OK;
    }
    return rc;
}

int zg_sm4_cbc_decrypt(const uint8_t key[ZG_SM4_KEY_LEN], const uint8_t iv[ZG_SM4_BLOCK],
                       const void *in, size_t len, uint8_t *out, size_t out_cap, size_t *out_len)
{
    if (zg_crypto_init() != ZG_OK)
        return ZG_ERR_CRYPTO;
    if (!out || !out_len || !iv || !in)
        return ZG_ERR_INVALID;
    if (len == 0 || len % ZG_SM4_BLOCK != 0)
        return ZG_ERR_CRYPTO;
    if (out_cap < len)
        return ZG_ERR_INVALID;
    int rc = cipher_run(cipher_sm4_cbc, 0, key, iv, in, len, out);
    if (rc != ZG_OK)
        return rc;
    /* Check the padding without branching on secret bytes: pad must be 1..16 and the last
     * `pad` bytes must all equal it. */
    unsigned pad = out[len - 1];
    unsigned bad = (unsigned)((pad - 1) >> 8) | (unsigned)((ZG_SM4_BLOCK - pad) >> 8);
    for (unsigned i = 1; i <= ZG_SM4_BLOCK; i++) {
        /* in_pad is all ones when i <= pad, else 0. */
        unsigned in_pad = 0u - ((((i - 1) - pad) >> 8) & 1u);
        bad |= in_pad & (out[len - i] ^ pad);
    }
    if (bad) {
        sodium_memzero(out, len);
        return ZG_ERR_CRYPTO;
    }
    *out_len = len - pad;
    return ZG_OK;
}

int zg_sm4_ctr_encrypt(const uint8_t key[ZG_SM4_KEY_LEN], const uint8_t iv[ZG_SM4_BLOCK],
                       const void *in, size_t len, uint8_t *out)
{
    if (zg_crypto_init() != ZG_OK || !iv)
        return ZG_ERR_CRYPTO;
    return cipher_run(cipher_sm4_ctr, 1, key, iv, in, len, out);
}

int zg_sm4_ctr_decrypt(const uint8_t key[ZG_SM4_KEY_LEN], const uint8_t iv[ZG_SM4_BLOCK],
                       const void *in, size_t len, uint8_t *out)
{
    return zg_sm4_ctr_encrypt(key, iv, in, len, out);
}

/* ---- keys, seal/open, blind index ------------------------------------------------------ */

int zg_crypto_key_derive(const uint8_t master[ZG_MASTER_KEY_LEN], zg_crypto_key_t *key)
{
    if (!master || !key)
        return ZG_ERR_CRYPTO;
    uint8_t enc[ZG_SM3_LEN];
    int rc = zg_hmac_sm3(master, ZG_MASTER_KEY_LEN, "zugong-enc", 10, enc);
    if (rc == ZG_OK)
        rc = zg_hmac_sm3(master, ZG_MASTER_KEY_LEN, "zugong-mac", 10, key->mac);
    if (rc == ZG_OK)
        rc = zg_hmac_sm3(master, ZG_MASTER_KEY_LEN, "zugong-bidx", 11, key->bidx);
    if (rc == ZG_OK)
        memcpy(key->enc, enc, ZG_SM4_KEY_LEN);
    else
        sodium_memzero(key, sizeof *key);
    sodium_memzero(enc, sizeof enc);
    return rc;
}

void zg_crypto_key_wipe(zg_crypto_key_t *key)
{
    if (key)
        sodium_memzero(key, sizeof *key);
}

static void put_be64(uint8_t *p, uint64_t v)
{
    for (int i = 7; i >= 0; i--) {
        p[i] = (uint8_t)v;
        v >>= 8;
    }
}

/* Tag over header | ciphertext (the first hdr_ct bytes of a sealed buffer) and the ad. */
static int seal_tag(const zg_crypto_key_t *key, const uint8_t *hdr_ct, size_t hdr_ct_len,
                    const void *ad, size_t adlen, uint8_t tag[ZG_SEAL_TAG_LEN])
{
    uint8_t lens[16];
    put_be64(lens, adlen);
    put_be64(lens + 8, hdr_ct_len - 1 - ZG_SEAL_IV_LEN);
    part_t parts[3] = {{hdr_ct, hdr_ct_len}, {ad, adlen}, {lens, sizeof lens}};
    return hmac_parts(key->mac, sizeof key->mac, parts, 3, tag);
}

int zg_crypto_seal(const zg_crypto_key_t *key, const void *plaintext, size_t len, const void *ad,
                   size_t adlen, uint8_t *out, size_t out_cap, size_t *out_len)
{
    if (!key || !out || !out_len || (!plaintext && len > 0) || (!ad && adlen > 0) ||
        len > SIZE_MAX - ZG_SEAL_OVERHEAD || out_cap < len + ZG_SEAL_OVERHEAD)
        return ZG_ERR_INVALID;
    if (zg_crypto_init() != ZG_OK)
        return ZG_ERR_CRYPTO;
    out[0] = ZG_SEAL_VERSION;
    randombytes_buf(out + 1, ZG_SEAL_IV_LEN);
    uint8_t *ct = out + 1 + ZG_SEAL_IV_LEN;
    int rc = zg_sm4_ctr_encrypt(key->enc, out + 1, plaintext, len, ct);
    if (rc == ZG_OK)
        rc = seal_tag(key, out, 1 + ZG_SEAL_IV_LEN + len, ad, adlen, ct + len);
    if (rc != ZG_OK) {
        sodium_memzero(out, len + ZG_SEAL_OVERHEAD);
        return rc;
    }
    *out_len = len + ZG_SEAL_OVERHEAD;
    return ZG_OK;
}

int zg_crypto_open(const zg_crypto_key_t *key, const uint8_t *in, size_t len, const void *ad,
                   size_t adlen, uint8_t *out, size_t out_cap, size_t *out_len)
{
    if (!key || !out_len || (!ad && adlen > 0) || (!in && len > 0))
        return ZG_ERR_INVALID;
    if (len < ZG_SEAL_OVERHEAD || in[0] != ZG_SEAL_VERSION)
        return ZG_ERR_CRYPTO;
    size_t ctlen = len - ZG_SEAL_OVERHEAD;
    if (out_cap < ctlen || (!out && ctlen > 0))
        return ZG_ERR_INVALID;
    uint8_t tag[ZG_SEAL_TAG_LEN];
    int rc = seal_tag(key, in, len - ZG_SEAL_TAG_LEN, ad, adlen, tag);
    if (rc != ZG_OK)
        return rc;
    int differ = CRYPTO_memcmp(tag, in + len - ZG_SEAL_TAG_LEN, ZG_SEAL_TAG_LEN);
    sodium_memzero(tag, sizeof tag);
    if (differ)
        return ZG_ERR_CRYPTO;
    rc = zg_sm4_ctr_decrypt(key->enc, in + 1, in + 1 + ZG_SEAL_IV_LEN, ctlen, out);
    if (rc != ZG_OK)
        return rc;
    *out_len = ctlen;
    return ZG_OK;
}

int zg_blind_index(const zg_crypto_key_t *key, const void *data, size_t len,
                   uint8_t out[ZG_SM3_LEN])
{
    if (!key)
        return ZG_ERR_CRYPTO;
    return zg_hmac_sm3(key->bidx, sizeof key->bidx, data, len, out);
}

/* ---- hex and randomness ---------------------------------------------------------------- */

int zg_hex_encode(const void *data, size_t len, char *out, size_t out_cap)
{
    static const char digits[] = "0123456789abcdef";
    if (!out || (!data && len > 0) || len > (SIZE_MAX - 1) / 2 || out_cap < len * 2 + 1)
        return ZG_ERR_INVALID;
    const uint8_t *p = data;
    for (size_t i = 0; i < len; i++) {
        out[2 * i] = digits[p[i] >> 4];
        out[2 * i + 1] = digits[p[i] & 15];
    }
    out[len * 2] = '\0';
    return ZG_OK;
}

static int hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

int zg_hex_decode(const char *hex, size_t hexlen, uint8_t *out, size_t out_cap, size_t *out_len)
{
    if (!out_len || (!hex && hexlen > 0) || hexlen % 2 != 0 || out_cap < hexlen / 2 ||
        (!out && hexlen > 0))
        return ZG_ERR_INVALID;
    for (size_t i = 0; i < hexlen; i += 2) {
        int hi = hex_value(hex[i]), lo = hex_value(hex[i + 1]);
        if (hi < 0 || lo < 0)
            return ZG_ERR_INVALID;
        out[i / 2] = (uint8_t)(hi << 4 | lo);
    }
    *out_len = hexlen / 2;
    return ZG_OK;
}

void zg_random_bytes(void *buf, size_t n)
{
    /* randombytes_buf needs sodium_init; if that failed, the process must not go on
     * handing out predictable tokens. */
    if (zg_crypto_init() != ZG_OK)
        abort();
    if (n > 0)
        randombytes_buf(buf, n);
}

int zg_random_token(char out[ZG_TOKEN_STR_SIZE])
{
    if (!out || zg_crypto_init() != ZG_OK)
        return ZG_ERR_CRYPTO;
    uint8_t raw[ZG_TOKEN_BYTES];
    randombytes_buf(raw, sizeof raw);
    int rc = zg_hex_encode(raw, sizeof raw, out, ZG_TOKEN_STR_SIZE);
    sodium_memzero(raw, sizeof raw);
    return rc;
}

/* ---- self-test ------------------------------------------------------------------------- */

int zg_crypto_self_test(void)
{
    /* GB/T 32905-2016 appendix A.1: SM3("abc"). */
    static const uint8_t sm3_abc[32] = {0x66, 0xc7, 0xf0, 0xf4, 0x62, 0xee, 0xed, 0xd9,
                                        0xd1, 0xf2, 0xd4, 0x6b, 0xdc, 0x10, 0xe4, 0xe2,
                                        0x41, 0x67, 0xc4, 0x87, 0x5c, 0xf2, 0xf7, 0xa2,
                                        0x29, 0x7d, 0xa0, 0x2b, 0x8f, 0x4b, 0xa8, 0xe0};
    /* GB/T 32907-2016 appendix A.1: key = plaintext = 0123456789abcdeffedcba9876543210. */
    static const uint8_t sm4_kp[16] = {0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef,
                                       0xfe, 0xdc, 0xba, 0x98, 0x76, 0x54, 0x32, 0x10};
    static const uint8_t sm4_ct[16] = {0x68, 0x1e, 0xdf, 0x34, 0xd2, 0x06, 0x96, 0x5e,
                                       0x86, 0xb3, 0xe9, 0x4f, 0x53, 0x6e, 0x42, 0x46};
    uint8_t buf[ZG_SM3_LEN];
    if (zg_sm3("abc", 3, buf) != ZG_OK || memcmp(buf, sm3_abc, 32) != 0)
        return ZG_ERR_CRYPTO;
    if (zg_sm4_encrypt_block(sm4_kp, sm4_kp, buf) != ZG_OK || memcmp(buf, sm4_ct, 16) != 0)
        return ZG_ERR_CRYPTO;

    /* HMAC-SM3 through EVP_MAC must equal RFC 2104 built from SM3 itself:
     * H((K ^ opad) | H((K ^ ipad) | m)) with a 64-byte block and a short key. */
    uint8_t ipad[64 + 3], opad[64 + 32], inner[32], want[32], got[32];
    memset(ipad, 0x36, 64);
    memset(opad, 0x5c, 64);
    for (int i = 0; i < 16; i++) {
        ipad[i] ^= sm4_kp[i];
        opad[i] ^= sm4_kp[i];
    }
    memcpy(ipad + 64, "abc", 3);
    if (zg_sm3(ipad, sizeof ipad, inner) != ZG_OK)
        return ZG_ERR_CRYPTO;
    memcpy(opad + 64, inner, 32);
    if (zg_sm3(opad, sizeof opad, want) != ZG_OK ||
        zg_hmac_sm3(sm4_kp, 16, "abc", 3, got) != ZG_OK || memcmp(want, got, 32) != 0)
        return ZG_ERR_CRYPTO;
    /* and OpenSSL's own HMAC agrees, also with a key longer than the block */
    uint8_t long_key[100];
    memset(long_key, 0xa5, sizeof long_key);
    if (hmac_evp(sm4_kp, 16, "abc", 3, want) != ZG_OK || memcmp(want, got, 32) != 0 ||
        hmac_evp(long_key, sizeof long_key, "abc", 3, want) != ZG_OK ||
        zg_hmac_sm3(long_key, sizeof long_key, "abc", 3, got) != ZG_OK ||
        memcmp(want, got, 32) != 0)
        return ZG_ERR_CRYPTO;
    return ZG_OK;
}

/* ---- passwords ------------------------------------------------------------------------- */

/* The limiter: a counting semaphore built from a mutex and a condition variable on the
 * monotonic clock, so the limit can change at run time and waits can time out. The cost
 * parameters live under the same mutex. */
static pthread_mutex_t pw_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t pw_cv;
static pthread_once_t pw_once = PTHREAD_ONCE_INIT;
static unsigned pw_max = ZG_PASSWORD_DEFAULT_CONCURRENT;
static unsigned pw_wait_ms = ZG_PASSWORD_DEFAULT_WAIT_MS;
static unsigned pw_active, pw_waiting, pw_peak;
static unsigned long long pw_busy;
static unsigned long long pw_ops = ZG_PASSWORD_DEFAULT_OPS;
static size_t pw_mem = ZG_PASSWORD_DEFAULT_MEM;

static void pw_init(void)
{
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&pw_cv, &attr);
    pthread_condattr_destroy(&attr);
}

/* Takes a slot, waiting up to pw_wait_ms. Returns 0 or ZG_ERR_BUSY. */
static int pw_acquire(void)
{
    pthread_once(&pw_once, pw_init);
    pthread_mutex_lock(&pw_mu);
    if (pw_active >= pw_max) {
        if (pw_wait_ms == 0) {
            pw_busy++;
            pthread_mutex_unlock(&pw_mu);
            return ZG_ERR_BUSY;
        }
        struct timespec deadline;
        clock_gettime(CLOCK_MONOTONIC, &deadline);
        deadline.tv_sec += pw_wait_ms / 1000;
        deadline.tv_nsec += (long)(pw_wait_ms % 1000) * 1000000L;
        if (deadline.tv_nsec >= 1000000000L) {
            deadline.tv_sec++;
            deadline.tv_nsec -= 1000000000L;
        }
        pw_waiting++;
        while (pw_active >= pw_max) {
            int rc = pthread_cond_timedwait(&pw_cv, &pw_mu, &deadline);
            if (rc == ETIMEDOUT && pw_active >= pw_max) {
                pw_waiting--;
                pw_busy++;
                pthread_mutex_unlock(&pw_mu);
                return ZG_ERR_BUSY;
            }
        }
        pw_waiting--;
    }
    pw_active++;
    if (pw_active > pw_peak)
        pw_peak = pw_active;
    pthread_mutex_unlock(&pw_mu);
    return ZG_OK;
}

static void pw_release(void)
{
    pthread_mutex_lock(&pw_mu);
    pw_active--;
    pthread_cond_signal(&pw_cv);
    pthread_mutex_unlock(&pw_mu);
}

int zg_password_set_params(unsigned long long ops, size_t mem)
{
    if (ops < crypto_pwhash_argon2id_OPSLIMIT_MIN || ops > crypto_pwhash_argon2id_OPSLIMIT_MAX ||
        mem < crypto_pwhash_argon2id_MEMLIMIT_MIN || mem > crypto_pwhash_argon2id_MEMLIMIT_MAX)
        return ZG_ERR_INVALID;
    pthread_mutex_lock(&pw_mu);
    pw_ops = ops;
    pw_mem = mem;
    pthread_mutex_unlock(&pw_mu);
    return ZG_OK;
}

int zg_password_set_max_concurrent(unsigned n)
{
    if (n < 1)
        return ZG_ERR_INVALID;
    pthread_once(&pw_once, pw_init);
    pthread_mutex_lock(&pw_mu);
    pw_max = n;
    pthread_cond_broadcast(&pw_cv); /* a raised limit may admit several waiters */
    pthread_mutex_unlock(&pw_mu);
    return ZG_OK;
}

int zg_password_set_wait_ms(unsigned ms)
{
    pthread_mutex_lock(&pw_mu);
    pw_wait_ms = ms;
    pthread_mutex_unlock(&pw_mu);
    return ZG_OK;
}

void zg_password_stats(zg_password_stats_t *out)
{
    if (!out)
        return;
    pthread_mutex_lock(&pw_mu);
    out->active = pw_active;
    out->waiting = pw_waiting;
    out->peak = pw_peak;
    out->busy = pw_busy;
    pthread_mutex_unlock(&pw_mu);
}

int zg_password_hash(const char *password, size_t len, char out[ZG_PASSWORD_HASH_SIZE])
{
    if (!out || (!password && len > 0))
        return ZG_ERR_INVALID;
    if (len > ZG_PASSWORD_MAX_BYTES)
        return ZG_ERR_TOO_LARGE;
    if (zg_crypto_init() != ZG_OK)
        return ZG_ERR_CRYPTO;
    pthread_mutex_lock(&pw_mu);
    unsigned long long ops = pw_ops;
    size_t mem = pw_mem;
    pthread_mutex_unlock(&pw_mu);
    int rc = pw_acquire();
    if (rc != ZG_OK)
        return rc;
    /* libsodium fails here essentially only when the memory cannot be allocated. */
    int r = crypto_pwhash_argon2id_str(out, password ? password : "", len, ops, mem);
    pw_release();
    return r == 0 ? ZG_OK : ZG_ERR_NOMEM;
}

/* Whether `stored` looks like an argon2id string that fits the buffer size. */
static bool is_argon2id(const char *stored)
{
    static const char prefix[] = "$argon2id$";
    return stored && strnlen(stored, ZG_PASSWORD_HASH_SIZE) < ZG_PASSWORD_HASH_SIZE &&
           strncmp(stored, prefix, sizeof prefix - 1) == 0;
}

int zg_password_verify(const char *stored, const char *password, size_t len)
{
    if (!is_argon2id(stored) || (!password && len > 0))
        return ZG_ERR_INVALID;
    if (len > ZG_PASSWORD_MAX_BYTES)
        return ZG_ERR_TOO_LARGE;
    if (zg_crypto_init() != ZG_OK)
        return ZG_ERR_CRYPTO;
    int rc = pw_acquire();
    if (rc != ZG_OK)
        return rc;
    int r = crypto_pwhash_argon2id_str_verify(stored, password ? password : "", len);
    pw_release();
    return r == 0 ? ZG_OK : ZG_ERR_UNAUTHORIZED;
}

int zg_password_needs_rehash(const char *stored)
{
    if (!is_argon2id(stored))
        return ZG_ERR_INVALID;
    if (zg_crypto_init() != ZG_OK)
        return ZG_ERR_CRYPTO;
    pthread_mutex_lock(&pw_mu);
    unsigned long long ops = pw_ops;
    size_t mem = pw_mem;
    pthread_mutex_unlock(&pw_mu);
    int r = crypto_pwhash_argon2id_str_needs_rehash(stored, ops, mem);
    if (r < 0)
        return ZG_ERR_INVALID;
    return r;
}
