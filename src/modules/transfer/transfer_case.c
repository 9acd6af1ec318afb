/* transfer_case.c — lost-contact members (条例 art.24, RULES.md §5.1): the cases a person
 * decides, never automatic changes. The scan finds the members for whom a decision is due — a
 * suspension 6 months after contact was lost, a removal 2 years after a suspension while still
 * out of contact (the member module's rules member.suspension_grounds and
 * member.removal_after_suspension) — and opens one case per member, kind and episode; a
 * decision applies the member module's event inside this module's transaction. Reads
 * membership (never writes it) and writes member_case. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/scope.h"
#include "modules/audit/audit.h"
#include "modules/transfer/transfer_internal.h"

/* Candidate queries: the due set is a prefix of each ordering (add_months is monotonic), and
 * the SQL cutoff is loose by the 3 days end-of-month clamping can take, so the exact test is
 * made in C (due_on <= today) and stops at the first row that is not due. */
#define DUE_SUSPENSION_SELECT                                                                      \
    "SELECT m.id, p.name, m.org_id, o.name, m.lost_contact_since FROM membership m "               \
    "JOIN person p ON p.id = m.person_id JOIN org o ON o.id = m.org_id "                           \
    "WHERE m.status IN ('probationary', 'full') AND m.lost_contact_since IS NOT NULL "             \
    "AND m.lost_contact_since <= $1 AND NOT EXISTS (SELECT 1 FROM member_case mc WHERE "           \
    "mc.membership_id = m.id AND mc.kind = 'suspension' AND (mc.status = 'open' OR "               \
    "mc.basis_on = m.lost_contact_since))"
#define DUE_REMOVAL_SELECT                                                                         \
    "SELECT m.id, p.name, m.org_id, o.name, m.suspended_on FROM membership m "                     \
    "JOIN person p ON p.id = m.person_id JOIN org o ON o.id = m.org_id "                           \
    "WHERE m.status = 'suspended' AND m.suspended_on IS NOT NULL "                                 \
    "AND m.lost_contact_since IS NOT NULL AND m.suspended_on <= $1 AND NOT EXISTS (SELECT 1 "      \
    "FROM member_case mc WHERE mc.membership_id = m.id AND mc.kind = 'removal' AND "               \
    "(mc.status = 'open' OR mc.basis_on = m.suspended_on))"

static const char *const DUE_SQL[2][2] = {
    /* [removal][scoped] */
    {DUE_SUSPENSION_SELECT " ORDER BY m.lost_contact_since, m.id LIMIT $2",
     DUE_SUSPENSION_SELECT " AND m.org_id IN {{SCOPE}} ORDER BY m.lost_contact_since, m.id "
                           "LIMIT $2"},
    {DUE_REMOVAL_SELECT " ORDER BY m.suspended_on, m.id LIMIT $2",
     DUE_REMOVAL_SELECT " AND m.org_id IN {{SCOPE}} ORDER BY m.suspended_on, m.id LIMIT $2"},
};

