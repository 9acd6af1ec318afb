/* catalog.h — the module rule tables that src/rules/catalog.c collects. A module declares its
 * table here and defines it in src/modules/<name>/<name>_rules.c. */
#ifndef ZG_RULES_CATALOG_H
#define ZG_RULES_CATALOG_H

#include <stddef.h>

#include "rules/rules.h"

extern const zg_rule_t zg_org_rules[];
extern const size_t zg_org_rules_count;
extern const zg_rule_t zg_account_rules[];
extern const size_t zg_account_rules_count;
extern const zg_rule_t zg_member_rules[];
extern const size_t zg_member_rules_count;
extern const zg_rule_t zg_transfer_rules[];
extern const size_t zg_transfer_rules_count;

#endif
