/* Property test: thousands of random worlds (seeded, so every run sees the same ones), each planned and
 * checked against invariants 1 to 5 of DESIGN.md section 4, and its retention verdicts compared with a
 * deliberately simple O(n^2) reference written here from DESIGN.md section 5 and plan.h. */
#include <stdlib.h>
#include <time.h>

#include "plan-format.h"
#include "plan-world.h"
#include "snapshot-id.h"

/* Thousands of worlds: a generous limit for slow (sanitizer) builds; not a timing assertion. */
TEST_FILE("plan-property", .timeout = 120);

#define N_WORLDS 10000
#define REGION2 "us-east-1"
#define YEAR (365 * SEC_PER_DAY)

/* splitmix64: small, fast, and the same everywhere. */
static uint64_t rng_state;
static uint64_t rnd(void)
{
        uint64_t z = (rng_state += UINT64_C(0x9e3779b97f4a7c15));
        z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
        z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
        return z ^ (z >> 31);
}
static int64_t rnd_range(int64_t lo, int64_t hi) /* [lo, hi] */
{
        return lo + (int64_t)(rnd() % (uint64_t)(hi - lo + 1));
}
static bool chance(int percent)
{
        return (int)(rnd() % 100) < percent;
}

static const char *const cluster_names[] = {"c0", "c1", "c2", "xother"};
static const char *const statuses[] = {"creating", "copying", "deleting", "failed"};

static struct retention random_retention(void)
{
        struct retention r = {0};
        if (chance(40))
                r.keep_last = (unsigned)rnd_range(1, 10);
        if (chance(40))
                r.daily = (unsigned)rnd_range(1, 14);
        if (chance(30))
                r.weekly = (unsigned)rnd_range(1, 8);
        if (chance(30))
                r.monthly = (unsigned)rnd_range(1, 12);
        if (chance(20))
                r.yearly = (unsigned)rnd_range(1, 3);
        if (chance(20))
                r.keep_within_sec = rnd_range(1, 60) * SEC_PER_DAY;
        if (chance(50))
                r.max_age_sec = rnd_range(1, 800) * SEC_PER_DAY;
        if (chance(50))
                r.min_keep = (unsigned)rnd_range(0, 6);
        return r;
}

static struct schedule random_schedule(void)
{
        switch (rnd() % 4) {
        case 0:
                return (struct schedule){.kind = SCHEDULE_DAILY};
        case 1:
                return (struct schedule){.kind = SCHEDULE_WEEKLY, .weekday = (int)rnd_range(0, 6)};
        case 2:
                return (struct schedule){.kind = SCHEDULE_MONTHLY,
                                         .mday = chance(30) ? SCHEDULE_MDAY_LAST : (int)rnd_range(1, 28)};
        default:
                return (struct schedule){.kind = SCHEDULE_INTERVAL, .interval_sec = rnd_range(1, 12) * 3600};
        }
}

