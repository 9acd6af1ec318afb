/* transfer.h — transfers of members' organizational relationship (组织关系转接) and the
 * lost-contact cases (SPEC §3.4, §3.3; issue 4 §4; RULES.md §5.1–5.3). Tables: transfer and
 * member_case of src/db/migrations/0006_member.sql, and 0008_transfer_extra.sql.
 *
 * Two kinds of transfer:
 *   internal  the sending org (the member's org, in the caller's scope) issues a transfer to a
 *             receiving org anywhere in the system (an active branch or joint branch: rule
 *             transfer.receiver_kind). The member stays in the sending org, which remains
 *             responsible until the transfer is accepted (条例 art.25, rule
 *             transfer.sender_responsible). The receiving side (an account whose scope holds
 *             to_org) accepts it — the member moves on the acceptance date through the member
 *             module (span closed in the old org, opened in the new one, event "transfer_in"
 *             with from_org) — or returns it, with a reason (不得无故拒转拒接: rule
 *             transfer.no_silent_refusal). The sender may cancel while it is pending. A
 *             transfer pending for `pending_warn_days` days or more is a warning (rule
 *             transfer.pending_too_long).
 *   external  a transfer letter (《中国共产党党员组织关系介绍信》) to an org outside the system:
 *             a number from a per-year sequence ("组转〔2026〕0001号"), the destination as text,
 *             valid_until ≤ issued_on + 3 months (rule transfer.letter_validity_max, via
 *             zg_date_add_months), and the month up to which dues are paid (rule
 *             transfer.letter_dues_paid_until). transfer_letter.c prints it. When the receipt
 *             (回执) comes back the member leaves the system: status transferred_out, event
 *             "transfer_out" on the receipt date. A letter past its validity without a receipt
 *             is a warning (rule transfer.letter_overdue).
 * Statuses: pending → accepted | returned | cancelled (internal); pending → received |
 * cancelled (external). "expired" (allowed by the schema) is never stored: an overdue letter is
 * derived from valid_until and stays pending until it is received or cancelled.
 *
 * Lost contact (条例 art.24): cases that a person decides, never automatic changes. The scan
 * (zg_transfer_cases_scan, daily, and per scope through the API) opens
 *   a "suspension" case for a probationary or full member with lost_contact_since + 6 months
 *                  ≤ today (rule transfer.lost_contact_suspension), and
 *   a "removal" case for a suspended member still out of contact with suspended_on + 2 years
 *                  ≤ today (rule transfer.suspension_removal),
 * at most one open case per member and kind, and one case per episode (see member_case.basis_on
 * in 0008). Deciding a case ("suspend", "remove" or "dismiss" with a note) applies the member
 * module's event ("suspended" / "removed") on the decision date (rule
 * transfer.case_decision_timing: not before the case was due).
 *
 * Scope: reading a transfer needs its sending or its receiving org in the caller's scope;
 * issuing, cancelling, the receipt and the letter need the sending org; accepting and returning
 * need the receiving org. Out of scope is ZG_ERR_NOT_FOUND, the same as a missing transfer.
 * Cases follow the member's current org.
 *
 * Writes: each write runs its own write transaction and appends one audit entry in it
 * ("transfer.issue", "transfer.accept", "transfer.return", "transfer.cancel",
 * "transfer.receipt", "member_case.open", "member_case.decide"); the member module's changes
 * (zg_member_apply_event) run inside that transaction. A write that breaks
 * a block rule is refused with ZG_ERR_INVALID, err->code "rule_violation", the findings in
 * op->findings; a bad input field is ZG_ERR_INVALID "invalid_fields" with op->bad_field.
 *
 * Memory: results are allocated in the arena passed in (op->arena for writes); nothing needs
 * freeing. Dates are zg_date_t inside (ZG_TRANSFER_NO_DATE when absent), "YYYY-MM-DD" in the
 * database; months ("dues paid until") are "YYYY-MM" text. */
#ifndef ZG_MODULES_TRANSFER_H
#define ZG_MODULES_TRANSFER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "core/arena.h"
#include "core/date.h"
#include "core/status.h"
#include "modules/member/member.h"
#include "rules/rules.h"

typedef struct zg_conn zg_conn_t;
typedef struct zg_db zg_db_t;
typedef struct zg_router zg_router_t;

/* "No date" in a zg_date_t field. */
#define ZG_TRANSFER_NO_DATE INT32_MIN

