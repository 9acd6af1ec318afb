/* main.c — the `zugong` command: subcommands over the same library the server uses.
 *
 *   zugong serve    start the HTTP server (migrates first)
 *   zugong init     create or upgrade the database (migrations + built-in data)
 *   zugong demo     init, then load the demo dataset
 *   zugong migrate  apply pending migrations and print the schema version
 *   zugong audit-verify | audit-prune DAYS   check the audit chain / drop old entries
 *   zugong calendar export [YEAR] | import FILE   the working-day calendar as editable text
 *   zugong version  print the version
 *   zugong help     print usage
 *
 * Settings come from defaults, --config FILE, ZUGONG_* variables and --flags, in that order.
 * Exit codes: 0 ok, 1 runtime failure, 2 usage error. */
#include <signal.h>
#include <time.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>

#include "app/app.h"
#include "app/demo.h"
#include "core/config.h"
#include "core/log.h"
#include "db/db.h"
#include "http/server.h"
#include "modules/account/account.h"
#include "modules/audit/audit.h"
#include "modules/member/member_io.h"
#include "modules/org/org.h"
#include "modules/stats/stats_service.h"
#include "modules/workday/workday.h"

#define EXIT_USAGE 2

static void usage(FILE *f)
{
    fprintf(f,
            "zugong %s — 组工：党组织工作综合管理平台\n"
            "\n"
            "用法 Usage: zugong <命令> [选项]\n"
            "\n"
            "命令 Commands:\n"
            "  serve     启动服务（启动前自动升级数据库）  start the HTTP server\n"
            "  init      创建或升级数据库                  create or upgrade the database\n"
            "  demo      创建数据库并载入演示数据          init + demo data\n"
            "  migrate   执行数据库迁移并显示版本          apply migrations\n"
            "  stats     统计报表 [--org ID] [--as-of 日期] [--recruited 年份]\n"
            "            [--format text|json|xlsx] [--out 文件]  party statistics report\n"
            "  audit-verify          校验审计日志哈希链      verify the audit log's SM3 chain\n"
            "  audit-prune 天数      清理早于该天数的审计记录（不少于180天）\n"
            "  calendar export [年份] | calendar import 文件\n"
            "            导出/导入工作日历（节假日与调休）  working-day calendar as text\n"
            "  version   显示版本                          print the version\n"
            "  help      显示本帮助                        print this help\n"
            "\n"
            "选项 Options:\n"
            "  --db PATH|URL       SQLite 文件路径或 postgres:// 连接串（默认 zugong.db）\n"
            "  --listen HOST:PORT  监听地址（默认 127.0.0.1:8080；端口 0 = 任选空闲端口）\n"
            "  --config FILE       配置文件（每行“键 = 值”）\n"
            "  --web-dir DIR       Web 界面目录（默认 web/dist）\n"
            "  --port-file FILE    启动后把实际端口写入该文件\n"
            "  --threads N, --body-max BYTES, --log-level LEVEL, --access-log true|false …\n"
            "  每个配置项也可用环境变量 ZUGONG_<配置项大写> 设置，见 README。\n",
            ZG_VERSION);
}

#define MAX_POSITIONAL 4

/* Applies --config first, then the environment, then the other flags. Arguments that are not
 * flags are collected in pos[] (a subcommand's own words, e.g. `calendar import FILE`). */
