/* test_xlsx_read.c — the worksheet reader (src/xlsx/xlsx_read.c, xlsx_xml.c) on hand-written
 * XML: cell types, sparse and empty cells, rich text, entities and escapes, namespace prefixes,
 * broken XML, column / row / length / shared-string limits on both sides of each boundary, the
 * workbook's choice of sheet and its 1904 flag, and opening from a file. */
#include <fcntl.h>
#include <sys/stat.h>

#include "xlsx_test.h"

/* An archive from (name, content) pairs, NULL-terminated. */
static uint8_t *zip_of(size_t *len, ...)
{
    xt_zip_t z;
    memset(&z, 0, sizeof z);
    va_list ap;
    va_start(ap, len);
    const char *name;
    while ((name = va_arg(ap, const char *)) != NULL) {
        const char *content = va_arg(ap, const char *);
        xt_zip_add(&z, name, content, strlen(content), NULL);
    }
    va_end(ap);
    return xt_zip_finish(&z, len);
}

static void expect_rows(const char *rows, const char *sst, const zg_xlsx_limits_t *lim, bool types,
                        const char *want)
{
    size_t len;
    uint8_t *x = xt_xlsx(rows, sst, &len);
    XT_EXPECT_DUMP(x, len, lim, types, want);
    free(x);
}

/* Expects failure; returns the message in a static buffer. */
static const char *expect_fail(const char *rows, const char *sst, const zg_xlsx_limits_t *lim,
                               int status, const char *code)
{
    static char msg[384];
    size_t len;
    uint8_t *x = xt_xlsx(rows, sst, &len);
    XT_EXPECT_FAIL(x, len, lim, status, code, msg);
    free(x);
    return msg;
}

/* ---- cells ---------------------------------------------------------------------------------- */

static void test_cell_types(void **state)
{
    (void)state;
    expect_rows("<row r=\"1\">"
                "<c r=\"A1\" t=\"s\"><v>0</v></c>"
                "<c r=\"B1\" t=\"inlineStr\"><is><t>内联文字</t></is></c>"
                "<c r=\"C1\" t=\"str\"><f>A1&amp;\"x\"</f><v>公式结果</v></c>"
                "<c r=\"D1\" s=\"3\"><v>3.25</v></c>"
                "<c r=\"E1\" t=\"n\"><v>-1E-3</v></c>"
                "<c r=\"F1\" t=\"b\"><v>1</v></c>"
                "<c r=\"G1\" t=\"e\"><v>#N/A</v></c>"
                "<c r=\"H1\" t=\"d\"><v>2024-03-01T00:00:00</v></c>"
                "<c r=\"I1\" t=\"s\"><v>1</v></c>"
                "</row>",
                "<si><t>姓名</t></si><si><t>18位身份证号110105194912310021</t></si>", NULL, true,
                "1: A=姓名[s] B=内联文字[s] C=公式结果[s] D=3.25[n] E=-1E-3[n] F=1[b] "
                "G=#N/A[e] H=2024-03-01T00:00:00[d] I=18位身份证号110105194912310021[s]\n");
}

static void test_empty_and_sparse(void **state)
{
    (void)state;
    expect_rows(
        /* empty cells: no value, styled only, empty shared and inline strings */
        "<row r=\"1\"><c r=\"A1\" s=\"1\"/><c r=\"B1\" t=\"s\"><v>1</v></c>"
        "<c r=\"C1\" t=\"inlineStr\"><is><t></t></is></c><c r=\"D1\"><v>4</v></c></row>"
        /* blank rows are skipped, whatever they hold */
        "<row r=\"2\"/><row r=\"3\" spans=\"1:5\" ht=\"20\" customHeight=\"1\">"
        "<c r=\"A3\" s=\"2\"/><c r=\"E3\" t=\"s\"><v>1</v></c></row>"
        /* sparse: only column F */
        "<row r=\"7\"><c r=\"F7\"><v>7</v></c></row>"
        /* rows and cells without r= follow the previous ones */
        "<row><c><v>a</v></c><c/><c><v>c</v></c></row>"
        "<row><c r=\"C9\"><v>x</v></c><c><v>y</v></c></row>",
        "<si><t>甲</t></si><si/>", NULL, false, "1: D=4\n7: F=7\n8: A=a C=c\n9: C=x D=y\n");
    /* no <sheetData> at all, or an empty one: no rows */
    expect_rows("", NULL, NULL, false, "");
    size_t len;
    uint8_t *x = xt_xlsx_ex("<worksheet " XT_NS "/>", NULL, NULL, &len);
    XT_EXPECT_DUMP(x, len, NULL, false, "");
    free(x);
}

static void test_rich_text_and_phonetic(void **state)
{
    (void)state;
    expect_rows("<row r=\"1\"><c r=\"A1\" t=\"s\"><v>0</v></c>"
                "<c r=\"B1\" t=\"inlineStr\"><is><r><rPr><b/></rPr><t>李</t></r>"
                "<r><t xml:space=\"preserve\"> 四</t></r>"
                "<rPh sb=\"0\" eb=\"1\"><t>り</t></rPh></is></c></row>",
                "<si><r><rPr><b/><sz val=\"11\"/></rPr><t>张</t></r>"
                "<r><t xml:space=\"preserve\"> 三</t></r>"
                "<rPh sb=\"0\" eb=\"1\"><t>ちょう</t></rPh><phoneticPr fontId=\"1\"/></si>",
                NULL, false, "1: A=张 三 B=李 四\n");
}

