/* account_api.c — HTTP handlers of the account module: parse, call account.c /
 * account_session.c, render. Endpoints are documented in docs/api-accounts.md. */
#include "modules/account/account.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "app/app.h"
#include "core/utf8.h"
#include "http/auth.h"
#include "http/json.h"
#include "http/request.h"
#include "http/router.h"
#include "modules/account/account_internal.h"

#define Q_MAX_CHARS 64 /* ?q= search text */

/* ---- helpers ---------------------------------------------------------------------------- */

static zg_actor_t actor_of(const zg_req_t *r)
{
    const zg_principal_t *w = r->who;
    return (zg_actor_t){.account_id = w ? w->account_id : 0,
                        .username = w ? w->username : NULL,
                        .ip = r->client_ip,
                        .home_org_id = w ? w->home_org_id : 0};
}

static zg_account_policy_t policy_of(const zg_req_t *r)
{
    return zg_account_policy_from_config(&r->app->config);
}

/* The input field an error code is about (for the 400 body's "fields"), or NULL. */
static const char *field_of(const char *code)
{
    static const struct {
        const char *code, *field;
    } map[] = {
        {"invalid_username", "username"},
        {"username_taken", "username"},
        {"invalid_display_name", "display_name"},
        {"invalid_home_org", "home_org_id"},
        {"business_role_needs_org", "home_org_id"},
        {"unknown_role", "roles"},
        {"too_many_roles", "roles"},
        {"admin_role_not_assignable", "roles"},
        {"business_role_not_allowed", "roles"},
        {"wrong_old_password", "old_password"},
        {"invalid_password", "new_password"},
        {"invalid_role_code", "code"},
        {"invalid_role_name", "name"},
        {"invalid_description", "description"},
        {"unknown_perm", "perms"},
        {"admin_perm_in_role", "perms"},
    };
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (!strcmp(map[i].code, code))
            return map[i].field;
    return NULL;
}

/* Answers a failed call: rule findings → 422 {"code":"rule_violation",…,"findings":[…]};
 * a bad field → 400 invalid_fields naming it; anything else by its status. */
static int reply_failure(zg_req_t *r, const zg_error_t *err, const zg_findings_t *f)
{
    if (!strcmp(err->code, "rule_violation") && f && f->n > 0) {
        json_t *body =
            json_pack("{s:s, s:s, s:o, s:o}", "code", "rule_violation", "message", err->message,
                      "fields", json_object(), "findings", zg_findings_json(f));
        return zg_reply_json(r, 422, body);
    }
    const char *field = err->status == ZG_ERR_INVALID ? field_of(err->code) : NULL;
    if (field)
        return zg_reply_error(r, 400, "invalid_fields", "提交的内容有误，请按提示修改",
                              json_pack("{s:s}", field, err->message));
    return zg_reply_err(r, err);
}

/* The {id} path parameter; answers 404 and returns false when it is not a positive id. */
static bool path_id(zg_req_t *r, int64_t *id, const char *what)
{
    const char *v = zg_req_param(r, "id");
    char *end = NULL;
    long long n = v && *v && strlen(v) <= 19 ? strtoll(v, &end, 10) : 0;
    if (!v || !end || *end || n <= 0) {
        zg_reply_error(r, 404, "not_found", what, NULL);
        return false;
    }
    *id = n;
    return true;
}

static json_t *str_or_null(const char *s)
{
    return s ? json_string(s) : json_null();
}

static json_t *roles_json(const zg_role_ref_t *roles, int n)
{
    json_t *a = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(a,
                              json_pack("{s:s, s:s, s:s}", "code", roles[i].code, "name",
                                        roles[i].name, "kind", zg_role_kind_name(roles[i].kind)));
    return a;
}

static json_t *account_json(const zg_account_info_t *a)
{
    return json_pack(
        "{s:I, s:s, s:s, s:o, s:o, s:s, s:b, s:b, s:o, s:i, s:o, s:o, s:o, s:o, s:o}", "id",
        (json_int_t)a->id, "username", a->username, "display_name", a->display_name, "home_org_id",
        a->home_org_id ? json_integer(a->home_org_id) : json_null(), "home_org_name",
        str_or_null(a->home_org_name), "status", a->status, "must_change_password",
        a->must_change_password, "locked", a->locked, "locked_until", str_or_null(a->locked_until),
        "failed_count", a->failed_count, "password_changed_at", str_or_null(a->password_changed_at),
        "last_login_at", str_or_null(a->last_login_at), "created_at", str_or_null(a->created_at),
        "updated_at", str_or_null(a->updated_at), "roles", roles_json(a->roles, a->nroles));
}

