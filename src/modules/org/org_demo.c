/* org_demo.c — the demo city 临江市 (zg_org_demo_city): a municipal committee with its agency
 * work committee and agency branches, two districts and three counties with streets and
 * communities or townships and villages, schools, hospitals, a state enterprise, a university,
 * a research institute and the emerging sector's joint branches; leadership teams with terms
 * and the 2025 grading of every branch and general branch.
 *
 * Deterministic: names, dates, teams and grades come from fixed tables and the running index of
 * what is being built, never from a clock or a random source, so the tree is the same on
 * every run. Everything is built in one write transaction through the module's own write
 * functions (so every org, post and grading has its history and audit entry, and every rule is
 * applied). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "modules/org/org_internal.h"

/* ---- tables ---------------------------------------------------------------------------------- */

static const char *const SURNAMES[] = {
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡",
    "郭", "何", "高", "林", "罗", "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹",
    "彭", "曾", "肖", "田", "董", "袁", "潘", "蒋", "蔡", "余", "杜", "叶", "程", "苏", "魏",
    "吕", "丁", "任", "沈", "姚", "卢", "姜", "崔", "钟", "谭", "陆", "汪", "范", "金", "石",
};
static const char *const GIVEN[] = {
    "建国", "志强", "秀英", "丽华", "明",   "伟",   "芳",   "军",   "海燕", "国庆", "文静",
    "晓东", "春梅", "立新", "红梅", "卫东", "玉兰", "德明", "桂芳", "振华", "永强", "雪梅",
    "建华", "凤英", "小平", "海波", "丽娟", "志刚", "金凤", "淑珍", "俊杰", "婷",   "浩",
    "慧敏", "学军", "长青", "晓燕", "光辉", "静",   "家豪", "思远", "玉梅", "勇",   "红英",
};
static const char *const VILLAGE_A[] = {
    "柳", "石", "桥", "河", "杨", "岭", "枫", "溪", "桃", "竹", "梅", "松", "龙", "凤",
    "青", "白", "新", "安", "和", "丰", "乐", "东", "西", "南", "北", "高", "马", "金",
    "银", "黄", "茶", "荷", "莲", "杏", "李", "樟", "桂", "兰", "花", "沙",
};
static const char *const VILLAGE_B[] = {"塘", "岭", "坪", "湾", "桥", "冲",
                                        "铺", "庄", "园", "山", "港", "洲"};
static const char *const COMMUNITIES[] = {
    "和平", "幸福", "建设", "光明", "文化", "团结", "胜利", "朝阳", "滨江", "锦绣",
    "民主", "新华", "长安", "东风", "红星", "青年", "育才", "春晖", "金桥", "翠苑",
    "江畔", "望江", "书香", "紫荆", "桂花", "银杏", "清风", "明珠", "丽景", "怡园",
    "嘉禾", "康乐", "安居", "华庭", "新村", "花园", "北门", "南门",
};

/* City agencies under the work committee; the first six have an agency committee (机关党委)
 * with four branches, the others one agency branch each. */
static const char *const AGENCIES[] = {
    "公安局",           "教育局",           "财政局",
    "卫生健康委员会",   "农业农村局",       "市场监督管理局",
    "市委办公室",       "市人大常委会机关", "市政府办公室",
    "市政协机关",       "市纪委监委机关",   "市委组织部",
    "市委宣传部",       "市委统战部",       "市委政法委",
    "发展和改革委员会", "科学技术局",       "工业和信息化局",
    "民政局",           "司法局",           "人力资源和社会保障局",
    "自然资源和规划局", "生态环境局",       "住房和城乡建设局",
    "交通运输局",       "水利局",           "商务局",
    "文化和旅游局",     "应急管理局",       "审计局",
    "统计局",           "医疗保障局",
};
#define BIG_AGENCIES 6
static const char *const AGENCY_BRANCHES[] = {"办公室党支部", "业务科室第一党支部",
                                              "业务科室第二党支部", "离退休干部党支部"};
