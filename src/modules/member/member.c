/* member.c — the member module's logic (see member.h): code tables and the bulletin's
 * categories, validation with the rule registry (member_rules.c), create and update of person
 * + membership, effective-dated events with their spans, reads (one member, history, as-of
 * state, lists with filters, counts per org). No HTTP here.
 *
 * Every read of org-bound rows goes through zg_scope_query ({{SCOPE}}); the two functions the
 * transfer module calls inside its own transaction (zg_member_move_org,
 * zg_member_apply_event) are the only unscoped writes, documented as such in member.h. */
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/strbuf.h"
#include "core/utf8.h"
#include "db/scope.h"
#include "modules/audit/audit.h"
#include "modules/member/member_index.h"
#include "modules/member/member_internal.h"

/* 1921-07-01: no one joined before the Party was founded. */
#define PARTY_FOUNDED  (-17716)
#define BIRTH_MIN_YEAR 1900
#define SQL_MAX        8192
#define DETAIL_MAX     4096

/* ---- code tables --------------------------------------------------------------------------- */

const zg_member_label_t zg_member_statuses[] = {
    {"probationary", "预备党员"},
    {"full", "正式党员"},
    {"suspended", "停止党籍"},
    {"removed", "已出党"},
    {"deceased", "已去世"},
    {"transferred_out", "已转出本系统"},
    {NULL, NULL},
};

const zg_member_label_t zg_member_event_kinds[] = {
    {"joined", "入党（接收为预备党员）"},
    {"converted", "转为正式党员"},
    {"extended", "延长预备期"},
    {"cancelled", "取消预备党员资格"},
    {"transfer_in", "组织关系转入"},
    {"transfer_out", "组织关系转出本系统"},
    {"moved", "组织关系调整"},
    {"mobile_out", "外出流动"},
    {"mobile_back", "流动返回"},
    {"lost_contact", "失去联系"},
    {"contact_restored", "恢复联系"},
    {"suspended", "停止党籍"},
    {"restored", "恢复党籍"},
    {"removed", "出党（除名、开除、退党）"},
    {"died", "去世"},
    {"corrected", "信息更正"},
    {NULL, NULL},
};

/* RULES.md §4.1 (中组发〔2008〕3号 art.1–7). */
const zg_member_label_t zg_member_dues_categories[] = {
    {"salaried", "按月领取工资收入"},
    {"annual_salary", "实行年薪制"},
    {"no_fixed_income", "无固定工资收入（按上季度月平均纯收入）"},
    {"retired", "离退休"},
    {"farmer", "农民"},
    {"student", "学生"},
    {"low_income", "下岗失业、依靠抚恤或救济、领取最低生活保障金"},
    {"hardship", "生活确有困难（经批准少交或免交）"},
    {NULL, NULL},
};

/* The 党内统计公报's occupation categories, in its order (RULES.md §9.2, CODES.md §8a). */
const zg_member_label_t zg_member_occupations[] = {
    {"worker", "工人（工勤技能人员）"},
    {"farmer", "农牧渔民"},
    {"professional", "企事业单位、社会组织专业技术人员"},
    {"manager", "企事业单位、社会组织管理人员"},
    {"official", "党政机关工作人员"},
    {"student", "学生"},
    {"other", "其他职业人员"},
    {"retired", "离退休人员"},
    {NULL, NULL},
};

const zg_member_label_t zg_member_age_bands[] = {
    {"le30", "30岁及以下"}, {"31_35", "31至35岁"},  {"36_40", "36至40岁"},
    {"41_45", "41至45岁"},  {"46_50", "46至50岁"},  {"51_55", "51至55岁"},
    {"56_60", "56至60岁"},  {"ge61", "61岁及以上"}, {NULL, NULL},
};

const zg_member_label_t zg_member_edu_categories[] = {
    {"postgrad", "研究生"},      {"undergrad", "大学本科"}, {"college", "大学专科"},
    {"secondary", "中专、高中"}, {"junior", "初中及以下"},  {NULL, NULL},
};

const zg_member_label_t zg_member_join_periods[] = {
    {"before_1949", "1949年10月以前"},
    {"to_1978", "1949年10月至党的十一届三中全会"},
    {"to_2012", "党的十一届三中全会至党的十八大"},
    {"since_2012", "党的十八大以来"},
    {NULL, NULL},
};

static const zg_member_label_t GENDERS[] = {{"1", "男"}, {"2", "女"}, {NULL, NULL}};

const char *zg_member_label(const zg_member_label_t *table, const char *code)
{
    for (; code && table->code; table++)
        if (!strcmp(table->code, code))
            return table->label;
    return NULL;
}

/* ---- the bulletin's categories ----------------------------------------------------------- */

/* Ages at which bands 1..7 start. */
static const int AGE_STARTS[ZG_MEMBER_AGE_BANDS - 1] = {31, 36, 41, 46, 51, 56, 61};

/* The last birth date that has reached `age` full years on `at`: the same day `age` years
 * earlier, clamped to the month's end (29 Feb → 28 Feb), which is exactly zg_date_age_at's
 * rule (a 29 February birthday is reached on 1 March in other years). */
static zg_date_t last_birth_with_age(zg_date_t at, int age)
{
    zg_date_t d = ZG_MEMBER_NO_DATE;
    if (zg_date_add_months(at, -12 * age, &d))
        return ZG_MEMBER_NO_DATE;
    return d;
}

int zg_member_age_band(zg_date_t birth, zg_date_t at)
{
    int age = 0;
    if (zg_date_age_at(birth, at, &age))
        return -1;
    int band = 0;
    while (band < ZG_MEMBER_AGE_BANDS - 1 && age >= AGE_STARTS[band])
        band++;
    return band;
}

int zg_member_age_band_births(int band, zg_date_t at, zg_date_t *from, zg_date_t *to)
{
    if (band < 0 || band >= ZG_MEMBER_AGE_BANDS || !zg_date_valid(at))
        return ZG_ERR_INVALID;
    /* age ≥ A ⇔ birth ≤ last_birth_with_age(at, A) */
    *to = band == 0 ? at : last_birth_with_age(at, AGE_STARTS[band - 1]);
    if (band == ZG_MEMBER_AGE_BANDS - 1) {
        *from = ZG_MEMBER_NO_DATE;
    } else {
        zg_date_t upper = last_birth_with_age(at, AGE_STARTS[band]);
        if (upper == ZG_MEMBER_NO_DATE || zg_date_add_days(upper, 1, from))
            return ZG_ERR_INVALID;
    }
    return *to == ZG_MEMBER_NO_DATE ? ZG_ERR_INVALID : ZG_OK;
}

int zg_member_edu_category(const char *code)
{
    if (!code || strlen(code) != 2 || code[0] < '0' || code[0] > '9' || code[1] < '0' ||
        code[1] > '9')
        return -1;
    int n = (code[0] - '0') * 10 + (code[1] - '0');
    if (n >= 10 && n <= 19)
        return ZG_MEMBER_EDU_POSTGRAD;
    if (n >= 20 && n <= 28)
        return ZG_MEMBER_EDU_UNDERGRAD;
    if (n >= 30 && n <= 33)
        return ZG_MEMBER_EDU_COLLEGE;
    if ((n >= 40 && n <= 49) || (n >= 60 && n <= 63))
        return ZG_MEMBER_EDU_SECONDARY;
    if ((n >= 70 && n <= 83) || n == 90)
        return ZG_MEMBER_EDU_JUNIOR;
    return -1;
}

/* Code ranges [lo, hi] (two-digit text, so text order is number order) of each category; the
 * secondary category has two. */
static const struct {
    const char *lo, *hi;
} EDU_RANGES[ZG_MEMBER_EDU_CATEGORIES][2] = {
    {{"10", "19"}, {NULL, NULL}}, {{"20", "28"}, {NULL, NULL}}, {{"30", "33"}, {NULL, NULL}},
    {{"40", "49"}, {"60", "63"}}, {{"70", "83"}, {"90", "90"}},
};

/* 1949-10-01, 1978-12-18 (十一届三中全会 opened), 2012-11-08 (十八大 opened). */
static zg_date_t join_boundary(int k)
{
    static const int ymd[3][3] = {{1949, 10, 1}, {1978, 12, 18}, {2012, 11, 8}};
    zg_date_t d = 0;
    zg_date_from_ymd(ymd[k - 1][0], ymd[k - 1][1], ymd[k - 1][2], &d);
    return d;
}

int zg_member_join_period(zg_date_t joined_on)
{
    int p = 0;
    while (p < ZG_MEMBER_JOIN_PERIODS - 1 && joined_on >= join_boundary(p + 1))
        p++;
    return p;
}

void zg_member_join_period_range(int period, zg_date_t *from, zg_date_t *to)
{
    *from = period <= 0 ? ZG_MEMBER_NO_DATE : join_boundary(period);
    *to = period >= ZG_MEMBER_JOIN_PERIODS - 1 ? ZG_MEMBER_NO_DATE : join_boundary(period + 1);
}

/* ---- small helpers ----------------------------------------------------------------------- */

zg_param_t member_date_param(zg_date_t d, char buf[ZG_DATE_STR_SIZE])
{
    if (d == ZG_MEMBER_NO_DATE || zg_date_format(d, buf))
        return ZG_P_NULL;
    return ZG_P_TEXT(buf);
}

zg_date_t member_col_date(zg_rows_t *r, int col)
{
    zg_date_t d;
    if (zg_rows_isnull(r, col) || zg_date_parse(zg_rows_text(r, col), &d))
        return ZG_MEMBER_NO_DATE;
    return d;
}

const char *member_col_str(zg_rows_t *r, int col, zg_arena_t *a, bool *oom)
{
    if (zg_rows_isnull(r, col))
        return NULL;
    char *s = zg_arena_strdup(a, zg_rows_text(r, col));
    if (!s)
        *oom = true;
    return s;
}

static const char *fmt_date(zg_arena_t *a, zg_date_t d)
{
    char buf[ZG_DATE_STR_SIZE];
    if (d == ZG_MEMBER_NO_DATE || zg_date_format(d, buf))
        return "（无）";
    char *s = zg_arena_strdup(a, buf);
    return s ? s : "";
}

static bool has_text(const char *s)
{
    return s && *s;
}

static int nomem(zg_error_t *err)
{
    return zg_error_set(err, ZG_ERR_NOMEM, "no_memory", "服务器内存不足，请稍后重试",
                        "member: arena full");
}

static int not_found(zg_error_t *err, int64_t id)
{
    return zg_error_set(err, ZG_ERR_NOT_FOUND, "not_found", "党员不存在或不在您的管理范围内",
                        "member %lld not found or out of scope", (long long)id);
}

void zg_member_op_init(zg_member_op_t *op, zg_arena_t *arena, int64_t scope,
                       const zg_member_actor_t *actor)
{
    memset(op, 0, sizeof *op);
    op->arena = arena;
    op->scope = scope;
    if (actor)
        op->actor = *actor;
    op->audit = true;
    op->today = zg_date_today();
    zg_findings_init(&op->findings, arena);
}

int member_rule_refusal(zg_member_op_t *op, zg_error_t *err)
{
    for (int i = 0; i < op->findings.n; i++) {
        const zg_finding_t *f = &op->findings.items[i];
        if (f->rule->severity != ZG_SEV_BLOCK)
            continue;
        char msg[sizeof err->message];
        snprintf(msg, sizeof msg, "不符合%s：%s", f->rule->citation,
                 f->message ? f->message : f->rule->text);
        return zg_error_set(err, ZG_ERR_INVALID, "rule_violation", msg, "rule %s", f->rule->id);
    }
    return zg_error_set(err, ZG_ERR_INTERNAL, "internal", "服务器内部错误",
                        "member_rule_refusal without a block finding");
}

/* Keeps only the warn and info findings (what a successful write reports). */
static void keep_advisory(zg_member_op_t *op)
{
    int k = 0;
    for (int i = 0; i < op->findings.n; i++)
        if (op->findings.items[i].rule->severity != ZG_SEV_BLOCK)
            op->findings.items[k++] = op->findings.items[i];
    op->findings.n = k;
}

/* ---- the pure checks ---------------------------------------------------------------------- */

static void check_text(zg_findings_t *f, const char *field, const char *label, const char *s,
                       size_t max)
{
    if (!s)
        return;
    size_t len = strlen(s), chars = 0;
    if (zg_utf8_strlen(s, len, &chars)) {
        zg_findings_add(f, "member.text_format", field, "%s含有无效字符", label);
        return;
    }
    for (size_t i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch < 0x20 || ch == 0x7f) {
            zg_findings_add(f, "member.text_format", field, "%s不能含有控制字符", label);
            return;
        }
    }
    if (chars > max)
        zg_findings_add(f, "member.text_format", field, "%s最多%zu个字（现为%zu个字）", label, max,
                        chars);
}

static bool blank(const char *s)
{
    if (!s)
        return true;
    for (; *s; s++)
        if (*s != ' ')
            return false;
    return true;
}

