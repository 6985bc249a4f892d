/* Journal events: stable identities, priorities, the stderr line, sink selection, and a catalog entry
 * for every MESSAGE_ID. (Delivery to a real journald: tests/integration/journald.) */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include "journal.h"
#include "notifier.h"
#include "test-suite.h"

TEST_FILE("journal");

TEST(every_event_has_a_unique_name_and_message_id)
{
        for (int i = 0; i < _EVENT_MAX; i++) {
                const char *id = journal_event_message_id(i), *name = journal_event_name(i);

                ck_assert_msg(id && name, "event %d has no identity", i);
                ck_assert_uint_eq(strlen(id), 32);
                for (const char *p = id; *p; p++)
                        ck_assert_msg(isxdigit((unsigned char)*p) && !isupper((unsigned char)*p), "%s", id);
                for (int j = 0; j < i; j++) {
                        ck_assert_str_ne(id, journal_event_message_id(j));
                        ck_assert_str_ne(name, journal_event_name(j));
                }
        }
        ck_assert_ptr_null(journal_event_message_id(_EVENT_MAX));
        ck_assert_ptr_null(journal_event_name(-1));
        ck_assert_int_eq(journal_event_priority(_EVENT_MAX), -EINVAL);
}

TEST(notifications_are_warnings_or_worse_and_drill_results_never_about_themselves)
{
        ck_assert(notifier_wants(EVENT_SNAPSHOT_FAILED));
        ck_assert(notifier_wants(EVENT_WINDOW_MISSED));
        ck_assert(notifier_wants(EVENT_RESTORE_COMPLETED));
        ck_assert(notifier_wants(EVENT_RESTORE_FAILED));
        ck_assert(!notifier_wants(EVENT_SNAPSHOT_CREATED));
        ck_assert(!notifier_wants(EVENT_SNAPSHOT_DEFERRED)); /* notice */
        ck_assert(!notifier_wants(EVENT_RESTORE_STARTED));
        ck_assert(!notifier_wants(EVENT_EXPORT_PROGRESS));
        ck_assert(!notifier_wants(EVENT_NOTIFICATION_FAILED));
        ck_assert(!notifier_wants(EVENT_NOTIFICATIONS_DROPPED));
}

TEST(priorities_fit_the_event)
{
        static const struct {
                enum journal_event event;
                int priority;
        } expected[] = {
            {EVENT_WINDOW_MISSED, LOG_WARNING},       {EVENT_QUOTA_EXHAUSTED, LOG_WARNING},
            {EVENT_BACKUP_VAULT_LOCKED, LOG_WARNING}, {EVENT_SNAPSHOT_FAILED, LOG_ERR},
            {EVENT_DELETE_FAILED, LOG_ERR},           {EVENT_API_ERROR, LOG_ERR},
            {EVENT_CONFIG_REJECTED, LOG_ERR},         {EVENT_BACKUP_DELETE_EXPIRED, LOG_ERR},
            {EVENT_SNAPSHOT_CREATED, LOG_INFO},       {EVENT_CYCLE_SUMMARY, LOG_INFO},
        };

        for (size_t i = 0; i < ELEMENTSOF(expected); i++)
                ck_assert_msg(journal_event_priority(expected[i].event) == expected[i].priority,
                              "%s: priority %d, expected %d", journal_event_name(expected[i].event),
                              journal_event_priority(expected[i].event), expected[i].priority);
        /* Every "...-failed" kind is an error; every "...-started/-completed" one is info. */
        for (int i = 0; i < _EVENT_MAX; i++) {
                const char *name = journal_event_name(i);
                size_t l = strlen(name);

                if (l > 7 && streq(name + l - 7, "-failed"))
                        ck_assert_int_eq(journal_event_priority(i), LOG_ERR);
                if ((l > 8 && streq(name + l - 8, "-started")) ||
                    (l > 10 && streq(name + l - 10, "-completed")))
                        ck_assert_int_eq(journal_event_priority(i), LOG_INFO);
        }
}

/* The stderr line of `event` is `expected`, and one line whatever the message and fields hold. */
static void assert_line(enum journal_event event, const struct event_fields *f, const char *message,
                        const char *expected)
{
        _cleanup_free_ char *line = NULL;

        ck_assert_int_eq(journal_format_line(event, f, message, &line), 0);
        ck_assert_str_eq(line, expected);
        ck_assert_ptr_null(strchr(line, '\n'));
}

