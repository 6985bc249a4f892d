/* config_load(): defaults, values, policies.d, and how errors are reported. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "agent-config.h"
#include "config-policy.h"
#include "config-test-util.h"
#include "strv.h"
#include "test-suite.h"
#include "time-util.h"

TEST_FILE("config-load");

#define MINIMAL_POLICY "{ name = \"p\"; clusters = [ \"p-*\" ]; retention = { daily = 7; }; }"

/* config_load() rejects `path` with `n` diagnostics, returned in *d. */
static void load_rejected(const char *path, size_t n, struct config_diags *d)
{
        struct agent_config *c = NULL;

        ck_assert_int_eq(config_load(path, &c, d), -EINVAL);
        ck_assert_ptr_null(c);
        ck_assert_uint_eq(d->n, n);
}

/* A diagnostic's place: its line and the setting's path. */
struct diag_at {
        unsigned line;
        const char *setting;
};

/* config_load() rejects `path` with exactly the diagnostics `want`, in that order. */
static void assert_rejected_at(const char *path, const struct diag_at *want, size_t n)
{
        struct config_diags d = {};

        load_rejected(path, n, &d);
        for (size_t i = 0; i < n; i++) {
                ck_assert_uint_eq(d.items[i].line, want[i].line);
                ck_assert_str_eq(d.items[i].setting, want[i].setting);
        }
        config_diags_clear(&d);
}

/* A config of `text` alone (agent.conf in a scratch directory) is rejected with exactly `want`. */
static void assert_text_rejected_at(const char *text, const struct diag_at *want, size_t n)
{
        char *dir = scratch_new();
        _cleanup_free_ char *main = scratch_write(dir, "agent.conf", text);

        assert_rejected_at(main, want, n);
        scratch_remove(dir);
}

/* A config of `text` alone, which must load. */
static struct agent_config *load_text_ok(const char *text)
{
        char *dir = scratch_new();
        _cleanup_free_ char *main = scratch_write(dir, "agent.conf", text);
        struct agent_config *c = load_ok(main);

        scratch_remove(dir);
        return c;
}

/* The path of `name` in the policies.d of `dir`, which then exists (with a README in it). */
static char *policies_d_path(const char *dir, const char *name)
{
        char *path = NULL;

        free(scratch_write(dir, "policies.d/README", "x"));
        ck_assert_int_ge(asprintf(&path, "%s/policies.d/%s", dir, name), 0);
        return path;
}

static char *data_path(const char *rel)
{
        char *p = NULL;
        ck_assert_int_ge(asprintf(&p, "%s/config/%s", test_data_dir(), rel), 0);
        return p;
}

TEST_IN("values", minimal_example_gets_the_documented_defaults)
{
        _cleanup_(agent_config_freep) struct agent_config *c = load_ok(CONFIG_EXAMPLES_DIR "/minimal.conf");
        const struct policy *p;

        ck_assert_str_eq(c->path, CONFIG_EXAMPLES_DIR "/minimal.conf");
        ck_assert_str_eq(c->agent.region, "eu-west-1");
        ck_assert_ptr_null(c->agent.state_directory);
        ck_assert_int_eq(c->agent.reconcile_interval_sec, CONFIG_DEFAULT_RECONCILE_INTERVAL_SEC);
        ck_assert(!c->agent.dry_run);
        ck_assert_str_eq(c->agent.snapshot_prefix, CONFIG_DEFAULT_SNAPSHOT_PREFIX);
        ck_assert_ptr_null(c->agent.ca_bundle);
        ck_assert_int_eq(c->agent.connect_timeout_sec, CONFIG_DEFAULT_CONNECT_TIMEOUT_SEC);
        ck_assert_int_eq(c->agent.request_timeout_sec, CONFIG_DEFAULT_REQUEST_TIMEOUT_SEC);
        ck_assert_ptr_null(c->agent.prometheus_textfile);
        ck_assert_uint_eq(c->agent.shard_count, 0);
        ck_assert_str_eq(c->agent.control_socket, CONFIG_DEFAULT_CONTROL_SOCKET);
        ck_assert_str_eq(c->agent.control_group, CONFIG_DEFAULT_CONTROL_GROUP);

        ck_assert_uint_eq(c->n_policies, 1);
        p = &c->policies[0];
        ck_assert_str_eq(p->name, "prod");
        ck_assert_str_eq(p->file, CONFIG_EXAMPLES_DIR "/minimal.conf");
        ck_assert_uint_gt(p->line, 0);
        ck_assert_ptr_null(p->region);
        ck_assert_int_eq(p->every.kind, SCHEDULE_DAILY);
        ck_assert(p->window_from_cluster);
        ck_assert_uint_eq(p->quota_limit, 0); /* the account's */
        ck_assert_uint_eq(p->quota_reserve, CONFIG_DEFAULT_QUOTA_RESERVE);
        ck_assert_uint_eq(p->retention.daily, 7);
        ck_assert_uint_eq(p->retention.weekly, 4);
        ck_assert_uint_eq(p->retention.min_keep, 3);
        ck_assert_uint_eq(p->retention.keep_last, 0);
        ck_assert_int_eq(p->retention.max_age_sec, 0);
        ck_assert(!p->aws_backup_manage);
        ck_assert_uint_eq(p->n_copies, 0);
        ck_assert_ptr_null(p->share.accounts);
        ck_assert(!p->export_.enabled);
        ck_assert(!p->restore_test.enabled);
        ck_assert_ptr_null(p->assume_role.role_arn);
        ck_assert_int_eq(p->check_warning_sec, 36 * SEC_PER_HOUR);
        ck_assert_int_eq(p->check_critical_sec, 60 * SEC_PER_HOUR);
}

