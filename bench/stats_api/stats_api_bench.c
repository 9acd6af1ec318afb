/* stats_api_bench.c — the statistics through the API (docs/performance.md, "Statistics
 * through the API"): answer times of GET /api/v1/stats over real HTTP while members are being
 * written, and how long a write takes to show.
 *
 *   stats_api_bench fill DB MEMBERS
 *       A generated country (zg_stats_gen, the 2024 bulletin's composition) written into the
 *       application's own tables of a new SQLite database: org + org_closure, person,
 *       membership and membership_span (a record split into its probationary and full spans,
 *       as the member module writes them). Then the database loader (zg_stats_db_load) builds
 *       a snapshot from those tables and every org's row at two as-of dates is compared with
 *       the generator's own snapshot: the round trip must be exact.
 *   stats_api_bench serve DB USERNAME PASSWORD CITY_ID COUNTY_ID [WRITES_PER_S]
 *       Starts the server on the database (app open, routes, the statistics service), logs in
 *       as USERNAME, and measures 20 requests each for the city and the county while a writer
 *       thread adds members under the county (zg_member_create + zg_stats_invalidate) at
 *       WRITES_PER_S (default 10); then 10 writes, each followed by polling the county's answer
 *       until it shows the new member. Prints medians.
 * Built and run by bench/stats_api/run.sh. */
#include <curl/curl.h>
#include <jansson.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app/app.h"
#include "core/date.h"
#include "core/log.h"
#include "db/db.h"
#include "http/router.h"
#include "http/server.h"
#include "modules/account/account.h"
#include "modules/member/member.h"
#include "modules/stats/stats_service.h"

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void die(const char *what, const zg_error_t *err)
{
    fprintf(stderr, "%s: %s (%s)\n", what, err ? err->message : "", err ? err->detail : "");
    exit(1);
}

/* ---- fill ------------------------------------------------------------------------------- */

typedef struct fill {
    zg_conn_t *c;
    int64_t *parent;
    int *depth;
    size_t n_orgs, cap_orgs;
    uint8_t *seen; /* member ids already inserted (bitmap) */
    size_t seen_cap;
    uint64_t spans, persons;
    zg_error_t err;
} fill_t;

static const char *edu_code[ZG_STATS_EDU_COUNT] = {"14", "21", "31", "61", "71"};
static const char *occ_key[ZG_STATS_OCC_COUNT] = {"worker",   "farmer",  "professional", "manager",
                                                  "official", "student", "other",        "retired"};

static int fill_org(void *ctx, const zg_stats_gen_org_t *o)
{
    fill_t *f = ctx;
    if ((size_t)o->id >= f->cap_orgs) {
        size_t cap = f->cap_orgs ? f->cap_orgs * 2 : 1024;
        while (cap <= (size_t)o->id)
            cap *= 2;
        f->parent = realloc(f->parent, cap * sizeof *f->parent);
        f->depth = realloc(f->depth, cap * sizeof *f->depth);
        f->cap_orgs = cap;
    }
    f->parent[o->id] = o->parent_id;
    f->depth[o->id] = o->depth;
    f->n_orgs++;
    const char *kind = "work_committee", *category = NULL;
    switch (o->kind) {
    case ZG_STATS_KIND_LOCAL:
        kind = "committee";
        category = o->depth == 1 ? "121" : o->depth == 2 ? "133" : "142";
        break;
    case ZG_STATS_KIND_COMMITTEE:
        kind = "committee";
        category = "611";
        break;
    case ZG_STATS_KIND_GENERAL_BRANCH:
        kind = "general_branch";
        category = "621";
        break;
    case ZG_STATS_KIND_BRANCH:
        kind = "branch";
        category = "631";
        break;
    default:
        break;
    }
    const char *domain = zg_stats_domain_key(o->domain);
    char name[64];
    snprintf(name, sizeof name, "模拟党组织%lld", (long long)o->id);
    zg_param_t p[] = {ZG_P_INT(o->id),     o->parent_id ? ZG_P_INT(o->parent_id) : ZG_P_NULL,
                      ZG_P_TEXT(kind),     ZG_P_TEXT(name),
                      ZG_P_TEXT(category), ZG_P_TEXT(domain && *domain ? domain : NULL),
                      ZG_P_INT(o->depth)};
    if (zg_db_exec(f->c,
                   "INSERT INTO org (id, parent_id, kind, name, category, domain, depth) "
                   "VALUES ($1, $2, $3, $4, $5, $6, $7)",
                   p, 7, NULL, &f->err))
        return 1;
    int d = 0;
    for (int64_t a = o->id; a; a = f->parent[a], d++) {
        zg_param_t q[] = {ZG_P_INT(a), ZG_P_INT(o->id), ZG_P_INT(d)};
        if (zg_db_exec(f->c,
                       "INSERT INTO org_closure (ancestor_id, descendant_id, depth) "
                       "VALUES ($1, $2, $3)",
                       q, 3, NULL, &f->err))
            return 1;
    }
    return 0;
}

