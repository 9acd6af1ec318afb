/* app.h — the composition root: one zg_app_t holds what every request may need (settings,
 * database, routes, web root). Built once at start by zg_app_open, read-only afterwards
 * (counters aside), shared by all worker threads. */
#ifndef ZG_APP_APP_H
#define ZG_APP_APP_H

#include <stdatomic.h>
#include <stdint.h>

#include "core/config.h"
#include "core/status.h"

typedef struct zg_db zg_db_t;
typedef struct zg_router zg_router_t;
typedef struct zg_static zg_static_t;

typedef struct zg_app {
    zg_config_t config;
    zg_db_t *db;
    zg_router_t *router;
    zg_static_t *web;
    int64_t started_at; /* unix seconds */
} zg_app_t;

/* Opens the database named by cfg->db, applies pending migrations, seeds built-in data that
 * is missing (working-day calendar), builds the route table and opens the web root.
 * The app owns all of them; free with zg_app_close. */
int zg_app_open(const zg_config_t *cfg, zg_app_t **out, zg_error_t *err);
void zg_app_close(zg_app_t *app);

/* Registers every module's routes (app/routes.c: the one list of modules). */
int zg_app_routes(zg_router_t *router);

#endif
