/* test_xlsx_zip.c — the ZIP layer of the .xlsx reader (src/xlsx/xlsx_zip.c) on hand-made
 * archives: files that are not ZIPs, truncated files, bad CRCs, ZIP64, split archives,
 * encryption, unknown methods, lying headers, and zip bombs (1 GiB of zeros, refused quickly
 * and with bounded memory). Each limit is tested on both sides of its boundary. */
#include <sys/resource.h>
#include <time.h>

#include "xlsx_test.h"

#include "xlsx/xlsx_zip.h"

static const char ROWS[] = "<row r=\"1\"><c r=\"A1\" t=\"s\"><v>0</v></c><c r=\"B1\"><v>42</v></c>"
                           "</row>";
static const char SST[] = "<si><t>姓名</t></si>";
static const char WANT[] = "1: A=姓名 B=42\n";

/* A standard small .xlsx whose worksheet entry is written with `opt` from `sheet`
 * (NULL: the worksheet made of ROWS). */
static uint8_t *build(const xt_entry_opt_t *opt, const void *sheet, size_t sheet_len, size_t *len)
{
    char *doc = xt_sheet(ROWS);
    char *sst = xt_sst(SST);
    if (!sheet) {
        sheet = doc;
        sheet_len = strlen(doc);
    }
    xt_zip_t z;
    memset(&z, 0, sizeof z);
    xt_zip_add(&z, "_rels/.rels", XT_ROOT_RELS, strlen(XT_ROOT_RELS), NULL);
    xt_zip_add(&z, "xl/workbook.xml", XT_WORKBOOK, strlen(XT_WORKBOOK), NULL);
    xt_zip_add(&z, "xl/_rels/workbook.xml.rels", XT_WORKBOOK_RELS, strlen(XT_WORKBOOK_RELS), NULL);
    xt_zip_add(&z, "xl/sharedStrings.xml", sst, strlen(sst), NULL);
    xt_zip_add(&z, "xl/worksheets/sheet1.xml", sheet, sheet_len, opt);
    free(doc);
    free(sst);
    return xt_zip_finish(&z, len);
}

/* The central directory header of entry `name`. */
static uint8_t *central(uint8_t *zip, size_t len, const char *name)
{
    size_t n = strlen(name);
    for (size_t i = 0; i + 46 + n <= len; i++)
        if (memcmp(zip + i, "PK\1\2", 4) == 0 && zip[i + 28] == n && zip[i + 29] == 0 &&
            memcmp(zip + i + 46, name, n) == 0)
            return zip + i;
    fail_msg("no central header for %s", name);
    return NULL;
}

static void put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

static void test_valid_baseline(void **state)
{
    (void)state;
    size_t len;
    uint8_t *x = build(NULL, NULL, 0, &len);
    XT_EXPECT_DUMP(x, len, NULL, false, WANT);
    free(x);

    /* every entry stored instead of deflated */
    xt_entry_opt_t stored = {.stored = true};
    char *doc = xt_sheet(ROWS);
    x = build(&stored, doc, strlen(doc), &len);
    XT_EXPECT_DUMP(x, len, NULL, false, WANT);
    free(x);
    free(doc);
}

