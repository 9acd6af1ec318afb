/* testauth.c — see testauth.h. */
#include "testauth.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/db.h"
#include "modules/account/account.h"
#include "rules/rules.h"

int64_t zg_test_create_account(zg_testsrv_t *t, const char *username, const char *password,
                               int64_t home_org_id, const char *role_code)
{
    zg_error_t err;
    zg_conn_t *c = zg_db_conn(t->app->db, &err);
    if (!c) {
        fprintf(stderr, "zg_test_create_account: no connection: %s\n", err.detail);
        return -1;
    }
    const char *roles[1] = {role_code};
    zg_account_new_t a = {
        .username = username,
        .display_name = username,
        .home_org_id = home_org_id,
        .password = password,
        .must_change_password = false,
        .roles = roles,
        .nroles = role_code ? 1 : 0,
    };
    zg_arena_t arena;
    zg_arena_init(&arena, 4096, 1 << 20);
    zg_findings_t f;
    zg_findings_init(&f, &arena);
    int64_t id = -1;
    if (!password) {
        fprintf(stderr, "zg_test_create_account(%s): a password is required\n", username);
    } else if (zg_account_create(c, &a, &id, &f, &err) != ZG_OK) {
        fprintf(stderr, "zg_test_create_account(%s): %s: %s (%s)\n", username, err.code,
                err.message, err.detail);
        for (int i = 0; i < f.n; i++)
            fprintf(stderr, "  %s: %s\n", f.items[i].rule->id, f.items[i].message);
        id = -1;
    }
    zg_arena_destroy(&arena);
    return id;
}

int zg_test_login(int port, const char *username, const char *password, char *token_out, size_t cap)
{
    if (cap)
        token_out[0] = '\0';
    json_t *req = json_pack("{s:s, s:s}", "username", username, "password", password);
    char *body = req ? json_dumps(req, JSON_COMPACT) : NULL;
    json_decref(req);
    if (!body)
        return -1;
    zg_http_resp_t r;
    int rc = zg_http_post_json(port, "/api/v1/auth/login", body, &r);
    /* json_dumps used jansson's allocator, which a test server replaces (http/json.h) */
    json_malloc_t jm;
    json_free_t jf;
    json_get_alloc_funcs(&jm, &jf);
    jf(body);
    const char *tok = zg_http_json_str(&r, "token");
    if (rc == 0 && r.status == 200 && strlen(tok) + 1 <= cap) {
        memcpy(token_out, tok, strlen(tok) + 1);
        zg_http_resp_free(&r);
        return 0;
    }
    fprintf(stderr, "zg_test_login(%s): %ld %s\n", username, r.status, r.body ? r.body : "");
    zg_http_resp_free(&r);
    return -1;
}

int zg_http_auth(int port, const char *method, const char *path, const char *body,
                 const char *token, zg_http_resp_t *resp)
{
    char auth[128];
    const char *headers[2] = {NULL, NULL};
    if (token) {
        snprintf(auth, sizeof auth, "Authorization: Bearer %s", token);
        headers[0] = auth;
    }
    return zg_http(port, method, path, body, body ? strlen(body) : 0, headers, resp);
}

void zg_test_fast_hashing(zg_config_t *cfg)
{
    cfg->argon2_ops = 1;
    cfg->argon2_mem_kib = 8;
}
