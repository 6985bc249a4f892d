/* aurora-backupctl plan: what the agent would do now and why, as text (plan_format()'s lines, then one
 * "next-slot" line per selected cluster) or as JSON; narrowed to the clusters that policies select, to one
 * cluster (--cluster) or to one policy (--policy); --all shows every snapshot of the regions. */
#include "ctl-plan.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "agent.h"
#include "cli.h"
#include "ctl-output.h"
#include "plan-format.h"
#include "plan.h"
#include "time-util.h"

static bool wanted(const struct ctl_plan_args *f, const char *policy, const char *cluster)
{
        if (!f->all && !policy)
                return false; /* judged by no policy: a cluster no policy selects */
        if (f->cluster && !streq_ptr(cluster, f->cluster))
                return false;
        if (f->policy && !streq_ptr(policy, f->policy))
                return false;
        return true;
}

/* A view of `p` with only the wanted actions, verdicts and next slots; the strings stay in p's arena. */
static int plan_narrow(const struct plan *p, const struct ctl_plan_args *f, struct plan *ret)
{
        struct plan v = *p;
        v.actions = calloc(p->n_actions + 1, sizeof(*v.actions));
        v.verdicts = calloc(p->n_verdicts + 1, sizeof(*v.verdicts));
        v.next_slots = calloc(p->n_next_slots + 1, sizeof(*v.next_slots));
        v.n_actions = v.n_verdicts = v.n_next_slots = 0;
        if (!v.actions || !v.verdicts || !v.next_slots) {
                free(v.actions);
                free(v.verdicts);
                free(v.next_slots);
                return -ENOMEM;
        }
        for (size_t i = 0; i < p->n_actions; i++)
                if (wanted(f, p->actions[i].policy, p->actions[i].cluster))
                        v.actions[v.n_actions++] = p->actions[i];
        for (size_t i = 0; i < p->n_verdicts; i++)
                if (wanted(f, p->verdicts[i].policy, p->verdicts[i].cluster))
                        v.verdicts[v.n_verdicts++] = p->verdicts[i];
        for (size_t i = 0; i < p->n_next_slots; i++)
                if (wanted(f, p->next_slots[i].policy, p->next_slots[i].cluster))
                        v.next_slots[v.n_next_slots++] = p->next_slots[i];
        *ret = v;
        return 0;
}

static void plan_view_done(struct plan *v)
{
        free(v->actions);
        free(v->verdicts);
        free(v->next_slots);
}

static void action_json(int *r, struct json_object *e, const struct plan_action *a)
{
        ctl_json_add_string(r, e, "kind", action_kind_to_string(a->kind));
        ctl_json_add_string(r, e, "policy", a->policy);
        ctl_json_add_string(r, e, "cluster", a->cluster);
        ctl_json_add_string(r, e, "region", a->region);
        ctl_json_add_string(r, e, "snapshot", a->snapshot);
        ctl_json_add_string(r, e, "source_snapshot", a->source_snapshot);
        ctl_json_add_string(r, e, "source_region", a->source_region);
        ctl_json_add_string(r, e, "status", a->status);
        ctl_json_add_time(r, e, "slot", a->slot_start);
        ctl_json_add_time(r, e, "retry", a->retry_at);
        ctl_json_add_string(r, e, "target", a->target);
        ctl_json_add_string(r, e, "rule", a->rule);
}

static void verdict_json(int *r, struct json_object *e, const struct snapshot_verdict *v)
{
        ctl_json_add_string(r, e, "snapshot", v->snapshot);
        ctl_json_add_string(r, e, "region", v->region);
        ctl_json_add_string(r, e, "cluster", v->cluster);
        ctl_json_add_time(r, e, "created", v->create_time == PLAN_TIME_UNKNOWN ? 0 : v->create_time);
        ctl_json_add_string(r, e, "status", v->status);
        ctl_json_add_string(r, e, "origin", snapshot_origin_to_string(v->origin));
        ctl_json_add_string(r, e, "group", verdict_group_to_string(v->group));
        ctl_json_add_string(r, e, "policy", v->policy);
        ctl_json_add_string(r, e, "verdict", v->deleted ? "delete" : "keep");
        if (v->deleted) {
                ctl_json_add_string(r, e, "why", delete_reason_to_string(v->why));
                return;
        }
        struct json_object *rules = ctl_json_add_array(r, e, "kept_by");
        for (unsigned bit = 1; *r >= 0 && bit <= _KEEP_REASON_LAST; bit <<= 1)
                if (v->keep & bit &&
                    json_object_array_add(rules, json_object_new_string(keep_reason_to_string(bit))) < 0)
                        *r = -ENOMEM;
}

