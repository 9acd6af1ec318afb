/* member_index.c — the member list index (member_index.h): its build from the database, the
 * selection of a page, and the service that keeps one index current.
 *
 * Layout. One record per membership, sorted by (pre, name_rank): `pre` is the place of the
 * member's org in a DFS pre-order of the org tree, so a subtree is one run of records found by
 * two binary searches, and the members of one org are a run too. A list scans its run once:
 * each record passing the filters is counted (the total) and offered to a heap that keeps the
 * offset + limit first in the list's order; the heap is sorted at the end. What the scan reads
 * is 24 bytes a member (rec_t); the id, `pre` and the name's place are arrays beside it (40
 * bytes a member in all, plus the names). Coded text columns (status, gender, occupation, dues
 * category) are interned into tables of at most INTERN_MAX values; the names (for q) are one
 * pool in record order, so a subtree's names are searched with one memmem.
 *
 * Locks. `svc.mu` guards the service (current index, thread state, counters) and is held for
 * loads and stores only, never during a build or a scan. */
#include "core/clock.h"
#include "modules/member/member_index.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/date.h"
#include "core/log.h"
#include "db/db.h"
#include "db/stream.h"
#include "modules/audit/audit.h"

#define INTERN_MAX   250 /* distinct values of a coded column the index holds */
#define NULL_CODE    255 /* a coded column's NULL */
#define NULL_DAY     INT32_MIN
#define AUDIT_BATCH  500  /* audit entries one freshness check reads per query */
#define AUDIT_ROUNDS 4    /* … and queries per list, before giving the list to SQL */
#define RETRY_MS     5000 /* after a failed build (database error) */

enum { F_MOBILE0 = 1, F_MOBILE1 = 2, F_LOST = 4 };
enum { SORT_ORG, SORT_NAME, SORT_JOINED, SORT_BIRTH };

/* What a scan reads of each membership: 24 bytes, so that a county's 31,000 members are 750 KB
 * of memory to stream (the scan is bound by memory, not by the comparisons). The id, the
 * org's place and the name live in arrays beside it, read only for the page's winners, the
 * binary search and the name search. */
typedef struct rec {
    uint32_t org_rank;  /* the org's place in ORDER BY depth, sort, id */
    uint32_t name_rank; /* the row's place in ORDER BY p.name, m.id */
    int32_t birth;      /* day number, NULL_DAY for NULL */
    int32_t joined;
    uint8_t status, gender, occupation, dues; /* interned, NULL_CODE for NULL */
    int8_t edu;                               /* ZG_MEMBER_EDU_*, -1 none */
    uint8_t flags;                            /* F_* */
} rec_t;

/* A membership while the index is built. */
typedef struct load_rec {
    rec_t r;
    int64_t id;
    uint32_t pre;  /* the org's place in the DFS pre-order */
    uint32_t name; /* offset of the name in the pool (name order) */
} load_rec_t;

typedef struct org {
    int64_t id;
    uint32_t pre, end; /* the subtree is [pre, end) */
    uint32_t rank;
} org_t;

typedef struct table {
    char *v[INTERN_MAX];
    int n;
} table_t;

typedef struct zg_member_index {
    _Atomic int64_t seq; /* the audit seq the data is current at; raised by readers */
    atomic_uint refs;
    bool pg;
    rec_t *recs;       /* sorted by (pre, name_rank) */
    int64_t *ids;      /* beside recs: the membership ids */
    uint32_t *pres;    /* beside recs: the org's place in the DFS pre-order */
    uint32_t *name_at; /* beside recs (n + 1): where each name starts in `names`, which holds
                          them in record order (a subtree's names are one run: one memmem) */
    size_t n;
    load_rec_t *loading; /* during the build only */
    org_t *orgs;         /* sorted by id */
    size_t norgs;
    char *names;
    size_t names_len, names_cap;
    table_t status, gender, occupation, dues;
    bool birth_exact, joined_exact, edu_exact; /* every value held as SQL compares it */
} mindex_t;

/* ---- the index's memory ----------------------------------------------------------------- */

static void table_free(table_t *t)
{
    for (int i = 0; i < t->n; i++)
        free(t->v[i]);
    t->n = 0;
}

static void index_free(mindex_t *ix)
{
    if (!ix)
        return;
    free(ix->recs);
    free(ix->ids);
    free(ix->pres);
    free(ix->name_at);
    free(ix->loading);
    free(ix->orgs);
    free(ix->names);
    table_free(&ix->status);
    table_free(&ix->gender);
    table_free(&ix->occupation);
    table_free(&ix->dues);
    free(ix);
}

static void index_release(mindex_t *ix)
{
    if (ix && atomic_fetch_sub(&ix->refs, 1) == 1)
        index_free(ix);
}

/* The code of `s` (NULL: NULL_CODE), added when new; -1 when the table is full. */
static int intern(table_t *t, const char *s)
{
    if (!s)
        return NULL_CODE;
    for (int i = 0; i < t->n; i++)
        if (!strcmp(t->v[i], s))
            return i;
    if (t->n >= INTERN_MAX || !(t->v[t->n] = strdup(s)))
        return -1;
    return t->n++;
}

/* The code of `s`, or -1 when no record holds it. */
static int lookup(const table_t *t, const char *s)
{
    for (int i = 0; i < t->n; i++)
        if (!strcmp(t->v[i], s))
            return i;
    return -1;
}

/* SQLite's LIKE folds ASCII letters only (no ICU); PostgreSQL's LIKE folds nothing. */
static void fold_ascii(char *s)
{
    for (; *s; s++)
        if (*s >= 'A' && *s <= 'Z')
            *s = (char)(*s - 'A' + 'a');
}

