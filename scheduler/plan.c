/* plan_build(): the observed world, the config and `now` in; actions, verdicts and the next wake-up out.
 * The passes run in a fixed order so that every deletion is known before quota is spent on creations:
 * retention (verdicts and deletions) -> quota counts -> slots (creations) -> copies, shares, exports
 * -> polls. Inputs are sorted first, so the order of the input arrays never changes the plan. */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "plan-internal.h"
#include "slot.h"
#include "strv.h"
#include "time-util.h"

const char *plan_str(const char *s)
{
        return s ? s : "";
}

const char *plan_tag_get(const struct tag *tags, size_t n, const char *key)
{
        for (size_t i = 0; i < n; i++)
                if (tags[i].key && streq(tags[i].key, key))
                        return tags[i].value ? tags[i].value : "";
        return NULL;
}

void plan_wake(struct builder *b, int64_t t)
{
        if (t < b->wakeup)
                b->wakeup = t;
}

static void fail(struct builder *b, int r)
{
        if (b->error == 0)
                b->error = r;
}

/* ---- actions ---- */

static const char *copy_str(struct builder *b, const char *s, bool intern)
{
        return intern ? plan_arena_intern(b->arena, s) : plan_arena_strdup(b->arena, s);
}

void plan_add_action(struct builder *b, const struct plan_action *a)
{
        if (b->n_actions == b->cap_actions) {
                size_t cap = b->cap_actions ? b->cap_actions * 2 : 64;
                struct action_entry *n = realloc(b->actions, cap * sizeof *n);
                if (!n)
                        return fail(b, -ENOMEM);
                b->actions = n;
                b->cap_actions = cap;
        }
        struct plan_action c = *a;
        c.policy = copy_str(b, a->policy, true);
        c.cluster = copy_str(b, a->cluster, true);
        c.region = copy_str(b, a->region, true);
        c.snapshot = copy_str(b, a->snapshot, false);
        c.source_snapshot = copy_str(b, a->source_snapshot, false);
        c.source_region = copy_str(b, a->source_region, true);
        c.kms_key = copy_str(b, a->kms_key, true);
        c.status = copy_str(b, a->status, true);
        c.rule = copy_str(b, a->rule, false);
        c.tags = NULL;
        c.n_tags = 0;
        if (a->n_tags > 0) {
                struct tag *t = plan_arena_alloc(b->arena, a->n_tags * sizeof *t);
                if (t) {
                        for (size_t i = 0; i < a->n_tags; i++) {
                                t[i].key = (char *)plan_arena_intern(b->arena, a->tags[i].key);
                                t[i].value = plan_arena_strdup(b->arena, a->tags[i].value);
                        }
                        c.tags = t;
                        c.n_tags = a->n_tags;
                }
        }
        c.accounts = NULL;
        if (a->accounts) {
                size_t n = 0;
                while (a->accounts[n])
                        n++;
                const char **l = plan_arena_alloc(b->arena, (n + 1) * sizeof *l);
                if (l) {
                        for (size_t i = 0; i < n; i++)
                                l[i] = plan_arena_intern(b->arena, a->accounts[i]);
                        c.accounts = l;
                }
        }
        b->actions[b->n_actions] = (struct action_entry){.a = c, .seq = b->n_actions};
        b->n_actions++;
}

/* ---- lookups ---- */

static int snap_cmp(const void *x, const void *y)
{
        const struct observed_snapshot *a = *(const struct observed_snapshot *const *)x;
        const struct observed_snapshot *c = *(const struct observed_snapshot *const *)y;
        int r = strcmp(plan_str(a->region), plan_str(c->region));
        if (r != 0)
                return r;
        r = strcmp(plan_str(a->cluster_identifier), plan_str(c->cluster_identifier));
        if (r != 0)
                return r;
        if (a->create_time != c->create_time)
                return a->create_time > c->create_time ? -1 : 1;
        return strcmp(a->identifier, c->identifier);
}

