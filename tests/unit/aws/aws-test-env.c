/* The environment of the AWS client's tests (see aws-test-env.h). */
#define _XOPEN_SOURCE 700
#include <check.h>
#include <ftw.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "aws-test-env.h"
#include "macro.h"

static char home[64];

void aws_test_env_clear(void)
{
        static const char *const names[] = {"AWS_ACCESS_KEY_ID",
                                            "AWS_SECRET_ACCESS_KEY",
                                            "AWS_SESSION_TOKEN",
                                            "AWS_SECURITY_TOKEN",
                                            "AWS_CREDENTIAL_EXPIRATION",
                                            "AWS_PROFILE",
                                            "AWS_DEFAULT_PROFILE",
                                            "AWS_REGION",
                                            "AWS_DEFAULT_REGION",
                                            "AWS_WEB_IDENTITY_TOKEN_FILE",
                                            "AWS_ROLE_ARN",
                                            "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
                                            "AWS_CONTAINER_CREDENTIALS_FULL_URI",
                                            "AWS_ENDPOINT_URL",
                                            "AWS_ENDPOINT_URL_RDS",
                                            "AWS_ENDPOINT_URL_BACKUP",
                                            "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS",
                                            "http_proxy",
                                            "https_proxy",
                                            "HTTPS_PROXY",
                                            "ALL_PROXY",
                                            "all_proxy"};

        for (size_t i = 0; i < ELEMENTSOF(names); i++)
                unsetenv(names[i]);
}

void aws_test_env_loopback(unsigned port)
{
        char url[64];

        aws_test_env_clear();
        snprintf(url, sizeof(url), "http://127.0.0.1:%u", port);
        setenv("AWS_ENDPOINT_URL", url, 1);
        setenv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE", 1);
        setenv("AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", 1);
        setenv("AWS_EC2_METADATA_DISABLED", "true", 1);
        setenv("AWS_CONFIG_FILE", "/nonexistent/aws-config", 1);
        setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/aws-credentials", 1);
}

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
        return remove(path);
}

static void remove_home(void)
{
        if (home[0])
                nftw(home, remove_one, 16, FTW_DEPTH | FTW_PHYS);
        home[0] = '\0';
}

const char *aws_test_env_offline(void)
{
        static bool registered;
        char none[sizeof(home) + 8];

        remove_home(); /* CK_FORK=no: the previous test's */
        snprintf(home, sizeof(home), "/tmp/aws-unit-XXXXXX");
        ck_assert_ptr_nonnull(mkdtemp(home));
        if (!registered)
                atexit(remove_home);
        registered = true;

        aws_test_env_clear();
        snprintf(none, sizeof(none), "%s/none", home);
        setenv("HOME", home, 1);
        setenv("AWS_CONFIG_FILE", none, 1);
        setenv("AWS_SHARED_CREDENTIALS_FILE", none, 1);
        setenv("AWS_EC2_METADATA_DISABLED", "true", 1);
        setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9", 1);
        return home;
}

void aws_test_env_write_file(const char *name, const char *content, char *path, size_t size)
{
        FILE *f;

        ck_assert_msg(home[0], "aws_test_env_offline() was not called");
        ck_assert_int_lt(snprintf(path, size, "%s/%s", home, name), (int)size);
        f = fopen(path, "we");
        ck_assert_ptr_nonnull(f);
        fputs(content, f);
        fclose(f);
}
