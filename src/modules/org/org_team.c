/* org_team.c — an org's leadership team (posts with terms), its yearly grading, and the setup
 * rules of RULES.md §2.1–2.2 over the team and the member counts (see org.h). */
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "db/scope.h"
#include "modules/audit/audit.h"
#include "modules/org/org_internal.h"

/* ---- rules ---------------------------------------------------------------------------------- */

int zg_org_term_years(const char *kind, const char *domain)
{
    if (domain && (!strcmp(domain, "rural") || !strcmp(domain, "community")))
        return 5; /* 村、社区党组织每届5年 */
    if (kind && (!strcmp(kind, "committee") || !strcmp(kind, "work_committee") ||
                 !strcmp(kind, "leading_group")))
        return 5; /* 基层党委一般每届5年 */
    return 3;     /* 总支部、支部委员会一般每届3年 */
}

static bool is_any_branch(const char *kind)
{
    return !strcmp(kind, "branch") || !strcmp(kind, "joint_branch") || !strcmp(kind, "temp_branch");
}

static bool committee_post(const char *post)
{
    return !strcmp(post, "secretary") || !strcmp(post, "deputy_secretary") ||
           !strcmp(post, "committee_member");
}

/* How far a branch committee is outside 3..7 members (0 = within, or no committee). */
static int committee_size_gap(const zg_org_facts_t *f)
{
    if (!org_is_branch(f->kind) || f->committee_members <= 0)
        return 0;
    int size = f->secretaries + f->deputies + f->committee_members;
    return size < 3 ? 3 - size : size > 7 ? size - 7 : 0;
}

/* 1 when a branch with >= 7 full members has no committee. */
static int committee_missing(const zg_org_facts_t *f)
{
    return org_is_branch(f->kind) && f->has_counts && f->full_members >= 7 &&
           f->committee_members <= 0;
}

void zg_org_evaluate(const zg_org_facts_t *f, zg_findings_t *out)
{
    const char *kind = f->kind ? f->kind : "";
    bool branch = org_is_branch(kind);
    bool has_committee = f->committee_members > 0;
    int size = f->secretaries + f->deputies + f->committee_members;

    if (!strcmp(kind, "joint_branch") && f->unit_count > 5)
        zg_findings_add(out, "org.joint_branch_units_max", "unit_count",
                        "联合党支部覆盖的单位一般不超过5个（现为 %d 个）", f->unit_count);
    if (branch && has_committee) {
        if (committee_size_gap(f))
            zg_findings_add(out, "org.committee_size_range", "leaders",
                            "支部委员会由3至5人组成，一般不超过7人（现为 %d 人）", size);
        else if (size > 5)
            zg_findings_add(out, "org.committee_size_usual", "leaders",
                            "支部委员会一般由3至5人组成（现为 %d 人）", size);
    }
    if (f->has_counts) {
        if (!strcmp(kind, "branch") && f->full_members < 3)
            zg_findings_add(out, "org.branch_min_full_members", "member_count",
                            "正式党员不足3人的，应当成立联合党支部（现有正式党员 %d 人）",
                            f->full_members);
        if (is_any_branch(kind) && f->total_members > 50)
            zg_findings_add(out, "org.branch_size_max", "member_count",
                            "党支部党员人数一般不超过50人（现有 %d 人）", f->total_members);
        if (committee_missing(f))
            zg_findings_add(out, "org.committee_required", "leaders",
                            "有正式党员7人以上的党支部，应当设立支部委员会（现有正式党员 %d "
                            "人，未设支部委员会）",
                            f->full_members);
        if (branch && has_committee && f->full_members < 7)
            zg_findings_add(out, "org.small_branch_no_committee", "leaders",
                            "正式党员不足7人的党支部不设支部委员会，设书记1名，必要时设副书记1名"
                            "（现有正式党员 %d 人）",
                            f->full_members);
    }
    if (f->term_end != ZG_ORG_NO_DATE && f->today > f->term_end) {
        char ds[ZG_DATE_STR_SIZE];
        zg_date_format(f->term_end, ds);
        zg_findings_add(out, "org.term_expired", "leaders",
                        "领导班子任期已于 %s 届满（已超过 %d 天），应当按期换届；确需延期的应报上级"
                        "党组织批准",
                        ds, (int)(f->today - f->term_end));
    }
}

