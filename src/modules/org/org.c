/* org.c — the org tree: create, read, update, rename, move, dissolve, subtree, children,
 * search, path and history, the module's code tables, and the helpers shared with
 * org_team.c (see org.h and org_internal.h).
 *
 * The tree is an adjacency list (org.parent_id) plus a closure table (org_closure) with a
 * row for every (ancestor, descendant) pair, itself included. Every subtree read goes
 * through org_closure; a create adds the new node's rows by copying its parent's, and a
 * move replaces the links between the moved subtree and its old ancestors by links to the
 * new ones with one DELETE and one INSERT ... SELECT — the number of statements does not
 * depend on the size of the subtree or the depth of the tree. */
#include "modules/org/org_internal.h"

#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "core/utf8.h"
#include "db/scope.h"
#include "modules/audit/audit.h"
#include "modules/dict/dict.h"

/* ---- code tables --------------------------------------------------------------------- */

const zg_org_label_t zg_org_kinds[] = {
    {"committee", "党委"},         {"work_committee", "党工委"}, {"leading_group", "党组"},
    {"general_branch", "党总支"},  {"branch", "党支部"},         {"joint_branch", "联合党支部"},
    {"temp_branch", "临时党支部"}, {"group", "党小组"},          {NULL, NULL},
};

const zg_org_label_t zg_org_domains[] = {
    {"rural", "农村"},         {"community", "城市社区"},
    {"agency", "机关"},        {"school", "中小学"},
    {"hospital", "公立医院"},  {"soe", "国有企业"},
    {"emerging", "新兴领域"},  {"university", "高校"},
    {"institute", "科研院所"}, {NULL, NULL},
};

const zg_org_label_t zg_org_posts[] = {
    {"secretary", "书记"},           {"deputy_secretary", "副书记"}, {"committee_member", "委员"},
    {"first_secretary", "第一书记"}, {"organizer", "组织员"},        {NULL, NULL},
};

const zg_org_label_t zg_org_grades[] = {
    {"good", "好"}, {"fairly_good", "较好"}, {"average", "一般"}, {"poor", "较差"}, {NULL, NULL},
};

const zg_org_label_t zg_org_statuses[] = {
    {"active", "正常"},
    {"dissolved", "已撤销"},
    {NULL, NULL},
};

const char *zg_org_label(const zg_org_label_t *table, const char *code)
{
    if (!code)
        return NULL;
    for (; table->code; table++)
        if (!strcmp(table->code, code))
            return table->label;
    return NULL;
}

/* 支部 of any sort: a branch, a joint branch, a temporary branch. */
static bool is_any_branch(const char *kind)
{
    return !strcmp(kind, "branch") || !strcmp(kind, "joint_branch") || !strcmp(kind, "temp_branch");
}

bool org_is_branch(const char *kind)
{
    return kind && (!strcmp(kind, "branch") || !strcmp(kind, "joint_branch"));
}

bool zg_org_kind_may_hold(const char *parent, const char *child)
{
    if (!zg_org_label(zg_org_kinds, parent) || !zg_org_label(zg_org_kinds, child))
        return false;
    if (!strcmp(parent, "group") || !strcmp(parent, "leading_group"))
        return false; /* a group is the smallest unit; a 党组 leads no grassroots orgs */
    if (is_any_branch(parent))
        return !strcmp(child, "group");
    if (!strcmp(parent, "general_branch"))
        return is_any_branch(child);
    return strcmp(child, "group") != 0; /* committees and work committees */
}

/* ---- member counter -------------------------------------------------------------------- */

static _Atomic(zg_org_member_count_fn) g_member_counter;

void zg_org_set_member_counter(zg_org_member_count_fn fn)
{
    atomic_store(&g_member_counter, fn);
}

zg_org_member_count_fn org_member_counter(void)
{
    return atomic_load(&g_member_counter);
}

/* ---- shared helpers --------------------------------------------------------------------- */

void zg_org_op_init(zg_org_op_t *op, zg_arena_t *arena, int64_t scope, const zg_org_actor_t *actor)
{
    memset(op, 0, sizeof *op);
    op->arena = arena;
    op->scope = scope;
    if (actor)
        op->actor = *actor;
    zg_findings_init(&op->findings, arena);
}

const char *org_col_str(zg_rows_t *r, int col, zg_arena_t *a, bool *oom)
{
    if (zg_rows_isnull(r, col))
        return NULL;
    char *s = zg_arena_strdup(a, zg_rows_text(r, col));
    if (!s)
        *oom = true;
    return s;
}

zg_date_t org_col_date(zg_rows_t *r, int col)
{
    zg_date_t d;
    if (zg_rows_isnull(r, col) || zg_date_parse(zg_rows_text(r, col), &d))
        return ZG_ORG_NO_DATE;
    return d;
}

zg_param_t org_date_param(zg_date_t d, char buf[ZG_DATE_STR_SIZE])
{
    if (d == ZG_ORG_NO_DATE || zg_date_format(d, buf))
        return ZG_P_NULL;
    return ZG_P_TEXT(buf);
}

static int nomem(zg_error_t *err, const char *what)
{
    return zg_error_set(err, ZG_ERR_NOMEM, "no_memory", "服务器内存不足，请稍后重试",
                        "org: out of memory (%s)", what);
}

int org_read_row(zg_rows_t *r, int col, zg_arena_t *a, zg_org_t *o, zg_error_t *err)
{
    bool oom = false;
    memset(o, 0, sizeof *o);
    o->id = zg_rows_int(r, col + 0);
    o->parent_id = zg_rows_isnull(r, col + 1) ? 0 : zg_rows_int(r, col + 1);
    o->kind = org_col_str(r, col + 2, a, &oom);
    o->name = org_col_str(r, col + 3, a, &oom);
    o->short_name = org_col_str(r, col + 4, a, &oom);
    o->code = org_col_str(r, col + 5, a, &oom);
    o->category = org_col_str(r, col + 6, a, &oom);
    o->domain = org_col_str(r, col + 7, a, &oom);
    o->unit_name = org_col_str(r, col + 8, a, &oom);
    o->unit_count = (int)zg_rows_int(r, col + 9);
    o->founded_on = org_col_date(r, col + 10);
    o->status = org_col_str(r, col + 11, a, &oom);
    o->dissolved_on = org_col_date(r, col + 12);
    o->depth = (int)zg_rows_int(r, col + 13);
    o->sort = (int)zg_rows_int(r, col + 14);
    o->created_at = org_col_str(r, col + 15, a, &oom);
    o->updated_at = org_col_str(r, col + 16, a, &oom);
    o->child_count = -1;
    return oom ? nomem(err, "org row") : ZG_OK;
}

int org_not_found(zg_error_t *err, int64_t id)
{
    return zg_error_set(err, ZG_ERR_NOT_FOUND, "not_found", "组织不存在或不在您的管理范围内",
                        "org %lld not found or out of scope", (long long)id);
}

int org_load(zg_conn_t *c, zg_arena_t *a, int64_t id, zg_org_t *o, zg_error_t *err)
{
    zg_param_t p[] = {ZG_P_INT(id)};
    zg_rows_t *r;
    int rc = zg_db_query(c, "SELECT " ORG_COLS " FROM org o WHERE o.id = $1", p, 1, &r, err);
    if (rc)
        return rc;
    rc = zg_rows_next(r, err);
    if (rc == 1)
        rc = org_read_row(r, 0, a, o, err);
    else if (rc == 0)
        rc = org_not_found(err, id);
    zg_rows_close(r);
    return rc;
}

int org_require_scope(zg_conn_t *c, int64_t scope, int64_t id, zg_error_t *err)
{
    bool in = false;
    if (id <= 0 || scope <= 0)
        return org_not_found(err, id);
    int rc = zg_scope_contains(c, scope, id, &in, err);
    if (rc)
        return rc;
    return in ? ZG_OK : org_not_found(err, id);
}