static int parse_args(int argc, char **argv, zg_config_t *cfg, const char **pos, int *npos)
{
    *npos = 0;
    zg_error_t err;
    zg_config_defaults(cfg);
    const char *config_file = NULL;
    for (int i = 2; i < argc; i++) {
        if (!strcmp(argv[i], "--config") && i + 1 < argc)
            config_file = argv[i + 1];
        else if (!strncmp(argv[i], "--config=", 9))
            config_file = argv[i] + 9;
    }
    if (config_file && zg_config_load_file(cfg, config_file, &err)) {
        fprintf(stderr, "zugong: %s（%s）\n", err.message, err.detail);
        return EXIT_USAGE;
    }
    if (zg_config_load_env(cfg, &err)) {
        fprintf(stderr, "zugong: %s（%s）\n", err.message, err.detail);
        return EXIT_USAGE;
    }
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        if (strncmp(a, "--", 2) != 0) {
            if (*npos == MAX_POSITIONAL) {
                fprintf(stderr, "zugong: 无法识别的参数 unexpected argument: %s\n", a);
                return EXIT_USAGE;
            }
            pos[(*npos)++] = a;
            continue;
        }
        char key[64];
        const char *val;
        const char *eq = strchr(a, '=');
        if (eq) {
            size_t n = (size_t)(eq - a - 2);
            if (n >= sizeof key) {
                fprintf(stderr, "zugong: 未知选项 unknown option: %s\n", a);
                return EXIT_USAGE;
            }
            memcpy(key, a + 2, n);
            key[n] = '\0';
            val = eq + 1;
        } else {
            if (strlen(a + 2) >= sizeof key || i + 1 >= argc) {
                fprintf(stderr, "zugong: 选项 %s 缺少取值 missing value\n", a);
                return EXIT_USAGE;
            }
            snprintf(key, sizeof key, "%s", a + 2);
            val = argv[++i];
        }
        if (!strcmp(key, "config"))
            continue;
        if (zg_config_set(cfg, key, val, &err)) {
            fprintf(stderr, "zugong: --%s: %s（%s）\n", key, err.message, err.detail);
            return EXIT_USAGE;
        }
    }
    int lvl = zg_log_level_parse(cfg->log_level);
    zg_log_set_level(lvl < 0 ? ZG_LOG_INFO : (zg_log_level)lvl);
    zg_log_set_access(cfg->access_log);
    return 0;
}

static int fail(const zg_error_t *err)
{
    fprintf(stderr, "zugong: %s\n  (%s)\n", err->message[0] ? err->message : "失败",
            err->detail[0] ? err->detail : zg_status_name(err->status));
    return EXIT_FAILURE;
}

static int cmd_serve(const zg_config_t *cfg)
{
    zg_error_t err;
    zg_app_t *app;
    /* Block the stop signals before any thread starts, so only sigwait below receives them. */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);

    if (zg_app_open(cfg, &app, &err))
        return fail(&err);
    /* import jobs a previous server process left queued or running are marked failed; only
     * here, not in every command that opens the database (a CLI command run next to a live
     * server must not fail that server's job) */
    int64_t recovered = 0;
    if (zg_member_io_recover(zg_db_conn(app->db, &err), &recovered, &err)) {
        zg_app_close(app);
        return fail(&err);
    }
    if (recovered)
        zg_log_warn("%lld import job(s) interrupted by the last shutdown were marked failed",
                    (long long)recovered);
    /* the statistics snapshot is built at start, so the first report answers at once */
    zg_stats_service_settings_t ss;
    zg_stats_service_defaults(&ss);
    ss.refresh_seconds = cfg->stats_refresh_seconds;
    ss.poll_ms = cfg->stats_poll_ms;
    if (zg_stats_service_start(app->db, &ss, &err)) {
        zg_app_close(app);
        return fail(&err);
    }
    zg_server_t *srv;
    if (zg_server_start(app, &srv, &err)) {
        zg_app_close(app);
        return fail(&err);
    }
    int port = zg_server_port(srv);
    if (cfg->port_file[0]) {
        FILE *f = fopen(cfg->port_file, "w");
        if (f) {
            fprintf(f, "%d\n", port);
            fclose(f);
        } else {
            zg_log_warn("cannot write port file %s", cfg->port_file);
        }
    }
    char host[256];
    snprintf(host, sizeof host, "%s", cfg->listen);
    char *colon = strrchr(host, ':');
    if (colon)
        *colon = '\0';
    if (!host[0] || !strcmp(host, "0.0.0.0"))
        snprintf(host, sizeof host, "127.0.0.1");
    printf("zugong %s 已启动：http://%s:%d/  （数据库：%s，%d 个工作线程；Ctrl+C 停止）\n",
           ZG_VERSION, host, port, zg_db_display_url(app->db), cfg->threads);
    fflush(stdout);
    zg_log_info("listening on %s port %d", cfg->listen, port);

    int sig;
    const struct timespec tick = {.tv_sec = 1};
    while ((sig = sigtimedwait(&set, NULL, &tick)) < 0)
        zg_log_flush(); /* buffered access-log lines appear within about a second */
    zg_log_info("received %s, shutting down (grace %d s)", sig == SIGTERM ? "SIGTERM" : "SIGINT",
                cfg->shutdown_grace);
    zg_server_stop(srv, cfg->shutdown_grace);
    zg_app_close(app);
    zg_log_info("shutdown complete");
    return EXIT_SUCCESS;
}

