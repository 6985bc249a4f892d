/* Process hardening both programs apply first thing: they hold AWS credentials, which no core dump and
 * no same-user ptrace may read. */
#pragma once

/* PR_SET_DUMPABLE 0: no core dump, /proc/self owned by root, no ptrace by the same user; and a core size
 * limit of 0 where the sandbox lets us set it. Returns 0, or a negative errno if PR_SET_DUMPABLE failed
 * (the caller warns and carries on: the unit's LimitCORE=0 still holds). */
int harden_process(void);
