/* calendar.c — working-day calendar: a sorted array of per-day overrides on top of the
 * Monday..Friday rule, and the text format that edits it (see calendar.h). */
#include "core/calendar.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/utf8.h"

struct zg_calendar {
    zg_calendar_entry_t *entries; /* sorted by date, no two with the same date */
    size_t count;
    size_t cap;
};

/* An entry parsed from text, with the line it came from for error messages. */
typedef struct parsed_entry {
    zg_calendar_entry_t e;
    int line;
} parsed_entry_t;

/* ---- lookup ---------------------------------------------------------------------------- */

/* Index of the first entry whose date is >= `date` (count when none). */
static size_t lower_bound(const zg_calendar_t *cal, zg_date_t date)
{
    size_t lo = 0, hi = cal->count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (cal->entries[mid].date < date)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

const zg_calendar_entry_t *zg_calendar_lookup(const zg_calendar_t *cal, zg_date_t date)
{
    if (!cal)
        return NULL;
    size_t i = lower_bound(cal, date);
    if (i < cal->count && cal->entries[i].date == date)
        return &cal->entries[i];
    return NULL;
}

bool zg_calendar_is_working_day(const zg_calendar_t *cal, zg_date_t date)
{
    const zg_calendar_entry_t *e = zg_calendar_lookup(cal, date);
    if (e)
        return e->kind == ZG_DAY_WORKDAY;
    return zg_date_weekday(date) <= 5;
}

bool zg_calendar_covers_year(const zg_calendar_t *cal, int year)
{
    zg_date_t first, last;
    if (!cal || zg_date_from_ymd(year, 1, 1, &first) != ZG_OK ||
        zg_date_from_ymd(year, 12, 31, &last) != ZG_OK)
        return false;
    size_t i = lower_bound(cal, first);
    return i < cal->count && cal->entries[i].date <= last;
}

bool zg_calendar_covers_range(const zg_calendar_t *cal, zg_date_t from, zg_date_t to)
{
    if (!zg_date_valid(from) || !zg_date_valid(to) || to < from)
        return false;
    int y0, y1;
    zg_date_to_ymd(from, &y0, NULL, NULL);
    zg_date_to_ymd(to, &y1, NULL, NULL);
    for (int y = y0; y <= y1; y++)
        if (!zg_calendar_covers_year(cal, y))
            return false;
    return true;
}

size_t zg_calendar_count(const zg_calendar_t *cal)
{
    return cal ? cal->count : 0;
}

const zg_calendar_entry_t *zg_calendar_entry(const zg_calendar_t *cal, size_t i)
{
    if (!cal || i >= cal->count)
        return NULL;
    return &cal->entries[i];
}

/* ---- working-day arithmetic ------------------------------------------------------------ */

int zg_calendar_nth_working_day(const zg_calendar_t *cal, zg_date_t start, int32_t n,
                                zg_date_t *end)
{
    if (!end || n < 1 || !zg_date_valid(start))
        return ZG_ERR_INVALID;
    int32_t seen = 0;
    /* Bounded: each step moves one day towards 9999-12-31, where the loop stops. */
    for (zg_date_t d = start; zg_date_valid(d); d++) {
        if (zg_calendar_is_working_day(cal, d) && ++seen == n) {
            *end = d;
            return ZG_OK;
        }
    }
    return ZG_ERR_INVALID;
}

int zg_calendar_add_working_days(const zg_calendar_t *cal, zg_date_t start, int32_t n,
                                 zg_date_t *end)
{
    if (!end || !zg_date_valid(start))
        return ZG_ERR_INVALID;
    if (n == 0) {
        *end = start;
        return ZG_OK;
    }
    int step = n > 0 ? 1 : -1;
    int64_t want = n > 0 ? (int64_t)n : -(int64_t)n;
    int64_t seen = 0;
    for (zg_date_t d = start + step; zg_date_valid(d); d += step) {
        if (zg_calendar_is_working_day(cal, d) && ++seen == want) {
            *end = d;
            return ZG_OK;
        }
    }
    return ZG_ERR_INVALID;
}

/* Number of Monday..Friday days in from..to inclusive (to >= from). */
static int64_t weekdays_between(zg_date_t from, zg_date_t to)
{
    int64_t days = (int64_t)to - from + 1;
    int64_t n = days / 7 * 5;
    int w = zg_date_weekday(from);
    for (int64_t i = 0; i < days % 7; i++)
        if ((w - 1 + i) % 7 < 5)
            n++;
    return n;
}

int zg_calendar_working_days_between(const zg_calendar_t *cal, zg_date_t from, zg_date_t to,
                                     int32_t *count)
{
    if (!count || !zg_date_valid(from) || !zg_date_valid(to))
        return ZG_ERR_INVALID;
    if (to < from) {
        *count = 0;
        return ZG_OK;
    }
    /* The weekday rule, then correct for each override inside the range that changes it. */
    int64_t n = weekdays_between(from, to);
    if (cal) {
        for (size_t i = lower_bound(cal, from); i < cal->count && cal->entries[i].date <= to; i++) {
            bool weekday = zg_date_weekday(cal->entries[i].date) <= 5;
            if (cal->entries[i].kind == ZG_DAY_HOLIDAY && weekday)
                n--;
            else if (cal->entries[i].kind == ZG_DAY_WORKDAY && !weekday)
                n++;
        }
    }
    *count = (int32_t)n; /* at most the ~3 million days of the valid range */
    return ZG_OK;
}

/* ---- construction and editing ---------------------------------------------------------- */

int zg_calendar_new_empty(zg_calendar_t **out)
{
    if (!out)
        return ZG_ERR_INVALID;
    zg_calendar_t *cal = calloc(1, sizeof *cal);
    if (!cal)
        return ZG_ERR_NOMEM;
    *out = cal;
    return ZG_OK;
}

int zg_calendar_new_default(zg_calendar_t **out)
{
    if (!out)
        return ZG_ERR_INVALID;
    zg_calendar_t *cal;
    int rc = zg_calendar_new_empty(&cal);
    if (rc != ZG_OK)
        return rc;
    size_t len;
    const char *text = zg_calendar_default_text(&len);
    zg_error_t err;
    rc = zg_calendar_load_text(cal, text, len, &err);
    if (rc != ZG_OK) {
        zg_calendar_free(cal);
        return rc == ZG_ERR_NOMEM ? rc : ZG_ERR_INTERNAL;
    }
    *out = cal;
    return ZG_OK;
}

void zg_calendar_free(zg_calendar_t *cal)
{
    if (!cal)
        return;
    free(cal->entries);
    free(cal);
}

/* Makes room for `need` entries in total. */
static int reserve(zg_calendar_t *cal, size_t need)
{
    if (need > ZG_CALENDAR_MAX_ENTRIES)
        return ZG_ERR_TOO_LARGE;
    if (need <= cal->cap)
        return ZG_OK;
    size_t cap = cal->cap ? cal->cap * 2 : 64;
    if (cap < need)
        cap = need;
    if (cap > ZG_CALENDAR_MAX_ENTRIES)
        cap = ZG_CALENDAR_MAX_ENTRIES;
    zg_calendar_entry_t *p = realloc(cal->entries, cap * sizeof *p);
    if (!p)
        return ZG_ERR_NOMEM;
    cal->entries = p;
    cal->cap = cap;
    return ZG_OK;
}

static bool is_space(char c)
{
    return c == ' ' || c == '\t';
}

/* Checks a day's name (len bytes at s) against the rules in calendar.h. Returns NULL when it
 * is acceptable, else the Chinese reason. */
static const char *name_problem(const char *s, size_t len)
{
    if (len == 0)
        return NULL;
    size_t chars;
    if (zg_utf8_strlen(s, len, &chars) != ZG_OK)
        return "名称不是有效的UTF-8文本";
    if (chars > ZG_CALENDAR_NAME_MAX_CHARS)
        return "名称过长（最多20个字）";
    if (is_space(s[0]) || is_space(s[len - 1]))
        return "名称首尾不能有空格";
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c == 0x7F)
            return "名称不能包含控制字符";
        if (c == '#')
            return "名称不能包含“#”";
    }
    return NULL;
}

