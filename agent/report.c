/* The report step. */
#include "report.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backup-delete.h"
#include "hash.h"
#include "journal.h"
#include "log.h"
#include "metrics.h"
#include "notify.h"
#include "snapshot-id.h"
#include "store.h"
#include "strv.h"
#include "time-util.h"

static uint64_t tags_digest(const struct tag *t, size_t n)
{
        uint64_t h = 0;
        for (size_t i = 0; i < n; i++) {
                h ^= hash_fnv1a64(strempty(t[i].key)) * 31 + hash_fnv1a64(strempty(t[i].value));
        }
        return h;
}

/* The policy (first match, as the planner selects) of a cluster, for the stored inventory. */
static int change_cmp(const void *x, const void *y)
{
        const struct plan_action *a = *(const struct plan_action *const *)x,
                                 *b = *(const struct plan_action *const *)y;
        int c = strcmp(strempty(a->region), strempty(b->region));
        return c ? c : strcmp(strempty(a->snapshot), strempty(b->snapshot));
}

static bool deleted_this_cycle(const struct plan_action *const *deleted, size_t n,
                               const struct observed_snapshot *s)
{
        struct plan_action key = {.region = s->region, .snapshot = s->identifier};
        const struct plan_action *k = &key;
        return n > 0 && bsearch(&k, deleted, n, sizeof(*deleted), change_cmp);
}

int report_inventory(struct agent *a, const struct observation *o, const struct act_counts *counts,
                     int64_t now)
{
        _cleanup_free_ const struct plan_action **deleted = calloc(counts->n_changes + 1, sizeof(*deleted));
        size_t n_deleted = 0, n_created = 0;
        int r = 0;

        if (!deleted)
                return -ENOMEM;
        for (size_t i = 0; i < counts->n_changes; i++) {
                if (counts->changes[i]->kind == ACTION_DELETE_RDS ||
                    counts->changes[i]->kind == ACTION_DELETE_BACKUP)
                        deleted[n_deleted++] = counts->changes[i];
                else
                        n_created++;
        }
        qsort(deleted, n_deleted, sizeof(*deleted), change_cmp);

        for (size_t i = 0; i < o->n_regions; i++) {
                const struct observed_region *reg = &o->regions[i];
                size_t nc = 0, ns = 0;

                if (!reg->ok || reg->repeat)
                        continue; /* (a repeat is another role's view of a region stored once) */

                _cleanup_free_ struct inventory_cluster *ic = calloc(o->n_clusters + 1, sizeof(*ic));
                _cleanup_free_ struct inventory_snapshot *is =
                    calloc(o->n_snapshots + n_created + 1, sizeof(*is));
                if (!ic || !is)
                        return -ENOMEM;
                for (size_t k = 0; k < o->n_clusters; k++) {
                        const struct observed_cluster *c = &o->clusters[k];
                        if (!streq(c->region, reg->region))
                                continue;
                        const struct rds_db_cluster *raw =
                            observation_find_rds_cluster(o, reg->region, c->identifier);
                        ic[nc++] = (struct inventory_cluster){
                            .identifier = (char *)c->identifier,
                            .status = (char *)c->status,
                            .arn = (char *)c->arn,
                            .preferred_window = raw ? raw->preferred_backup_window : NULL,
                            .backup_retention_days = (unsigned)c->backup_retention_period,
                            .policy = (char *)agent_cluster_policy(a, c),
                            .earliest_restorable_time = raw ? raw->earliest_restorable_time : 0,
                            .latest_restorable_time = raw ? raw->latest_restorable_time : 0,
                        };
                }
                for (size_t k = 0; k < o->n_snapshots; k++) {
                        const struct observed_snapshot *s = &o->snapshots[k];
                        if (!streq(s->region, reg->region) || deleted_this_cycle(deleted, n_deleted, s))
                                continue;
                        is[ns++] = (struct inventory_snapshot){
                            .identifier = (char *)s->identifier,
                            .cluster = (char *)s->cluster_identifier,
                            .origin = snapshot_classify(s, agent_snapshot_prefix(a)),
                            .status = (char *)s->status,
                            .create_time = s->create_time == PLAN_TIME_UNKNOWN ? 0 : s->create_time,
                            .allocated_gib = (unsigned)s->allocated_storage_gib,
                            .encrypted = s->encrypted,
                            .tags_digest = tags_digest(s->tags, s->n_tags),
                        };
                }
                for (size_t k = 0; k < counts->n_changes; k++) {
                        const struct plan_action *act = counts->changes[k];
                        if ((act->kind != ACTION_CREATE && act->kind != ACTION_COPY) ||
                            !streq_ptr(act->region, reg->region) ||
                            observation_find_snapshot(o, act->region, act->snapshot))
                                continue;
                        is[ns++] = (struct inventory_snapshot){
                            .identifier = (char *)act->snapshot,
                            .cluster = (char *)act->cluster,
                            .origin = ORIGIN_AGENT,
                            .status = (char *)"creating",
                        };
                }
                r = store_inventory_replace(a->store, reg->region, ic, nc, is, ns, now);
                if (r < 0) {
                        log_error("cannot store the inventory of %s: %s", reg->region,
                                  store_last_error(a->store));
                        return r;
                }
        }
        return 0;
}

