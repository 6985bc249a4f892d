/* aurora-backupctl: what every read-only command needs: the options, the config and the state store. */
#include "ctl-context.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "time-util.h"
#include "timespec.h"

const char *ctl_state_dir(const char *arg, const struct agent_config *c)
{
        if (arg)
                return arg;
        if (c && c->agent.state_directory)
                return c->agent.state_directory;
        /* systemd may pass several directories separated by ':'; the first is ours. */
        const char *e = getenv("STATE_DIRECTORY");
        if (e && *e && !strchr(e, ':'))
                return e;
        return CTL_DEFAULT_STATE_DIR;
}

int ctl_context_open(const struct ctl_options *o, struct ctl_context *ret, FILE *err)
{
        _cleanup_(agent_config_freep) struct agent_config *cfg = NULL;
        _cleanup_store_close_ struct store *s = NULL;
        struct config_diags diags = {};
        const char *path = cli_config_path(o->config);
        int r;

        r = config_load(path, &cfg, &diags);
        if (r < 0) {
                config_diags_print(&diags, err);
                if (diags.n == 0)
                        fprintf(err, "%s: %s\n", path, strerror(-r));
                config_diags_clear(&diags);
                return -EINVAL;
        }
        config_diags_clear(&diags);

        const char *dir = ctl_state_dir(o->state_dir, cfg);
        r = store_open_read_only(dir, &s);
        if (r < 0) {
                if (r == -ENOENT)
                        fprintf(err, "%s/%s: no state yet (has the agent run?)\n", dir, STORE_FILE_NAME);
                else if (r == -EPROTO)
                        fprintf(err, "%s/%s: schema is not version %d (agent and aurora-backupctl differ)\n",
                                dir, STORE_FILE_NAME, STORE_SCHEMA_VERSION);
                else
                        fprintf(err, "%s/%s: %s (%s)\n", dir, STORE_FILE_NAME, strerror(-r),
                                store_last_error(NULL));
                return r;
        }

        *ret = (struct ctl_context){
            .config = TAKE_PTR(cfg),
            .store = TAKE_PTR(s),
            .state_dir = dir,
            .now = (int64_t)time(NULL),
        };
        return 0;
}

void ctl_context_done(struct ctl_context *c)
{
        c->store = store_close(c->store);
        c->config = agent_config_free(c->config);
}

int ctl_parse_since(const char *s, int64_t now, int64_t *ret)
{
        int64_t t, d;
        if (time_parse_iso8601(s, &t) >= 0) {
                *ret = t;
                return 0;
        }
        if (duration_parse(s, &d) >= 0) {
                *ret = now - d;
                return 0;
        }
        return -EINVAL;
}