static void test_entities_and_escapes(void **state)
{
    (void)state;
    expect_rows("<row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>"
                "&amp;&lt;&gt;&quot;&apos;&#20013;&#x6587;&#x4e2D;&#x1F600;"
                "</t></is></c>"
                "<c r=\"B1\" t=\"s\"><v>0</v></c><c r=\"C1\" t=\"s\"><v>1</v></c>"
                "<c r=\"D1\" t=\"s\"><v>2</v></c></row>",
                "<si><t>第一行_x000D_\n第二行</t></si><si><t>_x005F_x0041_</t></si>"
                "<si><t>_x00ZZ_ _xD800_ _x0000_ _x4E2D_</t></si>",
                NULL, false,
                "1: A=&<>\"'中文中😀 B=第一行\r\n第二行 C=_x0041_ "
                "D=_x00ZZ_ _xD800_ _x0000_ 中\n");
    /* entities in attributes */
    expect_rows("<row r=\"&#49;\"><c r=\"&#65;1\" t=\"&#115;\"><v>0</v></c></row>",
                "<si><t>x</t></si>", NULL, false, "1: A=x\n");
}

static void test_cdata_comments_doctype(void **state)
{
    (void)state;
    char *sheet = xt_sheet("<!-- a comment with <row> and & inside -->"
                           "<row r=\"1\"><?pi <c r=\"Z1\"><v>1</v></c> ?>"
                           "<c r=\"A1\" t=\"inlineStr\"><is><t><![CDATA[<b>&amp;]]]]>"
                           "<![CDATA[x]]></t></is></c>"
                           "<c r=\"B1\"><v><![CDATA[12]]></v></c></row>");
    /* a DOCTYPE with an internal subset: skipped, its entities never expanded */
    const char *doctype = "<!DOCTYPE worksheet [<!ENTITY boom \"lol]>\">]>";
    xt_buf_t b = {0};
    const char *decl_end = strchr(sheet, '\n') + 1;
    xt_put(&b, sheet, (size_t)(decl_end - sheet));
    xt_puts(&b, doctype);
    xt_puts(&b, decl_end);
    xt_put(&b, "", 1);
    size_t len;
    uint8_t *x = xt_xlsx_ex((char *)b.p, NULL, NULL, &len);
    XT_EXPECT_DUMP(x, len, NULL, false, "1: A=<b>&amp;]]x B=12\n");
    free(x);
    free(b.p);
    free(sheet);
    /* a declared entity is still unknown to the reader */
    expect_fail("<row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>&boom;</t></is></c></row>", NULL,
                NULL, ZG_ERR_INVALID, "xlsx_xml");
}

static void test_namespace_prefixes_and_whitespace(void **state)
{
    (void)state;
    const char *sheet = "<?xml version=\"1.0\"?>\r\n<x:worksheet "
                        "xmlns:x=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">\r\n"
                        "  <x:sheetData>\r\n    <x:row r=\"2\" >\r\n"
                        "      <x:c  r = \"B2\"\n t='s' ><x:v> 0 </x:v></x:c>\n"
                        "      <x:c r=\"C2\" t=\"inlineStr\"><x:is><x:t>前 后 </x:t></x:is></x:c>\n"
                        "    </x:row >\n  </x:sheetData>\n</x:worksheet >";
    const char *sst =
        "<x:sst xmlns:x=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">"
        "<x:si><x:t>前缀</x:t></x:si></x:sst>";
    size_t len;
    uint8_t *x = xt_xlsx_ex(sheet, sst, NULL, &len);
    XT_EXPECT_DUMP(x, len, NULL, false, "2: B=前缀 C=前 后 \n");
    free(x);
}

/* Broken XML: an error with the XML message, never a crash. */
static void test_garbage_xml(void **state)
{
    (void)state;
    static const char *const docs[] = {
        "<worksheet><sheetData><row r=\"1\"><c r=\"A1\"><v>1</v></row></sheetData></worksheet>",
        "<worksheet><sheetData><row r=\"1\"><c r=\"A1\"><v>1",
        "<worksheet><sheetData><row r=\"1\"><c r=\"A1\"><v>1</v></c></row>",
        "<worksheet><sheetData></row></sheetData></worksheet>",
        "<<<>>>",
        "<worksheet><sheetData><row r=\"1\" <c/></row></sheetData></worksheet>",
        "<worksheet><sheetData><row r=1></row></sheetData></worksheet>",
        "<worksheet><sheetData><row r></row></sheetData></worksheet>",
        "<worksheet><sheetData><row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>&foo;</t>"
        "</is></c></row></sheetData></worksheet>",
        "<worksheet><sheetData><row r=\"1\"><c r=\"A1\"><v>&#0;</v></c></row></sheetData>"
        "</worksheet>",
        "<worksheet><sheetData><row r=\"1\"><c r=\"A1\"><v>&#xD800;</v></c></row></sheetData>"
        "</worksheet>",
        "<worksheet><sheetData><row r=\"1\"><c r=\"A1\"><v>&#x110000;</v></c></row>"
        "</sheetData></worksheet>",
        "<worksheet><sheetData><row r=\"1\"><c r=\"A1\"><v>&#;</v></c></row></sheetData>"
        "</worksheet>",
        "<worksheet><sheetData><row r=\"1\"><c r=\"A1\"><v>&amp</v></c></row></sheetData>"
        "</worksheet>",
        "<worksheet><sheetData><row r=\"1\"><c r=\"A1\" t=\"<\"><v>1</v></c></row>"
        "</sheetData></worksheet>",
        "<worksheet><!-- unterminated",
        "<worksheet><![CDATA[ unterminated",
        "< worksheet/>",
        "<worksheet><sheetData><row r=\"1\"><row r=\"2\"/></row></sheetData></worksheet>",
        "<worksheet><sheetData><c r=\"A1\"><v>1</v></c></sheetData></worksheet>",
        "<worksheet><sheetData><row r=\"1\"><c r=\"A1\"><c r=\"B1\"/></c></row></sheetData>"
        "</worksheet>",
        "<worksheet><sheetData><row r=\"0\"/></sheetData></worksheet>",
        "<worksheet><sheetData><row r=\"-1\"/></sheetData></worksheet>",
        "<worksheet><sheetData><row r=\"12345678\"/></sheetData></worksheet>",
        "<worksheet><!ELEMENT",
        "<worksheet attr=\"unterminated></worksheet>",
        "<worksheet a=\"1\" a2></worksheet>",
        "<worksheet/ >",
    };
    for (size_t i = 0; i < sizeof docs / sizeof docs[0]; i++) {
        size_t len;
        uint8_t *x = xt_xlsx_ex(docs[i], NULL, NULL, &len);
        int rc;
        zg_error_t err;
        char *got = xt_dump_lim(x, len, NULL, false, &rc, &err);
        if (got)
            fail_msg("document %zu read: %s", i, got);
        if (rc != ZG_ERR_INVALID)
            fail_msg("document %zu: %d %s", i, rc, err.code);
        free(x);
    }
    /* NUL bytes in text, and binary garbage as the worksheet */
    xt_zip_t z;
    memset(&z, 0, sizeof z);
    static const char nul[] = "<worksheet><sheetData><row r=\"1\"><c r=\"A1\" t=\"inlineStr\">"
                              "<is><t>a\0b</t></is></c></row></sheetData></worksheet>";
    xt_zip_add(&z, "xl/worksheets/sheet1.xml", nul, sizeof nul - 1, NULL);
    size_t len;
    uint8_t *x = xt_zip_finish(&z, &len);
    XT_EXPECT_FAIL(x, len, NULL, ZG_ERR_INVALID, "xlsx_xml", NULL);
    free(x);
    uint8_t junk[4096];
    uint32_t seed = 12345;
    for (int round = 0; round < 50; round++) {
        for (size_t i = 0; i < sizeof junk; i++) {
            seed = seed * 1103515245u + 12345u;
            junk[i] = (uint8_t)(seed >> 16);
            if (junk[i] % 7 == 0)
                junk[i] = "<>/=\"&;"[junk[i] % 7];
        }
        memset(&z, 0, sizeof z);
        xt_zip_add(&z, "xl/worksheets/sheet1.xml", junk, sizeof junk, NULL);
        x = xt_zip_finish(&z, &len);
        int rc;
        zg_error_t err;
        char *got = xt_dump_lim(x, len, NULL, false, &rc, &err);
        free(got); /* no rows come out of noise, but an error is not required either */
        free(x);
    }
}