/* Once per key (a marker in the state); in dry-run only looked at, never set. 1: report it now. */
static int first_time(struct agent *a, const char *kind, const char *region, const char *id)
{
        _cleanup_free_ char *key = NULL;
        if (asprintf(&key, "%s:%s:%s", kind, strempty(region), id) < 0)
                return -ENOMEM;
        return agent_report_once(a, key);
}

/* Whether the ledger holds the agent's own `kind` action on `snapshot` (a copy's or export task's
 * identifier): completions are reported only for those, never for lookalikes made by another agent or
 * policy. */
static int own_action(struct agent *a, enum ledger_kind kind, const char *snapshot)
{
        struct ledger_filter f = LEDGER_FILTER_ALL;
        struct ledger_entry *e = NULL;
        size_t n = 0;
        int r;

        f.snapshot = snapshot;
        f.kind = (int)kind;
        f.limit = 1;
        r = store_ledger_list(a->store, &f, &e, &n);
        if (r < 0)
                return r;
        ledger_entries_free(e, n);
        return n > 0;
}

/* copy-completed / copy-failed for the agent's copies (PLAN_TAG_COPY, in its ledger) that settled recently.
 */
static int report_copy(struct agent *a, const struct observed_snapshot *s, int64_t now)
{
        bool available = streq_ptr(s->status, "available"), failed = streq_ptr(s->status, "failed");
        struct event_fields f = {.cluster = s->cluster_identifier,
                                 .snapshot = s->identifier,
                                 .region = s->region,
                                 .action = "copy",
                                 .target = s->region};
        int r;

        if ((!available && !failed) || s->create_time == PLAN_TIME_UNKNOWN ||
            now - s->create_time > 7 * SEC_PER_DAY)
                return 0;
        r = first_time(a, "copy-settled", s->region, s->identifier);
        if (r <= 0)
                return r;
        r = own_action(a, LEDGER_COPY, s->identifier);
        if (r <= 0)
                return r;
        f.policy = plan_tag_get(s->tags, s->n_tags, TAG_POLICY);
        if (available)
                journal_event(EVENT_COPY_COMPLETED, &f, "Copy %s in %s is available", s->identifier,
                              s->region);
        else
                journal_event(EVENT_COPY_FAILED, &f, "Copy %s in %s failed", s->identifier, s->region);
        return 0;
}

/* The entry of `id` in the last reported export progress, or NULL. */
static char **progress_find(char **l, const char *id)
{
        size_t n = strlen(id);
        for (char **p = l; p && *p; p++)
                if (strneq(*p, id, n) && (*p)[n] == '\t')
                        return p;
        return NULL;
}

