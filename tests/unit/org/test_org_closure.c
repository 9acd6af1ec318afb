/* test_org_closure.c — the closure table at depth and size (issue 3 §1.4), on both backends:
 * a chain 12 levels below the root with committees and branches hanging off every level
 * (about 2,500 orgs), then moves of whole subtrees — deeper, shallower, of ~1,800 nodes at
 * once — with every closure invariant checked after each (exactly depth + 1 ancestors per
 * node, closure depths equal to depth differences, every link continuing its parent's, no
 * cycles), cycle refusal at depth, and depth-bounded subtree reads. Prints the time of the
 * largest move. */
#include "orgtest.h"

#include <time.h>

#define LEVELS   12
#define FAN      5  /* committees hanging off each chain level */
#define BRANCHES 40 /* branches under each of them */

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

typedef struct {
    int64_t chain[LEVELS + 1]; /* chain[0] = root */
    int64_t fan[LEVELS + 1][FAN];
} tree_t;

static void build(ctx_t *t, tree_t *tr)
{
    char name[96];
    tr->chain[0] = t->root;
    for (int lv = 1; lv <= LEVELS; lv++) {
        snprintf(name, sizeof name, "第%d级党委", lv);
        tr->chain[lv] = mk(t, tr->chain[lv - 1], "committee", name);
    }
    for (int lv = 0; lv < LEVELS; lv++) {
        for (int f = 0; f < FAN; f++) {
            snprintf(name, sizeof name, "第%d级下属第%d党委", lv, f + 1);
            tr->fan[lv][f] = mk(t, tr->chain[lv], "committee", name);
            for (int b = 0; b < BRANCHES; b++) {
                snprintf(name, sizeof name, "第%d级第%d党委第%d党支部", lv, f + 1, b + 1);
                mk(t, tr->fan[lv][f], "branch", name);
            }
        }
    }
}

static int64_t depth_of(ctx_t *t, int64_t id)
{
    return qint(t, "SELECT depth FROM org WHERE id = $1", id);
}

static void move(ctx_t *t, int64_t id, int64_t parent)
{
    zg_error_t err;
    zg_org_op_t op = op_of(t, 0);
    CHECK(zg_org_move(t->c, &op, id, parent, ZG_ORG_NO_DATE, &err));
}

