/* test_org.c — the org tree's logic (src/modules/org/org.c) on both backends: root bootstrap,
 * create with its validations, scope, update and rename history, moves (closure, depth,
 * cycles, own org), dissolution, subtree / children / search / path, history and the audit
 * entries every write leaves. */
#include "orgtest.h"

static bool has(const zg_org_op_t *op, const char *rule)
{
    return zg_findings_has(&op->findings, rule);
}

static void test_root_bootstrap(void **state)
{
    ctx_t *t = start(state);
    zg_error_t err;
    int64_t again = 0;
    assert_int_equal(zg_org_create_root(t->c, &t->actor, "另一个根", &again, &err),
                     ZG_ERR_CONFLICT);
    int64_t root = 0;
    CHECK(zg_org_bootstrap_root(t->db, "中共测试市委员会", &root, &err));
    assert_int_equal(root, t->root);
    CHECK(zg_org_root(t->c, &root, &err));
    assert_int_equal(root, t->root);
    assert_int_equal(qint(t, "SELECT count(*) FROM org_closure", 0), 1);
    assert_int_equal(
        qint(t, "SELECT count(*) FROM audit_log WHERE action = 'org.create' AND object_id = $1",
             t->root),
        1);
}

static void test_create_and_get(void **state)
{
    ctx_t *t = start(state);
    zg_error_t err;
    zg_org_op_t op = op_of(t, 0);
    zg_org_input_t in = input(t->root, "committee", "中共江城区委员会");
    in.set |= ZG_ORG_SET_CODE | ZG_ORG_SET_CATEGORY | ZG_ORG_SET_DOMAIN | ZG_ORG_SET_FOUNDED_ON |
              ZG_ORG_SET_SHORT_NAME | ZG_ORG_SET_SORT;
    in.code = "JC-01";
    in.category = "145";
    in.domain = "agency";
    in.founded_on = D("1950-05-01");
    in.short_name = "江城区委";
    in.sort = 3;
    int64_t id = 0;
    CHECK(zg_org_create(t->c, &op, &in, &id, &err));
    zg_org_t o;
    CHECK(zg_org_get(t->c, &t->a, t->root, id, &o, &err));
    assert_string_equal(o.name, "中共江城区委员会");
    assert_string_equal(o.kind, "committee");
    assert_string_equal(o.code, "JC-01");
    assert_string_equal(o.category, "145");
    assert_string_equal(o.short_name, "江城区委");
    assert_string_equal(o.status, "active");
    assert_null(o.unit_name);
    assert_int_equal(o.parent_id, t->root);
    assert_int_equal(o.depth, 1);
    assert_int_equal(o.sort, 3);
    assert_int_equal(o.unit_count, 1);
    assert_int_equal(o.founded_on, D("1950-05-01"));
    assert_int_equal(o.child_count, 0);
    /* closure: (id,id,0) and (root,id,1) */
    assert_int_equal(qint(t, "SELECT count(*) FROM org_closure WHERE descendant_id = $1", id), 2);
    assert_int_equal(
        qint(t, "SELECT depth FROM org_closure WHERE ancestor_id = $1 AND descendant_id <> $1",
             t->root),
        1);
    /* history and audit */
    assert_int_equal(
        qint(t, "SELECT count(*) FROM org_change WHERE org_id = $1 AND change_type = 'create'", id),
        1);
    assert_int_equal(
        qint(t, "SELECT count(*) FROM audit_log WHERE action = 'org.create' AND object_id = $1",
             id),
        1);
    CHECK(zg_org_get(t->c, &t->a, t->root, t->root, &o, &err));
    assert_int_equal(o.child_count, 1);
    assert_int_equal(o.parent_id, 0);
}

