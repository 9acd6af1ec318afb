/* test_crypto.c — SM3, HMAC-SM3, SM4, seal/open, blind index, hex, randomness and argon2id
 * (src/core/crypto.c).
 * Sources of expected values: the SM3 vectors of GB/T 32905-2016 appendix A, the SM4 vectors
 * of GB/T 32907-2016 appendix A, HMAC built here from SM3 by RFC 2104, CBC and CTR built here
 * from the single-block cipher (itself pinned to the standard's vector), and the sealed
 * format rebuilt here byte by byte. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "core/crypto.h"
#include "core/status.h"

/* ---- helpers ---------------------------------------------------------------------------- */

static void unhex(const char *hex, uint8_t *out)
{
    size_t n = strlen(hex);
    for (size_t i = 0; i < n / 2; i++) {
        unsigned v;
        assert_int_equal(sscanf(hex + 2 * i, "%2x", &v), 1);
        out[i] = (uint8_t)v;
    }
}

static void assert_hex(const uint8_t *data, size_t len, const char *want)
{
    char buf[256];
    assert_true(len * 2 < sizeof buf);
    for (size_t i = 0; i < len; i++)
        snprintf(buf + 2 * i, 3, "%02x", data[i]);
    assert_string_equal(buf, want);
}

/* RFC 2104 HMAC over SM3 (block size 64), from zg_sm3 alone. */
static void ref_hmac(const uint8_t *key, size_t keylen, const uint8_t *msg, size_t len,
                     uint8_t out[32])
{
    uint8_t k[64] = {0};
    if (keylen > 64)
        assert_int_equal(zg_sm3(key, keylen, k), ZG_OK);
    else if (keylen)
        memcpy(k, key, keylen);
    uint8_t *inner = malloc(64 + len + 1);
    assert_non_null(inner);
    for (int i = 0; i < 64; i++)
        inner[i] = k[i] ^ 0x36;
    if (len)
        memcpy(inner + 64, msg, len);
    uint8_t ih[32];
    assert_int_equal(zg_sm3(inner, 64 + len, ih), ZG_OK);
    free(inner);
    uint8_t outer[96];
    for (int i = 0; i < 64; i++)
        outer[i] = k[i] ^ 0x5c;
    memcpy(outer + 64, ih, 32);
    assert_int_equal(zg_sm3(outer, 96, out), ZG_OK);
}

/* CTR keystream from the block cipher: block i = SM4(key, iv + i), 128-bit big-endian. */
static void ref_ctr(const uint8_t key[16], const uint8_t iv[16], const uint8_t *in, size_t len,
                    uint8_t *out)
{
    uint8_t ctr[16], ks[16];
    memcpy(ctr, iv, 16);
    for (size_t off = 0; off < len; off += 16) {
        assert_int_equal(zg_sm4_encrypt_block(key, ctr, ks), ZG_OK);
        for (size_t i = 0; i < 16 && off + i < len; i++)
            out[off + i] = in[off + i] ^ ks[i];
        for (int i = 15; i >= 0; i--)
            if (++ctr[i] != 0)
                break;
    }
}

/* CBC encryption of whole blocks (no padding) from the block cipher. */
static void ref_cbc(const uint8_t key[16], const uint8_t iv[16], const uint8_t *in, size_t len,
                    uint8_t *out)
{
    uint8_t prev[16], x[16];
    memcpy(prev, iv, 16);
    for (size_t off = 0; off < len; off += 16) {
        for (int i = 0; i < 16; i++)
            x[i] = in[off + i] ^ prev[i];
        assert_int_equal(zg_sm4_encrypt_block(key, x, out + off), ZG_OK);
        memcpy(prev, out + off, 16);
    }
}

static const char *KP_HEX = "0123456789abcdeffedcba9876543210";

/* ---- SM3 and HMAC ----------------------------------------------------------------------- */

static void test_init_and_self_test(void **state)
{
    (void)state;
    assert_int_equal(zg_crypto_init(), ZG_OK);
    assert_int_equal(zg_crypto_init(), ZG_OK);
    assert_int_equal(zg_crypto_self_test(), ZG_OK);
}

static void test_sm3_vectors(void **state)
{
    (void)state;
    uint8_t h[32];
    assert_int_equal(zg_sm3("abc", 3, h), ZG_OK);
    assert_hex(h, 32, "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0");
    char m[65];
    for (int i = 0; i < 16; i++)
        memcpy(m + 4 * i, "abcd", 4);
    assert_int_equal(zg_sm3(m, 64, h), ZG_OK);
    assert_hex(h, 32, "debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732");
    assert_int_equal(zg_sm3(NULL, 0, h), ZG_OK);
    assert_hex(h, 32, "1ab21d8355cfa17f8e61194831e81a8f22bec8c728fefb747ed035eb5082aa2b");
    assert_int_equal(zg_sm3(NULL, 1, h), ZG_ERR_CRYPTO);
}

