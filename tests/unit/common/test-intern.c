/* The string pool: one copy per distinct value, recognisable, bounded. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "intern.h"
#include "test-suite.h"

TEST_FILE("intern");

TEST(intern_returns_one_copy_per_value)
{
        char a[] = "db-orders-1", b[] = "db-orders-1";
        const char *x = str_intern(a), *y = str_intern(b);

        ck_assert_ptr_nonnull(x);
        ck_assert_ptr_eq(x, y);
        ck_assert_ptr_ne(x, a);
        ck_assert_str_eq(x, "db-orders-1");
        ck_assert_ptr_ne(str_intern("db-orders-2"), x);
}

TEST(interned_knows_pool_pointers_only)
{
        char *own = strdup("arn:aws:kms:us-east-1:123456789012:key/abc");
        const char *pooled = str_intern(own);

        ck_assert(str_interned(pooled));
        ck_assert(!str_interned(own));
        ck_assert(!str_interned(NULL));
        ck_assert_ptr_null(str_intern(NULL));
        free(own);
}

TEST(intern_survives_growth_of_its_table)
{
        char buf[32];
        const char *first[3000];

        for (int i = 0; i < 3000; i++) {
                snprintf(buf, sizeof(buf), "grow-%d", i);
                first[i] = str_intern(buf);
                ck_assert_ptr_nonnull(first[i]);
        }
        for (int i = 0; i < 3000; i++) {
                snprintf(buf, sizeof(buf), "grow-%d", i);
                ck_assert_ptr_eq(str_intern(buf), first[i]);
        }
}

TEST(intern_stops_pooling_when_full)
{
        static char big[4096];
        char buf[64];
        size_t pooled = 0;
        const char *kept = str_intern("kept-before-full");

        memset(big, 'x', sizeof(big) - 1);
        ck_assert_ptr_null(str_intern(big)); /* too long to pool */
        /* 4 MiB of distinct 40-byte values is ~100,000: past that, NULL, and the pool stays usable. */
        for (int i = 0; i < 150000; i++) {
                snprintf(buf, sizeof(buf), "%039d", i);
                if (str_intern(buf))
                        pooled++;
        }
        ck_assert_uint_gt(pooled, 90000);
        ck_assert_uint_lt(pooled, 150000);
        ck_assert_ptr_eq(str_intern("kept-before-full"), kept); /* what is in it is still found */
}
