/* Reads a recorded AWS response from tests/data/aws/ for the parser tests, and parses it whole. */
#pragma once

#include <check.h>
#include <stdio.h>
#include <stdlib.h>

#include "macro.h"
#include "test-suite.h"

static inline char *read_aws_data(const char *name, size_t *ret_len)
{
        char path[4096];
        snprintf(path, sizeof(path), "%s/aws/%s", test_data_dir(), name);
        FILE *f = fopen(path, "re");
        ck_assert_msg(f, "cannot open %s", path);
        char *buf = malloc(1024 * 1024);
        ck_assert_ptr_nonnull(buf);
        size_t n = fread(buf, 1, 1024 * 1024 - 1, f);
        fclose(f);
        buf[n] = '\0';
        if (ret_len)
                *ret_len = n;
        return buf;
}

/* The recorded response `name` parsed whole by parse(body, len, ..., &error), which must succeed. */
#define PARSE_RECORDED(name, parse, ...)                                                                    \
        do {                                                                                                \
                size_t len_;                                                                                \
                _cleanup_free_ char *body_ = read_aws_data(name, &len_);                                    \
                struct aws_error e_ = {};                                                                   \
                ck_assert_int_eq(parse(body_, len_, __VA_ARGS__, &e_), 0);                                  \
        } while (0)
