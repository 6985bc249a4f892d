/* Agent-wide settings: region, state, timers, snapshot naming, TLS, metrics and sharding. */
#include "config-agent.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ascii.h"
#include "config-validate.h"
#include "time-util.h"
#include "timespec.h"

static const char *const agent_keys[] = {
    "region",
    "state_directory",
    "reconcile_interval",
    "inventory_interval",
    "max_concurrent_calls",
    "dry_run",
    "snapshot_prefix",
    "ca_bundle",
    "connect_timeout",
    "request_timeout",
    "prometheus_textfile",
    "shard",
    "control_socket",
    "control_group",
    "problem_critical",
    "sns_topic",
    NULL,
};

int config_agent_defaults(struct conf_ctx *ctx, struct agent_settings *a)
{
        char *prefix, *sock, *group;

        if (conf_strdup(ctx, CONFIG_DEFAULT_SNAPSHOT_PREFIX, &prefix) < 0 ||
            conf_strdup(ctx, CONFIG_DEFAULT_CONTROL_SOCKET, &sock) < 0 ||
            conf_strdup(ctx, CONFIG_DEFAULT_CONTROL_GROUP, &group) < 0)
                return -ENOMEM;
        *a = (struct agent_settings){
            .reconcile_interval_sec = CONFIG_DEFAULT_RECONCILE_INTERVAL_SEC,
            .inventory_interval_sec = CONFIG_DEFAULT_INVENTORY_INTERVAL_SEC,
            .max_concurrent_calls = CONFIG_DEFAULT_MAX_CONCURRENT_CALLS,
            .snapshot_prefix = prefix,
            .connect_timeout_sec = CONFIG_DEFAULT_CONNECT_TIMEOUT_SEC,
            .request_timeout_sec = CONFIG_DEFAULT_REQUEST_TIMEOUT_SEC,
            .control_socket = sock,
            .control_group = group,
            .problem_critical_sec = CONFIG_DEFAULT_PROBLEM_CRITICAL_SEC,
        };
        return 0;
}

/* A POSIX portable user/group name, as useradd and systemd-sysusers accept it. */
bool group_name_is_valid(const char *s)
{
        size_t n = s ? strlen(s) : 0;
        if (n == 0 || n > 31 || s[0] == '-' || ascii_isdigit(s[0]))
                return false;
        for (size_t i = 0; i < n; i++) {
                if (!ascii_isalnum_or(s[i], "_-."))
                        return false;
        }
        return true;
}

int shard_parse(const char *s, unsigned *ret_index, unsigned *ret_count)
{
        unsigned v[2] = {0, 0};
        const char *p = s;

        for (int k = 0; k < 2; k++) {
                size_t digits = 0;
                if (*p < '1' || *p > '9')
                        return -EINVAL;
                for (; *p >= '0' && *p <= '9'; p++, digits++) {
                        if (digits >= 5)
                                return -EINVAL;
                        v[k] = v[k] * 10 + (unsigned)(*p - '0');
                }
                if (k == 0 && *p++ != '/')
                        return -EINVAL;
        }
        if (*p || v[1] > SHARD_COUNT_MAX || v[0] > v[1])
                return -EINVAL;
        *ret_index = v[0];
        *ret_count = v[1];
        return 0;
}

static void parse_path(struct conf_ctx *ctx, const struct conf_node *g, const char *key, const char *suffix,
                       char **ret)
{
        struct conf_node n;
        const char *s;

        if (conf_get_string(ctx, g, key, &s, &n) <= 0)
                return;
        if (!absolute_path_is_valid(s)) {
                conf_error(ctx, &n, "\"%s\" is not an absolute path: expected one starting with '/'", s);
                return;
        }
        if (suffix && (strlen(s) <= strlen(suffix) || !streq(s + strlen(s) - strlen(suffix), suffix))) {
                conf_error(ctx, &n,
                           "\"%s\" must end in \"%s\" (node_exporter's textfile collector reads only those)",
                           s, suffix);
                return;
        }
        conf_strdup(ctx, s, ret);
}

