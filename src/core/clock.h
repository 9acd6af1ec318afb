/* clock.h — the monotonic clock for measuring and for timeouts, and absolute deadlines for
 * pthread_cond_timedwait (which waits on CLOCK_REALTIME unless told otherwise). One place, so
 * the background services (statistics, the member list index, the session cache) agree. */
#ifndef ZG_CORE_CLOCK_H
#define ZG_CORE_CLOCK_H

#include <stdint.h>
#include <time.h>

/* Milliseconds / seconds of CLOCK_MONOTONIC (an arbitrary origin: for differences only). */
int64_t zg_mono_ms(void);
double zg_mono_seconds(void);

/* CLOCK_REALTIME now + ms (ms < 0 counts as 0), as pthread_cond_timedwait wants it. */
struct timespec zg_deadline_ms(int64_t ms);

#endif