int org_lock_tree(zg_conn_t *c, zg_error_t *err)
{
    return zg_db_exec(c, "UPDATE org_tree_lock SET version = version + 1 WHERE id = 1", NULL, 0,
                      NULL, err);
}

int org_lock_row(zg_conn_t *c, int64_t id, zg_error_t *err)
{
    char now[ZG_TIMESTAMP_SIZE];
    zg_timestamp_now(now);
    zg_param_t p[] = {ZG_P_TEXT(now), ZG_P_INT(id)};
    int64_t n = 0;
    int rc = zg_db_exec(c, "UPDATE org SET updated_at = $1 WHERE id = $2", p, 2, &n, err);
    if (!rc && n != 1)
        rc = org_not_found(err, id);
    return rc;
}

int org_bad_field(zg_org_op_t *op, zg_error_t *err, const char *field, const char *message)
{
    op->bad_field = field;
    return zg_error_set(err, ZG_ERR_INVALID, "invalid_fields", message, "org: bad field %s", field);
}

int org_rule_refusal(zg_org_op_t *op, zg_error_t *err)
{
    const zg_finding_t *first = NULL;
    for (int i = 0; i < op->findings.n && !first; i++)
        if (op->findings.items[i].rule->severity == ZG_SEV_BLOCK)
            first = &op->findings.items[i];
    if (!first)
        return zg_error_set(err, ZG_ERR_INTERNAL, "rule_violation", "系统内部错误",
                            "org: refusal without a blocking finding");
    char msg[sizeof err->message];
    snprintf(msg, sizeof msg, "不符合%s：%s", first->rule->citation, first->message);
    return zg_error_set(err, ZG_ERR_INVALID, "rule_violation", msg, "org: rule %s",
                        first->rule->id);
}

void org_findings_keep_advisory(zg_org_op_t *op)
{
    int k = 0;
    for (int i = 0; i < op->findings.n; i++)
        if (op->findings.items[i].rule->severity != ZG_SEV_BLOCK)
            op->findings.items[k++] = op->findings.items[i];
    op->findings.n = k;
}

int org_check_text(zg_org_op_t *op, zg_error_t *err, const char *field, const char *label,
                   const char *s, bool required, size_t max)
{
    char msg[160];
    if (!s) {
        if (!required)
            return ZG_OK;
        snprintf(msg, sizeof msg, "请填写%s", label);
        return org_bad_field(op, err, field, msg);
    }
    size_t len = strlen(s), chars = 0;
    if (zg_utf8_strlen(s, len, &chars)) {
        snprintf(msg, sizeof msg, "%s含有无效字符", label);
        return org_bad_field(op, err, field, msg);
    }
    bool blank = true;
    for (size_t i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch < 0x20 || ch == 0x7f) {
            snprintf(msg, sizeof msg, "%s不能含有控制字符", label);
            return org_bad_field(op, err, field, msg);
        }
        if (ch != ' ')
            blank = false;
    }
    if (required && blank) {
        snprintf(msg, sizeof msg, "请填写%s", label);
        return org_bad_field(op, err, field, msg);
    }
    if (chars > max) {
        snprintf(msg, sizeof msg, "%s最多%zu个字", label, max);
        return org_bad_field(op, err, field, msg);
    }
    return ZG_OK;
}

void org_detail_init(org_detail_t *d, zg_arena_t *a)
{
    zg_strbuf_init(&d->sb, a, ZG_AUDIT_DETAIL_MAX);
    d->n = 0;
    zg_strbuf_putc(&d->sb, '{');
}

static void detail_key(org_detail_t *d, const char *field)
{
    if (d->n++)
        zg_strbuf_putc(&d->sb, ',');
    zg_strbuf_json_string(&d->sb, field);
    zg_strbuf_putc(&d->sb, ':');
}

static void detail_text(org_detail_t *d, const char *s)
{
    if (s)
        zg_strbuf_json_string(&d->sb, s);
    else
        zg_strbuf_puts(&d->sb, "null");
}

void org_detail_str(org_detail_t *d, const char *field, const char *from, const char *to)
{
    detail_key(d, field);
    zg_strbuf_puts(&d->sb, "{\"from\":");
    detail_text(d, from);
    zg_strbuf_puts(&d->sb, ",\"to\":");
    detail_text(d, to);
    zg_strbuf_putc(&d->sb, '}');
}

void org_detail_int(org_detail_t *d, const char *field, int64_t from, int64_t to)
{
    detail_key(d, field);
    zg_strbuf_printf(&d->sb, "{\"from\":%lld,\"to\":%lld}", (long long)from, (long long)to);
}

void org_detail_val(org_detail_t *d, const char *field, const char *value)
{
    detail_key(d, field);
    detail_text(d, value);
}

void org_detail_ival(org_detail_t *d, const char *field, int64_t value)
{
    detail_key(d, field);
    zg_strbuf_printf(&d->sb, "%lld", (long long)value);
}

void org_detail_raw(org_detail_t *d, const char *field, const char *json)
{
    detail_key(d, field);
    zg_strbuf_puts(&d->sb, json);
}

const char *org_detail_end(org_detail_t *d)
{
    zg_strbuf_putc(&d->sb, '}');
    return d->sb.overflow ? NULL : zg_strbuf_cstr(&d->sb);
}

int org_audit(zg_conn_t *c, const zg_org_op_t *op, const char *action, int64_t org_id,
              const char *detail, zg_error_t *err)
{
    zg_audit_event_t e = {
        .account_id = op->actor.account_id,
        .username = op->actor.username,
        .ip = op->actor.ip,
        .action = action,
        .object_type = "org",
        .object_id = org_id,
        .outcome = "ok",
        .detail = detail ? detail : "{\"_truncated\":true}",
    };
    return zg_audit_append(c, &e, err);
}

int org_history(zg_conn_t *c, const zg_org_op_t *op, int64_t org_id, const char *type,
                zg_date_t effective_on, const char *old_name, const char *new_name,
                int64_t from_parent, int64_t to_parent, const char *detail, zg_error_t *err)
{
    char eff[ZG_DATE_STR_SIZE], now[ZG_TIMESTAMP_SIZE];
    if (effective_on == ZG_ORG_NO_DATE)
        effective_on = zg_date_today();
    zg_date_format(effective_on, eff);
    zg_timestamp_now(now);
    zg_param_t p[] = {
        ZG_P_INT(org_id),
        ZG_P_TEXT(type),
        ZG_P_TEXT(eff),
        ZG_P_TEXT(old_name),
        ZG_P_TEXT(new_name),
        from_parent ? ZG_P_INT(from_parent) : ZG_P_NULL,
        to_parent ? ZG_P_INT(to_parent) : ZG_P_NULL,
        ZG_P_TEXT(detail ? detail : "{}"),
        ZG_P_INT(op->actor.account_id),
        ZG_P_TEXT(op->actor.username),
        ZG_P_TEXT(now),
    };
    return zg_db_exec(c,
                      "INSERT INTO org_change (org_id, change_type, effective_on, old_name, "
                      "new_name, from_parent_id, to_parent_id, detail, account_id, username, "
                      "changed_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
                      p, 11, NULL, err);
}

/* Grows an arena array of `size`-byte elements to hold one more; NULL on failure. */
static void *grow(zg_arena_t *a, void *items, size_t n, size_t *cap, size_t size)
{
    if (n < *cap)
        return items;
    size_t ncap = *cap ? *cap * 2 : 16;
    void *nv = zg_arena_calloc(a, ncap, size);
    if (nv && n)
        memcpy(nv, items, n * size);
    *cap = ncap;
    return nv;
}

/* Reads every row of `r` (ORG_COLS, then the child count when `with_children`) into out;
 * at most `max` rows (max + 1 read → out->truncated). Closes r. */
