/* aurora-backupctl plan. */
#include "ctl-plan.h"

#include <errno.h>
#include <string.h>

#include "agent.h"
#include "cli.h"
#include "plan.h"

int ctl_plan(const struct ctl_options *o, FILE *out, FILE *err)
{
        _cleanup_(agent_freep) struct agent *a = NULL;
        _cleanup_(plan_freep) struct plan *p = NULL;
        unsigned failures = 0;
        int r;

        if (o->json) {
                fprintf(err, "aurora-backupctl: plan has no --json form; its text is stable: one line per action, "
                             "then one per snapshot, fields as key=value\n");
                return EXIT_USAGE;
        }

        r = agent_new(&(struct agent_options){.config_path = cli_config_path(o->config),
                                              .read_only = true,
                                              .state_directory = o->state_dir},
                      &a);
        if (r == -EINVAL)
                return EXIT_USAGE; /* the config's errors were printed with file:line */
        if (r < 0)
                return EXIT_FAILED;
        r = agent_plan(a, &p, &failures);
        if (r < 0) {
                fprintf(err, "aurora-backupctl: planning failed: %s\n", strerror(-r));
                return EXIT_FAILED;
        }
        r = plan_format(p, out);
        if (r < 0) {
                fprintf(err, "aurora-backupctl: cannot print the plan: %s\n", strerror(-r));
                return EXIT_FAILED;
        }
        if (failures > 0) {
                fprintf(err, "aurora-backupctl: %u region%s could not be observed; the plan leaves %s out\n", failures,
                        failures == 1 ? "" : "s", failures == 1 ? "it" : "them");
                return EXIT_FAILED;
        }
        return EXIT_OK;
}
