/* aurora-backupctl: the operator's view of the agent (argument parsing and dispatch only). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "build-config.h"
#include "cli.h"
#include "ctl-check.h"
#include "ctl-control.h"
#include "ctl-history.h"
#include "ctl-plan.h"
#include "ctl-status.h"
#include "harden.h"

static void help(FILE *f)
{
        fprintf(
            f,
            "Usage: aurora-backupctl [OPTIONS] COMMAND [COMMAND OPTIONS]\n"
            "\n"
            "Commands:\n"
            "  status              policies, clusters, snapshots, quota, last cycle, open intents\n"
            "  history             the action ledger and the window history, newest first\n"
            "      --cluster ID        only this cluster\n"
            "      --policy NAME       only this policy\n"
            "      --since WHEN        ISO 8601 UTC time, or a duration back from now (2d, 6h)\n"
            "      --limit N           at most N rows of each list\n"
            "  check               monitoring-plugin check of snapshot freshness (exit 0/1/2/3)\n"
            "  plan                what the agent would do now, why each snapshot is kept or\n"
            "                      deleted, and each cluster's next slot (reads AWS, changes nothing)\n"
            "      --cluster ID        only this cluster\n"
            "      --policy NAME       only this policy\n"
            "      --all               also snapshots of clusters no policy selects\n"
            "  check-config        validate the configuration without contacting AWS\n"
            "\n"
            "Commands carried out by the running agent (over its control socket):\n"
            "  snapshot CLUSTER    one snapshot now, under the policy that selects the cluster\n"
            "  hold SNAPSHOT       set the aurora-backup:hold tag: retention never deletes it\n"
            "  release SNAPSHOT    clear the aurora-backup:hold tag\n"
            "  export (--snapshot ID | --cluster ID)\n"
            "                      export snapshot or cluster data to the policy's S3 bucket\n"
            "  cancel-export TASK  cancel an export task (exported data stays in S3)\n"
            "  delete SNAPSHOT     delete one of the agent's snapshots (AWS Backup's through AWS Backup)\n"
            "  restore --snapshot ID --new-cluster NAME [--instance-class CLASS] [--no-wait]\n"
            "  restore --cluster ID (--time ISO8601 | --latest) --new-cluster NAME [...]\n"
            "                      restore into a new cluster, create its primary instance and wait\n"
            "                      until it is the writer (--no-wait: return once accepted)\n"
            "      --socket PATH       the agent's control socket (default: agent.control_socket)\n"
            "\n"
            "Options:\n"
            "  -c, --config FILE   configuration file (default: %s)\n"
            "      --state-dir DIR state directory (default: agent.state_directory, $STATE_DIRECTORY,\n"
            "                      else /var/lib/aurora-backup)\n"
            "      --json          machine-readable output\n"
            "  -h, --help          show this help\n"
            "      --version       show the version\n",
            DEFAULT_CONFIG_FILE);
}

static int parse_limit(const char *s, size_t *ret)
{
        char *end;
        if (!s || !*s || *s == '-')
                return -1;
        unsigned long long v = strtoull(s, &end, 10);
        if (*end)
                return -1;
        *ret = (size_t)v;
        return 0;
}

int main(int argc, char *argv[])
{
        enum {
                ARG_STATE_DIR = CLI_ARG_OWN,
                ARG_JSON,
                ARG_CLUSTER,
                ARG_POLICY,
                ARG_SINCE,
                ARG_LIMIT,
                ARG_SNAPSHOT,
                ARG_NEW_CLUSTER,
                ARG_TIME,
                ARG_LATEST,
                ARG_INSTANCE_CLASS,
                ARG_NO_WAIT,
                ARG_SOCKET,
                ARG_ALL,
        };
        static const struct option options[] = {
            {"config", required_argument, NULL, 'c'},
            {"state-dir", required_argument, NULL, ARG_STATE_DIR},
            {"json", no_argument, NULL, ARG_JSON},
            {"cluster", required_argument, NULL, ARG_CLUSTER},
            {"policy", required_argument, NULL, ARG_POLICY},
            {"since", required_argument, NULL, ARG_SINCE},
            {"limit", required_argument, NULL, ARG_LIMIT},
            {"snapshot", required_argument, NULL, ARG_SNAPSHOT},
            {"new-cluster", required_argument, NULL, ARG_NEW_CLUSTER},
            {"time", required_argument, NULL, ARG_TIME},
            {"latest", no_argument, NULL, ARG_LATEST},
            {"instance-class", required_argument, NULL, ARG_INSTANCE_CLASS},
            {"no-wait", no_argument, NULL, ARG_NO_WAIT},
            {"socket", required_argument, NULL, ARG_SOCKET},
            {"all", no_argument, NULL, ARG_ALL},
            {"help", no_argument, NULL, 'h'},
            {"version", no_argument, NULL, CLI_ARG_VERSION},
            {},
        };
        struct ctl_options o = {};
        struct ctl_history_args h = {};
        struct ctl_plan_args pa = {};
        struct ctl_control_args ca = {};
        bool history_opts = false, policy_opt = false;
        const char *verb = NULL;
        int c, r;

        /* `plan` holds AWS credentials: no core dump may keep them. */
        r = harden_process();
        if (r < 0)
                fprintf(stderr, "aurora-backupctl: cannot disable core dumps: %s, ignoring\n", strerror(-r));

        /* Options may come before or after the command; the first non-option is the command. */
        while (optind < argc) {
                c = getopt_long(argc, argv, "-c:h", options, NULL);
                if (c < 0)
                        break;
                switch (c) {
                case 1:
                        if (!verb)
                                verb = optarg;
                        else if (!ca.target && ctl_control_command(verb))
                                ca.target = optarg;
                        else {
                                fprintf(stderr, "aurora-backupctl: unexpected argument '%s'\n", optarg);
                                return EXIT_USAGE;
                        }
                        break;
                case 'c':
                        o.config = optarg;
                        break;
                case ARG_STATE_DIR:
                        o.state_dir = optarg;
                        break;
                case ARG_JSON:
                        o.json = true;
                        break;
                case ARG_ALL:
                        pa.all = true;
                        break;
                case ARG_CLUSTER:
                        h.cluster = ca.cluster = pa.cluster = optarg; /* history, plan, export, restore */
                        break;
                case ARG_SNAPSHOT:
                        ca.snapshot = optarg;
                        break;
                case ARG_NEW_CLUSTER:
                        ca.new_cluster = optarg;
                        break;
                case ARG_TIME:
                        ca.time = optarg;
                        break;
                case ARG_LATEST:
                        ca.latest = true;
                        break;
                case ARG_INSTANCE_CLASS:
                        ca.instance_class = optarg;
                        break;
                case ARG_NO_WAIT:
                        ca.no_wait = true;
                        break;
                case ARG_SOCKET:
                        ca.socket = optarg;
                        break;
                case ARG_POLICY:
                        h.policy = pa.policy = optarg;
                        policy_opt = true;
                        break;
                case ARG_SINCE:
                        h.since = optarg;
                        history_opts = true;
                        break;
                case ARG_LIMIT:
                        if (parse_limit(optarg, &h.limit) < 0) {
                                fprintf(stderr, "aurora-backupctl: --limit '%s': not a number\n", optarg);
                                return EXIT_USAGE;
                        }
                        history_opts = true;
                        break;
                default:
                        return cli_help_version_option(c, "aurora-backupctl", help);
                }
        }
        if (!verb) {
                help(stderr);
                return EXIT_USAGE;
        }
        if (history_opts && strcmp(verb, "history") != 0) {
                fprintf(stderr, "aurora-backupctl: --since and --limit apply to history only\n");
                return EXIT_USAGE;
        }
        if (policy_opt && !streq(verb, "history") && !streq(verb, "plan")) {
                fprintf(stderr, "aurora-backupctl: --policy applies to history and plan only\n");
                return EXIT_USAGE;
        }
        if (pa.all && !streq(verb, "plan")) {
                fprintf(stderr, "aurora-backupctl: --all applies to plan only\n");
                return EXIT_USAGE;
        }
        if (h.cluster && !streq(verb, "history") && !streq(verb, "plan") && !streq(verb, "export") &&
            !streq(verb, "restore")) {
                fprintf(stderr,
                        "aurora-backupctl: --cluster applies to history, plan, export and restore only\n");
                return EXIT_USAGE;
        }
        if (ctl_control_command(verb))
                return ctl_control(&o, verb, &ca, stdout, stderr);
        if (ca.snapshot || ca.new_cluster || ca.time || ca.latest || ca.instance_class || ca.no_wait ||
            ca.socket) {
                fprintf(stderr, "aurora-backupctl: %s takes none of the control commands' options\n", verb);
                return EXIT_USAGE;
        }

        if (strcmp(verb, "status") == 0)
                return ctl_status(&o, stdout, stderr);
        if (strcmp(verb, "history") == 0)
                return ctl_history(&o, &h, stdout, stderr);
        if (strcmp(verb, "check") == 0)
                return ctl_check(&o, stdout, stderr);
        if (strcmp(verb, "plan") == 0)
                return ctl_plan(&o, &pa, stdout, stderr);
        if (strcmp(verb, "check-config") == 0)
                return cli_check_config(cli_config_path(o.config), stdout, stderr);

        fprintf(stderr, "aurora-backupctl: unknown command '%s'\n", verb);
        return EXIT_USAGE;
}
