/* stats_service.c — the process-wide statistics snapshot: reference-counted snapshots with a
 * pool of result buffers, and the refresher thread that rebuilds the snapshot from the
 * database when the data changed (stats_service.h, "Freshness").
 *
 * Locks. `svc.mu` guards the service's fields (current snapshot pointer, thread state,
 * counters) and is held only for a few loads and stores: never during a build, a query or a
 * computation. A reader takes it to copy `current` and raise its count, so a reader never
 * waits for a build and a build never waits for readers; the old snapshot is freed by
 * whoever drops its last reference. Each reference has its own mutex for its result pool. */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/clock.h"
#include "core/log.h"
#include "db/db.h"
#include "modules/audit/audit.h"
#include "modules/stats/stats_service.h"

/* ---- references ------------------------------------------------------------------------- */

/* A result buffer and the number of orgs its rows can hold. `res` is first, so a
 * zg_stats_result_t * handed out is also the pooled_t *. */
typedef struct pooled {
    zg_stats_result_t res;
    uint32_t cap_orgs;
} pooled_t;

struct zg_stats_ref {
    atomic_uint_fast32_t count;
    zg_stats_snapshot_t *snap;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int max_results, made;
    pooled_t *free_list[ZG_STATS_RESULTS_MAX];
    int n_free;
};

/* Buffers of released snapshots, for the next one: a new snapshot every few seconds while
 * writes go on would otherwise make its first requests allocate and touch n_orgs × 192 bytes
 * (10 MiB, 25 ms at 1M members) again. The rows need no clearing: a compute writes every cell
 * of every row it covers before reading it (stats_engine.c: own_row, then row_add). */
#define SPARES_MAX 8
static struct {
    pthread_mutex_t mu;
    pooled_t *items[SPARES_MAX];
    int n;
} spares = {.mu = PTHREAD_MUTEX_INITIALIZER};

static void pooled_free(pooled_t *p)
{
    zg_stats_result_free(&p->res);
    free(p);
}

static void spare_put(pooled_t *p)
{
    pthread_mutex_lock(&spares.mu);
    if (spares.n < SPARES_MAX) {
        p->res.snap = NULL;
        spares.items[spares.n++] = p;
        p = NULL;
    }
    pthread_mutex_unlock(&spares.mu);
    if (p)
        pooled_free(p);
}

/* A spare that holds at least `orgs` rows, or NULL. */
static pooled_t *spare_take(uint32_t orgs)
{
    pooled_t *p = NULL;
    pthread_mutex_lock(&spares.mu);
    for (int i = spares.n - 1; i >= 0; i--)
        if (spares.items[i]->cap_orgs >= orgs) {
            p = spares.items[i];
            spares.items[i] = spares.items[--spares.n];
            break;
        }
    pthread_mutex_unlock(&spares.mu);
    return p;
}

static void spares_drop(void)
{
    pthread_mutex_lock(&spares.mu);
    int n = spares.n;
    pooled_t *items[SPARES_MAX];
    memcpy(items, spares.items, sizeof items);
    spares.n = 0;
    pthread_mutex_unlock(&spares.mu);
    for (int i = 0; i < n; i++)
        pooled_free(items[i]);
}

int zg_stats_ref_new(zg_stats_snapshot_t *snap, int max_results, zg_stats_ref_t **out)
{
    *out = NULL;
    zg_stats_ref_t *ref = calloc(1, sizeof *ref);
    if (!ref) {
        zg_stats_snapshot_free(snap);
        return ZG_ERR_NOMEM;
    }
    atomic_init(&ref->count, 1);
    ref->snap = snap;
    ref->max_results = max_results < 1                      ? 1
                       : max_results > ZG_STATS_RESULTS_MAX ? ZG_STATS_RESULTS_MAX
                                                            : max_results;
    pthread_mutex_init(&ref->mu, NULL);
    pthread_cond_init(&ref->cv, NULL);
    *out = ref;
    return ZG_OK;
}

void zg_stats_ref_retain(zg_stats_ref_t *ref)
{
    atomic_fetch_add_explicit(&ref->count, 1, memory_order_relaxed);
}

