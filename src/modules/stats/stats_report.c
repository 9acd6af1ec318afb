/* stats_report.c — reports from a statistics snapshot (stats_service.h): one org's row with
 * its drill-down table on an as-of date, the members recruited in a year, and their JSON and
 * text renderings. The XLSX rendering is in stats_xlsx.c. No HTTP here: the API and the
 * command both call these functions. */
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "db/db.h"
#include "db/scope.h"
#include "modules/stats/stats_service.h"

/* ---- column groups ---------------------------------------------------------------------- */

static const int g_total[] = {ZG_STATS_C_TOTAL};
static const int g_gender[] = {ZG_STATS_C_MALE, ZG_STATS_C_FEMALE};
static const int g_ethnic[] = {ZG_STATS_C_MINORITY};
static const int g_edu[] = {
    ZG_STATS_C_EDU + ZG_STATS_EDU_POSTGRAD, ZG_STATS_C_EDU + ZG_STATS_EDU_UNDERGRAD,
    ZG_STATS_C_EDU + ZG_STATS_EDU_COLLEGE,  ZG_STATS_C_EDU + ZG_STATS_EDU_SECONDARY,
    ZG_STATS_C_EDU + ZG_STATS_EDU_JUNIOR,   ZG_STATS_C_COLLEGE_PLUS,
};
static const int g_age[] = {
    ZG_STATS_C_AGE + 0, ZG_STATS_C_AGE + 1, ZG_STATS_C_AGE + 2, ZG_STATS_C_AGE + 3,
    ZG_STATS_C_AGE + 4, ZG_STATS_C_AGE + 5, ZG_STATS_C_AGE + 6, ZG_STATS_C_AGE + 7,
};
static const int g_join[] = {ZG_STATS_C_JOIN + 0, ZG_STATS_C_JOIN + 1, ZG_STATS_C_JOIN + 2,
                             ZG_STATS_C_JOIN + 3};
static const int g_occ[] = {
    ZG_STATS_C_OCC + 0, ZG_STATS_C_OCC + 1, ZG_STATS_C_OCC + 2, ZG_STATS_C_OCC + 3,
    ZG_STATS_C_OCC + 4, ZG_STATS_C_OCC + 5, ZG_STATS_C_OCC + 6, ZG_STATS_C_OCC + 7,
};
static const int g_category[] = {ZG_STATS_C_FULL, ZG_STATS_C_PROBATIONARY};
static const int g_orgs[] = {ZG_STATS_C_ORG_LOCAL, ZG_STATS_C_ORG_COMMITTEE,
                             ZG_STATS_C_ORG_GENERAL_BRANCH, ZG_STATS_C_ORG_BRANCH};
static const int g_domain[] = {
    ZG_STATS_C_DOMAIN + ZG_STATS_DOMAIN_RURAL,     ZG_STATS_C_DOMAIN + ZG_STATS_DOMAIN_COMMUNITY,
    ZG_STATS_C_DOMAIN + ZG_STATS_DOMAIN_AGENCY,    ZG_STATS_C_DOMAIN + ZG_STATS_DOMAIN_SCHOOL,
    ZG_STATS_C_DOMAIN + ZG_STATS_DOMAIN_HOSPITAL,  ZG_STATS_C_DOMAIN + ZG_STATS_DOMAIN_SOE,
    ZG_STATS_C_DOMAIN + ZG_STATS_DOMAIN_EMERGING,  ZG_STATS_C_DOMAIN + ZG_STATS_DOMAIN_UNIVERSITY,
    ZG_STATS_C_DOMAIN + ZG_STATS_DOMAIN_INSTITUTE, ZG_STATS_C_DOMAIN + ZG_STATS_DOMAIN_NONE,
};

#define G(key, label, arr)                                                                         \
    {                                                                                              \
        key, label, arr, (int)(sizeof arr / sizeof arr[0])                                         \
    }
const zg_stats_group_t zg_stats_groups[] = {
    G("total", "党员总数", g_total),  G("gender", "性别", g_gender),
    G("ethnicity", "民族", g_ethnic), G("education", "学历", g_edu),
    G("age", "年龄", g_age),          G("join_period", "入党时间", g_join),
    G("occupation", "职业", g_occ),   G("category", "党员类别", g_category),
    G("orgs", "党组织数", g_orgs),    G("domain", "基层党组织所在领域", g_domain),
};
#undef G
const int zg_stats_n_groups = (int)(sizeof zg_stats_groups / sizeof zg_stats_groups[0]);

