/* crypto.h — the cryptography zugong uses, in one place:
 *   - SM3 hashing (GB/T 32905) and HMAC-SM3, for the audit chain and keyed hashes;
 *   - SM4 block cipher (GB/T 32907) in CBC (PKCS#7) and CTR modes;
 *   - seal/open: authenticated field encryption (SM4-CTR, then HMAC-SM3) for ID and phone
 *     numbers at rest (SPEC §2 "Field encryption");
 *   - a blind index (HMAC-SM3 with its own key) for exact lookup of encrypted fields;
 *   - argon2id password hashing (libsodium) with a cap on concurrent hashes;
 *   - random bytes and tokens (libsodium).
 * SM3/SM4/HMAC go through OpenSSL 3 EVP; argon2id and randomness through libsodium.
 *
 * Keys: one 32-byte master key (from a file or the environment, never the database) is turned
 * by zg_crypto_key_derive into separate keys for encryption, MAC and blind index, so no key is
 * used for two purposes. All functions are thread-safe. */
#ifndef ZG_CORE_CRYPTO_H
#define ZG_CORE_CRYPTO_H

#include <stddef.h>
#include <stdint.h>

#define ZG_SM3_LEN        32 /* SM3 digest bytes */
#define ZG_SM4_KEY_LEN    16 /* SM4 key bytes */
#define ZG_SM4_BLOCK      16 /* SM4 block and IV bytes */
#define ZG_MASTER_KEY_LEN 32

/* Sealed format: version | IV | ciphertext | tag. */
#define ZG_SEAL_VERSION  0x01
#define ZG_SEAL_IV_LEN   16
#define ZG_SEAL_TAG_LEN  32
#define ZG_SEAL_OVERHEAD (1 + ZG_SEAL_IV_LEN + ZG_SEAL_TAG_LEN)

/* Bytes of a password hash string, NUL included (libsodium's crypto_pwhash_STRBYTES). */
#define ZG_PASSWORD_HASH_SIZE 128
/* Longest password accepted, in bytes: bounds the work an unauthenticated request can cause. */
#define ZG_PASSWORD_MAX_BYTES 1024
/* Defaults: argon2id t = 3 passes over m = 64 MiB (above OWASP's minimum of m = 19 MiB,
 * t = 2), at most 2 hashes at once (so a login flood needs at most 128 MiB). */
#define ZG_PASSWORD_DEFAULT_OPS        3ULL
#define ZG_PASSWORD_DEFAULT_MEM        (64u * 1024u * 1024u)
#define ZG_PASSWORD_DEFAULT_CONCURRENT 2u
#define ZG_PASSWORD_DEFAULT_WAIT_MS    10000u

/* Random token: 32 random bytes as 64 lowercase hex characters, + NUL. */
#define ZG_TOKEN_BYTES    32
#define ZG_TOKEN_STR_SIZE (ZG_TOKEN_BYTES * 2 + 1)

/* Keys derived from the master key. Owned by the caller; wipe with zg_crypto_key_wipe when
 * done. */
typedef struct zg_crypto_key {
    uint8_t enc[ZG_SM4_KEY_LEN]; /* first 16 bytes of HMAC-SM3(master, "zugong-enc") */
    uint8_t mac[ZG_SM3_LEN];     /* HMAC-SM3(master, "zugong-mac") */
    uint8_t bidx[ZG_SM3_LEN];    /* HMAC-SM3(master, "zugong-bidx") */
} zg_crypto_key_t;

/* Initializes libsodium and fetches the OpenSSL algorithms, once per process (later calls
 * return at once). Every function below calls it itself; call it at start-up to fail early.
 * Returns 0, or ZG_ERR_CRYPTO when libsodium cannot start or OpenSSL lacks SM3/SM4/HMAC. */
int zg_crypto_init(void);

/* Known-answer self-test of SM3, SM4 and HMAC-SM3 against the standards' vectors (SM3 "abc",
 * SM4 GB/T 32907 appendix A), for start-up. Returns 0 or ZG_ERR_CRYPTO. */
int zg_crypto_self_test(void);

/* out = SM3(data). Returns 0 or ZG_ERR_CRYPTO. */
int zg_sm3(const void *data, size_t len, uint8_t out[ZG_SM3_LEN]);

