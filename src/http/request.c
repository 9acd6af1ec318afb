/* request.c — request accessors and the zg_reply_* family. Response bodies are built in the
 * request arena and handed to libmicrohttpd as persistent buffers: the arena outlives the
 * response (it is freed in the completion callback, after the last byte is sent). */
#include "http/request.h"

#include <microhttpd.h>
#include <string.h>

#include "app/app.h"
#include "core/log.h"
#include "db/db.h"

const char *zg_req_param(const zg_req_t *r, const char *name)
{
    for (int i = 0; i < r->nparams; i++)
        if (!strcmp(r->param_names[i], name))
            return r->param_values[i];
    return NULL;
}

const char *zg_req_query(const zg_req_t *r, const char *name)
{
    return r->conn ? MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, name) : NULL;
}

const char *zg_req_header(const zg_req_t *r, const char *name)
{
    return r->conn ? MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name) : NULL;
}

zg_conn_t *zg_req_db(zg_req_t *r)
{
    zg_error_t err;
    zg_conn_t *c = zg_db_conn(r->app->db, &err);
    if (!c)
        zg_reply_err(r, &err);
    return c;
}

int zg_http_status_for(int st)
{
    switch (st) {
    case ZG_OK:
        return 200;
    case ZG_ERR_INVALID:
        return 400;
    case ZG_ERR_UNAUTHORIZED:
        return 401;
    case ZG_ERR_FORBIDDEN:
        return 403;
    case ZG_ERR_NOT_FOUND:
        return 404;
    case ZG_ERR_CONFLICT:
        return 409;
    case ZG_ERR_TOO_LARGE:
        return 413;
    case ZG_ERR_BUSY:
        return 503;
    default:
        return 500;
    }
}

static void common_headers(struct MHD_Response *resp)
{
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
}

int zg_reply_bytes(zg_req_t *r, int status, const char *content_type, const void *data, size_t len)
{
    if (r->response) {
        MHD_destroy_response(r->response);
        r->response = NULL;
    }
    void *copy = len ? zg_arena_alloc(&r->arena, len) : NULL;
    if (len && !copy) {
        static const char oom[] =
            "{\"code\":\"no_memory\",\"message\":\"服务器内存不足，请稍后重试\","
            "\"fields\":{}}";
        status = 503;
        content_type = "application/json; charset=utf-8";
        data = oom;
        len = sizeof oom - 1;
    } else if (len) {
        memcpy(copy, data, len);
        data = copy;
    }
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(len, (void *)(len ? data : ""), MHD_RESPMEM_PERSISTENT);
    if (!resp)
        return ZG_ERR_NOMEM;
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, content_type);
    common_headers(resp);
    r->response = resp;
    r->status = status;
    r->response_bytes = len;
    r->responded = true;
    return ZG_OK;
}

static int dump_cb(const char *buf, size_t size, void *data)
{
    return zg_strbuf_append((zg_strbuf_t *)data, buf, size) ? -1 : 0;
}

int zg_reply_json(zg_req_t *r, int status, json_t *json)
{
    zg_strbuf_t sb;
    zg_strbuf_init(&sb, &r->arena, 0);
    int rc = json ? json_dump_callback(json, dump_cb, &sb, JSON_COMPACT) : -1;
    json_decref(json);
    if (rc != 0) {
        static const char fail[] =
            "{\"code\":\"internal\",\"message\":\"服务器内部错误\",\"fields\":{}}";
        zg_log_error("response serialization failed for %s %s", r->method, r->path);
        return zg_reply_bytes(r, 500, "application/json; charset=utf-8", fail, sizeof fail - 1);
    }
    return zg_reply_json_text(r, status, sb.data, sb.len);
}

int zg_reply_json_text(zg_req_t *r, int status, const char *json, size_t len)
{
    int rc = zg_reply_bytes(r, status, "application/json; charset=utf-8", json, len);
    if (rc == ZG_OK)
        zg_reply_header(r, "Cache-Control", "no-store");
    return rc;
}

int zg_reply_error(zg_req_t *r, int http_status, const char *code, const char *message,
                   json_t *fields)
{
    json_t *body = json_object();
    json_object_set_new(body, "code", json_string(code));
    json_object_set_new(body, "message", json_string(message));
    json_object_set_new(body, "fields", fields ? fields : json_object());
    zg_reply_json(r, http_status, body);
    return ZG_OK;
}

int zg_reply_err(zg_req_t *r, const zg_error_t *err)
{
    int http = zg_http_status_for(err->status);
    if (http >= 500 && err->status != ZG_ERR_BUSY) {
        zg_log_error("%s %s: %s: %s", r->method, r->path, zg_status_name(err->status), err->detail);
        return zg_reply_error(r, http, "internal", "服务器内部错误，请稍后重试或联系管理员", NULL);
    }
    if (err->detail[0])
        zg_log_debug("%s %s: %s", r->method, r->path, err->detail);
    return zg_reply_error(r, http, err->code[0] ? err->code : zg_status_name(err->status),
                          err->message[0] ? err->message : "请求无法完成", NULL);
}

void zg_reply_header(zg_req_t *r, const char *name, const char *value)
{
    if (r->response)
        MHD_add_response_header(r->response, name, value);
}
