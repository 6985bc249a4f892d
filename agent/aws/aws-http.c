/* libcurl transport for the AWS client: one easy handle per client (connections are reused across
 * requests), TLS verification always on, timeouts, capped response headers and body. */
#include "aws-http.h"
#include <arpa/inet.h>

#include <ctype.h>
#include <curl/curl.h>
#include <errno.h>
#include <openssl/crypto.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "aws-buf.h"
#include "macro.h"

struct aws_http {
        CURL *easy;
        char *ca_bundle;
        unsigned connect_timeout_ms;
        unsigned total_timeout_ms;
        int (*progress)(void *userdata);
        void *userdata;
};

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static CURLcode curl_init_result = CURLE_FAILED_INIT;

static void curl_init(void)
{
        curl_init_result = curl_global_init(CURL_GLOBAL_DEFAULT);
}

int aws_http_new(const struct aws_http_options *o, struct aws_http **ret)
{
        pthread_once(&curl_once, curl_init);
        if (curl_init_result != CURLE_OK)
                return -EIO;
        struct aws_http *h = calloc(1, sizeof(*h));
        if (!h)
                return -ENOMEM;
        h->easy = curl_easy_init();
        h->ca_bundle = o->ca_bundle ? strdup(o->ca_bundle) : NULL;
        h->connect_timeout_ms = o->connect_timeout_ms;
        h->total_timeout_ms = o->total_timeout_ms;
        h->progress = o->progress;
        h->userdata = o->userdata;
        if (!h->easy || (o->ca_bundle && !h->ca_bundle)) {
                aws_http_free(h);
                return -ENOMEM;
        }
        *ret = h;
        return 0;
}

struct aws_http *aws_http_free(struct aws_http *h)
{
        if (!h)
                return NULL;
        if (h->easy)
                curl_easy_cleanup(h->easy);
        free(h->ca_bundle);
        free(h);
        return NULL;
}

/* Only an answer goes to a sink: an error body is kept whole for aws_error_parse_*. */
static bool body_goes_to_sink(const struct aws_http_transfer *t)
{
        long status = 0;
        return t->sink && curl_easy_getinfo(t->easy, CURLINFO_RESPONSE_CODE, &status) == CURLE_OK &&
               status >= 200 && status < 300;
}

static size_t write_cb(char *ptr, size_t size, size_t nmemb, void *userdata)
{
        struct aws_http_transfer *t = userdata;
        size_t n = size * nmemb;
        if (t->received + n > AWS_HTTP_MAX_BODY) {
                t->too_large = true;
                return 0; /* makes curl fail with CURLE_WRITE_ERROR */
        }
        t->received += n;
        if (body_goes_to_sink(t)) {
                int r = t->sink(ptr, n, t->sink_userdata);
                if (r < 0) {
                        t->sink_error = r;
                        return 0;
                }
                t->sunk += n;
                return n;
        }
        aws_buf_append(&t->body, ptr, n);
        return t->body.oom ? 0 : n;
}

static void drop_headers(struct aws_response *r)
{
        for (size_t i = 0; i < r->n_headers; i++) {
                free(r->headers[i].name);
                free(r->headers[i].value);
        }
        r->n_headers = 0;
}

/* curl copied the header lines, session token included: wipe the copies too. */
static void wipe_header_list(struct curl_slist *list)
{
        for (struct curl_slist *l = list; l; l = l->next)
                OPENSSL_cleanse(l->data, strlen(l->data));
        curl_slist_free_all(list);
}