static int pool_add(mindex_t *ix, const char *s, uint32_t *off)
{
    size_t len = strlen(s) + 1;
    if (ix->names_len + len > UINT32_MAX)
        return ZG_ERR_TOO_LARGE;
    if (ix->names_len + len > ix->names_cap) {
        size_t cap = ix->names_cap ? ix->names_cap * 2 : 1 << 20;
        while (cap < ix->names_len + len)
            cap *= 2;
        char *p = realloc(ix->names, cap);
        if (!p)
            return ZG_ERR_NOMEM;
        ix->names = p;
        ix->names_cap = cap;
    }
    *off = (uint32_t)ix->names_len;
    memcpy(ix->names + ix->names_len, s, len);
    if (!ix->pg)
        fold_ascii(ix->names + ix->names_len);
    ix->names_len += len;
    return ZG_OK;
}

/* ---- the org tree ----------------------------------------------------------------------- */

/* The orgs in ORDER BY depth, sort, id: the org part of the default list order. */
#define ORG_SQL "SELECT id, parent_id FROM org ORDER BY depth, sort, id"

static int cmp_org_id(const void *a, const void *b)
{
    int64_t x = ((const org_t *)a)->id, y = ((const org_t *)b)->id;
    return (x > y) - (x < y);
}

static const org_t *find_org(const org_t *orgs, size_t n, int64_t id)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (orgs[mid].id < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < n && orgs[lo].id == id ? &orgs[lo] : NULL;
}

static int tree_broken(zg_error_t *err, const char *why)
{
    return zg_error_set(err, ZG_ERR_INTERNAL, "org_tree_broken", "组织树数据不一致",
                        "member index: org tree %s", why);
}

/* Numbers the orgs in DFS pre-order from the roots (parent_id NULL): pre and end of each.
 * `parent[i]` is the index (in ix->orgs) of org i's parent or SIZE_MAX for a root. An org that
 * is not reached (a cycle) or whose parent is missing makes the tree unusable. */
static int number_tree(mindex_t *ix, const size_t *parent, zg_error_t *err)
{
    size_t n = ix->norgs;
    size_t *first = calloc(n + 1, sizeof *first), *child = malloc((n + 1) * sizeof *child);
    size_t *stack = malloc((n + 1) * sizeof *stack), *pos = malloc((n + 1) * sizeof *pos);
    int rc = ZG_OK;
    if (!first || !child || !stack || !pos) {
        rc = zg_error_set(err, ZG_ERR_NOMEM, "no_memory", "内存不足", "member index tree");
        goto out;
    }
    /* children lists (CSR): first[p]..first[p+1] in child[] */
    for (size_t i = 0; i < n; i++)
        if (parent[i] != SIZE_MAX)
            first[parent[i] + 1]++;
    for (size_t i = 0; i < n; i++)
        first[i + 1] += first[i];
    memcpy(pos, first, n * sizeof *pos);
    for (size_t i = 0; i < n; i++)
        if (parent[i] != SIZE_MAX)
            child[pos[parent[i]]++] = i;
    uint32_t next = 0;
    for (size_t r = 0; r < n; r++) {
        if (parent[r] != SIZE_MAX)
            continue;
        size_t sp = 0;
        stack[sp] = r;
        pos[sp++] = first[r];
        ix->orgs[r].pre = next++;
        while (sp) {
            size_t top = stack[sp - 1];
            if (pos[sp - 1] < first[top + 1]) {
                size_t ch = child[pos[sp - 1]++];
                ix->orgs[ch].pre = next++;
                stack[sp] = ch;
                pos[sp++] = first[ch];
            } else {
                ix->orgs[top].end = next;
                sp--;
            }
        }
    }
    if (next != n)
        rc = tree_broken(err, "has a cycle");
out:
    free(first);
    free(child);
    free(stack);
    free(pos);
    return rc;
}

typedef struct org_row {
    int64_t id, parent; /* parent 0: a root */
} org_row_t;

static int load_orgs(mindex_t *ix, zg_conn_t *c, const atomic_bool *cancel, zg_error_t *err)
{
    zg_stream_t s;
    int rc = zg_stream_open(&s, c, "zg_mi_orgs", ORG_SQL, cancel, err);
    if (rc)
        return rc;
    size_t cap = 0;
    org_row_t *rows = NULL;
    while ((rc = zg_stream_next(&s, err)) == 1) {
        if (ix->norgs == cap) {
            cap = cap ? cap * 2 : 1024;
            org_row_t *p = realloc(rows, cap * sizeof *rows);
            if (!p) {
                rc = zg_error_set(err, ZG_ERR_NOMEM, "no_memory", "内存不足", "member index");
                break;
            }
            rows = p;
        }
        rows[ix->norgs].id = zg_rows_int(zg_stream_rows(&s), 0);
        rows[ix->norgs].parent =
            zg_rows_isnull(zg_stream_rows(&s), 1) ? 0 : zg_rows_int(zg_stream_rows(&s), 1);
        ix->norgs++;
    }
    zg_stream_close(&s);
    size_t *parent = NULL;
    if (rc == 0 && ix->norgs > UINT32_MAX - 1)
        rc = zg_error_set(err, ZG_ERR_TOO_LARGE, "too_large", "组织过多", "member index: orgs");
    if (rc == 0) {
        ix->orgs = calloc(ix->norgs + 1, sizeof *ix->orgs);
        parent = malloc((ix->norgs + 1) * sizeof *parent);
        if (!ix->orgs || !parent)
            rc = zg_error_set(err, ZG_ERR_NOMEM, "no_memory", "内存不足", "member index");
    }
    if (rc == 0) {
        for (size_t i = 0; i < ix->norgs; i++)
            ix->orgs[i] = (org_t){.id = rows[i].id, .rank = (uint32_t)i};
        qsort(ix->orgs, ix->norgs, sizeof *ix->orgs, cmp_org_id);
        /* parent[] by position in the id-sorted array; rows[] is in rank order */
        for (size_t i = 0; i < ix->norgs && rc == 0; i++) {
            const org_t *self = find_org(ix->orgs, ix->norgs, rows[i].id);
            size_t k = (size_t)(self - ix->orgs);
            parent[k] = SIZE_MAX;
            if (rows[i].parent) {
                const org_t *p = find_org(ix->orgs, ix->norgs, rows[i].parent);
                if (!p)
                    rc = tree_broken(err, "names a missing parent");
                else
                    parent[k] = (size_t)(p - ix->orgs);
            }
        }
    }
    if (rc == 0)
        rc = number_tree(ix, parent, err);
    free(rows);
    free(parent);
    return rc < 0 ? rc : ZG_OK;
}

