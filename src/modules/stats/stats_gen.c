/* stats_gen.c — a deterministic synthetic country for the statistics engine: the org tree and
 * the member records of the 2024 党内统计公报 (RULES.md §9.1–9.2) at any scale.
 *
 * Shape (s = members / 100.27M): 31 provinces (fewer below 1M members), 333·s cities and
 * 2836·s counties (the bulletin's 3200 local committees), then 0.306M·s grassroots
 * committees, 0.330M·s general branches and 4.614M·s branches. Committees hang under a county
 * (75%) or nest under an earlier committee (25%, down to depth 8: enterprise groups, their
 * subsidiaries, …); general branches under a committee (90%) or a county; every general branch
 * gets two branches and every childless committee one, the other branches go under committees
 * (75%), general branches (20%) or counties (5%). Depth: root 0, provinces 1, cities 2,
 * counties 3, committees 4–8, general branches ≤ 9, branches ≤ 10. Members sit in branches;
 * branch sizes are skewed (raw draws: a quarter 3–6, 0.4% 301–800) and then scaled so that
 * they add up exactly to `members` (≥ 3 each, mean ≈ 21.7). Domains: a grassroots org directly
 * under a local committee draws one (shares from the 2023 bulletin's org counts by unit type:
 * rural 25.0%, community 6.4%, agency 14.9%, school 9.7%, hospital 4.8%, SOE 10.0%, emerging 24.4%,
 * university 2.7%, institute 2.1%); its descendants inherit it.
 *
 * Members. Attributes follow the bulletin's national totals on as_of:
 *   - women 3099.5 / 10027.1, minorities 773.4 / 10027.1;
 *   - education: the bulletin gives only 大专及以上 57.6%; the split used is 研究生 6.0%,
 *     大学本科 30.0%, 大学专科 21.6%, 中专/高中 17.4%, 初中及以下 25.0% (an assumption);
 *   - (age band × join period) from a joint table whose margins are the bulletin's age bands
 *     and join periods (everyone who joined before 1978 is 61 or older; see cell_weight);
 *   - occupation given the age band: 90% of retirees are ≥ 61 and 10% are 56–60, students are
 *     ≤ 30, the six working occupations are spread over the remaining people of every band in
 *     their bulletin proportions — so the occupation margins are the bulletin's too;
 *   - 7.58% of those who joined since 十八大 joined in the year before as_of (213.1万 recruited
 *     in 2024); probation is one year, so they are the probationary members;
 *   - gender, minority and education are independent of the rest.
 * The categorical attributes of current member i come from Kronecker (Weyl) sequences
 * frac(j·√p + offset) at j = σ(i), σ an affine permutation of 0..members-1: every value of j
 * occurs once, so the national proportions match the bulletin to within a few members at any
 * scale (a random draw would be off by ±√n), while σ scatters neighbours so branches differ.
 * Exact dates (birth within the band, join within the period and at 18 or later) come from a
 * splitmix64 stream keyed by (seed, i). Integer arithmetic throughout (but for two IEEE-754
 * double products, exact on any conforming machine): the same params give the same data on
 * any machine, and any member can be generated on its own. */
#include "modules/stats/stats.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- random numbers --------------------------------------------------------------------- */

