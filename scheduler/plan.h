/* The pure planner's public interface: observed world + validated config + now -> plan.
 * No I/O, no clock, no AWS calls; the same input always gives byte-identical plan_format() text.
 *
 * What the planner relies on (the contract with the agent):
 *
 * Ownership and groups. A cluster belongs to the first policy (config order) whose region, globs
 * (fnmatch on the identifier; no globs = every cluster) and match_tags (all must match) select it.
 * Its snapshots fall into retention groups, each judged on its own:
 *   - primary:    agent snapshots of the cluster in the policy region without PLAN_TAG_COPY;
 *   - copy:       agent snapshots of the cluster in a copy target's region with
 *                 PLAN_TAG_COPY = "copy:<source region>" (the target's retention; the first target
 *                 in a region owns that region);
 *   - share-copy: agent snapshots in the policy region with PLAN_TAG_COPY = "share" (policy retention);
 *   - aws-backup: `awsbackup:` snapshots of the cluster, only when aws_backup_manage
 *                 (aws_backup_retention), deleted only through AWS Backup.
 * "Agent snapshots" are those of origin ORIGIN_AGENT (snapshot_origin_of: name, managed-by tag and slot
 * tag agree) whose TAG_POLICY names the policy that selects the cluster; one naming another or no
 * configured policy is kept (KEEP_OTHER_POLICY) with an ACTION_REFUSED that says so.
 * Everything else is never deleted: automated, continuous, foreign-manual, agent snapshots of clusters
 * no policy selects, and agent copies whose target is no longer configured.
 *
 * Slots. A window [open, close) opens on each day the schedule selects at window.start_min (UTC) and
 * lasts (end - start) mod 24h minutes (a zero length means 24 h); wrapping midnight is allowed. The slot
 * starts at open + offset, offset = fnv1a64(cluster) mod (length/2) whole minutes. SCHEDULE_INTERVAL:
 * windows open at start_min + k * interval_sec (k integer, counted from the epoch) and last
 * min(window length, interval). A slot is done when, in the policy region, the cluster has a snapshot
 * whose identifier is the slot's deterministic identifier (any status, any origin), or an agent
 * snapshot without PLAN_TAG_COPY whose TAG_SLOT equals the slot start in ISO 8601
 * ("2026-11-24T02:15:00Z"). An open ledger create for that identifier means in flight (poll, no
 * second create). A closed slot that is not done gives one `missed` event, only for the most recent
 * closed slot, only when the window history has no entry for it, and only once the agent has a record
 * for the cluster from before that slot (a history entry of an earlier slot, or an agent snapshot created
 * earlier): slots before the agent's first record are not missed, they are before its time.
 *
 * Retention (per group; time = SnapshotCreateTime, except that copies (copy and share-copy groups) are
 * as old as the slot they copy, their TAG_SLOT, when they carry one; only `available` snapshots with a
 * known time take part in the keep rules; all arithmetic in UTC):
 *   - keep_last N keeps the N newest. daily/weekly/monthly/yearly N keep the newest snapshot of each
 *     of the N most recent days / ISO weeks / months / years that have one (restic semantics).
 *     keep_within D keeps those created at or after (newest available - D).
 *   - max_age A: a snapshot older than A (now - time > A) is expired: keep rules do not save it.
 *   - No keep rule set but max_age set: every snapshot not older than max_age is kept (`unexpired`).
 *     No rule at all: everything is kept (`no-rule`).
 *   - Then, whatever the rules say: a snapshot carrying TAG_HOLD (any value) is kept; one that is not
 *     `available` (creating, copying, deleting, ...) or has no known time is left alone; the newest
 *     available one is kept; and if fewer than min_keep available snapshots remain kept, the newest
 *     otherwise-deleted ones are kept (`min_keep`) until min_keep are, or none is left.
 *
 * Quota (per region): manual non-AWS-Backup cluster snapshots (origin agent or foreign-manual, any
 * status) are counted, plus open ledger creates/copies not yet observed, minus this cycle's planned
 * deletions (all deletions are planned first). A create or copy into a region happens only if the
 * count after it stays <= limit - quota_reserve of the policy asking, where the limit is the policy's
 * quota_limit when set, else the account's ManualClusterSnapshots Max for the region (account_quotas), else
 * CONFIG_DEFAULT_QUOTA_LIMIT (plan_quota_limit); otherwise a
 * `quota-exhausted` event. Quota never causes a deletion.
 *
 * Wake-up. next_wakeup is the earliest of: the next slot start of each selected cluster, a retry time
 * inside an open window for a cluster that is not available (60 s, 120 s, then 300 s after the slot
 * start, never past the window close), the window close of an open slot not yet done, now + 60 s when
 * anything is in progress (poll), and the next export period. The daemon also caps it by its reconcile
 * interval. PLAN_NO_WAKEUP when nothing is scheduled.
 *
 * Restore drills (policy restore_test; plan-drill.c). A drill is a sequence of plan actions, one step per
 * plan, each decided from what AWS shows (the drill cluster and its instances) and the ledger's drill rows
 * (drill_records): ACTION_DRILL_RESTORE (the period's drill cluster, from the newest available agent
 * snapshot or, with restore_test.source "point-in-time", from the cluster's latest restorable time) ->
 * ACTION_DRILL_INSTANCE (the cluster is available and has no instance: create its primary) ->
 * ACTION_DRILL_PROBE (the instance is available and the cluster's writer: run probe_command, record the
 * time to restore) -> keep_minutes -> ACTION_DRILL_TEARDOWN (the instance, then the cluster). While AWS
 * works on a step the plan says so (ACTION_DRILL_WAIT, with the status) and wakes in PLAN_DRILL_POLL_SEC.
 * Ownership: a cluster is a drill only when it is named and tagged as the agent's drills
 * (restore_drill_cluster_is_ours), its TAG_RESTORE_TEST names the source cluster, and a drill record of
 * kind ACTION_DRILL_RESTORE that did not fail names that exact cluster; one that only looks like a drill
 * gets an ACTION_REFUSED and is never probed, given an instance or torn down. One drill per source cluster
 * at a time; one per period of restore_test.every (a restore record that is done or failed settles it,
 * and the plan wakes at the next period).
 *
 * Operators' restores (restore_orders; plan-restore.c). Each open request gets one step per plan, from the
 * new cluster and its instances as AWS shows them and the request's ledger rows: ACTION_RESTORE_CLUSTER (no
 * cluster of that name, no restore of this request in flight or done) -> ACTION_RESTORE_INSTANCE (the
 * cluster is available and has no instance) -> ACTION_RESTORE_DONE (the instance "<new>-1" is available and
 * the cluster's writer); ACTION_RESTORE_WAIT while AWS works (its status names the phase, for ctl), waking
 * in PLAN_DRILL_POLL_SEC; ACTION_RESTORE_FAILED when it cannot go on (a cluster of that name that this
 * request did not make: TAG_RESTORE_REQUEST must name the request; a call AWS refused; an accepted restore
 * never seen). The new cluster is the operator's: nothing here ever deletes it.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "agent-config.h"
#include "macro.h"
#include "plan-action.h"
#include "plan-input.h"
#include "plan-verdict.h"

struct arena;

/* All strings and arrays of a plan live in its arena: the plan does not borrow from the input. */
struct plan {
        int64_t now;
        struct plan_action *actions; /* deletions, then creations, copies, shares, exports, then the rest */
        size_t n_actions;
        struct snapshot_verdict *verdicts; /* sorted by region, cluster, newest first, identifier */
        size_t n_verdicts;
        struct plan_next_slot *next_slots; /* one per selected cluster with a valid window, sorted like
                                              the selected clusters (region, identifier) */
        size_t n_next_slots;
        int64_t next_wakeup;
        struct arena *arena;
};

/* Plans one cycle. Returns 0 and a new plan in *ret, or -ENOMEM / -EINVAL (ret untouched). */
int plan_build(const struct plan_input *in, struct plan **ret);
struct plan *plan_free(struct plan *p);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct plan *, plan_free);
