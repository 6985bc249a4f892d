/* A stable, platform-independent string hash (FNV-1a, 64 bit) for deterministic offsets and suffixes. */
#pragma once

#include <stddef.h>
#include <stdint.h>

uint64_t hash_fnv1a64(const char *s);