static void test_hmac_sm3_against_rfc2104(void **state)
{
    (void)state;
    uint8_t key[200], msg[300];
    for (size_t i = 0; i < sizeof key; i++)
        key[i] = (uint8_t)(i * 7 + 1);
    for (size_t i = 0; i < sizeof msg; i++)
        msg[i] = (uint8_t)(i * 13 + 5);
    /* key lengths around the 64-byte block size, where RFC 2104 hashes long keys */
    size_t keylens[] = {0, 1, 16, 32, 63, 64, 65, 128, 200};
    size_t msglens[] = {0, 1, 55, 56, 64, 65, 300};
    for (size_t a = 0; a < sizeof keylens / sizeof keylens[0]; a++) {
        for (size_t b = 0; b < sizeof msglens / sizeof msglens[0]; b++) {
            uint8_t want[32], got[32];
            ref_hmac(key, keylens[a], msg, msglens[b], want);
            assert_int_equal(zg_hmac_sm3(key, keylens[a], msg, msglens[b], got), ZG_OK);
            if (memcmp(want, got, 32) != 0)
                fail_msg("HMAC-SM3 keylen %zu msglen %zu", keylens[a], msglens[b]);
        }
    }
}

/* ---- SM4 -------------------------------------------------------------------------------- */

static void test_sm4_block_vector(void **state)
{
    (void)state;
    uint8_t kp[16], c[16];
    unhex(KP_HEX, kp);
    assert_int_equal(zg_sm4_encrypt_block(kp, kp, c), ZG_OK);
    assert_hex(c, 16, "681edf34d206965e86b3e94f536e4246");
}

/* GB/T 32907 appendix A.2: the same plaintext encrypted 1,000,000 times with the same key. */
static void test_sm4_million_iterations(void **state)
{
    (void)state;
    uint8_t key[16], x[16];
    unhex(KP_HEX, key);
    unhex(KP_HEX, x);
    for (int i = 0; i < 1000000; i++)
        assert_int_equal(zg_sm4_encrypt_block(key, x, x), ZG_OK);
    assert_hex(x, 16, "595298c7c6fd271f0402f804c33d3f66");
}

static void test_sm4_cbc(void **state)
{
    (void)state;
    uint8_t key[16], iv[16] = {0}, out[80], back[80];
    unhex(KP_HEX, key);
    size_t n = 0;
    /* one block with a zero IV: the first ciphertext block is the standard's vector, the
     * second is a whole block of padding (16 × 0x10) */
    uint8_t pt[16];
    unhex(KP_HEX, pt);
    assert_int_equal(zg_sm4_cbc_encrypt(key, iv, pt, 16, out, sizeof out, &n), ZG_OK);
    assert_int_equal(n, 32);
    assert_hex(out, 16, "681edf34d206965e86b3e94f536e4246");
    uint8_t padded[32], want[32];
    memcpy(padded, pt, 16);
    memset(padded + 16, 16, 16);
    ref_cbc(key, iv, padded, 32, want);
    assert_memory_equal(out, want, 32);
    /* every length 0..50 against the reference with PKCS#7, and back */
    uint8_t msg[64];
    for (int i = 0; i < 64; i++)
        msg[i] = (uint8_t)(0xA0 + i);
    for (int i = 0; i < 16; i++)
        iv[i] = (uint8_t)i;
    for (size_t len = 0; len <= 50; len++) {
        size_t total = len / 16 * 16 + 16;
        uint8_t buf[80];
        memcpy(buf, msg, len);
        memset(buf + len, (int)(total - len), total - len);
        uint8_t ref[80];
        ref_cbc(key, iv, buf, total, ref);
        assert_int_equal(zg_sm4_cbc_encrypt(key, iv, msg, len, out, total, &n), ZG_OK);
        assert_int_equal(n, total);
        assert_memory_equal(out, ref, total);
        /* one byte less room is refused */
        assert_int_equal(zg_sm4_cbc_encrypt(key, iv, msg, len, out, total - 1, &n), ZG_ERR_INVALID);
        size_t m = 0;
        assert_int_equal(zg_sm4_cbc_decrypt(key, iv, ref, total, back, total, &m), ZG_OK);
        assert_int_equal(m, len);
        if (len)
            assert_memory_equal(back, msg, len);
        assert_int_equal(zg_sm4_cbc_decrypt(key, iv, ref, total, back, total - 1, &m),
                         ZG_ERR_INVALID);
    }
    /* ciphertext lengths that are not whole blocks */
    size_t m;
    assert_int_equal(zg_sm4_cbc_decrypt(key, iv, out, 0, back, sizeof back, &m), ZG_ERR_CRYPTO);
    assert_int_equal(zg_sm4_cbc_decrypt(key, iv, out, 15, back, sizeof back, &m), ZG_ERR_CRYPTO);
    assert_int_equal(zg_sm4_cbc_decrypt(key, iv, out, 17, back, sizeof back, &m), ZG_ERR_CRYPTO);
}