static void test_not_a_zip(void **state)
{
    (void)state;
    char msg[384];
    static const char text[] = "姓名,性别\n张三,男\n";
    XT_EXPECT_FAIL(text, strlen(text), NULL, ZG_ERR_INVALID, "xlsx_invalid", msg);
    assert_string_equal(msg, "文件不是有效的 Excel (.xlsx) 文件");
    XT_EXPECT_FAIL("", 0, NULL, ZG_ERR_INVALID, "xlsx_invalid", NULL);
    XT_EXPECT_FAIL("%PDF-1.7\n", 9, NULL, ZG_ERR_INVALID, "xlsx_invalid", NULL);
    /* an old .xls (OLE2 compound file; an encrypted .xlsx looks the same) */
    uint8_t ole[512] = {0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1};
    XT_EXPECT_FAIL(ole, sizeof ole, NULL, ZG_ERR_INVALID, "xlsx_legacy", msg);
    assert_non_null(strstr(msg, ".xls"));
    /* a ZIP that is not a workbook (say, a .docx) */
    xt_zip_t z;
    memset(&z, 0, sizeof z);
    xt_zip_add(&z, "word/document.xml", "<w:document/>", 13, NULL);
    size_t len;
    uint8_t *x = xt_zip_finish(&z, &len);
    XT_EXPECT_FAIL(x, len, NULL, ZG_ERR_INVALID, "xlsx_invalid", NULL);
    free(x);
    /* an archive with no entries */
    memset(&z, 0, sizeof z);
    x = xt_zip_finish(&z, &len);
    XT_EXPECT_FAIL(x, len, NULL, ZG_ERR_INVALID, "xlsx_invalid", NULL);
    free(x);
}

/* Every proper prefix of a valid file is refused cleanly (uploads cut short). */
static void test_truncated_prefixes(void **state)
{
    (void)state;
    size_t len;
    uint8_t *x = build(NULL, NULL, 0, &len);
    for (size_t n = 0; n < len; n++) {
        uint8_t *cut = malloc(n ? n : 1); /* exact size, so ASan sees any overread */
        memcpy(cut, x, n);
        int rc;
        zg_error_t err;
        char *got = xt_dump_lim(cut, n, NULL, false, &rc, &err);
        if (got)
            fail_msg("prefix of %zu bytes read: %s", n, got);
        assert_int_equal(rc, ZG_ERR_INVALID);
        if (n >= 4)
            assert_string_equal(err.code, "xlsx_truncated");
        free(cut);
    }
    free(x);
}

static void test_bad_crc(void **state)
{
    (void)state;
    size_t len;
    char msg[384];
    /* the worksheet: rows are read, the mismatch is reported at the end */
    xt_entry_opt_t bad = {.fake_crc = true, .crc = 0x12345678};
    uint8_t *x = build(&bad, NULL, 0, &len);
    zg_xlsx_reader_t *rd;
    zg_error_t err;
    assert_int_equal(zg_xlsx_reader_open_mem(x, len, NULL, &rd, &err), ZG_OK);
    zg_xlsx_row_t *row;
    int r;
    while ((r = zg_xlsx_next_row(rd, &row, &err)) == 1)
        ;
    assert_int_equal(r, ZG_ERR_INVALID);
    assert_string_equal(err.code, "xlsx_crc");
    /* sticky */
    zg_error_t again;
    assert_int_equal(zg_xlsx_next_row(rd, &row, &again), ZG_ERR_INVALID);
    assert_string_equal(again.code, "xlsx_crc");
    zg_xlsx_reader_free(rd);
    XT_EXPECT_FAIL(x, len, NULL, ZG_ERR_INVALID, "xlsx_crc", msg);
    assert_non_null(strstr(msg, "校验"));
    free(x);

    /* a stored entry with a bad CRC */
    xt_entry_opt_t bad_stored = {.stored = true, .fake_crc = true, .crc = 1};
    x = build(&bad_stored, NULL, 0, &len);
    XT_EXPECT_FAIL(x, len, NULL, ZG_ERR_INVALID, "xlsx_crc", NULL);
    free(x);

    /* the shared strings: refused at open */
    x = build(NULL, NULL, 0, &len);
    uint8_t *c = central(x, len, "xl/sharedStrings.xml");
    put32(c + 16, 0xDEADBEEF);
    /* the local header carries the CRC too; the central one is the one checked */
    assert_int_equal(zg_xlsx_reader_open_mem(x, len, NULL, &rd, &err), ZG_ERR_INVALID);
    assert_string_equal(err.code, "xlsx_crc");
    free(x);
}