/* Limits (characters for strings). */
#define ZG_TRANSFER_REASON_MAX      200
#define ZG_TRANSFER_NOTE_MAX        500
#define ZG_TRANSFER_DESTINATION_MAX 100
#define ZG_TRANSFER_PREFIX_MAX      20   /* the letter number's prefix */
#define ZG_TRANSFER_LETTER_NO_MAX   64   /* bytes of a letter number */
#define ZG_TRANSFER_PAGE_MAX        100  /* rows one page of a list may hold */
#define ZG_TRANSFER_WARNINGS_MAX    1000 /* warnings one answer returns (oldest first) */
#define ZG_TRANSFER_DUE_MAX         1000 /* due cases one preview returns */
#define ZG_TRANSFER_RECEIVERS_MAX   20   /* orgs one receiver search returns */

/* Letter validity (RULES.md §5.2: generally ≤ 3 months). */
#define ZG_TRANSFER_LETTER_VALID_MONTHS 3
/* Lost contact this long → suspension case; suspended this long → removal case (art.24). */
#define ZG_TRANSFER_LOST_MONTHS    6
#define ZG_TRANSFER_REMOVAL_MONTHS 24
/* Defaults of the settings (config keys in brackets, once the lead adds them). */
#define ZG_TRANSFER_PENDING_WARN_DAYS_DEFAULT 30     /* [transfer_pending_warn_days] 1..365 */
#define ZG_TRANSFER_LETTER_PREFIX_DEFAULT     "组转" /* [transfer_letter_prefix] */

/* ---- settings ------------------------------------------------------------------------------ */

typedef struct zg_transfer_settings {
    int pending_warn_days; /* a pending internal transfer this many days old is a warning */
    char letter_prefix[ZG_TRANSFER_PREFIX_MAX * 4 + 1]; /* UTF-8, ≤ ZG_TRANSFER_PREFIX_MAX chars */
} zg_transfer_settings_t;

/* Sets the module's settings once at start, before serving (not thread-safe). Values out of
 * range (days outside 1..365, an empty or over-long prefix, or one with characters other than
 * letters, CJK and digits) are refused with ZG_ERR_INVALID and the old settings kept. */
int zg_transfer_configure(const zg_transfer_settings_t *s, zg_error_t *err);
/* The settings in force (the defaults until zg_transfer_configure). */
const zg_transfer_settings_t *zg_transfer_settings(void);

/* ---- pure rules (no database; unit-tested on both sides of every boundary) ----------------- */

/* The latest valid_until a letter issued on `issued_on` may carry: issued_on + 3 months
 * (zg_date_add_months, so 2025-11-30 → 2026-02-28). */
int zg_transfer_letter_valid_max(zg_date_t issued_on, zg_date_t *out);

/* Checks a letter's dates and dues month (rules transfer.letter_validity_max,
 * transfer.letter_dues_paid_until), adding findings to `f`: valid_until after issued_on + 3
 * months, or dues_paid_until missing or not a "YYYY-MM" month. (valid_until before issued_on
 * is an input error the caller reports.) */
void zg_transfer_check_letter(zg_date_t issued_on, zg_date_t valid_until,
                              const char *dues_paid_until, zg_findings_t *f);

/* Parses "YYYY-MM" (exactly 7 characters, year 1921..2099, month 01..12). 0 or ZG_ERR_INVALID. */
int zg_transfer_parse_month(const char *s, int *year, int *month);

/* Writes "<prefix>〔<year>〕<seq, at least 4 digits>号" into buf. ZG_ERR_TOO_LARGE when it does
 * not fit. */
int zg_transfer_letter_no(const char *prefix, int year, int64_t seq, char *buf, size_t cap);

/* Days a transfer issued on `issued_on` has been pending on `today` (today - issued_on), and
 * whether that is a warning: days ≥ warn_days (rule transfer.pending_too_long). */
bool zg_transfer_pending_due(zg_date_t issued_on, zg_date_t today, int warn_days, int32_t *days);

/* Whether a letter valid until `valid_until` is overdue on `today` (valid on valid_until
 * itself; overdue from the day after), and by how many days. */
bool zg_transfer_letter_overdue(zg_date_t valid_until, zg_date_t today, int32_t *days);

/* The day a suspension case becomes due (lost_contact_since + 6 months) and the day a removal
 * case becomes due (suspended_on + 2 years), by zg_date_add_months. */
int zg_transfer_suspension_due_on(zg_date_t lost_contact_since, zg_date_t *out);
int zg_transfer_removal_due_on(zg_date_t suspended_on, zg_date_t *out);

/* ---- writes ------------------------------------------------------------------------------- */

