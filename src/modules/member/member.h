/* member.h — Party members (SPEC §3.3, issue 4 §1–§3, §5, §7): one `person` per natural person
 * and one effective-dated `membership` per person, with its events and the spans that answer
 * "where was this member, in which status, on day D". Tables: src/db/migrations/0006_member.sql
 * (and 0007_member_extra.sql: the field-key check row).
 *
 * No HTTP here: the HTTP handlers (member_api.c), the XLSX import/export, the transfer module,
 * the demo loader and the tests all call these functions.
 *
 * Identity of a member: the API's member id is the *membership* id (membership.id); the person
 * id is carried along for the modules that link persons (cadres, talents, leaders).
 *
 * Scope: every function that reads or changes a member takes a scope root (`scope`, the
 * caller's home org) and answers ZG_ERR_NOT_FOUND for a member whose org lies outside that
 * subtree — the same answer as for one that does not exist. Org ids taken from input (the org
 * of a new member, the target of a move) must be in scope too. The CLI and the demo pass the
 * tree's root. The exceptions are the two functions the transfer module calls once it has
 * checked scope itself (zg_member_move_org, zg_member_apply_event): they take no scope.
 *
 * Writes: each write runs in its own write transaction and appends one audit entry
 * ("member.create", "member.update", "member.event") in it, unless op->in_tx says the caller
 * holds the transaction (an import of many rows: the caller commits or rolls back; the
 * function then neither begins nor ends one). A write that breaks a block rule is refused with
 * ZG_ERR_INVALID, err->code "rule_violation", every finding in op->findings, and nothing
 * written; warn and info findings come back in op->findings with a successful write.
 *
 * Effective dating (RULES.md §1.3, §5.1): every change is a membership_event with its date;
 * every change of org or status also closes the open membership_span on that date
 * (valid_to = D) and opens a new one from D, so the member is in the old org on D-1 and in
 * the new org on D:  valid_from <= D AND (valid_to IS NULL OR valid_to > D). A change on the
 * same day as the open span's start replaces that span's org/status in place. An event dated
 * before the open span's start is refused (rule member.event_order): history is corrected with
 * a "corrected" event, not rewritten by back-dated changes.
 *
 * Derived fields of membership (RULES.md §1.3):
 *   joined_on      = the date the branch assembly passed the admission resolution (入党时间);
 *   probation_end  = joined_on + 1 year, + the extension (6–12 months, once);
 *   standing_since = the end of the probation (or of the extension) for a conversion recorded
 *                    by event; the given conversion date for a member recorded directly as full
 *                    (党龄 counts from there: 党章 art.7);
 *   status         = probationary | full | suspended | removed | deceased | transferred_out.
 *
 * Personal data (SPEC §1.5, §2 "Field encryption"): the ID number and the phone are stored
 * sealed (SM4-CTR + HMAC-SM3, core/crypto.h) with associated data "person.id_number:<person
 * id>" / "person.phone:<person id>", so a ciphertext only opens in its own row and column; the
 * ID number also gets a keyed blind index (HMAC-SM3, hex) for exact lookup and the duplicate
 * check, and both get their masked display forms ("430102********1234", "138****5678").
 * Clear values leave this module only when the caller asks with reveal_pii (the API passes
 * zg_principal_can(who, "member:read_pii")). The key is set once at start
 * (zg_member_configure); without it every function touching PII answers ZG_ERR_CRYPTO.
 *
 * Memory: results (structs, arrays, strings) are allocated in the arena passed in (op->arena
 * for writes); nothing needs freeing. Dates are zg_date_t inside, ZG_MEMBER_NO_DATE when
 * absent, "YYYY-MM-DD" in the database. */
#ifndef ZG_MODULES_MEMBER_H
#define ZG_MODULES_MEMBER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/config.h"
#include "core/crypto.h"
#include "core/date.h"
#include "core/status.h"
#include "rules/rules.h"

typedef struct zg_conn zg_conn_t;
typedef struct zg_db zg_db_t;
typedef struct zg_router zg_router_t;