int zg_calendar_set_day(zg_calendar_t *cal, zg_date_t date, zg_day_kind kind, const char *name,
                        zg_error_t *err)
{
    if (!cal)
        return zg_error_set(err, ZG_ERR_INVALID, "calendar_null", "参数错误", "cal is NULL");
    if (!zg_date_valid(date))
        return zg_error_set(err, ZG_ERR_INVALID, "calendar_bad_date",
                            "日期无效（应在1800年至9999年之间）", "date %ld out of range",
                            (long)date);
    if (kind != ZG_DAY_HOLIDAY && kind != ZG_DAY_WORKDAY)
        return zg_error_set(err, ZG_ERR_INVALID, "calendar_bad_kind", "类型应为放假或上班",
                            "kind %d is neither holiday nor workday", (int)kind);
    if (!name)
        name = "";
    /* Bound the scan: a longer name is rejected without reading all of it. */
    size_t len = strnlen(name, ZG_CALENDAR_NAME_SIZE);
    if (len >= ZG_CALENDAR_NAME_SIZE)
        return zg_error_set(err, ZG_ERR_INVALID, "calendar_bad_name", "名称过长（最多20个字）",
                            "name longer than %d bytes", ZG_CALENDAR_NAME_SIZE - 1);
    const char *why = name_problem(name, len);
    if (why)
        return zg_error_set(err, ZG_ERR_INVALID, "calendar_bad_name", why, "bad day name");

    size_t i = lower_bound(cal, date);
    if (!(i < cal->count && cal->entries[i].date == date)) {
        int rc = reserve(cal, cal->count + 1);
        if (rc == ZG_ERR_TOO_LARGE)
            return zg_error_set(err, rc, "calendar_too_large", "日历条目过多（最多10000条）",
                                "calendar holds %d entries already", ZG_CALENDAR_MAX_ENTRIES);
        if (rc != ZG_OK)
            return zg_error_set(err, rc, "no_memory", "内存不足", "calendar: out of memory");
        memmove(&cal->entries[i + 1], &cal->entries[i], (cal->count - i) * sizeof cal->entries[0]);
        cal->count++;
    }
    zg_calendar_entry_t *e = &cal->entries[i];
    memset(e, 0, sizeof *e);
    e->date = date;
    e->kind = (uint8_t)kind;
    memcpy(e->name, name, len);
    return ZG_OK;
}

