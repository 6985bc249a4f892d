/* Control commands' lookups: a cluster, a snapshot, in the regions the agent's policies use; targeted
 * Describe calls only (never a region-wide listing for one request). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "control-internal.h"
#include "observation.h"
#include "select.h"
#include "string-table.h"

void control_cluster_done(struct control_cluster *c)
{
        if (!c)
                return;
        rds_db_cluster_list_done(&c->list);
        *c = (struct control_cluster){};
}

void control_snapshot_done(struct control_snapshot *s)
{
        if (!s)
                return;
        rds_db_cluster_snapshot_list_done(&s->list);
        free(s->tags);
        *s = (struct control_snapshot){};
}

int control_reply_request_id(struct control_reply *reply, const char *request_id)
{
        if (isempty(request_id))
                return reply->error;
        return control_reply_add_string(reply, "aws_request_id", request_id);
}

int control_reply_aws_error(struct control_reply *reply, const struct aws_error *e, const char *fmt, ...)
{
        _cleanup_free_ char *what = NULL;
        char buf[1024];
        va_list ap;

        va_start(ap, fmt);
        (void)vasprintf_safe(&what, fmt, ap);
        va_end(ap);
        control_reply_set(reply, CONTROL_FAILED, "%s: %s", strempty(what),
                          aws_error_to_string(e, buf, sizeof(buf)));
        if (e->code[0])
                control_reply_add_string(reply, "aws_error_code", e->code);
        return control_reply_request_id(reply, e->request_id);
}

static const char *const origin_words[_ORIGIN_MAX] = {
    [ORIGIN_AUTOMATED] = "an automated snapshot (RDS deletes it at the end of the backup retention period)",
    [ORIGIN_AWS_BACKUP] = "an AWS Backup snapshot",
    [ORIGIN_AWS_BACKUP_CONTINUOUS] =
        "AWS Backup's continuous backup of the cluster (deleting it would stop continuous backup)",
    [ORIGIN_AGENT] = "the agent's own snapshot",
    [ORIGIN_FOREIGN_MANUAL] = "not the agent's own (its name, managed-by tag and slot tag must all agree)",
};

DEFINE_STRING_TABLE_TO_STRING(control_origin, enum snapshot_origin, origin_words,
                              origin_words[ORIGIN_FOREIGN_MANUAL])

/* The i-th distinct (region, role) the config's policies use, and the first policy using it. */
static bool region_at(struct agent *a, size_t i, const char **ret_region, const struct policy **ret_policy)
{
        for (; i < a->config->n_policies; i++) {
                const struct policy *p = &a->config->policies[i];
                const char *region = agent_policy_region(a, p);
                bool seen = false;
                if (!region)
                        continue;
                for (size_t k = 0; k < i && !seen; k++) {
                        const struct policy *q = &a->config->policies[k];
                        seen = streq_ptr(agent_policy_region(a, q), region) &&
                               streq_ptr(q->assume_role.role_arn, p->assume_role.role_arn);
                }
                if (seen)
                        continue;
                *ret_region = region;
                *ret_policy = p;
                return true;
        }
        return false;
}

static const struct policy *selecting_policy(struct agent *a, const char *region,
                                             const struct rds_db_cluster *c, struct tag *tags)
{
        struct observed_cluster v = observation_cluster_view(c, region, tags);
        for (size_t i = 0; i < a->config->n_policies; i++) {
                const struct policy *p = &a->config->policies[i];
                if (plan_policy_selects(p, agent_policy_region(a, p), &v))
                        return plan_policy_in_shard(&a->config->agent, p) ? p : NULL;
        }
        return NULL;
}

/* Where a lookup found what it looked for. */
struct region_hit {
        const char *region;
        const struct policy *policy;
        struct aws_client *client;
};

/* One region's targeted Describe call: 1 (found: its list, in userdata, is kept), 0 (not in this region)
 * or a negative errno with `e` filled. */
typedef int (*describe_fn)(struct aws_client *client, const char *id, void *userdata, struct aws_error *e);

/* Ask each region the config's policies use (only `only_region`, when set) until one has `id`. 0 with *ret,
 * -ENOENT (the reply says it is not found), or another negative errno (the reply says why). */
static int find_in_regions(struct agent *a, const char *what, const char *id, const char *only_region,
                           describe_fn describe, void *userdata, struct region_hit *ret,
                           struct control_reply *reply)
{
        _cleanup_(control_reply_done) struct control_reply ignored = {};
        const struct policy *p;
        const char *region;
        int r;

        if (!reply)
                reply = &ignored;
        for (size_t i = 0; region_at(a, i, &region, &p); i++) {
                struct aws_error e = {};
                struct aws_client *client;

                /* region_at skips repeats: move i to the policy it returned. */
                i = (size_t)(p - a->config->policies);
                if (only_region && !streq(only_region, region))
                        continue;
                r = agent_client_get(a, region, p, &client, &e);
                if (r >= 0)
                        r = describe(client, id, userdata, &e);
                if (r < 0) {
                        (void)control_reply_aws_error(reply, &e, "cannot look for %s %s in %s", what, id,
                                                      region);
                        return r;
                }
                if (r > 0) {
                        *ret = (struct region_hit){.region = region, .policy = p, .client = client};
                        return 0;
                }
        }
        control_reply_set(reply, CONTROL_FAILED, "%s %s not found in the regions the policies use", what,
                          id);
        return -ENOENT;
}