TEST_IN("values", full_example_sets_every_field)
{
        _cleanup_(agent_config_freep) struct agent_config *c = load_ok(CONFIG_EXAMPLES_DIR "/full.conf");
        const struct policy *p, *q;

        ck_assert_str_eq(c->agent.state_directory, "/var/lib/aurora-backup");
        ck_assert_str_eq(c->agent.ca_bundle, "/etc/ssl/certs/ca-certificates.crt");
        ck_assert_str_eq(c->agent.prometheus_textfile,
                         "/var/lib/prometheus/node-exporter/aurora-backup.prom");
        ck_assert_uint_eq(c->agent.shard_index, 1);
        ck_assert_uint_eq(c->agent.shard_count, 1);

        ck_assert_uint_eq(c->n_policies, 2);
        p = &c->policies[0];
        ck_assert_uint_eq(strv_length(p->clusters), 2);
        ck_assert_str_eq(p->clusters[1], "billing-[ab]");
        ck_assert_uint_eq(p->n_match_tags, 2);
        ck_assert_str_eq(p->match_tags[0].key, "env");
        ck_assert_str_eq(p->match_tags[0].value, "production");
        ck_assert_str_eq(p->region, "eu-west-1");
        ck_assert(!p->window_from_cluster);
        ck_assert_int_eq(p->window.start_min, 120);
        ck_assert_int_eq(p->window.end_min, 180);
        ck_assert_uint_eq(p->retention.keep_last, 7);
        ck_assert_uint_eq(p->retention.yearly, 3);
        ck_assert_int_eq(p->retention.keep_within_sec, 2 * SEC_PER_DAY);
        ck_assert_int_eq(p->retention.max_age_sec, 400 * SEC_PER_DAY);
        ck_assert(p->aws_backup_manage);
        ck_assert_int_eq(p->aws_backup_retention.max_age_sec, 35 * SEC_PER_DAY);
        ck_assert_uint_eq(p->aws_backup_retention.keep_last, 2);
        ck_assert_uint_eq(p->n_copies, 1);
        ck_assert_str_eq(p->copies[0].region, "us-west-2");
        ck_assert_ptr_nonnull(strstr(p->copies[0].kms_key, ":us-west-2:"));
        ck_assert(p->copies[0].copy_tags);
        ck_assert_uint_eq(p->copies[0].retention.daily, 7);
        ck_assert_uint_eq(p->copies[0].retention.monthly, 0);
        ck_assert_str_eq(p->share.accounts[0], "210987654321");
        ck_assert_ptr_nonnull(p->share.kms_key);
        ck_assert(p->export_.enabled);
        ck_assert_str_eq(p->export_.bucket, "prod-exports");
        ck_assert_str_eq(p->export_.prefix, "aurora/");
        ck_assert_str_eq(p->export_.iam_role, "arn:aws:iam::123456789012:role/rds-s3-export");
        ck_assert_int_eq(p->export_.every.kind, SCHEDULE_MONTHLY);
        ck_assert_int_eq(p->export_.every.mday, 1);
        ck_assert(p->restore_test.enabled);
        ck_assert_int_eq(p->restore_test.every.mday, 15);
        ck_assert_str_eq(p->restore_test.instance_class, "db.r6g.large");
        ck_assert_uint_eq(p->restore_test.keep_minutes, 30);
        ck_assert_ptr_nonnull(p->restore_test.probe_command);
        ck_assert_str_eq(p->assume_role.external_id, "aurora-backup-prod");
        ck_assert_int_eq(p->check_warning_sec, 36 * SEC_PER_HOUR);

        q = &c->policies[1];
        ck_assert_uint_eq(q->index, 1);
        ck_assert_ptr_null(q->clusters);
        ck_assert_str_eq(q->match_tags[0].key, "aws:cloudformation:stack-name");
        ck_assert_int_eq(q->every.kind, SCHEDULE_INTERVAL);
        ck_assert_int_eq(q->every.interval_sec, 6 * SEC_PER_HOUR);
        ck_assert_int_eq(q->window.start_min, 23 * 60 + 30);
        ck_assert_int_eq(q->window.end_min, 30);
        /* thresholds follow the schedule: 1.5 and 2.5 intervals */
        ck_assert_int_eq(q->check_warning_sec, 9 * SEC_PER_HOUR);
        ck_assert_int_eq(q->check_critical_sec, 15 * SEC_PER_HOUR);
}

