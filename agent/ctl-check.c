/* aurora-backupctl check: monitoring-plugin verdict on snapshot freshness and agent health. */
#include "ctl-check.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ctl-output.h"
#include "ctl-status.h"
#include "plan.h"
#include "select.h"
#include "string-table.h"
#include "timespec.h"

/* Each verdict's name; anything else counts as UNKNOWN. */
static const char *const ctl_check_status_table[_CHECK_STATUS_MAX] = {
    [CHECK_OK] = "OK",
    [CHECK_WARNING] = "WARNING",
    [CHECK_CRITICAL] = "CRITICAL",
    [CHECK_UNKNOWN] = "UNKNOWN",
};

DEFINE_STRING_TABLE_TO_STRING(ctl_check_status, enum ctl_check_status, ctl_check_status_table, "UNKNOWN")

/* How bad each verdict is; anything else ranks as UNKNOWN. */
static const int check_ranks[_CHECK_STATUS_MAX] = {
    [CHECK_OK] = 0,
    [CHECK_UNKNOWN] = 1,
    [CHECK_WARNING] = 2,
    [CHECK_CRITICAL] = 3,
};

static int check_rank(enum ctl_check_status s)
{
        return (unsigned)s < ELEMENTSOF(check_ranks) ? check_ranks[s] : check_ranks[CHECK_UNKNOWN];
}

enum ctl_check_status ctl_check_worse(enum ctl_check_status a, enum ctl_check_status b)
{
        return check_rank(a) >= check_rank(b) ? a : b;
}

void ctl_check_thresholds(const struct policy *p, int64_t *ret_warning, int64_t *ret_critical)
{
        int64_t period = schedule_period_sec(&p->every);
        *ret_warning = p->check_warning_sec > 0 ? p->check_warning_sec : period * 3 / 2;
        *ret_critical = p->check_critical_sec > 0 ? p->check_critical_sec : period * 5 / 2;
}

enum ctl_check_status ctl_check_freshness(int64_t now, int64_t newest, int64_t warning, int64_t critical)
{
        if (newest == 0)
                return CHECK_CRITICAL;
        int64_t age = now > newest ? now - newest : 0;
        if (age > critical)
                return CHECK_CRITICAL;
        if (age > warning)
                return CHECK_WARNING;
        return CHECK_OK;
}

bool ctl_check_state_stale(int64_t now, int64_t last_activity, int64_t reconcile_interval_sec)
{
        if (reconcile_interval_sec <= 0)
                reconcile_interval_sec = CONFIG_DEFAULT_RECONCILE_INTERVAL_SEC;
        return last_activity == 0 || now - last_activity > 2 * reconcile_interval_sec;
}

struct check_cluster {
        const char *cluster;
        const char *policy;
        int64_t newest;
        enum ctl_check_status status;
        struct ctl_rpo rpo;
        bool rpo_late; /* the newest restorable point is older than the policy's rpo warning */
        bool pending;  /* no snapshot yet, and its first slot has not come (or is under way) */
};

/* A cluster with no snapshot is pending, not late, while the agent is new to it: no window of it was
 * missed or refused for want of quota, and the state is younger than the critical threshold (so a
 * cluster that never gets a snapshot still turns critical). */
static bool cluster_pending(struct ctl_context *ctx, const char *cluster, int64_t first_cycle,
                            int64_t critical)
{
        struct window_record *w = NULL;
        size_t n = 0;
        bool pending = first_cycle == 0 || ctx->now - first_cycle <= critical;

        if (pending && store_window_list(ctx->store, cluster, 0, 0, &w, &n) >= 0) {
                for (size_t i = 0; i < n; i++)
                        if (w[i].outcome != WINDOW_TAKEN)
                                pending = false;
                window_records_free(w, n);
        }
        return pending;
}

/* An unresolved problem: quota exhausted is critical at once, a policy selecting nothing is a warning,
 * any other is a warning until it is older than agent.problem_critical. */
static enum ctl_check_status problem_status(const struct problem *p, int64_t now, int64_t critical)
{
        if (p->kind == PROBLEM_QUOTA_EXHAUSTED)
                return CHECK_CRITICAL;
        if (p->kind == PROBLEM_POLICY_EMPTY)
                return CHECK_WARNING;
        return now - p->first_seen > critical ? CHECK_CRITICAL : CHECK_WARNING;
}

/* The restorable point is worth naming when it is late and is not simply the agent's newest snapshot. */
static bool rpo_news(const struct check_cluster *c)
{
        return c->rpo_late && c->rpo.newest_point != c->newest;
}

