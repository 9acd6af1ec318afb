/* transfer_api.c — HTTP handlers of the transfer module (docs/api-transfers.md): parse, call
 * transfer.c / transfer_case.c / transfer_letter.c, render.
 *
 * Access: reads need member:read, writes member:write. A transfer is visible to the sending
 * and the receiving side, so the routes declare scope by what each action needs:
 *   accept, return           the receiving org (route .scope on transfer.to_org_id);
 *   cancel, receipt, letter  the sending org (route .scope on transfer.from_org_id);
 *   GET /transfers/{id}      either: checked here (from_org in scope, else zg_scope_require
 *                            on to_org, which answers 404 and records the refusal);
 *   member cases             the member's current org (route .scope).
 * The logic checks the same again, so a handler cannot forget it. Out of scope is 404 with no
 * data. Lists are read through zg_scope_query ({{SCOPE}}). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/utf8.h"
#include "db/db.h"
#include "http/auth.h"
#include "http/failure.h"
#include "http/json.h"
#include "http/params.h"
#include "http/request.h"
#include "http/router.h"
#include "modules/audit/audit.h"
#include "modules/transfer/transfer_internal.h"

#define PAGE_SIZE_DEFAULT 20
/* dates a user may enter: from the founding of the Party to the end of this century */
#define DATE_MIN (-17716) /* 1921-07-01 */
#define DATE_MAX 47481    /* 2099-12-31 */

static const zg_scope_spec_t scope_to = {
    "id", "SELECT COALESCE(to_org_id, 0) FROM transfer WHERE id = $1"};
static const zg_scope_spec_t scope_from = {"id", "SELECT from_org_id FROM transfer WHERE id = $1"};
static const zg_scope_spec_t scope_case = {
    "id", "SELECT m.org_id FROM member_case mc JOIN membership m ON m.id = mc.membership_id "
          "WHERE mc.id = $1"};

/* ---- helpers ------------------------------------------------------------------------------ */

static zg_transfer_op_t op_for(zg_req_t *r)
{
    zg_member_actor_t actor = {
        .account_id = r->who->account_id, .username = r->who->username, .ip = r->client_ip};
    zg_transfer_op_t op;
    zg_transfer_op_init(&op, &r->arena, zg_req_home(r), &actor);
    return op;
}

static json_t *jstr(const char *s)
{
    return s ? json_string(s) : json_null();
}

static json_t *jdate(zg_date_t d)
{
    char buf[ZG_DATE_STR_SIZE];
    if (d == ZG_TRANSFER_NO_DATE || zg_date_format(d, buf))
        return json_null();
    return json_string(buf);
}

static json_t *jorg(int64_t id, const char *name)
{
    if (!id)
        return json_null();
    return json_pack("{s:I, s:o}", "id", (json_int_t)id, "name", jstr(name));
}

/* One finding-like object for a rule: {"rule","severity","message","citation","confidence"}. */
static json_t *rule_json(const zg_rule_t *rule, const char *message)
{
    return json_pack("{s:s, s:s, s:s, s:s, s:s}", "rule", rule->id, "severity",
                     zg_severity_name(rule->severity), "message", message ? message : rule->text,
                     "citation", rule->citation, "confidence", rule->confidence);
}

