/* Temporary directories for the agent's unit tests: one base per test case, one fresh dir per test. */
#pragma once

#include <stddef.h>

/* Unchecked fixtures (they run in the parent, so the base is removed even after a failed test). */
void test_tmp_base_setup(void);
void test_tmp_base_teardown(void);
/* A new empty directory under the base; `buf` gets its path. */
const char *test_tmp_dir(char *buf, size_t size);