static const struct policy *find_policy(const struct agent_config *c, const char *name)
{
        for (size_t i = 0; name && i < c->n_policies; i++)
                if (strcmp(c->policies[i].name, name) == 0)
                        return &c->policies[i];
        return NULL;
}

static int check_unknown(const struct ctl_options *o, FILE *out, const char *why)
{
        if (o->json) {
                _cleanup_(json_object_putp) struct json_object *j = json_object_new_object();
                int r = j ? 0 : -ENOMEM;
                ctl_json_add_string(&r, j, "status", "UNKNOWN");
                ctl_json_add_int(&r, j, "exit_code", CHECK_UNKNOWN);
                ctl_json_add_string(&r, j, "message", why);
                if (r >= 0)
                        ctl_json_print(out, j);
        } else
                fprintf(out, "AURORA-BACKUP UNKNOWN - %s\n", why);
        return CHECK_UNKNOWN;
}

int ctl_check(const struct ctl_options *o, FILE *out, FILE *err)
{
        _cleanup_(ctl_context_done) struct ctl_context ctx = {};
        struct inventory_cluster *clusters = NULL;
        struct inventory_snapshot *snaps = NULL;
        struct cycle_record *cycles = NULL;
        struct problem *problems = NULL;
        _cleanup_free_ struct check_cluster *cc = NULL;
        size_t n_clusters = 0, n_snaps = 0, n_cycles = 0, n_cc = 0, n_problems = 0;
        int64_t observed_at = 0, first_cycle = 0;
        enum ctl_check_status verdict = CHECK_OK;
        int r;

        r = ctl_context_open(o, &ctx, err);
        if (r < 0)
                return check_unknown(o, out,
                                     r == -EINVAL ? "configuration unreadable or invalid"
                                                  : "state missing or unreadable");

        r = store_inventory_load(ctx.store, NULL, &clusters, &n_clusters, &snaps, &n_snaps, &observed_at);
        if (r >= 0)
                r = store_cycle_list(ctx.store, 1, &cycles, &n_cycles);
        if (r >= 0)
                r = store_cycle_first_started(ctx.store, &first_cycle);
        if (r >= 0)
                r = store_problems_list(ctx.store, 0, &problems, &n_problems);
        if (r < 0) {
                ctl_store_error(&ctx, r, err);
                inventory_clusters_free(clusters, n_clusters);
                inventory_snapshots_free(snaps, n_snaps);
                free(cycles);
                problems_free(problems, n_problems);
                return check_unknown(o, out, "state unreadable");
        }

        cc = calloc(n_clusters ? n_clusters : 1, sizeof(*cc));
        if (!cc) {
                r = -ENOMEM;
                goto finish;
        }
        unsigned counts[_CHECK_STATUS_MAX] = {}, pending = 0;
        for (size_t i = 0; i < n_clusters; i++) {
                const struct policy *p = find_policy(ctx.config, clusters[i].policy);
                if (!p)
                        continue; /* not selected by any policy of this config */
                int64_t warning, critical, newest = 0;
                ctl_check_thresholds(p, &warning, &critical);
                for (size_t k = 0; k < n_snaps; k++)
                        if (snaps[k].origin == ORIGIN_AGENT &&
                            strcmp(snaps[k].cluster, clusters[i].identifier) == 0 && snaps[k].status &&
                            strcmp(snaps[k].status, "available") == 0 && snaps[k].create_time > newest)
                                newest = snaps[k].create_time;
                enum ctl_check_status st = ctl_check_freshness(ctx.now, newest, warning, critical);
                struct ctl_rpo rpo;
                ctl_rpo_compute(&clusters[i], snaps, n_snaps, &rpo);
                int64_t rpo_warning = p->check_rpo_warning_sec > 0 ? p->check_rpo_warning_sec : warning;
                bool rpo_late = rpo.newest_point == 0 || ctx.now - rpo.newest_point > rpo_warning;
                bool is_pending =
                    newest == 0 && cluster_pending(&ctx, clusters[i].identifier, first_cycle, critical);
                if (is_pending) {
                        st = CHECK_OK;
                        rpo_late = false;
                        pending++;
                } else if (rpo_late)
                        st = ctl_check_worse(st, CHECK_WARNING);
                cc[n_cc++] = (struct check_cluster){
                    clusters[i].identifier, p->name, newest, st, rpo, rpo_late, is_pending};
                if (!is_pending)
                        counts[st]++;
                verdict = ctl_check_worse(verdict, st);
        }

        int64_t last_activity = observed_at;
        bool last_failed = false;
        if (n_cycles > 0) {
                last_activity = MAX(last_activity, MAX(cycles[0].started_at, cycles[0].finished_at));
                last_failed = cycles[0].finished_at != 0 && cycles[0].exit_status != 0;
        }
        bool stale = ctl_check_state_stale(ctx.now, last_activity, ctx.config->agent.reconcile_interval_sec);
        if (stale || last_failed)
                verdict = ctl_check_worse(verdict, CHECK_WARNING);

        /* Policies that select nothing (from the stored inventory, whatever the problems say). */
        unsigned empty_policies = 0;
        const char *empty_name = NULL;
        for (size_t k = 0; k < ctx.config->n_policies; k++) {
                const struct policy *p = &ctx.config->policies[k];
                bool any = false;
                if (!plan_policy_in_shard(&ctx.config->agent, p))
                        continue;
                for (size_t i = 0; !any && i < n_cc; i++)
                        any = strcmp(cc[i].policy, p->name) == 0;
                if (!any) {
                        empty_policies++;
                        empty_name = empty_name ? empty_name : p->name;
                }
        }
        if (empty_policies > 0)
                verdict = ctl_check_worse(verdict, CHECK_WARNING);
        unsigned problem_counts[_CHECK_STATUS_MAX] = {}, quota_exhausted = 0;
        int64_t problem_critical = ctx.config->agent.problem_critical_sec > 0
                                       ? ctx.config->agent.problem_critical_sec
                                       : CONFIG_DEFAULT_PROBLEM_CRITICAL_SEC;
        for (size_t i = 0; i < n_problems; i++) {
                enum ctl_check_status ps = problem_status(&problems[i], ctx.now, problem_critical);
                if (problems[i].kind == PROBLEM_POLICY_EMPTY)
                        continue; /* counted above, from the inventory */
                problem_counts[ps]++;
                if (problems[i].kind == PROBLEM_QUOTA_EXHAUSTED)
                        quota_exhausted++;
                verdict = ctl_check_worse(verdict, ps);
        }
        unsigned n_open_problems = problem_counts[CHECK_WARNING] + problem_counts[CHECK_CRITICAL];
        int64_t state_age = last_activity ? MAX(ctx.now - last_activity, 0) : -1;

        /* The summary names the worst clusters first, at most three, so the line stays readable. */
        char summary[512];
        FILE *m = fmemopen(summary, sizeof(summary), "w");
        if (!m) {
                r = -errno;
                goto finish;
        }
        if (n_cc == 0)
                fprintf(m, "no clusters selected");
        else if (counts[CHECK_CRITICAL] + counts[CHECK_WARNING] == 0)
                fprintf(m, "%zu cluster%s fresh", n_cc - pending, n_cc - pending == 1 ? "" : "s");
        else {
                fprintf(m, "%u critical, %u warning of %zu clusters", counts[CHECK_CRITICAL],
                        counts[CHECK_WARNING], n_cc);
                unsigned shown = 0;
                for (int pass = CHECK_CRITICAL; pass >= CHECK_WARNING; pass--)
                        for (size_t i = 0; i < n_cc && shown < 3; i++) {
                                if ((int)cc[i].status != pass)
                                        continue;
                                char age[CTL_AGE_MAX], rage[CTL_AGE_MAX];
                                fprintf(m, "%s %s (%s%s%s)", shown == 0 ? ":" : ",", cc[i].cluster,
                                        cc[i].newest ? ctl_format_age(ctx.now, cc[i].newest, age)
                                                     : "no snapshot",
                                        rpo_news(&cc[i]) ? ", newest restorable point " : "",
                                        !rpo_news(&cc[i]) ? ""
                                        : cc[i].rpo.newest_point
                                            ? ctl_format_age(ctx.now, cc[i].rpo.newest_point, rage)
                                            : "none");
                                shown++;
                        }
        }
        if (pending)
                fprintf(m, "; %u pending (first slot not yet come)", pending);
        if (empty_policies == 1)
                fprintf(m, "; policy %s selects no cluster", empty_name);
        else if (empty_policies > 1)
                fprintf(m, "; %u policies select no cluster", empty_policies);
        if (quota_exhausted)
                fprintf(m, "; quota exhausted (%u)", quota_exhausted);
        if (n_open_problems) {
                const struct problem *oldest = NULL;
                for (size_t i = 0; i < n_problems && !oldest; i++)
                        if (problems[i].kind != PROBLEM_POLICY_EMPTY)
                                oldest = &problems[i];
                char age[CTL_AGE_MAX];
                fprintf(m, "; %u unresolved problem%s (oldest %s %s%s%s, %s)", n_open_problems,
                        n_open_problems == 1 ? "" : "s", problem_kind_to_string(oldest->kind),
                        oldest->cluster  ? oldest->cluster
                        : oldest->region ? oldest->region
                                         : "",
                        oldest->snapshot ? " " : "", oldest->snapshot ? oldest->snapshot : "",
                        ctl_format_age(ctx.now, oldest->first_seen, age));
        }
        if (stale) {
                char age[CTL_AGE_MAX];
                fprintf(m, "; agent not running? state %s old", ctl_format_age(ctx.now, last_activity, age));
        }
        if (last_failed)
                fprintf(m, "; last cycle failed (exit %d)", cycles[0].exit_status);
        fclose(m);
        summary[sizeof(summary) - 1] = 0;

        if (o->json) {
                _cleanup_(json_object_putp) struct json_object *j = json_object_new_object();
                r = j ? 0 : -ENOMEM;
                struct json_object *arr = ctl_json_add_array(&r, j, "clusters");
                ctl_json_add_string(&r, j, "status", ctl_check_status_to_string(verdict));
                ctl_json_add_int(&r, j, "exit_code", verdict);
                ctl_json_add_string(&r, j, "message", summary);
                ctl_json_add_int(&r, j, "fresh", counts[CHECK_OK]);
                ctl_json_add_int(&r, j, "warning", counts[CHECK_WARNING]);
                ctl_json_add_int(&r, j, "critical", counts[CHECK_CRITICAL]);
                ctl_json_add_bool(&r, j, "state_stale", stale);
                ctl_json_add_int(&r, j, "state_age_sec", state_age);
                ctl_json_add_bool(&r, j, "last_cycle_failed", last_failed);
                ctl_json_add_int(&r, j, "pending", pending);
                ctl_json_add_int(&r, j, "policies_selecting_nothing", empty_policies);
                ctl_json_add_int(&r, j, "problems", n_open_problems);
                ctl_json_add_int(&r, j, "problems_critical", problem_counts[CHECK_CRITICAL]);
                ctl_json_add_bool(&r, j, "quota_exhausted", quota_exhausted > 0);
                ctl_json_add_int(&r, j, "problem_critical_sec", problem_critical);
                struct json_object *pa = ctl_json_add_array(&r, j, "problem_list");
                ctl_problems_json(&r, pa, ctx.now, problems, n_problems);
                /* Each problem's own verdict, after the fields status and history show too. */
                for (size_t i = 0; r >= 0 && i < n_problems; i++)
                        ctl_json_add_string(&r, json_object_array_get_idx(pa, i), "status",
                                            ctl_check_status_to_string(
                                                problem_status(&problems[i], ctx.now, problem_critical)));
                for (size_t i = 0; r >= 0 && i < n_cc; i++) {
                        struct json_object *e = ctl_json_array_add_object(&r, arr);
                        ctl_json_add_string(&r, e, "cluster", cc[i].cluster);
                        ctl_json_add_string(&r, e, "policy", cc[i].policy);
                        ctl_json_add_time(&r, e, "newest_snapshot", cc[i].newest);
                        ctl_json_add_age(&r, e, "age_sec", ctx.now, cc[i].newest);
                        ctl_json_add_string(&r, e, "status",
                                            cc[i].pending ? "PENDING"
                                                          : ctl_check_status_to_string(cc[i].status));
                        ctl_json_add_bool(&r, e, "pending", cc[i].pending);
                        ctl_next_slot_json(&r, e, "next_slot", ctl_next_slot(&ctx, NULL, cc[i].cluster));
                        ctl_json_add_time(&r, e, "newest_restorable_point", cc[i].rpo.newest_point);
                        ctl_json_add_age(&r, e, "rpo_age_sec", ctx.now, cc[i].rpo.newest_point);
                        ctl_json_add_bool(&r, e, "rpo_late", cc[i].rpo_late);
                }
                if (r >= 0)
                        r = ctl_json_print(out, j);
        } else {
                fprintf(out,
                        "AURORA-BACKUP %s - %s | clusters=%zu fresh=%u warning=%u critical=%u pending=%u "
                        "problems=%u empty_policies=%u state_age=%llds last_cycle_failed=%d\n",
                        ctl_check_status_to_string(verdict), summary, n_cc, counts[CHECK_OK],
                        counts[CHECK_WARNING], counts[CHECK_CRITICAL], pending, n_open_problems,
                        empty_policies, (long long)state_age, last_failed ? 1 : 0);
                r = 0;
        }

finish:
        inventory_clusters_free(clusters, n_clusters);
        inventory_snapshots_free(snaps, n_snaps);
        free(cycles);
        problems_free(problems, n_problems);
        if (r < 0) {
                fprintf(err, "check: %s\n", strerror(-r));
                return CHECK_UNKNOWN;
        }
        return verdict;
}