/* Decrypting a block whose plaintext ends in `tail` (crafted with the reference CBC). */
static int cbc_decrypt_with_tail(const uint8_t *tail, size_t tail_len, size_t *out_len)
{
    uint8_t key[16], iv[16] = {0}, pt[16], ct[16], back[16];
    unhex(KP_HEX, key);
    memset(pt, 0x41, 16);
    memcpy(pt + 16 - tail_len, tail, tail_len);
    ref_cbc(key, iv, pt, 16, ct);
    return zg_sm4_cbc_decrypt(key, iv, ct, 16, back, 16, out_len);
}

static void test_sm4_cbc_padding_checks(void **state)
{
    (void)state;
    size_t n;
    const uint8_t pad1[] = {0x01}, pad2[] = {0x02, 0x02}, pad3_bad[] = {0x02, 0x03, 0x03};
    const uint8_t pad0[] = {0x00}, pad17[] = {0x11}, pad255[] = {0xFF};
    uint8_t pad16[16];
    memset(pad16, 16, 16);
    assert_int_equal(cbc_decrypt_with_tail(pad1, 1, &n), ZG_OK);
    assert_int_equal(n, 15);
    assert_int_equal(cbc_decrypt_with_tail(pad2, 2, &n), ZG_OK);
    assert_int_equal(n, 14);
    assert_int_equal(cbc_decrypt_with_tail(pad16, 16, &n), ZG_OK);
    assert_int_equal(n, 0);
    assert_int_equal(cbc_decrypt_with_tail(pad3_bad, 3, &n), ZG_ERR_CRYPTO);
    assert_int_equal(cbc_decrypt_with_tail(pad0, 1, &n), ZG_ERR_CRYPTO);
    assert_int_equal(cbc_decrypt_with_tail(pad17, 1, &n), ZG_ERR_CRYPTO);
    assert_int_equal(cbc_decrypt_with_tail(pad255, 1, &n), ZG_ERR_CRYPTO);
    pad16[0] = 15; /* one wrong byte at the far end of a full padding block */
    assert_int_equal(cbc_decrypt_with_tail(pad16, 16, &n), ZG_ERR_CRYPTO);
    /* a block made entirely of one value above 16: consistent, but longer than a block */
    uint8_t all17[16], all255[16];
    memset(all17, 17, 16);
    memset(all255, 255, 16);
    assert_int_equal(cbc_decrypt_with_tail(all17, 16, &n), ZG_ERR_CRYPTO);
    assert_int_equal(cbc_decrypt_with_tail(all255, 16, &n), ZG_ERR_CRYPTO);
}

static void test_sm4_ctr(void **state)
{
    (void)state;
    uint8_t key[16], msg[100], out[100], want[100], back[100];
    unhex(KP_HEX, key);
    for (int i = 0; i < 100; i++)
        msg[i] = (uint8_t)(i * 3);
    /* IVs chosen so the counter carries past 32 bits and wraps at 128 bits */
    const char *ivs[] = {"00000000000000000000000000000000", "000000000000000000000000fffffffe",
                         "0000000000000000fffffffffffffffe", "fffffffffffffffffffffffffffffffe",
                         "0123456789abcdeffedcba9876543210"};
    for (size_t v = 0; v < sizeof ivs / sizeof ivs[0]; v++) {
        uint8_t iv[16];
        unhex(ivs[v], iv);
        for (size_t len = 0; len <= 100; len += 11) {
            ref_ctr(key, iv, msg, len, want);
            assert_int_equal(zg_sm4_ctr_encrypt(key, iv, msg, len, out), ZG_OK);
            if (len)
                assert_memory_equal(out, want, len);
            assert_int_equal(zg_sm4_ctr_decrypt(key, iv, out, len, back), ZG_OK);
            if (len)
                assert_memory_equal(back, msg, len);
        }
    }
    /* in place */
    uint8_t iv[16] = {0};
    memcpy(out, msg, 100);
    assert_int_equal(zg_sm4_ctr_encrypt(key, iv, out, 100, out), ZG_OK);
    ref_ctr(key, iv, msg, 100, want);
    assert_memory_equal(out, want, 100);
}

