/* Check suites register themselves here; one main (check-main.c) per test executable runs them all. */
#pragma once

#include <check.h>

typedef Suite *(*test_suite_fn)(void);
void test_register_suite(test_suite_fn fn);

/* TEST_SUITE(config_window) { Suite *s = suite_create("window"); ...; return s; } */
#define TEST_SUITE(name)                                                                                    \
        static Suite *name(void);                                                                           \
        __attribute__((constructor)) static void register_##name(void)                                      \
        {                                                                                                   \
                test_register_suite(name);                                                                  \
        }                                                                                                   \
        static Suite *name(void)

/* Where tests find their data (tests/data) and the shared SigV4 suite; set by meson. */
const char *test_data_dir(void);
