/* The client without a network: endpoint and region resolution, the awsbackup:/continuous: refusal
 * (before any I/O), the credentials providers that read only the environment and files, and the
 * credentials cache keeping old credentials when a refresh fails. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "aws-client.h"
#include "aws-credentials-providers.h"
#include "aws-rds.h"
#include "aws-test-env.h"
#include "macro.h"
#include "snapshot-origin.h"
#include "test-suite.h"
#include "time-util.h"

TEST_FILE("aws-client");

/* The endpoint of `service` in `region` when nothing names one. */
static int resolve_default_endpoint(enum aws_service service, const char *region, char **ret,
                                    struct aws_error *e)
{
        aws_test_env_offline();
        unsetenv("AWS_ENDPOINT_URL");
        return aws_endpoint_resolve(service, region, ret, e);
}

TEST(endpoint_default_is_the_regional_amazonaws_host)
{
        struct aws_error e = {};
        _cleanup_free_ char *a = NULL;

        ck_assert_int_eq(resolve_default_endpoint(AWS_SERVICE_RDS, "eu-west-1", &a, &e), 0);
        ck_assert_str_eq(a, "https://rds.eu-west-1.amazonaws.com");
}

TEST(endpoint_in_china_ends_in_amazonaws_com_cn)
{
        struct aws_error e = {};
        _cleanup_free_ char *b = NULL;

        ck_assert_int_eq(resolve_default_endpoint(AWS_SERVICE_BACKUP, "cn-north-1", &b, &e), 0);
        ck_assert_str_eq(b, "https://backup.cn-north-1.amazonaws.com.cn");
}

TEST(endpoint_refuses_a_region_that_is_not_a_name)
{
        struct aws_error e = {};
        _cleanup_free_ char *c = NULL;

        ck_assert_int_lt(resolve_default_endpoint(AWS_SERVICE_STS, "evil.example.com/", &c, &e), 0);
        ck_assert_int_eq(e.kind, AWS_ERROR_INVALID);
}

TEST(endpoint_service_variable_wins_over_global)
{
        aws_test_env_offline();
        setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:5000/", 1);
        setenv("AWS_ENDPOINT_URL_RDS", "http://localhost:6000", 1);
        struct aws_error e = {};
        _cleanup_free_ char *a = NULL, *b = NULL;
        ck_assert_int_eq(aws_endpoint_resolve(AWS_SERVICE_RDS, "us-east-1", &a, &e), 0);
        ck_assert_str_eq(a, "http://localhost:6000");
        ck_assert_int_eq(aws_endpoint_resolve(AWS_SERVICE_STS, "us-east-1", &b, &e), 0);
        ck_assert_str_eq(b, "http://127.0.0.1:5000");
}

TEST(plain_http_is_refused_off_loopback)
{
        aws_test_env_offline();
        setenv("AWS_ENDPOINT_URL", "http://rds.example.com", 1);
        struct aws_error e = {};
        _cleanup_free_ char *a = NULL;
        ck_assert_int_eq(aws_endpoint_resolve(AWS_SERVICE_RDS, "us-east-1", &a, &e), -EPROTO);
        ck_assert_str_eq(e.code, "InsecureEndpoint");
        /* A name that merely starts like a loopback address is a name, not loopback. */
        setenv("AWS_ENDPOINT_URL", "http://127.0.0.1.example.com", 1);
        ck_assert_int_eq(aws_endpoint_resolve(AWS_SERVICE_RDS, "us-east-1", &a, &e), -EPROTO);
        setenv("AWS_ENDPOINT_URL", "http://127.example.com:8080", 1);
        ck_assert_int_eq(aws_endpoint_resolve(AWS_SERVICE_RDS, "us-east-1", &a, &e), -EPROTO);
        setenv("AWS_ENDPOINT_URL", "https://rds.example.com", 1);
        ck_assert_int_eq(aws_endpoint_resolve(AWS_SERVICE_RDS, "us-east-1", &a, &e), 0);
        ck_assert_str_eq(a, "https://rds.example.com");
        a = mfree(a);
        setenv("AWS_ENDPOINT_URL", "http://[::1]:5000", 1);
        ck_assert_int_eq(aws_endpoint_resolve(AWS_SERVICE_RDS, "us-east-1", &a, &e), 0);
        a = mfree(a);
        setenv("AWS_ENDPOINT_URL", "http://127.1.2.3:5000", 1);
        ck_assert_int_eq(aws_endpoint_resolve(AWS_SERVICE_RDS, "us-east-1", &a, &e), 0);
}

/* A client made with `o` (may be NULL) has the region `expected`. */
static void assert_client_region(const struct aws_client_options *o, const char *expected)
{
        struct aws_error e = {};
        struct aws_client *c = NULL;

        ck_assert_int_eq(aws_client_new(o, &c, &e), 0);
        ck_assert_str_eq(aws_client_region(c), expected);
        aws_client_free(c);
}

TEST(no_region_anywhere_is_refused)
{
        aws_test_env_offline();
        struct aws_error e = {};
        struct aws_client *c = NULL;
        ck_assert_int_eq(aws_client_new(NULL, &c, &e), -ENXIO);
        ck_assert_str_eq(e.code, "NoRegion");
}