static void test_corrupt_deflate(void **state)
{
    (void)state;
    size_t len;
    uint8_t *x = build(NULL, NULL, 0, &len);
    uint8_t *c = central(x, len, "xl/worksheets/sheet1.xml");
    uint32_t off =
        (uint32_t)c[42] | (uint32_t)c[43] << 8 | (uint32_t)c[44] << 16 | (uint32_t)c[45] << 24;
    uint32_t csize = (uint32_t)c[20] | (uint32_t)c[21] << 8;
    size_t data = off + 30 + strlen("xl/worksheets/sheet1.xml");
    /* garble every byte in turn: always an error or the right rows, never a crash */
    for (uint32_t i = 0; i < csize; i++) {
        uint8_t *y = malloc(len);
        memcpy(y, x, len);
        y[data + i] ^= 0x5A;
        int rc;
        zg_error_t err;
        char *got = xt_dump_lim(y, len, NULL, false, &rc, &err);
        if (got) {
            assert_string_equal(got, WANT);
            free(got);
        } else {
            /* usually xlsx_corrupt or xlsx_crc; garbled XML may fail first (xlsx_xml) */
            assert_true(rc < 0);
            assert_true(err.code[0] != '\0' && err.message[0] != '\0');
        }
        free(y);
    }
    free(x);
}

static void test_zip64_and_multidisk(void **state)
{
    (void)state;
    size_t len;
    char msg[384];
    /* sizes of 0xFFFFFFFF in the central directory: ZIP64 */
    xt_entry_opt_t z64 = {.central_extra_zip64 = 1};
    uint8_t *x = build(&z64, NULL, 0, &len);
    XT_EXPECT_FAIL(x, len, NULL, ZG_ERR_INVALID, "xlsx_zip64", msg);
    assert_non_null(strstr(msg, "ZIP64"));
    free(x);

    /* a ZIP64 end-of-central-directory locator just before the end record */
    xt_zip_t z;
    memset(&z, 0, sizeof z);
    xt_zip_add(&z, "xl/worksheets/sheet1.xml", "<worksheet/>", 12, NULL);
    uint32_t cd_off = (uint32_t)z.b.len;
    xt_u32(&z.b, 0x07064b50);
    xt_u32(&z.b, 0);
    xt_u32(&z.b, 0);
    xt_u32(&z.b, 0);
    xt_u32(&z.b, 1);
    xt_u32(&z.b, 0x06054b50);
    xt_u16(&z.b, 0);
    xt_u16(&z.b, 0);
    xt_u16(&z.b, 0xFFFF);
    xt_u16(&z.b, 0xFFFF);
    xt_u32(&z.b, 0);
    xt_u32(&z.b, cd_off);
    xt_u16(&z.b, 0);
    XT_EXPECT_FAIL(z.b.p, z.b.len, NULL, ZG_ERR_INVALID, "xlsx_zip64", NULL);
    free(z.b.p);

    /* split over disks */
    memset(&z, 0, sizeof z);
    xt_zip_add(&z, "xl/worksheets/sheet1.xml", "<worksheet/>", 12, NULL);
    x = xt_zip_finish_ex(&z, &len, NULL, 1, 0);
    XT_EXPECT_FAIL(x, len, NULL, ZG_ERR_INVALID, "xlsx_multidisk", NULL);
    free(x);
}

static void test_entry_count_limit(void **state)
{
    (void)state;
    size_t len;
    uint8_t *x = build(NULL, NULL, 0, &len); /* 5 entries */
    zg_xlsx_limits_t lim = {.max_entries = 5};
    XT_EXPECT_DUMP(x, len, &lim, false, WANT);
    lim.max_entries = 4;
    char msg[384];
    XT_EXPECT_FAIL(x, len, &lim, ZG_ERR_TOO_LARGE, "xlsx_too_many_entries", msg);
    assert_string_equal(msg, "文件内部条目过多（超过 4 个），不是正常的 Excel 文件");
    free(x);

    /* the count in the end record larger than the directory really holds */
    xt_zip_t z;
    memset(&z, 0, sizeof z);
    xt_zip_add(&z, "xl/worksheets/sheet1.xml", "<worksheet/>", 12, NULL);
    x = xt_zip_finish_ex(&z, &len, NULL, 0, 9000);
    XT_EXPECT_FAIL(x, len, NULL, ZG_ERR_INVALID, "xlsx_invalid", NULL);
    free(x);
}