bool zg_org_write_refused(const zg_org_facts_t *before, const zg_org_facts_t *after,
                          zg_findings_t *f)
{
    bool size_worse = committee_size_gap(after) > committee_size_gap(before);
    bool missing_new = committee_missing(after) > committee_missing(before);
    if (!size_worse && !missing_new)
        return false;
    zg_findings_t all;
    zg_findings_init(&all, f->arena);
    zg_org_evaluate(after, &all);
    for (int i = 0; i < all.n && f->n < ZG_FINDINGS_MAX; i++) {
        const char *id = all.items[i].rule->id;
        if ((size_worse && !strcmp(id, "org.committee_size_range")) ||
            (missing_new && !strcmp(id, "org.committee_required")))
            f->items[f->n++] = all.items[i];
    }
    return true;
}

int org_facts_load(zg_conn_t *c, const zg_org_t *o, zg_date_t today, zg_org_facts_t *f,
                   zg_error_t *err)
{
    memset(f, 0, sizeof *f);
    f->kind = o->kind;
    f->domain = o->domain;
    f->unit_count = o->unit_count;
    f->today = today;
    f->term_end = ZG_ORG_NO_DATE;
    zg_param_t p[] = {ZG_P_INT(o->id)};
    zg_rows_t *r;
    int rc = zg_db_query(c,
                         "SELECT post, count(*), min(term_end) FROM org_leader "
                         "WHERE org_id = $1 AND ended_on IS NULL GROUP BY post",
                         p, 1, &r, err);
    if (rc)
        return rc;
    while ((rc = zg_rows_next(r, err)) == 1) {
        const char *post = zg_rows_text(r, 0);
        int n = (int)zg_rows_int(r, 1);
        if (!strcmp(post, "secretary"))
            f->secretaries = n;
        else if (!strcmp(post, "deputy_secretary"))
            f->deputies = n;
        else if (!strcmp(post, "committee_member"))
            f->committee_members = n;
        if (committee_post(post)) {
            zg_date_t end = org_col_date(r, 2);
            if (end != ZG_ORG_NO_DATE && (f->term_end == ZG_ORG_NO_DATE || end < f->term_end))
                f->term_end = end;
        }
    }
    zg_rows_close(r);
    if (rc < 0)
        return rc;
    zg_org_member_count_fn counter = org_member_counter();
    if (counter) {
        rc = counter(c, o->id, &f->full_members, &f->total_members);
        if (rc)
            return zg_error_set(err, rc, "member_count", "无法统计党员人数",
                                "member counter failed for org %lld", (long long)o->id);
        f->has_counts = true;
    }
    return ZG_OK;
}

int zg_org_check(zg_conn_t *c, int64_t scope, int64_t id, zg_date_t today, zg_findings_t *f,
                 zg_error_t *err)
{
    zg_org_t o;
    zg_org_facts_t facts;
    int rc = org_require_scope(c, scope, id, err);
    if (!rc)
        rc = org_load(c, f->arena, id, &o, err);
    if (rc)
        return rc;
    if (strcmp(o.status, "active"))
        return ZG_OK; /* a dissolved org is history: nothing to fix */
    rc = org_facts_load(c, &o, today, &facts, err);
    if (!rc)
        zg_org_evaluate(&facts, f);
    return rc;
}

/* ---- the team ----------------------------------------------------------------------------- */

#define LEADER_COLS                                                                                \
    "id, org_id, post, person_name, person_id, title, term_start, term_end, ended_on, "            \
    "end_reason, sort"
#define POST_ORDER                                                                                 \
    "CASE post WHEN 'secretary' THEN 1 WHEN 'deputy_secretary' THEN 2 WHEN 'committee_member' "    \
    "THEN 3 WHEN 'first_secretary' THEN 4 ELSE 5 END"
#define TEAM_ROWS_MAX 1000

