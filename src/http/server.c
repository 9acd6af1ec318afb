/* server.c — libmicrohttpd glue. See server.h for a request's path. */
#include "http/server.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "app/app.h"
#include "core/log.h"
#include "db/db.h"
#include "http/auth.h"
#include "http/json.h"
#include "http/router.h"
#include "http/static.h"

struct zg_server {
    struct MHD_Daemon *daemon;
    zg_app_t *app;
    int port;
    atomic_long active;
};

static int64_t now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void client_ip(struct MHD_Connection *conn, char *buf, size_t cap)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    buf[0] = '\0';
    if (!ci || !ci->client_addr)
        return;
    const struct sockaddr *sa = ci->client_addr;
    if (sa->sa_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, buf, (socklen_t)cap);
    else if (sa->sa_family == AF_INET6)
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, buf, (socklen_t)cap);
}

/* Makes the request context on the first callback. NULL when memory is short. */
static zg_req_t *new_request(zg_server_t *s, struct MHD_Connection *conn, const char *url,
                             const char *method)
{
    zg_arena_t arena;
    zg_arena_init(&arena, 8192, (size_t)s->app->config.request_memory_max);
    zg_req_t *r = zg_arena_calloc(&arena, 1, sizeof *r);
    if (!r) {
        zg_arena_destroy(&arena);
        return NULL;
    }
    r->arena = arena; /* the arena struct moves into the request; blocks stay where they are */
    r->app = s->app;
    r->conn = conn;
    r->method = method;
    r->path = url;
    r->start_us = now_us();
    r->body_max = s->app->config.body_max;
    client_ip(conn, r->client_ip, sizeof r->client_ip);
    zg_strbuf_init(&r->body, &r->arena, (size_t)r->body_max);
    return r;
}

static void dispatch(zg_server_t *s, zg_req_t *r)
{
    zg_app_t *app = s->app;
    if (r->body_too_large) {
        zg_reply_error(r, 413, "body_too_large", "请求内容过大", NULL);
        return;
    }
    char allow[64];
    const zg_route_t *route = r->route;
    zg_match_result m =
        route ? ZG_MATCH_OK
              : zg_router_match(app->router, r->method, r->path, r, &route, allow, sizeof allow);
    if (m == ZG_MATCH_OK) {
        r->route = route;
        zg_json_use_arena(&r->arena);
        if (zg_auth_check(r) != ZG_OK) { /* answered: 401, 403 or 404 */
            zg_json_use_arena(NULL);
            return;
        }
        int rc = route->handler(r);
        zg_json_use_arena(NULL);
        if (!r->responded) {
            zg_error_t err;
            zg_error_set(&err, rc ? rc : ZG_ERR_INTERNAL, NULL, NULL,
                         "handler for %s %s returned %d without answering", r->method,
                         route->pattern, rc);
            zg_reply_err(r, &err);
        }
        return;
    }
    if (m == ZG_MATCH_BAD_METHOD) {
        zg_reply_error(r, 405, "method_not_allowed", "不支持该请求方法", NULL);
        zg_reply_header(r, "Allow", allow);
        return;
    }
    if (!strncmp(r->path, "/api/", 5) || !strcmp(r->path, "/api")) {
        zg_reply_error(r, 404, "not_found", "请求的接口不存在", NULL);
        return;
    }
    zg_static_serve(app->web, r);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **con_cls)
{
    (void)version;
    zg_server_t *s = cls;
    zg_req_t *r = *con_cls;
    if (!r) {
        r = new_request(s, conn, url, method);
        if (!r)
            return MHD_NO; /* out of memory: drop the connection */
        *con_cls = r;
        atomic_fetch_add(&s->active, 1);
        /* Route now (kept for dispatch): the route decides the body cap, and upload routes
         * may take more. A path that matches no route is routed again at dispatch, where the
         * 404/405/static decision is made. */
        const zg_route_t *route = NULL;
        if (zg_router_match(s->app->router, method, url, r, &route, NULL, 0) == ZG_MATCH_OK)
            r->route = route;
        if (route && (route->flags & ZG_ROUTE_UPLOAD)) {
            r->body_max = s->app->config.upload_max;
            r->body.max = (size_t)r->body_max;
        }
        const char *cl =
            MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
        if (cl && strtoull(cl, NULL, 10) > (unsigned long long)r->body_max) {
            /* Refuse before reading: answering now makes MHD close the connection after the
             * 413 instead of reading a body we would throw away. */
            r->body_too_large = true;
            dispatch(s, r);
            enum MHD_Result ok = MHD_queue_response(conn, (unsigned)r->status, r->response);
            MHD_destroy_response(r->response);
            r->response = NULL;
            return ok;
        }
        return MHD_YES;
    }
    if (*upload_data_size) {
        r->body_seen += *upload_data_size;
        if (!r->body_too_large &&
            zg_strbuf_append(&r->body, upload_data, *upload_data_size) != ZG_OK)
            r->body_too_large = true;
        *upload_data_size = 0;
        /* A chunked body far over the cap: stop reading and drop the connection. */
        if (r->body_too_large && r->body_seen > 2 * (uint64_t)r->body_max)
            return MHD_NO;
        return MHD_YES;
    }
    if (!r->responded)
        dispatch(s, r);
    if (!r->response)
        return MHD_NO;
    enum MHD_Result ok = MHD_queue_response(conn, (unsigned)r->status, r->response);
    MHD_destroy_response(r->response);
    r->response = NULL;
    return ok;
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    (void)conn;
    zg_server_t *s = cls;
    zg_req_t *r = *con_cls;
    if (!r)
        return;
    *con_cls = NULL;
    if (zg_log_access_enabled())
        zg_log_access("%s %s %s %d %zu %lldus%s", r->client_ip, r->method, r->path, r->status,
                      r->response_bytes, (long long)(now_us() - r->start_us),
                      toe == MHD_REQUEST_TERMINATED_COMPLETED_OK ? "" : " aborted");
    if (r->response)
        MHD_destroy_response(r->response);
    zg_db_settle(r->app ? r->app->db : NULL); /* nothing may outlive the request on this thread */
    zg_arena_t arena = r->arena;
    zg_arena_destroy(&arena); /* r itself lives in the arena */
    atomic_fetch_sub(&s->active, 1);
}

