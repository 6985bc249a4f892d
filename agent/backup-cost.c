/* Backup storage per cluster from CloudWatch (backup-cost.h). */
#include "backup-cost.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "act-outcome.h"
#include "agent-internal.h"
#include "array.h"
#include "aws-cloudwatch.h"
#include "journal.h"
#include "log.h"
#include "observation.h"
#include "store.h"
#include "strv.h"

/* One region: its selected clusters in batches, each batch one GetMetricData call. */
static int observe_region(struct agent *a, const struct observation *o, const struct observed_region *reg,
                          int64_t now, struct backup_storage_record **list, size_t *n, size_t *cap)
{
        static const char *const metrics[2] = {"TotalBackupStorageBilled", "SnapshotStorageUsed"};
        _cleanup_free_ const struct observed_cluster **sel = calloc(o->n_clusters + 1, sizeof(*sel));
        struct aws_client *client = NULL;
        struct aws_error e = {};
        size_t n_sel = 0;
        int r;

        if (!sel)
                return -ENOMEM;
        for (size_t i = 0; i < o->n_clusters; i++)
                if (streq(o->clusters[i].region, reg->region) && agent_cluster_policy(a, &o->clusters[i]))
                        sel[n_sel++] = &o->clusters[i];
        if (n_sel == 0)
                return 0;
        r = agent_client_get(a, reg->region, reg->policy, &client, &e);
        for (size_t from = 0; r >= 0 && from < n_sel; from += BACKUP_COST_CLUSTERS_PER_CALL) {
                size_t batch = n_sel - from < BACKUP_COST_CLUSTERS_PER_CALL ? n_sel - from
                                                                            : BACKUP_COST_CLUSTERS_PER_CALL;
                struct cloudwatch_query q[2 * BACKUP_COST_CLUSTERS_PER_CALL];
                char ids[2 * BACKUP_COST_CLUSTERS_PER_CALL][16];
                struct cloudwatch_result *res = NULL;
                size_t n_res = 0;

                for (size_t i = 0; i < batch; i++)
                        for (size_t m = 0; m < 2; m++) {
                                snprintf(ids[2 * i + m], sizeof(ids[0]), "%c%zu", m ? 's' : 'b', i);
                                q[2 * i + m] = (struct cloudwatch_query){
                                    .id = ids[2 * i + m],
                                    .namespace_ = "AWS/RDS",
                                    .metric = metrics[m],
                                    .dimension_name = "DBClusterIdentifier",
                                    .dimension_value = sel[from + i]->identifier,
                                    .stat = "Average",
                                    .period_sec = BACKUP_COST_PERIOD_SEC,
                                };
                        }
                r = cloudwatch_get_metric_data(client, q, 2 * batch, now - BACKUP_COST_LOOKBACK_SEC, now,
                                               &res, &n_res, &e);
                if (r < 0)
                        break;
                for (size_t i = 0; i < batch; i++) {
                        if (array_grow((void **)list, cap, *n, sizeof(**list)) < 0) {
                                cloudwatch_results_free(res, n_res);
                                return -ENOMEM;
                        }
                        struct backup_storage_record *c = &(*list)[*n];
                        *c = (struct backup_storage_record){.region = strdup(reg->region),
                                                            .cluster = strdup(sel[from + i]->identifier),
                                                            .observed_at = now};
                        (*n)++;
                        if (!c->region || !c->cluster) {
                                cloudwatch_results_free(res, n_res);
                                return -ENOMEM;
                        }
                        for (size_t k = 0; k < n_res; k++) {
                                if (!res[k].has_value || strtoul(res[k].id + 1, NULL, 10) != i)
                                        continue;
                                if (res[k].id[0] == 'b') {
                                        c->has_billed = true;
                                        c->billed_bytes = res[k].value;
                                } else if (res[k].id[0] == 's') {
                                        c->has_snapshot = true;
                                        c->snapshot_bytes = res[k].value;
                                }
                        }
                }
                cloudwatch_results_free(res, n_res);
        }
        if (r == -ENOMEM)
                return r;
        if (r < 0) {
                _cleanup_free_ char *key = NULL;
                if (asprintf(&key, "cloudwatch-error:%s:%s", reg->region, e.code) < 0)
                        return -ENOMEM;
                if (agent_report_once(a, key) > 0) {
                        struct event_fields f = {.region = reg->region, .action = "backup-storage"};
                        char buf[512];
                        act_error_fields(&e, &f);
                        journal_event(
                            EVENT_API_ERROR, &f,
                            "Cannot read the backup storage metrics of %s from CloudWatch: %s; status shows "
                            "the last figures read",
                            reg->region, aws_error_to_string(&e, buf, sizeof(buf)));
                }
                return -EAGAIN; /* the region keeps its previous figures */
        }
        return 0;
}

int backup_cost_observe(struct agent *a, const struct observation *o, int64_t now)
{
        struct backup_storage_record *list = NULL;
        size_t n = 0, cap = 0;
        _cleanup_strv_free_ char **replaced = NULL; /* regions whose figures are replaced */
        int r = 0;

        if (!a->store || a->opts.read_only)
                return 0;
        for (size_t i = 0; i < o->n_regions; i++) {
                const struct observed_region *reg = &o->regions[i];
                if (!reg->ok || reg->repeat)
                        continue;
                size_t before = n;
                r = observe_region(a, o, reg, now, &list, &n, &cap);
                if (r == -ENOMEM)
                        goto out;
                if (r < 0) {
                        /* Not read in full: what an earlier batch read goes, the last figures stay. */
                        for (size_t k = before; k < n; k++) {
                                free(list[k].region);
                                free(list[k].cluster);
                        }
                        n = before;
                } else if (strv_extend(&replaced, reg->region) < 0) {
                        r = -ENOMEM;
                        goto out;
                }
                agent_watchdog_ping(a);
        }
        r = store_backup_storage_replace(a->store, replaced, strv_length(replaced), list, n);
        if (r < 0) {
                log_error("cannot record the backup storage figures in %s: %s (%s)", a->state_directory,
                          store_last_error(a->store), strerror(-r));
                r = 0;
        }
out:
        backup_storage_records_free(list, n);
        return r == -ENOMEM ? r : 0;
}