void zg_stats_release(zg_stats_ref_t *ref)
{
    if (!ref || atomic_fetch_sub_explicit(&ref->count, 1, memory_order_acq_rel) != 1)
        return;
    for (int i = 0; i < ref->n_free; i++)
        spare_put(ref->free_list[i]);
    zg_stats_snapshot_free(ref->snap);
    pthread_mutex_destroy(&ref->mu);
    pthread_cond_destroy(&ref->cv);
    free(ref);
}

const zg_stats_snapshot_t *zg_stats_ref_snapshot(const zg_stats_ref_t *ref)
{
    return ref->snap;
}

int zg_stats_ref_result_get(zg_stats_ref_t *ref, zg_stats_result_t **out, zg_error_t *err)
{
    *out = NULL;
    pthread_mutex_lock(&ref->mu);
    while (!ref->n_free && ref->made >= ref->max_results)
        pthread_cond_wait(&ref->cv, &ref->mu);
    if (ref->n_free) {
        *out = &ref->free_list[--ref->n_free]->res;
        pthread_mutex_unlock(&ref->mu);
        return ZG_OK;
    }
    ref->made++;
    pthread_mutex_unlock(&ref->mu);
    /* reuse a released snapshot's buffer, or allocate (and touch) one, outside the lock */
    pooled_t *p = spare_take(ref->snap->n_orgs);
    if (p) {
        p->res.snap = ref->snap;
        p->res.lo = p->res.hi = 0;
        *out = &p->res;
        return ZG_OK;
    }
    p = calloc(1, sizeof *p);
    if (p && zg_stats_result_init(&p->res, ref->snap) == ZG_OK) {
        p->cap_orgs = ref->snap->n_orgs;
        *out = &p->res;
        return ZG_OK;
    }
    free(p);
    pthread_mutex_lock(&ref->mu);
    ref->made--;
    pthread_cond_signal(&ref->cv);
    pthread_mutex_unlock(&ref->mu);
    return zg_error_set(err, ZG_ERR_NOMEM, "no_memory", "内存不足", "stats result buffer");
}

void zg_stats_ref_result_put(zg_stats_ref_t *ref, zg_stats_result_t *res)
{
    if (!res)
        return;
    pthread_mutex_lock(&ref->mu);
    ref->free_list[ref->n_free++] = (pooled_t *)res;
    pthread_cond_signal(&ref->cv);
    pthread_mutex_unlock(&ref->mu);
}

/* ---- the service ------------------------------------------------------------------------ */

#define RETRY_MS         5000 /* after a failed build */
#define AUDIT_BATCH      500  /* audit entries one poll looks at */
#define STOP_JOIN_NOTICE 5    /* seconds: log if stopping takes longer */

static struct {
    pthread_mutex_t mu;
    pthread_cond_t wake;  /* the refresher waits here */
    pthread_cond_t built; /* waiters for a (new) snapshot wait here */
    bool running, stopping;
    pthread_t thread;
    zg_db_t *db;
    zg_stats_service_settings_t set;
    zg_stats_ref_t *current;
    uint64_t built_generation; /* generation read when the current snapshot's build began */
    uint64_t builds, failures;
    double last_build_seconds;
    zg_error_t first_error; /* the last failure while there is no snapshot */
    bool has_error;
    int64_t audit_seq; /* the audit log's newest seq the current snapshot covers */
} svc = {
    .mu = PTHREAD_MUTEX_INITIALIZER,
    .wake = PTHREAD_COND_INITIALIZER,
    .built = PTHREAD_COND_INITIALIZER,
};

static atomic_uint_fast64_t generation; /* changes signalled */
static atomic_bool cancel_build;        /* set by stop: the loader gives up between batches */

void zg_stats_service_defaults(zg_stats_service_settings_t *s)
{
    s->refresh_seconds = 60;
    s->poll_ms = 500;
    s->settle_ms = 20;
    s->max_results = 4;
}

void zg_stats_invalidate(void)
{
    atomic_fetch_add(&generation, 1);
    pthread_mutex_lock(&svc.mu);
    pthread_cond_signal(&svc.wake);
    pthread_mutex_unlock(&svc.mu);
}

