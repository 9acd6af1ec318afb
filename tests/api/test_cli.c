/* test_cli.c — the `zugong` binary as a user runs it: exit codes and messages of the
 * subcommands, `serve` on an ephemeral port, and graceful shutdown on SIGTERM with a request
 * in flight (it must be answered in full before the process exits 0). Runs per backend. */
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "db/db.h"
#include "testdb.h"
#include "testsrv.h"

static char db_url[1024];

/* Runs the binary with args, captures stdout+stderr into out; returns the exit status. */
static int run(char *out, size_t cap, const char *const *args)
{
    int pfd[2];
    assert_int_equal(pipe(pfd), 0);
    pid_t pid = fork();
    if (pid == 0) {
        dup2(pfd[1], 1);
        dup2(pfd[1], 2);
        close(pfd[0]);
        char *argv[32];
        int n = 0;
        argv[n++] = (char *)ZG_TEST_BINARY;
        for (const char *const *a = args; *a && n < 31; a++)
            argv[n++] = (char *)*a;
        argv[n] = NULL;
        execv(ZG_TEST_BINARY, argv);
        _exit(127);
    }
    close(pfd[1]);
    size_t len = 0;
    ssize_t k;
    while (len + 1 < cap && (k = read(pfd[0], out + len, cap - 1 - len)) > 0)
        len += (size_t)k;
    out[len] = '\0';
    close(pfd[0]);
    int st;
    waitpid(pid, &st, 0);
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static void test_version_and_help(void **state)
{
    (void)state;
    char out[8192];
    assert_int_equal(run(out, sizeof out, (const char *const[]){"version", NULL}), 0);
    assert_non_null(strstr(out, "zugong " ZG_VERSION));
    assert_int_equal(run(out, sizeof out, (const char *const[]){"help", NULL}), 0);
    assert_non_null(strstr(out, "serve"));
    assert_non_null(strstr(out, "启动服务"));
    assert_int_equal(run(out, sizeof out, (const char *const[]){NULL}), 2);
}

static void test_usage_errors(void **state)
{
    (void)state;
    char out[8192];
    assert_int_equal(run(out, sizeof out, (const char *const[]){"frobnicate", NULL}), 2);
    assert_non_null(strstr(out, "未知命令"));
    assert_int_equal(run(out, sizeof out, (const char *const[]){"serve", "--no-such", "1", NULL}),
                     2);
    assert_non_null(strstr(out, "未知的配置项"));
    assert_int_equal(run(out, sizeof out, (const char *const[]){"serve", "--threads", "0", NULL}),
                     2);
    assert_int_equal(run(out, sizeof out, (const char *const[]){"serve", "--db", NULL}), 2);
    assert_int_equal(
        run(out, sizeof out,
            (const char *const[]){"serve", "--listen", "nonsense", "--db", db_url, NULL}),
        1);
    assert_non_null(strstr(out, "监听地址格式错误"));
}

static void test_init_migrate_demo(void **state)
{
    (void)state;
    char out[8192];
    assert_int_equal(run(out, sizeof out, (const char *const[]){"init", "--db", db_url, NULL}), 0);
    assert_non_null(strstr(out, "数据库已就绪"));
    assert_int_equal(run(out, sizeof out, (const char *const[]){"migrate", "--db", db_url, NULL}),
                     0);
    assert_non_null(strstr(out, "已执行 0 个迁移")); /* init already applied them */
    assert_int_equal(run(out, sizeof out, (const char *const[]){"demo", "--db", db_url, NULL}), 0);
    assert_non_null(strstr(out, "演示数据已载入"));
    /* a database that cannot be opened: runtime failure, exit 1, Chinese message */
    assert_int_equal(run(out, sizeof out,
                         (const char *const[]){"init", "--db", "/nonexistent-dir/x/z.db", NULL}),
                     1);
}

/* `zugong stats` on the demo database: text, JSON, XLSX to a file; usage and runtime errors. */
static void test_stats_command(void **state)
{
    (void)state;
    static char out[65536];
    assert_int_equal(run(out, sizeof out, (const char *const[]){"demo", "--db", db_url, NULL}), 0);
    assert_int_equal(run(out, sizeof out, (const char *const[]){"stats", "--db", db_url, NULL}), 0);
    assert_non_null(strstr(out, "党员队伍基本情况统计表"));
    assert_non_null(strstr(out, "下级党组织"));
    assert_int_equal(run(out, sizeof out,
                         (const char *const[]){"stats", "--db", db_url, "--format", "json",
                                               "--as-of", "2020-06-30", NULL}),
                     0);
    assert_non_null(strstr(out, "\"as_of\":\"2020-06-30\""));
    assert_non_null(strstr(out, "\"children\""));
    char xlsx[] = "/tmp/zg-cli-stats-XXXXXX";
    int fd = mkstemp(xlsx);
    assert_true(fd >= 0);
    close(fd);
    assert_int_equal(
        run(out, sizeof out,
            (const char *const[]){"stats", "--db", db_url, "--format=xlsx", "--out", xlsx, NULL}),
        0);
    FILE *f = fopen(xlsx, "rb");
    assert_non_null(f);
    char magic[2] = {0};
    assert_int_equal(fread(magic, 1, 2, f), 2);
    fclose(f);
    unlink(xlsx);
    assert_memory_equal(magic, "PK", 2);
    /* usage errors: exit 2, nothing run */
    assert_int_equal(run(out, sizeof out,
                         (const char *const[]){"stats", "--db", db_url, "--format", "pdf", NULL}),
                     2);
    assert_non_null(strstr(out, "输出格式应为"));
    assert_int_equal(
        run(out, sizeof out,
            (const char *const[]){"stats", "--db", db_url, "--as-of", "2026-02-30", NULL}),
        2);
    /* an org that does not exist: runtime failure with a Chinese message */
    assert_int_equal(run(out, sizeof out,
                         (const char *const[]){"stats", "--db", db_url, "--org", "99999999", NULL}),
                     1);
    assert_non_null(strstr(out, "组织不存在"));
}

static void write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

/* The calendar as editable text: import merges, export reads back, a bad file changes nothing. */
static void test_calendar_import_export(void **state)
{
    (void)state;
    char out[16384];
    assert_int_equal(run(out, sizeof out,
                         (const char *const[]){"calendar", "export", "2026", "--db", db_url, NULL}),
                     0);
    assert_non_null(strstr(out, "2026-10-01 holiday"));
    assert_non_null(strstr(out, "2026-10-10 workday"));
    assert_null(strstr(out, "2025-"));

    char path[] = "/tmp/zgcal-XXXXXX";
    int fd = mkstemp(path);
    close(fd);
    write_text(path, "# 2027 (test data)\n2027-01-01 holiday 元旦\n2027-02-06 workday 调休上班\n");
    assert_int_equal(run(out, sizeof out,
                         (const char *const[]){"calendar", "import", path, "--db", db_url, NULL}),
                     0);
    assert_non_null(strstr(out, "已导入 2 天"));
    assert_int_equal(run(out, sizeof out,
                         (const char *const[]){"calendar", "export", "2027", "--db", db_url, NULL}),
                     0);
    assert_string_equal(out, "2027-01-01 holiday 元旦\n2027-02-06 workday 调休上班\n");

    /* one good line and one bad: nothing is imported, the bad line is named */
    write_text(path, "2027-05-01 holiday 劳动节\n2027-02-30 holiday 错误\n");
    assert_int_equal(run(out, sizeof out,
                         (const char *const[]){"calendar", "import", path, "--db", db_url, NULL}),
                     1);
    assert_non_null(strstr(out, "第2行"));
    assert_int_equal(run(out, sizeof out,
                         (const char *const[]){"calendar", "export", "2027", "--db", db_url, NULL}),
                     0);
    assert_null(strstr(out, "2027-05-01"));
    unlink(path);
    assert_int_equal(run(out, sizeof out, (const char *const[]){"calendar", "--db", db_url, NULL}),
                     2);
    assert_int_equal(run(out, sizeof out,
                         (const char *const[]){"calendar", "export", "99", "--db", db_url, NULL}),
                     2);
}

/* zugong audit-verify: an untouched log verifies; one changed byte in an entry, or a deleted
 * entry, makes it fail (exit 1) and name the entry. */
static void test_audit_verify_cli(void **state)
{
    (void)state;
    char out[8192];
    assert_int_equal(run(out, sizeof out, (const char *const[]){"demo", "--db", db_url, NULL}), 0);
    assert_int_equal(
        run(out, sizeof out, (const char *const[]){"audit-verify", "--db", db_url, NULL}), 0);
    assert_non_null(strstr(out, "哈希链校验通过"));

    zg_db_t *db;
    zg_error_t err;
    assert_int_equal(zg_db_open(db_url, &db, &err), 0);
    zg_conn_t *c = zg_db_conn(db, &err);
    int64_t n = 0;
    assert_int_equal(zg_db_query_int(c, "SELECT count(*) FROM audit_log", NULL, 0, &n, &err), 0);
    assert_true(n > 20);
    /* change one byte of entry 7's action text: 'org.create' → 'org.creatf' */
    char *before = NULL;
    zg_rows_t *rows;
    assert_int_equal(
        zg_db_query(c, "SELECT action FROM audit_log WHERE id = 7", NULL, 0, &rows, &err), 0);
    assert_int_equal(zg_rows_next(rows, &err), 1);
    before = strdup(zg_rows_text(rows, 0));
    zg_rows_close(rows);
    char changed[128];
    snprintf(changed, sizeof changed, "%s", before);
    changed[strlen(changed) - 1] ^= 1;
    zg_param_t p[] = {ZG_P_TEXT(changed)};
    assert_int_equal(
        zg_db_exec(c, "UPDATE audit_log SET action = $1 WHERE id = 7", p, 1, NULL, &err), 0);
    assert_int_equal(
        run(out, sizeof out, (const char *const[]){"audit-verify", "--db", db_url, NULL}), 1);
    assert_non_null(strstr(out, "id=7"));
    /* restore: verifies again */
    zg_param_t q[] = {ZG_P_TEXT(before)};
    assert_int_equal(
        zg_db_exec(c, "UPDATE audit_log SET action = $1 WHERE id = 7", q, 1, NULL, &err), 0);
    assert_int_equal(
        run(out, sizeof out, (const char *const[]){"audit-verify", "--db", db_url, NULL}), 0);
    /* delete entry 12: the entry after the gap is named */
    assert_int_equal(zg_db_exec(c, "DELETE FROM audit_log WHERE id = 12", NULL, 0, NULL, &err), 0);
    assert_int_equal(
        run(out, sizeof out, (const char *const[]){"audit-verify", "--db", db_url, NULL}), 1);
    assert_non_null(strstr(out, "id=13"));
    free(before);
    zg_db_close(db);
}

/* serve → request in flight → SIGTERM → the request completes → exit 0 → port closed. */
static void test_serve_graceful_shutdown(void **state)
{
    (void)state;
    char dir[] = "/tmp/zgcli-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char portfile[256], logfile[256];
    snprintf(portfile, sizeof portfile, "%s/port", dir);
    snprintf(logfile, sizeof logfile, "%s/log", dir);
    pid_t pid = fork();
    if (pid == 0) {
        int fd = open(logfile, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        dup2(fd, 1);
        dup2(fd, 2);
        execl(ZG_TEST_BINARY, ZG_TEST_BINARY, "serve", "--db", db_url, "--listen", "127.0.0.1:0",
              "--port-file", portfile, "--threads", "2", (char *)NULL);
        _exit(127);
    }
    int port = 0;
    for (int i = 0; i < 200 && port == 0; i++) {
        FILE *f = fopen(portfile, "r");
        if (f) {
            if (fscanf(f, "%d", &port) != 1)
                port = 0;
            fclose(f);
        }
        if (!port)
            usleep(50000);
    }
    assert_true(port > 0);
    zg_http_resp_t r;
    assert_int_equal(zg_http_get(port, "/healthz", &r), 0);
    assert_int_equal(r.status, 200);
    zg_http_resp_free(&r);

    /* a POST whose body arrives in two parts, with SIGTERM between them */
    const char *body = "{\"start\":\"2026-09-28\",\"working_days\":5}";
    char head[256];
    snprintf(head, sizeof head,
             "POST /api/v1/calendar/deadline HTTP/1.1\r\nHost: x\r\nContent-Type: "
             "application/json\r\nContent-Length: %zu\r\n\r\n",
             strlen(body));
    int fd = zg_test_connect(port);
    assert_true(fd >= 0);
    assert_true(send(fd, head, strlen(head), 0) > 0);
    assert_true(send(fd, body, 10, 0) == 10);
    usleep(200000);
    assert_int_equal(kill(pid, SIGTERM), 0);
    /* the server soon stops accepting new connections (poll: the machine may be loaded)... */
    int fd2 = 0;
    for (int i = 0; i < 100 && fd2 >= 0; i++) {
        usleep(50000);
        fd2 = zg_test_connect(port);
        if (fd2 >= 0)
            close(fd2);
    }
    assert_true(fd2 < 0);
    /* ...but finishes the request in flight */
    assert_true(send(fd, body + 10, strlen(body) - 10, 0) > 0);
    char resp[4096];
    size_t len = 0;
    ssize_t k;
    while (len + 1 < sizeof resp && (k = recv(fd, resp + len, sizeof resp - 1 - len, 0)) > 0) {
        len += (size_t)k;
        resp[len] = '\0';
        if (strstr(resp, "\"end\":\"2026-10-09\""))
            break;
    }
    resp[len] = '\0';
    close(fd);
    assert_int_equal(strncmp(resp, "HTTP/1.1 200", 12), 0);
    assert_non_null(strstr(resp, "\"end\":\"2026-10-09\""));
    int st;
    assert_int_equal(waitpid(pid, &st, 0), pid);
    assert_true(WIFEXITED(st));
    assert_int_equal(WEXITSTATUS(st), 0);
    char log[8192];
    FILE *lf = fopen(logfile, "r");
    size_t n = fread(log, 1, sizeof log - 1, lf);
    log[n] = '\0';
    fclose(lf);
    assert_non_null(strstr(log, "已启动"));
    assert_non_null(strstr(log, "SIGTERM"));
    assert_non_null(strstr(log, "shutdown complete"));
    assert_non_null(strstr(log, "ACCESS 127.0.0.1 POST /api/v1/calendar/deadline 200"));
    unlink(portfile);
    unlink(logfile);
    rmdir(dir);
}

int main(void)
{
    if (!strcmp(zg_test_backend(), "postgres") && !getenv("ZG_TEST_PG_URL")) {
        printf("[  SKIPPED ] postgres backend: ZG_TEST_PG_URL is not set\n");
        return 0;
    }
    if (zg_testdb_url(zg_test_backend(), db_url, sizeof db_url) != 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_version_and_help),
        cmocka_unit_test(test_usage_errors),
        cmocka_unit_test(test_init_migrate_demo),
        cmocka_unit_test(test_calendar_import_export),
        cmocka_unit_test(test_serve_graceful_shutdown),
        cmocka_unit_test(test_audit_verify_cli),
        cmocka_unit_test(test_stats_command),
    };
    int rc = cmocka_run_group_tests_name(zg_test_backend(), tests, NULL, NULL);
    zg_testdb_cleanup();
    return rc;
}