/* ---- keys, seal/open, blind index ------------------------------------------------------- */

static void master_key(uint8_t m[32], uint8_t seed)
{
    for (int i = 0; i < 32; i++)
        m[i] = (uint8_t)(seed + i * 11);
}

static void test_key_derivation(void **state)
{
    (void)state;
    uint8_t master[32], want[32];
    master_key(master, 1);
    zg_crypto_key_t k;
    assert_int_equal(zg_crypto_key_derive(master, &k), ZG_OK);
    ref_hmac(master, 32, (const uint8_t *)"zugong-enc", 10, want);
    assert_memory_equal(k.enc, want, 16);
    ref_hmac(master, 32, (const uint8_t *)"zugong-mac", 10, want);
    assert_memory_equal(k.mac, want, 32);
    ref_hmac(master, 32, (const uint8_t *)"zugong-bidx", 11, want);
    assert_memory_equal(k.bidx, want, 32);
    assert_memory_not_equal(k.mac, k.bidx, 32);
    zg_crypto_key_wipe(&k);
    uint8_t zero[sizeof k] = {0};
    assert_memory_equal(&k, zero, sizeof k);
}

static void be64(uint8_t *p, uint64_t v)
{
    for (int i = 7; i >= 0; i--, v >>= 8)
        p[i] = (uint8_t)v;
}

/* The sealed bytes, rebuilt independently from the key scheme and the format. */
static void test_seal_format(void **state)
{
    (void)state;
    uint8_t master[32];
    master_key(master, 9);
    zg_crypto_key_t k;
    assert_int_equal(zg_crypto_key_derive(master, &k), ZG_OK);
    const char *pt = "110105194912310021";
    const char *ad = "member.id_number:42";
    size_t len = strlen(pt), adlen = strlen(ad);
    uint8_t sealed[128];
    size_t n = 0;
    assert_int_equal(zg_crypto_seal(&k, pt, len, ad, adlen, sealed, sizeof sealed, &n), ZG_OK);
    assert_int_equal(n, 1 + 16 + len + 32);
    assert_int_equal(sealed[0], 0x01);
    /* ciphertext = SM4-CTR(enc key = HMAC(master, "zugong-enc")[0..16), IV) */
    uint8_t enc[32], ct[64];
    ref_hmac(master, 32, (const uint8_t *)"zugong-enc", 10, enc);
    ref_ctr(enc, sealed + 1, (const uint8_t *)pt, len, ct);
    assert_memory_equal(sealed + 17, ct, len);
    /* tag = HMAC(mac key, 01 | IV | ct | ad | be64(adlen) | be64(ctlen)) */
    uint8_t mac[32], msg[256], tag[32];
    ref_hmac(master, 32, (const uint8_t *)"zugong-mac", 10, mac);
    size_t m = 0;
    memcpy(msg, sealed, 17 + len);
    m += 17 + len;
    memcpy(msg + m, ad, adlen);
    m += adlen;
    be64(msg + m, adlen);
    be64(msg + m + 8, len);
    m += 16;
    ref_hmac(mac, 32, msg, m, tag);
    assert_memory_equal(sealed + 17 + len, tag, 32);
}

static void test_seal_open_round_trip(void **state)
{
    (void)state;
    uint8_t master[32];
    master_key(master, 3);
    zg_crypto_key_t k;
    assert_int_equal(zg_crypto_key_derive(master, &k), ZG_OK);
    uint8_t pt[300], sealed[400], back[300];
    for (int i = 0; i < 300; i++)
        pt[i] = (uint8_t)(i ^ 0x5A);
    size_t lens[] = {0, 1, 11, 16, 18, 300};
    for (size_t i = 0; i < sizeof lens / sizeof lens[0]; i++) {
        size_t len = lens[i], n = 0, m = 0;
        assert_int_equal(zg_crypto_seal(&k, pt, len, "ad", 2, sealed, sizeof sealed, &n), ZG_OK);
        assert_int_equal(n, len + ZG_SEAL_OVERHEAD);
        assert_int_equal(zg_crypto_open(&k, sealed, n, "ad", 2, back, sizeof back, &m), ZG_OK);
        assert_int_equal(m, len);
        if (len)
            assert_memory_equal(back, pt, len);
    }
    /* no associated data at all */
    size_t n, m;
    assert_int_equal(zg_crypto_seal(&k, "x", 1, NULL, 0, sealed, sizeof sealed, &n), ZG_OK);
    assert_int_equal(zg_crypto_open(&k, sealed, n, NULL, 0, back, sizeof back, &m), ZG_OK);
    /* the same plaintext seals differently each time (random IV) */
    uint8_t a[64], b[64];
    size_t na, nb;
    assert_int_equal(zg_crypto_seal(&k, "13812345678", 11, "p", 1, a, sizeof a, &na), ZG_OK);
    assert_int_equal(zg_crypto_seal(&k, "13812345678", 11, "p", 1, b, sizeof b, &nb), ZG_OK);
    assert_memory_not_equal(a + 1, b + 1, 16);
    assert_memory_not_equal(a + 17, "13812345678", 11);
    /* output room: exactly len + overhead is enough, one less is not */
    assert_int_equal(zg_crypto_seal(&k, pt, 10, NULL, 0, sealed, 10 + ZG_SEAL_OVERHEAD, &n), ZG_OK);
    assert_int_equal(zg_crypto_seal(&k, pt, 10, NULL, 0, sealed, 9 + ZG_SEAL_OVERHEAD, &n),
                     ZG_ERR_INVALID);
    assert_int_equal(zg_crypto_open(&k, sealed, 10 + ZG_SEAL_OVERHEAD, NULL, 0, back, 10, &m),
                     ZG_OK);
    assert_int_equal(zg_crypto_open(&k, sealed, 10 + ZG_SEAL_OVERHEAD, NULL, 0, back, 9, &m),
                     ZG_ERR_INVALID);
}

