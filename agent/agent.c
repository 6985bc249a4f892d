/* The agent object: config, state store, AWS clients per (region, role), the clock, and reload. */
#include "agent.h"

#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <systemd/sd-daemon.h>
#include <time.h>
#include <unistd.h>

#include "agent-internal.h"
#include "array.h"
#include "aws-call.h"
#include "aws-client.h"
#include "aws-multi.h"
#include "aws-rate.h"
#include "build-config.h"
#include "config-policy.h"
#include "journal.h"
#include "log.h"
#include "notify.h"
#include "observation.h"
#include "plan.h"
#include "select.h"
#include "share-cache.h"
#include "state-lock.h"
#include "store.h"
#include "string-table.h"
#include "strv.h"
#include "task.h"
#include "time-util.h"

#if ENABLE_TEST_HOOKS
static int parse_test_now(const char *s, int64_t *ret)
{
        char *end;
        long long v;

        if (time_parse_iso8601(s, ret) >= 0)
                return 0;
        errno = 0;
        v = strtoll(s, &end, 10);
        if (errno != 0 || end == s || *end != '\0' || v < 0)
                return -EINVAL;
        *ret = v;
        return 0;
}

static const char *const crash_point_table[_CRASH_POINT_MAX] = {
    [CRASH_BEFORE_INTENT] = "before-intent",
    [CRASH_AFTER_INTENT] = "after-intent",
    [CRASH_AFTER_CALL] = "after-call",
};

/* Unset or unknown: never. */
static enum crash_point parse_crash_point(const char *s)
{
        int r = string_table_lookup(crash_point_table, ELEMENTSOF(crash_point_table), s);
        return r < 0 ? CRASH_NEVER : (enum crash_point)r;
}

/* The test-only hooks (meson -Dtest_hooks=true): a fixed clock and a crash at a chosen point. */
static int test_hooks_init(struct agent *a)
{
        const char *now_env = getenv("AURORA_BACKUP_TEST_NOW");

        if (now_env && *now_env) {
                if (parse_test_now(now_env, &a->test_now) < 0) {
                        log_error("AURORA_BACKUP_TEST_NOW='%s' is neither epoch seconds "
                                  "nor ISO 8601",
                                  now_env);
                        return -EINVAL;
                }
                a->has_test_now = true;
                /* With a rate, the test clock runs from TEST_NOW that many times faster than real time, and
                 * the daemon's timers with it (a day of wake-ups in minutes, for tests and benchmarks). */
                const char *rate = getenv("AURORA_BACKUP_TEST_CLOCK_RATE");
                if (rate && *rate) {
                        char *end;
                        long v = strtol(rate, &end, 10);
                        if (*end || v < 1 || v > 10000) {
                                log_error("AURORA_BACKUP_TEST_CLOCK_RATE='%s' is not an integer "
                                          "from 1 to 10000",
                                          rate);
                                return -EINVAL;
                        }
                        a->test_clock_rate = (unsigned)v;
                        struct timespec ts;
                        clock_gettime(CLOCK_MONOTONIC, &ts);
                        a->test_clock_origin_usec =
                            (uint64_t)ts.tv_sec * 1000000ULL + (uint64_t)ts.tv_nsec / 1000;
                }
        }
        a->crash_at = parse_crash_point(getenv("AURORA_BACKUP_TEST_CRASH_AT"));
        return 0;
}
#else
static int test_hooks_init(struct agent *a)
{
        return 0; /* release builds have no hooks: the environment cannot change the clock */
}
#endif

/* agent.state_directory, else the first entry of $STATE_DIRECTORY (systemd may list several), else the
 * build default. */
static int resolve_state_directory(const struct agent_options *o, const struct agent_config *c, char **ret)
{
        const char *env = getenv("STATE_DIRECTORY");
        char *d;

        if (o->state_directory)
                d = strdup(o->state_directory);
        else if (c->agent.state_directory)
                d = strdup(c->agent.state_directory);
        else if (env && *env)
                d = strndup(env, strcspn(env, ":"));
        else
                d = strdup(DEFAULT_STATE_DIRECTORY);
        if (!d)
                return -ENOMEM;
        *ret = d;
        return 0;
}

/* Config errors, one line each (file:line: setting: message), each with its priority on the journal
 * stream. */
