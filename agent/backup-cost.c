/* Backup storage per cluster from CloudWatch (backup-cost.h). */
#include "backup-cost.h"

#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "act-outcome.h"
#include "agent-internal.h"
#include "aws-cloudwatch.h"
#include "journal.h"
#include "log.h"
#include "observation.h"
#include "strv.h"

#define BACKUP_COST_MAX_FILE (16U * 1024U * 1024U)

struct backup_cost *backup_costs_free(struct backup_cost *c, size_t n)
{
        for (size_t i = 0; c && i < n; i++) {
                free(c[i].region);
                free(c[i].cluster);
        }
        free(c);
        return NULL;
}

static int cost_cmp(const void *x, const void *y)
{
        const struct backup_cost *a = x, *b = y;
        int r = strcmp(a->region, b->region);
        return r ? r : strcmp(a->cluster, b->cluster);
}

static int path_of(const char *state_dir, char **ret)
{
        return asprintf(ret, "%s/%s", state_dir, BACKUP_COST_FILE) < 0 ? -ENOMEM : 0;
}

int backup_cost_load(const char *state_dir, struct backup_cost **ret, size_t *ret_n)
{
        _cleanup_free_ char *path = NULL;
        struct backup_cost *out = NULL;
        json_object *root = NULL, *list;
        size_t n = 0;
        int r;

        if ((r = path_of(state_dir, &path)) < 0)
                return r;
        FILE *f = fopen(path, "re");
        if (!f) {
                if (errno != ENOENT)
                        return -errno;
                *ret = NULL;
                *ret_n = 0;
                return 0;
        }
        _cleanup_free_ char *buf = malloc(BACKUP_COST_MAX_FILE + 1);
        size_t len = buf ? fread(buf, 1, BACKUP_COST_MAX_FILE + 1, f) : 0;
        fclose(f);
        if (!buf)
                return -ENOMEM;
        if (len > BACKUP_COST_MAX_FILE)
                return -EFBIG;
        buf[len] = '\0';
        root = json_tokener_parse(buf);
        if (!root || !json_object_object_get_ex(root, "clusters", &list) ||
            !json_object_is_type(list, json_type_array)) {
                json_object_put(root);
                return -EBADMSG;
        }
        size_t total = json_object_array_length(list);
        out = calloc(total + 1, sizeof(*out));
        if (!out) {
                json_object_put(root);
                return -ENOMEM;
        }
        for (size_t i = 0; i < total; i++) {
                json_object *e = json_object_array_get_idx(list, i), *v;
                struct backup_cost *c = &out[n];
                const char *region = NULL, *cluster = NULL;

                if (json_object_object_get_ex(e, "region", &v))
                        region = json_object_get_string(v);
                if (json_object_object_get_ex(e, "cluster", &v))
                        cluster = json_object_get_string(v);
                if (!region || !cluster)
                        continue;
                c->region = strdup(region);
                c->cluster = strdup(cluster);
                if (!c->region || !c->cluster) {
                        n++;
                        backup_costs_free(out, n);
                        json_object_put(root);
                        return -ENOMEM;
                }
                if ((c->has_billed = json_object_object_get_ex(e, "total_backup_storage_billed_bytes", &v)))
                        c->billed_bytes = json_object_get_double(v);
                if ((c->has_snapshot = json_object_object_get_ex(e, "snapshot_storage_used_bytes", &v)))
                        c->snapshot_bytes = json_object_get_double(v);
                if (json_object_object_get_ex(e, "observed_at", &v))
                        c->observed_at = json_object_get_int64(v);
                n++;
        }
        json_object_put(root);
        qsort(out, n, sizeof(*out), cost_cmp);
        *ret = out;
        *ret_n = n;
        return 0;
}