void zg_member_check(const zg_member_input_t *in, zg_date_t today, zg_findings_t *f)
{
    zg_arena_t *a = f->arena;
    /* required fields */
    if (blank(in->name))
        zg_findings_add(f, "member.required_fields", "name", "请填写姓名");
    if (!has_text(in->gender))
        zg_findings_add(f, "member.required_fields", "gender", "请填写性别");
    if (in->birth_date == ZG_MEMBER_NO_DATE)
        zg_findings_add(f, "member.required_fields", "birth_date", "请填写出生日期");
    if (in->org_id <= 0)
        zg_findings_add(f, "member.required_fields", "org_id", "请选择所在党组织");
    if (in->joined_on == ZG_MEMBER_NO_DATE)
        zg_findings_add(f, "member.required_fields", "joined_on",
                        "请填写入党日期（支部大会通过接收其为预备党员的日期）");
    check_text(f, "name", "姓名", in->name, ZG_MEMBER_NAME_MAX);
    check_text(f, "native_place", "籍贯", in->native_place, ZG_MEMBER_NATIVE_PLACE_MAX);
    check_text(f, "note", "说明", in->note, ZG_MEMBER_NOTE_MAX);

    /* fixed code lists */
    if (has_text(in->gender) && !zg_member_label(GENDERS, in->gender))
        zg_findings_add(f, "member.code_valid", "gender", "性别代码应为1（男）或2（女）");
    if (has_text(in->occupation) && !zg_member_label(zg_member_occupations, in->occupation))
        zg_findings_add(f, "member.code_valid", "occupation", "职业类别代码无效：%.20s",
                        in->occupation);
    if (has_text(in->dues_category) &&
        !zg_member_label(zg_member_dues_categories, in->dues_category))
        zg_findings_add(f, "member.code_valid", "dues_category", "党费类别代码无效：%.20s",
                        in->dues_category);

    /* ID number: check digit, then agreement with birth date and gender */
    if (has_text(in->id_number)) {
        zg_idnum_info_t info;
        zg_error_t e;
        if (zg_idnum_check_at(in->id_number, today, &info, &e)) {
            zg_findings_add(f, "member.id_number_valid", "id_number", "%s", e.message);
        } else {
            if (in->birth_date != ZG_MEMBER_NO_DATE && in->birth_date != info.birth)
                zg_findings_add(f, "member.id_number_birth", "birth_date",
                                "出生日期（%s）与身份证号中的出生日期（%s）不一致",
                                fmt_date(a, in->birth_date), fmt_date(a, info.birth));
            int g = has_text(in->gender) ? atoi(in->gender) : 0;
            if ((g == ZG_GENDER_MALE || g == ZG_GENDER_FEMALE) && g != info.gender)
                zg_findings_add(f, "member.id_number_gender", "gender",
                                "性别（%s）与身份证号第17位所示性别（%s）不一致",
                                g == ZG_GENDER_MALE ? "男" : "女",
                                info.gender == ZG_GENDER_MALE ? "男" : "女");
        }
    }
    if (has_text(in->phone)) {
        zg_error_t e;
        if (zg_phone_check(in->phone, &e))
            zg_findings_add(f, "member.phone_format", "phone", "%s", e.message);
    }

    /* dates in a possible order */
    zg_date_t birth = in->birth_date, joined = in->joined_on;
    zg_date_t oldest = 0;
    zg_date_from_ymd(BIRTH_MIN_YEAR, 1, 1, &oldest);
    if (birth != ZG_MEMBER_NO_DATE && (birth > today || birth < oldest))
        zg_findings_add(f, "member.dates_order", "birth_date",
                        "出生日期（%s）应在1900年1月1日至今天之间", fmt_date(a, birth));
    if (in->work_start_date != ZG_MEMBER_NO_DATE) {
        if (birth != ZG_MEMBER_NO_DATE && in->work_start_date <= birth)
            zg_findings_add(f, "member.dates_order", "work_start_date",
                            "参加工作日期（%s）应晚于出生日期（%s）",
                            fmt_date(a, in->work_start_date), fmt_date(a, birth));
        else if (in->work_start_date > today)
            zg_findings_add(f, "member.dates_order", "work_start_date",
                            "参加工作日期（%s）不能晚于今天", fmt_date(a, in->work_start_date));
    }
    if (joined != ZG_MEMBER_NO_DATE) {
        if (joined < PARTY_FOUNDED || joined > today)
            zg_findings_add(f, "member.dates_order", "joined_on",
                            "入党日期（%s）应在1921年7月1日至今天之间", fmt_date(a, joined));
        if (birth != ZG_MEMBER_NO_DATE && birth <= today && joined >= PARTY_FOUNDED) {
            int age = -1;
            if (joined < birth || zg_date_age_at(birth, joined, &age))
                zg_findings_add(f, "member.dates_order", "joined_on",
                                "入党日期（%s）早于出生日期（%s）", fmt_date(a, joined),
                                fmt_date(a, birth));
            else if (age < ZG_MEMBER_MIN_AGE)
                zg_findings_add(f, "member.age_at_join", "joined_on",
                                "入党时未满十八岁（入党日期 %s 时 %d 岁）", fmt_date(a, joined),
                                age);
        }
    }
    if (in->converted_on != ZG_MEMBER_NO_DATE && joined != ZG_MEMBER_NO_DATE) {
        zg_date_t end = ZG_MEMBER_NO_DATE, late = ZG_MEMBER_NO_DATE;
        zg_date_add_months(joined, ZG_MEMBER_PROBATION_MONTHS, &end);
        zg_date_add_months(joined, ZG_MEMBER_PROBATION_MONTHS + ZG_MEMBER_EXTENSION_MAX_MONTHS,
                           &late);
        if (in->converted_on > today)
            zg_findings_add(f, "member.dates_order", "converted_on", "转正日期（%s）不能晚于今天",
                            fmt_date(a, in->converted_on));
        else if (in->converted_on < end)
            zg_findings_add(f, "member.conversion_after_probation", "converted_on",
                            "转正日期（%s）早于预备期满日期（%s）", fmt_date(a, in->converted_on),
                            fmt_date(a, end));
        else if (in->converted_on > late)
            zg_findings_add(f, "member.conversion_late", "converted_on",
                            "转正日期（%s）晚于入党两年后（%s），请核对",
                            fmt_date(a, in->converted_on), fmt_date(a, late));
    }
}

/* ---- the checks that need the database ----------------------------------------------------- */

static const char *const ORG_KINDS_REFUSED[] = {"leading_group", "group", NULL};
static const char *const ORG_KINDS_BRANCH[] = {"branch", "joint_branch", "temp_branch", NULL};

static bool in_list(const char *const *list, const char *s)
{
    for (; *list; list++)
        if (!strcmp(*list, s))
            return true;
    return false;
}

const char *member_org_rule(const char *kind, const char *status, const char **message)
{
    *message = NULL;
    if (strcmp(status, "active"))
        *message = "该党组织已撤销，不能接收党员";
    else if (in_list(ORG_KINDS_REFUSED, kind))
        *message = !strcmp(kind, "group") ? "党小组的党员应登记在其所在党支部"
                                          : "党组不是党的基层组织，不能接收党员";
    if (*message)
        return "member.org_accepts";
    if (in_list(ORG_KINDS_BRANCH, kind))
        return NULL;
    *message = "党员一般编入党支部；该组织为党委或党总支，请确认";
    return "member.org_is_branch";
}

/* Whether org `org_id` may receive members: adds member.org_accepts / member.org_is_branch
 * findings. ZG_ERR_NOT_FOUND when the org does not exist (or, with scope > 0, is out of it). */
static int check_org(zg_conn_t *c, zg_findings_t *f, int64_t scope, int64_t org_id,
                     const char *field, zg_error_t *err)
{
    if (scope > 0) {
        bool in = false;
        int rc = zg_scope_contains(c, scope, org_id, &in, err);
        if (rc)
            return rc;
        if (!in)
            return zg_error_set(err, ZG_ERR_NOT_FOUND, "not_found",
                                "组织不存在或不在您的管理范围内", "org %lld out of scope",
                                (long long)org_id);
    }
    zg_rows_t *r;
    zg_param_t p[] = {ZG_P_INT(org_id)};
    int rc = zg_db_query(c, "SELECT kind, status, name FROM org WHERE id = $1", p, 1, &r, err);
    if (rc)
        return rc;
    rc = zg_rows_next(r, err);
    if (rc <= 0) {
        zg_rows_close(r);
        return rc < 0 ? rc
                      : zg_error_set(err, ZG_ERR_NOT_FOUND, "not_found",
                                     "组织不存在或不在您的管理范围内", "org %lld not found",
                                     (long long)org_id);
    }
    char kind[32], status[16];
    snprintf(kind, sizeof kind, "%s", zg_rows_text(r, 0));
    snprintf(status, sizeof status, "%s", zg_rows_text(r, 1));
    zg_rows_close(r);
    const char *message, *rule = member_org_rule(kind, status, &message);
    if (rule)
        zg_findings_add(f, rule, field, "%s", message);
    return ZG_OK;
}

static int check_dict(zg_conn_t *c, zg_findings_t *f, const char *dict, const char *code,
                      const char *field, const char *label, zg_error_t *err)
{
    if (!has_text(code))
        return ZG_OK;
    int64_t n = 0;
    zg_param_t p[] = {ZG_P_TEXT(dict), ZG_P_TEXT(code)};
    int rc = zg_db_query_int(c, "SELECT count(*) FROM dict_item WHERE dict = $1 AND code = $2", p,
                             2, &n, err);
    if (rc)
        return rc;
    if (!n)
        zg_findings_add(f, "member.code_valid", field, "%s代码无效：%.20s", label, code);
    return ZG_OK;
}

/* The person and membership holding the blind index `bidx` (0 when none). */
static int lookup_bidx(zg_conn_t *c, const char *bidx, int64_t *person_id, int64_t *membership_id,
                       int64_t *org_id, zg_error_t *err)
{
    *person_id = *membership_id = *org_id = 0;
    zg_rows_t *r;
    zg_param_t p[] = {ZG_P_TEXT(bidx)};
    int rc = zg_db_query(c,
                         "SELECT p.id, m.id, m.org_id FROM person p "
                         "LEFT JOIN membership m ON m.person_id = p.id "
                         "WHERE p.id_number_bidx = $1",
                         p, 1, &r, err);
    if (rc)
        return rc;
    rc = zg_rows_next(r, err);
    if (rc == 1) {
        *person_id = zg_rows_int(r, 0);
        *membership_id = zg_rows_isnull(r, 1) ? 0 : zg_rows_int(r, 1);
        *org_id = zg_rows_isnull(r, 2) ? 0 : zg_rows_int(r, 2);
    }
    zg_rows_close(r);
    return rc < 0 ? rc : ZG_OK;
}

/* The duplicate check (member.id_number_unique). `self_person` is the person of the member
 * being updated (0 for a create). *reuse gets a person without membership that holds the
 * number (create only). */
static int check_duplicate(zg_conn_t *c, zg_member_op_t *op, const char *id_number,
                           int64_t self_person, int64_t *reuse, zg_error_t *err)
{
    *reuse = 0;
    char bidx[ZG_MEMBER_BIDX_HEX + 1];
    int rc = zg_member_id_number_index(id_number, bidx, err);
    if (rc)
        return rc;
    int64_t pid, mid, org;
    rc = lookup_bidx(c, bidx, &pid, &mid, &org, err);
    if (rc || !pid || pid == self_person)
        return rc;
    if (!mid && !self_person) {
        *reuse = pid;
        return ZG_OK;
    }
    bool in = false;
    if (mid && (rc = zg_scope_contains(c, op->scope, org, &in, err)))
        return rc;
    if (in) {
        op->existing_id = mid;
        zg_findings_add(&op->findings, "member.id_number_unique", "id_number",
                        "该身份证号已登记（党员编号 %lld），不能重复登记", (long long)mid);
    } else {
        zg_findings_add(&op->findings, "member.id_number_unique", "id_number",
                        "该身份证号已在系统中登记，由其他党组织管理；如需转入，请办理组织关系转接");
    }
    return ZG_OK;
}

static int validate_impl(zg_conn_t *c, zg_member_op_t *op, const zg_member_input_t *in,
                         bool check_org_too, int64_t self_person, int64_t *reuse, zg_error_t *err)
{
    *reuse = 0;
    zg_member_check(in, op->today, &op->findings);
    int rc = ZG_OK;
    if (check_org_too && in->org_id > 0) {
        rc = check_org(c, &op->findings, op->scope, in->org_id, "org_id", err);
        if (rc == ZG_ERR_NOT_FOUND)
            op->bad_field = "org_id";
        if (rc)
            return rc;
    }
    if ((rc = check_dict(c, &op->findings, "ethnicity", in->ethnicity, "ethnicity", "民族", err)) ||
        (rc = check_dict(c, &op->findings, "education", in->education, "education", "学历", err)) ||
        (rc = check_dict(c, &op->findings, "degree", in->degree, "degree", "学位", err)))
        return rc;
    if (has_text(in->id_number) && !zg_findings_has(&op->findings, "member.id_number_valid"))
        rc = check_duplicate(c, op, in->id_number, self_person, reuse, err);
    return rc;
}

int zg_member_validate(zg_conn_t *c, zg_member_op_t *op, const zg_member_input_t *in, int64_t self,
                       zg_error_t *err)
{
    int64_t self_person = 0, reuse = 0;
    if (self > 0) {
        zg_param_t p[] = {ZG_P_INT(self)};
        int rc = zg_db_query_int(c, "SELECT person_id FROM membership WHERE id = $1", p, 1,
                                 &self_person, err);
        if (rc == ZG_ERR_NOT_FOUND)
            return not_found(err, self);
        if (rc)
            return rc;
    }
    return validate_impl(c, op, in, self <= 0, self_person, &reuse, err);
}

/* ---- audit details ------------------------------------------------------------------------- */

typedef struct detail {
    zg_strbuf_t sb;
    int n;
} detail_t;

static void detail_init(detail_t *d, zg_arena_t *a)
{
    zg_strbuf_init(&d->sb, a, DETAIL_MAX);
    zg_strbuf_putc(&d->sb, '{');
    d->n = 0;
}

static void detail_key(detail_t *d, const char *key)
{
    if (d->n++)
        zg_strbuf_putc(&d->sb, ',');
    zg_strbuf_json_string(&d->sb, key);
    zg_strbuf_putc(&d->sb, ':');
}

static void detail_str(detail_t *d, const char *key, const char *v)
{
    detail_key(d, key);
    if (v)
        zg_strbuf_json_string(&d->sb, v);
    else
        zg_strbuf_puts(&d->sb, "null");
}

static void detail_int(detail_t *d, const char *key, int64_t v)
{
    detail_key(d, key);
    zg_strbuf_printf(&d->sb, "%lld", (long long)v);
}

static void detail_change(detail_t *d, const char *key, const char *from, const char *to)
{
    detail_key(d, key);
    zg_strbuf_puts(&d->sb, "{\"from\":");
    if (from)
        zg_strbuf_json_string(&d->sb, from);
    else
        zg_strbuf_puts(&d->sb, "null");
    zg_strbuf_puts(&d->sb, ",\"to\":");
    if (to)
        zg_strbuf_json_string(&d->sb, to);
    else
        zg_strbuf_puts(&d->sb, "null");
    zg_strbuf_putc(&d->sb, '}');
}

static const char *detail_end(detail_t *d)
{
    zg_strbuf_putc(&d->sb, '}');
    return d->sb.overflow ? "{\"_truncated\":true}" : zg_strbuf_cstr(&d->sb);
}

static int audit(zg_conn_t *c, const zg_member_op_t *op, const char *action, int64_t id,
                 const char *detail, zg_error_t *err)
{
    if (!op->audit)
        return ZG_OK;
    zg_audit_event_t e = {.account_id = op->actor.account_id,
                          .username = op->actor.username,
                          .ip = op->actor.ip,
                          .action = action,
                          .object_type = "member",
                          .object_id = id,
                          .outcome = "ok",
                          .detail = detail};
    return zg_audit_append(c, &e, err);
}

/* ---- insert --------------------------------------------------------------------------------- */

/* Normalized (x → X) copy of an ID number, and its mask and blind index. */
typedef struct pii {
    char id[ZG_IDNUM_LEN + 1];
    char id_masked[ZG_IDNUM_LEN + 1];
    char bidx[ZG_MEMBER_BIDX_HEX + 1];
    bool has_id;
    char phone[ZG_PHONE_LEN + 1];
    char phone_masked[ZG_PHONE_LEN + 1];
    bool has_phone;
} pii_t;

static int pii_prepare(const char *id_number, const char *phone, pii_t *p, zg_error_t *err)
{
    memset(p, 0, sizeof *p);
    if (has_text(id_number)) {
        if (strlen(id_number) != ZG_IDNUM_LEN)
            return zg_error_set(err, ZG_ERR_INVALID, "idnum_length", "身份证号应为18位",
                                "id number length");
        for (int i = 0; i < ZG_IDNUM_LEN; i++)
            p->id[i] = id_number[i] == 'x' ? 'X' : id_number[i];
        zg_idnum_mask(p->id, p->id_masked);
        int rc = zg_member_id_number_index(p->id, p->bidx, err);
        if (rc)
            return rc;
        p->has_id = true;
    }
    if (has_text(phone)) {
        if (strlen(phone) != ZG_PHONE_LEN)
            return zg_error_set(err, ZG_ERR_INVALID, "phone_invalid", "手机号码应为11位数字",
                                "phone length");
        memcpy(p->phone, phone, ZG_PHONE_LEN);
        zg_phone_mask(p->phone, p->phone_masked);
        p->has_phone = true;
    }
    return ZG_OK;
}

static void pii_wipe(pii_t *p)
{
    volatile char *v = (volatile char *)p;
    for (size_t i = 0; i < sizeof *p; i++)
        v[i] = 0;
}

