/* aurora-backup-agent: arguments, config, then the agent's loop. Everything else lives in libagent. */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "agent.h"
#include "build-config.h"
#include "cli.h"
#include "harden.h"
#include "journal.h"
#include "log.h"
#include "loop.h"

static void help(FILE *f)
{
        fprintf(f,
                "Usage: aurora-backup-agent [OPTIONS]\n"
                "\n"
                "Keep Aurora DB cluster snapshots on schedule, within retention and quota.\n"
                "\n"
                "  -c, --config FILE   configuration file (default: %s)\n"
                "      --check-config  validate the configuration, never contacting AWS, and exit\n"
                "      --once          run one reconcile cycle and exit\n"
                "      --dry-run       plan and report, but make no mutating AWS call\n"
                "  -h, --help          show this help\n"
                "      --version       show the version\n",
                DEFAULT_CONFIG_FILE);
}

static int run(const char *config, bool once, bool dry_run)
{
        _cleanup_(agent_freep) struct agent *a = NULL;
        struct cycle_result res = {};
        int r;

        r = agent_new(&(struct agent_options){.config_path = config, .dry_run = dry_run, .daemon = !once},
                      &a);
        if (r == -EINVAL)
                return EXIT_USAGE; /* the config's errors were printed with file:line */
        if (r < 0)
                return EXIT_FAILED;

        if (!once)
                return agent_loop_run(a) < 0 ? EXIT_FAILED : EXIT_OK;

        r = agent_loop_run_once(a, &res);
        if (r < 0)
                return EXIT_FAILED;
        return res.failed > 0 ? EXIT_FAILED : EXIT_OK;
}

int main(int argc, char *argv[])
{
        enum { ARG_CHECK_CONFIG = CLI_ARG_OWN, ARG_ONCE, ARG_DRY_RUN };
        static const struct option options[] = {
            {"config", required_argument, NULL, 'c'},
            {"check-config", no_argument, NULL, ARG_CHECK_CONFIG},
            {"once", no_argument, NULL, ARG_ONCE},
            {"dry-run", no_argument, NULL, ARG_DRY_RUN},
            {"help", no_argument, NULL, 'h'},
            {"version", no_argument, NULL, CLI_ARG_VERSION},
            {},
        };
        const char *config = NULL;
        bool check_config = false, once = false, dry_run = false;
        int c, r;

        /* Before anything holds a secret. */
        r = harden_process();
        if (r < 0)
                log_warning("cannot disable core dumps: %s, ignoring", strerror(-r));

        while ((c = getopt_long(argc, argv, "c:h", options, NULL)) >= 0) {
                switch (c) {
                case 'c':
                        config = optarg;
                        break;
                case ARG_CHECK_CONFIG:
                        check_config = true;
                        break;
                case ARG_ONCE:
                        once = true;
                        break;
                case ARG_DRY_RUN:
                        dry_run = true;
                        break;
                default:
                        return cli_help_version_option(c, "aurora-backup-agent", help);
                }
        }
        if (optind < argc) {
                log_error("unexpected argument '%s'", argv[optind]);
                return EXIT_USAGE;
        }

        if (check_config)
                return cli_check_config(cli_config_path(config), stdout, stderr);

        return run(cli_config_path(config), once, dry_run);
}
