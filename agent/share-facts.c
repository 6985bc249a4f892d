/* Share facts (share-facts.h): KMS key managers and "restore" attributes of the snapshots a plan would
 * share, learnt with one read call each and remembered in the agent. */
#include "share-facts.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "act-outcome.h"
#include "aws-kms.h"
#include "aws-rds.h"
#include "journal.h"
#include "plan-copy.h"
#include "share-cache.h"
#include "strv.h"

static struct share_cache *cache(struct agent *a)
{
        if (!a->share_facts)
                a->share_facts = calloc(1, sizeof(struct share_cache));
        return a->share_facts;
}

static void report_read_error(struct agent *a, const char *what, const char *region, const char *object,
                              const struct aws_error *e)
{
        struct event_fields f = {.region = region, .snapshot = object, .action = "share"};
        _cleanup_free_ char *key = NULL;
        char buf[1024];

        if (asprintf(&key, "share-facts:%s:%s:%s", what, region, object) < 0 ||
            agent_report_once(a, key) <= 0)
                return;
        act_error_fields(e, &f);
        journal_event(EVENT_API_ERROR, &f, "Cannot read %s of %s in %s (sharing as if unknown): %s", what,
                      object, region, aws_error_to_string(e, buf, sizeof(buf)));
}

/* One read call for a fact about snapshot `s`, with the client of the action's policy. 1: read; 0: could
 * not be read (reported once: the fact stays unknown); -ENOMEM. */
typedef int (*fact_read_t)(struct aws_client *c, const struct observed_snapshot *s, void *out,
                           struct aws_error *e);

static int read_fact(struct agent *a, const struct plan_action *act, const struct observed_snapshot *s,
                     const char *what, const char *object, fact_read_t call, void *out)
{
        struct aws_client *c;
        struct aws_error e = {};
        int r;

        r = agent_client_get(a, s->region, agent_find_policy(a, act->policy), &c, &e);
        if (r >= 0)
                r = call(c, s, out, &e);
        if (r < 0) {
                report_read_error(a, what, s->region, object, &e);
                return r == -ENOMEM ? r : 0;
        }
        return 1;
}

static int read_key_manager(struct aws_client *c, const struct observed_snapshot *s, void *out,
                            struct aws_error *e)
{
        return kms_describe_key_manager(c, s->kms_key_id, out, e);
}

static int read_attributes(struct aws_client *c, const struct observed_snapshot *s, void *out,
                           struct aws_error *e)
{
        return rds_describe_db_cluster_snapshot_attributes(c, s->identifier, out, e);
}

/* Whether the snapshot's key is AWS-managed: from the name when it says so, else DescribeKey, once. */
static int key_fact(struct agent *a, struct share_cache *f, const struct plan_action *act,
                    const struct observed_snapshot *s, bool *ret)
{
        enum kms_key_manager m;
        int r;

        if (share_cache_key_get(f, s->kms_key_id, ret) > 0)
                return 1;
        r = read_fact(a, act, s, "the KMS key", s->kms_key_id, read_key_manager, &m);
        if (r <= 0)
                return r;
        r = share_cache_key_put(f, s->kms_key_id, m == KMS_KEY_MANAGER_AWS);
        if (r < 0)
                return r;
        *ret = m == KMS_KEY_MANAGER_AWS;
        return 1;
}

static int accounts_fact(struct agent *a, struct share_cache *f, const struct plan_action *act,
                         const struct observed_snapshot *s, char ***ret)
{
        struct share_cache_share *known = share_cache_find(f, s->region, s->identifier);
        struct rds_snapshot_attributes attrs = {};
        int64_t now = agent_now(a);
        int r;

        if (known && known->learnt_at > 0 && now - known->learnt_at < SHARE_FACTS_TTL_SEC) {
                *ret = known->accounts;
                return 1;
        }
        r = read_fact(a, act, s, "the restore attribute", s->identifier, read_attributes, &attrs);
        if (r <= 0)
                return r;
        char **accounts = strv_copy(attrs.restore_accounts);
        rds_snapshot_attributes_done(&attrs);
        if (!accounts)
                accounts = calloc(1, sizeof(char *));
        if (!accounts)
                return -ENOMEM;
        r = share_cache_remember(f, s->region, s->identifier, accounts, now);
        if (r < 0)
                return r;
        *ret = share_cache_find(f, s->region, s->identifier)->accounts;
        return 1;
}

int share_facts_fill(struct agent *a, struct observation *o, const struct plan *p)
{
        struct share_cache *f = cache(a);
        int changed = 0, r;

        if (!f)
                return -ENOMEM;
        for (size_t i = 0; i < p->n_actions; i++) {
                const struct plan_action *act = &p->actions[i];
                if (act->kind != ACTION_SHARE)
                        continue;
                struct observed_snapshot *s =
                    (struct observed_snapshot *)observation_find_snapshot(o, act->region, act->snapshot);
                if (!s)
                        continue;
                if (s->encrypted && !isempty(s->kms_key_id) && !s->kms_key_aws_managed &&
                    !snapshot_uses_aws_managed_key(s)) {
                        bool aws_managed = false;
                        r = key_fact(a, f, act, s, &aws_managed);
                        if (r < 0)
                                return r;
                        if (r > 0 && aws_managed) {
                                s->kms_key_aws_managed = true;
                                changed++;
                                continue; /* it will be copied, not shared */
                        }
                }
                if (!s->shared_accounts) {
                        char **accounts = NULL;
                        r = accounts_fact(a, f, act, s, &accounts);
                        if (r < 0)
                                return r;
                        if (r > 0) {
                                /* The view owns its copy (observation_done frees it). */
                                char **copy = strv_copy(accounts) ?: calloc(1, sizeof(char *));
                                if (!copy)
                                        return -ENOMEM;
                                s->shared_accounts = (const char *const *)copy;
                                changed++;
                        }
                }
        }
        return changed;
}
