/* params.h — reading path and query parameters in handlers, one way for every module: each
 * reader checks the value (digits, range, UTF-8 and length, date format, allowed values) and,
 * when it is bad, answers 400 with the uniform error body naming the parameter in `fields`
 * and returns non-zero — so a handler writes `if (zg_query_int(...)) return ZG_OK;`. */
#ifndef ZG_HTTP_PARAMS_H
#define ZG_HTTP_PARAMS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/date.h"
#include "http/request.h"

/* The caller's home org (the root of its data scope); 0 without a caller. */
int64_t zg_req_home(const zg_req_t *r);

/* The path parameter `name` as a positive id, or 0 when it is not one (≤ 19 digits). */
int64_t zg_path_id(zg_req_t *r, const char *name);

/* Answers 400 {"code":"invalid_fields", "fields": {name: message}}. Returns 0. */
int zg_reply_bad_param(zg_req_t *r, const char *name, const char *message);

/* Whether the request has no body (optional bodies). */
bool zg_body_empty(const zg_req_t *r);

/* An integer in [lo, hi]; `def` when absent. */
int zg_query_int(zg_req_t *r, const char *name, int64_t lo, int64_t hi, int64_t def, int64_t *out);

/* ?page (1..1,000,000, default 1) and ?page_size (1..max, default def). */
int zg_query_page(zg_req_t *r, int64_t max, int64_t def, int64_t *page, int64_t *size);

/* Text of at most `max` characters (valid UTF-8); NULL when absent. */
int zg_query_text(zg_req_t *r, const char *name, size_t max, const char **out);

/* One of `allowed` (NULL-terminated); NULL when absent; `message` is the Chinese error. */
int zg_query_choice(zg_req_t *r, const char *name, const char *const *allowed, const char *message,
                    const char **out);

/* A date YYYY-MM-DD within [lo, hi] (0, 0 = any valid date); `def` when absent. */
int zg_query_date(zg_req_t *r, const char *name, zg_date_t lo, zg_date_t hi, zg_date_t def,
                  zg_date_t *out);

#endif
