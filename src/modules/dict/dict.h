/* dict.h — dictionaries: the national standard code tables (GB/T 2261.1 gender, GB 3304
 * ethnicity, GB/T 4658 education, GB/T 4762 political status, GB/T 2260 regions, ZB62 org
 * categories, …) stored as code + label, so data exchanges with government systems without
 * translation. Seeded by migration 0002 from shared/reference/CODES.md. */
#ifndef ZG_MODULES_DICT_H
#define ZG_MODULES_DICT_H

#include <stdbool.h>
#include <stddef.h>

#include "core/arena.h"
#include "core/status.h"

typedef struct zg_conn zg_conn_t;
typedef struct zg_router zg_router_t;

typedef struct zg_dict_item {
    const char *code;
    const char *label;       /* the standard's name, e.g. "男性", "中国共产党党员" */
    const char *short_label; /* the common short form, e.g. "男", "中共党员" ("" if none) */
    const char *parent_code; /* NULL at the top level */
    const char *standard;    /* e.g. "GB/T 2261.1" */
    int sort;
    bool enabled;
} zg_dict_item_t;

typedef struct zg_dict_summary {
    const char *dict;
    const char *standard;
    int count;
} zg_dict_summary_t;

/* Names of the dictionaries with their standard and item count, in name order. Arrays and
 * strings are allocated in `arena`. */
int zg_dict_list(zg_conn_t *c, zg_arena_t *arena, zg_dict_summary_t **out, size_t *n,
                 zg_error_t *err);

/* The items of one dictionary in display order. ZG_ERR_NOT_FOUND for an unknown dictionary.
 * `only_enabled` hides disabled items (as for drop-downs). */
int zg_dict_items(zg_conn_t *c, zg_arena_t *arena, const char *dict, bool only_enabled,
                  zg_dict_item_t **out, size_t *n, zg_error_t *err);

/* The label of one code, or ZG_ERR_NOT_FOUND. The label is allocated in `arena`. */
int zg_dict_label(zg_conn_t *c, zg_arena_t *arena, const char *dict, const char *code,
                  const char **label, zg_error_t *err);

/* Registers GET /api/v1/dicts and GET /api/v1/dicts/{dict}. */
int zg_dict_routes(zg_router_t *rt);

#endif
