/* The process environment of the AWS client's tests: nothing of the developer's own AWS setup (keys,
 * profiles, regions, endpoints, proxies) leaks into a test, and nothing a test does reaches AWS. */
#pragma once

#include <stddef.h>

/* Unsets every variable through which the environment picks credentials, a profile, a region, an endpoint
 * or a proxy. */
void aws_test_env_clear(void);
/* The environment of a client that talks to http://127.0.0.1:`port` with static keys and nothing else. */
void aws_test_env_loopback(unsigned port);
/* A clean, offline environment: a fresh HOME without AWS files (the previous one removed, the last at exit),
 * no metadata service, an endpoint nothing listens on. Returns HOME. */
const char *aws_test_env_offline(void);
/* Writes `content` to the file `name` in the offline HOME; `path` (of `size` bytes) gets its path. */
void aws_test_env_write_file(const char *name, const char *content, char *path, size_t size);
