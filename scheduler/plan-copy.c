/* After the scheduled snapshots: copies of the newest snapshot to each copy target's region, shares of
 * it with other accounts (through a re-encrypted copy when the key or origin forbids sharing it
 * directly), and one export to S3 per export period. Each step is planned once per cycle from what is
 * observed: done, in flight (ledger or an in-progress snapshot/export: polled), or to do now. */
#include "plan-copy.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "plan-builder.h"
#include "plan-describe.h"
#include "plan-index.h"
#include "plan-quota.h"
#include "slot.h"
#include "snapshot-id.h"
#include "strv.h"
#include "time-util.h"

static bool in_progress(const char *status)
{
        return status && (streq(status, "creating") || streq(status, "copying"));
}

bool snapshot_uses_aws_managed_key(const struct observed_snapshot *s)
{
        if (!s->encrypted)
                return false;
        return s->kms_key_aws_managed || isempty(s->kms_key_id) || strstr(s->kms_key_id, "alias/aws/rds");
}

bool snapshot_share_needs_copy(const struct observed_snapshot *s, const char *prefix)
{
        enum snapshot_origin o = snapshot_classify(s, prefix);
        return o == ORIGIN_AUTOMATED || o == ORIGIN_AWS_BACKUP || o == ORIGIN_AWS_BACKUP_CONTINUOUS ||
               snapshot_uses_aws_managed_key(s);
}

void plan_count_copies_in_flight(struct builder *b)
{
        for (size_t i = 0; i < b->n_snaps; i++) {
                const struct snap *sn = &b->snaps[i];
                const char *src;
                if (sn->origin == ORIGIN_AGENT && sn->copy_tag &&
                    (src = startswith(sn->copy_tag, "copy:")) && !streq(src, plan_str(sn->s->region)) &&
                    in_progress(sn->s->status))
                        b->cross_region_copies++;
        }
        for (size_t i = 0; i < b->in->n_ledger; i++) {
                const struct ledger_action *l = &b->in->ledger[i];
                if (l->kind == ACTION_COPY && l->source_region && l->region &&
                    !streq(l->source_region, l->region) &&
                    !plan_snap_find(b, l->region, l->cluster_identifier, l->snapshot_identifier))
                        b->cross_region_copies++;
        }
}

/* The tags a copy carries: ours, the policy, the source's slot, and what kind of copy it is. */
static size_t copy_tags(const struct cluster_plan *cp, const struct snap *src, const char *kind,
                        struct tag tags[static 4])
{
        size_t n = 0;
        tags[n++] = (struct tag){(char *)TAG_MANAGED_BY, (char *)TAG_MANAGED_BY_VALUE};
        tags[n++] = (struct tag){(char *)TAG_POLICY, cp->p->name};
        if (src->slot_tag)
                tags[n++] = (struct tag){(char *)TAG_SLOT, (char *)src->slot_tag};
        tags[n++] = (struct tag){(char *)PLAN_TAG_COPY, (char *)kind};
        return n;
}

/* One copy of `src` into `region` as `id`, tagged with the copy `kind` ("copy:<source region>" or
 * "share"); polled from the next minute on. */
static void add_copy(struct builder *b, const struct cluster_plan *cp, const struct snap *src,
                     const char *region, const char *id, const char *kind, const char *kms_key,
                     const char *rule)
{
        struct tag tags[4];
        size_t n = copy_tags(cp, src, kind, tags);
        plan_add_cluster_action(b, cp,
                                (struct plan_action){
                                    .kind = ACTION_COPY,
                                    .region = region,
                                    .snapshot = id,
                                    .source_snapshot = src->s->identifier,
                                    .source_region = cp->region,
                                    .kms_key = kms_key,
                                    .rule = rule,
                                    .tags = tags,
                                    .n_tags = n,
                                });
        plan_wake(b, b->in->now + PLAN_POLL_INTERVAL_SEC);
}

/* Whether `region` already has the copy (by name, or by its source ARN). */
static bool copy_exists(const struct builder *b, const char *region, const char *cluster, const char *id,
                        const struct snap *src)
{
        size_t lo, hi;
        plan_snap_range(b, region, cluster, &lo, &hi);
        for (size_t i = lo; i < hi; i++)
                if (streq(b->snaps[i].s->identifier, id) ||
                    (src->s->arn && streq_ptr(b->snaps[i].s->source_arn, src->s->arn)))
                        return true;
        return false;
}

