/* config.c — one table of settings drives the file, environment and flag parsers, so a new
 * setting is added in one place. */
#include "core/config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef enum { T_STR, T_INT, T_BOOL, T_LEVEL } ftype;

typedef struct {
    const char *key;
    ftype type;
    size_t off;
    size_t size; /* string capacity */
    int64_t min, max;
} setting_t;

#define S(k, n)                                                                                    \
    {                                                                                              \
#k, T_STR, offsetof(zg_config_t, k), sizeof(((zg_config_t *)0)->k), 0, 0                   \
    }
#define I(k, lo, hi)                                                                               \
    {                                                                                              \
#k, T_INT, offsetof(zg_config_t, k), sizeof(((zg_config_t *)0)->k), lo, hi                 \
    }

static const setting_t settings[] = {
    S(listen, 0),
    S(db, 0),
    S(web_dir, 0),
    S(key_file, 0),
    S(port_file, 0),
    {"log_level", T_LEVEL, offsetof(zg_config_t, log_level), sizeof(((zg_config_t *)0)->log_level),
     0, 0},
    {"access_log", T_BOOL, offsetof(zg_config_t, access_log), sizeof(bool), 0, 1},
    I(threads, 1, 256),
    I(body_max, 1024, (int64_t)1 << 30),
    I(upload_max, 1024, (int64_t)4 << 30),
    I(request_memory_max, 1 << 20, (int64_t)8 << 30),
    I(header_max, 4096, 1 << 20),
    I(conn_timeout, 1, 3600),
    I(conn_max, 1, 100000),
    I(conn_per_ip, 1, 100000),
    I(shutdown_grace, 0, 3600),
    I(session_idle_minutes, 1, 24 * 60),
    I(session_cache_ms, 0, 60000),
    I(session_absolute_hours, 1, 24 * 30),
    I(lockout_threshold, 1, 100),
    I(lockout_minutes, 1, 24 * 60),
    I(password_expiry_days, 0, 3650),
    {"cookie_secure", T_BOOL, offsetof(zg_config_t, cookie_secure), sizeof(bool), 0, 1},
    I(argon2_ops, 1, 20),
    I(argon2_mem_kib, 8, 4 * 1024 * 1024),
    S(root_org_name, 0),
    I(stats_refresh_seconds, 0, 86400),
    I(stats_poll_ms, 0, 60000),
    {"member_list_index", T_BOOL, offsetof(zg_config_t, member_list_index), sizeof(bool), 0, 1},
    I(transfer_pending_warn_days, 1, 365),
    S(transfer_letter_prefix, 0),
};
#define NSETTINGS (sizeof settings / sizeof settings[0])

void zg_config_defaults(zg_config_t *c)
{
    memset(c, 0, sizeof *c);
    snprintf(c->listen, sizeof c->listen, "127.0.0.1:8080");
    snprintf(c->db, sizeof c->db, "zugong.db");
    snprintf(c->web_dir, sizeof c->web_dir, "web/dist");
    snprintf(c->log_level, sizeof c->log_level, "info");
    c->access_log = true;
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    c->threads = cpus > 0 ? (int)(cpus * 2 > 256 ? 256 : cpus * 2) : 4;
    if (c->threads < 2)
        c->threads = 2;
    c->body_max = 1 << 20;
    c->upload_max = (int64_t)64 << 20;
    c->request_memory_max = (int64_t)64 << 20;
    c->header_max = 8 << 10;
    c->conn_timeout = 30;
    c->conn_max = 1024;
    c->conn_per_ip = 256;
    c->shutdown_grace = 10;
    c->session_idle_minutes = 30;
    c->session_cache_ms = 1000;
    c->session_absolute_hours = 12;
    c->lockout_threshold = 5;
    c->lockout_minutes = 15;
    c->password_expiry_days = 90;
    c->cookie_secure = false;
    c->argon2_ops = 3;
    c->argon2_mem_kib = 65536;
    snprintf(c->root_org_name, sizeof c->root_org_name, "本级党组织（请修改名称）");
    c->stats_refresh_seconds = 60;
    c->stats_poll_ms = 500;
    c->member_list_index = true;
    c->transfer_pending_warn_days = 30;
    snprintf(c->transfer_letter_prefix, sizeof c->transfer_letter_prefix, "组转");
}

/* Normalizes a key (lower case, '-' → '_') into buf; false if too long or bad characters. */
static bool norm_key(const char *key, char *buf, size_t cap)
{
    size_t n = strlen(key);
    if (n == 0 || n >= cap)
        return false;
    for (size_t i = 0; i <= n; i++) {
        char ch = key[i];
        if (ch == '-')
            ch = '_';
        if (ch && !isalnum((unsigned char)ch) && ch != '_')
            return false;
        buf[i] = (char)tolower((unsigned char)ch);
    }
    return true;
}

static const setting_t *find(const char *key)
{
    char k[64];
    if (!norm_key(key, k, sizeof k))
        return NULL;
    for (size_t i = 0; i < NSETTINGS; i++)
        if (strcmp(settings[i].key, k) == 0)
            return &settings[i];
    return NULL;
}

bool zg_config_known(const char *key)
{
    return find(key) != NULL;
}

