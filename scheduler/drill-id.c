/* Restore drills: the period a drill is due in, and the deterministic names of its cluster and
 * instance. Pure. */

#include "drill-id.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "hash.h"
#include "slot.h"
#include "time-util.h"

int restore_drill_period(const struct schedule *every, int64_t now, int64_t *ret_start, int64_t *ret_end)
{
        /* A whole-day window opening at 00:00 UTC: its slots open at the start of each selected day. */
        const struct window midnight = {.start_min = 0, .end_min = 0};
        struct slot cur, next;
        int r;

        r = slot_latest(every, &midnight, "", now, &cur);
        if (r < 0)
                return r;
        r = slot_next(every, &midnight, "", now, &next);
        if (r < 0)
                return r;
        *ret_start = cur.open;
        *ret_end = next.open;
        return 0;
}

int restore_drill_prefix(const char *snapshot_prefix, char buf[static PLAN_SNAPSHOT_ID_MAX])
{
        if (!snapshot_prefix || !*snapshot_prefix)
                return -EINVAL;
        int r = snprintf(buf, PLAN_SNAPSHOT_ID_MAX, "%s-rt-", snapshot_prefix);
        return r < 0 || r >= PLAN_SNAPSHOT_ID_MAX ? -EINVAL : 0;
}

int restore_drill_cluster_identifier(const char *snapshot_prefix, const char *cluster, int64_t period_start,
                                     char buf[static PLAN_SNAPSHOT_ID_MAX])
{
        char base[512], date[16];
        int y, m, d, r;
        size_t n;

        if (!cluster || !*cluster)
                return -EINVAL;
        r = restore_drill_prefix(snapshot_prefix, buf);
        if (r < 0)
                return r;
        n = (size_t)snprintf(base, sizeof base, "%s", buf);
        /* Lower-case letters and digits; any other run of characters becomes one hyphen. */
        for (const char *p = cluster; *p && n + 1 < sizeof base; p++) {
                unsigned char c = (unsigned char)*p;
                if (isalnum(c))
                        base[n++] = (char)tolower(c);
                else if (base[n - 1] != '-')
                        base[n++] = '-';
        }
        while (n > 0 && base[n - 1] == '-')
                n--;
        base[n] = '\0';
        if (streq(base, buf) || strlen(base) < strlen(buf)) /* nothing of the cluster's name is left */
                return -EINVAL;

        time_to_civil(period_start, &y, &m, &d, NULL, NULL, NULL, NULL);
        if (y < 1000 || y > 9999)
                return -EINVAL;
        snprintf(date, sizeof date, "%04d%02d%02d", y, m, d);
        /* If the base is too long its head is kept (with "<prefix>-rt-": the prefix is at most 32
         * characters, the head 45), then a hash of all of it, then the date. */
        if (n + 1 + strlen(date) > 63) {
                size_t keep = 63 - strlen(date) - 1 - 8 - 1;
                while (keep > 0 && base[keep - 1] == '-')
                        keep--;
                r = snprintf(buf, PLAN_SNAPSHOT_ID_MAX, "%.*s-%08" PRIx32 "-%s", (int)keep, base,
                             (uint32_t)hash_fnv1a64(base), date);
        } else
                r = snprintf(buf, PLAN_SNAPSHOT_ID_MAX, "%s-%s", base, date);
        if (r < 0 || r >= PLAN_SNAPSHOT_ID_MAX)
                return -EINVAL;
        return plan_identifier_is_valid(buf, 63) ? 0 : -EINVAL;
}

int restore_drill_instance_identifier(const char *drill_cluster, char buf[static PLAN_SNAPSHOT_ID_MAX])
{
        return plan_identifier_with_suffix(drill_cluster, "1", 63, buf);
}

bool restore_drill_cluster_is_ours(const char *snapshot_prefix, const struct observed_cluster *c)
{
        char prefix[PLAN_SNAPSHOT_ID_MAX];

        if (!c || !c->identifier || restore_drill_prefix(snapshot_prefix, prefix) < 0)
                return false;
        const char *managed = plan_tag_get(c->tags, c->n_tags, TAG_MANAGED_BY);
        const char *drill = plan_tag_get(c->tags, c->n_tags, TAG_RESTORE_TEST);
        return streq_ptr(managed, TAG_MANAGED_BY_VALUE) && !isempty(drill) &&
               startswith(c->identifier, prefix) && c->identifier[strlen(prefix)] != '\0';
}
