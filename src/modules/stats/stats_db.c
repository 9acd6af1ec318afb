/* stats_db.c — the database loader of the statistics engine: builds a snapshot (stats.h)
 * from the org tree (0003_org.sql) and the members' effective-dated spans (0006_member.sql)
 * in one read transaction, streaming the rows into the builder.
 *
 * What a record is. membership_span holds, per member, the org and status from valid_from
 * to valid_to (exclusive): a transfer on day D closes the old span at D and opens a new one
 * at D, a conversion closes the probationary span and opens a full one. The engine wants one
 * record per interval in which the org and the counted attributes stay the same, with the
 * conversion as a field. So the spans are read in (membership, valid_from) order (the order of
 * the index membership_span_member, so no sort where the planner walks it) and a span
 * that continues the previous one of the same member in the same org (contiguous, and the
 * same status or probationary → full) extends that record instead of opening a new one; a
 * record that starts full has conversion = its start. Suspended, removed, deceased and
 * transferred-out spans are not read: those are not members (the bulletin counts
 * probationary and full members only).
 *
 * Streaming. SQLite: one cursor over the query. PostgreSQL: libpq loads a whole result into
 * memory, so the query runs as a server-side cursor (DECLARE … NO SCROLL CURSOR inside the
 * read transaction) fetched in batches of ZG_STREAM_BATCH rows (db/stream.h); the transaction
 * (REPEATABLE READ READ ONLY, db/pg.c) keeps every batch on the same snapshot. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/clock.h"
#include "core/log.h"
#include "db/db.h"
#include "db/stream.h"
#include "modules/member/member.h"
#include "modules/stats/stats_service.h"

#define WARN_MAX 5 /* skipped spans named in the log per load */

/* ---- categories ------------------------------------------------------------------------- */

int zg_stats_db_domain(const char *domain)
{
    static const char *const keys[ZG_STATS_DOMAIN_COUNT] = {
        NULL,       "rural", "community", "agency",     "school",
        "hospital", "soe",   "emerging",  "university", "institute",
    };
    if (!domain || !*domain)
        return ZG_STATS_DOMAIN_NONE;
    for (int i = 1; i < ZG_STATS_DOMAIN_COUNT; i++)
        if (!strcmp(domain, keys[i]))
            return i;
    return ZG_STATS_DOMAIN_NONE;
}

int zg_stats_db_org_kind(const char *kind, const char *category, const char *domain)
{
    if (!kind)
        return ZG_STATS_KIND_OTHER;
    if (!strcmp(kind, "committee")) {
        bool has_category = category && *category;
        if (has_category)
            return category[0] == '1' ? ZG_STATS_KIND_LOCAL : ZG_STATS_KIND_COMMITTEE;
        return (domain && *domain) ? ZG_STATS_KIND_COMMITTEE : ZG_STATS_KIND_LOCAL;
    }
    if (!strcmp(kind, "general_branch"))
        return ZG_STATS_KIND_GENERAL_BRANCH;
    if (!strcmp(kind, "branch") || !strcmp(kind, "joint_branch"))
        return ZG_STATS_KIND_BRANCH;
    return ZG_STATS_KIND_OTHER;
}

int zg_stats_db_edu(const char *education)
{
    /* zg_member_edu_category's categories are the engine's, in the same order */
    _Static_assert((int)ZG_MEMBER_EDU_POSTGRAD == (int)ZG_STATS_EDU_POSTGRAD &&
                       (int)ZG_MEMBER_EDU_UNDERGRAD == (int)ZG_STATS_EDU_UNDERGRAD &&
                       (int)ZG_MEMBER_EDU_COLLEGE == (int)ZG_STATS_EDU_COLLEGE &&
                       (int)ZG_MEMBER_EDU_SECONDARY == (int)ZG_STATS_EDU_SECONDARY &&
                       (int)ZG_MEMBER_EDU_JUNIOR == (int)ZG_STATS_EDU_JUNIOR,
                   "education categories of the member module and the engine differ");
    int e = zg_member_edu_category(education);
    return e < 0 ? ZG_STATS_EDU_JUNIOR : e;
}