/* Appends the due cases of one kind to v (capacity cap); *truncated when more were due. */
static int due_kind(zg_conn_t *c, zg_arena_t *a, int64_t scope, zg_date_t today, bool removal,
                    zg_transfer_case_due_t *v, size_t cap, size_t *n, bool *truncated,
                    zg_error_t *err)
{
    int32_t months = removal ? ZG_TRANSFER_REMOVAL_MONTHS : ZG_TRANSFER_LOST_MONTHS;
    zg_date_t loose;
    char cut[ZG_DATE_STR_SIZE];
    if (zg_date_add_months(today, -months, &loose) || zg_date_add_days(loose, 3, &loose) ||
        zg_date_format(loose, cut))
        return zg_error_set(err, ZG_ERR_INVALID, "invalid_date", "日期超出范围",
                            "cases: date out of range");
    const zg_rule_t *rule =
        zg_rule_get(removal ? "member.removal_after_suspension" : "member.suspension_grounds");
    if (!rule)
        return zg_error_set(err, ZG_ERR_INTERNAL, "internal", "服务器内部错误",
                            "cases: member rule missing from the catalog");
    size_t room = cap - *n;
    zg_param_t p[] = {ZG_P_TEXT(cut), ZG_P_INT((int64_t)room + 1)};
    zg_rows_t *r;
    const char *sql = DUE_SQL[removal][scope > 0];
    int rc = scope > 0 ? zg_scope_query(c, scope, sql, p, 2, &r, err)
                       : zg_db_query(c, sql, p, 2, &r, err);
    if (rc)
        return rc;
    bool oom = false;
    while ((rc = zg_rows_next(r, err)) == 1) {
        zg_date_t basis = tr_col_date(r, 4), due;
        if (basis == ZG_TRANSFER_NO_DATE)
            continue; /* unparsable date: not a case the scan can reason about */
        if ((removal ? zg_transfer_removal_due_on(basis, &due)
                     : zg_transfer_suspension_due_on(basis, &due)) ||
            due > today)
            break; /* the rest are later still */
        if (*n == cap) {
            *truncated = true;
            break;
        }
        zg_transfer_case_due_t *d = &v[(*n)++];
        d->membership_id = zg_rows_int(r, 0);
        d->member_name = tr_col_str(r, 1, a, &oom);
        d->org_id = zg_rows_int(r, 2);
        d->org_name = tr_col_str(r, 3, a, &oom);
        d->kind = removal ? "removal" : "suspension";
        d->basis_on = basis;
        d->due_on = due;
        d->rule = rule;
        char b[ZG_DATE_STR_SIZE], u[ZG_DATE_STR_SIZE];
        zg_date_format(basis, b);
        zg_date_format(due, u);
        d->message = removal ? zg_arena_sprintf(a,
                                                "%s自 %s 停止党籍，至 %s 已满2年，仍无法取得联系，"
                                                "应研究是否按自行脱党予以除名",
                                                d->member_name ? d->member_name : "", b, u)
                             : zg_arena_sprintf(a,
                                                "%s自 %s 失去联系，至 %s 已满6个月，"
                                                "经多方寻找仍无法联系的，应研究是否停止其党籍",
                                                d->member_name ? d->member_name : "", b, u);
        if (!d->message)
            oom = true;
    }
    zg_rows_close(r);
    if (rc < 0)
        return rc;
    return oom ? tr_nomem(err, "due cases") : ZG_OK;
}

static int cmp_due(const void *x, const void *y)
{
    const zg_transfer_case_due_t *a = x, *b = y;
    if (a->due_on != b->due_on)
        return a->due_on < b->due_on ? -1 : 1;
    if (a->membership_id != b->membership_id)
        return a->membership_id < b->membership_id ? -1 : 1;
    return strcmp(a->kind, b->kind);
}

/* The due cases of `scope`, or of the whole system when scope is 0 (the daily job only: the
 * public functions refuse a scope ≤ 0). */
static int due_in(zg_conn_t *c, zg_arena_t *a, int64_t scope, zg_date_t today,
                  zg_transfer_case_due_t **items, size_t *n, bool *truncated, zg_error_t *err)
{
    *items = NULL;
    *n = 0;
    *truncated = false;
    zg_transfer_case_due_t *v = zg_arena_calloc(a, ZG_TRANSFER_DUE_MAX, sizeof *v);
    if (!v)
        return tr_nomem(err, "due cases");
    int rc = due_kind(c, a, scope, today, false, v, ZG_TRANSFER_DUE_MAX, n, truncated, err);
    if (rc == ZG_OK)
        rc = due_kind(c, a, scope, today, true, v, ZG_TRANSFER_DUE_MAX, n, truncated, err);
    if (rc)
        return rc;
    qsort(v, *n, sizeof *v, cmp_due);
    *items = v;
    return ZG_OK;
}