void plan_snap_range(const struct builder *b, const char *region, const char *cluster, size_t *lo,
                     size_t *hi)
{
        size_t l = 0, h = b->n_snaps;
        region = plan_str(region);
        cluster = plan_str(cluster);
        while (l < h) {
                size_t m = l + (h - l) / 2;
                const struct observed_snapshot *s = b->snaps[m].s;
                int r = strcmp(plan_str(s->region), region);
                if (r == 0)
                        r = strcmp(plan_str(s->cluster_identifier), cluster);
                if (r < 0)
                        l = m + 1;
                else
                        h = m;
        }
        *lo = l;
        while (l < b->n_snaps && streq(plan_str(b->snaps[l].s->region), region) &&
               streq(plan_str(b->snaps[l].s->cluster_identifier), cluster))
                l++;
        *hi = l;
}

static uint64_t id_hash(const char *region, const char *identifier)
{
        return hash_fnv1a64(identifier) * 31 + hash_fnv1a64(plan_str(region));
}

static int id_table_build(struct builder *b)
{
        size_t cap = 16;
        while (cap < b->n_snaps * 2)
                cap *= 2;
        b->id_table = calloc(cap, sizeof *b->id_table);
        if (!b->id_table)
                return -ENOMEM;
        b->id_cap = cap;
        for (size_t i = 0; i < b->n_snaps; i++) {
                const struct observed_snapshot *s = b->snaps[i].s;
                size_t j = id_hash(s->region, s->identifier) & (cap - 1);
                while (b->id_table[j])
                        j = (j + 1) & (cap - 1);
                b->id_table[j] = i + 1;
        }
        return 0;
}

const struct snap *plan_snap_find(const struct builder *b, const char *region, const char *identifier)
{
        if (!identifier)
                return NULL;
        for (size_t j = id_hash(region, identifier) & (b->id_cap - 1); b->id_table[j];
             j = (j + 1) & (b->id_cap - 1)) {
                const struct snap *sn = &b->snaps[b->id_table[j] - 1];
                if (streq(sn->s->identifier, identifier) && streq(plan_str(sn->s->region), plan_str(region)))
                        return sn;
        }
        return NULL;
}

bool plan_ledger_open(const struct builder *b, enum action_kind kind, const char *region,
                      const char *identifier)
{
        for (size_t i = 0; i < b->in->n_ledger; i++) {
                const struct ledger_action *l = &b->in->ledger[i];
                if (l->kind == kind && streq_ptr(l->snapshot_identifier, identifier) &&
                    (!l->region || !region || streq(l->region, region)))
                        return true;
        }
        return false;
}

static int history_cmp(const void *x, const void *y)
{
        const struct window_history_entry *a = *(const struct window_history_entry *const *)x;
        const struct window_history_entry *c = *(const struct window_history_entry *const *)y;
        int r = strcmp(plan_str(a->cluster_identifier), plan_str(c->cluster_identifier));
        if (r != 0)
                return r;
        return a->slot_start < c->slot_start ? -1 : a->slot_start > c->slot_start;
}

/* The first history entry at or after (cluster, slot_start). */
static size_t history_lower_bound(const struct builder *b, const char *cluster, int64_t slot_start)
{
        size_t l = 0, h = b->n_history;
        while (l < h) {
                size_t m = l + (h - l) / 2;
                const struct window_history_entry *e = b->history[m];
                int r = strcmp(plan_str(e->cluster_identifier), cluster);
                if (r < 0 || (r == 0 && e->slot_start < slot_start))
                        l = m + 1;
                else
                        h = m;
        }
        return l;
}

bool plan_history_has(const struct builder *b, const char *cluster, int64_t slot_start)
{
        size_t i = history_lower_bound(b, cluster, slot_start);
        return i < b->n_history && streq(plan_str(b->history[i]->cluster_identifier), cluster) &&
               b->history[i]->slot_start == slot_start;
}

bool plan_history_has_cluster(const struct builder *b, const char *cluster)
{
        size_t i = history_lower_bound(b, cluster, INT64_MIN);
        return i < b->n_history && streq(plan_str(b->history[i]->cluster_identifier), cluster);
}

const struct snap *plan_group_newest(const struct builder *b, const char *region, const char *cluster,
                                     const char *copy_tag)
{
        size_t lo, hi;
        plan_snap_range(b, region, cluster, &lo, &hi);
        for (size_t i = lo; i < hi; i++) {
                const struct snap *sn = &b->snaps[i];
                if (sn->origin == ORIGIN_AGENT && sn->available && streq_ptr(sn->copy_tag, copy_tag))
                        return sn;
        }
        return NULL;
}

/* ---- quota ---- */