static int span(fill_t *f, int64_t mid, int64_t org, const char *status, zg_date_t from,
                zg_date_t to, bool open)
{
    char a[ZG_DATE_STR_SIZE], b[ZG_DATE_STR_SIZE];
    zg_date_format(from, a);
    if (!open)
        zg_date_format(to, b);
    zg_param_t p[] = {ZG_P_INT(mid), ZG_P_INT(org), ZG_P_TEXT(status), ZG_P_TEXT(a),
                      open ? ZG_P_NULL : ZG_P_TEXT(b)};
    f->spans++;
    return zg_db_exec(f->c,
                      "INSERT INTO membership_span (membership_id, org_id, status, valid_from, "
                      "valid_to) VALUES ($1, $2, $3, $4, $5)",
                      p, 5, NULL, &f->err);
}

static int fill_record(void *ctx, const zg_stats_gen_record_t *g)
{
    fill_t *f = ctx;
    const zg_stats_record_in_t *r = &g->rec;
    int64_t mid = g->member_id;
    if ((size_t)mid / 8 >= f->seen_cap) {
        size_t cap = f->seen_cap ? f->seen_cap * 2 : 1 << 16;
        while (cap <= (size_t)mid / 8)
            cap *= 2;
        f->seen = realloc(f->seen, cap);
        memset(f->seen + f->seen_cap, 0, cap - f->seen_cap);
        f->seen_cap = cap;
    }
    if (!(f->seen[mid / 8] & (1u << (mid % 8)))) {
        f->seen[mid / 8] |= (uint8_t)(1u << (mid % 8));
        char birth[ZG_DATE_STR_SIZE], join[ZG_DATE_STR_SIZE], name[32];
        zg_date_format(r->birth, birth);
        zg_date_format(r->join, join);
        snprintf(name, sizeof name, "模拟党员%lld", (long long)mid);
        /* the masked forms the lists show (the sealed values only matter to a full-record
         * view, which these benches do not make) */
        char id_masked[24], phone_masked[16];
        snprintf(id_masked, sizeof id_masked, "%06d********%04d",
                 110000 + (int)(mid % 60) * 1000 + 101, (int)(mid % 10000));
        snprintf(phone_masked, sizeof phone_masked, "13%d****%04d", (int)(mid % 10),
                 (int)((mid * 7919) % 10000));
        zg_param_t p[] = {ZG_P_INT(mid),
                          ZG_P_TEXT(name),
                          ZG_P_TEXT(r->female ? "2" : "1"),
                          ZG_P_TEXT(r->minority ? "02" : "01"),
                          ZG_P_TEXT(birth),
                          ZG_P_TEXT(edu_code[r->edu]),
                          ZG_P_TEXT(occ_key[r->occ]),
                          ZG_P_TEXT(id_masked),
                          ZG_P_TEXT(phone_masked)};
        if (zg_db_exec(f->c,
                       "INSERT INTO person (id, name, gender, ethnicity, birth_date, education, "
                       "occupation, id_number_masked, phone_masked) "
                       "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                       p, 9, NULL, &f->err))
            return 1;
        zg_param_t q[] = {
            ZG_P_INT(mid), ZG_P_INT(r->org_id),
            ZG_P_TEXT(g->current ? (r->converted ? "full" : "probationary") : "removed"),
            ZG_P_TEXT(join)};
        if (zg_db_exec(f->c,
                       "INSERT INTO membership (id, person_id, org_id, status, joined_on) "
                       "VALUES ($1, $1, $2, $3, $4)",
                       q, 4, NULL, &f->err))
            return 1;
        f->persons++;
    }
    /* the record as the member module's spans: probationary until the conversion, full from
     * it (a record that starts after the conversion is full throughout) */
    bool conv_inside =
        r->converted && r->conversion > r->from && (r->open || r->conversion < r->to);
    if (conv_inside) {
        if (span(f, mid, r->org_id, "probationary", r->from, r->conversion, false) ||
            span(f, mid, r->org_id, "full", r->conversion, r->to, r->open))
            return 1;
    } else {
        bool full = r->converted && r->conversion <= r->from;
        if (span(f, mid, r->org_id, full ? "full" : "probationary", r->from, r->to, r->open))
            return 1;
    }
    return 0;
}

static int cmd_fill(const char *path, uint64_t members)
{
    zg_error_t err;
    zg_db_t *db;
    if (strncmp(path, "postgres", 8) != 0)
        remove(path);
    if (zg_db_open(path, &db, &err) || zg_db_migrate(db, NULL, &err))
        die("open", &err);
    fill_t f = {.c = zg_db_conn(db, &err)};
    zg_stats_gen_params_t p;
    zg_stats_gen_defaults(&p, members);
    zg_stats_gen_sink_t sink = {.ctx = &f, .org = fill_org, .record = fill_record};
    double t0 = now_ms();
    if (zg_db_begin(f.c, ZG_TX_WRITE, &err))
        die("begin", &err);
    zg_stats_gen_shape_t shape;
    if (zg_stats_gen_run(&p, &sink, &shape, &err))
        die("generate", f.err.detail[0] ? &f.err : &err);
    if (zg_db_kind_of(db) == ZG_DB_POSTGRES) {
        /* explicit ids: move the identity sequences past them */
        static const char *const tables[] = {"org", "person", "membership", "membership_span"};
        for (int i = 0; i < 4; i++) {
            char sql[256];
            snprintf(sql, sizeof sql,
                     "SELECT setval(pg_get_serial_sequence('%s', 'id'), "
                     "(SELECT max(id) FROM %s))",
                     tables[i], tables[i]);
            int64_t v;
            if (zg_db_query_int(f.c, sql, NULL, 0, &v, &err))
                die("setval", &err);
        }
    }
    if (zg_db_commit(f.c, &err))
        die("commit", &err);
    if (zg_db_kind_of(db) == ZG_DB_POSTGRES && zg_db_exec(f.c, "ANALYZE", NULL, 0, NULL, &err))
        die("analyze", &err);
    double t1 = now_ms();
    printf("fill: %u orgs, %llu persons, %llu spans in %.1f s\n", shape.orgs,
           (unsigned long long)f.persons, (unsigned long long)f.spans, (t1 - t0) / 1e3);

    /* the round trip: the loader's snapshot against the generator's */
    zg_stats_snapshot_t *a, *b;
    zg_stats_db_info_t info;
    if (zg_stats_db_load(db, 1, NULL, &a, &info, &err))
        die("load", &err);
    printf("load: %llu orgs, %llu spans → %llu records in %.2f s, snapshot %.1f MiB\n",
           (unsigned long long)info.orgs, (unsigned long long)info.spans,
           (unsigned long long)info.records, info.seconds,
           (double)zg_stats_snapshot_bytes(a) / (1 << 20));
    if (zg_stats_gen_snapshot(&p, &b, &err))
        die("gen snapshot", &err);
    zg_stats_result_t ra, rb;
    if (zg_stats_result_init(&ra, a) || zg_stats_result_init(&rb, b) || a->n_orgs != b->n_orgs) {
        fprintf(stderr, "round trip: org counts differ (%u vs %u)\n", a->n_orgs, b->n_orgs);
        return 1;
    }
    const char *days[] = {"2024-12-31", "2024-01-01", "2020-06-30"};
    for (int k = 0; k < 3; k++) {
        zg_date_t d;
        zg_date_parse(days[k], &d);
        double c0 = now_ms();
        zg_stats_compute(a, d, 0, &ra);
        double c1 = now_ms();
        zg_stats_compute(b, d, 0, &rb);
        size_t bad = 0;
        for (uint32_t o = 0; o < a->n_orgs; o++)
            if (a->org_id[o] != b->org_id[o] ||
                memcmp(zg_stats_row(&ra, o), zg_stats_row(&rb, o), ZG_STATS_CELLS * 4))
                bad++;
        printf("round trip %s: %s (%zu of %u orgs differ); root total %u; compute %.1f ms\n",
               days[k], bad ? "MISMATCH" : "identical", bad, a->n_orgs,
               zg_stats_row(&ra, 0)[ZG_STATS_C_TOTAL], c1 - c0);
        if (bad)
            return 1;
    }
    zg_stats_result_free(&ra);
    zg_stats_result_free(&rb);
    zg_stats_snapshot_free(a);
    zg_stats_snapshot_free(b);
    /* a bench account at the root, a county to ask about */
    int64_t root = 1, county = 0;
    zg_db_query_int(f.c, "SELECT min(id) FROM org WHERE depth = 3", NULL, 0, &county, &err);
    zg_arena_t ar;
    zg_arena_init(&ar, 0, 1 << 20);
    zg_findings_t fi;
    zg_findings_init(&fi, &ar);
    const char *roles[] = {"org_admin"};
    zg_account_new_t acc = {.username = "bench",
                            .display_name = "统计压测",
                            .home_org_id = root,
                            .password = "Perf-Stats-2026x",
                            .roles = roles,
                            .nroles = 1};
    if (zg_account_create(f.c, &acc, NULL, &fi, &err))
        die("account", &err);
    /* and one whose home is the county (bench/api: a county clerk's member list) */
    zg_account_new_t acc2 = {.username = "bench_county",
                             .display_name = "县级压测",
                             .home_org_id = county,
                             .password = "Perf-Stats-2026x",
                             .roles = roles,
                             .nroles = 1};
    if (zg_account_create(f.c, &acc2, NULL, &fi, &err))
        die("account", &err);
    zg_arena_destroy(&ar);
    printf("city (root) %lld, county %lld, accounts bench (root) and bench_county (county) / "
           "Perf-Stats-2026x\n",
           (long long)root, (long long)county);
    free(f.parent);
    free(f.depth);
    free(f.seen);
    zg_db_close(db);
    return 0;
}

/* ---- serve ------------------------------------------------------------------------------ */

typedef struct buf {
    char *p;
    size_t n;
} buf_t;

static size_t on_data(char *p, size_t s, size_t n, void *ud)
{
    buf_t *b = ud;
    b->p = realloc(b->p, b->n + s * n + 1);
    memcpy(b->p + b->n, p, s * n);
    b->n += s * n;
    b->p[b->n] = 0;
    return s * n;
}

static CURL *curl;
static struct curl_slist *auth_hdr;
static int port;

static long http(const char *method, const char *path, const char *body, buf_t *out)
{
    char url[512];
    snprintf(url, sizeof url, "http://127.0.0.1:%d%s", port, path);
    out->p = NULL;
    out->n = 0;
    curl_easy_reset(curl);
    curl_easy_setopt(curl, CURLOPT_URL, url);
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, out);
    struct curl_slist *h = NULL;
    if (body) {
        h = curl_slist_append(h, "Content-Type: application/json");
        curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body);
    }
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, body ? h : auth_hdr);
    curl_easy_perform(curl);
    long st = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &st);
    curl_slist_free_all(h);
    return st;
}

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