/* "No date" in a zg_date_t field. */
#define ZG_MEMBER_NO_DATE INT32_MIN

/* Limits (characters for strings). */
#define ZG_MEMBER_NAME_MAX         50
#define ZG_MEMBER_NATIVE_PLACE_MAX 100
#define ZG_MEMBER_NOTE_MAX         500
#define ZG_MEMBER_CODE_MAX         16               /* a dictionary code */
#define ZG_MEMBER_Q_MAX            50               /* the name search text */
#define ZG_MEMBER_PAGE_MAX         100              /* rows one page of a list may hold */
#define ZG_MEMBER_EVENTS_MAX       1000             /* events one detail returns (newest kept) */
#define ZG_MEMBER_CHILDREN_MAX     1000             /* child orgs one count answer breaks down */
#define ZG_MEMBER_BIDX_HEX         (ZG_SM3_LEN * 2) /* blind index: 64 hex characters */

/* Probation and extension (RULES.md §1.3: 细则 art.32, 党章 art.7). */
#define ZG_MEMBER_PROBATION_MONTHS     12
#define ZG_MEMBER_EXTENSION_MIN_MONTHS 6
#define ZG_MEMBER_EXTENSION_MAX_MONTHS 12
/* Minimum age at admission (RULES.md §1.2 step 1: 细则 art.5, 党章 art.1). */
#define ZG_MEMBER_MIN_AGE 18
/* Lost contact this long → a suspension may be decided (RULES.md §5.1, 条例 art.24). */
#define ZG_MEMBER_LOST_CONTACT_MONTHS 6

/* ---- the field key ---------------------------------------------------------------------- */

/* Sets up the field-encryption key once at start, after the database is open and migrated
 * (app.c calls it from zg_app_open; tests that build their own app call it too). Where the
 * 32-byte master key (64 hex characters) comes from, first match wins:
 *   1. cfg->key_file (config `key_file`, env ZUGONG_KEY_FILE): the file must exist and hold
 *      64 hex characters (surrounding white space allowed); a file readable by group or others
 *      (mode beyond 0600) is used with a warning in the log;
 *   2. the environment variable ZUGONG_FIELD_KEY (64 hex characters);
 *   3. SQLite only: the file "<database path>.key" next to the database. When it does not
 *      exist and the database holds no encrypted data yet (no key fingerprint recorded), it is
 *      created with mode 0600 and 32 random bytes; when the database already holds encrypted
 *      data, start is refused (the key was lost or moved). An in-memory database (":memory:")
 *      gets a random key for the life of the process.
 *   PostgreSQL without 1. or 2.: start is refused with a Chinese message saying how to set one.
 * The derived keys (zg_crypto_key_derive) are kept in a module global. The database records a
 * fingerprint of the key (HMAC-SM3 of a fixed label with the MAC key; table field_key_check)
 * the first time; a different key later is refused ("字段加密密钥与数据库不匹配"), so data
 * is never written under two keys. Also installs the org module's member counter
 * (zg_org_set_member_counter: full = status full, total = probationary + full, direct members
 * of the org). Not thread-safe: call before serving. Calling it again replaces the key. */
int zg_member_configure(const zg_config_t *cfg, zg_db_t *db, zg_error_t *err);

/* Sets the master key directly (tests, tools). Not thread-safe: before serving. */
void zg_member_set_master_key(const uint8_t master[ZG_MASTER_KEY_LEN]);

/* Forgets the key (tests). */
void zg_member_clear_key(void);

/* Whether a key is set. */
bool zg_member_key_ready(void);

/* Where the key of zg_member_configure comes from, without touching a database: fills
 * master[] and writes a description of the source ("key_file /etc/zugong/field.key",
 * "ZUGONG_FIELD_KEY", "/var/lib/zugong/zugong.db.key (新建)") into `source`. `is_sqlite` and
 * `db_path` say where the database is; `may_create` whether "<db>.key" may be created when
 * missing. *created tells whether it was. Exposed for tests. */