static struct quota_region *quota_region(struct builder *b, const char *region)
{
        region = plan_str(region);
        for (size_t i = 0; i < b->n_quota; i++)
                if (streq(b->quota[i].region, region))
                        return &b->quota[i];
        if (b->n_quota == b->cap_quota) {
                size_t cap = b->cap_quota ? b->cap_quota * 2 : 8;
                struct quota_region *n = realloc(b->quota, cap * sizeof *n);
                if (!n) {
                        fail(b, -ENOMEM);
                        return NULL;
                }
                b->quota = n;
                b->cap_quota = cap;
        }
        b->quota[b->n_quota] = (struct quota_region){.region = region};
        return &b->quota[b->n_quota++];
}

int64_t plan_quota_count(struct builder *b, const char *region)
{
        struct quota_region *q = quota_region(b, region);
        return q ? q->count : 0;
}

bool plan_quota_take(struct builder *b, const char *region, const struct policy *p)
{
        struct quota_region *q = quota_region(b, region);
        int64_t room = p->quota_limit > p->quota_reserve ? (int64_t)p->quota_limit - p->quota_reserve : 0;
        if (!q || q->count + 1 > room)
                return false;
        q->count++;
        return true;
}

static void quota_count(struct builder *b)
{
        struct quota_region *q = NULL;
        for (size_t i = 0; i < b->n_snaps; i++) {
                const struct snap *sn = &b->snaps[i];
                if (sn->origin != ORIGIN_AGENT && sn->origin != ORIGIN_FOREIGN_MANUAL)
                        continue;
                if (!q || !streq(q->region, plan_str(sn->s->region)))
                        q = quota_region(b, sn->s->region);
                if (!q)
                        return;
                q->count++;
        }
        for (size_t i = 0; i < b->in->n_ledger; i++) {
                const struct ledger_action *l = &b->in->ledger[i];
                if ((l->kind == ACTION_CREATE || l->kind == ACTION_COPY) &&
                    !plan_snap_find(b, l->region, l->snapshot_identifier) &&
                    (q = quota_region(b, l->region)))
                        q->count++;
        }
        for (size_t i = 0; i < b->n_actions; i++)
                if (b->actions[i].a.kind == ACTION_DELETE_RDS &&
                    (q = quota_region(b, b->actions[i].a.region)))
                        q->count--;
}

/* ---- descriptions for rule texts ---- */

const char *plan_schedule_describe(const struct schedule *s, char buf[static 32])
{
        static const char *const days[] = {"sun", "mon", "tue", "wed", "thu", "fri", "sat"};
        switch (s->kind) {
        case SCHEDULE_DAILY:
                return "daily";
        case SCHEDULE_WEEKLY:
                snprintf(buf, 32, "weekly:%s", s->weekday >= 0 && s->weekday <= 6 ? days[s->weekday] : "?");
                return buf;
        case SCHEDULE_MONTHLY:
                if (s->mday == SCHEDULE_MDAY_LAST)
                        return "monthly:last";
                snprintf(buf, 32, "monthly:%d", s->mday);
                return buf;
        case SCHEDULE_INTERVAL: {
                char d[32];
                snprintf(buf, 32, "every:%s", plan_duration_describe(s->interval_sec, d));
                return buf;
        }
        }
        return "?";
}

const char *plan_window_describe(const struct window *w, char buf[static 16])
{
        snprintf(buf, 16, "%02d:%02d-%02d:%02d", (w->start_min / 60) % 100, w->start_min % 60,
                 (w->end_min / 60) % 100, w->end_min % 60);
        return buf;
}

const char *plan_duration_describe(int64_t sec, char buf[static 32])
{
        if (sec != 0 && sec % SEC_PER_DAY == 0)
                snprintf(buf, 32, "%" PRId64 "d", sec / SEC_PER_DAY);
        else if (sec != 0 && sec % SEC_PER_HOUR == 0)
                snprintf(buf, 32, "%" PRId64 "h", sec / SEC_PER_HOUR);
        else if (sec != 0 && sec % SEC_PER_MINUTE == 0)
                snprintf(buf, 32, "%" PRId64 "m", sec / SEC_PER_MINUTE);
        else
                snprintf(buf, 32, "%" PRId64 "s", sec);
        return buf;
}

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
        return plan_arena_intern(b->arena, n > 0 ? out + 1 : "none");
}

