/* transfer_rules.c — rules of the transfer module (RULES.md §5.1 art.24–25 [V], §5.2 [S],
 * §5.3; SPEC §3.3–3.4). Checked by transfer.c (issue, accept, return, receipt, warnings) and
 * transfer_case.c (decisions). The lost-contact cases are opened under the member module's
 * rules member.suspension_grounds and member.removal_after_suspension (the same article), so
 * the article has one text in the registry. "Shall" rules block, "generally" rules warn; the
 * letter's 3-month validity is enforced (block) as issue 4 asks, although the source says
 * "generally". What the regulations do not say (one pending transfer, who may receive, the
 * warning's N days) is this system's own rule, tagged [L] and configurable in principle. */
#include "rules/catalog.h"

#define JYGL  "《中国共产党党员教育管理工作条例》"
#define ZZB   "中共中央组织部关于党员组织关系介绍信的有关规定"
#define LOCAL "本系统数据规范（可配置）"

const zg_rule_t zg_transfer_rules[] = {
    {"transfer.member_active", "只有正式党员和预备党员可以转接组织关系",
     LOCAL "：停止党籍、已除名、已转出或去世的党员不办理转接", "L", ZG_SEV_BLOCK},
    {"transfer.one_pending", "同一党员同一时间只能有一笔正在办理的组织关系转接",
     LOCAL "：转接办结（接收、退回、撤回或收到回执）后方可再次办理", "L", ZG_SEV_BLOCK},
    {"transfer.receiver_kind",
     "组织关系应转入正常运行的党支部或联合党支部；临时党支部不接收正式组织关系",
     JYGL "第二十五条（每个党员都要编入党的一个支部、小组或者其他特定组织）", "S", ZG_SEV_BLOCK},
    {"transfer.sender_responsible", "组织关系转接完成前，原党组织继续负责该党员的教育管理",
     JYGL "第二十五条", "V", ZG_SEV_INFO},
    {"transfer.no_silent_refusal", "党组织不得无故拒转拒接；退回组织关系转接必须写明理由",
     JYGL "第二十五条", "V", ZG_SEV_BLOCK},
    {"transfer.pending_too_long", "组织关系转接长时间未接收，应督促接收方及时办理，不得无故拒接",
     JYGL "第二十五条；提醒天数为本地实践（可配置）", "L", ZG_SEV_WARN},
    {"transfer.letter_validity_max", "党员组织关系介绍信的有效期一般不超过3个月", ZZB, "S",
     ZG_SEV_BLOCK},
    {"transfer.letter_dues_paid_until", "党员组织关系介绍信须注明党费交到的年月", ZZB, "S",
     ZG_SEV_BLOCK},
    {"transfer.letter_overdue", "介绍信逾期未收到回执的，应当查明原因", ZZB, "S", ZG_SEV_WARN},
    {"transfer.case_decision_timing",
     "失去联系满6个月后方可停止党籍；停止党籍满2年后仍无法取得联系的方可按自行脱党除名",
     JYGL "第二十四条", "V", ZG_SEV_BLOCK},
    {"transfer.case_dismiss_note", "暂不处理失联党员案件的，应当写明理由",
     LOCAL "：停止党籍和除名由党组织研究决定，不予处理须说明情况", "L", ZG_SEV_BLOCK},
    {"transfer.case_by_decision",
     "停止党籍、除名由党支部或上级党组织研究决定，系统只提示、不自动处理", JYGL "第二十四条", "V",
     ZG_SEV_INFO},
};
const size_t zg_transfer_rules_count = sizeof zg_transfer_rules / sizeof zg_transfer_rules[0];
