/* Scratch files and diag lookups for the config tests. */
#include "config-test-util.h"

#include <check.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

char *scratch_new(void)
{
        const char *t = getenv("TMPDIR");
        char *dir = NULL;
        ck_assert_int_ge(asprintf(&dir, "%s/aba-config-test-XXXXXX", t ? t : "/tmp"), 0);
        ck_assert_ptr_nonnull(mkdtemp(dir));
        return dir;
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
        (void)st;
        (void)flag;
        (void)ftw;
        return remove(path);
}

void scratch_remove(char *dir)
{
        if (!dir)
                return;
        nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
        free(dir);
}

char *scratch_write(const char *dir, const char *name, const char *text)
{
        return scratch_write_len(dir, name, text, strlen(text));
}

char *scratch_write_len(const char *dir, const char *name, const char *text, size_t len)
{
        char *path = NULL, *pd = NULL;
        FILE *f;

        if (strncmp(name, "policies.d/", 11) == 0) {
                ck_assert_int_ge(asprintf(&pd, "%s/policies.d", dir), 0);
                mkdir(pd, 0755);
                free(pd);
        }
        ck_assert_int_ge(asprintf(&path, "%s/%s", dir, name), 0);
        f = fopen(path, "we");
        ck_assert_ptr_nonnull(f);
        ck_assert_uint_eq(fwrite(text, 1, len, f), len);
        ck_assert_int_eq(fclose(f), 0);
        return path;
}

struct agent_config *load_ok(const char *path)
{
        struct agent_config *c = NULL;
        struct config_diags d = {};
        int r = config_load(path, &c, &d);

        if (r < 0) {
                config_diags_print(&d, stderr);
                ck_abort_msg("config_load(%s) = %d", path, r);
        }
        ck_assert_uint_eq(d.n, 0);
        config_diags_clear(&d);
        return c;
}

const struct config_diag *diag_find(const struct config_diags *d, const char *setting)
{
        for (size_t i = 0; i < d->n; i++)
                if (setting ? d->items[i].setting && strcmp(d->items[i].setting, setting) == 0
                            : d->items[i].setting == NULL)
                        return &d->items[i];
        return NULL;
}
