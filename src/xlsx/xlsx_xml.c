/* xlsx_xml.c — the pull tokenizer (see xlsx_xml.h).
 *
 * Bytes come from the part stream a chunk at a time; the tokenizer never looks back more than
 * the current byte, so a token may straddle chunks. Text that is not captured is skipped with
 * memchr, which is where most of a worksheet's bytes go; nothing is recursive, so no input can
 * exhaust the C stack. */
#include "xlsx/xlsx_xml.h"

#include <stdlib.h>
#include <string.h>

#define FNV_OFFSET 2166136261u
#define FNV_PRIME  16777619u

int zg_xlsx_xml_init(zg_xlsx_xml_t *x, zg_xlsx_part_t *part, size_t text_max, zg_error_t *err)
{
    memset(x, 0, sizeof *x);
    x->part = part;
    x->text_max = text_max;
    x->name = "";
    x->tagbuf = malloc(ZG_XLSX_XML_TAGBUF);
    if (!x->tagbuf) {
        x->status = ZG_ERR_NOMEM;
        return zg_error_set(err, ZG_ERR_NOMEM, "no_memory", ZG_XLSX_MSG_NOMEM, "xml: tag buffer");
    }
    return ZG_OK;
}

void zg_xlsx_xml_free(zg_xlsx_xml_t *x)
{
    free(x->tagbuf);
    free(x->text);
    x->tagbuf = NULL;
    x->text = NULL;
}

void zg_xlsx_xml_text_reset(zg_xlsx_xml_t *x)
{
    x->text_len = 0;
    x->text_over = false;
    if (x->text)
        x->text[0] = '\0';
}

int zg_xlsx_xml_fail(zg_xlsx_xml_t *x, zg_error_t *err, const char *why)
{
    uint64_t off = x->chunk_base + (x->chunk ? (uint64_t)(x->p - x->chunk) : 0);
    x->status = ZG_ERR_INVALID;
    return zg_error_set(err, ZG_ERR_INVALID, "xlsx_xml", ZG_XLSX_MSG_XML,
                        "xml: %s: %s at byte %llu", x->part->name, why, (unsigned long long)off);
}

const zg_xlsx_attr_t *zg_xlsx_xml_attr(const zg_xlsx_xml_t *x, const char *name)
{
    size_t n = strlen(name);
    for (uint32_t i = 0; i < x->nattrs; i++) {
        const zg_xlsx_attr_t *a = &x->attrs[i];
        if (a->name_len == n && a->name[0] == name[0] && memcmp(a->name, name, n) == 0)
            return a;
    }
    return NULL;
}

/* ---- bytes ----------------------------------------------------------------------------- */

/* Makes the next chunk current: 1, 0 at the end of the part, or a negative status. */
static int refill(zg_xlsx_xml_t *x, zg_error_t *err)
{
    if (x->status < 0)
        return x->status;
    if (x->eof)
        return 0;
    for (;;) {
        const uint8_t *c;
        size_t n;
        int r = zg_xlsx_part_read(x->part, &c, &n, err);
        if (r < 0)
            return x->status = r;
        if (r == 0) {
            x->eof = true;
            return 0;
        }
        if (n) {
            x->chunk_base += (uint64_t)(x->end - x->chunk);
            x->chunk = x->p = c;
            x->end = c + n;
            return 1;
        }
    }
}

#define BYTE_EOF (-1)
#define BYTE_ERR (-2)

static int slow_byte(zg_xlsx_xml_t *x, zg_error_t *err)
{
    int r = refill(x, err);
    if (r < 0)
        return BYTE_ERR;
    if (r == 0)
        return BYTE_EOF;
    return *x->p++;
}

#define NEXT_BYTE(x, err) ((x)->p < (x)->end ? (int)*(x)->p++ : slow_byte((x), (err)))

/* What to return when a byte could not be had inside a construct. */
static int short_read(zg_xlsx_xml_t *x, int c, zg_error_t *err)
{
    if (c == BYTE_ERR)
        return x->status;
    return zg_xlsx_xml_fail(x, err, "document ends inside markup");
}

