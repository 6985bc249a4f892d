/* Command-line pieces shared by aurora-backup-agent and aurora-backupctl. */
#include "cli.h"

#include <errno.h>
#include <string.h>

#include "agent-config.h"
#include "build-config.h"

int cli_help_version_option(int c, const char *program, void (*help)(FILE *f))
{
        switch (c) {
        case 'h':
                help(stdout);
                return EXIT_OK;
        case CLI_ARG_VERSION:
                printf("%s %s\n", program, PACKAGE_VERSION);
                return EXIT_OK;
        default:
                help(stderr);
                return EXIT_USAGE;
        }
}

const char *cli_config_path(const char *arg)
{
        return arg ? arg : DEFAULT_CONFIG_FILE;
}

int cli_config_load(const char *path, bool unreadable_ok, struct agent_config **ret, FILE *err)
{
        _cleanup_(agent_config_freep) struct agent_config *c = NULL;
        struct config_diags diags = {};
        int r;

        r = config_load(path, &c, &diags);
        if (r < 0 && !(unreadable_ok && (r == -EACCES || r == -ENOENT))) {
                config_diags_print(&diags, err);
                if (diags.n == 0)
                        fprintf(err, "%s: %s\n", path, strerror(-r));
                config_diags_clear(&diags);
                return -EINVAL;
        }
        config_diags_clear(&diags);
        *ret = r < 0 ? NULL : TAKE_PTR(c);
        return 0;
}

int cli_check_config(const char *path, FILE *out, FILE *err)
{
        _cleanup_(agent_config_freep) struct agent_config *c = NULL;
        struct config_diags diags = {};
        int r;

        if (cli_config_load(path, false, &c, err) < 0)
                return EXIT_FAILED;
        fprintf(out, "OK: %zu %s\n", c->n_policies, c->n_policies == 1 ? "policy" : "policies");
        /* Valid but unsafe: said, and still OK. */
        r = config_warnings(c, &diags);
        if (r < 0)
                fprintf(err, "warning: %s: cannot check the files' modes: %s\n", path, strerror(-r));
        for (size_t i = 0; i < diags.n; i++)
                fprintf(err, "warning: %s:%u: %s: %s\n", diags.items[i].file, diags.items[i].line,
                        strempty(diags.items[i].setting), diags.items[i].message);
        config_diags_clear(&diags);
        return EXIT_OK;
}