static void print_config_errors(const struct config_diags *d)
{
        _cleanup_free_ char *buf = NULL;
        size_t size = 0;
        char prefix[8];
        FILE *f;

        if (!*log_priority_prefix(LOG_ERR, prefix) || !(f = open_memstream(&buf, &size))) {
                config_diags_print(d, stderr);
                return;
        }
        config_diags_print(d, f);
        if (fclose(f) != 0 || !buf) {
                config_diags_print(d, stderr);
                return;
        }
        for (char *line = buf, *next; line && *line; line = next) {
                next = strchr(line, '\n');
                if (next)
                        *next++ = '\0';
                fprintf(stderr, "%s%s\n", prefix, line);
        }
        fflush(stderr);
}

static int load_config(const char *path, struct agent_config **ret, struct config_diags *diags)
{
        int r = config_load(path, ret, diags);
        if (r < 0 && diags->n == 0) {
                /* config_load always explains itself, but never leave the operator without a line. */
                log_error("%s: %s", path, strerror(-r));
        }
        return r;
}

/* config_warnings() as config-warning events (stderr lines in the foreground), at start and reload. */
static void report_config_warnings(const struct agent_config *c)
{
        struct config_diags w = {};

        if (config_warnings(c, &w) < 0)
                journal_event(EVENT_CONFIG_WARNING, &(struct event_fields){.reason = strerror(ENOMEM)},
                              "Configuration %s could not be checked for unsafe file modes: %s", c->path,
                              strerror(ENOMEM));
        for (size_t i = 0; i < w.n; i++) {
                const struct config_diag *d = &w.items[i];
                journal_event(EVENT_CONFIG_WARNING,
                              &(struct event_fields){.reason = d->message, .target = d->setting},
                              "Configuration warning: %s:%u: %s: %s", d->file, d->line, strempty(d->setting),
                              d->message);
        }
        config_diags_clear(&w);
}

int agent_new(const struct agent_options *opts, struct agent **ret)
{
        _cleanup_(agent_freep) struct agent *a = NULL;
        struct config_diags diags = {};
        pid_t holder = 0;
        int r;

        a = calloc(1, sizeof(*a));
        if (!a)
                return -ENOMEM;
        a->lock_fd = -1;
        a->opts = *opts;
        if (opts->daemon && sd_watchdog_enabled(0, &a->watchdog_usec) <= 0)
                a->watchdog_usec = 0;
        a->opts.state_directory = NULL; /* copied below, not borrowed */
        a->config_path = strdup(opts->config_path);
        if (!a->config_path)
                return -ENOMEM;

        r = load_config(a->config_path, &a->config, &diags);
        if (r < 0) {
                print_config_errors(&diags);
                config_diags_clear(&diags);
                return -EINVAL;
        }
        config_diags_clear(&diags);

        r = test_hooks_init(a);
        if (r < 0)
                return r;

        r = resolve_state_directory(opts, a->config, &a->state_directory);
        if (r < 0)
                return r;
        if (opts->read_only) {
                /* No state yet is fine: the plan then knows no open intent and no window history. */
                r = store_open_read_only(a->state_directory, &a->store);
                if (r < 0 && r != -ENOENT) {
                        log_error("cannot read the state in %s: %s (%s)", a->state_directory,
                                  store_last_error(NULL), strerror(-r));
                        return r;
                }
                *ret = TAKE_PTR(a);
                return 0;
        }
        if (mkdir(a->state_directory, 0700) < 0 && errno != EEXIST) {
                r = negative_errno();
                log_error("cannot create state directory %s: %s", a->state_directory, strerror(-r));
                return r;
        }
        /* Before the store is touched: a second agent's recovery would settle the first one's intents. */
        r = state_lock_acquire(a->state_directory, &a->lock_fd, &holder);
        if (r == -EBUSY) {
                if (holder > 0)
                        log_error("state directory %s is in use by aurora-backup-agent "
                                  "PID %" PRIiMAX "",
                                  a->state_directory, (intmax_t)holder);
                else
                        log_error("state directory %s is in use by another "
                                  "aurora-backup-agent",
                                  a->state_directory);
                return r;
        }
        if (r < 0) {
                log_error("cannot lock state directory %s: %s", a->state_directory, strerror(-r));
                return r;
        }
        r = store_open(a->state_directory, &a->store);
        if (r < 0) {
                log_error("cannot open state in %s: %s (%s)", a->state_directory, store_last_error(NULL),
                          strerror(-r));
                return r;
        }
        report_config_warnings(a->config);

        *ret = TAKE_PTR(a);
        return 0;
}

static void clients_free(struct agent *a)
{
        for (size_t i = 0; i < a->n_clients; i++) {
                free(a->clients[i].region);
                free(a->clients[i].role_arn);
                aws_client_free(a->clients[i].client);
        }
        a->clients = mfree(a->clients);
        a->n_clients = 0;
}

