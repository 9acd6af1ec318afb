/* scope.h — data scope over the org tree: the one place where queries are limited to an org
 * subtree. Table org_closure(ancestor_id, descendant_id, depth) holds every (ancestor,
 * descendant) pair of the tree, (x, x, 0) included; the org module keeps it in step with the
 * tree (create, move). Module logic takes a scope root (the account's home org) and reads
 * org-bound rows only through these functions; HTTP handlers use the zg_scoped_* wrappers in
 * http/auth.h that pass the caller's home org. */
#ifndef ZG_DB_SCOPE_H
#define ZG_DB_SCOPE_H

#include <stdbool.h>
#include <stdint.h>

#include "db/db.h"

/* Whether org `org_id` is in the subtree of `root` (root itself included). */
int zg_scope_contains(zg_conn_t *c, int64_t root, int64_t org_id, bool *in, zg_error_t *err);

/* Runs a query over org-bound rows limited to the subtree of `root`. `sql` must contain the
 * token {{SCOPE}} where a parenthesized subquery of the org ids in scope belongs, e.g.
 *   "SELECT id, name FROM org o WHERE o.id IN {{SCOPE}} AND o.name LIKE $1"
 * `root` is bound as parameter $(nparams+1). SQL without the token is refused
 * (ZG_ERR_INTERNAL), so an unscoped list cannot be written by mistake. At most 31 params. */
int zg_scope_query(zg_conn_t *c, int64_t root, const char *sql, const zg_param_t *params,
                   int nparams, zg_rows_t **out, zg_error_t *err);

/* The same for a single integer (first column of the first row; ZG_ERR_NOT_FOUND if none). */
int zg_scope_query_int(zg_conn_t *c, int64_t root, const char *sql, const zg_param_t *params,
                       int nparams, int64_t *out, zg_error_t *err);

/* The same for a statement (UPDATE/DELETE ... WHERE org_id IN {{SCOPE}}). */
int zg_scope_exec(zg_conn_t *c, int64_t root, const char *sql, const zg_param_t *params,
                  int nparams, int64_t *changes, zg_error_t *err);

#endif