/* Looks at the audit entries after `*seq`: true when one of them changed data. Advances *seq
 * over what it read. */
static bool audit_changed(zg_db_t *db, int64_t *seq)
{
    zg_error_t err;
    zg_conn_t *c = zg_db_conn(db, &err);
    if (!c)
        return false;
    zg_rows_t *r;
    zg_param_t p[] = {ZG_P_INT(*seq), ZG_P_INT(AUDIT_BATCH)};
    if (zg_db_query(c,
                    "SELECT seq, action FROM audit_log WHERE seq > $1 AND outcome = 'ok' "
                    "ORDER BY seq LIMIT $2",
                    p, 2, &r, &err)) {
        zg_log_warn("stats: audit poll failed: %s", err.detail);
        return false;
    }
    bool changed = false;
    int rc;
    while ((rc = zg_rows_next(r, &err)) == 1) {
        *seq = zg_rows_int(r, 0);
        if (zg_audit_action_changes_data(zg_rows_text(r, 1)))
            changed = true;
    }
    zg_rows_close(r);
    return changed;
}

/* Builds a snapshot and makes it current. Called by the refresher without the lock. */
static void build_once(void)
{
    uint64_t g = atomic_load(&generation);
    pthread_mutex_lock(&svc.mu);
    uint64_t version = svc.builds + 1;
    zg_db_t *db = svc.db;
    int max_results = svc.set.max_results;
    pthread_mutex_unlock(&svc.mu);

    zg_stats_snapshot_t *snap = NULL;
    zg_stats_db_info_t info;
    zg_error_t err;
    int rc = zg_stats_db_load(db, version, &cancel_build, &snap, &info, &err);
    zg_stats_ref_t *ref = NULL;
    if (rc == ZG_OK && zg_stats_ref_new(snap, max_results, &ref) != ZG_OK)
        rc = zg_error_set(&err, ZG_ERR_NOMEM, "no_memory", "内存不足", "stats ref");

    pthread_mutex_lock(&svc.mu);
    zg_stats_ref_t *old = NULL;
    if (rc == ZG_OK) {
        old = svc.current;
        svc.current = ref;
        svc.built_generation = g;
        svc.builds++;
        svc.last_build_seconds = info.seconds;
        svc.has_error = false;
        if (info.audit_seq > svc.audit_seq)
            svc.audit_seq = info.audit_seq;
    } else {
        svc.failures++;
        if (!svc.current) {
            svc.first_error = err;
            svc.has_error = true;
        }
    }
    pthread_cond_broadcast(&svc.built);
    pthread_mutex_unlock(&svc.mu);
    zg_stats_release(old);

    if (rc == ZG_OK) {
        zg_log_debug("stats: snapshot %llu built in %.3f s: %llu orgs, %llu spans → %llu records "
                     "(%llu clamped, %llu skipped)",
                     (unsigned long long)version, info.seconds, (unsigned long long)info.orgs,
                     (unsigned long long)info.spans, (unsigned long long)info.records,
                     (unsigned long long)info.clamped, (unsigned long long)info.skipped);
    } else if (rc != ZG_ERR_BUSY || !atomic_load(&cancel_build)) {
        zg_log_warn("stats: snapshot build failed: %s (%s)", err.message, err.detail);
    }
}