/* The nesting bound: 256 open elements are fine, 257 are refused. */
static void test_nesting_depth(void **state)
{
    (void)state;
    for (int depth = 255; depth <= 256; depth++) {
        xt_buf_t b = {0};
        xt_puts(&b, "<worksheet>"); /* depth 1 */
        for (int i = 0; i < depth; i++)
            xt_puts(&b, "<a>");
        for (int i = 0; i < depth; i++)
            xt_puts(&b, "</a>");
        xt_puts(&b, "<sheetData><row r=\"1\"><c r=\"A1\"><v>1</v></c></row></sheetData>"
                    "</worksheet>");
        xt_put(&b, "", 1);
        size_t len;
        uint8_t *x = xt_xlsx_ex((char *)b.p, NULL, NULL, &len);
        if (depth + 1 <= 256) {
            XT_EXPECT_DUMP(x, len, NULL, false, "1: A=1\n");
        } else {
            XT_EXPECT_FAIL(x, len, NULL, ZG_ERR_INVALID, "xlsx_xml", NULL);
        }
        free(x);
        free(b.p);
    }
    /* 100,000 levels: refused early, no recursion anywhere */
    xt_buf_t b = {0};
    for (int i = 0; i < 100000; i++)
        xt_puts(&b, "<a>");
    xt_put(&b, "", 1);
    size_t len;
    uint8_t *x = xt_xlsx_ex((char *)b.p, NULL, NULL, &len);
    XT_EXPECT_FAIL(x, len, NULL, ZG_ERR_INVALID, "xlsx_xml", NULL);
    free(x);
    free(b.p);
}

/* Names and attribute values near the tokenizer's buffers. */
static void test_long_names_and_attributes(void **state)
{
    (void)state;
    /* a 256-byte element name is fine, 257 is refused */
    for (int n = 256; n <= 257; n++) {
        xt_buf_t b = {0};
        char *name = malloc((size_t)n + 1);
        memset(name, 'n', (size_t)n);
        name[n] = '\0';
        xt_printf(&b, "<worksheet><%s/><sheetData/></worksheet>", name);
        xt_put(&b, "", 1);
        size_t len;
        uint8_t *x = xt_xlsx_ex((char *)b.p, NULL, NULL, &len);
        if (n == 256)
            XT_EXPECT_DUMP(x, len, NULL, false, "");
        else
            XT_EXPECT_FAIL(x, len, NULL, ZG_ERR_INVALID, "xlsx_xml", NULL);
        free(x);
        free(b.p);
        free(name);
    }
    /* a huge attribute value (a long sqref) and many attributes are tolerated */
    xt_buf_t b = {0};
    xt_puts(&b, "<worksheet><sheetViews><sheetView><selection sqref=\"");
    for (int i = 0; i < 20000; i++)
        xt_puts(&b, "A1 ");
    xt_puts(&b, "\"/></sheetView></sheetViews><sheetData><row r=\"1\"");
    for (int i = 0; i < 40; i++)
        xt_printf(&b, " a%d=\"%d\"", i, i);
    xt_puts(&b, "><c r=\"A1\"><v>1</v></c></row></sheetData></worksheet>");
    xt_put(&b, "", 1);
    size_t len;
    uint8_t *x = xt_xlsx_ex((char *)b.p, NULL, NULL, &len);
    XT_EXPECT_DUMP(x, len, NULL, false, "1: A=1\n");
    free(x);
    free(b.p);
}