struct agent *agent_free(struct agent *a)
{
        if (!a)
                return NULL;
        clients_free(a);
        agent_detach_event(a);
        store_close(a->store);
        if (a->lock_fd >= 0)
                close(a->lock_fd); /* releases the lock, after the store is closed */
        agent_config_free(a->config);
        free(a->config_path);
        free(a->state_directory);
        free(a->default_region);
        free(a->last_error);
        a->share_facts = share_cache_free(a->share_facts);
        agent_inventory_drop(a);
        strv_free(a->pending_looks);
        strv_free(a->export_progress);
        free(a);
        return NULL;
}

int agent_reload(struct agent *a)
{
        _cleanup_(agent_config_freep) struct agent_config *c = NULL;
        struct config_diags diags = {};
        int r;

        /* A reload also means "look again": whatever the file says, the next wake-up observes in full. */
        a->inventory_refresh = true;
        r = config_load(a->config_path, &c, &diags);
        if (r < 0) {
                /* Keep the running config. Every error goes to the journal, one event each. */
                if (diags.n == 0)
                        journal_event(EVENT_CONFIG_REJECTED, &(struct event_fields){.reason = strerror(-r)},
                                      "Configuration %s rejected (%s); the running configuration stays",
                                      a->config_path, strerror(-r));
                for (size_t i = 0; i < diags.n; i++) {
                        const struct config_diag *d = &diags.items[i];
                        char where[64];
                        snprintf(where, sizeof(where), "%u", d->line);
                        journal_event(
                            EVENT_CONFIG_REJECTED,
                            &(struct event_fields){.reason = d->message, .target = d->setting},
                            "Configuration rejected, the running configuration stays: %s:%s: %s: %s",
                            d->file, where, d->setting ? d->setting : "", d->message);
                }
                config_diags_clear(&diags);
                agent_set_last_error(a, "configuration reload rejected");
                return -EINVAL;
        }
        config_diags_clear(&diags);

        /* Policies may now use other regions or roles: start from fresh clients. */
        clients_free(a);
        a->default_region = mfree(a->default_region);
        a->default_region_tried = false;
        /* The inventory points into the old config (its policies) and may miss new regions: observe anew. */
        agent_inventory_drop(a);
        a->inventory_refresh = true;
        agent_config_free(a->config);
        a->config = TAKE_PTR(c);
        if (a->config->agent.state_directory && !streq(a->config->agent.state_directory, a->state_directory))
                journal_event(EVENT_CONFIG_RELOADED, &(struct event_fields){.reason = "state_directory"},
                              "agent.state_directory changed to %s; it takes effect at the next restart",
                              a->config->agent.state_directory);
        journal_event(EVENT_CONFIG_RELOADED, NULL, "Configuration %s reloaded: %zu %s", a->config_path,
                      a->config->n_policies, a->config->n_policies == 1 ? "policy" : "policies");
        report_config_warnings(a->config);
        return 0;
}

int64_t agent_now(const struct agent *a)
{
        if (a->has_test_now && a->test_clock_rate > 0) {
                struct timespec ts;
                clock_gettime(CLOCK_MONOTONIC, &ts);
                uint64_t elapsed = (uint64_t)ts.tv_sec * 1000000ULL + (uint64_t)ts.tv_nsec / 1000 -
                                   a->test_clock_origin_usec;
                return a->test_now + (int64_t)(elapsed * a->test_clock_rate / 1000000ULL);
        }
        if (a->has_test_now)
                return a->test_now;
        return (int64_t)time(NULL);
}

uint64_t agent_real_usec(const struct agent *a, uint64_t usec)
{
        return a->test_clock_rate > 1 ? usec / a->test_clock_rate : usec;
}

const struct agent_config *agent_config(const struct agent *a)
{
        return a->config;
}

bool agent_dry_run(const struct agent *a)
{
        return a->opts.dry_run || a->config->agent.dry_run;
}

void agent_set_stop_check(struct agent *a, bool (*stop)(void *userdata), bool (*wind_down)(void *userdata),
                          void *userdata)
{
        a->stop_check = stop;
        a->wind_down_check = wind_down;
        a->stop_userdata = userdata;
}

bool agent_should_stop(const struct agent *a)
{
        return a->stop_check && a->stop_check(a->stop_userdata);
}

void agent_job_begin(struct agent *a)
{
        a->jobs++;
}

void agent_job_end(struct agent *a)
{
        if (a->jobs > 0)
                a->jobs--;
        if (a->jobs == 0 && a->on_jobs_done)
                a->on_jobs_done(a->stop_userdata);
}