int zg_member_key_resolve(const zg_config_t *cfg, bool is_sqlite, const char *db_path,
                          bool may_create, uint8_t master[ZG_MASTER_KEY_LEN], char *source,
                          size_t source_cap, bool *created, zg_error_t *err);

/* The blind index of an ID number (64 lowercase hex characters + NUL), after normalizing a
 * lowercase x. ZG_ERR_CRYPTO without a key; ZG_ERR_INVALID when it is not 18 bytes (the check
 * digit is not checked). */
int zg_member_id_number_index(const char *id_number, char out[ZG_MEMBER_BIDX_HEX + 1],
                              zg_error_t *err);

/* ---- code tables ----------------------------------------------------------------------- */

typedef struct zg_member_label {
    const char *code;
    const char *label;
} zg_member_label_t;

/* NULL-terminated tables: membership statuses, event kinds, dues categories (RULES.md §4.1),
 * occupations (the eight categories of the 党内统计公报, RULES.md §9.2, stored as these English
 * keys in person.occupation), the bulletin's age bands, education categories and join periods. */
extern const zg_member_label_t zg_member_statuses[];
extern const zg_member_label_t zg_member_event_kinds[];
extern const zg_member_label_t zg_member_dues_categories[];
extern const zg_member_label_t zg_member_occupations[];
extern const zg_member_label_t zg_member_age_bands[];
extern const zg_member_label_t zg_member_edu_categories[];
extern const zg_member_label_t zg_member_join_periods[];

/* The Chinese label of `code` in `table`, or NULL. */
const char *zg_member_label(const zg_member_label_t *table, const char *code);

/* The bulletin's eight age bands (RULES.md §9.2), age = full years (周岁) on the reference
 * date as zg_date_age_at counts it. Codes "le30", "31_35", …, "56_60", "ge61". */
enum {
    ZG_MEMBER_AGE_LE30,
    ZG_MEMBER_AGE_31_35,
    ZG_MEMBER_AGE_36_40,
    ZG_MEMBER_AGE_41_45,
    ZG_MEMBER_AGE_46_50,
    ZG_MEMBER_AGE_51_55,
    ZG_MEMBER_AGE_56_60,
    ZG_MEMBER_AGE_GE61,
    ZG_MEMBER_AGE_BANDS
};
/* The band of a person born on `birth` on day `at` (-1 when at < birth or a date is invalid). */
int zg_member_age_band(zg_date_t birth, zg_date_t at);
/* The birth dates of band `band` on day `at`: born in [*from, *to] (inclusive). ZG_MEMBER_AGE_LE30
 * has no lower bound on birth after `at` (*to = at), ZG_MEMBER_AGE_GE61 none before (*from =
 * ZG_MEMBER_NO_DATE). Uses the last birth date that has reached an age on `at`, which agrees
 * with zg_date_age_at on every day, 29 February included. */
int zg_member_age_band_births(int band, zg_date_t at, zg_date_t *from, zg_date_t *to);

/* The bulletin's five education categories from GB/T 4658-2006 codes (reference/CODES.md §3):
 *   postgrad  研究生          10–19
 *   undergrad 大学本科        20–28
 *   college   大学专科        30–33
 *   secondary 中专、高中      40–49 (中等职业教育), 60–63 (普通高中)
 *   junior    初中及以下      70–83, and 90 其他 (counted with the lowest category)
 * 大专及以上 = the first three. */
enum {
    ZG_MEMBER_EDU_POSTGRAD,
    ZG_MEMBER_EDU_UNDERGRAD,
    ZG_MEMBER_EDU_COLLEGE,
    ZG_MEMBER_EDU_SECONDARY,
    ZG_MEMBER_EDU_JUNIOR,
    ZG_MEMBER_EDU_CATEGORIES
};
/* The category of a GB/T 4658 code, -1 for NULL or an unknown code. */
int zg_member_edu_category(const char *code);

/* The bulletin's four join periods (入党时间), on the same boundaries as the statistics module
 * (stats.h): before 1949-10-01; to 1978-12-18 (十一届三中全会); to 2012-11-08 (十八大); since.
 * Codes "before_1949", "to_1978", "to_2012", "since_2012". */
