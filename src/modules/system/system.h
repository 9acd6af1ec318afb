/* system.h — platform endpoints that belong to no business module: /healthz and the OpenAPI
 * document generated from the route table. */
#ifndef ZG_MODULES_SYSTEM_H
#define ZG_MODULES_SYSTEM_H

typedef struct zg_router zg_router_t;

/* Registers GET /healthz and GET /api/v1/openapi.json. */
int zg_system_routes(zg_router_t *rt);

#endif