typedef struct writer {
    zg_db_t *db;
    int64_t branch, scope;
    int per_s;
    atomic_bool stop;
    int done;
} writer_t;

static int write_member(zg_db_t *db, int64_t branch, int64_t scope, int seq)
{
    zg_error_t err;
    zg_conn_t *c = zg_db_conn(db, &err);
    zg_arena_t a;
    zg_arena_init(&a, 0, 1 << 20);
    zg_member_op_t op;
    zg_member_actor_t actor = {.username = "bench"};
    zg_member_op_init(&op, &a, scope, &actor);
    zg_date_t birth;
    zg_date_parse("1995-06-15", &birth);
    char name[32];
    snprintf(name, sizeof name, "压测党员%d", seq);
    zg_member_input_t in = {.set = ZG_MEMBER_SET_NAME | ZG_MEMBER_SET_GENDER |
                                   ZG_MEMBER_SET_BIRTH_DATE | ZG_MEMBER_SET_ORG |
                                   ZG_MEMBER_SET_JOINED_ON,
                            .name = name,
                            .gender = seq % 3 ? "1" : "2",
                            .birth_date = birth,
                            .org_id = branch,
                            .joined_on = zg_date_today() - 1,
                            .converted_on = ZG_MEMBER_NO_DATE,
                            .work_start_date = ZG_MEMBER_NO_DATE};
    int64_t id;
    int rc = zg_member_create(c, &op, &in, &id, &err);
    if (rc)
        fprintf(stderr, "write: %s %s\n", err.message, err.detail);
    zg_arena_destroy(&a);
    if (!rc)
        zg_stats_invalidate();
    return rc;
}