/* The percentages every row carries (of the total). */
static const struct {
    const char *key;
    int cell;
} percent_cells[] = {
    {"female", ZG_STATS_C_FEMALE},
    {"minority", ZG_STATS_C_MINORITY},
    {"college_plus", ZG_STATS_C_COLLEGE_PLUS},
};

int zg_stats_permille(uint32_t part, uint32_t total)
{
    if (!total)
        return -1;
    return (int)(((uint64_t)part * 2000u + total) / (2u * (uint64_t)total));
}

/* ---- recruits: cells -------------------------------------------------------------------- */

static const struct {
    const char *key, *label;
} r_names[ZG_STATS_R_CELLS] = {
    [ZG_STATS_R_TOTAL] = {"total", "发展党员总数"},
    [ZG_STATS_R_MALE] = {"male", "男"},
    [ZG_STATS_R_FEMALE] = {"female", "女"},
    [ZG_STATS_R_MINORITY] = {"minority", "少数民族"},
    [ZG_STATS_R_EDU + ZG_STATS_EDU_POSTGRAD] = {"edu_postgrad", "研究生"},
    [ZG_STATS_R_EDU + ZG_STATS_EDU_UNDERGRAD] = {"edu_undergrad", "大学本科"},
    [ZG_STATS_R_EDU + ZG_STATS_EDU_COLLEGE] = {"edu_college", "大学专科"},
    [ZG_STATS_R_EDU + ZG_STATS_EDU_SECONDARY] = {"edu_secondary", "中专/高中"},
    [ZG_STATS_R_EDU + ZG_STATS_EDU_JUNIOR] = {"edu_junior", "初中及以下"},
    [ZG_STATS_R_COLLEGE_PLUS] = {"college_plus", "大专及以上"},
    [ZG_STATS_R_AGE + 0] = {"age_le30", "30岁及以下"},
    [ZG_STATS_R_AGE + 1] = {"age_31_35", "31至35岁"},
    [ZG_STATS_R_AGE + 2] = {"age_36_40", "36至40岁"},
    [ZG_STATS_R_AGE + 3] = {"age_41_45", "41至45岁"},
    [ZG_STATS_R_AGE + 4] = {"age_46_50", "46至50岁"},
    [ZG_STATS_R_AGE + 5] = {"age_51_55", "51至55岁"},
    [ZG_STATS_R_AGE + 6] = {"age_56_60", "56至60岁"},
    [ZG_STATS_R_AGE + 7] = {"age_ge61", "61岁及以上"},
    [ZG_STATS_R_LE35] = {"age_le35", "35岁及以下"},
    [ZG_STATS_R_OCC + ZG_STATS_OCC_WORKER] = {"occ_worker", "工人（工勤技能人员）"},
    [ZG_STATS_R_OCC + ZG_STATS_OCC_FARMER] = {"occ_farmer", "农牧渔民"},
    [ZG_STATS_R_OCC +
        ZG_STATS_OCC_PROFESSIONAL] = {"occ_professional", "企事业单位、社会组织专业技术人员"},
    [ZG_STATS_R_OCC + ZG_STATS_OCC_MANAGER] = {"occ_manager", "企事业单位、社会组织管理人员"},
    [ZG_STATS_R_OCC + ZG_STATS_OCC_OFFICIAL] = {"occ_official", "党政机关工作人员"},
    [ZG_STATS_R_OCC + ZG_STATS_OCC_STUDENT] = {"occ_student", "学生"},
    [ZG_STATS_R_OCC + ZG_STATS_OCC_OTHER] = {"occ_other", "其他职业人员"},
    [ZG_STATS_R_OCC + ZG_STATS_OCC_RETIRED] = {"occ_retired", "离退休人员"},
};

const char *zg_stats_recruited_key(int cell)
{
    return (cell >= 0 && cell < ZG_STATS_R_CELLS) ? r_names[cell].key : NULL;
}

const char *zg_stats_recruited_label(int cell)
{
    return (cell >= 0 && cell < ZG_STATS_R_CELLS) ? r_names[cell].label : NULL;
}

static const struct {
    const char *key;
    int cell;
} r_percent_cells[] = {
    {"female", ZG_STATS_R_FEMALE},
    {"minority", ZG_STATS_R_MINORITY},
    {"college_plus", ZG_STATS_R_COLLEGE_PLUS},
    {"age_le35", ZG_STATS_R_LE35},
};

/* ---- names of orgs ---------------------------------------------------------------------- */

typedef struct org_name {
    int64_t id;
    const char *name, *kind;
} org_name_t;

static int cmp_name(const void *a, const void *b)
{
    const org_name_t *x = a, *y = b;
    return (x->id > y->id) - (x->id < y->id);
}