static void random_world(struct world *w, uint64_t seed)
{
        rng_state = seed;
        int64_t now =
            rnd_range(time_from_civil(2024, 1, 1, 0, 0, 0), time_from_civil(2028, 12, 31, 0, 0, 0));
        if (chance(50))
                now -= now % SEC_PER_HOUR;
        world_init(w, now);
        static char *globs[] = {(char *)"c*", NULL};
        struct policy *p = &w->pol[0];
        p->clusters = globs;
        p->every = random_schedule();
        int start = (int)rnd_range(0, 1439);
        int len = (int)rnd_range(30, 1440);
        p->window = (struct window){.start_min = start, .end_min = (start + len) % 1440};
        p->retention = random_retention();
        p->aws_backup_manage = chance(50);
        p->aws_backup_retention = random_retention();
        static struct copy_target target;
        if (chance(30)) {
                target = (struct copy_target){.region = (char *)REGION2,
                                              .kms_key = (char *)"arn:aws:kms:us-east-1:111122223333:key/k",
                                              .retention = random_retention()};
                p->copies = &target;
                p->n_copies = 1;
        }
        /* 0: the account's limit, given for some regions (and CONFIG_DEFAULT_QUOTA_LIMIT for the others). */
        p->quota_limit = (unsigned)rnd_range(0, 80);
        if (chance(50))
                w->quotas[w->in.n_account_quotas++] =
                    (struct account_quota){.region = WORLD_REGION, .max = rnd_range(0, 80), .used = 0};
        if (chance(30))
                w->quotas[w->in.n_account_quotas++] =
                    (struct account_quota){.region = REGION2, .max = rnd_range(0, 80), .used = 0};
        p->quota_reserve = (unsigned)rnd_range(0, 10);

        int n_clusters = (int)rnd_range(1, 4);
        for (int i = 0; i < n_clusters; i++)
                world_cluster(w, cluster_names[i], chance(80) ? "available" : "backing-up");

        /* Some snapshots share a second, to exercise ties. */
        int n_snaps = (int)rnd_range(0, 60);
        int64_t last_t = now;
        for (int i = 0; i < n_snaps; i++) {
                const char *cluster = cluster_names[rnd() % 4];
                /* Often on a grid of whole days or hours back from now, so that boundaries (exactly
                 * max_age old, exactly keep_within from the newest, midnight) are hit, not only
                 * approached. */
                int64_t t = chance(10)   ? last_t
                            : chance(35) ? now - rnd_range(0, 3 * 365) * SEC_PER_DAY
                            : chance(50) ? now - rnd_range(0, 3 * 365 * 24) * SEC_PER_HOUR
                                         : now - rnd_range(0, 3 * YEAR);
                last_t = t;
                int kind = (int)(rnd() % 100);
                const char *region = chance(10) ? REGION2 : WORLD_REGION;
                struct observed_snapshot *s;
                if (kind < 60) {
                        s = world_snap_full(w, region, cluster, NULL, t, "available", "manual", true);
                        /* Copies made by an agent: mostly from this policy's region, some from elsewhere. */
                        if (strcmp(region, REGION2) == 0 && chance(80))
                                world_snap_tag(w, s, PLAN_TAG_COPY,
                                               chance(85) ? "copy:" WORLD_REGION : "copy:ap-south-1");
                } else if (kind < 70)
                        s = world_snap_full(w, region, cluster, NULL, t, "available", "manual", false);
                else if (kind < 78) {
                        s = world_snap_full(w, region, cluster, NULL, t, "available", "automated",
                                            chance(20));
                        if (chance(50)) {
                                size_t k = (size_t)(s - w->snaps);
                                snprintf(w->snap_ids[k], sizeof w->snap_ids[k], "rds:%s-%zu", cluster, k);
                        }
                } else if (kind < 93) {
                        s = world_snap_full(w, region, cluster, NULL, t, "available",
                                            chance(50) ? "manual" : "awsbackup", chance(20));
                        size_t k = (size_t)(s - w->snaps);
                        snprintf(w->snap_ids[k], sizeof w->snap_ids[k], "awsbackup:job-%zu", k);
                } else {
                        s = world_snap_full(w, region, cluster, NULL, t, "available", "awsbackup", false);
                        size_t k = (size_t)(s - w->snaps);
                        snprintf(w->snap_ids[k], sizeof w->snap_ids[k], "continuous:cluster-%zu", k);
                }
                if (chance(12)) {
                        s->status = statuses[rnd() % 4];
                        if (chance(50))
                                s->create_time = PLAN_TIME_UNKNOWN;
                }
                if (chance(5))
                        world_snap_tag(w, s, TAG_HOLD, "yes");
        }
        static const char *const inflight[] = {"aba-c0-inflight", "aba-c1-inflight", "aba-c2-inflight"};
        for (size_t i = 0; i < 3; i++)
                if (chance(8))
                        world_ledger(w, ACTION_CREATE, cluster_names[i], inflight[i], WORLD_REGION);
        if (chance(30))
                world_history(w, cluster_names[rnd() % 3], now - 400 * SEC_PER_DAY, false);
}

/* ---- the reference: DESIGN.md section 5 read literally, by brute force ---- */

static const char *ref_tag(const struct observed_snapshot *s, const char *key)
{
        for (size_t i = 0; i < s->n_tags; i++)
                if (strcmp(s->tags[i].key, key) == 0)
                        return s->tags[i].value;
        return NULL;
}