static json_t *transfer_json(const zg_transfer_t *t, zg_date_t today)
{
    json_t *j = json_object();
    json_object_set_new(j, "id", json_integer(t->id));
    json_object_set_new(j, "kind", jstr(t->kind));
    json_object_set_new(j, "kind_label", jstr(zg_transfer_kind_label(t->kind)));
    json_object_set_new(j, "status", jstr(t->status));
    json_object_set_new(j, "status_label", jstr(zg_transfer_status_label(t->status)));
    json_t *m = json_object();
    json_object_set_new(m, "id", json_integer(t->membership_id));
    json_object_set_new(m, "name", jstr(t->member_name));
    json_object_set_new(m, "gender", jstr(t->member_gender));
    json_object_set_new(m, "id_number_masked", jstr(t->member_id_number_masked));
    json_object_set_new(m, "status", jstr(t->member_status));
    json_object_set_new(m, "status_label",
                        jstr(zg_member_label(zg_member_statuses, t->member_status)));
    json_object_set_new(j, "member", m);
    json_object_set_new(j, "from_org", jorg(t->from_org_id, t->from_org_name));
    json_object_set_new(j, "to_org", jorg(t->to_org_id, t->to_org_name));
    json_object_set_new(j, "destination", jstr(t->destination));
    json_object_set_new(j, "letter_no", jstr(t->letter_no));
    json_object_set_new(j, "issued_on", jdate(t->issued_on));
    json_object_set_new(j, "valid_until", jdate(t->valid_until));
    json_object_set_new(j, "dues_paid_until", jstr(t->dues_paid_until));
    json_object_set_new(j, "reason", jstr(t->reason));
    json_object_set_new(j, "decided_on", jdate(t->decided_on));
    json_object_set_new(j, "decision_note", jstr(t->decision_note));
    const char *dir = t->outgoing && t->incoming ? "both"
                      : t->outgoing              ? "outgoing"
                      : t->incoming              ? "incoming"
                                                 : NULL;
    json_object_set_new(j, "direction", jstr(dir));
    bool pending = t->status && !strcmp(t->status, "pending");
    int32_t days = 0;
    if (pending)
        zg_transfer_pending_due(t->issued_on, today, 1, &days);
    json_object_set_new(j, "days_pending", pending ? json_integer(days) : json_null());
    bool overdue = pending && t->valid_until != ZG_TRANSFER_NO_DATE &&
                   zg_transfer_letter_overdue(t->valid_until, today, NULL);
    json_object_set_new(j, "overdue", json_boolean(overdue));
    json_object_set_new(j, "created_at", jstr(t->created_at));
    json_object_set_new(j, "updated_at", jstr(t->updated_at));
    return j;
}

/* The findings that describe a transfer's state today (pending too long, letter overdue, the
 * sending org's responsibility while pending), plus `extra` (those of a write). */
static json_t *state_findings(zg_req_t *r, const zg_transfer_t *t, zg_date_t today,
                              const zg_findings_t *extra)
{
    zg_findings_t f;
    zg_findings_init(&f, &r->arena);
    if (extra)
        for (int i = 0; i < extra->n && f.n < ZG_FINDINGS_MAX; i++)
            f.items[f.n++] = extra->items[i];
    if (t->status && !strcmp(t->status, "pending")) {
        int warn = zg_transfer_settings()->pending_warn_days;
        int32_t days = 0;
        if (!strcmp(t->kind, "internal") &&
            zg_transfer_pending_due(t->issued_on, today, warn, &days))
            zg_findings_add(&f, "transfer.pending_too_long", NULL,
                            "已 %d 天未接收（提醒天数 %d 天），请督促接收方办理", (int)days, warn);
        if (!strcmp(t->kind, "external") && t->valid_until != ZG_TRANSFER_NO_DATE &&
            zg_transfer_letter_overdue(t->valid_until, today, &days))
            zg_findings_add(&f, "transfer.letter_overdue", "valid_until",
                            "介绍信已过期 %d 天仍未收到回执，应当查明原因", (int)days);
        if (!zg_findings_has(&f, "transfer.sender_responsible"))
            zg_findings_add(&f, "transfer.sender_responsible", NULL, NULL);
    }
    return zg_findings_json(&f);
}

/* A failed write: http/failure.h (422 with the findings, or the bad field, or the status). */
static int reply_op_error(zg_req_t *r, const zg_transfer_op_t *op, const zg_error_t *err)
{
    return zg_reply_write_failure(r, &op->findings, op->bad_field, err, NULL);
}

/* The transfer `id` with its state findings (and those of a write just made). */
static int reply_transfer(zg_req_t *r, int status, int64_t id, const zg_findings_t *extra)
{
    zg_conn_t *c = zg_req_db(r);
    if (!c)
        return ZG_OK;
    zg_error_t err;
    zg_transfer_t t;
    if (zg_transfer_get(c, &r->arena, zg_req_home(r), id, &t, &err))
        return zg_reply_err(r, &err);
    zg_date_t today = zg_date_today();
    json_t *j = transfer_json(&t, today);
    json_object_set_new(j, "findings", state_findings(r, &t, today, extra));
    return zg_reply_json(r, status, j);
}