static void test_create_validation(void **state)
{
    ctx_t *t = start(state);
    zg_error_t err;
    int64_t id = 0;
    int64_t county = mk(t, t->root, "committee", "中共临湖县委员会");
    int64_t branch = mk(t, county, "branch", "县委办党支部");

    struct {
        const char *kind, *name, *field;
        int64_t parent;
        int rc;
    } cases[] = {
        {"committee", NULL, "name", county, ZG_ERR_INVALID},
        {"committee", "   ", "name", county, ZG_ERR_INVALID},
        {"bureau", "某局", "kind", county, ZG_ERR_INVALID},
        {NULL, "某局", "kind", county, ZG_ERR_INVALID},
        {"branch", "支部下的支部", "kind", branch, ZG_ERR_INVALID},
        {"committee", "支部下的党委", "kind", branch, ZG_ERR_INVALID},
        {"group", "党委下的党小组", "kind", county, ZG_ERR_INVALID},
        {"branch", "无上级", "parent_id", 0, ZG_ERR_INVALID},
        {"branch", "上级不存在", "parent_id", 999999, ZG_ERR_NOT_FOUND},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        zg_org_op_t op = op_of(t, 0);
        zg_org_input_t in = input(cases[i].parent, cases[i].kind, cases[i].name);
        if (!cases[i].kind)
            in.set &= ~ZG_ORG_SET_KIND;
        if (!cases[i].name)
            in.set &= ~ZG_ORG_SET_NAME;
        int rc = zg_org_create(t->c, &op, &in, &id, &err);
        if (rc != cases[i].rc || !op.bad_field || strcmp(op.bad_field, cases[i].field))
            print_error("case %zu: rc %d field %s\n", i, rc, op.bad_field ? op.bad_field : "-");
        assert_int_equal(rc, cases[i].rc);
        assert_string_equal(op.bad_field, cases[i].field);
    }
    /* a name of 100 characters is fine, 101 is not */
    char name[400] = "";
    for (int i = 0; i < 100; i++)
        strcat(name, "党");
    zg_org_op_t op = op_of(t, 0);
    zg_org_input_t in = input(county, "branch", name);
    CHECK(zg_org_create(t->c, &op, &in, &id, &err));
    strcat(name, "党");
    op = op_of(t, 0);
    in = input(county, "branch", name);
    assert_int_equal(zg_org_create(t->c, &op, &in, &id, &err), ZG_ERR_INVALID);
    assert_string_equal(op.bad_field, "name");
    /* a group under a branch is fine */
    mk(t, branch, "group", "第一党小组");
    /* category must be a ZB62 code */
    op = op_of(t, 0);
    in = input(county, "branch", "类别错误的支部");
    in.set |= ZG_ORG_SET_CATEGORY;
    in.category = "999";
    assert_int_equal(zg_org_create(t->c, &op, &in, &id, &err), ZG_ERR_INVALID);
    assert_string_equal(op.bad_field, "category");
    /* a founding date in the future */
    op = op_of(t, 0);
    in = input(county, "branch", "未来成立的支部");
    in.set |= ZG_ORG_SET_FOUNDED_ON;
    zg_date_add_days(zg_date_today(), 1, &in.founded_on);
    assert_int_equal(zg_org_create(t->c, &op, &in, &id, &err), ZG_ERR_INVALID);
    assert_string_equal(op.bad_field, "founded_on");
    /* a bad code */
    op = op_of(t, 0);
    in = input(county, "branch", "代码错误的支部");
    in.set |= ZG_ORG_SET_CODE;
    in.code = "A B";
    assert_int_equal(zg_org_create(t->c, &op, &in, &id, &err), ZG_ERR_INVALID);
    assert_string_equal(op.bad_field, "code");
    /* nothing of the refused ones was written */
    assert_int_equal(qint(t, "SELECT count(*) FROM org", 0), 5);
    assert_int_equal(qint(t, "SELECT count(*) FROM org_change", 0), 5);
}

static void test_code_unique(void **state)
{
    ctx_t *t = start(state);
    zg_error_t err;
    int64_t id = 0, id2 = 0;
    zg_org_op_t op = op_of(t, 0);
    zg_org_input_t in = input(t->root, "committee", "甲");
    in.set |= ZG_ORG_SET_CODE;
    in.code = "X1";
    CHECK(zg_org_create(t->c, &op, &in, &id, &err));
    op = op_of(t, 0);
    in.name = "乙";
    assert_int_equal(zg_org_create(t->c, &op, &in, &id2, &err), ZG_ERR_CONFLICT);
    assert_string_equal(err.code, "code_taken");
    assert_string_equal(op.bad_field, "code");
    /* without a code any number of orgs is fine (NULL is not a duplicate) */
    mk(t, t->root, "committee", "丙");
    mk(t, t->root, "committee", "丁");
    /* update to a taken code */
    int64_t other = mk(t, t->root, "committee", "戊");
    op = op_of(t, 0);
    zg_org_input_t up = {.set = ZG_ORG_SET_CODE, .code = "X1", .effective_on = ZG_ORG_NO_DATE};
    assert_int_equal(zg_org_update(t->c, &op, other, &up, &err), ZG_ERR_CONFLICT);
    /* keeping its own code is fine */
    op = op_of(t, 0);
    up.set = ZG_ORG_SET_CODE | ZG_ORG_SET_NAME;
    up.name = "甲（新）";
    CHECK(zg_org_update(t->c, &op, id, &up, &err));
}

