/* Retention groups (plan.h): which of a selected cluster's snapshots each group judges, with which
 * rules, and the deletions that follow; retention.c decides, this file says for whom. */
#include "plan-judge.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plan-builder.h"
#include "plan-describe.h"
#include "plan-index.h"
#include "time-util.h"

static const char *retention_describe(struct builder *b, const struct retention *r)
{
        char out[256] = "", d[32];
        size_t n = 0;
#define APPEND(...) n += (size_t)snprintf(out + n, sizeof out - n, __VA_ARGS__)
        if (r->keep_last)
                APPEND(" keep_last=%u", r->keep_last);
        if (r->daily)
                APPEND(" daily=%u", r->daily);
        if (r->weekly)
                APPEND(" weekly=%u", r->weekly);
        if (r->monthly)
                APPEND(" monthly=%u", r->monthly);
        if (r->yearly)
                APPEND(" yearly=%u", r->yearly);
        if (r->keep_within_sec > 0)
                APPEND(" keep_within=%s", plan_duration_describe(r->keep_within_sec, d));
        if (r->max_age_sec > 0)
                APPEND(" max_age=%s", plan_duration_describe(r->max_age_sec, d));
        if (r->min_keep)
                APPEND(" min_keep=%u", r->min_keep);
#undef APPEND
        return arena_intern(b->arena, n > 0 ? out + 1 : "none");
}

static bool in_group(const struct snap *sn, enum verdict_group g, const char *copy_tag)
{
        if (sn->claimed)
                return false;
        switch (g) {
        case GROUP_PRIMARY:
                return sn->origin == ORIGIN_AGENT && !sn->copy_tag;
        case GROUP_COPY:
        case GROUP_SHARE_COPY:
                return sn->origin == ORIGIN_AGENT && streq_ptr(sn->copy_tag, copy_tag);
        case GROUP_AWS_BACKUP:
                return sn->origin == ORIGIN_AWS_BACKUP;
        case GROUP_NONE:
        case _VERDICT_GROUP_MAX:
                break;
        }
        return false;
}

static const char *const group_rule_names[_VERDICT_GROUP_MAX] = {
    [GROUP_NONE] = "none",
    [GROUP_PRIMARY] = "retention",
    [GROUP_COPY] = "copy retention",
    [GROUP_SHARE_COPY] = "share-copy retention",
    [GROUP_AWS_BACKUP] = "aws_backup retention",
};

struct copy_order {
        struct retention_item item;
        size_t index;
        const char *identifier;
};

static int copy_order_cmp(const void *x, const void *y)
{
        const struct copy_order *a = x, *c = y;
        if (a->item.time != c->item.time)
                return a->item.time > c->item.time ? -1 : 1; /* newest first */
        return strcmp(a->identifier, c->identifier);
}

/* A copy is as old as the backup it copies: judge copies by their source's slot (TAG_SLOT, which copies
 * carry) rather than by when the copy was made, so that copying older snapshots later, or several in
 * the same second, never makes retention delete the copy of the newest backup (and copy it again next
 * cycle). Re-sorts the group newest first by that time. */
static void copy_times_from_slots(struct builder *b, size_t n)
{
        bool changed = false;
        for (size_t k = 0; k < n; k++) {
                const struct snap *sn = &b->snaps[b->item_index[k]];
                int64_t slot;
                if (b->items[k].available && sn->slot_tag && time_parse_iso8601(sn->slot_tag, &slot) >= 0 &&
                    slot != b->items[k].time) {
                        b->items[k].time = slot;
                        changed = true;
                }
        }
        if (!changed)
                return;
        _cleanup_free_ struct copy_order *o = calloc(n, sizeof *o);
        if (!o)
                return; /* keep the create-time order: still a valid, if less apt, judgement */
        for (size_t k = 0; k < n; k++)
                o[k] = (struct copy_order){b->items[k], b->item_index[k],
                                           b->snaps[b->item_index[k]].s->identifier};
        qsort(o, n, sizeof *o, copy_order_cmp);
        for (size_t k = 0; k < n; k++) {
                b->items[k] = o[k].item;
                b->item_index[k] = o[k].index;
        }
}

static void judge_group(struct builder *b, const struct cluster_plan *cp, const char *region,
                        enum verdict_group g, const char *copy_tag, const struct retention *r)
{
        size_t lo, hi, n = 0;
        plan_snap_range(b, region, cp->c->identifier, &lo, &hi);
        for (size_t i = lo; i < hi; i++) {
                struct snap *sn = &b->snaps[i];
                if (!in_group(sn, g, copy_tag))
                        continue;
                sn->claimed = true;
                b->item_index[n] = i;
                b->items[n++] = (struct retention_item){
                    .time = sn->s->create_time, .available = sn->available, .hold = sn->hold};
        }
        if (n == 0)
                return;
        if (g == GROUP_COPY || g == GROUP_SHARE_COPY)
                copy_times_from_slots(b, n);
        retention_apply(r, b->in->now, b->items, n);
        if (cp->c->snapshots_incomplete)
                /* Retention over a partial view could delete what the unread snapshot makes unnecessary to
                 * keep, or keep too few: it decides nothing until every snapshot can be read. */
                for (size_t k = 0; k < n; k++)
                        if (b->items[k].deleted) {
                                b->items[k].deleted = false;
                                b->items[k].why = DELETE_NONE;
                                b->items[k].keep = KEEP_INCOMPLETE;
                        }