/* ---- transfers ----------------------------------------------------------------------------- */

/* POST /api/v1/transfers */
static int issue(zg_req_t *r)
{
    zg_transfer_input_t in = {.issued_on = ZG_TRANSFER_NO_DATE, .valid_until = ZG_TRANSFER_NO_DATE};
    int32_t issued_on = ZG_TRANSFER_NO_DATE, valid_until = ZG_TRANSFER_NO_DATE;
    const zg_field_t fields[] = {
        {"kind", "转接类型", ZG_F_STRING, true, 1, 16, &in.kind, NULL},
        {"member_id", "党员", ZG_F_INT, true, 1, INT64_MAX, &in.membership_id, NULL},
        {"to_org_id", "接收党组织", ZG_F_INT, false, 1, INT64_MAX, &in.to_org_id, NULL},
        {"destination", "接收党组织名称", ZG_F_STRING, false, 0, ZG_TRANSFER_DESTINATION_MAX,
         &in.destination, NULL},
        {"reason", "转接原因", ZG_F_STRING, true, 0, ZG_TRANSFER_REASON_MAX, &in.reason, NULL},
        {"issued_on", "开具日期", ZG_F_DATE, false, DATE_MIN, DATE_MAX, &issued_on, NULL},
        {"valid_until", "有效期至", ZG_F_DATE, false, DATE_MIN, DATE_MAX, &valid_until, NULL},
        {"dues_paid_until", "党费交至", ZG_F_STRING, false, 0, 7, &in.dues_paid_until, NULL},
    };
    if (zg_json_read(r, fields, (int)(sizeof fields / sizeof fields[0])))
        return ZG_OK;
    in.issued_on = issued_on;
    in.valid_until = valid_until;
    zg_conn_t *c = zg_req_db(r);
    if (!c)
        return ZG_OK;
    zg_transfer_op_t op = op_for(r);
    zg_error_t err;
    int64_t id = 0;
    if (zg_transfer_issue(c, &op, &in, &id, &err))
        return reply_op_error(r, &op, &err);
    return reply_transfer(r, 201, id, &op.findings);
}

static const char *const DIRECTIONS[] = {"outgoing", "incoming", "all", NULL};
static const char *const STATUSES[] = {"pending",  "accepted",  "returned",
                                       "received", "cancelled", NULL};
static const char *const KINDS[] = {"internal", "external", NULL};

/* GET /api/v1/transfers?direction=&status=&kind=&member_id=&page=&page_size= */
static int list(zg_req_t *r)
{
    zg_transfer_query_t q = {0};
    int64_t page, size, member;
    if (zg_query_choice(r, "direction", DIRECTIONS, "应为 outgoing（转出）、incoming（转入）或 all",
                        &q.direction) ||
        zg_query_choice(r, "status", STATUSES,
                        "应为 pending、accepted、returned、received 或 cancelled", &q.status) ||
        zg_query_choice(r, "kind", KINDS, "应为 internal 或 external", &q.kind) ||
        zg_query_int(r, "member_id", 1, INT64_MAX, 0, &member) ||
        zg_query_page(r, ZG_TRANSFER_PAGE_MAX, PAGE_SIZE_DEFAULT, &page, &size))
        return ZG_OK;
    q.membership_id = member;
    q.offset = (page - 1) * size;
    q.limit = (int)size;
    zg_conn_t *c = zg_req_db(r);
    if (!c)
        return ZG_OK;
    zg_error_t err;
    zg_transfer_list_t l;
    if (zg_transfer_list(c, &r->arena, zg_req_home(r), &q, &l, &err))
        return zg_reply_err(r, &err);
    zg_date_t today = zg_date_today();
    json_t *items = json_array();
    for (size_t i = 0; i < l.n; i++)
        json_array_append_new(items, transfer_json(&l.items[i], today));
    return zg_reply_json(r, 200,
                         json_pack("{s:o, s:I, s:I, s:I}", "items", items, "total",
                                   (json_int_t)l.total, "page", (json_int_t)page, "page_size",
                                   (json_int_t)size));
}