static int read_leader(zg_rows_t *r, zg_arena_t *a, zg_org_leader_t *l)
{
    bool oom = false;
    l->id = zg_rows_int(r, 0);
    l->org_id = zg_rows_int(r, 1);
    l->post = org_col_str(r, 2, a, &oom);
    l->person_name = org_col_str(r, 3, a, &oom);
    l->person_id = zg_rows_isnull(r, 4) ? 0 : zg_rows_int(r, 4);
    l->title = org_col_str(r, 5, a, &oom);
    l->term_start = org_col_date(r, 6);
    l->term_end = org_col_date(r, 7);
    l->ended_on = org_col_date(r, 8);
    l->end_reason = org_col_str(r, 9, a, &oom);
    l->sort = (int)zg_rows_int(r, 10);
    return oom ? ZG_ERR_NOMEM : ZG_OK;
}

int zg_org_leaders(zg_conn_t *c, zg_arena_t *a, int64_t scope, int64_t id, bool include_ended,
                   zg_org_leader_t **items, size_t *n, zg_error_t *err)
{
    int rc = org_require_scope(c, scope, id, err);
    if (rc)
        return rc;
    zg_param_t p[] = {ZG_P_INT(id), ZG_P_INT(include_ended ? 1 : 0), ZG_P_INT(TEAM_ROWS_MAX)};
    zg_rows_t *r;
    rc = zg_db_query(c,
                     "SELECT " LEADER_COLS " FROM org_leader WHERE org_id = $1 "
                     "AND ($2 = 1 OR ended_on IS NULL) "
                     "ORDER BY CASE WHEN ended_on IS NULL THEN 0 ELSE 1 END, " POST_ORDER
                     ", sort, term_start DESC, id LIMIT $3",
                     p, 3, &r, err);
    if (rc)
        return rc;
    size_t cap = 16, k = 0;
    zg_org_leader_t *v = zg_arena_calloc(a, cap, sizeof *v);
    while (v && (rc = zg_rows_next(r, err)) == 1) {
        if (k == cap) {
            zg_org_leader_t *nv = zg_arena_calloc(a, cap * 2, sizeof *nv);
            if (nv)
                memcpy(nv, v, k * sizeof *v);
            v = nv;
            cap *= 2;
            if (!v)
                break;
        }
        if (read_leader(r, a, &v[k++]))
            v = NULL;
    }
    zg_rows_close(r);
    if (!v)
        return zg_error_set(err, ZG_ERR_NOMEM, "no_memory", "服务器内存不足，请稍后重试",
                            "org leaders");
    if (rc < 0)
        return rc;
    *items = v;
    *n = k;
    return ZG_OK;
}

/* The field name of item i's `field` for messages: "post" alone, "items[2].post" in a batch. */
static const char *item_field(zg_org_op_t *op, size_t n, size_t i, const char *field)
{
    if (n == 1)
        return field;
    const char *s = zg_arena_sprintf(op->arena, "items[%zu].%s", i, field);
    return s ? s : "items";
}

static int validate_leader(zg_org_op_t *op, const zg_org_leader_input_t *in, size_t n, size_t i,
                           zg_error_t *err)
{
    if (!zg_org_label(zg_org_posts, in->post))
        return org_bad_field(op, err, item_field(op, n, i, "post"), "职务不正确");
    int rc = org_check_text(op, err, item_field(op, n, i, "person_name"), "姓名", in->person_name,
                            true, ZG_ORG_PERSON_MAX);
    if (!rc)
        rc = org_check_text(op, err, item_field(op, n, i, "title"), "分工", in->title, false,
                            ZG_ORG_TITLE_MAX);
    if (rc)
        return rc;
    if (in->person_id < 0)
        return org_bad_field(op, err, item_field(op, n, i, "person_id"), "人员编号不正确");
    if (in->term_start == ZG_ORG_NO_DATE || !zg_date_valid(in->term_start))
        return org_bad_field(op, err, item_field(op, n, i, "term_start"), "请填写任职日期");
    if (in->term_end != ZG_ORG_NO_DATE &&
        (!zg_date_valid(in->term_end) || in->term_end <= in->term_start))
        return org_bad_field(op, err, item_field(op, n, i, "term_end"),
                             "任期届满日期应晚于任职日期");
    if (in->sort < -1000000000 || in->sort > 1000000000)
        return org_bad_field(op, err, item_field(op, n, i, "sort"), "排序号超出范围");
    return ZG_OK;
}

