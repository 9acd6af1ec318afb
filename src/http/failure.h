/* failure.h — answering a write that failed, one way for every module whose writes check the
 * rules of the registry (org, member, transfer):
 *   - a rule violation: 422 {"code":"rule_violation","message","fields","findings"}, where
 *     `fields` maps each field named by a blocking finding to its message (the first one), so a
 *     form can mark the field, and `findings` lists every finding with its citation;
 *   - an error about one field (`bad_field`, set by the module: a bad value, a duplicate, an
 *     org out of scope): the error's status with `fields` naming it;
 *   - anything else: zg_reply_err (status from the error, internal errors logged and hidden). */
#ifndef ZG_HTTP_FAILURE_H
#define ZG_HTTP_FAILURE_H

#include <jansson.h>

#include "core/status.h"
#include "http/request.h"
#include "rules/rules.h"

/* `extra` (reference stolen, may be NULL): members added to the 422 body (e.g. the id of the
 * record a duplicate points at); dropped for the other answers. Returns 0. */
int zg_reply_write_failure(zg_req_t *r, const zg_findings_t *findings, const char *bad_field,
                           const zg_error_t *err, json_t *extra);

#endif
