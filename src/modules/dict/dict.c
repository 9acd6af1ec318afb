/* dict.c — reading dictionaries. Lists are small (the largest, regions, has a few thousand
 * rows), so a list is read whole into the caller's arena. */
#include "modules/dict/dict.h"

#include <string.h>

#include "db/db.h"

#define MAX_ITEMS 20000 /* the biggest standard table (GB/T 2260 counties) is ~3500 */

static int dict_exists(zg_conn_t *c, const char *dict, zg_error_t *err)
{
    int64_t n = 0;
    zg_param_t p[] = {ZG_P_TEXT(dict)};
    int rc = zg_db_query_int(c, "SELECT count(*) FROM dict_item WHERE dict = $1", p, 1, &n, err);
    if (rc)
        return rc;
    if (n == 0)
        return zg_error_set(err, ZG_ERR_NOT_FOUND, "dict_not_found", "字典不存在",
                            "no dictionary '%.64s'", dict);
    return ZG_OK;
}

int zg_dict_list(zg_conn_t *c, zg_arena_t *arena, zg_dict_summary_t **out, size_t *n,
                 zg_error_t *err)
{
    zg_rows_t *rows;
    int rc = zg_db_query(c,
                         "SELECT dict, min(standard), count(*) FROM dict_item GROUP BY dict "
                         "ORDER BY dict",
                         NULL, 0, &rows, err);
    if (rc)
        return rc;
    size_t cap = 64, k = 0;
    zg_dict_summary_t *v = zg_arena_calloc(arena, cap, sizeof *v);
    while (v && (rc = zg_rows_next(rows, err)) == 1) {
        if (k == cap) {
            zg_dict_summary_t *nv = zg_arena_calloc(arena, cap * 2, sizeof *nv);
            if (!nv) {
                v = NULL;
                break;
            }
            memcpy(nv, v, k * sizeof *v);
            v = nv;
            cap *= 2;
        }
        v[k].dict = zg_arena_strdup(arena, zg_rows_text(rows, 0));
        v[k].standard = zg_arena_strdup(arena, zg_rows_text(rows, 1));
        v[k].count = (int)zg_rows_int(rows, 2);
        if (!v[k].dict || !v[k].standard)
            v = NULL;
        else
            k++;
    }
    zg_rows_close(rows);
    if (!v)
        return zg_error_set(err, ZG_ERR_NOMEM, "no_memory", "内存不足", "dict list");
    if (rc < 0)
        return rc;
    *out = v;
    *n = k;
    return ZG_OK;
}

int zg_dict_items(zg_conn_t *c, zg_arena_t *arena, const char *dict, bool only_enabled,
                  zg_dict_item_t **out, size_t *n, zg_error_t *err)
{
    int rc = dict_exists(c, dict, err);
    if (rc)
        return rc;
    int64_t total = 0;
    zg_param_t p[] = {ZG_P_TEXT(dict), ZG_P_INT(only_enabled ? 1 : 0)};
    rc = zg_db_query_int(c,
                         "SELECT count(*) FROM dict_item WHERE dict = $1 AND "
                         "(enabled = 1 OR $2 = 0)",
                         p, 2, &total, err);
    if (rc)
        return rc;
    if (total > MAX_ITEMS)
        total = MAX_ITEMS;
    zg_dict_item_t *v = zg_arena_calloc(arena, (size_t)total + 1, sizeof *v);
    if (!v)
        return zg_error_set(err, ZG_ERR_NOMEM, "no_memory", "内存不足", "dict items");
    zg_rows_t *rows;
    rc = zg_db_query(c,
                     "SELECT code, label, parent_code, standard, sort, enabled, short_label "
                     "FROM dict_item "
                     "WHERE dict = $1 AND (enabled = 1 OR $2 = 0) ORDER BY sort, code",
                     p, 2, &rows, err);
    if (rc)
        return rc;
    size_t k = 0;
    while (k < (size_t)total && (rc = zg_rows_next(rows, err)) == 1) {
        zg_dict_item_t *it = &v[k];
        it->code = zg_arena_strdup(arena, zg_rows_text(rows, 0));
        it->label = zg_arena_strdup(arena, zg_rows_text(rows, 1));
        it->parent_code =
            zg_rows_isnull(rows, 2) ? NULL : zg_arena_strdup(arena, zg_rows_text(rows, 2));
        it->standard = zg_arena_strdup(arena, zg_rows_text(rows, 3));
        it->sort = (int)zg_rows_int(rows, 4);
        it->enabled = zg_rows_int(rows, 5) != 0;
        it->short_label = zg_arena_strdup(arena, zg_rows_text(rows, 6));
        if (!it->code || !it->label || !it->standard || !it->short_label) {
            zg_rows_close(rows);
            return zg_error_set(err, ZG_ERR_NOMEM, "no_memory", "内存不足", "dict items");
        }
        k++;
    }
    zg_rows_close(rows);
    if (rc < 0)
        return rc;
    *out = v;
    *n = k;
    return ZG_OK;
}

int zg_dict_label(zg_conn_t *c, zg_arena_t *arena, const char *dict, const char *code,
                  const char **label, zg_error_t *err)
{
    zg_rows_t *rows;
    zg_param_t p[] = {ZG_P_TEXT(dict), ZG_P_TEXT(code)};
    int rc = zg_db_query(c, "SELECT label FROM dict_item WHERE dict = $1 AND code = $2", p, 2,
                         &rows, err);
    if (rc)
        return rc;
    rc = zg_rows_next(rows, err);
    if (rc == 1) {
        *label = zg_arena_strdup(arena, zg_rows_text(rows, 0));
        rc = *label ? ZG_OK : ZG_ERR_NOMEM;
    } else if (rc == 0) {
        rc = zg_error_set(err, ZG_ERR_NOT_FOUND, "dict_code_not_found", "代码不在字典中",
                          "code '%.32s' not in '%.64s'", code, dict);
    }
    zg_rows_close(rows);
    return rc;
}
