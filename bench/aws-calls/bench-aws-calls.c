/* Benchmark: one full inventory (every cluster, every cluster snapshot region-wide, tags included)
 * against the endpoint in AWS_ENDPOINT_URL; prints the RDS call count and the wall time. Run by run.py,
 * which starts and seeds the local AWS world. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "aws-client.h"
#include "aws-rds.h"
#include "macro.h"

struct count {
        size_t snapshots;
        size_t tagged;
};

static int count_snapshot(struct rds_db_cluster_snapshot *s, void *userdata)
{
        struct count *c = userdata;
        c->snapshots++;
        if (s->n_tags > 0)
                c->tagged++;
        return 0;
}

static double now_sec(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
        if (argc != 3) {
                fprintf(stderr,
                        "usage: bench-aws-calls N M   (N clusters x M snapshots already in the world)\n");
                return 2;
        }
        unsigned long n = strtoul(argv[1], NULL, 10), m = strtoul(argv[2], NULL, 10);
        unsigned long expected = (n + 99) / 100 + (n * m + 99) / 100;
        struct aws_client *c = NULL;
        struct aws_error e = {};
        struct rds_db_cluster_list clusters = {};
        struct count cnt = {};
        char buf[1024];

        if (aws_client_new(NULL, &c, &e) < 0) {
                fprintf(stderr, "client: %s\n", aws_error_to_string(&e, buf, sizeof(buf)));
                return 1;
        }
        double t0 = now_sec();
        int r = rds_describe_db_clusters(c, NULL, &clusters, &e);
        if (r >= 0)
                r = rds_describe_db_cluster_snapshots_foreach(c, NULL, count_snapshot, &cnt, &e);
        double wall = now_sec() - t0;
        if (r < 0) {
                fprintf(stderr, "inventory failed: %s\n", aws_error_to_string(&e, buf, sizeof(buf)));
                rds_db_cluster_list_done(&clusters);
                aws_client_free(c);
                return 1;
        }
        const struct aws_client_stats *st = aws_client_stats(c);
        printf("inventory N=%lu M=%lu: clusters=%zu snapshots=%zu (tagged %zu)\n", n, m, clusters.n,
               cnt.snapshots, cnt.tagged);
        printf("rds_calls=%" PRIu64 " expected=%lu http_attempts=%" PRIu64
               " wall_time=%.3fs (%.1f ms/call)\n",
               st->calls[AWS_SERVICE_RDS], expected, st->attempts[AWS_SERVICE_RDS], wall,
               st->calls[AWS_SERVICE_RDS] ? wall * 1000.0 / (double)st->calls[AWS_SERVICE_RDS] : 0.0);
        bool ok = st->calls[AWS_SERVICE_RDS] == expected && clusters.n == n && cnt.snapshots == n * m;
        if (!ok)
                printf("MISMATCH: wanted %lu calls for %lu clusters and %lu snapshots\n", expected, n,
                       n * m);
        rds_db_cluster_list_done(&clusters);
        aws_client_free(c);
        return ok ? 0 : 1;
}
