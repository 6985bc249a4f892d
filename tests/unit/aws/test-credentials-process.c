/* credential_process and credential_source without a network: the command is split as the AWS CLI
 * splits it, the answer is parsed strictly, a helper that prints garbage, fails, hangs or floods is a
 * clear error that never shows its output or its stderr, and the client runs it again before the
 * credentials expire. The helper is tests/data/aws/fake-credential-process. */
#include <check.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "aws-client.h"
#include "aws-credentials-process.h"
#include "aws-credentials-providers.h"
#include "aws-test-env.h"
#include "macro.h"
#include "strv.h"
#include "test-suite.h"
#include "time-util.h"

TEST_FILE("aws-credentials-process", .timeout = 30);

#define STDERR_MARKER "STDERR-SECRET-MARKER-0123456789"

static char helper[4096];

/* The offline environment, and where the helper is. Returns HOME. */
static const char *offline_env(void)
{
        snprintf(helper, sizeof(helper), "%s/aws/fake-credential-process", test_data_dir());
        return aws_test_env_offline();
}

/* A config file whose default profile runs the helper in `mode` with `arg`. */
static void config_with_process(const char *mode, const char *arg)
{
        char cfg[16384], path[4096];
        snprintf(cfg, sizeof(cfg), "[default]\nregion = us-east-1\ncredential_process = %s %s %s\n", helper,
                 mode, arg ?: "");
        aws_test_env_write_file("config", cfg, path, sizeof(path));
        setenv("AWS_CONFIG_FILE", path, 1);
}

static void assert_split(const char *command, const char *const *want)
{
        _cleanup_strv_free_ char **argv = NULL;
        ck_assert_int_eq(aws_credentials_process_split(command, &argv), 0);
        size_t n = 0;
        for (; want[n]; n++) {
                ck_assert_ptr_nonnull(argv[n]);
                ck_assert_str_eq(argv[n], want[n]);
        }
        ck_assert_ptr_null(argv[n]);
}

TEST(split_follows_the_aws_cli_quoting_without_a_shell)
{
        assert_split("/opt/bin/awscreds-custom --username helen",
                     (const char *[]){"/opt/bin/awscreds-custom", "--username", "helen", NULL});
        assert_split("  \"/opt/my tools/helper\"   --name \"a value\"\t--x=\"1 2\" ",
                     (const char *[]){"/opt/my tools/helper", "--name", "a value", "--x=1 2", NULL});
        /* Single quotes are literal; in double quotes only \" and \\ are escapes; nothing is expanded. */
        assert_split("h '$HOME \\n' \"a\\\"b\\\\c\\n\" ~ *.pem x\\ y",
                     (const char *[]){"h", "$HOME \\n", "a\"b\\c\\n", "~", "*.pem", "x y", NULL});
        assert_split("h ; rm -rf / | cat", (const char *[]){"h", ";", "rm", "-rf", "/", "|", "cat", NULL});
        char **argv = NULL;
        ck_assert_int_eq(aws_credentials_process_split("h \"unterminated", &argv), -EINVAL);
        ck_assert_int_eq(aws_credentials_process_split("h 'unterminated", &argv), -EINVAL);
        ck_assert_int_eq(aws_credentials_process_split("h trailing\\", &argv), -EINVAL);
        ck_assert_int_eq(aws_credentials_process_split("   ", &argv), -EINVAL);
        ck_assert_ptr_null(argv);
}

TEST(parse_takes_version_1_with_optional_token_and_expiration)
{
        const char *full =
            "{\"Version\": 1, \"AccessKeyId\": \"ASIAPROCESS\", \"SecretAccessKey\": \"proc-secret\", "
            "\"SessionToken\": \"proc-token\", \"Expiration\": \"2026-11-24T10:00:00.123Z\"}";
        struct aws_credentials cr = {};
        struct aws_error e = {};
        ck_assert_int_eq(aws_credentials_process_parse(full, strlen(full), &cr, &e), 0);
        ck_assert_str_eq(cr.access_key_id, "ASIAPROCESS");
        ck_assert_str_eq(cr.session_token, "proc-token");
        ck_assert_str_eq(cr.source, "process");
        ck_assert_int_eq(cr.expiration, time_from_civil(2026, 11, 24, 10, 0, 0));
        aws_credentials_done(&cr);

        const char *longterm = "{\"Version\": 1, \"AccessKeyId\": \"AKIDPROC\", \"SecretAccessKey\": \"s\"}";
        ck_assert_int_eq(aws_credentials_process_parse(longterm, strlen(longterm), &cr, &e), 0);
        ck_assert_ptr_null(cr.session_token);
        ck_assert_int_eq(cr.expiration, 0);
        aws_credentials_done(&cr);
}