static void test_invalid_utf8(void **state)
{
    (void)state;
    const char *msg = expect_fail("<row r=\"2\"><c r=\"C2\" t=\"inlineStr\"><is><t>a\xC3\x28</t>"
                                  "</is></c></row>",
                                  NULL, NULL, ZG_ERR_INVALID, "xlsx_bad_text");
    assert_string_equal(msg, "第 2 行 C 列：单元格内容不是有效的 UTF-8 文字");
    /* a bad shared string fails only the cells that use it */
    expect_rows("<row r=\"1\"><c r=\"A1\" t=\"s\"><v>1</v></c></row>",
                "<si><t>\xFF\xFE</t></si><si><t>好</t></si>", NULL, false, "1: A=好\n");
    expect_fail("<row r=\"1\"><c r=\"A1\" t=\"s\"><v>0</v></c></row>", "<si><t>\xFF\xFE</t></si>",
                NULL, ZG_ERR_INVALID, "xlsx_bad_text");
}

/* ---- limits -----------------------------------------------------------------------------------
 */

/* A row with `n` numeric cells A.., with or without r= references. */
static char *wide_row(uint32_t n, bool refs)
{
    xt_buf_t b = {0};
    xt_puts(&b, "<row r=\"1\">");
    for (uint32_t c = 0; c < n; c++) {
        char col[4];
        zg_xlsx_col_name(c, col);
        if (refs)
            xt_printf(&b, "<c r=\"%s1\"><v>%u</v></c>", col, c);
        else
            xt_printf(&b, "<c><v>%u</v></c>", c);
    }
    xt_puts(&b, "</row>");
    xt_put(&b, "", 1);
    return (char *)b.p;
}

static void test_column_limit(void **state)
{
    (void)state;
    /* 256 columns (A..IV) are read, 257 (IW) are refused: both with and without references */
    for (int refs = 0; refs <= 1; refs++) {
        char *ok = wide_row(256, refs);
        size_t len;
        uint8_t *x = xt_xlsx(ok, NULL, &len);
        zg_xlsx_reader_t *rd;
        zg_error_t err;
        assert_int_equal(zg_xlsx_reader_open_mem(x, len, NULL, &rd, &err), ZG_OK);
        zg_xlsx_row_t *row;
        assert_int_equal(zg_xlsx_next_row(rd, &row, &err), 1);
        assert_int_equal(row->ncells, 256);
        assert_string_equal(row->cells[255], "255");
        assert_int_equal(zg_xlsx_next_row(rd, &row, &err), 0);
        zg_xlsx_reader_free(rd);
        free(x);
        free(ok);

        char *bad = wide_row(257, refs);
        const char *msg = expect_fail(bad, NULL, NULL, ZG_ERR_TOO_LARGE, "xlsx_too_many_columns");
        assert_string_equal(msg, "表格列数过多（超过 256 列）：第 1 行 IW 列有内容");
        free(bad);
    }
    /* a lower configured limit */
    zg_xlsx_limits_t lim = {.max_cols = 3};
    expect_rows("<row r=\"1\"><c r=\"C1\"><v>1</v></c></row>", NULL, &lim, false, "1: C=1\n");
    expect_fail("<row r=\"1\"><c r=\"D1\"><v>1</v></c></row>", NULL, &lim, ZG_ERR_TOO_LARGE,
                "xlsx_too_many_columns");
    /* formatted but empty cells past the limit are no content and are ignored */
    expect_rows("<row r=\"1\"><c r=\"A1\"><v>1</v></c><c r=\"Z1\" s=\"4\"/>"
                "<c r=\"XFD1\" s=\"4\"/></row>",
                NULL, &lim, false, "1: A=1\n");
    /* Excel's own last column with the limit raised to it, and one past it */
    lim.max_cols = 16384;
    expect_rows("<row r=\"1\"><c r=\"XFD1\"><v>x</v></c></row>", NULL, &lim, false, "1: XFD=x\n");
    expect_fail("<row r=\"1\"><c r=\"XFE1\"><v>x</v></c></row>", NULL, &lim, ZG_ERR_TOO_LARGE,
                "xlsx_too_many_columns");
}

/* "A file with 10^6 columns gets a clear error, not a crash or a memory blow-up." */
static void test_million_columns(void **state)
{
    (void)state;
    /* column 1,000,000 is BDWGN */
    const char *msg = expect_fail("<row r=\"1\"><c r=\"A1\"><v>1</v></c>"
                                  "<c r=\"BDWGN1\"><v>2</v></c></row>",
                                  NULL, NULL, ZG_ERR_TOO_LARGE, "xlsx_too_many_columns");
    assert_non_null(strstr(msg, "表格列数过多（超过 256 列）"));
    /* an AAAA…-style reference of any length, even empty cells */
    expect_fail("<row r=\"1\"><c r=\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAA1\"/></row>", NULL, NULL,
                ZG_ERR_TOO_LARGE, "xlsx_too_many_columns");
    /* a reference too long for the tag buffer */
    xt_buf_t b = {0};
    xt_puts(&b, "<row r=\"1\"><c r=\"");
    for (int i = 0; i < 100000; i++)
        xt_puts(&b, "A");
    xt_puts(&b, "1\"><v>1</v></c></row>");
    xt_put(&b, "", 1);
    expect_fail((char *)b.p, NULL, NULL, ZG_ERR_INVALID, "xlsx_bad_ref");
    free(b.p);
    /* 10^6 cells without references: refused at the first value past the limit */
    char *row = wide_row(1000000, false);
    size_t len;
    uint8_t *x = xt_xlsx(row, NULL, &len);
    free(row);
    XT_EXPECT_FAIL(x, len, NULL, ZG_ERR_TOO_LARGE, "xlsx_too_many_columns", NULL);
    free(x);
    /* 10^6 empty cells without references: refused past Excel's 16,384 columns */
    b = (xt_buf_t){0};
    xt_puts(&b, "<row r=\"1\">");
    for (int i = 0; i < 1000000; i++)
        xt_puts(&b, "<c/>");
    xt_puts(&b, "</row>");
    xt_put(&b, "", 1);
    x = xt_xlsx((char *)b.p, NULL, &len);
    XT_EXPECT_FAIL(x, len, NULL, ZG_ERR_TOO_LARGE, "xlsx_too_many_columns", NULL);
    free(x);
    free(b.p);
}