TEST_IN("values", policies_d_files_follow_the_main_file_in_name_order)
{
        _cleanup_free_ char *path = data_path("good/layout/agent.conf");
        _cleanup_(agent_config_freep) struct agent_config *c = load_ok(path);
        static const char *const names[] = {"main", "analytics", "billing", "billing-archive"};
        static const unsigned indexes[] = {0, 0, 0, 1};

        ck_assert_uint_eq(c->n_policies, ELEMENTSOF(names));
        for (size_t i = 0; i < ELEMENTSOF(names); i++) {
                ck_assert_str_eq(c->policies[i].name, names[i]);
                ck_assert_uint_eq(c->policies[i].index, indexes[i]);
        }
        ck_assert_ptr_nonnull(strstr(c->policies[1].file, "/policies.d/10-analytics.conf"));
        ck_assert_ptr_nonnull(strstr(c->policies[3].file, "/policies.d/20-billing.conf"));
        ck_assert_uint_eq(c->agent.shard_index, 2);
        ck_assert_uint_eq(c->agent.shard_count, 4);
}

TEST_IN("values", hidden_and_non_conf_files_in_policies_d_are_not_read)
{
        char *dir = scratch_new();
        _cleanup_free_ char *main = scratch_write(dir, "agent.conf", "policies = ( " MINIMAL_POLICY " );\n");
        free(scratch_write(dir, "policies.d/.editing.conf", "not libconfig at all"));
        free(scratch_write(dir, "policies.d/old.conf.bak", "not libconfig at all"));
        free(scratch_write(dir, "policies.d/notes.txt", "not libconfig at all"));
        struct agent_config *c = load_ok(main);
        ck_assert_uint_eq(c->n_policies, 1);
        agent_config_free(c);
        scratch_remove(dir);
}

TEST_IN("errors", missing_main_file_returns_enoent_and_names_the_file)
{
        struct agent_config *c = (struct agent_config *)0x1;
        struct config_diags d = {};

        ck_assert_int_eq(config_load("/nonexistent/aba/agent.conf", &c, &d), -ENOENT);
        ck_assert_ptr_eq(c, (struct agent_config *)0x1);
        ck_assert_uint_eq(d.n, 1);
        ck_assert_str_eq(d.items[0].file, "/nonexistent/aba/agent.conf");
        ck_assert_uint_eq(d.items[0].line, 0);
        config_diags_clear(&d);
        ck_assert_uint_eq(d.n, 0);
        ck_assert_ptr_null(d.items);
}

