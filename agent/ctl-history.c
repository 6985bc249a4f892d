/* aurora-backupctl history: the action ledger and the window history, newest first. */
#include "ctl-history.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "ctl-output.h"

static const char *dash(const char *s)
{
        return s && *s ? s : "-";
}

static void ledger_entry_json(int *r, struct json_object *e, const struct ledger_entry *l)
{
        ctl_json_add_int(r, e, "id", l->id);
        ctl_json_add_time(r, e, "time", l->created_at);
        ctl_json_add_time(r, e, "updated", l->updated_at);
        ctl_json_add_string(r, e, "kind", ledger_kind_to_string(l->kind));
        ctl_json_add_string(r, e, "state", ledger_state_to_string(l->state));
        ctl_json_add_string(r, e, "policy", l->policy);
        ctl_json_add_string(r, e, "cluster", l->cluster);
        ctl_json_add_string(r, e, "snapshot", l->snapshot);
        ctl_json_add_string(r, e, "region", l->region);
        ctl_json_add_string(r, e, "target", l->target);
        ctl_json_add_time(r, e, "slot", l->slot_start);
        ctl_json_add_int(r, e, "attempts", l->attempts);
        ctl_json_add_string(r, e, "request_id", l->request_id);
        ctl_json_add_string(r, e, "error_code", l->error_code);
        ctl_json_add_string(r, e, "error_message", l->error_message);
}

static void window_record_json(int *r, struct json_object *e, const struct window_record *w)
{
        ctl_json_add_time(r, e, "slot", w->slot_start);
        ctl_json_add_string(r, e, "policy", w->policy);
        ctl_json_add_string(r, e, "cluster", w->cluster);
        ctl_json_add_string(r, e, "outcome", window_outcome_to_string(w->outcome));
        ctl_json_add_string(r, e, "snapshot", w->snapshot);
        ctl_json_add_time(r, e, "recorded", w->recorded_at);
}

static int history_json(FILE *out, const struct ledger_entry *l, size_t n_l, const struct window_record *w,
                        size_t n_w, const struct problem *pr, size_t n_pr, int64_t now)
{
        _cleanup_(json_object_putp) struct json_object *j = json_object_new_object();
        int r = j ? 0 : -ENOMEM;
        struct json_object *ledger = ctl_json_add_array(&r, j, "ledger"),
                           *windows = ctl_json_add_array(&r, j, "windows"),
                           *problems = ctl_json_add_array(&r, j, "problems");

        ctl_problems_json(&r, problems, now, pr, n_pr);
        for (size_t i = 0; r >= 0 && i < n_l; i++)
                ledger_entry_json(&r, ctl_json_array_add_object(&r, ledger), &l[i]);
        for (size_t i = 0; r >= 0 && i < n_w; i++)
                window_record_json(&r, ctl_json_array_add_object(&r, windows), &w[i]);
        return r < 0 ? r : ctl_json_print(out, j);
}

static void history_text(FILE *out, const struct ledger_entry *l, size_t n_l, const struct window_record *w,
                         size_t n_w, const struct problem *pr, size_t n_pr, int64_t now)
{
        char t[TIME_ISO8601_MAX];

        fprintf(out, "Ledger (%zu):\n", n_l);
        if (n_l > 0)
                fprintf(out, "  %-20s %-16s %-9s %-12s %-24s %-40s %s\n", "TIME", "KIND", "STATE", "POLICY",
                        "CLUSTER", "SNAPSHOT", "REQUEST-ID");
        for (size_t i = 0; i < n_l; i++) {
                fprintf(out, "  %-20s %-16s %-9s %-12s %-24s %-40s %s\n",
                        ctl_format_time(l[i].created_at, t), ledger_kind_to_string(l[i].kind),
                        ledger_state_to_string(l[i].state), dash(l[i].policy), dash(l[i].cluster),
                        dash(l[i].snapshot), dash(l[i].request_id));
                if (l[i].error_code || l[i].error_message)
                        fprintf(out, "    error: %s: %s\n", dash(l[i].error_code), dash(l[i].error_message));
        }
        fprintf(out, "\nWindows (%zu):\n", n_w);
        if (n_w > 0)
                fprintf(out, "  %-20s %-16s %-12s %-24s %s\n", "SLOT", "OUTCOME", "POLICY", "CLUSTER",
                        "SNAPSHOT");
        for (size_t i = 0; i < n_w; i++)
                fprintf(out, "  %-20s %-16s %-12s %-24s %s\n", ctl_format_time(w[i].slot_start, t),
                        window_outcome_to_string(w[i].outcome), dash(w[i].policy), dash(w[i].cluster),
                        dash(w[i].snapshot));
        fprintf(
            out,
            "\nProblems (%zu: failed and refused actions, drills, windows, quota, regions; open first):\n",
            n_pr);
        for (size_t i = 0; i < n_pr; i++)
                ctl_problem_text(out, "  ", now, &pr[i]);
}

