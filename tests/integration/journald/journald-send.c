/* Sends one event of every kind through libagent's journal.c, for the journald integration test, and
 * writes what it sent (JSON lines) to a manifest so that the test can compare it with the journal. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "journal.h"
#include "macro.h"

/* Failing kinds carry an AWS error; the others must not show AWS_* fields at all. */
static bool has_aws_error(enum journal_event kind)
{
        const char *name = journal_event_name(kind);
        size_t l = strlen(name);

        return kind == EVENT_API_ERROR || kind == EVENT_BACKUP_DELETE_EXPIRED ||
               (l > 7 && streq(name + l - 7, "-failed"));
}

int main(int argc, char *argv[])
{
        static const struct option options[] = {
            {"sink", required_argument, NULL, 's'},
            {"run", required_argument, NULL, 'r'},
            {"manifest", required_argument, NULL, 'm'},
            {},
        };
        const char *sink = "journal", *run = "run", *manifest = NULL;
        _cleanup_fclose_ FILE *out = NULL;
        int c, failed = 0;

        while ((c = getopt_long(argc, argv, "", options, NULL)) >= 0) {
                switch (c) {
                case 's':
                        sink = optarg;
                        break;
                case 'r':
                        run = optarg;
                        break;
                case 'm':
                        manifest = optarg;
                        break;
                default:
                        return 2;
                }
        }
        if (!manifest) {
                fprintf(stdout,
                        "usage: journald-send --manifest FILE [--sink auto|journal|stderr] [--run TOKEN]\n");
                return 2;
        }
        if (streq(sink, "auto"))
                journal_set_sink(JOURNAL_SINK_AUTO);
        else if (streq(sink, "journal"))
                journal_set_sink(JOURNAL_SINK_JOURNAL);
        else if (streq(sink, "stderr"))
                journal_set_sink(JOURNAL_SINK_STDERR);
        else
                return 2;
        out = fopen(manifest, "we");
        if (!out) {
                perror(manifest);
                return 1;
        }
        fprintf(out, "{\"sink\": \"%s\"}\n",
                journal_sink_resolve() == JOURNAL_SINK_JOURNAL ? "journal" : "stderr");

        for (int i = 0; i < _EVENT_MAX; i++) {
                char cluster[32], snapshot[64], reason[64], seq[32], run_field[96];
                bool aws = has_aws_error(i);
                const char *extra[] = {seq, run_field, NULL};
                const struct event_fields f = {
                    .policy = "prod",
                    .cluster = cluster,
                    .snapshot = snapshot,
                    .action = journal_event_name(i),
                    /* One value with a newline: journald must receive it whole. */
                    .reason = i == EVENT_RETENTION_VERDICT ? "kept by daily\nand by weekly" : reason,
                    .error_code = aws ? "InvalidDBClusterStateFault" : NULL,
                    .request_id = aws ? "4c1d7c3e-0b6a-4f3e-9d0e-1a2b3c4d5e6f" : NULL,
                    .region = "eu-west-1",
                    .has_duration = true,
                    .duration_sec = 10 * i,
                    .extra = extra,
                };
                int r;

                snprintf(cluster, sizeof(cluster), "db-%d", i);
                snprintf(snapshot, sizeof(snapshot), "aba-db-%d-2023-11-14t2200z", i);
                snprintf(reason, sizeof(reason), "reason number %d", i);
                snprintf(seq, sizeof(seq), "AURORA_SEQ=%d", i);
                snprintf(run_field, sizeof(run_field), "AURORA_RUN=%s", run);

                r = journal_event(i, &f, "Event %s for %s", journal_event_name(i), cluster);
                if (r < 0) {
                        fprintf(stdout, "journal_event(%s): %s\n", journal_event_name(i), strerror(-r));
                        failed = 1;
                }
                fprintf(out,
                        "{\"event\": \"%s\", \"message_id\": \"%s\", \"priority\": %d, \"seq\": %d, "
                        "\"cluster\": \"%s\", \"snapshot\": \"%s\", \"aws\": %s, \"duration\": %d}\n",
                        journal_event_name(i), journal_event_message_id(i), journal_event_priority(i), i,
                        cluster, snapshot, aws ? "true" : "false", 10 * i);
        }
        return failed;
}