static void test_bad_references(void **state)
{
    (void)state;
    expect_fail("<row r=\"1\"><c r=\"1A\"><v>1</v></c></row>", NULL, NULL, ZG_ERR_INVALID,
                "xlsx_bad_ref");
    expect_fail("<row r=\"1\"><c r=\"A1B\"><v>1</v></c></row>", NULL, NULL, ZG_ERR_INVALID,
                "xlsx_bad_ref");
    const char *msg = expect_fail("<row r=\"1\"><c r=\"A2\"><v>1</v></c></row>", NULL, NULL,
                                  ZG_ERR_INVALID, "xlsx_bad_ref");
    assert_string_equal(msg, "第 1 行：单元格位置“A2”无效，文件可能已损坏");
    /* columns out of order or repeated */
    msg = expect_fail("<row r=\"1\"><c r=\"B1\"><v>1</v></c><c r=\"A1\"><v>1</v></c></row>", NULL,
                      NULL, ZG_ERR_INVALID, "xlsx_cell_order");
    assert_string_equal(msg, "第 1 行：A 列的单元格重复或顺序错误，文件可能已损坏");
    expect_fail("<row r=\"1\"><c r=\"B1\"><v>1</v></c><c r=\"B1\"><v>1</v></c></row>", NULL, NULL,
                ZG_ERR_INVALID, "xlsx_cell_order");
    /* lowercase column letters and no row digits are accepted */
    expect_rows("<row r=\"4\"><c r=\"b\"><v>1</v></c><c r=\"c4\"><v>2</v></c></row>", NULL, NULL,
                false, "4: B=1 C=2\n");
}

static void test_row_limits(void **state)
{
    (void)state;
    zg_xlsx_limits_t lim = {.max_rows = 3};
    expect_rows("<row r=\"3\"><c r=\"A3\"><v>1</v></c></row>", NULL, &lim, false, "3: A=1\n");
    const char *msg = expect_fail("<row r=\"4\"><c r=\"A4\"><v>1</v></c></row>", NULL, &lim,
                                  ZG_ERR_TOO_LARGE, "xlsx_too_many_rows");
    assert_string_equal(msg, "表格行数过多（超过 3 行）");
    /* formatted but empty rows past the limit are no content and are ignored */
    expect_rows("<row r=\"2\"><c><v>1</v></c></row><row r=\"4\" s=\"1\" customFormat=\"1\">"
                "<c r=\"A4\" s=\"1\"/></row><row r=\"900000\"/>",
                NULL, &lim, false, "2: A=1\n");
    /* Excel's last row; one past it is refused even with the limit raised beyond (clamped) */
    lim.max_rows = 5000000;
    expect_rows("<row r=\"1048576\"><c r=\"A1048576\"><v>1</v></c></row>", NULL, &lim, false,
                "1048576: A=1\n");
    expect_fail("<row r=\"1048577\"><c r=\"A1048577\"><v>1</v></c></row>", NULL, &lim,
                ZG_ERR_TOO_LARGE, "xlsx_too_many_rows");
    /* rows must go forward */
    msg = expect_fail("<row r=\"2\"><c><v>1</v></c></row><row r=\"2\"><c><v>1</v></c></row>", NULL,
                      NULL, ZG_ERR_INVALID, "xlsx_row_order");
    assert_string_equal(msg, "第 2 行：行号顺序错误，文件可能已损坏");
    expect_fail("<row r=\"5\"/><row r=\"3\"/>", NULL, NULL, ZG_ERR_INVALID, "xlsx_row_order");
}