/* GET /api/v1/transfers/{id}: the sending or the receiving side. */
static int get_one(zg_req_t *r)
{
    int64_t id = zg_path_id(r, "id");
    zg_conn_t *c = zg_req_db(r);
    if (!c)
        return ZG_OK;
    zg_param_t p[] = {ZG_P_INT(id)};
    zg_rows_t *rows;
    zg_error_t err;
    if (zg_db_query(c, "SELECT from_org_id, COALESCE(to_org_id, 0) FROM transfer WHERE id = $1", p,
                    1, &rows, &err))
        return zg_reply_err(r, &err);
    int rc = zg_rows_next(rows, &err);
    int64_t from = rc == 1 ? zg_rows_int(rows, 0) : 0, to = rc == 1 ? zg_rows_int(rows, 1) : 0;
    zg_rows_close(rows);
    if (rc < 0)
        return zg_reply_err(r, &err);
    bool in = false;
    if (from && zg_scope_contains(c, zg_req_home(r), from, &in, &err))
        return zg_reply_err(r, &err);
    /* not the sender: the receiver, or 404 (recorded as a refusal) */
    if (!in && zg_scope_require(r, to))
        return ZG_OK;
    return reply_transfer(r, 200, id, NULL);
}

/* GET /api/v1/transfers/warnings */
static int warnings(zg_req_t *r)
{
    zg_conn_t *c = zg_req_db(r);
    if (!c)
        return ZG_OK;
    zg_date_t today = zg_date_today();
    int warn = zg_transfer_settings()->pending_warn_days;
    zg_error_t err;
    zg_transfer_warning_t *v;
    size_t n;
    bool truncated;
    if (zg_transfer_warnings(c, &r->arena, zg_req_home(r), today, warn, &v, &n, &truncated, &err))
        return zg_reply_err(r, &err);
    json_t *items = json_array();
    for (size_t i = 0; i < n; i++) {
        json_t *j = rule_json(v[i].rule, v[i].message);
        json_object_set_new(j, "days", json_integer(v[i].days));
        json_object_set_new(j, "transfer", transfer_json(&v[i].transfer, today));
        json_array_append_new(items, j);
    }
    return zg_reply_json(r, 200,
                         json_pack("{s:o, s:i, s:o, s:I, s:b}", "date", jdate(today),
                                   "pending_warn_days", warn, "items", items, "total",
                                   (json_int_t)n, "truncated", truncated));
}

/* GET /api/v1/transfers/receivers?q= */
static int receivers(zg_req_t *r)
{
    const char *q = zg_req_query(r, "q");
    zg_conn_t *c = zg_req_db(r);
    if (!c)
        return ZG_OK;
    zg_error_t err;
    zg_transfer_receiver_t *v;
    size_t n;
    if (zg_transfer_receivers(c, &r->arena, q, &v, &n, &err)) {
        if (err.status == ZG_ERR_INVALID)
            return zg_reply_bad_param(r, "q", err.message);
        return zg_reply_err(r, &err);
    }
    json_t *items = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(items, json_pack("{s:I, s:o, s:o, s:o}", "id", (json_int_t)v[i].id,
                                               "name", jstr(v[i].name), "kind", jstr(v[i].kind),
                                               "parent_name", jstr(v[i].parent_name)));
    return zg_reply_json(r, 200, json_pack("{s:o, s:I}", "items", items, "total", (json_int_t)n));
}

/* POST /api/v1/transfers/{id}/accept {"accepted_on","note"} (body optional) */
static int accept(zg_req_t *r)
{
    int32_t on = ZG_TRANSFER_NO_DATE;
    const char *note = NULL;
    const zg_field_t fields[] = {
        {"accepted_on", "接收日期", ZG_F_DATE, false, DATE_MIN, DATE_MAX, &on, NULL},
        {"note", "接收说明", ZG_F_STRING, false, 0, ZG_TRANSFER_NOTE_MAX, &note, NULL},
    };
    if (!zg_body_empty(r) && zg_json_read(r, fields, 2))
        return ZG_OK;
    zg_conn_t *c = zg_req_db(r);
    if (!c)
        return ZG_OK;
    zg_transfer_op_t op = op_for(r);
    zg_error_t err;
    int64_t id = zg_path_id(r, "id");
    if (zg_transfer_accept(c, &op, id, on, note, &err))
        return reply_op_error(r, &op, &err);
    return reply_transfer(r, 200, id, &op.findings);
}

