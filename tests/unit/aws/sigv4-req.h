/* Requests in the format of the AWS SigV4 test suite's .req files, read the same way by the suite's test and
 * by the sigv4 fuzz target: "METHOD TARGET HTTP/1.1", "Name:value" header lines (a line starting with a
 * blank continues the previous header), a blank line, the body. */
#pragma once

#include <stddef.h>

#include "aws-sigv4.h"

/* The key, region, service and time (20150830T123600Z) every case of the suite is signed with. */
extern const struct aws_sigv4_params sigv4_req_params;

/* Reads `text` in place (its lines become C strings: the request ends at its first NUL) into `ret`, which
 * then points into `text` and `headers` (room for `max`). A request that does not follow the format is
 * still read as far as it goes, as the fuzzer wants to sign it: a request line without a target is all
 * method (the path is "/"), a header line without ':' has an empty value, a continuation before any header
 * is a header, headers past `max` are left out. Returns 0, or -EBADMSG (-E2BIG: too many headers) for such
 * a request. */
int sigv4_req_parse(char *text, struct aws_sigv4_header *headers, size_t max, struct aws_sigv4_request *ret);