/* out = HMAC-SM3(key, data) (RFC 2104 with SM3). Any key length, 0 included. Returns 0 or
 * ZG_ERR_CRYPTO. */
int zg_hmac_sm3(const void *key, size_t keylen, const void *data, size_t len,
                uint8_t out[ZG_SM3_LEN]);

/* Encrypts one 16-byte block with SM4 (ECB, no padding). Only for known-answer tests and
 * building other modes in tests: never encrypt data with ECB. Returns 0 or ZG_ERR_CRYPTO. */
int zg_sm4_encrypt_block(const uint8_t key[ZG_SM4_KEY_LEN], const uint8_t in[ZG_SM4_BLOCK],
                         uint8_t out[ZG_SM4_BLOCK]);

/* SM4-CBC with PKCS#7 padding. Encrypt writes len/16*16 + 16 bytes (always at least one pad
 * byte); decrypt removes and checks the padding. *out_len gets the bytes written. Returns 0;
 * ZG_ERR_INVALID when out_cap is too small (encrypt needs len + 16; decrypt needs len);
 * ZG_ERR_CRYPTO when decrypt input is not a positive multiple of 16 or the padding is wrong.
 * CBC is not authenticated: use zg_crypto_seal for stored data. */
int zg_sm4_cbc_encrypt(const uint8_t key[ZG_SM4_KEY_LEN], const uint8_t iv[ZG_SM4_BLOCK],
                       const void *in, size_t len, uint8_t *out, size_t out_cap, size_t *out_len);
int zg_sm4_cbc_decrypt(const uint8_t key[ZG_SM4_KEY_LEN], const uint8_t iv[ZG_SM4_BLOCK],
                       const void *in, size_t len, uint8_t *out, size_t out_cap, size_t *out_len);

/* SM4-CTR: out = in XOR keystream, where block i of the keystream is SM4(key, iv + i) with
 * the IV read as a 128-bit big-endian counter. Encryption and decryption are the same
 * operation; out has len bytes and may equal in. Never reuse (key, iv). Returns 0 or
 * ZG_ERR_CRYPTO. */
int zg_sm4_ctr_encrypt(const uint8_t key[ZG_SM4_KEY_LEN], const uint8_t iv[ZG_SM4_BLOCK],
                       const void *in, size_t len, uint8_t *out);
int zg_sm4_ctr_decrypt(const uint8_t key[ZG_SM4_KEY_LEN], const uint8_t iv[ZG_SM4_BLOCK],
                       const void *in, size_t len, uint8_t *out);

/* Derives the encryption, MAC and blind-index keys from a 32-byte master key. Returns 0 or
 * ZG_ERR_CRYPTO. */
int zg_crypto_key_derive(const uint8_t master[ZG_MASTER_KEY_LEN], zg_crypto_key_t *key);

/* Zeroes a derived key in a way the compiler cannot optimize away. */
void zg_crypto_key_wipe(zg_crypto_key_t *key);

/* Authenticated encryption of a field: writes
 *   0x01 | IV (16 random bytes) | SM4-CTR(enc key, IV, plaintext) | tag (32 bytes)
 * where tag = HMAC-SM3(mac key, 0x01 | IV | ciphertext | ad | len(ad) | len(ciphertext)),
 * lengths as 8-byte big-endian (so bytes cannot be moved between ciphertext and ad).
 * `ad` (associated data, e.g. "member.id_number:42") is authenticated but not stored: open
 * must be given the same ad, which binds a ciphertext to its row and column. Output is
 * len + ZG_SEAL_OVERHEAD bytes. Returns 0; ZG_ERR_INVALID when out_cap is too small or a
 * pointer is NULL with a non-zero length; ZG_ERR_CRYPTO on a library failure. */
int zg_crypto_seal(const zg_crypto_key_t *key, const void *plaintext, size_t len, const void *ad,
                   size_t adlen, uint8_t *out, size_t out_cap, size_t *out_len);

/* Reverses zg_crypto_seal. The tag is checked (in constant time) before anything is
 * decrypted; on failure nothing is written to out. Returns 0; ZG_ERR_CRYPTO when the input is
 * shorter than ZG_SEAL_OVERHEAD, has an unknown version, or fails authentication (wrong key,
 * wrong ad, or any altered byte); ZG_ERR_INVALID when out_cap < len - ZG_SEAL_OVERHEAD. */
