/* For test executables linked with -Wl,--wrap=free: every free() of the agent's own code (not libcurl's,
 * libsystemd's or OpenSSL's) passes this scanner, which counts, while it watches, the freed blocks and those
 * still holding one of two secrets. */
#pragma once

/* Start counting from zero, looking for `secret` and `token` (kept as given: string literals). */
void wipe_watch(const char *secret, const char *token);
void wipe_unwatch(void);
unsigned wipe_freed_blocks(void);
unsigned wipe_blocks_with_secret(void);