/* `text` is refused as a credential_process answer, and the error does not quote it (it may hold a secret).
 */
static void assert_refused_unquoted(const char *text)
{
        struct aws_credentials cr = {};
        struct aws_error e = {};

        ck_assert_int_eq(aws_credentials_process_parse(text, strlen(text), &cr, &e), -EBADMSG);
        ck_assert_str_eq(e.code, "CredentialProcessOutput");
        ck_assert_int_eq(e.kind, AWS_ERROR_CREDENTIALS);
        ck_assert_ptr_null(strstr(e.message, "bad-secret-0123"));
        ck_assert_ptr_null(cr.access_key_id);
}

TEST(parse_refuses_versions_other_than_the_number_1)
{
        assert_refused_unquoted(
            "{\"Version\": 2, \"AccessKeyId\": \"AKID\", \"SecretAccessKey\": \"bad-secret-0123\"}");
        assert_refused_unquoted(
            "{\"Version\": \"1\", \"AccessKeyId\": \"AKID\", \"SecretAccessKey\": \"bad-secret-0123\"}");
}

TEST(parse_refuses_an_answer_without_an_access_key)
{
        assert_refused_unquoted("{\"Version\": 1, \"SecretAccessKey\": \"bad-secret-0123\"}");
}

TEST(parse_refuses_an_unreadable_expiration)
{
        assert_refused_unquoted(
            "{\"Version\": 1, \"AccessKeyId\": \"AKID\", \"SecretAccessKey\": \"bad-secret-0123\", "
            "\"Expiration\": \"tomorrow\"}");
}

TEST(parse_refuses_an_answer_that_is_not_an_object)
{
        assert_refused_unquoted("[\"bad-secret-0123\"]");
        assert_refused_unquoted("bad-secret-0123");
}

TEST(profile_credential_process_gives_the_helpers_credentials)
{
        offline_env();
        char answer[4096];
        aws_test_env_write_file(
            "answer.json",
            "{\"Version\": 1, \"AccessKeyId\": \"ASIAFROMHELPER\", \"SecretAccessKey\": \"helper-secret\", "
            "\"SessionToken\": \"helper-token\", \"Expiration\": \"2030-01-01T00:00:00Z\"}\n",
            answer, sizeof(answer));
        config_with_process("ok", answer);
        struct aws_credentials cr = {};
        struct aws_error e = {};
        ck_assert_int_eq(aws_credentials_from_profile(NULL, &cr, &e), 1);
        ck_assert_str_eq(cr.access_key_id, "ASIAFROMHELPER");
        ck_assert_str_eq(cr.source, "process");
        ck_assert_int_eq(cr.expiration, time_from_civil(2030, 1, 1, 0, 0, 0));
        aws_credentials_done(&cr);
}

/* Runs the helper with `args` (its mode first) as a credential_process command would, with `timeout_ms`
 * (0: the default). */
static int run_helper(const char *args, unsigned timeout_ms, struct aws_credentials *cr, struct aws_error *e)
{
        char cmd[16384];

        ck_assert_int_lt(snprintf(cmd, sizeof(cmd), "%s %s", helper, args), (int)sizeof(cmd));
        return aws_credentials_process_run(cmd, timeout_ms, cr, e);
}

TEST(quoted_arguments_reach_the_helper_as_single_words)
{
        offline_env();
        struct aws_credentials cr = {};
        struct aws_error e = {};

        ck_assert_int_eq(run_helper("args \"two words\" plain 'single quoted'", 0, &cr, &e), 1);
        ck_assert_str_eq(cr.access_key_id, "3:two words|plain|single quoted|");
        aws_credentials_done(&cr);
}

TEST(helper_printing_garbage_is_a_clear_error_that_does_not_quote_it)
{
        offline_env();
        config_with_process("garbage", NULL);
        struct aws_credentials cr = {};
        struct aws_error e = {};
        ck_assert_int_eq(aws_credentials_from_profile(NULL, &cr, &e), -EBADMSG);
        ck_assert_str_eq(e.code, "CredentialProcessOutput");
        ck_assert_ptr_nonnull(strstr(e.message, "not a JSON object"));
        ck_assert_ptr_null(strstr(e.message, "GARBAGE-SECRET"));
        ck_assert_ptr_null(strstr(e.message, STDERR_MARKER));
}

