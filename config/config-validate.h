/* Shape checks for the AWS names a config holds: regions, account ids, ARNs, bucket names, and the
 * identifiers the agent builds from config values. Pure string checks; nothing here asks AWS. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#define ARN_MAX 2048

/* "arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE", split. Fields point into `buf`. */
struct arn {
        const char *partition;
        const char *service;
        const char *region;  /* "" for global services (IAM) */
        const char *account; /* "" for some services (S3) */
        const char *resource;
        char buf[ARN_MAX + 1];
};

/* "eu-west-1", "us-gov-west-1", "cn-north-1", "ap-southeast-7". */
bool region_name_is_valid(const char *s);
/* A region followed by one lowercase letter ("us-east-1a"): said in messages, never accepted. */
bool availability_zone_is_valid(const char *s);
/* The partition a region belongs to ("aws", "aws-cn", "aws-us-gov", ...); NULL if not a region. */
const char *region_partition(const char *region);
/* Exactly 12 decimal digits. */
bool account_id_is_valid(const char *s);
/* Returns 0 or -EINVAL: known partition, non-empty service and resource, region empty or a region,
 * account empty or 12 digits. */
int arn_parse(const char *s, struct arn *ret);
/* arn:PARTITION:iam::ACCOUNT:role/[PATH/]NAME */
bool iam_role_arn_is_valid(const char *s);
/* arn:PARTITION:kms:REGION:ACCOUNT:key/ID or alias/NAME. On success stores the key's region. */
bool kms_key_arn_is_valid(const char *s, char region[static 32]);
/* arn:PARTITION:sns:REGION:ACCOUNT:NAME, a standard topic (1..256 letters, digits, '-' and '_'; FIFO topics,
 * which need a message group on every Publish, are refused), the partition the region's. On success
 * stores the topic's region (where Publish goes). */
bool sns_topic_arn_is_valid(const char *s, char region[static 32]);
/* S3 bucket naming rules (3..63 lowercase letters, digits, dots, hyphens; not an IP address). */
bool s3_bucket_name_is_valid(const char *s);
/* Object key prefix: at most 512 printable characters, not starting with '/'. */
bool s3_prefix_is_valid(const char *s);
/* Snapshot identifiers are "<prefix>-<cluster>-<slot>": the prefix must start one. Lowercase letter
 * first, then lowercase letters, digits and single hyphens, no trailing hyphen, 1..SNAPSHOT_PREFIX_MAX. */
#define SNAPSHOT_PREFIX_MAX 32
bool snapshot_prefix_is_valid(const char *s);
/* A glob over DB cluster identifiers: letters, digits, '-', and the fnmatch characters * ? [ ] !,
 * brackets balanced, 1..63 characters. */
bool cluster_glob_is_valid(const char *s);
/* A policy name: 1..64 of letters, digits, '-', '_', '.'; it becomes a tag value and a journal field. */
#define POLICY_NAME_MAX 64
bool policy_name_is_valid(const char *s);
/* "db.r6g.large", "db.serverless". */
bool instance_class_is_valid(const char *s);
/* sts:AssumeRole ExternalId: 2..1224 of [A-Za-z0-9+=,.@:/_-]. */
bool external_id_is_valid(const char *s);
/* Tag keys 1..128, values 0..256 characters, no control characters; keys not starting "aws:" are
 * still allowed to be matched, so only length and characters are checked. */
bool tag_key_is_valid(const char *s);
bool tag_value_is_valid(const char *s);
/* An absolute path without control characters. */
bool absolute_path_is_valid(const char *s);