/* ---- the memberships -------------------------------------------------------------------- */

/* Every membership, in name order: the row number is the name rank. */
#define MEMBER_SQL                                                                                 \
    "SELECT m.id, m.org_id, m.status, m.dues_category, m.joined_on, m.mobile, "                    \
    "m.lost_contact_since, p.gender, p.birth_date, p.education, p.occupation, p.name "             \
    "FROM membership m JOIN person p ON p.id = m.person_id ORDER BY p.name, m.id"

static const char *col_text(zg_rows_t *r, int col)
{
    return zg_rows_isnull(r, col) ? NULL : zg_rows_text(r, col);
}

/* A date column as SQL compares it (text YYYY-MM-DD): false when present but not in that
 * form, as then day order would not be text order. */
static bool col_day(zg_rows_t *r, int col, int32_t *out)
{
    *out = NULL_DAY;
    const char *t = col_text(r, col);
    zg_date_t d;
    if (!t)
        return true;
    if (zg_date_parse_n(t, strlen(t), &d))
        return false;
    *out = d;
    return true;
}

/* The education category exactly as build_where's ranges (text between lo and hi and two
 * characters long): exact for NULL and for ASCII text that is two digits or not two long; any
 * other value makes the edu filter go to SQL (collations differ on those). */
static int8_t col_edu(const char *e, bool *exact)
{
    if (!e)
        return -1;
    size_t n = 0;
    for (const char *p = e; *p; p++, n++)
        if ((unsigned char)*p >= 0x80)
            *exact = false;
    if (n == 2 && !(e[0] >= '0' && e[0] <= '9' && e[1] >= '0' && e[1] <= '9'))
        *exact = false;
    return (int8_t)zg_member_edu_category(e);
}

static int too_many(zg_error_t *err, const char *col)
{
    return zg_error_set(err, ZG_ERR_TOO_LARGE, "member_index_codes", "编码取值过多",
                        "member index: more than %d distinct values of %s", INTERN_MAX, col);
}

/* One row of MEMBER_SQL into a record. */
static int add_member(mindex_t *ix, zg_rows_t *r, load_rec_t *l, zg_error_t *err)
{
    memset(l, 0, sizeof *l);
    rec_t *x = &l->r;
    l->id = zg_rows_int(r, 0);
    const org_t *o = find_org(ix->orgs, ix->norgs, zg_rows_int(r, 1));
    if (!o)
        return tree_broken(err, "misses a member's org");
    l->pre = o->pre;
    x->org_rank = o->rank;
    x->name_rank = (uint32_t)ix->n;
    int st = intern(&ix->status, col_text(r, 2)), du = intern(&ix->dues, col_text(r, 3));
    int ge = intern(&ix->gender, col_text(r, 7)), oc = intern(&ix->occupation, col_text(r, 10));
    if (st < 0 || du < 0 || ge < 0 || oc < 0)
        return too_many(err, st < 0   ? "status"
                             : du < 0 ? "dues_category"
                             : ge < 0 ? "gender"
                                      : "occupation");
    x->status = (uint8_t)st, x->dues = (uint8_t)du, x->gender = (uint8_t)ge;
    x->occupation = (uint8_t)oc;
    if (!col_day(r, 4, &x->joined) || x->joined == NULL_DAY)
        ix->joined_exact = false;
    if (!col_day(r, 8, &x->birth))
        ix->birth_exact = false;
    int64_t mobile = zg_rows_int(r, 5);
    x->flags = (uint8_t)((mobile == 0   ? F_MOBILE0
                          : mobile == 1 ? F_MOBILE1
                                        : 0) |
                         (zg_rows_isnull(r, 6) ? 0 : F_LOST));
    x->edu = col_edu(col_text(r, 9), &ix->edu_exact);
    return pool_add(ix, zg_rows_text(r, 11), &l->name);
}

static int load_members(mindex_t *ix, zg_conn_t *c, const atomic_bool *cancel, zg_error_t *err)
{
    int64_t count = 0;
    int rc = zg_db_query_int(c, "SELECT count(*) FROM membership", NULL, 0, &count, err);
    if (rc)
        return rc;
    if (count >= UINT32_MAX)
        return zg_error_set(err, ZG_ERR_TOO_LARGE, "too_large", "党员过多", "member index");
    size_t cap = (size_t)count + 1;
    ix->loading = malloc(cap * sizeof *ix->loading);
    if (!ix->loading)
        return zg_error_set(err, ZG_ERR_NOMEM, "no_memory", "内存不足", "member index");
    zg_stream_t s;
    rc = zg_stream_open(&s, c, "zg_mi_members", MEMBER_SQL, cancel, err);
    if (rc)
        return rc;
    while ((rc = zg_stream_next(&s, err)) == 1) {
        if (ix->n == cap) { /* the same snapshot: cannot happen, but never write past the end */
            rc = tree_broken(err, "changed during the build");
            break;
        }
        rc = add_member(ix, zg_stream_rows(&s), &ix->loading[ix->n], err);
        if (rc)
            break;
        ix->n++;
    }
    zg_stream_close(&s);
    return rc < 0 ? rc : ZG_OK;
}

