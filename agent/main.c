/* aurora-backup-agent: arguments, config, then the agent's loop. Everything else lives in libagent. */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>

#include "build-config.h"
#include "cli.h"

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

int main(int argc, char *argv[])
{
        enum { ARG_CHECK_CONFIG = 0x100, ARG_ONCE, ARG_DRY_RUN, ARG_VERSION };
        static const struct option options[] = {
                {"config", required_argument, NULL, 'c'},
                {"check-config", no_argument, NULL, ARG_CHECK_CONFIG},
                {"once", no_argument, NULL, ARG_ONCE},
                {"dry-run", no_argument, NULL, ARG_DRY_RUN},
                {"help", no_argument, NULL, 'h'},
                {"version", no_argument, NULL, ARG_VERSION},
                {},
        };
        const char *config = NULL;
        bool check_config = false;
        int c;

        while ((c = getopt_long(argc, argv, "c:h", options, NULL)) >= 0) {
                switch (c) {
                case 'c':
                        config = optarg;
                        break;
                case ARG_CHECK_CONFIG:
                        check_config = true;
                        break;
                case ARG_ONCE:
                case ARG_DRY_RUN:
                        break;
                case 'h':
                        help(stdout);
                        return EXIT_OK;
                case ARG_VERSION:
                        printf("aurora-backup-agent %s\n", PACKAGE_VERSION);
                        return EXIT_OK;
                default:
                        help(stderr);
                        return EXIT_USAGE;
                }
        }
        if (optind < argc) {
                fprintf(stderr, "aurora-backup-agent: unexpected argument '%s'\n", argv[optind]);
                return EXIT_USAGE;
        }

        if (check_config)
                return cli_check_config(cli_config_path(config), stdout, stderr);

        fprintf(stderr, "aurora-backup-agent: the reconcile loop is not built yet; only --check-config works\n");
        return EXIT_USAGE;
}
