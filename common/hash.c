/* FNV-1a: stable across builds and hosts, which is all we ask of it. Not for adversarial input. */
#include "hash.h"

uint64_t hash_fnv1a64(const char *s)
{
        uint64_t h = UINT64_C(14695981039346656037);
        for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
                h ^= *p;
                h *= UINT64_C(1099511628211);
        }
        return h;
}
