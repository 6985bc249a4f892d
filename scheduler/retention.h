/* Retention of one group of snapshots (DESIGN.md section 5): which are kept, by which rules, and why the
 * others are deleted. Pure and O(n) over a group already sorted newest first. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "agent-config.h"
#include "plan-verdict.h"

struct retention_item {
        /* in */
        int64_t time;   /* SnapshotCreateTime, or PLAN_TIME_UNKNOWN */
        bool available; /* status "available" */
        bool hold;      /* carries TAG_HOLD */
        /* out */
        bool deleted;
        unsigned keep; /* enum keep_reason bits; 0 when deleted */
        enum delete_reason why;
};

/* Whether any keep rule (keep_last, daily, ..., keep_within) is set. */
bool retention_has_keep_rule(const struct retention *r);
/* Judges `items`, whose available items with a known time must be ordered newest first (ties in any
 * fixed order: the first of equal times counts as the newer). Items without a time may be anywhere. */
void retention_apply(const struct retention *r, int64_t now, struct retention_item *items, size_t n);