/* POST /api/v1/transfers/{id}/return {"reason","returned_on"} */
static int return_(zg_req_t *r)
{
    int32_t on = ZG_TRANSFER_NO_DATE;
    const char *reason = NULL;
    const zg_field_t fields[] = {
        {"reason", "退回理由", ZG_F_STRING, false, 0, ZG_TRANSFER_REASON_MAX, &reason, NULL},
        {"returned_on", "退回日期", ZG_F_DATE, false, DATE_MIN, DATE_MAX, &on, NULL},
    };
    /* no body, or no reason: the logic refuses with transfer.no_silent_refusal (422) */
    if (!zg_body_empty(r) && zg_json_read(r, fields, 2))
        return ZG_OK;
    zg_conn_t *c = zg_req_db(r);
    if (!c)
        return ZG_OK;
    zg_transfer_op_t op = op_for(r);
    zg_error_t err;
    int64_t id = zg_path_id(r, "id");
    if (zg_transfer_return(c, &op, id, on, reason, &err))
        return reply_op_error(r, &op, &err);
    return reply_transfer(r, 200, id, &op.findings);
}

/* POST /api/v1/transfers/{id}/cancel {"note"} (body optional) */
static int cancel(zg_req_t *r)
{
    const char *note = NULL;
    const zg_field_t fields[] = {
        {"note", "撤回说明", ZG_F_STRING, false, 0, ZG_TRANSFER_NOTE_MAX, &note, NULL},
    };
    if (!zg_body_empty(r) && zg_json_read(r, fields, 1))
        return ZG_OK;
    zg_conn_t *c = zg_req_db(r);
    if (!c)
        return ZG_OK;
    zg_transfer_op_t op = op_for(r);
    zg_error_t err;
    int64_t id = zg_path_id(r, "id");
    if (zg_transfer_cancel(c, &op, id, note, &err))
        return reply_op_error(r, &op, &err);
    return reply_transfer(r, 200, id, &op.findings);
}

/* POST /api/v1/transfers/{id}/receipt {"received_on","note"} */
static int receipt(zg_req_t *r)
{
    int32_t on = ZG_TRANSFER_NO_DATE;
    const char *note = NULL;
    const zg_field_t fields[] = {
        {"received_on", "回执日期", ZG_F_DATE, true, DATE_MIN, DATE_MAX, &on, NULL},
        {"note", "回执说明", ZG_F_STRING, false, 0, ZG_TRANSFER_NOTE_MAX, &note, NULL},
    };
    if (zg_json_read(r, fields, 2))
        return ZG_OK;
    zg_conn_t *c = zg_req_db(r);
    if (!c)
        return ZG_OK;
    zg_transfer_op_t op = op_for(r);
    zg_error_t err;
    int64_t id = zg_path_id(r, "id");
    if (zg_transfer_receipt(c, &op, id, on, note, &err))
        return reply_op_error(r, &op, &err);
    return reply_transfer(r, 200, id, &op.findings);
}

