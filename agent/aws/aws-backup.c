/* AWS Backup REST-JSON (2018-11-15): recovery points and backup jobs, with json-c parsing and ARNs
 * encoded as path labels. */
#include "aws-backup.h"

#include <errno.h>
#include <json-c/json.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "aws-buf.h"
#include "aws-client-internal.h"
#include "aws-paging.h"
#include "macro.h"
#include "time-util.h"

#define BACKUP_PAGE_SIZE "1000"
#define BACKUP_MAX_PAGE 1000

void backup_recovery_point_done(struct backup_recovery_point *p)
{
        if (!p)
                return;
        free(p->arn);
        free(p->backup_vault_name);
        free(p->resource_arn);
        free(p->resource_type);
        free(p->status);
        free(p->status_message);
        free(p->encryption_key_arn);
        free(p->iam_role_arn);
        *p = (struct backup_recovery_point){};
}

void backup_recovery_point_list_done(struct backup_recovery_point_list *l)
{
        if (!l)
                return;
        for (size_t i = 0; i < l->n; i++)
                backup_recovery_point_done(&l->items[i]);
        free(l->items);
        *l = (struct backup_recovery_point_list){};
}

void backup_job_done(struct backup_job *j)
{
        if (!j)
                return;
        free(j->id);
        free(j->state);
        free(j->status_message);
        free(j->recovery_point_arn);
        free(j->resource_arn);
        free(j->backup_vault_name);
        *j = (struct backup_job){};
}

static void json_putp(json_object **o)
{
        if (*o)
                json_object_put(*o);
}
#define _cleanup_json_ __attribute__((cleanup(json_putp)))

static int parse_json(const char *s, size_t len, json_object **ret, struct aws_error *e)
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

/* Optional string member: NULL if absent; -EBADMSG if of another type or too long. */
static int get_str(json_object *o, const char *key, char **ret)
{
        json_object *v;
        if (!json_object_object_get_ex(o, key, &v) || json_object_is_type(v, json_type_null))
                return 0;
        if (!json_object_is_type(v, json_type_string) || json_object_get_string_len(v) > 64 * 1024)
                return -EBADMSG;
        char *s = strdup(json_object_get_string(v));
        if (!s)
                return -ENOMEM;
        free(*ret);
        *ret = s;
        return 0;
}

/* Body timestamps are epoch seconds (fractional). */
static int get_time(json_object *o, const char *key, int64_t *ret)
{
        json_object *v;
        if (!json_object_object_get_ex(o, key, &v) || json_object_is_type(v, json_type_null))
                return 0;
        if (json_object_is_type(v, json_type_int)) {
                *ret = json_object_get_int64(v);
                return 0;
        }
        if (json_object_is_type(v, json_type_double)) {
                double d = json_object_get_double(v);
                if (!isfinite(d) || d < 0 || d > 1e12)
                        return -EBADMSG;
                *ret = (int64_t)floor(d);
                return 0;
        }
        if (json_object_is_type(v, json_type_string))
                return time_parse_iso8601(json_object_get_string(v), ret) < 0 ? -EBADMSG : 0;
        return -EBADMSG;
}

static int get_int(json_object *o, const char *key, int64_t *ret)
{
        json_object *v;
        if (!json_object_object_get_ex(o, key, &v) || json_object_is_type(v, json_type_null))
                return 0;
        if (!json_object_is_type(v, json_type_int) && !json_object_is_type(v, json_type_double))
                return -EBADMSG;
        *ret = json_object_get_int64(v);
        return 0;
}