/* ---- retention ---- */

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
                break;
        }
        return false;
}

static const char *const group_rule_names[] = {
    [GROUP_NONE] = "none",
    [GROUP_PRIMARY] = "retention",
    [GROUP_COPY] = "copy retention",
    [GROUP_SHARE_COPY] = "share-copy retention",
    [GROUP_AWS_BACKUP] = "aws_backup retention",
};

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
        retention_apply(r, b->in->now, b->items, n);

        const char *policy = plan_arena_intern(b->arena, cp->p->name);
        const char *desc = NULL;
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
                if (!desc)
                        desc = retention_describe(b, r);
                char d[32];
                const char *rule =
                    it->why == DELETE_MAX_AGE
                        ? plan_arena_printf(b->arena, "%s: older than max_age=%s", group_rule_names[g],
                                            plan_duration_describe(r->max_age_sec, d))
                        : plan_arena_printf(b->arena, "%s: kept by no rule of %s", group_rule_names[g],
                                            desc);
                const struct observed_snapshot *s = b->snaps[b->item_index[k]].s;
                plan_add_action(b,
                                &(struct plan_action){
                                    .kind = g == GROUP_AWS_BACKUP ? ACTION_DELETE_BACKUP : ACTION_DELETE_RDS,
                                    .policy = cp->p->name,
                                    .cluster = cp->c->identifier,
                                    .region = s->region,
                                    .snapshot = s->identifier,
                                    .rule = rule,
                                });
        }
}

