/* Each selected cluster's backup storage in state.db (see store.h), from CloudWatch at a full inventory:
 * replaced region by region, so a region that could not be read keeps its last figures. */
#include <errno.h>
#include <stdlib.h>

#include "store-internal.h"

static void backup_storage_record_done(struct backup_storage_record *x)
{
        free(x->region);
        free(x->cluster);
}

DEFINE_STORE_ARRAY_FREE(backup_storage_records_free, struct backup_storage_record,
                        backup_storage_record_done)

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
                bind_text(del, 1, regions[i]);
                r = store_step_done(s, del);
                sqlite3_reset(del);
                sqlite3_clear_bindings(del);
        }
        for (size_t i = 0; r >= 0 && i < n; i++) {
                bool replaced = false;
                for (size_t k = 0; !replaced && rec[i].region && k < n_regions; k++)
                        replaced = streq(regions[k], rec[i].region);
                if (!replaced || !rec[i].cluster)
                        return -EINVAL; /* it would outlive the figures it was read with */
                bind_text(add, 1, rec[i].region);
                bind_text(add, 2, rec[i].cluster);
                if (rec[i].has_billed)
                        sqlite3_bind_double(add, 3, rec[i].billed_bytes);
                else
                        sqlite3_bind_null(add, 3);
                if (rec[i].has_snapshot)
                        sqlite3_bind_double(add, 4, rec[i].snapshot_bytes);
                else
                        sqlite3_bind_null(add, 4);
                sqlite3_bind_int64(add, 5, rec[i].observed_at);
                r = store_step_done(s, add);
                sqlite3_reset(add);
                sqlite3_clear_bindings(add);
        }
        return r;
}

int store_backup_storage_replace(struct store *s, char *const *regions, size_t n_regions,
                                 const struct backup_storage_record *rec, size_t n)
{
        int r;

        if (!s || (n_regions > 0 && !regions) || (n > 0 && !rec))
                return -EINVAL;
        r = store_exec(s, "BEGIN IMMEDIATE");
        if (r < 0)
                return r;
        return store_commit_or_rollback(s, backup_storage_write(s, regions, n_regions, rec, n));
}

static int backup_storage_record_read(struct store *s, sqlite3_stmt *st, void *ret)
{
        struct backup_storage_record x = {
            .has_billed = sqlite3_column_type(st, 2) != SQLITE_NULL,
            .billed_bytes = sqlite3_column_double(st, 2),
            .has_snapshot = sqlite3_column_type(st, 3) != SQLITE_NULL,
            .snapshot_bytes = sqlite3_column_double(st, 3),
            .observed_at = sqlite3_column_int64(st, 4),
        };

        (void)s;
        if (column_strdup(st, 0, &x.region) < 0 || column_strdup(st, 1, &x.cluster) < 0) {
                backup_storage_record_done(&x);
                return -ENOMEM;
        }
        *(struct backup_storage_record *)ret = x;
        return 0;
}

DEFINE_STORE_ROWS(backup_storage_rows, struct backup_storage_record, backup_storage_record_read,
                  backup_storage_record_done);

int store_backup_storage_load(struct store *s, struct backup_storage_record **ret, size_t *ret_n)
{
        _cleanup_finalize_ sqlite3_stmt *st = NULL;
        int r;

        if (!s || !ret || !ret_n)
                return -EINVAL;
        r = store_prepare(s,
                          "SELECT region, cluster, billed_bytes, snapshot_bytes, observed_at "
                          "FROM backup_storage ORDER BY region, cluster",
                          &st);
        if (r < 0)
                return r;
        return store_collect(s, st, &backup_storage_rows, ret, ret_n);
}