/* GET /api/v1/transfers/{id}/letter → text/html (the print view) */
static int letter(zg_req_t *r)
{
    zg_conn_t *c = zg_req_db(r);
    if (!c)
        return ZG_OK;
    int64_t id = zg_path_id(r, "id");
    bool pii = zg_principal_can(r->who, "member:read_pii");
    zg_error_t err;
    zg_transfer_letter_t l;
    if (zg_transfer_letter_load(c, &r->arena, zg_req_home(r), id, pii, &l, &err))
        return zg_reply_err(r, &err);
    const char *html;
    size_t len;
    if (zg_transfer_letter_html(&r->arena, &l, &html, &len, &err))
        return zg_reply_err(r, &err);
    /* a full personal record is shown: audited (SPEC §1.5) */
    zg_audit_event_t e = {.action = "transfer.letter_view",
                          .object_type = "transfer",
                          .object_id = id,
                          .outcome = "ok"};
    zg_audit_from_req(r, &e);
    tr_detail_t d;
    tr_detail_init(&d, &r->arena);
    tr_detail_int(&d, "membership_id", l.t.membership_id);
    tr_detail_str(&d, "letter_no", l.t.letter_no);
    tr_detail_str(&d, "pii", pii ? "full" : "masked");
    e.detail = tr_detail_end(&d);
    if (zg_audit_log(c, &e, &err))
        return zg_reply_err(r, &err);
    zg_reply_bytes(r, 200, "text/html; charset=utf-8", html, len);
    zg_reply_header(r, "Cache-Control", "no-store");
    zg_reply_header(r, "Content-Security-Policy",
                    "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'self'; "
                    "base-uri 'none'; form-action 'none'");
    zg_reply_header(r, "Referrer-Policy", "no-referrer");
    return ZG_OK;
}

/* ---- member cases -------------------------------------------------------------------------- */

static json_t *case_json(const zg_transfer_case_t *k)
{
    json_t *j = json_object();
    json_object_set_new(j, "id", json_integer(k->id));
    json_object_set_new(j, "kind", jstr(k->kind));
    json_object_set_new(j, "kind_label", jstr(zg_transfer_case_kind_label(k->kind)));
    json_object_set_new(j, "status", jstr(k->status));
    json_object_set_new(j, "status_label", jstr(zg_transfer_case_status_label(k->status)));
    json_object_set_new(j, "member",
                        json_pack("{s:I, s:o, s:o, s:o}", "id", (json_int_t)k->membership_id,
                                  "name", jstr(k->member_name), "status", jstr(k->member_status),
                                  "status_label",
                                  jstr(zg_member_label(zg_member_statuses, k->member_status))));
    json_object_set_new(j, "org", jorg(k->org_id, k->org_name));
    json_object_set_new(j, "opened_on", jdate(k->opened_on));
    json_object_set_new(j, "due_on", jdate(k->due_on));
    json_object_set_new(j, "basis_on", jdate(k->basis_on));
    json_object_set_new(j, "due_reason", jstr(k->due_reason));
    json_object_set_new(j, "decision", jstr(k->decision));
    json_object_set_new(j, "decision_label", jstr(zg_transfer_case_decision_label(k->decision)));
    json_object_set_new(j, "decided_on", jdate(k->decided_on));
    json_object_set_new(j, "decision_note", jstr(k->decision_note));
    json_object_set_new(j, "created_at", jstr(k->created_at));
    return j;
}

static const char *const CASE_STATUSES[] = {"open", "decided", "dismissed", NULL};
static const char *const CASE_KINDS[] = {"suspension", "removal", NULL};

/* GET /api/v1/member-cases?status=&kind=&member_id=&page=&page_size= */
static int cases_list(zg_req_t *r)
{
    zg_transfer_case_query_t q = {0};
    int64_t page, size, member;
    if (zg_query_choice(r, "status", CASE_STATUSES, "应为 open、decided 或 dismissed", &q.status) ||
        zg_query_choice(r, "kind", CASE_KINDS, "应为 suspension 或 removal", &q.kind) ||
        zg_query_int(r, "member_id", 1, INT64_MAX, 0, &member) ||
        zg_query_page(r, ZG_TRANSFER_PAGE_MAX, PAGE_SIZE_DEFAULT, &page, &size))
        return ZG_OK;
    q.membership_id = member;
    q.offset = (page - 1) * size;
    q.limit = (int)size;
    zg_conn_t *c = zg_req_db(r);
    if (!c)
        return ZG_OK;
    zg_error_t err;
    zg_transfer_case_list_t l;
    if (zg_transfer_cases_list(c, &r->arena, zg_req_home(r), &q, &l, &err))
        return zg_reply_err(r, &err);
    json_t *items = json_array();
    for (size_t i = 0; i < l.n; i++)
        json_array_append_new(items, case_json(&l.items[i]));
    return zg_reply_json(r, 200,
                         json_pack("{s:o, s:I, s:I, s:I}", "items", items, "total",
                                   (json_int_t)l.total, "page", (json_int_t)page, "page_size",
                                   (json_int_t)size));
}

