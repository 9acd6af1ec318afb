/* audit.c — the tamper-evident audit log (see audit.h): appending to the SM3 hash chain,
 * verifying it, retention by checkpoint, listing, and the two operator commands. No HTTP here
 * (handlers are in audit_api.c).
 *
 * The chain. Entry n has prev_hash = hash of entry n-1 (64 zeros for n = 1) and
 *   hash = hex(SM3(encode(seq, at, account_id, username, ip, action, object_type, object_id,
 *                         outcome, detail, prev_hash)))
 * where encode (encode_entry below) writes a version tag, then every field in that fixed
 * order: integers as 8 bytes big-endian, texts as a 4-byte big-endian length and the bytes,
 * and the fields that may be NULL with one more byte in front (0 = NULL, 1 = present). Every
 * field is self-delimiting, so two different entries never encode the same (NULL and "" differ
 * too). id is not hashed; instead it always equals seq, and verification checks that.
 *
 * Serialization. Every append first runs UPDATE audit_head … RETURNING on the head's one row:
 * on SQLite the caller's BEGIN IMMEDIATE already holds the write lock; on PostgreSQL the row
 * lock makes a concurrent appender wait until this transaction ends, and in READ COMMITTED its
 * UPDATE then returns the head as the first transaction left it. This is the same guarantee as
 * an advisory transaction lock, without a dialect branch (a connection does not expose its
 * dialect), and it reads the head in the same statement. The next seq and prev_hash come from
 * the head, not from the last row, so a deleted newest entry is not papered over by the next
 * append: it stays visible as a gap. */
#include "modules/audit/audit.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/crypto.h"
#include "core/date.h"
#include "core/log.h"
#include "core/utf8.h"
#include "db/db.h"

#define HASH_HEX 64 /* hex characters of an SM3 digest */
static const char GENESIS[HASH_HEX + 1] =
    "0000000000000000000000000000000000000000000000000000000000000000";

/* Bounds the encoder enforces on stored fields (a longer one was not written by this module). */
#define AT_MAX      32
#define OUTCOME_MAX 16
/* Encoding: tag + 3 integers + 11 length prefixes + 4 NULL flags + the fields' bounds. */
#define ENC_TAG "zugong.audit.v1"
#define ENC_CAP                                                                                    \
    (64 + 3 * 8 + 11 * 4 + 4 + AT_MAX + ZG_AUDIT_USERNAME_MAX + ZG_AUDIT_IP_MAX +                  \
     2 * ZG_AUDIT_CODE_MAX + OUTCOME_MAX + ZG_AUDIT_DETAIL_MAX + HASH_HEX)

/* Entries read per query while verifying: bounds memory (PostgreSQL results are loaded
 * whole) at about VERIFY_BATCH × 4.5 KiB in the worst case. */
#define VERIFY_BATCH 500

/* ---- clock ------------------------------------------------------------------------------ */

static time_t (*g_clock)(void);

void zg_audit_set_clock(time_t (*now)(void))
{
    g_clock = now;
}

static time_t now_secs(void)
{
    return g_clock ? g_clock() : time(NULL);
}

static void format_ts(time_t t, char buf[ZG_TIMESTAMP_SIZE])
{
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(buf, ZG_TIMESTAMP_SIZE, "%Y-%m-%d %H:%M:%S", &tm);
}

/* ---- canonical encoding and hash -------------------------------------------------------- */

/* The hashed fields of an entry. Optional texts are NULL for SQL NULL. */
typedef struct fields {
    int64_t seq;
    const char *at;
    int64_t account_id;
    const char *username, *ip; /* optional */
    const char *action;
    const char *object_type; /* optional */
    int64_t object_id;
    const char *outcome;
    const char *detail; /* optional */
    const char *prev_hash;
} fields_t;

typedef struct enc {
    uint8_t buf[ENC_CAP];
    size_t len;
    bool bad; /* a field passed its bound */
} enc_t;

static void put_bytes(enc_t *e, const void *p, size_t n)
{
    if (e->bad || n > sizeof e->buf - e->len) {
        e->bad = true;
        return;
    }
    memcpy(e->buf + e->len, p, n);
    e->len += n;
}

static void put_be(enc_t *e, uint64_t v, int bytes)
{
    uint8_t b[8];
    for (int i = 0; i < bytes; i++)
        b[i] = (uint8_t)(v >> (8 * (bytes - 1 - i)));
    put_bytes(e, b, (size_t)bytes);
}

static void put_int(enc_t *e, int64_t v)
{
    put_be(e, (uint64_t)v, 8);
}

static void put_text(enc_t *e, const char *s, size_t max)
{
    size_t n = strlen(s);
    if (n > max) {
        e->bad = true;
        return;
    }
    put_be(e, n, 4);
    put_bytes(e, s, n);
}

static void put_opt(enc_t *e, const char *s, size_t max)
{
    uint8_t flag = s ? 1 : 0;
    put_bytes(e, &flag, 1);
    if (s)
        put_text(e, s, max);
}

