/* Temporary directories for the agent's unit tests, under $TMPDIR (or /tmp), removed afterwards. */
#define _XOPEN_SOURCE 700
#include <check.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "test-helpers.h"

static char base[PATH_MAX];

void test_tmp_base_setup(void)
{
        const char *tmp = getenv("TMPDIR");

        snprintf(base, sizeof(base), "%s/aba-test-XXXXXX", tmp && *tmp ? tmp : "/tmp");
        if (!mkdtemp(base)) {
                perror("mkdtemp");
                abort();
        }
}

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
        return remove(path);
}

void test_tmp_base_teardown(void)
{
        if (base[0])
                nftw(base, remove_one, 16, FTW_DEPTH | FTW_PHYS);
        base[0] = '\0';
}

const char *test_tmp_dir(char *buf, size_t size)
{
        ck_assert_msg(base[0], "test_tmp_base_setup() was not run");
        ck_assert_int_lt(snprintf(buf, size, "%s/t-XXXXXX", base), (int)size);
        ck_assert_ptr_nonnull(mkdtemp(buf));
        return buf;
}
