/* The observe step. Snapshots come from one paged region-wide listing (no SnapshotType: automated and
 * manual, which is how AWS Backup's Aurora snapshots are listed; for cluster snapshots the API documents
 * no "awsbackup" type, so none is asked for). AWS Backup recovery points are recognised by their
 * identifiers, whatever type RDS reports. Tags come with the Describe responses. */
#include "observe.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "act-outcome.h"
#include "agent-internal.h"
#include "array.h"
#include "aws-rds.h"
#include "backup-delete.h"
#include "journal.h"
#include "log.h"
#include "plan-quota.h"
#include "snapshot-id.h"
#include "store.h"
#include "strv.h"
#include "task.h"

static const char *role_of(const struct policy *p)
{
        return p ? p->assume_role.role_arn : NULL;
}

static int regions_add(struct observation *o, const char *region, const struct policy *p)
{
        for (size_t i = 0; i < o->n_regions; i++)
                if (streq(o->regions[i].region, region) &&
                    streq_ptr(role_of(o->regions[i].policy), role_of(p)))
                        return (int)i;
        struct observed_region *n = ARRAY_ADD_SLOT(o->regions, o->n_regions);
        if (!n)
                return -ENOMEM;
        *n = (struct observed_region){.policy = p};
        n->region = strdup(region);
        if (!n->region)
                return -ENOMEM;
        return (int)o->n_regions++;
}

static bool region_exports(const struct agent *a, const char *region)
{
        for (size_t i = 0; i < a->config->n_policies; i++) {
                const struct policy *p = &a->config->policies[i];
                if (p->export_.enabled && streq_ptr(agent_policy_region((struct agent *)a, p), region))
                        return true;
        }
        return false;
}

/* One region's listings, into `part` (its own, so that regions observed at the same time never share an
 * array): the caller merges the parts in region order. */
static int observe_region(struct agent *a, struct observed_region *r, struct observation *part)
{
        struct snapshot_sink sink = {.o = part, .region = r->region};
        struct aws_client *c;
        int k;

        k = agent_client_get(a, r->region, r->policy, &c, &r->error);
        if (k < 0)
                return k;
        k = rds_describe_db_clusters(c, NULL, &r->clusters, &r->error);
        if (k < 0)
                return k;
        if (!r->repeat) {
                k = rds_describe_account_quota(c, RDS_QUOTA_MANUAL_CLUSTER_SNAPSHOTS, &r->quota_used,
                                               &r->quota_max, &r->quota_error);
                if (k == -ENOMEM)
                        return k;
                r->quota_known = k >= 0;
        }
        k = rds_describe_db_cluster_snapshots_foreach(c, &(struct rds_snapshot_filter){},
                                                      observation_collect_view, &sink, &r->error);
        if (k < 0)
                return k;
        if (region_exports(a, r->region)) {
                k = rds_describe_export_tasks(c, NULL, NULL, &r->exports, &r->error);
                if (k < 0)
                        return k;
        }
        return 0;
}

struct observe_job {
        struct agent *a;
        struct observation *o;
        struct observation *parts;
        int *results;
};

static void observe_one_region(size_t i, void *userdata)
{
        struct observe_job *j = userdata;
        j->results[i] = observe_region(j->a, &j->o->regions[i], &j->parts[i]);
}

int observe(struct agent *a, struct observation *ret)
{
        struct observation o = {};
        struct observation *parts = NULL;
        int *results = NULL;
        int r;

        for (size_t i = 0; i < a->config->n_policies; i++) {
                const struct policy *p = &a->config->policies[i];
                const char *region = agent_policy_region(a, p);
                if (!region) {
                        /* Nothing to observe for it: the report step says so. */
                        o.policies_without_region++;
                        log_error("policy %s has no region: set its region, agent.region or "
                                  "AWS_REGION",
                                  p->name);
                        continue;
                }
                r = regions_add(&o, region, p);
                if (r < 0)
                        goto fail;
                for (size_t k = 0; k < p->n_copies; k++) {
                        r = regions_add(&o, p->copies[k].region, p);
                        if (r < 0)
                                goto fail;
                }
        }

        /* Another role's view of the same region: observed separately, listed once. */
        for (size_t i = 0; i < o.n_regions; i++)
                for (size_t k = 0; k < i; k++)
                        o.regions[i].repeat |= streq(o.regions[k].region, o.regions[i].region);

        /* Every region at once (in a task; one after another elsewhere), each into its own part. */
        parts = calloc(o.n_regions + 1, sizeof(*parts));
        results = calloc(o.n_regions + 1, sizeof(*results));
        if (!parts || !results) {
                r = -ENOMEM;
                goto fail;
        }
        task_for_each(o.n_regions, TASK_FOR_EACH_MAX_WIDTH, observe_one_region,
                      &(struct observe_job){.a = a, .o = &o, .parts = parts, .results = results});
        r = 0;
        for (size_t i = 0; i < o.n_regions; i++) {
                struct observed_region *reg = &o.regions[i];
                if (results[i] == -ENOMEM)
                        r = -ENOMEM;
                reg->ok = results[i] >= 0;
                if (reg->ok && r >= 0)
                        r = observation_merge_part(&o, &parts[i]);
                else {
                        observation_done(&parts[i]);
                        rds_db_cluster_list_done(&reg->clusters);
                        rds_export_task_list_done(&reg->exports);
                }
        }
        if (r < 0)
                goto fail;

        r = observation_rebuild_views(&o);
        if (r < 0)
                goto fail;
        /* One sort by (region, identifier) for lookups, dropping what two listings both returned (the
         * default and the awsbackup one, or two roles into the same account). */
        observation_sort_views(&o, 0);
        /* The vaults of AWS Backup snapshots (for the cycle summary) are learned here, never by the report.
         */
        r = backup_vaults_observe(a, &o);
        if (r < 0)
                goto fail;
        *ret = o;
        free(parts);
        free(results);
        return 0;
fail:
        free(parts);
        free(results);
        observation_done(&o);
        return r;
}

int observe_cluster_instances(struct agent *a, struct observation *o, const struct observed_cluster *c,
                              const struct policy *p, const char *policy, const char *what,
                              const char *placeholder)
{
        _cleanup_(rds_db_instance_list_done) struct rds_db_instance_list l = {};
        struct aws_error e = {};
        struct aws_client *client;
        int r;

        r = agent_client_get(a, c->region, p, &client, &e);
        if (r >= 0)
                r = rds_describe_db_instances(client, NULL, c->identifier, &l, &e);
        if (r == -ENOMEM)
                return r;
        if (r < 0) {
                struct event_fields f = {
                    .policy = policy, .region = c->region, .target = c->identifier, .action = "observe"};
                char buf[1024];
                act_error_fields(&e, &f);
                journal_event(EVENT_API_ERROR, &f, "Cannot look at the instances of %s %s: %s", what,
                              c->identifier, aws_error_to_string(&e, buf, sizeof(buf)));
                return observation_instance_add(o, c->region, placeholder, c->identifier, NULL);
        }
        for (size_t i = 0; i < l.n; i++)
                if (l.items[i].identifier && streq_ptr(l.items[i].cluster_identifier, c->identifier)) {
                        r = observation_instance_add(o, c->region, l.items[i].identifier, c->identifier,
                                                     l.items[i].status ?: "unknown");
                        if (r < 0)
                                return r;
                }
        return 0;
}
