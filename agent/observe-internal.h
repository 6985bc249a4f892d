/* The observation's internals, shared by observe.c (the full inventory) and inventory.c (targeted looks
 * that update it between full refreshes). Not a public interface. */
#pragma once

#include "observe.h"

/* Streams Describe pages into the observation's snapshot views (the region string outlives them). */
struct snapshot_sink {
        struct observation *o;
        const char *region;
        size_t cap; /* allocated views; 0: o->n_snapshots exactly (grown on demand) */
};
int observe_collect_view(struct rds_db_cluster_snapshot *s, void *userdata);
/* Moves the snapshot views and incomplete marks of `part` (a listing made on its own) to the end of `o`,
 * then frees what is left of `part`. Returns 0 or -ENOMEM (`part` is then left whole). */
int observe_parts_merge(struct observation *o, struct observation *part);
void observe_view_done(struct observed_snapshot *v);
/* Sort every view by (region, identifier) and drop duplicates. */
void observe_views_sort(struct observation *o);
/* Rebuild the cluster, export and account quota views from the regions' lists (after they changed). */
int observe_views_rebuild(struct observation *o);