/* Names and kinds of org `id` and its children, sorted by id. The caller has checked that
 * `id` lies in the caller's scope (locate: zg_scope_contains), and the org's children lie in
 * its subtree by the closure's definition, so this reads through zg_db_query rather than
 * zg_scope_query: {{SCOPE}} lists the whole scope (52,000 orgs for the root of a 1M-member
 * country, 5 million at national scale) for every answer, which cost 7 ms of a 10 ms answer at
 * 1M members (docs/performance.md, "Statistics through the API"). */
static int read_names(zg_conn_t *c, zg_arena_t *a, int64_t id, org_name_t **out, size_t *n,
                      zg_error_t *err)
{
    *out = NULL;
    *n = 0;
    zg_rows_t *r;
    zg_param_t p[] = {ZG_P_INT(id)};
    int rc = zg_db_query(c,
                         "SELECT o.id, o.name, o.kind FROM org o WHERE o.id = $1 "
                         "UNION ALL SELECT o.id, o.name, o.kind FROM org o WHERE o.parent_id = $1",
                         p, 1, &r, err);
    if (rc)
        return rc;
    size_t cap = 0;
    org_name_t *v = NULL;
    while ((rc = zg_rows_next(r, err)) == 1) {
        if (*n == cap) {
            size_t ncap = cap ? cap * 2 : 64;
            org_name_t *nv = zg_arena_alloc(a, ncap * sizeof *nv);
            if (!nv) {
                rc = zg_error_set(err, ZG_ERR_NOMEM, "no_memory", "内存不足", "org names");
                break;
            }
            if (*n)
                memcpy(nv, v, *n * sizeof *nv);
            v = nv;
            cap = ncap;
        }
        v[*n].id = zg_rows_int(r, 0);
        v[*n].name = zg_arena_strdup(a, zg_rows_text(r, 1));
        v[*n].kind = zg_arena_strdup(a, zg_rows_text(r, 2));
        if (!v[*n].name || !v[*n].kind) {
            rc = zg_error_set(err, ZG_ERR_NOMEM, "no_memory", "内存不足", "org names");
            break;
        }
        (*n)++;
    }
    zg_rows_close(r);
    if (rc < 0)
        return rc;
    if (*n)
        qsort(v, *n, sizeof *v, cmp_name);
    *out = v;
    return ZG_OK;
}

static const org_name_t *find_name(const org_name_t *v, size_t n, int64_t id)
{
    org_name_t key = {.id = id};
    return n ? bsearch(&key, v, n, sizeof *v, cmp_name) : NULL;
}

/* ---- shared checks ---------------------------------------------------------------------- */

/* The snapshot index of org `org_id` after checking scope; errors as zg_stats_report. */
static int locate(zg_stats_ref_t *ref, zg_conn_t *c, int64_t scope, int64_t org_id, uint32_t *index,
                  zg_error_t *err)
{
    bool in = false;
    int rc = org_id > 0 ? zg_scope_contains(c, scope, org_id, &in, err) : ZG_OK;
    if (rc)
        return rc;
    if (!in)
        return zg_error_set(err, ZG_ERR_NOT_FOUND, "not_found", "组织不存在或不在您的管理范围内",
                            "org %lld not in scope %lld", (long long)org_id, (long long)scope);
    *index = zg_stats_org_find(zg_stats_ref_snapshot(ref), org_id);
    if (*index == ZG_STATS_NO_ORG)
        return zg_error_set(err, ZG_ERR_NOT_FOUND, "stats_org_not_loaded",
                            "该组织刚刚建立，统计数据尚未包含，请稍后重试",
                            "org %lld not in the stats snapshot", (long long)org_id);
    return ZG_OK;
}

static void fill_names(zg_stats_report_row_t *row, const org_name_t *names, size_t n)
{
    const org_name_t *f = find_name(names, n, row->org_id);
    row->name = f ? f->name : "";
    row->org_kind = f ? f->kind : "";
}

/* ---- the as-of report ------------------------------------------------------------------- */

static void copy_row(zg_stats_report_row_t *dst, const zg_stats_snapshot_t *s,
                     const zg_stats_row_ref_t *src, zg_stats_day_t day)
{
    memset(dst, 0, sizeof *dst);
    dst->org_id = src->org_id;
    dst->kind = src->kind;
    dst->domain = src->domain;
    dst->active = s->org_from[src->index] <= day && day < s->org_to[src->index];
    memcpy(dst->cells, src->cells, sizeof dst->cells);
}

static bool row_empty(const zg_stats_report_row_t *r)
{
    for (int i = 0; i < ZG_STATS_CELLS; i++)
        if (r->cells[i])
            return false;
    return true;
}

