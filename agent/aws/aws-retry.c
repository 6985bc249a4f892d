/* SDK "standard" retry arithmetic: full-jitter exponential backoff and the retry-quota bucket. */
#include "aws-retry.h"

void aws_retry_quota_init(struct aws_retry_quota *q)
{
        q->available = AWS_RETRY_QUOTA_CAPACITY;
}

unsigned aws_retry_quota_acquire(struct aws_retry_quota *q, bool timeout_or_connection_error)
{
        unsigned cost = timeout_or_connection_error ? AWS_RETRY_TIMEOUT_COST : AWS_RETRY_COST;
        if (q->available < cost)
                return 0;
        q->available -= cost;
        return cost;
}

void aws_retry_quota_release(struct aws_retry_quota *q, unsigned last_retry_cost)
{
        unsigned add = last_retry_cost > 0 ? last_retry_cost : AWS_RETRY_NO_RETRY_INCREMENT;
        q->available =
            q->available + add > AWS_RETRY_QUOTA_CAPACITY ? AWS_RETRY_QUOTA_CAPACITY : q->available + add;
}

uint64_t aws_retry_backoff_ms(unsigned attempt, double r)
{
        if (attempt < 2)
                return 0; /* never delay the first attempt */
        if (r < 0)
                r = 0;
        if (r >= 1)
                r = 0.999999;
        uint64_t cap = AWS_RETRY_MAX_BACKOFF_MS;
        unsigned shift = attempt - 2;
        uint64_t exp = shift >= 16 ? cap : (uint64_t)AWS_RETRY_BASE_MS << shift;
        if (exp > cap)
                exp = cap;
        return (uint64_t)(r * (double)exp);
}
