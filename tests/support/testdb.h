/* testdb.h — fresh, empty databases for tests, one per call, of either backend.
 *
 *   char url[512];
 *   if (zg_testdb_url("postgres", url, sizeof url) == ZG_TESTDB_NO_SERVER)
 *       skip();  // ZG_TEST_PG_URL is unset: no PostgreSQL to test against
 *
 * SQLite: a new file under /tmp (mkstemp). PostgreSQL: a new database zgtest_<pid>_<n> on
 * the server named by ZG_TEST_PG_URL (an admin URL, e.g. from scripts/pg-test.sh start).
 * Everything made is removed by zg_testdb_cleanup(), which also runs at exit. */
#ifndef ZG_TESTS_TESTDB_H
#define ZG_TESTS_TESTDB_H

#include <stddef.h>

#define ZG_TESTDB_NO_SERVER 1 /* postgres asked for, ZG_TEST_PG_URL not set */

/* Writes the URL of a new empty database of `backend` ("sqlite" or "postgres") into out.
 * Returns 0, ZG_TESTDB_NO_SERVER, or -1 on any other failure (message on stderr). */
int zg_testdb_url(const char *backend, char *out, size_t cap);

/* Drops every database and removes every file zg_testdb_url made (close the handles first;
 * PostgreSQL databases are dropped WITH (FORCE) anyway). Safe to call more than once. */
void zg_testdb_cleanup(void);

#endif