int zg_stats_db_occ(const char *occupation)
{
    static const struct {
        const char *key;
        int occ;
    } map[] = {
        {"worker", ZG_STATS_OCC_WORKER},
        {"farmer", ZG_STATS_OCC_FARMER},
        {"professional", ZG_STATS_OCC_PROFESSIONAL},
        {"manager", ZG_STATS_OCC_MANAGER},
        {"official", ZG_STATS_OCC_OFFICIAL},
        {"student", ZG_STATS_OCC_STUDENT},
        {"other", ZG_STATS_OCC_OTHER},
        {"retired", ZG_STATS_OCC_RETIRED},
    };
    if (occupation)
        for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
            if (!strcmp(occupation, map[i].key))
                return map[i].occ;
    return ZG_STATS_OCC_OTHER;
}

bool zg_stats_db_minority(const char *e)
{
    if (!e || strlen(e) != 2 || e[0] < '0' || e[0] > '9' || e[1] < '0' || e[1] > '9')
        return false;
    int code = (e[0] - '0') * 10 + (e[1] - '0');
    return code >= 2 && code <= 56;
}

/* ---- orgs ------------------------------------------------------------------------------- */

#define ORG_SQL                                                                                    \
    "SELECT id, parent_id, kind, category, domain, founded_on, status, dissolved_on FROM org "     \
    "ORDER BY sort, id"

/* A date column: true with *out set when present and valid. */
static bool col_date(zg_rows_t *r, int col, zg_date_t *out)
{
    if (zg_rows_isnull(r, col))
        return false;
    const char *t = zg_rows_text(r, col);
    return zg_date_parse_n(t, strlen(t), out) == ZG_OK;
}

static const char *col_text(zg_rows_t *r, int col)
{
    return zg_rows_isnull(r, col) ? NULL : zg_rows_text(r, col);
}

/* The snapshot's date range as zg_date_t. */
static zg_date_t day_min(void)
{
    return zg_stats_day_to_date(0);
}

static zg_date_t day_max(void)
{
    return zg_stats_day_to_date(ZG_STATS_DAY_MAX);
}

/* Fills an org from a row of ORG_SQL. Dates outside the snapshot's range are clamped (a
 * founding before 1900 means "always"); a founding date not before the dissolution is
 * ignored; a dissolved org without a dissolution date counts on no day after 1900-01-01. */
static void org_from_row(zg_rows_t *r, zg_stats_org_in_t *o)
{
    memset(o, 0, sizeof *o);
    o->id = zg_rows_int(r, 0);
    o->parent_id = zg_rows_isnull(r, 1) ? 0 : zg_rows_int(r, 1);
    const char *domain = col_text(r, 4);
    o->kind = zg_stats_db_org_kind(col_text(r, 2), col_text(r, 3), domain);
    o->domain = zg_stats_db_domain(domain);
    zg_date_t d;
    if (col_date(r, 5, &d) && d > day_min()) {
        o->has_from = true;
        o->active_from = d < day_max() ? d : day_max();
    }
    if (strcmp(zg_rows_text(r, 6), "dissolved") != 0)
        return;
    o->has_to = true;
    if (col_date(r, 7, &d)) {
        o->active_to = d <= day_min() ? day_min() + 1 : (d > day_max() ? day_max() : d);
        if (o->has_from && o->active_from >= o->active_to)
            o->has_from = false;
    } else {
        o->has_from = true;
        o->active_from = day_min();
        o->active_to = day_min() + 1;
    }
}