enum {
    ZG_MEMBER_JOIN_BEFORE_1949,
    ZG_MEMBER_JOIN_TO_1978,
    ZG_MEMBER_JOIN_TO_2012,
    ZG_MEMBER_JOIN_SINCE_2012,
    ZG_MEMBER_JOIN_PERIODS
};
int zg_member_join_period(zg_date_t joined_on);
/* The joined_on range of a period: [*from, *to) with ZG_MEMBER_NO_DATE for an open end. */
void zg_member_join_period_range(int period, zg_date_t *from, zg_date_t *to);

/* ---- writes ------------------------------------------------------------------------------ */

/* Who does a write, for membership_event.account_id and the audit log. account_id 0 = the
 * system / CLI. */
typedef struct zg_member_actor {
    int64_t account_id;
    const char *username; /* NULL if none */
    const char *ip;       /* NULL for the CLI */
} zg_member_actor_t;

/* The context and outcome of one write. Initialize with zg_member_op_init. */
typedef struct zg_member_op {
    zg_arena_t *arena; /* messages and results */
    int64_t scope;     /* the caller's scope root */
    zg_member_actor_t actor;
    bool in_tx;             /* the caller holds the write transaction (see the top of this file) */
    bool audit;             /* append the audit entry (default true). False only when the caller
                               appends its own entry covering the write in the same transaction
                               (an import job's one "member.import" entry). */
    zg_date_t today;        /* what the rules take as today (default zg_date_today()) */
    zg_findings_t findings; /* out: rule findings */
    const char *bad_field;  /* out: the input field a ZG_ERR_INVALID / CONFLICT is about */
    int64_t existing_id;    /* out: for member.id_number_unique, the member already holding
                               the ID number when it is in scope (else 0: not revealed) */
} zg_member_op_t;

void zg_member_op_init(zg_member_op_t *op, zg_arena_t *arena, int64_t scope,
                       const zg_member_actor_t *actor);

/* Which fields of a zg_member_input_t are given. */
enum {
    ZG_MEMBER_SET_NAME = 1u << 0,
    ZG_MEMBER_SET_GENDER = 1u << 1,
    ZG_MEMBER_SET_ETHNICITY = 1u << 2,
    ZG_MEMBER_SET_BIRTH_DATE = 1u << 3,
    ZG_MEMBER_SET_ID_NUMBER = 1u << 4,
    ZG_MEMBER_SET_PHONE = 1u << 5,
    ZG_MEMBER_SET_EDUCATION = 1u << 6,
    ZG_MEMBER_SET_DEGREE = 1u << 7,
    ZG_MEMBER_SET_NATIVE_PLACE = 1u << 8,
    ZG_MEMBER_SET_WORK_START = 1u << 9,
    ZG_MEMBER_SET_OCCUPATION = 1u << 10,
    ZG_MEMBER_SET_ORG = 1u << 11, /* create only (moves are events) */
    ZG_MEMBER_SET_DUES_CATEGORY = 1u << 12,
    ZG_MEMBER_SET_JOINED_ON = 1u << 13,    /* create only (corrections are events) */
    ZG_MEMBER_SET_CONVERTED_ON = 1u << 14, /* create only */
};

/* Fields of a create or an update. An empty string (or ZG_MEMBER_NO_DATE for a date) clears
 * an optional field. Strings are not copied before the write returns. */
typedef struct zg_member_input {
    unsigned set; /* ZG_MEMBER_SET_* bits */
    const char *name;
    const char *gender;    /* GB/T 2261.1: "1" male, "2" female */
    const char *ethnicity; /* GB 3304 code (dict ethnicity) */
    zg_date_t birth_date;
    const char *id_number; /* clear, 18 characters (a lowercase x is accepted) */
    const char *phone;     /* clear, 11-digit mainland mobile number */
    const char *education; /* GB/T 4658 code (dict education) */
    const char *degree;    /* GB/T 6864 code (dict degree) */
    const char *native_place;
    zg_date_t work_start_date;
    const char *occupation;    /* a code of zg_member_occupations */
    int64_t org_id;            /* create: the member's org (a branch as a rule) */
    const char *dues_category; /* a code of zg_member_dues_categories */
    zg_date_t joined_on;       /* create: assembly resolution date (入党时间) */
    zg_date_t converted_on;    /* create: record an existing full member converted on this
                                  date (standing_since = converted_on); NO_DATE = probationary */
    const char *first_event;   /* create: "joined" (default) or "transfer_in" (a member whose
                                  relationship comes in from outside the system) */
    const char *note;          /* the first event's note */
} zg_member_input_t;

