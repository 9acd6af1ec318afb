/* log.h — one-line log records to stderr (or a file), safe from any thread.
 * Format: `2026-11-23T08:00:00.123Z LEVEL message`. Access-log lines use level ACCESS. */
#ifndef ZG_CORE_LOG_H
#define ZG_CORE_LOG_H

#include <stdio.h>

typedef enum { ZG_LOG_DEBUG = 0, ZG_LOG_INFO, ZG_LOG_WARN, ZG_LOG_ERROR, ZG_LOG_OFF } zg_log_level;

/* Sets the minimum level written (default INFO). */
void zg_log_set_level(zg_log_level level);
/* Parses "debug", "info", "warn", "error", "off"; returns -1 if unknown. */
int zg_log_level_parse(const char *s);
/* Sends records to `f` (default stderr). The caller keeps ownership of f. */
void zg_log_set_output(FILE *f);
/* Whether access-log lines are written (default on). */
void zg_log_set_access(int on);
int zg_log_access_enabled(void);

void zg_log(zg_log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* An access-log line: always written when access logging is on, whatever the level. Buffered:
 * written within about a second (see log.c), or at once by zg_log_flush. */
void zg_log_access(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Writes any buffered access-log lines now. */
void zg_log_flush(void);

#define zg_log_debug(...) zg_log(ZG_LOG_DEBUG, __VA_ARGS__)
#define zg_log_info(...)  zg_log(ZG_LOG_INFO, __VA_ARGS__)
#define zg_log_warn(...)  zg_log(ZG_LOG_WARN, __VA_ARGS__)
#define zg_log_error(...) zg_log(ZG_LOG_ERROR, __VA_ARGS__)

#endif
