/* Restore drills (policy restore_test; see plan.h): the next step of each. */
#pragma once

struct builder;

/* Last of the cluster passes: the next step of each restore drill. */
void plan_drills(struct builder *b);
