/* What the agent's cycle modules (observe, recover, act, report) share. Not a public interface. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "agent-config.h"
#include "agent.h"
#include "aws-error.h"

struct aws_client;
struct aws_multi;
struct store;
typedef struct sd_event sd_event;

struct agent_client {
        char *region;
        char *role_arn; /* NULL: the agent's own credentials */
        struct aws_client *client;
};

/* Where the test-only crash hook (AURORA_BACKUP_TEST_CRASH_AT) may fire: around the first mutating call. */
enum crash_point {
        CRASH_NEVER,
        CRASH_BEFORE_INTENT,
        CRASH_AFTER_INTENT,
        CRASH_AFTER_CALL,
        _CRASH_POINT_MAX,
};

struct agent {
        struct agent_options opts;
        char *config_path;
        struct agent_config *config;
        char *state_directory;
        int lock_fd; /* the state directory's lock (state-lock.h); -1 when read-only */
        struct store *store;

        struct agent_client *clients;
        size_t n_clients;
        struct aws_multi *multi;   /* the loop's: AWS calls from tasks run there (NULL: they block) */
        char *default_region;      /* resolved from the environment once, for policies without a region */
        bool default_region_tried; /* resolution was attempted (and failed if default_region is NULL) */

        /* Test-only hooks; never set unless built with -Dtest_hooks=true. */
        bool has_test_now;
        int64_t test_now;
        unsigned test_clock_rate; /* AURORA_BACKUP_TEST_CLOCK_RATE (tests only); 0: fixed test clock */
        uint64_t test_clock_origin_usec; /* CLOCK_MONOTONIC when the test clock started */
        enum crash_point crash_at;

        bool (*stop_check)(void *userdata);
        bool (*wind_down_check)(void *userdata);
        void (*on_jobs_done)(void *userdata); /* the loop's: the last job ended (a reload may wait for it) */
        unsigned jobs;                        /* operator requests (control socket) being carried out */
        bool cycle_soon; /* an operator request wants a cycle now (a restore accepted): the loop arms at once
                          */
        void *stop_userdata;

        char *last_error;       /* for sd_notify STATUS; never secret */
        uint64_t watchdog_usec; /* WatchdogSec of the service (daemon), 0: none */
        uint64_t
            watchdog_pinged_usec;    /* CLOCK_MONOTONIC of the last WATCHDOG=1 sent from a call in flight */
        uint64_t stop_seen_usec;     /* CLOCK_MONOTONIC when a call in flight first saw the stop */
        int64_t inventory_stored_at; /* when report_inventory last wrote the stored inventory */

        struct share_cache *share_facts; /* share-facts.c: what is known of snapshots to share */
        struct observation *inventory;   /* inventory.c: the world between cycles (daemon), NULL: none yet */
        int64_t inventory_full_at;       /* when it was last observed in full */
        bool inventory_partial;          /* a region could not be observed then: try again sooner */
        bool inventory_refresh;          /* observe in full at the next wake-up */
        char **pending_looks;            /* region, cluster, region, cluster, ...: look at these next time */
        struct control_server *control;  /* control.c: the control socket (daemon), NULL: none */
        char **export_progress;          /* report.c: "task\tSTATUS\tpercent" last reported per export */
        struct notifier *notifier;       /* notifier.c: SNS notifications (daemon, --once), NULL: none */
};

bool agent_dry_run(const struct agent *a);
/* WATCHDOG=1 if a quarter of WatchdogSec passed since the last one: called between the steps of a cycle
 * and while AWS calls are in flight, as long as the cycle runs inside one timer callback. */
void agent_watchdog_ping(struct agent *a);
/* A span of the agent's clock as real time (shorter under a fast test clock). */
uint64_t agent_real_usec(const struct agent *a, uint64_t usec);
/* The client for (region, the policy's assume_role); created on first use. NULL region: the default
 * region. Returns 0, or a negative errno with `e` filled. */
int agent_client_get(struct agent *a, const char *region, const struct policy *p, struct aws_client **ret,
                     struct aws_error *e);
/* From now on, AWS calls made from a task (task.h) on `event` suspend it instead of blocking. Returns 0
 * or a negative errno. */
int agent_attach_event(struct agent *a, sd_event *event);
/* Frees the clients (their calls go without callbacks) and the loop's multi handle. */
void agent_detach_event(struct agent *a);
/* SIGTERM: the AWS calls pending on the loop call back now with "Cancelled": those not on the wire, or
 * with `in_flight_too` every one. Returns how many. */
unsigned agent_cancel_calls(struct agent *a, bool in_flight_too);
/* The region of a policy, falling back to the environment's. May be NULL if none could be resolved. */
const char *agent_policy_region(struct agent *a, const struct policy *p);
void agent_set_last_error(struct agent *a, const char *fmt, ...) _printf_(2, 3);
/* Fires the crash hook if it is armed for `point` (raises SIGKILL: the process dies as under kill -9). */
void agent_crash_point(const struct agent *a, enum crash_point point);
bool agent_should_stop(const struct agent *a);
/* An operator request runs in a task of its own, beside the cycle: a reload waits for it to end (the
 * config it reads must stay), and so does a stop, for a few seconds. */
void agent_job_begin(struct agent *a);
void agent_job_end(struct agent *a);
/* Stopping, or a reload waits for the cycle to end: start no further action (the one under way ends). */
bool agent_winding_down(const struct agent *a);
/* Conditions reported once, not every cycle: 1 when `key` was not reported before (it is remembered
 * now, except in dry-run, which writes nothing), 0 when it was, or a negative errno. */
int agent_report_once(struct agent *a, const char *key);
/* The policy that manages cluster `c` here (the first that selects it, if it is in this agent's shard),
 * or NULL. */
struct observed_cluster;
const char *agent_cluster_policy(struct agent *a, const struct observed_cluster *c);
/* The policy named `name` in the running config, or NULL. */
const struct policy *agent_find_policy(const struct agent *a, const char *name);
/* A cluster the agent changed outside the plan's actions (a restore drill's cluster, an operator's
 * snapshot): looked at on the next targeted wake-up (inventory.c). */
void agent_look_later(struct agent *a, const char *region, const char *cluster);
/* Drop the kept inventory (inventory.c): the next wake-up observes in full. */
void agent_inventory_drop(struct agent *a);
/* agent.snapshot_prefix, or its default: what the agent's own identifiers start with. */
const char *agent_snapshot_prefix(const struct agent *a);
/* Total logical AWS calls made by every client so far. */
uint64_t agent_api_calls(const struct agent *a);
