/* Copies (to other regions), shares (with other accounts) and exports (to S3) of the agent's snapshots. */
#pragma once

#include <stdbool.h>

#include "plan-input.h"

struct builder;
struct cluster_plan;

/* Seed rules: to share an automated or AWS Backup snapshot, copy it to a manual one first; a snapshot
 * encrypted with the AWS-managed RDS key (no key, alias/aws/rds, or kms_key_aws_managed) cannot be shared
 * with other accounts, so it is re-encrypted with a customer key by a copy first. */
bool snapshot_share_needs_copy(const struct observed_snapshot *s, const char *prefix);
bool snapshot_uses_aws_managed_key(const struct observed_snapshot *s);

/* Before the copies: cross-region copies already in flight (observed copying, or in the ledger). */
void plan_count_copies_in_flight(struct builder *b);
void plan_copies(struct builder *b, const struct cluster_plan *cp);
void plan_shares(struct builder *b, const struct cluster_plan *cp);
void plan_exports(struct builder *b, const struct cluster_plan *cp);