static size_t header_cb(char *ptr, size_t size, size_t nmemb, void *userdata)
{
        struct aws_http_transfer *t = userdata;
        size_t n = size * nmemb;
        if (n > AWS_HTTP_MAX_HEADER_LINE) {
                t->too_large = true;
                return 0;
        }
        if (n >= 5 && strneq(ptr, "HTTP/", 5)) {
                /* A new response (after 100 Continue): forget the previous one's headers. */
                drop_headers(t->resp);
                return n;
        }
        const char *colon = memchr(ptr, ':', n);
        if (!colon)
                return n;
        if (t->resp->n_headers >= AWS_MAX_HEADERS) {
                t->too_large = true;
                return 0;
        }
        size_t nl = (size_t)(colon - ptr);
        const char *v = colon + 1, *end = ptr + n;
        while (v < end && (*v == ' ' || *v == '\t'))
                v++;
        while (end > v && (end[-1] == '\r' || end[-1] == '\n' || end[-1] == ' ' || end[-1] == '\t'))
                end--;
        char *name = strndup(ptr, nl), *value = strndup(v, (size_t)(end - v));
        if (!name || !value) {
                free(name);
                free(value);
                return 0;
        }
        for (char *c = name; *c; c++)
                *c = (char)tolower((unsigned char)*c);
        t->resp->headers[t->resp->n_headers].name = name;
        t->resp->headers[t->resp->n_headers].value = value;
        t->resp->n_headers++;
        return n;
}

static int map_curl_error(CURLcode cc, bool too_large, struct aws_error *e)
{
        if (cc == CURLE_ABORTED_BY_CALLBACK)
                return aws_error_set(e, -ECANCELED, AWS_ERROR_TRANSPORT, "Cancelled",
                                     "the call was abandoned (the agent is stopping)");
        if (too_large)
                return aws_error_set(e, -EFBIG, AWS_ERROR_TRANSPORT, "ResponseTooLarge",
                                     "response exceeds the size caps (body %u bytes, %d headers)",
                                     AWS_HTTP_MAX_BODY, AWS_MAX_HEADERS);
        switch (cc) {
        case CURLE_OPERATION_TIMEDOUT:
                return aws_error_set(e, -ETIMEDOUT, AWS_ERROR_TIMEOUT, "RequestTimeout", "%s",
                                     curl_easy_strerror(cc));
        case CURLE_COULDNT_CONNECT:
                return aws_error_set(e, -ECONNREFUSED, AWS_ERROR_TRANSPORT, "ConnectionError", "%s",
                                     curl_easy_strerror(cc));
        case CURLE_COULDNT_RESOLVE_HOST:
        case CURLE_COULDNT_RESOLVE_PROXY:
                return aws_error_set(e, -EHOSTUNREACH, AWS_ERROR_TRANSPORT, "ConnectionError", "%s",
                                     curl_easy_strerror(cc));
        case CURLE_SSL_CONNECT_ERROR:
        case CURLE_PEER_FAILED_VERIFICATION:
        case CURLE_SSL_CACERT_BADFILE:
        case CURLE_SSL_CERTPROBLEM:
        case CURLE_SSL_CIPHER:
        case CURLE_UNSUPPORTED_PROTOCOL:
        case CURLE_URL_MALFORMAT:
                /* Classified as not retryable: a certificate or URL problem does not fix itself. */
                return aws_error_set(e, -EPROTO, AWS_ERROR_TRANSPORT, "TLSError", "%s",
                                     curl_easy_strerror(cc));
        case CURLE_OUT_OF_MEMORY:
                return aws_error_set(e, -ENOMEM, AWS_ERROR_TRANSPORT, "OutOfMemory", "out of memory");
        default:
                /* Resets, cut transfers, empty replies: the connection failed mid-way. */
                return aws_error_set(e, -ECONNRESET, AWS_ERROR_TRANSPORT, "ConnectionError", "%s",
                                     curl_easy_strerror(cc));
        }
}

/* Whether the URL's host is a loopback address (as aws_host_is_loopback decides). */
static bool url_is_loopback(const char *url)
{
        CURLU *u = curl_url();
        char *host = NULL;
        bool r = u && curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
                 curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK && aws_host_is_loopback(host);
        curl_free(host);
        curl_url_cleanup(u);
        return r;
}

static int xferinfo_cb(void *userdata, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
                       curl_off_t ulnow)
{
        struct aws_http *h = userdata;
        (void)dltotal;
        (void)dlnow;
        (void)ultotal;
        (void)ulnow;
        return h->progress(h->userdata) == AWS_PROGRESS_ABANDON;
}