static int parse_point(json_object *o, struct backup_recovery_point *ret)
{
        struct backup_recovery_point p = {};
        json_object *lc;
        int64_t days = 0;
        int r;
        if (!json_object_is_type(o, json_type_object))
                return -EBADMSG;
        if ((r = get_str(o, "RecoveryPointArn", &p.arn)) < 0 ||
            (r = get_str(o, "BackupVaultName", &p.backup_vault_name)) < 0 ||
            (r = get_str(o, "ResourceArn", &p.resource_arn)) < 0 ||
            (r = get_str(o, "ResourceType", &p.resource_type)) < 0 ||
            (r = get_str(o, "Status", &p.status)) < 0 ||
            (r = get_str(o, "StatusMessage", &p.status_message)) < 0 ||
            (r = get_str(o, "EncryptionKeyArn", &p.encryption_key_arn)) < 0 ||
            (r = get_str(o, "IamRoleArn", &p.iam_role_arn)) < 0 ||
            (r = get_time(o, "CreationDate", &p.creation_date)) < 0 ||
            (r = get_time(o, "CompletionDate", &p.completion_date)) < 0 ||
            (r = get_int(o, "BackupSizeInBytes", &p.backup_size_bytes)) < 0 ||
            (r = get_int(o, "BackupSizeBytes", &p.backup_size_bytes)) < 0)
                goto fail;
        if (json_object_object_get_ex(o, "Lifecycle", &lc) && json_object_is_type(lc, json_type_object)) {
                if ((r = get_int(lc, "DeleteAfterDays", &days)) < 0)
                        goto fail;
                p.delete_after_days = days > 0 && days < UINT32_MAX ? (unsigned)days : 0;
        }
        if (isempty(p.arn) || isempty(p.status)) {
                r = -EBADMSG;
                goto fail;
        }
        *ret = p;
        return 0;
fail:
        backup_recovery_point_done(&p);
        return r;
}

static int parse_points_obj(json_object *root, struct backup_recovery_point_list *l, char **ret_next,
                            struct aws_error *e)
{
        json_object *arr;
        _cleanup_free_ char *next = NULL;
        if (!json_object_object_get_ex(root, "RecoveryPoints", &arr) ||
            !json_object_is_type(arr, json_type_array))
                return aws_error_set(e, -EBADMSG, AWS_ERROR_PARSE, "MalformedResponse",
                                     "response lacks the RecoveryPoints array");
        size_t n = json_object_array_length(arr);
        if (n > BACKUP_MAX_PAGE || l->n + n > BACKUP_MAX_LIST)
                return aws_error_set(e, -EBADMSG, AWS_ERROR_PARSE, "TooManyItems",
                                     "too many recovery points");
        struct backup_recovery_point *items = reallocarray(l->items, l->n + n + 1, sizeof(*items));
        if (!items)
                return aws_error_set(e, -ENOMEM, AWS_ERROR_PARSE, "OutOfMemory", "out of memory");
        l->items = items;
        for (size_t i = 0; i < n; i++) {
                int r = parse_point(json_object_array_get_idx(arr, i), &l->items[l->n]);
                if (r < 0)
                        return aws_error_set(e, r, AWS_ERROR_PARSE, "MalformedResponse",
                                             "a recovery point lacks RecoveryPointArn/Status");
                l->n++;
        }
        if (get_str(root, "NextToken", &next) < 0)
                return aws_error_set(e, -EBADMSG, AWS_ERROR_PARSE, "MalformedResponse", "bad NextToken");
        if (ret_next) {
                free(*ret_next);
                *ret_next = isempty(next) ? NULL : TAKE_PTR(next);
        }
        return 0;
}

int backup_parse_recovery_points(const char *json, size_t len, struct backup_recovery_point_list *ret,
                                 char **ret_next_token, struct aws_error *e)
{
        _cleanup_json_ json_object *root = NULL;
        struct backup_recovery_point_list l = {};
        char *next = NULL;
        int r = parse_json(json, len, &root, e);
        if (r < 0)
                return r;
        if ((r = parse_points_obj(root, &l, &next, e)) < 0) {
                backup_recovery_point_list_done(&l);
                free(next);
                return r;
        }
        *ret = l;
        if (ret_next_token)
                *ret_next_token = next;
        else
                free(next);
        return 0;
}

int backup_parse_recovery_point(const char *json, size_t len, struct backup_recovery_point *ret,
                                struct aws_error *e)
{
        _cleanup_json_ json_object *root = NULL;
        int r = parse_json(json, len, &root, e);
        if (r < 0)
                return r;
        if ((r = parse_point(root, ret)) < 0)
                return aws_error_set(e, r, AWS_ERROR_PARSE, "MalformedResponse",
                                     "DescribeRecoveryPoint response lacks RecoveryPointArn/Status");
        return 0;
}

