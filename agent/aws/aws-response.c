/* An HTTP answer as the transport hands it back: freeing it, finding a header. */
#include "aws-response.h"

#include <stdlib.h>

#include "macro.h"

void aws_response_done(struct aws_response *r)
{
        if (!r)
                return;
        free(r->body);
        for (size_t i = 0; i < r->n_headers; i++) {
                free(r->headers[i].name);
                free(r->headers[i].value);
        }
        *r = (struct aws_response){};
}

const char *aws_response_header(const struct aws_response *r, const char *lower_name)
{
        for (size_t i = 0; i < r->n_headers; i++)
                if (streq(r->headers[i].name, lower_name))
                        return r->headers[i].value;
        return NULL;
}