int zg_calendar_clear_day(zg_calendar_t *cal, zg_date_t date)
{
    if (!cal)
        return ZG_ERR_INVALID;
    size_t i = lower_bound(cal, date);
    if (!(i < cal->count && cal->entries[i].date == date))
        return ZG_ERR_NOT_FOUND;
    memmove(&cal->entries[i], &cal->entries[i + 1], (cal->count - i - 1) * sizeof cal->entries[0]);
    cal->count--;
    return ZG_OK;
}

/* ---- text format ----------------------------------------------------------------------- */

/* Sets err to "日历数据第N行：<why>" and returns status. */
static int line_error(zg_error_t *err, int status, int line, const char *code, const char *why)
{
    char msg[sizeof err->message];
    snprintf(msg, sizeof msg, "日历数据第%d行：%s", line, why);
    return zg_error_set(err, status, code, msg, "calendar text line %d: %s", line, code);
}

/* Parses one line (comments and line end already removed, len <= ZG_CALENDAR_LINE_MAX).
 * Returns 1 and fills *out for an entry, 0 for a blank line, or a negative status. */
static int parse_line(const char *s, size_t len, int line, zg_calendar_entry_t *out,
                      zg_error_t *err)
{
    size_t i = 0;
    while (i < len && is_space(s[i]))
        i++;
    while (len > i && is_space(s[len - 1]))
        len--;
    if (i == len)
        return 0;

    size_t f = i; /* date field */
    while (i < len && !is_space(s[i]))
        i++;
    zg_date_t date;
    if (zg_date_parse_n(s + f, i - f, &date) != ZG_OK)
        return line_error(err, ZG_ERR_INVALID, line, "calendar_bad_date",
                          "日期应为YYYY-MM-DD格式的有效日期（1800年至9999年）");
    while (i < len && is_space(s[i]))
        i++;

    f = i; /* kind field */
    while (i < len && !is_space(s[i]))
        i++;
    zg_day_kind kind;
    if (i - f == 7 && memcmp(s + f, "holiday", 7) == 0)
        kind = ZG_DAY_HOLIDAY;
    else if (i - f == 7 && memcmp(s + f, "workday", 7) == 0)
        kind = ZG_DAY_WORKDAY;
    else
        return line_error(err, ZG_ERR_INVALID, line, "calendar_bad_kind",
                          "类型应为 holiday（放假）或 workday（上班）");
    while (i < len && is_space(s[i]))
        i++;

    /* The name is the rest of the line, already trimmed at both ends. */
    size_t name_len = len - i;
    const char *why = name_len >= ZG_CALENDAR_NAME_SIZE ? "名称过长（最多20个字）"
                                                        : name_problem(s + i, name_len);
    if (why)
        return line_error(err, ZG_ERR_INVALID, line, "calendar_bad_name", why);

    memset(out, 0, sizeof *out);
    out->date = date;
    out->kind = (uint8_t)kind;
    memcpy(out->name, s + i, name_len);
    return 1;
}