/* Path labels keep only unreserved characters: ARNs become arn%3Aaws%3Ards... */
static void path_label(struct aws_buf *b, const char *s)
{
        aws_buf_encode(b, s, strlen(s), false);
}

char *backup_recovery_point_path(const char *vault_name, const char *recovery_point_arn)
{
        struct aws_buf b = {};
        aws_buf_puts(&b, "/backup-vaults/");
        path_label(&b, vault_name);
        aws_buf_puts(&b, "/recovery-points/");
        path_label(&b, recovery_point_arn);
        return aws_buf_steal(&b);
}

static int backup_send(struct aws_client *c, const char *method, const char *path, const char *query,
                       const char *body, struct aws_response *ret, struct aws_error *e)
{
        struct aws_request req = {
            .service = AWS_SERVICE_BACKUP,
            .protocol = AWS_PROTOCOL_REST_JSON,
            .method = method,
            .path = path,
            .query = query,
            .content_type = body ? "application/json" : NULL,
            .body = body,
            .body_len = body ? strlen(body) : 0,
        };
        return aws_client_send(c, &req, ret, e);
}

static bool vault_name_valid(const char *v)
{
        size_t l = v ? strlen(v) : 0;
        if (l < 2 || l > 50)
                return false;
        for (const char *p = v; *p; p++)
                if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
                      *p == '-' || *p == '_'))
                        return false;
        return true;
}

static int list_points(struct aws_client *c, const char *operation, const char *path,
                       const char *extra_query, struct backup_recovery_point_list *ret, struct aws_error *e)
{
        struct backup_recovery_point_list l = {};
        _cleanup_free_ char *next = NULL;
        _cleanup_paging_ struct aws_paging pg = AWS_PAGING_INIT(operation, "NextToken");
        int r;
        do {
                struct aws_buf q = {};
                struct aws_response resp = {};
                _cleanup_free_ char *query = NULL;
                _cleanup_json_ json_object *root = NULL;
                aws_buf_param(&q, "maxResults", BACKUP_PAGE_SIZE);
                if (next)
                        aws_buf_param(&q, "nextToken", next);
                if (extra_query) {
                        aws_buf_putc(&q, '&');
                        aws_buf_puts(&q, extra_query);
                }
                query = aws_buf_steal(&q);
                if (!query) {
                        r = aws_error_set(e, -ENOMEM, AWS_ERROR_INVALID, "OutOfMemory", "out of memory");
                        goto fail;
                }
                if ((r = backup_send(c, "GET", path, query, NULL, &resp, e)) < 0)
                        goto fail;
                r = parse_json(resp.body, resp.body_len, &root, e);
                aws_response_done(&resp);
                if (r < 0 || (r = parse_points_obj(root, &l, &next, e)) < 0)
                        goto fail;
        } while ((r = aws_paging_next(&pg, next, e)) > 0);
        if (r < 0)
                goto fail;
        *ret = l;
        return 0;
fail:
        backup_recovery_point_list_done(&l);
        return r;
}

int backup_list_recovery_points_by_resource(struct aws_client *c, const char *resource_arn,
                                            struct backup_recovery_point_list *ret, struct aws_error *e)
{
        struct aws_buf b = {};
        aws_error_clear(e);
        if (isempty(resource_arn))
                return aws_error_set(e, -EINVAL, AWS_ERROR_INVALID, "MissingParameter",
                                     "a resource ARN is needed");
        aws_buf_puts(&b, "/resources/");
        path_label(&b, resource_arn);
        aws_buf_puts(&b, "/recovery-points/");
        _cleanup_free_ char *path = aws_buf_steal(&b);
        if (!path)
                return aws_error_set(e, -ENOMEM, AWS_ERROR_INVALID, "OutOfMemory", "out of memory");
        return list_points(c, "ListRecoveryPointsByResource", path, NULL, ret, e);
}

