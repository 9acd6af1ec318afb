/* testsrv.h — for API tests: a real zugong server on an ephemeral port, in this process, on a
 * fresh database of the backend named by ZG_TEST_BACKEND ("sqlite" or "postgres"), and a small
 * libcurl client to call it over real HTTP. */
#ifndef ZG_TEST_TESTSRV_H
#define ZG_TEST_TESTSRV_H

#include <jansson.h>
#include <stddef.h>

#include "app/app.h"
#include "core/config.h"
#include "http/server.h"

typedef struct zg_testsrv {
    zg_app_t *app;
    zg_server_t *srv;
    int port;
    char backend[16];
    char db_url[1024];
    char web_dir[256]; /* a temp dir with index.html, app.js, assets/x.js, .secret */
} zg_testsrv_t;

/* The backend under test: $ZG_TEST_BACKEND or "sqlite". */
const char *zg_test_backend(void);

/* Starts a server; `tweak` (may be NULL) may change the config first. Returns 0, or 1 when
 * the backend is unavailable (postgres without ZG_TEST_PG_URL): the caller should skip(). */
int zg_testsrv_start(zg_testsrv_t *t, void (*tweak)(zg_config_t *));
void zg_testsrv_stop(zg_testsrv_t *t);

typedef struct zg_http_resp {
    long status;
    char *body; /* NUL-terminated, malloc'd */
    size_t len;
    char *headers; /* raw header block, malloc'd */
    json_t *json;  /* parsed body if it is JSON, else NULL */
} zg_http_resp_t;

/* One request to 127.0.0.1:port. `body` may be NULL. `headers` is a NULL-terminated array of
 * "Name: value" strings (may be NULL). When body is set and no Content-Type header is given,
 * application/json is sent. Returns 0 or -1 on a transport failure. */
int zg_http(int port, const char *method, const char *path, const char *body, size_t len,
            const char *const *headers, zg_http_resp_t *out);
/* Shorthands. */
int zg_http_get(int port, const char *path, zg_http_resp_t *out);
int zg_http_post_json(int port, const char *path, const char *json, zg_http_resp_t *out);
void zg_http_resp_free(zg_http_resp_t *r);
/* Value of a response header (case-insensitive), copied into buf; NULL if absent. */
const char *zg_http_resp_header(const zg_http_resp_t *r, const char *name, char *buf, size_t cap);
/* A raw TCP connection to 127.0.0.1:port with a 10 s receive timeout, or -1. */
int zg_test_connect(int port);
/* json_string_value of member `key` of the body, or "" */
const char *zg_http_json_str(const zg_http_resp_t *r, const char *key);

#endif