static int cmp_parsed(const void *a, const void *b)
{
    const parsed_entry_t *x = a, *y = b;
    if (x->e.date != y->e.date)
        return x->e.date < y->e.date ? -1 : 1;
    return x->line < y->line ? -1 : (x->line > y->line);
}

/* Merges the sorted, duplicate-free `add` (n entries) into cal; `add` wins on equal dates.
 * All or nothing. */
static int merge(zg_calendar_t *cal, const parsed_entry_t *add, size_t n, zg_error_t *err)
{
    /* Count the result first so the limit is checked before anything changes. */
    size_t total = 0, i = 0, j = 0;
    while (i < cal->count || j < n) {
        if (j == n || (i < cal->count && cal->entries[i].date < add[j].e.date)) {
            i++;
        } else {
            if (i < cal->count && cal->entries[i].date == add[j].e.date)
                i++;
            j++;
        }
        total++;
    }
    if (total > ZG_CALENDAR_MAX_ENTRIES)
        return zg_error_set(err, ZG_ERR_TOO_LARGE, "calendar_too_large",
                            "日历条目过多（最多10000条）", "calendar would hold %zu entries",
                            total);
    zg_calendar_entry_t *merged = malloc((total ? total : 1) * sizeof *merged);
    if (!merged)
        return zg_error_set(err, ZG_ERR_NOMEM, "no_memory", "内存不足", "calendar: no memory");
    size_t k = 0;
    i = j = 0;
    while (i < cal->count || j < n) {
        if (j == n || (i < cal->count && cal->entries[i].date < add[j].e.date)) {
            merged[k++] = cal->entries[i++];
        } else {
            if (i < cal->count && cal->entries[i].date == add[j].e.date)
                i++;
            merged[k++] = add[j++].e;
        }
    }
    free(cal->entries);
    cal->entries = merged;
    cal->count = cal->cap = total;
    return ZG_OK;
}