static int cmp_load(const void *a, const void *b)
{
    const load_rec_t *x = a, *y = b;
    if (x->pre != y->pre)
        return x->pre < y->pre ? -1 : 1;
    return (x->r.name_rank > y->r.name_rank) - (x->r.name_rank < y->r.name_rank);
}

/* Sorts the loaded memberships by (pre, name_rank) and lays them out for scanning: records,
 * the arrays beside them, and the names again in record order. */
static int lay_out(mindex_t *ix, zg_error_t *err)
{
    qsort(ix->loading, ix->n, sizeof *ix->loading, cmp_load);
    size_t n = ix->n;
    char *names = malloc(ix->names_len ? ix->names_len : 1);
    ix->recs = malloc((n + 1) * sizeof *ix->recs);
    ix->ids = malloc((n + 1) * sizeof *ix->ids);
    ix->pres = malloc((n + 1) * sizeof *ix->pres);
    ix->name_at = malloc((n + 1) * sizeof *ix->name_at);
    if (!names || !ix->recs || !ix->ids || !ix->pres || !ix->name_at) {
        free(names);
        return zg_error_set(err, ZG_ERR_NOMEM, "no_memory", "内存不足", "member index");
    }
    size_t at = 0;
    for (size_t i = 0; i < n; i++) {
        const load_rec_t *l = &ix->loading[i];
        ix->recs[i] = l->r;
        ix->ids[i] = l->id;
        ix->pres[i] = l->pre;
        ix->name_at[i] = (uint32_t)at;
        size_t len = strlen(ix->names + l->name) + 1;
        memcpy(names + at, ix->names + l->name, len);
        at += len;
    }
    ix->name_at[n] = (uint32_t)at;
    free(ix->names);
    ix->names = names;
    ix->names_cap = ix->names_len;
    free(ix->loading);
    ix->loading = NULL;
    return ZG_OK;
}

/* Reads the whole index inside the caller's read transaction. */
static int load(mindex_t *ix, zg_conn_t *c, const atomic_bool *cancel, zg_error_t *err)
{
    int64_t seq = 0;
    int rc = zg_db_query_int(c, "SELECT COALESCE(max(seq), 0) FROM audit_log", NULL, 0, &seq, err);
    if (rc)
        return rc;
    atomic_store(&ix->seq, seq);
    if (ix->pg) {
        /* read to the end: plan for all rows; sort the names in memory up to 64 MiB */
        rc = zg_db_exec(c, "SET LOCAL cursor_tuple_fraction = 1.0", NULL, 0, NULL, err);
        if (!rc)
            rc = zg_db_exec(c, "SET LOCAL work_mem = '64MB'", NULL, 0, NULL, err);
        if (rc)
            return rc;
    }
    rc = load_orgs(ix, c, cancel, err);
    if (!rc)
        rc = load_members(ix, c, cancel, err);
    if (!rc)
        rc = lay_out(ix, err);
    return rc;
}

/* Builds a new index from `db` in one read transaction (one snapshot). */
static int build(zg_db_t *db, const atomic_bool *cancel, mindex_t **out, zg_error_t *err)
{
    *out = NULL;
    zg_conn_t *c = zg_db_conn(db, err);
    if (!c)
        return ZG_ERR_DB;
    mindex_t *ix = calloc(1, sizeof *ix);
    if (!ix)
        return zg_error_set(err, ZG_ERR_NOMEM, "no_memory", "内存不足", "member index");
    atomic_init(&ix->refs, 1);
    ix->pg = zg_db_kind_of(db) == ZG_DB_POSTGRES;
    ix->birth_exact = ix->joined_exact = ix->edu_exact = true;
    int rc = zg_db_begin(c, ZG_TX_READ, err);
    if (!rc) {
        rc = load(ix, c, cancel, err);
        zg_db_rollback(c); /* read only: ends the cursors */
    }
    if (rc) {
        index_free(ix);
        return rc;
    }
    *out = ix;
    return ZG_OK;
}

/* ---- selecting a page ------------------------------------------------------------------- */

/* A list's filters in the index's terms. */
typedef struct filt {
    bool none;                         /* a value no record holds: nothing matches */
    bool status_ok[256];               /* by status code */
    int gender, occupation, dues, edu; /* codes; < 0 any */
    bool birth, joined;
    int32_t birth_lo, birth_hi, join_lo, join_hi; /* inclusive */
    uint8_t flags_mask;                           /* these bits of rec_t.flags … */
    uint8_t flags_want;                           /* … must be these */
    const char *name;                             /* the folded search text, or NULL */
} filt_t;

static bool has_text(const char *s)
{
    return s && *s;
}

/* What no index can answer (the rest depends on the data: make_filter). */
static bool eligible(const zg_member_query_t *q)
{
    return q->as_of == ZG_MEMBER_NO_DATE && !has_text(q->id_number) && !q->after.set &&
           q->offset + q->limit <= ZG_MEMBER_INDEX_WINDOW;
}

/* A coded filter: -2 for "any", -1 for a value nobody holds (sets f->none), else the code. */
static int code_filter(filt_t *f, const table_t *t, const char *v)
{
    if (!has_text(v))
        return -2;
    int k = lookup(t, v);
    if (k < 0)
        f->none = true;
    return k;
}

/* Whether the index answers `q` exactly; fills f. Anything it does not is for SQL, which also
 * reports the invalid values. */