/* Invariant 1 read literally: the managed-by tag, and a name "aba-<cluster>-<yyyymmdd>t<hhmm>" whose
 * stamp is the slot tag's "yyyy-mm-ddThh:mm:00Z" (the generator's cluster names are short and plain, and
 * its copies keep their source's name in the other region). */
static bool ref_is_agent(const struct observed_snapshot *s)
{
        const char *managed = ref_tag(s, TAG_MANAGED_BY), *slot = ref_tag(s, TAG_SLOT);
        char want[128];
        if (strncmp(s->identifier, "awsbackup:", 10) == 0 ||
            strncmp(s->identifier, "continuous:", 11) == 0 || strncmp(s->identifier, "rds:", 4) == 0 ||
            strcmp(s->snapshot_type, "automated") == 0 || !managed ||
            strcmp(managed, TAG_MANAGED_BY_VALUE) != 0 || !slot || strlen(slot) != 20)
                return false;
        snprintf(want, sizeof want, "aba-%s-%.4s%.2s%.2st%.2s%.2s", s->cluster_identifier, slot, slot + 5,
                 slot + 8, slot + 11, slot + 14);
        return strcmp(s->identifier, want) == 0 && strcmp(slot + 16, ":00Z") == 0;
}

static bool ref_is_backup(const struct observed_snapshot *s)
{
        return strncmp(s->identifier, "awsbackup:", 10) == 0;
}

static bool ref_held(const struct observed_snapshot *s)
{
        for (size_t i = 0; i < s->n_tags; i++)
                if (strcmp(s->tags[i].key, TAG_HOLD) == 0)
                        return true;
        return false;
}

static bool ref_takes_part(const struct observed_snapshot *s)
{
        return strcmp(s->status, "available") == 0 && s->create_time != PLAN_TIME_UNKNOWN;
}

/* x is newer than y: later, or the same second and a smaller identifier. */
static bool ref_newer(const struct observed_snapshot *x, const struct observed_snapshot *y)
{
        return x->create_time > y->create_time ||
               (x->create_time == y->create_time && strcmp(x->identifier, y->identifier) < 0);
}

/* Period keys straight from the C library: ISO week-year and week through strftime %G%V. */
static int64_t ref_key(int rule, int64_t t)
{
        time_t tt = (time_t)t;
        struct tm tm;
        char buf[16];
        gmtime_r(&tt, &tm);
        switch (rule) {
        case 0:
                return t >= 0 ? t / SEC_PER_DAY : -((-t + SEC_PER_DAY - 1) / SEC_PER_DAY);
        case 1:
                strftime(buf, sizeof buf, "%G%V", &tm);
                return atoll(buf);
        case 2:
                return (int64_t)tm.tm_year * 12 + tm.tm_mon;
        default:
                return tm.tm_year;
        }
}

struct ref_verdict {
        bool deleted;
        unsigned keep;
        enum delete_reason why;
};