int zg_calendar_load_text(zg_calendar_t *cal, const char *text, size_t len, zg_error_t *err)
{
    if (!cal || (!text && len > 0))
        return zg_error_set(err, ZG_ERR_INVALID, "calendar_null", "参数错误", "NULL argument");
    if (len > ZG_CALENDAR_TEXT_MAX)
        return zg_error_set(err, ZG_ERR_TOO_LARGE, "calendar_too_large", "日历数据过大（最多1MB）",
                            "calendar text is %zu bytes", len);
    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) {
        text += 3;
        len -= 3;
    }

    parsed_entry_t *list = NULL;
    size_t n = 0, cap = 0;
    int rc = ZG_OK, line = 0;
    size_t pos = 0;
    while (pos < len) {
        line++;
        const char *s = text + pos;
        const char *nl = memchr(s, '\n', len - pos);
        size_t l = nl ? (size_t)(nl - s) : len - pos;
        pos += l + (nl ? 1 : 0);
        if (l > 0 && s[l - 1] == '\r')
            l--;
        if (l > ZG_CALENDAR_LINE_MAX) {
            rc = line_error(err, ZG_ERR_TOO_LARGE, line, "calendar_line_too_long",
                            "该行过长（最多512字节）");
            goto out;
        }
        if (memchr(s, '\0', l)) {
            rc = line_error(err, ZG_ERR_INVALID, line, "calendar_bad_text", "包含无效字符");
            goto out;
        }
        const char *hash = memchr(s, '#', l);
        if (hash)
            l = (size_t)(hash - s);

        zg_calendar_entry_t e;
        rc = parse_line(s, l, line, &e, err);
        if (rc < 0)
            goto out;
        if (rc == 0)
            continue;
        rc = ZG_OK;
        if (n == cap) {
            if (n >= ZG_CALENDAR_MAX_ENTRIES) {
                rc = line_error(err, ZG_ERR_TOO_LARGE, line, "calendar_too_large",
                                "条目过多（最多10000条）");
                goto out;
            }
            size_t ncap = cap ? cap * 2 : 64;
            parsed_entry_t *p = realloc(list, ncap * sizeof *p);
            if (!p) {
                rc = zg_error_set(err, ZG_ERR_NOMEM, "no_memory", "内存不足",
                                  "calendar: out of memory");
                goto out;
            }
            list = p;
            cap = ncap;
        }
        list[n].e = e;
        list[n].line = line;
        n++;
    }

    if (n > 1)
        qsort(list, n, sizeof *list, cmp_parsed);
    for (size_t i = 1; i < n; i++) {
        if (list[i].e.date == list[i - 1].e.date) {
            char why[96], day[ZG_DATE_STR_SIZE];
            zg_date_format(list[i].e.date, day);
            snprintf(why, sizeof why, "日期%s与第%d行重复", day, list[i - 1].line);
            rc = line_error(err, ZG_ERR_INVALID, list[i].line, "calendar_duplicate", why);
            goto out;
        }
    }
    rc = merge(cal, list, n, err);
out:
    free(list);
    return rc;
}

int zg_calendar_write_text(const zg_calendar_t *cal, zg_strbuf_t *out)
{
    if (!cal || !out)
        return ZG_ERR_INVALID;
    for (size_t i = 0; i < cal->count; i++) {
        const zg_calendar_entry_t *e = &cal->entries[i];
        char day[ZG_DATE_STR_SIZE];
        if (zg_date_format(e->date, day) != ZG_OK)
            return ZG_ERR_INTERNAL; /* set_day and load_text only admit valid dates */
        int rc = zg_strbuf_printf(out, "%s %s%s%s\n", day,
                                  e->kind == ZG_DAY_HOLIDAY ? "holiday" : "workday",
                                  e->name[0] ? " " : "", e->name);
        if (rc != ZG_OK)
            return rc;
    }
    return ZG_OK;
}
