/* The one main of every Check test executable: builds a suite for each file that registered one (see
 * test-suite.h) and runs them all. Exit 0 on success, 1 on a failure or when no test ran. (No skip path:
 * a test that needs something missing fails rather than passing unseen.) */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test-suite.h"

static struct test_file *files, **files_tail = &files;

void test_register_file(struct test_file *f)
{
        *files_tail = f;
        files_tail = &f->next;
}

/* Kept in the order of the file's lines, whatever order the constructors ran in. */
void test_file_add(struct test_file *f, struct test_entry *t)
{
        struct test_entry **p = &f->tests;

        while (*p && (*p)->ttest->line < t->ttest->line)
                p = &(*p)->next;
        t->next = *p;
        *p = t;
}

const char *test_data_dir(void)
{
        const char *d = getenv("TEST_DATA_DIR");
        return d ? d : TEST_DATA_DIR_DEFAULT;
}

static TCase *test_case_new(Suite *s, const struct test_file *f, const char *name)
{
        TCase *tc = tcase_create(name);

        if (f->timeout > 0)
                tcase_set_timeout(tc, f->timeout);
        if (f->unchecked_setup || f->unchecked_teardown)
                tcase_add_unchecked_fixture(tc, f->unchecked_setup, f->unchecked_teardown);
        if (f->checked_setup || f->checked_teardown)
                tcase_add_checked_fixture(tc, f->checked_setup, f->checked_teardown);
        suite_add_tcase(s, tc);
        return tc;
}

/* One test case per group, created where its first test stands. Check keeps no list we could search, so
 * the groups seen so far are looked up by walking the file's tests again (a file has a few dozen). */
static Suite *suite_of_file(const struct test_file *f)
{
        Suite *s = suite_create(f->suite);
        TCase *cases[64];
        const char *names[64];
        size_t n = 0;

        for (const struct test_entry *t = f->tests; t; t = t->next) {
                const char *group = t->group ?: f->suite;
                size_t i = 0;

                while (i < n && strcmp(names[i], group) != 0)
                        i++;
                if (i == n) {
                        if (n == sizeof(cases) / sizeof(cases[0])) {
                                fprintf(stderr, "%s: too many test groups\n", f->suite);
                                abort();
                        }
                        names[n] = group;
                        cases[n++] = test_case_new(s, f, group);
                }
                tcase_add_loop_test(cases[i], t->ttest, t->loop_start, t->loop_end);
        }
        return s;
}

int main(void)
{
        if (!files) {
                fprintf(stderr, "no suites registered\n");
                return 1;
        }
        SRunner *sr = srunner_create(NULL);
        for (const struct test_file *f = files; f; f = f->next)
                srunner_add_suite(sr, suite_of_file(f));
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