static json_t *role_json(const zg_role_info_t *ro)
{
    json_t *perms = json_array();
    for (int i = 0; i < ro->nperms; i++)
        json_array_append_new(perms, json_string(ro->perms[i]));
    return json_pack("{s:I, s:s, s:s, s:s, s:s, s:b, s:o, s:I}", "id", (json_int_t)ro->id, "code",
                     ro->code, "name", ro->name, "description", ro->description, "kind",
                     zg_role_kind_name(ro->kind), "builtin", ro->builtin, "perms", perms,
                     "account_count", (json_int_t)ro->account_count);
}

/* An array of short strings from a request body (role codes, permissions) as a C array in
 * the request arena; answers 400 naming `field` and returns false when an element is not a
 * string of 1..64 characters. */
static bool string_list(zg_req_t *r, json_t *arr, const char *field, const char *label,
                        const char ***out, int *n)
{
    size_t len = json_array_size(arr);
    const char **v = zg_arena_calloc(&r->arena, len ? len : 1, sizeof *v);
    if (!v) {
        zg_reply_error(r, 503, "no_memory", "服务器内存不足，请稍后重试", NULL);
        return false;
    }
    for (size_t i = 0; i < len; i++) {
        json_t *e = json_array_get(arr, i);
        const char *s = json_string_value(e);
        if (!s || !*s || json_string_length(e) > 64 || strlen(s) != json_string_length(e)) {
            char msg[128];
            snprintf(msg, sizeof msg, "%s应为代码（文本）的列表", label);
            zg_reply_error(r, 400, "invalid_fields", "提交的内容有误，请按提示修改",
                           json_pack("{s:s}", field, msg));
            return false;
        }
        v[i] = s;
    }
    *out = v;
    *n = (int)len;
    return true;
}

/* Query parameter as an int in [min, max], or `def` when absent. Answers 400 and returns
 * false when it is not. */
static bool query_int(zg_req_t *r, const char *name, int def, int min, int max, int *out)
{
    const char *v = zg_req_query(r, name);
    if (!v) {
        *out = def;
        return true;
    }
    char *end = NULL;
    long n = *v && strlen(v) <= 9 ? strtol(v, &end, 10) : -1;
    if (!end || *end || n < min || n > max) {
        char msg[96];
        snprintf(msg, sizeof msg, "应为 %d 到 %d 之间的整数", min, max);
        zg_reply_error(r, 400, "invalid_fields", "提交的内容有误，请按提示修改",
                       json_pack("{s:s}", name, msg));
        return false;
    }
    *out = (int)n;
    return true;
}

/* ---- session cookie --------------------------------------------------------------------- */

static bool served_over_https(zg_req_t *r, const zg_account_policy_t *p)
{
    if (p->cookie_secure)
        return true;
    const char *xf = zg_req_header(r, "X-Forwarded-Proto");
    return xf && !strcasecmp(xf, "https");
}

/* Set-Cookie for `token` ("" clears the cookie). */
static void set_session_cookie(zg_req_t *r, const zg_account_policy_t *p, const char *token)
{
    bool https = served_over_https(r, p);
    char *v = zg_arena_sprintf(&r->arena, "%s=%s; Path=/;%s HttpOnly; SameSite=Strict%s",
                               https ? ZG_SESSION_COOKIE_SECURE : ZG_SESSION_COOKIE, token,
                               https ? " Secure;" : "", *token ? "" : "; Max-Age=0");
    if (v)
        zg_reply_header(r, "Set-Cookie", v);
}

/* ---- /auth ------------------------------------------------------------------------------ */