static bool make_filter(const mindex_t *ix, const zg_member_query_t *q, zg_arena_t *a, filt_t *f,
                        int *sort)
{
    memset(f, 0, sizeof *f);
    const char *s = q->sort ? q->sort : "org";
    *sort = !strcmp(s, "org")          ? SORT_ORG
            : !strcmp(s, "name")       ? SORT_NAME
            : !strcmp(s, "joined_on")  ? SORT_JOINED
            : !strcmp(s, "birth_date") ? SORT_BIRTH
                                       : -1;
    if (*sort < 0)
        return false;
    if ((*sort == SORT_JOINED || q->join_period >= 0) && !ix->joined_exact)
        return false;
    if ((*sort == SORT_BIRTH || q->age_band >= 0) && !ix->birth_exact)
        return false;
    if (q->edu >= 0 && (!ix->edu_exact || q->edu >= ZG_MEMBER_EDU_CATEGORIES))
        return false;
    if (q->join_period >= ZG_MEMBER_JOIN_PERIODS)
        return false;

    const char *st = q->status;
    if (!st || !strcmp(st, "current")) {
        int p = lookup(&ix->status, "probationary"), u = lookup(&ix->status, "full");
        if (p >= 0)
            f->status_ok[p] = true;
        if (u >= 0)
            f->status_ok[u] = true;
        f->none = p < 0 && u < 0;
    } else if (!strcmp(st, "all")) {
        memset(f->status_ok, 1, sizeof f->status_ok);
    } else {
        int k = lookup(&ix->status, st);
        if (k >= 0)
            f->status_ok[k] = true;
        f->none = k < 0;
    }
    f->dues = code_filter(f, &ix->dues, q->dues_category);
    f->gender = code_filter(f, &ix->gender, q->gender);
    f->occupation = code_filter(f, &ix->occupation, q->occupation);
    f->edu = q->edu;
    if (q->age_band >= 0) {
        zg_date_t from, to;
        if (zg_member_age_band_births(q->age_band, zg_date_today(), &from, &to))
            return false;
        f->birth = true;
        f->birth_lo = from == ZG_MEMBER_NO_DATE ? NULL_DAY + 1 : from;
        f->birth_hi = to;
    }
    if (q->join_period >= 0) {
        zg_date_t from, to;
        zg_member_join_period_range(q->join_period, &from, &to);
        f->joined = true;
        f->join_lo = from == ZG_MEMBER_NO_DATE ? NULL_DAY + 1 : from;
        f->join_hi = to == ZG_MEMBER_NO_DATE ? INT32_MAX : to - 1;
    }
    if (q->mobile >= 0) {
        f->flags_mask |= F_MOBILE0 | F_MOBILE1;
        f->flags_want |= q->mobile ? F_MOBILE1 : F_MOBILE0;
    }
    if (q->lost_contact >= 0) {
        f->flags_mask |= F_LOST;
        f->flags_want |= q->lost_contact ? F_LOST : 0;
    }
    if (has_text(q->q)) {
        char *t = zg_arena_strdup(a, q->q);
        if (!t)
            return false;
        if (!ix->pg)
            fold_ascii(t);
        f->name = t;
    }
    return true;
}

/* Every filter but the name's (select_page searches the names). Without branches: the filters
 * of a list are about as likely to pass as not, and one mispredicted branch costs more than
 * all the comparisons. NULL_DAY lies below every bound: a NULL never matches, as in SQL. */
static inline bool matches(const filt_t *f, const rec_t *r)
{
    bool ok = f->status_ok[r->status];
    ok &= (f->gender < 0) | (r->gender == f->gender);
    ok &= (f->dues < 0) | (r->dues == f->dues);
    ok &= (f->occupation < 0) | (r->occupation == f->occupation);
    ok &= (r->flags & f->flags_mask) == f->flags_want;
    ok &= (f->edu < 0) | (r->edu == f->edu);
    ok &= (!f->birth) | ((r->birth >= f->birth_lo) & (r->birth <= f->birth_hi));
    ok &= (!f->joined) | ((r->joined >= f->join_lo) & (r->joined <= f->join_hi));
    return ok;
}

/* A record's place in the list's order as two unsigned keys, smaller first (unique: the last
 * column of every ORDER BY is unique); desc inverts every key, as the SQL's ORDER BY puts DESC
 * on every column. `at` is the record's index. */
typedef struct key {
    uint64_t k1, k2;
    uint32_t at;
} skey_t;

static uint64_t day_key(int32_t d, bool pg)
{
    if (d == NULL_DAY) /* NULLs first ascending on SQLite, last on PostgreSQL */
        return pg ? UINT64_MAX : 0;
    return (uint64_t)((int64_t)d - (int64_t)INT32_MIN);
}

/* The id enters the key of the date sorts only (their ties): it is read from its own array. */
static uint64_t id_key(const mindex_t *ix, size_t i)
{
    return (uint64_t)ix->ids[i] ^ (UINT64_C(1) << 63);
}

static inline skey_t rec_key(const mindex_t *ix, size_t i, int sort, bool desc)
{
    const rec_t *r = &ix->recs[i];
    bool pg = ix->pg;
    skey_t k = {.at = (uint32_t)i};
    switch (sort) {
    case SORT_ORG: /* o.depth, o.sort, o.id, p.name, m.id */
        k.k1 = ((uint64_t)r->org_rank << 32) | r->name_rank;
        break;
    case SORT_NAME: /* p.name, m.id */
        k.k1 = r->name_rank;
        break;
    case SORT_JOINED: /* m.joined_on, m.id */
        k.k1 = day_key(r->joined, pg);
        k.k2 = id_key(ix, i);
        break;
    default: /* p.birth_date, m.id */
        k.k1 = day_key(r->birth, pg);
        k.k2 = id_key(ix, i);
        break;
    }
    if (desc)
        k.k1 = ~k.k1, k.k2 = ~k.k2;
    return k;
}

