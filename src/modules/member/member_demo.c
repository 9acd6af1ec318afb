/* member_demo.c — the demo city's members (zg_member_demo): about 20,000 members spread over
 * the branches of the demo city (org_demo.c), with the composition of the 2024 党内统计公报
 * (RULES.md §9.2):
 *   - women 30.9%, ethnic minorities 7.7% (the minorities of Hunan: 土家族, 苗族, 侗族, 瑶族,
 *     白族, 回族), 大专及以上 57.6%;
 *   - age bands in the bulletin's proportions (≤30 12.2%, …, ≥61 28.9%) on the reference day;
 *   - occupations in the bulletin's proportions, tied to age where it must be (students are
 *     18–24, retirees 56 and over);
 *   - join dates from a join age of 18–30, so the join periods follow from the ages (the
 *     bulletin's join periods are matched roughly); admissions of the last year (probationary
 *     members) at the 2024 rate of recruitment (2.1%, 83.7% of them ≤ 35: RULES.md §9.3);
 * and the split of 大专及以上 into 研究生 / 本科 / 专科 (not published by the bulletin) assumed
 * as 5.5 / 28 / 23 %. Probationary members are those whose probation has not ended on the
 * reference day; about 3% had their probation extended; 2% are mobile (流动党员), 0.2% lost
 * contact.
 *
 * ID numbers are real-format GB 11643 numbers with Hunan (43) address codes of GB/T 2260
 * (长沙市芙蓉区 430102 …), birth date and sex digit consistent with the record and a correct
 * check digit; they are unique, made up, and belong to nobody known. Phones are 11-digit
 * mobile numbers with common prefixes.
 *
 * Branch sizes: branches without a committee get 3–6 members (so fewer than 7 full members:
 * rule org.committee_required holds), three of them only 2 (to show rule
 * org.branch_min_full_members); committee branches share the rest by domain (villages the
 * most, agencies the least), 9–160 each. The demo city has about 400 branches, so 20,000
 * members average 50 a branch: many village branches are above 50 (rule org.branch_size_max
 * warns, as it does in many real villages), agency branches stay well below.
 *
 * Deterministic: a fixed-seed splitmix64 generator and a fixed reference day (2026-11-01, or
 * today if earlier), never the clock otherwise. Everything is written in one write
 * transaction through member_insert (the same rows zg_member_create writes), after
 * zg_member_check has passed each generated record (a failed check is a bug of the generator
 * and stops the load). One audit entry "member.demo". */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/log.h"
#include "db/db.h"
#include "modules/audit/audit.h"
#include "modules/member/member_internal.h"

#define DEMO_TARGET  20000
#define DEMO_SEED    0x7A75676F6E67ULL /* "zugong" */
#define MAX_BRANCHES 20000
#define MAX_MEMBERS  200000
#define IDSET_BITS   19 /* open-addressing set of 2^19 ID prefixes: load ≤ 40% at 200k */

/* ---- random -----------------------------------------------------------------------------------
 */

typedef struct rng {
    uint64_t s;
} rng_t;