/* The context and outcome of one write. Initialize with zg_transfer_op_init. */
typedef struct zg_transfer_op {
    zg_arena_t *arena;       /* messages and results */
    int64_t scope;           /* the caller's scope root */
    zg_member_actor_t actor; /* who: for the audit log, events and issued_by / decided_by */
    zg_date_t today;         /* what counts as today (default zg_date_today()) */
    zg_findings_t findings;  /* out: rule findings */
    const char *bad_field;   /* out: the input field an "invalid_fields" error is about */
} zg_transfer_op_t;

void zg_transfer_op_init(zg_transfer_op_t *op, zg_arena_t *arena, int64_t scope,
                         const zg_member_actor_t *actor);

/* A new transfer. Strings are not kept after the call. */
typedef struct zg_transfer_input {
    const char *kind;            /* "internal" | "external" */
    int64_t membership_id;       /* the member (its org must be in scope: the sending org) */
    int64_t to_org_id;           /* internal: the receiving org (anywhere in the system) */
    const char *destination;     /* external: the receiving org's name, as text */
    const char *reason;          /* required: why (工作调动, 迁居, 升学…) */
    zg_date_t issued_on;         /* NO_DATE = today; not after today, not before joining */
    zg_date_t valid_until;       /* external: NO_DATE = issued_on + 3 months */
    const char *dues_paid_until; /* "YYYY-MM"; required for external, optional for internal */
} zg_transfer_input_t;

/* Issues a transfer (see the top of this file). Checks: the member exists in scope and is
 * probationary or full (transfer.member_active), has no pending transfer (transfer.one_pending);
 * internal: to_org exists, is active, is a branch or joint branch (transfer.receiver_kind) and is
 * not the member's org; external: destination, the letter rules, and a letter number from the
 * year's sequence. Info finding transfer.sender_responsible. Audit "transfer.issue". *id gets
 * the transfer id. */
int zg_transfer_issue(zg_conn_t *c, zg_transfer_op_t *op, const zg_transfer_input_t *in,
                      int64_t *id, zg_error_t *err);

/* The receiving side accepts internal transfer `id` (to_org in op->scope, pending) on `on`
 * (NO_DATE = today; not before issued_on, not after today): the member moves to to_org on that
 * day (the member module's event "transfer_in", as zg_member_move_org does it). The member must
 * still be in from_org and probationary or full (else ZG_ERR_CONFLICT "member_changed"). Audit
 * "transfer.accept". */
int zg_transfer_accept(zg_conn_t *c, zg_transfer_op_t *op, int64_t id, zg_date_t on,
                       const char *note, zg_error_t *err);

/* The receiving side returns internal transfer `id` (to_org in scope, pending) with `reason`,
 * which must not be blank (block rule transfer.no_silent_refusal). The member stays where it
 * is. Audit "transfer.return". */
int zg_transfer_return(zg_conn_t *c, zg_transfer_op_t *op, int64_t id, zg_date_t on,
                       const char *reason, zg_error_t *err);

/* The sending side cancels pending transfer `id` (from_org in scope), internal or external
 * (e.g. a lost letter, to be re-issued). Audit "transfer.cancel". */
int zg_transfer_cancel(zg_conn_t *c, zg_transfer_op_t *op, int64_t id, const char *note,
                       zg_error_t *err);

/* The sending side records the receipt (回执) of external transfer `id` (from_org in scope,
 * pending) received on `received_on` (not before issued_on, not after today): status received,
 * and the member leaves the system (zg_member_apply_event "transfer_out" on that day →
 * transferred_out). A receipt after valid_until is recorded with a warn finding
 * transfer.letter_overdue. Audit "transfer.receipt". */
int zg_transfer_receipt(zg_conn_t *c, zg_transfer_op_t *op, int64_t id, zg_date_t received_on,
                        const char *note, zg_error_t *err);

/* ---- reads --------------------------------------------------------------------------------- */

typedef struct zg_transfer {
    int64_t id, membership_id, person_id;
    const char *member_name;
    const char *member_gender;               /* "1" / "2" */
    const char *member_id_number_masked;     /* never the clear value */
    const char *member_status;               /* the membership's current status */
    const char *kind;                        /* internal | external */
    int64_t from_org_id, to_org_id;          /* to_org_id 0 for external */
    const char *from_org_name, *to_org_name; /* to_org_name NULL for external */
    const char *destination, *letter_no;     /* external */
    zg_date_t issued_on, valid_until, decided_on;
    const char *dues_paid_until;
    const char *reason;
    const char *status; /* pending | accepted | returned | received | cancelled */
    const char *decision_note;
    int64_t issued_by, decided_by; /* account ids, 0 = none */
    const char *created_at, *updated_at;
    bool outgoing; /* from_org is in the reader's scope */
    bool incoming; /* to_org is in the reader's scope */
} zg_transfer_t;