static void *writer_main(void *p)
{
    writer_t *w = p;
    while (!atomic_load(&w->stop)) {
        if (write_member(w->db, w->branch, w->scope, 100000 + w->done) == 0)
            w->done++;
        struct timespec ts = {0, 1000000000L / w->per_s};
        nanosleep(&ts, NULL);
    }
    return NULL;
}

static json_int_t total_of(const char *path, double *ms)
{
    buf_t b;
    double t0 = now_ms();
    long st = http("GET", path, NULL, &b);
    if (ms)
        *ms = now_ms() - t0;
    json_t *j = st == 200 ? json_loads(b.p, 0, NULL) : NULL;
    if (!j) {
        fprintf(stderr, "%s → %ld: %.200s\n", path, st, b.p ? b.p : "");
        exit(1);
    }
    json_int_t t = json_integer_value(
        json_object_get(json_object_get(json_object_get(j, "row"), "cells"), "total"));
    json_decref(j);
    free(b.p);
    return t;
}

/* 20 requests, `gap_ms` apart (so that writes and rebuilds happen between and during them). */
static void measure(const char *label, const char *path, int gap_ms)
{
    double ms[20];
    json_int_t t = 0;
    total_of(path, NULL); /* warm */
    for (int i = 0; i < 20; i++) {
        t = total_of(path, &ms[i]);
        if (gap_ms) {
            struct timespec ts = {gap_ms / 1000, (long)(gap_ms % 1000) * 1000000L};
            nanosleep(&ts, NULL);
        }
    }
    qsort(ms, 20, sizeof ms[0], cmp_d);
    printf("%-8s %s: members %lld, median %.2f ms, min %.2f, max %.2f (20 requests%s)\n", label,
           path, (long long)t, (ms[9] + ms[10]) / 2, ms[0], ms[19], gap_ms ? ", 150 ms apart" : "");
}