static int load_orgs(zg_conn_t *c, const atomic_bool *cancel, zg_stats_builder_t *b,
                     zg_stats_db_info_t *info, zg_error_t *err)
{
    zg_stream_t s;
    int rc = zg_stream_open(&s, c, "zg_stats_orgs", ORG_SQL, cancel, err);
    if (rc)
        return rc;
    while ((rc = zg_stream_next(&s, err)) == 1) {
        zg_stats_org_in_t o;
        org_from_row(zg_stream_rows(&s), &o);
        rc = zg_stats_builder_add_org(b, &o, err);
        if (rc)
            break;
        info->orgs++;
    }
    zg_stream_close(&s);
    return rc < 0 ? rc : ZG_OK;
}

/* ---- member spans ----------------------------------------------------------------------- */

#define SPAN_SQL                                                                                   \
    "SELECT s.membership_id, s.org_id, s.status, s.valid_from, s.valid_to, m.joined_on, "          \
    "p.gender, p.ethnicity, p.birth_date, p.education, p.occupation "                              \
    "FROM membership_span s JOIN membership m ON m.id = s.membership_id "                          \
    "JOIN person p ON p.id = m.person_id "                                                         \
    "WHERE s.status IN ('probationary', 'full') "                                                  \
    "ORDER BY s.membership_id, s.valid_from"

typedef struct pending {
    bool has;
    int64_t membership_id;
    bool full; /* the status of the record's last span */
    zg_stats_record_in_t rec;
} pending_t;

typedef struct span_loader {
    zg_stats_builder_t *b;
    zg_stats_db_info_t *info;
    pending_t p;
    int warned;
} span_loader_t;

static int flush_pending(span_loader_t *l, zg_error_t *err)
{
    if (!l->p.has)
        return ZG_OK;
    l->p.has = false;
    int rc = zg_stats_builder_add_record(l->b, &l->p.rec, err);
    if (rc == ZG_OK)
        l->info->records++;
    return rc;
}

static void skip(span_loader_t *l, int64_t membership_id, const char *why)
{
    l->info->skipped++;
    if (l->warned++ < WARN_MAX)
        zg_log_warn("stats: span of membership %lld left out: %s", (long long)membership_id, why);
}

/* One row of SPAN_SQL. */
static int add_span(span_loader_t *l, zg_rows_t *r, zg_error_t *err)
{
    l->info->spans++;
    int64_t mid = zg_rows_int(r, 0);
    int64_t org = zg_rows_int(r, 1);
    bool full = !strcmp(zg_rows_text(r, 2), "full");
    zg_date_t from, to = 0, join, birth;
    bool open = !col_date(r, 4, &to);
    if (!col_date(r, 3, &from) || !col_date(r, 5, &join)) {
        skip(l, mid, "no valid start or join date");
        return ZG_OK;
    }
    if (!col_date(r, 8, &birth)) {
        skip(l, mid, "no birth date");
        return ZG_OK;
    }
    bool clamped = false;
    if (birth < day_min())
        birth = day_min(), clamped = true;
    if (join < day_min())
        join = day_min(), clamped = true;
    if (join < birth) {
        skip(l, mid, "joined before birth");
        return ZG_OK;
    }
    if (!open && to > day_max())
        open = true;
    if (from < join)
        from = join, clamped = true;
    if ((!open && to <= from) || from > day_max()) {
        skip(l, mid,
             (!open && to <= from) ? "span ends before joining (or is empty)"
                                   : "span starts after 2079-06-05");
        return ZG_OK;
    }
    if (clamped)
        l->info->clamped++;

    pending_t *p = &l->p;
    if (p->has && p->membership_id == mid && p->rec.org_id == org && !p->rec.open &&
        p->rec.to == from && (p->full == full || (!p->full && full))) {
        if (full && !p->full) {
            p->rec.converted = true;
            p->rec.conversion = from;
        }
        p->full = full;
        p->rec.to = to;
        p->rec.open = open;
        return ZG_OK;
    }
    int rc = flush_pending(l, err);
    if (rc)
        return rc;
    p->has = true;
    p->membership_id = mid;
    p->full = full;
    p->rec = (zg_stats_record_in_t){
        .org_id = org,
        .birth = birth,
        .join = join,
        .conversion = from,
        .converted = full,
        .from = from,
        .to = to,
        .open = open,
        .female = !strcmp(zg_rows_text(r, 6), "2"),
        .minority = zg_stats_db_minority(col_text(r, 7)),
        .edu = zg_stats_db_edu(col_text(r, 9)),
        .occ = zg_stats_db_occ(col_text(r, 10)),
    };
    return ZG_OK;
}