/* Seed rule: an unencrypted snapshot cannot be encrypted by copying it. */
static bool copy_would_encrypt_unencrypted(const struct observed_snapshot *src, const struct copy_target *t)
{
        return !src->encrypted && t->kms_key;
}

/* Seed rule: at most PLAN_CROSS_REGION_COPY_LIMIT cross-region copies in flight per account. */
static bool cross_region_copy_limit_reached(const struct builder *b)
{
        return b->cross_region_copies >= PLAN_CROSS_REGION_COPY_LIMIT;
}

static void copy_to_target(struct builder *b, const struct cluster_plan *cp, const struct copy_target *t,
                           const struct snap *src)
{
        char id[PLAN_SNAPSHOT_ID_MAX], kind[128];
        bool cross = !streq(t->region, cp->region);

        if (cross)
                snprintf(id, sizeof id, "%s", src->s->identifier);
        else if (plan_identifier_with_suffix(src->s->identifier, "copy", 63, id) < 0)
                return plan_refuse(b, cp, t->region, src->s->identifier, "no valid identifier for the copy");
        if (copy_exists(b, t->region, cp->c->identifier, id, src) ||
            plan_ledger_open(b, ACTION_COPY, t->region, id))
                return; /* done, or in flight (polled) */
        if (copy_would_encrypt_unencrypted(src->s, t))
                return plan_refuse(
                    b, cp, t->region, id,
                    "an unencrypted snapshot cannot be encrypted by copying it: drop the copy's kms_key");
        if (src->s->encrypted && cross && !t->kms_key)
                return plan_refuse(b, cp, t->region, id,
                                   "an encrypted snapshot copied to another region needs the copy's kms_key "
                                   "(a key in the destination region)");
        if (cross && cross_region_copy_limit_reached(b)) {
                int64_t t_retry = b->in->now + PLAN_POLL_INTERVAL_SEC;
                plan_add_cluster_action(b, cp,
                                        (struct plan_action){
                                            .kind = ACTION_WAIT,
                                            .region = t->region,
                                            .snapshot = id,
                                            .source_snapshot = src->s->identifier,
                                            .source_region = cp->region,
                                            .retry_at = t_retry,
                                            .rule = "at most 5 cross-region copies in flight per account",
                                        });
                plan_wake(b, t_retry);
                return;
        }
        if (!plan_quota_take(b, t->region, cp->p))
                return plan_quota_exhausted(b, cp, t->region, id, 0, "copy");

        snprintf(kind, sizeof kind, "copy:%s", cp->region);
        add_copy(b, cp, src, t->region, id, kind, t->kms_key,
                 arena_printf(b->arena, "copy target %s: newest snapshot not copied yet", t->region));
        if (cross)
                b->cross_region_copies++;
}

void plan_copies(struct builder *b, const struct cluster_plan *cp)
{
        const struct snap *src = NULL;
        for (size_t i = 0; i < cp->p->n_copies; i++) {
                const struct copy_target *t = &cp->p->copies[i];
                bool first = t->region != NULL;
                for (size_t j = 0; j < i && first; j++)
                        first = !streq_ptr(cp->p->copies[j].region, t->region);
                if (!first)
                        continue;
                /* Known from the cluster alone: said at the first plan, before any snapshot exists. */
                if (!cp->c->storage_encrypted && t->kms_key) {
                        plan_refuse(b, cp, t->region, NULL,
                                    "the cluster is not encrypted, and an unencrypted snapshot cannot be "
                                    "encrypted by "
                                    "copying it: drop the copy's kms_key");
                        continue;
                }
                if (!src && !(src = plan_group_newest(b, cp->region, cp->c->identifier, NULL)))
                        return;
                copy_to_target(b, cp, t, src);
        }
}

/* ---- shares ---- */

static bool shared_with(const struct observed_snapshot *s, const char *account)
{
        for (const char *const *a = s->shared_accounts; a && *a; a++)
                if (streq(*a, account))
                        return true;
        return false;
}