static int active_org(zg_conn_t *c, zg_org_op_t *op, int64_t id, zg_org_t *o, zg_error_t *err)
{
    int rc = org_require_scope(c, op->scope, id, err);
    if (!rc)
        rc = org_lock_row(c, id, err);
    if (!rc)
        rc = org_load(c, op->arena, id, o, err);
    if (rc)
        return rc;
    if (strcmp(o->status, "active"))
        return zg_error_set(err, ZG_ERR_CONFLICT, "org_dissolved", "组织已撤销，不能修改领导班子",
                            "org %lld dissolved", (long long)id);
    return ZG_OK;
}

int org_leaders_add_tx(zg_conn_t *c, zg_org_op_t *op, int64_t id,
                       const zg_org_leader_input_t *items, size_t n, bool replace,
                       zg_date_t replace_on, int64_t *ids, zg_error_t *err)
{
    if (n < 1 || n > ZG_ORG_TEAM_BATCH_MAX)
        return org_bad_field(op, err, "items", "一次可录入 1 到 30 个职务");
    int rc;
    int new_secretaries = 0;
    zg_date_t earliest = ZG_ORG_NO_DATE;
    for (size_t i = 0; i < n; i++) {
        if ((rc = validate_leader(op, &items[i], n, i, err)))
            return rc;
        if (!strcmp(items[i].post, "secretary"))
            new_secretaries++;
        if (earliest == ZG_ORG_NO_DATE || items[i].term_start < earliest)
            earliest = items[i].term_start;
    }
    if (replace && replace_on == ZG_ORG_NO_DATE)
        replace_on = earliest;
    if (replace && (!zg_date_valid(replace_on) || replace_on > zg_date_today()))
        return org_bad_field(op, err, "replace_on", "换届日期不能晚于今天");

    zg_org_t o;
    rc = active_org(c, op, id, &o, err);
    if (rc)
        return rc;
    zg_org_facts_t before;
    rc = org_facts_load(c, &o, zg_date_today(), &before, err);
    if (rc)
        return rc;
    char now[ZG_TIMESTAMP_SIZE], rs[ZG_DATE_STR_SIZE];
    zg_timestamp_now(now);
    int64_t ended = 0;
    if (replace) {
        org_facts_none(&before); /* the new team stands on its own */
        zg_param_t p[] = {org_date_param(replace_on, rs), ZG_P_TEXT(now), ZG_P_INT(id)};
        rc = zg_db_exec(c,
                        "UPDATE org_leader SET ended_on = CASE WHEN term_start > $1 "
                        "THEN term_start ELSE $1 END, end_reason = '换届', updated_at = $2 "
                        "WHERE org_id = $3 AND ended_on IS NULL",
                        p, 3, &ended, err);
        if (rc)
            return rc;
    }
    if (new_secretaries) {
        int64_t current = 0;
        zg_param_t p[] = {ZG_P_INT(id)};
        rc = zg_db_query_int(c,
                             "SELECT count(*) FROM org_leader WHERE org_id = $1 "
                             "AND post = 'secretary' AND ended_on IS NULL",
                             p, 1, &current, err);
        if (rc)
            return rc;
        if (current + new_secretaries > 1) {
            op->bad_field = "post";
            return zg_error_set(err, ZG_ERR_CONFLICT, "secretary_exists",
                                current ? "该组织已有在任书记，请先办理原书记离任或进行换届"
                                        : "一个组织只能有一名书记",
                                "org %lld: second secretary", (long long)id);
        }
    }

    int years = zg_org_term_years(o.kind, o.domain);
    org_detail_t d;
    org_detail_init(&d, op->arena);
    if (replace) {
        org_detail_ival(&d, "posts_ended", ended);
        org_detail_val(&d, "replace_on", rs);
    }
    zg_strbuf_t posts;
    zg_strbuf_init(&posts, op->arena, ZG_AUDIT_DETAIL_MAX);
    zg_strbuf_putc(&posts, '[');
    for (size_t i = 0; i < n; i++) {
        const zg_org_leader_input_t *in = &items[i];
        zg_date_t end = in->term_end;
        if (end == ZG_ORG_NO_DATE && committee_post(in->post)) {
            if (zg_date_add_months(in->term_start, 12 * years, &end))
                return org_bad_field(op, err, item_field(op, n, i, "term_start"),
                                     "任职日期超出范围");
            char es[ZG_DATE_STR_SIZE];
            zg_date_format(end, es);
            zg_findings_add(&op->findings, "org.term_length", item_field(op, n, i, "term_end"),
                            "%s任期按每届%d年计算，届满日期为 %s", in->person_name, years, es);
        }
        char ss[ZG_DATE_STR_SIZE], es2[ZG_DATE_STR_SIZE];
        zg_param_t p[] = {
            ZG_P_INT(id),
            ZG_P_TEXT(in->post),
            ZG_P_TEXT(in->person_name),
            in->person_id ? ZG_P_INT(in->person_id) : ZG_P_NULL,
            ZG_P_TEXT(in->title && *in->title ? in->title : NULL),
            org_date_param(in->term_start, ss),
            org_date_param(end, es2),
            ZG_P_INT(in->sort),
            ZG_P_TEXT(now),
        };
        int64_t lid = 0;
        rc = zg_db_query_int(c,
                             "INSERT INTO org_leader (org_id, post, person_name, person_id, "
                             "title, term_start, term_end, sort, created_at, updated_at) "
                             "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) RETURNING id",
                             p, 9, &lid, err);
        if (rc)
            return rc;
        if (ids)
            ids[i] = lid;
        zg_strbuf_printf(&posts, "%s{\"id\":%lld,\"post\":", i ? "," : "", (long long)lid);
        zg_strbuf_json_string(&posts, in->post);
        zg_strbuf_puts(&posts, ",\"person_name\":");
        zg_strbuf_json_string(&posts, in->person_name);
        zg_strbuf_printf(&posts, ",\"term_start\":\"%s\",\"term_end\":", ss);
        if (end == ZG_ORG_NO_DATE)
            zg_strbuf_puts(&posts, "null}");
        else
            zg_strbuf_printf(&posts, "\"%s\"}", es2);
    }
    zg_strbuf_putc(&posts, ']');
    org_detail_raw(&d, "posts", posts.overflow ? "[]" : zg_strbuf_cstr(&posts));
    const char *detail = org_detail_end(&d);
    rc = org_judge(c, op, &before, id, err);
    if (!rc)
        rc = org_audit(c, op, replace ? "org.leader.replace" : "org.leader.add", id, detail, err);
    return rc;
}