static void encode_entry(enc_t *e, const fields_t *f)
{
    e->len = 0;
    e->bad = false;
    put_text(e, ENC_TAG, 64);
    put_int(e, f->seq);
    put_text(e, f->at, AT_MAX);
    put_int(e, f->account_id);
    put_opt(e, f->username, ZG_AUDIT_USERNAME_MAX);
    put_opt(e, f->ip, ZG_AUDIT_IP_MAX);
    put_text(e, f->action, ZG_AUDIT_CODE_MAX);
    put_opt(e, f->object_type, ZG_AUDIT_CODE_MAX);
    put_int(e, f->object_id);
    put_text(e, f->outcome, OUTCOME_MAX);
    put_opt(e, f->detail, ZG_AUDIT_DETAIL_MAX);
    put_text(e, f->prev_hash, HASH_HEX);
}

/* out = hex(SM3(encode(f))). ZG_ERR_INVALID when a field is longer than its bound. */
static int hash_entry(const fields_t *f, char out[HASH_HEX + 1])
{
    enc_t e;
    encode_entry(&e, f);
    if (e.bad)
        return ZG_ERR_INVALID;
    uint8_t d[ZG_SM3_LEN];
    if (zg_sm3(e.buf, e.len, d))
        return ZG_ERR_CRYPTO;
    return zg_hex_encode(d, sizeof d, out, HASH_HEX + 1);
}

static bool is_hash_hex(const char *s)
{
    size_t n = 0;
    for (; s[n]; n++)
        if (!((s[n] >= '0' && s[n] <= '9') || (s[n] >= 'a' && s[n] <= 'f')))
            return false;
    return n == HASH_HEX;
}

/* ---- preparing an event ----------------------------------------------------------------- */

/* Length of the UTF-8 character at s (1..4), or 0 when the bytes there are not one. */
static size_t utf8_char_len(const char *s)
{
    unsigned char c = (unsigned char)s[0];
    size_t n = c < 0x80                 ? 1
               : c >= 0xC2 && c <= 0xDF ? 2
               : c >= 0xE0 && c <= 0xEF ? 3
               : c >= 0xF0 && c <= 0xF4 ? 4
                                        : 0;
    for (size_t i = 1; i < n; i++)
        if (((unsigned char)s[i] & 0xC0) != 0x80) /* also stops at the NUL */
            return 0;
    return n && zg_utf8_valid(s, n) ? n : 0;
}

/* Copies a free text into dst (cap bytes with the NUL): whole characters while they fit,
 * invalid bytes and ASCII control characters as '?'. NULL or "" → NULL (stored as NULL). */
static const char *clean_text(char *dst, size_t cap, const char *src)
{
    if (!src || !*src)
        return NULL;
    size_t o = 0;
    for (const char *p = src; *p;) {
        size_t n = utf8_char_len(p);
        const char *from = p;
        if (n == 0 || (n == 1 && ((unsigned char)*p < 0x20 || *p == 0x7f))) {
            from = "?";
            n = 1;
            p++;
        } else {
            p += n;
        }
        if (o + n > cap - 1)
            break;
        memcpy(dst + o, from, n);
        o += n;
    }
    dst[o] = '\0';
    return dst;
}

/* Whether s is a code: 1..ZG_AUDIT_CODE_MAX characters of [a-z0-9_.:-]. */
static bool is_code(const char *s)
{
    size_t n = 0;
    for (; s[n]; n++) {
        char ch = s[n];
        if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_' || ch == '.' ||
              ch == ':' || ch == '-'))
            return false;
    }
    return n >= 1 && n <= ZG_AUDIT_CODE_MAX;
}

static bool is_outcome(const char *s)
{
    return s && (!strcmp(s, "ok") || !strcmp(s, "denied") || !strcmp(s, "failed"));
}

/* Member names whose values are secrets (matched as substrings, any case). */
static bool is_secret_key(const char *k)
{
    static const char *const needles[] = {"password", "passwd",    "token", "secret",
                                          "csrf",     "id_number", "phone"};
    for (size_t i = 0; i < sizeof needles / sizeof needles[0]; i++)
        if (strcasestr(k, needles[i]))
            return true;
    return false;
}

/* Replaces the value of every secret-named member, at any depth, with ZG_AUDIT_REDACTED.
 * Depth is bounded by jansson's parser (2048 levels). Returns 0, or -1 when an allocation
 * failed (the secret may then still be there: the caller must not store the object). */
static int redact(json_t *j)
{
    if (json_is_object(j)) {
        const char *k;
        json_t *v;
        json_object_foreach(j, k, v)
        {
            /* replacing the value of an existing key does not disturb the iteration */
            if (is_secret_key(k) ? json_object_set_new(j, k, json_string(ZG_AUDIT_REDACTED))
                                 : redact(v))
                return -1;
        }
    } else if (json_is_array(j)) {
        size_t i;
        json_t *v;
        json_array_foreach(j, i, v)
        {
            if (redact(v))
                return -1;
        }
    }
    return 0;
}