static int read_orgs(zg_rows_t *r, zg_arena_t *a, bool with_children, size_t max,
                     zg_org_list_t *out, zg_error_t *err)
{
    size_t cap = 0, n = 0;
    zg_org_t *items = NULL;
    int rc;
    out->truncated = false;
    while ((rc = zg_rows_next(r, err)) == 1) {
        if (n == max) {
            out->truncated = true;
            break;
        }
        items = grow(a, items, n, &cap, sizeof *items);
        if (!items) {
            rc = nomem(err, "org list");
            break;
        }
        rc = org_read_row(r, 0, a, &items[n], err);
        if (rc)
            break;
        if (with_children)
            items[n].child_count = zg_rows_int(r, ORG_NCOLS);
        n++;
    }
    zg_rows_close(r);
    if (rc < 0)
        return rc;
    out->items = items;
    out->n = n;
    out->total = (int64_t)n;
    return ZG_OK;
}

#define CHILD_COUNT                                                                                \
    "(SELECT count(*) FROM org ch WHERE ch.parent_id = o.id AND ch.status = 'active')"

/* ---- validation ---------------------------------------------------------------------------- */

static bool code_chars_ok(const char *s)
{
    for (; *s; s++) {
        char ch = *s;
        if (!((ch >= '0' && ch <= '9') || (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
              ch == '-' || ch == '_'))
            return false;
    }
    return true;
}

/* Whether an optional text field is set to a value ("" clears it). */
static const char *opt(const char *s)
{
    return s && *s ? s : NULL;
}

/* Validates the fields of `in` marked in `set`. `create` requires kind and name. */
static int validate_input(zg_conn_t *c, zg_org_op_t *op, const zg_org_input_t *in, unsigned set,
                          bool create, zg_error_t *err)
{
    int rc;
    if (create && !(set & ZG_ORG_SET_KIND))
        return org_bad_field(op, err, "kind", "请选择组织类型");
    if ((set & ZG_ORG_SET_KIND) && !zg_org_label(zg_org_kinds, in->kind))
        return org_bad_field(op, err, "kind", "组织类型不正确");
    if (create && !(set & ZG_ORG_SET_NAME))
        return org_bad_field(op, err, "name", "请填写组织名称");
    if ((set & ZG_ORG_SET_NAME) &&
        (rc = org_check_text(op, err, "name", "组织名称", in->name, true, ZG_ORG_NAME_MAX)))
        return rc;
    if ((set & ZG_ORG_SET_SHORT_NAME) &&
        (rc = org_check_text(op, err, "short_name", "简称", in->short_name, false,
                             ZG_ORG_SHORT_NAME_MAX)))
        return rc;
    if ((set & ZG_ORG_SET_UNIT_NAME) &&
        (rc = org_check_text(op, err, "unit_name", "所在单位", in->unit_name, false,
                             ZG_ORG_UNIT_NAME_MAX)))
        return rc;
    if ((set & ZG_ORG_SET_CODE) && opt(in->code)) {
        if (strlen(in->code) > ZG_ORG_CODE_MAX || !code_chars_ok(in->code))
            return org_bad_field(op, err, "code",
                                 "组织代码应为不超过32位的字母、数字、连字符或下划线");
    }
    if ((set & ZG_ORG_SET_DOMAIN) && opt(in->domain) && !zg_org_label(zg_org_domains, in->domain))
        return org_bad_field(op, err, "domain", "所属领域不正确");
    if ((set & ZG_ORG_SET_UNIT_COUNT) &&
        (in->unit_count < 1 || in->unit_count > ZG_ORG_UNIT_COUNT_MAX))
        return org_bad_field(op, err, "unit_count", "覆盖单位数应在 1 到 1000 之间");
    if ((set & ZG_ORG_SET_SORT) && (in->sort < -1000000000 || in->sort > 1000000000))
        return org_bad_field(op, err, "sort", "排序号超出范围");
    if (set & ZG_ORG_SET_FOUNDED_ON) {
        if (in->founded_on != ZG_ORG_NO_DATE &&
            (!zg_date_valid(in->founded_on) || in->founded_on > zg_date_today()))
            return org_bad_field(op, err, "founded_on", "成立日期不能晚于今天");
    }
    if ((set & ZG_ORG_SET_CATEGORY) && opt(in->category)) {
        const char *label;
        zg_error_t e2;
        rc = zg_dict_label(c, op->arena, "org_category", in->category, &label, &e2);
        if (rc == ZG_ERR_NOT_FOUND)
            return org_bad_field(op, err, "category", "组织类别代码不在《党组织类别代码》(ZB62)中");
        if (rc) {
            *err = e2;
            return rc;
        }
    }
    return ZG_OK;
}

/* ZG_ERR_CONFLICT when `code` is used by an org other than `self`. */
static int check_code_free(zg_conn_t *c, zg_org_op_t *op, const char *code, int64_t self,
                           zg_error_t *err)
{
    if (!opt(code))
        return ZG_OK;
    zg_param_t p[] = {ZG_P_TEXT(code), ZG_P_INT(self)};
    int64_t n = 0;
    int rc =
        zg_db_query_int(c, "SELECT count(*) FROM org WHERE code = $1 AND id <> $2", p, 2, &n, err);
    if (rc)
        return rc;
    if (n) {
        op->bad_field = "code";
        return zg_error_set(err, ZG_ERR_CONFLICT, "code_taken", "组织代码已被其他组织使用",
                            "org code %s taken", code);
    }
    return ZG_OK;
}

static int kind_refusal(zg_org_op_t *op, zg_error_t *err, const char *field, const char *parent,
                        const char *child)
{
    char msg[160];
    snprintf(msg, sizeof msg, "%s下不能设立%s", zg_org_label(zg_org_kinds, parent),
             zg_org_label(zg_org_kinds, child));
    return org_bad_field(op, err, field, msg);
}

int org_judge(zg_conn_t *c, zg_org_op_t *op, const zg_org_facts_t *before, int64_t id,
              zg_error_t *err)
{
    zg_org_t o;
    zg_org_facts_t after;
    int rc = org_load(c, op->arena, id, &o, err);
    if (!rc)
        rc = org_facts_load(c, &o, zg_date_today(), &after, err);
    if (rc)
        return rc;
    zg_findings_t tmp;
    zg_findings_init(&tmp, op->arena);
    if (zg_org_write_refused(before, &after, &tmp)) {
        op->findings = tmp;
        return org_rule_refusal(op, err);
    }
    zg_org_evaluate(&after, &tmp);
    for (int i = 0; i < tmp.n && op->findings.n < ZG_FINDINGS_MAX; i++)
        if (tmp.items[i].rule->severity != ZG_SEV_BLOCK)
            op->findings.items[op->findings.n++] = tmp.items[i];
    return ZG_OK;
}

void org_facts_none(zg_org_facts_t *f)
{
    memset(f, 0, sizeof *f);
    f->kind = "";
    f->unit_count = 1;
    f->term_end = ZG_ORG_NO_DATE;
    f->today = zg_date_today();
}

/* Runs `fn` in a write transaction: commit on success, rollback on failure. */
#define IN_WRITE_TX(c, err, call)                                                                  \
    do {                                                                                           \
        int rc_ = zg_db_begin((c), ZG_TX_WRITE, (err));                                            \
        if (rc_)                                                                                   \
            return rc_;                                                                            \
        rc_ = (call);                                                                              \
        if (!rc_)                                                                                  \
            rc_ = zg_db_commit((c), (err));                                                        \
        if (rc_)                                                                                   \
            zg_db_rollback(c);                                                                     \
        return rc_;                                                                                \
    } while (0)

/* ---- root --------------------------------------------------------------------------------- */

int zg_org_root(zg_conn_t *c, int64_t *root_id, zg_error_t *err)
{
    int rc = zg_db_query_int(c, "SELECT id FROM org WHERE parent_id IS NULL ORDER BY id LIMIT 1",
                             NULL, 0, root_id, err);
    if (rc == ZG_ERR_NOT_FOUND)
        return zg_error_set(err, ZG_ERR_NOT_FOUND, "no_root", "尚未建立根组织", "org tree empty");
    return rc;
}

static int create_root_tx(zg_conn_t *c, zg_org_op_t *op, const char *name, int64_t *id,
                          zg_error_t *err)
{
    int rc = org_check_text(op, err, "name", "组织名称", name, true, ZG_ORG_NAME_MAX);
    if (!rc)
        rc = org_lock_tree(c, err);
    if (rc)
        return rc;
    int64_t existing;
    zg_error_t e2;
    rc = zg_org_root(c, &existing, &e2);
    if (rc == ZG_OK)
        return zg_error_set(err, ZG_ERR_CONFLICT, "root_exists", "根组织已经存在",
                            "org root %lld exists", (long long)existing);
    if (rc != ZG_ERR_NOT_FOUND) {
        *err = e2;
        return rc;
    }
    char now[ZG_TIMESTAMP_SIZE];
    zg_timestamp_now(now);
    zg_param_t p[] = {ZG_P_TEXT(name), ZG_P_TEXT(now)};
    rc = zg_db_query_int(c,
                         "INSERT INTO org (parent_id, kind, name, depth, created_at, updated_at) "
                         "VALUES (NULL, 'committee', $1, 0, $2, $2) RETURNING id",
                         p, 2, id, err);
    if (rc)
        return rc;
    zg_param_t q[] = {ZG_P_INT(*id)};
    rc = zg_db_exec(c,
                    "INSERT INTO org_closure (ancestor_id, descendant_id, depth) "
                    "VALUES ($1, $1, 0)",
                    q, 1, NULL, err);
    org_detail_t d;
    org_detail_init(&d, op->arena);
    org_detail_val(&d, "name", name);
    org_detail_val(&d, "kind", "committee");
    org_detail_val(&d, "root", "true");
    const char *detail = org_detail_end(&d);
    if (!rc)
        rc = org_history(c, op, *id, "create", ZG_ORG_NO_DATE, NULL, name, 0, 0, detail, err);
    if (!rc)
        rc = org_audit(c, op, "org.create", *id, detail, err);
    return rc;
}

int zg_org_create_root(zg_conn_t *c, const zg_org_actor_t *actor, const char *name, int64_t *id,
                       zg_error_t *err)
{
    zg_arena_t a;
    zg_arena_init(&a, 0, 1 << 20);
    zg_org_op_t op;
    zg_org_op_init(&op, &a, 0, actor);
    int rc = zg_db_begin(c, ZG_TX_WRITE, err);
    if (!rc)
        rc = create_root_tx(c, &op, name, id, err);
    if (!rc)
        rc = zg_db_commit(c, err);
    if (rc)
        zg_db_rollback(c);
    zg_arena_destroy(&a);
    return rc;
}

int zg_org_bootstrap_root(zg_db_t *db, const char *name, int64_t *root_id, zg_error_t *err)
{
    zg_conn_t *c = zg_db_conn(db, err);
    if (!c)
        return ZG_ERR_DB;
    zg_error_t e2;
    int rc = zg_org_root(c, root_id, &e2);
    if (rc != ZG_ERR_NOT_FOUND) {
        if (rc)
            *err = e2;
        return rc;
    }
    zg_org_actor_t cli = {.account_id = 0, .username = "system"};
    rc = zg_org_create_root(c, &cli, name, root_id, err);
    if (rc == ZG_ERR_CONFLICT) /* created meanwhile by another process */
        rc = zg_org_root(c, root_id, err);
    return rc;
}

/* ---- create ------------------------------------------------------------------------------ */

int org_create_tx(zg_conn_t *c, zg_org_op_t *op, const zg_org_input_t *in, int64_t *id,
                  zg_error_t *err)
{
    unsigned set = in->set | ZG_ORG_SET_KIND | ZG_ORG_SET_NAME;
    if (!in->kind)
        set &= ~ZG_ORG_SET_KIND;
    if (!in->name)
        set &= ~ZG_ORG_SET_NAME;
    int rc = validate_input(c, op, in, set, true, err);
    if (rc)
        return rc;
    if (in->parent_id <= 0)
        return org_bad_field(op, err, "parent_id", "请选择上级组织");
    rc = org_lock_tree(c, err);
    if (rc)
        return rc;
    zg_org_t parent;
    rc = org_require_scope(c, op->scope, in->parent_id, err);
    if (!rc)
        rc = org_load(c, op->arena, in->parent_id, &parent, err);
    if (rc) {
        if (rc == ZG_ERR_NOT_FOUND)
            op->bad_field = "parent_id";
        return rc;
    }
    if (strcmp(parent.status, "active"))
        return zg_error_set(err, ZG_ERR_CONFLICT, "parent_dissolved",
                            "上级组织已撤销，不能在其下设立组织", "parent %lld dissolved",
                            (long long)parent.id);
    if (!zg_org_kind_may_hold(parent.kind, in->kind))
        return kind_refusal(op, err, "kind", parent.kind, in->kind);
    rc = check_code_free(c, op, (set & ZG_ORG_SET_CODE) ? in->code : NULL, 0, err);
    if (rc)
        return rc;

    char founded[ZG_DATE_STR_SIZE], now[ZG_TIMESTAMP_SIZE];
    zg_timestamp_now(now);
    int64_t unit_count = (set & ZG_ORG_SET_UNIT_COUNT) ? in->unit_count : 1;
    zg_param_t p[] = {
        ZG_P_INT(parent.id),
        ZG_P_TEXT(in->kind),
        ZG_P_TEXT(in->name),
        ZG_P_TEXT((set & ZG_ORG_SET_SHORT_NAME) ? opt(in->short_name) : NULL),
        ZG_P_TEXT((set & ZG_ORG_SET_CODE) ? opt(in->code) : NULL),
        ZG_P_TEXT((set & ZG_ORG_SET_CATEGORY) ? opt(in->category) : NULL),
        ZG_P_TEXT((set & ZG_ORG_SET_DOMAIN) ? opt(in->domain) : NULL),
        ZG_P_TEXT((set & ZG_ORG_SET_UNIT_NAME) ? opt(in->unit_name) : NULL),
        ZG_P_INT(unit_count),
        (set & ZG_ORG_SET_FOUNDED_ON) ? org_date_param(in->founded_on, founded) : ZG_P_NULL,
        ZG_P_INT(parent.depth + 1),
        ZG_P_INT((set & ZG_ORG_SET_SORT) ? in->sort : 0),
        ZG_P_TEXT(now),
    };
    rc = zg_db_query_int(c,
                         "INSERT INTO org (parent_id, kind, name, short_name, code, category, "
                         "domain, unit_name, unit_count, founded_on, depth, sort, created_at, "
                         "updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, "
                         "$13, $13) RETURNING id",
                         p, 13, id, err);
    if (rc)
        return rc;
    /* its closure rows: the parent's ancestors one level further, and itself */
    zg_param_t q[] = {ZG_P_INT(*id), ZG_P_INT(parent.id)};
    rc = zg_db_exec(c,
                    "INSERT INTO org_closure (ancestor_id, descendant_id, depth) "
                    "SELECT ancestor_id, CAST($1 AS BIGINT), depth + 1 FROM org_closure "
                    "WHERE descendant_id = $2",
                    q, 2, NULL, err);
    if (!rc)
        rc = zg_db_exec(c,
                        "INSERT INTO org_closure (ancestor_id, descendant_id, depth) "
                        "VALUES ($1, $1, 0)",
                        q, 1, NULL, err);
    if (rc)
        return rc;

    org_detail_t d;
    org_detail_init(&d, op->arena);
    org_detail_val(&d, "name", in->name);
    org_detail_val(&d, "kind", in->kind);
    org_detail_ival(&d, "parent_id", parent.id);
    if ((set & ZG_ORG_SET_CODE) && opt(in->code))
        org_detail_val(&d, "code", in->code);
    const char *detail = org_detail_end(&d);
    zg_date_t eff = in->effective_on;
    if (eff == ZG_ORG_NO_DATE && (set & ZG_ORG_SET_FOUNDED_ON))
        eff = in->founded_on;
    rc = org_history(c, op, *id, "create", eff, NULL, in->name, 0, parent.id, detail, err);
    if (rc)
        return rc;
    zg_org_facts_t none;
    org_facts_none(&none);
    rc = org_judge(c, op, &none, *id, err);
    if (!rc)
        rc = org_audit(c, op, "org.create", *id, detail, err);
    return rc;
}

/* A UNIQUE violation on code that a concurrent writer won: say which field. */
static int code_race(zg_org_op_t *op, const char *code, int rc, zg_error_t *err)
{
    if (rc == ZG_ERR_CONFLICT && opt(code) && strcmp(err->code, "code_taken") != 0 &&
        !op->bad_field) {
        op->bad_field = "code";
        return zg_error_set(err, ZG_ERR_CONFLICT, "code_taken", "组织代码已被其他组织使用",
                            "org code %s taken (constraint)", code);
    }
    return rc;
}

int zg_org_create(zg_conn_t *c, zg_org_op_t *op, const zg_org_input_t *in, int64_t *id,
                  zg_error_t *err)
{
    int rc = zg_db_begin(c, ZG_TX_WRITE, err);
    if (rc)
        return rc;
    rc = org_create_tx(c, op, in, id, err);
    if (!rc)
        rc = zg_db_commit(c, err);
    if (rc) {
        zg_db_rollback(c);
        rc = code_race(op, (in->set & ZG_ORG_SET_CODE) ? in->code : NULL, rc, err);
    }
    return rc;
}

/* ---- read --------------------------------------------------------------------------------- */

int zg_org_get(zg_conn_t *c, zg_arena_t *a, int64_t scope, int64_t id, zg_org_t *out,
               zg_error_t *err)
{
    int rc = org_require_scope(c, scope, id, err);
    if (rc)
        return rc;
    zg_param_t p[] = {ZG_P_INT(id)};
    zg_rows_t *r;
    rc = zg_db_query(c, "SELECT " ORG_COLS ", " CHILD_COUNT " FROM org o WHERE o.id = $1", p, 1, &r,
                     err);
    if (rc)
        return rc;
    rc = zg_rows_next(r, err);
    if (rc == 1) {
        rc = org_read_row(r, 0, a, out, err);
        out->child_count = zg_rows_int(r, ORG_NCOLS);
    } else if (rc == 0) {
        rc = org_not_found(err, id);
    }
    zg_rows_close(r);
    return rc;
}

/* ---- update ------------------------------------------------------------------------------- */

static bool str_differs(const char *a, const char *b)
{
    if (!a || !b)
        return a != b;
    return strcmp(a, b) != 0;
}

int org_update_tx(zg_conn_t *c, zg_org_op_t *op, int64_t id, const zg_org_input_t *in,
                  zg_error_t *err)
{
    unsigned set = in->set;
    int rc = validate_input(c, op, in, set, false, err);
    if (rc)
        return rc;
    /* a kind change is structural (what the org may hold, what may hold it): serialize it
     * with creates and moves; the tree lock is always taken before a row lock */
    if ((set & ZG_ORG_SET_KIND) && (rc = org_lock_tree(c, err)))
        return rc;
    zg_org_t o;
    rc = org_require_scope(c, op->scope, id, err);
    if (!rc)
        rc = org_lock_row(c, id, err);
    if (!rc)
        rc = org_load(c, op->arena, id, &o, err);
    if (rc)
        return rc;
    if (strcmp(o.status, "active"))
        return zg_error_set(err, ZG_ERR_CONFLICT, "org_dissolved", "组织已撤销，不能修改",
                            "org %lld dissolved", (long long)id);
    zg_org_facts_t before;
    rc = org_facts_load(c, &o, zg_date_today(), &before, err);
    if (rc)
        return rc;

    /* the new values */
    zg_org_t n = o;
    if (set & ZG_ORG_SET_KIND)
        n.kind = in->kind;
    if (set & ZG_ORG_SET_NAME)
        n.name = in->name;
    if (set & ZG_ORG_SET_SHORT_NAME)
        n.short_name = opt(in->short_name);
    if (set & ZG_ORG_SET_CODE)
        n.code = opt(in->code);
    if (set & ZG_ORG_SET_CATEGORY)
        n.category = opt(in->category);
    if (set & ZG_ORG_SET_DOMAIN)
        n.domain = opt(in->domain);
    if (set & ZG_ORG_SET_UNIT_NAME)
        n.unit_name = opt(in->unit_name);
    if (set & ZG_ORG_SET_UNIT_COUNT)
        n.unit_count = (int)in->unit_count;
    if (set & ZG_ORG_SET_FOUNDED_ON)
        n.founded_on = in->founded_on;
    if (set & ZG_ORG_SET_SORT)
        n.sort = (int)in->sort;

    org_detail_t d;
    org_detail_init(&d, op->arena);
    int changes = 0;
    bool renamed = str_differs(o.name, n.name);
#define DIFF_STR(f)                                                                                \
    if (str_differs(o.f, n.f)) {                                                                   \
        org_detail_str(&d, #f, o.f, n.f);                                                          \
        changes++;                                                                                 \
    }
    DIFF_STR(name)
    DIFF_STR(kind)
    DIFF_STR(short_name)
    DIFF_STR(code)
    DIFF_STR(category)
    DIFF_STR(domain)
    DIFF_STR(unit_name)
#undef DIFF_STR
    if (o.unit_count != n.unit_count) {
        org_detail_int(&d, "unit_count", o.unit_count, n.unit_count);
        changes++;
    }
    if (o.sort != n.sort) {
        org_detail_int(&d, "sort", o.sort, n.sort);
        changes++;
    }
    char fo[ZG_DATE_STR_SIZE], fn[ZG_DATE_STR_SIZE];
    if (o.founded_on != n.founded_on) {
        zg_param_t a = org_date_param(o.founded_on, fo), b = org_date_param(n.founded_on, fn);
        org_detail_str(&d, "founded_on", a.s, b.s);
        changes++;
    }
    if (!changes)
        return ZG_OK;
    const char *detail = org_detail_end(&d);

    if (str_differs(o.kind, n.kind)) {
        zg_org_t parent;
        if (o.parent_id) {
            rc = org_load(c, op->arena, o.parent_id, &parent, err);
            if (rc)
                return rc;
            if (!zg_org_kind_may_hold(parent.kind, n.kind))
                return kind_refusal(op, err, "kind", parent.kind, n.kind);
        }
        zg_param_t p[] = {ZG_P_INT(id)};
        zg_rows_t *r;
        rc = zg_db_query(c,
                         "SELECT DISTINCT kind FROM org WHERE parent_id = $1 AND status = 'active'",
                         p, 1, &r, err);
        if (rc)
            return rc;
        const char *bad = NULL;
        while ((rc = zg_rows_next(r, err)) == 1)
            if (!bad && !zg_org_kind_may_hold(n.kind, zg_rows_text(r, 0)))
                bad = zg_org_label(zg_org_kinds, zg_rows_text(r, 0));
        zg_rows_close(r);
        if (rc < 0)
            return rc;
        if (bad) {
            char msg[160];
            snprintf(msg, sizeof msg, "该组织下设有%s，不能改为%s", bad,
                     zg_org_label(zg_org_kinds, n.kind));
            return org_bad_field(op, err, "kind", msg);
        }
    }
    if (str_differs(o.code, n.code) && (rc = check_code_free(c, op, n.code, id, err)))
        return rc;

    char now[ZG_TIMESTAMP_SIZE];
    zg_timestamp_now(now);
    zg_param_t p[] = {
        ZG_P_TEXT(n.kind),      ZG_P_TEXT(n.name),      ZG_P_TEXT(n.short_name),
        ZG_P_TEXT(n.code),      ZG_P_TEXT(n.category),  ZG_P_TEXT(n.domain),
        ZG_P_TEXT(n.unit_name), ZG_P_INT(n.unit_count), org_date_param(n.founded_on, fn),
        ZG_P_INT(n.sort),       ZG_P_TEXT(now),         ZG_P_INT(id),
    };
    rc = zg_db_exec(c,
                    "UPDATE org SET kind = $1, name = $2, short_name = $3, code = $4, "
                    "category = $5, domain = $6, unit_name = $7, unit_count = $8, "
                    "founded_on = $9, sort = $10, updated_at = $11 WHERE id = $12",
                    p, 12, NULL, err);
    if (rc)
        return rc;
    if (renamed) {
        rc = org_history(c, op, id, "rename", in->effective_on, o.name, n.name, 0, 0, detail, err);
    }
    if (!rc && (changes > 1 || !renamed))
        rc = org_history(c, op, id, "update", in->effective_on, NULL, NULL, 0, 0, detail, err);
    if (!rc)
        rc = org_judge(c, op, &before, id, err);
    if (!rc)
        rc = org_audit(c, op, renamed ? "org.rename" : "org.update", id, detail, err);
    return rc;
}

int zg_org_update(zg_conn_t *c, zg_org_op_t *op, int64_t id, const zg_org_input_t *in,
                  zg_error_t *err)
{
    int rc = zg_db_begin(c, ZG_TX_WRITE, err);
    if (rc)
        return rc;
    rc = org_update_tx(c, op, id, in, err);
    if (!rc)
        rc = zg_db_commit(c, err);
    if (rc) {
        zg_db_rollback(c);
        rc = code_race(op, (in->set & ZG_ORG_SET_CODE) ? in->code : NULL, rc, err);
    }
    return rc;
}

/* ---- move --------------------------------------------------------------------------------- */

static int move_tx(zg_conn_t *c, zg_org_op_t *op, int64_t id, int64_t new_parent,
                   zg_date_t effective_on, zg_error_t *err)
{
    if (id == op->scope)
        return zg_error_set(err, ZG_ERR_FORBIDDEN, "own_org",
                            "不能调整本账号所属组织的隶属关系，请由上级组织办理",
                            "account tried to move its home org %lld", (long long)id);
    int rc = org_lock_tree(c, err);
    if (rc)
        return rc;
    zg_org_t o, np;
    rc = org_require_scope(c, op->scope, id, err);
    if (!rc)
        rc = org_load(c, op->arena, id, &o, err);
    if (rc)
        return rc;
    rc = org_require_scope(c, op->scope, new_parent, err);
    if (!rc)
        rc = org_load(c, op->arena, new_parent, &np, err);
    if (rc) {
        if (rc == ZG_ERR_NOT_FOUND)
            op->bad_field = "parent_id";
        return rc;
    }
    if (!o.parent_id)
        return org_bad_field(op, err, "parent_id", "根组织不能调整隶属关系");
    if (strcmp(o.status, "active"))
        return zg_error_set(err, ZG_ERR_CONFLICT, "org_dissolved", "组织已撤销，不能调整",
                            "org %lld dissolved", (long long)id);
    if (o.parent_id == new_parent)
        return ZG_OK;
    bool cycle = false;
    rc = zg_scope_contains(c, id, new_parent, &cycle, err);
    if (rc)
        return rc;
    if (cycle) {
        op->bad_field = "parent_id";
        return zg_error_set(
            err, ZG_ERR_INVALID, "move_cycle", "不能把组织调整到它自身或它的下级组织之下",
            "move %lld under its descendant %lld", (long long)id, (long long)new_parent);
    }
    if (strcmp(np.status, "active")) {
        op->bad_field = "parent_id";
        return zg_error_set(err, ZG_ERR_CONFLICT, "parent_dissolved",
                            "目标上级组织已撤销，不能调入", "parent %lld dissolved",
                            (long long)new_parent);
    }
    if (!zg_org_kind_may_hold(np.kind, o.kind))
        return kind_refusal(op, err, "parent_id", np.kind, o.kind);

    int64_t size = 0;
    zg_param_t ps[] = {ZG_P_INT(id)};
    rc = zg_db_query_int(c, "SELECT count(*) FROM org_closure WHERE ancestor_id = $1", ps, 1, &size,
                         err);
    if (rc)
        return rc;
    /* 1. cut the links between the subtree and the old ancestors (the subtree's own links
     *    stay); 2. link every old ancestor-free node of the subtree to every new ancestor;
     *    3. shift the subtree's depths. */
    zg_param_t p1[] = {ZG_P_INT(id)};
    rc = zg_db_exec(c,
                    "DELETE FROM org_closure WHERE descendant_id IN "
                    "(SELECT descendant_id FROM org_closure WHERE ancestor_id = $1) "
                    "AND ancestor_id IN "
                    "(SELECT ancestor_id FROM org_closure WHERE descendant_id = $1 "
                    "AND ancestor_id <> $1)",
                    p1, 1, NULL, err);
    if (rc)
        return rc;
    zg_param_t p2[] = {ZG_P_INT(new_parent), ZG_P_INT(id)};
    rc = zg_db_exec(c,
                    "INSERT INTO org_closure (ancestor_id, descendant_id, depth) "
                    "SELECT a.ancestor_id, d.descendant_id, a.depth + d.depth + 1 "
                    "FROM org_closure a JOIN org_closure d ON d.ancestor_id = $2 "
                    "WHERE a.descendant_id = $1",
                    p2, 2, NULL, err);
    if (rc)
        return rc;
    zg_param_t p3[] = {ZG_P_INT(np.depth + 1 - o.depth), ZG_P_INT(id)};
    rc = zg_db_exec(c,
                    "UPDATE org SET depth = depth + $1 WHERE id IN "
                    "(SELECT descendant_id FROM org_closure WHERE ancestor_id = $2)",
                    p3, 2, NULL, err);
    if (rc)
        return rc;
    char now[ZG_TIMESTAMP_SIZE];
    zg_timestamp_now(now);
    zg_param_t p4[] = {ZG_P_INT(new_parent), ZG_P_TEXT(now), ZG_P_INT(id)};
    rc = zg_db_exec(c, "UPDATE org SET parent_id = $1, updated_at = $2 WHERE id = $3", p4, 3, NULL,
                    err);
    if (rc)
        return rc;

    zg_org_t old_parent;
    rc = org_load(c, op->arena, o.parent_id, &old_parent, err);
    if (rc)
        return rc;
    /* The history row names the parents only by id (the history API shows a parent's name
     * only when it is in the reader's scope); the audit entry names them. */
    org_detail_t h;
    org_detail_init(&h, op->arena);
    org_detail_ival(&h, "subtree_size", size);
    const char *hdetail = org_detail_end(&h);
    org_detail_t d;
    org_detail_init(&d, op->arena);
    org_detail_int(&d, "parent_id", o.parent_id, new_parent);
    org_detail_str(&d, "parent_name", old_parent.name, np.name);
    org_detail_ival(&d, "subtree_size", size);
    const char *detail = org_detail_end(&d);
    rc = org_history(c, op, id, "move", effective_on, NULL, NULL, o.parent_id, new_parent, hdetail,
                     err);
    if (!rc)
        rc = org_audit(c, op, "org.move", id, detail, err);
    return rc;
}

int zg_org_move(zg_conn_t *c, zg_org_op_t *op, int64_t id, int64_t new_parent,
                zg_date_t effective_on, zg_error_t *err)
{
    IN_WRITE_TX(c, err, move_tx(c, op, id, new_parent, effective_on, err));
}

/* ---- dissolve ----------------------------------------------------------------------------- */

static int dissolve_tx(zg_conn_t *c, zg_org_op_t *op, int64_t id, zg_date_t on, const char *reason,
                       zg_error_t *err)
{
    if (id == op->scope)
        return zg_error_set(err, ZG_ERR_FORBIDDEN, "own_org",
                            "不能撤销本账号所属的组织，请由上级组织办理",
                            "account tried to dissolve its home org %lld", (long long)id);
    int rc = org_check_text(op, err, "reason", "撤销原因", reason, false, ZG_ORG_REASON_MAX);
    if (rc)
        return rc;
    if (on == ZG_ORG_NO_DATE)
        on = zg_date_today();
    rc = org_lock_tree(c, err);
    if (rc)
        return rc;
    zg_org_t o;
    rc = org_require_scope(c, op->scope, id, err);
    if (!rc)
        rc = org_load(c, op->arena, id, &o, err);
    if (rc)
        return rc;
    if (!o.parent_id)
        return org_bad_field(op, err, "id", "根组织不能撤销");
    if (strcmp(o.status, "active"))
        return zg_error_set(err, ZG_ERR_CONFLICT, "org_dissolved", "组织已经撤销",
                            "org %lld already dissolved", (long long)id);
    if (!zg_date_valid(on) || on > zg_date_today())
        return org_bad_field(op, err, "dissolved_on", "撤销日期不能晚于今天");
    if (o.founded_on != ZG_ORG_NO_DATE && on < o.founded_on)
        return org_bad_field(op, err, "dissolved_on", "撤销日期不能早于成立日期");

    int64_t children = 0;
    zg_param_t p[] = {ZG_P_INT(id)};
    rc = zg_db_query_int(c, "SELECT count(*) FROM org WHERE parent_id = $1 AND status = 'active'",
                         p, 1, &children, err);
    if (rc)
        return rc;
    int full = 0, total = 0;
    zg_org_member_count_fn counter = org_member_counter();
    if (counter && (rc = counter(c, id, &full, &total)) != 0)
        return zg_error_set(err, rc, "member_count", "无法统计党员人数",
                            "member counter failed for org %lld", (long long)id);
    op->findings.n = 0;
    if (children)
        zg_findings_add(&op->findings, "org.dissolve_only_empty", NULL,
                        "该组织还有 %lld 个下级组织，须先撤销或调出下级组织", (long long)children);
    if (total)
        zg_findings_add(&op->findings, "org.dissolve_only_empty", NULL,
                        "该组织还有 %d 名党员，须先转出组织关系", total);
    if (op->findings.n)
        return org_rule_refusal(op, err);

    char ds[ZG_DATE_STR_SIZE], now[ZG_TIMESTAMP_SIZE];
    zg_date_format(on, ds);
    zg_timestamp_now(now);
    zg_param_t u[] = {ZG_P_TEXT(ds), ZG_P_TEXT(now), ZG_P_INT(id)};
    rc = zg_db_exec(c,
                    "UPDATE org SET status = 'dissolved', dissolved_on = $1, updated_at = $2 "
                    "WHERE id = $3",
                    u, 3, NULL, err);
    if (rc)
        return rc;
    int64_t ended = 0;
    rc = zg_db_exec(c,
                    "UPDATE org_leader SET ended_on = CASE WHEN term_start > $1 THEN term_start "
                    "ELSE $1 END, end_reason = '组织撤销', updated_at = $2 "
                    "WHERE org_id = $3 AND ended_on IS NULL",
                    u, 3, &ended, err);
    if (rc)
        return rc;
    org_detail_t d;
    org_detail_init(&d, op->arena);
    org_detail_str(&d, "status", "active", "dissolved");
    org_detail_val(&d, "dissolved_on", ds);
    if (opt(reason))
        org_detail_val(&d, "reason", reason);
    org_detail_ival(&d, "posts_ended", ended);
    const char *detail = org_detail_end(&d);
    rc = org_history(c, op, id, "dissolve", on, NULL, NULL, 0, 0, detail, err);
    if (!rc)
        rc = org_audit(c, op, "org.dissolve", id, detail, err);
    return rc;
}

int zg_org_dissolve(zg_conn_t *c, zg_org_op_t *op, int64_t id, zg_date_t on, const char *reason,
                    zg_error_t *err)
{
    IN_WRITE_TX(c, err, dissolve_tx(c, op, id, on, reason, err));
}

/* ---- subtree, children, search, path ------------------------------------------------------ */

int zg_org_subtree(zg_conn_t *c, zg_arena_t *a, int64_t scope, int64_t root, int max_depth,
                   int limit, bool include_dissolved, zg_org_list_t *out, zg_error_t *err)
{
    if (max_depth < 0 || max_depth > ZG_ORG_TREE_DEPTH_MAX || limit < 1 ||
        limit > ZG_ORG_TREE_ROWS_MAX)
        return zg_error_set(err, ZG_ERR_INVALID, "invalid_range", "层级或数量超出范围",
                            "subtree depth %d limit %d", max_depth, limit);
    int rc = org_require_scope(c, scope, root, err);
    if (rc)
        return rc;
    zg_param_t p[] = {ZG_P_INT(root), ZG_P_INT(max_depth), ZG_P_INT(include_dissolved ? 1 : 0),
                      ZG_P_INT(limit + 1)};
    zg_rows_t *r;
    rc = zg_db_query(c,
                     "SELECT " ORG_COLS ", " CHILD_COUNT " FROM org_closure c "
                     "JOIN org o ON o.id = c.descendant_id "
                     "WHERE c.ancestor_id = $1 AND c.depth <= $2 "
                     "AND ($3 = 1 OR o.status = 'active') "
                     "ORDER BY c.depth, o.sort, o.id LIMIT $4",
                     p, 4, &r, err);
    if (rc)
        return rc;
    return read_orgs(r, a, true, (size_t)limit, out, err);
}

/* "" for both statuses, else the status; ZG_ERR_INVALID for an unknown one. */
static int status_filter(const char *status, const char **out, zg_error_t *err)
{
    if (!status || !*status || !strcmp(status, "all")) {
        *out = "";
        return ZG_OK;
    }
    if (!zg_org_label(zg_org_statuses, status))
        return zg_error_set(err, ZG_ERR_INVALID, "invalid_status",
                            "状态应为 active、dissolved 或 all", "status %.32s", status);
    *out = status;
    return ZG_OK;
}

int zg_org_children(zg_conn_t *c, zg_arena_t *a, int64_t scope, int64_t id, const char *status,
                    int64_t offset, int limit, zg_org_list_t *out, zg_error_t *err)
{
    const char *st;
    int rc = status_filter(status, &st, err);
    if (rc)
        return rc;
    if (limit < 1 || limit > ZG_ORG_PAGE_MAX || offset < 0)
        return zg_error_set(err, ZG_ERR_INVALID, "invalid_range", "分页参数超出范围",
                            "children offset %lld limit %d", (long long)offset, limit);
    rc = org_require_scope(c, scope, id, err);
    if (rc)
        return rc;
    int64_t total = 0;
    zg_param_t p[] = {ZG_P_INT(id), ZG_P_TEXT(st), ZG_P_INT(limit), ZG_P_INT(offset)};
    rc = zg_db_query_int(c,
                         "SELECT count(*) FROM org o WHERE o.parent_id = $1 "
                         "AND (CAST($2 AS TEXT) = '' OR o.status = $2)",
                         p, 2, &total, err);
    if (rc)
        return rc;
    zg_rows_t *r;
    rc = zg_db_query(c,
                     "SELECT " ORG_COLS ", " CHILD_COUNT " FROM org o WHERE o.parent_id = $1 "
                     "AND (CAST($2 AS TEXT) = '' OR o.status = $2) "
                     "ORDER BY o.sort, o.id LIMIT $3 OFFSET $4",
                     p, 4, &r, err);
    if (rc)
        return rc;
    rc = read_orgs(r, a, true, (size_t)limit, out, err);
    out->total = total;
    return rc;
}

/* '%q%' with %, _ and \ escaped by '\', in the arena; "" for an empty q. */
static char *like_pattern(zg_arena_t *a, const char *q)
{
    if (!q || !*q)
        return zg_arena_strdup(a, "");
    size_t n = strlen(q);
    char *p = zg_arena_alloc(a, n * 2 + 3);
    if (!p)
        return NULL;
    size_t k = 0;
    p[k++] = '%';
    for (size_t i = 0; i < n; i++) {
        if (q[i] == '%' || q[i] == '_' || q[i] == '\\')
            p[k++] = '\\';
        p[k++] = q[i];
    }
    p[k++] = '%';
    p[k] = '\0';
    return p;
}

int zg_org_search(zg_conn_t *c, zg_arena_t *a, int64_t scope, const zg_org_query_t *q,
                  zg_org_list_t *out, zg_error_t *err)
{
    const char *st;
    int rc = status_filter(q->status, &st, err);
    if (rc)
        return rc;
    if (q->limit < 1 || q->limit > ZG_ORG_PAGE_MAX || q->offset < 0)
        return zg_error_set(err, ZG_ERR_INVALID, "invalid_range", "分页参数超出范围",
                            "search offset %lld limit %d", (long long)q->offset, q->limit);
    if (q->q && strlen(q->q) > 200)
        return zg_error_set(err, ZG_ERR_INVALID, "invalid_query", "查询内容过长",
                            "search text too long");
    char *pat = like_pattern(a, q->q);
    if (!pat)
        return nomem(err, "like pattern");
    if (scope <= 0)
        return org_not_found(err, scope);
    zg_param_t p[] = {ZG_P_TEXT(pat),
                      ZG_P_TEXT(q->kind && *q->kind ? q->kind : ""),
                      ZG_P_TEXT(q->domain && *q->domain ? q->domain : ""),
                      ZG_P_TEXT(st),
                      ZG_P_INT(q->limit),
                      ZG_P_INT(q->offset)};
#define SEARCH_WHERE                                                                               \
    " FROM org o WHERE o.id IN {{SCOPE}} "                                                         \
    "AND (CAST($1 AS TEXT) = '' OR lower(o.name) LIKE lower($1) ESCAPE '\\' "                      \
    "OR lower(o.short_name) LIKE lower($1) ESCAPE '\\' "                                           \
    "OR lower(o.code) LIKE lower($1) ESCAPE '\\') "                                                \
    "AND (CAST($2 AS TEXT) = '' OR o.kind = $2) "                                                  \
    "AND (CAST($3 AS TEXT) = '' OR o.domain = $3) "                                                \
    "AND (CAST($4 AS TEXT) = '' OR o.status = $4)"
    int64_t total = 0;
    rc = zg_scope_query_int(c, scope, "SELECT count(*)" SEARCH_WHERE, p, 4, &total, err);
    if (rc)
        return rc;
    zg_rows_t *r;
    rc = zg_scope_query(c, scope,
                        "SELECT " ORG_COLS ", " CHILD_COUNT SEARCH_WHERE
                        " ORDER BY o.depth, o.sort, o.id LIMIT $5 OFFSET $6",
                        p, 6, &r, err);
#undef SEARCH_WHERE
    if (rc)
        return rc;
    rc = read_orgs(r, a, true, (size_t)q->limit, out, err);
    out->total = total;
    return rc;
}

int zg_org_path(zg_conn_t *c, zg_arena_t *a, int64_t scope, int64_t id, zg_org_list_t *out,
                zg_error_t *err)
{
    int rc = org_require_scope(c, scope, id, err);
    if (rc)
        return rc;
    zg_param_t p[] = {ZG_P_INT(id)};
    zg_rows_t *r;
    rc = zg_scope_query(c, scope,
                        "SELECT " ORG_COLS " FROM org_closure c JOIN org o ON o.id = c.ancestor_id "
                        "WHERE c.descendant_id = $1 AND c.ancestor_id IN {{SCOPE}} "
                        "ORDER BY c.depth DESC",
                        p, 1, &r, err);
    if (rc)
        return rc;
    return read_orgs(r, a, false, ZG_ORG_TREE_DEPTH_MAX * 4, out, err);
}

/* ---- history ------------------------------------------------------------------------------ */

int zg_org_history(zg_conn_t *c, zg_arena_t *a, int64_t scope, int64_t id, int64_t offset,
                   int limit, zg_org_change_t **items, size_t *n, int64_t *total, zg_error_t *err)
{
    if (limit < 1 || limit > ZG_ORG_PAGE_MAX || offset < 0)
        return zg_error_set(err, ZG_ERR_INVALID, "invalid_range", "分页参数超出范围",
                            "history offset %lld limit %d", (long long)offset, limit);
    int rc = org_require_scope(c, scope, id, err);
    if (rc)
        return rc;
    zg_param_t p[] = {ZG_P_INT(id), ZG_P_INT(limit), ZG_P_INT(offset)};
    rc = zg_db_query_int(c, "SELECT count(*) FROM org_change WHERE org_id = $1", p, 1, total, err);
    if (rc)
        return rc;
    /* a parent outside the caller's scope shows neither its id nor its name */
    zg_rows_t *r;
    rc = zg_scope_query(c, scope,
                        "SELECT h.id, h.org_id, h.change_type, h.effective_on, h.old_name, "
                        "h.new_name, fp.id, tp.id, fp.name, tp.name, h.detail, h.account_id, "
                        "h.username, h.changed_at FROM org_change h "
                        "LEFT JOIN org fp ON fp.id = h.from_parent_id AND fp.id IN {{SCOPE}} "
                        "LEFT JOIN org tp ON tp.id = h.to_parent_id AND tp.id IN {{SCOPE}} "
                        "WHERE h.org_id = $1 ORDER BY h.id DESC LIMIT $2 OFFSET $3",
                        p, 3, &r, err);
    if (rc)
        return rc;
    zg_org_change_t *v = zg_arena_calloc(a, (size_t)limit, sizeof *v);
    size_t k = 0;
    bool oom = !v;
    while (!oom && (rc = zg_rows_next(r, err)) == 1) {
        zg_org_change_t *h = &v[k++];
        h->id = zg_rows_int(r, 0);
        h->org_id = zg_rows_int(r, 1);
        h->change_type = org_col_str(r, 2, a, &oom);
        h->effective_on = org_col_date(r, 3);
        h->old_name = org_col_str(r, 4, a, &oom);
        h->new_name = org_col_str(r, 5, a, &oom);
        h->from_parent_id = zg_rows_isnull(r, 6) ? 0 : zg_rows_int(r, 6);
        h->to_parent_id = zg_rows_isnull(r, 7) ? 0 : zg_rows_int(r, 7);
        h->from_parent_name = org_col_str(r, 8, a, &oom);
        h->to_parent_name = org_col_str(r, 9, a, &oom);
        h->detail = org_col_str(r, 10, a, &oom);
        h->account_id = zg_rows_isnull(r, 11) ? 0 : zg_rows_int(r, 11);
        h->username = org_col_str(r, 12, a, &oom);
        h->changed_at = org_col_str(r, 13, a, &oom);
    }
    zg_rows_close(r);
    if (oom)
        return nomem(err, "history");
    if (rc < 0)
        return rc;
    *items = v;
    *n = k;
    return ZG_OK;
}