/* GET /api/v1/member-cases/due?date= : what a scan on that day would open */
static int cases_due(zg_req_t *r)
{
    zg_date_t date;
    if (zg_query_date(r, "date", DATE_MIN, DATE_MAX, zg_date_today(), &date))
        return ZG_OK;
    zg_conn_t *c = zg_req_db(r);
    if (!c)
        return ZG_OK;
    zg_error_t err;
    zg_transfer_case_due_t *v;
    size_t n;
    bool truncated;
    if (zg_transfer_cases_due(c, &r->arena, zg_req_home(r), date, &v, &n, &truncated, &err))
        return zg_reply_err(r, &err);
    json_t *items = json_array();
    for (size_t i = 0; i < n; i++) {
        json_t *j = json_object();
        json_object_set_new(j, "member",
                            json_pack("{s:I, s:o}", "id", (json_int_t)v[i].membership_id, "name",
                                      jstr(v[i].member_name)));
        json_object_set_new(j, "org", jorg(v[i].org_id, v[i].org_name));
        json_object_set_new(j, "kind", jstr(v[i].kind));
        json_object_set_new(j, "kind_label", jstr(zg_transfer_case_kind_label(v[i].kind)));
        json_object_set_new(j, "basis_on", jdate(v[i].basis_on));
        json_object_set_new(j, "due_on", jdate(v[i].due_on));
        json_object_set_new(j, "finding", rule_json(v[i].rule, v[i].message));
        json_array_append_new(items, j);
    }
    return zg_reply_json(r, 200,
                         json_pack("{s:o, s:o, s:I, s:b}", "date", jdate(date), "items", items,
                                   "total", (json_int_t)n, "truncated", truncated));
}

/* POST /api/v1/member-cases/scan : opens the due cases of the caller's scope today */
static int cases_scan(zg_req_t *r)
{
    if (!zg_body_empty(r) && zg_json_read(r, NULL, 0))
        return ZG_OK;
    zg_conn_t *c = zg_req_db(r);
    if (!c)
        return ZG_OK;
    zg_transfer_op_t op = op_for(r);
    zg_error_t err;
    int opened = 0;
    if (zg_transfer_cases_open(c, &op, &opened, &err))
        return zg_reply_err(r, &err);
    return zg_reply_json(r, 200,
                         json_pack("{s:o, s:i}", "date", jdate(op.today), "opened", opened));
}

static int reply_case(zg_req_t *r, int status, int64_t id, const zg_findings_t *findings)
{
    zg_conn_t *c = zg_req_db(r);
    if (!c)
        return ZG_OK;
    zg_error_t err;
    zg_transfer_case_t k;
    if (zg_transfer_case_get(c, &r->arena, zg_req_home(r), id, &k, &err))
        return zg_reply_err(r, &err);
    json_t *j = case_json(&k);
    zg_findings_t none;
    zg_findings_init(&none, &r->arena);
    json_object_set_new(j, "findings", zg_findings_json(findings ? findings : &none));
    return zg_reply_json(r, status, j);
}

/* GET /api/v1/member-cases/{id} */
static int case_get(zg_req_t *r)
{
    return reply_case(r, 200, zg_path_id(r, "id"), NULL);
}

/* POST /api/v1/member-cases/{id}/decide {"decision","note","decided_on"} */
static int case_decide(zg_req_t *r)
{
    const char *decision = NULL, *note = NULL;
    int32_t on = ZG_TRANSFER_NO_DATE;
    const zg_field_t fields[] = {
        {"decision", "决定", ZG_F_STRING, true, 1, 16, &decision, NULL},
        {"note", "说明", ZG_F_STRING, false, 0, ZG_TRANSFER_NOTE_MAX, &note, NULL},
        {"decided_on", "决定日期", ZG_F_DATE, false, DATE_MIN, DATE_MAX, &on, NULL},
    };
    if (zg_json_read(r, fields, 3))
        return ZG_OK;
    zg_conn_t *c = zg_req_db(r);
    if (!c)
        return ZG_OK;
    zg_transfer_op_t op = op_for(r);
    zg_error_t err;
    int64_t id = zg_path_id(r, "id");
    if (zg_transfer_case_decide(c, &op, id, decision, on, note, &err))
        return reply_op_error(r, &op, &err);
    return reply_case(r, 200, id, &op.findings);
}