int zg_stats_report(zg_stats_ref_t *ref, zg_conn_t *c, zg_arena_t *a, int64_t scope, int64_t org_id,
                    zg_date_t as_of, zg_stats_report_t *out, zg_error_t *err)
{
    memset(out, 0, sizeof *out);
    zg_stats_day_t day;
    if (zg_stats_day_from_date(as_of, &day))
        return zg_error_set(err, ZG_ERR_INVALID, "invalid_as_of",
                            "统计日期应在 1900-01-01 至 2079-06-05 之间", "as_of out of range");
    uint32_t idx;
    int rc = locate(ref, c, scope, org_id, &idx, err);
    if (rc)
        return rc;
    const zg_stats_snapshot_t *s = zg_stats_ref_snapshot(ref);
    zg_stats_result_t *res;
    rc = zg_stats_ref_result_get(ref, &res, err);
    if (rc)
        return rc;
    zg_stats_drill_t d;
    rc = zg_stats_compute_subtree(s, idx, as_of, 0, res);
    if (rc == ZG_OK)
        rc = zg_stats_drilldown(res, idx, a, &d);
    if (rc == ZG_OK) {
        copy_row(&out->self, s, &d.self, day);
        out->children =
            d.n_children ? zg_arena_alloc(a, d.n_children * sizeof *out->children) : NULL;
        if (d.n_children && !out->children) {
            rc = ZG_ERR_NOMEM;
        } else {
            for (size_t i = 0; i < d.n_children; i++) {
                zg_stats_report_row_t *row = &out->children[out->n_children];
                copy_row(row, s, &d.children[i], day);
                if (row->active || !row_empty(row))
                    out->n_children++;
            }
        }
    }
    zg_stats_ref_result_put(ref, res);
    if (rc)
        return zg_error_set(err, rc, rc == ZG_ERR_NOMEM ? "no_memory" : "internal",
                            rc == ZG_ERR_NOMEM ? "内存不足" : "统计计算失败",
                            "stats compute/drilldown: %d", rc);
    out->as_of = as_of;
    memcpy(out->data_as_of, s->data_as_of, sizeof out->data_as_of);
    out->version = s->version;

    org_name_t *names;
    size_t nn;
    rc = read_names(c, a, org_id, &names, &nn, err);
    if (rc)
        return rc;
    fill_names(&out->self, names, nn);
    for (size_t i = 0; i < out->n_children; i++)
        fill_names(&out->children[i], names, nn);
    return ZG_OK;
}

/* ---- recruits --------------------------------------------------------------------------- */

/* Band of an age in full years (the bulletin's: ≤30, 31–35, …, 56–60, ≥61). */
static int age_band(int age)
{
    int band = 0;
    for (int k = 0; k < ZG_STATS_AGE_LIMITS; k++)
        band += age >= zg_stats_age_limits[k];
    return band;
}

/* Adds the recruits among records [r0, r1) to cells. A record counts when its join date is in
 * [y0, y1) and it starts on that day: the record in which the membership began. */
static void count_recruits(const zg_stats_snapshot_t *s, uint32_t r0, uint32_t r1,
                           zg_stats_day_t y0, zg_stats_day_t y1, uint32_t *cells)
{
    for (uint32_t r = r0; r < r1; r++) {
        zg_stats_day_t j = s->join[r];
        if (j < y0 || j >= y1 || s->from[r] != j)
            continue;
        unsigned at = s->attr[r];
        cells[ZG_STATS_R_TOTAL]++;
        cells[(at & ZG_STATS_ATTR_FEMALE) ? ZG_STATS_R_FEMALE : ZG_STATS_R_MALE]++;
        if (at & ZG_STATS_ATTR_MINORITY)
            cells[ZG_STATS_R_MINORITY]++;
        unsigned edu = ZG_STATS_ATTR_EDU(at);
        if (edu < ZG_STATS_EDU_COUNT)
            cells[ZG_STATS_R_EDU + edu]++;
        if (edu <= ZG_STATS_EDU_COLLEGE)
            cells[ZG_STATS_R_COLLEGE_PLUS]++;
        int age = 0;
        zg_date_age_at(zg_stats_day_to_date(s->birth[r]), zg_stats_day_to_date(j), &age);
        int band = age_band(age);
        cells[ZG_STATS_R_AGE + band]++;
        if (age <= 35)
            cells[ZG_STATS_R_LE35]++;
        unsigned occ = ZG_STATS_ATTR_OCC(at);
        if (occ < ZG_STATS_OCC_COUNT)
            cells[ZG_STATS_R_OCC + occ]++;
    }
}

