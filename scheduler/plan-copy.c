/* Copies to other regions, shares with other accounts, exports to S3: filled in by step 3. */
#include "plan-internal.h"

void plan_copies(struct builder *b, const struct cluster_plan *cp)
{
}

void plan_shares(struct builder *b, const struct cluster_plan *cp)
{
}

void plan_exports(struct builder *b, const struct cluster_plan *cp)
{
}
