/* A client-side rate limiter in the spirit of the SDKs' adaptive retry mode: a token bucket per
 * service and region whose fill rate falls when AWS throttles and climbs back with successes, always
 * within [min_rate, max_rate]. An attempt takes a token or waits for one. Pure arithmetic: time is an
 * argument, so tests check it without waiting. */
#pragma once

#include <stdint.h>

/* Amazon RDS allows each account and region a burst of 300 requests and 12 a second sustained, shared
 * with every other tool of the account: by default the agent keeps to a third of the burst and a little
 * under the sustained rate, and AWS's throttling answers lower both. */
#define AWS_RATE_DEFAULT_MAX 10.0    /* requests per second per service and region */
#define AWS_RATE_DEFAULT_BURST 100.0 /* tokens the bucket holds at the full rate */
#define AWS_RATE_DEFAULT_MIN 0.5
#define AWS_RATE_BETA 0.7          /* a throttle multiplies the rate by this (the SDKs' beta) */
#define AWS_RATE_RECOVERY_STEPS 20 /* successes to climb from min_rate back to max_rate */

struct aws_rate_limiter {
        double rate; /* tokens per second now */
        double min_rate, max_rate;
        double burst; /* the bucket's size at max_rate; it shrinks with the rate (at least 1 token) */
        double tokens;
        uint64_t last_usec;
        unsigned throttles; /* throttling answers seen, for status and tests */
};

/* Full bucket at max_rate. min_rate is raised to be > 0 and <= max_rate; 0 for any: its default. */
void aws_rate_init(struct aws_rate_limiter *l, double max_rate, double min_rate, double burst,
                   uint64_t now_usec);
/* Take a token: returns 0, or the microseconds until one will be there (nothing taken then). */
uint64_t aws_rate_acquire(struct aws_rate_limiter *l, uint64_t now_usec);
/* AWS said "slow down": rate *= AWS_RATE_BETA, not below min_rate. */
void aws_rate_on_throttle(struct aws_rate_limiter *l, uint64_t now_usec);
/* Any other answer: rate climbs by (max_rate - min_rate) / AWS_RATE_RECOVERY_STEPS, up to max_rate. */
void aws_rate_on_success(struct aws_rate_limiter *l, uint64_t now_usec);