/* Seals and stores the PII columns of person `pid`; `which` 1 = id number, 2 = phone, 3 = both. */
static int pii_store(zg_conn_t *c, int64_t pid, const pii_t *p, int which, zg_error_t *err)
{
    uint8_t id_enc[MEMBER_SEALED_ID_LEN], ph_enc[MEMBER_SEALED_PHONE_LEN];
    size_t id_len = 0, ph_len = 0;
    int rc;
    if ((which & 1) && p->has_id &&
        (rc = member_seal("id_number", pid, p->id, ZG_IDNUM_LEN, id_enc, sizeof id_enc, &id_len,
                          err)))
        return rc;
    if ((which & 2) && p->has_phone &&
        (rc = member_seal("phone", pid, p->phone, ZG_PHONE_LEN, ph_enc, sizeof ph_enc, &ph_len,
                          err)))
        return rc;
    if (which == 3) { /* one statement for both (the common case of a new person) */
        zg_param_t q[] = {p->has_id ? ZG_P_BLOB(id_enc, id_len) : ZG_P_NULL,
                          p->has_id ? ZG_P_TEXT(p->bidx) : ZG_P_NULL,
                          p->has_id ? ZG_P_TEXT(p->id_masked) : ZG_P_NULL,
                          p->has_phone ? ZG_P_BLOB(ph_enc, ph_len) : ZG_P_NULL,
                          p->has_phone ? ZG_P_TEXT(p->phone_masked) : ZG_P_NULL,
                          ZG_P_INT(pid)};
        return zg_db_exec(c,
                          "UPDATE person SET id_number_enc = $1, id_number_bidx = $2, "
                          "id_number_masked = $3, phone_enc = $4, phone_masked = $5 WHERE id = $6",
                          q, 6, NULL, err);
    }
    if (which & 1) {
        zg_param_t q[] = {p->has_id ? ZG_P_BLOB(id_enc, id_len) : ZG_P_NULL,
                          p->has_id ? ZG_P_TEXT(p->bidx) : ZG_P_NULL,
                          p->has_id ? ZG_P_TEXT(p->id_masked) : ZG_P_NULL, ZG_P_INT(pid)};
        rc = zg_db_exec(c,
                        "UPDATE person SET id_number_enc = $1, id_number_bidx = $2, "
                        "id_number_masked = $3 WHERE id = $4",
                        q, 4, NULL, err);
        if (rc)
            return rc;
    }
    if (which & 2) {
        zg_param_t q[] = {p->has_phone ? ZG_P_BLOB(ph_enc, ph_len) : ZG_P_NULL,
                          p->has_phone ? ZG_P_TEXT(p->phone_masked) : ZG_P_NULL, ZG_P_INT(pid)};
        rc = zg_db_exec(c, "UPDATE person SET phone_enc = $1, phone_masked = $2 WHERE id = $3", q,
                        3, NULL, err);
        if (rc)
            return rc;
    }
    return ZG_OK;
}

static const char *opt_text(const char *s)
{
    return has_text(s) ? s : NULL;
}

static int insert_event(zg_conn_t *c, int64_t mid, const char *kind, zg_date_t on, int64_t org,
                        int64_t from_org, const char *note, int64_t account_id, int64_t *id,
                        zg_error_t *err)
{
    char d[ZG_DATE_STR_SIZE];
    zg_param_t p[] = {ZG_P_INT(mid),
                      ZG_P_TEXT(kind),
                      member_date_param(on, d),
                      org ? ZG_P_INT(org) : ZG_P_NULL,
                      from_org ? ZG_P_INT(from_org) : ZG_P_NULL,
                      ZG_P_TEXT(opt_text(note)),
                      account_id ? ZG_P_INT(account_id) : ZG_P_NULL};
    int64_t eid = 0;
    int rc = zg_db_query_int(c,
                             "INSERT INTO membership_event (membership_id, kind, on_date, org_id, "
                             "from_org_id, note, account_id) VALUES ($1, $2, $3, $4, $5, $6, $7) "
                             "RETURNING id",
                             p, 7, &eid, err);
    if (!rc && id)
        *id = eid;
    return rc;
}

static int insert_span(zg_conn_t *c, int64_t mid, int64_t org, const char *status, zg_date_t from,
                       zg_date_t to, zg_error_t *err)
{
    char f[ZG_DATE_STR_SIZE], t[ZG_DATE_STR_SIZE];
    zg_param_t p[] = {ZG_P_INT(mid), ZG_P_INT(org), ZG_P_TEXT(status), member_date_param(from, f),
                      member_date_param(to, t)};
    return zg_db_exec(c,
                      "INSERT INTO membership_span (membership_id, org_id, status, valid_from, "
                      "valid_to) VALUES ($1, $2, $3, $4, $5)",
                      p, 5, NULL, err);
}

/* ---- writing new members: one, or a batch ------------------------------------------------- */

/* A batch: members whose person and membership ids are reserved by one query, written before
 * the next reservation. Rows per statement: SQLite gains nothing from multi-row INSERTs (one
 * with several rows opens a statement journal, a copy of every page it changes, and its "$n"
 * are bound by name, a linear search each) while a prepared single-row INSERT without
 * RETURNING is cheap; PostgreSQL pays a round trip per statement, so it gets the batch in one
 * statement per table (16 parameters a person: far below libpq's 65535). */
#define BULK_BATCH_SQLITE 256
#define BULK_BATCH_PG     128
#define BULK_STMT_SQLITE  1
/* Parameters of one row: person (created_at = updated_at share one), membership, event, span. */
#define PERSON_NP     16
#define MEMBERSHIP_NP 9
#define EVENT_NP      6
#define SPAN_NP       5

/* A new member waiting for its batch's statements. Strings of `in` are the caller's. */
typedef struct bulk_member {
    zg_member_input_t in;
    int64_t pid, mid;
    bool new_person;      /* false: an existing person (reuse_person_id), already updated */
    bool full, two_steps; /* full member; converted after the join (two events, two spans) */
    char ts[ZG_TIMESTAMP_SIZE];
    char bd[ZG_DATE_STR_SIZE], ws[ZG_DATE_STR_SIZE], jd[ZG_DATE_STR_SIZE], pe[ZG_DATE_STR_SIZE],
        cd[ZG_DATE_STR_SIZE];
    bool has_bd, has_ws, has_jd, has_pe, has_cd;
    uint8_t id_enc[MEMBER_SEALED_ID_LEN], ph_enc[MEMBER_SEALED_PHONE_LEN];
    size_t id_len, ph_len;
    char bidx[ZG_MEMBER_BIDX_HEX + 1];
    char id_masked[ZG_IDNUM_LEN + 1], phone_masked[ZG_PHONE_LEN + 1];
    bool has_id, has_phone;
    int64_t tag;
} bulk_member_t;

/* An event or span row of a member already written. Rows go out in full statements; the rest
 * waits for the next write, its membership being in the database by then. */
typedef struct bulk_row {
    int64_t mid, org, account;
    const char *kind; /* event kind, or span status */
    const char *note;
    char from[ZG_DATE_STR_SIZE], to[ZG_DATE_STR_SIZE];
    bool has_to;
} bulk_row_t;

enum { T_PERSON, T_MEMBERSHIP, T_EVENT, T_SPAN, T_COUNT };

static const struct {
    const char *head; /* table (columns) */
    int np;           /* parameters a row */
    bool dup_last;    /* the last column again (updated_at = created_at) */
} TABLES[T_COUNT] = {
    [T_PERSON] = {"person (id, name, gender, ethnicity, birth_date, id_number_enc, "
                  "id_number_bidx, id_number_masked, phone_enc, phone_masked, education, degree, "
                  "native_place, work_start_date, occupation, created_at, updated_at)",
                  PERSON_NP, true},
    [T_MEMBERSHIP] = {"membership (id, person_id, org_id, status, dues_category, joined_on, "
                      "probation_end, standing_since, created_at, updated_at)",
                      MEMBERSHIP_NP, true},
    [T_EVENT] = {"membership_event (membership_id, kind, on_date, org_id, note, account_id)",
                 EVENT_NP, false},
    [T_SPAN] = {"membership_span (membership_id, org_id, status, valid_from, valid_to)", SPAN_NP,
                false},
};

struct member_bulk {
    zg_conn_t *c;
    int64_t account_id;
    bool sqlite;
    int cap; /* members per batch */
    int per; /* rows per statement (1..cap) */
    bulk_member_t *m;
    int n;
    int64_t *pids, *mids; /* reserved ids; the next unused at index cap - n*ids */
    int npids, nmids;
    bulk_row_t *ev, *sp; /* waiting events and spans (fewer than per + 2 × cap) */
    int nev, nsp;
    zg_param_t *p; /* cap × PERSON_NP */
    struct {
        char *text; /* INSERT of `rows` rows */
        int rows;
    } sql[T_COUNT];
    size_t sql_cap;
    int64_t *failed_tags; /* tags of the batch a statement refused */
    int nfailed;
};

/* The backend of a connection. db.h has no per-connection accessor; CAST(2.5 AS INTEGER) is 2 on
 * SQLite (truncation) and 3 on PostgreSQL (rounding), and both accept the statement. */
static int conn_is_sqlite(zg_conn_t *c, bool *sqlite, zg_error_t *err)
{
    int64_t v = 0;
    int rc = zg_db_query_int(c, "SELECT CAST(2.5 AS INTEGER)", NULL, 0, &v, err);
    *sqlite = v == 2;
    return rc;
}

int member_bulk_new(zg_conn_t *c, const zg_member_actor_t *actor, int batch, member_bulk_t **out,
                    zg_error_t *err)
{
    *out = NULL;
    bool sqlite = true;
    int rc = conn_is_sqlite(c, &sqlite, err);
    if (rc)
        return rc;
    int cap = batch > 0 ? batch : sqlite ? BULK_BATCH_SQLITE : BULK_BATCH_PG;
    if (cap > MEMBER_BULK_MAX)
        cap = MEMBER_BULK_MAX;
    member_bulk_t *b = calloc(1, sizeof *b);
    if (!b)
        return nomem(err);
    b->c = c;
    b->account_id = actor ? actor->account_id : 0;
    b->sqlite = sqlite;
    b->cap = cap;
    b->per = sqlite && cap > BULK_STMT_SQLITE ? BULK_STMT_SQLITE : cap;
    /* "$12345, " per parameter at most 8 characters, ", $n)" per row, plus the head */
    b->sql_cap = 512 + (size_t)b->per * (PERSON_NP + 2) * 8;
    b->m = calloc((size_t)cap, sizeof *b->m);
    b->pids = calloc((size_t)cap, sizeof *b->pids);
    b->mids = calloc((size_t)cap, sizeof *b->mids);
    b->ev = calloc((size_t)(cap * 3), sizeof *b->ev);
    b->sp = calloc((size_t)(cap * 3), sizeof *b->sp);
    b->p = calloc((size_t)cap * PERSON_NP, sizeof *b->p);
    b->failed_tags = calloc((size_t)cap, sizeof *b->failed_tags);
    bool ok = b->m && b->pids && b->mids && b->ev && b->sp && b->p && b->failed_tags;
    for (int t = 0; t < T_COUNT; t++)
        ok = ok && (b->sql[t].text = malloc(b->sql_cap)) != NULL;
    if (!ok) {
        member_bulk_free(b);
        return nomem(err);
    }
    *out = b;
    return ZG_OK;
}

void member_bulk_free(member_bulk_t *b)
{
    if (!b)
        return;
    if (b->m) { /* masked forms and blind indexes */
        volatile unsigned char *v = (volatile unsigned char *)b->m;
        for (size_t i = 0; i < (size_t)b->cap * sizeof *b->m; i++)
            v[i] = 0;
    }
    free(b->m);
    free(b->pids);
    free(b->mids);
    free(b->ev);
    free(b->sp);
    free(b->p);
    for (int t = 0; t < T_COUNT; t++)
        free(b->sql[t].text);
    free(b->failed_tags);
    free(b);
}

int member_bulk_failed(const member_bulk_t *b, const int64_t **tags)
{
    *tags = b->failed_tags;
    return b->nfailed;
}

/* "INSERT INTO <table> VALUES ($1, …), (…)" for `rows` rows of table t (kept while the count
 * stays the same, so the statement cache finds the text at once). */
static const char *values_sql(member_bulk_t *b, int t, int rows)
{
    char *sql = b->sql[t].text;
    if (b->sql[t].rows == rows)
        return sql;
    size_t cap = b->sql_cap;
    size_t k = (size_t)snprintf(sql, cap, "INSERT INTO %s VALUES ", TABLES[t].head);
    int n = 0;
    for (int r = 0; r < rows && k < cap; r++) {
        k += (size_t)snprintf(sql + k, cap - k, "%s(", r ? ", " : "");
        for (int i = 0; i < TABLES[t].np && k < cap; i++)
            k += (size_t)snprintf(sql + k, cap - k, "%s$%d", i ? ", " : "", ++n);
        if (TABLES[t].dup_last && k < cap)
            k += (size_t)snprintf(sql + k, cap - k, ", $%d", n);
        if (k < cap)
            k += (size_t)snprintf(sql + k, cap - k, ")");
    }
    assert(k < cap); /* sql_cap is sized for `per` rows of the widest table */
    b->sql[t].rows = rows;
    return sql;
}

/* Inserts `rows` rows of table t whose parameters are p[], `per` rows a statement. */
static int insert_rows(member_bulk_t *b, int t, const zg_param_t *p, int rows, zg_error_t *err)
{
    int np = TABLES[t].np;
    for (int i = 0; i < rows; i += b->per) {
        int k = rows - i < b->per ? rows - i : b->per;
        int rc = zg_db_exec(b->c, values_sql(b, t, k), p + (size_t)i * np, k * np, NULL, err);
        if (rc)
            return rc;
    }
    return ZG_OK;
}

/* Reserves `n` ids of table `table` ("person" / "membership") into ids[]. Under the write
 * transaction: on SQLite the lock is the database's, and ids above both the largest id and the
 * AUTOINCREMENT counter are free (inserting them moves the counter); on PostgreSQL the values are
 * taken from the identity column's sequence, so concurrent writers never get them. */
static int reserve_ids(member_bulk_t *b, const char *table, int n, int64_t *ids, zg_error_t *err)
{
    char sql[256];
    if (b->sqlite) {
        snprintf(sql, sizeof sql,
                 "SELECT max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = '%s'), 0), "
                 "coalesce((SELECT max(id) FROM %s), 0))",
                 table, table);
        int64_t top = 0;
        int rc = zg_db_query_int(b->c, sql, NULL, 0, &top, err);
        if (rc)
            return rc;
        for (int i = 0; i < n; i++)
            ids[i] = top + 1 + i;
        return ZG_OK;
    }
    snprintf(sql, sizeof sql,
             "SELECT nextval(pg_get_serial_sequence('%s', 'id')) FROM generate_series(1, $1)",
             table);
    zg_param_t p[] = {ZG_P_INT(n)};
    zg_rows_t *r;
    int rc = zg_db_query(b->c, sql, p, 1, &r, err);
    if (rc)
        return rc;
    int k = 0;
    while (k < n && (rc = zg_rows_next(r, err)) == 1)
        ids[k++] = zg_rows_int(r, 0);
    zg_rows_close(r);
    if (rc < 0)
        return rc;
    return k == n ? ZG_OK
                  : zg_error_set(err, ZG_ERR_INTERNAL, "internal", "服务器内部错误",
                                 "reserved %d of %d %s ids", k, n, table);
}

static zg_param_t opt_param(bool has, const char *s)
{
    return has ? ZG_P_TEXT(s) : ZG_P_NULL;
}

/* Writes date d into buf; false (NULL in the database) for ZG_MEMBER_NO_DATE. */
static bool date_text(zg_date_t d, char buf[ZG_DATE_STR_SIZE])
{
    buf[0] = '\0';
    return member_date_param(d, buf).type == ZG_PT_TEXT;
}

/* Sends the waiting events (t = T_EVENT) or spans (T_SPAN) in statements of `per` rows; the
 * remainder too when `all`. */