int zg_crypto_open(const zg_crypto_key_t *key, const uint8_t *in, size_t len, const void *ad,
                   size_t adlen, uint8_t *out, size_t out_cap, size_t *out_len);

/* Blind index: out = HMAC-SM3(bidx key, data). Equal inputs give equal indexes, so an
 * encrypted column can be searched for an exact value without decrypting. Normalize first
 * (e.g. the X of an ID number via zg_idnum_check). Returns 0 or ZG_ERR_CRYPTO. */
int zg_blind_index(const zg_crypto_key_t *key, const void *data, size_t len,
                   uint8_t out[ZG_SM3_LEN]);

/* Lowercase hex of `len` bytes into out (2*len + 1 bytes needed, NUL-terminated). Returns 0
 * or ZG_ERR_INVALID when out_cap is too small. */
int zg_hex_encode(const void *data, size_t len, char *out, size_t out_cap);

/* Decodes `hexlen` hex characters (either case) into out. Returns 0; ZG_ERR_INVALID for an
 * odd length, a non-hex character, or out_cap < hexlen / 2. */
int zg_hex_decode(const char *hex, size_t hexlen, uint8_t *out, size_t out_cap, size_t *out_len);

/* Fills buf with n cryptographically secure random bytes (libsodium randombytes_buf).
 * Aborts the process if libsodium cannot start: there is no safe way to go on without
 * randomness, and no caller should have to check. */
void zg_random_bytes(void *buf, size_t n);

/* Writes a fresh token of ZG_TOKEN_BYTES random bytes as lowercase hex (session ids, CSRF
 * tokens). Returns 0 or ZG_ERR_CRYPTO. */
int zg_random_token(char out[ZG_TOKEN_STR_SIZE]);

/* Sets argon2id cost for new hashes: `ops` passes over `mem` bytes. Both must be at least
 * libsodium's minimums (ops >= 1, mem >= 8 KiB) and at most its maximums. Tests use small
 * values; production keeps the defaults (t = 3, m = 64 MiB) or raises them. Verification
 * always uses the cost stored in the hash. Returns 0 or ZG_ERR_INVALID. */
int zg_password_set_params(unsigned long long ops, size_t mem);

/* Sets how many hashes/verifications may run at once (n >= 1; default 2) and how long a caller
 * waits for a slot before giving up with ZG_ERR_BUSY (default 10 s; 0 = do not wait).
 * Returns 0 or ZG_ERR_INVALID. */
int zg_password_set_max_concurrent(unsigned n);
int zg_password_set_wait_ms(unsigned ms);

/* Hashes a password with argon2id into a self-describing string ("$argon2id$v=19$m=…")
 * in out (ZG_PASSWORD_HASH_SIZE bytes), with a random salt. Takes a concurrency slot.
 * Returns 0; ZG_ERR_TOO_LARGE when len > ZG_PASSWORD_MAX_BYTES; ZG_ERR_BUSY when no slot
 * came free in time; ZG_ERR_NOMEM / ZG_ERR_CRYPTO when hashing failed. */
int zg_password_hash(const char *password, size_t len, char out[ZG_PASSWORD_HASH_SIZE]);

/* Checks a password against a stored argon2id string (constant time in the comparison).
 * Takes a concurrency slot. Returns 0 when it matches; ZG_ERR_UNAUTHORIZED when it does not;
 * ZG_ERR_INVALID when `stored` is not an argon2id string; ZG_ERR_TOO_LARGE, ZG_ERR_BUSY as
 * for hashing. */
int zg_password_verify(const char *stored, const char *password, size_t len);

/* Whether a stored hash was made with other cost parameters than the current ones (so the
 * login path should re-hash it after a successful verify). 1 yes, 0 no, negative on error. */
int zg_password_needs_rehash(const char *stored);

/* Counters of the concurrency limiter, for metrics and tests. */
typedef struct zg_password_stats {
    unsigned active;         /* hashes running now */
    unsigned waiting;        /* callers waiting for a slot now */
    unsigned peak;           /* most hashes ever running at once */
    unsigned long long busy; /* callers turned away with ZG_ERR_BUSY */
} zg_password_stats_t;
void zg_password_stats(zg_password_stats_t *out);

#endif