/* export-progress when an export task of the agent's changed status or percent since it was last reported
 * (by this process: a restart reports the current state once more). */
static int report_export_progress(struct agent *a, const struct observed_export *e)
{
        _cleanup_free_ char *entry = NULL;
        char percent[32], status[64], pct[32];
        char **old = progress_find(a->export_progress, e->identifier);
        bool ended = streq_ptr(e->status, "COMPLETE") || streq_ptr(e->status, "FAILED") ||
                     streq_ptr(e->status, "CANCELED");

        if (ended) {
                if (old) { /* forget it: the settled event says the rest */
                        free(*old);
                        for (char **p = old; *p; p++)
                                p[0] = p[1];
                }
                return 0;
        }
        snprintf(pct, sizeof(pct), "%u", e->percent);
        if (asprintf(&entry, "%s\t%s\t%s", e->identifier, strempty(e->status), pct) < 0)
                return -ENOMEM;
        if (old && streq(*old, entry))
                return 0;
        snprintf(status, sizeof(status), "AURORA_EXPORT_STATUS=%s", strempty(e->status));
        snprintf(percent, sizeof(percent), "AURORA_PERCENT=%u", e->percent);
        struct event_fields f = {.snapshot = e->identifier,
                                 .action = "export",
                                 .reason = e->status,
                                 .extra = (const char *const[]){status, percent, NULL}};
        if (streq_ptr(e->status, "IN_PROGRESS"))
                journal_event(EVENT_EXPORT_PROGRESS, &f, "Export %s is in progress: %u%%", e->identifier,
                              e->percent);
        else
                journal_event(EVENT_EXPORT_PROGRESS, &f, "Export %s is %s", e->identifier,
                              strempty(e->status));
        if (old) {
                free(*old);
                *old = TAKE_PTR(entry);
                return 0;
        }
        if (strv_push(&a->export_progress, entry) < 0)
                return -ENOMEM;
        entry = NULL;
        return 0;
}

/* export-progress, then export-completed / export-failed, for the agent's export tasks (named with its
 * prefix and in its ledger). */
static int report_exports(struct agent *a, const struct observation *o, int64_t now)
{
        const char *prefix = agent_snapshot_prefix(a);
        size_t pl = strlen(prefix);

        for (size_t i = 0; i < o->n_exports; i++) {
                const struct observed_export *e = &o->exports[i];
                bool complete = streq_ptr(e->status, "COMPLETE");
                bool failed = streq_ptr(e->status, "FAILED") || streq_ptr(e->status, "CANCELED");
                int r;

                if (!e->identifier || strncmp(e->identifier, prefix, pl) != 0 || e->identifier[pl] != '-')
                        continue;
                if (!complete && !failed) {
                        r = own_action(a, LEDGER_EXPORT, e->identifier);
                        if (r > 0)
                                r = report_export_progress(a, e);
                        if (r < 0)
                                return r;
                        continue;
                }
                (void)report_export_progress(a, e);
                r = first_time(a, "export-settled", NULL, e->identifier);
                if (r < 0)
                        return r;
                if (r == 0)
                        continue;
                r = own_action(a, LEDGER_EXPORT, e->identifier);
                if (r < 0)
                        return r;
                if (r == 0)
                        continue;
                char status[64], percent[32];
                snprintf(status, sizeof(status), "AURORA_EXPORT_STATUS=%s", e->status);
                snprintf(percent, sizeof(percent), "AURORA_PERCENT=%u", e->percent);
                struct event_fields f = {.snapshot = e->identifier,
                                         .action = "export",
                                         .reason = e->status,
                                         .extra = (const char *const[]){status, percent, NULL}};
                if (complete)
                        journal_event(EVENT_EXPORT_COMPLETED, &f, "Export %s is complete", e->identifier);
                else
                        journal_event(EVENT_EXPORT_FAILED, &f, "Export %s ended %s", e->identifier,
                                      e->status);
        }
        return 0;
}