static void test_open_rejects_tampering(void **state)
{
    (void)state;
    uint8_t master[32];
    master_key(master, 5);
    zg_crypto_key_t k;
    assert_int_equal(zg_crypto_key_derive(master, &k), ZG_OK);
    const char *ad = "member.phone:7";
    uint8_t sealed[64], copy[64], back[64];
    size_t n, m;
    assert_int_equal(
        zg_crypto_seal(&k, "13812345678", 11, ad, strlen(ad), sealed, sizeof sealed, &n), ZG_OK);
    /* flip one bit in every byte in turn: version, IV, ciphertext, tag */
    for (size_t i = 0; i < n; i++) {
        for (int bit = 0; bit < 8; bit += 7) {
            memcpy(copy, sealed, n);
            copy[i] ^= (uint8_t)(1u << bit);
            memset(back, 0xEE, sizeof back);
            if (zg_crypto_open(&k, copy, n, ad, strlen(ad), back, sizeof back, &m) != ZG_ERR_CRYPTO)
                fail_msg("tampered byte %zu bit %d accepted", i, bit);
            assert_int_equal(back[0], 0xEE); /* nothing decrypted */
        }
    }
    /* different, shorter, longer or missing associated data */
    assert_int_equal(zg_crypto_open(&k, sealed, n, "member.phone:8", 14, back, 64, &m),
                     ZG_ERR_CRYPTO);
    assert_int_equal(zg_crypto_open(&k, sealed, n, ad, strlen(ad) - 1, back, 64, &m),
                     ZG_ERR_CRYPTO);
    assert_int_equal(zg_crypto_open(&k, sealed, n, "member.phone:77", 15, back, 64, &m),
                     ZG_ERR_CRYPTO);
    assert_int_equal(zg_crypto_open(&k, sealed, n, NULL, 0, back, 64, &m), ZG_ERR_CRYPTO);
    /* truncated or extended input */
    assert_int_equal(zg_crypto_open(&k, sealed, n - 1, ad, strlen(ad), back, 64, &m),
                     ZG_ERR_CRYPTO);
    memcpy(copy, sealed, n);
    copy[n] = 0;
    assert_int_equal(zg_crypto_open(&k, copy, n + 1, ad, strlen(ad), back, 64, &m), ZG_ERR_CRYPTO);
    /* shorter than the overhead; exactly the overhead is a valid empty message */
    assert_int_equal(zg_crypto_open(&k, sealed, ZG_SEAL_OVERHEAD - 1, ad, 0, back, 64, &m),
                     ZG_ERR_CRYPTO);
    assert_int_equal(zg_crypto_open(&k, sealed, 0, ad, 0, back, 64, &m), ZG_ERR_CRYPTO);
    uint8_t empty[ZG_SEAL_OVERHEAD];
    assert_int_equal(zg_crypto_seal(&k, NULL, 0, NULL, 0, empty, sizeof empty, &n), ZG_OK);
    assert_int_equal(zg_crypto_open(&k, empty, sizeof empty, NULL, 0, NULL, 0, &m), ZG_OK);
    assert_int_equal(m, 0);
    /* a wrong key (another master) */
    uint8_t other_master[32];
    master_key(other_master, 6);
    zg_crypto_key_t other;
    assert_int_equal(zg_crypto_key_derive(other_master, &other), ZG_OK);
    assert_int_equal(
        zg_crypto_seal(&k, "13812345678", 11, ad, strlen(ad), sealed, sizeof sealed, &n), ZG_OK);
    assert_int_equal(zg_crypto_open(&other, sealed, n, ad, strlen(ad), back, 64, &m),
                     ZG_ERR_CRYPTO);
    /* the right key still opens it */
    assert_int_equal(zg_crypto_open(&k, sealed, n, ad, strlen(ad), back, 64, &m), ZG_OK);
    assert_memory_equal(back, "13812345678", 11);
}