static int send_waiting(member_bulk_t *b, int t, bool all, zg_error_t *err)
{
    bool events = t == T_EVENT;
    bulk_row_t *v = events ? b->ev : b->sp;
    int *nv = events ? &b->nev : &b->nsp;
    int rows = all ? *nv : *nv / b->per * b->per;
    int done = 0;
    while (done < rows) {
        int k = rows - done < b->cap ? rows - done : b->cap;
        zg_param_t *p = b->p;
        for (int i = done; i < done + k; i++) {
            bulk_row_t *e = &v[i];
            *p++ = ZG_P_INT(e->mid);
            if (events) {
                *p++ = ZG_P_TEXT(e->kind);
                *p++ = opt_param(e->from[0], e->from);
                *p++ = e->org ? ZG_P_INT(e->org) : ZG_P_NULL;
                *p++ = ZG_P_TEXT(opt_text(e->note));
                *p++ = e->account ? ZG_P_INT(e->account) : ZG_P_NULL;
            } else {
                *p++ = ZG_P_INT(e->org);
                *p++ = ZG_P_TEXT(e->kind);
                *p++ = opt_param(e->from[0], e->from);
                *p++ = opt_param(e->has_to, e->to);
            }
        }
        int rc = insert_rows(b, t, b->p, k, err);
        if (rc)
            return rc;
        done += k;
    }
    memmove(v, v + rows, (size_t)(*nv - rows) * sizeof *v);
    *nv -= rows;
    return ZG_OK;
}

static bulk_row_t *queue_row(member_bulk_t *b, bool events, const bulk_member_t *m,
                             const char *kind, const char *from, const char *to)
{
    bulk_row_t *e = events ? &b->ev[b->nev++] : &b->sp[b->nsp++];
    memset(e, 0, sizeof *e);
    e->mid = m->mid;
    e->org = m->in.org_id;
    e->account = b->account_id;
    e->kind = kind;
    snprintf(e->from, sizeof e->from, "%s", from);
    if (to) {
        snprintf(e->to, sizeof e->to, "%s", to);
        e->has_to = true;
    }
    return e;
}

/* Writes the waiting members (persons, then memberships), then their events and spans in full
 * statements, or all of them when `all`. When a person or membership statement is refused,
 * failed_tags lists the members of the batch. */
static int bulk_write(member_bulk_t *b, bool all, zg_error_t *err)
{
    int rc = ZG_OK;
    b->nfailed = 0;
    if (b->n) {
        zg_param_t *p = b->p;
        int persons = 0;
        for (int i = 0; i < b->n; i++) {
            bulk_member_t *m = &b->m[i];
            b->failed_tags[b->nfailed++] = m->tag;
            if (!m->new_person)
                continue;
            const zg_member_input_t *in = &m->in;
            *p++ = ZG_P_INT(m->pid);
            *p++ = ZG_P_TEXT(in->name);
            *p++ = ZG_P_TEXT(in->gender);
            *p++ = ZG_P_TEXT(opt_text(in->ethnicity));
            *p++ = opt_param(m->has_bd, m->bd);
            *p++ = m->has_id ? ZG_P_BLOB(m->id_enc, m->id_len) : ZG_P_NULL;
            *p++ = opt_param(m->has_id, m->bidx);
            *p++ = opt_param(m->has_id, m->id_masked);
            *p++ = m->has_phone ? ZG_P_BLOB(m->ph_enc, m->ph_len) : ZG_P_NULL;
            *p++ = opt_param(m->has_phone, m->phone_masked);
            *p++ = ZG_P_TEXT(opt_text(in->education));
            *p++ = ZG_P_TEXT(opt_text(in->degree));
            *p++ = ZG_P_TEXT(opt_text(in->native_place));
            *p++ = opt_param(m->has_ws, m->ws);
            *p++ = ZG_P_TEXT(opt_text(in->occupation));
            *p++ = ZG_P_TEXT(m->ts);
            persons++;
        }
        if ((rc = insert_rows(b, T_PERSON, b->p, persons, err)))
            return rc;
        p = b->p;
        for (int i = 0; i < b->n; i++) {
            bulk_member_t *m = &b->m[i];
            *p++ = ZG_P_INT(m->mid);
            *p++ = ZG_P_INT(m->pid);
            *p++ = ZG_P_INT(m->in.org_id);
            *p++ = ZG_P_TEXT(m->full ? "full" : "probationary");
            *p++ = ZG_P_TEXT(opt_text(m->in.dues_category));
            *p++ = opt_param(m->has_jd, m->jd);
            *p++ = opt_param(m->has_pe, m->pe);
            *p++ = opt_param(m->has_cd, m->cd);
            *p++ = ZG_P_TEXT(m->ts);
        }
        if ((rc = insert_rows(b, T_MEMBERSHIP, b->p, b->n, err)))
            return rc;
        for (int i = 0; i < b->n; i++) {
            bulk_member_t *m = &b->m[i];
            const char *first = has_text(m->in.first_event) ? m->in.first_event : "joined";
            queue_row(b, true, m, first, m->jd, NULL)->note = m->in.note;
            if (m->two_steps) {
                queue_row(b, true, m, "converted", m->cd, NULL);
                queue_row(b, false, m, "probationary", m->jd, m->cd);
                queue_row(b, false, m, "full", m->cd, NULL);
            } else {
                queue_row(b, false, m, m->full ? "full" : "probationary", m->jd, NULL);
            }
        }
        b->n = 0;
    }
    b->nfailed = 0;
    if (!(rc = send_waiting(b, T_EVENT, all, err)))
        rc = send_waiting(b, T_SPAN, all, err);
    return rc;
}

int member_bulk_flush(member_bulk_t *b, zg_error_t *err)
{
    return bulk_write(b, true, err);
}

int member_bulk_add(member_bulk_t *b, const zg_member_input_t *in, int64_t reuse_person_id,
                    int64_t tag, int64_t *membership_id, int64_t *person_id, zg_error_t *err)
{
    bool full = in->converted_on != ZG_MEMBER_NO_DATE;
    zg_date_t probation_end = ZG_MEMBER_NO_DATE;
    if (full)
        probation_end = in->converted_on;
    else if (zg_date_add_months(in->joined_on, ZG_MEMBER_PROBATION_MONTHS, &probation_end))
        return zg_error_set(err, ZG_ERR_INVALID, "invalid_date", "入党日期无效", "joined_on");
    int rc;
    /* a full batch goes out first; ids are reserved when the previous ones are written */
    if (b->n == b->cap && (rc = bulk_write(b, false, err)))
        return rc;
    if (!reuse_person_id && !b->npids) {
        if ((rc = bulk_write(b, false, err)) ||
            (rc = reserve_ids(b, "person", b->cap, b->pids, err)))
            return rc;
        b->npids = b->cap;
    }
    if (!b->nmids) {
        if ((rc = bulk_write(b, false, err)) ||
            (rc = reserve_ids(b, "membership", b->cap, b->mids, err)))
            return rc;
        b->nmids = b->cap;
    }
    pii_t pii;
    if ((rc = pii_prepare(in->id_number, in->phone, &pii, err)))
        return rc;
    bulk_member_t *m = &b->m[b->n];
    memset(m, 0, sizeof *m);
    m->in = *in;
    m->tag = tag;
    m->full = full;
    m->two_steps = full && in->converted_on > in->joined_on;
    zg_timestamp_now(m->ts);
    m->has_bd = date_text(in->birth_date, m->bd);
    m->has_ws = date_text(in->work_start_date, m->ws);
    m->has_jd = date_text(in->joined_on, m->jd);
    m->has_pe = date_text(probation_end, m->pe);
    m->has_cd = full && date_text(in->converted_on, m->cd);
    if (reuse_person_id) {
        /* the person exists (without membership): updated now, as zg_member_update would */
        char ts[ZG_TIMESTAMP_SIZE];
        memcpy(ts, m->ts, sizeof ts);
        zg_param_t pp[] = {ZG_P_TEXT(in->name),
                           ZG_P_TEXT(in->gender),
                           ZG_P_TEXT(opt_text(in->ethnicity)),
                           opt_param(m->has_bd, m->bd),
                           ZG_P_TEXT(opt_text(in->education)),
                           ZG_P_TEXT(opt_text(in->degree)),
                           ZG_P_TEXT(opt_text(in->native_place)),
                           opt_param(m->has_ws, m->ws),
                           ZG_P_TEXT(opt_text(in->occupation)),
                           ZG_P_TEXT(ts),
                           ZG_P_INT(reuse_person_id)};
        rc = zg_db_exec(b->c,
                        "UPDATE person SET name = $1, gender = $2, ethnicity = $3, "
                        "birth_date = $4, education = $5, degree = $6, native_place = $7, "
                        "work_start_date = $8, occupation = $9, updated_at = $10 WHERE id = $11",
                        pp, 11, NULL, err);
        if (!rc)
            rc = pii_store(b->c, reuse_person_id, &pii, 3, err);
        m->pid = reuse_person_id;
    } else {
        m->pid = b->pids[b->cap - b->npids];
        m->new_person = true;
        if (pii.has_id)
            rc = member_seal("id_number", m->pid, pii.id, ZG_IDNUM_LEN, m->id_enc, sizeof m->id_enc,
                             &m->id_len, err);
        if (!rc && pii.has_phone)
            rc = member_seal("phone", m->pid, pii.phone, ZG_PHONE_LEN, m->ph_enc, sizeof m->ph_enc,
                             &m->ph_len, err);
        memcpy(m->bidx, pii.bidx, sizeof m->bidx);
        memcpy(m->id_masked, pii.id_masked, sizeof m->id_masked);
        memcpy(m->phone_masked, pii.phone_masked, sizeof m->phone_masked);
        m->has_id = pii.has_id;
        m->has_phone = pii.has_phone;
    }
    pii_wipe(&pii);
    if (rc)
        return rc;
    if (m->new_person)
        b->npids--;
    m->mid = b->mids[b->cap - b->nmids--];
    b->n++;
    if (membership_id)
        *membership_id = m->mid;
    if (person_id)
        *person_id = m->pid;
    return ZG_OK;
}

int member_insert(zg_conn_t *c, const zg_member_actor_t *actor, const zg_member_input_t *in,
                  int64_t reuse_person_id, int64_t *membership_id, int64_t *person_id,
                  zg_error_t *err)
{
    member_bulk_t *b;
    int rc = member_bulk_new(c, actor, 1, &b, err);
    if (rc)
        return rc;
    rc = member_bulk_add(b, in, reuse_person_id, 0, membership_id, person_id, err);
    if (!rc)
        rc = member_bulk_flush(b, err);
    member_bulk_free(b);
    return rc;
}

/* Runs `fn` in a write transaction unless the caller holds one. */
static int begin_unless(zg_conn_t *c, const zg_member_op_t *op, zg_error_t *err)
{
    return op->in_tx ? ZG_OK : zg_db_begin(c, ZG_TX_WRITE, err);
}

static int end_unless(zg_conn_t *c, const zg_member_op_t *op, int rc, zg_error_t *err)
{
    if (op->in_tx)
        return rc;
    if (!rc)
        rc = zg_db_commit(c, err);
    if (rc)
        zg_db_rollback(c);
    return rc;
}

/* A UNIQUE violation on id_number_bidx that raced past the duplicate check. */
static int duplicate_race(zg_member_op_t *op, int rc, zg_error_t *err)
{
    if (rc != ZG_ERR_CONFLICT)
        return rc;
    zg_findings_add(&op->findings, "member.id_number_unique", "id_number",
                    "该身份证号已在系统中登记，不能重复登记");
    return member_rule_refusal(op, err);
}

int zg_member_create(zg_conn_t *c, zg_member_op_t *op, const zg_member_input_t *in, int64_t *id,
                     zg_error_t *err)
{
    if (!member_key())
        return zg_error_set(err, ZG_ERR_CRYPTO, "field_key_missing", "字段加密密钥未配置",
                            "member create without a key");
    zg_member_input_t v = *in;
    /* what is not given is absent */
    if (!(v.set & ZG_MEMBER_SET_BIRTH_DATE))
        v.birth_date = ZG_MEMBER_NO_DATE;
    if (!(v.set & ZG_MEMBER_SET_WORK_START))
        v.work_start_date = ZG_MEMBER_NO_DATE;
    if (!(v.set & ZG_MEMBER_SET_JOINED_ON))
        v.joined_on = ZG_MEMBER_NO_DATE;
    if (!(v.set & ZG_MEMBER_SET_CONVERTED_ON))
        v.converted_on = ZG_MEMBER_NO_DATE;
    if (!(v.set & ZG_MEMBER_SET_ORG))
        v.org_id = 0;
    if (v.first_event && strcmp(v.first_event, "joined") && strcmp(v.first_event, "transfer_in")) {
        op->bad_field = "first_event";
        return zg_error_set(err, ZG_ERR_INVALID, "invalid_fields",
                            "首个变动应为 joined（入党）或 transfer_in（从系统外转入）",
                            "bad first_event");
    }
    int rc = begin_unless(c, op, err);
    if (rc)
        return rc;
    int64_t reuse = 0, mid = 0;
    rc = validate_impl(c, op, &v, true, 0, &reuse, err);
    if (!rc && zg_findings_blocking(&op->findings))
        rc = member_rule_refusal(op, err);
    if (!rc)
        rc = member_insert(c, &op->actor, &v, reuse, &mid, NULL, err);
    if (!rc) {
        detail_t d;
        detail_init(&d, op->arena);
        detail_str(&d, "name", v.name);
        detail_int(&d, "org_id", v.org_id);
        detail_str(&d, "joined_on", fmt_date(op->arena, v.joined_on));
        if (v.converted_on != ZG_MEMBER_NO_DATE)
            detail_str(&d, "converted_on", fmt_date(op->arena, v.converted_on));
        if (has_text(v.id_number))
            detail_str(&d, "id_number", "set");
        if (has_text(v.phone))
            detail_str(&d, "phone", "set");
        rc = audit(c, op, "member.create", mid, detail_end(&d), err);
    }
    rc = end_unless(c, op, rc, err);
    if (rc)
        return duplicate_race(op, rc, err);
    keep_advisory(op);
    if (v.converted_on != ZG_MEMBER_NO_DATE)
        zg_findings_add(&op->findings, "member.standing_since", "converted_on", "党龄自 %s 起算",
                        fmt_date(op->arena, v.converted_on));
    *id = mid;
    return ZG_OK;
}

/* ---- reading one member -------------------------------------------------------------------- */

/* The columns read_member expects; %s are the org and status columns and the two sealed
 * columns (or NULL when not revealed). */
#define MEMBER_NCOLS 28 /* the columns of MEMBER_COLS_FMT */
#define MEMBER_COLS_FMT                                                                            \
    "m.id, m.person_id, p.name, p.gender, p.ethnicity, p.birth_date, %s, p.id_number_masked, "     \
    "%s, p.phone_masked, p.education, p.degree, p.native_place, p.work_start_date, "               \
    "p.occupation, %s, o.name, %s, m.dues_category, m.joined_on, m.probation_end, "                \
    "m.standing_since, m.extended, m.mobile, m.lost_contact_since, m.suspended_on, "               \
    "m.created_at, m.updated_at"

static int read_member(zg_rows_t *r, zg_arena_t *a, bool reveal, zg_member_t *m, zg_error_t *err)
{
    bool oom = false;
    memset(m, 0, sizeof *m);
    m->id = zg_rows_int(r, 0);
    m->person_id = zg_rows_int(r, 1);
    m->name = member_col_str(r, 2, a, &oom);
    m->gender = member_col_str(r, 3, a, &oom);
    m->ethnicity = member_col_str(r, 4, a, &oom);
    m->birth_date = member_col_date(r, 5);
    m->id_number_masked = member_col_str(r, 7, a, &oom);
    m->phone_masked = member_col_str(r, 9, a, &oom);
    m->education = member_col_str(r, 10, a, &oom);
    m->degree = member_col_str(r, 11, a, &oom);
    m->native_place = member_col_str(r, 12, a, &oom);
    m->work_start_date = member_col_date(r, 13);
    m->occupation = member_col_str(r, 14, a, &oom);
    m->org_id = zg_rows_int(r, 15);
    m->org_name = member_col_str(r, 16, a, &oom);
    m->status = member_col_str(r, 17, a, &oom);
    m->dues_category = member_col_str(r, 18, a, &oom);
    m->joined_on = member_col_date(r, 19);
    m->probation_end = member_col_date(r, 20);
    m->standing_since = member_col_date(r, 21);
    m->extended = zg_rows_int(r, 22) != 0;
    m->mobile = zg_rows_int(r, 23) != 0;
    m->lost_contact_since = member_col_date(r, 24);
    m->suspended_on = member_col_date(r, 25);
    m->created_at = member_col_str(r, 26, a, &oom);
    m->updated_at = member_col_str(r, 27, a, &oom);
    if (oom)
        return nomem(err);
    if (reveal) {
        size_t len = 0;
        const void *b;
        int rc;
        if (!zg_rows_isnull(r, 6)) {
            b = zg_rows_blob(r, 6, &len);
            if ((rc = member_open(a, "id_number", m->person_id, b, len, &m->id_number, err)))
                return rc;
        }
        if (!zg_rows_isnull(r, 8)) {
            b = zg_rows_blob(r, 8, &len);
            if ((rc = member_open(a, "phone", m->person_id, b, len, &m->phone, err)))
                return rc;
        }
    }
    return ZG_OK;
}

