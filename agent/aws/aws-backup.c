/* AWS Backup REST-JSON (2018-11-15): recovery points and backup jobs, with json-c parsing and ARNs
 * encoded as path labels. */
#include "aws-backup.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "array.h"
#include "aws-buf.h"
#include "aws-client-internal.h"
#include "aws-field.h"
#include "aws-json.h"
#include "aws-paging.h"
#include "macro.h"
#include "time-util.h"

#define BACKUP_PAGE_SIZE "1000"
#define BACKUP_MAX_PAGE 1000

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

static const struct aws_field point_fields[] = {
    AWS_FIELD_TEXT("RecoveryPointArn", struct backup_recovery_point, arn),
    AWS_FIELD_TEXT("BackupVaultName", struct backup_recovery_point, backup_vault_name),
    AWS_FIELD_TEXT("ResourceArn", struct backup_recovery_point, resource_arn),
    AWS_FIELD_TEXT("ResourceType", struct backup_recovery_point, resource_type),
    AWS_FIELD_TEXT("Status", struct backup_recovery_point, status),
    AWS_FIELD_TEXT("StatusMessage", struct backup_recovery_point, status_message),
    AWS_FIELD_TEXT("EncryptionKeyArn", struct backup_recovery_point, encryption_key_arn),
    AWS_FIELD_TEXT("IamRoleArn", struct backup_recovery_point, iam_role_arn),
    AWS_FIELD_TIME("CreationDate", struct backup_recovery_point, creation_date),
    AWS_FIELD_TIME("CompletionDate", struct backup_recovery_point, completion_date),
    /* The model's name, and the one some answers use: the later one wins. */
    AWS_FIELD_INT64("BackupSizeInBytes", struct backup_recovery_point, backup_size_bytes),
    AWS_FIELD_INT64("BackupSizeBytes", struct backup_recovery_point, backup_size_bytes),
};

static const struct aws_field job_fields[] = {
    AWS_FIELD_TEXT("BackupJobId", struct backup_job, id),
    AWS_FIELD_TEXT("State", struct backup_job, state),
    AWS_FIELD_TEXT("StatusMessage", struct backup_job, status_message),
    AWS_FIELD_TEXT("RecoveryPointArn", struct backup_job, recovery_point_arn),
    AWS_FIELD_TEXT("ResourceArn", struct backup_job, resource_arn),
    AWS_FIELD_TEXT("BackupVaultName", struct backup_job, backup_vault_name),
    AWS_FIELD_TIME("CreationDate", struct backup_job, creation_date),
    AWS_FIELD_TIME("CompletionDate", struct backup_job, completion_date),
};

/* The JSON readers of aws-field.h's types: TEXT, TIME and INT64. */
static int read_fields(json_object *o, const struct aws_field *fields, size_t n, void *obj)
{
        for (size_t i = 0; i < n; i++) {
                const struct aws_field *f = &fields[i];
                void *p = aws_field_ptr(f, obj);
                int r = f->type == AWS_FIELD_TYPE_TEXT    ? get_str(o, f->name, p)
                        : f->type == AWS_FIELD_TYPE_TIME  ? get_time(o, f->name, p)
                        : f->type == AWS_FIELD_TYPE_INT64 ? get_int(o, f->name, p)
                                                          : -EINVAL;
                if (r < 0)
                        return r;
        }
        return 0;
}

DEFINE_AWS_FIELDS_DONE(backup_recovery_point, struct backup_recovery_point, point_fields)
DEFINE_AWS_LIST_DONE(backup_recovery_point_list, backup_recovery_point_done)
DEFINE_AWS_FIELDS_DONE(backup_job, struct backup_job, job_fields)

