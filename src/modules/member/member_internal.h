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

/* One record to insert without the checks of zg_member_create (they have run, or the caller
 * generated valid data: the demo). Inside the caller's write transaction. Writes person (or
 * reuses reuse_person_id when non-zero), membership, the first event(s) and span(s); seals the
 * PII. *membership_id and *person_id (either may be NULL) get the ids. */
int member_insert(zg_conn_t *c, const zg_member_actor_t *actor, const zg_member_input_t *in,
                  int64_t reuse_person_id, int64_t *membership_id, int64_t *person_id,
                  zg_error_t *err);

#endif
