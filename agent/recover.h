/* Crash recovery: the open intents a previous run left in the ledger, judged against what AWS shows. */
#pragma once

#include <stdint.h>

#include "agent-internal.h"
#include "observation.h"

/* For every open intent in a region observed successfully:
 *   create / copy:  the snapshot exists (any status) -> done; it does not -> abandoned (the planner
 *                   creates it again only while its window is open, under the same identifier);
 *   delete:         the snapshot is gone -> done; it is still there -> abandoned (replanned if still
 *                   expired);
 *   export:         the export task exists -> done; else abandoned;
 *   anything else:  abandoned (the planner decides again).
 * Intents in regions that could not be observed stay open. Returns the number of intents closed, or a
 * negative errno from the store. */
struct inventory_looks;
/* `looks`: between full refreshes, only intents about what this wake-up looked at are settled (NULL: all).
 */
int recover_open_intents(struct agent *a, const struct observation *o, const struct inventory_looks *looks,
                         int64_t now);
