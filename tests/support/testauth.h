/* testauth.h — logging in from API tests: accounts made directly through the account module
 * on a test server's database, a login over HTTP that returns the session token, and requests
 * that carry it as `Authorization: Bearer`.
 *
 *   int64_t id = zg_test_create_account(&S, "county_viewer", "Test-Pass-2025", county, "viewer");
 *   char token[ZG_TEST_TOKEN_SIZE];
 *   assert_int_equal(zg_test_login(S.port, "county_viewer", "Test-Pass-2025", token,
 *                                  sizeof token), 0);
 *   zg_http_resp_t r;
 *   zg_http_auth(S.port, "GET", "/api/v1/orgs", NULL, token, &r);
 *
 * Passwords must pass the password policy (≥ 8 characters, 3 of 4 character classes, not
 * containing the username). Logins cost one argon2id hash each: start the server with a tweak
 * that lowers argon2_ops / argon2_mem_kib (see zg_test_fast_hashing). */
#ifndef ZG_TEST_TESTAUTH_H
#define ZG_TEST_TESTAUTH_H

#include <stddef.h>
#include <stdint.h>

#include "core/config.h"
#include "testsrv.h"

#define ZG_TEST_TOKEN_SIZE 65 /* 64 hex characters + NUL */

/* Creates an active account that need not change its password, holding `role_code` (NULL =
 * no role; a business role needs home_org_id != 0; 0 = no home org, for the administrator
 * roles "sysadmin", "secadmin", "auditor"). Returns the account id, or -1 (the reason and any
 * rule findings on stderr). */
int64_t zg_test_create_account(zg_testsrv_t *t, const char *username, const char *password,
                               int64_t home_org_id, const char *role_code);

/* POST /api/v1/auth/login; on 200 copies the token into token_out (cap ≥ ZG_TEST_TOKEN_SIZE)
 * and returns 0; otherwise prints the answer on stderr and returns -1. */
int zg_test_login(int port, const char *username, const char *password, char *token_out,
                  size_t cap);

/* One request with `Authorization: Bearer <token>` (token NULL: no header) and a JSON body
 * (NULL: none). Returns 0 or -1 on a transport failure, as zg_http. */
int zg_http_auth(int port, const char *method, const char *path, const char *body,
                 const char *token, zg_http_resp_t *resp);

/* A zg_testsrv_start tweak: the cheapest argon2id cost (1 pass, 8 KiB), so tests that log in
 * often stay fast. Never for production. */
void zg_test_fast_hashing(zg_config_t *cfg);

#endif
