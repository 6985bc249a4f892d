/* The free() scanner of the wipe tests (wipe-scanner.h). */
#include "wipe-scanner.h"

#include <malloc.h>
#include <stdbool.h>
#include <string.h>

void __real_free(void *p);
void __wrap_free(void *p);

/* volatile: the compiler knows free() touches no global of ours and would drop or cache these. */
static volatile bool watching;
static volatile unsigned freed_blocks, blocks_with_secret;
static const char *needles[2];

void __wrap_free(void *p)
{
        if (watching && p) {
                size_t n = malloc_usable_size(p);
                freed_blocks++;
                for (size_t i = 0; i < 2; i++)
                        if (memmem(p, n, needles[i], strlen(needles[i]))) {
                                blocks_with_secret++;
                                break;
                        }
        }
        __real_free(p);
}

void wipe_watch(const char *secret, const char *token)
{
        needles[0] = secret;
        needles[1] = token;
        freed_blocks = blocks_with_secret = 0;
        watching = true;
}

void wipe_unwatch(void)
{
        watching = false;
}

unsigned wipe_freed_blocks(void)
{
        return freed_blocks;
}

unsigned wipe_blocks_with_secret(void)
{
        return blocks_with_secret;
}