static void test_encrypted_and_methods(void **state)
{
    (void)state;
    size_t len;
    xt_entry_opt_t enc = {.flags = 1};
    uint8_t *x = build(&enc, NULL, 0, &len);
    char msg[384];
    XT_EXPECT_FAIL(x, len, NULL, ZG_ERR_INVALID, "xlsx_encrypted", msg);
    assert_string_equal(msg, "文件已加密，请去除密码后上传");
    free(x);

    xt_entry_opt_t bzip2 = {.method = 12};
    x = build(&bzip2, NULL, 0, &len);
    XT_EXPECT_FAIL(x, len, NULL, ZG_ERR_INVALID, "xlsx_method", NULL);
    free(x);

    /* a stored entry whose sizes disagree */
    xt_entry_opt_t st = {.stored = true, .fake_usize = true, .usize = 10};
    x = build(&st, NULL, 0, &len);
    XT_EXPECT_FAIL(x, len, NULL, ZG_ERR_INVALID, "xlsx_corrupt", NULL);
    free(x);
}

static void test_headers_disagree(void **state)
{
    (void)state;
    size_t len;
    xt_entry_opt_t other = {.local_name = "xl/worksheets/sheet2.xml"};
    uint8_t *x = build(&other, NULL, 0, &len);
    XT_EXPECT_FAIL(x, len, NULL, ZG_ERR_INVALID, "xlsx_corrupt", NULL);
    free(x);

    /* local header offsets pointing outside the entries */
    x = build(NULL, NULL, 0, &len);
    uint8_t *c = central(x, len, "xl/worksheets/sheet1.xml");
    put32(c + 42, (uint32_t)len - 10);
    XT_EXPECT_FAIL(x, len, NULL, ZG_ERR_INVALID, "xlsx_corrupt", NULL);
    put32(c + 42, 0xFFFFFFF0u);
    XT_EXPECT_FAIL(x, len, NULL, ZG_ERR_INVALID, "xlsx_corrupt", NULL);
    free(x);

    /* a compressed size running into the central directory */
    x = build(NULL, NULL, 0, &len);
    c = central(x, len, "xl/worksheets/sheet1.xml");
    put32(c + 20, (uint32_t)len);
    XT_EXPECT_FAIL(x, len, NULL, ZG_ERR_INVALID, "xlsx_corrupt", NULL);
    free(x);

    /* a directory offset past the end record */
    x = build(NULL, NULL, 0, &len);
    put32(x + len - 6, (uint32_t)len);
    XT_EXPECT_FAIL(x, len, NULL, ZG_ERR_INVALID, "xlsx_truncated", NULL);
    free(x);
}

static void test_duplicate_and_odd_names(void **state)
{
    (void)state;
    size_t len;
    char *doc = xt_sheet(ROWS);
    char *sst = xt_sst(SST);

    xt_zip_t z;
    memset(&z, 0, sizeof z);
    xt_zip_add(&z, "xl/sharedStrings.xml", sst, strlen(sst), NULL);
    xt_zip_add(&z, "xl/worksheets/sheet1.xml", doc, strlen(doc), NULL);
    xt_zip_add(&z, "XL/Worksheets/Sheet1.xml", "<worksheet/>", 12, NULL);
    uint8_t *x = xt_zip_finish(&z, &len);
    XT_EXPECT_FAIL(x, len, NULL, ZG_ERR_INVALID, "xlsx_invalid", NULL);
    free(x);

    /* no workbook: falls back to xl/worksheets/sheet1.xml; names compared case-insensitively
     * and with Windows backslashes */
    memset(&z, 0, sizeof z);
    xt_zip_add(&z, "xl\\sharedStrings.xml", sst, strlen(sst), NULL);
    xt_zip_add(&z, "XL\\WORKSHEETS\\SHEET1.XML", doc, strlen(doc), NULL);
    x = xt_zip_finish(&z, &len);
    XT_EXPECT_DUMP(x, len, NULL, false, WANT);
    free(x);
    free(doc);
    free(sst);
}

