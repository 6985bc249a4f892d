/* The Prometheus textfile. Metric names follow the Prometheus conventions (base units, _seconds,
 * _total only for counters); every series is written each cycle, so a vanished cluster disappears.
 * Counters come from the ledger (settled rows never change), so they survive restarts and only grow.
 * The list of names is in man/aurora-backup-agent.8 and packaging/monitoring/ (tested against it). */
#include "metrics.h"

#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "plan.h"
#include "problems.h"
#include "snapshot-id.h"
#include "store.h"

/* Label values escaped as the text format wants (\\, \" and \n). */
static void put_label(FILE *f, const char *v)
{
        for (; v && *v; v++) {
                if (*v == '\\' || *v == '"')
                        fputc('\\', f);
                if (*v == '\n') {
                        fputs("\\n", f);
                        continue;
                }
                fputc(*v, f);
        }
}

/* What the per-cluster and per-origin gauges need, found in one pass over the snapshots (they used to walk
 * every snapshot once per cluster: O(clusters x snapshots) for each textfile). Indexes follow the
 * observation's arrays. */
struct metrics_view {
        bool *gone;             /* per snapshot: this cycle deleted it */
        int64_t *newest_seen;   /* per cluster: its newest available agent snapshot as observed (0: none) */
        int64_t *newest_kept;   /* the same, leaving out what this cycle deleted */
        size_t *clusters_by_id; /* cluster indexes sorted by (region, identifier), for the lookups */
};

static void metrics_view_done(struct metrics_view *v)
{
        free(v->gone);
        free(v->newest_seen);
        free(v->newest_kept);
        free(v->clusters_by_id);
        *v = (struct metrics_view){};
}

static int cmp_region_id(const char *ra, const char *ia, const char *rb, const char *ib)
{
        int d = strcmp(strempty(ra), strempty(rb));
        return d != 0 ? d : strcmp(strempty(ia), strempty(ib));
}

static int cmp_cluster_index(const void *a, const void *b, void *userdata)
{
        const struct observed_cluster *cl = userdata;
        const struct observed_cluster *x = &cl[*(const size_t *)a], *y = &cl[*(const size_t *)b];
        return cmp_region_id(x->region, x->identifier, y->region, y->identifier);
}

/* Marks every snapshot of that (region, identifier): the views are sorted by it, so they stand together. */
static void mark_gone(const struct observation *o, const struct plan_action *act, bool *gone)
{
        const struct observed_snapshot *s = observation_find_snapshot(o, act->region, act->snapshot);
        if (!s)
                return;
        size_t k = (size_t)(s - o->snapshots);
        while (k > 0 && cmp_region_id(o->snapshots[k - 1].region, o->snapshots[k - 1].identifier,
                                      act->region, act->snapshot) == 0)
                k--;
        for (; k < o->n_snapshots && cmp_region_id(o->snapshots[k].region, o->snapshots[k].identifier,
                                                   act->region, act->snapshot) == 0;
             k++)
                gone[k] = true;
}

/* Raises the newest of every cluster of (region, identifier) to the snapshot's time. */
static void note_newest(const struct observation *o, struct metrics_view *v,
                        const struct observed_snapshot *s, bool gone)
{
        size_t lo = 0, hi = o->n_clusters;

        while (lo < hi) { /* the first cluster not below the snapshot's */
                size_t mid = lo + (hi - lo) / 2;
                const struct observed_cluster *cl = &o->clusters[v->clusters_by_id[mid]];
                if (cmp_region_id(cl->region, cl->identifier, s->region, s->cluster_identifier) < 0)
                        lo = mid + 1;
                else
                        hi = mid;
        }
        for (; lo < o->n_clusters; lo++) {
                size_t i = v->clusters_by_id[lo];
                if (cmp_region_id(o->clusters[i].region, o->clusters[i].identifier, s->region,
                                  s->cluster_identifier) != 0)
                        break;
                v->newest_seen[i] = MAX(v->newest_seen[i], s->create_time);
                if (!gone)
                        v->newest_kept[i] = MAX(v->newest_kept[i], s->create_time);
        }
}

