/* xlsx_zip.c — ZIP central directory and bounded entry streams (see xlsx_zip.h).
 *
 * Every offset read from the archive is checked against the archive's length before it is
 * used, in 64-bit arithmetic so that no sum can wrap. Inflate output is counted as it comes:
 * an entry is refused as soon as it passes its declared size, its cap, the total cap, or the
 * compression-ratio bound — whichever comes first — so a bomb costs at most one output buffer
 * beyond the limit, never the size it claims or the size it would reach. */
#include "xlsx/xlsx_zip.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SIG_LOCAL   0x04034b50u
#define SIG_CENTRAL 0x02014b50u
#define SIG_EOCD    0x06054b50u
#define SIG_Z64_LOC 0x07064b50u

#define EOCD_SIZE        22
#define CENTRAL_SIZE     46
#define LOCAL_SIZE       30
#define MAX_COMMENT      65535
#define STORED_CHUNK     (1024 * 1024)
#define FLAG_ENCRYPTED   0x0001u
#define FLAG_STRONG_ENCR 0x0040u

static const uint8_t OLE2_MAGIC[8] = {0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1};

static uint16_t rd16(const uint8_t *p)
{
    return (uint16_t)(p[0] | (p[1] << 8));
}

static uint32_t rd32(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

void zg_xlsx_limits_default(zg_xlsx_limits_t *lim)
{
    lim->max_file_bytes = 64u * 1024 * 1024;
    lim->max_sheet_bytes = 512ull * 1024 * 1024;
    lim->max_sst_bytes = 64ull * 1024 * 1024;
    lim->max_meta_bytes = 4ull * 1024 * 1024;
    lim->max_total_bytes = 640ull * 1024 * 1024;
    lim->max_ratio = 200;
    lim->ratio_min_bytes = 10ull * 1024 * 1024;
    lim->max_entries = 10000;
    lim->max_cols = 256;
    lim->max_rows = ZG_XLSX_EXCEL_MAX_ROWS;
    lim->max_cell_chars = ZG_XLSX_EXCEL_MAX_CELL_CHARS;
    lim->max_shared_strings = 4u * 1024 * 1024;
}

void zg_xlsx_limits_resolve(zg_xlsx_limits_t *lim)
{
    zg_xlsx_limits_t d;
    zg_xlsx_limits_default(&d);
#define DEF(f)                                                                                     \
    if (lim->f == 0)                                                                               \
        lim->f = d.f;
    DEF(max_file_bytes)
    DEF(max_sheet_bytes)
    DEF(max_sst_bytes)
    DEF(max_meta_bytes)
    DEF(max_total_bytes)
    DEF(max_ratio)
    DEF(ratio_min_bytes)
    DEF(max_entries)
    DEF(max_cols)
    DEF(max_rows)
    DEF(max_cell_chars)
    DEF(max_shared_strings)
#undef DEF
    /* Offsets in a ZIP without ZIP64 are 32-bit; shared-string offsets are uint32_t. */
    if (lim->max_file_bytes > UINT32_MAX)
        lim->max_file_bytes = UINT32_MAX;
    if (lim->max_sst_bytes > (1ull << 30))
        lim->max_sst_bytes = 1ull << 30;
    if (lim->max_cols > ZG_XLSX_EXCEL_MAX_COLS)
        lim->max_cols = ZG_XLSX_EXCEL_MAX_COLS;
    if (lim->max_rows > ZG_XLSX_EXCEL_MAX_ROWS)
        lim->max_rows = ZG_XLSX_EXCEL_MAX_ROWS;
    if (lim->max_cell_chars > ZG_XLSX_EXCEL_MAX_CELL_CHARS)
        lim->max_cell_chars = ZG_XLSX_EXCEL_MAX_CELL_CHARS;
    if (lim->max_entries > 65535)
        lim->max_entries = 65535;
    if (lim->max_shared_strings > (1u << 26))
        lim->max_shared_strings = 1u << 26;
}

static int invalid(zg_error_t *err, const char *why)
{
    return zg_error_set(err, ZG_ERR_INVALID, "xlsx_invalid", ZG_XLSX_MSG_INVALID, "zip: %s", why);
}

static int truncated(zg_error_t *err, const char *why)
{
    return zg_error_set(err, ZG_ERR_INVALID, "xlsx_truncated",
                        "文件不完整（可能上传中断），请重新上传", "zip: %s", why);
}

static int zip64(zg_error_t *err)
{
    return zg_error_set(err, ZG_ERR_INVALID, "xlsx_zip64",
                        "文件使用了不支持的 ZIP64 格式，请在 Excel 中重新保存后上传",
                        "zip: ZIP64 archive");
}

/* ---- directory ------------------------------------------------------------------------- */

int zg_xlsx_zip_open(zg_xlsx_zip_t *z, const uint8_t *data, size_t len, const zg_xlsx_limits_t *lim,
                     zg_error_t *err)
{
    memset(z, 0, sizeof *z);
    z->data = data;
    z->len = len;
    z->lim = *lim;

    if (len == 0 || !data)
        return invalid(err, "empty file");
    if (len > lim->max_file_bytes) {
        char msg[128];
        snprintf(msg, sizeof msg, "文件过大（超过 %zu MB）", lim->max_file_bytes >> 20);
        return zg_error_set(err, ZG_ERR_TOO_LARGE, "xlsx_file_too_large", msg,
                            "zip: file of %zu bytes over the cap of %zu", len, lim->max_file_bytes);
    }
    if (len >= sizeof OLE2_MAGIC && memcmp(data, OLE2_MAGIC, sizeof OLE2_MAGIC) == 0)
        return zg_error_set(err, ZG_ERR_INVALID, "xlsx_legacy",
                            "文件是旧版 Excel (.xls) 格式或设置了打开密码，请在 Excel 中另存为 "
                            ".xlsx（不设密码）后上传",
                            "zip: OLE2 compound file (.xls or encrypted .xlsx)");
    bool starts_local = len >= 4 && rd32(data) == SIG_LOCAL;

    /* The end of central directory record is the last 22 bytes plus a comment of up to
     * 65535 bytes: search only there, from the end. */
    size_t eocd = SIZE_MAX;
    if (len >= EOCD_SIZE) {
        size_t lo = len - EOCD_SIZE > MAX_COMMENT ? len - EOCD_SIZE - MAX_COMMENT : 0;
        for (size_t off = len - EOCD_SIZE + 1; off-- > lo;) {
            if (data[off] != 'P' || rd32(data + off) != SIG_EOCD)
                continue;
            if ((uint64_t)off + EOCD_SIZE + rd16(data + off + 20) <= len) {
                eocd = off;
                break;
            }
        }
    }
    if (eocd == SIZE_MAX)
        return starts_local ? truncated(err, "no end of central directory record")
                            : invalid(err, "no end of central directory record");

    const uint8_t *e = data + eocd;
    uint16_t disk = rd16(e + 4), cd_disk = rd16(e + 6);
    uint16_t n_disk = rd16(e + 8), n_total = rd16(e + 10);
    uint32_t cd_size = rd32(e + 12), cd_off = rd32(e + 16);
    if (n_total == 0xFFFF || n_disk == 0xFFFF || cd_size == 0xFFFFFFFFu || cd_off == 0xFFFFFFFFu ||
        (eocd >= 20 && rd32(data + eocd - 20) == SIG_Z64_LOC))
        return zip64(err);
    if (disk != 0 || cd_disk != 0 || n_disk != n_total)
        return zg_error_set(err, ZG_ERR_INVALID, "xlsx_multidisk",
                            "不支持分卷压缩的文件，请在 Excel 中重新保存后上传",
                            "zip: archive spans several disks");
    if ((uint64_t)cd_off + cd_size > eocd)
        return starts_local ? truncated(err, "central directory outside the file")
                            : invalid(err, "central directory outside the file");
    if (n_total == 0)
        return invalid(err, "empty archive");
    if (n_total > lim->max_entries) {
        char msg[160];
        snprintf(msg, sizeof msg, "文件内部条目过多（超过 %u 个），不是正常的 Excel 文件",
                 lim->max_entries);
        return zg_error_set(err, ZG_ERR_TOO_LARGE, "xlsx_too_many_entries", msg,
                            "zip: %u entries, cap %u", n_total, lim->max_entries);
    }

    z->entries = calloc(n_total, sizeof *z->entries);
    if (!z->entries)
        return zg_error_set(err, ZG_ERR_NOMEM, "no_memory", ZG_XLSX_MSG_NOMEM,
                            "zip: directory of %u entries", n_total);
    z->cd_off = cd_off;
    size_t pos = cd_off, end = (size_t)cd_off + cd_size;
    for (uint32_t i = 0; i < n_total; i++) {
        if (end - pos < CENTRAL_SIZE || rd32(data + pos) != SIG_CENTRAL) {
            zg_xlsx_zip_close(z);
            return invalid(err, "bad central directory entry");
        }
        const uint8_t *c = data + pos;
        zg_xlsx_zip_entry_t *en = &z->entries[i];
        en->flags = rd16(c + 8);
        en->method = rd16(c + 10);
        en->crc = rd32(c + 16);
        en->csize = rd32(c + 20);
        en->usize = rd32(c + 24);
        en->name_len = rd16(c + 28);
        size_t extra = rd16(c + 30), comment = rd16(c + 32);
        uint16_t disk_start = rd16(c + 34);
        en->local_off = rd32(c + 42);
        if (en->csize == 0xFFFFFFFFu || en->usize == 0xFFFFFFFFu || en->local_off == 0xFFFFFFFFu ||
            disk_start == 0xFFFF) {
            zg_xlsx_zip_close(z);
            return zip64(err);
        }
        size_t var = (size_t)en->name_len + extra + comment;
        if (end - pos - CENTRAL_SIZE < var) {
            zg_xlsx_zip_close(z);
            return invalid(err, "central directory entry runs past the directory");
        }
        en->name = c + CENTRAL_SIZE;
        pos += CENTRAL_SIZE + var;
    }
    z->count = n_total;
    return ZG_OK;
}

void zg_xlsx_zip_close(zg_xlsx_zip_t *z)
{
    free(z->entries);
    z->entries = NULL;
    z->count = 0;
}

static int name_eq(const uint8_t *a, size_t alen, const char *b)
{
    size_t i = 0;
    for (; i < alen && b[i]; i++) {
        int x = a[i], y = (unsigned char)b[i];
        if (x == '\\')
            x = '/';
        if (x >= 'A' && x <= 'Z')
            x += 'a' - 'A';
        if (y >= 'A' && y <= 'Z')
            y += 'a' - 'A';
        if (x != y)
            return 0;
    }
    return i == alen && b[i] == '\0';
}

const zg_xlsx_zip_entry_t *zg_xlsx_zip_find(const zg_xlsx_zip_t *z, const char *name, bool *dup)
{
    const zg_xlsx_zip_entry_t *found = NULL;
    *dup = false;
    for (uint32_t i = 0; i < z->count; i++) {
        const zg_xlsx_zip_entry_t *e = &z->entries[i];
        if (name_eq(e->name, e->name_len, name)) {
            if (found) {
                *dup = true;
                return found;
            }
            found = e;
        }
    }
    return found;
}

/* ---- entry streams --------------------------------------------------------------------- */

static int bomb(zg_xlsx_part_t *p, zg_error_t *err, const char *why)
{
    p->status = ZG_ERR_TOO_LARGE;
    return zg_error_set(err, ZG_ERR_TOO_LARGE, "xlsx_bomb", ZG_XLSX_MSG_BOMB,
                        "zip: %s: %s (inflated %llu, declared %u, compressed %u)", p->name, why,
                        (unsigned long long)p->out_total, p->e ? p->e->usize : 0,
                        p->e ? p->e->csize : 0);
}

static int corrupt(zg_xlsx_part_t *p, zg_error_t *err, const char *why)
{
    p->status = ZG_ERR_INVALID;
    return zg_error_set(err, ZG_ERR_INVALID, "xlsx_corrupt", ZG_XLSX_MSG_CORRUPT, "zip: %s: %s",
                        p->name, why);
}

int zg_xlsx_part_open(zg_xlsx_part_t *p, zg_xlsx_zip_t *z, const zg_xlsx_zip_entry_t *e,
                      uint64_t cap, zg_error_t *err)
{
    memset(p, 0, sizeof *p);
    p->zip = z;
    p->e = e;
    p->crc = (uint32_t)crc32(0L, Z_NULL, 0);
    size_t n = e->name_len < sizeof p->name - 1 ? e->name_len : sizeof p->name - 1;
    for (size_t i = 0; i < n; i++)
        p->name[i] = (e->name[i] >= 0x20 && e->name[i] < 0x7f) ? (char)e->name[i] : '?';

    if ((e->flags & (FLAG_ENCRYPTED | FLAG_STRONG_ENCR))) {
        p->status = ZG_ERR_INVALID;
        return zg_error_set(err, ZG_ERR_INVALID, "xlsx_encrypted", "文件已加密，请去除密码后上传",
                            "zip: %s: encrypted entry", p->name);
    }
    if (e->method != 0 && e->method != 8) {
        p->status = ZG_ERR_INVALID;
        return zg_error_set(err, ZG_ERR_INVALID, "xlsx_method",
                            "文件使用了不支持的压缩方式，请在 Excel 中重新保存后上传",
                            "zip: %s: compression method %u", p->name, e->method);
    }
    /* The local header must agree with the central one on the name and the method; its sizes
     * may be zero (bit 3: sizes in a data descriptor), so the central ones are used. */
    uint64_t lo = e->local_off;
    if (lo + LOCAL_SIZE > z->cd_off || rd32(z->data + lo) != SIG_LOCAL)
        return corrupt(p, err, "bad local header offset");
    const uint8_t *l = z->data + lo;
    uint16_t lflags = rd16(l + 6), lmethod = rd16(l + 8);
    uint64_t lname = rd16(l + 26), lextra = rd16(l + 28);
    uint64_t data_off = lo + LOCAL_SIZE + lname + lextra;
    if (lname != e->name_len || data_off > z->cd_off ||
        memcmp(l + LOCAL_SIZE, e->name, e->name_len) != 0 || lmethod != e->method ||
        (lflags & FLAG_ENCRYPTED) != (e->flags & FLAG_ENCRYPTED))
        return corrupt(p, err, "local header disagrees with the central directory");
    if (data_off + e->csize > z->cd_off)
        return corrupt(p, err, "compressed data runs past the end of the entries");
    p->in = z->data + data_off;
    p->in_len = e->csize;

    const zg_xlsx_limits_t *lim = &z->lim;
    uint64_t left =
        lim->max_total_bytes > z->inflated_total ? lim->max_total_bytes - z->inflated_total : 0;
    p->cap = cap < left ? cap : left;
    if (e->usize > p->cap)
        return bomb(p, err, "declared size over the cap");
    if (e->usize > lim->ratio_min_bytes && e->usize / lim->max_ratio > (uint64_t)e->csize)
        return bomb(p, err, "declared compression ratio over the bound");

    if (e->method == 0) {
        if (e->csize != e->usize)
            return corrupt(p, err, "stored entry with different sizes");
        return ZG_OK;
    }
    p->buf = malloc(ZG_XLSX_PART_BUF);
    if (!p->buf) {
        p->status = ZG_ERR_NOMEM;
        return zg_error_set(err, ZG_ERR_NOMEM, "no_memory", ZG_XLSX_MSG_NOMEM,
                            "zip: inflate buffer");
    }
    /* Raw deflate (no zlib header): window bits -15. */
    if (inflateInit2(&p->zs, -15) != Z_OK) {
        p->status = ZG_ERR_NOMEM;
        return zg_error_set(err, ZG_ERR_NOMEM, "no_memory", ZG_XLSX_MSG_NOMEM,
                            "zip: inflateInit2 failed");
    }
    p->zinit = true;
    p->zs.next_in = (Bytef *)(uintptr_t)p->in;
    p->zs.avail_in = (uInt)p->in_len; /* csize is 32-bit, as is uInt */
    return ZG_OK;
}

uint64_t zg_xlsx_part_consumed(const zg_xlsx_part_t *p)
{
    if (p->e && p->e->method == 8 && p->zinit)
        return p->in_len - p->zs.avail_in;
    return p->in_pos;
}

/* Counts `n` more output bytes against every bound. */
static int account(zg_xlsx_part_t *p, size_t n, zg_error_t *err)
{
    const zg_xlsx_limits_t *lim = &p->zip->lim;
    p->out_total += n;
    p->zip->inflated_total += n;
    if (p->out_total > p->e->usize)
        return bomb(p, err, "inflates past its declared size");
    if (p->out_total > p->cap)
        return bomb(p, err, "inflates past the cap");
    if (p->zip->inflated_total > lim->max_total_bytes)
        return bomb(p, err, "archive inflates past the total cap");
    uint64_t consumed = zg_xlsx_part_consumed(p);
    if (p->out_total > lim->ratio_min_bytes && p->out_total / lim->max_ratio > consumed)
        return bomb(p, err, "compression ratio over the bound");
    return ZG_OK;
}

static int finish(zg_xlsx_part_t *p, zg_error_t *err)
{
    if (p->out_total != p->e->usize)
        return corrupt(p, err, "inflated size differs from the declared size");
    if (p->crc != p->e->crc) {
        p->status = ZG_ERR_INVALID;
        return zg_error_set(err, ZG_ERR_INVALID, "xlsx_crc",
                            "文件已损坏（数据校验失败），请在 Excel 中重新保存后上传",
                            "zip: %s: CRC-32 %08x, declared %08x", p->name, p->crc, p->e->crc);
    }
    p->status = 1;
    return 0;
}

int zg_xlsx_part_read(zg_xlsx_part_t *p, const uint8_t **chunk, size_t *len, zg_error_t *err)
{
    *chunk = NULL;
    *len = 0;
    if (p->status < 0)
        return zg_error_set(err, p->status, "xlsx_corrupt", ZG_XLSX_MSG_CORRUPT,
                            "zip: %s: read after failure", p->name);
    if (p->status == 1)
        return 0;
    if (p->e->method == 0) {
        if (p->in_pos == p->in_len)
            return finish(p, err);
        size_t n = p->in_len - p->in_pos;
        if (n > STORED_CHUNK)
            n = STORED_CHUNK;
        const uint8_t *c = p->in + p->in_pos;
        p->in_pos += n;
        int rc = account(p, n, err);
        if (rc)
            return rc;
        p->crc = (uint32_t)crc32(p->crc, c, (uInt)n);
        *chunk = c;
        *len = n;
        return 1;
    }
    for (;;) {
        if (p->ended)
            return finish(p, err);
        p->zs.next_out = p->buf;
        p->zs.avail_out = ZG_XLSX_PART_BUF;
        uInt avail_before = p->zs.avail_in;
        int r = inflate(&p->zs, Z_NO_FLUSH);
        size_t produced = ZG_XLSX_PART_BUF - p->zs.avail_out;
        if (r == Z_STREAM_END)
            p->ended = true;
        else if (r == Z_MEM_ERROR) {
            p->status = ZG_ERR_NOMEM;
            return zg_error_set(err, ZG_ERR_NOMEM, "no_memory", ZG_XLSX_MSG_NOMEM,
                                "zip: %s: inflate out of memory", p->name);
        } else if (r != Z_OK && r != Z_BUF_ERROR)
            return corrupt(p, err, p->zs.msg ? p->zs.msg : "inflate failed");
        if (produced) {
            int rc = account(p, produced, err);
            if (rc)
                return rc;
            p->crc = (uint32_t)crc32(p->crc, p->buf, (uInt)produced);
            *chunk = p->buf;
            *len = produced;
            return 1;
        }
        if (!p->ended && (p->zs.avail_in == 0 || p->zs.avail_in == avail_before))
            return corrupt(p, err, "deflate stream ends early");
    }
}

void zg_xlsx_part_close(zg_xlsx_part_t *p)
{
    if (p->zinit)
        inflateEnd(&p->zs);
    p->zinit = false;
    free(p->buf);
    p->buf = NULL;
}

int zg_xlsx_zip_extract(zg_xlsx_zip_t *z, const char *name, uint64_t cap, char **out, size_t *len,
                        zg_error_t *err)
{
    *out = NULL;
    *len = 0;
    bool dup;
    const zg_xlsx_zip_entry_t *e = zg_xlsx_zip_find(z, name, &dup);
    if (!e)
        return ZG_ERR_NOT_FOUND;
    if (dup)
        return invalid(err, "two entries with the same name");
    zg_xlsx_part_t p;
    int rc = zg_xlsx_part_open(&p, z, e, cap, err);
    /* the declared size passed the checks in part_open, so it bounds the buffer */
    char *buf = rc ? NULL : malloc((size_t)e->usize + 1);
    if (!rc && !buf)
        rc = zg_error_set(err, ZG_ERR_NOMEM, "no_memory", ZG_XLSX_MSG_NOMEM, "zip: %u bytes for %s",
                          e->usize, p.name);
    size_t n = 0;
    while (rc == 0) {
        const uint8_t *c;
        size_t cl;
        int r = zg_xlsx_part_read(&p, &c, &cl, err);
        if (r < 0)
            rc = r;
        if (r <= 0)
            break;
        memcpy(buf + n, c, cl); /* account() keeps n + cl <= usize */
        n += cl;
    }
    zg_xlsx_part_close(&p);
    if (rc) {
        free(buf);
        return rc;
    }
    buf[n] = '\0';
    *out = buf;
    *len = n;
    return ZG_OK;
}
