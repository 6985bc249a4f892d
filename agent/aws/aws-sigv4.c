/* AWS Signature Version 4: canonical request, string to sign, signing key and Authorization header,
 * with OpenSSL's EVP MAC (HMAC-SHA256) and EVP digest (SHA-256). */
#include "aws-sigv4.h"

#include <ctype.h>
#include <errno.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "aws-buf.h"
#include "macro.h"
#include "time-util.h"

#define SIGV4_MAX_HEADERS 64
#define SIGV4_MAX_HEADER_LEN (64u * 1024)
#define SIGV4_MAX_QUERY_PARAMS 256
#define SIGV4_MAX_PATH (16u * 1024)

void aws_sigv4_result_done(struct aws_sigv4_result *r)
{
        if (!r)
                return;
        free_erase(r->canonical_request); /* holds the session token when one is signed */
        free(r->string_to_sign);
        free(r->signed_headers);
        free(r->authorization);
        *r = (struct aws_sigv4_result){};
}

const char *aws_sigv4_format_date(int64_t t, char buf[static AWS_SIGV4_DATE_MAX])
{
        int y, mo, d, h, mi, s;
        time_to_civil(t, &y, &mo, &d, &h, &mi, &s, NULL);
        snprintf(buf, AWS_SIGV4_DATE_MAX, "%04d%02d%02dT%02d%02d%02dZ", y % 10000, mo, d, h, mi, s);
        return buf;
}

char *aws_uri_encode(const char *s, size_t len, int keep_slash)
{
        struct aws_buf b = {};
        aws_buf_encode(&b, s, len, keep_slash);
        return aws_buf_steal(&b);
}

static void hex_encode(const unsigned char *d, size_t n, char *out)
{
        static const char hex[] = "0123456789abcdef";
        for (size_t i = 0; i < n; i++) {
                out[2 * i] = hex[d[i] >> 4];
                out[2 * i + 1] = hex[d[i] & 15];
        }
        out[2 * n] = '\0';
}

int aws_sha256_hex(const void *data, size_t len, char out[static 65])
{
        unsigned char md[EVP_MAX_MD_SIZE];
        unsigned int n = 0;
        if (EVP_Digest(data, len, md, &n, EVP_sha256(), NULL) != 1 || n != 32)
                return -EIO;
        hex_encode(md, 32, out);
        return 0;
}

DEFINE_TRIVIAL_CLEANUP_FUNC(EVP_MAC *, EVP_MAC_free);
DEFINE_TRIVIAL_CLEANUP_FUNC(EVP_MAC_CTX *, EVP_MAC_CTX_free);

static int hmac_sha256(const void *key, size_t key_len, const void *data, size_t len, unsigned char out[32])
{
        _cleanup_(EVP_MAC_freep) EVP_MAC *mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
        _cleanup_(EVP_MAC_CTX_freep) EVP_MAC_CTX *ctx = mac ? EVP_MAC_CTX_new(mac) : NULL;
        char digest[] = "SHA256";
        OSSL_PARAM params[] = {
            OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
            OSSL_PARAM_construct_end(),
        };
        size_t outl = 0;

        if (!ctx || EVP_MAC_init(ctx, key, key_len, params) != 1 || EVP_MAC_update(ctx, data, len) != 1 ||
            EVP_MAC_final(ctx, out, &outl, 32) != 1 || outl != 32)
                return -EIO;
        return 0;
}

/* Remove ".", ".." and empty segments; keep a trailing slash. */
static char *normalize_path(const char *path)
{
        size_t n = strlen(path);
        _cleanup_free_ char *out = malloc(n + 2);
        if (!out)
                return NULL;
        size_t o = 0;
        const char *p = path;
        while (*p) {
                while (*p == '/')
                        p++;
                const char *end = strchrnul(p, '/');
                size_t l = (size_t)(end - p);
                if (l == 0)
                        break;
                if (l == 1 && p[0] == '.') {
                        /* skip */
                } else if (l == 2 && p[0] == '.' && p[1] == '.') {
                        while (o > 0 && out[o - 1] != '/')
                                o--;
                        if (o > 0)
                                o--; /* drop the '/' before the popped segment */
                } else {
                        out[o++] = '/';
                        memcpy(out + o, p, l);
                        o += l;
                }
                p = end;
        }
        if (o == 0)
                out[o++] = '/';
        else if (n > 0 && path[n - 1] == '/')
                out[o++] = '/';
        out[o] = '\0';
        return TAKE_PTR(out);
}