static void test_scope(void **state)
{
    ctx_t *t = start(state);
    zg_error_t err;
    int64_t a = mk(t, t->root, "committee", "甲县委");
    int64_t b = mk(t, t->root, "committee", "乙县委");
    int64_t a1 = mk(t, a, "branch", "甲县支部");
    int64_t b1 = mk(t, b, "branch", "乙县支部");
    zg_org_t o;
    CHECK(zg_org_get(t->c, &t->a, a, a1, &o, &err));
    assert_int_equal(zg_org_get(t->c, &t->a, a, b1, &o, &err), ZG_ERR_NOT_FOUND);
    assert_int_equal(zg_org_get(t->c, &t->a, a, t->root, &o, &err), ZG_ERR_NOT_FOUND);
    assert_int_equal(zg_org_get(t->c, &t->a, a1, a, &o, &err), ZG_ERR_NOT_FOUND);
    /* creating under an org outside the scope */
    zg_org_op_t op = op_of(t, a);
    zg_org_input_t in = input(b, "branch", "越权支部");
    int64_t id;
    assert_int_equal(zg_org_create(t->c, &op, &in, &id, &err), ZG_ERR_NOT_FOUND);
    /* updating, moving, dissolving outside it */
    op = op_of(t, a);
    zg_org_input_t up = {.set = ZG_ORG_SET_NAME, .name = "改名", .effective_on = ZG_ORG_NO_DATE};
    assert_int_equal(zg_org_update(t->c, &op, b1, &up, &err), ZG_ERR_NOT_FOUND);
    op = op_of(t, a);
    assert_int_equal(zg_org_move(t->c, &op, b1, a, ZG_ORG_NO_DATE, &err), ZG_ERR_NOT_FOUND);
    op = op_of(t, a);
    assert_int_equal(zg_org_move(t->c, &op, a1, b, ZG_ORG_NO_DATE, &err), ZG_ERR_NOT_FOUND);
    op = op_of(t, a);
    assert_int_equal(zg_org_dissolve(t->c, &op, b1, ZG_ORG_NO_DATE, NULL, &err), ZG_ERR_NOT_FOUND);
    /* lists */
    zg_org_list_t l;
    assert_int_equal(zg_org_subtree(t->c, &t->a, a, b, 3, 100, false, &l, &err), ZG_ERR_NOT_FOUND);
    assert_int_equal(zg_org_children(t->c, &t->a, a, b, NULL, 0, 10, &l, &err), ZG_ERR_NOT_FOUND);
    zg_org_query_t q = {.q = "支部", .limit = 50};
    CHECK(zg_org_search(t->c, &t->a, a, &q, &l, &err));
    assert_int_equal(l.total, 1);
    assert_int_equal(l.items[0].id, a1);
    assert_int_equal(qint(t, "SELECT count(*) FROM org WHERE name = '改名'", 0), 0);
}

static void test_update_and_rename(void **state)
{
    ctx_t *t = start(state);
    zg_error_t err;
    int64_t id = mk(t, t->root, "general_branch", "中共临江一中总支部委员会");
    /* nothing different: no history */
    zg_org_op_t op = op_of(t, 0);
    zg_org_input_t up = {
        .set = ZG_ORG_SET_NAME, .name = "中共临江一中总支部委员会", .effective_on = ZG_ORG_NO_DATE};
    CHECK(zg_org_update(t->c, &op, id, &up, &err));
    assert_int_equal(qint(t, "SELECT count(*) FROM org_change WHERE org_id = $1", id), 1);
    /* a rename */
    op = op_of(t, 0);
    up.name = "中共临江市第一中学总支部委员会";
    up.effective_on = D("2024-09-01");
    CHECK(zg_org_update(t->c, &op, id, &up, &err));
    zg_org_change_t *h;
    size_t n;
    int64_t total;
    CHECK(zg_org_history(t->c, &t->a, t->root, id, 0, 10, &h, &n, &total, &err));
    assert_int_equal(n, 2);
    assert_int_equal(total, 2);
    assert_string_equal(h[0].change_type, "rename");
    assert_string_equal(h[0].old_name, "中共临江一中总支部委员会");
    assert_string_equal(h[0].new_name, "中共临江市第一中学总支部委员会");
    assert_int_equal(h[0].effective_on, D("2024-09-01"));
    assert_string_equal(h[0].username, "tester");
    assert_int_equal(h[0].account_id, 7);
    assert_string_equal(h[1].change_type, "create");
    assert_int_equal(
        qint(t, "SELECT count(*) FROM audit_log WHERE action = 'org.rename' AND object_id = $1",
             id),
        1);
    /* other fields: one update row with from/to */
    op = op_of(t, 0);
    zg_org_input_t up2 = {.set = ZG_ORG_SET_DOMAIN | ZG_ORG_SET_UNIT_NAME | ZG_ORG_SET_SORT,
                          .domain = "school",
                          .unit_name = "临江市第一中学",
                          .sort = 5,
                          .effective_on = ZG_ORG_NO_DATE};
    CHECK(zg_org_update(t->c, &op, id, &up2, &err));
    CHECK(zg_org_history(t->c, &t->a, t->root, id, 0, 1, &h, &n, &total, &err));
    assert_int_equal(n, 1);
    assert_int_equal(total, 3);
    assert_string_equal(h[0].change_type, "update");
    assert_non_null(strstr(h[0].detail, "\"domain\":{\"from\":null,\"to\":\"school\"}"));
    assert_non_null(strstr(h[0].detail, "\"sort\":{\"from\":0,\"to\":5}"));
    zg_org_t o;
    CHECK(zg_org_get(t->c, &t->a, t->root, id, &o, &err));
    assert_string_equal(o.domain, "school");
    assert_string_equal(o.unit_name, "临江市第一中学");
    /* "" clears an optional field */
    op = op_of(t, 0);
    zg_org_input_t up3 = {
        .set = ZG_ORG_SET_UNIT_NAME, .unit_name = "", .effective_on = ZG_ORG_NO_DATE};
    CHECK(zg_org_update(t->c, &op, id, &up3, &err));
    CHECK(zg_org_get(t->c, &t->a, t->root, id, &o, &err));
    assert_null(o.unit_name);
    /* kind change: a general branch with a branch cannot become a branch */
    mk(t, id, "branch", "高一年级党支部");
    op = op_of(t, 0);
    zg_org_input_t up4 = {.set = ZG_ORG_SET_KIND, .kind = "branch", .effective_on = ZG_ORG_NO_DATE};
    assert_int_equal(zg_org_update(t->c, &op, id, &up4, &err), ZG_ERR_INVALID);
    assert_string_equal(op.bad_field, "kind");
    /* but may become a committee */
    op = op_of(t, 0);
    up4.kind = "committee";
    CHECK(zg_org_update(t->c, &op, id, &up4, &err));
    /* bad values */
    op = op_of(t, 0);
    zg_org_input_t bad = {
        .set = ZG_ORG_SET_DOMAIN, .domain = "city", .effective_on = ZG_ORG_NO_DATE};
    assert_int_equal(zg_org_update(t->c, &op, id, &bad, &err), ZG_ERR_INVALID);
    assert_string_equal(op.bad_field, "domain");
    op = op_of(t, 0);
    bad = (zg_org_input_t){.set = ZG_ORG_SET_UNIT_COUNT, .unit_count = 0};
    assert_int_equal(zg_org_update(t->c, &op, id, &bad, &err), ZG_ERR_INVALID);
    assert_string_equal(op.bad_field, "unit_count");
}

