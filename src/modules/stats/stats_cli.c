/* stats_cli.c — `zugong stats --db … [--org ID] [--as-of YYYY-MM-DD] [--recruited YEAR]
 * --format json|xlsx|text [--out FILE]`: builds a snapshot from the database with the same
 * loader the server uses (stats_db.c) and writes one report — the same JSON as the API, the
 * same workbook as the export, or a readable Chinese table. The command has the operator's
 * access: the whole tree (it runs on the server with the database's credentials). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "db/db.h"
#include "modules/org/org.h"
#include "modules/stats/stats_service.h"

static int usage_error(FILE *errf, const char *what, const char *value)
{
    fprintf(errf, "zugong stats: %s：%s\n", what, value ? value : "");
    fprintf(errf, "用法 usage: zugong stats --db 路径|URL [--org 组织ID] [--as-of YYYY-MM-DD] "
                  "[--recruited 年份] [--format text|json|xlsx] [--out 文件]\n");
    return 2;
}

int zg_stats_cli_parse(int *argc, char **argv, zg_stats_cli_args_t *a, FILE *errf)
{
    memset(a, 0, sizeof *a);
    a->as_of = ZG_STATS_CLI_TODAY;
    a->format = ZG_STATS_FORMAT_TEXT;
    int w = 1;
    for (int i = 1; i < *argc; i++) {
        static const char *const opts[] = {"--org", "--as-of", "--format", "--out", "--recruited"};
        const char *arg = argv[i], *val = NULL;
        int which = -1;
        for (int k = 0; k < 5 && which < 0; k++) {
            size_t n = strlen(opts[k]);
            if (!strncmp(arg, opts[k], n) && (arg[n] == '\0' || arg[n] == '=')) {
                which = k;
                if (arg[n] == '=')
                    val = arg + n + 1;
                else if (i + 1 < *argc)
                    val = argv[++i];
                else
                    return usage_error(errf, "选项缺少取值 missing value", arg);
            }
        }
        if (which < 0) {
            argv[w++] = argv[i];
            continue;
        }
        char *end = NULL;
        switch (which) {
        case 0: {
            long long id = strtoll(val, &end, 10);
            if (!*val || *end || id <= 0)
                return usage_error(errf, "组织ID应为正整数", val);
            a->org_id = id;
            break;
        }
        case 1: {
            zg_stats_day_t day;
            if (zg_date_parse(val, &a->as_of) || zg_stats_day_from_date(a->as_of, &day))
                return usage_error(errf, "统计日期应为 1900-01-01 至 2079-06-05 之间的 YYYY-MM-DD",
                                   val);
            break;
        }
        case 2:
            if (!strcmp(val, "text"))
                a->format = ZG_STATS_FORMAT_TEXT;
            else if (!strcmp(val, "json"))
                a->format = ZG_STATS_FORMAT_JSON;
            else if (!strcmp(val, "xlsx"))
                a->format = ZG_STATS_FORMAT_XLSX;
            else
                return usage_error(errf, "输出格式应为 text、json 或 xlsx", val);
            break;
        case 3:
            if (!*val)
                return usage_error(errf, "输出文件名为空", val);
            a->out = val;
            break;
        default: {
            long y = strtol(val, &end, 10);
            if (!*val || *end || y < 1900 || y > 2078)
                return usage_error(errf, "年份应为 1900 到 2078 之间的数字", val);
            a->recruited = (int)y;
            break;
        }
        }
    }
    argv[w] = NULL;
    *argc = w;
    return 0;
}

static int fail(FILE *errf, const zg_error_t *err)
{
    fprintf(errf, "zugong stats: %s\n  (%s)\n", err->message[0] ? err->message : "失败",
            err->detail[0] ? err->detail : zg_status_name(err->status));
    return 1;
}

int zg_stats_cli(zg_db_t *db, const zg_stats_cli_args_t *a, FILE *out, FILE *errf)
{
    zg_error_t err;
    zg_conn_t *c = zg_db_conn(db, &err);
    if (!c)
        return fail(errf, &err);
    if (a->format == ZG_STATS_FORMAT_XLSX && a->recruited) {
        fprintf(errf, "zugong stats: 发展党员情况暂只支持 text 和 json 格式\n");
        return 2;
    }
    if (a->format == ZG_STATS_FORMAT_XLSX && !a->out && isatty(fileno(out))) {
        fprintf(errf, "zugong stats: xlsx 格式请用 --out 指定输出文件\n");
        return 2;
    }
    int64_t org = a->org_id;
    if (!org && zg_org_root(c, &org, &err))
        return fail(errf, &err);
    zg_stats_snapshot_t *snap;
    zg_stats_db_info_t info;
    if (zg_stats_db_load(db, 1, NULL, &snap, &info, &err))
        return fail(errf, &err);
    zg_stats_ref_t *ref;
    if (zg_stats_ref_new(snap, 1, &ref)) {
        fprintf(errf, "zugong stats: 内存不足\n");
        return 1;
    }
    zg_arena_t arena;
    zg_arena_init(&arena, 0, 0);
    zg_stats_report_t rep;
    zg_stats_recruited_t rec;
    zg_date_t as_of = a->as_of == ZG_STATS_CLI_TODAY ? zg_date_today() : a->as_of;
    /* the command sees the whole tree: the org's own subtree is its scope */
    int rc = a->recruited ? zg_stats_recruited(ref, c, &arena, org, org, a->recruited, &rec, &err)
                          : zg_stats_report(ref, c, &arena, org, org, as_of, &rep, &err);
    FILE *f = out;
    if (rc == ZG_OK && a->out) {
        f = fopen(a->out, "wb");
        if (!f)
            rc =
                zg_error_set(&err, ZG_ERR_IO, "open", "无法写入输出文件", "cannot open %s", a->out);
    }
    if (rc == ZG_OK) {
        if (a->format == ZG_STATS_FORMAT_XLSX) {
            void *data;
            size_t len;
            rc = zg_stats_report_xlsx(&rep, &arena, &data, &len, &err);
            if (rc == ZG_OK && fwrite(data, 1, len, f) != len)
                rc = zg_error_set(&err, ZG_ERR_IO, "write", "写入输出文件失败", "short write");
        } else if (a->format == ZG_STATS_FORMAT_JSON) {
            zg_strbuf_t sb;
            zg_strbuf_init(&sb, NULL, 0);
            rc =
                a->recruited ? zg_stats_recruited_json(&rec, &sb) : zg_stats_report_json(&rep, &sb);
            if (rc == ZG_OK) {
                fwrite(sb.data, 1, sb.len, f);
                fputc('\n', f);
            } else {
                zg_error_set(&err, rc, "too_large", "统计结果过大", "json render");
            }
            zg_strbuf_free(&sb);
        } else {
            if (a->recruited)
                zg_stats_recruited_text(&rec, f);
            else
                zg_stats_report_text(&rep, f);
            fprintf(f, "\n（统计快照：%llu 个组织，%llu 条党员记录，读取用时 %.2f 秒）\n",
                    (unsigned long long)info.orgs, (unsigned long long)info.records, info.seconds);
        }
    }
    if (f && f != out && fclose(f) != 0 && rc == ZG_OK)
        rc = zg_error_set(&err, ZG_ERR_IO, "write", "写入输出文件失败", "fclose %s", a->out);
    if (rc == ZG_OK && a->out)
        fprintf(errf, "已写入 %s\n", a->out);
    zg_arena_destroy(&arena);
    zg_stats_release(ref);
    return rc ? fail(errf, &err) : 0;
}