static int load_member(zg_conn_t *c, zg_arena_t *a, int64_t scope, int64_t id, bool reveal,
                       zg_member_t *out, zg_error_t *err)
{
    char sql[SQL_MAX];
    snprintf(sql, sizeof sql,
             "SELECT " MEMBER_COLS_FMT " FROM membership m JOIN person p ON p.id = m.person_id "
             "JOIN org o ON o.id = m.org_id WHERE m.id = $1 AND %s",
             reveal ? "p.id_number_enc" : "NULL", reveal ? "p.phone_enc" : "NULL", "m.org_id",
             "m.status", scope > 0 ? "m.org_id IN {{SCOPE}}" : "1 = 1");
    zg_param_t p[] = {ZG_P_INT(id)};
    zg_rows_t *r;
    int rc = scope > 0 ? zg_scope_query(c, scope, sql, p, 1, &r, err)
                       : zg_db_query(c, sql, p, 1, &r, err);
    if (rc)
        return rc;
    rc = zg_rows_next(r, err);
    if (rc == 1)
        rc = read_member(r, a, reveal, out, err);
    else if (rc == 0)
        rc = not_found(err, id);
    zg_rows_close(r);
    return rc;
}

int zg_member_get(zg_conn_t *c, zg_arena_t *a, int64_t scope, int64_t id, bool reveal_pii,
                  zg_member_t *out, zg_error_t *err)
{
    if (scope <= 0)
        return not_found(err, id);
    return load_member(c, a, scope, id, reveal_pii, out, err);
}

int zg_member_view(zg_conn_t *c, zg_member_op_t *op, int64_t id, bool reveal_pii, zg_member_t *out,
                   zg_error_t *err)
{
    int rc = zg_member_get(c, op->arena, op->scope, id, reveal_pii, out, err);
    if (rc)
        return rc;
    zg_audit_event_t e = {.account_id = op->actor.account_id,
                          .username = op->actor.username,
                          .ip = op->actor.ip,
                          .action = "member.view",
                          .object_type = "member",
                          .object_id = id,
                          .outcome = "ok",
                          .detail = reveal_pii ? "{\"pii\":true}" : "{\"pii\":false}"};
    return zg_audit_log(c, &e, err);
}

/* ---- update ---------------------------------------------------------------------------------- */

static bool same_text(const char *a, const char *b)
{
    if (!has_text(a) || !has_text(b))
        return !has_text(a) && !has_text(b);
    return !strcmp(a, b);
}

int zg_member_update(zg_conn_t *c, zg_member_op_t *op, int64_t id, const zg_member_input_t *in,
                     zg_error_t *err)
{
    if (in->set & (ZG_MEMBER_SET_ORG | ZG_MEMBER_SET_JOINED_ON | ZG_MEMBER_SET_CONVERTED_ON)) {
        op->bad_field = (in->set & ZG_MEMBER_SET_ORG)         ? "org_id"
                        : (in->set & ZG_MEMBER_SET_JOINED_ON) ? "joined_on"
                                                              : "converted_on";
        return zg_error_set(err, ZG_ERR_INVALID, "invalid_fields",
                            "所在党组织、入党日期和转正日期请通过党员变动（调整、更正、转正）修改",
                            "update of an event-owned field");
    }
    if (!member_key())
        return zg_error_set(err, ZG_ERR_CRYPTO, "field_key_missing", "字段加密密钥未配置",
                            "member update without a key");
    int rc = begin_unless(c, op, err);
    if (rc)
        return rc;
    zg_member_t cur;
    rc = load_member(c, op->arena, op->scope, id, true, &cur, err);
    if (rc)
        return end_unless(c, op, rc, err);
    zg_member_input_t v = {
        .name = cur.name,
        .gender = cur.gender,
        .ethnicity = cur.ethnicity,
        .birth_date = cur.birth_date,
        .id_number = cur.id_number,
        .phone = cur.phone,
        .education = cur.education,
        .degree = cur.degree,
        .native_place = cur.native_place,
        .work_start_date = cur.work_start_date,
        .occupation = cur.occupation,
        .org_id = cur.org_id,
        .dues_category = cur.dues_category,
        .joined_on = cur.joined_on,
        .converted_on = ZG_MEMBER_NO_DATE,
    };
    detail_t d;
    detail_init(&d, op->arena);
    bool person_changed = false, dues_changed = false;
    int pii_which = 0;
#define TEXT_FIELD(bit, field, key)                                                                \
    if ((in->set & (bit)) && !same_text(in->field, v.field)) {                                     \
        detail_change(&d, key, opt_text(v.field), opt_text(in->field));                            \
        v.field = in->field;                                                                       \
        person_changed = true;                                                                     \
    }
#define DATE_FIELD(bit, field, key)                                                                \
    if ((in->set & (bit)) && in->field != v.field) {                                               \
        detail_change(&d, key, v.field == ZG_MEMBER_NO_DATE ? NULL : fmt_date(op->arena, v.field), \
                      in->field == ZG_MEMBER_NO_DATE ? NULL : fmt_date(op->arena, in->field));     \
        v.field = in->field;                                                                       \
        person_changed = true;                                                                     \
    }
    TEXT_FIELD(ZG_MEMBER_SET_NAME, name, "name")
    TEXT_FIELD(ZG_MEMBER_SET_GENDER, gender, "gender")
    TEXT_FIELD(ZG_MEMBER_SET_ETHNICITY, ethnicity, "ethnicity")
    DATE_FIELD(ZG_MEMBER_SET_BIRTH_DATE, birth_date, "birth_date")
    TEXT_FIELD(ZG_MEMBER_SET_EDUCATION, education, "education")
    TEXT_FIELD(ZG_MEMBER_SET_DEGREE, degree, "degree")
    TEXT_FIELD(ZG_MEMBER_SET_NATIVE_PLACE, native_place, "native_place")
    DATE_FIELD(ZG_MEMBER_SET_WORK_START, work_start_date, "work_start_date")
    TEXT_FIELD(ZG_MEMBER_SET_OCCUPATION, occupation, "occupation")
#undef TEXT_FIELD
#undef DATE_FIELD
    if ((in->set & ZG_MEMBER_SET_ID_NUMBER) && !same_text(in->id_number, v.id_number)) {
        detail_str(&d, "id_number", "changed"); /* never the values */
        v.id_number = in->id_number;
        pii_which |= 1;
    }
    if ((in->set & ZG_MEMBER_SET_PHONE) && !same_text(in->phone, v.phone)) {
        detail_str(&d, "phone", "changed");
        v.phone = in->phone;
        pii_which |= 2;
    }
    if ((in->set & ZG_MEMBER_SET_DUES_CATEGORY) && !same_text(in->dues_category, v.dues_category)) {
        detail_change(&d, "dues_category", opt_text(v.dues_category), opt_text(in->dues_category));
        v.dues_category = in->dues_category;
        dues_changed = true;
    }
    if (!person_changed && !pii_which && !dues_changed)
        return end_unless(c, op, ZG_OK, err);
    int64_t reuse = 0;
    rc = validate_impl(c, op, &v, false, cur.person_id, &reuse, err);
    if (!rc && zg_findings_blocking(&op->findings))
        rc = member_rule_refusal(op, err);
    char ts[ZG_TIMESTAMP_SIZE];
    zg_timestamp_now(ts);
    if (!rc && person_changed) {
        char bd[ZG_DATE_STR_SIZE], ws[ZG_DATE_STR_SIZE];
        zg_param_t pp[] = {ZG_P_TEXT(v.name),
                           ZG_P_TEXT(v.gender),
                           ZG_P_TEXT(opt_text(v.ethnicity)),
                           member_date_param(v.birth_date, bd),
                           ZG_P_TEXT(opt_text(v.education)),
                           ZG_P_TEXT(opt_text(v.degree)),
                           ZG_P_TEXT(opt_text(v.native_place)),
                           member_date_param(v.work_start_date, ws),
                           ZG_P_TEXT(opt_text(v.occupation)),
                           ZG_P_TEXT(ts),
                           ZG_P_INT(cur.person_id)};
        rc = zg_db_exec(c,
                        "UPDATE person SET name = $1, gender = $2, ethnicity = $3, "
                        "birth_date = $4, education = $5, degree = $6, native_place = $7, "
                        "work_start_date = $8, occupation = $9, updated_at = $10 WHERE id = $11",
                        pp, 11, NULL, err);
    }
    if (!rc && pii_which) {
        pii_t pii;
        rc = pii_prepare(v.id_number, v.phone, &pii, err);
        if (!rc)
            rc = pii_store(c, cur.person_id, &pii, pii_which, err);
        pii_wipe(&pii);
        if (!rc) {
            zg_param_t q[] = {ZG_P_TEXT(ts), ZG_P_INT(cur.person_id)};
            rc = zg_db_exec(c, "UPDATE person SET updated_at = $1 WHERE id = $2", q, 2, NULL, err);
        }
    }
    if (!rc && dues_changed) {
        zg_param_t q[] = {ZG_P_TEXT(opt_text(v.dues_category)), ZG_P_TEXT(ts), ZG_P_INT(id)};
        rc =
            zg_db_exec(c, "UPDATE membership SET dues_category = $1, updated_at = $2 WHERE id = $3",
                       q, 3, NULL, err);
    }
    if (!rc)
        rc = audit(c, op, "member.update", id, detail_end(&d), err);
    rc = end_unless(c, op, rc, err);
    if (rc)
        return duplicate_race(op, rc, err);
    keep_advisory(op);
    return ZG_OK;
}

/* ---- spans and events ---------------------------------------------------------------------- */

/* The fields of membership an event looks at and changes. */
typedef struct mstate {
    int64_t id, person_id, org_id;
    char status[20];
    zg_date_t birth, joined_on, probation_end, standing_since, lost_contact_since, suspended_on;
    bool extended, mobile;
    /* the open span */
    int64_t span_id;
    zg_date_t span_from;
    /* the first span */
    int64_t first_span_id;
    zg_date_t first_span_to; /* NO_DATE when open */
} mstate_t;

static int load_state(zg_conn_t *c, int64_t id, mstate_t *s, zg_error_t *err)
{
    memset(s, 0, sizeof *s);
    zg_rows_t *r;
    zg_param_t p[] = {ZG_P_INT(id)};
    int rc = zg_db_query(c,
                         "SELECT m.id, m.person_id, m.org_id, m.status, p.birth_date, m.joined_on, "
                         "m.probation_end, m.standing_since, m.lost_contact_since, "
                         "m.suspended_on, m.extended, m.mobile FROM membership m "
                         "JOIN person p ON p.id = m.person_id WHERE m.id = $1",
                         p, 1, &r, err);
    if (rc)
        return rc;
    rc = zg_rows_next(r, err);
    if (rc == 1) {
        s->id = zg_rows_int(r, 0);
        s->person_id = zg_rows_int(r, 1);
        s->org_id = zg_rows_int(r, 2);
        snprintf(s->status, sizeof s->status, "%s", zg_rows_text(r, 3));
        s->birth = member_col_date(r, 4);
        s->joined_on = member_col_date(r, 5);
        s->probation_end = member_col_date(r, 6);
        s->standing_since = member_col_date(r, 7);
        s->lost_contact_since = member_col_date(r, 8);
        s->suspended_on = member_col_date(r, 9);
        s->extended = zg_rows_int(r, 10) != 0;
        s->mobile = zg_rows_int(r, 11) != 0;
    }
    zg_rows_close(r);
    if (rc < 0)
        return rc;
    if (rc == 0)
        return not_found(err, id);
    rc =
        zg_db_query(c,
                    "SELECT id, valid_from, valid_to FROM membership_span WHERE membership_id = $1 "
                    "ORDER BY valid_from, id",
                    p, 1, &r, err);
    if (rc)
        return rc;
    bool first = true;
    while ((rc = zg_rows_next(r, err)) == 1) {
        if (first) {
            s->first_span_id = zg_rows_int(r, 0);
            s->first_span_to = member_col_date(r, 2);
            first = false;
        }
        if (zg_rows_isnull(r, 2)) {
            s->span_id = zg_rows_int(r, 0);
            s->span_from = member_col_date(r, 1);
        }
    }
    zg_rows_close(r);
    if (rc < 0)
        return rc;
    if (!s->span_id)
        return zg_error_set(err, ZG_ERR_INTERNAL, "internal", "服务器内部错误",
                            "membership %lld has no open span", (long long)id);
    return ZG_OK;
}

/* Closes the open span on `on` and opens one [on, ∞) with org/status; on the open span's own
 * start day the open span is changed in place. */
static int span_change(zg_conn_t *c, const mstate_t *s, zg_date_t on, int64_t org,
                       const char *status, zg_error_t *err)
{
    char d[ZG_DATE_STR_SIZE];
    if (on == s->span_from) {
        zg_param_t p[] = {ZG_P_INT(org), ZG_P_TEXT(status), ZG_P_INT(s->span_id)};
        return zg_db_exec(c, "UPDATE membership_span SET org_id = $1, status = $2 WHERE id = $3", p,
                          3, NULL, err);
    }
    zg_param_t p[] = {member_date_param(on, d), ZG_P_INT(s->span_id)};
    int rc =
        zg_db_exec(c, "UPDATE membership_span SET valid_to = $1 WHERE id = $2", p, 2, NULL, err);
    if (!rc)
        rc = insert_span(c, s->id, org, status, on, ZG_MEMBER_NO_DATE, err);
    return rc;
}

static bool status_is(const mstate_t *s, const char *a, const char *b, const char *x)
{
    return (a && !strcmp(s->status, a)) || (b && !strcmp(s->status, b)) ||
           (x && !strcmp(s->status, x));
}

static bool active_status(const mstate_t *s)
{
    return status_is(s, "probationary", "full", NULL);
}

/* Adds the member.event_status finding. */
static void wrong_status(zg_member_op_t *op, const mstate_t *s, const char *kind)
{
    zg_findings_add(&op->findings, "member.event_status", "kind", "当前状态为“%s”，不能办理“%s”",
                    zg_member_label(zg_member_statuses, s->status)
                        ? zg_member_label(zg_member_statuses, s->status)
                        : s->status,
                    zg_member_label(zg_member_event_kinds, kind));
}

static bool valid_event_kind(const char *kind)
{
    return kind && zg_member_label(zg_member_event_kinds, kind) && strcmp(kind, "joined");
}

/* The core of every event, inside a write transaction. `scope` > 0: target orgs must be in it.
 * Block findings → rule refusal. */
