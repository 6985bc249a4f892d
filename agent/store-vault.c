/* The AWS Backup vault cache in state.db (see store.h): which vault holds a resource's recovery points, so
 * that a delete need not search every vault again. */
#include <errno.h>

#include "store-internal.h"

static const char *const vault_sql[_STMT_MAX] = {
    [STMT_VAULT_GET] = "SELECT vault FROM vault_cache WHERE resource_arn = ?1",
    [STMT_VAULT_PUT] = "INSERT INTO vault_cache (resource_arn, vault, updated_at) VALUES (?1, ?2, ?3) "
                       "ON CONFLICT (resource_arn) DO UPDATE SET vault = excluded.vault, "
                       "updated_at = excluded.updated_at",
    [STMT_VAULT_FORGET] = "DELETE FROM vault_cache WHERE resource_arn = ?1",
};

int store_vault_cache_get(struct store *s, const char *resource_arn, char **ret_vault)
{
        if (!resource_arn)
                return -EINVAL;
        return store_get(s, vault_sql, STMT_VAULT_GET, &store_text_rows, ret_vault, ARG_TEXT(resource_arn));
}

int store_vault_cache_put(struct store *s, const char *resource_arn, const char *vault, int64_t now)
{
        if (!resource_arn || !vault)
                return -EINVAL;
        return store_run(s, vault_sql, STMT_VAULT_PUT, ARG_TEXT(resource_arn), ARG_TEXT(vault),
                         ARG_INT(now));
}

int store_vault_cache_forget(struct store *s, const char *resource_arn)
{
        if (!resource_arn)
                return -EINVAL;
        return store_run(s, vault_sql, STMT_VAULT_FORGET, ARG_TEXT(resource_arn));
}