static bool is_space(int c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* ---- text ------------------------------------------------------------------------------ */

static int text_put(zg_xlsx_xml_t *x, const void *s, size_t n, zg_error_t *err)
{
    if (x->text_over || n == 0)
        return 0;
    if (n > x->text_max - x->text_len) {
        x->text_over = true;
        return 0;
    }
    if (x->text_len + n + 1 > x->text_cap) {
        size_t cap = x->text_cap ? x->text_cap : 256;
        while (cap < x->text_len + n + 1)
            cap *= 2;
        if (cap > x->text_max + 1)
            cap = x->text_max + 1;
        char *t = realloc(x->text, cap);
        if (!t) {
            x->status = ZG_ERR_NOMEM;
            return zg_error_set(err, ZG_ERR_NOMEM, "no_memory", ZG_XLSX_MSG_NOMEM,
                                "xml: text buffer of %zu bytes", cap);
        }
        x->text = t;
        x->text_cap = cap;
    }
    memcpy(x->text + x->text_len, s, n);
    x->text_len += n;
    x->text[x->text_len] = '\0';
    return 0;
}

static size_t utf8_put(uint32_t cp, char out[4])
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xC0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xE0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | (cp >> 18));
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/* After '&': reads the reference up to ';' and writes its UTF-8 bytes to out. Returns their
 * count (1..4) or a negative status. */
static int entity(zg_xlsx_xml_t *x, char out[4], zg_error_t *err)
{
    char name[12];
    size_t n = 0;
    for (;;) {
        int c = NEXT_BYTE(x, err);
        if (c < 0)
            return short_read(x, c, err);
        if (c == ';')
            break;
        if (n == sizeof name - 1)
            return zg_xlsx_xml_fail(x, err, "entity reference too long or unterminated");
        name[n++] = (char)c;
    }
    name[n] = '\0';
    if (name[0] == '#') {
        uint32_t cp = 0;
        size_t i = 1, digits = 0;
        bool hex = n > 1 && name[1] == 'x';
        if (hex)
            i = 2;
        for (; i < n; i++, digits++) {
            int c = (unsigned char)name[i], v;
            if (c >= '0' && c <= '9')
                v = c - '0';
            else if (hex && c >= 'a' && c <= 'f')
                v = c - 'a' + 10;
            else if (hex && c >= 'A' && c <= 'F')
                v = c - 'A' + 10;
            else
                return zg_xlsx_xml_fail(x, err, "bad character reference");
            cp = cp * (hex ? 16u : 10u) + (uint32_t)v;
            if (cp > 0x10FFFF)
                return zg_xlsx_xml_fail(x, err, "character reference out of range");
        }
        if (digits == 0 || cp == 0 || (cp >= 0xD800 && cp <= 0xDFFF))
            return zg_xlsx_xml_fail(x, err, "bad character reference");
        return (int)utf8_put(cp, out);
    }
    static const struct {
        const char *name;
        char c;
    } named[] = {{"amp", '&'}, {"lt", '<'}, {"gt", '>'}, {"quot", '"'}, {"apos", '\''}};
    for (size_t i = 0; i < sizeof named / sizeof named[0]; i++)
        if (strcmp(name, named[i].name) == 0) {
            out[0] = named[i].c;
            return 1;
        }
    return zg_xlsx_xml_fail(x, err, "unknown entity");
}

/* Consumes text up to and including the next '<'. Returns 1 (a '<' was consumed), 0 at the
 * end of the part, or a negative status. */
static int scan_text(zg_xlsx_xml_t *x, zg_error_t *err)
{
    for (;;) {
        if (x->p == x->end) {
            int r = refill(x, err);
            if (r <= 0)
                return r;
        }
        if (!x->capture) {
            if (*x->p == '<') { /* tags back to back: the common case in a worksheet */
                x->p++;
                return 1;
            }
            const uint8_t *lt = memchr(x->p, '<', (size_t)(x->end - x->p));
            if (lt) {
                x->p = lt + 1;
                return 1;
            }
            x->p = x->end;
            continue;
        }
        const uint8_t *s = x->p;
        while (s < x->end && *s != '<' && *s != '&' && *s != '\0')
            s++;
        if (text_put(x, x->p, (size_t)(s - x->p), err))
            return x->status;
        x->p = s;
        if (s == x->end)
            continue;
        int c = *x->p++;
        if (c == '<')
            return 1;
        if (c == '\0')
            return zg_xlsx_xml_fail(x, err, "NUL byte in text");
        char u[4];
        int n = entity(x, u, err);
        if (n < 0)
            return n;
        if (text_put(x, u, (size_t)n, err))
            return x->status;
    }
}