static void test_blind_index(void **state)
{
    (void)state;
    uint8_t master[32], bidx[32], want[32], again[32];
    master_key(master, 7);
    zg_crypto_key_t k;
    assert_int_equal(zg_crypto_key_derive(master, &k), ZG_OK);
    const char *id = "11010519491231002X";
    assert_int_equal(zg_blind_index(&k, id, 18, bidx), ZG_OK);
    uint8_t bkey[32];
    ref_hmac(master, 32, (const uint8_t *)"zugong-bidx", 11, bkey);
    ref_hmac(bkey, 32, (const uint8_t *)id, 18, want);
    assert_memory_equal(bidx, want, 32);
    assert_int_equal(zg_blind_index(&k, id, 18, again), ZG_OK);
    assert_memory_equal(bidx, again, 32); /* deterministic: usable for lookup */
    assert_int_equal(zg_blind_index(&k, "11010519491231002x", 18, again), ZG_OK);
    assert_memory_not_equal(bidx, again, 32); /* callers normalize first */
    /* not the MAC key's HMAC, and another master gives another index */
    assert_int_equal(zg_hmac_sm3(k.mac, 32, id, 18, again), ZG_OK);
    assert_memory_not_equal(bidx, again, 32);
    uint8_t m2[32];
    master_key(m2, 8);
    zg_crypto_key_t k2;
    assert_int_equal(zg_crypto_key_derive(m2, &k2), ZG_OK);
    assert_int_equal(zg_blind_index(&k2, id, 18, again), ZG_OK);
    assert_memory_not_equal(bidx, again, 32);
}

/* ---- hex and randomness ----------------------------------------------------------------- */

static void test_hex(void **state)
{
    (void)state;
    const uint8_t data[] = {0x00, 0x01, 0x7f, 0x80, 0xab, 0xff};
    char out[13];
    assert_int_equal(zg_hex_encode(data, 6, out, sizeof out), ZG_OK);
    assert_string_equal(out, "00017f80abff");
    assert_int_equal(zg_hex_encode(data, 6, out, 12), ZG_ERR_INVALID); /* no room for NUL */
    assert_int_equal(zg_hex_encode(NULL, 0, out, 1), ZG_OK);
    assert_string_equal(out, "");
    uint8_t back[6];
    size_t n = 0;
    assert_int_equal(zg_hex_decode("00017F80abFF", 12, back, sizeof back, &n), ZG_OK);
    assert_int_equal(n, 6);
    assert_memory_equal(back, data, 6);
    assert_int_equal(zg_hex_decode("00017f80abf", 11, back, sizeof back, &n), ZG_ERR_INVALID);
    assert_int_equal(zg_hex_decode("00017f80abfg", 12, back, sizeof back, &n), ZG_ERR_INVALID);
    assert_int_equal(zg_hex_decode("0x", 2, back, sizeof back, &n), ZG_ERR_INVALID);
    assert_int_equal(zg_hex_decode("00017f80abff", 12, back, 5, &n), ZG_ERR_INVALID);
    assert_int_equal(zg_hex_decode("", 0, back, 0, &n), ZG_OK);
    assert_int_equal(n, 0);
}

static void test_random(void **state)
{
    (void)state;
    uint8_t a[32], b[32];
    zg_random_bytes(a, sizeof a);
    zg_random_bytes(b, sizeof b);
    assert_memory_not_equal(a, b, 32);
    char t1[ZG_TOKEN_STR_SIZE], t2[ZG_TOKEN_STR_SIZE];
    assert_int_equal(zg_random_token(t1), ZG_OK);
    assert_int_equal(zg_random_token(t2), ZG_OK);
    assert_int_equal(strlen(t1), 64);
    assert_string_not_equal(t1, t2);
    for (int i = 0; i < 64; i++)
        assert_non_null(strchr("0123456789abcdef", t1[i]));
}

/* ---- passwords -------------------------------------------------------------------------- */

static void small_params(void)
{
    assert_int_equal(zg_password_set_params(1, 8192), ZG_OK);
}