int zg_org_leaders_add(zg_conn_t *c, zg_org_op_t *op, int64_t id,
                       const zg_org_leader_input_t *items, size_t n, bool replace,
                       zg_date_t replace_on, int64_t *ids, zg_error_t *err)
{
    int rc = zg_db_begin(c, ZG_TX_WRITE, err);
    if (rc)
        return rc;
    rc = org_leaders_add_tx(c, op, id, items, n, replace, replace_on, ids, err);
    if (!rc)
        rc = zg_db_commit(c, err);
    if (rc)
        zg_db_rollback(c);
    return rc;
}

static int leader_end_tx(zg_conn_t *c, zg_org_op_t *op, int64_t id, int64_t leader_id, zg_date_t on,
                         const char *reason, zg_error_t *err)
{
    int rc = org_check_text(op, err, "reason", "离任原因", reason, false, ZG_ORG_REASON_MAX);
    if (rc)
        return rc;
    if (on == ZG_ORG_NO_DATE)
        on = zg_date_today();
    if (!zg_date_valid(on) || on > zg_date_today())
        return org_bad_field(op, err, "ended_on", "离任日期不能晚于今天");
    zg_org_t o;
    rc = active_org(c, op, id, &o, err);
    if (rc)
        return rc;
    zg_param_t p[] = {ZG_P_INT(leader_id), ZG_P_INT(id)};
    zg_rows_t *r;
    rc = zg_db_query(c, "SELECT " LEADER_COLS " FROM org_leader WHERE id = $1 AND org_id = $2", p,
                     2, &r, err);
    if (rc)
        return rc;
    zg_org_leader_t l;
    rc = zg_rows_next(r, err);
    if (rc == 1)
        rc = read_leader(r, op->arena, &l);
    else if (rc == 0)
        rc = zg_error_set(err, ZG_ERR_NOT_FOUND, "not_found", "任职记录不存在",
                          "leader %lld of org %lld", (long long)leader_id, (long long)id);
    zg_rows_close(r);
    if (rc == ZG_ERR_NOMEM)
        return zg_error_set(err, rc, "no_memory", "服务器内存不足，请稍后重试", "leader row");
    if (rc)
        return rc;
    if (l.ended_on != ZG_ORG_NO_DATE)
        return zg_error_set(err, ZG_ERR_CONFLICT, "already_ended", "该职务已经离任",
                            "leader %lld already ended", (long long)leader_id);
    if (on < l.term_start)
        return org_bad_field(op, err, "ended_on", "离任日期不能早于任职日期");
    zg_org_facts_t before;
    rc = org_facts_load(c, &o, zg_date_today(), &before, err);
    if (rc)
        return rc;
    char ds[ZG_DATE_STR_SIZE], now[ZG_TIMESTAMP_SIZE];
    zg_date_format(on, ds);
    zg_timestamp_now(now);
    zg_param_t u[] = {ZG_P_TEXT(ds), ZG_P_TEXT(reason && *reason ? reason : NULL), ZG_P_TEXT(now),
                      ZG_P_INT(leader_id)};
    rc = zg_db_exec(c,
                    "UPDATE org_leader SET ended_on = $1, end_reason = $2, updated_at = $3 "
                    "WHERE id = $4",
                    u, 4, NULL, err);
    if (rc)
        return rc;
    rc = org_judge(c, op, &before, id, err);
    if (rc)
        return rc;
    org_detail_t d;
    org_detail_init(&d, op->arena);
    org_detail_ival(&d, "leader_id", leader_id);
    org_detail_val(&d, "post", l.post);
    org_detail_val(&d, "person_name", l.person_name);
    org_detail_str(&d, "ended_on", NULL, ds);
    if (reason && *reason)
        org_detail_val(&d, "reason", reason);
    return org_audit(c, op, "org.leader.end", id, org_detail_end(&d), err);
}

