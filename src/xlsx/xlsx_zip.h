/* xlsx_zip.h — the ZIP container under an .xlsx, for src/xlsx/ only (and its tests).
 *
 * Reads the central directory of an archive held in memory (APPNOTE.TXT 6.3: end of central
 * directory record, central file headers, local file headers) and streams one entry at a time
 * through zlib, counting what inflate actually produces against the limits in
 * zg_xlsx_limits_t. Not supported, each refused with its own error: ZIP64, archives split over
 * several disks, encrypted entries, compression methods other than stored (0) and deflate (8).
 *
 * The archive bytes are borrowed: they must outlive the zg_xlsx_zip_t. */
#ifndef ZG_XLSX_ZIP_H
#define ZG_XLSX_ZIP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <zlib.h>

#include "core/status.h"
#include "xlsx/xlsx_read.h"

/* One central directory entry. `name` points into the archive (not NUL-terminated). */
typedef struct zg_xlsx_zip_entry {
    const uint8_t *name;
    uint16_t name_len;
    uint16_t method; /* 0 stored, 8 deflate */
    uint16_t flags;  /* general purpose bit flag */
    uint32_t crc;
    uint32_t csize; /* compressed size as declared */
    uint32_t usize; /* uncompressed size as declared: checked, never trusted */
    uint32_t local_off;
} zg_xlsx_zip_entry_t;

typedef struct zg_xlsx_zip {
    const uint8_t *data; /* borrowed */
    size_t len;
    size_t cd_off;                /* where the central directory starts */
    zg_xlsx_zip_entry_t *entries; /* malloc'd, [count] */
    uint32_t count;
    zg_xlsx_limits_t lim;    /* defaults filled in */
    uint64_t inflated_total; /* bytes inflated from every part opened so far */
} zg_xlsx_zip_t;

/* Fills in every 0 field of *lim with its default and clamps the others. */
void zg_xlsx_limits_resolve(zg_xlsx_limits_t *lim);

/* Parses the archive's directory. `lim` must be resolved. Returns 0, or a negative status with
 * *err filled; on failure *z needs no zg_xlsx_zip_close. */
int zg_xlsx_zip_open(zg_xlsx_zip_t *z, const uint8_t *data, size_t len, const zg_xlsx_limits_t *lim,
                     zg_error_t *err);

/* Frees the directory. */
void zg_xlsx_zip_close(zg_xlsx_zip_t *z);

/* The entry named `name`, compared ASCII case-insensitively with '\' taken as '/' (OPC part
 * names are case-insensitive; some Windows tools write backslashes). Returns it, or NULL when
 * there is none; sets *dup when two entries have that name (an ambiguous archive, refused). */
const zg_xlsx_zip_entry_t *zg_xlsx_zip_find(const zg_xlsx_zip_t *z, const char *name, bool *dup);

/* A stream of one entry's uncompressed bytes. */
typedef struct zg_xlsx_part {
    zg_xlsx_zip_t *zip;
    const zg_xlsx_zip_entry_t *e;
    const uint8_t *in; /* compressed bytes in the archive */
    size_t in_len;
    size_t in_pos; /* stored: bytes handed out so far */
    z_stream zs;
    bool zinit;
    bool ended;   /* inflate reported Z_STREAM_END (or stored data exhausted) */
    uint8_t *buf; /* inflate output, ZG_XLSX_PART_BUF bytes */
    uint64_t out_total;
    uint64_t cap; /* most bytes this part may inflate to */
    uint32_t crc;
    int status;     /* 0 reading, 1 finished and verified, < 0 failed */
    char name[128]; /* for messages */
} zg_xlsx_part_t;

#define ZG_XLSX_PART_BUF (64 * 1024)

/* Starts reading entry `e`, which may inflate to at most `cap` bytes (and what is left of
 * lim.max_total_bytes). Checks the local header against the central one and refuses at once an
 * entry whose declared sizes pass the cap or the bomb ratio. Returns 0 or a negative status;
 * zg_xlsx_part_close is needed either way. */
int zg_xlsx_part_open(zg_xlsx_part_t *p, zg_xlsx_zip_t *z, const zg_xlsx_zip_entry_t *e,
                      uint64_t cap, zg_error_t *err);

/* Hands out the next chunk of uncompressed bytes: returns 1 with *chunk and *len set (valid until
 * the next call), 0 at the end once the size and CRC-32 have been checked, or a negative status.
 * A failure is sticky. */
int zg_xlsx_part_read(zg_xlsx_part_t *p, const uint8_t **chunk, size_t *len, zg_error_t *err);

/* Compressed bytes consumed so far. */
uint64_t zg_xlsx_part_consumed(const zg_xlsx_part_t *p);

void zg_xlsx_part_close(zg_xlsx_part_t *p);

/* Inflates the whole entry named `name` into a malloc'd, NUL-terminated buffer of at most `cap`
 * bytes (+1 for the NUL) that the caller frees. Returns 0, ZG_ERR_NOT_FOUND (no such entry;
 * err not filled), or another negative status. For small parts and tests. */
int zg_xlsx_zip_extract(zg_xlsx_zip_t *z, const char *name, uint64_t cap, char **out, size_t *len,
                        zg_error_t *err);

/* The Chinese messages shared by the files of src/xlsx/. */
#define ZG_XLSX_MSG_INVALID "文件不是有效的 Excel (.xlsx) 文件"
#define ZG_XLSX_MSG_BOMB    "文件解压后过大，可能是压缩炸弹，已拒绝"
#define ZG_XLSX_MSG_CORRUPT "文件已损坏（解压失败），请在 Excel 中重新保存后上传"
#define ZG_XLSX_MSG_XML     "文件内容格式错误（XML 解析失败），请在 Excel 中重新保存后上传"
#define ZG_XLSX_MSG_NOMEM   "服务器内存不足，请稍后重试"

#endif