/* agencies of a county or district, after its 县/区 */
static const char *const COUNTY_AGENCIES[] = {"委办公室", "政府办公室", "财政局",
                                              "教育局",   "农业农村局", "民政局"};

typedef struct county {
    const char *name; /* 青山县 */
    const char *code; /* QS */
    bool district;    /* 区 (streets and communities) or 县 (townships and villages) */
    const char *const *streets;
    int nstreets;
    const char *const *towns;
    int ntowns;
    int villages; /* per town */
} county_t;

static const char *const JC_STREETS[] = {"江北街道",   "江南街道", "解放街道",
                                         "人民路街道", "滨江街道", "新城街道"};
static const char *const LH_STREETS[] = {"湖滨街道", "东湖街道", "南湖街道", "望湖街道",
                                         "临湖街道"};
static const char *const LH_TOWNS[] = {"湖口镇", "新港镇"};
static const char *const QS_TOWNS[] = {"城关镇", "石桥镇", "柳溪镇", "龙潭镇", "白沙乡", "高坪乡"};
static const char *const BS_TOWNS[] = {"城关镇", "大河镇", "马鞍镇", "清水乡", "桃源乡"};
static const char *const YX_TOWNS[] = {"云溪镇", "金竹镇", "双河镇", "松林乡", "梅岭乡"};

static const county_t COUNTIES[] = {
    {"江城区", "JC", true, JC_STREETS, 6, NULL, 0, 0},
    {"临湖区", "LH", true, LH_STREETS, 5, LH_TOWNS, 2, 8},
    {"青山县", "QS", false, NULL, 0, QS_TOWNS, 6, 10},
    {"白石县", "BS", false, NULL, 0, BS_TOWNS, 5, 9},
    {"云溪县", "YX", false, NULL, 0, YX_TOWNS, 5, 8},
};

/* ---- the builder ------------------------------------------------------------------------------
 */

typedef struct node {
    int64_t id;
    const char *code;
    int nchild;
} node_t;

typedef struct demo {
    zg_conn_t *c;
    zg_arena_t keep; /* codes: live for the whole build */
    zg_arena_t tmp;  /* one write's messages: reset after each */
    zg_org_actor_t actor;
    zg_error_t *err;
    int rc;
    int people; /* running index of generated names */
    int orgs, branches, leaders, gradings;
} demo_t;

static zg_date_t ymd(int y, int m, int d)
{
    zg_date_t out = ZG_ORG_NO_DATE;
    zg_date_from_ymd(y, m, d, &out);
    return out;
}

static const char *person(demo_t *d)
{
    int k = d->people++;
    int ns = (int)(sizeof SURNAMES / sizeof SURNAMES[0]);
    int ng = (int)(sizeof GIVEN / sizeof GIVEN[0]);
    return zg_arena_sprintf(&d->tmp, "%s%s", SURNAMES[k % ns], GIVEN[(k * 7 + k / ns) % ng]);
}

/* A write context for the next write; resets d->tmp, so call it before allocating the write's
 * inputs there. */
static zg_org_op_t fresh_op(demo_t *d)
{
    zg_arena_reset(&d->tmp);
    zg_org_op_t op;
    zg_org_op_init(&op, &d->tmp, 0, &d->actor);
    return op;
}