int backup_list_recovery_points_by_vault(struct aws_client *c, const char *vault_name,
                                         const char *resource_arn, struct backup_recovery_point_list *ret,
                                         struct aws_error *e)
{
        struct aws_buf b = {}, q = {};
        aws_error_clear(e);
        if (!vault_name_valid(vault_name))
                return aws_error_set(e, -EINVAL, AWS_ERROR_INVALID, "InvalidParameterValue",
                                     "invalid backup vault name");
        aws_buf_puts(&b, "/backup-vaults/");
        path_label(&b, vault_name);
        aws_buf_puts(&b, "/recovery-points/");
        _cleanup_free_ char *path = aws_buf_steal(&b);
        if (resource_arn)
                aws_buf_param(&q, "resourceArn", resource_arn);
        _cleanup_free_ char *query = resource_arn ? aws_buf_steal(&q) : NULL;
        if (!path || (resource_arn && !query))
                return aws_error_set(e, -ENOMEM, AWS_ERROR_INVALID, "OutOfMemory", "out of memory");
        return list_points(c, "ListRecoveryPointsByBackupVault", path, query, ret, e);
}

int backup_describe_recovery_point(struct aws_client *c, const char *vault_name,
                                   const char *recovery_point_arn, struct backup_recovery_point *ret,
                                   struct aws_error *e)
{
        struct aws_response resp = {};
        aws_error_clear(e);
        if (!vault_name_valid(vault_name) || isempty(recovery_point_arn))
                return aws_error_set(e, -EINVAL, AWS_ERROR_INVALID, "InvalidParameterValue",
                                     "invalid backup vault name or recovery point ARN");
        _cleanup_free_ char *path = backup_recovery_point_path(vault_name, recovery_point_arn);
        if (!path)
                return aws_error_set(e, -ENOMEM, AWS_ERROR_INVALID, "OutOfMemory", "out of memory");
        int r = backup_send(c, "GET", path, NULL, NULL, &resp, e);
        if (r < 0)
                return r;
        r = backup_parse_recovery_point(resp.body, resp.body_len, ret, e);
        aws_response_done(&resp);
        return r;
}

int backup_delete_recovery_point(struct aws_client *c, const char *vault_name,
                                 const char *recovery_point_arn, struct aws_error *e)
{
        struct aws_response resp = {};
        aws_error_clear(e);
        if (!vault_name_valid(vault_name) || isempty(recovery_point_arn))
                return aws_error_set(e, -EINVAL, AWS_ERROR_INVALID, "InvalidParameterValue",
                                     "invalid backup vault name or recovery point ARN");
        _cleanup_free_ char *path = backup_recovery_point_path(vault_name, recovery_point_arn);
        if (!path)
                return aws_error_set(e, -ENOMEM, AWS_ERROR_INVALID, "OutOfMemory", "out of memory");
        int r = backup_send(c, "DELETE", path, NULL, NULL, &resp, e);
        aws_response_done(&resp);
        return r;
}

static int parse_job(json_object *o, struct backup_job *ret)
{
        struct backup_job j = {};
        int64_t pct = 0;
        int r;
        json_object *v;
        if ((r = get_str(o, "BackupJobId", &j.id)) < 0 || (r = get_str(o, "State", &j.state)) < 0 ||
            (r = get_str(o, "StatusMessage", &j.status_message)) < 0 ||
            (r = get_str(o, "RecoveryPointArn", &j.recovery_point_arn)) < 0 ||
            (r = get_str(o, "ResourceArn", &j.resource_arn)) < 0 ||
            (r = get_str(o, "BackupVaultName", &j.backup_vault_name)) < 0 ||
            (r = get_time(o, "CreationDate", &j.creation_date)) < 0 ||
            (r = get_time(o, "CompletionDate", &j.completion_date)) < 0)
                goto fail;
        /* PercentDone is a string in the model ("12.5"). */
        if (json_object_object_get_ex(o, "PercentDone", &v)) {
                if (json_object_is_type(v, json_type_string)) {
                        /* Checked before the cast: a double beyond int64, or NaN, is undefined there. */
                        double d = strtod(json_object_get_string(v), NULL);
                        pct = d >= 0 && d <= 100 ? (int64_t)d : 0;
                } else if ((r = get_int(o, "PercentDone", &pct)) < 0)
                        goto fail;
        }
        j.percent_done = pct >= 0 && pct <= 100 ? (unsigned)pct : 0;
        if (isempty(j.id)) {
                r = -EBADMSG;
                goto fail;
        }
        *ret = j;
        return 0;
fail:
        backup_job_done(&j);
        return r;
}

