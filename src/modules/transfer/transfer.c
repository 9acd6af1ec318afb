/* transfer.c — transfers of the organizational relationship (组织关系转接, issue 4 §4;
 * RULES.md §5.1 art.25, §5.2): settings, the pure rules, issuing, accepting, returning,
 * cancelling, receipts, reads and warnings. The member's moves and status changes go through
 * the member module (zg_member_apply_event) inside this module's write
 * transaction; this file changes only the transfer table (and transfer_letter_seq). See
 * transfer.h for the model; the lost-contact cases are in transfer_case.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/utf8.h"
#include "db/scope.h"
#include "modules/audit/audit.h"
#include "modules/dict/dict.h"
#include "modules/transfer/transfer_internal.h"

/* ---- settings ------------------------------------------------------------------------------ */

static zg_transfer_settings_t g_settings = {
    .pending_warn_days = ZG_TRANSFER_PENDING_WARN_DAYS_DEFAULT,
    .letter_prefix = ZG_TRANSFER_LETTER_PREFIX_DEFAULT,
};

/* A prefix is letters, digits and CJK characters only (it is printed inside the letter
 * number and must not carry markup or brackets of its own). */
static bool prefix_ok(const char *s)
{
    size_t len = strlen(s), chars = 0;
    if (!len || zg_utf8_strlen(s, len, &chars) || chars > ZG_TRANSFER_PREFIX_MAX)
        return false;
    for (size_t i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch < 0x80 &&
            !((ch >= '0' && ch <= '9') || (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z')))
            return false;
    }
    /* full-width brackets and 号 are part of the format, not of the prefix */
    return !strstr(s, "〔") && !strstr(s, "〕");
}

int zg_transfer_configure(const zg_transfer_settings_t *s, zg_error_t *err)
{
    if (!s || s->pending_warn_days < 1 || s->pending_warn_days > 365)
        return zg_error_set(err, ZG_ERR_INVALID, "invalid_setting",
                            "transfer_pending_warn_days 应为 1 到 365 之间的整数",
                            "transfer: pending_warn_days out of range");
    if (!memchr(s->letter_prefix, '\0', sizeof s->letter_prefix) || !prefix_ok(s->letter_prefix))
        return zg_error_set(err, ZG_ERR_INVALID, "invalid_setting",
                            "transfer_letter_prefix 应为不超过20个字的汉字、字母或数字",
                            "transfer: bad letter prefix");
    g_settings = *s;
    return ZG_OK;
}

const zg_transfer_settings_t *zg_transfer_settings(void)
{
    return &g_settings;
}

/* ---- pure rules ---------------------------------------------------------------------------- */

int zg_transfer_letter_valid_max(zg_date_t issued_on, zg_date_t *out)
{
    return zg_date_add_months(issued_on, ZG_TRANSFER_LETTER_VALID_MONTHS, out);
}

int zg_transfer_parse_month(const char *s, int *year, int *month)
{
    if (!s || strlen(s) != 7 || s[4] != '-')
        return ZG_ERR_INVALID;
    for (int i = 0; i < 7; i++)
        if (i != 4 && (s[i] < '0' || s[i] > '9'))
            return ZG_ERR_INVALID;
    int y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
    int m = (s[5] - '0') * 10 + (s[6] - '0');
    if (y < 1921 || y > 2099 || m < 1 || m > 12)
        return ZG_ERR_INVALID;
    if (year)
        *year = y;
    if (month)
        *month = m;
    return ZG_OK;
}

void zg_transfer_check_letter(zg_date_t issued_on, zg_date_t valid_until,
                              const char *dues_paid_until, zg_findings_t *f)
{
    zg_date_t max;
    if (valid_until != ZG_TRANSFER_NO_DATE && zg_transfer_letter_valid_max(issued_on, &max) == 0 &&
        valid_until > max) {
        char a[ZG_DATE_STR_SIZE], b[ZG_DATE_STR_SIZE];
        zg_date_format(valid_until, a);
        zg_date_format(max, b);
        zg_findings_add(f, "transfer.letter_validity_max", "valid_until",
                        "介绍信有效期一般不超过3个月：有效期至 %s，最迟应为 %s", a, b);
    }
    if (!dues_paid_until || !*dues_paid_until)
        zg_findings_add(f, "transfer.letter_dues_paid_until", "dues_paid_until",
                        "介绍信须注明党费交到的年月（如 2026-03）");
    else if (zg_transfer_parse_month(dues_paid_until, NULL, NULL))
        zg_findings_add(f, "transfer.letter_dues_paid_until", "dues_paid_until",
                        "党费交到的年月应写成“年-月”（如 2026-03）");
}

int zg_transfer_letter_no(const char *prefix, int year, int64_t seq, char *buf, size_t cap)
{
    int n = snprintf(buf, cap, "%s〔%04d〕%04lld号", prefix ? prefix : "", year, (long long)seq);
    if (n < 0 || (size_t)n >= cap) {
        if (cap)
            buf[0] = '\0';
        return ZG_ERR_TOO_LARGE;
    }
    return ZG_OK;
}

bool zg_transfer_pending_due(zg_date_t issued_on, zg_date_t today, int warn_days, int32_t *days)
{
    int32_t d = today - issued_on;
    if (days)
        *days = d;
    return d >= warn_days;
}

bool zg_transfer_letter_overdue(zg_date_t valid_until, zg_date_t today, int32_t *days)
{
    int32_t d = today - valid_until;
    if (days)
        *days = d > 0 ? d : 0;
    return d > 0;
}

int zg_transfer_suspension_due_on(zg_date_t lost_contact_since, zg_date_t *out)
{
    return zg_date_add_months(lost_contact_since, ZG_TRANSFER_LOST_MONTHS, out);
}

int zg_transfer_removal_due_on(zg_date_t suspended_on, zg_date_t *out)
{
    return zg_date_add_months(suspended_on, ZG_TRANSFER_REMOVAL_MONTHS, out);
}

/* ---- labels -------------------------------------------------------------------------------- */

typedef struct {
    const char *code, *label;
} label_t;

static const char *find_label(const label_t *t, const char *code)
{
    for (; code && t->code; t++)
        if (!strcmp(t->code, code))
            return t->label;
    return NULL;
}

static const label_t KINDS[] = {
    {"internal", "系统内转接"}, {"external", "转出本系统（介绍信）"}, {NULL, NULL}};
static const label_t STATUSES[] = {{"pending", "办理中"},
                                   {"accepted", "已接收"},
                                   {"returned", "已退回"},
                                   {"received", "已收回执"},
                                   {"cancelled", "已撤回"},
                                   {"expired", "已过期"},
                                   {NULL, NULL}};
static const label_t CASE_KINDS[] = {
    {"suspension", "停止党籍"}, {"removal", "除名（自行脱党）"}, {NULL, NULL}};
static const label_t CASE_STATUSES[] = {
    {"open", "待处理"}, {"decided", "已决定"}, {"dismissed", "暂不处理"}, {NULL, NULL}};
static const label_t DECISIONS[] = {
    {"suspend", "停止党籍"}, {"remove", "按自行脱党除名"}, {"dismiss", "暂不处理"}, {NULL, NULL}};

const char *zg_transfer_kind_label(const char *kind)
{
    return find_label(KINDS, kind);
}
const char *zg_transfer_status_label(const char *status)
{
    return find_label(STATUSES, status);
}
const char *zg_transfer_case_kind_label(const char *kind)
{
    return find_label(CASE_KINDS, kind);
}
const char *zg_transfer_case_status_label(const char *status)
{
    return find_label(CASE_STATUSES, status);
}
const char *zg_transfer_case_decision_label(const char *decision)
{
    return find_label(DECISIONS, decision);
}

/* ---- shared helpers ------------------------------------------------------------------------ */

const char *tr_col_str(zg_rows_t *r, int col, zg_arena_t *a, bool *oom)
{
    if (zg_rows_isnull(r, col))
        return NULL;
    char *s = zg_arena_strdup(a, zg_rows_text(r, col));
    if (!s)
        *oom = true;
    return s;
}

zg_date_t tr_col_date(zg_rows_t *r, int col)
{
    zg_date_t d;
    if (zg_rows_isnull(r, col) || zg_date_parse(zg_rows_text(r, col), &d))
        return ZG_TRANSFER_NO_DATE;
    return d;
}

zg_param_t tr_date_param(zg_date_t d, char buf[ZG_DATE_STR_SIZE])
{
    if (d == ZG_TRANSFER_NO_DATE || zg_date_format(d, buf))
        return ZG_P_NULL;
    return ZG_P_TEXT(buf);
}

int tr_nomem(zg_error_t *err, const char *what)
{
    return zg_error_set(err, ZG_ERR_NOMEM, "no_memory", "服务器内存不足，请稍后重试",
                        "transfer: out of memory (%s)", what);
}

int tr_not_found(zg_error_t *err, const char *what, int64_t id)
{
    return zg_error_set(err, ZG_ERR_NOT_FOUND, "not_found", "对象不存在或不在您的管理范围内",
                        "transfer: %s %lld not found or out of scope", what, (long long)id);
}

int tr_bad_field(zg_transfer_op_t *op, zg_error_t *err, const char *field, const char *message)
{
    op->bad_field = field;
    return zg_error_set(err, ZG_ERR_INVALID, "invalid_fields", message, "transfer: bad field %s",
                        field);
}

int tr_rule_refusal(zg_transfer_op_t *op, zg_error_t *err)
{
    const zg_finding_t *first = NULL;
    for (int i = 0; i < op->findings.n && !first; i++)
        if (op->findings.items[i].rule->severity == ZG_SEV_BLOCK)
            first = &op->findings.items[i];
    if (!first)
        return zg_error_set(err, ZG_ERR_INTERNAL, "rule_violation", "系统内部错误",
                            "transfer: refusal without a blocking finding");
    char msg[sizeof err->message];
    snprintf(msg, sizeof msg, "不符合%s：%s", first->rule->citation, first->message);
    return zg_error_set(err, ZG_ERR_INVALID, "rule_violation", msg, "transfer: rule %s",
                        first->rule->id);
}

void tr_findings_keep_advisory(zg_transfer_op_t *op)
{
    int k = 0;
    for (int i = 0; i < op->findings.n; i++)
        if (op->findings.items[i].rule->severity != ZG_SEV_BLOCK)
            op->findings.items[k++] = op->findings.items[i];
    op->findings.n = k;
}

bool tr_blank(const char *s)
{
    if (!s)
        return true;
    for (; *s; s++)
        if (*s != ' ' && *s != '\t' && *s != '\r' && *s != '\n')
            return false;
    return true;
}

int tr_check_text(zg_transfer_op_t *op, zg_error_t *err, const char *field, const char *label,
                  const char *s, bool required, size_t max, bool multiline)
{
    char msg[160];
    if (!s || (required && tr_blank(s))) {
        if (!required)
            return ZG_OK;
        snprintf(msg, sizeof msg, "请填写%s", label);
        return tr_bad_field(op, err, field, msg);
    }
    size_t len = strlen(s), chars = 0;
    if (zg_utf8_strlen(s, len, &chars)) {
        snprintf(msg, sizeof msg, "%s含有无效字符", label);
        return tr_bad_field(op, err, field, msg);
    }
    for (size_t i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)s[i];
        bool line_break = multiline && (ch == '\n' || ch == '\r');
        if ((ch < 0x20 || ch == 0x7f) && !line_break) {
            snprintf(msg, sizeof msg, "%s不能含有控制字符", label);
            return tr_bad_field(op, err, field, msg);
        }
    }
    if (chars > max) {
        snprintf(msg, sizeof msg, "%s最多%zu个字", label, max);
        return tr_bad_field(op, err, field, msg);
    }
    return ZG_OK;
}

int tr_in_scope(zg_conn_t *c, int64_t scope, int64_t org_id, bool *in, zg_error_t *err)
{
    *in = false;
    if (scope <= 0 || org_id <= 0)
        return ZG_OK;
    return zg_scope_contains(c, scope, org_id, in, err);
}

void tr_detail_init(tr_detail_t *d, zg_arena_t *a)
{
    zg_strbuf_init(&d->sb, a, ZG_AUDIT_DETAIL_MAX);
    d->n = 0;
    zg_strbuf_putc(&d->sb, '{');
}

static void detail_key(tr_detail_t *d, const char *field)
{
    if (d->n++)
        zg_strbuf_putc(&d->sb, ',');
    zg_strbuf_json_string(&d->sb, field);
    zg_strbuf_putc(&d->sb, ':');
}

void tr_detail_str(tr_detail_t *d, const char *field, const char *value)
{
    detail_key(d, field);
    if (value)
        zg_strbuf_json_string(&d->sb, value);
    else
        zg_strbuf_puts(&d->sb, "null");
}

void tr_detail_int(tr_detail_t *d, const char *field, int64_t value)
{
    detail_key(d, field);
    zg_strbuf_printf(&d->sb, "%lld", (long long)value);
}

void tr_detail_date(tr_detail_t *d, const char *field, zg_date_t value)
{
    char buf[ZG_DATE_STR_SIZE];
    tr_detail_str(d, field,
                  value != ZG_TRANSFER_NO_DATE && zg_date_format(value, buf) == 0 ? buf : NULL);
}

const char *tr_detail_end(tr_detail_t *d)
{
    zg_strbuf_putc(&d->sb, '}');
    return d->sb.overflow ? NULL : zg_strbuf_cstr(&d->sb);
}

int tr_audit(zg_conn_t *c, const zg_transfer_op_t *op, const char *action, const char *object_type,
             int64_t object_id, const char *detail, zg_error_t *err)
{
    zg_audit_event_t e = {
        .account_id = op->actor.account_id,
        .username = op->actor.username,
        .ip = op->actor.ip,
        .action = action,
        .object_type = object_type,
        .object_id = object_id,
        .outcome = "ok",
        .detail = detail ? detail : "{\"_truncated\":true}",
    };
    return zg_audit_append(c, &e, err);
}

int tr_lock_transfer(zg_conn_t *c, int64_t id, zg_error_t *err)
{
    char now[ZG_TIMESTAMP_SIZE];
    zg_timestamp_now(now);
    zg_param_t p[] = {ZG_P_INT(id), ZG_P_TEXT(now)};
    int64_t changes = 0;
    int rc =
        zg_db_exec(c, "UPDATE transfer SET updated_at = $2 WHERE id = $1", p, 2, &changes, err);
    if (rc)
        return rc;
    return changes ? ZG_OK : tr_not_found(err, "transfer", id);
}

int tr_membership_load(zg_conn_t *c, zg_arena_t *a, int64_t id, tr_membership_t *m, zg_error_t *err)
{
    zg_param_t p[] = {ZG_P_INT(id)};
    zg_rows_t *r;
    int rc = zg_db_query(c,
                         "SELECT m.id, m.person_id, m.org_id, m.status, p.name, m.joined_on, "
                         "m.lost_contact_since, m.suspended_on FROM membership m "
                         "JOIN person p ON p.id = m.person_id WHERE m.id = $1",
                         p, 1, &r, err);
    if (rc)
        return rc;
    rc = zg_rows_next(r, err);
    if (rc <= 0) {
        zg_rows_close(r);
        return rc < 0 ? rc : tr_not_found(err, "member", id);
    }
    bool oom = false;
    *m = (tr_membership_t){
        .id = zg_rows_int(r, 0),
        .person_id = zg_rows_int(r, 1),
        .org_id = zg_rows_int(r, 2),
        .status = tr_col_str(r, 3, a, &oom),
        .name = tr_col_str(r, 4, a, &oom),
        .joined_on = tr_col_date(r, 5),
        .lost_contact_since = tr_col_date(r, 6),
        .suspended_on = tr_col_date(r, 7),
    };
    zg_rows_close(r);
    return oom ? tr_nomem(err, "membership") : ZG_OK;
}

void zg_transfer_op_init(zg_transfer_op_t *op, zg_arena_t *arena, int64_t scope,
                         const zg_member_actor_t *actor)
{
    memset(op, 0, sizeof *op);
    op->arena = arena;
    op->scope = scope;
    if (actor)
        op->actor = *actor;
    op->today = zg_date_today();
    zg_findings_init(&op->findings, arena);
}

static bool member_active(const char *status)
{
    return status && (!strcmp(status, "probationary") || !strcmp(status, "full"));
}

static bool receiver_kind_ok(const char *kind)
{
    return kind && (!strcmp(kind, "branch") || !strcmp(kind, "joint_branch"));
}

/* ---- reads --------------------------------------------------------------------------------- */

/* The columns of a zg_transfer_t, in the order read_transfer expects. */
#define TR_COLS                                                                                    \
    "t.id, t.membership_id, m.person_id, p.name, p.gender, p.id_number_masked, m.status, "         \
    "t.kind, t.from_org_id, t.to_org_id, fo.name, tor.name, t.destination, t.letter_no, "          \
    "t.issued_on, t.valid_until, t.decided_on, t.dues_paid_until, t.reason, t.status, "            \
    "t.decision_note, t.issued_by, t.decided_by, t.created_at, t.updated_at"
#define TR_NCOLS 25
#define TR_FROM                                                                                    \
    " FROM transfer t JOIN membership m ON m.id = t.membership_id "                                \
    "JOIN person p ON p.id = m.person_id JOIN org fo ON fo.id = t.from_org_id "                    \
    "LEFT JOIN org tor ON tor.id = t.to_org_id"
/* The two direction flags, after TR_COLS (scoped queries only). */
#define TR_FLAGS                                                                                   \
    ", CASE WHEN t.from_org_id IN {{SCOPE}} THEN 1 ELSE 0 END, "                                   \
    "CASE WHEN t.to_org_id IN {{SCOPE}} THEN 1 ELSE 0 END"

static int read_transfer(zg_rows_t *r, zg_arena_t *a, bool flags, zg_transfer_t *t, zg_error_t *err)
{
    bool oom = false;
    *t = (zg_transfer_t){
        .id = zg_rows_int(r, 0),
        .membership_id = zg_rows_int(r, 1),
        .person_id = zg_rows_int(r, 2),
        .member_name = tr_col_str(r, 3, a, &oom),
        .member_gender = tr_col_str(r, 4, a, &oom),
        .member_id_number_masked = tr_col_str(r, 5, a, &oom),
        .member_status = tr_col_str(r, 6, a, &oom),
        .kind = tr_col_str(r, 7, a, &oom),
        .from_org_id = zg_rows_int(r, 8),
        .to_org_id = zg_rows_isnull(r, 9) ? 0 : zg_rows_int(r, 9),
        .from_org_name = tr_col_str(r, 10, a, &oom),
        .to_org_name = tr_col_str(r, 11, a, &oom),
        .destination = tr_col_str(r, 12, a, &oom),
        .letter_no = tr_col_str(r, 13, a, &oom),
        .issued_on = tr_col_date(r, 14),
        .valid_until = tr_col_date(r, 15),
        .decided_on = tr_col_date(r, 16),
        .dues_paid_until = tr_col_str(r, 17, a, &oom),
        .reason = tr_col_str(r, 18, a, &oom),
        .status = tr_col_str(r, 19, a, &oom),
        .decision_note = tr_col_str(r, 20, a, &oom),
        .issued_by = zg_rows_isnull(r, 21) ? 0 : zg_rows_int(r, 21),
        .decided_by = zg_rows_isnull(r, 22) ? 0 : zg_rows_int(r, 22),
        .created_at = tr_col_str(r, 23, a, &oom),
        .updated_at = tr_col_str(r, 24, a, &oom),
    };
    if (flags) {
        t->outgoing = zg_rows_int(r, TR_NCOLS) != 0;
        t->incoming = zg_rows_int(r, TR_NCOLS + 1) != 0;
    }
    return oom ? tr_nomem(err, "transfer row") : ZG_OK;
}

int tr_transfer_load(zg_conn_t *c, zg_arena_t *a, int64_t id, zg_transfer_t *t, zg_error_t *err)
{
    zg_param_t p[] = {ZG_P_INT(id)};
    zg_rows_t *r;
    int rc = zg_db_query(c, "SELECT " TR_COLS TR_FROM " WHERE t.id = $1", p, 1, &r, err);
    if (rc)
        return rc;
    rc = zg_rows_next(r, err);
    if (rc == 1)
        rc = read_transfer(r, a, false, t, err);
    else if (rc == 0)
        rc = tr_not_found(err, "transfer", id);
    zg_rows_close(r);
    return rc;
}

int zg_transfer_get(zg_conn_t *c, zg_arena_t *a, int64_t scope, int64_t id, zg_transfer_t *out,
                    zg_error_t *err)
{
    if (scope <= 0 || id <= 0)
        return tr_not_found(err, "transfer", id);
    zg_param_t p[] = {ZG_P_INT(id)};
    zg_rows_t *r;
    int rc = zg_scope_query(c, scope,
                            "SELECT " TR_COLS TR_FLAGS TR_FROM " WHERE t.id = $1 AND "
                            "(t.from_org_id IN {{SCOPE}} OR t.to_org_id IN {{SCOPE}})",
                            p, 1, &r, err);
    if (rc)
        return rc;
    rc = zg_rows_next(r, err);
    if (rc == 1)
        rc = read_transfer(r, a, true, out, err);
    else if (rc == 0)
        rc = tr_not_found(err, "transfer", id);
    zg_rows_close(r);
    return rc;
}

/* The WHERE clause of a direction; every variant mentions {{SCOPE}}. */
static const char *direction_where(const char *direction)
{
    if (direction && !strcmp(direction, "outgoing"))
        return " WHERE t.from_org_id IN {{SCOPE}}";
    if (direction && !strcmp(direction, "incoming"))
        return " WHERE t.to_org_id IN {{SCOPE}}";
    return " WHERE (t.from_org_id IN {{SCOPE}} OR t.to_org_id IN {{SCOPE}})";
}

int zg_transfer_list(zg_conn_t *c, zg_arena_t *a, int64_t scope, const zg_transfer_query_t *q,
                     zg_transfer_list_t *out, zg_error_t *err)
{
    memset(out, 0, sizeof *out);
    if (q->limit < 1 || q->limit > ZG_TRANSFER_PAGE_MAX || q->offset < 0)
        return zg_error_set(err, ZG_ERR_INVALID, "invalid_range", "分页参数超出范围",
                            "transfer list offset %lld limit %d", (long long)q->offset, q->limit);
    if (q->direction && strcmp(q->direction, "outgoing") && strcmp(q->direction, "incoming") &&
        strcmp(q->direction, "all"))
        return zg_error_set(err, ZG_ERR_INVALID, "invalid_direction",
                            "方向应为 outgoing（转出）、incoming（转入）或 all",
                            "transfer list direction %s", q->direction);
    if (scope <= 0)
        return tr_not_found(err, "scope", scope);
    const char *where = direction_where(q->direction);
    static const char filters[] = " AND (CAST($1 AS TEXT) = '' OR t.status = $1)"
                                  " AND (CAST($2 AS TEXT) = '' OR t.kind = $2)"
                                  " AND ($3 = 0 OR t.membership_id = $3)";
    zg_param_t p[] = {ZG_P_TEXT(q->status ? q->status : ""), ZG_P_TEXT(q->kind ? q->kind : ""),
                      ZG_P_INT(q->membership_id), ZG_P_INT(q->limit), ZG_P_INT(q->offset)};
    char *count_sql = zg_arena_sprintf(a, "SELECT count(*) FROM transfer t%s%s", where, filters);
    char *list_sql = zg_arena_sprintf(a,
                                      "SELECT " TR_COLS TR_FLAGS TR_FROM
                                      "%s%s ORDER BY t.issued_on DESC, t.id DESC "
                                      "LIMIT $4 OFFSET $5",
                                      where, filters);
    if (!count_sql || !list_sql)
        return tr_nomem(err, "list sql");
    int rc = zg_scope_query_int(c, scope, count_sql, p, 3, &out->total, err);
    if (rc)
        return rc;
    out->items = zg_arena_calloc(a, (size_t)q->limit, sizeof *out->items);
    if (!out->items)
        return tr_nomem(err, "transfer list");
    zg_rows_t *r;
    rc = zg_scope_query(c, scope, list_sql, p, 5, &r, err);
    if (rc)
        return rc;
    while ((rc = zg_rows_next(r, err)) == 1 && out->n < (size_t)q->limit) {
        rc = read_transfer(r, a, true, &out->items[out->n], err);
        if (rc)
            break;
        out->n++;
    }
    zg_rows_close(r);
    return rc < 0 ? rc : ZG_OK;
}

int zg_transfer_warnings(zg_conn_t *c, zg_arena_t *a, int64_t scope, zg_date_t today, int warn_days,
                         zg_transfer_warning_t **items, size_t *n, bool *truncated, zg_error_t *err)
{
    *items = NULL;
    *n = 0;
    *truncated = false;
    if (scope <= 0)
        return tr_not_found(err, "scope", scope);
    if (warn_days < 1)
        warn_days = 1;
    zg_date_t cutoff;
    char cut[ZG_DATE_STR_SIZE], day[ZG_DATE_STR_SIZE];
    if (zg_date_add_days(today, -warn_days, &cutoff) || zg_date_format(cutoff, cut) ||
        zg_date_format(today, day))
        return zg_error_set(err, ZG_ERR_INVALID, "invalid_date", "日期超出范围",
                            "transfer warnings: date out of range");
    /* internal: issued_on <= today - N, i.e. pending N days or more; external: valid_until
     * before today */
    zg_param_t p[] = {ZG_P_TEXT(cut), ZG_P_TEXT(day), ZG_P_INT(ZG_TRANSFER_WARNINGS_MAX + 1)};
    zg_rows_t *r;
    int rc = zg_scope_query(
        c, scope,
        "SELECT " TR_COLS TR_FLAGS TR_FROM
        " WHERE t.status = 'pending' AND (t.from_org_id IN {{SCOPE}} OR t.to_org_id IN "
        "{{SCOPE}}) AND ((t.kind = 'internal' AND t.issued_on <= $1) OR "
        "(t.kind = 'external' AND t.valid_until < $2)) ORDER BY t.issued_on, t.id LIMIT $3",
        p, 3, &r, err);
    if (rc)
        return rc;
    zg_transfer_warning_t *v = zg_arena_calloc(a, ZG_TRANSFER_WARNINGS_MAX, sizeof *v);
    if (!v) {
        zg_rows_close(r);
        return tr_nomem(err, "warnings");
    }
    while ((rc = zg_rows_next(r, err)) == 1) {
        if (*n == ZG_TRANSFER_WARNINGS_MAX) {
            *truncated = true;
            break;
        }
        zg_transfer_warning_t *w = &v[*n];
        rc = read_transfer(r, a, true, &w->transfer, err);
        if (rc)
            break;
        const zg_transfer_t *t = &w->transfer;
        char d1[ZG_DATE_STR_SIZE], d2[ZG_DATE_STR_SIZE];
        if (!strcmp(t->kind, "internal")) {
            zg_transfer_pending_due(t->issued_on, today, warn_days, &w->days);
            w->rule = zg_rule_get("transfer.pending_too_long");
            zg_date_format(t->issued_on, d1);
            w->message = zg_arena_sprintf(
                a, "%s的组织关系于 %s 转往%s，已 %d 天未办结（提醒天数 %d 天），请督促接收方办理",
                t->member_name ? t->member_name : "", d1, t->to_org_name ? t->to_org_name : "",
                (int)w->days, warn_days);
        } else {
            zg_transfer_letter_overdue(t->valid_until, today, &w->days);
            w->rule = zg_rule_get("transfer.letter_overdue");
            zg_date_format(t->valid_until, d2);
            w->message = zg_arena_sprintf(
                a, "介绍信%s（%s转往%s）已于 %s 过期 %d 天，仍未收到回执，应当查明原因",
                t->letter_no ? t->letter_no : "", t->member_name ? t->member_name : "",
                t->destination ? t->destination : "", d2, (int)w->days);
        }
        if (!w->rule) {
            rc = zg_error_set(err, ZG_ERR_INTERNAL, "internal", "服务器内部错误",
                              "transfer: warning rule missing from the catalog");
            break;
        }
        if (!w->message) {
            rc = tr_nomem(err, "warning");
            break;
        }
        (*n)++;
    }
    zg_rows_close(r);
    if (rc < 0)
        return rc;
    *items = v;
    return ZG_OK;
}

static char *like_pattern(zg_arena_t *a, const char *q)
{
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

int zg_transfer_receivers(zg_conn_t *c, zg_arena_t *a, const char *q,
                          zg_transfer_receiver_t **items, size_t *n, zg_error_t *err)
{
    *items = NULL;
    *n = 0;
    size_t chars = 0;
    if (!q || zg_utf8_strlen(q, strlen(q), &chars) || chars < 2 || chars > 50)
        return zg_error_set(err, ZG_ERR_INVALID, "invalid_query",
                            "请输入接收党组织名称中的至少2个字（最多50个字）",
                            "transfer receivers: query length");
    char *pat = like_pattern(a, q);
    zg_transfer_receiver_t *v = zg_arena_calloc(a, ZG_TRANSFER_RECEIVERS_MAX, sizeof *v);
    if (!pat || !v)
        return tr_nomem(err, "receivers");
    /* Deliberately not scoped: the receiving org of a transfer is usually outside the sender's
     * subtree (transfer.h). Only active branches, names and their parent's name. */
    zg_param_t p[] = {ZG_P_TEXT(pat), ZG_P_INT(ZG_TRANSFER_RECEIVERS_MAX)};
    zg_rows_t *r;
    int rc = zg_db_query(c,
                         "SELECT o.id, o.name, o.kind, par.name FROM org o "
                         "LEFT JOIN org par ON par.id = o.parent_id "
                         "WHERE o.status = 'active' AND o.kind IN ('branch', 'joint_branch') AND "
                         "(lower(o.name) LIKE lower($1) ESCAPE '\\' OR "
                         "lower(o.short_name) LIKE lower($1) ESCAPE '\\' OR "
                         "lower(o.code) LIKE lower($1) ESCAPE '\\') "
                         "ORDER BY o.name, o.id LIMIT $2",
                         p, 2, &r, err);
    if (rc)
        return rc;
    bool oom = false;
    while ((rc = zg_rows_next(r, err)) == 1 && *n < ZG_TRANSFER_RECEIVERS_MAX) {
        zg_transfer_receiver_t *o = &v[(*n)++];
        o->id = zg_rows_int(r, 0);
        o->name = tr_col_str(r, 1, a, &oom);
        o->kind = tr_col_str(r, 2, a, &oom);
        o->parent_name = tr_col_str(r, 3, a, &oom);
    }
    zg_rows_close(r);
    if (rc < 0)
        return rc;
    if (oom)
        return tr_nomem(err, "receivers");
    *items = v;
    return ZG_OK;
}

int zg_transfer_letter_load(zg_conn_t *c, zg_arena_t *a, int64_t scope, int64_t id, bool reveal_pii,
                            zg_transfer_letter_t *out, zg_error_t *err)
{
    memset(out, 0, sizeof *out);
    int rc = zg_transfer_get(c, a, scope, id, &out->t, err);
    if (rc)
        return rc;
    if (!out->t.outgoing || strcmp(out->t.kind, "external"))
        return tr_not_found(err, "letter", id);
    /* the member is in the sending org (or left the system from it), which is in scope */
    rc = zg_member_get(c, a, scope, out->t.membership_id, reveal_pii, &out->member, err);
    if (rc)
        return rc;
    int64_t org_then = 0;
    const char *status = NULL;
    rc = zg_member_state_as_of(c, out->t.membership_id, out->t.issued_on, &org_then, &status, err);
    if (rc && rc != ZG_ERR_NOT_FOUND)
        return rc;
    out->status_on_issue = rc == ZG_OK ? status : out->member.status;
    if (out->member.ethnicity) {
        const char *label = NULL;
        if (zg_dict_label(c, a, "ethnicity", out->member.ethnicity, &label, err) == ZG_OK)
            out->ethnicity_label = label;
    }
    return ZG_OK;
}

/* ---- writes -------------------------------------------------------------------------------- */

/* Copies the member module's findings into the transfer op (a refused event shows its rule). */
static void take_findings(zg_transfer_op_t *op, const zg_findings_t *f)
{
    for (int i = 0; i < f->n && op->findings.n < ZG_FINDINGS_MAX; i++)
        op->findings.items[op->findings.n++] = f->items[i];
}

/* Whether membership `id` has a pending transfer. */
static int has_pending(zg_conn_t *c, int64_t membership_id, bool *yes, zg_error_t *err)
{
    zg_param_t p[] = {ZG_P_INT(membership_id)};
    int64_t n = 0;
    int rc = zg_db_query_int(c,
                             "SELECT count(*) FROM transfer WHERE membership_id = $1 AND "
                             "status = 'pending'",
                             p, 1, &n, err);
    *yes = n > 0;
    return rc;
}

/* The next letter number of `year`, inside the issuing transaction. */
static int next_letter_no(zg_conn_t *c, zg_arena_t *a, int year, const char **out, zg_error_t *err)
{
    zg_param_t p[] = {ZG_P_INT(year)};
    int64_t seq = 0;
    int rc = zg_db_query_int(c,
                             "INSERT INTO transfer_letter_seq (year, last_no) VALUES ($1, 1) "
                             "ON CONFLICT (year) DO UPDATE SET last_no = "
                             "transfer_letter_seq.last_no + 1 RETURNING last_no",
                             p, 1, &seq, err);
    if (rc)
        return rc;
    char *buf = zg_arena_alloc(a, ZG_TRANSFER_LETTER_NO_MAX + 32);
    if (!buf)
        return tr_nomem(err, "letter number");
    if (zg_transfer_letter_no(g_settings.letter_prefix, year, seq, buf,
                              ZG_TRANSFER_LETTER_NO_MAX + 32))
        return zg_error_set(err, ZG_ERR_INTERNAL, "internal", "服务器内部错误",
                            "transfer: letter number too long");
    *out = buf;
    return ZG_OK;
}

/* Input checks that need no database. */
static int check_issue_input(zg_transfer_op_t *op, const zg_transfer_input_t *in, bool *external,
                             zg_error_t *err)
{
    int rc;
    if (!in->kind || (strcmp(in->kind, "internal") && strcmp(in->kind, "external")))
        return tr_bad_field(op, err, "kind",
                            "转接类型应为 internal（系统内）或 external（转出本系统）");
    *external = !strcmp(in->kind, "external");
    if (in->membership_id <= 0)
        return tr_bad_field(op, err, "member_id", "请选择党员");
    if ((rc = tr_check_text(op, err, "reason", "转接原因", in->reason, true, ZG_TRANSFER_REASON_MAX,
                            false)))
        return rc;
    if (in->issued_on != ZG_TRANSFER_NO_DATE && in->issued_on > op->today)
        return tr_bad_field(op, err, "issued_on", "开具日期不能晚于今天");
    if (*external) {
        if (in->to_org_id)
            return tr_bad_field(op, err, "to_org_id",
                                "转出本系统时请填写接收单位名称（destination），不选择系统内组织");
        if ((rc = tr_check_text(op, err, "destination", "接收党组织名称", in->destination, true,
                                ZG_TRANSFER_DESTINATION_MAX, false)))
            return rc;
    } else {
        if (in->to_org_id <= 0)
            return tr_bad_field(op, err, "to_org_id", "请选择接收党组织");
        if (in->destination)
            return tr_bad_field(op, err, "destination",
                                "系统内转接请选择接收党组织，不填写单位名称");
        if (in->valid_until != ZG_TRANSFER_NO_DATE)
            return tr_bad_field(op, err, "valid_until", "系统内转接不开具介绍信，无有效期");
        if (in->dues_paid_until && zg_transfer_parse_month(in->dues_paid_until, NULL, NULL))
            return tr_bad_field(op, err, "dues_paid_until",
                                "党费交到的年月应写成“年-月”（如 2026-03）");
    }
    return ZG_OK;
}

static int issue_tx(zg_conn_t *c, zg_transfer_op_t *op, const zg_transfer_input_t *in,
                    bool external, zg_date_t issued_on, int64_t *id, zg_error_t *err)
{
    tr_membership_t m;
    int rc = tr_membership_load(c, op->arena, in->membership_id, &m, err);
    if (rc)
        return rc;
    bool in_scope = false;
    if ((rc = tr_in_scope(c, op->scope, m.org_id, &in_scope, err)))
        return rc;
    if (!in_scope) {
        op->bad_field = "member_id";
        return tr_not_found(err, "member", in->membership_id);
    }
    if (!member_active(m.status)) {
        const char *label = zg_member_label(zg_member_statuses, m.status);
        zg_findings_add(&op->findings, "transfer.member_active", "member_id",
                        "%s目前为“%s”，不能办理组织关系转接", m.name ? m.name : "",
                        label ? label : m.status);
        return tr_rule_refusal(op, err);
    }
    if (m.joined_on != ZG_TRANSFER_NO_DATE && issued_on < m.joined_on)
        return tr_bad_field(op, err, "issued_on", "开具日期不能早于该党员的入党日期");
    bool pending = false;
    if ((rc = has_pending(c, m.id, &pending, err)))
        return rc;
    if (pending) {
        zg_findings_add(&op->findings, "transfer.one_pending", "member_id",
                        "%s已有一笔正在办理的组织关系转接，请待其办结或撤回后再办理",
                        m.name ? m.name : "");
        return tr_rule_refusal(op, err);
    }
    const char *letter_no = NULL;
    zg_date_t valid_until = ZG_TRANSFER_NO_DATE;
    if (external) {
        valid_until = in->valid_until;
        if (valid_until == ZG_TRANSFER_NO_DATE &&
            (rc = zg_transfer_letter_valid_max(issued_on, &valid_until)))
            return tr_bad_field(op, err, "issued_on", "开具日期超出范围");
        if (valid_until < issued_on)
            return tr_bad_field(op, err, "valid_until", "有效期不能早于开具日期");
        zg_transfer_check_letter(issued_on, valid_until, in->dues_paid_until, &op->findings);
        if (zg_findings_blocking(&op->findings))
            return tr_rule_refusal(op, err);
        int year;
        zg_date_to_ymd(issued_on, &year, NULL, NULL);
        if ((rc = next_letter_no(c, op->arena, year, &letter_no, err)))
            return rc;
    } else {
        zg_param_t po[] = {ZG_P_INT(in->to_org_id)};
        zg_rows_t *r;
        if ((rc = zg_db_query(c, "SELECT kind, status, name FROM org WHERE id = $1", po, 1, &r,
                              err)))
            return rc;
        rc = zg_rows_next(r, err);
        if (rc <= 0) {
            zg_rows_close(r);
            return rc < 0 ? rc : tr_bad_field(op, err, "to_org_id", "接收党组织不存在");
        }
        bool kind_ok = receiver_kind_ok(zg_rows_text(r, 0));
        bool active = !strcmp(zg_rows_text(r, 1), "active");
        char *name = zg_arena_strdup(op->arena, zg_rows_text(r, 2));
        zg_rows_close(r);
        if (!name)
            return tr_nomem(err, "org name");
        if (in->to_org_id == m.org_id)
            return tr_bad_field(op, err, "to_org_id", "接收党组织与该党员所在党组织相同");
        if (!active || !kind_ok) {
            zg_findings_add(&op->findings, "transfer.receiver_kind", "to_org_id",
                            "“%s”%s，不能接收组织关系；请转入正常运行的党支部或联合党支部", name,
                            !active ? "已撤销" : "不是党支部或联合党支部");
            return tr_rule_refusal(op, err);
        }
    }
    char d1[ZG_DATE_STR_SIZE], d2[ZG_DATE_STR_SIZE];
    zg_param_t p[] = {
        ZG_P_INT(m.id),
        ZG_P_TEXT(in->kind),
        ZG_P_INT(m.org_id),
        external ? ZG_P_NULL : ZG_P_INT(in->to_org_id),
        ZG_P_TEXT(external ? in->destination : NULL),
        ZG_P_TEXT(letter_no),
        tr_date_param(issued_on, d1),
        tr_date_param(valid_until, d2),
        ZG_P_TEXT(in->dues_paid_until && *in->dues_paid_until ? in->dues_paid_until : NULL),
        ZG_P_TEXT(in->reason),
        op->actor.account_id ? ZG_P_INT(op->actor.account_id) : ZG_P_NULL,
    };
    rc = zg_db_query_int(c,
                         "INSERT INTO transfer (membership_id, kind, from_org_id, to_org_id, "
                         "destination, letter_no, issued_on, valid_until, dues_paid_until, "
                         "reason, status, issued_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, "
                         "$10, 'pending', $11) RETURNING id",
                         p, 11, id, err);
    if (rc == ZG_ERR_CONFLICT) {
        /* a concurrent issue for the same member won the unique index transfer_one_pending */
        zg_findings_add(&op->findings, "transfer.one_pending", "member_id", NULL);
        return tr_rule_refusal(op, err);
    }
    if (rc)
        return rc;
    tr_detail_t d;
    tr_detail_init(&d, op->arena);
    tr_detail_str(&d, "kind", in->kind);
    tr_detail_int(&d, "membership_id", m.id);
    tr_detail_int(&d, "from_org_id", m.org_id);
    if (external) {
        tr_detail_str(&d, "destination", in->destination);
        tr_detail_str(&d, "letter_no", letter_no);
        tr_detail_date(&d, "valid_until", valid_until);
    } else {
        tr_detail_int(&d, "to_org_id", in->to_org_id);
    }
    tr_detail_date(&d, "issued_on", issued_on);
    tr_detail_str(&d, "reason", in->reason);
    return tr_audit(c, op, "transfer.issue", "transfer", *id, tr_detail_end(&d), err);
}

int zg_transfer_issue(zg_conn_t *c, zg_transfer_op_t *op, const zg_transfer_input_t *in,
                      int64_t *id, zg_error_t *err)
{
    bool external = false;
    int rc = check_issue_input(op, in, &external, err);
    if (rc)
        return rc;
    zg_date_t issued_on = in->issued_on == ZG_TRANSFER_NO_DATE ? op->today : in->issued_on;
    if ((rc = zg_db_begin(c, ZG_TX_WRITE, err)))
        return rc;
    rc = issue_tx(c, op, in, external, issued_on, id, err);
    if (rc == ZG_OK)
        rc = zg_db_commit(c, err);
    if (rc) {
        zg_db_rollback(c);
        return rc;
    }
    zg_findings_add(&op->findings, "transfer.sender_responsible", NULL, NULL);
    return ZG_OK;
}

/* Loads transfer `id` locked, checks that the side `receiving` (or sending) is in scope and
 * that it is pending. */
static int load_pending(zg_conn_t *c, zg_transfer_op_t *op, int64_t id, bool receiving,
                        zg_transfer_t *t, zg_error_t *err)
{
    int rc = tr_lock_transfer(c, id, err);
    if (rc)
        return rc;
    if ((rc = tr_transfer_load(c, op->arena, id, t, err)))
        return rc;
    bool in = false;
    if ((rc = tr_in_scope(c, op->scope, receiving ? t->to_org_id : t->from_org_id, &in, err)))
        return rc;
    if (!in)
        return tr_not_found(err, "transfer", id);
    if (strcmp(t->status, "pending")) {
        char msg[160];
        const char *label = zg_transfer_status_label(t->status);
        snprintf(msg, sizeof msg, "该组织关系转接已办结（%s），不能再办理",
                 label ? label : t->status);
        return zg_error_set(err, ZG_ERR_CONFLICT, "not_pending", msg, "transfer %lld is %s",
                            (long long)id, t->status);
    }
    return ZG_OK;
}

/* The decision date: NO_DATE = today; not before the issue, not after today. */
static int decision_date(zg_transfer_op_t *op, const zg_transfer_t *t, zg_date_t on,
                         const char *field, const char *label, zg_date_t *out, zg_error_t *err)
{
    if (on == ZG_TRANSFER_NO_DATE)
        on = op->today;
    char msg[128];
    if (on > op->today) {
        snprintf(msg, sizeof msg, "%s不能晚于今天", label);
        return tr_bad_field(op, err, field, msg);
    }
    if (on < t->issued_on) {
        snprintf(msg, sizeof msg, "%s不能早于开具日期", label);
        return tr_bad_field(op, err, field, msg);
    }
    *out = on;
    return ZG_OK;
}

/* Records the outcome of a pending transfer. */
static int close_transfer(zg_conn_t *c, const zg_transfer_op_t *op, int64_t id, const char *status,
                          zg_date_t on, const char *note, zg_error_t *err)
{
    char d[ZG_DATE_STR_SIZE];
    zg_param_t p[] = {ZG_P_INT(id), ZG_P_TEXT(status), tr_date_param(on, d),
                      ZG_P_TEXT(note && *note ? note : NULL),
                      op->actor.account_id ? ZG_P_INT(op->actor.account_id) : ZG_P_NULL};
    int64_t changes = 0;
    int rc = zg_db_exec(c,
                        "UPDATE transfer SET status = $2, decided_on = $3, decision_note = $4, "
                        "decided_by = $5 WHERE id = $1 AND status = 'pending'",
                        p, 5, &changes, err);
    if (rc == ZG_OK && changes != 1)
        rc = zg_error_set(err, ZG_ERR_CONFLICT, "not_pending", "该组织关系转接已办结",
                          "transfer %lld not pending at close", (long long)id);
    return rc;
}

/* The member must still be where the transfer found it. */
static int member_unchanged(zg_conn_t *c, zg_transfer_op_t *op, const zg_transfer_t *t,
                            zg_error_t *err)
{
    tr_membership_t m;
    int rc = tr_membership_load(c, op->arena, t->membership_id, &m, err);
    if (rc)
        return rc;
    if (m.org_id != t->from_org_id || !member_active(m.status))
        return zg_error_set(err, ZG_ERR_CONFLICT, "member_changed",
                            "该党员的组织关系或党籍状态在开具后已发生变化，请转出方撤回后重新办理",
                            "transfer %lld: member %lld now org %lld status %s", (long long)t->id,
                            (long long)m.id, (long long)m.org_id, m.status ? m.status : "?");
    return ZG_OK;
}

static int accept_tx(zg_conn_t *c, zg_transfer_op_t *op, int64_t id, zg_date_t on, const char *note,
                     zg_error_t *err)
{
    zg_transfer_t t;
    int rc = load_pending(c, op, id, true, &t, err);
    if (rc)
        return rc;
    if (strcmp(t.kind, "internal"))
        return tr_not_found(err, "transfer", id);
    if ((rc = decision_date(op, &t, on, "accepted_on", "接收日期", &on, err)) ||
        (rc = member_unchanged(c, op, &t, err)))
        return rc;
    char *ev_note = zg_arena_sprintf(op->arena, "组织关系转接（第 %lld 号转接单）：%s",
                                     (long long)id, t.reason ? t.reason : "");
    /* reason ≤ 200 characters + the prefix: within ZG_MEMBER_NOTE_MAX characters */
    if (!ev_note)
        return tr_nomem(err, "note");
    /* zg_member_apply_event rather than zg_member_move_org: the same move (event
     * "transfer_in", span closed on `on` in the old org and opened in to_org), but the member
     * module's findings (member.event_order, member.org_accepts) reach the caller */
    zg_member_op_t mop;
    zg_member_op_init(&mop, op->arena, op->scope, &op->actor);
    mop.today = op->today;
    zg_member_event_input_t ev = {
        .kind = "transfer_in", .on_date = on, .note = ev_note, .to_org_id = t.to_org_id};
    int64_t event_id = 0;
    rc = zg_member_apply_event(c, &mop, t.membership_id, &ev, &event_id, err);
    take_findings(op, &mop.findings);
    if (rc)
        return rc;
    if ((rc = close_transfer(c, op, id, "accepted", on, note, err)))
        return rc;
    tr_detail_t d;
    tr_detail_init(&d, op->arena);
    tr_detail_int(&d, "membership_id", t.membership_id);
    tr_detail_int(&d, "from_org_id", t.from_org_id);
    tr_detail_int(&d, "to_org_id", t.to_org_id);
    tr_detail_date(&d, "accepted_on", on);
    tr_detail_int(&d, "event_id", event_id);
    if (note && *note)
        tr_detail_str(&d, "note", note);
    return tr_audit(c, op, "transfer.accept", "transfer", id, tr_detail_end(&d), err);
}

/* Runs `body` in a write transaction. */
#define IN_TX(c, err, call)                                                                        \
    do {                                                                                           \
        int rc_ = zg_db_begin((c), ZG_TX_WRITE, (err));                                            \
        if (rc_)                                                                                   \
            return rc_;                                                                            \
        rc_ = (call);                                                                              \
        if (rc_ == ZG_OK)                                                                          \
            rc_ = zg_db_commit((c), (err));                                                        \
        if (rc_) {                                                                                 \
            zg_db_rollback(c);                                                                     \
            return rc_;                                                                            \
        }                                                                                          \
    } while (0)

int zg_transfer_accept(zg_conn_t *c, zg_transfer_op_t *op, int64_t id, zg_date_t on,
                       const char *note, zg_error_t *err)
{
    int rc = tr_check_text(op, err, "note", "接收说明", note, false, ZG_TRANSFER_NOTE_MAX, true);
    if (rc)
        return rc;
    IN_TX(c, err, accept_tx(c, op, id, on, note, err));
    tr_findings_keep_advisory(op);
    return ZG_OK;
}

static int return_tx(zg_conn_t *c, zg_transfer_op_t *op, int64_t id, zg_date_t on,
                     const char *reason, zg_error_t *err)
{
    zg_transfer_t t;
    int rc = load_pending(c, op, id, true, &t, err);
    if (rc)
        return rc;
    if (strcmp(t.kind, "internal"))
        return tr_not_found(err, "transfer", id);
    /* 不得无故拒转拒接: a return names its reason */
    if (tr_blank(reason)) {
        zg_findings_add(&op->findings, "transfer.no_silent_refusal", "reason",
                        "退回组织关系转接必须写明理由");
        return tr_rule_refusal(op, err);
    }
    if ((rc = decision_date(op, &t, on, "returned_on", "退回日期", &on, err)) ||
        (rc = close_transfer(c, op, id, "returned", on, reason, err)))
        return rc;
    tr_detail_t d;
    tr_detail_init(&d, op->arena);
    tr_detail_int(&d, "membership_id", t.membership_id);
    tr_detail_int(&d, "from_org_id", t.from_org_id);
    tr_detail_int(&d, "to_org_id", t.to_org_id);
    tr_detail_date(&d, "returned_on", on);
    tr_detail_str(&d, "reason", reason);
    return tr_audit(c, op, "transfer.return", "transfer", id, tr_detail_end(&d), err);
}

int zg_transfer_return(zg_conn_t *c, zg_transfer_op_t *op, int64_t id, zg_date_t on,
                       const char *reason, zg_error_t *err)
{
    int rc =
        tr_check_text(op, err, "reason", "退回理由", reason, false, ZG_TRANSFER_REASON_MAX, true);
    if (rc)
        return rc;
    IN_TX(c, err, return_tx(c, op, id, on, reason, err));
    return ZG_OK;
}

static int cancel_tx(zg_conn_t *c, zg_transfer_op_t *op, int64_t id, const char *note,
                     zg_error_t *err)
{
    zg_transfer_t t;
    int rc = load_pending(c, op, id, false, &t, err);
    if (rc)
        return rc;
    zg_date_t on = op->today < t.issued_on ? t.issued_on : op->today;
    if ((rc = close_transfer(c, op, id, "cancelled", on, note, err)))
        return rc;
    tr_detail_t d;
    tr_detail_init(&d, op->arena);
    tr_detail_str(&d, "kind", t.kind);
    tr_detail_int(&d, "membership_id", t.membership_id);
    if (t.letter_no)
        tr_detail_str(&d, "letter_no", t.letter_no);
    tr_detail_date(&d, "cancelled_on", on);
    if (note && *note)
        tr_detail_str(&d, "note", note);
    return tr_audit(c, op, "transfer.cancel", "transfer", id, tr_detail_end(&d), err);
}

int zg_transfer_cancel(zg_conn_t *c, zg_transfer_op_t *op, int64_t id, const char *note,
                       zg_error_t *err)
{
    int rc = tr_check_text(op, err, "note", "撤回说明", note, false, ZG_TRANSFER_NOTE_MAX, true);
    if (rc)
        return rc;
    IN_TX(c, err, cancel_tx(c, op, id, note, err));
    return ZG_OK;
}

static int receipt_tx(zg_conn_t *c, zg_transfer_op_t *op, int64_t id, zg_date_t received_on,
                      const char *note, zg_error_t *err)
{
    zg_transfer_t t;
    int rc = load_pending(c, op, id, false, &t, err);
    if (rc)
        return rc;
    if (strcmp(t.kind, "external"))
        return zg_error_set(err, ZG_ERR_CONFLICT, "not_external",
                            "系统内转接由接收方办理接收，没有回执", "transfer %lld is internal",
                            (long long)id);
    if (received_on == ZG_TRANSFER_NO_DATE)
        return tr_bad_field(op, err, "received_on", "请填写收到回执的日期");
    if ((rc = decision_date(op, &t, received_on, "received_on", "回执日期", &received_on, err)) ||
        (rc = member_unchanged(c, op, &t, err)))
        return rc;
    int32_t late = 0;
    if (t.valid_until != ZG_TRANSFER_NO_DATE &&
        zg_transfer_letter_overdue(t.valid_until, received_on, &late)) {
        char d[ZG_DATE_STR_SIZE];
        zg_date_format(t.valid_until, d);
        zg_findings_add(&op->findings, "transfer.letter_overdue", "received_on",
                        "回执晚于介绍信有效期（%s）%d 天，请核实逾期原因", d, (int)late);
    }
    zg_member_op_t mop;
    zg_member_op_init(&mop, op->arena, op->scope, &op->actor);
    mop.today = op->today;
    char *ev_note = zg_arena_sprintf(op->arena, "持介绍信%s转往%s", t.letter_no ? t.letter_no : "",
                                     t.destination ? t.destination : "");
    /* letter number + destination ≤ 100 characters: within ZG_MEMBER_NOTE_MAX characters */
    if (!ev_note)
        return tr_nomem(err, "note");
    zg_member_event_input_t ev = {.kind = "transfer_out", .on_date = received_on, .note = ev_note};
    int64_t event_id = 0;
    rc = zg_member_apply_event(c, &mop, t.membership_id, &ev, &event_id, err);
    take_findings(op, &mop.findings);
    if (rc)
        return rc;
    if ((rc = close_transfer(c, op, id, "received", received_on, note, err)))
        return rc;
    tr_detail_t d;
    tr_detail_init(&d, op->arena);
    tr_detail_int(&d, "membership_id", t.membership_id);
    tr_detail_str(&d, "letter_no", t.letter_no);
    tr_detail_date(&d, "received_on", received_on);
    tr_detail_int(&d, "event_id", event_id);
    if (note && *note)
        tr_detail_str(&d, "note", note);
    return tr_audit(c, op, "transfer.receipt", "transfer", id, tr_detail_end(&d), err);
}

int zg_transfer_receipt(zg_conn_t *c, zg_transfer_op_t *op, int64_t id, zg_date_t received_on,
                        const char *note, zg_error_t *err)
{
    int rc = tr_check_text(op, err, "note", "回执说明", note, false, ZG_TRANSFER_NOTE_MAX, true);
    if (rc)
        return rc;
    IN_TX(c, err, receipt_tx(c, op, id, received_on, note, err));
    tr_findings_keep_advisory(op);
    return ZG_OK;
}
