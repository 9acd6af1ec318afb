/* member_key.c — the field-encryption key of the member module (SPEC §2 "Field encryption":
 * key from a file or the environment, never in the database): where it comes from, the check
 * that the database was sealed with the same key, sealing and opening of the ID number and
 * phone columns, and the blind index. See zg_member_configure in member.h for the order of
 * the sources. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/log.h"
#include "modules/member/member_internal.h"
#include "modules/org/org.h"

#define KEY_HEX        (ZG_MASTER_KEY_LEN * 2)
#define KEY_FILE_MAX   4096 /* bytes read from a key file: 64 hex characters and white space */
#define FINGERPRINT_AD "zugong-field-key-check-v1"
#define ENV_KEY        "ZUGONG_FIELD_KEY"

static zg_crypto_key_t g_key;
static bool g_ready;

const zg_crypto_key_t *member_key(void)
{
    return g_ready ? &g_key : NULL;
}

void zg_member_set_master_key(const uint8_t master[ZG_MASTER_KEY_LEN])
{
    zg_crypto_key_t k;
    if (zg_crypto_key_derive(master, &k)) {
        zg_log_error("field key: derivation failed");
        return;
    }
    g_key = k;
    zg_crypto_key_wipe(&k);
    g_ready = true;
}

void zg_member_clear_key(void)
{
    zg_crypto_key_wipe(&g_key);
    g_ready = false;
}

bool zg_member_key_ready(void)
{
    return g_ready;
}

/* 64 hex characters, surrounded by white space at most. */
static int parse_hex_key(const char *text, size_t len, uint8_t master[ZG_MASTER_KEY_LEN])
{
    size_t b = 0, e = len;
    while (b < e && isspace((unsigned char)text[b]))
        b++;
    while (e > b && isspace((unsigned char)text[e - 1]))
        e--;
    size_t got = 0;
    if (e - b != KEY_HEX || zg_hex_decode(text + b, KEY_HEX, master, ZG_MASTER_KEY_LEN, &got) ||
        got != ZG_MASTER_KEY_LEN)
        return ZG_ERR_INVALID;
    return ZG_OK;
}

static int read_key_file(const char *path, uint8_t master[ZG_MASTER_KEY_LEN], zg_error_t *err)
{
    char msg[sizeof err->message];
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        snprintf(msg, sizeof msg, "无法读取字段加密密钥文件 %.200s：%s", path,
                 errno == ENOENT ? "文件不存在" : "没有读取权限或无法打开");
        return zg_error_set(err, ZG_ERR_IO, "key_file", msg, "key file %s: %s", path,
                            strerror(errno));
    }
    struct stat st;
    if (fstat(fd, &st) == 0 && (st.st_mode & 077))
        zg_log_warn("field key file %s is readable by group or others (mode %03o): "
                    "chmod 600 it",
                    path, (unsigned)(st.st_mode & 0777));
    char buf[KEY_FILE_MAX];
    ssize_t n = read(fd, buf, sizeof buf);
    close(fd);
    int rc =
        n > 0 && (size_t)n < sizeof buf ? parse_hex_key(buf, (size_t)n, master) : ZG_ERR_INVALID;
    memset(buf, 0, sizeof buf);
    if (rc) {
        snprintf(msg, sizeof msg, "字段加密密钥文件 %.200s 的内容无效：应为64位十六进制字符", path);
        return zg_error_set(err, ZG_ERR_INVALID, "key_file", msg, "key file %s: bad content", path);
    }
    return ZG_OK;
}

/* Creates `path` (O_EXCL, 0600) with a fresh random key. */
static int create_key_file(const char *path, uint8_t master[ZG_MASTER_KEY_LEN], zg_error_t *err)
{
    zg_random_bytes(master, ZG_MASTER_KEY_LEN);
    char hex[KEY_HEX + 2];
    zg_hex_encode(master, ZG_MASTER_KEY_LEN, hex, sizeof hex);
    hex[KEY_HEX] = '\n';
    hex[KEY_HEX + 1] = '\0';
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
        char msg[sizeof err->message];
        snprintf(msg, sizeof msg, "无法创建字段加密密钥文件 %.200s", path);
        memset(hex, 0, sizeof hex);
        return zg_error_set(err, ZG_ERR_IO, "key_file", msg, "create %s: %s", path,
                            strerror(errno));
    }
    ssize_t w = write(fd, hex, KEY_HEX + 1);
    int ok = w == KEY_HEX + 1 && fsync(fd) == 0;
    close(fd);
    memset(hex, 0, sizeof hex);
    if (!ok) {
        unlink(path);
        return zg_error_set(err, ZG_ERR_IO, "key_file", "写入字段加密密钥文件失败",
                            "write %s failed", path);
    }
    return ZG_OK;
}

