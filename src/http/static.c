/* static.c — static files for the web UI. See static.h for the rules. */
#include "http/static.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct zg_static {
    char root[PATH_MAX]; /* realpath of the root, "" if it does not exist */
};

static const char *not_built_page =
    "<!doctype html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>组工平台</title>"
    "</head><body><h1>组工平台服务已启动</h1><p>Web 界面尚未构建。API 位于 /api/v1/，"
    "健康检查位于 /healthz。</p></body></html>";

int zg_static_open(const char *root, zg_static_t **out, zg_error_t *err)
{
    zg_static_t *s = calloc(1, sizeof *s);
    if (!s)
        return zg_error_set(err, ZG_ERR_NOMEM, "no_memory", "内存不足", "static: calloc");
    char buf[PATH_MAX];
    if (root && root[0] && realpath(root, buf)) {
        struct stat st;
        if (stat(buf, &st) == 0 && S_ISDIR(st.st_mode))
            snprintf(s->root, sizeof s->root, "%s", buf);
    }
    *out = s;
    return ZG_OK;
}

void zg_static_close(zg_static_t *s)
{
    free(s);
}

const char *zg_static_content_type(const char *name)
{
    static const struct {
        const char *ext, *type;
    } types[] = {
        {".html", "text/html; charset=utf-8"},
        {".js", "text/javascript; charset=utf-8"},
        {".mjs", "text/javascript; charset=utf-8"},
        {".css", "text/css; charset=utf-8"},
        {".json", "application/json; charset=utf-8"},
        {".map", "application/json; charset=utf-8"},
        {".svg", "image/svg+xml"},
        {".png", "image/png"},
        {".jpg", "image/jpeg"},
        {".jpeg", "image/jpeg"},
        {".gif", "image/gif"},
        {".webp", "image/webp"},
        {".ico", "image/x-icon"},
        {".woff", "font/woff"},
        {".woff2", "font/woff2"},
        {".ttf", "font/ttf"},
        {".txt", "text/plain; charset=utf-8"},
        {".xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
        {".pdf", "application/pdf"},
        {".wasm", "application/wasm"},
    };
    const char *dot = strrchr(name, '.');
    const char *slash = strrchr(name, '/');
    if (!dot || (slash && dot < slash))
        return "application/octet-stream";
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
        if (!strcasecmp(dot, types[i].ext))
            return types[i].type;
    return "application/octet-stream";
}

int zg_static_path_ok(const char *path)
{
    if (path[0] != '/' || strlen(path) > 1024)
        return 0;
    const char *p = path + 1;
    if (*p == '\0')
        return 1; /* "/" */
    for (;;) {
        const char *e = strchr(p, '/');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        if (len == 0 || p[0] == '.') /* empty, ".", "..", hidden */
            return 0;
        for (size_t i = 0; i < len; i++) {
            unsigned char c = (unsigned char)p[i];
            if (c < 0x20 || c == 0x7f || c == '\\' || c == ':')
                return 0;
        }
        if (!e)
            return 1;
        p = e + 1;
    }
}

static int has_extension(const char *path)
{
    const char *slash = strrchr(path, '/');
    return strchr(slash ? slash : path, '.') != NULL;
}

static int not_found(zg_req_t *r)
{
    return zg_reply_error(r, 404, "not_found", "请求的页面或文件不存在", NULL);
}

/* Opens root+rel if it is a regular file inside the root; -1 otherwise. */
static int open_inside(const zg_static_t *s, const char *rel, struct stat *st)
{
    char full[PATH_MAX], real[PATH_MAX];
    int n = snprintf(full, sizeof full, "%s%s", s->root, rel);
    if (n < 0 || (size_t)n >= sizeof full)
        return -1;
    if (!realpath(full, real))
        return -1;
    size_t rl = strlen(s->root);
    if (strncmp(real, s->root, rl) != 0 || real[rl] != '/')
        return -1;
    int fd = open(real, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0)
        return -1;
    if (fstat(fd, st) != 0 || !S_ISREG(st->st_mode)) {
        close(fd);
        return -1;
    }
    return fd;
}

static int accepts_gzip(zg_req_t *r)
{
    const char *ae = zg_req_header(r, "Accept-Encoding");
    return ae && strstr(ae, "gzip") != NULL;
}

int zg_static_serve(zg_static_t *s, zg_req_t *r)
{
    if (strcmp(r->method, "GET") && strcmp(r->method, "HEAD")) {
        zg_reply_error(r, 405, "method_not_allowed", "不支持该请求方法", NULL);
        zg_reply_header(r, "Allow", "GET, HEAD");
        return ZG_OK;
    }
    if (!zg_static_path_ok(r->path))
        return not_found(r);
    if (!s->root[0]) {
        if (!strcmp(r->path, "/") || !has_extension(r->path))
            return zg_reply_bytes(r, 200, "text/html; charset=utf-8", not_built_page,
                                  strlen(not_built_page));
        return not_found(r);
    }

    const char *rel = r->path;
    if (!strcmp(rel, "/"))
        rel = "/index.html";
    struct stat st;
    int fd = open_inside(s, rel, &st);
    if (fd < 0 && !has_extension(rel)) {
        rel = "/index.html"; /* SPA fallback */
        fd = open_inside(s, rel, &st);
    }
    if (fd < 0)
        return not_found(r);

    char etag[64];
    snprintf(etag, sizeof etag, "\"%llx-%llx\"", (unsigned long long)st.st_size,
             (unsigned long long)st.st_mtime);
    const char *inm = zg_req_header(r, "If-None-Match");
    const char *type = zg_static_content_type(rel);
    const char *cache =
        !strncmp(rel, "/assets/", 8) ? "public, max-age=31536000, immutable" : "no-cache";
    if (inm && !strcmp(inm, etag)) {
        close(fd);
        zg_reply_bytes(r, 304, type, "", 0);
        zg_reply_header(r, "ETag", etag);
        zg_reply_header(r, "Cache-Control", cache);
        return ZG_OK;
    }

    int gz = 0;
    if (accepts_gzip(r) && strlen(rel) + 3 < 1100) {
        char gzrel[1100];
        snprintf(gzrel, sizeof gzrel, "%s.gz", rel);
        struct stat gst;
        int gfd = open_inside(s, gzrel, &gst);
        if (gfd >= 0) {
            close(fd);
            fd = gfd;
            st = gst;
            gz = 1;
        }
    }

    struct MHD_Response *resp = MHD_create_response_from_fd((size_t)st.st_size, fd);
    if (!resp) {
        close(fd);
        return zg_reply_error(r, 500, "internal", "服务器内部错误", NULL);
    }
    if (r->response)
        MHD_destroy_response(r->response);
    r->response = resp;
    r->status = 200;
    r->response_bytes = (size_t)st.st_size;
    r->responded = true;
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, type);
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(resp, "ETag", etag);
    MHD_add_response_header(resp, "Cache-Control", cache);
    MHD_add_response_header(resp, "Vary", "Accept-Encoding");
    if (gz)
        MHD_add_response_header(resp, "Content-Encoding", "gzip");
    if (!strcmp(type, "text/html; charset=utf-8")) {
        MHD_add_response_header(resp, "X-Frame-Options", "DENY");
        MHD_add_response_header(resp, "Referrer-Policy", "same-origin");
        MHD_add_response_header(resp, "Content-Security-Policy",
                                "default-src 'self'; img-src 'self' data: blob:; "
                                "style-src 'self' 'unsafe-inline'; object-src 'none'; "
                                "frame-ancestors 'none'; base-uri 'self'");
    }
    return ZG_OK;
}
