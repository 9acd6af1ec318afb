/* rules.h — the rule registry (SPEC §1 "Regulation as code"). Every rule the system enforces
 * or warns about is a zg_rule_t with an id, a short Chinese text, the citation it comes from
 * with RULES.md's confidence tag, and a severity. Modules keep their rules in one table each
 * (src/modules/<name>/<name>_rules.c); src/rules/catalog.c lists the tables. Checks report
 * findings that name their rule, and the API returns them with the record:
 *
 *   "findings": [{"rule": "org.branch_size_max", "severity": "warn",
 *                 "message": "党支部党员人数一般不超过50人（现有 53 人）",
 *                 "citation": "《中国共产党支部工作条例（试行）》第四条", "confidence": "V",
 *                 "field": "member_count"}]
 *
 * A finding of severity block stops the write (HTTP 422 with the findings); warn and info are
 * returned alongside a successful write. */
#ifndef ZG_RULES_RULES_H
#define ZG_RULES_RULES_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/arena.h"
#include "core/status.h"

typedef enum {
    ZG_SEV_BLOCK = 1, /* "shall" rules: the write is refused */
    ZG_SEV_WARN = 2,  /* "generally" rules: allowed, the user is told */
    ZG_SEV_INFO = 3   /* for the record */
} zg_severity;

typedef struct zg_rule {
    const char *id;       /* "<module>.<name>", stable: tests and data refer to it */
    const char *text;     /* the rule in Chinese, one sentence */
    const char *citation; /* "《中国共产党支部工作条例（试行）》第四条" or "本地实践（可配置）" */
    const char *confidence; /* RULES.md tag: "V", "S", "L" or "U" */
    zg_severity severity;
} zg_rule_t;

/* The rule with this id, or NULL. */
const zg_rule_t *zg_rule_get(const char *id);
/* All registered rules, in catalog order. */
size_t zg_rules_count(void);
const zg_rule_t *zg_rules_at(size_t i);
/* "block" / "warn" / "info" */
const char *zg_severity_name(zg_severity s);
/* Checks the catalog once (unique ids, every field set); the server refuses to start on a bad
 * catalog. */
int zg_rules_validate(zg_error_t *err);

#define ZG_FINDINGS_MAX 64

typedef struct zg_finding {
    const zg_rule_t *rule;
    const char *field;   /* the input field it is about, or NULL */
    const char *message; /* Chinese, with the figures: "现有 53 人" */
} zg_finding_t;

/* Findings of one check; strings live in `arena`. Initialize with zg_findings_init. */
typedef struct zg_findings {
    zg_arena_t *arena;
    int n;
    zg_finding_t items[ZG_FINDINGS_MAX];
} zg_findings_t;

void zg_findings_init(zg_findings_t *f, zg_arena_t *arena);

/* Adds a finding of rule `rule_id` (which must exist: an unknown id is a bug and aborts in
 * debug builds, is dropped in release). `fmt` formats the message; NULL uses the rule's text. */
void zg_findings_add(zg_findings_t *f, const char *rule_id, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Whether any finding blocks. */
bool zg_findings_blocking(const zg_findings_t *f);
/* Whether a finding of this rule is present. */
bool zg_findings_has(const zg_findings_t *f, const char *rule_id);

/* The findings as a JSON array (see the top of this file). */
json_t *zg_findings_json(const zg_findings_t *f);
/* One rule as JSON {"id","text","citation","confidence","severity"}. */
json_t *zg_rule_json(const zg_rule_t *r);

#endif
