/* xlsx_xml.h — a small pull tokenizer for the XML parts of an .xlsx, for src/xlsx/ only.
 *
 * It is not a general XML parser: it knows elements, attributes, text, the five predefined
 * entities and character references, and skips comments, processing instructions, DOCTYPE
 * (whose entity declarations are never expanded) and, unless text is being captured, CDATA.
 * What it checks: every end tag matches its start tag, nesting is at most
 * ZG_XLSX_XML_MAX_DEPTH deep, names are at most ZG_XLSX_XML_MAX_NAME bytes, character
 * references name a Unicode scalar value other than U+0000, captured text holds no NUL byte.
 * Namespace prefixes are stripped from element and attribute names (x:row → row) and not
 * resolved — OOXML writers use prefixes freely and the local names are unambiguous here.
 *
 * Memory is fixed at init: a tag buffer of ZG_XLSX_XML_TAGBUF bytes (an attribute value that
 * does not fit is marked truncated, not stored) and a text buffer that grows to `text_max`
 * bytes (past that, `text_over` is set and the rest is dropped). The depth stack is inline. */
#ifndef ZG_XLSX_XML_H
#define ZG_XLSX_XML_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/status.h"
#include "xlsx/xlsx_zip.h"

#define ZG_XLSX_XML_MAX_DEPTH 256
#define ZG_XLSX_XML_MAX_NAME  256
#define ZG_XLSX_XML_MAX_ATTRS 16
#define ZG_XLSX_XML_TAGBUF    (16 * 1024)

enum { ZG_XML_EOF = 0, ZG_XML_START = 1, ZG_XML_END = 2 };

typedef struct zg_xlsx_attr {
    const char *name; /* local name, NUL-terminated */
    size_t name_len;
    bool prefixed;     /* the name had a namespace prefix (r:id) */
    const char *value; /* decoded, NUL-terminated ("" when truncated) */
    size_t value_len;
    bool truncated; /* the value did not fit in the tag buffer */
} zg_xlsx_attr_t;

typedef struct zg_xlsx_xml {
    zg_xlsx_part_t *part; /* borrowed */
    const uint8_t *p, *end, *chunk;
    uint64_t chunk_base; /* offset of `chunk` in the part, for messages */
    bool eof;
    int status; /* sticky failure */

    /* the current event: START (attributes valid) or END (attributes not valid) */
    const char *name; /* local name, NUL-terminated */
    size_t name_len;
    uint32_t nattrs;
    zg_xlsx_attr_t attrs[ZG_XLSX_XML_MAX_ATTRS];
    char *tagbuf; /* ZG_XLSX_XML_TAGBUF bytes */
    size_t tag_len;
    bool pending_end; /* the last START was self-closing: its END comes next */

    /* text: while `capture` is set, text and CDATA are decoded and appended to `text` */
    bool capture;
    char *text; /* NUL-terminated when text_len > 0 */
    size_t text_len, text_cap, text_max;
    bool text_over;

    uint32_t depth;
    uint32_t stack[ZG_XLSX_XML_MAX_DEPTH]; /* FNV-1a of each open element's qualified name */
} zg_xlsx_xml_t;

/* Starts tokenizing `part`. Returns 0 or ZG_ERR_NOMEM; zg_xlsx_xml_free is needed either way. */
int zg_xlsx_xml_init(zg_xlsx_xml_t *x, zg_xlsx_part_t *part, size_t text_max, zg_error_t *err);

/* The next event: ZG_XML_START, ZG_XML_END, ZG_XML_EOF (only at depth 0; an early end is an
 * error), or a negative status (sticky) with *err filled. */
int zg_xlsx_xml_next(zg_xlsx_xml_t *x, zg_error_t *err);

/* Whether the current event's local name is `name`. */
static inline bool zg_xlsx_xml_is(const zg_xlsx_xml_t *x, const char *name, size_t len)
{
    return x->name_len == len && __builtin_memcmp(x->name, name, len) == 0;
}
#define ZG_XML_IS(x, lit) zg_xlsx_xml_is((x), lit, sizeof lit - 1)

/* The current START's attribute with local name `name` (e.g. "id" for r:id), or NULL. */
const zg_xlsx_attr_t *zg_xlsx_xml_attr(const zg_xlsx_xml_t *x, const char *name);

/* Empties the text buffer and clears text_over. */
void zg_xlsx_xml_text_reset(zg_xlsx_xml_t *x);

/* An XML error with the part name and offset in the detail; sets the sticky status. */
int zg_xlsx_xml_fail(zg_xlsx_xml_t *x, zg_error_t *err, const char *why);

void zg_xlsx_xml_free(zg_xlsx_xml_t *x);

#endif
