/* log.c — one line per record. Ordinary records (info, warn, …) are written at once with one
 * fwrite under the stdio lock, so lines from worker threads never interleave. Access-log lines
 * are many (one per request), so they are collected in a 64 KiB buffer and written when it is
 * 3/4 full, when a line is older than one second (checked on the next line and by
 * zg_log_flush, which `serve` calls every second), before any ordinary record (to keep order),
 * and at shutdown. This turns a write(2) per request into one per few hundred requests. */
#include "core/log.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <string.h>
#include <time.h>

static atomic_int g_level = ZG_LOG_INFO;
static atomic_int g_access = 1;
static FILE *_Atomic g_out = NULL;

#define ACCESS_BUF 65536
static pthread_mutex_t g_access_lock = PTHREAD_MUTEX_INITIALIZER;
static char g_access_buf[ACCESS_BUF];
static size_t g_access_len;
static time_t g_access_oldest; /* when the oldest buffered line was written */

void zg_log_set_level(zg_log_level level)
{
    g_level = level;
}

int zg_log_level_parse(const char *s)
{
    static const char *names[] = {"debug", "info", "warn", "error", "off"};
    for (int i = 0; i < 5; i++)
        if (strcmp(s, names[i]) == 0)
            return i;
    return -1;
}

void zg_log_set_output(FILE *f)
{
    g_out = f;
}

void zg_log_set_access(int on)
{
    g_access = on;
}

int zg_log_access_enabled(void)
{
    return g_access;
}

static FILE *out_file(void)
{
    FILE *f = g_out;
    return f ? f : stderr;
}

/* Writes the buffered access lines. Caller holds g_access_lock. */
static void flush_locked(void)
{
    if (!g_access_len)
        return;
    FILE *out = out_file();
    flockfile(out);
    fwrite(g_access_buf, 1, g_access_len, out);
    fflush(out);
    funlockfile(out);
    g_access_len = 0;
}

void zg_log_flush(void)
{
    pthread_mutex_lock(&g_access_lock);
    flush_locked();
    pthread_mutex_unlock(&g_access_lock);
}

/* "2026-11-23T08:00:00.123Z LEVEL " into buf; the date part is cached per thread per second. */
static size_t prefix(char *buf, size_t cap, const char *level, time_t *now)
{
    static _Thread_local time_t cached_sec = -1;
    static _Thread_local char cached[32];
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    if (ts.tv_sec != cached_sec) {
        struct tm tm;
        gmtime_r(&ts.tv_sec, &tm);
        strftime(cached, sizeof cached, "%Y-%m-%dT%H:%M:%S", &tm);
        cached_sec = ts.tv_sec;
    }
    *now = ts.tv_sec;
    int k = snprintf(buf, cap, "%s.%03ldZ %s ", cached, ts.tv_nsec / 1000000L, level);
    return k > 0 && (size_t)k < cap ? (size_t)k : 0;
}

static size_t format_line(char *line, size_t cap, const char *level, time_t *now, const char *fmt,
                          va_list ap) __attribute__((format(printf, 5, 0)));

static size_t format_line(char *line, size_t cap, const char *level, time_t *now, const char *fmt,
                          va_list ap)
{
    size_t n = prefix(line, cap, level, now);
    int k = vsnprintf(line + n, cap - n, fmt, ap);
    if (k > 0)
        n += (size_t)k;
    if (n >= cap - 1)
        n = cap - 2; /* truncated: keep room for the newline */
    line[n++] = '\n';
    return n;
}

void zg_log(zg_log_level level, const char *fmt, ...)
{
    static const char *names[] = {"DEBUG", "INFO", "WARN", "ERROR"};
    if ((int)level < atomic_load(&g_level) || level >= ZG_LOG_OFF)
        return;
    char line[2048];
    time_t now;
    va_list ap;
    va_start(ap, fmt);
    size_t n = format_line(line, sizeof line, names[level], &now, fmt, ap);
    va_end(ap);
    pthread_mutex_lock(&g_access_lock);
    flush_locked(); /* earlier access lines first */
    FILE *out = out_file();
    flockfile(out);
    fwrite(line, 1, n, out);
    fflush(out);
    funlockfile(out);
    pthread_mutex_unlock(&g_access_lock);
}

void zg_log_access(const char *fmt, ...)
{
    if (!g_access)
        return;
    char line[2048];
    time_t now;
    va_list ap;
    va_start(ap, fmt);
    size_t n = format_line(line, sizeof line, "ACCESS", &now, fmt, ap);
    va_end(ap);
    pthread_mutex_lock(&g_access_lock);
    if (g_access_len + n > ACCESS_BUF)
        flush_locked();
    if (g_access_len == 0)
        g_access_oldest = now;
    memcpy(g_access_buf + g_access_len, line, n);
    g_access_len += n;
    if (g_access_len > ACCESS_BUF * 3 / 4 || now - g_access_oldest >= 1)
        flush_locked();
    pthread_mutex_unlock(&g_access_lock);
}