static void test_password_hash_verify(void **state)
{
    (void)state;
    small_params();
    char h[ZG_PASSWORD_HASH_SIZE], h2[ZG_PASSWORD_HASH_SIZE];
    const char *pw = "党建2026!";
    assert_int_equal(zg_password_hash(pw, strlen(pw), h), ZG_OK);
    /* argon2id, version 19, the configured cost (m in KiB), parallelism 1 */
    assert_memory_equal(h, "$argon2id$v=19$m=8,t=1,p=1$", 27);
    assert_int_equal(zg_password_verify(h, pw, strlen(pw)), ZG_OK);
    assert_int_equal(zg_password_verify(h, "党建2026?", strlen(pw)), ZG_ERR_UNAUTHORIZED);
    assert_int_equal(zg_password_verify(h, pw, strlen(pw) - 1), ZG_ERR_UNAUTHORIZED);
    assert_int_equal(zg_password_verify(h, "", 0), ZG_ERR_UNAUTHORIZED);
    /* a random salt: two hashes of one password differ, both verify */
    assert_int_equal(zg_password_hash(pw, strlen(pw), h2), ZG_OK);
    assert_string_not_equal(h, h2);
    assert_int_equal(zg_password_verify(h2, pw, strlen(pw)), ZG_OK);
    /* not an argon2id string */
    assert_int_equal(zg_password_verify("$2y$10$abcdefghijklmnopqrstuv", pw, 3), ZG_ERR_INVALID);
    assert_int_equal(zg_password_verify("", pw, 3), ZG_ERR_INVALID);
    assert_int_equal(zg_password_verify(NULL, pw, 3), ZG_ERR_INVALID);
    /* a damaged argon2id string fails without crashing */
    char bad[ZG_PASSWORD_HASH_SIZE];
    memcpy(bad, h, sizeof bad);
    bad[30] = bad[30] == 'A' ? 'B' : 'A';
    assert_int_not_equal(zg_password_verify(bad, pw, strlen(pw)), ZG_OK);
}

static void test_password_limits(void **state)
{
    (void)state;
    small_params();
    char h[ZG_PASSWORD_HASH_SIZE];
    static char longpw[ZG_PASSWORD_MAX_BYTES + 1];
    memset(longpw, 'p', sizeof longpw);
    assert_int_equal(zg_password_hash(longpw, ZG_PASSWORD_MAX_BYTES, h), ZG_OK);
    assert_int_equal(zg_password_verify(h, longpw, ZG_PASSWORD_MAX_BYTES), ZG_OK);
    assert_int_equal(zg_password_hash(longpw, ZG_PASSWORD_MAX_BYTES + 1, h), ZG_ERR_TOO_LARGE);
    assert_int_equal(zg_password_verify(h, longpw, ZG_PASSWORD_MAX_BYTES + 1), ZG_ERR_TOO_LARGE);
    /* cost parameters: libsodium's minimums are accepted, below them refused */
    assert_int_equal(zg_password_set_params(0, 8192), ZG_ERR_INVALID);
    assert_int_equal(zg_password_set_params(1, 8191), ZG_ERR_INVALID);
    assert_int_equal(zg_password_set_params(1, 8192), ZG_OK);
    assert_int_equal(zg_password_set_max_concurrent(0), ZG_ERR_INVALID);
    /* rehash when the configured cost changes */
    assert_int_equal(zg_password_hash("pw", 2, h), ZG_OK);
    assert_int_equal(zg_password_needs_rehash(h), 0);
    assert_int_equal(zg_password_set_params(2, 8192), ZG_OK);
    assert_int_equal(zg_password_needs_rehash(h), 1);
    assert_int_equal(zg_password_verify(h, "pw", 2), ZG_OK); /* old cost still verifies */
    assert_int_equal(zg_password_needs_rehash("nope"), ZG_ERR_INVALID);
    assert_int_equal(zg_password_set_params(ZG_PASSWORD_DEFAULT_OPS, ZG_PASSWORD_DEFAULT_MEM),
                     ZG_OK);
    assert_int_equal(zg_password_needs_rehash(h), 1);
}

/* A thread that hashes with whatever cost is configured. */
static void *hash_thread(void *arg)
{
    int *rc = arg;
    char h[ZG_PASSWORD_HASH_SIZE];
    *rc = zg_password_hash("slow", 4, h);
    return NULL;
}

