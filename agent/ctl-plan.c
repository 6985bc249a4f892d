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

static int action_json(struct json_object *e, const struct plan_action *a)
{
        int r = ctl_json_add_string(e, "kind", action_kind_to_string(a->kind));
        if (r == 0)
                r = ctl_json_add_string(e, "policy", a->policy);
        if (r == 0)
                r = ctl_json_add_string(e, "cluster", a->cluster);
        if (r == 0)
                r = ctl_json_add_string(e, "region", a->region);
        if (r == 0)
                r = ctl_json_add_string(e, "snapshot", a->snapshot);
        if (r == 0)
                r = ctl_json_add_string(e, "source_snapshot", a->source_snapshot);
        if (r == 0)
                r = ctl_json_add_string(e, "source_region", a->source_region);
        if (r == 0)
                r = ctl_json_add_string(e, "status", a->status);
        if (r == 0)
                r = ctl_json_add_time(e, "slot", a->slot_start);
        if (r == 0)
                r = ctl_json_add_time(e, "retry", a->retry_at);
        if (r == 0)
                r = ctl_json_add_string(e, "target", a->target);
        if (r == 0)
                r = ctl_json_add_string(e, "rule", a->rule);
        return r;
}

static int verdict_json(struct json_object *e, const struct snapshot_verdict *v)
{
        int r = ctl_json_add_string(e, "snapshot", v->snapshot);
        if (r == 0)
                r = ctl_json_add_string(e, "region", v->region);
        if (r == 0)
                r = ctl_json_add_string(e, "cluster", v->cluster);
        if (r == 0)
                r = ctl_json_add_time(e, "created",
                                      v->create_time == PLAN_TIME_UNKNOWN ? 0 : v->create_time);
        if (r == 0)
                r = ctl_json_add_string(e, "status", v->status);
        if (r == 0)
                r = ctl_json_add_string(e, "origin", snapshot_origin_to_string(v->origin));
        if (r == 0)
                r = ctl_json_add_string(e, "group", verdict_group_to_string(v->group));
        if (r == 0)
                r = ctl_json_add_string(e, "policy", v->policy);
        if (r == 0)
                r = ctl_json_add_string(e, "verdict", v->deleted ? "delete" : "keep");
        if (r == 0 && v->deleted)
                r = ctl_json_add_string(e, "why", delete_reason_to_string(v->why));
        if (r == 0 && !v->deleted) {
                struct json_object *rules = ctl_json_add_array(e, "kept_by");
                r = rules ? 0 : -ENOMEM;
                for (unsigned bit = 1; r == 0 && bit <= _KEEP_REASON_LAST; bit <<= 1)
                        if (v->keep & bit &&
                            json_object_array_add(rules,
                                                  json_object_new_string(keep_reason_to_string(bit))) < 0)
                                r = -ENOMEM;
        }
        return r;
}

/* retry_at is set for NEXT_SLOT_RETRY only (plan-action.h), so "retry" shows for that state alone. */
static int next_slot_json(struct json_object *e, const struct plan_next_slot *n)
{
        int r = ctl_json_add_string(e, "policy", n->policy);
        if (r == 0)
                r = ctl_json_add_string(e, "cluster", n->cluster);
        if (r == 0)
                r = ctl_json_add_string(e, "region", n->region);
        if (r == 0)
                r = ctl_slot_json(e, n->slot_start, n->window_open, n->window_close, n->window,
                                  n->window_from_cluster, n->schedule, next_slot_state_to_string(n->state),
                                  n->retry_at);
        return r;
}

static int plan_json(FILE *out, const struct plan *p, unsigned failures)
{
        _cleanup_(json_object_putp) struct json_object *j = json_object_new_object();
        struct json_object *acts = j ? ctl_json_add_array(j, "actions") : NULL,
                           *verdicts = acts ? ctl_json_add_array(j, "verdicts") : NULL,
                           *slots = verdicts ? ctl_json_add_array(j, "next_slots") : NULL;
        int r;

        if (!slots)
                return -ENOMEM;
        r = ctl_json_add_time(j, "now", p->now);
        if (r == 0)
                r = ctl_json_add_time(j, "next_wakeup",
                                      p->next_wakeup == PLAN_NO_WAKEUP ? 0 : p->next_wakeup);
        if (r == 0)
                r = ctl_json_add_int(j, "regions_not_observed", failures);
        for (size_t i = 0; r == 0 && i < p->n_actions; i++) {
                struct json_object *e = ctl_json_array_add_object(acts);
                r = e ? action_json(e, &p->actions[i]) : -ENOMEM;
        }
        for (size_t i = 0; r == 0 && i < p->n_verdicts; i++) {
                struct json_object *e = ctl_json_array_add_object(verdicts);
                r = e ? verdict_json(e, &p->verdicts[i]) : -ENOMEM;
        }
        for (size_t i = 0; r == 0 && i < p->n_next_slots; i++) {
                struct json_object *e = ctl_json_array_add_object(slots);
                r = e ? next_slot_json(e, &p->next_slots[i]) : -ENOMEM;
        }
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