/* POST /api/v1/auth/login {"username","password"} */
static int login(zg_req_t *r)
{
    const char *username = NULL, *password = NULL;
    zg_field_t fields[] = {
        {.name = "username",
         .label = "用户名",
         .type = ZG_F_STRING,
         .required = true,
         .min = 1,
         .max = 64,
         .out = &username},
        {.name = "password",
         .label = "密码",
         .type = ZG_F_STRING,
         .required = true,
         .min = 1,
         .max = ZG_PASSWORD_MAX_CHARS,
         .out = &password},
    };
    if (zg_json_read(r, fields, 2))
        return ZG_OK;
    zg_conn_t *c = zg_req_db(r);
    if (!c)
        return ZG_OK;
    zg_account_policy_t pol = policy_of(r);
    bool via_cookie, bearer_bad;
    zg_login_input_t in = {
        .username = username,
        .password = password,
        .ip = r->client_ip,
        .user_agent = zg_req_header(r, "User-Agent"),
        .previous_token = acct_request_token(r, &via_cookie, &bearer_bad),
    };
    zg_login_result_t res;
    zg_error_t err;
    if (zg_account_login(c, &pol, &in, &res, &err))
        return reply_failure(r, &err, NULL);
    zg_account_info_t info;
    if (zg_account_get(c, &r->arena, NULL, res.account_id, &info, &err))
        return zg_reply_err(r, &err);
    json_t *body =
        json_pack("{s:s, s:s, s:o, s:b}", "token", res.token, "csrf_token", res.csrf_token,
                  "account", account_json(&info), "must_change_password", res.must_change_password);
    zg_reply_json(r, 200, body);
    set_session_cookie(r, &pol, res.token);
    sodium_memzero(res.token, sizeof res.token);
    return ZG_OK;
}

/* POST /api/v1/auth/logout */
static int logout(zg_req_t *r)
{
    zg_conn_t *c = zg_req_db(r);
    if (!c)
        return ZG_OK;
    zg_actor_t actor = actor_of(r);
    zg_error_t err;
    if (zg_account_logout(c, &actor, r->who->session_id, &err))
        return zg_reply_err(r, &err);
    zg_account_policy_t pol = policy_of(r);
    zg_reply_json(r, 200, json_pack("{s:b}", "ok", 1));
    set_session_cookie(r, &pol, "");
    return ZG_OK;
}

/* GET /api/v1/auth/me */
static int me(zg_req_t *r)
{
    zg_conn_t *c = zg_req_db(r);
    if (!c)
        return ZG_OK;
    const zg_principal_t *w = r->who;
    zg_account_info_t info;
    zg_error_t err;
    if (zg_account_get(c, &r->arena, NULL, w->account_id, &info, &err))
        return zg_reply_err(r, &err);
    json_t *perms = json_array();
    for (int i = 0; i < w->nperms; i++)
        json_array_append_new(perms, json_string(w->perms[i]));
    zg_account_policy_t pol = policy_of(r);
    json_t *expires = json_null();
    int64_t changed;
    if (pol.password_expiry_days > 0 && info.password_changed_at &&
        zg_account_ts_parse(info.password_changed_at, &changed) == 0) {
        char ts[ZG_TIMESTAMP_SIZE];
        zg_account_ts_format(changed + (int64_t)pol.password_expiry_days * 86400, ts);
        expires = json_string(ts);
    }
    json_t *body =
        json_pack("{s:o, s:o, s:o, s:s, s:b, s:o}", "account", account_json(&info), "roles",
                  roles_json(info.roles, info.nroles), "permissions", perms, "csrf_token",
                  w->csrf_token ? w->csrf_token : "", "must_change_password",
                  w->must_change_password, "password_expires_at", expires);
    return zg_reply_json(r, 200, body);
}

/* POST /api/v1/auth/password {"old_password","new_password"} */
static int change_password(zg_req_t *r)
{
    const char *old_pw = NULL, *new_pw = NULL;
    zg_field_t fields[] = {
        {.name = "old_password",
         .label = "原密码",
         .type = ZG_F_STRING,
         .required = true,
         .min = 1,
         .max = ZG_PASSWORD_MAX_CHARS,
         .out = &old_pw},
        {.name = "new_password",
         .label = "新密码",
         .type = ZG_F_STRING,
         .required = true,
         .min = 1,
         .max = ZG_PASSWORD_MAX_CHARS,
         .out = &new_pw},
    };
    if (zg_json_read(r, fields, 2))
        return ZG_OK;
    zg_conn_t *c = zg_req_db(r);
    if (!c)
        return ZG_OK;
    zg_account_policy_t pol = policy_of(r);
    zg_actor_t actor = actor_of(r);
    zg_findings_t f;
    zg_findings_init(&f, &r->arena);
    zg_error_t err;
    if (zg_account_change_password(c, &pol, &actor, r->who->session_id, old_pw, new_pw, &f, &err))
        return reply_failure(r, &err, &f);
    return zg_reply_json(r, 200, json_pack("{s:b, s:b}", "ok", 1, "must_change_password", 0));
}

