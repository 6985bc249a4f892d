/* The AWS SigV4 test suite's .req format (see sigv4-req.h). No Check here: the fuzz target links it too. */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "sigv4-req.h"

const struct aws_sigv4_params sigv4_req_params = {
    .access_key_id = "AKIDEXAMPLE",
    .secret_access_key = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
    .region = "us-east-1",
    .service = "service",
    .time = 1440938160, /* 20150830T123600Z */
};

/* Request line: METHOD SP TARGET SP HTTP/1.1 (the target may hold spaces, so the last " HTTP/" ends it). */
static int parse_request_line(char *line, struct aws_sigv4_request *ret)
{
        char *sp = strchr(line, ' '), *http = NULL, *query;

        ret->method = line;
        ret->path = "/";
        if (!sp)
                return -EBADMSG;
        *sp = '\0';
        ret->path = sp + 1;
        for (char *h = strstr(sp + 1, " HTTP/"); h; h = strstr(h + 1, " HTTP/"))
                http = h;
        if (http)
                *http = '\0';
        query = strchr(sp + 1, '?');
        if (query) {
                *query++ = '\0';
                ret->query = query;
        }
        return http ? 0 : -EBADMSG;
}

int sigv4_req_parse(char *text, struct aws_sigv4_header *headers, size_t max, struct aws_sigv4_request *ret)
{
        char *eol = strchr(text, '\n'), *rest = eol ? eol + 1 : text + strlen(text);
        const char *body = "", *last_name = NULL;
        bool malformed, too_many = false;
        size_t n = 0;

        *ret = (struct aws_sigv4_request){};
        if (eol)
                *eol = '\0';
        malformed = parse_request_line(text, ret) < 0;
        for (char *p = rest; *p;) {
                char *e = strchr(p, '\n');
                bool folded = *p == ' ' || *p == '\t';

                if (e)
                        *e = '\0';
                if (*p == '\0') { /* blank line: the body follows */
                        body = e ? e + 1 : "";
                        break;
                }
                if (n == max)
                        too_many = true;
                else if (folded && last_name)
                        /* A folded continuation line is another value of the previous header. */
                        headers[n++] = (struct aws_sigv4_header){last_name, p};
                else {
                        char *colon = strchr(p, ':');

                        malformed = malformed || folded || !colon;
                        if (colon)
                                *colon = '\0';
                        headers[n++] = (struct aws_sigv4_header){p, colon ? colon + 1 : ""};
                        last_name = p;
                }
                if (!e)
                        break;
                p = e + 1;
        }
        ret->headers = headers;
        ret->n_headers = n;
        ret->payload = body;
        ret->payload_len = strlen(body);
        return too_many ? -E2BIG : malformed ? -EBADMSG : 0;
}
