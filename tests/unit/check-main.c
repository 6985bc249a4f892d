/* The one main of every Check test executable: runs every registered suite. Exit 0 on success, 1 on a
 * failure or when no test ran. (No skip path: a test that needs something missing fails rather than
 * passing unseen.) */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>

#include "test-suite.h"

#define MAX_SUITES 64

static test_suite_fn suites[MAX_SUITES];
static size_t n_suites;

void test_register_suite(test_suite_fn fn)
{
        if (n_suites >= MAX_SUITES) {
                fprintf(stderr, "too many suites, raise MAX_SUITES\n");
                abort();
        }
        suites[n_suites++] = fn;
}

const char *test_data_dir(void)
{
        const char *d = getenv("TEST_DATA_DIR");
        return d ? d : TEST_DATA_DIR_DEFAULT;
}

int main(void)
{
        if (n_suites == 0) {
                fprintf(stderr, "no suites registered\n");
                return 1;
        }
        SRunner *sr = srunner_create(suites[0]());
        for (size_t i = 1; i < n_suites; i++)
                srunner_add_suite(sr, suites[i]());
        srunner_run_all(sr, CK_ENV);
        int failed = srunner_ntests_failed(sr);
        int run = srunner_ntests_run(sr);
        srunner_free(sr);
        if (run == 0) {
                fprintf(stderr, "no test ran\n");
                return 1;
        }
        return failed == 0 ? 0 : 1;
}