char *aws_sigv4_canonical_uri(const char *path, const char *service)
{
        if (isempty(path))
                return strdup("/");
        if (strlen(path) > SIGV4_MAX_PATH)
                return NULL;
        /* S3 signs the path as sent: no normalisation, no second encoding. */
        if (streq(service, "s3"))
                return strdup(path);
        _cleanup_free_ char *norm = normalize_path(path);
        if (!norm)
                return NULL;
        return aws_uri_encode(norm, strlen(norm), true);
}

struct kv {
        char *key;
        char *value;
};

static int kv_cmp(const void *a, const void *b)
{
        const struct kv *x = a, *y = b;
        int c = strcmp(x->key, y->key);
        return c != 0 ? c : strcmp(x->value, y->value);
}

char *aws_sigv4_canonical_query(const char *query)
{
        struct kv kvs[SIGV4_MAX_QUERY_PARAMS];
        size_t n = 0;
        char *result = NULL;
        struct aws_buf b = {};

        if (isempty(query))
                return strdup("");
        for (const char *p = query; *p;) {
                const char *end = strchrnul(p, '&');
                if (end > p) {
                        if (n >= ELEMENTSOF(kvs))
                                goto finish;
                        const char *eq = memchr(p, '=', (size_t)(end - p));
                        const char *kend = eq ? eq : end;
                        _cleanup_free_ char *k = aws_percent_decode(p, (size_t)(kend - p));
                        _cleanup_free_ char *v =
                            eq ? aws_percent_decode(eq + 1, (size_t)(end - eq - 1)) : strdup("");
                        if (!k || !v)
                                goto finish;
                        kvs[n].key = aws_uri_encode(k, strlen(k), false);
                        kvs[n].value = aws_uri_encode(v, strlen(v), false);
                        n++;
                        if (!kvs[n - 1].key || !kvs[n - 1].value)
                                goto finish;
                }
                p = *end ? end + 1 : end;
        }
        qsort(kvs, n, sizeof(kvs[0]), kv_cmp);
        for (size_t i = 0; i < n; i++) {
                if (i > 0)
                        aws_buf_putc(&b, '&');
                aws_buf_puts(&b, kvs[i].key);
                aws_buf_putc(&b, '=');
                aws_buf_puts(&b, kvs[i].value);
        }
        result = aws_buf_steal(&b);
        if (n == 0 && !result)
                result = strdup("");
finish:
        aws_buf_done(&b);
        for (size_t i = 0; i < n; i++) {
                free(kvs[i].key);
                free(kvs[i].value);
        }
        return result;
}

struct hdr {
        char *name;  /* lower-case */
        char *value; /* trimmed, whitespace collapsed */
        size_t order;
};

static int hdr_cmp(const void *a, const void *b)
{
        const struct hdr *x = a, *y = b;
        int c = strcmp(x->name, y->name);
        if (c != 0)
                return c;
        return x->order < y->order ? -1 : x->order > y->order;
}

static char *normalize_value(const char *v)
{
        size_t n = strlen(v);
        char *out = malloc(n + 1);
        if (!out)
                return NULL;
        size_t o = 0;
        bool space = false;
        for (const char *p = v; *p; p++) {
                if (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r') {
                        space = o > 0;
                        continue;
                }
                if (space)
                        out[o++] = ' ';
                space = false;
                out[o++] = *p;
        }
        out[o] = '\0';
        return out;
}

int aws_sigv4_sign(const struct aws_sigv4_request *req, const struct aws_sigv4_params *params,
                   struct aws_sigv4_result *ret)
{
        struct hdr hdrs[SIGV4_MAX_HEADERS] = {};
        size_t n = 0;
        int r;
        char payload_hash[65], creq_hash[65], date[AWS_SIGV4_DATE_MAX], day[9];
        unsigned char k1[32], k2[32], sig[32];
        char sig_hex[65];
        struct aws_buf creq = {.secret = true}, sts = {}, sh = {}, authz = {}, key = {.secret = true};
        _cleanup_free_ char *uri = NULL, *query = NULL;

        if (!req || !params || !ret || !req->method || !params->access_key_id ||
            !params->secret_access_key || !params->region || !params->service)
                return -EINVAL;
        if (req->n_headers > SIGV4_MAX_HEADERS)
                return -EINVAL;

        r = -ENOMEM;
        uri = aws_sigv4_canonical_uri(req->path, params->service);
        query = aws_sigv4_canonical_query(req->query);
        if (!uri || !query)
                goto finish;