static int metrics_view_build(struct agent *a, const struct observation *o, const struct act_counts *c,
                              struct metrics_view *v)
{
        *v = (struct metrics_view){
            .gone = calloc(o->n_snapshots + 1, sizeof(*v->gone)),
            .newest_seen = calloc(o->n_clusters + 1, sizeof(*v->newest_seen)),
            .newest_kept = calloc(o->n_clusters + 1, sizeof(*v->newest_kept)),
            .clusters_by_id = calloc(o->n_clusters + 1, sizeof(*v->clusters_by_id)),
        };
        if (!v->gone || !v->newest_seen || !v->newest_kept || !v->clusters_by_id) {
                metrics_view_done(v);
                return -ENOMEM;
        }
        for (size_t i = 0; i < c->n_changes; i++)
                if (c->changes[i]->kind == ACTION_DELETE_RDS || c->changes[i]->kind == ACTION_DELETE_BACKUP)
                        mark_gone(o, c->changes[i], v->gone);
        for (size_t i = 0; i < o->n_clusters; i++)
                v->clusters_by_id[i] = i;
        qsort_r(v->clusters_by_id, o->n_clusters, sizeof(*v->clusters_by_id), cmp_cluster_index,
                (void *)o->clusters);
        for (size_t k = 0; k < o->n_snapshots; k++) {
                const struct observed_snapshot *s = &o->snapshots[k];
                if (snapshot_classify(s, agent_snapshot_prefix(a)) == ORIGIN_AGENT &&
                    streq_ptr(s->status, "available") && s->create_time != PLAN_TIME_UNKNOWN &&
                    s->create_time > 0)
                        note_newest(o, v, s, v->gone[k]);
        }
        return 0;
}

/* `name{key="value",...} `, from key, value pairs ended by a NULL key; the caller writes the value. */
static void put_labels(FILE *f, const char *name, const char *key, ...) __attribute__((sentinel));
static void put_labels(FILE *f, const char *name, const char *key, ...)
{
        va_list ap;

        fprintf(f, "%s{", name);
        va_start(ap, key);
        for (const char *sep = ""; key; key = va_arg(ap, const char *), sep = ",") {
                fprintf(f, "%s%s=\"", sep, key);
                put_label(f, va_arg(ap, const char *));
                fputc('"', f);
        }
        va_end(ap);
        fputs("} ", f);
}

/* Whether rows[i] is the first of its cluster (rows are newest first: the newest), and has one. */
static bool newest_of_cluster(const struct ledger_entry *rows, size_t i)
{
        for (size_t k = 0; k < i; k++)
                if (streq_ptr(rows[k].cluster, rows[i].cluster))
                        return false;
        return rows[i].cluster != NULL;
}

/* The first of the n rows from *i on that is the newest of its cluster (*i moved to it); false when none is
 * left. */
static bool next_newest_of_cluster(const struct ledger_entry *rows, size_t n, size_t *i)
{
        for (; *i < n; (*i)++)
                if (newest_of_cluster(rows, *i))
                        return true;
        return false;
}