/* Skips to just after `term` ("?>", "-->" or "]]>"); when `keep` is set (CDATA being captured)
 * the bytes before it are appended to the text. `win` holds the bytes read that may still be
 * the start of the terminator. */
static int skip_until(zg_xlsx_xml_t *x, const char *term, size_t tlen, bool keep, zg_error_t *err)
{
    char win[4];
    size_t nw = 0;
    for (;;) {
        int c = NEXT_BYTE(x, err);
        if (c < 0)
            return short_read(x, c, err);
        win[nw++] = (char)c;
        size_t k = 0; /* drop bytes from the front until win is a prefix of term */
        while (k < nw && memcmp(win + k, term, nw - k) != 0)
            k++;
        if (keep && k > 0) {
            if (memchr(win, '\0', k))
                return zg_xlsx_xml_fail(x, err, "NUL byte in CDATA");
            if (text_put(x, win, k, err))
                return x->status;
        }
        memmove(win, win + k, nw - k);
        nw -= k;
        if (nw == tlen)
            return 0;
    }
}

/* <!DOCTYPE …> and other <!…> declarations: skipped up to the '>' outside any [ ] subset. */
static int skip_decl(zg_xlsx_xml_t *x, zg_error_t *err)
{
    uint32_t brackets = 0;
    char quote = 0;
    for (;;) {
        int c = NEXT_BYTE(x, err);
        if (c < 0)
            return short_read(x, c, err);
        if (quote) {
            if (c == quote)
                quote = 0;
        } else if (c == '"' || c == '\'')
            quote = (char)c;
        else if (c == '[')
            brackets++;
        else if (c == ']' && brackets > 0)
            brackets--;
        else if (c == '>' && brackets == 0)
            return 0;
    }
}

/* ---- tags ------------------------------------------------------------------------------ */

/* Byte classes for names and attribute values, so the hot loops test one table entry. */
enum { B_NAME = 0, B_STOP = 1, B_BAD = 2 };
enum { V_PLAIN = 0, V_SPECIAL = 1 };

static const uint8_t NAME_CLASS[256] = {
    [0] = B_BAD,     ['<'] = B_BAD,  ['&'] = B_BAD,   ['"'] = B_BAD,
    ['\''] = B_BAD,  [' '] = B_STOP, ['\t'] = B_STOP, ['\r'] = B_STOP,
    ['\n'] = B_STOP, ['/'] = B_STOP, ['>'] = B_STOP,  ['='] = B_STOP};

/* bytes that end the plain run of an attribute value: quotes, '&', '<', NUL */
static const uint8_t VALUE_CLASS[256] = {
    [0] = V_SPECIAL, ['<'] = V_SPECIAL, ['&'] = V_SPECIAL, ['"'] = V_SPECIAL, ['\''] = V_SPECIAL};

/* A name read by read_name: where it is in the tag buffer, its local part, its hash. */
typedef struct name_ref {
    size_t off, len;
    size_t local; /* offset of the local part within the name (after the last ':') */
    uint32_t hash;
} name_ref_t;

/* Reads a name whose first byte is `c` into the tag buffer, NUL-terminated. On return *stop is
 * the byte after the name. Returns 0 or a negative status. */
static int read_name(zg_xlsx_xml_t *x, int c, name_ref_t *nr, int *stop, zg_error_t *err)
{
    uint32_t h = FNV_OFFSET;
    size_t start = x->tag_len, n = 0, local = 0;
    if (ZG_XLSX_XML_TAGBUF - start < ZG_XLSX_XML_MAX_NAME + 1)
        return zg_xlsx_xml_fail(x, err, "tag too long");
    char *dst = x->tagbuf + start;
    for (;;) {
        if (c < 0)
            return short_read(x, c, err);
        uint8_t cl = NAME_CLASS[c];
        if (cl == B_STOP)
            break;
        if (cl == B_BAD)
            return zg_xlsx_xml_fail(x, err, "bad character in a name");
        /* the rest of the name as far as the current chunk goes */
        for (;;) {
            if (n == ZG_XLSX_XML_MAX_NAME)
                return zg_xlsx_xml_fail(x, err, "name too long");
            dst[n++] = (char)c;
            h = (h ^ (uint32_t)c) * FNV_PRIME;
            if (c == ':')
                local = n;
            if (x->p == x->end || NAME_CLASS[*x->p] != B_NAME)
                break;
            c = *x->p++;
        }
        c = NEXT_BYTE(x, err);
    }
    if (n == 0)
        return zg_xlsx_xml_fail(x, err, "empty name");
    dst[n] = '\0';
    x->tag_len = start + n + 1;
    nr->off = start;
    nr->len = n;
    nr->local = local;
    nr->hash = h;
    *stop = c;
    return 0;
}