static void test_deep_tree_moves(void **state)
{
    ctx_t *t = start(state);
    zg_error_t err;
    static tree_t tr;
    double t0 = now_ms();
    build(t, &tr);
    double t1 = now_ms();
    int64_t nodes = qint(t, "SELECT count(*) FROM org", 0);
    assert_int_equal(nodes, 1 + LEVELS + LEVELS * FAN * (1 + BRANCHES));
    assert_int_equal(depth_of(t, tr.chain[LEVELS]), LEVELS);
    /* branches under the deepest fan sit at depth 13 */
    assert_int_equal(qint(t, "SELECT max(depth) FROM org", 0), LEVELS + 1);
    assert_closure_ok(t);
    int64_t rows = qint(t, "SELECT count(*) FROM org_closure", 0);
    assert_int_equal(rows, qint(t, "SELECT sum(depth + 1) FROM org", 0));

    /* 1. a fan committee with its branches goes from level 0 to the bottom of the chain */
    move(t, tr.fan[0][0], tr.chain[LEVELS]);
    assert_int_equal(depth_of(t, tr.fan[0][0]), LEVELS + 1);
    assert_closure_ok(t);
    /* 2. and from the bottom of the chain up to level 1 */
    move(t, tr.fan[LEVELS - 1][4], tr.chain[1]);
    assert_int_equal(depth_of(t, tr.fan[LEVELS - 1][4]), 2);
    assert_closure_ok(t);
    /* 3. the chain from level 3 down (about 1,800 orgs, 10 levels) under a fan committee of
     *    level 2 (itself at depth 3): every node one level deeper */
    int64_t size = qint(t, "SELECT count(*) FROM org_closure WHERE ancestor_id = $1", tr.chain[3]);
    assert_true(size > 1500);
    int64_t deepest = qint(t, "SELECT max(depth) FROM org", 0);
    double m0 = now_ms();
    move(t, tr.chain[3], tr.fan[2][2]);
    double m1 = now_ms();
    assert_int_equal(depth_of(t, tr.chain[3]), 4);
    assert_int_equal(qint(t, "SELECT max(depth) FROM org", 0), deepest + 1);
    assert_closure_ok(t);
    assert_int_equal(qint(t, "SELECT count(*) FROM org_closure", 0),
                     qint(t, "SELECT sum(depth + 1) FROM org", 0));
    /* 4. and back: the closure returns to its first size */
    move(t, tr.chain[3], tr.chain[2]);
    assert_closure_ok(t);
    move(t, tr.fan[0][0], tr.chain[0]);
    move(t, tr.fan[LEVELS - 1][4], tr.chain[LEVELS - 1]);
    assert_closure_ok(t);
    assert_int_equal(qint(t, "SELECT count(*) FROM org_closure", 0), rows);

    /* 5. cycles refused at any depth, nothing changed */
    zg_org_op_t op = op_of(t, 0);
    assert_int_equal(zg_org_move(t->c, &op, tr.chain[2], tr.chain[LEVELS], ZG_ORG_NO_DATE, &err),
                     ZG_ERR_INVALID);
    assert_string_equal(err.code, "move_cycle");
    op = op_of(t, 0);
    assert_int_equal(
        zg_org_move(t->c, &op, tr.chain[1], tr.fan[LEVELS - 1][0], ZG_ORG_NO_DATE, &err),
        ZG_ERR_INVALID);
    assert_closure_ok(t);
    assert_int_equal(qint(t, "SELECT count(*) FROM org_closure", 0), rows);

    /* 6. depth-bounded reads from the root and from the middle of the chain */
    zg_org_list_t l;
    CHECK(zg_org_subtree(t->c, &t->a, t->root, t->root, 1, 5000, false, &l, &err));
    assert_int_equal(l.n, 1 + 1 + FAN);
    CHECK(zg_org_subtree(t->c, &t->a, t->root, tr.chain[6], 2, 5000, false, &l, &err));
    assert_int_equal(l.n, 1 + (1 + FAN) + (1 + FAN + FAN * BRANCHES));
    CHECK(zg_org_subtree(t->c, &t->a, t->root, t->root, 64, 5000, false, &l, &err));
    assert_int_equal((int64_t)l.n, nodes);
    assert_false(l.truncated);
    CHECK(zg_org_path(t->c, &t->a, t->root, tr.chain[LEVELS], &l, &err));
    assert_int_equal(l.n, LEVELS + 1);
    for (int i = 0; i <= LEVELS; i++)
        assert_int_equal(l.items[i].id, tr.chain[i]);
    /* the scope of a level-6 committee holds exactly its subtree */
    zg_org_query_t q = {.q = "党支部", .limit = 1};
    CHECK(zg_org_search(t->c, &t->a, tr.chain[6], &q, &l, &err));
    assert_int_equal(l.total, (LEVELS - 6) * FAN * BRANCHES);

    print_message("    %s: built %lld orgs (%lld closure rows) in %.0f ms; moved %lld orgs in "
                  "%.1f ms\n",
                  t->backend, (long long)nodes, (long long)rows, t1 - t0, (long long)size, m1 - m0);
}

int main(void)
{
    if (!getenv("ZG_TEST_PG_URL") || !*getenv("ZG_TEST_PG_URL"))
        fprintf(stderr,
                "test_org_closure: ZG_TEST_PG_URL is not set: the postgres/* tests are skipped\n");
    const struct CMUnitTest tests[] = {
        BOTH(test_deep_tree_moves),
    };
    int failed = cmocka_run_group_tests_name("org_closure", tests, NULL, NULL);
    zg_testdb_cleanup();
    return failed;
}