/* The rules that need no database (the pure part of validation): required fields, the ID
 * number's check digit and its agreement with birth date and gender, age at the join date,
 * the order of the dates, the conversion date, the phone format, the code tables that are
 * fixed lists (gender, occupation, dues category). `in` is the complete record (for an update,
 * the stored record with the changes applied); `today` is what counts as today. Adds findings
 * to `f`, each naming its rule and field. For unit tests and the import's row check. */
void zg_member_check(const zg_member_input_t *in, zg_date_t today, zg_findings_t *f);

/* zg_member_check plus what needs the database: the org (exists, in op->scope, active, a kind
 * that holds members: member.org_accepts / member.org_is_branch), the dictionary codes
 * (ethnicity, education, degree: member.code_valid) and the duplicate ID number through the
 * blind index (member.id_number_unique; `self` = the membership being updated, 0 for a new
 * one). Findings go to op->findings; returns 0 when the checks ran (look at
 * zg_findings_blocking), non-zero on a database or key failure. Writes nothing. */
int zg_member_validate(zg_conn_t *c, zg_member_op_t *op, const zg_member_input_t *in, int64_t self,
                       zg_error_t *err);

/* Creates a person, a membership and its first event(s) after zg_member_validate:
 *   probationary: event "joined" (or "transfer_in") on joined_on, probation_end = joined_on
 *                 + 1 year, one span [joined_on, ∞) probationary;
 *   full (converted_on given): events "joined" and "converted", probation_end = standing_since
 *                 = converted_on, spans [joined_on, converted_on) probationary and
 *                 [converted_on, ∞) full.
 * Required: name, gender, birth_date, org_id, joined_on. A person with the same ID number but
 * no membership yet (recorded by another module) is reused and updated. *id gets the
 * membership id. Audit "member.create" (object "member", detail: the fields given, PII fields
 * only as "set"). */
int zg_member_create(zg_conn_t *c, zg_member_op_t *op, const zg_member_input_t *in, int64_t *id,
                     zg_error_t *err);

/* Changes the person fields and the dues category given in `in` of member `id` (in scope);
 * org, joined_on and converted_on are not changed here (events do that: ZG_ERR_INVALID on
 * those bits). The whole record after the change is validated. Nothing different: ZG_OK and
 * no audit. Audit "member.update" with the changed fields (from/to; PII fields as "changed"). */
int zg_member_update(zg_conn_t *c, zg_member_op_t *op, int64_t id, const zg_member_input_t *in,
                     zg_error_t *err);

/* An event. `kind` is one of (the membership_event kinds of 0006_member.sql):
 *   converted        probationary → full; on_date ≥ probation_end (block
 *                    member.conversion_after_probation); standing_since = probation_end
 *   extended         probation extended by extension_months (6–12, once: block
 *                    member.extension_range / member.extension_once); probationary only
 *   cancelled        probationary status cancelled (取消预备党员资格) → removed
 *   moved            to to_org_id (in scope, accepts members) — see also zg_member_move_org
 *   transfer_in      (transfer module only) the org after an accepted internal transfer
 *   transfer_out     (transfer module only) left the system by an external transfer letter →
 *                    transferred_out
 *   mobile_out / mobile_back   mobile flag on / off (流动党员)
 *   lost_contact     lost_contact_since = on_date; contact_restored clears it
 *   suspended        停止党籍 (art.24) → suspended, suspended_on; warns (member.suspension_
 *                    grounds) when lost contact is shorter than 6 months or not recorded
 *   restored         恢复党籍: suspended → full (or probationary when never converted)
 *   removed          除名/开除/退党 → removed
 *   died             → deceased
 *   corrected        a recorded correction of joined_on / probation_end / standing_since
 *                    (the `set` bits below; note required); moves the first span's start
 *                    with joined_on when nothing else happened in between
 * The status an event needs is checked (block member.event_status: e.g. a full member cannot
 * be converted), and on_date must not be before the open span's start nor after today
 * (member.event_order). */
