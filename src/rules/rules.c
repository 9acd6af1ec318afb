/* rules.c — rule lookup, validation of the catalog, findings. */
#include "rules/rules.h"

#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/log.h"

const zg_rule_t *zg_rule_get(const char *id)
{
    size_t n = zg_rules_count();
    for (size_t i = 0; i < n; i++) {
        const zg_rule_t *r = zg_rules_at(i);
        if (!strcmp(r->id, id))
            return r;
    }
    return NULL;
}

const char *zg_severity_name(zg_severity s)
{
    switch (s) {
    case ZG_SEV_BLOCK:
        return "block";
    case ZG_SEV_WARN:
        return "warn";
    default:
        return "info";
    }
}

int zg_rules_validate(zg_error_t *err)
{
    size_t n = zg_rules_count();
    for (size_t i = 0; i < n; i++) {
        const zg_rule_t *r = zg_rules_at(i);
        if (!r->id || !r->text || !r->citation || !r->confidence || !r->text[0] ||
            !r->citation[0] || strlen(r->confidence) != 1 || !strchr("VSLU", r->confidence[0]) ||
            r->severity < ZG_SEV_BLOCK || r->severity > ZG_SEV_INFO || !strchr(r->id, '.'))
            return zg_error_set(err, ZG_ERR_INTERNAL, "rule_catalog", "内部错误：规则目录无效",
                                "rule #%zu (%s) is incomplete", i, r->id ? r->id : "?");
        for (size_t k = 0; k < i; k++)
            if (!strcmp(zg_rules_at(k)->id, r->id))
                return zg_error_set(err, ZG_ERR_INTERNAL, "rule_catalog", "内部错误：规则目录无效",
                                    "duplicate rule id %s", r->id);
    }
    return ZG_OK;
}

void zg_findings_init(zg_findings_t *f, zg_arena_t *arena)
{
    f->arena = arena;
    f->n = 0;
}

void zg_findings_add(zg_findings_t *f, const char *rule_id, const char *field, const char *fmt, ...)
{
    const zg_rule_t *r = zg_rule_get(rule_id);
    assert(r && "unknown rule id");
    if (!r) {
        zg_log_error("finding of unknown rule %s dropped", rule_id);
        return;
    }
    if (f->n == ZG_FINDINGS_MAX)
        return;
    zg_finding_t *it = &f->items[f->n];
    it->rule = r;
    it->field = field;
    it->message = r->text;
    if (fmt) {
        va_list ap;
        va_start(ap, fmt);
        char *m = zg_arena_vsprintf(f->arena, fmt, ap);
        va_end(ap);
        if (m)
            it->message = m;
    }
    f->n++;
}

bool zg_findings_blocking(const zg_findings_t *f)
{
    for (int i = 0; i < f->n; i++)
        if (f->items[i].rule->severity == ZG_SEV_BLOCK)
            return true;
    return false;
}

bool zg_findings_has(const zg_findings_t *f, const char *rule_id)
{
    for (int i = 0; i < f->n; i++)
        if (!strcmp(f->items[i].rule->id, rule_id))
            return true;
    return false;
}

json_t *zg_rule_json(const zg_rule_t *r)
{
    return json_pack("{s:s, s:s, s:s, s:s, s:s}", "id", r->id, "text", r->text, "citation",
                     r->citation, "confidence", r->confidence, "severity",
                     zg_severity_name(r->severity));
}

json_t *zg_findings_json(const zg_findings_t *f)
{
    json_t *a = json_array();
    for (int i = 0; i < f->n; i++) {
        const zg_finding_t *it = &f->items[i];
        json_array_append_new(a, json_pack("{s:s, s:s, s:s, s:s, s:s, s:s?}", "rule", it->rule->id,
                                           "severity", zg_severity_name(it->rule->severity),
                                           "message", it->message, "citation", it->rule->citation,
                                           "confidence", it->rule->confidence, "field", it->field));
    }
    return a;
}
