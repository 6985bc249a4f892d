/* Deterministic snapshot identifiers and who owns a snapshot: the parts of the planner that make
 * invariants 1 and 5 hold (one identifier per cluster and slot; the agent's own is named, tagged and
 * slotted as the agent would have). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "plan-input.h"
#include "snapshot-origin.h"

/* Written by the agent on copies it makes: "copy:<source region>" or "share". */
#define PLAN_TAG_COPY "aurora-backup:copy"

/* Deterministic snapshot identifier "<prefix>-<cluster>-<yyyymmddthhmm>" (slot start, UTC), a valid
 * RDS identifier: <= 63 characters of letters, digits and hyphens, starting with a letter, no "--",
 * no trailing hyphen. Other characters become hyphens, upper case becomes lower case; a long cluster
 * name is shortened and given an 8-hex-digit hash of the full name. */
#define PLAN_SNAPSHOT_ID_MAX 64
int plan_snapshot_identifier(const char *prefix, const char *cluster, int64_t slot_start,
                             char buf[static PLAN_SNAPSHOT_ID_MAX]);
/* `base` + "-" + `suffix`, shortened with a hash of `base` to fit in maxlen (<= 63) characters. */
int plan_identifier_with_suffix(const char *base, const char *suffix, size_t maxlen,
                                char buf[static PLAN_SNAPSHOT_ID_MAX]);
bool plan_identifier_is_valid(const char *s, size_t maxlen);

/* The agent's own tags on a snapshot, read in one pass; the first occurrence of a key wins. */
struct snapshot_agent_tags {
        const char *managed_by; /* TAG_MANAGED_BY, or NULL */
        const char *policy;     /* TAG_POLICY, or NULL */
        const char *slot;       /* TAG_SLOT, or NULL */
        const char *copy;       /* PLAN_TAG_COPY, or NULL */
        bool hold;              /* TAG_HOLD present (any value) */
};
void snapshot_agent_tags_read(const struct observed_snapshot *s, struct snapshot_agent_tags *ret);

/* Whether `identifier` is the name the agent gives a snapshot of `cluster` for the slot `slot_tag` names
 * (ISO 8601 exactly as the agent writes it, "2026-11-24T02:15:00Z"), as the kind of copy `copy_tag` says:
 * no copy tag: plan_snapshot_identifier(prefix, cluster, slot); "copy:<region>": the same (a copy in
 * another region) or that + "-copy" (same region); "share": that + "-share". */
bool snapshot_identifier_is_agents(const char *prefix, const char *cluster, const char *identifier,
                                   const char *slot_tag, const char *copy_tag);

/* Where a snapshot comes from. Identifier prefixes first (awsbackup:, continuous:, rds:), then
 * SnapshotType automated; ORIGIN_AGENT needs all of: TAG_MANAGED_BY = TAG_MANAGED_BY_VALUE, a slot tag,
 * and an identifier that agrees with both (snapshot_identifier_is_agents, with agent.snapshot_prefix).
 * Anything else is foreign. Which policy owns an agent snapshot (TAG_POLICY) is the planner's question. */
enum snapshot_origin snapshot_origin_of(const struct observed_snapshot *s,
                                        const struct snapshot_agent_tags *t, const char *prefix);
enum snapshot_origin snapshot_classify(const struct observed_snapshot *s, const char *prefix);
