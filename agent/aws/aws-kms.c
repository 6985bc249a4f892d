/* AWS KMS DescribeKey over JSON 1.1 (POST /, X-Amz-Target: TrentService.DescribeKey). */
#include "aws-kms.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "aws-json.h"
#include "macro.h"
#include "string-table.h"

/* A key ARN's region: arn:aws:kms:<region>:<account>:key/<id>. NULL for anything else. */
static char *key_arn_region(const char *key_id)
{
        const char *p = startswith(key_id, "arn:");
        if (!p || !(p = strchr(p, ':')) || !startswith(p + 1, "kms:"))
                return NULL;
        p += strlen(":kms:");
        const char *end = strchr(p, ':');
        return end && end > p ? strndup(p, (size_t)(end - p)) : NULL;
}

static const char *const kms_key_manager_table[_KMS_KEY_MANAGER_MAX] = {
    [KMS_KEY_MANAGER_AWS] = "AWS",
    [KMS_KEY_MANAGER_CUSTOMER] = "CUSTOMER",
};

DEFINE_STRING_TABLE_FROM_STRING(kms_key_manager, kms_key_manager_table)

int kms_parse_key_manager(const char *body, size_t len, enum kms_key_manager *ret, struct aws_error *e)
{
        _cleanup_json_ json_object *o = NULL;
        json_object *meta, *manager;
        int r = aws_json_parse(body, len, &o, e);
        if (r < 0)
                return r;
        if (!json_object_object_get_ex(o, "KeyMetadata", &meta) ||
            !json_object_object_get_ex(meta, "KeyManager", &manager) ||
            !json_object_is_type(manager, json_type_string))
                return aws_error_set(e, -EBADMSG, AWS_ERROR_PARSE, "MalformedResponse",
                                     "DescribeKey response lacks KeyMetadata.KeyManager");
        r = kms_key_manager_from_string(json_object_get_string(manager));
        *ret = r >= 0 ? (enum kms_key_manager)r : KMS_KEY_MANAGER_UNKNOWN;
        return 0;
}

int kms_describe_key_manager(struct aws_client *c, const char *key_id, enum kms_key_manager *ret,
                             struct aws_error *e)
{
        struct aws_response resp = {};
        _cleanup_free_ char *region = NULL;
        int r;

        if (isempty(key_id) || strlen(key_id) > 2048)
                return aws_error_set(e, -EINVAL, AWS_ERROR_INVALID, "InvalidParameterValue",
                                     "invalid KMS key id");
        json_object *body = json_object_new_object();
        if (!body || json_object_object_add(body, "KeyId", json_object_new_string(key_id)) < 0) {
                json_object_put(body);
                return aws_error_set(e, -ENOMEM, AWS_ERROR_INVALID, "OutOfMemory", "out of memory");
        }
        const char *text = json_object_to_json_string_ext(body, JSON_C_TO_STRING_PLAIN);
        region = key_arn_region(key_id);
        r = aws_client_send(c,
                            &(struct aws_request){
                                .service = AWS_SERVICE_KMS,
                                .protocol = AWS_PROTOCOL_JSON,
                                .method = "POST",
                                .target = "TrentService.DescribeKey",
                                .body = text,
                                .body_len = strlen(text),
                                .region = region,
                            },
                            &resp, e);
        json_object_put(body);
        if (r < 0)
                return r;
        r = kms_parse_key_manager(resp.body, resp.body_len, ret, e);
        aws_response_done(&resp);
        return r;
}
