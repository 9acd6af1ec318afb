/* checks_api.c — HTTP handlers for the form checks. A check that fails is still a 200 answer
 * with "valid": false and the reason: the request was fine, the data is not. */
#include "modules/checks/checks.h"

#include "core/date.h"
#include "core/validate.h"
#include "http/json.h"
#include "http/request.h"
#include "http/router.h"

/* POST /api/v1/checks/id-number {"id_number"} */
static int check_id_number(zg_req_t *r)
{
    const char *id = NULL;
    const zg_field_t fields[] = {
        {"id_number", "身份证号", ZG_F_STRING, true, 1, ZG_IDNUM_LEN, &id, NULL},
    };
    int rc = zg_json_read(r, fields, 1);
    if (rc)
        return rc;
    zg_idnum_info_t info;
    zg_error_t err;
    if (zg_idnum_check(id, &info, &err) != ZG_OK)
        return zg_reply_json(
            r, 200,
            json_pack("{s:b, s:s, s:s}", "valid", 0, "code", err.code, "message", err.message));
    char birth[ZG_DATE_STR_SIZE];
    zg_date_format(info.birth, birth);
    return zg_reply_json(r, 200,
                         json_pack("{s:b, s:s, s:s, s:s, s:s}", "valid", 1, "birth_date", birth,
                                   "gender", info.gender == ZG_GENDER_MALE ? "1" : "2",
                                   "gender_label", info.gender == ZG_GENDER_MALE ? "男" : "女",
                                   "region_code", info.region));
}

/* POST /api/v1/checks/phone {"phone"} */
static int check_phone(zg_req_t *r)
{
    const char *phone = NULL;
    const zg_field_t fields[] = {
        {"phone", "手机号码", ZG_F_STRING, true, 1, ZG_PHONE_LEN, &phone, NULL},
    };
    int rc = zg_json_read(r, fields, 1);
    if (rc)
        return rc;
    zg_error_t err;
    if (zg_phone_check(phone, &err) != ZG_OK)
        return zg_reply_json(
            r, 200,
            json_pack("{s:b, s:s, s:s}", "valid", 0, "code", err.code, "message", err.message));
    return zg_reply_json(r, 200, json_pack("{s:b}", "valid", 1));
}

int zg_checks_routes(zg_router_t *rt)
{
    static const zg_route_t routes[] = {
        {.method = "POST",
         .pattern = "/api/v1/checks/id-number",
         .handler = check_id_number,
         .flags = ZG_ROUTE_PUBLIC,
         .summary = "校验身份证号（校验码、出生日期、性别）"},
        {.method = "POST",
         .pattern = "/api/v1/checks/phone",
         .handler = check_phone,
         .flags = ZG_ROUTE_PUBLIC,
         .summary = "校验手机号码"},
    };
    return ZG_ROUTES(rt, routes);
}