TEST_IN("errors", invalid_config_leaves_the_output_untouched)
{
        _cleanup_free_ char *path = data_path("bad/range-negative-count.conf");
        struct agent_config *c = (struct agent_config *)0x1;
        struct config_diags d = {};

        ck_assert_int_eq(config_load(path, &c, &d), -EINVAL);
        ck_assert_ptr_eq(c, (struct agent_config *)0x1);
        ck_assert_uint_eq(d.n, 1);
        config_diags_clear(&d);
}

TEST_IN("errors", control_socket_and_group_are_checked_at_their_lines)
{
        static const struct diag_at want[] = {
            {2, "agent.control_socket"}, {3, "agent.control_group"}, {6, "policies.[0].check.rpo_warning"}};

        assert_text_rejected_at(
            "agent: {\n"                            /* 1 */
            "  control_socket = \"run/control\";\n" /* 2 */
            "  control_group = \"1ops\";\n"         /* 3 */
            "};\n"
            "policies = ( { name = \"a\"; clusters = [ \"a-*\" ]; retention = { daily = 1; };\n"
            "  check = { rpo_warning = \"1m\"; }; } );\n", /* 6 */
            want, ELEMENTSOF(want));
        _cleanup_(agent_config_freep) struct agent_config *c =
            load_text_ok("agent: { control_socket = \"/run/aba/ctl\"; control_group = \"backup-ops\"; };\n"
                         "policies = ( { name = \"a\"; clusters = [ \"a-*\" ]; retention = { daily = 1; };\n"
                         "  check = { rpo_warning = \"30m\"; }; } );\n");
        ck_assert_str_eq(c->agent.control_socket, "/run/aba/ctl");
        ck_assert_str_eq(c->agent.control_group, "backup-ops");
        ck_assert_int_eq(c->policies[0].check_rpo_warning_sec, 30 * 60);
}

TEST_IN("errors", sns_topic_is_checked_at_its_line)
{
        assert_text_rejected_at(
            "agent: {\n"                                                          /* 1 */
            "  sns_topic = \"arn:aws:sns:eu-west-1:123456789012:alerts.fifo\";\n" /* 2 */
            "};\n"
            "policies = ( { name = \"a\"; clusters = [ \"a-*\" ]; retention = { daily = 1; }; } );\n",
            &(const struct diag_at){2, "agent.sns_topic"}, 1);
        _cleanup_(agent_config_freep) struct agent_config *c = load_text_ok(
            "agent: { sns_topic = \"arn:aws:sns:eu-west-1:123456789012:alerts\"; };\n"
            "policies = ( { name = \"a\"; clusters = [ \"a-*\" ]; retention = { daily = 1; }; } );\n");
        ck_assert_str_eq(c->agent.sns_topic, "arn:aws:sns:eu-west-1:123456789012:alerts");
}

TEST_IN("errors", one_pass_reports_every_error_in_file_order)
{
        static const struct diag_at want[] = {
            {1, "agent.reconcile_interval"},    {5, "policies.[0].retention.daily"},
            {6, "policies.[0].schedule.every"}, {7, "policies.[1].name"},
            {10, "policies.[1].retenion"},
        };

        assert_text_rejected_at("agent: { reconcile_interval = \"15x\"; };\n"  /* 1 */
                                "policies = (\n"                               /* 2 */
                                "  { name = \"a\";\n"                          /* 3 */
                                "    clusters = [ \"a-*\" ];\n"                /* 4 */
                                "    retention = { daily = -1; };\n"           /* 5 */
                                "    schedule = { every = \"hourly\"; }; },\n" /* 6 */
                                "  { name = \"a\";\n"                          /* 7 */
                                "    clusters = [ \"b-*\" ];\n"                /* 8 */
                                "    retention = { daily = 1; };\n"            /* 9 */
                                "    retenion = { }; }\n"                      /* 10 */
                                ");\n",
                                want, ELEMENTSOF(want));
}

TEST_IN("errors", policies_d_is_checked_even_when_the_main_file_does_not_parse)
{
        char *dir = scratch_new();
        _cleanup_free_ char *main = scratch_write(dir, "agent.conf", "agent: {\n");
        free(scratch_write(
            dir, "policies.d/10-a.conf",
            "policies = ( { name = \"a\"; clusters = [ \"a-*\" ]; retention = { daily = -2; }; } );\n"));
        struct config_diags d = {};

        load_rejected(main, 2, &d);
        ck_assert_str_eq(d.items[0].file, main);
        ck_assert_ptr_nonnull(strstr(d.items[1].file, "policies.d/10-a.conf"));
        ck_assert_str_eq(d.items[1].setting, "policies.[0].retention.daily");
        config_diags_clear(&d);
        scratch_remove(dir);
}