static bool key_less(const skey_t *a, const skey_t *b)
{
    return a->k1 < b->k1 || (a->k1 == b->k1 && a->k2 < b->k2);
}

/* A max-heap of the `cap` smallest keys seen. */
typedef struct heap {
    skey_t *v;
    size_t n, cap;
} heap_t;

static void sift_down(skey_t *v, size_t n, size_t i)
{
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < n && key_less(&v[m], &v[l]))
            m = l;
        if (r < n && key_less(&v[m], &v[r]))
            m = r;
        if (m == i)
            return;
        skey_t t = v[i];
        v[i] = v[m];
        v[m] = t;
        i = m;
    }
}

static void heap_offer(heap_t *h, const skey_t *k)
{
    if (h->n < h->cap) {
        size_t i = h->n++;
        h->v[i] = *k;
        while (i && key_less(&h->v[(i - 1) / 2], &h->v[i])) {
            skey_t t = h->v[i];
            h->v[i] = h->v[(i - 1) / 2];
            h->v[(i - 1) / 2] = t;
            i = (i - 1) / 2;
        }
    } else if (key_less(k, &h->v[0])) {
        h->v[0] = *k;
        sift_down(h->v, h->n, 0);
    }
}

/* Heap sort in place: ascending afterwards. */
static void heap_sort(heap_t *h)
{
    for (size_t end = h->n; end > 1; end--) {
        skey_t t = h->v[0];
        h->v[0] = h->v[end - 1];
        h->v[end - 1] = t;
        sift_down(h->v, end - 1, 0);
    }
}

/* The first record with pre >= p. */
static size_t lower_pre(const mindex_t *ix, uint32_t p)
{
    size_t lo = 0, hi = ix->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (ix->pres[mid] < p)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* One scan of a run of records. */
typedef struct scan {
    const mindex_t *ix;
    const filt_t *f;
    int sort;
    bool desc;
    heap_t h;
    int64_t count;
} scan_t;

static inline void consider(scan_t *s, size_t i)
{
    const rec_t *r = &s->ix->recs[i];
    if (!matches(s->f, r))
        return;
    s->count++;
    skey_t k = rec_key(s->ix, i, s->sort, s->desc);
    heap_offer(&s->h, &k);
}

/* The first record in [lo, hi) whose name starts after byte `off` of the pool, minus one: the
 * record whose name holds `off`. */
static size_t name_holding(const mindex_t *ix, size_t lo, size_t hi, size_t off)
{
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (ix->name_at[mid] <= off)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo - 1;
}

/* Records [lo, hi) whose name holds f->name: one memmem over their names, which lie in one run
 * of the pool separated by NULs (a match cannot span two names), then the other filters. */
static void scan_names(scan_t *s, size_t lo, size_t hi)
{
    const mindex_t *ix = s->ix;
    size_t len = strlen(s->f->name);
    const char *p = ix->names + ix->name_at[lo], *stop = ix->names + ix->name_at[hi];
    size_t i = lo;
    const char *hit;
    while (p < stop && (hit = memmem(p, (size_t)(stop - p), s->f->name, len))) {
        i = name_holding(ix, i, hi, (size_t)(hit - ix->names));
        consider(s, i);
        p = ix->names + ix->name_at[++i]; /* one match per name */
    }
}

/* The page of `q` from ix: 1 answered, 0 not answerable. */
static int select_page(const mindex_t *ix, zg_arena_t *a, int64_t scope, const zg_member_query_t *q,
                       int64_t **ids, size_t *n, int64_t *total)
{
    filt_t f;
    scan_t s = {.ix = ix, .f = &f, .desc = q->desc};
    if (!make_filter(ix, q, a, &f, &s.sort))
        return 0;
    const org_t *root = find_org(ix->orgs, ix->norgs, q->org_id > 0 ? q->org_id : scope);
    if (!root)
        return 0;
    /* zg_member_list checked that q->org_id lies in the scope: its subtree does too */
    uint32_t plo = root->pre, phi = q->direct_only ? root->pre + 1 : root->end;
    s.h.cap = (size_t)(q->offset + q->limit);
    s.h.v = zg_arena_alloc(a, s.h.cap * sizeof *s.h.v);
    if (!s.h.v)
        return 0;
    size_t lo = lower_pre(ix, plo), hi = lower_pre(ix, phi);
    if (f.name && !f.none)
        scan_names(&s, lo, hi);
    for (size_t i = lo; i < hi && !f.name && !f.none; i++)
        consider(&s, i);
    heap_sort(&s.h);
    *total = s.count;
    *n = 0;
    *ids = NULL;
    if ((size_t)q->offset >= s.h.n)
        return 1;
    *n = s.h.n - (size_t)q->offset;
    *ids = zg_arena_alloc(a, *n * sizeof **ids);
    if (!*ids)
        return 0;
    for (size_t i = 0; i < *n; i++)
        (*ids)[i] = ix->ids[s.h.v[(size_t)q->offset + i].at];
    return 1;
}

/* ---- the service ------------------------------------------------------------------------ */

static struct {
    pthread_mutex_t mu;
    pthread_cond_t wake;  /* the builder waits here */
    pthread_cond_t built; /* waiters for a build */
    zg_db_t *db;
    bool enabled, running, stopping, wanted;
    pthread_t thread;
    mindex_t *current;
    int64_t need_seq;   /* the index must cover this seq (a change was seen there) */
    int64_t failed_seq; /* the last build that could not hold the data exactly read this */
    bool unholdable;
    uint64_t builds, failures;
    double last_build_seconds;
} svc = {
    .mu = PTHREAD_MUTEX_INITIALIZER,
    .wake = PTHREAD_COND_INITIALIZER,
    .built = PTHREAD_COND_INITIALIZER,
};

static atomic_bool cancel_build;
static atomic_uint_fast64_t by_index, by_sql;
static atomic_bool last_used;

/* Whether the builder has work, under svc.mu: no index yet (once asked for), or one older
 * than a change seen. A data set the index cannot hold is tried again only after a change. */
static bool need_build(void)
{
    if (svc.unholdable && svc.need_seq <= svc.failed_seq)
        return false;
    if (!svc.current)
        return svc.wanted;
    return atomic_load(&svc.current->seq) < svc.need_seq;
}

static void build_once(void)
{
    pthread_mutex_lock(&svc.mu);
    zg_db_t *db = svc.db;
    pthread_mutex_unlock(&svc.mu);
    double t0 = zg_mono_seconds();
    mindex_t *ix = NULL;
    zg_error_t err;
    int rc = build(db, &cancel_build, &ix, &err);
    double secs = zg_mono_seconds() - t0;
    pthread_mutex_lock(&svc.mu);
    mindex_t *old = NULL;
    if (rc == ZG_OK) {
        old = svc.current;
        svc.current = ix;
        svc.builds++;
        svc.last_build_seconds = secs;
        svc.unholdable = false;
    } else {
        svc.failures++;
        /* data the index cannot hold exactly: wait for a change, not for the clock */
        svc.unholdable = rc == ZG_ERR_TOO_LARGE || rc == ZG_ERR_INTERNAL;
        svc.failed_seq = svc.need_seq;
    }
    pthread_cond_broadcast(&svc.built);
    pthread_mutex_unlock(&svc.mu);
    index_release(old);
    if (rc == ZG_OK)
        zg_log_debug("member index: %zu members, %zu orgs, audit seq %lld, built in %.3f s", ix->n,
                     ix->norgs, (long long)atomic_load(&ix->seq), secs);
    else if (!atomic_load(&cancel_build))
        zg_log_warn("member index: build failed, lists use SQL: %s (%s)", err.message, err.detail);
}

static void *builder(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&svc.mu);
    while (!svc.stopping) {
        if (!need_build()) {
            pthread_cond_wait(&svc.wake, &svc.mu);
            continue;
        }
        uint64_t failures = svc.failures;
        pthread_mutex_unlock(&svc.mu);
        build_once();
        pthread_mutex_lock(&svc.mu);
        if (svc.failures != failures && !svc.unholdable && !svc.stopping) {
            struct timespec ts = zg_deadline_ms(RETRY_MS);
            pthread_cond_timedwait(&svc.wake, &svc.mu, &ts);
        }
    }
    pthread_mutex_unlock(&svc.mu);
    return NULL;
}