/* Creates an org under `parent` with the next child code; on failure records it in d. */
static node_t add(demo_t *d, node_t *parent, const char *kind, const char *name,
                  const char *short_name, const char *domain, const char *category,
                  zg_date_t founded, int unit_count)
{
    node_t n = {0};
    if (d->rc)
        return n;
    n.code = zg_arena_sprintf(&d->keep, "%s-%02d", parent->code, ++parent->nchild);
    zg_org_op_t op = fresh_op(d);
    op.scope = parent->id;
    zg_org_input_t in = {
        .set = ZG_ORG_SET_KIND | ZG_ORG_SET_NAME | ZG_ORG_SET_CODE | ZG_ORG_SET_FOUNDED_ON |
               ZG_ORG_SET_SORT | ZG_ORG_SET_UNIT_COUNT,
        .parent_id = parent->id,
        .kind = kind,
        .name = name,
        .code = n.code,
        .founded_on = founded,
        .sort = parent->nchild,
        .unit_count = unit_count,
        .effective_on = founded,
    };
    if (short_name) {
        in.set |= ZG_ORG_SET_SHORT_NAME;
        in.short_name = short_name;
    }
    if (domain) {
        in.set |= ZG_ORG_SET_DOMAIN;
        in.domain = domain;
    }
    if (category) {
        in.set |= ZG_ORG_SET_CATEGORY;
        in.category = category;
    }
    d->rc = org_create_tx(d->c, &op, &in, &n.id, d->err);
    if (!d->rc) {
        d->orgs++;
        if (!strcmp(kind, "branch") || !strcmp(kind, "joint_branch") ||
            !strcmp(kind, "temp_branch"))
            d->branches++;
    }
    return n;
}

/* A team: a secretary, `deputies` deputy secretaries and `members` committee members, all
 * elected on `start`, their terms by rule org.term_length. */
static void team(demo_t *d, const node_t *o, int deputies, int members, zg_date_t start)
{
    if (d->rc || !o->id)
        return;
    zg_org_op_t op = fresh_op(d);
    op.scope = o->id;
    static const char *const TITLES[] = {"组织委员", "宣传委员", "纪检委员", "青年委员",
                                         "统战委员", "保密委员", "群工委员", "武装委员"};
    zg_org_leader_input_t in[16];
    int n = 0;
    in[n++] = (zg_org_leader_input_t){.post = "secretary",
                                      .person_name = person(d),
                                      .term_start = start,
                                      .term_end = ZG_ORG_NO_DATE,
                                      .sort = 1};
    for (int i = 0; i < deputies && n < 16; i++)
        in[n++] = (zg_org_leader_input_t){.post = "deputy_secretary",
                                          .person_name = person(d),
                                          .term_start = start,
                                          .term_end = ZG_ORG_NO_DATE,
                                          .sort = 2 + i};
    for (int i = 0; i < members && n < 16; i++)
        in[n++] = (zg_org_leader_input_t){.post = "committee_member",
                                          .person_name = person(d),
                                          .title = TITLES[i % 8],
                                          .term_start = start,
                                          .term_end = ZG_ORG_NO_DATE,
                                          .sort = 10 + i};
    d->rc =
        org_leaders_add_tx(d->c, &op, o->id, in, (size_t)n, false, ZG_ORG_NO_DATE, NULL, d->err);
    if (!d->rc)
        d->leaders += n;
}

/* A seconded first secretary (驻村第一书记) for two years. */
static void first_secretary(demo_t *d, const node_t *o, zg_date_t start)
{
    if (d->rc || !o->id)
        return;
    zg_org_op_t op = fresh_op(d);
    op.scope = o->id;
    zg_date_t end = ZG_ORG_NO_DATE;
    zg_date_add_months(start, 24, &end);
    zg_org_leader_input_t in = {.post = "first_secretary",
                                .person_name = person(d),
                                .title = "市派驻村第一书记",
                                .term_start = start,
                                .term_end = end,
                                .sort = 20};
    d->rc = org_leaders_add_tx(d->c, &op, o->id, &in, 1, false, ZG_ORG_NO_DATE, NULL, d->err);
    if (!d->rc)
        d->leaders++;
}

