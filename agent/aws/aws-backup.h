/* Typed AWS Backup operations (REST-JSON, 2018-11-15): recovery points and backup jobs. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "aws-client.h"
#include "aws-error.h"

#define BACKUP_MAX_LIST 100000

struct backup_recovery_point {
        char *arn;
        char *backup_vault_name;
        char *resource_arn; /* NULL from ListRecoveryPointsByResource */
        char *resource_type;
        char *status; /* CREATING, AVAILABLE, COMPLETED, PARTIAL, DELETING, EXPIRED, STOPPED */
        char *status_message;
        char *encryption_key_arn;
        char *iam_role_arn;
        int64_t creation_date;   /* UTC epoch seconds */
        int64_t completion_date; /* 0 if absent */
        int64_t backup_size_bytes;
        unsigned delete_after_days; /* Lifecycle; 0 if unset */
};

struct backup_recovery_point_list {
        struct backup_recovery_point *items;
        size_t n;
        size_t allocated; /* room in items (array_grow) */
};

struct backup_job {
        char *id;
        char *state; /* CREATED, PENDING, RUNNING, ABORTING, ABORTED, COMPLETED, FAILED, EXPIRED, PARTIAL */
        char *status_message;
        char *recovery_point_arn;
        char *resource_arn;
        char *backup_vault_name;
        int64_t creation_date;
        int64_t completion_date;
        unsigned percent_done;
};

void backup_recovery_point_done(struct backup_recovery_point *p);
void backup_recovery_point_list_done(struct backup_recovery_point_list *l);
void backup_job_done(struct backup_job *j);

/* All pages. */
int backup_list_recovery_points_by_resource(struct aws_client *c, const char *resource_arn,
                                            struct backup_recovery_point_list *ret, struct aws_error *e);
/* resource_arn may be NULL (whole vault). */
int backup_list_recovery_points_by_vault(struct aws_client *c, const char *vault_name,
                                         const char *resource_arn, struct backup_recovery_point_list *ret,
                                         struct aws_error *e);
int backup_describe_recovery_point(struct aws_client *c, const char *vault_name,
                                   const char *recovery_point_arn, struct backup_recovery_point *ret,
                                   struct aws_error *e);
/* A 200 does not prove deletion (without permissions the point only goes EXPIRED): confirm with
 * backup_describe_recovery_point. */
int backup_delete_recovery_point(struct aws_client *c, const char *vault_name,
                                 const char *recovery_point_arn, struct aws_error *e);

struct backup_job_params {
        const char *vault_name;
        const char *resource_arn;
        const char *iam_role_arn;
        const char *idempotency_token; /* NULL: none */
        unsigned start_window_minutes; /* 0: service default */
        unsigned complete_window_minutes;
        unsigned delete_after_days; /* 0: none */
};
int backup_start_backup_job(struct aws_client *c, const struct backup_job_params *p, struct backup_job *ret,
                            struct aws_error *e);
int backup_describe_backup_job(struct aws_client *c, const char *job_id, struct backup_job *ret,
                               struct aws_error *e);

/* Parsers and path building, exposed for unit tests. */
int backup_parse_recovery_points(const char *json, size_t len, struct backup_recovery_point_list *ret,
                                 char **ret_next_token, struct aws_error *e);
int backup_parse_recovery_point(const char *json, size_t len, struct backup_recovery_point *ret,
                                struct aws_error *e);
/* StartBackupJob and DescribeBackupJob answers; `action` names the call in the error. */
int backup_parse_backup_job(const char *json, size_t len, const char *action, struct backup_job *ret,
                            struct aws_error *e);
/* "/backup-vaults/{vault}/recovery-points/{arn}" with each label encoded (':' -> %3A, '/' -> %2F). */
char *backup_recovery_point_path(const char *vault_name, const char *recovery_point_arn);