static int cmd_init(const zg_config_t *cfg, int with_demo)
{
    zg_error_t err;
    zg_app_t *app;
    if (zg_app_open(cfg, &app, &err))
        return fail(&err);
    int version = 0;
    if (zg_db_schema_version(app->db, &version, &err)) {
        zg_app_close(app);
        return fail(&err);
    }
    printf("数据库已就绪：%s（结构版本 %d）\n", zg_db_display_url(app->db), version);
    /* the first system administrator (before any demo account, since it is made only in a
     * database without accounts): ZUGONG_ADMIN_PASSWORD, or a one-time password */
    char otp[64] = "";
    bool created = false;
    int rc = zg_account_bootstrap(app->db, getenv("ZUGONG_ADMIN_PASSWORD"), otp, sizeof otp,
                                  &created, &err);
    if (rc == ZG_OK && with_demo) {
        zg_demo_report_t rep;
        rc = zg_demo_load(app, &rep, &err);
        if (rc == ZG_OK)
            printf("演示数据已载入：%s\n", rep.summary);
    } else if (rc == ZG_OK) {
        int64_t root;
        rc = zg_org_bootstrap_root(app->db, cfg->root_org_name, &root, &err);
    }
    zg_app_close(app);
    if (rc)
        return fail(&err);
    if (created && otp[0])
        printf("已创建系统管理员 admin，一次性密码：%s\n（首次登录后必须修改密码；"
               "请妥善保管，本密码不会再次显示）\n",
               otp);
    else if (created)
        printf("已创建系统管理员 admin（密码取自环境变量 ZUGONG_ADMIN_PASSWORD）\n");
    return EXIT_SUCCESS;
}

static int cmd_migrate(const zg_config_t *cfg)
{
    zg_error_t err;
    zg_db_t *db;
    if (zg_db_open(cfg->db, &db, &err))
        return fail(&err);
    int applied = 0, version = 0;
    if (zg_db_migrate(db, &applied, &err) || zg_db_schema_version(db, &version, &err)) {
        zg_db_close(db);
        return fail(&err);
    }
    printf("已执行 %d 个迁移，当前结构版本 %d（%s）\n", applied, version, zg_db_display_url(db));
    zg_db_close(db);
    return EXIT_SUCCESS;
}

/* zugong stats …: the report from a snapshot of the (migrated) database; stats_cli.c. */
static int cmd_stats(const zg_config_t *cfg, const zg_stats_cli_args_t *args)
{
    zg_error_t err;
    zg_db_t *db;
    if (zg_db_open(cfg->db, &db, &err))
        return fail(&err);
    if (zg_db_migrate(db, NULL, &err)) {
        zg_db_close(db);
        return fail(&err);
    }
    int rc = zg_stats_cli(db, args, stdout, stderr);
    zg_db_close(db);
    return rc;
}

/* zugong calendar export [YEAR] | import FILE — the working-day calendar as editable text
 * ("YYYY-MM-DD holiday|workday 名称" per line; see core/calendar.h). */