        const char *policy = arena_intern(b->arena, cp->p->name);
        const char *rule_max_age = NULL, *rule_not_kept = NULL;
        for (size_t k = 0; k < n; k++) {
                struct snapshot_verdict *v = &b->verdicts[b->item_index[k]];
                const struct retention_item *it = &b->items[k];
                v->group = g;
                v->policy = policy;
                v->deleted = it->deleted;
                v->keep = it->keep;
                v->why = it->why;
                if (!it->deleted)
                        continue;
                /* One text per group and reason, written once. */
                char d[32];
                const char *rule;
                if (it->why == DELETE_MAX_AGE)
                        rule = rule_max_age
                                   ?: (rule_max_age = arena_printf(
                                           b->arena, "%s: older than max_age=%s", group_rule_names[g],
                                           plan_duration_describe(r->max_age_sec, d)));
                else
                        rule = rule_not_kept
                                   ?: (rule_not_kept =
                                           arena_printf(b->arena, "%s: kept by no rule of %s",
                                                        group_rule_names[g], retention_describe(b, r)));
                const struct snap *sn = &b->snaps[b->item_index[k]];
                const struct observed_snapshot *s = sn->s;
                /* Seed rule: AWS Backup's snapshots are deleted only through AWS Backup. */
                bool through_backup = snapshot_origin_deleted_only_through_backup(sn->origin);
                plan_add_cluster_action(
                    b, cp,
                    (struct plan_action){
                        .kind = through_backup ? ACTION_DELETE_BACKUP : ACTION_DELETE_RDS,
                        .region = s->region,
                        .snapshot = s->identifier,
                        .rule = rule,
                    });
        }
}

static bool policy_configured(const struct builder *b, const char *name)
{
        for (size_t i = 0; i < b->in->config->n_policies; i++)
                if (streq_ptr(b->in->config->policies[i].name, name))
                        return true;
        return false;
}

/* The agent's snapshots of this cluster in `region` whose policy tag names no configured policy, or
 * another policy than the one that selects the cluster, are no group's to judge: kept, never deleted, and
 * reported (a renamed policy, or another agent's configuration, must be sorted out by a person). */
static void keep_other_policies(struct builder *b, const struct cluster_plan *cp, const char *region)
{
        char own_copy[128];
        size_t lo, hi;
        bool home = streq(region, cp->region);

        /* Elsewhere, only copies from this cluster's region are this cluster's (a cluster of the same name
         * in that region has its own plan). */
        snprintf(own_copy, sizeof own_copy, "copy:%s", cp->region);
        plan_snap_range(b, region, cp->c->identifier, &lo, &hi);
        for (size_t i = lo; i < hi; i++) {
                struct snap *sn = &b->snaps[i];
                if (sn->claimed || sn->origin != ORIGIN_AGENT || streq_ptr(sn->policy_tag, cp->p->name))
                        continue;
                if (!streq_ptr(sn->copy_tag, own_copy) &&
                    !(home && (!sn->copy_tag || streq(sn->copy_tag, "share"))))
                        continue;
                sn->claimed = sn->other_policy = true;
                b->verdicts[i].keep = KEEP_OTHER_POLICY;
                const char *why =
                    !sn->policy_tag
                        ? arena_printf(b->arena,
                                       "the agent's snapshot has no %s tag; cluster %s is selected by "
                                       "policy %s: kept, never deleted",
                                       TAG_POLICY, cp->c->identifier, cp->p->name)
                    : policy_configured(b, sn->policy_tag)
                        ? arena_printf(
                              b->arena,
                              "tagged %s=%s, but cluster %s is selected by policy %s: kept, never deleted",
                              TAG_POLICY, sn->policy_tag, cp->c->identifier, cp->p->name)
                        : arena_printf(b->arena,
                                       "tagged %s=%s, which names no configured policy: kept, never deleted",
                                       TAG_POLICY, sn->policy_tag);
                plan_refuse(b, cp, sn->s->region, sn->s->identifier, why);
        }
}

void plan_judge_cluster(struct builder *b, const struct cluster_plan *cp)
{
        const struct policy *p = cp->p;

        if (cp->c->snapshots_incomplete)
                plan_refuse(b, cp, NULL, NULL,
                            "a snapshot of this cluster could not be read (malformed in the "
                            "Describe answer): no deletion for it until every one can");

        keep_other_policies(b, cp, cp->region);
        for (size_t t = 0; t < p->n_copies; t++)
                if (p->copies[t].region && !streq(p->copies[t].region, cp->region))
                        keep_other_policies(b, cp, p->copies[t].region);

        judge_group(b, cp, cp->region, GROUP_PRIMARY, NULL, &p->retention);
        judge_group(b, cp, cp->region, GROUP_SHARE_COPY, "share", &p->retention);
        if (p->aws_backup_manage)
                judge_group(b, cp, cp->region, GROUP_AWS_BACKUP, NULL, &p->aws_backup_retention);
        else {
                size_t lo, hi;
                plan_snap_range(b, cp->region, cp->c->identifier, &lo, &hi);
                for (size_t i = lo; i < hi; i++)
                        if (b->snaps[i].origin == ORIGIN_AWS_BACKUP)
                                b->verdicts[i].keep = KEEP_BACKUP_OFF;
        }
        for (size_t t = 0; t < p->n_copies; t++) {
                const struct copy_target *ct = &p->copies[t];
                bool first = true;
                for (size_t u = 0; u < t; u++)
                        if (streq_ptr(p->copies[u].region, ct->region))
                                first = false;
                if (!first || !ct->region)
                        continue;
                char tag[128];
                snprintf(tag, sizeof tag, "copy:%s", cp->region);
                judge_group(b, cp, ct->region, GROUP_COPY, tag, &ct->retention);
        }
}