/* Local part of a name read by read_name. */
static void local_name(const zg_xlsx_xml_t *x, const name_ref_t *nr, const char **name,
                       size_t *nlen, bool *prefixed)
{
    *prefixed = nr->local > 0;
    *name = x->tagbuf + nr->off + nr->local;
    *nlen = nr->len - nr->local;
}

static int skip_space(zg_xlsx_xml_t *x, int c, zg_error_t *err)
{
    while (is_space(c))
        c = NEXT_BYTE(x, err);
    return c;
}

/* Reads an attribute value after its opening quote into the tag buffer, leaving room there for
 * the names of every attribute that may still be kept (and one that is not), so a long value
 * never makes a later name fail: such a value is marked truncated instead. */
static int read_value(zg_xlsx_xml_t *x, int quote, zg_xlsx_attr_t *a, zg_error_t *err)
{
    size_t start = x->tag_len, n = 0;
    size_t reserve = (size_t)(ZG_XLSX_XML_MAX_ATTRS - x->nattrs) * (ZG_XLSX_XML_MAX_NAME + 1);
    size_t limit = ZG_XLSX_XML_TAGBUF - reserve;
    bool room = a != NULL && start < limit;
    for (;;) {
        /* plain bytes up to the next special one, straight from the chunk */
        const uint8_t *s = x->p;
        while (s < x->end && VALUE_CLASS[*s] == V_PLAIN)
            s++;
        size_t run = (size_t)(s - x->p);
        if (run) {
            if (room && limit - start - n < run + 1)
                room = false;
            if (room) {
                memcpy(x->tagbuf + start + n, x->p, run);
                n += run;
            }
            x->p = s;
        }
        int c = NEXT_BYTE(x, err);
        if (c < 0)
            return short_read(x, c, err);
        if (c == quote)
            break;
        if (c == '<' || c == '\0')
            return zg_xlsx_xml_fail(x, err, "bad character in an attribute value");
        char u[4];
        size_t k = 1;
        u[0] = (char)c;
        if (c == '&') {
            int r = entity(x, u, err);
            if (r < 0)
                return r;
            k = (size_t)r;
        }
        if (room && limit - start - n < k + 1)
            room = false;
        if (room) {
            memcpy(x->tagbuf + start + n, u, k);
            n += k;
        }
    }
    if (!a)
        return 0;
    if (!room) {
        a->value = "";
        a->value_len = 0;
        a->truncated = true;
        return 0;
    }
    x->tagbuf[start + n] = '\0';
    a->value = x->tagbuf + start;
    a->value_len = n;
    x->tag_len = start + n + 1;
    return 0;
}