/* Where a client's region comes from, first to last: the option, AWS_REGION, AWS_DEFAULT_REGION, the
 * selected profile of AWS_CONFIG_FILE (NULL: not set). */
static const struct region_source {
        const char *option, *aws_region, *aws_default_region, *profile;
        const char *expected;
} region_sources[] = {
    {NULL, NULL, "eu-central-1", NULL, "eu-central-1"},              /* AWS_DEFAULT_REGION alone */
    {NULL, "eu-west-3", "eu-central-1", NULL, "eu-west-3"},          /* AWS_REGION wins over it */
    {"ap-south-1", "eu-west-3", "eu-central-1", NULL, "ap-south-1"}, /* the option wins over both */
    {NULL, NULL, NULL, "other", "sa-east-1"},                        /* the selected profile's */
};

TEST_LOOP(region_comes_from_the_first_source_that_names_one, 0, ELEMENTSOF(region_sources))
{
        const struct region_source *w = &region_sources[_i];

        aws_test_env_offline();
        if (w->profile) {
                char path[4096];
                aws_test_env_write_file("config",
                                        "[default]\nregion = us-west-1\n[profile other]\nregion=sa-east-1\n",
                                        path, sizeof(path));
                setenv("AWS_CONFIG_FILE", path, 1);
                setenv("AWS_PROFILE", w->profile, 1);
        }
        if (w->aws_default_region)
                setenv("AWS_DEFAULT_REGION", w->aws_default_region, 1);
        if (w->aws_region)
                setenv("AWS_REGION", w->aws_region, 1);
        assert_client_region(w->option ? &(struct aws_client_options){.region = w->option} : NULL,
                             w->expected);
}

TEST(delete_refuses_aws_backup_snapshots_before_any_io)
{
        aws_test_env_offline();
        setenv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE", 1);
        setenv("AWS_SECRET_ACCESS_KEY", "secret-secret-secret", 1);
        struct aws_client_options o = {.region = "us-east-1"};
        struct aws_client *c = NULL;
        struct aws_error e = {};
        ck_assert_int_eq(aws_client_new(&o, &c, &e), 0);
        const char *ids[] = {"awsbackup:job-7f1c1e2a-0000-4000-8000-000000000001",
                             "arn:aws:rds:us-east-1:123456789012:cluster-snapshot:awsbackup:job-1",
                             "continuous:cluster-abc",
                             "arn:aws:rds:us-east-1:123456789012:cluster-snapshot:continuous:cluster-abc",
                             "arn:aws:backup:us-east-1:123456789012:recovery-point:continuous:cluster-abc"};
        for (size_t i = 0; i < ELEMENTSOF(ids); i++) {
                struct rds_db_cluster_snapshot s = {};
                ck_assert_int_eq(rds_delete_db_cluster_snapshot(c, ids[i], &s, &e), -EPERM);
                ck_assert_int_eq(e.kind, AWS_ERROR_REFUSED);
                ck_assert_str_eq(e.code, "AwsBackupManagedSnapshot");
                ck_assert(!e.retryable);
                ck_assert_ptr_null(s.identifier);
        }
        /* Nothing was sent, not even a credentials lookup. */
        ck_assert_uint_eq(aws_client_stats(c)->calls[AWS_SERVICE_RDS], 0);
        ck_assert_uint_eq(aws_client_stats(c)->attempts[AWS_SERVICE_RDS], 0);
        ck_assert_uint_eq(aws_client_stats(c)->credential_refreshes, 0);
        ck_assert(!snapshot_id_deleted_only_through_backup("aba-prod-awsbackup-1"));
        ck_assert(!snapshot_id_deleted_only_through_backup("rds:prod-2019-06-20-09-16"));
        aws_client_free(c);
}

TEST(env_credentials_need_both_keys)
{
        aws_test_env_offline();
        struct aws_credentials cr = {};
        struct aws_error e = {};
        ck_assert_int_eq(aws_credentials_from_env(&cr, &e), 0);
        setenv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE", 1);
        ck_assert_int_eq(aws_credentials_from_env(&cr, &e), -EINVAL);
        setenv("AWS_SECRET_ACCESS_KEY", "s3cr3t-value-123", 1);
        setenv("AWS_SESSION_TOKEN", "token-value-123", 1);
        ck_assert_int_eq(aws_credentials_from_env(&cr, &e), 1);
        ck_assert_str_eq(cr.session_token, "token-value-123");
        ck_assert_str_eq(cr.source, "env");
        aws_credentials_done(&cr);
}