/* Transfer `id` when its sending or its receiving org is in `scope`. */
int zg_transfer_get(zg_conn_t *c, zg_arena_t *a, int64_t scope, int64_t id, zg_transfer_t *out,
                    zg_error_t *err);

typedef struct zg_transfer_query {
    const char *direction; /* "outgoing" (from_org in scope), "incoming" (to_org in scope), NULL
                              or "all" = either */
    const char *status;    /* NULL = any */
    const char *kind;      /* NULL = any */
    int64_t membership_id; /* 0 = any */
    int64_t offset;
    int limit; /* 1..ZG_TRANSFER_PAGE_MAX */
} zg_transfer_query_t;

typedef struct zg_transfer_list {
    zg_transfer_t *items;
    size_t n;
    int64_t total;
} zg_transfer_list_t;

/* Transfers in scope, newest first (issued_on, id). */
int zg_transfer_list(zg_conn_t *c, zg_arena_t *a, int64_t scope, const zg_transfer_query_t *q,
                     zg_transfer_list_t *out, zg_error_t *err);

/* One warning about a transfer. */
typedef struct zg_transfer_warning {
    zg_transfer_t transfer;
    const zg_rule_t *rule; /* transfer.pending_too_long or transfer.letter_overdue */
    int32_t days;          /* days pending, or days past valid_until */
    const char *message;   /* Chinese, with the figures */
} zg_transfer_warning_t;

/* The warnings on `today` for transfers whose sending or receiving org is in scope: internal
 * transfers pending `warn_days` days or more, and external letters pending past valid_until;
 * oldest first, at most ZG_TRANSFER_WARNINGS_MAX (*truncated when there were more). */
int zg_transfer_warnings(zg_conn_t *c, zg_arena_t *a, int64_t scope, zg_date_t today, int warn_days,
                         zg_transfer_warning_t **items, size_t *n, bool *truncated,
                         zg_error_t *err);

/* What the letter shows (transfer_letter.c): the transfer and the member. Sending org in scope,
 * external only (ZG_ERR_NOT_FOUND for an internal transfer: it has no letter). The clear ID
 * number only with reveal_pii. */
typedef struct zg_transfer_letter {
    zg_transfer_t t;
    zg_member_t member;
    const char *ethnicity_label; /* NULL when not recorded */
    const char *status_on_issue; /* "probationary" / "full" on the issue date (the spans) */
} zg_transfer_letter_t;

int zg_transfer_letter_load(zg_conn_t *c, zg_arena_t *a, int64_t scope, int64_t id, bool reveal_pii,
                            zg_transfer_letter_t *out, zg_error_t *err);

/* Renders the letter as one self-contained HTML page (Chinese, print CSS, no external
 * resources): the stub (存根), the letter and the receipt slip (回执), on A4 with cut lines.
 * *html and its length live in `a`. */
int zg_transfer_letter_html(zg_arena_t *a, const zg_transfer_letter_t *l, const char **html,
                            size_t *len, zg_error_t *err);

/* An org that may receive an internal transfer (an active branch or joint branch), for the
 * sender's search: the system-wide list is visible to every account that may issue transfers,
 * since the receiver is usually outside the sender's scope. Names and paths only. */
typedef struct zg_transfer_receiver {
    int64_t id;
    const char *name, *kind, *parent_name;
} zg_transfer_receiver_t;

/* Active branches and joint branches anywhere whose name, short name or code contains `q`
 * (at least 2 characters), by name, at most ZG_TRANSFER_RECEIVERS_MAX. */
int zg_transfer_receivers(zg_conn_t *c, zg_arena_t *a, const char *q,
                          zg_transfer_receiver_t **items, size_t *n, zg_error_t *err);

/* ---- lost-contact cases (条例 art.24) ----------------------------------------------------- */

typedef struct zg_transfer_case {
    int64_t id, membership_id;
    const char *member_name;
    int64_t org_id; /* the member's current org */
    const char *org_name;
    const char *member_status;
    const char *kind;       /* suspension | removal */
    zg_date_t opened_on;    /* the scan's day */
    zg_date_t due_on;       /* when the rule made it due */
    zg_date_t basis_on;     /* lost_contact_since (suspension) / suspended_on (removal) */
    const char *due_reason; /* Chinese */
    const char *status;     /* open | decided | dismissed */
    const char *decision;   /* suspend | remove | dismiss, NULL while open */
    zg_date_t decided_on;
    const char *decision_note;
    int64_t decided_by;
    const char *created_at;
} zg_transfer_case_t;