int zg_stats_recruited(zg_stats_ref_t *ref, zg_conn_t *c, zg_arena_t *a, int64_t scope,
                       int64_t org_id, int year, zg_stats_recruited_t *out, zg_error_t *err)
{
    memset(out, 0, sizeof *out);
    zg_date_t d0, d1;
    zg_stats_day_t y0, y1;
    if (year < 1900 || year > 2078 || zg_date_from_ymd(year, 1, 1, &d0) ||
        zg_date_from_ymd(year + 1, 1, 1, &d1) || zg_stats_day_from_date(d0, &y0) ||
        zg_stats_day_from_date(d1, &y1))
        return zg_error_set(err, ZG_ERR_INVALID, "invalid_year", "年份应在 1900 至 2078 之间",
                            "year %d out of range", year);
    uint32_t idx;
    int rc = locate(ref, c, scope, org_id, &idx, err);
    if (rc)
        return rc;
    const zg_stats_snapshot_t *s = zg_stats_ref_snapshot(ref);
    size_t n = 0;
    for (uint32_t k = idx + 1; k < s->end[idx]; k = s->end[k])
        n++;
    out->children = n ? zg_arena_calloc(a, n, sizeof *out->children) : NULL;
    if (n && !out->children)
        return zg_error_set(err, ZG_ERR_NOMEM, "no_memory", "内存不足", "recruit rows");
    out->self.org_id = org_id;
    out->self.kind = s->kind[idx];
    out->self.domain = s->domain[idx];
    /* the org's own records, then each child's subtree */
    count_recruits(s, s->first[idx], s->first[idx + 1], y0, y1, out->self.cells);
    for (uint32_t k = idx + 1; k < s->end[idx]; k = s->end[k]) {
        zg_stats_recruited_row_t *row = &out->children[out->n_children++];
        row->org_id = s->org_id[k];
        row->kind = s->kind[k];
        row->domain = s->domain[k];
        count_recruits(s, s->first[k], s->first[s->end[k]], y0, y1, row->cells);
        for (int i = 0; i < ZG_STATS_R_CELLS; i++)
            out->self.cells[i] += row->cells[i];
    }
    out->year = year;
    memcpy(out->data_as_of, s->data_as_of, sizeof out->data_as_of);
    out->version = s->version;

    org_name_t *names;
    size_t nn;
    rc = read_names(c, a, org_id, &names, &nn, err);
    if (rc)
        return rc;
    const org_name_t *f = find_name(names, nn, org_id);
    out->self.name = f ? f->name : "";
    out->self.org_kind = f ? f->kind : "";
    for (size_t i = 0; i < out->n_children; i++) {
        f = find_name(names, nn, out->children[i].org_id);
        out->children[i].name = f ? f->name : "";
        out->children[i].org_kind = f ? f->kind : "";
    }
    return ZG_OK;
}

/* ---- JSON ------------------------------------------------------------------------------- */

static void j_percent(zg_strbuf_t *sb, int permille)
{
    if (permille < 0)
        zg_strbuf_puts(sb, "null");
    else
        zg_strbuf_printf(sb, "%d.%d", permille / 10, permille % 10);
}

static void j_org(zg_strbuf_t *sb, int64_t id, const char *name, const char *org_kind, int kind,
                  int domain)
{
    zg_strbuf_printf(sb, "\"org_id\":%lld,\"name\":", (long long)id);
    zg_strbuf_json_string(sb, name ? name : "");
    zg_strbuf_puts(sb, ",\"kind\":");
    zg_strbuf_json_string(sb, org_kind ? org_kind : "");
    zg_strbuf_puts(sb, ",\"stats_kind\":");
    zg_strbuf_json_string(sb, zg_stats_kind_key(kind));
    zg_strbuf_puts(sb, ",\"domain\":");
    if (domain == ZG_STATS_DOMAIN_NONE)
        zg_strbuf_puts(sb, "null");
    else
        zg_strbuf_json_string(sb, zg_stats_domain_key(domain));
}

static void j_row(zg_strbuf_t *sb, const zg_stats_report_row_t *r)
{
    zg_strbuf_putc(sb, '{');
    j_org(sb, r->org_id, r->name, r->org_kind, r->kind, r->domain);
    zg_strbuf_printf(sb, ",\"active\":%s,\"cells\":{", r->active ? "true" : "false");
    bool first = true;
    for (int g = 0; g < zg_stats_n_groups; g++)
        for (int i = 0; i < zg_stats_groups[g].n; i++) {
            int cell = zg_stats_groups[g].cells[i];
            zg_strbuf_printf(sb, "%s\"%s\":%u", first ? "" : ",", zg_stats_cell_key(cell),
                             (unsigned)r->cells[cell]);
            first = false;
        }
    zg_strbuf_puts(sb, "},\"percent\":{");
    for (size_t i = 0; i < sizeof percent_cells / sizeof percent_cells[0]; i++) {
        zg_strbuf_printf(sb, "%s\"%s\":", i ? "," : "", percent_cells[i].key);
        j_percent(sb,
                  zg_stats_permille(r->cells[percent_cells[i].cell], r->cells[ZG_STATS_C_TOTAL]));
    }
    zg_strbuf_puts(sb, "}}");
}

