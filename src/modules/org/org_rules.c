/* org_rules.c — rules of the org module (RULES.md §2.1–2.2, §2.4, §8). Checked by org.c and
 * org_team.c (zg_org_evaluate) where the data exists: the member-count rules only once the
 * member module has installed its counter (zg_org_set_member_counter); until then they are
 * skipped. "Shall" rules block, "generally" rules warn (issue 3). A write is refused only when
 * it introduces or worsens a block violation (see org.h). */
#include "rules/catalog.h"

const zg_rule_t zg_org_rules[] = {
    {"org.branch_min_full_members",
     "正式党员3人以上的单位应当成立党支部；正式党员不足3人的，应当成立联合党支部",
     "《中国共产党支部工作条例（试行）》第四条、第五条", "V", ZG_SEV_WARN},
    {"org.joint_branch_units_max", "联合党支部覆盖的单位一般不超过5个",
     "《中国共产党支部工作条例（试行）》第五条", "S", ZG_SEV_WARN},
    {"org.branch_size_max", "党支部党员人数一般不超过50人",
     "《中国共产党支部工作条例（试行）》第四条", "V", ZG_SEV_WARN},
    {"org.committee_required", "有正式党员7人以上的党支部，应当设立支部委员会",
     "《中国共产党支部工作条例（试行）》第二十条", "V", ZG_SEV_BLOCK},
    {"org.committee_size_range", "支部委员会由3至5人组成，一般不超过7人",
     "《中国共产党支部工作条例（试行）》第二十条", "V", ZG_SEV_BLOCK},
    {"org.committee_size_usual", "支部委员会一般由3至5人组成",
     "《中国共产党支部工作条例（试行）》第二十条", "V", ZG_SEV_WARN},
    {"org.small_branch_no_committee",
     "正式党员不足7人的党支部不设支部委员会，设书记1名，必要时设副书记1名",
     "《中国共产党支部工作条例（试行）》第二十条", "S", ZG_SEV_WARN},
    {"org.term_length",
     "党的基层委员会一般每届5年；总支部、支部委员会一般每届3年；村、社区党组织每届5年",
     "中共中央办公厅《关于党的基层组织任期的意见》（2018）", "V", ZG_SEV_INFO},
    {"org.term_expired",
     "党的基层组织应当按期换届；确需延期或提前换届的，应报上级党组织批准，延期或提前一般不超过1年",
     "中共中央办公厅《关于党的基层组织任期的意见》（2018）", "V", ZG_SEV_WARN},
    {"org.dissolve_only_empty", "只有没有下级组织和党员的党组织才能撤销",
     "本系统数据完整性要求（可配置）", "L", ZG_SEV_BLOCK},
    {"org.grading_levels", "基层党组织分类定级的等次为好、较好、一般、较差",
     "中组部关于基层党组织分类定级的指导意见（组厅字〔2012〕6号）", "S", ZG_SEV_INFO},
};
const size_t zg_org_rules_count = sizeof zg_org_rules / sizeof zg_org_rules[0];
