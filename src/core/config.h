/* config.h — server and CLI settings. Sources, later ones winning: built-in defaults, a config
 * file (`--config FILE`: lines `key = value`, `#` comments), environment variables
 * (ZUGONG_<KEY in upper case>, e.g. ZUGONG_LISTEN), then command-line flags (`--key value`,
 * with `_` written as `-`). Every value is length- and range-checked when set. */
#ifndef ZG_CORE_CONFIG_H
#define ZG_CORE_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/status.h"

#define ZG_CONFIG_STR_MAX 1024 /* longest accepted string value, bytes */

typedef struct zg_config {
    char listen[256];                  /* host:port; default 127.0.0.1:8080 */
    char db[ZG_CONFIG_STR_MAX];        /* SQLite file path or postgres:// URL; default zugong.db */
    char web_dir[ZG_CONFIG_STR_MAX];   /* built web UI; default web/dist */
    char key_file[ZG_CONFIG_STR_MAX];  /* field-encryption key file (32 bytes hex); "" = none */
    char port_file[ZG_CONFIG_STR_MAX]; /* if set, the bound port is written here at start */
    char log_level[16];                /* debug|info|warn|error|off; default info */
    bool access_log;                   /* one line per request; default true */
    int threads;                       /* HTTP worker threads; default 2 × CPUs, 2..256 */
    int64_t body_max;                  /* request body cap, bytes; default 1 MiB */
    int64_t upload_max;                /* cap for upload routes (imports); default 64 MiB */
    int64_t request_memory_max;        /* per-request arena cap, bytes; default 64 MiB */
    int header_max;                    /* bytes for request line + headers; default 8 KiB */
    int conn_timeout;                  /* idle connection timeout, seconds; default 30 */
    int conn_max;                      /* total connections; default 1024 */
    int conn_per_ip;                   /* connections per client IP; default 256 */
    int shutdown_grace;                /* seconds in-flight requests get at shutdown; default 10 */

    /* accounts and sessions (issue 3; rules account.*) */
    int session_idle_minutes;   /* idle timeout; default 30 */
    int session_cache_ms;       /* authenticated sessions cached this long; 1000; 0 = off */
    int session_absolute_hours; /* absolute lifetime of a session; default 12 */
    int lockout_threshold;      /* consecutive failed logins that lock; default 5 */
    int lockout_minutes;        /* lock duration; default 15 */
    int password_expiry_days;   /* 0 = never; default 90 */
    bool cookie_secure;         /* always use __Host- + Secure cookies (behind a TLS proxy) */
    int argon2_ops;             /* argon2id passes; default 3 */
    int argon2_mem_kib;         /* argon2id memory, KiB; default 65536 (64 MiB) */
    char root_org_name[256];    /* name of the root org `init` creates in an empty tree */

    /* transfers (issue 4) */
    int stats_refresh_seconds;       /* statistics snapshot rebuilt at least this often; 60 */
    int stats_poll_ms;               /* audit-log check for writes by other processes; 500 */
    bool member_list_index;          /* member lists from the in-memory index; default true */
    int transfer_pending_warn_days;  /* a pending transfer this old is a warning; default 30 */
    char transfer_letter_prefix[81]; /* letter numbers: <prefix>〔2026〕0001号; default 组转 */
} zg_config_t;

/* Fills `c` with the built-in defaults. */
void zg_config_defaults(zg_config_t *c);

/* Sets one key from text (the key as in the config file, e.g. "body_max"; "-" and "_" are
 * interchangeable). ZG_ERR_INVALID with a Chinese message naming the key on an unknown key or
 * a bad value; `c` is unchanged then. */
int zg_config_set(zg_config_t *c, const char *key, const char *value, zg_error_t *err);

/* Reads a config file; the first bad line stops it with its line number in err. */
int zg_config_load_file(zg_config_t *c, const char *path, zg_error_t *err);

/* Applies every ZUGONG_<KEY> variable present in the environment. */
int zg_config_load_env(zg_config_t *c, zg_error_t *err);

/* Whether `key` names a setting. */
bool zg_config_known(const char *key);

#endif
