/* stats.c — what every part of the statistics engine shares: snapshot days, the bulletin's
 * categories (cell keys and labels, age bands, join periods) and the per-query as-of
 * parameters. See stats.h for the model. */
#include "modules/stats/stats.h"

#include <stddef.h>

/* The first days of join periods 1..3 (stats.h: 1949-10-01, 1978-12-18, 2012-11-08) as
 * days since 1970-01-01; test_stats_engine checks them against zg_date_from_ymd. */
static const zg_date_t join_boundary[4] = {0, -7397, 3273, 15652};

const int zg_stats_age_limits[ZG_STATS_AGE_LIMITS] = {31, 36, 41, 46, 51, 56, 61};

zg_date_t zg_stats_join_boundary(int k)
{
    return (k >= 1 && k <= 3) ? join_boundary[k] : 0;
}

int zg_stats_day_from_date(zg_date_t date, zg_stats_day_t *out)
{
    int64_t d = (int64_t)date - ZG_STATS_DAY_EPOCH;
    if (d < 0 || d > (int64_t)ZG_STATS_DAY_MAX)
        return ZG_ERR_INVALID;
    *out = (zg_stats_day_t)d;
    return ZG_OK;
}

int zg_stats_join_period(zg_date_t join)
{
    return (join >= join_boundary[1]) + (join >= join_boundary[2]) + (join >= join_boundary[3]);
}

/* Start from the same day `age` years earlier (clamped to 28 February) and step until the
 * oracle agrees: at most a day or two either way, around 29 February. */
zg_date_t zg_stats_last_birth_with_age(zg_date_t at, int age)
{
    int y, m, d;
    zg_date_to_ymd(at, &y, &m, &d);
    y -= age;
    int dim = zg_date_days_in_month(y, m);
    if (d > dim)
        d = dim;
    zg_date_t b;
    if (zg_date_from_ymd(y, m, d, &b) != ZG_OK)
        return at - 366 * age; /* outside 1800..9999: unreachable for snapshot dates */
    int got;
    while (zg_date_age_at(b + 1, at, &got) == ZG_OK && got >= age)
        b++;
    while (zg_date_age_at(b, at, &got) == ZG_OK && got < age)
        b--;
    return b;
}

int zg_stats_asof_init(zg_date_t as_of, zg_stats_asof_t *out)
{
    zg_stats_day_t day;
    if (zg_stats_day_from_date(as_of, &day) != ZG_OK)
        return ZG_ERR_INVALID;
    out->as_of = as_of;
    for (int k = 0; k < ZG_STATS_AGE_LIMITS; k++)
        out->birth_max[k] = zg_stats_last_birth_with_age(as_of, zg_stats_age_limits[k]);
    return ZG_OK;
}

int zg_stats_age_band(const zg_stats_asof_t *q, zg_date_t birth)
{
    int band = 0;
    for (int k = 0; k < ZG_STATS_AGE_LIMITS; k++)
        band += birth <= q->birth_max[k];
    return band;
}

/* ---- cell names ------------------------------------------------------------------------- */

typedef struct cell_name {
    const char *key, *label;
} cell_name;