int zg_transfer_cases_due(zg_conn_t *c, zg_arena_t *a, int64_t scope, zg_date_t today,
                          zg_transfer_case_due_t **items, size_t *n, bool *truncated,
                          zg_error_t *err)
{
    if (scope <= 0) {
        *items = NULL;
        *n = 0;
        *truncated = false;
        return tr_not_found(err, "scope", scope);
    }
    return due_in(c, a, scope, today, items, n, truncated, err);
}

static int open_tx(zg_conn_t *c, zg_transfer_op_t *op, int64_t scope, int *opened, zg_error_t *err)
{
    zg_transfer_case_due_t *v;
    size_t n;
    bool truncated;
    int rc = due_in(c, op->arena, scope, op->today, &v, &n, &truncated, err);
    if (rc)
        return rc;
    char today[ZG_DATE_STR_SIZE];
    if (zg_date_format(op->today, today))
        return zg_error_set(err, ZG_ERR_INVALID, "invalid_date", "日期超出范围",
                            "cases: today out of range");
    for (size_t i = 0; i < n; i++) {
        const zg_transfer_case_due_t *d = &v[i];
        char due[ZG_DATE_STR_SIZE], basis[ZG_DATE_STR_SIZE];
        zg_param_t p[] = {ZG_P_INT(d->membership_id),
                          ZG_P_TEXT(d->kind),
                          ZG_P_TEXT(today),
                          ZG_P_TEXT(d->message),
                          tr_date_param(d->due_on, due),
                          tr_date_param(d->basis_on, basis)};
        int64_t id = 0;
        /* DO NOTHING: a concurrent scan that opened the same case wins (unique indexes of
         * 0008); a unique violation would abort the whole transaction on PostgreSQL */
        rc = zg_db_query_int(c,
                             "INSERT INTO member_case (membership_id, kind, opened_on, due_reason, "
                             "status, due_on, basis_on) VALUES ($1, $2, $3, $4, 'open', $5, $6) "
                             "ON CONFLICT DO NOTHING RETURNING id",
                             p, 6, &id, err);
        if (rc == ZG_ERR_NOT_FOUND)
            continue;
        if (rc)
            return rc;
        tr_detail_t dt;
        tr_detail_init(&dt, op->arena);
        tr_detail_int(&dt, "membership_id", d->membership_id);
        tr_detail_int(&dt, "org_id", d->org_id);
        tr_detail_str(&dt, "kind", d->kind);
        tr_detail_date(&dt, "basis_on", d->basis_on);
        tr_detail_date(&dt, "due_on", d->due_on);
        if ((rc = tr_audit(c, op, "member_case.open", "member_case", id, tr_detail_end(&dt), err)))
            return rc;
        (*opened)++;
    }
    return ZG_OK;
}

/* Opens the due cases of `scope` (0 = the whole system, for the daily job). */
static int open_in(zg_conn_t *c, zg_transfer_op_t *op, int64_t scope, int *opened, zg_error_t *err)
{
    *opened = 0;
    int rc = zg_db_begin(c, ZG_TX_WRITE, err);
    if (rc)
        return rc;
    rc = open_tx(c, op, scope, opened, err);
    if (rc == ZG_OK)
        rc = zg_db_commit(c, err);
    if (rc) {
        zg_db_rollback(c);
        *opened = 0;
    }
    return rc;
}

int zg_transfer_cases_open(zg_conn_t *c, zg_transfer_op_t *op, int *opened, zg_error_t *err)
{
    *opened = 0;
    if (op->scope <= 0)
        return tr_not_found(err, "scope", op->scope);
    return open_in(c, op, op->scope, opened, err);
}

int zg_transfer_cases_scan(zg_conn_t *c, zg_date_t today, int *opened, zg_error_t *err)
{
    zg_arena_t a;
    zg_arena_init(&a, 0, 64u << 20);
    zg_member_actor_t system = {0};
    zg_transfer_op_t op;
    zg_transfer_op_init(&op, &a, 0, &system);
    op.today = today;
    int rc = open_in(c, &op, 0, opened, err);
    zg_arena_destroy(&a);
    return rc;
}

