/* Deterministic snapshot identifiers and origin classification: the parts of the planner that
 * make invariants 1 and 5 hold (who owns a snapshot; one identifier per cluster and slot). Invariant 2
 * (awsbackup: only through AWS Backup) is the shared classifier's, common/snapshot-origin.c. */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "hash.h"
#include "macro.h"
#include "snapshot-id.h"
#include "time-util.h"

void snapshot_agent_tags_read(const struct observed_snapshot *s, struct snapshot_agent_tags *ret)
{
        static const char prefix[] = "aurora-backup:";
        struct snapshot_agent_tags t = {};

        for (size_t i = 0; i < s->n_tags; i++) {
                const char *k = s->tags[i].key, *v = s->tags[i].value ? s->tags[i].value : "";
                if (!k || k[0] != 'a' || strncmp(k, prefix, sizeof prefix - 1) != 0)
                        continue;
                /* The first occurrence of a key wins, as plan_tag_get() reads it. */
                if (streq(k, TAG_MANAGED_BY))
                        t.managed_by = t.managed_by ?: v;
                else if (streq(k, TAG_POLICY))
                        t.policy = t.policy ?: v;
                else if (streq(k, TAG_SLOT))
                        t.slot = t.slot ?: v;
                else if (streq(k, PLAN_TAG_COPY))
                        t.copy = t.copy ?: v;
                else if (streq(k, TAG_HOLD))
                        t.hold = true;
        }
        *ret = t;
}

bool snapshot_identifier_is_agents(const char *prefix, const char *cluster, const char *identifier,
                                   const char *slot_tag, const char *copy_tag)
{
        char stamp[TIME_ISO8601_MAX], base[PLAN_SNAPSHOT_ID_MAX], suffixed[PLAN_SNAPSHOT_ID_MAX];
        int64_t slot;

        if (!prefix || !cluster || !identifier || !slot_tag)
                return false;
        /* The slot tag must be exactly what the agent writes, so that it names one slot only. */
        if (time_parse_iso8601(slot_tag, &slot) < 0 || !streq(time_format_iso8601(slot, stamp), slot_tag))
                return false;
        if (plan_snapshot_identifier(prefix, cluster, slot, base) < 0)
                return false;
        if (!copy_tag)
                return streq(identifier, base);
        if (startswith(copy_tag, "copy:"))
                /* A copy to another region keeps the name; one in the same region gets "-copy". */
                return streq(identifier, base) ||
                       (plan_identifier_with_suffix(base, "copy", 63, suffixed) >= 0 &&
                        streq(identifier, suffixed));
        if (streq(copy_tag, "share"))
                return plan_identifier_with_suffix(base, "share", 63, suffixed) >= 0 &&
                       streq(identifier, suffixed);
        return false;
}

enum snapshot_origin snapshot_origin_of(const struct observed_snapshot *s,
                                        const struct snapshot_agent_tags *t, const char *prefix)
{
        const char *id = s->identifier ? s->identifier : "";
        /* Name prefixes win over SnapshotType: AWS Backup snapshots may say "manual". */
        enum snapshot_origin by_name = snapshot_origin_of_identifier(id);
        if (by_name != ORIGIN_FOREIGN_MANUAL)
                return by_name;
        if (s->snapshot_type && streq(s->snapshot_type, "automated"))
                return ORIGIN_AUTOMATED;
        /* Invariant 1: a tag alone is easy to copy (CopyTags) or to forge; the agent's own snapshot also has
         * the name the agent gives a snapshot of its cluster for the slot its slot tag names. */
        if (t->managed_by && streq(t->managed_by, TAG_MANAGED_BY_VALUE) &&
            snapshot_identifier_is_agents(prefix, s->cluster_identifier, id, t->slot, t->copy))
                return ORIGIN_AGENT;
        return ORIGIN_FOREIGN_MANUAL;
}

enum snapshot_origin snapshot_classify(const struct observed_snapshot *s, const char *prefix)
{
        struct snapshot_agent_tags t;
        snapshot_agent_tags_read(s, &t);
        return snapshot_origin_of(s, &t, prefix);
}

