/* Each selected cluster's backup storage in state.db (see store.h), from CloudWatch at a full inventory:
 * replaced region by region, so a region that could not be read keeps its last figures. */
#include <errno.h>
#include <stdlib.h>

#include "store-internal.h"

static const struct store_column backup_storage_columns[] = {
    STORE_TEXT(struct backup_storage_record, region),
    STORE_TEXT(struct backup_storage_record, cluster),
    STORE_OTHER(struct backup_storage_record, billed_bytes),
    STORE_OTHER(struct backup_storage_record, snapshot_bytes),
    STORE_INT64(struct backup_storage_record, observed_at),
};

/* A figure CloudWatch did not give is NULL, not 0. */
static int backup_storage_read_figures(struct store *s, sqlite3_stmt *st, void *ret)
{
        struct backup_storage_record *x = ret;

        (void)s;
        x->has_billed = sqlite3_column_type(st, 2) != SQLITE_NULL;
        x->billed_bytes = sqlite3_column_double(st, 2);
        x->has_snapshot = sqlite3_column_type(st, 3) != SQLITE_NULL;
        x->snapshot_bytes = sqlite3_column_double(st, 3);
        return 0;
}

DEFINE_STORE_ROWS(backup_storage_rows, struct backup_storage_record, backup_storage_columns,
                  .read_rest = backup_storage_read_figures);

DEFINE_STORE_ARRAY_FREE(backup_storage_records_free, struct backup_storage_record, backup_storage_rows)

static int backup_storage_write(struct store *s, char *const *regions, size_t n_regions,
                                const struct backup_storage_record *rec, size_t n)
{
        _cleanup_finalize_ sqlite3_stmt *del = NULL, *add = NULL;
        int r;

        r = store_prepare(s, "DELETE FROM backup_storage WHERE region = ?1", &del);
        if (r >= 0)
                r = store_prepare(s,
                                  "INSERT OR REPLACE INTO backup_storage (region, cluster, billed_bytes, "
                                  "snapshot_bytes, observed_at) VALUES (?1, ?2, ?3, ?4, ?5)",
                                  &add);
        for (size_t i = 0; r >= 0 && i < n_regions; i++) {
                if (!regions[i])
                        return -EINVAL;
                r = store_step(s, del, ARG_TEXT(regions[i]));
        }
        for (size_t i = 0; r >= 0 && i < n; i++) {
                bool replaced = false;
                for (size_t k = 0; !replaced && rec[i].region && k < n_regions; k++)
                        replaced = streq(regions[k], rec[i].region);
                if (!replaced || !rec[i].cluster)
                        return -EINVAL; /* it would outlive the figures it was read with */
                r = store_step(s, add, ARG_TEXT(rec[i].region), ARG_TEXT(rec[i].cluster),
                               rec[i].has_billed ? ARG_DOUBLE(rec[i].billed_bytes) : ARG_NULL,
                               rec[i].has_snapshot ? ARG_DOUBLE(rec[i].snapshot_bytes) : ARG_NULL,
                               ARG_INT(rec[i].observed_at));
        }
        return r;
}

int store_backup_storage_replace(struct store *s, char *const *regions, size_t n_regions,
                                 const struct backup_storage_record *rec, size_t n)
{
        if (!s || (n_regions > 0 && !regions) || (n > 0 && !rec))
                return -EINVAL;
        return STORE_TRANSACTION(s, STORE_BEGIN_WRITE, backup_storage_write(s, regions, n_regions, rec, n));
}

int store_backup_storage_load(struct store *s, struct backup_storage_record **ret, size_t *ret_n)
{
        return store_list_once_args(s,
                                    "SELECT " STORE_COLUMNS " FROM backup_storage ORDER BY region, cluster",
                                    &backup_storage_rows, ret, ret_n, NULL, 0);
}