static int start_tag(zg_xlsx_xml_t *x, int c, zg_error_t *err)
{
    name_ref_t nr;
    x->tag_len = 0;
    x->nattrs = 0;
    int rc = read_name(x, c, &nr, &c, err);
    if (rc)
        return rc;
    bool prefixed;
    local_name(x, &nr, &x->name, &x->name_len, &prefixed);
    for (;;) {
        c = skip_space(x, c, err);
        if (c < 0)
            return short_read(x, c, err);
        if (c == '>') {
            if (x->depth == ZG_XLSX_XML_MAX_DEPTH)
                return zg_xlsx_xml_fail(x, err, "elements nested too deep");
            x->stack[x->depth++] = nr.hash;
            return ZG_XML_START;
        }
        if (c == '/') {
            c = NEXT_BYTE(x, err);
            if (c != '>')
                return c < 0 ? short_read(x, c, err)
                             : zg_xlsx_xml_fail(x, err, "'/' not followed by '>'");
            x->pending_end = true;
            return ZG_XML_START;
        }
        /* an attribute: name = "value" */
        name_ref_t an;
        size_t mark = x->tag_len;
        bool keep = x->nattrs < ZG_XLSX_XML_MAX_ATTRS;
        rc = read_name(x, c, &an, &c, err);
        if (rc)
            return rc;
        c = skip_space(x, c, err);
        if (c != '=')
            return c < 0 ? short_read(x, c, err)
                         : zg_xlsx_xml_fail(x, err, "attribute without a value");
        c = skip_space(x, NEXT_BYTE(x, err), err);
        if (c != '"' && c != '\'')
            return c < 0 ? short_read(x, c, err)
                         : zg_xlsx_xml_fail(x, err, "attribute value not quoted");
        zg_xlsx_attr_t *a = NULL;
        if (keep) {
            a = &x->attrs[x->nattrs];
            memset(a, 0, sizeof *a);
            local_name(x, &an, &a->name, &a->name_len, &a->prefixed);
        } else {
            x->tag_len = mark; /* drop the name: the attribute is not kept */
        }
        rc = read_value(x, c, a, err);
        if (rc)
            return rc;
        if (keep)
            x->nattrs++;
        c = NEXT_BYTE(x, err);
    }
}

static int end_tag(zg_xlsx_xml_t *x, zg_error_t *err)
{
    name_ref_t nr;
    int c = NEXT_BYTE(x, err);
    x->tag_len = 0;
    x->nattrs = 0;
    int rc = read_name(x, c, &nr, &c, err);
    if (rc)
        return rc;
    c = skip_space(x, c, err);
    if (c != '>')
        return c < 0 ? short_read(x, c, err) : zg_xlsx_xml_fail(x, err, "bad end tag");
    if (x->depth == 0)
        return zg_xlsx_xml_fail(x, err, "end tag without a start tag");
    if (x->stack[--x->depth] != nr.hash)
        return zg_xlsx_xml_fail(x, err, "end tag does not match its start tag");
    bool prefixed;
    local_name(x, &nr, &x->name, &x->name_len, &prefixed);
    return ZG_XML_END;
}

int zg_xlsx_xml_next(zg_xlsx_xml_t *x, zg_error_t *err)
{
    if (x->status < 0)
        return zg_error_set(err, x->status, "xlsx_xml", ZG_XLSX_MSG_XML,
                            "xml: %s: read after failure", x->part->name);
    if (x->pending_end) {
        x->pending_end = false;
        x->nattrs = 0;
        return ZG_XML_END;
    }
    for (;;) {
        int r = scan_text(x, err);
        if (r < 0)
            return r;
        if (r == 0) {
            if (x->depth > 0)
                return zg_xlsx_xml_fail(x, err, "document ends inside an element");
            return ZG_XML_EOF;
        }
        int c = NEXT_BYTE(x, err);
        if (c < 0)
            return short_read(x, c, err);
        if (c == '/')
            return end_tag(x, err);
        if (c == '?') {
            if ((r = skip_until(x, "?>", 2, false, err)) < 0)
                return r;
            continue;
        }
        if (c == '!') {
            c = NEXT_BYTE(x, err);
            if (c == '-') {
                c = NEXT_BYTE(x, err);
                if (c != '-')
                    return c < 0 ? short_read(x, c, err) : zg_xlsx_xml_fail(x, err, "bad comment");
                if ((r = skip_until(x, "-->", 3, false, err)) < 0)
                    return r;
                continue;
            }
            if (c == '[') {
                static const char cdata[] = "CDATA[";
                for (size_t i = 0; i < sizeof cdata - 1; i++) {
                    c = NEXT_BYTE(x, err);
                    if (c != cdata[i])
                        return c < 0 ? short_read(x, c, err)
                                     : zg_xlsx_xml_fail(x, err, "bad CDATA section");
                }
                if ((r = skip_until(x, "]]>", 3, x->capture, err)) < 0)
                    return r;
                continue;
            }
            if (c < 0)
                return short_read(x, c, err);
            if ((r = skip_decl(x, err)) < 0)
                return r;
            continue;
        }
        if (c < 0)
            return short_read(x, c, err);
        if (is_space(c) || c == '>' || c == '=')
            return zg_xlsx_xml_fail(x, err, "bad character after '<'");
        return start_tag(x, c, err);
    }
}