/* GET /api/v1/permissions */
static int list_permissions(zg_req_t *r)
{
    json_t *items = json_array();
    for (size_t i = 0; i < zg_perms_count(); i++) {
        const zg_perm_info_t *p = zg_perms_at(i);
        json_array_append_new(items, json_pack("{s:s, s:s, s:s}", "perm", p->perm, "text", p->text,
                                               "group", zg_perm_group_name(p->group)));
    }
    return zg_reply_json(
        r, 200, json_pack("{s:o, s:I}", "items", items, "total", (json_int_t)zg_perms_count()));
}

/* ---- /accounts -------------------------------------------------------------------------- */

/* GET /api/v1/accounts?q=&status=&page=&page_size= */
static int list_accounts(zg_req_t *r)
{
    int page, page_size;
    if (!query_int(r, "page", 1, 1, 1000000, &page) ||
        !query_int(r, "page_size", 20, 1, 100, &page_size))
        return ZG_OK;
    const char *q = zg_req_query(r, "q");
    size_t qchars = 0;
    if (q && (zg_utf8_strlen(q, strlen(q), &qchars) || qchars > Q_MAX_CHARS))
        return zg_reply_error(r, 400, "invalid_fields", "提交的内容有误，请按提示修改",
                              json_pack("{s:s}", "q", "搜索内容不能超过64个字"));
    const char *status = zg_req_query(r, "status");
    if (status && *status && strcmp(status, "active") && strcmp(status, "disabled"))
        return zg_reply_error(r, 400, "invalid_fields", "提交的内容有误，请按提示修改",
                              json_pack("{s:s}", "status", "状态应为 active 或 disabled"));
    zg_conn_t *c = zg_req_db(r);
    if (!c)
        return ZG_OK;
    zg_actor_t actor = actor_of(r);
    zg_account_info_t *items;
    int n;
    int64_t total;
    zg_error_t err;
    if (zg_account_list(c, &r->arena, &actor, q, status && *status ? status : NULL, page, page_size,
                        &items, &n, &total, &err))
        return reply_failure(r, &err, NULL);
    json_t *arr = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(arr, account_json(&items[i]));
    return zg_reply_json(r, 200,
                         json_pack("{s:o, s:I, s:i, s:i}", "items", arr, "total", (json_int_t)total,
                                   "page", page, "page_size", page_size));
}

static int reply_account(zg_req_t *r, zg_conn_t *c, int status, int64_t id, const char *otp)
{
    zg_actor_t actor = actor_of(r);
    zg_account_info_t info;
    zg_error_t err;
    if (zg_account_get(c, &r->arena, &actor, id, &info, &err))
        return zg_reply_err(r, &err);
    if (otp)
        return zg_reply_json(
            r, status,
            json_pack("{s:o, s:s}", "account", account_json(&info), "one_time_password", otp));
    return zg_reply_json(r, status, account_json(&info));
}

/* POST /api/v1/accounts {"username","display_name",["home_org_id"],["roles"]} */
static int create_account(zg_req_t *r)
{
    const char *username = NULL, *display_name = NULL;
    int64_t home_org_id = 0;
    json_t *roles = NULL;
    zg_field_t fields[] = {
        {.name = "username",
         .label = "用户名",
         .type = ZG_F_STRING,
         .required = true,
         .min = 1,
         .max = ZG_USERNAME_MAX,
         .out = &username},
        {.name = "display_name",
         .label = "姓名",
         .type = ZG_F_STRING,
         .required = true,
         .min = 1,
         .max = ZG_DISPLAY_NAME_MAX,
         .out = &display_name},
        {.name = "home_org_id",
         .label = "所属党组织",
         .type = ZG_F_INT,
         .min = 1,
         .max = INT64_MAX,
         .out = &home_org_id},
        {.name = "roles", .label = "角色", .type = ZG_F_ARRAY, .min = 0, .max = 32, .out = &roles},
    };
    if (zg_json_read(r, fields, 4))
        return ZG_OK;
    const char **codes = NULL;
    int ncodes = 0;
    if (roles && !string_list(r, roles, "roles", "角色", &codes, &ncodes))
        return ZG_OK;
    zg_conn_t *c = zg_req_db(r);
    if (!c)
        return ZG_OK;
    zg_actor_t actor = actor_of(r);
    zg_account_new_t a = {
        .username = username,
        .display_name = display_name,
        .home_org_id = home_org_id,
        .roles = codes,
        .nroles = ncodes,
        .admin_roles_only = !zg_principal_can(r->who, "account:assign_role"),
        .actor = &actor,
    };
    zg_findings_t f;
    zg_findings_init(&f, &r->arena);
    int64_t id = 0;
    zg_error_t err;
    if (zg_account_create(c, &a, &id, &f, &err))
        return reply_failure(r, &err, &f);
    char *otp = zg_arena_strdup(&r->arena, a.one_time_password);
    memset(a.one_time_password, 0, sizeof a.one_time_password);
    return reply_account(r, c, 201, id, otp ? otp : "");
}

