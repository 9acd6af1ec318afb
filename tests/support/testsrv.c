/* testsrv.c — see testsrv.h. */
#include "testsrv.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/log.h"
#include "testdb.h"

const char *zg_test_backend(void)
{
    const char *b = getenv("ZG_TEST_BACKEND");
    return b && *b ? b : "sqlite";
}

static void write_file(const char *dir, const char *name, const char *text)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    if (f) {
        fputs(text, f);
        fclose(f);
    }
}

static void make_web_dir(zg_testsrv_t *t)
{
    snprintf(t->web_dir, sizeof t->web_dir, "/tmp/zgweb-XXXXXX");
    if (!mkdtemp(t->web_dir)) {
        t->web_dir[0] = '\0';
        return;
    }
    char sub[300];
    snprintf(sub, sizeof sub, "%s/assets", t->web_dir);
    mkdir(sub, 0755);
    write_file(t->web_dir, "index.html", "<!doctype html><title>组工</title><div id=app></div>");
    write_file(t->web_dir, "app.css", "body{color:#c00}");
    write_file(t->web_dir, "assets/index-abc123.js", "console.log('zugong')");
    write_file(t->web_dir, ".secret", "do not serve");
}

static void remove_web_dir(const char *dir)
{
    static const char *files[] = {"index.html", "app.css", "assets/index-abc123.js", ".secret"};
    char path[512];
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, files[i]);
        unlink(path);
    }
    snprintf(path, sizeof path, "%s/assets", dir);
    rmdir(path);
    rmdir(dir);
}

int zg_testsrv_start(zg_testsrv_t *t, void (*tweak)(zg_config_t *))
{
    memset(t, 0, sizeof *t);
    snprintf(t->backend, sizeof t->backend, "%s", zg_test_backend());
    if (zg_testdb_url(t->backend, t->db_url, sizeof t->db_url) != 0)
        return 1;
    make_web_dir(t);
    zg_config_t cfg;
    zg_config_defaults(&cfg);
    snprintf(cfg.listen, sizeof cfg.listen, "127.0.0.1:0");
    snprintf(cfg.db, sizeof cfg.db, "%s", t->db_url);
    snprintf(cfg.web_dir, sizeof cfg.web_dir, "%s", t->web_dir);
    cfg.threads = 2;
    cfg.access_log = getenv("ZG_TEST_ACCESS_LOG") != NULL;
    zg_log_set_access(cfg.access_log);
    zg_log_set_level(ZG_LOG_WARN);
    cfg.argon2_ops = 1; /* tests do many logins: the cheapest argon2id the library accepts */
    cfg.argon2_mem_kib = 8;
    if (tweak)
        tweak(&cfg);
    zg_error_t err;
    if (zg_app_open(&cfg, &t->app, &err)) {
        fprintf(stderr, "app open failed: %s (%s)\n", err.message, err.detail);
        abort();
    }
    if (zg_server_start(t->app, &t->srv, &err)) {
        fprintf(stderr, "server start failed: %s (%s)\n", err.message, err.detail);
        abort();
    }
    t->port = zg_server_port(t->srv);
    return 0;
}

void zg_testsrv_stop(zg_testsrv_t *t)
{
    if (t->srv)
        zg_server_stop(t->srv, 5);
    if (t->app)
        zg_app_close(t->app);
    if (t->web_dir[0])
        remove_web_dir(t->web_dir);
    zg_testdb_cleanup();
    memset(t, 0, sizeof *t);
}

typedef struct {
    char *data;
    size_t len;
} buf_t;

static size_t on_data(char *p, size_t size, size_t n, void *ud)
{
    buf_t *b = ud;
    size_t add = size * n;
    char *nd = realloc(b->data, b->len + add + 1);
    if (!nd)
        return 0;
    memcpy(nd + b->len, p, add);
    b->data = nd;
    b->len += add;
    b->data[b->len] = '\0';
    return add;
}

int zg_http(int port, const char *method, const char *path, const char *body, size_t len,
            const char *const *headers, zg_http_resp_t *out)
{
    memset(out, 0, sizeof *out);
    CURL *c = curl_easy_init();
    if (!c)
        return -1;
    char url[4096];
    snprintf(url, sizeof url, "http://127.0.0.1:%d%s", port, path);
    buf_t b = {0}, h = {0};
    struct curl_slist *hl = NULL;
    int has_ct = 0;
    for (const char *const *p = headers; p && *p; p++) {
        hl = curl_slist_append(hl, *p);
        if (!strncasecmp(*p, "Content-Type:", 13))
            has_ct = 1;
    }
    if (body && !has_ct)
        hl = curl_slist_append(hl, "Content-Type: application/json");
    hl = curl_slist_append(hl, "Expect:");
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_PATH_AS_IS, 1L);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    if (!strcmp(method, "HEAD"))
        curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
    if (body) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
    }
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, hl);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_data);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, &h);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
    CURLcode rc = curl_easy_perform(c);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &out->status);
    curl_slist_free_all(hl);
    curl_easy_cleanup(c);
    out->body = b.data ? b.data : strdup("");
    out->len = b.len;
    out->headers = h.data ? h.data : strdup("");
    if (out->len)
        out->json = json_loadb(out->body, out->len, 0, NULL);
    return rc == CURLE_OK ? 0 : -1;
}

int zg_http_get(int port, const char *path, zg_http_resp_t *out)
{
    return zg_http(port, "GET", path, NULL, 0, NULL, out);
}

int zg_http_post_json(int port, const char *path, const char *json, zg_http_resp_t *out)
{
    return zg_http(port, "POST", path, json, strlen(json), NULL, out);
}

void zg_http_resp_free(zg_http_resp_t *r)
{
    free(r->body);
    free(r->headers);
    json_decref(r->json);
    memset(r, 0, sizeof *r);
}

const char *zg_http_resp_header(const zg_http_resp_t *r, const char *name, char *buf, size_t cap)
{
    size_t nl = strlen(name);
    for (const char *p = r->headers; p && *p;) {
        const char *e = strstr(p, "\r\n");
        size_t ll = e ? (size_t)(e - p) : strlen(p);
        if (ll > nl && p[nl] == ':' && !strncasecmp(p, name, nl)) {
            const char *v = p + nl + 1;
            while (*v == ' ')
                v++;
            size_t vl = (size_t)(p + ll - v);
            if (vl >= cap)
                vl = cap - 1;
            memcpy(buf, v, vl);
            buf[vl] = '\0';
            return buf;
        }
        if (!e)
            break;
        p = e + 2;
    }
    return NULL;
}

const char *zg_http_json_str(const zg_http_resp_t *r, const char *key)
{
    const char *s = r->json ? json_string_value(json_object_get(r->json, key)) : NULL;
    return s ? s : "";
}

int zg_test_connect(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
    if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
        close(fd);
        return -1;
    }
    struct timeval tv = {.tv_sec = 10};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    return fd;
}
