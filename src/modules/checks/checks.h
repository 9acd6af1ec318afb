/* checks.h — stateless data checks that forms call while the user types: an ID number's check
 * digit, birth date and gender (GB 11643), a mobile number. Nothing is stored or logged. The
 * same functions (core/validate.h) run again on every write, so these are a convenience, not
 * the guard. */
#ifndef ZG_MODULES_CHECKS_H
#define ZG_MODULES_CHECKS_H

typedef struct zg_router zg_router_t;

/* Registers POST /api/v1/checks/id-number and POST /api/v1/checks/phone. */
int zg_checks_routes(zg_router_t *rt);

#endif