        for (size_t i = 0; i < req->n_headers; i++) {
                const char *nm = req->headers[i].name, *v = req->headers[i].value ?: "";
                if (isempty(nm) || strlen(nm) > 256 || strlen(v) > SIGV4_MAX_HEADER_LEN) {
                        r = -EINVAL;
                        goto finish;
                }
                hdrs[n].name = strdup(nm);
                hdrs[n].value = normalize_value(v);
                hdrs[n].order = i;
                n++;
                if (!hdrs[n - 1].name || !hdrs[n - 1].value)
                        goto finish;
                for (char *c = hdrs[n - 1].name; *c; c++)
                        *c = (char)tolower((unsigned char)*c);
        }
        qsort(hdrs, n, sizeof(hdrs[0]), hdr_cmp);

        if (req->payload_sha256_hex) {
                if (strlen(req->payload_sha256_hex) != 64) {
                        r = -EINVAL;
                        goto finish;
                }
                memcpy(payload_hash, req->payload_sha256_hex, 65);
        } else if ((r = aws_sha256_hex(req->payload ?: "", req->payload_len, payload_hash)) < 0)
                goto finish;
        r = -ENOMEM;

        aws_buf_printf(&creq, "%s\n%s\n%s\n", req->method, uri, query);
        for (size_t i = 0; i < n; i++) {
                bool repeat = i > 0 && streq(hdrs[i].name, hdrs[i - 1].name);
                if (repeat) {
                        /* Repeated headers are joined with ',' in order of appearance. */
                        aws_buf_putc(&creq, ',');
                        aws_buf_puts(&creq, hdrs[i].value);
                        continue;
                }
                if (i > 0)
                        aws_buf_putc(&creq, '\n');
                aws_buf_printf(&creq, "%s:%s", hdrs[i].name, hdrs[i].value);
                if (sh.len > 0)
                        aws_buf_putc(&sh, ';');
                aws_buf_puts(&sh, hdrs[i].name);
        }
        if (n > 0)
                aws_buf_putc(&creq, '\n');
        aws_buf_printf(&creq, "\n%s\n%s", sh.data ?: "", payload_hash);
        if (creq.oom || sh.oom)
                goto finish;

        if ((r = aws_sha256_hex(creq.data, creq.len, creq_hash)) < 0)
                goto finish;
        r = -ENOMEM;
        aws_sigv4_format_date(params->time, date);
        memcpy(day, date, 8);
        day[8] = '\0';
        aws_buf_printf(&sts, "AWS4-HMAC-SHA256\n%s\n%s/%s/%s/aws4_request\n%s", date, day, params->region,
                       params->service, creq_hash);

        aws_buf_printf(&key, "AWS4%s", params->secret_access_key);
        if (sts.oom || key.oom)
                goto finish;
        if ((r = hmac_sha256(key.data, key.len, day, 8, k1)) < 0 ||
            (r = hmac_sha256(k1, 32, params->region, strlen(params->region), k2)) < 0 ||
            (r = hmac_sha256(k2, 32, params->service, strlen(params->service), k1)) < 0 ||
            (r = hmac_sha256(k1, 32, "aws4_request", 12, k2)) < 0 ||
            (r = hmac_sha256(k2, 32, sts.data, sts.len, sig)) < 0)
                goto finish;
        hex_encode(sig, 32, sig_hex);

        r = -ENOMEM;
        aws_buf_printf(
            &authz, "AWS4-HMAC-SHA256 Credential=%s/%s/%s/%s/aws4_request, SignedHeaders=%s, Signature=%s",
            params->access_key_id, day, params->region, params->service, sh.data ?: "", sig_hex);
        if (authz.oom)
                goto finish;

        *ret = (struct aws_sigv4_result){
            .canonical_request = aws_buf_steal(&creq),
            .string_to_sign = aws_buf_steal(&sts),
            .signed_headers = aws_buf_steal(&sh),
            .authorization = aws_buf_steal(&authz),
        };
        if (!ret->signed_headers)
                ret->signed_headers = strdup("");
        r = 0;
finish:
        OPENSSL_cleanse(k1, sizeof(k1));
        OPENSSL_cleanse(k2, sizeof(k2));
        aws_buf_done(&creq);
        aws_buf_done(&sts);
        aws_buf_done(&sh);
        aws_buf_done(&authz);
        aws_buf_done(&key);
        for (size_t i = 0; i < n; i++) {
                free(hdrs[i].name);
                free_erase(hdrs[i].value);
        }
        return r;
}