enum {
    ZG_MEMBER_EVSET_JOINED_ON = 1u << 0,
    ZG_MEMBER_EVSET_PROBATION_END = 1u << 1,
    ZG_MEMBER_EVSET_STANDING_SINCE = 1u << 2,
};
typedef struct zg_member_event_input {
    const char *kind;
    zg_date_t on_date;    /* NO_DATE: today (converted: the probation end) */
    const char *note;     /* ≤ ZG_MEMBER_NOTE_MAX characters */
    int64_t to_org_id;    /* moved / transfer_in */
    int extension_months; /* extended */
    unsigned set;         /* corrected: ZG_MEMBER_EVSET_* */
    zg_date_t joined_on, probation_end, standing_since; /* corrected */
} zg_member_event_input_t;

/* Applies event `ev` to member `id` (in op->scope). Audit "member.event" (detail: kind, date,
 * orgs). *event_id (may be NULL) gets the event's id. */
int zg_member_event(zg_conn_t *c, zg_member_op_t *op, int64_t id, const zg_member_event_input_t *ev,
                    int64_t *event_id, zg_error_t *err);

/* For the transfer module, inside ITS write transaction (this function neither begins nor
 * ends one, and appends no audit entry: the caller records its own, e.g. "transfer.accept"):
 * moves membership `membership_id` to org `to_org` on `on_date` as event `event_kind`
 * ("moved" or "transfer_in"), closing the open span on on_date and opening one in to_org with
 * the same status, updating membership.org_id, and appending the event (from_org_id = the old
 * org, account_id = actor->account_id, `note` may be NULL). No scope check (the caller has
 * checked both orgs); to_org must exist, be active and accept members (else ZG_ERR_INVALID
 * "rule_violation" with the message of rule member.org_accepts). on_date must not be before the
 * open span's start (ZG_ERR_INVALID, member.event_order). Moving to the current org is
 * ZG_ERR_CONFLICT "same_org". *event_id (may be NULL) gets the event id. */
int zg_member_move_org(zg_conn_t *c, const zg_member_actor_t *actor, int64_t membership_id,
                       int64_t to_org, zg_date_t on_date, const char *event_kind, const char *note,
                       int64_t *event_id, zg_error_t *err);

/* For the transfer module, inside its write transaction, no scope check and no audit entry (as
 * zg_member_move_org): applies any event of zg_member_event. Findings go to op->findings;
 * op->in_tx and op->audit are ignored (treated as true / false). */
int zg_member_apply_event(zg_conn_t *c, zg_member_op_t *op, int64_t membership_id,
                          const zg_member_event_input_t *ev, int64_t *event_id, zg_error_t *err);

/* ---- reads ------------------------------------------------------------------------------- */

/* One member. Optional strings are NULL when not set. */
typedef struct zg_member {
    int64_t id; /* membership id */
    int64_t person_id;
    const char *name;
    const char *gender; /* "1" / "2" */
    const char *ethnicity;
    zg_date_t birth_date;
    const char *id_number;        /* clear only when read with reveal_pii, else NULL */
    const char *id_number_masked; /* "430102********1234" */
    const char *phone;            /* clear only with reveal_pii, else NULL */
    const char *phone_masked;     /* "138****5678" */
    const char *education, *degree, *native_place;
    zg_date_t work_start_date;
    const char *occupation;
    int64_t org_id; /* current org (or, in an as-of list, the org on that day) */
    const char *org_name;
    const char *status; /* current status (or the status on the as-of day) */
    const char *dues_category;
    zg_date_t joined_on, probation_end, standing_since;
    bool extended, mobile;
    zg_date_t lost_contact_since, suspended_on;
    const char *created_at, *updated_at;
} zg_member_t;

