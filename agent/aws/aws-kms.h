/* AWS KMS (JSON 1.1): DescribeKey, to tell an AWS-managed key (the default aws/rds key, whose snapshots
 * cannot be shared with other accounts) from a customer-managed one. RDS reports a snapshot's key as a key
 * ARN (".../key/<uuid>"), never as the alias, so the name alone cannot tell. */
#pragma once

#include <stdbool.h>

#include "aws-client.h"

enum kms_key_manager {
        KMS_KEY_MANAGER_UNKNOWN,
        KMS_KEY_MANAGER_AWS,
        KMS_KEY_MANAGER_CUSTOMER,
        _KMS_KEY_MANAGER_MAX,
};

/* The value KeyMetadata.KeyManager names ("AWS", "CUSTOMER"), or -EINVAL. */
int kms_key_manager_from_string(const char *s);

/* DescribeKey `key_id` (a key id, key ARN, alias name or alias ARN) in the client's region, or in the
 * region of a key ARN. Returns 0 with *ret set from KeyMetadata.KeyManager, or a negative errno with `e`
 * filled. */
int kms_describe_key_manager(struct aws_client *c, const char *key_id, enum kms_key_manager *ret,
                             struct aws_error *e);
/* The KeyManager of a DescribeKey response body; -EBADMSG if it has none. */
int kms_parse_key_manager(const char *body, size_t len, enum kms_key_manager *ret, struct aws_error *e);