static int parse_point(json_object *o, struct backup_recovery_point *ret)
{
        struct backup_recovery_point p = {};
        json_object *lc;
        int64_t days = 0;
        int r;
        if (!json_object_is_type(o, json_type_object))
                return -EBADMSG;
        if ((r = read_fields(o, point_fields, ELEMENTSOF(point_fields), &p)) < 0)
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
        for (size_t i = 0; i < n; i++) {
                if (ARRAY_GROW(l->items, l->allocated, l->n) < 0)
                        return aws_error_set(e, -ENOMEM, AWS_ERROR_PARSE, "OutOfMemory", "out of memory");
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

static int parse_job(json_object *o, struct backup_job *ret)
{
        struct backup_job j = {};
        int64_t pct = 0;
        int r;
        json_object *v;
        if ((r = read_fields(o, job_fields, ELEMENTSOF(job_fields), &j)) < 0)
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

/* ---- reading answers ---- */

/* What one answer is read into: `action` names it in errors. */
typedef int (*backup_reader)(json_object *root, const char *action, void *ret, struct aws_error *e);

struct points_page {
        struct backup_recovery_point_list *list; /* appended to */
        char **next;                             /* freed and replaced */
};

static int read_points_page(json_object *root, const char *action, void *ret, struct aws_error *e)
{
        struct points_page *pg = ret;
        return parse_points_obj(root, pg->list, pg->next, e);
}

/* A one-item answer: `r` is what parsing the item returned, `lacks` what its absence means. */
static int item_result(int r, const char *action, const char *lacks, struct aws_error *e)
{
        if (r < 0)
                return aws_error_set(e, r, AWS_ERROR_PARSE, "MalformedResponse", "%s response lacks %s",
                                     action, lacks);
        return 0;
}

static int read_point(json_object *root, const char *action, void *ret, struct aws_error *e)
{
        return item_result(parse_point(root, ret), action, "RecoveryPointArn/Status", e);
}

static int read_job(json_object *root, const char *action, void *ret, struct aws_error *e)
{
        return item_result(parse_job(root, ret), action, "BackupJobId", e);
}

static int read_body(const char *json, size_t len, backup_reader read, const char *action, void *ret,
                     struct aws_error *e)
{
        _cleanup_json_ json_object *root = NULL;
        int r = aws_json_parse(json, len, &root, e);
        if (r < 0)
                return r;
        return read(root, action, ret, e);
}

int backup_parse_recovery_points(const char *json, size_t len, struct backup_recovery_point_list *ret,
                                 char **ret_next_token, struct aws_error *e)
{
        struct backup_recovery_point_list l = {};
        _cleanup_free_ char *next = NULL;
        int r = read_body(json, len, read_points_page, "ListRecoveryPoints",
                          &(struct points_page){&l, &next}, e);
        if (r < 0) {
                backup_recovery_point_list_done(&l);
                return r;
        }
        *ret = l;
        if (ret_next_token)
                *ret_next_token = TAKE_PTR(next);
        return 0;
}

int backup_parse_recovery_point(const char *json, size_t len, struct backup_recovery_point *ret,
                                struct aws_error *e)
{
        return read_body(json, len, read_point, "DescribeRecoveryPoint", ret, e);
}

int backup_parse_backup_job(const char *json, size_t len, const char *action, struct backup_job *ret,
                            struct aws_error *e)
{
        return read_body(json, len, read_job, action, ret, e);
}

/* ---- requests ---- */

static int out_of_memory(struct aws_error *e)
{
        return aws_error_set(e, -ENOMEM, AWS_ERROR_INVALID, "OutOfMemory", "out of memory");
}

/* "{prefix}{label}{middle}{label2}" (middle and label2 may be NULL). Path labels keep only unreserved
 * characters: ARNs become arn%3Aaws%3Ards... NULL when out of memory. */
static char *rest_path(const char *prefix, const char *label, const char *middle, const char *label2)
{
        struct aws_buf b = {};
        aws_buf_puts(&b, prefix);
        aws_buf_encode(&b, label, strlen(label), false);
        if (middle)
                aws_buf_puts(&b, middle);
        if (label2)
                aws_buf_encode(&b, label2, strlen(label2), false);
        return aws_buf_steal(&b);
}

char *backup_recovery_point_path(const char *vault_name, const char *recovery_point_arn)
{
        return rest_path("/backup-vaults/", vault_name, "/recovery-points/", recovery_point_arn);
}

/* One request; a 2xx answer is read by `read` into `ret` (no `read`: the body is not looked at). */
static int backup_call(struct aws_client *c, const char *method, const char *path, const char *query,
                       const char *body, backup_reader read, const char *action, void *ret,
                       struct aws_error *e)
{
        struct aws_response resp = {};
        struct aws_request req = {
            .service = AWS_SERVICE_BACKUP,
            .protocol = AWS_PROTOCOL_REST_JSON,
            .method = method,
            .path = path,
            .query = query,
            .body = body,
            .body_len = body ? strlen(body) : 0,
        };
        int r = aws_client_send(c, &req, &resp, e);
        if (r >= 0 && read)
                r = read_body(resp.body, resp.body_len, read, action, ret, e);
        aws_response_done(&resp);
        return r;
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

/* ---- recovery points ---- */

static int list_points(struct aws_client *c, const char *operation, const char *path,
                       const char *extra_query, struct backup_recovery_point_list *ret, struct aws_error *e)
{
        struct backup_recovery_point_list l = {};
        _cleanup_free_ char *next = NULL;
        _cleanup_paging_ struct aws_paging pg = AWS_PAGING_INIT(operation, "NextToken");
        int r;
        do {
                struct aws_buf q = {};
                _cleanup_free_ char *query = NULL;
                aws_buf_param(&q, "maxResults", BACKUP_PAGE_SIZE);
                if (next)
                        aws_buf_param(&q, "nextToken", next);
                if (extra_query) {
                        aws_buf_putc(&q, '&');
                        aws_buf_puts(&q, extra_query);
                }
                query = aws_buf_steal(&q);
                if (!query) {
                        r = out_of_memory(e);
                        goto fail;
                }
                if ((r = backup_call(c, "GET", path, query, NULL, read_points_page, operation,
                                     &(struct points_page){&l, &next}, e)) < 0)
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
        aws_error_clear(e);
        if (isempty(resource_arn))
                return aws_error_set(e, -EINVAL, AWS_ERROR_INVALID, "MissingParameter",
                                     "a resource ARN is needed");
        _cleanup_free_ char *path = rest_path("/resources/", resource_arn, "/recovery-points/", NULL);
        if (!path)
                return out_of_memory(e);
        return list_points(c, "ListRecoveryPointsByResource", path, NULL, ret, e);
}

int backup_list_recovery_points_by_vault(struct aws_client *c, const char *vault_name,
                                         const char *resource_arn, struct backup_recovery_point_list *ret,
                                         struct aws_error *e)
{
        struct aws_buf q = {};
        aws_error_clear(e);
        if (!vault_name_valid(vault_name))
                return aws_error_set(e, -EINVAL, AWS_ERROR_INVALID, "InvalidParameterValue",
                                     "invalid backup vault name");
        _cleanup_free_ char *path = rest_path("/backup-vaults/", vault_name, "/recovery-points/", NULL);
        if (resource_arn)
                aws_buf_param(&q, "resourceArn", resource_arn);
        _cleanup_free_ char *query = resource_arn ? aws_buf_steal(&q) : NULL;
        if (!path || (resource_arn && !query))
                return out_of_memory(e);
        return list_points(c, "ListRecoveryPointsByBackupVault", path, query, ret, e);
}

/* The path of one recovery point, after checking both names. */
static int recovery_point_path(const char *vault_name, const char *recovery_point_arn, char **ret,
                               struct aws_error *e)
{
        if (!vault_name_valid(vault_name) || isempty(recovery_point_arn))
                return aws_error_set(e, -EINVAL, AWS_ERROR_INVALID, "InvalidParameterValue",
                                     "invalid backup vault name or recovery point ARN");
        *ret = backup_recovery_point_path(vault_name, recovery_point_arn);
        return *ret ? 0 : out_of_memory(e);
}

int backup_describe_recovery_point(struct aws_client *c, const char *vault_name,
                                   const char *recovery_point_arn, struct backup_recovery_point *ret,
                                   struct aws_error *e)
{
        _cleanup_free_ char *path = NULL;
        aws_error_clear(e);
        int r = recovery_point_path(vault_name, recovery_point_arn, &path, e);
        if (r < 0)
                return r;
        return backup_call(c, "GET", path, NULL, NULL, read_point, "DescribeRecoveryPoint", ret, e);
}

int backup_delete_recovery_point(struct aws_client *c, const char *vault_name,
                                 const char *recovery_point_arn, struct aws_error *e)
{
        _cleanup_free_ char *path = NULL;
        aws_error_clear(e);
        int r = recovery_point_path(vault_name, recovery_point_arn, &path, e);
        if (r < 0)
                return r;
        return backup_call(c, "DELETE", path, NULL, NULL, NULL, "DeleteRecoveryPoint", NULL, e);
}

/* ---- backup jobs ---- */

int backup_start_backup_job(struct aws_client *c, const struct backup_job_params *p, struct backup_job *ret,
                            struct aws_error *e)
{
        _cleanup_json_ json_object *body = json_object_new_object();
        aws_error_clear(e);
        if (!vault_name_valid(p->vault_name) || isempty(p->resource_arn) || isempty(p->iam_role_arn))
                return aws_error_set(
                    e, -EINVAL, AWS_ERROR_INVALID, "InvalidParameterValue",
                    "StartBackupJob needs a valid vault name, resource ARN and IAM role ARN");
        if (!body)
                return out_of_memory(e);
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
                return out_of_memory(e);
        return backup_call(c, "PUT", "/backup-jobs", NULL, s, read_job, "StartBackupJob", ret, e);
}

int backup_describe_backup_job(struct aws_client *c, const char *job_id, struct backup_job *ret,
                               struct aws_error *e)
{
        aws_error_clear(e);
        if (isempty(job_id))
                return aws_error_set(e, -EINVAL, AWS_ERROR_INVALID, "MissingParameter",
                                     "a backup job id is needed");
        _cleanup_free_ char *path = rest_path("/backup-jobs/", job_id, NULL, NULL);
        if (!path)
                return out_of_memory(e);
        return backup_call(c, "GET", path, NULL, NULL, read_job, "DescribeBackupJob", ret, e);
}