/* Writes the compact text of `o` into out (cap bytes with the NUL), keeping whole members in
 * order while they fit and adding "_truncated": true. */
static int fit_detail(json_t *o, char *out, size_t cap)
{
    static const char mark[] = ",\"_truncated\":true";
    json_t *t = json_object();
    if (!t)
        return ZG_ERR_NOMEM;
    size_t used = 2; /* {} */
    const char *k;
    json_t *v;
    json_object_foreach(o, k, v)
    {
        json_t *one = json_object();
        if (!one || json_object_set(one, k, v)) {
            json_decref(one);
            json_decref(t);
            return ZG_ERR_NOMEM;
        }
        size_t sz = json_dumpb(one, NULL, 0, JSON_COMPACT); /* {"k":v} */
        json_decref(one);
        size_t cost = sz - 2 + (json_object_size(t) ? 1 : 0);
        if (sz < 2 || used + cost + (sizeof mark - 1) > cap - 1)
            break;
        json_object_set(t, k, v);
        used += cost;
    }
    json_object_set_new(t, "_truncated", json_true());
    size_t n = json_dumpb(t, out, cap - 1, JSON_COMPACT);
    json_decref(t);
    if (n == 0 || n > cap - 1)
        return ZG_ERR_INTERNAL;
    out[n] = '\0';
    return ZG_OK;
}

/* Checks detail (a JSON object or NULL), hides secret values and writes the stored text into
 * out (cap bytes). *stored = out, or NULL when detail is NULL. */
static int prepare_detail(const char *detail, char *out, size_t cap, const char **stored,
                          zg_error_t *err)
{
    *stored = NULL;
    if (!detail)
        return ZG_OK;
    size_t len = strnlen(detail, ZG_AUDIT_DETAIL_INPUT_MAX + 1);
    if (len > ZG_AUDIT_DETAIL_INPUT_MAX)
        return zg_error_set(err, ZG_ERR_TOO_LARGE, "audit_detail", "审计详情过长",
                            "audit: detail longer than %d bytes", ZG_AUDIT_DETAIL_INPUT_MAX);
    if (!zg_utf8_valid(detail, len))
        return zg_error_set(err, ZG_ERR_INVALID, "audit_detail", "审计详情不是有效的 UTF-8 文本",
                            "audit: detail is not UTF-8");
    json_error_t jerr;
    json_t *o = json_loadb(detail, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!o || !json_is_object(o)) {
        json_decref(o);
        return zg_error_set(err, ZG_ERR_INVALID, "audit_detail", "审计详情应为 JSON 对象",
                            "audit: detail is not a JSON object%s%s", o ? "" : ": ",
                            o ? "" : jerr.text);
    }
    int rc = ZG_OK;
    size_t n = redact(o) ? 0 : json_dumpb(o, out, cap - 1, JSON_COMPACT);
    if (n == 0)
        rc = ZG_ERR_NOMEM;
    else if (n > cap - 1)
        rc = fit_detail(o, out, cap);
    else
        out[n] = '\0';
    json_decref(o);
    if (rc)
        return zg_error_set(err, rc, "audit_detail", "审计详情无法保存",
                            "audit: cannot serialize detail (%s)", zg_status_name(rc));
    *stored = out;
    return ZG_OK;
}

/* ---- append ----------------------------------------------------------------------------- */

/* Locks the head row (see the file comment) and reads it. */
static int lock_head(zg_conn_t *c, int64_t *seq, char hash[HASH_HEX + 1], zg_error_t *err)
{
    zg_rows_t *rows;
    int rc = zg_db_query(c, "UPDATE audit_head SET seq = seq WHERE id = 1 RETURNING seq, hash",
                         NULL, 0, &rows, err);
    if (rc)
        return rc;
    const char *state = "missing";
    rc = zg_rows_next(rows, err);
    if (rc == 1) {
        *seq = zg_rows_int(rows, 0);
        snprintf(hash, HASH_HEX + 1, "%s", zg_rows_text(rows, 1));
        state = is_hash_hex(zg_rows_text(rows, 1)) && *seq >= 0 ? NULL : "malformed";
    }
    zg_rows_close(rows);
    if (rc < 0)
        return rc;
    if (state) {
        zg_log_error("audit: the head row of the audit chain is %s; appends refused until "
                     "`zugong audit-verify` has been run and the log repaired",
                     state);
        return zg_error_set(err, ZG_ERR_INTERNAL, "audit_head", "审计日志状态异常，请联系管理员",
                            "audit: head row %s", state);
    }
    return ZG_OK;
}