TEST(helper_exiting_non_zero_names_the_status_never_its_stderr)
{
        offline_env();
        config_with_process("fail", "--password hunter2-0123456789");
        struct aws_credentials cr = {};
        struct aws_error e = {};
        ck_assert_int_eq(aws_credentials_from_profile(NULL, &cr, &e), -EIO);
        ck_assert_str_eq(e.code, "CredentialProcessFailed");
        ck_assert_int_eq(e.kind, AWS_ERROR_CREDENTIALS);
        ck_assert_ptr_nonnull(strstr(e.message, "exited with status 3"));
        ck_assert_ptr_nonnull(strstr(e.message, helper));
        ck_assert_ptr_null(strstr(e.message, STDERR_MARKER));
        ck_assert_ptr_null(strstr(e.message, "hunter2")); /* arguments may be secrets too */
}

TEST(missing_helper_is_a_clear_error)
{
        offline_env();
        struct aws_credentials cr = {};
        struct aws_error e = {};
        ck_assert_int_eq(aws_credentials_process_run("/nonexistent/credential-helper --x", 0, &cr, &e),
                         -ENOENT);
        ck_assert_str_eq(e.code, "CredentialProcessFailed");
        ck_assert_ptr_nonnull(strstr(e.message, "/nonexistent/credential-helper cannot be run"));
}

static bool process_is_gone(pid_t pid)
{
        char path[64], stat[512] = "";
        snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
        FILE *f = fopen(path, "re");
        if (!f)
                return true;
        bool zombie = fgets(stat, sizeof(stat), f) && strstr(stat, ") Z ");
        fclose(f);
        return zombie;
}

TEST(hanging_helper_and_its_children_are_killed_at_the_timeout)
{
        char args[4096 + 8], pidfile[4096];
        snprintf(pidfile, sizeof(pidfile), "%s/pid", offline_env());
        snprintf(args, sizeof(args), "hang %s", pidfile);
        struct aws_credentials cr = {};
        struct aws_error e = {};
        struct timespec t0, t1;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        ck_assert_int_eq(run_helper(args, 300, &cr, &e), -ETIME);
        clock_gettime(CLOCK_MONOTONIC, &t1);
        ck_assert_str_eq(e.code, "CredentialProcessTimeout");
        ck_assert_ptr_nonnull(strstr(e.message, "did not finish within 300 ms"));
        ck_assert_int_lt(t1.tv_sec - t0.tv_sec, 5);
        FILE *f = fopen(pidfile, "re");
        ck_assert_ptr_nonnull(f);
        int child = 0;
        ck_assert_int_eq(fscanf(f, "%d", &child), 1);
        fclose(f);
        /* The grandchild was in the helper's process group: killed too (at most a zombie until reaped). */
        for (int i = 0; i < 100 && !process_is_gone(child); i++)
                nanosleep(&(struct timespec){.tv_nsec = 10 * 1000 * 1000}, NULL);
        ck_assert(process_is_gone(child));
}

TEST(helper_flooding_stdout_is_cut_off)
{
        offline_env();
        struct aws_credentials cr = {};
        struct aws_error e = {};

        ck_assert_int_eq(run_helper("big", 0, &cr, &e), -EFBIG);
        ck_assert_str_eq(e.code, "CredentialProcessOutput");
}

static int64_t fake_now;

static int64_t fake_clock(void *userdata)
{
        return fake_now;
}

