/* What every target in tests/fuzz defines (LLVMFuzzerTestOneInput) or may define (LLVMFuzzerInitialize),
 * and a check that aborts, so that libFuzzer and the replay tests see a broken promise as a crash. */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

#define FUZZ_CHECK(cond)                                                                                    \
        do {                                                                                                \
                if (!(cond)) {                                                                              \
                        fprintf(stderr, "%s:%d: %s: check failed: %s\n", __FILE__, __LINE__, __func__,      \
                                #cond);                                                                     \
                        abort();                                                                            \
                }                                                                                           \
        } while (0)