static void ref_retention(const struct retention *r, int64_t now, const struct observed_snapshot **g,
                          size_t n, struct ref_verdict *out)
{
        const unsigned period_bits[4] = {KEEP_DAILY, KEEP_WEEKLY, KEEP_MONTHLY, KEEP_YEARLY};
        const unsigned period_n[4] = {r->daily, r->weekly, r->monthly, r->yearly};
        bool keep_rule =
            r->keep_last || r->daily || r->weekly || r->monthly || r->yearly || r->keep_within_sec;
        bool any_rule = keep_rule || r->max_age_sec;
        int64_t newest_time = INT64_MIN;
        for (size_t j = 0; j < n; j++)
                if (ref_takes_part(g[j]) && g[j]->create_time > newest_time)
                        newest_time = g[j]->create_time;

        /* first_of[k][i]: g[i] is the newest of its period under rule k. */
        bool first_of[4][WORLD_MAX_SNAPS];
        for (int k = 0; k < 4; k++)
                for (size_t i = 0; i < n; i++) {
                        first_of[k][i] = ref_takes_part(g[i]);
                        for (size_t j = 0; j < n && first_of[k][i]; j++)
                                if (ref_takes_part(g[j]) && ref_newer(g[j], g[i]) &&
                                    ref_key(k, g[j]->create_time) == ref_key(k, g[i]->create_time))
                                        first_of[k][i] = false;
                }

        for (size_t i = 0; i < n; i++) {
                const struct observed_snapshot *s = g[i];
                unsigned keep = 0;
                bool expired = false;
                if (!ref_takes_part(s))
                        keep = KEEP_NOT_AVAILABLE;
                else {
                        size_t newer = 0;
                        for (size_t j = 0; j < n; j++)
                                newer += ref_takes_part(g[j]) && ref_newer(g[j], s);
                        expired = r->max_age_sec && now - s->create_time > r->max_age_sec;
                        if (!any_rule)
                                keep = KEEP_NO_RULE;
                        else if (!keep_rule)
                                keep = expired ? 0 : KEEP_UNEXPIRED;
                        else if (!expired) {
                                if (newer < r->keep_last)
                                        keep |= KEEP_LAST;
                                for (int k = 0; k < 4; k++) {
                                        if (!period_n[k] || !first_of[k][i])
                                                continue;
                                        size_t periods_newer = 0;
                                        for (size_t j = 0; j < n; j++)
                                                periods_newer += first_of[k][j] && ref_newer(g[j], s);
                                        if (periods_newer < period_n[k])
                                                keep |= period_bits[k];
                                }
                                if (r->keep_within_sec && s->create_time >= newest_time - r->keep_within_sec)
                                        keep |= KEEP_WITHIN;
                        }
                        if (newer == 0)
                                keep |= KEEP_NEWEST;
                }
                if (ref_held(s))
                        keep |= KEEP_HOLD;
                out[i] = (struct ref_verdict){.deleted = keep == 0, .keep = keep};
                if (keep == 0)
                        out[i].why = expired ? DELETE_MAX_AGE : DELETE_NOT_KEPT;
        }

        /* The floor, by counting: a deleted one comes back if fewer than the shortfall of deleted ones
         * are newer than it. */
        size_t kept = 0;
        for (size_t i = 0; i < n; i++)
                kept += ref_takes_part(g[i]) && !out[i].deleted;
        if (kept >= r->min_keep)
                return;
        size_t shortfall = r->min_keep - kept;
        bool back[WORLD_MAX_SNAPS] = {false};
        for (size_t i = 0; i < n; i++) {
                if (!out[i].deleted)
                        continue;
                size_t newer_deleted = 0;
                for (size_t j = 0; j < n; j++)
                        newer_deleted += out[j].deleted && ref_newer(g[j], g[i]);
                back[i] = newer_deleted < shortfall;
        }
        for (size_t i = 0; i < n; i++)
                if (back[i])
                        out[i] = (struct ref_verdict){.keep = KEEP_MIN};
}

/* ---- the checks ---- */

static const struct observed_snapshot *find_snap(const struct world *w, const char *region, const char *id)
{
        for (size_t i = 0; i < w->in.n_snapshots; i++)
                if (strcmp(w->snaps[i].identifier, id) == 0 && strcmp(w->snaps[i].region, region) == 0)
                        return &w->snaps[i];
        return NULL;
}

static bool cluster_selected(const struct world *w, const char *cluster)
{
        for (size_t i = 0; i < w->in.n_clusters; i++)
                if (strcmp(w->clusters[i].identifier, cluster) == 0)
                        return cluster[0] == 'c';
        return false;
}

/* Check writes a progress record for every ck_assert; millions of them would dominate the run, so
 * the checks below call into Check only when they fail. */
static uint64_t cur_seed;
#define CHECK_MSG(cond, ...)                                                                                \
        do {                                                                                                \
                if (!(cond))                                                                                \
                        ck_abort_msg(__VA_ARGS__);                                                          \
        } while (0)
