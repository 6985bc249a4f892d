/* Amazon S3: only what export validation needs, the region a bucket lives in. */
#pragma once

#include "aws-client.h"
#include "aws-error.h"

/* HeadBucket's x-amz-bucket-region (present even on 301/403), else GetBucketLocation
 * (empty LocationConstraint = us-east-1). Returns 0 and a malloc'ed region. */
int s3_bucket_region(struct aws_client *c, const char *bucket, char **ret, struct aws_error *e);