int zg_member_key_resolve(const zg_config_t *cfg, bool is_sqlite, const char *db_path,
                          bool may_create, uint8_t master[ZG_MASTER_KEY_LEN], char *source,
                          size_t source_cap, bool *created, zg_error_t *err)
{
    *created = false;
    if (cfg->key_file[0]) {
        snprintf(source, source_cap, "key_file %s", cfg->key_file);
        return read_key_file(cfg->key_file, master, err);
    }
    const char *env = getenv(ENV_KEY);
    if (env && *env) {
        snprintf(source, source_cap, "%s", ENV_KEY);
        if (parse_hex_key(env, strlen(env), master))
            return zg_error_set(err, ZG_ERR_INVALID, "field_key",
                                "环境变量 ZUGONG_FIELD_KEY 无效：应为64位十六进制字符",
                                "ZUGONG_FIELD_KEY malformed");
        return ZG_OK;
    }
    if (!is_sqlite)
        return zg_error_set(err, ZG_ERR_INVALID, "field_key_missing",
                            "使用 PostgreSQL 数据库时必须配置字段加密密钥：在配置文件中设置 "
                            "key_file（内容为64位十六进制字符、权限600的文件），或设置环境变量 "
                            "ZUGONG_FIELD_KEY。密钥不能保存在数据库中，请妥善备份",
                            "no field key for PostgreSQL (set key_file or ZUGONG_FIELD_KEY)");
    if (!db_path || !*db_path || !strcmp(db_path, ":memory:")) {
        zg_random_bytes(master, ZG_MASTER_KEY_LEN);
        snprintf(source, source_cap, "random (in-memory database)");
        return ZG_OK;
    }
    char path[ZG_CONFIG_STR_MAX + 8];
    snprintf(path, sizeof path, "%s.key", db_path);
    snprintf(source, source_cap, "%s", path);
    if (access(path, F_OK) == 0)
        return read_key_file(path, master, err);
    if (!may_create) {
        char msg[sizeof err->message];
        snprintf(msg, sizeof msg,
                 "找不到字段加密密钥文件 %.200s，而数据库中已有加密的身份证号和手机号：请恢复该文件"
                 "（或用 key_file、ZUGONG_FIELD_KEY 指定原密钥）后再启动",
                 path);
        return zg_error_set(err, ZG_ERR_INVALID, "field_key_lost", msg,
                            "key file %s missing but the database holds sealed data", path);
    }
    int rc = create_key_file(path, master, err);
    if (!rc) {
        *created = true;
        snprintf(source, source_cap, "%s (新建)", path);
    }
    return rc;
}

static int fingerprint(const zg_crypto_key_t *k, char out[ZG_SM3_LEN * 2 + 1])
{
    uint8_t mac[ZG_SM3_LEN];
    if (zg_hmac_sm3(k->mac, sizeof k->mac, FINGERPRINT_AD, strlen(FINGERPRINT_AD), mac))
        return ZG_ERR_CRYPTO;
    return zg_hex_encode(mac, sizeof mac, out, ZG_SM3_LEN * 2 + 1);
}

int zg_member_configure(const zg_config_t *cfg, zg_db_t *db, zg_error_t *err)
{
    int rc = zg_crypto_init();
    if (rc)
        return zg_error_set(err, rc, "crypto_init", "加密组件初始化失败", "crypto init");
    zg_conn_t *c = zg_db_conn(db, err);
    if (!c)
        return ZG_ERR_DB;
    /* Has the database recorded a key, or does it hold sealed data? */
    int64_t recorded = 0, sealed = 0;
    rc = zg_db_query_int(c, "SELECT count(*) FROM field_key_check", NULL, 0, &recorded, err);
    if (!rc)
        rc = zg_db_query_int(c,
                             "SELECT count(*) FROM person WHERE id_number_enc IS NOT NULL "
                             "OR phone_enc IS NOT NULL",
                             NULL, 0, &sealed, err);
    if (rc)
        return rc;
    uint8_t master[ZG_MASTER_KEY_LEN];
    char source[ZG_CONFIG_STR_MAX + 32];
    bool created = false;
    bool is_sqlite = zg_db_kind_of(db) == ZG_DB_SQLITE;
    rc = zg_member_key_resolve(cfg, is_sqlite, cfg->db, recorded == 0 && sealed == 0, master,
                               source, sizeof source, &created, err);
    if (rc)
        return rc;
    zg_crypto_key_t k;
    rc = zg_crypto_key_derive(master, &k);
    char fp[ZG_SM3_LEN * 2 + 1];
    if (!rc)
        rc = fingerprint(&k, fp);
    if (rc) {
        memset(master, 0, sizeof master);
        zg_crypto_key_wipe(&k);
        return zg_error_set(err, ZG_ERR_CRYPTO, "crypto", "字段加密密钥处理失败", "derive");
    }
    if (recorded) {
        char *stored = NULL;
        zg_rows_t *rows;
        rc = zg_db_query(c, "SELECT fingerprint FROM field_key_check WHERE id = 1", NULL, 0, &rows,
                         err);
        if (rc)
            goto out;
        if (zg_rows_next(rows, err) == 1)
            stored = strdup(zg_rows_text(rows, 0));
        zg_rows_close(rows);
        bool same = stored && !strcmp(stored, fp);
        free(stored);
        if (!same) {
            rc = zg_error_set(err, ZG_ERR_INVALID, "field_key_mismatch",
                              "字段加密密钥与数据库不匹配：数据库中的身份证号和手机号是用另一把"
                              "密钥加密的，请使用原密钥启动",
                              "field key fingerprint differs from the database's (source: %s)",
                              source);
            goto out;
        }
    } else {
        zg_param_t p[] = {ZG_P_TEXT(fp)};
        rc = zg_db_begin(c, ZG_TX_WRITE, err);
        if (!rc)
            rc = zg_db_exec(c,
                            "INSERT INTO field_key_check (id, fingerprint) VALUES (1, $1) "
                            "ON CONFLICT (id) DO NOTHING",
                            p, 1, NULL, err);
        if (!rc)
            rc = zg_db_commit(c, err);
        if (rc) {
            zg_db_rollback(c);
            goto out;
        }
    }
    zg_member_set_master_key(master);
    zg_org_set_member_counter(zg_member_org_counter);
    if (created)
        zg_log_info("field key: created %s (mode 0600) — back it up with the database", source);
    else
        zg_log_debug("field key: from %s", source);
out:
    memset(master, 0, sizeof master);
    zg_crypto_key_wipe(&k);
    return rc;
}