TEST_IN("errors", duplicate_name_across_files_is_reported_on_the_later_file)
{
        char *dir = scratch_new();
        _cleanup_free_ char *main = scratch_write(dir, "agent.conf", "policies = ( " MINIMAL_POLICY " );\n");
        _cleanup_free_ char *second = scratch_write(
            dir, "policies.d/20-p.conf",
            "policies = (\n  { name = \"p\"; clusters = [ \"q-*\" ]; retention = { daily = 7; }; }\n);\n");
        struct config_diags d = {};

        load_rejected(main, 1, &d);
        ck_assert_str_eq(d.items[0].file, second);
        ck_assert_uint_eq(d.items[0].line, 2);
        ck_assert_str_eq(d.items[0].setting, "policies.[0].name");
        ck_assert_ptr_nonnull(strstr(d.items[0].message, main));
        config_diags_clear(&d);
        scratch_remove(dir);
}

TEST_IN("errors", diags_print_as_file_line_setting_message)
{
        struct config_diags d = {
            .n = 3,
            .items =
                (struct config_diag[]){
                    {.file = (char *)"a.conf",
                     .line = 7,
                     .setting = (char *)"policies.[0].retention.daily",
                     .message = (char *)"bad"},
                    {.file = (char *)"a.conf",
                     .line = 2,
                     .setting = NULL,
                     .message = (char *)"syntax error"},
                    {.file = (char *)"b.conf", .line = 0, .setting = NULL, .message = (char *)"cannot read"},
                },
        };
        char *buf = NULL;
        size_t size = 0;
        FILE *f = open_memstream(&buf, &size);

        ck_assert_ptr_nonnull(f);
        config_diags_print(&d, f);
        fclose(f);
        ck_assert_str_eq(buf, "a.conf:7: policies.[0].retention.daily: bad\n"
                              "a.conf:2: syntax error\n"
                              "b.conf: cannot read\n");
        free(buf);
}

TEST_IN("values", copy_without_retention_keeps_what_the_policy_keeps)
{
        _cleanup_(agent_config_freep) struct agent_config *c =
            load_text_ok("agent: { region = \"eu-west-1\"; };\n"
                         "policies = ( { name = \"p\"; clusters = [ \"p-*\" ];\n"
                         "  retention = { daily = 9; weekly = 3; };\n"
                         "  copy = ( { region = \"us-east-1\"; }, { region = "
                         "\"us-west-2\"; retention = { monthly = 2; }; } );\n"
                         "} );\n");
        const struct policy *p = &c->policies[0];

        ck_assert_uint_eq(p->n_copies, 2);
        ck_assert_uint_eq(p->copies[0].retention.daily, 9);
        ck_assert_uint_eq(p->copies[0].retention.weekly, 3);
        ck_assert(p->copies[0].copy_tags);
        ck_assert_ptr_null(p->copies[0].kms_key);
        ck_assert_uint_eq(p->copies[1].retention.daily, 0);
        ck_assert_uint_eq(p->copies[1].retention.monthly, 2);
        ck_assert_uint_eq(p->copies[1].line, 4);
}

/* A main file that config_load() refuses whole: one diagnostic, of that file, at the line of its fault. */
static const struct refused_file {
        const char *text;
        size_t len;                       /* 0: up to the first NUL */
        const char *beside, *beside_text; /* a file written next to it (NULL: none) */
        unsigned line;
        const char *message; /* a part of the diagnostic's message (NULL: not checked) */
} refused_files[] = {
    /* A syntax error, at libconfig's file and line. */
    {"agent: {\n  region = \"eu-west-1\";\n  x = ;\n};\n", 0, NULL, NULL, 3, "syntax error"},
    /* An include directive, at its line: policies.d is the way to split a config. */
    {"# settings\n  @include \"agent-settings.inc\"\n", 0, "agent-settings.inc",
     "agent: { region = \"sa-east-1\"; };\n", 2, "policies.d"},
    /* An include of a directory, without reaching libconfig (libconfig 1.5 would exit the process). */
    {"@include \"policies.d\"\n", 0, "policies.d/README", "x", 1, NULL},
    /* A NUL byte. */
    {"agent: {};\n\0policies = ();\n", 26, NULL, NULL, 2, "NUL"},
};