/* Starts the builder if it is not running; under svc.mu. */
static void start_locked(void)
{
    if (svc.running || svc.stopping)
        return;
    atomic_store(&cancel_build, false);
    int rc = pthread_create(&svc.thread, NULL, builder, NULL);
    if (rc) {
        zg_log_warn("member index: no builder thread (%s); lists use SQL", strerror(rc));
        svc.enabled = false;
        return;
    }
    svc.running = true;
}

/* Asks for a build covering `seq` (0: the first build). */
static void want_build(int64_t seq)
{
    pthread_mutex_lock(&svc.mu);
    svc.wanted = true;
    if (seq > svc.need_seq)
        svc.need_seq = seq;
    start_locked();
    pthread_cond_signal(&svc.wake);
    pthread_mutex_unlock(&svc.mu);
}

void zg_member_index_stop(void)
{
    pthread_mutex_lock(&svc.mu);
    bool running = svc.running;
    pthread_t t = svc.thread;
    svc.stopping = true;
    atomic_store(&cancel_build, true);
    pthread_cond_broadcast(&svc.wake);
    pthread_mutex_unlock(&svc.mu);
    if (running)
        pthread_join(t, NULL);
    pthread_mutex_lock(&svc.mu);
    mindex_t *old = svc.current;
    svc.current = NULL;
    svc.running = svc.stopping = svc.wanted = svc.unholdable = false;
    svc.db = NULL;
    svc.need_seq = svc.failed_seq = 0;
    pthread_cond_broadcast(&svc.built);
    pthread_mutex_unlock(&svc.mu);
    index_release(old);
}

void zg_member_index_configure(zg_db_t *db, bool enabled)
{
    pthread_mutex_lock(&svc.mu);
    bool other = svc.db && svc.db != db;
    pthread_mutex_unlock(&svc.mu);
    if (other)
        zg_member_index_stop();
    pthread_mutex_lock(&svc.mu);
    svc.db = db;
    svc.enabled = enabled;
    pthread_mutex_unlock(&svc.mu);
}

/* A reference to the current index of the connection's database, or NULL (asking for the
 * first build when there is none yet). */
static mindex_t *acquire(zg_conn_t *c)
{
    pthread_mutex_lock(&svc.mu);
    mindex_t *ix = NULL;
    bool ours = svc.enabled && svc.db && svc.db == zg_conn_db(c) && !svc.stopping;
    if (ours && svc.current) {
        ix = svc.current;
        atomic_fetch_add(&ix->refs, 1);
    }
    pthread_mutex_unlock(&svc.mu);
    if (ours && !ix)
        want_build(0);
    return ix;
}

/* Reads the audit entries in (from, to], at most AUDIT_BATCH: *changed when one of them changed
 * data (*changed_at its seq), *last the newest read, *complete when all were read. */
