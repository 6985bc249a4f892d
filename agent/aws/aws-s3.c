/* S3 bucket region lookup: HeadBucket's x-amz-bucket-region, else GetBucketLocation. */
#include "aws-s3.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "aws-buf.h"
#include "aws-xml.h"
#include "macro.h"

static bool bucket_name_valid(const char *b)
{
        size_t l = b ? strlen(b) : 0;
        if (l < 3 || l > 63)
                return false;
        for (const char *p = b; *p; p++)
                if (!(islower((unsigned char)*p) || isdigit((unsigned char)*p) || *p == '-' || *p == '.'))
                        return false;
        return true;
}

int s3_bucket_region(struct aws_client *c, const char *bucket, char **ret, struct aws_error *e)
{
        _cleanup_free_ char *path = NULL;
        struct aws_response resp = {};
        int r;

        aws_error_clear(e);
        if (!bucket_name_valid(bucket))
                return aws_error_set(e, -EINVAL, AWS_ERROR_INVALID, "InvalidBucketName",
                                     "invalid S3 bucket name");
        if (asprintf(&path, "/%s", bucket) < 0) {
                path = NULL;
                return aws_error_set(e, -ENOMEM, AWS_ERROR_INVALID, "OutOfMemory", "out of memory");
        }
        /* Path-style addressing: the bucket name needs no DNS and no wildcard certificate. */
        struct aws_request head = {
            .service = AWS_SERVICE_S3,
            .protocol = AWS_PROTOCOL_REST_XML,
            .method = "HEAD",
            .path = path,
        };
        r = aws_client_send(c, &head, &resp, e);
        if (r < 0)
                return r;
        const char *region = aws_response_header(&resp, "x-amz-bucket-region");
        long status = resp.status;
        if (region && !isempty(region)) {
                char *s = strdup(region);
                aws_response_done(&resp);
                if (!s)
                        return aws_error_set(e, -ENOMEM, AWS_ERROR_INVALID, "OutOfMemory", "out of memory");
                *ret = s;
                return 0;
        }
        aws_response_done(&resp);
        if (status == 404)
                return aws_error_set(e, -ENOENT, AWS_ERROR_SERVICE, "NoSuchBucket",
                                     "bucket %s does not exist", bucket);

        /* No header: ask GetBucketLocation (empty LocationConstraint means us-east-1). */
        struct aws_request get = {
            .service = AWS_SERVICE_S3,
            .protocol = AWS_PROTOCOL_REST_XML,
            .method = "GET",
            .path = path,
            .query = "location=",
        };
        r = aws_client_send(c, &get, &resp, e);
        if (r < 0)
                return r;
        _cleanup_xml_ struct aws_xml_node *doc = NULL;
        char *loc = NULL;
        r = aws_xml_parse(resp.body, resp.body_len, &doc, e);
        aws_response_done(&resp);
        if (r < 0)
                return r;
        if (!aws_xml_is_named(doc, "LocationConstraint") || aws_xml_text(doc, &loc) < 0)
                return aws_error_set(e, -EBADMSG, AWS_ERROR_PARSE, "MalformedResponse",
                                     "GetBucketLocation response lacks LocationConstraint");
        if (isempty(loc)) {
                free(loc);
                loc = strdup("us-east-1");
        } else if (streq(loc, "EU")) {
                free(loc);
                loc = strdup("eu-west-1");
        }
        if (!loc)
                return aws_error_set(e, -ENOMEM, AWS_ERROR_INVALID, "OutOfMemory", "out of memory");
        *ret = loc;
        return 0;
}