/* A case the scan would open (the preview of GET /api/v1/member-cases/due). */
typedef struct zg_transfer_case_due {
    int64_t membership_id;
    const char *member_name;
    int64_t org_id;
    const char *org_name;
    const char *kind; /* suspension | removal */
    zg_date_t basis_on, due_on;
    const zg_rule_t *rule;
    const char *message; /* Chinese, with the dates */
} zg_transfer_case_due_t;

/* The cases due on `today` for the members in `scope` that have no case for their episode
 * yet, by due date, at most ZG_TRANSFER_DUE_MAX (*truncated when there were more). Writes
 * nothing. */
int zg_transfer_cases_due(zg_conn_t *c, zg_arena_t *a, int64_t scope, zg_date_t today,
                          zg_transfer_case_due_t **items, size_t *n, bool *truncated,
                          zg_error_t *err);

/* Opens the due cases of op->scope on op->today, in one write transaction, one audit entry
 * "member_case.open" per case (actor: op->actor). *opened gets how many; more than
 * ZG_TRANSFER_DUE_MAX due cases are opened by later runs. Never a duplicate: the unique indexes
 * of 0008 hold even against a concurrent scan. */
int zg_transfer_cases_open(zg_conn_t *c, zg_transfer_op_t *op, int *opened, zg_error_t *err);

/* The daily job: the same for the whole system (every tree), as account 0 (the system). */
int zg_transfer_cases_scan(zg_conn_t *c, zg_date_t today, int *opened, zg_error_t *err);

/* `zugong cases-scan` (for cron or the scheduler): the daily scan, printing
 *   失联党员案件检查完成：新开 N 件          → returns 0
 *   失联党员案件检查失败：<message>          → returns 1 */
int zg_transfer_cli_scan(zg_db_t *db, FILE *out);

typedef struct zg_transfer_case_query {
    const char *status;    /* open | decided | dismissed; NULL = any */
    const char *kind;      /* suspension | removal; NULL = any */
    int64_t membership_id; /* 0 = any */
    int64_t offset;
    int limit; /* 1..ZG_TRANSFER_PAGE_MAX */
} zg_transfer_case_query_t;

typedef struct zg_transfer_case_list {
    zg_transfer_case_t *items;
    size_t n;
    int64_t total;
} zg_transfer_case_list_t;

/* Cases of the members in scope, oldest due first. */
int zg_transfer_cases_list(zg_conn_t *c, zg_arena_t *a, int64_t scope,
                           const zg_transfer_case_query_t *q, zg_transfer_case_list_t *out,
                           zg_error_t *err);

/* Case `id` of a member in scope. */
int zg_transfer_case_get(zg_conn_t *c, zg_arena_t *a, int64_t scope, int64_t id,
                         zg_transfer_case_t *out, zg_error_t *err);

/* Decides open case `id` (member in scope) on `on` (NO_DATE = today; not after today):
 *   "suspend" (suspension case): the member is still probationary or full and out of contact
 *             since the case's basis_on, and on ≥ due_on (block transfer.case_decision_timing)
 *             → member event "suspended" on `on`;
 *   "remove"  (removal case): the member is still suspended since basis_on and out of contact,
 *             and on ≥ due_on → member event "removed" on `on`;
 *   "dismiss" (either): `note` required (block transfer.case_dismiss_note); the member is not
 *             changed.
 * A member whose state no longer matches the case (contact restored, already suspended) is
 * ZG_ERR_CONFLICT "case_stale": dismiss such a case. Audit "member_case.decide". */
int zg_transfer_case_decide(zg_conn_t *c, zg_transfer_op_t *op, int64_t id, const char *decision,
                            zg_date_t on, const char *note, zg_error_t *err);

/* ---- labels and HTTP ------------------------------------------------------------------------ */

/* Chinese labels: "internal" → "系统内转接", "pending" → "待接收", "suspension" → "停止党籍"…
 * NULL for an unknown code. */
const char *zg_transfer_kind_label(const char *kind);
const char *zg_transfer_status_label(const char *status);
const char *zg_transfer_case_kind_label(const char *kind);
const char *zg_transfer_case_status_label(const char *status);
const char *zg_transfer_case_decision_label(const char *decision);

/* Registers /api/v1/transfers… and /api/v1/member-cases… (transfer_api.c;
 * docs/api-transfers.md). */
int zg_transfer_routes(zg_router_t *rt);

#endif