int zg_audit_append(zg_conn_t *c, const zg_audit_event_t *e, zg_error_t *err)
{
    if (!c || !e)
        return zg_error_set(err, ZG_ERR_INVALID, "audit_event", "审计记录无效",
                            "audit: NULL connection or event");
    if (!e->action || !is_code(e->action))
        return zg_error_set(err, ZG_ERR_INVALID, "audit_event", "审计记录无效",
                            "audit: action must be 1..%d of [a-z0-9_.:-]", ZG_AUDIT_CODE_MAX);
    const char *object_type = e->object_type && *e->object_type ? e->object_type : NULL;
    if (object_type && !is_code(object_type))
        return zg_error_set(err, ZG_ERR_INVALID, "audit_event", "审计记录无效",
                            "audit: object_type must be 1..%d of [a-z0-9_.:-]", ZG_AUDIT_CODE_MAX);
    if (!is_outcome(e->outcome))
        return zg_error_set(err, ZG_ERR_INVALID, "audit_event", "审计记录无效",
                            "audit: outcome must be ok, denied or failed");

    char username[ZG_AUDIT_USERNAME_MAX + 1], ip[ZG_AUDIT_IP_MAX + 1];
    char detail[ZG_AUDIT_DETAIL_MAX + 1];
    fields_t f = {
        .account_id = e->account_id,
        .username = clean_text(username, sizeof username, e->username),
        .ip = clean_text(ip, sizeof ip, e->ip),
        .action = e->action,
        .object_type = object_type,
        .object_id = e->object_id,
        .outcome = e->outcome,
    };
    int rc = prepare_detail(e->detail, detail, sizeof detail, &f.detail, err);
    if (rc)
        return rc;

    char prev[HASH_HEX + 1], hash[HASH_HEX + 1], at[ZG_TIMESTAMP_SIZE];
    int64_t head = 0;
    rc = lock_head(c, &head, prev, err);
    if (rc)
        return rc;
    format_ts(now_secs(), at);
    f.seq = head + 1;
    f.at = at;
    f.prev_hash = prev;
    rc = hash_entry(&f, hash);
    if (rc)
        return zg_error_set(err, rc, "audit_hash", "审计记录无法保存", "audit: hashing failed (%s)",
                            zg_status_name(rc));
    zg_param_t p[] = {
        ZG_P_INT(f.seq),       ZG_P_INT(f.seq),      ZG_P_TEXT(f.at),     ZG_P_INT(f.account_id),
        ZG_P_TEXT(f.username), ZG_P_TEXT(f.ip),      ZG_P_TEXT(f.action), ZG_P_TEXT(f.object_type),
        ZG_P_INT(f.object_id), ZG_P_TEXT(f.outcome), ZG_P_TEXT(f.detail), ZG_P_TEXT(f.prev_hash),
        ZG_P_TEXT(hash),
    };
    rc = zg_db_exec(c,
                    "INSERT INTO audit_log (id, seq, at, account_id, username, ip, action, "
                    "object_type, object_id, outcome, detail, prev_hash, hash) "
                    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
                    p, 13, NULL, err);
    if (rc)
        return rc;
    zg_param_t ph[] = {ZG_P_INT(f.seq), ZG_P_TEXT(hash), ZG_P_TEXT(at)};
    return zg_db_exec(c, "UPDATE audit_head SET seq = $1, hash = $2, updated_at = $3 WHERE id = 1",
                      ph, 3, NULL, err);
}

bool zg_audit_action_changes_data(const char *a)
{
    static const char *const prefixes[] = {"auth.",  "account.",    "role.",
                                           "audit.", "access.",     "session.",
                                           "stats.", "org.leader.", "config."};
    if (!a)
        return true;
    for (size_t i = 0; i < sizeof prefixes / sizeof prefixes[0]; i++)
        if (!strncmp(a, prefixes[i], strlen(prefixes[i])))
            return false;
    if (!strcmp(a, "org.grading"))
        return false;
    size_t n = strlen(a);
    static const char *const suffixes[] = {".view", "_view", ".export", ".read"};
    for (size_t i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++) {
        size_t k = strlen(suffixes[i]);
        if (n >= k && !strcmp(a + n - k, suffixes[i]))
            return false;
    }
    return true;
}

int zg_audit_log(zg_conn_t *c, const zg_audit_event_t *e, zg_error_t *err)
{
    int rc = zg_db_begin(c, ZG_TX_WRITE, err);
    if (rc)
        return rc;
    rc = zg_audit_append(c, e, err);
    if (rc == ZG_OK)
        rc = zg_db_commit(c, err);
    if (rc)
        zg_db_rollback(c);
    return rc;
}

/* ---- verify ----------------------------------------------------------------------------- */