/* Member `id` in scope. Clear ID number and phone only with reveal_pii (a failure to open them
 * — a tampered row — is ZG_ERR_CRYPTO). No audit: see zg_member_view. */
int zg_member_get(zg_conn_t *c, zg_arena_t *a, int64_t scope, int64_t id, bool reveal_pii,
                  zg_member_t *out, zg_error_t *err);

/* The full-record read (SPEC §1.5): zg_member_get plus the audit entry "member.view" (object
 * "member", detail {"pii": true|false}) in a transaction of its own. */
int zg_member_view(zg_conn_t *c, zg_member_op_t *op, int64_t id, bool reveal_pii, zg_member_t *out,
                   zg_error_t *err);

/* One event of a member's history. */
typedef struct zg_member_event {
    int64_t id, membership_id;
    const char *kind;
    zg_date_t on_date;
    int64_t org_id, from_org_id; /* 0 when none */
    const char *org_name, *from_org_name;
    const char *note;
    int64_t account_id;
    const char *username; /* NULL for the system */
    const char *created_at;
} zg_member_event_t;

/* The history of member `id` (in scope), in (on_date, id) order, at most
 * ZG_MEMBER_EVENTS_MAX (the newest). */
int zg_member_events(zg_conn_t *c, zg_arena_t *a, int64_t scope, int64_t id,
                     zg_member_event_t **items, size_t *n, zg_error_t *err);

/* The org and status of membership `membership_id` on day `date` from its spans (no scope:
 * for the modules' logic; the API reads lists). ZG_ERR_NOT_FOUND when no span covers the day
 * (before joining). *status is a static string. */
int zg_member_state_as_of(zg_conn_t *c, int64_t membership_id, zg_date_t date, int64_t *org_id,
                          const char **status, zg_error_t *err);

/* The membership id holding ID number `id_number` (blind index), in scope. ZG_ERR_NOT_FOUND
 * when nobody holds it; ZG_ERR_CONFLICT "id_number_elsewhere" when a member outside the scope
 * holds it (nothing else about that member is told). For re-imports that update by ID number. */
int zg_member_find_by_id_number(zg_conn_t *c, int64_t scope, const char *id_number, int64_t *id,
                                zg_error_t *err);

/* Where a page of a list ends, in its sort order (keyset paging: zg_member_list fills it in
 * out->last, a query's `after` continues from it). Self-contained: it outlives the page's
 * arena. */
typedef struct zg_member_key {
    bool set;
    int64_t id;                            /* membership */
    int64_t depth, sort, org_id;           /* sort "org": the org's depth, sort, id */
    char text[4 * ZG_MEMBER_NAME_MAX + 1]; /* name, joined_on or birth_date ("" none) */
} zg_member_key_t;

/* A list query. Zero-initialize, then set what is needed (age_band, edu, join_period,
 * mobile, lost_contact = -1 for "any": zg_member_query_init does that). */
typedef struct zg_member_query {
    int64_t org_id;     /* subtree root (in scope); 0 = the scope root */
    bool direct_only;   /* only the members of org_id itself */
    zg_date_t as_of;    /* NO_DATE: the current state; else the org and status on that day */
    const char *status; /* a status, "current" (probationary + full; NULL means this) or "all" */
    const char *dues_category;
    const char *gender;
    const char *occupation;
    int age_band;          /* ZG_MEMBER_AGE_*, on as_of or today; -1 any */
    int edu;               /* ZG_MEMBER_EDU_*; -1 any */
    int join_period;       /* ZG_MEMBER_JOIN_*; -1 any */
    int mobile;            /* 0 / 1; -1 any */
    int lost_contact;      /* 0 / 1; -1 any */
    const char *q;         /* part of the name (% and _ literal) */
    const char *id_number; /* exact, through the blind index (ZG_ERR_INVALID if malformed) */
    const char *sort;      /* "name", "joined_on", "birth_date", "org" (default) */
    bool desc;
    int64_t offset;
    int limit;             /* 1..ZG_MEMBER_PAGE_MAX */
    zg_member_key_t after; /* set: the rows after this key instead of `offset` (exports: one
                              indexed seek a page instead of skipping all rows before it), and
                              the total is not counted (-1) */
} zg_member_query_t;

