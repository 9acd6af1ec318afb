/* orgtest.h — fixture for the org module's unit tests: a fresh, migrated database of each
 * backend with a root org, and small helpers. Every test runs twice (sqlite/…, postgres/…);
 * the PostgreSQL runs are skipped without ZG_TEST_PG_URL. Included by one test file each. */
#ifndef ZG_TESTS_ORGTEST_H
#define ZG_TESTS_ORGTEST_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/date.h"
#include "core/log.h"
#include "db/db.h"
#include "modules/org/org.h"
#include "testdb.h"

typedef struct ctx {
    const char *backend;
    bool skip;
    char url[512];
    zg_db_t *db;
    zg_conn_t *c;
    zg_arena_t a;
    int64_t root;
    zg_org_actor_t actor;
} ctx_t;

static ctx_t proto_sqlite = {.backend = "sqlite"};
static ctx_t proto_pg = {.backend = "postgres"};

/* Fails the test with the error when `call` does not return 0. */
#define CHECK(call)                                                                                \
    do {                                                                                           \
        int rc_ = (call);                                                                          \
        if (rc_ != 0) {                                                                            \
            print_error("%s:%d: %s -> %d (%s) %s / %s\n", __FILE__, __LINE__, #call, rc_,          \
                        zg_status_name(rc_), err.message, err.detail);                             \
            fail();                                                                                \
        }                                                                                          \
    } while (0)

static int setup(void **state)
{
    const ctx_t *proto = *state;
    ctx_t *t = calloc(1, sizeof *t);
    assert_non_null(t);
    t->backend = proto->backend;
    *state = t;
    zg_log_set_level(ZG_LOG_WARN);
    int rc = zg_testdb_url(t->backend, t->url, sizeof t->url);
    if (rc == ZG_TESTDB_NO_SERVER) {
        t->skip = true;
        return 0;
    }
    if (rc != 0)
        return -1;
    zg_error_t err;
    if (zg_db_open(t->url, &t->db, &err) || zg_db_migrate(t->db, NULL, &err)) {
        print_error("open/migrate %s: %s\n", t->url, err.detail);
        return -1;
    }
    t->c = zg_db_conn(t->db, &err);
    if (!t->c)
        return -1;
    zg_arena_init(&t->a, 0, 256u << 20);
    t->actor = (zg_org_actor_t){.account_id = 7, .username = "tester", .ip = "127.0.0.1"};
    if (zg_org_create_root(t->c, &t->actor, "中共测试市委员会", &t->root, &err)) {
        print_error("root: %s\n", err.detail);
        return -1;
    }
    zg_org_set_member_counter(NULL);
    return 0;
}

static int teardown(void **state)
{
    ctx_t *t = *state;
    if (t) {
        zg_org_set_member_counter(NULL);
        zg_arena_destroy(&t->a);
        if (t->db)
            zg_db_close(t->db);
        free(t);
    }
    return 0;
}

/* The context, or a cmocka skip when this backend is not available. */
static inline ctx_t *start(void **state)
{
    ctx_t *t = *state;
    if (t->skip)
        skip();
    return t;
}

#define BOTH(f)                                                                                    \
    {"sqlite/" #f, f, setup, teardown, &proto_sqlite},                                             \
    {                                                                                              \
        "postgres/" #f, f, setup, teardown, &proto_pg                                              \
    }

/* A write context with the whole tree as scope. */
static inline zg_org_op_t op_of(ctx_t *t, int64_t scope)
{
    zg_org_op_t op;
    zg_org_op_init(&op, &t->a, scope ? scope : t->root, &t->actor);
    return op;
}

static inline zg_org_input_t input(int64_t parent, const char *kind, const char *name)
{
    zg_org_input_t in = {.set = ZG_ORG_SET_KIND | ZG_ORG_SET_NAME,
                         .parent_id = parent,
                         .kind = kind,
                         .name = name,
                         .founded_on = ZG_ORG_NO_DATE,
                         .effective_on = ZG_ORG_NO_DATE};
    return in;
}

/* Creates an org under `parent` (scope: the root) and returns its id. */
static inline int64_t mk(ctx_t *t, int64_t parent, const char *kind, const char *name)
{
    zg_org_op_t op = op_of(t, 0);
    zg_org_input_t in = input(parent, kind, name);
    int64_t id = 0;
    zg_error_t err;
    CHECK(zg_org_create(t->c, &op, &in, &id, &err));
    assert_true(id > 0);
    return id;
}

static inline int64_t qint(ctx_t *t, const char *sql, int64_t p1)
{
    zg_error_t err;
    zg_param_t p[] = {ZG_P_INT(p1)};
    int64_t v = -12345;
    CHECK(zg_db_query_int(t->c, sql, p, strstr(sql, "$1") ? 1 : 0, &v, &err));
    return v;
}

static inline zg_date_t D(const char *s)
{
    zg_date_t d;
    assert_int_equal(zg_date_parse(s, &d), 0);
    return d;
}

/* Every closure invariant of the whole tree, checked in SQL. */
static inline void assert_closure_ok(ctx_t *t)
{
    /* each node has exactly depth + 1 ancestors (itself included) */
    assert_int_equal(qint(t,
                          "SELECT count(*) FROM org o WHERE o.depth + 1 <> "
                          "(SELECT count(*) FROM org_closure c WHERE c.descendant_id = o.id)",
                          0),
                     0);
    /* each row's depth is the difference of the nodes' depths */
    assert_int_equal(qint(t,
                          "SELECT count(*) FROM org_closure c JOIN org a ON a.id = c.ancestor_id "
                          "JOIN org d ON d.id = c.descendant_id WHERE d.depth - a.depth <> c.depth",
                          0),
                     0);
    /* the parent link is there with depth 1 */
    assert_int_equal(qint(t,
                          "SELECT count(*) FROM org o WHERE o.parent_id IS NOT NULL AND NOT EXISTS "
                          "(SELECT 1 FROM org_closure c WHERE c.ancestor_id = o.parent_id AND "
                          "c.descendant_id = o.id AND c.depth = 1)",
                          0),
                     0);
    /* no cycles: depth 0 only for (x, x) */
    assert_int_equal(qint(t,
                          "SELECT count(*) FROM org_closure WHERE (depth = 0) <> "
                          "(ancestor_id = descendant_id)",
                          0),
                     0);
    /* each link (a, d, k ≥ 1) continues a link (a, parent of d, k - 1): with the counts above
     * this makes the closure exactly the ancestor sets of the parent pointers */
    assert_int_equal(qint(t,
                          "SELECT count(*) FROM org_closure c JOIN org d ON d.id = c.descendant_id "
                          "WHERE c.depth >= 1 AND NOT EXISTS (SELECT 1 FROM org_closure p WHERE "
                          "p.ancestor_id = c.ancestor_id AND p.descendant_id = d.parent_id AND "
                          "p.depth = c.depth - 1)",
                          0),
                     0);
    /* a node is one level below its parent */
    assert_int_equal(qint(t,
                          "SELECT count(*) FROM org o JOIN org p ON p.id = o.parent_id "
                          "WHERE o.depth <> p.depth + 1",
                          0),
                     0);
    /* every node descends from the root */
    assert_int_equal(qint(t,
                          "SELECT count(*) FROM org o WHERE NOT EXISTS (SELECT 1 FROM org_closure "
                          "c WHERE c.ancestor_id = $1 AND c.descendant_id = o.id)",
                          t->root),
                     0);
}

#endif