static void judge_cluster(struct builder *b, const struct cluster_plan *cp)
{
        const struct policy *p = cp->p;

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

/* ---- polls: whatever is in progress is looked at again in PLAN_POLL_INTERVAL_SEC ---- */

static bool status_in_progress(const char *status)
{
        return status && (streq(status, "creating") || streq(status, "copying"));
}

static void plan_polls(struct builder *b)
{
        for (size_t i = 0; i < b->n_snaps; i++) {
                const struct snap *sn = &b->snaps[i];
                if (sn->origin != ORIGIN_AGENT || !status_in_progress(sn->s->status))
                        continue;
                plan_add_action(b, &(struct plan_action){
                                       .kind = ACTION_POLL,
                                       .policy = b->verdicts[i].policy,
                                       .cluster = sn->s->cluster_identifier,
                                       .region = sn->s->region,
                                       .snapshot = sn->s->identifier,
                                       .status = sn->s->status,
                                       .rule = sn->copy_tag ? "copy in progress" : "snapshot in progress",
                                   });
                plan_wake(b, b->in->now + PLAN_POLL_INTERVAL_SEC);
        }

        for (size_t i = 0; i < b->in->n_ledger; i++) {
                const struct ledger_action *l = &b->in->ledger[i];
                if ((l->kind != ACTION_CREATE && l->kind != ACTION_COPY) ||
                    plan_snap_find(b, l->region, l->snapshot_identifier))
                        continue;
                plan_add_action(b, &(struct plan_action){
                                       .kind = ACTION_POLL,
                                       .cluster = l->cluster_identifier,
                                       .region = l->region,
                                       .snapshot = l->snapshot_identifier,
                                       .source_region = l->source_region,
                                       .slot_start = l->kind == ACTION_CREATE ? l->slot_start : 0,
                                       .status = "not-yet-observed",
                                       .rule = l->kind == ACTION_CREATE ? "create started, not yet observed"
                                                                        : "copy started, not yet observed",
                                   });
                plan_wake(b, b->in->now + PLAN_POLL_INTERVAL_SEC);
        }
}

/* ---- policies ---- */

static const char *policy_region(const struct builder *b, const struct policy *p)
{
        if (p->region)
                return p->region;
        if (b->in->config->agent.region)
                return b->in->config->agent.region;
        return b->in->default_region;
}

static bool policy_selects(const struct builder *b, const struct policy *p, const struct observed_cluster *c)
{
        return plan_policy_selects(p, policy_region(b, p), c);
}

static int cluster_cmp(const void *x, const void *y)
{
        const struct observed_cluster *a = *(const struct observed_cluster *const *)x;
        const struct observed_cluster *c = *(const struct observed_cluster *const *)y;
        int r = strcmp(plan_str(a->region), plan_str(c->region));
        return r != 0 ? r : strcmp(a->identifier, c->identifier);
}

static int select_clusters(struct builder *b)
{
        const struct plan_input *in = b->in;
        _cleanup_free_ const struct observed_cluster **sorted = calloc(in->n_clusters + 1, sizeof *sorted);
        b->clusters = calloc(in->n_clusters + 1, sizeof *b->clusters);
        if (!sorted || !b->clusters)
                return -ENOMEM;
        for (size_t i = 0; i < in->n_clusters; i++)
                sorted[i] = &in->clusters[i];
        qsort(sorted, in->n_clusters, sizeof *sorted, cluster_cmp);
        for (size_t i = 0; i < in->n_clusters; i++) {
                const struct observed_cluster *c = sorted[i];
                if (i > 0 && cluster_cmp(&sorted[i - 1], &sorted[i]) == 0)
                        continue; /* observed twice: one cluster */
                for (size_t k = 0; k < in->config->n_policies; k++) {
                        const struct policy *p = &in->config->policies[k];
                        if (!policy_selects(b, p, c))
                                continue;
                        b->clusters[b->n_clusters++] = (struct cluster_plan){
                            .c = c, .p = p, .region = policy_region(b, p) ?: plan_str(c->region)};
                        break;
                }
        }
        return 0;
}

/* ---- the build ---- */

static int action_cmp(const void *x, const void *y)
{
        const struct plan_action *a = &((const struct action_entry *)x)->a;
        const struct plan_action *c = &((const struct action_entry *)y)->a;
        int r;
        if (a->kind != c->kind)
                return a->kind < c->kind ? -1 : 1;
        if ((r = strcmp(plan_str(a->region), plan_str(c->region))) != 0 ||
            (r = strcmp(plan_str(a->cluster), plan_str(c->cluster))) != 0 ||
            (r = strcmp(plan_str(a->snapshot), plan_str(c->snapshot))) != 0 ||
            (r = strcmp(plan_str(a->source_region), plan_str(c->source_region))) != 0 ||
            (r = strcmp(plan_str(a->source_snapshot), plan_str(c->source_snapshot))) != 0)
                return r;
        if (a->slot_start != c->slot_start)
                return a->slot_start < c->slot_start ? -1 : 1;
        if (a->retry_at != c->retry_at)
                return a->retry_at < c->retry_at ? -1 : 1;
        if ((r = strcmp(plan_str(a->rule), plan_str(c->rule))) != 0)
                return r;
        size_t sa = ((const struct action_entry *)x)->seq, sc = ((const struct action_entry *)y)->seq;
        return sa < sc ? -1 : sa > sc;
}

static void builder_done(struct builder *b)
{
        free(b->snaps);
        free(b->id_table);
        free(b->clusters);
        free(b->history);
        free(b->actions);
        free(b->quota);
        free(b->items);
        free(b->item_index);
}

static int observe(struct builder *b)
{
        const struct plan_input *in = b->in;
        _cleanup_free_ const struct observed_snapshot **sorted = calloc(in->n_snapshots + 1, sizeof *sorted);
        b->snaps = calloc(in->n_snapshots + 1, sizeof *b->snaps);
        b->items = calloc(in->n_snapshots + 1, sizeof *b->items);
        b->item_index = calloc(in->n_snapshots + 1, sizeof *b->item_index);
        b->history = calloc(in->n_history + 1, sizeof *b->history);
        b->verdicts = plan_arena_alloc(b->arena, (in->n_snapshots + 1) * sizeof *b->verdicts);
        if (!sorted || !b->snaps || !b->items || !b->item_index || !b->history || !b->verdicts)
                return -ENOMEM;

        for (size_t i = 0; i < in->n_snapshots; i++) {
                if (!in->snapshots[i].identifier)
                        return -EINVAL;
                sorted[i] = &in->snapshots[i];
        }
        qsort(sorted, in->n_snapshots, sizeof *sorted, snap_cmp);
        b->n_snaps = in->n_snapshots;
        for (size_t i = 0; i < b->n_snaps; i++) {
                const struct observed_snapshot *s = sorted[i];
                struct snap *sn = &b->snaps[i];
                *sn = (struct snap){
                    .s = s,
                    .origin = snapshot_classify(s),
                    .copy_tag = plan_tag_get(s->tags, s->n_tags, PLAN_TAG_COPY),
                    .slot_tag = plan_tag_get(s->tags, s->n_tags, TAG_SLOT),
                    .hold = plan_tag_get(s->tags, s->n_tags, TAG_HOLD) != NULL,
                    .available =
                        s->status && streq(s->status, "available") && s->create_time != PLAN_TIME_UNKNOWN,
                };
                b->verdicts[i] = (struct snapshot_verdict){
                    .snapshot = plan_arena_strdup(b->arena, s->identifier),
                    .region = plan_arena_intern(b->arena, s->region),
                    .cluster = plan_arena_intern(b->arena, s->cluster_identifier),
                    .create_time = s->create_time,
                    .status = plan_arena_intern(b->arena, s->status),
                    .origin = sn->origin,
                    .group = GROUP_NONE,
                    .keep = sn->origin == ORIGIN_AGENT || sn->origin == ORIGIN_AWS_BACKUP ? KEEP_UNMANAGED
                                                                                          : KEEP_ORIGIN,
                };
        }

        for (size_t i = 0; i < in->n_history; i++)
                b->history[i] = &in->history[i];
        b->n_history = in->n_history;
        qsort(b->history, b->n_history, sizeof *b->history, history_cmp);
        return id_table_build(b);
}

static int finish(struct builder *b, struct plan *p)
{
        if (b->n_actions > 0)
                qsort(b->actions, b->n_actions, sizeof *b->actions, action_cmp);
        p->actions = plan_arena_alloc(b->arena, (b->n_actions + 1) * sizeof *p->actions);
        if (!p->actions)
                return -ENOMEM;
        for (size_t i = 0; i < b->n_actions; i++)
                p->actions[i] = b->actions[i].a;
        p->n_actions = b->n_actions;
        p->verdicts = b->verdicts;
        p->n_verdicts = b->n_snaps;
        p->now = b->in->now;
        p->next_wakeup = b->wakeup;
        return plan_arena_failed(b->arena) ? -ENOMEM : 0;
}

int plan_build(const struct plan_input *in, struct plan **ret)
{
        if (!in || !in->config || !ret || (in->n_clusters > 0 && !in->clusters) ||
            (in->n_snapshots > 0 && !in->snapshots) || (in->n_exports > 0 && !in->exports) ||
            (in->n_ledger > 0 && !in->ledger) || (in->n_history > 0 && !in->history) ||
            (in->config->n_policies > 0 && !in->config->policies))
                return -EINVAL;
        for (size_t i = 0; i < in->n_clusters; i++)
                if (!in->clusters[i].identifier)
                        return -EINVAL;
        for (size_t i = 0; i < in->config->n_policies; i++)
                if (!in->config->policies[i].name)
                        return -EINVAL;

        _cleanup_(plan_arena_freep) struct plan_arena *arena = plan_arena_new();
        if (!arena)
                return -ENOMEM;
        struct plan *p = plan_arena_alloc(arena, sizeof *p);
        if (!p)
                return -ENOMEM;

        struct builder b = {
            .in = in,
            .arena = arena,
            .prefix = in->config->agent.snapshot_prefix ?: CONFIG_DEFAULT_SNAPSHOT_PREFIX,
            .wakeup = PLAN_NO_WAKEUP,
        };
        int r = observe(&b);
        if (r >= 0)
                r = select_clusters(&b);
        if (r >= 0) {
                for (size_t i = 0; i < b.n_clusters; i++)
                        judge_cluster(&b, &b.clusters[i]);
                quota_count(&b);
                for (size_t i = 0; i < b.n_clusters; i++)
                        plan_slots(&b, &b.clusters[i]);
                for (size_t i = 0; i < b.n_clusters; i++)
                        plan_copies(&b, &b.clusters[i]);
                for (size_t i = 0; i < b.n_clusters; i++)
                        plan_shares(&b, &b.clusters[i]);
                for (size_t i = 0; i < b.n_clusters; i++)
                        plan_exports(&b, &b.clusters[i]);
                plan_polls(&b);
                r = b.error;
        }
        if (r >= 0)
                r = finish(&b, p);
        builder_done(&b);
        if (r < 0)
                return r;

        p->arena = TAKE_PTR(arena);
        *ret = p;
        return 0;
}

struct plan *plan_free(struct plan *p)
{
        if (p)
                plan_arena_free(p->arena); /* the plan itself lives in its arena */
        return NULL;
}
