/* The list of configuration errors: append, order, print, free. */
#include "config-diag.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "array.h"
#include "macro.h"

int config_diags_add(struct config_diags *d, const char *file, unsigned line, const char *setting,
                     const char *fmt, ...)
{
        _cleanup_free_ char *f = NULL, *s = NULL, *m = NULL;
        va_list ap;
        int r;

        f = strdup(file ? file : "(unknown)");
        if (!f)
                return -ENOMEM;
        if (setting) {
                s = strdup(setting);
                if (!s)
                        return -ENOMEM;
        }
        va_start(ap, fmt);
        r = vasprintf_safe(&m, fmt, ap);
        va_end(ap);
        if (r < 0)
                return r;

        struct config_diag *item = ARRAY_ADD_SLOT(d->items, d->n);
        if (!item)
                return -ENOMEM;
        *item = (struct config_diag){
            .file = TAKE_PTR(f),
            .line = line,
            .setting = TAKE_PTR(s),
            .message = TAKE_PTR(m),
        };
        d->n++;
        return 0;
}

void config_diags_sort(struct config_diags *d)
{
        /* Insertion sort: lists are short, and it is stable. File rank is the first index at which a
         * file appears, computed against the original order. */
        size_t *rank;

        if (d->n < 2)
                return;
        rank = calloc(d->n, sizeof(*rank));
        if (!rank)
                return; /* unsorted is still correct, only less tidy */
        for (size_t i = 0; i < d->n; i++) {
                rank[i] = i;
                for (size_t j = 0; j < i; j++)
                        if (streq(d->items[j].file, d->items[i].file)) {
                                rank[i] = rank[j];
                                break;
                        }
        }
        for (size_t i = 1; i < d->n; i++) {
                struct config_diag item = d->items[i];
                size_t rk = rank[i], j = i;
                while (j > 0 &&
                       (rank[j - 1] > rk || (rank[j - 1] == rk && d->items[j - 1].line > item.line))) {
                        d->items[j] = d->items[j - 1];
                        rank[j] = rank[j - 1];
                        j--;
                }
                d->items[j] = item;
                rank[j] = rk;
        }
        free(rank);
}

void config_diags_clear(struct config_diags *d)
{
        if (!d)
                return;
        for (size_t i = 0; i < d->n; i++) {
                free(d->items[i].file);
                free(d->items[i].setting);
                free(d->items[i].message);
        }
        free(d->items);
        *d = (struct config_diags){};
}

void config_diags_print(const struct config_diags *d, FILE *f)
{
        for (size_t i = 0; i < d->n; i++) {
                const struct config_diag *e = &d->items[i];
                if (e->line > 0)
                        fprintf(f, "%s:%u: ", e->file, e->line);
                else
                        fprintf(f, "%s: ", e->file);
                if (e->setting)
                        fprintf(f, "%s: ", e->setting);
                fprintf(f, "%s\n", e->message);
        }
}