static uint64_t next(rng_t *r)
{
    uint64_t z = (r->s += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

static int below(rng_t *r, int n)
{
    return n <= 1 ? 0 : (int)(next(r) % (uint64_t)n);
}

static double unit(rng_t *r)
{
    return (double)(next(r) >> 11) / 9007199254740992.0;
}

static int pick(rng_t *r, const double *w, int n)
{
    double sum = 0;
    for (int i = 0; i < n; i++)
        sum += w[i];
    double x = unit(r) * sum;
    for (int i = 0; i < n; i++) {
        if (x < w[i])
            return i;
        x -= w[i];
    }
    return n - 1;
}

/* ---- tables ------------------------------------------------------------------------------------
 */

/* 2024 bulletin (万名): age bands ≤30 … ≥61; occupations in zg_member_occupations order. */
static const double AGE_W[ZG_MEMBER_AGE_BANDS] = {1227.2, 1076.4, 1147.5, 968.7,
                                                  904.1,  941.2,  864.6,  2897.3};
static const int AGE_LO[ZG_MEMBER_AGE_BANDS] = {18, 31, 36, 41, 46, 51, 56, 61};
static const int AGE_HI[ZG_MEMBER_AGE_BANDS] = {30, 35, 40, 45, 50, 55, 60, 97};
/* working occupations: worker, farmer, professional, manager, official, other */
static const double WORK_W[6] = {663.9, 2614.4, 1639.4, 1156.3, 759.2, 784.9};
static const char *const WORK_OCC[6] = {"worker",  "farmer",   "professional",
                                        "manager", "official", "other"};

/* Hunan address codes (GB/T 2260) */
static const char *const REGIONS[] = {
    "430102", "430103", "430104", "430105", "430111", "430112", "430121", "430181",
    "430202", "430203", "430302", "430304", "430402", "430405", "430602", "430611",
    "430702", "430703", "430802", "430902", "431002", "431102", "431202", "431302",
    "433101", "430521", "430621", "430721", "430922", "431121",
};
static const char *const NATIVE[] = {"湖南长沙", "湖南株洲", "湖南湘潭", "湖南衡阳",  "湖南邵阳",
                                     "湖南岳阳", "湖南常德", "湖南益阳", "湖南郴州",  "湖南永州",
                                     "湖南怀化", "湖南娄底", "湖南湘西", "湖南张家界"};
static const char *const MINORITY[] = {"15", "06", "12", "13", "14", "03"};
static const double MINORITY_W[] = {40, 30, 12, 10, 4, 4};
static const char *const PHONE_PREFIX[] = {"138", "139", "135", "136", "137", "150", "151",
                                           "152", "158", "159", "182", "183", "187", "188",
                                           "130", "131", "132", "155", "156", "185", "186",
                                           "133", "153", "180", "181", "189", "177", "199"};

static const char *const SURNAMES[] = {
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐",   "孙", "马", "朱",
    "胡", "郭", "何", "高", "林", "罗", "郑", "梁", "谢", "宋", "唐",   "许", "韩", "冯",
    "邓", "曹", "彭", "曾", "肖", "田", "董", "袁", "潘", "蒋", "蔡",   "余", "杜", "叶",
    "程", "苏", "魏", "吕", "丁", "任", "沈", "姚", "卢", "姜", "崔",   "钟", "谭", "陆",
    "汪", "范", "金", "石", "廖", "贺", "龚", "文", "易", "龙", "欧阳", "向", "毛", "左"};
static const char *const MALE_GIVEN[] = {
    "建国", "志强", "国庆", "晓东", "立新", "卫东", "德明", "振华", "永强", "建华", "小平",
    "海波", "志刚", "俊杰", "浩",   "学军", "长青", "光辉", "家豪", "思远", "勇",   "军",
    "伟",   "明",   "磊",   "超",   "鹏",   "杰",   "涛",   "斌",   "辉",   "刚",   "平",
    "建军", "红兵", "胜利", "文博", "子轩", "宇航", "浩然", "一鸣", "志远", "国华", "新民"};
static const char *const FEMALE_GIVEN[] = {
    "秀英", "丽华", "芳",   "海燕", "文静", "春梅", "红梅", "玉兰", "桂芳", "雪梅", "凤英",
    "丽娟", "金凤", "淑珍", "婷",   "慧敏", "晓燕", "静",   "玉梅", "红英", "敏",   "霞",
    "丽",   "娜",   "燕",   "琳",   "倩",   "颖",   "雪",   "欣怡", "梓涵", "诗琪", "雨桐",
    "佳怡", "思雨", "晓丽", "美玲", "翠兰", "素珍", "桂英", "月娥", "小红", "艳",   "蓉"};

#define N(a) ((int)(sizeof(a) / sizeof((a)[0])))

/* ---- the ID set -------------------------------------------------------------------------------
 */

typedef struct idset {
    uint64_t *slots; /* 17-digit prefixes + 1 (0 = empty) */
    size_t mask;
} idset_t;

/* Adds the 17-digit prefix; false when it is already there. */
static bool idset_add(idset_t *s, const char *id17)
{
    uint64_t v = 0;
    for (int i = 0; i < 17; i++)
        v = v * 10 + (uint64_t)(id17[i] - '0');
    v += 1;
    size_t h = (size_t)((v * 0x9E3779B97F4A7C15ULL) >> 20) & s->mask;
    while (s->slots[h]) {
        if (s->slots[h] == v)
            return false;
        h = (h + 1) & s->mask;
    }
    s->slots[h] = v;
    return true;
}

/* ---- branches -----------------------------------------------------------------------------------
 */

typedef struct branch {
    int64_t id;
    char kind[16];
    char domain[16];
    bool committee;
    int size;
} branch_t;

static int load_branches(zg_conn_t *c, int64_t root, branch_t *b, int cap, int *n, zg_error_t *err)
{
    *n = 0;
    zg_rows_t *r;
    zg_param_t p[] = {ZG_P_INT(root)};
    int rc = zg_db_query(c,
                         "SELECT o.id, o.kind, o.domain, (SELECT count(*) FROM org_leader l "
                         "WHERE l.org_id = o.id AND l.post = 'committee_member' AND "
                         "l.ended_on IS NULL) FROM org o JOIN org_closure oc ON "
                         "oc.descendant_id = o.id WHERE oc.ancestor_id = $1 AND "
                         "o.status = 'active' AND o.kind IN ('branch', 'joint_branch', "
                         "'temp_branch') ORDER BY o.id",
                         p, 1, &r, err);
    if (rc)
        return rc;
    while ((rc = zg_rows_next(r, err)) == 1 && *n < cap) {
        branch_t *x = &b[(*n)++];
        memset(x, 0, sizeof *x);
        x->id = zg_rows_int(r, 0);
        snprintf(x->kind, sizeof x->kind, "%s", zg_rows_text(r, 1));
        snprintf(x->domain, sizeof x->domain, "%s", zg_rows_text(r, 2));
        x->committee = zg_rows_int(r, 3) > 0;
    }
    zg_rows_close(r);
    return rc < 0 ? rc : ZG_OK;
}

/* Relative size of a committee branch by domain (before scaling): village branches are the
 * largest (many villages have 50–100 members), agency branches the smallest. */
static double domain_weight(const char *domain)
{
    static const struct {
        const char *d;
        double w;
    } t[] = {{"rural", 95},    {"community", 60},  {"agency", 33},
             {"school", 40},   {"hospital", 70},   {"soe", 80},
             {"emerging", 20}, {"university", 55}, {"institute", 40}};
    for (int i = 0; i < N(t); i++)
        if (!strcmp(t[i].d, domain))
            return t[i].w;
    return 40;
}

#define COMMITTEE_MIN 9
#define BRANCH_MAX    160

static void plan_sizes(rng_t *r, branch_t *b, int n, int target)
{
    int fixed = 0, ncomm = 0, small = 0;
    double wsum = 0;
    for (int i = 0; i < n; i++) {
        if (b[i].committee) {
            ncomm++;
            wsum += domain_weight(b[i].domain);
            continue;
        }
        /* no committee: fewer than 7 full members (org.committee_required holds) */
        if (!strcmp(b[i].kind, "branch") && small < 3 && i % 7 == 3) {
            b[i].size = 2; /* shows org.branch_min_full_members */
            small++;
        } else {
            b[i].size = 3 + below(r, 4);
        }
        fixed += b[i].size;
    }
    int rest = target - fixed, assigned = 0;
    for (int i = 0; i < n; i++) {
        if (!b[i].committee)
            continue;
        double share = rest * domain_weight(b[i].domain) / (wsum > 0 ? wsum : 1);
        int size = (int)(share * (0.7 + 0.6 * unit(r)) + 0.5);
        b[i].size = size < COMMITTEE_MIN ? COMMITTEE_MIN : size > BRANCH_MAX ? BRANCH_MAX : size;
        assigned += b[i].size;
    }
    /* hit the target: spread the difference one member at a time over the committee branches */
    for (int pass = 0; ncomm && assigned != rest && pass < 1000; pass++)
        for (int i = 0; i < n && assigned != rest; i++) {
            if (!b[i].committee)
                continue;
            if (assigned < rest && b[i].size < BRANCH_MAX) {
                b[i].size++;
                assigned++;
            } else if (assigned > rest && b[i].size > COMMITTEE_MIN) {
                b[i].size--;
                assigned--;
            }
        }
}

/* A smaller city (tests): the full plan scaled down, so every part of the tree gets some
 * members; rounded at random and then brought to the exact target. */
static void plan_scaled(rng_t *r, branch_t *b, int n, int target)
{
    plan_sizes(r, b, n, DEMO_TARGET);
    double f = (double)target / DEMO_TARGET;
    int total = 0;
    for (int i = 0; i < n; i++) {
        double x = b[i].size * f;
        b[i].size = (int)x + (unit(r) < x - (int)x ? 1 : 0);
        total += b[i].size;
    }
    for (int i = 0; total != target; i = (i + 1) % n) {
        if (total < target) {
            b[i].size++;
            total++;
        } else if (b[i].size > 0) {
            b[i].size--;
            total--;
        }
    }
}

/* ---- one member
 * ------------------------------------------------------------------------------------ */

typedef struct gen {
    rng_t rng;
    zg_date_t ref; /* the reference day */
    idset_t ids;
    int k; /* running index */
    char name[32], id[ZG_IDNUM_LEN + 1], phone[ZG_PHONE_LEN + 1];
    /* tallies for the report */
    int women, minorities, college, probationary, extended, mobile, lost;
} gen_t;

typedef struct extra {
    bool extended;
    int ext_months;
    bool mobile;
    zg_date_t mobile_on;
    zg_date_t lost_on; /* NO_DATE when none */
} extra_t;

static zg_date_t add_years(zg_date_t d, int years)
{
    zg_date_t out = d;
    zg_date_add_months(d, 12 * years, &out);
    return out;
}

static zg_date_t add_days(zg_date_t d, int n)
{
    zg_date_t out = d;
    zg_date_add_days(d, n, &out);
    return out;
}

static void make_id(gen_t *g, zg_date_t birth, bool female)
{
    int y, m, d;
    zg_date_to_ymd(birth, &y, &m, &d);
    const char *region = REGIONS[below(&g->rng, N(REGIONS))];
    for (int tries = 0;; tries++) {
        int seq = below(&g->rng, 500) * 2 + (female ? 0 : 1);
        snprintf(g->id, sizeof g->id, "%s%04d%02d%02d%03d", region, y, m, d, seq);
        if (idset_add(&g->ids, g->id) || tries > 50)
            break;
    }
    g->id[17] = zg_idnum_check_char(g->id);
    g->id[18] = '\0';
}

static void gen_member(gen_t *g, const branch_t *b, zg_member_input_t *in, extra_t *x)
{
    rng_t *r = &g->rng;
    memset(in, 0, sizeof *in);
    memset(x, 0, sizeof *x);
    x->lost_on = ZG_MEMBER_NO_DATE;
    bool female = unit(r) < 0.309;
    int band = pick(r, AGE_W, ZG_MEMBER_AGE_BANDS);
    int age;
    if (band == ZG_MEMBER_AGE_BANDS - 1)
        age = 61 + (int)(36.0 * unit(r) * unit(r)); /* fewer at great ages */
    else if (band == 0)
        age = 20 + below(r, 11) - (unit(r) < 0.1 ? 2 : 0);
    else
        age = AGE_LO[band] + below(r, AGE_HI[band] - AGE_LO[band] + 1);
    /* born between exactly age+1 years (exclusive) and age years before ref */
    zg_date_t birth = add_days(add_years(g->ref, -age), -below(r, 365));
    int real_age = age;
    zg_date_age_at(birth, g->ref, &real_age);

    /* join date. Admitted within the last year (still probationary): 2.1% of all members,
     * 83.7% of them 35 or younger (2024 recruits, RULES.md §9.3) — so 7.7% of those ≤ 35 and
     * 0.44% of the others. Everyone else joined at 18–30 (older cohorts a little younger),
     * at least a year and a day before the reference day. */
    zg_date_t adult = add_years(birth, ZG_MEMBER_MIN_AGE);
    zg_date_t year_ago = add_days(add_years(g->ref, -1), -1);
    bool recent = unit(r) < (real_age <= 35 ? 0.077 : 0.0044) || adult > year_ago;
    zg_date_t joined;
    if (recent) {
        joined = add_days(g->ref, -below(r, 365));
        if (joined < adult)
            joined = adult;
    } else {
        joined = ZG_MEMBER_NO_DATE;
        for (int t = 0; t < 20 && (joined == ZG_MEMBER_NO_DATE || joined > year_ago); t++) {
            int ja = real_age >= 61 ? 18 + below(r, 4) + below(r, 4) + below(r, 6)
                                    : 18 + below(r, 5) + below(r, 5) + below(r, 6);
            joined = add_days(add_years(birth, ja), below(r, 365));
        }
        if (joined > year_ago)
            joined = add_days(adult, below(r, (int)(year_ago - adult) + 1));
    }

    /* occupation */
    const char *occ;
    if (real_age >= 61 && unit(r) < 0.72)
        occ = "retired";
    else if (real_age >= 56 && unit(r) < 0.12)
        occ = "retired";
    else if (real_age <= 24 && unit(r) < 0.45)
        occ = "student";
    else
        occ = WORK_OCC[pick(r, WORK_W, 6)];
    bool student = !strcmp(occ, "student"), retired = !strcmp(occ, "retired");

    /* education */
    static const double EDU_W[5] = {5.5, 28, 23, 23.5, 20};
    static const double STU_W[5] = {20, 60, 20, 0, 0};
    int edu = pick(r, student ? STU_W : EDU_W, 5);
    static const char *const EDU_CODES[5][3] = {{"14", "11", "14"},
                                                {"21", "21", "21"},
                                                {"31", "31", "31"},
                                                {"41", "61", "47"},
                                                {"71", "71", "81"}};
    in->education = EDU_CODES[edu][below(r, 3)];
    in->degree = edu == 0 ? (!strcmp(in->education, "11") ? "2" : "3") : edu == 1 ? "4" : NULL;

    /* identity */
    snprintf(g->name, sizeof g->name, "%s%s", SURNAMES[below(r, N(SURNAMES))],
             female ? FEMALE_GIVEN[below(r, N(FEMALE_GIVEN))]
                    : MALE_GIVEN[below(r, N(MALE_GIVEN))]);
    make_id(g, birth, female);
    snprintf(g->phone, sizeof g->phone, "%s%08d", PHONE_PREFIX[below(r, N(PHONE_PREFIX))],
             below(r, 100000000));
    bool minority = unit(r) < 0.077;

    in->set = ZG_MEMBER_SET_NAME | ZG_MEMBER_SET_GENDER | ZG_MEMBER_SET_ETHNICITY |
              ZG_MEMBER_SET_BIRTH_DATE | ZG_MEMBER_SET_ID_NUMBER | ZG_MEMBER_SET_PHONE |
              ZG_MEMBER_SET_EDUCATION | ZG_MEMBER_SET_DEGREE | ZG_MEMBER_SET_NATIVE_PLACE |
              ZG_MEMBER_SET_WORK_START | ZG_MEMBER_SET_OCCUPATION | ZG_MEMBER_SET_ORG |
              ZG_MEMBER_SET_DUES_CATEGORY | ZG_MEMBER_SET_JOINED_ON | ZG_MEMBER_SET_CONVERTED_ON;
    in->name = g->name;
    in->gender = female ? "2" : "1";
    in->ethnicity = minority ? MINORITY[pick(r, MINORITY_W, N(MINORITY))] : "01";
    in->birth_date = birth;
    in->id_number = g->id;
    in->phone = g->phone;
    in->native_place = NATIVE[below(r, N(NATIVE))];
    in->occupation = occ;
    in->org_id = b->id;
    in->joined_on = joined;
    in->work_start_date = ZG_MEMBER_NO_DATE;
    if (!student) {
        zg_date_t ws = add_days(add_years(birth, 18 + below(r, 7)), below(r, 300));
        if (ws < g->ref)
            in->work_start_date = ws;
    }
    in->dues_category = retired                  ? "retired"
                        : student                ? "student"
                        : !strcmp(occ, "farmer") ? "farmer"
                        : !strcmp(occ, "other") ? (unit(r) < 0.3 ? "low_income" : "no_fixed_income")
                        : !strcmp(occ, "manager") && unit(r) < 0.1 ? "annual_salary"
                                                                   : "salaried";
    if (unit(r) < 0.005)
        in->dues_category = "hardship";

    /* probation, extension, conversion */
    zg_date_t end = add_years(joined, 1);
    if (unit(r) < 0.03 && end <= g->ref) {
        x->ext_months = unit(r) < 0.6 ? 6 : 12;
        zg_date_t ext_end = end;
        zg_date_add_months(end, x->ext_months, &ext_end);
        end = ext_end;
        x->extended = true;
    }
    in->converted_on = end <= g->ref ? end : ZG_MEMBER_NO_DATE;

    /* mobile and lost-contact members (active ones, after their last status change) */
    zg_date_t last = in->converted_on != ZG_MEMBER_NO_DATE ? in->converted_on : joined;
    int span_days = g->ref - last;
    if (span_days > 30 && unit(r) < 0.02) {
        x->mobile = true;
        x->mobile_on = add_days(last, 1 + below(r, span_days - 1));
    } else if (span_days > 30 && in->converted_on != ZG_MEMBER_NO_DATE && unit(r) < 0.002) {
        x->lost_on = add_days(last, 1 + below(r, span_days - 1));
    }

    g->women += female;
    g->minorities += minority;
    g->college += edu <= 2;
    g->probationary += in->converted_on == ZG_MEMBER_NO_DATE;
    g->extended += x->extended;
    g->mobile += x->mobile;
    g->lost += x->lost_on != ZG_MEMBER_NO_DATE;
}

/* The rows a plain insert does not write: the extension, mobile and lost-contact events. */
static int write_extra(zg_conn_t *c, int64_t mid, const zg_member_input_t *in, const extra_t *x,
                       zg_error_t *err)
{
    int rc = ZG_OK;
    char d1[ZG_DATE_STR_SIZE], d2[ZG_DATE_STR_SIZE];
    if (x->extended) {
        zg_date_t at = add_years(in->joined_on, 1), end = at;
        zg_date_add_months(at, x->ext_months, &end);
        char note[96];
        snprintf(note, sizeof note, "延长预备期%d个月，至%s", x->ext_months,
                 (zg_date_format(end, d2), d2));
        zg_param_t p[] = {ZG_P_INT(mid), member_date_param(at, d1), ZG_P_INT(in->org_id),
                          ZG_P_TEXT(note)};
        rc = zg_db_exec(c,
                        "INSERT INTO membership_event (membership_id, kind, on_date, org_id, "
                        "note) VALUES ($1, 'extended', $2, $3, $4)",
                        p, 4, NULL, err);
        if (!rc && in->converted_on == ZG_MEMBER_NO_DATE) {
            zg_param_t q[] = {member_date_param(end, d2), ZG_P_INT(mid)};
            rc = zg_db_exec(c,
                            "UPDATE membership SET extended = 1, probation_end = $1 WHERE id = $2",
                            q, 2, NULL, err);
        } else if (!rc) {
            zg_param_t q[] = {ZG_P_INT(mid)};
            rc = zg_db_exec(c, "UPDATE membership SET extended = 1 WHERE id = $1", q, 1, NULL, err);
        }
    }
    if (!rc && (x->mobile || x->lost_on != ZG_MEMBER_NO_DATE)) {
        zg_date_t on = x->mobile ? x->mobile_on : x->lost_on;
        zg_param_t p[] = {ZG_P_INT(mid), ZG_P_TEXT(x->mobile ? "mobile_out" : "lost_contact"),
                          member_date_param(on, d1), ZG_P_INT(in->org_id)};
        rc = zg_db_exec(c,
                        "INSERT INTO membership_event (membership_id, kind, on_date, org_id) "
                        "VALUES ($1, $2, $3, $4)",
                        p, 4, NULL, err);
        zg_param_t q[] = {ZG_P_INT(mid), member_date_param(on, d1)};
        if (!rc && x->mobile)
            rc = zg_db_exec(c, "UPDATE membership SET mobile = 1 WHERE id = $1", q, 1, NULL, err);
        else if (!rc)
            rc = zg_db_exec(c, "UPDATE membership SET lost_contact_since = $2 WHERE id = $1", q, 2,
                            NULL, err);
    }
    return rc;
}

int zg_member_demo(zg_conn_t *c, int64_t root_org_id, zg_member_demo_report_t *rep, zg_error_t *err)
{
    return zg_member_demo_n(c, root_org_id, DEMO_TARGET, rep, err);
}

int zg_member_demo_n(zg_conn_t *c, int64_t root_org_id, int target, zg_member_demo_report_t *rep,
                     zg_error_t *err)
{
    memset(rep, 0, sizeof *rep);
    if (target < 1 || target > MAX_MEMBERS)
        return zg_error_set(err, ZG_ERR_INVALID, "invalid_target", "演示党员人数无效",
                            "demo target %d", target);
    if (!member_key())
        return zg_error_set(err, ZG_ERR_CRYPTO, "field_key_missing", "字段加密密钥未配置",
                            "member demo without a key");
    int64_t existing = 0;
    int rc = zg_db_query_int(c, "SELECT count(*) FROM membership", NULL, 0, &existing, err);
    if (rc)
        return rc;
    if (existing) {
        snprintf(rep->summary, sizeof rep->summary, "党员：已有 %lld 名，未重复加载",
                 (long long)existing);
        return ZG_OK;
    }
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);

    branch_t *b = calloc(MAX_BRANCHES, sizeof *b);
    gen_t *g = calloc(1, sizeof *g);
    zg_arena_t tmp;
    zg_arena_init(&tmp, 0, 1u << 20);
    if (!b || !g) {
        free(b);
        free(g);
        return zg_error_set(err, ZG_ERR_NOMEM, "no_memory", "内存不足", "demo alloc");
    }
    g->ids.mask = ((size_t)1 << IDSET_BITS) - 1;
    g->ids.slots = calloc(g->ids.mask + 1, sizeof *g->ids.slots);
    g->rng.s = DEMO_SEED;
    zg_date_t fixed = 0;
    zg_date_from_ymd(2026, 11, 1, &fixed);
    g->ref = zg_date_today() < fixed ? zg_date_today() : fixed;
    int nb = 0;
    if (!g->ids.slots)
        rc = zg_error_set(err, ZG_ERR_NOMEM, "no_memory", "内存不足", "demo id set");
    if (!rc)
        rc = load_branches(c, root_org_id, b, MAX_BRANCHES, &nb, err);
    if (!rc && nb == 0)
        rc = zg_error_set(err, ZG_ERR_NOT_FOUND, "no_branches",
                          "没有可以加载党员的党支部：请先加载演示组织树", "no branches");
    if (rc)
        goto out;
    if (target >= DEMO_TARGET)
        plan_sizes(&g->rng, b, nb, target);
    else
        plan_scaled(&g->rng, b, nb, target);
    zg_member_actor_t actor = {.account_id = 0, .username = "demo"};
    zg_date_t today = zg_date_today();
    rc = zg_db_begin(c, ZG_TX_WRITE, err);
    if (rc)
        goto out;
    for (int i = 0; i < nb && !rc; i++) {
        if (b[i].size <= 0)
            continue;
        rep->branches++;
        for (int k = 0; k < b[i].size && !rc; k++) {
            zg_member_input_t in;
            extra_t x;
            gen_member(g, &b[i], &in, &x);
            zg_arena_reset(&tmp);
            zg_findings_t f;
            zg_findings_init(&f, &tmp);
            zg_member_check(&in, today, &f);
            if (zg_findings_blocking(&f)) {
                const zg_finding_t *bad = &f.items[0];
                for (int j = 0; j < f.n; j++)
                    if (f.items[j].rule->severity == ZG_SEV_BLOCK) {
                        bad = &f.items[j];
                        break;
                    }
                rc = zg_error_set(err, ZG_ERR_INTERNAL, "demo_invalid", "演示数据生成有误",
                                  "generated member %d breaks %s: %s", g->k, bad->rule->id,
                                  bad->message ? bad->message : "");
                break;
            }
            int64_t mid = 0;
            rc = member_insert(c, &actor, &in, 0, &mid, NULL, err);
            if (!rc)
                rc = write_extra(c, mid, &in, &x, err);
            g->k++;
        }
    }
    if (!rc) {
        char detail[128];
        snprintf(detail, sizeof detail, "{\"members\":%d,\"branches\":%d}", g->k, rep->branches);
        zg_audit_event_t e = {.username = "demo",
                              .action = "member.demo",
                              .object_type = "member",
                              .outcome = "ok",
                              .detail = detail};
        rc = zg_audit_append(c, &e, err);
    }
    if (!rc)
        rc = zg_db_commit(c, err);
    if (rc) {
        zg_db_rollback(c);
        goto out;
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    rep->created = true;
    rep->members = g->k;
    rep->seconds = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    double n = g->k ? g->k : 1;
    snprintf(rep->summary, sizeof rep->summary,
             "党员 %d 名（女性 %.1f%%，少数民族 %.1f%%，大专及以上 %.1f%%，预备党员 %d 名，"
             "流动党员 %d 名），分布于 %d 个党支部，用时 %.1f 秒",
             g->k, 100.0 * g->women / n, 100.0 * g->minorities / n, 100.0 * g->college / n,
             g->probationary, g->mobile, rep->branches, rep->seconds);
out:
    zg_arena_destroy(&tmp);
    free(g->ids.slots);
    free(g);
    free(b);
    return rc;
}