static int event_tx(zg_conn_t *c, zg_member_op_t *op, int64_t scope, int64_t id,
                    const zg_member_event_input_t *ev, int64_t *event_id, const char **detail,
                    zg_error_t *err)
{
    zg_arena_t *a = op->arena;
    if (!valid_event_kind(ev->kind)) {
        op->bad_field = "kind";
        return zg_error_set(err, ZG_ERR_INVALID, "invalid_fields", "变动类型无效", "event kind %s",
                            ev->kind ? ev->kind : "(null)");
    }
    const char *kind = ev->kind;
    if (ev->note) {
        check_text(&op->findings, "note", "说明", ev->note, ZG_MEMBER_NOTE_MAX);
        if (zg_findings_blocking(&op->findings))
            return member_rule_refusal(op, err);
    }
    mstate_t s;
    int rc = load_state(c, id, &s, err);
    if (rc)
        return rc;
    zg_date_t on = ev->on_date;
    if (on == ZG_MEMBER_NO_DATE)
        on = !strcmp(kind, "converted") && s.probation_end != ZG_MEMBER_NO_DATE ? s.probation_end
                                                                                : op->today;
    bool terminal = status_is(&s, "removed", "deceased", "transferred_out");
    if (on > op->today)
        zg_findings_add(&op->findings, "member.event_order", "on_date",
                        "变动日期（%s）不能晚于今天", fmt_date(a, on));
    else if (strcmp(kind, "corrected") && (on < s.span_from || on < s.joined_on))
        zg_findings_add(&op->findings, "member.event_order", "on_date",
                        "变动日期（%s）早于该党员最近一次变动的日期（%s）", fmt_date(a, on),
                        fmt_date(a, s.span_from > s.joined_on ? s.span_from : s.joined_on));

    char ts[ZG_TIMESTAMP_SIZE];
    zg_timestamp_now(ts);
    /* the new values (start from the current ones) */
    int64_t org = s.org_id, from_org = 0;
    const char *status = s.status;
    zg_date_t probation_end = s.probation_end, standing = s.standing_since,
              lost = s.lost_contact_since, suspended = s.suspended_on, joined = s.joined_on;
    bool extended = s.extended, mobile = s.mobile, span = false;
    const char *note = ev->note;
    detail_t d;
    detail_init(&d, a);
    detail_str(&d, "kind", kind);
    detail_str(&d, "on_date", fmt_date(a, on));

    if (terminal && strcmp(kind, "corrected") &&
        !(!strcmp(kind, "transfer_in") && !strcmp(s.status, "transferred_out"))) {
        wrong_status(op, &s, kind);
    } else if (!strcmp(kind, "converted")) {
        if (strcmp(s.status, "probationary"))
            wrong_status(op, &s, kind);
        else if (on < s.probation_end)
            zg_findings_add(&op->findings, "member.conversion_after_probation", "on_date",
                            "转正日期（%s）早于预备期满日期（%s）", fmt_date(a, on),
                            fmt_date(a, s.probation_end));
        status = "full";
        standing = s.probation_end;
        span = true;
    } else if (!strcmp(kind, "extended")) {
        if (strcmp(s.status, "probationary"))
            wrong_status(op, &s, kind);
        else if (s.extended)
            zg_findings_add(&op->findings, "member.extension_once", "kind",
                            "该党员的预备期已延长过一次，不能再次延长");
        else if (ev->extension_months < ZG_MEMBER_EXTENSION_MIN_MONTHS ||
                 ev->extension_months > ZG_MEMBER_EXTENSION_MAX_MONTHS)
            zg_findings_add(&op->findings, "member.extension_range", "extension_months",
                            "延长预备期应为6至12个月（现为%d个月）", ev->extension_months);
        else if (zg_date_add_months(s.probation_end, ev->extension_months, &probation_end))
            return zg_error_set(err, ZG_ERR_INVALID, "invalid_date", "预备期满日期无效",
                                "extension overflow");
        extended = true;
        detail_int(&d, "extension_months", ev->extension_months);
        note = zg_arena_sprintf(a, "延长预备期%d个月，至%s%s%s", ev->extension_months,
                                fmt_date(a, probation_end), has_text(ev->note) ? "。" : "",
                                has_text(ev->note) ? ev->note : "");
    } else if (!strcmp(kind, "cancelled")) {
        if (strcmp(s.status, "probationary"))
            wrong_status(op, &s, kind);
        status = "removed";
        span = true;
    } else if (!strcmp(kind, "moved") || !strcmp(kind, "transfer_in")) {
        if (!active_status(&s) && strcmp(s.status, "suspended") &&
            !(!strcmp(kind, "transfer_in") && !strcmp(s.status, "transferred_out")))
            wrong_status(op, &s, kind);
        if (ev->to_org_id <= 0) {
            op->bad_field = "to_org_id";
            return zg_error_set(err, ZG_ERR_INVALID, "invalid_fields", "请选择调入的党组织",
                                "move without to_org_id");
        }
        if (ev->to_org_id == s.org_id && strcmp(s.status, "transferred_out")) {
            op->bad_field = "to_org_id";
            return zg_error_set(err, ZG_ERR_CONFLICT, "same_org", "该党员已在这个党组织",
                                "move to the same org");
        }
        rc = check_org(c, &op->findings, scope, ev->to_org_id, "to_org_id", err);
        if (rc) {
            if (rc == ZG_ERR_NOT_FOUND)
                op->bad_field = "to_org_id";
            return rc;
        }
        from_org = s.org_id;
        org = ev->to_org_id;
        if (!strcmp(s.status, "transferred_out"))
            status = s.standing_since != ZG_MEMBER_NO_DATE ? "full" : "probationary";
        span = true;
        detail_int(&d, "from_org_id", from_org);
        detail_int(&d, "to_org_id", org);
    } else if (!strcmp(kind, "transfer_out")) {
        if (!active_status(&s))
            wrong_status(op, &s, kind);
        status = "transferred_out";
        span = true;
    } else if (!strcmp(kind, "mobile_out") || !strcmp(kind, "mobile_back")) {
        bool out = !strcmp(kind, "mobile_out");
        if (!active_status(&s) || s.mobile == out)
            wrong_status(op, &s, kind);
        mobile = out;
    } else if (!strcmp(kind, "lost_contact")) {
        if (!active_status(&s) || s.lost_contact_since != ZG_MEMBER_NO_DATE)
            wrong_status(op, &s, kind);
        lost = on;
    } else if (!strcmp(kind, "contact_restored")) {
        if (s.lost_contact_since == ZG_MEMBER_NO_DATE)
            wrong_status(op, &s, kind);
        lost = ZG_MEMBER_NO_DATE;
    } else if (!strcmp(kind, "suspended")) {
        if (!active_status(&s))
            wrong_status(op, &s, kind);
        int32_t months = -1;
        if (s.lost_contact_since == ZG_MEMBER_NO_DATE || on < s.lost_contact_since ||
            zg_date_months_between(s.lost_contact_since, on, &months) ||
            months < ZG_MEMBER_LOST_CONTACT_MONTHS)
            zg_findings_add(&op->findings, "member.suspension_grounds", "kind", "%s",
                            s.lost_contact_since == ZG_MEMBER_NO_DATE
                                ? "未登记失去联系；请确认停止党籍的依据"
                                : "失去联系不满6个月；请确认停止党籍的依据");
        status = "suspended";
        suspended = on;
        span = true;
    } else if (!strcmp(kind, "restored")) {
        if (strcmp(s.status, "suspended"))
            wrong_status(op, &s, kind);
        status = s.standing_since != ZG_MEMBER_NO_DATE ? "full" : "probationary";
        suspended = ZG_MEMBER_NO_DATE;
        span = true;
    } else if (!strcmp(kind, "removed")) {
        if (!active_status(&s) && strcmp(s.status, "suspended"))
            wrong_status(op, &s, kind);
        int32_t months = -1;
        if (!strcmp(s.status, "suspended") && s.lost_contact_since != ZG_MEMBER_NO_DATE &&
            s.suspended_on != ZG_MEMBER_NO_DATE &&
            (on < s.suspended_on || zg_date_months_between(s.suspended_on, on, &months) ||
             months < 24))
            zg_findings_add(&op->findings, "member.removal_after_suspension", "kind",
                            "停止党籍（%s）不满2年", fmt_date(a, s.suspended_on));
        status = "removed";
        span = true;
    } else if (!strcmp(kind, "died")) {
        if (!active_status(&s) && strcmp(s.status, "suspended"))
            wrong_status(op, &s, kind);
        status = "deceased";
        span = true;
    } else if (!strcmp(kind, "corrected")) {
        if (!has_text(ev->note))
            zg_findings_add(&op->findings, "member.required_fields", "note", "更正须说明原因");
        if (!ev->set)
            zg_findings_add(&op->findings, "member.required_fields", "kind",
                            "请填写要更正的日期（入党日期、预备期满日期或党龄起算日期）");
        zg_strbuf_t sb;
        zg_strbuf_init(&sb, a, 1024);
        if (ev->set & ZG_MEMBER_EVSET_JOINED_ON) {
            joined = ev->joined_on;
            zg_member_input_t chk = {.name = "x",
                                     .gender = "1",
                                     .birth_date = s.birth,
                                     .org_id = s.org_id,
                                     .joined_on = joined,
                                     .converted_on = ZG_MEMBER_NO_DATE,
                                     .work_start_date = ZG_MEMBER_NO_DATE};
            zg_member_check(&chk, op->today, &op->findings);
            if (s.first_span_to != ZG_MEMBER_NO_DATE && joined >= s.first_span_to)
                zg_findings_add(&op->findings, "member.event_order", "joined_on",
                                "更正后的入党日期（%s）不能晚于其后第一次变动的日期（%s）",
                                fmt_date(a, joined), fmt_date(a, s.first_span_to));
            zg_strbuf_printf(&sb, "入党日期由%s更正为%s；", fmt_date(a, s.joined_on),
                             fmt_date(a, joined));
            detail_change(&d, "joined_on", fmt_date(a, s.joined_on), fmt_date(a, joined));
        }
        zg_date_t min_end = ZG_MEMBER_NO_DATE;
        zg_date_add_months(joined, ZG_MEMBER_PROBATION_MONTHS, &min_end);
        /* a probationary member's probation follows a corrected join date */
        if ((ev->set & ZG_MEMBER_EVSET_JOINED_ON) && !(ev->set & ZG_MEMBER_EVSET_PROBATION_END) &&
            !strcmp(s.status, "probationary") && !s.extended)
            probation_end = min_end;
        if (ev->set & ZG_MEMBER_EVSET_PROBATION_END) {
            probation_end = ev->probation_end;
            if (probation_end < min_end)
                zg_findings_add(&op->findings, "member.conversion_after_probation", "probation_end",
                                "预备期满日期（%s）应不早于入党一年后（%s）",
                                fmt_date(a, probation_end), fmt_date(a, min_end));
            zg_strbuf_printf(&sb, "预备期满日期由%s更正为%s；", fmt_date(a, s.probation_end),
                             fmt_date(a, probation_end));
            detail_change(&d, "probation_end", fmt_date(a, s.probation_end),
                          fmt_date(a, probation_end));
        }
        if (ev->set & ZG_MEMBER_EVSET_STANDING_SINCE) {
            standing = ev->standing_since;
            if (standing == ZG_MEMBER_NO_DATE || strcmp(s.status, "probationary") == 0)
                wrong_status(op, &s, kind);
            else if (standing < min_end)
                zg_findings_add(&op->findings, "member.conversion_after_probation",
                                "standing_since", "党龄起算日期（%s）应不早于入党一年后（%s）",
                                fmt_date(a, standing), fmt_date(a, min_end));
            else if (standing > op->today)
                zg_findings_add(&op->findings, "member.dates_order", "standing_since",
                                "党龄起算日期不能晚于今天");
            zg_strbuf_printf(&sb, "党龄起算日期由%s更正为%s；", fmt_date(a, s.standing_since),
                             fmt_date(a, standing));
            detail_change(&d, "standing_since", fmt_date(a, s.standing_since),
                          fmt_date(a, standing));
        }
        zg_strbuf_puts(&sb, has_text(ev->note) ? ev->note : "");
        note = sb.overflow ? ev->note : zg_arena_strdup(a, zg_strbuf_cstr(&sb));
    }
    if (zg_findings_blocking(&op->findings))
        return member_rule_refusal(op, err);

    /* write: span, membership, event */
    if (span && (org != s.org_id || strcmp(status, s.status)))
        rc = span_change(c, &s, on, org, status, err);
    if (!rc && !strcmp(kind, "corrected") && joined != s.joined_on) {
        char jd[ZG_DATE_STR_SIZE];
        zg_param_t p[] = {member_date_param(joined, jd), ZG_P_INT(s.first_span_id)};
        rc = zg_db_exec(c, "UPDATE membership_span SET valid_from = $1 WHERE id = $2", p, 2, NULL,
                        err);
        zg_param_t q[] = {member_date_param(joined, jd), ZG_P_INT(s.id)};
        if (!rc)
            rc = zg_db_exec(c,
                            "UPDATE membership_event SET on_date = $1 WHERE membership_id = $2 "
                            "AND kind IN ('joined', 'transfer_in') AND id = (SELECT min(id) FROM "
                            "membership_event WHERE membership_id = $2)",
                            q, 2, NULL, err);
    }
    if (!rc) {
        char pe[ZG_DATE_STR_SIZE], ss[ZG_DATE_STR_SIZE], lc[ZG_DATE_STR_SIZE], so[ZG_DATE_STR_SIZE],
            jd[ZG_DATE_STR_SIZE];
        zg_param_t p[] = {ZG_P_INT(org),
                          ZG_P_TEXT(status),
                          member_date_param(probation_end, pe),
                          member_date_param(standing, ss),
                          member_date_param(lost, lc),
                          member_date_param(suspended, so),
                          ZG_P_INT(extended ? 1 : 0),
                          ZG_P_INT(mobile ? 1 : 0),
                          member_date_param(joined, jd),
                          ZG_P_TEXT(ts),
                          ZG_P_INT(s.id)};
        rc = zg_db_exec(c,
                        "UPDATE membership SET org_id = $1, status = $2, probation_end = $3, "
                        "standing_since = $4, lost_contact_since = $5, suspended_on = $6, "
                        "extended = $7, mobile = $8, joined_on = $9, updated_at = $10 "
                        "WHERE id = $11",
                        p, 11, NULL, err);
    }
    if (!rc)
        rc = insert_event(c, s.id, kind, on, org, from_org, note, op->actor.account_id, event_id,
                          err);
    if (rc)
        return rc;
    if (!strcmp(kind, "converted"))
        zg_findings_add(&op->findings, "member.standing_since", NULL, "党龄自 %s 起算",
                        fmt_date(a, standing));
    if (!strcmp(kind, "extended"))
        detail_str(&d, "probation_end", fmt_date(a, probation_end));
    if (detail)
        *detail = detail_end(&d);
    return ZG_OK;
}

int zg_member_event(zg_conn_t *c, zg_member_op_t *op, int64_t id, const zg_member_event_input_t *ev,
                    int64_t *event_id, zg_error_t *err)
{
    if (ev->kind && (!strcmp(ev->kind, "transfer_in") || !strcmp(ev->kind, "transfer_out"))) {
        op->bad_field = "kind";
        return zg_error_set(err, ZG_ERR_INVALID, "invalid_fields",
                            "组织关系转入、转出请通过“组织关系转接”办理",
                            "transfer kind via event");
    }
    int rc = begin_unless(c, op, err);
    if (rc)
        return rc;
    /* scope: the member's org must be in scope */
    int64_t n = 0;
    zg_param_t p[] = {ZG_P_INT(id)};
    rc = zg_scope_query_int(c, op->scope,
                            "SELECT count(*) FROM membership WHERE id = $1 AND org_id IN {{SCOPE}}",
                            p, 1, &n, err);
    if (!rc && !n)
        rc = not_found(err, id);
    const char *detail = NULL;
    int64_t eid = 0;
    if (!rc)
        rc = event_tx(c, op, op->scope, id, ev, &eid, &detail, err);
    if (!rc)
        rc = audit(c, op, "member.event", id, detail, err);
    rc = end_unless(c, op, rc, err);
    if (rc)
        return rc;
    keep_advisory(op);
    if (event_id)
        *event_id = eid;
    return ZG_OK;
}