bool agent_winding_down(const struct agent *a)
{
        return a->wind_down_check ? a->wind_down_check(a->stop_userdata) : agent_should_stop(a);
}

void agent_set_last_error(struct agent *a, const char *fmt, ...)
{
        va_list ap;
        char *s = NULL;

        va_start(ap, fmt);
        (void)vasprintf_safe(&s, fmt, ap); /* without memory, no last error rather than a stale one */
        va_end(ap);
        free(a->last_error);
        a->last_error = s;
}

void agent_crash_point(const struct agent *a, enum crash_point point)
{
#if ENABLE_TEST_HOOKS
        if (a->crash_at != CRASH_NEVER && a->crash_at == point)
                raise(SIGKILL);
#endif
}

/* While an AWS call is in flight (the cycle still runs inside one timer callback): the service manager's
 * watchdog keeps hearing from the agent (every quarter of WatchdogSec), and after a stop the call in flight
 * has STOP_GRACE_USEC to finish before it is abandoned (its intent, if any, is settled by the next start's
 * recovery); no retry starts after a stop. */
#define STOP_GRACE_USEC (3500 * 1000ULL)
static uint64_t monotonic_usec(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t)ts.tv_sec * 1000000ULL + (uint64_t)ts.tv_nsec / 1000;
}

void agent_watchdog_ping(struct agent *a)
{
        uint64_t now = monotonic_usec();
        if (a->watchdog_usec > 0 && now - a->watchdog_pinged_usec >= a->watchdog_usec / 4) {
                (void)notify_watchdog();
                a->watchdog_pinged_usec = now;
        }
}

static int client_progress(void *userdata)
{
        struct agent *a = userdata;
        uint64_t now = monotonic_usec();

        agent_watchdog_ping(a);
        if (!agent_should_stop(a))
                return AWS_PROGRESS_CONTINUE;
        if (a->stop_seen_usec == 0)
                a->stop_seen_usec = now;
        return now - a->stop_seen_usec >= STOP_GRACE_USEC ? AWS_PROGRESS_ABANDON : AWS_PROGRESS_STOPPING;
}

static int client_options(const struct agent *a, const char *region, const char *role_arn,
                          const char *external_id, struct aws_client_options *ret)
{
        *ret = (struct aws_client_options){
            .progress = client_progress,
            .userdata = (void *)a,
            .region = region,
            .ca_bundle = a->config->agent.ca_bundle,
            .connect_timeout_ms = (unsigned)(a->config->agent.connect_timeout_sec * 1000),
            .total_timeout_ms = (unsigned)(a->config->agent.request_timeout_sec * 1000),
            .role_arn = role_arn,
            .external_id = external_id,
        };
        return 0;
}

const char *agent_policy_region(struct agent *a, const struct policy *p)
{
        const char *r = policy_region(p, &a->config->agent);
        struct aws_client *c;
        struct aws_error e = {};

        if (r)
                return r;
        if (a->default_region || a->default_region_tried)
                return a->default_region;
        /* From the environment, the profile or instance metadata, once (until a reload). */
        a->default_region_tried = true;
        if (agent_client_get(a, NULL, NULL, &c, &e) < 0)
                return NULL;
        a->default_region = strdup(aws_client_region(c));
        return a->default_region;
}

/* AWS calls made from a task suspend it (aws_client_send() through this waiter); elsewhere they block. */
static void *waiter_current(void *userdata)
{
        (void)userdata;
        return task_current();
}

static void waiter_suspend(void *context)
{
        (void)context;
        task_suspend();
}

static void waiter_wake(void *context)
{
        task_wake(context);
}

static const struct aws_waiter task_waiter = {
    .current = waiter_current,
    .suspend = waiter_suspend,
    .wake = waiter_wake,
};

static int client_attach(struct agent *a, struct aws_client *c)
{
        struct aws_async_options o = {
            .max_in_flight = a->config->agent.max_concurrent_calls,
            .waiter = &task_waiter,
        };
        /* Under a fast test clock (benchmarks), the limiter's rate follows the agent's clock like every
         * other span of time: N times faster clock, N times the requests per real second. */
        if (a->test_clock_rate > 1)
                o.max_rate = AWS_RATE_DEFAULT_MAX * a->test_clock_rate;
        return aws_client_attach_multi(c, a->multi, &o);
}