/* ---- routes -------------------------------------------------------------------------------- */

int zg_transfer_routes(zg_router_t *rt)
{
    static const zg_route_t routes[] = {
        {.method = "POST",
         .pattern = "/api/v1/transfers",
         .handler = issue,
         .summary = "办理组织关系转接：系统内转接或开具介绍信转出本系统",
         .perm = "member:write"},
        {.method = "GET",
         .pattern = "/api/v1/transfers",
         .handler = list,
         .summary = "组织关系转接列表（转出、转入，按状态筛选）",
         .perm = "member:read"},
        {.method = "GET",
         .pattern = "/api/v1/transfers/warnings",
         .handler = warnings,
         .summary = "转接预警：长时间未接收的转接、逾期未收到回执的介绍信",
         .perm = "member:read"},
        {.method = "GET",
         .pattern = "/api/v1/transfers/receivers",
         .handler = receivers,
         .summary = "查找可接收组织关系的党支部（全系统，按名称）",
         .perm = "member:write"},
        {.method = "GET",
         .pattern = "/api/v1/transfers/{id}",
         .handler = get_one,
         .summary = "组织关系转接详情（转出方或接收方）",
         .perm = "member:read"},
        {.method = "POST",
         .pattern = "/api/v1/transfers/{id}/accept",
         .handler = accept,
         .summary = "接收方接收组织关系（党员于接收日期转入）",
         .perm = "member:write",
         .scope = &scope_to},
        {.method = "POST",
         .pattern = "/api/v1/transfers/{id}/return",
         .handler = return_,
         .summary = "接收方退回组织关系转接（须写明理由）",
         .perm = "member:write",
         .scope = &scope_to},
        {.method = "POST",
         .pattern = "/api/v1/transfers/{id}/cancel",
         .handler = cancel,
         .summary = "转出方撤回办理中的转接",
         .perm = "member:write",
         .scope = &scope_from},
        {.method = "POST",
         .pattern = "/api/v1/transfers/{id}/receipt",
         .handler = receipt,
         .summary = "登记介绍信回执（党员转出本系统）",
         .perm = "member:write",
         .scope = &scope_from},
        {.method = "GET",
         .pattern = "/api/v1/transfers/{id}/letter",
         .handler = letter,
         .summary = "打印党员组织关系介绍信（存根、介绍信、回执）",
         .perm = "member:read",
         .scope = &scope_from},
        {.method = "GET",
         .pattern = "/api/v1/member-cases",
         .handler = cases_list,
         .summary = "失联党员案件（停止党籍、除名）列表",
         .perm = "member:read"},
        {.method = "GET",
         .pattern = "/api/v1/member-cases/due",
         .handler = cases_due,
         .summary = "预览到期应立案的失联党员（失联满6个月、停止党籍满2年）",
         .perm = "member:read"},
        {.method = "POST",
         .pattern = "/api/v1/member-cases/scan",
         .handler = cases_scan,
         .summary = "检查本范围内到期的失联党员并立案（不自动处理）",
         .perm = "member:write"},
        {.method = "GET",
         .pattern = "/api/v1/member-cases/{id}",
         .handler = case_get,
         .summary = "失联党员案件详情",
         .perm = "member:read",
         .scope = &scope_case},
        {.method = "POST",
         .pattern = "/api/v1/member-cases/{id}/decide",
         .handler = case_decide,
         .summary = "决定失联党员案件：停止党籍、除名或暂不处理（须写明理由）",
         .perm = "member:write",
         .scope = &scope_case},
    };
    return ZG_ROUTES(rt, routes);
}
