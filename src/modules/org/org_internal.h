/* org_internal.h — helpers shared by the org module's files (org.c, org_team.c,
 * org_demo.c, org_api.c). Not for other modules: they use org.h. */
#ifndef ZG_MODULES_ORG_INTERNAL_H
#define ZG_MODULES_ORG_INTERNAL_H

#include "core/strbuf.h"
#include "db/db.h"
#include "modules/org/org.h"

/* The org columns every reader selects, in the order org_read_row expects. */
#define ORG_COLS                                                                                   \
    "o.id, o.parent_id, o.kind, o.name, o.short_name, o.code, o.category, o.domain, "              \
    "o.unit_name, o.unit_count, o.founded_on, o.status, o.dissolved_on, o.depth, o.sort, "         \
    "o.created_at, o.updated_at"
#define ORG_NCOLS 17

/* Reads the ORG_COLS starting at column `col` into *o (strings copied into `a`); child_count
 * is set to -1. ZG_ERR_NOMEM when the arena is full. */
int org_read_row(zg_rows_t *r, int col, zg_arena_t *a, zg_org_t *o, zg_error_t *err);

/* A column as an arena string, NULL for SQL NULL (and NULL with *oom set on failure). */
const char *org_col_str(zg_rows_t *r, int col, zg_arena_t *a, bool *oom);
/* A 'YYYY-MM-DD' column as a date, ZG_ORG_NO_DATE for NULL or anything unparsable. */
zg_date_t org_col_date(zg_rows_t *r, int col);
/* A date as a parameter: NULL for ZG_ORG_NO_DATE, else its text written into buf. */
zg_param_t org_date_param(zg_date_t d, char buf[ZG_DATE_STR_SIZE]);

/* One org by id, not scoped (callers check scope first). ZG_ERR_NOT_FOUND if none. */
int org_load(zg_conn_t *c, zg_arena_t *a, int64_t id, zg_org_t *o, zg_error_t *err);
/* ZG_OK when `id` lies in the subtree of `scope`, else ZG_ERR_NOT_FOUND with the message the
 * API shows for an unknown or out-of-scope object. */
int org_require_scope(zg_conn_t *c, int64_t scope, int64_t id, zg_error_t *err);
int org_not_found(zg_error_t *err, int64_t id);

/* Serializes structural writes (see org_tree_lock in 0003_org.sql). Inside a write
 * transaction. */
int org_lock_tree(zg_conn_t *c, zg_error_t *err);
/* Locks org `id`'s row (and stamps updated_at) for the rest of the transaction. */
int org_lock_row(zg_conn_t *c, int64_t id, zg_error_t *err);

/* ZG_ERR_INVALID "invalid_fields" about `field`, with the Chinese `message`. */
int org_bad_field(zg_org_op_t *op, zg_error_t *err, const char *field, const char *message);
/* ZG_ERR_INVALID "rule_violation" with "不符合<citation>：<message>" of the first blocking
 * finding in op->findings. */
int org_rule_refusal(zg_org_op_t *op, zg_error_t *err);
/* Drops the block findings of op->findings (what a successful write returns). */
void org_findings_keep_advisory(zg_org_op_t *op);

/* Checks a text field: valid UTF-8, no control characters, not blank when required, at most
 * `max` characters. NULL is "absent". */
int org_check_text(zg_org_op_t *op, zg_error_t *err, const char *field, const char *label,
                   const char *s, bool required, size_t max);

/* A JSON object of changed fields, {"field":{"from":…,"to":…}, …}, built in an arena. */
typedef struct org_detail {
    zg_strbuf_t sb;
    int n;
} org_detail_t;
void org_detail_init(org_detail_t *d, zg_arena_t *a);
void org_detail_str(org_detail_t *d, const char *field, const char *from, const char *to);
void org_detail_int(org_detail_t *d, const char *field, int64_t from, int64_t to);
/* Adds a member with a plain value (no from/to): {"field": "value"}. */
void org_detail_val(org_detail_t *d, const char *field, const char *value);
void org_detail_ival(org_detail_t *d, const char *field, int64_t value);
/* Adds a member whose value is already JSON text. */
void org_detail_raw(org_detail_t *d, const char *field, const char *json);
/* The finished text, or NULL when the buffer overflowed. */
const char *org_detail_end(org_detail_t *d);

/* Appends the audit entry of a write (outcome "ok", object type "org"). */
int org_audit(zg_conn_t *c, const zg_org_op_t *op, const char *action, int64_t org_id,
              const char *detail, zg_error_t *err);

/* Appends an org_change row. */
int org_history(zg_conn_t *c, const zg_org_op_t *op, int64_t org_id, const char *type,
                zg_date_t effective_on, const char *old_name, const char *new_name,
                int64_t from_parent, int64_t to_parent, const char *detail, zg_error_t *err);

/* The installed member counter (NULL if none). */
zg_org_member_count_fn org_member_counter(void);

/* Loads what the rules look at for org `o` (team, member counts, earliest term end). */
int org_facts_load(zg_conn_t *c, const zg_org_t *o, zg_date_t today, zg_org_facts_t *f,
                   zg_error_t *err);

/* The facts of an org that does not exist yet: nothing the rules could object to (the
 * "before" of a create, and of a team renewal, whose new team must satisfy the rules on its
 * own). */
void org_facts_none(zg_org_facts_t *f);

/* After a write, inside its transaction: loads org `id`'s facts and refuses the write
 * (org_rule_refusal, the blocking findings in op->findings) when going from `before` to them
 * introduces or worsens a block violation; otherwise appends the warn and info findings of
 * the new state to op->findings. */
int org_judge(zg_conn_t *c, zg_org_op_t *op, const zg_org_facts_t *before, int64_t id,
              zg_error_t *err);

/* Whether `kind` is one of the branch kinds the branch regulations' committee rules apply to. */
bool org_is_branch(const char *kind);

/* The same as the public functions, inside the caller's write transaction (for the demo
 * loader, which builds the whole city in one). */
int org_create_tx(zg_conn_t *c, zg_org_op_t *op, const zg_org_input_t *in, int64_t *id,
                  zg_error_t *err);
int org_update_tx(zg_conn_t *c, zg_org_op_t *op, int64_t id, const zg_org_input_t *in,
                  zg_error_t *err);
int org_leaders_add_tx(zg_conn_t *c, zg_org_op_t *op, int64_t id,
                       const zg_org_leader_input_t *items, size_t n, bool replace,
                       zg_date_t replace_on, int64_t *ids, zg_error_t *err);
int org_grading_set_tx(zg_conn_t *c, zg_org_op_t *op, int64_t id, int year, const char *grade,
                       const char *indicators, const char *note, zg_date_t graded_on, bool *created,
                       zg_error_t *err);

#endif