/* Cell text of 32,767 characters is read; 32,768 is refused — inline and shared. */
static void test_cell_length(void **state)
{
    (void)state;
    for (int shared = 0; shared <= 1; shared++) {
        for (size_t n = 32767; n <= 32768; n++) {
            xt_buf_t t = {0};
            for (size_t i = 0; i < n; i++)
                xt_puts(&t, i % 2 ? "党" : "a");
            xt_put(&t, "", 1);
            xt_buf_t rows = {0}, sst = {0};
            if (shared) {
                xt_puts(&rows, "<row r=\"1\"><c r=\"B1\" t=\"s\"><v>0</v></c></row>");
                xt_printf(&sst, "<si><t>%s</t></si>", (char *)t.p);
            } else {
                xt_printf(&rows,
                          "<row r=\"1\"><c r=\"B1\" t=\"inlineStr\"><is><t>%s</t></is></c></row>",
                          (char *)t.p);
            }
            xt_put(&rows, "", 1);
            xt_put(&sst, "", 1);
            size_t len;
            uint8_t *x = xt_xlsx((char *)rows.p, shared ? (char *)sst.p : NULL, &len);
            if (n == 32767) {
                zg_xlsx_reader_t *rd;
                zg_error_t err;
                assert_int_equal(zg_xlsx_reader_open_mem(x, len, NULL, &rd, &err), ZG_OK);
                zg_xlsx_row_t *row;
                assert_int_equal(zg_xlsx_next_row(rd, &row, &err), 1);
                assert_string_equal(row->cells[1], (char *)t.p);
                assert_int_equal(zg_xlsx_next_row(rd, &row, &err), 0);
                zg_xlsx_reader_free(rd);
            } else {
                char msg[384];
                XT_EXPECT_FAIL(x, len, NULL, ZG_ERR_TOO_LARGE, "xlsx_cell_too_long", msg);
                assert_string_equal(msg, "第 1 行 B 列：单元格内容过长（超过 32767 个字符）");
            }
            free(x);
            free(t.p);
            free(rows.p);
            free(sst.p);
        }
    }
    /* an over-long shared string that no cell uses does not fail the file */
    xt_buf_t sst = {0};
    xt_puts(&sst, "<si><t>");
    for (int i = 0; i < 40000; i++)
        xt_puts(&sst, "x");
    xt_puts(&sst, "</t></si><si><t>ok</t></si>");
    xt_put(&sst, "", 1);
    expect_rows("<row r=\"1\"><c t=\"s\"><v>1</v></c></row>", (char *)sst.p, NULL, false,
                "1: A=ok\n");
    free(sst.p);
    /* a configured limit counts characters, after escapes are decoded */
    zg_xlsx_limits_t lim = {.max_cell_chars = 5};
    expect_rows("<row r=\"1\"><c t=\"inlineStr\"><is><t>党员_x000D_&amp;x</t></is></c></row>", NULL,
                &lim, false, "1: A=党员\r&x\n");
    expect_fail("<row r=\"1\"><c t=\"inlineStr\"><is><t>党员_x000D_&amp;xy</t></is></c></row>",
                NULL, &lim, ZG_ERR_TOO_LARGE, "xlsx_cell_too_long");
    /* 32,767 characters written as _xHHHH_ escapes (7 bytes each) still fit */
    xt_buf_t rows = {0};
    xt_puts(&rows, "<row r=\"1\"><c t=\"inlineStr\"><is><t>");
    for (int i = 0; i < 32767; i++)
        xt_puts(&rows, "_x4E2D_");
    xt_puts(&rows, "</t></is></c></row>");
    xt_put(&rows, "", 1);
    size_t len;
    uint8_t *x = xt_xlsx((char *)rows.p, NULL, &len);
    int rc;
    zg_error_t err;
    char *got = xt_dump_lim(x, len, NULL, false, &rc, &err);
    assert_non_null(got);
    assert_int_equal(strlen(got), strlen("1: A=\n") + 32767 * 3);
    free(got);
    free(x);
    free(rows.p);
}

static void test_shared_string_index(void **state)
{
    (void)state;
    const char *sst = "<si><t>零</t></si><si><t>一</t></si>";
    expect_rows("<row r=\"1\"><c t=\"s\"><v>1</v></c></row>", sst, NULL, false, "1: A=一\n");
    const char *msg = expect_fail("<row r=\"1\"><c r=\"A1\" t=\"s\"><v>2</v></c></row>", sst, NULL,
                                  ZG_ERR_INVALID, "xlsx_bad_sst_index");
    assert_string_equal(msg, "第 1 行 A 列：共享字符串索引超出范围，文件可能已损坏");
    expect_fail("<row r=\"1\"><c t=\"s\"><v>-1</v></c></row>", sst, NULL, ZG_ERR_INVALID,
                "xlsx_bad_sst_index");
    expect_fail("<row r=\"1\"><c t=\"s\"><v>99999999999999999999</v></c></row>", sst, NULL,
                ZG_ERR_INVALID, "xlsx_bad_sst_index");
    expect_fail("<row r=\"1\"><c t=\"s\"><v>1x</v></c></row>", sst, NULL, ZG_ERR_INVALID,
                "xlsx_bad_sst_index");
    /* no shared string table at all */
    expect_fail("<row r=\"1\"><c t=\"s\"><v>0</v></c></row>", NULL, NULL, ZG_ERR_INVALID,
                "xlsx_bad_sst_index");
    /* the table's size limits */
    zg_xlsx_limits_t lim = {.max_shared_strings = 2};
    expect_rows("<row r=\"1\"><c t=\"s\"><v>0</v></c></row>", sst, &lim, false, "1: A=零\n");
    lim.max_shared_strings = 1;
    expect_fail("<row r=\"1\"><c t=\"s\"><v>0</v></c></row>", sst, &lim, ZG_ERR_TOO_LARGE,
                "xlsx_too_many_strings");
    /* nested <si> is broken XML for our purposes */
    expect_fail("<row r=\"1\"><c t=\"s\"><v>0</v></c></row>", "<si><si/></si>", NULL,
                ZG_ERR_INVALID, "xlsx_xml");
}

/* ---- workbook -------------------------------------------------------------------------------- */

#define WB_HEAD   "<workbook " XT_NS " " XT_RNS ">"
#define RELS_HEAD "<Relationships " XT_REL_NS ">"
#define REL(id, type, target)                                                                      \
    "<Relationship Id=\"" id "\" Type=\"" XT_REL_T type "\" Target=\"" target "\"/>"

static const char SHEET_A[] = "<worksheet><sheetData><row r=\"1\"><c t=\"inlineStr\"><is><t>甲表"
                              "</t></is></c></row></sheetData></worksheet>";
static const char SHEET_B[] = "<worksheet><sheetData><row r=\"1\"><c t=\"inlineStr\"><is><t>乙表"
                              "</t></is></c></row></sheetData></worksheet>";

static void expect_sheet(uint8_t *x, size_t len, const char *want_rows, const char *want_name)
{
    XT_EXPECT_DUMP(x, len, NULL, false, want_rows);
    zg_xlsx_reader_t *rd;
    zg_error_t err;
    assert_int_equal(zg_xlsx_reader_open_mem(x, len, NULL, &rd, &err), ZG_OK);
    assert_string_equal(zg_xlsx_reader_sheet_name(rd), want_name);
    zg_xlsx_reader_free(rd);
    free(x);
}