int ctl_history(const struct ctl_options *o, const struct ctl_history_args *a, FILE *out, FILE *err)
{
        _cleanup_(ctl_context_done) struct ctl_context ctx = {};
        struct ledger_entry *l = NULL;
        struct window_record *w = NULL;
        struct problem *pr = NULL;
        size_t n_l = 0, n_w = 0, n_pr = 0;
        int64_t since = 0;
        int r;

        r = ctl_context_open(o, &ctx, err);
        if (r < 0)
                return r == -EINVAL ? EXIT_USAGE : EXIT_FAILED;
        if (a->since && ctl_parse_since(a->since, ctx.now, &since) < 0) {
                fprintf(err, "aurora-backupctl: --since '%s': not an ISO 8601 time or a duration\n",
                        a->since);
                return EXIT_USAGE;
        }

        struct ledger_filter f = LEDGER_FILTER_ALL;
        f.policy = a->policy;
        f.cluster = a->cluster;
        f.since = since;
        f.limit = a->limit;
        r = store_ledger_list(ctx.store, &f, &l, &n_l);
        if (r >= 0)
                /* The window history has no policy filter in the store; filter here, so list all first. */
                r = store_window_list(ctx.store, a->cluster, since, a->policy ? 0 : a->limit, &w, &n_w);
        if (r >= 0)
                /* Problems: open ones, and those resolved in the period (default: the last 30 days). */
                r = store_problems_list(ctx.store, since ? since : ctx.now - 30 * 86400, &pr, &n_pr);
        if (r < 0) {
                ctl_store_error(&ctx, r, err);
                ledger_entries_free(l, n_l);
                window_records_free(w, n_w);
                return EXIT_FAILED;
        }
        {
                size_t k = 0;
                for (size_t i = 0; i < n_pr; i++) {
                        bool keep = (!a->policy || streq_ptr(pr[i].policy, a->policy)) &&
                                    (!a->cluster || streq_ptr(pr[i].cluster, a->cluster)) &&
                                    (pr[i].resolved_at == 0 || pr[i].last_seen >= since);
                        if (!keep) {
                                problem_done(&pr[i]);
                                continue;
                        }
                        pr[k++] = pr[i];
                }
                n_pr = k;
        }
        if (a->policy) {
                size_t k = 0;
                for (size_t i = 0; i < n_w; i++) {
                        if ((!w[i].policy || strcmp(w[i].policy, a->policy) != 0) ||
                            (a->limit > 0 && k >= a->limit)) {
                                window_record_done(&w[i]);
                                continue;
                        }
                        w[k++] = w[i];
                }
                n_w = k;
        }

        if (o->json)
                r = history_json(out, l, n_l, w, n_w, pr, n_pr, ctx.now);
        else
                history_text(out, l, n_l, w, n_w, pr, n_pr, ctx.now);
        problems_free(pr, n_pr);
        ledger_entries_free(l, n_l);
        window_records_free(w, n_w);
        if (r < 0) {
                fprintf(err, "history: %s\n", strerror(-r));
                return EXIT_FAILED;
        }
        return EXIT_OK;
}
