/* sd_notify wrapper (see notify.h): the only place that composes service-manager messages. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-daemon.h>
#include <time.h>

#include "notify.h"
#include "time-util.h"

/* sd_notify() returns > 0 when sent: normalize to 1. */
static int notify_send(const char *state)
{
        int r = sd_notify(0, state);
        return r > 0 ? 1 : r;
}

int notify_ready(void)
{
        return notify_send("READY=1");
}

int notify_reloading(void)
{
        struct timespec ts;
        char msg[64];

        if (clock_gettime(CLOCK_MONOTONIC, &ts) < 0)
                return negative_errno();
        snprintf(msg, sizeof(msg), "RELOADING=1\nMONOTONIC_USEC=%llu",
                 (unsigned long long)ts.tv_sec * 1000000ULL + (unsigned long long)ts.tv_nsec / 1000ULL);
        return notify_send(msg);
}

int notify_stopping(void)
{
        return notify_send("STOPPING=1");
}

int notify_watchdog(void)
{
        return notify_send("WATCHDOG=1");
}

static int notify_status_text(const char *text)
{
        _cleanup_free_ char *msg = NULL;

        if (asprintf(&msg, "STATUS=%s", text) < 0)
                return -ENOMEM;
        for (char *p = msg; *p; p++)
                if (*p == '\n' || *p == '\r')
                        *p = ' ';
        return notify_send(msg);
}

int notify_status(const char *fmt, ...)
{
        _cleanup_free_ char *text = NULL;
        va_list ap;
        int r;

        va_start(ap, fmt);
        r = vasprintf_safe(&text, fmt, ap);
        va_end(ap);
        if (r < 0)
                return r;
        return notify_status_text(text);
}

int notify_format_summary(const struct notify_summary *s, char **ret)
{
        _cleanup_fclose_ FILE *out = NULL;
        _cleanup_free_ char *buf = NULL;
        char when[TIME_ISO8601_MAX];
        size_t size = 0;

        if (!s || !ret)
                return -EINVAL;
        out = open_memstream(&buf, &size);
        if (!out)
                return -ENOMEM;
        if (s->next_slot > 0) {
                fprintf(out, "Next slot %s", time_format_iso8601(s->next_slot, when));
                if (s->next_cluster)
                        fprintf(out, " (%s)", s->next_cluster);
        } else
                fputs("No slot scheduled", out);
        fprintf(out, "; %u cluster%s", s->clusters, s->clusters == 1 ? "" : "s");
        if (s->quota_limit > 0)
                fprintf(out, "; quota %u/%u", s->quota_used, s->quota_limit);
        if (s->last_error)
                fprintf(out, "; last error: %s", s->last_error);
        if (fflush(out) != 0 || ferror(out))
                return -ENOMEM;
        fclose(TAKE_PTR(out));
        *ret = TAKE_PTR(buf);
        return 0;
}

int notify_status_summary(const struct notify_summary *s)
{
        _cleanup_free_ char *text = NULL;
        int r;

        r = notify_format_summary(s, &text);
        if (r < 0)
                return r;
        return notify_status_text(text);
}