/* ---- sealing ------------------------------------------------------------------------------ */

static int ad_for(const char *column, int64_t person_id, char ad[MEMBER_AD_MAX])
{
    return snprintf(ad, MEMBER_AD_MAX, "person.%s:%lld", column, (long long)person_id);
}

int member_seal(const char *column, int64_t person_id, const char *clear, size_t len, uint8_t *out,
                size_t out_cap, size_t *out_len, zg_error_t *err)
{
    const zg_crypto_key_t *k = member_key();
    if (!k)
        return zg_error_set(err, ZG_ERR_CRYPTO, "field_key_missing", "字段加密密钥未配置",
                            "member: no field key");
    char ad[MEMBER_AD_MAX];
    int adlen = ad_for(column, person_id, ad);
    if (zg_crypto_seal(k, clear, len, ad, (size_t)adlen, out, out_cap, out_len))
        return zg_error_set(err, ZG_ERR_CRYPTO, "crypto", "加密失败", "seal %s", column);
    return ZG_OK;
}

int member_open(zg_arena_t *a, const char *column, int64_t person_id, const void *sealed,
                size_t len, const char **out, zg_error_t *err)
{
    const zg_crypto_key_t *k = member_key();
    if (!k)
        return zg_error_set(err, ZG_ERR_CRYPTO, "field_key_missing", "字段加密密钥未配置",
                            "member: no field key");
    if (len < ZG_SEAL_OVERHEAD || len > 256 + ZG_SEAL_OVERHEAD)
        return zg_error_set(err, ZG_ERR_CRYPTO, "crypto", "加密数据已损坏",
                            "sealed %s of person %lld: bad length %zu", column,
                            (long long)person_id, len);
    char *buf = zg_arena_alloc(a, len - ZG_SEAL_OVERHEAD + 1);
    if (!buf)
        return zg_error_set(err, ZG_ERR_NOMEM, "no_memory", "内存不足", "open");
    char ad[MEMBER_AD_MAX];
    int adlen = ad_for(column, person_id, ad);
    size_t n = 0;
    if (zg_crypto_open(k, sealed, len, ad, (size_t)adlen, (uint8_t *)buf, len - ZG_SEAL_OVERHEAD,
                       &n))
        return zg_error_set(err, ZG_ERR_CRYPTO, "crypto",
                            "加密数据无法解密（密钥不符或数据被篡改）",
                            "open %s of person %lld failed", column, (long long)person_id);
    buf[n] = '\0';
    *out = buf;
    return ZG_OK;
}

int zg_member_id_number_index(const char *id_number, char out[ZG_MEMBER_BIDX_HEX + 1],
                              zg_error_t *err)
{
    const zg_crypto_key_t *k = member_key();
    if (!k)
        return zg_error_set(err, ZG_ERR_CRYPTO, "field_key_missing", "字段加密密钥未配置",
                            "member: no field key");
    char norm[ZG_IDNUM_LEN + 1];
    size_t len = strlen(id_number);
    if (len != ZG_IDNUM_LEN)
        return zg_error_set(err, ZG_ERR_INVALID, "idnum_length", "身份证号应为18位",
                            "blind index of a %zu-byte id number", len);
    for (size_t i = 0; i < len; i++)
        norm[i] = id_number[i] == 'x' ? 'X' : id_number[i];
    norm[len] = '\0';
    uint8_t mac[ZG_SM3_LEN];
    if (zg_blind_index(k, norm, len, mac))
        return zg_error_set(err, ZG_ERR_CRYPTO, "crypto", "加密失败", "blind index");
    return zg_hex_encode(mac, sizeof mac, out, ZG_MEMBER_BIDX_HEX + 1);
}
