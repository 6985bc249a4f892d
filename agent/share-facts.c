/* Share facts (share-facts.h): KMS key managers and "restore" attributes of the snapshots a plan would
 * share, learnt with one read call each and remembered in the agent. */
#include "share-facts.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "act.h"
#include "aws-kms.h"
#include "aws-rds.h"
#include "journal.h"
#include "plan-copy.h"
#include "strv.h"

struct key_fact {
        char *key;
        bool aws_managed;
};

struct share_fact {
        char *region, *snapshot;
        char **accounts;
        int64_t learnt_at;
};

struct share_facts {
        struct key_fact *keys;
        size_t n_keys;
        struct share_fact *shares;
        size_t n_shares;
};

static struct share_facts *facts(struct agent *a)
{
        if (!a->share_facts)
                a->share_facts = calloc(1, sizeof(struct share_facts));
        return a->share_facts;
}

void share_facts_free(struct agent *a)
{
        struct share_facts *f = a->share_facts;
        if (!f)
                return;
        for (size_t i = 0; i < f->n_keys; i++)
                free(f->keys[i].key);
        for (size_t i = 0; i < f->n_shares; i++) {
                free(f->shares[i].region);
                free(f->shares[i].snapshot);
                strv_free(f->shares[i].accounts);
        }
        free(f->keys);
        free(f->shares);
        free(f);
        a->share_facts = NULL;
}

static struct share_fact *share_find(struct share_facts *f, const char *region, const char *snapshot)
{
        for (size_t i = 0; i < f->n_shares; i++)
                if (streq(f->shares[i].region, region) && streq(f->shares[i].snapshot, snapshot))
                        return &f->shares[i];
        return NULL;
}

/* Remembers (replacing) what `snapshot` is shared with. Takes `accounts`. */
static int share_remember(struct share_facts *f, const char *region, const char *snapshot, char **accounts,
                          int64_t now)
{
        struct share_fact *s = share_find(f, region, snapshot);
        if (!s) {
                struct share_fact *n = realloc(f->shares, (f->n_shares + 1) * sizeof(*n));
                if (!n) {
                        strv_free(accounts);
                        return -ENOMEM;
                }
                f->shares = n;
                s = &f->shares[f->n_shares];
                *s = (struct share_fact){.region = strdup(region), .snapshot = strdup(snapshot)};
                if (!s->region || !s->snapshot) {
                        free(s->region);
                        free(s->snapshot);
                        strv_free(accounts);
                        return -ENOMEM;
                }
                f->n_shares++;
        }
        strv_free(s->accounts);
        s->accounts = accounts;
        s->learnt_at = now;
        return 0;
}

void share_facts_shared(struct agent *a, const char *region, const char *snapshot, const char *const *accounts)
{
        struct share_facts *f = a->share_facts;
        struct share_fact *s = f ? share_find(f, region, snapshot) : NULL;
        if (!s)
                return; /* nothing known: the next share plan reads the attribute */
        for (const char *const *acc = accounts; acc && *acc; acc++)
                if (!strv_contains(s->accounts, *acc) && strv_extend(&s->accounts, *acc) < 0) {
                        s->learnt_at = 0; /* forget rather than keep a wrong list */
                        return;
                }
}

static void report_read_error(struct agent *a, const char *what, const char *region, const char *object,
                              const struct aws_error *e)
{
        struct event_fields f = {.region = region, .snapshot = object, .action = "share"};
        _cleanup_free_ char *key = NULL;
        char buf[1024];

        if (asprintf(&key, "share-facts:%s:%s:%s", what, region, object) < 0 || agent_report_once(a, key) <= 0)
                return;
        act_error_fields(e, &f);
        journal_event(EVENT_API_ERROR, &f, "Cannot read %s of %s in %s (sharing as if unknown): %s", what, object,
                      region, aws_error_to_string(e, buf, sizeof(buf)));
}

/* Whether the snapshot's key is AWS-managed: from the name when it says so, else DescribeKey, once. */
static int key_fact(struct agent *a, struct share_facts *f, const struct plan_action *act,
                    const struct observed_snapshot *s, bool *ret)
{
        struct aws_client *c;
        struct aws_error e = {};
        enum kms_key_manager m;
        int r;

        for (size_t i = 0; i < f->n_keys; i++)
                if (streq(f->keys[i].key, s->kms_key_id)) {
                        *ret = f->keys[i].aws_managed;
                        return 1;
                }
        r = agent_client_get(a, s->region, act_find_policy(a, act->policy), &c, &e);
        if (r >= 0)
                r = kms_describe_key_manager(c, s->kms_key_id, &m, &e);
        if (r < 0) {
                report_read_error(a, "the KMS key", s->region, s->kms_key_id, &e);
                return r == -ENOMEM ? r : 0;
        }
        struct key_fact *n = realloc(f->keys, (f->n_keys + 1) * sizeof(*n));
        if (!n)
                return -ENOMEM;
        f->keys = n;
        f->keys[f->n_keys] = (struct key_fact){.key = strdup(s->kms_key_id), .aws_managed = m == KMS_KEY_MANAGER_AWS};
        if (!f->keys[f->n_keys].key)
                return -ENOMEM;
        *ret = f->keys[f->n_keys++].aws_managed;
        return 1;
}

static int accounts_fact(struct agent *a, struct share_facts *f, const struct plan_action *act,
                         const struct observed_snapshot *s, char ***ret)
{
        struct share_fact *known = share_find(f, s->region, s->identifier);
        struct rds_snapshot_attributes attrs = {};
        struct aws_client *c;
        struct aws_error e = {};
        int64_t now = agent_now(a);
        int r;

        if (known && known->learnt_at > 0 && now - known->learnt_at < SHARE_FACTS_TTL_SEC) {
                *ret = known->accounts;
                return 1;
        }
        r = agent_client_get(a, s->region, act_find_policy(a, act->policy), &c, &e);
        if (r >= 0)
                r = rds_describe_db_cluster_snapshot_attributes(c, s->identifier, &attrs, &e);
        if (r < 0) {
                report_read_error(a, "the restore attribute", s->region, s->identifier, &e);
                return r == -ENOMEM ? r : 0;
        }
        char **accounts = strv_copy(attrs.restore_accounts);
        rds_snapshot_attributes_done(&attrs);
        if (!accounts)
                accounts = calloc(1, sizeof(char *));
        if (!accounts)
                return -ENOMEM;
        r = share_remember(f, s->region, s->identifier, accounts, now);
        if (r < 0)
                return r;
        *ret = share_find(f, s->region, s->identifier)->accounts;
        return 1;
}

int share_facts_fill(struct agent *a, struct observation *o, const struct plan *p)
{
        struct share_facts *f = facts(a);
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
