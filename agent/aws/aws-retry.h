/* SDK "standard" retry mode: attempts, full-jitter backoff and the retry-quota token bucket. Pure
 * arithmetic so that the tests can check it without waiting. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#define AWS_RETRY_MAX_ATTEMPTS 3
#define AWS_RETRY_BASE_MS 1000
#define AWS_RETRY_MAX_BACKOFF_MS 20000
#define AWS_RETRY_QUOTA_CAPACITY 500
#define AWS_RETRY_COST 5
#define AWS_RETRY_TIMEOUT_COST 10
#define AWS_RETRY_NO_RETRY_INCREMENT 1

struct aws_retry_quota {
        unsigned available;
};

void aws_retry_quota_init(struct aws_retry_quota *q);
/* Take the cost of one retry; returns the cost taken (> 0) or 0 when the bucket cannot pay (stop). */
unsigned aws_retry_quota_acquire(struct aws_retry_quota *q, bool timeout_or_connection_error);
/* After a success: refund `last_retry_cost` (0 if the call needed no retry: +1). Capped at capacity. */
void aws_retry_quota_release(struct aws_retry_quota *q, unsigned last_retry_cost);
/* Delay before attempt number `attempt` (2 = first retry): r * min(base * 2^(attempt-2), 20 s), r in [0,1).
 */
uint64_t aws_retry_backoff_ms(unsigned attempt, double r);