static void j_cell_list(zg_strbuf_t *sb, const int *cells, int n, const uint32_t *values)
{
    for (int i = 0; i < n; i++) {
        zg_strbuf_printf(sb, "%s{\"key\":\"%s\",\"label\":", i ? "," : "",
                         zg_stats_cell_key(cells[i]));
        zg_strbuf_json_string(sb, zg_stats_cell_label(cells[i]));
        if (values)
            zg_strbuf_printf(sb, ",\"count\":%u", (unsigned)values[cells[i]]);
        zg_strbuf_putc(sb, '}');
    }
}

static int sb_status(const zg_strbuf_t *sb)
{
    return sb->overflow ? ZG_ERR_TOO_LARGE : ZG_OK;
}

int zg_stats_report_json(const zg_stats_report_t *r, zg_strbuf_t *sb)
{
    char as_of[ZG_DATE_STR_SIZE];
    zg_date_format(r->as_of, as_of);
    zg_strbuf_puts(sb, "{\"org\":{");
    j_org(sb, r->self.org_id, r->self.name, r->self.org_kind, r->self.kind, r->self.domain);
    zg_strbuf_printf(sb, "},\"as_of\":\"%s\",\"data_as_of\":", as_of);
    zg_strbuf_json_string(sb, r->data_as_of);
    zg_strbuf_printf(sb, ",\"version\":%llu,\"groups\":[", (unsigned long long)r->version);
    for (int g = 0; g < zg_stats_n_groups; g++) {
        zg_strbuf_printf(sb, "%s{\"key\":\"%s\",\"label\":", g ? "," : "", zg_stats_groups[g].key);
        zg_strbuf_json_string(sb, zg_stats_groups[g].label);
        zg_strbuf_puts(sb, ",\"cells\":[");
        j_cell_list(sb, zg_stats_groups[g].cells, zg_stats_groups[g].n, NULL);
        zg_strbuf_puts(sb, "]}");
    }
    zg_strbuf_puts(sb, "],\"row\":");
    j_row(sb, &r->self);
    zg_strbuf_puts(sb, ",\"orgs\":{\"by_kind\":[");
    j_cell_list(sb, g_orgs, (int)(sizeof g_orgs / sizeof g_orgs[0]), r->self.cells);
    zg_strbuf_puts(sb, "],\"by_domain\":[");
    j_cell_list(sb, g_domain, (int)(sizeof g_domain / sizeof g_domain[0]), r->self.cells);
    zg_strbuf_puts(sb, "]},\"children\":[");
    for (size_t i = 0; i < r->n_children; i++) {
        if (i)
            zg_strbuf_putc(sb, ',');
        j_row(sb, &r->children[i]);
    }
    zg_strbuf_puts(sb, "]}");
    return sb_status(sb);
}

static void j_rrow(zg_strbuf_t *sb, const zg_stats_recruited_row_t *r)
{
    zg_strbuf_putc(sb, '{');
    j_org(sb, r->org_id, r->name, r->org_kind, r->kind, r->domain);
    zg_strbuf_puts(sb, ",\"cells\":{");
    for (int i = 0; i < ZG_STATS_R_CELLS; i++)
        zg_strbuf_printf(sb, "%s\"%s\":%u", i ? "," : "", r_names[i].key, (unsigned)r->cells[i]);
    zg_strbuf_puts(sb, "},\"percent\":{");
    for (size_t i = 0; i < sizeof r_percent_cells / sizeof r_percent_cells[0]; i++) {
        zg_strbuf_printf(sb, "%s\"%s\":", i ? "," : "", r_percent_cells[i].key);
        j_percent(sb,
                  zg_stats_permille(r->cells[r_percent_cells[i].cell], r->cells[ZG_STATS_R_TOTAL]));
    }
    zg_strbuf_puts(sb, "}}");
}

