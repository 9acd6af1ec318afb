/* account_rules.c — rules of the account module: the password and lockout policy (local
 * practice under 等保2.0 level 3; the thresholds are configurable) and separation of the three
 * administrator roles (三员分立). */
#include "rules/catalog.h"

/* GB/T 22239-2019, Baseline for classified protection of cybersecurity */
#define DJBH "《信息安全技术 网络安全等级保护基本要求》（GB/T 22239-2019）"

const zg_rule_t zg_account_rules[] = {
    {"account.password_length", "密码长度不少于8位", DJBH "身份鉴别；本系统口令策略（可配置）", "L",
     ZG_SEV_BLOCK},
    {"account.password_classes", "密码应包含大写字母、小写字母、数字、特殊字符中的至少3类",
     DJBH "身份鉴别；本系统口令策略（可配置）", "L", ZG_SEV_BLOCK},
    {"account.password_not_username", "密码不得包含用户名", "本系统口令策略（可配置）", "L",
     ZG_SEV_BLOCK},
    {"account.password_history", "新密码不得与最近5次使用过的密码相同", "本系统口令策略（可配置）",
     "L", ZG_SEV_BLOCK},
    {"account.password_expiry", "密码应定期更换，到期后须修改密码才能继续使用",
     "本系统口令策略（可配置）", "L", ZG_SEV_WARN},
    {"account.lockout", "连续5次登录失败的账号锁定15分钟，锁定期间即使密码正确也不能登录",
     DJBH "登录失败处理；次数与时长可配置", "L", ZG_SEV_BLOCK},
    {"account.separation_of_duties",
     "系统管理员、安全管理员、安全审计员三类角色不得由同一账号兼任，且均不得访问业务数据",
     DJBH "第三级 安全管理中心", "S", ZG_SEV_BLOCK},
};
const size_t zg_account_rules_count = sizeof zg_account_rules / sizeof zg_account_rules[0];