/* GET /api/v1/accounts/{id} */
static int get_account(zg_req_t *r)
{
    int64_t id;
    if (!path_id(r, &id, "账号不存在或不在您的管理范围内"))
        return ZG_OK;
    zg_conn_t *c = zg_req_db(r);
    return c ? reply_account(r, c, 200, id, NULL) : ZG_OK;
}

/* PATCH /api/v1/accounts/{id} {["display_name"],["home_org_id"]} (home_org_id 0 = none) */
static int update_account(zg_req_t *r)
{
    int64_t id;
    if (!path_id(r, &id, "账号不存在或不在您的管理范围内"))
        return ZG_OK;
    const char *display_name = NULL;
    int64_t home_org_id = 0;
    bool has_org = false;
    zg_field_t fields[] = {
        {.name = "display_name",
         .label = "姓名",
         .type = ZG_F_STRING,
         .min = 1,
         .max = ZG_DISPLAY_NAME_MAX,
         .out = &display_name},
        {.name = "home_org_id",
         .label = "所属党组织",
         .type = ZG_F_INT,
         .min = 0,
         .max = INT64_MAX,
         .out = &home_org_id,
         .present = &has_org},
    };
    if (zg_json_read(r, fields, 2))
        return ZG_OK;
    zg_conn_t *c = zg_req_db(r);
    if (!c)
        return ZG_OK;
    zg_actor_t actor = actor_of(r);
    zg_error_t err;
    if (zg_account_update(c, &actor, id, display_name, has_org, home_org_id, &err))
        return reply_failure(r, &err, NULL);
    return reply_account(r, c, 200, id, NULL);
}

/* POST /api/v1/accounts/{id}/disable | enable | unlock | reset-password (no body) */
static int account_action(zg_req_t *r, int what)
{
    int64_t id;
    if (!path_id(r, &id, "账号不存在或不在您的管理范围内"))
        return ZG_OK;
    zg_conn_t *c = zg_req_db(r);
    if (!c)
        return ZG_OK;
    zg_actor_t actor = actor_of(r);
    zg_error_t err;
    char otp[ZG_ONE_TIME_PASSWORD_SIZE] = "";
    int rc;
    switch (what) {
    case 0:
        rc = zg_account_set_disabled(c, &actor, id, true, &err);
        break;
    case 1:
        rc = zg_account_set_disabled(c, &actor, id, false, &err);
        break;
    case 2:
        rc = zg_account_unlock(c, &actor, id, &err);
        break;
    default:
        rc = zg_account_reset_password(c, &actor, id, otp, &err);
        break;
    }
    if (rc)
        return reply_failure(r, &err, NULL);
    char *copy = otp[0] ? zg_arena_strdup(&r->arena, otp) : NULL;
    memset(otp, 0, sizeof otp);
    return reply_account(r, c, 200, id, copy);
}

static int disable_account(zg_req_t *r)
{
    return account_action(r, 0);
}

static int enable_account(zg_req_t *r)
{
    return account_action(r, 1);
}

static int unlock_account(zg_req_t *r)
{
    return account_action(r, 2);
}

static int reset_password(zg_req_t *r)
{
    return account_action(r, 3);
}