int zg_stats_recruited_json(const zg_stats_recruited_t *r, zg_strbuf_t *sb)
{
    zg_strbuf_puts(sb, "{\"org\":{");
    j_org(sb, r->self.org_id, r->self.name, r->self.org_kind, r->self.kind, r->self.domain);
    zg_strbuf_printf(sb, "},\"year\":%d,\"data_as_of\":", r->year);
    zg_strbuf_json_string(sb, r->data_as_of);
    zg_strbuf_printf(sb, ",\"version\":%llu,\"cells\":[", (unsigned long long)r->version);
    for (int i = 0; i < ZG_STATS_R_CELLS; i++) {
        zg_strbuf_printf(sb, "%s{\"key\":\"%s\",\"label\":", i ? "," : "", r_names[i].key);
        zg_strbuf_json_string(sb, r_names[i].label);
        zg_strbuf_putc(sb, '}');
    }
    zg_strbuf_puts(sb, "],\"row\":");
    j_rrow(sb, &r->self);
    zg_strbuf_puts(sb, ",\"children\":[");
    for (size_t i = 0; i < r->n_children; i++) {
        if (i)
            zg_strbuf_putc(sb, ',');
        j_rrow(sb, &r->children[i]);
    }
    zg_strbuf_puts(sb, "]}");
    return sb_status(sb);
}

/* ---- text ------------------------------------------------------------------------------- */

/* Columns a string takes on a terminal: CJK and full-width characters take two. */
static int display_width(const char *s, size_t *bytes_for, int max_cols)
{
    int w = 0;
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    while (p[i]) {
        unsigned cp;
        size_t n;
        if (p[i] < 0x80)
            cp = p[i], n = 1;
        else if ((p[i] & 0xE0) == 0xC0 && p[i + 1])
            cp = ((p[i] & 0x1Fu) << 6) | (p[i + 1] & 0x3Fu), n = 2;
        else if ((p[i] & 0xF0) == 0xE0 && p[i + 1] && p[i + 2])
            cp = ((p[i] & 0x0Fu) << 12) | ((p[i + 1] & 0x3Fu) << 6) | (p[i + 2] & 0x3Fu), n = 3;
        else if (p[i + 1] && p[i + 2] && p[i + 3])
            cp = 0x10000, n = 4;
        else
            break;
        int cw = (cp >= 0x1100 && (cp <= 0x115F || cp >= 0x2E80)) ? 2 : 1;
        if (max_cols >= 0 && w + cw > max_cols)
            break;
        w += cw;
        i += n;
    }
    if (bytes_for)
        *bytes_for = i;
    return w;
}

/* Prints s in exactly `cols` columns: cut, or padded on the right (left = false) or left. */
static void put_cell(FILE *f, const char *s, int cols, bool right)
{
    size_t bytes;
    int w = display_width(s, &bytes, cols);
    if (right)
        fprintf(f, "%*s", cols - w, "");
    fwrite(s, 1, bytes, f);
    if (!right)
        fprintf(f, "%*s", cols - w, "");
}

static void put_count(FILE *f, uint32_t v, uint32_t total, bool pct)
{
    int p = zg_stats_permille(v, total);
    if (pct && p >= 0)
        fprintf(f, "%u（%d.%d%%）", (unsigned)v, p / 10, p % 10);
    else
        fprintf(f, "%u", (unsigned)v);
}

