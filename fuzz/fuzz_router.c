/* fuzz_router.c — routing arbitrary methods and paths against a table shaped like the real
 * one, and the static-file path check. The first byte picks the method; the rest is the path. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "app/app.h"
#include "http/router.h"
#include "http/static.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static zg_router_t *rt;
    if (!rt) {
        rt = zg_router_new();
        if (zg_app_routes(rt) != 0)
            abort();
        /* the real table (orgs, members, transfers, … with {id} parameters) plus one route
         * with several parameters */
        static const zg_route_t extra[] = {
            {.method = "GET", .pattern = "/fuzz/{a}/x/{b}/{c}", .handler = NULL},
        };
        if (ZG_ROUTES(rt, extra) != 0)
            abort();
    }
    if (size < 1)
        return 0;
    static const char *methods[] = {"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"};
    const char *method = methods[data[0] % 7];
    char *path = malloc(size);
    memcpy(path, data + 1, size - 1);
    path[size - 1] = '\0';
    zg_req_t req;
    memset(&req, 0, sizeof req);
    zg_arena_init(&req.arena, 0, 1 << 20);
    const zg_route_t *route = NULL;
    char allow[64];
    zg_match_result m = zg_router_match(rt, method, path, &req, &route, allow, sizeof allow);
    if (m == ZG_MATCH_OK) {
        if (!route)
            abort();
        for (int i = 0; i < req.nparams; i++)
            if (!req.param_values[i] || strchr(req.param_values[i], '/'))
                abort(); /* a parameter is one whole segment */
    }
    if (zg_static_path_ok(path) && strstr(path, "/.."))
        abort(); /* no parent-directory segment may pass */
    (void)zg_static_content_type(path);
    zg_arena_destroy(&req.arena);
    free(path);
    return 0;
}