static int audit_scan(zg_conn_t *c, int64_t from, int64_t to, bool *changed, int64_t *changed_at,
                      int64_t *last, bool *complete, zg_error_t *err)
{
    zg_param_t p[] = {ZG_P_INT(from), ZG_P_INT(to), ZG_P_INT(AUDIT_BATCH)};
    zg_rows_t *r;
    int rc = zg_db_query(c,
                         "SELECT seq, action FROM audit_log WHERE seq > $1 AND seq <= $2 AND "
                         "outcome = 'ok' ORDER BY seq LIMIT $3",
                         p, 3, &r, err);
    if (rc)
        return rc;
    int rows = 0;
    *changed = false;
    *last = from;
    while ((rc = zg_rows_next(r, err)) == 1) {
        rows++;
        *last = zg_rows_int(r, 0);
        if (zg_audit_action_changes_data(zg_rows_text(r, 1))) {
            *changed = true;
            *changed_at = *last;
            break;
        }
    }
    zg_rows_close(r);
    *complete = rows < AUDIT_BATCH;
    return rc < 0 ? rc : ZG_OK;
}

static void raise_seq(mindex_t *ix, int64_t seq)
{
    int64_t cur = atomic_load(&ix->seq);
    while (cur < seq && !atomic_compare_exchange_weak(&ix->seq, &cur, seq))
        ;
}

/* Whether ix holds the data the database holds now: 1 yes, 0 no (a build is asked for), < 0
 * error. Cheap when nothing was written: one max(seq). */
static int freshen(zg_conn_t *c, mindex_t *ix, zg_error_t *err)
{
    int64_t head = 0;
    int rc = zg_db_query_int(c, "SELECT COALESCE(max(seq), 0) FROM audit_log", NULL, 0, &head, err);
    if (rc)
        return rc;
    int64_t have = atomic_load(&ix->seq);
    if (head <= have)
        return 1;
    pthread_mutex_lock(&svc.mu);
    bool known_stale = svc.need_seq > have;
    pthread_mutex_unlock(&svc.mu);
    if (known_stale) { /* a change was seen already: the builder knows */
        want_build(0);
        return 0;
    }
    for (int round = 0; round < AUDIT_ROUNDS; round++) {
        bool changed, complete;
        int64_t at = 0, last;
        rc = audit_scan(c, have, head, &changed, &at, &last, &complete, err);
        if (rc)
            return rc;
        if (changed) {
            raise_seq(ix, at - 1);
            want_build(at);
            return 0;
        }
        if (complete) {
            raise_seq(ix, head);
            return 1;
        }
        raise_seq(ix, last);
        have = last;
    }
    return 0; /* a long run of reads and logins: the next list goes on from here */
}

int zg_member_index_page(zg_conn_t *c, zg_arena_t *a, int64_t scope, const zg_member_query_t *q,
                         int64_t **ids, size_t *n, int64_t *total, zg_error_t *err)
{
    *ids = NULL;
    *n = 0;
    mindex_t *ix = eligible(q) ? acquire(c) : NULL;
    int rc = 0;
    if (ix) {
        rc = freshen(c, ix, err);
        if (rc == 1)
            rc = select_page(ix, a, scope, q, ids, n, total);
        index_release(ix);
    }
    atomic_store(&last_used, rc == 1);
    atomic_fetch_add(rc == 1 ? &by_index : &by_sql, 1);
    return rc;
}

void zg_member_index_status(zg_member_index_status_t *out)
{
    memset(out, 0, sizeof *out);
    pthread_mutex_lock(&svc.mu);
    out->enabled = svc.enabled;
    out->running = svc.running;
    out->built = svc.current != NULL;
    out->builds = svc.builds;
    out->failures = svc.failures;
    out->last_build_seconds = svc.last_build_seconds;
    if (svc.current) {
        out->seq = atomic_load(&svc.current->seq);
        out->members = (int64_t)svc.current->n;
        out->orgs = (int64_t)svc.current->norgs;
    }
    pthread_mutex_unlock(&svc.mu);
    out->by_index = atomic_load(&by_index);
    out->by_sql = atomic_load(&by_sql);
    out->last_used_index = atomic_load(&last_used);
}

int zg_member_index_wait_fresh(zg_conn_t *c, int timeout_ms, zg_error_t *err)
{
    struct timespec until = zg_deadline_ms(timeout_ms > 0 ? timeout_ms : 0);
    for (;;) {
        mindex_t *ix = acquire(c);
        int rc = ix ? freshen(c, ix, err) : 0;
        index_release(ix);
        if (rc < 0)
            return rc;
        if (rc == 1)
            return ZG_OK;
        pthread_mutex_lock(&svc.mu);
        int w = 0;
        if (svc.enabled && need_build())
            w = pthread_cond_timedwait(&svc.built, &svc.mu, &until);
        bool off = !svc.enabled || (!need_build() && !svc.current);
        pthread_mutex_unlock(&svc.mu);
        if (w == ETIMEDOUT || off)
            return zg_error_set(err, ZG_ERR_BUSY, "member_index_not_ready", "成员索引尚未就绪",
                                "member index not fresh within %d ms", timeout_ms);
    }
}

/* The org of `id` in the current index, under svc.mu. */
static const org_t *current_org(int64_t id)
{
    return svc.current ? find_org(svc.current->orgs, svc.current->norgs, id) : NULL;
}

int zg_member_index_in_subtree(int64_t root, int64_t org)
{
    pthread_mutex_lock(&svc.mu);
    const org_t *r = current_org(root), *o = current_org(org);
    int in = r && o ? (o->pre >= r->pre && o->pre < r->end) : -1;
    pthread_mutex_unlock(&svc.mu);
    return in;
}

int64_t zg_member_index_subtree_size(int64_t root)
{
    pthread_mutex_lock(&svc.mu);
    const org_t *r = current_org(root);
    int64_t n = r ? (int64_t)(r->end - r->pre) : -1;
    pthread_mutex_unlock(&svc.mu);
    return n;
}
