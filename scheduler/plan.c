/* plan_build(): the observed world, the config and `now` in; actions, verdicts and the next wake-up out.
 * The passes run in a fixed order so that every deletion is known before quota is spent on creations:
 * retention (verdicts and deletions) -> quota counts -> slots (creations) -> copies, shares, exports
 * -> polls. Inputs are sorted first, so the order of the input arrays never changes the plan. */
#include <errno.h>
#include <fnmatch.h>
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

/* The plan's copy of `s`, shared with the previous action's when they are equal. */
static const char *memo_copy(struct builder *b, struct str_memo *m, const char *s, bool intern)
{
        if (!s)
                return NULL;
        if (m->out && streq(m->out, s))
                return m->out;
        const char *c = intern ? plan_arena_intern(b->arena, s) : plan_arena_strdup(b->arena, s);
        if (c)
                m->out = c;
        return c;
}

void plan_add_action(struct builder *b, const struct plan_action *a)
{
        if (b->n_actions == b->cap_actions) {
                /* Room for a deletion of every snapshot and a few actions per cluster up front: pages
                 * never written cost no memory, and the vector is not copied as it grows. */
                size_t cap = b->cap_actions ? b->cap_actions * 2
                                            : b->in->n_snapshots + 8 * b->in->n_clusters + b->in->n_ledger +
                                                  b->in->n_exports + 64;
                struct plan_action *n = realloc(b->actions, cap * sizeof *n);
                if (!n)
                        return fail(b, -ENOMEM);
                b->actions = n;
                b->cap_actions = cap;
        }
        struct plan_action c = *a;
        c.policy = memo_copy(b, &b->memo_policy, a->policy, true);
        c.cluster = memo_copy(b, &b->memo_cluster, a->cluster, true);
        c.region = memo_copy(b, &b->memo_region, a->region, true);
        c.snapshot = plan_arena_strdup(b->arena, a->snapshot);
        c.source_snapshot = plan_arena_strdup(b->arena, a->source_snapshot);
        c.source_region = memo_copy(b, &b->memo_source_region, a->source_region, true);
        c.kms_key = memo_copy(b, &b->memo_kms, a->kms_key, true);
        c.status = memo_copy(b, &b->memo_status, a->status, true);
        c.rule = memo_copy(b, &b->memo_rule, a->rule, false);
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
        b->actions[b->n_actions++] = c;
}

/* ---- lookups ---- */

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
        /* The plan's shared copy, so that actions' regions compare by pointer. */
        const char *copy = plan_arena_intern(b->arena, region);
        if (!copy)
                return NULL;
        b->quota[b->n_quota] = (struct quota_region){.region = copy};
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
        for (size_t k = 0; k < b->n_pairs; k++) {
                const struct snap_pair *pair = &b->pairs[k];
                int64_t n = 0;
                for (size_t i = pair->lo; i < pair->hi; i++)
                        n += b->snaps[i].origin == ORIGIN_AGENT ||
                             b->snaps[i].origin == ORIGIN_FOREIGN_MANUAL;
                if (n > 0 && (q = quota_region(b, pair->region)))
                        q->count += n;
        }
        for (size_t i = 0; i < b->in->n_ledger; i++) {
                const struct ledger_action *l = &b->in->ledger[i];
                if ((l->kind == ACTION_CREATE || l->kind == ACTION_COPY) &&
                    !plan_snap_find(b, l->region, l->cluster_identifier, l->snapshot_identifier) &&
                    (q = quota_region(b, l->region)))
                        q->count++;
        }
        q = NULL;
        for (size_t i = 0; i < b->n_actions; i++) {
                const struct plan_action *a = &b->actions[i];
                if (a->kind != ACTION_DELETE_RDS)
                        continue;
                /* Region names in actions are the plan's shared copies: equal names, equal pointers. */
                if (!q || q->region != plan_str(a->region))
                        q = quota_region(b, a->region);
                if (q)
                        q->count--;
        }
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
                                   ?: (rule_max_age = plan_arena_printf(
                                           b->arena, "%s: older than max_age=%s", group_rule_names[g],
                                           plan_duration_describe(r->max_age_sec, d)));
                else
                        rule = rule_not_kept
                                   ?: (rule_not_kept =
                                           plan_arena_printf(b->arena, "%s: kept by no rule of %s",
                                                             group_rule_names[g], retention_describe(b, r)));
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