int zg_member_apply_event(zg_conn_t *c, zg_member_op_t *op, int64_t membership_id,
                          const zg_member_event_input_t *ev, int64_t *event_id, zg_error_t *err)
{
    int rc = event_tx(c, op, 0, membership_id, ev, event_id, NULL, err);
    if (!rc)
        keep_advisory(op);
    return rc;
}

int zg_member_move_org(zg_conn_t *c, const zg_member_actor_t *actor, int64_t membership_id,
                       int64_t to_org, zg_date_t on_date, const char *event_kind, const char *note,
                       int64_t *event_id, zg_error_t *err)
{
    if (!event_kind || (strcmp(event_kind, "moved") && strcmp(event_kind, "transfer_in")))
        return zg_error_set(err, ZG_ERR_INVALID, "invalid_fields", "变动类型无效",
                            "move_org kind %s", event_kind ? event_kind : "(null)");
    zg_arena_t a;
    zg_arena_init(&a, 0, 1 << 20);
    zg_member_op_t op;
    zg_member_op_init(&op, &a, 0, actor);
    zg_member_event_input_t ev = {
        .kind = event_kind, .on_date = on_date, .note = note, .to_org_id = to_org};
    int rc = event_tx(c, &op, 0, membership_id, &ev, event_id, NULL, err);
    zg_arena_destroy(&a);
    return rc;
}

/* ---- history and as-of ---------------------------------------------------------------------- */

int zg_member_events(zg_conn_t *c, zg_arena_t *a, int64_t scope, int64_t id,
                     zg_member_event_t **items, size_t *n, zg_error_t *err)
{
    *items = NULL;
    *n = 0;
    int64_t found = 0;
    zg_param_t p[] = {ZG_P_INT(id), ZG_P_INT(ZG_MEMBER_EVENTS_MAX)};
    int rc = zg_scope_query_int(c, scope,
                                "SELECT count(*) FROM membership WHERE id = $1 AND org_id IN "
                                "{{SCOPE}}",
                                p, 1, &found, err);
    if (rc)
        return rc;
    if (!found)
        return not_found(err, id);
    /* orgs outside the reader's scope (where a member came from) are not named */
    zg_rows_t *r;
    rc = zg_scope_query(c, scope,
                        "SELECT * FROM (SELECT e.id, e.membership_id, e.kind, e.on_date, "
                        "CASE WHEN e.org_id IN {{SCOPE}} THEN e.org_id END AS org_id, "
                        "CASE WHEN e.from_org_id IN {{SCOPE}} THEN e.from_org_id END AS fid, "
                        "CASE WHEN e.org_id IN {{SCOPE}} THEN o.name END AS oname, "
                        "CASE WHEN e.from_org_id IN {{SCOPE}} THEN fo.name END AS fname, "
                        "e.note, e.account_id, ac.username, e.created_at "
                        "FROM membership_event e LEFT JOIN org o ON o.id = e.org_id "
                        "LEFT JOIN org fo ON fo.id = e.from_org_id "
                        "LEFT JOIN account ac ON ac.id = e.account_id "
                        "WHERE e.membership_id = $1 ORDER BY e.on_date DESC, e.id DESC "
                        "LIMIT $2) t ORDER BY 4, 1",
                        p, 2, &r, err);
    if (rc)
        return rc;
    size_t cap = 16;
    zg_member_event_t *v = zg_arena_calloc(a, cap, sizeof *v);
    bool oom = !v;
    while (!oom && (rc = zg_rows_next(r, err)) == 1) {
        if (*n == cap) {
            zg_member_event_t *nv = zg_arena_calloc(a, cap * 2, sizeof *nv);
            if (!nv) {
                oom = true;
                break;
            }
            memcpy(nv, v, cap * sizeof *v);
            v = nv;
            cap *= 2;
        }
        zg_member_event_t *e = &v[(*n)++];
        e->id = zg_rows_int(r, 0);
        e->membership_id = zg_rows_int(r, 1);
        e->kind = member_col_str(r, 2, a, &oom);
        e->on_date = member_col_date(r, 3);
        e->org_id = zg_rows_isnull(r, 4) ? 0 : zg_rows_int(r, 4);
        e->from_org_id = zg_rows_isnull(r, 5) ? 0 : zg_rows_int(r, 5);
        e->org_name = member_col_str(r, 6, a, &oom);
        e->from_org_name = member_col_str(r, 7, a, &oom);
        e->note = member_col_str(r, 8, a, &oom);
        e->account_id = zg_rows_isnull(r, 9) ? 0 : zg_rows_int(r, 9);
        e->username = member_col_str(r, 10, a, &oom);
        e->created_at = member_col_str(r, 11, a, &oom);
    }
    zg_rows_close(r);
    if (oom)
        return nomem(err);
    if (rc < 0)
        return rc;
    *items = v;
    return ZG_OK;
}

int zg_member_state_as_of(zg_conn_t *c, int64_t membership_id, zg_date_t date, int64_t *org_id,
                          const char **status, zg_error_t *err)
{
    char d[ZG_DATE_STR_SIZE];
    zg_param_t p[] = {ZG_P_INT(membership_id), member_date_param(date, d)};
    zg_rows_t *r;
    int rc = zg_db_query(c,
                         "SELECT org_id, status FROM membership_span WHERE membership_id = $1 "
                         "AND valid_from <= $2 AND (valid_to IS NULL OR valid_to > $2)",
                         p, 2, &r, err);
    if (rc)
        return rc;
    rc = zg_rows_next(r, err);
    if (rc == 1) {
        *org_id = zg_rows_int(r, 0);
        const char *st = zg_rows_text(r, 1);
        *status = "full";
        for (const zg_member_label_t *l = zg_member_statuses; l->code; l++)
            if (!strcmp(l->code, st))
                *status = l->code;
    }
    zg_rows_close(r);
    if (rc == 0)
        return zg_error_set(err, ZG_ERR_NOT_FOUND, "not_found", "该日期不是党员",
                            "membership %lld has no span on that day", (long long)membership_id);
    return rc < 0 ? rc : ZG_OK;
}

int zg_member_find_by_id_number(zg_conn_t *c, int64_t scope, const char *id_number, int64_t *id,
                                zg_error_t *err)
{
    char bidx[ZG_MEMBER_BIDX_HEX + 1];
    int rc = zg_member_id_number_index(id_number, bidx, err);
    if (rc)
        return rc;
    int64_t pid, mid, org;
    rc = lookup_bidx(c, bidx, &pid, &mid, &org, err);
    if (rc)
        return rc;
    if (!mid)
        return zg_error_set(err, ZG_ERR_NOT_FOUND, "not_found", "未找到该身份证号的党员",
                            "no member with that id number");
    bool in = false;
    rc = zg_scope_contains(c, scope, org, &in, err);
    if (rc)
        return rc;
    if (!in)
        return zg_error_set(err, ZG_ERR_CONFLICT, "id_number_elsewhere",
                            "该身份证号的党员由其他党组织管理", "id number held out of scope");
    *id = mid;
    return ZG_OK;
}

/* ---- lists ------------------------------------------------------------------------------------
 */

void zg_member_query_init(zg_member_query_t *q)
{
    memset(q, 0, sizeof *q);
    q->as_of = ZG_MEMBER_NO_DATE;
    q->age_band = q->edu = q->join_period = q->mobile = q->lost_contact = -1;
    q->limit = 20;
}

/* The FROM and WHERE of a list: parameters go to p[] (count *np), texts they point at to
 * bufs (kept alive by the caller). */
typedef struct listq {
    zg_strbuf_t sb;
    zg_param_t p[28];
    int np;
    char dates[8][ZG_DATE_STR_SIZE];
    int nd;
    char bidx[ZG_MEMBER_BIDX_HEX + 1];
    const char *like;
} listq_t;

static int lq_param(listq_t *l, zg_param_t p)
{
    l->p[l->np++] = p;
    return l->np;
}

static int lq_date(listq_t *l, zg_date_t d)
{
    return lq_param(l, member_date_param(d, l->dates[l->nd++]));
}

/* Escapes % _ and \ of a LIKE pattern, wrapped in %…%. */
static char *like_pattern(zg_arena_t *a, const char *q)
{
    size_t n = strlen(q);
    char *s = zg_arena_alloc(a, n * 2 + 3);
    if (!s)
        return NULL;
    size_t k = 0;
    s[k++] = '%';
    for (size_t i = 0; i < n; i++) {
        if (q[i] == '%' || q[i] == '_' || q[i] == '\\')
            s[k++] = '\\';
        s[k++] = q[i];
    }
    s[k++] = '%';
    s[k] = '\0';
    return s;
}

/* The FROM of a list (`full`: with person and org for the columns) or of its count (person
 * only when a filter needs it, org never: the count then runs on membership's indexes). */
static const char *list_from(const zg_member_query_t *q, bool full)
{
    bool asof = q->as_of != ZG_MEMBER_NO_DATE;
    bool person = full || has_text(q->gender) || has_text(q->occupation) || q->age_band >= 0 ||
                  q->edu >= 0 || has_text(q->q) || has_text(q->id_number);
    if (asof)
        return full     ? " FROM membership_span s JOIN membership m ON m.id = s.membership_id "
                          "JOIN person p ON p.id = m.person_id JOIN org o ON o.id = s.org_id"
               : person ? " FROM membership_span s JOIN membership m ON m.id = s.membership_id "
                          "JOIN person p ON p.id = m.person_id"
                        : " FROM membership_span s JOIN membership m ON m.id = s.membership_id";
    return full     ? " FROM membership m JOIN person p ON p.id = m.person_id "
                      "JOIN org o ON o.id = m.org_id"
           : person ? " FROM membership m JOIN person p ON p.id = m.person_id"
                    : " FROM membership m";
}

static int build_where(zg_arena_t *a, int64_t scope, const zg_member_query_t *q, listq_t *l,
                       const char **org_col, zg_error_t *err)
{
    bool asof = q->as_of != ZG_MEMBER_NO_DATE;
    const char *oc = asof ? "s.org_id" : "m.org_id";
    const char *sc = asof ? "s.status" : "m.status";
    *org_col = oc;
    zg_strbuf_t *sb = &l->sb;
    if (asof) {
        int k = lq_date(l, q->as_of);
        zg_strbuf_printf(
            sb, " WHERE s.valid_from <= $%d AND (s.valid_to IS NULL OR s.valid_to > $%d)", k, k);
    } else {
        zg_strbuf_puts(sb, " WHERE 1 = 1");
    }
    zg_strbuf_printf(sb, " AND %s IN {{SCOPE}}", oc);
    int64_t root = q->org_id > 0 ? q->org_id : scope;
    if (q->direct_only)
        zg_strbuf_printf(sb, " AND %s = $%d", oc, lq_param(l, ZG_P_INT(root)));
    else if (root != scope)
        zg_strbuf_printf(sb,
                         " AND %s IN (SELECT descendant_id FROM org_closure WHERE ancestor_id = "
                         "$%d)",
                         oc, lq_param(l, ZG_P_INT(root)));
    const char *st = q->status;
    if (!st || !strcmp(st, "current"))
        zg_strbuf_printf(sb, " AND %s IN ('probationary', 'full')", sc);
    else if (strcmp(st, "all"))
        zg_strbuf_printf(sb, " AND %s = $%d", sc, lq_param(l, ZG_P_TEXT(st)));
    if (has_text(q->dues_category))
        zg_strbuf_printf(sb, " AND m.dues_category = $%d",
                         lq_param(l, ZG_P_TEXT(q->dues_category)));
    if (has_text(q->gender))
        zg_strbuf_printf(sb, " AND p.gender = $%d", lq_param(l, ZG_P_TEXT(q->gender)));
    if (has_text(q->occupation))
        zg_strbuf_printf(sb, " AND p.occupation = $%d", lq_param(l, ZG_P_TEXT(q->occupation)));
    if (q->age_band >= 0) {
        zg_date_t from, to;
        zg_date_t at = asof ? q->as_of : zg_date_today();
        if (zg_member_age_band_births(q->age_band, at, &from, &to))
            return zg_error_set(err, ZG_ERR_INVALID, "invalid_fields", "年龄段无效", "age band");
        zg_strbuf_printf(sb, " AND p.birth_date <= $%d", lq_date(l, to));
        if (from != ZG_MEMBER_NO_DATE)
            zg_strbuf_printf(sb, " AND p.birth_date >= $%d", lq_date(l, from));
    }
    if (q->edu >= 0) {
        if (q->edu >= ZG_MEMBER_EDU_CATEGORIES)
            return zg_error_set(err, ZG_ERR_INVALID, "invalid_fields", "学历类别无效", "edu");
        zg_strbuf_puts(sb, " AND (");
        for (int i = 0; i < 2 && EDU_RANGES[q->edu][i].lo; i++) {
            int lo = lq_param(l, ZG_P_TEXT(EDU_RANGES[q->edu][i].lo));
            int hi = lq_param(l, ZG_P_TEXT(EDU_RANGES[q->edu][i].hi));
            zg_strbuf_printf(sb,
                             "%s(p.education >= $%d AND p.education <= $%d AND "
                             "length(p.education) = 2)",
                             i ? " OR " : "", lo, hi);
        }
        zg_strbuf_putc(sb, ')');
    }
    if (q->join_period >= 0) {
        if (q->join_period >= ZG_MEMBER_JOIN_PERIODS)
            return zg_error_set(err, ZG_ERR_INVALID, "invalid_fields", "入党时间段无效", "join");
        zg_date_t from, to;
        zg_member_join_period_range(q->join_period, &from, &to);
        if (from != ZG_MEMBER_NO_DATE)
            zg_strbuf_printf(sb, " AND m.joined_on >= $%d", lq_date(l, from));
        if (to != ZG_MEMBER_NO_DATE)
            zg_strbuf_printf(sb, " AND m.joined_on < $%d", lq_date(l, to));
    }
    if (q->mobile >= 0)
        zg_strbuf_printf(sb, " AND m.mobile = %d", q->mobile ? 1 : 0);
    if (q->lost_contact >= 0)
        zg_strbuf_printf(sb, " AND m.lost_contact_since IS %s NULL", q->lost_contact ? "NOT" : "");
    if (has_text(q->q)) {
        l->like = like_pattern(a, q->q);
        if (!l->like)
            return nomem(err);
        zg_strbuf_printf(sb, " AND p.name LIKE $%d ESCAPE '\\'", lq_param(l, ZG_P_TEXT(l->like)));
    }
    if (has_text(q->id_number)) {
        int rc = zg_member_id_number_index(q->id_number, l->bidx, err);
        if (rc)
            return rc;
        zg_strbuf_printf(sb, " AND p.id_number_bidx = $%d", lq_param(l, ZG_P_TEXT(l->bidx)));
    }
    return l->sb.overflow ? zg_error_set(err, ZG_ERR_INTERNAL, "internal", "服务器内部错误",
                                         "member list sql too long")
                          : ZG_OK;
}

/* The rows of members `ids` for a page the list index answered, in the order of `ids`: one
 * SELECT by id (the list's columns), its rows put in place, and out->last the sort key of the
 * last one (as the SQL path fills it, for a keyset page after this one). */