#define CHECK(cond) CHECK_MSG(cond, "seed %llu: %s", (unsigned long long)cur_seed, #cond)
#define CHECK_INT(a, op, b)                                                                                 \
        CHECK_MSG((int64_t)(a)op(int64_t)(b), "seed %llu: %s %s %s (%lld, %lld)",                           \
                  (unsigned long long)cur_seed, #a, #op, #b, (long long)(a), (long long)(b))
#define CHECK_INT_EQ(a, b) CHECK_INT(a, ==, b)
#define CHECK_INT_LE(a, b) CHECK_INT(a, <=, b)
#define CHECK_INT_LT(a, b) CHECK_INT(a, <, b)
#define CHECK_INT_GE(a, b) CHECK_INT(a, >=, b)
#define CHECK_INT_GT(a, b) CHECK_INT(a, >, b)
#define CHECK_UINT_EQ(a, b) CHECK_INT(a, ==, b)
#define CHECK_UINT_GE(a, b) CHECK_INT(a, >=, b)
#define CHECK_STR_EQ(a, b) CHECK(strcmp((a), (b)) == 0)
#define CHECK_STR_NE(a, b) CHECK(strcmp((a), (b)) != 0)
#define CHECK_PTR_NONNULL(p) CHECK((p) != NULL)
#define CHECK_PTR_NULL(p) CHECK((p) == NULL)

/* How often each situation came up, so that a generator gone dull fails the test instead of passing it. */
static struct {
        size_t delete_rds, delete_backup, max_age, not_kept, min_keep, hold, newest_saved, create, exhausted,
            wait, missed, replayed, copy, copy_judged;
} seen;

static void count_seen(const struct plan *p, bool replayed)
{
        for (size_t i = 0; i < p->n_actions; i++)
                switch (p->actions[i].kind) {
                case ACTION_DELETE_RDS:
                        seen.delete_rds++;
                        break;
                case ACTION_DELETE_BACKUP:
                        seen.delete_backup++;
                        break;
                case ACTION_CREATE:
                        seen.create++;
                        break;
                case ACTION_COPY:
                        seen.copy++;
                        break;
                case ACTION_QUOTA_EXHAUSTED:
                        seen.exhausted++;
                        break;
                case ACTION_WAIT:
                        seen.wait++;
                        break;
                case ACTION_MISSED:
                        seen.missed++;
                        break;
                default:
                        break;
                }
        for (size_t i = 0; i < p->n_verdicts; i++) {
                const struct snapshot_verdict *v = &p->verdicts[i];
                seen.max_age += v->why == DELETE_MAX_AGE;
                seen.not_kept += v->why == DELETE_NOT_KEPT;
                seen.min_keep += (v->keep & KEEP_MIN) != 0;
                seen.hold += v->keep == KEEP_HOLD;
                seen.newest_saved += v->keep == KEEP_NEWEST;
                seen.copy_judged += v->group == GROUP_COPY;
        }
        seen.replayed += replayed;
}

static void check_world(struct world *w, uint64_t seed)
{
        cur_seed = seed;
        struct plan *p = world_plan(w);
        const struct policy *pol = &w->pol[0];

        /* Every observed snapshot has exactly one verdict; deleted verdicts and delete actions agree. */
        CHECK_UINT_EQ(p->n_verdicts, w->in.n_snapshots);
        size_t n_deleted = 0, n_delete_actions = 0;
        for (size_t i = 0; i < p->n_verdicts; i++)
                n_deleted += p->verdicts[i].deleted;
        for (size_t i = 0; i < p->n_actions; i++) {
                const struct plan_action *a = &p->actions[i];
                if (a->kind != ACTION_DELETE_RDS && a->kind != ACTION_DELETE_BACKUP)
                        continue;
                n_delete_actions++;
                const struct observed_snapshot *s = find_snap(w, a->region, a->snapshot);
                CHECK_PTR_NONNULL(s);
                /* 1: never automated, never without our tag, never creating (only available ones). */
                CHECK_STR_EQ(s->status, "available");
                CHECK_STR_NE(s->snapshot_type, "automated");
                if (a->kind == ACTION_DELETE_RDS) {
                        CHECK_MSG(ref_is_agent(s), "seed %llu: RDS delete of %s", (unsigned long long)seed,
                                  s->identifier);
                        /* 2: never an awsbackup: identifier through RDS. */
                        CHECK(strncmp(s->identifier, "awsbackup:", 10) != 0);
                } else {
                        /* 2: AWS Backup snapshots only through Backup, only when the policy opts in. */
                        CHECK(ref_is_backup(s));
                        CHECK(pol->aws_backup_manage);
                }
                CHECK(plan_verdict_for(p, s)->deleted);
                CHECK(!ref_held(s));
        }
        CHECK_UINT_EQ(n_deleted, n_delete_actions);

        /* Retention against the reference, group by group; everything else is kept for its origin. */
        for (size_t c = 0; c < 4; c++) {
                const char *cluster = cluster_names[c];
                for (int group = 0; group < 3; group++) {
                        /* 0: primary, 1: AWS Backup, 2: copies in the copy target's region. */
                        const char *region = group == 2 ? REGION2 : WORLD_REGION;
                        const struct retention *r = group == 0          ? &pol->retention
                                                    : group == 1        ? &pol->aws_backup_retention
                                                    : pol->n_copies > 0 ? &pol->copies[0].retention
                                                                        : NULL;
                        const enum verdict_group want = group == 0   ? GROUP_PRIMARY
                                                        : group == 1 ? GROUP_AWS_BACKUP
                                                                     : GROUP_COPY;
                        const struct observed_snapshot *g[WORLD_MAX_SNAPS];
                        struct ref_verdict ref[WORLD_MAX_SNAPS];
                        size_t n = 0;
                        for (size_t i = 0; i < w->in.n_snapshots; i++) {
                                const struct observed_snapshot *s = &w->snaps[i];
                                if (strcmp(s->cluster_identifier, cluster) != 0 ||
                                    strcmp(s->region, region) != 0)
                                        continue;
                                const char *tag = ref_tag(s, PLAN_TAG_COPY);
                                if (group == 0 ? ref_is_agent(s) && !tag
                                    : group == 1
                                        ? ref_is_backup(s)
                                        : ref_is_agent(s) && tag && strcmp(tag, "copy:" WORLD_REGION) == 0)
                                        g[n++] = s;
                        }
                        bool judged = cluster_selected(w, cluster) &&
                                      (group == 0 || (group == 1 && pol->aws_backup_manage) ||
                                       (group == 2 && pol->n_copies > 0));
                        if (!judged) {
                                for (size_t i = 0; i < n; i++) {
                                        const struct snapshot_verdict *v = plan_verdict_for(p, g[i]);
                                        CHECK(!v->deleted);
                                        CHECK_INT_EQ(v->group, GROUP_NONE);
                                        CHECK(v->keep == KEEP_UNMANAGED || v->keep == KEEP_BACKUP_OFF);
                                }
                                continue;
                        }
                        ref_retention(r, w->in.now, g, n, ref);
                        size_t available = 0, kept = 0;
                        for (size_t i = 0; i < n; i++) {
                                const struct snapshot_verdict *v = plan_verdict_for(p, g[i]);
                                CHECK_MSG(v->deleted == ref[i].deleted && v->keep == ref[i].keep &&
                                              v->why == ref[i].why,
                                          "seed %llu: %s: plan deleted=%d keep=%#x why=%d, reference "
                                          "deleted=%d keep=%#x why=%d",
                                          (unsigned long long)seed, g[i]->identifier, v->deleted, v->keep,
                                          v->why, ref[i].deleted, ref[i].keep, ref[i].why);
                                CHECK_INT_EQ(v->group, want);
                                if (ref_takes_part(g[i])) {
                                        available++;
                                        kept += !v->deleted;
                                        /* 3: the newest available one is never deleted. */
                                        bool newest = true;
                                        for (size_t j = 0; j < n; j++)
                                                if (ref_takes_part(g[j]) && ref_newer(g[j], g[i]))
                                                        newest = false;
                                        CHECK(!newest || !v->deleted);
                                } else
                                        CHECK(!v->deleted);
                        }
                        /* 3: never fewer than min_keep available ones (or all there are). */
                        CHECK_UINT_GE(kept, available < r->min_keep ? available : r->min_keep);
                }
        }
        for (size_t i = 0; i < w->in.n_snapshots; i++) {
                const struct observed_snapshot *s = &w->snaps[i];
                const struct snapshot_verdict *v = plan_verdict_for(p, s);
                if (!ref_is_agent(s) && !ref_is_backup(s)) {
                        CHECK(!v->deleted);
                        CHECK_UINT_EQ(v->keep & KEEP_ORIGIN, KEEP_ORIGIN);
                }
                /* Agent snapshots outside every group (a copy from a region we do not copy from, an
                 * untagged snapshot in another region) are nobody's to delete. */
                const char *tag = ref_tag(s, PLAN_TAG_COPY);
                if (ref_is_agent(s) &&
                    ((strcmp(s->region, WORLD_REGION) == 0 && tag) ||
                     (strcmp(s->region, REGION2) == 0 && (!tag || strcmp(tag, "copy:" WORLD_REGION) != 0))))
                        CHECK(!v->deleted && v->keep == KEEP_UNMANAGED);
        }

        /* 4: quota, per region. Manual non-AWS-Backup snapshots, plus unobserved ledger creates, minus
         * this cycle's deletions, plus this cycle's creates and copies into the region. */
        size_t creates = 0;
        static const char *const regions[] = {WORLD_REGION, REGION2};
        for (size_t k = 0; k < 2; k++) {
                const char *region = regions[k];
                int64_t limit = pol->quota_limit;
                for (size_t q = 0; q < w->in.n_account_quotas && limit == 0; q++)
                        if (strcmp(w->quotas[q].region, region) == 0)
                                limit = w->quotas[q].max;
                if (limit == 0 && pol->quota_limit == 0 &&
                    !(w->in.n_account_quotas > 0 && strcmp(w->quotas[0].region, region) == 0) &&
                    !(w->in.n_account_quotas > 1 && strcmp(w->quotas[1].region, region) == 0))
                        limit = CONFIG_DEFAULT_QUOTA_LIMIT;
                int64_t room = limit > pol->quota_reserve ? limit - pol->quota_reserve : 0;
                int64_t count = 0, added = 0;
                size_t exhausted = 0;
                for (size_t i = 0; i < w->in.n_snapshots; i++) {
                        const struct observed_snapshot *s = &w->snaps[i];
                        bool manual = strncmp(s->identifier, "awsbackup:", 10) != 0 &&
                                      strncmp(s->identifier, "continuous:", 11) != 0 &&
                                      strncmp(s->identifier, "rds:", 4) != 0 &&
                                      strcmp(s->snapshot_type, "automated") != 0;
                        count += manual && strcmp(s->region, region) == 0;
                }
                for (size_t i = 0; i < w->in.n_ledger; i++)
                        count += strcmp(w->ledger[i].region, region) == 0 &&
                                 !find_snap(w, region, w->ledger[i].snapshot_identifier);
                for (size_t i = 0; i < p->n_actions; i++) {
                        const struct plan_action *a = &p->actions[i];
                        if (!a->region || strcmp(a->region, region) != 0)
                                continue;
                        count -= a->kind == ACTION_DELETE_RDS;
                        added += a->kind == ACTION_CREATE || a->kind == ACTION_COPY;
                        exhausted += a->kind == ACTION_QUOTA_EXHAUSTED;
                        creates += a->kind == ACTION_CREATE;
                        /* A copy is never made twice. */
                        if (a->kind == ACTION_COPY)
                                CHECK_PTR_NULL(find_snap(w, region, a->snapshot));
                }
                if (added > 0)
                        CHECK_INT_LE(count + added, room);
                if (exhausted > 0)
                        CHECK_INT_GT(count + added + 1, room);
        }

        /* 5: at most one create per cluster, for the open slot, under its deterministic identifier, and
         * none when that slot already has a snapshot. */
        for (size_t i = 0; i < p->n_actions; i++) {
                const struct plan_action *a = &p->actions[i];
                if (a->kind != ACTION_CREATE)
                        continue;
                for (size_t j = i + 1; j < p->n_actions; j++)
                        CHECK(p->actions[j].kind != ACTION_CREATE ||
                              strcmp(p->actions[j].cluster, a->cluster));
                CHECK(cluster_selected(w, a->cluster));
                struct slot sl;
                CHECK_INT_EQ(slot_latest(&pol->every, &pol->window, a->cluster, w->in.now, &sl), 0);
                CHECK_INT_EQ(a->slot_start, sl.start);
                CHECK_INT_LE(sl.start, w->in.now);
                CHECK_INT_LT(w->in.now, sl.close);
                char id[PLAN_SNAPSHOT_ID_MAX];
                CHECK_INT_EQ(plan_snapshot_identifier("aba", a->cluster, sl.start, id), 0);
                CHECK_STR_EQ(a->snapshot, id);
                CHECK_PTR_NULL(find_snap(w, WORLD_REGION, id));
        }
        CHECK_INT_GE(p->next_wakeup, w->in.now);

        /* 5, replayed: once the creates are observed (as creating), or only known to the ledger (a crash
         * before the next Describe), planning again at the same instant creates nothing more. */
        if (creates > 0) {
                struct world replay, ledger;
                world_copy(&replay, w);
                world_copy(&ledger, w);
                for (size_t i = 0; i < p->n_actions; i++) {
                        const struct plan_action *a = &p->actions[i];
                        if (a->kind != ACTION_CREATE)
                                continue;
                        world_agent_snap(&replay, a->region, a->cluster, a->slot_start, PLAN_TIME_UNKNOWN,
                                         "creating", NULL, NULL);
                        CHECK(streq(replay.snaps[replay.in.n_snapshots - 1].identifier, a->snapshot));
                        world_ledger(&ledger, ACTION_CREATE, a->cluster, a->snapshot, a->region)
                            ->slot_start = a->slot_start;
                }
                count_seen(p, true);
                struct plan *again = world_plan(&replay);
                CHECK_UINT_EQ(plan_count(again, ACTION_CREATE), 0);
                plan_free(again);
                again = world_plan(&ledger);
                CHECK_UINT_EQ(plan_count(again, ACTION_CREATE), 0);
                plan_free(again);
        }
        if (creates == 0)
                count_seen(p, false);
        plan_free(p);
}

TEST(property_random_worlds_keep_the_invariants_and_match_the_reference)
{
        static struct world w;
        for (uint64_t seed = 1; seed <= N_WORLDS; seed++) {
                random_world(&w, seed);
                check_world(&w, seed);
        }
        ck_assert_uint_gt(seen.delete_rds, 1000);
        ck_assert_uint_gt(seen.delete_backup, 500);
        ck_assert_uint_gt(seen.max_age, 1000);
        ck_assert_uint_gt(seen.not_kept, 1000);
        ck_assert_uint_gt(seen.min_keep, 100);
        ck_assert_uint_gt(seen.hold, 100);
        ck_assert_uint_gt(seen.newest_saved, 100);
        ck_assert_uint_gt(seen.create, 100);
        ck_assert_uint_gt(seen.exhausted, 100);
        ck_assert_uint_gt(seen.wait, 20);
        ck_assert_uint_gt(seen.missed, 100);
        ck_assert_uint_gt(seen.replayed, 100);
        ck_assert_uint_gt(seen.copy, 100);
        ck_assert_uint_gt(seen.copy_judged, 1000);
}

static void shuffle(void *base, size_t n, size_t size)
{
        for (size_t i = n; i > 1; i--)
                world_swap(base, size, i - 1, rnd() % i);
}

TEST(property_plan_text_is_byte_identical_for_shuffled_input)
{
        static struct world w;
        for (uint64_t seed = 1; seed <= 500; seed++) {
                random_world(&w, seed * 7919);
                char *a = world_plan_text(&w), *b = world_plan_text(&w);
                assert_same_text(a, b);

                shuffle(w.snaps, w.in.n_snapshots, sizeof w.snaps[0]);
                shuffle(w.clusters, w.in.n_clusters, sizeof w.clusters[0]);
                shuffle(w.ledger, w.in.n_ledger, sizeof w.ledger[0]);
                shuffle(w.history, w.in.n_history, sizeof w.history[0]);
                char *c = world_plan_text(&w);
                assert_same_text(a, c);
                free(a);
                free(b);
                free(c);
        }
}