/* Lower-case letters/digits; any other run of characters becomes one hyphen. */
static size_t sanitize(const char *in, char *out, size_t cap)
{
        size_t n = 0;
        for (const char *p = in; *p && n + 1 < cap; p++) {
                unsigned char c = (unsigned char)*p;
                if (isalnum(c))
                        out[n++] = (char)tolower(c);
                else if (n > 0 && out[n - 1] != '-')
                        out[n++] = '-';
        }
        while (n > 0 && out[n - 1] == '-')
                n--;
        out[n] = '\0';
        return n;
}

int plan_snapshot_identifier(const char *prefix, const char *cluster, int64_t slot_start,
                             char buf[static PLAN_SNAPSHOT_ID_MAX])
{
        char p[PLAN_SNAPSHOT_ID_MAX], c[256], stamp[16], out[512];
        int y, mo, d, h, mi;

        if (!prefix || !cluster)
                return -EINVAL;
        size_t np = sanitize(prefix, p, 20); /* prefix is short by design; cap keeps room for the rest */
        if (np == 0 || !isalpha((unsigned char)p[0]))
                return -EINVAL;
        size_t nc = sanitize(cluster, c, sizeof c);
        if (nc == 0)
                return -EINVAL;
        time_to_civil(slot_start, &y, &mo, &d, &h, &mi, NULL, NULL);
        if (y < 1000 || y > 9999)
                return -EINVAL;
        snprintf(stamp, sizeof stamp, "%04d%02d%02dt%02d%02d", y, mo, d, h, mi);

        /* prefix '-' cluster '-' stamp(13) <= 63 */
        size_t room = 63 - np - 1 - 1 - strlen(stamp);
        if (nc > room) {
                /* Shorten and append an 8-hex-digit hash of the full original name, so two long
                 * names sharing a beginning stay distinct. */
                char suffix[10];
                snprintf(suffix, sizeof suffix, "%08" PRIx32, (uint32_t)hash_fnv1a64(cluster));
                size_t keep = room - 1 - 8;
                c[keep] = '\0';
                while (keep > 0 && c[keep - 1] == '-')
                        c[--keep] = '\0';
                snprintf(c + keep, sizeof c - keep, "%s%s", keep > 0 ? "-" : "", suffix);
        }
        int r = snprintf(out, sizeof out, "%s-%s-%s", p, c, stamp);
        if (r < 0 || r >= PLAN_SNAPSHOT_ID_MAX)
                return -EINVAL;
        memcpy(buf, out, strlen(out) + 1);
        return 0;
}

bool plan_identifier_is_valid(const char *s, size_t maxlen)
{
        size_t n = s ? strlen(s) : 0;
        if (n == 0 || n > maxlen || n > 63 || !isalpha((unsigned char)s[0]) || s[n - 1] == '-' ||
            strstr(s, "--"))
                return false;
        for (size_t i = 0; i < n; i++)
                if (!isalnum((unsigned char)s[i]) && s[i] != '-')
                        return false;
        return true;
}

int plan_identifier_with_suffix(const char *base, const char *suffix, size_t maxlen,
                                char buf[static PLAN_SNAPSHOT_ID_MAX])
{
        char out[PLAN_SNAPSHOT_ID_MAX * 2];
        if (!base || !suffix || maxlen > 63 || !plan_identifier_is_valid(base, 63))
                return -EINVAL;
        size_t nb = strlen(base), ns = strlen(suffix);
        if (ns == 0 || ns + 11 > maxlen)
                return -EINVAL;
        if (nb + 1 + ns <= maxlen)
                snprintf(out, sizeof out, "%s-%s", base, suffix);
        else {
                /* Keep the head of base, then the hash of all of it, so shortened names stay distinct. */
                size_t keep = maxlen - ns - 1 - 8 - 1;
                while (keep > 0 && base[keep - 1] == '-')
                        keep--;
                snprintf(out, sizeof out, "%.*s-%08" PRIx32 "-%s", (int)keep, base,
                         (uint32_t)hash_fnv1a64(base), suffix);
        }
        if (!plan_identifier_is_valid(out, maxlen))
                return -EINVAL;
        memcpy(buf, out, strlen(out) + 1);
        return 0;
}