int zg_org_leader_end(zg_conn_t *c, zg_org_op_t *op, int64_t id, int64_t leader_id, zg_date_t on,
                      const char *reason, zg_error_t *err)
{
    int rc = zg_db_begin(c, ZG_TX_WRITE, err);
    if (rc)
        return rc;
    rc = leader_end_tx(c, op, id, leader_id, on, reason, err);
    if (!rc)
        rc = zg_db_commit(c, err);
    if (rc)
        zg_db_rollback(c);
    return rc;
}

int zg_org_terms_due(zg_conn_t *c, zg_arena_t *a, int64_t scope, zg_date_t today, int days,
                     int64_t offset, int limit, zg_org_term_due_t **items, size_t *n,
                     int64_t *total, zg_error_t *err)
{
    if (days < 0 || days > 3650 || limit < 1 || limit > ZG_ORG_PAGE_MAX || offset < 0)
        return zg_error_set(err, ZG_ERR_INVALID, "invalid_range", "天数或分页参数超出范围",
                            "terms due days %d offset %lld limit %d", days, (long long)offset,
                            limit);
    zg_date_t until;
    char us[ZG_DATE_STR_SIZE];
    if (zg_date_add_days(today, days, &until) || zg_date_format(until, us))
        return zg_error_set(err, ZG_ERR_INVALID, "invalid_range", "日期超出范围", "terms due");
    zg_param_t p[] = {ZG_P_TEXT(us), ZG_P_INT(limit), ZG_P_INT(offset)};
#define DUE_FROM                                                                                   \
    " FROM org_leader l JOIN org o ON o.id = l.org_id WHERE l.org_id IN {{SCOPE}} "                \
    "AND l.ended_on IS NULL AND l.term_end IS NOT NULL AND l.term_end <= $1 "                      \
    "AND o.status = 'active' "                                                                     \
    "AND l.post IN ('secretary', 'deputy_secretary', 'committee_member')"
    int rc =
        zg_scope_query_int(c, scope, "SELECT count(DISTINCT l.org_id)" DUE_FROM, p, 1, total, err);
    if (rc)
        return rc;
    zg_rows_t *r;
    rc = zg_scope_query(c, scope,
                        "SELECT l.org_id, o.name, o.kind, min(l.term_end)" DUE_FROM
                        " GROUP BY l.org_id, o.name, o.kind "
                        "ORDER BY min(l.term_end), l.org_id LIMIT $2 OFFSET $3",
                        p, 3, &r, err);
#undef DUE_FROM
    if (rc)
        return rc;
    zg_org_term_due_t *v = zg_arena_calloc(a, (size_t)limit, sizeof *v);
    size_t k = 0;
    bool oom = !v;
    while (!oom && (rc = zg_rows_next(r, err)) == 1) {
        zg_org_term_due_t *t = &v[k++];
        t->org_id = zg_rows_int(r, 0);
        t->org_name = org_col_str(r, 1, a, &oom);
        t->kind = org_col_str(r, 2, a, &oom);
        t->term_end = org_col_date(r, 3);
        t->days_left = (int)(t->term_end - today);
    }
    zg_rows_close(r);
    if (oom)
        return zg_error_set(err, ZG_ERR_NOMEM, "no_memory", "服务器内存不足，请稍后重试",
                            "terms due");
    if (rc < 0)
        return rc;
    *items = v;
    *n = k;
    return ZG_OK;
}

