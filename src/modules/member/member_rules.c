/* member_rules.c — rules of the member module (RULES.md §1.3, §1.5, §5.1; SPEC §3.3 data
 * quality). Checked by member.c (zg_member_check, zg_member_validate, the events). Citations
 * name only articles RULES.md gives; what the regulations do not say (formats, the order of
 * dates, one record per person) is this system's own data rule, tagged [L] and configurable in
 * principle. "Shall" rules block, advisory ones warn. */
#include "rules/catalog.h"

#define XIZE    "《中国共产党发展党员工作细则》"
#define DZ      "《中国共产党章程》"
#define JYGL    "《中国共产党党员教育管理工作条例》"
#define GB11643 "《公民身份号码》（GB 11643-1999）"
#define LOCAL   "本系统数据规范（可配置）"

const zg_rule_t zg_member_rules[] = {
    {"member.required_fields", "党员信息须填写姓名、性别、出生日期、所在党组织和入党日期",
     LOCAL "：党员基本信息必填项", "L", ZG_SEV_BLOCK},
    {"member.text_format", "姓名不超过50个字、籍贯不超过100个字、说明不超过500个字，且不含控制字符",
     LOCAL "：文本字段格式", "L", ZG_SEV_BLOCK},
    {"member.id_number_valid",
     "公民身份号码应为18位，前17位为数字，末位校验码正确，地区码和出生日期有效", GB11643, "S",
     ZG_SEV_BLOCK},
    {"member.id_number_birth", "出生日期应与公民身份号码中的出生日期一致", GB11643, "S",
     ZG_SEV_BLOCK},
    {"member.id_number_gender", "性别应与公民身份号码第17位一致（奇数为男性，偶数为女性）", GB11643,
     "S", ZG_SEV_BLOCK},
    {"member.id_number_unique", "同一公民身份号码只能登记一次（一人一档，不得重复登记）",
     LOCAL "：一人一档", "L", ZG_SEV_BLOCK},
    {"member.age_at_join", "入党时应年满十八岁", XIZE "第五条；" DZ "第一条", "V", ZG_SEV_BLOCK},
    {"member.dates_order",
     "日期应合乎先后顺序：出生早于参加工作和入党，入党不早于1921年7月1日，各日期不晚于今天",
     LOCAL "：日期逻辑校验", "L", ZG_SEV_BLOCK},
    {"member.conversion_after_probation",
     "预备期为一年，从支部大会通过其为预备党员之日算起；预备期（含延长期）未满不能转正",
     XIZE "第三十二条；" DZ "第七条", "V", ZG_SEV_BLOCK},
    {"member.conversion_late",
     "转正日期一般不晚于入党日期后两年（预备期一年，延长最多一年），请核对",
     XIZE "第三十二条（据此推算）", "S", ZG_SEV_WARN},
    {"member.extension_range", "延长预备期的时间不能少于半年，最长不超过一年", XIZE "第三十二条",
     "V", ZG_SEV_BLOCK},
    {"member.extension_once", "预备期只能延长一次，延长期满仍不具备条件的应取消预备党员资格",
     XIZE "第三十二条", "S", ZG_SEV_BLOCK},
    {"member.standing_since",
     "党龄从预备期满转为正式党员之日算起；延长预备期的，从延长期满之日算起", DZ "第七条", "V",
     ZG_SEV_INFO},
    {"member.phone_format", "手机号码应为11位大陆手机号（以13至19开头）",
     LOCAL "：手机号码字段只登记大陆手机号，以便脱敏显示和联系", "L", ZG_SEV_BLOCK},
    {"member.code_valid",
     "民族、学历、学位应使用国家标准代码（GB 3304、GB/T 4658、GB/T 6864），性别、职业、党费类别"
     "应使用本系统代码表中的代码",
     "国家标准代码表；" LOCAL, "L", ZG_SEV_BLOCK},
    {"member.org_accepts",
     "党员组织关系应编入正常运行的党组织；党组不是基层组织，党小组的党员登记在其所在党支部，"
     "已撤销的组织不能接收党员",
     LOCAL "：组织关系登记", "L", ZG_SEV_BLOCK},
    {"member.org_is_branch", "每个党员都要编入党的一个支部、小组或者其他特定组织",
     JYGL "第二十五条", "V", ZG_SEV_WARN},
    {"member.event_status",
     "党员状态变动应与当前状态相符（如正式党员不能再转正，只有停止党籍的党员才能恢复党籍）",
     LOCAL "：党员状态变动", "L", ZG_SEV_BLOCK},
    {"member.event_order", "变动日期不能早于该党员最近一次组织关系或状态变动的日期，也不能晚于今天",
     LOCAL "：按时间顺序记录党员变动，更正历史请使用“更正”", "L", ZG_SEV_BLOCK},
    {"member.suspension_grounds",
     "失去联系6个月以上、经多方寻找仍无消息的党员，停止其党籍；其他情形应有相应依据",
     JYGL "第二十四条", "V", ZG_SEV_WARN},
    {"member.removal_after_suspension", "停止党籍2年后确实无法取得联系的，按照自行脱党予以除名",
     JYGL "第二十四条", "V", ZG_SEV_WARN},
};
const size_t zg_member_rules_count = sizeof zg_member_rules / sizeof zg_member_rules[0];
