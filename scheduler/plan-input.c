/* Reading the observed world: tags. */
#include "plan-input.h"

#include <string.h>

#include "macro.h"

const char *plan_tag_get(const struct tag *tags, size_t n, const char *key)
{
        for (size_t i = 0; i < n; i++)
                if (tags[i].key && streq(tags[i].key, key))
                        return tags[i].value ? tags[i].value : "";
        return NULL;
}