TEST(line_has_level_message_and_set_fields_only)
{
        const struct event_fields f = {
            .policy = "prod",
            .cluster = "prod-db-1",
            .snapshot = "aba-prod-db-1-2023-11-14t2200z",
            .error_code = "InvalidDBClusterStateFault",
            .request_id = "4c1d7c3e-0b6a-4f3e-9d0e-1a2b3c4d5e6f",
        };

        assert_line(EVENT_SNAPSHOT_FAILED, &f, "Snapshot of prod-db-1 failed",
                    "error: Snapshot of prod-db-1 failed [policy=prod cluster=prod-db-1 "
                    "snapshot=aba-prod-db-1-2023-11-14t2200z code=InvalidDBClusterStateFault "
                    "request-id=4c1d7c3e-0b6a-4f3e-9d0e-1a2b3c4d5e6f event=snapshot-failed]");
}

TEST(line_without_fields_names_only_the_event)
{
        assert_line(EVENT_CONFIG_RELOADED, NULL, "Configuration reloaded",
                    "info: Configuration reloaded [event=config-reloaded]");
}

TEST(line_quotes_values_and_stays_one_line)
{
        const struct event_fields f = {
            .cluster = "db-a",
            .action = "keep",
            .reason = "kept by \"daily\" rule\nday 3",
            .region = "",
            .has_duration = true,
            .duration_sec = 0,
        };

        assert_line(
            EVENT_WINDOW_MISSED, &f, "Window of db-a\nmissed",
            "warning: Window of db-a missed [cluster=db-a action=keep "
            "reason=\"kept by \\\"daily\\\" rule day 3\" region=\"\" duration=0s event=window-missed]");
}

TEST(line_includes_valid_extras_and_drops_invalid_ones)
{
        const char *const extra[] = {
            "AURORA_CREATED=3", "AURORA_API_CALLS=17",  "lower=1", "_HIDDEN=1",     "NOEQUALS",
            "MESSAGE=spoofed",  "AURORA_CLUSTER=spoof", "2X=bad",  "QUOTA_USED=95", NULL,
        };
        const struct event_fields f = {.extra = extra};

        assert_line(EVENT_CYCLE_SUMMARY, &f, "Cycle finished",
                    "info: Cycle finished [created=3 api-calls=17 quota-used=95 event=cycle-summary]");
}

TEST(event_goes_to_the_stderr_sink_as_one_line)
{
        _cleanup_free_ char *buf = NULL;
        size_t size = 0;
        FILE *f = open_memstream(&buf, &size);
        const struct event_fields fields = {.cluster = "db-b", .reason = "cluster status modifying"};

        ck_assert_ptr_nonnull(f);
        journal_set_sink(JOURNAL_SINK_STDERR);
        journal_set_stream(f);
        ck_assert_int_eq(journal_sink_resolve(), JOURNAL_SINK_STDERR);
        ck_assert_int_eq(
            journal_event(EVENT_WINDOW_MISSED, &fields, "Backup window of %s missed (%d tries)", "db-b", 4),
            0);
        ck_assert_int_eq(journal_event(EVENT_QUOTA_EXHAUSTED, NULL, "Quota %u/%u", 95u, 95u), 0);
        journal_set_stream(NULL);
        fclose(f);
        ck_assert_str_eq(buf, "warning: Backup window of db-b missed (4 tries) [cluster=db-b "
                              "reason=\"cluster status modifying\" event=window-missed]\n"
                              "warning: Quota 95/95 [event=quota-exhausted]\n");
        ck_assert_int_eq(journal_event(_EVENT_MAX, NULL, "x"), -EINVAL);
}

