/* The adaptive client-side rate limiter: a token bucket whose fill rate follows AWS's throttling. */
#include "aws-rate.h"

static double capacity(const struct aws_rate_limiter *l)
{
        double c = l->burst * l->rate / l->max_rate;
        return c > 1.0 ? c : 1.0;
}

static void refill(struct aws_rate_limiter *l, uint64_t now_usec)
{
        if (now_usec > l->last_usec)
                l->tokens += (double)(now_usec - l->last_usec) * l->rate / 1e6;
        l->last_usec = now_usec > l->last_usec ? now_usec : l->last_usec;
        if (l->tokens > capacity(l))
                l->tokens = capacity(l);
}

void aws_rate_init(struct aws_rate_limiter *l, double max_rate, double min_rate, double burst,
                   uint64_t now_usec)
{
        if (!(max_rate > 0))
                max_rate = AWS_RATE_DEFAULT_MAX;
        if (!(min_rate > 0))
                min_rate = AWS_RATE_DEFAULT_MIN;
        if (min_rate > max_rate)
                min_rate = max_rate;
        if (!(burst >= 1))
                burst = AWS_RATE_DEFAULT_BURST;
        *l = (struct aws_rate_limiter){
            .rate = max_rate, .min_rate = min_rate, .max_rate = max_rate, .burst = burst};
        l->tokens = capacity(l);
        l->last_usec = now_usec;
}

uint64_t aws_rate_acquire(struct aws_rate_limiter *l, uint64_t now_usec)
{
        refill(l, now_usec);
        if (l->tokens >= 1.0) {
                l->tokens -= 1.0;
                return 0;
        }
        uint64_t wait = (uint64_t)((1.0 - l->tokens) * 1e6 / l->rate);
        return wait > 0 ? wait : 1;
}

void aws_rate_on_throttle(struct aws_rate_limiter *l, uint64_t now_usec)
{
        refill(l, now_usec); /* tokens earned at the old rate are kept, then capped at the new size */
        l->throttles++;
        l->rate *= AWS_RATE_BETA;
        if (l->rate < l->min_rate)
                l->rate = l->min_rate;
        if (l->tokens > capacity(l))
                l->tokens = capacity(l);
}

void aws_rate_on_success(struct aws_rate_limiter *l, uint64_t now_usec)
{
        refill(l, now_usec);
        l->rate += (l->max_rate - l->min_rate) / AWS_RATE_RECOVERY_STEPS;
        if (l->rate > l->max_rate)
                l->rate = l->max_rate;
}