static int found_bad(zg_audit_verify_result_t *res, int64_t id, int64_t seq, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int found_bad(zg_audit_verify_result_t *res, int64_t id, int64_t seq, const char *fmt, ...)
{
    res->ok = false;
    res->first_bad_id = id;
    res->first_bad_seq = seq;
    char buf[sizeof res->reason * 2];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    zg_utf8_copy(res->reason, sizeof res->reason, buf);
    return ZG_OK;
}

/* Reads the first row of `sql` (columns seq, hash[, prev_hash]; prev may be NULL). Returns 1
 * when found, 0 when not, < 0 on error. */
static int read_anchor(zg_conn_t *c, const char *sql, const zg_param_t *p, int np, int64_t *seq,
                       char hash[HASH_HEX + 1], char prev[HASH_HEX + 1], zg_error_t *err)
{
    zg_rows_t *rows;
    int rc = zg_db_query(c, sql, p, np, &rows, err);
    if (rc)
        return rc;
    rc = zg_rows_next(rows, err);
    if (rc == 1) {
        *seq = zg_rows_int(rows, 0);
        snprintf(hash, HASH_HEX + 1, "%s", zg_rows_text(rows, 1));
        if (prev)
            snprintf(prev, HASH_HEX + 1, "%s", zg_rows_text(rows, 2));
    }
    zg_rows_close(rows);
    return rc;
}

/* The row at the gap before `row_seq` where `expected` was due: was entry `expected`
 * renumbered (its id, equal to its seq when written, still says where it belongs) or deleted? */
static int explain_gap(zg_conn_t *c, int64_t expected, int64_t row_id, int64_t row_seq,
                       zg_audit_verify_result_t *res, zg_error_t *err)
{
    zg_rows_t *rows;
    zg_param_t p[] = {ZG_P_INT(expected)};
    int rc = zg_db_query(c, "SELECT seq FROM audit_log WHERE id = $1", p, 1, &rows, err);
    if (rc)
        return rc;
    rc = zg_rows_next(rows, err);
    int64_t moved_to = rc == 1 ? zg_rows_int(rows, 0) : 0;
    zg_rows_close(rows);
    if (rc < 0)
        return rc;
    if (rc == 1)
        return found_bad(res, expected, expected,
                         "序号被修改：该记录应为第 %" PRId64 " 条，现为第 %" PRId64 " 条", expected,
                         moved_to);
    if (row_seq - expected == 1)
        return found_bad(res, row_id, row_seq,
                         "序号不连续：其前的第 %" PRId64 " 条记录缺失（已被删除）", expected);
    return found_bad(res, row_id, row_seq,
                     "序号不连续：其前的第 %" PRId64 " 至 %" PRId64 " 条记录缺失（已被删除）",
                     expected, row_seq - 1);
}

/* The walk itself, inside the caller's transaction. */
static int verify_in_tx(zg_conn_t *c, zg_audit_verify_result_t *res, zg_error_t *err)
{
    memset(res, 0, sizeof *res);
    int64_t head_seq = 0, cp_seq = 0;
    char head_hash[HASH_HEX + 1] = "", cp_hash[HASH_HEX + 1] = "", prev[HASH_HEX + 1];
    int rc = read_anchor(c, "SELECT seq, hash FROM audit_head WHERE id = 1", NULL, 0, &head_seq,
                         head_hash, NULL, err);
    if (rc < 0)
        return rc;
    if (rc == 0)
        return found_bad(res, 0, 0, "链头记录（audit_head）缺失，无法确认日志末尾是否完整");
    rc = read_anchor(c,
                     "SELECT seq, hash, prev_hash FROM audit_checkpoint ORDER BY seq DESC LIMIT 1",
                     NULL, 0, &cp_seq, cp_hash, prev, err);
    if (rc < 0)
        return rc;
    const bool has_cp = rc == 1;
    int64_t expected = 1;
    if (has_cp)
        expected = cp_seq;
    else
        memcpy(prev, GENESIS, sizeof GENESIS);
    const int64_t first = expected;

    for (;;) {
        zg_rows_t *rows;
        zg_param_t p[] = {ZG_P_INT(expected - 1), ZG_P_INT(VERIFY_BATCH)};
        rc = zg_db_query(c,
                         "SELECT id, seq, at, account_id, username, ip, action, object_type, "
                         "object_id, outcome, detail, prev_hash, hash FROM audit_log "
                         "WHERE seq > $1 ORDER BY seq LIMIT $2",
                         p, 2, &rows, err);
        if (rc)
            return rc;
        int nrows = 0;
        while ((rc = zg_rows_next(rows, err)) == 1) {
            nrows++;
            int64_t id = zg_rows_int(rows, 0), seq = zg_rows_int(rows, 1);
#define OPT(col) (zg_rows_isnull(rows, (col)) ? NULL : zg_rows_text(rows, (col)))
            fields_t f = {
                .seq = seq,
                .at = zg_rows_text(rows, 2),
                .account_id = zg_rows_int(rows, 3),
                .username = OPT(4),
                .ip = OPT(5),
                .action = zg_rows_text(rows, 6),
                .object_type = OPT(7),
                .object_id = zg_rows_int(rows, 8),
                .outcome = zg_rows_text(rows, 9),
                .detail = OPT(10),
                .prev_hash = zg_rows_text(rows, 11),
            };
#undef OPT
            const char *stored = zg_rows_text(rows, 12);
            char computed[HASH_HEX + 1];
            if (seq != expected) {
                zg_rows_close(rows);
                return explain_gap(c, expected, id, seq, res, err);
            }
            int bad = 1;
            if (seq > head_seq)
                found_bad(res, id, seq,
                          "该记录位于链头（第 %" PRId64 " 条）之后，不是经正常途径写入的",
                          head_seq);
            else if (id != seq)
                found_bad(res, id, seq, "记录编号被修改（id 应为 %" PRId64 "）", seq);
            else if ((rc = hash_entry(&f, computed)) == ZG_ERR_INVALID)
                found_bad(res, id, seq, "字段长度超出上限，记录内容被修改");
            else if (rc)
                bad = -1;
            else if (strcmp(computed, stored) != 0)
                found_bad(res, id, seq, "哈希值不符，记录内容被修改");
            else if (strcmp(f.prev_hash, prev) != 0)
                found_bad(res, id, seq,
                          has_cp && seq == first
                              ? "与清理检查点记录的前序哈希不符"
                              : "与前一条记录的哈希链接不符（本条或前一条记录被改写）");
            else if (has_cp && seq == first && strcmp(stored, cp_hash) != 0)
                found_bad(res, id, seq, "与清理检查点记录的哈希值不符");
            else
                bad = 0;
            if (bad) {
                zg_rows_close(rows);
                return bad < 0 ? zg_error_set(err, rc, "audit_hash", "审计日志校验失败",
                                              "audit: hashing failed (%s)", zg_status_name(rc))
                               : ZG_OK;
            }
            memcpy(prev, stored, HASH_HEX + 1); /* stored is 64 hex: it matched computed */
            expected++;
            res->checked++;
        }
        zg_rows_close(rows);
        if (rc < 0)
            return rc;
        if (nrows < VERIFY_BATCH)
            break;
    }

    int64_t last = expected - 1;
    if (head_seq > last) {
        if (head_seq == last + 1)
            return found_bad(res, last + 1, last + 1,
                             "末尾记录缺失：链头为第 %" PRId64 " 条，该条已被删除", head_seq);
        return found_bad(res, last + 1, last + 1,
                         "末尾记录缺失：链头为第 %" PRId64 " 条，第 %" PRId64 " 至 %" PRId64
                         " 条已被删除",
                         head_seq, last + 1, head_seq);
    }
    if (last >= first && strcmp(prev, head_hash) != 0)
        return found_bad(res, last, last, "与链头记录的哈希值不符（末尾记录或链头被改写）");
    res->ok = true;
    return ZG_OK;
}

int zg_audit_verify(zg_conn_t *c, zg_audit_verify_result_t *res, zg_error_t *err)
{
    int rc = zg_db_begin(c, ZG_TX_READ, err);
    if (rc)
        return rc;
    rc = verify_in_tx(c, res, err);
    zg_db_rollback(c); /* read only: nothing to keep */
    return rc;
}

/* ---- retention -------------------------------------------------------------------------- */

int zg_audit_prune(zg_conn_t *c, int days, zg_audit_prune_result_t *res, zg_error_t *err)
{
    memset(res, 0, sizeof *res);
    if (days < ZG_AUDIT_RETENTION_MIN_DAYS || days > 100000)
        return zg_error_set(err, ZG_ERR_INVALID, "audit_retention",
                            "审计日志至少保留 180 天，清理天数应在 180 到 100000 之间",
                            "audit: prune days %d outside %d..100000", days,
                            ZG_AUDIT_RETENTION_MIN_DAYS);
    zg_audit_verify_result_t v;
    int rc = zg_audit_verify(c, &v, err);
    if (rc)
        return rc;
    if (!v.ok) {
        char msg[384];
        snprintf(msg, sizeof msg,
                 "审计日志校验未通过（第 %" PRId64 " 条记录），为保留证据，拒绝清理",
                 v.first_bad_seq);
        return zg_error_set(err, ZG_ERR_CONFLICT, "audit_broken", msg,
                            "audit: chain broken at seq %" PRId64 ", not pruning", v.first_bad_seq);
    }
    format_ts(now_secs() - (time_t)days * 86400, res->cutoff);

    rc = zg_db_begin(c, ZG_TX_WRITE, err);
    if (rc)
        return rc;
    int64_t head = 0, keep = 0;
    char hash[HASH_HEX + 1], prev[HASH_HEX + 1];
    zg_param_t pc[] = {ZG_P_TEXT(res->cutoff)};
    rc = lock_head(c, &head, hash, err);
    if (!rc)
        rc = zg_db_query_int(c, "SELECT COALESCE(MIN(seq), 0) FROM audit_log WHERE at >= $1", pc, 1,
                             &keep, err);
    if (rc)
        goto fail;
    if (keep == 0)
        keep = head + 1; /* nothing recent: keep only the audit.prune entry appended below */
    zg_param_t pk[] = {ZG_P_INT(keep)};
    rc = zg_db_query_int(c, "SELECT COUNT(*) FROM audit_log WHERE seq < $1", pk, 1, &res->pruned,
                         err);
    if (rc)
        goto fail;
    res->first_seq = keep;

    char detail[256];
    snprintf(detail, sizeof detail,
             "{\"days\":%d,\"cutoff\":\"%s\",\"pruned\":%" PRId64 ",\"first_seq\":%" PRId64 "}",
             days, res->cutoff, res->pruned, keep);
    zg_audit_event_t e = {.action = "audit.prune", .outcome = "ok", .detail = detail};
    rc = zg_audit_append(c, &e, err);
    if (rc)
        goto fail;
    if (res->pruned > 0) {
        /* the checkpoint: where verification starts from now on */
        int64_t s = 0;
        rc = read_anchor(c, "SELECT seq, hash, prev_hash FROM audit_log WHERE seq = $1", pk, 1, &s,
                         hash, prev, err);
        if (rc == 0)
            rc = zg_error_set(err, ZG_ERR_INTERNAL, "audit_prune", "审计日志清理失败",
                              "audit: first retained entry %" PRId64 " vanished", keep);
        if (rc < 0)
            goto fail;
        char now[ZG_TIMESTAMP_SIZE];
        format_ts(now_secs(), now);
        zg_param_t pcp[] = {ZG_P_INT(keep),        ZG_P_TEXT(prev),        ZG_P_TEXT(hash),
                            ZG_P_INT(res->pruned), ZG_P_TEXT(res->cutoff), ZG_P_TEXT(now)};
        rc = zg_db_exec(c,
                        "INSERT INTO audit_checkpoint (seq, prev_hash, hash, pruned, cutoff, "
                        "created_at) VALUES ($1, $2, $3, $4, $5, $6)",
                        pcp, 6, NULL, err);
        if (!rc)
            rc = zg_db_exec(c, "DELETE FROM audit_log WHERE seq < $1", pk, 1, NULL, err);
        if (rc)
            goto fail;
    }
    rc = zg_db_commit(c, err);
    if (rc)
        goto fail;
    return ZG_OK;
fail:
    zg_db_rollback(c);
    return rc;
}

/* ---- listing ---------------------------------------------------------------------------- */

#define LIST_COLS                                                                                  \
    "id, seq, at, account_id, username, ip, action, object_type, object_id, outcome, detail, "     \
    "prev_hash, hash"

static const char *dup_opt(zg_arena_t *a, zg_rows_t *rows, int col, bool *nomem)
{
    if (zg_rows_isnull(rows, col))
        return NULL;
    const char *s = zg_arena_strdup(a, zg_rows_text(rows, col));
    if (!s)
        *nomem = true;
    return s;
}

static const char *dup_text(zg_arena_t *a, zg_rows_t *rows, int col, bool *nomem)
{
    const char *s = zg_arena_strdup(a, zg_rows_text(rows, col));
    if (!s)
        *nomem = true;
    return s ? s : "";
}

int zg_audit_list(zg_conn_t *c, zg_arena_t *a, const zg_audit_filter_t *f, zg_audit_entry_t **items,
                  size_t *n, int64_t *total, zg_error_t *err)
{
    *items = NULL;
    *n = 0;
    *total = 0;
    int64_t page = f->page ? f->page : 1, size = f->page_size ? f->page_size : 20;
    if (page < 1 || page > 1000000 || size < 1 || size > 100)
        return zg_error_set(err, ZG_ERR_INVALID, "invalid_page", "分页参数有误",
                            "audit: page %" PRId64 " / page_size %" PRId64 " out of range", page,
                            size);

    /* The WHERE clause from fixed fragments, one per filter given; values are parameters. */
    char where[512] = " WHERE 1 = 1";
    size_t w = strlen(where);
    zg_param_t p[12];
    int np = 0;
#define COND(param, fmt)                                                                           \
    do {                                                                                           \
        p[np++] = (param);                                                                         \
        w += (size_t)snprintf(where + w, sizeof where - w, fmt, np);                               \
    } while (0)
    if (f->at_from)
        COND(ZG_P_TEXT(f->at_from), " AND at >= $%d");
    if (f->at_before)
        COND(ZG_P_TEXT(f->at_before), " AND at < $%d");
    if (f->username)
        COND(ZG_P_TEXT(f->username), " AND username = $%d");
    if (f->action_prefix) {
        size_t chars = strlen(f->action_prefix);
        zg_utf8_strlen(f->action_prefix, chars, &chars); /* leaves bytes when not UTF-8 */
        COND(ZG_P_INT(chars), " AND substr(action, 1, $%d)");
        COND(ZG_P_TEXT(f->action_prefix), " = $%d");
    }
    if (f->object_type)
        COND(ZG_P_TEXT(f->object_type), " AND object_type = $%d");
    if (f->object_id)
        COND(ZG_P_INT(f->object_id), " AND object_id = $%d");
    if (f->outcome)
        COND(ZG_P_TEXT(f->outcome), " AND outcome = $%d");
#undef COND

    char sql[1024];
    int rc = zg_db_begin(c, ZG_TX_READ, err); /* count and page from one snapshot */
    if (rc)
        return rc;
    snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM audit_log%s", where);
    rc = zg_db_query_int(c, sql, p, np, total, err);
    if (rc)
        goto done;
    p[np] = ZG_P_INT(size);
    p[np + 1] = ZG_P_INT((page - 1) * size);
    snprintf(sql, sizeof sql,
             "SELECT " LIST_COLS " FROM audit_log%s ORDER BY seq DESC LIMIT $%d OFFSET $%d", where,
             np + 1, np + 2);
    zg_audit_entry_t *v = zg_arena_calloc(a, (size_t)size, sizeof *v);
    if (!v) {
        rc = zg_error_set(err, ZG_ERR_NOMEM, "no_memory", "服务器繁忙，请稍后重试",
                          "audit: list allocation");
        goto done;
    }
    zg_rows_t *rows;
    rc = zg_db_query(c, sql, p, np + 2, &rows, err);
    if (rc)
        goto done;
    bool nomem = false;
    size_t k = 0;
    while (k < (size_t)size && (rc = zg_rows_next(rows, err)) == 1) {
        zg_audit_entry_t *e = &v[k++];
        e->id = zg_rows_int(rows, 0);
        e->seq = zg_rows_int(rows, 1);
        e->at = dup_text(a, rows, 2, &nomem);
        e->account_id = zg_rows_int(rows, 3);
        e->username = dup_opt(a, rows, 4, &nomem);
        e->ip = dup_opt(a, rows, 5, &nomem);
        e->action = dup_text(a, rows, 6, &nomem);
        e->object_type = dup_opt(a, rows, 7, &nomem);
        e->object_id = zg_rows_int(rows, 8);
        e->outcome = dup_text(a, rows, 9, &nomem);
        e->detail = dup_opt(a, rows, 10, &nomem);
        e->prev_hash = dup_text(a, rows, 11, &nomem);
        e->hash = dup_text(a, rows, 12, &nomem);
    }
    zg_rows_close(rows);
    if (rc > 0)
        rc = ZG_OK;
    if (!rc && nomem)
        rc = zg_error_set(err, ZG_ERR_NOMEM, "no_memory", "服务器繁忙，请稍后重试",
                          "audit: list allocation");
    if (!rc) {
        *items = v;
        *n = k;
    }
done:
    zg_db_rollback(c);
    return rc;
}

/* ---- operator commands ------------------------------------------------------------------ */

int zg_audit_cli_verify(zg_db_t *db, FILE *out)
{
    zg_error_t err;
    zg_error_clear(&err);
    zg_conn_t *c = zg_db_conn(db, &err);
    zg_audit_verify_result_t res;
    if (!c || zg_audit_verify(c, &res, &err)) {
        fprintf(out, "无法校验审计日志：%s\n", err.message[0] ? err.message : "数据库错误");
        return 1;
    }
    char detail[128];
    if (res.ok)
        snprintf(detail, sizeof detail, "{\"via\":\"cli\",\"ok\":true,\"checked\":%" PRId64 "}",
                 res.checked);
    else
        snprintf(detail, sizeof detail,
                 "{\"via\":\"cli\",\"ok\":false,\"first_bad_id\":%" PRId64
                 ",\"first_bad_seq\":%" PRId64 "}",
                 res.first_bad_id, res.first_bad_seq);
    zg_audit_event_t e = {.action = "audit.verify", .outcome = "ok", .detail = detail};
    if (zg_audit_log(c, &e, &err))
        zg_log_warn("audit: could not record the verification: %s", err.detail);
    if (res.ok) {
        fprintf(out, "审计日志完整：共 %" PRId64 " 条记录，哈希链校验通过\n", res.checked);
        return 0;
    }
    fprintf(out, "审计日志被篡改：第 %" PRId64 " 条记录（id=%" PRId64 "）：%s\n", res.first_bad_seq,
            res.first_bad_id, res.reason);
    return 1;
}

int zg_audit_cli_prune(zg_db_t *db, const char *days, FILE *out)
{
    long d = ZG_AUDIT_RETENTION_MIN_DAYS;
    if (days) {
        char *end = NULL;
        d = strtol(days, &end, 10);
        if (!*days || *end || d < ZG_AUDIT_RETENTION_MIN_DAYS || d > 100000) {
            fprintf(out, "审计日志至少保留 %d 天：保留天数应为 %d 到 100000 之间的整数\n",
                    ZG_AUDIT_RETENTION_MIN_DAYS, ZG_AUDIT_RETENTION_MIN_DAYS);
            return 2;
        }
    }
    zg_error_t err;
    zg_error_clear(&err);
    zg_conn_t *c = zg_db_conn(db, &err);
    zg_audit_prune_result_t res;
    if (!c || zg_audit_prune(c, (int)d, &res, &err)) {
        fprintf(out, "审计日志清理失败：%s\n", err.message[0] ? err.message : "数据库错误");
        return 1;
    }
    if (res.pruned)
        fprintf(out,
                "已清理 %" PRId64 " 条早于 %s（UTC）的审计记录，哈希链自第 %" PRId64 " 条起校验\n",
                res.pruned, res.cutoff, res.first_seq);
    else
        fprintf(out, "没有早于 %s（UTC）的审计记录需要清理\n", res.cutoff);
    return 0;
}
