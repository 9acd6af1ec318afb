/* account_session_cache.c — a short-lived cache of authenticated sessions, so a request
 * does not read the session, the account and its permissions from the database every time
 * (two queries, about a third of a simple authenticated request's cost on SQLite).
 *
 * Exactness. Every write of the account module (login, logout, password change, account,
 * role and permission edits, session deletion) calls acct_cache_changed after it; that bumps
 * a generation, and an entry is used only while its generation is the current one, so in this
 * process a logout, a disabled account or a revoked permission takes effect on the next
 * request. An entry records the generation read *before* its database read, so a write that
 * commits during the read makes the entry stale at once. A write made by another process on
 * the same database (a second server) is seen when the entry expires: at most
 * `session_cache_ms` later (default 1000 ms; 0 turns the cache off). docs/api-accounts.md.
 *
 * Layout: SLOTS entries, direct-mapped by the token hash, one mutex (held for a copy of a
 * few hundred bytes). Strings are copied into the entry's own buffer; an entry whose strings
 * do not fit is not cached. */
#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/clock.h"
#include "modules/account/account_internal.h"

#define SLOTS   512
#define STR_CAP 3072

typedef struct entry {
    char hash[ZG_TOKEN_STR_SIZE];
    uint64_t gen;
    int64_t fetched_ms;
    acct_session_row_t row; /* its string pointers are unused here: see off_* */
    uint16_t off_csrf, off_username, off_display, off_perm[ZG_MAX_PERMS];
    size_t used;
    char strs[STR_CAP];
} entry_t;

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static entry_t *slots; /* allocated on first store */
static atomic_uint_fast64_t generation = 1;
static atomic_int ttl_ms = 1000;

static size_t slot_of(const char *hash)
{
    size_t h = 0;
    for (int i = 0; i < 8 && hash[i]; i++)
        h = h * 16 + (size_t)(hash[i] <= '9' ? hash[i] - '0' : (hash[i] | 0x20) - 'a' + 10);
    return h % SLOTS;
}

void acct_cache_configure(int ms)
{
    atomic_store(&ttl_ms, ms < 0 ? 0 : ms);
    acct_cache_changed();
}

uint64_t acct_cache_generation(void)
{
    return atomic_load(&generation);
}

void acct_cache_changed(void)
{
    atomic_fetch_add(&generation, 1);
}

int acct_commit(zg_conn_t *c, zg_error_t *err)
{
    int rc = zg_db_commit(c, err);
    acct_cache_changed(); /* also on failure: the cache can only be too cautious */
    return rc;
}

/* Copies s into the entry's buffer and stores its offset; false when it does not fit. */
static bool keep(entry_t *e, const char *s, uint16_t *off)
{
    size_t n = strlen(s) + 1;
    if (n > STR_CAP - e->used)
        return false;
    memcpy(e->strs + e->used, s, n);
    *off = (uint16_t)e->used;
    e->used += n;
    return true;
}

void acct_cache_put(const char *hash, uint64_t gen, const acct_session_row_t *row)
{
    int ttl = atomic_load(&ttl_ms);
    if (ttl <= 0 || gen != atomic_load(&generation) || row->nperms > ZG_MAX_PERMS)
        return;
    pthread_mutex_lock(&mu);
    if (!slots && !(slots = calloc(SLOTS, sizeof *slots))) {
        pthread_mutex_unlock(&mu);
        return;
    }
    entry_t *e = &slots[slot_of(hash)];
    e->used = 0;
    bool ok = keep(e, row->csrf, &e->off_csrf) && keep(e, row->username, &e->off_username) &&
              keep(e, row->display_name, &e->off_display);
    for (int i = 0; ok && i < row->nperms; i++)
        ok = keep(e, row->perms[i], &e->off_perm[i]);
    if (ok) {
        memcpy(e->hash, hash, ZG_TOKEN_STR_SIZE);
        e->gen = gen;
        e->fetched_ms = zg_mono_ms();
        e->row = *row;
    } else {
        e->hash[0] = '\0'; /* the slot's old entry was overwritten: empty */
    }
    pthread_mutex_unlock(&mu);
}

bool acct_cache_get(const char *hash, zg_arena_t *a, acct_session_row_t *row)
{
    int ttl = atomic_load(&ttl_ms);
    if (ttl <= 0)
        return false;
    uint64_t gen = atomic_load(&generation);
    bool hit = false;
    pthread_mutex_lock(&mu);
    entry_t *e = slots ? &slots[slot_of(hash)] : NULL;
    if (e && e->hash[0] && e->gen == gen && !strcmp(e->hash, hash) &&
        zg_mono_ms() - e->fetched_ms < ttl) {
        char *copy = zg_arena_alloc(a, e->used); /* the strings in one block */
        if (copy) {
            memcpy(copy, e->strs, e->used);
            *row = e->row;
            row->csrf = copy + e->off_csrf;
            row->username = copy + e->off_username;
            row->display_name = copy + e->off_display;
            for (int i = 0; i < row->nperms; i++)
                row->perms[i] = copy + e->off_perm[i];
            hit = true;
        }
    }
    pthread_mutex_unlock(&mu);
    return hit;
}

void acct_cache_touch(const char *hash, int64_t last_seen)
{
    pthread_mutex_lock(&mu);
    entry_t *e = slots ? &slots[slot_of(hash)] : NULL;
    if (e && e->hash[0] && !strcmp(e->hash, hash))
        e->row.last_seen = last_seen;
    pthread_mutex_unlock(&mu);
}

void zg_account_sessions_changed(void)
{
    acct_cache_changed();
}

void zg_account_set_session_cache_ms(int ms)
{
    acct_cache_configure(ms);
}
