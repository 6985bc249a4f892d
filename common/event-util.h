/* sd-event helpers for the agent and its AWS client. Header only: common itself does not link libsystemd,
 * so that the planner, which links common, stays free of it. */
#pragma once

#include <systemd/sd-event.h>

#include "macro.h"

/* A defer source for `callback`, set to `enabled` (SD_EVENT_OFF until kicked, SD_EVENT_ONESHOT) and named
 * `description` for sd-event's debug output: 0 with the source in *ret, or a negative errno and *ret
 * untouched. */
static inline int event_add_defer_full(sd_event *e, sd_event_source **ret, sd_event_handler_t callback,
                                       void *userdata, int enabled, const char *description)
{
        _cleanup_(sd_event_source_disable_unrefp) sd_event_source *s = NULL;
        int r;

        r = sd_event_add_defer(e, &s, callback, userdata);
        if (r < 0)
                return r;
        r = sd_event_source_set_enabled(s, enabled);
        if (r < 0)
                return r;
        (void)sd_event_source_set_description(s, description);
        *ret = TAKE_PTR(s);
        return 0;
}