static void test_sheet_selection(void **state)
{
    (void)state;
    size_t len;
    /* the first sheet in tab order, not in file order or rId order */
    uint8_t *x =
        zip_of(&len, "xl/workbook.xml",
               WB_HEAD "<sheets><sheet name=\"第二\" sheetId=\"2\" r:id=\"rId2\"/>"
                       "<sheet name=\"第一\" sheetId=\"1\" r:id=\"rId1\"/></sheets>"
                       "</workbook>",
               "xl/_rels/workbook.xml.rels",
               RELS_HEAD REL("rId1", "worksheet", "worksheets/sheet1.xml")
                   REL("rId2", "worksheet", "/xl/worksheets/sheet2.xml") "</Relationships>",
               "xl/worksheets/sheet1.xml", SHEET_A, "xl/worksheets/sheet2.xml", SHEET_B, NULL);
    expect_sheet(x, len, "1: A=乙表\n", "第二");

    /* hidden sheets and chartsheets are passed over */
    x = zip_of(&len, "xl/workbook.xml",
               WB_HEAD "<sheets><sheet name=\"图表\" sheetId=\"3\" r:id=\"rId3\"/>"
                       "<sheet name=\"字典\" sheetId=\"1\" state=\"hidden\" r:id=\"rId1\"/>"
                       "<sheet name=\"数据\" sheetId=\"2\" r:id=\"rId2\"/></sheets></workbook>",
               "xl/_rels/workbook.xml.rels",
               RELS_HEAD REL("rId1", "worksheet", "worksheets/sheet1.xml")
                   REL("rId2", "worksheet", "./worksheets/../worksheets/sheet2.xml")
                       REL("rId3", "chartsheet", "chartsheets/sheet1.xml") "</Relationships>",
               "xl/worksheets/sheet1.xml", SHEET_A, "xl/worksheets/sheet2.xml", SHEET_B,
               "xl/chartsheets/sheet1.xml", "<chartsheet/>", NULL);
    expect_sheet(x, len, "1: A=乙表\n", "数据");

    /* every sheet hidden: the first one */
    x = zip_of(&len, "xl/workbook.xml",
               WB_HEAD
               "<sheets><sheet name=\"甲\" sheetId=\"1\" state=\"veryHidden\" r:id=\"rId1\"/>"
               "<sheet name=\"乙\" sheetId=\"2\" state=\"hidden\" r:id=\"rId2\"/></sheets>"
               "</workbook>",
               "xl/_rels/workbook.xml.rels",
               RELS_HEAD REL("rId1", "worksheet", "worksheets/sheet1.xml")
                   REL("rId2", "worksheet", "worksheets/sheet2.xml") "</Relationships>",
               "xl/worksheets/sheet1.xml", SHEET_A, "xl/worksheets/sheet2.xml", SHEET_B, NULL);
    expect_sheet(x, len, "1: A=甲表\n", "甲");

    /* a workbook somewhere else, named by _rels/.rels, with its own relationships part and
     * shared strings under another name */
    x = zip_of(&len, "_rels/.rels",
               RELS_HEAD REL("rId1", "officeDocument", "book/main.xml") "</Relationships>",
               "book/main.xml",
               WB_HEAD "<sheets><sheet name=\"表\" sheetId=\"1\" r:id=\"rId7\"/></sheets>"
                       "</workbook>",
               "book/_rels/main.xml.rels",
               RELS_HEAD REL("rId7", "worksheet", "data/s.xml")
                   REL("rId8", "sharedStrings", "../strings.xml") "</Relationships>",
               "book/data/s.xml",
               "<worksheet><sheetData><row r=\"1\"><c t=\"s\"><v>0</v></c></row></sheetData>"
               "</worksheet>",
               "strings.xml", "<sst><si><t>别处</t></si></sst>", NULL);
    expect_sheet(x, len, "1: A=别处\n", "表");

    /* the workbook names a sheet that is not there */
    x = zip_of(&len, "xl/workbook.xml",
               WB_HEAD "<sheets><sheet name=\"甲\" sheetId=\"1\" r:id=\"rId1\"/></sheets>"
                       "</workbook>",
               "xl/_rels/workbook.xml.rels",
               RELS_HEAD REL("rId1", "worksheet", "worksheets/missing.xml") "</Relationships>",
               NULL);
    char msg[384];
    XT_EXPECT_FAIL(x, len, NULL, ZG_ERR_INVALID, "xlsx_no_sheet", msg);
    assert_string_equal(msg, "文件中没有找到工作表");
    free(x);

    /* relationships that climb above the root are ignored; then sheet1.xml is used */
    x = zip_of(&len, "xl/workbook.xml",
               WB_HEAD "<sheets><sheet name=\"甲\" sheetId=\"1\" r:id=\"rId1\"/></sheets>"
                       "</workbook>",
               "xl/_rels/workbook.xml.rels",
               RELS_HEAD REL("rId1", "worksheet", "../../../etc/passwd") "</Relationships>",
               "xl/worksheets/sheet1.xml", SHEET_A, NULL);
    expect_sheet(x, len, "1: A=甲表\n", "");
}