/* The counters and the gauges kept in the state: actions, problems, next slots, drills. */
static void write_state_metrics(struct agent *a, FILE *f)
{
        struct ledger_count *lc = NULL;
        struct problem *pr = NULL;
        struct next_slot_record *ns = NULL;
        struct ledger_entry *probes = NULL, *restores = NULL;
        size_t n_lc = 0, n_pr = 0, n_ns = 0, n_probes = 0, n_restores = 0;

        if (!a->store)
                return;
        fprintf(
            f, "# HELP aurora_backup_actions_total Mutating actions settled since the state was created, by "
               "ledger kind and outcome (done, failed, abandoned).\n"
               "# TYPE aurora_backup_actions_total counter\n");
        if (store_ledger_counts(a->store, &lc, &n_lc) >= 0)
                for (int k = 0; k < _LEDGER_KIND_MAX; k++)
                        for (int st = LEDGER_DONE; st < _LEDGER_STATE_MAX; st++) {
                                uint64_t n = 0;
                                for (size_t i = 0; i < n_lc; i++)
                                        if ((int)lc[i].kind == k && (int)lc[i].state == st)
                                                n = lc[i].count;
                                put_labels(f, "aurora_backup_actions_total", "kind",
                                           ledger_kind_to_string(k), "outcome", ledger_state_to_string(st),
                                           NULL);
                                fprintf(f, "%llu\n", (unsigned long long)n);
                        }
        free(lc);

        fprintf(f, "# HELP aurora_backup_problems Unresolved problems kept in the state, by kind.\n"
                   "# TYPE aurora_backup_problems gauge\n");
        if (store_problems_list(a->store, 0, &pr, &n_pr) >= 0)
                for (int k = 0; k < _PROBLEM_KIND_MAX; k++) {
                        unsigned n = 0;
                        for (size_t i = 0; i < n_pr; i++)
                                n += (int)pr[i].kind == k;
                        put_labels(f, "aurora_backup_problems", "kind", problem_kind_to_string(k), NULL);
                        fprintf(f, "%u\n", n);
                }
        fprintf(f, "# HELP aurora_backup_problem_oldest_timestamp_seconds When the oldest unresolved "
                   "problem of each "
                   "kind was first seen (absent: none).\n"
                   "# TYPE aurora_backup_problem_oldest_timestamp_seconds gauge\n");
        for (int k = 0; k < _PROBLEM_KIND_MAX; k++) {
                int64_t oldest = 0;
                for (size_t i = 0; i < n_pr; i++)
                        if ((int)pr[i].kind == k && (oldest == 0 || pr[i].first_seen < oldest))
                                oldest = pr[i].first_seen;
                if (oldest) {
                        put_labels(f, "aurora_backup_problem_oldest_timestamp_seconds", "kind",
                                   problem_kind_to_string(k), NULL);
                        fprintf(f, "%lld\n", (long long)oldest);
                }
        }
        problems_free(pr, n_pr);

        fprintf(
            f,
            "# HELP aurora_backup_next_slot_timestamp_seconds When each selected cluster's next (or open) "
            "scheduled slot starts.\n"
            "# TYPE aurora_backup_next_slot_timestamp_seconds gauge\n");
        if (store_next_slots_load(a->store, &ns, &n_ns) >= 0)
                for (size_t i = 0; i < n_ns; i++) {
                        put_labels(f, "aurora_backup_next_slot_timestamp_seconds", "policy", ns[i].policy,
                                   "cluster", ns[i].cluster, NULL);
                        fprintf(f, "%lld\n", (long long)ns[i].slot_start);
                }
        next_slot_records_free(ns, n_ns);

        /* Restore drills: the newest successful probe of each cluster (the probe settles a drill), and the
         * time to restore it measured: from its restore call to the probe's end. */
        struct ledger_filter pf = LEDGER_FILTER_ALL;
        pf.kind = LEDGER_PROBE;
        pf.state = LEDGER_DONE;
        pf.limit = 1000;
        struct ledger_filter rf = LEDGER_FILTER_ALL;
        rf.kind = LEDGER_RESTORE;
        rf.limit = 1000;
        if (store_ledger_list(a->store, &pf, &probes, &n_probes) < 0 ||
            store_ledger_list(a->store, &rf, &restores, &n_restores) < 0)
                n_probes = 0;
        fprintf(
            f,
            "# HELP aurora_backup_restore_drill_last_success_timestamp_seconds When the newest successful "
            "restore drill of each cluster ended.\n"
            "# TYPE aurora_backup_restore_drill_last_success_timestamp_seconds gauge\n");
        for (size_t i = 0; next_newest_of_cluster(probes, n_probes, &i); i++) {
                put_labels(f, "aurora_backup_restore_drill_last_success_timestamp_seconds", "cluster",
                           probes[i].cluster, NULL);
                fprintf(f, "%lld\n", (long long)probes[i].updated_at);
        }
        fprintf(f,
                "# HELP aurora_backup_restore_drill_duration_seconds Time to restore measured by the newest "
                "successful drill of each cluster (restore call to a writer that passed the probe).\n"
                "# TYPE aurora_backup_restore_drill_duration_seconds gauge\n");
        for (size_t i = 0; next_newest_of_cluster(probes, n_probes, &i); i++) {
                for (size_t k = 0; k < n_restores; k++)
                        if (streq_ptr(restores[k].cluster, probes[i].cluster) &&
                            restores[k].created_at <= probes[i].created_at) {
                                put_labels(f, "aurora_backup_restore_drill_duration_seconds", "cluster",
                                           probes[i].cluster, NULL);
                                fprintf(f, "%lld\n",
                                        (long long)(probes[i].updated_at - restores[k].created_at));
                                break;
                        }
        }
        ledger_entries_free(probes, n_probes);
        ledger_entries_free(restores, n_restores);
}

