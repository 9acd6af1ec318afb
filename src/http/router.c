/* router.c — routes are kept pre-split into segments; a match scans the routes with the same
 * number of segments and keeps the most specific (literal segments weigh more the earlier
 * they are). A few hundred routes cost a few microseconds, far below a database call, and
 * the code stays obvious. */
#include "http/router.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define MAX_SEGS 64
#define MAX_PATH 4096

typedef struct {
    const char *text; /* literal text or parameter name (not NUL-terminated) */
    size_t len;
    bool param;
} seg_t;

typedef struct {
    zg_route_t route;
    int nsegs;
    seg_t segs[MAX_SEGS];
} entry_t;

struct zg_router {
    entry_t *entries;
    size_t n, cap;
};

zg_router_t *zg_router_new(void)
{
    return calloc(1, sizeof(zg_router_t));
}

void zg_router_free(zg_router_t *rt)
{
    if (!rt)
        return;
    free(rt->entries);
    free(rt);
}

/* Splits an absolute path into segments; -1 if it is not absolute or has too many. */
static int split(const char *path, seg_t *segs)
{
    if (path[0] != '/')
        return -1;
    int n = 0;
    const char *p = path + 1;
    for (;;) {
        const char *e = strchr(p, '/');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        if (n == MAX_SEGS)
            return -1;
        segs[n].text = p;
        segs[n].len = len;
        segs[n].param = false;
        n++;
        if (!e)
            break;
        p = e + 1;
    }
    return n;
}

int zg_router_add(zg_router_t *rt, const zg_route_t *route)
{
    entry_t e;
    memset(&e, 0, sizeof e);
    e.route = *route;
    if (strlen(route->pattern) > MAX_PATH)
        return ZG_ERR_INVALID;
    e.nsegs = split(route->pattern, e.segs);
    if (e.nsegs < 0)
        return ZG_ERR_INVALID;
    int nparams = 0;
    for (int i = 0; i < e.nsegs; i++) {
        seg_t *s = &e.segs[i];
        if (s->len >= 2 && s->text[0] == '{' && s->text[s->len - 1] == '}') {
            s->param = true;
            s->text++;
            s->len -= 2;
            if (s->len == 0 || ++nparams > ZG_MAX_PATH_PARAMS)
                return ZG_ERR_INVALID;
        } else if (memchr(s->text, '{', s->len) || memchr(s->text, '}', s->len)) {
            return ZG_ERR_INVALID;
        }
    }
    for (size_t i = 0; i < rt->n; i++)
        if (!strcmp(rt->entries[i].route.method, route->method) &&
            !strcmp(rt->entries[i].route.pattern, route->pattern))
            return ZG_ERR_CONFLICT;
    if (rt->n == rt->cap) {
        size_t ncap = rt->cap ? rt->cap * 2 : 32;
        entry_t *ne = realloc(rt->entries, ncap * sizeof *ne);
        if (!ne)
            return ZG_ERR_NOMEM;
        rt->entries = ne;
        rt->cap = ncap;
    }
    rt->entries[rt->n++] = e;
    return ZG_OK;
}

/* Specificity of entry e against the path, or -1 if it does not match. Literals at earlier
 * positions weigh more, so /a/b/{x} beats /a/{y}/c. */
static int64_t score(const entry_t *e, const seg_t *segs, int n)
{
    if (e->nsegs != n)
        return -1;
    int64_t sc = 0;
    for (int i = 0; i < n; i++) {
        const seg_t *p = &e->segs[i];
        if (p->param) {
            if (segs[i].len == 0)
                return -1;
            continue;
        }
        if (p->len != segs[i].len || memcmp(p->text, segs[i].text, p->len) != 0)
            return -1;
        if (i < 62)
            sc |= (int64_t)1 << (62 - i);
    }
    return sc;
}

zg_match_result zg_router_match(const zg_router_t *rt, const char *method, const char *path,
                                zg_req_t *req, const zg_route_t **route, char *allow,
                                size_t allow_cap)
{
    seg_t segs[MAX_SEGS];
    if (allow && allow_cap)
        allow[0] = '\0';
    if (strlen(path) > MAX_PATH)
        return ZG_MATCH_NOT_FOUND;
    int n = split(path, segs);
    if (n < 0)
        return ZG_MATCH_NOT_FOUND;
    const entry_t *best = NULL;
    int64_t best_score = -1;
    bool path_matched = false;
    bool is_head = !strcmp(method, "HEAD");
    for (size_t i = 0; i < rt->n; i++) {
        const entry_t *e = &rt->entries[i];
        int64_t sc = score(e, segs, n);
        if (sc < 0)
            continue;
        path_matched = true;
        bool method_ok =
            !strcmp(e->route.method, method) || (is_head && !strcmp(e->route.method, "GET"));
        if (!method_ok) {
            if (allow && allow_cap && !strstr(allow, e->route.method)) {
                size_t l = strlen(allow);
                size_t need = strlen(e->route.method) + (l ? 2 : 0);
                if (l + need < allow_cap) {
                    if (l)
                        strcat(allow, ", ");
                    strcat(allow, e->route.method);
                }
            }
            continue;
        }
        if (sc > best_score) {
            best = e;
            best_score = sc;
        }
    }
    if (!best)
        return path_matched ? ZG_MATCH_BAD_METHOD : ZG_MATCH_NOT_FOUND;
    *route = &best->route;
    if (req) {
        req->nparams = 0;
        for (int i = 0; i < n; i++) {
            if (!best->segs[i].param)
                continue;
            const char *name = zg_arena_strndup(&req->arena, best->segs[i].text, best->segs[i].len);
            const char *val = zg_arena_strndup(&req->arena, segs[i].text, segs[i].len);
            if (!name || !val)
                return ZG_MATCH_NOT_FOUND;
            req->param_names[req->nparams] = name;
            req->param_values[req->nparams] = val;
            req->nparams++;
        }
    }
    return ZG_MATCH_OK;
}

int zg_router_add_all(zg_router_t *rt, const zg_route_t *routes, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        int rc = zg_router_add(rt, &routes[i]);
        if (rc)
            return rc;
    }
    return ZG_OK;
}

size_t zg_router_count(const zg_router_t *rt)
{
    return rt->n;
}

const zg_route_t *zg_router_at(const zg_router_t *rt, size_t i)
{
    return i < rt->n ? &rt->entries[i].route : NULL;
}