/* The 2025 grading: about a quarter 好, 45% 较好, a quarter 一般, 5% 较差. */
static void grade(demo_t *d, const node_t *o)
{
    if (d->rc || !o->id)
        return;
    static const char *const GRADES[20] = {"good", "fairly_good", "average",     "fairly_good",
                                           "good", "fairly_good", "average",     "fairly_good",
                                           "good", "fairly_good", "average",     "fairly_good",
                                           "good", "fairly_good", "average",     "fairly_good",
                                           "good", "average",     "fairly_good", "poor"};
    int k = d->gradings;
    const char *g = GRADES[(k * 7) % 20];
    int base = !strcmp(g, "good")          ? 18
               : !strcmp(g, "fairly_good") ? 15
               : !strcmp(g, "average")     ? 12
                                           : 8;
    zg_org_op_t op = fresh_op(d); /* resets d->tmp: before anything is allocated there */
    op.scope = o->id;
    char *ind = zg_arena_sprintf(&d->tmp,
                                 "{\"组织设置\":%d,\"组织生活\":%d,\"议事决策\":%d,"
                                 "\"激励关怀帮扶\":%d,\"阵地建设\":%d,\"档案资料\":%d}",
                                 base + k % 3, base + (k / 3) % 3, base + (k / 5) % 2,
                                 base - (k % 2), base + (k / 7) % 2, base - (k / 11) % 2);
    d->rc =
        org_grading_set_tx(d->c, &op, o->id, 2025, g, ind, NULL, ymd(2026, 1, 20), NULL, d->err);
    if (!d->rc)
        d->gradings++;
}

/* A branch with a team sized by its index: a committee of 3–5 for two in three, a secretary
 * (and a deputy) for the rest. */
static void branch_team(demo_t *d, const node_t *b, int k, zg_date_t start)
{
    switch (k % 6) {
    case 0:
        team(d, b, 0, 2, start);
        break; /* 3 */
    case 1:
        team(d, b, 1, 0, start);
        break; /* secretary + deputy, no committee */
    case 2:
        team(d, b, 1, 2, start);
        break; /* 4 */
    case 3:
        team(d, b, 0, 0, start);
        break; /* secretary only */
    case 4:
        team(d, b, 1, 3, start);
        break; /* 5 */
    default:
        team(d, b, 0, 3, start);
        break; /* 4 */
    }
}

/* A 3-year term start spread over 2024–2025 by index (some end within months of 2026-11). */
static zg_date_t branch_start(int k)
{
    return ymd(2024 + (k / 12) % 2, 1 + k % 12, 5 + (k * 3) % 20);
}