TEST(profile_static_keys_from_credentials_file)
{
        aws_test_env_offline();
        char path[4096];
        aws_test_env_write_file(
            "credentials",
            "# comment\n[default]\naws_access_key_id = AKIDDEFAULT\naws_secret_access_key = default-secret\n"
            "[ops]\naws_access_key_id=AKIDOPS\naws_secret_access_key =  ops-secret  \n",
            path, sizeof(path));
        setenv("AWS_SHARED_CREDENTIALS_FILE", path, 1);
        struct aws_credentials cr = {};
        struct aws_error e = {};
        ck_assert_int_eq(aws_credentials_from_profile(NULL, &cr, &e), 1);
        ck_assert_str_eq(cr.access_key_id, "AKIDDEFAULT");
        aws_credentials_done(&cr);
        setenv("AWS_PROFILE", "ops", 1);
        ck_assert_int_eq(aws_credentials_from_profile(NULL, &cr, &e), 1);
        ck_assert_str_eq(cr.secret_access_key, "ops-secret");
        aws_credentials_done(&cr);
        setenv("AWS_PROFILE", "missing", 1);
        ck_assert_int_eq(aws_credentials_from_profile(NULL, &cr, &e), 0);
}

TEST(container_uri_must_be_loopback_or_https)
{
        aws_test_env_offline();
        setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://192.0.2.1/creds", 1);
        struct aws_credentials cr = {};
        struct aws_error e = {};
        ck_assert_int_eq(aws_credentials_from_container(NULL, &cr, &e), -EPERM);
        ck_assert_str_eq(e.code, "InvalidContainerUri");
}

static int64_t fake_now;
static unsigned refresh_failures;

static int64_t fake_clock(void *userdata)
{
        return fake_now;
}

static void on_refresh_failed(const struct aws_error *e, void *userdata)
{
        refresh_failures++;
}

static int64_t cache_t0;

/* A client whose first credentials (AKIDFIRST) were fetched at cache_t0 (set here) and expire an hour later.
 */
static struct aws_client *cache_client(void)
{
        char exp[TIME_ISO8601_MAX];
        struct aws_client_options o = {
            .region = "us-east-1", .now = fake_clock, .credentials_refresh_failed = on_refresh_failed};
        struct aws_client *c = NULL;
        struct aws_error e = {};
        struct aws_credentials cr = {};

        aws_test_env_offline();
        cache_t0 = time_from_civil(2026, 11, 24, 9, 0, 0);
        setenv("AWS_ACCESS_KEY_ID", "AKIDFIRST", 1);
        setenv("AWS_SECRET_ACCESS_KEY", "first-secret-value", 1);
        setenv("AWS_CREDENTIAL_EXPIRATION", time_format_iso8601(cache_t0 + 3600, exp), 1);
        fake_now = cache_t0;
        refresh_failures = 0;
        ck_assert_int_eq(aws_client_new(&o, &c, &e), 0);
        ck_assert_int_eq(aws_client_credentials(c, &cr, &e), 0);
        ck_assert_str_eq(cr.access_key_id, "AKIDFIRST");
        aws_credentials_done(&cr);
        ck_assert_uint_eq(aws_client_stats(c)->credential_refreshes, 1);
        return c;
}

/* The access key id the client `c` gives at `now`. */
static void assert_credentials_at(struct aws_client *c, int64_t now, const char *access_key_id)
{
        struct aws_error e = {};
        struct aws_credentials cr = {};

        fake_now = now;
        ck_assert_int_eq(aws_client_credentials(c, &cr, &e), 0);
        ck_assert_str_eq(cr.access_key_id, access_key_id);
        aws_credentials_done(&cr);
}

TEST(cache_serves_credentials_well_before_expiry)
{
        struct aws_client *c = cache_client();

        setenv("AWS_ACCESS_KEY_ID", "AKIDSECOND", 1);
        assert_credentials_at(c, cache_t0 + 1800, "AKIDFIRST");
        aws_client_free(c);
}

TEST(cache_refreshes_within_5_minutes_of_expiry)
{
        char exp[TIME_ISO8601_MAX];
        struct aws_client *c = cache_client();

        setenv("AWS_ACCESS_KEY_ID", "AKIDSECOND", 1);
        setenv("AWS_CREDENTIAL_EXPIRATION", time_format_iso8601(cache_t0 + 7200, exp), 1);
        assert_credentials_at(c, cache_t0 + 3600 - 300, "AKIDSECOND");
        aws_client_free(c);
}

TEST(cache_keeps_old_credentials_while_valid_when_the_refresh_fails)
{
        struct aws_client *c = cache_client();

        unsetenv("AWS_ACCESS_KEY_ID");
        unsetenv("AWS_SECRET_ACCESS_KEY");
        assert_credentials_at(c, cache_t0 + 3600 - 120, "AKIDFIRST");
        ck_assert_uint_eq(refresh_failures, 1);
        aws_client_free(c);
}

TEST(expired_credentials_without_a_refresh_are_an_error_without_the_secret)
{
        struct aws_client *c = cache_client();
        struct aws_error e = {};
        struct aws_credentials cr = {};

        unsetenv("AWS_ACCESS_KEY_ID");
        unsetenv("AWS_SECRET_ACCESS_KEY");
        fake_now = cache_t0 + 3600 + 1;
        ck_assert_int_lt(aws_client_credentials(c, &cr, &e), 0);
        ck_assert_int_eq(e.kind, AWS_ERROR_CREDENTIALS);
        ck_assert_str_eq(e.code, "NoCredentials");
        ck_assert_ptr_null(strstr(e.message, "first-secret-value"));
        aws_client_free(c);
}