static int ledger_cmp(const void *x, const void *y)
{
        const struct ledger_action *a = *(const struct ledger_action *const *)x;
        const struct ledger_action *c = *(const struct ledger_action *const *)y;
        int r;
        if ((r = strcmp(plan_str(a->region), plan_str(c->region))) != 0 ||
            (r = strcmp(plan_str(a->cluster_identifier), plan_str(c->cluster_identifier))) != 0 ||
            (r = strcmp(plan_str(a->snapshot_identifier), plan_str(c->snapshot_identifier))) != 0 ||
            (r = strcmp(plan_str(a->source_region), plan_str(c->source_region))) != 0)
                return r;
        if (a->kind != c->kind)
                return a->kind < c->kind ? -1 : 1;
        return a->slot_start < c->slot_start ? -1 : a->slot_start > c->slot_start;
}

static void plan_polls(struct builder *b)
{
        for (size_t i = 0; i < b->n_snaps; i++) {
                const struct snap *sn = &b->snaps[i];
                if (sn->origin != ORIGIN_AGENT || sn->available || !status_in_progress(sn->s->status))
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

        /* The ledger comes in any order: poll in the order of what it names, once per entry. */
        _cleanup_free_ const struct ledger_action **open = calloc(b->in->n_ledger + 1, sizeof *open);
        if (!open)
                return fail(b, -ENOMEM);
        for (size_t i = 0; i < b->in->n_ledger; i++)
                open[i] = &b->in->ledger[i];
        if (b->in->n_ledger > 1)
                qsort(open, b->in->n_ledger, sizeof *open, ledger_cmp);
        for (size_t i = 0; i < b->in->n_ledger; i++) {
                const struct ledger_action *l = open[i];
                if ((l->kind != ACTION_CREATE && l->kind != ACTION_COPY) ||
                    (i > 0 && ledger_cmp(&open[i - 1], &open[i]) == 0) ||
                    plan_snap_find(b, l->region, l->cluster_identifier, l->snapshot_identifier))
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
        const char *region = policy_region(b, p);
        /* Nowhere to say which region: the policy covers the region the agent observes. */
        if (region && !streq(region, plan_str(c->region)))
                return false;
        if (p->clusters && p->clusters[0]) {
                bool any = false;
                STRV_FOREACH (g, p->clusters)
                        if (fnmatch(*g, c->identifier, 0) == 0) {
                                any = true;
                                break;
                        }
                if (!any)
                        return false;
        }
        for (size_t i = 0; i < p->n_match_tags; i++) {
                const char *v = plan_tag_get(c->tags, c->n_tags, p->match_tags[i].key);
                if (!v || !streq(v, plan_str(p->match_tags[i].value)))
                        return false;
        }
        return true;
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

static void builder_done(struct builder *b)
{
        plan_index_free(b);
        free(b->clusters);
        free(b->history);
        free(b->actions);
        free(b->quota);
        free(b->items);
        free(b->item_index);
}

/* The tags the planner reads, in one pass: all of ours share the "aurora-backup:" prefix. */
static void snap_scan_tags(struct snap *sn)
{
        static const char prefix[] = "aurora-backup:";
        const struct observed_snapshot *s = sn->s;
        const char *managed_by = NULL;
        for (size_t i = 0; i < s->n_tags; i++) {
                const char *k = s->tags[i].key, *v = s->tags[i].value ? s->tags[i].value : "";
                if (!k || k[0] != 'a' || strncmp(k, prefix, sizeof prefix - 1) != 0)
                        continue;
                /* The first occurrence of a key wins, as plan_tag_get() reads it. */
                if (streq(k, TAG_MANAGED_BY)) {
                        if (!managed_by)
                                managed_by = v;
                } else if (streq(k, PLAN_TAG_COPY)) {
                        if (!sn->copy_tag)
                                sn->copy_tag = v;
                } else if (streq(k, TAG_SLOT)) {
                        if (!sn->slot_tag)
                                sn->slot_tag = v;
                } else if (streq(k, TAG_HOLD))
                        sn->hold = true;
        }
        sn->origin = snapshot_classify_by_tag(s, managed_by);
}

static int observe(struct builder *b)
{
        const struct plan_input *in = b->in;
        b->history = calloc(in->n_history + 1, sizeof *b->history);
        b->verdicts = plan_arena_alloc_raw(b->arena, (in->n_snapshots + 1) * sizeof *b->verdicts);
        if (!b->history || !b->verdicts)
                return -ENOMEM;
        int r = plan_index_build(b);
        if (r < 0)
                return r;
        /* Scratch for one retention group: no group is longer than the longest run. */
        size_t longest = 0;
        for (size_t k = 0; k < b->n_pairs; k++)
                longest = MAX(longest, b->pairs[k].hi - b->pairs[k].lo);
        b->items = calloc(longest + 1, sizeof *b->items);
        b->item_index = calloc(longest + 1, sizeof *b->item_index);
        if (!b->items || !b->item_index)
                return -ENOMEM;

        struct str_memo status = {0};
        for (size_t k = 0; k < b->n_pairs; k++) {
                const struct snap_pair *pair = &b->pairs[k];
                for (size_t i = pair->lo; i < pair->hi; i++) {
                        struct snap *sn = &b->snaps[i];
                        const struct observed_snapshot *s = sn->s;
                        snap_scan_tags(sn);
                        sn->available = s->status && streq(s->status, "available") &&
                                        s->create_time != PLAN_TIME_UNKNOWN;
                        b->verdicts[i] = (struct snapshot_verdict){
                            .snapshot = plan_arena_strdup(b->arena, s->identifier),
                            .region = s->region ? pair->region_out : NULL,
                            .cluster = s->cluster_identifier ? pair->cluster_out : NULL,
                            .create_time = s->create_time,
                            .status = memo_copy(b, &status, s->status, true),
                            .origin = sn->origin,
                            .group = GROUP_NONE,
                            .keep = sn->origin == ORIGIN_AGENT || sn->origin == ORIGIN_AWS_BACKUP
                                        ? KEEP_UNMANAGED
                                        : KEEP_ORIGIN,
                        };
                }
        }

        for (size_t i = 0; i < in->n_history; i++)
                b->history[i] = &in->history[i];
        b->n_history = in->n_history;
        if (b->n_history > 0)
                qsort(b->history, b->n_history, sizeof *b->history, history_cmp);
        return 0;
}

/* Orders the actions by kind (deletions first), keeping the order they were planned in within a kind,
 * which follows the sorted input; then hands the array to the plan's arena. */
static int finish(struct builder *b, struct plan *p)
{
        size_t start[_ACTION_KIND_MAX + 1] = {0};
        for (size_t i = 0; i < b->n_actions; i++)
                start[b->actions[i].kind + 1]++;
        for (size_t k = 1; k <= _ACTION_KIND_MAX; k++)
                start[k] += start[k - 1];
        _cleanup_free_ size_t *dest = calloc(b->n_actions + 1, sizeof *dest);
        if (!dest)
                return -ENOMEM;
        for (size_t i = 0; i < b->n_actions; i++)
                dest[i] = start[b->actions[i].kind]++;
        /* Apply the permutation in place, cycle by cycle. */
        for (size_t i = 0; i < b->n_actions; i++)
                while (dest[i] != i) {
                        size_t j = dest[i];
                        struct plan_action t = b->actions[i];
                        b->actions[i] = b->actions[j];
                        b->actions[j] = t;
                        dest[i] = dest[j];
                        dest[j] = j;
                }

        struct plan_action *actions = b->actions;
        if (b->n_actions == 0) {
                free(actions);
                actions = NULL;
        } else if (b->n_actions < b->cap_actions) {
                struct plan_action *shrunk = realloc(actions, b->n_actions * sizeof *actions);
                if (shrunk)
                        actions = shrunk;
        }
        b->actions = NULL;
        if (actions && plan_arena_adopt(b->arena, actions) < 0) {
                free(actions);
                return -ENOMEM;
        }
        p->actions = actions;
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
                plan_count_copies_in_flight(&b);
                for (size_t i = 0; i < b.n_clusters; i++)
                        plan_copies(&b, &b.clusters[i]);
                for (size_t i = 0; i < b.n_clusters; i++)
                        plan_shares(&b, &b.clusters[i]);
                for (size_t i = 0; i < b.n_clusters; i++)
                        plan_exports(&b, &b.clusters[i]);
                plan_polls(&b);
                plan_export_polls(&b);
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