void zg_stats_report_text(const zg_stats_report_t *r, FILE *f)
{
    char as_of[ZG_DATE_STR_SIZE];
    zg_date_format(r->as_of, as_of);
    const uint32_t *c = r->self.cells;
    uint32_t total = c[ZG_STATS_C_TOTAL];
    char at[ZG_TIMESTAMP_SIZE];
    zg_timestamp_to_china(r->data_as_of, at);
    fprintf(f, "党员队伍基本情况统计表（截至 %s）\n", as_of);
    fprintf(f, "单位：%s　　数据时间：%s（北京时间）　　版本：%llu\n\n", r->self.name, at,
            (unsigned long long)r->version);
    for (int g = 0; g < zg_stats_n_groups; g++) {
        const zg_stats_group_t *gr = &zg_stats_groups[g];
        bool member_group = gr->cells[0] < ZG_STATS_MEMBER_CELLS && gr->n > 0;
        put_cell(f, gr->label, 20, false);
        for (int i = 0; i < gr->n; i++) {
            int cell = gr->cells[i];
            if (gr->n > 1 || cell != ZG_STATS_C_TOTAL)
                fprintf(f, "%s%s ", i ? "，" : "", zg_stats_cell_label(cell));
            put_count(f, c[cell], total, member_group && cell != ZG_STATS_C_TOTAL);
        }
        fputc('\n', f);
    }
    if (!r->n_children)
        return;
    static const int cols[] = {
        ZG_STATS_C_TOTAL,        ZG_STATS_C_FEMALE,        ZG_STATS_C_MINORITY,
        ZG_STATS_C_COLLEGE_PLUS, ZG_STATS_C_AGE + 0,       ZG_STATS_C_AGE + 7,
        ZG_STATS_C_PROBATIONARY, ZG_STATS_C_ORG_COMMITTEE, ZG_STATS_C_ORG_GENERAL_BRANCH,
        ZG_STATS_C_ORG_BRANCH};
    static const char *const heads[] = {"党员总数",   "女",         "少数民族", "大专及以上",
                                        "30岁及以下", "61岁及以上", "预备党员", "基层党委",
                                        "党总支",     "党支部"};
    enum { NAME_COLS = 36, NUM_COLS = 11 };
    fprintf(f, "\n下级党组织（%zu 个）\n", r->n_children);
    put_cell(f, "党组织", NAME_COLS, false);
    for (size_t i = 0; i < sizeof cols / sizeof cols[0]; i++)
        put_cell(f, heads[i], NUM_COLS, true);
    fputc('\n', f);
    for (size_t k = 0; k <= r->n_children; k++) {
        const zg_stats_report_row_t *row = k < r->n_children ? &r->children[k] : &r->self;
        char buf[32];
        put_cell(f, k < r->n_children ? row->name : "合计", NAME_COLS, false);
        for (size_t i = 0; i < sizeof cols / sizeof cols[0]; i++) {
            snprintf(buf, sizeof buf, "%u", (unsigned)row->cells[cols[i]]);
            put_cell(f, buf, NUM_COLS, true);
        }
        fputc('\n', f);
    }
}

void zg_stats_recruited_text(const zg_stats_recruited_t *r, FILE *f)
{
    const uint32_t *c = r->self.cells;
    uint32_t total = c[ZG_STATS_R_TOTAL];
    char at[ZG_TIMESTAMP_SIZE];
    zg_timestamp_to_china(r->data_as_of, at);
    fprintf(f, "%d 年发展党员情况\n", r->year);
    fprintf(f, "单位：%s　　数据时间：%s（北京时间）　　版本：%llu\n\n", r->self.name, at,
            (unsigned long long)r->version);
    static const struct {
        const char *label;
        int from, n;
    } lines[] = {
        {"发展党员总数", ZG_STATS_R_TOTAL, 1},
        {"性别", ZG_STATS_R_MALE, 2},
        {"民族", ZG_STATS_R_MINORITY, 1},
        {"学历", ZG_STATS_R_EDU, ZG_STATS_EDU_COUNT + 1},
        {"入党时年龄", ZG_STATS_R_AGE, ZG_STATS_AGE_COUNT + 1},
        {"职业", ZG_STATS_R_OCC, ZG_STATS_OCC_COUNT},
    };
    for (size_t l = 0; l < sizeof lines / sizeof lines[0]; l++) {
        put_cell(f, lines[l].label, 20, false);
        for (int i = 0; i < lines[l].n; i++) {
            int cell = lines[l].from + i;
            if (cell != ZG_STATS_R_TOTAL)
                fprintf(f, "%s%s ", i ? "，" : "", r_names[cell].label);
            put_count(f, c[cell], total, cell != ZG_STATS_R_TOTAL);
        }
        fputc('\n', f);
    }
    if (!r->n_children)
        return;
    enum { NAME_COLS = 36, NUM_COLS = 11 };
    static const int cols[] = {ZG_STATS_R_TOTAL, ZG_STATS_R_FEMALE, ZG_STATS_R_MINORITY,
                               ZG_STATS_R_COLLEGE_PLUS, ZG_STATS_R_LE35};
    static const char *const heads[] = {"发展党员", "女", "少数民族", "大专及以上", "35岁及以下"};
    fprintf(f, "\n下级党组织（%zu 个）\n", r->n_children);
    put_cell(f, "党组织", NAME_COLS, false);
    for (size_t i = 0; i < sizeof cols / sizeof cols[0]; i++)
        put_cell(f, heads[i], NUM_COLS, true);
    fputc('\n', f);
    for (size_t k = 0; k <= r->n_children; k++) {
        const zg_stats_recruited_row_t *row = k < r->n_children ? &r->children[k] : &r->self;
        char buf[32];
        put_cell(f, k < r->n_children ? row->name : "合计", NAME_COLS, false);
        for (size_t i = 0; i < sizeof cols / sizeof cols[0]; i++) {
            snprintf(buf, sizeof buf, "%u", (unsigned)row->cells[cols[i]]);
            put_cell(f, buf, NUM_COLS, true);
        }
        fputc('\n', f);
    }
}