int report_completions(struct agent *a, const struct observation *o, int64_t now)
{
        int k = report_exports(a, o, now);
        if (k < 0)
                return k;
        for (size_t i = 0; i < o->n_snapshots; i++) {
                const struct observed_snapshot *s = &o->snapshots[i];
                struct window_record w = {};
                const char *slot_tag;
                int64_t slot;
                int r;

                if (snapshot_classify(s, agent_snapshot_prefix(a)) != ORIGIN_AGENT)
                        continue;
                if (plan_tag_get(s->tags, s->n_tags, PLAN_TAG_COPY)) {
                        r = report_copy(a, s, now);
                        if (r < 0)
                                return r;
                        continue;
                }
                bool available = streq_ptr(s->status, "available");
                bool failed = streq_ptr(s->status, "failed");
                if (!available && !failed)
                        continue;
                slot_tag = plan_tag_get(s->tags, s->n_tags, TAG_SLOT);
                if (!slot_tag || time_parse_iso8601(slot_tag, &slot) < 0)
                        continue;
                if (now - slot > 40 * SEC_PER_DAY)
                        continue; /* long settled; keeps the cycle's store lookups bounded */
                r = store_window_lookup(a->store, s->cluster_identifier, slot, &w);
                if (r == -ENOENT)
                        continue;
                if (r < 0)
                        return r;
                bool pending =
                    w.outcome == WINDOW_TAKEN && !w.reported && streq_ptr(w.snapshot, s->identifier);
                struct event_fields f = {.policy = w.policy,
                                         .cluster = s->cluster_identifier,
                                         .snapshot = s->identifier,
                                         .region = s->region,
                                         .action = "create"};
                if (pending && available) {
                        f.has_duration = s->create_time != PLAN_TIME_UNKNOWN;
                        f.duration_sec = s->create_time != PLAN_TIME_UNKNOWN && now > s->create_time
                                             ? now - s->create_time
                                             : 0;
                        journal_event(EVENT_SNAPSHOT_CREATED, &f, "Snapshot %s of cluster %s is available",
                                      s->identifier, s->cluster_identifier);
                } else if (pending) {
                        f.reason = "failed";
                        journal_event(EVENT_SNAPSHOT_FAILED, &f, "Snapshot %s of cluster %s failed",
                                      s->identifier, s->cluster_identifier);
                }
                if (pending && !agent_dry_run(a))
                        r = store_window_mark_reported(a->store, s->cluster_identifier, slot);
                window_record_done(&w);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* Items of a region's listings that could not be read and were left out, reported once each. */
static void report_unreadable(struct agent *a, const struct observation *o, const struct observed_region *r)
{
        _cleanup_free_ char *key = NULL;

        if (r->clusters.skipped > 0 && !r->repeat &&
            asprintf(&key, "unreadable-clusters:%s:%zu", r->region, r->clusters.skipped) >= 0 &&
            agent_report_once(a, key) > 0)
                journal_event(
                    EVENT_API_ERROR,
                    &(struct event_fields){
                        .region = r->region, .action = "observe", .error_code = "MalformedItem"},
                    "%zu cluster record(s) in %s could not be read and were left out: nothing is planned "
                    "for them (their snapshots are kept) until they can",
                    r->clusters.skipped, r->region);
        for (size_t i = 0; i < o->n_incomplete; i++) {
                const struct observed_incomplete *x = &o->incomplete[i];
                if (x->region != r->region)
                        continue;
                key = mfree(key);
                if (asprintf(&key, "unreadable-snapshot:%s:%s:%s", r->region, strna(x->cluster),
                             strna(x->snapshot)) < 0 ||
                    agent_report_once(a, key) <= 0)
                        continue;
                journal_event(EVENT_API_ERROR,
                              &(struct event_fields){.region = r->region,
                                                     .cluster = x->cluster,
                                                     .snapshot = x->snapshot,
                                                     .action = "observe",
                                                     .error_code = "MalformedItem"},
                              "Snapshot %s of cluster %s in %s could not be read (a bad field in the "
                              "Describe answer): "
                              "left out, and %s deletes nothing until it can be read",
                              strna(x->snapshot), strna(x->cluster), r->region,
                              x->cluster ? "its cluster" : "no cluster of the region");
        }
}

unsigned report_observe_errors(struct agent *a, const struct observation *o)
{
        unsigned n = o->policies_without_region;

        for (size_t i = 0; i < o->n_regions; i++) {
                const struct observed_region *r = &o->regions[i];
                struct event_fields f = {.region = r->region, .action = "observe"};
                char buf[1024];

                if (r->ok) {
                        report_unreadable(a, o, r);
                        continue;
                }
                n++;
                act_error_fields(&r->error, &f);
                journal_event(EVENT_API_ERROR, &f, "Cannot observe region %s: %s", r->region,
                              aws_error_to_string(&r->error, buf, sizeof(buf)));
                agent_set_last_error(a, "observe %s: %s", r->region, f.error_code);
        }
        return n;
}

struct backup_summary {
        unsigned count;
        int64_t oldest, newest;
        char vaults[256]; /* the vaults known (from the state's vault cache) to hold them, comma-separated */
};

static void add_vault(struct backup_summary *b, const char *vault)
{
        size_t len = strlen(b->vaults), n = strlen(vault);
        const char *p = b->vaults;

        while ((p = strstr(p, vault))) { /* already listed? */
                if ((p == b->vaults || p[-1] == ',') && (p[n] == ',' || p[n] == '\0'))
                        return;
                p += n;
        }
        if (len + n + 2 > sizeof(b->vaults))
                return; /* the journal line stays short; the state has the rest */
        if (len)
                b->vaults[len++] = ',';
        memcpy(b->vaults + len, vault, n + 1);
}

static void backup_summary(struct agent *a, const struct observation *o, struct backup_summary *b)
{
        const char *last_cluster = NULL;

        *b = (struct backup_summary){};
        for (size_t i = 0; i < o->n_snapshots; i++) {
                const struct observed_snapshot *s = &o->snapshots[i];
                enum snapshot_origin origin = snapshot_classify(s, agent_snapshot_prefix(a));
                if (origin != ORIGIN_AWS_BACKUP && origin != ORIGIN_AWS_BACKUP_CONTINUOUS)
                        continue;
                b->count++;
                if (!streq_ptr(last_cluster, s->cluster_identifier)) {
                        const struct observed_cluster *c =
                            observation_find_cluster(o, s->region, s->cluster_identifier);
                        _cleanup_free_ char *vault = NULL;
                        const char *policy = c ? agent_cluster_policy(a, c) : NULL;
                        last_cluster = s->cluster_identifier;
                        if (policy && c->arn && backup_known_vault(a, c->arn, &vault) >= 0)
                                add_vault(b, vault);
                }
                if (s->create_time == PLAN_TIME_UNKNOWN)
                        continue;
                if (b->oldest == 0 || s->create_time < b->oldest)
                        b->oldest = s->create_time;
                if (s->create_time > b->newest)
                        b->newest = s->create_time;
        }
}

/* The region's manual non-AWS-Backup count (as the quota counts) for the STATUS line. */
static unsigned quota_used(const struct agent *a, const struct observation *o, const char *region)
{
        unsigned n = 0;
        for (size_t i = 0; i < o->n_snapshots; i++) {
                if (streq(o->snapshots[i].region, region) &&
                    snapshot_origin_counts_toward_quota(
                        snapshot_classify(&o->snapshots[i], agent_snapshot_prefix(a))))
                        n++;
        }
        return n;
}

/* The account's quota per region: stored for `status`, and what disagrees with it reported once. */
static void report_account_quotas(struct agent *a, const struct observation *o, int64_t now)
{
        for (size_t i = 0; i < o->n_regions; i++) {
                const struct observed_region *r = &o->regions[i];
                struct event_fields f = {.region = r->region, .action = "quota"};
                _cleanup_free_ char *key = NULL;
                char buf[1024];

                if (!r->ok || r->repeat)
                        continue;
                if (!r->quota_known) {
                        if (asprintf(&key, "quota-unknown:%s:%s", r->region, r->quota_error.code) >= 0 &&
                            agent_report_once(a, key) > 0) {
                                act_error_fields(&r->quota_error, &f);
                                journal_event(
                                    EVENT_API_ERROR, &f,
                                    "Cannot read the account's snapshot quota in %s (policies without "
                                    "quota.limit assume %d): %s",
                                    r->region, CONFIG_DEFAULT_QUOTA_LIMIT,
                                    aws_error_to_string(&r->quota_error, buf, sizeof(buf)));
                        }
                        continue;
                }
                unsigned counted = quota_used(a, o, r->region);
                if (a->store)
                        (void)store_account_quota_put(a->store, r->region,
                                                      &(struct account_quota_record){.max = r->quota_max,
                                                                                     .used = r->quota_used,
                                                                                     .counted = counted,
                                                                                     .observed_at = now});
                if (r->quota_used != (int64_t)counted &&
                    asprintf(&key, "quota-used:%s:%" PRId64 ":%u", r->region, r->quota_used, counted) >= 0 &&
                    agent_report_once(a, key) > 0)
                        journal_event(EVENT_QUOTA_MISMATCH, &f,
                                      "AWS counts %" PRId64
                                      " manual cluster snapshots in %s, the agent %u (of a "
                                      "limit of %" PRId64 "): some are out of the agent's sight",
                                      r->quota_used, r->region, counted, r->quota_max);
                key = mfree(key);
                for (size_t k = 0; k < a->config->n_policies; k++) {
                        const struct policy *p = &a->config->policies[k];
                        if (p->quota_limit == 0 || p->quota_limit <= r->quota_max ||
                            !streq_ptr(agent_policy_region(a, p), r->region))
                                continue;
                        if (asprintf(&key, "quota-above:%s:%s:%u:%" PRId64, p->name, r->region,
                                     p->quota_limit, r->quota_max) < 0)
                                return;
                        if (agent_report_once(a, key) > 0) {
                                f.policy = p->name;
                                journal_event(
                                    EVENT_QUOTA_MISMATCH, &f,
                                    "quota.limit %u of policy %s is above the account's manual cluster "
                                    "snapshot quota in %s (%" PRId64 "): AWS refuses creates past it",
                                    p->quota_limit, p->name, r->region, r->quota_max);
                        }
                        key = mfree(key);
                }
        }
}

void report_cycle(struct agent *a, const struct plan *p, const struct observation *o,
                  const struct act_counts *c, unsigned api_calls, int64_t started, int64_t now)
{
        struct backup_summary b;
        char oldest[TIME_ISO8601_MAX] = "-", newest[TIME_ISO8601_MAX] = "-";
        char x[13][320];
        unsigned clusters = 0;

        backup_summary(a, o, &b);
        if (b.oldest)
                time_format_iso8601(b.oldest, oldest);
        if (b.newest)
                time_format_iso8601(b.newest, newest);
        for (size_t i = 0; i < o->n_clusters; i++)
                if (agent_cluster_policy(a, &o->clusters[i]))
                        clusters++;

        snprintf(x[0], sizeof(x[0]), "AURORA_PLANNED=%u", c->planned);
        snprintf(x[1], sizeof(x[1]), "AURORA_SUCCEEDED=%u", c->succeeded);
        snprintf(x[2], sizeof(x[2]), "AURORA_FAILED=%u", c->failed);
        snprintf(x[3], sizeof(x[3]), "AURORA_CREATED=%u", c->created);
        snprintf(x[4], sizeof(x[4]), "AURORA_DELETED=%u", c->deleted + c->backup_deleted);
        snprintf(x[5], sizeof(x[5]), "AURORA_MISSED=%u", c->missed);
        snprintf(x[6], sizeof(x[6]), "AURORA_API_CALLS=%u", api_calls);
        snprintf(x[7], sizeof(x[7]), "AURORA_CLUSTERS=%u", clusters);
        snprintf(x[8], sizeof(x[8]), "AURORA_AWS_BACKUP_SNAPSHOTS=%u", b.count);
        snprintf(x[9], sizeof(x[9]), "AURORA_AWS_BACKUP_OLDEST=%s", oldest);
        snprintf(x[10], sizeof(x[10]), "AURORA_AWS_BACKUP_NEWEST=%s", newest);
        snprintf(x[11], sizeof(x[11]), "AURORA_DRY_RUN=%d", agent_dry_run(a));
        snprintf(x[12], sizeof(x[12]), "AURORA_AWS_BACKUP_VAULTS=%s", b.vaults[0] ? b.vaults : "-");
        const char *extra[] = {x[0], x[1], x[2], x[3],  x[4],  x[5],  x[6],
                               x[7], x[8], x[9], x[10], x[11], x[12], NULL};

        journal_event(
            EVENT_CYCLE_SUMMARY,
            &(struct event_fields){
                .action = "cycle", .has_duration = true, .duration_sec = now - started, .extra = extra},
            "Cycle%s: %u clusters, %u planned, %u succeeded, %u failed, %u created, %u deleted "
            "(%u through AWS Backup), %u missed, %u API calls; AWS Backup snapshots: %u (oldest %s, newest "
            "%s, "
            "vaults %s)",
            agent_dry_run(a) ? " (dry run)" : "", clusters, c->planned, c->succeeded, c->failed, c->created,
            c->deleted + c->backup_deleted, c->backup_deleted, c->missed, api_calls, b.count, oldest, newest,
            b.vaults[0] ? b.vaults : "not yet known");

        report_account_quotas(a, o, now);

        /* STATUS=: the next wake-up, the clusters, the fullest region's quota and the last error. */
        struct notify_summary ns = {.clusters = clusters, .last_error = a->last_error};
        if (p && p->next_wakeup != PLAN_NO_WAKEUP)
                ns.next_slot = p->next_wakeup;
        for (size_t i = 0; i < a->config->n_policies; i++) {
                const struct policy *pol = &a->config->policies[i];
                const char *region = agent_policy_region(a, pol);
                if (!region)
                        continue;
                unsigned used = quota_used(a, o, region);
                int64_t limit = observation_quota_limit(o, pol, region);
                if (!ns.quota_limit || used > ns.quota_used) {
                        ns.quota_used = used;
                        ns.quota_limit =
                            limit > pol->quota_reserve ? (unsigned)(limit - pol->quota_reserve) : 0;
                }
        }
        (void)notify_status_summary(&ns);

        if (a->config->agent.prometheus_textfile) {
                const char *path = a->config->agent.prometheus_textfile;
                _cleanup_free_ char *key = NULL;
                int r = metrics_write(a, path, o, c, now);
                if (asprintf(&key, "metrics-failed:%s", path) < 0)
                        return;
                if (r >= 0) {
                        if (a->store && !agent_dry_run(a))
                                (void)store_reported_forget(a->store, key);
                } else if (agent_report_once(a, key) > 0) {
                        /* Once until it works again: a missing directory would otherwise fill the journal.
                         */
                        char why[256];
                        snprintf(why, sizeof(why), "%s%s", strerror(-r),
                                 r == -ENOENT ? " (its directory does not exist: node_exporter's "
                                                "--collector.textfile.directory?)"
                                              : "");
                        journal_event(
                            EVENT_METRICS_FAILED,
                            &(struct event_fields){.action = "metrics", .target = path, .reason = why},
                            "Cannot write the Prometheus textfile %s: %s; metrics go stale until it can",
                            path, why);
                }
        }
}