int zg_transfer_cli_scan(zg_db_t *db, FILE *out)
{
    zg_error_t err;
    zg_error_clear(&err);
    zg_conn_t *c = zg_db_conn(db, &err);
    int opened = 0;
    if (!c || zg_transfer_cases_scan(c, zg_date_today(), &opened, &err)) {
        fprintf(out, "失联党员案件检查失败：%s\n", err.message);
        return 1;
    }
    fprintf(out, "失联党员案件检查完成：新开 %d 件\n", opened);
    return 0;
}

/* ---- reads --------------------------------------------------------------------------------- */

#define CASE_COLS                                                                                  \
    "mc.id, mc.membership_id, p.name, m.org_id, o.name, m.status, mc.kind, mc.opened_on, "         \
    "mc.due_on, mc.basis_on, mc.due_reason, mc.status, mc.decision, mc.decided_on, "               \
    "mc.decision_note, mc.decided_by, mc.created_at"
#define CASE_FROM                                                                                  \
    " FROM member_case mc JOIN membership m ON m.id = mc.membership_id "                           \
    "JOIN person p ON p.id = m.person_id JOIN org o ON o.id = m.org_id"

static int read_case(zg_rows_t *r, zg_arena_t *a, zg_transfer_case_t *k, zg_error_t *err)
{
    bool oom = false;
    *k = (zg_transfer_case_t){
        .id = zg_rows_int(r, 0),
        .membership_id = zg_rows_int(r, 1),
        .member_name = tr_col_str(r, 2, a, &oom),
        .org_id = zg_rows_int(r, 3),
        .org_name = tr_col_str(r, 4, a, &oom),
        .member_status = tr_col_str(r, 5, a, &oom),
        .kind = tr_col_str(r, 6, a, &oom),
        .opened_on = tr_col_date(r, 7),
        .due_on = tr_col_date(r, 8),
        .basis_on = tr_col_date(r, 9),
        .due_reason = tr_col_str(r, 10, a, &oom),
        .status = tr_col_str(r, 11, a, &oom),
        .decision = tr_col_str(r, 12, a, &oom),
        .decided_on = tr_col_date(r, 13),
        .decision_note = tr_col_str(r, 14, a, &oom),
        .decided_by = zg_rows_isnull(r, 15) ? 0 : zg_rows_int(r, 15),
        .created_at = tr_col_str(r, 16, a, &oom),
    };
    return oom ? tr_nomem(err, "case row") : ZG_OK;
}

int zg_transfer_case_get(zg_conn_t *c, zg_arena_t *a, int64_t scope, int64_t id,
                         zg_transfer_case_t *out, zg_error_t *err)
{
    if (scope <= 0 || id <= 0)
        return tr_not_found(err, "case", id);
    zg_param_t p[] = {ZG_P_INT(id)};
    zg_rows_t *r;
    int rc = zg_scope_query(
        c, scope, "SELECT " CASE_COLS CASE_FROM " WHERE mc.id = $1 AND m.org_id IN {{SCOPE}}", p, 1,
        &r, err);
    if (rc)
        return rc;
    rc = zg_rows_next(r, err);
    if (rc == 1)
        rc = read_case(r, a, out, err);
    else if (rc == 0)
        rc = tr_not_found(err, "case", id);
    zg_rows_close(r);
    return rc;
}