int aws_http_perform(struct aws_http *h, const char *method, const char *url, char *const *headers,
                     const char *body, size_t body_len, struct aws_response *ret, struct aws_error *e)
{
        struct aws_response resp = {};
        struct aws_http_transfer t = {.resp = &resp};
        int r;

        r = aws_http_transfer_setup(h, &t, method, url, headers, body, body_len, e);
        if (r >= 0)
                r = aws_http_transfer_finish(&t, curl_easy_perform(h->easy), ret, e);
        aws_http_transfer_done(&t);
        aws_response_done(&resp);
        return r;
}

int aws_http_transfer_setup(struct aws_http *h, struct aws_http_transfer *t, const char *method,
                            const char *url, char *const *headers, const char *body, size_t body_len,
                            struct aws_error *e)
{
        struct curl_slist *list = NULL;
        int r;

        /* reset keeps the connection cache: that is what gives us reuse. */
        curl_easy_reset(h->easy);
        for (char *const *hd = headers; hd && *hd; hd++) {
                struct curl_slist *n = curl_slist_append(list, *hd);
                if (!n) {
                        r = aws_error_set(e, -ENOMEM, AWS_ERROR_TRANSPORT, "OutOfMemory", "out of memory");
                        goto finish;
                }
                list = n;
        }
        /* No "Expect: 100-continue" round trip for our small bodies. */
        struct curl_slist *n = curl_slist_append(list, "Expect:");
        if (!n) {
                r = aws_error_set(e, -ENOMEM, AWS_ERROR_TRANSPORT, "OutOfMemory", "out of memory");
                goto finish;
        }
        list = n;

