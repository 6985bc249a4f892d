/* A tiny HTTP/1.1 server on 127.0.0.1 for the asynchronous transport's tests: one thread per
 * connection, keep-alive, a reply chosen per request by the test (status, headers, body, a delay during
 * which a client's close is noticed, chunked or cut bodies), and counters the test asserts on. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

struct test_http_request {
        unsigned seq; /* arrival number, from 0 */
        char method[16];
        char target[512];  /* path and query */
        char amz_date[32]; /* X-Amz-Date, "" if absent */
};

struct test_http_reply {
        int status;                /* 0: 200 */
        const char *extra_headers; /* "Name: value\r\n" lines, may be NULL */
        const char *body;          /* NULL: empty */
        size_t body_len;           /* 0: strlen(body) */
        unsigned delay_ms;         /* wait before replying; a close by the client ends the wait */
        unsigned chunks;           /* > 0: Transfer-Encoding: chunked, the body cut in this many chunks */
        unsigned chunk_delay_ms;   /* pause after each chunk */
        size_t filler_len;         /* > 0: the body is this many 'x' instead */
        size_t cut_after;          /* > 0: announce the whole length, send this many bytes, close */
};

/* Runs in the connection's thread with the server's lock held: it may use test state freely. */
typedef void (*test_http_handler)(const struct test_http_request *req, struct test_http_reply *reply,
                                  void *userdata);

struct test_http_server;

int test_http_server_start(test_http_handler handler, void *userdata, struct test_http_server **ret);
void test_http_server_stop(struct test_http_server *s);
unsigned test_http_server_port(const struct test_http_server *s);

unsigned test_http_server_requests(struct test_http_server *s);
/* The most requests that were being answered at the same time. */
unsigned test_http_server_max_active(struct test_http_server *s);
/* Connections the client closed while their reply was still being prepared (cancellation). */
unsigned test_http_server_peer_closed(struct test_http_server *s);
/* A copy of the n-th request (by arrival); false if there is none yet. */
bool test_http_server_request(struct test_http_server *s, unsigned n, struct test_http_request *ret);