int backup_cost_save(const char *state_dir, const struct backup_cost *c, size_t n)
{
        _cleanup_free_ char *path = NULL, *tmp = NULL;
        json_object *root = json_object_new_object(), *list = json_object_new_array();
        int r = 0;

        if (!root || !list || json_object_object_add(root, "clusters", list) < 0) {
                json_object_put(root);
                json_object_put(list);
                return -ENOMEM;
        }
        for (size_t i = 0; r == 0 && i < n; i++) {
                json_object *e = json_object_new_object();
                if (!e || json_object_array_add(list, e) < 0) {
                        json_object_put(e);
                        r = -ENOMEM;
                        break;
                }
                json_object_object_add(e, "region", json_object_new_string(c[i].region));
                json_object_object_add(e, "cluster", json_object_new_string(c[i].cluster));
                if (c[i].has_billed)
                        json_object_object_add(e, "total_backup_storage_billed_bytes",
                                               json_object_new_double(c[i].billed_bytes));
                if (c[i].has_snapshot)
                        json_object_object_add(e, "snapshot_storage_used_bytes",
                                               json_object_new_double(c[i].snapshot_bytes));
                json_object_object_add(e, "observed_at", json_object_new_int64(c[i].observed_at));
        }
        if (r == 0 && ((r = path_of(state_dir, &path)) < 0 || asprintf(&tmp, "%s.tmp", path) < 0))
                r = -ENOMEM;
        if (r == 0) {
                const char *text = json_object_to_json_string_ext(root, JSON_C_TO_STRING_PLAIN);
                int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
                if (fd < 0)
                        r = -errno;
                else {
                        size_t len = strlen(text), off = 0;
                        while (r == 0 && off < len) {
                                ssize_t k = write(fd, text + off, len - off);
                                if (k < 0 && errno != EINTR)
                                        r = -errno;
                                else if (k > 0)
                                        off += (size_t)k;
                        }
                        if (r == 0 && fsync(fd) < 0)
                                r = -errno;
                        close(fd);
                        if (r == 0 && rename(tmp, path) < 0)
                                r = -errno;
                        if (r < 0)
                                (void)unlink(tmp);
                }
        }
        json_object_put(root);
        return r;
}

/* One region: its selected clusters in batches, each batch one GetMetricData call. */
static int observe_region(struct agent *a, const struct observation *o, const struct observed_region *reg,
                          int64_t now, struct backup_cost **list, size_t *n, size_t *cap)
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
                        if (*n == *cap) {
                                size_t c2 = *cap ? *cap * 2 : 64;
                                struct backup_cost *p = realloc(*list, c2 * sizeof(**list));
                                if (!p) {
                                        cloudwatch_results_free(res, n_res);
                                        return -ENOMEM;
                                }
                                *list = p;
                                *cap = c2;
                        }
                        struct backup_cost *c = &(*list)[*n];
                        *c = (struct backup_cost){.region = strdup(reg->region),
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
        struct backup_cost *old = NULL, *list = NULL;
        size_t n_old = 0, n = 0, cap = 0;
        _cleanup_strv_free_ char **kept = NULL; /* regions whose old figures stay */
        int r = 0;

        if (!a->state_directory || a->opts.read_only)
                return 0;
        for (size_t i = 0; i < o->n_regions; i++) {
                const struct observed_region *reg = &o->regions[i];
                if (!reg->ok || reg->repeat)
                        continue;
                r = observe_region(a, o, reg, now, &list, &n, &cap);
                if (r == -ENOMEM)
                        goto out;
                if (r < 0 && strv_extend(&kept, reg->region) < 0) {
                        r = -ENOMEM;
                        goto out;
                }
                agent_watchdog_ping(a);
        }
        /* Regions not observed in full this time (failed, or CloudWatch refused) keep what was read before.
         */
        if (backup_cost_load(a->state_directory, &old, &n_old) >= 0)
                for (size_t i = 0; i < n_old; i++) {
                        bool observed = false;
                        for (size_t k = 0; k < o->n_regions; k++)
                                if (o->regions[k].ok && streq(o->regions[k].region, old[i].region))
                                        observed = true;
                        if (observed && !strv_contains(kept, old[i].region))
                                continue;
                        if (n == cap) {
                                size_t c2 = cap ? cap * 2 : 64;
                                struct backup_cost *p = realloc(list, c2 * sizeof(*list));
                                if (!p) {
                                        r = -ENOMEM;
                                        goto out;
                                }
                                list = p;
                                cap = c2;
                        }
                        list[n++] = old[i];
                        old[i] = (struct backup_cost){};
                }
        r = backup_cost_save(a->state_directory, list, n);
        if (r < 0) {
                log_error("cannot write %s/%s: %s", a->state_directory, BACKUP_COST_FILE, strerror(-r));
                r = 0;
        }
out:
        backup_costs_free(old, n_old);
        backup_costs_free(list, n);
        return r == -ENOMEM ? r : 0;
}