        curl_easy_setopt(h->easy, CURLOPT_URL, url);
        curl_easy_setopt(h->easy, CURLOPT_PROTOCOLS_STR, "http,https");
        curl_easy_setopt(h->easy, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(h->easy, CURLOPT_SSL_VERIFYPEER, 1L);
        curl_easy_setopt(h->easy, CURLOPT_SSL_VERIFYHOST, 2L);
        if (h->ca_bundle)
                curl_easy_setopt(h->easy, CURLOPT_CAINFO, h->ca_bundle);
        curl_easy_setopt(h->easy, CURLOPT_CONNECTTIMEOUT_MS, (long)h->connect_timeout_ms);
        curl_easy_setopt(h->easy, CURLOPT_TIMEOUT_MS, (long)h->total_timeout_ms);
        curl_easy_setopt(h->easy, CURLOPT_FOLLOWLOCATION, 0L);
        if (h->progress) {
                curl_easy_setopt(h->easy, CURLOPT_XFERINFOFUNCTION, xferinfo_cb);
                curl_easy_setopt(h->easy, CURLOPT_XFERINFODATA, h);
                curl_easy_setopt(h->easy, CURLOPT_NOPROGRESS, 0L);
        }
        /* Loopback is reached directly whatever http_proxy/HTTPS_PROXY/ALL_PROXY say: a proxy would see
         * the Authorization header, and plain http is allowed there only because nothing is in between. */
        if (url_is_loopback(url))
                curl_easy_setopt(h->easy, CURLOPT_PROXY, "");
        curl_easy_setopt(h->easy, CURLOPT_HTTPHEADER, list);
        curl_easy_setopt(h->easy, CURLOPT_WRITEFUNCTION, write_cb);
        curl_easy_setopt(h->easy, CURLOPT_WRITEDATA, t);
        curl_easy_setopt(h->easy, CURLOPT_HEADERFUNCTION, header_cb);
        curl_easy_setopt(h->easy, CURLOPT_HEADERDATA, t);
        if (streq(method, "HEAD"))
                curl_easy_setopt(h->easy, CURLOPT_NOBODY, 1L);
        else if (body || !streq(method, "GET")) {
                if (body || streq(method, "POST") || streq(method, "PUT")) {
                        curl_easy_setopt(h->easy, CURLOPT_POSTFIELDS, body ?: "");
                        curl_easy_setopt(h->easy, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body_len);
                }
                if (!streq(method, "POST"))
                        curl_easy_setopt(h->easy, CURLOPT_CUSTOMREQUEST, method);
        }

        t->easy = h->easy;
        t->headers = list;
        return 0;
finish:
        wipe_header_list(list);
        return r;
}

int aws_http_transfer_finish(struct aws_http_transfer *t, int curl_code, struct aws_response *ret,
                             struct aws_error *e)
{
        if (t->sink_error < 0)
                return aws_error_set(e, t->sink_error, AWS_ERROR_PARSE, "BodySinkFailed",
                                     "the response body was refused by its reader: %s",
                                     strerror(-t->sink_error));
        if ((CURLcode)curl_code != CURLE_OK)
                return map_curl_error((CURLcode)curl_code, t->too_large, e);
        long status = 0;
        curl_easy_getinfo(t->easy, CURLINFO_RESPONSE_CODE, &status);
        t->resp->status = status;
        if (t->body.oom)
                return aws_error_set(e, -ENOMEM, AWS_ERROR_TRANSPORT, "OutOfMemory", "out of memory");
        t->resp->body_len = t->body.len;
        t->resp->body = aws_buf_steal(&t->body);
        if (!t->resp->body)
                return aws_error_set(e, -ENOMEM, AWS_ERROR_TRANSPORT, "OutOfMemory", "out of memory");
        *ret = *t->resp;
        *t->resp = (struct aws_response){};
        return 0;
}

void aws_http_transfer_done(struct aws_http_transfer *t)
{
        aws_buf_done(&t->body);
        wipe_header_list(t->headers);
        t->headers = NULL;
        /* Drop the reference to our (now freed) header list from the reusable handle. */
        if (t->easy)
                curl_easy_setopt(t->easy, CURLOPT_HTTPHEADER, NULL);
}

CURL *aws_http_easy(struct aws_http *h)
{
        return h->easy;
}

bool aws_host_is_loopback(const char *host)
{
        struct in_addr a4;

        if (streq(host, "localhost") || streq(host, "::1") || streq(host, "[::1]"))
                return true;
        /* A numeric 127.0.0.0/8 address only: "127.example.com" is a name anyone can register. */
        return inet_pton(AF_INET, host, &a4) == 1 && (ntohl(a4.s_addr) >> 24) == 127;
}

int aws_url_split(const char *url, char **ret_scheme, char **ret_host, char **ret_authority, char **ret_path)
{
        CURLU *u = curl_url();
        char *scheme = NULL, *host = NULL, *port = NULL, *path = NULL;
        int r = -EINVAL;
        if (!u)
                return -ENOMEM;
        if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
            curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
            curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK ||
            curl_url_get(u, CURLUPART_PATH, &path, 0) != CURLUE_OK)
                goto finish;
        if (!streq(scheme, "http") && !streq(scheme, "https"))
                goto finish;
        (void)curl_url_get(u, CURLUPART_PORT, &port, 0); /* absent unless explicit */

        /* curl keeps IPv6 literals in brackets; the authority needs them, the host test does not. */
        char *bare = host[0] == '[' ? strndup(host + 1, strlen(host) - 2) : strdup(host);
        char *auth = NULL;
        if (port ? asprintf(&auth, "%s:%s", host, port) < 0 : !(auth = strdup(host)))
                auth = NULL;
        char *p = strdup(streq(path, "/") ? "" : path);
        if (!bare || !auth || !p) {
                free(bare);
                free(auth);
                free(p);
                r = -ENOMEM;
                goto finish;
        }
        if (ret_scheme)
                *ret_scheme = strdup(scheme);
        if (ret_host)
                *ret_host = bare;
        else
                free(bare);
        if (ret_authority)
                *ret_authority = auth;
        else
                free(auth);
        if (ret_path)
                *ret_path = p;
        else
                free(p);
        r = 0;
finish:
        curl_free(scheme);
        curl_free(host);
        curl_free(port);
        curl_free(path);
        curl_url_cleanup(u);
        return r;
}