/* PUT /api/v1/accounts/{id}/roles {"roles":[codes]} — business roles only */
static int set_account_roles(zg_req_t *r)
{
    int64_t id;
    if (!path_id(r, &id, "账号不存在或不在您的管理范围内"))
        return ZG_OK;
    json_t *roles = NULL;
    zg_field_t fields[] = {
        {.name = "roles",
         .label = "角色",
         .type = ZG_F_ARRAY,
         .required = true,
         .min = 0,
         .max = 32,
         .out = &roles},
    };
    if (zg_json_read(r, fields, 1))
        return ZG_OK;
    const char **codes = NULL;
    int n = 0;
    if (!string_list(r, roles, "roles", "角色", &codes, &n))
        return ZG_OK;
    zg_conn_t *c = zg_req_db(r);
    if (!c)
        return ZG_OK;
    zg_actor_t actor = actor_of(r);
    zg_findings_t f;
    zg_findings_init(&f, &r->arena);
    zg_error_t err;
    if (zg_account_set_roles(c, &actor, id, codes, n, true, &f, &err))
        return reply_failure(r, &err, &f);
    return reply_account(r, c, 200, id, NULL);
}

/* ---- /roles ----------------------------------------------------------------------------- */

static int list_roles(zg_req_t *r)
{
    zg_conn_t *c = zg_req_db(r);
    if (!c)
        return ZG_OK;
    zg_role_info_t *items;
    int n;
    zg_error_t err;
    if (zg_role_list(c, &r->arena, &items, &n, &err))
        return zg_reply_err(r, &err);
    json_t *arr = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(arr, role_json(&items[i]));
    return zg_reply_json(r, 200, json_pack("{s:o, s:i}", "items", arr, "total", n));
}

static int reply_role(zg_req_t *r, zg_conn_t *c, int status, int64_t id)
{
    zg_role_info_t ro;
    zg_error_t err;
    if (zg_role_get(c, &r->arena, id, &ro, &err))
        return zg_reply_err(r, &err);
    return zg_reply_json(r, status, role_json(&ro));
}

static int get_role(zg_req_t *r)
{
    int64_t id;
    if (!path_id(r, &id, "角色不存在"))
        return ZG_OK;
    zg_conn_t *c = zg_req_db(r);
    return c ? reply_role(r, c, 200, id) : ZG_OK;
}

/* POST /api/v1/roles {"code","name",["description"],"perms":[...]} */
static int create_role(zg_req_t *r)
{
    const char *code = NULL, *name = NULL, *description = NULL;
    json_t *perms = NULL;
    zg_field_t fields[] = {
        {.name = "code",
         .label = "角色代码",
         .type = ZG_F_STRING,
         .required = true,
         .min = 1,
         .max = 32,
         .out = &code},
        {.name = "name",
         .label = "角色名称",
         .type = ZG_F_STRING,
         .required = true,
         .min = 1,
         .max = 30,
         .out = &name},
        {.name = "description",
         .label = "说明",
         .type = ZG_F_STRING,
         .max = 200,
         .out = &description},
        {.name = "perms",
         .label = "权限",
         .type = ZG_F_ARRAY,
         .required = true,
         .max = 128,
         .out = &perms},
    };
    if (zg_json_read(r, fields, 4))
        return ZG_OK;
    const char **pv = NULL;
    int np = 0;
    if (!string_list(r, perms, "perms", "权限", &pv, &np))
        return ZG_OK;
    zg_conn_t *c = zg_req_db(r);
    if (!c)
        return ZG_OK;
    zg_actor_t actor = actor_of(r);
    int64_t id = 0;
    zg_error_t err;
    if (zg_role_create(c, &actor, code, name, description, pv, np, &id, &err))
        return reply_failure(r, &err, NULL);
    return reply_role(r, c, 201, id);
}

/* PATCH /api/v1/roles/{id} {["name"],["description"],["perms"]} */
static int update_role(zg_req_t *r)
{
    int64_t id;
    if (!path_id(r, &id, "角色不存在"))
        return ZG_OK;
    const char *name = NULL, *description = NULL;
    json_t *perms = NULL;
    zg_field_t fields[] = {
        {.name = "name",
         .label = "角色名称",
         .type = ZG_F_STRING,
         .min = 1,
         .max = 30,
         .out = &name},
        {.name = "description",
         .label = "说明",
         .type = ZG_F_STRING,
         .max = 200,
         .out = &description},
        {.name = "perms", .label = "权限", .type = ZG_F_ARRAY, .max = 128, .out = &perms},
    };
    if (zg_json_read(r, fields, 3))
        return ZG_OK;
    const char **pv = NULL;
    int np = 0;
    if (perms && !string_list(r, perms, "perms", "权限", &pv, &np))
        return ZG_OK;
    zg_conn_t *c = zg_req_db(r);
    if (!c)
        return ZG_OK;
    zg_actor_t actor = actor_of(r);
    zg_error_t err;
    if (zg_role_update(c, &actor, id, name, description, perms ? pv : NULL, np, &err))
        return reply_failure(r, &err, NULL);
    return reply_role(r, c, 200, id);
}