static inline uint64_t mix64(uint64_t z)
{
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

typedef struct rng {
    uint64_t s;
} rng;

static inline uint64_t rng_next(rng *r)
{
    r->s += 0x9E3779B97F4A7C15ull;
    return mix64(r->s);
}

/* Uniform in 0..n-1 (n ≥ 1), by the multiply-shift method. */
static inline uint32_t rng_below(rng *r, uint32_t n)
{
    return (uint32_t)(((rng_next(r) >> 32) * (uint64_t)n) >> 32);
}

static rng rng_for(uint64_t seed, uint64_t stream, uint64_t i)
{
    return (rng){mix64(seed ^ mix64(stream * 0xD1B54A32D192ED03ull + i))};
}

/* frac(√2), frac(√3), frac(√5), frac(√7), frac(√11) in 64-bit fixed point. */
#define WEYL_CELL 0x6A09E667F3BCC908ull
#define WEYL_OCC  0xBB67AE8584CAA73Bull
#define WEYL_EDU  0x3C6EF372FE94F82Bull
#define WEYL_FEM  0xA54FF53A5F1D36F1ull
#define WEYL_MIN  0x510E527FADE682D1ull

/* ---- the bulletin's tables (units of 0.1万 = 1,000 members) ----------------------------- */

/* (age band × join period). Column sums are the bulletin's age bands (1227.2, 1076.4,
 * 1147.5, 968.7, 904.1, 941.2, 864.6, 2897.3); row sums its join periods (5.4, 1230.9,
 * 5979.9 ≈ 5980.0, 2810.8). */
static const uint32_t cell_weight[ZG_STATS_JOIN_COUNT][ZG_STATS_AGE_COUNT] = {
    {0, 0, 0, 0, 0, 0, 0, 54},
    {0, 0, 0, 0, 0, 0, 0, 12309},
    {0, 2264, 7175, 8187, 8341, 9012, 8410, 16410},
    {12272, 8500, 4300, 1500, 700, 400, 236, 200},
};

/* Occupations in the bulletin (worker … retired). */
static const uint32_t occ_weight[ZG_STATS_OCC_COUNT] = {6639, 26144, 16394, 11563,
                                                        7592, 2622,  7849,  21469};
/* Retirees by band (90% ≥ 61, 10% 56–60) and students (all ≤ 30). */
static const uint32_t retired_in_band[ZG_STATS_AGE_COUNT] = {0, 0, 0, 0, 0, 0, 2147, 19322};
static const uint32_t student_in_band[ZG_STATS_AGE_COUNT] = {2622, 0, 0, 0, 0, 0, 0, 0};

static const uint32_t edu_weight[ZG_STATS_EDU_COUNT] = {600, 3000, 2160, 1740, 2500};
#define FEMALE_W   30995u
#define MINORITY_W 7734u
#define MEMBERS_W  100271u
/* Of those who joined since 十八大, the share (ppm) recruited in the last year: 213.1/2810.8. */
#define RECENT_PPM 75815u

static const uint32_t domain_weight[ZG_STATS_DOMAIN_COUNT] = {0,  250, 64,  149, 97,
                                                              48, 100, 244, 27,  21};

/* Branch sizes before scaling: {lo, hi, per-mille}. */
static const uint32_t size_bucket[][3] = {
    {3, 6, 250},  {7, 12, 250},  {13, 20, 200},  {21, 35, 150},
    {36, 60, 80}, {61, 120, 50}, {121, 300, 16}, {301, 800, 4},
};

#define MAX_COMMITTEE_DEPTH 8
#define AGE_TABLE           112

/* ---- the generator state ---------------------------------------------------------------- */

typedef struct gen {
    zg_stats_gen_params_t p;
    zg_stats_gen_shape_t shape;
    /* orgs in DFS pre-order */
    uint32_t n;
    uint32_t *parent;
    uint8_t *kind, *domain, *depth;
    /* branches in DFS order: org index and member count; member base index */
    uint32_t n_branches;
    uint32_t *branch_org, *branch_size;
    uint64_t last_base; /* index of the first member of the last branch */
    /* sampling tables: thresholds in 2^32 units (as uint64 so the last can be 2^32) */
    uint64_t cum_cell[ZG_STATS_JOIN_COUNT * ZG_STATS_AGE_COUNT];
    uint64_t cum_occ[ZG_STATS_AGE_COUNT][ZG_STATS_OCC_COUNT];
    uint64_t cum_edu[ZG_STATS_EDU_COUNT];
    uint64_t thr_female, thr_minority;
    uint64_t perm_a, perm_c; /* σ(i) = (a·i + c) mod members */
    uint64_t off[5];
    /* dates */
    zg_date_t as_of, last_year; /* last_year: first day of the year before as_of */
    zg_date_t birth_max[AGE_TABLE];
    zg_date_t p_lo[ZG_STATS_JOIN_COUNT], p_hi[ZG_STATS_JOIN_COUNT];
    zg_date_t old_lo, old_hi; /* births of members who joined before 1949-10 */
} gen;

static void gen_free(gen *g)
{
    free(g->parent);
    free(g->kind);
    free(g->domain);
    free(g->depth);
    free(g->branch_org);
    free(g->branch_size);
}

static uint64_t gcd64(uint64_t a, uint64_t b)
{
    while (b) {
        uint64_t t = a % b;
        a = b;
        b = t;
    }
    return a;
}

/* Cumulative thresholds of `w[0..n)` scaled to 2^32. */
static void cumulate(const uint64_t *w, int n, uint64_t *cum)
{
    uint64_t total = 0, run = 0;
    for (int i = 0; i < n; i++)
        total += w[i];
    for (int i = 0; i < n; i++) {
        run += w[i];
        cum[i] = total ? (run << 32) / total : (1ull << 32);
    }
}

static inline int pick(const uint64_t *cum, int n, uint32_t u)
{
    for (int i = 0; i < n - 1; i++)
        if (u < cum[i])
            return i;
    return n - 1;
}

static zg_date_t ymd(int y, int m, int d)
{
    zg_date_t out = 0;
    zg_date_from_ymd(y, m, d, &out);
    return out;
}

static zg_date_t add_months(zg_date_t d, int n)
{
    zg_date_t out = d;
    zg_date_add_months(d, n, &out);
    return out;
}

static void init_tables(gen *g)
{
    uint64_t w[ZG_STATS_JOIN_COUNT * ZG_STATS_AGE_COUNT];
    for (int p = 0; p < ZG_STATS_JOIN_COUNT; p++)
        for (int b = 0; b < ZG_STATS_AGE_COUNT; b++)
            w[p * ZG_STATS_AGE_COUNT + b] = cell_weight[p][b];
    cumulate(w, ZG_STATS_JOIN_COUNT * ZG_STATS_AGE_COUNT, g->cum_cell);

    uint64_t working = 0;
    for (int o = 0; o < ZG_STATS_OCC_COUNT; o++)
        if (o != ZG_STATS_OCC_STUDENT && o != ZG_STATS_OCC_RETIRED)
            working += occ_weight[o];
    for (int b = 0; b < ZG_STATS_AGE_COUNT; b++) {
        uint64_t band = 0;
        for (int p = 0; p < ZG_STATS_JOIN_COUNT; p++)
            band += cell_weight[p][b];
        uint64_t rest = band - retired_in_band[b] - student_in_band[b];
        uint64_t ow[ZG_STATS_OCC_COUNT];
        for (int o = 0; o < ZG_STATS_OCC_COUNT; o++) {
            if (o == ZG_STATS_OCC_STUDENT)
                ow[o] = (uint64_t)student_in_band[b] * working;
            else if (o == ZG_STATS_OCC_RETIRED)
                ow[o] = (uint64_t)retired_in_band[b] * working;
            else
                ow[o] = rest * occ_weight[o];
        }
        cumulate(ow, ZG_STATS_OCC_COUNT, g->cum_occ[b]);
    }
    uint64_t ew[ZG_STATS_EDU_COUNT];
    for (int e = 0; e < ZG_STATS_EDU_COUNT; e++)
        ew[e] = edu_weight[e];
    cumulate(ew, ZG_STATS_EDU_COUNT, g->cum_edu);
    g->thr_female = ((uint64_t)FEMALE_W << 32) / MEMBERS_W;
    g->thr_minority = ((uint64_t)MINORITY_W << 32) / MEMBERS_W;

    uint64_t n = g->p.members;
    uint64_t a = (uint64_t)((double)n * 0.6180339887498949) | 1;
    if (a >= n)
        a = 1;
    while (gcd64(a, n) != 1)
        a++;
    g->perm_a = a;
    g->perm_c = mix64(g->p.seed ^ 0x5EEDull) % n;
    for (int k = 0; k < 5; k++)
        g->off[k] = mix64(g->p.seed + 0x100ull * (uint64_t)(k + 1));

    g->as_of = g->p.as_of;
    g->last_year = add_months(g->as_of, -12) + 1;
    for (int age = 0; age < AGE_TABLE; age++)
        g->birth_max[age] = zg_stats_last_birth_with_age(g->as_of, age);
    g->p_lo[0] = ymd(1921, 7, 1);
    for (int k = 1; k < ZG_STATS_JOIN_COUNT; k++) {
        g->p_lo[k] = zg_stats_join_boundary(k);
        g->p_hi[k - 1] = g->p_lo[k] - 1;
    }
    g->p_hi[ZG_STATS_JOIN_COUNT - 1] = g->as_of;
    g->old_lo = ymd(1920, 1, 1);
    g->old_hi = add_months(g->p_lo[1], -18 * 12) - 1;
    if (g->old_hi > g->birth_max[61])
        g->old_hi = g->birth_max[61];
}

/* ---- the tree --------------------------------------------------------------------------- */

static uint32_t scaled(uint64_t members, uint64_t national)
{
    return (uint32_t)((members * national + ZG_STATS_GEN_NATIONAL_MEMBERS / 2) /
                      ZG_STATS_GEN_NATIONAL_MEMBERS);
}

static uint32_t at_least(uint32_t v, uint32_t min)
{
    return v < min ? min : v;
}

/* Builds the tree in creation order, then renumbers it in DFS pre-order into g. */
static int build_tree(gen *g)
{
    uint64_t m = g->p.members;
    zg_stats_gen_shape_t *sh = &g->shape;
    sh->provinces = m >= 1000000 ? 31 : at_least((uint32_t)(m / 32258), 1);
    sh->cities = at_least(scaled(m, 333), sh->provinces);
    sh->counties = at_least(scaled(m, 2836), sh->cities);
    sh->committees = at_least(scaled(m, 306000), 1);
    sh->general_branches = scaled(m, 330000);
    sh->branches = at_least(scaled(m, 4614000), 1);
    uint64_t n64 = 1ull + sh->provinces + sh->cities + sh->counties + sh->committees +
                   sh->general_branches + sh->branches;
    if (n64 >= ZG_STATS_NO_ORG)
        return ZG_ERR_TOO_LARGE;
    uint32_t n = (uint32_t)n64;
    sh->orgs = n;
    sh->members = m;

    int rc = ZG_ERR_NOMEM;
    uint32_t *cp = malloc(n * sizeof *cp);
    uint8_t *ck = malloc(n), *cd = malloc(n), *cdep = malloc(n), *haskid = calloc(n, 1);
    uint32_t *pw = NULL, *cstart = NULL, *clist = NULL, *newof = NULL;
    g->parent = malloc(n * sizeof *g->parent);
    g->kind = malloc(n);
    g->domain = malloc(n);
    g->depth = malloc(n);
    if (!cp || !ck || !cd || !cdep || !haskid || !g->parent || !g->kind || !g->domain || !g->depth)
        goto out;

    rng r = rng_for(g->p.seed, 1, 0);
    uint32_t i = 0;
    /* ADD evaluates its parent expression once (it may draw random numbers). */
#define ADD(par, k)                                                                                \
    do {                                                                                           \
        uint32_t par_ = (par);                                                                     \
        cp[i] = par_;                                                                              \
        ck[i] = (uint8_t)(k);                                                                      \
        cdep[i] = (uint8_t)(par_ == ZG_STATS_NO_ORG ? 0 : cdep[par_] + 1);                         \
        if (par_ != ZG_STATS_NO_ORG)                                                               \
            haskid[par_] = 1;                                                                      \
        i++;                                                                                       \
    } while (0)

    ADD(ZG_STATS_NO_ORG, ZG_STATS_KIND_OTHER);
    uint32_t prov0 = i;
    pw = malloc((size_t)sh->provinces * sizeof *pw);
    if (!pw)
        goto out;
    uint32_t pw_total = 0;
    for (uint32_t k = 0; k < sh->provinces; k++) {
        ADD(0, ZG_STATS_KIND_LOCAL);
        pw_total += 1 + rng_below(&r, 4);
        pw[k] = pw_total;
    }
    uint32_t city0 = i;
    for (uint32_t k = 0; k < sh->cities; k++) {
        uint32_t pv = k;
        if (k >= sh->provinces) {
            uint32_t u = rng_below(&r, pw_total);
            pv = 0;
            while (pw[pv] <= u)
                pv++;
        }
        ADD(prov0 + pv, ZG_STATS_KIND_LOCAL);
    }
    uint32_t county0 = i;
    for (uint32_t k = 0; k < sh->counties; k++)
        ADD(city0 + (k < sh->cities ? k : rng_below(&r, sh->cities)), ZG_STATS_KIND_LOCAL);
#define RANDOM_COUNTY (county0 + rng_below(&r, sh->counties))
    uint32_t com0 = i;
    for (uint32_t k = 0; k < sh->committees; k++) {
        uint32_t par = ZG_STATS_NO_ORG;
        if (k > 0 && rng_below(&r, 100) < 25) {
            uint32_t c = com0 + rng_below(&r, k);
            if (cdep[c] < MAX_COMMITTEE_DEPTH)
                par = c;
        }
        ADD(par == ZG_STATS_NO_ORG ? RANDOM_COUNTY : par, ZG_STATS_KIND_COMMITTEE);
    }
    uint32_t gen0 = i;
    for (uint32_t k = 0; k < sh->general_branches; k++)
        ADD(rng_below(&r, 100) < 90 ? com0 + rng_below(&r, sh->committees) : RANDOM_COUNTY,
            ZG_STATS_KIND_GENERAL_BRANCH);
    uint32_t left = sh->branches;
    for (uint32_t k = 0; k < sh->general_branches && left; k++)
        for (int t = 0; t < 2 && left; t++, left--)
            ADD(gen0 + k, ZG_STATS_KIND_BRANCH);
    for (uint32_t k = 0; k < sh->committees && left; k++)
        if (!haskid[com0 + k]) {
            ADD(com0 + k, ZG_STATS_KIND_BRANCH);
            left--;
        }
    for (; left; left--) {
        uint32_t u = rng_below(&r, 100);
        uint32_t par;
        if (u < 20 && sh->general_branches)
            par = gen0 + rng_below(&r, sh->general_branches);
        else if (u < 95)
            par = com0 + rng_below(&r, sh->committees);
        else
            par = RANDOM_COUNTY;
        ADD(par, ZG_STATS_KIND_BRANCH);
    }
#undef ADD
#undef RANDOM_COUNTY

    /* Domains: drawn under a local committee, inherited below a grassroots org. */
    uint64_t dw[ZG_STATS_DOMAIN_COUNT];
    uint64_t dcum[ZG_STATS_DOMAIN_COUNT];
    for (int k = 0; k < ZG_STATS_DOMAIN_COUNT; k++)
        dw[k] = domain_weight[k];
    cumulate(dw, ZG_STATS_DOMAIN_COUNT, dcum);
    for (uint32_t k = 0; k < n; k++) {
        if (ck[k] == ZG_STATS_KIND_LOCAL || ck[k] == ZG_STATS_KIND_OTHER)
            cd[k] = ZG_STATS_DOMAIN_NONE;
        else if (ck[cp[k]] == ZG_STATS_KIND_LOCAL)
            cd[k] = (uint8_t)pick(dcum, ZG_STATS_DOMAIN_COUNT, (uint32_t)(rng_next(&r) >> 32));
        else
            cd[k] = cd[cp[k]];
    }

    /* DFS pre-order; children in creation order. */
    cstart = calloc((size_t)n + 2, sizeof *cstart);
    clist = malloc(n * sizeof *clist);
    newof = malloc(n * sizeof *newof);
    if (!cstart || !clist || !newof)
        goto out;
    for (uint32_t k = 1; k < n; k++)
        cstart[cp[k] + 2]++;
    for (uint32_t k = 0; k < n; k++)
        cstart[k + 2] += cstart[k + 1];
    for (uint32_t k = 1; k < n; k++)
        clist[cstart[cp[k] + 1]++] = k;
    uint32_t stack[ZG_STATS_DEPTH_MAX + 1], next[ZG_STATS_DEPTH_MAX + 1];
    int sp = 0;
    uint32_t idx = 0;
    stack[0] = 0;
    next[0] = cstart[0];
    newof[0] = idx++;
    g->shape.max_depth = 0;
    while (sp >= 0) {
        uint32_t o = stack[sp];
        if (next[sp] == cstart[o + 1]) {
            sp--;
            continue;
        }
        uint32_t c = clist[next[sp]++];
        newof[c] = idx++;
        sp++;
        stack[sp] = c;
        next[sp] = cstart[c];
    }
    for (uint32_t k = 0; k < n; k++) {
        uint32_t j = newof[k];
        g->parent[j] = k ? newof[cp[k]] : ZG_STATS_NO_ORG;
        g->kind[j] = ck[k];
        g->domain[j] = cd[k];
        g->depth[j] = cdep[k];
        if (cdep[k] > g->shape.max_depth)
            g->shape.max_depth = cdep[k];
    }
    g->n = n;
    rc = ZG_OK;
out:
    free(cp);
    free(ck);
    free(cd);
    free(cdep);
    free(haskid);
    free(pw);
    free(cstart);
    free(clist);
    free(newof);
    return rc;
}

/* Branch sizes: bucketed raw sizes, scaled so that they add up to exactly `members`. */
static int size_branches(gen *g)
{
    uint32_t nb = 0;
    for (uint32_t k = 0; k < g->n; k++)
        nb += g->kind[k] == ZG_STATS_KIND_BRANCH;
    g->n_branches = nb;
    g->branch_org = malloc((size_t)nb * sizeof *g->branch_org);
    g->branch_size = malloc((size_t)nb * sizeof *g->branch_size);
    if (!g->branch_org || !g->branch_size)
        return ZG_ERR_NOMEM;
    rng r = rng_for(g->p.seed, 2, 0);
    uint64_t x_total = 0;
    uint32_t j = 0;
    for (uint32_t k = 0; k < g->n; k++) {
        if (g->kind[k] != ZG_STATS_KIND_BRANCH)
            continue;
        uint32_t u = rng_below(&r, 1000), b = 0, acc = size_bucket[0][2];
        while (u >= acc)
            acc += size_bucket[++b][2];
        uint32_t raw = size_bucket[b][0] + rng_below(&r, size_bucket[b][1] - size_bucket[b][0] + 1);
        g->branch_org[j] = k;
        g->branch_size[j] = raw - 3;
        x_total += raw - 3;
        j++;
    }
    uint64_t excess = g->p.members - 3ull * nb, given = 0;
    for (uint32_t k = 0; k < nb; k++) {
        uint64_t add = x_total ? excess * g->branch_size[k] / x_total : excess / nb;
        g->branch_size[k] = (uint32_t)(3 + add);
        given += add;
    }
    uint64_t stride = (uint64_t)((double)nb * 0.6180339887498949) | 1;
    while (gcd64(stride, nb) != 1)
        stride++;
    for (uint64_t pos = 0; given < excess; given++) {
        g->branch_size[pos]++;
        pos = (pos + stride) % nb;
    }
    return ZG_OK;
}

/* ---- members ---------------------------------------------------------------------------- */

static inline uint32_t weyl(uint64_t j, uint64_t alpha, uint64_t off)
{
    return (uint32_t)((j * alpha + off) >> 32);
}

static inline zg_date_t uniform_date(rng *r, zg_date_t lo, zg_date_t hi)
{
    return hi <= lo ? lo : lo + (zg_date_t)rng_below(r, (uint32_t)(hi - lo + 1));
}

/* Birth date of someone in age band `band` who joined in `period`. */
static zg_date_t draw_birth(const gen *g, rng *r, int band, int period)
{
    if (period == ZG_STATS_JOIN_BEFORE_1949)
        return uniform_date(r, g->old_lo, g->old_hi);
    zg_date_t b;
    if (band == ZG_STATS_AGE_GE61) {
        /* ages 61..95, fewer the older (the smaller of two uniform draws) */
        uint32_t x = rng_below(r, 35), y = rng_below(r, 35);
        int age = 61 + (int)(x < y ? x : y);
        b = uniform_date(r, g->birth_max[age + 1] + 1, g->birth_max[age]);
    } else if (band == ZG_STATS_AGE_LE30) {
        /* ages 18..30, more the older (few join at 18; most at college age or later) */
        uint32_t x = rng_below(r, 13), y = rng_below(r, 13);
        int age = 18 + (int)(x > y ? x : y);
        b = uniform_date(r, g->birth_max[age + 1] + 1, g->birth_max[age]);
    } else {
        int lo_age = zg_stats_age_limits[band - 1], hi_age = zg_stats_age_limits[band] - 1;
        b = uniform_date(r, g->birth_max[hi_age + 1] + 1, g->birth_max[lo_age]);
    }
    /* Old enough (18) to have joined before the period ends. */
    zg_date_t latest = add_months(g->p_hi[period] + 1, -18 * 12) - 1;
    if (b > latest)
        b = latest - (zg_date_t)rng_below(r, 3650);
    return b;
}

static zg_date_t draw_join(const gen *g, rng *r, zg_date_t birth, int period)
{
    zg_date_t lo = g->p_lo[period], hi = g->p_hi[period];
    zg_date_t adult = add_months(birth, 18 * 12);
    if (adult > lo)
        lo = adult;
    if (period == ZG_STATS_JOIN_SINCE_2012) {
        if (rng_below(r, 1000000) < RECENT_PPM || lo >= g->last_year) {
            if (lo < g->last_year)
                lo = g->last_year;
        } else if (hi >= g->last_year) {
            hi = g->last_year - 1;
        }
    }
    if (lo > hi)
        lo = hi;
    return uniform_date(r, lo, hi);
}

static void fill_dates(const gen *g, rng *r, int band, int period, zg_stats_record_in_t *rec)
{
    rec->birth = draw_birth(g, r, band, period);
    rec->join = draw_join(g, r, rec->birth, period);
    rec->conversion = add_months(rec->join, 12);
    rec->converted = rec->conversion <= g->as_of;
    rec->from = rec->join;
    rec->open = true;
    rec->to = 0;
}

/* Current member i (0-based) of org `org`. */
static void draw_member(const gen *g, uint64_t i, int64_t org_id, zg_stats_record_in_t *rec)
{
    uint64_t j = (g->perm_a * i + g->perm_c) % g->p.members;
    int cell =
        pick(g->cum_cell, ZG_STATS_JOIN_COUNT * ZG_STATS_AGE_COUNT, weyl(j, WEYL_CELL, g->off[0]));
    int period = cell / ZG_STATS_AGE_COUNT, band = cell % ZG_STATS_AGE_COUNT;
    memset(rec, 0, sizeof *rec);
    rec->org_id = org_id;
    rec->occ = pick(g->cum_occ[band], ZG_STATS_OCC_COUNT, weyl(j, WEYL_OCC, g->off[1]));
    rec->edu = pick(g->cum_edu, ZG_STATS_EDU_COUNT, weyl(j, WEYL_EDU, g->off[2]));
    rec->female = weyl(j, WEYL_FEM, g->off[3]) < g->thr_female;
    rec->minority = weyl(j, WEYL_MIN, g->off[4]) < g->thr_minority;
    rng r = rng_for(g->p.seed, 3, i);
    fill_dates(g, &r, band, period, rec);
}

/* A member who left in the year before as_of (mostly deaths: old, retired). */
static void draw_departed(const gen *g, uint64_t i, int64_t org_id, zg_stats_record_in_t *rec)
{
    rng r = rng_for(g->p.seed, 4, i);
    memset(rec, 0, sizeof *rec);
    rec->org_id = org_id;
    int period =
        rng_below(&r, 12309 + 16410) < 12309 ? ZG_STATS_JOIN_TO_1978 : ZG_STATS_JOIN_TO_2012;
    rec->occ = ZG_STATS_OCC_RETIRED;
    rec->edu = pick(g->cum_edu, ZG_STATS_EDU_COUNT, (uint32_t)(rng_next(&r) >> 32));
    rec->female = (rng_next(&r) >> 32) < g->thr_female;
    rec->minority = (rng_next(&r) >> 32) < g->thr_minority;
    fill_dates(g, &r, ZG_STATS_AGE_GE61, period, rec);
    rec->open = false;
    rec->to = g->as_of - (zg_date_t)rng_below(&r, 365);
}

static bool transfers(const gen *g, uint64_t i)
{
    return mix64(g->p.seed ^ mix64(i * 2 + 0x7A11ull)) % 1000000 < g->p.transfers_ppm;
}

static bool departs(const gen *g, uint64_t i)
{
    return mix64(g->p.seed ^ mix64(i * 2 + 0xDEA7ull)) % 1000000 < g->p.departures_ppm;
}

/* ---- running ---------------------------------------------------------------------------- */

void zg_stats_gen_defaults(zg_stats_gen_params_t *p, uint64_t members)
{
    memset(p, 0, sizeof *p);
    p->seed = 2024;
    p->members = members;
    p->as_of = ymd(2024, 12, 31);
    p->transfers_ppm = 30000;
    p->departures_ppm = 10400;
}

static void draw_member(const gen *g, uint64_t i, int64_t org_id, zg_stats_record_in_t *rec);

/* Whether member i has an earlier record in the next branch (not for the last branch, nor
 * for someone who joined on as_of). */
static bool moved_in(const gen *g, uint64_t i, uint64_t last_base, zg_date_t join)
{
    return i < last_base && transfers(g, i) && join < g->as_of;
}

static int prepare(gen *g, const zg_stats_gen_params_t *p, zg_error_t *err)
{
    zg_error_clear(err);
    memset(g, 0, sizeof *g);
    g->p = *p;
    if (p->members < 10 || p->members > 2000000000ull || p->as_of < ymd(2013, 1, 1) ||
        p->as_of > ymd(2070, 12, 31) || p->transfers_ppm > 200000 || p->departures_ppm > 200000)
        return zg_error_set(err, ZG_ERR_INVALID, "stats_gen_params", "模拟数据参数无效",
                            "members 10..2e9, as_of 2013..2070, ppm <= 200000");
    init_tables(g);
    int rc = build_tree(g);
    if (!rc)
        rc = size_branches(g);
    if (rc) {
        gen_free(g);
        return zg_error_set(err, rc, "nomem", "内存不足，无法生成模拟数据", "gen tree");
    }
    /* Count the history records, so a builder can be sized exactly. */
    uint64_t extra = 0;
    g->last_base = p->members - g->branch_size[g->n_branches - 1];
    for (uint64_t i = 0; i < p->members; i++) {
        if (i < g->last_base && transfers(g, i)) {
            zg_stats_record_in_t rec;
            draw_member(g, i, 0, &rec);
            extra += moved_in(g, i, g->last_base, rec.join);
        }
        extra += departs(g, i);
    }
    g->shape.records = p->members + extra;
    if (g->shape.records >= UINT32_MAX) {
        gen_free(g);
        return zg_error_set(err, ZG_ERR_TOO_LARGE, "stats_too_many_records",
                            "党员记录数量超出统计上限", "%llu records",
                            (unsigned long long)g->shape.records);
    }
    return ZG_OK;
}

typedef struct pending {
    zg_stats_gen_record_t *v;
    size_t n, cap;
} pending;

static int pending_push(pending *pd, const zg_stats_gen_record_t *r)
{
    if (pd->n == pd->cap) {
        size_t cap = pd->cap ? pd->cap * 2 : 64;
        void *nv = realloc(pd->v, cap * sizeof *pd->v);
        if (!nv)
            return ZG_ERR_NOMEM;
        pd->v = nv;
        pd->cap = cap;
    }
    pd->v[pd->n++] = *r;
    return ZG_OK;
}

static int emit(const gen *g, const zg_stats_gen_sink_t *sink, zg_error_t *err)
{
    int rc;
    if (sink->org) {
        for (uint32_t k = 0; k < g->n; k++) {
            zg_stats_gen_org_t o = {.id = (int64_t)k + 1,
                                    .parent_id = k ? (int64_t)g->parent[k] + 1 : 0,
                                    .kind = g->kind[k],
                                    .domain = g->domain[k],
                                    .depth = g->depth[k]};
            if ((rc = sink->org(sink->ctx, &o)))
                return zg_error_set(err, rc, "stats_gen_sink", "模拟数据写出失败", "org sink");
        }
    }
    if (!sink->record)
        return ZG_OK;
    pending cur = {0}, nxt = {0};
    uint64_t i = 0;
    rc = ZG_OK;
    for (uint32_t k = 0; k < g->n_branches && !rc; k++) {
        int64_t org_id = (int64_t)g->branch_org[k] + 1;
        int64_t next_org = k + 1 < g->n_branches ? (int64_t)g->branch_org[k + 1] + 1 : 0;
        /* earlier records of members who moved here from this branch */
        for (size_t t = 0; t < cur.n && !rc; t++)
            rc = sink->record(sink->ctx, &cur.v[t]);
        nxt.n = 0;
        for (uint32_t m = 0; m < g->branch_size[k] && !rc; m++, i++) {
            zg_stats_gen_record_t gr = {.member_id = (int64_t)i + 1, .current = true};
            draw_member(g, i, org_id, &gr.rec);
            if (moved_in(g, i, g->last_base, gr.rec.join)) {
                rng r = rng_for(g->p.seed, 5, i);
                zg_date_t moved =
                    gr.rec.join + 1 + (zg_date_t)rng_below(&r, (uint32_t)(g->as_of - gr.rec.join));
                zg_stats_gen_record_t before = gr;
                before.current = false;
                before.rec.org_id = next_org;
                before.rec.open = false;
                before.rec.to = moved;
                gr.rec.from = moved;
                if (pending_push(&nxt, &before)) {
                    rc = ZG_ERR_NOMEM;
                    break;
                }
            }
            rc = sink->record(sink->ctx, &gr);
            if (!rc && departs(g, i)) {
                zg_stats_gen_record_t gone = {.member_id = (int64_t)(g->p.members + i + 1)};
                draw_departed(g, i, org_id, &gone.rec);
                rc = sink->record(sink->ctx, &gone);
            }
        }
        pending t = cur;
        cur = nxt;
        nxt = t;
    }
    free(cur.v);
    free(nxt.v);
    if (rc == ZG_ERR_NOMEM)
        return zg_error_set(err, rc, "nomem", "内存不足，无法生成模拟数据", "pending");
    if (rc)
        return err && err->status
                   ? rc
                   : zg_error_set(err, rc, "stats_gen_sink", "模拟数据写出失败", "record sink");
    return ZG_OK;
}

int zg_stats_gen_shape(const zg_stats_gen_params_t *p, zg_stats_gen_shape_t *shape, zg_error_t *err)
{
    gen g;
    int rc = prepare(&g, p, err);
    if (rc)
        return rc;
    *shape = g.shape;
    gen_free(&g);
    return ZG_OK;
}

int zg_stats_gen_run(const zg_stats_gen_params_t *p, const zg_stats_gen_sink_t *sink,
                     zg_stats_gen_shape_t *shape, zg_error_t *err)
{
    gen g;
    int rc = prepare(&g, p, err);
    if (rc)
        return rc;
    if (shape)
        *shape = g.shape;
    rc = emit(&g, sink, err);
    gen_free(&g);
    return rc;
}

/* ---- into a snapshot -------------------------------------------------------------------- */

typedef struct build_sink {
    zg_stats_builder_t *b;
    zg_error_t *err;
} build_sink;

static int sink_org_to_builder(void *ctx, const zg_stats_gen_org_t *o)
{
    build_sink *bs = ctx;
    zg_stats_org_in_t in = {
        .id = o->id, .parent_id = o->parent_id, .kind = o->kind, .domain = o->domain};
    return zg_stats_builder_add_org(bs->b, &in, bs->err);
}

static int sink_record_to_builder(void *ctx, const zg_stats_gen_record_t *r)
{
    build_sink *bs = ctx;
    return zg_stats_builder_add_record(bs->b, &r->rec, bs->err);
}

static int load_prepared(const gen *g, zg_stats_builder_t *b, zg_error_t *err)
{
    build_sink bs = {b, err};
    zg_stats_gen_sink_t sink = {&bs, sink_org_to_builder, sink_record_to_builder};
    int rc = emit(g, &sink, err);
    if (rc)
        return rc;
    char moment[ZG_STATS_TIMESTAMP_SIZE], day[ZG_DATE_STR_SIZE];
    zg_date_format(g->as_of, day);
    snprintf(moment, sizeof moment, "%s 23:59:59", day);
    zg_stats_builder_set_source(b, moment, g->p.seed);
    return ZG_OK;
}

int zg_stats_gen_loader(void *ctx, zg_stats_builder_t *b, zg_error_t *err)
{
    gen g;
    int rc = prepare(&g, ctx, err);
    if (rc)
        return rc;
    rc = load_prepared(&g, b, err);
    gen_free(&g);
    return rc;
}

int zg_stats_gen_snapshot(const zg_stats_gen_params_t *p, zg_stats_snapshot_t **out,
                          zg_error_t *err)
{
    *out = NULL;
    gen g;
    int rc = prepare(&g, p, err);
    if (rc)
        return rc;
    zg_stats_builder_t *b;
    rc = zg_stats_builder_new(g.shape.orgs, (size_t)g.shape.records, &b);
    if (rc) {
        gen_free(&g);
        return zg_error_set(err, rc, "nomem", "内存不足，无法建立统计快照", "builder_new");
    }
    rc = load_prepared(&g, b, err);
    gen_free(&g);
    if (rc) {
        zg_stats_builder_free(b);
        return rc;
    }
    return zg_stats_builder_finish(b, out, err);
}

/* ---- CSV for the peers ------------------------------------------------------------------ */

typedef struct csv_out {
    FILE *org, *member;
    zg_date_t as_of;
    char buf[256];
} csv_out;

static char *put_u64(char *p, uint64_t v)
{
    char tmp[24];
    int n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (n)
        *p++ = tmp[--n];
    return p;
}

static char *put_date(char *p, zg_date_t d)
{
    zg_date_format(d, p);
    return p + 10;
}

static int csv_org(void *ctx, const zg_stats_gen_org_t *o)
{
    csv_out *c = ctx;
    int n = fprintf(c->org, "%lld,%lld,%d,%s,%s\n", (long long)o->id, (long long)o->parent_id,
                    o->depth, zg_stats_kind_key(o->kind), zg_stats_domain_key(o->domain));
    return n < 0 ? ZG_ERR_IO : ZG_OK;
}

static int csv_record(void *ctx, const zg_stats_gen_record_t *r)
{
    csv_out *c = ctx;
    if (!r->current)
        return ZG_OK;
    const zg_stats_record_in_t *x = &r->rec;
    char *p = c->buf;
    p = put_u64(p, (uint64_t)r->member_id);
    *p++ = ',';
    p = put_u64(p, (uint64_t)x->org_id);
    *p++ = ',';
    *p++ = x->female ? '2' : '1';
    *p++ = ',';
    *p++ = x->minority ? '1' : '0';
    *p++ = ',';
    *p++ = (char)('0' + x->edu);
    *p++ = ',';
    p = put_date(p, x->birth);
    *p++ = ',';
    p = put_date(p, x->join);
    *p++ = ',';
    *p++ = (char)('0' + x->occ);
    *p++ = ',';
    *p++ = (x->converted && x->conversion <= c->as_of) ? '0' : '1';
    *p++ = '\n';
    return fwrite(c->buf, 1, (size_t)(p - c->buf), c->member) == (size_t)(p - c->buf) ? ZG_OK
                                                                                      : ZG_ERR_IO;
}

int zg_stats_gen_csv(const zg_stats_gen_params_t *p, const char *dir, zg_stats_gen_shape_t *shape,
                     zg_error_t *err)
{
    char path[4096];
    csv_out c = {.as_of = p->as_of};
    snprintf(path, sizeof path, "%s/org.csv", dir);
    c.org = fopen(path, "w");
    snprintf(path, sizeof path, "%s/member.csv", dir);
    c.member = fopen(path, "w");
    int rc = ZG_OK;
    if (!c.org || !c.member) {
        rc = zg_error_set(err, ZG_ERR_IO, "io", "无法写出模拟数据文件", "open %s", path);
        goto out;
    }
    setvbuf(c.member, NULL, _IOFBF, 1 << 20);
    fputs("id,parent_id,depth,kind,domain\n", c.org);
    fputs("id,org_id,gender,minority,edu,birth,join,occupation,probationary\n", c.member);
    zg_stats_gen_sink_t sink = {&c, csv_org, csv_record};
    rc = zg_stats_gen_run(p, &sink, shape, err);
out:
    if (c.org && fclose(c.org) && !rc)
        rc = zg_error_set(err, ZG_ERR_IO, "io", "无法写出模拟数据文件", "close org.csv");
    if (c.member && fclose(c.member) && !rc)
        rc = zg_error_set(err, ZG_ERR_IO, "io", "无法写出模拟数据文件", "close member.csv");
    return rc;
}
