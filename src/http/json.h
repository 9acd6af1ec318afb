/* json.h — reading JSON request bodies strictly, and the allocator that puts jansson's memory
 * in the request arena.
 *
 * Strict means, as jansson's json_unpack with JSON_STRICT: every member of the object must be
 * a declared field (unknown fields are an error, never silently ignored), each of the declared
 * type; and beyond that each string is valid UTF-8, within its declared length in characters,
 * and each number within its range. A failure answers 400 with the uniform error body whose
 * `fields` names every bad field with a Chinese message, and nothing is changed. */
#ifndef ZG_HTTP_JSON_H
#define ZG_HTTP_JSON_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "http/request.h"

typedef enum {
    ZG_F_STRING = 1, /* out: const char ** (arena copy); min/max = characters */
    ZG_F_INT,        /* out: int64_t *; min/max = value range */
    ZG_F_BOOL,       /* out: bool * */
    ZG_F_DATE,       /* "YYYY-MM-DD"; out: int32_t * (days since 1970-01-01); min/max = date range
                        as days (0,0 = any) */
    ZG_F_MONEY,      /* "1234.56" or integer yuan; out: int64_t * in fen; min/max in fen */
    ZG_F_OBJECT,     /* out: json_t ** (borrowed, lives with the request) */
    ZG_F_ARRAY,      /* out: json_t **; min/max = element count */
} zg_ftype;

typedef struct zg_field {
    const char *name;  /* JSON member name */
    const char *label; /* Chinese name for messages, e.g. "开始日期" */
    zg_ftype type;
    bool required;
    int64_t min, max; /* see zg_ftype; max 0 = no upper bound except the body cap */
    void *out;
    bool *present; /* optional: set to whether the member was present (null counts as absent) */
} zg_field_t;

/* Routes jansson's allocations to the calling thread's current request arena (see
 * zg_json_use_arena). Called once at start, before any thread uses jansson. */
void zg_json_install_allocator(void);

/* Makes `a` the calling thread's arena for jansson allocations (NULL → malloc). Memory that
 * jansson frees from an arena is reclaimed only when the arena is. Never keep a json_t past
 * the request that made it. */
void zg_json_use_arena(zg_arena_t *a);

/* Parses the request body as a JSON object. On failure answers 400/415 and returns
 * ZG_ERR_INVALID. The object lives with the request. */
int zg_json_body(zg_req_t *r, json_t **out);

/* Validates `obj` against `fields` (strict: see above) and writes each present field to its
 * `out`; absent optional fields leave `out` untouched. On failure answers 400 listing every
 * bad field and returns ZG_ERR_INVALID. */
int zg_json_fields(zg_req_t *r, json_t *obj, const zg_field_t *fields, int nfields);

/* The parsing step of zg_json_body without a request: valid UTF-8, valid JSON (duplicate keys
 * refused, nesting bounded by jansson), an object at the top. `err` gets the Chinese message. */
int zg_json_parse_object(const char *data, size_t len, json_t **out, zg_error_t *err);

/* zg_json_body + zg_json_fields. */
int zg_json_read(zg_req_t *r, const zg_field_t *fields, int nfields);

/* Checks `obj` against `fields` without a request: fills `errors` (an object, may be NULL)
 * with field → Chinese message and returns the number of bad fields; -1 on allocation
 * failure. Strings are copied with `arena`. Used by zg_json_fields, the CLI and the fuzzers. */
int zg_json_check(zg_arena_t *arena, json_t *obj, const zg_field_t *fields, int nfields,
                  json_t *errors);

#endif