static int describe_cluster(struct aws_client *client, const char *id, void *userdata, struct aws_error *e)
{
        struct rds_db_cluster_list *list = userdata;
        int r = rds_describe_db_clusters(client, id, list, e);
        if (r < 0)
                return streq(e->code, "DBClusterNotFoundFault") ? 0 : r;
        if (list->n > 0)
                return 1;
        rds_db_cluster_list_done(list);
        return 0;
}

int control_find_cluster(struct agent *a, const char *identifier, struct control_cluster *ret,
                         struct control_reply *reply)
{
        struct rds_db_cluster_list list = {};
        struct region_hit hit;
        int r;

        r = find_in_regions(a, "cluster", identifier, NULL, describe_cluster, &list, &hit, reply);
        if (r < 0)
                return r;
        _cleanup_free_ struct tag *tags = calloc(list.items[0].n_tags + 1, sizeof(*tags));
        if (!tags) {
                rds_db_cluster_list_done(&list);
                return -ENOMEM;
        }
        *ret = (struct control_cluster){.region = hit.region, .client = hit.client, .list = list};
        ret->cluster = &ret->list.items[0];
        ret->policy = selecting_policy(a, hit.region, ret->cluster, tags);
        return 0;
}

/* A control_find_*() result as a handler's lookup returns it: a lookup that failed has its reply filled,
 * which answers the request, unless the agent itself failed. */
static int lookup_result(int r)
{
        if (r >= 0)
                return 1;
        return r == -ENOMEM ? r : 0;
}

int control_lookup_cluster(struct agent *a, const char *verb, const char *id, struct control_cluster *ret,
                           struct control_reply *reply)
{
        if (isempty(id))
                return control_reply_set(reply, CONTROL_USAGE, "%s: which cluster?", verb);
        return lookup_result(control_find_cluster(a, id, ret, reply));
}

/* "arn:aws:rds:REGION:ACCOUNT:cluster-snapshot:ID" -> REGION (in buf), or NULL. */
static const char *arn_region(const char *arn, char *buf, size_t size)
{
        const char *p = startswith(arn, "arn:");
        if (!p)
                return NULL;
        p = strchr(p, ':'); /* after the partition */
        if (!p || !startswith(p + 1, "rds:"))
                return NULL;
        p += 5;
        const char *end = strchr(p, ':');
        if (!end || end == p || (size_t)(end - p) >= size)
                return NULL;
        memcpy(buf, p, (size_t)(end - p));
        buf[end - p] = '\0';
        return buf;
}

struct snapshot_lookup {
        struct rds_db_cluster_snapshot_list list;
        bool include_shared; /* asked by ARN: a snapshot shared with this account counts */
};

static int describe_snapshot(struct aws_client *client, const char *id, void *userdata, struct aws_error *e)
{
        struct snapshot_lookup *l = userdata;
        int r = rds_describe_db_cluster_snapshots(
            client,
            &(struct rds_snapshot_filter){.snapshot_identifier = id, .include_shared = l->include_shared},
            &l->list, e);
        if (r < 0)
                return streq(e->code, "DBClusterSnapshotNotFoundFault") ? 0 : r;
        if (l->list.n > 0 && !l->list.items[0].malformed)
                return 1;
        rds_db_cluster_snapshot_list_done(&l->list);
        return 0;
}

int control_find_snapshot(struct agent *a, const char *id, struct control_snapshot *ret,
                          struct control_reply *reply)
{
        char arn_buf[64];
        const char *only = arn_region(id, arn_buf, sizeof arn_buf);
        struct snapshot_lookup l = {.include_shared = only != NULL};
        struct region_hit hit;
        int r;

        r = find_in_regions(a, "snapshot", id, only, describe_snapshot, &l, &hit, reply);
        if (r < 0)
                return r;
        const struct rds_db_cluster_snapshot *s = &l.list.items[0];
        struct tag *tags = calloc(s->n_tags + 1, sizeof(*tags));
        if (!tags) {
                rds_db_cluster_snapshot_list_done(&l.list);
                return -ENOMEM;
        }
        *ret = (struct control_snapshot){
            .region = hit.region, .policy = hit.policy, .client = hit.client, .list = l.list, .tags = tags};
        ret->snapshot = &ret->list.items[0];
        ret->view = observation_snapshot_view(ret->snapshot, hit.region, tags);
        return 0;
}

int control_lookup_snapshot(struct agent *a, const char *verb, const char *id, struct control_snapshot *ret,
                            struct control_reply *reply)
{
        if (isempty(id))
                return control_reply_set(reply, CONTROL_USAGE, "%s: which snapshot?", verb);
        return lookup_result(control_find_snapshot(a, id, ret, reply));
}