/* ---- grading ------------------------------------------------------------------------------ */

static int read_grading(zg_rows_t *r, zg_arena_t *a, zg_org_grading_t *g, zg_error_t *err)
{
    bool oom = false;
    g->org_id = zg_rows_int(r, 0);
    g->year = (int)zg_rows_int(r, 1);
    g->grade = org_col_str(r, 2, a, &oom);
    g->indicators = org_col_str(r, 3, a, &oom);
    g->note = org_col_str(r, 4, a, &oom);
    g->graded_on = org_col_date(r, 5);
    g->updated_at = org_col_str(r, 6, a, &oom);
    return oom ? zg_error_set(err, ZG_ERR_NOMEM, "no_memory", "服务器内存不足，请稍后重试",
                              "grading row")
               : ZG_OK;
}

static int query_grading(zg_conn_t *c, zg_arena_t *a, const char *sql, const zg_param_t *p, int np,
                         zg_org_grading_t *out, zg_error_t *err)
{
    zg_rows_t *r;
    int rc = zg_db_query(c, sql, p, np, &r, err);
    if (rc)
        return rc;
    rc = zg_rows_next(r, err);
    if (rc == 1)
        rc = read_grading(r, a, out, err);
    else if (rc == 0)
        rc = zg_error_set(err, ZG_ERR_NOT_FOUND, "not_found", "该年度尚未定级", "no grading");
    zg_rows_close(r);
    return rc;
}

#define GRADING_COLS "org_id, year, grade, indicators, note, graded_on, updated_at"

int zg_org_grading_get(zg_conn_t *c, zg_arena_t *a, int64_t scope, int64_t id, int year,
                       zg_org_grading_t *out, zg_error_t *err)
{
    int rc = org_require_scope(c, scope, id, err);
    if (rc)
        return rc;
    zg_param_t p[] = {ZG_P_INT(id), ZG_P_INT(year)};
    return query_grading(c, a,
                         "SELECT " GRADING_COLS " FROM org_grading WHERE org_id = $1 AND year = $2",
                         p, 2, out, err);
}

int zg_org_grading_latest(zg_conn_t *c, zg_arena_t *a, int64_t scope, int64_t id,
                          zg_org_grading_t *out, zg_error_t *err)
{
    int rc = org_require_scope(c, scope, id, err);
    if (rc)
        return rc;
    zg_param_t p[] = {ZG_P_INT(id)};
    return query_grading(c, a,
                         "SELECT " GRADING_COLS " FROM org_grading WHERE org_id = $1 "
                         "ORDER BY year DESC LIMIT 1",
                         p, 1, out, err);
}

