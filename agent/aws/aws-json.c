/* Reading JSON answers with json-c (aws-json.h). */
#include "aws-json.h"

#include <errno.h>
#include <stdint.h>

int aws_json_parse(const char *s, size_t len, json_object **ret, struct aws_error *e)
{
        if (!s || len == 0 || len > INT32_MAX)
                return aws_error_set(e, -EBADMSG, AWS_ERROR_PARSE, "MalformedResponse",
                                     "empty JSON response");
        json_tokener *tok = json_tokener_new();
        if (!tok)
                return aws_error_set(e, -ENOMEM, AWS_ERROR_PARSE, "OutOfMemory", "out of memory");
        json_object *o = json_tokener_parse_ex(tok, s, (int)len);
        enum json_tokener_error err = json_tokener_get_error(tok);
        json_tokener_free(tok);
        if (!o || err != json_tokener_success || !json_object_is_type(o, json_type_object)) {
                json_object_put(o);
                return aws_error_set(e, -EBADMSG, AWS_ERROR_PARSE, "MalformedResponse",
                                     "response is not a complete JSON object");
        }
        *ret = o;
        return 0;
}