static void test_eocd_comment(void **state)
{
    (void)state;
    char *doc = xt_sheet(ROWS);
    char *sst = xt_sst(SST);
    /* the longest comment a ZIP can have: the end record is 65535 + 22 bytes from the end */
    char *comment = malloc(65536);
    memset(comment, 'c', 65535);
    comment[65535] = '\0';
    xt_zip_t z;
    memset(&z, 0, sizeof z);
    xt_zip_add(&z, "xl/sharedStrings.xml", sst, strlen(sst), NULL);
    xt_zip_add(&z, "xl/worksheets/sheet1.xml", doc, strlen(doc), NULL);
    size_t len;
    uint8_t *x = xt_zip_finish_ex(&z, &len, comment, 0, 0);
    XT_EXPECT_DUMP(x, len, NULL, false, WANT);
    /* one byte of trailing garbage after that comment puts the record out of reach */
    x = realloc(x, len + 1);
    x[len] = 'x';
    XT_EXPECT_FAIL(x, len + 1, NULL, ZG_ERR_INVALID, "xlsx_truncated", NULL);
    free(x);
    free(comment);
    free(doc);
    free(sst);
}

static void test_file_size_limit(void **state)
{
    (void)state;
    size_t len;
    uint8_t *x = build(NULL, NULL, 0, &len);
    zg_xlsx_limits_t lim = {.max_file_bytes = len};
    XT_EXPECT_DUMP(x, len, &lim, false, WANT);
    lim.max_file_bytes = len - 1;
    XT_EXPECT_FAIL(x, len, &lim, ZG_ERR_TOO_LARGE, "xlsx_file_too_large", NULL);
    free(x);
}

/* ---- bombs -------------------------------------------------------------------------------- */

#define MIB (1024u * 1024u)

/* A raw deflate stream of `mib` MiB of zeros, made without compressing them all: with
 * Z_FULL_FLUSH after each MiB, every block after the first is byte-for-byte the same
 * (checked), so it is compressed once and repeated. ~1 KiB per MiB (ratio ~1000:1). */
static uint8_t *zero_stream(uint32_t mib, size_t pad, size_t *len, uint32_t *crc)
{
    static uint8_t zeros[MIB];
    static uint8_t b1[4096], b2[4096];
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    assert_int_equal(deflateInit2(&zs, 9, Z_DEFLATED, -15, 9, Z_DEFAULT_STRATEGY), Z_OK);
    uint8_t *out[2] = {b1, b2};
    size_t n[2];
    for (int i = 0; i < 2; i++) {
        zs.next_in = zeros;
        zs.avail_in = MIB;
        zs.next_out = out[i];
        zs.avail_out = sizeof b1;
        assert_int_equal(deflate(&zs, Z_FULL_FLUSH), Z_OK);
        assert_int_equal(zs.avail_in, 0);
        n[i] = sizeof b1 - zs.avail_out;
    }
    assert_int_equal(n[0], n[1]);
    assert_memory_equal(b1, b2, n[0]);
    uint8_t fin[64];
    zs.next_in = zeros;
    zs.avail_in = 0;
    zs.next_out = fin;
    zs.avail_out = sizeof fin;
    assert_int_equal(deflate(&zs, Z_FINISH), Z_STREAM_END);
    size_t nfin = sizeof fin - zs.avail_out;
    deflateEnd(&zs);

    size_t total = n[0] * mib + nfin + pad;
    uint8_t *s = calloc(1, total);
    for (uint32_t i = 0; i < mib; i++)
        memcpy(s + i * n[0], b1, n[0]);
    memcpy(s + (size_t)mib * n[0], fin, nfin);
    *len = total;
    /* CRC-32 of mib MiB of zeros by combining, not by reading them */
    uLong c1 = crc32(0, zeros, MIB), c = c1;
    for (uint32_t i = 1; i < mib; i++)
        c = crc32_combine(c, c1, MIB);
    *crc = (uint32_t)c;
    return s;
}

