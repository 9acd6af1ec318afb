/* member_internal.h — helpers shared by the member module's files (member.c, member_key.c,
 * member_api.c, member_demo.c). Not for other modules: they use member.h. */
#ifndef ZG_MODULES_MEMBER_INTERNAL_H
#define ZG_MODULES_MEMBER_INTERNAL_H

#include "core/validate.h"
#include "db/db.h"
#include "modules/member/member.h"

/* The derived field keys, or NULL when zg_member_configure has not run. */
const zg_crypto_key_t *member_key(void);

/* Bytes of a sealed ID number / phone. */
#define MEMBER_SEALED_ID_LEN    (ZG_IDNUM_LEN + ZG_SEAL_OVERHEAD)
#define MEMBER_SEALED_PHONE_LEN (ZG_PHONE_LEN + ZG_SEAL_OVERHEAD)
/* "person.id_number:<id>" */
#define MEMBER_AD_MAX 48

/* Seals `clear` (len bytes) for column `column` ("id_number" / "phone") of person `person_id`.
 * out needs len + ZG_SEAL_OVERHEAD bytes. ZG_ERR_CRYPTO without a key. */
int member_seal(const char *column, int64_t person_id, const char *clear, size_t len, uint8_t *out,
                size_t out_cap, size_t *out_len, zg_error_t *err);

/* Opens a sealed value into an arena string. ZG_ERR_CRYPTO when it does not open (wrong key,
 * wrong row, altered bytes). */
int member_open(zg_arena_t *a, const char *column, int64_t person_id, const void *sealed,
                size_t len, const char **out, zg_error_t *err);

/* A date as a parameter: NULL for ZG_MEMBER_NO_DATE, else its text written into buf. */
zg_param_t member_date_param(zg_date_t d, char buf[ZG_DATE_STR_SIZE]);
/* A 'YYYY-MM-DD' column as a date, ZG_MEMBER_NO_DATE for NULL or anything unparsable. */
zg_date_t member_col_date(zg_rows_t *r, int col);
/* A column as an arena string, NULL for SQL NULL (NULL with *oom set on failure). */
const char *member_col_str(zg_rows_t *r, int col, zg_arena_t *a, bool *oom);

/* The rule findings' text "不符合<citation>：<message>" of the first block finding, as err
 * (ZG_ERR_INVALID "rule_violation"). */
int member_rule_refusal(zg_member_op_t *op, zg_error_t *err);

/* The list filters of the query string shared by GET /api/v1/members and the export
 * (member_api.c): as_of, status, gender, age_band, education, join_period, dues_category,
 * occupation, mobile, lost_contact, q, id_number, sort. Not the page nor org_id. Answers 400
 * and returns -1 on a bad one. */
typedef struct zg_req zg_req_t;
int member_read_filters(zg_req_t *r, zg_member_query_t *q);

/* The org rules on an org of `kind` and `status` (member.org_accepts: dissolved, a leading
 * group or a party group; member.org_is_branch: not a branch). Returns the rule that fires, with
 * its message in *message, or NULL when the org receives members without remark. Used by
 * zg_member_validate and by the import, which reads the orgs once. */
const char *member_org_rule(const char *kind, const char *status, const char **message);

/* One record to insert without the checks of zg_member_create (they have run, or the caller
 * generated valid data: the demo). Inside the caller's write transaction. Writes person (or
 * reuses reuse_person_id when non-zero), membership, the first event(s) and span(s); seals the
 * PII. *membership_id and *person_id (either may be NULL) get the ids. A batch of one through
 * member_bulk_*. */
int member_insert(zg_conn_t *c, const zg_member_actor_t *actor, const zg_member_input_t *in,
                  int64_t reuse_person_id, int64_t *membership_id, int64_t *person_id,
                  zg_error_t *err);

/* A writer of many new members (the import): the rows member_insert writes, in multi-row
 * INSERTs of `batch` members (0: a default for the backend), with the ids of person and
 * membership reserved for a batch under the caller's write transaction (so the sealed PII,
 * whose associated data is the person id, goes in with the row). Owned by the caller: free it
 * with member_bulk_free; after any error only freeing it (and rolling back) is meaningful.
 * Between the first add and the last flush, nothing else may insert into person or membership
 * on this connection (flush first). */
typedef struct member_bulk member_bulk_t;
#define MEMBER_BULK_MAX 256 /* most members in one batch */
int member_bulk_new(zg_conn_t *c, const zg_member_actor_t *actor, int batch, member_bulk_t **out,
                    zg_error_t *err);
/* Queues one member (sealed now; written when the batch is full or at the flush). The strings
 * of `in` must stay valid until member_bulk_flush. `tag` is the caller's (the import's row
 * index), reported by member_bulk_failed. The ids are the reserved ones, final at commit. */
int member_bulk_add(member_bulk_t *b, const zg_member_input_t *in, int64_t reuse_person_id,
                    int64_t tag, int64_t *membership_id, int64_t *person_id, zg_error_t *err);
/* Writes everything queued. */
int member_bulk_flush(member_bulk_t *b, zg_error_t *err);
/* After member_bulk_add / member_bulk_flush failed on a person or membership statement (e.g.
 * ZG_ERR_CONFLICT: an ID number registered meanwhile): the tags of that statement's members;
 * returns their number (0 when the failure was elsewhere). */
int member_bulk_failed(const member_bulk_t *b, const int64_t **tags);
void member_bulk_free(member_bulk_t *b);

#endif