void config_agent_parse(struct conf_ctx *ctx, const struct conf_node *g, struct agent_settings *a)
{
        struct conf_node n;
        const char *s;
        char x[32], y[32];

        conf_check_members(ctx, g, agent_keys);

        if (conf_get_string(ctx, g, "region", &s, &n) > 0) {
                if (!region_name_is_valid(s))
                        conf_error(ctx, &n,
                                   "\"%s\" is not an AWS region name: expected one such as \"eu-west-1\"%s",
                                   s,
                                   availability_zone_is_valid(s)
                                       ? " (that is an availability zone; drop the letter)"
                                       : "");
                else
                        conf_strdup(ctx, s, &a->region);
        }
        parse_path(ctx, g, "state_directory", NULL, &a->state_directory);
        conf_get_duration(ctx, g, "reconcile_interval", SEC_PER_MINUTE, SEC_PER_DAY,
                          &a->reconcile_interval_sec);
        conf_get_duration(ctx, g, "inventory_interval", 10 * SEC_PER_MINUTE, SEC_PER_DAY,
                          &a->inventory_interval_sec);
        /* `aurora-backupctl check`: an unresolved problem older than this is CRITICAL (younger: WARNING). */
        conf_get_duration(ctx, g, "problem_critical", 5 * SEC_PER_MINUTE, 90 * SEC_PER_DAY,
                          &a->problem_critical_sec);
        conf_get_uint(ctx, g, "max_concurrent_calls", 1, CONFIG_MAX_CONCURRENT_CALLS,
                      &a->max_concurrent_calls);
        conf_get_bool(ctx, g, "dry_run", &a->dry_run);

        if (conf_get_string(ctx, g, "snapshot_prefix", &s, &n) > 0) {
                if (!snapshot_prefix_is_valid(s))
                        conf_error(
                            ctx, &n,
                            "\"%s\" cannot start an RDS snapshot identifier: expected 1..%d lowercase "
                            "letters, digits and single hyphens, starting with a letter and not ending "
                            "with a hyphen, such as \"aba\"",
                            s, SNAPSHOT_PREFIX_MAX);
                else
                        conf_strdup(ctx, s, &a->snapshot_prefix);
        }

        parse_path(ctx, g, "ca_bundle", NULL, &a->ca_bundle);
        conf_get_duration(ctx, g, "connect_timeout", 1, 5 * SEC_PER_MINUTE, &a->connect_timeout_sec);
        conf_get_duration(ctx, g, "request_timeout", 1, SEC_PER_HOUR, &a->request_timeout_sec);
        if (a->request_timeout_sec < a->connect_timeout_sec) {
                if (!conf_member(g, "request_timeout", &n))
                        conf_member(g, "connect_timeout", &n);
                conf_error(ctx, &n,
                           "request_timeout (%s) is shorter than connect_timeout (%s); it includes it",
                           duration_format(a->request_timeout_sec, x, sizeof(x)),
                           duration_format(a->connect_timeout_sec, y, sizeof(y)));
        }
        parse_path(ctx, g, "prometheus_textfile", ".prom", &a->prometheus_textfile);

        if (conf_get_string(ctx, g, "control_socket", &s, &n) > 0) {
                if (!absolute_path_is_valid(s))
                        conf_error(ctx, &n, "\"%s\" is not an absolute path: expected one starting with '/'",
                                   s);
                else if (strlen(s) > CONFIG_CONTROL_SOCKET_MAX)
                        conf_error(ctx, &n,
                                   "\"%s\" is %zu characters long: an AF_UNIX socket path has at most %d", s,
                                   strlen(s), CONFIG_CONTROL_SOCKET_MAX);
                else
                        conf_strdup(ctx, s, &a->control_socket);
        }
        if (conf_get_string(ctx, g, "control_group", &s, &n) > 0) {
                if (!group_name_is_valid(s))
                        conf_error(
                            ctx, &n,
                            "\"%s\" is not a group name: expected 1..31 letters, digits, '_', '-' or '.', "
                            "not starting with a digit or '-', such as \"aurora-backup\"",
                            s);
                else
                        conf_strdup(ctx, s, &a->control_group);
        }

        if (conf_get_string(ctx, g, "sns_topic", &s, &n) > 0) {
                char region[32];
                if (!sns_topic_arn_is_valid(s, region))
                        conf_error(
                            ctx, &n,
                            "\"%s\" is not an SNS topic ARN: expected \"arn:aws:sns:REGION:ACCOUNT:NAME\" "
                            "(a standard topic: 1..256 letters, digits, '-' or '_'; the partition the "
                            "region's, e.g. arn:aws-cn:sns:cn-north-1:...)",
                            s);
                else
                        conf_strdup(ctx, s, &a->sns_topic);
        }

        if (conf_get_string(ctx, g, "shard", &s, &n) > 0 &&
            shard_parse(s, &a->shard_index, &a->shard_count) < 0)
                conf_error(ctx, &n,
                           "\"%s\" is not a shard: expected \"I/N\" with 1 <= I <= N <= %d, such as \"2/4\"",
                           s, SHARD_COUNT_MAX);
}
