/* Polls: what the agent started and AWS has not finished (snapshots, copies, exports). */
#pragma once

struct builder;

void plan_polls(struct builder *b);
/* With the polls: exports in progress of agent snapshots. */
void plan_export_polls(struct builder *b);