static void test_joint_branch_units(void **state)
{
    ctx_t *t = start(state);
    zg_error_t err;
    int64_t park = mk(t, t->root, "committee", "科创园党委");
    int64_t id = 0;
    /* 5 units: no finding */
    zg_org_op_t op = op_of(t, 0);
    zg_org_input_t in = input(park, "joint_branch", "科创园第一联合党支部");
    in.set |= ZG_ORG_SET_UNIT_COUNT;
    in.unit_count = 5;
    CHECK(zg_org_create(t->c, &op, &in, &id, &err));
    assert_false(has(&op, "org.joint_branch_units_max"));
    /* 6 units: a warning, and the org is created */
    op = op_of(t, 0);
    in.name = "科创园第二联合党支部";
    in.unit_count = 6;
    CHECK(zg_org_create(t->c, &op, &in, &id, &err));
    assert_true(has(&op, "org.joint_branch_units_max"));
    assert_false(zg_findings_blocking(&op.findings));
    /* the same on update: 6 → 5 clears it, 5 → 6 warns */
    op = op_of(t, 0);
    zg_org_input_t up = {
        .set = ZG_ORG_SET_UNIT_COUNT, .unit_count = 5, .effective_on = ZG_ORG_NO_DATE};
    CHECK(zg_org_update(t->c, &op, id, &up, &err));
    assert_false(has(&op, "org.joint_branch_units_max"));
    op = op_of(t, 0);
    up.unit_count = 6;
    CHECK(zg_org_update(t->c, &op, id, &up, &err));
    assert_true(has(&op, "org.joint_branch_units_max"));
    /* a plain branch with 6 units is not a joint branch: no finding */
    op = op_of(t, 0);
    in = input(park, "branch", "某公司党支部");
    in.set |= ZG_ORG_SET_UNIT_COUNT;
    in.unit_count = 6;
    CHECK(zg_org_create(t->c, &op, &in, &id, &err));
    assert_false(has(&op, "org.joint_branch_units_max"));
    /* the state check says the same */
    zg_findings_t f;
    zg_findings_init(&f, &t->a);
    CHECK(zg_org_check(t->c, t->root, id, zg_date_today(), &f, &err));
    assert_int_equal(f.n, 0);
}