static void *refresher(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&svc.mu);
    int64_t last_build = 0, last_poll = zg_mono_ms(), retry_at = 0;
    bool first = true;
    while (!svc.stopping) {
        int64_t now = zg_mono_ms();
        bool need = first || atomic_load(&generation) != svc.built_generation;
        if (!need && svc.set.refresh_seconds > 0 &&
            now - last_build >= (int64_t)svc.set.refresh_seconds * 1000)
            need = true;
        if (!need && svc.set.poll_ms > 0 && now - last_poll >= svc.set.poll_ms) {
            int64_t seq = svc.audit_seq;
            zg_db_t *db = svc.db;
            pthread_mutex_unlock(&svc.mu);
            bool changed = audit_changed(db, &seq);
            pthread_mutex_lock(&svc.mu);
            if (seq > svc.audit_seq)
                svc.audit_seq = seq;
            if (changed)
                atomic_fetch_add(&generation, 1);
            last_poll = zg_mono_ms();
            continue;
        }
        if (need && now < retry_at && !first) {
            /* the last build failed: wait before the next attempt */
            struct timespec ts = zg_deadline_ms(retry_at - now);
            pthread_cond_timedwait(&svc.wake, &svc.mu, &ts);
            continue;
        }
        if (need) {
            if (!first && svc.set.settle_ms > 0) {
                /* let a burst of writes finish: one rebuild for all of them */
                struct timespec ts = zg_deadline_ms(svc.set.settle_ms);
                while (!svc.stopping && pthread_cond_timedwait(&svc.wake, &svc.mu, &ts) == 0)
                    ;
                if (svc.stopping)
                    break;
            }
            first = false;
            uint64_t failures = svc.failures;
            pthread_mutex_unlock(&svc.mu);
            build_once();
            pthread_mutex_lock(&svc.mu);
            last_build = zg_mono_ms();
            retry_at = svc.failures != failures ? last_build + RETRY_MS : 0;
            continue;
        }
        /* sleep until the next poll or the periodic rebuild, or a signal */
        int64_t wait = INT64_MAX;
        if (svc.set.poll_ms > 0)
            wait = last_poll + svc.set.poll_ms - now;
        if (svc.set.refresh_seconds > 0) {
            int64_t w = last_build + (int64_t)svc.set.refresh_seconds * 1000 - now;
            if (w < wait)
                wait = w;
        }
        if (wait == INT64_MAX) {
            pthread_cond_wait(&svc.wake, &svc.mu);
        } else if (wait > 0) {
            struct timespec ts = zg_deadline_ms(wait);
            pthread_cond_timedwait(&svc.wake, &svc.mu, &ts);
        }
    }
    pthread_mutex_unlock(&svc.mu);
    return NULL;
}

int zg_stats_service_start(zg_db_t *db, const zg_stats_service_settings_t *s, zg_error_t *err)
{
    pthread_mutex_lock(&svc.mu);
    if (svc.running) {
        bool same = svc.db == db;
        pthread_mutex_unlock(&svc.mu);
        return same ? ZG_OK
                    : zg_error_set(err, ZG_ERR_CONFLICT, "stats_service_busy",
                                   "统计服务已用于另一个数据库",
                                   "stats service runs for another db");
    }
    zg_stats_service_defaults(&svc.set);
    if (s) {
        svc.set = *s;
        if (svc.set.max_results < 1)
            svc.set.max_results = 1;
        if (svc.set.refresh_seconds < 0)
            svc.set.refresh_seconds = 0;
        if (svc.set.poll_ms < 0)
            svc.set.poll_ms = 0;
        if (svc.set.settle_ms < 0)
            svc.set.settle_ms = 0;
    }
    svc.db = db;
    svc.stopping = false;
    svc.has_error = false;
    svc.audit_seq = 0;
    svc.built_generation = 0;
    atomic_store(&cancel_build, false);
    int rc = pthread_create(&svc.thread, NULL, refresher, NULL);
    if (rc) {
        pthread_mutex_unlock(&svc.mu);
        return zg_error_set(err, ZG_ERR_INTERNAL, "stats_thread", "统计服务启动失败",
                            "pthread_create: %s", strerror(rc));
    }
    svc.running = true;
    pthread_mutex_unlock(&svc.mu);
    zg_log_debug("stats: service started (refresh %d s, poll %d ms)", svc.set.refresh_seconds,
                 svc.set.poll_ms);
    return ZG_OK;
}

void zg_stats_service_stop(void)
{
    pthread_mutex_lock(&svc.mu);
    if (!svc.running) {
        pthread_mutex_unlock(&svc.mu);
        return;
    }
    svc.stopping = true;
    atomic_store(&cancel_build, true);
    pthread_cond_broadcast(&svc.wake);
    pthread_cond_broadcast(&svc.built);
    pthread_t t = svc.thread;
    pthread_mutex_unlock(&svc.mu);
    pthread_join(t, NULL);
    pthread_mutex_lock(&svc.mu);
    zg_stats_ref_t *old = svc.current;
    svc.current = NULL;
    svc.running = false;
    svc.db = NULL;
    svc.has_error = false;
    pthread_cond_broadcast(&svc.built);
    pthread_mutex_unlock(&svc.mu);
    zg_stats_release(old);
    spares_drop();
}