/* Starts a slow hash in another thread and waits until it holds a slot. */
static void start_slow_hash(pthread_t *t, int *rc)
{
    /* 64 MiB, 3 passes: long enough (tens of ms at least) to observe the slot taken */
    assert_int_equal(zg_password_set_params(3, 64u * 1024 * 1024), ZG_OK);
    *rc = 1;
    assert_int_equal(pthread_create(t, NULL, hash_thread, rc), 0);
    zg_password_stats_t st;
    for (int i = 0; i < 50000; i++) { /* up to about 5 s */
        zg_password_stats(&st);
        if (st.active == 1)
            return;
        struct timespec ts = {0, 100000};
        nanosleep(&ts, NULL);
    }
    fail_msg("the slow hash never took a slot");
}

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void test_password_concurrency_cap(void **state)
{
    (void)state;
    small_params();
    char h[ZG_PASSWORD_HASH_SIZE];
    assert_int_equal(zg_password_hash("x", 1, h), ZG_OK);
    assert_int_equal(zg_password_set_max_concurrent(1), ZG_OK);

    /* no waiting: a second caller is turned away at once while the slot is taken */
    assert_int_equal(zg_password_set_wait_ms(0), ZG_OK);
    pthread_t t;
    int trc;
    zg_password_stats_t before, after;
    start_slow_hash(&t, &trc);
    zg_password_stats(&before);
    int rc = zg_password_verify(h, "x", 1);
    pthread_join(t, NULL);
    zg_password_stats(&after);
    assert_int_equal(trc, ZG_OK);
    assert_int_equal(rc, ZG_ERR_BUSY);
    assert_int_equal(after.busy, before.busy + 1);
    assert_int_equal(after.active, 0);

    /* a short wait times out with ZG_ERR_BUSY after about that long */
    assert_int_equal(zg_password_set_wait_ms(30), ZG_OK);
    start_slow_hash(&t, &trc);
    double t0 = now_ms();
    rc = zg_password_verify(h, "x", 1);
    double waited = now_ms() - t0;
    zg_password_stats(&after);
    pthread_join(t, NULL);
    if (rc == ZG_ERR_BUSY) {
        assert_true(waited >= 25.0);
    } else {
        /* the slow hash finished within 30 ms on a very fast machine: then the slot was free */
        assert_int_equal(rc, ZG_OK);
    }

    /* with waiting allowed, 4 callers on 1 slot all succeed, one at a time */
    small_params();
    assert_int_equal(zg_password_set_wait_ms(60000), ZG_OK);
    pthread_t ts[4];
    int rcs[4];
    for (int i = 0; i < 4; i++)
        assert_int_equal(pthread_create(&ts[i], NULL, hash_thread, &rcs[i]), 0);
    for (int i = 0; i < 4; i++) {
        pthread_join(ts[i], NULL);
        assert_int_equal(rcs[i], ZG_OK);
    }
    zg_password_stats(&after);
    assert_int_equal(after.peak, 1); /* never more than one at once so far */
    assert_int_equal(after.active, 0);
    assert_int_equal(after.waiting, 0);

    /* raise the cap: 8 callers on 3 slots never exceed 3 */
    assert_int_equal(zg_password_set_max_concurrent(3), ZG_OK);
    pthread_t t8[8];
    int rc8[8];
    for (int i = 0; i < 8; i++)
        assert_int_equal(pthread_create(&t8[i], NULL, hash_thread, &rc8[i]), 0);
    for (int i = 0; i < 8; i++) {
        pthread_join(t8[i], NULL);
        assert_int_equal(rc8[i], ZG_OK);
    }
    zg_password_stats(&after);
    assert_true(after.peak >= 1 && after.peak <= 3);
    assert_int_equal(zg_password_set_max_concurrent(ZG_PASSWORD_DEFAULT_CONCURRENT), ZG_OK);
    assert_int_equal(zg_password_set_wait_ms(ZG_PASSWORD_DEFAULT_WAIT_MS), ZG_OK);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_init_and_self_test),
        cmocka_unit_test(test_sm3_vectors),
        cmocka_unit_test(test_hmac_sm3_against_rfc2104),
        cmocka_unit_test(test_sm4_block_vector),
        cmocka_unit_test(test_sm4_million_iterations),
        cmocka_unit_test(test_sm4_cbc),
        cmocka_unit_test(test_sm4_cbc_padding_checks),
        cmocka_unit_test(test_sm4_ctr),
        cmocka_unit_test(test_key_derivation),
        cmocka_unit_test(test_seal_format),
        cmocka_unit_test(test_seal_open_round_trip),
        cmocka_unit_test(test_open_rejects_tampering),
        cmocka_unit_test(test_blind_index),
        cmocka_unit_test(test_hex),
        cmocka_unit_test(test_random),
        cmocka_unit_test(test_password_hash_verify),
        cmocka_unit_test(test_password_limits),
        cmocka_unit_test(test_password_concurrency_cap),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