static void test_move(void **state)
{
    ctx_t *t = start(state);
    zg_error_t err;
    int64_t a = mk(t, t->root, "committee", "甲县委");
    int64_t b = mk(t, t->root, "committee", "乙县委");
    int64_t town = mk(t, a, "committee", "甲县石桥镇党委");
    int64_t v1 = mk(t, town, "branch", "柳塘村党支部");
    int64_t g1 = mk(t, v1, "group", "第一党小组");
    int64_t v2 = mk(t, town, "branch", "青石村党支部");
    int64_t sub = mk(t, b, "committee", "乙县某镇党委");
    assert_closure_ok(t);

    /* the town with its villages moves from county A to a township of county B */
    zg_org_op_t op = op_of(t, 0);
    CHECK(zg_org_move(t->c, &op, town, sub, D("2025-01-01"), &err));
    assert_closure_ok(t);
    zg_org_t o;
    CHECK(zg_org_get(t->c, &t->a, t->root, town, &o, &err));
    assert_int_equal(o.parent_id, sub);
    assert_int_equal(o.depth, 3);
    CHECK(zg_org_get(t->c, &t->a, t->root, g1, &o, &err));
    assert_int_equal(o.depth, 5);
    /* A's scope no longer holds them, B's does */
    assert_int_equal(zg_org_get(t->c, &t->a, a, v1, &o, &err), ZG_ERR_NOT_FOUND);
    CHECK(zg_org_get(t->c, &t->a, b, v2, &o, &err));
    assert_int_equal(qint(t, "SELECT count(*) FROM org_closure WHERE ancestor_id = $1", a), 1);
    assert_int_equal(qint(t, "SELECT count(*) FROM org_closure WHERE ancestor_id = $1", b), 6);
    /* history: who, when, from where */
    zg_org_change_t *h;
    size_t n;
    int64_t total;
    CHECK(zg_org_history(t->c, &t->a, t->root, town, 0, 10, &h, &n, &total, &err));
    assert_string_equal(h[0].change_type, "move");
    assert_int_equal(h[0].from_parent_id, a);
    assert_int_equal(h[0].to_parent_id, sub);
    assert_string_equal(h[0].from_parent_name, "甲县委");
    assert_string_equal(h[0].to_parent_name, "乙县某镇党委");
    assert_int_equal(h[0].effective_on, D("2025-01-01"));
    assert_string_equal(h[0].username, "tester");
    /* seen from county B, the old parent (county A) is out of scope: no id, no name */
    CHECK(zg_org_history(t->c, &t->a, b, town, 0, 10, &h, &n, &total, &err));
    assert_int_equal(h[0].from_parent_id, 0);
    assert_null(h[0].from_parent_name);
    assert_string_equal(h[0].to_parent_name, "乙县某镇党委");
    assert_int_equal(
        qint(t, "SELECT count(*) FROM audit_log WHERE action = 'org.move' AND object_id = $1",
             town),
        1);

    /* back up one level: shallower */
    op = op_of(t, 0);
    CHECK(zg_org_move(t->c, &op, town, a, ZG_ORG_NO_DATE, &err));
    assert_closure_ok(t);
    CHECK(zg_org_get(t->c, &t->a, t->root, g1, &o, &err));
    assert_int_equal(o.depth, 4);

    /* the same parent: nothing happens */
    op = op_of(t, 0);
    CHECK(zg_org_move(t->c, &op, town, a, ZG_ORG_NO_DATE, &err));
    assert_int_equal(
        qint(t, "SELECT count(*) FROM org_change WHERE org_id = $1 AND change_type = 'move'", town),
        2);

    /* under itself or its own descendants: refused */
    op = op_of(t, 0);
    assert_int_equal(zg_org_move(t->c, &op, town, town, ZG_ORG_NO_DATE, &err), ZG_ERR_INVALID);
    assert_string_equal(err.code, "move_cycle");
    op = op_of(t, 0);
    assert_int_equal(zg_org_move(t->c, &op, a, town, ZG_ORG_NO_DATE, &err), ZG_ERR_INVALID);
    assert_string_equal(err.code, "move_cycle");
    /* a kind the new parent may not hold: a branch under a branch */
    op = op_of(t, 0);
    assert_int_equal(zg_org_move(t->c, &op, v2, v1, ZG_ORG_NO_DATE, &err), ZG_ERR_INVALID);
    assert_string_equal(op.bad_field, "parent_id");
    /* the root cannot move; an account cannot move its own home org */
    op = op_of(t, 0);
    assert_int_equal(zg_org_move(t->c, &op, t->root, a, ZG_ORG_NO_DATE, &err), ZG_ERR_FORBIDDEN);
    op = op_of(t, a);
    assert_int_equal(zg_org_move(t->c, &op, a, town, ZG_ORG_NO_DATE, &err), ZG_ERR_FORBIDDEN);
    assert_string_equal(err.code, "own_org");
    /* within its own scope a county may move its orgs */
    int64_t town2 = mk(t, a, "committee", "甲县青山镇党委");
    op = op_of(t, a);
    CHECK(zg_org_move(t->c, &op, v2, town2, ZG_ORG_NO_DATE, &err));
    assert_closure_ok(t);
    /* under a dissolved org: refused */
    int64_t gone = mk(t, a, "committee", "已撤销的镇党委");
    op = op_of(t, 0);
    CHECK(zg_org_dissolve(t->c, &op, gone, ZG_ORG_NO_DATE, "合并", &err));
    op = op_of(t, 0);
    assert_int_equal(zg_org_move(t->c, &op, v2, gone, ZG_ORG_NO_DATE, &err), ZG_ERR_CONFLICT);
    assert_closure_ok(t);
}