/* Whether `text` is a JSON object of at most ZG_ORG_INDICATORS_MAX bytes. */
static bool json_object_text(const char *text)
{
    size_t len = strlen(text);
    if (len > ZG_ORG_INDICATORS_MAX)
        return false;
    json_t *j = json_loadb(text, len, JSON_REJECT_DUPLICATES, NULL);
    bool ok = json_is_object(j);
    json_decref(j);
    return ok;
}

int org_grading_set_tx(zg_conn_t *c, zg_org_op_t *op, int64_t id, int year, const char *grade,
                       const char *indicators, const char *note, zg_date_t graded_on, bool *created,
                       zg_error_t *err)
{
    if (year < ZG_ORG_YEAR_MIN || year > ZG_ORG_YEAR_MAX)
        return org_bad_field(op, err, "year", "年度超出范围");
    if (!zg_org_label(zg_org_grades, grade))
        return org_bad_field(op, err, "grade", "定级等次应为好、较好、一般或较差");
    if (!indicators)
        indicators = "{}";
    if (!json_object_text(indicators))
        return org_bad_field(op, err, "indicators", "定级指标应为不超过16KB的JSON对象");
    int rc = org_check_text(op, err, "note", "备注", note, false, ZG_ORG_NOTE_MAX);
    if (rc)
        return rc;
    if (graded_on == ZG_ORG_NO_DATE)
        graded_on = zg_date_today();
    if (!zg_date_valid(graded_on))
        return org_bad_field(op, err, "graded_on", "定级日期不正确");
    zg_org_t o;
    rc = org_require_scope(c, op->scope, id, err);
    if (!rc)
        rc = org_lock_row(c, id, err);
    if (!rc)
        rc = org_load(c, op->arena, id, &o, err);
    if (rc)
        return rc;
    zg_param_t k[] = {ZG_P_INT(id), ZG_P_INT(year)};
    zg_rows_t *r;
    rc = zg_db_query(c, "SELECT grade FROM org_grading WHERE org_id = $1 AND year = $2", k, 2, &r,
                     err);
    if (rc)
        return rc;
    const char *old = NULL;
    rc = zg_rows_next(r, err);
    if (rc == 1)
        old = zg_arena_strdup(op->arena, zg_rows_text(r, 0));
    zg_rows_close(r);
    if (rc < 0)
        return rc;
    char gs[ZG_DATE_STR_SIZE], now[ZG_TIMESTAMP_SIZE];
    zg_timestamp_now(now);
    zg_param_t p[] = {
        ZG_P_INT(id),
        ZG_P_INT(year),
        ZG_P_TEXT(grade),
        ZG_P_TEXT(indicators),
        ZG_P_TEXT(note && *note ? note : NULL),
        org_date_param(graded_on, gs),
        ZG_P_TEXT(now),
    };
    rc = zg_db_exec(c,
                    "INSERT INTO org_grading (org_id, year, grade, indicators, note, graded_on, "
                    "created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $7) "
                    "ON CONFLICT (org_id, year) DO UPDATE SET grade = excluded.grade, "
                    "indicators = excluded.indicators, note = excluded.note, "
                    "graded_on = excluded.graded_on, updated_at = excluded.updated_at",
                    p, 7, NULL, err);
    if (rc)
        return rc;
    if (created)
        *created = old == NULL;
    org_detail_t d;
    org_detail_init(&d, op->arena);
    org_detail_ival(&d, "year", year);
    org_detail_str(&d, "grade", old, grade);
    org_detail_val(&d, "graded_on", gs);
    return org_audit(c, op, "org.grading", id, org_detail_end(&d), err);
}

int zg_org_grading_set(zg_conn_t *c, zg_org_op_t *op, int64_t id, int year, const char *grade,
                       const char *indicators, const char *note, zg_date_t graded_on, bool *created,
                       zg_error_t *err)
{
    int rc = zg_db_begin(c, ZG_TX_WRITE, err);
    if (rc)
        return rc;
    rc = org_grading_set_tx(c, op, id, year, grade, indicators, note, graded_on, created, err);
    if (!rc)
        rc = zg_db_commit(c, err);
    if (rc)
        zg_db_rollback(c);
    return rc;
}
