/* failure.c — see failure.h. */
#include "http/failure.h"

#include <string.h>

int zg_reply_write_failure(zg_req_t *r, const zg_findings_t *findings, const char *bad_field,
                           const zg_error_t *err, json_t *extra)
{
    if (!strcmp(err->code, "rule_violation") && findings) {
        json_t *fields = json_object();
        for (int i = 0; i < findings->n; i++) {
            const zg_finding_t *f = &findings->items[i];
            if (f->field && f->rule->severity == ZG_SEV_BLOCK && !json_object_get(fields, f->field))
                json_object_set_new(fields, f->field,
                                    json_string(f->message ? f->message : f->rule->text));
        }
        json_t *body =
            json_pack("{s:s, s:s, s:o, s:o}", "code", "rule_violation", "message", err->message,
                      "fields", fields, "findings", zg_findings_json(findings));
        if (body && extra)
            json_object_update(body, extra);
        json_decref(extra);
        return zg_reply_json(r, 422, body);
    }
    json_decref(extra);
    if (bad_field && (err->status == ZG_ERR_INVALID || err->status == ZG_ERR_CONFLICT ||
                      err->status == ZG_ERR_NOT_FOUND)) {
        json_t *f = json_object();
        json_object_set_new(f, bad_field, json_string(err->message));
        const char *msg = err->status == ZG_ERR_INVALID && !strcmp(err->code, "invalid_fields")
                              ? "提交的内容有误，请按提示修改"
                              : err->message;
        return zg_reply_error(r, zg_http_status_for(err->status), err->code, msg, f);
    }
    return zg_reply_err(r, err);
}