void zg_member_query_init(zg_member_query_t *q);

typedef struct zg_member_list {
    zg_member_t *items;
    size_t n;
    int64_t total;        /* all matching rows (-1 with q->after) */
    zg_member_key_t last; /* the key of the last item (for q->after of the next page) */
} zg_member_list_t;

/* Members of the subtree matching `q`, one page, through zg_scope_query. Items carry the masked
 * PII, and the clear values too when reveal_pii. */
int zg_member_list(zg_conn_t *c, zg_arena_t *a, int64_t scope, const zg_member_query_t *q,
                   bool reveal_pii, zg_member_list_t *out, zg_error_t *err);

/* Member counts by status. */
typedef struct zg_member_counts {
    int64_t probationary, full, suspended, removed, deceased, transferred_out;
    int64_t total; /* probationary + full: the members the statistics count */
} zg_member_counts_t;

typedef struct zg_member_child_counts {
    int64_t org_id;
    const char *name, *kind;
    zg_member_counts_t subtree;
} zg_member_child_counts_t;

typedef struct zg_member_org_counts {
    int64_t org_id;
    zg_member_counts_t direct;          /* members of the org itself */
    zg_member_counts_t subtree;         /* of the org and everything below */
    zg_member_child_counts_t *children; /* per active child org: its subtree */
    size_t nchildren;
} zg_member_org_counts_t;

/* Counts for org `org_id` (in scope) now (as_of NO_DATE, from membership) or on day as_of
 * (from the spans). */
int zg_member_counts(zg_conn_t *c, zg_arena_t *a, int64_t scope, int64_t org_id, zg_date_t as_of,
                     zg_member_org_counts_t *out, zg_error_t *err);

/* The org module's member counter (installed by zg_member_configure): direct members of
 * org_id, full = status full, total = probationary + full. */
int zg_member_org_counter(zg_conn_t *c, int64_t org_id, int *full, int *total);

/* ---- demo ---------------------------------------------------------------------------------- */

typedef struct zg_member_demo_report {
    bool created;      /* false: members existed, nothing was added */
    int members;       /* members added */
    int branches;      /* branches that received members */
    double seconds;    /* time taken */
    char summary[256]; /* Chinese one-liner */
} zg_member_demo_report_t;

/* Loads about 20,000 members into the branches (branch, joint_branch, temp_branch) under
 * `root_org_id` (the demo city of org_demo.c), in one write transaction, with the 2024
 * bulletin's composition (RULES.md §9: women 30.9%, minorities 7.7%, 大专及以上 57.6%, age
 * bands, occupations and join periods in its proportions), valid ID numbers of Hunan (43)
 * consistent with birth date and gender, mobile numbers, some probationary members, extensions,
 * mobile and lost-contact members. Branch sizes vary (a few above 50, a few with fewer than 3
 * full members; branches without a committee stay below 7 full members). Deterministic (fixed
 * seed). Does nothing (rep->created false) when any member exists. One audit entry
 * "member.demo". Needs the key (zg_member_configure). */
int zg_member_demo(zg_conn_t *c, int64_t root_org_id, zg_member_demo_report_t *rep,
                   zg_error_t *err);

/* The same with a target number of members (tests use a few hundred). */
int zg_member_demo_n(zg_conn_t *c, int64_t root_org_id, int target, zg_member_demo_report_t *rep,
                     zg_error_t *err);

/* ---- HTTP ------------------------------------------------------------------------------ */

/* Registers /api/v1/members… and /api/v1/orgs/{id}/members, /api/v1/orgs/{id}/member-counts
 * (member_api.c; docs/api-members.md). */
int zg_member_routes(zg_router_t *rt);

#endif
