/* The Prometheus textfile. Metric names follow the Prometheus conventions (base units, _seconds,
 * _total only for counters); every series is written each cycle, so a vanished cluster disappears. */
#include "metrics.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "plan.h"

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

static void write_metrics(struct agent *a, FILE *f, const struct observation *o, const struct act_counts *c,
                          int64_t now)
{
        fprintf(f, "# HELP aurora_backup_cycle_end_timestamp_seconds When the last cycle ended.\n"
                   "# TYPE aurora_backup_cycle_end_timestamp_seconds gauge\n"
                   "aurora_backup_cycle_end_timestamp_seconds %lld\n",
                (long long)now);
        fprintf(f, "# HELP aurora_backup_cycle_actions Mutating actions of the last cycle, by outcome.\n"
                   "# TYPE aurora_backup_cycle_actions gauge\n"
                   "aurora_backup_cycle_actions{outcome=\"planned\"} %u\n"
                   "aurora_backup_cycle_actions{outcome=\"succeeded\"} %u\n"
                   "aurora_backup_cycle_actions{outcome=\"failed\"} %u\n"
                   "aurora_backup_cycle_actions{outcome=\"created\"} %u\n"
                   "aurora_backup_cycle_actions{outcome=\"deleted\"} %u\n"
                   "aurora_backup_cycle_actions{outcome=\"missed\"} %u\n",
                c->planned, c->succeeded, c->failed, c->created, c->deleted + c->backup_deleted, c->missed);

        fprintf(f, "# HELP aurora_backup_newest_snapshot_timestamp_seconds Creation time of the newest available "
                   "agent snapshot of each managed cluster, as observed at the start of the last cycle (0: none).\n"
                   "# TYPE aurora_backup_newest_snapshot_timestamp_seconds gauge\n");
        for (size_t i = 0; i < o->n_clusters; i++) {
                const struct observed_cluster *cl = &o->clusters[i];
                const char *policy = agent_cluster_policy(a, cl);
                int64_t newest = 0;
                if (!policy)
                        continue;
                for (size_t k = 0; k < o->n_snapshots; k++) {
                        const struct observed_snapshot *s = &o->snapshots[k];
                        if (streq_ptr(s->region, cl->region) && streq_ptr(s->cluster_identifier, cl->identifier) &&
                            snapshot_classify(s, agent_snapshot_prefix(a)) == ORIGIN_AGENT && streq_ptr(s->status, "available") &&
                            s->create_time != PLAN_TIME_UNKNOWN && s->create_time > newest)
                                newest = s->create_time;
                }
                fputs("aurora_backup_newest_snapshot_timestamp_seconds{cluster=\"", f);
                put_label(f, cl->identifier);
                fputs("\",policy=\"", f);
                put_label(f, policy);
                fputs("\",region=\"", f);
                put_label(f, cl->region);
                fprintf(f, "\"} %lld\n", (long long)newest);
        }

        fprintf(f, "# HELP aurora_backup_snapshots Cluster snapshots observed, by region and origin.\n"
                   "# TYPE aurora_backup_snapshots gauge\n");
        for (size_t r = 0; r < o->n_regions; r++) {
                unsigned n[_ORIGIN_MAX] = {};
                if (!o->regions[r].ok || o->regions[r].repeat)
                        continue;
                for (size_t k = 0; k < o->n_snapshots; k++)
                        if (streq(o->snapshots[k].region, o->regions[r].region))
                                n[snapshot_classify(&o->snapshots[k], agent_snapshot_prefix(a))]++;
                for (int k = 0; k < _ORIGIN_MAX; k++) {
                        fputs("aurora_backup_snapshots{region=\"", f);
                        put_label(f, o->regions[r].region);
                        fprintf(f, "\",origin=\"%s\"} %u\n", snapshot_origin_to_string(k), n[k]);
                }
        }
}

int metrics_write(struct agent *a, const char *path, const struct observation *o, const struct act_counts *c,
                  int64_t now)
{
        _cleanup_free_ char *tmp = NULL;
        _cleanup_close_ int fd = -1;
        FILE *f;
        int r;

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
        write_metrics(a, f, o, c, now);
        r = fflush(f) == 0 && fsync(fileno(f)) == 0 ? 0 : negative_errno();
        if (fclose(f) != 0 && r == 0)
                r = negative_errno();
        if (r == 0 && rename(tmp, path) < 0)
                r = negative_errno();
        if (r < 0)
                (void)unlink(tmp);
        return r;
}
