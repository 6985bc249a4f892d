/* Fuzz target: the AWS Backup REST-JSON response parsers (agent/aws/aws-backup.c): a page of recovery
 * points, one recovery point, one backup job. Every input goes to all three, as any of the three
 * calls could receive it. */
#include <string.h>

#include "aws-backup.h"
#include "fuzz.h"
#include "macro.h"

static void check_error(int r, const struct aws_error *e)
{
        FUZZ_CHECK(r == -EBADMSG || r == -ENOMEM);
        FUZZ_CHECK(e->kind == AWS_ERROR_PARSE && !isempty(e->code));
}

/* Whether the parse that returned `r` succeeded; a failure must be a clean parse error. */
static bool parsed(int r, const struct aws_error *e)
{
        if (r < 0)
                check_error(r, e);
        return r >= 0;
}

static void check_point(const struct backup_recovery_point *p)
{
        FUZZ_CHECK(!isempty(p->arn) && !isempty(p->status));
        /* The path the agent would build to describe or delete it. */
        char *path = backup_recovery_point_path(p->backup_vault_name ?: "vault", p->arn);
        FUZZ_CHECK(path && !strchr(path + strlen("/backup-vaults/"), ':'));
        free(path);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        const char *json = (const char *)data;
        struct backup_recovery_point_list l = {};
        struct backup_recovery_point p = {};
        struct backup_job j = {};
        struct aws_error e = {};
        char *next = NULL;

        if (parsed(backup_parse_recovery_points(json, size, &l, &next, &e), &e)) {
                FUZZ_CHECK(l.n <= BACKUP_MAX_LIST && (!next || next[0] != '\0'));
                for (size_t i = 0; i < l.n; i++)
                        check_point(&l.items[i]);
        }
        backup_recovery_point_list_done(&l);
        free(next);

        if (parsed(backup_parse_recovery_point(json, size, &p, &e), &e))
                check_point(&p);
        backup_recovery_point_done(&p);

        if (parsed(backup_parse_backup_job(json, size, "DescribeBackupJob", &j, &e), &e))
                FUZZ_CHECK(!isempty(j.id) && j.percent_done <= 100);
        backup_job_done(&j);
        return 0;
}
