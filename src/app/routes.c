/* routes.c — the one list of modules whose routes the server serves. A new module adds its
 * zg_<module>_routes call here and nowhere else. */
#include "app/app.h"
#include "modules/account/account.h"
#include "modules/audit/audit.h"
#include "modules/checks/checks.h"
#include "modules/dict/dict.h"
#include "modules/member/member.h"
#include "modules/member/member_io.h"
#include "modules/org/org.h"
#include "modules/stats/stats_service.h"
#include "modules/transfer/transfer.h"
#include "modules/system/system.h"
#include "modules/workday/workday.h"

int zg_app_routes(zg_router_t *router)
{
    int (*const registrars[])(zg_router_t *) = {
        zg_system_routes, zg_dict_routes,    zg_checks_routes,    zg_account_routes,
        zg_org_routes,    zg_member_routes,  zg_member_io_routes, zg_transfer_routes,
        zg_audit_routes,  zg_workday_routes, zg_stats_routes,
    };
    for (size_t i = 0; i < sizeof registrars / sizeof registrars[0]; i++) {
        int rc = registrars[i](router);
        if (rc)
            return rc;
    }
    return ZG_OK;
}