static char *S(demo_t *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static char *S(demo_t *d, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = zg_arena_vsprintf(&d->keep, fmt, ap);
    va_end(ap);
    return s;
}

/* A general branch (党总支) of a unit (a school, a university college, an institute) with its
 * branches: "中共<unit>总支部委员会" and "中共<unit><branch>". */
static void general_branch(demo_t *d, node_t *parent, const char *unit, const char *unit_short,
                           const char *domain, const char *const *branches, int n,
                           zg_date_t founded, int k)
{
    node_t gb = add(d, parent, "general_branch", S(d, "中共%s总支部委员会", unit),
                    S(d, "%s党总支", unit_short), domain, "621", founded, 1);
    team(d, &gb, 1, 3, branch_start(k));
    grade(d, &gb);
    for (int i = 0; i < n; i++) {
        node_t b = add(d, &gb, "branch", S(d, "中共%s%s", unit, branches[i]),
                       S(d, "%s%s", unit_short, branches[i]), domain, "631", founded, 1);
        branch_team(d, &b, k + i, branch_start(k + i));
        grade(d, &b);
    }
}

static void agencies(demo_t *d, node_t *root)
{
    node_t wc = add(d, root, "work_committee", "中共临江市直属机关工作委员会", "市直机关工委",
                    "agency", "231", ymd(1952, 3, 1), 1);
    team(d, &wc, 1, 5, ymd(2026, 6, 18));
    int n = (int)(sizeof AGENCIES / sizeof AGENCIES[0]);
    for (int i = 0; i < n && !d->rc; i++) {
        const char *unit = AGENCIES[i];
        bool city_prefixed = !strncmp(unit, "市", strlen("市"));
        const char *full = city_prefixed ? S(d, "临江%s", unit) : S(d, "临江市%s", unit);
        zg_date_t founded = ymd(1950 + (i * 3) % 35, 1 + i % 12, 1 + i % 27);
        if (i < BIG_AGENCIES) {
            node_t ac = add(d, &wc, "committee", S(d, "中共%s机关委员会", full),
                            S(d, "%s机关党委", unit), "agency", "421", founded, 1);
            team(d, &ac, 1, 4, ymd(2024, 4 + i, 10));
            for (int b = 0; b < 4; b++) {
                node_t br =
                    add(d, &ac, "branch", S(d, "中共%s%s", full, AGENCY_BRANCHES[b]),
                        S(d, "%s%s", unit, AGENCY_BRANCHES[b]), "agency", "423", founded, 1);
                branch_team(d, &br, i * 4 + b, branch_start(i * 4 + b));
                grade(d, &br);
            }
        } else {
            node_t br = add(d, &wc, "branch", S(d, "中共%s机关支部委员会", full),
                            S(d, "%s机关党支部", unit), "agency", "423", founded, 1);
            branch_team(d, &br, i, branch_start(i));
            grade(d, &br);
        }
    }
}

static void villages(demo_t *d, const county_t *cy, node_t *town, const char *town_name, int t,
                     int ci)
{
    for (int v = 0; v < cy->villages && !d->rc; v++) {
        int k = ci * 100 + t * 12 + v;
        int na = (int)(sizeof VILLAGE_A / sizeof VILLAGE_A[0]);
        int nb = (int)(sizeof VILLAGE_B / sizeof VILLAGE_B[0]);
        const char *vname = S(d, "%s%s村", VILLAGE_A[k % na], VILLAGE_B[(k / na + k * 5) % nb]);
        zg_date_t founded = ymd(1950 + k % 12, 1 + k % 12, 1 + k % 28);
        /* most villages renewed their committees in early 2026; one in nine has not yet */
        zg_date_t start = (k % 9 == 4) ? ymd(2021, 1, 15 + v % 10) : ymd(2026, 1, 10 + v % 15);
        node_t vb;
        if (v == 0) { /* the largest village has a general branch with three branches */
            vb = add(d, town, "general_branch",
                     S(d, "中共%s%s%s总支部委员会", cy->name, town_name, vname),
                     S(d, "%s党总支", vname), "rural", "621", founded, 1);
            team(d, &vb, 1, 3, start);
            grade(d, &vb);
            static const char *const SUB[] = {"第一党支部", "第二党支部", "老党员党支部"};
            for (int s = 0; s < 3 && !d->rc; s++) {
                node_t sb = add(d, &vb, "branch", S(d, "中共%s%s%s", town_name, vname, SUB[s]),
                                S(d, "%s%s", vname, SUB[s]), "rural", "631", founded, 1);
                branch_team(d, &sb, k + s, start);
                grade(d, &sb);
            }
        } else {
            vb = add(d, town, "branch", S(d, "中共%s%s%s支部委员会", cy->name, town_name, vname),
                     S(d, "%s党支部", vname), "rural", "631", founded, 1);
            branch_team(d, &vb, k, start);
            grade(d, &vb);
        }
        if (k % 5 == 2)
            first_secretary(d, &vb, ymd(2025, 3, 1));
    }
}

static void communities(demo_t *d, const county_t *cy, node_t *street, const char *street_name,
                        int s, int ci)
{
    int per = cy->nstreets >= 6 ? 6 : 5;
    int nc = (int)(sizeof COMMUNITIES / sizeof COMMUNITIES[0]);
    for (int i = 0; i < per && !d->rc; i++) {
        int k = ci * 50 + s * per + i;
        const char *cname = S(d, "%s社区", COMMUNITIES[(s * per + i + ci * 7) % nc]);
        node_t cb =
            add(d, street, "branch", S(d, "中共%s%s%s支部委员会", cy->name, street_name, cname),
                S(d, "%s党支部", cname), "community", "631",
                ymd(1985 + k % 30, 1 + k % 12, 1 + k % 28), 1);
        branch_team(d, &cb, k, ymd(2026, 2, 10 + i));
        grade(d, &cb);
    }
}

static void county(demo_t *d, node_t *root, int ci)
{
    const county_t *cy = &COUNTIES[ci];
    const char *full = S(d, "临江市%s", cy->name);
    node_t cc = add(d, root, "committee", S(d, "中共%s委员会", full), S(d, "%s委", cy->name), NULL,
                    cy->district ? "145" : "142", ymd(1949, 10 + ci % 3, 1 + ci), 1);
    team(d, &cc, 2, 7, ymd(2026, 9, 20 + ci));

    /* the county's agency work committee with a few agency branches */
    const char *unit = cy->district ? "区" : "县";
    node_t wc = add(d, &cc, "work_committee", S(d, "中共%s直属机关工作委员会", full),
                    S(d, "%s直机关工委", unit), "agency", "241", ymd(1956, 5, 1), 1);
    team(d, &wc, 1, 3, ymd(2026, 6, 1));
    for (int i = 0; i < 6 && !d->rc; i++) {
        const char *an = COUNTY_AGENCIES[i];
        node_t br = add(d, &wc, "branch", S(d, "中共%s%s机关支部委员会", cy->name, an),
                        S(d, "%s%s机关党支部", unit, an), "agency", "423", ymd(1960 + i, 3, 1), 1);
        branch_team(d, &br, ci * 6 + i, branch_start(ci * 6 + i));
        grade(d, &br);
    }

    for (int s = 0; s < cy->nstreets && !d->rc; s++) {
        const char *sn = cy->streets[s];
        node_t st = add(d, &cc, "work_committee", S(d, "中共%s%s工作委员会", full, sn),
                        S(d, "%s党工委", sn), "community", "261", ymd(1980 + s * 3, 7, 1), 1);
        team(d, &st, 1, 3, ymd(2026, 3, 1 + s));
        communities(d, cy, &st, sn, s, ci);
    }
    for (int t = 0; t < cy->ntowns && !d->rc; t++) {
        const char *tn = cy->towns[t];
        node_t tw = add(d, &cc, "committee", S(d, "中共%s%s委员会", full, tn), S(d, "%s党委", tn),
                        "rural", "611", ymd(1950 + t, 4, 1 + t), 1);
        team(d, &tw, 2, 4, ymd(2026, 6, 10 + t));
        villages(d, cy, &tw, tn, t, ci);
    }

    /* a middle school and the people's hospital */
    static const char *const SCHOOL[] = {"教师第一党支部", "教师第二党支部", "离退休教师党支部"};
    general_branch(d, &cc, S(d, "%s第一中学", full), S(d, "%s一中", cy->name), "school", SCHOOL, 3,
                   ymd(1978, 9, 1), ci * 3);
    node_t hosp = add(d, &cc, "committee", S(d, "中共%s人民医院委员会", full),
                      S(d, "%s人民医院党委", cy->name), "hospital", "611", ymd(1958, 6, 1), 1);
    team(d, &hosp, 1, 4, ymd(2023, 12, 8 + ci));
    static const char *const WARDS[] = {"内科党支部", "外科党支部", "医技党支部", "行政后勤党支部"};
    for (int i = 0; i < 4 && !d->rc; i++) {
        node_t b = add(d, &hosp, "branch", S(d, "中共%s人民医院%s", full, WARDS[i]),
                       S(d, "%s医院%s", cy->name, WARDS[i]), "hospital", "631", ymd(1985, 7, 1), 1);
        branch_team(d, &b, ci * 4 + i + 1, branch_start(ci * 4 + i + 3));
        grade(d, &b);
    }
}

static void city_units(demo_t *d, node_t *root)
{
    /* the municipal hospital */
    node_t h = add(d, root, "committee", "中共临江市第一人民医院委员会", "市一医院党委", "hospital",
                   "611", ymd(1951, 8, 1), 1);
    team(d, &h, 1, 5, ymd(2023, 11, 20));
    static const char *const DEPTS[] = {"内科第一党支部", "内科第二党支部", "外科党支部",
                                        "医技党支部", "机关后勤党支部"};
    for (int i = 0; i < 5 && !d->rc; i++) {
        node_t b = add(d, &h, "branch", S(d, "中共临江市第一人民医院%s", DEPTS[i]),
                       S(d, "市一医院%s", DEPTS[i]), "hospital", "631", ymd(1980 + i, 7, 1), 1);
        branch_team(d, &b, 300 + i, branch_start(300 + i));
        grade(d, &b);
    }
    /* the university */
    node_t u = add(d, root, "committee", "中共临江学院委员会", "临江学院党委", "university", "611",
                   ymd(1958, 9, 1), 1);
    team(d, &u, 2, 6, ymd(2022, 6, 28));
    static const char *const COLLEGES[] = {"马克思主义学院", "机械工程学院", "经济管理学院",
                                           "外国语学院"};
    static const char *const CB[] = {"教工党支部", "学生第一党支部", "学生第二党支部"};
    for (int i = 0; i < 4 && !d->rc; i++)
        general_branch(d, &u, S(d, "临江学院%s", COLLEGES[i]), COLLEGES[i], "university", CB, 3,
                       ymd(1985 + i * 5, 9, 1), 320 + i * 3);
    /* the state enterprise, with a temporary branch on its construction project */
    node_t soe = add(d, root, "committee", "中共临江城市投资发展集团有限公司委员会", "城投集团党委",
                     "soe", "611", ymd(2003, 12, 26), 1);
    team(d, &soe, 1, 5, ymd(2024, 3, 15));
    static const char *const SUBS[] = {"本部党支部", "建设公司党支部", "水务公司党支部",
                                       "置业公司党支部"};
    for (int i = 0; i < 4 && !d->rc; i++) {
        node_t b = add(d, &soe, "branch", S(d, "中共临江城投集团%s", SUBS[i]),
                       S(d, "城投%s", SUBS[i]), "soe", "631", ymd(2004 + i, 3, 1), 1);
        branch_team(d, &b, 340 + i, branch_start(340 + i));
        grade(d, &b);
    }
    node_t tb = add(d, &soe, "temp_branch", "临江市新城大道建设项目临时党支部",
                    "新城大道项目临时党支部", "soe", "631", ymd(2025, 4, 1), 1);
    team(d, &tb, 0, 0, ymd(2025, 4, 1));
    /* the research institute */
    static const char *const LABS[] = {"作物研究所党支部", "园艺研究所党支部", "机关党支部"};
    general_branch(d, root, "临江市农业科学研究院", "市农科院", "institute", LABS, 3,
                   ymd(1962, 5, 1), 360);
    /* the emerging sector: the high-tech zone's committee with two joint branches (one over
     * the "generally 5 units" line, which shows as a warning) and company branches */
    node_t ez =
        add(d, root, "committee", "中共临江高新技术产业开发区非公有制经济组织和社会组织委员会",
            "高新区两新组织党委", "emerging", "611", ymd(2012, 7, 1), 1);
    team(d, &ez, 1, 3, ymd(2023, 7, 1));
    node_t j1 = add(d, &ez, "joint_branch", "中共临江高新区软件园第一联合支部委员会",
                    "软件园第一联合党支部", "emerging", "632", ymd(2016, 5, 1), 4);
    team(d, &j1, 0, 2, ymd(2024, 5, 20));
    grade(d, &j1);
    node_t j2 = add(d, &ez, "joint_branch", "中共临江高新区创业大厦联合支部委员会",
                    "创业大厦联合党支部", "emerging", "632", ymd(2018, 9, 1), 6);
    team(d, &j2, 1, 0, ymd(2024, 9, 12));
    grade(d, &j2);
    static const char *const FIRMS[] = {"临江智能装备股份有限公司", "临江华芯电子科技有限公司",
                                        "临江绿源生物科技有限公司"};
    for (int i = 0; i < 3 && !d->rc; i++) {
        node_t b = add(d, &ez, "branch", S(d, "中共%s支部委员会", FIRMS[i]),
                       S(d, "%s党支部", FIRMS[i]), "emerging", "631", ymd(2015 + i, 6, 1), 1);
        branch_team(d, &b, 370 + i, branch_start(370 + i));
        grade(d, &b);
    }
}

static int count(zg_conn_t *c, const char *sql, int64_t root, int *out, zg_error_t *err)
{
    zg_param_t p[] = {ZG_P_INT(root)};
    int64_t n = 0;
    int rc = zg_db_query_int(c, sql, p, 1, &n, err);
    *out = (int)n;
    return rc;
}

static int report(zg_conn_t *c, int64_t root, zg_org_demo_report_t *rep, zg_error_t *err)
{
#define IN_TREE " IN (SELECT descendant_id FROM org_closure WHERE ancestor_id = $1)"
    int rc = count(c, "SELECT count(*) FROM org WHERE id" IN_TREE, root, &rep->orgs, err);
    if (!rc)
        rc = count(c,
                   "SELECT count(*) FROM org WHERE kind IN ('branch', 'joint_branch', "
                   "'temp_branch') AND id" IN_TREE,
                   root, &rep->branches, err);
    if (!rc)
        rc = count(c, "SELECT count(*) FROM org_leader WHERE ended_on IS NULL AND org_id" IN_TREE,
                   root, &rep->leaders, err);
    if (!rc)
        rc = count(c, "SELECT count(*) FROM org_grading WHERE year = 2025 AND org_id" IN_TREE, root,
                   &rep->gradings, err);
#undef IN_TREE
    if (!rc)
        snprintf(rep->summary, sizeof rep->summary,
                 "组织树：党组织 %d 个（其中党支部 %d 个），领导班子成员 %d 人，2025 年度分类定级 "
                 "%d 个",
                 rep->orgs, rep->branches, rep->leaders, rep->gradings);
    return rc;
}

int zg_org_demo_city(zg_conn_t *c, int64_t root_id, zg_org_demo_report_t *rep, zg_error_t *err)
{
    memset(rep, 0, sizeof *rep);
    int64_t children = 0;
    zg_param_t p[] = {ZG_P_INT(root_id)};
    int rc =
        zg_db_query_int(c, "SELECT count(*) FROM org WHERE parent_id = $1", p, 1, &children, err);
    if (rc)
        return rc;
    if (children)
        return report(c, root_id, rep, err);

    demo_t d = {.c = c, .err = err, .actor = {.account_id = 0, .username = "demo"}};
    zg_arena_init(&d.keep, 0, 16u << 20);
    zg_arena_init(&d.tmp, 0, 16u << 20);
    rc = zg_db_begin(c, ZG_TX_WRITE, err);
    if (rc)
        goto out;
    zg_org_t r;
    d.rc = org_load(c, &d.tmp, root_id, &r, err);
    if (!d.rc && r.parent_id)
        d.rc = zg_error_set(err, ZG_ERR_INVALID, "not_root", "演示数据只能建在根组织下",
                            "org %lld is not the root", (long long)root_id);
    /* the root: the municipal committee */
    if (!d.rc) {
        zg_org_op_t op = fresh_op(&d);
        op.scope = root_id;
        zg_org_input_t in = {.set = ZG_ORG_SET_CODE | ZG_ORG_SET_CATEGORY | ZG_ORG_SET_FOUNDED_ON |
                                    ZG_ORG_SET_SHORT_NAME,
                             .code = "LJ",
                             .category = "133",
                             .short_name = "临江市委",
                             .founded_on = ymd(1949, 5, 1),
                             .effective_on = ZG_ORG_NO_DATE};
        d.rc = org_update_tx(c, &op, root_id, &in, err);
    }
    node_t root = {.id = root_id, .code = "LJ"};
    team(&d, &root, 2, 9, ymd(2026, 9, 26));
    agencies(&d, &root);
    for (int ci = 0; ci < (int)(sizeof COUNTIES / sizeof COUNTIES[0]) && !d.rc; ci++)
        county(&d, &root, ci);
    city_units(&d, &root);
    rc = d.rc;
    if (!rc)
        rc = zg_db_commit(c, err);
    if (rc) {
        zg_db_rollback(c);
        goto out;
    }
    rc = report(c, root_id, rep, err);
    rep->created = true;
out:
    zg_arena_destroy(&d.keep);
    zg_arena_destroy(&d.tmp);
    return rc;
}