static int g_full, g_total;
static int counter(zg_conn_t *c, int64_t org_id, int *full, int *total)
{
    (void)c;
    (void)org_id;
    *full = g_full;
    *total = g_total;
    return 0;
}

static void test_dissolve(void **state)
{
    ctx_t *t = start(state);
    zg_error_t err;
    int64_t town = mk(t, t->root, "committee", "石桥镇党委");
    int64_t v1 = mk(t, town, "branch", "柳塘村党支部");
    zg_org_leader_input_t sec = {.post = "secretary",
                                 .person_name = "王建国",
                                 .term_start = D("2021-03-01"),
                                 .term_end = ZG_ORG_NO_DATE};
    zg_org_op_t op = op_of(t, 0);
    CHECK(zg_org_leaders_add(t->c, &op, v1, &sec, 1, false, ZG_ORG_NO_DATE, NULL, &err));

    /* with an active child: refused by rule */
    op = op_of(t, 0);
    assert_int_equal(zg_org_dissolve(t->c, &op, town, ZG_ORG_NO_DATE, NULL, &err), ZG_ERR_INVALID);
    assert_string_equal(err.code, "rule_violation");
    assert_true(has(&op, "org.dissolve_only_empty"));
    assert_non_null(strstr(err.message, "不符合本系统数据完整性要求"));
    /* with members (once the member module counts them): refused */
    zg_org_set_member_counter(counter);
    g_full = 0;
    g_total = 1;
    op = op_of(t, 0);
    assert_int_equal(zg_org_dissolve(t->c, &op, v1, ZG_ORG_NO_DATE, NULL, &err), ZG_ERR_INVALID);
    assert_true(has(&op, "org.dissolve_only_empty"));
    g_total = 0;
    /* a date before the founding, or in the future: refused */
    op = op_of(t, 0);
    zg_date_t tomorrow;
    zg_date_add_days(zg_date_today(), 1, &tomorrow);
    assert_int_equal(zg_org_dissolve(t->c, &op, v1, tomorrow, NULL, &err), ZG_ERR_INVALID);
    assert_string_equal(op.bad_field, "dissolved_on");
    /* empty: dissolved, its posts ended */
    op = op_of(t, 0);
    CHECK(zg_org_dissolve(t->c, &op, v1, D("2025-06-30"), "撤并入青石村", &err));
    zg_org_t o;
    CHECK(zg_org_get(t->c, &t->a, t->root, v1, &o, &err));
    assert_string_equal(o.status, "dissolved");
    assert_int_equal(o.dissolved_on, D("2025-06-30"));
    assert_int_equal(
        qint(t, "SELECT count(*) FROM org_leader WHERE org_id = $1 AND ended_on IS NULL", v1), 0);
    assert_int_equal(
        qint(t, "SELECT count(*) FROM audit_log WHERE action = 'org.dissolve' AND object_id = $1",
             v1),
        1);
    /* twice: conflict; writes to a dissolved org: conflict */
    op = op_of(t, 0);
    assert_int_equal(zg_org_dissolve(t->c, &op, v1, ZG_ORG_NO_DATE, NULL, &err), ZG_ERR_CONFLICT);
    op = op_of(t, 0);
    zg_org_input_t up = {.set = ZG_ORG_SET_NAME, .name = "新名", .effective_on = ZG_ORG_NO_DATE};
    assert_int_equal(zg_org_update(t->c, &op, v1, &up, &err), ZG_ERR_CONFLICT);
    op = op_of(t, 0);
    zg_org_input_t in = input(v1, "group", "党小组");
    int64_t id;
    assert_int_equal(zg_org_create(t->c, &op, &in, &id, &err), ZG_ERR_CONFLICT);
    op = op_of(t, 0);
    assert_int_equal(zg_org_leaders_add(t->c, &op, v1, &sec, 1, false, ZG_ORG_NO_DATE, NULL, &err),
                     ZG_ERR_CONFLICT);
    /* the parent has only a dissolved child now: it may be dissolved */
    op = op_of(t, 0);
    CHECK(zg_org_dissolve(t->c, &op, town, ZG_ORG_NO_DATE, NULL, &err));
    /* the root and the own home org cannot be */
    op = op_of(t, 0);
    assert_int_equal(zg_org_dissolve(t->c, &op, t->root, ZG_ORG_NO_DATE, NULL, &err),
                     ZG_ERR_FORBIDDEN);
    int64_t x = mk(t, t->root, "committee", "某县委");
    op = op_of(t, x);
    assert_int_equal(zg_org_dissolve(t->c, &op, x, ZG_ORG_NO_DATE, NULL, &err), ZG_ERR_FORBIDDEN);
}

