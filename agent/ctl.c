/* aurora-backupctl: the operator's view of the agent. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "build-config.h"
#include "cli.h"

static void help(FILE *f)
{
        fprintf(f,
                "Usage: aurora-backupctl [OPTIONS] COMMAND\n"
                "\n"
                "Commands:\n"
                "  check-config        validate the configuration without contacting AWS\n"
                "\n"
                "Options:\n"
                "  -c, --config FILE   configuration file (default: %s)\n"
                "  -h, --help          show this help\n"
                "      --version       show the version\n",
                DEFAULT_CONFIG_FILE);
}

int main(int argc, char *argv[])
{
        enum { ARG_VERSION = 0x100 };
        static const struct option options[] = {
                {"config", required_argument, NULL, 'c'},
                {"help", no_argument, NULL, 'h'},
                {"version", no_argument, NULL, ARG_VERSION},
                {},
        };
        const char *config = NULL;
        int c;

        while ((c = getopt_long(argc, argv, "+c:h", options, NULL)) >= 0) {
                switch (c) {
                case 'c':
                        config = optarg;
                        break;
                case 'h':
                        help(stdout);
                        return EXIT_OK;
                case ARG_VERSION:
                        printf("aurora-backupctl %s\n", PACKAGE_VERSION);
                        return EXIT_OK;
                default:
                        help(stderr);
                        return EXIT_USAGE;
                }
        }
        if (optind >= argc) {
                help(stderr);
                return EXIT_USAGE;
        }
        const char *verb = argv[optind];
        if (strcmp(verb, "check-config") == 0 && optind + 1 == argc)
                return cli_check_config(cli_config_path(config), stdout, stderr);

        fprintf(stderr, "aurora-backupctl: unknown command '%s'\n", verb);
        return EXIT_USAGE;
}