static void mhd_log(void *cls, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
    (void)cls;
    char buf[512];
    vsnprintf(buf, sizeof buf, fmt, ap);
    size_t n = strlen(buf);
    while (n && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
        buf[--n] = '\0';
    zg_log_warn("http: %s", buf);
}

/* Parses "host:port", "[v6]:port" or ":port" into a socket address. */
static int parse_listen(const char *listen, struct sockaddr_storage *ss, socklen_t *len, int *v6)
{
    char host[256];
    const char *colon;
    memset(ss, 0, sizeof *ss);
    if (listen[0] == '[') {
        const char *rb = strchr(listen, ']');
        if (!rb || rb[1] != ':' || (size_t)(rb - listen - 1) >= sizeof host)
            return -1;
        memcpy(host, listen + 1, (size_t)(rb - listen - 1));
        host[rb - listen - 1] = '\0';
        colon = rb + 1;
    } else {
        colon = strrchr(listen, ':');
        if (!colon || (size_t)(colon - listen) >= sizeof host)
            return -1;
        memcpy(host, listen, (size_t)(colon - listen));
        host[colon - listen] = '\0';
    }
    char *end;
    long port = strtol(colon + 1, &end, 10);
    if (*end || end == colon + 1 || port < 0 || port > 65535)
        return -1;
    if (host[0] == '\0' || !strcmp(host, "0.0.0.0"))
        snprintf(host, sizeof host, "0.0.0.0");
    else if (!strcmp(host, "localhost"))
        snprintf(host, sizeof host, "127.0.0.1");
    struct sockaddr_in *a4 = (struct sockaddr_in *)ss;
    struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)ss;
    if (inet_pton(AF_INET, host, &a4->sin_addr) == 1) {
        a4->sin_family = AF_INET;
        a4->sin_port = htons((uint16_t)port);
        *len = sizeof *a4;
        *v6 = 0;
        return 0;
    }
    if (inet_pton(AF_INET6, host, &a6->sin6_addr) == 1) {
        a6->sin6_family = AF_INET6;
        a6->sin6_port = htons((uint16_t)port);
        *len = sizeof *a6;
        *v6 = 1;
        return 0;
    }
    return -1;
}

int zg_server_start(zg_app_t *app, zg_server_t **out, zg_error_t *err)
{
    const zg_config_t *c = &app->config;
    struct sockaddr_storage ss;
    socklen_t sslen;
    int v6;
    if (parse_listen(c->listen, &ss, &sslen, &v6) != 0)
        return zg_error_set(err, ZG_ERR_INVALID, "bad_listen",
                            "监听地址格式错误，应为“地址:端口”，例如 127.0.0.1:8080",
                            "bad listen address '%.200s'", c->listen);
    zg_server_t *s = calloc(1, sizeof *s);
    if (!s)
        return zg_error_set(err, ZG_ERR_NOMEM, "no_memory", "内存不足", "server: calloc");
    s->app = app;
    zg_json_install_allocator();
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC |
                     MHD_USE_ERROR_LOG | MHD_USE_TURBO;
    if (v6)
        flags |= MHD_USE_IPv6;
    s->daemon = MHD_start_daemon(
        flags, 0, NULL, NULL, on_request, s, MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL,
        MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss, MHD_OPTION_THREAD_POOL_SIZE,
        (unsigned)c->threads, MHD_OPTION_CONNECTION_LIMIT, (unsigned)c->conn_max,
        MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)c->conn_per_ip, MHD_OPTION_CONNECTION_TIMEOUT,
        (unsigned)c->conn_timeout, MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)c->header_max + 8192,
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, s, MHD_OPTION_LISTEN_BACKLOG_SIZE, 1024u,
        MHD_OPTION_END);
    if (!s->daemon) {
        free(s);
        return zg_error_set(err, ZG_ERR_IO, "listen_failed",
                            "无法在指定地址启动服务（端口可能已被占用）", "cannot listen on %.200s",
                            c->listen);
    }
    const union MHD_DaemonInfo *di = MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_BIND_PORT);
    s->port = di ? di->port : 0;
    *out = s;
    return ZG_OK;
}

int zg_server_port(const zg_server_t *s)
{
    return s->port;
}

long zg_server_active(const zg_server_t *s)
{
    return atomic_load(&s->active);
}

void zg_server_stop(zg_server_t *s, int grace_seconds)
{
    if (!s)
        return;
    MHD_socket fd = MHD_quiesce_daemon(s->daemon);
    if (fd != MHD_INVALID_SOCKET)
        close(fd);
    int64_t deadline = now_us() + (int64_t)grace_seconds * 1000000;
    while (atomic_load(&s->active) > 0 && now_us() < deadline)
        usleep(10000);
    long left = atomic_load(&s->active);
    if (left > 0)
        zg_log_warn("shutdown: %ld request(s) still running after %d s, closing them", left,
                    grace_seconds);
    MHD_stop_daemon(s->daemon);
    zg_log_flush();
    free(s);
}