static int cmd_serve(const char *path, const char *user, const char *pass, int64_t city,
                     int64_t county, int per_s)
{
    zg_config_t cfg;
    zg_config_defaults(&cfg);
    snprintf(cfg.db, sizeof cfg.db, "%s", path);
    snprintf(cfg.listen, sizeof cfg.listen, "127.0.0.1:0");
    snprintf(cfg.web_dir, sizeof cfg.web_dir, "/tmp");
    cfg.access_log = false;
    zg_log_set_access(0);
    zg_log_set_level(ZG_LOG_WARN);
    zg_app_t *app;
    zg_server_t *srv;
    zg_error_t err;
    if (zg_app_open(&cfg, &app, &err))
        die("app", &err);
    int rc = zg_stats_routes(app->router); /* until routes.c registers them */
    if (rc && rc != ZG_ERR_CONFLICT)
        die("routes", NULL);
    double b0 = now_ms();
    if (zg_stats_refresh_sync(app->db, 600000, &err))
        die("first snapshot", &err);
    zg_stats_service_status_t st;
    zg_stats_service_status(&st);
    printf("snapshot: %u orgs, %u records, built in %.2f s (first build waited %.2f s)\n", st.orgs,
           st.records, st.last_build_seconds, (now_ms() - b0) / 1e3);
    if (zg_server_start(app, &srv, &err))
        die("server", &err);
    port = zg_server_port(srv);
    curl_global_init(CURL_GLOBAL_DEFAULT);
    curl = curl_easy_init();
    char body[256];
    snprintf(body, sizeof body, "{\"username\":\"%s\",\"password\":\"%s\"}", user, pass);
    buf_t b;
    if (http("POST", "/api/v1/auth/login", body, &b) != 200) {
        fprintf(stderr, "login: %s\n", b.p);
        return 1;
    }
    json_t *j = json_loads(b.p, 0, NULL);
    char hdr[128];
    snprintf(hdr, sizeof hdr, "Authorization: Bearer %s",
             json_string_value(json_object_get(j, "token")));
    json_decref(j);
    free(b.p);
    auth_hdr = curl_slist_append(NULL, hdr);

    char pc[128], pk[128];
    snprintf(pc, sizeof pc, "/api/v1/stats?org_id=%lld", (long long)city);
    snprintf(pk, sizeof pk, "/api/v1/stats?org_id=%lld", (long long)county);
    printf("-- quiet\n");
    measure("city", pc, 0);
    measure("county", pk, 0);

    /* a branch under the county for the writes */
    zg_conn_t *c = zg_db_conn(app->db, &err);
    int64_t branch = 0;
    zg_param_t p[] = {ZG_P_INT(county)};
    zg_db_query_int(c,
                    "SELECT min(o.id) FROM org o JOIN org_closure cl ON cl.descendant_id = o.id "
                    "WHERE cl.ancestor_id = $1 AND o.kind = 'branch'",
                    p, 1, &branch, &err);
    writer_t w = {.db = app->db, .branch = branch, .scope = city, .per_s = per_s};
    pthread_t th;
    pthread_create(&th, NULL, writer_main, &w);
    printf("-- while %d members/s are written under the county (each followed by "
           "zg_stats_invalidate)\n",
           per_s);
    uint64_t builds0;
    zg_stats_service_status(&st);
    builds0 = st.builds;
    double m0 = now_ms();
    measure("city", pc, 150);
    measure("county", pk, 150);
    double m1 = now_ms();
    atomic_store(&w.stop, true);
    pthread_join(th, NULL);
    zg_stats_service_status(&st);
    printf("   %d writes, %llu rebuilds in %.1f s, last build %.3f s\n", w.done,
           (unsigned long long)(st.builds - builds0), (m1 - m0) / 1e3, st.last_build_seconds);

    printf("-- write → visible (10 writes, each polled until the county's total shows it)\n");
    double lat[10];
    if (zg_stats_refresh_sync(app->db, 600000, &err)) /* the writer's backlog first */
        die("refresh", &err);
    for (int i = 0; i < 10; i++) {
        json_int_t before = total_of(pk, NULL);
        double t0 = now_ms();
        write_member(app->db, branch, city, 200000 + i);
        while (total_of(pk, NULL) < before + 1) {
            if (now_ms() - t0 > 60000) {
                fprintf(stderr, "write not visible after 60 s\n");
                return 1;
            }
        }
        lat[i] = now_ms() - t0;
    }
    qsort(lat, 10, sizeof lat[0], cmp_d);
    printf("   median %.0f ms, min %.0f, max %.0f (write commit + settle + rebuild + answer)\n",
           (lat[4] + lat[5]) / 2, lat[0], lat[9]);
    curl_slist_free_all(auth_hdr);
    curl_easy_cleanup(curl);
    zg_server_stop(srv, 5);
    zg_stats_service_stop();
    zg_app_close(app);
    return 0;
}

int main(int argc, char **argv)
{
    zg_log_set_level(ZG_LOG_WARN);
    if (argc == 4 && !strcmp(argv[1], "fill"))
        return cmd_fill(argv[2], strtoull(argv[3], NULL, 10));
    if ((argc == 7 || argc == 8) && !strcmp(argv[1], "serve"))
        return cmd_serve(argv[2], argv[3], argv[4], atoll(argv[5]), atoll(argv[6]),
                         argc == 8 ? atoi(argv[7]) : 10);
    fprintf(stderr, "usage: stats_api_bench fill DB MEMBERS | serve DB USER PASSWORD CITY_ID "
                    "COUNTY_ID [WRITES_PER_S]\n");
    return 2;
}