/* The first cluster from *i on that a policy manages (*i moved to it): its policy, or NULL when none is
 * left. */
static const char *next_managed(struct agent *a, const struct observation *o, size_t *i)
{
        for (; *i < o->n_clusters; (*i)++) {
                const char *policy = agent_cluster_policy(a, &o->clusters[*i]);
                if (policy)
                        return policy;
        }
        return NULL;
}

static void write_metrics(struct agent *a, FILE *f, const struct observation *o, const struct act_counts *c,
                          const struct metrics_view *v, int64_t now)
{
        const char *policy;

        fprintf(f,
                "# HELP aurora_backup_cycle_end_timestamp_seconds When the last cycle ended.\n"
                "# TYPE aurora_backup_cycle_end_timestamp_seconds gauge\n"
                "aurora_backup_cycle_end_timestamp_seconds %lld\n",
                (long long)now);
        fprintf(f,
                "# HELP aurora_backup_cycle_actions Mutating actions of the last cycle, by outcome.\n"
                "# TYPE aurora_backup_cycle_actions gauge\n"
                "aurora_backup_cycle_actions{outcome=\"planned\"} %u\n"
                "aurora_backup_cycle_actions{outcome=\"succeeded\"} %u\n"
                "aurora_backup_cycle_actions{outcome=\"failed\"} %u\n"
                "aurora_backup_cycle_actions{outcome=\"created\"} %u\n"
                "aurora_backup_cycle_actions{outcome=\"deleted\"} %u\n"
                "aurora_backup_cycle_actions{outcome=\"missed\"} %u\n",
                c->planned, c->succeeded, c->failed, c->created, c->deleted + c->backup_deleted, c->missed);

        write_state_metrics(a, f);

        fprintf(f,
                "# HELP aurora_backup_last_snapshot_timestamp_seconds Creation time of the newest available "
                "snapshot the agent made of each selected cluster (0: none yet).\n"
                "# TYPE aurora_backup_last_snapshot_timestamp_seconds gauge\n");
        for (size_t i = 0; (policy = next_managed(a, o, &i)); i++) {
                put_labels(f, "aurora_backup_last_snapshot_timestamp_seconds", "policy", policy, "cluster",
                           o->clusters[i].identifier, NULL);
                fprintf(f, "%lld\n", (long long)v->newest_kept[i]);
        }

        fprintf(f, "# HELP aurora_backup_manual_snapshots Manual cluster snapshots the quota counts in each "
                   "region, "
                   "after the last cycle's deletions and creations.\n"
                   "# TYPE aurora_backup_manual_snapshots gauge\n");
        for (size_t r = 0; r < o->n_regions; r++) {
                if (!o->regions[r].ok || o->regions[r].repeat)
                        continue;
                put_labels(f, "aurora_backup_manual_snapshots", "region", o->regions[r].region, NULL);
                fprintf(f, "%lld\n", (long long)problems_quota_count(a, o, c, o->regions[r].region));
        }
        fprintf(f,
                "# HELP aurora_backup_quota_limit The manual cluster snapshot limit the agent works under "
                "in each "
                "region (the account's ManualClusterSnapshots, else the first policy's quota.limit or the "
                "default).\n"
                "# TYPE aurora_backup_quota_limit gauge\n");
        for (size_t r = 0; r < o->n_regions; r++) {
                const struct observed_region *reg = &o->regions[r];
                if (!reg->ok || reg->repeat)
                        continue;
                int64_t limit = reg->quota_known ? reg->quota_max : CONFIG_DEFAULT_QUOTA_LIMIT;
                for (size_t k = 0; !reg->quota_known && k < a->config->n_policies; k++)
                        if (streq_ptr(agent_policy_region(a, &a->config->policies[k]), reg->region)) {
                                limit = observation_quota_limit(o, &a->config->policies[k], reg->region);
                                break;
                        }
                put_labels(f, "aurora_backup_quota_limit", "region", reg->region, NULL);
                fprintf(f, "%lld\n", (long long)limit);
        }

        fprintf(
            f,
            "# HELP aurora_backup_export_progress_ratio Progress of the agent's export tasks not yet ended "
            "(0 to 1).\n"
            "# TYPE aurora_backup_export_progress_ratio gauge\n");
        for (size_t r = 0; r < o->n_regions; r++) {
                const char *prefix = agent_snapshot_prefix(a);
                for (size_t k = 0; o->regions[r].ok && k < o->regions[r].exports.n; k++) {
                        const struct rds_export_task *e = &o->regions[r].exports.items[k];
                        if (!e->identifier || strncmp(e->identifier, prefix, strlen(prefix)) != 0)
                                continue;
                        bool done = streq_ptr(e->status, "COMPLETE");
                        if (!done && !streq_ptr(e->status, "STARTING") &&
                            !streq_ptr(e->status, "IN_PROGRESS"))
                                continue;
                        put_labels(f, "aurora_backup_export_progress_ratio", "task", e->identifier, NULL);
                        fprintf(f, "%.2f\n", done ? 1.0 : e->percent_progress / 100.0);
                }
        }

        fprintf(
            f,
            "# HELP aurora_backup_newest_snapshot_timestamp_seconds Creation time of the newest available "
            "agent snapshot of each managed cluster, as observed at the start of the last cycle (0: none).\n"
            "# TYPE aurora_backup_newest_snapshot_timestamp_seconds gauge\n");
        for (size_t i = 0; (policy = next_managed(a, o, &i)); i++) {
                put_labels(f, "aurora_backup_newest_snapshot_timestamp_seconds", "cluster",
                           o->clusters[i].identifier, "policy", policy, "region", o->clusters[i].region,
                           NULL);
                fprintf(f, "%lld\n", (long long)v->newest_seen[i]);
        }

        fprintf(
            f,
            "# HELP aurora_backup_snapshots Cluster snapshots, by region and origin, after the last cycle's "
            "deletions.\n"
            "# TYPE aurora_backup_snapshots gauge\n");
        for (size_t r = 0; r < o->n_regions; r++) {
                unsigned n[_ORIGIN_MAX] = {};
                if (!o->regions[r].ok || o->regions[r].repeat)
                        continue;
                for (size_t k = 0; k < o->n_snapshots; k++)
                        if (streq(o->snapshots[k].region, o->regions[r].region) && !v->gone[k])
                                n[snapshot_classify(&o->snapshots[k], agent_snapshot_prefix(a))]++;
                for (int k = 0; k < _ORIGIN_MAX; k++) {
                        put_labels(f, "aurora_backup_snapshots", "region", o->regions[r].region, "origin",
                                   snapshot_origin_to_string(k), NULL);
                        fprintf(f, "%u\n", n[k]);
                }
        }
}

int metrics_write(struct agent *a, const char *path, const struct observation *o, const struct act_counts *c,
                  int64_t now)
{
        _cleanup_free_ char *tmp = NULL;
        _cleanup_close_ int fd = -1;
        _cleanup_(metrics_view_done) struct metrics_view view = {};
        FILE *f;
        int r;

        r = metrics_view_build(a, o, c, &view);
        if (r < 0)
                return r;
        if (asprintf(&tmp, "%s.XXXXXX", path) < 0)
                return -ENOMEM;
        fd = mkstemp(tmp);
        if (fd < 0)
                return negative_errno();
        (void)fchmod(fd, 0644); /* node_exporter runs as another user */
        f = fdopen(fd, "w");
        if (!f) {
                r = negative_errno();
                (void)unlink(tmp);
                return r;
        }
        fd = -1;
        write_metrics(a, f, o, c, &view, now);
        r = fflush(f) == 0 && fsync(fileno(f)) == 0 ? 0 : negative_errno();
        if (fclose(f) != 0 && r == 0)
                r = negative_errno();
        if (r == 0 && rename(tmp, path) < 0)
                r = negative_errno();
        if (r < 0)
                (void)unlink(tmp);
        return r;
}