static void test_subtree_children_path(void **state)
{
    ctx_t *t = start(state);
    zg_error_t err;
    int64_t a = mk(t, t->root, "committee", "甲县委");
    int64_t b = mk(t, t->root, "committee", "乙县委");
    int64_t towns[3];
    for (int i = 0; i < 3; i++) {
        char name[64];
        snprintf(name, sizeof name, "甲县第%d镇党委", i + 1);
        towns[i] = mk(t, a, "committee", name);
        for (int k = 0; k < 4; k++) {
            snprintf(name, sizeof name, "甲县第%d镇第%d村党支部", i + 1, k + 1);
            mk(t, towns[i], "branch", name);
        }
    }
    (void)b;
    zg_org_list_t l;
    /* the root and one level */
    CHECK(zg_org_subtree(t->c, &t->a, t->root, t->root, 1, 100, false, &l, &err));
    assert_int_equal(l.n, 3);
    assert_false(l.truncated);
    assert_int_equal(l.items[0].id, t->root);
    assert_int_equal(l.items[0].child_count, 2);
    assert_int_equal(l.items[1].id, a);
    assert_int_equal(l.items[1].child_count, 3);
    assert_int_equal(l.items[1].parent_id, t->root);
    /* all of county A */
    CHECK(zg_org_subtree(t->c, &t->a, t->root, a, 10, 100, false, &l, &err));
    assert_int_equal(l.n, 16);
    for (size_t i = 1; i < l.n; i++)
        assert_true(l.items[i].depth >= l.items[i - 1].depth); /* breadth first */
    /* bounded by rows */
    CHECK(zg_org_subtree(t->c, &t->a, t->root, a, 10, 5, false, &l, &err));
    assert_int_equal(l.n, 5);
    assert_true(l.truncated);
    /* depth 0: the node only */
    CHECK(zg_org_subtree(t->c, &t->a, t->root, a, 0, 5, false, &l, &err));
    assert_int_equal(l.n, 1);
    /* out-of-range parameters */
    assert_int_equal(zg_org_subtree(t->c, &t->a, t->root, a, 65, 5, false, &l, &err),
                     ZG_ERR_INVALID);
    assert_int_equal(zg_org_subtree(t->c, &t->a, t->root, a, 1, 0, false, &l, &err),
                     ZG_ERR_INVALID);
    /* dissolved orgs are left out unless asked for */
    int64_t gone = mk(t, towns[0], "branch", "已撤销村党支部");
    zg_org_op_t op = op_of(t, 0);
    CHECK(zg_org_dissolve(t->c, &op, gone, ZG_ORG_NO_DATE, NULL, &err));
    CHECK(zg_org_subtree(t->c, &t->a, t->root, towns[0], 1, 100, false, &l, &err));
    assert_int_equal(l.n, 5);
    assert_int_equal(l.items[0].child_count, 4);
    CHECK(zg_org_subtree(t->c, &t->a, t->root, towns[0], 1, 100, true, &l, &err));
    assert_int_equal(l.n, 6);

    /* children, paged */
    CHECK(zg_org_children(t->c, &t->a, t->root, towns[0], "active", 0, 3, &l, &err));
    assert_int_equal(l.n, 3);
    assert_int_equal(l.total, 4);
    CHECK(zg_org_children(t->c, &t->a, t->root, towns[0], "active", 3, 3, &l, &err));
    assert_int_equal(l.n, 1);
    CHECK(zg_org_children(t->c, &t->a, t->root, towns[0], NULL, 0, 10, &l, &err));
    assert_int_equal(l.total, 5);
    CHECK(zg_org_children(t->c, &t->a, t->root, towns[0], "dissolved", 0, 10, &l, &err));
    assert_int_equal(l.total, 1);
    assert_int_equal(l.items[0].id, gone);
    assert_int_equal(zg_org_children(t->c, &t->a, t->root, towns[0], "gone", 0, 10, &l, &err),
                     ZG_ERR_INVALID);
    CHECK(zg_org_children(t->c, &t->a, t->root, a, NULL, 0, 10, &l, &err));
    assert_int_equal(l.items[0].child_count, 4);

    /* path from the scope root */
    int64_t v = l.items[0].id;
    (void)v;
    CHECK(zg_org_children(t->c, &t->a, t->root, towns[1], NULL, 0, 1, &l, &err));
    int64_t village = l.items[0].id;
    CHECK(zg_org_path(t->c, &t->a, t->root, village, &l, &err));
    assert_int_equal(l.n, 4);
    assert_int_equal(l.items[0].id, t->root);
    assert_int_equal(l.items[1].id, a);
    assert_int_equal(l.items[2].id, towns[1]);
    assert_int_equal(l.items[3].id, village);
    CHECK(zg_org_path(t->c, &t->a, a, village, &l, &err));
    assert_int_equal(l.n, 3);
    assert_int_equal(l.items[0].id, a);
    CHECK(zg_org_path(t->c, &t->a, towns[1], towns[1], &l, &err));
    assert_int_equal(l.n, 1);
}

