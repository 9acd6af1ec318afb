/* testdb.c — fresh databases for tests (see testdb.h). */
#include "testdb.h"

#include <libpq-fe.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_MADE 1024

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static char *made_files[MAX_MADE];
static char *made_dbs[MAX_MADE];
static int n_files, n_dbs;
static unsigned counter;
static int atexit_done;

static void at_exit(void)
{
    zg_testdb_cleanup();
}

static void register_exit(void)
{
    if (!atexit_done) {
        atexit_done = 1;
        atexit(at_exit);
    }
}

/* The URL `admin` with its database (the path) replaced by `dbname`. */
static int with_dbname(const char *admin, const char *dbname, char *out, size_t cap)
{
    const char *auth = strstr(admin, "://");
    if (!auth)
        return -1;
    auth += 3;
    const char *path = auth + strcspn(auth, "/?#");
    const char *rest = path;
    if (*path == '/')
        rest = path + 1 + strcspn(path + 1, "?#");
    int n = snprintf(out, cap, "%.*s/%s%s", (int)(path - admin), admin, dbname, rest);
    return n < 0 || (size_t)n >= cap ? -1 : 0;
}

static int new_sqlite(char *out, size_t cap)
{
    char path[] = "/tmp/zgtest-XXXXXX.db";
    int fd = mkstemps(path, 3);
    if (fd < 0) {
        perror("testdb: mkstemps");
        return -1;
    }
    close(fd);
    if (strlen(path) >= cap)
        return -1;
    strcpy(out, path);
    pthread_mutex_lock(&mu);
    if (n_files < MAX_MADE)
        made_files[n_files++] = strdup(path);
    register_exit();
    pthread_mutex_unlock(&mu);
    return 0;
}

static int admin_exec(const char *admin, const char *sql)
{
    PGconn *pg = PQconnectdb(admin);
    if (PQstatus(pg) != CONNECTION_OK) {
        fprintf(stderr, "testdb: cannot connect to ZG_TEST_PG_URL: %s", PQerrorMessage(pg));
        PQfinish(pg);
        return -1;
    }
    PQclear(PQexec(pg, "SET client_min_messages TO warning"));
    PGresult *res = PQexec(pg, sql);
    int rc = PQresultStatus(res) == PGRES_COMMAND_OK ? 0 : -1;
    if (rc)
        fprintf(stderr, "testdb: %s: %s", sql, PQerrorMessage(pg));
    PQclear(res);
    PQfinish(pg);
    return rc;
}

static int new_pg(char *out, size_t cap)
{
    const char *admin = getenv("ZG_TEST_PG_URL");
    if (!admin || !*admin)
        return ZG_TESTDB_NO_SERVER;
    char name[64], sql[128];
    pthread_mutex_lock(&mu);
    unsigned n = ++counter;
    pthread_mutex_unlock(&mu);
    snprintf(name, sizeof name, "zgtest_%ld_%u", (long)getpid(), n);
    if (with_dbname(admin, name, out, cap) != 0) {
        fprintf(stderr, "testdb: cannot make a URL from ZG_TEST_PG_URL=%s\n", admin);
        return -1;
    }
    /* a leftover of an earlier run with the same pid would make CREATE fail */
    snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS %s WITH (FORCE)", name);
    admin_exec(admin, sql);
    snprintf(sql, sizeof sql, "CREATE DATABASE %s ENCODING 'UTF8' TEMPLATE template0", name);
    if (admin_exec(admin, sql) != 0)
        return -1;
    pthread_mutex_lock(&mu);
    if (n_dbs < MAX_MADE)
        made_dbs[n_dbs++] = strdup(name);
    register_exit();
    pthread_mutex_unlock(&mu);
    return 0;
}

int zg_testdb_url(const char *backend, char *out, size_t cap)
{
    if (strcmp(backend, "sqlite") == 0)
        return new_sqlite(out, cap);
    if (strcmp(backend, "postgres") == 0) {
        /* PostgreSQL has no "<db>.key" default: tests use a fixed field-encryption key */
        setenv("ZUGONG_FIELD_KEY",
               "5a47d7e8c1b2a3948576a8b9c0d1e2f30415263748596a7b8c9d0e1f2a3b4c5d", 0);
        return new_pg(out, cap);
    }
    fprintf(stderr, "testdb: unknown backend %s\n", backend);
    return -1;
}

void zg_testdb_cleanup(void)
{
    pthread_mutex_lock(&mu);
    for (int i = 0; i < n_files; i++) {
        static const char *suffix[] = {"", "-wal", "-shm", "-journal", ".key"};
        for (size_t k = 0; k < sizeof suffix / sizeof suffix[0]; k++) {
            char p[512];
            snprintf(p, sizeof p, "%s%s", made_files[i], suffix[k]);
            unlink(p);
        }
        free(made_files[i]);
    }
    n_files = 0;
    const char *admin = getenv("ZG_TEST_PG_URL");
    for (int i = 0; i < n_dbs; i++) {
        if (admin && *admin) {
            char sql[128];
            snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS %s WITH (FORCE)", made_dbs[i]);
            admin_exec(admin, sql);
        }
        free(made_dbs[i]);
    }
    n_dbs = 0;
    pthread_mutex_unlock(&mu);
}
