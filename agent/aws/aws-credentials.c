/* AWS credentials: the value type, wiped when freed, and the calls through a provider's interface. */
#include "aws-credentials.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"

void aws_credentials_done(struct aws_credentials *c)
{
        if (!c)
                return;
        free_erase(c->access_key_id);
        free_erase(c->secret_access_key);
        free_erase(c->session_token);
        *c = (struct aws_credentials){};
}

int aws_credentials_copy(const struct aws_credentials *src, struct aws_credentials *ret)
{
        struct aws_credentials c = {
            .access_key_id = strdup(src->access_key_id ?: ""),
            .secret_access_key = strdup(src->secret_access_key ?: ""),
            .session_token = src->session_token ? strdup(src->session_token) : NULL,
            .expiration = src->expiration,
            .source = src->source,
        };
        if (!c.access_key_id || !c.secret_access_key || (src->session_token && !c.session_token)) {
                aws_credentials_done(&c);
                return -ENOMEM;
        }
        *ret = c;
        return 0;
}

int aws_credentials_provider_resolve(struct aws_credentials_provider *p, struct aws_credentials *ret,
                                     struct aws_error *e)
{
        return p->resolve(p, ret, e);
}

struct aws_credentials_provider *aws_credentials_provider_free(struct aws_credentials_provider *p)
{
        if (p && p->free)
                p->free(p);
        return NULL;
}
