/* bench-plan: plans one cycle for N clusters x M snapshots (default 1,000 x 100) and reports the median
 * wall time of plan_build() over several runs, the time of plan_format(), and the peak RSS of the whole
 * process (input world included). Targets: under 50 ms and under 64 MiB for 1,000 x 100.
 *
 *   meson compile -C build bench-plan          # or: build/bench/plan/bench-plan [N M RUNS]
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>

#include "plan-format.h"
#include "plan.h"
#include "snapshot-id.h"
#include "time-util.h"

struct world {
        struct agent_config cfg;
        struct policy policy;
        struct observed_cluster *clusters;
        struct observed_snapshot *snaps;
        struct tag *tags;
        char *names; /* cluster and snapshot identifiers, fixed-size slots */
        size_t n_clusters, n_snaps;
};

#define NAME_MAX_LEN 64
#define TAGS_PER_SNAPSHOT 3

static int cmp_double(const void *a, const void *b)
{
        double x = *(const double *)a, y = *(const double *)b;
        return x < y ? -1 : x > y;
}

static double clock_ms(clockid_t id)
{
        struct timespec ts;
        clock_gettime(id, &ts);
        return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static double now_ms(void)
{
        return clock_ms(CLOCK_MONOTONIC);
}

/* CPU time of this thread: what the planner costs, whatever else the machine is doing. */
static double cpu_ms(void)
{
        return clock_ms(CLOCK_THREAD_CPUTIME_ID);
}

static double median(double *v, int n)
{
        qsort(v, (size_t)n, sizeof *v, cmp_double);
        return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* A fleet in one region, each cluster with one agent snapshot a day for M days, tagged as the agent
 * tags them; every 10th snapshot is a foreign manual one, every 25th is still creating. */
static int world_build(struct world *w, size_t n_clusters, size_t per_cluster, int64_t now)
{
        w->n_clusters = n_clusters;
        w->n_snaps = n_clusters * per_cluster;
        w->clusters = calloc(n_clusters, sizeof *w->clusters);
        w->snaps = calloc(w->n_snaps, sizeof *w->snaps);
        w->tags = calloc(w->n_snaps * TAGS_PER_SNAPSHOT, sizeof *w->tags);
        w->names = calloc(n_clusters + w->n_snaps * 2, NAME_MAX_LEN);
        if (!w->clusters || !w->snaps || !w->tags || !w->names)
                return -1;

        w->policy = (struct policy){
            .name = (char *)"fleet",
            .every = {.kind = SCHEDULE_DAILY},
            .window = {.start_min = 0, .end_min = 0}, /* the whole day: every cluster's window is open */
            .retention = {.keep_last = 7,
                          .daily = 14,
                          .weekly = 8,
                          .monthly = 12,
                          .yearly = 3,
                          .max_age_sec = 60 * SEC_PER_DAY,
                          .min_keep = 3},
            .quota_limit = 1000000,
            .quota_reserve = 5,
        };
        w->cfg = (struct agent_config){
            .agent = {.region = (char *)"eu-west-1", .snapshot_prefix = (char *)"aba"},
            .policies = &w->policy,
            .n_policies = 1,
        };

        char *name = w->names;
        for (size_t c = 0; c < n_clusters; c++) {
                char *cid = name;
                name += NAME_MAX_LEN;
                snprintf(cid, NAME_MAX_LEN, "fleet-cluster-%05zu", c);
                w->clusters[c] = (struct observed_cluster){.identifier = cid,
                                                           .region = "eu-west-1",
                                                           .status = "available",
                                                           .storage_encrypted = true};
                for (size_t k = 0; k < per_cluster; k++) {
                        size_t i = c * per_cluster + k;
                        int64_t t = now - (int64_t)(k + 1) * SEC_PER_DAY + (int64_t)(c % 1800);
                        char *sid = name, *slot = name + NAME_MAX_LEN;
                        name += 2 * NAME_MAX_LEN;
                        time_format_iso8601(t, slot);
                        if (plan_snapshot_identifier("aba", cid, t, sid) < 0)
                                return -1;
                        struct tag *tags = &w->tags[i * TAGS_PER_SNAPSHOT];
                        bool foreign = k % 10 == 9;
                        tags[0] = (struct tag){(char *)TAG_MANAGED_BY, (char *)TAG_MANAGED_BY_VALUE};
                        tags[1] = (struct tag){(char *)TAG_POLICY, (char *)"fleet"};
                        tags[2] = (struct tag){(char *)TAG_SLOT, slot};
                        w->snaps[i] = (struct observed_snapshot){
                            .identifier = sid,
                            .arn = sid,
                            .cluster_identifier = cid,
                            .region = "eu-west-1",
                            .status = k % 25 == 24 ? "creating" : "available",
                            .snapshot_type = "manual",
                            .create_time = t,
                            .encrypted = true,
                            .kms_key_id = "arn:aws:kms:eu-west-1:111122223333:key/k",
                            .tags = foreign ? NULL : tags,
                            .n_tags = foreign ? 0 : TAGS_PER_SNAPSHOT,
                            .allocated_storage_gib = 100,
                        };
                }
        }
        return 0;
}

/* A fingerprint of the whole plan text (outside the timed part), so that a refactoring can show that
 * the planner's decisions did not change: compare the line before and after. Hashed as it is written,
 * so that the text (33 MB here) is never held in memory and the peak RSS stays the planner's. */
struct digest {
        uint64_t h;
        size_t len;
};

static ssize_t digest_write(void *cookie, const char *buf, size_t n)
{
        struct digest *d = cookie;

        for (size_t i = 0; i < n; i++)
                d->h = (d->h ^ (unsigned char)buf[i]) * UINT64_C(0x100000001b3);
        d->len += n;
        return (ssize_t)n;
}

static void plan_text_digest(const struct plan *p, uint64_t *ret_digest, size_t *ret_len)
{
        struct digest d = {.h = UINT64_C(0xcbf29ce484222325)};
        FILE *f = fopencookie(&d, "w", (cookie_io_functions_t){.write = digest_write});

        if (!f)
                abort();
        plan_format(p, f);
        if (fclose(f) != 0)
                abort();
        *ret_digest = d.h;
        *ret_len = d.len;
}

int main(int argc, char **argv)
{
        size_t n_clusters = argc > 1 ? strtoul(argv[1], NULL, 10) : 1000;
        size_t per_cluster = argc > 2 ? strtoul(argv[2], NULL, 10) : 100;
        int runs = argc > 3 ? atoi(argv[3]) : 9;
        if (n_clusters == 0 || per_cluster == 0 || runs < 1 || runs > 1000) {
                fprintf(stderr, "usage: %s [CLUSTERS [SNAPSHOTS-PER-CLUSTER [RUNS]]]\n", argv[0]);
                return 2;
        }
        int64_t now = time_from_civil(2026, 11, 24, 12, 0, 0);
        struct world w;
        if (world_build(&w, n_clusters, per_cluster, now) < 0) {
                fprintf(stderr, "out of memory building the world\n");
                return 1;
        }
        struct plan_input in = {
            .config = &w.cfg,
            .clusters = w.clusters,
            .n_clusters = w.n_clusters,
            .snapshots = w.snaps,
            .n_snapshots = w.n_snaps,
            .now = now,
        };

        double *build_ms = calloc((size_t)runs, sizeof *build_ms);
        double *build_cpu_ms = calloc((size_t)runs, sizeof *build_cpu_ms);
        double format_ms = 0, format_cpu_ms = 0;
        size_t n_actions = 0, n_deleted = 0, n_verdicts = 0, text_len = 0;
        uint64_t digest = 0;
        if (!build_ms || !build_cpu_ms)
                return 1;
        for (int r = 0; r < runs; r++) {
                struct plan *p = NULL;
                double t0 = now_ms(), c0 = cpu_ms();
                int k = plan_build(&in, &p);
                build_ms[r] = now_ms() - t0;
                build_cpu_ms[r] = cpu_ms() - c0;
                if (k < 0) {
                        fprintf(stderr, "plan_build: %d\n", k);
                        return 1;
                }
                if (r == 0) {
                        FILE *null = fopen("/dev/null", "we");
                        if (!null)
                                return 1;
                        t0 = now_ms();
                        c0 = cpu_ms();
                        plan_format(p, null);
                        format_ms = now_ms() - t0;
                        format_cpu_ms = cpu_ms() - c0;
                        fclose(null);
                        plan_text_digest(p, &digest, &text_len);
                        n_actions = p->n_actions;
                        n_verdicts = p->n_verdicts;
                        for (size_t i = 0; i < p->n_verdicts; i++)
                                n_deleted += p->verdicts[i].deleted;
                }
                plan_free(p);
        }

        struct rusage ru;
        getrusage(RUSAGE_SELF, &ru);
        double wall = median(build_ms, runs), cpu = median(build_cpu_ms, runs);
        printf("bench-plan: %zu clusters x %zu snapshots = %zu snapshots, %d runs\n", n_clusters,
               per_cluster, w.n_snaps, runs);
        printf("  plan_build   median %.1f ms wall (min %.1f, max %.1f), %.1f ms CPU   target < 50 ms\n",
               wall, build_ms[0], build_ms[runs - 1], cpu);
        printf("  plan_format  %.1f ms wall, %.1f ms CPU (%zu actions, %zu verdicts, %zu deletions)\n",
               format_ms, format_cpu_ms, n_actions, n_verdicts, n_deleted);
        printf("  plan text    %zu bytes, FNV-1a 64 %016" PRIx64
               " (the same world must give the same plan)\n",
               text_len, digest);
        printf("  peak RSS     %.1f MiB (whole process, input included)   target < 64 MiB\n",
               ru.ru_maxrss / 1024.0);
        free(build_ms);
        free(build_cpu_ms);
        free(w.clusters);
        free(w.snaps);
        free(w.tags);
        free(w.names);
        return 0;
}
