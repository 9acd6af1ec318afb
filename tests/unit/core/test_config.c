/* test_config.c — settings from text, file, environment; bounds on both sides. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/config.h"

static void test_defaults(void **state)
{
    (void)state;
    zg_config_t c;
    zg_config_defaults(&c);
    assert_string_equal(c.listen, "127.0.0.1:8080");
    assert_int_equal(c.body_max, 1 << 20);
    assert_true(c.threads >= 2);
    assert_true(c.access_log);
}

static void test_set_bounds(void **state)
{
    (void)state;
    zg_config_t c;
    zg_error_t e;
    zg_config_defaults(&c);
    assert_int_equal(zg_config_set(&c, "threads", "256", &e), 0);
    assert_int_equal(c.threads, 256);
    assert_int_equal(zg_config_set(&c, "threads", "257", &e), ZG_ERR_INVALID);
    assert_int_equal(zg_config_set(&c, "threads", "0", &e), ZG_ERR_INVALID);
    assert_int_equal(zg_config_set(&c, "threads", "1", &e), 0);
    assert_int_equal(c.threads, 1);
    assert_int_equal(zg_config_set(&c, "threads", "2x", &e), ZG_ERR_INVALID);
    assert_int_equal(c.threads, 1);
    assert_int_equal(zg_config_set(&c, "body-max", "2M", &e), 0);
    assert_int_equal(c.body_max, 2 << 20);
    assert_int_equal(zg_config_set(&c, "body_max", "1023", &e), ZG_ERR_INVALID);
    assert_int_equal(zg_config_set(&c, "body_max", "1024", &e), 0);
    assert_int_equal(zg_config_set(&c, "access_log", "false", &e), 0);
    assert_false(c.access_log);
    assert_int_equal(zg_config_set(&c, "access_log", "maybe", &e), ZG_ERR_INVALID);
    assert_int_equal(zg_config_set(&c, "log_level", "verbose", &e), ZG_ERR_INVALID);
    assert_int_equal(zg_config_set(&c, "no_such", "1", &e), ZG_ERR_INVALID);
    assert_string_equal(e.code, "config_unknown_key");
    char longv[2000];
    memset(longv, 'a', sizeof longv - 1);
    longv[sizeof longv - 1] = '\0';
    assert_int_equal(zg_config_set(&c, "db", longv, &e), ZG_ERR_INVALID);
    longv[ZG_CONFIG_STR_MAX - 1] = '\0'; /* exactly the longest accepted */
    assert_int_equal(zg_config_set(&c, "db", longv, &e), 0);
}

static void test_file_and_env(void **state)
{
    (void)state;
    char path[] = "/tmp/zgcfg-XXXXXX";
    int fd = mkstemp(path);
    FILE *f = fdopen(fd, "w");
    fprintf(f, "# comment\n\nlisten = 0.0.0.0:9000\ndb = \"/var/lib/zugong/z.db\"\n"
               "threads=8\n");
    fclose(f);
    zg_config_t c;
    zg_error_t e;
    zg_config_defaults(&c);
    assert_int_equal(zg_config_load_file(&c, path, &e), 0);
    assert_string_equal(c.listen, "0.0.0.0:9000");
    assert_string_equal(c.db, "/var/lib/zugong/z.db");
    assert_int_equal(c.threads, 8);

    /* a bad line: nothing applied, line number reported */
    f = fopen(path, "w");
    fprintf(f, "threads = 4\nbogus line\n");
    fclose(f);
    assert_int_equal(zg_config_load_file(&c, path, &e), ZG_ERR_INVALID);
    assert_int_equal(c.threads, 8);
    assert_non_null(strstr(e.detail, ":2:"));
    unlink(path);
    assert_int_equal(zg_config_load_file(&c, path, &e), ZG_ERR_IO);

    setenv("ZUGONG_THREADS", "3", 1);
    setenv("ZUGONG_LISTEN", "127.0.0.1:0", 1);
    assert_int_equal(zg_config_load_env(&c, &e), 0);
    assert_int_equal(c.threads, 3);
    assert_string_equal(c.listen, "127.0.0.1:0");
    setenv("ZUGONG_THREADS", "-1", 1);
    assert_int_equal(zg_config_load_env(&c, &e), ZG_ERR_INVALID);
    assert_non_null(strstr(e.detail, "ZUGONG_THREADS"));
    unsetenv("ZUGONG_THREADS");
    unsetenv("ZUGONG_LISTEN");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_set_bounds),
        cmocka_unit_test(test_file_and_env),
    };
    return cmocka_run_group_tests_name("config", tests, NULL, NULL);
}