int zg_stats_acquire(zg_db_t *db, int wait_ms, zg_stats_ref_t **out, zg_error_t *err)
{
    *out = NULL;
    pthread_mutex_lock(&svc.mu);
    if (svc.current && svc.db == db) {
        /* the common path: a pointer copy and an increment under the lock */
        zg_stats_ref_retain(svc.current);
        *out = svc.current;
        pthread_mutex_unlock(&svc.mu);
        return ZG_OK;
    }
    bool running = svc.running;
    pthread_mutex_unlock(&svc.mu);
    if (!running) {
        int rc = zg_stats_service_start(db, NULL, err);
        if (rc)
            return rc;
    }
    struct timespec ts = zg_deadline_ms(wait_ms > 0 ? wait_ms : 0);
    pthread_mutex_lock(&svc.mu);
    if (svc.db != db) {
        pthread_mutex_unlock(&svc.mu);
        return zg_error_set(err, ZG_ERR_CONFLICT, "stats_service_busy",
                            "统计服务已用于另一个数据库", "stats service runs for another db");
    }
    while (!svc.current && !svc.has_error && svc.running && !svc.stopping) {
        if (pthread_cond_timedwait(&svc.built, &svc.mu, &ts) == ETIMEDOUT)
            break;
    }
    int rc = ZG_OK;
    if (svc.current) {
        zg_stats_ref_retain(svc.current);
        *out = svc.current;
    } else if (svc.has_error) {
        if (err)
            *err = svc.first_error;
        rc = svc.first_error.status ? svc.first_error.status : ZG_ERR_INTERNAL;
    } else {
        rc = zg_error_set(err, ZG_ERR_BUSY, "stats_not_ready", "统计数据正在生成，请稍后重试",
                          "no stats snapshot yet");
    }
    pthread_mutex_unlock(&svc.mu);
    return rc;
}

int zg_stats_refresh_sync(zg_db_t *db, int timeout_ms, zg_error_t *err)
{
    pthread_mutex_lock(&svc.mu);
    bool running = svc.running;
    pthread_mutex_unlock(&svc.mu);
    if (!running) {
        int rc = zg_stats_service_start(db, NULL, err);
        if (rc)
            return rc;
    }
    uint64_t target = atomic_fetch_add(&generation, 1) + 1;
    struct timespec ts = zg_deadline_ms(timeout_ms > 0 ? timeout_ms : 0);
    pthread_mutex_lock(&svc.mu);
    pthread_cond_signal(&svc.wake);
    uint64_t failures = svc.failures;
    int rc = ZG_OK;
    while (!(svc.current && svc.built_generation >= target)) {
        if (!svc.running || svc.stopping || svc.failures != failures ||
            pthread_cond_timedwait(&svc.built, &svc.mu, &ts) == ETIMEDOUT) {
            rc = zg_error_set(err, ZG_ERR_BUSY, "stats_not_ready", "统计数据正在生成，请稍后重试",
                              "no fresh stats snapshot in %d ms", timeout_ms);
            break;
        }
    }
    pthread_mutex_unlock(&svc.mu);
    return rc;
}

void zg_stats_service_status(zg_stats_service_status_t *out)
{
    memset(out, 0, sizeof *out);
    pthread_mutex_lock(&svc.mu);
    out->running = svc.running;
    out->generation = atomic_load(&generation);
    out->built_generation = svc.built_generation;
    out->builds = svc.builds;
    out->failures = svc.failures;
    out->last_build_seconds = svc.last_build_seconds;
    if (svc.current) {
        const zg_stats_snapshot_t *s = svc.current->snap;
        out->version = s->version;
        memcpy(out->data_as_of, s->data_as_of, sizeof out->data_as_of);
        out->orgs = s->n_orgs;
        out->records = s->n_records;
    }
    pthread_mutex_unlock(&svc.mu);
}