/* Parses a size with an optional K/M/G suffix (binary units). */
static bool parse_int(const char *v, int64_t *out)
{
    errno = 0;
    char *end;
    long long n = strtoll(v, &end, 10);
    if (errno || end == v || n < 0)
        return false;
    int64_t mul = 1;
    if (*end == 'K' || *end == 'k')
        mul = 1024, end++;
    else if (*end == 'M' || *end == 'm')
        mul = 1024 * 1024, end++;
    else if (*end == 'G' || *end == 'g')
        mul = 1024 * 1024 * 1024, end++;
    if (*end)
        return false;
    if (n > INT64_MAX / mul)
        return false;
    *out = n * mul;
    return true;
}

int zg_config_set(zg_config_t *c, const char *key, const char *value, zg_error_t *err)
{
    const setting_t *s = find(key);
    if (!s)
        return zg_error_set(err, ZG_ERR_INVALID, "config_unknown_key", "未知的配置项",
                            "unknown setting '%.64s'", key);
    char *field = (char *)c + s->off;
    switch (s->type) {
    case T_STR:
    case T_LEVEL:
        if (strlen(value) >= s->size)
            return zg_error_set(err, ZG_ERR_INVALID, "config_too_long", "配置项的值过长",
                                "value of '%s' is longer than %zu bytes", s->key, s->size - 1);
        if (s->type == T_LEVEL && strcmp(value, "debug") && strcmp(value, "info") &&
            strcmp(value, "warn") && strcmp(value, "error") && strcmp(value, "off"))
            return zg_error_set(err, ZG_ERR_INVALID, "config_bad_value",
                                "日志级别应为 debug、info、warn、error 或 off",
                                "bad log_level '%.32s'", value);
        memcpy(field, value, strlen(value) + 1);
        return ZG_OK;
    case T_BOOL:
        if (!strcmp(value, "1") || !strcmp(value, "true") || !strcmp(value, "on") ||
            !strcmp(value, "yes"))
            *(bool *)field = true;
        else if (!strcmp(value, "0") || !strcmp(value, "false") || !strcmp(value, "off") ||
                 !strcmp(value, "no"))
            *(bool *)field = false;
        else
            return zg_error_set(err, ZG_ERR_INVALID, "config_bad_value", "配置项应为 true 或 false",
                                "bad boolean for '%s': '%.32s'", s->key, value);
        return ZG_OK;
    case T_INT: {
        int64_t n;
        if (!parse_int(value, &n) || n < s->min || n > s->max)
            return zg_error_set(err, ZG_ERR_INVALID, "config_bad_value",
                                "配置项的数值无效或超出范围",
                                "'%s' must be an integer in [%lld, %lld], got '%.32s'", s->key,
                                (long long)s->min, (long long)s->max, value);
        if (s->size == sizeof(int))
            *(int *)field = (int)n;
        else
            *(int64_t *)field = n;
        return ZG_OK;
    }
    }
    return ZG_ERR_INTERNAL;
}

static char *trim(char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    char *e = s + strlen(s);
    while (e > s && isspace((unsigned char)e[-1]))
        *--e = '\0';
    return s;
}

int zg_config_load_file(zg_config_t *c, const char *path, zg_error_t *err)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return zg_error_set(err, ZG_ERR_IO, "config_open", "无法打开配置文件",
                            "cannot open config file %s: %s", path, strerror(errno));
    char line[ZG_CONFIG_STR_MAX + 128];
    int lineno = 0, rc = ZG_OK;
    zg_config_t tmp = *c; /* all or nothing */
    while (fgets(line, sizeof line, f)) {
        lineno++;
        if (!strchr(line, '\n') && !feof(f)) {
            rc = zg_error_set(err, ZG_ERR_INVALID, "config_line_too_long", "配置文件中有过长的行",
                              "%s:%d: line too long", path, lineno);
            break;
        }
        char *s = trim(line);
        if (*s == '\0' || *s == '#')
            continue;
        char *eq = strchr(s, '=');
        if (!eq) {
            rc = zg_error_set(err, ZG_ERR_INVALID, "config_syntax",
                              "配置文件格式错误：每行应为“键 = 值”", "%s:%d: expected key = value",
                              path, lineno);
            break;
        }
        *eq = '\0';
        char *key = trim(s), *val = trim(eq + 1);
        size_t vl = strlen(val);
        if (vl >= 2 && val[0] == '"' && val[vl - 1] == '"') {
            val[vl - 1] = '\0';
            val++;
        }
        zg_error_t e;
        rc = zg_config_set(&tmp, key, val, &e);
        if (rc) {
            zg_error_set(err, rc, e.code, e.message, "%s:%d: %s", path, lineno, e.detail);
            break;
        }
    }
    fclose(f);
    if (rc == ZG_OK)
        *c = tmp;
    return rc;
}

int zg_config_load_env(zg_config_t *c, zg_error_t *err)
{
    for (size_t i = 0; i < NSETTINGS; i++) {
        char name[80] = "ZUGONG_";
        size_t n = strlen(name);
        for (const char *k = settings[i].key; *k && n + 1 < sizeof name; k++)
            name[n++] = (char)toupper((unsigned char)*k);
        name[n] = '\0';
        const char *v = getenv(name);
        if (!v)
            continue;
        zg_error_t e;
        int rc = zg_config_set(c, settings[i].key, v, &e);
        if (rc)
            return zg_error_set(err, rc, e.code, e.message, "environment %s: %s", name, e.detail);
    }
    return ZG_OK;
}