void plan_shares(struct builder *b, const struct cluster_plan *cp)
{
        const struct share_spec *sh = &cp->p->share;
        if (!sh->accounts || !sh->accounts[0])
                return;
        const struct snap *src = plan_group_newest(b, cp->region, cp->c->identifier, NULL);
        if (!src)
                return;

        const struct snap *target = src;
        if (snapshot_share_needs_copy(src->s, b->prefix)) {
                char id[PLAN_SNAPSHOT_ID_MAX];
                if (snapshot_uses_aws_managed_key(src->s) && !sh->kms_key)
                        return plan_refuse(b, cp, cp->region, src->s->identifier,
                                           "a snapshot under the AWS-managed RDS key cannot be shared: set "
                                           "share.kms_key to re-encrypt a copy with a customer-managed key");
                if (plan_identifier_with_suffix(src->s->identifier, "share", 63, id) < 0)
                        return plan_refuse(b, cp, cp->region, src->s->identifier,
                                           "no valid identifier for the copy to share");
                target = plan_snap_find(b, cp->region, cp->c->identifier, id);
                if (!target) {
                        if (plan_ledger_open(b, ACTION_COPY, cp->region, id))
                                return;
                        if (!plan_quota_take(b, cp->region, cp->p))
                                return plan_quota_exhausted(b, cp, cp->region, id, 0, "copy to share");
                        add_copy(
                            b, cp, src, cp->region, id, "share", sh->kms_key,
                            "share: the newest snapshot must be copied to a customer-managed key before it "
                            "can be shared");
                        return;
                }
                if (!target->available)
                        return; /* the copy is still being made: polled */
        }

        size_t n = strv_length(sh->accounts), k = 0;
        _cleanup_free_ const char **missing = calloc(n + 1, sizeof *missing);
        if (!missing) {
                if (b->error == 0)
                        b->error = -ENOMEM;
                return;
        }
        STRV_FOREACH (a, sh->accounts)
                if (!shared_with(target->s, *a))
                        missing[k++] = *a;
        if (k == 0 || plan_ledger_open(b, ACTION_SHARE, cp->region, target->s->identifier))
                return;
        plan_add_cluster_action(b, cp,
                                (struct plan_action){
                                    .kind = ACTION_SHARE,
                                    .snapshot = target->s->identifier,
                                    .rule = target == src
                                                ? "share: newest snapshot not yet shared with every account"
                                                : "share: the re-encrypted copy of the newest snapshot is "
                                                  "not yet shared with every account",
                                    .accounts = missing,
                                });
}

/* ---- exports ---- */

static bool export_counts(const char *status)
{
        /* A failed or cancelled task does not export the snapshot; a new period tries again. */
        return !status || !(streq(status, "FAILED") || streq(status, "CANCELED"));
}

void plan_exports(struct builder *b, const struct cluster_plan *cp)
{
        const struct export_spec *e = &cp->p->export_;
        const struct window whole_day = {0, 0};
        struct slot cur, next;
        char base[PLAN_SNAPSHOT_ID_MAX], task[PLAN_SNAPSHOT_ID_MAX];

        if (!e->enabled)
                return;
        if (slot_latest(&e->every, &whole_day, cp->c->identifier, b->in->now, &cur) < 0 ||
            slot_next(&e->every, &whole_day, cp->c->identifier, b->in->now, &next) < 0)
                return plan_refuse(b, cp, cp->region, NULL, "invalid export schedule");
        if (cur.start > b->in->now) {
                /* Before this period's start: the period that runs now began with the previous slot. */
                plan_wake(b, cur.start);
                if (slot_latest(&e->every, &whole_day, cp->c->identifier, cur.open - 1, &cur) < 0)
                        return;
        } else
                plan_wake(b, next.start);

        const struct snap *src = plan_group_newest(b, cp->region, cp->c->identifier, NULL);
        if (!src)
                return;
        if (plan_snapshot_identifier(b->prefix, cp->c->identifier, cur.start, base) < 0 ||
            plan_identifier_with_suffix(base, "export", 60, task) < 0)
                return plan_refuse(b, cp, cp->region, src->s->identifier, "no valid export task identifier");

        if (plan_ledger_open(b, ACTION_EXPORT, cp->region, task))
                return;
        for (size_t i = 0; i < b->in->n_exports; i++) {
                const struct observed_export *x = &b->in->exports[i];
                if (streq_ptr(x->identifier, task) ||
                    (src->s->arn && streq_ptr(x->source_arn, src->s->arn) && export_counts(x->status)))
                        return; /* this period's task exists, or the newest snapshot is exported */
        }
        plan_add_cluster_action(
            b, cp,
            (struct plan_action){
                .kind = ACTION_EXPORT,
                .snapshot = task,
                .source_snapshot = src->s->identifier,
                .kms_key = e->kms_key,
                .slot_start = cur.start,
                .rule = arena_printf(b->arena, "export period from %s: newest snapshot not exported",
                                     time_format_iso8601(cur.start, base)),
            });
        plan_wake(b, b->in->now + PLAN_POLL_INTERVAL_SEC);
}