int zg_transfer_cases_list(zg_conn_t *c, zg_arena_t *a, int64_t scope,
                           const zg_transfer_case_query_t *q, zg_transfer_case_list_t *out,
                           zg_error_t *err)
{
    memset(out, 0, sizeof *out);
    if (q->limit < 1 || q->limit > ZG_TRANSFER_PAGE_MAX || q->offset < 0)
        return zg_error_set(err, ZG_ERR_INVALID, "invalid_range", "分页参数超出范围",
                            "case list offset %lld limit %d", (long long)q->offset, q->limit);
    if (scope <= 0)
        return tr_not_found(err, "scope", scope);
#define CASE_WHERE                                                                                 \
    " WHERE m.org_id IN {{SCOPE}} AND (CAST($1 AS TEXT) = '' OR mc.status = $1) "                  \
    "AND (CAST($2 AS TEXT) = '' OR mc.kind = $2) AND ($3 = 0 OR mc.membership_id = $3)"
    zg_param_t p[] = {ZG_P_TEXT(q->status ? q->status : ""), ZG_P_TEXT(q->kind ? q->kind : ""),
                      ZG_P_INT(q->membership_id), ZG_P_INT(q->limit), ZG_P_INT(q->offset)};
    int rc = zg_scope_query_int(c, scope, "SELECT count(*)" CASE_FROM CASE_WHERE, p, 3, &out->total,
                                err);
    if (rc)
        return rc;
    out->items = zg_arena_calloc(a, (size_t)q->limit, sizeof *out->items);
    if (!out->items)
        return tr_nomem(err, "case list");
    zg_rows_t *r;
    rc = zg_scope_query(c, scope,
                        "SELECT " CASE_COLS CASE_FROM CASE_WHERE
                        " ORDER BY CASE WHEN mc.status = 'open' THEN 0 ELSE 1 END, mc.due_on, "
                        "mc.id LIMIT $4 OFFSET $5",
                        p, 5, &r, err);
#undef CASE_WHERE
    if (rc)
        return rc;
    while ((rc = zg_rows_next(r, err)) == 1 && out->n < (size_t)q->limit) {
        rc = read_case(r, a, &out->items[out->n], err);
        if (rc)
            break;
        out->n++;
    }
    zg_rows_close(r);
    return rc < 0 ? rc : ZG_OK;
}

/* ---- decisions ----------------------------------------------------------------------------- */

