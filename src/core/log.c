/* log.c — formats a whole line into a stack buffer (bounded, truncated if longer) and writes
 * it with one fwrite under the stdio lock, so lines from worker threads never interleave. */
#include "core/log.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <string.h>
#include <time.h>

static atomic_int g_level = ZG_LOG_INFO;
static atomic_int g_access = 1;
static FILE *_Atomic g_out = NULL;

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

static void emit(const char *level, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));

static void emit(const char *level, const char *fmt, va_list ap)
{
    char line[2048];
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    struct tm tm;
    gmtime_r(&ts.tv_sec, &tm);
    size_t n = strftime(line, sizeof line, "%Y-%m-%dT%H:%M:%S", &tm);
    int k = snprintf(line + n, sizeof line - n, ".%03ldZ %s ", ts.tv_nsec / 1000000L, level);
    if (k > 0)
        n += (size_t)k;
    if (n < sizeof line) {
        k = vsnprintf(line + n, sizeof line - n, fmt, ap);
        if (k > 0)
            n += (size_t)k;
    }
    if (n >= sizeof line - 1)
        n = sizeof line - 2; /* truncated: keep room for the newline */
    line[n++] = '\n';
    FILE *out = g_out ? g_out : stderr;
    flockfile(out);
    fwrite(line, 1, n, out);
    fflush(out);
    funlockfile(out);
}

void zg_log(zg_log_level level, const char *fmt, ...)
{
    static const char *names[] = {"DEBUG", "INFO", "WARN", "ERROR"};
    if ((int)level < atomic_load(&g_level) || level >= ZG_LOG_OFF)
        return;
    va_list ap;
    va_start(ap, fmt);
    emit(names[level], fmt, ap);
    va_end(ap);
}

void zg_log_access(const char *fmt, ...)
{
    if (!g_access)
        return;
    va_list ap;
    va_start(ap, fmt);
    emit("ACCESS", fmt, ap);
    va_end(ap);
}