static void test_search(void **state)
{
    ctx_t *t = start(state);
    zg_error_t err;
    int64_t a = mk(t, t->root, "committee", "甲县委");
    mk(t, a, "branch", "100%达标党支部");
    mk(t, a, "branch", "1000达标党支部");
    mk(t, a, "branch", "a_b党支部");
    mk(t, a, "branch", "axb党支部");
    int64_t coded = 0;
    zg_org_op_t op = op_of(t, 0);
    zg_org_input_t in = input(a, "general_branch", "某中学党总支");
    in.set |= ZG_ORG_SET_CODE | ZG_ORG_SET_DOMAIN;
    in.code = "SCH-Alpha";
    in.domain = "school";
    CHECK(zg_org_create(t->c, &op, &in, &coded, &err));

    zg_org_list_t l;
    zg_org_query_t q = {.q = "100%", .limit = 20};
    CHECK(zg_org_search(t->c, &t->a, t->root, &q, &l, &err));
    assert_int_equal(l.total, 1); /* % is literal, so 1000 does not match */
    assert_string_equal(l.items[0].name, "100%达标党支部");
    q.q = "a_b";
    CHECK(zg_org_search(t->c, &t->a, t->root, &q, &l, &err));
    assert_int_equal(l.total, 1); /* _ is literal too */
    q.q = "sch-ALPHA";            /* codes match without regard to case, on both backends */
    CHECK(zg_org_search(t->c, &t->a, t->root, &q, &l, &err));
    assert_int_equal(l.total, 1);
    assert_int_equal(l.items[0].id, coded);
    q.q = "党支部";
    CHECK(zg_org_search(t->c, &t->a, t->root, &q, &l, &err));
    assert_int_equal(l.total, 4);
    q.limit = 3;
    CHECK(zg_org_search(t->c, &t->a, t->root, &q, &l, &err));
    assert_int_equal(l.n, 3);
    assert_int_equal(l.total, 4);
    q.offset = 3;
    CHECK(zg_org_search(t->c, &t->a, t->root, &q, &l, &err));
    assert_int_equal(l.n, 1);
    /* filters */
    zg_org_query_t k = {.kind = "general_branch", .limit = 20};
    CHECK(zg_org_search(t->c, &t->a, t->root, &k, &l, &err));
    assert_int_equal(l.total, 1);
    zg_org_query_t d = {.domain = "school", .limit = 20};
    CHECK(zg_org_search(t->c, &t->a, t->root, &d, &l, &err));
    assert_int_equal(l.total, 1);
    zg_org_query_t all = {.limit = 20};
    CHECK(zg_org_search(t->c, &t->a, t->root, &all, &l, &err));
    assert_int_equal(l.total, 7);
    CHECK(zg_org_search(t->c, &t->a, a, &all, &l, &err));
    assert_int_equal(l.total, 6);
    zg_org_query_t st = {.status = "dissolved", .limit = 20};
    CHECK(zg_org_search(t->c, &t->a, t->root, &st, &l, &err));
    assert_int_equal(l.total, 0);
    zg_org_query_t bad = {.limit = 0};
    assert_int_equal(zg_org_search(t->c, &t->a, t->root, &bad, &l, &err), ZG_ERR_INVALID);
}

int main(void)
{
    if (!getenv("ZG_TEST_PG_URL") || !*getenv("ZG_TEST_PG_URL"))
        fprintf(stderr, "test_org: ZG_TEST_PG_URL is not set: the postgres/* tests are skipped\n");
    const struct CMUnitTest tests[] = {
        BOTH(test_root_bootstrap),        BOTH(test_create_and_get), BOTH(test_create_validation),
        BOTH(test_code_unique),           BOTH(test_scope),          BOTH(test_update_and_rename),
        BOTH(test_joint_branch_units),    BOTH(test_move),           BOTH(test_dissolve),
        BOTH(test_subtree_children_path), BOTH(test_search),
    };
    int failed = cmocka_run_group_tests_name("org", tests, NULL, NULL);
    zg_testdb_cleanup();
    return failed;
}