static int decide_tx(zg_conn_t *c, zg_transfer_op_t *op, int64_t id, const char *decision,
                     zg_date_t on, const char *note, zg_error_t *err)
{
    /* lock the case row first: two decisions on one case serialize */
    zg_param_t pl[] = {ZG_P_INT(id)};
    int rc =
        zg_db_exec(c, "UPDATE member_case SET status = status WHERE id = $1", pl, 1, NULL, err);
    if (rc)
        return rc;
    zg_transfer_case_t k;
    if ((rc = zg_transfer_case_get(c, op->arena, op->scope, id, &k, err)))
        return rc;
    if (strcmp(k.status, "open"))
        return zg_error_set(err, ZG_ERR_CONFLICT, "case_closed", "该案件已处理，不能再次决定",
                            "case %lld is %s", (long long)id, k.status);
    bool suspension = !strcmp(k.kind, "suspension");
    bool dismiss = !strcmp(decision, "dismiss");
    if (!dismiss && strcmp(decision, suspension ? "suspend" : "remove"))
        return tr_bad_field(op, err, "decision",
                            suspension
                                ? "停止党籍案件的决定应为 suspend（停止党籍）或 dismiss（暂不处理）"
                                : "除名案件的决定应为 remove（除名）或 dismiss（暂不处理）");
    if (dismiss && tr_blank(note)) {
        zg_findings_add(&op->findings, "transfer.case_dismiss_note", "note", NULL);
        return tr_rule_refusal(op, err);
    }
    int64_t event_id = 0;
    if (!dismiss) {
        tr_membership_t m;
        if ((rc = tr_membership_load(c, op->arena, k.membership_id, &m, err)))
            return rc;
        bool current = suspension
                           ? (!strcmp(m.status, "probationary") || !strcmp(m.status, "full")) &&
                                 m.lost_contact_since == k.basis_on
                           : !strcmp(m.status, "suspended") && m.suspended_on == k.basis_on &&
                                 m.lost_contact_since != ZG_TRANSFER_NO_DATE;
        if (!current)
            return zg_error_set(err, ZG_ERR_CONFLICT, "case_stale",
                                "该党员的情况在立案后已发生变化（如已恢复联系或已处理），"
                                "请核实后以“暂不处理”结案",
                                "case %lld stale: member %lld status %s", (long long)id,
                                (long long)m.id, m.status ? m.status : "?");
        if (on < k.due_on) {
            char a[ZG_DATE_STR_SIZE], b[ZG_DATE_STR_SIZE], u[ZG_DATE_STR_SIZE];
            zg_date_format(on, a);
            zg_date_format(k.basis_on, b);
            zg_date_format(k.due_on, u);
            zg_findings_add(&op->findings, "transfer.case_decision_timing", "decided_on",
                            suspension ? "%s 不能停止党籍：失去联系自 %s 起，至 %s 方满6个月"
                                       : "%s 不能除名：停止党籍自 %s 起，至 %s 方满2年",
                            a, b, u);
            return tr_rule_refusal(op, err);
        }
        zg_member_op_t mop;
        zg_member_op_init(&mop, op->arena, op->scope, &op->actor);
        mop.today = op->today;
        const char *ev_note =
            note && *note ? note
                          : (suspension ? "失去联系满6个月，经党组织研究决定停止党籍"
                                        : "停止党籍满2年仍无法取得联系，经党组织研究决定按自行"
                                          "脱党除名");
        zg_member_event_input_t ev = {
            .kind = suspension ? "suspended" : "removed", .on_date = on, .note = ev_note};
        rc = zg_member_apply_event(c, &mop, k.membership_id, &ev, &event_id, err);
        for (int i = 0; i < mop.findings.n && op->findings.n < ZG_FINDINGS_MAX; i++)
            op->findings.items[op->findings.n++] = mop.findings.items[i];
        if (rc)
            return rc;
    }
    char d[ZG_DATE_STR_SIZE];
    zg_param_t p[] = {ZG_P_INT(id),
                      ZG_P_TEXT(dismiss ? "dismissed" : "decided"),
                      ZG_P_TEXT(decision),
                      tr_date_param(on, d),
                      op->actor.account_id ? ZG_P_INT(op->actor.account_id) : ZG_P_NULL,
                      ZG_P_TEXT(note && *note ? note : NULL)};
    if ((rc = zg_db_exec(c,
                         "UPDATE member_case SET status = $2, decision = $3, decided_on = $4, "
                         "decided_by = $5, decision_note = $6 WHERE id = $1",
                         p, 6, NULL, err)))
        return rc;
    tr_detail_t dt;
    tr_detail_init(&dt, op->arena);
    tr_detail_int(&dt, "membership_id", k.membership_id);
    tr_detail_str(&dt, "kind", k.kind);
    tr_detail_str(&dt, "decision", decision);
    tr_detail_date(&dt, "decided_on", on);
    if (event_id)
        tr_detail_int(&dt, "event_id", event_id);
    if (note && *note)
        tr_detail_str(&dt, "note", note);
    return tr_audit(c, op, "member_case.decide", "member_case", id, tr_detail_end(&dt), err);
}

int zg_transfer_case_decide(zg_conn_t *c, zg_transfer_op_t *op, int64_t id, const char *decision,
                            zg_date_t on, const char *note, zg_error_t *err)
{
    if (!decision || !zg_transfer_case_decision_label(decision))
        return tr_bad_field(op, err, "decision",
                            "决定应为 suspend（停止党籍）、remove（除名）或 dismiss（暂不处理）");
    int rc = tr_check_text(op, err, "note", "说明", note, false, ZG_TRANSFER_NOTE_MAX, true);
    if (rc)
        return rc;
    if (on == ZG_TRANSFER_NO_DATE)
        on = op->today;
    if (on > op->today)
        return tr_bad_field(op, err, "decided_on", "决定日期不能晚于今天");
    if ((rc = zg_db_begin(c, ZG_TX_WRITE, err)))
        return rc;
    rc = decide_tx(c, op, id, decision, on, note, err);
    if (rc == ZG_OK)
        rc = zg_db_commit(c, err);
    if (rc) {
        zg_db_rollback(c);
        return rc;
    }
    tr_findings_keep_advisory(op);
    return ZG_OK;
}