/* retry_at is set for NEXT_SLOT_RETRY only (plan-action.h), so "retry" shows for that state alone. */
static void next_slot_json(int *r, struct json_object *e, const struct plan_next_slot *n)
{
        ctl_json_add_string(r, e, "policy", n->policy);
        ctl_json_add_string(r, e, "cluster", n->cluster);
        ctl_json_add_string(r, e, "region", n->region);
        ctl_slot_json(r, e, n->slot_start, n->window_open, n->window_close, n->window,
                      n->window_from_cluster, n->schedule, next_slot_state_to_string(n->state), n->retry_at);
}

static int plan_json(FILE *out, const struct plan *p, unsigned failures)
{
        _cleanup_(json_object_putp) struct json_object *j = json_object_new_object();
        int r = j ? 0 : -ENOMEM;
        struct json_object *acts = ctl_json_add_array(&r, j, "actions"),
                           *verdicts = ctl_json_add_array(&r, j, "verdicts"),
                           *slots = ctl_json_add_array(&r, j, "next_slots");

        ctl_json_add_time(&r, j, "now", p->now);
        ctl_json_add_time(&r, j, "next_wakeup", p->next_wakeup == PLAN_NO_WAKEUP ? 0 : p->next_wakeup);
        ctl_json_add_int(&r, j, "regions_not_observed", failures);
        for (size_t i = 0; r >= 0 && i < p->n_actions; i++)
                action_json(&r, ctl_json_array_add_object(&r, acts), &p->actions[i]);
        for (size_t i = 0; r >= 0 && i < p->n_verdicts; i++)
                verdict_json(&r, ctl_json_array_add_object(&r, verdicts), &p->verdicts[i]);
        for (size_t i = 0; r >= 0 && i < p->n_next_slots; i++)
                next_slot_json(&r, ctl_json_array_add_object(&r, slots), &p->next_slots[i]);
        return r < 0 ? r : ctl_json_print(out, j);
}

int ctl_plan(const struct ctl_options *o, const struct ctl_plan_args *f, FILE *out, FILE *err)
{
        _cleanup_(agent_freep) struct agent *a = NULL;
        _cleanup_(plan_freep) struct plan *p = NULL;
        struct plan view;
        unsigned failures = 0;
        int r;

        r = agent_new(&(struct agent_options){.config_path = cli_config_path(o->config),
                                              .read_only = true,
                                              .state_directory = o->state_dir},
                      &a);
        if (r == -EINVAL)
                return EXIT_USAGE; /* the config's errors were printed with file:line */
        if (r < 0)
                return EXIT_FAILED;
        if (f->policy) {
                const struct agent_config *c = agent_config(a);
                bool known = false;
                for (size_t i = 0; !known && i < c->n_policies; i++)
                        known = streq(c->policies[i].name, f->policy);
                if (!known) {
                        fprintf(err, "aurora-backupctl: --policy %s: no such policy in the configuration\n",
                                f->policy);
                        return EXIT_USAGE;
                }
        }
        r = agent_plan(a, &p, &failures);
        if (r < 0) {
                fprintf(err, "aurora-backupctl: planning failed: %s\n", strerror(-r));
                return EXIT_FAILED;
        }
        r = plan_narrow(p, f, &view);
        if (r >= 0) {
                if (o->json)
                        r = plan_json(out, &view, failures);
                else {
                        r = plan_format(&view, out);
                        if (r >= 0)
                                r = plan_format_next_slots(&view, out);
                }
                plan_view_done(&view);
        }
        if (r < 0) {
                fprintf(err, "aurora-backupctl: cannot print the plan: %s\n", strerror(-r));
                return EXIT_FAILED;
        }
        if (failures > 0) {
                fprintf(err, "aurora-backupctl: %u region%s could not be observed; the plan leaves %s out\n",
                        failures, failures == 1 ? "" : "s", failures == 1 ? "it" : "them");
                return EXIT_FAILED;
        }
        return EXIT_OK;
}