static int load_spans(zg_conn_t *c, const atomic_bool *cancel, zg_stats_builder_t *b,
                      zg_stats_db_info_t *info, zg_error_t *err)
{
    zg_stream_t s;
    int rc = zg_stream_open(&s, c, "zg_stats_spans", SPAN_SQL, cancel, err);
    if (rc)
        return rc;
    span_loader_t l = {.b = b, .info = info};
    while ((rc = zg_stream_next(&s, err)) == 1) {
        rc = add_span(&l, zg_stream_rows(&s), err);
        if (rc)
            break;
    }
    zg_stream_close(&s);
    if (rc < 0)
        return rc;
    return flush_pending(&l, err);
}

/* ---- the load --------------------------------------------------------------------------- */

typedef struct load_ctx {
    zg_conn_t *c;
    bool pg;
    uint64_t version;
    const atomic_bool *cancel;
    zg_stats_db_info_t *info;
} load_ctx_t;

/* A zg_stats_load_fn: everything inside the caller's read transaction. */
static int db_loader(void *ctx, zg_stats_builder_t *b, zg_error_t *err)
{
    load_ctx_t *x = ctx;
    char at[ZG_TIMESTAMP_SIZE];
    zg_timestamp_now(at); /* before the first read: see zg_stats_db_load */
    int64_t seq = 0;
    int rc =
        zg_db_query_int(x->c, "SELECT COALESCE(max(seq), 0) FROM audit_log", NULL, 0, &seq, err);
    if (rc)
        return rc;
    x->info->audit_seq = seq;
    if (x->pg) {
        /* the cursors are read to the end: plan for all rows, not the first tenth; sort the
         * spans in memory up to 64 MiB (beyond it PostgreSQL spills to disk, still correct) */
        rc = zg_db_exec(x->c, "SET LOCAL cursor_tuple_fraction = 1.0", NULL, 0, NULL, err);
        if (!rc)
            rc = zg_db_exec(x->c, "SET LOCAL work_mem = '64MB'", NULL, 0, NULL, err);
        if (rc)
            return rc;
    }
    rc = load_orgs(x->c, x->cancel, b, x->info, err);
    if (!rc)
        rc = load_spans(x->c, x->cancel, b, x->info, err);
    if (!rc)
        zg_stats_builder_set_source(b, at, x->version);
    return rc;
}

int zg_stats_db_load(zg_db_t *db, uint64_t version, const atomic_bool *cancel,
                     zg_stats_snapshot_t **out, zg_stats_db_info_t *info, zg_error_t *err)
{
    *out = NULL;
    zg_conn_t *c = zg_db_conn(db, err);
    if (!c)
        return ZG_ERR_DB;
    zg_stats_db_info_t local;
    if (!info)
        info = &local;
    memset(info, 0, sizeof *info);
    double t0 = zg_mono_seconds();
    int rc = zg_db_begin(c, ZG_TX_READ, err);
    if (rc)
        return rc;
    load_ctx_t x = {.c = c,
                    .pg = zg_db_kind_of(db) == ZG_DB_POSTGRES,
                    .version = version,
                    .cancel = cancel,
                    .info = info};
    rc = zg_stats_load(db_loader, &x, 0, 0, out, err);
    zg_db_rollback(c); /* read only: nothing to commit; ends the cursors */
    info->seconds = zg_mono_seconds() - t0;
    return rc;
}