int agent_attach_event(struct agent *a, sd_event *event)
{
        int r;

        if (a->multi)
                return -EBUSY;
        r = aws_multi_new(event, &a->multi);
        if (r < 0)
                return r;
        for (size_t i = 0; i < a->n_clients; i++) {
                r = client_attach(a, a->clients[i].client);
                if (r < 0 && r != -EBUSY)
                        return r;
        }
        return 0;
}

void agent_detach_event(struct agent *a)
{
        /* The clients' asynchronous halves hold the multi: they go with the clients. */
        clients_free(a);
        a->multi = aws_multi_unref(a->multi);
}

unsigned agent_cancel_calls(struct agent *a, bool in_flight_too)
{
        unsigned n = 0;
        for (size_t i = 0; i < a->n_clients; i++)
                n += in_flight_too ? aws_client_cancel_all(a->clients[i].client)
                                   : aws_client_cancel_waiting(a->clients[i].client);
        return n;
}

int agent_client_get(struct agent *a, const char *region, const struct policy *p, struct aws_client **ret,
                     struct aws_error *e)
{
        const char *role = p ? p->assume_role.role_arn : NULL;
        struct aws_client_options o;
        struct aws_client *c = NULL;
        int r;

        for (size_t i = 0; i < a->n_clients; i++)
                if (streq_ptr(a->clients[i].region, region) && streq_ptr(a->clients[i].role_arn, role)) {
                        *ret = a->clients[i].client;
                        return 0;
                }

        client_options(a, region, role, p ? p->assume_role.external_id : NULL, &o);
        r = aws_client_new(&o, &c, e);
        if (r < 0)
                return r;
        if (a->multi) {
                r = client_attach(a, c);
                if (r < 0) {
                        aws_client_free(c);
                        return aws_error_set(e, r, AWS_ERROR_INVALID, "InternalError",
                                             "cannot run AWS calls on the event loop: %s", strerror(-r));
                }
        }

        struct agent_client *n = ARRAY_ADD_SLOT(a->clients, a->n_clients);
        if (!n) {
                aws_client_free(c);
                return -ENOMEM;
        }
        *n = (struct agent_client){
            .region = region ? strdup(region) : NULL,
            .role_arn = role ? strdup(role) : NULL,
            .client = c,
        };
        if ((region && !n->region) || (role && !n->role_arn)) {
                free(n->region);
                free(n->role_arn);
                aws_client_free(c);
                return -ENOMEM;
        }
        a->n_clients++;
        *ret = c;
        return 0;
}

uint64_t agent_api_calls(const struct agent *a)
{
        uint64_t n = 0;
        for (size_t i = 0; i < a->n_clients; i++) {
                const struct aws_client_stats *st = aws_client_stats(a->clients[i].client);
                for (size_t k = 0; k < _AWS_SERVICE_MAX; k++)
                        if (k !=
                            AWS_SERVICE_SNS) /* notifications are published beside the cycle, not by it */
                                n += st->calls[k];
        }
        return n;
}

const char *agent_snapshot_prefix(const struct agent *a)
{
        return a->config->agent.snapshot_prefix ?: CONFIG_DEFAULT_SNAPSHOT_PREFIX;
}

const char *agent_cluster_policy(struct agent *a, const struct observed_cluster *c)
{
        for (size_t i = 0; i < a->config->n_policies; i++) {
                const struct policy *p = &a->config->policies[i];
                if (plan_policy_selects(p, agent_policy_region(a, p), c))
                        return plan_policy_in_shard(&a->config->agent, p) ? p->name : NULL;
        }
        return NULL;
}

int agent_report_once(struct agent *a, const char *key)
{
        int r;

        if (agent_dry_run(a)) {
                r = store_reported_check(a->store, key);
                return r < 0 ? r : r == 0;
        }
        return store_reported_once(a->store, key, agent_now(a));
}

const struct policy *agent_find_policy(const struct agent *a, const char *name)
{
        for (size_t i = 0; i < a->config->n_policies; i++)
                if (streq_ptr(a->config->policies[i].name, name))
                        return &a->config->policies[i];
        return NULL;
}

void agent_look_later(struct agent *a, const char *region, const char *cluster)
{
        if (!region || !cluster || strv_extend(&a->pending_looks, region) < 0 ||
            strv_extend(&a->pending_looks, cluster) < 0) {
                /* Could not remember it: look at everything next time instead. */
                a->pending_looks = strv_free(a->pending_looks);
                a->inventory_refresh = true;
        }
}

void agent_inventory_drop(struct agent *a)
{
        if (!a->inventory)
                return;
        observation_done(a->inventory);
        a->inventory = mfree(a->inventory);
        a->inventory_full_at = 0;
        a->inventory_partial = false;
}
