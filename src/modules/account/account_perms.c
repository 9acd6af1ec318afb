/* account_perms.c — the permission catalog: every permission string a route may require
 * ("module:action"), its Chinese description for the role editor, and its group. Business
 * permissions (group business) are the ones 三员分立 keeps away from the administrator roles
 * (rule account.separation_of_duties); a module that adds routes with a new permission adds
 * it here. GET /api/v1/permissions serves this table. */
#include "modules/account/account.h"

#include <string.h>

static const zg_perm_info_t perms[] = {
    /* 系统管理员 */
    {"account:read", "查看账号", ZG_PERM_SYSTEM},
    {"account:write", "创建、修改、停用账号，重置密码，解除锁定", ZG_PERM_SYSTEM},
    {"config:write", "修改系统配置", ZG_PERM_SYSTEM},
    /* 安全管理员 */
    {"role:read", "查看角色与权限", ZG_PERM_SECURITY},
    {"role:write", "创建、修改、删除业务角色及其权限", ZG_PERM_SECURITY},
    {"account:assign_role", "为账号分配业务角色", ZG_PERM_SECURITY},
    /* 安全审计员 */
    {"audit:read", "查看与核验审计日志", ZG_PERM_AUDIT},
    /* 业务 */
    {"org:read", "查看党组织", ZG_PERM_BUSINESS},
    {"org:write", "新建、修改、调整、撤销党组织", ZG_PERM_BUSINESS},
    {"member:read", "查看党员信息（证件号、手机号脱敏）", ZG_PERM_BUSINESS},
    {"member:write", "新增、修改党员信息", ZG_PERM_BUSINESS},
    {"member:read_pii", "查看党员完整个人信息（身份证号、手机号）", ZG_PERM_BUSINESS},
    {"stats:read", "查看统计数据", ZG_PERM_BUSINESS},
};

size_t zg_perms_count(void)
{
    return sizeof perms / sizeof perms[0];
}

const zg_perm_info_t *zg_perms_at(size_t i)
{
    return i < zg_perms_count() ? &perms[i] : NULL;
}

const zg_perm_info_t *zg_perm_get(const char *perm)
{
    for (size_t i = 0; perm && i < zg_perms_count(); i++)
        if (!strcmp(perms[i].perm, perm))
            return &perms[i];
    return NULL;
}

const char *zg_perm_group_name(zg_perm_group g)
{
    switch (g) {
    case ZG_PERM_SYSTEM:
        return "system";
    case ZG_PERM_SECURITY:
        return "security";
    case ZG_PERM_AUDIT:
        return "audit";
    default:
        return "business";
    }
}

bool zg_perm_is_business(const char *perm)
{
    const zg_perm_info_t *p = zg_perm_get(perm);
    if (p)
        return p->group == ZG_PERM_BUSINESS;
    return perm && (!strncmp(perm, "org:", 4) || !strncmp(perm, "member:", 7) ||
                    !strncmp(perm, "stats:", 6));
}
