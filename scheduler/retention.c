/* Restic semantics: a period rule keeps the newest snapshot of each of the N most recent periods that
 * have one. Walking the group newest first, a period's key changes exactly when a new period starts,
 * so each rule is one comparison per snapshot. max_age only removes, the overrides only add. */
#include "retention.h"

#include "plan-input.h"
#include "slot.h"
#include "time-util.h"

bool retention_has_keep_rule(const struct retention *r)
{
        return r->keep_last > 0 || r->daily > 0 || r->weekly > 0 || r->monthly > 0 || r->yearly > 0 ||
               r->keep_within_sec > 0;
}

struct period_rule {
        unsigned limit;
        unsigned seen;
        int64_t last_key;
        unsigned bit;
};

static void period_step(struct period_rule *p, int64_t key, unsigned *keep)
{
        if (p->limit == 0)
                return;
        if (p->seen == 0 || key != p->last_key) {
                p->seen++;
                p->last_key = key;
                if (p->seen <= p->limit)
                        *keep |= p->bit;
        }
}

/* The calendar is only consulted when a snapshot leaves the week or month of the one before it: a group
 * of daily snapshots costs a civil-date conversion per week and per month, not per snapshot. */
struct period_memo {
        int64_t first_day, end_day; /* [first_day, end_day) has key `key`; empty at first */
        int64_t key;
};

static int64_t week_key(struct period_memo *m, int64_t day)
{
        if (day < m->first_day || day >= m->end_day) {
                int64_t monday = day - ((day + 3) % 7 + 7) % 7; /* 1970-01-01 was a Thursday */
                m->first_day = monday;
                m->end_day = monday + 7;
                m->key = iso_week_key(day * SEC_PER_DAY);
        }
        return m->key;
}

static int64_t month_key(struct period_memo *m, int64_t day)
{
        if (day < m->first_day || day >= m->end_day) {
                int y, mo, d;
                time_to_civil(day * SEC_PER_DAY, &y, &mo, &d, NULL, NULL, NULL, NULL);
                m->first_day = day - (d - 1);
                m->end_day = m->first_day + time_days_in_month(y, mo);
                m->key = (int64_t)y * 12 + (mo - 1);
        }
        return m->key;
}

static bool takes_part(const struct retention_item *it)
{
        return it->available && it->time != PLAN_TIME_UNKNOWN;
}

void retention_apply(const struct retention *r, int64_t now, struct retention_item *items, size_t n)
{
        bool keep_rule = retention_has_keep_rule(r);
        bool any_rule = keep_rule || r->max_age_sec > 0;
        struct period_rule daily = {.limit = r->daily, .bit = KEEP_DAILY};
        struct period_rule weekly = {.limit = r->weekly, .bit = KEEP_WEEKLY};
        struct period_rule monthly = {.limit = r->monthly, .bit = KEEP_MONTHLY};
        struct period_rule yearly = {.limit = r->yearly, .bit = KEEP_YEARLY};
        struct period_memo weeks = {0, 0, 0}, months = {0, 0, 0};
        size_t rank = 0, kept = 0;
        int64_t newest = 0;

        for (size_t i = 0; i < n; i++) {
                struct retention_item *it = &items[i];
                unsigned keep = 0;
                bool expired = false;

                it->why = DELETE_NONE;
                if (!takes_part(it))
                        keep = KEEP_NOT_AVAILABLE;
                else {
                        if (rank == 0)
                                newest = it->time;
                        expired = r->max_age_sec > 0 && now - it->time > r->max_age_sec;
                        if (!any_rule)
                                keep = KEEP_NO_RULE;
                        else if (!keep_rule)
                                keep = expired ? 0 : KEEP_UNEXPIRED;
                        else {
                                if (rank < r->keep_last)
                                        keep |= KEEP_LAST;
                                int64_t day = floor_div(it->time, SEC_PER_DAY);
                                if (daily.limit > 0)
                                        period_step(&daily, day, &keep);
                                if (weekly.limit > 0)
                                        period_step(&weekly, week_key(&weeks, day), &keep);
                                if (monthly.limit > 0 || yearly.limit > 0) {
                                        int64_t m = month_key(&months, day);
                                        period_step(&monthly, m, &keep);
                                        period_step(&yearly, floor_div(m, 12), &keep);
                                }
                                if (r->keep_within_sec > 0 && it->time >= newest - r->keep_within_sec)
                                        keep |= KEEP_WITHIN;
                                if (expired)
                                        keep = 0;
                        }
                        if (rank == 0)
                                keep |= KEEP_NEWEST;
                        rank++;
                }
                if (it->hold)
                        keep |= KEEP_HOLD;
                it->keep = keep;
                it->deleted = keep == 0;
                if (it->deleted)
                        it->why = expired ? DELETE_MAX_AGE : DELETE_NOT_KEPT;
                else if (takes_part(it))
                        kept++;
        }

        /* The floor: the newest otherwise-deleted snapshots come back until min_keep are kept. */
        for (size_t i = 0; i < n && kept < r->min_keep; i++)
                if (items[i].deleted) {
                        items[i].deleted = false;
                        items[i].keep = KEEP_MIN;
                        items[i].why = DELETE_NONE;
                        kept++;
                }
}