TEST_LOOP_IN("errors", file_is_refused_at_the_line_of_its_fault, 0, ELEMENTSOF(refused_files))
{
        const struct refused_file *w = &refused_files[_i];
        char *dir = scratch_new();
        _cleanup_free_ char *main = scratch_write_len(dir, "agent.conf", w->text, w->len ?: strlen(w->text));
        struct config_diags d = {};

        if (w->beside)
                free(scratch_write(dir, w->beside, w->beside_text));
        load_rejected(main, 1, &d);
        ck_assert_str_eq(d.items[0].file, main);
        ck_assert_uint_eq(d.items[0].line, w->line);
        ck_assert_ptr_null(d.items[0].setting);
        if (w->message)
                ck_assert_ptr_nonnull(strstr(d.items[0].message, w->message));
        config_diags_clear(&d);
        scratch_remove(dir);
}

TEST_IN("values", empty_file_is_a_valid_config_with_no_policies)
{
        _cleanup_(agent_config_freep) struct agent_config *c = load_text_ok("# nothing yet\n");
        ck_assert_uint_eq(c->n_policies, 0);
        ck_assert_str_eq(c->agent.snapshot_prefix, "aba");
}

TEST_IN("values", policy_region_falls_back_to_the_agent_region)
{
        _cleanup_(agent_config_freep) struct agent_config *c =
            load_text_ok("agent: { region = \"eu-west-1\"; };\n"
                         "policies = ( " MINIMAL_POLICY ",\n"
                         "  { name = \"q\"; clusters = [ \"p-*\" ]; region = "
                         "\"eu-north-1\"; retention = { daily = 7; }; } );\n");
        ck_assert_str_eq(policy_region(&c->policies[0], &c->agent), "eu-west-1");
        ck_assert_str_eq(policy_region(&c->policies[1], &c->agent), "eu-north-1");
}

/* A policies.d entry `name` that is no regular file, made by make(path, mode), rejects the config with one
 * diagnostic naming that entry (and saying `message`, where given). */
static void assert_policies_d_entry_refused(const char *name, int (*make)(const char *, mode_t), mode_t mode,
                                            const char *message)
{
        char *dir = scratch_new();
        _cleanup_free_ char *main = scratch_write(dir, "agent.conf", "");
        _cleanup_free_ char *entry = policies_d_path(dir, name);
        ck_assert_int_eq(make(entry, mode), 0);
        struct config_diags d = {};

        load_rejected(main, 1, &d);
        ck_assert_str_eq(d.items[0].file, entry);
        if (message)
                ck_assert_ptr_nonnull(strstr(d.items[0].message, message));
        config_diags_clear(&d);
        scratch_remove(dir);
}

TEST_IN("errors", directory_named_like_a_policy_file_is_an_error)
{
        assert_policies_d_entry_refused("10-dir.conf", mkdir, 0755, NULL);
}

TEST_IN("errors", unknown_setting_without_a_close_name_gets_no_suggestion)
{
        char *dir = scratch_new();
        _cleanup_free_ char *main = scratch_write(dir, "agent.conf", "policy = ();\nbananas = 1;\n");
        struct config_diags d = {};

        load_rejected(main, 2, &d);
        ck_assert_ptr_nonnull(strstr(d.items[0].message, "did you mean \"policies\""));
        ck_assert_ptr_null(strstr(d.items[1].message, "did you mean"));
        ck_assert_ptr_nonnull(strstr(d.items[1].message, "valid here: agent, policies"));
        config_diags_clear(&d);
        scratch_remove(dir);
}

TEST_IN("errors", fifo_in_policies_d_is_refused_without_blocking)
{
        assert_policies_d_entry_refused("10-fifo.conf", mkfifo, 0600, "not a regular file");
}

TEST_IN("errors", unknown_setting_suggests_the_closest_name)
{
        _cleanup_free_ char *path = data_path("bad/unknown-policy-setting.conf");
        struct config_diags d = {};

        load_rejected(path, 1, &d);
        ck_assert_ptr_nonnull(strstr(d.items[0].message, "did you mean \"retention\""));
        config_diags_clear(&d);
}