static int list_by_ids(zg_conn_t *c, zg_arena_t *a, const zg_member_query_t *q, const int64_t *ids,
                       size_t n, bool reveal, zg_member_list_t *out, zg_error_t *err)
{
    const char *sort = q->sort ? q->sort : "org";
    const char *text = !strcmp(sort, "joined_on")    ? "m.joined_on"
                       : !strcmp(sort, "birth_date") ? "p.birth_date"
                                                     : "p.name";
    zg_strbuf_t sb;
    zg_strbuf_init(&sb, a, SQL_MAX);
    zg_strbuf_printf(&sb,
                     "SELECT " MEMBER_COLS_FMT ", o.depth, o.sort, %s FROM membership m JOIN "
                     "person p ON p.id = m.person_id JOIN org o ON o.id = m.org_id WHERE m.id IN (",
                     reveal ? "p.id_number_enc" : "NULL", reveal ? "p.phone_enc" : "NULL",
                     "m.org_id", "m.status", text);
    zg_param_t *p = zg_arena_calloc(a, n, sizeof *p);
    zg_member_t *got = zg_arena_calloc(a, n, sizeof *got);
    zg_member_key_t *keys = zg_arena_calloc(a, n, sizeof *keys);
    out->items = zg_arena_calloc(a, n, sizeof *out->items);
    if (!p || !got || !keys || !out->items)
        return nomem(err);
    for (size_t i = 0; i < n; i++) {
        zg_strbuf_printf(&sb, "%s$%zu", i ? ", " : "", i + 1);
        p[i] = ZG_P_INT(ids[i]);
    }
    zg_strbuf_putc(&sb, ')');
    if (sb.overflow)
        return nomem(err);
    zg_rows_t *r;
    int rc = zg_db_query(c, zg_strbuf_cstr(&sb), p, (int)n, &r, err);
    if (rc)
        return rc;
    while ((rc = zg_rows_next(r, err)) == 1) {
        zg_member_t m;
        if ((rc = read_member(r, a, reveal, &m, err)))
            break;
        size_t i = 0;
        while (i < n && ids[i] != m.id)
            i++;
        if (i == n)
            continue;
        got[i] = m;
        zg_member_key_t *k = &keys[i];
        k->set = true;
        k->id = m.id;
        k->depth = zg_rows_int(r, MEMBER_NCOLS);
        k->sort = zg_rows_int(r, MEMBER_NCOLS + 1);
        k->org_id = m.org_id;
        snprintf(k->text, sizeof k->text, "%s", zg_rows_text(r, MEMBER_NCOLS + 2));
    }
    zg_rows_close(r);
    if (rc < 0)
        return rc;
    for (size_t i = 0; i < n; i++) /* none is ever deleted; skip one anyway rather than fail */
        if (got[i].id) {
            out->items[out->n++] = got[i];
            out->last = keys[i];
        }
    return ZG_OK;
}

/* The keyset condition "after key k" of the birth-date sort, the one sort column that may be
 * NULL: a NULL birth date sorts first (as the smallest value) on SQLite and last (as the
 * largest) on PostgreSQL, in either direction, and the condition follows the backend's order
 * (k->text "" = NULL). */
static int keyset_birth(zg_conn_t *c, listq_t *l, const zg_member_key_t *k, bool desc,
                        zg_error_t *err)
{
    bool sqlite = true;
    int rc = conn_is_sqlite(c, &sqlite, err);
    if (rc)
        return rc;
    const char *op = desc ? "<" : ">";
    bool null_ahead = sqlite == desc;      /* NULLs come after the non-NULL values */
    int id = lq_param(l, ZG_P_INT(k->id)); /* the key's text, when any, is a parameter below */
    if (k->text[0]) {
        int v = lq_param(l, ZG_P_TEXT(k->text));
        zg_strbuf_printf(&l->sb,
                         " AND (p.birth_date %s $%d OR (p.birth_date = $%d AND m.id %s $%d)%s)", op,
                         v, v, op, id, null_ahead ? " OR p.birth_date IS NULL" : "");
    } else {
        zg_strbuf_printf(&l->sb, " AND ((p.birth_date IS NULL AND m.id %s $%d)%s)", op, id,
                         null_ahead ? "" : " OR p.birth_date IS NOT NULL");
    }
    return ZG_OK;
}

int zg_member_list(zg_conn_t *c, zg_arena_t *a, int64_t scope, const zg_member_query_t *q,
                   bool reveal_pii, zg_member_list_t *out, zg_error_t *err)
{
    memset(out, 0, sizeof *out);
    if (q->limit < 1 || q->limit > ZG_MEMBER_PAGE_MAX || q->offset < 0)
        return zg_error_set(err, ZG_ERR_INVALID, "invalid_fields", "分页参数无效", "paging");
    if (q->org_id > 0) {
        bool in = false;
        int rc = zg_scope_contains(c, scope, q->org_id, &in, err);
        if (rc)
            return rc;
        if (!in)
            return zg_error_set(err, ZG_ERR_NOT_FOUND, "not_found",
                                "组织不存在或不在您的管理范围内", "org out of scope");
    }
    /* The list index (member_index.h) answers the total and the page's ids when it can do so
     * exactly and is current; otherwise the SQL below runs. */
    int64_t *ids;
    size_t nids;
    int ix = q->after.set ? 0 /* keyset pages: the SQL */
                          : zg_member_index_page(c, a, scope, q, &ids, &nids, &out->total, err);
    if (ix < 0)
        return ix;
    if (ix == 1)
        return nids ? list_by_ids(c, a, q, ids, nids, reveal_pii, out, err) : ZG_OK;
    listq_t l;
    memset(&l, 0, sizeof l);
    zg_strbuf_init(&l.sb, a, SQL_MAX);
    const char *oc;
    int rc = build_where(a, scope, q, &l, &oc, err);
    if (rc)
        return rc;
    /* the sort: its columns (ending with the unique m.id) and the key text of a row */
    static const char *const BY_NAME[] = {"p.name", "m.id", NULL};
    static const char *const BY_JOINED[] = {"m.joined_on", "m.id", NULL};
    static const char *const BY_BIRTH[] = {"p.birth_date", "m.id", NULL};
    static const char *const BY_ORG[] = {"o.depth", "o.sort", "o.id", "p.name", "m.id", NULL};
    const char *sort = q->sort ? q->sort : "org";
    const char *const *cols;
    if (!strcmp(sort, "name"))
        cols = BY_NAME;
    else if (!strcmp(sort, "joined_on"))
        cols = BY_JOINED;
    else if (!strcmp(sort, "birth_date"))
        cols = BY_BIRTH;
    else if (!strcmp(sort, "org"))
        cols = BY_ORG;
    else
        return zg_error_set(err, ZG_ERR_INVALID, "invalid_fields", "排序字段无效", "sort");
    bool by_org = cols == BY_ORG;
    const char *text = cols[by_org ? 3 : 0]; /* the key's text column */
    /* "a ASC, b ASC, m.id ASC" and, for a keyset page, "(a, b, m.id)" */
    zg_strbuf_t ob, kb;
    zg_strbuf_init(&ob, a, 256);
    zg_strbuf_init(&kb, a, 256);
    for (int i = 0; cols[i]; i++) {
        zg_strbuf_printf(&ob, "%s%s %s", i ? ", " : "", cols[i], q->desc ? "DESC" : "ASC");
        zg_strbuf_printf(&kb, "%s%s", i ? ", " : "", cols[i]);
    }
    if (q->after.set && cols == BY_BIRTH) {
        rc = keyset_birth(c, &l, &q->after, q->desc, err);
        if (rc)
            return rc;
        out->total = -1;
    } else if (q->after.set) {
        const zg_member_key_t *k = &q->after;
        zg_strbuf_printf(&l.sb, " AND (%s) %s (", zg_strbuf_cstr(&kb), q->desc ? "<" : ">");
        if (by_org)
            zg_strbuf_printf(&l.sb, "$%d, $%d, $%d, ", lq_param(&l, ZG_P_INT(k->depth)),
                             lq_param(&l, ZG_P_INT(k->sort)), lq_param(&l, ZG_P_INT(k->org_id)));
        zg_strbuf_printf(&l.sb, "$%d, $%d)", lq_param(&l, ZG_P_TEXT(k->text)),
                         lq_param(&l, ZG_P_INT(k->id)));
        out->total = -1;
    }
    const char *where = zg_strbuf_cstr(&l.sb);
    if (!q->after.set) {
        char *count_sql = zg_arena_sprintf(a, "SELECT count(*)%s%s", list_from(q, false), where);
        if (!count_sql)
            return nomem(err);
        rc = zg_scope_query_int(c, scope, count_sql, l.p, l.np, &out->total, err);
        if (rc)
            return rc;
        if (out->total == 0 || q->offset >= out->total)
            return ZG_OK;
    }
    bool asof = q->as_of != ZG_MEMBER_NO_DATE;
    int lim = lq_param(&l, ZG_P_INT(q->limit));
    int off = lq_param(&l, ZG_P_INT(q->after.set ? 0 : q->offset));
    char *sql = zg_arena_sprintf(
        a, "SELECT " MEMBER_COLS_FMT ", o.depth, o.sort, %s%s%s ORDER BY %s LIMIT $%d OFFSET $%d",
        reveal_pii ? "p.id_number_enc" : "NULL", reveal_pii ? "p.phone_enc" : "NULL", oc,
        asof ? "s.status" : "m.status", text, list_from(q, true), where, zg_strbuf_cstr(&ob), lim,
        off);
    if (!sql || ob.overflow || kb.overflow || l.sb.overflow)
        return nomem(err);
    zg_rows_t *r;
    rc = zg_scope_query(c, scope, sql, l.p, l.np, &r, err);
    if (rc)
        return rc;
    out->items = zg_arena_calloc(a, (size_t)q->limit, sizeof *out->items);
    if (!out->items) {
        zg_rows_close(r);
        return nomem(err);
    }
    while (out->n < (size_t)q->limit && (rc = zg_rows_next(r, err)) == 1) {
        zg_member_t *m = &out->items[out->n];
        rc = read_member(r, a, reveal_pii, m, err);
        if (rc)
            break;
        zg_member_key_t *k = &out->last;
        const char *kt = zg_rows_text(r, MEMBER_NCOLS + 2);
        if (strlen(kt) >= sizeof k->text) {
            rc = zg_error_set(err, ZG_ERR_INTERNAL, "internal", "服务器内部错误",
                              "member %lld: sort key too long", (long long)m->id);
            break;
        }
        k->set = true;
        k->id = m->id;
        k->depth = zg_rows_int(r, MEMBER_NCOLS);
        k->sort = zg_rows_int(r, MEMBER_NCOLS + 1);
        k->org_id = m->org_id;
        snprintf(k->text, sizeof k->text, "%s", kt);
        out->n++;
    }
    zg_rows_close(r);
    return rc < 0 ? rc : ZG_OK;
}

/* ---- counts ---------------------------------------------------------------------------------- */

static void count_add(zg_member_counts_t *k, const char *status, int64_t n)
{
    if (!strcmp(status, "probationary"))
        k->probationary += n;
    else if (!strcmp(status, "full"))
        k->full += n;
    else if (!strcmp(status, "suspended"))
        k->suspended += n;
    else if (!strcmp(status, "removed"))
        k->removed += n;
    else if (!strcmp(status, "deceased"))
        k->deceased += n;
    else if (!strcmp(status, "transferred_out"))
        k->transferred_out += n;
    k->total = k->probationary + k->full;
}

int zg_member_counts(zg_conn_t *c, zg_arena_t *a, int64_t scope, int64_t org_id, zg_date_t as_of,
                     zg_member_org_counts_t *out, zg_error_t *err)
{
    memset(out, 0, sizeof *out);
    out->org_id = org_id;
    bool in = false;
    int rc = zg_scope_contains(c, scope, org_id, &in, err);
    if (rc)
        return rc;
    if (!in)
        return zg_error_set(err, ZG_ERR_NOT_FOUND, "not_found", "组织不存在或不在您的管理范围内",
                            "org out of scope");
    bool asof = as_of != ZG_MEMBER_NO_DATE;
    char d[ZG_DATE_STR_SIZE];
    zg_param_t p[] = {ZG_P_INT(org_id), member_date_param(as_of, d)};
    /* the rows: (the child's id or 0 for the org itself, status, count) */
    const char *sql =
        asof ? "SELECT CASE WHEN s.org_id = $1 THEN 0 ELSE ch.id END, s.status, count(*) "
               "FROM membership_span s JOIN org_closure oc ON oc.descendant_id = s.org_id "
               "LEFT JOIN org_closure cc ON cc.descendant_id = s.org_id AND cc.ancestor_id IN "
               "(SELECT id FROM org WHERE parent_id = $1) LEFT JOIN org ch ON ch.id = "
               "cc.ancestor_id WHERE oc.ancestor_id = $1 AND s.org_id IN {{SCOPE}} AND "
               "s.valid_from <= $2 AND (s.valid_to IS NULL OR s.valid_to > $2) "
               "GROUP BY 1, 2"
             : "SELECT CASE WHEN m.org_id = $1 THEN 0 ELSE ch.id END, m.status, count(*) "
               "FROM membership m JOIN org_closure oc ON oc.descendant_id = m.org_id "
               "LEFT JOIN org_closure cc ON cc.descendant_id = m.org_id AND cc.ancestor_id IN "
               "(SELECT id FROM org WHERE parent_id = $1) LEFT JOIN org ch ON ch.id = "
               "cc.ancestor_id WHERE oc.ancestor_id = $1 AND m.org_id IN {{SCOPE}} "
               "GROUP BY 1, 2";
    /* the children first, so the rows can be added to them */
    zg_rows_t *r;
    rc = zg_scope_query(c, scope,
                        "SELECT id, name, kind FROM org WHERE parent_id = $1 AND id IN {{SCOPE}} "
                        "AND status = 'active' ORDER BY sort, id LIMIT $2",
                        (zg_param_t[]){ZG_P_INT(org_id), ZG_P_INT(ZG_MEMBER_CHILDREN_MAX)}, 2, &r,
                        err);
    if (rc)
        return rc;
    out->children = zg_arena_calloc(a, ZG_MEMBER_CHILDREN_MAX, sizeof *out->children);
    bool oom = !out->children;
    while (!oom && (rc = zg_rows_next(r, err)) == 1) {
        zg_member_child_counts_t *ch = &out->children[out->nchildren++];
        ch->org_id = zg_rows_int(r, 0);
        ch->name = member_col_str(r, 1, a, &oom);
        ch->kind = member_col_str(r, 2, a, &oom);
    }
    zg_rows_close(r);
    if (oom)
        return nomem(err);
    if (rc < 0)
        return rc;
    rc = zg_scope_query(c, scope, sql, p, asof ? 2 : 1, &r, err);
    if (rc)
        return rc;
    while ((rc = zg_rows_next(r, err)) == 1) {
        int64_t child = zg_rows_isnull(r, 0) ? -1 : zg_rows_int(r, 0);
        const char *status = zg_rows_text(r, 1);
        int64_t n = zg_rows_int(r, 2);
        count_add(&out->subtree, status, n);
        if (child == 0)
            count_add(&out->direct, status, n);
        for (size_t i = 0; child > 0 && i < out->nchildren; i++)
            if (out->children[i].org_id == child)
                count_add(&out->children[i].subtree, status, n);
    }
    zg_rows_close(r);
    return rc < 0 ? rc : ZG_OK;
}

int zg_member_org_counter(zg_conn_t *c, int64_t org_id, int *full, int *total)
{
    zg_error_t err;
    int64_t f = 0, t = 0;
    zg_param_t p[] = {ZG_P_INT(org_id)};
    int rc = zg_db_query_int(
        c, "SELECT count(*) FROM membership WHERE org_id = $1 AND status = 'full'", p, 1, &f, &err);
    if (!rc)
        rc = zg_db_query_int(c,
                             "SELECT count(*) FROM membership WHERE org_id = $1 AND status IN "
                             "('probationary', 'full')",
                             p, 1, &t, &err);
    if (rc) {
        zg_log_warn("member counter for org %lld: %s", (long long)org_id, err.detail);
        return rc;
    }
    *full = (int)f;
    *total = (int)t;
    return ZG_OK;
}
