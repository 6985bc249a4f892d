/* Check tests register themselves: a file names its suite once with TEST_FILE(), then each TEST() adds
 * itself to it, so a test cannot be written and forgotten. One main (check-main.c) per test executable
 * builds every registered suite and runs them all. */
#pragma once

#include <check.h>
#include <stddef.h>

struct test_entry {
        const TTest *ttest;
        const char *group; /* the Check test case it belongs to; NULL: the suite's own */
        int loop_start, loop_end;
        struct test_entry *next;
};

struct test_file {
        const char *suite; /* the suite's name, as Check reports it */
        int timeout;       /* seconds for each test; 0 leaves Check's default */
        /* Run once per test case in the runner's process (a temporary directory) and in each test's child.
         */
        SFun unchecked_setup, unchecked_teardown;
        SFun checked_setup, checked_teardown;
        struct test_entry *tests;
        struct test_file *next;
};

void test_register_file(struct test_file *f);
void test_file_add(struct test_file *f, struct test_entry *t);

/* Once per file, before its tests: TEST_FILE("config-load", .timeout = 60); */
#define TEST_FILE(name, ...)                                                                                \
        static struct test_file test_file_ = {.suite = name, __VA_ARGS__};                                  \
        __attribute__((constructor)) static void test_file_register_(void)                                  \
        {                                                                                                   \
                test_register_file(&test_file_);                                                            \
        }

/* As Check's START_TEST (the body sees the loop index as _i), and registered in this file's suite. */
#define TEST_DEFINE_(tname, group_, start_, end_)                                                           \
        static void tname##_fn(int _i __attribute__((unused)));                                             \
        static const TTest tname##_ttest = {#tname, tname##_fn, __FILE__, __LINE__};                        \
        static struct test_entry tname##_entry = {&tname##_ttest, group_, start_, end_, NULL};              \
        __attribute__((constructor)) static void tname##_register(void)                                     \
        {                                                                                                   \
                test_file_add(&test_file_, &tname##_entry);                                                 \
        }                                                                                                   \
        static void tname##_fn(int _i __attribute__((unused)))

#define TEST(tname) TEST_DEFINE_(tname, NULL, 0, 1)
/* In a named Check test case of the file's suite (its name shows in failure messages). */
#define TEST_IN(group, tname) TEST_DEFINE_(tname, group, 0, 1)
/* Run once for each _i in [start, end). */
#define TEST_LOOP(tname, start, end) TEST_DEFINE_(tname, NULL, start, end)
#define TEST_LOOP_IN(group, tname, start, end) TEST_DEFINE_(tname, group, start, end)

/* Where tests find their data (tests/data) and the shared SigV4 suite; set by meson. */
const char *test_data_dir(void);
