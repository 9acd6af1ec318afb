/* demo.h — the demo dataset loaded by `zugong demo`. Each module adds its part here as it
 * arrives (org tree, members, …); today it holds the built-in reference data. */
#ifndef ZG_APP_DEMO_H
#define ZG_APP_DEMO_H

#include "core/status.h"

typedef struct zg_app zg_app_t;

/* Password of every demo account (shown by scripts/run.sh; never use in production). */
#define ZG_DEMO_PASSWORD "Demo-Pass-2025"

typedef struct zg_demo_report {
    char summary[1024]; /* Chinese one-line summary of what was loaded */
} zg_demo_report_t;

/* Loads the demo data into an opened (migrated) app's database. Idempotent. */
int zg_demo_load(zg_app_t *app, zg_demo_report_t *rep, zg_error_t *err);

#endif