TEST(client_runs_the_helper_again_before_expiration)
{
        offline_env();
        int64_t t0 = time_from_civil(2026, 11, 24, 9, 0, 0);
        char answer[4096], json[512], exp[TIME_ISO8601_MAX];
        snprintf(json, sizeof(json),
                 "{\"Version\": 1, \"AccessKeyId\": \"ASIAFIRST\", \"SecretAccessKey\": \"s1\", "
                 "\"SessionToken\": \"t1\", \"Expiration\": \"%s\"}",
                 time_format_iso8601(t0 + 3600, exp));
        aws_test_env_write_file("answer.json", json, answer, sizeof(answer));
        config_with_process("ok", answer);
        fake_now = t0;
        struct aws_client_options o = {.region = "us-east-1", .now = fake_clock};
        struct aws_client *c = NULL;
        struct aws_error e = {};
        struct aws_credentials cr = {};
        ck_assert_int_eq(aws_client_new(&o, &c, &e), 0);
        ck_assert_int_eq(aws_client_credentials(c, &cr, &e), 0);
        ck_assert_str_eq(cr.access_key_id, "ASIAFIRST");
        ck_assert_str_eq(cr.source, "process");
        aws_credentials_done(&cr);

        /* Half way: the cache answers, the helper is not run. */
        snprintf(json, sizeof(json),
                 "{\"Version\": 1, \"AccessKeyId\": \"ASIASECOND\", \"SecretAccessKey\": \"s2\", "
                 "\"SessionToken\": \"t2\", \"Expiration\": \"%s\"}",
                 time_format_iso8601(t0 + 7200, exp));
        aws_test_env_write_file("answer.json", json, answer, sizeof(answer));
        fake_now = t0 + 1800;
        ck_assert_int_eq(aws_client_credentials(c, &cr, &e), 0);
        ck_assert_str_eq(cr.access_key_id, "ASIAFIRST");
        aws_credentials_done(&cr);
        ck_assert_uint_eq(aws_client_stats(c)->credential_refreshes, 1);

        /* Five minutes before Expiration: run again. */
        fake_now = t0 + 3600 - 300;
        ck_assert_int_eq(aws_client_credentials(c, &cr, &e), 0);
        ck_assert_str_eq(cr.access_key_id, "ASIASECOND");
        aws_credentials_done(&cr);
        ck_assert_uint_eq(aws_client_stats(c)->credential_refreshes, 2);
        aws_client_free(c);
}

static void config_text(const char *text)
{
        char path[4096];
        aws_test_env_write_file("config", text, path, sizeof(path));
        setenv("AWS_CONFIG_FILE", path, 1);
}

/* The profile `config` is refused as invalid (-EINVAL); the error is left in *e. */
static void assert_profile_refused(const char *config, struct aws_error *e)
{
        struct aws_credentials cr = {};

        offline_env();
        config_text(config);
        ck_assert_int_eq(aws_credentials_from_profile(NULL, &cr, e), -EINVAL);
}

TEST(credential_source_must_be_one_of_the_three)
{
        struct aws_error e = {};

        assert_profile_refused(
            "[default]\nrole_arn = arn:aws:iam::123456789012:role/r\ncredential_source = Ec2Metadata\n", &e);
        ck_assert_str_eq(e.code, "InvalidCredentialSource");
}

TEST(credential_source_is_refused_with_source_profile)
{
        struct aws_error e = {};

        assert_profile_refused(
            "[default]\nrole_arn = arn:aws:iam::123456789012:role/r\ncredential_source = Environment\n"
            "source_profile = base\n[profile base]\naws_access_key_id = A\naws_secret_access_key = B\n",
            &e);
        ck_assert_str_eq(e.code, "InvalidProfile");
}

TEST(role_arn_without_a_source_is_refused)
{
        struct aws_error e = {};

        assert_profile_refused("[default]\nrole_arn = arn:aws:iam::123456789012:role/r\n", &e);
        ck_assert_ptr_nonnull(strstr(e.message, "without source_profile or credential_source"));
}

TEST(credential_source_with_nothing_there_says_what_is_missing)
{
        offline_env();
        struct aws_credentials cr = {};
        struct aws_error e = {};
        config_text(
            "[default]\nrole_arn = arn:aws:iam::123456789012:role/r\ncredential_source = Environment\n");
        ck_assert_int_eq(aws_credentials_from_profile(NULL, &cr, &e), -ENOKEY);
        ck_assert_ptr_nonnull(strstr(e.message, "AWS_ACCESS_KEY_ID is not set"));
        config_text("[default]\nrole_arn = arn:aws:iam::123456789012:role/r\ncredential_source = "
                    "Ec2InstanceMetadata\n");
        ck_assert_int_eq(aws_credentials_from_profile(NULL, &cr, &e), -ENOKEY);
        ck_assert_ptr_nonnull(strstr(e.message, "instance metadata is disabled"));
        config_text(
            "[default]\nrole_arn = arn:aws:iam::123456789012:role/r\ncredential_source = EcsContainer\n");
        ck_assert_int_eq(aws_credentials_from_profile(NULL, &cr, &e), -ENOKEY);
        ck_assert_ptr_nonnull(strstr(e.message, "no container credentials URI"));
}