TEST(auto_sink_uses_journal_only_when_stderr_is_the_journal_stream)
{
        struct stat st;
        char value[64];
        bool socket_exists = access("/run/systemd/journal/socket", F_OK) == 0;

        /* Forced journal: only where journald listens, since sd_journal_sendv() would drop events. */
        journal_set_sink(JOURNAL_SINK_JOURNAL);
        ck_assert_int_eq(journal_sink_resolve(), socket_exists ? JOURNAL_SINK_JOURNAL : JOURNAL_SINK_STDERR);

        journal_set_sink(JOURNAL_SINK_AUTO);
        ck_assert_int_eq(unsetenv("JOURNAL_STREAM"), 0);
        ck_assert_int_eq(journal_sink_resolve(), JOURNAL_SINK_STDERR);

        /* Inherited from a unit, but stderr was redirected since: not the journal. */
        ck_assert_int_eq(setenv("JOURNAL_STREAM", "1:1", 1), 0);
        ck_assert_int_eq(journal_sink_resolve(), JOURNAL_SINK_STDERR);
        ck_assert_int_eq(setenv("JOURNAL_STREAM", "garbage", 1), 0);
        ck_assert_int_eq(journal_sink_resolve(), JOURNAL_SINK_STDERR);

        /* stderr is that stream: the journal, if its socket is there to take the structured event. */
        ck_assert_int_eq(fstat(STDERR_FILENO, &st), 0);
        snprintf(value, sizeof(value), "%llu:%llu", (unsigned long long)st.st_dev,
                 (unsigned long long)st.st_ino);
        ck_assert_int_eq(setenv("JOURNAL_STREAM", value, 1), 0);
        ck_assert_int_eq(journal_sink_resolve(), socket_exists ? JOURNAL_SINK_JOURNAL : JOURNAL_SINK_STDERR);
        unsetenv("JOURNAL_STREAM");
}

/* The catalog: "-- <id>" starts an entry, header lines follow up to a blank line, then the text. */
struct catalog_entry {
        char id[33];
        bool subject, defined_by, documentation;
        size_t text_lines;
};

static size_t parse_catalog(const char *path, struct catalog_entry *entries, size_t max)
{
        _cleanup_fclose_ FILE *f = fopen(path, "re");
        char line[1024];
        size_t n = 0;
        bool in_header = false;

        ck_assert_msg(f, "cannot open %s", path);
        while (fgets(line, sizeof(line), f)) {
                struct catalog_entry *e = n > 0 ? &entries[n - 1] : NULL;

                line[strcspn(line, "\n")] = '\0';
                if (startswith(line, "-- ")) {
                        ck_assert_uint_lt(n, max);
                        ck_assert_msg(strlen(line) == 35, "bad entry line '%s'", line);
                        memset(&entries[n], 0, sizeof(entries[n]));
                        memcpy(entries[n].id, line + 3, 32);
                        n++;
                        in_header = true;
                        continue;
                }
                if (!e) {
                        ck_assert_msg(line[0] == '#' || line[0] == '\0', "text before the first entry: '%s'",
                                      line);
                        continue;
                }
                if (in_header) {
                        if (line[0] == '\0') {
                                in_header = false;
                                continue;
                        }
                        ck_assert_msg(strchr(line, ':'), "header line without ':' in %s: '%s'", e->id, line);
                        e->subject |= startswith(line, "Subject: ") != NULL;
                        e->defined_by |= startswith(line, "Defined-By: ") != NULL;
                        e->documentation |= startswith(line, "Documentation: ") != NULL;
                        continue;
                }
                if (line[0] != '\0')
                        e->text_lines++;
        }
        return n;
}

TEST(catalog_explains_every_message_id_once)
{
        struct catalog_entry entries[2 * _EVENT_MAX];
        size_t n = parse_catalog(CATALOG_FILE, entries, ELEMENTSOF(entries));

        ck_assert_uint_eq(n, _EVENT_MAX);
        for (int i = 0; i < _EVENT_MAX; i++) {
                const char *id = journal_event_message_id(i);
                size_t found = 0;

                for (size_t j = 0; j < n; j++) {
                        if (!streq(entries[j].id, id))
                                continue;
                        found++;
                        ck_assert_msg(entries[j].subject && entries[j].defined_by &&
                                          entries[j].documentation,
                                      "catalog entry %s lacks Subject, Defined-By or Documentation", id);
                        ck_assert_msg(entries[j].text_lines >= 2, "catalog entry %s has no explanation", id);
                }
                ck_assert_msg(found == 1, "%s (%s) appears %zu times in the catalog", id,
                              journal_event_name(i), found);
        }
}