int backup_parse_backup_job(const char *json, size_t len, const char *action, struct backup_job *ret,
                            struct aws_error *e)
{
        _cleanup_json_ json_object *root = NULL;
        int r = parse_json(json, len, &root, e);
        if (r < 0)
                return r;
        if ((r = parse_job(root, ret)) < 0)
                return aws_error_set(e, r, AWS_ERROR_PARSE, "MalformedResponse",
                                     "%s response lacks BackupJobId", action);
        return 0;
}

int backup_start_backup_job(struct aws_client *c, const struct backup_job_params *p, struct backup_job *ret,
                            struct aws_error *e)
{
        struct aws_response resp = {};
        _cleanup_json_ json_object *body = json_object_new_object();
        aws_error_clear(e);
        if (!vault_name_valid(p->vault_name) || isempty(p->resource_arn) || isempty(p->iam_role_arn))
                return aws_error_set(
                    e, -EINVAL, AWS_ERROR_INVALID, "InvalidParameterValue",
                    "StartBackupJob needs a valid vault name, resource ARN and IAM role ARN");
        if (!body)
                return aws_error_set(e, -ENOMEM, AWS_ERROR_INVALID, "OutOfMemory", "out of memory");
        json_object_object_add(body, "BackupVaultName", json_object_new_string(p->vault_name));
        json_object_object_add(body, "ResourceArn", json_object_new_string(p->resource_arn));
        json_object_object_add(body, "IamRoleArn", json_object_new_string(p->iam_role_arn));
        if (p->idempotency_token)
                json_object_object_add(body, "IdempotencyToken",
                                       json_object_new_string(p->idempotency_token));
        if (p->start_window_minutes)
                json_object_object_add(body, "StartWindowMinutes",
                                       json_object_new_int64(p->start_window_minutes));
        if (p->complete_window_minutes)
                json_object_object_add(body, "CompleteWindowMinutes",
                                       json_object_new_int64(p->complete_window_minutes));
        if (p->delete_after_days) {
                json_object *lc = json_object_new_object();
                json_object_object_add(lc, "DeleteAfterDays", json_object_new_int64(p->delete_after_days));
                json_object_object_add(body, "Lifecycle", lc);
        }
        const char *s = json_object_to_json_string_ext(body, JSON_C_TO_STRING_PLAIN);
        if (!s)
                return aws_error_set(e, -ENOMEM, AWS_ERROR_INVALID, "OutOfMemory", "out of memory");
        int r = backup_send(c, "PUT", "/backup-jobs", NULL, s, &resp, e);
        if (r < 0)
                return r;
        r = backup_parse_backup_job(resp.body, resp.body_len, "StartBackupJob", ret, e);
        aws_response_done(&resp);
        return r;
}

int backup_describe_backup_job(struct aws_client *c, const char *job_id, struct backup_job *ret,
                               struct aws_error *e)
{
        struct aws_response resp = {};
        struct aws_buf b = {};
        aws_error_clear(e);
        if (isempty(job_id))
                return aws_error_set(e, -EINVAL, AWS_ERROR_INVALID, "MissingParameter",
                                     "a backup job id is needed");
        aws_buf_puts(&b, "/backup-jobs/");
        path_label(&b, job_id);
        _cleanup_free_ char *path = aws_buf_steal(&b);
        if (!path)
                return aws_error_set(e, -ENOMEM, AWS_ERROR_INVALID, "OutOfMemory", "out of memory");
        int r = backup_send(c, "GET", path, NULL, NULL, &resp, e);
        if (r < 0)
                return r;
        r = backup_parse_backup_job(resp.body, resp.body_len, "DescribeBackupJob", ret, e);
        aws_response_done(&resp);
        return r;
}
