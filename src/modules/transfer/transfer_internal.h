/* transfer_internal.h — helpers shared by the transfer module's files (transfer.c,
 * transfer_case.c, transfer_letter.c, transfer_api.c). Not for other modules: they use
 * transfer.h. */
#ifndef ZG_MODULES_TRANSFER_INTERNAL_H
#define ZG_MODULES_TRANSFER_INTERNAL_H

#include "core/strbuf.h"
#include "db/db.h"
#include "modules/transfer/transfer.h"

/* A column as an arena string, NULL for SQL NULL (and NULL with *oom set on failure). */
const char *tr_col_str(zg_rows_t *r, int col, zg_arena_t *a, bool *oom);
/* A 'YYYY-MM-DD' column as a date, ZG_TRANSFER_NO_DATE for NULL or anything unparsable. */
zg_date_t tr_col_date(zg_rows_t *r, int col);
/* A date as a parameter: NULL for ZG_TRANSFER_NO_DATE, else its text written into buf. */
zg_param_t tr_date_param(zg_date_t d, char buf[ZG_DATE_STR_SIZE]);

int tr_nomem(zg_error_t *err, const char *what);
/* ZG_ERR_NOT_FOUND with the message the API shows for an unknown or out-of-scope object. */
int tr_not_found(zg_error_t *err, const char *what, int64_t id);
/* ZG_ERR_INVALID "invalid_fields" about `field`, with the Chinese `message`. */
int tr_bad_field(zg_transfer_op_t *op, zg_error_t *err, const char *field, const char *message);
/* ZG_ERR_INVALID "rule_violation": "不符合<citation>：<message>" of the first blocking finding. */
int tr_rule_refusal(zg_transfer_op_t *op, zg_error_t *err);
/* Keeps only the warn and info findings (what a successful write returns). */
void tr_findings_keep_advisory(zg_transfer_op_t *op);

/* Checks a text field: valid UTF-8, no control characters (a note may hold line breaks when
 * `multiline`), not blank when required, at most `max` characters. NULL is "absent". */
int tr_check_text(zg_transfer_op_t *op, zg_error_t *err, const char *field, const char *label,
                  const char *s, bool required, size_t max, bool multiline);
/* Whether s is NULL or only white space. */
bool tr_blank(const char *s);

/* Whether org `org_id` lies in the subtree of `scope`. */
int tr_in_scope(zg_conn_t *c, int64_t scope, int64_t org_id, bool *in, zg_error_t *err);

/* A JSON object of the audit detail, built in an arena. */
typedef struct tr_detail {
    zg_strbuf_t sb;
    int n;
} tr_detail_t;
void tr_detail_init(tr_detail_t *d, zg_arena_t *a);
void tr_detail_str(tr_detail_t *d, const char *field, const char *value);
void tr_detail_int(tr_detail_t *d, const char *field, int64_t value);
void tr_detail_date(tr_detail_t *d, const char *field, zg_date_t value);
/* The finished text, or NULL when the buffer overflowed. */
const char *tr_detail_end(tr_detail_t *d);

/* Appends the audit entry of a write (outcome "ok"). */
int tr_audit(zg_conn_t *c, const zg_transfer_op_t *op, const char *action, const char *object_type,
             int64_t object_id, const char *detail, zg_error_t *err);

/* Locks transfer `id`'s row (stamping updated_at) for the rest of the write transaction, so
 * two decisions on one transfer serialize on PostgreSQL as they do on SQLite. */
int tr_lock_transfer(zg_conn_t *c, int64_t id, zg_error_t *err);

/* The member's org and status read from membership (no scope). ZG_ERR_NOT_FOUND if none. */
typedef struct tr_membership {
    int64_t id, person_id, org_id;
    const char *status, *name;
    zg_date_t joined_on, lost_contact_since, suspended_on;
} tr_membership_t;
int tr_membership_load(zg_conn_t *c, zg_arena_t *a, int64_t id, tr_membership_t *m,
                       zg_error_t *err);

/* The transfer row in the columns of zg_transfer_t (no scope; outgoing/incoming false). */
int tr_transfer_load(zg_conn_t *c, zg_arena_t *a, int64_t id, zg_transfer_t *t, zg_error_t *err);

#endif
