/* fuzz_calendar.c — the editable working-day calendar text parser (core/calendar.h): any
 * input either loads or is refused with an error, and what loads writes back and re-loads to
 * the same entries. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/calendar.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    zg_calendar_t *cal;
    if (zg_calendar_new_empty(&cal))
        return 0;
    zg_error_t err;
    if (zg_calendar_load_text(cal, (const char *)data, size, &err) == ZG_OK) {
        zg_strbuf_t sb;
        zg_strbuf_init(&sb, NULL, 0);
        if (zg_calendar_write_text(cal, &sb) == ZG_OK) {
            zg_calendar_t *again;
            if (zg_calendar_new_empty(&again) == ZG_OK) {
                if (zg_calendar_load_text(again, sb.data ? sb.data : "", sb.len, &err) != ZG_OK ||
                    zg_calendar_count(again) != zg_calendar_count(cal))
                    abort();
                zg_calendar_free(again);
            }
        }
        zg_strbuf_free(&sb);
    }
    zg_calendar_free(cal);
    return 0;
}
