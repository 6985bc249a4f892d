/* Reading JSON answers (AWS Backup's REST-JSON, KMS's JSON 1.1) with json-c: one parse for a whole body, and
 * a cleanup helper for the objects. */
#pragma once

#include <json-c/json.h>
#include <stddef.h>

#include "aws-error.h"

static inline void aws_json_putp(json_object **o)
{
        if (*o)
                json_object_put(*o);
}
#define _cleanup_json_ __attribute__((cleanup(aws_json_putp)))

/* The whole body as one JSON object: 0 with *ret, or -EBADMSG (PARSE, "MalformedResponse") when it is
 * empty, cut or not an object; -ENOMEM. */
int aws_json_parse(const char *s, size_t len, json_object **ret, struct aws_error *e);