static const cell_name cell_names[ZG_STATS_CELLS] = {
    [ZG_STATS_C_TOTAL] = {"total", "党员总数"},
    [ZG_STATS_C_MALE] = {"male", "男"},
    [ZG_STATS_C_FEMALE] = {"female", "女"},
    [ZG_STATS_C_MINORITY] = {"minority", "少数民族"},
    [ZG_STATS_C_EDU + ZG_STATS_EDU_POSTGRAD] = {"edu_postgrad", "研究生"},
    [ZG_STATS_C_EDU + ZG_STATS_EDU_UNDERGRAD] = {"edu_undergrad", "大学本科"},
    [ZG_STATS_C_EDU + ZG_STATS_EDU_COLLEGE] = {"edu_college", "大学专科"},
    [ZG_STATS_C_EDU + ZG_STATS_EDU_SECONDARY] = {"edu_secondary", "中专/高中"},
    [ZG_STATS_C_EDU + ZG_STATS_EDU_JUNIOR] = {"edu_junior", "初中及以下"},
    [ZG_STATS_C_AGE + ZG_STATS_AGE_LE30] = {"age_le30", "30岁及以下"},
    [ZG_STATS_C_AGE + ZG_STATS_AGE_31_35] = {"age_31_35", "31至35岁"},
    [ZG_STATS_C_AGE + ZG_STATS_AGE_36_40] = {"age_36_40", "36至40岁"},
    [ZG_STATS_C_AGE + ZG_STATS_AGE_41_45] = {"age_41_45", "41至45岁"},
    [ZG_STATS_C_AGE + ZG_STATS_AGE_46_50] = {"age_46_50", "46至50岁"},
    [ZG_STATS_C_AGE + ZG_STATS_AGE_51_55] = {"age_51_55", "51至55岁"},
    [ZG_STATS_C_AGE + ZG_STATS_AGE_56_60] = {"age_56_60", "56至60岁"},
    [ZG_STATS_C_AGE + ZG_STATS_AGE_GE61] = {"age_ge61", "61岁及以上"},
    [ZG_STATS_C_JOIN + ZG_STATS_JOIN_BEFORE_1949] = {"join_before_1949", "1949年10月以前入党"},
    [ZG_STATS_C_JOIN +
        ZG_STATS_JOIN_TO_1978] = {"join_to_1978", "1949年10月至党的十一届三中全会入党"},
    [ZG_STATS_C_JOIN +
        ZG_STATS_JOIN_TO_2012] = {"join_to_2012", "党的十一届三中全会至党的十八大入党"},
    [ZG_STATS_C_JOIN + ZG_STATS_JOIN_SINCE_2012] = {"join_since_2012", "党的十八大以来入党"},
    [ZG_STATS_C_OCC + ZG_STATS_OCC_WORKER] = {"occ_worker", "工人（工勤技能人员）"},
    [ZG_STATS_C_OCC + ZG_STATS_OCC_FARMER] = {"occ_farmer", "农牧渔民"},
    [ZG_STATS_C_OCC +
        ZG_STATS_OCC_PROFESSIONAL] = {"occ_professional", "企事业单位、社会组织专业技术人员"},
    [ZG_STATS_C_OCC + ZG_STATS_OCC_MANAGER] = {"occ_manager", "企事业单位、社会组织管理人员"},
    [ZG_STATS_C_OCC + ZG_STATS_OCC_OFFICIAL] = {"occ_official", "党政机关工作人员"},
    [ZG_STATS_C_OCC + ZG_STATS_OCC_STUDENT] = {"occ_student", "学生"},
    [ZG_STATS_C_OCC + ZG_STATS_OCC_OTHER] = {"occ_other", "其他职业人员"},
    [ZG_STATS_C_OCC + ZG_STATS_OCC_RETIRED] = {"occ_retired", "离退休人员"},
    [ZG_STATS_C_PROBATIONARY] = {"probationary", "预备党员"},
    [ZG_STATS_C_FULL] = {"full", "正式党员"},
    [ZG_STATS_C_COLLEGE_PLUS] = {"college_plus", "大专及以上"},
    [ZG_STATS_C_ORG_LOCAL] = {"org_local", "党的地方委员会"},
    [ZG_STATS_C_ORG_COMMITTEE] = {"org_committee", "基层党委"},
    [ZG_STATS_C_ORG_GENERAL_BRANCH] = {"org_general_branch", "党总支"},
    [ZG_STATS_C_ORG_BRANCH] = {"org_branch", "党支部"},
    [ZG_STATS_C_DOMAIN + ZG_STATS_DOMAIN_NONE] = {"domain_none", "未设领域"},
    [ZG_STATS_C_DOMAIN + ZG_STATS_DOMAIN_RURAL] = {"domain_rural", "农村"},
    [ZG_STATS_C_DOMAIN + ZG_STATS_DOMAIN_COMMUNITY] = {"domain_community", "城市社区"},
    [ZG_STATS_C_DOMAIN + ZG_STATS_DOMAIN_AGENCY] = {"domain_agency", "机关"},
    [ZG_STATS_C_DOMAIN + ZG_STATS_DOMAIN_SCHOOL] = {"domain_school", "中小学"},
    [ZG_STATS_C_DOMAIN + ZG_STATS_DOMAIN_HOSPITAL] = {"domain_hospital", "公立医院"},
    [ZG_STATS_C_DOMAIN + ZG_STATS_DOMAIN_SOE] = {"domain_soe", "国有企业"},
    [ZG_STATS_C_DOMAIN + ZG_STATS_DOMAIN_EMERGING] = {"domain_emerging", "新兴领域"},
    [ZG_STATS_C_DOMAIN + ZG_STATS_DOMAIN_UNIVERSITY] = {"domain_university", "高校"},
    [ZG_STATS_C_DOMAIN + ZG_STATS_DOMAIN_INSTITUTE] = {"domain_institute", "科研院所"},
};

const char *zg_stats_cell_key(int cell)
{
    return (cell >= 0 && cell < ZG_STATS_CELLS) ? cell_names[cell].key : NULL;
}

const char *zg_stats_cell_label(int cell)
{
    return (cell >= 0 && cell < ZG_STATS_CELLS) ? cell_names[cell].label : NULL;
}

static const char *const kind_keys[ZG_STATS_KIND_COUNT] = {
    [ZG_STATS_KIND_OTHER] = "other",         [ZG_STATS_KIND_LOCAL] = "local",
    [ZG_STATS_KIND_COMMITTEE] = "committee", [ZG_STATS_KIND_GENERAL_BRANCH] = "general_branch",
    [ZG_STATS_KIND_BRANCH] = "branch",
};

static const char *const domain_keys[ZG_STATS_DOMAIN_COUNT] = {
    "",         "rural", "community", "agency",     "school",
    "hospital", "soe",   "emerging",  "university", "institute",
};

const char *zg_stats_kind_key(int kind)
{
    return (kind >= 0 && kind < ZG_STATS_KIND_COUNT) ? kind_keys[kind] : NULL;
}

const char *zg_stats_domain_key(int domain)
{
    return (domain >= 0 && domain < ZG_STATS_DOMAIN_COUNT) ? domain_keys[domain] : NULL;
}