static long max_rss_kib(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Reads `x` expecting a bomb refusal within `secs` seconds and `kib` KiB of new peak RSS. */
static void expect_bomb(const uint8_t *x, size_t len, const zg_xlsx_limits_t *lim, double secs,
                        long kib)
{
    long rss0 = max_rss_kib();
    double t0 = now();
    char msg[384];
    XT_EXPECT_FAIL(x, len, lim, ZG_ERR_TOO_LARGE, "xlsx_bomb", msg);
    assert_string_equal(msg, "文件解压后过大，可能是压缩炸弹，已拒绝");
    double dt = now() - t0;
    long grew = max_rss_kib() - rss0;
    if (dt > secs || grew > kib)
        fail_msg("bomb took %.2fs and %ld KiB", dt, grew);
}

/* 1 GiB of zeros declared honestly: refused from the directory, nothing inflated. */
static void test_bomb_declared(void **state)
{
    (void)state;
    size_t slen, len;
    uint32_t crc;
    uint8_t *s = zero_stream(1024, 0, &slen, &crc);
    xt_entry_opt_t o = {.raw = true, .usize = 1024u * MIB, .crc = crc};
    uint8_t *x = build(&o, s, slen, &len);
    assert_true(len < 2 * MIB);
    expect_bomb(x, len, NULL, 0.5, 16 * 1024);
    free(x);

    /* 400 MiB (under the 512 MiB sheet cap) at 1000:1: refused by the declared ratio */
    o.usize = 400u * MIB;
    free(s);
    s = zero_stream(400, 0, &slen, &crc);
    o.crc = crc;
    x = build(&o, s, slen, &len);
    expect_bomb(x, len, NULL, 0.5, 16 * 1024);
    free(x);
    free(s);
}

/* The same stream declared as 1,000 bytes: refused once it inflates past that. */
static void test_bomb_lying_size(void **state)
{
    (void)state;
    size_t slen, len;
    uint32_t crc;
    uint8_t *s = zero_stream(1024, 0, &slen, &crc);
    xt_entry_opt_t o = {.raw = true, .usize = 1000, .crc = crc};
    uint8_t *x = build(&o, s, slen, &len);
    expect_bomb(x, len, NULL, 0.5, 16 * 1024);
    free(x);
    free(s);
}

/* 400 MiB declared, padded so the declared ratio looks like 133:1: refused by the ratio of
 * what inflate really consumed, once 10 MiB are out. */
static void test_bomb_ratio_while_inflating(void **state)
{
    (void)state;
    size_t slen, len;
    uint32_t crc;
    uint8_t *s = zero_stream(400, 3 * MIB, &slen, &crc);
    xt_entry_opt_t o = {.raw = true, .usize = 400u * MIB, .crc = crc};
    uint8_t *x = build(&o, s, slen, &len);
    expect_bomb(x, len, NULL, 2.0, 32 * 1024);
    free(x);
    free(s);
}

/* The caps on the worksheet and on the total, on both sides of the boundary. */
static void test_size_caps(void **state)
{
    (void)state;
    char *doc = xt_sheet(ROWS);
    size_t dlen = strlen(doc), len;
    uint8_t *x = build(NULL, NULL, 0, &len);
    zg_xlsx_limits_t lim = {.max_sheet_bytes = dlen};
    XT_EXPECT_DUMP(x, len, &lim, false, WANT);
    lim.max_sheet_bytes = dlen - 1;
    XT_EXPECT_FAIL(x, len, &lim, ZG_ERR_TOO_LARGE, "xlsx_bomb", NULL);

    /* the same with a size that lies: caught on the real output */
    xt_entry_opt_t o = {.fake_usize = true, .usize = 10};
    uint8_t *y = build(&o, NULL, 0, &len);
    XT_EXPECT_FAIL(y, len, NULL, ZG_ERR_TOO_LARGE, "xlsx_bomb", NULL);
    free(y);
    /* a size larger than the truth is corruption, not a bomb */
    o.usize = (uint32_t)dlen + 1;
    y = build(&o, NULL, 0, &len);
    XT_EXPECT_FAIL(y, len, NULL, ZG_ERR_INVALID, "xlsx_corrupt", NULL);
    free(y);

    /* total over all parts: find the exact total by reading with a generous cap */
    zg_xlsx_zip_t z;
    zg_xlsx_limits_t big = {0};
    zg_xlsx_limits_resolve(&big);
    zg_error_t err;
    assert_int_equal(zg_xlsx_zip_open(&z, x, len, &big, &err), ZG_OK);
    uint64_t total = 0;
    for (uint32_t i = 0; i < z.count; i++)
        total += z.entries[i].usize;
    zg_xlsx_zip_close(&z);
    memset(&lim, 0, sizeof lim);
    lim.max_total_bytes = total;
    XT_EXPECT_DUMP(x, len, &lim, false, WANT);
    lim.max_total_bytes = total - 1;
    XT_EXPECT_FAIL(x, len, &lim, ZG_ERR_TOO_LARGE, "xlsx_bomb", NULL);
    free(x);
    free(doc);
}

/* The ratio bound applies only past ratio_min_bytes of output. */
static void test_ratio_boundary(void **state)
{
    (void)state;
    /* 450 KiB of a repetitive but valid sheet: compresses far better than 10:1 */
    xt_buf_t rows = {0};
    for (int i = 1; i <= 2000; i++)
        xt_printf(&rows, "<row r=\"%d\"><c r=\"A%d\"><v>1</v></c>%200s</row>", i, i, "");
    xt_put(&rows, "", 1);
    size_t len;
    uint8_t *x = xt_xlsx((char *)rows.p, NULL, &len);
    zg_xlsx_limits_t lim = {.max_ratio = 10, .ratio_min_bytes = 1024 * 1024};
    int rc;
    zg_error_t err;
    char *got = xt_dump_lim(x, len, &lim, false, &rc, &err);
    assert_non_null(got);
    free(got);
    lim.ratio_min_bytes = 16 * 1024;
    XT_EXPECT_FAIL(x, len, &lim, ZG_ERR_TOO_LARGE, "xlsx_bomb", NULL);
    free(x);
    free(rows.p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid_baseline),
        cmocka_unit_test(test_not_a_zip),
        cmocka_unit_test(test_truncated_prefixes),
        cmocka_unit_test(test_bad_crc),
        cmocka_unit_test(test_corrupt_deflate),
        cmocka_unit_test(test_zip64_and_multidisk),
        cmocka_unit_test(test_entry_count_limit),
        cmocka_unit_test(test_encrypted_and_methods),
        cmocka_unit_test(test_headers_disagree),
        cmocka_unit_test(test_duplicate_and_odd_names),
        cmocka_unit_test(test_eocd_comment),
        cmocka_unit_test(test_file_size_limit),
        cmocka_unit_test(test_bomb_declared),
        cmocka_unit_test(test_bomb_lying_size),
        cmocka_unit_test(test_bomb_ratio_while_inflating),
        cmocka_unit_test(test_size_caps),
        cmocka_unit_test(test_ratio_boundary),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