static int cmd_calendar(const zg_config_t *cfg, const char **pos, int npos)
{
    int is_export = npos >= 1 && !strcmp(pos[0], "export") && npos <= 2;
    int is_import = npos == 2 && !strcmp(pos[0], "import");
    if (!is_export && !is_import) {
        fprintf(stderr,
                "用法 usage: zugong calendar export [年份] | zugong calendar import 文件\n");
        return EXIT_USAGE;
    }
    int year = 0;
    if (is_export && npos == 2) {
        char *end;
        long y = strtol(pos[1], &end, 10);
        if (*end || y < 1900 || y > 2100) {
            fprintf(stderr, "zugong: 年份应为 1900 到 2100 之间的数字：%s\n", pos[1]);
            return EXIT_USAGE;
        }
        year = (int)y;
    }
    zg_error_t err;
    zg_app_t *app;
    if (is_export && !strcmp(cfg->log_level, "info"))
        zg_log_set_level(ZG_LOG_WARN); /* stdout is data: keep start-up notes off the terminal */
    if (zg_app_open(cfg, &app, &err))
        return fail(&err);
    zg_conn_t *c = zg_db_conn(app->db, &err);
    int rc = c ? ZG_OK : ZG_ERR_DB;
    if (rc == ZG_OK && is_export) {
        zg_strbuf_t sb;
        zg_strbuf_init(&sb, NULL, ZG_CALENDAR_TEXT_MAX);
        rc = zg_workday_export(c, year, &sb, &err);
        if (rc == ZG_OK)
            fwrite(zg_strbuf_cstr(&sb), 1, sb.len, stdout);
        zg_strbuf_free(&sb);
    } else if (rc == ZG_OK) {
        zg_strbuf_t text;
        zg_strbuf_init(&text, NULL, ZG_CALENDAR_TEXT_MAX);
        FILE *f = fopen(pos[1], "rb");
        if (!f) {
            rc =
                zg_error_set(&err, ZG_ERR_IO, "open", "无法打开日历文件", "cannot open %s", pos[1]);
        } else {
            char buf[8192];
            size_t n;
            while (rc == ZG_OK && (n = fread(buf, 1, sizeof buf, f)) > 0)
                if (zg_strbuf_append(&text, buf, n))
                    rc = zg_error_set(&err, ZG_ERR_TOO_LARGE, "too_large",
                                      "日历文件过大（最大 1 MiB）", "%s too large", pos[1]);
            fclose(f);
        }
        zg_calendar_t *cal = NULL;
        if (rc == ZG_OK && zg_calendar_new_empty(&cal))
            rc = zg_error_set(&err, ZG_ERR_NOMEM, "no_memory", "内存不足", "calendar");
        if (rc == ZG_OK)
            rc = zg_calendar_load_text(cal, zg_strbuf_cstr(&text), text.len, &err);
        int count = 0;
        if (rc == ZG_OK)
            rc = zg_workday_import(c, cal, &count, &err);
        if (rc == ZG_OK)
            printf("已导入 %d 天的节假日/调休安排\n", count);
        zg_calendar_free(cal);
        zg_strbuf_free(&text);
    }
    zg_app_close(app);
    return rc ? fail(&err) : EXIT_SUCCESS;
}

/* zugong audit-verify | audit-prune DAYS — check the audit log's SM3 chain (exit 0 intact,
 * 1 broken, naming the first bad entry) or drop entries older than DAYS (≥ 180). */
static int cmd_audit(const zg_config_t *cfg, const char *days, int prune)
{
    zg_error_t err;
    zg_db_t *db;
    if (zg_db_open(cfg->db, &db, &err))
        return fail(&err);
    if (zg_db_migrate(db, NULL, &err)) {
        zg_db_close(db);
        return fail(&err);
    }
    int rc = prune ? zg_audit_cli_prune(db, days, stdout) : zg_audit_cli_verify(db, stdout);
    zg_db_close(db);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return EXIT_USAGE;
    }
    const char *cmd = argv[1];
    if (!strcmp(cmd, "help") || !strcmp(cmd, "--help") || !strcmp(cmd, "-h")) {
        usage(stdout);
        return EXIT_SUCCESS;
    }
    if (!strcmp(cmd, "version") || !strcmp(cmd, "--version")) {
        printf("zugong %s\n", ZG_VERSION);
        return EXIT_SUCCESS;
    }
    zg_config_t cfg;
    const char *pos[MAX_POSITIONAL];
    int npos, rc;
    zg_stats_cli_args_t stats_args;
    int stats = !strcmp(cmd, "stats");
    if (stats && (rc = zg_stats_cli_parse(&argc, argv, &stats_args, stderr)))
        return rc;
    rc = parse_args(argc, argv, &cfg, pos, &npos);
    if (rc)
        return rc;
    if (!strcmp(cmd, "calendar"))
        return cmd_calendar(&cfg, pos, npos);
    if (!strcmp(cmd, "audit-prune"))
        return cmd_audit(&cfg, npos ? pos[0] : NULL, 1);
    if (npos) {
        fprintf(stderr, "zugong: 无法识别的参数 unexpected argument: %s\n", pos[0]);
        return EXIT_USAGE;
    }
    if (!strcmp(cmd, "serve"))
        return cmd_serve(&cfg);
    if (!strcmp(cmd, "init"))
        return cmd_init(&cfg, 0);
    if (!strcmp(cmd, "demo"))
        return cmd_init(&cfg, 1);
    if (!strcmp(cmd, "migrate"))
        return cmd_migrate(&cfg);
    if (stats)
        return cmd_stats(&cfg, &stats_args);
    if (!strcmp(cmd, "audit-verify"))
        return cmd_audit(&cfg, NULL, 0);
    fprintf(stderr, "zugong: 未知命令 unknown command: %s（运行 zugong help 查看用法）\n", cmd);
    return EXIT_USAGE;
}
