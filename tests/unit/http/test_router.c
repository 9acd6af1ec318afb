/* test_router.c — route matching, parameters, specificity, 405 and malformed patterns. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "http/router.h"

static int h1(zg_req_t *r)
{
    (void)r;
    return 1;
}
static int h2(zg_req_t *r)
{
    (void)r;
    return 2;
}
static int h3(zg_req_t *r)
{
    (void)r;
    return 3;
}

static zg_router_t *make(void)
{
    zg_router_t *rt = zg_router_new();
    static const zg_route_t routes[] = {
        {.method = "GET", .pattern = "/api/v1/orgs", .handler = h1, .flags = 0, .summary = "list"},
        {.method = "POST",
         .pattern = "/api/v1/orgs",
         .handler = h2,
         .flags = 0,
         .summary = "create"},
        {.method = "GET",
         .pattern = "/api/v1/orgs/{id}",
         .handler = h2,
         .flags = 0,
         .summary = "get"},
        {.method = "GET",
         .pattern = "/api/v1/orgs/search",
         .handler = h3,
         .flags = 0,
         .summary = "search"},
        {.method = "DELETE",
         .pattern = "/api/v1/orgs/{id}",
         .handler = h1,
         .flags = 0,
         .summary = "delete"},
        {.method = "GET",
         .pattern = "/api/v1/orgs/{id}/members/{mid}",
         .handler = h3,
         .flags = 0,
         .summary = "member"},
    };
    assert_int_equal(ZG_ROUTES(rt, routes), 0);
    return rt;
}

static void test_match_literal_and_params(void **state)
{
    (void)state;
    zg_router_t *rt = make();
    zg_req_t req;
    memset(&req, 0, sizeof req);
    zg_arena_init(&req.arena, 0, 0);
    const zg_route_t *route;
    char allow[64];
    assert_int_equal(zg_router_match(rt, "GET", "/api/v1/orgs", &req, &route, allow, 64),
                     ZG_MATCH_OK);
    assert_ptr_equal(route->handler, h1);
    assert_int_equal(zg_router_match(rt, "POST", "/api/v1/orgs", &req, &route, allow, 64),
                     ZG_MATCH_OK);
    assert_ptr_equal(route->handler, h2);
    assert_int_equal(zg_router_match(rt, "GET", "/api/v1/orgs/42", &req, &route, allow, 64),
                     ZG_MATCH_OK);
    assert_string_equal(route->summary, "get");
    assert_string_equal(zg_req_param(&req, "id"), "42");
    assert_null(zg_req_param(&req, "mid"));
    /* a literal beats a parameter at the same position */
    assert_int_equal(zg_router_match(rt, "GET", "/api/v1/orgs/search", &req, &route, allow, 64),
                     ZG_MATCH_OK);
    assert_string_equal(route->summary, "search");
    assert_int_equal(
        zg_router_match(rt, "GET", "/api/v1/orgs/7/members/9", &req, &route, allow, 64),
        ZG_MATCH_OK);
    assert_string_equal(zg_req_param(&req, "id"), "7");
    assert_string_equal(zg_req_param(&req, "mid"), "9");
    /* HEAD is served by GET routes */
    assert_int_equal(zg_router_match(rt, "HEAD", "/api/v1/orgs/1", &req, &route, allow, 64),
                     ZG_MATCH_OK);
    zg_arena_destroy(&req.arena);
    zg_router_free(rt);
}

static void test_no_match(void **state)
{
    (void)state;
    zg_router_t *rt = make();
    const zg_route_t *route = NULL;
    char allow[64];
    const char *paths[] = {"/api/v1/org",
                           "/api/v1/orgs/",
                           "/api/v1/orgs//members/1",
                           "api/v1/orgs",
                           "",
                           "/api/v1/orgs/1/members",
                           "/api/v1/orgs/1/x/2",
                           "/API/V1/ORGS"};
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++)
        assert_int_equal(zg_router_match(rt, "GET", paths[i], NULL, &route, allow, 64),
                         ZG_MATCH_NOT_FOUND);
    zg_router_free(rt);
}

static void test_bad_method_lists_allowed(void **state)
{
    (void)state;
    zg_router_t *rt = make();
    const zg_route_t *route = NULL;
    char allow[64];
    assert_int_equal(zg_router_match(rt, "PUT", "/api/v1/orgs/5", NULL, &route, allow, 64),
                     ZG_MATCH_BAD_METHOD);
    assert_string_equal(allow, "GET, DELETE");
    assert_int_equal(zg_router_match(rt, "PATCH", "/api/v1/orgs", NULL, &route, allow, 64),
                     ZG_MATCH_BAD_METHOD);
    assert_string_equal(allow, "GET, POST");
    /* a tiny buffer is never overrun */
    char small[5];
    assert_int_equal(zg_router_match(rt, "PUT", "/api/v1/orgs/5", NULL, &route, small, 5),
                     ZG_MATCH_BAD_METHOD);
    assert_true(strlen(small) < 5);
    zg_router_free(rt);
}

static void test_bad_patterns(void **state)
{
    (void)state;
    zg_router_t *rt = zg_router_new();
    zg_route_t r = {
        .method = "GET", .pattern = "no-slash", .handler = h1, .flags = 0, .summary = ""};
    assert_int_equal(zg_router_add(rt, &r), ZG_ERR_INVALID);
    r.pattern = "/a/{}";
    assert_int_equal(zg_router_add(rt, &r), ZG_ERR_INVALID);
    r.pattern = "/a/x{id}";
    assert_int_equal(zg_router_add(rt, &r), ZG_ERR_INVALID);
    r.pattern = "/{a}/{b}/{c}/{d}/{e}/{f}/{g}/{h}/{i}";
    assert_int_equal(zg_router_add(rt, &r), ZG_ERR_INVALID);
    r.pattern = "/a/{id}";
    assert_int_equal(zg_router_add(rt, &r), ZG_OK);
    assert_int_equal(zg_router_add(rt, &r), ZG_ERR_CONFLICT);
    assert_int_equal(zg_router_count(rt), 1);
    zg_router_free(rt);
}

static void test_long_and_deep_paths(void **state)
{
    (void)state;
    zg_router_t *rt = make();
    const zg_route_t *route;
    char allow[64];
    char path[8192];
    memset(path, 'a', sizeof path);
    path[0] = '/';
    path[sizeof path - 1] = '\0';
    assert_int_equal(zg_router_match(rt, "GET", path, NULL, &route, allow, 64), ZG_MATCH_NOT_FOUND);
    for (size_t i = 0; i < 200; i++)
        path[i] = '/';
    path[200] = '\0';
    assert_int_equal(zg_router_match(rt, "GET", path, NULL, &route, allow, 64), ZG_MATCH_NOT_FOUND);
    zg_router_free(rt);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_match_literal_and_params), cmocka_unit_test(test_no_match),
        cmocka_unit_test(test_bad_method_lists_allowed), cmocka_unit_test(test_bad_patterns),
        cmocka_unit_test(test_long_and_deep_paths),
    };
    return cmocka_run_group_tests_name("router", tests, NULL, NULL);
}