static void test_date1904(void **state)
{
    (void)state;
    static const struct {
        const char *attr;
        bool want;
    } cases[] = {{"", false},
                 {"<workbookPr date1904=\"1\"/>", true},
                 {"<workbookPr date1904=\"true\"/>", true},
                 {"<workbookPr date1904=\"0\" defaultThemeVersion=\"124226\"/>", false},
                 {"<workbookPr/>", false}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        xt_buf_t wb = {0};
        xt_printf(&wb,
                  WB_HEAD "%s<sheets><sheet name=\"s\" sheetId=\"1\" r:id=\"rId1\"/></sheets>"
                          "</workbook>",
                  cases[i].attr);
        xt_put(&wb, "", 1);
        char *sheet = xt_sheet("<row r=\"1\"><c r=\"A1\" s=\"1\"><v>0</v></c>"
                               "<c r=\"B1\" s=\"1\"><v>43830</v></c></row>");
        size_t len;
        uint8_t *x = xt_xlsx_ex(sheet, NULL, (char *)wb.p, &len);
        zg_xlsx_reader_t *rd;
        zg_error_t err;
        assert_int_equal(zg_xlsx_reader_open_mem(x, len, NULL, &rd, &err), ZG_OK);
        bool d1904 = zg_xlsx_reader_date1904(rd);
        assert_int_equal(d1904, cases[i].want);
        zg_xlsx_row_t *row;
        assert_int_equal(zg_xlsx_next_row(rd, &row, &err), 1);
        zg_date_t d;
        char buf[ZG_DATE_STR_SIZE];
        if (d1904) {
            assert_int_equal(zg_xlsx_parse_date_cell(row->cells[0], d1904, &d), ZG_OK);
            zg_date_format(d, buf);
            assert_string_equal(buf, "1904-01-01");
            assert_int_equal(zg_xlsx_parse_date_cell(row->cells[1], d1904, &d), ZG_OK);
            zg_date_format(d, buf);
            assert_string_equal(buf, "2024-01-01"); /* 1904 serial 43830 */
        } else {
            assert_int_equal(zg_xlsx_parse_date_cell(row->cells[0], d1904, &d), ZG_ERR_INVALID);
            assert_int_equal(zg_xlsx_parse_date_cell(row->cells[1], d1904, &d), ZG_OK);
            zg_date_format(d, buf);
            assert_string_equal(buf, "2019-12-31");
        }
        zg_xlsx_reader_free(rd);
        free(x);
        free(sheet);
        free(wb.p);
    }
}

/* ---- reader API ------------------------------------------------------------------------------ */

static void test_open_file_and_progress(void **state)
{
    (void)state;
    size_t len;
    uint8_t *x =
        xt_xlsx("<row r=\"1\"><c><v>1</v></c></row><row r=\"2\"><c><v>2</v></c></row>", NULL, &len);
    char path[512];
    xt_tmp_path(path, sizeof path);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(x, 1, len, f), len);
    fclose(f);

    zg_xlsx_reader_t *rd;
    zg_error_t err;
    assert_int_equal(zg_xlsx_reader_open_file(path, NULL, &rd, &err), ZG_OK);
    uint64_t done, total;
    zg_xlsx_reader_progress(rd, &done, &total);
    assert_true(total > 0 && done <= total);
    zg_xlsx_row_t *row;
    assert_int_equal(zg_xlsx_next_row(rd, &row, &err), 1);
    assert_int_equal(row->num, 1);
    assert_int_equal(zg_xlsx_next_row(rd, &row, &err), 1);
    assert_int_equal(row->num, 2);
    assert_string_equal(row->cells[0], "2");
    assert_int_equal(zg_xlsx_next_row(rd, &row, &err), 0);
    assert_null(row);
    assert_int_equal(zg_xlsx_next_row(rd, &row, NULL), 0); /* stays at the end */
    zg_xlsx_reader_progress(rd, &done, &total);
    assert_int_equal(done, total);
    zg_xlsx_reader_free(rd);

    /* the file size limit is checked before mapping */
    zg_xlsx_limits_t lim = {.max_file_bytes = len - 1};
    assert_int_equal(zg_xlsx_reader_open_file(path, &lim, &rd, &err), ZG_ERR_TOO_LARGE);
    assert_null(rd);
    /* an empty file */
    f = fopen(path, "wb");
    fclose(f);
    assert_int_equal(zg_xlsx_reader_open_file(path, NULL, &rd, &err), ZG_ERR_INVALID);
    unlink(path);
    /* no such file, a directory */
    assert_int_equal(zg_xlsx_reader_open_file(path, NULL, &rd, &err), ZG_ERR_IO);
    assert_string_equal(err.message, "无法读取文件");
    assert_int_equal(zg_xlsx_reader_open_file("/", NULL, &rd, &err), ZG_ERR_IO);
    /* a NULL error record is allowed */
    assert_int_equal(zg_xlsx_reader_open_mem("x", 1, NULL, &rd, NULL), ZG_ERR_INVALID);
    zg_xlsx_reader_free(NULL);
    free(x);
}

static void test_col_name(void **state)
{
    (void)state;
    static const struct {
        uint32_t col;
        const char *name;
    } cases[] = {{0, "A"},     {25, "Z"},     {26, "AA"},       {51, "AZ"},   {52, "BA"},
                 {255, "IV"},  {256, "IW"},   {701, "ZZ"},      {702, "AAA"}, {16383, "XFD"},
                 {16384, "?"}, {999999, "?"}, {UINT32_MAX, "?"}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char buf[4];
        zg_xlsx_col_name(cases[i].col, buf);
        assert_string_equal(buf, cases[i].name);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cell_types),
        cmocka_unit_test(test_empty_and_sparse),
        cmocka_unit_test(test_rich_text_and_phonetic),
        cmocka_unit_test(test_entities_and_escapes),
        cmocka_unit_test(test_cdata_comments_doctype),
        cmocka_unit_test(test_namespace_prefixes_and_whitespace),
        cmocka_unit_test(test_garbage_xml),
        cmocka_unit_test(test_nesting_depth),
        cmocka_unit_test(test_long_names_and_attributes),
        cmocka_unit_test(test_invalid_utf8),
        cmocka_unit_test(test_column_limit),
        cmocka_unit_test(test_million_columns),
        cmocka_unit_test(test_bad_references),
        cmocka_unit_test(test_row_limits),
        cmocka_unit_test(test_cell_length),
        cmocka_unit_test(test_shared_string_index),
        cmocka_unit_test(test_sheet_selection),
        cmocka_unit_test(test_date1904),
        cmocka_unit_test(test_open_file_and_progress),
        cmocka_unit_test(test_col_name),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