/* DELETE /api/v1/roles/{id} */
static int delete_role(zg_req_t *r)
{
    int64_t id;
    if (!path_id(r, &id, "角色不存在"))
        return ZG_OK;
    zg_conn_t *c = zg_req_db(r);
    if (!c)
        return ZG_OK;
    zg_actor_t actor = actor_of(r);
    zg_error_t err;
    if (zg_role_delete(c, &actor, id, &err))
        return reply_failure(r, &err, NULL);
    return zg_reply_json(r, 200, json_pack("{s:b}", "ok", 1));
}

/* ---- the route table -------------------------------------------------------------------- */

int zg_account_routes(zg_router_t *rt)
{
    static const zg_route_t routes[] = {
        {.method = "POST",
         .pattern = "/api/v1/auth/login",
         .handler = login,
         .flags = ZG_ROUTE_PUBLIC,
         .summary = "登录（用户名、密码），返回令牌并设置会话 Cookie"},
        {.method = "POST",
         .pattern = "/api/v1/auth/logout",
         .handler = logout,
         .flags = ZG_ROUTE_PWCHANGE,
         .summary = "退出登录"},
        {.method = "GET",
         .pattern = "/api/v1/auth/me",
         .handler = me,
         .flags = ZG_ROUTE_PWCHANGE,
         .summary = "当前账号、角色与权限"},
        {.method = "POST",
         .pattern = "/api/v1/auth/password",
         .handler = change_password,
         .flags = ZG_ROUTE_PWCHANGE,
         .summary = "修改本人密码"},
        {.method = "GET",
         .pattern = "/api/v1/permissions",
         .handler = list_permissions,
         .summary = "权限目录"},
        {.method = "GET",
         .pattern = "/api/v1/accounts",
         .handler = list_accounts,
         .summary = "账号列表（搜索、分页）",
         .perm = "account:read"},
        {.method = "POST",
         .pattern = "/api/v1/accounts",
         .handler = create_account,
         .summary = "创建账号（返回一次性密码）",
         .perm = "account:write"},
        {.method = "GET",
         .pattern = "/api/v1/accounts/{id}",
         .handler = get_account,
         .summary = "账号详情",
         .perm = "account:read"},
        {.method = "PATCH",
         .pattern = "/api/v1/accounts/{id}",
         .handler = update_account,
         .summary = "修改账号（姓名、所属党组织）",
         .perm = "account:write"},
        {.method = "POST",
         .pattern = "/api/v1/accounts/{id}/disable",
         .handler = disable_account,
         .summary = "停用账号",
         .perm = "account:write"},
        {.method = "POST",
         .pattern = "/api/v1/accounts/{id}/enable",
         .handler = enable_account,
         .summary = "启用账号",
         .perm = "account:write"},
        {.method = "POST",
         .pattern = "/api/v1/accounts/{id}/unlock",
         .handler = unlock_account,
         .summary = "解除账号锁定",
         .perm = "account:write"},
        {.method = "POST",
         .pattern = "/api/v1/accounts/{id}/reset-password",
         .handler = reset_password,
         .summary = "重置密码（返回一次性密码，首次登录须修改）",
         .perm = "account:write"},
        {.method = "PUT",
         .pattern = "/api/v1/accounts/{id}/roles",
         .handler = set_account_roles,
         .summary = "设置账号的业务角色",
         .perm = "account:assign_role"},
        {.method = "GET",
         .pattern = "/api/v1/roles",
         .handler = list_roles,
         .summary = "角色列表",
         .perm = "role:read"},
        {.method = "POST",
         .pattern = "/api/v1/roles",
         .handler = create_role,
         .summary = "创建业务角色",
         .perm = "role:write"},
        {.method = "GET",
         .pattern = "/api/v1/roles/{id}",
         .handler = get_role,
         .summary = "角色详情",
         .perm = "role:read"},
        {.method = "PATCH",
         .pattern = "/api/v1/roles/{id}",
         .handler = update_role,
         .summary = "修改业务角色",
         .perm = "role:write"},
        {.method = "DELETE",
         .pattern = "/api/v1/roles/{id}",
         .handler = delete_role,
         .summary = "删除业务角色",
         .perm = "role:write"},
    };
    return ZG_ROUTES(rt, routes);
}
