/* catalog.c — the one list of rule tables. A module with rules adds its table here. */
#include "rules/catalog.h"

typedef struct {
    const zg_rule_t *rules;
    const size_t *count;
} table_t;

static const table_t tables[] = {
    {zg_org_rules, &zg_org_rules_count},
    {zg_account_rules, &zg_account_rules_count},
    {zg_member_rules, &zg_member_rules_count},
    {zg_transfer_rules, &zg_transfer_rules_count},
};

size_t zg_rules_count(void)
{
    size_t n = 0;
    for (size_t t = 0; t < sizeof tables / sizeof tables[0]; t++)
        n += *tables[t].count;
    return n;
}

const zg_rule_t *zg_rules_at(size_t i)
{
    for (size_t t = 0; t < sizeof tables / sizeof tables[0]; t++) {
        if (i < *tables[t].count)
            return &tables[t].rules[i];
        i -= *tables[t].count;
    }
    return NULL;
}
